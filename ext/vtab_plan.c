/*
** vtab_plan.c -- sqlitch_plan: a Sqitch plan as an eponymous, table-valued
** virtual table, one row per change in plan order.
**
** Usage:
**   SELECT name, change_id, requires FROM sqlitch_plan;
**   SELECT * FROM sqlitch_plan('path/to/project') WHERE name = 'users';
**   SELECT * FROM sqlitch_plan('db/sqitch.plan') WHERE change_id = ?;
**   SELECT p.name FROM t JOIN sqlitch_plan p ON p.name = t.change;
**
** Argument (hidden column `path`): a project directory (its sqitch.conf is
** read; relative paths are taken relative to it, as `sqlitch -C dir` does)
** or a plan file (`sqlitch -C <its dir> --plan-file <file>`). Without it:
** the connection's project (sqlitch_project(), $SQLITCH_PROJECT_DIR, else
** the current directory), read as `sqlitch plan` reads it: the default
** target's plan file and script directories.
**
** Columns:
**   position       INTEGER  1-based place in the plan (also the rowid)
**   change_id      TEXT     the change's SHA-1 id (as Sqitch computes it)
**   name           TEXT     change name (reworked changes repeat)
**   project        TEXT     %project of the plan
**   note           TEXT     note, unescaped ('' when none)
**   planner_name   TEXT
**   planner_email  TEXT
**   planned_at     TEXT     'YYYY-MM-DD HH:MM:SS' UTC (the registry's form)
**   requires       TEXT     dependencies, space-separated ('' when none),
**                           as Sqitch renders them: users, other:gadgets, x@v1
**   conflicts      TEXT     conflicts, space-separated, without "!"
**   tags           TEXT     tags on the change: '@v1.0 @v1.1' ('' when none)
**   reworked       INTEGER  1 for an older instance of a change reworked
**                           later in the plan (its scripts are name@TAG.sql)
**   deploy_script  TEXT     path of the deploy script (relative to the cwd
**   revert_script  TEXT       unless the project is another directory)
**   verify_script  TEXT
**   script_hash    TEXT     SHA-1 of the deploy script's bytes, as deploy
**                           records it; NULL when the file is missing
**   path           HIDDEN   the argument
**
** Speed: the parsed plan is cached per connection until the file changes
** (ext.h), so a query re-reads only the configuration and stats the file.
** `name = ?` and `change_id = ?` (and `position = ?`) are answered from
** hash tables, not by scanning; a join re-filtering per outer row reuses
** the project it resolved for the same argument.
**
** Errors are the CLI's: "No project configuration found. Run the "init"
** command to initialize a project", "Plan file X does not exist", the
** parser's "Syntax error in X at line N: ...", and "Cannot find project
** directory or plan file "X"" for a bad argument.
**
** The table reads files, so it is SQLITE_VTAB_DIRECTONLY: usable in
** top-level SQL, not from views or triggers of a database schema.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "ext.h"

#define SQLITCH_PLAN_COL_POSITION 0
#define SQLITCH_PLAN_COL_CHANGE_ID 1
#define SQLITCH_PLAN_COL_NAME 2
#define SQLITCH_PLAN_COL_PROJECT 3
#define SQLITCH_PLAN_COL_NOTE 4
#define SQLITCH_PLAN_COL_PLANNER_NAME 5
#define SQLITCH_PLAN_COL_PLANNER_EMAIL 6
#define SQLITCH_PLAN_COL_PLANNED_AT 7
#define SQLITCH_PLAN_COL_REQUIRES 8
#define SQLITCH_PLAN_COL_CONFLICTS 9
#define SQLITCH_PLAN_COL_TAGS 10
#define SQLITCH_PLAN_COL_REWORKED 11
#define SQLITCH_PLAN_COL_DEPLOY_SCRIPT 12
#define SQLITCH_PLAN_COL_REVERT_SCRIPT 13
#define SQLITCH_PLAN_COL_VERIFY_SCRIPT 14
#define SQLITCH_PLAN_COL_SCRIPT_HASH 15
#define SQLITCH_PLAN_COL_PATH 16

static const char plan_schema[] =
    "CREATE TABLE x(position INTEGER, change_id TEXT, name TEXT, project TEXT,"
    " note TEXT, planner_name TEXT, planner_email TEXT, planned_at TEXT,"
    " requires TEXT, conflicts TEXT, tags TEXT, reworked INTEGER,"
    " deploy_script TEXT, revert_script TEXT, verify_script TEXT,"
    " script_hash TEXT, path HIDDEN)";

/* idxNum bits: which constraints xFilter receives, in this order. */
#define IDX_PATH 1
#define IDX_NAME 2
#define IDX_ID 4
#define IDX_POS 8

