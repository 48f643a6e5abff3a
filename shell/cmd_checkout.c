/*
** cmd_checkout.c -- `sqlitch checkout` (App::Sqitch::Command::checkout):
** switch a Git branch and move the database with it.
**
**   sqlitch checkout [options] [<target>] <branch>
**     -y, --mode, --verify/--no-verify, --log-only, --lock-timeout,
**     -s/--set, -e/--set-deploy, -r/--set-revert, -t/--target, --registry,
**     --client, --db-*, --plan-file/--top-dir    (as rebase; config
**                                               checkout.* then deploy.*
**                                               / revert.*)
**
** Steps, as sqitch:
**   1. `git rev-parse --abbrev-ref HEAD`; the same branch exits 1 with
**      "Already on branch <b>".
**   2. `git show <branch>:./<plan file>` is parsed as the other plan; the
**      last change of that plan, walking it from the start, whose id the
**      current plan also has is where the branches diverged:
**      "Last change before the branches diverged: <name @tags>" (none:
**      "Branch <b> has no changes in common with current branch <c>").
**   3. Revert to that change with the current plan (soft errors printed),
**      `git checkout <branch>`, deploy everything with the other plan.
** The Git client is core.vcs.client, else "git". Its failures read like
** Perl's IPC::System::Simple ("\"git\" unexpectedly returned exit value
** 128") followed by a blank line, exit 2. Git's own output passes through.
**
** Example:
**   $ sqlitch checkout -y feature
**   Last change before the branches diverged: flips @v1.0
**   Reverting changes to flips @v1.0 from db:sqlite:flipr.db
**     - widgets .. ok
**   Deploying changes to db:sqlite:flipr.db
**     + gadgets .. ok
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_cmd.h"
#include "process.h"
#include "revert_deploy.h"

static const char *const opts[] = {SH_RD_OPTS, NULL};

/* ------------------------------------------------ runx / capturex */

/* Run argv (no shell) as Sqitch's run, or with `out` as its capture
   (stdout collected there). stderr and, without `out`, stdout are the
   user's. Failures are IPC::System::Simple's, after Sqitch's die handler
   (message + "\n"; main adds the blank line). */
static int run_prog(char *const *argv, sqlitch_buf *out, sqlitch_err *err) {
  fflush(stdout);
  fflush(stderr);
  sqlitch_proc p = SQLITCH_PROC_INIT;
  p.argv = argv;
  if (out) {
    p.out = SQLITCH_PROC_CAPTURE;
    p.out_buf = out;
  }
  int status;
  int start_errno = sqlitch_proc_run(&p, &status);
  return sqlitch_proc_fail(err, argv[0], start_errno, status);
}

/* ------------------------------------------------------------- command */

static int ask(void *c, const char *msg, int dflt, sqlitch_err *err) {
  return sh_ask_yes_no((sh_ctx *)c, msg, dflt, err);
}

/* First change of `to` (walking from its start) still in `from`... up to
   the last such before the first one missing: the diverge point. */
