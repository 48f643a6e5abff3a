/*
** cmd_rework.c -- `sqlitch rework`: append a new instance of a change and
** keep the old scripts as name@TAG files (App::Sqitch::Command::rework).
**
**   sqlitch rework [-c] <name> [<target>...] [--all] [-r <req>]...
**                  [-x <conflict>]... [-n <note>]... [-e|--open-editor]
**
** For each distinct plan file of the targets: core/plan.h reworks the
** change (it must exist and have a tag after it; the new instance requires
** name@<first tag of the last tagged change>), and the copies are planned,
** each only when its source exists:
**   deploy/name.ext -> <reworked deploy dir>/name@TAG.ext   (same for revert
**   and verify), then deploy/name.ext -> revert/name.ext when the old
**   revert script was copied (the new revert starts as the old deploy).
** TAG is the first rework tag whose deploy file exists (plan.md §7). Then
** the note (editor if no -n), the copies (debug "Copied X to Y"), the plan
** is saved: `Added "name [deps]" to <plan>.` and the list of the current
** scripts to edit. rework.open_editor, else add.open_editor, opens them.
*/
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "editor.h"
#include "plan.h"
#include "shell.h"

static const char *const opts[] = {"change-name|change|c=s",
                                   "requires|r=s@",
                                   "conflicts|x=s@",
                                   "all|a!",
                                   "note|n|m=s@",
                                   "open-editor|edit|e!",
                                   SH_CONTEXT_OPTS,
                                   NULL};

/* One copy: src -> dest, done only when `check` (default src) exists. */
typedef struct copy_job {
  char *src, *dest, *check;
} copy_job;

typedef struct reworked {
  const sqlitch_target *target;
  sqlitch_plan *plan;
  long change;        /* the new instance */
  long prev;          /* the instance it reworks */
  sqlitch_buf copies; /* copy_job[] */
} reworked;

static void push_copy(reworked *r, const char *src, const char *dest,
                      const char *check) {
  copy_job j = {sqlitch_strdup(src), sqlitch_strdup(dest),
                sqlitch_strdup(check)};
  sqlitch_buf_addn(&r->copies, (const char *)&j, sizeof j);
}

typedef struct paths {
  char *deploy, *revert, *verify;
} paths;

static void change_paths(const sqlitch_plan *plan, const sqlitch_change *c,
                         const sqlitch_target *t, paths *p) {
  p->deploy =
      sqlitch_change_script(plan, c, t->deploy_dir, t->reworked_deploy_dir,
                            t->reworked_deploy_dir, t->extension);
  p->revert =
      sqlitch_change_script(plan, c, t->revert_dir, t->reworked_revert_dir,
                            t->reworked_deploy_dir, t->extension);
  p->verify =
      sqlitch_change_script(plan, c, t->verify_dir, t->reworked_verify_dir,
                            t->reworked_deploy_dir, t->extension);
}

static void paths_free(paths *p) {
  free(p->deploy);
  free(p->revert);
  free(p->verify);
}

/* Command::rework::_copy */
static int do_copy(sh_ctx *ctx, const copy_job *j, sqlitch_err *err) {
  const char *check = j->check ? j->check : j->src;
  if (!sqlitch_path_exists(check)) {
    sh_debug(ctx, "Skipped %s: %s does not exist", j->dest, check);
    return SQLITCH_OK;
  }
  char *data = NULL;
  size_t len = 0;
  sqlitch_err e = SQLITCH_ERR_INIT;
  int rc = sqlitch_read_file(j->src, &data, &len, &e);
  if (rc == SQLITCH_OK) rc = sqlitch_write_file_atomic(j->dest, data, len, &e);
  if (rc) {
    /* both report "<what> <path>: <reason>"; Sqitch shows $! */
    const char *why = e.msg ? strstr(e.msg, ": ") : NULL;
    sqlitch_err_fail(err, "Cannot copy %s to %s: %s", j->src, j->dest,
                     why ? why + 2 : "Input/output error");
    sqlitch_err_clear(&e);
    free(data);
    return SQLITCH_ERROR;
  }
  free(data);
  sh_debug(ctx, "Copied %s to %s", j->src, j->dest);
  return SQLITCH_OK;
}

