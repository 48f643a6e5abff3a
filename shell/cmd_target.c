/*
** cmd_target.c -- `sqlitch target`: manage [target "<name>"] sections, as
** App::Sqitch::Command::target.
**
**   sqlitch target [list]                    target names (-v: and URIs)
**   sqlitch target add <name> <uri>          target.<name>.uri and options
**   sqlitch target alter <name> [options]    change its settings
**   sqlitch target remove|rm <name>          drop it (and its variables)
**   sqlitch target rename <old> <new>
**   sqlitch target show <name>...            the settings in effect
**
** Options (add/alter): --uri --plan-file --registry --client --extension
** --top-dir --dir name=path --set k=v. add/alter also write a missing plan
** file and create the script directories. A target referenced by
** core.target or engine.<e>.target cannot be removed or renamed.
**
** Differences from sqitch 1.3.1: passwords are never printed -- `target
** -v` and `target show` print URIs without them (sqitch prints them);
** several options are written in a fixed order (Sqitch: Perl hash order);
** only the actions above are accepted.
*/
#include <stdlib.h>
#include <string.h>

#include "target_config.h"

static const char *const opts[] = {"uri=s", SH_TC_OPTS, NULL};

static const char *target_uri(sh_ctx *ctx, const char *name) {
  char *key = sqlitch_mprintf("target.%s.uri", name);
  const char *v = sqlitch_config_get(ctx->config, key);
  free(key);
  return sqlitch_perl_true(v) ? v : NULL;
}

static int do_list(sh_ctx *ctx) {
  sh_tc_list(ctx, "target", "uri", NULL);
  return 0;
}

static int do_add(sh_ctx *ctx, sh_tc *tc, int argc, char **argv,
                  sqlitch_err *err) {
  const char *name = argc > 0 ? argv[0] : NULL;
  const char *uri = argc > 1 ? argv[1] : NULL;
  if (!sqlitch_perl_true(name) || !sqlitch_perl_true(uri))
    return sh_tc_usage(ctx, NULL);
  if (target_uri(ctx, name))
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "Target \"%s\" already exists", name);

  sqlitch_uri *u = sqlitch_uri_new_db(uri);
  sqlitch_strv keys = SQLITCH_STRV_INIT, vals = SQLITCH_STRV_INIT;
  char *prefix = sqlitch_mprintf("target.%s", name);
  sqlitch_strv_push_owned(&keys, sqlitch_mprintf("%s.uri", prefix));
  sqlitch_strv_push(&vals, u->str);
  sh_tc_params(tc, prefix, "uri", tc->uri, &keys, &vals);
  free(prefix);
  sqlitch_uri_free(u);
  int rc = sh_tc_group_set_all(sqlitch_config_local_file(ctx->config), &keys,
                               &vals, err);
  sqlitch_strv_free(&keys);
  sqlitch_strv_free(&vals);
  if (rc) return SQLITCH_ERROR;

  /* the configuration is not reloaded: as in Sqitch, the new target is
     resolved from what was loaded at start-up */
  sqlitch_target *t;
  if (sh_tc_config_target(ctx, tc, name, NULL, NULL, &t, err))
    return SQLITCH_ERROR;
  rc = sh_tc_write_plan(ctx, tc, t, NULL, NULL, err);
  if (!rc) rc = sh_tc_make_dirs(ctx, tc, t, err);
  sqlitch_target_free(t);
  return rc ? SQLITCH_ERROR : 0;
}

static int do_alter(sh_ctx *ctx, sh_tc *tc, int argc, char **argv,
                    sqlitch_err *err) {
  const char *name = argc > 0 ? argv[0] : NULL;
  if (!sqlitch_perl_true(name)) return sh_tc_usage(ctx, NULL);
  if (!target_uri(ctx, name)) {
    char *shown = sqlitch_perl_true(tc->uri) ? sh_tc_safe(tc->uri)
                                             : sqlitch_strdup("$uri");
    sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                    "Missing Target \"%s\"; use \"add %s %s\" to add it", name,
                    name, shown);
    free(shown);
    return SQLITCH_ERROR;
  }
  sqlitch_strv keys = SQLITCH_STRV_INIT, vals = SQLITCH_STRV_INIT;
  char *prefix = sqlitch_mprintf("target.%s", name);
  sh_tc_params(tc, prefix, "uri", tc->uri, &keys, &vals);
  free(prefix);
  int rc = sh_tc_group_set_all(sqlitch_config_local_file(ctx->config), &keys,
                               &vals, err);
  sqlitch_strv_free(&keys);
  sqlitch_strv_free(&vals);
  if (rc) return SQLITCH_ERROR;
  sqlitch_target *t;
  if (sh_tc_config_target(ctx, tc, name, NULL, NULL, &t, err))
    return SQLITCH_ERROR;
  rc = sh_tc_make_dirs(ctx, tc, t, err);
  sqlitch_target_free(t);
  return rc ? SQLITCH_ERROR : 0;
}

