/*
** plan.c -- Sqitch plan files: parse (Plan.pm _parse and check_changes),
** compute change and tag IDs, and write the plan back (write_to).
**
** Usage (the API is in plan.h):
**
**   sqlitch_plan *plan;
**   sqlitch_err err = SQLITCH_ERR_INIT;
**   if (sqlitch_plan_load("sqitch.plan", &plan, &err)) {
**     fprintf(stderr, "%s\n", err.msg);   // Sqitch's exact text, exit 2
**   } else {
**     sqlitch_buf out = SQLITCH_BUF_INIT;
**     sqlitch_plan_write(plan, &out);      // the bytes `sqitch tag` writes
**     sqlitch_plan_free(plan);
**   }
**
** Parsing follows Plan.pm line by line, including its quirks: Perl
** truthiness ("0" is false: a change named "0", a note "0", "[0]"), the
** error precedence of a body line, dependency checks per tag section with
** HINT lines, rework tags, and where PerlIO::utf8_strict notices bad UTF-8
** (it decodes 8 KiB chunks, so a bad byte is reported when the reader
** reaches its chunk, with Perl's message).
**
** Two deliberate differences from sqitch 1.3.1, which dies with a Perl
** stack trace in these cases: an impossible timestamp gives
** "Syntax error in F at line N: Invalid timestamp", and an empty
** dependency ("[ foo]", "[!]") gives
** "Syntax error in F at line N: \"\" is not a valid dependency
** specification". A NUL byte, which C strings cannot carry, is rejected
** with "Syntax error in F at line N: NUL character not allowed". And a
** dependency given as a bare change id ("[4707c6...]"), on which sqitch
** recurses until it runs out of memory while computing IDs, is rendered
** as the id, as the documentation describes.
*/
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "plan_int.h"

#define PERL_PLAN_PM "/usr/share/perl5/App/Sqitch/Plan.pm"
#define PERL_HEADER_LINE 192 /* the getline of Plan.pm's HEADER loop */
#define PERL_BODY_LINE 269   /* ... and of its LINE loop */
#define UTF8_CHUNK 8192      /* PerlIO buffer size */

static int perl_true(const char *s) { return s && *s && strcmp(s, "0"); }

/* -------------------------------------------------------- array growth */

static void *grow(void *p, size_t *cap, size_t n, size_t sz) {
  if (n < *cap) return p;
  *cap = *cap ? *cap * 2 : 16;
  return sqlitch_realloc(p, *cap * sz);
}

sqlitch_change *plan_grow_changes(sqlitch_plan *plan) {
  plan_index *ix = plan->index;
  /* (never grows while IDs are hashed alongside the parse: see id_pipe) */
  if (plan->nchanges >= ix->cap_changes)
    plan->changes = grow(plan->changes, &ix->cap_changes, plan->nchanges,
                         sizeof *plan->changes);
  sqlitch_change *c = &plan->changes[plan->nchanges++];
  memset(c, 0, sizeof *c);
  return c;
}

sqlitch_tag *plan_grow_tags(sqlitch_plan *plan) {
  plan_index *ix = plan->index;
  plan->tags = grow(plan->tags, &ix->cap_tags, plan->ntags, sizeof *plan->tags);
  sqlitch_tag *t = &plan->tags[plan->ntags++];
  memset(t, 0, sizeof *t);
  return t;
}

sqlitch_plan_line *plan_grow_lines(sqlitch_plan *plan) {
  plan_index *ix = plan->index;
  sqlitch_plan_line *l;
  if (ix->no_lines) {
    l = &ix->scratch; /* counted (change->line), not kept */
    plan->nlines++;
  } else {
    plan->lines =
        grow(plan->lines, &ix->cap_lines, plan->nlines, sizeof *plan->lines);
    l = &plan->lines[plan->nlines++];
  }
  memset(l, 0, sizeof *l);
  l->lspace = l->rspace = l->hspace = l->lopspace = l->operator= l->ropspace =
                                                        l->pspace = "";
  return l;
}

static sqlitch_plan *plan_alloc(const char *file) {
  sqlitch_plan *plan = sqlitch_calloc(1, sizeof *plan);
  plan->arena = sqlitch_arena_new();
  plan->index = sqlitch_calloc(1, sizeof(plan_index));
  ((plan_index *)plan->index)->last_tagged = -1;
  plan->file = sqlitch_arena_strdup(plan->arena, file ? file : "");
  return plan;
}

void sqlitch_plan_free(sqlitch_plan *plan) {
  if (!plan) return;
  plan_index_free(plan->index);
  free(plan->index);
  free(plan->changes);
  free(plan->tags);
  free(plan->lines);
  sqlitch_arena_free(plan->arena);
  free(plan);
}

/* -------------------------------------------------------------- parser */

typedef struct parser {
  sqlitch_plan *plan;
  sqlitch_arena *a;
  const char *file;
  const char *data;
  size_t len, pos;
  /* with `release` (the text is the parser's to drop), the pages before
     `released` have been handed back: every string the parser keeps is
     copied, so a big plan's text need not stay resident to the end */
  int release;
  size_t released;
  long lineno; /* Perl's $. */
  int in_header;
  /* first UTF-8 problem: raised when reading line utf8_at + 1 */
  int utf8_bad;
  long utf8_at;
  sqlitch_buf utf8_msg;
  long nul_line;      /* first line holding a NUL byte, 0 = none */
  const char *fhname; /* Perl's name of the file handle, "GEN0" */
  pcre2_match_data *md;
  sqlitch_buf tmp;
  /* names and tags */
  size_t *cpn; /* per change: index of its name in the plan index's nm */
  size_t capcpn;
  plan_hmap tag_lines; /* tag name -> line number */
  long section;
  size_t sec_start; /* first change of the current section */
  /* pragmas */
  plan_hmap pragmas; /* pragma key -> index into pvals */
  const char **pvals;
  size_t npv, cappv;
  /* interned strings */
  plan_hmap interned;
  const char **istr;
  size_t nistr, capistr;
  size_t nl;            /* lines in the text (presize) */
  struct id_pipe *pipe; /* change IDs computed alongside (big plans) */
  /* parse_deps' scratch: one line's dependencies before they are split */
  sqlitch_dep *deps;
  size_t capdeps;
  sqlitch_err *err;
} parser;

