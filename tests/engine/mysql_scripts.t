#!/usr/bin/env bash
# mysql_scripts.t -- deploy scripts that sqlitch runs in process give
# exactly what sqitch gets from the `mysql` client: the same stdout,
# stderr and exit code, and the very same statements reaching the server
# (compared through the server's general log, session by session). Each
# case deploys one change whose script is the case, once with sqitch and
# once with sqlitch, on a fresh database. Cases that must go through the
# client (client commands sqlitch does not emulate) are compared the same
# way: they prove the fallback keeps the result identical.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/mysql.sh"
mysql_start
export SQITCH_PASSWORD=$MY_PASS

PROJ=$TESTROOT/proj
mkdir -p "$PROJ"
cd "$PROJ" || exit 1
sqitch init flipr --engine mysql --target "$(my_uri dt)" >/dev/null
sqitch add c -n 'the case' >/dev/null
printf 'SELECT 1 FROM dual;\n' > verify/c.sql

# run_case TOOL ARGS... : deploy on a fresh "dt"; sets OUT ERR RC LOG
run_case() {
    local tool=$1; shift
    my_sql "DROP DATABASE IF EXISTS dt; DROP DATABASE IF EXISTS reg; CREATE DATABASE dt"
    my_log_on
    "$tool" --registry reg deploy "$@" >"$TESTROOT/o" 2>"$TESTROOT/e" </dev/null
    RC=$?
    my_log_off
    OUT=$(cat "$TESTROOT/o"); ERR=$(cat "$TESTROOT/e")
    LOG=$(my_log_statements dt)
}

# check NAME [ARGS...] : the case in deploy/c.sql, both tools compared
check() {
    local name=$1; shift
    [ -n "${ONLY:-}" ] && [[ $name != *$ONLY* ]] && return 0
    run_case sqitch "$@"; local aout=$OUT aerr=$ERR arc=$RC alog=$LOG
    run_case "$SQLITCH" "$@"
    is "$OUT" "$aout" "$name: stdout"
    is "$ERR" "$aerr" "$name: stderr"
    is "$RC" "$arc" "$name: exit code"
    is "$LOG" "$alog" "$name: statements sent"
}

case_file() { cat > deploy/c.sql; }

# ---------------------------------------------------------------- basics
case_file <<'SQL'
-- leading comment
SELECT 1 AS é;   # trailing
SELECT 'a;b' /* inline */ , "c\"d", `x` FROM (SELECT 1 AS x) t
  WHERE 1 -- comment
  ;
/*! SELECT 2 */;
/*M!100000 SELECT 3 */;
SELECT 4;SELECT 5;
SELECT 'tab	x', 'nl
y', 'bs\\z', NULL, x'00', 1.50, -0;
CREATE TABLE t1 (id INT PRIMARY KEY, v VARCHAR(20));
INSERT INTO t1 VALUES (1, 'one'), (2, NULL);
SELECT * FROM t1 ORDER BY id;
SELECT * FROM t1 WHERE id > 5;
SQL
check "comments, quotes, rows"

case_file <<'SQL'
DELIMITER //
CREATE PROCEDURE p1() BEGIN
  -- inner comment
  SELECT 5; # hash
  SELECT 'six', 6;
END//
DELIMITER ;
CALL p1();
DELIMITER $$
CREATE FUNCTION f1(x INT) RETURNS INT DETERMINISTIC
BEGIN
    RETURN x * 2; /* doubled */
END$$
DELIMITER ;
SELECT f1(21);
CREATE TABLE t2 (a INT);
DELIMITER |
CREATE TRIGGER tr BEFORE INSERT ON t2
FOR EACH ROW BEGIN
    SET NEW.a = NEW.a + 1;
END;
|
delimiter ;
INSERT INTO t2 VALUES (1);
SELECT a FROM t2;
SELECT routine_definition FROM information_schema.routines WHERE routine_schema = 'dt' ORDER BY routine_name;
SELECT action_statement FROM information_schema.triggers WHERE trigger_schema = 'dt';
SQL
check "DELIMITER, procedures, functions, triggers"

case_file <<'SQL'
select 1;

  -- c
select   2,
  /* x */ nosuch -- y
  from nowhere   ;
select 'never';
SQL
check "failing statement: block, line, file"

printf 'DELIMITER //\nselect 1; select nosuch from t; select 3//\n' | case_file
check "failing statement inside a multi-statement"

