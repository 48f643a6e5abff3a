# mysql.sh -- a throwaway MariaDB server for the mysql engine tests
# (tests/engine/mysql*.t). Source after tap.sh.
#
#   . "$(dirname "$0")/../lib/tap.sh"
#   . "$(dirname "$0")/../lib/mysql.sh"
#   mysql_start                       # server up, stopped at exit (always)
#   mysql_restart --version=5.2.99-x  # another one, with server options
#   my_fresh_db flipr                 # (re)create database flipr, empty
#   my_sql "SELECT 1"                 # run SQL as root: tab-separated rows
#   URI=$(my_uri flipr)               # db:mysql://sqitch@127.0.0.1:PORT/flipr
#   SQITCH_PASSWORD=$MY_PASS sqlitch deploy "$URI"
#
# What it does: a pristine data directory is made once per machine with
# mariadb-install-db (cached in ${TMPDIR:-/tmp}, guarded by flock so that
# tests running side by side under `prove -j` build it only once), copied
# into a directory of this test's (on /dev/shm when there is one, else in
# $TESTROOT), and a private mariadbd is started on it:
# a unix socket in that directory ($MY_SOCK) and a free loopback TCP port
# ($MY_PORT). Nothing is read from /etc/mysql (--no-defaults). A user
# `sqitch` with password `$MY_PASS` gets every privilege; root logs in
# over the socket only (unix_socket auth, as the current OS user).
#
# The server is stopped when the test exits, whatever the reason: an EXIT
# trap (replacing tap.sh's, which it also runs), INT/TERM/HUP traps that
# exit through it, and a watchdog that stops the server if the test
# process vanishes without running its traps (kill -9).
#
# If mariadbd or mariadb-install-db is missing, the helper bails out
# (tests/run installs the packages first; it never skips silently).
#
# Variables set by mysql_start:
#   MY_DIR MY_SOCK MY_PORT MY_HOST(127.0.0.1) MY_USER(sqitch) MY_PASS
#   MY_VERSION (e.g. 10.11.19) MY_ROOT (argv prefix of a root mysql client)

MY_USER=sqitch
MY_PASS='s3cr!t pw'
MY_HOST=127.0.0.1

_my_bin() {
    local b
    for b in "$@"; do
        command -v "$b" 2>/dev/null && return 0
        [ -x "/usr/sbin/$b" ] && { echo "/usr/sbin/$b"; return 0; }
    done
    return 1
}

_my_bail() { echo "Bail out! mysql.sh: $*"; [ -f "${MY_DIR:-/nonexistent}/err.log" ] && tail -20 "$MY_DIR/err.log" | sed 's/^/# /'; exit 1; }

# The cached pristine data directory (built once, under flock).
_my_template() {
    local ver tdir lock
    ver=$("$MY_MARIADBD" --version 2>/dev/null | awk '{print $3}')
    tdir=${TMPDIR:-/tmp}/sqlitch-mariadb-template-$(id -u)-$ver
    lock=$tdir.lock
    (
        flock -w 300 9 || exit 1
        if [ ! -f "$tdir/.complete" ]; then
            rm -rf "$tdir" && mkdir -p "$tdir"
            "$MY_INSTALL_DB" --no-defaults --datadir="$tdir/data" \
                --user="$(id -un)" --auth-root-authentication-method=socket \
                --auth-root-socket-user="$(id -un)" --skip-test-db \
                --innodb-log-file-size=8M --innodb-buffer-pool-size=32M \
                --skip-log-bin >"$tdir/install.log" 2>&1 || exit 1
            touch "$tdir/.complete"
        fi
    ) 9>"$lock" || { cat "$tdir/install.log" 2>/dev/null | tail -20 | sed 's/^/# /'; _my_bail "mariadb-install-db failed"; }
    MY_TEMPLATE=$tdir/data
}

_my_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

mysql_stop() {
    [ -n "${MY_PID:-}" ] || return 0
    if kill -0 "$MY_PID" 2>/dev/null; then
        kill -TERM "$MY_PID" 2>/dev/null
        local i
        for i in $(seq 1 300); do
            kill -0 "$MY_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$MY_PID" 2>/dev/null && kill -KILL "$MY_PID" 2>/dev/null
    fi
    [ -n "${MY_WATCHDOG:-}" ] && kill "$MY_WATCHDOG" 2>/dev/null
    wait "$MY_PID" 2>/dev/null
    MY_PID=
}

