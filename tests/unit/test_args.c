/*
** test_args.c -- unit tests for shell/args.c (Sqitch's parse_args): changes,
** targets, engines, plan files, unknown arguments, name slots, --all and
** <command>.all, de-duplication, the deferred default-target error.
** args.c prints nothing, so it is compiled in directly.
*/
#include "../../shell/args.c"

#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

static const char plan[] =
    "%syntax-version=1.0.0\n%project=flipr\n\n"
    "users 2024-01-01T00:00:00Z Test <t@x.com> # users\n"
    "widgets [users] 2024-01-02T00:00:00Z Test <t@x.com>\n"
    "@v1 2024-01-02T00:00:00Z Test <t@x.com>\n";
static const char other_plan[] =
    "%syntax-version=1.0.0\n%project=other\n\n"
    "gadgets 2024-01-01T00:00:00Z Test <t@x.com>\n";

static sh_ctx ctx;

static void put(const char *file, const char *text) {
  sqlitch_err e = SQLITCH_ERR_INIT;
  sqlitch_write_file_atomic(file, text, strlen(text), &e);
  sqlitch_err_clear(&e);
}

static void load_config(void) {
  sqlitch_err e = SQLITCH_ERR_INIT;
  sqlitch_config_free(ctx.config);
  ctx.config = sqlitch_config_new();
  if (sqlitch_config_load(ctx.config, &e)) diag("config: %s", e.msg);
  sqlitch_err_clear(&e);
}

/* Parse a space-separated argument string; returns the error or NULL and
   a summary "targets | changes | names" in *sum. */
static char *parse(const sh_args_spec *spec, const char *args, char **sum) {
  sqlitch_strv v = SQLITCH_STRV_INIT;
  char *copy = sqlitch_strdup(args);
  for (char *t = strtok(copy, " "); t; t = strtok(NULL, " "))
    sqlitch_strv_push(&v, t);
  free(copy);
  sh_args a;
  sqlitch_err err = SQLITCH_ERR_INIT;
  char *msg = NULL;
  *sum = NULL;
  if (sh_parse_args(&ctx, spec, (int)v.n, v.v, &a, &err)) {
    msg = sqlitch_strdup(err.msg);
  } else {
    sqlitch_buf b = SQLITCH_BUF_INIT;
    for (size_t i = 0; i < a.ntargets; i++)
      sqlitch_buf_addf(&b, "%s%s", i ? " " : "", a.targets[i]->name);
    sqlitch_buf_add(&b, " |");
    for (size_t i = 0; i < a.changes.n; i++)
      sqlitch_buf_addf(&b, " %s", a.changes.v[i]);
    sqlitch_buf_add(&b, " |");
    for (size_t i = 0; i < a.nnames; i++)
      sqlitch_buf_addf(&b, " %s", a.names[i] ? a.names[i] : "-");
    *sum = sqlitch_buf_take(&b);
  }
  sh_args_free(&a);
  sqlitch_err_clear(&err);
  sqlitch_strv_free(&v);
  return msg;
}

static void is_parse(const sh_args_spec *spec, const char *args,
                     const char *want, const char *name) {
  char *sum, *msg = parse(spec, args, &sum);
  if (msg) diag("error: %s", msg);
  is_str(sum, want, name);
  free(sum);
  free(msg);
}

static void is_error(const sh_args_spec *spec, const char *args,
                     const char *want, const char *name) {
  char *sum, *msg = parse(spec, args, &sum);
  is_str(msg, want, name);
  free(sum);
  free(msg);
}