static int syntax_error(parser *ps, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
static int syntax_error(parser *ps, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *m = sqlitch_vmprintf(fmt, ap);
  va_end(ap);
  sqlitch_err_set(ps->err, SQLITCH_E_PARSE, 2,
                  "Syntax error in %s at line %ld: %s", ps->file, ps->lineno,
                  m);
  sqlitch_err_at(ps->err, ps->file, (int)ps->lineno);
  free(m);
  return SQLITCH_ERROR;
}

/* Give the whole pages of text before the line about to be read back to
   the system (they read as zeros afterwards; nothing looks at them). */
#define RELEASE_STEP (256 * 1024)
static void release_read(parser *ps) {
  uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t a = ((uintptr_t)(ps->data + ps->released) + pg - 1) & ~(pg - 1);
  uintptr_t b = (uintptr_t)(ps->data + ps->pos) & ~(pg - 1);
  if (b <= a) return;
  madvise((void *)a, b - a, MADV_DONTNEED);
  ps->released = (size_t)(b - (uintptr_t)ps->data);
}

/* Fetch the next line (Perl's getline + s/\r?\n\z//). Returns 1 with the
   line, 0 at end of input, SQLITCH_ERROR when the reader hits bad UTF-8. */
static int next_line(parser *ps, const char **line, size_t *n) {
  if (ps->release && ps->pos - ps->released >= RELEASE_STEP) release_read(ps);
  if (ps->utf8_bad && ps->lineno == ps->utf8_at) {
    sqlitch_buf m = SQLITCH_BUF_INIT;
    sqlitch_buf_addf(&m, "%s at %s line %d", sqlitch_buf_str(&ps->utf8_msg),
                     PERL_PLAN_PM,
                     ps->in_header ? PERL_HEADER_LINE : PERL_BODY_LINE);
    if (ps->lineno > 0)
      sqlitch_buf_addf(&m, ", <%s> line %ld", ps->fhname, ps->lineno);
    sqlitch_buf_add(&m, ".\n");
    sqlitch_err_set(ps->err, SQLITCH_E_PARSE, 2, "%s", m.p);
    sqlitch_buf_free(&m);
    return SQLITCH_ERROR;
  }
  if (ps->pos >= ps->len) return 0;
  const char *s = ps->data + ps->pos;
  const char *nl = memchr(s, '\n', ps->len - ps->pos);
  size_t l;
  if (nl) {
    l = (size_t)(nl - s);
    ps->pos += l + 1;
    if (l > 0 && s[l - 1] == '\r') l--;
  } else {
    l = ps->len - ps->pos;
    ps->pos = ps->len;
    if (l == 1 && s[0] == '0') return 0; /* while (my $line = ...) */
  }
  ps->lineno++;
  if (ps->nul_line == ps->lineno)
    return syntax_error(ps, "NUL character not allowed");
  *line = s;
  *n = l;
  return 1;
}

/* Parse state of a change name (kept in the plan index; with create,
   `name` must live in the plan arena). */
static plan_name *name_state(parser *ps, const char *name, int create) {
  return plan_name_entry(ps->plan, name, create);
}

/* The entry of change ci's name. */
static plan_name *change_state(parser *ps, size_t ci) {
  return &((plan_index *)ps->plan->index)->nm[ps->cpn[ci]];
}

static void set_pragma(parser *ps, const char *key, const char *val) {
  long v;
  if (plan_hmap_get(&ps->pragmas, key, &v)) {
    ps->pvals[v] = val;
    return;
  }
  ps->pvals = grow(ps->pvals, &ps->cappv, ps->npv, sizeof *ps->pvals);
  ps->pvals[ps->npv] = val;
  plan_hmap_put(&ps->pragmas, sqlitch_arena_strdup(ps->a, key), (long)ps->npv);
  ps->npv++;
}

static const char *get_pragma(parser *ps, const char *key) {
  long v;
  return plan_hmap_get(&ps->pragmas, key, &v) ? ps->pvals[v] : NULL;
}

/* Blank or comment line:
 * \A(?<lspace>[[:blank:]]*)(?:#[[:blank:]]*(?<note>.+)|$) */
static int match_blank(const char *s, size_t n, size_t *lspace,
                       const char **note, size_t *note_len) {
  const char *end = s + n, *p = s;
  size_t k;
  while ((k = plan_blank_at(p, end)))
    p += k;
  *lspace = (size_t)(p - s);
  *note = NULL;
  if (p == end) return 1;
  if (*p != '#' || p + 1 == end) return 0;
  p++;
  while ((k = plan_blank_at(p, end)) && p + k < end)
    p += k;
  *note = p;
  *note_len = (size_t)(end - p);
  return 1;
}

/* Strip the inline note:
   s/(?<rspace>[[:blank:]]*)(?:[#][[:blank:]]*(?<note>.*))?$//. Returns the
   length of what is left; rspace/note are arena strings (note NULL when there
   was no "#"). */
static size_t strip_note(parser *ps, const char *s, size_t n,
                         const char **rspace, const char **note_raw,
                         size_t *note_len) {
  const char *end = s + n;
  const char *hash = memchr(s, '#', n);
  const char *stop = hash ? hash : end;
  /* the blank run that ends at `stop` */
  const char *p = s, *run = s;
  if (plan_is_ascii(s, (size_t)(stop - s))) {
    /* the usual line: only spaces and tabs are blanks */
    run = stop;
    while (run > s && (run[-1] == ' ' || run[-1] == '\t'))
      run--;
    p = stop;
  }
  while (p < stop) {
    unsigned char ch = (unsigned char)*p;
    if (ch == ' ' || ch == '\t') {
      p++;
    } else if (ch < 0x80) {
      run = ++p;
    } else {
      size_t k = plan_blank_at(p, stop);
      if (k) {
        p += k;
      } else {
        const char *q = p;
        if (sqlitch_utf8_decode(&q, stop) < 0) q = p + 1;
        run = p = q;
      }
    }
  }
  *rspace = run == stop ? ""
            : stop - run == 1 && *run == ' '
                ? " "
                : sqlitch_arena_strndup(ps->a, run, (size_t)(stop - run));
  *note_raw = NULL;
  *note_len = 0;
  if (hash) {
    const char *q = hash + 1;
    size_t k;
    while ((k = plan_blank_at(q, end)))
      q += k;
    *note_raw = q;
    *note_len = (size_t)(end - q);
  }
  return (size_t)(run - s);
}

/* Capture group g of the last match, or NULL when it did not take part. */
static const char *cap(parser *ps, const char *s, int g) {
  if (g < 0) return NULL;
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ps->md);
  if (ov[2 * g] == PCRE2_UNSET) return NULL;
  if (ov[2 * g + 1] == ov[2 * g]) return "";
  if (ov[2 * g + 1] - ov[2 * g] == 1 && s[ov[2 * g]] == ' ')
    return " "; /* the usual blank before a note or the dependencies */
  return sqlitch_arena_strndup(ps->a, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

/* Did group g take part in the last match? */
static int took_part(parser *ps, int g) {
  return g >= 0 && pcre2_get_ovector_pointer(ps->md)[2 * g] != PCRE2_UNSET;
}

/* A copy of group g shared with every equal string seen before (planner
   names, emails and timestamps repeat on almost every line). */
static const char *cap_interned(parser *ps, const char *s, int g) {
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ps->md);
  if (g < 0 || ov[2 * g] == PCRE2_UNSET) return NULL;
  const char *k = s + ov[2 * g];
  size_t n = ov[2 * g + 1] - ov[2 * g];
  long v;
  if (plan_hmap_getn(&ps->interned, k, n, &v)) return ps->istr[v];
  const char *c = sqlitch_arena_strndup(ps->a, k, n);
  ps->istr = grow(ps->istr, &ps->capistr, ps->nistr, sizeof *ps->istr);
  ps->istr[ps->nistr] = c;
  plan_hmap_put(&ps->interned, c, (long)ps->nistr++);
  return c;
}

/* ------------------------------------------------------------ timestamps */

static const long leap_days[] = {
    19720630, 19721231, 19731231, 19741231, 19751231, 19761231, 19771231,
    19781231, 19791231, 19810630, 19820630, 19830630, 19850630, 19871231,
    19891231, 19901231, 19920630, 19930630, 19940630, 19951231, 19970630,
    19981231, 20051231, 20081231, 20120630, 20150630, 20161231};

static int num(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

/* Would DateTime->new accept this "YYYY-MM-DDTHH:MM:SSZ"? */
static int timestamp_valid(const char *ts) {
  static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y, mo, d, h, mi, s;
  if (strlen(ts) != 20 || !num(ts, 4, &y) || !num(ts + 5, 2, &mo) ||
      !num(ts + 8, 2, &d) || !num(ts + 11, 2, &h) || !num(ts + 14, 2, &mi) ||
      !num(ts + 17, 2, &s))
    return 0;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59) return 0;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > dim[mo - 1] + (mo == 2 && leap)) return 0;
  if (s == 60) {
    long day = (long)y * 10000 + mo * 100 + d;
    if (h != 23 || mi != 59) return 0;
    for (size_t i = 0; i < sizeof leap_days / sizeof leap_days[0]; i++)
      if (leap_days[i] == day) return 1;
    return 0;
  }
  return s <= 59;
}