printf 'select 1;\n\\x\nselect 2;\n' | case_file
check "unknown client command"

printf 'select 1;\nuse nodb;\nselect 2;\n' | case_file
check "use of a missing database"

printf 'use mysql\nselect database();\nUSE `dt`;\nselect database();\n' | case_file
check "use"

printf 'select 1 as `a\\`;\nselect 2;\n' | case_file
check "backslash in backticks"

printf 'select 1 as a;\r\nselect /*+ hint */ 2 /* c */;\r\nselect 3 as `x\xc2\xa0`, 1\r\n, 2 as `a\r\nb`;\n' | case_file
check "CRLF, hints, multi-byte names"

printf 'select "\xf0\x9f\x98\x80" as e;\n' | case_file
check "4-byte character on a utf8mb3 connection"

printf -- 'select 5\n  \n;\nselect 6 -- x\n;\n--x\nselect 8;\nselect 7 --x\n;\n' | case_file
check "dash-dash comments"

printf -- 'select 10; delimiter //\nselect 11//\ndelimiter ;\nselect 12 /* a\nb */ , 13;\nselect 14/*c*/+1;\nselect "a#b", 15 # c\n;\nselect 16;   -- trailing\n  select 17 ;\n\\N;\nselect \\N;\nselect 18\\g\n' | case_file
check "DELIMITER after a statement on one line"

printf '\xef\xbb\xbfselect "bom";\nselect 19 \\g select 20;\nselect 21 \\c select 22;\nselect 23;\n' | case_file
check "BOM, \\g and \\c"

printf 'select 1;\nselect 2 \\q\nselect 3;\n' | case_file
check "quit"

printf 'select 1;\nexit\nselect 3;\n' | case_file
check "exit"

printf 'select 42' | case_file
check "no final delimiter, no newline"

: | case_file
check "empty script"

printf 'DELIMITER\nselect 1;\ndelimiter $$;\nselect 2$$;\n\\d ;\nselect 3;\n' | case_file
check "DELIMITER errors and odd delimiters"

printf "select 'it''s', \"q\"\"q\", 'x\\\\'' y';\nselect 'unterminated;\n" | case_file
check "quotes and an unterminated string"

# ------------------------------------------------------------ source
mkdir -p sub
printf 'select "in sub";\nDELIMITER //\nselect "sub2"//\n' > sub/a.sql
printf 'select "b1";\nselect nosuch from t;\n' > sub/b.sql
printf 'select 1;\nsource sub/a.sql\nselect 2//\ndelimiter ;\nsource   sub/a.sql   \n' | case_file
check "source (delimiter carries over)"

printf 'select 1;\nsource sub/b.sql\nselect 2;\n' | case_file
check "error in a sourced file"

printf 'select 1;\nsource sub/missing.sql\nselect 2;\n' | case_file
check "source of a missing file"

printf 'select 1;\nsource sub/a.sql;\n\\. sub/a.sql\nselect 3;\n' | case_file
check "source; and \\."

# ---------------------------------------------------------- variables
printf 'SELECT @foo, @q, @"weird""name";\n' | case_file
check "--set variables" -s foo=bar -s "q=it's \"x\"" -s 'weird"name=v'

# ---------------------------------------------- through the real client
printf 'select 1;\nprint\nselect 2;\n' | case_file
check "client command print (fallback)"

printf 'select 1\\G\nselect 2;\n' | case_file
check "\\G (fallback)"

printf "SET sql_mode = 'NO_BACKSLASH_ESCAPES';\nselect 'a\\\\';\nselect 3;\n" | case_file
check "sql_mode and backslashes (fallback)"

printf 'select 1;\nselect 2\0;\n' | case_file
check "NUL byte (fallback)"

printf 'select "x";\nselect 1;\n' | case_file
LC_ALL=C check "latin1 locale, ASCII script"
printf 'select "\xc3\xa9";\n' | case_file
LC_ALL=C check "latin1 locale, UTF-8 script (fallback)"

# ---------------------------------------------------------- verify output
printf 'CREATE TABLE v1 (a INT);\n' | case_file
printf 'SELECT "verified";\nSELECT COUNT(*) FROM v1;\n' > verify/c.sql
check "deploy --verify" --verify
printf 'SELECT nosuch FROM v1;\n' > verify/c.sql
printf 'DROP TABLE v1;\nSELECT "reverted";\n' > revert/c.sql
check "deploy --verify, verify fails" --verify

done_testing
