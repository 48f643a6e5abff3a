/*
** test_json.c -- unit tests for the CLI's JSON writer (shell/json.c) and
** the structured log's secret scrubber (shell/log_json.c). Both live in
** shell/, so they are compiled in here directly.
*/
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#include "../../shell/json.c"
#include "../../shell/log_json.c"

/* log_json.c calls into out.c through the reporter only; nothing else of
   the shell is needed. */

static char *quote(const char *s, size_t n) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sh_json_quote(&b, s, n);
  return sqlitch_buf_take(&b);
}

static void test_quote(void) {
  char *q = quote("plain", 5);
  is_str(q, "\"plain\"", "plain string");
  free(q);
  q = quote("a\"b\\c", 5);
  is_str(q, "\"a\\\"b\\\\c\"", "quote and backslash");
  free(q);
  q = quote("\n\t\r\b\f\x01\x1f", 7);
  is_str(q, "\"\\n\\t\\r\\b\\f\\u0001\\u001f\"", "control characters");
  free(q);
  q = quote("x\0y", 3);
  is_str(q, "\"x\\u0000y\"", "NUL byte");
  free(q);
  q = quote("caf\xc3\xa9 \xe2\x82\xac", 9);
  is_str(q, "\"caf\xc3\xa9 \xe2\x82\xac\"", "valid UTF-8 copied");
  free(q);
  q = quote("a\xff"
            "b\xc3",
            4);
  is_str(q, "\"a\\ufffdb\\ufffd\"", "invalid UTF-8 -> U+FFFD");
  free(q);
  q = quote("\xe2\x80\xa8\xe2\x80\xa9", 6);
  is_str(q, "\"\\u2028\\u2029\"", "line/paragraph separators escaped");
  free(q);
  q = quote("\x7f", 1);
  is_str(q, "\"\x7f\"", "DEL copied");
  free(q);
}

static void test_writer(void) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sh_json j;
  sh_json_init(&j, &b);
  sh_json_object(&j, NULL);
  sh_json_str(&j, "name", "users");
  sh_json_str(&j, "note", NULL);
  sh_json_int(&j, "n", -42);
  sh_json_num(&j, "d", 0.25);
  sh_json_num(&j, "z", 0);
  sh_json_num(&j, "nan", 0.0 / 0.0);
  sh_json_bool(&j, "t", 1);
  sh_json_bool(&j, "f", 0);
  sh_json_array(&j, "empty");
  sh_json_end(&j);
  sh_json_array(&j, "tags");
  sh_json_str(&j, "ignored key", "@a");
  sh_json_strn(&j, NULL, "@bc", 2);
  sh_json_object(&j, NULL);
  sh_json_null(&j, "k");
  sh_json_end(&j);
  sh_json_array(&j, NULL);
  sh_json_end(&j);
  sh_json_end(&j);
  sh_json_object(&j, "o");
  sh_json_end(&j);
  sh_json_end(&j);
  sh_json_end(&j); /* one too many: ignored */
  is_str(b.p,
         "{\"name\":\"users\",\"note\":null,\"n\":-42,\"d\":0.25,\"z\":0.0,"
         "\"nan\":null,\"t\":true,\"f\":false,\"empty\":[],"
         "\"tags\":[\"@a\",\"@b\",{\"k\":null},[]],\"o\":{}}",
         "nested document");
  sh_json_free(&j);
  sh_json_free(&j); /* idempotent */
  sh_json_free(NULL);
  sqlitch_buf_free(&b);

  /* several top-level values (one per line is the caller's job) */
  sh_json_init(&j, &b);
  sh_json_array(&j, NULL);
  sh_json_end(&j);
  sh_json_str(&j, NULL, "x");
  is_str(b.p, "[]\"x\"", "top-level values need no commas");
  is_int(j.top_items, 2, "top-level values counted");
  sh_json_free(&j);
  sqlitch_buf_free(&b);

  /* deep nesting is fine */
  sh_json_init(&j, &b);
  for (int i = 0; i < 200; i++)
    sh_json_array(&j, NULL);
  for (int i = 0; i < 200; i++)
    sh_json_end(&j);
  ok(b.len == 400 && b.p[0] == '[' && b.p[199] == '[' && b.p[200] == ']',
     "200 levels of nesting");
  sh_json_free(&j);
  sqlitch_buf_free(&b);
}

static void test_scrub(void) {
  unsetenv("SQITCH_PASSWORD");
  unsetenv("SQLITCH_PASSWORD");
  unsetenv("PGPASSWORD");
  unsetenv("MYSQL_PWD");
  char *s =
      sh_log_json_scrub("cannot reach db:pg://alice:s3cret@db.example/x?y=1");
  is_str(s, "cannot reach db:pg://alice:@db.example/x?y=1",
         "URI password dropped");
  free(s);
  s = sh_log_json_scrub("\"db:mysql://u:p%40ss@h:3306\" and http://a:b@c/");
  is_str(s, "\"db:mysql://u:@h:3306\" and http://a:@c/", "several URIs");
  free(s);
  s = sh_log_json_scrub("db:pg://u:p@w@h/db");
  is_str(s, "db:pg://u:@h/db", "last @ ends the userinfo");
  free(s);
  s = sh_log_json_scrub("db:pg://alice@h/db db:sqlite:x.db ://");
  is_str(s, "db:pg://alice@h/db db:sqlite:x.db ://", "nothing to drop");
  free(s);
  setenv("SQITCH_PASSWORD", "hunter2", 1);
  setenv("PGPASSWORD", "pgpw", 1);
  s = sh_log_json_scrub("password hunter2 rejected; pgpw too; hunter2");
  is_str(s, "password ******** rejected; ******** too; ********",
         "password values masked");
  free(s);
  unsetenv("SQITCH_PASSWORD");
  unsetenv("PGPASSWORD");
  s = sh_log_json_scrub(NULL);
  is_str(s, "", "NULL text");
  free(s);
}

static void test_run_id(void) {
  char a[37], b[37];
  make_run_id(a);
  make_run_id(b);
  ok(strlen(a) == 36 && a[8] == '-' && a[13] == '-' && a[14] == '4' &&
         a[18] == '-' && a[23] == '-' && strchr("89ab", a[19]),
     "run ID is a version-4 UUID");
  ok(strcmp(a, b) != 0, "run IDs differ");
}

int main(void) {
  test_quote();
  test_writer();
  test_scrub();
  test_run_id();
  return tap_done();
}
