/*
** cmd_status.c -- `sqlitch status` (App::Sqitch::Command::status): show
** what is deployed to a database and what of the plan is not.
**
**   sqlitch status [options] [<target>]
**     -t, --target <t>          target name or db: URI
**     --project <name>          the project to report on (default: the
**                               plan's, or the registry's only project)
**     --show-changes            list the deployed changes (status.show_changes)
**     --show-tags               list the deployed tags (status.show_tags)
**     --date-format, --date <f> date format (status.date_format; iso)
**     --json                    one JSON document instead (docs/json.md)
**   plus --registry, --client, --db-* and --plan-file/--top-dir.
**
** Example:
**   $ sqlitch status
**   # On database db:sqlite:flipr.db
**   # Project:  flipr
**   # Change:   32d0465307882ce8b4758de2052e26c116c57309
**   # Name:     flips
**   # Tags:     @beta, @v1.0
**   # Deployed: 2024-01-15 10:30:00 +0000
**   # By:       Test User <test@example.com>
**   #
**   Undeployed change:
**     * widgets
**
** Nothing deployed exits 1 ("No changes deployed"). The work is
** sqlitch_status_report() in core/status.c; this file reads the options.
** --json (sqlitch only) prints the facts of sqlitch_status_new() as one
** document (status_json below); with nothing deployed "state" is null,
** the message goes to stderr and the exit is 1 as without --json.
*/
#include <string.h>

#include "engine_cmd.h"
#include "datefmt.h"
#include "json_run.h"
#include "status.h"

static const char *const opts[] = {
    "project=s",     "target|t=s",         "show-tags",
    "show-changes",  "date-format|date=s", "json",
    SH_CONTEXT_OPTS, SH_CONNECT_OPTS,      NULL};

/* --flag, else status.<key> as a boolean, else 0. */
static int flag(sh_ctx *ctx, sh_opts *o, const char *opt, const char *key,
                int *out, sqlitch_err *err) {
  if (sh_opt_has(o, opt)) {
    *out = sh_opt_bool(o, opt, 0);
    return SQLITCH_OK;
  }
  int v, r = sqlitch_config_get_bool(ctx->config, key, &v, err);
  if (r < 0) {
    err->exitval = 255; /* raised by configure */
    return SQLITCH_ERROR;
  }
  *out = r == 1 && v;
  return SQLITCH_OK;
}

/* ------------------------------------------------------------- --json */

/* The --show-changes / --show-tags lists: [{id_key, name, deployed_at,
   committer_name, committer_email}, ...], newest first. */
static void json_entries(sh_json *j, const char *key, const char *id_key,
                         const sqlitch_status_entry *v, size_t n) {
  sh_json_array(j, key);
  for (size_t i = 0; i < n; i++) {
    sh_json_object(j, NULL);
    sh_json_str(j, id_key, v[i].id);
    sh_json_str(j, "name", v[i].name);
    sh_json_time(j, "deployed_at", v[i].committed_at);
    sh_json_str(j, "committer_name", v[i].committer_name);
    sh_json_str(j, "committer_email", v[i].committer_email);
    sh_json_end(j);
  }
  sh_json_end(j);
}

static void json_state(sh_json *j, const sqlitch_reg_state *s) {
  if (!s) {
    sh_json_null(j, "state");
    return;
  }
  sh_json_object(j, "state");
  sh_json_str(j, "change_id", s->change_id);
  sh_json_str(j, "name", s->change);
  sh_json_array(j, "tags");
  for (size_t i = 0; i < s->tags.n; i++)
    sh_json_str(j, NULL, s->tags.v[i]);
  sh_json_end(j);
  sh_json_time(j, "deployed_at", s->committed_at);
  sh_json_str(j, "committer_name", s->committer_name);
  sh_json_str(j, "committer_email", s->committer_email);
  sh_json_str(j, "planner_name", s->planner_name);
  sh_json_str(j, "planner_email", s->planner_email);
  sh_json_time(j, "planned_at", s->planned_at);
  sh_json_end(j);
}

/* One document: `st` is NULL when nothing is deployed; then every change
   of `plan` (the project's plan, or NULL) is undeployed. */
