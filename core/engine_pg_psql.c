/*
** engine_pg_psql.c -- psql 15 in process: what `psql --quiet --no-psqlrc
** --no-align --tuples-only --set ON_ERROR_STOP=1 --file F` (Sqitch's way
** of running a pg script) would send to the server and print, without
** starting psql. See engine_pg.h for the interface.
**
** Parsing follows psql's MainLoop (mainloop.c), its SQL lexer
** (fe_utils/psqlscan.l) and its backslash lexer (psqlscanslash.l), all of
** PostgreSQL 15:
**   - the file is read line by line; line 1 loses a UTF-8 BOM; an empty
**     line outside quotes is skipped (no newline reaches the query); a
**     newline joins lines of one statement;
**   - a statement ends at ";" outside quotes, comments, parentheses and
**     BEGIN ... END of a CREATE FUNCTION/PROCEDURE body; whitespace and
**     "--" comments before a statement are dropped, the rest is kept;
**   - :name (re-lexed), :'name', :"name" and :{?name} are substituted;
**   - meta-commands \echo, \qecho, \warn, \set, \unset, \i, \include,
**     \ir, \include_relative run as psql runs them, with psql's argument
**     quoting rules;
**   - a statement left at the end of the file is sent.
** Everything else psql can do (other meta-commands, COPY, backticks,
** psql's own variables, encodings psql must transcode) makes the parse
** give up with a reason: the caller then runs the real psql.
**
** Running sends each statement with PQsendQuery and prints every result
** as psql does: rows as "a|b\n" (NULL as ""), errors and notices as
** "psql:FILE:LINE: " + libpq's message, then stops at the first error
** (exit value 3) or when the connection is lost (exit value 2).
*/
#ifdef SQLITCH_HAVE_PG /* compiled with libpq only (Makefile HAVE_PG) */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_pg.h"

/* ============================================================ variables */

void sqlitch_psql_vars_set(sqlitch_psql_vars *v, const char *name,
                           const char *value) {
  for (size_t i = 0; i < v->names.n; i++) {
    if (strcmp(v->names.v[i], name) != 0) continue;
    if (value) {
      free(v->values.v[i]);
      v->values.v[i] = sqlitch_strdup(value);
    } else {
      free(v->names.v[i]);
      free(v->values.v[i]);
      for (size_t j = i + 1; j < v->names.n; j++) {
        v->names.v[j - 1] = v->names.v[j];
        v->values.v[j - 1] = v->values.v[j];
      }
      v->names.n--;
      v->values.n--;
      v->names.v[v->names.n] = NULL;
      v->values.v[v->values.n] = NULL;
    }
    return;
  }
  if (!value) return;
  sqlitch_strv_push(&v->names, name);
  sqlitch_strv_push(&v->values, value);
}

const char *sqlitch_psql_vars_get(const sqlitch_psql_vars *v,
                                  const char *name) {
  for (size_t i = 0; i < v->names.n; i++)
    if (strcmp(v->names.v[i], name) == 0) return v->values.v[i];
  return NULL;
}

void sqlitch_psql_vars_copy(sqlitch_psql_vars *dst,
                            const sqlitch_psql_vars *src) {
  for (size_t i = 0; i < src->names.n; i++)
    sqlitch_psql_vars_set(dst, src->names.v[i], src->values.v[i]);
}

void sqlitch_psql_vars_free(sqlitch_psql_vars *v) {
  sqlitch_strv_free(&v->names);
  sqlitch_strv_free(&v->values);
}

int sqlitch_psql_valid_name(const char *name) {
  if (!name || !*name) return 0;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    if (!(*p >= 0x80 || isalnum(*p) || *p == '_')) return 0;
  return 1;
}

/* Variables psql sets itself or watches (psql 15's startup.c hooks and
   SyncVariables). Scripts touching them run through the real psql. */
static const char *const special_names[] = {"AUTOCOMMIT",
                                            "COMP_KEYWORD_CASE",
                                            "DBNAME",
                                            "ECHO",
                                            "ECHO_HIDDEN",
                                            "ENCODING",
                                            "ERROR",
                                            "FETCH_COUNT",
                                            "HIDE_TABLEAM",
                                            "HIDE_TOAST_COMPRESSION",
                                            "HISTCONTROL",
                                            "HISTFILE",
                                            "HISTSIZE",
                                            "HOST",
                                            "IGNOREEOF",
                                            "LASTOID",
                                            "LAST_ERROR_MESSAGE",
                                            "LAST_ERROR_SQLSTATE",
                                            "ON_ERROR_ROLLBACK",
                                            "ON_ERROR_STOP",
                                            "PORT",
                                            "PROMPT1",
                                            "PROMPT2",
                                            "PROMPT3",
                                            "QUIET",
                                            "ROW_COUNT",
                                            "SERVER_VERSION_NAME",
                                            "SERVER_VERSION_NUM",
                                            "SHOW_ALL_RESULTS",
                                            "SHOW_CONTEXT",
                                            "SINGLELINE",
                                            "SINGLESTEP",
                                            "SQLSTATE",
                                            "USER",
                                            "VERBOSITY",
                                            "VERSION",
                                            "VERSION_NAME",
                                            "VERSION_NUM",
                                            NULL};

int sqlitch_psql_special_name(const char *name) {
  for (size_t i = 0; special_names[i]; i++)
    if (strcmp(special_names[i], name) == 0) return 1;
  return 0;
}

/* ============================================================= escaping */

/* PQescapeLiteral / PQescapeIdentifier without a connection, for UTF8 and
   single-byte client encodings: NULL when the text is not valid (psql
   would print libpq's complaint; we let psql do that). */
static char *escape(const char *s, int ident, int utf8) {
  size_t n = strlen(s);
  if (utf8 && !sqlitch_utf8_valid(s, n)) return NULL;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  char q = ident ? '"' : '\'';
  int bs = 0;
  for (const char *p = s; *p; p++)
    if (*p == '\\') bs = 1;
  if (!ident && bs) sqlitch_buf_add(&b, " E");
  sqlitch_buf_addc(&b, q);
  for (const char *p = s; *p; p++) {
    if (*p == q || (!ident && *p == '\\')) sqlitch_buf_addc(&b, *p);
    sqlitch_buf_addc(&b, *p);
  }
  sqlitch_buf_addc(&b, q);
  return sqlitch_buf_take(&b);
}

