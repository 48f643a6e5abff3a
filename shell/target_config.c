/*
** target_config.c -- Sqitch's Role::TargetConfigCommand for init, engine
** and target. See target_config.h for the API and an example.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan.h"
#include "target_config.h"

const char *const sh_tc_dir_keys[SH_TC_NDIRS] = {
    "deploy_dir",         "revert_dir",          "verify_dir",
    "reworked_dir",       "reworked_deploy_dir", "reworked_revert_dir",
    "reworked_verify_dir"};

/* --dir names, in the same order as sh_tc_dir_keys. */
static const char *const dir_names[SH_TC_NDIRS] = {
    "deploy",          "revert",          "verify",         "reworked",
    "reworked_deploy", "reworked_revert", "reworked_verify"};

static const char *truthy(const char *s) {
  return sqlitch_perl_true(s) ? s : NULL;
}

/* Path::Class: dir($x)->cleanup ("" is the root directory). */
static char *dir_clean(const char *x) {
  return *x ? sqlitch_canonpath(x) : sqlitch_strdup("/");
}

/* Split "k=v" items of a hash option; later keys win. Sorted by key. */
static void split_pairs(const sqlitch_strv *items, sqlitch_strv *keys,
                        sqlitch_strv *vals) {
  for (size_t i = 0; i < items->n; i++) {
    const char *it = items->v[i], *eq = strchr(it, '=');
    size_t kl = eq ? (size_t)(eq - it) : strlen(it);
    const char *v = eq ? eq + 1 : "";
    size_t at = 0;
    int found = 0;
    for (; at < keys->n; at++) {
      int c = strncmp(keys->v[at], it, kl);
      if (c == 0 && keys->v[at][kl] == '\0') {
        found = 1;
        break;
      }
      if (c > 0 || (c == 0 && keys->v[at][kl] != '\0')) break;
    }
    if (found) {
      free(vals->v[at]);
      vals->v[at] = sqlitch_strdup(v);
      continue;
    }
    sqlitch_strv_pushn(keys, it, kl);
    sqlitch_strv_push(vals, v);
    /* move the new pair into place */
    char *k = keys->v[keys->n - 1], *val = vals->v[vals->n - 1];
    memmove(&keys->v[at + 1], &keys->v[at],
            (keys->n - 1 - at) * sizeof(char *));
    memmove(&vals->v[at + 1], &vals->v[at],
            (vals->n - 1 - at) * sizeof(char *));
    keys->v[at] = k;
    vals->v[at] = val;
  }
}

int sh_tc_configure(sh_ctx *ctx, const sh_opts *o, sh_tc *tc,
                    sqlitch_err *err) {
  memset(tc, 0, sizeof *tc);
  tc->engine = sh_opt_str(o, "engine");
  tc->target = sh_opt_str(o, "target");
  tc->registry = sh_opt_str(o, "registry");
  tc->client = sh_opt_str(o, "client");
  tc->extension = sh_opt_str(o, "extension");
  const char *pf = sh_opt_str(o, "plan-file"), *td = sh_opt_str(o, "top-dir");
  tc->plan_file = truthy(pf) ? sqlitch_canonpath(pf) : sqlitch_strdup(pf);
  tc->top_dir = truthy(td) ? sqlitch_canonpath(td) : sqlitch_strdup(td);

  /* --dir name=path */
  sqlitch_strv dk = SQLITCH_STRV_INIT, dv = SQLITCH_STRV_INIT,
               unknown = SQLITCH_STRV_INIT;
  split_pairs(sh_opt_list(o, "dir"), &dk, &dv);
  for (size_t i = 0; i < dk.n; i++) {
    int k = 0;
    while (k < SH_TC_NDIRS && strcmp(dir_names[k], dk.v[i]) != 0)
      k++;
    if (k == SH_TC_NDIRS)
      sqlitch_strv_push(&unknown, dk.v[i]);
    else
      tc->dirs[k] = dir_clean(dv.v[i]);
  }
  sqlitch_strv_free(&dk);
  sqlitch_strv_free(&dv);
  if (unknown.n) {
    char *list = sqlitch_strv_join(&unknown, ", ");
    sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                    unknown.n == 1 ? "Unknown directory name: %s"
                                   : "Unknown directory names: %s",
                    list);
    free(list);
    sqlitch_strv_free(&unknown);
    return SQLITCH_ERROR;
  }

  /* --set name=value */
  const sqlitch_strv *sets = sh_opt_list(o, "set");
  tc->has_vars = sh_opt_has(o, "set");
  split_pairs(sets, &tc->var_keys, &tc->var_vals);

  /* BUILD: --engine, --uri */
  if (truthy(tc->engine) && !sqlitch_engine_known(tc->engine))
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 255, "Unknown engine \"%s\"",
                           tc->engine);
  const char *uri = sh_opt_str(o, "uri");
  if (uri && sh_opt_has(o, "uri") && ctx->command &&
      strcmp(ctx->command, "target") == 0) {
    if (!truthy(uri)) {
      tc->uri = sqlitch_strdup(uri);
      return SQLITCH_OK;
    }
    sqlitch_uri *u;
    if (sqlitch_uri_parse(uri, &u, err)) {
      err->exitval = 255;
      return SQLITCH_ERROR;
    }
    tc->uri = sqlitch_uri_string(u);
    char *shown = sqlitch_uri_display(u);
    int rc = SQLITCH_OK;
    if (!u->engine)
      rc = sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                           "No database engine in URI \"%s\"", shown);
    else if (!sqlitch_engine_known(u->engine))
      rc = sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                           "Unknown engine \"%s\" in URI \"%s\"", u->engine,
                           shown);
    free(shown);
    sqlitch_uri_free(u);
    return rc;
  }
  return SQLITCH_OK;
}

