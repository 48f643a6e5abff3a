/*
** engine.c -- App::Sqitch::Engine in C: deploy, revert, verify, check and
** upgrade over any engine that implements sqlitch_engine_ops (engine.h).
**
** This file knows nothing about SQL. It reasons about the plan and the
** registry as Engine.pm does, prints Sqitch's progress lines through the
** reporter, asks the revert prompt through opts.ask_yes_no, and turns
** failures into Sqitch's messages and exit values. The engines do the
** database work, one change at a time (ops->step).
**
**   sqlitch_engine *e;
**   sqlitch_engine_new(cfg, target, &reporter, &e, &err);
**   e->opts.no_prompt = 1;
**   sqlitch_engine_revert(e, "@v1.0", &err);   // "Reverting changes to ..."
**   sqlitch_engine_free(e);
**
** Beyond Sqitch, and engine-neutral, this file also
**   - refuses to start a deploy/revert whose scripts are missing (nothing
**     is touched; Sqitch fails half-way),
**   - implements --dry-run (lists changes and their SQL, opens nothing
**     for writing) and --backup (through ops->backup),
**   - provides the strictly increasing registry clock engines may use.
*/
#include "engine.h"
#include "engine_mysql_wire.h"
#include "engine_pg_wire.h"
#include "process.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* ------------------------------------------------------------ registry rows */

void sqlitch_reg_change_clear(sqlitch_reg_change *c) {
  if (!c) return;
  free(c->id);
  free(c->name);
  free(c->project);
  free(c->note);
  free(c->planned_at);
  free(c->planner_name);
  free(c->planner_email);
  free(c->script_hash);
  free(c->committed_at);
  sqlitch_strv_free(&c->tags);
  memset(c, 0, sizeof *c);
}

sqlitch_reg_change *sqlitch_reg_changes_push(sqlitch_reg_changes *l) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 16;
    l->v = sqlitch_realloc(l->v, l->cap * sizeof *l->v);
  }
  sqlitch_reg_change *c = &l->v[l->n++];
  memset(c, 0, sizeof *c);
  return c;
}

void sqlitch_reg_changes_free(sqlitch_reg_changes *l) {
  if (!l) return;
  for (size_t i = 0; i < l->n; i++)
    sqlitch_reg_change_clear(&l->v[i]);
  free(l->v);
  memset(l, 0, sizeof *l);
}

void sqlitch_reg_state_free(sqlitch_reg_state *s) {
  if (!s) return;
  free(s->change_id);
  free(s->script_hash);
  free(s->change);
  free(s->project);
  free(s->note);
  free(s->committer_name);
  free(s->committer_email);
  free(s->committed_at);
  free(s->planner_name);
  free(s->planner_email);
  free(s->planned_at);
  sqlitch_strv_free(&s->tags);
  free(s);
}

void sqlitch_reg_requiring_free(sqlitch_reg_requiring *v, size_t n) {
  if (!v) return;
  for (size_t i = 0; i < n; i++) {
    free(v[i].change_id);
    free(v[i].project);
    free(v[i].change);
    free(v[i].asof_tag);
  }
  free(v);
}

/* ----------------------------------------------------------- engine table */

/* Engines in this build. pg and mysql are weak: their files compile only
   when libpq / libmariadb are present (Makefile), and are absent (NULL)
   otherwise. */
extern const sqlitch_engine_ops sqlitch_engine_sqlite_ops;
#ifdef SQLITCH_HAVE_PG /* a strong reference links engine_pg.o in */
extern const sqlitch_engine_ops sqlitch_engine_pg_ops;
#else
extern const sqlitch_engine_ops sqlitch_engine_pg_ops __attribute__((weak));
#endif
#ifdef SQLITCH_HAVE_MYSQL /* a strong reference links engine_mysql.o in */
extern const sqlitch_engine_ops sqlitch_engine_mysql_ops;
#else
extern const sqlitch_engine_ops sqlitch_engine_mysql_ops __attribute__((weak));
#endif

static const sqlitch_engine_ops *const engines[] = {&sqlitch_engine_sqlite_ops,
                                                    &sqlitch_engine_pg_ops,
                                                    &sqlitch_engine_mysql_ops};

const sqlitch_engine_ops *sqlitch_engine_ops_for(const char *key) {
  for (size_t i = 0; key && i < sizeof engines / sizeof *engines; i++)
    if (engines[i] && strcmp(engines[i]->key, key) == 0) return engines[i];
  return NULL;
}

/* Engine.pm's private state. */
typedef struct priv {
  long long clock_ms; /* last timestamp handed out, ms since epoch */
  int clock_set;
  char *reg_dest; /* registry destination cache */
  /* plan script hashes, computed on demand */
  char (*hash)[41];
  unsigned char *hash_state;    /* 0 unknown, 1 computed, 2 no file */
  int hash_stale;               /* reset when the plan changes */
  sqlitch_plan_future *pending; /* the plan, loading (set_plan_future) */
} priv;

static void drop_pending(sqlitch_engine *e);

int sqlitch_engine_new(const sqlitch_config *cfg, const sqlitch_target *target,
                       const sqlitch_reporter *rep, sqlitch_engine **out,
                       sqlitch_err *err) {
  *out = NULL;
  if (sqlitch_target_check_engine(target, err)) return SQLITCH_ERROR;
  const sqlitch_engine_ops *ops = sqlitch_engine_ops_for(target->engine);
  if (!ops)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "sqlitch does not support the %s engine in this "
                           "build",
                           target->engine ? target->engine : "(none)");
  sqlitch_engine *e = sqlitch_calloc(1, sizeof *e);
  e->ops = ops;
  e->config = cfg;
  e->target = target;
  e->rep = rep;
  e->position = -1;
  e->opts.prompt_accept = 1;
  e->opts.lock_timeout = SQLITCH_DEFAULT_LOCK_TIMEOUT;
  e->opts.verbosity = 1;
  e->priv = sqlitch_calloc(1, sizeof(priv));
  if (ops->init && ops->init(e, err)) {
    sqlitch_engine_free(e);
    return SQLITCH_ERROR;
  }
  *out = e;
  return SQLITCH_OK;
}

void sqlitch_engine_free(sqlitch_engine *e) {
  if (!e) return;
  if (e->ops && e->ops->destroy) e->ops->destroy(e);
  if (e->own_plan) sqlitch_plan_free(e->plan);
  priv *p = e->priv;
  if (p) {
    drop_pending(e);
    free(p->reg_dest);
    free(p->hash);
    free(p->hash_state);
    free(p);
  }
  free(e->start_at);
  free(e->user_name);
  free(e->user_email);
  sqlitch_strv_free(&e->opts.variables);
  free(e);
}

static void reset_hashes(sqlitch_engine *e) {
  priv *p = e->priv;
  free(p->hash);
  free(p->hash_state);
  p->hash = NULL;
  p->hash_state = NULL;
}

static void drop_pending(sqlitch_engine *e) {
  priv *p = e->priv;
  sqlitch_plan_load_cancel(p->pending);
  p->pending = NULL;
}

void sqlitch_engine_set_plan_future(sqlitch_engine *e, sqlitch_plan_future *f) {
  sqlitch_engine_set_plan(e, NULL);
  ((priv *)e->priv)->pending = f;
}

void sqlitch_engine_allow_inprocess_clients(int on) {
  sqlitch_pg_wire_allow(on);
  sqlitch_mysql_wire_allow(on);
}

const char *sqlitch_engine_project_hint(sqlitch_engine *e) {
  priv *p = e->priv;
  return p->pending ? sqlitch_plan_future_project(p->pending) : NULL;
}

void sqlitch_engine_set_plan(sqlitch_engine *e, sqlitch_plan *plan) {
  drop_pending(e);
  if (e->own_plan) sqlitch_plan_free(e->plan);
  e->plan = plan;
  e->own_plan = 0;
  reset_hashes(e);
}

int sqlitch_engine_plan(sqlitch_engine *e, sqlitch_plan **out,
                        sqlitch_err *err) {
  if (!e->plan) {
    priv *p = e->priv;
    sqlitch_plan_future *f = p->pending;
    p->pending = NULL;
    if (f ? sqlitch_plan_load_finish(f, &e->plan, err)
          : sqlitch_plan_load_ro(e->target->plan_file, &e->plan, err))
      return SQLITCH_ERROR;
    e->own_plan = 1;
    reset_hashes(e);
  }
  *out = e->plan;
  return SQLITCH_OK;
}

const char *sqlitch_engine_destination(const sqlitch_engine *e) {
  if (e->ops->destination) return e->ops->destination((sqlitch_engine *)e);
  return e->target->name;
}

const char *sqlitch_engine_registry_destination(sqlitch_engine *e) {
  return e->ops->registry_destination(e);
}

int sqlitch_engine_user(sqlitch_engine *e, const char **name,
                        const char **email, sqlitch_err *err) {
  if (!e->user_name) {
    e->user_name = sqlitch_user_name(e->config, err);
    if (!e->user_name) return SQLITCH_ERROR;
  }
  if (!e->user_email) {
    e->user_email = sqlitch_user_email(e->config, err);
    if (!e->user_email) return SQLITCH_ERROR;
  }
  if (name) *name = e->user_name;
  if (email) *email = e->user_email;
  return SQLITCH_OK;
}

/* ------------------------------------------------------------------ clock */

void sqlitch_engine_plan_ts(const char *plan_ts, char out[32]) {
  size_t n = 0;
  for (const char *s = plan_ts; s && *s && n < 31; s++) {
    if (*s == 'T')
      out[n++] = ' ';
    else if (*s == 'Z')
      break;
    else
      out[n++] = *s;
  }
  out[n] = 0;
}

