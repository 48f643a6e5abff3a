#!/usr/bin/env bash
# mysql_upgrade.t -- registries from older Sqitch releases on MariaDB:
# a release-1.0 registry (UNIQUE(script_hash) instead of
# UNIQUE(project, script_hash)) and a pre-1.0 one (no releases table, no
# script_hash column, no "merge" event), each taken through status, log,
# the registry checks of revert/verify, `upgrade` and deploy, by sqitch
# and by sqlitch; output, rows and the resulting schema must match.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/mysql.sh"
mysql_start
export SQITCH_PASSWORD=$MY_PASS

FX=$TESTROOT/fx
my_make_flipr "$FX" "$(my_uri flipr)"

# The old registries are made from a current one, deployed by sqitch.
make_10() {
    (cd "$WORK" && sqitch deploy --to widgets >/dev/null 2>&1)
    my_sql "ALTER TABLE sqitch.changes ADD INDEX proj (project), DROP INDEX project, ADD UNIQUE script_hash (script_hash);
            DELETE FROM sqitch.releases;
            INSERT INTO sqitch.releases VALUES (1.0, utc_timestamp(6), 'Old Timer', 'old@example.com')"
}
make_pre10() {
    (cd "$WORK" && sqitch deploy --to widgets >/dev/null 2>&1)
    my_sql "DROP TABLE sqitch.releases;
            ALTER TABLE sqitch.changes ADD INDEX proj (project), DROP INDEX project, DROP COLUMN script_hash;
            ALTER TABLE sqitch.events MODIFY event ENUM('deploy', 'fail', 'revert') NOT NULL"
}

old_registry() {
    st "status" status
    st "log" log --format 'format:%e %n'
    st "verify: registry check" verify
    st "revert: registry check" revert -y
    st "upgrade" upgrade
    st "upgrade again" upgrade
    st "status after upgrade" status
    st "deploy" deploy
    st "revert" revert -y --to flips
}
r10() { make_10; old_registry; }
rpre() { make_pre10; old_registry; }
parity_seq "registry 1.0" r10
parity_seq "registry before 1.0" rpre

# deploy upgrades an old registry by itself
d10() { make_10; st "deploy upgrades" deploy; st "status" status; }
dpre() { make_pre10; st "deploy upgrades" deploy; st "status" status; }
parity_seq "deploy on 1.0" d10
parity_seq "deploy before 1.0" dpre

# a registry newer than this Sqitch
newer() {
    st "deploy" deploy --to flips
    my_sql "INSERT INTO sqitch.releases VALUES (9.9, utc_timestamp(6), 'Future', 'f@example.com')"
    st "status" status
    st "revert" revert -y
    FIRSTLINE=1 st "upgrade" upgrade
    FIRSTLINE=1 st "deploy" deploy
}
parity_seq "newer registry" newer

done_testing