/* --------------------------------------------------------- check_changes */

static int is_seen(parser *ps, const char *key) {
  long v;
  if (key[0] == '@') return plan_hmap_get(&ps->tag_lines, key + 1, &v);
  plan_name *p = name_state(ps, key, 0);
  return p && p->seen_line > 0;
}

static long seen_line(parser *ps, const char *key) {
  long v;
  if (key[0] == '@') return plan_hmap_get(&ps->tag_lines, key + 1, &v) ? v : 0;
  plan_name *p = name_state(ps, key, 0);
  return p ? p->seen_line : 0;
}

static long sec_pos(parser *ps, const char *key) {
  plan_name *p = name_state(ps, key, 0);
  return p && p->section == ps->section ? p->sec_pos : 0;
}

typedef struct bad_dep {
  size_t change;
  char *key;
} bad_dep;

/* Plan.pm check_changes over the changes of the current tag section. */
static int check_changes(parser *ps) {
  sqlitch_plan *plan = ps->plan;
  size_t from = ps->sec_start, to = plan->nchanges;
  bad_dep *bad = NULL;
  size_t nbad = 0, capbad = 0;
  long pos = 0;
  sqlitch_buf key = SQLITCH_BUF_INIT;
  for (size_t i = from; i < to; i++) {
    sqlitch_change *c = &plan->changes[i];
    for (size_t j = 0; j < c->nrequires; j++) {
      sqlitch_dep *d = &c->requires[j];
      if (d->project) {
        if (strcmp(d->project, plan->project)) continue;
      } else if (d->id) {
        continue;
      }
      sqlitch_buf_reset(&key);
      plan_dep_key(&key, d);
      const char *k = sqlitch_buf_str(&key);
      const char *at = strchr(k, '@');
      if (at && at > k) {
        char *chg = sqlitch_strndup(k, (size_t)(at - k));
        long tag_at = seen_line(ps, at), change_at = seen_line(ps, chg);
        free(chg);
        if (tag_at && change_at && change_at < tag_at) continue;
      } else if (is_seen(ps, k) || sec_pos(ps, k)) {
        continue;
      }
      bad = grow(bad, &capbad, nbad, sizeof *bad);
      bad[nbad].change = i;
      bad[nbad++].key = sqlitch_strdup(k);
    }
    plan_name *p = change_state(ps, i);
    p->section = ps->section;
    p->sec_pos = ++pos;
  }
  sqlitch_buf_free(&key);
  if (!nbad) return SQLITCH_OK;

  sqlitch_strv errors = SQLITCH_STRV_INIT;
  for (size_t b = 0; b < nbad;) {
    size_t ci = bad[b].change;
    const char *change = plan->changes[ci].name;
    long max_delta = 0;
    for (; b < nbad && bad[b].change == ci; b++) {
      const char *dep = bad[b].key;
      long dpos;
      if (!strcmp(change, dep)) {
        sqlitch_strv_push_owned(
            &errors,
            sqlitch_mprintf("Change \"%s\" cannot require itself", change));
      } else if ((dpos = sec_pos(ps, dep))) {
        long delta = dpos - sec_pos(ps, change);
        if (delta > max_delta) max_delta = delta;
        sqlitch_strv_push_owned(
            &errors, sqlitch_mprintf("Change \"%s\" planned %ld %s before "
                                     "required change \"%s\"",
                                     change, delta,
                                     delta == 1 ? "change" : "changes", dep));
      } else {
        sqlitch_strv_push_owned(
            &errors,
            sqlitch_mprintf("Unknown change \"%s\" required by change \"%s\"",
                            dep, change));
      }
    }
    if (max_delta) {
      char *last = errors.v[errors.n - 1];
      errors.v[errors.n - 1] = sqlitch_mprintf(
          "%s\n    HINT: move \"%s\" down %ld %s in %s", last, change,
          max_delta, max_delta == 1 ? "line" : "lines", ps->file);
      free(last);
    }
  }
  for (size_t b = 0; b < nbad; b++)
    free(bad[b].key);
  free(bad);
  char *joined = sqlitch_strv_join(&errors, "\n  ");
  sqlitch_err_set(ps->err, SQLITCH_E_PARSE, 2, "%s\n  %s",
                  errors.n == 1 ? "Dependency error detected:"
                                : "Dependency errors detected:",
                  joined);
  free(joined);
  sqlitch_strv_free(&errors);
  return SQLITCH_ERROR;
}

/* End of a tag section: %line_no_for = (%line_no_for, %tag_changes, ...). */
static void close_section(parser *ps) {
  sqlitch_plan *plan = ps->plan;
  for (size_t i = ps->sec_start; i < plan->nchanges; i++)
    change_state(ps, i)->seen_line = (long)plan->changes[i].lineno;
  ps->section++;
  ps->sec_start = plan->nchanges;
}

/* ----------------------------------------------------------- header */

/* s/\s+$// */
static const char *rtrim_space(sqlitch_arena *a, const char *s) {
  const char *p = s, *end = s + strlen(s), *last = s;
  while (p < end) {
    const char *q = p;
    int32_t c = sqlitch_utf8_decode(&q, end);
    if (c < 0) q = p + 1;
    if (!plan_is_space(c)) last = q;
    p = q;
  }
  return last == end ? s : sqlitch_arena_strndup(a, s, (size_t)(last - s));
}

