/*
** engine_sqlite.c -- the SQLite engine (Engine/sqlite.pm + Role/DBIEngine.pm),
** in process through libsqlite3. It implements sqlitch_engine_ops
** (engine.h); engine.c drives it.
**
** Files. A SQLite target names one database file (the URI's dbname); its
** registry is another file beside it, derived as Sqitch derives it
** (sqlitch_sqlite_registry_uri: "t.db" -> "sqitch.db"). The registry holds
** Sqitch's release-1.1 tables, created from sql/sqlite.sql verbatim, and
** the rows Sqitch writes, so sqitch and sqlitch can take turns on it.
**
** Connections. `db` opens the registry file as "main": every registry
** query and write goes through it, with prepared statements cached for the
** run (Sqitch's SQL text, so SQLite returns rows in Sqitch's order). A
** registry that does not exist is not created by reading it (an in-memory
** stand-in answers "nothing deployed"). `tdb` opens the target as "main"
** when the first script runs: scripts see exactly what `sqlite3 <target>`
** would. When target and registry are one file, tdb is db.
**
** Scripts run statement by statement through sqlite3_prepare_v2, the way
** `sqlite3 -noheader -bail -batch -csv DB ".read 'FILE'"` (Sqitch's command)
** runs them (sqlscript.h cuts them up the same way): rows are printed as
** CSV, the first error stops the script and is reported as the shell
** reports it ("Parse error near line 3: no such table: x"), prefixed with
** the script's path; a transaction left open is rolled back; pragmas,
** TEMP objects and attached databases a script leaves behind are cleared.
** Scripts that use dot-commands, functions only the sqlite3 shell defines
** or EXPLAIN, and every script when ~/.sqliterc exists, run through the
** configured client exactly as Sqitch runs them.
**
** Atomic changes: see the "intent" section below. In short, the script
** commits on the target, then the registry rows commit; the window in
** between is covered by an intent armed in the registry header by the
** registry commit before, which the next run completes or drops.
**
** Locking. deploy and revert take flock(LOCK_EX) on the registry file for
** the whole run (waiting up to --lock-timeout); nothing is written to any
** file for it. verify, status and log do not lock (as Sqitch).
*/
#include "engine_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "registry_sql.h"

extern char **environ;

/* ================================================================ SQL */

/* Registry statements, Sqitch's SQL text (DBIEngine.pm) with "{R}." for
   the registry schema. Same joins, groupings and orderings as Sqitch, so
   SQLite returns rows (and group_concat lists) in the same order. */
#define TS(col) "strftime('%Y-%m-%d %H:%M:%S', " col ")"

enum {
  ST_INITIALIZED,
  ST_VERSION,
  ST_STATE_FAST,
  ST_STATE,
  ST_STATE_NOHASH,
  ST_DEPLOYED,
  ST_DEPLOYED_SINCE,
  ST_LOAD,
  ST_LOAD_AFTER,
  ST_LOAD_BEFORE,
  ST_CIDOFF_AFTER,
  ST_CIDOFF_BEFORE,
  ST_CID_BY_ID,
  ST_CID_HEAD,
  ST_CID_TAGGED,
  ST_CID_BY_NAME,
  ST_CID_BY_TAG,
  ST_CID_ASC,
  ST_CID_DESC,
  ST_REQUIRING,
  ST_NAME_FOR_ID,
  ST_IS_TAG,
  ST_CURRENT_CHANGES,
  ST_CURRENT_TAGS,
  ST_PROJECTS,
  ST_PROJECT_URI,
  ST_URI_PROJECT,
  ST_INS_PROJECT,
  ST_INS_RELEASE,
  ST_INS_CHANGE,
  ST_INS_DEP,
  ST_INS_TAG,
  ST_INS_NEW_TAG,
  ST_INS_EVENT,
  ST_SEL_TAGS,
  ST_DEL_TAGS,
  ST_SEL_DEPS,
  ST_DEL_DEPS,
  ST_DEL_CHANGE,
  ST_UPD_HASH,
  ST_NULL_HASH,
  ST_MAX_TS,
  ST_HAS_CHANGE,
  ST_CONN_STATE,
  ST_DEPENDENTS,
  N_ST
};

static const char *const sql_text[N_ST] = {
    [ST_INITIALIZED] = "SELECT EXISTS(SELECT 1 FROM {R}.sqlite_master WHERE "
                       "type = 'table' AND name = ?)",
    [ST_VERSION] = "SELECT CAST(ROUND(MAX(version), 1) AS TEXT) FROM "
                   "{R}.releases",
    /* clang-format off */
    [ST_STATE_FAST] =
        "SELECT c.change_id, c.script_hash, c.change, c.project, c.note, "
        "c.committer_name, c.committer_email, " TS("c.committed_at") " AS committed_at, "
        "c.planner_name, c.planner_email, " TS("c.planned_at") " AS planned_at, "
        "(SELECT group_concat(tag, ' ') FROM (SELECT t.tag FROM {R}.tags t "
        "WHERE t.change_id = c.change_id ORDER BY t.tag)) AS tags "
        "FROM {R}.changes c "
        "WHERE c.change_id = (SELECT change_id FROM {R}.changes "
        "WHERE project = ? ORDER BY committed_at DESC LIMIT 1)",
    /* clang-format on */
    [ST_STATE] =
        "SELECT c.change_id, c.script_hash, c.change, c.project, c.note, "
        "c.committer_name, c.committer_email, " TS(
            "c.committed_at") " AS "
                              "committed_at, c.planner_name, "
                              "c.planner_email, " TS(
                                  "c.planned_at") " AS planned_at, "
                                                  "group_concat(t.tag, ' ') AS "
                                                  "tags "
                                                  "FROM {R}.changes c LEFT "
                                                  "JOIN {R}.tags t ON "
                                                  "c.change_id = t.change_id "
                                                  "WHERE c.project = ? GROUP "
                                                  "BY c.change_id, "
                                                  "c.script_hash, c.change, "
                                                  "c.project, c.note, "
                                                  "c.committer_name, "
                                                  "c.committer_email, "
                                                  "c.committed_at, "
                                                  "c.planner_name, "
                                                  "c.planner_email, "
                                                  "c.planned_at "
                                                  "ORDER BY c.committed_at "
                                                  "DESC LIMIT 1",
    [ST_STATE_NOHASH] =
        "SELECT c.change_id, NULL, c.change, c.project, c.note, "
        "c.committer_name, c.committer_email, " TS(
            "c.committed_at") " AS "
                              "committed_at, c.planner_name, "
                              "c.planner_email, " TS(
                                  "c.planned_at") " AS planned_at, "
                                                  "group_concat(t.tag, ' ') AS "
                                                  "tags "
                                                  "FROM {R}.changes c LEFT "
                                                  "JOIN {R}.tags t ON "
                                                  "c.change_id = t.change_id "
                                                  "WHERE c.project = ? GROUP "
                                                  "BY c.change_id, c.change, "
                                                  "c.project, "
                                                  "c.note, c.committer_name, "
                                                  "c.committer_email, "
                                                  "c.committed_at, "
                                                  "c.planner_name, "
                                                  "c.planner_email, "
                                                  "c.planned_at "
                                                  "ORDER BY c.committed_at "
                                                  "DESC LIMIT 1",
#define CHANGE_COLS                                                            \
  "SELECT c.change_id AS id, c.change AS name, c.project, c.note, " TS(        \
      "c.planned_at") " AS \"timestamp\", c.planner_name, c.planner_email, "   \
                      "group_concat(t.tag, ' ') AS tags, c.script_hash, " TS(  \
                          "c.committed_at") " FROM {R}.changes c LEFT JOIN "   \
                                            "{R}.tags t ON c.change_id = "     \
                                            "t.change_id "
#define CHANGE_GROUP                                                           \
  " GROUP BY c.change_id, c.change, c.project, c.note, c.planned_at, "         \
  "c.planner_name, c.planner_email, c.committed_at, c.script_hash"
    [ST_DEPLOYED] = CHANGE_COLS "WHERE c.project = ?" CHANGE_GROUP
                                " ORDER BY c.committed_at ASC",
    [ST_DEPLOYED_SINCE] = CHANGE_COLS
    "WHERE c.project = ? AND c.committed_at > (SELECT "
    "committed_at FROM {R}.changes WHERE change_id = ?)" CHANGE_GROUP
    " ORDER BY c.committed_at ASC",
    [ST_LOAD] = CHANGE_COLS
    "WHERE c.change_id = ? GROUP BY c.change_id, c.change, c.project, "
    "c.note, c.planned_at, c.planner_name, c.planner_email, "
    "c.script_hash",
    [ST_LOAD_AFTER] = CHANGE_COLS
    "WHERE c.project = ? AND c.committed_at > (SELECT committed_at FROM "
    "{R}.changes WHERE change_id = ?)" CHANGE_GROUP
    " ORDER BY c.committed_at ASC LIMIT 1 OFFSET ?",
    [ST_LOAD_BEFORE] = CHANGE_COLS
    "WHERE c.project = ? AND c.committed_at < (SELECT committed_at FROM "
    "{R}.changes WHERE change_id = ?)" CHANGE_GROUP
    " ORDER BY c.committed_at DESC LIMIT 1 OFFSET ?",
    [ST_CIDOFF_AFTER] =
        "SELECT change_id FROM {R}.changes WHERE project = ? AND "
        "committed_at > (SELECT committed_at FROM {R}.changes WHERE "
        "change_id = ?) ORDER BY committed_at ASC LIMIT 1 OFFSET ?",
    [ST_CIDOFF_BEFORE] =
        "SELECT change_id FROM {R}.changes WHERE project = ? AND "
        "committed_at < (SELECT committed_at FROM {R}.changes WHERE "
        "change_id = ?) ORDER BY committed_at DESC LIMIT 1 OFFSET ?",
    [ST_CID_BY_ID] = "SELECT change_id FROM {R}.changes WHERE change_id = ?",
    [ST_CID_HEAD] = "SELECT change_id FROM {R}.changes WHERE project = ? AND "
                    "changes.change = ? ORDER BY committed_at DESC LIMIT 1",
    [ST_CID_TAGGED] =
        "SELECT changes.change_id FROM {R}.changes JOIN {R}.tags ON "
        "changes.committed_at <= tags.committed_at AND changes.project = "
        "tags.project WHERE changes.project = ? AND changes.change = ? AND "
        "tags.tag = ? ORDER BY changes.committed_at DESC LIMIT 1",
    [ST_CID_BY_NAME] = "SELECT change_id FROM {R}.changes WHERE project = ? "
                       "AND changes.change = ? ORDER BY changes.committed_at "
                       "ASC",
    [ST_CID_BY_TAG] = "SELECT change_id FROM {R}.tags WHERE project = ? AND "
                      "tag = ?",
    [ST_CID_ASC] = "SELECT change_id FROM {R}.changes WHERE project = ? "
                   "ORDER BY committed_at ASC LIMIT 1 OFFSET COALESCE(?, 0)",
    [ST_CID_DESC] = "SELECT change_id FROM {R}.changes WHERE project = ? "
                    "ORDER BY committed_at DESC LIMIT 1 OFFSET COALESCE(?, 0)",
    [ST_REQUIRING] =
        "SELECT c.change_id, c.project, c.change, (SELECT tag FROM "
        "{R}.changes c2 JOIN {R}.tags ON c2.change_id = tags.change_id WHERE "
        "c2.project = c.project AND c2.committed_at >= c.committed_at ORDER "
        "BY c2.committed_at LIMIT 1) AS asof_tag FROM {R}.dependencies d "
        "JOIN {R}.changes c ON c.change_id = d.change_id WHERE "
        "d.dependency_id = ?",
    [ST_NAME_FOR_ID] =
        "SELECT c.change || COALESCE((SELECT tag FROM {R}.changes c2 JOIN "
        "{R}.tags ON c2.change_id = tags.change_id WHERE c2.committed_at >= "
        "c.committed_at AND c2.project = c.project LIMIT 1), '@HEAD') FROM "
        "{R}.changes c WHERE change_id = ?",
    [ST_IS_TAG] = "SELECT EXISTS(SELECT 1 FROM {R}.tags WHERE tag_id = ?)",
    [ST_CURRENT_CHANGES] =
        "SELECT c.change_id, c.script_hash, c.change, c.committer_name, "
        "c.committer_email, " TS(
            "c.committed_at") " AS committed_at, "
                              "c.planner_name, c.planner_email, " TS(
                                  "c.planned_at") " AS planned_at FROM "
                                                  "{R}.changes c WHERE project "
                                                  "= ? ORDER BY "
                                                  "c.committed_at DESC",
    [ST_CURRENT_TAGS] =
        "SELECT tag_id, tag, committer_name, committer_email, " TS(
            "committed_at") " AS committed_at, planner_name, "
                            "planner_email, " TS(
                                "planned_at") " AS planned_at, note "
                                              "FROM {R}.tags "
                                              "WHERE project "
                                              "= ? ORDER BY "
                                              "tags.committed_"
                                              "at DESC",
    [ST_PROJECTS] = "SELECT project FROM {R}.projects ORDER BY project",
    [ST_PROJECT_URI] = "SELECT uri FROM {R}.projects WHERE project = ?",
    [ST_URI_PROJECT] = "SELECT project FROM {R}.projects WHERE uri = ?",
    [ST_INS_PROJECT] = "INSERT INTO {R}.projects (project, uri, creator_name, "
                       "creator_email, created_at) VALUES (?, ?, ?, ?, ?)",
    [ST_INS_RELEASE] = "INSERT INTO {R}.releases (version, installed_at, "
                       "installer_name, installer_email) VALUES (?, ?, ?, ?)",
    [ST_INS_CHANGE] =
        "INSERT INTO {R}.changes (change_id, script_hash, change, project, "
        "note, committer_name, committer_email, planned_at, planner_name, "
        "planner_email, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)",
    [ST_INS_DEP] = "INSERT INTO {R}.dependencies(change_id, type, dependency, "
                   "dependency_id) VALUES (?, ?, ?, ?)",
    [ST_INS_TAG] =
        "INSERT INTO {R}.tags (tag_id, tag, project, change_id, note, "
        "committer_name, committer_email, planned_at, planner_name, "
        "planner_email, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)",
    [ST_INS_NEW_TAG] =
        "INSERT INTO {R}.tags (tag_id, tag, project, change_id, note, "
        "committer_name, committer_email, planned_at, planner_name, "
        "planner_email, committed_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
        "?9, ?10, ?11 WHERE NOT EXISTS (SELECT 1 FROM {R}.tags WHERE tag_id = "
        "?1)",
    [ST_INS_EVENT] =
        "INSERT INTO {R}.events (event, change_id, change, project, note, "
        "tags, requires, conflicts, committer_name, committer_email, "
        "planned_at, planner_name, planner_email, committed_at) VALUES (?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_SEL_TAGS] = "SELECT tag FROM {R}.tags WHERE change_id = ?",
    [ST_DEL_TAGS] = "DELETE FROM {R}.tags WHERE change_id = ?",
    [ST_SEL_DEPS] = "SELECT dependency FROM {R}.dependencies WHERE change_id "
                    "= ? AND type = ?",
    [ST_DEL_DEPS] = "DELETE FROM {R}.dependencies WHERE change_id = ?",
    [ST_DEL_CHANGE] = "DELETE FROM {R}.changes where change_id = ?",
    [ST_UPD_HASH] = "UPDATE {R}.changes SET script_hash = ? WHERE change_id = "
                    "? AND script_hash = ?",
    [ST_NULL_HASH] = "UPDATE {R}.changes SET script_hash = NULL WHERE project "
                     "= ? AND script_hash = change_id",
    [ST_MAX_TS] = "SELECT max(m) FROM (SELECT max(committed_at) AS m FROM "
                  "{R}.events UNION ALL SELECT max(committed_at) FROM "
                  "{R}.changes UNION ALL SELECT max(committed_at) FROM "
                  "{R}.tags)",
    [ST_HAS_CHANGE] = "SELECT 1 FROM {R}.changes WHERE change_id = ?",
    [ST_DEPENDENTS] = "SELECT dependency_id, change_id FROM {R}.dependencies "
                      "WHERE dependency_id IS NOT NULL",
    [ST_CONN_STATE] =
        "SELECT (SELECT foreign_keys FROM pragma_foreign_keys), (SELECT "
        "recursive_triggers FROM pragma_recursive_triggers), (SELECT "
        "count(*) FROM temp.sqlite_master), (SELECT count(*) FROM "
        "pragma_database_list), (SELECT legacy_alter_table FROM "
        "pragma_legacy_alter_table), (SELECT query_only FROM "
        "pragma_query_only)",
};