/* "YYYY-MM-DD HH:MM:SS[.fff]" UTC -> ms since the epoch (-1 on junk). */
static long long parse_ts_ms(const char *s) {
  int Y, M, D, h, m, sec, ms = 0;
  if (!s || sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d", &Y, &M, &D, &h, &m, &sec) != 6)
    return -1;
  const char *dot = strchr(s, '.');
  if (dot) {
    int mul = 100;
    for (const char *p = dot + 1; *p >= '0' && *p <= '9' && mul; p++) {
      ms += (*p - '0') * mul;
      mul /= 10;
    }
  }
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  return (long long)timegm(&tm) * 1000 + ms;
}

void sqlitch_engine_clock_init(sqlitch_engine *e, const char *floor) {
  priv *p = e->priv;
  long long f = parse_ts_ms(floor);
  if (!p->clock_set || f > p->clock_ms) p->clock_ms = f;
  p->clock_set = 1;
}

void sqlitch_engine_clock_next(sqlitch_engine *e, int pending, char out[32]) {
  priv *p = e->priv;
  struct timeval tv;
  gettimeofday(&tv, NULL);
  long long now = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
  /* Stay in the past by the number of changes still to come, so that a
     fast batch never runs ahead of the wall clock; never repeat. */
  long long t = now - (pending > 0 ? pending : 0);
  if (p->clock_set && t <= p->clock_ms) t = p->clock_ms + 1;
  p->clock_ms = t;
  p->clock_set = 1;
  time_t secs = (time_t)(t / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  size_t n = strftime(out, 24, "%Y-%m-%d %H:%M:%S", &tm);
  snprintf(out + n, 32 - n, ".%03u", (unsigned)(t % 1000) % 1000u);
}

/* ------------------------------------------------------------- reporting */

#define INFO(...) sqlitch_report(e->rep, SQLITCH_INFO, __VA_ARGS__)
#define EMIT(...) sqlitch_report(e->rep, SQLITCH_EMIT, __VA_ARGS__)
#define VENT(...) sqlitch_report(e->rep, SQLITCH_VENT, __VA_ARGS__)

/* Errors. Sqitch's "private" exceptions (kind SQLITCH_E_PRIVATE with a
   message, e.g. "Deploy failed" after a failed verify) are skipped by the
   deploy catch blocks but printed when they reach the top; a PRIVATE
   error without a message was reported already and prints nothing. The
   public functions hand the former out as ordinary errors. */
static int finish(int rc, sqlitch_err *err) {
  if (rc && err->kind == SQLITCH_E_PRIVATE && err->msg)
    err->kind = SQLITCH_E_ENGINE;
  return rc;
}

/* Vent an error the way Sqitch's catch blocks do (nothing for private). */
static void vent_err(sqlitch_engine *e, const sqlitch_err *err) {
  if (err->kind == SQLITCH_E_PRIVATE || !err->msg) return;
  VENT("%s", err->msg);
}

static int private_err(sqlitch_err *err, const char *msg) {
  return sqlitch_err_set(err, SQLITCH_E_PRIVATE, 2, "%s", msg);
}

/* "%g" of a Perl number (60 -> "60", 0.5 -> "0.5"). */
static void fmt_num(double d, char out[32]) { snprintf(out, 32, "%.15g", d); }

/* --------------------------------------------------------- change model */

/* A change as Engine.pm handles it: from the plan, or loaded from the
   registry (_load_changes), in which case pc is the plan change with the
   same id when there is one. */
typedef struct ech {
  const sqlitch_change *pc;     /* plan change (or NULL) */
  long pidx;                    /* its index, or -1 */
  const sqlitch_reg_change *rc; /* registry row (or NULL) */
  const char *id, *name;
  char *nwt;          /* format_name_with_tags */
  size_t nwt_len;     /* in characters */
  sqlitch_strv rtags; /* registry-derived rework tags ("@t") */
} ech;

typedef struct echs {
  ech *v;
  size_t n;
} echs;

static void echs_free(echs *l) {
  for (size_t i = 0; i < l->n; i++) {
    free(l->v[i].nwt);
    sqlitch_strv_free(&l->v[i].rtags);
  }
  free(l->v);
  l->v = NULL;
  l->n = 0;
}

static void ech_from_plan(sqlitch_plan *plan, long idx, ech *c) {
  memset(c, 0, sizeof *c);
  c->pc = &plan->changes[idx];
  c->pidx = idx;
  c->id = c->pc->id;
  c->name = c->pc->name;
  c->nwt = sqlitch_change_name_with_tags(plan, c->pc);
  c->nwt_len = sqlitch_utf8_len(c->nwt);
}

static size_t name_hash(const char *s) {
  size_t h = 1469598103934665603u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

/* _load_changes: registry rows become changes; rework tags for rows not
   in the plan come from later rows of the same name. */
static void load_changes(sqlitch_engine *e, const sqlitch_reg_change *rows,
                         size_t n, echs *out) {
  sqlitch_plan *plan = e->plan;
  out->v = sqlitch_calloc(n ? n : 1, sizeof(ech));
  out->n = n;
  for (size_t i = 0; i < n; i++) {
    ech *c = &out->v[i];
    const sqlitch_reg_change *r = &rows[i];
    c->rc = r;
    c->id = r->id;
    c->name = r->name;
    c->pidx = plan ? sqlitch_plan_find(plan, r->id) : -1;
    if (c->pidx >= 0 && strcmp(plan->changes[c->pidx].id, r->id) != 0)
      c->pidx = -1;
    c->pc = c->pidx >= 0 ? &plan->changes[c->pidx] : NULL;
    sqlitch_buf b = SQLITCH_BUF_INIT;
    sqlitch_buf_add(&b, r->name);
    for (size_t t = 0; t < r->tags.n; t++) {
      sqlitch_buf_addc(&b, ' ');
      sqlitch_buf_add(&b, r->tags.v[t]);
    }
    c->nwt = sqlitch_buf_take(&b);
    c->nwt_len = sqlitch_utf8_len(c->nwt);
  }
  /* Registry rework tags: an earlier row named like a later one gets the
     tags of the rows from itself up to the later one, newest first. The
     previous row of each name comes from a name -> last index map. */
  size_t cap = 16;
  while (cap < 2 * n)
    cap *= 2;
  size_t *last = sqlitch_malloc(cap * sizeof *last); /* index + 1, 0 free */
  memset(last, 0, cap * sizeof *last);
  for (size_t j = 0; j < n; j++) {
    size_t h = name_hash(rows[j].name) & (cap - 1);
    while (last[h] && strcmp(rows[last[h] - 1].name, rows[j].name) != 0)
      h = (h + 1) & (cap - 1);
    size_t prev = last[h];
    last[h] = j + 1;
    if (!prev) continue;
    size_t i = prev - 1;
    if (out->v[i].pc) continue;
    for (size_t x = j; x-- > i;)
      for (size_t t = 0; t < rows[x].tags.n; t++)
        if (!sqlitch_strv_contains(&out->v[i].rtags, rows[x].tags.v[t]))
          sqlitch_strv_push(&out->v[i].rtags, rows[x].tags.v[t]);
  }
  free(last);
}

static const char *kind_dir(const sqlitch_target *t, sqlitch_script_kind k,
                            int reworked) {
  switch (k) {
  case SQLITCH_SCRIPT_REVERT:
    return reworked ? t->reworked_revert_dir : t->revert_dir;
  case SQLITCH_SCRIPT_VERIFY:
    return reworked ? t->reworked_verify_dir : t->verify_dir;
  default: return reworked ? t->reworked_deploy_dir : t->deploy_dir;
  }
}

/* Script path of a change (Change->deploy_file & co). Caller frees. */
static char *script_path(sqlitch_engine *e, const ech *c,
                         sqlitch_script_kind k) {
  const sqlitch_target *t = e->target;
  if (c->pc)
    return sqlitch_change_script(e->plan, c->pc, kind_dir(t, k, 0),
                                 kind_dir(t, k, 1), t->reworked_deploy_dir,
                                 t->extension);
  if (c->rtags.n == 0) {
    char *f = sqlitch_mprintf("%s.%s", c->name, t->extension);
    char *p = sqlitch_path_join(kind_dir(t, k, 0), f);
    free(f);
    return p;
  }
  char *first = NULL;
  for (size_t i = 0; i < c->rtags.n; i++) {
    char *f = sqlitch_mprintf("%s%s.%s", c->name, c->rtags.v[i], t->extension);
    char *probe = sqlitch_path_join(t->reworked_deploy_dir, f);
    int hit = sqlitch_path_exists(probe);
    free(probe);
    if (hit) {
      free(first);
      first = f;
      break;
    }
    if (!first)
      first = f;
    else
      free(f);
  }
  char *p = sqlitch_path_join(kind_dir(t, k, 1), first);
  free(first);
  return p;
}

static void hash_arrays(sqlitch_engine *e) {
  priv *p = e->priv;
  if (!p->hash) {
    size_t n = e->plan->nchanges ? e->plan->nchanges : 1;
    p->hash = sqlitch_calloc(n, sizeof *p->hash);
    p->hash_state = sqlitch_calloc(n, 1);
  }
}

/* Script hash of plan change i (sha1 of its deploy file; NULL if none). */
static const char *plan_hash(sqlitch_engine *e, size_t i) {
  priv *p = e->priv;
  hash_arrays(e);
  if (!p->hash_state[i]) {
    ech c;
    ech_from_plan(e->plan, (long)i, &c);
    char *f = script_path(e, &c, SQLITCH_SCRIPT_DEPLOY);
    p->hash_state[i] = sqlitch_sha1_file(f, p->hash[i]) == 0 ? 1 : 2;
    free(f);
    free(c.nwt);
  }
  return p->hash_state[i] == 1 ? p->hash[i] : NULL;
}

/* Remember the hash of bytes already read (deploy). */
static void set_plan_hash(sqlitch_engine *e, size_t i, const char *data,
                          size_t len) {
  priv *p = e->priv;
  hash_arrays(e);
  sqlitch_sha1_hex(data, len, p->hash[i]);
  p->hash_state[i] = 1;
}

static size_t max_len(const ech *v, size_t n) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (v[i].nwt_len > m) m = v[i].nwt_len;
  return m;
}

/* "  + name .." + dots + " " */
static void report_item(sqlitch_engine *e, sqlitch_level lvl, char sign,
                        const ech *c, size_t width) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addf(&b, "  %c %s ..", sign, c->nwt);
  if (width > c->nwt_len) sqlitch_buf_pad(&b, '.', width - c->nwt_len);
  sqlitch_buf_addc(&b, ' ');
  sqlitch_report_literal(e->rep, lvl, "%s", b.p);
  sqlitch_buf_free(&b);
}

/* -------------------------------------------------------- log records */

typedef struct logrec {
  sqlitch_log_change lc;
  sqlitch_log_dep *deps;
  sqlitch_log_tag *tags;
  sqlitch_strv own; /* strings owned by the record */
  char planned[32];
  char (*tag_ts)[32];
} logrec;

static void logrec_free(logrec *r) {
  free(r->deps);
  free(r->tags);
  free(r->tag_ts);
  sqlitch_strv_free(&r->own);
  memset(r, 0, sizeof *r);
}

static const char *own(logrec *r, char *s) {
  if (!s) return NULL;
  sqlitch_strv_push_owned(&r->own, s);
  return s;
}

/* Build the record of a plan change for deploy/fail/new-tags logging.
   resolved[] holds the resolved ids of its requires (may be NULL). */
static int logrec_plan(sqlitch_engine *e, size_t idx, char *const *resolved,
                       logrec *r, sqlitch_err *err) {
  sqlitch_plan *plan = e->plan;
  const sqlitch_change *c = &plan->changes[idx];
  const char *uname, *uemail;
  memset(r, 0, sizeof *r);
  if (sqlitch_engine_user(e, &uname, &uemail, err)) return SQLITCH_ERROR;
  sqlitch_engine_plan_ts(c->timestamp, r->planned);
  r->lc.change_id = c->id;
  r->lc.script_hash = plan_hash(e, idx);
  r->lc.change = c->name;
  r->lc.project = plan->project;
  r->lc.note = c->note ? c->note : "";
  r->lc.planned_at = r->planned;
  r->lc.planner_name = c->planner_name;
  r->lc.planner_email = c->planner_email;
  r->lc.committer_name = uname;
  r->lc.committer_email = uemail;
  size_t nd = c->nrequires + c->nconflicts;
  r->deps = sqlitch_calloc(nd ? nd : 1, sizeof *r->deps);
  sqlitch_buf req = SQLITCH_BUF_INIT, conf = SQLITCH_BUF_INIT;
  for (size_t i = 0; i < c->nrequires; i++) {
    const char *s = own(r, sqlitch_dep_string(&c->requires[i]));
    r->deps[i].type = "require";
    r->deps[i].dependency = s;
    r->deps[i].dependency_id = resolved ? resolved[i] : NULL;
    if (i) sqlitch_buf_addc(&req, ',');
    sqlitch_buf_add(&req, s);
  }
  for (size_t i = 0; i < c->nconflicts; i++) {
    const char *s = own(r, sqlitch_dep_string(&c->conflicts[i]));
    r->deps[c->nrequires + i].type = "conflict";
    r->deps[c->nrequires + i].dependency = s;
    r->deps[c->nrequires + i].dependency_id = NULL;
    if (i) sqlitch_buf_addc(&conf, ',');
    sqlitch_buf_add(&conf, s);
  }
  r->lc.deps = r->deps;
  r->lc.ndeps = nd;
  r->tags = sqlitch_calloc(c->ntags ? c->ntags : 1, sizeof *r->tags);
  r->tag_ts = sqlitch_calloc(c->ntags ? c->ntags : 1, sizeof *r->tag_ts);
  sqlitch_buf tg = SQLITCH_BUF_INIT;
  for (size_t i = 0; i < c->ntags; i++) {
    const sqlitch_tag *t = &plan->tags[c->tags[i]];
    sqlitch_engine_plan_ts(t->timestamp, r->tag_ts[i]);
    r->tags[i].tag_id = t->id;
    r->tags[i].tag = own(r, sqlitch_mprintf("@%s", t->name));
    r->tags[i].note = t->note ? t->note : "";
    r->tags[i].planned_at = r->tag_ts[i];
    r->tags[i].planner_name = t->planner_name;
    r->tags[i].planner_email = t->planner_email;
    if (i) sqlitch_buf_addc(&tg, ' ');
    sqlitch_buf_add(&tg, r->tags[i].tag);
  }
  r->lc.tags = r->tags;
  r->lc.ntags = c->ntags;
  r->lc.ev_tags = own(r, sqlitch_buf_take(&tg));
  r->lc.ev_requires = own(r, sqlitch_buf_take(&req));
  r->lc.ev_conflicts = own(r, sqlitch_buf_take(&conf));
  if (!r->lc.ev_tags) r->lc.ev_tags = "";
  if (!r->lc.ev_requires) r->lc.ev_requires = "";
  if (!r->lc.ev_conflicts) r->lc.ev_conflicts = "";
  return SQLITCH_OK;
}

/* The record of a registry-loaded change (revert). */
static int logrec_reg(sqlitch_engine *e, const sqlitch_reg_change *c, logrec *r,
                      sqlitch_err *err) {
  const char *uname, *uemail;
  memset(r, 0, sizeof *r);
  if (sqlitch_engine_user(e, &uname, &uemail, err)) return SQLITCH_ERROR;
  r->lc.change_id = c->id;
  r->lc.script_hash = c->script_hash;
  r->lc.change = c->name;
  r->lc.project = c->project;
  r->lc.note = c->note ? c->note : "";
  r->lc.planned_at = c->planned_at;
  r->lc.planner_name = c->planner_name;
  r->lc.planner_email = c->planner_email;
  r->lc.committer_name = uname;
  r->lc.committer_email = uemail;
  return SQLITCH_OK;
}

/* -------------------------------------------------------------- locking */

static int check_deploy_deps(sqlitch_engine *e, long from, long to,
                             char ***resolved, sqlitch_err *err);
static int sync_plan(sqlitch_engine *e, int writes, sqlitch_err *err);

/* A change an interrupted run committed without its registry rows (the
   engine's ops->pending): record it now, as a log-only step would. */
static int recover(sqlitch_engine *e, sqlitch_err *err) {
  if (!e->ops->pending) return SQLITCH_OK;
  int what = 0;
  char id8[9];
  if (e->ops->pending(e, &what, id8, err)) return SQLITCH_ERROR;
  if (!what) return SQLITCH_OK;
  sqlitch_plan *plan;
  if (sqlitch_engine_plan(e, &plan, err) || sync_plan(e, 0, err))
    return SQLITCH_ERROR;
  logrec r;
  int rc = SQLITCH_OK, done = 0;
  if (what == 1) {
    long idx = e->position + 1;
    if (idx < (long)plan->nchanges &&
        strncmp(plan->changes[idx].id, id8, 8) == 0) {
      char **resolved[1] = {NULL};
      if ((rc = check_deploy_deps(e, idx, idx, resolved, err)) == SQLITCH_OK &&
          (rc = logrec_plan(e, (size_t)idx, resolved[0], &r, err)) ==
              SQLITCH_OK) {
        sqlitch_report(e->rep, SQLITCH_WARN,
                       "Completing the registry record of the interrupted "
                       "deploy of change %s",
                       plan->changes[idx].id);
        sqlitch_step s = {0, NULL, NULL, NULL, 0, &r.lc, 0, NULL, 0};
        sqlitch_step_result res = {SQLITCH_STEP_OK, 0};
        rc = e->ops->step(e, &s, &res, err);
        if (rc == SQLITCH_OK && res.status != SQLITCH_STEP_OK)
          rc = SQLITCH_ERROR;
        logrec_free(&r);
        done = 1;
      }
      if (resolved[0]) {
        for (size_t k = 0; k < plan->changes[idx].nrequires; k++)
          free(resolved[0][k]);
        free(resolved[0]);
      }
    }
  } else {
    sqlitch_reg_state *st = NULL;
    if ((rc = e->ops->current_state(e, plan->project, &st, err)) ==
            SQLITCH_OK &&
        st && strncmp(st->change_id, id8, 8) == 0) {
      sqlitch_reg_change row;
      memset(&row, 0, sizeof row);
      int found = 0;
      if ((rc = e->ops->load_change(e, plan->project, st->change_id, 0, &row,
                                    &found, err)) == SQLITCH_OK &&
          found && (rc = logrec_reg(e, &row, &r, err)) == SQLITCH_OK) {
        sqlitch_report(e->rep, SQLITCH_WARN,
                       "Completing the registry record of the interrupted "
                       "revert of change %s",
                       row.id);
        sqlitch_step s = {1, NULL, NULL, NULL, 0, &r.lc, 0, NULL, 1};
        sqlitch_step_result res = {SQLITCH_STEP_OK, 0};
        rc = e->ops->step(e, &s, &res, err);
        if (rc == SQLITCH_OK && res.status != SQLITCH_STEP_OK)
          rc = SQLITCH_ERROR;
        logrec_free(&r);
        done = 1;
      }
      sqlitch_reg_change_clear(&row);
    }
    sqlitch_reg_state_free(st);
  }
  if (rc == SQLITCH_OK && !done) rc = e->ops->disarm(e, err);
  return rc;
}

static int lock_destination(sqlitch_engine *e, sqlitch_err *err) {
  if (e->locked || e->opts.dry_run) return SQLITCH_OK;
  int got = 0;
  if (e->ops->try_lock(e, &got, err)) return SQLITCH_ERROR;
  if (!got) {
    char secs[32];
    fmt_num(e->opts.lock_timeout, secs);
    INFO("Blocked by another instance of Sqitch working on %s; waiting %s "
         "seconds...",
         sqlitch_engine_destination(e), secs);
    if (e->ops->wait_lock(e, e->opts.lock_timeout, &got, err))
      return SQLITCH_ERROR;
    if (!got)
      return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                             "Timed out waiting %s seconds for another "
                             "instance of Sqitch to finish work on %s",
                             secs, sqlitch_engine_destination(e));
  }
  e->locked = 1;
  return recover(e, err);
}