_my_exit() {
    local rc=$?
    mysql_stop
    case ${MY_DIR:-} in /dev/shm/sqlitch-mariadb.*) rm -rf "$MY_DIR" ;; esac
    rm -rf "$TESTROOT"
    exit $rc
}

mysql_start() {
    MY_MARIADBD=$(_my_bin mariadbd mysqld) || _my_bail "mariadbd is not installed (tests/deps --install)"
    MY_INSTALL_DB=$(_my_bin mariadb-install-db mysql_install_db) || _my_bail "mariadb-install-db is not installed"
    MY_CLIENT=$(_my_bin mariadb mysql) || _my_bail "the mariadb client is not installed"
    _my_template
    # Data on tmpfs when there is one: DDL there costs a millisecond, not
    # the tens of milliseconds of a disk (tests and benchmarks measure the
    # tools, not the disk).
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then
        MY_DIR=$(mktemp -d /dev/shm/sqlitch-mariadb.XXXXXX)
    else
        MY_DIR=$TESTROOT/mariadb
    fi
    MY_SOCK=$MY_DIR/mysqld.sock
    trap _my_exit EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
    trap 'exit 129' HUP
    local try
    for try in 1 2 3 4 5; do
        rm -rf "$MY_DIR"/*
        mkdir -p "$MY_DIR"
        cp -a "$MY_TEMPLATE" "$MY_DIR/data"
        MY_PORT=$(_my_free_port)
        "$MY_MARIADBD" --no-defaults --user="$(id -un)" --datadir="$MY_DIR/data" \
            --socket="$MY_SOCK" --port="$MY_PORT" --bind-address=127.0.0.1 \
            --pid-file="$MY_DIR/mysqld.pid" --log-error="$MY_DIR/err.log" \
            --skip-log-bin --skip-name-resolve --innodb-log-file-size=8M \
            --innodb-buffer-pool-size=32M --innodb-flush-log-at-trx-commit=2 \
            --innodb-flush-method=fsync --innodb-doublewrite=0 \
            --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
            --max-connections=300 --lc-messages-dir=/usr/share/mysql \
            ${MY_SERVER_ARGS:-} \
            >/dev/null 2>&1 </dev/null &
        MY_PID=$!
        local i up=0
        for i in $(seq 1 300); do
            if [ -S "$MY_SOCK" ] && "$MY_CLIENT" --no-defaults -uroot -S "$MY_SOCK" -e 'SELECT 1' >/dev/null 2>&1; then
                up=1; break
            fi
            kill -0 "$MY_PID" 2>/dev/null || break
            sleep 0.1
        done
        [ $up = 1 ] && break
        mysql_stop
        grep -q 'already in use' "$MY_DIR/err.log" 2>/dev/null || _my_bail "mariadbd did not start"
    done
    [ "${up:-0}" = 1 ] || _my_bail "mariadbd did not start (no free port?)"
    # Stop the server even if this test is killed without running traps.
    local me=$$
    ( trap '' HUP INT TERM
      while kill -0 "$me" 2>/dev/null && kill -0 "$MY_PID" 2>/dev/null; do sleep 1; done
      kill -TERM "$MY_PID" 2>/dev/null
      case $MY_DIR in /dev/shm/sqlitch-mariadb.*) sleep 5; rm -rf "$MY_DIR" ;; esac
    ) >/dev/null 2>&1 </dev/null &
    MY_WATCHDOG=$!
    MY_ROOT=("$MY_CLIENT" --no-defaults -uroot -S "$MY_SOCK")
    local q=${MY_PASS//\'/\'\'}
    "${MY_ROOT[@]}" -e "
        CREATE USER '$MY_USER'@'localhost' IDENTIFIED BY '$q';
        CREATE USER '$MY_USER'@'127.0.0.1' IDENTIFIED BY '$q';
        GRANT ALL ON *.* TO '$MY_USER'@'localhost' WITH GRANT OPTION;
        GRANT ALL ON *.* TO '$MY_USER'@'127.0.0.1' WITH GRANT OPTION;" \
        || _my_bail "cannot create the test user"
    MY_VERSION=$("${MY_ROOT[@]}" -N -e 'SELECT version()' | sed 's/-.*//')
    export MY_SOCK MY_PORT MY_HOST MY_USER MY_PASS MY_VERSION
}

