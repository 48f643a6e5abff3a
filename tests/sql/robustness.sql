-- args: app.db
-- Odd arguments never crash the host: NULLs count as absent, other types
-- are read as text, and a table argument may come from another table.
.load ./sqlitch
SELECT count(*) FROM sqlitch_plan(NULL);
SELECT count(*) FROM sqlitch_plan('');
SELECT count(*) FROM sqlitch_plan(42);
SELECT count(*) FROM sqlitch_plan(x'00');
SELECT count(*) FROM sqlitch_plan(x'6e6f7065');
SELECT count(*) FROM sqlitch_plan WHERE name = NULL;
SELECT count(*) FROM sqlitch_plan WHERE change_id = 42;
SELECT count(*) FROM sqlitch_plan WHERE position = -1;
SELECT count(*) FROM sqlitch_plan WHERE position = 99;
SELECT count(*) FROM sqlitch_plan WHERE position = 'x';
SELECT count(*) FROM sqlitch_plan WHERE name IN ('users', 'flips') AND position > 1;
SELECT count(*) FROM sqlitch_changes(NULL, NULL);
SELECT count(*) FROM sqlitch_status(NULL, '.');
SELECT count(*) FROM sqlitch_events('');
-- the argument from another table, per row
CREATE TABLE dirs(dir TEXT);
INSERT INTO dirs VALUES ('.'), ('sqitch.plan');
SELECT d.dir, count(*) FROM dirs d, sqlitch_plan(d.dir) p GROUP BY d.dir ORDER BY 1;
SELECT d.dir, p.name FROM dirs d JOIN sqlitch_plan p ON p.path = d.dir
 WHERE p.position = 1 ORDER BY 1;
-- a cursor kept open while the plan changes under it
SELECT p1.position, (SELECT count(*) FROM sqlitch_plan) FROM sqlitch_plan p1
 WHERE p1.position <= 2;
-- NULL, numbers and blobs for the functions
SELECT sqlitch_verify(NULL, NULL);
SELECT sqlitch_deploy(x'75736572');
SELECT sqlitch_revert(1);
SELECT sqlitch_deploy(NULL);
SELECT sqlitch_project(NULL) = sqlitch_project();
SELECT sqlitch_project(3.5);
SELECT sqlitch_revert();
