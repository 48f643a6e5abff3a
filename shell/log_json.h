/*
** log_json.h -- the structured log: with `SQLITCH_LOG=json` in the
** environment, or the global option `--log-format json`, the CLI writes
** one JSON object per line to stderr for the start and end of the run and
** for every change it deploys, reverts or verifies. The human output on
** stdout and stderr is unchanged; log lines always start with `{"ts":`.
**
** Wiring (shell/main.c does this):
**
**   if (sh_log_json_setup(&ctx, sh_opt_str(core, "log-format"), &err)) ...
**   sh_log_json_begin(&ctx, cmd->name);     // "run_begin"
**   rc = cmd->run(...);                      // engine events -> "change_*"
**   sh_log_json_end(&ctx, rc, &err);         // "run_end" with the exit code
**
** Setup installs an event callback on ctx->reporter, so everything core
** reports through sqlitch_report_event() (core/report.h) becomes a line.
** When the log is off, every function here does nothing.
**
** Every line has the same five leading fields, always present:
**   ts        UTC time of the line, "YYYY-MM-DDTHH:MM:SS.mmmZ"
**   run       the run ID: a random UUID (version 4), one per invocation
**   event     run_begin | change_begin | change_end | script | run_end
**   change    the change name, or null on run_* lines
**   duration  seconds (a number): 0 on *_begin and script lines, the
**             change's time on change_end, the whole run's on run_end
** and then, by event:
**   run_begin     command, version, pid
**   change_begin  op (deploy|revert|verify), change_id, tags
**   change_end    op, change_id, tags, ok (boolean), error (when !ok: the
**                 error, else what core printed on stderr for the change)
**   script        op, change_id, script (the path of the script to run)
**   run_end       command, exit (the exit code), error (when exit != 0)
** The full description is docs/json.md ("Structured log").
**
** Secrets: the log never carries a password. No argument, target URI or
** environment value is logged as such; free text (error messages) is
** scrubbed of URI passwords ("db:pg://u:pw@h" -> "db:pg://u:@h") and of
** the values of SQITCH_PASSWORD, SQLITCH_PASSWORD, PGPASSWORD and
** MYSQL_PWD, which become "********".
*/
#ifndef SQLITCH_SHELL_LOG_JSON_H
#define SQLITCH_SHELL_LOG_JSON_H

#include "shell.h"

/* Turn the log on when `format` (the --log-format value, or NULL) or, when
   it is NULL, $SQLITCH_LOG says "json". "text", "none", "off", "0" and ""
   leave it off. Anything else is an error (exit 2):
   `Unknown log format "x"; use json or text`. */
int sh_log_json_setup(sh_ctx *ctx, const char *format, sqlitch_err *err);
/* Is the log on? */
int sh_log_json_enabled(void);
/* The run_begin line; `command` may be NULL (no command found). */
void sh_log_json_begin(sh_ctx *ctx, const char *command);
/* The run_end line: `rc` is the exit code; `err`, when it holds a message,
   gives the (scrubbed) error text. */
void sh_log_json_end(sh_ctx *ctx, int rc, const sqlitch_err *err);
/* Copy of `text` with URI passwords and known password values masked.
   Caller frees. Exposed for the tests. */
char *sh_log_json_scrub(const char *text);

#endif
