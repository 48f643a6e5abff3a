/*
** status.c -- Command/status.pm without the printing decisions: the
** project, the current state, the change/tag lists, the plan position,
** the report, and the plan-registry join (status.h has the manual).
**
** One routine (gather) does the work in Sqitch's order and, when asked,
** reports each piece as soon as it is known, so errors that Sqitch raises
** half-way (a registry error while listing tags, the current change
** missing from the plan) arrive after the same lines they do in sqitch.
*/
#include "status.h"

#include <stdlib.h>
#include <string.h>

#include "datefmt.h"

void sqlitch_status_opts_init(sqlitch_status_opts *o) {
  memset(o, 0, sizeof *o);
}

/* ------------------------------------------------------------- helpers */

/* Plan::load's errors Sqitch raises as ident "plan" (not parse/io): the
   plan file is missing or not a file. Those let status fall back on the
   registry; everything else from the plan is fatal. */
static int plan_missing(const sqlitch_err *err) {
  return err->msg && sqlitch_starts_with(err->msg, "Plan file ") &&
         (sqlitch_ends_with(err->msg, " does not exist") ||
          sqlitch_ends_with(err->msg, " is not a regular file"));
}

static void entry_clear(sqlitch_status_entry *e) {
  free(e->id);
  free(e->name);
  free(e->committed_at);
  free(e->committer_name);
  free(e->committer_email);
}

typedef struct entries {
  sqlitch_status_entry *v;
  size_t n, cap;
} entries;

static sqlitch_status_entry *entries_push(entries *l) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 16;
    l->v = sqlitch_realloc(l->v, l->cap * sizeof *l->v);
  }
  sqlitch_status_entry *e = &l->v[l->n++];
  memset(e, 0, sizeof *e);
  return e;
}

static int change_row(void *ctx, const sqlitch_reg_current_change *r) {
  sqlitch_status_entry *e = entries_push(ctx);
  e->id = sqlitch_strdup(r->change_id);
  e->name = sqlitch_strdup(r->change);
  e->committed_at = sqlitch_strdup(r->committed_at);
  e->committer_name = sqlitch_strdup(r->committer_name);
  e->committer_email = sqlitch_strdup(r->committer_email);
  return 0;
}

static int tag_row(void *ctx, const sqlitch_reg_current_tag *r) {
  sqlitch_status_entry *e = entries_push(ctx);
  e->id = sqlitch_strdup(r->tag_id);
  e->name = sqlitch_strdup(r->tag);
  e->committed_at = sqlitch_strdup(r->committed_at);
  e->committer_name = sqlitch_strdup(r->committer_name);
  e->committer_email = sqlitch_strdup(r->committer_email);
  return 0;
}

/* committed_at text -> the user's date format, appended to out. */
static int add_date(const char *ts, const char *fmt, sqlitch_buf *out,
                    sqlitch_err *err) {
  sqlitch_time t;
  if (!ts || sqlitch_time_parse(ts, &t))
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Cannot parse timestamp \"%s\"", ts ? ts : "");
  return sqlitch_datefmt_format(fmt, &t, out, err);
}

/* -------------------------------------------------------------- project */

/* Command::status's lazy `project`, as evaluated inside the try around
   current_state: the plan's project; without a plan file the registry's
   only project. Errors are returned as the catch block leaves them. */
static int resolve_project(sqlitch_engine *e, const char *given, char **out,
                           sqlitch_err *err) {
  if (given) {
    *out = sqlitch_strdup(given);
    return SQLITCH_OK;
  }
  sqlitch_plan *plan;
  sqlitch_err perr = SQLITCH_ERR_INIT;
  if (sqlitch_engine_plan(e, &plan, &perr) == SQLITCH_OK) {
    *out = sqlitch_strdup(plan->project);
    return SQLITCH_OK;
  }
  if (!plan_missing(&perr)) {
    sqlitch_err_move(err, &perr);
    return SQLITCH_ERROR;
  }
  sqlitch_err_clear(&perr);
  int init = 0;
  if (sqlitch_engine_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init)
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "Database %s has not been initialized for Sqitch",
                           sqlitch_engine_registry_destination(e));
  sqlitch_strv projs = SQLITCH_STRV_INIT;
  if (sqlitch_engine_registered_projects(e, &projs, err)) return SQLITCH_ERROR;
  int rc = SQLITCH_OK;
  if (projs.n == 0) {
    rc = sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "No projects registered");
  } else if (projs.n > 1) {
    char *list = sqlitch_strv_join(&projs, ", ");
    rc = sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                         "Use --project to select which project to query: %s",
                         list);
    free(list);
  } else {
    *out = sqlitch_strdup(projs.v[0]);
  }
  sqlitch_strv_free(&projs);
  return rc;
}

