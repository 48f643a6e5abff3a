/*
** log_json.c -- the structured log (SQLITCH_LOG=json / --log-format json):
** JSON lines on stderr for the run and each change. Interface, field names
** and the no-secrets rule: log_json.h; user documentation: docs/json.md.
**
**   $ SQLITCH_LOG=json sqlitch deploy 2>&1 >/dev/null | head -2
**   {"ts":"2024-01-15T10:30:00.012Z","run":"6f1c...","event":"run_begin",
**    "change":null,"duration":0,"command":"deploy","version":"0.1.0",...}
**
** State is per process (one run per process), kept in `st` below.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "log_json.h"

static struct {
  int on;
  char run[37];        /* UUID text */
  double started;      /* sqlitch_now() at setup */
  const char *command; /* borrowed from the command table */
  void (*msg)(void *, sqlitch_level, int, const char *); /* wrapped */
  sqlitch_buf vent; /* stderr text core reported since change_begin */
} st;

/* Values of --log-format / $SQLITCH_LOG, and whether each turns it on. */
static const struct {
  const char *name;
  int on;
} formats[] = {{"json", 1}, {"text", 0}, {"none", 0},
               {"off", 0},  {"0", 0},    {"", 0}};

/* A random version-4 UUID; falls back on time and pid if the kernel has
   no entropy to give (never fatal). */
static void make_run_id(char out[37]) {
  unsigned char r[16];
  if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    unsigned long long x = ((unsigned long long)tv.tv_sec << 20) ^
                           (unsigned long long)tv.tv_usec ^
                           ((unsigned long long)getpid() << 40);
    for (size_t i = 0; i < sizeof r; i++) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      r[i] = (unsigned char)(x >> 56);
    }
  }
  r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
  r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
  static const char hex[] = "0123456789abcdef";
  size_t k = 0;
  for (size_t i = 0; i < sizeof r; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[k++] = '-';
    out[k++] = hex[r[i] >> 4];
    out[k++] = hex[r[i] & 15];
  }
  out[k] = 0;
}

int sh_log_json_enabled(void) { return st.on; }

/* ------------------------------------------------------------ scrubbing */

/* The characters that end a URI's authority in free text. */
static int ends_authority(char c) {
  return c == 0 || c == '/' || c == '?' || c == '#' || c == ' ' || c == '"' ||
         c == '\'' || c == '\n' || c == '\t' || c == '>';
}

/* Drop the password of every "scheme://user:password@host". */
static void scrub_uris(sqlitch_buf *b, const char *s) {
  const char *p = s;
  for (;;) {
    const char *sep = strstr(p, "://");
    if (!sep) {
      sqlitch_buf_add(b, p);
      return;
    }
    const char *auth = sep + 3, *q = auth, *at = NULL;
    while (!ends_authority(*q)) {
      if (*q == '@') at = q; /* the last '@' ends the userinfo */
      q++;
    }
    const char *colon = NULL;
    if (at)
      for (const char *c = auth; c < at; c++)
        if (*c == ':') {
          colon = c;
          break;
        }
    if (colon && colon + 1 < at) {
      sqlitch_buf_addn(b, p, (size_t)(colon + 1 - p));
      p = at;
    } else {
      sqlitch_buf_addn(b, p, (size_t)(auth - p));
      p = auth;
    }
  }
}

/* Replace every occurrence of `secret` in b with asterisks. */
static void mask(sqlitch_buf *b, const char *secret) {
  if (!secret || !*secret || !b->len) return;
  size_t n = strlen(secret);
  sqlitch_buf out = SQLITCH_BUF_INIT;
  const char *p = b->p, *hit;
  while ((hit = strstr(p, secret)) != NULL) {
    sqlitch_buf_addn(&out, p, (size_t)(hit - p));
    sqlitch_buf_add(&out, "********");
    p = hit + n;
  }
  sqlitch_buf_add(&out, p);
  sqlitch_buf_free(b);
  *b = out;
}

char *sh_log_json_scrub(const char *text) {
  static const char *const vars[] = {"SQLITCH_PASSWORD", "SQITCH_PASSWORD",
                                     "PGPASSWORD", "MYSQL_PWD", NULL};
  sqlitch_buf b = SQLITCH_BUF_INIT;
  scrub_uris(&b, text ? text : "");
  for (int i = 0; vars[i]; i++)
    mask(&b, getenv(vars[i]));
  return sqlitch_buf_take(&b);
}

/* ---------------------------------------------------------------- lines */

/* Open a line with the five common fields. */
static void line_begin(sh_json *j, const char *event, const char *change,
                       double duration) {
  double now = sqlitch_now();
  time_t secs = (time_t)now;
  int ms = (int)((now - (double)secs) * 1000.0);
  if (ms < 0 || ms > 999) ms = 0;
  struct tm tm;
  gmtime_r(&secs, &tm);
  char ts[96];
  snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
           tm.tm_sec, ms);
  sh_json_object(j, NULL);
  sh_json_str(j, "ts", ts);
  sh_json_str(j, "run", st.run);
  sh_json_str(j, "event", event);
  sh_json_str(j, "change", change);
  sh_json_num(j, "duration", duration < 0 ? 0 : duration);
}

