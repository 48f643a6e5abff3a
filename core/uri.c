/*
** uri.c -- `db:` database URIs, byte-compatible with Perl's URI::db 0.20
** (on URI 5.17) as Sqitch uses them. API in target.h.
**
** A URI::db is the prefix "db" (kept as written) plus a nested URI
** "<engine>:<rest>". Everything URI does to the text is reproduced here:
** wrappers (<...>, "...") and surrounding blanks are dropped, characters
** outside RFC 2396's "uric" set are percent-encoded, and accessors and
** setters work on the text with the same regular expressions URI uses, so
** the string printed after --db-user/--db-host/--db-port/--db-name is the
** one Sqitch prints.
**
**   sqlitch_uri *u;
**   if (sqlitch_uri_parse("db:pg://bob:s3cr%40t@db.example/flipr", &u, &err))
**     ...                                   // `URI "x" is not a database URI`
**   u->engine;       // "pg"          (canonical engine)
**   u->password;     // "s3cr@t"      (decoded; never print it)
**   sqlitch_uri_set_port(u, "6543");
**   char *shown = sqlitch_uri_display(u);
**   // shown: "db:pg://bob:@db.example:6543/flipr"
**   free(shown); sqlitch_uri_free(u);
**
** sqlitch_uri_new_db() is URI::db->new: anything that is not already a
** db: URI is wrapped ("pg://h/x" -> "db:pg://h/x", "x" -> "db:x").
**
** Decoded fields (user, password, host, port, dbname, params) are views
** recomputed after every setter; treat them as read-only.
**
** Not reproduced: IDNA (punycode) encoding of non-ASCII host names; such
** hosts are percent-encoded instead.
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

/* ------------------------------------------------------------ engines */

/* URI::db's recognised engines: scheme -> canonical engine, default port
   (0 = none). Any other scheme is its own canonical engine. */
static const struct {
  const char *scheme, *canon;
  int port;
} engines[] = {
    {"cassandra", "cassandra", 9160},
    {"cockroach", "cockroach", 26257},
    {"cockroachdb", "cockroach", 26257},
    {"couch", "couchdb", 5984},
    {"couchdb", "couchdb", 5984},
    {"cubrid", "cubrid", 33000},
    {"db2", "db2", 50000},
    {"derby", "derby", 1527},
    {"exasol", "exasol", 8563},
    {"firebird", "firebird", 3050},
    {"hive", "hive", 10000},
    {"impala", "impala", 21000},
    {"informix", "informix", 1526},
    {"ingres", "ingres", 1524},
    {"interbase", "interbase", 3050},
    {"ldapdb", "ldapdb", 0},
    {"maria", "mysql", 3306},
    {"mariadb", "mysql", 3306},
    {"max", "maxdb", 7673},
    {"maxdb", "maxdb", 7673},
    {"monet", "monetdb", 50000},
    {"monetdb", "monetdb", 50000},
    {"mongo", "mongodb", 27017},
    {"mongodb", "mongodb", 27017},
    {"mssql", "mssql", 1433},
    {"mysql", "mysql", 3306},
    {"oracle", "oracle", 1521},
    {"pg", "pg", 5432},
    {"pgsql", "pg", 5432},
    {"pgxc", "pg", 5432},
    {"postgres", "pg", 5432},
    {"postgresql", "pg", 5432},
    {"postgresxc", "pg", 5432},
    {"redshift", "pg", 5432},
    {"snowflake", "snowflake", 443},
    {"sqlite", "sqlite", 0},
    {"sqlite3", "sqlite", 0},
    {"sqlserver", "mssql", 1433},
    {"sybase", "sybase", 2638},
    {"teradata", "teradata", 1025},
    {"unify", "unify", 27117},
    {"vertica", "vertica", 5433},
    {"yugabyte", "pg", 5433},
    {"yugabytedb", "pg", 5433},
};

