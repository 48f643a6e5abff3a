-- args: app.db
-- Migrations from SQL, as `sqlite3 app.db < migrate.sql` runs them: the
-- fixture's scripts carry their own BEGIN/COMMIT, and the database is a
-- file. The caller's connection sees each result at once.
.load ./sqlitch
CREATE TABLE app_settings(k TEXT PRIMARY KEY, v TEXT);
SELECT sqlitch_deploy('@v1.0');
SELECT type, name FROM sqlite_master ORDER BY name;
INSERT INTO users(nickname, password) VALUES ('marge', 'pw');
INSERT INTO flips(nickname, body) VALUES ('marge', 'hello');
SELECT change, project, note, committer_name, committer_email, tags,
       deployed_at IS NOT NULL
  FROM sqlitch_changes;
SELECT position, name, status FROM sqlitch_status;
WITH s(t) AS (SELECT sqlitch_status())
SELECT substr(t, 1, instr(t, '# Deployed:') - 1) || substr(t, instr(t, '# By:'))
  FROM s;
SELECT sqlitch_deploy();
SELECT sqlitch_deploy();
SELECT id, nickname, body FROM userflips;
SELECT sql FROM sqlite_master WHERE name = 'flips';
SELECT sqlitch_verify();
SELECT sqlitch_verify('users', 'userflips');
SELECT sqlitch_verify(NULL, '@v1.0');
SELECT sqlitch_revert('@v1.0');
SELECT position, name, status FROM sqlitch_status;
SELECT count(*) FROM flips;
SELECT sqlitch_revert();
SELECT type, name FROM sqlite_master ORDER BY name;
SELECT event, change, tags FROM sqlitch_events;
SELECT sqlitch_revert();
SELECT sqlitch_deploy('flips@v1.0');
-- the registry is Sqitch's, beside the database
.shell ls *.db
