/*
** editor.c -- notes through the editor and opening files in it, for
** `add`, `tag` and `rework` (see editor.h). The process handling mirrors
** Perl's system() and IPC::System::Simple's messages, because Sqitch runs
** the editor with IPC::System::Simple::run.
*/
#include "editor.h"
#include "plan.h"
#include "process.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------- quoting */

/* \w for String::ShellQuote (bytes of multi-byte UTF-8 count as word
   characters, as most non-ASCII letters are). */
static int sq_safe(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || c >= 0x80 || strchr("_!%+,-./:=@^", c);
}

char *sh_shell_quote(const char *const *words, size_t n) {
  sqlitch_buf out = SQLITCH_BUF_INIT, w = SQLITCH_BUF_INIT;
  int saw_non_equal = 0;
  for (size_t i = 0; i < n; i++) {
    const char *s = words[i] ? words[i] : "";
    if (i) sqlitch_buf_addc(&out, ' ');
    if (!*s) {
      sqlitch_buf_add(&out, "''");
      continue;
    }
    int has_eq = strchr(s, '=') != NULL, escape = 0;
    if (has_eq) {
      if (!saw_non_equal) escape = 1;
    } else {
      saw_non_equal = 1;
    }
    for (const char *p = s; *p && !escape; p++)
      if (!sq_safe((unsigned char)*p)) escape = 1;
    if (!escape) {
      sqlitch_buf_add(&out, s);
      continue;
    }
    /* ' -> '\'' ; a run of quotes -> '"''"' ; then wrap and drop the
       empty '' at either end */
    sqlitch_buf_reset(&w);
    sqlitch_buf_addc(&w, '\'');
    for (const char *p = s; *p;) {
      if (*p != '\'') {
        sqlitch_buf_addc(&w, *p++);
        continue;
      }
      size_t k = strspn(p, "'");
      if (k == 1) {
        sqlitch_buf_add(&w, "'\\''");
      } else {
        sqlitch_buf_add(&w, "'\"");
        sqlitch_buf_pad(&w, '\'', k);
        sqlitch_buf_add(&w, "\"'");
      }
      p += k;
    }
    sqlitch_buf_addc(&w, '\'');
    const char *q = w.p;
    size_t len = w.len;
    if (len >= 2 && q[0] == '\'' && q[1] == '\'') {
      q += 2;
      len -= 2;
    }
    if (len >= 2 && q[len - 1] == '\'' && q[len - 2] == '\'') len -= 2;
    sqlitch_buf_addn(&out, q, len);
  }
  sqlitch_buf_free(&w);
  sqlitch_buf_addn(&out, "", 0);
  return sqlitch_buf_take(&out);
}

/* ----------------------------------------------------------- processes */

/* Perl's do_exec3 rule: does the command need /bin/sh? */
static int needs_shell(const char *cmd) {
  const char *s = cmd;
  if (s[0] == '.' && s[1] && strchr(" \t\n\r\f\v", s[1])) return 1;
  if (strncmp(s, "exec", 4) == 0 && s[4] && strchr(" \t\n\r\f\v", s[4]))
    return 1;
  while (*s == '_' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
         (*s >= 'A' && *s <= 'Z'))
    s++;
  if (*s == '=') return 1;
  for (s = cmd; *s; s++)
    if (strchr("$&*(){}[]'\";\\|?<>~`\n", *s)) {
      if (*s == '\n' && !s[1]) return 0;
      return 1;
    }
  return 0;
}

int sh_run_command(const char *command, sqlitch_err *err) {
  const char *cmd = command;
  while (*cmd && strchr(" \t\n\r\f\v", *cmd))
    cmd++;
  int shell = needs_shell(cmd);
  sqlitch_strv argv = SQLITCH_STRV_INIT;
  if (!shell) {
    const char *p = cmd;
    for (;;) {
      while (*p && strchr(" \t\n\r\f\v", *p))
        p++;
      if (!*p) break;
      size_t n = strcspn(p, " \t\n\r\f\v");
      sqlitch_strv_pushn(&argv, p, n);
      p += n;
    }
    if (!argv.n) {
      sqlitch_strv_free(&argv);
      char *m =
          sqlitch_mprintf("Entirely blank command passed: \"%s\"", command);
      sqlitch_proc_croak(err, m);
      free(m);
      return SQLITCH_ERROR;
    }
  }
  fflush(stdout);
  fflush(stderr);
  sqlitch_proc p = SQLITCH_PROC_INIT;
  if (shell)
    p.sh_command = cmd;
  else
    p.argv = argv.v;
  p.ignore_int_quit = 1; /* as Perl's system() */
  int status;
  int start_errno = sqlitch_proc_run(&p, &status);
  sqlitch_strv_free(&argv);
  return sqlitch_proc_fail(err, command, start_errno, status);
}

