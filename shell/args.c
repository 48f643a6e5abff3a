/*
** args.c -- Sqitch's Command::parse_args: sort positional arguments into
** changes, targets, engines and plan files. See args.h for the rules and
** an example.
**
** Ownership inside sh_parse_args: every target created while scanning is
** either moved into out->targets or kept in `spare` (a target that became
** current but was already named, or one from all_targets) and freed at
** the end. Plans loaded to look changes up are cached per plan file.
*/
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "plan.h"

typedef sh_args_plan plan_slot;

typedef struct {
  sqlitch_target **v;
  size_t n, cap;
} tvec;

static void tv_push(tvec *t, sqlitch_target *x) {
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 4;
    t->v = sqlitch_realloc(t->v, t->cap * sizeof *t->v);
  }
  t->v[t->n++] = x;
}

typedef struct {
  sh_ctx *ctx;
  const sqlitch_target_opts *topts;
  tvec spare; /* targets to free at the end */
  plan_slot *plans;
  size_t nplans;
  sqlitch_target **all;      /* all_targets still owned here (NULL when
                                moved out), loaded on first need */
  sqlitch_target **seen_all; /* the same, never cleared: for lookups */
  size_t nall;
  int all_loaded;
} state;

/* The plan of a target, loaded once per file. */
static int plan_for(state *st, const sqlitch_target *t, sqlitch_plan **out,
                    sqlitch_err *err) {
  for (size_t i = 0; i < st->nplans; i++) {
    if (strcmp(st->plans[i].file, t->plan_file) == 0) {
      *out = st->plans[i].plan;
      return SQLITCH_OK;
    }
  }
  sqlitch_plan *p;
  if (sqlitch_plan_load(t->plan_file, &p, err)) return SQLITCH_ERROR;
  st->plans = sqlitch_realloc(st->plans, (st->nplans + 1) * sizeof *st->plans);
  st->plans[st->nplans].file = sqlitch_strdup(t->plan_file);
  st->plans[st->nplans].plan = p;
  st->nplans++;
  *out = p;
  return SQLITCH_OK;
}

/* Plan->contains (sqlitch_plan_contains) on the target's plan. Returns 1,
   0 or SQLITCH_ERROR. */
static int plan_contains(state *st, const sqlitch_target *t, const char *arg,
                         sqlitch_err *err) {
  sqlitch_plan *p;
  if (plan_for(st, t, &p, err)) return SQLITCH_ERROR;
  return sqlitch_plan_contains(p, arg, err);
}

static int load_all(state *st, sqlitch_err *err) {
  if (st->all_loaded) return SQLITCH_OK;
  if (sqlitch_target_all(st->ctx->config, st->topts, &st->all, &st->nall, err))
    return SQLITCH_ERROR;
  st->all_loaded = 1;
  st->seen_all = sqlitch_calloc(st->nall + 1, sizeof *st->seen_all);
  memcpy(st->seen_all, st->all, st->nall * sizeof *st->all);
  return SQLITCH_OK;
}

static int named(const sh_args *a, const char *name) {
  for (size_t i = 0; i < a->ntargets; i++)
    if (strcmp(a->targets[i]->name, name) == 0) return 1;
  return 0;
}

/* Keep t as a result unless its name was seen; else park it. */
static void add_target(state *st, sh_args *a, sqlitch_target *t) {
  if (named(a, t->name)) {
    tv_push(&st->spare, t);
    return;
  }
  a->targets =
      sqlitch_realloc(a->targets, (a->ntargets + 1) * sizeof *a->targets);
  a->targets[a->ntargets++] = t;
}

/* Move every all_targets entry into the result. */
static void take_all(state *st, sh_args *a) {
  for (size_t i = 0; i < st->nall; i++) {
    if (!st->all[i]) continue;
    a->targets =
        sqlitch_realloc(a->targets, (a->ntargets + 1) * sizeof *a->targets);
    a->targets[a->ntargets++] = st->all[i];
    st->all[i] = NULL;
  }
}

static void state_free(state *st) {
  for (size_t i = 0; i < st->spare.n; i++)
    sqlitch_target_free(st->spare.v[i]);
  free(st->spare.v);
  for (size_t i = 0; i < st->nplans; i++) {
    free(st->plans[i].file);
    sqlitch_plan_free(st->plans[i].plan);
  }
  free(st->plans);
  for (size_t i = 0; i < st->nall; i++)
    sqlitch_target_free(st->all[i]);
  free(st->all);
  free(st->seen_all);
}

