/*
** config_write.c -- editing one config file the way `sqitch config` does
** (Config::GitLike 1.18's group_set / rename_section / _write_config).
**
** The file's raw text is edited in place, so comments, blank lines and
** spacing elsewhere survive:
**   set      an existing definition (same section and subsection, name
**            compared case-insensitively, value matching the optional
**            value regex) is replaced from the start of its key to the end
**            of its value, trailing comment included, by "<key> = <value>"
**            (key spelled as given); otherwise "\t<key> = <value>\n" goes
**            after the line of the last item of the section; otherwise a
**            new "[section]" or "[section \"sub\"]" is appended.
**   unset    the definition's line is cut (from the newline before it).
**   rename / remove section   headers are rewritten, or the section and
**            its variables cut.
** Values are quoted when they start or end with whitespace or hold ";" or
** "#"; backslash, double quote, TAB and LF are escaped. Line ends are
** written back in the file's style (LF, CRLF or CR). The new text goes to
** "<file>.lock" (created exclusively) and is renamed over the file.
**
**   sqlitch_err err = SQLITCH_ERR_INIT;
**   if (sqlitch_config_set("sqitch.conf", "core.engine", "pg", NULL, 0, &err))
**     fprintf(stderr, "%s\n", err.msg);
**   sqlitch_config_unset("sqitch.conf", "core.engine", NULL, 0, &err);
**
** Error texts are Sqitch's, exit value 2; those Sqitch prints followed by
** a blank line end in "\n" (see config.h).
*/
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ helpers */

/* Perl's "$": at the end, or just before a final newline. */
static int at_end(const char *s, size_t i, size_t n) {
  return i == n || (i + 1 == n && s[i] == '\n');
}

/* _invalid_variable_name (non-compatible mode):
   $name !~ /^[^=\n\[][^=\n]*$/ || $name =~ /(?:^[ \t]+|[ \t+]$)/ */
static int invalid_name(const char *s) {
  size_t n = strlen(s), i = 1;
  if (n == 0 || s[0] == '=' || s[0] == '\n' || s[0] == '[') return 1;
  while (i < n && s[i] != '=' && s[i] != '\n')
    i++;
  if (!at_end(s, i, n)) return 1;
  if (s[0] == ' ' || s[0] == '\t') return 1;
  for (size_t k = 0; k < n; k++)
    if ((s[k] == ' ' || s[k] == '\t' || s[k] == '+') && at_end(s, k + 1, n))
      return 1;
  return 0;
}

/* _invalid_section_name: $section =~ /\s|\[|\]|"/ */
static int invalid_section(const char *s) {
  const char *end = s + strlen(s);
  for (const char *p = s; p < end; p++)
    if (*p == '[' || *p == ']' || *p == '"' || sqlitch_config_space(p, end))
      return 1;
  return 0;
}

/* format_definition: "<key> = <value>", quoted and escaped as needed. */
static void format_definition(sqlitch_buf *b, const char *key,
                              const char *value) {
  const char *end = value + strlen(value);
  int quote = sqlitch_config_space(value, end) > 0 || strchr(value, ';') ||
              strchr(value, '#');
  /* \s$ : a whitespace character at the end, or before a final "\n" */
  for (const char *p = value; !quote && p < end;) {
    size_t w = sqlitch_config_space(p, end);
    if (w && at_end(value, (size_t)(p + w - value), (size_t)(end - value)))
      quote = 1;
    p += w ? w : 1;
  }
  sqlitch_buf_add(b, key);
  sqlitch_buf_add(b, " = ");
  if (quote) sqlitch_buf_addc(b, '"');
  for (const char *p = value; p < end; p++) {
    switch (*p) {
    case '\\': sqlitch_buf_add(b, "\\\\"); break;
    case '"': sqlitch_buf_add(b, "\\\""); break;
    case '\t': sqlitch_buf_add(b, "\\t"); break;
    case '\n': sqlitch_buf_add(b, "\\n"); break;
    default: sqlitch_buf_addc(b, *p);
    }
  }
  if (quote) sqlitch_buf_addc(b, '"');
}