/* ============================================================= state */

typedef struct impl {
  sqlite3 *db;        /* registry as "main" */
  sqlite3 *tdb;       /* target as "main" (== db when one file) */
  int adopted;        /* tdb belongs to the caller */
  int db_is_adopted;  /* ... and so does db (one file) */
  const char *schema; /* the registry's schema on db: "main" */
  char *target_path;  /* URI dbname, NULL when missing */
  char *reg_path;     /* registry file, NULL when none */
  char *reg_dest;     /* registry URI without password */
  sqlite3_stmt *st[N_ST];
  int lock_fd;
  int memory_registry; /* dry run without a registry file */
  int conn_state[6];   /* pragmas as opened (restored after scripts) */
  int have_conn_state;
  int sqliterc; /* ~/.sqliterc exists: use the client */
  int clock_ready;
  int armed;                    /* intent in the registry header: 0, 1, 2 */
  int separate, separate_known; /* target and registry are two files */
  char *armed_id;               /* change the intent is armed for */
  long long armed_cookie;       /* target schema cookie it was armed with */
} impl;

/* Test hook: SQLITCH_FAULT=after-target-commit exits 137 right after a
   change's script committed on the target, before its registry rows: the
   state a crash in that window leaves. Used by tests/cli/wal.t and
   tests/cli/atomic.t; never set it otherwise. */
static int fault(const char *name) {
  const char *f = getenv("SQLITCH_FAULT");
  return f && strcmp(f, name) == 0;
}

static impl *IM(sqlitch_engine *e) { return e->impl; }

/* A script error the engine has already reported: nothing more to print
   anywhere (SQLITCH_E_PRIVATE without a message). */
static void quiet_err(sqlitch_err *err) {
  sqlitch_err_set(err, SQLITCH_E_PRIVATE, 2, "-");
  free(err->msg);
  err->msg = NULL;
}

static int db_error(sqlite3 *db, sqlitch_err *err) {
  return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "%s", sqlite3_errmsg(db));
}

/* ------------------------------------------------------ registry location */

char *sqlitch_sqlite_registry_uri(const sqlitch_target *t) {
  sqlitch_uri *u = sqlitch_uri_dup(t->uri);
  const char *reg = t->registry ? t->registry : "sqitch";
  const char *db = u->dbname;
  if (reg[0] == '/') {
    sqlitch_uri_set_dbname(u, reg);
  } else if (db && *db) {
    const char *slash = strrchr(db, '/');
    size_t dir = slash ? (size_t)(slash - db + 1) : 0;
    const char *bn = db + dir;
    sqlitch_buf b = SQLITCH_BUF_INIT;
    sqlitch_buf_addn(&b, db, dir);
    const char *dot = strchr(bn, '.');
    if (strchr(reg, '.') || !dot)
      sqlitch_buf_add(&b, reg);
    else
      sqlitch_buf_addf(&b, "%s%s", reg, dot);
    sqlitch_uri_set_dbname(u, sqlitch_buf_str(&b));
    sqlitch_buf_free(&b);
  } else if (db) {
    sqlitch_uri_set_dbname(u, NULL);
  }
  char *s = sqlitch_uri_string(u);
  sqlitch_uri_free(u);
  return s;
}

/* ---------------------------------------------------------- statements */

static void finalize_all(impl *im) {
  for (int i = 0; i < N_ST; i++) {
    sqlite3_finalize(im->st[i]);
    im->st[i] = NULL;
  }
}

static char *expand_sql(const char *tmpl, const char *schema) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (const char *p = tmpl; *p;) {
    const char *r = strstr(p, "{R}");
    if (!r) {
      sqlitch_buf_add(&b, p);
      break;
    }
    sqlitch_buf_addn(&b, p, (size_t)(r - p));
    sqlitch_buf_add(&b, schema);
    p = r + 3;
  }
  return sqlitch_buf_take(&b);
}

/* A cached, reset statement; NULL with err set on failure. */
static sqlite3_stmt *stmt(sqlitch_engine *e, int id, sqlitch_err *err) {
  impl *im = IM(e);
  if (!im->st[id]) {
    char *sql = expand_sql(sql_text[id], im->schema);
    int rc = sqlite3_prepare_v3(im->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &im->st[id], NULL);
    free(sql);
    if (rc != SQLITE_OK) {
      db_error(im->db, err);
      return NULL;
    }
  }
  return im->st[id];
}

static void bind_text(sqlite3_stmt *s, int i, const char *v) {
  if (v)
    sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(s, i);
}

static char *col_dup(sqlite3_stmt *s, int i) {
  const unsigned char *t = sqlite3_column_text(s, i);
  return t ? sqlitch_strdup((const char *)t) : NULL;
}

static const char *col(sqlite3_stmt *s, int i) {
  return (const char *)sqlite3_column_text(s, i);
}

/* Step a write statement to completion and reset it. */
static int exec_stmt(sqlitch_engine *e, sqlite3_stmt *s, sqlitch_err *err) {
  int rc = sqlite3_step(s);
  while (rc == SQLITE_ROW)
    rc = sqlite3_step(s);
  if (rc != SQLITE_DONE) {
    db_error(IM(e)->db, err);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return SQLITCH_ERROR;
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return SQLITCH_OK;
}

static void done_stmt(sqlite3_stmt *s) {
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
}

static int exec_sql(sqlite3 *db, const char *sql, sqlitch_err *err) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "%s",
                    msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return SQLITCH_ERROR;
  }
  return SQLITCH_OK;
}

/* ========================================================== connections */

/* Two connections: `db` has the registry as "main" (every registry query
   and write, with the cached statements), `tdb` has the target as "main"
   (scripts only -- exactly what `sqlite3 <target>` would see). When target
   and registry are one file, tdb is db. */

static int open_file(const char *path, int flags, sqlite3 **out,
                     sqlitch_err *err) {
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(path, &db, flags, NULL);
  if (rc != SQLITE_OK) {
    sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "%s",
                    db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    *out = NULL;
    return SQLITCH_ERROR;
  }
  *out = db;
  return SQLITCH_OK;
}

static void close_target(impl *im) {
  if (im->tdb && im->tdb != im->db && !im->adopted) sqlite3_close(im->tdb);
  im->tdb = NULL;
}

static void close_db(impl *im) {
  finalize_all(im);
  if (im->tdb == im->db) im->tdb = NULL;
  close_target(im);
  if (im->db && !(im->adopted && im->db_is_adopted)) sqlite3_close(im->db);
  im->db = NULL;
  im->db_is_adopted = 0;
}

static void setup_conn(sqlitch_engine *e, sqlite3 *db) {
  double t = e->opts.lock_timeout > 0 ? e->opts.lock_timeout : 0;
  sqlite3_busy_timeout(db, (int)(t * 1000 > 2e9 ? 2e9 : t * 1000));
}

/* The registry is small and read mostly through indexes: a smaller page
   cache than SQLite's 2 MB default keeps peak memory down. */
static void registry_cache(sqlite3 *db) {
  sqlite3_exec(db, "PRAGMA cache_size = -512", NULL, NULL, NULL);
}

/* The registry connection (status, log, and everything registry). */
static int ensure_registry(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (im->db) return SQLITCH_OK;
  const char *path = im->reg_path;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (!path) {
    path = ""; /* DBD::SQLite with no dbname: a private temporary db */
  } else if (!sqlitch_path_exists(path)) {
    /* Reading a registry that is not there must not create it (Sqitch
       creates an empty file); real_registry() does when writing. */
    path = ":memory:";
    im->memory_registry = 1;
  } else if (e->opts.dry_run) {
    flags = SQLITE_OPEN_READONLY;
  }
  if (open_file(path, flags, &im->db, err)) return SQLITCH_ERROR;
  im->schema = "main";
  setup_conn(e, im->db);
  registry_cache(im->db);
  return SQLITCH_OK;
}

