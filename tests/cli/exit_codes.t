#!/usr/bin/env bash
# exit_codes.t -- every exit code in docs/exit-codes.md, each provoked, with
# the stream its message goes to: 0, 1 (stdout, hidden by --quiet), 2
# (stderr), 255 (stderr), 70 (out of memory), and sqlitch shell passing on
# the sqlite3 shell's code.
. "$(dirname "$0")/../lib/tap.sh"

# code NAME WANT_RC STREAM REGEX ARGS... : run sqlitch, check the exit code
# and that the message matches REGEX on STREAM (out|err|none).
code() {
    local name=$1 want=$2 stream=$3 re=$4; shift 4
    run_cmd SQLITCH "$@"
    is "$RC" "$want" "$name: exit $want"
    case $stream in
        out) like "$OUT" "$re" "$name: message on stdout"
             is "$ERR" "" "$name: nothing on stderr" ;;
        err) like "$ERR" "$re" "$name: message on stderr" ;;
        none) is "$OUT$ERR" "" "$name: prints nothing" ;;
    esac
}

cd "$TESTROOT"
mkdir proj && cd proj
"$SQLITCH" init flipr --engine sqlite --target db:sqlite:flipr.db >/dev/null

# --- 1: soft failures, on stdout ---------------------------------------------
code "plan, empty plan" 1 out '^No changes in sqitch\.plan$' plan
code "help, no such page" 1 out '^No manual entry for sqitch-nope$' help nope
code "config --get, missing key" 1 out '^$' config --get core.nothing
EDITOR=true code "add, empty note" 1 out 'Aborting due to empty note' add users
"$SQLITCH" add users -n 'Users' >/dev/null
"$SQLITCH" add flips -n 'Flips' >/dev/null
code "status, nothing deployed" 1 out 'No changes deployed' status
code "log, no registry" 1 out 'has not been initialized for Sqitch' log
run_cmd SQLITCH --quiet help nope
is "$RC:$OUT:$ERR" "1::" "--quiet: exit 1 kept, message hidden"

# --- 0 -----------------------------------------------------------------------------
code "deploy" 0 out 'flips \.+ ok' deploy
code "deploy again, up to date" 0 out 'Nothing to deploy \(up-to-date\)' deploy
code "verify" 0 out 'Verify successful' verify
code "--version" 0 out '^sqlitch \(App::Sqitch\) v1\.3\.1$' --version

# revert declined, answered on stdin
printf 'n\n' > no.txt
"$SQLITCH" revert <no.txt >rev.out 2>rev.err
is "$?" 1 "revert, answer no: exit 1"
like "$(cat rev.out)" 'Nothing reverted' "revert, answer no: message on stdout"

# check: a deployed script changed since
printf -- '-- edited\n' >> deploy/users.sql
code "check, scripts diverge" 1 out 'Failed one check' check

# --- 2: errors, on stderr ------------------------------------------------------------
code "unknown command" 2 err '^"bogus" is not a valid command' bogus
code "unknown option" 2 err '^Unknown option: bogus' plan --bogus
like "$ERR" 'SYNOPSIS' "unknown option: usage follows"
code "unknown change" 2 err '^Unknown change "nope"$' show change nope
code "show -e, missing object" 2 none '' show -e change nope
code "bad --log-format" 2 err '^Unknown log format "x"' --log-format x plan
printf 'DROP TABLE nope;\n' > verify/flips.sql
code "verify fails" 2 err 'Verify failed' verify
printf 'not a plan line %%\n' >> sqitch.plan
code "plan syntax error" 2 err 'Syntax error in sqitch\.plan' plan
git_free=$(mktemp -d "$TESTROOT/x.XXXX")

# --- 255: configuration errors, on stderr ------------------------------------------
code "plan --format bogus" 255 err '^Unknown plan format "bogus"' plan --format bogus
code "deploy --mode bogus" 255 err 'did not pass type constraint' deploy --mode bogus
code "log --color sometimes" 255 err 'sometimes' log --color sometimes
code "init --engine nope" 255 err '^Unknown engine "nope"' init other --engine nope
printf '[core\n' > broken.conf
SQITCH_CONFIG=broken.conf code "unparseable config" 255 err '^Error parsing' plan

# --- 70: out of memory ------------------------------------------------------------------
if [ "${SAN:-0}" = 1 ] || ldd "$SQLITCH" 2>/dev/null | grep -q libasan; then
    echo "ok $((_tap_n += 1)) # skip ASan reserves too much address space for ulimit -v"
    echo "ok $((_tap_n += 1)) # skip ASan reserves too much address space for ulimit -v"
else
    truncate -s 1G "$git_free/huge.plan"
    (ulimit -v 200000; exec "$SQLITCH" show change x --plan-file "$git_free/huge.plan") >oom.out 2>oom.err
    is "$?" 70 "out of memory: exit 70"
    is "$(cat oom.err)" "sqlitch: out of memory" "out of memory: message on stderr"
fi

# --- sqlitch shell passes on sqlite3's exit code --------------------------------------------
if command -v sqlite3 >/dev/null; then
    cd "$TESTROOT" && mkdir sh && cd sh
    "$SQLITCH" init shp --engine sqlite --target db:sqlite:shp.db >/dev/null
    # (a sanitizer build's extension needs the ASan runtime in sqlite3)
    printf '.exit 3\n' | env ${SQLITCH_ASAN_PRELOAD:+LD_PRELOAD=$SQLITCH_ASAN_PRELOAD} \
        "$SQLITCH" shell >/dev/null 2>&1
    is "$?" 3 "sqlitch shell: the sqlite3 shell's exit code (3)"
else
    echo "ok $((_tap_n += 1)) # skip sqlite3 not installed"
fi

done_testing
