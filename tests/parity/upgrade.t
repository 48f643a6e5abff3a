#!/usr/bin/env bash
# Parity: registry upgrades on SQLite against the real sqitch -- `upgrade`
# on a current, a 1.0 and a pre-1.0 registry (no releases table, no
# script_hash column), deploy upgrading automatically (and updating the
# pre-1.0 script hashes), revert/verify refusing an old registry, and a
# registry newer than this release. Registry rows and schema compared.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

PARITY_TIME=+0
step() { parity "$@"; parity_db "$1: registry" sqitch.db; }
both() { local d; for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do (cd "$d" && eval "$1"); done; }

FX=$TESTROOT/fx
make_flipr "$FX"
# A deployed project whose registry sqitch wrote (release 1.1).
(cd "$FX" && TZ=UTC "$SQITCH_BIN" deploy --to hashtags >/dev/null 2>&1)
ok "[ -f '$FX/sqitch.db' ]" "fixture registry written by sqitch"

# Turn a 1.1 registry into a 1.0 one: script_hash UNIQUE on its own.
TO_10=$(cat <<'SQL'
BEGIN;
CREATE TABLE old_changes (
    change_id       TEXT        PRIMARY KEY,
    script_hash     TEXT            NULL UNIQUE,
    change          TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES projects(project) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    committed_at    DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      DATETIME    NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL
);
INSERT INTO old_changes SELECT * FROM changes;
DROP TABLE changes;
ALTER TABLE old_changes RENAME TO changes;
DELETE FROM releases;
INSERT INTO releases VALUES (1.0, '2020-01-01 00:00:00', 'Old', 'old@example.com');
COMMIT;
SQL
)
# ... and into a pre-1.0 one: no releases, no script_hash, no "merge".
TO_09=$(cat <<'SQL'
BEGIN;
CREATE TABLE old_changes (
    change_id       TEXT        PRIMARY KEY,
    change          TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES projects(project) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    committed_at    DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      DATETIME    NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL
);
INSERT INTO old_changes SELECT change_id, change, project, note, committed_at,
       committer_name, committer_email, planned_at, planner_name, planner_email
  FROM changes;
DROP TABLE changes;
ALTER TABLE old_changes RENAME TO changes;
CREATE TABLE old_events (
    event           TEXT        NOT NULL CHECK (event IN ('deploy', 'revert', 'fail')),
    change_id       TEXT        NOT NULL,
    change          TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES projects(project) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    requires        TEXT        NOT NULL DEFAULT '',
    conflicts       TEXT        NOT NULL DEFAULT '',
    tags            TEXT        NOT NULL DEFAULT '',
    committed_at    DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      DATETIME    NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    PRIMARY KEY (change_id, committed_at)
);
INSERT INTO old_events SELECT * FROM events;
DROP TABLE events;
ALTER TABLE old_events RENAME TO events;
DROP TABLE releases;
COMMIT;
SQL
)

parity_init "$FX"
step "upgrade current" upgrade
step "upgrade -t" upgrade -t db:sqlite:flipr.db

for v in 10 09; do
    parity_init "$FX"
    eval "sql=\$TO_$v"
    both "sqlite3 sqitch.db \"\$sql\""
    ok "[ \"\$(sqlite3 '$(parity_dir_sqlitch)/sqitch.db' 'SELECT count(*) FROM changes')\" = 4 ]" \
        "registry made old ($v)"
    step "revert refuses old registry ($v)" revert -y
    step "verify refuses old registry ($v)" verify
    step "upgrade from old registry ($v)" upgrade
    step "upgrade again ($v)" upgrade
    step "deploy after upgrade ($v)" deploy

    parity_init "$FX"
    both "sqlite3 sqitch.db \"\$sql\""
    step "deploy upgrades automatically ($v)" deploy
    step "revert after automatic upgrade ($v)" revert -y --to flips
done

parity_init "$FX"
both "sqlite3 sqitch.db 'INSERT INTO releases VALUES (1.2, 0, 1, 2)'"
# sqitch follows this message with a Perl stack trace; sqlitch does not.
PARITY_STDERR_FIRSTLINE=1 step "registry from the future: deploy" deploy
step "registry from the future: revert" revert -y
PARITY_STDERR_FIRSTLINE=1 step "registry from the future: upgrade" upgrade

done_testing