/* ================================================================ lexer */

/* Lexer states (psqlscan.l's exclusive states). */
enum { X_INITIAL, X_B, X_C, X_D, X_H, X_Q, X_QS, X_E, X_DOLQ, X_UI, X_US };

/* Results of one scan (LEXRES_*). */
enum { LX_EOL, LX_SEMI, LX_BACKSLASH };

/* One input buffer: a line, or a variable's value being expanded. */
typedef struct src {
  char *text; /* owned */
  size_t len, pos;
  char *var; /* the variable, NULL for the line */
} src;

typedef struct parser parser;

typedef struct lexer {
  int state, before_qs, xcdepth;
  char *dolq; /* the opening $tag$ of a dollar quote */
  int paren, begin_depth, ident_count;
  char idents[4];
  src *stk;
  size_t n, cap;
  parser *P;
} lexer;

struct parser {
  sqlitch_psql_script *s;
  sqlitch_psql_vars vars;
  int utf8;
  int depth;        /* \i nesting */
  const char *file; /* current input file (owned by s->files) */
  unsigned long line;
};

#define MAX_INCLUDE_DEPTH 32

static void give_up(parser *P, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
static void give_up(parser *P, const char *fmt, ...) {
  if (P->s->fallback) return;
  va_list ap;
  va_start(ap, fmt);
  P->s->fallback = sqlitch_vmprintf(fmt, ap);
  va_end(ap);
}

static void action(parser *P, sqlitch_psql_kind k, const char *text,
                   size_t len) {
  sqlitch_psql_script *s = P->s;
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 16;
    s->v = sqlitch_realloc(s->v, s->cap * sizeof *s->v);
  }
  sqlitch_psql_action *a = &s->v[s->n++];
  a->kind = k;
  a->text = sqlitch_strndup(text, len);
  a->len = len;
  a->file = P->file;
  a->line = P->line;
}

/* pg_log_warning / pg_log_error with the file locus. */
static void logmsg(parser *P, sqlitch_psql_kind k, const char *level,
                   const char *fmt, ...) SQLITCH_PRINTF(4, 5);
static void logmsg(parser *P, sqlitch_psql_kind k, const char *level,
                   const char *fmt, ...) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addf(&b, "psql:%s:%lu: %s", P->file, P->line, level);
  va_list ap;
  va_start(ap, fmt);
  sqlitch_buf_addvf(&b, fmt, ap);
  va_end(ap);
  sqlitch_buf_addc(&b, '\n');
  action(P, k, b.p, b.len);
  sqlitch_buf_free(&b);
}

static void lx_push(lexer *L, char *text, size_t len, const char *var) {
  if (L->n == L->cap) {
    L->cap = L->cap ? L->cap * 2 : 4;
    L->stk = sqlitch_realloc(L->stk, L->cap * sizeof *L->stk);
  }
  src *t = &L->stk[L->n++];
  t->text = text;
  t->len = len;
  t->pos = 0;
  t->var = var ? sqlitch_strdup(var) : NULL;
}

static void lx_pop(lexer *L) {
  src *t = &L->stk[--L->n];
  free(t->text);
  free(t->var);
}

static void lx_clear(lexer *L) {
  while (L->n)
    lx_pop(L);
}

static void lx_free(lexer *L) {
  lx_clear(L);
  free(L->stk);
  free(L->dolq);
}

/* The current buffer, popping finished variable expansions; NULL at the
   end of the line. */
static src *cur(lexer *L) {
  while (L->n) {
    src *t = &L->stk[L->n - 1];
    if (t->pos < t->len) return t;
    if (!t->var) return NULL;
    lx_pop(L);
  }
  return NULL;
}

static int var_char(unsigned char c) {
  return c >= 0x80 || isalnum(c) || c == '_';
}
static int ident_start(unsigned char c) {
  return c >= 0x80 || isalpha(c) || c == '_';
}
static int ident_cont(unsigned char c) {
  return ident_start(c) || isdigit(c) || c == '$';
}
static int dolq_cont(unsigned char c) { return ident_start(c) || isdigit(c); }
static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Length of a $tag$ delimiter at p (0 if none). */
static size_t dolq_delim(const char *p, size_t n) {
  if (n < 2 || p[0] != '$') return 0;
  size_t i = 1;
  if (ident_start((unsigned char)p[1])) {
    i = 2;
    while (i < n && dolq_cont((unsigned char)p[i]))
      i++;
  }
  return i < n && p[i] == '$' ? i + 1 : 0;
}

/* {quotecontinue} after a closing quote: whitespace with a newline, then
   a quote. Returns its length or 0. */
