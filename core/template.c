/*
** template.c -- the `sqlitch add` template language (a Template Toolkit 2
** subset) and the template search. The contract is in template.h.
**
** How it works:
**   1. split   the source into text and directives exactly as
**              Template::Parser::split_text does (chomp flags, comments,
**              line numbers for messages); every directive's tokens are
**              followed by a ';' token, as in TT, so a block may open in one
**              tag and close in another.
**   2. parse   the token stream (recursive descent) into an AST held in the
**              template's arena.
**   3. render  walks the AST with a small variable table; runtime values
**              (strings and lists) live in a per-render arena.
** Every allocation of a compile or a render is in one arena, so there is
** nothing to free piecemeal and no leak on error paths.
*/
#include "template.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Bounds that keep a hostile template from hanging or exhausting memory. */
#define MAX_DEPTH 200                 /* nesting of blocks and expressions */
#define MAX_OUTPUT ((size_t)16 << 20) /* bytes of rendered output */
#define MAX_STEPS 2000000L            /* loop iterations and statements */
#define MAX_MEM ((size_t)64 << 20)    /* bytes of runtime values */
#define MAX_RANGE 100000L             /* items of one [a..b] range */
#define MAX_ARGS 8                    /* method arguments looked at */
#define MAX_HEIGHT 1000               /* operators in one expression */

/* ============================================================ characters */

static int is_word(unsigned char c) {
  return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Byte length of the Perl \s character (Unicode White_Space) at p, or 0. */
static size_t ws_at(const char *p, const char *end) {
  const unsigned char *u = (const unsigned char *)p;
  size_t n = (size_t)(end - p);
  if (n == 0) return 0;
  if (u[0] == ' ' || (u[0] >= 0x09 && u[0] <= 0x0d)) return 1;
  if (n >= 2 && u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0)) return 2;
  if (n >= 3) {
    if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80) return 3;
    if (u[0] == 0xe2 && u[1] == 0x80 &&
        (u[2] <= 0x8a || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf) &&
        u[2] >= 0x80)
      return 3;
    if (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) return 3;
    if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) return 3;
  }
  return 0;
}

/* Byte length of a \s character ending just before p (not before start). */
static size_t ws_before(const char *start, const char *p) {
  for (size_t k = 1; k <= 3; k++)
    if ((size_t)(p - start) >= k && ws_at(p - k, p) == k) return k;
  return 0;
}

/* ================================================================ values */

enum { V_UNDEF = 0, V_STR, V_LIST, V_LOOP };

typedef struct tval tval;
typedef struct loopv loopv;

struct tval {
  int k;
  const char *s; /* V_STR: NUL-terminated, len bytes */
  size_t len;
  const tval *items; /* V_LIST */
  size_t n;
  const loopv *lp; /* V_LOOP */
  int num;         /* a Perl number (literal or arithmetic result) */
};

struct loopv {
  const tval *items;
  size_t n, index;
};

static const tval UNDEF = {V_UNDEF, NULL, 0, NULL, 0, NULL, 0};

static tval mkstr(const char *s, size_t len) {
  tval v = UNDEF;
  v.k = V_STR;
  v.s = s;
  v.len = len;
  return v;
}

static tval mklist(const tval *items, size_t n) {
  tval v = UNDEF;
  v.k = V_LIST;
  v.items = items;
  v.n = n;
  return v;
}

static const tval TRUE_V = {V_STR, "1", 1, NULL, 0, NULL, 1};
static const tval FALSE_V = {V_STR, "", 0, NULL, 0, NULL, 0};

/* Perl truthiness: undef, "" and "0" are false; lists and loops are true
   (they are references in TT). */
static int truthy(tval v) {
  if (v.k == V_UNDEF) return 0;
  if (v.k != V_STR) return 1;
  return !(v.len == 0 || (v.len == 1 && v.s[0] == '0'));
}

/* ------------------------------------------------------ variable tables */

typedef struct slot {
  const char *name;
  tval v;
} slot;

typedef struct vtable {
  slot *s;
  size_t cap, n;
} vtable;

static size_t hash_name(const char *s, size_t len) {
  size_t h = 2166136261u;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static slot *vt_find(const vtable *t, const char *name, size_t len) {
  if (!t->cap) return NULL;
  size_t i = hash_name(name, len) & (t->cap - 1);
  while (t->s[i].name) {
    if (strncmp(t->s[i].name, name, len) == 0 && t->s[i].name[len] == 0)
      return &t->s[i];
    i = (i + 1) & (t->cap - 1);
  }
  return NULL;
}

/* Insert or replace; `name` must outlive the table (arena string). */
static void vt_put(vtable *t, const char *name, tval v) {
  slot *s = vt_find(t, name, strlen(name));
  if (s) {
    s->v = v;
    return;
  }
  if ((t->n + 1) * 2 > t->cap) {
    vtable nt = {NULL, t->cap ? t->cap * 2 : 16, 0};
    nt.s = sqlitch_calloc(nt.cap, sizeof(slot));
    for (size_t i = 0; i < t->cap; i++)
      if (t->s[i].name) vt_put(&nt, t->s[i].name, t->s[i].v);
    free(t->s);
    *t = nt;
  }
  size_t i = hash_name(name, strlen(name)) & (t->cap - 1);
  while (t->s[i].name)
    i = (i + 1) & (t->cap - 1);
  t->s[i].name = name;
  t->s[i].v = v;
  t->n++;
}

struct sqlitch_tmpl_vars {
  sqlitch_arena *a;
  vtable t;
};

sqlitch_tmpl_vars *sqlitch_tmpl_vars_new(void) {
  sqlitch_tmpl_vars *v = sqlitch_calloc(1, sizeof *v);
  v->a = sqlitch_arena_new();
  return v;
}

void sqlitch_tmpl_vars_free(sqlitch_tmpl_vars *v) {
  if (!v) return;
  free(v->t.s);
  sqlitch_arena_free(v->a);
  free(v);
}

static tval vars_str(sqlitch_tmpl_vars *v, const char *s) {
  if (!s) return UNDEF;
  size_t n = strlen(s);
  return mkstr(sqlitch_arena_strndup(v->a, s, n), n);
}

void sqlitch_tmpl_vars_set(sqlitch_tmpl_vars *v, const char *name,
                           const char *value) {
  vt_put(&v->t, sqlitch_arena_strdup(v->a, name), vars_str(v, value));
}

void sqlitch_tmpl_vars_set_list(sqlitch_tmpl_vars *v, const char *name,
                                const char *const *items, size_t n) {
  tval *it = sqlitch_arena_alloc(v->a, (n ? n : 1) * sizeof(tval));
  for (size_t i = 0; i < n; i++)
    it[i] = vars_str(v, items[i]);
  vt_put(&v->t, sqlitch_arena_strdup(v->a, name), mklist(it, n));
}

void sqlitch_tmpl_vars_add(sqlitch_tmpl_vars *v, const char *name,
                           const char *value) {
  slot *s = vt_find(&v->t, name, strlen(name));
  if (!s) {
    sqlitch_tmpl_vars_set(v, name, value);
    return;
  }
  size_t n = s->v.k == V_LIST ? s->v.n : 1;
  tval *it = sqlitch_arena_alloc(v->a, (n + 1) * sizeof(tval));
  if (s->v.k == V_LIST)
    memcpy(it, s->v.items, n * sizeof(tval));
  else
    it[0] = s->v;
  it[n] = vars_str(v, value);
  s->v = mklist(it, n + 1);
}

/* ================================================================ tokens */

enum {
  T_EOF = 0,
  T_TEXT,
  T_SEMI,
  T_IDENT,
  T_KW,
  T_STR,
  T_ISTR,
  T_NUM,
  T_LPAREN,
  T_RPAREN,
  T_LBRACK,
  T_RBRACK,
  T_LBRACE,
  T_RBRACE,
  T_COMMA,
  T_ASSIGN,
  T_DOT,
  T_TO,
  T_CAT,
  T_QUEST,
  T_COLON,
  T_PLUS,
  T_MINUS,
  T_STAR,
  T_SLASH,
  T_PERCENT,
  T_CMP,
  T_AND,
  T_OR,
  T_NOT,
  T_FILTER,
  T_DOLLAR,
  T_DOLLARBRACE,
  T_DIV,
  T_MOD,
  T_BAD
};

enum {
  K_NONE = 0,
  K_GET,
  K_CALL,
  K_SET,
  K_DEFAULT,
  K_END,
  K_IF,
  K_UNLESS,
  K_ELSE,
  K_ELSIF,
  K_FOR,
  K_IN,
  K_LAST,
  K_NEXT,
  K_STOP,
  K_RETURN,
  K_CLEAR,
  K_UNSUP
};

enum { C_EQ = 1, C_NE, C_LT, C_GT, C_LE, C_GE };

/* A part of a double-quoted string: literal text, or a variable. */
typedef struct ipart {
  struct ipart *next;
  const char *text; /* literal (NULL for a variable) */
  size_t len;
  struct expr *var;
} ipart;

typedef struct tok {
  int type;
  int op;        /* keyword, comparison */
  int end;       /* T_SEMI: end of a directive */
  const char *s; /* token text, or literal value for T_STR/T_TEXT */
  size_t len;
  ipart *parts; /* T_ISTR */
  int dir;      /* directive index, -1 for text */
} tok;

typedef struct dirinfo {
  char *label; /* "3" or "3-4" */
  const char *text;
  size_t len;
} dirinfo;

/* Reserved words (case-sensitive, as TT without ANYCASE). */
static const struct {
  const char *word;
  int type, op;
} keywords[] = {
    {"GET", T_KW, K_GET},
    {"CALL", T_KW, K_CALL},
    {"SET", T_KW, K_SET},
    {"DEFAULT", T_KW, K_DEFAULT},
    {"END", T_KW, K_END},
    {"IF", T_KW, K_IF},
    {"UNLESS", T_KW, K_UNLESS},
    {"ELSE", T_KW, K_ELSE},
    {"ELSIF", T_KW, K_ELSIF},
    {"FOR", T_KW, K_FOR},
    {"FOREACH", T_KW, K_FOR},
    {"IN", T_KW, K_IN},
    {"LAST", T_KW, K_LAST},
    {"BREAK", T_KW, K_LAST},
    {"NEXT", T_KW, K_NEXT},
    {"STOP", T_KW, K_STOP},
    {"RETURN", T_KW, K_RETURN},
    {"CLEAR", T_KW, K_CLEAR},
    {"AND", T_AND, 0},
    {"OR", T_OR, 0},
    {"NOT", T_NOT, 0},
    {"DIV", T_DIV, 0},
    {"MOD", T_MOD, 0},
    {"and", T_AND, 0},
    {"or", T_OR, 0},
    {"not", T_NOT, 0},
    {"div", T_DIV, 0},
    {"mod", T_MOD, 0},
    {"INSERT", T_KW, K_UNSUP},
    {"INCLUDE", T_KW, K_UNSUP},
    {"PROCESS", T_KW, K_UNSUP},
    {"WRAPPER", T_KW, K_UNSUP},
    {"BLOCK", T_KW, K_UNSUP},
    {"USE", T_KW, K_UNSUP},
    {"PLUGIN", T_KW, K_UNSUP},
    {"FILTER", T_KW, K_UNSUP},
    {"MACRO", T_KW, K_UNSUP},
    {"PERL", T_KW, K_UNSUP},
    {"RAWPERL", T_KW, K_UNSUP},
    {"TO", T_KW, K_UNSUP},
    {"STEP", T_KW, K_UNSUP},
    {"WHILE", T_KW, K_UNSUP},
    {"SWITCH", T_KW, K_UNSUP},
    {"CASE", T_KW, K_UNSUP},
    {"META", T_KW, K_UNSUP},
    {"TRY", T_KW, K_UNSUP},
    {"THROW", T_KW, K_UNSUP},
    {"CATCH", T_KW, K_UNSUP},
    {"FINAL", T_KW, K_UNSUP},
    {"VIEW", T_KW, K_UNSUP},
    {"DEBUG", T_KW, K_UNSUP},
    {"TAGS", T_KW, K_UNSUP},
};

/* Operators and punctuation, longest first. */
static const struct {
  const char *sym;
  int type, op;
} symbols[] = {
    {"${", T_DOLLARBRACE, 0}, {"==", T_CMP, C_EQ}, {"!=", T_CMP, C_NE},
    {"<=", T_CMP, C_LE},      {">=", T_CMP, C_GE}, {"&&", T_AND, 0},
    {"||", T_OR, 0},          {"=>", T_ASSIGN, 0}, {"..", T_TO, 0},
    {"(", T_LPAREN, 0},       {")", T_RPAREN, 0},  {"[", T_LBRACK, 0},
    {"]", T_RBRACK, 0},       {"{", T_LBRACE, 0},  {"}", T_RBRACE, 0},
    {",", T_COMMA, 0},        {";", T_SEMI, 0},    {"=", T_ASSIGN, 0},
    {".", T_DOT, 0},          {"?", T_QUEST, 0},   {":", T_COLON, 0},
    {"+", T_PLUS, 0},         {"-", T_MINUS, 0},   {"*", T_STAR, 0},
    {"/", T_SLASH, 0},        {"%", T_PERCENT, 0}, {"<", T_CMP, C_LT},
    {">", T_CMP, C_GT},       {"!", T_NOT, 0},     {"|", T_FILTER, 0},
    {"$", T_DOLLAR, 0},
};

/* ================================================================== AST */

enum {
  E_STR = 1,
  E_VAR,
  E_LIST,
  E_RANGE,
  E_ISTR,
  E_NOT,
  E_AND,
  E_OR,
  E_CMP,
  E_CAT,
  E_ARITH,
  E_TERN
};

typedef struct seg {
  struct seg *next;
  const char *name; /* key text, or NULL when computed */
  size_t len;
  struct expr *key; /* "$var" / "${expr}" key */
  struct expr *args;
  int has_args;
} seg;

typedef struct expr {
  int kind, op;
  const char *s; /* E_STR */
  size_t len;
  struct expr *a, *b, *c;
  struct expr *next; /* sibling in a list/argument chain */
  seg *segs;         /* E_VAR */
  ipart *parts;      /* E_ISTR */
  int dir;           /* directive, for runtime messages */
  int height;        /* depth of a binary operator chain */
} expr;

enum {
  N_TEXT = 1,
  N_OUT,
  N_SET,
  N_DEFAULT,
  N_CALL,
  N_IF,
  N_FOR,
  N_LAST,
  N_NEXT,
  N_STOP,
  N_CLEAR
};

typedef struct filt {
  struct filt *next;
  const char *name;
  size_t len;
  expr *args;
} filt;

typedef struct node {
  int kind;
  struct node *next;
  const char *text; /* N_TEXT */
  size_t len;
  const char *name; /* N_SET/N_DEFAULT/N_FOR variable (NULL: none) */
  expr *e;
  struct node *body, *alt;
  filt *filters;
} node;

struct sqlitch_tmpl {
  sqlitch_arena *a;
  node *root;
  dirinfo *dirs;
  size_t ndirs;
};

/* ============================================================== splitter */

typedef struct lexer {
  sqlitch_arena *a;
  sqlitch_buf toks; /* tok[] */
  sqlitch_buf dirs; /* dirinfo[] */
  sqlitch_err *err;
} lexer;

static void push_tok(lexer *L, const tok *t) {
  sqlitch_buf_addn(&L->toks, (const char *)t, sizeof *t);
}

static void push_text(lexer *L, const char *s, size_t len) {
  if (!len) return;
  tok t = {T_TEXT, 0, 0, s, len, NULL, -1};
  push_tok(L, &t);
}

static int tokenise(lexer *L, const char *s, size_t len, int dir);

/* The text before a directive, as TT sees it after earlier chomping:
   [" "] + span + [" "]. */
typedef struct pre_t {
  int lead, trail;
  const char *s;
  size_t len;
} pre_t;

static size_t count_nl(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++)
    c += s[i] == '\n';
  return c;
}