/* format_section (bare): "[sec \"sub\"]" split at the first dot. */
static void format_section(sqlitch_buf *b, const char *section) {
  const char *dot = strchr(section, '.');
  if (dot)
    sqlitch_buf_addf(b, "[%.*s \"%s\"]", (int)(dot - section), section,
                     dot + 1);
  else
    sqlitch_buf_addf(b, "[%s]", section);
}

/* Perl's rindex/index on a buffer: -1 when absent. */
static long rindex_c(const sqlitch_buf *b, char ch, long pos) {
  if (pos >= (long)b->len) pos = (long)b->len - 1;
  for (long i = pos; i >= 0; i--)
    if (b->p[i] == ch) return i;
  return -1;
}

static long index_c(const sqlitch_buf *b, char ch, long pos) {
  if (pos < 0) pos = 0;
  for (size_t i = (size_t)pos; i < b->len; i++)
    if (b->p[i] == ch) return (long)i;
  return -1;
}

/* Replace len bytes at off with rep (Perl's 4-argument substr). */
static void buf_splice(sqlitch_buf *b, size_t off, size_t len, const char *rep,
                       size_t rlen) {
  if (off > b->len) off = b->len;
  if (off + len > b->len) len = b->len - off;
  size_t tail = b->len - off - len;
  sqlitch_buf_grow(b, rlen + 1);
  memmove(b->p + off + rlen, b->p + off + len, tail);
  memcpy(b->p + off, rep, rlen);
  b->len = off + rlen + tail;
  b->p[b->len] = 0;
}

typedef struct span {
  size_t offset, length;
  int is_last; /* rename_section: section_is_last */
} span;

typedef struct spans {
  span *v;
  size_t n, cap;
} spans;

static void spans_push(spans *s, size_t off, size_t len, int last) {
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 8;
    s->v = sqlitch_realloc(s->v, s->cap * sizeof *s->v);
  }
  s->v[s->n].offset = off;
  s->v[s->n].length = len;
  s->v[s->n].is_last = last;
  s->n++;
}

/* _unset_variables: cut each variable from the newline (or "]") before it
   up to its line end. Returns the new difference. */
static long unset_variables(const span *v, size_t n, sqlitch_buf *c,
                            long diff) {
  for (size_t i = 0; i < n; i++) {
    long at = (long)v[i].offset - diff;
    long nl = rindex_c(c, '\n', at);
    long br = rindex_c(c, ']', at) + 1;
    long start = nl > br ? nl : br;
    long end = index_c(c, '\n', at + (long)v[i].length);
    if (end < start) end = (long)c->len;
    long len = end - start;
    buf_splice(c, (size_t)start, (size_t)len, "", 0);
    diff += len;
  }
  return diff;
}

/* Parse errors from the writer are vented by Sqitch: exit 2, blank line. */
static int rewrap(sqlitch_err *err) {
  if (err && err->msg && err->exitval == 255) {
    char *m = sqlitch_mprintf("%s\n", err->msg);
    free(err->msg);
    err->msg = m;
    err->exitval = 2;
  }
  return SQLITCH_ERROR;
}

/* _write_config: line ends back to the file's style, symlinks followed
   (as Perl does it, at most 5 levels), "<file>.lock" then rename. */
