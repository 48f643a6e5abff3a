#!/bin/sh
# demo.sh -- the README's first command (`make demo`) runs this: a complete
# sqlitch session on an embedded SQLite database, in a fresh temp directory.
#
#   sh docs/demo.sh [path/to/sqlitch]
set -e
SQLITCH=${1:-./sqlitch}
case $SQLITCH in /*) ;; *) SQLITCH=$(pwd)/$SQLITCH ;; esac
DIR=$(mktemp -d "${TMPDIR:-/tmp}/sqlitch-demo.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
cd "$DIR"
export SQITCH_FULLNAME="${SQITCH_FULLNAME:-Demo User}" SQITCH_EMAIL="${SQITCH_EMAIL:-demo@example.com}"
export SQITCH_USER_CONFIG=/dev/null SQITCH_PAGER=cat

run() { printf '\n$ sqlitch %s\n' "$*"; "$SQLITCH" "$@"; }

echo "# sqlitch demo in $DIR"
run init flipr --engine sqlite --target db:sqlite:flipr.db
run add users -n 'Creates table to track our users.'
cat > deploy/users.sql <<'SQL'
-- Deploy flipr:users to sqlite
BEGIN;
CREATE TABLE users (
    nickname  TEXT PRIMARY KEY,
    password  TEXT NOT NULL,
    timestamp DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
COMMIT;
SQL
printf 'BEGIN;\nDROP TABLE users;\nCOMMIT;\n' > revert/users.sql
printf 'BEGIN;\nSELECT nickname, password, timestamp FROM users WHERE 0;\nROLLBACK;\n' > verify/users.sql
run add flips --requires users -n 'Adds table for storing flips.'
cat > deploy/flips.sql <<'SQL'
BEGIN;
CREATE TABLE flips (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    nickname  TEXT NOT NULL REFERENCES users(nickname),
    body      TEXT NOT NULL DEFAULT '' CHECK (length(body) <= 180),
    timestamp DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
COMMIT;
SQL
printf 'BEGIN;\nDROP TABLE flips;\nCOMMIT;\n' > revert/flips.sql
printf 'BEGIN;\nSELECT id, nickname, body, timestamp FROM flips WHERE 0;\nROLLBACK;\n' > verify/flips.sql
run tag v1.0 -n 'Tag v1.0.'
run deploy --verify
run status
run log --oneline
run revert -y --to @HEAD^
run status
run deploy
run verify
echo
echo "# the application database now holds:"
sqlite3 flipr.db .tables