static int parse_pragma(parser *ps, const char *s, size_t n) {
  const char *rspace, *note_raw;
  size_t note_len;
  size_t m = strip_note(ps, s, n, &rspace, &note_raw, &note_len);
  const plan_rx_groups *g = plan_rx_group();
  if (!plan_rx_match(PLAN_RX_PRAGMA, s, m, ps->md))
    return syntax_error(
        ps,
        "Invalid pragma; a blank line must come between pragmas and changes");
  const char *name = cap(ps, s, g->p_name);
  const char *value = cap(ps, s, g->p_value);
  if (!strcmp(name, "syntax-version")) {
    value = SQLITCH_PLAN_SYNTAX_VERSION;
    set_pragma(ps, "syntax_version", value);
  } else if (!strcmp(name, "project")) {
    if (!value) {
      /* "%project" without a value: Perl warns about the undef, and __x
         leaves the placeholder in the message */
      syntax_error(
          ps,
          "invalid project name \"{project}\": project names must not begin "
          "with punctuation, contain \"@\", \":\", \"#\", \"\\\", or blanks, "
          "or "
          "end in punctuation or digits following punctuation");
      char *m = ps->err->msg;
      ps->err->msg = sqlitch_mprintf(
          "Use of uninitialized value $proj in pattern match (m//) at %s "
          "line 238, <%s> line %ld.\n%s",
          PERL_PLAN_PM, ps->fhname, ps->lineno, m);
      free(m);
      return SQLITCH_ERROR;
    }
    const char *proj = value;
    if (!sqlitch_name_valid(proj))
      return syntax_error(
          ps,
          "invalid project name \"%s\": project names must not begin with "
          "punctuation, contain \"@\", \":\", \"#\", \"\\\", or blanks, or end "
          "in punctuation or digits following punctuation",
          proj);
    set_pragma(ps, "project", proj);
  } else {
    set_pragma(ps, name, value ? value : "1");
  }
  sqlitch_plan_line *l = plan_grow_lines(ps->plan);
  l->type = SQLITCH_LINE_PRAGMA;
  l->lspace = cap(ps, s, g->p_lspace);
  if (!l->lspace) l->lspace = "";
  l->hspace = cap(ps, s, g->p_hspace);
  if (!l->hspace) l->hspace = "";
  l->name = name;
  const char *x;
  if ((x = cap(ps, s, g->p_lopspace))) l->lopspace = x;
  if ((x = cap(ps, s, g->p_op))) l->operator= x;
  if ((x = cap(ps, s, g->p_ropspace))) l->ropspace = x;
  /* Pragma::BUILDARGS: s/\s+$// when true */
  if (perl_true(value)) value = rtrim_space(ps->a, value);
  l->value = value;
  l->rspace = rspace;
  /* Pragma::BUILDARGS replaces Line's: the note is kept raw (not trimmed,
     not unescaped), so writing escapes its backslashes again */
  l->note = note_raw ? sqlitch_arena_strndup(ps->a, note_raw, note_len) : "";
  return SQLITCH_OK;
}

static void add_blank(parser *ps, const char *s, size_t lspace,
                      const char *note, size_t note_len) {
  sqlitch_plan_line *l = plan_grow_lines(ps->plan);
  l->type = SQLITCH_LINE_BLANK;
  l->lspace = sqlitch_arena_strndup(ps->a, s, lspace);
  l->note = note ? plan_note_build(ps->a, note, note_len) : "";
}

/* ------------------------------------------------------------- body */

/* split /[[:blank:]]+/, $deps (Perl semantics: a leading empty field is
   kept, trailing empty fields are dropped). */
static void split_blanks(const char *s, sqlitch_strv *out) {
  const char *end = s + strlen(s), *p = s;
  while (p <= end) {
    const char *f = p;
    size_t k = 0;
    while (p < end && !(k = plan_blank_at(p, end))) {
      const char *q = p;
      if (sqlitch_utf8_decode(&q, end) < 0) q = p + 1;
      p = q;
    }
    sqlitch_strv_pushn(out, f, (size_t)(p - f));
    if (p == end) break;
    while ((k = plan_blank_at(p, end)))
      p += k;
    if (p == end) break;
  }
  while (out->n && !out->v[out->n - 1][0]) {
    free(out->v[--out->n]);
    out->v[out->n] = NULL;
  }
}

static int parse_deps(parser *ps, const char *deps, sqlitch_change *c) {
  sqlitch_strv toks = SQLITCH_STRV_INIT;
  split_blanks(deps, &toks);
  if (toks.n + 1 > ps->capdeps) {
    ps->capdeps = toks.n + 16;
    ps->deps = sqlitch_realloc(ps->deps, ps->capdeps * sizeof *ps->deps);
  }
  sqlitch_dep *all = ps->deps;
  size_t nreq = 0, ncon = 0;
  plan_hmap seen = {0};
  int rc = SQLITCH_OK;
  for (size_t i = 0; i < toks.n; i++) {
    sqlitch_dep d;
    if (!plan_dep_parse(ps->a, ps->plan->project, toks.v[i], strlen(toks.v[i]),
                        ps->md, &d)) {
      rc = syntax_error(ps, "\"%s\" is not a valid dependency specification",
                        toks.v[i]);
      break;
    }
    long v;
    if (plan_hmap_get(&seen, toks.v[i], &v)) {
      rc = syntax_error(ps, "Duplicate dependency \"%s\"", toks.v[i]);
      break;
    }
    plan_hmap_put(&seen, toks.v[i], 1);
    all[i] = d;
    if (d.conflicts)
      ncon++;
    else
      nreq++;
  }
  plan_hmap_free(&seen);
  if (rc == SQLITCH_OK) {
    /* one block: the requires, an end slot, the conflicts, an end slot */
    c->requires =
        sqlitch_arena_alloc(ps->a, (nreq + ncon + 2) * sizeof *c->requires);
    c->conflicts = c->requires + nreq + 1;
    for (size_t i = 0; i < toks.n; i++) {
      if (all[i].conflicts)
        c->conflicts[c->nconflicts++] = all[i];
      else
      c->requires[c->nrequires++] = all[i];
    }
  }
  sqlitch_strv_free(&toks);
  return rc;
}

/* A change reworked by the one being added gets its rework tags: the tags
   of every change after it (walking back from the end of the completed
   sections), then its own. */
static void set_rework_tags(parser *ps, long duped) {
  sqlitch_plan *plan = ps->plan;
  sqlitch_change *d = &plan->changes[duped];
  size_t n = 0;
  for (long t = (long)plan->ntags - 1;
       t >= 0 && plan->tags[t].change > (size_t)duped; t--)
    n++;
  n += d->ntags;
  const char **v =
      sqlitch_arena_alloc(ps->a, (n + d->nrework_tags + 1) * sizeof *v);
  size_t k = 0;
  for (size_t i = 0; i < d->nrework_tags; i++)
    v[k++] = d->rework_tags[i];
  /* groups by change, newest change first, each group in plan order */
  long t = (long)plan->ntags - 1;
  while (t >= 0 && plan->tags[t].change > (size_t)duped) {
    long g = t;
    while (g > 0 && plan->tags[g - 1].change == plan->tags[t].change)
      g--;
    for (long j = g; j <= t; j++)
      v[k++] = plan->tags[j].name;
    t = g - 1;
  }
  for (size_t i = 0; i < d->ntags; i++)
    v[k++] = plan->tags[d->tags[i]].name;
  d->rework_tags = v;
  d->nrework_tags = k;
}

static void attach_tag(sqlitch_plan *plan, sqlitch_change *c, size_t tag) {
  size_t *v = sqlitch_arena_alloc(plan->arena, (c->ntags + 1) * sizeof *v);
  if (c->ntags) memcpy(v, c->tags, c->ntags * sizeof *v);
  v[c->ntags++] = tag;
  c->tags = v;
}