/* Close the line and write it to stderr in one call. */
static void line_end(sh_json *j, sqlitch_buf *b) {
  sh_json_end(j);
  sqlitch_buf_addc(b, '\n');
  fflush(stdout);
  fwrite(b->p, 1, b->len, stderr);
  fflush(stderr);
  sh_json_free(j);
  sqlitch_buf_free(b);
}

static void scrubbed(sh_json *j, const char *key, const char *text) {
  char *s = sh_log_json_scrub(text);
  sh_json_str(j, key, s);
  free(s);
}

/* "@a @b" -> ["@a","@b"]. */
static void tags_array(sh_json *j, const char *tags) {
  sh_json_array(j, "tags");
  const char *p = tags ? tags : "";
  while (*p) {
    while (*p == ' ' || *p == ',')
      p++;
    size_t n = strcspn(p, " ,");
    if (n) sh_json_strn(j, NULL, p, n);
    p += n;
  }
  sh_json_end(j);
}

/* The reporter's message callback: remember what went to stderr during a
   change (a failing script's message reaches the user that way, not in
   the event), then print as before. */
static void on_msg(void *c, sqlitch_level level, int literal,
                   const char *text) {
  if (level == SQLITCH_VENT && text) {
    if (st.vent.len && !literal) sqlitch_buf_addc(&st.vent, '\n');
    sqlitch_buf_add(&st.vent, text);
  }
  if (st.msg) st.msg(c, level, literal, text);
}

/* The reporter's event callback. */
static void on_event(void *c, const sqlitch_event *ev) {
  (void)c;
  if (!st.on || !ev) return;
  static const char *const names[] = {NULL, "change_begin", "change_end",
                                      "script"};
  if (ev->kind < SQLITCH_EV_CHANGE_BEGIN || ev->kind > SQLITCH_EV_SCRIPT)
    return;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sh_json j;
  sh_json_init(&j, &b);
  line_begin(&j, names[ev->kind], ev->change,
             ev->kind == SQLITCH_EV_CHANGE_END ? ev->seconds : 0);
  sh_json_str(&j, "op", ev->op);
  sh_json_str(&j, "change_id", ev->change_id);
  if (ev->kind == SQLITCH_EV_CHANGE_BEGIN) sqlitch_buf_reset(&st.vent);
  if (ev->kind == SQLITCH_EV_SCRIPT) {
    sh_json_str(&j, "script", ev->script);
  } else {
    tags_array(&j, ev->tags);
    if (ev->kind == SQLITCH_EV_CHANGE_END) {
      sh_json_bool(&j, "ok", ev->ok);
      if (!ev->ok)
        scrubbed(&j, "error",
                 ev->error && *ev->error ? ev->error
                                         : sqlitch_buf_str(&st.vent));
    }
  }
  line_end(&j, &b);
}

int sh_log_json_setup(sh_ctx *ctx, const char *format, sqlitch_err *err) {
  const char *from = "--log-format";
  if (!format) {
    format = getenv("SQLITCH_LOG");
    from = "SQLITCH_LOG";
  }
  if (!format) return SQLITCH_OK;
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (strcmp(format, formats[i].name) == 0) {
      st.on = formats[i].on;
      if (st.on) {
        make_run_id(st.run);
        st.started = sqlitch_now();
        ctx->reporter.event = on_event;
        st.msg = ctx->reporter.msg;
        ctx->reporter.msg = on_msg;
      }
      return SQLITCH_OK;
    }
  char *shown = sh_log_json_scrub(format);
  sqlitch_err_fail(err, "Unknown log format \"%s\" (%s); use json or text",
                   shown, from);
  free(shown);
  return SQLITCH_ERROR;
}

void sh_log_json_begin(sh_ctx *ctx, const char *command) {
  (void)ctx;
  if (!st.on) return;
  st.command = command;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sh_json j;
  sh_json_init(&j, &b);
  line_begin(&j, "run_begin", NULL, 0);
  sh_json_str(&j, "command", command);
  sh_json_str(&j, "version", SQLITCH_VERSION);
  sh_json_int(&j, "pid", (long long)getpid());
  line_end(&j, &b);
}

void sh_log_json_end(sh_ctx *ctx, int rc, const sqlitch_err *err) {
  (void)ctx;
  if (!st.on) return;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sh_json j;
  sh_json_init(&j, &b);
  line_begin(&j, "run_end", NULL, sqlitch_now() - st.started);
  sh_json_str(&j, "command", st.command);
  sh_json_int(&j, "exit", rc);
  if (rc != 0 && err && err->msg && *err->msg) scrubbed(&j, "error", err->msg);
  line_end(&j, &b);
  sqlitch_buf_free(&st.vent);
}
