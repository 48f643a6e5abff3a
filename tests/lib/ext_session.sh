# ext_session.sh -- helpers for the extension tests that talk to a database
# server (tests/ext/{pg,mysql,remote_pg,remote_mysql}.t). Source after tap.sh.
#
#   ext_require_engine pg libpq       # skip (visibly) if built without it
#   out=$(q "SELECT change FROM sqlitch_changes('$URI')")
#   has "$out" "some text" "name"     # GOT contains TEXT, literally
#   msg=$(q "SELECT sqlitch_deploy('x')" | err)   # the SQL error's text
#
# q runs its arguments as statements in the real sqlite3 shell on an
# in-memory database with the extension loaded (under SAN=1 with the
# sanitizer runtime preloaded, as the shell itself is not instrumented).
command -v sqlite3 >/dev/null || skip_all "no sqlite3 shell"
PRE=()
[ -n "${SQLITCH_ASAN_PRELOAD:-}" ] && PRE=(env "LD_PRELOAD=$SQLITCH_ASAN_PRELOAD")
q() { "${PRE[@]}" sqlite3 -batch :memory: ".load $SQLITCH_EXT" "$@" 2>&1; }
has() { like "$([[ $1 == *"$2"* ]] && echo yes || printf '%s\n' "$1")" '^yes$' "$3"; }
err() { sed '1s/^Runtime error near line [0-9]*: //; 1s/^Error: stepping, //; 1s/^Error: //'; }
ext_require_engine() {
    local probe
    probe=$(q "SELECT count(*) FROM sqlitch_changes('db:$1://127.0.0.1:1/x')")
    [[ $probe == *"does not support the $1 engine"* ]] && skip_all "built without $2"
    return 0
}