static void json_doc(sqlitch_engine *e, const char *project,
                     const sqlitch_status *st, const sqlitch_plan *plan,
                     long index) {
  sqlitch_buf out = SQLITCH_BUF_INIT;
  sh_json j;
  sh_json_init(&j, &out);
  sh_json_object(&j, NULL);
  sh_json_str(&j, "target", sqlitch_engine_destination(e));
  sh_json_str(&j, "project", project);
  json_state(&j, st ? st->state : NULL);
  json_entries(&j, "changes", "change_id", st ? st->changes : NULL,
               st ? st->nchanges : 0);
  json_entries(&j, "tags", "tag_id", st ? st->tags : NULL, st ? st->ntags : 0);
  sh_json_array(&j, "undeployed");
  for (size_t i = (size_t)(index + 1); plan && i < plan->nchanges; i++)
    sh_json_str(&j, NULL, plan->changes[i].name);
  sh_json_end(&j);
  if (plan)
    sh_json_bool(&j, "up_to_date", (size_t)(index + 1) >= plan->nchanges);
  else
    sh_json_null(&j, "up_to_date");
  sh_json_end(&j);
  sqlitch_buf_addc(&out, '\n');
  fputs(out.p, stdout);
  sh_json_free(&j);
  sqlitch_buf_free(&out);
}

/* status --json: the document, with the errors of the human output. */
static int status_json(sh_ctx *ctx, sqlitch_engine *e,
                       const sqlitch_status_opts *so, sqlitch_err *err) {
  sqlitch_status *st;
  if (sqlitch_status_new(e, so, &st, err) == SQLITCH_OK) {
    int rc = SQLITCH_OK;
    if (st->plan && st->index < 0) {
      /* as report_plan() in core/status.c */
      sh_vent(ctx, "Cannot find this change in %s", e->target->plan_file);
      rc = sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "Make sure you are connected to the proper "
                           "database for this project.");
    } else {
      json_doc(e, st->project, st, st->plan, st->index);
    }
    sqlitch_status_free(st);
    return rc;
  }
  if (err->exitval != 1) return SQLITCH_ERROR;
  /* Nothing deployed: the plan's changes are all undeployed. */
  sqlitch_plan *plan = NULL;
  sqlitch_err ignore = SQLITCH_ERR_INIT;
  if (sqlitch_engine_plan(e, &plan, &ignore) ||
      (so->project && strcmp(so->project, plan->project) != 0))
    plan = NULL;
  sqlitch_err_clear(&ignore);
  json_doc(e,
           so->project ? so->project
           : plan      ? plan->project
                       : NULL,
           NULL, plan, -1);
  sh_json_error_to_stderr(ctx, SQLITCH_ERROR, err);
  return SQLITCH_ERROR;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  /* configure */
  const char *datefmt = sh_opt_str(o, "date-format");
  if (!sqlitch_perl_true(datefmt))
    datefmt = sqlitch_config_get(ctx->config, "status.date_format");
  if (sqlitch_perl_true(datefmt) && sqlitch_datefmt_validate(datefmt, err))
    return SQLITCH_ERROR;
  sqlitch_status_opts so;
  sqlitch_status_opts_init(&so);
  so.date_format = sqlitch_perl_true(datefmt) ? datefmt : "iso";
  so.project = sh_opt_str(o, "project");
  if (flag(ctx, o, "show-changes", "status.show_changes", &so.show_changes,
           err) ||
      flag(ctx, o, "show-tags", "status.show_tags", &so.show_tags, err))
    return SQLITCH_ERROR;
  sh_warn_top_dir(ctx, o);

  /* execute */
  sqlitch_engine_allow_inprocess_clients(1); /* docs/pg.md, docs/mysql.md */
  sh_engine_run r;
  int rc = sh_engine_begin(ctx, o, argc, argv, SH_PREFETCH_PLAN,
                           "connecting to", &r, err);
  if (rc == SQLITCH_OK)
    rc = sh_opt_bool(o, "json", 0) ? status_json(ctx, r.engine, &so, err)
                                   : sqlitch_status_report(r.engine, &so, err);
  sh_engine_end(&r);
  return rc == SQLITCH_OK ? 0 : SQLITCH_ERROR;
}

const sh_cmd sh_cmd_status = {"status", opts, run};