int sh_parse_args(sh_ctx *ctx, const sh_args_spec *spec, int argc, char **argv,
                  sh_args *out, sqlitch_err *err) {
  static const sqlitch_target_opts none;
  const sqlitch_config *cfg = ctx->config;
  state st;
  sqlitch_err deferr = SQLITCH_ERR_INIT;
  sqlitch_strv unknown = SQLITCH_STRV_INIT;
  sqlitch_target *target = NULL, *deftarget = NULL;
  int rc = SQLITCH_ERROR;

  memset(out, 0, sizeof *out);
  memset(&st, 0, sizeof st);
  st.ctx = ctx;
  st.topts = spec->topts ? spec->topts : &none;

  /* the specified or default target */
  if (sqlitch_target_new(cfg, spec->target, st.topts, &deftarget,
                         sqlitch_perl_true(spec->target) ? err : &deferr)) {
    if (sqlitch_perl_true(spec->target)) goto done;
    deftarget = NULL;
  }
  target = deftarget;
  if (deftarget) {
    if (sqlitch_perl_true(spec->target))
      add_target(&st, out, deftarget);
    else
      tv_push(&st.spare, deftarget);
  }

  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (!spec->no_changes && target && sqlitch_path_exists(target->plan_file)) {
      int c = plan_contains(&st, target, arg, err);
      if (c < 0) goto done;
      if (c) {
        sqlitch_strv_push(&out->changes, arg);
        continue;
      }
    }
    sqlitch_arg_kind kind = sqlitch_target_arg_kind(cfg, arg);
    if (kind != SQLITCH_ARG_OTHER) {
      char *name = kind == SQLITCH_ARG_ENGINE
                       ? sqlitch_target_engine_target(cfg, arg)
                       : sqlitch_strdup(arg);
      sqlitch_target *t;
      int r = sqlitch_target_new(cfg, name, st.topts, &t, err);
      free(name);
      if (r) goto done;
      add_target(&st, out, t);
      target = t;
    } else if (sqlitch_path_exists(arg)) {
      if (load_all(&st, err)) goto done;
      /* the first target with this plan file */
      size_t k = 0;
      while (k < st.nall && strcmp(st.seen_all[k]->plan_file, arg) != 0)
        k++;
      if (k < st.nall) {
        if (st.all[k]) { /* not yet moved out: keep it (or park it) */
          add_target(&st, out, st.all[k]);
          st.all[k] = NULL;
        }
        target = st.seen_all[k];
      } else {
        sqlitch_strv_push(&unknown, arg);
      }
    } else {
      sqlitch_strv_push(&unknown, arg);
    }
  }

  /* fill empty name slots from the unknown arguments */
  size_t used = 0;
  if (spec->nnames) {
    out->names = sqlitch_calloc(spec->nnames, sizeof *out->names);
    out->nnames = spec->nnames;
    for (size_t k = 0; k < spec->nnames; k++) {
      const char *v = spec->names ? spec->names[k] : NULL;
      if (sqlitch_perl_true(v))
        out->names[k] = sqlitch_strdup(v);
      else if (used < unknown.n)
        out->names[k] = sqlitch_strdup(unknown.v[used++]);
    }
  }
  if (used < unknown.n) {
    if (unknown.n - used == 1) {
      sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "Unknown argument \"%s\"",
                      unknown.v[used]);
    } else {
      sqlitch_buf b = SQLITCH_BUF_INIT;
      for (size_t k = used; k < unknown.n; k++)
        sqlitch_buf_addf(&b, "%s%s", k > used ? ", " : "", unknown.v[k]);
      sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "Unknown arguments: %s",
                      sqlitch_buf_str(&b));
      sqlitch_buf_free(&b);
    }
    goto done;
  }

  if (spec->all) {
    if (out->ntargets) {
      sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                      "Cannot specify both --all and engine, target, or plan "
                      "arugments");
      goto done;
    }
    if (load_all(&st, err)) goto done;
    take_all(&st, out);
  } else if (!out->ntargets) {
    int all = 0;
    char *key = sqlitch_mprintf("%s.all", ctx->command ? ctx->command : "");
    int r = sqlitch_config_get_bool(cfg, key, &all, err);
    free(key);
    if (r < 0) goto done;
    if (r == 1 && all) {
      if (load_all(&st, err)) goto done;
      take_all(&st, out);
    } else {
      if (!deftarget) {
        sqlitch_err_move(err, &deferr);
        goto done;
      }
      /* the default target: move it out of the spare list */
      for (size_t k = 0; k < st.spare.n; k++)
        if (st.spare.v[k] == deftarget) st.spare.v[k] = NULL;
      add_target(&st, out, deftarget);
    }
  }
  rc = SQLITCH_OK;
  /* the parsed plans go with the result */
  out->plans = st.plans;
  out->nplans = st.nplans;
  st.plans = NULL;
  st.nplans = 0;

done:
  sqlitch_strv_free(&unknown);
  sqlitch_err_clear(&deferr);
  state_free(&st);
  if (rc) sh_args_free(out);
  return rc;
}

void sh_args_free(sh_args *a) {
  if (!a) return;
  for (size_t i = 0; i < a->nnames; i++)
    free(a->names[i]);
  free(a->names);
  for (size_t i = 0; i < a->ntargets; i++)
    sqlitch_target_free(a->targets[i]);
  free(a->targets);
  sqlitch_strv_free(&a->changes);
  for (size_t i = 0; i < a->nplans; i++) {
    free(a->plans[i].file);
    sqlitch_plan_free(a->plans[i].plan);
  }
  free(a->plans);
  memset(a, 0, sizeof *a);
}

sqlitch_plan *sh_args_plan_of(const sh_args *a, const char *file) {
  for (size_t i = 0; file && i < a->nplans; i++)
    if (strcmp(a->plans[i].file, file) == 0) return a->plans[i].plan;
  return NULL;
}
