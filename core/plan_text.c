/*
** plan_text.c -- the text rules of Sqitch plans: Unicode blanks and spaces,
** the regexes of Plan.pm / Depend.pm (compiled once with PCRE2), name and
** dependency validation, note escaping and PerlIO::utf8_strict checking.
**
** The regexes are Sqitch's own, transcribed; only Perl's character classes
** are spelled out (plan_ucd.c) because PCRE2's \w and \h differ from
** Perl's at the edges. Example:
**
**   sqlitch_name_valid("users")   -> 1
**   sqlitch_name_valid("foo^6")   -> 0   (digits after [~/=%^] at the end)
**   sqlitch_name_valid("foo€")    -> 0   (last character must be \w)
**
**   sqlitch_dep dep;
**   sqlitch_dep_parse(arena, "proj", "!other:users@v1", &dep);
**   // dep.conflicts = 1, dep.project = "other", dep.change = "users",
**   // dep.tag = "v1", dep.is_external = 1
**
** Notes: sqlitch_note_unescape() is Line::BUILDARGS (trim \s, then turn
** "\\n", "\\r", "\\\\" into LF, CR, "\\"); sqlitch_note_escape() is the
** reverse used when writing ("a\nb" -> "a\\nb").
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "plan_int.h"

/* ------------------------------------------------------ character classes */

int plan_is_ascii(const char *s, size_t n) {
  size_t i = 0;
  uint64_t w, any = 0;
  for (; i + 8 <= n; i += 8) {
    memcpy(&w, s + i, 8);
    any |= w;
  }
  for (; i < n; i++)
    any |= (unsigned char)s[i];
  return !(any & 0x8080808080808080u);
}

int plan_is_blank(int32_t c) {
  return c == 0x09 || c == 0x20 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

int plan_is_vspace(int32_t c) {
  return (c >= 0x0A && c <= 0x0D) || c == 0x85 || c == 0x2028 || c == 0x2029;
}

int plan_is_space(int32_t c) { return plan_is_blank(c) || plan_is_vspace(c); }

/* Decode one code point; invalid bytes decode as -1 and advance by one. */
static int32_t decode(const char **p, const char *end) {
  const char *q = *p;
  int32_t c = sqlitch_utf8_decode(p, end);
  if (c < 0) *p = q + 1;
  return c;
}

size_t plan_blank_at(const char *p, const char *end) {
  if (p >= end) return 0;
  if (*p == ' ' || *p == '\t') return 1;
  if ((unsigned char)*p < 0x80) return 0;
  const char *q = p;
  int32_t c = decode(&q, end);
  return plan_is_blank(c) ? (size_t)(q - p) : 0;
}

char *plan_trim_space(sqlitch_arena *a, const char *s, size_t n) {
  const char *p = s, *end = s + n, *start = NULL, *last = s;
  while (p < end) {
    const char *q = p;
    int32_t c = decode(&q, end);
    if (!plan_is_space(c)) {
      if (!start) start = p;
      last = q;
    }
    p = q;
  }
  if (!start) return sqlitch_arena_strdup(a, "");
  return sqlitch_arena_strndup(a, start, (size_t)(last - start));
}

/* ----------------------------------------------------------------- notes */

static int perl_true_n(const char *s, size_t n) {
  return n > 0 && !(n == 1 && s[0] == '0');
}

static void unescape_to(sqlitch_buf *b, const char *s) {
  for (; *s; s++) {
    if (*s == '\\' && (s[1] == '\\' || s[1] == 'n' || s[1] == 'r')) {
      s++;
      sqlitch_buf_addc(b, *s == 'n' ? '\n' : *s == 'r' ? '\r' : '\\');
    } else {
      sqlitch_buf_addc(b, *s);
    }
  }
}

char *plan_note_build(sqlitch_arena *a, const char *s, size_t n) {
  if (!perl_true_n(s, n)) return sqlitch_arena_strndup(a, s, n);
  char *t = plan_trim_space(a, s, n);
  if (!strchr(t, '\\')) return t;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  unescape_to(&b, t);
  char *r = sqlitch_arena_strndup(a, sqlitch_buf_str(&b), b.len);
  sqlitch_buf_free(&b);
  return r;
}

void plan_note_escape_to(sqlitch_buf *b, const char *note) {
  for (const char *p = note; *p; p++) {
    switch (*p) {
    case '\n': sqlitch_buf_add(b, "\\n"); break;
    case '\r': sqlitch_buf_add(b, "\\r"); break;
    case '\\': sqlitch_buf_add(b, "\\\\"); break;
    default: sqlitch_buf_addc(b, *p);
    }
  }
}

char *sqlitch_note_unescape(const char *s) {
  if (!s) return sqlitch_strdup("");
  sqlitch_arena *a = sqlitch_arena_new();
  char *r = sqlitch_strdup(plan_note_build(a, s, strlen(s)));
  sqlitch_arena_free(a);
  return r;
}

char *sqlitch_note_escape(const char *s) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  if (s) plan_note_escape_to(&b, s);
  sqlitch_buf_addn(&b, "", 0);
  return sqlitch_buf_take(&b);
}

