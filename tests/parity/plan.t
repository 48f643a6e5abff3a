#!/usr/bin/env bash
# plan.t -- `sqlitch plan` against the real `sqitch plan` over a rich plan:
# every named format, format: templates with every code and width, date
# formats and time zones, filters, -n/--skip/--reverse, --abbrev,
# --oneline, colours, config defaults, empty and missing plans, errors.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"

FIX=$TESTROOT/fixture
mkdir -p "$FIX"
cat > "$FIX/sqitch.conf" <<'CONF'
[core]
	engine = sqlite
CONF
cat > "$FIX/sqitch.plan" <<'PLAN'
%syntax-version=1.0.0
%project=widgets
%uri=https://example.com/widgets

users 2024-01-15T10:30:00Z Marge N. O’Vera <marge@example.com> # Creates table to track our users.
flips [users] 2024-01-15T10:31:00Z Marge N. O’Vera <marge@example.com> # Adds table\nfor storing flips.
@v1.0 2024-01-15T10:32:00Z Marge N. O’Vera <marge@example.com> # Tag v1.0
@beta 2024-01-15T10:32:30Z Bob <bob@example.com>

widgets [users flips@v1.0 !otherproj:gadgets] 2024-01-15T10:33:00Z Marge N. O’Vera <marge@example.com>
schemas/café [widgets:users] 2024-06-30T23:59:59Z Zoë Ünïcode <zoe@example.com> # Ünïcode note\n\n  second para
users [users@v1.0] 2024-01-15T22:34:00Z Bob Smith <bob@example.com> # Reworked users.\n\nWith a body\n  indented.
@v1.1 2024-01-16T00:00:00Z Bob <bob@example.com>
- widgets 2024-01-16T01:00:00Z Bob <bob@example.com> # Remove widgets
@v2.0 2024-01-16T02:00:00Z Bob <bob@example.com> # Two
fin 2024-12-31T23:59:59Z Bob <bob@example.com> # The end\nreally
PLAN

parity_init "$FIX"

# named formats, with and without headers
for f in raw full long medium short oneline; do
    parity "--format $f" plan --format "$f"
    parity "-f $f --no-headers" plan -f "$f" --no-headers
done
parity "default" plan
parity "--headers" plan --headers
parity "--oneline" plan --oneline
parity "--oneline --abbrev 0" plan --oneline --abbrev 0
parity "--oneline --abbrev 12" plan --oneline --abbrev 12
parity "--abbrev 4 full" plan --abbrev 4 --format full
parity "--oneline --format short" plan --oneline --format short

# templates: every code and width
parity "ids and names" plan -f 'format:%H|%h|%{7}h|%{-3}h|%n|%o|%e|%l|%L|%v|'
parity "people" plan -f 'format:%p|%{n}p|%{name}p|%{e}p|%{email}p|%{d}p|%{date:raw}p|%{foo}p|%{d:}p'
parity "lists" plan -f 'format:[%t][%T][%{;}T][%{,}t][%r][%{ | }r][%R][%{;}R][%x][%X]'
parity "notes" plan -f 'format:[%s][%{> }s][%b][%{> }b][%B][%{  }B][%{}B]'
parity "labels" plan -f 'format:%{event}_|%{change}_|%{committer}_|%{planner}_|%{by}_|%{date}_|%{committed}_|%{planned}_|%{name}_|%{project}_|%{email}_|%{requires}_|%{conflicts}_'
parity "attributes" plan -f 'format:%{event}a%{change_id}a%{change}a%{project}a%{note}a%{requires}a%{conflicts}a%{tags}a%{planner_name}a%{planner_email}a%{planned_at}a'
parity "widths" plan -f 'format:[%-10n][%10n][%.3n][%-8.3n][%08n][%-08n][%.0n][%.n][%.00n][%0n][%5.1n][%-1n][%-15p]'
parity "unicode widths" plan -f 'format:[%-14n][%.4n][%20{n}p]' --no-headers
parity "literal percent" plan -f 'format:100%% %%n % n %'
parity "brace backtracking" plan -f 'format:[%{x} y}n]'
parity "empty template" plan -f 'format:'
parity "plain template" plan -f 'format:no codes'
parity "colour codes always" plan --color always -f 'format:%{red}C%n%{reset}C %{bold blue}C%{on_green}C%{ansi200}C%{rgb123}C%{grey5}C%{r10g20b30}C%{BOLD}C%{:event}C%{reset}C'

# date formats
for d in raw iso iso8601 rfc rfc2822 full long medium short \
         'cldr:EEEE d MMMM y QQQ w D a h H K k m s z Z ZZZZ' \
         'strftime:%a %A %b %B %d %e %H %I %j %m %M %p %S %y %Y %z %Z %%'; do
    parity "--date-format $d" plan --date-format "$d" --no-headers
done
parity "--date alias" plan --date rfc --no-headers
export TZ=America/New_York
parity "TZ New York iso" plan --no-headers
parity "TZ New York full" plan --date full -f 'format:%{date}p|%{date:long}p|%{date:cldr:zzzz z}p'
export TZ=Asia/Kolkata
parity "TZ Kolkata rfc" plan --date rfc --no-headers
export TZ=UTC