/* Sqitch's engines (App::Sqitch::Command::ENGINES). */
static const char *const sqitch_engines[] = {"pg",     "sqlite",    "mysql",
                                             "oracle", "firebird",  "vertica",
                                             "exasol", "snowflake", NULL};

static int engine_row(const char *name) {
  if (!name) return -1;
  for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++)
    if (strcmp(engines[i].scheme, name) == 0) return (int)i;
  return -1;
}

const char *sqlitch_engine_key(const char *name) {
  int i = engine_row(name);
  return i < 0 ? NULL : engines[i].canon;
}

int sqlitch_engine_known(const char *name) {
  for (int i = 0; name && sqitch_engines[i]; i++)
    if (strcmp(sqitch_engines[i], name) == 0) return 1;
  return 0;
}

const char *const *sqlitch_engine_names(void) { return sqitch_engines; }

int sqlitch_uri_default_port(const char *scheme) {
  int i = engine_row(scheme);
  return i < 0 || engines[i].port == 0 ? -1 : engines[i].port;
}

/* ------------------------------------------------------ character sets */

/* RFC 2396 "uric": reserved + unreserved + "%". */
static int is_uric(unsigned char c) {
  return isalnum(c) || (c && strchr(";/?:@&=+$,-_.!~*'()%", c) != NULL);
}
static int is_init_ok(unsigned char c) { return is_uric(c) || c == '#'; }
/* authority characters: uric + "[]" without "/" and "?" */
static int is_achar(unsigned char c) {
  return (is_uric(c) || c == '[' || c == ']') && c != '/' && c != '?';
}
static int is_user_ok(unsigned char c) {
  return isalnum(c) || (c && strchr("!$'()*,;:._~%-+=&", c) != NULL);
}
static int is_pchar(unsigned char c) { return is_uric(c) && c != '?'; }

static void escape_into(sqlitch_buf *b, const char *s, size_t n,
                        int (*ok)(unsigned char)) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (ok(c)) {
      sqlitch_buf_addc(b, (char)c);
    } else {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      sqlitch_buf_addn(b, e, 3);
    }
  }
}

static char *escape(const char *s, int (*ok)(unsigned char)) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  escape_into(&b, s, strlen(s), ok);
  sqlitch_buf_addn(&b, "", 0);
  return sqlitch_buf_take(&b);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* uri_unescape of s[0..n). */
static char *unescape(const char *s, size_t n) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
        hexval(s[i + 2]) >= 0) {
      sqlitch_buf_addc(&b, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
      i += 2;
    } else {
      sqlitch_buf_addc(&b, s[i]);
    }
  }
  sqlitch_buf_addn(&b, "", 0);
  return sqlitch_buf_take(&b);
}

/* ------------------------------------------------------ text structure */

/* Length of a leading "scheme:" ($URI::scheme_re), or 0. */
static size_t scheme_len(const char *n) {
  size_t i = 0;
  if (!isalpha((unsigned char)n[0])) return 0;
  while (isalnum((unsigned char)n[i]) || n[i] == '.' || n[i] == '+' ||
         n[i] == '-')
    i++;
  return n[i] == ':' ? i + 1 : 0;
}

/* Authority: start offset (after "//") and length; returns 0 if absent. */
static int authority_span(const char *n, size_t *start, size_t *len) {
  size_t s = scheme_len(n);
  if (n[s] != '/' || n[s + 1] != '/') return 0;
  *start = s + 2;
  *len = strcspn(n + s + 2, "/?#");
  return 1;
}

/* Path per URI::_generic::path: prefix length and path length. */
static void path_span(const char *n, size_t *start, size_t *len) {
  size_t s = strcspn(n, ":/?#");
  size_t p = (s > 0 && n[s] == ':') ? s + 1 : 0;
  if (n[p] == '/' && n[p + 1] == '/') p += 2 + strcspn(n + p + 2, "/?#");
  *start = p;
  *len = strcspn(n + p, "?#");
}

/* ------------------------------------------------------------- object */

