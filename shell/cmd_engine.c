/*
** cmd_engine.c -- `sqlitch engine`: manage [engine "<name>"] sections, as
** App::Sqitch::Command::engine.
**
**   sqlitch engine [list]                   engines with a target (-v: and it)
**   sqlitch engine add <engine> [<target>]  engine.<e>.target (default db:<e>:)
**   sqlitch engine alter <engine> [options]    change its settings
**   sqlitch engine remove|rm <engine>          drop the section (and variables)
**   sqlitch engine show <engine>...            the settings in effect
**
** Options (add/alter): --target --plan-file --registry --client
** --extension --top-dir --dir name=path --set k=v. add/alter also write a
** missing plan file and create the script directories. Several options are
** written in a fixed order (Sqitch: Perl hash order).
**
** Differences from sqitch 1.3.1: `engine -v` shows a target URI without
** its password; only the actions above are accepted (Sqitch dispatches any
** method name).
*/
#include <stdlib.h>
#include <string.h>

#include "target_config.h"

static const char *const opts[] = {"target=s", SH_TC_OPTS, NULL};

static int check_engine(const char *engine, sqlitch_err *err) {
  if (sqlitch_engine_known(engine)) return SQLITCH_OK;
  return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "Unknown engine \"%s\"",
                         engine);
}

/* _target: the value engine.<e>.target gets for --target / <target>;
   NULL (no error) when neither is given. Caller frees. */
static int engine_target(sh_ctx *ctx, const sh_tc *tc, const char *engine,
                         const char *name, char **out, sqlitch_err *err) {
  const char *t = sqlitch_perl_true(tc->target) ? tc->target : name;
  *out = NULL;
  if (!sqlitch_perl_true(t)) return SQLITCH_OK;
  if (strchr(t, ':')) {
    sqlitch_uri *u = sqlitch_uri_new_db(t);
    if (!sqlitch_streq(u->engine, engine)) {
      sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                      "Cannot assign URI using engine \"%s\" to engine \"%s\"",
                      u->engine ? u->engine : "", engine);
      sqlitch_uri_free(u);
      return SQLITCH_ERROR;
    }
    *out = sqlitch_uri_string(u);
    sqlitch_uri_free(u);
    return SQLITCH_OK;
  }
  char *key = sqlitch_mprintf("target.%s.uri", t);
  int known = sqlitch_perl_true(sqlitch_config_get(ctx->config, key));
  free(key);
  if (!known)
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "Unknown target \"%s\"",
                           t);
  *out = sqlitch_strdup(t);
  return SQLITCH_OK;
}

static const char *engine_key_value(sh_ctx *ctx, const char *engine) {
  char *key = sqlitch_mprintf("engine.%s.target", engine);
  const char *v = sqlitch_config_get(ctx->config, key);
  free(key);
  return sqlitch_perl_true(v) ? v : NULL;
}

static int do_list(sh_ctx *ctx) {
  sh_tc_list(ctx, "engine", "target", sqlitch_engine_names());
  return 0;
}

static int do_add(sh_ctx *ctx, sh_tc *tc, int argc, char **argv,
                  sqlitch_err *err) {
  const char *engine = argc > 0 ? argv[0] : NULL;
  const char *name = argc > 1 ? argv[1] : NULL;
  if (!sqlitch_perl_true(engine)) return sh_tc_usage(ctx, NULL);
  if (check_engine(engine, err)) return SQLITCH_ERROR;
  if (engine_key_value(ctx, engine))
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "Engine \"%s\" already exists", engine);
  char *value;
  if (engine_target(ctx, tc, engine, name, &value, err)) return SQLITCH_ERROR;
  if (!value) value = sqlitch_mprintf("db:%s:", engine);

  sqlitch_strv keys = SQLITCH_STRV_INIT, vals = SQLITCH_STRV_INIT;
  char *prefix = sqlitch_mprintf("engine.%s", engine);
  sqlitch_strv_push_owned(&keys, sqlitch_mprintf("%s.target", prefix));
  sqlitch_strv_push(&vals, value);
  sh_tc_params(tc, prefix, "target", tc->target, &keys, &vals);
  free(prefix);
  free(value);
  int rc = sh_tc_group_set_all(sqlitch_config_local_file(ctx->config), &keys,
                               &vals, err);
  sqlitch_strv_free(&keys);
  sqlitch_strv_free(&vals);
  if (rc) return SQLITCH_ERROR;

  sqlitch_target *t;
  if (sh_tc_config_target(ctx, tc, name, NULL, engine, &t, err))
    return SQLITCH_ERROR;
  rc = sh_tc_write_plan(ctx, tc, t, NULL, NULL, err);
  if (!rc) rc = sh_tc_make_dirs(ctx, tc, t, err);
  sqlitch_target_free(t);
  return rc ? SQLITCH_ERROR : 0;
}

