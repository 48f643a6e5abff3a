#!/usr/bin/env bash
# Parity: `engine` against the real sqitch -- list, add, alter, show,
# remove and their errors; output, exit code and files. Each add/alter
# sets one property (sqitch writes several in Perl hash order).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"

FX=$TESTROOT/fx
mkdir -p "$FX"
(cd "$FX" && "$SQITCH_BIN" init flipr --engine sqlite >/dev/null &&
    "$SQITCH_BIN" target add prod db:pg://bob@db.example/flipr >/dev/null &&
    "$SQITCH_BIN" target add my db:mysql://h/my >/dev/null)
parity_init "$FX"

step() { parity "$@"; parity_tree "$1"; }
usage() { PARITY_FILTER='/^\(Usage:\|SYNOPSIS\)/,$d' step "$@"; }

step "list, none"                engine
step "add"                       engine add pg
step "add with target name"      engine add mysql my
step "add with URI"              engine add oracle db:oracle://scott@h/orcl
step "add with --target"         engine add vertica --target db:vertica:vdb
step "add with registry"         engine add exasol --registry meta
step "add with client"           engine add snowflake --client /opt/snowsql
step "list"                      engine
step "list -v"                   engine -v
step "list -v (list)"            engine list -v
step "show one"                  engine show pg
step "show many"                 engine show mysql oracle vertica exasol snowflake
step "alter target"              engine alter pg --target prod
step "alter registry"            engine alter pg --registry reg
step "alter plan-file"           engine alter mysql --plan-file my/my.plan
step "alter top-dir"             engine alter oracle --top-dir ora
step "alter extension"           engine alter oracle --extension ddl
step "alter dir"                 engine alter vertica --dir revert=vr
step "alter set"                 engine alter pg -s schema=app
step "show altered"              engine show pg mysql oracle vertica
step "remove"                    engine remove exasol
step "rm"                        engine rm snowflake
step "list after removal"        engine -v

# errors
step "add existing"              engine add pg
step "add unknown engine"        engine add nope
step "add URI of another engine" engine add sqlite db:pg:
step "add unknown target"        engine add sqlite nope
step "alter unknown engine"      engine alter nope
step "alter missing engine"      engine alter sqlite
step "alter missing, --target"   engine alter sqlite --target db:sqlite:x.db
step "alter to other engine"     engine alter pg --target db:mysql:
step "alter to unknown target"   engine alter pg --target nope
step "remove missing"            engine remove firebird
step "remove unknown"            engine remove nope
step "show without target"       engine show sqlite
PARITY_STDERR_FIRSTLINE=1 step "add unknown dir" engine add sqlite --dir nope=x
usage "add without engine"       engine add
usage "alter without engine"     engine alter
usage "remove without engine"    engine remove
usage "unknown action"           engine frob

# a fresh engine writes a missing plan file and directories
step "add sqlite with plan"      engine add sqlite db:sqlite:s.db --plan-file s/s.plan
step "show sqlite"               engine show sqlite

done_testing
