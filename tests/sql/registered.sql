-- project: none
-- The exact functions and modules each entry point registers, with their
-- flags (2099200 = DETERMINISTIC|INNOCUOUS, 524288 = DIRECTONLY).
.load ./sqlitch
SELECT name, narg, flags FROM pragma_function_list
 WHERE name LIKE '%sqlitch%' ORDER BY name, narg;
SELECT name FROM pragma_module_list WHERE name LIKE '%sqlitch%' ORDER BY name;
SELECT sqlitch_version();
-- A new connection with the read-only entry point: tables and pure
-- functions only.
.open :memory:
.load ./sqlitch sqlite3_sqlitch_readonly_init
SELECT name, narg, flags FROM pragma_function_list
 WHERE name LIKE '%sqlitch%' ORDER BY name, narg;
SELECT name FROM pragma_module_list WHERE name LIKE '%sqlitch%' ORDER BY name;
SELECT sqlitch_deploy();
-- Loading twice replaces the registrations; nothing leaks or breaks.
.load ./sqlitch
.load ./sqlitch
SELECT count(*) FROM pragma_function_list WHERE name LIKE 'sqlitch%';
