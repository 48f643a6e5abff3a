/*
** test_target.c -- unit tests for core/target.c: target resolution order,
** attribute lookup, command-line overrides, credentials, variables,
** all_targets, paths as Path::Class prints them, compat mode.
** Each case writes a sqitch.conf into a fresh temp directory and loads it
** as the local configuration.
*/
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "target.h"

static char root[256];
static int ncase;

/* A fresh project directory holding `conf` (NULL: no sqitch.conf). */
static sqlitch_config *project(const char *conf) {
  char dir[300];
  snprintf(dir, sizeof dir, "%s/p%d", root, ++ncase);
  mkdir(dir, 0777);
  if (chdir(dir) != 0) return NULL;
  if (conf) {
    sqlitch_err e = SQLITCH_ERR_INIT;
    sqlitch_write_file_atomic("sqitch.conf", conf, strlen(conf), &e);
    sqlitch_err_clear(&e);
  }
  sqlitch_config *c = sqlitch_config_new();
  sqlitch_err err = SQLITCH_ERR_INIT;
  if (sqlitch_config_load(c, &err)) diag("config load: %s", err.msg);
  sqlitch_err_clear(&err);
  return c;
}

/* Resolve and return the error message (or NULL on success). */
static char *fails(sqlitch_config *c, const char *name,
                   const sqlitch_target_opts *o) {
  sqlitch_err err = SQLITCH_ERR_INIT;
  sqlitch_target *t = NULL;
  if (sqlitch_target_new(c, name, o, &t, &err) == SQLITCH_OK) {
    sqlitch_target_free(t);
    return NULL;
  }
  char *m = sqlitch_strdup(err.msg);
  sqlitch_err_clear(&err);
  return m;
}

static sqlitch_target *resolve(sqlitch_config *c, const char *name,
                               const sqlitch_target_opts *o) {
  sqlitch_err err = SQLITCH_ERR_INIT;
  sqlitch_target *t = NULL;
  if (sqlitch_target_new(c, name, o, &t, &err)) diag("resolve: %s", err.msg);
  sqlitch_err_clear(&err);
  return t;
}

static void is_msg(char *got, const char *want, const char *name) {
  is_str(got, want, name);
  free(got);
}

static void test_errors(void) {
  sqlitch_config *c = project(NULL);
  is_msg(fails(c, NULL, NULL),
         "No project configuration found. Run the \"init\" command to "
         "initialize a project",
         "no config: project not initialized");
  sqlitch_config_free(c);

  c = project("[core]\n\tverbosity = 1\n[target \"half\"]\n\tregistry = x\n");
  is_msg(fails(c, NULL, NULL),
         "No engine specified; specify via target or core.engine",
         "config without engine");
  is_msg(fails(c, "nope", NULL), "Cannot find target \"nope\"",
         "unknown target name");
  is_msg(fails(c, "half", NULL), "No URI associated with target \"half\"",
         "target section without uri");
  is_msg(fails(c, "db:", NULL),
         "No engine specified by URI db:; URI must start with \"db:$engine:\"",
         "URI without engine");
  is_msg(fails(c, "db://u:secret@h/x", NULL),
         "No engine specified by URI db://u:@h/x; URI must start with "
         "\"db:$engine:\"",
         "URI without engine: no password in the message");
  sqlitch_config_free(c);

  /* core.engine lets an engineless engine target through (as Sqitch) */
  c = project("[core]\n\tengine = pg\n[engine \"pg\"]\n\ttarget = db:\n");
  sqlitch_target *t = resolve(c, NULL, NULL);
  ok(t && t->engine == NULL, "engine target db: accepted under core.engine");
  sqlitch_err err = SQLITCH_ERR_INIT;
  ok(t && sqlitch_target_check_engine(t, &err) == SQLITCH_ERROR,
     "... but has no engine");
  is_str(err.msg, "No engine specified; specify via target or core.engine",
         "check_engine: no engine");
  sqlitch_target_free(t);
  t = resolve(c, "db:foo:", NULL);
  ok(t && sqlitch_target_check_engine(t, &err) == SQLITCH_ERROR,
     "unknown engine fails the engine check");
  is_str(err.msg, "Unable to load App::Sqitch::Engine::foo",
         "check_engine: unknown engine");
  ok(t && t->registry == NULL && t->client == NULL,
     "unknown engine: no registry or client");
  sqlitch_err_clear(&err);
  sqlitch_target_free(t);
  sqlitch_config_free(c);
}

