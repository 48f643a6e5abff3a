#!/usr/bin/env bash
# status and log through sqlitch's own protocol client (core/engine_pg_wire.c)
# against the same commands through libpq (SQLITCH_PG_WIRE=0): stdout,
# stderr and exit code byte for byte, for their options and their error
# paths (no registry, a project never deployed, a foreign or pre-1.0
# registry, errors with a LINE excerpt, QUERY and CONTEXT, notices, a
# server that goes away mid-query with and without a last word), and
# what the server sees of the session (pg_settings, pg_stat_activity)
# and the bytes it receives (strace).
# Each in-process run is checked not to have loaded libpq (LD_DEBUG) and
# to say so under -vvv. The connections that must stay libpq's (password
# and md5 authentication, a refused startup, a missing socket, libpq's
# default socket directory, TCP, sslmode=verify-full, foreign PG*
# variables, a conninfo libpq rejects, SQLITCH_PG_WIRE=0) are checked to
# load libpq, say why, and print libpq's messages; other commands keep
# libpq.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"
. "$(dirname "$0")/../lib/pg.sh"
pg_start

FX=$TESTROOT/fx
make_flipr "$FX"
pg_conf "$FX" "$(pg_uri flipr)"
pg_fresh_db flipr empty
(cd "$FX" && "$SQLITCH" deploy --to widgets >/dev/null 2>&1) || _pg_bail "cannot deploy the fixture"
DIR=$FX

WIRE_ENV=SQLITCH_PG_WIRE WIRE_LIB=libpq
. "$(dirname "$0")/../lib/wire.sh"

# ------------------------------------------------------- status and log
in_process "status" status
like "$OUT" "# Name: +widgets" "status: the state is read"
in_process "status --show-changes --show-tags" status --show-changes --show-tags
in_process "status --json" status --json
in_process "status --date-format" status --date-format rfc --project flipr
in_process "log" log
in_process "log --json" log --json
in_process "log -n --skip --reverse" log -n 2 --skip 1 --reverse
in_process "log --format oneline" log --format oneline --abbrev 7
in_process "log --format full" log --format full --date-format rfc
in_process "log --format of its own" log --format 'format:%H %n%t %e'
in_process "log with filters" log --event deploy --change 'w.*' --committer Test --project flipr
in_process "log, no event matches" log --event revert
in_process "status, another registry name with quotes" status --registry "o'reg\\x"
in_process "log, a registry name in UTF-8" log --registry "régistre"
in_process "status, database without a registry" status "$(pg_uri empty)"
in_process "log, database without a registry" log "$(pg_uri empty)"
OTHER=$TESTROOT/other
cp -a "$FX" "$OTHER"
sed -i 's/^%project=flipr/%project=other/; s|^%uri=.*|%uri=https://example.com/other/|' "$OTHER/sqitch.plan"
DIR=$OTHER
in_process "status, a project never deployed" status
is "$RC" 1 "status, a project never deployed: exit 1"
DIR=$FX

# the bytes on the socket: every message the same as libpq's
sent() { # sent ARGS... : what sqlitch ARGS writes to the server, as hex
    (cd "$DIR" && strace -f -qq -e trace=sendto -e signal=none -s 1000000 -xx \
        -o "$TESTROOT/strace" "$SQLITCH" "$@" >/dev/null 2>&1 </dev/null)
    grep -o 'sendto([0-9]*, "[^"]*"' "$TESTROOT/strace" | sed 's/.*"\(.*\)"/\1/' | tr -d '\n'
}
for args in "status --show-changes --show-tags" "log -n 2 --event deploy --change u --reverse"; do
    a=$(SQLITCH_PG_WIRE=0 sent $args) b=$(sent $args)
    ok "[ -n '$a' ] && [ '$a' = '$b' ]" "$args: the same bytes sent as libpq (startup, queries, terminate)"
done
a=$(SQLITCH_PG_WIRE=0 sent status --registry "o'r\\é") b=$(sent status --registry "o'r\\é")
ok "[ -n '$a' ] && [ '$a' = '$b' ]" "a registry name with a quote, a backslash, UTF-8: escaped as libpq escapes it"

