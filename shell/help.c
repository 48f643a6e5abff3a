/*
** help.c -- `sqlitch help [<command>|<topic>]`, --help/--man, and the usage
** text printed after an option error.
**
** The text comes from the docs/man markdown files, compiled in by
** tools/embed-docs, so the help a user reads is the man page installed
** by `make install`.
** Rendering for the terminal: "# HEADING" lines lose their marker, every
** other line is indented four spaces, and inline markdown (`code`,
** **bold**, *italic*) is shown plain.
**
**   sqlitch help             list of commands   (sqlitchcommands.7)
**   sqlitch help deploy      sqlitch-deploy.1
**   sqlitch help --guide     sqlitchguides.7
**   sqlitch deploy --bogus   "Unknown option: bogus" + SYNOPSIS and OPTIONS
*/
#include <stdlib.h>
#include <string.h>

#include "shell.h"

typedef struct {
  const char *name;
  const char *text;
} sh_doc;
extern const sh_doc sh_docs[];

/* Find docs/man/<name>.<section>.md. */
static const char *find_doc(const char *name) {
  size_t n = strlen(name);
  for (const sh_doc *d = sh_docs; d->name; d++)
    if (strncmp(d->name, name, n) == 0 && d->name[n] == '.') return d->text;
  return NULL;
}

/* Append one rendered markdown line (dialect: tools/md2man). `indef` is
   set while inside a definition, whose lines indented by four spaces
   continue its text rather than start a literal block. */
static void render_line(sqlitch_buf *b, const char *s, size_t n, int *indef) {
  if (n == 0 || s[0] == '#') *indef = 0;
  if (*indef && n > 4 && strncmp(s, "    ", 4) == 0 && s[4] != ' ') {
    s += 4; /* continuation: rendered as definition text below */
    n -= 4;
    sqlitch_buf_add(b, "    ");
  } else if (n >= 4 && strncmp(s, ":   ", 4) == 0) {
    *indef = 1;
  } else if (!(n >= 4 && strncmp(s, "    ", 4) == 0)) {
    *indef = 0;
  }
  if (n >= 2 && s[0] == '#' && s[1] == ' ') {
    sqlitch_buf_addn(b, s + 2, n - 2);
    sqlitch_buf_addc(b, '\n');
    return;
  }
  if (n >= 3 && s[0] == '#' && s[1] == '#' && s[2] == ' ') {
    sqlitch_buf_add(b, "  ");
    sqlitch_buf_addn(b, s + 3, n - 3);
    sqlitch_buf_addc(b, '\n');
    return;
  }
  if (n >= 4 && strncmp(s, "    ", 4) == 0) { /* literal block */
    sqlitch_buf_add(b, "    ");
    sqlitch_buf_addn(b, s, n);
    sqlitch_buf_addc(b, '\n');
    return;
  }
  if (n >= 4 && strncmp(s, ":   ", 4) == 0) { /* definition text */
    sqlitch_buf_add(b, "        ");
    s += 4;
    n -= 4;
  } else if (n) {
    sqlitch_buf_add(b, "    ");
  }
  int in_code = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '`') {
      in_code = !in_code;
      continue;
    }
    if (!in_code && s[i] == '*' &&
        ((i > 0 && s[i - 1] != ' ') || (i + 1 < n && s[i + 1] != ' ')))
      continue;
    sqlitch_buf_addc(b, s[i]);
  }
  sqlitch_buf_addc(b, '\n');
}

/* Render the whole doc, or only the sections whose heading is listed. */
static char *render(const char *text, const char *const *sections) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  int keep = sections == NULL, indef = 0;
  const char *p = text;
  /* skip a leading "% title" line */
  if (*p == '%') p += strcspn(p, "\n") + (p[strcspn(p, "\n")] ? 1 : 0);
  while (*p) {
    size_t n = strcspn(p, "\n");
    if (sections && n >= 2 && p[0] == '#' && p[1] == ' ') {
      keep = 0;
      for (int i = 0; sections[i]; i++)
        if (n - 2 == strlen(sections[i]) &&
            strncmp(p + 2, sections[i], n - 2) == 0)
          keep = 1;
    }
    if (keep) render_line(&b, p, n, &indef);
    p += n;
    if (*p) p++;
  }
  return sqlitch_buf_take(&b);
}

void sh_usage(sh_ctx *ctx, const char *command) {
  static const char *const secs[] = {"SYNOPSIS", "OPTIONS", NULL};
  char name[128];
  const char *doc;
  char *text;
  (void)ctx;
  if (command) {
    snprintf(name, sizeof name, "sqlitch-%s", command);
    doc = find_doc(name);
    text = doc ? render(doc, secs)
               : sqlitch_mprintf("Usage: sqlitch %s [options]\n", command);
  } else {
    doc = find_doc("sqlitchcommands");
    text =
        doc ? render(doc, NULL)
            : sqlitch_strdup("Usage: sqlitch <command> [options] [<args>]\n");
  }
  fflush(stdout);
  fputs(text, stderr);
  free(text);
}

int sh_help(sh_ctx *ctx, const char *topic) {
  const char *doc;
  char name[256];
  if (!topic)
    snprintf(name, sizeof name, "sqlitch");
  else if (strcmp(topic, "--commands") == 0)
    snprintf(name, sizeof name, "sqlitchcommands");
  else if (strcmp(topic, "--guide") == 0)
    snprintf(name, sizeof name, "sqlitchguides");
  else if (strncmp(topic, "changes", 7) == 0 ||
           strncmp(topic, "tutorial", 8) == 0)
    snprintf(name, sizeof name, "sqlitch%s", topic);
  else
    snprintf(name, sizeof name, "sqlitch-%s", topic);
  doc = find_doc(name);
  if (!doc) {
    /* Sqitch names the page it looked for with its own prefix. */
    sh_info(ctx, "No manual entry for sqitch%s", name + strlen("sqlitch"));
    return 1;
  }
  char *text = render(doc, NULL);
  sh_page_literal(ctx, text, strlen(text));
  free(text);
  return 0;
}

static const char *const help_opts[] = {"guide|g", NULL};

static int help_run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
                    sqlitch_err *err) {
  (void)err;
  if (argc > 0) return sh_help(ctx, argv[0]);
  return sh_help(ctx, sh_opt_bool(o, "guide", 0) ? "--guide" : "--commands");
}

const sh_cmd sh_cmd_help = {"help", help_opts, help_run};