static void test_defaults(void) {
  sqlitch_config *c = project("[core]\n\tengine = sqlite  \n");
  sqlitch_target *t = resolve(c, NULL, NULL);
  if (!ok(t != NULL, "core.engine: default target")) return;
  is_str(t->name, "db:sqlite:", "default name db:<engine>:");
  is_str(t->engine, "sqlite", "engine");
  is_str(t->registry, "sqitch", "default registry");
  is_str(t->client, "sqlite3", "default client");
  is_str(t->top_dir, ".", "default top_dir");
  is_str(t->plan_file, "sqitch.plan", "default plan file");
  is_str(t->deploy_dir, "deploy", "default deploy dir");
  is_str(t->revert_dir, "revert", "default revert dir");
  is_str(t->verify_dir, "verify", "default verify dir");
  is_str(t->reworked_dir, ".", "default reworked dir");
  is_str(t->reworked_deploy_dir, "deploy", "default reworked deploy dir");
  is_str(t->extension, "sql", "default extension");
  sqlitch_target_free(t);
  sqlitch_config_free(c);

  static const struct {
    const char *engine, *registry, *client;
  } e[] = {{"pg", "sqitch", "psql"},        {"mysql", "sqitch", "mysql"},
           {"oracle", "", "sqlplus"},       {"vertica", "sqitch", "vsql"},
           {"exasol", "sqitch", "exaplus"}, {"snowflake", "sqitch", "snowsql"}};
  for (size_t i = 0; i < sizeof e / sizeof *e; i++) {
    char conf[128], name[128];
    snprintf(conf, sizeof conf, "[core]\n\tengine = %s\n", e[i].engine);
    c = project(conf);
    t = resolve(c, NULL, NULL);
    snprintf(name, sizeof name, "%s: registry and client", e[i].engine);
    ok(t && strcmp(t->registry, e[i].registry) == 0 &&
           strcmp(t->client, e[i].client) == 0,
       name);
    sqlitch_target_free(t);
    sqlitch_config_free(c);
  }
  setenv("ORACLE_HOME", "/opt/ora/", 1);
  c = project("[core]\n\tengine = oracle\n");
  t = resolve(c, NULL, NULL);
  is_str(t ? t->client : NULL, "/opt/ora/sqlplus", "oracle: $ORACLE_HOME");
  sqlitch_target_free(t);
  sqlitch_config_free(c);
  unsetenv("ORACLE_HOME");
}

