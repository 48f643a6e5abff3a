/*
** cmd_verify.c -- `sqlitch verify` (App::Sqitch::Command::verify).
**
**   sqlitch verify [options] [<target>] [<from> [<to>]]
**     -t, --target <t>         target name or db: URI
**     --from, --from-change    first change to verify
**     --to, --to-change        last change to verify
**     -s, --set k=v            script variables (ignored by SQLite)
**   plus --registry, --client, --db-* and --plan-file/--top-dir.
**
** Runs each deployed change's verify script and prints Sqitch's report;
** "Verify failed" (exit 2) when any change fails.
*/
#include "engine_cmd.h"

static const char *const opts[] = {
    "target|t=s", "from-change|from=s", "to-change|to=s",
    "set|s=s%",   SH_CONTEXT_OPTS,      SH_CONNECT_OPTS,
    NULL};

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  sh_warn_top_dir(ctx, o);
  sh_engine_run r;
  if (sh_engine_begin(ctx, o, argc, argv, 0, "connecting to", &r, err)) {
    sh_engine_end(&r);
    return SQLITCH_ERROR;
  }
  size_t used = 0;
  const char *from = sh_opt_str(o, "from-change");
  const char *to = sh_opt_str(o, "to-change");
  if (!from && used < r.args.changes.n) from = r.args.changes.v[used++];
  if (!to && used < r.args.changes.n) to = r.args.changes.v[used++];
  if (r.args.changes.n > used)
    sh_warn(ctx, "Too many changes specified; verifying from \"%s\" to \"%s\"",
            from ? from : "", to ? to : "");
  sh_engine_common_opts(ctx, o, &r, "verify");
  int rc = sqlitch_engine_verify(r.engine, from, to, err);
  sh_engine_end(&r);
  return rc == SQLITCH_OK ? 0 : SQLITCH_ERROR;
}

const sh_cmd sh_cmd_verify = {"verify", opts, run};
