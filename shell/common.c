/*
** common.c -- small helpers shared by the command files (shell.h).
*/
#include "shell.h"

void sh_target_opts(const sh_opts *o, sqlitch_target_opts *t) {
  t->registry = sh_opt_str(o, "registry");
  t->client = sh_opt_str(o, "client");
  t->plan_file = sh_opt_str(o, "plan-file");
  t->top_dir = sh_opt_str(o, "top-dir");
  t->db_user = sh_opt_str(o, "db-user");
  t->db_host = sh_opt_str(o, "db-host");
  t->db_port = sh_opt_str(o, "db-port");
  t->db_name = sh_opt_str(o, "db-name");
}

void sh_warn_top_dir(sh_ctx *ctx, const sh_opts *o) {
  const char *t = sh_opt_str(o, "top-dir");
  if (t && *t)
    sh_warn(ctx,
            "  Option --top-dir is deprecated for %s and other "
            "non-configuration commands.\n  Use --chdir instead.",
            ctx->command);
}