static void pre_chomp(pre_t *p, char flag) {
  const char *s = p->s, *e = p->s + p->len;
  int has_text = p->lead || p->len;
  if (!has_text || (!p->lead && p->len == 1 && s[0] == '0')) return;
  if (flag == '-') { /* s{(\r?\n|^)[^\S\n]*\z}{}m */
    const char *q = e;
    size_t k;
    while ((k = ws_before(s, q)) && !(k == 1 && q[-1] == '\n'))
      q -= k;
    if (q == s) {
      p->len = 0;
      p->lead = 0;
    } else if (q[-1] == '\n') {
      q--;
      if (q > s && q[-1] == '\r') q--;
      p->len = (size_t)(q - s);
    }
  } else if (flag == '=' || flag == '~') { /* s{\s+\z}{ } / s{\s+\z}{} */
    const char *q = e;
    size_t k;
    while ((k = ws_before(s, q)))
      q -= k;
    int all = q == s;
    if (q == e && !(all && p->lead)) return;
    p->len = (size_t)(q - s);
    if (all) p->lead = 0;
    p->trail = flag == '=';
  }
}

static void emit_pre(lexer *L, const pre_t *p) {
  if (p->lead) push_text(L, " ", 1);
  push_text(L, p->s, p->len);
  if (p->trail) push_text(L, " ", 1);
}

static int is_chomp(char c) {
  return c == '-' || c == '=' || c == '~' || c == '+';
}

static const char *find2(const char *p, const char *end, char a, char b) {
  for (; p + 1 < end; p++) {
    p = memchr(p, a, (size_t)(end - p - 1));
    if (!p) return NULL;
    if (p[1] == b) return p;
  }
  return NULL;
}

static int split_text(lexer *L, const char *src, size_t len) {
  const char *cur = src, *end = src + len;
  int lead = 0; /* a collapsed " " starts the remaining text */
  long line = 1;
  for (;;) {
    const char *open = find2(cur, end, '[', '%');
    const char *close = open ? find2(open + 2, end, '%', ']') : NULL;
    if (!close) break;
    pre_t pre = {lead, 0, cur, (size_t)(open - cur)};
    lead = 0;
    const char *d = open + 2, *de = close;
    long prelines = (long)count_nl(pre.s, pre.len);
    long dirlines = (long)count_nl(d, (size_t)(de - d));
    long postlines = 0;
    char post = 0;
    int comment = d < de && *d == '#';
    if (comment) {
      post = is_chomp(de[-1]) ? de[-1] : 0;
      d = de;
    } else {
      if (d < de && is_chomp(*d)) {
        pre_chomp(&pre, *d);
        d++;
      }
      size_t k;
      const char *ws = d;
      while ((k = ws_at(d, de)))
        d += k;
      long n = (long)count_nl(ws, (size_t)(d - ws));
      prelines += n;
      dirlines -= n;
      while ((k = ws_before(d, de)))
        de -= k;
      if (de > d && is_chomp(de[-1])) {
        post = de[-1];
        de--;
        while ((k = ws_before(d, de)))
          de -= k;
      }
    }
    emit_pre(L, &pre);
    line += prelines;
    cur = close + 2;
    if (post == '-') {
      const char *q = cur;
      size_t k;
      while ((k = ws_at(q, end)) && *q != '\n')
        q += k;
      if (q < end && *q == '\n') {
        cur = q + 1;
        postlines = 1;
      }
    } else if (post == '=' || post == '~') {
      const char *q = cur;
      size_t k;
      while ((k = ws_at(q, end)))
        q += k;
      if (q > cur) {
        postlines = (long)count_nl(cur, (size_t)(q - cur));
        lead = post == '=';
        cur = q;
      }
    }
    if (!comment && de > d) {
      dirinfo di;
      di.label = dirlines ? sqlitch_arena_printf(L->a, "%ld-%ld", line,
                                                 line + dirlines)
                          : sqlitch_arena_printf(L->a, "%ld", line);
      di.text = d;
      di.len = (size_t)(de - d);
      int idx = (int)(L->dirs.len / sizeof(dirinfo));
      sqlitch_buf_addn(&L->dirs, (const char *)&di, sizeof di);
      if (tokenise(L, d, (size_t)(de - d), idx)) return SQLITCH_ERROR;
      tok t = {T_SEMI, 0, 1, ";", 1, NULL, idx};
      push_tok(L, &t);
    }
    line += dirlines + postlines;
  }
  if (lead) push_text(L, " ", 1);
  push_text(L, cur, (size_t)(end - cur));
  tok t = {T_EOF, 0, 0, "", 0, NULL, -1};
  push_tok(L, &t);
  return SQLITCH_OK;
}

/* ============================================================ tokeniser */

static expr *new_expr(sqlitch_arena *a, int kind, int dir) {
  expr *e = sqlitch_arena_alloc(a, sizeof *e);
  e->kind = kind;
  e->dir = dir;
  return e;
}

/* Parse "$a.b.0" / "${ a.b }" inside a double-quoted string into a
   variable expression; returns the bytes consumed (0: not a variable). */
static size_t interp_var(lexer *L, const char *p, const char *end, int dir,
                         expr **out) {
  const char *q = p + 1, *stop;
  int braced = q < end && *q == '{';
  if (braced) {
    stop = memchr(q, '}', (size_t)(end - q));
    if (!stop) return 0;
    q++;
  } else {
    stop = end;
  }
  expr *e = new_expr(L->a, E_VAR, dir);
  seg **tail = &e->segs;
  for (;;) {
    while (braced && q < stop && isspace((unsigned char)*q))
      q++;
    const char *w = q;
    while (q < stop && is_word((unsigned char)*q))
      q++;
    if (q == w) break;
    seg *s = sqlitch_arena_alloc(L->a, sizeof *s);
    s->name = sqlitch_arena_strndup(L->a, w, (size_t)(q - w));
    s->len = (size_t)(q - w);
    *tail = s;
    tail = &s->next;
    if (q + 1 < stop && *q == '.' && is_word((unsigned char)q[1]))
      q++;
    else
      break;
  }
  if (!e->segs) return 0;
  if (braced) {
    while (q < stop && isspace((unsigned char)*q))
      q++;
    if (q != stop) return 0;
    q = stop + 1;
  }
  *out = e;
  return (size_t)(q - p);
}

/* Build the parts of a double-quoted string body (TT's escapes: \n \r \t,
   \$ is a literal dollar, \x is x). */
static ipart *interp_parts(lexer *L, const char *s, size_t len, int dir) {
  ipart *head = NULL, **tail = &head;
  sqlitch_buf lit = SQLITCH_BUF_INIT;
  const char *p = s, *end = s + len;
  while (p <= end) {
    expr *var = NULL;
    size_t used = 0;
    if (p < end && *p == '$') used = interp_var(L, p, end, dir, &var);
    if (p == end || used) {
      if (lit.len) {
        ipart *ip = sqlitch_arena_alloc(L->a, sizeof *ip);
        ip->text = sqlitch_arena_strndup(L->a, lit.p, lit.len);
        ip->len = lit.len;
        *tail = ip;
        tail = &ip->next;
        sqlitch_buf_reset(&lit);
      }
      if (p == end) break;
      ipart *ip = sqlitch_arena_alloc(L->a, sizeof *ip);
      ip->var = var;
      *tail = ip;
      tail = &ip->next;
      p += used;
      continue;
    }
    if (*p == '\\' && p + 1 < end) {
      char c = p[1];
      sqlitch_buf_addc(&lit, c == 'n'   ? '\n'
                             : c == 'r' ? '\r'
                             : c == 't' ? '\t'
                                        : c);
      p += 2;
      continue;
    }
    sqlitch_buf_addc(&lit, *p++);
  }
  sqlitch_buf_free(&lit);
  return head;
}

