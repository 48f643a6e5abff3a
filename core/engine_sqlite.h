/*
** engine_sqlite.h -- the parts of the SQLite engine that need SQLite's own
** types: adopting a connection the caller already holds (the extension's
** user connection) instead of opening one.
**
**   sqlitch_engine *e;
**   sqlitch_engine_new(cfg, target, &rep, &e, &err);   // target: db:sqlite:...
**   sqlitch_engine_sqlite_adopt(e, db, &err);          // use `db` as the target
**   sqlitch_engine_deploy(e, NULL, "all", &err);
**   sqlitch_engine_free(e);                            // detaches, never closes db
**
** With an adopted connection the engine ATTACHes the registry file as
** schema "sqlitch_registry" for the duration of the engine and DETACHes it
** in sqlitch_engine_free(). It never closes `db` and does not reset the
** connection's pragmas between scripts (a CLI run does, so that each
** script starts as in a fresh sqlite3 shell). `db` must not be inside a
** transaction when a deploy/revert starts.
*/
#ifndef SQLITCH_ENGINE_SQLITE_H
#define SQLITCH_ENGINE_SQLITE_H

#include <sqlite3.h>

#include "engine.h"

/* The schema name under which the registry is attached to a target
   connection (when the registry is another file). */
#define SQLITCH_REGISTRY_SCHEMA "sqlitch_registry"

int sqlitch_engine_sqlite_adopt(sqlitch_engine *e, sqlite3 *db,
                                sqlitch_err *err);

/* The connection the engine uses for the target (NULL before the first
   script runs). Borrowed. */
sqlite3 *sqlitch_engine_sqlite_db(sqlitch_engine *e);

#endif
