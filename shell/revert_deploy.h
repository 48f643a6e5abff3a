/*
** revert_deploy.h -- App::Sqitch::Role::RevertDeployCommand for the two
** commands that revert and then deploy on one engine: `rebase` and
** `checkout`. Options, their configuration fallbacks, the variables of
** each half, and the revert half's soft-error rule.
**
**   static const char *const opts[] = { "onto-change|onto=s", ...,
**                                       SH_RD_OPTS, NULL };
**   sh_rd rd;
**   if (sh_rd_configure(ctx, o, "rebase", &rd, err)) return SQLITCH_ERROR;
**   ... sh_engine_begin(...) ...
**   sh_rd_apply(&rd, r.engine);                 // verify, -y, log-only, ...
**   sh_rd_variables(ctx, o, r.engine, r.target, "revert");
**   if (sh_rd_revert(ctx, r.engine, onto, err)) ... // hard errors only
**   sh_rd_variables(ctx, o, r.engine, r.target, "deploy");
**   rc = sqlitch_engine_deploy(r.engine, upto, rd.mode, err);
**
** Configuration, as Sqitch reads it (<cmd> is "rebase" or "checkout"):
**   verify         --verify/--no-verify, <cmd>.verify, deploy.verify, 0
**   mode           --mode, <cmd>.mode, deploy.mode, "all" (checked:
**                  exit 255 `Value "x" did not pass type constraint ...`)
**   no_prompt      -y, <cmd>.no_prompt, revert.no_prompt, 0
**   prompt_accept  <cmd>.prompt_accept, revert.prompt_accept, 1
** Variables: --set for both halves, --set-deploy (-e) / --set-revert (-r)
** on top for one half; config sections as sqlitch_target_variables().
*/
#ifndef SQLITCH_SHELL_REVERT_DEPLOY_H
#define SQLITCH_SHELL_REVERT_DEPLOY_H

#include "engine.h"
#include "shell.h"

/* The options the role adds, plus ContextCommand's and
   ConnectingCommand's. */
#define SH_RD_OPTS                                                             \
  "target|t=s", "mode=s", "verify!", "set|s=s%", "set-deploy|e=s%",            \
      "set-revert|r=s%", "log-only", "lock-timeout=i", "y", SH_CONTEXT_OPTS,   \
      SH_CONNECT_OPTS

typedef struct sh_rd {
  int verify;
  const char *mode; /* borrowed from the options or the config */
  int no_prompt;
  int prompt_accept;
  int log_only;
  int has_lock_timeout;
  long lock_timeout;
} sh_rd;

/* The configure step (errors exit 255 or as the config reader says). */
int sh_rd_configure(sh_ctx *ctx, sh_opts *o, const char *command, sh_rd *rd,
                    sqlitch_err *err);
/* Engine options: with_verify, no_prompt, prompt_accept, log_only,
   lock_timeout. */
void sh_rd_apply(const sh_rd *rd, sqlitch_engine *e);
/* Replace the engine's variables with those of `half` ("revert" or
   "deploy"). */
void sh_rd_variables(sh_ctx *ctx, sh_opts *o, sqlitch_engine *e,
                     const sqlitch_target *t, const char *half);
/* $engine->revert($to) inside Sqitch's try/catch: an error with exit
   value 1 is printed (info) and swallowed, except "Nothing reverted" after
   declining to revert to a named change (ident revert:confirm), which is
   returned like every exit-2 error. */
int sh_rd_revert(sh_ctx *ctx, sqlitch_engine *e, const char *to,
                 sqlitch_err *err);

#endif
