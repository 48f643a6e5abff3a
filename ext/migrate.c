/*
** migrate.c -- migrations as SQL functions: deploy, revert and verify the
** database the calling connection has open, and report its status.
**
**   SELECT sqlitch_deploy();            -- every pending change
**   SELECT sqlitch_deploy('@v1.0');     -- up to a tag or change
**   SELECT sqlitch_revert();            -- every change (no prompt: -y)
**   SELECT sqlitch_revert('@v0.9');     -- the changes after @v0.9
**   SELECT sqlitch_verify();            -- every deployed change
**   SELECT sqlitch_verify('users', '@v1.0');  -- from, to
**   SELECT sqlitch_status();            -- `sqlitch status` as text
**   SELECT sqlitch_deploy('db:pg://u@db/flipr');        -- another target
**   SELECT sqlitch_deploy('prodpg', '@v1.0');           -- a target's name
**   SELECT sqlitch_revert('db:mysql://u@db/flipr', 'users');
**   SELECT sqlitch_verify('prodpg', 'users', '@v1.0');
**   SELECT sqlitch_status('prodpg');
**   SELECT sqlitch_project('db/proj');  -- where the plan and scripts are
**   SELECT sqlitch_project('');         -- back to the default
**   SELECT sqlitch_project();           -- the directory in use, absolute:
**                                       -- as set, else $SQLITCH_PROJECT_DIR,
**                                       -- else the current directory
**
** Targets. The arguments are sorted as `sqlitch deploy a b` sorts its own,
** by the same core rules (sqlitch_plan_contains, sqlitch_target_arg_kind):
** a change of the current target's plan is a change; else a configured
** target name or a db: URI is a target, and an engine name (pg, mysql,
** sqlite) stands for engine.<e>.target; anything else is a change, which
** the engine then looks up. Naming more than one target warns ("Too many
** targets specified; connecting to X") and uses the first; extra changes
** warn as the CLI does. NULL arguments keep their place: sqlitch_verify(
** 'prod', NULL, '@v1.0') verifies up to @v1.0.
**
** With no target, each is what the CLI command does on target
** db:sqlite:<this database> (see vtab_registry.c for how the target and
** its registry are found). With a target, it is `sqlitch <command>
** <target>`: a PostgreSQL or MySQL server, another SQLite file. The
** connection checks below protect the caller's own file, so they apply
** only when the target is that file; for any other target the calling
** connection may be in memory, read-only or inside a transaction. In all
** cases the work runs with the project's configuration: deploy.mode,
** deploy.verify, core.verbosity, status.show_changes/show_tags/
** date_format, script variables. The result is what the CLI shows on a
** terminal -- stdout and stderr in order, the same bytes -- without the
** last newline:
** "Deploying changes to db:sqlite:app.db\n  + users .. ok". A failure
** raises an SQL error with that text, ending with the message the CLI
** ends with ("...\n  + broken .. deploy/broken.sql: Parse error near line
** 3: no such table: nope\nnot ok\nReverting to flips@v1.0\nDeploy
** failed"). NULL arguments count as absent.
**
** Why a second connection. Sqitch scripts carry their own BEGIN/COMMIT,
** and SQLite refuses COMMIT while a statement -- here the SELECT calling
** the function -- runs on the connection. So the work runs on the engine's
** own connections to the database file and its registry, exactly as
** `sqlitch deploy` runs it: same code, same transactions, same registry
** rows, same locks (flock on the registry, busy handler for the database
** file). This works because a SELECT without FROM takes no lock: the
** caller's connection holds nothing while the function runs, and its next
** statement sees the new schema and data (SQLite checks the file's change
** counter and schema cookie). What would break that is refused up front,
** before anything is touched, with an error naming the function:
**   - an open transaction on the connection (BEGIN; SELECT sqlitch_deploy();),
**   - a statement holding a read lock (SELECT sqlitch_deploy() FROM t, or
**     an unfinished SELECT on the same connection),
**   - a database in memory or temporary (nothing to reopen),
**   - a read-only connection (SQLITE_OPEN_READONLY, PRAGMA query_only),
**   - PRAGMA locking_mode=EXCLUSIVE (no other connection could get in),
**   - a host whose SQLite is another copy than sqlitch.so's libsqlite3
**     (sqlitch.c compares them when loading): POSIX locks are per
**     process, and two copies of SQLite would release each other's.
** deploy and revert check all of these; verify and status only need a
** database file and one SQLite. None of them applies to another target.
**
** Flags: all are SQLITE_DIRECTONLY (they read files and write databases);
** none is deterministic. They live only in the full entry point.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include <stdlib.h>
#include <string.h>

#include "datefmt.h"
#include "engine.h"
#include "ext.h"
#include "report.h"
#include "status.h"

/* ============================================================ output */

