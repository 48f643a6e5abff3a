#!/usr/bin/env bash
# Parity: `init` against the real sqitch -- output, exit code and every
# file written, for the default layout, each option, and the errors.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"

# fresh <name> <args...>: run init in two empty projects and compare.
fresh() {
    local name=$1; shift
    parity_init
    parity "$name" "$@"
    parity_tree "$name"
}

fresh "no engine"              init flipr
fresh "sqlite"                 init flipr --engine sqlite
fresh "pg"                     init flipr --engine pg
fresh "mysql"                  init flipr --engine mysql
fresh "oracle"                 init flipr --engine oracle
fresh "vertica"                init flipr --engine vertica
fresh "exasol"                 init flipr --engine exasol
fresh "snowflake"              init flipr --engine snowflake
fresh "firebird with client"   init flipr --engine firebird --client isql
fresh "target URI"             init flipr --target db:sqlite:foo.db
fresh "target URI, engine"     init flipr --engine pg --target db:pg://db.example/flipr
fresh "named target"           init flipr --engine sqlite --target prod
fresh "named target, no engine" init flipr --target prod
fresh "every option" init flipr --engine pg --target db:pg://u@h/db \
    --registry reg --client /bin/psql --extension ddl --top-dir top/ \
    --plan-file ./x/my.plan --dir deploy=dep --dir reworked=rw \
    --dir reworked_verify=rv -s a=1 --uri https://x.org/
fresh "top-dir"                init flipr --engine sqlite --top-dir db
fresh "nested top-dir"         init flipr --engine sqlite --top-dir a/b/c/
fresh "plan-file"              init flipr --engine sqlite --plan-file plans/main.plan
fresh "-f"                     init flipr --engine sqlite -f other.plan
fresh "registry"               init flipr --engine sqlite --registry meta
fresh "client"                 init flipr --engine mysql --client /opt/mysql
fresh "extension"              init flipr --engine sqlite --extension ddl
fresh "dir deploy"             init flipr --engine sqlite --dir deploy=d
fresh "dir revert"             init flipr --engine sqlite -d revert=r
fresh "dir verify"             init flipr --engine sqlite --dir verify=v/
fresh "dir reworked"           init flipr --engine sqlite --dir reworked=old
fresh "dir reworked_deploy"    init flipr --engine sqlite --dir reworked_deploy=od
fresh "set"                    init flipr --engine sqlite --set user=bob
fresh "set quoted"             init flipr --engine sqlite -s 'x= a b;c '
fresh "uri"                    init flipr --engine sqlite --uri https://github.com/x/flipr/
fresh "uri not canonical"      init flipr --uri 'HTTP://Example.COM:80/a b'
fresh "uri not a URL"          init flipr --uri foo
fresh "quiet"                  --quiet init flipr --engine sqlite
fresh "unicode project"        init 'flïpr' --engine sqlite
fresh "snowflake URI"          init flipr --target db:snowflake://acct/db?warehouse=w

# errors
fresh "invalid project"        init 'flipr@2' --engine sqlite
fresh "project with blank"     init 'a b'
fresh "target name, no engine" init flipr --target prod
# sqitch dies with a Perl stack trace (exit 255): same first line and code
PARITY_STDERR_FIRSTLINE=1 fresh "unknown engine" init flipr --engine nope
PARITY_STDERR_FIRSTLINE=1 fresh "unknown dir"    init flipr --dir foo=bar
PARITY_STDERR_FIRSTLINE=1 fresh "unknown dirs"   init flipr --dir zz=1 --dir foo=bar
is "$B_ERR" "Unknown directory names: foo, zz" "sqlitch: one clean line, no stack trace"
PARITY_FILTER='/^\(Usage:\|SYNOPSIS\)/,$d' fresh "no project" init

# existing files
parity_init
parity "first init" init flipr --engine sqlite
parity "re-init is a no-op" init flipr --engine sqlite
parity "re-init, other engine" init flipr --engine pg
parity "re-init, other project" init other
parity_tree "after re-inits"

mkdir -p "$TESTROOT/fx-plandir/sqitch.plan"
parity_init "$TESTROOT/fx-plandir"
parity "plan path is a directory" init flipr --engine sqlite
parity_tree "plan path is a directory"

mkdir -p "$TESTROOT/fx-badplan"
echo "not a plan" > "$TESTROOT/fx-badplan/sqitch.plan"
parity_init "$TESTROOT/fx-badplan"
parity "plan file is not a plan" init flipr --engine sqlite
parity_tree "plan file is not a plan"

mkdir -p "$TESTROOT/fx-file"
touch "$TESTROOT/fx-file/deploy" "$TESTROOT/fx-file/top"
parity_init "$TESTROOT/fx-file"
parity "file in the way of a directory" init flipr --engine sqlite
parity_tree "file in the way of a directory"
parity_init "$TESTROOT/fx-file"
parity "file in the way of top-dir" init flipr --engine sqlite --top-dir top/sub
parity_tree "file in the way of top-dir"

mkdir -p "$TESTROOT/fx-other"
printf '%%syntax-version=1.0.0\n%%project=other\n%%uri=https://o.org/\n\n' \
    > "$TESTROOT/fx-other/sqitch.plan"
parity_init "$TESTROOT/fx-other"
parity "another project's plan" init flipr --engine sqlite
parity_tree "another project's plan"

# a core.engine from the user configuration
printf '[core]\n\tengine = pg\n[engine "pg"]\n\tclient = /usr/local/bin/psql\n' \
    > "$TESTROOT/user.conf"
SQITCH_USER_CONFIG=$TESTROOT/user.conf
parity_init
parity "engine from user config" init flipr
parity_tree "engine from user config"
SQITCH_USER_CONFIG=$TESTROOT/empty.conf

# $SQITCH_CONFIG names the file to write
export SQITCH_CONFIG=custom.conf
parity_init
parity "SQITCH_CONFIG" init flipr --engine sqlite
parity_tree "SQITCH_CONFIG"
unset SQITCH_CONFIG

done_testing
