/*
** engine_sqlite.h -- the parts of the SQLite engine that need SQLite's own
** types: adopting a connection the caller already holds (an application
** that has its database open) as the target connection.
**
**   sqlitch_engine *e;
**   sqlitch_engine_new(cfg, target, &rep, &e, &err);   // target: db:sqlite:...
**   sqlitch_engine_sqlite_adopt(e, db, &err);          // scripts run on `db`
**   sqlitch_engine_deploy(e, NULL, "all", &err);
**   sqlitch_engine_free(e);                            // never closes db
**
** The registry keeps its own connection (unless it is the same file as
** `db`, in which case `db` serves both). With an adopted connection the
** engine does not reset pragmas between scripts (a CLI run does, so that
** each script starts as in a fresh sqlite3 shell). `db` must not be inside
** a transaction when a deploy/revert starts, and no statement may be
** running on it (SQLite cannot commit then).
*/
#ifndef SQLITCH_ENGINE_SQLITE_H
#define SQLITCH_ENGINE_SQLITE_H

#include <sqlite3.h>

#include "engine.h"

int sqlitch_engine_sqlite_adopt(sqlitch_engine *e, sqlite3 *db,
                                sqlitch_err *err);

/* The target connection (NULL before the first script runs). Borrowed. */
sqlite3 *sqlitch_engine_sqlite_db(sqlitch_engine *e);

#endif