static int parse_body_line(parser *ps, const char *s, size_t n) {
  sqlitch_plan *plan = ps->plan;
  const plan_rx_groups *g = plan_rx_group();
  const char *rspace, *note_raw;
  size_t note_len;
  size_t m = strip_note(ps, s, n, &rspace, &note_raw, &note_len);

  const char *p = s, *end = s + m;
  size_t k;
  while ((k = plan_blank_at(p, end)))
    p += k;
  int is_tag = p < end && *p == '@';

  const char *name = NULL, *deps = NULL, *yr = NULL, *pname_ = NULL,
             *pemail = NULL, *lspace = NULL, *lop = NULL, *op = NULL,
             *rop = NULL, *pspace = NULL, *ts = NULL;
  if (plan_line_match(s, m, ps->md)) {
    name = cap(ps, s, g->name);
    deps = cap(ps, s, g->deps);
    yr = took_part(ps, g->yr) ? "" : NULL;
    pname_ = cap_interned(ps, s, g->pname);
    pemail = cap_interned(ps, s, g->pemail);
    lspace = cap(ps, s, g->lspace);
    lop = cap(ps, s, g->lopspace);
    op = cap(ps, s, g->op);
    rop = cap(ps, s, g->ropspace);
    pspace = cap(ps, s, g->pspace);
    if (yr) {
      PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ps->md);
      ov[2 * g->yr + 1] = ov[2 * g->sc + 1] + 1; /* the whole timestamp */
      ts = cap(ps, s, g->yr); /* mostly distinct: not worth interning */
    }
  }

  if (!perl_true(name) || (!yr && plan_rx_match(PLAN_RX_TS, s, m, ps->md)))
    return syntax_error(
        ps, "Invalid name; names must not begin with punctuation, contain "
            "\"@\", \":\", \"#\", \"\\\", or blanks, or end in punctuation or "
            "digits following punctuation");
  if (!yr && !perl_true(pname_))
    return syntax_error(ps, "Missing timestamp and planner name and email");
  if (!yr) return syntax_error(ps, "Missing timestamp");
  if (!perl_true(pname_))
    return syntax_error(ps, "Missing planner name and email");
  if (!strcmp(name, "HEAD") || !strcmp(name, "ROOT"))
    return syntax_error(ps, "\"%s%s\" is a reserved name", is_tag ? "@" : "",
                        name);
  if (strlen(name) >= 40) {
    int hex = 1;
    for (int i = 0; i < 40 && hex; i++)
      hex = (name[i] >= '0' && name[i] <= '9') ||
            (name[i] >= 'a' && name[i] <= 'f');
    if (hex)
      return syntax_error(
          ps, "\"%s\" is invalid because it could be confused with a SHA1 ID",
          name);
  }
  if (!timestamp_valid(ts)) return syntax_error(ps, "Invalid timestamp");

  const char *note = note_raw ? plan_note_build(ps->a, note_raw, note_len) : "";

  if (is_tag) {
    long v;
    if (strchr(name, '/'))
      return syntax_error(ps, "Tag \"%s\" contains illegal character /", name);
    if (plan->nchanges == 0)
      return syntax_error(ps, "Tag \"%s\" declared without a preceding change",
                          name);
    if (plan_hmap_get(&ps->tag_lines, name, &v))
      return syntax_error(
          ps, "Tag \"%s\" duplicates earlier declaration on line %ld", name, v);
    if (perl_true(deps))
      return syntax_error(ps, "Tags may not specify dependencies");
    if (ps->sec_start < plan->nchanges && check_changes(ps))
      return SQLITCH_ERROR;

    size_t ti = plan->ntags;
    sqlitch_tag *t = plan_grow_tags(plan);
    t->name = name;
    t->timestamp = ts;
    t->planner_name = pname_;
    t->planner_email = pemail;
    t->note = note;
    t->change = plan->nchanges - 1;
    t->line = plan->nlines;
    attach_tag(plan, &plan->changes[t->change], ti);

    sqlitch_plan_line *l = plan_grow_lines(plan);
    l->type = SQLITCH_LINE_TAG;
    l->index = ti;
    l->name = name;
    l->lspace = lspace ? lspace : "";
    l->rspace = rspace;
    l->note = note;
    close_section(ps);
    plan_hmap_put(&ps->tag_lines, name, ps->lineno);
    return SQLITCH_OK;
  }

  plan_name *pn = name_state(ps, name, 1);
  if (pn->section == ps->section && pn->sec_line)
    return syntax_error(
        ps, "Change \"%s\" duplicates earlier declaration on line %ld", name,
        pn->sec_line);

  sqlitch_change tmp;
  memset(&tmp, 0, sizeof tmp);
  if (perl_true(deps) && parse_deps(ps, deps, &tmp)) return SQLITCH_ERROR;

  if (pn->section != ps->section) {
    pn->section = ps->section;
    pn->sec_pos = 0;
  }
  pn->sec_line = ps->lineno;

  size_t ci = plan->nchanges;
  ps->cpn = grow(ps->cpn, &ps->capcpn, ci, sizeof *ps->cpn);
  plan_index *ix = plan->index;
  ps->cpn[ci] = (size_t)(pn - ix->nm);
  sqlitch_change *c = plan_grow_changes(plan);
  *c = tmp;
  c->name = name;
  c->op = op ? op : "";
  c->timestamp = ts;
  c->planner_name = pname_;
  c->planner_email = pemail;
  c->note = note;
  c->line = plan->nlines;
  c->lineno = (size_t)ps->lineno;

  sqlitch_plan_line *l = plan_grow_lines(plan);
  l->type = SQLITCH_LINE_CHANGE;
  l->index = ci;
  l->name = name;
  l->lspace = lspace ? lspace : "";
  if (lop) l->lopspace = lop;
  if (op) l->operator= op;
  if (rop) l->ropspace = rop;
  l->pspace = pspace ? pspace : " ";
  l->rspace = rspace;
  l->note = note;

  if (pn->last >= 0) set_rework_tags(ps, pn->last);
  ix->prev[ci] = pn->last;
  if (pn->first < 0) pn->first = (long)ci;
  pn->last = (long)ci;
  pn->count++;
  return SQLITCH_OK;
}

/* ----------------------------------------------------------------- parse */

static void parser_free(parser *ps) {
  pcre2_match_data_free(ps->md);
  sqlitch_buf_free(&ps->tmp);
  sqlitch_buf_free(&ps->utf8_msg);
  plan_hmap_free(&ps->tag_lines);
  plan_hmap_free(&ps->pragmas);
  plan_hmap_free(&ps->interned);
  free(ps->istr);
  free(ps->cpn);
  free(ps->pvals);
  free(ps->deps);
}

/* Where the first bad byte (UTF-8 or NUL) makes the reader fail. */
static void prescan(parser *ps) {
  size_t detect;
  int eof;
  if (plan_utf8_check(ps->data, ps->len, &detect, &eof, &ps->utf8_msg)) {
    size_t upto = eof ? ps->len : detect / UTF8_CHUNK * UTF8_CHUNK;
    long nl = 0;
    for (const char *p = ps->data, *e = ps->data + upto;
         (p = memchr(p, '\n', (size_t)(e - p))); p++)
      nl++;
    ps->utf8_bad = 1;
    ps->utf8_at = nl;
  }
  const char *z = memchr(ps->data, '\0', ps->len);
  if (z) {
    long nl = 1;
    for (const char *p = ps->data; (p = memchr(p, '\n', (size_t)(z - p))); p++)
      nl++;
    ps->nul_line = nl;
  }
}

/* Size every array and table once from the number of lines, so that a
   big plan is not copied around while it grows (untouched capacity costs
   no memory). */