int main(void) {
  char root[128];
  snprintf(root, sizeof root, "/tmp/sqlitch-test-args.%d", (int)getpid());
  mkdir(root, 0777);
  if (chdir(root) != 0) return 1;
  put("empty.conf", "");
  setenv("SQITCH_SYSTEM_CONFIG", "empty.conf", 1);
  setenv("SQITCH_USER_CONFIG", "empty.conf", 1);
  unsetenv("SQITCH_TARGET");
  unsetenv("SQLITCH_TARGET");
  unsetenv("SQITCH_CONFIG");
  unsetenv("SQLITCH_CONFIG");
  ctx.command = "deploy";

  /* no project: the default target's error comes only when needed */
  load_config();
  sh_args_spec spec = {0};
  is_error(&spec, "",
           "No project configuration found. Run the \"init\" command to "
           "initialize a project",
           "no config, no target: the default target's error");
  is_parse(&spec, "db:sqlite:x.db", "db:sqlite:x.db | |",
           "no config: a URI argument is enough");
  spec.target = "nope";
  is_error(&spec, "", "Cannot find target \"nope\"",
           "a bad --target fails at once");
  spec.target = NULL;

  put("sqitch.conf",
      "[core]\n\tengine = sqlite\n"
      "[engine \"pg\"]\n\ttarget = pgt\n"
      "[target \"pgt\"]\n\turi = db:pg://h/db\n\tplan_file = other.plan\n"
      "[target \"dev\"]\n\turi = db:sqlite:dev.db\n");
  put("sqitch.plan", plan);
  put("other.plan", other_plan);
  load_config();

  is_parse(&spec, "", "db:sqlite: | |", "no arguments: the default target");
  is_parse(&spec, "users widgets@v1 @v1 HEAD",
           "db:sqlite: | users widgets@v1 @v1 HEAD |",
           "changes of the default target's plan");
  is_parse(&spec, "dev users", "dev | users |", "a target name, then a change");
  is_parse(&spec, "pgt gadgets", "pgt | gadgets |",
           "changes are looked up in the current target's plan");
  is_parse(&spec, "pg", "pgt | |", "an engine: engine.<e>.target");
  is_parse(&spec, "mysql", "db:mysql: | |", "an engine: db:<e>: by default");
  is_parse(&spec, "other.plan", "pgt | |", "a plan file selects its target");
  is_parse(&spec, "sqitch.plan", "db:sqlite: | |",
           "the default target's plan file");
  is_parse(&spec, "dev db:pg://h/x dev", "dev db:pg://h/x | |",
           "targets, de-duplicated by name");
  is_parse(&spec, "db:sqlite:dev.db dev", "db:sqlite:dev.db dev | |",
           "a URI and a name are different targets");
  is_error(&spec, "nope", "Unknown argument \"nope\"", "one unknown argument");
  is_error(&spec, "nope users zip", "Unknown arguments: nope, zip",
           "several unknown arguments");
  is_error(&spec, "widgets@nope", "Unknown tag \"@nope\"",
           "an unknown tag fails as in Sqitch");

  sh_args_spec nc = {0};
  nc.no_changes = 1;
  is_error(&nc, "users", "Unknown argument \"users\"",
           "no_changes: a change name is unknown");
  const char *slots[] = {NULL, "given", NULL};
  nc.names = slots;
  nc.nnames = 3;
  is_parse(&nc, "users dev x", "dev | | users given x",
           "unknown arguments fill the empty name slots");
  is_error(&nc, "a b c d", "Unknown arguments: c, d",
           "what the slots do not take is unknown");

  sh_args_spec all = {0};
  all.all = 1;
  is_parse(&all, "", "db:sqlite: dev pgt | |", "--all: every target");
  is_parse(&all, "users", "db:sqlite: dev pgt | users |", "--all with changes");
  is_error(&all, "dev",
           "Cannot specify both --all and engine, target, or plan arugments",
           "--all with a target");

  put("sqitch.conf", "[core]\n\tengine = sqlite\n[deploy]\n\tall = true\n"
                     "[target \"dev\"]\n\turi = db:sqlite:dev.db\n");
  load_config();
  is_parse(&spec, "", "db:sqlite: dev | |", "deploy.all = true: every target");
  is_parse(&spec, "dev", "dev | |", "deploy.all with a target: that one");
  ctx.command = "status";
  is_parse(&spec, "", "db:sqlite: | |", "status.all unset: the default");
  put("sqitch.conf", "[core]\n\tengine = sqlite\n[status]\n\tall = maybe\n");
  load_config();
  {
    char *sum, *msg = parse(&spec, "", &sum);
    ok(msg && strncmp(msg, "Invalid bool 'maybe'", 20) == 0,
       "a bad <command>.all is an error");
    free(sum);
    free(msg);
  }

  sqlitch_config_free(ctx.config);
  if (chdir("/") == 0) {
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) diag("cannot remove %s", root);
  }
  is_int(0, 0, "done");
  return tap_done();
}