/* ------------------------------------------------------- registry checks */

int sqlitch_engine_registry_version(sqlitch_engine *e, char **out,
                                    sqlitch_err *err) {
  return e->ops->registry_version(e, out, err);
}

int sqlitch_engine_initialized(sqlitch_engine *e, int *yes, sqlitch_err *err) {
  return e->ops->initialized(e, yes, err);
}

/* Registry version as text, "" when releases exists but is empty. */
static int reg_version(sqlitch_engine *e, char **v, double *num,
                       sqlitch_err *err) {
  if (e->ops->registry_version(e, v, err)) return SQLITCH_ERROR;
  if (!*v) *v = sqlitch_strdup("");
  *num = strtod(*v, NULL);
  return SQLITCH_OK;
}

int sqlitch_engine_check_registry(sqlitch_engine *e, sqlitch_err *err) {
  char *old;
  double oldv, newv = strtod(SQLITCH_REGISTRY_RELEASE, NULL);
  if (reg_version(e, &old, &oldv, err)) return SQLITCH_ERROR;
  int rc = SQLITCH_OK;
  if (oldv == newv && *old) goto done;
  if (oldv == 0) {
    int init = 0;
    if (e->ops->initialized(e, &init, err)) {
      rc = SQLITCH_ERROR;
      goto done;
    }
    if (!init) {
      rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "No registry found in %s. Have you ever deployed?",
                           sqlitch_engine_registry_destination(e));
      goto done;
    }
  }
  if (newv < oldv)
    rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                         "Registry version is %s but %s is the latest known. "
                         "Please upgrade Sqitch",
                         old, SQLITCH_REGISTRY_RELEASE);
  else
    rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                         "Registry is at version %s but latest is %s. Please "
                         "run the \"upgrade\" command",
                         old, SQLITCH_REGISTRY_RELEASE);
done:
  free(old);
  return rc;
}

static int needs_upgrade(sqlitch_engine *e, int *yes, sqlitch_err *err) {
  char *v;
  double num;
  if (reg_version(e, &v, &num, err)) return SQLITCH_ERROR;
  *yes = !(*v && num == strtod(SQLITCH_REGISTRY_RELEASE, NULL));
  free(v);
  return SQLITCH_OK;
}

static int upgrade_registry(sqlitch_engine *e, sqlitch_err *err) {
  char *old;
  double oldv, newv = strtod(SQLITCH_REGISTRY_RELEASE, NULL);
  if (reg_version(e, &old, &oldv, err)) return SQLITCH_ERROR;
  if (*old && oldv == newv) {
    free(old);
    return SQLITCH_OK;
  }
  if (newv < oldv) {
    sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                    "Registry version is %s but %s is the latest known. "
                    "Please upgrade Sqitch.",
                    old, SQLITCH_REGISTRY_RELEASE);
    free(old);
    return SQLITCH_ERROR;
  }
  const char *const *up = e->ops->upgrades;
  size_t n = 0, first = 0;
  while (up && up[n])
    n++;
  while (first < n && strtod(up[first], NULL) <= oldv)
    first++;
  if (first == n || strtod(up[n - 1], NULL) != newv) {
    sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                    "Cannot upgrade to %s: Cannot find upgrade script "
                    "\"%s-%s.*\"",
                    SQLITCH_REGISTRY_RELEASE, e->ops->key,
                    SQLITCH_REGISTRY_RELEASE);
    free(old);
    return SQLITCH_ERROR;
  }
  INFO("Upgrading the Sqitch registry from %s to %s", *old ? old : "0",
       SQLITCH_REGISTRY_RELEASE);
  char *from = sqlitch_strdup(*old ? old : "0");
  free(old);
  for (size_t i = first; i < n; i++) {
    INFO("  * From %s to %s", from, up[i]);
    if (e->ops->upgrade(e, up[i], err)) {
      free(from);
      return SQLITCH_ERROR;
    }
    free(from);
    from = sqlitch_strdup(up[i]);
  }
  free(from);
  return SQLITCH_OK;
}

