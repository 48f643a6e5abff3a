/*
** sqlitch.c -- the entry points of the sqlitch SQLite extension: Sqitch
** plans and registries as tables, migrations as functions.
**
** Loading:
**   sqlite> .load ./sqlitch                                -- everything
**   sqlite> .load ./sqlitch sqlite3_sqlitch_readonly_init  -- read-only part
**   SELECT load_extension('./sqlitch');                    -- from SQL
**   conn.load_extension("./sqlitch")                       -- Python sqlite3
**   sqlite3_auto_extension((void (*)(void))sqlite3_sqlitch_init);
**                                   -- C, linked statically (-DSQLITE_CORE)
**
** What each entry point registers (tests/sql/registered.sql checks the
** exact lists):
**
**   object                       full  readonly  flags
**   sqlitch_version()              x      x      DETERMINISTIC|INNOCUOUS
**   sqlitch_plan        (table)    x      x      VTAB_DIRECTONLY
**   sqlitch_changes     (table)    x      x      VTAB_DIRECTONLY
**   sqlitch_tags        (table)    x      x      VTAB_DIRECTONLY
**   sqlitch_events      (table)    x      x      VTAB_DIRECTONLY
**   sqlitch_status      (table)    x      x      VTAB_DIRECTONLY
**   sqlitch_deploy([to])           x             DIRECTONLY
**   sqlitch_revert([to])           x             DIRECTONLY
**   sqlitch_verify([from[, to]])   x             DIRECTONLY
**   sqlitch_status()               x             DIRECTONLY
**   sqlitch_project([dir])         x             DIRECTONLY
**
** The read-only entry point is for contexts that must not write: it has
** the tables and pure functions only -- nothing that deploys, reverts,
** runs scripts or changes the connection's state.
**
**   sqlitch_version() -> '0.1.0'   the sqlitch version (SQLITCH_VERSION)
**
** The tables are documented in vtab_plan.c and vtab_registry.c, the
** functions in migrate.c, the shared rules (projects, per-connection
** state) in ext.h; docs/extension.md is the user's guide and
** docs/man/sqlitch-extension.3.md the reference.
**
** Only this file has SQLITE_EXTENSION_INIT1 and the entry points; the
** other ext/ files use SQLITE_EXTENSION_INIT3. The same sources build the
** loadable sqlitch.so and, with -DSQLITE_CORE, the static library the C
** example links (SQLITE_EXTENSION_INIT* are then no-ops).
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext.h"

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

static int version_register(sqlite3 *db, sqlitch_ext *x) {
  (void)x;
  return sqlite3_create_function(db, "sqlitch_version", 0,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC |
                                     SQLITE_INNOCUOUS,
                                 NULL, version_func, NULL, NULL);
}

/* What the two entry points register, in order. */
static const struct {
  const char *what; /* for the error message */
  int (*reg)(sqlite3 *db, sqlitch_ext *x);
  int readonly; /* part of the read-only entry point */
} parts[] = {
    {"sqlitch_version", version_register, 1},
    {"sqlitch_plan", sqlitch_vtab_plan_register, 1},
    {"sqlitch_changes/tags/events/status", sqlitch_vtab_registry_register, 1},
    {"sqlitch_deploy/revert/verify/status/project", sqlitch_migrate_register,
     0},
};

static int same_sqlite(const sqlite3_api_routines *api, char *why, size_t n);

static int init(sqlite3 *db, char **pzErrMsg, int readonly,
                const sqlite3_api_routines *api) {
  int rc = SQLITE_OK;
  char why[160];
  sqlitch_ext *x = sqlitch_ext_new();
  if (!same_sqlite(api, why, sizeof why)) sqlitch_ext_set_foreign(x, why);
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    if (readonly && !parts[i].readonly) continue;
    rc = parts[i].reg(db, x);
    if (rc != SQLITE_OK) {
      if (pzErrMsg)
        *pzErrMsg = sqlite3_mprintf("sqlitch: cannot register %s: %s",
                                    parts[i].what, sqlite3_errmsg(db));
      break;
    }
  }
  sqlitch_ext_unref(x); /* the registrations hold their own references */
  return rc;
}

SQLITCH_EXPORT int sqlite3_sqlitch_init(sqlite3 *db, char **pzErrMsg,
                                        const sqlite3_api_routines *pApi) {
  SQLITE_EXTENSION_INIT2(pApi);
  return init(db, pzErrMsg, 0, pApi);
}

SQLITCH_EXPORT int
sqlite3_sqlitch_readonly_init(sqlite3 *db, char **pzErrMsg,
                              const sqlite3_api_routines *pApi) {
  SQLITE_EXTENSION_INIT2(pApi);
  return init(db, pzErrMsg, 1, pApi);
}

/* Is the host's SQLite (the routines it passed) the libsqlite3 the engine
   links? Same version and same source id, or not. Kept last: it names
   the linked functions, which sqlite3ext.h's macros would redirect. */
#ifndef SQLITE_CORE
#undef sqlite3_libversion
#undef sqlite3_sourceid
#endif
static int same_sqlite(const sqlite3_api_routines *api, char *why, size_t n) {
#ifdef SQLITE_CORE
  (void)api;
  (void)why;
  (void)n;
  return 1; /* linked in: one SQLite by construction */
#else
  const char *host = api->libversion(), *ours = sqlite3_libversion();
  if (strcmp(host, ours) == 0 &&
      strcmp(api->sourceid(), sqlite3_sourceid()) == 0)
    return 1;
  snprintf(why, n, "its SQLite %s is not the libsqlite3 %s sqlitch.so uses",
           host, ours);
  return 0;
#endif
}
