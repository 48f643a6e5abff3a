/*
** target.c -- targets as App::Sqitch::Target resolves them. API in
** target.h; URIs are in uri.c.
**
** Resolution (BUILDARGS): the name given, else $SQITCH_TARGET, else
** core.target, else engine.<core.engine>.target, else "db:<core.engine>:".
** A name with ":" is a URI; any other name needs target.<name>.uri. The
** --db-user/--db-host/--db-port/--db-name overrides are applied to the URI,
** and a URI target is named by its URI without the password.
**
** Attributes (registry, client, top_dir, plan_file, extension, the script
** directories) come from the command-line overrides, then
** target.<name>.X, engine.<engine>.X, core.X (Perl truthiness: "" and "0"
** fall through), then the default. Paths print as Path::Class prints
** them (see sqlitch_canonpath and perl_file below).
**
**   sqlitch_target *t;
**   sqlitch_target_opts o = {0};
**   if (sqlitch_target_new(cfg, "db:pg://bob:pw@h/db", &o, &t, &err)) ...
**   t->name;                          // "db:pg://bob:@h/db"
**   sqlitch_target_password(t);       // "pw" (or $SQITCH_PASSWORD)
**   sqlitch_target_free(t);
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target.h"

/* ------------------------------------------------------------- paths */

char *sqlitch_canonpath(const char *p) {
  sqlitch_buf a = SQLITCH_BUF_INIT, b = SQLITCH_BUF_INIT;
  if (!p) p = "";
  /* 1. collapse runs of "/" */
  for (const char *s = p; *s; s++)
    if (!(*s == '/' && a.len && a.p[a.len - 1] == '/'))
      sqlitch_buf_addc(&a, *s);
  sqlitch_buf_addn(&a, "", 0);
  /* 2. (/.)+ followed by "/" or the end -> "/" */
  const char *s = a.p;
  size_t n = a.len;
  for (size_t i = 0; i < n;) {
    long end = -1;
    if (s[i] == '/') {
      size_t j = i;
      while (s[j] == '/' && s[j + 1] == '.') {
        j += 2;
        if (s[j] == '/')
          end = (long)j + 1;
        else if (s[j] == '\0')
          end = (long)j;
        else
          break;
      }
    }
    if (end >= 0) {
      sqlitch_buf_addc(&b, '/');
      i = (size_t)end;
    } else {
      sqlitch_buf_addc(&b, s[i++]);
    }
  }
  sqlitch_buf_addn(&b, "", 0);
  char *r = sqlitch_buf_take(&b);
  sqlitch_buf_free(&a);
  /* 3. leading "./" (unless the path is "./") */
  if (strcmp(r, "./") != 0) {
    size_t k = 0;
    while (r[k] == '.' && r[k + 1] == '/')
      k += 2;
    memmove(r, r + k, strlen(r + k) + 1);
  }
  /* 4. "/../../x" -> "/x", 5. "/.." -> "/" */
  if (r[0] == '/') {
    size_t k = 1;
    while (strncmp(r + k, "../", 3) == 0)
      k += 3;
    if (k > 1) memmove(r + 1, r + k, strlen(r + k) + 1);
    if (strcmp(r, "/..") == 0) r[1] = '\0';
  }
  /* 6. trailing "/" */
  size_t len = strlen(r);
  if (len > 1 && r[len - 1] == '/') r[len - 1] = '\0';
  return r;
}

/* Path::Class::File->new(f)->stringify: the directory part is
   canonicalised, the file name kept ("./x.plan" stays, "a//b" -> "a/b"). */
static char *perl_file(const char *f) {
  const char *slash = strrchr(f, '/');
  if (!slash) return sqlitch_strdup(f);
  size_t dl = (size_t)(slash - f) + 1;
  const char *base = slash + 1;
  if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
    dl = strlen(f);
    base = "";
  }
  char *dirs = sqlitch_strndup(f, dl);
  char *dir = sqlitch_canonpath(dirs);
  size_t n = strlen(dir);
  char *r =
      sqlitch_mprintf("%s%s%s", dir, (n && dir[n - 1] == '/') ? "" : "/", base);
  free(dirs);
  free(dir);
  return r;
}