# mysql_restart ARGS... : a new server (new data) with extra mariadbd
# options, e.g. --version=5.2.99-MariaDB (what an old server reports).
mysql_restart() {
    mysql_stop
    case ${MY_DIR:-} in /dev/shm/sqlitch-mariadb.*) rm -rf "$MY_DIR" ;; esac
    MY_SERVER_ARGS="$*" mysql_start
}

# my_sql SQL... : run SQL as root; batch output (tab-separated, no names).
my_sql() { "${MY_ROOT[@]}" -N -B -e "$*"; }

# my_fresh_db NAME... : drop and create the databases.
my_fresh_db() {
    local d
    for d in "$@"; do
        my_sql "DROP DATABASE IF EXISTS \`$d\`; CREATE DATABASE \`$d\`"
    done
}

# my_uri [DB] : the TCP URI of the test user (no password in it).
my_uri() { echo "db:mysql://$MY_USER@$MY_HOST:$MY_PORT/${1:-}"; }

# ------------------------------------------------------------ general log
# my_log_on / my_log_off: record every statement the server receives.
my_log_on() { my_sql "SET GLOBAL log_output = 'TABLE'; SET GLOBAL general_log = 0; TRUNCATE mysql.general_log; SET GLOBAL general_log = 1"; }
my_log_off() { my_sql "SET GLOBAL general_log = 0"; }
# my_log_statements DB : what the sessions opened on database DB sent
# (the script sessions of a deploy; the registry session opens the
# registry database), one "Command<TAB>argument" per statement.
my_log_statements() {
    my_sql "SELECT command_type, argument FROM mysql.general_log
             WHERE thread_id IN (SELECT thread_id FROM mysql.general_log
                                  WHERE command_type = 'Connect'
                                    AND argument LIKE '% on $1 using %')
               AND command_type IN ('Query', 'Init DB')
             ORDER BY event_time, thread_id"
}

