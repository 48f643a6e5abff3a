/*
** cmd_init.c -- `sqlitch init <project>`: create a project, as
** App::Sqitch::Command::init.
**
**   sqlitch init flipr --engine sqlite
**   sqlitch init flipr --target db:pg://db.example/flipr --top-dir db
**   sqlitch init flipr --engine sqlite --compat sqlitch
**
** Steps, each skipped when already done (re-running init is harmless):
**   1. the project name is checked (plan name rules);
**   2. the local config file is written unless it exists: [core] with the
**      engine, the given --plan-file/--top-dir/--extension/--dir and
**      --set variables ([core "variables"]), then the defaults not given
**      as comments; [engine "<e>"] with --target/--registry/--client or
**      their defaults as comments; [target "<name>"] uri for a named
**      --target. The whole file is written in one atomic step.
**   3. the plan file, "%syntax-version", "%project" and "%uri" (--uri);
**      an existing plan for the same project is kept, another project's
**      is an error;
**   4. the deploy/revert/verify (and reworked) directories.
** Each created file or directory is reported ("Created sqitch.conf").
** --set variables are written sorted by name (Sqitch: hash order).
**
** Compat modes (--compat, default "sqitch"):
**   sqitch   Sqitch's layout, byte for byte: sqitch.conf, sqitch.plan,
**            deploy/ revert/ verify/ in the current directory.
**   sqlitch  A project that cannot be mistaken for a Sqitch one:
**              sqlitch.conf              [core] engine, compat = sqlitch,
**                                        plan_file = sqlitch/sqlitch.plan,
**                                        top_dir = sqlitch
**              sqlitch/sqlitch.plan
**              sqlitch/deploy/ sqlitch/revert/ sqlitch/verify/
**            --top-dir and --plan-file still override the two paths. The
**            plan file is named explicitly so any tool reading the config
**            finds it; with core.compat = sqlitch the default plan name is
**            sqlitch.plan anyway (target.c).
** A directory may not hold both projects' files: init refuses
** `--compat sqlitch` next to a sqitch.conf (and the reverse), config
** loading refuses sqitch.conf next to sqlitch.conf, and target
** resolution refuses sqitch.plan next to sqlitch.plan.
**
** Differences from sqitch 1.3.1: when a step of writing the config fails
** (an unknown engine in --target, no Firebird client) nothing is written,
** where sqitch leaves a partial sqitch.conf.
*/
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "target_config.h"

static const char *const opts[] = {"uri=s",    "engine=s", "target=s",
                                   "compat=s", SH_TC_OPTS, NULL};

/* The file to write and, for an explicit --compat, the clash check. */
static int config_file(sh_ctx *ctx, const char *compat, const char **file,
                       sqlitch_err *err) {
  *file = sqlitch_config_local_file(ctx->config);
  if (!compat || sqlitch_perl_true(sqlitch_getenv("CONFIG"))) return SQLITCH_OK;
  int sqlitch = strcmp(compat, "sqlitch") == 0;
  const char *mine = sqlitch ? "sqlitch.conf" : "sqitch.conf";
  const char *other = sqlitch ? "sqitch.conf" : "sqlitch.conf";
  if (sqlitch_path_exists(other))
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                           "Cannot initialize a %s compat project: %s "
                           "already exists",
                           compat, other);
  *file = mine;
  return SQLITCH_OK;
}

