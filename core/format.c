/*
** format.c -- App::Sqitch::ItemFormatter in C (see format.h).
**
** A template is split once into segments, following String::Formatter's
** hunk regex exactly, backtracking included:
**
**   %(-)?([0-9]+)?(?:\.([0-9]*))?(?:{(.*?)})?(\S)
**
** (an argument may contain "}" when the first "}" is not followed by a
** non-space character; a "%" that cannot start a conversion is literal
** text). Each conversion is pre-digested (code, label text, colour escape,
** date format, or the error it will raise) so formatting an item is one
** pass that appends straight into the caller's buffer; widths are applied
** in place with Perl's sprintf("%-0W.Ms") rules, counting characters.
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* ------------------------------------------------------------- utf-8 */

/* Length in bytes of the character at s (1 for invalid bytes). */
static size_t u8len(const char *s, const char *end) {
  const char *p = s;
  if (sqlitch_utf8_decode(&p, end) < 0 || p == s) return 1;
  return (size_t)(p - s);
}

static int32_t u8cp(const char *s, const char *end) {
  const char *p = s;
  int32_t c = sqlitch_utf8_decode(&p, end);
  return c < 0 ? (unsigned char)*s : c;
}

/* Perl's \s on a decoded string. */
static int perl_space(int32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Perl's \v. */
static int perl_vspace(int32_t c) {
  return (c >= 0x0A && c <= 0x0D) || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* Characters in [s, s+n). */
static size_t u8count(const char *s, size_t n) {
  size_t count = 0;
  const char *end = s + n;
  while (s < end) {
    s += u8len(s, end);
    count++;
  }
  return count;
}

/* Byte offset of the first `chars` characters of [s, s+n). */
static size_t u8prefix(const char *s, size_t n, size_t chars) {
  const char *p = s, *end = s + n;
  while (chars-- > 0 && p < end)
    p += u8len(p, end);
  return (size_t)(p - s);
}

/* ------------------------------------------------------------- colours */

typedef struct {
  const char *name;
  const char *code;
} attr_t;

static const attr_t attrs[] = {
    {"clear", "0"},
    {"reset", "0"},
    {"bold", "1"},
    {"dark", "2"},
    {"faint", "2"},
    {"italic", "3"},
    {"underline", "4"},
    {"underscore", "4"},
    {"blink", "5"},
    {"reverse", "7"},
    {"concealed", "8"},
    {"black", "30"},
    {"red", "31"},
    {"green", "32"},
    {"yellow", "33"},
    {"blue", "34"},
    {"magenta", "35"},
    {"cyan", "36"},
    {"white", "37"},
    {"on_black", "40"},
    {"on_red", "41"},
    {"on_green", "42"},
    {"on_yellow", "43"},
    {"on_blue", "44"},
    {"on_magenta", "45"},
    {"on_cyan", "46"},
    {"on_white", "47"},
    {"bright_black", "90"},
    {"bright_red", "91"},
    {"bright_green", "92"},
    {"bright_yellow", "93"},
    {"bright_blue", "94"},
    {"bright_magenta", "95"},
    {"bright_cyan", "96"},
    {"bright_white", "97"},
    {"on_bright_black", "100"},
    {"on_bright_red", "101"},
    {"on_bright_green", "102"},
    {"on_bright_yellow", "103"},
    {"on_bright_blue", "104"},
    {"on_bright_magenta", "105"},
    {"on_bright_cyan", "106"},
    {"on_bright_white", "107"},
};

/* Parse a whole decimal number in [s, s+n); -1 if not all digits. */
static long decimal(const char *s, size_t n) {
  long v = 0;
  if (n == 0 || n > 9) return -1;
  for (size_t i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* %ATTRIBUTES: the SGR code of one lower-case attribute name, into
   out (>= 16 bytes); 0 if unknown. */
static int attr_code(const char *name, size_t n, char *out) {
  for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
    if (strlen(attrs[i].name) == n && memcmp(attrs[i].name, name, n) == 0) {
      strcpy(out, attrs[i].code);
      return 1;
    }
  const char *base = "38";
  if (n > 3 && memcmp(name, "on_", 3) == 0) {
    base = "48";
    name += 3;
    n -= 3;
  }
  long v;
  if (n > 4 && memcmp(name, "ansi", 4) == 0 &&
      (v = decimal(name + 4, n - 4)) >= 0 && v <= 255 &&
      (n - 4 == 1 || name[4] != '0')) {
    sprintf(out, "%s;5;%ld", base, v);
    return 1;
  }
  if (n > 4 && memcmp(name, "grey", 4) == 0 &&
      (v = decimal(name + 4, n - 4)) >= 0 && v <= 23 &&
      (n - 4 == 1 || name[4] != '0')) {
    sprintf(out, "%s;5;%ld", base, v + 232);
    return 1;
  }
  if (n == 6 && memcmp(name, "rgb", 3) == 0 && name[3] >= '0' &&
      name[3] <= '5' && name[4] >= '0' && name[4] <= '5' && name[5] >= '0' &&
      name[5] <= '5') {
    sprintf(out, "%s;5;%d", base,
            16 + 36 * (name[3] - '0') + 6 * (name[4] - '0') + (name[5] - '0'));
    return 1;
  }
  return 0;
}

/* (on_)?r(\d+)g(\d+)b(\d+) with each <= 255: 24-bit colour. */
static int truecolor(const char *name, size_t n, char *out) {
  const char *base = "38";
  if (n > 3 && memcmp(name, "on_", 3) == 0) {
    base = "48";
    name += 3;
    n -= 3;
  }
  long c[3];
  const char *p = name, *end = name + n;
  static const char lead[] = "rgb";
  for (int i = 0; i < 3; i++) {
    if (p >= end || *p != lead[i]) return 0;
    p++;
    const char *d = p;
    while (p < end && isdigit((unsigned char)*p))
      p++;
    if (p == d) return 0;
    c[i] = 0;
    for (const char *q = d; q < p; q++) {
      c[i] = c[i] * 10 + (*q - '0');
      if (c[i] > 1000) c[i] = 1000;
    }
    if (c[i] > 255) return 0;
  }
  if (p != end) return 0;
  sprintf(out, "%s;2;%ld;%ld;%ld", base, c[0], c[1], c[2]);
  return 1;
}

/* ANSI_COLORS_ALIASES: "new=old, other=bold blue". */
typedef struct alias {
  char *name;
  char *expansion; /* space-separated attribute names */
} alias;

static alias *aliases;
static size_t naliases;
static int aliases_loaded;

static const alias *find_alias(const char *name, size_t n) {
  for (size_t i = 0; i < naliases; i++)
    if (strlen(aliases[i].name) == n && memcmp(aliases[i].name, name, n) == 0)
      return &aliases[i];
  return NULL;
}

static void trim_span(const char **s, const char **e) {
  while (*s < *e && isspace((unsigned char)**s))
    (*s)++;
  while (*e > *s && isspace((unsigned char)(*e)[-1]))
    (*e)--;
}

static void load_aliases(void) {
  if (aliases_loaded) return;
  aliases_loaded = 1;
  const char *spec = getenv("ANSI_COLORS_ALIASES");
  if (!spec) return;
  const char *p = spec;
  while (*p) {
    const char *comma = strchr(p, ',');
    const char *end = comma ? comma : p + strlen(p);
    const char *eq = memchr(p, '=', (size_t)(end - p));
    const char *ns = p, *ne = eq ? eq : end, *os = eq ? eq + 1 : end, *oe = end;
    trim_span(&ns, &ne);
    trim_span(&os, &oe);
    int ok = eq && ne > ns && oe > os;
    for (const char *c = ns; ok && c < ne; c++)
      if (!(isalnum((unsigned char)*c) || *c == '.' || *c == '_' || *c == '-'))
        ok = 0;
    char tmp[32];
    /* standard colours cannot be aliased (clear/reset, being 0, can) */
    if (ok && attr_code(ns, (size_t)(ne - ns), tmp) && strcmp(tmp, "0") != 0)
      ok = 0;
    sqlitch_buf exp = SQLITCH_BUF_INIT;
    for (const char *w = os; ok && w < oe;) {
      while (w < oe && isspace((unsigned char)*w))
        w++;
      const char *we = w;
      while (we < oe && !isspace((unsigned char)*we))
        we++;
      if (we == w) break;
      const alias *a = find_alias(w, (size_t)(we - w));
      if (a) {
        if (exp.len) sqlitch_buf_addc(&exp, ' ');
        sqlitch_buf_add(&exp, a->expansion);
      } else if (attr_code(w, (size_t)(we - w), tmp)) {
        if (exp.len) sqlitch_buf_addc(&exp, ' ');
        sqlitch_buf_addn(&exp, w, (size_t)(we - w));
      } else {
        ok = 0;
      }
      w = we;
    }
    if (ok) {
      alias *a = (alias *)find_alias(ns, (size_t)(ne - ns));
      if (!a) {
        aliases = sqlitch_realloc(aliases, (naliases + 1) * sizeof *aliases);
        a = &aliases[naliases++];
        a->name = sqlitch_strndup(ns, (size_t)(ne - ns));
        a->expansion = NULL;
      }
      free(a->expansion);
      a->expansion = sqlitch_buf_take(&exp);
      if (!a->expansion) a->expansion = sqlitch_strdup("");
    }
    sqlitch_buf_free(&exp);
    if (!comma) break;
    p = comma + 1;
  }
}

int sqlitch_ansi_color_valid(const char *spec) {
  load_aliases();
  char *lc = sqlitch_strlower(spec ? spec : "");
  int ok = 1;
  char tmp[32];
  for (const char *w = lc; *w && ok;) {
    while (*w == ' ' || (*w >= '\t' && *w <= '\r'))
      w++;
    const char *we = w;
    while (*we && !(*we == ' ' || (*we >= '\t' && *we <= '\r')))
      we++;
    size_t n = (size_t)(we - w);
    if (n && !attr_code(w, n, tmp) && !find_alias(w, n) &&
        !truecolor(w, n, tmp))
      ok = 0;
    w = we;
  }
  free(lc);
  return ok;
}

static int add_attr_codes(const char *w, size_t n, sqlitch_buf *codes,
                          int depth) {
  char tmp[32];
  const alias *a = depth == 0 ? find_alias(w, n) : NULL;
  if (a) {
    for (const char *p = a->expansion; *p;) {
      while (*p == ' ')
        p++;
      const char *e = p;
      while (*e && *e != ' ')
        e++;
      if (e > p && add_attr_codes(p, (size_t)(e - p), codes, 1))
        return SQLITCH_ERROR;
      p = e;
    }
    return SQLITCH_OK;
  }
  char *lc = sqlitch_strndup(w, n);
  for (char *c = lc; *c; c++)
    *c = (char)tolower((unsigned char)*c);
  int ok = attr_code(lc, n, tmp) || truecolor(lc, n, tmp);
  free(lc);
  if (!ok) return SQLITCH_ERROR;
  sqlitch_buf_add(codes, tmp);
  sqlitch_buf_addc(codes, ';');
  return SQLITCH_OK;
}

int sqlitch_ansi_color(const char *spec, sqlitch_buf *out) {
  sqlitch_buf codes = SQLITCH_BUF_INIT;
  load_aliases();
  for (const char *w = spec ? spec : ""; *w;) {
    while (isspace((unsigned char)*w))
      w++;
    const char *we = w;
    while (*we && !isspace((unsigned char)*we))
      we++;
    if (we > w && add_attr_codes(w, (size_t)(we - w), &codes, 0)) {
      sqlitch_buf_free(&codes);
      return SQLITCH_ERROR;
    }
    w = we;
  }
  if (codes.len) {
    codes.len--; /* chop the last ";" */
    sqlitch_buf_add(out, "\033[");
    sqlitch_buf_addn(out, codes.p, codes.len);
    sqlitch_buf_addc(out, 'm');
  }
  sqlitch_buf_free(&codes);
  return SQLITCH_OK;
}

/* --------------------------------------------------------------- labels */

static const struct {
  const char *name, *text;
} labels[] = {
    {"event", "Event:    "},     {"change", "Change:   "},
    {"committer", "Committer:"}, {"planner", "Planner:  "},
    {"by", "By:       "},        {"date", "Date:     "},
    {"committed", "Committed:"}, {"planned", "Planned:  "},
    {"name", "Name:     "},      {"project", "Project:  "},
    {"email", "Email:    "},     {"requires", "Requires: "},
    {"conflicts", "Conflicts:"},
};

/* ------------------------------------------------------- named formats */

#define RAW_HEAD                                                               \
  "%{:event}C%e %H%{reset}C%T\n"                                               \
  "name      %n\n"                                                             \
  "project   %o\n"                                                             \
  "%{requires}a%{conflicts}aplanner   %{name}p <%{email}p>\n"

static const struct {
  const char *name;
  const char *log, *plan;
} named[] = {
    {"raw",
     RAW_HEAD "planned   %{date:raw}p\n"
              "committer %{name}c <%{email}c>\n"
              "committed %{date:raw}c\n"
              "\n"
              "%{    }B\n",
     RAW_HEAD "planned   %{date:raw}p\n"
              "\n"
              "%{    }B\n"},
    {"full",
     "%{:event}C%L %h%{reset}C%T\n"
     "%{name}_ %n\n"
     "%{project}_ %o\n"
     "%R%X%{planner}_ %p\n"
     "%{planned}_ %{date}p\n"
     "%{committer}_ %c\n"
     "%{committed}_ %{date}c\n"
     "\n"
     "%{    }B\n",
     "%{:event}C%L %h%{reset}C%T\n"
     "%{name}_ %n\n"
     "%{project}_ %o\n"
     "%R%X%{planner}_ %p\n"
     "%{planned}_ %{date}p\n"
     "\n"
     "%{    }B\n"},
    {"long",
     "%{:event}C%L %h%{reset}C%T\n"
     "%{name}_ %n\n"
     "%{project}_ %o\n"
     "%{planner}_ %p\n"
     "%{committer}_ %c\n"
     "\n"
     "%{    }B\n",
     "%{:event}C%L %h%{reset}C%T\n"
     "%{name}_ %n\n"
     "%{project}_ %o\n"
     "%{planner}_ %p\n"
     "\n"
     "%{    }B\n"},
    {"medium",
     "%{:event}C%L %h%{reset}C\n"
     "%{name}_ %n\n"
     "%{committer}_ %c\n"
     "%{date}_ %{date}c\n"
     "\n"
     "%{    }B\n",
     "%{:event}C%L %h%{reset}C\n"
     "%{name}_ %n\n"
     "%{planner}_ %p\n"
     "%{date}_ %{date}p\n"
     "\n"
     "%{    }B\n"},
    {"short",
     "%{:event}C%L %h%{reset}C\n"
     "%{name}_ %n\n"
     "%{committer}_ %c\n"
     "\n"
     "%{    }s\n",
     "%{:event}C%L %h%{reset}C\n"
     "%{name}_ %n\n"
     "%{planner}_ %p\n"
     "\n"
     "%{    }s\n"},
    {"oneline", "%{:event}C%h %l%{reset}C %o:%n %s",
     "%{:event}C%h %l%{reset}C %n%{cyan}C%t%{reset}C"},
};

const char *sqlitch_fmt_named(sqlitch_fmt_kind kind, const char *name) {
  if (!name) return NULL;
  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
    if (strcmp(name, named[i].name) == 0)
      return kind == SQLITCH_FMT_LOG ? named[i].log : named[i].plan;
  return NULL;
}

/* ------------------------------------------------------------ segments */

typedef enum {
  P_NONE = 0, /* %c/%p: "name <email>" */
  P_NAME,
  P_EMAIL,
  P_DATE,
  P_EMPTY /* an argument matching none of the above: "" */
} person_part;

typedef struct seg {
  int conv;        /* 0 = literal text */
  size_t off, len; /* literal text, or the argument */
  int has_arg;
  int left, zero;   /* "-" and a width starting with "0" */
  long width;       /* minimum width in characters */
  long max;         /* precision; -1 = none */
  int32_t code;     /* conversion character */
  char *err;        /* error this conversion raises, or NULL */
  char *pre;        /* prepared text: label, colour escape */
  person_part part; /* %c / %p */
  char *datefmt;    /* %c/%p date format, NULL = the default */
  int attr;         /* %a: index into attr_names */
  int is_event;     /* %{:event}C */
  char *argz;       /* the argument, NUL-terminated, or NULL */
} seg;

struct sqlitch_fmt {
  char *text;
  seg *segs;
  size_t nsegs;
  long abbrev;
  char *date_format;
  int colors;
  char ev_green[8], ev_blue[8], ev_red[8];
};

static const char *const attr_names[] = {
    "event",           "change_id",   "change",
    "project",         "note",        "requires",
    "conflicts",       "tags",        "planner_name",
    "planner_email",   "planned_at",  "committer_name",
    "committer_email", "committed_at"};
#define ATTR_FIRST_COMMITTER 11
#define NATTRS (sizeof attr_names / sizeof attr_names[0])

void sqlitch_fmt_opts_init(sqlitch_fmt_opts *o) {
  memset(o, 0, sizeof *o);
  o->date_format = "iso";
  o->color = SQLITCH_COLOR_AUTO;
}

void sqlitch_fmt_item_init(sqlitch_fmt_item *it) { memset(it, 0, sizeof *it); }

/* ItemFormatter->format's ANSI_COLORS_DISABLED dance + Term::ANSIColor's
   NO_COLOR check. */
static int colors_enabled(const sqlitch_fmt_opts *o) {
  if (getenv("NO_COLOR")) return 0;
  switch (o->color) {
  case SQLITCH_COLOR_ALWAYS: return 1;
  case SQLITCH_COLOR_NEVER: return 0;
  default: break;
  }
  return o->stdout_is_tty && !sqlitch_perl_true(getenv("ANSI_COLORS_DISABLED"));
}

/* Try to match the hunk regex at text[i] == '%'. On success fill *s and
   return the index after the match; else 0. */
static size_t match_hunk(const char *t, size_t n, size_t i, seg *s) {
  size_t p0 = i + 1;
  int dash_opts = (p0 < n && t[p0] == '-') ? 2 : 1;
  for (int d = 0; d < dash_opts; d++) {
    int left = dash_opts == 2 && d == 0;
    size_t p1 = p0 + (size_t)left;
    size_t nd = 0;
    while (p1 + nd < n && isdigit((unsigned char)t[p1 + nd]))
      nd++;
    for (size_t w = nd + 1; w-- > 0;) { /* greedy width */
      size_t p2 = p1 + w;
      /* dot group: present (greedy digits) then absent */
      size_t nmax = 0;
      int has_dot = p2 < n && t[p2] == '.';
      if (has_dot)
        while (p2 + 1 + nmax < n && isdigit((unsigned char)t[p2 + 1 + nmax]))
          nmax++;
      for (long m = has_dot ? (long)nmax : -1; m >= -1; m--) {
        size_t p3 = m >= 0 ? p2 + 1 + (size_t)m : p2;
        /* brace group: each closing "}" in turn (lazy), then absent */
        size_t close = p3;
        int brace = p3 < n && t[p3] == '{';
        for (;;) {
          size_t p4, aoff = 0, alen = 0;
          int has_arg = 0;
          if (brace) {
            size_t q = close == p3 ? p3 + 1 : close + 1;
            while (q < n && t[q] != '}' && t[q] != '\n')
              q++;
            if (q < n && t[q] == '}') {
              close = q;
              has_arg = 1;
              aoff = p3 + 1;
              alen = q - p3 - 1;
              p4 = q + 1;
            } else {
              brace = 0;
              p4 = p3;
            }
          } else {
            p4 = p3;
          }
          if (p4 < n && !perl_space(u8cp(t + p4, t + n))) {
            s->conv = 1;
            s->left = left;
            s->zero = w > 0 && t[p1] == '0';
            s->width = 0;
            for (size_t k = 0; k < w; k++) {
              s->width = s->width * 10 + (t[p1 + k] - '0');
              if (s->width > 1000000000L) s->width = 1000000000L;
            }
            /* `$max_width || $replength`: "" and "0" do not truncate */
            s->max = -1;
            if (m > 0 && !(m == 1 && t[p2 + 1] == '0')) {
              s->max = 0;
              for (long k = 0; k < m; k++) {
                s->max = s->max * 10 + (t[p2 + 1 + (size_t)k] - '0');
                if (s->max > 1000000000L) s->max = 1000000000L;
              }
            }
            s->has_arg = has_arg;
            s->off = aoff;
            s->len = alen;
            s->code = u8cp(t + p4, t + n);
            return p4 + u8len(t + p4, t + n);
          }
          if (!brace) break;
        }
      }
    }
  }
  return 0;
}

static char *arg_dup(const sqlitch_fmt *f, const seg *s) {
  return sqlitch_strndup(f->text + s->off, s->len);
}

/* Pre-digest one conversion: what it will print or which error it raises. */
static void prepare(sqlitch_fmt *f, seg *s, const char *raw, size_t rawlen) {
  s->argz = s->has_arg ? arg_dup(f, s) : NULL;
  const char *arg = s->argz;
  switch (s->code) {
  case 'e':
  case 'L':
  case 'l':
  case 'H':
  case 'h':
  case 'n':
  case 'o':
  case 't':
  case 'T':
  case 'r':
  case 'R':
  case 'x':
  case 'X':
  case 's':
  case 'b':
  case 'B':
  case 'v': break;
  case '_':
    if (!arg) {
      s->err = sqlitch_strdup("No label passed to the _ format");
      break;
    }
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
      if (strcmp(arg, labels[i].name) == 0)
        s->pre = sqlitch_strdup(labels[i].text);
    if (!s->pre)
      s->err =
          sqlitch_mprintf("Unknown label \"%s\" passed to the _ format", arg);
    break;
  case 'c':
  case 'p':
    s->part = P_NONE;
    if (!arg) break;
    if (strcmp(arg, "n") == 0 || strcmp(arg, "name") == 0)
      s->part = P_NAME;
    else if (strcmp(arg, "e") == 0 || strcmp(arg, "email") == 0)
      s->part = P_EMAIL;
    else {
      /* s/^d(?:ate)?(?::|$)// */
      const char *rest = NULL;
      if (arg[0] == 'd') {
        const char *q = arg + 1;
        if (strncmp(q, "ate", 3) == 0 && (q[3] == ':' || q[3] == 0))
          rest = q[3] == ':' ? q + 4 : q + 3;
        else if (*q == ':' || *q == 0)
          rest = *q == ':' ? q + 1 : q;
      }
      if (rest) {
        s->part = P_DATE;
        s->datefmt = sqlitch_perl_true(rest) ? sqlitch_strdup(rest) : NULL;
      } else {
        s->part = P_EMPTY;
      }
    }
    break;
  case 'a': {
    s->attr = -1;
    if (!sqlitch_perl_true(arg)) {
      s->err = sqlitch_mprintf("%s is not a valid change attribute",
                               arg ? arg : "{attr}");
      break;
    }
    for (size_t i = 0; i < NATTRS; i++)
      if (strcmp(arg, attr_names[i]) == 0) s->attr = (int)i;
    if (s->attr < 0)
      s->err = sqlitch_mprintf("%s is not a valid change attribute", arg);
    break;
  }
  case 'C':
    if (arg && strcmp(arg, ":event") == 0) {
      s->is_event = 1;
      break;
    }
    if (!sqlitch_perl_true(arg) || !sqlitch_ansi_color_valid(arg)) {
      s->err = sqlitch_mprintf("%s is not a valid ANSI color",
                               arg ? arg : "{color}");
      break;
    }
    if (f->colors) {
      sqlitch_buf b = SQLITCH_BUF_INIT;
      if (sqlitch_ansi_color(arg, &b))
        s->err = sqlitch_mprintf("Invalid attribute name %s", arg);
      else
        s->pre = sqlitch_buf_take(&b);
    }
    break;
  default:
    s->err = sqlitch_mprintf("Unknown format code \"%.*s\"", (int)rawlen, raw);
  }
}

sqlitch_fmt *sqlitch_fmt_new(const char *tmpl, const sqlitch_fmt_opts *o) {
  sqlitch_fmt_opts defaults;
  if (!o) {
    sqlitch_fmt_opts_init(&defaults);
    o = &defaults;
  }
  sqlitch_fmt *f = sqlitch_calloc(1, sizeof *f);
  f->text = sqlitch_strdup(tmpl ? tmpl : "");
  f->abbrev = o->abbrev;
  f->date_format = sqlitch_strdup(o->date_format ? o->date_format : "iso");
  f->colors = colors_enabled(o);
  if (f->colors) {
    strcpy(f->ev_green, "\033[32m");
    strcpy(f->ev_blue, "\033[34m");
    strcpy(f->ev_red, "\033[31m");
  }
  const char *t = f->text;
  size_t n = strlen(t), lit = 0, cap = 0;
  for (size_t i = 0; i < n;) {
    const char *pct = memchr(t + i, '%', n - i);
    if (!pct) break;
    i = (size_t)(pct - t);
    seg s;
    memset(&s, 0, sizeof s);
    size_t end = match_hunk(t, n, i, &s);
    if (!end) {
      i++;
      continue;
    }
    if (f->nsegs + 2 > cap) {
      cap = cap ? cap * 2 : 16;
      f->segs = sqlitch_realloc(f->segs, cap * sizeof *f->segs);
    }
    if (i > lit) {
      seg l;
      memset(&l, 0, sizeof l);
      l.off = lit;
      l.len = i - lit;
      f->segs[f->nsegs++] = l;
    }
    if (end - i == 2 && t[i + 1] == '%') {
      /* "%%" is a literal "%" */
      seg l;
      memset(&l, 0, sizeof l);
      l.off = i + 1;
      l.len = 1;
      f->segs[f->nsegs++] = l;
    } else {
      size_t clen = u8len(t + end - 1, t + n);
      /* the conversion character starts where its UTF-8 sequence starts */
      size_t cstart = end - 1;
      while (cstart > i && ((unsigned char)t[cstart] & 0xC0) == 0x80)
        cstart--;
      clen = end - cstart;
      prepare(f, &s, t + cstart, clen);
      f->segs[f->nsegs++] = s;
    }
    lit = i = end;
  }
  if (lit < n) {
    if (f->nsegs + 1 > cap) {
      cap = cap ? cap * 2 : 4;
      f->segs = sqlitch_realloc(f->segs, cap * sizeof *f->segs);
    }
    seg l;
    memset(&l, 0, sizeof l);
    l.off = lit;
    l.len = n - lit;
    f->segs[f->nsegs++] = l;
  }
  return f;
}

void sqlitch_fmt_free(sqlitch_fmt *f) {
  if (!f) return;
  for (size_t i = 0; i < f->nsegs; i++) {
    free(f->segs[i].err);
    free(f->segs[i].pre);
    free(f->segs[i].datefmt);
    free(f->segs[i].argz);
  }
  free(f->segs);
  free(f->text);
  free(f->date_format);
  free(f);
}

int sqlitch_fmt_colors_on(const sqlitch_fmt *f) { return f && f->colors; }

/* ------------------------------------------------------------ formatting */

static void add_str(sqlitch_buf *b, const char *s) {
  if (s) sqlitch_buf_add(b, s);
}

static void join_list(sqlitch_buf *b, const char *const *v, size_t n,
                      const char *sep) {
  for (size_t i = 0; i < n; i++) {
    if (i) sqlitch_buf_add(b, sep);
    add_str(b, v[i]);
  }
}

/* Perl's message for @{ "string" } under strict refs. */
static int not_array(sqlitch_err *err, const char *s) {
  if (!s)
    return sqlitch_err_fail(err, "Can't use an undefined value as an ARRAY "
                                 "reference");
  size_t n = strlen(s), cut = u8prefix(s, n, 32);
  return sqlitch_err_fail(err, "Can't use string (\"%.*s\"%s) as an ARRAY ref",
                          (int)cut, s, cut < n ? "..." : "");
}

/* s/^/$prefix/gm: prefix at the start and after every "\n" that is not
   the last character. */
static void add_prefixed(sqlitch_buf *b, const char *s, size_t n,
                         const char *prefix) {
  size_t i = 0;
  sqlitch_buf_add(b, prefix);
  while (i < n) {
    const char *nl = memchr(s + i, '\n', n - i);
    if (!nl) {
      sqlitch_buf_addn(b, s + i, n - i);
      return;
    }
    size_t e = (size_t)(nl - s) + 1;
    sqlitch_buf_addn(b, s + i, e - i);
    i = e;
    if (i < n) sqlitch_buf_add(b, prefix);
  }
}

/* Perl numification of a string, truncated to an integer (for substr). */
static long perl_int(const char *s) {
  while (isspace((unsigned char)*s))
    s++;
  char *end;
  double d = strtod(s, &end);
  /* strtod accepts hex and inf/nan spellings Perl does not treat as
     numbers in strings; keep only the decimal prefix. */
  if (end != s && (strchr("0123456789+-.", *s) == NULL)) d = 0;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) d = 0;
  if (d > 1e9) d = 1e9;
  if (d < -1e9) d = -1e9;
  return (long)d;
}

static int person(const sqlitch_fmt *f, const seg *s, const char *name,
                  const char *email, const sqlitch_time *when, int has_when,
                  sqlitch_buf *b, sqlitch_err *err) {
  switch (s->part) {
  case P_NONE:
    add_str(b, name);
    sqlitch_buf_add(b, " <");
    add_str(b, email);
    sqlitch_buf_addc(b, '>');
    return SQLITCH_OK;
  case P_NAME: add_str(b, name); return SQLITCH_OK;
  case P_EMAIL: add_str(b, email); return SQLITCH_OK;
  case P_EMPTY: return SQLITCH_OK;
  case P_DATE:
    if (!has_when)
      return sqlitch_err_fail(err, "Can't call method \"as_string\" on an "
                                   "undefined value");
    return sqlitch_datefmt_format(s->datefmt ? s->datefmt : f->date_format,
                                  when, b, err);
  }
  return SQLITCH_OK;
}

/* substr($s, 0, $len) on characters. */
static void add_substr(sqlitch_buf *b, const char *s, long len) {
  size_t n = strlen(s);
  if (len >= 0) {
    sqlitch_buf_addn(b, s, u8prefix(s, n, (size_t)len));
  } else {
    size_t chars = u8count(s, n), drop = (size_t)(-len);
    if (drop < chars) sqlitch_buf_addn(b, s, u8prefix(s, n, chars - drop));
  }
}

/* Replacement text of one conversion, appended to b. */
static int replace(const sqlitch_fmt *f, const seg *s,
                   const sqlitch_fmt_item *it, sqlitch_buf *b,
                   sqlitch_err *err) {
  const char *arg = s->argz;
  /* `$_[1] || ', '` */
  const char *sep = sqlitch_perl_true(arg) ? arg : ", ";
  int rc = SQLITCH_OK;
  const char *ev = it->event ? it->event : "";
  if (s->err) return sqlitch_err_fail(err, "%s", s->err);
  switch (s->code) {
  case 'e': add_str(b, it->event); break;
  case 'L':
  case 'l': {
    static const char *const ev_names[][2] = {
        {"deploy", "Deploy"}, {"revert", "Revert"}, {"fail", "Fail"}};
    for (size_t i = 0; i < 3; i++)
      if (strcmp(ev, ev_names[i][0]) == 0)
        sqlitch_buf_add(b, ev_names[i][s->code == 'L']);
    break;
  }
  case '_': sqlitch_buf_add(b, s->pre); break;
  case 'H': add_str(b, it->change_id); break;
  case 'h': {
    /* if (my $abb = $_[1] || $self->abbrev) { substr $id, 0, $abb } */
    const char *id = it->change_id ? it->change_id : "";
    if (sqlitch_perl_true(arg))
      add_substr(b, id, perl_int(arg));
    else if (f->abbrev)
      add_substr(b, id, f->abbrev);
    else
      sqlitch_buf_add(b, id);
    break;
  }
  case 'n': add_str(b, it->change); break;
  case 'o': add_str(b, it->project); break;
  case 'c':
    rc = person(f, s, it->committer_name, it->committer_email,
                &it->committed_at, it->has_committed_at, b, err);
    break;
  case 'p':
    rc = person(f, s, it->planner_name, it->planner_email, &it->planned_at,
                it->has_planned_at, b, err);
    break;
  case 't':
  case 'T':
    if (it->lists_are_strings && !it->lists_split) {
      rc = not_array(err, it->tags_str);
      break;
    }
    if (it->ntags) {
      sqlitch_buf_add(b, s->code == 't' ? " " : " (");
      join_list(b, it->tags, it->ntags, sep);
      if (s->code == 'T') sqlitch_buf_addc(b, ')');
    }
    break;
  case 'r':
  case 'x': {
    const char *const *v = s->code == 'r' ? it->requires : it->conflicts;
    size_t nv = s->code == 'r' ? it->nrequires : it->nconflicts;
    if (it->lists_are_strings && !it->lists_split) {
      rc =
          not_array(err, s->code == 'r' ? it->requires_str : it->conflicts_str);
      break;
    }
    if (nv) {
      sqlitch_buf_addc(b, ' ');
      join_list(b, v, nv, sep);
    }
    break;
  }
  case 'R':
  case 'X': {
    const char *const *v = s->code == 'R' ? it->requires : it->conflicts;
    size_t nv = s->code == 'R' ? it->nrequires : it->nconflicts;
    if (it->lists_are_strings && !it->lists_split) {
      rc =
          not_array(err, s->code == 'R' ? it->requires_str : it->conflicts_str);
      break;
    }
    if (nv) {
      sqlitch_buf_add(b, s->code == 'R' ? "Requires:  " : "Conflicts: ");
      join_list(b, v, nv, sep);
      sqlitch_buf_addc(b, '\n');
    }
    break;
  }
  case 'v': sqlitch_buf_addc(b, '\n'); break;
  case 'C':
    if (s->is_event) {
      sqlitch_buf_add(b, strcmp(ev, "deploy") == 0   ? f->ev_green
                         : strcmp(ev, "revert") == 0 ? f->ev_blue
                                                     : f->ev_red);
    } else if (s->pre) {
      sqlitch_buf_add(b, s->pre);
    }
    break;
  case 's': {
    /* drop everything from the first vertical space on, add the prefix */
    const char *note = it->note ? it->note : "";
    size_t n = strlen(note), i = 0;
    while (i < n && !perl_vspace(u8cp(note + i, note + n)))
      i += u8len(note + i, note + n);
    add_str(b, arg);
    sqlitch_buf_addn(b, note, i);
    break;
  }
  case 'b': {
    const char *note = it->note ? it->note : "";
    size_t n = strlen(note), i, last_v = 0, body = 0;
    int any_v = 0, matched = 0;
    for (i = 0; i < n; i += u8len(note + i, note + n))
      if (perl_vspace(u8cp(note + i, note + n))) any_v = 1;
    if (!any_v) break;
    /* s/^.+\v+// : .+ runs to the first "\n" (it cannot cross one) */
    const char *nl = memchr(note, '\n', n);
    size_t seg_end = nl ? (size_t)(nl - note) : n;
    if (seg_end > 0 && seg_end < n) {
      body = seg_end;
      while (body < n && perl_vspace(u8cp(note + body, note + n)))
        body += u8len(note + body, note + n);
      matched = 1;
    } else if (seg_end == n) {
      /* no newline: back off to the last \v at character 1 or later */
      size_t first = n ? u8len(note, note + n) : 0;
      for (i = first; i < n; i += u8len(note + i, note + n))
        if (perl_vspace(u8cp(note + i, note + n))) {
          last_v = i;
          matched = 1;
        }
      if (matched) body = last_v + u8len(note + last_v, note + n);
    }
    const char *rest = matched ? note + body : note;
    size_t rlen = matched ? n - body : n;
    if (arg && rlen)
      add_prefixed(b, rest, rlen, arg);
    else
      sqlitch_buf_addn(b, rest, rlen);
    break;
  }
  case 'B': {
    const char *note = it->note ? it->note : "";
    if (!arg)
      sqlitch_buf_add(b, note);
    else
      add_prefixed(b, note, strlen(note), arg);
    break;
  }
  case 'a': {
    if (s->attr >= ATTR_FIRST_COMMITTER && !it->has_committer) {
      rc = sqlitch_err_fail(err, "%s is not a valid change attribute",
                            attr_names[s->attr]);
      break;
    }
    const char *name = attr_names[s->attr];
    sqlitch_buf val = SQLITCH_BUF_INIT;
    int defined = 1;
    switch (s->attr) {
    case 0:
      defined = !!it->event;
      add_str(&val, it->event);
      break;
    case 1:
      defined = !!it->change_id;
      add_str(&val, it->change_id);
      break;
    case 2:
      defined = !!it->change;
      add_str(&val, it->change);
      break;
    case 3:
      defined = !!it->project;
      add_str(&val, it->project);
      break;
    case 4:
      defined = !!it->note;
      add_str(&val, it->note);
      break;
    case 5:
    case 6:
    case 7: {
      const char *str = s->attr == 5   ? it->requires_str
                        : s->attr == 6 ? it->conflicts_str
                                       : it->tags_str;
      const char *const *v = s->attr == 5   ? it->requires
                             : s->attr == 6 ? it->conflicts
                                            : it->tags;
      size_t nv = s->attr == 5   ? it->nrequires
                  : s->attr == 6 ? it->nconflicts
                                 : it->ntags;
      if (it->lists_are_strings) {
        defined = !!str;
        add_str(&val, str);
      } else if (nv == 0) {
        defined = 0;
      } else {
        join_list(&val, v, nv, ", ");
      }
      break;
    }
    case 8:
      defined = !!it->planner_name;
      add_str(&val, it->planner_name);
      break;
    case 9:
      defined = !!it->planner_email;
      add_str(&val, it->planner_email);
      break;
    case 10:
      defined = it->has_planned_at;
      if (defined) sqlitch_datefmt_format("raw", &it->planned_at, &val, err);
      break;
    case 11:
      defined = !!it->committer_name;
      add_str(&val, it->committer_name);
      break;
    case 12:
      defined = !!it->committer_email;
      add_str(&val, it->committer_email);
      break;
    case 13:
      defined = it->has_committed_at;
      if (defined) sqlitch_datefmt_format("raw", &it->committed_at, &val, err);
      break;
    }
    if (defined) {
      size_t nl = strlen(name);
      sqlitch_buf_add(b, name);
      sqlitch_buf_pad(b, ' ', nl < 9 ? 9 - nl : 0);
      sqlitch_buf_addc(b, ' ');
      sqlitch_buf_addn(b, sqlitch_buf_str(&val), val.len);
      sqlitch_buf_addc(b, '\n');
    }
    sqlitch_buf_free(&val);
    break;
  }
  }
  return rc;
}

/* sprintf("%-0W.Ms") on the text appended since `start`. */
static void apply_width(sqlitch_buf *b, size_t start, const seg *s) {
  size_t n = b->len - start;
  if (s->max >= 0) {
    size_t keep = u8prefix(b->p + start, n, (size_t)s->max);
    sqlitch_buf_truncate(b, start + keep);
    n = keep;
  }
  if (s->width <= 0) return;
  size_t chars = u8count(b->p + start, n);
  if (chars >= (size_t)s->width) return;
  size_t pad = (size_t)s->width - chars;
  if (s->left) {
    sqlitch_buf_pad(b, ' ', pad);
    return;
  }
  sqlitch_buf_grow(b, pad);
  memmove(b->p + start + pad, b->p + start, n);
  memset(b->p + start, s->zero ? '0' : ' ', pad);
  b->len += pad;
  b->p[b->len] = 0;
}

/* Widths beyond this would need gigabytes: Perl dies "Out of memory!". */
#define MAX_WIDTH 100000000L

int sqlitch_fmt_format(sqlitch_fmt *f, const sqlitch_fmt_item *it,
                       sqlitch_buf *out, sqlitch_err *err) {
  size_t mark = out->len;
  /* In template order, so the first failing conversion wins, as in
     String::Formatter's replacement loop. */
  for (size_t i = 0; i < f->nsegs; i++) {
    const seg *s = &f->segs[i];
    if (!s->conv) {
      sqlitch_buf_addn(out, f->text + s->off, s->len);
      continue;
    }
    size_t start = out->len;
    if (replace(f, s, it, out, err)) goto fail;
    if (s->width > MAX_WIDTH) {
      sqlitch_err_set(err, SQLITCH_E_DEV, 1, "Out of memory!");
      goto fail;
    }
    if (s->width || s->max >= 0) apply_width(out, start, s);
  }
  if (!out->p) sqlitch_buf_add(out, "");
  return SQLITCH_OK;
fail:
  sqlitch_buf_truncate(out, mark);
  return SQLITCH_ERROR;
}

/* ------------------------------------------------------ configuration */

int sqlitch_fmt_configure(const sqlitch_config *cfg, sqlitch_fmt_kind kind,
                          const sqlitch_fmt_cli *cli, const char **template_out,
                          sqlitch_fmt_opts *o, sqlitch_err *err) {
  const char *cmd = kind == SQLITCH_FMT_LOG ? "log" : "plan";
  char key[64];
  sqlitch_fmt_opts_init(o);

  const char *format = cli->format;
  long abbrev = cli->has_abbrev ? cli->abbrev : 0;
  if (cli->oneline) {
    if (!sqlitch_perl_true(format)) format = "oneline";
    if (!cli->has_abbrev) abbrev = 6;
  }

  /* date format */
  const char *date = cli->date_format;
  if (!sqlitch_perl_true(date) && cfg) {
    snprintf(key, sizeof key, "%s.date_format", cmd);
    date = sqlitch_config_get(cfg, key);
  }
  if (sqlitch_perl_true(date)) {
    if (sqlitch_datefmt_validate(date, err)) return SQLITCH_ERROR;
    o->date_format = date;
  }

  /* format */
  *template_out = sqlitch_fmt_named(kind, "medium");
  if (!sqlitch_perl_true(format) && cfg) {
    snprintf(key, sizeof key, "%s.format", cmd);
    format = sqlitch_config_get(cfg, key);
  }
  if (sqlitch_perl_true(format)) {
    if (sqlitch_starts_with(format, "format:")) {
      *template_out = format + 7;
    } else if (!(*template_out = sqlitch_fmt_named(kind, format))) {
      return sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                             "Unknown %s format \"%s\"", cmd, format);
    }
  }

  /* colour */
  const char *color = NULL;
  if (cli->no_color) {
    color = "never";
  } else {
    color = cli->color;
    if (!sqlitch_perl_true(color) && cfg) {
      snprintf(key, sizeof key, "%s.color", cmd);
      color = sqlitch_config_get(cfg, key);
    }
  }
  if (sqlitch_perl_true(color)) {
    static const char *const modes[] = {"auto", "always", "never"};
    size_t i;
    for (i = 0; i < 3; i++)
      if (strcmp(color, modes[i]) == 0) break;
    if (i == 3)
      return sqlitch_err_set(
          err, SQLITCH_E_CONFIG, 255,
          "Value \"%s\" did not pass type constraint "
          "\"Enum[always,auto,never]\" (in $args->{\"color\"})",
          color);
    o->color = (sqlitch_color_mode)i;
  }
  o->abbrev = abbrev;
  return SQLITCH_OK;
}
