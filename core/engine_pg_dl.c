/*
** engine_pg_dl.c -- the libpq function table (engine_pg_dl.h).
*/
#define SQLITCH_PG_DL_IMPL
#include <libpq-fe.h>
#include <string.h>

#include "dynload.h"
#include "engine_pg_dl.h"

sqlitch_pg_api sqlitch_pg;

static int loaded;

int sqlitch_pg_load(sqlitch_err *err) {
  static const char *const sonames[] = {"libpq.so.5", "libpq.so", NULL};
  static const char *const names[] = {
#define SQLITCH_NAME(name) #name,
      SQLITCH_PG_API(SQLITCH_NAME)
#undef SQLITCH_NAME
          NULL};
  void *slots[sizeof names / sizeof *names];
  if (loaded) return SQLITCH_OK;
  if (sqlitch_dynload(sonames, names, slots, "libpq", "PostgreSQL", err))
    return SQLITCH_ERROR;
  size_t i = 0;
#define SQLITCH_FILL(name)                                                     \
  memcpy(&sqlitch_pg.name, &slots[i++], sizeof(void *));
  SQLITCH_PG_API(SQLITCH_FILL)
#undef SQLITCH_FILL
  loaded = 1;
  return SQLITCH_OK;
}
