/*
** config.c -- reading Sqitch configuration (see config.h for the contract).
**
** What is here:
**   - the git-config parser, a faithful port of Config::GitLike 1.18's
**     parse_content (non-"compatible" mode), quirks included: runs of
**     blanks in values become one space, unquoted "#"/";" only start a
**     comment at a token boundary, quoted strings may span lines, "\"" is
**     kept inside quotes, "[a \"0\"]" is section "a", error line numbers
**     are one too high (Sqitch's), and so on;
**   - the merged view: a hash map from canonical key to its values, with
**     GitLike's rule that a key defined again in a *different* file
**     replaces all earlier values, and include.path support;
**   - the file paths of the three scopes, the local-file search (with the
**     sqitch.conf / sqlitch.conf compat pair), user identity, editor and
**     pager.
**
**   sqlitch_config *c = sqlitch_config_new();
**   if (sqlitch_config_load(c, &err) == SQLITCH_OK) {
**     const char *e = sqlitch_config_get(c, "core.engine");
**     char *name = sqlitch_user_name(c, &err);
**     ...
**   }
**   sqlitch_config_free(c);
**
** Loading is linear in the size of the files: one pass of the parser, one
** hash insert per item, one sort when a sorted view is asked for.
*/
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wctype.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#ifndef SQLITCH_SYSCONFDIR
#define SQLITCH_SYSCONFDIR "/etc/sqitch"
#endif

#define CONFNAME "sqitch.conf"
#define COMPAT_CONFNAME "sqlitch.conf"
#define MAX_INCLUDE_DEPTH 10

/* ------------------------------------------------------ Perl text rules */

static size_t perl_space(const char *p, const char *end);

size_t sqlitch_config_space(const char *p, const char *end) {
  return perl_space(p, end);
}

/* Length of the Perl \s character (Unicode White_Space) at p, or 0. */
static size_t perl_space(const char *p, const char *end) {
  const unsigned char *u = (const unsigned char *)p;
  size_t left = (size_t)(end - p);
  if (left == 0) return 0;
  if (u[0] == ' ' || (u[0] >= 0x09 && u[0] <= 0x0d)) return 1;
  if (u[0] < 0xc2) return 0;
  if (u[0] == 0xc2 && left >= 2 && (u[1] == 0x85 || u[1] == 0xa0)) return 2;
  if (left < 3) return 0;
  if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80) return 3;
  if (u[0] == 0xe2 && u[1] == 0x80 &&
      ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 || u[2] == 0xa9 ||
       u[2] == 0xaf))
    return 3;
  if (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) return 3;
  if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) return 3;
  return 0;
}

static int blank(char ch) { return ch == ' ' || ch == '\t'; }

static locale_t utf8_locale(void) {
  static int tried;
  static locale_t loc;
  if (!tried) {
    tried = 1;
    loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
  }
  return loc;
}

static void utf8_put(sqlitch_buf *b, uint32_t c) {
  char o[4];
  size_t n;
  if (c < 0x80) {
    o[0] = (char)c;
    n = 1;
  } else if (c < 0x800) {
    o[0] = (char)(0xc0 | (c >> 6));
    o[1] = (char)(0x80 | (c & 0x3f));
    n = 2;
  } else if (c < 0x10000) {
    o[0] = (char)(0xe0 | (c >> 12));
    o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
    o[2] = (char)(0x80 | (c & 0x3f));
    n = 3;
  } else {
    o[0] = (char)(0xf0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    o[3] = (char)(0x80 | (c & 0x3f));
    n = 4;
  }
  sqlitch_buf_addn(b, o, n);
}

void sqlitch_config_lc(sqlitch_buf *b, const char *s, size_t n) {
  const char *p = s, *end = s + n;
  sqlitch_buf_grow(b, n);
  while (p < end) {
    unsigned char ch = (unsigned char)*p;
    if (ch < 0x80) {
      sqlitch_buf_addc(b, (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch));
      p++;
      continue;
    }
    const char *q = p;
    int32_t cp = sqlitch_utf8_decode(&q, end);
    locale_t loc = utf8_locale();
    if (cp == 0x130) { /* the one multi-character lower case (Perl's lc) */
      sqlitch_buf_add(b, "i\xcc\x87");
    } else if (cp < 0 || loc == (locale_t)0) {
      sqlitch_buf_addn(b, p, (size_t)(q - p));
    } else {
      wint_t lo = towlower_l((wint_t)cp, loc);
      utf8_put(b, (uint32_t)lo);
    }
    p = q;
  }
}

static char *lc_dup(const char *s, size_t n) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_config_lc(&b, s, n);
  sqlitch_buf_addn(&b, "", 0);
  return sqlitch_buf_take(&b);
}

/* ------------------------------------------------------------- reading */

int sqlitch_config_read_text(const char *path, char **text, size_t *len,
                             const char **newline) {
  struct stat st;
  char *data;
  size_t n;
  sqlitch_err e = SQLITCH_ERR_INIT;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, R_OK) != 0)
    return 0;
  if (sqlitch_read_file(path, &data, &n, &e)) {
    sqlitch_err_clear(&e);
    return 0;
  }
  const char *nl = "\n";
  if (memmem(data, n, "\r\n", 2)) {
    size_t w = 0;
    for (size_t r = 0; r < n; r++) {
      if (data[r] == '\r' && r + 1 < n && data[r + 1] == '\n') continue;
      data[w++] = data[r];
    }
    n = w;
    nl = "\r\n";
  } else if (!memchr(data, '\n', n) && memchr(data, '\r', n)) {
    for (size_t r = 0; r < n; r++)
      if (data[r] == '\r') data[r] = '\n';
    nl = "\r";
  }
  /* s/\n*$/\n/: trailing newlines collapse into one (one is added). */
  while (n > 0 && data[n - 1] == '\n')
    n--;
  data = sqlitch_realloc(data, n + 2);
  data[n++] = '\n';
  data[n] = 0;
  *text = data;
  *len = n;
  if (newline) *newline = nl;
  return 1;
}

/* ------------------------------------------------------------- parsing */

typedef struct parser {
  const char *c;
  size_t len;
  const char *filename;
  sqlitch_config_item_fn fn;
  void *ctx;
  sqlitch_buf section, name, value;
  int have_section;
} parser;