/* --------------------------------------------------------------- report */

typedef struct gather_ctx {
  sqlitch_engine *e;
  const sqlitch_status_opts *o;
  int report;
  const char *fmt;
} gather_ctx;

#define SAY(g, lvl, ...)                                                       \
  do {                                                                         \
    if ((g)->report) sqlitch_report((g)->e->rep, lvl, __VA_ARGS__);            \
  } while (0)

static int report_state(gather_ctx *g, const sqlitch_reg_state *s,
                        sqlitch_err *err) {
  const sqlitch_reporter *rep = g->e->rep;
  sqlitch_report(rep, SQLITCH_COMMENT, "Project:  %s", s->project);
  sqlitch_report(rep, SQLITCH_COMMENT, "Change:   %s", s->change_id);
  sqlitch_report(rep, SQLITCH_COMMENT, "Name:     %s", s->change);
  if (s->tags.n) {
    char *tags = sqlitch_strv_join(&s->tags, ", ");
    sqlitch_report(rep, SQLITCH_COMMENT, "%s     %s",
                   s->tags.n == 1 ? "Tag: " : "Tags:", tags);
    free(tags);
  }
  sqlitch_buf d = SQLITCH_BUF_INIT;
  int rc = add_date(s->committed_at, g->fmt, &d, err);
  if (rc == SQLITCH_OK) {
    sqlitch_report(rep, SQLITCH_COMMENT, "Deployed: %s", sqlitch_buf_str(&d));
    sqlitch_report(rep, SQLITCH_COMMENT, "By:       %s <%s>",
                   s->committer_name ? s->committer_name : "",
                   s->committer_email ? s->committer_email : "");
  }
  sqlitch_buf_free(&d);
  return rc;
}

/* "  name<pad> - date - name <email>" for each entry. */
static int report_list(gather_ctx *g, const sqlitch_status_entry *v, size_t n,
                       sqlitch_err *err) {
  size_t width = 0;
  for (size_t i = 0; i < n; i++) {
    size_t l = sqlitch_utf8_len(v[i].name ? v[i].name : "");
    if (l > width) width = l;
  }
  sqlitch_buf line = SQLITCH_BUF_INIT;
  int rc = SQLITCH_OK;
  for (size_t i = 0; i < n && rc == SQLITCH_OK; i++) {
    const char *name = v[i].name ? v[i].name : "";
    sqlitch_buf_reset(&line);
    sqlitch_buf_add(&line, "  ");
    sqlitch_buf_add(&line, name);
    sqlitch_buf_pad(&line, ' ', width - sqlitch_utf8_len(name));
    sqlitch_buf_add(&line, " - ");
    if ((rc = add_date(v[i].committed_at, g->fmt, &line, err))) break;
    sqlitch_buf_addf(&line, " - %s <%s>",
                     v[i].committer_name ? v[i].committer_name : "",
                     v[i].committer_email ? v[i].committer_email : "");
    sqlitch_report(g->e->rep, SQLITCH_COMMENT, "%s", sqlitch_buf_str(&line));
  }
  sqlitch_buf_free(&line);
  return rc;
}

/* emit_status: where the current change sits in the plan. */
static int report_plan(gather_ctx *g, const sqlitch_status *st,
                       sqlitch_err *err) {
  const sqlitch_reporter *rep = g->e->rep;
  if (!st->plan) {
    sqlitch_report(rep, SQLITCH_COMMENT, "%s", "");
    sqlitch_report(rep, SQLITCH_EMIT,
                   "Status unknown. Use --plan-file to assess \"%s\" status",
                   st->project);
    return SQLITCH_OK;
  }
  sqlitch_report(rep, SQLITCH_COMMENT, "%s", "");
  if (st->index < 0) {
    sqlitch_report(rep, SQLITCH_VENT, "Cannot find this change in %s",
                   g->e->target->plan_file);
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "Make sure you are connected to the proper "
                           "database for this project.");
  }
  size_t n = sqlitch_status_undeployed(st);
  if (n == 0) {
    sqlitch_report(rep, SQLITCH_EMIT, "Nothing to deploy (up-to-date)");
    return SQLITCH_OK;
  }
  sqlitch_report(rep, SQLITCH_EMIT, "%s",
                 n == 1 ? "Undeployed change:" : "Undeployed changes:");
  for (size_t i = (size_t)st->index + 1; i < st->plan->nchanges; i++) {
    char *name = sqlitch_change_name_with_tags(st->plan, &st->plan->changes[i]);
    sqlitch_report(rep, SQLITCH_EMIT, "  * %s", name);
    free(name);
  }
  return SQLITCH_OK;
}

