/*
** context.c -- the extension's per-connection state, how a call finds its
** project and target, and the plan cache. Defines no SQL object; see
** ext.h for the rules it implements.
**
**   sqlitch_ext_project *p;
**   if (sqlitch_ext_project_open(x, path, &p, &err)) ...   // path may be NULL
**   sqlitch_target *t;
**   if (sqlitch_ext_project_target(p, NULL, NULL, &t, &err)) ...
**   sqlitch_ext_plan *pl;
**   if (sqlitch_ext_plan_get(x, t->plan_file, &pl, &err)) ...
**   long i = sqlitch_ext_plan_by_name(pl, "users");
**   sqlitch_ext_plan_release(pl);
**   sqlitch_target_free(t);
**   sqlitch_ext_project_free(p);
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ext.h"

/* Plans kept per connection; the oldest is dropped first. */
#define PLAN_CACHE_MAX 4

struct sqlitch_ext {
  int refs;
  char *project;                           /* sqlitch_project(), absolute */
  char *foreign;                           /* another SQLite: why, or NULL */
  sqlitch_ext_plan *plans[PLAN_CACHE_MAX]; /* most recently used first */
};

/* ======================================================== connection */

sqlitch_ext *sqlitch_ext_new(void) {
  sqlitch_ext *x = sqlitch_calloc(1, sizeof *x);
  x->refs = 1;
  return x;
}

sqlitch_ext *sqlitch_ext_ref(sqlitch_ext *x) {
  x->refs++;
  return x;
}

void sqlitch_ext_unref(void *p) {
  sqlitch_ext *x = p;
  if (!x || --x->refs > 0) return;
  for (int i = 0; i < PLAN_CACHE_MAX; i++)
    sqlitch_ext_plan_release(x->plans[i]);
  free(x->project);
  free(x->foreign);
  free(x);
}

void sqlitch_ext_set_foreign(sqlitch_ext *x, const char *why) {
  free(x->foreign);
  x->foreign = sqlitch_strdup(why);
}

const char *sqlitch_ext_foreign(const sqlitch_ext *x) { return x->foreign; }

/* An absolute, symlink-free path of an existing directory or file. */
static char *absolute(const char *path) {
  char *r = realpath(path, NULL);
  if (!r) return NULL;
  char *copy = sqlitch_strdup(r);
  free(r);
  return copy;
}

int sqlitch_ext_set_project(sqlitch_ext *x, const char *dir, sqlitch_err *err) {
  if (!dir || !*dir) {
    free(x->project);
    x->project = NULL;
    return SQLITCH_OK;
  }
  if (!sqlitch_is_dir(dir))
    return sqlitch_err_fail(err, "Project directory %s does not exist", dir);
  char *abs = absolute(dir);
  if (!abs)
    return sqlitch_err_fail(err, "Cannot resolve %s: %s", dir, strerror(errno));
  free(x->project);
  x->project = abs;
  return SQLITCH_OK;
}

/* The current directory, absolute (NULL when it cannot be read). */
static char *cwd_abs(void);

char *sqlitch_ext_project_dir(const sqlitch_ext *x) {
  if (x->project) return sqlitch_strdup(x->project);
  const char *env = getenv("SQLITCH_PROJECT_DIR");
  if (env && *env) return absolute(env);
  return cwd_abs();
}

/* =========================================================== project */

void sqlitch_ext_project_free(sqlitch_ext_project *p) {
  if (!p) return;
  sqlitch_config_free(p->cfg);
  free(p->dir);
  free(p->plan_file);
  free(p);
}

/* The current directory, absolute (NULL when it cannot be read). */
static char *cwd_abs(void) {
  char *d = getcwd(NULL, 0);
  if (!d) return NULL;
  char *r = absolute(d);
  free(d);
  return r;
}

