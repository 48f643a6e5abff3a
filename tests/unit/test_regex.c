/*
** test_regex.c -- unit tests of core/regex.c: Perl semantics that `plan
** --change/--planner` and `log` filters rely on (unanchored matching,
** Unicode-aware classes, invalid UTF-8 subjects), error messages, and the
** SQLite REGEXP function.
*/
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "regex.h"
#include "tap.h"

static int m(const char *pat, const char *subj) {
  sqlitch_regex *re = NULL;
  sqlitch_err err = SQLITCH_ERR_INIT;
  if (sqlitch_regex_compile(pat, 0, &re, &err)) {
    sqlitch_err_clear(&err);
    return -2;
  }
  int r = sqlitch_regex_match(re, subj, strlen(subj));
  sqlitch_regex_free(re);
  return r;
}

static void test_match(void) {
  static const struct {
    const char *pat, *subj;
    int want;
  } cases[] = {
      {"user", "users", 1}, /* unanchored */
      {"ers$", "users", 1},
      {"^user$", "users", 0},
      {"^f", "flips", 1},
      {"^f", "widgets", 0},
      {"", "anything", 1},         /* empty pattern matches */
      {"s$", "users\n", 1},        /* $ before a final newline, as Perl */
      {"\\w+$", "caf\xc3\xa9", 1}, /* \w is Unicode-aware */
      {"^\\w$", "\xc3\xa9", 1},
      {"^.$", "\xc3\xa9", 1}, /* . is one character, not a byte */
      {"\\d", "\xd9\xa3", 1}, /* ARABIC-INDIC DIGIT THREE */
      {"O\xe2\x80\x99V", "Marge N. O\xe2\x80\x99Vera", 1},
      {"(?i)MARGE", "Marge", 1},
      {"Marge", "marge", 0}, /* case-sensitive by default */
      {"a{2}", "caab", 1},
      {"\\bflip\\b", "flips", 0},
      {"x",
       "a\xff"
       "x",
       1}, /* invalid UTF-8 subject still scans */
      {"^a\\z", "a\n", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char name[128];
    snprintf(name, sizeof name, "/%s/ on \"%s\"", cases[i].pat, cases[i].subj);
    for (char *c = name; *c; c++)
      if (*c == '\n') *c = '|';
    is_int(m(cases[i].pat, cases[i].subj), cases[i].want, name);
  }
}

static void test_flags(void) {
  sqlitch_regex *re;
  sqlitch_err err = SQLITCH_ERR_INIT;
  ok(sqlitch_regex_compile("bob", SQLITCH_RE_CASELESS, &re, &err) == 0,
     "caseless compiles");
  is_int(sqlitch_regex_match(re, "BOB", 3), 1, "caseless matches");
  is_str(sqlitch_regex_pattern(re), "bob", "pattern kept");
  sqlitch_regex_free(re);
  ok(sqlitch_regex_compile("bob", SQLITCH_RE_ANCHORED, &re, &err) == 0,
     "anchored compiles");
  is_int(sqlitch_regex_match(re, "xbob", 4), 0, "anchored needs the start");
  is_int(sqlitch_regex_match(re, "bobx", 4), 1, "anchored at start");
  sqlitch_regex_free(re);
  sqlitch_regex_free(NULL);
  is_int(sqlitch_regex_match(NULL, "x", 1), -1, "NULL regex is an error");
}

static void test_errors(void) {
  sqlitch_regex *re = (sqlitch_regex *)1;
  sqlitch_err err = SQLITCH_ERR_INIT;
  ok(sqlitch_regex_compile("(", 0, &re, &err) == SQLITCH_ERROR,
     "unbalanced paren fails");
  ok(re == NULL, "no regex on error");
  is_str(err.msg,
         "Invalid regular expression \"(\": missing closing parenthesis at "
         "offset 1",
         "error message");
  is_int(err.exitval, 2, "exit value 2");
  sqlitch_err_clear(&err);
  ok(sqlitch_regex_compile("a{2,1}", 0, &re, &err) == SQLITCH_ERROR,
     "bad quantifier fails");
  sqlitch_err_clear(&err);
  ok(sqlitch_regex_compile("[z-a]", 0, &re, &err) == SQLITCH_ERROR,
     "bad range fails");
  sqlitch_err_clear(&err);
}

static int one_int(sqlite3 *db, const char *sql, int *out, char **msg) {
  sqlite3_stmt *st;
  *msg = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    *msg = strdup(sqlite3_errmsg(db));
    return -1;
  }
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_type(st, 0) == SQLITE_NULL
               ? -9
               : sqlite3_column_int(st, 0);
    rc = 0;
  } else {
    *msg = strdup(sqlite3_errmsg(db));
    rc = -1;
  }
  sqlite3_finalize(st);
  return rc;
}

static void test_sqlite(void) {
  sqlite3 *db;
  int v = 0;
  char *msg = NULL;
  sqlite3_open(":memory:", &db);
  is_int(sqlitch_regex_sqlite_register(db), SQLITE_OK, "register");
  one_int(db, "SELECT 'users' REGEXP '^us'", &v, &msg);
  is_int(v, 1, "REGEXP matches");
  one_int(db, "SELECT 'users' REGEXP '^x'", &v, &msg);
  is_int(v, 0, "REGEXP does not match");
  one_int(db, "SELECT NULL REGEXP 'x'", &v, &msg);
  is_int(v, -9, "NULL subject gives NULL");
  one_int(db, "SELECT 'x' REGEXP NULL", &v, &msg);
  is_int(v, -9, "NULL pattern gives NULL");
  one_int(db,
          "WITH t(n) AS (VALUES('flips'),('users'),('fleas')) "
          "SELECT count(*) FROM t WHERE n REGEXP '^fl'",
          &v, &msg);
  is_int(v, 2, "cached pattern over rows");
  ok(one_int(db, "SELECT 'x' REGEXP '('", &v, &msg) == -1, "bad pattern errs");
  is_str(msg,
         "Invalid regular expression \"(\": missing closing parenthesis at "
         "offset 1",
         "SQL error message");
  free(msg);
  sqlite3_close(db);
}

int main(void) {
  test_match();
  test_flags();
  test_errors();
  test_sqlite();
  return tap_done();
}