static int ensure_db(sqlitch_engine *e, sqlitch_err *err) {
  return ensure_registry(e, err);
}

/* The registry file itself, created if need be (before any write). */
static int real_registry(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (im->memory_registry && im->db) {
    finalize_all(im);
    if (im->tdb == im->db) im->tdb = NULL;
    sqlite3_close(im->db);
    im->db = NULL;
    im->memory_registry = 0;
    if (open_file(im->reg_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                  &im->db, err))
      return SQLITCH_ERROR;
    im->schema = "main";
    im->clock_ready = 0;
    setup_conn(e, im->db);
    registry_cache(im->db);
    return SQLITCH_OK;
  }
  return ensure_db(e, err);
}

/* Same file? (stat identity, else the same path text) */
static int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  char *ca = sqlitch_path_clean(a), *cb = sqlitch_path_clean(b);
  int same = strcmp(ca, cb) == 0;
  free(ca);
  free(cb);
  return same;
}

/* The pragmas a fresh sqlite3 shell starts with; restored after scripts. */
static int read_conn_state(sqlite3 *db, int out[6], sqlitch_err *err) {
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(db, sql_text[ST_CONN_STATE], -1, &s, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    for (int i = 0; i < 6; i++)
      out[i] = sqlite3_column_int(s, i);
  sqlite3_finalize(s);
  return rc == SQLITE_ROW ? SQLITCH_OK : db_error(db, err);
}

static int separate(impl *im);

/* The target connection: what running scripts needs. */
static int ensure_target(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (im->tdb) return SQLITCH_OK;
  if (!im->target_path)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Database name missing in URI %s",
                           e->target->uri->str);
  if (!separate(im)) {
    if (real_registry(e, err)) return SQLITCH_ERROR;
    im->tdb = im->db;
  } else if (open_file(im->target_path,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &im->tdb,
                       err)) {
    return SQLITCH_ERROR;
  } else {
    setup_conn(e, im->tdb);
  }
  if (!im->adopted) {
    if (read_conn_state(im->tdb, im->conn_state, err)) {
      char *m = sqlitch_mprintf("Cannot use database %s: %s", im->target_path,
                                err->msg);
      sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "%s", m);
      free(m);
      close_target(im);
      return SQLITCH_ERROR;
    }
    im->have_conn_state = 1;
  }
  return SQLITCH_OK;
}

int sqlitch_engine_sqlite_adopt(sqlitch_engine *e, sqlite3 *db,
                                sqlitch_err *err) {
  impl *im = IM(e);
  close_db(im);
  im->adopted = 1;
  const char *fn = sqlite3_db_filename(db, "main");
  free(im->target_path);
  im->target_path = sqlitch_strdup(fn && *fn ? fn : ":memory:");
  im->separate_known = 0;
  if (!separate(im)) { /* registry tables live in the caller's database */
    im->db = db;
    im->db_is_adopted = 1;
    im->schema = "main";
  }
  im->tdb = db;
  (void)err;
  return SQLITCH_OK;
}

sqlite3 *sqlitch_engine_sqlite_db(sqlitch_engine *e) { return IM(e)->tdb; }

/* ============================================================== init */

static int sq_init(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = sqlitch_calloc(1, sizeof *im);
  e->impl = im;
  im->lock_fd = -1;
  const sqlitch_uri *u = e->target->uri;
  if (u && u->dbname && *u->dbname) im->target_path = sqlitch_strdup(u->dbname);
  char *reg = sqlitch_sqlite_registry_uri(e->target);
  sqlitch_uri *ru = NULL;
  if (sqlitch_uri_parse(reg, &ru, err)) {
    free(reg);
    return SQLITCH_ERROR;
  }
  if (ru->dbname && *ru->dbname) im->reg_path = sqlitch_strdup(ru->dbname);
  im->reg_dest = sqlitch_uri_display(ru);
  sqlitch_uri_free(ru);
  free(reg);
  const char *home = getenv("HOME");
  if (home) {
    char *rc = sqlitch_path_join(home, ".sqliterc");
    im->sqliterc = sqlitch_is_file(rc);
    free(rc);
  }
  return SQLITCH_OK;
}

static int sq_disarm(sqlitch_engine *e, sqlitch_err *err);

static void sq_destroy(sqlitch_engine *e) {
  impl *im = IM(e);
  if (!im) return;
  if (im->armed && im->db) { /* a run that stopped between steps */
    sqlitch_err ignore = SQLITCH_ERR_INIT;
    sq_disarm(e, &ignore);
    sqlitch_err_clear(&ignore);
  }
  close_db(im);
  if (im->lock_fd >= 0) close(im->lock_fd); /* after SQLite let go */
  free(im->target_path);
  free(im->reg_path);
  free(im->reg_dest);
  free(im->armed_id);
  free(im);
  e->impl = NULL;
}

static const char *sq_registry_destination(sqlitch_engine *e) {
  return IM(e)->reg_dest;
}

/* ========================================================= the clock */

static int reg_initialized(sqlitch_engine *e, int *yes, sqlitch_err *err);

static int clock_ready(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (im->clock_ready) return SQLITCH_OK;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  int init = 0;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (init) { /* the newest timestamp already in the registry */
    sqlite3_stmt *s = stmt(e, ST_MAX_TS, err);
    if (!s) return SQLITCH_ERROR;
    if (sqlite3_step(s) == SQLITE_ROW) sqlitch_engine_clock_init(e, col(s, 0));
    done_stmt(s);
  }
  im->clock_ready = 1;
  return SQLITCH_OK;
}

static int now_ts(sqlitch_engine *e, size_t pending, char out[32],
                  sqlitch_err *err) {
  if (clock_ready(e, err)) return SQLITCH_ERROR;
  sqlitch_engine_clock_next(e, (int)(pending > 100000 ? 100000 : pending), out);
  return SQLITCH_OK;
}

/* ========================================================== registry */

/* Is there a registry (a "changes" table)? Queries on a registry that is
   not there return nothing, as Sqitch's no-table handling does. */
static int reg_initialized(sqlitch_engine *e, int *yes, sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  sqlite3_stmt *s = stmt(e, ST_INITIALIZED, err);
  if (!s) return SQLITCH_ERROR;
  sqlite3_bind_text(s, 1, "changes", -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  *yes = rc == SQLITE_ROW && sqlite3_column_int(s, 0);
  done_stmt(s);
  if (rc != SQLITE_ROW) return db_error(IM(e)->db, err);
  return SQLITCH_OK;
}

static int sq_initialized(sqlitch_engine *e, int *yes, sqlitch_err *err) {
  return reg_initialized(e, yes, err);
}

static int sq_registry_version(sqlitch_engine *e, char **version,
                               sqlitch_err *err) {
  *version = NULL;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  impl *im = IM(e);
  char *sql = expand_sql(sql_text[ST_VERSION], im->schema);
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(im->db, sql, -1, &s, NULL);
  free(sql);
  if (rc != SQLITE_OK) {
    if (strncmp(sqlite3_errmsg(im->db), "no such table:", 14) == 0) {
      *version = sqlitch_strdup("0");
      return SQLITCH_OK;
    }
    return db_error(im->db, err);
  }
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) *version = col_dup(s, 0);
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW) return db_error(im->db, err);
  return SQLITCH_OK;
}

static void split_tags(const char *s, sqlitch_strv *out) {
  if (!s) return;
  while (*s) {
    const char *sp = strchr(s, ' ');
    size_t n = sp ? (size_t)(sp - s) : strlen(s);
    if (n) sqlitch_strv_pushn(out, s, n);
    if (!sp) break;
    s = sp + 1;
  }
}

static int sq_current_state(sqlitch_engine *e, const char *project,
                            sqlitch_reg_state **out, sqlitch_err *err) {
  *out = NULL;
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  int hash = 1;
  sqlitch_err ignore = SQLITCH_ERR_INIT;
  /* The fast way first: the latest change, then its tags (the row Sqitch's
     query returns without grouping every change of the project; its join
     reads a change's tags through an automatic index on (change_id, tag),
     hence ORDER BY tag); Sqitch's own query when it cannot be prepared (an
     old registry). */
  sqlite3_stmt *s = stmt(e, ST_STATE_FAST, &ignore);
  if (!s) {
    sqlitch_err_clear(&ignore);
    s = stmt(e, ST_STATE, &ignore);
  }
  if (!s) {
    int nocol = ignore.msg && strncmp(ignore.msg, "no such column:", 15) == 0;
    sqlitch_err_move(err, &ignore);
    if (!nocol) return SQLITCH_ERROR;
    sqlitch_err_clear(err);
    hash = 0;
    if (!(s = stmt(e, ST_STATE_NOHASH, err))) return SQLITCH_ERROR;
  }
  sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    sqlitch_reg_state *st = sqlitch_calloc(1, sizeof *st);
    st->change_id = col_dup(s, 0);
    st->script_hash = col_dup(s, 1);
    st->has_script_hash = hash;
    st->change = col_dup(s, 2);
    st->project = col_dup(s, 3);
    st->note = col_dup(s, 4);
    st->committer_name = col_dup(s, 5);
    st->committer_email = col_dup(s, 6);
    st->committed_at = col_dup(s, 7);
    st->planner_name = col_dup(s, 8);
    st->planner_email = col_dup(s, 9);
    st->planned_at = col_dup(s, 10);
    split_tags(col(s, 11), &st->tags);
    *out = st;
  }
  done_stmt(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(IM(e)->db, err);
  return SQLITCH_OK;
}

static void read_change(sqlite3_stmt *s, sqlitch_reg_change *c) {
  c->id = col_dup(s, 0);
  c->name = col_dup(s, 1);
  c->project = col_dup(s, 2);
  c->note = col_dup(s, 3);
  c->planned_at = col_dup(s, 4);
  c->planner_name = col_dup(s, 5);
  c->planner_email = col_dup(s, 6);
  split_tags(col(s, 7), &c->tags);
  c->script_hash = col_dup(s, 8);
  c->committed_at = col_dup(s, 9);
}

static int sq_deployed_changes(sqlitch_engine *e, const char *project,
                               const char *since_id, sqlitch_reg_changes *out,
                               sqlitch_err *err) {
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  sqlite3_stmt *s = stmt(e, since_id ? ST_DEPLOYED_SINCE : ST_DEPLOYED, err);
  if (!s) return SQLITCH_ERROR;
  sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
  if (since_id) sqlite3_bind_text(s, 2, since_id, -1, SQLITE_STATIC);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    read_change(s, sqlitch_reg_changes_push(out));
  done_stmt(s);
  if (rc != SQLITE_DONE) return db_error(IM(e)->db, err);
  return SQLITCH_OK;
}

static int sq_load_change(sqlitch_engine *e, const char *project,
                          const char *change_id, int offset,
                          sqlitch_reg_change *out, int *found,
                          sqlitch_err *err) {
  *found = 0;
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  int id = offset == 0 ? ST_LOAD : offset > 0 ? ST_LOAD_AFTER : ST_LOAD_BEFORE;
  sqlite3_stmt *s = stmt(e, id, err);
  if (!s) return SQLITCH_ERROR;
  if (offset == 0) {
    sqlite3_bind_text(s, 1, change_id, -1, SQLITE_STATIC);
  } else {
    sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, change_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, abs(offset) - 1);
  }
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    read_change(s, out);
    *found = 1;
  }
  done_stmt(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(IM(e)->db, err);
  return SQLITCH_OK;
}

/* Run a one-column query collecting text values. */
static int collect(sqlitch_engine *e, sqlite3_stmt *s, sqlitch_strv *out,
                   sqlitch_err *err) {
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const char *v = col(s, 0);
    sqlitch_strv_push(out, v ? v : "");
  }
  done_stmt(s);
  if (rc != SQLITE_DONE) return db_error(IM(e)->db, err);
  return SQLITCH_OK;
}

