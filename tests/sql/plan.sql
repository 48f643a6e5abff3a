-- sqlitch_plan: the plan of the project in the current directory, one row
-- per change, and the same through a project directory or a plan file.
.load ./sqlitch
.mode line
SELECT * FROM sqlitch_plan WHERE position = 1;
.mode list
.headers on
SELECT position, name, tags, requires, conflicts, reworked FROM sqlitch_plan;
SELECT name, deploy_script, revert_script, verify_script
  FROM sqlitch_plan ORDER BY position;
SELECT name, script_hash FROM sqlitch_plan;
.headers off
-- reworked changes share a name
SELECT position, change_id FROM sqlitch_plan WHERE name = 'flips';
SELECT name FROM sqlitch_plan
 WHERE change_id = '094ef26caeab55c3ffe2106987d5edeeaab005e3';
SELECT name FROM sqlitch_plan WHERE name = 'nope';
SELECT count(*) FROM sqlitch_plan WHERE name = 'flips' AND position = 4;
SELECT count(*) FROM sqlitch_plan WHERE name = 'flips' AND position = 3;
SELECT rowid, name FROM sqlitch_plan WHERE rowid = 3;
-- constraints on name, change_id and position reach the table (idxNum
-- 2, 4, 8; the argument is 1)
EXPLAIN QUERY PLAN SELECT * FROM sqlitch_plan WHERE name = 'users';
EXPLAIN QUERY PLAN SELECT * FROM sqlitch_plan WHERE change_id = 'x';
EXPLAIN QUERY PLAN SELECT * FROM sqlitch_plan('.') WHERE position = 2;
EXPLAIN QUERY PLAN SELECT * FROM sqlitch_plan ORDER BY position;
-- the argument: a project directory, or a plan file
.shell mkdir -p sub
.shell ln -s ../deploy ../revert ../verify ../sqitch.plan ../sqitch.conf sub/
.shell mkdir -p elsewhere
SELECT count(*), min(deploy_script) FROM sqlitch_plan('sub');
SELECT count(*), min(deploy_script) FROM sqlitch_plan('sub/sqitch.plan');
SELECT count(*), path FROM sqlitch_plan WHERE path = 'sub';
-- the same project from another directory: paths are the project's
.cd elsewhere
SELECT name, deploy_script, script_hash IS NOT NULL FROM sqlitch_plan('..')
 WHERE name = 'users';
SELECT count(*) FROM sqlitch_plan;
.cd ..
-- a join uses the name index per outer row
CREATE TABLE wanted(name TEXT);
INSERT INTO wanted VALUES ('users'), ('flips'), ('nope');
SELECT w.name, p.position FROM wanted w JOIN sqlitch_plan p ON p.name = w.name
 ORDER BY 1, 2;
-- a plan edited between queries is read again
.shell printf 'widgets 2024-01-16T10:00:00Z Marge N. Overa <marge@example.com> # Widgets.\n' >> sqitch.plan
SELECT count(*), max(name) FROM sqlitch_plan;
-- the table reads files: not from views or triggers
CREATE VIEW plan_view AS SELECT name FROM sqlitch_plan;
SELECT * FROM plan_view;