/* ---------------------------------------------------------------- regexes */

/* Class bodies (without brackets). BL = [[:blank:]]; P = Sqitch's $punct
   (ASCII punctuation except "_"). */
#define BL "\\t \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{202F}\\x{205F}\\x{3000}"
#define P "\\-!\"#$%&'()*+,./:;<=>?@\\[\\\\\\]\\^`{|}~"

/* Plan.pm's $name_re. {D} is [[:digit:]], spelled \p{Nd} (PCRE2 10.42
   and Perl 5.36 both use Unicode 14); the trailing \b is callout 1
   (word_boundary) because it needs Perl's \w. */
static const char name_tmpl[] =
    "(?![" P "])"
    "(?:(?![~/=%^]{D}+(?:$|[" BL "]))[^" BL ":@#\\\\])+"
    "(?<![" P "])(?C1)";

static const char *const rx_tmpl[PLAN_RX_COUNT] = {
    /* PLAN_RX_NAME */
    "\\A{NAME}\\z",
    /* PLAN_RX_LINE (Plan.pm _parse, body line) */
    "^(?<lspace>[" BL "]*)?"
    "(?:[@]|(?<lopspace>[" BL "]*)(?<operator>[+-])(?<ropspace>[" BL "]*))?"
    "(?<name>{NAME})(?<pspace>[" BL "]+)?"
    "(?:\\[(?<dependencies>[^\\]]+)\\][" BL "]*)?"
    "(?:(?<yr>{D}{4})-(?<mo>{D}{2})-(?<dy>{D}{2})"
    "T(?<hr>{D}{2}):(?<mi>{D}{2}):(?<sc>{D}{2})Z[" BL "]*)?"
    "(?:(?<planner_name>[^<]+)[" BL "]+<(?<planner_email>[^>]+)>)?"
    "$",
    /* PLAN_RX_PRAGMA */
    "\\A(?<lspace>[" BL "]*)?[%](?<hspace>[" BL "]*)?"
    "(?<name>[^" P "](?:[^" BL "=]*?[^" P BL "])?)"
    "(?:(?<lopspace>[" BL "]*)(?<operator>=)(?<ropspace>[" BL "]*)"
    "(?<value>.+))?\\z",
    /* PLAN_RX_DEP (Depend->parse) */
    "\\A(?<conflicts>!?)(?:(?<project>{NAME})[:])?"
    "(?:(?<id>[0-9a-f]{40})|(?<change>{NAME})(?:[@](?<tag>{NAME}))?"
    "|(?:[@](?<tag2>{NAME}))?)\\z",
    /* PLAN_RX_TS */
    "{D}{4}-{D}{2}-{D}{2}T{D}{2}:{D}{2}:{D}{2}Z",
};

