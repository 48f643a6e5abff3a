/*
** json_run.h -- `--json` for the commands that talk to a database:
** the stream of deploy, revert and verify, and the value helpers that
** status and log share. Field names and rules: docs/json.md.
**
** The stream. Begin it before the engine is created and end it after the
** work, before the engine is freed:
**
**   sh_json_run jr;
**   if (json) sh_json_run_begin(&jr, ctx, "deploy");
**   ... sh_engine_begin(...); rc = sqlitch_engine_deploy(...) ...
**   if (json) rc = sh_json_run_end(&jr, r.engine, rc, err);
**   sh_engine_end(&r);
**
** While it runs, the CLI's reporter is wrapped: messages for stdout
** (progress, "ok", comments, debug) are dropped, messages for stderr
** (vent, warn) pass through, and every finished change (the engine's
** SQLITCH_EV_CHANGE_END) becomes one JSON line on stdout, flushed at once:
**
**   {"event":"change","op":"deploy","change":"users","change_id":"...",
**    "tags":["@v1.0"],"ok":true,"duration":0.0031,"error":null}
**
** sh_json_run_end() writes the summary line, restores the reporter and
** returns `rc` unchanged. With --json stdout holds only JSON, so an
** exit-1 message (which Sqitch prints on stdout) is written to stderr
** here and `err` becomes SQLITCH_E_PRIVATE (main prints nothing more;
** the exit value is kept). A structured log (SQLITCH_LOG=json) that was
** on before keeps receiving every message and event.
**
** Helpers: sh_json_time() writes a registry timestamp ("YYYY-MM-DD
** HH:MM:SS", or the engines' other forms) as "YYYY-MM-DDTHH:MM:SSZ";
** sh_json_words() writes a list stored as text ("@a @b", "a,b") as an
** array of strings.
*/
#ifndef SQLITCH_SHELL_JSON_RUN_H
#define SQLITCH_SHELL_JSON_RUN_H

#include "engine.h"
#include "json.h"
#include "shell.h"

typedef struct sh_json_run {
  sh_ctx *ctx;
  const char *op;         /* "deploy", "revert", "verify" */
  sqlitch_reporter saved; /* the reporter before begin; restored by end */
  sqlitch_buf vent;       /* stderr text since the current change began */
  long changes, failed;   /* change lines written, and those not ok */
} sh_json_run;

void sh_json_run_begin(sh_json_run *jr, sh_ctx *ctx, const char *op);
/* Summary line; `e` may be NULL (set-up failed: "target" is null). */
int sh_json_run_end(sh_json_run *jr, const sqlitch_engine *e, int rc,
                    sqlitch_err *err);

/* With --json: an exit-1 error message to stderr, and err made private. */
void sh_json_error_to_stderr(sh_ctx *ctx, int rc, sqlitch_err *err);

/* A registry timestamp as "YYYY-MM-DDTHH:MM:SSZ" (NULL: null; text that
   is not a timestamp is written as it is). */
void sh_json_time(sh_json *j, const char *key, const char *ts);
/* An array of the words of `text` split at any of `seps` (empty words
   are skipped; NULL text gives []). */
void sh_json_words(sh_json *j, const char *key, const char *text,
                   const char *seps);

#endif
