/*
** sqlitch.h -- the installed public header of sqlitch: the entry points
** of the SQLite extension, for applications that link it statically
** (libsqlitch.a) or call it from C after loading it themselves.
**
** sqlitch is Sqitch rebuilt in C around SQLite. Its extension makes a
** Sqitch project usable from any SQLite connection: the plan and the
** registry as tables (sqlitch_plan, sqlitch_changes, sqlitch_tags,
** sqlitch_events, sqlitch_status) and migrations as SQL functions
** (sqlitch_deploy, sqlitch_revert, sqlitch_verify, sqlitch_status,
** sqlitch_project, sqlitch_version). sqlitch-extension(3) is the reference
** of that SQL surface; this header only declares how to register it.
**
** Linking statically and migrating at start-up:
**
**   #include <sqlite3.h>
**   #include <sqlitch.h>
**
**   int main(void) {
**     sqlite3 *db;
**     sqlite3_auto_extension((void (*)(void))sqlite3_sqlitch_init);
**     sqlite3_open("app.db", &db);        // the extension is registered
**     sqlite3_exec(db, "SELECT sqlitch_project('/usr/share/app/db');"
**                      "SELECT sqlitch_deploy();", NULL, NULL, NULL);
**     ...
**   }
**
**   cc app.c $(pkg-config --cflags --libs sqlitch)
**
** libsqlitch.a holds the extension compiled with -DSQLITE_CORE: it calls
** SQLite directly, so the application and the extension must use the same
** libsqlite3 (the one pkg-config's sqlite3 names). The `pApi` argument is
** then unused and may be NULL.
**
** Loading the shared extension instead needs no header at all:
**   sqlite> .load sqlitch                -- sqlitch.so on the library path
**   sqlite> .load /usr/lib/sqlitch               -- or by path
**   sqlite> .load sqlitch sqlite3_sqlitch_readonly_init
**
** Return values are SQLite result codes: SQLITE_OK, or an error code with
** *pzErrMsg set to a message allocated with sqlite3_malloc (free it with
** sqlite3_free) naming the object that could not be registered.
** Registration is per connection and idempotent for a given connection.
*/
#ifndef SQLITCH_H
#define SQLITCH_H

#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Register everything: the tables and all functions, including those that
   deploy, revert and verify (SQLITE_DIRECTONLY: callable from top-level
   SQL only, never from triggers or views). */
int sqlite3_sqlitch_init(sqlite3 *db, char **pzErrMsg,
                         const sqlite3_api_routines *pApi);

/* The restricted entry point: the read-only tables and pure functions
   only. Nothing it registers deploys, reverts, runs scripts, writes a
   registry or changes the connection's state. */
int sqlite3_sqlitch_readonly_init(sqlite3 *db, char **pzErrMsg,
                                  const sqlite3_api_routines *pApi);

#ifdef __cplusplus
}
#endif

#endif /* SQLITCH_H */