/* GitLike's error_callback: the line number is one too high (sic). */
static int parse_error(parser *p, size_t offset, sqlitch_err *err) {
  size_t ls = offset, le = offset;
  int line = 1;
  while (ls > 0 && p->c[ls - 1] != '\n')
    ls--;
  while (le < p->len && p->c[le] != '\n')
    le++;
  for (size_t i = 0; i < ls; i++)
    if (p->c[i] == '\n') line++;
  line++;
  size_t pos = 0;
  for (size_t i = ls; i < offset; i++)
    if (((unsigned char)p->c[i] & 0xc0) != 0x80) pos++;
  sqlitch_err_set(err, SQLITCH_E_PARSE, 255,
                  "Error parsing %s at line %d, position %zu.\n"
                  "Bad line was: '%.*s'",
                  p->filename ? p->filename : "", line, pos, (int)(le - ls),
                  p->c + ls);
  sqlitch_err_at(err, p->filename, line - 1);
  return SQLITCH_ERROR;
}

static size_t line_end(const parser *p, size_t i) {
  const char *nl = memchr(p->c + i, '\n', p->len - i);
  return nl ? (size_t)(nl - p->c) : p->len;
}

/* Replace every two-byte sequence `from` by `to` (0 = drop), left to right,
   as Perl's s/\\x/y/g does. */
static void subst2(sqlitch_buf *b, char a, char z, int to) {
  size_t w = 0;
  for (size_t r = 0; r < b->len; r++) {
    if (r + 1 < b->len && b->p[r] == a && b->p[r + 1] == z) {
      if (to) b->p[w++] = (char)to;
      r++;
    } else {
      b->p[w++] = b->p[r];
    }
  }
  sqlitch_buf_truncate(b, w);
}

/* A quoted value segment starting at c[i] == '"'. Returns the index after
   the closing quote, or 0 when the segment does not parse. */
static size_t quoted(const parser *p, size_t i, sqlitch_buf *out) {
  size_t j = i + 1;
  while (j < p->len) {
    char ch = p->c[j];
    if (ch == '"') break;
    if (ch == '\\') {
      if (j + 1 < p->len && p->c[j + 1] && strchr("\ntbn\"\\", p->c[j + 1]))
        j += 2;
      else
        return 0;
    } else {
      j++;
    }
  }
  if (j >= p->len) return 0;
  sqlitch_buf v = SQLITCH_BUF_INIT;
  sqlitch_buf_addn(&v, p->c + i + 1, j - i - 1);
  subst2(&v, '\\', '\n', 0);
  subst2(&v, '\\', 'n', '\n');
  subst2(&v, '\\', 't', '\t');
  subst2(&v, '\\', 'b', '\b');
  subst2(&v, '\\', '\\', '\\');
  sqlitch_buf_addn(out, v.p ? v.p : "", v.len);
  sqlitch_buf_free(&v);
  return j + 1;
}

/* Parse the value after "key =" starting at i; returns the end index, or
   (size_t)-1 on a syntax error. */
static size_t parse_value(parser *p, size_t i) {
  const char *c = p->c;
  size_t n = p->len;
  sqlitch_buf_reset(&p->value);
  sqlitch_buf_addn(&p->value, "", 0);
  for (;;) {
    if (i >= n || c[i] == '\n') return i;
    size_t q = i;
    while (q < n && blank(c[q]))
      q++;
    if (q < n && (c[q] == '#' || c[q] == ';')) return line_end(p, q);
    if (blank(c[i])) {
      sqlitch_buf_addc(&p->value, ' ');
      i = q;
      continue;
    }
    if (c[i] == '\\') {
      char nx = i + 1 < n ? c[i + 1] : 0;
      if (nx == '\n') {
        i += 2;
      } else if (nx == '\r' && i + 2 < n && c[i + 2] == '\n') {
        i += 3;
      } else if (nx == '\\' || nx == '\'' || nx == '"') {
        sqlitch_buf_addc(&p->value, nx);
        i += 2;
      } else if (nx == 'n') {
        sqlitch_buf_addc(&p->value, '\n');
        i += 2;
      } else if (nx == 't') {
        sqlitch_buf_addc(&p->value, '\t');
        i += 2;
      } else if (nx == 'b') {
        sqlitch_buf_addc(&p->value, '\b');
        i += 2;
      } else {
        return (size_t)-1;
      }
      continue;
    }
    if (c[i] == '"') {
      size_t e = quoted(p, i, &p->value);
      if (!e) return (size_t)-1;
      i = e;
      continue;
    }
    size_t e = i;
    while (e < n && !blank(c[e]) && c[e] != '\\' && c[e] != '\n' && c[e] != '"')
      e++;
    sqlitch_buf_addn(&p->value, c + i, e - i);
    i = e;
  }
}

static int emit_item(parser *p, const char *name, const char *value,
                     size_t offset, size_t end, sqlitch_err *err) {
  sqlitch_config_item it;
  it.section = sqlitch_buf_str(&p->section);
  it.name = name;
  it.value = value;
  it.offset = offset;
  it.length = end - offset;
  return p->fn ? p->fn(p->ctx, &it, err) : SQLITCH_OK;
}

/* "[name]" or "[name "sub"]" at i; returns the end or 0 if no match. */
static size_t section_header(parser *p, size_t i, sqlitch_err *err, int *bad) {
  const char *c = p->c;
  size_t n = p->len, s = i + 1, e = s;
  *bad = 0;
  while (e < n && c[e] != '[' && c[e] != ']' && c[e] != '"' &&
         !perl_space(c + e, c + n))
    e++;
  if (e == s) return 0;
  size_t k = e, sub_s = 0, sub_e = 0, end = 0;
  while (k < n && blank(c[k]))
    k++;
  if (k < n && c[k] == '"') {
    for (size_t j = k + 1; j + 1 < n && c[j] != '\n'; j++)
      if (c[j] == '"' && c[j + 1] == ']') {
        sub_s = k + 1;
        sub_e = j;
        end = j + 2;
        break;
      }
  }
  if (!end) {
    if (e < n && c[e] == ']')
      end = e + 1;
    else
      return 0;
  }
  sqlitch_buf_reset(&p->section);
  sqlitch_config_lc(&p->section, c + s, e - s);
  size_t sl = sub_e - sub_s;
  /* if ($2): an empty or "0" subsection is ignored. */
  if (sub_s && sl > 0 && !(sl == 1 && c[sub_s] == '0')) {
    sqlitch_buf sub = SQLITCH_BUF_INIT;
    sqlitch_buf_addn(&sub, c + sub_s, sl);
    sqlitch_buf chk = SQLITCH_BUF_INIT;
    sqlitch_buf_addn(&chk, sub.p, sub.len);
    subst2(&chk, '\\', '\\', 0);
    subst2(&chk, '\\', '"', 0);
    int wrong = memchr(chk.p, '\\', chk.len) || memchr(chk.p, '"', chk.len);
    sqlitch_buf_free(&chk);
    if (wrong) {
      sqlitch_buf_free(&sub);
      *bad = 1;
      return parse_error(p, i, err), 0;
    }
    subst2(&sub, '\\', '\\', '\\');
    subst2(&sub, '\\', '"', '"');
    sqlitch_buf_addc(&p->section, '.');
    sqlitch_buf_addn(&p->section, sub.p, sub.len);
    sqlitch_buf_free(&sub);
  }
  sqlitch_buf_addn(&p->section, "", 0);
  p->have_section = 1;
  return end;
}

