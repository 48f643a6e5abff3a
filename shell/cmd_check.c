/*
** cmd_check.c -- `sqlitch check` (App::Sqitch::Command::check).
**
**   sqlitch check [options] [<target>] [<from> [<to>]]
**     -t, --target <t>         target name or db: URI
**     --from, --from-change    first change to check
**     --to, --to-change        last change to check
**     -s, --set k=v            script variables (ignored by SQLite)
**   plus --registry, --client, --db-* and --plan-file/--top-dir.
**
** Compares the deploy-script hashes recorded in the registry with the
** plan's. "Check successful", or "Script signatures diverge at change X"
** then "Failed one check" (exit 1, on stdout).
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
    sh_warn(ctx, "Too many changes specified; checking from \"%s\" to \"%s\"",
            from ? from : "", to ? to : "");
  sh_engine_common_opts(ctx, o, &r, "check");
  int rc = sqlitch_engine_check(r.engine, from, to, err);
  sh_engine_end(&r);
  return rc == SQLITCH_OK ? 0 : SQLITCH_ERROR;
}

const sh_cmd sh_cmd_check = {"check", opts, run};
