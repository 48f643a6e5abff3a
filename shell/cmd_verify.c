/*
** cmd_verify.c -- `sqlitch verify` (App::Sqitch::Command::verify).
**
**   sqlitch verify [options] [<target>] [<from> [<to>]]
**     -t, --target <t>         target name or db: URI
**     --from, --from-change    first change to verify
**     --to, --to-change        last change to verify
**     -s, --set k=v            script variables (ignored by SQLite)
**     --json                   JSON lines on stdout instead of the report:
**                              one per change, then a summary
**   plus --registry, --client, --db-* and --plan-file/--top-dir.
**
** Runs each deployed change's verify script and prints Sqitch's report;
** "Verify failed" (exit 2) when any change fails. --json (sqlitch only)
** is the stream of json_run.h (docs/json.md).
*/
#include <string.h>

#include "engine_cmd.h"
#include "json_run.h"

static const char *const opts[] = {
    "target|t=s", "from-change|from=s", "to-change|to=s", "set|s=s%",
    "json",       SH_CONTEXT_OPTS,      SH_CONNECT_OPTS,  NULL};

static int verify(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
                  sh_engine_run *r, sqlitch_err *err) {
  sh_warn_top_dir(ctx, o);
  if (sh_engine_begin(ctx, o, argc, argv, 0, "connecting to", r, err))
    return SQLITCH_ERROR;
  size_t used = 0;
  const char *from = sh_opt_str(o, "from-change");
  const char *to = sh_opt_str(o, "to-change");
  if (!from && used < r->args.changes.n) from = r->args.changes.v[used++];
  if (!to && used < r->args.changes.n) to = r->args.changes.v[used++];
  if (r->args.changes.n > used)
    sh_warn(ctx, "Too many changes specified; verifying from \"%s\" to \"%s\"",
            from ? from : "", to ? to : "");
  sh_engine_common_opts(ctx, o, r, "verify");
  return sqlitch_engine_verify(r->engine, from, to, err) == SQLITCH_OK
             ? 0
             : SQLITCH_ERROR;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  int json = sh_opt_bool(o, "json", 0);
  sh_json_run jr;
  if (json) sh_json_run_begin(&jr, ctx, "verify");
  sh_engine_run r;
  memset(&r, 0, sizeof r);
  int rc = verify(ctx, o, argc, argv, &r, err);
  if (json) rc = sh_json_run_end(&jr, r.engine, rc, err);
  sh_engine_end(&r);
  return rc;
}

const sh_cmd sh_cmd_verify = {"verify", opts, run};