int sqlitch_config_parse(const char *content, size_t len, const char *filename,
                         sqlitch_config_item_fn fn, void *ctx,
                         sqlitch_err *err) {
  parser P, *p = &P;
  int rc = SQLITCH_OK;
  memset(p, 0, sizeof P);
  p->c = content;
  p->len = len;
  p->filename = filename;
  p->fn = fn;
  p->ctx = ctx;
  const char *c = content;
  size_t i = 0, n = len;
  while (rc == SQLITCH_OK) {
    size_t w;
    while (i < n && (w = perl_space(c + i, c + n)) > 0)
      i += w;
    if (i >= n) break;
    size_t off = i;
    if (c[i] == '#' || c[i] == ';') {
      i = line_end(p, i);
      continue;
    }
    if (c[i] == '[') {
      int bad;
      size_t e = section_header(p, i, err, &bad);
      if (bad) {
        rc = SQLITCH_ERROR;
        break;
      }
      if (e) {
        rc = emit_item(p, NULL, NULL, off, e, err);
        i = e;
        continue;
      }
      rc = parse_error(p, off, err);
      break;
    }
    if (c[i] == '=') {
      rc = parse_error(p, off, err);
      break;
    }
    size_t le = line_end(p, i);
    const char *eqp = memchr(c + i, '=', le - i);
    size_t eq = eqp ? (size_t)(eqp - c) : le;
    /* key regex: the shortest key followed by blanks and then the end of
       the line or a comment */
    size_t key_end = 0, item_end = 0, q = 0;
    for (size_t k = i + 1; k <= eq; k++) {
      if (k > q) {
        q = k;
        while (q < le && blank(c[q]))
          q++;
      }
      if (q == le || c[q] == '#' || c[q] == ';') {
        key_end = k;
        item_end = q == le ? q : le;
        break;
      }
    }
    if (key_end) {
      if (!p->have_section) {
        rc = parse_error(p, off, err);
        break;
      }
      sqlitch_buf_reset(&p->name);
      sqlitch_buf_addn(&p->name, c + i, key_end - i);
      rc = emit_item(p, sqlitch_buf_str(&p->name), NULL, off, item_end, err);
      i = item_end;
      continue;
    }
    if (eq < le) {
      if (!p->have_section) {
        rc = parse_error(p, off, err);
        break;
      }
      size_t ke = eq;
      while (ke > i + 1 && blank(c[ke - 1]))
        ke--;
      sqlitch_buf_reset(&p->name);
      sqlitch_buf_addn(&p->name, c + i, ke - i);
      size_t v = eq + 1;
      while (v < n && blank(c[v]))
        v++;
      size_t e = parse_value(p, v);
      if (e == (size_t)-1) {
        rc = parse_error(p, off, err);
        break;
      }
      rc = emit_item(p, sqlitch_buf_str(&p->name), sqlitch_buf_str(&p->value),
                     off, e, err);
      i = e;
      continue;
    }
    rc = parse_error(p, off, err);
  }
  sqlitch_buf_free(&p->section);
  sqlitch_buf_free(&p->name);
  sqlitch_buf_free(&p->value);
  return rc;
}

/* ------------------------------------------------------------- keys */

static char *remove_balanced_quotes(const char *s);

/* One pass of _remove_balanced_quotes for quote character q. */
static char *rbq_pass(const char *s, char q) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  size_t i = 0, n = strlen(s);
  sqlitch_buf_addn(&b, "", 0);
  while (i < n) {
    size_t e = 0;
    if (s[i] == q) {
      const char *z = memchr(s + i + 1, q, n - i - 1);
      if (z && z > s + i + 1) e = (size_t)(z - s) + 1;
    }
    if (!e) {
      if (s[i] == '.') {
        sqlitch_buf_addc(&b, '.');
        i++;
        continue;
      }
      e = i;
      while (e < n && s[e] != '.')
        e++;
    }
    const char *f = memchr(s + i, q, e - i);
    const char *l = f ? memrchr(s + i, q, e - i) : NULL;
    if (f && l > f) {
      sqlitch_buf_addn(&b, s + i, (size_t)(f - (s + i)));
      sqlitch_buf_addn(&b, f + 1, (size_t)(l - f - 1));
      sqlitch_buf_addn(&b, l + 1, (size_t)(s + e - l - 1));
    } else {
      sqlitch_buf_addn(&b, s + i, e - i);
    }
    i = e;
  }
  return sqlitch_buf_take(&b);
}

char *sqlitch_config_unquote(const char *s) {
  return remove_balanced_quotes(s);
}

static char *remove_balanced_quotes(const char *s) {
  char *a = rbq_pass(s, '"');
  char *b = rbq_pass(a, '\'');
  free(a);
  return b;
}

int sqlitch_config_split_key(const char *key, char **section, char **sub,
                             char **name) {
  size_t n = strlen(key), qi = 0;
  int quoted_name = 0;
  char *sec, *nm;
  *section = *sub = *name = NULL;
  /* s/\.["'](.*)["']$//: a quoted name may contain dots */
  if (n >= 3 && (key[n - 1] == '"' || key[n - 1] == '\'')) {
    for (size_t i = 0; i + 2 < n && !quoted_name; i++)
      if (key[i] == '.' && (key[i + 1] == '"' || key[i + 1] == '\'')) {
        qi = i;
        quoted_name = 1;
      }
  }
  if (quoted_name) {
    nm = sqlitch_strndup(key + qi + 2, n - qi - 3);
    sec = sqlitch_strndup(key, qi);
  } else {
    const char *dot = strrchr(key, '.');
    if (!dot) return 0;
    char *rs = sqlitch_strndup(key, (size_t)(dot - key));
    sec = remove_balanced_quotes(rs);
    nm = remove_balanced_quotes(dot + 1);
    free(rs);
  }
  if (!sec[0] || sec[0] == '.') { /* ^([^.]+)(?:\.(.*))?$ fails */
    free(sec);
    free(nm);
    return 0;
  }
  const char *d = strchr(sec, '.');
  *section = d ? sqlitch_strndup(sec, (size_t)(d - sec)) : sqlitch_strdup(sec);
  *sub = d ? sqlitch_strdup(d + 1) : NULL;
  *name = nm;
  free(sec);
  return 1;
}

