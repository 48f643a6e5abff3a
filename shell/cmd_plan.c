/*
** cmd_plan.c -- `sqlitch plan`: list the changes of a target's plan
** (App::Sqitch::Command::plan).
**
**   sqlitch plan [<target>] [--event deploy|revert] [--change RE]
**                [--planner RE] [-n N] [--skip N] [--reverse]
**                [--format NAME|format:TEMPLATE] [--date-format FMT]
**                [--color always|never|auto] [--no-color] [--abbrev N]
**                [--oneline] [--no-headers] [--json]
**
** Flow, as Sqitch's: configure (formats, date format and colour come from
** the options, then plan.format / plan.date_format / plan.color; bad
** values exit 255), sort the arguments, load the plan ("No changes in
** FILE" exits 1), compile the filters, print the headers, then format each
** selected change. Filters are OR-ed, and -n/--skip select the positions
** scanned, not the entries printed (Plan::search_changes, with Perl's
** negative array indexes). Output is built in one buffer and paged in
** large chunks; an error after some items keeps what was printed.
**
** --json (sqlitch only) prints one JSON document instead, with the same
** selection of changes (see plan_json below and docs/json.md); the
** formatting options do not apply. An empty plan prints the document with
** no changes and still exits 1, without the message.
*/
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "format.h"
#include "json.h"
#include "plan.h"
#include "regex.h"
#include "shell.h"

static const char *const opts[] = {"event=s",
                                   "target|t=s",
                                   "change-pattern|change=s",
                                   "planner-pattern|planner=s",
                                   "format|f=s",
                                   "date-format|date=s",
                                   "max-count|n=i",
                                   "skip=i",
                                   "reverse!",
                                   "color=s",
                                   "no-color",
                                   "abbrev=i",
                                   "oneline",
                                   "headers!",
                                   "json",
                                   NULL};

#define FLUSH_AT (64 * 1024)

/* The filters of Plan::search_changes; a change is shown when any of
   them matches (or when there are none). */
typedef struct filters {
  sqlitch_regex *planner, *name;
  int op; /* 0 none, 1 deploy, 2 revert */
} filters;

static int filters_init(const sh_opts *o, filters *f, sqlitch_err *err) {
  const char *planner = sh_opt_str(o, "planner-pattern");
  const char *name = sh_opt_str(o, "change-pattern");
  const char *event = sh_opt_str(o, "event");
  memset(f, 0, sizeof *f);
  if (sqlitch_perl_true(planner) &&
      sqlitch_regex_compile(planner, 0, &f->planner, err))
    return SQLITCH_ERROR;
  if (sqlitch_perl_true(name) && sqlitch_regex_compile(name, 0, &f->name, err))
    return SQLITCH_ERROR;
  if (sqlitch_perl_true(event)) {
    char *op = sqlitch_strlower(event);
    if (strcmp(op, "deploy") == 0)
      f->op = 1;
    else if (strcmp(op, "revert") == 0)
      f->op = 2;
    else {
      sqlitch_err_fail(err, "Unknown change operation \"%s\"", op);
      free(op);
      return SQLITCH_ERROR;
    }
    free(op);
  }
  return SQLITCH_OK;
}

static void filters_free(filters *f) {
  sqlitch_regex_free(f->planner);
  sqlitch_regex_free(f->name);
}

static int filters_match(const filters *f, const sqlitch_change *c) {
  if (!f->planner && !f->name && !f->op) return 1;
  if (f->planner && sqlitch_regex_match(f->planner, c->planner_name,
                                        strlen(c->planner_name)) == 1)
    return 1;
  if (f->name && sqlitch_regex_match(f->name, c->name, strlen(c->name)) == 1)
    return 1;
  int revert = strcmp(c->op, "-") == 0;
  return (f->op == 1 && !revert) || (f->op == 2 && revert);
}

/* Scratch space reused for every item: tag names and dependency strings. */
typedef struct scratch {
  sqlitch_buf text; /* "@tag\0users\0..." */
  size_t *offs;
  const char **ptrs;
  size_t cap;
} scratch;

static void scratch_reserve(scratch *s, size_t n) {
  if (n <= s->cap) return;
  s->cap = n * 2;
  s->offs = sqlitch_realloc(s->offs, s->cap * sizeof *s->offs);
  s->ptrs = sqlitch_realloc(s->ptrs, s->cap * sizeof *s->ptrs);
}

