/*
** plan_uri.c -- the %uri of a plan as Perl's URI module normalises it:
** URI->new (strip <URL:...> and quotes, trim, %-escape what is not a URI
** character) and URI->canonical (lower-case scheme, host and URN
** namespace, drop the default port, "/" for an empty http path, decode
** escaped unreserved characters, upper-case the other escapes).
**
**   char *u = sqlitch_uri_canonical("HTTPS://Example.COM:443/a%7eb");
**   // "https://example.com/a~b"
**   free(u);
**
** Covered: every scheme through URI's generic rules; the host/port rules
** of the server schemes (http, https, ftp, news, nntp(s), snews, gopher,
** pop, rsync, rtsp(u), mms, sip(s), ssh, sftp, telnet, tn3270, rlogin,
** ldap(s)); "/" paths for http-like schemes; urn namespaces; file URIs.
** Internationalised host names of server schemes go through URI's IDNA
** step: labels lower-cased (Perl's lc; here for Latin, Greek, Cyrillic and
** Armenian letters) and punycoded ("exämple.com" -> "xn--exmple-cua.com").
** Not covered: the database schemes' own canonical forms (URI::db); those
** keep the generic treatment.
*/
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

/* Schemes with URI::_server semantics: default port, http-like path. */
static const struct server_scheme {
  const char *scheme;
  int port;
  int slash_path;
} servers[] = {
    {"http", 80, 1},    {"https", 443, 1}, {"mms", 1755, 1},  {"rtsp", 554, 1},
    {"rtspu", 554, 1},  {"ftp", 21, 0},    {"gopher", 70, 0}, {"news", 119, 0},
    {"nntp", 119, 0},   {"nntps", 563, 0}, {"snews", 563, 0}, {"pop", 110, 0},
    {"rlogin", 513, 0}, {"rsync", 873, 0}, {"sip", 5060, 0},  {"sips", 5061, 0},
    {"ssh", 22, 0},     {"sftp", 22, 0},   {"telnet", 23, 0}, {"tn3270", 23, 0},
    {"ldap", 389, 0},   {"ldaps", 636, 0},
};

static const struct server_scheme *server_of(const char *scheme) {
  for (size_t i = 0; i < sizeof servers / sizeof servers[0]; i++)
    if (!strcmp(servers[i].scheme, scheme)) return &servers[i];
  return NULL;
}

static int is_unreserved(int c) {
  return isalnum(c) || (c && strchr("-_.!~*'()", c));
}

/* $uric plus "#": characters URI->new leaves alone. */
static int is_uric(int c) {
  return is_unreserved(c) || (c && strchr(";/?:@&=+$,%#", c));
}

/* Length of a scheme prefix "[a-zA-Z][a-zA-Z0-9.+-]*:" (without ":"), 0 if
   none. */
static size_t scheme_len(const char *s) {
  if (!isalpha((unsigned char)s[0])) return 0;
  size_t i = 1;
  while (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '+' ||
         s[i] == '-')
    i++;
  return s[i] == ':' ? i : 0;
}

static void replace_ci(sqlitch_buf *b, size_t from, size_t to, const char *pat,
                       char with) {
  for (size_t i = from; i + 3 <= to && i + 3 <= b->len; i++)
    if (!strncasecmp(b->p + i, pat, 3)) {
      b->p[i] = with;
      memmove(b->p + i + 1, b->p + i + 3, b->len - i - 3 + 1);
      b->len -= 2;
      to -= 2;
    }
}

/* Perl's lc for the scripts a host name is likely to use. */
static int32_t lower_cp(int32_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7))
    return c + 32;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
    return c % 2 ? c : c + 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
    return c % 2 ? c + 1 : c;
  if (c == 0x178) return 0xFF;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF))
    return c % 2 ? c : c + 1;
  if (c >= 0x531 && c <= 0x556) return c + 48;
  return c;
}

/* URI::_punycode (RFC 3492; the module runs under "use integer"). */
static long puny_adapt(long delta, long numpoints, int first) {
  delta = first ? delta / 700 : delta / 2;
  delta += delta / numpoints;
  long k = 0;
  while (delta > 455) {
    delta /= 35;
    k += 36;
  }
  return k + (36 * delta) / (delta + 38);
}

