#!/usr/bin/env bash
# Bad input on PostgreSQL, side by side with the real sqitch: wrong or
# missing credentials, an unreachable server, an unknown host, a locked
# registry (--lock-timeout), a script that kills its own session, a
# registry schema that belongs to another tool, an unknown connection
# parameter. Passwords never appear in any output. Then the libpq
# environment (PGHOST, PGPORT, PGUSER, PGDATABASE, a service file),
# SQITCH_PASSWORD/SQLITCH_PASSWORD and the destination fill-in of
# targets without a database name.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"
. "$(dirname "$0")/../lib/pg.sh"
pg_start

DATES='s/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:]\{8\} [+-][0-9]\{4\}/DATE/g'
FX=$TESTROOT/fx
make_flipr "$FX"
pg_conf "$FX" "$(pg_tcp_uri flipr)"
pg_parity_init "$FX" flipr
no_password() { ok "! printf '%s' \"\$A_OUT\$A_ERR\$B_OUT\$B_ERR\" | grep -qF -- '$PG_PASS'" "$1: no password in any output"; }

# ---------------------------------------------------------- credentials
SQITCH_PASSWORD=wrong pg_parity "wrong password" status
like "$B_ERR" "password authentication failed" "wrong password: libpq's message"
no_password "wrong password"
pg_parity "no password" status
SQITCH_PASSWORD=$PG_PASS pg_parity "SQITCH_PASSWORD" deploy --to users@v2.0
is "$B_RC" 0 "deployed with SQITCH_PASSWORD"; [ "$B_RC" = 0 ] || diag "$B_OUT$B_ERR"
no_password "SQITCH_PASSWORD"
# sqitch knows no SQLITCH_PASSWORD: compare with SQITCH_PASSWORD on its side
_pg_swap b in
(cd "$(parity_dir_sqlitch)" && SQLITCH_PASSWORD=$PG_PASS "$SQLITCH" status >"$TESTROOT/o" 2>&1)
rc=$?
_pg_swap b out
is "$rc" 0 "SQLITCH_PASSWORD works too"; [ "$rc" = 0 ] || diag "$(cat "$TESTROOT/o")"
PGPASSWORD=$PG_PASS PARITY_FILTER=$DATES pg_parity "PGPASSWORD from the environment" status
PGPASSWORD=wrong SQITCH_PASSWORD=$PG_PASS PARITY_FILTER=$DATES pg_parity "SQITCH_PASSWORD beats PGPASSWORD" status
no_password "PGPASSWORD"
PW_URI=$(pg_tcp_uri flipr | sed "s|$PG_USER@|$PG_USER:$(printf '%s' "$PG_PASS" | sed 's/!/%21/; s/ /%20/')@|")
pg_parity "password in the URI" deploy "$PW_URI" --to flips
no_password "password in the URI"
PARITY_FILTER=$DATES pg_parity "status, password in the URI" status "$PW_URI"
no_password "status, password in the URI"
pg_parity "wrong user" status "db:pg://nobody:x@$PG_HOST:$PG_PORT/flipr"

# ----------------------------------------------------- unreachable server
pg_parity "nothing listening" status "db:pg://$PG_USER@127.0.0.1:1/flipr"
pg_parity "no such socket" status "db:pg://$PG_USER@/flipr?host=$TESTROOT/nowhere"
pg_parity "unknown host" status "db:pg://$PG_USER@nosuchhost.invalid:$PG_PORT/flipr"
pg_parity "unknown database" status "db:pg://$PG_SUPER@/nosuchdb?host=$PG_SOCKDIR&port=$PG_PORT"
pg_parity "a query parameter with a blank (DBD::Pg does not quote DSN values)" status "db:pg://$PG_SUPER@/flipr?host=$PG_SOCKDIR&port=$PG_PORT&application_name=a%20b"
PARITY_FILTER=$DATES pg_parity "db= in the query is dbname= to DBD::Pg" status "db:pg://$PG_SUPER@/?host=$PG_SOCKDIR&port=$PG_PORT&db=flipr"
pg_parity "unknown connection parameter" status "db:pg://$PG_SUPER@/flipr?host=$PG_SOCKDIR&port=$PG_PORT&bogus=1"
pg_parity "sslmode=require on a server without SSL" status "db:pg://$PG_SUPER@/flipr?host=127.0.0.1&port=$PG_PORT&sslmode=require"

