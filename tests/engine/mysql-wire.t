#!/usr/bin/env bash
# status and log through sqlitch's own MySQL protocol client
# (core/engine_mysql_wire.c) against the same commands through libmariadb
# (SQLITCH_MYSQL_WIRE=0): stdout, stderr and exit code byte for byte, for
# their options and their error paths (a project never deployed, no
# registry, a missing target database, a wrong password), what the server
# sees of the session (performance_schema's connection attributes and
# the processlist, caught while a lock holds the status query) and the
# bytes it receives (strace; the scramble and the pid masked).
# Each in-process run is checked not to have loaded libmariadb (LD_DEBUG)
# and to say so under -vvv. The connections that must stay libmariadb's
# (a refused handshake, ed25519 authentication, a URI option, foreign
# MYSQL_* variables, SQLITCH_MYSQL_WIRE=0) are checked to load it, say
# why, and print its messages.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/mysql.sh"
MY_SERVER_ARGS="--performance-schema=ON" mysql_start
export SQITCH_PASSWORD=$MY_PASS

FX=$TESTROOT/fx
my_fresh_db flipr
my_make_flipr "$FX" "$(my_uri flipr)"
(cd "$FX" && "$SQLITCH" deploy --to widgets >/dev/null 2>&1) || _my_bail "cannot deploy the fixture"
DIR=$FX

WIRE_ENV=SQLITCH_MYSQL_WIRE WIRE_LIB=libmariadb
. "$(dirname "$0")/../lib/wire.sh"

# ------------------------------------------------------- status and log
in_process "status" status
like "$OUT" "# Name: +widgets" "status: the state is read"
in_process "status --show-changes --show-tags" status --show-changes --show-tags
like "$OUT" "v1.0" "status --show-tags: the tags are read"
in_process "status --json" status --json
in_process "status --date-format" status --date-format rfc --project flipr
in_process "log" log
in_process "log --json" log --json
in_process "log -n --skip --reverse" log -n 2 --skip 1 --reverse
in_process "log --format oneline" log --format oneline --abbrev 7
in_process "log --format full" log --format full --date-format rfc
in_process "log --format of its own" log --format 'format:%H %n%t %e'
in_process "log with filters" log --event deploy --change 'w.*' --committer Marge --project flipr
in_process "log, no event matches" log --event revert
in_process "status, the target database missing" status "$(my_uri nosuchdb)"
SOCK_URI="db:mysql://$MY_USER@/flipr?mysql_socket=$MY_SOCK"
in_process "status over the unix socket" status "$SOCK_URI"
in_process "log over the unix socket" log "$SOCK_URI"
OTHER=$TESTROOT/other
cp -a "$FX" "$OTHER"
sed -i 's/^%project=flipr/%project=other/; s|^%uri=.*|%uri=https://example.com/other/|' "$OTHER/sqitch.plan"
DIR=$OTHER
in_process "status, a project never deployed" status
is "$RC" 1 "status, a project never deployed: exit 1"
DIR=$FX

# NO_BACKSLASH_ESCAPES: the server's status flag decides the quoting
my_sql "SET GLOBAL sql_mode = 'NO_BACKSLASH_ESCAPES'"
in_process "log, a backslash and a quote with NO_BACKSLASH_ESCAPES" log --change "x\\'y" --committer "o'\\"
my_sql "SET GLOBAL sql_mode = DEFAULT"
in_process "log, a backslash and a quote" log --change "x\\'y" --committer "o'\\"

# the bytes on the socket: every packet the same as libmariadb's, but
# the scramble (20 bytes from offset 44 of the handshake response:
# user "sqitch") and the _pid attribute
sent() { # sent ARGS... : what sqlitch ARGS writes to the server, as hex
    (cd "$DIR" && strace -f -qq -e trace=sendto -e signal=none -s 1000000 -xx \
        -o "$TESTROOT/strace" "$SQLITCH" "$@" >/dev/null 2>&1 </dev/null)
    grep -o 'sendto([0-9]*, "[^"]*"' "$TESTROOT/strace" | sed 's/.*"\(.*\)"/\1/' |
        sed -E '1s/^((\\x..){44})(\\x..){20}/\1<scramble>/; 1s/(\\x5f\\x70\\x69\\x64)\\x(..)(\\x3.)*/\1<pid>/'
}
for args in "status --show-changes --show-tags" "log -n 2 --event deploy --change u --reverse"; do
    a=$(SQLITCH_MYSQL_WIRE=0 sent $args) b=$(sent $args)
    ok "[ -n '$a' ] && [ '$a' = '$b' ]" "$args: the same bytes sent as libmariadb (handshake, queries, quit)"
    [ "$a" = "$b" ] || { diag "libmariadb: ${a:0:600}"; diag "in process: ${b:0:600}"; }