/* dir($a)->subdir/file($b)->cleanup */
static char *join_clean(const char *a, const char *b) {
  char *j = sqlitch_mprintf("%s/%s", a, b);
  char *r = sqlitch_canonpath(j);
  free(j);
  return r;
}

/* ------------------------------------------------------------ config */

/* Perl-true value of a key, or NULL. */
static const char *cfg_true(const sqlitch_config *cfg, const char *key) {
  const char *v = cfg ? sqlitch_config_get(cfg, key) : NULL;
  return sqlitch_perl_true(v) ? v : NULL;
}

static const char *cfg_truef(const sqlitch_config *cfg, const char *fmt,
                             const char *a, const char *b) {
  char *key = sqlitch_mprintf(fmt, a, b);
  const char *v = cfg_true(cfg, key);
  free(key);
  return v;
}

/* _fetch: target.<name>.X || engine.<engine>.X || core.X (borrowed). */
static const char *fetch(const sqlitch_config *cfg, const sqlitch_target *t,
                         const char *x) {
  const char *v = cfg_truef(cfg, "target.%s.%s", t->name, x);
  if (!v && t->engine) v = cfg_truef(cfg, "engine.%s.%s", t->engine, x);
  if (!v) v = cfg_truef(cfg, "core.%s", x, NULL);
  return v;
}

/* --------------------------------------------------------- defaults */

static const struct {
  const char *engine, *registry, *client;
} engine_defaults[] = {
    {"pg", "sqitch", "psql"},        {"sqlite", "sqitch", "sqlite3"},
    {"mysql", "sqitch", "mysql"},    {"oracle", "", "sqlplus"},
    {"firebird", "sqitch", NULL},    {"vertica", "sqitch", "vsql"},
    {"exasol", "sqitch", "exaplus"}, {"snowflake", "sqitch", "snowsql"},
};

static int defaults_row(const char *engine) {
  for (size_t i = 0;
       engine && i < sizeof engine_defaults / sizeof *engine_defaults; i++)
    if (strcmp(engine_defaults[i].engine, engine) == 0) return (int)i;
  return -1;
}

static int executable(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Firebird's client: the first of fbsql, isql-fb, isql on $PATH; the
   bare name when it is the first executable of that name found. */
static char *firebird_client(void) {
  static const char *const tries[] = {"fbsql", "isql-fb", "isql", NULL};
  const char *path = getenv("PATH");
  if (!path) return NULL;
  for (int i = 0; tries[i]; i++) {
    const char *p = path;
    while (*p) {
      size_t n = strcspn(p, ":");
      char *cand = sqlitch_mprintf("%.*s/%s", (int)n, n ? p : ".", tries[i]);
      if (executable(cand)) {
        free(cand);
        return sqlitch_strdup(tries[i]);
      }
      free(cand);
      p += n;
      if (*p == ':') p++;
    }
  }
  return NULL;
}

static char *oracle_client(void) {
  const char *home = getenv("ORACLE_HOME");
  if (home && *home) {
    char *j = sqlitch_mprintf("%s/sqlplus", home);
    char *r = sqlitch_canonpath(j);
    free(j);
    return r;
  }
  return sqlitch_strdup("sqlplus");
}

/* ------------------------------------------------------ construction */

/* Both sqitch.plan and sqlitch.plan beside the plan file? */
static int check_plan_pair(const char *plan_file, sqlitch_err *err) {
  const char *base = sqlitch_path_basename(plan_file);
  const char *other;
  if (strcmp(base, "sqitch.plan") == 0)
    other = "sqlitch.plan";
  else if (strcmp(base, "sqlitch.plan") == 0)
    other = "sqitch.plan";
  else
    return SQLITCH_OK;
  char *dir = sqlitch_path_dirname(plan_file);
  char *o = sqlitch_path_join(dir, other);
  int both = sqlitch_path_exists(plan_file) && sqlitch_path_exists(o);
  int rc = SQLITCH_OK;
  if (both)
    rc = sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                         "Both %s and %s exist; a project may use only one "
                         "of them. Remove one",
                         strcmp(base, "sqitch.plan") == 0 ? plan_file : o,
                         strcmp(base, "sqitch.plan") == 0 ? o : plan_file);
  free(dir);
  free(o);
  return rc;
}

