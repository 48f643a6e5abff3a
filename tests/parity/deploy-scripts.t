#!/usr/bin/env bash
# Parity: how deploy/revert/verify scripts run on SQLite. sqitch runs each
# through `sqlite3 -noheader -bail -batch -csv`; sqlitch runs them in
# process and must behave the same: result rows printed as CSV (quoting,
# NULLs, blobs, reals), several statements per line and statements over
# several lines, comments and '#' lines, "go" / "/" terminators, a last
# statement without ';', a transaction left open (rolled back), errors at
# the right line (parse errors with the caret context, runtime errors with
# their code), BEGIN/COMMIT/ROLLBACK semantics, CRLF line ends; scripts
# with dot-commands, shell-only functions or EXPLAIN go through the client.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

PARITY_TIME=+0
SCRIPTERR='s#^[a-z@A-Z0-9_./-]*\.sql: ##; /unexpectedly returned exit value/d; /^$/d'
step() { parity "$@"; parity_db "$1: registry" sqitch.db; }
db_same() {
    is "$(sqlite3 "$(parity_dir_sqlitch)/flipr.db" .dump)" \
       "$(sqlite3 "$(parity_dir_sqitch)/flipr.db" .dump)" "$1: target database"
}

P=$TESTROOT/p
make_simple "$P" 1
# script NAME BODY: one change c1 whose deploy script is BODY
script() {
    parity_init "$P"
    local d
    for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
        printf '%b' "$2" > "$d/deploy/c1.sql"
    done
    PARITY_FILTER=$SCRIPTERR step "$1" deploy
    db_same "$1"
}

script "rows as CSV" \
  "SELECT 'a b', 'it''s', 'plain', '', NULL, 1.5, 2, x'41', 'x,y', 'q\"q', char(9), 'é';\nSELECT 1 UNION ALL SELECT 2;\nCREATE TABLE t1(x);"
script "several statements on a line" \
  "CREATE TABLE t1(x); INSERT INTO t1 VALUES(1); SELECT x FROM t1;\nSELECT\n  count(*)\nFROM t1;"
script "comments and hash lines" \
  "-- leading comment\n/* block\n comment */\n# a hash line\nCREATE TABLE t1(x); -- trailing\n  /* x */ SELECT 7;"
script "go terminator" "CREATE TABLE t1(x)\ngo\nSELECT 8\n/\n"
script "last statement without semicolon" "CREATE TABLE t1(x);\nSELECT 9"
script "transaction left open" "BEGIN;\nCREATE TABLE t1(x);\n"
script "two transactions" "BEGIN;\nCREATE TABLE t1(x);\nCOMMIT;\nBEGIN;\nCREATE TABLE t2(x);\nCOMMIT;\n"
script "rollback in script" "BEGIN;\nCREATE TABLE t1(x);\nROLLBACK;\nCREATE TABLE t2(x);\n"
script "savepoints" "BEGIN;\nCREATE TABLE t1(x);\nSAVEPOINT s;\nINSERT INTO t1 VALUES(1);\nROLLBACK TO s;\nRELEASE s;\nCOMMIT;\n"
script "CRLF line ends" "BEGIN;\r\nCREATE TABLE t1(x);\r\nINSERT INTO t1 VALUES('a\r\nb');\r\nCOMMIT;\r\n"
script "parse error with caret" "CREATE TABLE t1(x);\nSELEC 1;\n"
script "parse error far in a long line" \
  "CREATE TABLE t1(a);\nINSERT INTO t1 VALUES (1), (2), (3) ,(4), (5), (6), (7), (8) , (9), (10) ,, (11);\n"
script "parse error in a multi-line statement" "SELECT 1 FROM\n  t1 wher x;\n"
script "runtime error with code" \
  "BEGIN;\nCREATE TABLE t1(x CHECK (x > 0));\nINSERT INTO t1 VALUES (1);\nINSERT INTO t1\n VALUES (-1);\nCOMMIT;\n"
script "runtime error without code" "SELECT abs(-9223372036854775808);\n"
script "error after rows" "SELECT 1; SELECT * FROM nonesuch;\n"
script "incomplete statement at the end" "CREATE TABLE t1(x);\nSELECT (1"
script "a hash not at the start" "CREATE TABLE t1(x);\n  # not a comment\n"
script "foreign keys off as in the shell" \
  "CREATE TABLE p(id PRIMARY KEY);\nCREATE TABLE c(p REFERENCES p(id));\nINSERT INTO c VALUES (42);\n"
# through the client
script "dot-command" ".bail on\nCREATE TABLE t1(x);\n.print hello\nSELECT 3;\n"
script "dot-command .read" ".read deploy/inc.sql\nCREATE TABLE t2(x);\n" 2>/dev/null
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'CREATE TABLE inc(x);\nSELECT 11;\n' > "$d/deploy/inc.sql"
done
PARITY_FILTER=$SCRIPTERR step "dot-command .read (with the file)" deploy
db_same "dot-command .read (with the file)"
script "shell-only function" "CREATE TABLE t1 AS SELECT value FROM generate_series(1, 3);\nSELECT sum(value) FROM t1;\n"
script "REGEXP operator" "SELECT 'abc' REGEXP 'b';\nCREATE TABLE t1(x);\n"
script "shell function error" "SELECT readfile('nonesuch');\nSELECT nonesuch();\n"

# pragmas a script sets do not leak into the next script
parity_init "$TESTROOT/p3" 2>/dev/null || true
P3=$TESTROOT/p3
make_simple "$P3" 2
parity_init "$P3"
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'PRAGMA foreign_keys = ON;\nCREATE TABLE p(id PRIMARY KEY);\nCREATE TEMP TABLE tmp(x);\n' > "$d/deploy/c1.sql"
    printf 'CREATE TABLE c(p REFERENCES p(id));\nINSERT INTO c VALUES (42);\nCREATE TEMP TABLE tmp(y);\nSELECT count(*) FROM pragma_foreign_keys WHERE foreign_keys;\n' > "$d/deploy/c2.sql"
done
step "connection state reset between scripts" deploy
db_same "connection state reset between scripts"

# verify scripts print rows only at -vv; revert scripts always
parity_init "$P"
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf "SELECT 'from verify';\n" > "$d/verify/c1.sql"
    printf "DROP TABLE t1;\nSELECT 'from revert';\n" > "$d/revert/c1.sql"
done
step "deploy for verify" deploy
parity "verify quiet rows" verify
parity "verify -vv rows" -vv verify
step "revert prints rows" revert -y

# ~/.sqliterc: every script through the client, as sqitch
parity_init "$P"
printf '.headers on\n.mode list\n' > "$HOME/.sqliterc"
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf "CREATE TABLE t1(x);\nSELECT 1 AS one, 2 AS two;\n" > "$d/deploy/c1.sql"
done
step "with ~/.sqliterc" deploy
rm -f "$HOME/.sqliterc"

done_testing