static int tokenise(lexer *L, const char *s, size_t len, int dir) {
  const char *p = s, *end = s + len;
  while (p < end) {
    size_t k;
    if ((k = ws_at(p, end))) {
      p += k;
      continue;
    }
    tok t = {T_BAD, 0, 0, p, 0, NULL, dir};
    unsigned char c = (unsigned char)*p;
    if (c == '#') { /* comment to end of line */
      while (p < end && *p != '\n')
        p++;
      continue;
    }
    if (c == '\'' || c == '"') {
      const char *q = p + 1;
      while (q < end && *q != (char)c)
        q += (*q == '\\' && q + 1 < end) ? 2 : 1;
      if (q >= end) { /* unterminated: TT reports the raw word */
        const char *w = p;
        while (w < end && !ws_at(w, end))
          w++;
        t.len = (size_t)(w - p);
        push_tok(L, &t);
        p = w;
        continue;
      }
      const char *body = p + 1;
      size_t blen = (size_t)(q - body);
      if (c == '\'') { /* Perl single quotes: \\ and \' only */
        sqlitch_buf b = SQLITCH_BUF_INIT;
        for (const char *r = body; r < q; r++) {
          if (*r == '\\' && r + 1 < q && (r[1] == '\\' || r[1] == '\'')) r++;
          sqlitch_buf_addc(&b, *r);
        }
        t.type = T_STR;
        t.s = sqlitch_arena_strndup(L->a, b.p ? b.p : "", b.len);
        t.len = b.len;
        sqlitch_buf_free(&b);
      } else if (!memchr(body, '$', blen) && !memchr(body, '\\', blen)) {
        t.type = T_STR;
        t.s = sqlitch_arena_strndup(L->a, body, blen);
        t.len = blen;
      } else {
        t.type = T_ISTR;
        t.parts = interp_parts(L, body, blen, dir);
        t.len = (size_t)(q + 1 - p);
      }
      push_tok(L, &t);
      p = q + 1;
      continue;
    }
    if (isdigit(c) ||
        (c == '-' && p + 1 < end && isdigit((unsigned char)p[1]))) {
      const char *q = p + 1;
      while (q < end && isdigit((unsigned char)*q))
        q++;
      if (q + 1 < end && *q == '.' && isdigit((unsigned char)q[1])) {
        q++;
        while (q < end && isdigit((unsigned char)*q))
          q++;
      }
      t.type = T_NUM;
      t.len = (size_t)(q - p);
      push_tok(L, &t);
      p = q;
      continue;
    }
    if (is_word(c)) {
      const char *q = p;
      while (q < end && is_word((unsigned char)*q))
        q++;
      t.type = T_IDENT;
      t.len = (size_t)(q - p);
      if (t.len == 1 && *p == '_') t.type = T_CAT;
      for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strlen(keywords[i].word) == t.len &&
            memcmp(keywords[i].word, p, t.len) == 0) {
          t.type = keywords[i].type;
          t.op = keywords[i].op;
          break;
        }
      push_tok(L, &t);
      p = q;
      continue;
    }
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
      size_t n = strlen(symbols[i].sym);
      if ((size_t)(end - p) >= n && memcmp(symbols[i].sym, p, n) == 0) {
        t.type = symbols[i].type;
        t.op = symbols[i].op;
        t.len = n;
        break;
      }
    }
    if (t.type == T_BAD) { /* an unknown word: report it whole */
      const char *q = p;
      while (q < end && !ws_at(q, end))
        q++;
      t.len = (size_t)(q - p);
    }
    push_tok(L, &t);
    p += t.len;
  }
  return SQLITCH_OK;
}

/* ================================================================ parser */

typedef struct parser {
  sqlitch_arena *a;
  tok *t;
  size_t i, n;
  const dirinfo *dirs;
  size_t ndirs;
  int depth;
  sqlitch_err *err;
} parser;

static const tok *peek(parser *P) { return &P->t[P->i]; }
static const tok *peek2(parser *P) {
  return P->i + 1 < P->n ? &P->t[P->i + 1] : &P->t[P->n - 1];
}

/* TT's parse error text for the current token. */
static int perr(parser *P, const char *what) {
  const tok *t = peek(P);
  if (t->type == T_EOF) {
    const char *label = P->ndirs ? P->dirs[P->ndirs - 1].label : "1";
    return sqlitch_err_set(P->err, SQLITCH_E_PARSE, 2,
                           "file error - parse error - input text line %s: "
                           "unexpected end of input",
                           label);
  }
  static const dirinfo none = {"?", "", 0};
  const dirinfo *d = t->dir >= 0 ? &P->dirs[t->dir] : &none;
  char *msg;
  if (what)
    msg = sqlitch_mprintf("%s", what);
  else if (t->type == T_SEMI && t->end)
    msg = sqlitch_mprintf("unexpected end of directive");
  else if (t->type == T_KW && t->op == K_UNSUP)
    msg = sqlitch_mprintf("%.*s is not supported in sqlitch templates",
                          (int)t->len, t->s);
  else
    msg = sqlitch_mprintf("unexpected token (%.*s)", (int)t->len, t->s);
  sqlitch_err_set(
      P->err, SQLITCH_E_PARSE, 2,
      "file error - parse error - input text line %s: %s\n  [%% %.*s %%]",
      d->label, msg, (int)d->len, d->text);
  free(msg);
  return SQLITCH_ERROR;
}

static int accept(parser *P, int type) {
  if (peek(P)->type != type) return 0;
  P->i++;
  return 1;
}

static int accept_kw(parser *P, int kw) {
  if (peek(P)->type != T_KW || peek(P)->op != kw) return 0;
  P->i++;
  return 1;
}

static int deeper(parser *P) {
  if (++P->depth > MAX_DEPTH) {
    perr(P, "template nested too deeply");
    return -1;
  }
  return 0;
}

static expr *parse_expr(parser *P);

/* "(" args ")" after a name; fills *args and sets *has. */
static int parse_args(parser *P, expr **args, int *has) {
  if (!accept(P, T_LPAREN)) return 0;
  *has = 1;
  expr **tail = args;
  while (!accept(P, T_RPAREN)) {
    if (accept(P, T_COMMA)) continue;
    expr *e = parse_expr(P);
    if (!e) return -1;
    *tail = e;
    tail = &e->next;
  }
  return 0;
}

/* One path item: ident[(args)], number, $ident, ${expr}. */
static seg *parse_seg(parser *P, int first) {
  const tok *t = peek(P);
  seg *s = sqlitch_arena_alloc(P->a, sizeof *s);
  if (t->type == T_IDENT || (!first && t->type == T_NUM)) {
    s->name = sqlitch_arena_strndup(P->a, t->s, t->len);
    s->len = t->len;
    P->i++;
  } else if (t->type == T_DOLLAR && peek2(P)->type == T_IDENT) {
    P->i++;
    expr *k = new_expr(P->a, E_VAR, peek(P)->dir);
    k->segs = sqlitch_arena_alloc(P->a, sizeof(seg));
    k->segs->name = sqlitch_arena_strndup(P->a, peek(P)->s, peek(P)->len);
    k->segs->len = peek(P)->len;
    P->i++;
    s->key = k;
  } else if (t->type == T_DOLLARBRACE) {
    P->i++;
    if (!(s->key = parse_expr(P))) return NULL;
    if (!accept(P, T_RBRACE)) {
      perr(P, NULL);
      return NULL;
    }
  } else {
    perr(P, NULL);
    return NULL;
  }
  if (s->name && parse_args(P, &s->args, &s->has_args)) return NULL;
  return s;
}

static expr *parse_primary(parser *P) {
  const tok *t = peek(P);
  expr *e;
  switch (t->type) {
  case T_LPAREN:
    P->i++;
    if (deeper(P) || !(e = parse_expr(P))) return NULL;
    P->depth--;
    if (!accept(P, T_RPAREN)) {
      perr(P, NULL);
      return NULL;
    }
    return e;
  case T_STR:
  case T_NUM:
    e = new_expr(P->a, E_STR, t->dir);
    if (t->type == T_STR) {
      e->s = t->s;
      e->len = t->len;
    } else { /* numbers print as Perl numbers: 1.50 -> 1.5, 007 -> 7 */
      char buf[64];
      char *num = sqlitch_arena_strndup(P->a, t->s, t->len);
      double d = strtod(num, NULL);
      if (d == 0) d = 0; /* no "-0" */
      if (fabs(d) < 1e15 && d == floor(d))
        snprintf(buf, sizeof buf, "%.0f", d);
      else
        snprintf(buf, sizeof buf, "%.15g", d);
      e->s = sqlitch_arena_strdup(P->a, buf);
      e->len = strlen(buf);
      e->op = 1; /* numeric */
    }
    P->i++;
    return e;
  case T_ISTR:
    e = new_expr(P->a, E_ISTR, t->dir);
    e->parts = t->parts;
    P->i++;
    return e;
  case T_LBRACK: {
    P->i++;
    if (deeper(P)) return NULL;
    e = new_expr(P->a, E_LIST, t->dir);
    expr **tail = &e->a;
    while (!accept(P, T_RBRACK)) {
      if (accept(P, T_COMMA)) continue;
      expr *item = parse_expr(P);
      if (!item) return NULL;
      if (accept(P, T_TO)) {
        expr *r = new_expr(P->a, E_RANGE, item->dir);
        r->a = item;
        if (!(r->b = parse_expr(P))) return NULL;
        item = r;
        if (peek(P)->type != T_RBRACK) { /* a range is the whole list */
          perr(P, NULL);
          return NULL;
        }
      }
      *tail = item;
      tail = &item->next;
    }
    P->depth--;
    return e;
  }
  case T_IDENT:
  case T_DOLLAR:
  case T_DOLLARBRACE: {
    e = new_expr(P->a, E_VAR, t->dir);
    seg **tail = &e->segs;
    for (int first = 1;; first = 0) {
      seg *s = parse_seg(P, first);
      if (!s) return NULL;
      *tail = s;
      tail = &s->next;
      if (!accept(P, T_DOT)) break;
    }
    return e;
  }
  default: perr(P, NULL); return NULL;
  }
}

static expr *binary(parser *P, int kind, int op, expr *a, expr *b) {
  if (!b) return NULL;
  int h = (a->height > b->height ? a->height : b->height) + 1;
  if (h > MAX_HEIGHT) {
    perr(P, "expression too long");
    return NULL;
  }
  expr *e = new_expr(P->a, kind, a->dir);
  e->height = h;
  e->op = op;
  e->a = a;
  e->b = b;
  return e;
}

/* Operator precedence. TT compiles an expression to Perl source text
   without adding parentheses (except around "div", which becomes
   int(a / b)), so Perl's precedence decides in the end:
     NOT/!  >  div  >  * / % mod  >  + - _  >  < > <= >=  >  == !=  >  &&  >  ||
   >  ?: (NOT applies to what follows it up to a div chain, as "! int(a / b)").
 */
static expr *parse_unary(parser *P);

static expr *parse_div(parser *P) {
  expr *e = parse_unary(P);
  while (e && accept(P, T_DIV))
    e = binary(P, E_ARITH, T_DIV, e, parse_unary(P));
  return e;
}

static expr *parse_unary(parser *P) {
  if (peek(P)->type != T_NOT) return parse_primary(P);
  int dir = peek(P)->dir;
  P->i++;
  if (deeper(P)) return NULL;
  expr *a = parse_div(P);
  P->depth--;
  if (!a) return NULL;
  expr *e = new_expr(P->a, E_NOT, dir);
  e->a = a;
  return e;
}

static expr *parse_mul(parser *P) {
  expr *e = parse_div(P);
  while (e) {
    int ty = peek(P)->type;
    if (ty != T_STAR && ty != T_SLASH && ty != T_PERCENT && ty != T_MOD) break;
    P->i++;
    e = binary(P, E_ARITH, ty, e, parse_div(P));
  }
  return e;
}

static expr *parse_add(parser *P) {
  expr *e = parse_mul(P);
  while (e) {
    int ty = peek(P)->type;
    if (ty != T_PLUS && ty != T_MINUS && ty != T_CAT) break;
    P->i++;
    e = binary(P, ty == T_CAT ? E_CAT : E_ARITH, ty, e, parse_mul(P));
  }
  return e;
}

static int is_rel(const tok *t) {
  return t->type == T_CMP && t->op != C_EQ && t->op != C_NE;
}

static expr *parse_rel(parser *P) {
  expr *e = parse_add(P);
  while (e && is_rel(peek(P))) {
    int op = peek(P)->op;
    P->i++;
    e = binary(P, E_CMP, op, e, parse_add(P));
  }
  return e;
}

static expr *parse_eq(parser *P) {
  expr *e = parse_rel(P);
  while (e && peek(P)->type == T_CMP && !is_rel(peek(P))) {
    int op = peek(P)->op;
    P->i++;
    e = binary(P, E_CMP, op, e, parse_rel(P));
  }
  return e;
}

static expr *parse_and(parser *P) {
  expr *e = parse_eq(P);
  while (e && accept(P, T_AND))
    e = binary(P, E_AND, 0, e, parse_eq(P));
  return e;
}

static expr *parse_or(parser *P) {
  expr *e = parse_and(P);
  while (e && accept(P, T_OR))
    e = binary(P, E_OR, 0, e, parse_and(P));
  return e;
}

static expr *parse_expr(parser *P) {
  if (deeper(P)) return NULL;
  expr *e = parse_or(P);
  if (e && accept(P, T_QUEST)) {
    expr *t = new_expr(P->a, E_TERN, e->dir);
    t->a = e;
    if (!(t->b = parse_expr(P))) return NULL;
    if (!accept(P, T_COLON)) {
      perr(P, NULL);
      return NULL;
    }
    if (!(t->c = parse_expr(P))) return NULL;
    e = t;
  }
  P->depth--;
  return e;
}