void sh_tc_free(sh_tc *tc) {
  if (!tc) return;
  free(tc->uri);
  free(tc->plan_file);
  free(tc->top_dir);
  for (int i = 0; i < SH_TC_NDIRS; i++)
    free(tc->dirs[i]);
  sqlitch_strv_free(&tc->var_keys);
  sqlitch_strv_free(&tc->var_vals);
  memset(tc, 0, sizeof *tc);
}

/* ------------------------------------------------------------ targets */

static void tc_opts(const sh_tc *tc, sqlitch_target_opts *o) {
  memset(o, 0, sizeof *o);
  o->top_dir = truthy(tc->top_dir);
  o->plan_file = truthy(tc->plan_file);
  o->registry = truthy(tc->registry);
  o->client = truthy(tc->client);
  o->extension = truthy(tc->extension);
  const char **d[SH_TC_NDIRS] = {
      &o->deploy_dir,         &o->revert_dir,          &o->verify_dir,
      &o->reworked_dir,       &o->reworked_deploy_dir, &o->reworked_revert_dir,
      &o->reworked_verify_dir};
  for (int i = 0; i < SH_TC_NDIRS; i++)
    *d[i] = truthy(tc->dirs[i]);
}

int sh_tc_default_target(sh_ctx *ctx, sqlitch_target **out, sqlitch_err *err) {
  const sqlitch_config *cfg = ctx->config;
  if (!truthy(sqlitch_config_get(cfg, "core.engine")) &&
      !truthy(sqlitch_config_get(cfg, "core.target"))) {
    sqlitch_uri *u = sqlitch_uri_new_db("db:");
    int rc = sqlitch_target_new_uri(cfg, NULL, u, NULL, out, err);
    sqlitch_uri_free(u);
    return rc;
  }
  return sqlitch_target_new(cfg, NULL, NULL, out, err);
}