static void presize(parser *ps) {
  size_t nl = 1;
  for (const char *p = ps->data, *e = ps->data + ps->len;
       (p = memchr(p, '\n', (size_t)(e - p))); p++)
    nl++;
  ps->nl = nl;
  sqlitch_plan *plan = ps->plan;
  plan_index *ix = plan->index;
  if (!ix->no_lines) {
    ix->cap_lines = nl + 1;
    plan->lines = sqlitch_malloc(ix->cap_lines * sizeof *plan->lines);
  }
  ix->cap_changes = nl;
  plan->changes = sqlitch_malloc(ix->cap_changes * sizeof *plan->changes);
  ix->cap_tags = nl;
  plan->tags = sqlitch_malloc(ix->cap_tags * sizeof *plan->tags);
  ps->capcpn = nl;
  ps->cpn = sqlitch_malloc(ps->capcpn * sizeof *ps->cpn);
  ix->capnm = nl;
  ix->nm = sqlitch_malloc(ix->capnm * sizeof *ix->nm);
  ix->capprev = nl + 1;
  ix->prev = sqlitch_malloc(ix->capprev * sizeof *ix->prev);
  plan_hmap_reserve(&ix->names, nl);
  plan_hmap_reserve(&ix->ids, nl);
}

/* ------------------------------------------------ IDs alongside the parse

   A change's ID hashes its own fields and its predecessor's ID, all known
   once its line is parsed (plus the header's project and uri). For a big
   plan a second thread computes them while the parser reads on: the parser
   publishes how many changes are complete (`ready`, release order), and
   the thread hashes up to there, sleeping on `cv` when it has caught up.
   The changes array is sized once from the line count (presize) and never
   moves while the thread reads it. Tags are hashed after the parse. */
#define PIPE_MIN_LINES 2048 /* below this a thread costs more than it saves */
#define PIPE_BATCH 128      /* changes published between two wake-ups */

typedef struct id_pipe {
  sqlitch_plan *plan;
  sqlitch_change *changes; /* plan->changes, which does not move */
  char *canon;
  atomic_size_t ready;
  atomic_int done; /* the parser has finished (or failed) */
  size_t signalled;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t thread;
} id_pipe;

static void change_info(sqlitch_buf *b, const sqlitch_plan *plan,
                        const sqlitch_change *c, const char *canon_uri,
                        const char *parent_id);
static void hash_info(const char *kind, sqlitch_buf *b, char out[41]);
static char *canon_uri_of(const sqlitch_plan *plan);

static void *pipe_main(void *arg) {
  id_pipe *p = arg;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  size_t i = 0;
  for (;;) {
    size_t r = atomic_load_explicit(&p->ready, memory_order_acquire);
    if (i == r) {
      pthread_mutex_lock(&p->mu);
      while (!atomic_load(&p->done) && atomic_load(&p->ready) == i)
        pthread_cond_wait(&p->cv, &p->mu);
      pthread_mutex_unlock(&p->mu);
      r = atomic_load_explicit(&p->ready, memory_order_acquire);
      if (i == r) break; /* done, and nothing more */
    }
    for (; i < r; i++) {
      sqlitch_change *c = &p->changes[i];
      sqlitch_buf_reset(&b);
      change_info(&b, p->plan, c, p->canon, i ? p->changes[i - 1].id : NULL);
      hash_info("change", &b, c->id);
    }
  }
  sqlitch_buf_free(&b);
  return NULL;
}

static void pipe_start(parser *ps) {
  plan_index *ix = ps->plan->index;
  if (ps->nl < PIPE_MIN_LINES || ix->cap_changes < ps->nl) return;
  id_pipe *p = sqlitch_calloc(1, sizeof *p);
  p->plan = ps->plan;
  p->changes = ps->plan->changes;
  p->canon = canon_uri_of(ps->plan);
  atomic_init(&p->ready, 0);
  atomic_init(&p->done, 0);
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv, NULL);
  if (pthread_create(&p->thread, NULL, pipe_main, p) != 0) {
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->canon);
    free(p);
    return; /* plan_compute_ids does it all after the parse */
  }
  ps->pipe = p;
}

static void pipe_wake(id_pipe *p) {
  pthread_mutex_lock(&p->mu);
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

/* Changes [0, n) are complete. */
static void pipe_publish(parser *ps, size_t n) {
  id_pipe *p = ps->pipe;
  if (!p) return;
  atomic_store_explicit(&p->ready, n, memory_order_release);
  if (n - p->signalled >= PIPE_BATCH) {
    p->signalled = n;
    pipe_wake(p);
  }
}

/* Wait for the thread; 1 when it hashed every change. */
static int pipe_finish(parser *ps) {
  id_pipe *p = ps->pipe;
  if (!p) return 0;
  ps->pipe = NULL;
  atomic_store(&p->done, 1);
  pipe_wake(p);
  pthread_join(p->thread, NULL);
  int all = atomic_load(&p->ready) == p->plan->nchanges;
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->cv);
  free(p->canon);
  free(p);
  return all;
}

/* The line parsed last (the scratch line of a read-only load). */
static sqlitch_plan_line *last_line(sqlitch_plan *plan) {
  plan_index *ix = plan->index;
  return ix->no_lines ? &ix->scratch : &plan->lines[plan->nlines - 1];
}

static int parse(parser *ps) {
  sqlitch_plan *plan = ps->plan;
  const char *s;
  size_t n, lsp, note_len;
  const char *note;
  int rc;

  ps->in_header = 1;
  while ((rc = next_line(ps, &s, &n)) == 1) {
    if (match_blank(s, n, &lsp, &note, &note_len)) {
      add_blank(ps, s, lsp, note, note_len);
      if (!perl_true(last_line(plan)->note)) break;
      continue;
    }
    if (parse_pragma(ps, s, n)) return SQLITCH_ERROR;
  }
  if (rc < 0) return SQLITCH_ERROR;
  ps->in_header = 0;

  if (!perl_true(get_pragma(ps, "syntax_version"))) {
    /* unshift a "%syntax-version=1.0.0" line */
    plan_grow_lines(plan);
    sqlitch_plan_line *l = last_line(plan);
    if (!((plan_index *)plan->index)->no_lines) {
      memmove(plan->lines + 1, plan->lines,
              (plan->nlines - 1) * sizeof *plan->lines);
      l = &plan->lines[0];
    }
    memset(l, 0, sizeof *l);
    l->type = SQLITCH_LINE_PRAGMA;
    l->lspace = l->rspace = l->hspace = l->lopspace = l->ropspace = l->pspace =
        "";
    l->operator= "=";
    l->name = "syntax-version";
    l->value = SQLITCH_PLAN_SYNTAX_VERSION;
    l->note = "";
    set_pragma(ps, "syntax_version", SQLITCH_PLAN_SYNTAX_VERSION);
  }
  plan->syntax_version = get_pragma(ps, "syntax_version");
  plan->project = get_pragma(ps, "project");
  plan->uri = get_pragma(ps, "uri");
  if (!perl_true(plan->project))
    return sqlitch_err_set(ps->err, SQLITCH_E_PARSE, 2,
                           "Missing %%project pragma in %s", ps->file);

  pipe_start(ps);
  while ((rc = next_line(ps, &s, &n)) == 1) {
    if (match_blank(s, n, &lsp, &note, &note_len)) {
      add_blank(ps, s, lsp, note, note_len);
      continue;
    }
    if (parse_body_line(ps, s, n)) return SQLITCH_ERROR;
    pipe_publish(ps, plan->nchanges);
  }
  if (rc < 0) return SQLITCH_ERROR;
  if (ps->sec_start < plan->nchanges && check_changes(ps)) return SQLITCH_ERROR;
  return SQLITCH_OK;
}

static void plan_compute_tag_ids(sqlitch_plan *plan);

