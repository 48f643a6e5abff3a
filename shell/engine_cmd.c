/*
** engine_cmd.c -- shared set-up of the engine-driving commands
** (engine_cmd.h).
*/
#include "engine_cmd.h"

#include <string.h>

static int ask(void *c, const char *msg, int dflt, sqlitch_err *err) {
  return sh_ask_yes_no((sh_ctx *)c, msg, dflt, err);
}

int sh_engine_begin(sh_ctx *ctx, sh_opts *o, int argc, char **argv, int flags,
                    const char *verb, sh_engine_run *r, sqlitch_err *err) {
  memset(r, 0, sizeof *r);
  sh_target_opts(o, &r->topts);
  sh_args_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.target = sh_opt_str(o, "target");
  spec.no_changes = (flags & SH_NO_CHANGES) != 0;
  spec.topts = &r->topts;
  if (sh_parse_args(ctx, &spec, argc, argv, &r->args, err))
    return SQLITCH_ERROR;
  r->target = r->args.targets[0];
  if (r->args.ntargets > 1)
    sh_warn(ctx, "Too many targets specified; %s %s", verb, r->target->name);
  /* the plan parsed to sort the arguments, not parsed a second time; or
     parsed on another thread while the engine starts (SH_PREFETCH_PLAN) */
  sqlitch_plan *plan = sh_args_plan_of(&r->args, r->target->plan_file);
  sqlitch_plan_future *f = NULL;
  if (!plan && (flags & SH_PREFETCH_PLAN))
    f = sqlitch_plan_load_start(r->target->plan_file);
  if (sqlitch_engine_new(ctx->config, r->target, &ctx->reporter, &r->engine,
                         err)) {
    sqlitch_plan_load_cancel(f);
    return SQLITCH_ERROR;
  }
  if (plan) sqlitch_engine_set_plan(r->engine, plan);
  if (f) sqlitch_engine_set_plan_future(r->engine, f);
  r->engine->opts.verbosity = ctx->verbosity;
  r->engine->opts.ask_yes_no = ask;
  r->engine->opts.ask_ctx = ctx;
  return SQLITCH_OK;
}

void sh_engine_end(sh_engine_run *r) {
  sqlitch_engine_free(r->engine);
  r->engine = NULL;
  sh_args_free(&r->args);
}

void sh_engine_common_opts(sh_ctx *ctx, sh_opts *o, sh_engine_run *r,
                           const char *command) {
  sqlitch_engine *e = r->engine;
  if (sh_opt_has(o, "lock-timeout"))
    e->opts.lock_timeout = (double)sh_opt_int(o, "lock-timeout", 60);
  sqlitch_target_variables(ctx->config, r->target, command,
                           sh_opt_list(o, "set"), &e->opts.variables);
}

int sh_config_bool(sh_ctx *ctx, const char *key, int dflt, int *out,
                   sqlitch_err *err) {
  int v, r = sqlitch_config_get_bool(ctx->config, key, &v, err);
  if (r < 0) return SQLITCH_ERROR;
  *out = r == 1 ? v : dflt;
  return SQLITCH_OK;
}