static const char *nested(const sqlitch_uri *u) { return u->str + 3; }

static void clear_fields(sqlitch_uri *u) {
  free(u->scheme_engine);
  free(u->engine);
  free(u->user);
  free(u->password);
  free(u->host);
  free(u->dbname);
  for (size_t i = 0; i < u->nparams; i++) {
    free(u->params[i].key);
    free(u->params[i].value);
  }
  free(u->params);
  u->scheme_engine = u->engine = u->user = u->password = u->host = NULL;
  u->dbname = NULL;
  u->params = NULL;
  u->nparams = 0;
  u->port = -1;
  u->has_authority = 0;
}

/* Add (key, value) to params, grouped by key in order of first key. */
static void param_add(sqlitch_uri *u, char *k, char *v, size_t *cap) {
  size_t at = u->nparams;
  for (size_t i = u->nparams; i-- > 0;) {
    if (strcmp(u->params[i].key, k) == 0) {
      at = i + 1;
      break;
    }
  }
  if (u->nparams == *cap) {
    *cap = *cap ? *cap * 2 : 4;
    u->params = sqlitch_realloc(u->params, *cap * sizeof *u->params);
  }
  memmove(&u->params[at + 1], &u->params[at],
          (u->nparams - at) * sizeof *u->params);
  u->params[at].key = k;
  u->params[at].value = v;
  u->nparams++;
}

/* query_form decoding: "+" is a blank, then percent-decoding. */
static char *form_decode(const char *s, size_t n) {
  char *t = sqlitch_strndup(s, n);
  for (char *p = t; *p; p++)
    if (*p == '+') *p = ' ';
  char *r = unescape(t, strlen(t));
  free(t);
  return r;
}

static void parse_query(sqlitch_uri *u, const char *n) {
  size_t q = strcspn(n, "?#");
  if (n[q] != '?') return;
  const char *qs = n + q + 1;
  size_t qn = strcspn(qs, "#"), cap = 0;
  if (qn == 0 || !memchr(qs, '=', qn)) return; /* not a form */
  /* split(/[&;]/): trailing empty fields are dropped */
  const char *end = qs + qn;
  while (end > qs && (end[-1] == '&' || end[-1] == ';'))
    end--;
  for (const char *p = qs; p < end;) {
    const char *e = p;
    while (e < end && *e != '&' && *e != ';')
      e++;
    const char *eq = memchr(p, '=', (size_t)(e - p));
    if (eq)
      param_add(u, form_decode(p, (size_t)(eq - p)),
                form_decode(eq + 1, (size_t)(e - eq - 1)), &cap);
    else
      param_add(u, form_decode(p, (size_t)(e - p)), sqlitch_strdup(""), &cap);
    p = e < end ? e + 1 : e;
  }
}

/* dbname: path segments (";params" dropped), decoded, the first one
   dropped for "//" URIs, joined with "/"; NULL when the path is empty. */
static char *parse_dbname(const char *n) {
  size_t ps, pl;
  path_span(n, &ps, &pl);
  if (pl == 0) return NULL;
  const char *opaque = n + scheme_len(n);
  int skip = opaque[0] == '/' && opaque[1] == '/';
  sqlitch_buf b = SQLITCH_BUF_INIT;
  const char *p = n + ps, *end = n + ps + pl;
  int first = 1;
  for (;;) {
    const char *e = memchr(p, '/', (size_t)(end - p));
    if (!e) e = end;
    if (skip) {
      skip = 0;
    } else {
      size_t sl = (size_t)(e - p);
      const char *semi = memchr(p, ';', sl);
      char *seg = unescape(p, semi ? (size_t)(semi - p) : sl);
      if (!first) sqlitch_buf_addc(&b, '/');
      sqlitch_buf_add(&b, seg);
      free(seg);
      first = 0;
    }
    if (e >= end) break;
    p = e + 1;
  }
  sqlitch_buf_addn(&b, "", 0);
  return sqlitch_buf_take(&b);
}

