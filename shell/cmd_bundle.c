/*
** cmd_bundle.c -- `sqlitch bundle` (App::Sqitch::Command::bundle): copy a
** project's config, plan and scripts into a directory for distribution.
**
**   sqlitch bundle [options] [<target>...] [<from> [<to>]]...
**     --dest-dir, --dir <dir>   where to bundle (bundle.dest_dir; "bundle")
**     --from <change>           first change to bundle (default @ROOT)
**     --to <change>             last change to bundle (default @HEAD)
**     -a, --all                 every configured target (bundle.all)
**   plus --plan-file/--top-dir.
**
** Layout: <dir>/<config file name>, <dir>/<top_dir>/<plan file name>,
** <dir>/<deploy_dir>/<change>.<ext> (and revert/verify; older instances of
** reworked changes in the reworked_* dirs), each path taken relative to the
** current directory. A file is copied only when the copy is missing or
** older than the source (whole seconds, as Perl's -M). With --from/--to,
** or changes named after a target (two per target: from, to), the plan is
** rewritten to hold only that range (sqlitch_plan_write_range) and only
** those changes' scripts are copied. Files are written atomically.
**
** Example:
**   $ sqlitch bundle --dir dist
**   Bundling into dist
**   Writing config
**   Writing plan
**   Writing scripts
**     + users
**     + flips @v1.0
**
** Difference from sqitch 1.3.1 (docs/differences.md): `--to X` alone
** bundles @ROOT through X; 1.3.1 takes a lone --to as --from.
*/
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "plan.h"

static const char *const opts[] = {"dest-dir|dir=s", "all|a!",        "from=s",
                                   "to=s",           SH_CONTEXT_OPTS, NULL};

/* ---------------------------------------------------------------- paths */

/* Path::Class's ->relative: a relative path cleaned, an absolute one made
   relative to the current directory (File::Spec->abs2rel). Caller frees. */
static char *relative(const char *path) {
  char *p = sqlitch_canonpath(path);
  if (p[0] != '/') {
    if (!*p) {
      free(p);
      return sqlitch_strdup(".");
    }
    return p;
  }
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) return p;
  char *base = sqlitch_canonpath(cwd);
  /* skip the common leading components */
  const char *a = p, *b = base;
  const char *ka = a, *kb = b;
  for (;;) {
    while (*a == '/')
      a++;
    while (*b == '/')
      b++;
    size_t na = strcspn(a, "/"), nb = strcspn(b, "/");
    if (!na || na != nb || strncmp(a, b, na) != 0) break;
    a += na;
    b += nb;
    ka = a;
    kb = b;
  }
  sqlitch_buf out = SQLITCH_BUF_INIT;
  for (const char *s = kb; *s;) {
    while (*s == '/')
      s++;
    if (!*s) break;
    sqlitch_buf_add(&out, out.len ? "/.." : "..");
    s += strcspn(s, "/");
  }
  while (*ka == '/')
    ka++;
  if (*ka) {
    if (out.len) sqlitch_buf_addc(&out, '/');
    sqlitch_buf_add(&out, ka);
  }
  if (!out.len) sqlitch_buf_add(&out, ".");
  free(p);
  free(base);
  return sqlitch_buf_take(&out);
}

/* dir($a, $b) stringified. Caller frees. */
static char *dir_join(const char *a, const char *b) {
  char *j = sqlitch_mprintf("%s/%s", a, b);
  char *c = sqlitch_canonpath(j);
  free(j);
  return c;
}

/* ---------------------------------------------------------------- copying */

typedef struct bundler {
  sh_ctx *ctx;
  char *dest; /* dest_dir as Path::Class prints it */
} bundler;

/* Command::_mkpath: File::Path's make_path, whose error names the first
   path it could not create with mkdir's own errno ("Error creating x:
   File exists" when x is a file), and a debug line when it made any. */
static int mkpath(bundler *b, const char *dir, sqlitch_err *err) {
  char *p = sqlitch_strdup(dir);
  int created = 0, rc = SQLITCH_OK;
  size_t n = strlen(p);
  for (size_t i = 1; i <= n && rc == SQLITCH_OK; i++) {
    if (p[i] != '/' && p[i] != 0) continue;
    char c = p[i];
    p[i] = 0;
    if (!sqlitch_is_dir(p)) {
      if (mkdir(p, 0777) == 0)
        created = 1;
      else
        rc = sqlitch_err_fail(err, "Error creating %s: %s", p, strerror(errno));
    }
    p[i] = c;
  }
  free(p);
  if (rc == SQLITCH_OK && created) sh_debug(b->ctx, "    Created %s", dir);
  return rc;
}

