/*
** args.h -- positional arguments as Sqitch's Command::parse_args sorts
** them, for every command that takes targets and/or changes (deploy,
** revert, verify, status, log, plan, show, add, tag, rework, bundle, ...).
**
** Each argument, in order, is:
**   1. a change, when the command takes changes and the current target's
**      plan file exists and contains it ("name", "name@tag", "@tag",
**      "HEAD^", ids);
**   2. a target: a name with target.<name>.uri configured, or a "db:" URI;
**      it becomes the current target for the arguments after it;
**   3. an engine name (pg, sqlite, ...): engine.<e>.target or "db:<e>:";
**   4. an existing file that is some configured target's plan file;
**   5. otherwise unknown. Unknown arguments first fill the `names` slots
**      left empty (see below); any left over is an error:
**      `Unknown argument "x"` / `Unknown arguments: x, y`.
** Rules 1-3 are core's (sqlitch_plan_contains, sqlitch_target_arg_kind,
** sqlitch_target_engine_target), shared with the extension's functions.
** Targets are de-duplicated by name. With spec.all (--all) naming any
** target is an error and every configured target is used; with no target
** named, <command>.all = true also means every target, else the default
** target (whose resolution error, if any, is reported only then).
**
**   sh_args_spec spec = {0};
**   sqlitch_target_opts topts = {0};
**   sh_target_opts(o, &topts);
**   spec.target = sh_opt_str(o, "target");
**   spec.topts = &topts;
**   sh_args a;
**   if (sh_parse_args(ctx, &spec, argc, argv, &a, err)) return SQLITCH_ERROR;
**   if (a.ntargets > 1)
**     sh_warn(ctx, "Too many targets specified; connecting to %s",
**             a.targets[0]->name);
**   ... a.targets[0], a.changes.v[i] ...
**   sh_args_free(&a);
**
** `names` are the values of a command's own name options (e.g. `add`'s
** --change), NULL where the option was not given: each NULL slot takes the
** next unknown argument, so `sqlitch add users` and `sqlitch add -c users`
** both name the change. Errors carry Sqitch's messages and exit value 2.
*/
#ifndef SQLITCH_SHELL_ARGS_H
#define SQLITCH_SHELL_ARGS_H

#include "plan.h"
#include "shell.h"

typedef struct sh_args_spec {
  const char *target;       /* --target value, or NULL */
  int all;                  /* --all given */
  int no_changes;           /* the command takes no changes */
  const char *const *names; /* name option values (may hold NULLs) */
  size_t nnames;
  const sqlitch_target_opts *topts; /* command-line overrides, or NULL */
} sh_args_spec;

/* A plan file parsed while sorting the arguments (Plan->contains). */
typedef struct sh_args_plan {
  char *file;
  sqlitch_plan *plan;
} sh_args_plan;

typedef struct sh_args {
  char **names; /* nnames entries, owned, NULL if unfilled */
  size_t nnames;
  sqlitch_target **targets; /* owned, at least one on success */
  size_t ntargets;
  sqlitch_strv changes; /* change specs as given, in order */
  sh_args_plan *plans;  /* owned: the plans parsed to sort the arguments */
  size_t nplans;
} sh_args;

/* Sort argv[0..argc) (the arguments left after option parsing). On success
   *out is filled and must be released with sh_args_free; on error it is
   left empty (sh_args_free is still safe). */
int sh_parse_args(sh_ctx *ctx, const sh_args_spec *spec, int argc, char **argv,
                  sh_args *out, sqlitch_err *err);
void sh_args_free(sh_args *a);
/* The plan of `file` if sorting the arguments parsed it, else NULL; owned
   by `a` (a command hands it to its engine instead of parsing it again). */
sqlitch_plan *sh_args_plan_of(const sh_args *a, const char *file);

#endif