/* Fill every attribute of t (name, uri, engine set). */
static int fill(const sqlitch_config *cfg, sqlitch_target *t,
                const sqlitch_target_opts *o, sqlitch_err *err) {
  const char *v;
  int row = defaults_row(t->engine);

  /* registry, client */
  if (o->registry)
    t->registry = sqlitch_strdup(o->registry);
  else if ((v = fetch(cfg, t, "registry")))
    t->registry = sqlitch_strdup(v);
  else if (row >= 0)
    t->registry = sqlitch_strdup(engine_defaults[row].registry);
  if (o->client)
    t->client = sqlitch_strdup(o->client);
  else if ((v = fetch(cfg, t, "client")))
    t->client = sqlitch_strdup(v);
  else if (row >= 0) {
    if (strcmp(t->engine, "firebird") == 0)
      t->client = firebird_client();
    else if (strcmp(t->engine, "oracle") == 0)
      t->client = oracle_client();
    else
      t->client = sqlitch_strdup(engine_defaults[row].client);
  }

  /* top_dir, plan_file */
  if (o->top_dir)
    t->top_dir = sqlitch_canonpath(o->top_dir);
  else if ((v = fetch(cfg, t, "top_dir")))
    t->top_dir = sqlitch_canonpath(v);
  else
    t->top_dir = sqlitch_strdup(".");
  if (o->plan_file)
    t->plan_file = perl_file(o->plan_file);
  else if ((v = fetch(cfg, t, "plan_file")))
    t->plan_file = perl_file(v);
  else {
    const char *compat = cfg ? sqlitch_config_get(cfg, "core.compat") : NULL;
    t->plan_file = join_clean(t->top_dir, sqlitch_streq(compat, "sqlitch")
                                              ? "sqlitch.plan"
                                              : "sqitch.plan");
  }

  /* script directories */
  static const char *const kinds[] = {"deploy", "revert", "verify"};
  const char *od[] = {o->deploy_dir, o->revert_dir, o->verify_dir};
  const char *orw[] = {o->reworked_deploy_dir, o->reworked_revert_dir,
                       o->reworked_verify_dir};
  char **dirs[] = {&t->deploy_dir, &t->revert_dir, &t->verify_dir};
  char **rdirs[] = {&t->reworked_deploy_dir, &t->reworked_revert_dir,
                    &t->reworked_verify_dir};
  if (o->reworked_dir)
    t->reworked_dir = sqlitch_canonpath(o->reworked_dir);
  else if ((v = fetch(cfg, t, "reworked_dir")))
    t->reworked_dir = sqlitch_canonpath(v);
  else
    t->reworked_dir = sqlitch_strdup(t->top_dir);
  for (int i = 0; i < 3; i++) {
    char key[32];
    snprintf(key, sizeof key, "%s_dir", kinds[i]);
    if (od[i])
      *dirs[i] = sqlitch_canonpath(od[i]);
    else if ((v = fetch(cfg, t, key)))
      *dirs[i] = sqlitch_canonpath(v);
    else
      *dirs[i] = join_clean(t->top_dir, kinds[i]);
    snprintf(key, sizeof key, "reworked_%s_dir", kinds[i]);
    if (orw[i])
      *rdirs[i] = sqlitch_canonpath(orw[i]);
    else if ((v = fetch(cfg, t, key)))
      *rdirs[i] = sqlitch_canonpath(v);
    else
      *rdirs[i] = join_clean(t->reworked_dir, kinds[i]);
  }

  if (o->extension)
    t->extension = sqlitch_strdup(o->extension);
  else if ((v = fetch(cfg, t, "extension")))
    t->extension = sqlitch_strdup(v);
  else
    t->extension = sqlitch_strdup("sql");

  return check_plan_pair(t->plan_file, err);
}

