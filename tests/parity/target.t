#!/usr/bin/env bash
# Parity: `target` against the real sqitch -- list, add, alter, show,
# rename, remove and their errors; output, exit code and files.
# (Passwords are kept out of these URIs: sqlitch deliberately never prints
# them, see tests/cli/password.t.) Each add/alter sets one property, as
# sqitch writes several in Perl hash order.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"

FX=$TESTROOT/fx
mkdir -p "$FX"
(cd "$FX" && "$SQITCH_BIN" init flipr --engine sqlite --uri https://x.org/ >/dev/null)
parity_init "$FX"

step() { parity "$@"; parity_tree "$1"; }
usage() { PARITY_FILTER='/^\(Usage:\|SYNOPSIS\)/,$d' step "$@"; }

step "list, none"                target
step "add"                       target add prod db:pg://bob@db.example/flipr
step "add URI alias"             target add pgx postgres://h:5433/x
step "add plain name"            target add odd foo
step "add sqlite"                target add dev db:sqlite:dev.db
step "add with registry"         target add r1 db:sqlite:r1.db --registry meta
step "add with client"           target add c1 db:mysql://h/c1 --client /opt/mysql
step "add with plan-file"        target add p1 db:sqlite:p1.db --plan-file p1/p1.plan
step "add with top-dir"          target add t1 db:sqlite:t1.db --top-dir t1
step "add with extension"        target add e1 db:sqlite:e1.db --extension ddl
step "add with dir"              target add d1 db:sqlite:d1.db --dir deploy=d1/deploy
step "add with reworked dir"     target add w1 db:sqlite:w1.db --dir reworked=w1
step "add with set"              target add v1 db:sqlite:v1.db --set user=bob
step "add with --uri"            target add u1 db:sqlite:u1.db --uri db:sqlite:other.db
step "list"                      target
step "list -v"                   target -v
step "list -v after"             target list -v
step "list --quiet -v"           --quiet target -v
step "show one"                  target show prod
step "show many"                 target show dev t1 p1 d1 w1 e1 c1 r1
step "show variables"            target show v1
step "show a URI"                target show db:pg://h/x
step "show an alias URI"         target show db:postgresql://h/x
step "alter registry"            target alter prod --registry reg2
step "alter uri"                 target alter prod --uri db:pg://alice@db2/flipr
step "alter top-dir"             target alter dev --top-dir devdir
step "alter dir"                 target alter dev --dir verify=dv
step "alter set"                 target alter dev -s x=1
step "show altered"              target show prod dev
step "rename"                    target rename dev stage
step "rename with variables"     target rename v1 v2
step "show renamed"              target show stage v2
step "remove"                    target remove stage
step "rm"                        target rm v2
step "list after removal"        target -v

# errors
step "add existing"              target add prod db:pg:
step "alter missing"             target alter nope --registry x
step "alter missing with uri"    target alter nope --uri db:pg://h/x
step "remove missing"            target remove nope
step "rename missing"            target rename nope new
step "show missing"              target show nope
step "show engineless URI"       target show db:
PARITY_STDERR_FIRSTLINE=1 step "add bad --uri"     target add z db:sqlite:z --uri http://x
PARITY_STDERR_FIRSTLINE=1 step "add no engine --uri" target add z db:sqlite:z --uri db:
PARITY_STDERR_FIRSTLINE=1 step "add unknown engine --uri" target add z db:sqlite:z --uri db:nope:
PARITY_STDERR_FIRSTLINE=1 step "add unknown dir"   target add z db:sqlite:z --dir nope=x
usage "add without uri"          target add x
usage "add without name"         target add
usage "rename without new"       target rename prod
usage "unknown action"           target frob
usage "remove without name"      target remove

# referenced targets cannot be removed or renamed
step "engine uses target"        engine add pg prod
step "remove referenced"         target remove prod
step "rename referenced"         target rename prod x
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[core]\n\ttarget = pgx\n' >> "$d/sqitch.conf"
done
step "remove referenced twice"   target remove pgx

done_testing
