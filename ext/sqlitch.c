/*
** sqlitch.c -- the single entry point of the sqlitch SQLite extension.
**
** Load it with:
**   sqlite> .load ./sqlitch
**   SELECT sqlitch_version();          -- '0.1.0'
**
** Only this file has SQLITE_EXTENSION_INIT1 and sqlite3_sqlitch_init; the
** other ext/ files expose sqlitch_<module>_register(db) and use
** SQLITE_EXTENSION_INIT3. Build with -DSQLITE_CORE to link statically and
** register with sqlite3_auto_extension((void(*)(void))sqlite3_sqlitch_init).
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "util.h"

#ifdef _WIN32
#define SQLITCH_EXPORT __declspec(dllexport)
#else
#define SQLITCH_EXPORT __attribute__((visibility("default")))
#endif

/* sqlitch_version() -> text: the sqlitch version. */
static void version_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  sqlite3_result_text(ctx, SQLITCH_VERSION, -1, SQLITE_STATIC);
}

SQLITCH_EXPORT int sqlite3_sqlitch_init(sqlite3 *db, char **pzErrMsg,
                                        const sqlite3_api_routines *pApi) {
  int rc;
  SQLITE_EXTENSION_INIT2(pApi);
  (void)pzErrMsg;
  rc = sqlite3_create_function(db, "sqlitch_version", 0,
                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                               NULL, version_func, NULL, NULL);
  return rc;
}