int sh_editor_open(sh_ctx *ctx, const sqlitch_strv *files, sqlitch_err *err) {
  char *q = sh_shell_quote((const char *const *)files->v, files->n);
  char *cmd = sqlitch_mprintf("%s %s", sqlitch_editor(ctx->config), q);
  int rc = sh_run_command(cmd, err);
  free(cmd);
  free(q);
  return rc;
}

int sh_open_editor_config(sh_ctx *ctx, const char *const *keys, size_t n,
                          int *out, sqlitch_err *err) {
  *out = 0;
  for (size_t i = 0; i < n; i++) {
    int v = 0;
    int got = sqlitch_config_get_bool(ctx->config, keys[i], &v, err);
    if (got < 0) {
      char *m = sqlitch_mprintf("%s\n", err->msg ? err->msg : "");
      sqlitch_err_set(err, SQLITCH_E_CONFIG, 2, "%s", m);
      free(m);
      return SQLITCH_ERROR;
    }
    if (got) {
      *out = v;
      break;
    }
  }
  return SQLITCH_OK;
}

/* ------------------------------------------------------------- prompts */

char *sh_note_prompt_change(const char *for_cmd, const char *name_with_deps,
                            const sqlitch_strv *files) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addf(&b,
                   "Please enter a note for your change. Lines starting with "
                   "'#' will\nbe ignored, and an empty message aborts the "
                   "%s.\nChange to %s:\n\n  %s",
                   for_cmd, for_cmd, name_with_deps);
  for (size_t i = 0; files && i < files->n; i++)
    sqlitch_buf_addf(&b, "\n    %s", files->v[i]);
  /* join "\n    ", '', @scripts, "\n" -- the "\n" is joined too */
  sqlitch_buf_add(&b, "\n    \n");
  return sqlitch_buf_take(&b);
}

char *sh_note_prompt_line(const char *for_cmd) {
  return sqlitch_mprintf(
      "Write a %s note.\nLines starting with '#' will be ignored.", for_cmd);
}

/* ---------------------------------------------------------------- notes */

/* Unicode White_Space at p (byte length, 0 if none). */
static size_t uspace_at(const char *p) {
  const unsigned char *u = (const unsigned char *)p;
  if (u[0] == ' ' || (u[0] >= 0x09 && u[0] <= 0x0d)) return 1;
  if (u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0)) return 2;
  if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80) return 3;
  if (u[0] == 0xe2 && u[1] == 0x80 &&
      ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 || u[2] == 0xa9 ||
       u[2] == 0xaf))
    return 3;
  if (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) return 3;
  if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) return 3;
  return 0;
}

/* Perl \v: \n \x0B \f \r U+0085 U+2028 U+2029. */
static size_t vspace_at(const char *p) {
  const unsigned char *u = (const unsigned char *)p;
  if (u[0] >= 0x0a && u[0] <= 0x0d) return 1;
  if (u[0] == 0xc2 && u[1] == 0x85) return 2;
  if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9)) return 3;
  return 0;
}

static size_t vspace_before(const char *start, const char *p) {
  for (size_t k = 1; k <= 3; k++)
    if ((size_t)(p - start) >= k && vspace_at(p - k) == k) return k;
  return 0;
}

int sh_has_nonspace(const char *s) {
  if (!s) return 0;
  while (*s) {
    size_t k = uspace_at(s);
    if (!k) return 1;
    s += k;
  }
  return 0;
}

/* File::Spec->tmpdir: $TMPDIR when it is a writable directory, else /tmp. */
static const char *tmpdir(void) {
  const char *t = getenv("TMPDIR");
  if (t && *t && sqlitch_is_dir(t) && access(t, W_OK) == 0) return t;
  return "/tmp";
}