int sqlitch_engine_upgrade(sqlitch_engine *e, sqlitch_err *err) {
  int need;
  if (needs_upgrade(e, &need, err)) return SQLITCH_ERROR;
  const char *dest = sqlitch_engine_registry_destination(e);
  if (!need) {
    INFO("Registry %s is up-to-date at version %s", dest,
         SQLITCH_REGISTRY_RELEASE);
    return SQLITCH_OK;
  }
  INFO("Upgrading registry %s to version %s", dest, SQLITCH_REGISTRY_RELEASE);
  return upgrade_registry(e, err);
}

/* ----------------------------------------------------- registry lookups */

int sqlitch_engine_current_state(sqlitch_engine *e, const char *project,
                                 sqlitch_reg_state **out, sqlitch_err *err) {
  if (!project) {
    sqlitch_plan *plan;
    if (sqlitch_engine_plan(e, &plan, err)) return SQLITCH_ERROR;
    project = plan->project;
  }
  return e->ops->current_state(e, project, out, err);
}

int sqlitch_engine_current_changes(sqlitch_engine *e, const char *project,
                                   sqlitch_change_row_fn fn, void *ctx,
                                   sqlitch_err *err) {
  if (!project) {
    sqlitch_plan *plan;
    if (sqlitch_engine_plan(e, &plan, err)) return SQLITCH_ERROR;
    project = plan->project;
  }
  return e->ops->current_changes(e, project, fn, ctx, err);
}

int sqlitch_engine_current_tags(sqlitch_engine *e, const char *project,
                                sqlitch_tag_row_fn fn, void *ctx,
                                sqlitch_err *err) {
  if (!project) {
    sqlitch_plan *plan;
    if (sqlitch_engine_plan(e, &plan, err)) return SQLITCH_ERROR;
    project = plan->project;
  }
  return e->ops->current_tags(e, project, fn, ctx, err);
}

int sqlitch_engine_search_events(sqlitch_engine *e,
                                 const sqlitch_event_query *q,
                                 sqlitch_event_row_fn fn, void *ctx,
                                 sqlitch_err *err) {
  return e->ops->search_events(e, q, fn, ctx, err);
}

int sqlitch_engine_registered_projects(sqlitch_engine *e, sqlitch_strv *out,
                                       sqlitch_err *err) {
  return e->ops->registered_projects(e, out, err);
}

int sqlitch_engine_deployed_changes(sqlitch_engine *e, sqlitch_reg_changes *out,
                                    sqlitch_err *err) {
  sqlitch_plan *plan;
  if (sqlitch_engine_plan(e, &plan, err)) return SQLITCH_ERROR;
  return e->ops->deployed_changes(e, plan->project, NULL, out, err);
}

/* Plan::ChangeList::_offset: strip a trailing ^, ^^, ^N, ~, ~~, ~N. */
static int key_offset(const char *key, size_t *base_len) {
  static const char punct[] = "-!\"#$%&'()*+,./:;<=>?@[\\]^`{|}~";
  size_t n = strlen(key);
  *base_len = n;
  for (size_t i = 0; i < n; i++) {
    char c = key[i];
    if (c != '~' && c != '^') continue;
    if (i > 0 && strchr(punct, key[i - 1])) continue;
    const char *rest = key + i + 1;
    long off;
    if (!*rest)
      off = 1;
    else if (rest[0] == c && !rest[1])
      off = 2;
    else {
      const char *d = rest;
      while (*d >= '0' && *d <= '9')
        d++;
      if (d == rest || *d) continue;
      off = strtol(rest, NULL, 10);
    }
    *base_len = i;
    return (int)(c == '^' ? -off : off);
  }
  return 0;
}

static int is_hex40(const char *s, size_t n) {
  if (n != 40) return 0;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return 1;
}

/* format_tag_qualified_name of a plan change. Caller frees. */
static char *tag_qualified(const sqlitch_plan *plan, const sqlitch_change *c) {
  if (c->ntags)
    return sqlitch_mprintf("%s@%s", c->name, plan->tags[c->tags[0]].name);
  if (c->nrework_tags) {
    const char *t = c->rework_tags[0];
    return sqlitch_mprintf("%s@%s", c->name, t[0] == '@' ? t + 1 : t);
  }
  return sqlitch_mprintf("%s@HEAD", c->name);
}

/* change_id_for with Sqitch's HEAD/ROOT shortcuts and ambiguity report.
   first: return the first id instead of reporting ambiguity. */
static int change_id_for(sqlitch_engine *e, const char *change_id,
                         const char *change, const char *tag,
                         const char *project, int first, char **out,
                         sqlitch_err *err) {
  *out = NULL;
  sqlitch_strv ids = SQLITCH_STRV_INIT;
  int rc = SQLITCH_OK;
  if (change_id && *change_id) {
    rc = e->ops->change_id_for(e, change_id, NULL, NULL, project, &ids, err);
  } else if (change && *change) {
    if (tag && *tag) {
      if (strcmp(tag, "ROOT") == 0) return SQLITCH_OK;
      rc = e->ops->change_id_for(e, NULL, change, tag, project, &ids, err);
    } else {
      rc = e->ops->change_id_for(e, NULL, change, NULL, project, &ids, err);
      if (rc == SQLITCH_OK && ids.n > 1 && !first) {
        VENT("Change \"%s\" is ambiguous. Please specify a tag-qualified "
             "change:",
             change);
        for (size_t i = ids.n; i-- > 0;) {
          long idx = e->plan ? sqlitch_plan_find(e->plan, ids.v[i]) : -1;
          char *name = NULL;
          if (idx >= 0)
            name = tag_qualified(e->plan, &e->plan->changes[idx]);
          else if (e->ops->name_for_change_id(e, ids.v[i], &name, err)) {
            sqlitch_strv_free(&ids);
            return SQLITCH_ERROR;
          }
          VENT("  * %s", name ? name : "");
          free(name);
        }
        sqlitch_strv_free(&ids);
        return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                               "Change Lookup Failed");
      }
    }
  } else if (tag && *tag) {
    if (strcmp(tag, "HEAD") == 0 || strcmp(tag, "ROOT") == 0)
      return e->ops->change_id_at(e, project, strcmp(tag, "HEAD") == 0, 0, out,
                                  err);
    rc = e->ops->change_id_for(e, NULL, NULL, tag, project, &ids, err);
  }
  if (rc == SQLITCH_OK && ids.n) *out = sqlitch_strdup(ids.v[0]);
  sqlitch_strv_free(&ids);
  return rc;
}

/* _params_for_key + find_change_id / find_change. With `row`, loads the
   change (change_offset_from_id); *found says whether there was one. */
static int find_by_key(sqlitch_engine *e, const char *key, char **id_out,
                       sqlitch_reg_change *row, int *found, sqlitch_err *err) {
  size_t blen;
  int offset = key_offset(key, &blen);
  char *base = sqlitch_strndup(key, blen);
  char *at = strchr(base, '@');
  const char *cid = NULL, *change = NULL, *tag = NULL;
  if (at && at[1]) {
    *at = 0;
    change = base;
    tag = at + 1;
  } else {
    if (at) *at = 0; /* "name@" -> name */
    if (is_hex40(base, strlen(base)))
      cid = base;
    else if (strcmp(base, "HEAD") == 0 || strcmp(base, "ROOT") == 0)
      tag = base;
    else
      change = base;
  }
  const char *project = e->plan ? e->plan->project : NULL;
  char *id = NULL;
  int rc = change_id_for(e, cid, change, tag, project, 0, &id, err);
  if (id_out) *id_out = NULL;
  if (found) *found = 0;
  if (rc == SQLITCH_OK && id) {
    if (row) {
      rc = e->ops->load_change(e, project, id, offset, row, found, err);
    } else if (offset) {
      char *o = NULL;
      rc = e->ops->change_id_offset(e, project, id, offset, &o, err);
      *id_out = o;
    } else {
      *id_out = id;
      id = NULL;
    }
  }
  free(id);
  free(base);
  return rc;
}

int sqlitch_engine_change_id_for_key(sqlitch_engine *e, const char *key,
                                     char **out, sqlitch_err *err) {
  sqlitch_plan *plan;
  if (sqlitch_engine_plan(e, &plan, err)) return SQLITCH_ERROR;
  return find_by_key(e, key, out, NULL, NULL, err);
}

/* ---------------------------------------------------------- dependencies */

/* Depend->id: the plan id of an internal dependency, NULL when external. */
static int dep_plan_id(sqlitch_engine *e, const sqlitch_dep *d,
                       const char **out, sqlitch_err *err) {
  sqlitch_plan *plan = e->plan;
  *out = NULL;
  int internal;
  if (d->id && !d->project)
    internal = sqlitch_plan_find(plan, d->id) >= 0;
  else
    internal = !d->project || strcmp(d->project, plan->project) == 0;
  if (!internal) return SQLITCH_OK;
  sqlitch_buf k = SQLITCH_BUF_INIT;
  if (d->change) sqlitch_buf_add(&k, d->change);
  if (d->tag) sqlitch_buf_addf(&k, "@%s", d->tag);
  if (!k.len && d->id) sqlitch_buf_add(&k, d->id);
  long idx = sqlitch_plan_find(plan, sqlitch_buf_str(&k));
  if (idx < 0) {
    sqlitch_err_set(err, SQLITCH_E_PARSE, 2,
                    "Unable to find change \"%s\" in plan %s",
                    sqlitch_buf_str(&k), plan->file);
    sqlitch_buf_free(&k);
    return SQLITCH_ERROR;
  }
  sqlitch_buf_free(&k);
  *out = plan->changes[idx].id;
  return SQLITCH_OK;
}

/* change_id_for_depend: the registry id satisfying a dependency. */
static int dep_registry_id(sqlitch_engine *e, const sqlitch_dep *d,
                           const char *plan_id, char **out, sqlitch_err *err) {
  return change_id_for(e, plan_id, d->change, d->tag,
                       d->project ? d->project : e->plan->project, 1, out, err);
}

/* Push s onto v unless already there (List::MoreUtils::uniq). */
static void push_uniq(sqlitch_strv *v, char *s) {
  if (sqlitch_strv_contains(v, s))
    free(s);
  else
    sqlitch_strv_push_owned(v, s);
}