static int one_text(sqlitch_engine *e, sqlite3_stmt *s, char **out,
                    sqlitch_err *err) {
  int rc = sqlite3_step(s);
  *out = rc == SQLITE_ROW ? col_dup(s, 0) : NULL;
  done_stmt(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(IM(e)->db, err);
  return SQLITCH_OK;
}

static int sq_change_id_offset(sqlitch_engine *e, const char *project,
                               const char *change_id, int offset, char **out,
                               sqlitch_err *err) {
  *out = NULL;
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  if (offset == 0) {
    *out = sqlitch_strdup(change_id);
    return SQLITCH_OK;
  }
  sqlite3_stmt *s =
      stmt(e, offset > 0 ? ST_CIDOFF_AFTER : ST_CIDOFF_BEFORE, err);
  if (!s) return SQLITCH_ERROR;
  sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, change_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 3, abs(offset) - 1);
  return one_text(e, s, out, err);
}

static int sq_change_id_for(sqlitch_engine *e, const char *change_id,
                            const char *change, const char *tag,
                            const char *project, sqlitch_strv *out,
                            sqlitch_err *err) {
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  sqlite3_stmt *s;
  if (change_id) {
    if (!(s = stmt(e, ST_CID_BY_ID, err))) return SQLITCH_ERROR;
    sqlite3_bind_text(s, 1, change_id, -1, SQLITE_STATIC);
  } else if (change && tag) {
    int head = strcmp(tag, "HEAD") == 0;
    if (!(s = stmt(e, head ? ST_CID_HEAD : ST_CID_TAGGED, err)))
      return SQLITCH_ERROR;
    sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, change, -1, SQLITE_STATIC);
    if (!head) {
      char *t = sqlitch_mprintf("@%s", tag);
      sqlite3_bind_text(s, 3, t, -1, free);
    }
  } else if (change) {
    if (!(s = stmt(e, ST_CID_BY_NAME, err))) return SQLITCH_ERROR;
    sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, change, -1, SQLITE_STATIC);
  } else if (tag) {
    if (!(s = stmt(e, ST_CID_BY_TAG, err))) return SQLITCH_ERROR;
    sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
    char *t = sqlitch_mprintf("@%s", tag);
    sqlite3_bind_text(s, 2, t, -1, free);
  } else {
    return SQLITCH_OK;
  }
  return collect(e, s, out, err);
}

static int sq_change_id_at(sqlitch_engine *e, const char *project, int latest,
                           int offset, char **out, sqlitch_err *err) {
  *out = NULL;
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  sqlite3_stmt *s = stmt(e, latest ? ST_CID_DESC : ST_CID_ASC, err);
  if (!s) return SQLITCH_ERROR;
  sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 2, offset);
  return one_text(e, s, out, err);
}

static int sq_changes_requiring(sqlitch_engine *e, const char *change_id,
                                sqlitch_reg_requiring **out, size_t *n,
                                sqlitch_err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *s = stmt(e, ST_REQUIRING, err);
  if (!s) return SQLITCH_ERROR;
  sqlite3_bind_text(s, 1, change_id, -1, SQLITE_STATIC);
  size_t cap = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 4;
      *out = sqlitch_realloc(*out, cap * sizeof **out);
    }
    sqlitch_reg_requiring *r = &(*out)[(*n)++];
    r->change_id = col_dup(s, 0);
    r->project = col_dup(s, 1);
    r->change = col_dup(s, 2);
    r->asof_tag = col_dup(s, 3);
  }
  done_stmt(s);
  if (rc != SQLITE_DONE) return db_error(IM(e)->db, err);
  return SQLITCH_OK;
}

static int sq_dependents(sqlitch_engine *e, sqlitch_strv *out,
                         sqlitch_err *err) {
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  sqlite3_stmt *s = stmt(e, ST_DEPENDENTS, err);
  if (!s) return SQLITCH_ERROR;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    sqlitch_strv_push(out, col(s, 0));
    sqlitch_strv_push(out, col(s, 1));
  }
  done_stmt(s);
  return rc == SQLITE_DONE ? SQLITCH_OK : db_error(IM(e)->db, err);
}

static int sq_name_for_change_id(sqlitch_engine *e, const char *change_id,
                                 char **out, sqlitch_err *err) {
  sqlite3_stmt *s = stmt(e, ST_NAME_FOR_ID, err);
  if (!s) return SQLITCH_ERROR;
  sqlite3_bind_text(s, 1, change_id, -1, SQLITE_STATIC);
  return one_text(e, s, out, err);
}

static int sq_are_deployed(sqlitch_engine *e, const char *const *ids, size_t n,
                           sqlitch_strv *out, sqlitch_err *err) {
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init || n == 0) return SQLITCH_OK;
  impl *im = IM(e);
  /* Sqitch's IN (...) query, so that ids come back in its order. */
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addf(&b, "SELECT change_id FROM %s.changes WHERE change_id IN (",
                   im->schema);
  for (size_t i = 0; i < n; i++)
    sqlitch_buf_add(&b, i ? ", ?" : "?");
  sqlitch_buf_addc(&b, ')');
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(im->db, b.p, -1, &s, NULL);
  sqlitch_buf_free(&b);
  if (rc != SQLITE_OK) return db_error(im->db, err);
  for (size_t i = 0; i < n; i++)
    sqlite3_bind_text(s, (int)i + 1, ids[i], -1, SQLITE_STATIC);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    sqlitch_strv_push(out, col(s, 0));
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return db_error(im->db, err);
  return SQLITCH_OK;
}

static int sq_is_deployed_tag(sqlitch_engine *e, const char *tag_id, int *yes,
                              sqlitch_err *err) {
  *yes = 0;
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  sqlite3_stmt *s = stmt(e, ST_IS_TAG, err);
  if (!s) return SQLITCH_ERROR;
  sqlite3_bind_text(s, 1, tag_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) *yes = sqlite3_column_int(s, 0);
  done_stmt(s);
  return rc == SQLITE_ROW ? SQLITCH_OK : db_error(IM(e)->db, err);
}