static node *new_node(parser *P, int kind) {
  node *n = sqlitch_arena_alloc(P->a, sizeof *n);
  n->kind = kind;
  return n;
}

static node *parse_block(parser *P);

/* The ';' (or directive end) that must follow IF/FOR/ELSE headers. */
static int expect_semi(parser *P) {
  if (accept(P, T_SEMI)) return 0;
  return perr(P, NULL);
}

static int expect_end(parser *P) {
  if (accept_kw(P, K_END)) return 0;
  return perr(P, NULL);
}

/* IF/UNLESS/ELSIF chain; the keyword is already consumed. */
static node *parse_if(parser *P, int negate) {
  node *n = new_node(P, N_IF);
  expr *c = parse_expr(P);
  if (!c || expect_semi(P)) return NULL;
  if (negate) {
    n->e = new_expr(P->a, E_NOT, c->dir);
    n->e->a = c;
  } else {
    n->e = c;
  }
  n->body = parse_block(P);
  if (P->err->msg) return NULL;
  if (accept_kw(P, K_ELSIF)) {
    if (deeper(P)) return NULL;
    n->alt = parse_if(P, 0);
    P->depth--;
    return n->alt ? n : NULL; /* the inner chain consumed END */
  }
  if (accept_kw(P, K_ELSE)) {
    if (expect_semi(P)) return NULL;
    n->alt = parse_block(P);
    if (P->err->msg) return NULL;
  }
  return expect_end(P) ? NULL : n;
}

static node *parse_for(parser *P) {
  node *n = new_node(P, N_FOR);
  const tok *t = peek(P), *t2 = peek2(P);
  if (t->type == T_IDENT &&
      ((t2->type == T_KW && t2->op == K_IN) || t2->type == T_ASSIGN)) {
    n->name = sqlitch_arena_strndup(P->a, t->s, t->len);
    P->i += 2;
  }
  if (!(n->e = parse_expr(P)) || expect_semi(P)) return NULL;
  n->body = parse_block(P);
  if (P->err->msg) return NULL;
  return expect_end(P) ? NULL : n;
}

/* name = expr [name = expr]... */
static node *parse_assigns(parser *P, int kind) {
  node *head = NULL, **tail = &head;
  while (peek(P)->type == T_IDENT && peek2(P)->type == T_ASSIGN) {
    node *n = new_node(P, kind);
    n->name = sqlitch_arena_strndup(P->a, peek(P)->s, peek(P)->len);
    P->i += 2;
    if (!(n->e = parse_expr(P))) return NULL;
    *tail = n;
    tail = &n->next;
    accept(P, T_COMMA);
  }
  if (!head) perr(P, NULL);
  return head;
}

static filt *parse_filters(parser *P) {
  filt *head = NULL, **tail = &head;
  while (accept(P, T_FILTER)) {
    if (peek(P)->type != T_IDENT) {
      perr(P, NULL);
      return NULL;
    }
    filt *f = sqlitch_arena_alloc(P->a, sizeof *f);
    f->name = sqlitch_arena_strndup(P->a, peek(P)->s, peek(P)->len);
    f->len = peek(P)->len;
    P->i++;
    int has = 0;
    if (parse_args(P, &f->args, &has)) return NULL;
    *tail = f;
    tail = &f->next;
  }
  return head;
}

/* A statement list chain (assignments give several nodes). */
static node *parse_statement(parser *P) {
  const tok *t = peek(P);
  node *n = NULL;
  if (t->type == T_KW) {
    P->i++;
    switch (t->op) {
    case K_IF: return parse_if(P, 0);
    case K_UNLESS: return parse_if(P, 1);
    case K_FOR: return parse_for(P);
    case K_LAST: n = new_node(P, N_LAST); break;
    case K_NEXT: n = new_node(P, N_NEXT); break;
    case K_STOP:
    case K_RETURN: n = new_node(P, N_STOP); break;
    case K_CLEAR: n = new_node(P, N_CLEAR); break;
    case K_SET: n = parse_assigns(P, N_SET); break;
    case K_DEFAULT: n = parse_assigns(P, N_DEFAULT); break;
    case K_GET:
    case K_CALL:
      n = new_node(P, t->op == K_GET ? N_OUT : N_CALL);
      if (!(n->e = parse_expr(P))) return NULL;
      if (t->op == K_GET && peek(P)->type == T_FILTER &&
          !(n->filters = parse_filters(P)))
        return NULL;
      break;
    default:
      P->i--;
      perr(P, NULL);
      return NULL;
    }
  } else if (t->type == T_IDENT && peek2(P)->type == T_ASSIGN) {
    n = parse_assigns(P, N_SET);
  } else {
    n = new_node(P, N_OUT);
    if (!(n->e = parse_expr(P))) return NULL;
    if (peek(P)->type == T_FILTER && !(n->filters = parse_filters(P)))
      return NULL;
  }
  if (!n) return NULL;
  /* postfix conditions: "x IF y", "x UNLESS y" */
  while (peek(P)->type == T_KW &&
         (peek(P)->op == K_IF || peek(P)->op == K_UNLESS)) {
    int neg = peek(P)->op == K_UNLESS;
    P->i++;
    node *w = new_node(P, N_IF);
    expr *c = parse_expr(P);
    if (!c) return NULL;
    if (neg) {
      w->e = new_expr(P->a, E_NOT, c->dir);
      w->e->a = c;
    } else {
      w->e = c;
    }
    w->body = n;
    n = w;
  }
  return n;
}

/* Statements and text up to END/ELSE/ELSIF or the end of input. */
static node *parse_block(parser *P) {
  node *head = NULL, **tail = &head;
  if (deeper(P)) return NULL;
  for (;;) {
    const tok *t = peek(P);
    if (t->type == T_EOF) break;
    if (t->type == T_KW &&
        (t->op == K_END || t->op == K_ELSE || t->op == K_ELSIF))
      break;
    if (t->type == T_SEMI) {
      P->i++;
      continue;
    }
    node *n;
    if (t->type == T_TEXT) {
      n = new_node(P, N_TEXT);
      n->text = t->s;
      n->len = t->len;
      P->i++;
    } else {
      n = parse_statement(P);
      if (!n) return NULL;
      const tok *after = peek(P);
      if (after->type != T_SEMI && after->type != T_EOF) {
        perr(P, NULL);
        return NULL;
      }
    }
    *tail = n;
    while (n->next)
      n = n->next;
    tail = &n->next;
  }
  P->depth--;
  return head;
}

void sqlitch_tmpl_free(sqlitch_tmpl *t) {
  if (!t) return;
  sqlitch_arena_free(t->a);
  free(t);
}

int sqlitch_tmpl_compile(const char *src, size_t len, sqlitch_tmpl **out,
                         sqlitch_err *err) {
  sqlitch_tmpl *t = sqlitch_calloc(1, sizeof *t);
  t->a = sqlitch_arena_new();
  /* The AST points into the source: keep a private copy. */
  char *copy = sqlitch_arena_strndup(t->a, src ? src : "", src ? len : 0);
  lexer L = {t->a, SQLITCH_BUF_INIT, SQLITCH_BUF_INIT, err};
  *out = NULL;
  if (split_text(&L, copy, src ? len : 0)) {
    sqlitch_buf_free(&L.toks);
    sqlitch_buf_free(&L.dirs);
    sqlitch_tmpl_free(t);
    return SQLITCH_ERROR;
  }
  t->ndirs = L.dirs.len / sizeof(dirinfo);
  t->dirs = sqlitch_arena_alloc(t->a, L.dirs.len + 1);
  if (L.dirs.len) memcpy(t->dirs, L.dirs.p, L.dirs.len);
  sqlitch_buf_free(&L.dirs);
  sqlitch_err tmp = SQLITCH_ERR_INIT;
  parser P = {t->a,    (tok *)L.toks.p, 0, L.toks.len / sizeof(tok),
              t->dirs, t->ndirs,        0, &tmp};
  t->root = parse_block(&P);
  if (!tmp.msg && peek(&P)->type != T_EOF) perr(&P, NULL);
  sqlitch_buf_free(&L.toks);
  if (tmp.msg) {
    sqlitch_err_move(err, &tmp);
    sqlitch_tmpl_free(t);
    return SQLITCH_ERROR;
  }
  *out = t;
  return SQLITCH_OK;
}

/* ================================================================ render */

enum { CTL_NONE = 0, CTL_NEXT, CTL_LAST, CTL_STOP };

typedef struct rs {
  sqlitch_arena *a;
  vtable vars;
  sqlitch_buf *out;
  size_t out0; /* length of out when rendering began (CLEAR) */
  sqlitch_err *err;
  int failed;
  int ctl;
  long steps;
  size_t mem;
} rs;

static int rfail(rs *r, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
static int rfail(rs *r, const char *fmt, ...) {
  if (r->failed) return SQLITCH_ERROR;
  va_list ap;
  va_start(ap, fmt);
  sqlitch_err_setv(r->err, SQLITCH_E_GENERIC, 2, fmt, ap);
  va_end(ap);
  r->failed = 1;
  return SQLITCH_ERROR;
}

/* Runtime allocation with a memory budget; NULL (and r->failed) when the
   budget is spent. */
static void *ralloc(rs *r, size_t n) {
  if (r->failed) return NULL;
  r->mem += n + 16;
  if (r->mem > MAX_MEM) {
    rfail(r, "undef error - template uses too much memory");
    return NULL;
  }
  return sqlitch_arena_alloc(r->a, n ? n : 1);
}

static tval rstr(rs *r, const char *s, size_t len) {
  char *p = ralloc(r, len + 1);
  if (!p) return UNDEF;
  memcpy(p, s, len);
  p[len] = 0;
  return mkstr(p, len);
}

/* Stringify into a buffer (lists join with spaces; TT would print an
   unpredictable ARRAY(0x...)). */
static int to_buf(rs *r, sqlitch_buf *b, size_t base, tval v) {
  if (v.k == V_STR) {
    if (b->len - base + v.len > MAX_OUTPUT)
      return rfail(r, "undef error - template output too large");
    sqlitch_buf_addn(b, v.s, v.len);
  } else if (v.k == V_LIST) {
    for (size_t i = 0; i < v.n; i++) {
      if (i) sqlitch_buf_addc(b, ' ');
      if (to_buf(r, b, base, v.items[i])) return SQLITCH_ERROR;
    }
  }
  return SQLITCH_OK;
}

/* The value as a string (allocated only for lists). */
static tval as_str(rs *r, tval v) {
  if (v.k == V_STR) return v;
  if (v.k != V_LIST) return mkstr("", 0);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  to_buf(r, &b, 0, v);
  tval s = rstr(r, b.p ? b.p : "", b.len);
  sqlitch_buf_free(&b);
  return s;
}

/* Perl numification of a string. */
static double num_of(rs *r, tval v) {
  if (v.k == V_LIST) return (double)v.n;
  if (v.k != V_STR) return 0;
  const char *p = v.s;
  while (*p && isspace((unsigned char)*p))
    p++;
  const char *q = p;
  if (*q == '+' || *q == '-') q++;
  if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) return 0;
  (void)r;
  return strtod(p, NULL);
}

static tval num_val(rs *r, double d) {
  char buf[64];
  if (isnan(d))
    strcpy(buf, "NaN");
  else if (isinf(d))
    strcpy(buf, d < 0 ? "-Inf" : "Inf");
  else if (fabs(d) < 1e15 && d == floor(d))
    snprintf(buf, sizeof buf, "%.0f", d == 0 ? 0.0 : d);
  else
    snprintf(buf, sizeof buf, "%.15g", d);
  tval v = rstr(r, buf, strlen(buf));
  v.num = 1;
  return v;
}

static int str_eq(tval a, tval b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.s, b.s, a.len) == 0);
}

/* ------------------------------------------------------------- regexes */

static pcre2_code *rx_compile(rs *r, tval pat) {
  int ec;
  PCRE2_SIZE off;
  pcre2_code *re =
      pcre2_compile((PCRE2_SPTR)(pat.s ? pat.s : ""), pat.len,
                    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &off, NULL);
  if (!re) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(ec, msg, sizeof msg);
    rfail(r, "undef error - invalid regex '%.*s': %s", (int)pat.len,
          pat.s ? pat.s : "", (const char *)msg);
  }
  return re;
}

typedef struct rx_match {
  pcre2_code *re;
  pcre2_match_data *md;
} rx_match;