/* Parse `data`; with `owned` the text (malloc'd) is freed as soon as the
   lines are read, before the IDs and lookup tables take their memory:
   a lower peak for big plans. */
static int parse_as(const char *file, const char *fhname, char *data,
                    size_t len, int owned, int no_lines, sqlitch_plan **out,
                    sqlitch_err *err) {
  *out = NULL;
  sqlitch_plan *plan = plan_alloc(file);
  ((plan_index *)plan->index)->no_lines = no_lines;
  parser ps;
  memset(&ps, 0, sizeof ps);
  ps.plan = plan;
  ps.a = plan->arena;
  ps.file = plan->file;
  ps.fhname = fhname && *fhname ? fhname : "GEN0";
  ps.data = data ? data : "";
  ps.len = data ? len : 0;
  ps.release = owned && data;
  ps.md = plan_rx_md_new();
  ps.err = err;
  prescan(&ps);
  presize(&ps);
  int rc = parse(&ps);
  int hashed = pipe_finish(&ps);
  parser_free(&ps);
  if (owned) free(data);
  if (rc) {
    sqlitch_plan_free(plan);
    return SQLITCH_ERROR;
  }
  if (no_lines) plan->nlines = 0;
  if (hashed)
    plan_compute_tag_ids(plan);
  else
    plan_compute_ids(plan);
  plan_reindex_ids(plan);
  plan_resolve_deps(plan);
  *out = plan;
  return SQLITCH_OK;
}

int sqlitch_plan_parse(const char *file, const char *data, size_t len,
                       sqlitch_plan **out, sqlitch_err *err) {
  return parse_as(file, NULL, (char *)data, len, 0, 0, out, err);
}

static int load(const char *file, const char *perl_fh, int no_lines,
                sqlitch_plan **out, sqlitch_err *err) {
  *out = NULL;
  if (!sqlitch_path_exists(file))
    return sqlitch_err_set(err, SQLITCH_E_IO, 2, "Plan file %s does not exist",
                           file);
  if (!sqlitch_is_file(file))
    return sqlitch_err_set(err, SQLITCH_E_IO, 2,
                           "Plan file %s is not a regular file", file);
  char *data;
  size_t len;
  if (sqlitch_read_file(file, &data, &len, err)) return SQLITCH_ERROR;
  return parse_as(file, perl_fh, data, len, 1, no_lines, out, err);
}

int sqlitch_plan_load_as(const char *file, const char *perl_fh,
                         sqlitch_plan **out, sqlitch_err *err) {
  return load(file, perl_fh, 0, out, err);
}

int sqlitch_plan_load(const char *file, sqlitch_plan **out, sqlitch_err *err) {
  return load(file, NULL, 0, out, err);
}

int sqlitch_plan_load_ro(const char *file, sqlitch_plan **out,
                         sqlitch_err *err) {
  return load(file, NULL, 1, out, err);
}

sqlitch_plan *sqlitch_plan_new(const char *file, const char *project,
                               const char *uri) {
  sqlitch_plan *plan = plan_alloc(file);
  sqlitch_arena *a = plan->arena;
  plan->project = sqlitch_arena_strdup(a, project ? project : "");
  plan->syntax_version = SQLITCH_PLAN_SYNTAX_VERSION;
  sqlitch_plan_line *l = plan_grow_lines(plan);
  l->type = SQLITCH_LINE_PRAGMA;
  l->name = "syntax-version";
  l->operator= "=";
  l->value = SQLITCH_PLAN_SYNTAX_VERSION;
  l->note = "";
  l = plan_grow_lines(plan);
  l->type = SQLITCH_LINE_PRAGMA;
  l->name = "project";
  l->operator= "=";
  l->value = plan->project;
  l->note = "";
  if (perl_true(uri)) {
    char *canon = sqlitch_uri_canonical(uri);
    plan->uri = sqlitch_arena_strdup(a, canon);
    free(canon);
    l = plan_grow_lines(plan);
    l->type = SQLITCH_LINE_PRAGMA;
    l->name = "uri";
    l->operator= "=";
    l->value = plan->uri;
    l->note = "";
  }
  l = plan_grow_lines(plan);
  l->type = SQLITCH_LINE_BLANK;
  l->note = "";
  plan_reindex(plan);
  return plan;
}

/* ------------------------------------------------------------------ IDs */

static void info_head(sqlitch_buf *b, const sqlitch_plan *plan,
                      const char *canon_uri) {
  sqlitch_buf_add(b, "project ");
  sqlitch_buf_add(b, plan->project);
  if (canon_uri) {
    sqlitch_buf_add(b, "\nuri ");
    sqlitch_buf_add(b, canon_uri);
  }
}

static void info_tail(sqlitch_buf *b, const char *pname, const char *pemail,
                      const char *ts) {
  sqlitch_buf_add(b, "\nplanner ");
  sqlitch_buf_add(b, pname);
  sqlitch_buf_add(b, " <");
  sqlitch_buf_add(b, pemail);
  sqlitch_buf_add(b, ">\ndate ");
  sqlitch_buf_add(b, ts);
}

/* Appends "requires\n  + a\n  + b" etc. unless the joined list is false. */
static void info_deps(sqlitch_buf *b, const sqlitch_plan *plan,
                      const sqlitch_dep *d, size_t n, const char *head,
                      const char *sep) {
  if (!n) return;
  size_t mark = b->len;
  sqlitch_buf_addf(b, "\n%s\n%s", head, sep);
  size_t start = b->len;
  for (size_t i = 0; i < n; i++) {
    if (i) sqlitch_buf_addf(b, "\n%s", sep);
    plan_dep_as_string(b, plan, &d[i]);
  }
  if (b->len - start == 1 && b->p[start] == '0') sqlitch_buf_truncate(b, mark);
}

static char *canon_uri_of(const sqlitch_plan *plan) {
  if (!perl_true(plan->uri)) return NULL;
  char *u = plan_uri_new(plan->uri);
  int t = perl_true(u);
  free(u);
  return t ? sqlitch_uri_canonical(plan->uri) : NULL;
}

static void change_info(sqlitch_buf *b, const sqlitch_plan *plan,
                        const sqlitch_change *c, const char *canon_uri,
                        const char *parent_id) {
  info_head(b, plan, canon_uri);
  sqlitch_buf_add(b, "\nchange ");
  sqlitch_buf_add(b, c->name);
  if (parent_id) {
    sqlitch_buf_add(b, "\nparent ");
    sqlitch_buf_add(b, parent_id);
  }
  info_tail(b, c->planner_name, c->planner_email, c->timestamp);
  info_deps(b, plan, c->requires, c->nrequires, "requires", "  + ");
  info_deps(b, plan, c->conflicts, c->nconflicts, "conflicts", "  - ");
  if (perl_true(c->note)) {
    sqlitch_buf_add(b, "\n\n");
    sqlitch_buf_add(b, c->note);
  }
}

static void tag_info(sqlitch_buf *b, const sqlitch_plan *plan,
                     const sqlitch_tag *t, const char *canon_uri) {
  info_head(b, plan, canon_uri);
  sqlitch_buf_add(b, "\ntag @");
  sqlitch_buf_add(b, t->name);
  sqlitch_buf_add(b, "\nchange ");
  sqlitch_buf_add(b, plan->changes[t->change].id);
  info_tail(b, t->planner_name, t->planner_email, t->timestamp);
  if (perl_true(t->note)) {
    sqlitch_buf_add(b, "\n\n");
    sqlitch_buf_add(b, t->note);
  }
}