static int sq_current_changes(sqlitch_engine *e, const char *project,
                              sqlitch_change_row_fn fn, void *ctx,
                              sqlitch_err *err) {
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  sqlite3_stmt *s = stmt(e, ST_CURRENT_CHANGES, err);
  if (!s) return SQLITCH_ERROR;
  sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    sqlitch_reg_current_change r = {col(s, 0), col(s, 1), col(s, 2),
                                    col(s, 3), col(s, 4), col(s, 5),
                                    col(s, 6), col(s, 7), col(s, 8)};
    if (fn(ctx, &r)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  done_stmt(s);
  return rc == SQLITE_DONE ? SQLITCH_OK : db_error(IM(e)->db, err);
}

static int sq_current_tags(sqlitch_engine *e, const char *project,
                           sqlitch_tag_row_fn fn, void *ctx, sqlitch_err *err) {
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  sqlite3_stmt *s = stmt(e, ST_CURRENT_TAGS, err);
  if (!s) return SQLITCH_ERROR;
  sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    sqlitch_reg_current_tag r = {col(s, 0), col(s, 1), col(s, 2),
                                 col(s, 3), col(s, 4), col(s, 5),
                                 col(s, 6), col(s, 7), col(s, 8)};
    if (fn(ctx, &r)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  done_stmt(s);
  return rc == SQLITE_DONE ? SQLITCH_OK : db_error(IM(e)->db, err);
}

/* REGEXP with Perl semantics (regex.h), registered on first use. */
#include "regex.h"

static int sq_search_events(sqlitch_engine *e, const sqlitch_event_query *q,
                            sqlitch_event_row_fn fn, void *ctx,
                            sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  impl *im = IM(e);
  static const struct {
    size_t off;
    const char *col;
  } rx[] = {{offsetof(sqlitch_event_query, committer), "e.committer_name"},
            {offsetof(sqlitch_event_query, planner), "e.planner_name"},
            {offsetof(sqlitch_event_query, change), "e.change"},
            {offsetof(sqlitch_event_query, project), "e.project"}};
  sqlitch_buf w = SQLITCH_BUF_INIT;
  sqlitch_strv params = SQLITCH_STRV_INIT;
  int need_re = 0;
  for (size_t i = 0; i < sizeof rx / sizeof rx[0]; i++) {
    const char *v = *(const char *const *)((const char *)q + rx[i].off);
    if (!v) continue;
    sqlitch_buf_addf(&w, "%s %s REGEXP ?", w.len ? " AND" : " WHERE",
                     rx[i].col);
    sqlitch_strv_push(&params, v);
    need_re = 1;
  }
  if (q->events && q->events->n) {
    sqlitch_buf_addf(&w, "%s e.event IN (", w.len ? " AND" : " WHERE");
    for (size_t i = 0; i < q->events->n; i++) {
      sqlitch_buf_add(&w, i ? ", ?" : "?");
      sqlitch_strv_push(&params, q->events->v[i]);
    }
    sqlitch_buf_addc(&w, ')');
  }
  if (need_re && sqlitch_regex_sqlite_register(im->db) != SQLITE_OK) {
    sqlitch_buf_free(&w);
    sqlitch_strv_free(&params);
    return db_error(im->db, err);
  }
  sqlitch_buf sql = SQLITCH_BUF_INIT;
  sqlitch_buf_addf(
      &sql,
      "SELECT e.event, e.project, e.change_id, e.change, e.note, e.requires, "
      "e.conflicts, e.tags, e.committer_name, e.committer_email, %s AS "
      "committed_at, e.planner_name, e.planner_email, %s AS planned_at FROM "
      "%s.events e%s ORDER BY e.committed_at %s",
      TS("e.committed_at"), TS("e.planned_at"), im->schema, sqlitch_buf_str(&w),
      q->ascending ? "ASC" : "DESC");
  if (q->limit > 0) sqlitch_buf_addf(&sql, " LIMIT %ld", q->limit);
  if (q->offset > 0)
    sqlitch_buf_addf(&sql, "%s OFFSET %ld", q->limit > 0 ? "" : " LIMIT -1",
                     q->offset);
  sqlitch_buf_free(&w);
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(im->db, sql.p, -1, &s, NULL);
  sqlitch_buf_free(&sql);
  if (rc != SQLITE_OK) {
    sqlitch_strv_free(&params);
    return db_error(im->db, err);
  }
  for (size_t i = 0; i < params.n; i++)
    sqlite3_bind_text(s, (int)i + 1, params.v[i], -1, SQLITE_STATIC);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    sqlitch_reg_event r = {col(s, 0),  col(s, 1), col(s, 2),  col(s, 3),
                           col(s, 4),  col(s, 5), col(s, 6),  col(s, 7),
                           col(s, 8),  col(s, 9), col(s, 10), col(s, 11),
                           col(s, 12), col(s, 13)};
    if (fn(ctx, &r)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  if (rc != SQLITE_DONE) db_error(im->db, err);
  sqlite3_finalize(s);
  sqlitch_strv_free(&params);
  return rc == SQLITE_DONE ? SQLITCH_OK : SQLITCH_ERROR;
}

static int sq_registered_projects(sqlitch_engine *e, sqlitch_strv *out,
                                  sqlitch_err *err) {
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  sqlite3_stmt *s = stmt(e, ST_PROJECTS, err);
  return s ? collect(e, s, out, err) : SQLITCH_ERROR;
}

/* ============================================================ writes */

static int log_event(sqlitch_engine *e, const char *event,
                     const sqlitch_log_change *c, const char *tags,
                     const char *req, const char *conf, const char *ts,
                     sqlitch_err *err) {
  sqlite3_stmt *s = stmt(e, ST_INS_EVENT, err);
  if (!s) return SQLITCH_ERROR;
  const char *v[] = {event,
                     c->change_id,
                     c->change,
                     c->project,
                     c->note ? c->note : "",
                     tags ? tags : "",
                     req ? req : "",
                     conf ? conf : "",
                     c->committer_name,
                     c->committer_email,
                     c->planned_at,
                     c->planner_name,
                     c->planner_email,
                     ts};
  for (int i = 0; i < 14; i++)
    bind_text(s, i + 1, v[i]);
  return exec_stmt(e, s, err);
}

static int bind_tag(sqlite3_stmt *s, const sqlitch_log_change *c,
                    const sqlitch_log_tag *t, const char *ts) {
  const char *v[11];
  sqlitch_log_tag_row(c, t, t->planned_at, v);
  v[10] = ts;
  for (int i = 0; i < 11; i++)
    bind_text(s, i + 1, v[i]);
  return SQLITCH_OK;
}

/* log_deploy_change: changes, dependencies, tags, events rows. */
static int log_deploy_rows(sqlitch_engine *e, const sqlitch_log_change *c,
                           const char *ts, sqlitch_err *err) {
  sqlite3_stmt *s = stmt(e, ST_INS_CHANGE, err);
  if (!s) return SQLITCH_ERROR;
  const char *v[] = {c->change_id,
                     c->script_hash,
                     c->change,
                     c->project,
                     c->note ? c->note : "",
                     c->committer_name,
                     c->committer_email,
                     c->planned_at,
                     c->planner_name,
                     c->planner_email,
                     ts};
  for (int i = 0; i < 11; i++)
    bind_text(s, i + 1, v[i]);
  if (exec_stmt(e, s, err)) return SQLITCH_ERROR;
  for (size_t i = 0; i < c->ndeps; i++) {
    if (!(s = stmt(e, ST_INS_DEP, err))) return SQLITCH_ERROR;
    bind_text(s, 1, c->change_id);
    bind_text(s, 2, c->deps[i].type);
    bind_text(s, 3, c->deps[i].dependency);
    bind_text(s, 4, c->deps[i].dependency_id);
    if (exec_stmt(e, s, err)) return SQLITCH_ERROR;
  }
  for (size_t i = 0; i < c->ntags; i++) {
    if (!(s = stmt(e, ST_INS_TAG, err))) return SQLITCH_ERROR;
    bind_tag(s, c, &c->tags[i], ts);
    if (exec_stmt(e, s, err)) return SQLITCH_ERROR;
  }
  return log_event(e, "deploy", c, c->ev_tags, c->ev_requires, c->ev_conflicts,
                   ts, err);
}

static int join_col(sqlitch_engine *e, sqlite3_stmt *s, char **out,
                    sqlitch_err *err) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  int rc, first = 1;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (!first) sqlitch_buf_addc(&b, ',');
    const char *v = col(s, 0);
    sqlitch_buf_add(&b, v ? v : "");
    first = 0;
  }
  done_stmt(s);
  if (rc != SQLITE_DONE) {
    sqlitch_buf_free(&b);
    return db_error(IM(e)->db, err);
  }
  *out = b.p ? sqlitch_buf_take(&b) : sqlitch_strdup("");
  return SQLITCH_OK;
}

/* log_revert_change: read tags/dependencies back, delete, log. */
static int log_revert_rows(sqlitch_engine *e, const sqlitch_log_change *c,
                           const char *ts, sqlitch_err *err) {
  char *tags = NULL, *req = NULL, *conf = NULL;
  int rc = SQLITCH_ERROR;
  sqlite3_stmt *s;
  if (!(s = stmt(e, ST_SEL_TAGS, err))) goto out;
  bind_text(s, 1, c->change_id);
  if (join_col(e, s, &tags, err)) goto out;
  if (!(s = stmt(e, ST_DEL_TAGS, err))) goto out;
  bind_text(s, 1, c->change_id);
  if (exec_stmt(e, s, err)) goto out;
  if (!(s = stmt(e, ST_SEL_DEPS, err))) goto out;
  bind_text(s, 1, c->change_id);
  bind_text(s, 2, "require");
  if (join_col(e, s, &req, err)) goto out;
  if (!(s = stmt(e, ST_SEL_DEPS, err))) goto out;
  bind_text(s, 1, c->change_id);
  bind_text(s, 2, "conflict");
  if (join_col(e, s, &conf, err)) goto out;
  if (!(s = stmt(e, ST_DEL_DEPS, err))) goto out;
  bind_text(s, 1, c->change_id);
  if (exec_stmt(e, s, err)) goto out;
  if (!(s = stmt(e, ST_DEL_CHANGE, err))) goto out;
  bind_text(s, 1, c->change_id);
  if (exec_stmt(e, s, err)) goto out;
  rc = log_event(e, "revert", c, tags, req, conf, ts, err);
out:
  free(tags);
  free(req);
  free(conf);
  return rc;
}

static int in_txn(sqlitch_engine *e) {
  return !sqlite3_get_autocommit(IM(e)->db);
}

/* Registry transactions. Deferred, not IMMEDIATE: with the target
   attached, IMMEDIATE would open a write transaction on both files and turn
   every registry commit into a (costlier) multi-file commit. The first
   statement of each registry transaction writes to the registry. */
static int begin(sqlitch_engine *e, sqlitch_err *err) {
  return exec_sql(IM(e)->db, "BEGIN", err);
}

static int commit(sqlitch_engine *e, sqlitch_err *err) {
  return exec_sql(IM(e)->db, "COMMIT", err);
}

static void rollback_quiet(sqlitch_engine *e) {
  if (IM(e)->db && in_txn(e))
    sqlite3_exec(IM(e)->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Roll back what a script left open on the target connection (the shell
   closes its connection, which rolls it back). */
static void rollback_target(sqlitch_engine *e) {
  sqlite3 *t = IM(e)->tdb;
  if (t && !sqlite3_get_autocommit(t))
    sqlite3_exec(t, "ROLLBACK", NULL, NULL, NULL);
}

static int set_intent(sqlitch_engine *e, int what, const char *id,
                      long long cookie, sqlitch_err *err);

/* A fail event; drops any armed intent (the change did not go through). */
static int sq_log_fail(sqlitch_engine *e, const sqlitch_log_change *c,
                       sqlitch_err *err) {
  char ts[32];
  if (real_registry(e, err) || now_ts(e, 0, ts, err)) return SQLITCH_ERROR;
  if (!IM(e)->armed)
    return log_event(e, "fail", c, c->ev_tags, c->ev_requires, c->ev_conflicts,
                     ts, err);
  if (begin(e, err)) return SQLITCH_ERROR;
  if (log_event(e, "fail", c, c->ev_tags, c->ev_requires, c->ev_conflicts, ts,
                err) ||
      set_intent(e, 0, NULL, 0, err) || commit(e, err)) {
    rollback_quiet(e);
    return SQLITCH_ERROR;
  }
  return SQLITCH_OK;
}

static int sq_log_new_tags(sqlitch_engine *e, const sqlitch_log_change *c,
                           sqlitch_err *err) {
  if (!c->ntags) return SQLITCH_OK;
  char ts[32];
  if (real_registry(e, err) || now_ts(e, 0, ts, err)) return SQLITCH_ERROR;
  int rc = begin(e, err);
  for (size_t i = 0; i < c->ntags && rc == SQLITCH_OK; i++) {
    sqlite3_stmt *s = stmt(e, ST_INS_NEW_TAG, err);
    if (!s)
      rc = SQLITCH_ERROR;
    else {
      bind_tag(s, c, &c->tags[i], ts);
      rc = exec_stmt(e, s, err);
    }
  }
  if (rc == SQLITCH_OK) rc = commit(e, err);
  if (rc) rollback_quiet(e);
  return rc;
}

static int sq_register_project(sqlitch_engine *e, const char *project,
                               const char *uri, sqlitch_err *err) {
  if (real_registry(e, err)) return SQLITCH_ERROR;
  sqlite3_stmt *s = stmt(e, ST_PROJECT_URI, err);
  if (!s) return SQLITCH_ERROR;
  sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    char *reg = col_dup(s, 0);
    done_stmt(s);
    int r = SQLITCH_OK;
    if (uri && !reg)
      r = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                          "Cannot register \"%s\" with URI %s: already exists "
                          "with NULL URI",
                          project, uri);
    else if (!uri && reg)
      r = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                          "Cannot register \"%s\" without URI: already exists "
                          "with URI %s",
                          project, reg);
    else if (uri && reg && strcmp(uri, reg) != 0)
      r = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                          "Cannot register \"%s\" with URI %s: already exists "
                          "with URI %s",
                          project, uri, reg);
    free(reg);
    return r;
  }
  done_stmt(s);
  if (rc != SQLITE_DONE) return db_error(IM(e)->db, err);
  if (uri) {
    if (!(s = stmt(e, ST_URI_PROJECT, err))) return SQLITCH_ERROR;
    sqlite3_bind_text(s, 1, uri, -1, SQLITE_STATIC);
    char *other = NULL;
    if (one_text(e, s, &other, err)) return SQLITCH_ERROR;
    if (other) {
      sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                      "Cannot register \"%s\" with URI %s: project \"%s\" "
                      "already using that URI",
                      project, uri, other);
      free(other);
      return SQLITCH_ERROR;
    }
  }
  const char *uname, *uemail;
  char ts[32];
  if (sqlitch_engine_user(e, &uname, &uemail, err) || now_ts(e, 0, ts, err))
    return SQLITCH_ERROR;
  if (!(s = stmt(e, ST_INS_PROJECT, err))) return SQLITCH_ERROR;
  bind_text(s, 1, project);
  bind_text(s, 2, uri);
  bind_text(s, 3, uname);
  bind_text(s, 4, uemail);
  bind_text(s, 5, ts);
  return exec_stmt(e, s, err);
}

static int sq_update_script_hashes(sqlitch_engine *e, const char *project,
                                   const char *const *ids,
                                   const char *const *hashes, size_t n,
                                   sqlitch_err *err) {
  if (real_registry(e, err) || begin(e, err)) return SQLITCH_ERROR;
  int rc = SQLITCH_OK;
  for (size_t i = 0; i < n && rc == SQLITCH_OK; i++) {
    sqlite3_stmt *s = stmt(e, ST_UPD_HASH, err);
    if (!s) {
      rc = SQLITCH_ERROR;
      break;
    }
    bind_text(s, 1, hashes[i]);
    bind_text(s, 2, ids[i]);
    bind_text(s, 3, ids[i]);
    rc = exec_stmt(e, s, err);
  }
  if (rc == SQLITCH_OK) {
    sqlite3_stmt *s = stmt(e, ST_NULL_HASH, err);
    if (!s)
      rc = SQLITCH_ERROR;
    else {
      bind_text(s, 1, project);
      rc = exec_stmt(e, s, err);
    }
  }
  if (rc == SQLITCH_OK) rc = commit(e, err);
  if (rc) rollback_quiet(e);
  return rc;
}

#include "sqlscript.h"

/* ===================================================== script running */

typedef struct run_opts {
  const char *path; /* script path for messages */
  int show_rows;    /* print result rows (CSV) */
  int nested;       /* inside our savepoint: BEGIN/COMMIT are no-ops */
  /* called before the script's final COMMIT runs, inside its transaction */
  int (*hook)(sqlitch_engine *e, void *ctx, sqlitch_err *err);
  void *hook_ctx;
  /* called before any other commit point: a write outside a transaction,
     a COMMIT that is not the last statement */
  int (*guard)(sqlitch_engine *e, void *ctx, sqlitch_err *err);
  int hook_ran;
} run_opts;

enum { RUN_OK = 0, RUN_FAILED, RUN_HOOK_FAILED };

/* shell_error_context() */
static void error_context(sqlitch_buf *b, const char *sql, int off) {
  if (off < 0 || !sql) return;
  while (off > 50) {
    off--;
    sql++;
    while ((sql[0] & 0xc0) == 0x80) {
      sql++;
      off--;
    }
  }
  size_t len = strlen(sql);
  if (len > 78) {
    len = 78;
    while ((sql[len] & 0xc0) == 0x80)
      len--;
  }
  sqlitch_buf_add(b, "\n  ");
  for (size_t i = 0; i < len; i++)
    sqlitch_buf_addc(b, sqlitch_sql_is_space(sql[i]) ? ' ' : sql[i]);
  if (off < 25) {
    sqlitch_buf_add(b, "\n  ");
    sqlitch_buf_pad(b, ' ', (size_t)off);
    sqlitch_buf_add(b, "^--- error here");
  } else {
    sqlitch_buf_add(b, "\n  ");
    sqlitch_buf_pad(b, ' ', (size_t)(off - 14));
    sqlitch_buf_add(b, "error here ---^");
  }
}