static char puny_digit(long d) {
  return (char)(d < 26 ? 'a' + d : '0' + d - 26);
}

/* encode_punycode of cp[0..n); 0 on overflow. */
static int punycode(const int32_t *cp, size_t n, sqlitch_buf *out) {
  size_t b = 0;
  for (size_t i = 0; i < n; i++)
    if (cp[i] < 0x80) sqlitch_buf_addc(out, (char)cp[i]), b++;
  size_t h = b;
  if (b && h < n) sqlitch_buf_addc(out, '-');
  long delta = 0, bias = 72;
  int32_t cur = 128;
  while (h < n) {
    int32_t m = INT32_MAX;
    for (size_t i = 0; i < n; i++)
      if (cp[i] >= cur && cp[i] < m) m = cp[i];
    if ((long)(m - cur) > (LONG_MAX / 4 - delta) / (long)(h + 1)) return 0;
    delta += (long)(m - cur) * (long)(h + 1);
    cur = m;
    for (size_t i = 0; i < n; i++) {
      if (cp[i] < cur) delta++;
      if (cp[i] != cur) continue;
      long q = delta;
      for (long k = 36;; k += 36) {
        long t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
        if (q < t) break;
        sqlitch_buf_addc(out, puny_digit(t + (q - t) % (36 - t)));
        q = (q - t) / (36 - t);
      }
      sqlitch_buf_addc(out, puny_digit(q));
      bias = puny_adapt(delta, (long)(h + 1), h == b);
      delta = 0;
      h++;
    }
    delta++;
    cur++;
  }
  return 1;
}

/* URI::_idna::encode of host[0..n) into out; 0 when it croaks. */
static int idna_encode(const char *host, size_t n, sqlitch_buf *out) {
  const char *p = host, *end = host + n;
  int32_t *cps = sqlitch_malloc((n + 1) * sizeof *cps);
  int ok = 1;
  for (int first = 1; ok; first = 0) {
    const char *dot = memchr(p, '.', (size_t)(end - p));
    const char *le = dot ? dot : end;
    if (!first) sqlitch_buf_addc(out, '.');
    /* the last empty label of "a.b." is kept as it is */
    if (le == p && !dot && !first) break;
    size_t nc = 0;
    int ascii = 1;
    for (const char *q = p; q < le;) {
      int32_t c = sqlitch_utf8_decode(&q, le);
      if (c >= 0x80) ascii = 0;
      cps[nc++] = c;
    }
    if (!ascii) {
      ascii = 1;
      for (size_t i = 0; i < nc; i++) {
        cps[i] = lower_cp(cps[i]);
        if (cps[i] >= 0x80) ascii = 0;
      }
    }
    size_t mark = out->len;
    if (ascii) {
      for (size_t i = 0; i < nc; i++)
        sqlitch_buf_addc(out, (char)cps[i]);
    } else if (nc >= 4 && cps[0] == 'x' && cps[1] == 'n' && cps[2] == '-' &&
               cps[3] == '-') {
      ok = 0;
    } else {
      sqlitch_buf_add(out, "xn--");
      ok = punycode(cps, nc, out);
    }
    if (ok && (out->len == mark || out->len - mark > 63)) ok = 0;
    if (!dot) break;
    p = dot + 1;
  }
  free(cps);
  return ok;
}

/* A character URI leaves in a host ($uric4host). */
static int is_uric4host(int c) {
  return c && (is_unreserved(c) || strchr(";/?:@&=+$,%[]", c));
}

/* URI::_server::_uric_escape's first step: IDNA-encode the host when it
   holds anything but URI characters. Returns a heap string. */
