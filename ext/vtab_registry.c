/*
** vtab_registry.c -- the registry of a database as eponymous, table-valued
** virtual tables: sqlitch_changes, sqlitch_tags, sqlitch_events, and
** sqlitch_status (the plan joined with the registry).
**
** Usage:
**   SELECT change, deployed_at FROM sqlitch_changes;      -- deployed here
**   SELECT tag, change FROM sqlitch_tags;
**   SELECT event, change, committed_at FROM sqlitch_events;
**   SELECT name, status FROM sqlitch_status WHERE status = 'pending';
**   SELECT * FROM sqlitch_changes('db:pg://localhost/flipr');  -- pg
**   SELECT * FROM sqlitch_status('prod', 'path/to/project');
**
** Arguments (hidden columns, in this order):
**   target  a target name or db: URI, resolved with the project's
**           configuration as `sqlitch status <target>` resolves it. NULL
**           or '' (the default): the database this query runs on, i.e.
**           target db:sqlite:<its main file> -- named after the
**           configured target with that file when there is one -- whose
**           registry is found as the CLI finds it (engine.sqlite.registry,
**           target.<name>.registry: by default sqitch.db beside it).
**           PostgreSQL and MySQL targets are read through the same engine
**           interface the CLI uses, when sqlitch was built with them.
**   path    the project: a directory or plan file, as for sqlitch_plan.
**           Default: the connection's project (sqlitch_project(),
**           $SQLITCH_PROJECT_DIR, else the current directory).
**
** Columns. Timestamps are 'YYYY-MM-DD HH:MM:SS' UTC. Lists are space-
** separated.
**   sqlitch_changes -- one row per deployed change, every project,
**     oldest first: change_id, change, project, note, script_hash,
**     deployed_at, committer_name, committer_email, planned_at,
**     planner_name, planner_email, tags ('@v1 @v2' or ''), requires,
**     conflicts (as stored on the change's latest deploy event: the
**     changes table has no such columns; 'users,flips@v1.0' on every
**     engine, '' for none).
**   sqlitch_tags -- one row per deployed tag, in deployment order (tags
**     deployed together: in plan order): tag_id, tag
**     ('@v1'), project, change_id, change (the change it is on),
**     deployed_at, committer_name, committer_email, planned_at,
**     planner_name, planner_email, note.
**   sqlitch_events -- the event log, oldest first: event ('deploy',
**     'revert', 'fail'), change_id, change, project, note, requires,
**     conflicts, tags (as stored: engines differ), committed_at,
**     committer_name, committer_email, planned_at, planner_name,
**     planner_email.
**   sqlitch_status -- the plan's changes in order, then deployed changes
**     the plan does not know: position (1-based; NULL when not in the
**     plan), change_id, name, status ('deployed', 'pending', or
**     'unplanned' for a deployed change missing from the plan), reworked
**     (1 for an older instance of a reworked change), tags, script_hash
**     (as deployed), deployed_at, committer_name, committer_email,
**     planned_at, planner_name, planner_email, project.
**
** A database without a registry has no rows (sqlitch_status: every change
** pending). Errors carry the CLI's messages (configuration, connection,
** plan); a connection on an in-memory database has no registry to find
** ("The main database of this connection is in memory or temporary...").
**
** Rows are read once per xFilter, through core/engine.h (registry
** queries) and core/status.h (the join), on the engine's own connection
** to the registry, never on the caller's. The tables read files and
** other databases, so they are SQLITE_VTAB_DIRECTONLY.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "ext.h"
#include "status.h"

/* The hidden columns come right after each table's visible ones. */
#define HIDDEN_TARGET 0
#define HIDDEN_PATH 1

