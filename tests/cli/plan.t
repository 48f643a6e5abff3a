#!/usr/bin/env bash
# plan.t -- `sqlitch plan` on its own: the places where sqlitch replaces a
# sqitch 1.3.1 crash or Perl diagnostic with one clean line (same exit
# code), large plans, and behaviour that needs no oracle to check.
. "$(dirname "$0")/../lib/tap.sh"

cd "$TESTROOT" || exit 1
printf '[core]\n\tengine = sqlite\n' > sqitch.conf
cat > sqitch.plan <<'PLAN'
%syntax-version=1.0.0
%project=widgets

users 2024-01-15T10:30:00Z Marge <marge@example.com> # Users
flips [users] 2024-01-15T10:31:00Z Marge <marge@example.com> # Flips\nbody
@v1.0 2024-01-15T10:32:00Z Marge <marge@example.com>
- users 2024-01-16T10:31:00Z Bob <bob@example.com>
PLAN

run_cmd SQLITCH plan --oneline
is "$OUT" "# Project: widgets
# File:    sqitch.plan

f34b75 deploy users
62e0ee deploy flips @v1.0
ce7047 revert users" "oneline listing (ids as sqitch computes them)"
is "$RC" 0 "exit 0"

# --- clean one-line errors where sqitch prints a Perl trace -------------
run_cmd SQLITCH plan --format bogus
is "$ERR" 'Unknown plan format "bogus"' "unknown format: one line"
is "$RC" 255 "unknown format exits 255"
is "$OUT" "" "nothing on stdout"

run_cmd SQLITCH plan --date-format bogus
is "$ERR" 'Unknown date format "bogus"' "unknown date format: one line"
is "$RC" 255 "unknown date format exits 255"

run_cmd SQLITCH plan --color sometimes
is "$ERR" 'Value "sometimes" did not pass type constraint "Enum[always,auto,never]" (in $args->{"color"})' \
    "bad --color: one line without the Perl location"
is "$RC" 255 "bad --color exits 255"

printf '[core]\n\tengine = sqlite\n[plan]\n\tcolor = rainbow\n' > sqitch.conf
run_cmd SQLITCH plan
like "$ERR" '^Value "rainbow" did not pass type constraint' "bad plan.color config"
is "$RC" 255 "bad plan.color exits 255"
printf '[core]\n\tengine = sqlite\n' > sqitch.conf

run_cmd SQLITCH plan --event bogus
is "$ERR" 'Unknown change operation "bogus"' "unknown event: one line"
is "$RC" 2 "unknown event exits 2"
is "$OUT" "" "no headers before the event error"

run_cmd SQLITCH plan --change '('
is "$ERR" 'Invalid regular expression "(": missing closing parenthesis at offset 1' \
    "bad --change regex: one clean line"
is "$RC" 2 "bad regex exits 2"
is "$OUT" "" "no headers before the regex error"

run_cmd SQLITCH plan --planner '[z-a]'
like "$ERR" '^Invalid regular expression "\[z-a\]": ' "bad --planner regex"
is "$RC" 2 "bad planner regex exits 2"

run_cmd SQLITCH plan -f 'format:%{date}c'
is "$ERR" "Can't call method \"as_string\" on an undefined value" \
    "committer date on a plan item: one line"
is "$RC" 2 "exits 2"
is "$OUT" "# Project: widgets
# File:    sqitch.plan" "headers were printed first"

run_cmd SQLITCH plan --no-headers -f 'format:[%999999999n]'
is "$ERR" "Out of memory!" "absurd width: Perl's message on stderr"
is "$RC" 1 "absurd width exits 1"
is "$OUT" "" "no partial item"

# --- the rest ------------------------------------------------------------
run_cmd SQLITCH plan --no-headers -f 'format:%n' --change '^f' --planner Bob
is "$OUT" "flips
users" "filters are OR-ed"

run_cmd SQLITCH plan --no-headers -f 'format:%{:event}C%n%{reset}C' --color always
is "$OUT" $'\e[32musers\e[0m\n\e[32mflips\e[0m\n\e[34musers\e[0m' "--color always"
NO_COLOR= run_cmd SQLITCH plan --no-headers -f 'format:%{:event}C%n' --color always
is "$OUT" $'users\nflips\nusers' "NO_COLOR, even empty, beats --color always"

run_cmd SQLITCH --quiet plan --skip 99
is "$OUT" "# Project: widgets
# File:    sqitch.plan" "skip beyond the end prints only headers"

printf '%%syntax-version=1.0.0\n%%project=empty\n' > empty.plan
printf '[core]\n\tengine = sqlite\n\tplan_file = empty.plan\n' > sqitch.conf
run_cmd SQLITCH plan
is "$OUT" "No changes in empty.plan" "empty plan message on stdout"
is "$RC" 1 "empty plan exits 1"
run_cmd SQLITCH --quiet plan
is "$OUT" "" "--quiet hides the empty plan message"
is "$RC" 1 "still exit 1"

# --color auto: colours only on a terminal (script(1) provides one)
if command -v script >/dev/null 2>&1; then
    printf '[core]\n\tengine = sqlite\n' > sqitch.conf
    T=$(SQITCH_PAGER=cat script -qc "$SQLITCH plan --no-headers -f 'format:%{:event}C%n'" /dev/null | tr -d '\r')
    is "$T" $'\e[32musers\n\e[32mflips\n\e[34musers' "auto colours on a terminal"
    T=$(ANSI_COLORS_DISABLED=1 SQITCH_PAGER=cat script -qc "$SQLITCH plan --no-headers -f 'format:%{:event}C%n'" /dev/null | tr -d '\r')
    is "$T" $'users\nflips\nusers' "ANSI_COLORS_DISABLED stops auto on a terminal"
    T=$(SQITCH_PAGER=cat script -qc "$SQLITCH plan --no-headers --color never -f 'format:%{:event}C%n'" /dev/null | tr -d '\r')
    is "$T" $'users\nflips\nusers' "--color never on a terminal"
fi

# a big plan: every change listed once, in order, both ways
{
    printf '%%syntax-version=1.0.0\n%%project=big\n\n'
    for i in $(seq 1 3000); do
        printf 'c%d 2024-01-15T10:30:00Z Bob <bob@example.com> # note %d\n' "$i" "$i"
        [ $((i % 500)) -eq 0 ] && printf '@t%d 2024-01-15T10:30:00Z Bob <bob@example.com>\n' "$i"
    done
} > big.plan
printf '[core]\n\tengine = sqlite\n\tplan_file = big.plan\n' > sqitch.conf
run_cmd SQLITCH plan --no-headers -f 'format:%n%t'
is "$(printf '%s\n' "$OUT" | wc -l)" 3000 "3000 items"
is "$(printf '%s\n' "$OUT" | sed -n '500p')" "c500 @t500" "tags attached"
run_cmd SQLITCH plan --no-headers -f 'format:%n' --reverse -n 2
is "$OUT" $'c3000\nc2999' "--reverse -n 2 on a big plan"
run_cmd SQLITCH plan --no-headers --change '^c29[0-9]{2}$' -f 'format:%n'
is "$(printf '%s\n' "$OUT" | wc -l)" 100 "regex filter over a big plan"

done_testing