/* Report an error as the shell does, prefixed with the script path. */
static void report_script_error(sqlitch_engine *e, sqlite3 *db,
                                const run_opts *o, const char *type, int line,
                                int rc, const char *sql) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  if (o->path) sqlitch_buf_addf(&b, "%s: ", o->path);
  sqlitch_buf_addf(&b, "%s near line %d: %s", type, line, sqlite3_errmsg(db));
  if (rc > 1) sqlitch_buf_addf(&b, " (%d)", rc);
  if (sql) error_context(&b, sql, sqlite3_error_offset(db));
  sqlitch_report(e->rep, SQLITCH_VENT, "%s", b.p);
  sqlitch_buf_free(&b);
}

/* One result row as the shell's -csv mode prints it. */
static void emit_row(sqlitch_engine *e, sqlite3_stmt *s, int ncol,
                     sqlitch_buf *b) {
  sqlitch_buf_reset(b);
  for (int i = 0; i < ncol; i++) {
    const unsigned char *v = sqlite3_column_text(s, i);
    if (i) sqlitch_buf_addc(b, ',');
    if (!v) continue;
    int quote = v[0] == 0 || strchr((const char *)v, ',') != NULL;
    for (const unsigned char *p = v; *p && !quote; p++)
      quote = *p <= 0x20 || *p == '"' || *p == '\'' || *p >= 0x7f;
    if (!quote) {
      sqlitch_buf_add(b, (const char *)v);
      continue;
    }
    sqlitch_buf_addc(b, '"');
    for (const unsigned char *p = v; *p; p++) {
      if (*p == '"') sqlitch_buf_addc(b, '"');
      sqlitch_buf_addc(b, (char)*p);
    }
    sqlitch_buf_addc(b, '"');
  }
  sqlitch_buf_addc(b, '\n');
  sqlitch_report_literal(e->rep, SQLITCH_EMIT, "%s", b->p);
}

/* Run the parsed script on db, statement by statement (shell_exec). */
static int run_chunks(sqlitch_engine *e, sqlite3 *db,
                      const sqlitch_sqlscript *sc, run_opts *o,
                      sqlitch_err *err) {
  sqlitch_buf row = SQLITCH_BUF_INIT;
  int result = RUN_OK;
  for (size_t k = 0; k < sc->n && result == RUN_OK; k++) {
    const char *z = sc->buf.p + sc->v[k].off;
    int line = sc->v[k].line;
    while (*z) {
      sqlite3_stmt *st = NULL;
      const char *tail = NULL;
      int rc = sqlite3_prepare_v2(db, z, -1, &st, &tail);
      if (rc != SQLITE_OK) {
        report_script_error(e, db, o, "Parse error", line, rc, z);
        result = RUN_FAILED;
        break;
      }
      if (!st) {
        z = tail;
        while (sqlitch_sql_is_space(*z))
          z++;
        continue;
      }
      sqlitch_sql_kw k2 = sqlitch_sql_classify(sqlite3_sql(st));
      if (o->nested && k2 != SQLITCH_KW_OTHER && k2 != SQLITCH_KW_ROLLBACK_TO) {
        sqlite3_finalize(st);
        if (k2 == SQLITCH_KW_ROLLBACK &&
            exec_sql(db, "ROLLBACK TO sqlitch_verify", err)) {
          result = RUN_FAILED;
          break;
        }
        z = tail;
        while (sqlitch_sql_is_space(*z))
          z++;
        continue;
      }
      int last = k == sc->n - 1 && !*sqlitch_sql_skip_blank(tail, 1);
      if (o->hook && !o->hook_ran && k2 == SQLITCH_KW_COMMIT && last &&
          !sqlite3_get_autocommit(db)) {
        o->hook_ran = 1;
        if (o->hook(e, o->hook_ctx, err)) {
          sqlite3_finalize(st);
          result = RUN_HOOK_FAILED;
          break;
        }
      } else if (o->guard &&
                 (k2 == SQLITCH_KW_COMMIT ||
                  (sqlite3_get_autocommit(db) && k2 != SQLITCH_KW_BEGIN &&
                   !sqlite3_stmt_readonly(st)))) {
        if (o->guard(e, o->hook_ctx, err)) {
          sqlite3_finalize(st);
          result = RUN_HOOK_FAILED;
          break;
        }
      }
      int ncol = sqlite3_column_count(st);
      while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (o->show_rows) emit_row(e, st, ncol, &row);
      rc = sqlite3_finalize(st);
      if (rc != SQLITE_OK) {
        report_script_error(e, db, o, "Runtime error", line, rc, NULL);
        result = RUN_FAILED;
        break;
      }
      z = tail;
      while (sqlitch_sql_is_space(*z))
        z++;
    }
  }
  sqlitch_buf_free(&row);
  return result;
}

/* Put the connection back as a fresh sqlite3 shell would have it, when
   the script (`may`) could have changed anything. */
static void reset_conn_state(sqlitch_engine *e, int may) {
  impl *im = IM(e);
  if (!may || im->adopted || !im->have_conn_state || !im->tdb ||
      !sqlite3_get_autocommit(im->tdb))
    return;
  int now[6];
  sqlitch_err ignore = SQLITCH_ERR_INIT;
  if (read_conn_state(im->tdb, now, &ignore)) {
    sqlitch_err_clear(&ignore);
    return;
  }
  static const char *const set[] = {
      "foreign_keys", "recursive_triggers", NULL,
      NULL,           "legacy_alter_table", "query_only"};
  for (int i = 0; i < 6; i++) {
    if (!set[i] || now[i] == im->conn_state[i]) continue;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA %s = %d", set[i], im->conn_state[i]);
    sqlite3_exec(im->tdb, sql, NULL, NULL, NULL);
  }
  if (now[2] > 0) { /* TEMP objects the script created */
    static const char *const kinds[] = {"trigger", "view", "table"};
    for (int k = 0; k < 3; k++) {
      char *q = sqlite3_mprintf(
          "SELECT name FROM temp.sqlite_master WHERE type = %Q", kinds[k]);
      sqlite3_stmt *s = NULL;
      sqlitch_strv names = SQLITCH_STRV_INIT;
      if (sqlite3_prepare_v2(im->tdb, q, -1, &s, NULL) == SQLITE_OK)
        while (sqlite3_step(s) == SQLITE_ROW)
          sqlitch_strv_push(&names, col(s, 0));
      sqlite3_finalize(s);
      sqlite3_free(q);
      for (size_t i = 0; i < names.n; i++) {
        char *d = sqlite3_mprintf("DROP %s temp.\"%w\"", kinds[k], names.v[i]);
        sqlite3_exec(im->tdb, d, NULL, NULL, NULL);
        sqlite3_free(d);
      }
      sqlitch_strv_free(&names);
    }
  }
  if (now[3] > 2) { /* databases the script attached */
    sqlite3_stmt *s = NULL;
    sqlitch_strv names = SQLITCH_STRV_INIT;
    if (sqlite3_prepare_v2(im->tdb,
                           "SELECT name FROM pragma_database_list WHERE name "
                           "NOT IN ('main', 'temp')",
                           -1, &s, NULL) == SQLITE_OK)
      while (sqlite3_step(s) == SQLITE_ROW)
        sqlitch_strv_push(&names, col(s, 0));
    sqlite3_finalize(s);
    for (size_t i = 0; i < names.n; i++) {
      char *d = sqlite3_mprintf("DETACH \"%w\"", names.v[i]);
      sqlite3_exec(im->tdb, d, NULL, NULL, NULL);
      sqlite3_free(d);
    }
    sqlitch_strv_free(&names);
  }
}

/* -------------------------------------------------------- the client */

/* Sqitch's own way: `sqlite3 -noheader -bail -batch -csv DB ".read 'F'"`. */
static int run_client(sqlitch_engine *e, const char *dbpath, const char *file,
                      int show_out, sqlitch_err *err) {
  const char *client = e->target->client ? e->target->client : "sqlite3";
  sqlitch_buf rd = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&rd, ".read '");
  for (const char *p = file; *p; p++) {
    if (*p == '\'') sqlitch_buf_addc(&rd, '\'');
    sqlitch_buf_addc(&rd, *p);
  }
  sqlitch_buf_addc(&rd, '\'');
  char *argv[] = {(char *)client, "-noheader",    "-bail", "-batch",
                  "-csv",         (char *)dbpath, rd.p,    NULL};
  int rc = sqlitch_engine_run_client(e, argv, NULL, show_out, err);
  sqlitch_buf_free(&rd);
  return rc;
}

/* A script file, loaded and parsed. */
typedef struct loaded {
  char *text;
  size_t len;
  sqlitch_sqlscript sc;
  int client; /* must run through the client */
} loaded;

static int load_script(sqlitch_engine *e, const char *path, const char *text,
                       size_t len, loaded *l, sqlitch_err *err) {
  memset(l, 0, sizeof *l);
  if (!text) {
    if (sqlitch_read_file(path, &l->text, &l->len, err)) return SQLITCH_ERROR;
    text = l->text;
    len = l->len;
  }
  sqlitch_sqlscript_parse(text, len, &l->sc);
  l->client = IM(e)->sqliterc || l->sc.dot || l->sc.shell_only;
  return SQLITCH_OK;
}

static void loaded_free(loaded *l) {
  free(l->text);
  sqlitch_sqlscript_free(&l->sc);
}

/* Run a loaded script on the target, in process or through the client.
   Script errors are reported; err is PRIVATE (in process) or the client's
   failure message. */
static int run_loaded(sqlitch_engine *e, const char *path, loaded *l,
                      run_opts *o, int *result, sqlitch_err *err) {
  impl *im = IM(e);
  *result = RUN_OK;
  if (l->client) {
    if (run_client(e, im->target_path, path, o->show_rows, err)) {
      *result = RUN_FAILED;
    }
    return SQLITCH_OK;
  }
  *result = run_chunks(e, im->tdb, &l->sc, o, err);
  if (*result == RUN_FAILED) quiet_err(err);
  return SQLITCH_OK;
}

/* ============================================================ intent */

/* Atomic changes with two commits per change (as Sqitch, and as few
   fsyncs as Sqitch needs): a change's script commits on the target, then
   its registry rows commit on the registry. The window between the two is
   covered by an intent that the registry commit before it armed in the
   registry file's header, which Sqitch never reads:
     user_version   = (1 deploy | 2 revert) << 28 | target schema cookie
                      before the change (low 28 bits)
     application_id = the first 32 bits of the change id
   The engine adds a bump of the target's schema cookie to the script's
   final COMMIT, so "the target cookie moved past the armed one" means
   "the change committed". After a crash, the next deploy/revert (holding
   the lock) asks sq_pending(): if the change committed, engine.c writes
   its registry rows; if not, the intent is dropped. Any other commit point
   in a script (a write outside a transaction, a COMMIT that is not the
   last statement, a script run through the client) disarms the intent
   first: a crash there leaves what Sqitch would leave. When the target and
   the registry are one file, the registry rows are simply written inside
   the script's transaction. */

#define INTENT_COOKIE 0x0FFFFFFF

static int target_cookie(sqlite3 *db, long long *out, sqlitch_err *err) {
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(db, "PRAGMA main.schema_version", -1, &s, NULL);
  if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
    *out = sqlite3_column_int64(s, 0);
  else
    rc = SQLITE_ERROR;
  sqlite3_finalize(s);
  return rc == SQLITE_OK ? SQLITCH_OK : db_error(db, err);
}

/* Inside a registry transaction: arm (what 1/2, change id, cookie) or
   disarm (what 0) the intent. */
static int set_intent(sqlitch_engine *e, int what, const char *id,
                      long long cookie, sqlitch_err *err) {
  impl *im = IM(e);
  long uv = 0, app = 0;
  if (what) {
    uv = ((long)what << 28) | (long)(cookie & INTENT_COOKIE);
    char h8[9];
    snprintf(h8, sizeof h8, "%.8s", id);
    app = (long)(int32_t)(uint32_t)strtoul(h8, NULL, 16);
  }
  char sql[160];
  snprintf(sql, sizeof sql,
           "PRAGMA %s.user_version = %ld; PRAGMA %s.application_id = %ld",
           im->schema, uv, im->schema, app);
  if (exec_sql(im->db, sql, err)) return SQLITCH_ERROR;
  im->armed = what;
  im->armed_cookie = cookie;
  free(im->armed_id);
  im->armed_id = what ? sqlitch_strdup(id) : NULL;
  return SQLITCH_OK;
}