/* _copy_if_modified */
static int copy_if_modified(bundler *b, const char *src, const char *dst,
                            sqlitch_err *err) {
  struct stat ss, ds;
  if (stat(src, &ss) != 0)
    return sqlitch_err_fail(err, "Cannot copy %s: does not exist", src);
  if (stat(dst, &ds) == 0) {
    if (ds.st_mtime >= ss.st_mtime) return SQLITCH_OK;
  } else {
    char *d = sqlitch_path_dirname(dst);
    int rc = mkpath(b, d, err);
    free(d);
    if (rc) return SQLITCH_ERROR;
  }
  sh_debug(b->ctx, "    Copying %s -> %s", src, dst);
  char *data = NULL;
  size_t len = 0;
  sqlitch_err e2 = SQLITCH_ERR_INIT;
  int rc = sqlitch_read_file(src, &data, &len, &e2);
  if (rc == SQLITCH_OK) rc = sqlitch_write_file_atomic(dst, data, len, &e2);
  int eno = errno;
  free(data);
  if (rc) {
    sqlitch_err_clear(&e2);
    return sqlitch_err_fail(err, "Cannot copy \"%s\" to \"%s\": %s", src, dst,
                            strerror(eno ? eno : EIO));
  }
  return SQLITCH_OK;
}

/* bundle_config */
static int bundle_config(bundler *b, sqlitch_err *err) {
  sh_info(b->ctx, "Writing config");
  const char *file = sqlitch_config_local_file(b->ctx->config);
  char *dst = dir_join(b->dest, sqlitch_path_basename(file));
  int rc = copy_if_modified(b, file, dst, err);
  free(dst);
  return rc;
}

/* bundle_plan */
static int bundle_plan(bundler *b, const sqlitch_target *t, const char *from,
                       const char *to, sqlitch_err *err) {
  char *rel = relative(t->top_dir);
  char *dir = dir_join(b->dest, rel);
  char *file = dir_join(dir, sqlitch_path_basename(t->plan_file));
  int rc;
  if (!from && !to) {
    sh_info(b->ctx, "Writing plan");
    rc = copy_if_modified(b, t->plan_file, file, err);
  } else {
    sh_info(b->ctx, "Writing plan from %s to %s", from ? from : "@ROOT",
            to ? to : "@HEAD");
    sqlitch_plan *plan = NULL;
    rc = mkpath(b, dir, err);
    if (rc == SQLITCH_OK) rc = sqlitch_plan_load(t->plan_file, &plan, err);
    size_t ends[2] = {SIZE_MAX, SIZE_MAX};
    const char *specs[2] = {from, to};
    for (int i = 0; i < 2 && rc == SQLITCH_OK; i++) {
      if (!specs[i]) continue;
      long idx = sqlitch_plan_find_err(plan, specs[i], err);
      if (idx == -1)
        rc = sqlitch_err_fail(err, "Cannot find change %s", specs[i]);
      else if (idx < 0)
        rc = SQLITCH_ERROR;
      else
        ends[i] = (size_t)idx;
    }
    if (rc == SQLITCH_OK) {
      sqlitch_buf out = SQLITCH_BUF_INIT;
      sqlitch_plan_write_range(plan, ends[0], ends[1], &out);
      rc = sqlitch_write_file_atomic(file, sqlitch_buf_str(&out), out.len, err);
      sqlitch_buf_free(&out);
    }
    sqlitch_plan_free(plan);
  }
  free(rel);
  free(dir);
  free(file);
  return rc;
}

/* The script kinds: source dir, reworked source dir (per kind). */
typedef struct kind {
  size_t dir, rdir; /* offsets into sqlitch_target */
} kind;

#define TOFF(f) offsetof(sqlitch_target, f)
static const kind kinds[] = {
    {TOFF(deploy_dir), TOFF(reworked_deploy_dir)},
    {TOFF(revert_dir), TOFF(reworked_revert_dir)},
    {TOFF(verify_dir), TOFF(reworked_verify_dir)},
};

static const char *tfield(const sqlitch_target *t, size_t off) {
  return *(char *const *)((const char *)t + off);
}

/* index_of($spec // default) // hurl "Cannot find change <spec>" */
static int script_index(const sqlitch_plan *plan, const char *spec,
                        const char *dflt, long *out, sqlitch_err *err) {
  long idx = sqlitch_plan_index_of(plan, spec ? spec : dflt, err);
  if (idx < -1) return SQLITCH_ERROR;
  if (idx < 0)
    return sqlitch_err_fail(err, "Cannot find change %s", spec ? spec : "");
  *out = idx;
  return SQLITCH_OK;
}

