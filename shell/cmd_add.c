/*
** cmd_add.c -- `sqlitch add`: add a change to the plan(s) and create its
** scripts from templates (App::Sqitch::Command::add).
**
**   sqlitch add [-c] <name> [<target>|<engine>|<plan file>...] [--all]
**               [-r <req>]... [-x <conflict>]... [-n <note>]...
**               [-t <template name>] [--template-directory <dir>]
**               [--use <script>=<path>]... [--with|--without <script>]...
**               [-s <var>=<value>]... [-e|--open-editor]
**
** Flow, as Sqitch's:
**   configure  --top-dir warning; --template-directory (or
**              add.template_directory) must be a directory; add.templates.*
**              and --use files must exist (these exit 255).
**   execute    sort the arguments (shell/args.h); for each target: find
**              its templates (core/template.h), add the change to its plan
**              once per plan file (name, duplicate and dependency checks
**              are core/plan.h's), and list the script files; ask for a
**              note in the editor if none was given; then per plan file
**              write the scripts ("Created X" / "Skipped X: already
**              exists"), save the plan and say `Added "name [deps]" to
**              <plan>`; finally open the scripts in the editor if asked.
** Differences from sqitch (deliberate): a template that fails to render
** leaves no empty script behind, and scripts are written atomically.
*/
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "editor.h"
#include "plan.h"
#include "shell.h"
#include "template.h"

static const char *const opts[] = {"change-name|change|c=s",
                                   "requires|r=s@",
                                   "conflicts|x=s@",
                                   "note|n|m=s@",
                                   "all|a!",
                                   "template-name|template|t=s",
                                   "template-directory=s",
                                   "with=s@",
                                   "without=s@",
                                   "use=s%",
                                   "open-editor|edit|e!",
                                   "set|s=s%",
                                   SH_CONTEXT_OPTS,
                                   NULL};

/* One script to write. */
typedef struct job {
  char *file;          /* destination */
  char *tmpl;          /* template file, or NULL for a built-in */
  const char *builtin; /* built-in source */
  const char *engine;  /* borrowed from the target */
} job;

/* What is added to one plan file. */
typedef struct planned {
  const sqlitch_target *target; /* first target using the file (borrowed) */
  sqlitch_plan *plan;
  long change;
  sqlitch_buf jobs;  /* job[] */
  sqlitch_strv seen; /* destinations already listed for this plan */
} planned;

typedef struct add_cmd {
  sh_ctx *ctx;
  sh_opts *o;
  const char *tmpl_dir;        /* checked --template-directory, or NULL */
  const char *tmpl_name;       /* -t / add.template_name, or NULL */
  sqlitch_tmpl_set configured; /* add.templates.* and --use */
  sqlitch_strv without;
  sqlitch_tmpl_vars *base; /* add.variables and --set */
  planned *plans;
  size_t nplans;
  sqlitch_strv files; /* every script, for the note prompt/editor */
} add_cmd;

/* ------------------------------------------------------------ configure */

/* add.variables.<name> (a list when the key has several values), then
   --set values (a repeated name becomes a list) over them. */
static sqlitch_tmpl_vars *base_vars(sh_ctx *ctx, const sh_opts *o) {
  sqlitch_tmpl_vars *v = sqlitch_tmpl_vars_new();
  sqlitch_config_entry *ents = NULL;
  size_t n = sqlitch_config_section(ctx->config, "add.variables", &ents);
  for (size_t i = 0; i < n; i++) {
    const char *k = ents[i].orig_key ? ents[i].orig_key : ents[i].key;
    const char *dot = strrchr(k, '.');
    const char **vals = NULL;
    size_t nv = sqlitch_config_get_all(ctx->config, ents[i].key, &vals);
    if (nv > 1)
      sqlitch_tmpl_vars_set_list(v, dot ? dot + 1 : k, vals, nv);
    else
      sqlitch_tmpl_vars_set(v, dot ? dot + 1 : k, ents[i].value);
    free(vals);
  }
  free(ents);
  const sqlitch_strv *sets = sh_opt_list(o, "set");
  sqlitch_strv names = SQLITCH_STRV_INIT;
  for (size_t i = 0; i < sets->n; i++) {
    const char *eq = strchr(sets->v[i], '=');
    size_t klen = eq ? (size_t)(eq - sets->v[i]) : strlen(sets->v[i]);
    char *k = sqlitch_strndup(sets->v[i], klen);
    if (sqlitch_strv_contains(&names, k)) {
      sqlitch_tmpl_vars_add(v, k, eq ? eq + 1 : "");
    } else { /* a --set name replaces the add.variables value */
      sqlitch_strv_push(&names, k);
      sqlitch_tmpl_vars_set(v, k, eq ? eq + 1 : "");
    }
    free(k);
  }
  sqlitch_strv_free(&names);
  return v;
}

