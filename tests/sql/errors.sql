-- args: app.db
-- Bad input: each call fails with a clear message and leaves the database
-- and its registry as they were.
.load ./sqlitch
CREATE TABLE mine(x);
-- inside a transaction, or while a statement reads the database
BEGIN;
SELECT sqlitch_deploy();
SELECT sqlitch_revert();
ROLLBACK;
SELECT sqlitch_deploy() FROM mine;
INSERT INTO mine VALUES (1);
SELECT sqlitch_deploy() FROM mine;
-- bad `to`
SELECT sqlitch_deploy('nope');
SELECT sqlitch_deploy('@nope');
SELECT sqlitch_deploy('flips');
SELECT sqlitch_revert('nope');
SELECT sqlitch_verify('nope');
-- wrong number of arguments
SELECT sqlitch_deploy('a', 'b', 'c');
-- two changes and no target: warned as `sqlitch deploy a b` is, then the
-- first is looked up
SELECT sqlitch_deploy('a', 'b');
-- a target that does not resolve: the CLI's error
SELECT sqlitch_deploy('db:nosuch:x');
-- a SQLite target that is this very file keeps every check
BEGIN;
SELECT sqlitch_deploy('db:sqlite:app.db');
ROLLBACK;
-- nothing happened
.shell ls *.db
SELECT name FROM sqlite_master ORDER BY 1;
-- now deploy, then break things
SELECT sqlitch_deploy('@v1.0');
SELECT sqlitch_deploy('users');
SELECT sqlitch_revert('userflips');
-- a script that fails half-way: the change is rolled back, the run too
.shell printf "broken 2024-01-16T10:00:00Z Marge N. Overa <marge@example.com> # Fails.\n" >> sqitch.plan
.shell printf "BEGIN;\nCREATE TABLE half(x);\nINSERT INTO nope VALUES (1);\nCOMMIT;\n" > deploy/broken.sql
.shell printf "DROP TABLE half;\n" > revert/broken.sql
SELECT sqlitch_deploy();
SELECT name FROM sqlite_master ORDER BY 1;
SELECT name, status FROM sqlitch_status;
SELECT event, change FROM sqlitch_events;
-- a malformed plan
.shell cp sqitch.plan good.plan
.shell printf "not a valid line\n" >> sqitch.plan
SELECT sqlitch_deploy();
SELECT sqlitch_revert();
SELECT count(*) FROM sqlitch_plan;
SELECT count(*) FROM sqlitch_status;
.shell mv good.plan sqitch.plan
-- a missing plan file and a missing deploy script
.shell mv sqitch.plan gone.plan
SELECT sqlitch_deploy();
.shell mv gone.plan sqitch.plan
.shell mv deploy/userflips.sql deploy/userflips.gone
SELECT sqlitch_deploy();
.shell mv deploy/userflips.gone deploy/userflips.sql
SELECT name, status FROM sqlitch_status;
-- read-only connections
.open --readonly app.db
.load ./sqlitch
SELECT sqlitch_deploy();
SELECT sqlitch_revert();
SELECT count(*) FROM sqlitch_changes;
.open app.db
.load ./sqlitch
PRAGMA query_only = 1;
SELECT sqlitch_deploy();
PRAGMA query_only = 0;
-- in memory or temporary: nothing to reopen
.open :memory:
.load ./sqlitch
SELECT sqlitch_deploy();
SELECT sqlitch_status();
SELECT count(*) FROM sqlitch_changes;
.open ""
.load ./sqlitch
SELECT sqlitch_revert();
-- still exactly as before
.open app.db
SELECT name FROM sqlite_master ORDER BY 1;
.load ./sqlitch
SELECT name, status FROM sqlitch_status;
