#!/usr/bin/env bash
# PostgreSQL registries across versions and tools, against the real
# sqitch: `upgrade` of a 1.0 and a pre-1.0 registry (no releases table,
# no script_hash column, no "merge" event), deploy upgrading on its own
# and filling in the pre-1.0 script hashes, status on a pre-1.0 registry,
# revert refusing an old registry, a registry newer than 1.1; then
# interop on one registry: sqitch and sqlitch taking turns in both
# directions, each step compared with sqitch alone.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"
. "$(dirname "$0")/../lib/pg.sh"
pg_start

DATES='s/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:]\{8\} [+-][0-9]\{4\}/DATE/g'
PATHS='s#/usr/share/perl5/App/Sqitch/Engine/\(Upgrade/\)\{0,1\}##'
step() { PARITY_FILTER=${PARITY_FILTER:-$DATES} pg_parity "$@"; pg_parity_db "$1: registry"; }
FX=$TESTROOT/fx
make_flipr "$FX"
pg_conf "$FX" "$(pg_uri flipr)"

# Both databases get the same registry, written by sqitch, then aged.
aged() { # aged SQL
    pg_parity_init "$FX" flipr
    local x
    for x in a b; do
        _pg_swap $x in
        (cd "$(parity_dir_sqitch)" && "$SQITCH_BIN" deploy --to hashtags >/dev/null 2>&1) ||
            _pg_bail "sqitch could not deploy the fixture"
        _pg_swap $x out
        pg_sql "flipr_$x" "$1" >/dev/null || _pg_bail "cannot age the registry"
    done
}
TO_10="
ALTER TABLE sqitch.changes DROP CONSTRAINT changes_project_script_hash_key;
ALTER TABLE sqitch.changes ADD CONSTRAINT changes_script_hash_key UNIQUE (script_hash);
DELETE FROM sqitch.releases;
INSERT INTO sqitch.releases VALUES (1.0, '2020-01-01 00:00:00+00', 'Old', 'old@example.com');
COMMENT ON SCHEMA sqitch IS 'Sqitch database deployment metadata v1.0.';"
TO_09="
DROP TABLE sqitch.releases;
ALTER TABLE sqitch.changes DROP COLUMN script_hash;
ALTER TABLE sqitch.events DROP CONSTRAINT events_event_check;
ALTER TABLE sqitch.events ADD CONSTRAINT events_event_check CHECK (event IN ('deploy', 'revert', 'fail'));
COMMENT ON SCHEMA sqitch IS 'Sqitch database deployment metadata v0.9.';"

aged "SELECT 1"
step "upgrade: up-to-date" upgrade
aged "$TO_10"
step "status on 1.0" status
step "revert refuses 1.0" revert -y
step "upgrade from 1.0" upgrade
step "upgrade again" upgrade
aged "$TO_10"
step "deploy upgrades 1.0 by itself" deploy
aged "$TO_09"
step "status on pre-1.0" status
step "log on pre-1.0" log --format oneline
step "verify refuses pre-1.0" verify
PARITY_FILTER="$DATES;$PATHS" step "upgrade from pre-1.0" upgrade
step "deploy fills in the script hashes" deploy
aged "$TO_09"
PARITY_FILTER="$DATES;$PATHS" step "deploy upgrades pre-1.0 by itself" deploy
aged "INSERT INTO sqitch.releases VALUES (2.0, now(), 'New', 'new@example.com')"
# sqitch follows the message with a Perl stack trace; sqlitch stops at it
PARITY_STDERR_FIRSTLINE=1 step "a newer registry: deploy" deploy
step "a newer registry: revert" revert -y
PARITY_STDERR_FIRSTLINE=1 step "a newer registry: upgrade" upgrade

# ------------------------------------------------------------- interop
# pg_mixed NAME TOOL ARGS...: sqitch in database a, TOOL in database b.
pg_mixed() {
    local name=$1 tool=$2; shift 2
    local bin=$SQITCH_BIN
    [ "$tool" = sqlitch ] && bin=$SQLITCH
    _pg_swap a in; _parity_exec "$_PA" "$SQITCH_BIN" "$@"; _pg_swap a out
    A_OUT=$_OUT A_ERR=$_ERR A_RC=$_RC
    _pg_swap b in; _parity_exec "$_PB" "$bin" "$@"; _pg_swap b out
    B_OUT=$_OUT B_ERR=$_ERR B_RC=$_RC
    is "$B_OUT" "$A_OUT" "$name: stdout"
    is "$B_ERR" "$A_ERR" "$name: stderr"
    is "$B_RC" "$A_RC" "$name: exit code"
    pg_parity_db "$name: registry"
}
PARITY_FILTER=$DATES
pg_parity_init "$FX" flipr
pg_mixed "sqitch deploys part" sqitch deploy --to flips
pg_mixed "sqlitch continues" sqlitch deploy --to hashtags
pg_mixed "sqitch continues after sqlitch" sqitch deploy
pg_mixed "sqlitch verifies" sqlitch verify
pg_mixed "sqlitch checks" sqlitch check
pg_mixed "sqlitch status" sqlitch status --show-changes --show-tags
pg_mixed "sqlitch log" sqlitch log
pg_mixed "sqlitch reverts part" sqlitch revert -y --to @v1.0
pg_mixed "sqitch reverts the rest" sqitch revert -y

pg_parity_init "$FX" flipr
pg_mixed "sqlitch deploys" sqlitch deploy
pg_mixed "sqitch status after sqlitch" sqitch status --show-changes --show-tags
pg_mixed "sqitch log after sqlitch" sqitch log
pg_mixed "sqitch verify after sqlitch" sqitch verify
pg_mixed "sqitch check after sqlitch" sqitch check
pg_mixed "sqitch revert after sqlitch" sqitch revert -y --to widgets
pg_mixed "sqitch deploy after sqlitch" sqitch deploy
pg_mixed "sqitch revert all after sqlitch" sqitch revert -y
pg_mixed "sqitch log of it all" sqitch log --event revert --event deploy

# tags added to the plan after the deploy reach the registry either way
pg_parity_init "$FX" flipr
pg_mixed "sqlitch deploys to hashtags" sqlitch deploy --to hashtags
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    sed -i 's/^\(@v2.0 .*\)$/\1\n@v2.1 2024-01-15T10:05:30Z Homer <homer@example.org> # late tag/' "$d/sqitch.plan"
done
pg_mixed "sqitch adds the late tag" sqitch deploy --to hashtags
pg_mixed "sqlitch finishes" sqlitch deploy
pg_mixed "sqitch status" sqitch status --show-tags
unset PARITY_FILTER

done_testing