# ------------------------------------------------------------- locking
# Advisory locks belong to one database: both tools run in turn against
# database "lockdb", recreated before each run, while another session
# holds the lock sqitch takes.
hold_lock() { # hold_lock SECONDS
    psql -X -h "$PG_SOCKDIR" -p "$PG_PORT" -U "$PG_SUPER" -d lockdb -qAt \
        -c "SELECT pg_advisory_lock(75474063)" -c "SELECT pg_sleep($1)" >/dev/null 2>&1 &
    LOCKER=$!
    local i
    for i in $(seq 1 200); do
        [ "$(pg_sql postgres "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 75474063 AND granted")" = 1 ] && return 0
        sleep 0.05
    done
    _pg_bail "the lock was not taken"
}
# locked NAME SECONDS ARGS...: each tool against a fresh lockdb held for SECONDS
locked() {
    local name=$1 secs=$2; shift 2
    local tool dir bin
    for tool in a b; do
        pg_fresh_db lockdb
        hold_lock "$secs"
        dir=$_PA bin=$SQITCH_BIN
        [ $tool = b ] && dir=$_PB bin=$SQLITCH
        PARITY_TIME=+0 _parity_exec "$dir" "$bin" "$@"  # a running clock: sqitch times out by it
        kill "$LOCKER" 2>/dev/null
        pg_sql postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'lockdb' AND pid <> pg_backend_pid()" >/dev/null
        wait "$LOCKER" 2>/dev/null
        eval "${tool^^}_OUT=\$_OUT ${tool^^}_ERR=\$_ERR ${tool^^}_RC=\$_RC"
        eval "${tool^^}_REG=\$(pg_dump_registry lockdb 2>&1)"
    done
    is "$B_OUT" "$A_OUT" "$name: stdout"
    is "$B_ERR" "$A_ERR" "$name: stderr"
    is "$B_RC" "$A_RC" "$name: exit code"
    is "$B_REG" "$A_REG" "$name: registry"
}
LOCKURI=$(pg_uri lockdb)
locked "lock held elsewhere: time-out" 30 deploy "$LOCKURI" --lock-timeout 1
like "$B_OUT" "Blocked by another instance of Sqitch working on .*; waiting 1 seconds" "lock: blocked"
like "$B_ERR" "^Timed out waiting 1 seconds for another instance of Sqitch" "lock: timed out"
locked "lock released while waiting" 2 deploy "$LOCKURI" --to widgets --lock-timeout 30
like "$B_OUT" "Blocked by .*  \+ widgets \.* ok" "lock: waited, then deployed"
SOCK="$(pg_uri flipr)"
pg_parity "deploy to widgets" deploy "$SOCK" --to widgets

# --------------------------------------------- a script kills its session
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'BEGIN;\nCREATE TABLE hashtags (id INT);\nSELECT pg_terminate_backend(pg_backend_pid());\nCOMMIT;\n' > "$d/deploy/hashtags.sql"
done
pg_parity "the script's connection dies" deploy "$SOCK" --mode change
like "$B_ERR" "error: connection to server was lost" "lost connection reported as psql does"
pg_parity_db "registry after the lost connection"
pg_parity_sql "no hashtags table" "SELECT count(*) FROM pg_tables WHERE tablename = 'hashtags'"

# ----------------------------------- a registry schema of another tool
pg_parity_init "$FX" flipr
for db in flipr_a flipr_b; do pg_sql "$db" "CREATE SCHEMA sqitch; CREATE TABLE sqitch.releases (x int)"; done
PATHS='s#/usr/share/perl5/App/Sqitch/Engine/##'
PARITY_FILTER=$PATHS pg_parity "schema with a foreign releases table" deploy "$SOCK"
pg_parity_sql "the foreign schema is untouched" "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'sqitch'"
pg_parity_init "$FX" flipr
for db in flipr_a flipr_b; do pg_sql "$db" "CREATE SCHEMA sqitch; CREATE TABLE sqitch.changes (id int)"; done
PARITY_FILTER=$PATHS pg_parity "schema with a foreign changes table: status" status "$SOCK"
PARITY_FILTER="$PATHS;s#/Upgrade/##" pg_parity "schema with a foreign changes table: deploy" deploy "$SOCK"
pg_parity_sql "still untouched" "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'sqitch'"
PARITY_FILTER=$PATHS pg_parity "schema with a foreign changes table: log" log "$SOCK"
pg_parity_init "$FX" flipr
for db in flipr_a flipr_b; do pg_sql "$db" "CREATE SCHEMA sqitch; CREATE TABLE sqitch.unrelated (id int)"; done
pg_parity "schema with unrelated tables is used" deploy "$SOCK" --to users
pg_parity_db "registry next to the unrelated table"

# -------------------------------------------------- the libpq environment
pg_parity_init "$FX" flipr
export PGHOST=$PG_SOCKDIR PGPORT=$PG_PORT PGUSER=$PG_SUPER PGDATABASE=flipr
pg_parity "PGHOST/PGPORT/PGUSER/PGDATABASE, target db:pg:" deploy db:pg: --to users
PARITY_FILTER=$DATES pg_parity "db:pg: status" status db:pg:
pg_parity "db:pg://localhost: PGDATABASE in the destination" status db:pg://localhost --db-port "$PG_PORT"
unset PGDATABASE
pg_parity "db:pg: without PGDATABASE: the user names the database" status db:pg:
unset PGUSER
pg_parity "db:pg://$PG_SUPER@ names it" status "db:pg://$PG_SUPER@"
unset PGHOST PGPORT
printf '[flipsvc]\nhost=%s\nport=%s\nuser=%s\ndbname=flipr\n' "$PG_SOCKDIR" "$PG_PORT" "$PG_SUPER" > "$TESTROOT/pg_service.conf"
export PGSERVICEFILE=$TESTROOT/pg_service.conf
PARITY_FILTER=$DATES pg_parity "a service file" status "db:pg:flipr?service=flipsvc"
export PGSERVICE=flipsvc
PARITY_FILTER=$DATES pg_parity "PGSERVICE" status "db:pg:flipr"
unset PGSERVICE PGSERVICEFILE

done_testing
