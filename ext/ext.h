/*
** ext.h -- what the files of the sqlitch extension share. Internal to
** ext/: nothing here is exported from sqlitch.so (-fvisibility=hidden).
**
** The extension is one entry file (sqlitch.c, SQLITE_EXTENSION_INIT1 and
** the two entry points) plus one file per SQL surface, each with a
** register function called from the entry file's table:
**
**   vtab_plan.c      sqlitch_plan           (sqlitch_vtab_plan_register)
**   vtab_registry.c  sqlitch_changes, sqlitch_tags, sqlitch_events,
**                    sqlitch_status         (sqlitch_vtab_registry_register)
**   migrate.c        sqlitch_deploy/revert/verify/status/project()
**                                           (sqlitch_migrate_register)
**   context.c        per-connection state, project resolution, plan cache
**                    (no SQL objects)
**
** Every file but sqlitch.c starts with
**
**   #include <sqlite3ext.h>
**   SQLITE_EXTENSION_INIT3
**   #include "ext.h"
**
** so that its sqlite3_* calls go through the host's API table (or straight
** to SQLite when built with -DSQLITE_CORE for static linking).
**
** Per-connection state. Each connection the extension is loaded into gets
** one sqlitch_ext: the project set with sqlitch_project() and a small cache
** of parsed plans. Every function and module registration holds a
** reference (sqlitch_ext_ref) and releases it from its xDestroy
** (sqlitch_ext_unref), so the state dies with the last registration, that
** is, when the connection closes.
**
** Projects. A call works on a project: the directory given as an argument
** (sqlitch_plan('dir')), else the one set with sqlitch_project('dir'), else
** $SQLITCH_PROJECT_DIR (set by `sqlitch shell`), else the current
** directory. A project directory other than the current directory is
** handled as `sqlitch -C dir` would handle it: the configuration is
** searched from there and every relative path of the target (plan file,
** script directories) is taken relative to it. A plan file given instead
** of a directory is `sqlitch -C <its dir> --plan-file <file>`.
**
** Errors. Everything below returns SQLITCH_OK/SQLITCH_ERROR with a
** sqlitch_err holding the message the CLI would print; the SQL faces turn
** it into sqlite3_result_error() or a vtab's zErrMsg.
*/
#ifndef SQLITCH_EXT_H
#define SQLITCH_EXT_H

#include <sqlite3.h>

#include "config.h"
#include "plan.h"
#include "target.h"
#include "util.h"

/* --------------------------------------------------------- connection */

typedef struct sqlitch_ext sqlitch_ext;

/* A new state with one reference (the caller's). */
sqlitch_ext *sqlitch_ext_new(void);
/* Take one more reference; returns x. */
sqlitch_ext *sqlitch_ext_ref(sqlitch_ext *x);
/* Drop one reference (the xDestroy of every registration); frees at 0. */
void sqlitch_ext_unref(void *x);

/* The host runs another copy of SQLite than the one the engine opens its
   connections with (sqlitch.so's libsqlite3): `why` says which versions.
   Two copies in one process do not share POSIX locks, so the functions
   that open the caller's database file refuse to run (migrate.c). */
void sqlitch_ext_set_foreign(sqlitch_ext *x, const char *why);
/* The reason set above, or NULL (one SQLite). Borrowed. */
const char *sqlitch_ext_foreign(const sqlitch_ext *x);

/* sqlitch_project(dir): the connection's project directory (made
   absolute; NULL or "" clears it). Error when dir is not a directory. */
int sqlitch_ext_set_project(sqlitch_ext *x, const char *dir, sqlitch_err *err);
/* The directory calls take their project from: the connection's, else
   $SQLITCH_PROJECT_DIR, else the current directory; absolute. Caller
   frees (NULL when none can be read). */
char *sqlitch_ext_project_dir(const sqlitch_ext *x);

/* ------------------------------------------------------------ project */

typedef struct sqlitch_ext_project {
  sqlitch_config *cfg;
  char *dir;       /* absolute project directory when it is not the
                      current directory; NULL = work in the cwd */
  char *plan_file; /* a plan file given as the project path, or NULL */
} sqlitch_ext_project;

/* Resolve `path` (a project directory, a plan file, or NULL/"" for the
   connection's project) and load its configuration. Errors: a path that
   does not exist, configuration errors. */
int sqlitch_ext_project_open(sqlitch_ext *x, const char *path,
                             sqlitch_ext_project **out, sqlitch_err *err);
void sqlitch_ext_project_free(sqlitch_ext_project *p);
/* What needs a plan needs a project: without a configuration file (and
   no plan file given) this is the CLI's "No project configuration found.
   Run the "init" command to initialize a project". */
int sqlitch_ext_project_require(const sqlitch_ext_project *p, sqlitch_err *err);

/* The target of a call, with relative paths made relative to p->dir:
     name given    that target (a name or a db: URI), as the CLI's <target>;
     db given      the SQLite database `db` has open as "main", named as the
                   configured target whose database is that file, else by
                   its URI (db:sqlite:<path>, relative to the cwd when the
                   file is under it): the target `sqlitch deploy` would use;
     neither       the project's default target (for its plan and
                   scripts; a plan file given as the path works without
                   any configuration).
   Errors: "No project configuration found...", a database in memory. */
int sqlitch_ext_project_target(sqlitch_ext_project *p, sqlite3 *db,
                               const char *name, sqlitch_target **out,
                               sqlitch_err *err);

/* 1 when t is a SQLite target whose database is the file `db` has open
   as "main" (a relative path taken from p's directory), else 0. */
int sqlitch_ext_target_is_main(const sqlitch_ext_project *p,
                               const sqlitch_target *t, sqlite3 *db);

/* --------------------------------------------------------- plan cache */

/* A parsed plan shared by every query of the connection until its file
   changes (checked with stat: device, inode, size, mtime, ctime). */
typedef struct sqlitch_ext_plan {
  int refs;
  sqlitch_plan *plan;
  /* private: the file's identity and the lookup tables */
  unsigned long long dev, ino, size;
  long long mtime_s, mtime_ns, ctime_s, ctime_ns;
  size_t cap;      /* hash table size (power of two), 0 = not built */
  long *by_name;   /* cap slots: 1 + index of the first change of a name */
  long *by_id;     /* cap slots: 1 + index of a change id */
  long *next_name; /* per change: the next change of the same name, -1 */
} sqlitch_ext_plan;

/* The plan in `file`, parsed once per version of the file. The caller
   holds a reference until sqlitch_ext_plan_release(). */
int sqlitch_ext_plan_get(sqlitch_ext *x, const char *file,
                         sqlitch_ext_plan **out, sqlitch_err *err);
void sqlitch_ext_plan_release(sqlitch_ext_plan *p);
/* First change named `name` (then follow next_name), or -1. */
long sqlitch_ext_plan_by_name(sqlitch_ext_plan *p, const char *name);
/* The change with id `id`, or -1. */
long sqlitch_ext_plan_by_id(sqlitch_ext_plan *p, const char *id);

/* ------------------------------------------------------------- errors */

/* err->msg (or a fallback) as a sqlite3_malloc'ed string for zErrMsg. */
char *sqlitch_ext_errmsg(const sqlitch_err *err);

/* ------------------------------------------------------- registration */

int sqlitch_vtab_plan_register(sqlite3 *db, sqlitch_ext *x);
int sqlitch_vtab_registry_register(sqlite3 *db, sqlitch_ext *x);
int sqlitch_migrate_register(sqlite3 *db, sqlitch_ext *x);

#endif
