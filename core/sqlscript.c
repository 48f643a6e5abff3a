/*
** sqlscript.c -- the sqlite3 shell's way of cutting a script into chunks
** (process_input, quickscan, line_is_command_terminator), without running
** anything; see sqlscript.h.
*/
#include "sqlscript.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The sqlite3 shell's process_input(), minus execution: cut a script into
   the chunks the shell hands to sqlite3_prepare, at the same lines. */

#define QSS_HASDARK 0x100
#define QSS_ENDSEMI 0x200
#define QSS_CHARMASK 0xff
#define QSS_SCANMASK 0x300
#define QSS_SETV(q, v) ((v) | ((q)&QSS_SCANMASK))
#define QSS_INPLAIN(q) (((q)&QSS_CHARMASK) == 0)
#define QSS_PLAINWHITE(q) (((q) & ~QSS_ENDSEMI) == 0)
#define QSS_SEMITERM(q) (((q) & ~QSS_HASDARK) == QSS_ENDSEMI)

int sqlitch_sql_is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}

/* The shell's quickscan(): track quotes/comments across lines and whether
   the line ends with a semicolon. */
static int quickscan(const char *z, int qss) {
  char wait = (char)(qss & QSS_CHARMASK);
  char c;
  for (;;) {
    if (!wait) {
      for (;;) {
        c = *z++;
        if (!c) return qss;
        if (sqlitch_sql_is_space(c)) continue;
        if (c == '-' && *z == '-') return qss; /* comment to end of line */
        if (c == ';') {
          qss |= QSS_ENDSEMI;
          continue;
        }
        if (c == '/' && *z == '*') {
          z++;
          wait = '*';
          qss = QSS_SETV(qss, wait);
          break;
        }
        if (c == '[' || c == '`' || c == '\'' || c == '"') {
          wait = c == '[' ? ']' : c;
          qss = QSS_HASDARK | wait;
          break;
        }
        qss = (qss & ~QSS_ENDSEMI) | QSS_HASDARK;
      }
    } else {
      for (;;) {
        c = *z++;
        if (!c) return qss;
        if (c != wait) continue;
        if (wait == '*') {
          if (*z != '/') continue;
          z++;
        } else if (wait != ']' && *z == wait) {
          z++;
          continue;
        }
        wait = 0;
        qss = QSS_SETV(qss, 0);
        break;
      }
    }
  }
}

/* "go" or "/" alone on a line ends a statement (line_is_command_terminator). */
static int line_is_terminator(const char *z) {
  while (sqlitch_sql_is_space(*z))
    z++;
  if (*z == '/')
    z++;
  else if ((z[0] == 'g' || z[0] == 'G') && (z[1] == 'o' || z[1] == 'O'))
    z += 2;
  else
    return 0;
  return quickscan(z, 0) == 0;
}

void sqlitch_sqlscript_free(sqlitch_sqlscript *sc) {
  sqlitch_buf_free(&sc->buf);
  free(sc->v);
  memset(sc, 0, sizeof *sc);
}

static void chunk_push(sqlitch_sqlscript *sc, size_t off, int line) {
  if (sc->n == sc->cap) {
    sc->cap = sc->cap ? sc->cap * 2 : 32;
    sc->v = sqlitch_realloc(sc->v, sc->cap * sizeof *sc->v);
  }
  sc->v[sc->n].off = off;
  sc->v[sc->n].line = line;
  sc->n++;
}

/* What only the sqlite3 shell defines (shell.c's open_db extensions and
   functions), plus EXPLAIN, whose output the shell formats its own way. A
   script naming one of these runs through the client. Sorted. */
static const char *const shell_words[] = {"completion",
                                          "decimal",
                                          "decimal_add",
                                          "decimal_cmp",
                                          "decimal_mul",
                                          "decimal_sub",
                                          "decimal_sum",
                                          "edit",
                                          "explain",
                                          "fsdir",
                                          "generate_series",
                                          "ieee754",
                                          "ieee754_exponent",
                                          "ieee754_from_blob",
                                          "ieee754_mantissa",
                                          "ieee754_to_blob",
                                          "load_extension",
                                          "lsmode",
                                          "readfile",
                                          "regexp",
                                          "regexpi",
                                          "sha3",
                                          "sha3_query",
                                          "shell_add_schema",
                                          "shell_escape_crnl",
                                          "shell_idquote",
                                          "shell_int32",
                                          "shell_module_schema",
                                          "shell_putsnl",
                                          "sqlar_compress",
                                          "sqlar_uncompress",
                                          "sqlite_dbdata",
                                          "sqlite_dbptr",
                                          "uint",
                                          "usleep",
                                          "writefile",
                                          "zipfile"};