int sh_tc_config_target(sh_ctx *ctx, const sh_tc *tc, const char *name,
                        const sqlitch_uri *uri, const char *engine,
                        sqlitch_target **out, sqlitch_err *err) {
  const sqlitch_config *cfg = ctx->config;
  sqlitch_target_opts o;
  tc_opts(tc, &o);
  if (!truthy(name)) name = truthy(tc->target);
  if (name) {
    if (uri) return sqlitch_target_new_uri(cfg, name, uri, &o, out, err);
    char *key = sqlitch_mprintf("target.%s.uri", name);
    int configured = truthy(sqlitch_config_get(cfg, key)) != NULL;
    free(key);
    if (!strchr(name, ':') && !configured) {
      const char *e = truthy(engine);
      if (!e) e = truthy(tc->engine);
      if (!e) e = truthy(sqlitch_config_get(cfg, "core.engine"));
      if (!e)
        return sqlitch_err_set(
            err, SQLITCH_E_CONFIG, 2,
            "No engine specified; specify via target or core.engine");
      char *s = sqlitch_mprintf("db:%s:", e);
      sqlitch_uri *u = sqlitch_uri_new_db(s);
      int rc = sqlitch_target_new_uri(cfg, name, u, &o, out, err);
      sqlitch_uri_free(u);
      free(s);
      return rc;
    }
    return sqlitch_target_new(cfg, name, &o, out, err);
  }
  const char *e = truthy(engine);
  if (!e) e = truthy(tc->engine);
  if (e) {
    char *key = sqlitch_mprintf("engine.%s.target", e);
    const char *n = truthy(sqlitch_config_get(cfg, key));
    free(key);
    if (!n) n = truthy(sqlitch_config_get(cfg, "core.target"));
    char *dflt = sqlitch_mprintf("db:%s:", e);
    int rc = sqlitch_target_new(cfg, n ? n : dflt, &o, out, err);
    free(dflt);
    return rc;
  }
  sqlitch_target *def;
  if (sh_tc_default_target(ctx, &def, err)) return SQLITCH_ERROR;
  int rc = sqlitch_target_new_uri(cfg, def->name, def->uri, &o, out, err);
  sqlitch_target_free(def);
  return rc;
}

/* -------------------------------------------------------- directories */

/* File::Path's make_path as Sqitch reports it: 1 if anything was made. */
static int make_path(const char *dir, int *made, sqlitch_err *err) {
  char *p = sqlitch_strdup(dir);
  size_t n = strlen(p);
  *made = 0;
  for (size_t i = 1; i <= n; i++) {
    if (p[i] != '/' && p[i] != '\0') continue;
    char save = p[i];
    p[i] = '\0';
    if (!sqlitch_is_dir(p)) {
      if (mkdir(p, 0777) == 0) {
        *made = 1;
      } else if (!(errno == EEXIST && sqlitch_is_dir(p))) {
        sqlitch_err_set(err, SQLITCH_E_IO, 2, "Error creating %s: %s", p,
                        strerror(errno));
        free(p);
        return SQLITCH_ERROR;
      }
    }
    p[i] = save;
  }
  free(p);
  return SQLITCH_OK;
}

int sh_tc_mkdirs(sh_ctx *ctx, const char *const *dirs, size_t n,
                 sqlitch_err *err) {
  for (size_t i = 0; i < n; i++) {
    if (sqlitch_is_dir(dirs[i])) continue;
    int made;
    if (make_path(dirs[i], &made, err)) return SQLITCH_ERROR;
    if (made) sh_info(ctx, "Created %s/", dirs[i]);
  }
  return SQLITCH_OK;
}

static char *subdir(const char *top, const char *name) {
  char *j = sqlitch_mprintf("%s/%s", top, name);
  char *r = sqlitch_canonpath(j);
  free(j);
  return r;
}

static void push_unseen(sqlitch_strv *v, char *s) {
  if (sqlitch_strv_contains(v, s))
    free(s);
  else
    sqlitch_strv_push_owned(v, s);
}

int sh_tc_make_dirs(sh_ctx *ctx, const sh_tc *tc, const sqlitch_target *t,
                    sqlitch_err *err) {
  static const char *const kinds[] = {"deploy", "revert", "verify"};
  sqlitch_strv dirs = SQLITCH_STRV_INIT;
  const char *top = truthy(tc->top_dir);
  const char *tdirs[] = {t->deploy_dir, t->revert_dir, t->verify_dir};
  const char *trw[] = {t->reworked_deploy_dir, t->reworked_revert_dir,
                       t->reworked_verify_dir};
  for (int i = 0; i < 3; i++) {
    /* Sqitch looks up "deploy_deploy" here, so with --top-dir the script
       directories are always under it */
    if (top)
      push_unseen(&dirs, subdir(top, kinds[i]));
    else
      push_unseen(&dirs,
                  sqlitch_strdup(truthy(tc->dirs[i]) ? tc->dirs[i] : tdirs[i]));
  }
  const char *rw = truthy(tc->dirs[SH_TC_REWORKED]);
  if (!rw) rw = top;
  for (int i = 0; i < 3; i++) {
    const char *p = truthy(tc->dirs[SH_TC_REWORKED_DEPLOY + i]);
    if (p)
      push_unseen(&dirs, sqlitch_strdup(p));
    else if (rw)
      push_unseen(&dirs, subdir(rw, kinds[i]));
    else
      push_unseen(&dirs, sqlitch_strdup(trw[i]));
  }
  int rc = sh_tc_mkdirs(ctx, (const char *const *)dirs.v, dirs.n, err);
  sqlitch_strv_free(&dirs);
  return rc;
}