char *sqlitch_config_canon_key(const char *key) {
  char *sec, *sub, *name;
  if (!key || !sqlitch_config_split_key(key, &sec, &sub, &name)) return NULL;
  char *r = NULL;
  if (sqlitch_perl_true(sec)) {
    sqlitch_buf b = SQLITCH_BUF_INIT;
    sqlitch_config_lc(&b, sec, strlen(sec));
    if (sub) {
      sqlitch_buf_addc(&b, '.');
      sqlitch_buf_add(&b, sub);
    }
    if (name) {
      sqlitch_buf_addc(&b, '.');
      sqlitch_config_lc(&b, name, strlen(name));
    }
    r = sqlitch_buf_take(&b);
  }
  free(sec);
  free(sub);
  free(name);
  return r;
}

/* ------------------------------------------------------------- the map */

typedef struct entry {
  char *key;          /* canonical (arena) */
  const char *origin; /* file that defined it last (arena) */
  sqlitch_scope scope;
  int exists;   /* in GitLike's data hash */
  int multiple; /* GitLike's multiple flag */
  char **vals;  /* arena strings; NULL for a value-less key */
  char **orig;  /* original-case keys, one per value */
  size_t n, cap;
} entry;

struct sqlitch_config {
  sqlitch_arena *arena;
  entry *ents;
  size_t nents, capents;
  size_t *slots; /* index + 1 into ents; 0 = empty */
  size_t nslots;
  sqlitch_strv files; /* canonical paths already loaded */
  char *system_file, *user_file, *local_file, *local_found;
  char *cwd;
};

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static entry *find(const sqlitch_config *c, const char *key) {
  if (!c || !c->nslots || !key) return NULL;
  size_t m = c->nslots - 1, i = (size_t)hash_str(key) & m;
  for (; c->slots[i]; i = (i + 1) & m) {
    entry *e = &c->ents[c->slots[i] - 1];
    if (strcmp(e->key, key) == 0) return e;
  }
  return NULL;
}

static void rehash(sqlitch_config *c, size_t nslots) {
  free(c->slots);
  c->slots = sqlitch_calloc(nslots, sizeof *c->slots);
  c->nslots = nslots;
  for (size_t k = 0; k < c->nents; k++) {
    size_t i = (size_t)hash_str(c->ents[k].key) & (nslots - 1);
    while (c->slots[i])
      i = (i + 1) & (nslots - 1);
    c->slots[i] = k + 1;
  }
}

static entry *find_or_add(sqlitch_config *c, const char *key) {
  entry *e = find(c, key);
  if (e) return e;
  if (c->nents == c->capents) {
    c->capents = c->capents ? c->capents * 2 : 32;
    c->ents = sqlitch_realloc(c->ents, c->capents * sizeof *c->ents);
  }
  if ((c->nents + 1) * 2 > c->nslots) rehash(c, c->nslots ? c->nslots * 2 : 64);
  e = &c->ents[c->nents];
  memset(e, 0, sizeof *e);
  e->key = sqlitch_arena_strdup(c->arena, key);
  size_t m = c->nslots - 1, i = (size_t)hash_str(key) & m;
  while (c->slots[i])
    i = (i + 1) & m;
  c->slots[i] = ++c->nents;
  return e;
}

static void entry_push(sqlitch_config *c, entry *e, const char *value,
                       const char *orig) {
  if (e->n == e->cap) {
    e->cap = e->cap ? e->cap * 2 : 2;
    e->vals = sqlitch_realloc(e->vals, e->cap * sizeof *e->vals);
    e->orig = sqlitch_realloc(e->orig, e->cap * sizeof *e->orig);
  }
  e->vals[e->n] = value ? sqlitch_arena_strdup(c->arena, value) : NULL;
  e->orig[e->n] = sqlitch_arena_strdup(c->arena, orig);
  e->n++;
}

/* Config::GitLike::define */
static void define(sqlitch_config *c, const char *section, const char *name,
                   const char *value, const char *origin, sqlitch_scope scope) {
  sqlitch_buf k = SQLITCH_BUF_INIT, o = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&k, section);
  sqlitch_buf_addc(&k, '.');
  sqlitch_config_lc(&k, name, strlen(name));
  sqlitch_buf_add(&o, section);
  sqlitch_buf_addc(&o, '.');
  sqlitch_buf_add(&o, name);
  entry *e = find_or_add(c, sqlitch_buf_str(&k));
  if (!e->origin || strcmp(e->origin, origin) == 0) {
    if (!e->multiple && e->exists)
      e->multiple = 1;
    else if (!e->multiple)
      e->n = 0;
    entry_push(c, e, value, sqlitch_buf_str(&o));
  } else {
    e->multiple = 0;
    e->n = 0;
    entry_push(c, e, value, sqlitch_buf_str(&o));
  }
  e->exists = 1;
  e->origin = origin;
  e->scope = scope;
  sqlitch_buf_free(&k);
  sqlitch_buf_free(&o);
}

/* ------------------------------------------------------------- paths */

const char *sqlitch_config_system_dir(void) { return SQLITCH_SYSCONFDIR; }

const char *sqlitch_config_user_dir(void) {
  static char buf[PATH_MAX + 16];
  const char *home = getenv("HOME");
  if (!home) {
    struct passwd *pw = getpwuid(getuid());
    home = pw ? pw->pw_dir : NULL;
  }
  if (!home || !*home) return NULL;
  char *j = sqlitch_path_join(home, ".sqitch");
  snprintf(buf, sizeof buf, "%s", j);
  free(j);
  return buf;
}

/* SQLITCH_<name> or else SQITCH_<name>, each only when Perl-true (an
   empty or "0" variable counts as unset, as `$ENV{X} || ...` does). */
static const char *env_true(const char *name) {
  char key[64];
  snprintf(key, sizeof key, "SQLITCH_%s", name);
  const char *v = getenv(key);
  if (sqlitch_perl_true(v)) return v;
  snprintf(key, sizeof key, "SQITCH_%s", name);
  v = getenv(key);
  return sqlitch_perl_true(v) ? v : NULL;
}

