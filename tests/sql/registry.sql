-- args: app.db
-- The registry tables: changes, tags, events and status, for this
-- database (named after the configured target whose file it is, with that
-- target's registry) and for another target given as argument.
.shell printf "[target \\042dev\\042]\n\turi = db:sqlite:app.db\n\tregistry = meta\n[target \\042prod\\042]\n\turi = db:sqlite:prod.db\n" >> sqitch.conf
.load ./sqlitch
SELECT count(*) FROM sqlitch_changes;
SELECT count(*) FROM sqlitch_events;
SELECT name, status FROM sqlitch_status;
SELECT sqlitch_deploy();
.shell ls *.db
.mode line
-- (deployment times shown as their format)
SELECT change_id, change, project, note, script_hash,
       deployed_at GLOB '????-??-?? ??:??:??' AS deployed_at, committer_name,
       committer_email, planned_at, planner_name, planner_email, tags
  FROM sqlitch_changes WHERE change = 'users';
SELECT tag_id, tag, project, change_id, change,
       deployed_at GLOB '????-??-?? ??:??:??' AS deployed_at, committer_name,
       committer_email, planned_at, planner_name, planner_email
  FROM sqlitch_tags WHERE tag = '@v1.0';
SELECT event, change_id, change, project, note, requires, conflicts, tags,
       committed_at GLOB '????-??-?? ??:??:??' AS committed_at,
       committer_name, committer_email, planned_at, planner_name,
       planner_email
  FROM sqlitch_events WHERE change = 'userflips';
SELECT position, change_id, name, status, reworked, tags, script_hash,
       deployed_at GLOB '????-??-?? ??:??:??' AS deployed_at, committer_name,
       committer_email, planned_at, planner_name, planner_email, project
  FROM sqlitch_status WHERE position = 2;
.mode list
SELECT change, tags, script_hash FROM sqlitch_changes;
SELECT tag, project, change, change_id FROM sqlitch_tags;
-- the columns, exactly (hidden ones: target, path)
SELECT group_concat(name, ' ') FROM pragma_table_xinfo('sqlitch_changes');
SELECT group_concat(name, ' ') FROM pragma_table_xinfo('sqlitch_tags');
-- dependencies as the deploy events store them; tag notes
SELECT change, requires, conflicts FROM sqlitch_changes;
SELECT tag, note FROM sqlitch_tags;
SELECT count(*) FROM sqlitch_changes c JOIN sqlitch_plan p USING (change_id)
 WHERE c.script_hash = p.script_hash;
SELECT event, change, requires, conflicts, tags FROM sqlitch_events;
-- another target: its registry, not this database's
SELECT count(*) FROM sqlitch_changes('prod');
SELECT name, status FROM sqlitch_status('prod');
SELECT count(*), target FROM sqlitch_status WHERE target = 'dev';
.open prod.db
.load ./sqlitch
SELECT sqlitch_deploy('users');
SELECT change FROM sqlitch_changes;
SELECT change FROM sqlitch_changes('dev');
SELECT change FROM sqlitch_changes('db:sqlite:app.db');
.shell ls *.db
-- a change deployed but no longer planned
.shell sed -i '/^flips \[flips@v1.1\]/d' sqitch.plan
.open app.db
.load ./sqlitch
SELECT position, name, status, reworked FROM sqlitch_status;
-- a target that does not exist, and one of an engine this build lacks
SELECT * FROM sqlitch_changes('nope');
SELECT * FROM sqlitch_changes('db:oracle://scott@localhost/db');