static sqlitch_target *alloc_target(char *name, sqlitch_uri *uri) {
  sqlitch_target *t = sqlitch_calloc(1, sizeof *t);
  t->name = name;
  t->uri = uri;
  t->engine = sqlitch_strdup(uri->engine);
  return t;
}

static int finish(const sqlitch_config *cfg, sqlitch_target *t,
                  const sqlitch_target_opts *o, sqlitch_target **out,
                  sqlitch_err *err) {
  static const sqlitch_target_opts none;
  if (fill(cfg, t, o ? o : &none, err)) {
    sqlitch_target_free(t);
    *out = NULL;
    return SQLITCH_ERROR;
  }
  *out = t;
  return SQLITCH_OK;
}

int sqlitch_target_new_uri(const sqlitch_config *cfg, const char *name,
                           const sqlitch_uri *uri,
                           const sqlitch_target_opts *opts,
                           sqlitch_target **out, sqlitch_err *err) {
  if (!sqlitch_perl_true(name)) name = sqlitch_getenv("TARGET");
  char *n =
      sqlitch_perl_true(name) ? sqlitch_strdup(name) : sqlitch_uri_display(uri);
  return finish(cfg, alloc_target(n, sqlitch_uri_dup(uri)), opts, out, err);
}

/* core.engine without trailing blanks, or NULL. Caller frees. */
static char *core_engine(const sqlitch_config *cfg) {
  const char *ce = cfg_true(cfg, "core.engine");
  if (!ce) return NULL;
  size_t k = strlen(ce);
  while (k && strchr(" \t\r\n\f\v", ce[k - 1]))
    k--;
  return sqlitch_strndup(ce, k);
}

/* The default target's name: core.target, engine.<core.engine>.target or
   "db:<core.engine>:"; NULL when there is no core.engine either. Sets
   *from_engine when core.engine was used. Caller frees. */
static char *default_name(const sqlitch_config *cfg, int *from_engine) {
  const char *ct = cfg_true(cfg, "core.target");
  *from_engine = 0;
  if (ct) return sqlitch_strdup(ct);
  char *e = core_engine(cfg);
  if (!e) return NULL;
  *from_engine = 1;
  const char *et = cfg_truef(cfg, "engine.%s.target", e, NULL);
  char *r = et ? sqlitch_strdup(et) : sqlitch_mprintf("db:%s:", e);
  free(e);
  return r;
}

int sqlitch_target_new(const sqlitch_config *cfg, const char *name,
                       const sqlitch_target_opts *opts, sqlitch_target **out,
                       sqlitch_err *err) {
  static const sqlitch_target_opts none;
  const sqlitch_target_opts *o = opts ? opts : &none;
  char *owned = NULL, *tname = NULL;
  const char *uristr;
  int from_engine = 0;
  *out = NULL;

  if (!sqlitch_perl_true(name)) name = sqlitch_getenv("TARGET");
  if (!sqlitch_perl_true(name)) {
    name = owned = default_name(cfg, &from_engine);
    if (!name) {
      if (cfg && sqlitch_config_initialized(cfg))
        return sqlitch_err_set(
            err, SQLITCH_E_CONFIG, 2,
            "No engine specified; specify via target or core.engine");
      return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                             "No project configuration found. Run the "
                             "\"init\" command to initialize a project");
    }
  }

  if (strchr(name, ':')) {
    uristr = name;
  } else {
    uristr = cfg_truef(cfg, "target.%s.uri", name, NULL);
    if (!uristr) {
      char *sec = sqlitch_mprintf("target.%s", name);
      sqlitch_config_entry *ents = NULL;
      size_t ne = cfg ? sqlitch_config_section(cfg, sec, &ents) : 0;
      free(ents);
      free(sec);
      if (ne == 0)
        sqlitch_err_set(err, SQLITCH_E_CONFIG, 2, "Cannot find target \"%s\"",
                        name);
      else
        sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                        "No URI associated with target \"%s\"", name);
      free(owned);
      return SQLITCH_ERROR;
    }
    tname = sqlitch_strdup(name);
  }

  sqlitch_uri *u = sqlitch_uri_new_db(uristr);
  free(owned);
  /* with core.engine known, an engineless URI is let through (Sqitch) */
  if (!u->engine && !from_engine) {
    char *shown = sqlitch_uri_display(u);
    sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                    "No engine specified by URI %s; URI must start with "
                    "\"db:$engine:\"",
                    shown);
    free(shown);
    sqlitch_uri_free(u);
    free(tname);
    return SQLITCH_ERROR;
  }
  if (o->db_user) sqlitch_uri_set_user(u, o->db_user);
  if (o->db_host) sqlitch_uri_set_host(u, o->db_host);
  if (o->db_port) sqlitch_uri_set_port(u, o->db_port);
  if (o->db_name) sqlitch_uri_set_dbname(u, o->db_name);
  if (!tname) tname = sqlitch_uri_display(u);
  return finish(cfg, alloc_target(tname, u), o, out, err);
}