static void compute_paths(sqlitch_config *c) {
  const char *v;
  free(c->system_file);
  free(c->user_file);
  free(c->local_file);
  v = env_true("SYSTEM_CONFIG");
  c->system_file = v ? sqlitch_path_clean(v)
                     : sqlitch_path_join(sqlitch_config_system_dir(), CONFNAME);
  v = env_true("USER_CONFIG");
  if (v) {
    c->user_file = sqlitch_path_clean(v);
  } else {
    const char *ud = sqlitch_config_user_dir();
    c->user_file = ud ? sqlitch_path_join(ud, CONFNAME) : NULL;
  }
  v = env_true("CONFIG");
  if (v)
    c->local_file = sqlitch_path_clean(v);
  else if (c->local_found &&
           strcmp(sqlitch_path_basename(c->local_found), COMPAT_CONFNAME) == 0)
    c->local_file = sqlitch_strdup(COMPAT_CONFNAME);
  else
    c->local_file = sqlitch_strdup(CONFNAME);
}

sqlitch_config *sqlitch_config_new(void) {
  sqlitch_config *c = sqlitch_calloc(1, sizeof *c);
  c->arena = sqlitch_arena_new();
  compute_paths(c);
  return c;
}

static void reset(sqlitch_config *c) {
  for (size_t i = 0; i < c->nents; i++) {
    free(c->ents[i].vals);
    free(c->ents[i].orig);
  }
  free(c->ents);
  free(c->slots);
  c->ents = NULL;
  c->slots = NULL;
  c->nents = c->capents = c->nslots = 0;
  sqlitch_strv_free(&c->files);
  free(c->local_found);
  c->local_found = NULL;
  sqlitch_arena_free(c->arena);
  c->arena = sqlitch_arena_new();
}

void sqlitch_config_free(sqlitch_config *c) {
  if (!c) return;
  reset(c);
  sqlitch_arena_free(c->arena);
  free(c->system_file);
  free(c->user_file);
  free(c->local_file);
  free(c->cwd);
  free(c);
}

const char *sqlitch_config_system_file(const sqlitch_config *c) {
  return c->system_file;
}
const char *sqlitch_config_user_file(const sqlitch_config *c) {
  return c->user_file;
}
const char *sqlitch_config_local_file(const sqlitch_config *c) {
  return c->local_file;
}
const char *sqlitch_config_local_found(const sqlitch_config *c) {
  return c->local_found;
}
int sqlitch_config_initialized(const sqlitch_config *c) {
  return c && c->local_found != NULL;
}

/* File::Spec->canonpath for Unix: collapse "//" and "/./", drop a leading
   "./" and a trailing "/", and "/.." at the root. */
static char *canonpath(const char *p) {
  char *r = sqlitch_path_clean(p);
  while (strncmp(r, "/../", 4) == 0 || strcmp(r, "/..") == 0) {
    char *t = sqlitch_strdup(r[3] ? r + 3 : "/");
    free(r);
    r = t;
  }
  return r;
}

/* Cwd::abs_path(File::Spec->rel2abs(file, base)) || canonpath. */
static char *canonical_file(const char *file, const char *base) {
  char *abs;
  if (file[0] == '/') {
    abs = sqlitch_strdup(file);
  } else {
    abs = sqlitch_mprintf("%s/%s", base, file);
  }
  char *rp = realpath(abs, NULL);
  if (rp) {
    free(abs);
    char *r = sqlitch_strdup(rp);
    free(rp);
    return r;
  }
  char *r = canonpath(abs);
  free(abs);
  return r;
}

typedef struct load_ctx {
  sqlitch_config *c;
  const char *origin;
  sqlitch_scope scope;
  int depth;
} load_ctx;

static int load_one(sqlitch_config *c, const char *filename,
                    const char *relative, sqlitch_scope scope, int depth,
                    int force, int must_exist, sqlitch_err *err);

static int on_item(void *ctx, const sqlitch_config_item *it, sqlitch_err *err) {
  load_ctx *L = ctx;
  if (!it->name) return SQLITCH_OK;
  define(L->c, it->section, it->name, it->value, L->origin, L->scope);
  if (strcmp(it->section, "include") != 0 || !it->value) return SQLITCH_OK;
  char *lname = lc_dup(it->name, strlen(it->name));
  int is_path = strcmp(lname, "path") == 0;
  free(lname);
  if (!is_path) return SQLITCH_OK;
  if (L->depth > MAX_INCLUDE_DEPTH)
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                           "Exceeded maximum include depth (%d) while "
                           "including %s from %s",
                           MAX_INCLUDE_DEPTH, it->value, L->origin);
  char *dir = sqlitch_path_dirname(L->origin);
  int rc = load_one(L->c, it->value, dir, L->scope, L->depth + 1, 1, 0, err);
  free(dir);
  return rc;
}

static const char *cwd_of(sqlitch_config *c) {
  if (!c->cwd) {
    char *d = getcwd(NULL, 0);
    c->cwd = sqlitch_strdup(d ? d : ".");
    free(d);
  }
  return c->cwd;
}

void sqlitch_config_set_cwd(sqlitch_config *c, const char *dir) {
  free(c->cwd);
  c->cwd = sqlitch_strdup(dir);
}

static int load_one(sqlitch_config *c, const char *filename,
                    const char *relative, sqlitch_scope scope, int depth,
                    int force, int must_exist, sqlitch_err *err) {
  char *expanded;
  const char *home = getenv("HOME");
  if (filename[0] == '~')
    expanded = sqlitch_mprintf("%s%s", home ? home : "", filename + 1);
  else
    expanded = sqlitch_strdup(filename);
  char *canon = canonical_file(expanded, relative ? relative : cwd_of(c));
  free(expanded);
  if (!force && sqlitch_strv_contains(&c->files, canon)) {
    free(canon);
    return SQLITCH_OK;
  }
  char *text;
  size_t len;
  if (!sqlitch_config_read_text(canon, &text, &len, NULL)) {
    int rc = SQLITCH_OK;
    if (must_exist)
      rc = sqlitch_err_set(err, SQLITCH_E_IO, 2, "Failed to load %s: %s", canon,
                           strerror(errno ? errno : ENOENT));
    free(canon);
    return rc;
  }
  sqlitch_strv_push(&c->files, canon);
  /* set_multiple(include.path) */
  find_or_add(c, "include.path")->multiple = 1;
  load_ctx L = {c, sqlitch_arena_strdup(c->arena, canon), scope, depth};
  free(canon);
  int rc = sqlitch_config_parse(text, len, L.origin, on_item, &L, err);
  free(text);
  return rc;
}

