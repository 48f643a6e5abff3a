#!/usr/bin/env bash
# psql in process (core/engine_pg_psql.c) against the real psql that
# sqitch runs: a corpus of scripts covering psql's lexer (quotes, dollar
# quotes, comments, parentheses, CREATE FUNCTION ... BEGIN ATOMIC bodies,
# blank lines, a statement left at the end of the file, BOM, CRLF),
# variable substitution (:v, :'v', :"v", :{?v}, re-lexed values,
# recursion), meta-commands (\echo -n, \qecho, \warn, \set, \unset, \i,
# \ir, errors and warnings), output (rows, NULLs, multi-line cells,
# several results), notices and errors with DETAIL/HINT/CONTEXT, and
# scripts that must go to the real psql (\if, \copy, COPY FROM STDIN,
# psql's own variables). Each script is the verify script of one change;
# `verify -vv` runs them all and shows their output, so stdout, stderr
# and the exit code must be sqitch's byte for byte. Most statements
# print current_query(): the exact text the server received.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/pg.sh"
pg_start

P=$TESTROOT/proj
mkdir -p "$P/deploy" "$P/revert" "$P/verify/sub" "$P/inc"
pg_conf "$P" "$(pg_uri corpus)"
printf '[deploy "variables"]\n\tv = val\n\tsemi = 1; select current_query()\n\tq = it'"'"'s "q" \\\\ x\n\trec = :rec\n\tnum = 42\n' >> "$P/sqitch.conf"
n=0
plan=$'%syntax-version=1.0.0\n%project=corpus\n\n'
# case NAME < script
case_() {
    n=$((n + 1))
    local name
    name=$(printf 'c%02d_%s' "$n" "$1")
    plan+="$name 2024-01-15T10:00:00Z Tester <t@example.com> # $1"$'\n'
    cat > "$P/verify/$name.sql"
    printf 'SELECT %s;\n' "'$name'" > "$P/deploy/$name.sql"
    printf 'SELECT %s;\n' "'$name'" > "$P/revert/$name.sql"
}

case_ comments <<'SQL'
-- a leading comment is not sent

  -- nor is this one
SELECT current_query(); -- trailing
SELECT 1 -- kept inside
, /* block /* nested */ still */ current_query()
;
/* a block comment starts the next one */ SELECT current_query();
SQL

case_ blank_lines <<'SQL'
SELECT

  current_query(),

  'text


spans lines'
;
SQL

case_ several_per_line <<'SQL'
SELECT 1, current_query(); SELECT 2, current_query();SELECT 3;
select	current_query ( )	;
SQL

case_ quotes <<'SQL'
SELECT 'it''s;', E'a\'b;c', $$ ; $$, $tag$ $x$ ; $tag$, "quoted;ident".x FROM (SELECT 1 AS x) AS "quoted;ident";
SELECT U&'\0041', B'101', X'1F', n'nat', current_query();
SELECT 'a'
'b', current_query();
SELECT $1abc$;
SQL

case_ parentheses <<'SQL'
SELECT (1
;
2), current_query();
SELECT ARRAY[1,2,3][1:2], 1::text, current_query();
SQL

case_ eof_statement <<'SQL'
SELECT 'no semicolon at the end', current_query()
SQL

case_ variables <<'SQL'
SELECT :'v', :"v", :{?v}, :{?nope}, :nope, :'nope', :"nope", :num + 1;
SELECT :'q', :"q", current_query();
SELECT ':v', ":v", $$ :v $$, current_query(); -- :v in a comment
SELECT 1 :: int, :num::text;
SELECT :semi;
SELECT :rec;
SQL

case_ meta_echo <<'SQL'
\echo plain words   spaced
\echo 'quoted ''one''' "double quoted" 'tab\there' 'nl\nhere' '\x41\101'
\echo -n no newline
\echo :v :'v' :"v" :nope :{?v}
\echo '-n'
\qecho to the query output
\warn to stderr
\echo a \\ SELECT current_query();
SQL

case_ meta_set <<'SQL'
\set x 1 2 '3 4'
\set empty
SELECT :'x', :'empty', current_query();
\set y :x
\unset x
SELECT :'x', :'y';
\set z 'a;b' \\ \echo :z
\unset y extra
\echo after
SQL

case_ set_invalid <<'SQL'
SELECT 'before';
\set bad-name 1
SELECT 'not reached';
SQL

case_ include <<'SQL'
SELECT 'outer', current_query();
\i inc/one.sql
\ir sub/two.sql
SELECT 'back in outer', current_query();
SQL
printf "SELECT 'in one', current_query();\n\\\\echo one done\n" > "$P/inc/one.sql"
printf "SELECT 'in two';\n\\\\ir ../../inc/three.sql\nSELECT 'two: ' || current_query()\n" > "$P/verify/sub/two.sql"
printf "SELECT 'in three';\nSELECT broken FROM nowhere;\n" > "$P/inc/three.sql"

case_ include_missing <<'SQL'
SELECT 'first';
\i inc/no-such-file.sql
SELECT 'not reached';
SQL

