/*
** main.c -- the sqlitch command-line program: a drop-in for `sqitch`.
**
**   sqlitch [--chdir <dir>] [--no-pager] [--quiet] [--verbose]...
**           <command> [options] [args]
**   sqlitch --help | --man | --version | --etc-path
**
** Flow, as App::Sqitch->go: core options are taken from anywhere on the
** command line (unknown ones pass through), the configuration is loaded,
** the first argument naming a command selects it, the command parses its
** own options (unknown options are errors with usage, exit 2), and runs.
** Errors are printed here and only here: exit value 1 messages go to stdout
** via info, others to stderr.
**
** Added by sqlitch: `--log-format json` (or SQLITCH_LOG=json) turns on the
** structured log of shell/log_json.c, JSON lines on stderr (run_begin once
** the command is known, run_end with the exit code).
*/
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log_json.h"
#include "shell.h"

/* The command table: every sqitch command, plus `shell`. */
static const sh_cmd *const commands[] = {&sh_cmd_add,    &sh_cmd_bundle,
                                         &sh_cmd_check,  &sh_cmd_checkout,
                                         &sh_cmd_config, &sh_cmd_deploy,
                                         &sh_cmd_engine, &sh_cmd_help,
                                         &sh_cmd_init,   &sh_cmd_log,
                                         &sh_cmd_plan,   &sh_cmd_rebase,
                                         &sh_cmd_revert, &sh_cmd_rework,
                                         &sh_cmd_shell,  &sh_cmd_show,
                                         &sh_cmd_status, &sh_cmd_tag,
                                         &sh_cmd_target, &sh_cmd_upgrade,
                                         &sh_cmd_verify, NULL};