/* check_deploy_dependencies; fills resolved[i][r] (owned) for change
   from+i's requires. */
static int check_deploy_deps(sqlitch_engine *e, long from, long to,
                             char ***resolved, sqlitch_err *err) {
  sqlitch_plan *plan = e->plan;
  sqlitch_strv conflicts = SQLITCH_STRV_INIT, required = SQLITCH_STRV_INIT;
  /* seen: ids of changes earlier in this batch (plan indices). */
  size_t n = (size_t)(to - from + 1);
  int rc = SQLITCH_OK;
  for (size_t i = 0; i < n && rc == SQLITCH_OK; i++) {
    const sqlitch_change *c = &plan->changes[from + (long)i];
    for (size_t k = 0; k < c->nconflicts && rc == SQLITCH_OK; k++) {
      const sqlitch_dep *d = &c->conflicts[k];
      const char *pid;
      if ((rc = dep_plan_id(e, d, &pid, err))) break;
      int hit = 0;
      for (size_t j = 0; pid && j < i && !hit; j++)
        hit = strcmp(plan->changes[from + (long)j].id, pid) == 0;
      if (!hit) {
        char *rid = NULL;
        if ((rc = dep_registry_id(e, d, pid, &rid, err))) break;
        hit = rid != NULL;
        free(rid);
      }
      if (hit) push_uniq(&conflicts, sqlitch_dep_string(d));
    }
    resolved[i] =
        sqlitch_calloc(c->nrequires ? c->nrequires : 1, sizeof(char *));
    for (size_t k = 0; k < c->nrequires && rc == SQLITCH_OK; k++) {
      const sqlitch_dep *d = &c->requires[k];
      const char *pid;
      if ((rc = dep_plan_id(e, d, &pid, err))) break;
      char *rid = NULL;
      for (size_t j = 0; pid && j < i && !rid; j++)
        if (strcmp(plan->changes[from + (long)j].id, pid) == 0)
          rid = sqlitch_strdup(pid);
      if (!rid && (rc = dep_registry_id(e, d, pid, &rid, err))) break;
      if (rid)
        resolved[i][k] = rid;
      else
        push_uniq(&required, sqlitch_dep_string(d));
    }
  }
  if (rc == SQLITCH_OK && (conflicts.n || required.n)) {
    sqlitch_buf m = SQLITCH_BUF_INIT;
    if (conflicts.n) {
      char *j = sqlitch_strv_join(&conflicts, " ");
      sqlitch_buf_addf(&m, "Conflicts with previously deployed change%s: %s",
                       conflicts.n == 1 ? "" : "s", j);
      free(j);
    }
    if (required.n) {
      char *j = sqlitch_strv_join(&required, " ");
      if (m.len) sqlitch_buf_addc(&m, '\n');
      sqlitch_buf_addf(&m, "Missing required change%s: %s",
                       required.n == 1 ? "" : "s", j);
      free(j);
    }
    rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "%s", m.p);
    sqlitch_buf_free(&m);
  }
  sqlitch_strv_free(&conflicts);
  sqlitch_strv_free(&required);
  if (rc) return rc;

  /* Make sure nothing is already deployed. */
  const char **ids = sqlitch_calloc(n, sizeof *ids);
  for (size_t i = 0; i < n; i++)
    ids[i] = plan->changes[from + (long)i].id;
  sqlitch_strv dep = SQLITCH_STRV_INIT;
  rc = e->ops->are_deployed(e, ids, n, &dep, err);
  free(ids);
  if (rc == SQLITCH_OK && dep.n) {
    sqlitch_buf m = SQLITCH_BUF_INIT;
    for (size_t i = 0; i < dep.n; i++) {
      long idx = sqlitch_plan_find(plan, dep.v[i]);
      char *nwt = idx >= 0
                      ? sqlitch_change_name_with_tags(plan, &plan->changes[idx])
                      : sqlitch_strdup(dep.v[i]);
      if (i) sqlitch_buf_add(&m, ", ");
      sqlitch_buf_addf(&m, "%s (%s)", nwt, dep.v[i]);
      free(nwt);
    }
    if (dep.n == 1)
      rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Change \"%s\" has already been deployed", m.p);
    else
      rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Changes have already been deployed: %s", m.p);
    sqlitch_buf_free(&m);
  }
  sqlitch_strv_free(&dep);
  return rc;
}

/* A set of change ids (open addressing; the strings are borrowed). */
typedef struct idset {
  const char **slot;
  size_t cap, n;
} idset;

static int idset_has(const idset *set, const char *k) {
  if (!set->cap) return 0;
  for (size_t i = name_hash(k) & (set->cap - 1);;
       i = (i + 1) & (set->cap - 1)) {
    if (!set->slot[i]) return 0;
    if (strcmp(set->slot[i], k) == 0) return 1;
  }
}

static void idset_add(idset *set, const char *k) {
  if (2 * (set->n + 1) > set->cap) {
    idset bigger = {NULL, set->cap ? set->cap * 2 : 64, 0};
    bigger.slot = sqlitch_calloc(bigger.cap, sizeof *bigger.slot);
    for (size_t i = 0; i < set->cap; i++)
      if (set->slot[i]) idset_add(&bigger, set->slot[i]);
    free(set->slot);
    *set = bigger;
  }
  size_t i = name_hash(k) & (set->cap - 1);
  while (set->slot[i]) {
    if (strcmp(set->slot[i], k) == 0) return;
    i = (i + 1) & (set->cap - 1);
  }
  set->slot[i] = k;
  set->n++;
}

/* (dependency_id, change_id) pairs sorted by dependency_id. */
static int cmp_pair(const void *a, const void *b) {
  return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* Does a change outside `seen` require `id`? (pairs sorted) */
static int required_elsewhere(char **const *pairs, size_t n, const char *id,
                              const idset *seen) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (strcmp(pairs[mid][0], id) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (size_t i = lo; i < n && strcmp(pairs[i][0], id) == 0; i++)
    if (!idset_has(seen, pairs[i][1])) return 1;
  return 0;
}

/* check_revert_dependencies. With ops->dependents the registry is read
   once and the per-change query (Sqitch's, for its message) only runs for
   a change that something still deployed requires. */
static int check_revert_deps(sqlitch_engine *e, const echs *l,
                             sqlitch_err *err) {
  sqlitch_buf msg = SQLITCH_BUF_INIT;
  idset seen = {NULL, 0, 0};
  sqlitch_strv all = SQLITCH_STRV_INIT;
  char ***pairs = NULL;
  size_t npairs = 0;
  int rc = SQLITCH_OK;
  if (e->ops->dependents) {
    if ((rc = e->ops->dependents(e, &all, err))) goto done;
    npairs = all.n / 2;
    pairs = sqlitch_calloc(npairs ? npairs : 1, sizeof *pairs);
    for (size_t i = 0; i < npairs; i++)
      pairs[i] = &all.v[2 * i];
    qsort(pairs, npairs, sizeof *pairs, cmp_pair);
  }
  for (size_t i = 0; i < l->n && rc == SQLITCH_OK; i++) {
    const ech *c = &l->v[i];
    idset_add(&seen, c->id);
    if (pairs &&
        !required_elsewhere((char **const *)pairs, npairs, c->id, &seen))
      continue;
    sqlitch_reg_requiring *req = NULL;
    size_t nreq = 0;
    if ((rc = e->ops->changes_requiring(e, c->id, &req, &nreq, err))) break;
    sqlitch_strv names = SQLITCH_STRV_INIT;
    for (size_t k = 0; k < nreq; k++) {
      if (idset_has(&seen, req[k].change_id)) continue;
      int same = e->plan && strcmp(req[k].project, e->plan->project) == 0;
      sqlitch_strv_push_owned(
          &names, sqlitch_mprintf("%s%s%s%s", same ? "" : req[k].project,
                                  same ? "" : ":", req[k].change,
                                  req[k].asof_tag ? req[k].asof_tag : ""));
    }
    sqlitch_reg_requiring_free(req, nreq);
    if (!names.n) continue;
    char *j = sqlitch_strv_join(&names, " ");
    if (msg.len) sqlitch_buf_addc(&msg, '\n');
    sqlitch_buf_addf(&msg,
                     "Change \"%s\" required by currently deployed change%s: "
                     "%s",
                     c->nwt, names.n == 1 ? "" : "s", j);
    free(j);
    sqlitch_strv_free(&names);
  }
  if (rc == SQLITCH_OK && msg.len)
    rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "%s", msg.p);
done:
  sqlitch_buf_free(&msg);
  free(seen.slot);
  free(pairs);
  sqlitch_strv_free(&all);
  return rc;
}

/* ------------------------------------------------------------- plan sync */

static int update_script_hashes(sqlitch_engine *e, sqlitch_err *err) {
  sqlitch_plan *plan = e->plan;
  size_t n = plan->nchanges;
  const char **ids = sqlitch_calloc(n ? n : 1, sizeof *ids);
  const char **hs = sqlitch_calloc(n ? n : 1, sizeof *hs);
  for (size_t i = 0; i < n; i++) {
    ids[i] = plan->changes[i].id;
    hs[i] = plan_hash(e, i);
  }
  int rc = e->ops->update_script_hashes(e, plan->project, ids, hs, n, err);
  free(ids);
  free(hs);
  return rc;
}

/* _sync_plan. Without `writes` (before the lock is taken) nothing is
   written: no registry upgrade, no script-hash update, no new tags. */
static int sync_plan(sqlitch_engine *e, int writes, sqlitch_err *err) {
  sqlitch_plan *plan;
  if (sqlitch_engine_plan(e, &plan, err)) return SQLITCH_ERROR;
  sqlitch_reg_state *st = NULL;
  if (e->ops->current_state(e, plan->project, &st, err)) return SQLITCH_ERROR;
  free(e->start_at);
  e->start_at = NULL;
  e->position = -1;
  if (!st) return SQLITCH_OK;
  sqlitch_err lookup = SQLITCH_ERR_INIT;
  long idx = sqlitch_plan_index_of(plan, st->change_id, &lookup);
  sqlitch_err_clear(&lookup);
  int rc = SQLITCH_OK;
  if (idx < 0) {
    sqlitch_buf c = SQLITCH_BUF_INIT;
    sqlitch_buf_add(&c, st->change);
    for (size_t i = 0; i < st->tags.n; i++)
      sqlitch_buf_addf(&c, " %s", st->tags.v[i]);
    rc = sqlitch_err_set(err, SQLITCH_E_PARSE, 2,
                         "Cannot find change %s (%s) in %s", st->change_id, c.p,
                         plan->file);
    sqlitch_buf_free(&c);
    goto done;
  }
  if (!st->has_script_hash) {
    if (writes && (rc = upgrade_registry(e, err))) goto done;
    free(st->script_hash);
    st->script_hash = sqlitch_strdup(st->change_id);
  }
  if (writes && st->script_hash && strcmp(st->script_hash, st->change_id) == 0)
    if ((rc = update_script_hashes(e, err))) goto done;
  e->position = idx;
  const sqlitch_change *c = &plan->changes[idx];
  if (c->ntags) {
    if (writes && !e->opts.dry_run) {
      logrec r;
      if ((rc = logrec_plan(e, (size_t)idx, NULL, &r, err))) goto done;
      rc = e->ops->log_new_tags(e, &r.lc, err);
      logrec_free(&r);
      if (rc) goto done;
    }
    e->start_at = sqlitch_mprintf("%s@%s", c->name,
                                  plan->tags[c->tags[c->ntags - 1]].name);
  } else {
    e->start_at = sqlitch_strdup(c->name);
  }
done:
  sqlitch_reg_state_free(st);
  return rc;
}

