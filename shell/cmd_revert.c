/*
** cmd_revert.c -- `sqlitch revert` (App::Sqitch::Command::revert).
**
**   sqlitch revert [options] [<target>] [<change>]
**     -t, --target <t>            target name or db: URI
**     --to, --to-change <c>       revert the changes deployed after <c>
**     -m, --modified              revert to the last change whose deploy
**                                 script is unchanged since it was deployed
**     -y                          do not ask (revert.no_prompt)
**     --log-only                  record the reverts without running scripts
**     --lock-timeout <secs>       wait this long for another deploy (60)
**     -s, --set k=v               script variables (ignored by SQLite)
**     --dry-run                   show changes and their SQL; change nothing
**     --json                      JSON lines on stdout instead of the
**                                 progress: one per change, then a summary
**   plus --registry, --client, --db-* and --plan-file/--top-dir.
**
** Prompts "Revert ... from <db>? [Yes]" unless -y; the default answer is
** revert.prompt_accept. Declining exits 1 with "Nothing reverted".
** --json (sqlitch only) is the stream of json_run.h (docs/json.md); it
** never prompts: the answer is the default one, as when sqitch reads the
** answer from a script's exhausted stdin.
*/
#include <stdlib.h>
#include <string.h>

#include "engine_cmd.h"
#include "json_run.h"

static const char *const opts[] = {"target|t=s",
                                   "to-change|to|change=s",
                                   "set|s=s%",
                                   "log-only",
                                   "lock-timeout=i",
                                   "modified|m",
                                   "y",
                                   "dry-run",
                                   "json",
                                   SH_CONTEXT_OPTS,
                                   SH_CONNECT_OPTS,
                                   NULL};

/* The prompt under --json: no question, the default answer. */
static int default_answer(void *c, const char *msg, int dflt,
                          sqlitch_err *err) {
  (void)c, (void)msg, (void)err;
  return dflt;
}

static int revert(sh_ctx *ctx, sh_opts *o, int argc, char **argv, int json,
                  sh_engine_run *r, sqlitch_err *err) {
  sh_warn_top_dir(ctx, o);
  int no_prompt, accept;
  if (sh_opt_has(o, "y"))
    no_prompt = 1;
  else if (sh_config_bool(ctx, "revert.no_prompt", 0, &no_prompt, err))
    return SQLITCH_ERROR;
  if (sh_config_bool(ctx, "revert.prompt_accept", 1, &accept, err))
    return SQLITCH_ERROR;

  if (sh_engine_begin(ctx, o, argc, argv, 0, "connecting to", r, err))
    return SQLITCH_ERROR;
  sqlitch_engine *e = r->engine;
  if (json) e->opts.ask_yes_no = default_answer;
  int rc = SQLITCH_OK;
  char *to = NULL;
  size_t used = 0;
  if (sh_opt_bool(o, "modified", 0)) {
    rc = sqlitch_engine_common_ancestor_id(e, &to, err);
  } else if (sh_opt_str(o, "to-change")) {
    to = sqlitch_strdup(sh_opt_str(o, "to-change"));
  } else if (r->args.changes.n) {
    to = sqlitch_strdup(r->args.changes.v[used++]);
  }
  if (rc == SQLITCH_OK) {
    if (r->args.changes.n > used)
      sh_warn(ctx, "Too many changes specified; reverting to \"%s\"",
              to ? to : "");
    e->opts.no_prompt = no_prompt;
    e->opts.prompt_accept = accept;
    e->opts.log_only = sh_opt_bool(o, "log-only", 0);
    e->opts.dry_run = sh_opt_bool(o, "dry-run", 0);
    sh_engine_common_opts(ctx, o, r, "revert");
    rc = sqlitch_engine_revert(e, to, err);
  }
  free(to);
  return rc == SQLITCH_OK ? 0 : SQLITCH_ERROR;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  int json = sh_opt_bool(o, "json", 0);
  sh_json_run jr;
  if (json) sh_json_run_begin(&jr, ctx, "revert");
  sh_engine_run r;
  memset(&r, 0, sizeof r);
  int rc = revert(ctx, o, argc, argv, json, &r, err);
  if (json) rc = sh_json_run_end(&jr, r.engine, rc, err);
  sh_engine_end(&r);
  return rc;
}

const sh_cmd sh_cmd_revert = {"revert", opts, run};