/* --------------------------------------------------------------- plan */

/* Project and %uri of a plan file, or SQLITCH_ERROR when it does not
   load. Strings are copies. */
static int plan_project(const char *file, char **project, char **uri) {
  sqlitch_plan *p;
  sqlitch_err e = SQLITCH_ERR_INIT;
  if (sqlitch_plan_load(file, &p, &e)) {
    sqlitch_err_clear(&e);
    return SQLITCH_ERROR;
  }
  *project = sqlitch_strdup(p->project);
  *uri = sqlitch_strdup(p->uri);
  sqlitch_plan_free(p);
  return *project ? SQLITCH_OK : SQLITCH_ERROR;
}

int sh_tc_write_plan(sh_ctx *ctx, const sh_tc *tc, const sqlitch_target *t,
                     const char *project, const char *uri, sqlitch_err *err) {
  const char *file = t->plan_file;
  char *proj = sqlitch_strdup(truthy(project));
  char *puri = sqlitch_strdup(truthy(uri));
  int rc = SQLITCH_ERROR;
  (void)tc;

  if (!proj || !puri) {
    sqlitch_target *def;
    char *p = NULL, *u = NULL;
    if (sh_tc_default_target(ctx, &def, err)) goto done;
    int ok = plan_project(def->plan_file, &p, &u) == SQLITCH_OK;
    sqlitch_target_free(def);
    if (!ok) ok = plan_project(file, &p, &u) == SQLITCH_OK;
    if (ok) {
      if (!proj) proj = sqlitch_strdup(p);
      if (!puri) puri = sqlitch_strdup(truthy(u));
    }
    free(p);
    free(u);
    if (!ok && !proj) {
      sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                      "Missing %%project pragma in %s", file);
      goto done;
    }
  }

  if (sqlitch_path_exists(file)) {
    char *p = NULL, *u = NULL;
    if (!sqlitch_is_file(file)) {
      sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                      "Cannot initialize because %s already exists and is "
                      "not a file",
                      file);
    } else if (plan_project(file, &p, &u)) {
      sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                      "Cannot initialize because %s already exists and is "
                      "not a valid plan file",
                      file);
    } else if (strcmp(p, proj) != 0) {
      sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                      "Cannot initialize because project \"%s\" already "
                      "initialized in %s",
                      p, file);
    } else {
      rc = SQLITCH_OK;
    }
    free(p);
    free(u);
    goto done;
  }

  char *dir = sqlitch_path_dirname(file);
  int r = sh_tc_mkdirs(ctx, (const char *const *)&dir, 1, err);
  free(dir);
  if (r) goto done;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addf(&b, "%%syntax-version=%s\n%%project=%s\n",
                   SQLITCH_PLAN_SYNTAX_VERSION, proj);
  if (puri) {
    char *canon = sqlitch_uri_canonical(puri);
    sqlitch_buf_addf(&b, "%%uri=%s\n", canon ? canon : puri);
    free(canon);
  }
  sqlitch_buf_addc(&b, '\n');
  r = sqlitch_write_file_atomic(file, b.p, b.len, err);
  sqlitch_buf_free(&b);
  if (r) goto done;
  sh_info(ctx, "Created %s", file);
  rc = SQLITCH_OK;

done:
  free(proj);
  free(puri);
  return rc;
}

/* ------------------------------------------------------------- params */