/* ------------------------------------------------------ scripts on disk */

/* Sqitch-external check: every script a run needs must exist before we
   start, so a missing file never leaves a half-done deploy. */
static int check_scripts(sqlitch_engine *e, const ech *v, size_t n,
                         sqlitch_script_kind k, sqlitch_err *err) {
  if (e->opts.log_only) return SQLITCH_OK;
  for (size_t i = 0; i < n; i++) {
    char *f = script_path(e, &v[i], k);
    int ok = sqlitch_is_file(f);
    if (!ok) {
      sqlitch_err_set(err, SQLITCH_E_IO, 2, "%s script %s does not exist",
                      k == SQLITCH_SCRIPT_REVERT ? "Revert" : "Deploy", f);
      sqlitch_err_at(err, f, 0);
      free(f);
      return SQLITCH_ERROR;
    }
    free(f);
  }
  return SQLITCH_OK;
}

/* --dry-run: show a change and the SQL that would run. */
static void dry_item(sqlitch_engine *e, char sign, const ech *c,
                     sqlitch_script_kind k) {
  EMIT("  %c %s", sign, c->nwt);
  if (e->opts.log_only) return;
  char *f = script_path(e, c, k);
  char *data = NULL;
  size_t len = 0;
  sqlitch_err ignore = SQLITCH_ERR_INIT;
  EMIT("-- %s", f);
  if (sqlitch_read_file(f, &data, &len, &ignore) == SQLITCH_OK) {
    if (len && data[len - 1] == '\n') data[len - 1] = 0;
    EMIT("%s", data);
  }
  sqlitch_err_clear(&ignore);
  free(data);
  free(f);
}

/* --------------------------------------------------------- one change */

static int run_undo(sqlitch_engine *e, const ech *c) {
  if (e->opts.log_only) return SQLITCH_OK;
  char *f = script_path(e, c, SQLITCH_SCRIPT_REVERT);
  sqlitch_err err = SQLITCH_ERR_INIT;
  if (e->ops->run_script(e, SQLITCH_SCRIPT_REVERT, f, &err)) vent_err(e, &err);
  sqlitch_err_clear(&err);
  free(f);
  return SQLITCH_OK;
}

/* Structured events for the faces (--log-format json, ...): a change's
   begin and end, with its duration. Tags are the "@a @b" of c->nwt. */
static double change_event(sqlitch_engine *e, sqlitch_event_kind kind,
                           const char *op, const ech *c, double t0, int ok,
                           const sqlitch_err *err) {
  const char *sp = c->nwt ? strchr(c->nwt, ' ') : NULL;
  sqlitch_event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = kind;
  ev.op = op;
  ev.change = c->name;
  ev.change_id = c->id;
  ev.tags = sp ? sp + 1 : "";
  ev.ok = ok;
  double now = sqlitch_now();
  ev.seconds = kind == SQLITCH_EV_CHANGE_END ? now - t0 : 0;
  ev.error = !ok && err ? err->msg : NULL;
  sqlitch_report_event(e->rep, &ev);
  return now;
}

static int deploy_change_run(sqlitch_engine *e, const ech *c, size_t width,
                             char *const *resolved, size_t remaining,
                             const char *next_id, sqlitch_err *err);

/* deploy_change_run between its two events. */
static int deploy_change(sqlitch_engine *e, const ech *c, size_t width,
                         char *const *resolved, size_t remaining,
                         const char *next_id, sqlitch_err *err) {
  double t0 = change_event(e, SQLITCH_EV_CHANGE_BEGIN, "deploy", c, 0, 1, NULL);
  int rc = deploy_change_run(e, c, width, resolved, remaining, next_id, err);
  change_event(e, SQLITCH_EV_CHANGE_END, "deploy", c, t0, rc == SQLITCH_OK,
               err);
  return rc;
}

/* deploy_change. resolved: the resolved requires ids of this change. */
static int deploy_change_run(sqlitch_engine *e, const ech *c, size_t width,
                             char *const *resolved, size_t remaining,
                             const char *next_id, sqlitch_err *err) {
  report_item(e, SQLITCH_INFO, '+', c, width);
  logrec r;
  char *script = NULL, *verify = NULL, *text = NULL;
  size_t tlen = 0;
  if (!e->opts.log_only) {
    script = script_path(e, c, SQLITCH_SCRIPT_DEPLOY);
    if (sqlitch_read_file(script, &text, &tlen, err) == SQLITCH_OK)
      set_plan_hash(e, (size_t)c->pidx, text, tlen);
    else {
      free(script);
      return SQLITCH_ERROR;
    }
  }
  if (logrec_plan(e, (size_t)c->pidx, resolved, &r, err)) {
    free(script);
    free(text);
    return SQLITCH_ERROR;
  }
  if (e->opts.with_verify) verify = script_path(e, c, SQLITCH_SCRIPT_VERIFY);
  sqlitch_step s = {0,     script,    verify,  text, tlen,
                    &r.lc, remaining, next_id, 0};
  sqlitch_step_result res = {SQLITCH_STEP_OK, 0};
  int rc = e->ops->step(e, &s, &res, err);
  if (rc == SQLITCH_OK) {
    switch (res.status) {
    case SQLITCH_STEP_OK: INFO("ok"); goto out;
    case SQLITCH_STEP_SCRIPT_FAILED: rc = SQLITCH_ERROR; break;
    case SQLITCH_STEP_VERIFY_FAILED:
      VENT("Verify script \"%s\" failed.", verify);
      if (!res.undone) run_undo(e, c);
      rc = private_err(err, "Deploy failed");
      break;
    case SQLITCH_STEP_LOG_FAILED:
      vent_err(e, err);
      if (!res.undone) run_undo(e, c);
      rc = private_err(err, "Deploy failed");
      break;
    }
  }
  /* The change failed: log it, "not ok", rethrow. */
  {
    sqlitch_err ferr = SQLITCH_ERR_INIT;
    if (e->ops->log_fail(e, &r.lc, &ferr)) {
      sqlitch_err_move(err, &ferr);
    }
    sqlitch_err_clear(&ferr);
  }
  INFO("not ok");
out:
  logrec_free(&r);
  free(script);
  free(verify);
  free(text);
  return rc;
}

static int revert_change_run(sqlitch_engine *e, const ech *c, size_t width,
                             size_t remaining, const char *next_id,
                             sqlitch_err *err);

/* revert_change_run between its two events. */
static int revert_change(sqlitch_engine *e, const ech *c, size_t width,
                         size_t remaining, const char *next_id,
                         sqlitch_err *err) {
  double t0 = change_event(e, SQLITCH_EV_CHANGE_BEGIN, "revert", c, 0, 1, NULL);
  int rc = revert_change_run(e, c, width, remaining, next_id, err);
  change_event(e, SQLITCH_EV_CHANGE_END, "revert", c, t0, rc == SQLITCH_OK,
               err);
  return rc;
}

static int revert_change_run(sqlitch_engine *e, const ech *c, size_t width,
                             size_t remaining, const char *next_id,
                             sqlitch_err *err) {
  report_item(e, SQLITCH_INFO, '-', c, width);
  logrec r;
  if (c->rc ? logrec_reg(e, c->rc, &r, err)
            : logrec_plan(e, (size_t)c->pidx, NULL, &r, err))
    return SQLITCH_ERROR;
  char *script =
      e->opts.log_only ? NULL : script_path(e, c, SQLITCH_SCRIPT_REVERT);
  sqlitch_step s = {1, script, NULL, NULL, 0, &r.lc, remaining, next_id, 1};
  sqlitch_step_result res = {SQLITCH_STEP_OK, 0};
  int rc = e->ops->step(e, &s, &res, err);
  if (rc == SQLITCH_OK) {
    if (res.status == SQLITCH_STEP_OK) {
      INFO("ok");
    } else {
      if (res.status == SQLITCH_STEP_LOG_FAILED) {
        vent_err(e, err);
        sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "Revert failed");
      }
      rc = SQLITCH_ERROR;
    }
  }
  if (rc) INFO("not ok");
  logrec_free(&r);
  free(script);
  return rc;
}

/* _rollback: revert the changes deployed in this run, newest first. */
static int rollback(sqlitch_engine *e, const char *tagged, const ech *run,
                    size_t nrun, size_t width, sqlitch_err *err) {
  if (nrun) {
    const char *to = tagged ? tagged : e->start_at;
    if (to)
      VENT("Reverting to %s", to);
    else
      VENT("Reverting all changes");
    int rc = SQLITCH_OK;
    for (size_t i = nrun; i-- > 0 && rc == SQLITCH_OK;)
      rc = revert_change(e, &run[i], width, i, i ? run[i - 1].id : NULL, err);
    if (rc) {
      vent_err(e, err);
      VENT("The schema will need to be manually repaired");
    }
  }
  return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "Deploy failed");
}

/* ----------------------------------------------------------------- deploy */

typedef enum { MODE_ALL, MODE_TAG, MODE_CHANGE } deploy_mode;

static void free_resolved(char ***resolved, const echs *l, size_t n) {
  for (size_t k = 0; k < n; k++) {
    if (!resolved[k]) continue;
    for (size_t r = 0; r < l->v[k].pc->nrequires; r++)
      free(resolved[k][r]);
    free(resolved[k]);
  }
  free(resolved);
}

static int backup_file(sqlitch_engine *e, sqlitch_err *err) {
  if (!e->opts.backup) return SQLITCH_OK;
  if (!e->ops->backup)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "--backup is not supported by the %s engine",
                           e->ops->name);
  return e->ops->backup(e, e->opts.backup, err);
}

int sqlitch_engine_deploy(sqlitch_engine *e, const char *to, const char *mode,
                          sqlitch_err *err) {
  deploy_mode m;
  if (!mode || !*mode || strcmp(mode, "all") == 0)
    m = MODE_ALL;
  else if (strcmp(mode, "tag") == 0)
    m = MODE_TAG;
  else if (strcmp(mode, "change") == 0)
    m = MODE_CHANGE;
  else
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Unknown deployment mode: \"%s\"", mode);

  /* Lock first, as Sqitch -- except when there is no registry yet: then
     the checks run first (a failed check must not leave a new registry
     file behind), the lock is taken before the registry is created, and
     the state is read again in case another deploy got there first. */
  if (!e->opts.dry_run) {
    int init = 0;
    if (e->ops->initialized(e, &init, err)) return SQLITCH_ERROR;
    if (init && lock_destination(e, err)) return SQLITCH_ERROR;
  }
