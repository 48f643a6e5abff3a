/*
** fuzz_pgwire.c -- libFuzzer target for the in-process PostgreSQL client
** (core/engine_pg_wire.c): what it reads from the server and the conninfo
** it accepts.
**
** The input is, byte for byte, what a server sends on a connection that
** has just started (the client end of a socketpair): the client runs a
** simple query, an extended query with a NULL parameter, a notice is
** printed nowhere, and every value, field and message of the results is
** read, until the connection breaks or four queries are done. The same
** bytes, as a string, are the conninfo in "dbname" for the connection
** planner. Invariants (a failure traps): the planner always answers; an
** error result has a message ending in a newline; every value is a
** string within the length PQgetlength gives.
** Build and run: make fuzz (seeds in tests/fuzz/seeds/fuzz_pgwire/).
** Without PostgreSQL support in the build the target does nothing.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef SQLITCH_FUZZ_PG
#define SQLITCH_HAVE_PG 1
/* the client and the table it fills, in this translation unit: the fuzz
   build compiles core/ without the pg engine */
#include "../../core/engine_pg_dl.c"
#include "../../core/engine_pg_wire.c"

static void check(int cond) {
  if (!cond) __builtin_trap();
}

static void quiet(void *arg, const char *text) {
  (void)arg;
  check(text != NULL);
}

static void read_result(PGresult *r) {
  if (!r) return; /* ReadyForQuery alone: libpq has no result either */
  const char *m = sqlitch_pg.PQresultErrorMessage(r);
  /* (a message type NUL cuts libpq's "lost synchronization" text short
     too: no newline then) */
  if (sqlitch_pg.PQresultStatus(r) == PGRES_FATAL_ERROR)
    check(*m && (m[strlen(m) - 1] == '\n' || strstr(m, "type \"") != NULL));
  sqlitch_pg.PQresultErrorField(r, 'M');
  for (int i = 0; i < sqlitch_pg.PQntuples(r); i++)
    for (int j = 0; j < sqlitch_pg.PQnfields(r); j++) {
      const char *v = sqlitch_pg.PQgetvalue(r, i, j);
      check(v && (int)strlen(v) <= sqlitch_pg.PQgetlength(r, i, j));
      sqlitch_pg.PQgetisnull(r, i, j);
    }
  sqlitch_pg.PQclear(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int loaded;
  if (!loaded) {
    sqlitch_err err = SQLITCH_ERR_INIT;
    sqlitch_pg_wire_allow(1);
    check(sqlitch_pg_wire_load(&err) == SQLITCH_OK);
    loaded = 1;
  }
  /* the planner */
  char *ci = sqlitch_strndup((const char *)data, size);
  const char *k[] = {"client_encoding", "dbname", NULL};
  const char *v[] = {"UTF8", ci, NULL};
  const char *why = NULL;
  char *plan = sqlitch_pg_wire_plan(k, v, 1, &why);
  check(plan || why);
  free(plan);
  free(ci);

  /* the client */
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) return 0;
  if (write(sv[1], data, size) != (ssize_t)size) {
    close(sv[0]);
    close(sv[1]);
    return 0;
  }
  shutdown(sv[1], SHUT_WR);
  PGconn *c = sqlitch_pg_wire_adopt(sv[0]);
  sqlitch_pg.PQsetNoticeProcessor(c, quiet, NULL);
  const char *params[] = {"x", NULL};
  for (int i = 0; i < 4 && sqlitch_pg.PQstatus(c) == CONNECTION_OK; i++) {
    PGresult *r = i % 2
                      ? sqlitch_pg.PQexecParams(c, "SELECT $1, $2\nFROM t", 2,
                                                NULL, params, NULL, NULL, 0)
                      : sqlitch_pg.PQexec(c, "SET a = 1;\r\nSELECT\tb FROM t");
    read_result(r);
  }
  read_result(sqlitch_pg.PQexec(c, "SELECT 1"));
  sqlitch_pg.PQserverVersion(c);
  sqlitch_pg.PQtransactionStatus(c);
  sqlitch_pg.PQparameterStatus(c, "server_version");
  sqlitch_pg.PQfinish(c);
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