void sh_tc_params(const sh_tc *tc, const char *prefix, const char *extra_key,
                  const char *extra_val, sqlitch_strv *keys,
                  sqlitch_strv *vals) {
  const struct {
    const char *name, *value;
  } props[] = {
      {extra_key, extra_val},       {"plan_file", tc->plan_file},
      {"registry", tc->registry},   {"client", tc->client},
      {"extension", tc->extension}, {"top_dir", tc->top_dir},
  };
  for (size_t i = 0; i < sizeof props / sizeof *props; i++) {
    if (!props[i].name || !props[i].value) continue;
    sqlitch_strv_push_owned(keys,
                            sqlitch_mprintf("%s.%s", prefix, props[i].name));
    sqlitch_strv_push(vals, props[i].value);
  }
  for (int i = 0; i < SH_TC_NDIRS; i++) {
    if (!tc->dirs[i]) continue;
    sqlitch_strv_push_owned(
        keys, sqlitch_mprintf("%s.%s", prefix, sh_tc_dir_keys[i]));
    sqlitch_strv_push(vals, tc->dirs[i]);
  }
  for (size_t i = 0; i < tc->var_keys.n; i++) {
    sqlitch_strv_push_owned(
        keys, sqlitch_mprintf("%s.variables.%s", prefix, tc->var_keys.v[i]));
    sqlitch_strv_push(vals, tc->var_vals.v[i]);
  }
}

/* ------------------------------------------------------ grouped writes */

struct sh_tc_group {
  char *file;
  char *tmp;
};

sh_tc_group *sh_tc_group_begin(const char *file, sqlitch_err *err) {
  sh_tc_group *g = sqlitch_calloc(1, sizeof *g);
  g->file = sqlitch_strdup(file);
  /* follow symlinks, as Config::GitLike does (at most 5) */
  for (int depth = 0; depth < 5; depth++) {
    char buf[4096];
    ssize_t n = readlink(g->file, buf, sizeof buf - 1);
    if (n < 0) break;
    buf[n] = '\0';
    free(g->file);
    g->file = sqlitch_strdup(buf);
  }
  g->tmp = sqlitch_mprintf("%s.sqlitch-group-%ld", g->file, (long)getpid());
  unlink(g->tmp);
  if (sqlitch_is_file(g->file)) {
    char *data;
    size_t len;
    if (sqlitch_read_file(g->file, &data, &len, err)) {
      sh_tc_group_abort(g);
      return NULL;
    }
    int rc = sqlitch_write_file_atomic(g->tmp, data, len, err);
    free(data);
    if (rc) {
      sh_tc_group_abort(g);
      return NULL;
    }
  }
  return g;
}

int sh_tc_group_set(sh_tc_group *g, const char *key, const char *value,
                    sqlitch_err *err) {
  return sqlitch_config_set(g->tmp, key, value, NULL, 0, err);
}

int sh_tc_group_comment(sh_tc_group *g, const char *text, sqlitch_err *err) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  if (sqlitch_is_file(g->tmp)) {
    char *data;
    size_t len;
    if (sqlitch_read_file(g->tmp, &data, &len, err)) return SQLITCH_ERROR;
    sqlitch_buf_addn(&b, data, len);
    free(data);
  }
  /* "# " after the leading blanks of every line */
  const char *p = text;
  for (;;) {
    size_t bl = strspn(p, " \t");
    sqlitch_buf_addn(&b, p, bl);
    sqlitch_buf_add(&b, "# ");
    p += bl;
    const char *nl = strchr(p, '\n');
    if (!nl) {
      sqlitch_buf_add(&b, p);
      sqlitch_buf_addc(&b, '\n');
      break;
    }
    sqlitch_buf_addn(&b, p, (size_t)(nl - p) + 1);
    p = nl + 1;
    if (!*p) break;
  }
  int rc = sqlitch_write_file_atomic(g->tmp, b.p, b.len, err);
  sqlitch_buf_free(&b);
  return rc;
}

int sh_tc_group_commit(sh_tc_group *g, sqlitch_err *err) {
  int rc = SQLITCH_OK;
  if (sqlitch_path_exists(g->tmp) && rename(g->tmp, g->file) != 0)
    rc = sqlitch_err_set(err, SQLITCH_E_IO, 2, "Can't rename %s to %s: %s",
                         g->tmp, g->file, strerror(errno));
  sh_tc_group_abort(g);
  return rc;
}