/* What the CLI shows on a terminal: stdout and stderr in the order they
   are written, each message formatted as sh_say() formats it
   (shell/out.c). */
typedef struct capture {
  sqlitch_buf text;
  int verbosity;
} capture;

static void prefixed(sqlitch_buf *b, const char *prefix, const char *text) {
  for (const char *p = text;;) {
    const char *nl = strchr(p, '\n');
    sqlitch_buf_add(b, prefix);
    if (!nl) {
      sqlitch_buf_add(b, p);
      return;
    }
    sqlitch_buf_addn(b, p, (size_t)(nl - p + 1));
    p = nl + 1;
  }
}

static void on_msg(void *ctx, sqlitch_level level, int literal,
                   const char *text) {
  capture *c = ctx;
  sqlitch_buf *b = &c->text;
  switch (level) {
  case SQLITCH_TRACE:
    if (c->verbosity < 3) return;
    prefixed(b, "trace: ", text);
    break;
  case SQLITCH_DEBUG:
    if (c->verbosity < 2) return;
    prefixed(b, "debug: ", text);
    break;
  case SQLITCH_INFO:
    if (c->verbosity < 1) return;
    sqlitch_buf_add(b, text);
    break;
  case SQLITCH_COMMENT: prefixed(b, "# ", text); break;
  case SQLITCH_WARN: prefixed(b, "warning: ", text); break;
  case SQLITCH_EMIT:
  case SQLITCH_VENT: sqlitch_buf_add(b, text); break;
  }
  if (!literal) sqlitch_buf_addc(b, '\n');
}

/* The text without its final newline(s): the result. */
static void result_text(sqlite3_context *ctx, sqlitch_buf *b) {
  size_t n = b->len;
  while (n && b->p[n - 1] == '\n')
    n--;
  sqlite3_result_text(ctx, n ? b->p : "", (int)n, SQLITE_TRANSIENT);
}

/* A failure: the text so far and the final message, as the CLI ends with
   it (on stdout for exit value 1, stderr otherwise: same place on a
   terminal), raised as the SQL error. */
static void result_failure(sqlite3_context *ctx, capture *c,
                           const sqlitch_err *err) {
  sqlitch_buf *b = &c->text;
  if (err->msg && err->kind != SQLITCH_E_PRIVATE) {
    if (err->exitval != 1 || c->verbosity >= 1) sqlitch_buf_add(b, err->msg);
  }
  size_t n = b->len;
  while (n && b->p[n - 1] == '\n')
    n--;
  if (!n)
    sqlite3_result_error(ctx, "sqlitch: failed", -1);
  else
    sqlite3_result_error(ctx, b->p, (int)n);
}

/* ================================================= connection checks */

typedef enum { NEEDS_FILE = 0, NEEDS_WRITE = 1 } needs;

/* The first row's integer of a PRAGMA on `db`, or -1. */
static int pragma_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *s = NULL;
  int v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return v;
}

static int pragma_is(sqlite3 *db, const char *sql, const char *want) {
  sqlite3_stmt *s = NULL;
  int yes = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    const char *v = (const char *)sqlite3_column_text(s, 0);
    yes = v && sqlitch_strcaseeq(v, want);
  }
  sqlite3_finalize(s);
  return yes;
}