/* The intent as a transaction of its own. */
static int intent_txn(sqlitch_engine *e, int what, const char *id,
                      sqlitch_err *err) {
  impl *im = IM(e);
  long long cookie = 0;
  if (what && target_cookie(im->tdb, &cookie, err)) return SQLITCH_ERROR;
  if (begin(e, err)) return SQLITCH_ERROR;
  if (set_intent(e, what, id, cookie, err) || commit(e, err)) {
    rollback_quiet(e);
    return SQLITCH_ERROR;
  }
  return SQLITCH_OK;
}

/* Target and registry are two files (the intent is only needed then). */
static int separate(impl *im) {
  if (!im->reg_path || !im->target_path) return 0;
  if (!im->separate_known) {
    im->separate = !same_file(im->target_path, im->reg_path);
    im->separate_known = 1;
  }
  return im->separate;
}

/* Disarm before a commit point the intent does not cover. */
static int disarm(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (!im->armed || !separate(im)) return SQLITCH_OK;
  return intent_txn(e, 0, NULL, err);
}

/* What an interrupted run left armed. *what: 0 nothing (or the change did
   not commit: the intent is dropped), 1 a deploy, 2 a revert whose script
   committed; id8 receives the change id's first 8 hex digits. */
static int sq_pending(sqlitch_engine *e, int *what, char id8[9],
                      sqlitch_err *err) {
  impl *im = IM(e);
  *what = 0;
  id8[0] = 0;
  if (!im->reg_path || !im->target_path || im->memory_registry ||
      same_file(im->target_path, im->reg_path))
    return SQLITCH_OK;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  long long uv = 0, app = 0;
  static const char *const which[] = {"user_version", "application_id"};
  for (int i = 0; i < 2; i++) {
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA %s.%s", im->schema, which[i]);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(im->db, sql, -1, &s, NULL) != SQLITE_OK) {
      sqlite3_finalize(s);
      return db_error(im->db, err);
    }
    if (sqlite3_step(s) == SQLITE_ROW)
      *(i ? &app : &uv) = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  int w = (int)((uv >> 28) & 3);
  if (uv <= 0 || (w != 1 && w != 2)) return SQLITCH_OK;
  long long now = -1;
  sqlite3 *t = NULL;
  if (sqlitch_path_exists(im->target_path) &&
      open_file(im->target_path, SQLITE_OPEN_READWRITE, &t, err) == 0) {
    sqlitch_err ignore = SQLITCH_ERR_INIT;
    if (target_cookie(t, &now, &ignore)) now = -1;
    sqlitch_err_clear(&ignore);
  }
  sqlite3_close(t);
  sqlitch_err_clear(err);
  im->armed = w; /* so that the next registry commit clears it */
  if (now < 0 || (now & INTENT_COOKIE) <= (uv & INTENT_COOKIE)) {
    /* the change never committed: forget the intent */
    if (begin(e, err) || set_intent(e, 0, NULL, 0, err) || commit(e, err)) {
      rollback_quiet(e);
      return SQLITCH_ERROR;
    }
    return SQLITCH_OK;
  }
  *what = w;
  snprintf(id8, 9, "%08lx", (unsigned long)(uint32_t)app);
  return SQLITCH_OK;
}

static int sq_disarm(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (!im->armed) return SQLITCH_OK;
  if (begin(e, err) || set_intent(e, 0, NULL, 0, err) || commit(e, err)) {
    rollback_quiet(e);
    return SQLITCH_ERROR;
  }
  return SQLITCH_OK;
}

/* ============================================================== steps */

typedef struct hook_ctx {
  const sqlitch_step *s;
  loaded *verify; /* parsed verify script, or NULL */
  int verify_missing;
  sqlitch_step_status status;
  int rows_in_txn; /* one file: registry rows go in this txn */
} hook_ctx;

/* Registry rows of a step (in the current transaction), then the intent
   for the step that follows. */
static int write_rows(sqlitch_engine *e, const sqlitch_step *s,
                      sqlitch_err *err) {
  char ts[32];
  if (now_ts(e, s->remaining, ts, err)) return SQLITCH_ERROR;
  int rc = s->revert ? log_revert_rows(e, s->log, ts, err)
                     : log_deploy_rows(e, s->log, ts, err);
  if (rc) return rc;
  impl *im = IM(e);
  if (!separate(im)) return SQLITCH_OK;
  long long cookie = 0;
  int arm = s->next_id && im->tdb;
  if (arm && target_cookie(im->tdb, &cookie, err)) return SQLITCH_ERROR;
  if (arm)
    return set_intent(e, s->next_revert ? 2 : 1, s->next_id, cookie, err);
  return im->armed ? set_intent(e, 0, NULL, 0, err) : SQLITCH_OK;
}

/* Before a commit point that is not the script's final COMMIT: disarm,
   within the script's transaction when one is open (that one commit then
   spans both files), else in a registry transaction of its own. */
static int guard(sqlitch_engine *e, void *ctx, sqlitch_err *err) {
  hook_ctx *h = ctx;
  impl *im = IM(e);
  if (!im->armed || !separate(im)) return SQLITCH_OK;
  int rc = disarm(e, err); /* its own registry transaction */
  if (rc) h->status = SQLITCH_STEP_LOG_FAILED;
  return rc;
}

/* Before the script's final COMMIT: verify (in a savepoint), then bump the
   target's cookie (or, with one file, write the registry rows). */
static int step_hook(sqlitch_engine *e, void *ctx, sqlitch_err *err) {
  hook_ctx *h = ctx;
  impl *im = IM(e);
  if (h->verify_missing)
    sqlitch_report(e->rep, SQLITCH_VENT, "Verify script %s does not exist",
                   h->s->verify_script);
  if (h->verify) {
    if (exec_sql(im->tdb, "SAVEPOINT sqlitch_verify", err)) {
      h->status = SQLITCH_STEP_VERIFY_FAILED;
      return SQLITCH_ERROR;
    }
    run_opts o = {
        h->s->verify_script, e->opts.verbosity >= 2, 1, NULL, NULL, NULL, 0};
    int r = run_chunks(e, im->tdb, &h->verify->sc, &o, err);
    sqlite3_exec(im->tdb, "ROLLBACK TO sqlitch_verify", NULL, NULL, NULL);
    sqlite3_exec(im->tdb, "RELEASE sqlitch_verify", NULL, NULL, NULL);
    if (r != RUN_OK) {
      h->status = SQLITCH_STEP_VERIFY_FAILED;
      if (!err->msg) quiet_err(err);
      return SQLITCH_ERROR;
    }
  }
  if (h->rows_in_txn) {
    if (write_rows(e, h->s, err)) {
      h->status = SQLITCH_STEP_LOG_FAILED;
      return SQLITCH_ERROR;
    }
    return SQLITCH_OK;
  }
  if (im->armed) {
    long long c;
    char sql[64];
    if (target_cookie(im->tdb, &c, err)) return SQLITCH_ERROR;
    /* DDL in the script already moved the cookie: nothing to add (setting
       it makes SQLite reload the whole schema, costly on big databases) */
    if ((c & INTENT_COOKIE) > (im->armed_cookie & INTENT_COOKIE))
      return SQLITCH_OK;
    snprintf(sql, sizeof sql, "PRAGMA main.schema_version = %lld", c + 1);
    if (exec_sql(im->tdb, sql, err)) {
      /* defensive connections refuse this: lose atomicity, not the change */
      sqlitch_err_clear(err);
      if (disarm(e, err)) return SQLITCH_ERROR;
    }
  }
  return SQLITCH_OK;
}

static void fail(sqlitch_step_result *res, sqlitch_step_status st, int undone) {
  res->status = st;
  res->undone = undone;
}

static int sq_step(sqlitch_engine *e, const sqlitch_step *s,
                   sqlitch_step_result *res, sqlitch_err *err) {
  impl *im = IM(e);
  res->status = SQLITCH_STEP_OK;
  res->undone = 0;
  int need_target = s->script || s->verify_script;
  if (real_registry(e, err) || (need_target && ensure_target(e, err)))
    return SQLITCH_ERROR;

  loaded sc, vs;
  memset(&sc, 0, sizeof sc);
  memset(&vs, 0, sizeof vs);
  int have_sc = 0, have_vs = 0, verify_missing = 0, rc = SQLITCH_OK;
  if (s->verify_script) {
    if (sqlitch_path_exists(s->verify_script)) {
      if (load_script(e, s->verify_script, NULL, 0, &vs, err))
        return SQLITCH_ERROR;
      have_vs = 1;
    } else {
      verify_missing = 1;
    }
  }
  if (s->script) {
    if (load_script(e, s->script, s->script_text, s->script_len, &sc, err)) {
      if (have_vs) loaded_free(&vs);
      return SQLITCH_ERROR;
    }
    have_sc = 1;
    int inproc = !sc.client && !(have_vs && vs.client);
    int one_file = !separate(im);
    hook_ctx h = {s, have_vs && !vs.client ? &vs : NULL, verify_missing,
                  SQLITCH_STEP_OK, one_file};
    /* arm the intent for this change (unless the last registry commit
       did), or make sure nothing is armed for a script we cannot cover */
    if (!one_file) {
      int want = s->revert ? 2 : 1;
      int armed_ok = im->armed == want && im->armed_id &&
                     strcmp(im->armed_id, s->log->change_id) == 0;
      if (inproc && sc.sc.ends_commit && !armed_ok)
        rc = intent_txn(e, want, s->log->change_id, err);
      else if (!(inproc && sc.sc.ends_commit))
        rc = disarm(e, err);
      if (rc) goto out;
    }
    run_opts o = {s->script, 1,
                  0,         inproc ? step_hook : NULL,
                  &h,        inproc && !one_file ? guard : NULL,
                  0};
    int result;
    run_loaded(e, s->script, &sc, &o, &result, err);
    int may = sc.sc.state || (have_vs && vs.sc.state);
    if (result == RUN_FAILED) {
      rollback_target(e);
      reset_conn_state(e, may);
      if (!sc.client) quiet_err(err);
      fail(res, SQLITCH_STEP_SCRIPT_FAILED, 0);
      goto out;
    }
    if (result == RUN_HOOK_FAILED) {
      rollback_target(e);
      reset_conn_state(e, may);
      fail(res, h.status, 1);
      goto out;
    }
    rollback_target(e); /* a transaction the script left open */
    reset_conn_state(e, may);
    if (o.hook_ran && fault("after-target-commit")) _exit(137);
    if (o.hook_ran && one_file) goto out; /* rows went with the script */
    if (o.hook_ran && h.verify) {         /* verified in the txn */
      have_vs = 0;
      loaded_free(&vs);
      verify_missing = 0;
    } else if (o.hook_ran) {
      verify_missing = 0; /* reported by the hook */
    }
  }

  /* Sqitch's order: verify, then the registry in its own transaction. */
  if (verify_missing)
    sqlitch_report(e->rep, SQLITCH_VENT, "Verify script %s does not exist",
                   s->verify_script);
  if (have_vs) {
    run_opts o = {
        s->verify_script, e->opts.verbosity >= 2, 0, NULL, NULL, NULL, 0};
    int result;
    run_loaded(e, s->verify_script, &vs, &o, &result, err);
    rollback_target(e);
    reset_conn_state(e, vs.sc.state);
    if (result != RUN_OK) {
      fail(res, SQLITCH_STEP_VERIFY_FAILED, 0);
      goto out;
    }
  }
  if (begin(e, err) || write_rows(e, s, err) || commit(e, err)) {
    rollback_quiet(e);
    sqlitch_err keep = SQLITCH_ERR_INIT;
    sqlitch_err_move(&keep, err);
    if (disarm(e, err)) { /* the change stays committed, unrecorded */
      sqlitch_err_clear(err);
    }
    sqlitch_err_move(err, &keep);
    fail(res, SQLITCH_STEP_LOG_FAILED, 0);
  }
out:
  if (have_sc) loaded_free(&sc);
  if (have_vs) loaded_free(&vs);
  return rc;
}