done

# ------------------------------------------ the session the server sees
# A write lock on the registry holds status's query; meanwhile the
# connection's attributes (performance_schema; the pid masked) and its
# processlist row are read. (MariaDB has no variables_by_thread: the
# session settings are the engine's SET, whose bytes are compared above,
# after the same handshake charset.)
session() {
    "${MY_ROOT[@]}" -N -B -e "LOCK TABLES sqitch.changes WRITE; SELECT SLEEP(1.5)" >/dev/null &
    local locker=$!
    sleep 0.5
    (cd "$DIR" && "$SQLITCH" status >/dev/null 2>&1 </dev/null) &
    local st=$!
    sleep 0.5
    my_sql "SELECT t.processlist_user, t.processlist_db, t.connection_type,
                   a.attr_name, IF(a.attr_name = '_pid', '<pid>', a.attr_value), a.ordinal_position
              FROM performance_schema.threads t
              JOIN performance_schema.session_connect_attrs a ON a.processlist_id = t.processlist_id
             WHERE t.processlist_user = '$MY_USER' ORDER BY a.ordinal_position;
            SELECT p.user, p.db, p.command, p.info
              FROM information_schema.processlist p
             WHERE p.user = '$MY_USER'"
    wait "$locker" "$st"
}
a=$(export SQLITCH_MYSQL_WIRE=0; session) b=$(session)
like "$a" "_client_name	libmariadb" "session: the attributes are seen"
like "$a" "FROM changes c" "session: the query is seen"
is "$b" "$a" "session: attributes and processlist the same as libmariadb's"

# ----------------------------------------- connections left to libmariadb
via_lib "the server refused the connection" "status, no registry" status --registry noreg
via_lib "the server refused the connection" "log, no registry" log --registry noreg
SQITCH_PASSWORD=wrong via_lib "the server refused the connection" "status, wrong password" status
SQITCH_PASSWORD=wrong compare "log, wrong password" log
like "$ERR" "Access denied for user 'sqitch'@'127.0.0.1'" "wrong password: libmariadb's message"
via_lib "an option beyond charset utf8" "status, a URI option" status "$(my_uri flipr)?mysql_connect_timeout=5"
LIBMYSQL_ENABLE_CLEARTEXT_PLUGIN=1 via_lib "\$LIBMYSQL_ENABLE_CLEARTEXT_PLUGIN is set" "status, a foreign variable" status
SQLITCH_MYSQL_WIRE=0 via_lib "SQLITCH_MYSQL_WIRE=0" "status, SQLITCH_MYSQL_WIRE=0" status
port_closed=$(_my_free_port)
via_lib "connect 127.0.0.1:$port_closed: Connection refused" "status, nothing listening" status "db:mysql://$MY_USER@127.0.0.1:$port_closed/flipr"

# ed25519: the server switches authentication; libmariadb carries on
if my_sql "INSTALL SONAME 'auth_ed25519'" 2>/dev/null || my_sql "SELECT 1 FROM information_schema.plugins WHERE plugin_name = 'ed25519'" | grep -q 1; then
    my_sql "CREATE USER edu@'127.0.0.1' IDENTIFIED VIA ed25519 USING PASSWORD('$MY_PASS'); GRANT ALL ON *.* TO edu@'127.0.0.1'"
    via_lib "the server switches authentication" "status, ed25519 user" status "db:mysql://edu@127.0.0.1:$MY_PORT/flipr"
    like "$OUT" "# Name: +widgets" "status, ed25519 user: libmariadb authenticates"
else
    ok true "ed25519 is not available on this server # SKIP"
fi

# other commands keep libmariadb
(cd "$DIR" && "$SQLITCH" -vvv plan >/dev/null 2>&1)
ROUTE=$(cd "$DIR" && "$SQLITCH" -vvv deploy 2>&1 </dev/null | sed -n 's/^trace: registry connection //p' | head -1)
is "$ROUTE" "" "deploy: no in-process client"

done_testing
