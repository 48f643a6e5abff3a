/*
** fuzz_uri.c -- libFuzzer target for the db: URI parser (core/uri.c).
**
** The input is split at the first two NUL/newline bytes into a URI and an
** override value; the URI is parsed both ways (URI->new and URI::db->new),
** printed, copied, and every setter is applied with the override value.
** Invariants checked (a failure traps):
**   - the display form of a URI never carries a non-empty password;
**   - re-parsing a printed URI gives the same string (printing is stable);
**   - a copy prints the same as the original.
** Build and run: make fuzz (seeds in tests/fuzz/seeds/fuzz_uri/).
*/
#include <stdlib.h>
#include <string.h>

#include "target.h"

static void check(int cond) {
  if (!cond) __builtin_trap();
}

static void exercise(sqlitch_uri *u, const char *v) {
  char *s = sqlitch_uri_string(u);
  sqlitch_uri *again = sqlitch_uri_new_db(s);
  check(strcmp(again->str, s) == 0);
  sqlitch_uri_free(again);
  char *d = sqlitch_uri_display(u);
  sqlitch_uri *shown = sqlitch_uri_new_db(d);
  check(!shown->password || !*shown->password);
  sqlitch_uri_free(shown);
  sqlitch_uri *c = sqlitch_uri_dup(u);
  check(strcmp(c->str, u->str) == 0);
  sqlitch_uri_set_user(c, v);
  sqlitch_uri_set_host(c, v);
  sqlitch_uri_set_port(c, v);
  sqlitch_uri_set_dbname(c, v);
  sqlitch_uri_set_password(c, v);
  sqlitch_uri_set_user(c, NULL);
  sqlitch_uri_set_password(c, NULL);
  sqlitch_uri_set_host(c, NULL);
  sqlitch_uri_set_dbname(c, NULL);
  char *cd = sqlitch_uri_display(c);
  free(cd);
  sqlitch_uri_free(c);
  free(s);
  free(d);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  char *v = buf + strcspn(buf, "\n");
  if (*v) *v++ = '\0';
  v[strcspn(v, "\n")] = '\0';

  sqlitch_uri *u = sqlitch_uri_new_db(buf);
  exercise(u, v);
  sqlitch_uri_free(u);

  sqlitch_err err = SQLITCH_ERR_INIT;
  if (sqlitch_uri_parse(buf, &u, &err) == SQLITCH_OK) {
    check(sqlitch_uri_is_db(buf));
    exercise(u, v);
    sqlitch_uri_free(u);
  } else {
    check(!sqlitch_uri_is_db(buf) && err.msg);
  }
  sqlitch_err_clear(&err);
  (void)sqlitch_engine_key(buf);
  (void)sqlitch_uri_default_port(buf);
  char *cp = sqlitch_canonpath(buf);
  free(cp);
  free(buf);
  return 0;
}