static char *server_host_idna(const char *s) {
  size_t sl = scheme_len(s), st = sl ? sl + 1 : 0;
  if (strncmp(s + st, "//", 2)) return sqlitch_strdup(s);
  size_t ast = st + 2, aend = ast + strcspn(s + ast, "/?#");
  size_t hst = ast;
  for (size_t i = ast; i < aend; i++)
    if (s[i] == '@') hst = i + 1;
  size_t hend = aend, i = aend;
  while (i > hst && isdigit((unsigned char)s[i - 1]))
    i--;
  if (i < aend && i > hst && s[i - 1] == ':') hend = i - 1;
  int plain = 1;
  for (size_t k = hst; k < hend && plain; k++)
    plain = is_uric4host((unsigned char)s[k]);
  if (plain) return sqlitch_strdup(s);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addn(&b, s, hst);
  if (!idna_encode(s + hst, hend - hst, &b)) {
    sqlitch_buf_free(&b);
    return sqlitch_strdup(s);
  }
  sqlitch_buf_add(&b, s + hend);
  return sqlitch_buf_take(&b);
}

char *plan_uri_new(const char *in) {
  sqlitch_arena *a = sqlitch_arena_new();
  const char *s = in ? in : "";
  size_t n = strlen(s);
  /* s/^<(?:URL:)?(.*)>$/$1/ and s/^"(.*)"$/$1/ */
  if (n >= 2 && s[0] == '<' && s[n - 1] == '>' && !memchr(s, '\n', n)) {
    s++, n -= 2;
    if (n >= 4 && !strncmp(s, "URL:", 4)) s += 4, n -= 4;
  }
  if (n >= 2 && s[0] == '"' && s[n - 1] == '"' && !memchr(s, '\n', n))
    s++, n -= 2;
  const char *t = plan_trim_space(a, s, n);
  char *lsch = sqlitch_strndup(t, scheme_len(t));
  for (char *c = lsch; *c; c++)
    *c = (char)tolower((unsigned char)*c);
  char *idna = *lsch && server_of(lsch) ? server_host_idna(t) : NULL;
  free(lsch);
  if (idna) t = sqlitch_arena_strdup(a, idna);
  free(idna);

  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
    if (is_uric(*p))
      sqlitch_buf_addc(&b, (char)*p);
    else
      sqlitch_buf_addf(&b, "%%%02X", *p);
  }
  sqlitch_buf_addn(&b, "", 0);
  sqlitch_arena_free(a);

  /* _fix_uric_escape_for_host_part: restore "[" and "]" in the host */
  size_t sl = scheme_len(b.p);
  char *sch = sqlitch_strndup(b.p, sl);
  for (char *c = sch; *c; c++)
    *c = (char)tolower((unsigned char)*c);
  if (strchr(b.p, '%') && strcmp(sch, "data") && strcmp(sch, "ldapi") &&
      strcmp(sch, "urn") && strcmp(sch, "sqlite") && strcmp(sch, "sqlite3")) {
    if (!strcmp(sch, "mailto")) {
      replace_ci(&b, 0, b.len, "%5B", '[');
      replace_ci(&b, 0, b.len, "%5D", ']');
    } else {
      size_t st = sl ? sl + 1 : 0;
      if (!strncmp(b.p + st, "//", 2)) {
        size_t ast = st + 2, aend = ast + strcspn(b.p + ast, "/?#");
        if (aend > ast) {
          /* host = after the last "@", without a ":digits" port */
          size_t hst = ast;
          for (size_t i = ast; i < aend; i++)
            if (b.p[i] == '@') hst = i + 1;
          size_t hend = aend, i = aend;
          while (i > hst && isdigit((unsigned char)b.p[i - 1]))
            i--;
          if (i < aend && i > hst && b.p[i - 1] == ':') hend = i - 1;
          replace_ci(&b, hst, hend, "%5B", '[');
          hend = hst + strcspn(b.p + hst, "/?#");
          replace_ci(&b, hst, hend, "%5D", ']');
        }
      }
    }
  }
  free(sch);
  return sqlitch_buf_take(&b);
}

/* ------------------------------------------- URI::_server's setters */

/* The authority b[*ast..*aend) after "scheme:" (st); 0 when there is none. */
static int authority_of(const sqlitch_buf *b, size_t st, size_t *ast,
                        size_t *aend) {
  if (strncmp(b->p + st, "//", 2)) return 0;
  *ast = st + 2;
  *aend = *ast + strcspn(b->p + *ast, "/?#");
  return 1;
}