static void test_order(void) {
  const char *conf =
      "[core]\n\tengine = pg\n\tregistry = core_reg\n\tclient = core_cli\n"
      "\textension = ddl\n"
      "[engine \"pg\"]\n\ttarget = prod\n\tregistry = eng_reg\n"
      "[target \"prod\"]\n\turi = db:pg://bob:s3cret@db.example:5433/flipr\n"
      "\tregistry = tgt_reg\n"
      "[target \"dev\"]\n\turi = db:sqlite:dev.db\n\tregistry = 0\n"
      "[engine \"sqlite\"]\n\ttarget = db:sqlite:other.db\n";
  sqlitch_config *c = project(conf);
  sqlitch_target *t = resolve(c, NULL, NULL);
  if (ok(t != NULL, "engine.<core.engine>.target names the default")) {
    is_str(t->name, "prod", "named default target");
    is_str(t->uri->str, "db:pg://bob:s3cret@db.example:5433/flipr", "its URI");
    is_str(t->registry, "tgt_reg", "target.<name>.registry first");
    is_str(t->client, "core_cli", "core.client when nothing closer");
    is_str(t->extension, "ddl", "core.extension");
    is_str(sqlitch_target_username(t), "bob", "username from the URI");
    is_str(sqlitch_target_password(t), "s3cret", "password from the URI");
    setenv("SQITCH_USERNAME", "env_user", 1);
    setenv("SQITCH_PASSWORD", "env_pw", 1);
    is_str(sqlitch_target_username(t), "env_user", "$SQITCH_USERNAME wins");
    is_str(sqlitch_target_password(t), "env_pw", "$SQITCH_PASSWORD wins");
    setenv("SQLITCH_PASSWORD", "twin_pw", 1);
    is_str(sqlitch_target_password(t), "twin_pw",
           "$SQLITCH_PASSWORD twin wins");
    unsetenv("SQITCH_USERNAME");
    unsetenv("SQITCH_PASSWORD");
    unsetenv("SQLITCH_PASSWORD");
    sqlitch_target_free(t);
  }
  t = resolve(c, "dev", NULL);
  is_str(t ? t->registry : NULL, "core_reg",
         "a \"0\" value falls through (Perl truth), engine.sqlite has none");
  sqlitch_target_free(t);
  t = resolve(c, "db:pg:", NULL);
  is_str(t ? t->registry : NULL, "eng_reg", "engine.<e>.registry for a URI");
  is_str(t ? t->name : NULL, "db:pg:", "URI target named by its URI");
  sqlitch_target_free(t);

  /* $SQITCH_TARGET, and its twin */
  setenv("SQITCH_TARGET", "dev", 1);
  t = resolve(c, NULL, NULL);
  is_str(t ? t->name : NULL, "dev", "$SQITCH_TARGET beats the config");
  sqlitch_target_free(t);
  setenv("SQLITCH_TARGET", "db:sqlite:twin.db", 1);
  t = resolve(c, NULL, NULL);
  is_str(t ? t->name : NULL, "db:sqlite:twin.db", "$SQLITCH_TARGET twin wins");
  sqlitch_target_free(t);
  t = resolve(c, "prod", NULL);
  is_str(t ? t->name : NULL, "prod", "a given name beats $SQITCH_TARGET");
  sqlitch_target_free(t);
  unsetenv("SQITCH_TARGET");
  unsetenv("SQLITCH_TARGET");

  /* core.target beats engine.<e>.target */
  sqlitch_config_free(c);
  c = project("[core]\n\tengine = pg\n\ttarget = db:mysql://h/x\n"
              "[engine \"pg\"]\n\ttarget = db:pg:y\n");
  t = resolve(c, NULL, NULL);
  is_str(t ? t->name : NULL, "db:mysql://h/x", "core.target first");
  is_str(t ? t->engine : NULL, "mysql", "engine comes from the URI");
  is_str(t ? t->client : NULL, "mysql", "client of the URI's engine");
  sqlitch_target_free(t);
  sqlitch_config_free(c);
}

static void test_overrides(void) {
  sqlitch_config *c =
      project("[core]\n\tengine = pg\n\ttop_dir = db/\n\treworked_dir = rw//\n"
              "[target \"prod\"]\n\turi = db:pg://bob:pw@h/flipr\n");
  sqlitch_target_opts o = {0};
  o.db_user = "alice";
  o.db_host = "other";
  o.db_port = "6543";
  o.db_name = "x";
  o.registry = "r";
  o.client = "/usr/bin/psql";
  sqlitch_target *t = resolve(c, "db:pg://bob:pw@h/flipr", &o);
  is_str(t ? t->name : NULL, "db:pg://alice:@other:6543/x",
         "overrides change the URI; the name has no password");
  is_str(t ? t->uri->str : NULL, "db:pg://alice:pw@other:6543/x",
         "... the URI keeps it");
  is_str(t ? t->registry : NULL, "r", "--registry");
  is_str(t ? t->client : NULL, "/usr/bin/psql", "--client");
  is_str(t ? t->top_dir : NULL, "db", "top_dir cleaned");
  is_str(t ? t->plan_file : NULL, "db/sqitch.plan", "plan under top_dir");
  is_str(t ? t->deploy_dir : NULL, "db/deploy", "deploy under top_dir");
  is_str(t ? t->reworked_dir : NULL, "rw", "reworked_dir cleaned");
  is_str(t ? t->reworked_verify_dir : NULL, "rw/verify",
         "reworked verify under reworked_dir");
  sqlitch_target_free(t);

  t = resolve(c, "prod", &o);
  is_str(t ? t->name : NULL, "prod", "a named target keeps its name");
  is_str(t ? t->uri->str : NULL, "db:pg://alice:pw@other:6543/x",
         "... with the overrides applied to its URI");
  sqlitch_target_free(t);

  sqlitch_target_opts p = {0};
  p.top_dir = "./top/";
  p.plan_file = "./my.plan";
  p.deploy_dir = "d//";
  p.extension = "ddl";
  t = resolve(c, "prod", &p);
  is_str(t ? t->top_dir : NULL, "top", "--top-dir");
  is_str(t ? t->plan_file : NULL, "./my.plan",
         "--plan-file printed as Path::Class's file() does");
  is_str(t ? t->deploy_dir : NULL, "d", "deploy dir override cleaned");
  is_str(t ? t->revert_dir : NULL, "top/revert", "revert under --top-dir");
  is_str(t ? t->extension : NULL, "ddl", "extension override");
  sqlitch_target_free(t);

  /* URI given up front: the name, and no db_* overrides */
  sqlitch_uri *u = sqlitch_uri_new_db("db:pg://u:pw@h/d");
  sqlitch_err err = SQLITCH_ERR_INIT;
  ok(sqlitch_target_new_uri(c, NULL, u, &o, &t, &err) == SQLITCH_OK, "new_uri");
  is_str(t->name, "db:pg://u:@h/d", "new_uri: named by the URI sans password");
  is_str(t->uri->str, "db:pg://u:pw@h/d", "new_uri: overrides not applied");
  sqlitch_target_free(t);
  ok(sqlitch_target_new_uri(c, "foo", u, NULL, &t, &err) == SQLITCH_OK,
     "new_uri with a name");
  is_str(t->name, "foo", "new_uri: the given name");
  sqlitch_target_free(t);
  sqlitch_uri_free(u);
  sqlitch_config_free(c);

  /* plan_file from the config: file() keeps a "./" and a trailing "/" */
  c = project("[core]\n\tengine = sqlite\n\tplan_file = ./x.plan\n"
              "\tdeploy_dir = ./a/./b/\n");
  t = resolve(c, NULL, NULL);
  is_str(t ? t->plan_file : NULL, "./x.plan",
         "plan_file from config, as file()");
  is_str(t ? t->deploy_dir : NULL, "a/b", "deploy_dir from config, as dir()");
  sqlitch_target_free(t);
  sqlitch_config_free(c);
}