int sqlitch_config_load_file(sqlitch_config *c, const char *path,
                             sqlitch_scope scope, int must_exist,
                             sqlitch_err *err) {
  return load_one(c, path, NULL, scope, 0, 0, must_exist, err);
}

/* Join a directory and a file as File::Spec->catpath does. */
static char *catpath(const char *dir, const char *file) {
  size_t n = strlen(dir);
  if (n && dir[n - 1] != '/' && file[0] != '/')
    return sqlitch_mprintf("%s/%s", dir, file);
  return sqlitch_mprintf("%s%s", dir, file);
}

/* Walk up from the cwd looking for the local file (load_dirs). */
static int find_local(sqlitch_config *c, sqlitch_err *err) {
  const char *env = env_true("CONFIG");
  char *dir = sqlitch_strdup(cwd_of(c));
  int rc = SQLITCH_OK;
  for (;;) {
    if (env) {
      char *p = catpath(dir, env);
      if (sqlitch_is_file(p)) {
        c->local_found = p;
        break;
      }
      free(p);
    } else {
      char *a = catpath(dir, CONFNAME), *b = catpath(dir, COMPAT_CONFNAME);
      int ha = sqlitch_is_file(a), hb = sqlitch_is_file(b);
      if (ha && hb) {
        rc = sqlitch_err_set(
            err, SQLITCH_E_CONFIG, 2,
            "Both %s and %s exist; a project may use only one of them. "
            "Remove one",
            a, b);
        free(a);
        free(b);
        break;
      }
      if (ha || hb) {
        c->local_found = ha ? a : b;
        free(ha ? b : a);
        break;
      }
      free(a);
      free(b);
    }
    if (strcmp(dir, "/") == 0 || !strchr(dir, '/')) break;
    char *up = sqlitch_path_dirname(dir);
    free(dir);
    dir = up;
  }
  free(dir);
  return rc;
}

int sqlitch_config_load(sqlitch_config *c, sqlitch_err *err) {
  reset(c);
  compute_paths(c);
  if (load_one(c, c->system_file, NULL, SQLITCH_SCOPE_SYSTEM, 0, 0, 0, err))
    return SQLITCH_ERROR;
  if (!c->user_file)
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                           "Could not determine home directory");
  if (load_one(c, c->user_file, NULL, SQLITCH_SCOPE_USER, 0, 0, 0, err))
    return SQLITCH_ERROR;
  if (find_local(c, err)) return SQLITCH_ERROR;
  compute_paths(c);
  if (c->local_found &&
      load_one(c, c->local_found, NULL, SQLITCH_SCOPE_LOCAL, 0, 0, 0, err))
    return SQLITCH_ERROR;
  return SQLITCH_OK;
}

/* ------------------------------------------------------------- lookups */

static const entry *lookup(const sqlitch_config *c, const char *key) {
  char *k = sqlitch_config_canon_key(key);
  const entry *e = k ? find(c, k) : NULL;
  free(k);
  return e && e->exists ? e : NULL;
}

const char *sqlitch_config_get(const sqlitch_config *c, const char *key) {
  const entry *e = lookup(c, key);
  return e && e->n ? e->vals[e->n - 1] : NULL;
}

int sqlitch_config_exists(const sqlitch_config *c, const char *key) {
  return lookup(c, key) != NULL;
}

size_t sqlitch_config_get_all(const sqlitch_config *c, const char *key,
                              const char ***out) {
  const entry *e = lookup(c, key);
  *out = NULL;
  if (!e || !e->n) return 0;
  *out = sqlitch_malloc(e->n * sizeof **out);
  for (size_t i = 0; i < e->n; i++)
    (*out)[i] = e->vals[i];
  return e->n;
}

int sqlitch_config_is_multiple(const sqlitch_config *c, const char *key) {
  char *k = sqlitch_config_canon_key(key);
  const entry *e = k ? find(c, k) : NULL;
  free(k);
  return e && e->multiple;
}

/* Perl's "$" at i: the end, or just before a final newline. */
static int perl_end(const char *s, size_t i, size_t n) {
  return i == n || (i + 1 == n && s[i] == '\n');
}

/* /^(?:true|yes|on|-?0*1)$/i -> 1, /^(?:false|no|off|0*)$/i -> 0, else -1 */
static int bool_of(const char *v) {
  static const char *const t[] = {"true", "yes", "on", NULL};
  static const char *const f[] = {"false", "no", "off", NULL};
  size_t n = strlen(v), i;
  for (int k = 0; t[k]; k++) {
    size_t l = strlen(t[k]);
    if (n >= l && strncasecmp(v, t[k], l) == 0 && perl_end(v, l, n)) return 1;
  }
  for (int k = 0; f[k]; k++) {
    size_t l = strlen(f[k]);
    if (n >= l && strncasecmp(v, f[k], l) == 0 && perl_end(v, l, n)) return 0;
  }
  i = v[0] == '-' ? 1 : 0;
  while (v[i] == '0')
    i++;
  if (v[i] == '1' && perl_end(v, i + 1, n)) return 1;
  if (v[0] != '-' && perl_end(v, i, n)) return 0;
  return -1;
}

/* NUM_REGEX: /^-?[0-9]*\.?[0-9]*[kmg]?$/ */
static int is_num(const char *v) {
  size_t n = strlen(v), i = 0;
  if (v[i] == '-') i++;
  while (v[i] >= '0' && v[i] <= '9')
    i++;
  if (v[i] == '.') i++;
  while (v[i] >= '0' && v[i] <= '9')
    i++;
  if (v[i] == 'k' || v[i] == 'm' || v[i] == 'g') i++;
  return perl_end(v, i, n);
}

/* Perl's numification of a NUM_REGEX string, times the unit: integers
   stay integers (IV/UV) while they fit, anything else is a double printed
   with %.15g; int() truncates. */