static size_t quote_continue(const char *p, size_t n) {
  size_t i = 0;
  for (;;) { /* {horiz_whitespace}* */
    if (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\f'))
      i++;
    else if (i + 1 < n && p[i] == '-' && p[i + 1] == '-') {
      while (i < n && p[i] != '\n' && p[i] != '\r')
        i++;
    } else
      break;
  }
  if (i >= n || (p[i] != '\n' && p[i] != '\r')) return 0;
  i++;
  for (;;) { /* {special_whitespace}* */
    if (i < n && is_space(p[i]))
      i++;
    else if (i + 1 < n && p[i] == '-' && p[i + 1] == '-') {
      size_t j = i;
      while (j < n && p[j] != '\n' && p[j] != '\r')
        j++;
      if (j >= n) break;
      i = j + 1;
    } else
      break;
  }
  return i < n && p[i] == '\'' ? i + 1 : 0;
}

static void emit(sqlitch_buf *out, const char *p, size_t n) {
  sqlitch_buf_addn(out, p, n);
}

/* The identifier rule's BEGIN ... END tracking (psql 14+). */
static void track_ident(lexer *L, const char *w, size_t n) {
  if (L->ident_count == 0) memset(L->idents, 0, sizeof L->idents);
  static const char *const words[] = {"create", "function", "procedure", "or",
                                      "replace"};
  for (size_t i = 0; i < 5; i++)
    if (strlen(words[i]) == n && strncasecmp(w, words[i], n) == 0) {
      if ((size_t)L->ident_count < sizeof L->idents)
        L->idents[L->ident_count] = (char)tolower((unsigned char)w[0]);
      break;
    }
  L->ident_count++;
  const char *id = L->idents;
  if (id[0] == 'c' &&
      (id[1] == 'f' || id[1] == 'p' ||
       (id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p'))) &&
      L->paren == 0) {
    if (n == 5 && strncasecmp(w, "begin", 5) == 0)
      L->begin_depth++;
    else if (n == 4 && strncasecmp(w, "case", 4) == 0) {
      if (L->begin_depth >= 1) L->begin_depth++;
    } else if (n == 3 && strncasecmp(w, "end", 3) == 0) {
      if (L->begin_depth > 0) L->begin_depth--;
    }
  }
}

/* Variable references: sets *len to the token length and the kind:
   0 plain :name, 1 :'name', 2 :"name", 3 :{?name}; returns 0 when the
   colon is just a colon. name_off/name_len locate the name. */
static int var_ref(const char *p, size_t n, size_t *len, int *kind,
                   size_t *noff, size_t *nlen) {
  if (n < 2 || p[0] != ':') return 0;
  size_t i;
  if (var_char((unsigned char)p[1])) {
    for (i = 1; i < n && var_char((unsigned char)p[i]); i++) {
    }
    *kind = 0, *noff = 1, *nlen = i - 1, *len = i;
    return 1;
  }
  if (p[1] == '\'' || p[1] == '"') {
    for (i = 2; i < n && var_char((unsigned char)p[i]); i++) {
    }
    if (i > 2 && i < n && p[i] == p[1]) {
      *kind = p[1] == '\'' ? 1 : 2, *noff = 2, *nlen = i - 2, *len = i + 1;
      return 1;
    }
    return 0;
  }
  if (p[1] == '{' && n > 2 && p[2] == '?') {
    for (i = 3; i < n && var_char((unsigned char)p[i]); i++) {
    }
    if (i > 3 && i < n && p[i] == '}') {
      *kind = 3, *noff = 3, *nlen = i - 3, *len = i + 1;
      return 1;
    }
  }
  return 0;
}

static int var_is_expanding(lexer *L, const char *name) {
  for (size_t i = 0; i < L->n; i++)
    if (L->stk[i].var && strcmp(L->stk[i].var, name) == 0) return 1;
  return 0;
}

/* A variable reference in SQL text. Returns 1 when it pushed a buffer. */
static int sql_variable(lexer *L, src *t, size_t tok, int kind, size_t noff,
                        size_t nlen, sqlitch_buf *out) {
  parser *P = L->P;
  char *name = sqlitch_strndup(t->text + t->pos + noff, nlen);
  const char *val = sqlitch_psql_vars_get(&P->vars, name);
  int pushed = 0;
  if (sqlitch_psql_special_name(name))
    give_up(P, "the script uses psql's variable %s", name);
  if (kind == 3) {
    sqlitch_buf_add(out, val ? "TRUE" : "FALSE");
  } else if (!val) {
    emit(out, t->text + t->pos, tok);
  } else if (kind == 0) {
    if (var_is_expanding(L, name)) {
      logmsg(P, SQLITCH_PSQL_ERR,
             "warning: ", "skipping recursive expansion of variable \"%s\"",
             name);
      emit(out, t->text + t->pos, tok);
    } else {
      t->pos += tok;
      lx_push(L, sqlitch_strdup(val), strlen(val), name);
      pushed = 1;
    }
  } else {
    char *e = escape(val, kind == 2, P->utf8);
    if (!e)
      give_up(P, "variable %s cannot be escaped here", name);
    else
      sqlitch_buf_add(out, e);
    free(e);
  }
  free(name);
  if (!pushed) t->pos += tok;
  return pushed;
}

/* One numeric token ({integer}, {decimal}, {real} and their fail rules). */
static size_t number(const char *p, size_t n) {
  size_t i = 0;
  while (i < n && isdigit((unsigned char)p[i]))
    i++;
  if (i < n && p[i] == '.') {
    if (i + 1 < n && p[i + 1] == '.' && i > 0) return i; /* decimalfail */
    i++;
    while (i < n && isdigit((unsigned char)p[i]))
      i++;
  }
  if (i < n && (p[i] == 'e' || p[i] == 'E')) {
    size_t j = i + 1;
    if (j < n && (p[j] == '+' || p[j] == '-')) j++;
    if (j < n && isdigit((unsigned char)p[j])) {
      while (j < n && isdigit((unsigned char)p[j]))
        j++;
      i = j;
    }
  }
  return i;
}

/* psql_scan(): lex SQL from the buffers into `out` until a terminating
   semicolon, a backslash command, or the end of the line. */
static int lex(lexer *L, sqlitch_buf *out) {
  src *t;
  while ((t = cur(L))) {
    const char *p = t->text + t->pos;
    size_t n = t->len - t->pos;
    unsigned char c = (unsigned char)p[0];
    size_t k;
    switch (L->state) {
    case X_INITIAL:
      if (is_space((char)c)) {
        for (k = 1; k < n && is_space(p[k]); k++) {
        }
        if (out->len > 0) emit(out, p, k);
        t->pos += k;
      } else if (c == '-' && n > 1 && p[1] == '-') {
        for (k = 2; k < n && p[k] != '\n' && p[k] != '\r'; k++) {
        }
        if (out->len > 0) emit(out, p, k);
        t->pos += k;
      } else if (c == '/' && n > 1 && p[1] == '*') {
        L->xcdepth = 0;
        L->state = X_C;
        emit(out, p, 2);
        t->pos += 2;
      } else if (n > 1 && p[1] == '\'' && strchr("bBxXnNeE", c) && c) {
        if (c == 'n' || c == 'N') {
          emit(out, p, 1); /* yyless(1): the quote starts a plain string */
          t->pos += 1;
        } else {
          L->state = (c == 'b' || c == 'B')   ? X_B
                     : (c == 'x' || c == 'X') ? X_H
                                              : X_E;
          emit(out, p, 2);
          t->pos += 2;
        }
      } else if ((c == 'u' || c == 'U') && n > 1 && p[1] == '&') {
        if (n > 2 && (p[2] == '\'' || p[2] == '"')) {
          L->state = p[2] == '\'' ? X_US : X_UI;
          emit(out, p, 3);
          t->pos += 3;
        } else {
          emit(out, p, 1); /* {xufailed} */
          t->pos += 1;
        }
      } else if (c == '\'') {
        L->state = X_Q; /* standard_conforming_strings is on */
        emit(out, p, 1);
        t->pos += 1;
      } else if (c == '"') {
        L->state = X_D;
        emit(out, p, 1);
        t->pos += 1;
      } else if (c == '$') {
        if ((k = dolq_delim(p, n))) {
          free(L->dolq);
          L->dolq = sqlitch_strndup(p, k);
          L->state = X_DOLQ;
          emit(out, p, k);
          t->pos += k;
        } else if (n > 1 && isdigit((unsigned char)p[1])) {
          for (k = 1; k < n && isdigit((unsigned char)p[k]); k++) {
          }
          emit(out, p, k);
          t->pos += k;
        } else {
          emit(out, p, 1); /* {dolqfailed} or {other} */
          t->pos += 1;
        }
      } else if (c == '(') {
        L->paren++;
        emit(out, p, 1);
        t->pos += 1;
      } else if (c == ')') {
        if (L->paren > 0) L->paren--;
        emit(out, p, 1);
        t->pos += 1;
      } else if (c == ';') {
        emit(out, p, 1);
        t->pos += 1;
        if (L->paren == 0 && L->begin_depth == 0) {
          L->ident_count = 0;
          return LX_SEMI;
        }
      } else if (c == '\\') {
        if (n > 1 && (p[1] == ';' || p[1] == ':')) {
          emit(out, p + 1, 1);
          if (p[1] == ';') L->ident_count = 0;
          t->pos += 2;
        } else {
          t->pos += 1;
          return LX_BACKSLASH;
        }
      } else if (c == ':') {
        size_t tok, noff, nlen;
        int kind;
        if (n > 1 && (p[1] == ':' || p[1] == '=')) {
          emit(out, p, 2); /* {typecast}, {colon_equals} */
          t->pos += 2;
        } else if (var_ref(p, n, &tok, &kind, &noff, &nlen)) {
          sql_variable(L, t, tok, kind, noff, nlen, out);
        } else {
          emit(out, p, 1);
          t->pos += 1;
        }
      } else if (ident_start(c)) {
        for (k = 1; k < n && ident_cont((unsigned char)p[k]); k++) {
        }
        track_ident(L, p, k);
        emit(out, p, k);
        t->pos += k;
      } else if (isdigit(c) ||
                 (c == '.' && n > 1 && isdigit((unsigned char)p[1]))) {
        k = number(p, n);
        emit(out, p, k);
        t->pos += k;
      } else {
        emit(out, p, 1);
        t->pos += 1;
      }
      break;

    case X_C:
      if (c == '/' && n > 1 && p[1] == '*') {
        L->xcdepth++;
        emit(out, p, 2);
        t->pos += 2;
      } else if (c == '*') {
        for (k = 1; k < n && p[k] == '*'; k++) {
        }
        if (k < n && p[k] == '/') {
          k++;
          if (L->xcdepth <= 0)
            L->state = X_INITIAL;
          else
            L->xcdepth--;
        }
        emit(out, p, k);
        t->pos += k;
      } else {
        for (k = 1; k < n && p[k] != '*' && p[k] != '/'; k++) {
        }
        emit(out, p, k);
        t->pos += k;
      }
      break;

    case X_B:
    case X_H:
    case X_Q:
    case X_US:
    case X_E:
      if (c == '\'') {
        if (L->state != X_B && L->state != X_H && n > 1 && p[1] == '\'') {
          emit(out, p, 2); /* {xqdouble} */
          t->pos += 2;
        } else {
          L->before_qs = L->state;
          L->state = X_QS;
          emit(out, p, 1);
          t->pos += 1;
        }
      } else if (L->state == X_E && c == '\\') {
        k = n > 1 ? 2 : 1;
        emit(out, p, k);
        t->pos += k;
      } else {
        for (k = 1; k < n && p[k] != '\'' && !(L->state == X_E && p[k] == '\\');
             k++) {
        }
        emit(out, p, k);
        t->pos += k;
      }
      break;

    case X_QS:
      if ((k = quote_continue(p, n))) {
        L->state = L->before_qs;
        emit(out, p, k);
        t->pos += k;
      } else {
        L->state = X_INITIAL;
      }
      break;

    case X_D:
    case X_UI:
      if (c == '"') {
        if (n > 1 && p[1] == '"') {
          emit(out, p, 2);
          t->pos += 2;
        } else {
          L->state = X_INITIAL;
          emit(out, p, 1);
          t->pos += 1;
        }
      } else {
        for (k = 1; k < n && p[k] != '"'; k++) {
        }
        emit(out, p, k);
        t->pos += k;
      }
      break;

    case X_DOLQ:
      if (c == '$') {
        if ((k = dolq_delim(p, n))) {
          if (k == strlen(L->dolq) && memcmp(p, L->dolq, k) == 0) {
            free(L->dolq);
            L->dolq = NULL;
            L->state = X_INITIAL;
          } else {
            k--; /* yyless(yyleng - 1): rescan the final $ */
          }
        } else {
          for (k = 1; k < n && dolq_cont((unsigned char)p[k]); k++) {
          }
        }
        emit(out, p, k);
        t->pos += k;
      } else {
        for (k = 1; k < n && p[k] != '$'; k++) {
        }
        emit(out, p, k);
        t->pos += k;
      }
      break;
    }
  }
  return LX_EOL;
}

static int in_quote(const lexer *L) {
  return L->state != X_INITIAL && L->state != X_QS;
}

/* ====================================================== slash commands */

enum { ARG_START, ARG_ARG, ARG_QUOTE, ARG_DQUOTE };

/* psql_scan_slash_command(): the command name, up to blank or '\'. */
static char *slash_name(lexer *L) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  src *t;
  while ((t = cur(L))) {
    char c = t->text[t->pos];
    if (is_space(c) || c == '\\') break;
    sqlitch_buf_addc(&b, c);
    t->pos++;
  }
  return b.p ? sqlitch_buf_take(&b) : sqlitch_strdup("");
}

/* psql_scan_slash_option(OT_NORMAL): the next argument or NULL. *quote
   gets the last quote character used (0 for none). */
static char *slash_option(lexer *L, char *quote, int semicolon) {
  parser *P = L->P;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  int st = ARG_START, unquoted = 0;
  char q = 0;
  src *t;
  while ((t = cur(L))) {
    const char *p = t->text + t->pos;
    size_t n = t->len - t->pos;
    char c = p[0];
    if (st == ARG_START) {
      if (is_space(c)) {
        t->pos++;
        continue;
      }
      st = ARG_ARG;
    }
    if (st == ARG_ARG) {
      size_t tok, noff, nlen;
      int kind;
      if (is_space(c) || c == '\\') break;
      if (c == '\'') {
        q = '\'';
        unquoted = 0;
        st = ARG_QUOTE;
        t->pos++;
      } else if (c == '`') {
        give_up(P, "the script runs a shell command (backquotes)");
        t->pos++;
      } else if (c == '"') {
        sqlitch_buf_addc(&b, c);
        q = '"';
        unquoted = 0;
        st = ARG_DQUOTE;
        t->pos++;
      } else if (c == ':' && var_ref(p, n, &tok, &kind, &noff, &nlen)) {
        char *name = sqlitch_strndup(p + noff, nlen);
        const char *val = sqlitch_psql_vars_get(&P->vars, name);
        if (sqlitch_psql_special_name(name))
          give_up(P, "the script uses psql's variable %s", name);
        if (kind == 3) {
          sqlitch_buf_add(&b, val ? "TRUE" : "FALSE");
        } else if (!val) {
          sqlitch_buf_addn(&b, p, tok);
        } else if (kind == 0) {
          sqlitch_buf_add(&b, val);
        } else {
          char *e = escape(val, kind == 2, P->utf8);
          if (!e)
            give_up(P, "variable %s cannot be escaped here", name);
          else
            sqlitch_buf_add(&b, e);
          free(e);
        }
        if (kind != 3) {
          q = ':';
          unquoted = 0;
        }
        free(name);
        t->pos += tok;
      } else {
        unquoted++;
        sqlitch_buf_addc(&b, c);
        t->pos++;
      }
    } else if (st == ARG_QUOTE) {
      if (c == '\'' && n > 1 && p[1] == '\'') {
        sqlitch_buf_addc(&b, '\'');
        t->pos += 2;
      } else if (c == '\'') {
        st = ARG_ARG;
        t->pos++;
      } else if (c == '\\' && n > 1) {
        static const char esc_in[] = "ntbrf", esc_out[] = "\n\t\b\r\f";
        const char *e = strchr(esc_in, p[1]);
        if (e && p[1]) {
          sqlitch_buf_addc(&b, esc_out[e - esc_in]);
          t->pos += 2;
        } else if (p[1] >= '0' && p[1] <= '7') {
          size_t k = 1;
          int v = 0;
          while (k < n && k < 4 && p[k] >= '0' && p[k] <= '7')
            v = v * 8 + (p[k++] - '0');
          sqlitch_buf_addc(&b, (char)v);
          t->pos += k;
        } else if (p[1] == 'x' && n > 2 && isxdigit((unsigned char)p[2])) {
          size_t k = 2;
          int v = 0;
          while (k < n && k < 4 && isxdigit((unsigned char)p[k])) {
            char h = p[k++];
            v = v * 16 +
                (isdigit((unsigned char)h) ? h - '0' : (tolower(h) - 'a' + 10));
          }
          sqlitch_buf_addc(&b, (char)v);
          t->pos += k;
        } else {
          sqlitch_buf_addc(&b, p[1]);
          t->pos += 2;
        }
      } else {
        sqlitch_buf_addc(&b, c);
        t->pos++;
      }
    } else { /* ARG_DQUOTE */
      sqlitch_buf_addc(&b, c);
      if (c == '"') st = ARG_ARG;
      t->pos++;
    }
  }
  if (quote) *quote = q;
  if (st == ARG_QUOTE || st == ARG_DQUOTE) {
    logmsg(P, SQLITCH_PSQL_ERR, "error: ", "unterminated quoted string");
    sqlitch_buf_free(&b);
    return NULL;
  }
  if (st == ARG_START) {
    sqlitch_buf_free(&b);
    return NULL;
  }
  if (semicolon)
    while (unquoted-- > 0 && b.len > 0 && b.p[b.len - 1] == ';')
      sqlitch_buf_truncate(&b, b.len - 1);
  if (b.len == 0 && q == 0) {
    sqlitch_buf_free(&b);
    return NULL;
  }
  return b.p ? sqlitch_buf_take(&b) : sqlitch_strdup("");
}

/* psql_scan_slash_command_end(): eat a "\\" separator. */
static void slash_end(lexer *L) {
  src *t = cur(L);
  if (t && t->pos + 1 < t->len && t->text[t->pos] == '\\' &&
      t->text[t->pos + 1] == '\\')
    t->pos += 2;
}

/* ============================================================= MainLoop */

static int main_loop(parser *P, const char *file, const char *text, size_t len);

/* PG 15's canonicalize_path() for what \ir builds. */
static void trim_directory(char *path) {
  if (!*path) return;
  char *p = path + strlen(path) - 1;
  while (*p == '/' && p > path)
    p--;
  while (*p != '/' && p > path)
    p--;
  while (p > path && p[-1] == '/')
    p--;
  if (p == path && *p == '/') p++;
  *p = 0;
}

/* PG 15's canonicalize_path(): collapse "//", drop "." components and
   trailing slashes, resolve ".." (kept at the start of a relative path,
   dropped at the root). */
static char *canonicalize(const char *in) {
  int abs = in[0] == '/';
  sqlitch_strv parts = SQLITCH_STRV_INIT;
  for (const char *p = in; *p;) {
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == 2 && p[0] == '.' && p[1] == '.') {
      if (parts.n && strcmp(parts.v[parts.n - 1], "..") != 0) {
        free(parts.v[--parts.n]);
        parts.v[parts.n] = NULL;
      } else if (!abs) {
        sqlitch_strv_push(&parts, "..");
      }
    } else if (n && !(n == 1 && p[0] == '.')) {
      sqlitch_strv_pushn(&parts, p, n);
    }
    p += n;
    while (*p == '/')
      p++;
  }
  char *j = sqlitch_strv_join(&parts, "/");
  sqlitch_strv_free(&parts);
  char *out = sqlitch_mprintf("%s%s", abs ? "/" : "", j ? j : (abs ? "" : "."));
  free(j);
  return out;
}

/* process_file(): the name psql opens for \i / \ir. */
static char *include_path(const char *cur_file, const char *name, int rel) {
  char *fname;
  if (name[0] == '~' && (name[1] == '/' || name[1] == 0) && getenv("HOME"))
    fname = sqlitch_mprintf("%s%s", getenv("HOME"), name + 1);
  else
    fname = sqlitch_strdup(name);
  if (!rel || fname[0] == '/') return fname;
  char *dir = sqlitch_strdup(cur_file);
  trim_directory(dir);
  const char *tail = fname;
  while (tail[0] == '.' && tail[1] == '/')
    tail += 2;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&b, dir);
  if (*tail) {
    if (*dir) sqlitch_buf_addc(&b, '/');
    sqlitch_buf_add(&b, tail);
  }
  free(dir);
  free(fname);
  char *joined = b.p ? sqlitch_buf_take(&b) : sqlitch_strdup("");
  char *canon = canonicalize(joined);
  free(joined);
  return canon;
}