static void test_variables(void) {
  sqlitch_config *c = project(
      "[core]\n\tengine = pg\n"
      "[core \"variables\"]\n\ta = core\n\tb = core\n\tc = core\n\td = core\n"
      "\te = core\n\tf = core\n"
      "[deploy \"variables\"]\n\tb = deploy\n\tc = deploy\n\td = deploy\n"
      "\te = deploy\n\tf = deploy\n"
      "[revert \"variables\"]\n\tc = revert\n\td = revert\n\te = revert\n"
      "\tf = revert\n"
      "[engine \"pg\"]\n\ttarget = prod\n"
      "[engine \"pg.variables\"]\n\td = engine\n\te = engine\n\tf = engine\n"
      "[target \"prod\"]\n\turi = db:pg:\n"
      "[target \"prod.variables\"]\n\te = target\n\tf = target\n\tMixed = x\n");
  sqlitch_target *t = resolve(c, NULL, NULL);
  sqlitch_strv sets = SQLITCH_STRV_INIT, out = SQLITCH_STRV_INIT;
  sqlitch_strv_push(&sets, "f=set");
  sqlitch_target_variables(c, t, "revert", &sets, &out);
  char *j = sqlitch_strv_join(&out, " ");
  is_str(j, "Mixed=x a=core b=deploy c=revert d=engine e=target f=set",
         "variables merge order for revert");
  free(j);
  sqlitch_strv_clear(&out);
  sqlitch_target_variables(c, t, "deploy", NULL, &out);
  j = sqlitch_strv_join(&out, " ");
  is_str(j, "Mixed=x a=core b=deploy c=deploy d=engine e=target f=target",
         "variables merge order for deploy");
  free(j);
  sqlitch_strv_free(&out);
  sqlitch_strv_free(&sets);
  sqlitch_target_free(t);
  sqlitch_config_free(c);
}