/* ------------------------------------------------------------- gather */

/* current_state() for the project the head of the plan file names, asked
   while the plan is still being parsed (sqlitch_engine_set_plan_future):
   1 when the parsed plan agrees (st->project and st->state set, *rc the
   query's result and err its error), 0 when the plan fails to load or
   names another project -- then nothing is kept and the caller starts
   again in Sqitch's order, which reports the plan's error first. */
static int state_by_hint(sqlitch_engine *e, const char *hint,
                         sqlitch_status *st, int *rc, sqlitch_err *err) {
  char *project = sqlitch_strdup(hint); /* hint dies with the load */
  sqlitch_reg_state *state = NULL;
  int r = sqlitch_engine_current_state(e, project, &state, err);
  sqlitch_plan *plan;
  sqlitch_err perr = SQLITCH_ERR_INIT;
  if (sqlitch_engine_plan(e, &plan, &perr) == SQLITCH_OK &&
      strcmp(plan->project, project) == 0) {
    st->project = project;
    st->state = state;
    *rc = r;
    return 1;
  }
  sqlitch_err_clear(&perr);
  sqlitch_err_clear(err);
  sqlitch_reg_state_free(state);
  free(project);
  return 0;
}

static int gather(gather_ctx *g, sqlitch_status *st, sqlitch_err *err) {
  sqlitch_engine *e = g->e;
  const sqlitch_status_opts *o = g->o;
  SAY(g, SQLITCH_COMMENT, "On database %s", sqlitch_engine_destination(e));

  /* current_state($self->project), with the catch block's rules (the
     project's own errors are already in their final form) */
  int rc = SQLITCH_OK;
  const char *hint = o->project ? NULL : sqlitch_engine_project_hint(e);
  if (!hint || !state_by_hint(e, hint, st, &rc, err)) {
    if (resolve_project(e, o->project, &st->project, err)) return SQLITCH_ERROR;
    rc = sqlitch_engine_current_state(e, st->project, &st->state, err);
  }
  if (rc != SQLITCH_OK) {
    if (err->kind == SQLITCH_E_PARSE || err->kind == SQLITCH_E_IO)
      return SQLITCH_ERROR;
    sqlitch_err saved = SQLITCH_ERR_INIT;
    sqlitch_err_move(&saved, err);
    int init = 0;
    if (sqlitch_engine_initialized(e, &init, err)) {
      sqlitch_err_clear(&saved);
      return SQLITCH_ERROR;
    }
    if (init) {
      sqlitch_err_move(err, &saved);
      return SQLITCH_ERROR;
    }
    sqlitch_err_clear(&saved);
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "Database %s has not been initialized for Sqitch",
                           sqlitch_engine_registry_destination(e));
  }
  if (!st->state)
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 1, "No changes deployed");
  if (g->report && report_state(g, st->state, err)) return SQLITCH_ERROR;

  if (o->show_changes) {
    entries l = {0};
    rc = sqlitch_engine_current_changes(e, st->project, change_row, &l, err);
    st->changes = l.v;
    st->nchanges = l.n;
    if (rc) return SQLITCH_ERROR;
    if (g->report) {
      sqlitch_report(e->rep, SQLITCH_COMMENT, "%s", "");
      sqlitch_report(e->rep, SQLITCH_COMMENT, "%s",
                     l.n == 1 ? "Change:" : "Changes:");
      if (report_list(g, l.v, l.n, err)) return SQLITCH_ERROR;
    }
  }
  if (o->show_tags) {
    entries l = {0};
    rc = sqlitch_engine_current_tags(e, st->project, tag_row, &l, err);
    st->tags = l.v;
    st->ntags = l.n;
    if (rc) return SQLITCH_ERROR;
    if (g->report) {
      sqlitch_report(e->rep, SQLITCH_COMMENT, "%s", "");
      if (l.n == 0) {
        sqlitch_report(e->rep, SQLITCH_COMMENT, "Tags: None.");
      } else {
        sqlitch_report(e->rep, SQLITCH_COMMENT, "%s",
                       l.n == 1 ? "Tag:" : "Tags:");
        if (report_list(g, l.v, l.n, err)) return SQLITCH_ERROR;
      }
    }
  }

  /* my $plan_proj = try { $target->plan->project } */
  sqlitch_plan *plan = NULL;
  sqlitch_err ignore = SQLITCH_ERR_INIT;
  st->index = -1;
  if (sqlitch_engine_plan(e, &plan, &ignore) == SQLITCH_OK &&
      strcmp(plan->project, st->project) == 0) {
    st->plan = plan;
    long idx = sqlitch_plan_index_of(plan, st->state->change_id, &ignore);
    st->index = idx >= 0 ? idx : -1;
  }
  sqlitch_err_clear(&ignore);
  if (g->report) return report_plan(g, st, err);
  return SQLITCH_OK;
}