# ------------------------------------------------ registries that fail
pg_fresh_db foreign
pg_sql foreign "CREATE SCHEMA sqitch; CREATE TABLE sqitch.changes (id int); CREATE TABLE sqitch.events (id int)" >/dev/null
in_process "status, a foreign changes table" status "$(pg_uri foreign)"
like "$ERR" "LINE [0-9]+: " "status, a foreign changes table: the excerpt"
in_process "log, a foreign events table" log "$(pg_uri foreign)"
pg_fresh_db old
(cd "$FX" && "$SQLITCH" deploy "$(pg_uri old)" --to flips >/dev/null 2>&1)
pg_sql old "ALTER TABLE sqitch.changes DROP COLUMN script_hash" >/dev/null
in_process "status, a registry without script_hash" status "$(pg_uri old)"

# A hook in the registry: a row-level security policy on changes and
# events calls public.hook() (SECURITY DEFINER), which each test makes do
# what it needs. The registry belongs to the test role (no superuser,
# which would bypass the policy), trusted on the socket.
pg_fresh_db views
V="db:pg://$PG_USER@/views?host=$PG_SOCKDIR&port=$PG_PORT"
(cd "$FX" && "$SQLITCH" deploy "$V" --to widgets >/dev/null 2>&1) || _pg_bail "cannot deploy to views"
pg_sql views "
CREATE TABLE public.seen (n serial, s text);
GRANT ALL ON public.seen, public.seen_n_seq TO PUBLIC;
CREATE FUNCTION public.hook() RETURNS boolean LANGUAGE sql VOLATILE SECURITY DEFINER AS \$\$ SELECT true \$\$;
ALTER TABLE sqitch.changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE sqitch.changes FORCE ROW LEVEL SECURITY;
CREATE POLICY hook ON sqitch.changes USING (public.hook());
ALTER TABLE sqitch.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE sqitch.events FORCE ROW LEVEL SECURITY;
CREATE POLICY hook ON sqitch.events USING (public.hook());" >/dev/null
hook() { # hook LANGUAGE BODY : what public.hook() does
    pg_sql views "CREATE OR REPLACE FUNCTION public.hook() RETURNS boolean LANGUAGE $1 VOLATILE SECURITY DEFINER AS \$\$ $2 \$\$" >/dev/null
}
seen() { pg_sql views "SELECT s FROM public.seen ORDER BY n DESC LIMIT 1"; }

# what the server sees of the session
PROBE="INSERT INTO public.seen (s) SELECT
  (SELECT string_agg(name || '=' || setting || ' (' || source || ')', ', ' ORDER BY name)
     FROM pg_settings WHERE source NOT IN ('default', 'override'))
  || ' / ' || (SELECT format('%s %s %s %s %s', usename, datname, application_name,
     coalesce(client_addr::text, 'socket'), backend_type)
     FROM pg_stat_activity WHERE pid = pg_backend_pid())
  RETURNING true"
hook sql "$PROBE"
session() { # session NAME ARGS... : the session settings the server saw
    local name=$1 a b rc n; shift
    n=$(pg_sql views "SELECT count(*) FROM public.seen")
    (cd "$DIR" && SQLITCH_PG_WIRE=0 "$SQLITCH" "$@" >"$TESTROOT/o1" 2>&1 </dev/null)
    rc=$?
    a=$(seen)
    rm -f "$TESTROOT"/ld.*
    (cd "$DIR" && LD_DEBUG=files LD_DEBUG_OUTPUT=$TESTROOT/ld "$SQLITCH" "$@" >"$TESTROOT/o2" 2>&1 </dev/null)
    is "$?/$(cat "$TESTROOT/o2")" "$rc/$(cat "$TESTROOT/o1")" "$name: the same output"
    ok "! grep -qs 'file=libpq\\.so' '$TESTROOT'/ld.*" "$name: in process"
    b=$(seen)
    ok "[ $(pg_sql views "SELECT count(*) FROM public.seen") -gt $((n + 1)) ]" "$name: both runs reached the registry"
    is "$b" "$a" "$name: the server sees the same session"
    like "$b" "client_encoding=UTF8 \\(client\\)" "$name: client_encoding from the startup packet"
}
in_process "status, a registry with a policy" status "$V"
session "status" status "$V"
session "log" log "$V"
session "application_name" status "$V&application_name=sqlitch-wire"
like "$(seen)" "application_name=sqlitch-wire \\(client\\)" "application_name sent"
session "fallback_application_name" status "$V&fallback_application_name=fb"
like "$(seen)" "application_name=fb \\(client\\)" "fallback_application_name sent"
in_process "application_name and fallback_application_name" status "$V&fallback_application_name=fb&application_name=app"
in_process "client_encoding spelt utf-8" status "$V&client_encoding=utf-8"
in_process "sslmode=require on a socket: libpq connects in clear" status "$V&sslmode=require"
in_process "sslmode=disable" status "$V&sslmode=disable"

