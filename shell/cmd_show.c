/*
** cmd_show.c -- `sqlitch show`: print a plan object or one of its scripts
** (App::Sqitch::Command::show).
**
**   sqlitch show [-t <target>] [-f <plan-file>] [-e] <type> <object>
**
**   type     change | tag | deploy | revert | verify
**   object   a change spec ("users", "users@v1.0", "@v1.0", an id, HEAD^)
**            or, for tags, "v1.0" / "@v1.0" / a tag id
**
** `change` and `tag` print the info text their ids are computed from;
** deploy/revert/verify print the script's bytes unchanged. With -e
** nothing is printed: the exit code says whether the object exists (0) or
** not (2); a script path that is a directory is still an error.
** Errors, all exit 2: `Unknown tag "x"`, `Unknown object type "x` (sic:
** sqitch's message lacks the closing quote), `Unknown change "x"`,
** `File "path" does not exist`, `"path" is not a file`.
**
** --json (sqlitch only) prints one JSON object on one line instead: the
** object's fields plus "info" (the text printed without --json) for
** change and tag, or "path" and "content" for scripts (docs/json.md).
** Errors and exit codes stay the same; with -e nothing is printed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "plan.h"
#include "shell.h"

static const char *const opts[] = {"target|t=s", "exists|e!", "json",
                                   SH_CONTEXT_OPTS, NULL};

/* emit: the text plus "\n", bytes as they are (NULs included). */
static void emit_raw(const char *text, size_t len) {
  fflush(stdout);
  fwrite(text, 1, len, stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

static void emit_owned(char *text) {
  emit_raw(text, strlen(text));
  free(text);
}

/* ------------------------------------------------------------- --json */

/* Write one finished document and free the writer. */
static void json_emit(sh_json *j, sqlitch_buf *b) {
  sh_json_end(j);
  emit_raw(b->p, b->len);
  sh_json_free(j);
  sqlitch_buf_free(b);
}

static void json_begin(sh_json *j, sqlitch_buf *b, const char *type) {
  sh_json_init(j, b);
  sh_json_object(j, NULL);
  sh_json_str(j, "type", type);
}

static void json_planner(sh_json *j, const char *name, const char *email,
                         const char *at) {
  sh_json_str(j, "planner_name", name);
  sh_json_str(j, "planner_email", email);
  sh_json_str(j, "planned_at", at);
}

static void json_change(const sqlitch_plan *plan, long idx) {
  const sqlitch_change *c = &plan->changes[idx];
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sh_json j;
  char *uri = sqlitch_plan_uri(plan), *info = sqlitch_change_info(plan, c);
  json_begin(&j, &b, "change");
  sh_json_str(&j, "change_id", c->id);
  sh_json_str(&j, "name", c->name);
  sh_json_str(&j, "project", plan->project);
  sh_json_str(&j, "uri", uri);
  sh_json_str(&j, "parent", idx > 0 ? plan->changes[idx - 1].id : NULL);
  json_planner(&j, c->planner_name, c->planner_email, c->timestamp);
  for (int k = 0; k < 2; k++) {
    const sqlitch_dep *deps = k ? c->conflicts : c->requires;
    size_t n = k ? c->nconflicts : c->nrequires;
    sh_json_array(&j, k ? "conflicts" : "requires");
    for (size_t i = 0; i < n; i++) {
      char *str = sqlitch_dep_string(&deps[i]);
      sh_json_str(&j, NULL, str);
      free(str);
    }
    sh_json_end(&j);
  }
  sh_json_array(&j, "tags");
  for (size_t i = 0; i < c->ntags; i++) {
    char *name = sqlitch_mprintf("@%s", plan->tags[c->tags[i]].name);
    sh_json_str(&j, NULL, name);
    free(name);
  }
  sh_json_end(&j);
  sh_json_str(&j, "note", c->note);
  sh_json_str(&j, "info", info);
  json_emit(&j, &b);
  free(uri);
  free(info);
}

static void json_tag(const sqlitch_plan *plan, const sqlitch_tag *t) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sh_json j;
  char *uri = sqlitch_plan_uri(plan), *info = sqlitch_tag_info(plan, t);
  char *name = sqlitch_mprintf("@%s", t->name);
  json_begin(&j, &b, "tag");
  sh_json_str(&j, "tag_id", t->id);
  sh_json_str(&j, "name", name);
  sh_json_str(&j, "project", plan->project);
  sh_json_str(&j, "uri", uri);
  sh_json_str(&j, "change", plan->changes[t->change].name);
  sh_json_str(&j, "change_id", plan->changes[t->change].id);
  json_planner(&j, t->planner_name, t->planner_email, t->timestamp);
  sh_json_str(&j, "note", t->note);
  sh_json_str(&j, "info", info);
  json_emit(&j, &b);
  free(uri);
  free(info);
  free(name);
}

static void json_script(const sqlitch_change *c, const char *type,
                        const char *path, const char *data, size_t len) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sh_json j;
  json_begin(&j, &b, type);
  sh_json_str(&j, "change", c->name);
  sh_json_str(&j, "change_id", c->id);
  sh_json_str(&j, "path", path);
  sh_json_strn(&j, "content", data, len);
  json_emit(&j, &b);
}

/* Command->default_target: without core.engine or core.target the target
   is the engine-less "db:" URI instead of an error. */
