/*
** engine_pg.h -- the PostgreSQL engine's inner parts, shared by its two
** files and its tests. Commands never include this: they reach the engine
** through engine.h (sqlitch_engine_ops_for("pg")).
**
**   engine_pg.c       the ops table: connections, registry, lock, steps
**   engine_pg_psql.c  psql in process: a script is parsed the way psql 15
**                     reads it (`psql --quiet --no-psqlrc --no-align
**                     --tuples-only --set ON_ERROR_STOP=1 --file F`, as
**                     Sqitch runs it) into a list of actions, and the
**                     actions are run over libpq with psql's output
**
** Parsing is pure (no connection): it cuts the file into the statements
** psql would send, byte for byte (same lines, same kept comments, same
** variable substitution), and the meta-commands psql would run. Anything
** it cannot reproduce exactly makes it give up with a reason, and the
** caller runs the real psql instead:
**
**   sqlitch_psql_vars v = SQLITCH_PSQL_VARS_INIT;
**   sqlitch_psql_vars_set(&v, "registry", "sqitch");
**   sqlitch_psql_script *s;
**   if (sqlitch_psql_parse("deploy/x.sql", text, len, &v, 1, &s) ...
**   if (s->fallback) run_the_real_psql(...);
**   else sqlitch_psql_run(conn, s, &r);
**   sqlitch_psql_script_free(s);
**
** Memory: every _new/_parse has its _free; strings in actions belong to
** the script.
*/
#ifndef SQLITCH_ENGINE_PG_H
#define SQLITCH_ENGINE_PG_H

#include <libpq-fe.h>

#include "engine_pg_dl.h" /* PQ* calls go through the loaded table */

#include "engine.h"

/* ------------------------------------------------------------ variables */

/* psql's variable space (name -> value), as set with --set and \set. */
typedef struct sqlitch_psql_vars {
  sqlitch_strv names, values;
} sqlitch_psql_vars;

#define SQLITCH_PSQL_VARS_INIT                                                 \
  { SQLITCH_STRV_INIT, SQLITCH_STRV_INIT }

/* Set (value non-NULL) or unset (NULL) a variable. */
void sqlitch_psql_vars_set(sqlitch_psql_vars *v, const char *name,
                           const char *value);
const char *sqlitch_psql_vars_get(const sqlitch_psql_vars *v, const char *name);
void sqlitch_psql_vars_copy(sqlitch_psql_vars *dst,
                            const sqlitch_psql_vars *src);
void sqlitch_psql_vars_free(sqlitch_psql_vars *v);
/* psql's valid_variable_name(). */
int sqlitch_psql_valid_name(const char *name);
/* A variable psql itself sets or reacts to (ON_ERROR_STOP, DBNAME, ...). */
int sqlitch_psql_special_name(const char *name);

/* --------------------------------------------------------------- script */

typedef enum {
  SQLITCH_PSQL_SQL = 0, /* send `text` as one query */
  SQLITCH_PSQL_OUT,     /* write `text` to stdout (\echo, \qecho) */
  SQLITCH_PSQL_ERR,     /* write `text` to stderr (\warn, warnings) */
  SQLITCH_PSQL_FAIL     /* write `text` to stderr, stop with exit 3 */
} sqlitch_psql_kind;

typedef struct sqlitch_psql_action {
  sqlitch_psql_kind kind;
  char *text;
  size_t len;
  const char *file;   /* the input file as psql names it */
  unsigned long line; /* psql's line counter at that point */
} sqlitch_psql_action;

typedef struct sqlitch_psql_script {
  sqlitch_psql_action *v;
  size_t n, cap;
  sqlitch_strv files; /* file names the actions point into */
  char *fallback;     /* non-NULL: why the real psql must run instead */
  /* Index of the script's final COMMIT (a SQL action followed only by
     output actions), or -1. */
  long final_commit;
} sqlitch_psql_script;

/* Parse a script. `vars` are the variables psql starts with (not
   changed); utf8 says whether the client encoding is UTF8 (BOM and
   escaping rules). Always returns SQLITCH_OK with *out set except on
   allocation failure; check (*out)->fallback. */
int sqlitch_psql_parse(const char *file, const char *text, size_t len,
                       const sqlitch_psql_vars *vars, int utf8,
                       sqlitch_psql_script **out);
void sqlitch_psql_script_free(sqlitch_psql_script *s);

/* ---------------------------------------------------------------- run */

typedef struct sqlitch_psql_run {
  const sqlitch_reporter *rep;
  int show_rows; /* stdout (rows, \echo) shown; else swallowed */
  /* Called just before the script's final COMMIT is sent, when a
     transaction is open at that point. Non-zero: the transaction is
     rolled back and the run stops (hook_failed = 1). */
  int (*before_commit)(void *ctx, PGconn *conn);
  void *ctx;
  /* out */
  int exitval;  /* what psql would exit with: 0, 2 (connection lost),
                   3 (a statement or meta-command failed) */
  int hook_ran; /* before_commit succeeded and COMMIT was sent */
  int hook_failed;
} sqlitch_psql_run;

/* Run a parsed script (fallback must be NULL) on `conn`, printing what
   psql prints. Returns SQLITCH_OK; r->exitval says how it went. A
   transaction the script leaves open is rolled back. */
int sqlitch_psql_exec(PGconn *conn, const sqlitch_psql_script *s,
                      sqlitch_psql_run *r);

/* Print a libpq message the way psql's pg_log_info does with a file
   locus: "psql:FILE:LINE: " + message without its last newline + "\n". */
void sqlitch_psql_log(const sqlitch_reporter *rep, const char *file,
                      unsigned long line, const char *msg);

#endif