static int write_config(const char *file, const sqlitch_buf *c,
                        const char *newline, sqlitch_err *err) {
  sqlitch_buf out = SQLITCH_BUF_INIT;
  if (strcmp(newline, "\n") != 0) {
    for (size_t i = 0; i < c->len; i++)
      if (c->p[i] == '\n')
        sqlitch_buf_add(&out, newline);
      else
        sqlitch_buf_addc(&out, c->p[i]);
  } else {
    sqlitch_buf_addn(&out, c->p ? c->p : "", c->len);
  }
  char *name = sqlitch_strdup(file);
  for (int depth = 5; depth--;) {
    char link[PATH_MAX];
    ssize_t k = readlink(name, link, sizeof link - 1);
    if (k < 0) continue;
    link[k] = 0;
    free(name);
    name = sqlitch_strdup(link);
  }
  char *lock = sqlitch_mprintf("%s.lock", name);
  int rc = SQLITCH_OK;
  int fd = open(lock, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0) {
    rc =
        sqlitch_err_set(err, SQLITCH_E_IO, 2, "Can't open %s for writing: %s\n",
                        lock, strerror(errno));
    goto done;
  }
  size_t off = 0;
  while (off < out.len) {
    ssize_t w = write(fd, out.p + off, out.len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      rc = sqlitch_err_set(err, SQLITCH_E_IO, 2, "Can't write %s: %s\n", lock,
                           strerror(errno));
      break;
    }
    off += (size_t)w;
  }
  if (close(fd) != 0 && rc == SQLITCH_OK)
    rc = sqlitch_err_set(err, SQLITCH_E_IO, 2, "Can't write %s: %s\n", lock,
                         strerror(errno));
  if (rc == SQLITCH_OK && rename(lock, name) != 0)
    rc = sqlitch_err_set(err, SQLITCH_E_IO, 2, "Can't rename %s to %s: %s\n",
                         lock, name, strerror(errno));
  if (rc != SQLITCH_OK) unlink(lock);
done:
  free(lock);
  free(name);
  sqlitch_buf_free(&out);
  return rc;
}

/* Create the file's directory when the file does not exist (_touch_dir). */
static int touch_dir(const char *file, sqlitch_err *err) {
  if (sqlitch_path_exists(file)) return SQLITCH_OK;
  char *dir = sqlitch_path_dirname(file);
  int rc = SQLITCH_OK;
  if (!sqlitch_is_dir(dir)) rc = sqlitch_mkpath(dir, NULL, err);
  free(dir);
  return rc;
}

/* ------------------------------------------------------------ group_set */

typedef struct set_ctx {
  const char *cmp_section;
  const char *name;
  const char *re; /* the filter's regex, without its "!" */
  int negate, never;
  int have_new;
  size_t new_end;
  spans replace;
} set_ctx;

static int name_eq(const char *a, const char *b) {
  sqlitch_buf x = SQLITCH_BUF_INIT, y = SQLITCH_BUF_INIT;
  sqlitch_config_lc(&x, a, strlen(a));
  sqlitch_config_lc(&y, b, strlen(b));
  sqlitch_buf_addn(&x, "", 0);
  sqlitch_buf_addn(&y, "", 0);
  int eq = x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
  sqlitch_buf_free(&x);
  sqlitch_buf_free(&y);
  return eq;
}

static int on_set_item(void *ctx, const sqlitch_config_item *it,
                       sqlitch_err *err) {
  set_ctx *s = ctx;
  if (strcmp(it->section, s->cmp_section) != 0) return SQLITCH_OK;
  s->have_new = 1;
  s->new_end = it->offset + it->length;
  if (!it->name || !name_eq(s->name, it->name)) return SQLITCH_OK;
  int matched = 1;
  if (s->never) {
    matched = 0;
  } else if (s->re) {
    /* compiled on first use, as Perl does; undef values compare as "" */
    int m = sqlitch_config_regex_match(s->re, it->value ? it->value : "", err);
    if (m < 0) return SQLITCH_ERROR;
    matched = s->negate ? !m : m;
  }
  if (matched) spans_push(&s->replace, it->offset, it->length, 0);
  return SQLITCH_OK;
}