/* $ACHAR: what the authority setter leaves unescaped. */
static int is_achar(int c) {
  return c && (is_unreserved(c) || strchr(";:@&=+$,%[]", c));
}

static int is_uric4user(int c) {
  return isalnum(c) || (c && strchr("!$'()*,;:._~%-+=&", c));
}

/* Regexp::IPv6, which URI uses to bracket raw IPv6 addresses. */
static int looks_like_ip6(const char *s, size_t n) {
  size_t colons = 0;
  for (size_t i = 0; i < n; i++)
    colons += s[i] == ':';
  if (colons < 2) return 0;
  int groups = 0, dbl = 0;
  size_t i = 0;
  if (n >= 2 && s[0] == ':' && s[1] == ':')
    dbl = 1, i = 2;
  else if (s[0] == ':')
    return 0;
  while (i < n) {
    size_t j = i;
    while (j < n && isxdigit((unsigned char)s[j]))
      j++;
    if (j < n && s[j] == '.') { /* IPv4 tail */
      int parts = 0;
      for (size_t k = i; k <= n; parts++) {
        size_t e = k;
        int v = 0;
        while (e < n && isdigit((unsigned char)s[e]))
          v = v * 10 + (s[e++] - '0');
        if (e == k || e - k > 3 || v > 255) return 0;
        if (e == n) {
          k = n + 1;
          continue;
        }
        if (s[e] != '.') return 0;
        k = e + 1;
      }
      if (parts != 4) return 0;
      groups += 2;
      i = n;
      break;
    }
    if (j == i || j - i > 4) return 0;
    groups++;
    i = j;
    if (i == n) break;
    if (s[i] != ':') return 0;
    if (i + 1 < n && s[i + 1] == ':') {
      if (dbl) return 0;
      dbl = 1;
      i += 2;
    } else {
      i++;
      if (i == n) return 0;
    }
  }
  return dbl ? groups < 8 : groups == 8;
}

/* URI::_generic::authority($auth) */
static void authority_set(sqlitch_buf *b, size_t st, const char *auth) {
  size_t ast, aend;
  size_t rest_at = authority_of(b, st, &ast, &aend) ? aend : st;
  char *rest = sqlitch_strdup(b->p + rest_at);
  sqlitch_buf a = SQLITCH_BUF_INIT;
  for (const unsigned char *p = (const unsigned char *)auth; *p; p++) {
    if (is_achar(*p))
      sqlitch_buf_addc(&a, (char)*p);
    else
      sqlitch_buf_addf(&a, "%%%02X", *p);
  }
  sqlitch_buf_addn(&a, "", 0);
  const char *at = strrchr(a.p, '@');
  const char *host = at ? at + 1 : a.p;
  sqlitch_buf_truncate(b, st);
  sqlitch_buf_add(b, "//");
  if (*host) {
    for (const unsigned char *p = (const unsigned char *)a.p;
         at && p <= (const unsigned char *)at; p++) {
      if (is_uric4user(*p))
        sqlitch_buf_addc(b, (char)*p);
      else if (p == (const unsigned char *)at)
        sqlitch_buf_addc(b, '@');
      else
        sqlitch_buf_addf(b, "%%%02X", *p);
    }
    int br = looks_like_ip6(host, strlen(host));
    if (br) sqlitch_buf_addc(b, '[');
    sqlitch_buf_add(b, host);
    if (br) sqlitch_buf_addc(b, ']');
  } else {
    sqlitch_buf_add(b, a.p);
  }
  if (*rest && !strchr("/?#", rest[0])) sqlitch_buf_addc(b, '/');
  sqlitch_buf_add(b, rest);
  sqlitch_buf_free(&a);
  free(rest);
}

static void unescape_into(sqlitch_buf *out, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
        isxdigit((unsigned char)s[i + 2])) {
      char hex[3] = {s[i + 1], s[i + 2], 0};
      sqlitch_buf_addc(out, (char)strtol(hex, NULL, 16));
      i += 2;
    } else {
      sqlitch_buf_addc(out, s[i]);
    }
  }
}

