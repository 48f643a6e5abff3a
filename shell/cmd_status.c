/*
** cmd_status.c -- `sqlitch status` (App::Sqitch::Command::status): show
** what is deployed to a database and what of the plan is not.
**
**   sqlitch status [options] [<target>]
**     -t, --target <t>          target name or db: URI
**     --project <name>          the project to report on (default: the
**                               plan's, or the registry's only project)
**     --show-changes            list the deployed changes (status.show_changes)
**     --show-tags               list the deployed tags (status.show_tags)
**     --date-format, --date <f> date format (status.date_format; iso)
**   plus --registry, --client, --db-* and --plan-file/--top-dir.
**
** Example:
**   $ sqlitch status
**   # On database db:sqlite:flipr.db
**   # Project:  flipr
**   # Change:   32d0465307882ce8b4758de2052e26c116c57309
**   # Name:     flips
**   # Tags:     @beta, @v1.0
**   # Deployed: 2024-01-15 10:30:00 +0000
**   # By:       Test User <test@example.com>
**   #
**   Undeployed change:
**     * widgets
**
** Nothing deployed exits 1 ("No changes deployed"). The work is
** sqlitch_status_report() in core/status.c; this file reads the options.
*/
#include "engine_cmd.h"
#include "datefmt.h"
#include "status.h"

static const char *const opts[] = {
    "project=s",          "target|t=s",    "show-tags",     "show-changes",
    "date-format|date=s", SH_CONTEXT_OPTS, SH_CONNECT_OPTS, NULL};

/* --flag, else status.<key> as a boolean, else 0. */
static int flag(sh_ctx *ctx, sh_opts *o, const char *opt, const char *key,
                int *out, sqlitch_err *err) {
  if (sh_opt_has(o, opt)) {
    *out = sh_opt_bool(o, opt, 0);
    return SQLITCH_OK;
  }
  int v, r = sqlitch_config_get_bool(ctx->config, key, &v, err);
  if (r < 0) {
    err->exitval = 255; /* raised by configure */
    return SQLITCH_ERROR;
  }
  *out = r == 1 && v;
  return SQLITCH_OK;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  /* configure */
  const char *datefmt = sh_opt_str(o, "date-format");
  if (!sqlitch_perl_true(datefmt))
    datefmt = sqlitch_config_get(ctx->config, "status.date_format");
  if (sqlitch_perl_true(datefmt) && sqlitch_datefmt_validate(datefmt, err))
    return SQLITCH_ERROR;
  sqlitch_status_opts so;
  sqlitch_status_opts_init(&so);
  so.date_format = sqlitch_perl_true(datefmt) ? datefmt : "iso";
  so.project = sh_opt_str(o, "project");
  if (flag(ctx, o, "show-changes", "status.show_changes", &so.show_changes,
           err) ||
      flag(ctx, o, "show-tags", "status.show_tags", &so.show_tags, err))
    return SQLITCH_ERROR;
  sh_warn_top_dir(ctx, o);

  /* execute */
  sh_engine_run r;
  int rc = sh_engine_begin(ctx, o, argc, argv, 0, "connecting to", &r, err);
  if (rc == SQLITCH_OK) rc = sqlitch_status_report(r.engine, &so, err);
  sh_engine_end(&r);
  return rc == SQLITCH_OK ? 0 : SQLITCH_ERROR;
}

const sh_cmd sh_cmd_status = {"status", opts, run};