/* Config::GitLike::set for one key. value NULL = unset. */
static int group_set(const char *file, const char *key, const char *value,
                     const char *filter, const char *as, int multiple,
                     int replace_all, sqlitch_err *err) {
  char *sec = NULL, *sub = NULL, *name = NULL, *cast = NULL, *canon = NULL;
  char *text = NULL;
  size_t tlen = 0;
  const char *newline = "\n";
  int rc = SQLITCH_ERROR, have;
  set_ctx S;
  sqlitch_buf c = SQLITCH_BUF_INIT, cmp = SQLITCH_BUF_INIT,
              comb = SQLITCH_BUF_INIT, def = SQLITCH_BUF_INIT;
  memset(&S, 0, sizeof S);

  have = sqlitch_config_read_text(file, &text, &tlen, &newline);
  if (have) sqlitch_buf_addn(&c, text, tlen);
  free(text);

  if (!sqlitch_config_split_key(key, &sec, &sub, &name)) {
    sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                    "No section given in key or invalid key %s\n", key);
    goto out;
  }
  if (invalid_name(name)) {
    sqlitch_err_set(err, SQLITCH_E_CONFIG, 2, "Invalid variable name %s\n",
                    name);
    goto out;
  }
  if (invalid_section(sec)) {
    sqlitch_err_set(err, SQLITCH_E_CONFIG, 2, "Invalid section name %s\n", sec);
    goto out;
  }
  if (value && as) {
    if (sqlitch_config_cast(value, as, 1, &cast, err)) goto out;
    value = cast;
  }
  canon = sqlitch_config_canon_key(key);
  if (!canon) {
    sqlitch_err_set(err, SQLITCH_E_CONFIG, 2, "No section given in key: %s\n",
                    key);
    goto out;
  }
  sqlitch_config_lc(&cmp, sec, strlen(sec));
  sqlitch_buf_add(&comb, sec);
  if (sub) {
    sqlitch_buf_addc(&cmp, '.');
    sqlitch_buf_add(&cmp, sub);
    sqlitch_buf_addc(&comb, '.');
    for (const char *p = sub; *p; p++) {
      if (*p == '\\' || *p == '"') sqlitch_buf_addc(&comb, '\\');
      sqlitch_buf_addc(&comb, *p);
    }
  }
  sqlitch_buf_addn(&cmp, "", 0);
  sqlitch_buf_addn(&comb, "", 0);

  S.cmp_section = cmp.p;
  S.name = name;
  if (filter && *filter) {
    if (strcmp(filter, "!") == 0) {
      S.never = 1;
    } else {
      S.negate = filter[0] == '!';
      S.re = filter + S.negate;
    }
  }
  if (c.len && sqlitch_config_parse(c.p, c.len, file, on_set_item, &S, err)) {
    rewrap(err);
    goto out;
  }
  if (S.replace.n > 1 && !multiple) {
    sqlitch_err_set(err, SQLITCH_E_CONFIG, 2, "%s",
                    value ? "Cannot overwrite multiple values with a single "
                            "value"
                          : "Cannot unset key with multiple values");
    goto out;
  }
  if (S.replace.n && sqlitch_perl_true(value) && !replace_all) S.replace.n = 1;

  if (value) {
    if (S.replace.n &&
        (!multiple || sqlitch_perl_true(filter) || replace_all)) {
      span last = S.replace.v[S.replace.n - 1];
      long diff = unset_variables(S.replace.v, S.replace.n - 1, &c, 0);
      format_definition(&def, name, value);
      buf_splice(&c, (size_t)((long)last.offset - diff), last.length, def.p,
                 def.len);
    } else if (S.have_new) {
      long nl = index_c(&c, '\n', (long)S.new_end);
      sqlitch_buf_addc(&def, '\t');
      format_definition(&def, name, value);
      sqlitch_buf_addc(&def, '\n');
      buf_splice(&c, (size_t)(nl + 1), 0, def.p, def.len);
    } else {
      format_section(&c, comb.p);
      sqlitch_buf_add(&c, "\n\t");
      format_definition(&c, name, value);
      sqlitch_buf_addc(&c, '\n');
    }
  } else {
    if (!S.replace.n) {
      sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                      "No occurrence of %s found to unset in %s\n", key, file);
      goto out;
    }
    unset_variables(S.replace.v, S.replace.n, &c, 0);
  }
  rc = write_config(file, &c, newline, err);

out:
  free(sec);
  free(sub);
  free(name);
  free(cast);
  free(canon);
  free(S.replace.v);
  sqlitch_buf_free(&c);
  sqlitch_buf_free(&cmp);
  sqlitch_buf_free(&comb);
  sqlitch_buf_free(&def);
  return rc;
}

int sqlitch_config_write(const char *file, const char *key, const char *value,
                         const char *value_regex, const char *as, int multiple,
                         int replace_all, sqlitch_err *err) {
  if (touch_dir(file, err)) return SQLITCH_ERROR;
  return group_set(file, key, value, value_regex, as, multiple, replace_all,
                   err);
}

int sqlitch_config_set(const char *file, const char *key, const char *value,
                       const char *value_regex, int multiple,
                       sqlitch_err *err) {
  return sqlitch_config_write(file, key, value, value_regex, NULL, multiple, 0,
                              err);
}