typedef struct plan_vtab {
  sqlite3_vtab base; /* must come first */
  sqlitch_ext *x;    /* borrowed from the module registration */
} plan_vtab;

typedef struct plan_cursor {
  sqlite3_vtab_cursor base; /* must come first */
  sqlitch_ext_plan *plan;   /* referenced while the cursor is open */
  sqlitch_target *target;   /* script layout of the plan's project */
  char *path;               /* argument the two above were resolved for */
  int have;                 /* plan/target are set */
  long row;                 /* current change index */
  long stop;                /* -1: scan to the end; else index after last */
  int chain;                /* following next_name (name = ?) */
  int eof;
} plan_cursor;

/* xConnect: declare the schema. Eponymous only (xCreate is NULL). */
static int plan_connect(sqlite3 *db, void *aux, int argc,
                        const char *const *argv, sqlite3_vtab **out,
                        char **pzErr) {
  plan_vtab *v;
  int rc = sqlite3_declare_vtab(db, plan_schema);
  if (rc == SQLITE_OK) rc = sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  if (rc != SQLITE_OK) return rc;
  v = sqlite3_malloc(sizeof *v);
  if (!v) return SQLITE_NOMEM;
  memset(v, 0, sizeof *v);
  v->x = aux;
  *out = &v->base;
  return SQLITE_OK;
}

static int plan_disconnect(sqlite3_vtab *vt) {
  sqlite3_free(vt);
  return SQLITE_OK;
}

static int plan_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out) {
  plan_cursor *c = sqlite3_malloc(sizeof *c);
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof *c);
  *out = &c->base;
  return SQLITE_OK;
}

static void cursor_reset(plan_cursor *c) {
  sqlitch_ext_plan_release(c->plan);
  sqlitch_target_free(c->target);
  free(c->path);
  c->plan = NULL;
  c->target = NULL;
  c->path = NULL;
  c->have = 0;
}

static int plan_close(sqlite3_vtab_cursor *cur) {
  cursor_reset((plan_cursor *)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* Resolve the project and plan for `path`, unless already done for the
   same argument by an earlier xFilter of this cursor (joins). */
static int resolve(plan_cursor *c, plan_vtab *v, const char *path) {
  if (c->have && sqlitch_streq(c->path, path)) return SQLITE_OK;
  cursor_reset(c);
  sqlitch_err err = SQLITCH_ERR_INIT;
  sqlitch_ext_project *p = NULL;
  int rc = sqlitch_ext_project_open(v->x, path, &p, &err);
  if (rc == SQLITCH_OK)
    rc = sqlitch_ext_project_target(p, NULL, NULL, &c->target, &err);
  if (rc == SQLITCH_OK)
    rc = sqlitch_ext_plan_get(v->x, c->target->plan_file, &c->plan, &err);
  sqlitch_ext_project_free(p);
  if (rc != SQLITCH_OK) {
    sqlite3_free(v->base.zErrMsg);
    v->base.zErrMsg = sqlitch_ext_errmsg(&err);
    sqlitch_err_clear(&err);
    cursor_reset(c);
    return SQLITE_ERROR;
  }
  c->path = sqlitch_strdup(path);
  c->have = 1;
  return SQLITE_OK;
}

static int plan_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                       int argc, sqlite3_value **argv) {
  plan_cursor *c = (plan_cursor *)cur;
  plan_vtab *v = (plan_vtab *)cur->pVtab;
  int i = 0;
  const char *path = NULL;
  c->eof = 1; /* until a plan is there */
  if (idxNum & IDX_PATH) path = (const char *)sqlite3_value_text(argv[i++]);
  int rc = resolve(c, v, path);
  if (rc != SQLITE_OK) return rc;
  long n = (long)c->plan->plan->nchanges;
  c->row = 0;
  c->stop = -1;
  c->chain = 0;
  c->eof = 0;
  if (idxNum & IDX_NAME) {
    const char *name = (const char *)sqlite3_value_text(argv[i++]);
    c->row = name ? sqlitch_ext_plan_by_name(c->plan, name) : -1;
    c->chain = 1;
  }
  if (idxNum & IDX_ID) {
    const char *id = (const char *)sqlite3_value_text(argv[i++]);
    long at = id ? sqlitch_ext_plan_by_id(c->plan, id) : -1;
    if (c->chain) { /* name and id: the id's row if the name matches */
      long r = c->row;
      while (r >= 0 && r != at)
        r = c->plan->next_name[r];
      at = r;
    }
    c->row = at;
    c->chain = 0;
    c->stop = at + 1;
  }
  if (idxNum & IDX_POS) {
    sqlite3_int64 pos = sqlite3_value_int64(argv[i++]);
    long at = pos >= 1 && pos <= n ? (long)pos - 1 : -1;
    if (c->chain) {
      long r = c->row;
      while (r >= 0 && r != at)
        r = c->plan->next_name[r];
      at = r;
    } else if ((idxNum & IDX_ID) && c->row != at) {
      at = -1;
    }
    c->row = at;
    c->chain = 0;
    c->stop = at + 1;
  }
  c->eof = c->row < 0 || c->row >= n;
  return SQLITE_OK;
}

static int plan_next(sqlite3_vtab_cursor *cur) {
  plan_cursor *c = (plan_cursor *)cur;
  if (c->chain)
    c->row = c->plan->next_name[c->row];
  else
    c->row++;
  long n = (long)c->plan->plan->nchanges;
  c->eof = c->row < 0 || c->row >= n || (c->stop >= 0 && c->row >= c->stop);
  return SQLITE_OK;
}

static int plan_eof(sqlite3_vtab_cursor *cur) {
  return ((plan_cursor *)cur)->eof;
}

/* Space-separated dependency list. */
static char *deps_text(const sqlitch_dep *d, size_t n) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (size_t i = 0; i < n; i++) {
    char *s = sqlitch_dep_string(&d[i]);
    if (i) sqlitch_buf_addc(&b, ' ');
    sqlitch_buf_add(&b, s);
    free(s);
  }
  sqlitch_buf_add(&b, "");
  return sqlitch_buf_take(&b);
}

