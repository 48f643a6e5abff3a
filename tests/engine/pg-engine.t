#!/usr/bin/env bash
# The pg engine beyond single commands: a change and its registry rows
# commit together (a failing registry insert, a failing COMMIT, a server
# that goes away mid-change leave neither), concurrent deploys by sqitch
# and sqlitch never apply a change twice, scripts start in a fresh
# session, statements that refuse a transaction block run, rows written
# inside a script's transaction ignore its SET LOCAL ROLE/search_path,
# and the psql path runs Sqitch's exact command line (argv compared with
# sqitch's through a logging --client wrapper).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/json.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"
. "$(dirname "$0")/../lib/pg.sh"
pg_start

FX=$TESTROOT/fx
make_flipr "$FX"
URI=$(pg_uri work)
pg_conf "$FX" "$URI"
run() { # run DIR PROG ARGS... -> OUT ERR RC
    local d=$1 p=$2; shift 2
    [ "$p" = sqlitch ] && p=$SQLITCH
    (cd "$d" && "$p" "$@" >"$TESTROOT/o" 2>"$TESTROOT/e" </dev/null)
    RC=$?; OUT=$(cat "$TESTROOT/o"); ERR=$(cat "$TESTROOT/e")
}
fresh() { rm -rf "$TESTROOT/p" && cp -a "$FX" "$TESTROOT/p" && pg_fresh_db work; }
q() { pg_sql work "$@"; }

# ------------------------------------------------------------ atomicity
fresh
run "$TESTROOT/p" sqlitch deploy --to flips
is "$RC" 0 "deploy to flips"
q "CREATE FUNCTION public.no_widgets() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN IF NEW.change = 'widgets' THEN RAISE EXCEPTION 'no widgets here'; END IF; RETURN NEW; END \$\$;
   CREATE TRIGGER no_widgets BEFORE INSERT ON sqitch.changes FOR EACH ROW EXECUTE FUNCTION public.no_widgets();" >/dev/null
run "$TESTROOT/p" sqlitch deploy --to widgets --mode change
is "$RC" 2 "registry insert fails: exit 2"
like "$ERR" "no widgets here" "the database error is shown"
is "$(q "SELECT count(*) FROM pg_tables WHERE tablename = 'widgets'")" 0 "the script's table was rolled back with the rows"
is "$(q "SELECT count(*) FROM sqitch.changes WHERE change = 'widgets'")" 0 "no changes row"
is "$(q "SELECT event FROM sqitch.events WHERE change = 'widgets'")" fail "a fail event"
q "DROP TRIGGER no_widgets ON sqitch.changes" >/dev/null
run "$TESTROOT/p" sqlitch deploy --to widgets
is "$RC" 0 "deploys once the registry accepts it"

# COMMIT itself fails (deferred constraint): neither script nor rows
printf 'BEGIN;\nCREATE TABLE hashtags (id INT PRIMARY KEY);\nCREATE TABLE ht_ref (h INT REFERENCES hashtags DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO ht_ref VALUES (1);\nCOMMIT;\n' > "$TESTROOT/p/deploy/hashtags.sql"
run "$TESTROOT/p" sqlitch deploy --to hashtags --mode change
is "$RC" 2 "failing COMMIT: exit 2"
like "$ERR" "psql:deploy/hashtags.sql:5: ERROR:  insert or update on table \"ht_ref\" violates foreign key constraint" "the COMMIT's error, at its line"
is "$(q "SELECT count(*) FROM pg_tables WHERE tablename IN ('hashtags', 'ht_ref')")" 0 "nothing of the script"
is "$(q "SELECT count(*) FROM sqitch.changes WHERE change = 'hashtags'")" 0 "no registry row"