static int do_alter(sh_ctx *ctx, sh_tc *tc, int argc, char **argv,
                    sqlitch_err *err) {
  const char *engine = argc > 0 ? argv[0] : NULL;
  if (!sqlitch_perl_true(engine)) return sh_tc_usage(ctx, NULL);
  if (check_engine(engine, err)) return SQLITCH_ERROR;
  if (!engine_key_value(ctx, engine)) {
    char *dflt = sqlitch_mprintf("db:%s:", engine);
    sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                    "Missing Engine \"%s\"; use \"add %s %s\" to add it",
                    engine, engine,
                    sqlitch_perl_true(tc->target) ? tc->target : dflt);
    free(dflt);
    return SQLITCH_ERROR;
  }
  char *value = NULL;
  if (sqlitch_perl_true(tc->target)) {
    if (engine_target(ctx, tc, engine, NULL, &value, err)) return SQLITCH_ERROR;
    if (!sqlitch_perl_true(value)) {
      free(value);
      return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                             "Cannot unset an engine target");
    }
  }
  sqlitch_strv keys = SQLITCH_STRV_INIT, vals = SQLITCH_STRV_INIT;
  char *prefix = sqlitch_mprintf("engine.%s", engine);
  sh_tc_params(tc, prefix, "target", value ? value : tc->target, &keys, &vals);
  free(prefix);
  int rc = sh_tc_group_set_all(sqlitch_config_local_file(ctx->config), &keys,
                               &vals, err);
  sqlitch_strv_free(&keys);
  sqlitch_strv_free(&vals);
  if (rc) {
    free(value);
    return SQLITCH_ERROR;
  }
  /* config_target(engine => e) with the resolved --target */
  sh_tc tc2 = *tc;
  tc2.target = value;
  sqlitch_target *t;
  rc = sh_tc_config_target(ctx, &tc2, NULL, NULL, engine, &t, err);
  free(value);
  if (rc) return SQLITCH_ERROR;
  rc = sh_tc_make_dirs(ctx, tc, t, err);
  sqlitch_target_free(t);
  return rc ? SQLITCH_ERROR : 0;
}

static int do_remove(sh_ctx *ctx, sh_tc *tc, int argc, char **argv,
                     sqlitch_err *err) {
  const char *engine = argc > 0 ? argv[0] : NULL;
  const char *file = sqlitch_config_local_file(ctx->config);
  if (!sqlitch_perl_true(engine)) return sh_tc_usage(ctx, NULL);
  char *sec = sqlitch_mprintf("engine.%s", engine);
  int rc = sqlitch_config_remove_section(file, sec, err);
  free(sec);
  if (rc) {
    if (sh_tc_no_such_section(err))
      sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "Unknown engine \"%s\"",
                      engine);
    return SQLITCH_ERROR;
  }
  sec = sqlitch_mprintf("engine.%s.variables", engine);
  rc = sqlitch_config_remove_section(file, sec, err);
  free(sec);
  if (rc && !sh_tc_no_such_section(err)) return SQLITCH_ERROR;
  sqlitch_err_clear(err);
  return 0;
}

static int do_show(sh_ctx *ctx, sh_tc *tc, int argc, char **argv,
                   sqlitch_err *err) {
  if (argc == 0) return do_list(ctx);
  for (int i = 0; i < argc; i++) {
    const char *v = engine_key_value(ctx, argv[i]);
    char *name = v ? sqlitch_strdup(v) : sqlitch_mprintf("db:%s", argv[i]);
    sqlitch_target *t;
    int rc = sqlitch_target_new(ctx->config, name, NULL, &t, err);
    free(name);
    if (rc) return SQLITCH_ERROR;
    sh_emit(ctx, "* %s", argv[i]);
    rc = sh_tc_show(ctx, "Target", t->name, t, err);
    sqlitch_target_free(t);
    if (rc) return SQLITCH_ERROR;
  }
  return 0;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  static const sh_tc_action actions[] = {
      {"add", do_add},   {"alter", do_alter}, {"remove", do_remove},
      {"rm", do_remove}, {"show", do_show},   {NULL, NULL}};
  return sh_tc_dispatch(ctx, o, argc, argv, actions, do_list, err);
}

const sh_cmd sh_cmd_engine = {"engine", opts, run};