/* Hand a malloc'ed string to SQLite (copied; ours freed). */
static void result_owned(sqlite3_context *ctx, char *s) {
  if (s)
    sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
  else
    sqlite3_result_null(ctx);
  free(s);
}

static char *script(const plan_cursor *c, const sqlitch_change *ch, int col) {
  const sqlitch_target *t = c->target;
  const char *dir = t->deploy_dir, *rdir = t->reworked_deploy_dir;
  if (col == SQLITCH_PLAN_COL_REVERT_SCRIPT) {
    dir = t->revert_dir;
    rdir = t->reworked_revert_dir;
  } else if (col == SQLITCH_PLAN_COL_VERIFY_SCRIPT) {
    dir = t->verify_dir;
    rdir = t->reworked_verify_dir;
  }
  return sqlitch_change_script(c->plan->plan, ch, dir, rdir,
                               t->reworked_deploy_dir, t->extension);
}

static int plan_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                       int col) {
  plan_cursor *c = (plan_cursor *)cur;
  const sqlitch_plan *plan = c->plan->plan;
  const sqlitch_change *ch = &plan->changes[c->row];
  char ts[32];
  switch (col) {
  case SQLITCH_PLAN_COL_POSITION:
    sqlite3_result_int64(ctx, (sqlite3_int64)c->row + 1);
    break;
  case SQLITCH_PLAN_COL_CHANGE_ID:
    sqlite3_result_text(ctx, ch->id, -1, SQLITE_TRANSIENT);
    break;
  case SQLITCH_PLAN_COL_NAME:
    sqlite3_result_text(ctx, ch->name, -1, SQLITE_TRANSIENT);
    break;
  case SQLITCH_PLAN_COL_PROJECT:
    sqlite3_result_text(ctx, plan->project, -1, SQLITE_TRANSIENT);
    break;
  case SQLITCH_PLAN_COL_NOTE:
    sqlite3_result_text(ctx, ch->note ? ch->note : "", -1, SQLITE_TRANSIENT);
    break;
  case SQLITCH_PLAN_COL_PLANNER_NAME:
    sqlite3_result_text(ctx, ch->planner_name, -1, SQLITE_TRANSIENT);
    break;
  case SQLITCH_PLAN_COL_PLANNER_EMAIL:
    sqlite3_result_text(ctx, ch->planner_email, -1, SQLITE_TRANSIENT);
    break;
  case SQLITCH_PLAN_COL_PLANNED_AT:
    sqlitch_engine_plan_ts(ch->timestamp, ts);
    sqlite3_result_text(ctx, ts, -1, SQLITE_TRANSIENT);
    break;
  case SQLITCH_PLAN_COL_REQUIRES:
    result_owned(ctx, deps_text(ch->requires, ch->nrequires));
    break;
  case SQLITCH_PLAN_COL_CONFLICTS:
    result_owned(ctx, deps_text(ch->conflicts, ch->nconflicts));
    break;
  case SQLITCH_PLAN_COL_TAGS: {
    sqlitch_buf b = SQLITCH_BUF_INIT;
    for (size_t i = 0; i < ch->ntags; i++)
      sqlitch_buf_addf(&b, "%s@%s", i ? " " : "", plan->tags[ch->tags[i]].name);
    sqlitch_buf_add(&b, "");
    result_owned(ctx, sqlitch_buf_take(&b));
    break;
  }
  case SQLITCH_PLAN_COL_REWORKED:
    sqlite3_result_int(ctx, ch->nrework_tags > 0);
    break;
  case SQLITCH_PLAN_COL_DEPLOY_SCRIPT:
  case SQLITCH_PLAN_COL_REVERT_SCRIPT:
  case SQLITCH_PLAN_COL_VERIFY_SCRIPT:
    result_owned(ctx, script(c, ch, col));
    break;
  case SQLITCH_PLAN_COL_SCRIPT_HASH: {
    char *file = script(c, ch, SQLITCH_PLAN_COL_DEPLOY_SCRIPT);
    char hex[41];
    if (sqlitch_sha1_file(file, hex) == 0)
      sqlite3_result_text(ctx, hex, 40, SQLITE_TRANSIENT);
    else
      sqlite3_result_null(ctx);
    free(file);
    break;
  }
  case SQLITCH_PLAN_COL_PATH:
    if (c->path) sqlite3_result_text(ctx, c->path, -1, SQLITE_TRANSIENT);
    break;
  }
  return SQLITE_OK;
}