/* Can the work run on a second connection? (see the header) */
static int check_connection(sqlite3 *db, const sqlitch_ext *x, const char *fn,
                            needs what, sqlitch_err *err) {
  const char *file = sqlite3_db_filename(db, "main");
  if (!file || !*file)
    return sqlitch_err_fail(err,
                            "%s() needs a database file: the main database "
                            "of this connection is in memory or temporary",
                            fn);
  if (sqlitch_ext_foreign(x))
    return sqlitch_err_fail(err,
                            "%s() cannot run in this program: %s; two copies "
                            "of SQLite in one process do not share file "
                            "locks. Use the sqlitch command, or a program "
                            "linked with the same libsqlite3",
                            fn, sqlitch_ext_foreign(x));
  if (what != NEEDS_WRITE) return SQLITCH_OK;
  if (!sqlite3_get_autocommit(db))
    return sqlitch_err_fail(err,
                            "%s() cannot run inside a transaction; COMMIT "
                            "or ROLLBACK first",
                            fn);
  if (sqlite3_txn_state(db, "main") != SQLITE_TXN_NONE)
    return sqlitch_err_fail(err,
                            "%s() cannot run while a statement is reading "
                            "this database; call it on its own: SELECT "
                            "%s();",
                            fn, fn);
  if (sqlite3_db_readonly(db, "main") == 1 ||
      pragma_int(db, "PRAGMA query_only") == 1)
    return sqlitch_err_fail(err,
                            "%s() cannot change %s: the connection is "
                            "read-only",
                            fn, file);
  if (pragma_is(db, "PRAGMA main.locking_mode", "exclusive"))
    return sqlitch_err_fail(err,
                            "%s() cannot run with PRAGMA "
                            "locking_mode=EXCLUSIVE: it works on its own "
                            "connection to %s",
                            fn, file);
  return SQLITCH_OK;
}

/* ========================================================= the calls */

typedef enum { OP_DEPLOY, OP_REVERT, OP_VERIFY, OP_STATUS } op_kind;

typedef struct op_def {
  op_kind kind;
  const char *fn;      /* SQL name, for messages */
  const char *command; /* CLI command, for script variables */
  needs what;
} op_def;

static const op_def ops[] = {
    {OP_DEPLOY, "sqlitch_deploy", "deploy", NEEDS_WRITE},
    {OP_REVERT, "sqlitch_revert", "revert", NEEDS_WRITE},
    {OP_VERIFY, "sqlitch_verify", "verify", NEEDS_FILE},
    {OP_STATUS, "sqlitch_status", "status", NEEDS_FILE},
};

/* A config boolean, else dflt; errors as the CLI's configure (255). */
static int cfg_bool(const sqlitch_config *cfg, const char *key, int dflt,
                    int *out, sqlitch_err *err) {
  int v, r = sqlitch_config_get_bool(cfg, key, &v, err);
  if (r < 0) return SQLITCH_ERROR;
  *out = r == 1 ? v : dflt;
  return SQLITCH_OK;
}

static int do_deploy(sqlitch_engine *e, const sqlitch_config *cfg,
                     const char *to, sqlitch_err *err) {
  const char *mode = sqlitch_config_get(cfg, "deploy.mode");
  if (!sqlitch_perl_true(mode)) mode = "all";
  if (strcmp(mode, "all") && strcmp(mode, "change") && strcmp(mode, "tag"))
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                           "Value \"%s\" did not pass type constraint "
                           "\"Enum[all,change,tag]\" (in $args->{\"mode\"})",
                           mode);
  if (cfg_bool(cfg, "deploy.verify", 0, &e->opts.with_verify, err))
    return SQLITCH_ERROR;
  return sqlitch_engine_deploy(e, to, mode, err);
}

