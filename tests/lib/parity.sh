# parity.sh -- run the real sqitch (the oracle) and sqlitch side by side on
# the same inputs and compare output, exit codes and resulting files.
# Source after tap.sh.
#
#   parity_init [FIXTURE_DIR]       # two identical project states
#   parity "init" init flipr --engine sqlite
#   parity "add" add users -n 'Users table'
#   parity_tree "files after add"   # diff -r of the two project dirs
#   parity_db "registry" sqitch.db  # registry rows, timestamps masked
#
# Both tools run in the very same directory path ($PWORK): each state is
# moved into place for its command and moved back, so absolute paths in
# output are identical. Time is faked for both with libfaketime:
# PARITY_TIME (default "2024-01-15 10:30:00", frozen) -- plan timestamps
# then match to the second. Set PARITY_TIME="@2024-01-15 10:30:00" for a
# running clock (needed when registry rows must differ in committed_at).
#
# After `parity`, $A_OUT/$A_ERR/$A_RC hold sqitch's results and
# $B_OUT/$B_ERR/$B_RC sqlitch's. PARITY_FILTER, if set, is a sed script
# applied to both outputs before comparing (use sparingly; say why).

SQITCH_BIN=${SQITCH_BIN:-sqitch}
PARITY_TIME=${PARITY_TIME:-2024-01-15 10:30:00}
PWORK=$TESTROOT/work
_PA=$TESTROOT/state-sqitch
_PB=$TESTROOT/state-sqlitch
FAKETIME_LIB=${FAKETIME_LIB:-$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)}

command -v "$SQITCH_BIN" >/dev/null 2>&1 || { echo "Bail out! sqitch (the oracle) is not installed"; exit 1; }
[ -n "$FAKETIME_LIB" ] || { echo "Bail out! libfaketime is not installed"; exit 1; }

parity_init() {
    rm -rf "$_PA" "$_PB" "$PWORK"
    if [ $# -ge 1 ] && [ -n "$1" ]; then
        cp -a "$1" "$_PA"; cp -a "$1" "$_PB"
    else
        mkdir -p "$_PA" "$_PB"
    fi
}

# _parity_read FILE: its text for comparison. Bash drops NUL bytes from
# $(...) (with a warning), so output holding any is compared as cat -v
# shows it, NULs as ^@, on both sides alike.
_parity_read() {
    if tr -d '\0' <"$1" | cmp -s - "$1"; then cat "$1"; else cat -v "$1"; fi
}

# _parity_exec STATE PROG ARGS... -> sets _OUT _ERR _RC
_parity_exec() {
    local state=$1 prog=$2; shift 2
    mv "$state" "$PWORK"
    local o=$TESTROOT/p.out e=$TESTROOT/p.err
    (cd "$PWORK" && LD_PRELOAD=$FAKETIME_LIB FAKETIME="$PARITY_TIME" \
        FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_NO_CACHE=1 \
        "$prog" "$@" >"$o" 2>"$e" <"${PARITY_STDIN:-/dev/null}")
    _RC=$?
    mv "$PWORK" "$state"
    _OUT=$(_parity_read "$o"); _ERR=$(_parity_read "$e")
    if [ -n "${PARITY_FILTER:-}" ]; then
        _OUT=$(printf '%s\n' "$_OUT" | sed -e "$PARITY_FILTER")
        _ERR=$(printf '%s\n' "$_ERR" | sed -e "$PARITY_FILTER")
    fi
}

# parity NAME ARGS... : compare stdout, stderr and exit code.
# PARITY_STDERR_FIRSTLINE=1 compares only stderr's first line (usage texts
# are written in our own words and differ after the error line).
parity() {
    local name=$1; shift
    _parity_exec "$_PA" "$SQITCH_BIN" "$@"; A_OUT=$_OUT A_ERR=$_ERR A_RC=$_RC
    _parity_exec "$_PB" "$SQLITCH" "$@"; B_OUT=$_OUT B_ERR=$_ERR B_RC=$_RC
    is "$B_OUT" "$A_OUT" "$name: stdout"
    if [ -n "${PARITY_STDERR_FIRSTLINE:-}" ]; then
        is "$(printf '%s\n' "$B_ERR" | head -1)" "$(printf '%s\n' "$A_ERR" | head -1)" "$name: stderr (first line)"
    else
        is "$B_ERR" "$A_ERR" "$name: stderr"
    fi
    is "$B_RC" "$A_RC" "$name: exit code"
}

# parity_tree NAME : the two project directories are identical (database
# files excluded; compare those with parity_db).
parity_tree() {
    local d
    d=$(diff -r --exclude='*.db' --exclude='*.db-journal' "$_PA" "$_PB" 2>&1)
    is "$d" "" "$1: files identical"
}

# parity_file NAME PATH : one file identical in both states.
parity_file() {
    is "$(cat "$_PB/$2" 2>&1)" "$(cat "$_PA/$2" 2>&1)" "$1"
}

# Dump a registry with timestamps masked (committed_at etc. differ by run).
_dump_registry() {
    sqlite3 -batch "$1" <<'SQL' 2>&1
.mode list
SELECT 'releases', version, installer_name, installer_email FROM releases;
SELECT 'projects', project, uri, creator_name, creator_email FROM projects ORDER BY project;
SELECT 'changes', change_id, script_hash, change, project, note, committer_name, committer_email, planned_at, planner_name, planner_email FROM changes ORDER BY committed_at, change_id;
SELECT 'tags', tag_id, tag, project, change_id, note, committer_name, committer_email, planned_at, planner_name, planner_email FROM tags ORDER BY committed_at, tag_id;
SELECT 'dependencies', change_id, type, dependency, dependency_id FROM dependencies ORDER BY change_id, dependency;
SELECT 'events', event, change_id, change, project, note, requires, conflicts, tags, committer_name, committer_email, planned_at, planner_name, planner_email FROM events ORDER BY committed_at, rowid;
SELECT 'schema', type, name, tbl_name, sql FROM sqlite_master ORDER BY name;
SQL
}

# parity_db NAME FILE : registry contents identical (timestamps masked).
parity_db() {
    is "$(_dump_registry "$_PB/$2")" "$(_dump_registry "$_PA/$2")" "$1"
}

# State directories, for tests that need to look inside.
parity_dir_sqitch() { echo "$_PA"; }
parity_dir_sqlitch() { echo "$_PB"; }
