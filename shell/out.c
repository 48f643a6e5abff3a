/*
** out.c -- Sqitch's output channels, pager and prompts for the CLI.
**
**   emit     stdout                    info     stdout if verbosity >= 1
**   comment  stdout, lines "# "        vent     stderr
**   warn     stderr, lines "warning: " debug    stdout "debug: " (>= 2)
**   trace    stdout "trace: " (>= 3)   page     stdout, paged on a TTY
**
** Every helper appends "\n" except the *_literal forms. Multi-line
** messages get the prefix on every line, as Sqitch's _prepend does.
*/
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shell.h"

/* Write `text` with `prefix` at the start of every line. */
static void prefixed(FILE *f, const char *prefix, const char *text) {
  const char *p = text;
  for (;;) {
    const char *nl = strchr(p, '\n');
    fputs(prefix, f);
    if (!nl) {
      fputs(p, f);
      break;
    }
    fwrite(p, 1, (size_t)(nl - p + 1), f);
    p = nl + 1;
  }
}

static int stdout_is_tty(void) {
  static int tty = -1;
  if (tty < 0) tty = isatty(STDOUT_FILENO);
  return tty;
}

void sh_say(sh_ctx *ctx, sqlitch_level level, int literal, const char *text) {
  FILE *f = stdout;
  switch (level) {
  case SQLITCH_TRACE:
    if (ctx->verbosity < 3) return;
    prefixed(f, "trace: ", text);
    break;
  case SQLITCH_DEBUG:
    if (ctx->verbosity < 2) return;
    prefixed(f, "debug: ", text);
    break;
  case SQLITCH_INFO:
    if (ctx->verbosity < 1) return;
    fputs(text, f);
    break;
  case SQLITCH_EMIT: fputs(text, f); break;
  case SQLITCH_COMMENT: prefixed(f, "# ", text); break;
  case SQLITCH_WARN:
    fflush(stdout);
    f = stderr;
    prefixed(f, "warning: ", text);
    break;
  case SQLITCH_VENT:
    fflush(stdout);
    f = stderr;
    fputs(text, f);
    break;
  }
  if (!literal) fputc('\n', f);
  /* A literal line ("  + users .. ") waits for its "ok": show it at once on
     a terminal. Elsewhere stdout stays buffered (stderr output flushes it
     first, so the order in a shared file is kept). */
  if (f == stderr || (literal && stdout_is_tty())) fflush(f);
}

#define SAY(level, literal)                                                    \
  do {                                                                         \
    va_list ap;                                                                \
    va_start(ap, fmt);                                                         \
    char *s = sqlitch_vmprintf(fmt, ap);                                       \
    va_end(ap);                                                                \
    sh_say(ctx, level, literal, s);                                            \
    free(s);                                                                   \
  } while (0)

void sh_emit(sh_ctx *ctx, const char *fmt, ...) { SAY(SQLITCH_EMIT, 0); }
void sh_emit_literal(sh_ctx *ctx, const char *fmt, ...) {
  SAY(SQLITCH_EMIT, 1);
}
void sh_info(sh_ctx *ctx, const char *fmt, ...) { SAY(SQLITCH_INFO, 0); }
void sh_info_literal(sh_ctx *ctx, const char *fmt, ...) {
  SAY(SQLITCH_INFO, 1);
}
void sh_comment(sh_ctx *ctx, const char *fmt, ...) { SAY(SQLITCH_COMMENT, 0); }
void sh_vent(sh_ctx *ctx, const char *fmt, ...) { SAY(SQLITCH_VENT, 0); }
void sh_vent_literal(sh_ctx *ctx, const char *fmt, ...) {
  SAY(SQLITCH_VENT, 1);
}
void sh_warn(sh_ctx *ctx, const char *fmt, ...) { SAY(SQLITCH_WARN, 0); }
void sh_debug(sh_ctx *ctx, const char *fmt, ...) { SAY(SQLITCH_DEBUG, 0); }
void sh_trace(sh_ctx *ctx, const char *fmt, ...) { SAY(SQLITCH_TRACE, 0); }