static int configure(add_cmd *a, sqlitch_err *err) {
  sh_ctx *ctx = a->ctx;
  const char *dir = sh_opt_str(a->o, "template-directory");
  if (!sqlitch_perl_true(dir))
    dir = sqlitch_config_get(ctx->config, "add.template_directory");
  if (sqlitch_perl_true(dir)) {
    if (sqlitch_tmpl_check_dir(dir, err)) return SQLITCH_ERROR;
    a->tmpl_dir = dir;
  }
  a->tmpl_name = sh_opt_str(a->o, "template-name");
  if (!sqlitch_perl_true(a->tmpl_name))
    a->tmpl_name = sqlitch_config_get(ctx->config, "add.template_name");
  if (!sqlitch_perl_true(a->tmpl_name)) a->tmpl_name = NULL;
  a->base = base_vars(ctx, a->o);
  if (sqlitch_tmpl_configured(ctx->config, sh_opt_list(a->o, "use"),
                              &a->configured, err))
    return SQLITCH_ERROR;
  /* --with only re-includes the core scripts, which --without beats */
  const sqlitch_strv *wo = sh_opt_list(a->o, "without");
  for (size_t i = 0; i < wo->n; i++)
    sqlitch_strv_push(&a->without, wo->v[i]);
  return SQLITCH_OK;
}

/* ------------------------------------------------------------- execute */

static planned *plan_for(add_cmd *a, const sqlitch_target *t) {
  for (size_t i = 0; i < a->nplans; i++)
    if (strcmp(a->plans[i].target->plan_file, t->plan_file) == 0)
      return &a->plans[i];
  return NULL;
}

/* Script path of the new change for one script kind and target. */
static char *script_file(const sqlitch_plan *plan, const sqlitch_change *c,
                         const sqlitch_target *t, const char *script) {
  const char *dir = NULL;
  char *own = NULL;
  if (strcmp(script, "deploy") == 0)
    dir = t->deploy_dir;
  else if (strcmp(script, "revert") == 0)
    dir = t->revert_dir;
  else if (strcmp(script, "verify") == 0)
    dir = t->verify_dir;
  else
    dir = own = sqlitch_path_join(t->top_dir, script);
  char *f = sqlitch_change_script(plan, c, dir, NULL, NULL, t->extension);
  free(own);
  return f;
}

/* Plan the change and its scripts for one target. */
static int plan_target(add_cmd *a, const sqlitch_target *t, const char *name,
                       const char *note, const char *pname, const char *pemail,
                       const char *ts, sqlitch_err *err) {
  sqlitch_tmpl_set tmpls = SQLITCH_TMPL_SET_INIT;
  char *user_dir = NULL, *sys_dir = NULL;
  const char *dirs[3];
  dirs[0] = a->tmpl_dir;
  dirs[1] = sqlitch_config_user_dir()
                ? (user_dir = sqlitch_path_join(sqlitch_config_user_dir(),
                                                "templates"))
                : NULL;
  dirs[2] = sys_dir =
      sqlitch_path_join(sqlitch_config_system_dir(), "templates");
  int rc = sqlitch_tmpl_discover(&a->configured, dirs, 3,
                                 a->tmpl_name ? a->tmpl_name
                                              : (t->engine ? t->engine : ""),
                                 &a->without, &tmpls, err);
  free(user_dir);
  free(sys_dir);
  if (rc) return SQLITCH_ERROR;

  planned *p = plan_for(a, t);
  if (!p) {
    if (sqlitch_name_check(name, SQLITCH_NAME_CHANGE, err)) goto fail;
    sqlitch_plan *plan;
    if (sqlitch_plan_load(t->plan_file, &plan, err)) goto fail;
    long idx = sqlitch_plan_add(plan, name, sh_opt_list(a->o, "requires"),
                                sh_opt_list(a->o, "conflicts"), note, pname,
                                pemail, ts, err);
    if (idx < 0) {
      sqlitch_plan_free(plan);
      goto fail;
    }
    a->plans = sqlitch_realloc(a->plans, (a->nplans + 1) * sizeof *a->plans);
    p = &a->plans[a->nplans++];
    memset(p, 0, sizeof *p);
    p->target = t;
    p->plan = plan;
    p->change = idx;
  }
  const sqlitch_change *c = &p->plan->changes[p->change];
  for (size_t i = 0; i < tmpls.n; i++) {
    char *file = script_file(p->plan, c, t, tmpls.v[i].script);
    if (sqlitch_strv_contains(&p->seen, file)) {
      free(file);
      continue;
    }
    sqlitch_strv_push(&p->seen, file);
    if (!sqlitch_strv_contains(&a->files, file))
      sqlitch_strv_push(&a->files, file);
    job j = {file, sqlitch_strdup(tmpls.v[i].path), tmpls.v[i].builtin,
             t->engine};
    sqlitch_buf_addn(&p->jobs, (const char *)&j, sizeof j);
  }
  sqlitch_tmpl_set_free(&tmpls);
  return SQLITCH_OK;
fail:
  sqlitch_tmpl_set_free(&tmpls);
  return SQLITCH_ERROR;
}