static pcre2_code *rx[PLAN_RX_COUNT];
static pcre2_match_context *mctx;
static plan_rx_groups groups;
static pthread_once_t rx_once = PTHREAD_ONCE_INIT;

/* Replace {NAME} and {D} in a template. */
static void expand(sqlitch_buf *b, const char *t) {
  while (*t) {
    if (sqlitch_starts_with(t, "{NAME}")) {
      expand(b, name_tmpl);
      t += 6;
    } else if (sqlitch_starts_with(t, "{D}")) {
      sqlitch_buf_add(b, "\\p{Nd}");
      t += 3;
    } else {
      sqlitch_buf_addc(b, *t++);
    }
  }
}

/* Callout 1 = Perl's \b: the characters on each side of the current
   position differ in being \w. Returns 0 to go on, 1 to backtrack. */
static int word_boundary(pcre2_callout_block *cb, void *data) {
  (void)data;
  const char *s = (const char *)cb->subject;
  size_t pos = cb->current_position, len = cb->subject_length;
  int before = 0, after = 0;
  if (pos > 0) {
    size_t st = pos - 1;
    while (st > 0 && ((unsigned char)s[st] & 0xC0) == 0x80)
      st--;
    const char *p = s + st;
    int32_t c = sqlitch_utf8_decode(&p, s + pos);
    before = c >= 0 && plan_is_word(c);
  }
  if (pos < len) {
    const char *p = s + pos;
    int32_t c = sqlitch_utf8_decode(&p, s + len);
    after = c >= 0 && plan_is_word(c);
  }
  return before != after ? 0 : 1;
}

static int group(plan_rx_id id, const char *name) {
  if (!rx[id]) return -1;
  return pcre2_substring_number_from_name(rx[id], (PCRE2_SPTR)name);
}

static void rx_init(void) {
  pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
  pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
  for (int i = 0; i < PLAN_RX_COUNT; i++) {
    sqlitch_buf b = SQLITCH_BUF_INIT;
    expand(&b, rx_tmpl[i]);
    int ec;
    PCRE2_SIZE eo;
    rx[i] = pcre2_compile((PCRE2_SPTR)b.p, b.len, PCRE2_UTF, &ec, &eo, cc);
#ifdef PLAN_RX_DEBUG
    if (!rx[i]) {
      PCRE2_UCHAR m[256];
      pcre2_get_error_message(ec, m, sizeof m);
      fprintf(stderr, "rx %d: %s at %zu\n", i, (char *)m, (size_t)eo);
    }
#endif
    if (rx[i]) pcre2_jit_compile(rx[i], PCRE2_JIT_COMPLETE);
    sqlitch_buf_free(&b);
  }
  pcre2_compile_context_free(cc);
  mctx = pcre2_match_context_create(NULL);
  pcre2_set_callout(mctx, word_boundary, NULL);
  plan_rx_groups *g = &groups;
  g->lspace = group(PLAN_RX_LINE, "lspace");
  g->lopspace = group(PLAN_RX_LINE, "lopspace");
  g->op = group(PLAN_RX_LINE, "operator");
  g->ropspace = group(PLAN_RX_LINE, "ropspace");
  g->name = group(PLAN_RX_LINE, "name");
  g->pspace = group(PLAN_RX_LINE, "pspace");
  g->deps = group(PLAN_RX_LINE, "dependencies");
  g->yr = group(PLAN_RX_LINE, "yr");
  g->mo = group(PLAN_RX_LINE, "mo");
  g->dy = group(PLAN_RX_LINE, "dy");
  g->hr = group(PLAN_RX_LINE, "hr");
  g->mi = group(PLAN_RX_LINE, "mi");
  g->sc = group(PLAN_RX_LINE, "sc");
  g->pname = group(PLAN_RX_LINE, "planner_name");
  g->pemail = group(PLAN_RX_LINE, "planner_email");
  g->p_lspace = group(PLAN_RX_PRAGMA, "lspace");
  g->p_hspace = group(PLAN_RX_PRAGMA, "hspace");
  g->p_name = group(PLAN_RX_PRAGMA, "name");
  g->p_lopspace = group(PLAN_RX_PRAGMA, "lopspace");
  g->p_op = group(PLAN_RX_PRAGMA, "operator");
  g->p_ropspace = group(PLAN_RX_PRAGMA, "ropspace");
  g->p_value = group(PLAN_RX_PRAGMA, "value");
  g->d_conflicts = group(PLAN_RX_DEP, "conflicts");
  g->d_project = group(PLAN_RX_DEP, "project");
  g->d_id = group(PLAN_RX_DEP, "id");
  g->d_change = group(PLAN_RX_DEP, "change");
  g->d_tag = group(PLAN_RX_DEP, "tag");
  g->d_tag2 = group(PLAN_RX_DEP, "tag2");
}