static int do_status(sqlitch_engine *e, const sqlitch_config *cfg,
                     sqlitch_err *err) {
  sqlitch_status_opts so;
  sqlitch_status_opts_init(&so);
  const char *fmt = sqlitch_config_get(cfg, "status.date_format");
  if (sqlitch_perl_true(fmt) && sqlitch_datefmt_validate(fmt, err))
    return SQLITCH_ERROR;
  so.date_format = sqlitch_perl_true(fmt) ? fmt : "iso";
  if (cfg_bool(cfg, "status.show_changes", 0, &so.show_changes, err) ||
      cfg_bool(cfg, "status.show_tags", 0, &so.show_tags, err))
    return SQLITCH_ERROR;
  return sqlitch_status_report(e, &so, err);
}

/* Argument i as text, or NULL when absent, NULL or "". */
static const char *arg(int argc, sqlite3_value **argv, int i) {
  if (i >= argc) return NULL;
  const char *s = (const char *)sqlite3_value_text(argv[i]);
  return s && *s ? s : NULL;
}

/* ==================================================== the arguments */

/* A call's arguments sorted as the CLI sorts those of the same command
   (Command::parse_args, through the same core rules): an argument the
   current target's plan contains is a change (sqlitch_plan_contains);
   else a configured target name or a db: URI is a target, and an engine
   name stands for its target (sqlitch_target_arg_kind); anything else is
   a change too, left to the engine to find or refuse, as before targets
   were accepted. The first target named is the one used; naming more
   warns as the CLI does. */
typedef struct call_args {
  sqlitch_target *target; /* the first target named (owned), or NULL */
  size_t ntargets;        /* distinct targets named */
  const char *changes[4]; /* the other arguments in order, borrowed from
                             argv; NULL for a NULL or '' argument */
  size_t nchanges;
  const char *unknown; /* the first of them no plan contains, or NULL */
} call_args;

/* Is `a` a change of the plan in `plan_file`? Lookup errors count as no:
   the argument then falls through to the engine, which reports them. */
static int in_plan(sqlitch_ext *x, const char *plan_file, const char *a) {
  sqlitch_ext_plan *pl;
  sqlitch_err ignore = SQLITCH_ERR_INIT;
  int yes = 0;
  if (!plan_file || !sqlitch_path_exists(plan_file)) return 0;
  if (sqlitch_ext_plan_get(x, plan_file, &pl, &ignore) == SQLITCH_OK) {
    yes = sqlitch_plan_contains(pl->plan, a, &ignore) == 1;
    sqlitch_ext_plan_release(pl);
  }
  sqlitch_err_clear(&ignore);
  return yes;
}

/* Sort the arguments. p is NULL when the project could not be opened
   (perr says why): naming a target then fails with that error. */
static int sort_args(sqlitch_ext *x, sqlitch_ext_project *p, sqlitch_err *perr,
                     int argc, sqlite3_value **argv, call_args *out,
                     sqlitch_err *err) {
  sqlitch_target *cur = NULL; /* current target when not out->target */
  sqlitch_err ignore = SQLITCH_ERR_INIT;
  /* the current target starts as the project's default one */
  if (p && sqlitch_ext_project_target(p, NULL, NULL, &cur, &ignore)) cur = NULL;
  sqlitch_err_clear(&ignore);
  const char *plan_file = cur ? cur->plan_file : NULL;
  int rc = SQLITCH_OK;
  for (int i = 0; rc == SQLITCH_OK && i < argc; i++) {
    const char *a = arg(argc, argv, i);
    if (!a) { /* NULL is an absent change that keeps its place */
      out->changes[out->nchanges++] = NULL;
      continue;
    }
    int known = in_plan(x, plan_file, a);
    sqlitch_arg_kind kind = known
                                ? SQLITCH_ARG_OTHER
                                : sqlitch_target_arg_kind(p ? p->cfg : NULL, a);
    if (kind == SQLITCH_ARG_OTHER) {
      if (!known && !out->unknown) out->unknown = a;
      out->changes[out->nchanges++] = a;
      continue;
    }
    if (!p) {
      sqlitch_err_move(err, perr);
      rc = SQLITCH_ERROR;
      break;
    }
    char *name = kind == SQLITCH_ARG_ENGINE
                     ? sqlitch_target_engine_target(p->cfg, a)
                     : sqlitch_strdup(a);
    sqlitch_target *t = NULL;
    rc = sqlitch_ext_project_target(p, NULL, name, &t, err);
    free(name);
    if (rc) break;
    sqlitch_target_free(cur);
    cur = NULL;
    if (!out->target) {
      out->target = t;
      out->ntargets = 1;
    } else {
      if (strcmp(out->target->name, t->name) != 0) out->ntargets++;
      cur = t;
    }
    plan_file = t->plan_file;
  }
  sqlitch_target_free(cur);
  return rc;
}

