# tap.sh -- TAP helpers for the bash test files (tests/*/*.t), run by prove.
#
#   . "$(dirname "$0")/../lib/tap.sh"
#   is "$(echo hi)" "hi" "echo works"
#   ok "[ -f sqitch.plan ]" "plan created"      # condition is eval'd
#   run_cmd SQLITCH plan                          # sets $OUT $ERR $RC
#   is "$RC" 0 "exit code"
#   done_testing
#
# Environment prepared for every test (deterministic, isolated):
#   SQLITCH      the binary under test (default: <repo>/sqlitch)
#   TESTROOT     a fresh temp dir, removed at exit
#   HOME         $TESTROOT/home (so ~/.sqitch is empty)
#   SQITCH_USER_CONFIG / SQITCH_SYSTEM_CONFIG  point at empty files
#   SQITCH_FULLNAME / SQITCH_EMAIL             fixed identity
#   TZ=UTC LC_ALL=C.UTF-8 NO_COLOR unset, no pager
set -u
REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SQLITCH=${SQLITCH:-$REPO/sqlitch}
case $SQLITCH in /*) ;; *) SQLITCH=$REPO/$SQLITCH ;; esac
SQLITCH_EXT=${SQLITCH_EXT:-${SQLITCH%/*}/sqlitch.so}
TESTROOT=$(mktemp -d "${TMPDIR:-/tmp}/sqlitch-test.XXXXXX")
trap 'rm -rf "$TESTROOT"' EXIT
export HOME=$TESTROOT/home
mkdir -p "$HOME"
: > "$TESTROOT/empty.conf"
export SQITCH_USER_CONFIG=$TESTROOT/empty.conf SQITCH_SYSTEM_CONFIG=$TESTROOT/empty.conf
export SQITCH_FULLNAME="Test User" SQITCH_EMAIL="test@example.com"
export TZ=UTC LC_ALL=C.UTF-8 PAGER=cat SQITCH_PAGER=cat
unset SQITCH_CONFIG SQITCH_TARGET SQLITCH_CONFIG SQLITCH_TARGET SQLITCH_USER_CONFIG SQLITCH_SYSTEM_CONFIG EDITOR VISUAL
export EDITOR=false

_tap_n=0
_tap_fail=0

ok() {  # ok "shell condition" "name"
    _tap_n=$((_tap_n + 1))
    if eval "$1"; then
        echo "ok $_tap_n - $2"
    else
        echo "not ok $_tap_n - $2"
        echo "#   condition failed: $1"
        _tap_fail=$((_tap_fail + 1))
    fi
}

is() {  # is GOT WANT NAME
    _tap_n=$((_tap_n + 1))
    if [ "$1" == "$2" ]; then
        echo "ok $_tap_n - $3"
    else
        echo "not ok $_tap_n - $3"
        diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$1") | sed 's/^/# /' | head -60
        _tap_fail=$((_tap_fail + 1))
    fi
}

like() {  # like GOT REGEX NAME
    _tap_n=$((_tap_n + 1))
    if [[ $1 =~ $2 ]]; then
        echo "ok $_tap_n - $3"
    else
        echo "not ok $_tap_n - $3"
        printf '%s\n' "$1" | head -20 | sed 's/^/#   got: /'
        echo "#   expected to match: $2"
        _tap_fail=$((_tap_fail + 1))
    fi
}

unlike() {  # unlike GOT REGEX NAME
    _tap_n=$((_tap_n + 1))
    if [[ $1 =~ $2 ]]; then
        echo "not ok $_tap_n - $3"
        printf '%s\n' "$1" | head -20 | sed 's/^/#   got: /'
        echo "#   expected not to match: $2"
        _tap_fail=$((_tap_fail + 1))
    else
        echo "ok $_tap_n - $3"
    fi
}

# A mistyped helper or a missing tool must fail the test, not pass it by
# doing nothing: every "command not found" in the test's shell (subshells
# included) is recorded and done_testing reports it as a failure.
command_not_found_handle() {
    printf '# tap.sh: command not found: %s\n' "$1" >&2
    printf '%s\n' "$1" >>"$TESTROOT/.tap-not-found"
    return 127
}

diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

skip_all() { echo "1..0 # SKIP $*"; exit 0; }

done_testing() {
    if [ -s "$TESTROOT/.tap-not-found" ]; then
        _tap_n=$((_tap_n + 1))
        echo "not ok $_tap_n - every command the test ran exists"
        sort -u "$TESTROOT/.tap-not-found" | sed 's/^/#   not found: /'
        _tap_fail=$((_tap_fail + 1))
    fi
    echo "1..$_tap_n"
    [ "$_tap_fail" -eq 0 ]
    exit $?
}

# run_cmd PROG ARGS... : run, capturing stdout/stderr/exit code.
# PROG "SQLITCH" means the binary under test.
run_cmd() {
    local prog=$1; shift
    [ "$prog" = SQLITCH ] && prog=$SQLITCH
    local o e
    o=$(mktemp "$TESTROOT/out.XXXXXX"); e=$(mktemp "$TESTROOT/err.XXXXXX")
    "$prog" "$@" >"$o" 2>"$e" </dev/null
    RC=$?
    OUT=$(cat "$o"); ERR=$(cat "$e")
    rm -f "$o" "$e"
}
