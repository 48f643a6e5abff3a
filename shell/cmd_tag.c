/*
** cmd_tag.c -- `sqlitch tag`: tag a change in the plan(s), or list the
** tags (App::Sqitch::Command::tag).
**
**   sqlitch tag                                  # list tags, one per line
**   sqlitch tag [-t] <name> [[-c] <change>] [<target>...] [--all]
**               [-n <note>]...
**
** With a name: every distinct plan file of the targets gets the tag (on
** <change>, else the last change; core/plan.h checks names, duplicates and
** the change); with no -n note the editor asks for one ("Aborting due to
** empty note", exit 1); then each plan is saved and `Tagged "<change>"
** with @<tag> in <plan>` printed. Without a name: the distinct "@tag"
** names of the targets' plans (info). An argument that names a target
** while no tag name is given is an error telling to use --tag.
*/
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "editor.h"
#include "plan.h"
#include "shell.h"

static const char *const opts[] = {"tag-name|tag|t=s", "change-name|change|c=s",
                                   "all|a!",           "note|n|m=s@",
                                   SH_CONTEXT_OPTS,    NULL};

typedef struct tagged {
  const sqlitch_target *target;
  sqlitch_plan *plan;
  long tag;
} tagged;

static int list_tags(sh_ctx *ctx, const sh_args *args, int argc, char **argv,
                     sqlitch_err *err) {
  for (size_t t = 0; argc && t < args->ntargets; t++)
    for (int i = 0; i < argc; i++)
      if (strcmp(args->targets[t]->name, argv[i]) == 0)
        return sqlitch_err_fail(
            err,
            "Name \"%s\" identifies a target; use \"--tag %s\" "
            "to use it for the tag name",
            argv[i], argv[i]);
  sqlitch_strv seen = SQLITCH_STRV_INIT;
  int rc = 0;
  for (size_t t = 0; t < args->ntargets; t++) {
    sqlitch_plan *plan;
    if (sqlitch_plan_load(args->targets[t]->plan_file, &plan, err)) {
      rc = SQLITCH_ERROR;
      break;
    }
    for (size_t i = 0; i < plan->ntags; i++) {
      if (sqlitch_strv_contains(&seen, plan->tags[i].name)) continue;
      sqlitch_strv_push(&seen, plan->tags[i].name);
      sh_info(ctx, "@%s", plan->tags[i].name);
    }
    sqlitch_plan_free(plan);
  }
  sqlitch_strv_free(&seen);
  return rc;
}

static int add_tag(sh_ctx *ctx, const sh_opts *o, const sh_args *args,
                   const char *name, const char *change, sqlitch_err *err) {
  tagged *tags = sqlitch_calloc(args->ntargets + 1, sizeof *tags);
  size_t ntags = 0;
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
    int seen = 0;
    for (size_t i = 0; i < ntags && !seen; i++)
      seen = strcmp(tags[i].target->plan_file, tg->plan_file) == 0;
    if (seen) continue;
    /* Plan::tag validates the name before reading the plan */
    if (sqlitch_name_check(name[0] == '@' ? name + 1 : name, SQLITCH_NAME_TAG,
                           err))
      goto done;
    tagged *tg_out = &tags[ntags];
    if (sqlitch_plan_load(tg->plan_file, &tg_out->plan, err)) goto done;
    ntags++;
    tg_out->target = tg;
    tg_out->tag = sqlitch_plan_tag_add(tg_out->plan, name, change, note, pname,
                                       pemail, ts, err);
    if (tg_out->tag < 0) goto done;
  }

  if (!sh_has_nonspace(note)) {
    char *prompt = sh_note_prompt_line("tag");
    free(note);
    note = NULL;
    int r = sh_request_note(ctx, prompt, &note, err);
    free(prompt);
    if (r) goto done;
  }
  for (size_t i = 0; i < ntags; i++) {
    sqlitch_plan *plan = tags[i].plan;
    sh_plan_set_tag_note(plan, (size_t)tags[i].tag, note);
    if (sqlitch_plan_save(plan, tags[i].target->plan_file, err)) goto done;
    const sqlitch_tag *t = &plan->tags[tags[i].tag];
    sh_info(ctx, "Tagged \"%s\" with @%s in %s", plan->changes[t->change].name,
            t->name, tags[i].target->plan_file);
  }
  rc = 0;

done:
  for (size_t i = 0; i < ntags; i++)
    sqlitch_plan_free(tags[i].plan);
  free(tags);
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
  const char *tag_opt = sh_opt_str(o, "tag-name");
  const char *change_opt = sh_opt_str(o, "change-name");
  const char *names[2] = {sqlitch_perl_true(tag_opt) ? tag_opt : NULL,
                          sqlitch_perl_true(change_opt) ? change_opt : NULL};
  sh_args_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.all = sh_opt_bool(o, "all", 0);
  spec.no_changes = 1;
  spec.names = names;
  spec.nnames = 2;
  spec.topts = &topts;
  sh_args args;
  if (sh_parse_args(ctx, &spec, argc, argv, &args, err)) {
    sh_args_free(&args);
    return SQLITCH_ERROR;
  }
  int rc = args.names[0]
               ? add_tag(ctx, o, &args, args.names[0], args.names[1], err)
               : list_tags(ctx, &args, argc, argv, err);
  sh_args_free(&args);
  return rc;
}

const sh_cmd sh_cmd_tag = {"tag", opts, run};