/* Write the new config file (write_config). */
static int write_config(sh_ctx *ctx, const sh_tc *tc, const char *file,
                        const sqlitch_target *t, int sqlitch_mode,
                        sqlitch_err *err) {
  const char *ekey = sqlitch_perl_true(tc->engine) ? tc->engine : t->engine;
  sqlitch_buf comments = SQLITCH_BUF_INIT;
  int nvars = 0, rc = SQLITCH_ERROR;

  /* what the engine section will need, checked before writing anything */
  if (ekey &&
      ((!sqlitch_perl_true(tc->registry) && !t->registry) ||
       (!sqlitch_perl_true(tc->client) && !t->client)) &&
      sqlitch_target_check_engine(t, err))
    return SQLITCH_ERROR;

  sh_tc_group *g = sh_tc_group_begin(file, err);
  if (!g) return SQLITCH_ERROR;
#define SET(k, v)                                                              \
  do {                                                                         \
    if (sh_tc_group_set(g, (k), (v), err)) goto done;                          \
    nvars++;                                                                   \
  } while (0)

  if (ekey)
    SET("core.engine", ekey);
  else
    sqlitch_buf_add(&comments, "\tengine = \n");
  if (sqlitch_mode) SET("core.compat", "sqlitch");
  if (sqlitch_perl_true(tc->plan_file))
    SET("core.plan_file", tc->plan_file);
  else
    sqlitch_buf_addf(&comments, "\tplan_file = %s\n", t->plan_file);
  if (sqlitch_perl_true(tc->top_dir))
    SET("core.top_dir", tc->top_dir);
  else
    sqlitch_buf_addf(&comments, "\ttop_dir = %s\n", t->top_dir);
  if (tc->extension) SET("core.extension", tc->extension);
  for (int i = 0; i < SH_TC_NDIRS; i++) {
    if (!tc->dirs[i]) continue;
    char *k = sqlitch_mprintf("core.%s", sh_tc_dir_keys[i]);
    int r = sh_tc_group_set(g, k, tc->dirs[i], err);
    free(k);
    if (r) goto done;
    nvars++;
  }
  for (size_t i = 0; i < tc->var_keys.n; i++) {
    char *k = sqlitch_mprintf("core.variables.%s", tc->var_keys.v[i]);
    int r = sh_tc_group_set(g, k, tc->var_vals.v[i], err);
    free(k);
    if (r) goto done;
    nvars++;
  }
  if (comments.len) {
    char *c = sqlitch_mprintf("%s%s", nvars ? "" : "[core]\n", comments.p);
    c[strlen(c) - 1] = '\0'; /* joined with "\n", no final newline */
    int r = sh_tc_group_comment(g, c, err);
    free(c);
    if (r) goto done;
  }

  if (ekey) {
    /* engine.<e>.target / registry / client */
    const char *given[] = {tc->target, tc->registry, tc->client};
    static const char *const names[] = {"target", "registry", "client"};
    const char *have[] = {t->name, t->registry, t->client};
    sqlitch_buf_reset(&comments);
    nvars = 0;
    for (int i = 0; i < 3; i++) {
      char *k = sqlitch_mprintf("engine.%s.%s", ekey, names[i]);
      if (sqlitch_perl_true(given[i])) {
        int r = sh_tc_group_set(g, k, given[i], err);
        free(k);
        if (r) goto done;
        nvars++;
        continue;
      }
      const char *def = have[i];
      if (!def) def = sqlitch_config_get(ctx->config, k);
      sqlitch_buf_addf(&comments, "\t%s = %s\n", names[i], def ? def : "");
      free(k);
    }
    if (comments.len) {
      char *c = nvars
                    ? sqlitch_strdup(comments.p)
                    : sqlitch_mprintf("[engine \"%s\"]\n%s", ekey, comments.p);
      c[strlen(c) - 1] = '\0';
      int r = sh_tc_group_comment(g, c, err);
      free(c);
      if (r) goto done;
    }
  }

  if (sqlitch_perl_true(tc->target) && !strchr(tc->target, ':')) {
    char *k = sqlitch_mprintf("target.%s.uri", tc->target);
    int r = sh_tc_group_set(g, k, t->uri->str, err);
    free(k);
    if (r) goto done;
  }
#undef SET
  rc = sh_tc_group_commit(g, err);
  g = NULL;
  if (rc == SQLITCH_OK) sh_info(ctx, "Created %s", file);

done:
  if (g) sh_tc_group_abort(g);
  sqlitch_buf_free(&comments);
  return rc;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  const char *project = argc > 0 ? argv[0] : NULL;
  const char *compat = sh_opt_str(o, "compat");
  sh_tc tc;
  sqlitch_target *t = NULL;
  int rc = SQLITCH_ERROR;

  if (compat && strcmp(compat, "sqitch") != 0 && strcmp(compat, "sqlitch") != 0)
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                           "Unknown compat mode \"%s\"; use \"sqitch\" or "
                           "\"sqlitch\"",
                           compat);
  if (sh_tc_configure(ctx, o, &tc, err)) {
    sh_tc_free(&tc);
    return SQLITCH_ERROR;
  }
  if (!sqlitch_perl_true(project)) {
    sh_tc_free(&tc);
    sh_usage(ctx, ctx->command);
    return 2;
  }
  if (sqlitch_name_check(project, SQLITCH_NAME_PROJECT, err)) goto done;

  const char *file;
  if (config_file(ctx, compat, &file, err)) goto done;
  int sqlitch_mode = compat && strcmp(compat, "sqlitch") == 0;
  if (sqlitch_mode) {
    /* the sqlitch layout: everything under sqlitch/ */
    if (!sqlitch_perl_true(tc.top_dir)) {
      free(tc.top_dir);
      tc.top_dir = sqlitch_strdup("sqlitch");
    }
    if (!sqlitch_perl_true(tc.plan_file)) {
      free(tc.plan_file);
      char *j = sqlitch_mprintf("%s/sqlitch.plan", tc.top_dir);
      tc.plan_file = sqlitch_canonpath(j);
      free(j);
    }
  }

  if (sh_tc_config_target(ctx, &tc, NULL, NULL, NULL, &t, err)) goto done;
  if (!sqlitch_is_file(file) &&
      write_config(ctx, &tc, file, t, sqlitch_mode, err))
    goto done;
  if (sh_tc_write_plan(ctx, &tc, t, project, sh_opt_str(o, "uri"), err))
    goto done;
  if (sh_tc_make_dirs(ctx, &tc, t, err)) goto done;
  rc = 0;

done:
  sqlitch_target_free(t);
  sh_tc_free(&tc);
  return rc;
}

const sh_cmd sh_cmd_init = {"init", opts, run};