int sqlitch_config_add(const char *file, const char *key, const char *value,
                       sqlitch_err *err) {
  return sqlitch_config_write(file, key, value, NULL, NULL, 1, 0, err);
}

int sqlitch_config_unset(const char *file, const char *key,
                         const char *value_regex, int all, sqlitch_err *err) {
  return sqlitch_config_write(file, key, NULL, value_regex, NULL, all, 0, err);
}

/* ------------------------------------------------------- rename_section */

typedef struct rename_ctx {
  const char *from_lc;
  int removing;
  int prev_matched;
  spans replace;
} rename_ctx;

static int on_rename_item(void *ctx, const sqlitch_config_item *it,
                          sqlitch_err *err) {
  rename_ctx *r = ctx;
  span *last = r->replace.n ? &r->replace.v[r->replace.n - 1] : NULL;
  (void)err;
  if (last && !it->name) last->is_last = 0;
  sqlitch_buf lc = SQLITCH_BUF_INIT;
  sqlitch_config_lc(&lc, it->section, strlen(it->section));
  sqlitch_buf_addn(&lc, "", 0);
  int match = strcmp(lc.p, r->from_lc) == 0;
  sqlitch_buf_free(&lc);
  if (match) {
    if (it->name) {
      if (r->prev_matched && r->removing && last)
        last->length +=
            (it->offset + it->length) - (last->offset + last->length);
    } else {
      if (last && r->prev_matched && r->removing)
        last->length += it->offset - (last->offset + last->length);
      spans_push(&r->replace, it->offset, it->length, 1);
      r->prev_matched = 1;
    }
  } else {
    if (last && r->prev_matched && r->removing)
      last->length += it->offset - (last->offset + last->length);
    r->prev_matched = 0;
  }
  return SQLITCH_OK;
}

int sqlitch_config_rename_section(const char *file, const char *from,
                                  const char *to, sqlitch_err *err) {
  char *text;
  size_t tlen;
  const char *newline = "\n";
  int rc = SQLITCH_ERROR;
  if (!from)
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                           "No section to rename from given\n");
  if (!sqlitch_config_read_text(file, &text, &tlen, &newline))
    return SQLITCH_OK; /* nothing to rename */
  sqlitch_buf c = SQLITCH_BUF_INIT, lc = SQLITCH_BUF_INIT,
              with = SQLITCH_BUF_INIT;
  sqlitch_buf_addn(&c, text, tlen);
  free(text);
  char *f = sqlitch_config_unquote(from),
       *t = to ? sqlitch_config_unquote(to) : NULL;
  sqlitch_config_lc(&lc, f, strlen(f));
  sqlitch_buf_addn(&lc, "", 0);
  rename_ctx R;
  memset(&R, 0, sizeof R);
  R.from_lc = lc.p;
  R.removing = to == NULL;
  if (sqlitch_config_parse(c.p, c.len, file, on_rename_item, &R, err)) {
    rewrap(err);
    goto out;
  }
  if (!R.replace.n) {
    sqlitch_err_set(err, SQLITCH_E_CONFIG, 2, "No such section!");
    goto out;
  }
  if (t) format_section(&with, t);
  sqlitch_buf_addn(&with, "", 0);
  long diff = 0;
  for (size_t i = 0; i < R.replace.n; i++) {
    span *h = &R.replace.v[i];
    size_t at = (size_t)((long)h->offset + diff);
    size_t len = (!t && h->is_last) ? c.len - at : h->length;
    buf_splice(&c, at, len, with.p, with.len);
    diff += (long)with.len - (long)h->length;
  }
  rc = write_config(file, &c, newline, err);
out:
  free(f);
  free(t);
  free(R.replace.v);
  sqlitch_buf_free(&c);
  sqlitch_buf_free(&lc);
  sqlitch_buf_free(&with);
  return rc;
}

int sqlitch_config_remove_section(const char *file, const char *section,
                                  sqlitch_err *err) {
  if (!sqlitch_perl_true(section))
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                           "No section given to remove\n");
  return sqlitch_config_rename_section(file, section, NULL, err);
}