/* Read an included file as psql's fopen + fgets would; -1 with errno. */
static int read_input(const char *path, sqlitch_buf *out) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    sqlitch_buf_addn(out, buf, n);
  int bad = ferror(f);
  int e = errno;
  fclose(f);
  if (bad) {
    errno = e;
    return -1;
  }
  return 0;
}

/* Returns 0 to go on, 1 to stop (a failure action was added). */
static int cmd_echo(parser *P, lexer *L, const char *cmd) {
  sqlitch_psql_kind k =
      strcmp(cmd, "warn") == 0 ? SQLITCH_PSQL_ERR : SQLITCH_PSQL_OUT;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  int first = 1, no_nl = 0;
  char q;
  char *v;
  while ((v = slash_option(L, &q, 0))) {
    if (first && !no_nl && !q && strcmp(v, "-n") == 0)
      no_nl = 1;
    else {
      if (first)
        first = 0;
      else
        sqlitch_buf_addc(&b, ' ');
      sqlitch_buf_add(&b, v);
    }
    free(v);
  }
  if (!no_nl) sqlitch_buf_addc(&b, '\n');
  if (b.len) action(P, k, b.p, b.len);
  sqlitch_buf_free(&b);
  return 0;
}

static int set_var(parser *P, const char *name, const char *value) {
  if (sqlitch_psql_special_name(name)) {
    give_up(P, "the script sets psql's variable %s", name);
    return 0;
  }
  if (!sqlitch_psql_valid_name(name)) {
    logmsg(P, SQLITCH_PSQL_FAIL, "error: ", "invalid variable name: \"%s\"",
           name);
    return 1;
  }
  sqlitch_psql_vars_set(&P->vars, name, value);
  return 0;
}