static void parse_fields(sqlitch_uri *u) {
  const char *n = nested(u);
  clear_fields(u);
  size_t sl = scheme_len(n);
  if (sl) {
    u->scheme_engine = sqlitch_strndup(n, sl - 1);
    for (char *p = u->scheme_engine; *p; p++)
      *p = (char)tolower((unsigned char)*p);
    const char *canon = sqlitch_engine_key(u->scheme_engine);
    u->engine = sqlitch_strdup(canon ? canon : u->scheme_engine);
  } else {
    u->scheme_engine = sqlitch_strdup("");
  }
  size_t as, al;
  if (authority_span(n, &as, &al)) {
    const char *a = n + as, *ae = a + al;
    u->has_authority = 1;
    const char *at = NULL;
    for (const char *p = a; p < ae; p++)
      if (*p == '@') at = p;
    const char *h = a;
    if (at) {
      const char *colon = memchr(a, ':', (size_t)(at - a));
      u->user = unescape(a, (size_t)((colon ? colon : at) - a));
      if (colon) u->password = unescape(colon + 1, (size_t)(at - colon - 1));
      h = at + 1;
    }
    /* host drops a ":digits" port; an empty port is part of the host */
    const char *he = ae;
    const char *c = ae;
    while (c > h && isdigit((unsigned char)c[-1]))
      c--;
    if (c > h && c[-1] == ':' && c < ae) {
      he = c - 1;
      size_t pl = (size_t)(ae - c);
      char *ps = sqlitch_strndup(c, pl);
      long v = pl > 6 ? 65535 : strtol(ps, NULL, 10);
      u->port = v > 65535 ? 65535 : (int)v;
      free(ps);
    }
    if (he - h >= 2 && h[0] == '[' && he[-1] == ']') {
      h++;
      he--;
    }
    u->host = unescape(h, (size_t)(he - h));
  }
  u->dbname = parse_dbname(n);
  parse_query(u, n);
}

/* URI->new's clean-up: <URL:...>, "...", surrounding blanks. */
static char *strip_wrappers(const char *s) {
  size_t n = strlen(s);
  const char *p = s;
  if (n >= 2 && p[0] == '<' && p[n - 1] == '>' && !memchr(p, '\n', n)) {
    p++;
    n -= 2;
    if (n >= 4 && strncmp(p, "URL:", 4) == 0) {
      p += 4;
      n -= 4;
    }
  }
  if (n >= 2 && p[0] == '"' && p[n - 1] == '"' && !memchr(p, '\n', n)) {
    p++;
    n -= 2;
  }
  while (n && isspace((unsigned char)*p)) {
    p++;
    n--;
  }
  while (n && isspace((unsigned char)p[n - 1]))
    n--;
  return sqlitch_strndup(p, n);
}

static int is_schemeless_host(const char *n) {
  static const char *const pre[] = {
      "data:", "ldapi:", "urn:", "sqlite:", "sqlite3:", NULL};
  for (int i = 0; pre[i]; i++)
    if (sqlitch_starts_with(n, pre[i])) return 1;
  return 0;
}

/* URI's _uric_escape of a nested URI (with the "[" "]" host fix). */
static char *init_escape(const char *s) {
  char *e = escape(s, is_init_ok);
  if (!strchr(e, '%') || is_schemeless_host(e)) return e;
  if (sqlitch_starts_with(e, "mailto:")) return e;
  size_t as, al;
  size_t s0 = scheme_len(e);
  if (e[s0] != '/' || e[s0 + 1] != '/') return e;
  as = s0 + 2;
  al = strcspn(e + as, "/?#");
  if (al == 0) return e;
  /* host part: after the last "@", before a ":digits" port */
  size_t hs = as;
  for (size_t i = as; i < as + al; i++)
    if (e[i] == '@') hs = i + 1;
  size_t he = as + al, c = he;
  while (c > hs && isdigit((unsigned char)e[c - 1]))
    c--;
  if (c > hs && c < he && e[c - 1] == ':') he = c - 1;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addn(&b, e, hs);
  for (size_t i = hs; i < he; i++) {
    if (e[i] == '%' && i + 2 < he && e[i + 1] == '5' &&
        strchr("BbDd", e[i + 2])) {
      sqlitch_buf_addc(&b, (e[i + 2] == 'B' || e[i + 2] == 'b') ? '[' : ']');
      i += 2;
    } else {
      sqlitch_buf_addc(&b, e[i]);
    }
  }
  sqlitch_buf_add(&b, e + he);
  free(e);
  return sqlitch_buf_take(&b);
}