const plan_rx_groups *plan_rx_group(void) {
  pthread_once(&rx_once, rx_init);
  return &groups;
}

pcre2_match_data *plan_rx_md_new(void) {
  return pcre2_match_data_create(40, NULL);
}

static int rx_match(plan_rx_id id, const char *s, size_t n,
                    pcre2_match_data *md, uint32_t opts) {
  pthread_once(&rx_once, rx_init);
  if (!rx[id]) return 0;
  int rc = pcre2_match(rx[id], (PCRE2_SPTR)s, n, 0, opts, md, mctx);
  if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
    rc =
        pcre2_match(rx[id], (PCRE2_SPTR)s, n, 0, opts | PCRE2_NO_JIT, md, mctx);
  return rc > 0;
}

int plan_rx_match(plan_rx_id id, const char *s, size_t n,
                  pcre2_match_data *md) {
  return rx_match(id, s, n, md, PCRE2_NO_UTF_CHECK);
}

/* ------------------------------------------------------------ body lines */

static int is_bl(char c) { return c == ' ' || c == '\t'; }
static int is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}
static int is_digit(char c) { return c >= '0' && c <= '9'; }

int plan_line_fast(const char *s, size_t n, pcre2_match_data *md) {
  const plan_rx_groups *g = plan_rx_group();
  if (!plan_is_ascii(s, n)) return 0;
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
  uint32_t pairs = pcre2_get_ovector_count(md);
  for (uint32_t i = 0; i < 2 * pairs; i++)
    ov[i] = PCRE2_UNSET;
#define SET(grp, a, b)                                                         \
  (ov[2 * (grp)] = (PCRE2_SIZE)(a), ov[2 * (grp) + 1] = (PCRE2_SIZE)(b))
  size_t i = 0, j;
  while (i < n && is_bl(s[i]))
    i++;
  SET(g->lspace, 0, i);
  if (i < n && s[i] == '@') i++; /* a tag; "+" / "-": the regex's */
  /* name: ASCII word characters, ended by a blank or the end. Names with
     punctuation or non-ASCII letters take the regex, and so does a name
     glued to "[": the regex's name may take the bracket ("h[g]"). */
  for (j = i; j < n && is_word(s[j]); j++)
    ;
  if (j == i || (j < n && !is_bl(s[j]))) return 0;
  SET(g->name, i, j);
  for (i = j; i < n && is_bl(s[i]); i++)
    ;
  if (i > j) SET(g->pspace, j, i);
  if (i < n && s[i] == '[') {
    const char *close = memchr(s + i + 1, ']', n - i - 1);
    if (!close || close == s + i + 1) return 0;
    j = (size_t)(close - s);
    SET(g->deps, i + 1, j);
    for (i = j + 1; i < n && is_bl(s[i]); i++)
      ;
  }
  /* YYYY-MM-DDTHH:MM:SSZ */
  static const char ts[] = "dddd-dd-ddTdd:dd:ddZ";
  if (n - i < sizeof ts - 1) return 0;
  for (j = 0; j < sizeof ts - 1; j++)
    if (ts[j] == 'd' ? !is_digit(s[i + j]) : s[i + j] != ts[j]) return 0;
  SET(g->yr, i, i + 4);
  SET(g->mo, i + 5, i + 7);
  SET(g->dy, i + 8, i + 10);
  SET(g->hr, i + 11, i + 13);
  SET(g->mi, i + 14, i + 16);
  SET(g->sc, i + 17, i + 19);
  for (i += sizeof ts - 1; i < n && is_bl(s[i]); i++)
    ;
  /* planner: the text before the first "<" less the one blank before it
     (what [^<]+[[:blank:]]+< leaves to the name), then <email> at the end */
  const char *lt = i < n ? memchr(s + i, '<', n - i) : NULL;
  if (!lt) return 0;
  size_t l = (size_t)(lt - s);
  if (l < i + 2 || !is_bl(s[l - 1]) || s[n - 1] != '>') return 0;
  const char *gt = memchr(lt + 1, '>', n - l - 1);
  if ((size_t)(gt - s) != n - 1 || gt == lt + 1) return 0;
  SET(g->pname, i, l - 1);
  SET(g->pemail, l + 1, n - 1);
  SET(0, 0, n);
#undef SET
  return 1;
}