int sqlitch_ext_project_open(sqlitch_ext *x, const char *path,
                             sqlitch_ext_project **out, sqlitch_err *err) {
  sqlitch_ext_project *p = sqlitch_calloc(1, sizeof *p);
  char *base = NULL;
  *out = NULL;
  if (path && *path) {
    if (sqlitch_is_dir(path)) {
      base = absolute(path);
    } else if (sqlitch_path_exists(path)) {
      char *d = sqlitch_path_dirname(path);
      base = absolute(d);
      free(d);
      p->plan_file = sqlitch_strdup(path);
    } else {
      sqlitch_ext_project_free(p);
      return sqlitch_err_fail(err,
                              "Cannot find project directory or plan file "
                              "\"%s\"",
                              path);
    }
  } else {
    const char *d = x ? x->project : NULL;
    if (!d) d = getenv("SQLITCH_PROJECT_DIR");
    if (d && *d) {
      base = absolute(d);
      if (!base) {
        sqlitch_ext_project_free(p);
        return sqlitch_err_fail(err, "Project directory %s does not exist", d);
      }
    }
  }
  if (base) { /* the cwd itself needs no rewriting */
    char *cwd = cwd_abs();
    if (cwd && strcmp(cwd, base) == 0) {
      free(base);
      base = NULL;
    }
    free(cwd);
  }
  p->dir = base;
  p->cfg = sqlitch_config_new();
  if (p->dir) sqlitch_config_set_cwd(p->cfg, p->dir);
  if (sqlitch_config_load(p->cfg, err)) {
    sqlitch_ext_project_free(p);
    return SQLITCH_ERROR;
  }
  *out = p;
  return SQLITCH_OK;
}

int sqlitch_ext_project_require(const sqlitch_ext_project *p,
                                sqlitch_err *err) {
  if (p->plan_file || sqlitch_config_initialized(p->cfg)) return SQLITCH_OK;
  return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                         "No project configuration found. Run the \"init\" "
                         "command to initialize a project");
}

/* Make a relative path of the target relative to the project directory. */
static void rebase(const sqlitch_ext_project *p, char **field) {
  if (!p->dir || !*field || (*field)[0] == '/') return;
  char *j = sqlitch_path_join(p->dir, *field);
  free(*field);
  *field = j;
}

static void fix_paths(const sqlitch_ext_project *p, sqlitch_target *t) {
  char **fields[] = {&t->top_dir,
                     &t->plan_file,
                     &t->deploy_dir,
                     &t->revert_dir,
                     &t->verify_dir,
                     &t->reworked_dir,
                     &t->reworked_deploy_dir,
                     &t->reworked_revert_dir,
                     &t->reworked_verify_dir};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    rebase(p, fields[i]);
  if (p->plan_file) {
    free(t->plan_file);
    t->plan_file = sqlitch_strdup(p->plan_file);
  }
}

/* Same file? (device and inode) */
static int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

/* The name of the configured SQLite target whose database is `file`, or
   NULL. Targets that do not resolve are skipped: only the one in use
   would make the CLI fail. Caller frees. */
static char *configured_name(const sqlitch_ext_project *p, const char *file) {
  sqlitch_target **all = NULL;
  size_t n = 0;
  char *name = NULL;
  sqlitch_err ignore = SQLITCH_ERR_INIT;
  if (sqlitch_target_all(p->cfg, NULL, &all, &n, &ignore)) {
    sqlitch_err_clear(&ignore);
    return NULL;
  }
  for (size_t i = 0; i < n && !name; i++) {
    const sqlitch_target *t = all[i];
    if (!t->engine || strcmp(t->engine, "sqlite") != 0 || !t->uri->dbname ||
        !*t->uri->dbname)
      continue;
    char *path = sqlitch_strdup(t->uri->dbname);
    rebase(p, &path);
    if (same_file(path, file)) name = sqlitch_strdup(t->name);
    free(path);
  }
  sqlitch_target_free_all(all, n);
  return name;
}

/* The URI path of the connection's database: relative to the cwd when the
   file is under it (as a user would type it), else absolute. */
static char *display_path(const sqlitch_ext_project *p, const char *file) {
  if (!p->dir) {
    char *cwd = cwd_abs();
    size_t n = cwd ? strlen(cwd) : 0;
    if (cwd && strncmp(file, cwd, n) == 0 && file[n] == '/' && n > 1) {
      char *r = sqlitch_strdup(file + n + 1);
      free(cwd);
      return r;
    }
    free(cwd);
  }
  return sqlitch_strdup(file);
}