static int rx_open(rs *r, tval pat, rx_match *m) {
  m->re = rx_compile(r, pat);
  if (!m->re) return -1;
  m->md = pcre2_match_data_create_from_pattern(m->re, NULL);
  return 0;
}

static void rx_close(rx_match *m) {
  pcre2_match_data_free(m->md);
  pcre2_code_free(m->re);
}

/* Match at or after `from`; returns the ovector or NULL. */
static PCRE2_SIZE *rx_exec(rx_match *m, tval s, size_t from, uint32_t opts) {
  int rc = pcre2_match(m->re, (PCRE2_SPTR)s.s, s.len, from, opts, m->md, NULL);
  return rc > 0 ? pcre2_get_ovector_pointer(m->md) : NULL;
}

static tval group(rs *r, tval s, PCRE2_SIZE *ov, uint32_t g) {
  if (ov[2 * g] == PCRE2_UNSET) return mkstr("", 0);
  return rstr(r, s.s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

/* -------------------------------------------------------- list building */

typedef struct lbuild {
  sqlitch_buf b; /* tval[] */
} lbuild;

static void lb_push(lbuild *l, tval v) {
  sqlitch_buf_addn(&l->b, (const char *)&v, sizeof v);
}

static tval lb_done(rs *r, lbuild *l) {
  size_t n = l->b.len / sizeof(tval);
  tval *it = ralloc(r, l->b.len);
  if (it && n) memcpy(it, l->b.p, l->b.len);
  sqlitch_buf_free(&l->b);
  return it ? mklist(it, n) : UNDEF;
}

/* --------------------------------------------------------- text methods */

typedef int (*vmeth)(rs *r, tval self, const tval *args, int nargs, tval *out);

static size_t utf8_count(const char *s, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    n += ((unsigned char)s[i] & 0xc0) != 0x80;
  return n;
}

/* Byte offset of code point `cp` (clamped). */
static size_t utf8_off(const char *s, size_t len, size_t cp) {
  size_t i = 0;
  while (i < len && cp) {
    i++;
    while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
      i++;
    cp--;
  }
  return i;
}

/* Unicode simple case mapping through the C.UTF-8 locale's tables (Perl's
   uc/lc on decoded text); ASCII only if that locale is missing. */
static locale_t utf8_locale(void) {
  static locale_t loc;
  static int tried;
  if (!tried) {
    tried = 1;
    loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
  }
  return loc;
}

static void put_utf8(sqlitch_buf *b, uint32_t c) {
  char u[4];
  size_t n;
  if (c < 0x80) {
    u[0] = (char)c;
    n = 1;
  } else if (c < 0x800) {
    u[0] = (char)(0xc0 | (c >> 6));
    u[1] = (char)(0x80 | (c & 0x3f));
    n = 2;
  } else if (c < 0x10000) {
    u[0] = (char)(0xe0 | (c >> 12));
    u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
    u[2] = (char)(0x80 | (c & 0x3f));
    n = 3;
  } else {
    u[0] = (char)(0xf0 | (c >> 18));
    u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    u[3] = (char)(0x80 | (c & 0x3f));
    n = 4;
  }
  sqlitch_buf_addn(b, u, n);
}

static tval map_case(rs *r, tval s, int upper, int first_only) {
  locale_t loc = utf8_locale();
  sqlitch_buf b = SQLITCH_BUF_INIT;
  const char *p = s.s ? s.s : "", *end = p + s.len;
  while (p < end) {
    const char *q = p;
    int32_t c = sqlitch_utf8_decode(&q, end);
    if (c < 0) { /* not UTF-8: keep the byte */
      sqlitch_buf_addc(&b, *p++);
    } else {
      uint32_t m = (uint32_t)c;
      if (c == 0xdf && upper &&
          !first_only) { /* Perl's full mapping: ß -> SS */
        sqlitch_buf_add(&b, "SS");
        p = q;
        continue;
      }
      if (c < 0x80)
        m = (uint32_t)(upper ? toupper(c) : tolower(c));
      else if (loc)
        m = (uint32_t)(upper ? towupper_l((wint_t)c, loc)
                             : towlower_l((wint_t)c, loc));
      put_utf8(&b, m);
      p = q;
    }
    if (first_only) {
      sqlitch_buf_addn(&b, p, (size_t)(end - p));
      break;
    }
  }
  tval v = rstr(r, b.p ? b.p : "", b.len);
  sqlitch_buf_free(&b);
  return v;
}

static int m_length(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = num_val(r, (double)utf8_count(s.s, s.len));
  return 0;
}
static int m_one(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)r;
  (void)s;
  (void)a;
  (void)n;
  *o = TRUE_V;
  return 0;
}
static int m_empty(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)r;
  (void)a;
  (void)n;
  *o = num_val(r, s.len == 0);
  return 0;
}
static int m_item(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)r;
  (void)a;
  (void)n;
  *o = s;
  return 0;
}
static int m_tlist(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  tval *it = ralloc(r, sizeof(tval));
  if (!it) return -1;
  it[0] = s;
  *o = mklist(it, 1);
  return 0;
}
static int m_upper(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = map_case(r, s, 1, 0);
  return 0;
}
static int m_lower(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = map_case(r, s, 0, 0);
  return 0;
}
static int m_ucfirst(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = map_case(r, s, 1, 1);
  return 0;
}
static int m_lcfirst(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = map_case(r, s, 0, 1);
  return 0;
}

static tval trim_val(rs *r, tval s, int collapse) {
  const char *p = s.s, *e = s.s + s.len;
  size_t k;
  while ((k = ws_at(p, e)))
    p += k;
  while ((k = ws_before(p, e)))
    e -= k;
  if (!collapse) return rstr(r, p, (size_t)(e - p));
  sqlitch_buf b = SQLITCH_BUF_INIT;
  while (p < e) {
    if ((k = ws_at(p, e))) {
      while ((k = ws_at(p, e)))
        p += k;
      sqlitch_buf_addc(&b, ' ');
    } else {
      sqlitch_buf_addc(&b, *p++);
    }
  }
  tval v = rstr(r, b.p ? b.p : "", b.len);
  sqlitch_buf_free(&b);
  return v;
}

static int m_trim(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = trim_val(r, s, 0);
  return 0;
}
static int m_collapse(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = trim_val(r, s, 1);
  return 0;
}

static int m_repeat(rs *r, tval s, const tval *a, int n, tval *o) {
  double cnt = n > 0 ? num_of(r, a[0]) : 0;
  if (cnt < 1 || s.len == 0) {
    *o = mkstr("", 0);
    return 0;
  }
  if (cnt * (double)s.len > (double)MAX_OUTPUT)
    return rfail(r, "undef error - repeat count too large");
  size_t c = (size_t)cnt;
  char *p = ralloc(r, s.len * c + 1);
  if (!p) return -1;
  for (size_t i = 0; i < c; i++)
    memcpy(p + i * s.len, s.s, s.len);
  p[s.len * c] = 0;
  *o = mkstr(p, s.len * c);
  return 0;
}

static int m_substr(rs *r, tval s, const tval *a, int n, tval *o) {
  long total = (long)utf8_count(s.s, s.len);
  long off = n > 0 ? (long)num_of(r, a[0]) : 0;
  if (off < 0) off += total;
  if (off < 0) off = 0;
  if (off > total) off = total;
  long cnt = n > 1 ? (long)num_of(r, a[1]) : total - off;
  if (cnt < 0) cnt += total - off;
  if (cnt < 0) cnt = 0;
  if (off + cnt > total) cnt = total - off;
  size_t b0 = utf8_off(s.s, s.len, (size_t)off);
  size_t b1 = b0 + utf8_off(s.s + b0, s.len - b0, (size_t)cnt);
  *o = rstr(r, s.s + b0, b1 - b0);
  return 0;
}

static tval escape_with(rs *r, tval s, const char *chars, int nl) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (size_t i = 0; i < s.len; i++) {
    if (nl && s.s[i] == '\n') {
      sqlitch_buf_add(&b, "\\n");
      continue;
    }
    if (strchr(chars, s.s[i]) && s.s[i]) sqlitch_buf_addc(&b, '\\');
    sqlitch_buf_addc(&b, s.s[i]);
  }
  tval v = rstr(r, b.p ? b.p : "", b.len);
  sqlitch_buf_free(&b);
  return v;
}

static int m_squote(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = escape_with(r, s, "'\\", 0);
  return 0;
}
static int m_dquote(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = escape_with(r, s, "\"\\", 1);
  return 0;
}

static tval html_val(rs *r, tval s, int xml) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (size_t i = 0; i < s.len; i++) {
    switch (s.s[i]) {
    case '&': sqlitch_buf_add(&b, "&amp;"); break;
    case '<': sqlitch_buf_add(&b, "&lt;"); break;
    case '>': sqlitch_buf_add(&b, "&gt;"); break;
    case '"': sqlitch_buf_add(&b, "&quot;"); break;
    case '\'':
      if (xml) {
        sqlitch_buf_add(&b, "&apos;");
        break;
      }
      /* fall through */
    default: sqlitch_buf_addc(&b, s.s[i]);
    }
  }
  tval v = rstr(r, b.p ? b.p : "", b.len);
  sqlitch_buf_free(&b);
  return v;
}

static int m_html(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = html_val(r, s, 0);
  return 0;
}
static int m_xml(rs *r, tval s, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = html_val(r, s, 1);
  return 0;
}

static int m_search(rs *r, tval s, const tval *a, int n, tval *o) {
  rx_match m;
  if (n < 1) {
    *o = UNDEF;
    return 0;
  }
  if (rx_open(r, as_str(r, a[0]), &m)) return -1;
  *o = rx_exec(&m, s, 0, 0) ? TRUE_V : FALSE_V;
  rx_close(&m);
  return 0;
}

/* match(re [, global]): the captures (or the matches) as a list, or "". */
static int m_match(rs *r, tval s, const tval *a, int n, tval *o) {
  rx_match m;
  if (n < 1) {
    *o = UNDEF;
    return 0;
  }
  if (rx_open(r, as_str(r, a[0]), &m)) return -1;
  uint32_t ng = 0;
  pcre2_pattern_info(m.re, PCRE2_INFO_CAPTURECOUNT, &ng);
  int global = n > 1 && truthy(a[1]);
  lbuild l = {SQLITCH_BUF_INIT};
  size_t from = 0;
  PCRE2_SIZE *ov;
  while (from <= s.len && (ov = rx_exec(&m, s, from, 0))) {
    if (ng == 0) lb_push(&l, global ? group(r, s, ov, 0) : TRUE_V);
    for (uint32_t g = 1; g <= ng; g++)
      lb_push(&l, group(r, s, ov, g));
    if (!global) break;
    from = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
    if (++r->steps > MAX_STEPS) break;
  }
  rx_close(&m);
  if (!l.b.len) {
    sqlitch_buf_free(&l.b);
    *o = FALSE_V;
    return 0;
  }
  *o = lb_done(r, &l);
  return 0;
}