# ------------------------------------------------------ registry dumps
# my_dump_registry DB : the registry's rows with the values that differ
# between runs (timestamps) masked, in a stable order.
my_dump_registry() {
    my_sql "
      SELECT 'releases', version, installer_name, installer_email FROM $1.releases ORDER BY version;
      SELECT 'projects', project, COALESCE(uri, 'NULL'), creator_name, creator_email FROM $1.projects ORDER BY project;
      SELECT 'changes', change_id, COALESCE(script_hash, 'NULL'), \`change\`, project, note, committer_name, committer_email, planned_at, planner_name, planner_email FROM $1.changes ORDER BY committed_at, change_id;
      SELECT 'tags', tag_id, tag, project, change_id, note, committer_name, committer_email, planned_at, planner_name, planner_email FROM $1.tags ORDER BY committed_at, tag_id;
      SELECT 'dependencies', change_id, type, dependency, COALESCE(dependency_id, 'NULL') FROM $1.dependencies ORDER BY change_id, dependency;
      SELECT 'events', event, change_id, \`change\`, project, note, requires, conflicts, tags, committer_name, committer_email, planned_at, planner_name, planner_email FROM $1.events ORDER BY committed_at, change_id;" 2>&1
}
# my_dump_schema DB : tables, function and triggers as the server keeps them.
my_dump_schema() {
    local t
    for t in releases projects changes tags dependencies events; do
        my_sql "SHOW CREATE TABLE $1.$t" 2>&1
    done
    my_sql "SELECT routine_name, routine_definition, sql_mode, character_set_client, collation_connection, database_collation, is_deterministic
              FROM information_schema.routines WHERE routine_schema = '$1' ORDER BY routine_name;
            SELECT trigger_name, event_manipulation, action_statement, action_timing, sql_mode, character_set_client, collation_connection, database_collation
              FROM information_schema.triggers WHERE trigger_schema = '$1' ORDER BY trigger_name" 2>&1
}

# -------------------------------------------------------------- fixtures
# my_make_flipr DIR URI : a MySQL project with tags, dependencies (one on
# another project), a conflict, notes with newlines, a reworked change,
# a stored procedure behind DELIMITER, and --set variables in a script.
# Plan timestamps are fixed, so change ids are the same in every run.
my_make_flipr() {
    local d=$1 uri=$2 c
    mkdir -p "$d/deploy" "$d/revert" "$d/verify"
    printf '[core]\n\tengine = mysql\n[engine "mysql"]\n\ttarget = %s\n' "$uri" > "$d/sqitch.conf"
    cat > "$d/sqitch.plan" <<'PLAN'
%syntax-version=1.0.0
%project=flipr
%uri=https://github.com/example/flipr/

users 2024-01-15T10:00:00Z Marge N. O’Vera <marge@example.com> # Creates table to track our users.
flips [users] 2024-01-15T10:01:00Z Marge N. O’Vera <marge@example.com> # Adds table\nfor storing flips.
@v1.0 2024-01-15T10:02:00Z Marge N. O’Vera <marge@example.com> # Tag v1.0.
@beta 2024-01-15T10:02:30Z Marge N. O’Vera <marge@example.com>

widgets [users flips@v1.0 !otherproj:gadgets] 2024-01-15T10:03:00Z Marge N. O’Vera <marge@example.com>
insert_flip [flips] 2024-01-15T10:04:00Z Homer <homer@example.org> # A procedure.
@v2.0 2024-01-15T10:05:00Z Homer <homer@example.org> # Tag v2.0.

users [users@v2.0] 2024-01-15T10:06:00Z Marge N. O’Vera <marge@example.com> # Reworked users.
lists [widgets insert_flip] 2024-01-15T10:07:00Z Homer <homer@example.org>
PLAN
    for c in users flips widgets lists; do
        printf -- '-- Deploy flipr:%s to mysql\n\nBEGIN;\n\nCREATE TABLE %s (id INT PRIMARY KEY, v VARCHAR(40));\n\nCOMMIT;\n' "$c" "$c" > "$d/deploy/$c@v2.0.sql"
        printf -- '-- Revert flipr:%s from mysql\n\nBEGIN;\n\nDROP TABLE %s;\n\nCOMMIT;\n' "$c" "$c" > "$d/revert/$c@v2.0.sql"
        printf -- '-- Verify flipr:%s on mysql\n\nSELECT id, v FROM %s WHERE 0;\n' "$c" "$c" > "$d/verify/$c@v2.0.sql"
        cp "$d/deploy/$c@v2.0.sql" "$d/deploy/$c.sql"
        cp "$d/revert/$c@v2.0.sql" "$d/revert/$c.sql"
        cp "$d/verify/$c@v2.0.sql" "$d/verify/$c.sql"
    done
    rm -f "$d"/*/flips@v2.0.sql "$d"/*/widgets@v2.0.sql "$d"/*/lists@v2.0.sql
    printf -- '-- Deploy flipr:users to mysql\n\nALTER TABLE users ADD COLUMN nick VARCHAR(20);\nSELECT @who AS who;\n' > "$d/deploy/users.sql"
    printf -- '-- Revert flipr:users from mysql\n\nALTER TABLE users DROP COLUMN nick;\n' > "$d/revert/users.sql"
    printf -- '-- Verify flipr:users on mysql\n\nSELECT nick FROM users WHERE 0;\n' > "$d/verify/users.sql"
    cat > "$d/deploy/insert_flip.sql" <<'SQL'
-- Deploy flipr:insert_flip to mysql

DELIMITER //

CREATE PROCEDURE insert_flip(
    nid  INTEGER,
    body VARCHAR(40)
) BEGIN
    -- store the flip
    INSERT INTO flips (id, v) VALUES (nid, body);
END;
//

DELIMITER ;
SQL
    printf -- '-- Revert flipr:insert_flip from mysql\n\nDROP PROCEDURE insert_flip;\n' > "$d/revert/insert_flip.sql"
    printf -- "-- Verify flipr:insert_flip on mysql\n\nSELECT sqitch.checkit(COUNT(*), 'no insert_flip') FROM information_schema.routines WHERE routine_name = 'insert_flip';\n" > "$d/verify/insert_flip.sql"
}

# ---------------------------------------------------- sequence parity
# The same commands run by sqitch and by sqlitch from the same directory
# ($WORK, a copy of $FIXTURE) on freshly created databases; each step's
# stdout, stderr and exit code compared, then the registry and the target.
#
#   life() { st "deploy" deploy; st "status" status; }
#   FIXTURE=$dir parity_seq "life cycle" life
#
# Timestamps the server assigns are masked; SHOW=1 prints what sqitch
# printed (as TAP comments). FIRSTLINE=1 st ... : sqitch dies with a
# Perl stack trace there; only the first line of stderr is compared and
# sqlitch must print just that line.
WORK=$TESTROOT/work
RES=$TESTROOT/res
DATES='s/[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}( [+-][0-9]{4})?/<date>/g'

# st NAME ARGS... : one step of a sequence, run by $TOOL in $WORK
st() {
    local name=$1; shift
    _n=$((_n + 1))
    (cd "$WORK" && "$TOOL" "$@" >"$RES/$SIDE.$_n.out" 2>"$RES/$SIDE.$_n.err" </dev/null
     echo $? >"$RES/$SIDE.$_n.rc")
    echo "$name" >"$RES/$SIDE.$_n.name"
    [ -n "${FIRSTLINE:-}" ] && : >"$RES/$SIDE.$_n.firstline"
    return 0
}

# seq_run SIDE TOOL FUNC : fresh databases and project, then FUNC's steps
seq_run() {
    SIDE=$1 TOOL=$2; _n=0
    my_sql "DROP DATABASE IF EXISTS flipr; DROP DATABASE IF EXISTS sqitch; DROP DATABASE IF EXISTS altreg; DROP DATABASE IF EXISTS noreg; CREATE DATABASE flipr"
    rm -rf "$WORK"; cp -a "${FIXTURE:-$FX}" "$WORK"
    "$3"
    { my_dump_registry sqitch; my_dump_registry altreg; } >"$RES/$SIDE.registry"
    my_dump_schema sqitch >"$RES/$SIDE.schema"
    my_sql "SHOW TABLES FROM flipr" >"$RES/$SIDE.tables"
    SEQ_N=$_n
}

# parity_seq NAME FUNC : FUNC by sqitch, then by sqlitch; compare
parity_seq() {
    mkdir -p "$RES"; rm -f "$RES"/*
    seq_run a sqitch "$2"
    seq_run b "$SQLITCH" "$2"
    local i name
    for ((i = 1; i <= SEQ_N; i++)); do
        name="$1: $(cat "$RES/a.$i.name")"
        is "$(sed -E "$DATES" "$RES/b.$i.out")" "$(sed -E "$DATES" "$RES/a.$i.out")" "$name: stdout"
        if [ -e "$RES/a.$i.firstline" ]; then  # sqitch dies with a stack trace
            is "$(head -1 "$RES/b.$i.err")" "$(head -1 "$RES/a.$i.err")" "$name: stderr (first line)"
            is "$(wc -l <"$RES/b.$i.err")" 1 "$name: one line, no stack trace"
        else
            is "$(sed -E "$DATES" "$RES/b.$i.err")" "$(sed -E "$DATES" "$RES/a.$i.err")" "$name: stderr"
        fi
        is "$(cat "$RES/b.$i.rc")" "$(cat "$RES/a.$i.rc")" "$name: exit code"
        if [ -n "${SHOW:-}" ]; then  # SHOW=1 prove -v ...: what sqitch printed
            diag "== $name (exit $(cat "$RES/a.$i.rc"))"; diag "$(cat "$RES/a.$i.out" "$RES/a.$i.err")"
        fi
    done
    is "$(cat "$RES/b.registry")" "$(cat "$RES/a.registry")" "$1: registry rows"
    is "$(cat "$RES/b.schema")" "$(cat "$RES/a.schema")" "$1: registry schema"
    is "$(cat "$RES/b.tables")" "$(cat "$RES/a.tables")" "$1: target tables"
}

