/*
** fuzz_mywire.c -- libFuzzer target for the in-process MySQL/MariaDB
** client (core/engine_mysql_wire.c): what it reads from the server.
**
** The first input byte chooses where the connection starts: odd, at the
** server's greeting (the client answers it and must either get a session
** or give up); even, just after the handshake. The rest is, byte for
** byte, what the server sends on the client end of a socketpair. The
** client then runs up to four multi-statement queries, stores every
** result, reads every row and escapes a string, as the engine does.
** Invariants (a failure traps): a failed query has a message and an
** SQLSTATE of at most five characters; every non-NULL value is NUL-terminated
*at
** the length mysql_fetch_lengths gives; a result has as many columns as
** mysql_field_count said; escaping never writes more than 2n + 1 bytes.
** Build and run: make fuzz (seeds in tests/fuzz/seeds/fuzz_mywire/).
** Without MySQL support in the build the target does nothing.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef SQLITCH_FUZZ_MYSQL
#define SQLITCH_HAVE_MYSQL 1
/* the client and the table it fills, in this translation unit: the fuzz
   build compiles core/ without the mysql engine */
#include "../../core/engine_mysql_dl.c"
#include "../../core/engine_mysql_wire.c"

static void check(int cond) {
  if (!cond) __builtin_trap();
}

static void read_results(MYSQL *m, int failed) {
  if (failed) {
    /* the server's ERR packet may carry 0 and no text: libmariadb's too */
    check(sqlitch_mysql.mysql_error(m) != NULL);
    check(strlen(sqlitch_mysql.mysql_sqlstate(m)) <= 5);
    return;
  }
  do {
    MYSQL_RES *r = sqlitch_mysql.mysql_store_result(m);
    unsigned nf = sqlitch_mysql.mysql_field_count(m);
    if (!r) continue;
    check(sqlitch_mysql.mysql_num_fields(r) == nf);
    MYSQL_ROW row;
    while ((row = sqlitch_mysql.mysql_fetch_row(r))) {
      unsigned long *len = sqlitch_mysql.mysql_fetch_lengths(r);
      for (unsigned i = 0; i < nf; i++)
        if (row[i]) check(strlen(row[i]) <= len[i] && row[i][len[i]] == 0);
    }
    sqlitch_mysql.mysql_num_rows(r);
    sqlitch_mysql.mysql_free_result(r);
  } while (sqlitch_mysql.mysql_next_result(m) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int loaded;
  if (!loaded) {
    sqlitch_err err = SQLITCH_ERR_INIT;
    sqlitch_mysql_wire_allow(1);
    check(sqlitch_mysql_wire_load(&err) == SQLITCH_OK);
    loaded = 1;
  }
  if (size < 1) return 0;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) return 0;
  if (write(sv[1], data + 1, size - 1) != (ssize_t)(size - 1)) {
    close(sv[0]);
    close(sv[1]);
    return 0;
  }
  shutdown(sv[1], SHUT_WR);
  MYSQL *m = sqlitch_mysql_wire_adopt(sv[0], data[0] & 1);
  if (m) {
    for (int i = 0; i < 4; i++)
      read_results(m, sqlitch_mysql.mysql_query(m, "SET a = 1; SELECT b") != 0);
    char out[2 * 7 + 1];
    unsigned long n =
        sqlitch_mysql.mysql_real_escape_string(m, out, "a'\\\"\n\0z", 7);
    check(n <= 2 * 7 && out[n] == 0);
    sqlitch_mysql.mysql_get_server_version(m);
    check(sqlitch_mysql.mysql_get_server_info(m) != NULL);
    sqlitch_mysql.mysql_close(m);
  }
  close(sv[1]);
  return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  (void)data;
  (void)size;
  return 0;
}
#endif