case_ begin_atomic <<'SQL'
CREATE FUNCTION pg_temp.f(i int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN i > 0 THEN 1 ELSE 0 END;
  SELECT i + 1;
END;
SELECT pg_temp.f(1), current_query();
CREATE OR REPLACE PROCEDURE pg_temp.p() LANGUAGE sql BEGIN ATOMIC SELECT 1; END;
DO $$ BEGIN RAISE NOTICE 'inside %', 'do'; END $$;
SQL

case_ notices <<'SQL'
DO $$ BEGIN RAISE NOTICE 'a notice'; RAISE WARNING 'a warning' USING DETAIL = 'some detail', HINT = 'a hint'; END $$;
SELECT 1;
BEGIN;
BEGIN;
COMMIT;
COMMIT;
SQL

case_ error_context <<'SQL'
CREATE FUNCTION pg_temp.boom() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'boom %', 1 USING DETAIL = 'd', HINT = 'h';
END $$;
SELECT pg_temp.boom();
SQL

case_ error_position <<'SQL'
SELECT 1,
       2,
       nope
  FROM generate_series(1, 2);
SQL

case_ output <<'SQL'
SELECT NULL, '', 'x|y', E'two\nlines', true, 1.50::numeric, '{1,2}'::int[];
SELECT;
SELECT FROM generate_series(1, 3);
SELECT g, g * 2 FROM generate_series(1, 3) g;
SELECT 1 \; SELECT 2, current_query();
SELECT 1 WHERE false;
SQL

case_ transaction <<'SQL'
BEGIN;
CREATE TEMP TABLE t (a int);
INSERT INTO t VALUES (1), (2) RETURNING a, current_query();
SELECT count(*) FROM t;
ROLLBACK;
SQL

case_ error_in_transaction <<'SQL'
BEGIN;
SELECT 1/0;
SELECT 'not reached';
COMMIT;
SQL

case_ unterminated <<'SQL'
SELECT 'never closed;
SELECT 2;
SQL

case_ unterminated_comment <<'SQL'
SELECT 1; /* open
SQL

printf '\xef\xbb\xbfSELECT current_query();\n' > "$TESTROOT/bom"
case_ bom < "$TESTROOT/bom"
printf 'SELECT 1,\r\n current_query();\r\nSELECT $$a\r\nb$$;\r\n' > "$TESTROOT/crlf"
case_ crlf < "$TESTROOT/crlf"
printf 'SELECT 1;\n\f\nSELECT\tcurrent_query()\f;\n' > "$TESTROOT/ff"
case_ formfeed < "$TESTROOT/ff"
case_ empty < /dev/null
case_ only_comments <<'SQL'
-- nothing

/* nothing either */
SQL

case_ unicode <<'SQL'
SELECT 'é€😀' AS "ünï", length('é€😀'), current_query();
SQL

# Scripts only psql can run (they go to the client, which must give the
# same result).
case_ client_if <<'SQL'
\if :{?v}
SELECT 'v is set';
\else
SELECT 'v is not set';
\endif
SQL

case_ client_copy <<'SQL'
CREATE TEMP TABLE c (a int, b text);
COPY c FROM STDIN;
1	one
2	two
\.
SELECT * FROM c ORDER BY a;
COPY c TO STDOUT;
SQL

case_ client_special_var <<'SQL'
SELECT :'DBNAME', :'USER';
\set ON_ERROR_STOP 0
SELECT 1/0;
SELECT 'continued';
SQL

case_ client_gset <<'SQL'
SELECT 42 AS answer \gset
\echo :answer
SQL

printf '%s' "$plan" > "$P/sqitch.plan"

DATES='s/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:]\{8\} [+-][0-9]\{4\}/DATE/g'
pg_parity_init "$P" corpus
pg_parity "deploy --log-only" deploy --log-only
[ -n "${PG_PSQL_SHOW:-}" ] && { printf "%s\n" "$B_OUT" "$B_ERR" | sed "s/^/# /"; }
pg_parity "verify -vv (the corpus)" -vv verify
[ -n "${PG_PSQL_SHOW:-}" ] && { printf '%s\n' "$B_OUT" "$B_ERR" | sed 's/^/# /'; }
pg_parity "verify quiet (rows hidden)" verify
pg_parity "verify with --set" -vv verify --set v=other --set 'num=7'
[ -n "${PG_PSQL_SHOW:-}" ] && { printf "%s\n" "rc=$B_RC" "$B_OUT" "$B_ERR" | sed "s/^/# /"; }

# The same scripts as deploy scripts: output and failures as with psql.
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    for f in "$d"/verify/*.sql; do cp "$f" "$d/deploy/${f##*/}"; done
done
rm -rf "$TESTROOT/p2" && cp -a "$(parity_dir_sqitch)" "$TESTROOT/p2"
pg_parity_init "$TESTROOT/p2" corpus
# Deploy until done; a failing change is compared, then replaced by a
# harmless script in both projects so that the next run moves on.
for round in $(seq 1 $((n + 1))); do
    pg_parity "deploy the corpus (run $round)" deploy --mode change
    [ -n "${PG_PSQL_SHOW:-}" ] && { printf "%s\n" "rc=$A_RC" "$A_OUT" "$A_ERR" | sed "s/^/# /"; }
    [ "$A_RC" = 0 ] && break
    failed=$(printf '%s\n' "$A_OUT" | sed -n 's/^  + \([^ ]*\) .*/\1/p' | tail -1)
    [ -n "$failed" ] || break
    for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
        printf 'SELECT %s;\n' "'$failed'" > "$d/deploy/$failed.sql"
    done
done
is "$A_RC" 0 "the corpus deploys in the end"
pg_parity_db "registry after the corpus"

done_testing