int sqlitch_status_new(sqlitch_engine *e, const sqlitch_status_opts *o,
                       sqlitch_status **out, sqlitch_err *err) {
  sqlitch_status_opts dflt;
  if (!o) {
    sqlitch_status_opts_init(&dflt);
    o = &dflt;
  }
  gather_ctx g = {e, o, 0, o->date_format ? o->date_format : "iso"};
  sqlitch_status *st = sqlitch_calloc(1, sizeof *st);
  if (gather(&g, st, err)) {
    sqlitch_status_free(st);
    *out = NULL;
    return SQLITCH_ERROR;
  }
  *out = st;
  return SQLITCH_OK;
}

void sqlitch_status_free(sqlitch_status *st) {
  if (!st) return;
  free(st->project);
  sqlitch_reg_state_free(st->state);
  for (size_t i = 0; i < st->nchanges; i++)
    entry_clear(&st->changes[i]);
  for (size_t i = 0; i < st->ntags; i++)
    entry_clear(&st->tags[i]);
  free(st->changes);
  free(st->tags);
  free(st);
}

size_t sqlitch_status_undeployed(const sqlitch_status *st) {
  if (!st || !st->plan || st->index < 0) return 0;
  return st->plan->nchanges - (size_t)st->index - 1;
}

int sqlitch_status_report(sqlitch_engine *e, const sqlitch_status_opts *o,
                          sqlitch_err *err) {
  sqlitch_status_opts dflt;
  if (!o) {
    sqlitch_status_opts_init(&dflt);
    o = &dflt;
  }
  gather_ctx g = {e, o, 1,
                  sqlitch_perl_true(o->date_format) ? o->date_format : "iso"};
  sqlitch_status st;
  memset(&st, 0, sizeof st);
  int rc = gather(&g, &st, err);
  free(st.project);
  sqlitch_reg_state_free(st.state);
  for (size_t i = 0; i < st.nchanges; i++)
    entry_clear(&st.changes[i]);
  for (size_t i = 0; i < st.ntags; i++)
    entry_clear(&st.tags[i]);
  free(st.changes);
  free(st.tags);
  return rc;
}

/* --------------------------------------------- plan joined with registry */

/* Open-addressing map from change id to row index. */
typedef struct idmap {
  const char **keys;
  size_t *vals;
  size_t cap;
} idmap;

