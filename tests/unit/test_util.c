/*
** test_util.c -- unit tests for core/util.c and core/sha1.c.
*/
#include <stdlib.h>
#include <string.h>

#include "dynload.h"
#include "tap.h"
#include "util.h"

int main(void) {
  char hex[41];
  sqlitch_sha1_hex("abc", 3, hex);
  is_str(hex, "a9993e364706816aba3e25717850c26c9cd0d89d", "sha1(abc)");
  sqlitch_sha1_hex("", 0, hex);
  is_str(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1(empty)");
  /* ids.md example 5: change 64\0project p... */
  const char info[] = "change 64\0project p\nchange foo\nplanner Bob "
                      "<b@x>\ndate 2024-01-01T00:00:00Z";
  sqlitch_sha1_hex(info, sizeof info - 1, hex);
  is_str(hex, "79447e2388e6972ed9fadd960893ed9da97cf75c",
         "sqitch change id example");
  {
    /* streaming over block boundaries equals one-shot */
    char big[1000];
    for (int i = 0; i < 1000; i++)
      big[i] = (char)(i * 7);
    char a[41], b[41];
    sqlitch_sha1_hex(big, sizeof big, a);
    sqlitch_sha1_ctx c;
    sqlitch_sha1_init(&c);
    for (int i = 0; i < 1000; i += 37)
      sqlitch_sha1_update(&c, big + i, i + 37 > 1000 ? 1000 - i : 37);
    sqlitch_sha1_final_hex(&c, b);
    is_str(b, a, "sha1 streaming == one-shot");
  }

  sqlitch_buf b = SQLITCH_BUF_INIT;
  is_str(sqlitch_buf_str(&b), "", "empty buffer reads as empty string");
  sqlitch_buf_addf(&b, "%s-%d", "x", 42);
  sqlitch_buf_pad(&b, '.', 3);
  is_str(sqlitch_buf_str(&b), "x-42...", "buf addf + pad");
  char *t = sqlitch_buf_take(&b);
  is_int(b.len, 0, "take resets");
  free(t);

  sqlitch_strv sv = SQLITCH_STRV_INIT;
  sqlitch_strv_push(&sv, "b");
  sqlitch_strv_push(&sv, "a");
  sqlitch_strv_sort(&sv);
  char *j = sqlitch_strv_join(&sv, ", ");
  is_str(j, "a, b", "strv sort + join");
  free(j);
  ok(sqlitch_strv_contains(&sv, "a") && !sqlitch_strv_contains(&sv, "c"),
     "strv contains");
  sqlitch_strv_free(&sv);

  char *p = sqlitch_path_clean("./a//b/./c/");
  is_str(p, "a/b/c", "path clean");
  free(p);
  p = sqlitch_path_join(".", "deploy");
  is_str(p, "deploy", "path join with .");
  free(p);
  p = sqlitch_path_join("top", "deploy/x.sql");
  is_str(p, "top/deploy/x.sql", "path join");
  free(p);

  p = sqlitch_strtrim("  \t hi there \n");
  is_str(p, "hi there", "trim");
  free(p);
  ok(sqlitch_utf8_valid("h\xc3\xa9llo", 6), "valid utf8");
  ok(!sqlitch_utf8_valid("h\xc3llo", 5), "invalid utf8");
  is_int(sqlitch_utf8_len("h\xc3\xa9llo"), 5, "utf8 length");
  ok(!sqlitch_perl_true("0") && !sqlitch_perl_true("") &&
         sqlitch_perl_true("00"),
     "perl truthiness");

  sqlitch_err err = SQLITCH_ERR_INIT;
  ok(sqlitch_err_fail(&err, "bad %s", "thing") == SQLITCH_ERROR,
     "err returns -1");
  is_str(err.msg, "bad thing", "err message");
  is_int(err.exitval, 2, "err exit value");
  sqlitch_err_clear(&err);
  ok(err.msg == NULL, "err cleared");

  sqlitch_arena *a = sqlitch_arena_new();
  char *s1 = sqlitch_arena_strdup(a, "hello");
  for (int i = 0; i < 10000; i++)
    sqlitch_arena_printf(a, "%d", i);
  is_str(s1, "hello", "arena keeps earlier strings");
  sqlitch_arena_free(a);

  {
    /* a client library that is not installed: a clear error, nothing kept */
    static const char *const none[] = {"libsqlitch-no-such.so.9", NULL};
    static const char *const libc[] = {"libc.so.6", NULL};
    static const char *const names[] = {"strlen", NULL};
    static const char *const bad[] = {"strlen", "no_such_symbol_x", NULL};
    void *slots[2] = {0};
    ok(sqlitch_dynload(none, names, slots, "libpq", "PostgreSQL", &err) ==
           SQLITCH_ERROR,
       "dynload: missing library fails");
    ok(err.msg &&
           strncmp(err.msg, "libpq required to manage PostgreSQL: ", 37) == 0 &&
           strstr(err.msg, "libsqlitch-no-such.so.9"),
       "dynload: the message names the driver and the library");
    sqlitch_err_clear(&err);
    ok(sqlitch_dynload(libc, bad, slots, "libc", "C", &err) == SQLITCH_ERROR &&
           strstr(err.msg, "no_such_symbol_x"),
       "dynload: missing symbol named");
    sqlitch_err_clear(&err);
    ok(sqlitch_dynload(libc, names, slots, "libc", "C", &err) == SQLITCH_OK &&
           slots[0] != NULL,
       "dynload: symbols resolved");
  }
  return tap_done();
}