#define SQLITCH_CHANGES_COL_CHANGE_ID 0
#define SQLITCH_CHANGES_COL_CHANGE 1
#define SQLITCH_CHANGES_COL_PROJECT 2
#define SQLITCH_CHANGES_COL_NOTE 3
#define SQLITCH_CHANGES_COL_SCRIPT_HASH 4
#define SQLITCH_CHANGES_COL_DEPLOYED_AT 5
#define SQLITCH_CHANGES_COL_COMMITTER_NAME 6
#define SQLITCH_CHANGES_COL_COMMITTER_EMAIL 7
#define SQLITCH_CHANGES_COL_PLANNED_AT 8
#define SQLITCH_CHANGES_COL_PLANNER_NAME 9
#define SQLITCH_CHANGES_COL_PLANNER_EMAIL 10
#define SQLITCH_CHANGES_COL_TAGS 11
#define SQLITCH_CHANGES_COL_REQUIRES 12
#define SQLITCH_CHANGES_COL_CONFLICTS 13
#define SQLITCH_CHANGES_NCOL 14
static const char changes_schema[] =
    "CREATE TABLE x(change_id TEXT, change TEXT, project TEXT, note TEXT,"
    " script_hash TEXT, deployed_at TEXT, committer_name TEXT,"
    " committer_email TEXT, planned_at TEXT, planner_name TEXT,"
    " planner_email TEXT, tags TEXT, requires TEXT, conflicts TEXT,"
    " target HIDDEN, path HIDDEN)";

#define SQLITCH_TAGS_COL_TAG_ID 0
#define SQLITCH_TAGS_COL_TAG 1
#define SQLITCH_TAGS_COL_PROJECT 2
#define SQLITCH_TAGS_COL_CHANGE_ID 3
#define SQLITCH_TAGS_COL_CHANGE 4
#define SQLITCH_TAGS_COL_DEPLOYED_AT 5
#define SQLITCH_TAGS_COL_COMMITTER_NAME 6
#define SQLITCH_TAGS_COL_COMMITTER_EMAIL 7
#define SQLITCH_TAGS_COL_PLANNED_AT 8
#define SQLITCH_TAGS_COL_PLANNER_NAME 9
#define SQLITCH_TAGS_COL_PLANNER_EMAIL 10
#define SQLITCH_TAGS_COL_NOTE 11
#define SQLITCH_TAGS_NCOL 12
static const char tags_schema[] =
    "CREATE TABLE x(tag_id TEXT, tag TEXT, project TEXT, change_id TEXT,"
    " change TEXT, deployed_at TEXT, committer_name TEXT,"
    " committer_email TEXT, planned_at TEXT, planner_name TEXT,"
    " planner_email TEXT, note TEXT, target HIDDEN, path HIDDEN)";

#define SQLITCH_EVENTS_COL_EVENT 0
#define SQLITCH_EVENTS_COL_CHANGE_ID 1
#define SQLITCH_EVENTS_COL_CHANGE 2
#define SQLITCH_EVENTS_COL_PROJECT 3
#define SQLITCH_EVENTS_COL_NOTE 4
#define SQLITCH_EVENTS_COL_REQUIRES 5
#define SQLITCH_EVENTS_COL_CONFLICTS 6
#define SQLITCH_EVENTS_COL_TAGS 7
#define SQLITCH_EVENTS_COL_COMMITTED_AT 8
#define SQLITCH_EVENTS_COL_COMMITTER_NAME 9
#define SQLITCH_EVENTS_COL_COMMITTER_EMAIL 10
#define SQLITCH_EVENTS_COL_PLANNED_AT 11
#define SQLITCH_EVENTS_COL_PLANNER_NAME 12
#define SQLITCH_EVENTS_COL_PLANNER_EMAIL 13
#define SQLITCH_EVENTS_NCOL 14
static const char events_schema[] =
    "CREATE TABLE x(event TEXT, change_id TEXT, change TEXT, project TEXT,"
    " note TEXT, requires TEXT, conflicts TEXT, tags TEXT,"
    " committed_at TEXT, committer_name TEXT, committer_email TEXT,"
    " planned_at TEXT, planner_name TEXT, planner_email TEXT,"
    " target HIDDEN, path HIDDEN)";

