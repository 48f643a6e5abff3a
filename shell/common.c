/*
** common.c -- small helpers shared by the command files (shell.h).
*/
#include <string.h>
#include <unistd.h>

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

int sh_fmt_configure(sh_ctx *ctx, const sh_opts *o, sqlitch_fmt_kind kind,
                     const char **tmpl, sqlitch_fmt_opts *fo,
                     sqlitch_err *err) {
  sqlitch_fmt_cli cli;
  memset(&cli, 0, sizeof cli);
  cli.format = sh_opt_str(o, "format");
  cli.date_format = sh_opt_str(o, "date-format");
  cli.color = sh_opt_str(o, "color");
  cli.no_color = sh_opt_bool(o, "no-color", 0);
  cli.oneline = sh_opt_bool(o, "oneline", 0);
  cli.has_abbrev = sh_opt_has(o, "abbrev");
  cli.abbrev = sh_opt_int(o, "abbrev", 0);
  if (sqlitch_fmt_configure(ctx->config, kind, &cli, tmpl, fo, err))
    return SQLITCH_ERROR;
  fo->stdout_is_tty = isatty(STDOUT_FILENO);
  return SQLITCH_OK;
}

void sh_warn_top_dir(sh_ctx *ctx, const sh_opts *o) {
  const char *t = sh_opt_str(o, "top-dir");
  if (t && *t)
    sh_warn(ctx,
            "  Option --top-dir is deprecated for %s and other "
            "non-configuration commands.\n  Use --chdir instead.",
            ctx->command);
}
