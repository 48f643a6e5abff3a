#!/usr/bin/env bash
# Parity: `status` on SQLite against the real sqitch. Each registry state
# is written once (by sqitch or by sqlitch) and copied to the other side,
# so both tools read the very same rows: up to date, undeployed changes
# (tags, reworks), --show-changes/--show-tags (one and many, padding),
# every date format, status.* configuration, --project, plan files of
# other projects, a registry with two projects, a change missing from the
# plan, missing registry/plan/projects, time zones, and option errors.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

# Running clock: registry rows need distinct committed_at values.
PARITY_TIME=+0

# seed TOOL ARGS...: run TOOL in its own state, then copy the resulting
# database files to the other state so both read the same registry.
seed() {
    local tool=$1; shift
    if [ "$tool" = sqitch ]; then
        _parity_exec "$_PA" "$SQITCH_BIN" "$@"; rm -f "$_PB"/*.db; cp -p "$_PA"/*.db "$_PB"/ 2>/dev/null
    else
        _parity_exec "$_PB" "$SQLITCH" "$@"; rm -f "$_PA"/*.db; cp -p "$_PB"/*.db "$_PA"/ 2>/dev/null
    fi
    [ "$_RC" = 0 ] || diag "seed $tool $* failed: $_ERR"
}
# both CMD: run a shell command in each state directory
both() { (cd "$_PA" && eval "$1"); (cd "$_PB" && eval "$1"); }

FX=$TESTROOT/fx
make_flipr "$FX"
# a second project sharing the registry
cat > "$FX/other.plan" <<'PLAN'
%syntax-version=1.0.0
%project=other

gizmo 2024-01-16T09:00:00Z Ned <ned@example.com> # Gizmos.
@g1 2024-01-16T09:01:00Z Ned <ned@example.com>
doohickey 2024-01-16T09:02:00Z Ned <ned@example.com>
PLAN
_fx_change "$FX" gizmo gizmo
_fx_change "$FX" doohickey doohickey

# ---------------------------------------------------------------- nothing
parity_init "$FX"
parity "status, no registry" status
parity "status --quiet, no registry" --quiet status
parity "status, no registry, no plan" status -f nope.plan
parity "status -f other.plan, no registry" status --plan-file other.plan
# status parses the plan on another thread while it queries the registry
# for the project the plan's head names: the plan's errors still win
both 'printf "%%syntax-version=1.0.0\n%%project=flipr\n\nbad line\n" > bad.plan'
parity "unparsable plan, no registry" status -f bad.plan

# ---------------------------------------------- states written by each tool
for tool in sqitch sqlitch; do
    parity_init "$FX"
    seed $tool deploy --to flips
    parity "$tool registry: status" status
    parity "$tool registry: --show-changes --show-tags" status --show-changes --show-tags
    seed $tool deploy --to @v2.0
    parity "$tool registry: undeployed after a tag" status --show-tags --show-changes
    seed $tool deploy
    parity "$tool registry: up to date" status
    parity "$tool registry: all lists" status --show-changes --show-tags
    seed $tool revert -y --to widgets
    parity "$tool registry: after revert" status --show-tags
done

# ---------------------------------------------------------- lists, one item
parity_init "$FX"
seed sqitch deploy --to users@v1.0
parity "one change, no tags" status --show-changes --show-tags
seed sqitch deploy --to @beta
parity "two tags on the current change" status --show-tags
parity "target as argument" status db:sqlite:flipr.db
parity "target option" status -t db:sqlite:flipr.db
parity "two targets warn" status db:sqlite:flipr.db db:sqlite:flipr.db
parity "unknown argument" status nonesuch

# ------------------------------------------------------------- date formats
for f in iso iso8601 raw rfc rfc2822 full long medium short 'cldr:yyyy-MM-dd HH:mm' 'strftime:%Y/%m/%d %H.%M.%S %z'; do
    parity "--date-format $f" status --show-changes --show-tags --date-format "$f"
done
parity "--date alias" status --date rfc
PARITY_STDERR_FIRSTLINE=1 parity "--date-format bogus" status --date-format bogus
TZ=America/New_York parity "time zone America/New_York" status --show-changes
TZ=Asia/Kolkata parity "time zone Asia/Kolkata, rfc" status --show-tags --date-format rfc

# ------------------------------------------------------------ configuration
both 'printf "[status]\n\tshow_changes = true\n\tshow_tags = yes\n\tdate_format = rfc\n" >> sqitch.conf'
parity "status.* config" status
parity "--date-format beats status.date_format" status --date-format iso
both 'sed -i "s/date_format = rfc/date_format = nope/" sqitch.conf'
PARITY_STDERR_FIRSTLINE=1 parity "bad status.date_format" status
both 'sed -i "s/show_changes = true/show_changes = maybe/" sqitch.conf'
PARITY_STDERR_FIRSTLINE=1 parity "bad status.show_changes" status

# ------------------------------------------------------------ two projects
parity_init "$FX"
seed sqitch deploy
seed sqitch deploy -f other.plan --to gizmo
parity "flipr project" status
parity "other project via its plan" status -f other.plan --show-tags --show-changes
parity "--project other with the flipr plan" status --project other
parity "--project flipr with the other plan" status --project flipr -f other.plan
parity "--project unknown" status --project nonesuch
parity "no plan, two projects" status -f nope.plan
parity "no plan, --project" status -f nope.plan --project other --show-changes
seed sqlitch deploy -f other.plan
parity "other project deployed by sqlitch" status -f other.plan --show-changes --show-tags
parity "flipr unaffected" status --show-changes

# --------------------------------------------------------------- odd states
parity_init "$FX"
seed sqitch deploy
parity "no plan, one project" status -f nope.plan
both 'sed -i "/^lists /d" sqitch.plan'
parity "current change missing from the plan" status
both 'sqlite3 sqitch.db "DELETE FROM projects"'
parity "no projects registered" status -f nope.plan
parity "plan is a directory" status -f deploy
both 'printf "%%syntax-version=1.0.0\n%%project=flipr\nbad line\n" > bad.plan'
parity "unparsable plan" status -f bad.plan
# the head names one project, a later pragma another (the last wins)
both 'printf "%%syntax-version=1.0.0\n%%project=other\n%%project=flipr\n\nusers 2024-01-15T10:30:00Z Ned <ned@example.com>\n" > twice.plan'
parity "second %project pragma wins" status -f twice.plan
both 'printf "%%syntax-version=1.0.0\n%%project=flipr\n%%project=other\n\ngizmo 2024-01-16T09:00:00Z Ned <ned@example.com>\n" > twice2.plan'
parity "second %project pragma names an undeployed project" status -f twice2.plan

done_testing