static sqlitch_uri *make(const char *prefix, size_t plen, const char *rest) {
  char *clean = strip_wrappers(rest);
  char *esc = init_escape(clean);
  free(clean);
  sqlitch_uri *u = sqlitch_calloc(1, sizeof *u);
  u->port = -1;
  u->str = sqlitch_mprintf("%.*s:%s", (int)plen, prefix, esc);
  free(esc);
  parse_fields(u);
  return u;
}

/* Is `s` (cleaned) a "db:" URI? Sets *rest to what follows "db:". */
static int db_prefixed(const char *s, const char **rest) {
  size_t sl = scheme_len(s);
  if (sl == 3 && (s[0] == 'd' || s[0] == 'D') && (s[1] == 'b' || s[1] == 'B')) {
    *rest = s + 3;
    return 1;
  }
  return 0;
}

int sqlitch_uri_is_db(const char *s) {
  if (!s) return 0;
  char *c = strip_wrappers(s);
  const char *rest;
  int r = db_prefixed(c, &rest);
  free(c);
  return r;
}

int sqlitch_uri_parse(const char *s, sqlitch_uri **out, sqlitch_err *err) {
  char *c = strip_wrappers(s ? s : "");
  const char *rest;
  *out = NULL;
  if (!db_prefixed(c, &rest)) {
    char *e = init_escape(c);
    free(c);
    sqlitch_err_set(err, SQLITCH_E_PARSE, 2, "URI \"%s\" is not a database URI",
                    e);
    free(e);
    return SQLITCH_ERROR;
  }
  *out = make(c, 2, rest);
  free(c);
  return SQLITCH_OK;
}

sqlitch_uri *sqlitch_uri_new_db(const char *s) {
  char *c = strip_wrappers(s ? s : "");
  const char *rest;
  sqlitch_uri *u = db_prefixed(c, &rest) ? make(c, 2, rest) : make("db", 2, c);
  free(c);
  return u;
}

sqlitch_uri *sqlitch_uri_dup(const sqlitch_uri *u) {
  if (!u) return NULL;
  sqlitch_uri *d = sqlitch_calloc(1, sizeof *d);
  d->str = sqlitch_strdup(u->str);
  parse_fields(d);
  return d;
}

void sqlitch_uri_free(sqlitch_uri *u) {
  if (!u) return;
  clear_fields(u);
  free(u->str);
  free(u);
}

char *sqlitch_uri_string(const sqlitch_uri *u) {
  return sqlitch_strdup(u->str);
}

/* ------------------------------------------------------------ setters */

/* Replace the nested text and refresh the fields. */
static void set_nested(sqlitch_uri *u, char *n) {
  char *s = sqlitch_mprintf("%.2s:%s", u->str, n);
  free(n);
  free(u->str);
  u->str = s;
  parse_fields(u);
}

/* _check_path: prefix a path being put after `pre`. */
static const char *path_prefix(const char *path, const char *pre) {
  if (strchr(pre, '/')) {
    if (*path && !strchr("/?#", *path)) return "/";
    return "";
  }
  if (!*pre) {
    size_t k = strcspn(path, ":/?#");
    if (k > 0 && path[k] == ':') return "./";
  }
  return "";
}