static int show_target(sh_ctx *ctx, const sh_opts *o,
                       const sqlitch_target_opts *topts, sqlitch_target **out,
                       sqlitch_err *err) {
  const char *name = sh_opt_str(o, "target");
  if (sqlitch_perl_true(name) ||
      sqlitch_perl_true(sqlitch_config_get(ctx->config, "core.engine")) ||
      sqlitch_perl_true(sqlitch_config_get(ctx->config, "core.target")))
    return sqlitch_target_new(
        ctx->config, sqlitch_perl_true(name) ? name : NULL, topts, out, err);
  sqlitch_uri *u = sqlitch_uri_new_db("db:");
  int rc = sqlitch_target_new_uri(ctx->config, NULL, u, topts, out, err);
  sqlitch_uri_free(u);
  return rc;
}

/* 40 lower-case hex digits at the start (/^[0-9a-f]{40}/). */
static int starts_with_id(const char *s) {
  for (int i = 0; i < 40; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return 1;
}

static int show_tag(const sqlitch_plan *plan, const char *key, int exists_only,
                    int json, sqlitch_err *err) {
  int is_id = starts_with_id(key);
  char *spec = is_id || key[0] == '@' ? sqlitch_strdup(key)
                                      : sqlitch_mprintf("@%s", key);
  long idx = sqlitch_plan_index_of(plan, spec, err);
  free(spec);
  if (idx < -1) return SQLITCH_ERROR;
  const sqlitch_tag *tag = NULL;
  if (idx >= 0) {
    const sqlitch_change *c = &plan->changes[idx];
    const char *name = key[0] == '@' ? key + 1 : key;
    for (size_t i = 0; i < c->ntags && !tag; i++) {
      const sqlitch_tag *t = &plan->tags[c->tags[i]];
      if (is_id ? strcmp(t->id, key) == 0 : strcmp(t->name, name) == 0) tag = t;
    }
  }
  if (!tag) {
    if (exists_only) return 2;
    return sqlitch_err_fail(err, "Unknown tag \"%s\"", key);
  }
  if (exists_only) return 0;
  if (json)
    json_tag(plan, tag);
  else
    emit_owned(sqlitch_tag_info(plan, tag));
  return 0;
}

/* The script directories of a target, by object type. */
static void script_dirs(const sqlitch_target *t, const char *type,
                        const char **dir, const char **reworked) {
  static const char *const types[] = {"deploy", "revert", "verify"};
  const char *const dirs[] = {t->deploy_dir, t->revert_dir, t->verify_dir};
  const char *const rdirs[] = {t->reworked_deploy_dir, t->reworked_revert_dir,
                               t->reworked_verify_dir};
  for (size_t i = 0; i < 3; i++)
    if (strcmp(type, types[i]) == 0) {
      *dir = dirs[i];
      *reworked = rdirs[i];
    }
}

static int show_script(const sqlitch_target *t, const sqlitch_plan *plan,
                       const sqlitch_change *c, const char *type,
                       int exists_only, int json, sqlitch_err *err) {
  const char *dir = NULL, *rdir = NULL;
  script_dirs(t, type, &dir, &rdir);
  char *path = sqlitch_change_script(plan, c, dir, rdir, t->reworked_deploy_dir,
                                     t->extension);
  struct stat st;
  int rc = 0;
  if (stat(path, &st) != 0) {
    rc = exists_only
             ? 2
             : sqlitch_err_fail(err, "File \"%s\" does not exist", path);
  } else if (S_ISDIR(st.st_mode)) {
    rc = sqlitch_err_fail(err, "\"%s\" is not a file", path);
  } else if (!exists_only) {
    char *data = NULL;
    size_t len = 0;
    if (sqlitch_read_file(path, &data, &len, err))
      rc = SQLITCH_ERROR;
    else if (json)
      json_script(c, type, path, data, len);
    else
      emit_raw(data, len);
    free(data);
  }
  free(path);
  return rc;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  int exists_only = sh_opt_bool(o, "exists", 0);
  int json = sh_opt_bool(o, "json", 0);
  sh_warn_top_dir(ctx, o);
  const char *type = argc > 0 ? argv[0] : NULL;
  const char *key = argc > 1 ? argv[1] : NULL;
  if (!sqlitch_perl_true(type) || !sqlitch_perl_true(key)) {
    sh_usage(ctx, "show");
    return 2;
  }

  sqlitch_target_opts topts;
  memset(&topts, 0, sizeof topts);
  sh_target_opts(o, &topts);
  sqlitch_target *target = NULL;
  sqlitch_plan *plan = NULL;
  int rc = SQLITCH_ERROR;
  if (show_target(ctx, o, &topts, &target, err)) goto done;
  if (sqlitch_plan_load_ro(target->plan_file, &plan, err)) goto done;

  if (strcmp(type, "tag") == 0) {
    rc = show_tag(plan, key, exists_only, json, err);
    goto done;
  }
  static const char *const types[] = {"change", "deploy", "revert", "verify",
                                      NULL};
  size_t ti = 0;
  while (types[ti] && strcmp(type, types[ti]) != 0)
    ti++;
  if (!types[ti]) {
    sqlitch_err_fail(err, "Unknown object type \"%s", type);
    goto done;
  }
  long idx = sqlitch_plan_index_of(plan, key, err);
  if (idx < -1) goto done;
  if (idx < 0) {
    rc = exists_only ? 2 : sqlitch_err_fail(err, "Unknown change \"%s\"", key);
    goto done;
  }
  const sqlitch_change *c = &plan->changes[idx];
  if (ti == 0) {
    if (!exists_only && json)
      json_change(plan, idx);
    else if (!exists_only)
      emit_owned(sqlitch_change_info(plan, c));
    rc = 0;
  } else {
    rc = show_script(target, plan, c, type, exists_only, json, err);
  }

done:
  sqlitch_plan_free(plan);
  sqlitch_target_free(target);
  return rc;
}

const sh_cmd sh_cmd_show = {"show", opts, run};