/* Create one script unless it exists (Command::add::_add). */
static int write_script(add_cmd *a, const planned *p, const job *j,
                        const char *name, sqlitch_err *err) {
  sh_ctx *ctx = a->ctx;
  if (sqlitch_path_exists(j->file)) {
    sh_info(ctx, "Skipped %s: already exists", j->file);
    return SQLITCH_OK;
  }
  char *dir = sqlitch_path_dirname(j->file);
  sqlitch_strv made = SQLITCH_STRV_INIT;
  int rc = sqlitch_mkpath(dir, &made, err);
  if (rc == SQLITCH_OK && made.n) sh_debug(ctx, "    Created %s", dir);
  sqlitch_strv_free(&made);
  free(dir);
  if (rc) return SQLITCH_ERROR;

  sqlitch_tmpl_entry e = {NULL, j->tmpl, j->builtin};
  char *src = NULL;
  size_t len = 0;
  if (sqlitch_tmpl_entry_source(&e, &src, &len, err)) return SQLITCH_ERROR;
  sqlitch_tmpl_vars_set(a->base, "change", name);
  sqlitch_tmpl_vars_set(a->base, "engine", j->engine);
  sqlitch_tmpl_vars_set(a->base, "project", p->plan->project);
  const sqlitch_strv *req = sh_opt_list(a->o, "requires");
  const sqlitch_strv *con = sh_opt_list(a->o, "conflicts");
  sqlitch_tmpl_vars_set_list(a->base, "requires", (const char *const *)req->v,
                             req->n);
  sqlitch_tmpl_vars_set_list(a->base, "conflicts", (const char *const *)con->v,
                             con->n);
  sqlitch_buf out = SQLITCH_BUF_INIT;
  sqlitch_err terr = SQLITCH_ERR_INIT;
  if (sqlitch_tmpl_process(src, len, a->base, &out, &terr)) {
    sqlitch_err_fail(err, "Error executing %s: %s",
                     j->tmpl ? j->tmpl : "(built-in template)", terr.msg);
    sqlitch_err_clear(&terr);
    rc = SQLITCH_ERROR;
  } else {
    rc = sqlitch_write_file_atomic(j->file, out.p ? out.p : "", out.len, err);
    if (rc == SQLITCH_OK) sh_info(ctx, "Created %s", j->file);
  }
  sqlitch_buf_free(&out);
  free(src);
  return rc;
}

static void add_free(add_cmd *a) {
  for (size_t i = 0; i < a->nplans; i++) {
    planned *p = &a->plans[i];
    job *jobs = (job *)p->jobs.p;
    for (size_t k = 0; k < p->jobs.len / sizeof(job); k++) {
      free(jobs[k].file);
      free(jobs[k].tmpl);
    }
    sqlitch_buf_free(&p->jobs);
    sqlitch_strv_free(&p->seen);
    sqlitch_plan_free(p->plan);
  }
  free(a->plans);
  sqlitch_tmpl_set_free(&a->configured);
  sqlitch_strv_free(&a->without);
  sqlitch_strv_free(&a->files);
  sqlitch_tmpl_vars_free(a->base);
}

