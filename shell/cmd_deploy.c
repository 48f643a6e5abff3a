/*
** cmd_deploy.c -- `sqlitch deploy` (App::Sqitch::Command::deploy).
**
**   sqlitch deploy [options] [<target>] [<change>]
**     -t, --target <t>            target name or db: URI
**     --to, --to-change <c>       deploy up to and including <c>
**     --mode all|tag|change       what to revert when a change fails
**     --verify / --no-verify      run each verify script after deploying
**     --log-only                  record the changes without running scripts
**     --lock-timeout <secs>       wait this long for another deploy (60)
**     -s, --set k=v               script variables (ignored by SQLite)
**     --dry-run                   show changes and their SQL; change nothing
**     --backup[=FILE]             online copy of the target before the first
**                                 change (SQLite)
**     --json                      JSON lines on stdout instead of the
**                                 progress: one per change, then a summary
**   plus --registry, --client, --db-* and --plan-file/--top-dir.
**
** The work is sqlitch_engine_deploy() (core/engine.c); this file turns
** options and configuration (deploy.mode, deploy.verify) into engine
** settings, as Command::deploy's configure() and execute() do. --json
** (sqlitch only) is the stream of json_run.h (docs/json.md).
*/
#include <string.h>

#include "engine_cmd.h"
#include "json_run.h"

static const char *const opts[] = {"target|t=s",
                                   "to-change|to|change=s",
                                   "mode=s",
                                   "set|s=s%",
                                   "log-only",
                                   "lock-timeout=i",
                                   "verify!",
                                   "dry-run",
                                   "backup:s",
                                   "json",
                                   SH_CONTEXT_OPTS,
                                   SH_CONNECT_OPTS,
                                   NULL};

/* The three modes Command::deploy accepts (its Enum type). */
static const char *const modes[] = {"all", "change", "tag", NULL};

static int check_mode(const char *mode, sqlitch_err *err) {
  for (int i = 0; modes[i]; i++)
    if (strcmp(mode, modes[i]) == 0) return SQLITCH_OK;
  return sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                         "Value \"%s\" did not pass type constraint "
                         "\"Enum[all,change,tag]\" (in $args->{\"mode\"})",
                         mode);
}

static int deploy(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
                  sh_engine_run *r, sqlitch_err *err) {
  sh_warn_top_dir(ctx, o);
  const char *mode = sh_opt_str(o, "mode");
  if (!sqlitch_perl_true(mode))
    mode = sqlitch_config_get(ctx->config, "deploy.mode");
  if (!sqlitch_perl_true(mode)) mode = "all";
  if (check_mode(mode, err)) return SQLITCH_ERROR;
  int verify;
  if (sh_opt_has(o, "verify"))
    verify = sh_opt_bool(o, "verify", 0);
  else if (sh_config_bool(ctx, "deploy.verify", 0, &verify, err))
    return SQLITCH_ERROR;

  if (sh_engine_begin(ctx, o, argc, argv, 0, "connecting to", r, err))
    return SQLITCH_ERROR;
  const char *to = sh_opt_str(o, "to-change");
  size_t used = 0;
  if (!to && r->args.changes.n) to = r->args.changes.v[used++];
  if (r->args.changes.n > used)
    sh_warn(ctx, "Too many changes specified; deploying to \"%s\"", to);

  sqlitch_engine *e = r->engine;
  sh_engine_common_opts(ctx, o, r, "deploy");
  e->opts.with_verify = verify;
  e->opts.log_only = sh_opt_bool(o, "log-only", 0);
  e->opts.dry_run = sh_opt_bool(o, "dry-run", 0);
  if (sh_opt_has(o, "backup")) {
    const char *b = sh_opt_str(o, "backup");
    e->opts.backup = b ? b : "";
  }
  return sqlitch_engine_deploy(e, to, mode, err) == SQLITCH_OK ? 0
                                                               : SQLITCH_ERROR;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  int json = sh_opt_bool(o, "json", 0);
  sh_json_run jr;
  if (json) sh_json_run_begin(&jr, ctx, "deploy");
  sh_engine_run r;
  memset(&r, 0, sizeof r);
  int rc = deploy(ctx, o, argc, argv, &r, err);
  if (json) rc = sh_json_run_end(&jr, r.engine, rc, err);
  sh_engine_end(&r);
  return rc;
}

const sh_cmd sh_cmd_deploy = {"deploy", opts, run};