#define SQLITCH_STATUS_COL_POSITION 0
#define SQLITCH_STATUS_COL_CHANGE_ID 1
#define SQLITCH_STATUS_COL_NAME 2
#define SQLITCH_STATUS_COL_STATUS 3
#define SQLITCH_STATUS_COL_REWORKED 4
#define SQLITCH_STATUS_COL_TAGS 5
#define SQLITCH_STATUS_COL_SCRIPT_HASH 6
#define SQLITCH_STATUS_COL_DEPLOYED_AT 7
#define SQLITCH_STATUS_COL_COMMITTER_NAME 8
#define SQLITCH_STATUS_COL_COMMITTER_EMAIL 9
#define SQLITCH_STATUS_COL_PLANNED_AT 10
#define SQLITCH_STATUS_COL_PLANNER_NAME 11
#define SQLITCH_STATUS_COL_PLANNER_EMAIL 12
#define SQLITCH_STATUS_COL_PROJECT 13
#define SQLITCH_STATUS_NCOL 14
static const char status_schema[] =
    "CREATE TABLE x(position INTEGER, change_id TEXT, name TEXT,"
    " status TEXT, reworked INTEGER, tags TEXT, script_hash TEXT,"
    " deployed_at TEXT, committer_name TEXT, committer_email TEXT,"
    " planned_at TEXT, planner_name TEXT, planner_email TEXT, project TEXT,"
    " target HIDDEN, path HIDDEN)";

/* ================================================================ rows */

/* Rows as text cells (NULL = SQL NULL), ncol per row, strings in arena. */
typedef struct rows {
  sqlitch_arena *arena;
  const char **cell;
  size_t n, cap, ncol;
} rows;

static const char **row_add(rows *r) {
  if (r->n == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 64;
    r->cell = sqlitch_realloc(r->cell, r->cap * r->ncol * sizeof *r->cell);
  }
  const char **row = &r->cell[r->n++ * r->ncol];
  memset(row, 0, r->ncol * sizeof *row);
  return row;
}

static const char *dup(rows *r, const char *s) {
  return s ? sqlitch_arena_strdup(r->arena, s) : NULL;
}

static void rows_free(rows *r) {
  sqlitch_arena_free(r->arena);
  free(r->cell);
  memset(r, 0, sizeof *r);
}

/* What a loader gets: an engine on the target, the project, the rows. */
typedef struct load_ctx {
  sqlitch_engine *e;
  rows *r;
} load_ctx;

/* ------------------------------------------------------------ changes */

typedef struct committers {
  sqlitch_strv id, name, email;
} committers;

static int on_current_change(void *ctx, const sqlitch_reg_current_change *c) {
  committers *k = ctx;
  sqlitch_strv_push(&k->id, c->change_id);
  sqlitch_strv_push(&k->name, c->committer_name ? c->committer_name : "");
  sqlitch_strv_push(&k->email, c->committer_email ? c->committer_email : "");
  return 0;
}

static void committers_free(committers *k) {
  sqlitch_strv_free(&k->id);
  sqlitch_strv_free(&k->name);
  sqlitch_strv_free(&k->email);
}

/* Index in k of change `id`; k is newest first and `hint` the expected
   place (deployed_changes is oldest first). */
static long committer_of(const committers *k, const char *id, size_t hint) {
  if (hint < k->id.n && strcmp(k->id.v[hint], id) == 0) return (long)hint;
  for (size_t i = 0; i < k->id.n; i++)
    if (strcmp(k->id.v[i], id) == 0) return (long)i;
  return -1;
}

/* Deployed changes of one project (with committers), oldest first. */
static int project_changes(sqlitch_engine *e, const char *project,
                           sqlitch_reg_changes *out, committers *k,
                           sqlitch_err *err) {
  if (e->ops->deployed_changes(e, project, NULL, out, err))
    return SQLITCH_ERROR;
  return e->ops->current_changes(e, project, on_current_change, k, err);
}

/* A change's requires and conflicts: the registry keeps them as text
   only on its events (changes has no such columns; dependencies keeps
   only satisfied requirements), so they are taken from the change's
   latest deploy event, stored text as sqlitch_events shows it. */
typedef struct deps {
  sqlitch_strv id, requires, conflicts;
} deps;

/* Every deploy event, oldest first; deps_of() looks from the newest. */
static int on_deploy_event(void *ctx, const sqlitch_reg_event *ev) {
  deps *d = ctx;
  sqlitch_strv_push(&d->id, ev->change_id);
  sqlitch_strv_push(&d->requires, ev->requires ? ev->requires : "");
  sqlitch_strv_push(&d->conflicts, ev->conflicts ? ev->conflicts : "");
  return 0;
}

static long deps_of(const deps *d, const char *id) {
  for (size_t i = d->id.n; i-- > 0;)
    if (strcmp(d->id.v[i], id) == 0) return (long)i;
  return -1;
}