void sh_tc_group_abort(sh_tc_group *g) {
  if (!g) return;
  unlink(g->tmp);
  free(g->tmp);
  free(g->file);
  free(g);
}

int sh_tc_group_set_all(const char *file, const sqlitch_strv *keys,
                        const sqlitch_strv *vals, sqlitch_err *err) {
  sh_tc_group *g = sh_tc_group_begin(file, err);
  if (!g) return SQLITCH_ERROR;
  for (size_t i = 0; i < keys->n; i++) {
    if (sh_tc_group_set(g, keys->v[i], vals->v[i], err)) {
      sh_tc_group_abort(g);
      return SQLITCH_ERROR;
    }
  }
  return sh_tc_group_commit(g, err);
}

/* ------------------------------------------------------- show / list */

char *sh_tc_safe(const char *value) {
  if (!value) return NULL;
  int is_db = sqlitch_uri_is_db(value);
  sqlitch_uri *u = sqlitch_uri_new_db(value);
  char *r;
  if (u->password && *u->password) {
    char *d = sqlitch_uri_display(u);
    /* a value that was not a db: URI got "db:" in front: drop it */
    r = is_db ? d : sqlitch_strdup(d + 3);
    if (!is_db) free(d);
  } else {
    r = sqlitch_strdup(value);
  }
  sqlitch_uri_free(u);
  return r;
}

int sh_tc_no_such_section(const sqlitch_err *err) {
  return err->msg && strstr(err->msg, "No such section") != NULL;
}

/* Variables of a target: engine.<e>.variables then target.<name>.variables,
   names as written, sorted case-insensitively. */
static void show_vars(const sh_ctx *ctx, const sqlitch_target *t,
                      sqlitch_strv *keys, sqlitch_strv *vals) {
  char *secs[2];
  secs[0] =
      t->engine ? sqlitch_mprintf("engine.%s.variables", t->engine) : NULL;
  secs[1] = sqlitch_mprintf("target.%s.variables", t->name);
  for (int s = 0; s < 2; s++) {
    if (!secs[s]) continue;
    sqlitch_config_entry *ents = NULL;
    size_t n = sqlitch_config_section(ctx->config, secs[s], &ents);
    for (size_t i = 0; i < n; i++) {
      const char *k = ents[i].orig_key ? ents[i].orig_key : ents[i].key;
      const char *last = strrchr(k, '.');
      last = last ? last + 1 : k;
      size_t at = 0;
      while (at < keys->n && strcmp(keys->v[at], last) != 0)
        at++;
      if (at < keys->n) {
        free(vals->v[at]);
        vals->v[at] = sqlitch_strdup(ents[i].value ? ents[i].value : "");
      } else {
        sqlitch_strv_push(keys, last);
        sqlitch_strv_push(vals, ents[i].value ? ents[i].value : "");
      }
    }
    free(ents);
    free(secs[s]);
  }
}