static char *num_str(const char *v, int as_int) {
  char *s = sqlitch_strdup(v);
  size_t n = strlen(s);
  if (n && s[n - 1] == '\n') s[--n] = 0;
  unsigned long long mul = 1;
  if (n && strchr("kmg", s[n - 1])) {
    mul = s[n - 1] == 'k'   ? 1024ULL
          : s[n - 1] == 'm' ? 1048576ULL
                            : 1073741824ULL;
    s[--n] = 0;
  }
  int neg = s[0] == '-';
  const char *digits = s + neg;
  int integral = *digits && strspn(digits, "0123456789") == strlen(digits);
  if (integral) {
    errno = 0;
    unsigned long long u = strtoull(digits, NULL, 10), r;
    if (errno == 0 && !__builtin_mul_overflow(u, mul, &r) &&
        (!neg || r <= 9223372036854775808ULL)) {
      free(s);
      if (!neg) return sqlitch_mprintf("%llu", r);
      return r ? sqlitch_mprintf("-%llu", r) : sqlitch_strdup("0");
    }
  }
  double d = strtod(s, NULL) * (double)mul;
  free(s);
  if (as_int) {
    if (d > -9223372036854775808.0 && d < 9223372036854775808.0)
      return sqlitch_mprintf("%lld", (long long)d);
    if (d >= 0 && d < 18446744073709551616.0)
      return sqlitch_mprintf("%llu", (unsigned long long)d);
    d = d < 0 ? ceil(d) : floor(d);
  }
  char *r = sqlitch_mprintf("%.15g", d);
  if (strcmp(r, "-0") == 0) {
    free(r);
    r = sqlitch_strdup("0");
  }
  return r;
}

int sqlitch_config_cast(const char *value, const char *as, int human,
                        char **out, sqlitch_err *err) {
  *out = NULL;
  if (!as) {
    *out = sqlitch_strdup(value);
    return SQLITCH_OK;
  }
  if (strcmp(as, "bool-or-int") == 0) {
    if (value && is_num(value))
      as = "int";
    else if (!value || bool_of(value) >= 0)
      as = "bool";
    else
      return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                             "Invalid bool-or-int '%s'\n", value);
  }
  if (strstr(as, "bool")) {
    if (!value) {
      *out = sqlitch_strdup("1");
      return SQLITCH_OK;
    }
    int b = bool_of(value);
    if (b < 0)
      return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2, "Invalid bool '%s'\n",
                             value);
    *out = sqlitch_strdup(human ? (b ? "true" : "false") : (b ? "1" : "0"));
    return SQLITCH_OK;
  }
  if (strstr(as, "int") || strstr(as, "num")) {
    const char *v = value ? value : "";
    if (!is_num(v))
      return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                             "Invalid unit while casting to %s\n", as);
    *out = num_str(v, strcmp(as, "int") == 0);
    return SQLITCH_OK;
  }
  *out = sqlitch_strdup(value);
  return SQLITCH_OK;
}

int sqlitch_config_get_bool(const sqlitch_config *c, const char *key, int *out,
                            sqlitch_err *err) {
  const entry *e = lookup(c, key);
  if (!e || !e->n) return 0;
  const char *v = e->vals[e->n - 1];
  if (!v) {
    *out = 1;
    return 1;
  }
  int b = bool_of(v);
  if (b < 0)
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 255, "Invalid bool '%s'", v);
  *out = b;
  return 1;
}

static int cmp_entry_ptr(const void *a, const void *b) {
  const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
  return strcmp(x->key, y->key);
}

/* Existing entries sorted by key; caller frees the array. */
static size_t sorted(const sqlitch_config *c, const entry ***out) {
  const entry **v = sqlitch_malloc((c->nents + 1) * sizeof *v);
  size_t n = 0;
  for (size_t i = 0; i < c->nents; i++)
    if (c->ents[i].exists) v[n++] = &c->ents[i];
  qsort(v, n, sizeof *v, cmp_entry_ptr);
  *out = v;
  return n;
}

size_t sqlitch_config_keys(const sqlitch_config *c, const char ***out) {
  const entry **v;
  size_t n = sorted(c, &v);
  *out = sqlitch_malloc((n + 1) * sizeof **out);
  for (size_t i = 0; i < n; i++)
    (*out)[i] = v[i]->key;
  free(v);
  return n;
}

size_t sqlitch_config_section(const sqlitch_config *c, const char *section,
                              sqlitch_config_entry **out) {
  const entry **v;
  size_t n = sorted(c, &v), k = 0;
  sqlitch_buf pre = SQLITCH_BUF_INIT;
  const char *dot = strchr(section, '.');
  size_t sl = dot ? (size_t)(dot - section) : strlen(section);
  sqlitch_config_lc(&pre, section, sl);
  sqlitch_buf_add(&pre, section + sl);
  sqlitch_buf_addc(&pre, '.');
  *out = sqlitch_malloc((n + 1) * sizeof **out);
  for (size_t i = 0; i < n; i++) {
    const entry *e = v[i];
    if (!sqlitch_starts_with(e->key, pre.p) || strchr(e->key + pre.len, '.') ||
        !e->key[pre.len])
      continue;
    sqlitch_config_entry *o = &(*out)[k++];
    o->key = e->key;
    o->orig_key = e->n ? e->orig[0] : e->key;
    o->value = e->n ? e->vals[e->n - 1] : NULL;
    o->scope = e->scope;
  }
  sqlitch_buf_free(&pre);
  free(v);
  return k;
}

size_t sqlitch_config_dump(const sqlitch_config *c,
                           sqlitch_config_entry **out) {
  const entry **v;
  size_t n = sorted(c, &v), total = 0, k = 0;
  for (size_t i = 0; i < n; i++)
    total += v[i]->n;
  *out = sqlitch_malloc((total + 1) * sizeof **out);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < v[i]->n; j++) {
      sqlitch_config_entry *o = &(*out)[k++];
      o->key = v[i]->key;
      o->orig_key = v[i]->orig[j];
      o->value = v[i]->vals[j];
      o->scope = v[i]->scope;
    }
  free(v);
  return k;
}

char *sqlitch_config_dump_text(const sqlitch_config *c) {
  const entry **v;
  size_t n = sorted(c, &v);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addn(&b, "", 0);
  for (size_t i = 0; i < n; i++) {
    const entry *e = v[i];
    if (e->multiple) {
      sqlitch_buf_addf(&b, "%s=[", e->key);
      for (size_t j = 0; j < e->n; j++) {
        if (j) sqlitch_buf_add(&b, ", ");
        if (e->vals[j]) sqlitch_buf_add(&b, e->vals[j]);
      }
      sqlitch_buf_add(&b, "]\n");
    } else if (e->n && e->vals[e->n - 1]) {
      sqlitch_buf_addf(&b, "%s=%s\n", e->key, e->vals[e->n - 1]);
    } else {
      sqlitch_buf_addf(&b, "%s\n", e->key);
    }
  }
  free(v);
  return sqlitch_buf_take(&b);
}