static int load_changes(load_ctx *L, const sqlitch_strv *projects,
                        sqlitch_err *err) {
  rows *r = L->r;
  deps d = {SQLITCH_STRV_INIT, SQLITCH_STRV_INIT, SQLITCH_STRV_INIT};
  sqlitch_strv deploy = SQLITCH_STRV_INIT;
  sqlitch_event_query q;
  memset(&q, 0, sizeof q);
  q.ascending = 1;
  sqlitch_strv_push(&deploy, "deploy");
  q.events = &deploy;
  int drc = sqlitch_engine_search_events(L->e, &q, on_deploy_event, &d, err);
  sqlitch_strv_free(&deploy);
  if (drc) {
    sqlitch_strv_free(&d.id);
    sqlitch_strv_free(&d.requires);
    sqlitch_strv_free(&d.conflicts);
    return SQLITCH_ERROR;
  }
  int rc = SQLITCH_OK;
  for (size_t p = 0; rc == SQLITCH_OK && p < projects->n; p++) {
    sqlitch_reg_changes l = {0};
    committers k = {SQLITCH_STRV_INIT, SQLITCH_STRV_INIT, SQLITCH_STRV_INIT};
    rc = project_changes(L->e, projects->v[p], &l, &k, err);
    for (size_t i = 0; rc == SQLITCH_OK && i < l.n; i++) {
      const sqlitch_reg_change *c = &l.v[i];
      const char **row = row_add(r);
      long who = committer_of(&k, c->id, l.n - 1 - i);
      char *tags = sqlitch_strv_join(&c->tags, " ");
      row[SQLITCH_CHANGES_COL_CHANGE_ID] = dup(r, c->id);
      row[SQLITCH_CHANGES_COL_CHANGE] = dup(r, c->name);
      row[SQLITCH_CHANGES_COL_PROJECT] = dup(r, c->project);
      row[SQLITCH_CHANGES_COL_NOTE] = dup(r, c->note);
      row[SQLITCH_CHANGES_COL_SCRIPT_HASH] = dup(r, c->script_hash);
      row[SQLITCH_CHANGES_COL_DEPLOYED_AT] = dup(r, c->committed_at);
      if (who >= 0) {
        row[SQLITCH_CHANGES_COL_COMMITTER_NAME] = dup(r, k.name.v[who]);
        row[SQLITCH_CHANGES_COL_COMMITTER_EMAIL] = dup(r, k.email.v[who]);
      }
      row[SQLITCH_CHANGES_COL_PLANNED_AT] = dup(r, c->planned_at);
      row[SQLITCH_CHANGES_COL_PLANNER_NAME] = dup(r, c->planner_name);
      row[SQLITCH_CHANGES_COL_PLANNER_EMAIL] = dup(r, c->planner_email);
      row[SQLITCH_CHANGES_COL_TAGS] = dup(r, tags ? tags : "");
      long dp = deps_of(&d, c->id);
      if (dp >= 0) {
        row[SQLITCH_CHANGES_COL_REQUIRES] = dup(r, d.requires.v[dp]);
        row[SQLITCH_CHANGES_COL_CONFLICTS] = dup(r, d.conflicts.v[dp]);
      }
      free(tags);
    }
    sqlitch_reg_changes_free(&l);
    committers_free(&k);
    if (rc) break;
  }
  sqlitch_strv_free(&d.id);
  sqlitch_strv_free(&d.requires);
  sqlitch_strv_free(&d.conflicts);
  return rc ? SQLITCH_ERROR : SQLITCH_OK;
}

/* --------------------------------------------------------------- tags */

typedef struct tag_rows {
  rows *r;
  const char *project;
  const sqlitch_reg_changes *changes;
  size_t first; /* where this project's rows start (sorted at the end) */
} tag_rows;