void sqlitch_target_free(sqlitch_target *t) {
  if (!t) return;
  free(t->name);
  sqlitch_uri_free(t->uri);
  free(t->engine);
  free(t->registry);
  free(t->client);
  free(t->top_dir);
  free(t->plan_file);
  free(t->extension);
  free(t->deploy_dir);
  free(t->revert_dir);
  free(t->verify_dir);
  free(t->reworked_dir);
  free(t->reworked_deploy_dir);
  free(t->reworked_revert_dir);
  free(t->reworked_verify_dir);
  free(t);
}

int sqlitch_target_check_engine(const sqlitch_target *t, sqlitch_err *err) {
  if (!t->engine)
    return sqlitch_err_set(
        err, SQLITCH_E_CONFIG, 2,
        "No engine specified; specify via target or core.engine");
  if (!sqlitch_engine_known(t->engine))
    return sqlitch_err_set(err, SQLITCH_E_DEV, 2,
                           "Unable to load App::Sqitch::Engine::%s", t->engine);
  if (!t->client && strcmp(t->engine, "firebird") == 0)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Unable to locate Firebird ISQL; set "
                           "\"engine.firebird.client\" via sqitch config");
  return SQLITCH_OK;
}

/* ------------------------------------------------------- all targets */

typedef struct {
  sqlitch_target **v;
  size_t n, cap;
  sqlitch_strv seen;
} tlist;

static void tl_push(tlist *l, sqlitch_target *t) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 8;
    l->v = sqlitch_realloc(l->v, l->cap * sizeof *l->v);
  }
  l->v[l->n++] = t;
}

void sqlitch_target_free_all(sqlitch_target **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    sqlitch_target_free(v[i]);
  free(v);
}

/* Subsection of "<section>.<sub>.<name>" keys; NULL if not that shape. */
static char *subsection(const char *key, const char *section,
                        const char *name) {
  size_t sl = strlen(section), nl = strlen(name), kl = strlen(key);
  if (kl <= sl + nl + 2 || strncmp(key, section, sl) != 0 || key[sl] != '.')
    return NULL;
  if (strcmp(key + kl - nl, name) != 0 || key[kl - nl - 1] != '.') return NULL;
  return sqlitch_strndup(key + sl + 1, kl - nl - 2 - sl);
}