const sh_cmd *sh_find_cmd(const char *name) {
  for (const sh_cmd *const *c = commands; *c; c++) {
    const char *a = (*c)->name, *b = name;
    while (
        *a && *b &&
        (*a == *b || ((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))) {
      a++;
      b++;
    }
    if (!*a && !*b) return *c;
  }
  return NULL;
}

static const char *const core_opts[] = {
    "chdir|cd|C=s", "etc-path", "no-pager", "quiet", "verbose|V|v+",
    "help",         "man",      "version",  NULL};

static void on_oom(void) {
  static const char m[] = "sqlitch: out of memory\n";
  if (write(STDERR_FILENO, m, sizeof m - 1) < 0) { /* nothing to do */
  }
  _exit(70);
}

static void reporter_msg(void *c, sqlitch_level level, int literal,
                         const char *text) {
  sh_say((sh_ctx *)c, level, literal, text);
}

/* Print an error the way App::Sqitch->go does; return the exit value. */
static int report_error(sh_ctx *ctx, sqlitch_err *err) {
  int rc = err->exitval ? err->exitval : 2;
  if (err->kind == SQLITCH_E_PRIVATE || !err->msg) return rc;
  if (rc == 1)
    sh_info(ctx, "%s", err->msg);
  else
    sh_vent(ctx, "%s", err->msg);
  return rc;
}

/* Take "--log-format X" / "--log-format=X" out of the arguments (before
   "--"). Only the exact spelling counts: as a core option with Getopt's
   abbreviations it would swallow `deploy --log`, sqitch's --log-only. */
static int take_log_format(int *nargs, char **args, const char **value,
                           sqlitch_err *err) {
  static const char opt[] = "--log-format";
  for (int i = 0; i < *nargs; i++) {
    const char *a = args[i];
    if (strcmp(a, "--") == 0) break;
    if (strncmp(a, opt, sizeof opt - 1) != 0) continue;
    int used;
    if (a[sizeof opt - 1] == '=') {
      *value = a + sizeof opt;
      used = 1;
    } else if (a[sizeof opt - 1] == 0) {
      if (i + 1 >= *nargs)
        return sqlitch_err_fail(err, "Option log-format requires an argument");
      *value = args[i + 1];
      used = 2;
    } else {
      continue;
    }
    memmove(&args[i], &args[i + used],
            sizeof(char *) * (size_t)(*nargs - i - used + 1));
    *nargs -= used;
    i--;
  }
  return SQLITCH_OK;
}

/* The pre-0.9999 options whose value follows them (App::Sqitch::_find_cmd). */
static int takes_old_value(const char *arg) {
  static const char *const longs[] = {
      "--client",   "--engine",  "--extension", "--plan-file",
      "--registry", "--top-dir", NULL};
  if (arg[0] == '-' && arg[1] && strchr("duhp", arg[1])) return 1;
  if (strncmp(arg, "--db-", 5) == 0) {
    for (const char *p = arg + 5; *p; p++)
      if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9')))
        return 0;
    return arg[5] != 0;
  }
  for (int i = 0; longs[i]; i++)
    if (strcmp(arg, longs[i]) == 0) return 1;
  return 0;
}

int main(int argc, char **argv) {
  sqlitch_err err = SQLITCH_ERR_INIT;
  sh_ctx ctx;
  int rc;

  sqlitch_set_oom(on_oom);
  memset(&ctx, 0, sizeof ctx);
  ctx.progname = sqlitch_path_basename(argv[0]);
  ctx.verbosity = 1;
  ctx.reporter.msg = reporter_msg;
  ctx.reporter.ctx = &ctx;

  /* 1. core options, from anywhere (pass-through) */
  int nargs = argc - 1;
  char **args = sqlitch_calloc((size_t)argc + 1, sizeof(char *));
  for (int i = 1; i < argc; i++)
    args[i - 1] = argv[i];
  const char *log_format = NULL;
  if (take_log_format(&nargs, args, &log_format, &err)) {
    sh_vent(&ctx, "%s", err.msg);
    sqlitch_err_clear(&err);
    sh_usage(&ctx, NULL);
    free(args);
    return 2;
  }
  sh_opts *core = sh_opts_new();
  if (sh_opts_parse(core, core_opts, &nargs, args, 1, &err)) {
    sh_vent(&ctx, "%s", err.msg);
    sh_usage(&ctx, NULL);
    return 2;
  }
  /* --log-format json / SQLITCH_LOG=json: JSON lines on stderr */
  if (sh_log_json_setup(&ctx, log_format, &err)) {
    sh_vent(&ctx, "%s", err.msg);
    sqlitch_err_clear(&err);
    sh_opts_free(core);
    free(args);
    return 2;
  }
  if (sh_opt_has(core, "help") || sh_opt_has(core, "man")) {
    ctx.config = sqlitch_config_new();
    rc = sh_help(&ctx, sh_opt_has(core, "help") ? "--commands" : NULL);
    goto done;
  }
  if (sh_opt_has(core, "version")) {
    printf("%s (App::Sqitch) %s\n", ctx.progname, SQLITCH_SQITCH_VERSION);
    if (sh_opt_int(core, "verbose", 1) >= 2)
      printf("sqlitch %s\n", SQLITCH_VERSION);
    rc = 0;
    goto done;
  }
  if (sh_opt_has(core, "etc-path")) {
    printf("%s\n", sqlitch_config_system_dir());
    rc = 0;
    goto done;
  }
  const char *dir = sh_opt_str(core, "chdir");
  if (dir && *dir && chdir(dir) != 0) {
    sh_vent(&ctx, "Cannot change to directory %s: %s", dir, strerror(errno));
    return 2;
  }
  ctx.no_pager = sh_opt_bool(core, "no-pager", 0);

  /* 2. configuration */
  ctx.config = sqlitch_config_new();
  if (sqlitch_config_load(ctx.config, &err)) {
    rc = report_error(&ctx, &err);
    goto done;
  }
  if (!sh_opt_has(core, "quiet"))
    ctx.verbose_opt = sh_opt_bool(core, "verbose", 0);
  if (sh_opt_has(core, "quiet"))
    ctx.verbosity = 0;
  else if (sh_opt_has(core, "verbose"))
    ctx.verbosity = sh_opt_bool(core, "verbose", 1);
  else {
    const char *v = sqlitch_config_get(ctx.config, "core.verbosity");
    ctx.verbosity = v ? atoi(v) : 1;
  }

  /* 3. find the command */
  const sh_cmd *cmd = NULL;
  sqlitch_strv tried = SQLITCH_STRV_INIT;
  for (int i = 0; i < nargs; i++) {
    const char *a = args[i];
    if (!sqlitch_perl_true(a)) continue;
    if (a[0] == '-') {
      if (strcmp(a, "--") == 0) break;
      if (takes_old_value(a)) i++;
      continue;
    }
    sqlitch_strv_push(&tried, a);
    if ((cmd = sh_find_cmd(a)) != NULL) {
      memmove(&args[i], &args[i + 1], sizeof(char *) * (size_t)(nargs - i));
      nargs--;
      break;
    }
  }
  if (!cmd) {
    for (size_t i = 0; i < tried.n; i++)
      sh_vent(&ctx, "\"%s\" is not a valid command", tried.v[i]);
    sqlitch_strv_free(&tried);
    sh_usage(&ctx, NULL);
    rc = 2;
    goto done;
  }
  sqlitch_strv_free(&tried);
  ctx.command = cmd->name;
  sh_log_json_begin(&ctx, cmd->name);

  /* 4. command options */
  sh_opts *o = sh_opts_new();
  if (sh_opts_parse(o, cmd->options, &nargs, args, 0, &err)) {
    sh_vent(&ctx, "%s", err.msg);
    sh_usage(&ctx, cmd->name);
    sh_opts_free(o);
    rc = 2;
    goto done;
  }

  /* 5. run */
  rc = cmd->run(&ctx, o, nargs, args, &err);
  if (rc < 0) rc = report_error(&ctx, &err);
  sh_opts_free(o);

done:
  sh_page_end(&ctx);
  fflush(stdout);
  sh_log_json_end(&ctx, rc, &err);
  sqlitch_err_clear(&err);
  sqlitch_config_free(ctx.config);
  sh_opts_free(core);
  free(args);
  return rc;
}