static int on_current_tag(void *ctx, const sqlitch_reg_current_tag *t) {
  tag_rows *T = ctx;
  rows *r = T->r;
  const char **row = row_add(r);
  row[SQLITCH_TAGS_COL_TAG_ID] = dup(r, t->tag_id);
  row[SQLITCH_TAGS_COL_TAG] = dup(r, t->tag);
  row[SQLITCH_TAGS_COL_PROJECT] = dup(r, T->project);
  for (size_t i = 0; i < T->changes->n; i++) {
    const sqlitch_reg_change *c = &T->changes->v[i];
    if (!sqlitch_strv_contains(&c->tags, t->tag)) continue;
    row[SQLITCH_TAGS_COL_CHANGE_ID] = dup(r, c->id);
    row[SQLITCH_TAGS_COL_CHANGE] = dup(r, c->name);
    break;
  }
  row[SQLITCH_TAGS_COL_DEPLOYED_AT] = dup(r, t->committed_at);
  row[SQLITCH_TAGS_COL_COMMITTER_NAME] = dup(r, t->committer_name);
  row[SQLITCH_TAGS_COL_COMMITTER_EMAIL] = dup(r, t->committer_email);
  row[SQLITCH_TAGS_COL_PLANNED_AT] = dup(r, t->planned_at);
  row[SQLITCH_TAGS_COL_PLANNER_NAME] = dup(r, t->planner_name);
  row[SQLITCH_TAGS_COL_PLANNER_EMAIL] = dup(r, t->planner_email);
  row[SQLITCH_TAGS_COL_NOTE] = dup(r, t->note);
  return 0;
}

/* Tag rows in the order they were deployed: deployed_at, then (for tags
   deployed with one change, which share it) planned_at, then name. */
static int tag_before(const char **a, const char **b) {
  static const int keys[] = {SQLITCH_TAGS_COL_DEPLOYED_AT,
                             SQLITCH_TAGS_COL_PLANNED_AT, SQLITCH_TAGS_COL_TAG};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    const char *x = a[keys[i]] ? a[keys[i]] : "";
    const char *y = b[keys[i]] ? b[keys[i]] : "";
    int c = strcmp(x, y);
    if (c) return c < 0;
  }
  return 0;
}

/* Stable insertion sort of rows [from, r->n) (a project's few tags). */
static void sort_tags(rows *r, size_t from) {
  size_t w = r->ncol;
  const char **tmp = sqlitch_malloc(w * sizeof *tmp);
  for (size_t i = from + 1; i < r->n; i++) {
    memcpy(tmp, &r->cell[i * w], w * sizeof *tmp);
    size_t j = i;
    while (j > from && tag_before(tmp, &r->cell[(j - 1) * w])) {
      memcpy(&r->cell[j * w], &r->cell[(j - 1) * w], w * sizeof *tmp);
      j--;
    }
    memcpy(&r->cell[j * w], tmp, w * sizeof *tmp);
  }
  free(tmp);
}

static int load_tags(load_ctx *L, const sqlitch_strv *projects,
                     sqlitch_err *err) {
  for (size_t p = 0; p < projects->n; p++) {
    sqlitch_reg_changes l = {0};
    tag_rows T = {L->r, projects->v[p], &l, L->r->n};
    int rc = L->e->ops->deployed_changes(L->e, T.project, NULL, &l, err);
    if (rc == SQLITCH_OK)
      rc = L->e->ops->current_tags(L->e, T.project, on_current_tag, &T, err);
    sqlitch_reg_changes_free(&l);
    if (rc) return SQLITCH_ERROR;
    sort_tags(L->r, T.first);
  }
  return SQLITCH_OK;
}

/* ------------------------------------------------------------- events */

static int on_event(void *ctx, const sqlitch_reg_event *ev) {
  rows *r = ctx;
  const char **row = row_add(r);
  row[SQLITCH_EVENTS_COL_EVENT] = dup(r, ev->event);
  row[SQLITCH_EVENTS_COL_CHANGE_ID] = dup(r, ev->change_id);
  row[SQLITCH_EVENTS_COL_CHANGE] = dup(r, ev->change);
  row[SQLITCH_EVENTS_COL_PROJECT] = dup(r, ev->project);
  row[SQLITCH_EVENTS_COL_NOTE] = dup(r, ev->note);
  row[SQLITCH_EVENTS_COL_REQUIRES] = dup(r, ev->requires);
  row[SQLITCH_EVENTS_COL_CONFLICTS] = dup(r, ev->conflicts);
  row[SQLITCH_EVENTS_COL_TAGS] = dup(r, ev->tags);
  row[SQLITCH_EVENTS_COL_COMMITTED_AT] = dup(r, ev->committed_at);
  row[SQLITCH_EVENTS_COL_COMMITTER_NAME] = dup(r, ev->committer_name);
  row[SQLITCH_EVENTS_COL_COMMITTER_EMAIL] = dup(r, ev->committer_email);
  row[SQLITCH_EVENTS_COL_PLANNED_AT] = dup(r, ev->planned_at);
  row[SQLITCH_EVENTS_COL_PLANNER_NAME] = dup(r, ev->planner_name);
  row[SQLITCH_EVENTS_COL_PLANNER_EMAIL] = dup(r, ev->planner_email);
  return 0;
}

