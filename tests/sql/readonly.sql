-- args: app.db
-- The read-only entry point, for contexts that must not write: the plan
-- and registry tables work, nothing can deploy or change state.
.load ./sqlitch sqlite3_sqlitch_readonly_init
SELECT name, tags FROM sqlitch_plan;
SELECT count(*) FROM sqlitch_changes;
SELECT name, status FROM sqlitch_status;
SELECT sqlitch_deploy();
SELECT sqlitch_project('.');
SELECT sqlitch_version();