/* The operation itself, with the changes named. */
static int run_kind(sqlitch_engine *e, const sqlitch_config *cfg,
                    const op_def *op, const call_args *ca, capture *cap,
                    sqlitch_err *err) {
  const char *const *c = ca->changes;
  char *w = NULL;
  int rc = SQLITCH_OK;
  size_t n = ca->nchanges; /* trailing NULLs name nothing */
  while (n && !c[n - 1])
    n--;
  switch (op->kind) {
  case OP_DEPLOY:
  case OP_REVERT:
    if (n > 1)
      w = sqlitch_mprintf("Too many changes specified; %s to \"%s\"",
                          op->kind == OP_DEPLOY ? "deploying" : "reverting",
                          c[0] ? c[0] : "");
    break;
  case OP_VERIFY:
    if (n > 2)
      w = sqlitch_mprintf("Too many changes specified; verifying from \"%s\" "
                          "to \"%s\"",
                          c[0] ? c[0] : "", c[1] ? c[1] : "");
    break;
  case OP_STATUS:
    if (ca->unknown)
      return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                             "Unknown argument \"%s\"", ca->unknown);
    break;
  }
  if (w) on_msg(cap, SQLITCH_WARN, 0, w);
  free(w);
  switch (op->kind) {
  case OP_DEPLOY: rc = do_deploy(e, cfg, c[0], err); break;
  case OP_REVERT: rc = sqlitch_engine_revert(e, c[0], err); break;
  case OP_VERIFY: rc = sqlitch_engine_verify(e, c[0], c[1], err); break;
  case OP_STATUS: rc = do_status(e, cfg, err); break;
  }
  return rc;
}

static void run_op(sqlite3_context *ctx, const op_def *op, int argc,
                   sqlite3_value **argv) {
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  sqlitch_ext *x = sqlite3_user_data(ctx);
  sqlitch_err err = SQLITCH_ERR_INIT, perr = SQLITCH_ERR_INIT;
  capture cap = {SQLITCH_BUF_INIT, 1};
  sqlitch_reporter rep = {on_msg, NULL, &cap};
  sqlitch_ext_project *p = NULL;
  sqlitch_target *t = NULL;
  sqlitch_engine *e = NULL;
  call_args ca;
  memset(&ca, 0, sizeof ca);

  /* The project is read first to sort the arguments; its error waits
     until after the connection checks when no target is named, so that
     the no-target form reports exactly what it always did. */
  int prc = sqlitch_ext_project_open(x, NULL, &p, &perr);
  int rc = sort_args(x, p, &perr, argc, argv, &ca, &err);
  if (rc == SQLITCH_OK && !ca.target) {
    rc = check_connection(db, x, op->fn, op->what, &err);
    if (rc == SQLITCH_OK && prc) {
      sqlitch_err_move(&err, &perr);
      rc = SQLITCH_ERROR;
    }
    if (rc == SQLITCH_OK) rc = sqlitch_ext_project_require(p, &err);
    if (rc == SQLITCH_OK)
      rc = sqlitch_ext_project_target(p, db, NULL, &t, &err);
  } else if (rc == SQLITCH_OK) {
    /* Another database: the checks protecting the caller's own file
       apply only when the target is that file. */
    t = ca.target;
    ca.target = NULL;
    rc = sqlitch_ext_project_require(p, &err);
    if (rc == SQLITCH_OK && sqlitch_ext_target_is_main(p, t, db))
      rc = check_connection(db, x, op->fn, op->what, &err);
  }
  if (rc == SQLITCH_OK) {
    const char *v = sqlitch_config_get(p->cfg, "core.verbosity");
    cap.verbosity = v ? atoi(v) : 1;
    if (ca.ntargets > 1) {
      char *w = sqlitch_mprintf("Too many targets specified; connecting to %s",
                                t->name);
      on_msg(&cap, SQLITCH_WARN, 0, w);
      free(w);
    }
    rc = sqlitch_engine_new(p->cfg, t, &rep, &e, &err);
  }
  if (rc == SQLITCH_OK) {
    e->opts.verbosity = cap.verbosity;
    e->opts.no_prompt = 1; /* SQL cannot answer a prompt: revert -y */
    sqlitch_target_variables(p->cfg, t, op->command, NULL, &e->opts.variables);
    rc = run_kind(e, p->cfg, op, &ca, &cap, &err);
  }
  sqlitch_engine_free(e); /* closes the engine's connections first */
  if (rc == SQLITCH_OK)
    result_text(ctx, &cap.text);
  else
    result_failure(ctx, &cap, &err);
  sqlitch_target_free(ca.target);
  sqlitch_target_free(t);
  sqlitch_ext_project_free(p);
  sqlitch_err_clear(&err);
  sqlitch_err_clear(&perr);
  sqlitch_buf_free(&cap.text);
}