static int cmp_word(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int word_char(unsigned char c) {
  return c == '_' || c == '$' || (c >= '0' && c <= '9') ||
         (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Words after which a script may leave connection state behind (pragmas,
   TEMP objects, attached databases) that the next script must not see. */
static const char *const state_words[] = {"attach", "pragma", "temp",
                                          "temporary"};

/* Scan bare words (outside strings, quoted names and comments): bit 1 =
   a shell-only word, bit 2 = a connection-state word. */
static int scan_words(const char *z) {
  int found = 0;
  char w[32];
  while (*z) {
    char c = *z;
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char end = c == '[' ? ']' : c;
      z++;
      while (*z && !(*z == end && z[1] != end))
        z += (*z == end) ? 2 : 1;
      if (*z) z++;
    } else if (c == '-' && z[1] == '-') {
      while (*z && *z != '\n')
        z++;
    } else if (c == '/' && z[1] == '*') {
      z += 2;
      while (*z && !(z[0] == '*' && z[1] == '/'))
        z++;
      if (*z) z += 2;
    } else if (word_char((unsigned char)c) && !(c >= '0' && c <= '9')) {
      size_t n = 0;
      while (word_char((unsigned char)*z)) {
        if (n < sizeof w - 1)
          w[n] = (char)((*z >= 'A' && *z <= 'Z') ? *z + 32 : *z);
        n++;
        z++;
      }
      if (n < sizeof w) {
        w[n] = 0;
        const char *key = w;
        if (bsearch(&key, shell_words, sizeof shell_words / sizeof *shell_words,
                    sizeof *shell_words, cmp_word))
          found |= 1;
        for (size_t i = 0; i < sizeof state_words / sizeof *state_words; i++)
          if (strcmp(w, state_words[i]) == 0) found |= 2;
      }
    } else {
      z++;
    }
  }
  return found;
}

static int last_is_commit(const char *chunk);

void sqlitch_sqlscript_parse(const char *text, size_t len,
                             sqlitch_sqlscript *sc) {
  memset(sc, 0, sizeof *sc);
  int qss = 0, lineno = 0, startline = 0;
  size_t nsql = 0, start = 0;
  sqlitch_buf line = SQLITCH_BUF_INIT;
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (nl && n && p[n - 1] == '\r') n--;
    sqlitch_buf_reset(&line);
    sqlitch_buf_addn(&line, p, n);
    p = nl ? nl + 1 : end;
    lineno++;
    const char *z = sqlitch_buf_str(&line);
    if (QSS_INPLAIN(qss) && line_is_terminator(z)) {
      int complete;
      if (nsql == 0)
        complete = 1;
      else {
        sqlitch_buf_addc(&sc->buf, ';');
        complete = sqlite3_complete(sc->buf.p + start);
        sqlitch_buf_truncate(&sc->buf, sc->buf.len - 1);
      }
      if (complete) z = ";";
    }
    qss = quickscan(z, qss);
    if (QSS_PLAINWHITE(qss) && nsql == 0) {
      qss = 0;
      continue;
    }
    if (nsql == 0 && (z[0] == '.' || z[0] == '#')) {
      if (z[0] == '.') sc->dot = 1;
      qss = 0;
      continue;
    }
    if (nsql == 0) {
      while (sqlitch_sql_is_space(*z))
        z++;
      start = sc->buf.len;
      startline = lineno;
      sqlitch_buf_add(&sc->buf, z);
      nsql = sc->buf.len - start;
      if (!sc->buf.p) sqlitch_buf_add(&sc->buf, "");
    } else {
      sqlitch_buf_addc(&sc->buf, '\n');
      sqlitch_buf_add(&sc->buf, z);
      nsql = sc->buf.len - start;
    }
    if (nsql && QSS_SEMITERM(qss) && sqlite3_complete(sc->buf.p + start)) {
      sqlitch_buf_addn(&sc->buf, "", 1); /* NUL terminator */
      chunk_push(sc, start, startline);
      nsql = 0;
      qss = 0;
    } else if (nsql && QSS_PLAINWHITE(qss)) {
      sqlitch_buf_truncate(&sc->buf, start);
      nsql = 0;
      qss = 0;
    }
  }
  if (nsql) {
    sqlitch_buf_addn(&sc->buf, "", 1);
    chunk_push(sc, start, startline);
  }
  sqlitch_buf_free(&line);
  for (size_t i = 0; i < sc->n; i++) {
    int f = scan_words(sc->buf.p + sc->v[i].off);
    if (f & 1) sc->shell_only = 1;
    if (f & 2) sc->state = 1;
  }
  if (sc->n) sc->ends_commit = last_is_commit(sc->buf.p + sc->v[sc->n - 1].off);
}

const char *sqlitch_sql_skip_blank(const char *z, int semis) {
  for (;;) {
    if (sqlitch_sql_is_space(*z) || (semis && *z == ';'))
      z++;
    else if (z[0] == '-' && z[1] == '-') {
      while (*z && *z != '\n')
        z++;
    } else if (z[0] == '/' && z[1] == '*') {
      z += 2;
      while (*z && !(z[0] == '*' && z[1] == '/'))
        z++;
      if (*z) z += 2;
    } else
      return z;
  }
}

static int word_is(const char *z, const char *w, const char **next) {
  size_t n = strlen(w);
  if (strncasecmp(z, w, n) != 0 || word_char((unsigned char)z[n])) return 0;
  if (next) *next = z + n;
  return 1;
}

/* Transaction-control class of a statement. */
sqlitch_sql_kw sqlitch_sql_classify(const char *sql) {
  const char *z = sqlitch_sql_skip_blank(sql, 0), *n;
  if (word_is(z, "BEGIN", NULL)) return SQLITCH_KW_BEGIN;
  if (word_is(z, "COMMIT", NULL) || word_is(z, "END", NULL))
    return SQLITCH_KW_COMMIT;
  if (word_is(z, "ROLLBACK", &n)) {
    z = sqlitch_sql_skip_blank(n, 0);
    if (word_is(z, "TRANSACTION", &n)) z = sqlitch_sql_skip_blank(n, 0);
    return word_is(z, "TO", NULL) ? SQLITCH_KW_ROLLBACK_TO
                                  : SQLITCH_KW_ROLLBACK;
  }
  return SQLITCH_KW_OTHER;
}

/* Does the chunk's last statement start with COMMIT or END? The start is
   found after the last ';' (outside quotes and comments) that has text
   after it, and confirmed with one sqlite3_complete() on what precedes it
   (inside a trigger body it is not a statement of its own). */
static int last_is_commit(const char *chunk) {
  const char *start = chunk, *z = chunk, *cand = chunk;
  while (*z) {
    char c = *z;
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char end = c == '[' ? ']' : c;
      z++;
      while (*z && !(*z == end && z[1] != end))
        z += (*z == end) ? 2 : 1;
      if (*z) z++;
    } else if (c == '-' && z[1] == '-') {
      while (*z && *z != '\n')
        z++;
    } else if (c == '/' && z[1] == '*') {
      z += 2;
      while (*z && !(z[0] == '*' && z[1] == '/'))
        z++;
      if (*z) z += 2;
    } else {
      if (c == ';' && *sqlitch_sql_skip_blank(z + 1, 1)) cand = z + 1;
      z++;
    }
  }
  start = sqlitch_sql_skip_blank(cand, 1);
  if (!*start || sqlitch_sql_classify(start) != SQLITCH_KW_COMMIT) return 0;
  if (start == sqlitch_sql_skip_blank(chunk, 1)) return 1;
  char *prefix = sqlitch_strndup(chunk, (size_t)(start - chunk));
  int ok = sqlite3_complete(prefix);
  free(prefix);
  return ok;
}