static int execute(add_cmd *a, int argc, char **argv, sqlitch_err *err) {
  sh_ctx *ctx = a->ctx;
  const char *change_opt = sh_opt_str(a->o, "change-name");
  if (argc == 0 && !sqlitch_perl_true(change_opt)) {
    sh_usage(ctx, ctx->command);
    return 2;
  }
  sqlitch_target_opts topts;
  memset(&topts, 0, sizeof topts);
  sh_target_opts(a->o, &topts);
  const char *names[1] = {sqlitch_perl_true(change_opt) ? change_opt : NULL};
  sh_args_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.all = sh_opt_bool(a->o, "all", 0);
  spec.no_changes = 1;
  spec.names = names;
  spec.nnames = 1;
  spec.topts = &topts;
  sh_args args;
  if (sh_parse_args(ctx, &spec, argc, argv, &args, err)) {
    sh_args_free(&args);
    return SQLITCH_ERROR;
  }
  int rc = SQLITCH_ERROR;
  char *pname = NULL, *pemail = NULL, *note = NULL;
  const char *name = args.names[0];
  if (!name) {
    for (size_t t = 0; t < args.ntargets; t++)
      for (int i = 0; i < argc; i++)
        if (strcmp(args.targets[t]->name, argv[i]) == 0) {
          sqlitch_err_fail(
              err,
              "Name \"%s\" identifies a target; use \"--change %s\" "
              "to use it for the change name",
              argv[i], argv[i]);
          goto done;
        }
    sh_usage(ctx, ctx->command);
    rc = 2;
    goto done;
  }

  /* notes: joined with blank lines, then trimmed and unescaped */
  char *joined = sqlitch_strv_join(sh_opt_list(a->o, "note"), "\n\n");
  note = sqlitch_note_unescape(joined ? joined : "");
  free(joined);
  if (!(pname = sqlitch_user_name(ctx->config, err))) goto done;
  if (!(pemail = sqlitch_user_email(ctx->config, err))) goto done;
  char ts[32];
  sqlitch_plan_timestamp_now(ts);
  for (size_t t = 0; t < args.ntargets; t++)
    if (plan_target(a, args.targets[t], name, note, pname, pemail, ts, err))
      goto done;

  if (!sh_has_nonspace(note)) {
    char *deps = sqlitch_change_name_with_deps(
        a->plans[0].plan, &a->plans[0].plan->changes[a->plans[0].change]);
    char *prompt = sh_note_prompt_change("add", deps, &a->files);
    free(deps);
    free(note);
    note = NULL;
    int r = sh_request_note(ctx, prompt, &note, err);
    free(prompt);
    if (r) goto done;
    for (size_t i = 0; i < a->nplans; i++)
      sh_plan_set_change_note(a->plans[i].plan, (size_t)a->plans[i].change,
                              note);
  }

  for (size_t i = 0; i < a->nplans; i++) {
    planned *p = &a->plans[i];
    const job *jobs = (const job *)p->jobs.p;
    for (size_t k = 0; k < p->jobs.len / sizeof(job); k++)
      if (write_script(a, p, &jobs[k], name, err)) goto done;
    if (sqlitch_plan_save(p->plan, p->target->plan_file, err)) goto done;
    char *deps =
        sqlitch_change_name_with_deps(p->plan, &p->plan->changes[p->change]);
    sh_info(ctx, "Added \"%s\" to %s", deps, p->target->plan_file);
    free(deps);
  }

  int open = sh_opt_bool(a->o, "open-editor", -1);
  static const char *const keys[] = {"add.open_editor"};
  if (open < 0 && sh_open_editor_config(ctx, keys, 1, &open, err)) goto done;
  if (open && sh_editor_open(ctx, &a->files, err)) goto done;
  rc = 0;

done:
  free(pname);
  free(pemail);
  free(note);
  sh_args_free(&args);
  return rc;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  add_cmd a;
  memset(&a, 0, sizeof a);
  a.ctx = ctx;
  a.o = o;
  sh_warn_top_dir(ctx, o);
  int rc = configure(&a, err);
  if (rc == SQLITCH_OK) rc = execute(&a, argc, argv, err);
  add_free(&a);
  return rc;
}

const sh_cmd sh_cmd_add = {"add", opts, run};