/* replace(re, replacement): global; $1.. in the replacement. */
static int m_replace(rs *r, tval s, const tval *a, int n, tval *o) {
  rx_match m;
  tval rep = n > 1 ? as_str(r, a[1]) : mkstr("", 0);
  if (n < 1) {
    *o = s;
    return 0;
  }
  if (rx_open(r, as_str(r, a[0]), &m)) return -1;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  size_t from = 0, copied = 0;
  PCRE2_SIZE *ov;
  uint32_t ng = 0;
  pcre2_pattern_info(m.re, PCRE2_INFO_CAPTURECOUNT, &ng);
  while (from <= s.len && (ov = rx_exec(&m, s, from, 0))) {
    sqlitch_buf_addn(&b, s.s + copied, ov[0] - copied);
    for (size_t i = 0; i < rep.len; i++) {
      if (rep.s[i] == '$' && i + 1 < rep.len &&
          isdigit((unsigned char)rep.s[i + 1])) {
        uint32_t g = (uint32_t)(rep.s[++i] - '0');
        if (g <= ng && ov[2 * g] != PCRE2_UNSET)
          sqlitch_buf_addn(&b, s.s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
      } else {
        sqlitch_buf_addc(&b, rep.s[i]);
      }
    }
    copied = ov[1];
    if (ov[1] > ov[0]) {
      from = ov[1];
    } else {
      if (ov[1] < s.len) sqlitch_buf_addc(&b, s.s[ov[1]]);
      copied = from = ov[1] + 1;
    }
    if (b.len > MAX_OUTPUT || ++r->steps > MAX_STEPS) {
      sqlitch_buf_free(&b);
      rx_close(&m);
      return rfail(r, "undef error - replace result too large");
    }
  }
  if (copied < s.len) sqlitch_buf_addn(&b, s.s + copied, s.len - copied);
  rx_close(&m);
  *o = rstr(r, b.p ? b.p : "", b.len);
  sqlitch_buf_free(&b);
  return 0;
}

static int m_remove(rs *r, tval s, const tval *a, int n, tval *o) {
  tval args[2] = {n > 0 ? a[0] : mkstr("", 0), mkstr("", 0)};
  return m_replace(r, s, args, 2, o);
}

/* split([re]): Perl's split; " " or no pattern splits on whitespace runs
   after leading whitespace; trailing empty fields are dropped. */
static int m_split(rs *r, tval s, const tval *a, int n, tval *o) {
  tval pat = n > 0 ? as_str(r, a[0]) : mkstr(" ", 1);
  int awk = pat.len == 1 && pat.s[0] == ' ';
  size_t start = 0;
  if (awk) {
    size_t k;
    while ((k = ws_at(s.s + start, s.s + s.len)))
      start += k;
    pat = mkstr("\\s+", 3);
  }
  rx_match m;
  if (rx_open(r, pat, &m)) return -1;
  uint32_t ng = 0;
  pcre2_pattern_info(m.re, PCRE2_INFO_CAPTURECOUNT, &ng);
  lbuild l = {SQLITCH_BUF_INIT};
  size_t field = start, from = start;
  PCRE2_SIZE *ov;
  while (from <= s.len && (ov = rx_exec(&m, s, from, 0))) {
    if (ov[1] == ov[0]) { /* empty match: split between characters */
      if (ov[0] >= s.len) break;
      if (ov[0] == field) {
        from = utf8_off(s.s + ov[0], s.len - ov[0], 1) + ov[0];
        if (from >= s.len) break;
        continue;
      }
    } else if (ov[0] == 0 && ov[1] > 0 && field == 0 && !awk) {
      lb_push(&l, mkstr("", 0)); /* a leading empty field is kept */
      for (uint32_t g = 1; g <= ng; g++)
        lb_push(&l, group(r, s, ov, g));
      field = from = ov[1];
      continue;
    }
    lb_push(&l, rstr(r, s.s + field, ov[0] - field));
    for (uint32_t g = 1; g <= ng; g++)
      lb_push(&l, group(r, s, ov, g));
    field = ov[1];
    from =
        ov[1] > ov[0] ? ov[1] : ov[1] + utf8_off(s.s + ov[1], s.len - ov[1], 1);
    if (++r->steps > MAX_STEPS) break;
  }
  rx_close(&m);
  if (field < s.len)
    lb_push(&l, rstr(r, s.s + field, s.len - field));
  else if (field == s.len && field > start)
    lb_push(&l, mkstr("", 0));
  /* drop trailing empty fields */
  while (l.b.len) {
    const tval *last = (const tval *)(l.b.p + l.b.len - sizeof(tval));
    if (last->k == V_STR && last->len == 0)
      sqlitch_buf_truncate(&l.b, l.b.len - sizeof(tval));
    else
      break;
  }
  *o = lb_done(r, &l);
  return 0;
}

static const struct {
  const char *name;
  vmeth fn;
} text_methods[] = {
    {"length", m_length},   {"size", m_one},      {"defined", m_one},
    {"empty", m_empty},     {"item", m_item},     {"list", m_tlist},
    {"upper", m_upper},     {"lower", m_lower},   {"ucfirst", m_ucfirst},
    {"lcfirst", m_lcfirst}, {"trim", m_trim},     {"collapse", m_collapse},
    {"repeat", m_repeat},   {"substr", m_substr}, {"squote", m_squote},
    {"dquote", m_dquote},   {"html", m_html},     {"xml", m_xml},
    {"match", m_match},     {"search", m_search}, {"replace", m_replace},
    {"remove", m_remove},   {"split", m_split},
};

/* --------------------------------------------------------- list methods */

static long index_of(rs *r, tval self, tval key) {
  long i = (long)num_of(r, key);
  if (i < 0) i += (long)self.n;
  return i;
}

static int l_size(rs *r, tval l, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = num_val(r, (double)l.n);
  return 0;
}
static int l_max(rs *r, tval l, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = num_val(r, (double)l.n - 1);
  return 0;
}
static int l_empty(rs *r, tval l, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  *o = num_val(r, l.n == 0);
  return 0;
}
static int l_item(rs *r, tval l, const tval *a, int n, tval *o) {
  long i = n > 0 ? index_of(r, l, a[0]) : 0;
  *o = i >= 0 && (size_t)i < l.n ? l.items[i] : UNDEF;
  return 0;
}
static int l_defined(rs *r, tval l, const tval *a, int n, tval *o) {
  if (n < 1) {
    *o = TRUE_V;
    return 0;
  }
  long i = index_of(r, l, a[0]);
  *o = i >= 0 && (size_t)i < l.n && l.items[i].k != V_UNDEF ? TRUE_V : FALSE_V;
  return 0;
}
static int l_list(rs *r, tval l, const tval *a, int n, tval *o) {
  (void)r;
  (void)a;
  (void)n;
  *o = l;
  return 0;
}
/* first(n) / last(n): Perl slices @l[0..n-1] / @l[-n..-1], so asking for
   more items than there are pads with undefined ones. */
static int take(rs *r, tval l, long c, int from_end, tval *o) {
  if (c <= 0) {
    *o = mklist(l.items, 0);
    return 0;
  }
  if ((size_t)c <= l.n) {
    *o = mklist(from_end ? l.items + l.n - (size_t)c : l.items, (size_t)c);
    return 0;
  }
  if (c > MAX_RANGE) return rfail(r, "undef error - slice too large");
  tval *it = ralloc(r, (size_t)c * sizeof(tval));
  if (!it) return -1;
  size_t pad = (size_t)c - l.n;
  for (size_t i = 0; i < (size_t)c; i++)
    it[i] = from_end ? (i < pad ? UNDEF : l.items[i - pad])
                     : (i < l.n ? l.items[i] : UNDEF);
  *o = mklist(it, (size_t)c);
  return 0;
}

static int l_first(rs *r, tval l, const tval *a, int n, tval *o) {
  if (n < 1) {
    *o = l.n ? l.items[0] : UNDEF;
    return 0;
  }
  return take(r, l, (long)num_of(r, a[0]), 0, o);
}
static int l_last(rs *r, tval l, const tval *a, int n, tval *o) {
  if (n < 1) {
    *o = l.n ? l.items[l.n - 1] : UNDEF;
    return 0;
  }
  return take(r, l, (long)num_of(r, a[0]), 1, o);
}
static int l_reverse(rs *r, tval l, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  tval *it = ralloc(r, l.n * sizeof(tval));
  if (!it) return -1;
  for (size_t i = 0; i < l.n; i++)
    it[i] = l.items[l.n - 1 - i];
  *o = mklist(it, l.n);
  return 0;
}
static int l_join(rs *r, tval l, const tval *a, int n, tval *o) {
  tval sep = n > 0 ? as_str(r, a[0]) : mkstr(" ", 1);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (size_t i = 0; i < l.n; i++) {
    if (i) sqlitch_buf_addn(&b, sep.s, sep.len);
    if (to_buf(r, &b, 0, l.items[i])) {
      sqlitch_buf_free(&b);
      return SQLITCH_ERROR;
    }
  }
  *o = rstr(r, b.p ? b.p : "", b.len);
  sqlitch_buf_free(&b);
  return 0;
}

typedef struct sortkey {
  tval v;
  char *key; /* lower-cased string key */
  size_t len;
  double num;
  size_t pos;
} sortkey;

static int cmp_lc(const void *x, const void *y) {
  const sortkey *a = x, *b = y;
  size_t n = a->len < b->len ? a->len : b->len;
  int c = memcmp(a->key, b->key, n);
  if (!c) c = a->len < b->len ? -1 : a->len > b->len;
  return c ? c : (a->pos < b->pos ? -1 : 1);
}

static int cmp_num(const void *x, const void *y) {
  const sortkey *a = x, *b = y;
  if (a->num != b->num) return a->num < b->num ? -1 : 1;
  return a->pos < b->pos ? -1 : 1;
}

static int sort_list(rs *r, tval l, int numeric, tval *o) {
  if (l.n < 2) {
    *o = l;
    return 0;
  }
  sortkey *k = ralloc(r, l.n * sizeof *k);
  tval *it = ralloc(r, l.n * sizeof(tval));
  if (!k || !it) return -1;
  for (size_t i = 0; i < l.n; i++) {
    tval s = as_str(r, l.items[i]);
    tval low = map_case(r, s, 0, 0);
    k[i].v = l.items[i];
    k[i].key = (char *)(low.s ? low.s : "");
    k[i].len = low.len;
    k[i].num = num_of(r, s);
    k[i].pos = i;
  }
  if (r->failed) return -1;
  qsort(k, l.n, sizeof *k, numeric ? cmp_num : cmp_lc);
  for (size_t i = 0; i < l.n; i++)
    it[i] = k[i].v;
  *o = mklist(it, l.n);
  return 0;
}

static int l_sort(rs *r, tval l, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  return sort_list(r, l, 0, o);
}
static int l_nsort(rs *r, tval l, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  return sort_list(r, l, 1, o);
}

static int l_unique(rs *r, tval l, const tval *a, int n, tval *o) {
  (void)a;
  (void)n;
  vtable seen = {NULL, 0, 0};
  lbuild lb = {SQLITCH_BUF_INIT};
  for (size_t i = 0; i < l.n; i++) {
    tval s = as_str(r, l.items[i]);
    if (r->failed) break;
    if (vt_find(&seen, s.s ? s.s : "", s.len) &&
        memchr(s.s ? s.s : "", 0, s.len) == NULL)
      continue;
    vt_put(&seen, s.s ? s.s : "", TRUE_V);
    lb_push(&lb, l.items[i]);
  }
  free(seen.s);
  *o = lb_done(r, &lb);
  return r->failed ? -1 : 0;
}

static int l_grep(rs *r, tval l, const tval *a, int n, tval *o) {
  rx_match m;
  if (rx_open(r, n > 0 ? as_str(r, a[0]) : mkstr("", 0), &m)) return -1;
  lbuild lb = {SQLITCH_BUF_INIT};
  for (size_t i = 0; i < l.n; i++)
    if (rx_exec(&m, as_str(r, l.items[i]), 0, 0)) lb_push(&lb, l.items[i]);
  rx_close(&m);
  *o = lb_done(r, &lb);
  return 0;
}

static int l_merge(rs *r, tval l, const tval *a, int n, tval *o) {
  lbuild lb = {SQLITCH_BUF_INIT};
  for (size_t i = 0; i < l.n; i++)
    lb_push(&lb, l.items[i]);
  for (int j = 0; j < n; j++)
    if (a[j].k == V_LIST)
      for (size_t i = 0; i < a[j].n; i++)
        lb_push(&lb, a[j].items[i]);
  if (lb.b.len > MAX_MEM) {
    sqlitch_buf_free(&lb.b);
    return rfail(r, "undef error - template uses too much memory");
  }
  *o = lb_done(r, &lb);
  return 0;
}

static int l_slice(rs *r, tval l, const tval *a, int n, tval *o) {
  long from = n > 0 ? index_of(r, l, a[0]) : 0;
  long to = n > 1 ? index_of(r, l, a[1]) : (long)l.n - 1;
  if (from < 0) from = 0;
  if (to >= (long)l.n) to = (long)l.n - 1;
  *o = from > to ? mklist(l.items, 0)
                 : mklist(l.items + from, (size_t)(to - from + 1));
  return 0;
}

static const struct {
  const char *name;
  vmeth fn;
} list_methods[] = {
    {"size", l_size},     {"max", l_max},         {"empty", l_empty},
    {"item", l_item},     {"defined", l_defined}, {"list", l_list},
    {"first", l_first},   {"last", l_last},       {"reverse", l_reverse},
    {"join", l_join},     {"sort", l_sort},       {"nsort", l_nsort},
    {"unique", l_unique}, {"grep", l_grep},       {"merge", l_merge},
    {"slice", l_slice},
};

/* ------------------------------------------------------------ loop data */

static tval loop_field(rs *r, const loopv *lp, const char *k) {
  size_t i = lp->index, n = lp->n;
  static const char *const names[] = {"index", "count", "number", "first",
                                      "last",  "size",  "max",    "prev",
                                      "next",  "odd",   "even",   "parity"};
  size_t which = 0;
  while (which < sizeof names / sizeof names[0] && strcmp(names[which], k))
    which++;
  switch (which) {
  case 0: return num_val(r, (double)i);
  case 1:
  case 2: return num_val(r, (double)i + 1);
  case 3: return num_val(r, i == 0);
  case 4: return num_val(r, i + 1 == n);
  case 5: return num_val(r, (double)n);
  case 6: return num_val(r, (double)n - 1);
  case 7: return i > 0 ? lp->items[i - 1] : UNDEF;
  case 8: return i + 1 < n ? lp->items[i + 1] : UNDEF;
  case 9: return num_val(r, (i + 1) % 2);
  case 10: return num_val(r, (i + 1) % 2 == 0);
  case 11: return (i + 1) % 2 ? mkstr("odd", 3) : mkstr("even", 4);
  default: return UNDEF;
  }
}

/* ----------------------------------------------------------- evaluation */

static tval eval(rs *r, const expr *e);

static int is_index(const char *k) {
  if (*k == '-') k++;
  if (!*k) return 0;
  for (; *k; k++)
    if (!isdigit((unsigned char)*k)) return 0;
  return 1;
}

static tval call_method(rs *r, tval self, const char *k, const tval *args,
                        int nargs, int list) {
  tval o = UNDEF;
  if (list) {
    for (size_t i = 0; i < sizeof list_methods / sizeof list_methods[0]; i++)
      if (strcmp(list_methods[i].name, k) == 0) {
        if (list_methods[i].fn(r, self, args, nargs, &o)) return UNDEF;
        return o;
      }
    return UNDEF;
  }
  for (size_t i = 0; i < sizeof text_methods / sizeof text_methods[0]; i++)
    if (strcmp(text_methods[i].name, k) == 0) {
      if (text_methods[i].fn(r, self, args, nargs, &o)) return UNDEF;
      return o;
    }
  /* TT promotes a scalar to a one-item list for list methods. The list
     lives in the render's memory: a method may return it as it is (sort,
     unique, ... of one item), and the result outlives this call. */
  tval *one = ralloc(r, sizeof *one);
  if (!one) return UNDEF;
  one[0] = self;
  return call_method(r, mklist(one, 1), k, args, nargs, 1);
}

static tval dot(rs *r, tval v, const char *k, const tval *args, int nargs) {
  switch (v.k) {
  case V_LOOP: return loop_field(r, v.lp, k);
  case V_LIST:
    if (is_index(k)) {
      long i = strtol(k, NULL, 10);
      if (i < 0) i += (long)v.n;
      return i >= 0 && (size_t)i < v.n ? v.items[i] : UNDEF;
    }
    return call_method(r, v, k, args, nargs, 1);
  case V_STR: return call_method(r, v, k, args, nargs, 0);
  default: return UNDEF;
  }
}

static tval eval_var(rs *r, const expr *e) {
  tval v = UNDEF;
  const char *root = NULL;
  for (const seg *s = e->segs; s; s = s->next) {
    const char *k = s->name;
    if (!k) {
      tval kv = as_str(r, eval(r, s->key));
      if (r->failed) return UNDEF;
      k = kv.s ? kv.s : "";
    }
    if (s == e->segs) {
      root = k;
      slot *sl = vt_find(&r->vars, k, strlen(k));
      v = sl ? sl->v : UNDEF;
      continue;
    }
    tval args[MAX_ARGS];
    int nargs = 0;
    for (const expr *x = s->args; x; x = x->next) {
      tval a = eval(r, x);
      if (r->failed) return UNDEF;
      if (nargs < MAX_ARGS) args[nargs++] = a.k == V_UNDEF ? mkstr("", 0) : a;
    }
    tval self = v;
    v = dot(r, v, k, args, nargs);
    if (v.k == V_UNDEF || r->failed) return UNDEF;
    /* TT's trim and collapse edit the variable they are called on */
    if (s == e->segs->next && self.k == V_STR &&
        (strcmp(k, "trim") == 0 || strcmp(k, "collapse") == 0))
      vt_put(&r->vars, root, v);
  }
  return v;
}

static tval eval_arith(rs *r, const expr *e) {
  double a = num_of(r, eval(r, e->a)), b = num_of(r, eval(r, e->b));
  if (r->failed) return UNDEF;
  switch (e->op) {
  case T_PLUS: return num_val(r, a + b);
  case T_MINUS: return num_val(r, a - b);
  case T_STAR: return num_val(r, a * b);
  case T_SLASH:
    if (b == 0) {
      rfail(r, "undef error - Illegal division by zero");
      return UNDEF;
    }
    return num_val(r, a / b);
  case T_DIV:
    if (b == 0) {
      rfail(r, "undef error - Illegal division by zero");
      return UNDEF;
    }
    return num_val(r, trunc(a / b));
  default: { /* % and mod: Perl integer modulus, sign of the right side */
    if (fabs(a) >= 9e18 || fabs(b) >= 9e18) return num_val(r, fmod(a, b));
    long long x = (long long)a, y = (long long)b;
    if (y == 0) {
      rfail(r, "undef error - Illegal modulus zero");
      return UNDEF;
    }
    long long m = x % y;
    if (m && ((m < 0) != (y < 0))) m += y;
    return num_val(r, (double)m);
  }
  }
}

/* Perl's looks_like_number, for the range rule below. */
static int looks_numeric(tval v) {
  if (v.k != V_STR || !v.len) return 0;
  char *endp;
  const char *p = v.s;
  while (isspace((unsigned char)*p))
    p++;
  if (!*p || (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))) return 0;
  strtod(p, &endp);
  while (isspace((unsigned char)*endp))
    endp++;
  return endp != p && *endp == 0;
}