int plan_line_match(const char *s, size_t n, pcre2_match_data *md) {
  return plan_line_fast(s, n, md) ||
         rx_match(PLAN_RX_LINE, s, n, md, PCRE2_NO_UTF_CHECK);
}

/* ------------------------------------------------------------------ names */

int sqlitch_name_valid(const char *name) {
  if (!name) return 0;
  pcre2_match_data *md = plan_rx_md_new();
  int ok = rx_match(PLAN_RX_NAME, name, strlen(name), md, 0);
  pcre2_match_data_free(md);
  return ok;
}

static int looks_like_sha1(const char *s) {
  for (int i = 0; i < 40; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return 1;
}

int sqlitch_name_check(const char *name, sqlitch_name_kind kind,
                       sqlitch_err *err) {
  if (!name) name = "";
  if (kind == SQLITCH_NAME_PROJECT) {
    if (sqlitch_name_valid(name)) return SQLITCH_OK;
    return sqlitch_err_set(
        err, SQLITCH_E_GENERIC, 2,
        "invalid project name \"%s\": project names must not begin with "
        "punctuation, contain \"@\", \":\", \"#\", or blanks, or end in "
        "punctuation or digits following punctuation",
        name);
  }
  if (!strcmp(name, "HEAD") || !strcmp(name, "ROOT"))
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "\"%s\" is a reserved name", name);
  if (looks_like_sha1(name))
    return sqlitch_err_set(
        err, SQLITCH_E_GENERIC, 2,
        "\"%s\" is invalid because it could be confused with a SHA1 ID", name);
  if (kind == SQLITCH_NAME_CHANGE && !sqlitch_name_valid(name))
    return sqlitch_err_set(
        err, SQLITCH_E_GENERIC, 2,
        "\"%s\" is invalid: changes must not begin with punctuation, contain "
        "\"@\", \":\", \"#\", \"\\\", or blanks, or end in punctuation or "
        "digits following punctuation",
        name);
  if (kind == SQLITCH_NAME_TAG &&
      (!sqlitch_name_valid(name) || strchr(name, '/')))
    return sqlitch_err_set(
        err, SQLITCH_E_GENERIC, 2,
        "\"%s\" is invalid: tags must not begin with punctuation, contain "
        "\"@\", \":\", \"#\", \"/\", \"\\\", or blanks, or end in "
        "punctuation or digits following punctuation",
        name);
  return SQLITCH_OK;
}

/* ----------------------------------------------------------- dependencies */