static int plan_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = (sqlite3_int64)((plan_cursor *)cur)->row + 1;
  return SQLITE_OK;
}

/* xBestIndex: take `path =` (the table-valued argument), `name =`,
   `change_id =` and `position =` (or rowid), in that order of argv. A
   path constraint that is present but not usable makes the plan
   unusable (SQLITE_CONSTRAINT), so SQLite picks an order that supplies
   it, as series.c does. ORDER BY position is consumed. */
static int plan_best_index(sqlite3_vtab *vt, sqlite3_index_info *info) {
  static const struct {
    int col, bit;
  } usable[] = {{SQLITCH_PLAN_COL_PATH, IDX_PATH},
                {SQLITCH_PLAN_COL_NAME, IDX_NAME},
                {SQLITCH_PLAN_COL_CHANGE_ID, IDX_ID},
                {SQLITCH_PLAN_COL_POSITION, IDX_POS},
                {-1, IDX_POS}};
  int which[5] = {-1, -1, -1, -1, -1};
  int unusable_path = 0;
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *k = &info->aConstraint[i];
    if (k->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    for (int u = 0; u < 5; u++) {
      if (k->iColumn != usable[u].col) continue;
      if (!k->usable) {
        if (usable[u].bit == IDX_PATH) unusable_path = 1;
        break;
      }
      if (which[u] < 0) which[u] = i;
      break;
    }
  }
  if (unusable_path && which[0] < 0) return SQLITE_CONSTRAINT;
  if (which[3] < 0) which[3] = which[4]; /* rowid = position */
  int idx = 0, arg = 0;
  for (int u = 0; u < 4; u++) {
    if (which[u] < 0) continue;
    idx |= usable[u].bit;
    info->aConstraintUsage[which[u]].argvIndex = ++arg;
    info->aConstraintUsage[which[u]].omit = 1;
  }
  info->idxNum = idx;
  if (idx & (IDX_ID | IDX_POS)) {
    info->estimatedCost = 1;
    info->estimatedRows = 1;
    info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
  } else if (idx & IDX_NAME) {
    info->estimatedCost = 2;
    info->estimatedRows = 2;
  } else {
    info->estimatedCost = 10000;
    info->estimatedRows = 10000;
  }
  if (info->nOrderBy == 1 && !info->aOrderBy[0].desc &&
      (info->aOrderBy[0].iColumn == SQLITCH_PLAN_COL_POSITION ||
       info->aOrderBy[0].iColumn == -1))
    info->orderByConsumed = 1;
  return SQLITE_OK;
}

static sqlite3_module plan_module = {
    0,               /* iVersion */
    0,               /* xCreate: eponymous only */
    plan_connect,    /* xConnect */
    plan_best_index, /* xBestIndex */
    plan_disconnect, /* xDisconnect */
    0,               /* xDestroy */
    plan_open,       /* xOpen */
    plan_close,      /* xClose */
    plan_filter,     /* xFilter */
    plan_next,       /* xNext */
    plan_eof,        /* xEof */
    plan_column,     /* xColumn */
    plan_rowid,      /* xRowid */
    0,               /* xUpdate: read-only */
    0,               /* xBegin */
    0,               /* xSync */
    0,               /* xCommit */
    0,               /* xRollback */
    0,               /* xFindFunction */
    0,               /* xRename */
    0,               /* xSavepoint */
    0,               /* xRelease */
    0,               /* xRollbackTo */
    0                /* xShadowName */
};

int sqlitch_vtab_plan_register(sqlite3 *db, sqlitch_ext *x) {
  return sqlite3_create_module_v2(db, "sqlitch_plan", &plan_module,
                                  sqlitch_ext_ref(x), sqlitch_ext_unref);
}
