# pg.sh -- a throwaway PostgreSQL server for the pg engine tests
# (tests/engine/pg*.t). Source after tap.sh.
#
#   . "$(dirname "$0")/../lib/tap.sh"
#   . "$(dirname "$0")/../lib/pg.sh"
#   pg_start                          # server up, stopped at exit (always)
#   pg_fresh_db flipr                 # (re)create database flipr, empty
#   pg_sql flipr "SELECT 1"           # run SQL as the superuser: rows a|b
#   URI=$(pg_uri flipr)               # socket URI, superuser, no password
#   URI=$(pg_tcp_uri flipr)           # db:pg://sqlitch@127.0.0.1:PORT/flipr
#   SQITCH_PASSWORD=$PG_PASS sqlitch deploy "$URI"
#
# What it does: a pristine cluster is made once per machine and PostgreSQL
# version with initdb (cached in ${TMPDIR:-/tmp}, guarded by flock so that
# tests running side by side under `prove -j` build it only once), copied
# for this test, and a private postmaster is started on it: a unix socket
# in that directory ($PG_SOCKDIR) and a free loopback TCP port ($PG_PORT,
# the same port number names the socket). Local (socket) connections are
# trusted; TCP connections need a password (scram-sha-256). The superuser
# is `postgres` (no password, so it cannot log in over TCP); the user
# `sqlitch` with password $PG_PASS owns the test databases' objects
# through CREATE privileges. fsync is off: the server dies with the test.
#
# PostgreSQL refuses to run as root. When the tests run as root, the
# server runs as the `postgres` system user (setpriv), its directory
# lives outside $TESTROOT (which is private to root), and is removed at
# exit too.
#
# The server is stopped when the test exits, whatever the reason: an EXIT
# trap (replacing tap.sh's, which it also runs), INT/TERM/HUP traps that
# exit through it, and a watchdog that stops the server if the test
# process vanishes without running its traps (kill -9).
#
# If the server binaries are missing the helper bails out: tests/run
# installs them first (tests/deps); the suite never skips silently.
#
# Variables set by pg_start:
#   PG_BIN PG_DIR PG_SOCKDIR PG_PORT PG_HOST(127.0.0.1) PG_USER(sqlitch)
#   PG_PASS PG_SUPER(postgres) PG_VERSION (e.g. 15.18) PG_LOG

PG_USER=sqlitch
PG_PASS='s3cr!t pw'
PG_HOST=127.0.0.1
PG_SUPER=postgres

_pg_bail() {
    echo "Bail out! pg.sh: $*"
    [ -f "${PG_LOG:-/nonexistent}" ] && tail -20 "$PG_LOG" | sed 's/^/# /'
    exit 1
}

_pg_bindir() {
    local d
    d=$(pg_config --bindir 2>/dev/null)
    [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && { echo "$d"; return 0; }
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && { echo "$d"; return 0; }
    done
    return 1
}

# Run a server-side command as the server's user.
_pg_as() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid="$_PG_OWNER" --regid="$_PG_OWNER" --init-groups -- "$@"
    else
        "$@"
    fi
}

# The cached pristine cluster (built once, under flock).
_pg_template() {
    local tdir lock
    tdir=${TMPDIR:-/tmp}/sqlitch-pg-template-$(id -u)-$PG_VERSION
    lock=$tdir.lock
    (
        flock -w 300 9 || exit 1
        if [ ! -f "$tdir/.complete" ]; then
            rm -rf "$tdir" && mkdir -p "$tdir" && chown "$_PG_OWNER" "$tdir"
            _pg_as "$PG_BIN/initdb" -D "$tdir/data" -U "$PG_SUPER" --no-sync \
                --auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
                --locale=C >"$tdir/initdb.log" 2>&1 || exit 1
            touch "$tdir/.complete"
        fi
    ) 9>"$lock" || { tail -20 "$tdir/initdb.log" 2>/dev/null | sed 's/^/# /'; _pg_bail "initdb failed"; }
    PG_TEMPLATE=$tdir/data
}

_pg_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

pg_stop() {
    [ -n "${PG_PID:-}" ] || return 0
    if kill -0 "$PG_PID" 2>/dev/null; then
        kill -INT "$PG_PID" 2>/dev/null   # fast shutdown
        local i
        for i in $(seq 1 300); do
            kill -0 "$PG_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$PG_PID" 2>/dev/null && kill -KILL "$PG_PID" 2>/dev/null
    fi
    [ -n "${PG_WATCHDOG:-}" ] && kill "$PG_WATCHDOG" 2>/dev/null
    wait "$PG_PID" 2>/dev/null
    PG_PID=
}