restart:
  if (sync_plan(e, e->locked, err)) return SQLITCH_ERROR;
  sqlitch_plan *plan = e->plan;
  long to_index = (long)plan->nchanges - 1, position = e->position;
  if (to_index < 0)
    return sqlitch_err_set(err, SQLITCH_E_PARSE, 2,
                           "Nothing to deploy (empty plan)");
  if (to) {
    sqlitch_err lerr = SQLITCH_ERR_INIT;
    to_index = sqlitch_plan_index_of(plan, to, &lerr);
    if (to_index == -2) {
      sqlitch_err_move(err, &lerr);
      return SQLITCH_ERROR;
    }
    sqlitch_err_clear(&lerr);
    if (to_index < 0)
      return sqlitch_err_set(err, SQLITCH_E_PARSE, 2, "Unknown change: \"%s\"",
                             to);
    if (to_index == position) {
      INFO("Nothing to deploy (already at \"%s\")", to);
      return SQLITCH_OK;
    }
  }
  if (position == to_index) {
    INFO("Nothing to deploy (up-to-date)");
    return SQLITCH_OK;
  }
  if (position != -1 && to_index < position)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Cannot deploy to an earlier change; use "
                           "\"revert\" instead");

  /* The changes to deploy. */
  size_t n = (size_t)(to_index - position);
  echs l = {sqlitch_calloc(n, sizeof(ech)), n};
  for (size_t i = 0; i < n; i++)
    ech_from_plan(plan, position + 1 + (long)i, &l.v[i]);
  char ***resolved = sqlitch_calloc(n, sizeof(char **));
  int rc = SQLITCH_OK;

  /* sqlitch: everything the run needs must be there before we start. */
  if ((rc = check_scripts(e, l.v, n, SQLITCH_SCRIPT_DEPLOY, err))) goto done;
  if (!e->opts.log_only && !e->opts.dry_run && e->ops->prepare &&
      (rc = e->ops->prepare(e, err)))
    goto done;
  if (!e->locked && !e->opts.dry_run) {
    if ((rc = lock_destination(e, err))) goto done;
    long before = e->position;
    if ((rc = sync_plan(e, 1, err))) goto done;
    if (e->position != before) { /* someone deployed meanwhile */
      free_resolved(resolved, &l, n);
      echs_free(&l);
      goto restart;
    }
  }

  if (position == -1) {
    int init = 0;
    if ((rc = e->ops->initialized(e, &init, err))) goto done;
    if (init) {
      if (!e->opts.dry_run && (rc = upgrade_registry(e, err))) goto done;
    } else {
      INFO("Adding registry tables to %s",
           sqlitch_engine_registry_destination(e));
      if (!e->opts.dry_run && (rc = e->ops->initialize(e, err))) goto done;
    }
    if (!e->opts.dry_run &&
        (rc = e->ops->register_project(e, plan->project, plan->uri, err)))
      goto done;
  } else if (!e->opts.dry_run && (rc = upgrade_registry(e, err))) {
    goto done;
  }

  if (to) {
    char *nwt = sqlitch_change_name_with_tags(plan, &plan->changes[to_index]);
    INFO("Deploying changes through %s to %s", nwt,
         sqlitch_engine_destination(e));
    free(nwt);
  } else {
    INFO("Deploying changes to %s", sqlitch_engine_destination(e));
  }

  if ((rc = check_deploy_deps(e, position + 1, to_index, resolved, err)))
    goto done;

  size_t width = max_len(l.v, n);
  if (e->opts.dry_run) {
    for (size_t i = 0; i < n; i++)
      dry_item(e, '+', &l.v[i], SQLITCH_SCRIPT_DEPLOY);
    goto done;
  }
  if ((rc = backup_file(e, err))) goto done;

  /* _deploy_all / _deploy_by_tag / _deploy_by_change */
  size_t run_from = 0, i;
  const ech *last_tagged = NULL;
  for (i = 0; i < n; i++) {
    if ((rc = deploy_change(e, &l.v[i], width, resolved[i], n - 1 - i,
                            i + 1 < n ? l.v[i + 1].id : NULL, err)))
      break;
    e->position = l.v[i].pidx;
    if (m == MODE_TAG && l.v[i].pc->ntags) {
      run_from = i + 1;
      last_tagged = &l.v[i];
    }
  }
  if (rc && m != MODE_CHANGE) {
    vent_err(e, err);
    sqlitch_err_clear(err);
    size_t from = m == MODE_TAG ? run_from : 0;
    rc = rollback(e, last_tagged ? last_tagged->nwt : NULL, l.v + from,
                  i - from, width, err);
  }

done:
  free_resolved(resolved, &l, n);
  echs_free(&l);
  return finish(rc, err);
}

/* ----------------------------------------------------------------- revert */

static int ask(sqlitch_engine *e, const char *msg, int *yes, sqlitch_err *err) {
  if (!e->opts.ask_yes_no) {
    *yes = e->opts.prompt_accept;
    return SQLITCH_OK;
  }
  int r = e->opts.ask_yes_no(e->opts.ask_ctx, msg, e->opts.prompt_accept, err);
  if (r < 0) return SQLITCH_ERROR;
  *yes = r;
  return SQLITCH_OK;
}

int sqlitch_engine_revert(sqlitch_engine *e, const char *to, sqlitch_err *err) {
  sqlitch_plan *plan;
  if (sqlitch_engine_check_registry(e, err) || lock_destination(e, err) ||
      sqlitch_engine_plan(e, &plan, err))
    return SQLITCH_ERROR;
  const char *dest = sqlitch_engine_destination(e);
  sqlitch_reg_changes rows = {0};
  echs l = {0};
  int rc = SQLITCH_OK, yes = 1;
  char *msg = NULL;

  if (to) {
    sqlitch_reg_change target;
    memset(&target, 0, sizeof target);
    int found = 0;
    if ((rc = find_by_key(e, to, NULL, &target, &found, err))) goto done;
    if (!found) {
      if (sqlitch_plan_find(plan, to) >= 0)
        rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                             "Change not deployed: \"%s\"", to);
      else
        rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "Unknown change: \"%s\"",
                             to);
      goto done;
    }
    echs one = {0};
    load_changes(e, &target, 1, &one);
    rc = e->ops->deployed_changes(e, plan->project, target.id, &rows, err);
    if (rc == SQLITCH_OK && rows.n == 0) {
      INFO("No changes deployed since: \"%s\"", to);
    } else if (rc == SQLITCH_OK) {
      if (e->opts.no_prompt || e->opts.dry_run)
        INFO("Reverting changes to %s from %s", one.v[0].nwt, dest);
      else {
        msg = sqlitch_mprintf("Revert changes to %s from %s?", one.v[0].nwt,
                              dest);
        rc = ask(e, msg, &yes, err);
      }
    }
    echs_free(&one);
    sqlitch_reg_change_clear(&target);
    if (rc || rows.n == 0) goto done;
  } else {
    if ((rc = e->ops->deployed_changes(e, plan->project, NULL, &rows, err)))
      goto done;
    if (rows.n == 0) {
      INFO("Nothing to revert (nothing deployed)");
      goto done;
    }
    if (e->opts.no_prompt || e->opts.dry_run)
      INFO("Reverting all changes from %s", dest);
    else {
      msg = sqlitch_mprintf("Revert all changes from %s?", dest);
      if ((rc = ask(e, msg, &yes, err))) goto done;
    }
  }
  if (!yes) {
    rc = sqlitch_err_set(err, SQLITCH_E_GENERIC, 1, "Nothing reverted");
    goto done;
  }

  /* Newest first. */
  load_changes(e, rows.v, rows.n, &l);
  for (size_t i = 0; i < l.n / 2; i++) {
    ech t = l.v[i];
    l.v[i] = l.v[l.n - 1 - i];
    l.v[l.n - 1 - i] = t;
  }
  if ((rc = check_revert_deps(e, &l, err))) goto done;
  size_t width = max_len(l.v, l.n);
  if (e->opts.dry_run) {
    for (size_t i = 0; i < l.n; i++)
      dry_item(e, '-', &l.v[i], SQLITCH_SCRIPT_REVERT);
    goto done;
  }
  if ((rc = check_scripts(e, l.v, l.n, SQLITCH_SCRIPT_REVERT, err))) goto done;
  if (!e->opts.log_only && e->ops->prepare && (rc = e->ops->prepare(e, err)))
    goto done;
  for (size_t i = 0; i < l.n && rc == SQLITCH_OK; i++)
    rc = revert_change(e, &l.v[i], width, l.n - 1 - i,
                       i + 1 < l.n ? l.v[i + 1].id : NULL, err);

done:
  free(msg);
  echs_free(&l);
  sqlitch_reg_changes_free(&rows);
  return finish(rc, err);
}

/* --------------------------------------------------------- verify, check */

/* _trim_to: find `key` in the registry and the plan; pop/shift the list. */
static int trim_to(sqlitch_engine *e, const char *key, echs *l, int pop,
                   long *idx, sqlitch_err *err) {
  char *id = NULL;
  if (find_by_key(e, key, &id, NULL, NULL, err)) return SQLITCH_ERROR;
  if (!id) {
    if (sqlitch_plan_find(e->plan, key) >= 0)
      return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                             "Change \"%s\" has not been deployed", key);
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Cannot find \"%s\" in the database or the plan",
                           key);
  }
  sqlitch_err lerr = SQLITCH_ERR_INIT;
  long i = sqlitch_plan_index_of(e->plan, id, &lerr);
  sqlitch_err_clear(&lerr);
  if (i < 0) {
    free(id);
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Change \"%s\" is deployed, but not planned", key);
  }
  if (pop) {
    while (l->n && strcmp(l->v[l->n - 1].id, id) != 0) {
      l->n--;
      free(l->v[l->n].nwt);
      sqlitch_strv_free(&l->v[l->n].rtags);
    }
  } else {
    size_t k = 0;
    while (k < l->n && strcmp(l->v[k].id, id) != 0)
      k++;
    for (size_t j = 0; j < k; j++) {
      free(l->v[j].nwt);
      sqlitch_strv_free(&l->v[j].rtags);
    }
    memmove(l->v, l->v + k, (l->n - k) * sizeof(ech));
    l->n -= k;
  }
  free(id);
  *idx = i;
  return SQLITCH_OK;
}

static int from_to(sqlitch_engine *e, const char *from, const char *to, echs *l,
                   long *from_idx, long *to_idx, sqlitch_err *err) {
  *from_idx = 0;
  if (from && trim_to(e, from, l, 0, from_idx, err)) return SQLITCH_ERROR;
  if (to) return trim_to(e, to, l, 1, to_idx, err);
  char *id = NULL;
  if (e->ops->change_id_at(e, e->plan->project, 1, 0, &id, err))
    return SQLITCH_ERROR;
  *to_idx = (long)e->plan->nchanges - 1;
  if (id) {
    sqlitch_err lerr = SQLITCH_ERR_INIT;
    long i = sqlitch_plan_index_of(e->plan, id, &lerr);
    sqlitch_err_clear(&lerr);
    if (i >= 0) *to_idx = i;
    free(id);
  }
  return SQLITCH_OK;
}

