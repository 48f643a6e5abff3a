-- project: none
-- args: app.db
-- No project here: the functions and the plan and status tables say so as
-- the CLI does; the registry tables work without one (empty here).
.load ./sqlitch
SELECT sqlitch_deploy();
SELECT sqlitch_revert();
SELECT sqlitch_verify();
SELECT sqlitch_status();
SELECT * FROM sqlitch_plan;
SELECT * FROM sqlitch_status;
SELECT count(*) FROM sqlitch_changes;
SELECT count(*) FROM sqlitch_events;
-- a path that is not there, a directory without a plan
SELECT * FROM sqlitch_plan('nowhere');
SELECT * FROM sqlitch_plan('nowhere/sqitch.plan');
.shell mkdir empty
SELECT * FROM sqlitch_plan('empty');
SELECT sqlitch_project('nowhere');
SELECT sqlitch_project();
-- nothing was written: no registry, an empty database
.shell ls
SELECT count(*) FROM sqlite_master;
