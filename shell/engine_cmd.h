/*
** engine_cmd.h -- what the commands that drive an engine (deploy, revert,
** verify, check, upgrade, and later rebase/checkout/status/log) share:
** sorting positional arguments into a target and changes, and creating
** the engine with the CLI's reporter, prompt and verbosity.
**
**   sh_engine_run r;
**   if (sh_engine_begin(ctx, o, argc, argv, 0, &r, err)) return SQLITCH_ERROR;
**   // r.target, r.args.changes, r.engine are ready
**   int rc = sqlitch_engine_deploy(r.engine, to, mode, err);
**   sh_engine_end(&r);
**
** The "Too many targets specified; <verb> <target>" warning is printed by
** sh_engine_begin with the verb given in `too_many` ("connecting to",
** "using").
*/
#ifndef SQLITCH_SHELL_ENGINE_CMD_H
#define SQLITCH_SHELL_ENGINE_CMD_H

#include "args.h"
#include "engine.h"
#include "shell.h"

typedef struct sh_engine_run {
  sqlitch_target_opts topts;
  sh_args args;
  const sqlitch_target *target; /* args.targets[0] */
  sqlitch_engine *engine;
} sh_engine_run;

/* sh_engine_begin flags: the command takes no change arguments (every
   argument is a target); parse the plan on another thread while the
   engine connects (status: the plan is only needed after the query). */
#define SH_NO_CHANGES 1
#define SH_PREFETCH_PLAN 2

/* Parse arguments, pick the target, create the engine. `verb` completes
   the too-many-targets warning ("connecting to" / "using"). */
int sh_engine_begin(sh_ctx *ctx, sh_opts *o, int argc, char **argv, int flags,
                    const char *verb, sh_engine_run *r, sqlitch_err *err);
void sh_engine_end(sh_engine_run *r);

/* --lock-timeout, --set and script variables for `command`. */
void sh_engine_common_opts(sh_ctx *ctx, sh_opts *o, sh_engine_run *r,
                           const char *command);

/* A config boolean (`key`), or dflt when unset. */
int sh_config_bool(sh_ctx *ctx, const char *key, int dflt, int *out,
                   sqlitch_err *err);

#endif
