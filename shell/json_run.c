/*
** json_run.c -- `--json` for deploy, revert and verify (a stream of change
** lines and a summary) and the value helpers of status and log --json.
** Interface: json_run.h; user documentation: docs/json.md.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datefmt.h"
#include "json_run.h"

/* Write one finished line (a JSON value plus "\n") to stdout now, so that
   a consumer sees each change as it completes. */
static void put_line(sh_json *j, sqlitch_buf *b) {
  sqlitch_buf_addc(b, '\n');
  fwrite(b->p, 1, b->len, stdout);
  fflush(stdout);
  sh_json_free(j);
  sqlitch_buf_free(b);
}

/* Levels that go to stderr and so stay visible under --json. */
static int to_stderr(sqlitch_level level) {
  return level == SQLITCH_WARN || level == SQLITCH_VENT;
}

static void on_msg(void *c, sqlitch_level level, int literal,
                   const char *text) {
  sh_json_run *jr = c;
  if (!to_stderr(level)) return;
  if (text && *text) {
    if (jr->vent.len && !literal) sqlitch_buf_addc(&jr->vent, '\n');
    sqlitch_buf_add(&jr->vent, text);
  }
  if (jr->saved.msg) jr->saved.msg(jr->saved.ctx, level, literal, text);
}

/* The change's error: what it printed on stderr, then the engine's
   message when that is not already part of it. NULL when both are empty. */
static char *change_error(sh_json_run *jr, const char *msg) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&b, sqlitch_buf_str(&jr->vent));
  if (msg && *msg && !strstr(sqlitch_buf_str(&b), msg)) {
    if (b.len) sqlitch_buf_addc(&b, '\n');
    sqlitch_buf_add(&b, msg);
  }
  if (!b.len) {
    sqlitch_buf_free(&b);
    return NULL;
  }
  return sqlitch_buf_take(&b);
}

static void on_event(void *c, const sqlitch_event *ev) {
  sh_json_run *jr = c;
  if (jr->saved.event) jr->saved.event(jr->saved.ctx, ev);
  if (!ev) return;
  if (ev->kind == SQLITCH_EV_CHANGE_BEGIN) sqlitch_buf_reset(&jr->vent);
  if (ev->kind != SQLITCH_EV_CHANGE_END) return;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sh_json j;
  sh_json_init(&j, &b);
  sh_json_object(&j, NULL);
  sh_json_str(&j, "event", "change");
  sh_json_str(&j, "op", ev->op);
  sh_json_str(&j, "change", ev->change);
  sh_json_str(&j, "change_id", ev->change_id);
  sh_json_words(&j, "tags", ev->tags, " ,");
  sh_json_bool(&j, "ok", ev->ok);
  sh_json_num(&j, "duration", ev->seconds < 0 ? 0 : ev->seconds);
  char *error = ev->ok ? NULL : change_error(jr, ev->error);
  sh_json_str(&j, "error", error);
  free(error);
  sh_json_end(&j);
  put_line(&j, &b);
  jr->changes++;
  if (!ev->ok) jr->failed++;
  sqlitch_buf_reset(&jr->vent);
}

void sh_json_run_begin(sh_json_run *jr, sh_ctx *ctx, const char *op) {
  memset(jr, 0, sizeof *jr);
  jr->ctx = ctx;
  jr->op = op;
  jr->saved = ctx->reporter;
  ctx->reporter.msg = on_msg;
  ctx->reporter.event = on_event;
  ctx->reporter.ctx = jr;
}

void sh_json_error_to_stderr(sh_ctx *ctx, int rc, sqlitch_err *err) {
  if (rc == 0 || err->exitval != 1 || err->kind == SQLITCH_E_PRIVATE ||
      !err->msg)
    return;
  sh_vent(ctx, "%s", err->msg);
  err->kind = SQLITCH_E_PRIVATE;
}

int sh_json_run_end(sh_json_run *jr, const sqlitch_engine *e, int rc,
                    sqlitch_err *err) {
  sh_ctx *ctx = jr->ctx;
  ctx->reporter = jr->saved;
  int code = rc == 0 ? 0 : err->exitval ? err->exitval : 2;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sh_json j;
  sh_json_init(&j, &b);
  sh_json_object(&j, NULL);
  sh_json_str(&j, "event", "summary");
  sh_json_str(&j, "target", e ? sqlitch_engine_destination(e) : NULL);
  sh_json_str(&j, "op", jr->op);
  sh_json_int(&j, "changes", jr->changes);
  sh_json_int(&j, "failed", jr->failed);
  sh_json_int(&j, "exit", code);
  sh_json_str(&j, "error", rc == 0 ? NULL : err->msg);
  sh_json_end(&j);
  put_line(&j, &b);
  sqlitch_buf_free(&jr->vent);
  sh_json_error_to_stderr(ctx, rc, err);
  return rc;
}

/* ------------------------------------------------------------- values */

void sh_json_time(sh_json *j, const char *key, const char *ts) {
  sqlitch_time t;
  if (!ts || (sqlitch_time_parse(ts, &t) != SQLITCH_OK &&
              sqlitch_time_parse_parts(ts, &t) != SQLITCH_OK)) {
    sh_json_str(j, key, ts);
    return;
  }
  time_t secs = (time_t)t.sec;
  struct tm tm;
  char out[64];
  if (!gmtime_r(&secs, &tm) ||
      !strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
    sh_json_str(j, key, ts);
    return;
  }
  sh_json_str(j, key, out);
}

void sh_json_words(sh_json *j, const char *key, const char *text,
                   const char *seps) {
  sh_json_array(j, key);
  for (const char *p = text ? text : ""; *p;) {
    size_t n = strcspn(p, seps);
    if (n) sh_json_strn(j, NULL, p, n);
    p += n;
    if (*p) p++;
  }
  sh_json_end(j);
}