_pg_exit() {
    local rc=$?
    pg_stop
    [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
    rm -rf "$TESTROOT"
    exit $rc
}

pg_start() {
    PG_BIN=$(_pg_bindir) || _pg_bail "the PostgreSQL server is not installed (tests/deps --install)"
    command -v psql >/dev/null 2>&1 || _pg_bail "psql is not installed (tests/deps --install)"
    PG_VERSION=$("$PG_BIN/postgres" --version | awk '{print $3}')
    _PG_OWNER=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        _PG_OWNER=postgres
        id postgres >/dev/null 2>&1 || _pg_bail "running as root needs a 'postgres' system user"
    fi
    _pg_template
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sqlitch-pg.XXXXXX")
    chmod 755 "$PG_DIR"
    chown "$_PG_OWNER" "$PG_DIR"
    PG_SOCKDIR=$PG_DIR
    PG_LOG=$PG_DIR/server.log
    trap _pg_exit EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
    trap 'exit 129' HUP
    local try up=0
    for try in 1 2 3 4 5; do
        rm -rf "$PG_DIR/data"
        cp -a "$PG_TEMPLATE" "$PG_DIR/data"
        PG_PORT=$(_pg_free_port)
        # started directly (not through a function or subshell), so that
        # $! is the postmaster itself and pg_stop's signals reach it
        local as=()
        [ "$(id -u)" = 0 ] && as=(setpriv --reuid="$_PG_OWNER" --regid="$_PG_OWNER" --init-groups --)
        "${as[@]}" "$PG_BIN/postgres" -D "$PG_DIR/data" -p "$PG_PORT" \
            -c listen_addresses="$PG_HOST" -c unix_socket_directories="$PG_SOCKDIR" \
            -c fsync="${PG_FSYNC:-off}" -c synchronous_commit="${PG_FSYNC:-off}" \
            -c full_page_writes="${PG_FSYNC:-off}" \
            -c shared_buffers=${PG_SHARED_BUFFERS:-32MB} -c max_connections=60 \
            -c log_min_messages=warning -c logging_collector=off \
            >"$PG_LOG" 2>&1 </dev/null &
        PG_PID=$!
        local i
        for i in $(seq 1 300); do
            if [ -S "$PG_SOCKDIR/.s.PGSQL.$PG_PORT" ] &&
               psql -X -h "$PG_SOCKDIR" -p "$PG_PORT" -U "$PG_SUPER" -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; then
                up=1; break
            fi
            kill -0 "$PG_PID" 2>/dev/null || break
            sleep 0.1
        done
        [ $up = 1 ] && break
        pg_stop
        grep -q 'already in use' "$PG_LOG" 2>/dev/null || _pg_bail "postgres did not start"
    done
    [ $up = 1 ] || _pg_bail "postgres did not start (no free port?)"
    # Stop the server even if this test is killed without running traps.
    local me=$$
    ( trap '' HUP INT TERM
      while kill -0 "$me" 2>/dev/null && kill -0 "$PG_PID" 2>/dev/null; do sleep 1; done
      kill -INT "$PG_PID" 2>/dev/null ) >/dev/null 2>&1 </dev/null &
    PG_WATCHDOG=$!
    local q=${PG_PASS//\'/\'\'}
    pg_sql postgres "CREATE ROLE $PG_USER LOGIN PASSWORD '$q'" >/dev/null \
        || _pg_bail "cannot create the test role"
    export PG_SOCKDIR PG_PORT PG_HOST PG_USER PG_PASS PG_SUPER PG_VERSION
    # Nothing from the caller's environment may pick another server.
    unset PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGSERVICEFILE \
          PGOPTIONS PGCLIENTENCODING PGAPPNAME PGSSLMODE
}

# pg_sql DB SQL... : run SQL as the superuser over the socket; rows "a|b".
pg_sql() {
    local db=$1; shift
    PGOPTIONS='-c client_min_messages=warning' \
    psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKDIR" -p "$PG_PORT" -U "$PG_SUPER" \
        -d "$db" -At -c "$*"
}

# pg_fresh_db NAME... : drop and create the databases (the test role may
# create schemas and tables in them).
pg_fresh_db() {
    local d
    for d in "$@"; do
        pg_sql postgres "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null &&
        pg_sql postgres "CREATE DATABASE \"$d\" OWNER $PG_USER" >/dev/null ||
            _pg_bail "cannot create database $d"
    done
}

# pg_uri [DB] : the superuser over the unix socket.
pg_uri() { echo "db:pg://$PG_SUPER@/${1:-}?host=$PG_SOCKDIR&port=$PG_PORT"; }

# pg_tcp_uri [DB] : the test role over TCP (password not in the URI).
pg_tcp_uri() { echo "db:pg://$PG_USER@$PG_HOST:$PG_PORT/${1:-}"; }

# pg_dump_registry DB [SCHEMA] : registry rows with timestamps masked,
# and the registry's shape (tables, columns, constraints, comments).
pg_dump_registry() {
    local db=$1 s=${2:-sqitch}
    pg_sql "$db" "
SELECT 'releases', version, installer_name, installer_email FROM \"$s\".releases ORDER BY version;
SELECT 'projects', project, uri, creator_name, creator_email FROM \"$s\".projects ORDER BY project;
SELECT 'changes', change_id, script_hash, change, project, note, committer_name, committer_email, planned_at, planner_name, planner_email FROM \"$s\".changes ORDER BY committed_at, change_id;
SELECT 'tags', tag_id, tag, project, change_id, note, committer_name, committer_email, planned_at, planner_name, planner_email FROM \"$s\".tags ORDER BY committed_at, tag_id;
SELECT 'dependencies', change_id, type, dependency, dependency_id FROM \"$s\".dependencies ORDER BY change_id, dependency;
SELECT 'events', event, change_id, change, project, note, requires, conflicts, tags, committer_name, committer_email, planned_at, planner_name, planner_email FROM \"$s\".events ORDER BY committed_at;
SELECT 'column', table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = '$s' ORDER BY table_name, ordinal_position;
SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = '$s'::regnamespace ORDER BY 2, 3;
SELECT 'comment', c.relname, a.attname, d.description FROM pg_description d JOIN pg_class c ON c.oid = d.objoid LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid WHERE c.relnamespace = '$s'::regnamespace ORDER BY 2, 3;
SELECT 'schema', obj_description('$s'::regnamespace, 'pg_namespace');" 2>&1
}

# ------------------------------------------------------------- parity
# Side by side with the real sqitch (source parity.sh first). Each tool
# has its own database; the one whose turn it is gets renamed to the
# shared name, so that both see the very same URI and destination:
#
#   pg_parity_init FIXTURE flipr   # project dirs + databases flipr_a/_b
#   pg_parity "deploy" deploy      # like parity(), under database flipr
#   pg_parity_db "registry"        # pg_dump_registry of both, compared
#   pg_parity_sql "tables" "SELECT ..."   # a query's rows, compared

pg_parity_init() {
    parity_init "$1"
    PGP_DB=$2
    pg_fresh_db "${PGP_DB}_a" "${PGP_DB}_b"
    pg_sql postgres "DROP DATABASE IF EXISTS \"$PGP_DB\" WITH (FORCE)" >/dev/null
}

_pg_swap() { # _pg_swap a|b in|out
    local from=$PGP_DB to="${PGP_DB}_$1"
    [ "$2" = in ] && { from="${PGP_DB}_$1"; to=$PGP_DB; }
    pg_sql postgres "ALTER DATABASE \"$from\" RENAME TO \"$to\"" >/dev/null ||
        _pg_bail "cannot rename database $from"
}

pg_parity() {
    local name=$1; shift
    _pg_swap a in; _parity_exec "$_PA" "$SQITCH_BIN" "$@"; _pg_swap a out
    A_OUT=$_OUT A_ERR=$_ERR A_RC=$_RC
    _pg_swap b in; _parity_exec "$_PB" "$SQLITCH" "$@"; _pg_swap b out
    B_OUT=$_OUT B_ERR=$_ERR B_RC=$_RC
    is "$B_OUT" "$A_OUT" "$name: stdout"
    if [ -n "${PARITY_STDERR_FIRSTLINE:-}" ]; then
        is "$(printf '%s\n' "$B_ERR" | head -1)" "$(printf '%s\n' "$A_ERR" | head -1)" "$name: stderr (first line)"
    else
        is "$B_ERR" "$A_ERR" "$name: stderr"
    fi
    is "$B_RC" "$A_RC" "$name: exit code"
}

pg_parity_db() {
    is "$(pg_dump_registry "${PGP_DB}_b" "${2:-sqitch}")" \
       "$(pg_dump_registry "${PGP_DB}_a" "${2:-sqitch}")" "$1"
}

pg_parity_sql() {
    local name=$1; shift
    is "$(pg_sql "${PGP_DB}_b" "$@" 2>&1)" "$(pg_sql "${PGP_DB}_a" "$@" 2>&1)" "$name"
}

# pg_conf DIR URI : point a fixture project (engine_fixture.sh) at pg,
# with scripts PostgreSQL accepts.
pg_conf() {
    printf '[core]\n\tengine = pg\n[engine "pg"]\n\ttarget = %s\n' "$2" > "$1/sqitch.conf"
    local f
    for f in "$1"/verify/*.sql; do
        [ -f "$f" ] && sed -i 's/WHERE 0/WHERE false/' "$f"
    done
    return 0
}
