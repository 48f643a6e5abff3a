/*
** shell.h -- what every CLI command file (shell/cmd_*.c) needs: the run
** context, Sqitch's output channels, the command table entry, and shared
** option sets.
**
** Adding a command: write shell/cmd_<name>.c defining
**
**   static const char *const opts[] = { "target|t=s", SH_CONTEXT_OPTS, NULL };
**   static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv, sqlitch_err
**err) {
**     ...                                      // return an exit code, or
**     return sqlitch_err_fail(err, "...");  // SQLITCH_ERROR: main prints err
**   }
**   const sh_cmd sh_cmd_<name> = { "<name>", opts, run };
**
** and list it in the table in shell/main.c. On SQLITCH_ERROR main prints
** err->msg the way Sqitch prints its exceptions: exitval 1 goes to stdout
** through info (hidden by --quiet), anything else to stderr; the process
** exits with err->exitval. A SQLITCH_E_PRIVATE error prints nothing.
**
** Only shell/ prints. Output helpers add the newline themselves, like
** Sqitch's emit/info/vent; the *_literal forms do not.
*/
#ifndef SQLITCH_SHELL_H
#define SQLITCH_SHELL_H

#include <stdio.h>

#include "config.h"
#include "format.h"
#include "opts.h"
#include "report.h"
#include "target.h"
#include "util.h"

typedef struct sh_ctx {
  const char *progname; /* basename of argv[0] */
  const char *command;  /* name of the running command */
  int verbosity;        /* 0 quiet, 1 default, 2+ debug/trace */
  int verbose_opt;      /* -v count given on the command line; 0 when
                           absent or with --quiet (Sqitch's
                           options->{verbosity}) */
  int no_pager;
  sqlitch_config *config;
  sqlitch_reporter reporter; /* prints through the channels below */
  FILE *page;                /* pager pipe while paging, else NULL */
  long page_pid;
} sh_ctx;

typedef int (*sh_run_fn)(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
                         sqlitch_err *err);

typedef struct sh_cmd {
  const char *name;
  const char *const *options; /* Getopt::Long specs, NULL-terminated */
  sh_run_fn run;
} sh_cmd;

/* Options every command that reads a project takes (Role::ContextCommand). */
#define SH_CONTEXT_OPTS "plan-file|f=s", "top-dir=s"
/* Options of commands that connect to a target (Role::ConnectingCommand). */
#define SH_CONNECT_OPTS                                                        \
  "registry=s", "client|db-client=s", "db-name|d=s",                           \
      "db-user|db-username|u=s", "db-host|h=s", "db-port|p=i"

/* ------------------------------------------------------------ output */

void sh_emit(sh_ctx *ctx, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
void sh_emit_literal(sh_ctx *ctx, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
void sh_info(sh_ctx *ctx, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
void sh_info_literal(sh_ctx *ctx, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
void sh_comment(sh_ctx *ctx, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
void sh_vent(sh_ctx *ctx, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
void sh_vent_literal(sh_ctx *ctx, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
void sh_warn(sh_ctx *ctx, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
void sh_debug(sh_ctx *ctx, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
void sh_trace(sh_ctx *ctx, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
/* Print one message at a report level (used by the reporter). */
void sh_say(sh_ctx *ctx, sqlitch_level level, int literal, const char *text);
/* Paged output: through the pager when stdout is a terminal. */
void sh_page(sh_ctx *ctx, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
void sh_page_literal(sh_ctx *ctx, const char *text, size_t len);
void sh_page_end(sh_ctx *ctx);

/* Sqitch's prompt: prints "<msg> [<default>] " and reads an answer; with
   stdin not a terminal and at EOF, echoes the default. */
int sh_prompt(sh_ctx *ctx, const char *msg, const char *dflt, char **answer,
              sqlitch_err *err);
/* ask_yes_no: 1 yes, 0 no, SQLITCH_ERROR after 3 bad answers. */
int sh_ask_yes_no(sh_ctx *ctx, const char *msg, int dflt, sqlitch_err *err);

/* ------------------------------------------------------------- helpers */

/* Fill target overrides from SH_CONTEXT_OPTS / SH_CONNECT_OPTS values. */
void sh_target_opts(const sh_opts *o, sqlitch_target_opts *t);
/* plan and log: their formatting options (--format, --date-format,
   --color/--no-color, --oneline, --abbrev) over the configuration, as
   sqlitch_fmt_configure does it; fo->stdout_is_tty is set too. */
int sh_fmt_configure(sh_ctx *ctx, const sh_opts *o, sqlitch_fmt_kind kind,
                     const char **tmpl, sqlitch_fmt_opts *fo, sqlitch_err *err);
/* Warn about the deprecated --top-dir for non-configuration commands. */
void sh_warn_top_dir(sh_ctx *ctx, const sh_opts *o);
/* Print the usage of the running command to stderr (option errors). */
void sh_usage(sh_ctx *ctx, const char *command);
/* Full help for a command or topic; returns exit code. */
int sh_help(sh_ctx *ctx, const char *topic);

/* Every command. */
extern const sh_cmd sh_cmd_add, sh_cmd_bundle, sh_cmd_check, sh_cmd_checkout,
    sh_cmd_config, sh_cmd_deploy, sh_cmd_engine, sh_cmd_help, sh_cmd_init,
    sh_cmd_log, sh_cmd_plan, sh_cmd_rebase, sh_cmd_revert, sh_cmd_rework,
    sh_cmd_shell, sh_cmd_show, sh_cmd_status, sh_cmd_tag, sh_cmd_target,
    sh_cmd_upgrade, sh_cmd_verify;

/* Look a command up by name ("-" and "_" are the same); NULL if unknown. */
const sh_cmd *sh_find_cmd(const char *name);

#endif
