/*
** target_config.h -- what `init`, `engine` and `target` share: Sqitch's
** Role::TargetConfigCommand. It owns the target-setting options
** (--plan-file --registry --client --extension --top-dir --dir --set, plus
** each command's extra keys), turns them into "properties", builds the
** target those properties describe, writes a new plan file, creates the
** script directories, and writes several config keys in one atomic step.
**
**   static const char *const opts[] = { "engine=s", SH_TC_OPTS, NULL };
**   sh_tc tc;
**   if (sh_tc_configure(ctx, o, &tc, err)) return SQLITCH_ERROR; // exit 255
**   sqlitch_target *t;
**   if (sh_tc_config_target(ctx, &tc, NULL, NULL, NULL, &t, err)) ...
**   sh_tc_write_plan(ctx, &tc, t, "flipr", NULL, err); // Created sqitch.plan
**   sh_tc_make_dirs(ctx, &tc, t, err);                  // Created deploy/...
**   sqlitch_target_free(t);
**   sh_tc_free(&tc);
**
** Config writes (sh_tc_group) go to a copy of the file that replaces the
** original only when every key is written, like Config::GitLike's
** group_set; comments can be appended on the way (init's commented
** defaults). The in-memory configuration is not reloaded afterwards,
** exactly as in Sqitch.
*/
#ifndef SQLITCH_SHELL_TARGET_CONFIG_H
#define SQLITCH_SHELL_TARGET_CONFIG_H

#include "shell.h"

/* The options every target-config command takes. */
#define SH_TC_OPTS                                                             \
  "plan-file|f=s", "registry=s", "client=s", "extension=s", "top-dir=s",       \
      "dir|d=s%", "set|s=s%"

/* Script directory properties, in Sqitch's order. */
enum {
  SH_TC_DEPLOY,
  SH_TC_REVERT,
  SH_TC_VERIFY,
  SH_TC_REWORKED,
  SH_TC_REWORKED_DEPLOY,
  SH_TC_REWORKED_REVERT,
  SH_TC_REWORKED_VERIFY,
  SH_TC_NDIRS
};

typedef struct sh_tc {
  /* extra keys: init --engine/--target, engine --target (borrowed from
     the options; NULL when not given), target --uri (owned, as URI->new
     prints it) */
  const char *engine, *target;
  char *uri;
  const char *registry, *client, *extension; /* borrowed, raw */
  char *plan_file, *top_dir;                 /* owned, cleaned */
  char *dirs[SH_TC_NDIRS];                   /* owned, cleaned, or NULL */
  sqlitch_strv var_keys, var_vals;           /* --set, sorted by key */
  int has_vars;                              /* --set given at all */
} sh_tc;

/* Property names as Sqitch spells them in config keys ("deploy_dir"). */
extern const char *const sh_tc_dir_keys[SH_TC_NDIRS];

/* Read the options into tc (extra keys included when present in o) and
   validate them: "Unknown directory name(s): ...", 'Unknown engine "e"',
   the --uri checks. These are Sqitch's configure-time errors: exit 255. */
int sh_tc_configure(sh_ctx *ctx, const sh_opts *o, sh_tc *tc, sqlitch_err *err);
void sh_tc_free(sh_tc *tc);

/* config_target: the target for `name` (or tc->target), `uri` (may be
   NULL) and `engine` (or tc->engine), else the default target, with every
   truthy property applied. */
int sh_tc_config_target(sh_ctx *ctx, const sh_tc *tc, const char *name,
                        const sqlitch_uri *uri, const char *engine,
                        sqlitch_target **out, sqlitch_err *err);
/* The default target (Command::default_target): "db:" when neither
   core.engine nor core.target is set. */
int sh_tc_default_target(sh_ctx *ctx, sqlitch_target **out, sqlitch_err *err);

/* write_plan: project/uri NULL are taken from the default target's plan
   (or the target's own). Existing plan files are checked, not rewritten.
   `uri` is the %uri as given (written canonicalised). */