/* Fill the item for one plan change, as Command::plan builds its hash. */
static void plan_item(const sqlitch_plan *plan, const sqlitch_change *c,
                      scratch *s, sqlitch_fmt_item *it) {
  size_t n = c->ntags + c->nrequires + c->nconflicts, k = 0;
  scratch_reserve(s, n + 1);
  sqlitch_buf_reset(&s->text);
  for (size_t i = 0; i < c->ntags; i++) {
    s->offs[k++] = s->text.len;
    sqlitch_buf_addc(&s->text, '@');
    sqlitch_buf_add(&s->text, plan->tags[c->tags[i]].name);
    sqlitch_buf_addc(&s->text, 0);
  }
  for (size_t i = 0; i < c->nrequires + c->nconflicts; i++) {
    const sqlitch_dep *d =
        i < c->nrequires ? &c->requires[i] : &c->conflicts[i - c->nrequires];
    char *str = sqlitch_dep_string(d);
    s->offs[k++] = s->text.len;
    sqlitch_buf_add(&s->text, str);
    sqlitch_buf_addc(&s->text, 0);
    free(str);
  }
  for (size_t i = 0; i < n; i++)
    s->ptrs[i] = s->text.p + s->offs[i];

  sqlitch_fmt_item_init(it);
  it->event = strcmp(c->op, "-") == 0 ? "revert" : "deploy";
  it->project = plan->project;
  it->change_id = c->id;
  it->change = c->name;
  it->note = c->note;
  it->tags = s->ptrs;
  it->ntags = c->ntags;
  it->requires = s->ptrs + c->ntags;
  it->nrequires = c->nrequires;
  it->conflicts = s->ptrs + c->ntags + c->nrequires;
  it->nconflicts = c->nconflicts;
  it->planner_name = c->planner_name;
  it->planner_email = c->planner_email;
  it->has_planned_at =
      sqlitch_time_parse(c->timestamp, &it->planned_at) == SQLITCH_OK;
}

/* One change as a JSON object (field names: docs/json.md, "plan"). */
static void plan_json_change(sh_json *j, const sqlitch_plan *plan, long at) {
  const sqlitch_change *c = &plan->changes[at];
  sh_json_object(j, NULL);
  sh_json_int(j, "position", at + 1);
  sh_json_str(j, "change_id", c->id);
  sh_json_str(j, "name", c->name);
  sh_json_str(j, "operation", strcmp(c->op, "-") == 0 ? "revert" : "deploy");
  sh_json_str(j, "note", c->note);
  sh_json_str(j, "planner_name", c->planner_name);
  sh_json_str(j, "planner_email", c->planner_email);
  sh_json_str(j, "planned_at", c->timestamp);
  for (int k = 0; k < 2; k++) {
    const sqlitch_dep *deps = k ? c->conflicts : c->requires;
    size_t n = k ? c->nconflicts : c->nrequires;
    sh_json_array(j, k ? "conflicts" : "requires");
    for (size_t i = 0; i < n; i++) {
      char *str = sqlitch_dep_string(&deps[i]);
      sh_json_str(j, NULL, str);
      free(str);
    }
    sh_json_end(j);
  }
  sh_json_array(j, "tags");
  for (size_t i = 0; i < c->ntags; i++) {
    const sqlitch_tag *t = &plan->tags[c->tags[i]];
    char *name = sqlitch_mprintf("@%s", t->name);
    sh_json_object(j, NULL);
    sh_json_str(j, "tag_id", t->id);
    sh_json_str(j, "name", name);
    sh_json_str(j, "note", t->note);
    sh_json_str(j, "planner_name", t->planner_name);
    sh_json_str(j, "planner_email", t->planner_email);
    sh_json_str(j, "planned_at", t->timestamp);
    sh_json_end(j);
    free(name);
  }
  sh_json_end(j);
  sh_json_end(j);
}

static void flush(sh_ctx *ctx, sqlitch_buf *out) {
  if (out->len) sh_page_literal(ctx, out->p, out->len);
  sqlitch_buf_reset(out);
}

/* Format the selected changes, or with `j` write them as JSON objects;
   `out` may hold unflushed text on error. */
static int list_changes(sh_ctx *ctx, const sqlitch_plan *plan,
                        const filters *flt, sqlitch_fmt *fmt, sh_json *j,
                        long skip, long limit, int reverse, sqlitch_buf *out,
                        sqlitch_err *err) {
  long count = (long)plan->nchanges;
  long index, end_at;
  scratch s;
  int rc = SQLITCH_OK;
  memset(&s, 0, sizeof s);
  if (reverse) {
    index = count - (skip + 1);
    end_at = limit ? index - limit : -1;
  } else {
    index = skip - 1;
    end_at = limit ? index + limit : count - 1;
  }
  for (;;) {
    long at;
    if (reverse) {
      if (!(index > end_at)) break;
      at = index--;
    } else {
      if (!(index < end_at)) break;
      at = ++index;
    }
    if (at < 0) at += count; /* Perl's $list[-1] */
    if (at < 0 || at >= count) break;
    const sqlitch_change *c = &plan->changes[at];
    if (!filters_match(flt, c)) continue;
    if (!fmt) { /* --json */
      plan_json_change(j, plan, at);
      if (out->len >= FLUSH_AT) flush(ctx, out);
      continue;
    }
    sqlitch_fmt_item it;
    plan_item(plan, c, &s, &it);
    if (sqlitch_fmt_format(fmt, &it, out, err)) {
      rc = SQLITCH_ERROR;
      break;
    }
    sqlitch_buf_addc(out, '\n');
    if (out->len >= FLUSH_AT) flush(ctx, out);
  }
  sqlitch_buf_free(&s.text);
  free(s.offs);
  free(s.ptrs);
  return rc;
}