static void hash_info(const char *kind, sqlitch_buf *b, char out[41]) {
  /* git's object header: "<kind> <length>\0" */
  char head[48], digits[24];
  size_t hn = strlen(kind), nd = 0;
  memcpy(head, kind, hn);
  head[hn++] = ' ';
  for (size_t v = b->len; nd == 0 || v; v /= 10)
    digits[nd++] = (char)('0' + v % 10);
  while (nd)
    head[hn++] = digits[--nd];
  head[hn++] = 0;
  sqlitch_sha1_ctx ctx;
  sqlitch_sha1_init(&ctx);
  sqlitch_sha1_update(&ctx, head, hn); /* with the NUL */
  sqlitch_sha1_update(&ctx, b->p ? b->p : "", b->len);
  sqlitch_sha1_final_hex(&ctx, out);
}

static void compute_ids(sqlitch_plan *plan, int changes) {
  char *canon = canon_uri_of(plan);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (size_t i = 0; changes && i < plan->nchanges; i++) {
    sqlitch_change *c = &plan->changes[i];
    sqlitch_buf_reset(&b);
    change_info(&b, plan, c, canon, i ? plan->changes[i - 1].id : NULL);
    hash_info("change", &b, c->id);
  }
  for (size_t i = 0; i < plan->ntags; i++) {
    sqlitch_buf_reset(&b);
    tag_info(&b, plan, &plan->tags[i], canon);
    hash_info("tag", &b, plan->tags[i].id);
  }
  sqlitch_buf_free(&b);
  free(canon);
}

void plan_compute_ids(sqlitch_plan *plan) { compute_ids(plan, 1); }

/* The tags' IDs only (the changes' were hashed alongside the parse). */
static void plan_compute_tag_ids(sqlitch_plan *plan) { compute_ids(plan, 0); }

char *sqlitch_change_info(const sqlitch_plan *plan, const sqlitch_change *c) {
  char *canon = canon_uri_of(plan);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  size_t i = (size_t)(c - plan->changes);
  change_info(&b, plan, c, canon, i ? plan->changes[i - 1].id : NULL);
  free(canon);
  sqlitch_buf_addn(&b, "", 0);
  return sqlitch_buf_take(&b);
}

char *sqlitch_tag_info(const sqlitch_plan *plan, const sqlitch_tag *t) {
  char *canon = canon_uri_of(plan);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  tag_info(&b, plan, t, canon);
  free(canon);
  sqlitch_buf_addn(&b, "", 0);
  return sqlitch_buf_take(&b);
}

/* --------------------------------------------------------------- writing */

static void write_note(sqlitch_buf *b, const char *note) {
  if (!note || !*note) return;
  sqlitch_buf_add(b, "# ");
  plan_note_escape_to(b, note);
}

static void write_line(const sqlitch_plan *plan, const sqlitch_plan_line *l,
                       sqlitch_buf *b) {
  sqlitch_buf_add(b, l->lspace);
  switch (l->type) {
  case SQLITCH_LINE_BLANK:
    sqlitch_buf_add(b, l->rspace);
    write_note(b, l->note);
    break;
  case SQLITCH_LINE_PRAGMA:
    sqlitch_buf_addc(b, '%');
    sqlitch_buf_add(b, l->hspace);
    sqlitch_buf_add(b, l->name);
    sqlitch_buf_add(b, l->lopspace);
    sqlitch_buf_add(b, l->operator);
    sqlitch_buf_add(b, l->ropspace);
    if (l->value) sqlitch_buf_add(b, l->value);
    sqlitch_buf_add(b, l->rspace);
    write_note(b, l->note);
    break;
  case SQLITCH_LINE_CHANGE: {
    const sqlitch_change *c = &plan->changes[l->index];
    sqlitch_buf_add(b, l->lopspace);
    sqlitch_buf_add(b, l->operator);
    sqlitch_buf_add(b, l->ropspace);
    sqlitch_buf_add(b, c->name);
    sqlitch_buf_add(b, l->pspace);
    size_t before = b->len;
    plan_format_deps(b, plan, c);
    if (b->len > before) sqlitch_buf_addc(b, ' ');
    sqlitch_buf_addf(b, "%s %s <%s>", c->timestamp, c->planner_name,
                     c->planner_email);
    sqlitch_buf_add(b, l->rspace);
    write_note(b, c->note);
    break;
  }
  case SQLITCH_LINE_TAG: {
    const sqlitch_tag *t = &plan->tags[l->index];
    sqlitch_buf_addf(b, "@%s %s %s <%s>", t->name, t->timestamp,
                     t->planner_name, t->planner_email);
    sqlitch_buf_add(b, l->rspace);
    write_note(b, t->note);
    break;
  }
  }
  sqlitch_buf_addc(b, '\n');
}

void sqlitch_plan_write(const sqlitch_plan *plan, sqlitch_buf *out) {
  for (size_t i = 0; i < plan->nlines; i++)
    write_line(plan, &plan->lines[i], out);
}

int sqlitch_plan_save(const sqlitch_plan *plan, const char *file,
                      sqlitch_err *err) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_plan_write(plan, &b);
  int rc = sqlitch_write_file_atomic(file ? file : plan->file, b.p ? b.p : "",
                                     b.len, err);
  sqlitch_buf_free(&b);
  return rc;
}

void sqlitch_plan_write_range(const sqlitch_plan *plan, size_t from, size_t to,
                              sqlitch_buf *out) {
  /* the header: up to and including the first blank line without a note */
  size_t head = 0;
  while (head < plan->nlines &&
         !(plan->lines[head].type == SQLITCH_LINE_BLANK &&
           !*plan->lines[head].note))
    head++;
  for (size_t i = 0; i <= head && i < plan->nlines; i++)
    write_line(plan, &plan->lines[i], out);
  /* no --from: everything after the header; no --to: up to the end */
  size_t first = head + 1, last = plan->nlines ? plan->nlines - 1 : 0;
  if (from != SIZE_MAX) {
    if (from >= plan->nchanges) return;
    first = plan->changes[from].line;
  }
  if (to != SIZE_MAX) {
    if (to >= plan->nchanges) return;
    const sqlitch_change *tc = &plan->changes[to];
    last = tc->ntags ? plan->tags[tc->tags[tc->ntags - 1]].line : tc->line;
  }
  for (size_t i = first; i <= last && i < plan->nlines; i++)
    write_line(plan, &plan->lines[i], out);
}

/* ------------------------------------------------------------ formatting */

char *sqlitch_change_name_with_tags(const sqlitch_plan *plan,
                                    const sqlitch_change *c) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&b, c->name);
  for (size_t i = 0; i < c->ntags; i++)
    sqlitch_buf_addf(&b, " @%s", plan->tags[c->tags[i]].name);
  return sqlitch_buf_take(&b);
}

char *sqlitch_change_name_with_deps(const sqlitch_plan *plan,
                                    const sqlitch_change *c) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&b, c->name);
  sqlitch_buf d = SQLITCH_BUF_INIT;
  plan_format_deps(&d, plan, c);
  if (d.len) {
    sqlitch_buf_add(&b, plan->lines[c->line].pspace);
    sqlitch_buf_add(&b, d.p);
  }
  sqlitch_buf_free(&d);
  return sqlitch_buf_take(&b);
}