int sh_tc_write_plan(sh_ctx *ctx, const sh_tc *tc, const sqlitch_target *t,
                     const char *project, const char *uri, sqlitch_err *err);
/* make_directories_for(t): "Created <dir>/" for each directory made. */
int sh_tc_make_dirs(sh_ctx *ctx, const sh_tc *tc, const sqlitch_target *t,
                    sqlitch_err *err);
/* mkdirs: create each directory that does not exist, with the message. */
int sh_tc_mkdirs(sh_ctx *ctx, const char *const *dirs, size_t n,
                 sqlitch_err *err);

/* config_params(prefix): the properties as config keys and values, in a
   fixed order (Sqitch's is Perl hash order): extra key, plan_file,
   registry, client, extension, top_dir, the directories, then
   <prefix>.variables.<k> sorted. Appended to keys/vals. */
void sh_tc_params(const sh_tc *tc, const char *prefix, const char *extra_key,
                  const char *extra_val, sqlitch_strv *keys,
                  sqlitch_strv *vals);

/* The block `engine show` and `target show` print for one target after
   "* <name>": `first_label` ("Target" or "URI") with `first_value`, then
   registry, client, paths, script directories and variables. */
int sh_tc_show(sh_ctx *ctx, const char *first_label, const char *first_value,
               const sqlitch_target *t, sqlitch_err *err);
/* `engine`/`target` list: config keys <section>.<name>.<key> (name
   without dots, and in `allowed` when given), sorted; with -v the value
   too, a URI's password removed. */
void sh_tc_list(sh_ctx *ctx, const char *section, const char *key,
                const char *const *allowed);
/* A value that may be a URI, for display: a URI with a password (db: or
   not) is shown without it; anything else as is. Caller frees. */
char *sh_tc_safe(const char *value);
/* The usage error of the running command: msg (when not NULL) on stderr,
   then the usage; returns exit 2. */
int sh_tc_usage(sh_ctx *ctx, const char *msg);

/* One action of `engine` / `target`, given the arguments after its name. */
typedef struct sh_tc_action {
  const char *name;
  int (*fn)(sh_ctx *ctx, sh_tc *tc, int argc, char **argv, sqlitch_err *err);
} sh_tc_action;
/* `engine`/`target` ACTION [ARGS]: configure from o, then run the action
   named by argv[0] ("list" when absent or false; "-" read as "_"): "list"
   calls list(), a name in `actions` (ended by {NULL}) its fn, anything
   else is `Unknown action "<x>"` with the usage (exit 2). */
int sh_tc_dispatch(sh_ctx *ctx, const sh_opts *o, int argc, char **argv,
                   const sh_tc_action *actions, int (*list)(sh_ctx *ctx),
                   sqlitch_err *err);
/* Is the error Config::GitLike's "No such section"? */
int sh_tc_no_such_section(const sqlitch_err *err);

/* ---------------------------------------------------- grouped writes */

typedef struct sh_tc_group sh_tc_group;
/* Start editing `file` (symlinks resolved as Config::GitLike does). */
sh_tc_group *sh_tc_group_begin(const char *file, sqlitch_err *err);
int sh_tc_group_set(sh_tc_group *g, const char *key, const char *value,
                    sqlitch_err *err);
/* Config::GitLike's add_comment(indented => 1): "# " after each line's
   leading blanks, a final newline added. */
int sh_tc_group_comment(sh_tc_group *g, const char *text, sqlitch_err *err);
/* Replace the file with the edited copy; abort discards it. */
int sh_tc_group_commit(sh_tc_group *g, sqlitch_err *err);
void sh_tc_group_abort(sh_tc_group *g);
/* All of keys/vals in one group. */
int sh_tc_group_set_all(const char *file, const sqlitch_strv *keys,
                        const sqlitch_strv *vals, sqlitch_err *err);

#endif
