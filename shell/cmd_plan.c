/*
** cmd_plan.c -- `sqlitch plan`. NOT YET IMPLEMENTED: placeholder so the
** command table links; it fails with a clear message.
*/
#include "shell.h"

static const char *const opts[] = {NULL};

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  (void)ctx;
  (void)o;
  (void)argc;
  (void)argv;
  return sqlitch_err_fail(err, "sqlitch plan is not implemented yet");
}

const sh_cmd sh_cmd_plan = {"plan", opts, run};