# the server goes away in the middle of a change
fresh
printf 'BEGIN;\nCREATE TABLE users (id INT);\nSELECT pg_sleep(3);\nCOMMIT;\n' > "$TESTROOT/p/deploy/users@v2.0.sql"
( sleep 1.5; pg_sql postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'work'" >/dev/null ) &
killer=$!
run "$TESTROOT/p" sqlitch deploy --to flips
wait $killer
ok "[ $RC -ne 0 ]" "connections killed mid-change: non-zero exit ($RC)"
ok "! printf '%s' \"\$ERR\" | grep -q 'AddressSanitizer\|Segmentation\|Trace begun'" "a clean error, no crash"
like "$ERR" "connection to server was lost|terminating connection" "the lost connection is named"
is "$(q "SELECT count(*) FROM pg_tables WHERE tablename = 'users'")" 0 "the change's table is not there"
is "$(q "SELECT count(*) FROM sqitch.changes" 2>&1)" 0 "and not recorded"
printf 'BEGIN;\nCREATE TABLE users (id INT);\nCOMMIT;\n' > "$TESTROOT/p/deploy/users@v2.0.sql"
run "$TESTROOT/p" sqlitch deploy --to flips
is "$RC" 0 "the next deploy starts from a consistent registry"
is "$(q "SELECT string_agg(change, ',' ORDER BY committed_at) FROM sqitch.changes")" "users,flips" "both changes recorded once"

# ---------------------------------------------------------- concurrency
slow() { printf 'BEGIN;\nSELECT pg_sleep(2);\nCREATE TABLE users (id INT);\nCOMMIT;\n' > "$1/deploy/users@v2.0.sql"; }
for first in sqitch sqlitch; do
    second=sqlitch; [ $first = sqlitch ] && second=sqitch
    fresh
    rm -rf "$TESTROOT/p2" && cp -a "$TESTROOT/p" "$TESTROOT/p2"
    slow "$TESTROOT/p"; slow "$TESTROOT/p2"
    p1=$SQITCH_BIN; [ $first = sqlitch ] && p1=$SQLITCH
    (cd "$TESTROOT/p" && "$p1" deploy >"$TESTROOT/o1" 2>&1) &
    pid=$!
    for i in $(seq 1 100); do
        [ "$(pg_sql postgres "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 75474063 AND granted")" = 1 ] && break
        sleep 0.05
    done
    run "$TESTROOT/p2" $second deploy
    wait $pid
    rc1=$?
    is "$rc1/$RC" "0/0" "$first deploys, $second at the same time: both succeed"
    like "$OUT" "Blocked by another instance of Sqitch" "$second waited for $first"
    like "$OUT" "Nothing to deploy \\(up-to-date\\)" "$second found nothing left to do"
    is "$(q "SELECT count(*) FROM sqitch.events WHERE event = 'deploy'")" 6 "six deploy events, one per change"
done
fresh
slow "$TESTROOT/p"
rm -rf "$TESTROOT/p2" && cp -a "$TESTROOT/p" "$TESTROOT/p2"
(cd "$TESTROOT/p" && "$SQLITCH" deploy >"$TESTROOT/o1" 2>&1) & pid=$!
(cd "$TESTROOT/p2" && "$SQLITCH" deploy >"$TESTROOT/o2" 2>&1) & pid2=$!
wait $pid; r1=$?; wait $pid2; r2=$?
is "$r1/$r2" "0/0" "two sqlitch deploys at once both succeed"
[ "$r1/$r2" = 0/0 ] || diag "$(cat "$TESTROOT/o1"; echo ---; cat "$TESTROOT/o2")"
is "$(q "SELECT count(*) FROM sqitch.changes")/$(q "SELECT count(*) FROM sqitch.events")" "6/6" "each change deployed once"

# ----------------------------------------------------- fresh sessions
pg_parity_init "$FX" flipr
pg_conf "$(parity_dir_sqitch)" "$(pg_uri flipr)"
pg_conf "$(parity_dir_sqlitch)" "$(pg_uri flipr)"
pg_sql postgres "CREATE ROLE low_role NOLOGIN" >/dev/null
for db in flipr_a flipr_b; do pg_sql "$db" "GRANT CREATE ON SCHEMA public TO low_role" >/dev/null; done
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf "SET search_path = nowhere;\nCREATE TEMP TABLE tt (a int);\nPREPARE p AS SELECT 1;\nSET application_name = 'changed';\nSELECT pg_advisory_lock(42);\nCREATE TABLE public.users (id INT);\n" > "$d/deploy/users@v2.0.sql"
    printf "BEGIN;\nSELECT current_setting('search_path'), current_setting('application_name'), (SELECT count(*) FROM pg_tables WHERE tablename = 'tt'), (SELECT count(*) FROM pg_prepared_statements), (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 42 AND pid = pg_backend_pid());\nSET LOCAL ROLE low_role;\nSET LOCAL search_path = nowhere;\nCREATE TABLE public.flips (id INT);\nCOMMIT;\n" > "$d/deploy/flips.sql"
done
pg_parity "every script in a fresh session; SET LOCAL ROLE does not reach the registry" deploy --to flips
pg_parity_db "registry written by the login role"
pg_parity_sql "flips owned by the script's role" "SELECT tableowner FROM pg_tables WHERE tablename = 'flips'"

# statements that cannot run in a transaction block
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'CREATE TABLE widgets (id INT);\nCREATE INDEX CONCURRENTLY widgets_id ON widgets (id);\nVACUUM widgets;\n' > "$d/deploy/widgets.sql"
done
pg_parity "CREATE INDEX CONCURRENTLY and VACUUM" deploy --to widgets
pg_parity_sql "the index is valid" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'widgets_id'::regclass"

# ----------------------------------------------------- the psql path
cat > "$TESTROOT/psqlwrap" <<'SH'
#!/bin/sh
# logs how it runs change scripts (never the password), then runs psql
case "$*" in *deploy/*|*revert/*|*verify/*)
    { for a in "$@"; do printf '[%s]' "$a"; done; echo " PGPASSWORD=${PGPASSWORD:+set}"; } >> "$PSQLWRAP_LOG" ;;
esac
exec psql "$@"
SH
chmod +x "$TESTROOT/psqlwrap"
export PSQLWRAP_LOG=$TESTROOT/wrap.log
pg_parity_init "$FX" flipr
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    pg_conf "$d" "$(pg_tcp_uri flipr)?sslmode=disable&application_name=it%27s"
    printf '\\if true\nCREATE TABLE hashtags (id INT);\n\\endif\n' > "$d/deploy/hashtags.sql"
    printf '[deploy "variables"]\n\tzeta = last\n\talpha = it'"'"'s\n' >> "$d/sqitch.conf"
done
: > "$PSQLWRAP_LOG"
_pg_swap a in
(cd "$(parity_dir_sqitch)" && SQITCH_PASSWORD=$PG_PASS "$SQITCH_BIN" deploy --db-client "$TESTROOT/psqlwrap" >/dev/null 2>&1)
_pg_swap a out
A_LOG=$(grep 'deploy/hashtags.sql' "$PSQLWRAP_LOG")
: > "$PSQLWRAP_LOG"
_pg_swap b in
(cd "$(parity_dir_sqlitch)" && SQLITCH_PASSWORD=$PG_PASS "$SQLITCH" deploy --db-client "$TESTROOT/psqlwrap" >/dev/null 2>&1)
_pg_swap b out
B_LOG=$(cat "$PSQLWRAP_LOG")
ok "[ -n \"\$A_LOG\" ]" "sqitch ran the script through the wrapper"
is "$B_LOG" "$A_LOG" "the client runs with Sqitch's arguments and PGPASSWORD"
pg_parity_db "registry after the psql path"
ok "! grep -qF -- '$PG_PASS' '$PSQLWRAP_LOG'" "no password on the command line"

# ------------------------------------------------------------ --json on pg
# The same field names and value forms as on SQLite (docs/json.md): tags,
# requires and conflicts, which pg stores as arrays, come out as JSON lists,
# and timestamps as YYYY-MM-DDTHH:MM:SSZ.
fresh
run "$TESTROOT/p" sqlitch deploy --json --to widgets
is "$RC" 0 "deploy --json on pg: exit 0"
is "$(jl '[(l["change"], l["op"], l["ok"], l["tags"]) for l in L[:-1]]' <<<"$OUT")" \
   '[["users", "deploy", true, []], ["flips", "deploy", true, ["@v1.0", "@beta"]], ["widgets", "deploy", true, []]]' \
   "deploy --json on pg: a line per change, tags as a list"
is "$(jl '[L[-1][k] for k in ("event", "op", "changes", "failed", "exit")]' <<<"$OUT")" \
   '["summary", "deploy", 3, 0, 0]' "deploy --json on pg: the summary"
unlike "$OUT" "$PG_PASS" "deploy --json on pg: no password"
run "$TESTROOT/p" sqlitch status --json --show-tags
is "$RC" 0 "status --json on pg: exit 0"
is "$(jl 'L[0]["state"]["name"] + " " + " ".join(L[0]["undeployed"])' <<<"$OUT")" \
   "widgets hashtags users lists" "status --json on pg: state and undeployed"
is "$(jl 'sorted(t["name"] for t in L[0]["tags"])' <<<"$OUT")" '["@beta", "@v1.0"]' \
   "status --json on pg: deployed tags"
like "$(jl 'L[0]["state"]["deployed_at"]' <<<"$OUT")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
   "status --json on pg: registry timestamp in UTC, whole seconds"
run "$TESTROOT/p" sqlitch log --json --event deploy -n 1
is "$RC" 0 "log --json on pg: exit 0"
is "$(jl '[L[0][k] for k in ("event", "change", "requires", "conflicts", "planned_at")]' <<<"$OUT")" \
   '["deploy", "widgets", ["users", "flips@v1.0"], ["otherproj:gadgets"], "2024-01-15T10:03:00Z"]' \
   "log --json on pg: dependency arrays as lists"

done_testing