static uint32_t id_hash(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static void idmap_init(idmap *m, size_t n) {
  m->cap = 16;
  while (m->cap < n * 2)
    m->cap *= 2;
  m->keys = sqlitch_calloc(m->cap, sizeof *m->keys);
  m->vals = sqlitch_calloc(m->cap, sizeof *m->vals);
}

static size_t *idmap_slot(idmap *m, const char *key, int insert) {
  for (size_t i = id_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (!m->keys[i]) {
      if (!insert) return NULL;
      m->keys[i] = key;
      return &m->vals[i];
    }
    if (strcmp(m->keys[i], key) == 0) return &m->vals[i];
  }
}

static void idmap_free(idmap *m) {
  free(m->keys);
  free(m->vals);
}

static const char *adup(sqlitch_arena *a, const char *s) {
  return s ? sqlitch_arena_strdup(a, s) : NULL;
}

static int committer_row(void *ctx, const sqlitch_reg_current_change *r) {
  void **c = ctx;
  idmap *m = c[0];
  sqlitch_status_rows *rows = c[1];
  size_t *slot = idmap_slot(m, r->change_id, 0);
  if (slot) {
    sqlitch_status_row *row = &rows->v[*slot];
    row->committer_name = adup(rows->arena, r->committer_name);
    row->committer_email = adup(rows->arena, r->committer_email);
  }
  return 0;
}

int sqlitch_status_rows_new(sqlitch_engine *e, const char *project,
                            sqlitch_status_rows **out, sqlitch_err *err) {
  *out = NULL;
  sqlitch_plan *plan = NULL;
  sqlitch_err perr = SQLITCH_ERR_INIT;
  if (sqlitch_engine_plan(e, &plan, &perr)) {
    if (!project || !plan_missing(&perr)) {
      sqlitch_err_move(err, &perr);
      return SQLITCH_ERROR;
    }
    sqlitch_err_clear(&perr);
    plan = NULL;
  }
  if (!project) project = plan->project;
  if (plan && strcmp(plan->project, project) != 0) plan = NULL;

  sqlitch_reg_changes reg = {0};
  if (e->ops->deployed_changes(e, project, NULL, &reg, err))
    return SQLITCH_ERROR;

  sqlitch_status_rows *r = sqlitch_calloc(1, sizeof *r);
  r->arena = sqlitch_arena_new();
  r->project = sqlitch_strdup(project);
  size_t np = plan ? plan->nchanges : 0;
  r->v = sqlitch_calloc(np + reg.n + 1, sizeof *r->v);
  idmap m;
  idmap_init(&m, np + reg.n);

  char ts[32];
  for (size_t i = 0; i < np; i++) {
    const sqlitch_change *c = &plan->changes[i];
    sqlitch_status_row *row = &r->v[r->n];
    row->position = (long)i;
    row->change_id = c->id;
    row->name = c->name;
    sqlitch_buf tags = SQLITCH_BUF_INIT;
    for (size_t t = 0; t < c->ntags; t++)
      sqlitch_buf_addf(&tags, "%s@%s", t ? " " : "",
                       plan->tags[c->tags[t]].name);
    row->tags = sqlitch_arena_strdup(r->arena, sqlitch_buf_str(&tags));
    sqlitch_buf_free(&tags);
    row->reworked = c->nrework_tags > 0;
    sqlitch_engine_plan_ts(c->timestamp, ts);
    row->planned_at = sqlitch_arena_strdup(r->arena, ts);
    row->planner_name = c->planner_name;
    row->planner_email = c->planner_email;
    *idmap_slot(&m, c->id, 1) = r->n++;
  }
  for (size_t i = 0; i < reg.n; i++) {
    const sqlitch_reg_change *c = &reg.v[i];
    size_t *slot = idmap_slot(&m, c->id, 0);
    sqlitch_status_row *row;
    if (slot) {
      row = &r->v[*slot];
    } else {
      row = &r->v[r->n];
      row->position = -1;
      row->change_id = adup(r->arena, c->id);
      row->name = adup(r->arena, c->name);
      char *tags = sqlitch_strv_join(&c->tags, " ");
      row->tags = sqlitch_arena_strdup(r->arena, tags ? tags : "");
      free(tags);
      row->planned_at = adup(r->arena, c->planned_at);
      row->planner_name = adup(r->arena, c->planner_name);
      row->planner_email = adup(r->arena, c->planner_email);
      *idmap_slot(&m, row->change_id, 1) = r->n++;
    }
    row->deployed = 1;
    row->script_hash = adup(r->arena, c->script_hash);
    row->committed_at = adup(r->arena, c->committed_at);
  }
  sqlitch_reg_changes_free(&reg);

  /* plan strings are borrowed from the plan, which the engine may free:
     copy them into the arena so the rows stand alone */
  for (size_t i = 0; i < np; i++) {
    sqlitch_status_row *row = &r->v[i];
    row->change_id = adup(r->arena, row->change_id);
    row->name = adup(r->arena, row->name);
    row->planner_name = adup(r->arena, row->planner_name);
    row->planner_email = adup(r->arena, row->planner_email);
  }
  /* the map keys pointed into the plan: rebuild it on the copies */
  memset(m.keys, 0, m.cap * sizeof *m.keys);
  for (size_t i = 0; i < r->n; i++)
    *idmap_slot(&m, r->v[i].change_id, 1) = i;

  void *ctx[2] = {&m, r};
  int rc = e->ops->current_changes(e, project, committer_row, ctx, err);
  idmap_free(&m);
  if (rc) {
    sqlitch_status_rows_free(r);
    return SQLITCH_ERROR;
  }
  *out = r;
  return SQLITCH_OK;
}

void sqlitch_status_rows_free(sqlitch_status_rows *r) {
  if (!r) return;
  sqlitch_arena_free(r->arena);
  free(r->project);
  free(r->v);
  free(r);
}