static int looks_like_ip6(const char *h) {
  size_t colons = 0, n = strlen(h);
  if (n < 3) return 0;
  for (const char *p = h; *p; p++) {
    if (*p == ':')
      colons++;
    else if (!isxdigit((unsigned char)*p))
      return 0;
  }
  return colons >= 2;
}

/* URI::_generic::authority($auth); auth NULL removes it. */
static void set_authority(sqlitch_uri *u, const char *auth) {
  const char *n = nested(u);
  size_t sl = scheme_len(n), rest_at = sl;
  if (n[sl] == '/' && n[sl + 1] == '/')
    rest_at = sl + 2 + strcspn(n + sl + 2, "/?#");
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addn(&b, n, sl);
  if (auth) {
    char *a = escape(auth, is_achar);
    const char *at = strrchr(a, '@');
    const char *host = at ? at + 1 : a;
    sqlitch_buf_add(&b, "//");
    if (*host) {
      if (at) {
        /* user part, with the final "@" */
        char *user = sqlitch_strndup(a, (size_t)(at - a) + 1);
        char *ue = escape(user, is_user_ok);
        size_t ul = strlen(ue);
        if (ul >= 3 && strcmp(ue + ul - 3, "%40") == 0)
          strcpy(ue + ul - 3, "@");
        sqlitch_buf_add(&b, ue);
        free(user);
        free(ue);
      }
      if (looks_like_ip6(host))
        sqlitch_buf_addf(&b, "[%s]", host);
      else
        sqlitch_buf_add(&b, host);
    } else {
      sqlitch_buf_add(&b, a);
    }
    free(a);
  }
  const char *rest = n + rest_at;
  sqlitch_buf_add(&b, path_prefix(rest, sqlitch_buf_str(&b)));
  sqlitch_buf_add(&b, rest);
  set_nested(u, sqlitch_buf_take(&b));
}

/* Current raw authority (NULL when absent); caller frees. */
static char *raw_authority(const sqlitch_uri *u) {
  size_t as, al;
  if (!authority_span(nested(u), &as, &al)) return NULL;
  return sqlitch_strndup(nested(u) + as, al);
}

/* Raw userinfo (up to the last "@"), or NULL. */
static char *raw_userinfo(const sqlitch_uri *u) {
  char *a = raw_authority(u);
  char *at = a ? strrchr(a, '@') : NULL;
  char *r = at ? sqlitch_strndup(a, (size_t)(at - a)) : NULL;
  free(a);
  return r;
}

static void set_userinfo(sqlitch_uri *u, const char *ui) {
  char *old = raw_authority(u);
  const char *hp = old ? old : "";
  const char *at = strrchr(hp, '@');
  if (at) hp = at + 1;
  char *na;
  if (ui) {
    char *e = escape(ui, is_user_ok);
    na = sqlitch_mprintf("%s@%s", e, hp);
    free(e);
  } else {
    na = sqlitch_strdup(hp);
  }
  set_authority(u, na);
  free(na);
  free(old);
}

static char *replace_all(const char *s, char from, const char *to) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (; *s; s++) {
    if (*s == from)
      sqlitch_buf_add(&b, to);
    else
      sqlitch_buf_addc(&b, *s);
  }
  sqlitch_buf_addn(&b, "", 0);
  return sqlitch_buf_take(&b);
}

void sqlitch_uri_set_user(sqlitch_uri *u, const char *user) {
  char *info = raw_userinfo(u);
  const char *pass = info ? info + strcspn(info, ":") : "";
  if (!user && !*pass) {
    set_userinfo(u, NULL);
  } else {
    char *a = replace_all(user ? user : "", '%', "%25");
    char *b = replace_all(a, ':', "%3A");
    char *ui = sqlitch_mprintf("%s%s", b, pass);
    set_userinfo(u, ui);
    free(a);
    free(b);
    free(ui);
  }
  free(info);
}