/* Perl's magic string increment ("az" -> "ba", "Zz" -> "AAa", "a9" ->
   "b0"); returns 0 when the string is not of the /^[a-zA-Z]*[0-9]*$/ kind
   (Perl would turn it into a number, ending a range). */
static int magic_inc(sqlitch_buf *b) {
  size_t i = 0;
  while (i < b->len && isalpha((unsigned char)b->p[i]))
    i++;
  while (i < b->len && isdigit((unsigned char)b->p[i]))
    i++;
  if (!b->len || i != b->len) return 0;
  for (size_t k = b->len; k-- > 0;) {
    char *c = &b->p[k];
    if (*c == 'z')
      *c = 'a';
    else if (*c == 'Z')
      *c = 'A';
    else if (*c == '9')
      *c = '0';
    else {
      (*c)++;
      return 1;
    }
  }
  char first = b->p[0] == 'a' ? 'a' : b->p[0] == 'A' ? 'A' : '1';
  sqlitch_buf_addc(b, ' ');
  memmove(b->p + 1, b->p, b->len - 1);
  b->p[0] = first;
  return 1;
}

/* [a..b]: numeric when either side is a number or both look like numbers
   (and a does not start with "0"), else Perl's string range. */
static void eval_range(rs *r, const expr *e, lbuild *lb) {
  tval x = eval(r, e->a), y = eval(r, e->b);
  if (r->failed) return;
  if (x.num || y.num ||
      (looks_numeric(x) && x.s[0] != '0' && looks_numeric(y))) {
    double a = num_of(r, x), b = num_of(r, y);
    if (isnan(a) || isnan(b) || fabs(a) > 1e15 || fabs(b) > 1e15) return;
    long long from = (long long)a, to = (long long)b;
    if (to >= from && to - from >= MAX_RANGE) {
      rfail(r, "undef error - range [%lld..%lld] is too large", from, to);
      return;
    }
    for (long long i = from; i <= to; i++)
      lb_push(lb, num_val(r, (double)i));
    return;
  }
  tval xs = as_str(r, x), ys = as_str(r, y);
  sqlitch_buf cur = SQLITCH_BUF_INIT;
  sqlitch_buf_addn(&cur, xs.s ? xs.s : "", xs.len);
  for (long n = 0; cur.len <= ys.len && !r->failed; n++) {
    if (n >= MAX_RANGE) {
      rfail(r, "undef error - range is too large");
      break;
    }
    lb_push(lb, rstr(r, cur.p ? cur.p : "", cur.len));
    if (cur.len == ys.len &&
        (cur.len == 0 || memcmp(cur.p, ys.s, cur.len) == 0))
      break;
    if (!magic_inc(&cur)) break;
  }
  sqlitch_buf_free(&cur);
}

static tval eval(rs *r, const expr *e) {
  if (r->failed) return UNDEF;
  switch (e->kind) {
  case E_STR: {
    tval v = mkstr(e->s, e->len);
    v.num = e->op;
    return v;
  }
  case E_VAR: return eval_var(r, e);
  case E_ISTR: {
    sqlitch_buf b = SQLITCH_BUF_INIT;
    for (const ipart *p = e->parts; p; p = p->next) {
      if (p->text)
        sqlitch_buf_addn(&b, p->text, p->len);
      else
        to_buf(r, &b, 0, eval(r, p->var));
    }
    tval v = rstr(r, b.p ? b.p : "", b.len);
    sqlitch_buf_free(&b);
    return v;
  }
  case E_LIST: {
    lbuild lb = {SQLITCH_BUF_INIT};
    for (const expr *x = e->a; x && !r->failed; x = x->next) {
      if (x->kind == E_RANGE)
        eval_range(r, x, &lb);
      else
        lb_push(&lb, eval(r, x));
      if (lb.b.len > MAX_MEM)
        rfail(r, "undef error - template uses too much memory");
    }
    if (r->failed) {
      sqlitch_buf_free(&lb.b);
      return UNDEF;
    }
    return lb_done(r, &lb);
  }
  case E_RANGE: return UNDEF;
  case E_NOT: return truthy(eval(r, e->a)) ? FALSE_V : TRUE_V;
  case E_AND: {
    tval a = eval(r, e->a);
    return truthy(a) ? eval(r, e->b) : a;
  }
  case E_OR: {
    tval a = eval(r, e->a);
    return truthy(a) ? a : eval(r, e->b);
  }
  case E_CMP: {
    tval a = eval(r, e->a), b = eval(r, e->b);
    int res;
    if (e->op == C_EQ || e->op == C_NE) {
      res = str_eq(as_str(r, a), as_str(r, b));
      if (e->op == C_NE) res = !res;
    } else {
      double x = num_of(r, a), y = num_of(r, b);
      res = e->op == C_LT   ? x < y
            : e->op == C_GT ? x > y
            : e->op == C_LE ? x <= y
                            : x >= y;
    }
    return res ? TRUE_V : FALSE_V;
  }
  case E_CAT: {
    tval a = as_str(r, eval(r, e->a)), b = as_str(r, eval(r, e->b));
    if (r->failed) return UNDEF;
    char *p = ralloc(r, a.len + b.len + 1);
    if (!p) return UNDEF;
    if (a.len) memcpy(p, a.s, a.len);
    if (b.len) memcpy(p + a.len, b.s, b.len);
    p[a.len + b.len] = 0;
    return mkstr(p, a.len + b.len);
  }
  case E_ARITH: return eval_arith(r, e);
  case E_TERN: return truthy(eval(r, e->a)) ? eval(r, e->b) : eval(r, e->c);
  default: return UNDEF;
  }
}

/* ------------------------------------------------------------- filters */

static tval apply_filter(rs *r, const filt *f, tval v) {
  tval args[MAX_ARGS];
  int nargs = 0;
  for (const expr *x = f->args; x; x = x->next) {
    tval a = eval(r, x);
    if (nargs < MAX_ARGS) args[nargs++] = a.k == V_UNDEF ? mkstr("", 0) : a;
  }
  if (r->failed) return UNDEF;
  if (strcmp(f->name, "null") == 0) return mkstr("", 0);
  static const char *const names[] = {
      "upper", "lower", "ucfirst", "lcfirst", "trim",  "collapse",
      "html",  "xml",   "replace", "remove",  "repeat"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(names[i], f->name) == 0)
      return call_method(r, as_str(r, v), f->name, args, nargs, 0);
  rfail(r, "undef error - %s: filter not found", f->name);
  return UNDEF;
}

/* ------------------------------------------------------------- execute */

static int step(rs *r) {
  if (++r->steps > MAX_STEPS)
    return rfail(r, "undef error - template runs too long");
  if (r->out->len - r->out0 > MAX_OUTPUT)
    return rfail(r, "undef error - template output too large");
  return 0;
}