static int db_target(sqlitch_ext_project *p, sqlite3 *db, sqlitch_target **out,
                     sqlitch_err *err) {
  const char *file = sqlite3_db_filename(db, "main");
  if (!file || !*file || !sqlitch_is_file(file))
    return sqlitch_err_fail(err, "The main database of this connection is "
                                 "in memory or temporary; sqlitch needs a "
                                 "database file");
  char *shown = display_path(p, file);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&b, "db:sqlite:");
  sqlitch_buf_add(&b, shown);
  sqlitch_uri *u = sqlitch_uri_new_db(sqlitch_buf_str(&b));
  char *name = configured_name(p, file);
  if (!name) name = sqlitch_uri_display(u); /* not $SQITCH_TARGET */
  int rc = sqlitch_target_new_uri(p->cfg, name, u, NULL, out, err);
  free(name);
  sqlitch_uri_free(u);
  sqlitch_buf_free(&b);
  free(shown);
  return rc;
}

/* The default target; with a plan file and no usable configuration, a
   bare SQLite one (only its script layout is used). */
static int default_target(sqlitch_ext_project *p, sqlitch_target **out,
                          sqlitch_err *err) {
  if (sqlitch_target_new(p->cfg, NULL, NULL, out, err) == SQLITCH_OK)
    return SQLITCH_OK;
  if (!p->plan_file) return SQLITCH_ERROR;
  sqlitch_err_clear(err);
  sqlitch_uri *u = sqlitch_uri_new_db("db:sqlite:");
  int rc = sqlitch_target_new_uri(p->cfg, "db:sqlite:", u, NULL, out, err);
  sqlitch_uri_free(u);
  return rc;
}

int sqlitch_ext_project_target(sqlitch_ext_project *p, sqlite3 *db,
                               const char *name, sqlitch_target **out,
                               sqlitch_err *err) {
  int rc;
  *out = NULL;
  if (name && *name)
    rc = sqlitch_target_new(p->cfg, name, NULL, out, err);
  else if (db)
    rc = db_target(p, db, out, err);
  else
    rc = default_target(p, out, err);
  if (rc) return SQLITCH_ERROR;
  fix_paths(p, *out);
  return SQLITCH_OK;
}

int sqlitch_ext_target_is_main(const sqlitch_ext_project *p,
                               const sqlitch_target *t, sqlite3 *db) {
  const char *file = sqlite3_db_filename(db, "main");
  if (!file || !*file || !t->engine || strcmp(t->engine, "sqlite") != 0 ||
      !t->uri->dbname || !*t->uri->dbname)
    return 0;
  char *path = sqlitch_strdup(t->uri->dbname);
  rebase(p, &path);
  int same = same_file(path, file);
  free(path);
  return same;
}

/* ======================================================== plan cache */

static void plan_free(sqlitch_ext_plan *p) {
  sqlitch_plan_free(p->plan);
  free(p->by_name);
  free(p->by_id);
  free(p->next_name);
  free(p);
}

void sqlitch_ext_plan_release(sqlitch_ext_plan *p) {
  if (p && --p->refs == 0) plan_free(p);
}

static void identity(const struct stat *st, sqlitch_ext_plan *p) {
  p->dev = (unsigned long long)st->st_dev;
  p->ino = (unsigned long long)st->st_ino;
  p->size = (unsigned long long)st->st_size;
  p->mtime_s = (long long)st->st_mtim.tv_sec;
  p->mtime_ns = (long long)st->st_mtim.tv_nsec;
  p->ctime_s = (long long)st->st_ctim.tv_sec;
  p->ctime_ns = (long long)st->st_ctim.tv_nsec;
}

static int same_version(const sqlitch_ext_plan *a, const sqlitch_ext_plan *b) {
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns &&
         a->ctime_s == b->ctime_s && a->ctime_ns == b->ctime_ns;
}