/* URI::_server::host (getter): heap copy, "" when there is no authority. */
static char *host_get(const sqlitch_buf *b, size_t st) {
  size_t ast, aend;
  if (!authority_of(b, st, &ast, &aend)) return sqlitch_strdup("");
  const char *a = b->p + ast;
  size_t n = aend - ast;
  for (size_t i = 0; i < n; i++)
    if (a[i] == '@') a += i + 1, n -= i + 1, i = (size_t)-1;
  size_t k = n;
  while (k > 0 && isdigit((unsigned char)a[k - 1]))
    k--;
  if (k < n && k > 0 && a[k - 1] == ':') n = k - 1;
  if (n >= 2 && a[0] == '[' && a[n - 1] == ']') a++, n -= 2;
  sqlitch_buf h = SQLITCH_BUF_INIT;
  unescape_into(&h, a, n);
  sqlitch_buf_addn(&h, "", 0);
  return sqlitch_buf_take(&h);
}

/* URI::_server::host($new) */
static void host_set(sqlitch_buf *b, size_t st, const char *newhost) {
  size_t ast, aend;
  char *old = authority_of(b, st, &ast, &aend)
                  ? sqlitch_strndup(b->p + ast, aend - ast)
                  : sqlitch_strdup("");
  char *lat = strrchr(old, '@');
  char *ui =
      lat ? sqlitch_strndup(old, (size_t)(lat - old + 1)) : sqlitch_strdup("");
  size_t on = strlen(old), k = on;
  while (k > 0 && isdigit((unsigned char)old[k - 1]))
    k--;
  char *port = (k < on && k > 0 && old[k - 1] == ':')
                   ? sqlitch_strdup(old + k - 1)
                   : sqlitch_strdup("");
  sqlitch_buf nh = SQLITCH_BUF_INIT;
  for (const char *p = newhost; *p; p++) {
    if (*p == '@')
      sqlitch_buf_add(&nh, "%40");
    else
      sqlitch_buf_addc(&nh, *p);
  }
  sqlitch_buf_addn(&nh, "", 0);
  if (nh.len) {
    /* "host:port" or "]:port": the port moves out */
    size_t n = nh.len, j = n;
    while (j > 0 && isdigit((unsigned char)nh.p[j - 1]))
      j--;
    if (j > 0 && nh.p[j - 1] == ':') {
      int first_colon = memchr(nh.p, ':', j - 1) == NULL;
      int bracket = j >= 2 && nh.p[j - 2] == ']';
      if (first_colon || bracket) {
        free(port);
        port = sqlitch_strdup(nh.p + j - 1);
        sqlitch_buf_truncate(&nh, j - 1);
      }
    }
    if (strchr(sqlitch_buf_str(&nh), ':') && nh.p[0] != '[') {
      sqlitch_buf_grow(&nh, 2);
      memmove(nh.p + 1, nh.p, nh.len + 1);
      nh.p[0] = '[';
      nh.len++;
      sqlitch_buf_addc(&nh, ']');
    }
  }
  char *auth = sqlitch_mprintf("%s%s%s", ui, sqlitch_buf_str(&nh), port);
  authority_set(b, st, auth);
  free(auth);
  free(old);
  free(ui);
  free(port);
  sqlitch_buf_free(&nh);
}