static int exec_nodes(rs *r, const node *n);

static int exec_for(rs *r, const node *n) {
  tval list = eval(r, n->e);
  if (r->failed) return -1;
  const tval *items;
  size_t count;
  tval one[1];
  if (list.k == V_UNDEF) return 0;
  if (list.k == V_LIST) {
    items = list.items;
    count = list.n;
  } else {
    one[0] = list;
    items = one;
    count = 1;
  }
  slot *old = vt_find(&r->vars, "loop", 4);
  tval saved = old ? old->v : UNDEF;
  loopv *lp = ralloc(r, sizeof *lp);
  if (!lp) return -1;
  lp->items = items;
  lp->n = count;
  tval lv = UNDEF;
  lv.k = V_LOOP;
  lv.lp = lp;
  int rc = 0;
  for (size_t i = 0; i < count; i++) {
    if ((rc = step(r))) break;
    lp->index = i;
    vt_put(&r->vars, "loop", lv);
    if (n->name) vt_put(&r->vars, n->name, items[i]);
    if ((rc = exec_nodes(r, n->body))) break;
    if (r->ctl == CTL_NEXT) r->ctl = CTL_NONE;
    if (r->ctl == CTL_LAST) {
      r->ctl = CTL_NONE;
      break;
    }
    if (r->ctl == CTL_STOP) break;
  }
  vt_put(&r->vars, "loop", saved);
  return rc;
}

static int exec_nodes(rs *r, const node *n) {
  for (; n; n = n->next) {
    if (r->ctl != CTL_NONE) return 0;
    if (step(r)) return -1;
    switch (n->kind) {
    case N_TEXT: sqlitch_buf_addn(r->out, n->text, n->len); break;
    case N_OUT: {
      tval v = eval(r, n->e);
      for (const filt *f = n->filters; f && !r->failed; f = f->next)
        v = apply_filter(r, f, v);
      if (!r->failed) to_buf(r, r->out, r->out0, v);
      break;
    }
    case N_CALL: eval(r, n->e); break;
    case N_SET: vt_put(&r->vars, n->name, eval(r, n->e)); break;
    case N_DEFAULT: {
      slot *s = vt_find(&r->vars, n->name, strlen(n->name));
      if (!s || !truthy(s->v)) vt_put(&r->vars, n->name, eval(r, n->e));
      break;
    }
    case N_IF:
      if (truthy(eval(r, n->e))) {
        if (exec_nodes(r, n->body)) return -1;
      } else if (exec_nodes(r, n->alt)) {
        return -1;
      }
      break;
    case N_FOR:
      if (exec_for(r, n)) return -1;
      break;
    case N_LAST: r->ctl = CTL_LAST; break;
    case N_NEXT: r->ctl = CTL_NEXT; break;
    case N_STOP: r->ctl = CTL_STOP; break;
    case N_CLEAR: sqlitch_buf_truncate(r->out, r->out0); break;
    default: break;
    }
    if (r->failed) return -1;
  }
  return 0;
}

int sqlitch_tmpl_render(const sqlitch_tmpl *t, const sqlitch_tmpl_vars *vars,
                        sqlitch_buf *out, sqlitch_err *err) {
  rs r;
  memset(&r, 0, sizeof r);
  r.a = sqlitch_arena_new();
  r.out = out;
  r.out0 = out->len;
  r.err = err;
  if (vars)
    for (size_t i = 0; i < vars->t.cap; i++)
      if (vars->t.s[i].name) vt_put(&r.vars, vars->t.s[i].name, vars->t.s[i].v);
  sqlitch_buf_addn(out, "", 0); /* out->p is valid even when empty */
  int rc = exec_nodes(&r, t->root) ? SQLITCH_ERROR : SQLITCH_OK;
  free(r.vars.s);
  sqlitch_arena_free(r.a);
  return rc;
}

int sqlitch_tmpl_process(const char *src, size_t len,
                         const sqlitch_tmpl_vars *vars, sqlitch_buf *out,
                         sqlitch_err *err) {
  sqlitch_tmpl *t;
  if (sqlitch_tmpl_compile(src, len, &t, err)) return SQLITCH_ERROR;
  int rc = sqlitch_tmpl_render(t, vars, out, err);
  sqlitch_tmpl_free(t);
  return rc;
}

/* ============================================================= discovery */

/* Debian's /etc/sqitch/templates/{deploy,revert,verify}/{sqlite,pg,mysql}.tmpl
   (the three engines share the same bytes). */
static const char builtin_deploy[] =
    "-- Deploy [% project %]:[% change %] to [% engine %]\n"
    "[% FOREACH item IN requires -%]\n"
    "-- requires: [% item %]\n"
    "[% END -%]\n"
    "[% FOREACH item IN conflicts -%]\n"
    "-- conflicts: [% item %]\n"
    "[% END -%]\n"
    "\n"
    "BEGIN;\n"
    "\n"
    "-- XXX Add DDLs here.\n"
    "\n"
    "COMMIT;\n";

static const char builtin_revert[] =
    "-- Revert [% project %]:[% change %] from [% engine %]\n"
    "\n"
    "BEGIN;\n"
    "\n"
    "-- XXX Add DDLs here.\n"
    "\n"
    "COMMIT;\n";

static const char builtin_verify[] =
    "-- Verify [% project %]:[% change %] on [% engine %]\n"
    "\n"
    "BEGIN;\n"
    "\n"
    "-- XXX Add verifications here.\n"
    "\n"
    "ROLLBACK;\n";

static const struct {
  const char *script;
  const char *src;
} builtins[] = {
    {"deploy", builtin_deploy},
    {"revert", builtin_revert},
    {"verify", builtin_verify},
};

static const char *const builtin_names[] = {"sqlite", "pg", "mysql"};

const char *sqlitch_tmpl_builtin(const char *script, const char *name) {
  size_t i;
  if (!script || !name) return NULL;
  for (i = 0; i < sizeof builtin_names / sizeof builtin_names[0]; i++)
    if (strcmp(builtin_names[i], name) == 0) break;
  if (i == sizeof builtin_names / sizeof builtin_names[0]) return NULL;
  for (i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
    if (strcmp(builtins[i].script, script) == 0) return builtins[i].src;
  return NULL;
}

static sqlitch_tmpl_entry *set_slot(sqlitch_tmpl_set *s, const char *script) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->v[i].script, script) == 0) return &s->v[i];
  sqlitch_tmpl_entry e = {sqlitch_strdup(script), NULL, NULL};
  sqlitch_buf_addn(&s->mem, (const char *)&e, sizeof e);
  s->v = (sqlitch_tmpl_entry *)s->mem.p;
  return &s->v[s->n++];
}

static void set_put(sqlitch_tmpl_set *s, const char *script, const char *path,
                    const char *builtin) {
  sqlitch_tmpl_entry *e = set_slot(s, script);
  free(e->path);
  e->path = sqlitch_strdup(path);
  e->builtin = builtin;
}

void sqlitch_tmpl_set_free(sqlitch_tmpl_set *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n; i++) {
    free(s->v[i].script);
    free(s->v[i].path);
  }
  sqlitch_buf_free(&s->mem);
  s->v = NULL;
  s->n = 0;
}

const sqlitch_tmpl_entry *sqlitch_tmpl_set_get(const sqlitch_tmpl_set *s,
                                               const char *script) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->v[i].script, script) == 0) return &s->v[i];
  return NULL;
}

static int check_template(const char *path, sqlitch_err *err) {
  if (!sqlitch_path_exists(path))
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                           "Template %s does not exist", path);
  if (!sqlitch_is_file(path))
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                           "Template %s is not a file", path);
  return SQLITCH_OK;
}

int sqlitch_tmpl_configured(const sqlitch_config *cfg, const sqlitch_strv *use,
                            sqlitch_tmpl_set *out, sqlitch_err *err) {
  sqlitch_config_entry *ents = NULL;
  size_t n = cfg ? sqlitch_config_section(cfg, "add.templates", &ents) : 0;
  int rc = SQLITCH_OK;
  for (size_t i = 0; i < n && rc == SQLITCH_OK; i++) {
    const char *name =
        strrchr(ents[i].orig_key ? ents[i].orig_key : ents[i].key, '.');
    char *path = sqlitch_path_clean(ents[i].value ? ents[i].value : "");
    rc = check_template(path, err);
    if (rc == SQLITCH_OK)
      set_put(out, name ? name + 1 : ents[i].key, path, NULL);
    free(path);
  }
  free(ents);
  for (size_t i = 0; use && i < use->n && rc == SQLITCH_OK; i++) {
    const char *eq = strchr(use->v[i], '=');
    if (!eq) continue;
    char *script = sqlitch_strndup(use->v[i], (size_t)(eq - use->v[i]));
    char *path = sqlitch_path_clean(eq + 1);
    rc = check_template(path, err);
    if (rc == SQLITCH_OK) set_put(out, script, path, NULL);
    free(script);
    free(path);
  }
  return rc;
}

int sqlitch_tmpl_check_dir(const char *dir, sqlitch_err *err) {
  char *d = sqlitch_path_clean(dir);
  int rc = SQLITCH_OK;
  if (!sqlitch_path_exists(d))
    rc = sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                         "Directory \"%s\" does not exist", d);
  else if (!sqlitch_is_dir(d))
    rc = sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                         "\"%s\" is not a directory", d);
  free(d);
  return rc;
}

static int cmp_entry(const void *a, const void *b) {
  return strcmp(((const sqlitch_tmpl_entry *)a)->script,
                ((const sqlitch_tmpl_entry *)b)->script);
}

int sqlitch_tmpl_discover(const sqlitch_tmpl_set *configured,
                          const char *const *dirs, size_t ndirs,
                          const char *name, const sqlitch_strv *without,
                          sqlitch_tmpl_set *out, sqlitch_err *err) {
  sqlitch_tmpl_set all = SQLITCH_TMPL_SET_INIT;
  for (size_t i = 0; configured && i < configured->n; i++)
    set_put(&all, configured->v[i].script, configured->v[i].path,
            configured->v[i].builtin);
  char *file = sqlitch_mprintf("%s.tmpl", name);
  for (size_t d = 0; d < ndirs; d++) {
    if (!dirs[d] || !sqlitch_is_dir(dirs[d])) continue;
    DIR *dh = opendir(dirs[d]);
    if (!dh) continue;
    sqlitch_strv subs = SQLITCH_STRV_INIT;
    struct dirent *de;
    while ((de = readdir(dh)))
      if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
        sqlitch_strv_push(&subs, de->d_name);
    closedir(dh);
    for (size_t i = 0; i < subs.n; i++) {
      if (sqlitch_tmpl_set_get(&all, subs.v[i])) continue;
      char *sub = sqlitch_path_join(dirs[d], subs.v[i]);
      char *path = sqlitch_path_join(sub, file);
      if (sqlitch_is_dir(sub) && sqlitch_is_file(path))
        set_put(&all, subs.v[i], path, NULL);
      free(sub);
      free(path);
    }
    sqlitch_strv_free(&subs);
  }
  free(file);
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
    const char *src = sqlitch_tmpl_builtin(builtins[i].script, name);
    if (src && !sqlitch_tmpl_set_get(&all, builtins[i].script))
      set_put(&all, builtins[i].script, NULL, src);
  }
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
    const char *script = builtins[i].script;
    if (!sqlitch_tmpl_set_get(&all, script) &&
        !(without && sqlitch_strv_contains(without, script))) {
      sqlitch_tmpl_set_free(&all);
      return sqlitch_err_fail(err, "Cannot find %s template", script);
    }
  }
  for (size_t i = 0; i < all.n; i++) {
    if (without && sqlitch_strv_contains(without, all.v[i].script)) continue;
    set_put(out, all.v[i].script, all.v[i].path, all.v[i].builtin);
  }
  sqlitch_tmpl_set_free(&all);
  if (out->n > 1) qsort(out->v, out->n, sizeof *out->v, cmp_entry);
  return SQLITCH_OK;
}

int sqlitch_tmpl_entry_source(const sqlitch_tmpl_entry *e, char **data,
                              size_t *len, sqlitch_err *err) {
  if (!e->path) {
    *data = sqlitch_strdup(e->builtin ? e->builtin : "");
    if (len) *len = strlen(*data);
    return SQLITCH_OK;
  }
  if (sqlitch_read_file(e->path, data, len, NULL) == SQLITCH_OK)
    return SQLITCH_OK;
  return sqlitch_err_fail(err, "Cannot open %s: %s", e->path, strerror(errno));
}