int sqlitch_ext_plan_get(sqlitch_ext *x, const char *file,
                         sqlitch_ext_plan **out, sqlitch_err *err) {
  struct stat st;
  sqlitch_ext_plan key;
  *out = NULL;
  memset(&key, 0, sizeof key);
  if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
    identity(&st, &key);
    for (int i = 0; i < PLAN_CACHE_MAX; i++) {
      sqlitch_ext_plan *c = x->plans[i];
      if (!c || !same_version(c, &key)) continue;
      memmove(&x->plans[1], &x->plans[0], (size_t)i * sizeof c);
      x->plans[0] = c;
      c->refs++;
      *out = c;
      return SQLITCH_OK;
    }
  }
  /* Not cached (or not a regular file: let the loader say why). */
  sqlitch_plan *plan;
  if (sqlitch_plan_load_ro(file, &plan, err)) return SQLITCH_ERROR;
  sqlitch_ext_plan *p = sqlitch_calloc(1, sizeof *p);
  *p = key;
  p->plan = plan;
  p->refs = 2;                             /* the cache's and the caller's */
  for (int i = 0; i < PLAN_CACHE_MAX; i++) /* an older version goes */
    if (x->plans[i] && x->plans[i]->dev == p->dev &&
        x->plans[i]->ino == p->ino) {
      sqlitch_ext_plan_release(x->plans[i]);
      memmove(&x->plans[i], &x->plans[i + 1],
              (size_t)(PLAN_CACHE_MAX - 1 - i) * sizeof p);
      x->plans[PLAN_CACHE_MAX - 1] = NULL;
      break;
    }
  sqlitch_ext_plan_release(x->plans[PLAN_CACHE_MAX - 1]);
  memmove(&x->plans[1], &x->plans[0], (PLAN_CACHE_MAX - 1) * sizeof p);
  x->plans[0] = p;
  *out = p;
  return SQLITCH_OK;
}

/* FNV-1a */
static size_t hash(const char *s) {
  size_t h = (size_t)1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
  return h;
}

/* Build the name and id tables on first use. */
static void build_index(sqlitch_ext_plan *p) {
  const sqlitch_plan *plan = p->plan;
  size_t n = plan->nchanges, cap = 16;
  while (cap < n * 2)
    cap *= 2;
  p->by_name = sqlitch_calloc(cap, sizeof(long));
  p->by_id = sqlitch_calloc(cap, sizeof(long));
  p->next_name = sqlitch_malloc((n ? n : 1) * sizeof(long));
  long *last = sqlitch_malloc((n ? n : 1) * sizeof(long)); /* chain tails */
  for (size_t i = 0; i < n; i++) {
    const sqlitch_change *c = &plan->changes[i];
    p->next_name[i] = -1;
    size_t h = hash(c->name) & (cap - 1);
    for (;;) {
      long s = p->by_name[h];
      if (!s) {
        p->by_name[h] = (long)i + 1;
        last[i] = (long)i;
        break;
      }
      if (strcmp(plan->changes[s - 1].name, c->name) == 0) {
        long head = s - 1;
        p->next_name[last[head]] = (long)i;
        last[head] = (long)i;
        break;
      }
      h = (h + 1) & (cap - 1);
    }
    h = hash(c->id) & (cap - 1);
    while (p->by_id[h])
      h = (h + 1) & (cap - 1);
    p->by_id[h] = (long)i + 1;
  }
  free(last);
  p->cap = cap;
}

long sqlitch_ext_plan_by_name(sqlitch_ext_plan *p, const char *name) {
  if (!p->cap) build_index(p);
  for (size_t h = hash(name) & (p->cap - 1);; h = (h + 1) & (p->cap - 1)) {
    long s = p->by_name[h];
    if (!s) return -1;
    if (strcmp(p->plan->changes[s - 1].name, name) == 0) return s - 1;
  }
}

long sqlitch_ext_plan_by_id(sqlitch_ext_plan *p, const char *id) {
  if (!p->cap) build_index(p);
  for (size_t h = hash(id) & (p->cap - 1);; h = (h + 1) & (p->cap - 1)) {
    long s = p->by_id[h];
    if (!s) return -1;
    if (strcmp(p->plan->changes[s - 1].id, id) == 0) return s - 1;
  }
}

/* ============================================================ errors */

char *sqlitch_ext_errmsg(const sqlitch_err *err) {
  const char *m = err && err->msg ? err->msg : "sqlitch: unknown error";
  size_t n = strlen(m);
  while (n && m[n - 1] == '\n')
    n--; /* Sqitch's blank line after some */
  return sqlite3_mprintf("%.*s", (int)n, m);
}
