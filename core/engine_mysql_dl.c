/*
** engine_mysql_dl.c -- the libmariadb function table (engine_mysql_dl.h).
*/
#define SQLITCH_MYSQL_DL_IMPL
#include <mysql.h>
#include <string.h>

#include "dynload.h"
#include "engine_mysql_dl.h"

sqlitch_mysql_api sqlitch_mysql;

static int loaded;

int sqlitch_mysql_load(sqlitch_err *err) {
  static const char *const sonames[] = {"libmariadb.so.3", "libmariadb.so",
                                        NULL};
  static const char *const names[] = {
#define SQLITCH_NAME(name) #name,
      SQLITCH_MYSQL_API(SQLITCH_NAME)
#undef SQLITCH_NAME
          NULL};
  void *slots[sizeof names / sizeof *names];
  if (loaded) return SQLITCH_OK;
  if (sqlitch_dynload(sonames, names, slots, "libmariadb", "MySQL", err))
    return SQLITCH_ERROR;
  size_t i = 0;
#define SQLITCH_FILL(name)                                                     \
  memcpy(&sqlitch_mysql.name, &slots[i++], sizeof(void *));
  SQLITCH_MYSQL_API(SQLITCH_FILL)
#undef SQLITCH_FILL
  loaded = 1;
  return SQLITCH_OK;
}