static int cmd_set(parser *P, lexer *L, const char *cmd) {
  char *name = slash_option(L, NULL, 0);
  if (!name) {
    give_up(P, "the script lists psql's variables (\\set)");
    return 0;
  }
  sqlitch_buf b = SQLITCH_BUF_INIT;
  char *v;
  while ((v = slash_option(L, NULL, 0))) {
    sqlitch_buf_add(&b, v);
    free(v);
  }
  int rc = set_var(P, name, sqlitch_buf_str(&b));
  free(name);
  sqlitch_buf_free(&b);
  return rc;
}

static int cmd_unset(parser *P, lexer *L, const char *cmd) {
  char *name = slash_option(L, NULL, 0);
  if (!name) {
    logmsg(P, SQLITCH_PSQL_FAIL, "error: ", "\\%s: missing required argument",
           cmd);
    return 1;
  }
  int rc = set_var(P, name, NULL);
  free(name);
  return rc;
}

static int cmd_include(parser *P, lexer *L, const char *cmd) {
  char *name = slash_option(L, NULL, 1);
  if (!name) {
    logmsg(P, SQLITCH_PSQL_FAIL, "error: ", "\\%s: missing required argument",
           cmd);
    return 1;
  }
  int rel = strcmp(cmd, "ir") == 0 || strcmp(cmd, "include_relative") == 0;
  char *path = include_path(P->file, name, rel);
  free(name);
  if (P->depth >= MAX_INCLUDE_DEPTH) {
    give_up(P, "\\%s nests deeper than %d files", cmd, MAX_INCLUDE_DEPTH);
    free(path);
    return 0;
  }
  sqlitch_buf data = SQLITCH_BUF_INIT;
  int rc = 0;
  if (read_input(path, &data)) {
    logmsg(P, SQLITCH_PSQL_FAIL, "error: ", "%s: %s", path, strerror(errno));
    rc = 1;
  } else {
    const char *saved_file = P->file;
    unsigned long saved_line = P->line;
    P->depth++;
    rc = main_loop(P, path, data.p ? data.p : "", data.len);
    P->depth--;
    P->file = saved_file;
    P->line = saved_line;
  }
  sqlitch_buf_free(&data);
  free(path);
  return rc;
}

