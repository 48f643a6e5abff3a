-- args: app.db
-- sqlitch_project(): where calls find the plan, scripts and configuration
-- when the current directory is elsewhere.
.load ./sqlitch
SELECT sqlitch_project();
.shell mkdir -p run
.cd run
SELECT sqlitch_project();
-- from a subdirectory the configuration is found upwards, but its paths
-- are relative to the current directory, as for the CLI
SELECT count(*) FROM sqlitch_plan;
SELECT sqlitch_project('..');
SELECT sqlitch_project();
SELECT count(*), min(deploy_script) FROM sqlitch_plan;
SELECT sqlitch_deploy('users');
SELECT name, status FROM sqlitch_status;
SELECT sqlitch_revert();
.shell ls ..
SELECT sqlitch_project('');
SELECT sqlitch_project();
SELECT sqlitch_project('nowhere');
