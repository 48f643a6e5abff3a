/*
** cmd_rebase.c -- `sqlitch rebase` (App::Sqitch::Command::rebase): revert
** to a change, then deploy again, in one run.
**
**   sqlitch rebase [options] [<target>] [<onto>] [<upto>]
**     --onto, --onto-change <c>   revert the changes after <c> (default:
**                                 all of them)
**     --upto, --upto-change <c>   then deploy up to <c> (default: all)
**     -m, --modified              revert to the last change whose deploy
**                                 script is unchanged since it was deployed
**     -y                          do not ask (rebase.no_prompt,
**                                 revert.no_prompt)
**     --mode all|tag|change       on deploy failure (rebase.mode, deploy.mode)
**     --verify / --no-verify      (rebase.verify, deploy.verify)
**     --log-only  --lock-timeout <s>
**     -s, --set k=v               variables for both halves; -e/--set-deploy
**                                 and -r/--set-revert for one half
**   plus -t/--target, --registry, --client, --db-*, --plan-file/--top-dir.
**
** Example:
**   $ sqlitch rebase -y --onto @v1.0
**   Reverting changes to flips @v1.0 @beta from db:sqlite:flipr.db
**     - widgets .. ok
**   Deploying changes to db:sqlite:flipr.db
**     + widgets .. ok
**
** Soft errors of the revert half ("No changes deployed since ...",
** "Nothing to revert (nothing deployed)", declining "Revert all
** changes?") are printed and the deploy goes on; declining "Revert changes
** to X?" stops with "Nothing reverted" (exit 1), as in sqitch.
*/
#include <stdlib.h>

#include "engine_cmd.h"
#include "revert_deploy.h"

static const char *const opts[] = {"onto-change|onto=s", "upto-change|upto=s",
                                   "modified|m", SH_RD_OPTS, NULL};

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  sh_rd rd;
  if (sh_rd_configure(ctx, o, "rebase", &rd, err)) return SQLITCH_ERROR;
  sh_warn_top_dir(ctx, o);

  sh_engine_run r;
  if (sh_engine_begin(ctx, o, argc, argv, 0, "connecting to", &r, err)) {
    sh_engine_end(&r);
    return SQLITCH_ERROR;
  }
  sqlitch_engine *e = r.engine;
  const sqlitch_strv *ch = &r.args.changes;
  size_t used = 0;
  char *onto = NULL;
  int rc = SQLITCH_OK;
  if (sh_opt_bool(o, "modified", 0)) {
    rc = sqlitch_engine_common_ancestor_id(e, &onto, err);
  } else if (sh_opt_str(o, "onto-change")) {
    onto = sqlitch_strdup(sh_opt_str(o, "onto-change"));
  } else if (used < ch->n) {
    onto = sqlitch_strdup(ch->v[used++]);
  }
  const char *upto = sh_opt_str(o, "upto-change");
  if (!upto && used < ch->n) upto = ch->v[used++];
  if (rc == SQLITCH_OK) {
    if (used < ch->n)
      sh_warn(ctx,
              "Too many changes specified; rebasing onto \"%s\" up to \"%s\"",
              onto ? onto : "", upto ? upto : "");
    sh_rd_apply(&rd, e);
    sh_rd_variables(ctx, o, e, r.target, "revert");
    rc = sh_rd_revert(ctx, e, onto, err);
  }
  if (rc == SQLITCH_OK) {
    sh_rd_variables(ctx, o, e, r.target, "deploy");
    rc = sqlitch_engine_deploy(e, upto, rd.mode, err);
  }
  free(onto);
  sh_engine_end(&r);
  return rc == SQLITCH_OK ? 0 : SQLITCH_ERROR;
}

const sh_cmd sh_cmd_rebase = {"rebase", opts, run};