static void test_all(void) {
  sqlitch_config *c = project("[core]\n\tengine = pg\n"
                              "[engine \"pg\"]\n\ttarget = prod\n"
                              "[engine \"mysql\"]\n\ttarget = db:mysql://h/x\n"
                              "[engine \"sqlite\"]\n\tclient = sqlite3\n"
                              "[target \"zeta\"]\n\turi = db:sqlite:z.db\n"
                              "[target \"prod\"]\n\turi = db:pg://h/db\n"
                              "[target \"alpha\"]\n\turi = db:sqlite:a.db\n");
  sqlitch_target **all;
  size_t n;
  sqlitch_err err = SQLITCH_ERR_INIT;
  ok(sqlitch_target_all(c, NULL, &all, &n, &err) == SQLITCH_OK, "all_targets");
  is_int(n, 5, "all_targets: count");
  sqlitch_strv names = SQLITCH_STRV_INIT;
  for (size_t i = 0; i < n; i++)
    sqlitch_strv_push(&names, all[i]->name);
  char *j = sqlitch_strv_join(&names, " ");
  is_str(j, "prod alpha zeta db:mysql://h/x db:sqlite:",
         "default, named (sorted), engine targets, engines without target");
  free(j);
  sqlitch_strv_free(&names);
  sqlitch_target_free_all(all, n);
  sqlitch_config_free(c);
}

static void test_canonpath(void) {
  static const char *const cases[][2] = {{"./x.plan", "x.plan"},
                                         {"a//b.plan", "a/b.plan"},
                                         {"a/./b", "a/b"},
                                         {".", "."},
                                         {"./", "."},
                                         {"/", "/"},
                                         {"foo/", "foo"},
                                         {"a/../b", "a/../b"},
                                         {"//x", "/x"},
                                         {"x/.", "x"},
                                         {"../x", "../x"},
                                         {"/..", "/"},
                                         {"a/.", "a"},
                                         {"/../../x", "/x"},
                                         {"a/./././b/.", "a/b"},
                                         {"./././x", "x"},
                                         {"a/.b", "a/.b"},
                                         {"", ""}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char name[128];
    char *got = sqlitch_canonpath(cases[i][0]);
    snprintf(name, sizeof name, "canonpath(%s)", cases[i][0]);
    is_str(got, cases[i][1], name);
    free(got);
  }
}

static void test_compat(void) {
  sqlitch_config *c = project("[core]\n\tengine = sqlite\n\tcompat = sqlitch\n"
                              "\ttop_dir = sqlitch\n");
  sqlitch_target *t = resolve(c, NULL, NULL);
  is_str(t ? t->plan_file : NULL, "sqlitch/sqlitch.plan",
         "core.compat = sqlitch: default plan is sqlitch.plan");
  sqlitch_target_free(t);
  sqlitch_config_free(c);

  c = project("[core]\n\tengine = sqlite\n");
  sqlitch_err err = SQLITCH_ERR_INIT;
  sqlitch_write_file_atomic("sqitch.plan", "%project=x\n", 11, &err);
  t = resolve(c, NULL, NULL);
  ok(t != NULL, "one plan file is fine");
  sqlitch_target_free(t);
  sqlitch_write_file_atomic("sqlitch.plan", "%project=x\n", 11, &err);
  is_msg(fails(c, NULL, NULL),
         "Both sqitch.plan and sqlitch.plan exist; a project may use only "
         "one of them. Remove one",
         "sqitch.plan next to sqlitch.plan is an error");
  sqlitch_err_clear(&err);
  sqlitch_config_free(c);
}

int main(void) {
  snprintf(root, sizeof root, "/tmp/sqlitch-test-target.%d", (int)getpid());
  mkdir(root, 0777);
  char empty[300];
  snprintf(empty, sizeof empty, "%s/empty.conf", root);
  FILE *f = fopen(empty, "w");
  if (f) fclose(f);
  setenv("SQITCH_SYSTEM_CONFIG", empty, 1);
  setenv("SQITCH_USER_CONFIG", empty, 1);
  static const char *const unset[] = {
      "SQITCH_CONFIG",         "SQLITCH_CONFIG",   "SQITCH_TARGET",
      "SQLITCH_TARGET",        "SQITCH_USERNAME",  "SQLITCH_USERNAME",
      "SQITCH_PASSWORD",       "SQLITCH_PASSWORD", "SQLITCH_USER_CONFIG",
      "SQLITCH_SYSTEM_CONFIG", "ORACLE_HOME",      NULL};
  for (int i = 0; unset[i]; i++)
    unsetenv(unset[i]);

  test_errors();
  test_defaults();
  test_order();
  test_overrides();
  test_variables();
  test_all();
  test_canonpath();
  test_compat();

  if (chdir("/") == 0) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) diag("could not remove %s", root);
  }
  return tap_done();
}