static long last_common(const sqlitch_plan *from, const sqlitch_plan *to) {
  long last = -1;
  sqlitch_err ignore = SQLITCH_ERR_INIT;
  for (size_t i = 0; i < to->nchanges; i++) {
    if (sqlitch_plan_index_of(from, to->changes[i].id, &ignore) < 0) break;
    last = (long)i;
  }
  sqlitch_err_clear(&ignore);
  return last;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  sh_rd rd;
  if (sh_rd_configure(ctx, o, "checkout", &rd, err)) return SQLITCH_ERROR;
  sh_warn_top_dir(ctx, o);

  /* parse_args(names => [undef], no_changes => 1) */
  sh_engine_run r;
  memset(&r, 0, sizeof r);
  sh_target_opts(o, &r.topts);
  const char *const names[1] = {NULL};
  sh_args_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.target = sh_opt_str(o, "target");
  spec.no_changes = 1;
  spec.names = names;
  spec.nnames = 1;
  spec.topts = &r.topts;
  if (sh_parse_args(ctx, &spec, argc, argv, &r.args, err)) {
    sh_args_free(&r.args);
    return SQLITCH_ERROR;
  }
  const char *branch = r.args.names[0];
  if (!branch || !*branch) {
    sh_usage(ctx, "checkout");
    sh_args_free(&r.args);
    return 2;
  }
  r.target = r.args.targets[0];
  if (r.args.ntargets > 1)
    sh_warn(ctx, "Too many targets specified; connecting to %s",
            r.target->name);
  if (sqlitch_engine_new(ctx->config, r.target, &ctx->reporter, &r.engine,
                         err)) {
    sh_engine_end(&r);
    return SQLITCH_ERROR;
  }
  sqlitch_engine *e = r.engine;
  e->opts.verbosity = ctx->verbosity;
  e->opts.ask_yes_no = ask;
  e->opts.ask_ctx = ctx;
  sh_rd_apply(&rd, e);
  const char *git = sqlitch_config_get(ctx->config, "core.vcs.client");
  if (!sqlitch_perl_true(git)) git = "git";

  sqlitch_plan *from = NULL, *to = NULL;
  sqlitch_buf out = SQLITCH_BUF_INIT;
  char *current = NULL, *spec_path = NULL, *canon = NULL;
  int rc;

  /* What branch are we on? (probe: first line, chomped) */
  {
    char *const av[] = {(char *)git, "rev-parse", "--abbrev-ref", "HEAD", NULL};
    rc = run_prog(av, &out, err);
  }
  if (rc) goto done;
  if (out.len) {
    size_t n = strcspn(sqlitch_buf_str(&out), "\n");
    current = sqlitch_strndup(out.p, n);
  }
  if (current && strcmp(current, branch) == 0) {
    rc = sqlitch_err_set(err, SQLITCH_E_GENERIC, 1, "Already on branch %s",
                         branch);
    goto done;
  }

  /* The branch's plan, read relative to the current directory. */
  canon = sqlitch_canonpath(r.target->plan_file);
  spec_path = sqlitch_mprintf("%s:./%s", branch, canon);
  sqlitch_buf_reset(&out);
  {
    char *const av[] = {(char *)git, "show", spec_path, NULL};
    rc = run_prog(av, &out, err);
  }
  if (rc) goto done;
  if ((rc = sqlitch_plan_parse(r.target->plan_file, sqlitch_buf_str(&out),
                               out.len, &to, err)))
    goto done;

  long common = -1;
  if (to->nchanges) {
    if ((rc = sqlitch_plan_load(r.target->plan_file, &from, err))) goto done;
    common = last_common(from, to);
  }
  if (common < 0) {
    rc = sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                         "Branch %s has no changes in common with current "
                         "branch %s",
                         branch, current ? current : "");
    goto done;
  }
  const sqlitch_change *last = &to->changes[common];
  char *name = sqlitch_change_name_with_tags(to, last);
  sh_info(ctx, "Last change before the branches diverged: %s", name);
  free(name);

  /* Revert to the last common change. */
  sh_rd_variables(ctx, o, e, r.target, "revert");
  sqlitch_engine_set_plan(e, from);
  if ((rc = sh_rd_revert(ctx, e, last->id, err))) goto done;

  /* Check out the new branch. */
  {
    char *const av[] = {(char *)git, "checkout", (char *)branch, NULL};
    if ((rc = run_prog(av, NULL, err))) goto done;
  }

  /* Deploy! */
  sh_rd_variables(ctx, o, e, r.target, "deploy");
  sqlitch_engine_set_plan(e, to);
  rc = sqlitch_engine_deploy(e, NULL, rd.mode, err);

done:
  sh_engine_end(&r);
  sqlitch_plan_free(from);
  sqlitch_plan_free(to);
  sqlitch_buf_free(&out);
  free(current);
  free(spec_path);
  free(canon);
  return rc == SQLITCH_OK ? 0 : SQLITCH_ERROR;
}

const sh_cmd sh_cmd_checkout = {"checkout", opts, run};