/* core.target / engine.<e>.target keys whose value is `name`, sorted. */
static int check_dependencies(sh_ctx *ctx, const char *name, sqlitch_err *err) {
  const char **all = NULL;
  size_t n = sqlitch_config_keys(ctx->config, &all);
  sqlitch_strv deps = SQLITCH_STRV_INIT;
  for (size_t i = 0; i < n; i++) {
    const char *k = all[i];
    int match = strcmp(k, "core.target") == 0;
    if (!match && strncmp(k, "engine.", 7) == 0) {
      const char *dot = strchr(k + 7, '.');
      match = dot && dot > k + 7 && strcmp(dot, ".target") == 0;
    }
    if (match && sqlitch_streq(sqlitch_config_get(ctx->config, k), name))
      sqlitch_strv_push(&deps, k);
  }
  free(all);
  int rc = SQLITCH_OK;
  if (deps.n) {
    char *list = sqlitch_strv_join(&deps, ", ");
    rc = sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                         "Cannot rename target \"%s\" because it's referenced "
                         "by: %s",
                         name, list);
    free(list);
  }
  sqlitch_strv_free(&deps);
  return rc;
}

static int rename_target(sh_ctx *ctx, const char *old, const char *new_,
                         sqlitch_err *err) {
  const char *file = sqlitch_config_local_file(ctx->config);
  char *from = sqlitch_mprintf("target.%s", old);
  char *to = new_ ? sqlitch_mprintf("target.%s", new_) : NULL;
  int rc = sqlitch_config_rename_section(file, from, to, err);
  free(from);
  free(to);
  if (rc) {
    if (sh_tc_no_such_section(err))
      sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "Unknown target \"%s\"", old);
    return SQLITCH_ERROR;
  }
  from = sqlitch_mprintf("target.%s.variables", old);
  to = new_ ? sqlitch_mprintf("target.%s.variables", new_) : NULL;
  rc = sqlitch_config_rename_section(file, from, to, err);
  free(from);
  free(to);
  if (rc && !sh_tc_no_such_section(err)) return SQLITCH_ERROR;
  sqlitch_err_clear(err);
  return 0;
}

static int do_remove(sh_ctx *ctx, sh_tc *tc, int argc, char **argv,
                     sqlitch_err *err) {
  const char *name = argc > 0 ? argv[0] : NULL;
  if (!sqlitch_perl_true(name)) return sh_tc_usage(ctx, NULL);
  if (check_dependencies(ctx, name, err)) return SQLITCH_ERROR;
  return rename_target(ctx, name, NULL, err);
}

static int do_rename(sh_ctx *ctx, sh_tc *tc, int argc, char **argv,
                     sqlitch_err *err) {
  const char *old = argc > 0 ? argv[0] : NULL;
  const char *new_ = argc > 1 ? argv[1] : NULL;
  if (!sqlitch_perl_true(old) || !sqlitch_perl_true(new_))
    return sh_tc_usage(ctx, NULL);
  if (check_dependencies(ctx, old, err)) return SQLITCH_ERROR;
  return rename_target(ctx, old, new_, err);
}

static int do_show(sh_ctx *ctx, sh_tc *tc, int argc, char **argv,
                   sqlitch_err *err) {
  if (argc == 0) return do_list(ctx);
  for (int i = 0; i < argc; i++) {
    sqlitch_target *t;
    if (sqlitch_target_new(ctx->config, argv[i], NULL, &t, err))
      return SQLITCH_ERROR;
    char *shown = sh_tc_safe(argv[i]);
    char *uri = sqlitch_uri_display(t->uri);
    sh_emit(ctx, "* %s", shown);
    int rc = sh_tc_show(ctx, "URI", uri, t, err);
    free(shown);
    free(uri);
    sqlitch_target_free(t);
    if (rc) return SQLITCH_ERROR;
  }
  return 0;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  static const sh_tc_action actions[] = {
      {"add", do_add},   {"alter", do_alter},   {"remove", do_remove},
      {"rm", do_remove}, {"rename", do_rename}, {"show", do_show},
      {NULL, NULL}};
  return sh_tc_dispatch(ctx, o, argc, argv, actions, do_list, err);
}

const sh_cmd sh_cmd_target = {"target", opts, run};