void sqlitch_uri_set_password(sqlitch_uri *u, const char *password) {
  char *info = raw_userinfo(u);
  char *user = sqlitch_strndup(info ? info : "", info ? strcspn(info, ":") : 0);
  if (!password && !*user) {
    set_userinfo(u, NULL);
  } else {
    char *p = replace_all(password ? password : "", '%', "%25");
    char *ui = sqlitch_mprintf("%s:%s", user, p);
    set_userinfo(u, ui);
    free(p);
    free(ui);
  }
  free(user);
  free(info);
}

void sqlitch_uri_set_host(sqlitch_uri *u, const char *host) {
  char *old = raw_authority(u);
  const char *t = old ? old : "";
  const char *at = strrchr(t, '@');
  char *ui = sqlitch_strndup(t, at ? (size_t)(at - t) + 1 : 0);
  const char *hp = at ? at + 1 : t;
  /* existing ":digits" port at the end (must have at least one digit) */
  const char *c = hp + strlen(hp);
  while (c > hp && isdigit((unsigned char)c[-1]))
    c--;
  char *port = (c > hp && c[-1] == ':' && *c) ? sqlitch_strdup(c - 1)
                                              : sqlitch_strdup("");
  char *nh = replace_all(host ? host : "", '@', "%40");
  if (*nh) {
    /* "name:port" in the new host replaces the port */
    size_t k = strlen(nh);
    char *d = nh + k;
    while (d > nh && isdigit((unsigned char)d[-1]))
      d--;
    int has_port = d > nh && d[-1] == ':' &&
                   (memchr(nh, ':', (size_t)(d - 1 - nh)) == NULL ||
                    (d - 1 > nh && d[-2] == ']'));
    if (has_port) {
      free(port);
      port = sqlitch_strdup(d - 1);
      d[-1] = '\0';
    }
    if (strchr(nh, ':') && nh[0] != '[') {
      char *br = sqlitch_mprintf("[%s]", nh);
      free(nh);
      nh = br;
    }
  }
  char *na = sqlitch_mprintf("%s%s%s", ui, nh, port);
  set_authority(u, na);
  free(na);
  free(nh);
  free(port);
  free(ui);
  free(old);
}

void sqlitch_uri_set_port(sqlitch_uri *u, const char *port) {
  char *old = raw_authority(u);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  if (old) {
    size_t n = strlen(old), c = n;
    while (c > 0 && isdigit((unsigned char)old[c - 1]))
      c--;
    if (c > 0 && old[c - 1] == ':') n = c - 1;
    sqlitch_buf_addn(&b, old, n);
  }
  if (port) sqlitch_buf_addf(&b, ":%s", port);
  sqlitch_buf_addn(&b, "", 0);
  if (old || port) set_authority(u, sqlitch_buf_str(&b));
  sqlitch_buf_free(&b);
  free(old);
}

void sqlitch_uri_set_dbname(sqlitch_uri *u, const char *dbname) {
  const char *n = nested(u);
  const char *opaque = n + scheme_len(n);
  int is_full = opaque[0] == '/' && opaque[1] == '/';
  char *path = (is_full && dbname) ? sqlitch_mprintf("/%s", dbname)
                                   : sqlitch_strdup(dbname ? dbname : "");
  size_t ps, pl;
  path_span(n, &ps, &pl);
  char *ep = escape(path, is_pchar);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addn(&b, n, ps);
  sqlitch_buf_add(&b, path_prefix(ep, sqlitch_buf_str(&b)));
  sqlitch_buf_add(&b, ep);
  sqlitch_buf_add(&b, n + ps + pl);
  free(ep);
  free(path);
  set_nested(u, sqlitch_buf_take(&b));
}

char *sqlitch_uri_display(const sqlitch_uri *u) {
  if (!u->password || !*u->password) return sqlitch_strdup(u->str);
  sqlitch_uri *t = sqlitch_uri_dup(u);
  sqlitch_uri_set_password(t, NULL);
  char *s = sqlitch_strdup(t->str);
  sqlitch_uri_free(t);
  return s;
}