static int execute(sh_ctx *ctx, sh_opts *o, const sh_args *args,
                   const char *name, sqlitch_err *err) {
  reworked *rw = sqlitch_calloc(args->ntargets + 1, sizeof *rw);
  size_t nrw = 0;
  sqlitch_strv files = SQLITCH_STRV_INIT, seen = SQLITCH_STRV_INIT;
  char *pname = NULL, *pemail = NULL, *note = NULL;
  int rc = SQLITCH_ERROR;
  char *joined = sqlitch_strv_join(sh_opt_list(o, "note"), "\n\n");
  note = sqlitch_note_unescape(joined ? joined : "");
  free(joined);
  if (!(pname = sqlitch_user_name(ctx->config, err))) goto done;
  if (!(pemail = sqlitch_user_email(ctx->config, err))) goto done;
  char ts[32];
  sqlitch_plan_timestamp_now(ts);

  for (size_t t = 0; t < args->ntargets; t++) {
    const sqlitch_target *tg = args->targets[t];
    reworked *r = NULL;
    for (size_t i = 0; i < nrw && !r; i++)
      if (strcmp(rw[i].target->plan_file, tg->plan_file) == 0) r = &rw[i];
    if (!r) {
      r = &rw[nrw];
      if (sqlitch_plan_load(tg->plan_file, &r->plan, err)) goto done;
      nrw++;
      r->target = tg;
      /* the instance being reworked: name@HEAD now, name@<last tag> once
         the new one is appended */
      char *head = sqlitch_mprintf("%s@HEAD", name);
      sqlitch_err ignore = SQLITCH_ERR_INIT;
      r->prev = sqlitch_plan_index_of(r->plan, head, &ignore);
      sqlitch_err_clear(&ignore);
      free(head);
      r->change = sqlitch_plan_rework(r->plan, name, sh_opt_list(o, "requires"),
                                      sh_opt_list(o, "conflicts"), note, pname,
                                      pemail, ts, err);
      if (r->change < 0) goto done;
    }
    const sqlitch_change *now = &r->plan->changes[r->change];
    const sqlitch_change *old = &r->plan->changes[r->prev];
    paths np, op;
    change_paths(r->plan, now, tg, &np);
    change_paths(r->plan, old, tg, &op);
    const char *pairs[3][2] = {
        {np.deploy, op.deploy}, {np.revert, op.revert}, {np.verify, op.verify}};
    for (int i = 0; i < 3; i++) {
      if (sqlitch_strv_contains(&seen, pairs[i][0])) continue;
      sqlitch_strv_push(&seen, pairs[i][0]);
      if (sqlitch_path_exists(pairs[i][0]))
        sqlitch_strv_push(&files, pairs[i][0]);
      push_copy(r, pairs[i][0], pairs[i][1], NULL);
    }
    if (!sqlitch_strv_contains(&seen, op.revert)) {
      sqlitch_strv_push(&seen, op.revert);
      push_copy(r, np.deploy, np.revert, op.revert);
    }
    paths_free(&np);
    paths_free(&op);
  }

  if (!sh_has_nonspace(note)) {
    reworked *r = &rw[0];
    char *deps =
        sqlitch_change_name_with_deps(r->plan, &r->plan->changes[r->change]);
    char *prompt = sh_note_prompt_change("rework", deps, &files);
    free(deps);
    free(note);
    note = NULL;
    int x = sh_request_note(ctx, prompt, &note, err);
    free(prompt);
    if (x) goto done;
    for (size_t i = 0; i < nrw; i++)
      sh_plan_set_change_note(rw[i].plan, (size_t)rw[i].change, note);
  }

  for (size_t i = 0; i < nrw; i++) {
    reworked *r = &rw[i];
    const copy_job *jobs = (const copy_job *)r->copies.p;
    for (size_t k = 0; k < r->copies.len / sizeof(copy_job); k++)
      if (do_copy(ctx, &jobs[k], err)) goto done;
    if (sqlitch_plan_save(r->plan, r->target->plan_file, err)) goto done;
    char *deps =
        sqlitch_change_name_with_deps(r->plan, &r->plan->changes[r->change]);
    sh_info(ctx, "Added \"%s\" to %s.", deps, r->target->plan_file);
    free(deps);
  }
  sh_info(ctx, "%s",
          files.n == 1 ? "Modify this file as appropriate:"
                       : "Modify these files as appropriate:");
  for (size_t i = 0; i < files.n; i++)
    sh_info(ctx, "  * %s", files.v[i]);

  /* rework.open_editor // add.open_editor // 0 */
  int open = sh_opt_bool(o, "open-editor", -1);
  static const char *const keys[] = {"rework.open_editor", "add.open_editor"};
  if (open < 0 && sh_open_editor_config(ctx, keys, 2, &open, err)) goto done;
  if (open > 0 && sh_editor_open(ctx, &files, err)) goto done;
  rc = 0;

done:
  for (size_t i = 0; i < nrw; i++) {
    copy_job *jobs = (copy_job *)rw[i].copies.p;
    for (size_t k = 0; k < rw[i].copies.len / sizeof(copy_job); k++) {
      free(jobs[k].src);
      free(jobs[k].dest);
      free(jobs[k].check);
    }
    sqlitch_buf_free(&rw[i].copies);
    sqlitch_plan_free(rw[i].plan);
  }
  free(rw);
  sqlitch_strv_free(&files);
  sqlitch_strv_free(&seen);
  free(pname);
  free(pemail);
  free(note);
  return rc;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  sh_warn_top_dir(ctx, o);
  sqlitch_target_opts topts;
  memset(&topts, 0, sizeof topts);
  sh_target_opts(o, &topts);
  const char *change_opt = sh_opt_str(o, "change-name");
  const char *names[1] = {sqlitch_perl_true(change_opt) ? change_opt : NULL};
  sh_args_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.all = sh_opt_bool(o, "all", 0);
  spec.no_changes = 1;
  spec.names = names;
  spec.nnames = 1;
  spec.topts = &topts;
  sh_args args;
  if (sh_parse_args(ctx, &spec, argc, argv, &args, err)) {
    sh_args_free(&args);
    return SQLITCH_ERROR;
  }
  int rc;
  if (!sqlitch_perl_true(args.names[0])) {
    sh_usage(ctx, ctx->command);
    rc = 2;
  } else {
    rc = execute(ctx, o, &args, args.names[0], err);
  }
  sh_args_free(&args);
  return rc;
}

const sh_cmd sh_cmd_rework = {"rework", opts, run};