static int load_events(load_ctx *L, const sqlitch_strv *projects,
                       sqlitch_err *err) {
  (void)projects;
  sqlitch_event_query q;
  memset(&q, 0, sizeof q);
  q.ascending = 1;
  return sqlitch_engine_search_events(L->e, &q, on_event, L->r, err);
}

/* ------------------------------------------------------------- status */

static int load_status(load_ctx *L, const sqlitch_strv *projects,
                       sqlitch_err *err) {
  (void)projects;
  rows *r = L->r;
  sqlitch_status_rows *st;
  if (sqlitch_status_rows_new(L->e, NULL, &st, err)) return SQLITCH_ERROR;
  for (size_t i = 0; i < st->n; i++) {
    const sqlitch_status_row *s = &st->v[i];
    const char **row = row_add(r);
    if (s->position >= 0)
      row[SQLITCH_STATUS_COL_POSITION] =
          sqlitch_arena_printf(r->arena, "%ld", s->position + 1);
    row[SQLITCH_STATUS_COL_CHANGE_ID] = dup(r, s->change_id);
    row[SQLITCH_STATUS_COL_NAME] = dup(r, s->name);
    row[SQLITCH_STATUS_COL_STATUS] = s->position < 0 ? "unplanned"
                                     : s->deployed   ? "deployed"
                                                     : "pending";
    row[SQLITCH_STATUS_COL_REWORKED] = s->reworked ? "1" : "0";
    row[SQLITCH_STATUS_COL_TAGS] = dup(r, s->tags);
    row[SQLITCH_STATUS_COL_SCRIPT_HASH] = dup(r, s->script_hash);
    row[SQLITCH_STATUS_COL_DEPLOYED_AT] = dup(r, s->committed_at);
    row[SQLITCH_STATUS_COL_COMMITTER_NAME] = dup(r, s->committer_name);
    row[SQLITCH_STATUS_COL_COMMITTER_EMAIL] = dup(r, s->committer_email);
    row[SQLITCH_STATUS_COL_PLANNED_AT] = dup(r, s->planned_at);
    row[SQLITCH_STATUS_COL_PLANNER_NAME] = dup(r, s->planner_name);
    row[SQLITCH_STATUS_COL_PLANNER_EMAIL] = dup(r, s->planner_email);
    row[SQLITCH_STATUS_COL_PROJECT] = dup(r, st->project);
  }
  sqlitch_status_rows_free(st);
  return SQLITCH_OK;
}

/* ========================================================= the tables */

typedef struct reg_spec {
  const char *name;
  const char *schema;
  size_t ncol;                /* visible columns; target and path follow */
  unsigned int ints;          /* bit k: column k is INTEGER */
  int all_projects;           /* the loader wants registered_projects */
  int empty_without_registry; /* no registry: no rows (else call anyway) */
  int needs_project;          /* reads the plan: a project must be found */
  int (*load)(load_ctx *L, const sqlitch_strv *projects, sqlitch_err *err);
} reg_spec;

static const reg_spec specs[] = {
    {"sqlitch_changes", changes_schema, SQLITCH_CHANGES_NCOL, 0, 1, 1, 0,
     load_changes},
    {"sqlitch_tags", tags_schema, SQLITCH_TAGS_NCOL, 0, 1, 1, 0, load_tags},
    {"sqlitch_events", events_schema, SQLITCH_EVENTS_NCOL, 0, 0, 1, 0,
     load_events},
    {"sqlitch_status", status_schema, SQLITCH_STATUS_NCOL,
     (1u << SQLITCH_STATUS_COL_POSITION) | (1u << SQLITCH_STATUS_COL_REWORKED),
     0, 0, 1, load_status},
};

/* What each module registration carries as pAux. */
typedef struct reg_aux {
  sqlitch_ext *x;
  const reg_spec *spec;
} reg_aux;

typedef struct reg_vtab {
  sqlite3_vtab base; /* must come first */
  sqlite3 *db;
  const reg_aux *aux;
} reg_vtab;