static const char *grp(sqlitch_arena *a, const char *s, pcre2_match_data *md,
                       int g) {
  if (g < 0) return NULL;
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
  if ((uint32_t)g >= pcre2_get_ovector_count(md) || ov[2 * g] == PCRE2_UNSET)
    return NULL;
  return sqlitch_arena_strndup(a, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

/* Length of the run of ASCII word characters ([A-Za-z0-9_]) at s. */
static size_t ascii_word(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && (((unsigned)s[i] | 0x20) - 'a' < 26 ||
                   (unsigned)s[i] - '0' < 10 || s[i] == '_'))
    i++;
  return i;
}

/* The common forms, without the regex: [!]word[@word], where a word is
   [A-Za-z0-9_]+ -- what PLAN_RX_DEP matches as conflicts, change and tag
   for such a token ({NAME} accepts every such word: no punctuation at
   either end, no [~/=%^]digits, a word character before the end), unless
   the token is 40 lowercase hex digits, which is an id. 0 when the token
   has another form. */
static int dep_fast(sqlitch_arena *a, const char *s, size_t n,
                    sqlitch_dep *out) {
  size_t i = s[0] == '!' ? 1 : 0;
  size_t w = ascii_word(s + i, n - i);
  if (!w) return 0;
  size_t at = i + w, t = 0;
  if (at < n) {
    if (s[at] != '@') return 0;
    t = ascii_word(s + at + 1, n - at - 1);
    if (!t || at + 1 + t != n) return 0;
  }
  if (w == 40 && !t) {
    size_t hex = 0;
    while (hex < 40 &&
           ((unsigned)s[i + hex] - '0' < 10 || (unsigned)s[i + hex] - 'a' < 6))
      hex++;
    if (hex == 40) return 0;
  }
  out->conflicts = i == 1;
  out->change = sqlitch_arena_strndup(a, s + i, w);
  if (t) out->tag = sqlitch_arena_strndup(a, s + at + 1, t);
  return 1;
}

int plan_dep_parse(sqlitch_arena *a, const char *plan_project, const char *s,
                   size_t n, pcre2_match_data *md, sqlitch_dep *out) {
  memset(out, 0, sizeof *out);
  if (n && dep_fast(a, s, n, out)) return 1;
  return plan_dep_parse_rx(a, plan_project, s, n, md, out);
}

int plan_dep_parse_rx(sqlitch_arena *a, const char *plan_project, const char *s,
                      size_t n, pcre2_match_data *md, sqlitch_dep *out) {
  memset(out, 0, sizeof *out);
  const plan_rx_groups *g = plan_rx_group();
  if (!plan_rx_match(PLAN_RX_DEP, s, n, md)) return 0;
  const char *conf = grp(a, s, md, g->d_conflicts);
  out->conflicts = conf && *conf;
  out->project = grp(a, s, md, g->d_project);
  out->id = grp(a, s, md, g->d_id);
  out->change = grp(a, s, md, g->d_change);
  out->tag = grp(a, s, md, g->d_tag);
  if (!out->tag) out->tag = grp(a, s, md, g->d_tag2);
  if (!out->change && !out->tag && !out->id) return 0;
  out->is_external =
      out->project && (!plan_project || strcmp(out->project, plan_project));
  return 1;
}

int sqlitch_dep_parse(sqlitch_arena *a, const char *project, const char *s,
                      sqlitch_dep *out) {
  if (!s || !sqlitch_utf8_valid(s, strlen(s))) {
    memset(out, 0, sizeof *out);
    return SQLITCH_ERROR;
  }
  pcre2_match_data *md = plan_rx_md_new();
  int ok = plan_dep_parse(a, project, s, strlen(s), md, out);
  pcre2_match_data_free(md);
  return ok ? SQLITCH_OK : SQLITCH_ERROR;
}

void plan_dep_key(sqlitch_buf *b, const sqlitch_dep *d) {
  if (d->change) sqlitch_buf_add(b, d->change);
  if (d->tag) {
    sqlitch_buf_addc(b, '@');
    sqlitch_buf_add(b, d->tag);
  }
  if (!d->change && !d->tag && d->id) sqlitch_buf_add(b, d->id);
}

void plan_dep_as_string(sqlitch_buf *b, const sqlitch_plan *plan,
                        const sqlitch_dep *d) {
  if (d->project && plan && plan->project &&
      strcmp(d->project, plan->project)) {
    sqlitch_buf_add(b, d->project);
    sqlitch_buf_addc(b, ':');
  }
  plan_dep_key(b, d);
}

char *sqlitch_dep_string(const sqlitch_dep *d) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  if (d->project && d->is_external) {
    sqlitch_buf_add(&b, d->project);
    sqlitch_buf_addc(&b, ':');
  }
  plan_dep_key(&b, d);
  sqlitch_buf_addn(&b, "", 0);
  return sqlitch_buf_take(&b);
}