/* A problem found while verifying a change: Sqitch's "# ..." comment,
   also kept (one per line) for the change's end event. */
static void verify_problem(sqlitch_engine *e, sqlitch_buf *why, int *errs,
                           const char *text) {
  (*errs)++;
  sqlitch_report(e->rep, SQLITCH_COMMENT, "%s", text);
  if (why->len) sqlitch_buf_addc(why, '\n');
  sqlitch_buf_add(why, text);
}

/* The end event of a verified change: ok unless problems were found. */
static void verify_end(sqlitch_engine *e, const ech *c, double t0,
                       sqlitch_buf *why) {
  sqlitch_err werr = SQLITCH_ERR_INIT;
  werr.msg = why->len ? why->p : NULL;
  change_event(e, SQLITCH_EV_CHANGE_END, "verify", c, t0, why->len == 0, &werr);
  sqlitch_buf_reset(why);
}

/* Run the verify script of c (a missing one is not an error). */
static void verify_script(sqlitch_engine *e, const ech *c, sqlitch_buf *why,
                          int *errs) {
  char *f = script_path(e, c, SQLITCH_SCRIPT_VERIFY);
  sqlitch_err err = SQLITCH_ERR_INIT;
  /* (whether the file exists is asked only when running it failed: one
     system call less per change) */
  if (e->ops->run_script(e, SQLITCH_SCRIPT_VERIFY, f, &err) &&
      !sqlitch_path_exists(f)) {
    VENT("Verify script %s does not exist", f);
  } else if (err.kind != SQLITCH_E_NONE) {
    char *m = sqlitch_mprintf("Verify script \"%s\" failed.", f);
    verify_problem(e, why, errs, m);
    free(m);
  }
  sqlitch_err_clear(&err);
  free(f);
}

int sqlitch_engine_verify(sqlitch_engine *e, const char *from, const char *to,
                          sqlitch_err *err) {
  sqlitch_plan *plan;
  if (sqlitch_engine_check_registry(e, err) ||
      sqlitch_engine_plan(e, &plan, err))
    return SQLITCH_ERROR;
  sqlitch_reg_changes rows = {0};
  if (e->ops->deployed_changes(e, plan->project, NULL, &rows, err))
    return SQLITCH_ERROR;
  echs l = {0};
  load_changes(e, rows.v, rows.n, &l);
  int rc = SQLITCH_OK;
  INFO("Verifying %s", sqlitch_engine_destination(e));
  if (l.n == 0) {
    INFO("%s", plan->nchanges ? "No changes deployed"
                              : "Nothing to verify (no planned or deployed "
                                "changes)");
    goto done;
  }
  if (plan->nchanges == 0) {
    rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                         "There are deployed changes, but none planned!");
    goto done;
  }
  long from_idx, to_idx;
  if ((rc = from_to(e, from, to, &l, &from_idx, &to_idx, err))) goto done;

  /* _verify_changes */
  size_t width = max_len(l.v, l.n);
  for (long k = from_idx; k <= to_idx; k++) {
    char *nwt = sqlitch_change_name_with_tags(plan, &plan->changes[k]);
    size_t w = sqlitch_utf8_len(nwt);
    if (w > width) width = w;
    free(nwt);
  }
  size_t span = to_idx >= from_idx ? (size_t)(to_idx - from_idx + 1) : 0;
  unsigned char *seen = sqlitch_calloc(span ? span : 1, 1);
  long errcount = 0;
  /* Each change, the undeployed ones too, comes between a begin and an
     end event (the end's error: the problems' comments). */
  sqlitch_buf why = SQLITCH_BUF_INIT;
  for (size_t i = 0; i < l.n; i++) {
    const ech *c = &l.v[i];
    int errs = 0, reworked = 0;
    double t0 =
        change_event(e, SQLITCH_EV_CHANGE_BEGIN, "verify", c, 0, 1, NULL);
    report_item(e, SQLITCH_EMIT, '*', c, width);
    sqlitch_err lerr = SQLITCH_ERR_INIT;
    long pi = sqlitch_plan_index_of(plan, c->id, &lerr);
    sqlitch_err_clear(&lerr);
    if (pi >= 0) {
      if (pi >= from_idx && pi <= to_idx) seen[pi - from_idx] = 1;
      if (pi != from_idx + (long)i)
        verify_problem(e, &why, &errs, "Out of order");
      reworked = plan->changes[pi].nrework_tags > 0;
    } else {
      verify_problem(e, &why, &errs, "Not present in the plan");
    }
    if (!reworked) verify_script(e, c, &why, &errs);
    verify_end(e, c, t0, &why);
    EMIT("%s", errs ? "not ok" : "ok");
    errcount += errs;
  }
  for (long k = from_idx; k <= to_idx; k++) {
    if (seen[k - from_idx]) continue;
    ech c;
    ech_from_plan(plan, k, &c);
    double t0 =
        change_event(e, SQLITCH_EV_CHANGE_BEGIN, "verify", &c, 0, 1, NULL);
    sqlitch_buf b = SQLITCH_BUF_INIT;
    sqlitch_buf_addf(&b, "  * %s ..", c.nwt);
    if (width > c.nwt_len) sqlitch_buf_pad(&b, '.', width - c.nwt_len);
    sqlitch_buf_add(&b, " not ok ");
    sqlitch_report_literal(e->rep, SQLITCH_EMIT, "%s", b.p);
    sqlitch_buf_free(&b);
    int errs = 0;
    verify_problem(e, &why, &errs, "Not deployed");
    verify_end(e, &c, t0, &why);
    free(c.nwt);
    errcount += errs;
  }
  sqlitch_buf_free(&why);
  free(seen);
  if (!to && to_idx < (long)plan->nchanges - 1) {
    long np = (long)plan->nchanges - 1 - to_idx;
    EMIT("%s", np == 1 ? "Undeployed change:" : "Undeployed changes:");
    for (long k = to_idx + 1; k < (long)plan->nchanges; k++) {
      char *nwt = sqlitch_change_name_with_tags(plan, &plan->changes[k]);
      EMIT("  * %s", nwt);
      free(nwt);
    }
  }
  if (errcount) {
    long num = 1 + to_idx - from_idx;
    if ((long)l.n > num) num = (long)l.n;
    EMIT("\nVerify Summary Report");
    EMIT("---------------------");
    EMIT("Changes: %ld", num);
    EMIT("Errors:  %ld", errcount);
    rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "Verify failed");
    goto done;
  }
  EMIT("Verify successful");

done:
  echs_free(&l);
  sqlitch_reg_changes_free(&rows);
  return rc;
}

/* _find_planned_deployed_divergence_idx */
static long divergence(sqlitch_engine *e, long from_idx, const echs *l) {
  for (size_t i = 0; i < l->n; i++) {
    long pi = (long)i + from_idx;
    if (pi >= (long)e->plan->nchanges) return (long)i;
    const char *ph = plan_hash(e, (size_t)pi);
    const char *dh = l->v[i].rc->script_hash;
    if (strcmp(ph ? ph : "", dh ? dh : "") != 0) return (long)i;
  }
  return -1;
}

int sqlitch_engine_common_ancestor_id(sqlitch_engine *e, char **out,
                                      sqlitch_err *err) {
  sqlitch_plan *plan;
  *out = NULL;
  if (sqlitch_engine_plan(e, &plan, err)) return SQLITCH_ERROR;
  sqlitch_reg_changes rows = {0};
  if (e->ops->deployed_changes(e, plan->project, NULL, &rows, err))
    return SQLITCH_ERROR;
  echs l = {0};
  load_changes(e, rows.v, rows.n, &l);
  long d = divergence(e, 0, &l);
  if (d == -1 && l.n)
    *out = sqlitch_strdup(l.v[l.n - 1].id);
  else if (d > 0)
    *out = sqlitch_strdup(l.v[d - 1].id);
  echs_free(&l);
  sqlitch_reg_changes_free(&rows);
  return SQLITCH_OK;
}

int sqlitch_engine_check(sqlitch_engine *e, const char *from, const char *to,
                         sqlitch_err *err) {
  sqlitch_plan *plan;
  if (sqlitch_engine_check_registry(e, err) ||
      sqlitch_engine_plan(e, &plan, err))
    return SQLITCH_ERROR;
  sqlitch_reg_changes rows = {0};
  if (e->ops->deployed_changes(e, plan->project, NULL, &rows, err))
    return SQLITCH_ERROR;
  echs l = {0};
  load_changes(e, rows.v, rows.n, &l);
  int rc = SQLITCH_OK;
  INFO("Checking %s", sqlitch_engine_destination(e));
  if (l.n == 0) {
    INFO("%s", plan->nchanges ? "No changes deployed"
                              : "Nothing to check (no planned or deployed "
                                "changes)");
    goto done;
  }
  long from_idx, to_idx;
  if ((rc = from_to(e, from, to, &l, &from_idx, &to_idx, err))) goto done;
  long d = divergence(e, from_idx, &l);
  if (d != -1) {
    EMIT("Script signatures diverge at change %s", l.v[d].nwt);
    rc = sqlitch_err_set(err, SQLITCH_E_GENERIC, 1, "Failed one check");
    goto done;
  }
  EMIT("Check successful");
done:
  echs_free(&l);
  sqlitch_reg_changes_free(&rows);
  return rc;
}

/* ------------------------------------------------------ client programs */

static void client_output(void *ctx, int fd, const char *data, size_t n) {
  (void)n;
  sqlitch_report_literal((const sqlitch_reporter *)ctx,
                         fd == 2 ? SQLITCH_VENT : SQLITCH_EMIT, "%s", data);
}

int sqlitch_engine_run_client(sqlitch_engine *e, char *const *argv,
                              char *const *env, int show_out,
                              sqlitch_err *err) {
  sqlitch_proc p = SQLITCH_PROC_INIT;
  p.argv = argv;
  p.env = env;
  p.out = show_out ? SQLITCH_PROC_CALLBACK : SQLITCH_PROC_DEVNULL;
  p.err = SQLITCH_PROC_CALLBACK;
  p.on_output = client_output;
  p.ctx = (void *)e->rep;
  int status;
  int start_errno = sqlitch_proc_run(&p, &status);
  return sqlitch_proc_fail(err, argv[0], start_errno, status);
}

void sqlitch_log_tag_row(const sqlitch_log_change *c, const sqlitch_log_tag *t,
                         const char *planned_at, const char *v[10]) {
  v[0] = t->tag_id;
  v[1] = t->tag;
  v[2] = c->project;
  v[3] = c->change_id;
  v[4] = t->note ? t->note : "";
  v[5] = c->committer_name;
  v[6] = c->committer_email;
  v[7] = planned_at;
  v[8] = t->planner_name;
  v[9] = t->planner_email;
}