/* bundle_scripts */
static int bundle_scripts(bundler *b, const sqlitch_target *t, const char *from,
                          const char *to, sqlitch_err *err) {
  sqlitch_plan *plan = NULL;
  long first = 0, last = 0;
  if (sqlitch_plan_load(t->plan_file, &plan, err) ||
      script_index(plan, from, "@ROOT", &first, err) ||
      script_index(plan, to, "@HEAD", &last, err)) {
    sqlitch_plan_free(plan);
    return SQLITCH_ERROR;
  }
  sh_info(b->ctx, "Writing scripts");
  /* destination dirs: dir($dest, $target->X_dir->relative) */
  char *dest_dirs[2][3];
  for (size_t k = 0; k < 3; k++) {
    char *r1 = relative(tfield(t, kinds[k].dir));
    char *r2 = relative(tfield(t, kinds[k].rdir));
    dest_dirs[0][k] = dir_join(b->dest, r1);
    dest_dirs[1][k] = dir_join(b->dest, r2);
    free(r1);
    free(r2);
  }
  int rc = SQLITCH_OK;
  for (long i = first; i <= last && rc == SQLITCH_OK; i++) {
    const sqlitch_change *c = &plan->changes[i];
    char *name = sqlitch_change_name_with_tags(plan, c);
    sh_info(b->ctx, "  + %s", name);
    free(name);
    int reworked = c->nrework_tags > 0;
    char *segs = sqlitch_change_script(plan, c, "", "", t->reworked_deploy_dir,
                                       t->extension);
    for (size_t k = 0; k < 3 && rc == SQLITCH_OK; k++) {
      char *src = sqlitch_change_script(plan, c, tfield(t, kinds[k].dir),
                                        tfield(t, kinds[k].rdir),
                                        t->reworked_deploy_dir, t->extension);
      if (sqlitch_path_exists(src)) {
        char *dst = dir_join(dest_dirs[reworked][k], segs);
        rc = copy_if_modified(b, src, dst, err);
        free(dst);
      }
      free(src);
    }
    free(segs);
  }
  for (size_t k = 0; k < 3; k++) {
    free(dest_dirs[0][k]);
    free(dest_dirs[1][k]);
  }
  sqlitch_plan_free(plan);
  return rc;
}

/* ---------------------------------------------------------------- command */

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  /* configure */
  const char *dest = sh_opt_str(o, "dest-dir");
  if (!sqlitch_perl_true(dest))
    dest = sqlitch_config_get(ctx->config, "bundle.dest_dir");
  if (!sqlitch_perl_true(dest)) dest = "bundle";
  const char *from = sh_opt_str(o, "from");
  const char *to = sh_opt_str(o, "to");
  if (!sqlitch_perl_true(from)) from = NULL; /* grep { $_ } */
  if (!sqlitch_perl_true(to)) to = NULL;
  sh_warn_top_dir(ctx, o);

  sqlitch_target_opts topts;
  memset(&topts, 0, sizeof topts);
  sh_target_opts(o, &topts);
  sh_args_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.all = sh_opt_bool(o, "all", 0);
  spec.topts = &topts;
  sh_args a;
  if (sh_parse_args(ctx, &spec, argc, argv, &a, err)) {
    sh_args_free(&a);
    return SQLITCH_ERROR;
  }
  int rc = SQLITCH_OK;
  if (a.ntargets > 1 && (from || to))
    sh_warn(ctx, "Use of --to or --from to bundle multiple targets is not "
                 "recommended.\nPass them as arguments after each target "
                 "argument, instead.");
  if (a.changes.n && (from || to))
    rc = sqlitch_err_fail(err, "Cannot specify both --from or --to and "
                               "change arguments");
  bundler b = {ctx, sqlitch_canonpath(dest)};
  if (rc == SQLITCH_OK) {
    sh_info(ctx, "Bundling into %s", b.dest);
    rc = bundle_config(&b, err);
  }
  size_t next = 0;
  for (size_t i = 0; i < a.ntargets && rc == SQLITCH_OK; i++) {
    const char *f = from, *t = to;
    if (!from && !to) {
      /* splice @changes, 0, 2 */
      f = next < a.changes.n ? a.changes.v[next++] : NULL;
      t = next < a.changes.n ? a.changes.v[next++] : NULL;
    }
    rc = bundle_plan(&b, a.targets[i], f, t, err);
    if (rc == SQLITCH_OK) rc = bundle_scripts(&b, a.targets[i], f, t, err);
  }
  free(b.dest);
  sh_args_free(&a);
  return rc == SQLITCH_OK ? 0 : SQLITCH_ERROR;
}

const sh_cmd sh_cmd_bundle = {"bundle", opts, run};