typedef struct slash_cmd {
  const char *name;
  int (*fn)(parser *P, lexer *L, const char *cmd);
} slash_cmd;

static const slash_cmd slash_cmds[] = {
    {"echo", cmd_echo},
    {"qecho", cmd_echo},
    {"warn", cmd_echo},
    {"set", cmd_set},
    {"unset", cmd_unset},
    {"i", cmd_include},
    {"include", cmd_include},
    {"ir", cmd_include},
    {"include_relative", cmd_include},
};

/* HandleSlashCmds(). Returns 0 to go on, 1 to stop. */
static int slash(parser *P, lexer *L) {
  char *cmd = slash_name(L);
  const slash_cmd *c = NULL;
  for (size_t i = 0; i < sizeof slash_cmds / sizeof *slash_cmds; i++)
    if (strcmp(slash_cmds[i].name, cmd) == 0) c = &slash_cmds[i];
  if (!c) {
    give_up(P, "the script uses the psql meta-command \\%s", cmd);
    free(cmd);
    return 0;
  }
  int rc = c->fn(P, L, cmd);
  if (rc == 0) {
    char *arg;
    while ((arg = slash_option(L, NULL, 0))) {
      logmsg(P, SQLITCH_PSQL_ERR,
             "warning: ", "\\%s: extra argument \"%s\" ignored", cmd, arg);
      free(arg);
    }
    slash_end(L);
  }
  free(cmd);
  return rc;
}