int sqlitch_target_all(const sqlitch_config *cfg,
                       const sqlitch_target_opts *opts, sqlitch_target ***out,
                       size_t *n, sqlitch_err *err) {
  tlist l = {NULL, 0, 0, SQLITCH_STRV_INIT};
  sqlitch_config_entry *ents = NULL;
  size_t ne = cfg ? sqlitch_config_dump(cfg, &ents) : 0;
  sqlitch_target *t;
  int rc = SQLITCH_OK;
  sqlitch_strv names = SQLITCH_STRV_INIT, engines = SQLITCH_STRV_INIT,
               etargets = SQLITCH_STRV_INIT;

  *out = NULL;
  *n = 0;

  /* the default target */
  int from_engine;
  char *core = default_name(cfg, &from_engine);
  if (core) {
    if ((rc = sqlitch_target_new(cfg, core, opts, &t, err))) goto done;
    tl_push(&l, t);
    sqlitch_strv_push(&l.seen, core);
  }

  /* keys of interest, from the dump (sorted by key) */
  for (size_t i = 0; i < ne; i++) {
    const char *k = ents[i].key;
    char *s;
    if ((s = subsection(k, "target", "uri")) && !strchr(s, '.')) {
      if (!sqlitch_strv_contains(&names, s)) sqlitch_strv_push(&names, s);
    } else if ((s = subsection(k, "engine", "target")) && !strchr(s, '.')) {
      const char *v = sqlitch_config_get(cfg, k);
      if (!sqlitch_strv_contains(&engines, s)) {
        sqlitch_strv_push(&engines, s);
        sqlitch_strv_push(&etargets, v ? v : "");
      }
    }
    free(s);
  }

  /* named targets */
  for (size_t i = 0; i < names.n; i++) {
    if (sqlitch_strv_contains(&l.seen, names.v[i])) continue;
    if ((rc = sqlitch_target_new(cfg, names.v[i], opts, &t, err))) goto done;
    tl_push(&l, t);
    sqlitch_strv_push(&l.seen, names.v[i]);
  }

  /* engine targets */
  for (size_t i = 0; i < engines.n; i++) {
    if (!sqlitch_strv_contains(&l.seen, etargets.v[i])) {
      if ((rc = sqlitch_target_new(cfg, etargets.v[i], opts, &t, err)))
        goto done;
      tl_push(&l, t);
      sqlitch_strv_push(&l.seen, etargets.v[i]);
    }
    sqlitch_strv_push(&l.seen, engines.v[i]);
  }

  /* engines without a target */
  for (size_t i = 0; i < ne; i++) {
    const char *k = ents[i].key;
    if (strncmp(k, "engine.", 7) != 0) continue;
    const char *e = k + 7, *dot = strchr(e, '.');
    size_t el = dot ? (size_t)(dot - e) : strlen(e);
    while (el && strchr(" \t\r\n\f\v", e[el - 1]))
      el--;
    char *eng = sqlitch_strndup(e, el);
    if (!sqlitch_strv_contains(&l.seen, eng)) {
      sqlitch_strv_push(&l.seen, eng);
      char *us = sqlitch_mprintf("db:%s:", eng);
      if (!sqlitch_strv_contains(&l.seen, us)) {
        sqlitch_uri *u = sqlitch_uri_new_db(us);
        rc = sqlitch_target_new_uri(cfg, NULL, u, opts, &t, err);
        sqlitch_uri_free(u);
        if (rc) {
          free(us);
          free(eng);
          goto done;
        }
        tl_push(&l, t);
        sqlitch_strv_push(&l.seen, us);
      }
      free(us);
    }
    free(eng);
  }

done:
  free(core);
  free(ents);
  sqlitch_strv_free(&names);
  sqlitch_strv_free(&engines);
  sqlitch_strv_free(&etargets);
  sqlitch_strv_free(&l.seen);
  if (rc) {
    sqlitch_target_free_all(l.v, l.n);
    return rc;
  }
  *out = l.v;
  *n = l.n;
  return SQLITCH_OK;
}

/* ------------------------------------------------------ credentials */

const char *sqlitch_target_username(const sqlitch_target *t) {
  const char *v = sqlitch_getenv("USERNAME");
  return sqlitch_perl_true(v) ? v : t->uri->user;
}

const char *sqlitch_target_password(const sqlitch_target *t) {
  const char *v = sqlitch_getenv("PASSWORD");
  return sqlitch_perl_true(v) ? v : t->uri->password;
}

/* --------------------------------------------------------- variables */

typedef struct {
  sqlitch_strv keys, vals;
} varmap;

static void vm_set(varmap *m, const char *k, size_t kl, const char *v) {
  for (size_t i = 0; i < m->keys.n; i++) {
    if (strlen(m->keys.v[i]) == kl && strncmp(m->keys.v[i], k, kl) == 0) {
      free(m->vals.v[i]);
      m->vals.v[i] = sqlitch_strdup(v ? v : "");
      return;
    }
  }
  sqlitch_strv_pushn(&m->keys, k, kl);
  sqlitch_strv_push(&m->vals, v ? v : "");
}