/* ------------------------------------------------------------- regexes */

struct sqlitch_config_filter {
  int mode; /* 0 all, 1 none, 2 match, 3 not match */
  pcre2_code *re;
};

static pcre2_code *rx_compile(const char *pattern, sqlitch_err *err) {
  int ec;
  PCRE2_SIZE eo;
  pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                 PCRE2_CASELESS | PCRE2_UTF | PCRE2_UCP |
                                     PCRE2_MATCH_INVALID_UTF,
                                 &ec, &eo, NULL);
  if (!re) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(ec, msg, sizeof msg);
    sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                    "Invalid regular expression \"%s\": %s at offset %zu\n",
                    pattern, (const char *)msg, (size_t)eo);
  }
  return re;
}

static int rx_match(const pcre2_code *re, const char *s) {
  pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
  int rc = pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
  pcre2_match_data_free(md);
  return rc >= 0;
}

int sqlitch_config_regex_match(const char *pattern, const char *subject,
                               sqlitch_err *err) {
  pcre2_code *re = rx_compile(pattern, err);
  if (!re) return SQLITCH_ERROR;
  int m = rx_match(re, subject);
  pcre2_code_free(re);
  return m;
}

int sqlitch_config_filter_new(const char *filter, sqlitch_config_filter **out,
                              sqlitch_err *err) {
  sqlitch_config_filter *f = sqlitch_calloc(1, sizeof *f);
  *out = NULL;
  if (!filter || !*filter) {
    f->mode = 0;
  } else if (strcmp(filter, "!") == 0) {
    f->mode = 1;
  } else {
    int neg = filter[0] == '!';
    f->mode = neg ? 3 : 2;
    f->re = rx_compile(filter + neg, err);
    if (!f->re) {
      free(f);
      return SQLITCH_ERROR;
    }
  }
  *out = f;
  return SQLITCH_OK;
}

int sqlitch_config_filter_match(const sqlitch_config_filter *f,
                                const char *value) {
  switch (f ? f->mode : 0) {
  case 1: return 0;
  case 2: return value && rx_match(f->re, value);
  case 3: return !value || !rx_match(f->re, value);
  default: return 1;
  }
}

void sqlitch_config_filter_free(sqlitch_config_filter *f) {
  if (!f) return;
  pcre2_code_free(f->re);
  free(f);
}

/* ------------------------------------------------------------- identity */

char *sqlitch_sysuser(void) {
  const char *v = env_true("ORIG_SYSUSER");
  if (v) return sqlitch_strdup(v);
  const char *l = getlogin();
  if (l && *l && strcmp(l, "0") != 0) return sqlitch_strdup(l);
  struct passwd *pw = getpwuid(getuid());
  if (pw && sqlitch_perl_true(pw->pw_name)) return sqlitch_strdup(pw->pw_name);
  static const char *const envs[] = {"LOGNAME", "USER", "USERNAME", NULL};
  for (int i = 0; envs[i]; i++) {
    const char *e = getenv(envs[i]);
    if (sqlitch_perl_true(e)) return sqlitch_strdup(e);
  }
  return NULL;
}

/* config->get: last value, or an error for a multi-valued key. */
static int get_one(const sqlitch_config *c, const char *key, const char **out,
                   sqlitch_err *err) {
  const entry *e = c ? lookup(c, key) : NULL;
  *out = NULL;
  if (!e || !e->n) return SQLITCH_OK;
  if (e->n > 1)
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                           "More then one value for the key \"%s\"", key);
  *out = e->vals[0];
  return SQLITCH_OK;
}

char *sqlitch_user_name(const sqlitch_config *c, sqlitch_err *err) {
  const char *v = env_true("FULLNAME");
  char *r = NULL;
  if (!v) {
    if (get_one(c, "user.name", &v, err)) return NULL;
    if (!sqlitch_perl_true(v)) v = env_true("ORIG_FULLNAME");
  }
  if (v) {
    r = sqlitch_strdup(v);
  } else {
    char *sys = sqlitch_sysuser();
    if (!sys) {
      sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                      "Cannot find your name; run sqitch config --user "
                      "user.name \"YOUR NAME\"");
      return NULL;
    }
    struct passwd *pw = getpwnam(sys);
    if (pw && sqlitch_perl_true(pw->pw_gecos)) {
      r = sqlitch_strdup(pw->pw_gecos);
      free(sys);
    } else {
      r = sys;
    }
  }
  if (r[0] == '[' || strchr(r, '<')) {
    free(r);
    sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                    "User name may not contain \"<\" or start with \"[\"");
    return NULL;
  }
  return r;
}

char *sqlitch_user_email(const sqlitch_config *c, sqlitch_err *err) {
  const char *v = env_true("EMAIL");
  char *r = NULL;
  if (!v) {
    if (get_one(c, "user.email", &v, err)) return NULL;
    if (!sqlitch_perl_true(v)) v = env_true("ORIG_EMAIL");
  }
  if (v) {
    r = sqlitch_strdup(v);
  } else {
    char *sys = sqlitch_sysuser();
    if (!sys) {
      sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                      "Cannot infer your email address; run sqitch config "
                      "--user user.email you@host.com");
      return NULL;
    }
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0) host[0] = 0;
    host[sizeof host - 1] = 0;
    r = sqlitch_mprintf("%s@%s", sys, host);
    free(sys);
  }
  if (strchr(r, '>')) {
    free(r);
    sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                    "User email may not contain \">\"");
    return NULL;
  }
  return r;
}

const char *sqlitch_editor(const sqlitch_config *c) {
  const char *v = env_true("EDITOR");
  if (v) return v;
  v = c ? sqlitch_config_get(c, "core.editor") : NULL;
  if (sqlitch_perl_true(v)) return v;
  static const char *const envs[] = {"VISUAL", "EDITOR", NULL};
  for (int i = 0; envs[i]; i++) {
    v = getenv(envs[i]);
    if (sqlitch_perl_true(v)) return v;
  }
  return "vi";
}

const char *sqlitch_pager(const sqlitch_config *c) {
  const char *v = env_true("PAGER");
  if (v) return v;
  v = c ? sqlitch_config_get(c, "core.pager") : NULL;
  if (sqlitch_perl_true(v)) return v;
  v = getenv("PAGER");
  return sqlitch_perl_true(v) ? v : NULL;
}
