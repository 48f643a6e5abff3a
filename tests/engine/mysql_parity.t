#!/usr/bin/env bash
# mysql_parity.t -- sqlitch against the real sqitch (DBD::mysql and the
# mysql client) on one MariaDB server: the same command sequence is run
# by each tool from the same directory on freshly created databases, and
# every step's stdout, stderr and exit code must match (timestamps the
# server assigns are masked), then the registry rows and the registry's
# schema (tables, checkit(), triggers, as the server stores them).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/mysql.sh"
mysql_start
export SQITCH_PASSWORD=$MY_PASS

URI=$(my_uri flipr)
FX=$TESTROOT/fx
my_make_flipr "$FX" "$URI"
# ------------------------------------------------------------ a life cycle
life() {
    st "status before anything" status
    st "log before anything" log
    st "verify before anything" verify
    st "revert before anything" revert -y
    st "deploy --to flips" deploy --to flips
    st "status" status
    st "deploy" deploy -s who=marge
    st "status --show-changes --show-tags" status --show-changes --show-tags
    st "deploy up-to-date" deploy
    st "log" log
    st "log oneline reverse" log --format oneline --reverse
    st "log filtered" log --event deploy -n 3 --skip 1 --format 'format:%e %n %c %{%Y}d'
    st "log --change regex" log --change '^fl' --format 'format:%n'
    st "verify" verify
    st "check" check
    st "upgrade up-to-date" upgrade
    st "revert --to @v1.0" revert -y --to @v1.0
    st "status after revert" status
    st "revert --to unknown" revert -y --to nonesuch
    st "deploy --to @v2.0" deploy --to @v2.0
    st "rebase --onto flips" rebase -y --onto flips
    st "revert --to users" revert -y --to users
    st "deploy --mode tag" deploy --mode tag
    st "revert all" revert -y
    st "log after all" log --format 'format:%e %n %{tags}a %{requires}a %{conflicts}a'
    st "deploy --log-only" deploy --log-only
    st "status log-only" status
    printf -- '-- changed\nSELECT 1;\n' >> "$WORK/deploy/insert_flip.sql"
    st "revert --modified" revert -y --modified
    st "check after a change" check
}
parity_seq "life cycle" life

# ------------------------------------------------------- failing changes
FAIL=$TESTROOT/fail
my_make_flipr "$FAIL" "$URI"
printf 'CREATE TABLE lists (id INT);\nSELECT nosuch FROM nowhere;\n' > "$FAIL/deploy/lists.sql"
printf 'SELECT 1;\n' > "$FAIL/verify/widgets.sql"
failing() {
    st "deploy, last change fails" deploy
    st "status" status
    st "deploy --mode tag fails" deploy --mode tag
    st "deploy --mode change fails" deploy --mode change
    st "log" log --format 'format:%e %n'
    st "revert" revert -y
}
FIXTURE=$FAIL parity_seq "failing script" failing

# a note the registry's utf8 (3-byte) columns cannot hold: the change's
# rows fail, the script is reverted, the run fails
EMOJI=$TESTROOT/emoji
my_make_flipr "$EMOJI" "$URI"
sed -i 's/# Tag v1.0./# Tag v1.0 \xf0\x9f\x98\x80/' "$EMOJI/sqitch.plan"
emoji() {
    st "deploy, a 4-byte character in a tag note" deploy
    st "status" status
    st "log" log --format 'format:%e %n'
}
FIXTURE=$EMOJI parity_seq "4-byte note" emoji

VFAIL=$TESTROOT/vfail
my_make_flipr "$VFAIL" "$URI"
printf 'SELECT nosuch FROM widgets;\n' > "$VFAIL/verify/widgets.sql"
rm "$VFAIL/verify/flips.sql"
verifying() {
    st "deploy --verify, verify fails" deploy --verify
    st "deploy --verify to flips" deploy --verify --to flips
    st "verify -v -v" -vv verify
    st "verify, verify script fails" verify
    st "log" log --format 'format:%e %n'
}
FIXTURE=$VFAIL parity_seq "verify scripts" verifying

# ------------------------------------------------------ registry options
registry() {
    st "deploy --registry altreg" --registry altreg deploy --to widgets
    st "status --registry altreg" --registry altreg status
    st "status default registry" status
    st "log --registry altreg" --registry altreg log --format 'format:%e %n'
    st "revert --registry altreg" --registry altreg revert -y
}
parity_seq "--registry" registry
like "$(my_dump_registry altreg)" "releases" "--registry altreg: the registry is there"

# ------------------------------------------------------------- targets
targets() {
    st "deploy by URI" deploy "db:mysql://$MY_USER@$MY_HOST:$MY_PORT/flipr" --to users
    st "status by URI" status "db:mysql://$MY_USER@$MY_HOST:$MY_PORT/flipr"
    st "status, password in URI" status "db:mysql://$MY_USER:$MY_PASS@$MY_HOST:$MY_PORT/flipr"
    st "deploy over the socket" deploy "db:mysql://$MY_USER@/flipr?mysql_socket=$MY_SOCK" --to flips
    st "deploy, URI query options" deploy "db:mysql://$MY_USER@$MY_HOST:$MY_PORT/flipr?mysql_compression=1&mysql_connect_timeout=5&mysql_init_command=SET%20@who%3D'init'"
    st "status, db:mariadb: scheme" status "db:mariadb://$MY_USER@$MY_HOST:$MY_PORT/flipr"
    SQITCH_PASSWORD= st "status, wrong password" status "db:mysql://$MY_USER:nope@$MY_HOST:$MY_PORT/flipr"
    SQITCH_PASSWORD= st "deploy, wrong password" deploy "db:mysql://$MY_USER:nope@$MY_HOST:$MY_PORT/flipr"
    st "status, unreachable" status "db:mysql://$MY_USER@$MY_HOST:1/flipr"
    st "deploy, unknown target database" --registry noreg deploy "db:mysql://$MY_USER@$MY_HOST:$MY_PORT/nodb"
    st "status, unknown target database" --registry noreg status "db:mysql://$MY_USER@$MY_HOST:$MY_PORT/nodb"
    st "revert all" revert -y
}
parity_seq "targets" targets
ok "! grep -rqF -- '$MY_PASS' '$RES'" "the password appears in no output"

done_testing