# notices and errors raised on the server
hook plpgsql "BEGIN RAISE WARNING 'registry under repair' USING DETAIL = 'since noon', HINT = 'wait'; RETURN true; END"
in_process "status, a notice" status "$V"
like "$ERR" "WARNING:  registry under repair" "status, a notice: printed"
hook plpgsql "BEGIN RAISE EXCEPTION 'no status today' USING ERRCODE = 'P0001', HINT = 'tomorrow'; END"
in_process "status, an error with CONTEXT" status "$V"
like "$ERR" "CONTEXT:  PL/pgSQL function" "status, an error with CONTEXT: shown"
hook plpgsql "BEGIN EXECUTE 'SELECT nosuch FROM pg_class'; RETURN true; END"
in_process "log, an error in an internal query" log "$V"
like "$ERR" "QUERY:  SELECT nosuch FROM pg_class" "log, internal query: QUERY line"
like "$ERR" "LINE 1: SELECT nosuch" "log, internal query: its excerpt"

# the server goes away in the middle of a query
hook sql "SELECT pg_terminate_backend(pg_backend_pid())"
in_process "status, the session is terminated" status "$V"
in_process "log, the session is terminated" log "$V"
like "$ERR" "^server closed the connection unexpectedly" "log, terminated: libpq's message"
# kill -9: no last word, EOF only; the server restarts all sessions
hook plpgsql "BEGIN EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', 'kill -9 ' || pg_backend_pid()); RETURN true; END"
pg_sql postgres "CHECKPOINT" >/dev/null # synchronous_commit is off: the hook must survive the crash
wait_up() {
    local i
    for i in $(seq 1 300); do
        pg_sql postgres "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    _pg_bail "the server did not come back"
}
BETWEEN=wait_up in_process "log, the backend is killed" log "$V"
like "$ERR" "^server closed the connection unexpectedly" "log, killed: libpq's message"
wait_up
hook sql "SELECT true"

# ------------------------------------------------- left to libpq: auth
pg_sql postgres "CREATE ROLE scram_user LOGIN PASSWORD 'scr4m'; CREATE ROLE md5_user LOGIN;
  SET password_encryption = 'md5'; ALTER ROLE md5_user PASSWORD 'md5pw'" >/dev/null
pg_sql flipr "GRANT USAGE ON SCHEMA sqitch TO PUBLIC; GRANT SELECT ON ALL TABLES IN SCHEMA sqitch TO PUBLIC" >/dev/null
HBA=$PG_DIR/data/pg_hba.conf
{ printf 'local all scram_user scram-sha-256\nlocal all md5_user md5\n'; cat "$HBA"; } >"$HBA.new" && cat "$HBA.new" >"$HBA"
pg_sql postgres "SELECT pg_reload_conf()" >/dev/null
sleep 0.3
SCRAM="db:pg://scram_user@/flipr?host=$PG_SOCKDIR&port=$PG_PORT"
MD5="db:pg://md5_user@/flipr?host=$PG_SOCKDIR&port=$PG_PORT"
AUTH="the server asks for authentication"
SQITCH_PASSWORD=scr4m via_lib "$AUTH" "scram on the socket" status "$SCRAM"
is "$RC" 0 "scram on the socket: libpq authenticates"
SQITCH_PASSWORD=wrong via_lib "$AUTH" "scram, wrong password" status "$SCRAM"
like "$ERR" "password authentication failed for user \"scram_user\"" "scram, wrong password: libpq's message"
via_lib "$AUTH" "scram, no password" log "$SCRAM"
SQITCH_PASSWORD=md5pw via_lib "$AUTH" "md5 on the socket" log "$MD5"
is "$RC" 0 "md5 on the socket: libpq authenticates"
SQITCH_PASSWORD=wrong via_lib "$AUTH" "md5, wrong password" status "$MD5"
SQITCH_PASSWORD=$PG_PASS via_lib "not a unix socket" "TCP" status "$(pg_tcp_uri flipr)"
is "$RC" 0 "TCP: libpq connects"