/* Does a statement need psql's own client-side handling? */
static void check_sql(parser *P, const char *q, size_t n) {
  static const char *const words[] = {"copy", "client_encoding",
                                      "standard_conforming_strings", NULL};
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && (isalnum((unsigned char)q[i - 1]) || q[i - 1] == '_'))
      continue;
    for (size_t w = 0; words[w]; w++) {
      size_t l = strlen(words[w]);
      if (i + l <= n && strncasecmp(q + i, words[w], l) == 0 &&
          (i + l == n ||
           !(isalnum((unsigned char)q[i + l]) || q[i + l] == '_')))
        give_up(P, "the script uses %s", words[w]);
    }
  }
}

static void send_query(parser *P, sqlitch_buf *qb) {
  check_sql(P, qb->p, qb->len);
  action(P, SQLITCH_PSQL_SQL, qb->p, qb->len);
  sqlitch_buf_reset(qb);
}

/* MainLoop() over one file. Returns 0 at the end, 1 when a failure
   stopped it. */
static int main_loop(parser *P, const char *file, const char *text,
                     size_t len) {
  sqlitch_strv_push(&P->s->files, file);
  P->file = P->s->files.v[P->s->files.n - 1];
  P->line = 0;
  lexer L;
  memset(&L, 0, sizeof L);
  L.P = P;
  sqlitch_buf qb = SQLITCH_BUF_INIT;
  int rc = 0;
  size_t pos = 0;
  while (pos < len && !rc && !P->s->fallback) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - text) : len;
    const char *line = text + pos;
    size_t ll = end - pos;
    pos = nl ? end + 1 : len;
    const char *nul = memchr(line, 0, ll);
    if (nul) ll = (size_t)(nul - line);
    P->line++;
    if (P->line == 1 && P->utf8 && ll >= 3 &&
        memcmp(line, "\xef\xbb\xbf", 3) == 0) {
      line += 3;
      ll -= 3;
    }
    if (ll == 0 && !in_quote(&L)) continue;
    long added_nl = -1;
    if (qb.len > 0) {
      sqlitch_buf_addc(&qb, '\n');
      added_nl = (long)qb.len;
    }
    lx_push(&L, sqlitch_strndup(line, ll), ll, NULL);
    for (;;) {
      int r = lex(&L, &qb);
      if (r == LX_SEMI) {
        send_query(P, &qb);
        added_nl = -1;
      } else if (r == LX_BACKSLASH) {
        if ((long)qb.len == added_nl) sqlitch_buf_truncate(&qb, qb.len - 1);
        added_nl = -1;
        if ((rc = slash(P, &L)) || P->s->fallback) break;
      } else {
        break;
      }
    }
    lx_clear(&L);
  }
  if (!rc && !P->s->fallback && qb.len > 0) send_query(P, &qb);
  sqlitch_buf_free(&qb);
  lx_free(&L);
  return rc;
}

/* COMMIT / END [WORK | TRANSACTION] [;] */
static int is_commit(const char *q) {
  const char *p = q;
  size_t n = strcspn(p, " \t\n\r\f;");
  if (!((n == 6 && strncasecmp(p, "commit", 6) == 0) ||
        (n == 3 && strncasecmp(p, "end", 3) == 0)))
    return 0;
  p += n;
  while (is_space(*p))
    p++;
  n = strcspn(p, " \t\n\r\f;");
  if ((n == 4 && strncasecmp(p, "work", 4) == 0) ||
      (n == 11 && strncasecmp(p, "transaction", 11) == 0)) {
    p += n;
    while (is_space(*p))
      p++;
  }
  if (*p == ';') p++;
  while (is_space(*p))
    p++;
  return *p == 0;
}

int sqlitch_psql_parse(const char *file, const char *text, size_t len,
                       const sqlitch_psql_vars *vars, int utf8,
                       sqlitch_psql_script **out) {
  sqlitch_psql_script *s = sqlitch_calloc(1, sizeof *s);
  s->final_commit = -1;
  parser P;
  memset(&P, 0, sizeof P);
  P.s = s;
  P.utf8 = utf8;
  for (size_t i = 0; i < vars->names.n; i++) {
    const char *nm = vars->names.v[i];
    if (!sqlitch_psql_valid_name(nm))
      give_up(&P, "invalid psql variable name \"%s\"", nm);
    else if (sqlitch_psql_special_name(nm) && strcmp(nm, "ON_ERROR_STOP") != 0)
      give_up(&P, "psql's variable %s is set", nm);
  }
  sqlitch_psql_vars_copy(&P.vars, vars);
  if (!s->fallback) main_loop(&P, file, text, len);
  sqlitch_psql_vars_free(&P.vars);
  for (size_t i = s->n; i-- > 0;) {
    if (s->v[i].kind == SQLITCH_PSQL_OUT || s->v[i].kind == SQLITCH_PSQL_ERR)
      continue;
    if (s->v[i].kind == SQLITCH_PSQL_SQL && is_commit(s->v[i].text))
      s->final_commit = (long)i;
    break;
  }
  *out = s;
  return SQLITCH_OK;
}

void sqlitch_psql_script_free(sqlitch_psql_script *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n; i++)
    free(s->v[i].text);
  free(s->v);
  sqlitch_strv_free(&s->files);
  free(s->fallback);
  free(s);
}

