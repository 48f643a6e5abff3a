/*
** regex.c -- Perl-compatible regexes over PCRE2 (see regex.h).
**
** One compiled pattern owns its PCRE2 code and one match-data block, so a
** match allocates nothing; patterns are JIT-compiled when the platform
** allows. Subjects that are not valid UTF-8 are still matched (the
** invalid bytes match nothing), as PCRE2_MATCH_INVALID_UTF gives.
*/
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "regex.h"

struct sqlitch_regex {
  pcre2_code *code;
  pcre2_match_data *md;
  char *pattern;
};

int sqlitch_regex_compile(const char *pattern, unsigned flags,
                          sqlitch_regex **out, sqlitch_err *err) {
  int ec = 0;
  PCRE2_SIZE eoff = 0;
  uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
  *out = NULL;
  if (!pattern) pattern = "";
  if (flags & SQLITCH_RE_CASELESS) opts |= PCRE2_CASELESS;
  if (flags & SQLITCH_RE_ANCHORED) opts |= PCRE2_ANCHORED;
  pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   opts, &ec, &eoff, NULL);
  if (!code) {
    PCRE2_UCHAR msg[256];
    if (pcre2_get_error_message(ec, msg, sizeof msg) < 0)
      strcpy((char *)msg, "invalid pattern");
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "Invalid regular expression \"%s\": %s at offset "
                           "%zu",
                           pattern, (const char *)msg, (size_t)eoff);
  }
  (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* optional speed-up */
  sqlitch_regex *re = sqlitch_calloc(1, sizeof *re);
  re->code = code;
  re->md = pcre2_match_data_create_from_pattern(code, NULL);
  re->pattern = sqlitch_strdup(pattern);
  if (!re->md) {
    sqlitch_regex_free(re);
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "Invalid regular expression \"%s\": out of memory",
                           pattern);
  }
  *out = re;
  return SQLITCH_OK;
}

int sqlitch_regex_match(const sqlitch_regex *re, const char *subject,
                        size_t len) {
  if (!re) return -1;
  if (!subject) subject = "";
  int rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, 0, 0, re->md, NULL);
  if (rc >= 0) return 1;
  return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

const char *sqlitch_regex_pattern(const sqlitch_regex *re) {
  return re ? re->pattern : NULL;
}

void sqlitch_regex_free(sqlitch_regex *re) {
  if (!re) return;
  pcre2_match_data_free(re->md);
  pcre2_code_free(re->code);
  free(re->pattern);
  free(re);
}

/* ---------------------------------------------------------------- SQLite */

static void free_aux(void *p) { sqlitch_regex_free(p); }

/* regexp(pattern, subject): `subject REGEXP pattern`. The compiled
   pattern is kept as auxdata while the pattern argument stays constant. */
static void sql_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL ||
      sqlite3_value_type(argv[1]) == SQLITE_NULL)
    return; /* NULL */
  sqlitch_regex *re = sqlite3_get_auxdata(ctx, 0);
  int fresh = 0;
  if (!re) {
    sqlitch_err err = SQLITCH_ERR_INIT;
    const char *pat = (const char *)sqlite3_value_text(argv[0]);
    if (sqlitch_regex_compile(pat, 0, &re, &err)) {
      sqlite3_result_error(ctx, err.msg, -1);
      sqlitch_err_clear(&err);
      return;
    }
    fresh = 1;
  }
  const char *s = (const char *)sqlite3_value_text(argv[1]);
  int m = sqlitch_regex_match(re, s, (size_t)sqlite3_value_bytes(argv[1]));
  if (m < 0)
    sqlite3_result_error(ctx, "regexp: match failed", -1);
  else
    sqlite3_result_int(ctx, m);
  if (fresh) sqlite3_set_auxdata(ctx, 0, re, free_aux); /* takes ownership */
}

int sqlitch_regex_sqlite_register(struct sqlite3 *db) {
  return sqlite3_create_function(
      db, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
      NULL, sql_regexp, NULL, NULL);
}
