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
** Not covered: internationalised host names (URI's IDNA/punycode step) and
** the database schemes' own canonical forms (URI::db); those keep the
** generic treatment.
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

/* Schemes with URI::_server semantics: default port, http-like path. */
static const struct server_scheme {
  const char *scheme;
  int port;
  int slash_path;
} servers[] = {
    {"http", 80, 1},     {"https", 443, 1},  {"mms", 1755, 1},
    {"rtsp", 554, 1},    {"rtspu", 554, 1},  {"ftp", 21, 0},
    {"gopher", 70, 0},   {"news", 119, 0},   {"nntp", 119, 0},
    {"nntps", 563, 0},   {"snews", 563, 0},  {"pop", 110, 0},
    {"rlogin", 513, 0},  {"rsync", 873, 0},  {"sip", 5060, 0},
    {"sips", 5061, 0},   {"ssh", 22, 0},     {"sftp", 22, 0},
    {"telnet", 23, 0},   {"tn3270", 23, 0},  {"ldap", 389, 0},
    {"ldaps", 636, 0},
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

static void replace_ci(sqlitch_buf *b, size_t from, size_t to,
                       const char *pat, char with) {
  for (size_t i = from; i + 3 <= to && i + 3 <= b->len; i++)
    if (!strncasecmp(b->p + i, pat, 3)) {
      b->p[i] = with;
      memmove(b->p + i + 1, b->p + i + 3, b->len - i - 3 + 1);
      b->len -= 2;
      to -= 2;
    }
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

  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
    if (is_uric(*p)) sqlitch_buf_addc(&b, (char)*p);
    else sqlitch_buf_addf(&b, "%%%02X", *p);
  }
  sqlitch_buf_addn(&b, "", 0);
  sqlitch_arena_free(a);

  /* _fix_uric_escape_for_host_part: restore "[" and "]" in the host */
  size_t sl = scheme_len(b.p);
  char *sch = sqlitch_strndup(b.p, sl);
  for (char *c = sch; *c; c++) *c = (char)tolower((unsigned char)*c);
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
          while (i > hst && isdigit((unsigned char)b.p[i - 1])) i--;
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

char *sqlitch_uri_canonical(const char *in) {
  char *s = plan_uri_new(in);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&b, s);
  sqlitch_buf_addn(&b, "", 0);
  free(s);

  /* URI::canonical: lower-case scheme, normalise %XX */
  size_t sl = scheme_len(b.p);
  for (size_t i = 0; i < sl; i++) b.p[i] = (char)tolower((unsigned char)b.p[i]);
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
    size_t ast = st + 2, aend = ast + strcspn(b.p + ast, "/?#");
    size_t hst = ast;
    for (size_t i = ast; i < aend; i++)
      if (b.p[i] == '@') hst = i + 1;
    /* port: ":(\d*)$" of the authority */
    size_t i = aend;
    while (i > ast && isdigit((unsigned char)b.p[i - 1])) i--;
    size_t hend = aend;
    if (i > ast && b.p[i - 1] == ':') {
      hend = i - 1;
      long port = 0;
      int digits = 0;
      for (size_t k = i; k < aend; k++, digits++)
        port = port > 100000 ? port : port * 10 + (b.p[k] - '0');
      if (!digits || port == srv->port) {
        memmove(b.p + hend, b.p + aend, b.len - aend + 1);
        b.len -= aend - hend;
        aend = hend;
      }
    }
    for (size_t k = hst; k < hend; k++) {
      if (b.p[k] == '%') {
        k += 2;
        continue;
      }
      b.p[k] = (char)tolower((unsigned char)b.p[k]);
    }
    /* http: an empty path without a query becomes "/" */
    if (srv->slash_path && (b.p[aend] == 0 || b.p[aend] == '#')) {
      sqlitch_buf_grow(&b, 1);
      memmove(b.p + aend + 1, b.p + aend, b.len - aend + 1);
      b.p[aend] = '/';
      b.len++;
    }
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