static int sq_run_script(sqlitch_engine *e, sqlitch_script_kind kind,
                         const char *file, sqlitch_err *err) {
  if (ensure_target(e, err)) return SQLITCH_ERROR;
  loaded l;
  if (load_script(e, file, NULL, 0, &l, err)) return SQLITCH_ERROR;
  run_opts o = {file, kind != SQLITCH_SCRIPT_VERIFY || e->opts.verbosity >= 2,
                0,    NULL,
                NULL, NULL,
                0};
  int result;
  run_loaded(e, file, &l, &o, &result, err);
  rollback_target(e);
  reset_conn_state(e, l.sc.state);
  if (result != RUN_OK && !l.client) quiet_err(err);
  loaded_free(&l);
  return result == RUN_OK ? SQLITCH_OK : SQLITCH_ERROR;
}

/* ===================================================== registry setup */

/* DDL and upgrade scripts run with the registry as "main", on their own
   connection, so that SQLite stores their text as Sqitch's client does. */
/* The release row of a DDL/upgrade script, inserted on the script's own
   connection just before its final COMMIT: tables and release commit
   together, so an interrupted first deploy never leaves a registry with
   tables but no release (which would then look like a pre-1.0 one). */
typedef struct release_ctx {
  sqlite3 *db;
  const char *version;
} release_ctx;

static int release_hook(sqlitch_engine *e, void *ctx, sqlitch_err *err) {
  release_ctx *r = ctx;
  const char *uname, *uemail;
  char ts[32];
  if (sqlitch_engine_user(e, &uname, &uemail, err) || now_ts(e, 0, ts, err))
    return SQLITCH_ERROR;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(r->db,
                         "INSERT INTO releases (version, installed_at, "
                         "installer_name, installer_email) VALUES (?, ?, ?, ?)",
                         -1, &s, NULL) != SQLITE_OK)
    return db_error(r->db, err);
  sqlite3_bind_double(s, 1, strtod(r->version, NULL));
  bind_text(s, 2, ts);
  bind_text(s, 3, uname);
  bind_text(s, 4, uemail);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? SQLITCH_OK : db_error(r->db, err);
}

/* DDL and upgrade scripts run with the registry as "main" on their own
   connection, so that SQLite stores their text as Sqitch's client does;
   the release `version` is registered in the same transaction. */
static int run_registry_sql(sqlitch_engine *e, const char *name,
                            const char *version, sqlitch_err *err) {
  impl *im = IM(e);
  if (!im->reg_path)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Database name missing in URI %s",
                           e->target->uri->str);
  const char *text = sqlitch_registry_sql_get(name);
  if (!text)
    return sqlitch_err_set(err, SQLITCH_E_DEV, 2, "missing sql/%s.sql", name);
  if (clock_ready(e, err)) return SQLITCH_ERROR;
  sqlite3 *db;
  if (open_file(im->reg_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db,
                err))
    return SQLITCH_ERROR;
  sqlite3_busy_timeout(db, 60000);
  sqlitch_sqlscript sc;
  sqlitch_sqlscript_parse(text, strlen(text), &sc);
  char *path = sqlitch_mprintf("%s.sql", name);
  release_ctx rel = {db, version};
  run_opts o = {path, 0, 0, release_hook, &rel, NULL, 0};
  int r = run_chunks(e, db, &sc, &o, err);
  if (!sqlite3_get_autocommit(db))
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close(db);
  sqlitch_sqlscript_free(&sc);
  free(path);
  if (r == RUN_HOOK_FAILED) return SQLITCH_ERROR;
  if (r != RUN_OK || !o.hook_ran)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Cannot update the registry %s", im->reg_dest);
  return SQLITCH_OK;
}

static int sq_initialize(sqlitch_engine *e, sqlitch_err *err) {
  int init;
  if (real_registry(e, err)) return SQLITCH_ERROR;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (init)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Sqitch database %s already initialized",
                           IM(e)->reg_path ? IM(e)->reg_path : "");
  return run_registry_sql(e, "sqlite", SQLITCH_REGISTRY_RELEASE, err);
}

static const char *const sq_upgrades[] = {"1.0", "1.1", NULL};

static int sq_upgrade(sqlitch_engine *e, const char *version,
                      sqlitch_err *err) {
  char name[32];
  snprintf(name, sizeof name, "sqlite-upgrade-%s", version);
  if (real_registry(e, err)) return SQLITCH_ERROR;
  finalize_all(IM(e)); /* tables are rebuilt under the statements */
  return run_registry_sql(e, name, version, err);
}

/* ============================================================ locking */

static int lock_fd(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (im->lock_fd >= 0 || !im->reg_path) return SQLITCH_OK;
  if (real_registry(e, err)) return SQLITCH_ERROR;
  im->lock_fd = open(im->reg_path, O_RDONLY | O_CLOEXEC);
  if (im->lock_fd < 0)
    return sqlitch_err_set(err, SQLITCH_E_IO, 2, "Cannot open %s: %s",
                           im->reg_path, strerror(errno));
  return SQLITCH_OK;
}

static int sq_try_lock(sqlitch_engine *e, int *got, sqlitch_err *err) {
  impl *im = IM(e);
  *got = 0;
  if (lock_fd(e, err)) return SQLITCH_ERROR;
  if (im->lock_fd < 0 || flock(im->lock_fd, LOCK_EX | LOCK_NB) == 0) {
    *got = 1;
    return SQLITCH_OK;
  }
  if (errno != EWOULDBLOCK)
    return sqlitch_err_set(err, SQLITCH_E_IO, 2, "Cannot lock %s: %s",
                           im->reg_path, strerror(errno));
  return SQLITCH_OK;
}

static int sq_wait_lock(sqlitch_engine *e, double seconds, int *got,
                        sqlitch_err *err) {
  impl *im = IM(e);
  *got = 0;
  struct timespec t0, now;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  double delay = 0.01;
  for (;;) {
    if (flock(im->lock_fd, LOCK_EX | LOCK_NB) == 0) {
      *got = 1;
      return SQLITCH_OK;
    }
    if (errno != EWOULDBLOCK && errno != EINTR)
      return sqlitch_err_set(err, SQLITCH_E_IO, 2, "Cannot lock %s: %s",
                             im->reg_path, strerror(errno));
    clock_gettime(CLOCK_MONOTONIC, &now);
    double el = (double)(now.tv_sec - t0.tv_sec) +
                (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
    if (el >= seconds) return SQLITCH_OK;
    double d = delay < seconds - el ? delay : seconds - el;
    struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
    nanosleep(&ts, NULL);
    if (delay < 0.5) delay *= 2;
  }
}

/* ============================================================ prepare */

/* Before a run: the target must be a usable, writable SQLite database
   (or not exist yet, in a directory where it can be created). Checked on
   a connection of its own, so that nothing is created or locked. */
static int sq_prepare(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (im->tdb) return SQLITCH_OK;
  const char *t = im->target_path;
  if (!t) return SQLITCH_OK; /* Sqitch fails later, when it needs the name */
  if (!sqlitch_path_exists(t)) {
    char *dir = sqlitch_path_dirname(t);
    int ok = access(dir, W_OK) == 0;
    free(dir);
    if (ok) return SQLITCH_OK;
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Cannot use database %s: unable to create the file "
                           "(%s)",
                           t, strerror(errno));
  }
  sqlite3 *db = NULL;
  if (open_file(t, SQLITE_OPEN_READWRITE, &db, err)) {
    char *m = sqlitch_mprintf("Cannot use database %s: %s", t, err->msg);
    sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "%s", m);
    free(m);
    return SQLITCH_ERROR;
  }
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM main.sqlite_master", -1,
                              &s, NULL);
  if (rc == SQLITE_OK && sqlite3_step(s) != SQLITE_ROW) rc = SQLITE_ERROR;
  sqlite3_finalize(s);
  if (rc != SQLITE_OK)
    sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "Cannot use database %s: %s", t,
                    sqlite3_errmsg(db));
  else if (sqlite3_db_readonly(db, "main") == 1 || access(t, W_OK) != 0)
    rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                         "Cannot use database %s: it is read-only", t);
  sqlite3_close(db);
  if (rc != SQLITE_OK) return SQLITCH_ERROR;
  if (im->reg_path && sqlitch_path_exists(im->reg_path) &&
      access(im->reg_path, W_OK) != 0)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Cannot use registry %s: it is read-only",
                           im->reg_path);
  return SQLITCH_OK;
}

/* ============================================================= backup */

static int sq_backup(sqlitch_engine *e, const char *file, sqlitch_err *err) {
  impl *im = IM(e);
  if (ensure_target(e, err)) return SQLITCH_ERROR;
  char *dest = NULL;
  if (file && *file)
    dest = sqlitch_strdup(file);
  else {
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    dest = sqlitch_mprintf("%s.%s.bak", im->target_path, stamp);
  }
  sqlitch_report(e->rep, SQLITCH_INFO, "Backing up %s to %s",
                 sqlitch_engine_destination(e), dest);
  char *tmp = sqlitch_mprintf("%s.sqlitch-tmp-%ld", dest, (long)getpid());
  sqlite3 *out = NULL;
  int rc = SQLITCH_OK;
  if (open_file(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out, err)) {
    rc = SQLITCH_ERROR;
  } else {
    sqlite3_backup *b = sqlite3_backup_init(out, "main", im->tdb, "main");
    int r = SQLITE_OK;
    if (!b)
      r = SQLITE_ERROR;
    else {
      while ((r = sqlite3_backup_step(b, 256)) == SQLITE_OK ||
             r == SQLITE_BUSY || r == SQLITE_LOCKED)
        if (r != SQLITE_OK) sqlite3_sleep(10);
      sqlite3_backup_finish(b);
    }
    if (r != SQLITE_DONE) {
      rc = sqlitch_err_set(err, SQLITCH_E_IO, 2, "Cannot back up %s to %s: %s",
                           im->target_path, dest, sqlite3_errmsg(out));
    }
    sqlite3_close(out);
    if (rc == SQLITCH_OK && rename(tmp, dest) != 0)
      rc = sqlitch_err_set(err, SQLITCH_E_IO, 2, "Cannot back up %s to %s: %s",
                           im->target_path, dest, strerror(errno));
  }
  if (rc) unlink(tmp);
  free(tmp);
  free(dest);
  return rc;
}

/* =========================================================== the table */

const sqlitch_engine_ops sqlitch_engine_sqlite_ops = {
    .key = "sqlite",
    .name = "SQLite",
    .init = sq_init,
    .destroy = sq_destroy,
    .registry_destination = sq_registry_destination,
    .registry_version = sq_registry_version,
    .initialized = sq_initialized,
    .initialize = sq_initialize,
    .upgrades = sq_upgrades,
    .upgrade = sq_upgrade,
    .register_project = sq_register_project,
    .update_script_hashes = sq_update_script_hashes,
    .try_lock = sq_try_lock,
    .wait_lock = sq_wait_lock,
    .prepare = sq_prepare,
    .step = sq_step,
    .backup = sq_backup,
    .run_script = sq_run_script,
    .log_fail = sq_log_fail,
    .log_new_tags = sq_log_new_tags,
    .current_state = sq_current_state,
    .deployed_changes = sq_deployed_changes,
    .load_change = sq_load_change,
    .change_id_offset = sq_change_id_offset,
    .change_id_for = sq_change_id_for,
    .change_id_at = sq_change_id_at,
    .changes_requiring = sq_changes_requiring,
    .dependents = sq_dependents,
    .name_for_change_id = sq_name_for_change_id,
    .are_deployed = sq_are_deployed,
    .is_deployed_tag = sq_is_deployed_tag,
    .current_changes = sq_current_changes,
    .current_tags = sq_current_tags,
    .search_events = sq_search_events,
    .registered_projects = sq_registered_projects,
    .pending = sq_pending,
    .disarm = sq_disarm,
};
