#!/usr/bin/env bash
# Parity: `log` on SQLite against the real sqitch. Registries holding
# deploy, revert and fail events are written once (by sqitch or sqlitch)
# and copied to the other side, so both tools read the same rows. Covers
# the named formats that work on SQLite in 1.3.1 (medium, short, oneline),
# format: templates (every code but the list codes, %a on the stored
# text), --abbrev, colours, headers, -n/--skip/--reverse, each filter on
# its own (several --event values included), date formats, log.*
# configuration, targets, and the exit-1/exit-255 errors. What sqlitch
# does where 1.3.1 fails (filters combined, list codes) is in
# tests/cli/log.t.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

PARITY_TIME=+0

seed() {
    local tool=$1; shift
    if [ "$tool" = sqitch ]; then
        _parity_exec "$_PA" "$SQITCH_BIN" "$@"; rm -f "$_PB"/*.db; cp -p "$_PA"/*.db "$_PB"/ 2>/dev/null
    else
        _parity_exec "$_PB" "$SQLITCH" "$@"; rm -f "$_PA"/*.db; cp -p "$_PB"/*.db "$_PA"/ 2>/dev/null
    fi
}
both() { (cd "$_PA" && eval "$1"); (cd "$_PB" && eval "$1"); }

FX=$TESTROOT/fx
make_flipr "$FX"

parity_init "$FX"
parity "log, no registry" log
parity "log --quiet, no registry" --quiet log

# A history with every kind of event: deploys, a failed deploy, reverts.
history() {
    local tool=$1
    parity_init "$FX"
    seed $tool deploy --to @v2.0
    both 'cp deploy/lists.sql lists.ok; printf "SELECT * FROM nonesuch;\n" > deploy/lists.sql'
    seed $tool deploy
    both 'mv lists.ok deploy/lists.sql'
    seed $tool revert -y --to flips
    seed $tool deploy
}

for tool in sqitch sqlitch; do
    history $tool
    parity "$tool history: default" log
    parity "$tool history: short" log --format short
    parity "$tool history: oneline" log --oneline
    parity "$tool history: --reverse -n 3 --skip 2" log --reverse -n 3 --skip 2
done

# ------------------------------------------------------------ formats
parity "format medium, no headers" log -f medium --no-headers
parity "--oneline --abbrev 10" log --oneline --abbrev 10
parity "--abbrev 4 on medium" log --abbrev 4 -n 2
parity "format: every scalar code" log --format \
    'format:%H|%h|%{5}h|%n|%o|%e|%l|%L|%c|%{n}c|%{e}c|%{d}c|%{date:rfc}c|%p|%{name}p|%{email}p|%{date}p|%s|%{> }s|%b|%B|%%|%v'
parity "format: %a on the stored text" log --format \
    'format:%{event}a%{change_id}a%{change}a%{project}a%{note}a%{requires}a%{conflicts}a%{tags}a%{committer_name}a%{committed_at}a%{planned_at}a'
parity "format: labels and widths" log -n 3 --format \
    'format:%{event}_|%{change}_|%{committer}_|%{planner}_|%{by}_|%{date}_|%{committed}_|%{planned}_|%{name}_|%{project}_|%{email}_|%{requires}_|%{conflicts}_|[%-12n][%12n][%.3n][%-8.3n]'
parity "format: colours always" log --color always --format 'format:%{:event}C%e%{reset}C %{bold blue}C%n%{reset}C'
parity "format: colours never" log --color never -n 2
parity "--no-color" log --no-color --oneline
NO_COLOR=1 parity "NO_COLOR beats --color always" log --color always --oneline
PARITY_STDERR_FIRSTLINE=1 parity "bad --format" log --format nonesuch
PARITY_STDERR_FIRSTLINE=1 parity "bad --date-format" log --date-format nonesuch
# Sqitch names its own source line; sqlitch ends the message there.
PARITY_FILTER="s# at /usr/share/perl5/.*##" PARITY_STDERR_FIRSTLINE=1 parity "bad --color" log --color sometimes
parity "unknown format code" log --format 'format:%Q'
parity "bad attribute" log --format 'format:%{nonesuch}a'
parity "bad label" log --format 'format:%{nonesuch}_'
parity "bad colour" log --format 'format:%{nonesuch}C'

# ---------------------------------------------------------- date formats
for f in iso raw rfc full long medium short 'cldr:EEE d MMM y' 'strftime:%d.%m.%Y %T'; do
    parity "--date-format $f" log --date-format "$f" -n 2
done
TZ=Europe/Berlin parity "time zone Europe/Berlin" log -n 2
parity "format: %{date:cldr:...}c" log --format 'format:%{date:cldr:yyyy}c %{d:strftime:%H}p'

# --------------------------------------------------------- limits and order
parity "-n 2" log -n 2
parity "--max-count 0" log --max-count 0 --oneline
parity "--skip without -n" log --skip 4 --oneline
parity "--skip past the end" log --skip 100
parity "--reverse" log --reverse --oneline
parity "--no-reverse" log --no-reverse --oneline

# ------------------------------------------------------------ filters
parity "--event deploy" log --event deploy --oneline
parity "--event revert --event fail" log --event revert --event fail --oneline
parity "--event nonesuch" log --event nonesuch
parity "--change regex" log --change '^[wh]' --oneline
parity "--change-pattern Perl regex" log --change-pattern '(?i)^USERS$' --oneline
parity "--project regex" log --project 'lip' --oneline
parity "--project no match" log --project '^x'
parity "--committer regex" log --committer '^Test\sUser$' --oneline
parity "--committer no match" log --committer Nobody

# ------------------------------------------------------- config and targets
both 'printf "[log]\n\tformat = oneline\n\tdate_format = rfc\n\tcolor = never\n" >> sqitch.conf'
parity "log.* config" log
parity "--format beats log.format" log --format short -n 1
both 'sed -i "s/format = oneline/format = format:%%n %%{date}c/" sqitch.conf'
parity "log.format format:" log -n 2
both 'sed -i "s/format = format:.*/format = bogus/" sqitch.conf'
PARITY_STDERR_FIRSTLINE=1 parity "bad log.format" log
both 'sed -i "s/format = bogus/format = short/" sqitch.conf'
parity "target argument" log db:sqlite:flipr.db -n 1
parity "target option" log -t db:sqlite:flipr.db -n 1
parity "two targets warn" log db:sqlite:flipr.db db:sqlite:flipr.db -n 1
parity "--registry elsewhere" log --registry nonesuch.db
PARITY_STDERR_FIRSTLINE=1 parity "no --plan-file option" log --plan-file x

# ------------------------------------------------------------ no events
both 'sqlite3 sqitch.db "DELETE FROM events"'
parity "no events" log
parity "no events, --quiet" --quiet log

done_testing