/* URI::_server::canonical (and http's "/" path). */
static void server_canonical(sqlitch_buf *b, size_t st,
                             const struct server_scheme *srv) {
  size_t ast, aend;
  char *host = host_get(b, st);
  int uc = 0;
  for (const char *p = host; *p; p++)
    uc |= *p >= 'A' && *p <= 'Z';
  int def = 0;
  if (authority_of(b, st, &ast, &aend)) {
    size_t k = aend;
    while (k > ast && isdigit((unsigned char)b->p[k - 1]))
      k--;
    if (k > ast && b->p[k - 1] == ':')
      def = k == aend || strtod(b->p + k, NULL) == (double)srv->port;
  }
  if (uc) {
    for (char *p = host; *p; p++)
      *p = (char)tolower((unsigned char)*p);
    host_set(b, st, host);
  }
  free(host);
  if (def && authority_of(b, st, &ast, &aend)) {
    size_t k = aend;
    while (k > ast && isdigit((unsigned char)b->p[k - 1]))
      k--;
    if (k > ast && b->p[k - 1] == ':') k--;
    char *auth = sqlitch_strndup(b->p + ast, k - ast);
    authority_set(b, st, auth);
    free(auth);
  }
  /* http: an empty path without a query becomes "/" */
  if (srv->slash_path && authority_of(b, st, &ast, &aend) &&
      (b->p[aend] == 0 || b->p[aend] == '#')) {
    sqlitch_buf_grow(b, 1);
    memmove(b->p + aend + 1, b->p + aend, b->len - aend + 1);
    b->p[aend] = '/';
    b->len++;
  }
}

char *sqlitch_uri_canonical(const char *in) {
  char *s = plan_uri_new(in);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&b, s);
  sqlitch_buf_addn(&b, "", 0);
  free(s);

  /* URI::canonical: lower-case scheme, normalise %XX */
  size_t sl = scheme_len(b.p);
  for (size_t i = 0; i < sl; i++)
    b.p[i] = (char)tolower((unsigned char)b.p[i]);
  for (size_t i = 0; i + 2 < b.len + 0 && b.p[i]; i++) {
    if (b.p[i] != '%' || !isxdigit((unsigned char)b.p[i + 1]) ||
        !isxdigit((unsigned char)b.p[i + 2]))
      continue;
    char hex[3] = {b.p[i + 1], b.p[i + 2], 0};
    int c = (int)strtol(hex, NULL, 16);
    if (is_unreserved(c)) {
      b.p[i] = (char)c;
      memmove(b.p + i + 1, b.p + i + 3, b.len - i - 3 + 1);
      b.len -= 2;
    } else {
      b.p[i + 1] = (char)toupper((unsigned char)b.p[i + 1]);
      b.p[i + 2] = (char)toupper((unsigned char)b.p[i + 2]);
      i += 2;
    }
  }

  char *scheme = sqlitch_strndup(b.p, sl);
  const struct server_scheme *srv = sl ? server_of(scheme) : NULL;
  size_t st = sl ? sl + 1 : 0;
  int has_auth = !strncmp(b.p + st, "//", 2);

  if (srv && has_auth) {
    server_canonical(&b, st, srv);
  } else if (!strcmp(scheme, "urn")) {
    /* lower-case the namespace id unless it holds an escape */
    size_t nst = st, nend = nst + strcspn(b.p + nst, ":#");
    if (!memchr(b.p + nst, '%', nend - nst))
      for (size_t k = nst; k < nend; k++)
        b.p[k] = (char)tolower((unsigned char)b.p[k]);
  } else if (!strcmp(scheme, "file")) {
    size_t ast = st + 2, aend = has_auth ? ast + strcspn(b.p + ast, "/?#") : 0;
    if (!has_auth) {
      /* file:/x -> file:///x */
      sqlitch_buf rest = SQLITCH_BUF_INIT;
      sqlitch_buf_add(&rest, b.p + st);
      sqlitch_buf_truncate(&b, st);
      sqlitch_buf_add(&b, "//");
      if (rest.len && rest.p[0] != '/' && rest.p[0] != '?' && rest.p[0] != '#')
        sqlitch_buf_addc(&b, '/');
      sqlitch_buf_add(&b, sqlitch_buf_str(&rest));
      sqlitch_buf_free(&rest);
    } else if (aend - ast == 9 && !strncasecmp(b.p + ast, "localhost", 9)) {
      memmove(b.p + ast, b.p + aend, b.len - aend + 1);
      b.len -= 9;
    }
  }
  free(scheme);
  return sqlitch_buf_take(&b);
}

char *sqlitch_plan_uri(const sqlitch_plan *plan) {
  const char *u = plan ? plan->uri : NULL;
  if (!u || !*u || !strcmp(u, "0")) return NULL;
  return plan_uri_new(u);
}