/* A File::Temp-like name: <tmpdir>/ + 10 characters of [A-Za-z0-9_]. */
static int make_temp(char **path, sqlitch_err *err) {
  static const char chars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
  unsigned seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
  char head[5];
  for (int i = 0; i < 4; i++) {
    seed = seed * 1103515245u + 12345u;
    head[i] = chars[(seed >> 16) % (sizeof chars - 1)];
  }
  head[4] = 0;
  char *p = sqlitch_mprintf("%s/%sXXXXXX", tmpdir(), head);
  int fd = mkstemp(p);
  if (fd < 0) {
    int e = errno;
    sqlitch_err_fail(err, "Error creating temporary file: %s", strerror(e));
    free(p);
    return -1;
  }
  *path = p;
  return fd;
}

int sh_request_note(sh_ctx *ctx, const char *prompt, char **note,
                    sqlitch_err *err) {
  *note = NULL;
  char *path;
  int fd = make_temp(&path, err);
  if (fd < 0) return SQLITCH_ERROR;
  /* "\n" . ($prompt =~ s/^/# /gms) . "\n": every line start gets "# ",
     except after a final newline */
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&b, "\n# ");
  for (const char *p = prompt; *p; p++) {
    sqlitch_buf_addc(&b, *p);
    if (*p == '\n' && p[1]) sqlitch_buf_add(&b, "# ");
  }
  sqlitch_buf_addc(&b, '\n');
  size_t off = 0;
  while (off < b.len) {
    ssize_t n = write(fd, b.p + off, b.len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    off += (size_t)n;
  }
  close(fd);
  sqlitch_buf_free(&b);

  char *q = sh_shell_quote((const char *const *)&path, 1);
  char *cmd = sqlitch_mprintf("%s %s", sqlitch_editor(ctx->config), q);
  int rc = sh_run_command(cmd, err);
  free(cmd);
  free(q);
  char *data = NULL;
  if (rc == SQLITCH_OK &&
      sqlitch_read_file(path, &data, NULL, NULL) != SQLITCH_OK)
    rc = sqlitch_err_fail(err, "Cannot open %s: %s", path, strerror(errno));
  unlink(path);
  free(path);
  if (rc) return SQLITCH_ERROR;

  /* keep the lines that do not match /^\s*#/ */
  sqlitch_buf kept = SQLITCH_BUF_INIT;
  for (const char *p = data; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
    const char *s = p;
    size_t k;
    while (s < p + len && (k = uspace_at(s)))
      s += k;
    if (!(s < p + len && *s == '#')) sqlitch_buf_addn(&kept, p, len);
    p += len;
  }
  free(data);
  sqlitch_buf_addn(&kept, "", 0);
  if (!sh_has_nonspace(kept.p)) {
    sqlitch_buf_free(&kept);
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 1,
                           "Aborting due to empty note");
  }
  /* s/\A\v+//; s/\v+\z// */
  const char *s = kept.p, *e = kept.p + kept.len;
  size_t k;
  while (s < e && (k = vspace_at(s)))
    s += k;
  while (e > s && (k = vspace_before(s, e)))
    e -= k;
  *note = sqlitch_strndup(s, (size_t)(e - s));
  sqlitch_buf_free(&kept);
  return SQLITCH_OK;
}

static void set_line_note(sqlitch_plan *plan, size_t line, const char *note) {
  if (line >= plan->nlines) return;
  sqlitch_plan_line *l = &plan->lines[line];
  l->note = note;
  if (sqlitch_perl_true(note) && !sqlitch_perl_true(l->rspace)) l->rspace = " ";
}

void sh_plan_set_change_note(sqlitch_plan *plan, size_t change,
                             const char *note) {
  if (change >= plan->nchanges) return;
  sqlitch_change *c = &plan->changes[change];
  c->note = sqlitch_arena_strdup(plan->arena, note ? note : "");
  set_line_note(plan, c->line, c->note);
}

void sh_plan_set_tag_note(sqlitch_plan *plan, size_t tag, const char *note) {
  if (tag >= plan->ntags) return;
  sqlitch_tag *t = &plan->tags[tag];
  t->note = sqlitch_arena_strdup(plan->arena, note ? note : "");
  set_line_note(plan, t->line, t->note);
}