typedef struct reg_cursor {
  sqlite3_vtab_cursor base; /* must come first */
  rows r;
  size_t i;
  char *target, *path; /* the arguments of the last xFilter */
} reg_cursor;

#define IDX_TARGET 1
#define IDX_PATH 2

/* xConnect: declare the table's schema. Eponymous only. */
static int reg_connect(sqlite3 *db, void *aux, int argc,
                       const char *const *argv, sqlite3_vtab **out,
                       char **pzErr) {
  const reg_aux *a = aux;
  int rc = sqlite3_declare_vtab(db, a->spec->schema);
  if (rc == SQLITE_OK) rc = sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  if (rc != SQLITE_OK) return rc;
  reg_vtab *v = sqlite3_malloc(sizeof *v);
  if (!v) return SQLITE_NOMEM;
  memset(v, 0, sizeof *v);
  v->db = db;
  v->aux = a;
  *out = &v->base;
  return SQLITE_OK;
}

static int reg_disconnect(sqlite3_vtab *vt) {
  sqlite3_free(vt);
  return SQLITE_OK;
}

static int reg_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out) {
  reg_cursor *c = sqlite3_malloc(sizeof *c);
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof *c);
  *out = &c->base;
  return SQLITE_OK;
}

static void reg_reset(reg_cursor *c) {
  rows_free(&c->r);
  free(c->target);
  free(c->path);
  c->target = c->path = NULL;
}

static int reg_close(sqlite3_vtab_cursor *cur) {
  reg_reset((reg_cursor *)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* Read every row of the table for `target` and `path`. */
static int load(reg_vtab *v, const char *target, const char *path, rows *r,
                sqlitch_err *err) {
  const reg_spec *spec = v->aux->spec;
  sqlitch_ext_project *p = NULL;
  sqlitch_target *t = NULL;
  sqlitch_engine *e = NULL;
  sqlitch_strv projects = SQLITCH_STRV_INIT;
  const char *file = sqlite3_db_filename(v->db, "main");
  if (!(target && *target) && (!file || !*file))
    return sqlitch_err_fail(err,
                            "%s needs a database file: the main database of "
                            "this connection is in memory or temporary (or "
                            "name a target: %s('db:...'))",
                            spec->name, spec->name);
  int rc = sqlitch_ext_project_open(v->aux->x, path, &p, err);
  if (rc == SQLITCH_OK && spec->needs_project)
    rc = sqlitch_ext_project_require(p, err);
  if (rc == SQLITCH_OK)
    rc = sqlitch_ext_project_target(p, target && *target ? NULL : v->db, target,
                                    &t, err);
  if (rc == SQLITCH_OK) rc = sqlitch_engine_new(p->cfg, t, NULL, &e, err);
  int init = 0;
  if (rc == SQLITCH_OK) rc = sqlitch_engine_initialized(e, &init, err);
  if (rc == SQLITCH_OK && (init || !spec->empty_without_registry)) {
    if (init && spec->all_projects)
      rc = sqlitch_engine_registered_projects(e, &projects, err);
    load_ctx L = {e, r};
    if (rc == SQLITCH_OK) rc = spec->load(&L, &projects, err);
  }
  sqlitch_strv_free(&projects);
  sqlitch_engine_free(e);
  sqlitch_target_free(t);
  sqlitch_ext_project_free(p);
  return rc;
}

static int reg_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv) {
  reg_cursor *c = (reg_cursor *)cur;
  reg_vtab *v = (reg_vtab *)cur->pVtab;
  const char *target = NULL, *path = NULL;
  int i = 0;
  if (idxNum & IDX_TARGET) target = (const char *)sqlite3_value_text(argv[i++]);
  if (idxNum & IDX_PATH) path = (const char *)sqlite3_value_text(argv[i++]);
  reg_reset(c);
  c->r.ncol = v->aux->spec->ncol;
  c->r.arena = sqlitch_arena_new();
  c->i = 0;
  sqlitch_err err = SQLITCH_ERR_INIT;
  if (load(v, target, path, &c->r, &err)) {
    sqlite3_free(v->base.zErrMsg);
    v->base.zErrMsg = sqlitch_ext_errmsg(&err);
    sqlitch_err_clear(&err);
    reg_reset(c);
    return SQLITE_ERROR;
  }
  c->target = sqlitch_strdup(target);
  c->path = sqlitch_strdup(path);
  return SQLITE_OK;
}

static int reg_next(sqlite3_vtab_cursor *cur) {
  ((reg_cursor *)cur)->i++;
  return SQLITE_OK;
}

static int reg_eof(sqlite3_vtab_cursor *cur) {
  reg_cursor *c = (reg_cursor *)cur;
  return c->i >= c->r.n;
}

static int reg_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  reg_cursor *c = (reg_cursor *)cur;
  const reg_spec *spec = ((reg_vtab *)cur->pVtab)->aux->spec;
  size_t k = (size_t)col;
  if (k == spec->ncol + HIDDEN_TARGET || k == spec->ncol + HIDDEN_PATH) {
    const char *s = k == spec->ncol + HIDDEN_TARGET ? c->target : c->path;
    if (s) sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
    return SQLITE_OK;
  }
  const char *s = c->r.cell[c->i * c->r.ncol + k];
  if (!s)
    sqlite3_result_null(ctx);
  else if (spec->ints & (1u << k))
    sqlite3_result_int64(ctx, atoll(s));
  else
    sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
  return SQLITE_OK;
}

