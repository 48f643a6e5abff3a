-- args: app.db
-- A database in WAL mode: the deploy commits on its own connection and
-- this one reads the new snapshot at its next statement.
.load ./sqlitch
PRAGMA journal_mode = WAL;
CREATE TABLE seen(n INTEGER);
SELECT sqlitch_deploy('users');
INSERT INTO users(nickname, password) VALUES ('homer', 'pw');
SELECT nickname FROM users;
SELECT sqlitch_deploy();
SELECT count(*) FROM sqlite_master WHERE name IN ('flips', 'userflips');
PRAGMA journal_mode;
SELECT sqlitch_revert('users');
SELECT count(*) FROM sqlite_master WHERE name IN ('flips', 'userflips');
SELECT name, status FROM sqlitch_status;
-- an explicit transaction stays refused in WAL mode too
BEGIN;
INSERT INTO seen VALUES (1);
SELECT sqlitch_deploy();
COMMIT;
SELECT count(*) FROM seen;
SELECT name, status FROM sqlitch_status;