/* ================================================================== run */

void sqlitch_psql_log(const sqlitch_reporter *rep, const char *file,
                      unsigned long line, const char *msg) {
  size_t n = strlen(msg);
  if (n && msg[n - 1] == '\n') n--;
  sqlitch_report_literal(rep, SQLITCH_VENT, "psql:%s:%lu: %.*s\n", file, line,
                         (int)n, msg);
}

typedef struct notice_ctx {
  const sqlitch_reporter *rep;
  const char *file;
  unsigned long line;
} notice_ctx;

static void on_notice(void *arg, const char *msg) {
  notice_ctx *nc = arg;
  sqlitch_psql_log(nc->rep, nc->file, nc->line, msg);
}

static void drop_notice(void *arg, const char *msg) {
  (void)arg;
  (void)msg;
}

static void print_rows(const sqlitch_psql_run *r, const PGresult *res) {
  int nf = PQnfields(res), nt = PQntuples(res);
  if (!r->show_rows || nf == 0 || nt == 0) return;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (int i = 0; i < nt; i++) {
    for (int j = 0; j < nf; j++) {
      if (j) sqlitch_buf_addc(&b, '|');
      if (!PQgetisnull(res, i, j))
        sqlitch_buf_addn(&b, PQgetvalue(res, i, j),
                         (size_t)PQgetlength(res, i, j));
    }
    sqlitch_buf_addc(&b, '\n');
    if (b.len > 65536) {
      sqlitch_report_literal(r->rep, SQLITCH_EMIT, "%s", b.p);
      sqlitch_buf_reset(&b);
    }
  }
  if (b.len) sqlitch_report_literal(r->rep, SQLITCH_EMIT, "%s", b.p);
  sqlitch_buf_free(&b);
}

static void print_notifies(PGconn *conn, const sqlitch_psql_run *r) {
  PGnotify *nt;
  PQconsumeInput(conn);
  while ((nt = PQnotifies(conn))) {
    if (r->show_rows) {
      if (nt->extra && *nt->extra)
        sqlitch_report_literal(r->rep, SQLITCH_EMIT,
                               "Asynchronous notification \"%s\" with payload "
                               "\"%s\" received from server process with PID "
                               "%d.\n",
                               nt->relname, nt->extra, nt->be_pid);
      else
        sqlitch_report_literal(r->rep, SQLITCH_EMIT,
                               "Asynchronous notification \"%s\" received "
                               "from server process with PID %d.\n",
                               nt->relname, nt->be_pid);
    }
    PQfreemem(nt);
  }
}

/* SendQuery(): 0 ok, 3 failed, 2 connection lost. */
static int send_sql(PGconn *conn, const sqlitch_psql_action *a,
                    sqlitch_psql_run *r) {
  int failed = 0;
  if (!PQsendQuery(conn, a->text)) {
    sqlitch_psql_log(r->rep, a->file, a->line, PQerrorMessage(conn));
    failed = 1;
  } else {
    PGresult *res;
    while ((res = PQgetResult(conn))) {
      switch (PQresultStatus(res)) {
      case PGRES_TUPLES_OK:
        if (!failed) print_rows(r, res);
        break;
      case PGRES_COMMAND_OK:
      case PGRES_EMPTY_QUERY: break;
      case PGRES_COPY_IN:
        PQputCopyEnd(conn, "COPY is run by psql itself");
        break;
      case PGRES_COPY_OUT: {
        char *buf;
        while (PQgetCopyData(conn, &buf, 0) > 0)
          PQfreemem(buf);
        break;
      }
      default:
        sqlitch_psql_log(r->rep, a->file, a->line, PQresultErrorMessage(res));
        failed = 1;
        break;
      }
      PQclear(res);
      if (PQstatus(conn) == CONNECTION_BAD) break;
    }
  }
  if (PQstatus(conn) == CONNECTION_BAD) {
    sqlitch_report_literal(r->rep, SQLITCH_VENT,
                           "psql:%s:%lu: error: connection to server was "
                           "lost\n",
                           a->file, a->line);
    return 2;
  }
  print_notifies(conn, r);
  return failed ? 3 : 0;
}

int sqlitch_psql_exec(PGconn *conn, const sqlitch_psql_script *s,
                      sqlitch_psql_run *r) {
  r->exitval = 0;
  r->hook_ran = r->hook_failed = 0;
  notice_ctx nc = {r->rep, NULL, 0};
  PQsetNoticeProcessor(conn, on_notice, &nc);
  for (size_t i = 0; i < s->n && r->exitval == 0; i++) {
    const sqlitch_psql_action *a = &s->v[i];
    nc.file = a->file;
    nc.line = a->line;
    switch (a->kind) {
    case SQLITCH_PSQL_OUT:
      if (r->show_rows)
        sqlitch_report_literal(r->rep, SQLITCH_EMIT, "%.*s", (int)a->len,
                               a->text);
      break;
    case SQLITCH_PSQL_ERR:
      sqlitch_report_literal(r->rep, SQLITCH_VENT, "%.*s", (int)a->len,
                             a->text);
      break;
    case SQLITCH_PSQL_FAIL:
      sqlitch_report_literal(r->rep, SQLITCH_VENT, "%.*s", (int)a->len,
                             a->text);
      r->exitval = 3;
      break;
    case SQLITCH_PSQL_SQL:
      if ((long)i == s->final_commit && r->before_commit &&
          PQtransactionStatus(conn) == PQTRANS_INTRANS) {
        if (r->before_commit(r->ctx, conn)) {
          r->hook_failed = 1;
          r->exitval = 3;
          break;
        }
        r->exitval = send_sql(conn, a, r);
        if (r->exitval == 0) r->hook_ran = 1;
        break;
      }
      r->exitval = send_sql(conn, a, r);
      break;
    }
  }
  if (PQstatus(conn) == CONNECTION_OK &&
      PQtransactionStatus(conn) != PQTRANS_IDLE) {
    PGresult *res = PQexec(conn, "ROLLBACK");
    PQclear(res);
  }
  PQsetNoticeProcessor(conn, drop_notice, NULL);
  return SQLITCH_OK;
}

#endif /* SQLITCH_HAVE_PG */