/* --json: {"project":..,"uri":..,"file":..,"changes":[...]} on one line. */
static int plan_json(sh_ctx *ctx, const sh_opts *o, const sqlitch_plan *plan,
                     sqlitch_err *err) {
  filters flt;
  if (filters_init(o, &flt, err)) {
    filters_free(&flt);
    return SQLITCH_ERROR;
  }
  sqlitch_buf out = SQLITCH_BUF_INIT;
  sh_json j;
  sh_json_init(&j, &out);
  char *uri = sqlitch_plan_uri(plan);
  sh_json_object(&j, NULL);
  sh_json_str(&j, "project", plan->project);
  sh_json_str(&j, "uri", uri);
  sh_json_str(&j, "file", plan->file);
  sh_json_array(&j, "changes");
  int rc = list_changes(ctx, plan, &flt, NULL, &j, sh_opt_int(o, "skip", 0),
                        sh_opt_int(o, "max-count", 0),
                        sh_opt_bool(o, "reverse", 0), &out, err);
  sh_json_end(&j);
  sh_json_end(&j);
  sqlitch_buf_addc(&out, '\n');
  flush(ctx, &out);
  free(uri);
  sh_json_free(&j);
  sqlitch_buf_free(&out);
  filters_free(&flt);
  if (rc) return SQLITCH_ERROR;
  return plan->nchanges == 0 ? 1 : 0;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  /* configure */
  const char *tmpl;
  sqlitch_fmt_opts fo;
  if (sh_fmt_configure(ctx, o, SQLITCH_FMT_PLAN, &tmpl, &fo, err))
    return SQLITCH_ERROR;

  /* execute */
  sh_args_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.target = sh_opt_str(o, "target");
  sh_args args;
  if (sh_parse_args(ctx, &spec, argc, argv, &args, err)) {
    sh_args_free(&args);
    return SQLITCH_ERROR;
  }
  const sqlitch_target *target = args.targets[0];
  if (args.ntargets > 1)
    sh_warn(ctx, "Too many targets specified; using %s", target->name);

  sqlitch_plan *plan = NULL;
  filters flt;
  memset(&flt, 0, sizeof flt);
  sqlitch_fmt *fmt = NULL;
  sqlitch_buf out = SQLITCH_BUF_INIT;
  int rc = SQLITCH_ERROR;
  if (sqlitch_plan_load_ro(target->plan_file, &plan, err)) goto done;
  if (sh_opt_bool(o, "json", 0)) {
    rc = plan_json(ctx, o, plan, err);
    goto done;
  }
  if (plan->nchanges == 0) {
    sqlitch_err_set(err, SQLITCH_E_GENERIC, 1, "No changes in %s", plan->file);
    goto done;
  }
  if (filters_init(o, &flt, err)) goto done;

  if (sh_opt_bool(o, "headers", 1))
    sqlitch_buf_addf(&out, "# Project: %s\n# File:    %s\n\n", plan->project,
                     plan->file);
  fmt = sqlitch_fmt_new(tmpl, &fo);
  if (list_changes(ctx, plan, &flt, fmt, NULL, sh_opt_int(o, "skip", 0),
                   sh_opt_int(o, "max-count", 0), sh_opt_bool(o, "reverse", 0),
                   &out, err) == SQLITCH_OK)
    rc = 0;
  flush(ctx, &out);
  if (rc && err->exitval == 1 && err->kind == SQLITCH_E_DEV) {
    /* Perl's "Out of memory!" goes to stderr with exit 1 */
    sh_page_end(ctx);
    sh_vent(ctx, "%s", err->msg);
    rc = 1;
  }

done:
  sqlitch_buf_free(&out);
  sqlitch_fmt_free(fmt);
  filters_free(&flt);
  sqlitch_plan_free(plan);
  sh_args_free(&args);
  return rc;
}

const sh_cmd sh_cmd_plan = {"plan", opts, run};