static void deploy_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  run_op(ctx, &ops[OP_DEPLOY], argc, argv);
}
static void revert_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  run_op(ctx, &ops[OP_REVERT], argc, argv);
}
static void verify_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  run_op(ctx, &ops[OP_VERIFY], argc, argv);
}
static void status_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  run_op(ctx, &ops[OP_STATUS], argc, argv);
}

/* sqlitch_project([dir]) -> the project directory in use (set it first). */
static void project_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlitch_ext *x = sqlite3_user_data(ctx);
  if (argc == 1) {
    sqlitch_err err = SQLITCH_ERR_INIT;
    if (sqlitch_ext_set_project(x, arg(argc, argv, 0), &err)) {
      sqlite3_result_error(ctx, err.msg, -1);
      sqlitch_err_clear(&err);
      return;
    }
  }
  char *dir = sqlitch_ext_project_dir(x);
  if (dir)
    sqlite3_result_text(ctx, dir, -1, SQLITE_TRANSIENT);
  else
    sqlite3_result_null(ctx);
  free(dir);
}

/* =================================================== registration */

static const struct {
  const char *name;
  int nargs;
  void (*fn)(sqlite3_context *, int, sqlite3_value **);
} funcs[] = {
    {"sqlitch_deploy", 0, deploy_func},   {"sqlitch_deploy", 1, deploy_func},
    {"sqlitch_deploy", 2, deploy_func},   {"sqlitch_revert", 0, revert_func},
    {"sqlitch_revert", 1, revert_func},   {"sqlitch_revert", 2, revert_func},
    {"sqlitch_verify", 0, verify_func},   {"sqlitch_verify", 1, verify_func},
    {"sqlitch_verify", 2, verify_func},   {"sqlitch_verify", 3, verify_func},
    {"sqlitch_status", 0, status_func},   {"sqlitch_status", 1, status_func},
    {"sqlitch_project", 0, project_func}, {"sqlitch_project", 1, project_func},
};

int sqlitch_migrate_register(sqlite3 *db, sqlitch_ext *x) {
  int rc = SQLITE_OK;
  for (size_t i = 0; rc == SQLITE_OK && i < sizeof funcs / sizeof funcs[0]; i++)
    rc = sqlite3_create_function_v2(
        db, funcs[i].name, funcs[i].nargs, SQLITE_UTF8 | SQLITE_DIRECTONLY,
        sqlitch_ext_ref(x), funcs[i].fn, NULL, NULL, sqlitch_ext_unref);
  return rc;
}