# filters, limits, order
parity "--change" plan --change '^u' --oneline
parity "--change-pattern" plan --change-pattern 's$' --oneline
parity "--planner" plan --planner Bob --oneline
parity "--planner unicode" plan --planner 'Zo.' --oneline
parity "--event revert" plan --event revert --oneline
parity "--event DEPLOY" plan --event DEPLOY --oneline
parity "filters are OR-ed" plan --change '^f' --event revert --oneline
parity "-n 2" plan -n 2 --oneline
parity "--max-count 3 --skip 2" plan --max-count 3 --skip 2 --oneline
parity "--skip 100" plan --skip 100 --oneline
parity "--reverse" plan --reverse --oneline
parity "--reverse -n 2 --skip 1" plan --reverse -n 2 --skip 1 --oneline
parity "--no-reverse" plan --reverse --no-reverse --oneline
parity "-n counts scanned" plan --change widgets -n 2 --oneline
parity "negative skip" plan --skip -1 --oneline
parity "reverse skip beyond" plan --reverse --skip 9 -n 4 --oneline
parity "-n 0" plan -n 0 --oneline
parity "no match" plan --change nomatch

# colours
parity "--color always" plan --color always
parity "--color always oneline" plan --color always --oneline
parity "--color never" plan --color never --oneline
parity "--no-color" plan --color always --no-color --oneline
NO_COLOR=1 parity "NO_COLOR beats always" plan --color always --oneline
ANSI_COLORS_DISABLED=1 parity "ANSI_COLORS_DISABLED does not stop always" plan --color always --oneline

# targets and arguments
parity "target URI arg" plan db:sqlite:other.db --oneline
parity "--target" plan --target db:sqlite:other.db --oneline
parity "engine arg" plan sqlite --oneline
parity "change arg ignored" plan users --oneline
parity "too many targets" plan db:sqlite:a.db db:sqlite:b.db --oneline
parity "unknown argument" plan nonesuch

# errors
PARITY_STDERR_FIRSTLINE=1 parity "unknown format" plan --format bogus
PARITY_STDERR_FIRSTLINE=1 parity "unknown date format" plan --date-format bogus
PARITY_STDERR_FIRSTLINE=1 parity "unknown event" plan --event bogus
parity "unknown code" plan -f 'format:%n %Q'
parity "unknown code after items" plan -f 'format:%{date:bogus}p'
parity "bad label" plan -f 'format:%{nope}_'
parity "no label" plan -f 'format:%_'
parity "bad colour" plan -f 'format:%{chartreuse}C'
parity "no colour" plan -f 'format:%C'
parity "bad attribute" plan -f 'format:%{committer_name}a'
PARITY_STDERR_FIRSTLINE=1 parity "unknown option" plan --bogus
PARITY_STDERR_FIRSTLINE=1 parity "plan-file is not a plan option" plan --plan-file x.plan

# config defaults
cat >> "$(parity_dir_sqitch)/sqitch.conf" <<'CONF'
[plan]
	format = oneline
	date_format = rfc
	color = always
CONF
cp "$(parity_dir_sqitch)/sqitch.conf" "$(parity_dir_sqlitch)/sqitch.conf"
parity "plan.format config" plan
parity "options beat config" plan --format short --color never
parity "plan.date_format config" plan -f 'format:%{date}p'
for s in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[core]\n\tengine = sqlite\n[plan]\n\tformat = bogus\n' > "$s/sqitch.conf"
done
PARITY_STDERR_FIRSTLINE=1 parity "bad plan.format config" plan
for s in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[core]\n\tengine = sqlite\n[plan]\n\tformat = format:%%n|%%o\n' > "$s/sqitch.conf"
done
parity "format: in config" plan

# plan files from target and core configuration
for s in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[core]\n\tengine = sqlite\n[target "alt"]\n\turi = db:sqlite:alt.db\n\tplan_file = alt.plan\n' > "$s/sqitch.conf"
    head -8 "$s/sqitch.plan" > "$s/alt.plan"
    mkdir -p "$s/migrations"
    cp "$s/sqitch.plan" "$s/migrations/sqitch.plan"
done
parity "target plan_file by name" plan alt --oneline
parity "target plan_file by --target" plan --target alt
parity "unknown --target" plan --target nonesuch
for s in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[core]\n\tengine = sqlite\n\ttop_dir = migrations\n' > "$s/sqitch.conf"
done
parity "core.top_dir" plan -n 1
for s in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[core]\n\tengine = sqlite\n\tplan_file = ./migrations//sqitch.plan\n' > "$s/sqitch.conf"
done
parity "core.plan_file" plan -n 1
for s in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    rm -rf "$s/migrations" "$s/alt.plan"
done

# empty and missing plans
for s in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[core]\n\tengine = sqlite\n' > "$s/sqitch.conf"
    printf '%%syntax-version=1.0.0\n%%project=empty\n\n' > "$s/sqitch.plan"
done
parity "empty plan" plan
parity "empty plan --quiet" --quiet plan
for s in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do rm -f "$s/sqitch.plan"; done
parity "missing plan" plan
parity_tree "plan writes nothing"

done_testing