void plan_format_deps(sqlitch_buf *b, const sqlitch_plan *plan,
                      const sqlitch_change *c) {
  size_t start = b->len;
  for (size_t i = 0; i < c->nrequires; i++) {
    if (b->len > start) sqlitch_buf_addc(b, ' ');
    plan_dep_as_string(b, plan, &c->requires[i]);
  }
  for (size_t i = 0; i < c->nconflicts; i++) {
    if (b->len > start) sqlitch_buf_addc(b, ' ');
    sqlitch_buf_addc(b, '!');
    plan_dep_as_string(b, plan, &c->conflicts[i]);
  }
  size_t n = b->len - start;
  /* join(...) or return '': an empty or "0" list renders as nothing. */
  if (n == 0 || (n == 1 && b->p[start] == '0')) {
    sqlitch_buf_truncate(b, start);
    return;
  }
  sqlitch_buf_grow(b, 2);
  memmove(b->p + start + 1, b->p + start, n);
  b->p[start] = '[';
  b->len++;
  sqlitch_buf_addc(b, ']');
}

/* ------------------------------------------------------------------ UTF-8 */

int plan_utf8_check(const char *s, size_t n, size_t *detect, int *eof,
                    sqlitch_buf *msg) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned b = u[i];
    if (b < 0x80) {
      i++;
      /* then eight ASCII bytes at a time */
      uint64_t w;
      while (i + 8 <= n && (memcpy(&w, u + i, 8), !(w & 0x8080808080808080u)))
        i += 8;
      continue;
    }
    int need;
    unsigned lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF)
      need = 1;
    else if (b == 0xE0)
      need = 2, lo = 0xA0;
    else if (b == 0xED)
      need = 2, hi = 0x9F;
    else if (b >= 0xE1 && b <= 0xEF)
      need = 2;
    else if (b == 0xF0)
      need = 3, lo = 0x90;
    else if (b >= 0xF1 && b <= 0xF3)
      need = 3;
    else if (b == 0xF4)
      need = 3, hi = 0x8F;
    else
      need = 0;
    int k = 1, bad = need == 0;
    *eof = 0;
    for (; !bad && k <= need; k++) {
      if (i + (size_t)k >= n) {
        bad = 1;
        *eof = 1;
        break;
      }
      unsigned c = u[i + k];
      if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) {
        bad = 1;
        break;
      }
    }
    if (bad) {
      sqlitch_buf_add(msg, "Can't decode ill-formed UTF-8 octet sequence <");
      for (int j = 0; j < k && i + (size_t)j < n; j++)
        sqlitch_buf_addf(msg, j ? " %02X" : "%02X", u[i + j]);
      sqlitch_buf_addc(msg, '>');
      if (*eof) sqlitch_buf_add(msg, " at end of file");
      *detect = *eof ? n : i + (size_t)(need ? k : 0);
      return 1;
    }
    int32_t cp = (int32_t)(b & (need == 1 ? 0x1F : need == 2 ? 0x0F : 0x07));
    for (int j = 1; j <= need; j++)
      cp = (cp << 6) | (u[i + j] & 0x3F);
    if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
      sqlitch_buf_addf(msg, "Can't interchange noncharacter code point U+%04X",
                       (unsigned)cp);
      *detect = i + (size_t)need;
      return 1;
    }
    i += (size_t)need + 1;
  }
  return 0;
}