int sh_tc_show(sh_ctx *ctx, const char *first_label, const char *first_value,
               const sqlitch_target *t, sqlitch_err *err) {
  /* labels padded to the longest ("Top Directory") */
  static const char *const labels[] = {
      "Registry", "Client",   "Top Directory", "Plan File", "Extension",
      "  Deploy", "  Revert", "  Verify",      "  Reworked"};
  size_t w = strlen(first_label);
  for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
    if (strlen(labels[i]) > w) w = strlen(labels[i]);
#define LINE(label, value)                                                     \
  sh_emit(ctx, "    %s: %*s%s", label, (int)(w - strlen(label)), "", value)

  if (!t->registry || !t->client) {
    if (sqlitch_target_check_engine(t, err)) return SQLITCH_ERROR;
  }
  LINE(first_label, first_value);
  LINE("Registry", t->registry);
  LINE("Client", t->client);
  LINE("Top Directory", t->top_dir);
  LINE("Plan File", t->plan_file);
  LINE("Extension", t->extension);
  sh_emit(ctx, "    Script Directories:");
  LINE("  Deploy", t->deploy_dir);
  LINE("  Revert", t->revert_dir);
  LINE("  Verify", t->verify_dir);
  sh_emit(ctx, "    Reworked Script Directories:");
  LINE("  Reworked", t->reworked_dir);
  LINE("  Deploy", t->reworked_deploy_dir);
  LINE("  Revert", t->reworked_revert_dir);
  LINE("  Verify", t->reworked_verify_dir);
#undef LINE

  sqlitch_strv keys = SQLITCH_STRV_INIT, vals = SQLITCH_STRV_INIT;
  show_vars(ctx, t, &keys, &vals);
  if (!keys.n) {
    sh_emit(ctx, "    No Variables");
  } else {
    /* order by lower-cased name */
    size_t *ord = sqlitch_calloc(keys.n, sizeof *ord);
    size_t kw = 0;
    for (size_t i = 0; i < keys.n; i++) {
      ord[i] = i;
      size_t l = sqlitch_utf8_len(keys.v[i]);
      if (l > kw) kw = l;
    }
    for (size_t i = 1; i < keys.n; i++) {
      size_t x = ord[i], j = i;
      while (j > 0 && strcasecmp(keys.v[ord[j - 1]], keys.v[x]) > 0) {
        ord[j] = ord[j - 1];
        j--;
      }
      ord[j] = x;
    }
    sh_emit(ctx, "    Variables:");
    for (size_t i = 0; i < keys.n; i++) {
      const char *k = keys.v[ord[i]];
      sh_emit(ctx, "  %s: %*s%s", k, (int)(kw - sqlitch_utf8_len(k)), "",
              vals.v[ord[i]]);
    }
    free(ord);
  }
  sqlitch_strv_free(&keys);
  sqlitch_strv_free(&vals);
  return SQLITCH_OK;
}

void sh_tc_list(sh_ctx *ctx, const char *section, const char *key,
                const char *const *allowed) {
  const char **all = NULL;
  size_t n = sqlitch_config_keys(ctx->config, &all);
  size_t sl = strlen(section), kl = strlen(key);
  for (size_t i = 0; i < n; i++) {
    const char *k = all[i];
    size_t len = strlen(k);
    if (len <= sl + kl + 2 || strncmp(k, section, sl) != 0 || k[sl] != '.' ||
        k[len - kl - 1] != '.' || strcmp(k + len - kl, key) != 0)
      continue;
    char *name = sqlitch_strndup(k + sl + 1, len - kl - sl - 2);
    int ok = !strchr(name, '.');
    for (int a = 0; ok && allowed; a++) {
      if (!allowed[a]) {
        ok = 0;
        break;
      }
      if (strcmp(allowed[a], name) == 0) break;
    }
    if (ok) {
      if (ctx->verbose_opt) {
        char *v = sh_tc_safe(sqlitch_config_get(ctx->config, k));
        sh_emit(ctx, "%s\t%s", name, v ? v : "");
        free(v);
      } else {
        sh_emit(ctx, "%s", name);
      }
    }
    free(name);
  }
  free(all);
}

/* ------------------------------------------------------ the actions */

int sh_tc_usage(sh_ctx *ctx, const char *msg) {
  if (msg) sh_vent(ctx, "%s", msg);
  sh_usage(ctx, ctx->command);
  return 2;
}

int sh_tc_dispatch(sh_ctx *ctx, const sh_opts *o, int argc, char **argv,
                   const sh_tc_action *actions, int (*list)(sh_ctx *ctx),
                   sqlitch_err *err) {
  sh_tc tc;
  if (sh_tc_configure(ctx, o, &tc, err)) {
    sh_tc_free(&tc);
    return SQLITCH_ERROR;
  }
  int rc;
  const char *action =
      argc > 0 && sqlitch_perl_true(argv[0]) ? argv[0] : "list";
  char *act = sqlitch_strdup(action);
  for (char *p = act; *p; p++)
    if (*p == '-') *p = '_';
  if (strcmp(act, "list") == 0) {
    rc = list(ctx);
  } else {
    const sh_tc_action *a = actions;
    while (a->name && strcmp(a->name, act) != 0)
      a++;
    if (a->name) {
      rc = a->fn(ctx, &tc, argc - 1, argv + 1, err);
    } else {
      char *msg = sqlitch_mprintf("Unknown action \"%s\"", action);
      rc = sh_tc_usage(ctx, msg);
      free(msg);
    }
  }
  free(act);
  sh_tc_free(&tc);
  return rc;
}