/* ------------------------------------------------------------------ pager */

static FILE *page_stream(sh_ctx *ctx) {
  if (ctx->page) return ctx->page;
  if (ctx->no_pager || !isatty(STDOUT_FILENO)) return stdout;
  const char *pager = sqlitch_pager(ctx->config);
  if (!pager || !*pager) pager = "less";
  if (strcmp(pager, "cat") == 0) return stdout;
  setenv("LESS", getenv("LESS") ? getenv("LESS") : "FRX", 1);
  fflush(stdout);
  signal(SIGPIPE, SIG_IGN);
  ctx->page = popen(pager, "w");
  return ctx->page ? ctx->page : stdout;
}

void sh_page_literal(sh_ctx *ctx, const char *text, size_t len) {
  FILE *f = page_stream(ctx);
  fwrite(text, 1, len, f);
}

void sh_page(sh_ctx *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = sqlitch_vmprintf(fmt, ap);
  va_end(ap);
  FILE *f = page_stream(ctx);
  fputs(s, f);
  fputc('\n', f);
  free(s);
}

void sh_page_end(sh_ctx *ctx) {
  if (ctx->page) {
    pclose(ctx->page);
    ctx->page = NULL;
  }
  fflush(stdout);
}

/* ---------------------------------------------------------------- prompts */

static int is_interactive(void) {
  struct stat st;
  if (!isatty(STDIN_FILENO)) return 0;
  if (isatty(STDOUT_FILENO)) return 1;
  /* Perl: !(-f STDOUT || -c STDOUT), i.e. a pipe counts as interactive */
  if (fstat(STDOUT_FILENO, &st) != 0) return 1;
  return !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode));
}

static int stdin_at_eof(void) {
  int c = getc(stdin);
  if (c == EOF) return 1;
  ungetc(c, stdin);
  return 0;
}

static int unattended(void) { return !is_interactive() && stdin_at_eof(); }

int sh_prompt(sh_ctx *ctx, const char *msg, const char *dflt, char **answer,
              sqlitch_err *err) {
  (void)ctx;
  printf("%s %s%s%s", msg, dflt ? "[" : "", dflt ? dflt : "", dflt ? "] " : "");
  fflush(stdout);
  if (unattended()) {
    if (!dflt)
      return sqlitch_err_set(
          err, SQLITCH_E_IO, 2,
          "Sqitch seems to be unattended and there is no default value for "
          "this question");
    printf("%s\n", dflt);
    fflush(stdout);
    *answer = sqlitch_strdup(dflt);
    return SQLITCH_OK;
  }
  sqlitch_buf b = SQLITCH_BUF_INIT;
  int c;
  while ((c = getc(stdin)) != EOF && c != '\n')
    sqlitch_buf_addc(&b, (char)c);
  if (b.len == 0) {
    sqlitch_buf_free(&b);
    *answer = sqlitch_strdup(dflt ? dflt : "");
  } else {
    *answer = sqlitch_buf_take(&b);
  }
  return SQLITCH_OK;
}

/* Perl: $y =~ /^\Q$answer/i -- the answer is a case-insensitive prefix. */
static int prefix_of(const char *word, const char *answer) {
  size_t n = strlen(answer);
  return n <= strlen(word) && strncasecmp(word, answer, n) == 0;
}

int sh_ask_yes_no(sh_ctx *ctx, const char *msg, int dflt, sqlitch_err *err) {
  for (int i = 0; i < 3; i++) {
    char *ans = NULL;
    if (sh_prompt(ctx, msg, dflt ? "Yes" : "No", &ans, err))
      return SQLITCH_ERROR;
    int yes = prefix_of("Yes", ans), no = prefix_of("No", ans);
    free(ans);
    if (yes) return 1;
    if (no) return 0;
    sh_emit(ctx, "Please answer \"y\" or \"n\".");
  }
  return sqlitch_err_set(err, SQLITCH_E_IO, 2,
                         "No valid answer after 3 attempts; aborting");
}