static int reg_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = (sqlite3_int64)((reg_cursor *)cur)->i + 1;
  return SQLITE_OK;
}

/* xBestIndex: the two hidden arguments, as in series.c -- an unusable
   argument constraint rejects the plan so SQLite finds one that binds
   it. Everything else is filtered by SQLite on the loaded rows. */
static int reg_best_index(sqlite3_vtab *vt, sqlite3_index_info *info) {
  const reg_spec *spec = ((reg_vtab *)vt)->aux->spec;
  int which[2] = {-1, -1}, unusable = 0;
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *k = &info->aConstraint[i];
    int h = k->iColumn - (int)spec->ncol;
    if (h < 0 || h > 1 || k->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (!k->usable)
      unusable |= 1 << h;
    else if (which[h] < 0)
      which[h] = i;
  }
  if ((unusable & 1 && which[0] < 0) || (unusable & 2 && which[1] < 0))
    return SQLITE_CONSTRAINT;
  int arg = 0;
  info->idxNum = 0;
  for (int h = 0; h < 2; h++) {
    if (which[h] < 0) continue;
    info->idxNum |= h == HIDDEN_TARGET ? IDX_TARGET : IDX_PATH;
    info->aConstraintUsage[which[h]].argvIndex = ++arg;
    info->aConstraintUsage[which[h]].omit = 1;
  }
  info->estimatedCost = 1000;
  info->estimatedRows = 1000;
  return SQLITE_OK;
}

static sqlite3_module reg_module = {
    0,              /* iVersion */
    0,              /* xCreate: eponymous only */
    reg_connect,    /* xConnect */
    reg_best_index, /* xBestIndex */
    reg_disconnect, /* xDisconnect */
    0,              /* xDestroy */
    reg_open,       /* xOpen */
    reg_close,      /* xClose */
    reg_filter,     /* xFilter */
    reg_next,       /* xNext */
    reg_eof,        /* xEof */
    reg_column,     /* xColumn */
    reg_rowid,      /* xRowid */
    0,              /* xUpdate: read-only */
    0,              /* xBegin */
    0,              /* xSync */
    0,              /* xCommit */
    0,              /* xRollback */
    0,              /* xFindFunction */
    0,              /* xRename */
    0,              /* xSavepoint */
    0,              /* xRelease */
    0,              /* xRollbackTo */
    0               /* xShadowName */
};

static void aux_free(void *p) {
  reg_aux *a = p;
  if (!a) return;
  sqlitch_ext_unref(a->x);
  free(a);
}

int sqlitch_vtab_registry_register(sqlite3 *db, sqlitch_ext *x) {
  int rc = SQLITE_OK;
  for (size_t i = 0; rc == SQLITE_OK && i < sizeof specs / sizeof specs[0];
       i++) {
    reg_aux *a = sqlitch_malloc(sizeof *a);
    a->x = sqlitch_ext_ref(x);
    a->spec = &specs[i];
    rc = sqlite3_create_module_v2(db, specs[i].name, &reg_module, a, aux_free);
  }
  return rc;
}