# ------------------------------------ left to libpq: no server, options
via_lib "the server refused the connection" "a database that does not exist" status "$(pg_uri nosuchdb)"
like "$ERR" "database \"nosuchdb\" does not exist" "no such database: libpq's message"
NOWHERE=$TESTROOT/nowhere/.s.PGSQL.$PG_PORT
via_lib "connect $NOWHERE: No such file or directory" "a socket directory with no server" \
    status "db:pg://postgres@/flipr?host=$TESTROOT/nowhere&port=$PG_PORT"
like "$ERR" "on socket \"$NOWHERE\" failed: No such file or directory" "no socket: libpq's message"
compare "libpq's default socket directory" status "db:pg://postgres@/flipr?port=$PG_PORT"
is "$LIB" 1 "default socket directory: libpq loaded"
DEFAULT_SOCK=$(printf '%s' "$ROUTE" | sed -n 's/^through libpq: connect \(.*\): .*/\1/p')
like "$DEFAULT_SOCK" "^/.*/\\.s\\.PGSQL\\.$PG_PORT\$" "default socket directory: tried in process"
like "$ERR" "on socket \"$DEFAULT_SOCK\" failed" "default socket directory: the one libpq tries"
via_lib "sslmode=verify-full" "sslmode=verify-full" status "$V&sslmode=verify-full"
via_lib "connection parameter bogus" "an unknown parameter" status "$V&bogus=1"
via_lib "a conninfo libpq would reject" "a blank in a query parameter" status "$V&application_name=a%20b"
PGSSLMODE=disable via_lib "PGSSLMODE is set" "PGSSLMODE" status "$V"
PGOPTIONS="-c geqo=off" via_lib "PGOPTIONS is set" "PGOPTIONS" log "$V"
SQLITCH_PG_WIRE=0 via_lib "SQLITCH_PG_WIRE=0" "SQLITCH_PG_WIRE=0" status

# libpq's environment: defaults for the socket, the port, user and db
PGHOST=$PG_SOCKDIR PGPORT=$PG_PORT PGUSER=$PG_SUPER PGDATABASE=flipr in_process "PGHOST, PGPORT, PGUSER, PGDATABASE" status db:pg:
hook sql "$PROBE"
PGHOST=$PG_SOCKDIR PGPORT=$PG_PORT PGUSER=$PG_USER PGAPPNAME=from-env session "PGAPPNAME" status "db:pg:views"
like "$(seen)" "application_name=from-env \\(client\\)" "PGAPPNAME sent"

# ------------------------------------------- other commands keep libpq
rm -f "$TESTROOT"/ld.*
(cd "$FX" && LD_DEBUG=files LD_DEBUG_OUTPUT=$TESTROOT/ld "$SQLITCH" deploy --to widgets >/dev/null 2>&1)
ok "grep -qs 'file=libpq\\.so' '$TESTROOT'/ld.*" "deploy loads libpq"
rm -f "$TESTROOT"/ld.*
(cd "$FX" && LD_DEBUG=files LD_DEBUG_OUTPUT=$TESTROOT/ld "$SQLITCH" verify >/dev/null 2>&1)
ok "grep -qs 'file=libpq\\.so' '$TESTROOT'/ld.*" "verify loads libpq"

done_testing
