/*
** cmd_upgrade.c -- `sqlitch upgrade` (App::Sqitch::Command::upgrade).
**
**   sqlitch upgrade [-t <target>] [<target>]
**   plus --registry, --client, --db-*.
**
** Brings an older registry (pre-1.0, 1.0) to release 1.1 with Sqitch's
** upgrade scripts: "Upgrading registry <reg> to version 1.1" then one
** "  * From x to y" line per script, or "Registry <reg> is up-to-date at
** version 1.1".
*/
#include "engine_cmd.h"

static const char *const opts[] = {"target|t=s", SH_CONNECT_OPTS, NULL};

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  sh_engine_run r;
  if (sh_engine_begin(ctx, o, argc, argv, 0, "using", &r, err)) {
    sh_engine_end(&r);
    return SQLITCH_ERROR;
  }
  int rc = sqlitch_engine_upgrade(r.engine, err);
  sh_engine_end(&r);
  return rc == SQLITCH_OK ? 0 : SQLITCH_ERROR;
}

const sh_cmd sh_cmd_upgrade = {"upgrade", opts, run};