static void vm_section(varmap *m, const sqlitch_config *cfg,
                       const char *section) {
  sqlitch_config_entry *ents = NULL;
  size_t n = sqlitch_config_section(cfg, section, &ents);
  for (size_t i = 0; i < n; i++) {
    const char *k = ents[i].orig_key ? ents[i].orig_key : ents[i].key;
    const char *last = strrchr(k, '.');
    last = last ? last + 1 : k;
    vm_set(m, last, strlen(last), ents[i].value);
  }
  free(ents);
}

/* Order "k=v" strings by k. */
static int cmp_var(const void *pa, const void *pb) {
  const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
  size_t al = strcspn(a, "="), bl = strcspn(b, "=");
  int c = strncmp(a, b, al < bl ? al : bl);
  if (c) return c;
  return al < bl ? -1 : al > bl;
}

void sqlitch_target_variables(const sqlitch_config *cfg,
                              const sqlitch_target *t, const char *command,
                              const sqlitch_strv *sets, sqlitch_strv *out) {
  varmap m = {SQLITCH_STRV_INIT, SQLITCH_STRV_INIT};
  if (cfg) {
    vm_section(&m, cfg, "core.variables");
    vm_section(&m, cfg, "deploy.variables");
    if (command && strcmp(command, "deploy") != 0) {
      char *s = sqlitch_mprintf("%s.variables", command);
      vm_section(&m, cfg, s);
      free(s);
    }
    if (t && t->engine) {
      char *s = sqlitch_mprintf("engine.%s.variables", t->engine);
      vm_section(&m, cfg, s);
      free(s);
    }
    if (t) {
      char *s = sqlitch_mprintf("target.%s.variables", t->name);
      vm_section(&m, cfg, s);
      free(s);
    }
  }
  for (size_t i = 0; sets && i < sets->n; i++) {
    const char *eq = strchr(sets->v[i], '=');
    if (eq)
      vm_set(&m, sets->v[i], (size_t)(eq - sets->v[i]), eq + 1);
    else
      vm_set(&m, sets->v[i], strlen(sets->v[i]), "");
  }
  sqlitch_strv tmp = SQLITCH_STRV_INIT;
  for (size_t i = 0; i < m.keys.n; i++)
    sqlitch_strv_push_owned(&tmp,
                            sqlitch_mprintf("%s=%s", m.keys.v[i], m.vals.v[i]));
  if (tmp.n > 1) qsort(tmp.v, tmp.n, sizeof *tmp.v, cmp_var);
  for (size_t i = 0; i < tmp.n; i++)
    sqlitch_strv_push(out, tmp.v[i]);
  sqlitch_strv_free(&tmp);
  sqlitch_strv_free(&m.keys);
  sqlitch_strv_free(&m.vals);
}

/* ================================================ positional arguments */

sqlitch_arg_kind sqlitch_target_arg_kind(const sqlitch_config *cfg,
                                         const char *arg) {
  if (!arg) return SQLITCH_ARG_OTHER;
  if (sqlitch_uri_is_db(arg)) return SQLITCH_ARG_TARGET;
  if (cfg) {
    char *key = sqlitch_mprintf("target.%s.uri", arg);
    int named = sqlitch_perl_true(sqlitch_config_get(cfg, key));
    free(key);
    if (named) return SQLITCH_ARG_TARGET;
  }
  return sqlitch_engine_known(arg) ? SQLITCH_ARG_ENGINE : SQLITCH_ARG_OTHER;
}

char *sqlitch_target_engine_target(const sqlitch_config *cfg,
                                   const char *engine) {
  char *key = sqlitch_mprintf("engine.%s.target", engine);
  const char *t = cfg ? sqlitch_config_get(cfg, key) : NULL;
  free(key);
  return sqlitch_perl_true(t) ? sqlitch_strdup(t)
                              : sqlitch_mprintf("db:%s:", engine);
}
