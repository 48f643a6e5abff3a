/*
** revert_deploy.c -- Role::RevertDeployCommand, shared by `rebase` and
** `checkout` (revert_deploy.h has the manual).
*/
#include "revert_deploy.h"

#include <stdlib.h>
#include <string.h>

/* Command::RevertDeployCommand's `mode` attribute type. */
static const char *const modes[] = {"all", "change", "tag", NULL};

/* A boolean from the first key that is set, else dflt. */
static int config_bool(sh_ctx *ctx, const char *const *keys, int dflt, int *out,
                       sqlitch_err *err) {
  for (; *keys; keys++) {
    int v, r = sqlitch_config_get_bool(ctx->config, *keys, &v, err);
    if (r < 0) return SQLITCH_ERROR;
    if (r == 1) {
      *out = v;
      return SQLITCH_OK;
    }
  }
  *out = dflt;
  return SQLITCH_OK;
}

int sh_rd_configure(sh_ctx *ctx, sh_opts *o, const char *command, sh_rd *rd,
                    sqlitch_err *err) {
  memset(rd, 0, sizeof *rd);
  char *k_verify = sqlitch_mprintf("%s.verify", command);
  char *k_mode = sqlitch_mprintf("%s.mode", command);
  char *k_np = sqlitch_mprintf("%s.no_prompt", command);
  char *k_pa = sqlitch_mprintf("%s.prompt_accept", command);
  const char *verify_keys[] = {k_verify, "deploy.verify", NULL};
  const char *np_keys[] = {k_np, "revert.no_prompt", NULL};
  const char *pa_keys[] = {k_pa, "revert.prompt_accept", NULL};
  int rc = SQLITCH_OK;

  if (sh_opt_has(o, "verify"))
    rd->verify = sh_opt_bool(o, "verify", 0);
  else
    rc = config_bool(ctx, verify_keys, 0, &rd->verify, err);

  const char *mode = sh_opt_str(o, "mode");
  if (!sqlitch_perl_true(mode)) mode = sqlitch_config_get(ctx->config, k_mode);
  if (!sqlitch_perl_true(mode))
    mode = sqlitch_config_get(ctx->config, "deploy.mode");
  if (!sqlitch_perl_true(mode)) mode = "all";
  rd->mode = mode;

  if (rc == SQLITCH_OK) {
    if (sh_opt_has(o, "y"))
      rd->no_prompt = sh_opt_bool(o, "y", 1);
    else
      rc = config_bool(ctx, np_keys, 0, &rd->no_prompt, err);
  }
  if (rc == SQLITCH_OK)
    rc = config_bool(ctx, pa_keys, 1, &rd->prompt_accept, err);
  rd->log_only = sh_opt_bool(o, "log-only", 0);
  rd->has_lock_timeout = sh_opt_has(o, "lock-timeout");
  rd->lock_timeout =
      sh_opt_int(o, "lock-timeout", SQLITCH_DEFAULT_LOCK_TIMEOUT);
  free(k_verify);
  free(k_mode);
  free(k_np);
  free(k_pa);
  if (rc) return SQLITCH_ERROR;

  /* the attribute's type check, when the command object is built */
  for (size_t i = 0; modes[i]; i++)
    if (strcmp(mode, modes[i]) == 0) return SQLITCH_OK;
  return sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                         "Value \"%s\" did not pass type constraint "
                         "\"Enum[all,change,tag]\" (in $args->{\"mode\"})",
                         mode);
}

void sh_rd_apply(const sh_rd *rd, sqlitch_engine *e) {
  e->opts.with_verify = rd->verify;
  e->opts.no_prompt = rd->no_prompt;
  e->opts.prompt_accept = rd->prompt_accept;
  e->opts.log_only = rd->log_only;
  if (rd->has_lock_timeout) e->opts.lock_timeout = (double)rd->lock_timeout;
}

void sh_rd_variables(sh_ctx *ctx, sh_opts *o, sqlitch_engine *e,
                     const sqlitch_target *t, const char *half) {
  sqlitch_strv sets = SQLITCH_STRV_INIT;
  const sqlitch_strv *both = sh_opt_list(o, "set");
  const sqlitch_strv *own =
      sh_opt_list(o, strcmp(half, "deploy") == 0 ? "set-deploy" : "set-revert");
  for (size_t i = 0; i < both->n; i++)
    sqlitch_strv_push(&sets, both->v[i]);
  for (size_t i = 0; i < own->n; i++)
    sqlitch_strv_push(&sets, own->v[i]);
  sqlitch_strv_clear(&e->opts.variables);
  sqlitch_target_variables(ctx->config, t, half, &sets, &e->opts.variables);
  sqlitch_strv_free(&sets);
}

int sh_rd_revert(sh_ctx *ctx, sqlitch_engine *e, const char *to,
                 sqlitch_err *err) {
  if (sqlitch_engine_revert(e, to, err) == SQLITCH_OK) return SQLITCH_OK;
  /* die $_ if !X || exitval > 1 || ident eq 'revert:confirm' */
  if (err->exitval > 1 || err->kind == SQLITCH_E_PRIVATE ||
      err->kind == SQLITCH_E_DEV)
    return SQLITCH_ERROR;
  if (to && sqlitch_streq(err->msg, "Nothing reverted")) return SQLITCH_ERROR;
  if (err->msg) sh_info(ctx, "%s", err->msg);
  sqlitch_err_clear(err);
  return SQLITCH_OK;
}
