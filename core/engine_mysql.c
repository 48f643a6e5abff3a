/*
** engine_mysql.c -- the MySQL/MariaDB engine (Engine/mysql.pm +
** Role/DBIEngine.pm) through libmariadb (mariadb-connector-c).
**
** Connections. Like Sqitch, the engine keeps one connection for the
** registry ("R", what DBD::mysql opens: the registry database, charset
** utf8, and Sqitch's session settings -- time_zone '+00:00',
** group_concat_max_len 32768, sql_mode ansi,strict_trans_tables,...) and
** runs scripts elsewhere. Sqitch starts the `mysql` client for every
** script:
**
**   mysql --user U [--database D] [--host H] [--port P] [--password=PW]
**         --skip-pager --silent --skip-column-names --skip-line-numbers
**         --abort-source-on-error [URI options] --execute "SET ...;
**         source FILE"
**
** sqlitch runs the script in process on a second connection ("S") opened
** as that client opens it (same user, database, host, port, socket,
** password, the charset the client derives from the locale, the option
** files it reads, CLIENT_MULTI_STATEMENTS), reset between scripts so that
** every script starts a fresh session. engine_mysql_client.c cuts the
** script into the statements the client would send (comments stripped,
** DELIMITER, source, use) and this file sends them and prints what the
** client prints: rows tab-separated, errors as
** "ERROR 1146 (42S02) at line 3 in file: 'deploy/x.sql': ...", then
** Sqitch's "\"mysql\" unexpectedly returned exit value 1". When the
** in-process result could differ (no MariaDB client with
** --abort-source-on-error, an option file sqlitch cannot apply, an
** unsupported client command, ...; see engine_mysql.h) the configured
** client runs with Sqitch's exact command line. docs/mysql.md lists the
** cases.
**
** The registry is created the same way (CREATE DATABASE, then the DDL of
** sql/mysql.sql through the client's parser, so that the stored trigger
** and function bodies are byte for byte what sqitch stores), while the
** deploy lock is taken as in Sqitch, so a first deploy never prints
** "Adding registry tables to ..." -- but once the lock is held (Sqitch:
** just before), so that deployers starting together cannot race.
**
** Locking: SELECT get_lock('sqitch working on <db>', 0), then the same
** with --lock-timeout, on R (released when the process ends), and per
** change LOCK TABLES on the six registry tables with autocommit off until
** the change's rows are committed -- Sqitch's begin_work/finish_work, so
** sqitch and sqlitch exclude each other.
*/
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "engine.h"
#include "engine_mysql.h"
#include "engine_mysql_dl.h"
#include "engine_mysql_wire.h"
#include "process.h"
#include "registry_sql.h"

extern char **environ;

/* Where Debian's sqitch keeps its mysql DDL: the name the client prints
   in errors about these files. */
#define SQITCH_ENGINE_DIR "/usr/share/perl5/App/Sqitch/Engine"

/* ================================================================ SQL */

// clang-format off
/* Sqitch's _ts2char_format (as "YYYY-MM-DD HH:MM:SS") and
   _listagg_format. */
#define TS(col) "date_format(" col ", '%Y-%m-%d %H:%i:%S')"
#define LISTAGG(col) "GROUP_CONCAT(" col " ORDER BY " col " SEPARATOR ' ')"
#define NOW "utc_timestamp(6)"

static const char SQL_SESSION[] =
    "SET SESSION character_set_client   = 'utf8';"
    "SET SESSION character_set_server   = 'utf8';"
    "SET SESSION time_zone              = '+00:00';"
    "SET SESSION group_concat_max_len   = 32768;"
    "SET SESSION sql_mode = 'ansi,strict_trans_tables,no_auto_value_on_zero,"
    "no_zero_date,no_zero_in_date,only_full_group_by,"
    "error_for_division_by_zero'";

enum {
  Q_INITIALIZED,
  Q_VERSION,
  Q_STATE,
  Q_STATE_NOHASH,
  Q_DEPLOYED,
  Q_DEPLOYED_SINCE,
  Q_LOAD,
  Q_LOAD_AFTER,
  Q_LOAD_BEFORE,
  Q_CIDOFF_AFTER,
  Q_CIDOFF_BEFORE,
  Q_CID_BY_ID,
  Q_CID_HEAD,
  Q_CID_TAGGED,
  Q_CID_BY_NAME,
  Q_CID_BY_TAG,
  Q_CID_ASC,
  Q_CID_DESC,
  Q_REQUIRING,
  Q_NAME_FOR_ID,
  Q_IS_TAG,
  Q_CURRENT_CHANGES,
  Q_CURRENT_TAGS,
  Q_PROJECTS,
  Q_PROJECT_URI,
  Q_URI_PROJECT,
  Q_INS_PROJECT,
  Q_INS_RELEASE,
  Q_INS_CHANGE,
  Q_INS_EVENT,
  Q_SEL_REVERT,
  Q_DEL_REVERT,
  Q_UPD_HASH,
  Q_NULL_HASH,
  Q_LAST_TS,
  N_Q
};

/* "?" marks a value (quoted, or NULL); "#" a number written as is. */
#define CHANGE_COLS                                                        \
  "SELECT c.change_id AS id, c.change AS name, c.project, c.note, "        \
  TS("c.planned_at") " AS \"timestamp\", c.planner_name, c.planner_email, " \
  LISTAGG("t.tag") " AS tags, c.script_hash, " TS("c.committed_at")        \
  " FROM changes c LEFT JOIN tags t ON c.change_id = t.change_id "
#define CHANGE_GROUP                                                       \
  " GROUP BY c.change_id, c.change, c.project, c.note, c.planned_at, "     \
  "c.planner_name, c.planner_email, c.committed_at, c.script_hash"
/* current_state: DBIEngine's _select_state finds the latest change with
   its tags aggregated through a GROUP BY over every change of the
   project; the same row is found here by sorting the changes alone and
   aggregating only its tags (milliseconds less on a big registry, and
   status runs it every time). */
#define STATE(hash)                                                        \
  "SELECT c.change_id, " hash ", c.change, c.project, c.note, "            \
  "c.committer_name, c.committer_email, " TS("c.committed_at")             \
  " AS committed_at, c.planner_name, c.planner_email, " TS("c.planned_at") \
  " AS planned_at, (SELECT " LISTAGG("t.tag") " FROM tags t WHERE "        \
  "t.change_id = c.change_id) AS tags FROM changes c WHERE c.project = ? " \
  "ORDER BY c.committed_at DESC LIMIT 1"

static const char *const sql_text[N_Q] = {
    [Q_INITIALIZED] = "SELECT COUNT(*) FROM information_schema.tables WHERE "
                      "table_schema = ? AND table_name = ?",
    [Q_VERSION] = "SELECT CAST(ROUND(MAX(version), 1) AS CHAR) FROM releases",
    [Q_STATE] = STATE("c.script_hash"),
    [Q_STATE_NOHASH] = STATE("NULL"),
    [Q_DEPLOYED] = CHANGE_COLS "WHERE c.project = ?" CHANGE_GROUP
                               " ORDER BY c.committed_at ASC",
    [Q_DEPLOYED_SINCE] =
        CHANGE_COLS "WHERE c.project = ? AND c.committed_at > (SELECT "
                    "committed_at FROM changes WHERE change_id = ?)"
                    CHANGE_GROUP " ORDER BY c.committed_at ASC",
    [Q_LOAD] = CHANGE_COLS "WHERE c.change_id = ?" CHANGE_GROUP,
    [Q_LOAD_AFTER] = CHANGE_COLS
        "WHERE c.project = ? AND c.committed_at > (SELECT committed_at FROM "
        "changes WHERE change_id = ?)" CHANGE_GROUP
        " ORDER BY c.committed_at ASC LIMIT 1 OFFSET #",
    [Q_LOAD_BEFORE] = CHANGE_COLS
        "WHERE c.project = ? AND c.committed_at < (SELECT committed_at FROM "
        "changes WHERE change_id = ?)" CHANGE_GROUP
        " ORDER BY c.committed_at DESC LIMIT 1 OFFSET #",
    [Q_CIDOFF_AFTER] =
        "SELECT change_id FROM changes WHERE project = ? AND committed_at > "
        "(SELECT committed_at FROM changes WHERE change_id = ?) ORDER BY "
        "committed_at ASC LIMIT 1 OFFSET #",
    [Q_CIDOFF_BEFORE] =
        "SELECT change_id FROM changes WHERE project = ? AND committed_at < "
        "(SELECT committed_at FROM changes WHERE change_id = ?) ORDER BY "
        "committed_at DESC LIMIT 1 OFFSET #",
    [Q_CID_BY_ID] = "SELECT change_id FROM changes WHERE change_id = ?",
    [Q_CID_HEAD] = "SELECT change_id FROM changes WHERE project = ? AND "
                   "changes.change = ? ORDER BY committed_at DESC LIMIT 1",
    [Q_CID_TAGGED] =
        "SELECT changes.change_id FROM changes JOIN tags ON "
        "changes.committed_at <= tags.committed_at AND changes.project = "
        "tags.project WHERE changes.project = ? AND changes.change = ? AND "
        "tags.tag = ? ORDER BY changes.committed_at DESC LIMIT 1",
    [Q_CID_BY_NAME] = "SELECT change_id FROM changes WHERE project = ? AND "
                      "changes.change = ? ORDER BY changes.committed_at ASC",
    [Q_CID_BY_TAG] = "SELECT change_id FROM tags WHERE project = ? AND tag = ?",
    [Q_CID_ASC] = "SELECT change_id FROM changes WHERE project = ? ORDER BY "
                  "committed_at ASC LIMIT 1 OFFSET #",
    [Q_CID_DESC] = "SELECT change_id FROM changes WHERE project = ? ORDER BY "
                   "committed_at DESC LIMIT 1 OFFSET #",
    [Q_REQUIRING] =
        "SELECT c.change_id, c.project, c.change, (SELECT tag FROM changes "
        "c2 JOIN tags ON c2.change_id = tags.change_id WHERE c2.project = "
        "c.project AND c2.committed_at >= c.committed_at ORDER BY "
        "c2.committed_at LIMIT 1) AS asof_tag FROM dependencies d JOIN "
        "changes c ON c.change_id = d.change_id WHERE d.dependency_id = ?",
    [Q_NAME_FOR_ID] =
        "SELECT c.change || COALESCE((SELECT tag FROM changes c2 JOIN tags "
        "ON c2.change_id = tags.change_id WHERE c2.committed_at >= "
        "c.committed_at AND c2.project = c.project LIMIT 1), '@HEAD') FROM "
        "changes c WHERE change_id = ?",
    [Q_IS_TAG] = "SELECT EXISTS(SELECT 1 FROM tags WHERE tag_id = ?)",
    [Q_CURRENT_CHANGES] =
        "SELECT c.change_id, c.script_hash, c.change, c.committer_name, "
        "c.committer_email, " TS("c.committed_at") " AS committed_at, "
        "c.planner_name, c.planner_email, " TS("c.planned_at")
        " AS planned_at FROM changes c WHERE project = ? ORDER BY "
        "c.committed_at DESC",
    [Q_CURRENT_TAGS] =
        "SELECT tag_id, tag, committer_name, committer_email, " TS(
            "committed_at") " AS committed_at, planner_name, planner_email, " TS("planned_at") " AS planned_at, note FROM tags WHERE project = ? ORDER BY tags.committed_at DESC",
    [Q_PROJECTS] = "SELECT project FROM projects ORDER BY project",
    [Q_PROJECT_URI] = "SELECT uri FROM projects WHERE project = ?",
    [Q_URI_PROJECT] = "SELECT project FROM projects WHERE uri = ?",
    [Q_INS_PROJECT] = "INSERT INTO projects (project, uri, creator_name, "
                      "creator_email, created_at) VALUES (?, ?, ?, ?, " NOW ")",
    [Q_INS_RELEASE] = "INSERT INTO releases (version, installed_at, "
                      "installer_name, installer_email) VALUES (?, " NOW
                      ", ?, ?)",
    [Q_INS_CHANGE] =
        "INSERT INTO changes (change_id, script_hash, \"change\", project, "
        "note, committer_name, committer_email, planned_at, planner_name, "
        "planner_email, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " NOW
        ")",
    [Q_INS_EVENT] =
        "INSERT INTO events (event, change_id, \"change\", project, note, "
        "tags, requires, conflicts, committer_name, committer_email, "
        "planned_at, planner_name, planner_email, committed_at) VALUES (?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " NOW ")",
    [Q_SEL_REVERT] =
        "SELECT tag FROM tags WHERE change_id = ?; SELECT dependency FROM "
        "dependencies WHERE change_id = ? AND type = 'require'; SELECT "
        "dependency FROM dependencies WHERE change_id = ? AND type = "
        "'conflict'",
    [Q_DEL_REVERT] = "DELETE FROM tags WHERE change_id = ?; DELETE FROM "
                     "dependencies WHERE change_id = ?; DELETE FROM changes "
                     "where change_id = ?",
    [Q_UPD_HASH] = "UPDATE changes SET script_hash = ? WHERE change_id = ? "
                   "AND script_hash = ?",
    [Q_NULL_HASH] = "UPDATE changes SET script_hash = NULL WHERE project = ? "
                    "AND script_hash = change_id",
    [Q_LAST_TS] = "SELECT UNIX_TIMESTAMP(committed_at) >= UNIX_TIMESTAMP() "
                  "FROM # WHERE project = ? ORDER BY committed_at DESC "
                  "LIMIT 1",
};

// clang-format on

/* ============================================================== state */

typedef struct impl {
  MYSQL *db;       /* R: the registry connection */
  int have_db;     /* connected */
  int reg_db;      /* R is in the registry database */
  int initialized; /* -1 unknown */
  unsigned long server_version;
  int mariadb;
  int fractional;   /* DATETIME(6) and utc_timestamp(6) */
  sqlitch_uri *uri; /* target URI with $MYSQL_HOST/$MYSQL_TCP_PORT */
  char *registry;
  char *reg_dest; /* registry URI without password */
  char *user;     /* Sqitch's username (always set) */
  char *password; /* or NULL */
  const char *client;
  char *lock_name;
  /* the script side */
  MYSQL *sc;       /* S */
  char *sc_db;     /* database S was opened on */
  int sc_dirty;    /* a script ran since S was opened or reset */
  int sc_fresh;    /* reconnect for every script (init commands) */
  int probed;      /* `mysql --version` asked */
  int abort_flag;  /* ... says MariaDB: --abort-source-on-error */
  char *inproc_no; /* why scripts cannot run in process, or NULL */
  sqlitch_mycnf cnf;
  int cnf_read;
  int warned_dbname;
  /* the step in progress */
  int in_work;        /* LOCK TABLES + autocommit off on R */
  unsigned sc_status; /* S's server status when it was opened (a
                         reset session starts from it again) */
} impl;

static impl *IM(sqlitch_engine *e) { return e->impl; }

static int db_error(MYSQL *m, sqlitch_err *err) {
  return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "%s", mysql_error(m));
}

/* ================================================= connection settings */

static const char *uri_param(const sqlitch_uri *u, const char *key) {
  const char *v = NULL;
  for (size_t i = 0; i < u->nparams; i++)
    if (strcmp(u->params[i].key, key) == 0) v = u->params[i].value;
  return v;
}

/* The URI's query options as DBD::mysql applies them to a connection
   (R), and as Sqitch maps them to client options (S: client = 1). */
static void apply_uri_options(MYSQL *m, const sqlitch_uri *u, int client) {
  const char *v;
  if ((v = uri_param(u, "mysql_compression")) && sqlitch_perl_true(v))
    mysql_optionsv(m, MYSQL_OPT_COMPRESS, NULL);
  if ((v = uri_param(u, "mysql_connect_timeout"))) {
    unsigned t = (unsigned)strtoul(v, NULL, 10);
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &t);
  }
  if ((v = uri_param(u, "mysql_init_command")))
    mysql_optionsv(m, MYSQL_INIT_COMMAND, v);
  if (!client) {
    if ((v = uri_param(u, "mysql_read_timeout"))) {
      unsigned t = (unsigned)strtoul(v, NULL, 10);
      mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &t);
    }
    if ((v = uri_param(u, "mysql_write_timeout"))) {
      unsigned t = (unsigned)strtoul(v, NULL, 10);
      mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &t);
    }
    if ((v = uri_param(u, "mysql_read_default_file")))
      mysql_optionsv(m, MYSQL_READ_DEFAULT_FILE, v);
    if ((v = uri_param(u, "mysql_read_default_group")))
      mysql_optionsv(m, MYSQL_READ_DEFAULT_GROUP, v);
    if ((v = uri_param(u, "mysql_local_infile"))) {
      unsigned t = sqlitch_perl_true(v);
      mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &t);
    }
  }
  if ((v = uri_param(u, "mysql_ssl")) && sqlitch_perl_true(v)) {
    mysql_ssl_set(m, uri_param(u, "mysql_ssl_client_key"),
                  uri_param(u, "mysql_ssl_client_cert"),
                  uri_param(u, "mysql_ssl_ca_file"),
                  uri_param(u, "mysql_ssl_ca_path"),
                  uri_param(u, "mysql_ssl_cipher"));
    my_bool enforce = 1;
    mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
  }
}

/* ========================================================= connecting */

/* Engine::mysql's server check, on R. */
static int check_version(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  unsigned long want = im->mariadb ? 50300 : 50100;
  if (im->server_version >= want) return SQLITCH_OK;
  char *have = NULL;
  if (mysql_query(im->db, "SELECT version()") == 0) {
    MYSQL_RES *r = mysql_store_result(im->db);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    if (row && row[0]) have = sqlitch_strdup(row[0]);
    if (r) mysql_free_result(r);
  }
  sqlitch_err_set(
      err, SQLITCH_E_ENGINE, 2, "Sqitch requires %s %s or higher; this is %s",
      im->mariadb ? "MariaDB" : "MySQL", im->mariadb ? "5.3" : "5.1.0",
      have ? have : mysql_get_server_info(im->db));
  free(have);
  mysql_close(im->db);
  im->db = NULL;
  im->have_db = 0;
  return SQLITCH_ERROR;
}

/* R as DBD::mysql opens it: the registry database (or none, when it does
   not exist yet), utf8, Sqitch's session settings, the version check. */
static int ensure_db(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (im->have_db) return SQLITCH_OK;
  const sqlitch_uri *u = im->uri;
  for (int attempt = 0; attempt < 2; attempt++) {
    MYSQL *m = mysql_init(NULL);
    if (!m) return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "out of memory");
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8");
    apply_uri_options(m, u, 0);
    const char *sock = uri_param(u, "mysql_socket");
    const char *db = attempt == 0 ? im->registry : NULL;
    MYSQL *ok = mysql_real_connect(
        m, u->host && *u->host ? u->host : NULL, im->user, im->password, db,
        u->port > 0 ? (unsigned)u->port : 0, sock && *sock ? sock : NULL,
        CLIENT_FOUND_ROWS | CLIENT_MULTI_STATEMENTS);
    const char *route = sqlitch_mysql_wire_route();
    if (route)
      sqlitch_report(e->rep, SQLITCH_TRACE, "registry connection %s", route);
    if (!ok) {
      int unknown_db = mysql_errno(m) == ER_BAD_DB_ERROR && attempt == 0;
      if (!unknown_db) db_error(m, err);
      mysql_close(m);
      if (unknown_db) continue;
      return SQLITCH_ERROR;
    }
    im->db = m;
    im->reg_db = attempt == 0;
    break;
  }
  if (!im->db)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "cannot connect");
  im->have_db = 1;
  if (!im->reg_db) im->initialized = 0;
  if (mysql_query(im->db, SQL_SESSION)) return db_error(im->db, err);
  int st;
  do {
    MYSQL_RES *r = mysql_store_result(im->db);
    if (r) mysql_free_result(r);
  } while ((st = mysql_next_result(im->db)) == 0);
  if (st > 0) return db_error(im->db, err);
  const char *info = mysql_get_server_info(im->db);
  im->server_version = mysql_get_server_version(im->db);
  im->mariadb = info && strcasestr(info, "mariadb") != NULL;
  im->fractional = im->server_version >= (im->mariadb ? 50305UL : 50604UL);
  /* DBD::mysql connects to the registry database or fails: without it,
     Sqitch never gets as far as the version check */
  return im->reg_db ? check_version(e, err) : SQLITCH_OK;
}

/* ======================================================== SQL helpers */

/* Sqitch's statement with "?" replaced by quoted values (DBD::mysql's
   client-side placeholders) and "#" by numbers. */
static char *bind_sql(impl *im, const char *sql, const char *const *vals,
                      size_t n) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  size_t k = 0;
  for (const char *p = sql; *p; p++) {
    if ((*p == '?' || *p == '#') && k < n) {
      const char *v = vals[k++];
      if (*p == '#') {
        sqlitch_buf_add(&b, v ? v : "0");
      } else if (!v) {
        sqlitch_buf_add(&b, "NULL");
      } else {
        size_t len = strlen(v);
        sqlitch_buf_grow(&b, len * 2 + 3);
        b.p[b.len++] = '\'';
        b.len += mysql_real_escape_string(im->db, b.p + b.len, v,
                                          (unsigned long)len);
        b.p[b.len++] = '\'';
        b.p[b.len] = 0;
      }
    } else {
      sqlitch_buf_addc(&b, *p);
    }
  }
  return sqlitch_buf_take(&b);
}

/* Run a statement on R; *res gets the first result (NULL for none).
   Further results of a multi-statement are freed. The server's error
   number stays in *errnum (0 on success). */
static int rexec(sqlitch_engine *e, const char *sql, MYSQL_RES **res,
                 unsigned *errnum, sqlitch_err *err) {
  impl *im = IM(e);
  if (res) *res = NULL;
  if (errnum) *errnum = 0;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  if (mysql_query(im->db, sql)) {
    if (errnum) *errnum = mysql_errno(im->db);
    return db_error(im->db, err);
  }
  int first = 1, st;
  do {
    MYSQL_RES *r = mysql_store_result(im->db);
    if (!r && mysql_field_count(im->db)) {
      if (errnum) *errnum = mysql_errno(im->db);
      if (res && *res) {
        mysql_free_result(*res);
        *res = NULL;
      }
      return db_error(im->db, err);
    }
    if (first && res)
      *res = r;
    else if (r)
      mysql_free_result(r);
    first = 0;
  } while ((st = mysql_next_result(im->db)) == 0);
  if (st > 0) {
    if (errnum) *errnum = mysql_errno(im->db);
    if (res && *res) {
      mysql_free_result(*res);
      *res = NULL;
    }
    return db_error(im->db, err);
  }
  return SQLITCH_OK;
}

static int rq(sqlitch_engine *e, int id, const char *const *vals, size_t n,
              MYSQL_RES **res, unsigned *errnum, sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  char *sql = bind_sql(IM(e), sql_text[id], vals, n);
  int rc = rexec(e, sql, res, errnum, err);
  free(sql);
  return rc;
}

static char *dup_col(MYSQL_ROW row, int i) {
  return row[i] ? sqlitch_strdup(row[i]) : NULL;
}

/* First column of the first row (NULL when no row). */
static int one_text(sqlitch_engine *e, int id, const char *const *vals,
                    size_t n, char **out, sqlitch_err *err) {
  *out = NULL;
  MYSQL_RES *r;
  if (rq(e, id, vals, n, &r, NULL, err)) return SQLITCH_ERROR;
  MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
  if (row) *out = dup_col(row, 0);
  if (r) mysql_free_result(r);
  return SQLITCH_OK;
}

static int collect(sqlitch_engine *e, int id, const char *const *vals, size_t n,
                   sqlitch_strv *out, sqlitch_err *err) {
  MYSQL_RES *r;
  if (rq(e, id, vals, n, &r, NULL, err)) return SQLITCH_ERROR;
  MYSQL_ROW row;
  while (r && (row = mysql_fetch_row(r)))
    sqlitch_strv_push(out, row[0] ? row[0] : "");
  if (r) mysql_free_result(r);
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

/* ================================================================ init */

static int lib_used;

static int my_init(sqlitch_engine *e, sqlitch_err *err) {
  if (sqlitch_mysql_wire_load(err)) return SQLITCH_ERROR;
  lib_used = 1;
  impl *im = sqlitch_calloc(1, sizeof *im);
  e->impl = im;
  im->initialized = -1;
  im->uri = sqlitch_uri_dup(e->target->uri);
  /* Engine::mysql's uri: $MYSQL_HOST / $MYSQL_TCP_PORT fill the gaps */
  const char *h = getenv("MYSQL_HOST"), *p = getenv("MYSQL_TCP_PORT");
  if ((!im->uri->host || !*im->uri->host) && h && *h)
    sqlitch_uri_set_host(im->uri, h);
  if (im->uri->port < 0 && p && *p && strcmp(p, "0") != 0)
    sqlitch_uri_set_port(im->uri, p);
  im->registry =
      sqlitch_strdup(e->target->registry ? e->target->registry : "sqitch");
  sqlitch_uri *ru = sqlitch_uri_dup(im->uri);
  sqlitch_uri_set_dbname(ru, im->registry);
  im->reg_dest = sqlitch_uri_display(ru);
  sqlitch_uri_free(ru);
  const char *user = sqlitch_target_username(e->target);
  if (user && *user)
    im->user = sqlitch_strdup(user);
  else
    im->user = sqlitch_sysuser();
  const char *pw = sqlitch_target_password(e->target);
  if (!pw || !*pw) pw = getenv("MYSQL_PWD");
  if (pw && *pw) im->password = sqlitch_strdup(pw);
  im->client = e->target->client ? e->target->client : "mysql";
  im->lock_name = sqlitch_mprintf("sqitch working on %s",
                                  im->uri->dbname ? im->uri->dbname : "");
  (void)err;
  return SQLITCH_OK;
}

static void my_destroy(sqlitch_engine *e) {
  impl *im = IM(e);
  if (!im) return;
  if (im->db) mysql_close(im->db);
  if (im->sc) mysql_close(im->sc);
  sqlitch_uri_free(im->uri);
  free(im->registry);
  free(im->reg_dest);
  free(im->user);
  free(im->password);
  free(im->lock_name);
  free(im->sc_db);
  free(im->inproc_no);
  sqlitch_mycnf_free(&im->cnf);
  free(im);
  e->impl = NULL;
}

static const char *my_registry_destination(sqlitch_engine *e) {
  return IM(e)->reg_dest;
}

/* ======================================================= registry reads */

static int reg_initialized(sqlitch_engine *e, int *yes, sqlitch_err *err) {
  impl *im = IM(e);
  *yes = 0;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  if (im->initialized >= 0) {
    *yes = im->initialized;
    return SQLITCH_OK;
  }
  if (!im->reg_db) {
    im->initialized = 0;
    return SQLITCH_OK;
  }
  const char *v[] = {im->registry, "changes"};
  char *n = NULL;
  if (one_text(e, Q_INITIALIZED, v, 2, &n, err)) return SQLITCH_ERROR;
  im->initialized = n && strcmp(n, "0") != 0;
  free(n);
  *yes = im->initialized;
  return SQLITCH_OK;
}

static int my_initialized(sqlitch_engine *e, int *yes, sqlitch_err *err) {
  return reg_initialized(e, yes, err);
}

static int no_table(unsigned n) {
  return n == ER_NO_SUCH_TABLE || n == ER_BAD_DB_ERROR ||
         n == ER_BAD_TABLE_ERROR;
}

static int my_registry_version(sqlitch_engine *e, char **version,
                               sqlitch_err *err) {
  impl *im = IM(e);
  *version = NULL;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  if (!im->reg_db) {
    *version = sqlitch_strdup("0");
    return SQLITCH_OK;
  }
  MYSQL_RES *r;
  unsigned n;
  if (rq(e, Q_VERSION, NULL, 0, &r, &n, err)) {
    if (!no_table(n)) return SQLITCH_ERROR;
    sqlitch_err_clear(err);
    *version = sqlitch_strdup("0");
    return SQLITCH_OK;
  }
  MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
  *version = sqlitch_strdup(row && row[0] ? row[0] : "0");
  if (r) mysql_free_result(r);
  return SQLITCH_OK;
}

/* Queries on a registry that is not there return nothing. */
static int ready(sqlitch_engine *e, int *yes, sqlitch_err *err) {
  return reg_initialized(e, yes, err);
}

static int state_row(MYSQL_RES *r, int hash, sqlitch_reg_state **out);

static int my_current_state(sqlitch_engine *e, const char *project,
                            sqlitch_reg_state **out, sqlitch_err *err) {
  *out = NULL;
  const char *v[] = {project};
  MYSQL_RES *r = NULL;
  unsigned n;
  int hash = 1;
  /* Sqitch's order: the state query first, the registry check only when
     it fails. When the query works the registry exists, and the
     information_schema round trip is saved (status: ~0.4 ms); on any
     failure the checked way below runs as before. */
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  if (IM(e)->reg_db && IM(e)->initialized < 0) {
    sqlitch_err ignore = SQLITCH_ERR_INIT;
    if (rq(e, Q_STATE, v, 1, &r, &n, &ignore) == SQLITCH_OK) {
      IM(e)->initialized = 1;
      return state_row(r, hash, out);
    }
    sqlitch_err_clear(&ignore);
    r = NULL;
  }
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  if (rq(e, Q_STATE, v, 1, &r, &n, err)) {
    if (n != ER_BAD_FIELD_ERROR) return SQLITCH_ERROR;
    sqlitch_err_clear(err);
    hash = 0;
    if (rq(e, Q_STATE_NOHASH, v, 1, &r, NULL, err)) return SQLITCH_ERROR;
  }
  return state_row(r, hash, out);
}

/* The state row of Q_STATE (or Q_STATE_NOHASH when !hash) into *out
   (NULL when no row); frees r. */
static int state_row(MYSQL_RES *r, int hash, sqlitch_reg_state **out) {
  MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
  if (row) {
    sqlitch_reg_state *st = sqlitch_calloc(1, sizeof *st);
    st->change_id = dup_col(row, 0);
    st->script_hash = dup_col(row, 1);
    st->has_script_hash = hash;
    st->change = dup_col(row, 2);
    st->project = dup_col(row, 3);
    st->note = dup_col(row, 4);
    st->committer_name = dup_col(row, 5);
    st->committer_email = dup_col(row, 6);
    st->committed_at = dup_col(row, 7);
    st->planner_name = dup_col(row, 8);
    st->planner_email = dup_col(row, 9);
    st->planned_at = dup_col(row, 10);
    split_tags(row[11], &st->tags);
    *out = st;
  }
  if (r) mysql_free_result(r);
  return SQLITCH_OK;
}

static void read_change(MYSQL_ROW row, sqlitch_reg_change *c) {
  c->id = dup_col(row, 0);
  c->name = dup_col(row, 1);
  c->project = dup_col(row, 2);
  c->note = dup_col(row, 3);
  c->planned_at = dup_col(row, 4);
  c->planner_name = dup_col(row, 5);
  c->planner_email = dup_col(row, 6);
  split_tags(row[7], &c->tags);
  c->script_hash = dup_col(row, 8);
  c->committed_at = dup_col(row, 9);
}

static int my_deployed_changes(sqlitch_engine *e, const char *project,
                               const char *since_id, sqlitch_reg_changes *out,
                               sqlitch_err *err) {
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  const char *v[] = {project, since_id};
  MYSQL_RES *r;
  if (rq(e, since_id ? Q_DEPLOYED_SINCE : Q_DEPLOYED, v, since_id ? 2 : 1, &r,
         NULL, err))
    return SQLITCH_ERROR;
  MYSQL_ROW row;
  while (r && (row = mysql_fetch_row(r)))
    read_change(row, sqlitch_reg_changes_push(out));
  if (r) mysql_free_result(r);
  return SQLITCH_OK;
}

static int my_load_change(sqlitch_engine *e, const char *project,
                          const char *change_id, int offset,
                          sqlitch_reg_change *out, int *found,
                          sqlitch_err *err) {
  *found = 0;
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  char off[24];
  snprintf(off, sizeof off, "%d", abs(offset) - 1);
  const char *v1[] = {change_id};
  const char *v3[] = {project, change_id, off};
  MYSQL_RES *r;
  int rc = offset == 0 ? rq(e, Q_LOAD, v1, 1, &r, NULL, err)
                       : rq(e, offset > 0 ? Q_LOAD_AFTER : Q_LOAD_BEFORE, v3, 3,
                            &r, NULL, err);
  if (rc) return SQLITCH_ERROR;
  MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
  if (row) {
    read_change(row, out);
    *found = 1;
  }
  if (r) mysql_free_result(r);
  return SQLITCH_OK;
}

static int my_change_id_offset(sqlitch_engine *e, const char *project,
                               const char *change_id, int offset, char **out,
                               sqlitch_err *err) {
  *out = NULL;
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  if (offset == 0) {
    *out = sqlitch_strdup(change_id);
    return SQLITCH_OK;
  }
  char off[24];
  snprintf(off, sizeof off, "%d", abs(offset) - 1);
  const char *v[] = {project, change_id, off};
  return one_text(e, offset > 0 ? Q_CIDOFF_AFTER : Q_CIDOFF_BEFORE, v, 3, out,
                  err);
}

static int my_change_id_for(sqlitch_engine *e, const char *change_id,
                            const char *change, const char *tag,
                            const char *project, sqlitch_strv *out,
                            sqlitch_err *err) {
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  if (change_id) {
    const char *v[] = {change_id};
    return collect(e, Q_CID_BY_ID, v, 1, out, err);
  }
  if (change && tag) {
    if (strcmp(tag, "HEAD") == 0) {
      const char *v[] = {project, change};
      return collect(e, Q_CID_HEAD, v, 2, out, err);
    }
    char *t = sqlitch_mprintf("@%s", tag);
    const char *v[] = {project, change, t};
    int rc = collect(e, Q_CID_TAGGED, v, 3, out, err);
    free(t);
    return rc;
  }
  if (change) {
    const char *v[] = {project, change};
    return collect(e, Q_CID_BY_NAME, v, 2, out, err);
  }
  if (tag) {
    char *t = sqlitch_mprintf("@%s", tag);
    const char *v[] = {project, t};
    int rc = collect(e, Q_CID_BY_TAG, v, 2, out, err);
    free(t);
    return rc;
  }
  return SQLITCH_OK;
}

static int my_change_id_at(sqlitch_engine *e, const char *project, int latest,
                           int offset, char **out, sqlitch_err *err) {
  *out = NULL;
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  char off[24];
  snprintf(off, sizeof off, "%d", offset);
  const char *v[] = {project, off};
  return one_text(e, latest ? Q_CID_DESC : Q_CID_ASC, v, 2, out, err);
}

static int my_changes_requiring(sqlitch_engine *e, const char *change_id,
                                sqlitch_reg_requiring **out, size_t *n,
                                sqlitch_err *err) {
  *out = NULL;
  *n = 0;
  const char *v[] = {change_id};
  MYSQL_RES *r;
  if (rq(e, Q_REQUIRING, v, 1, &r, NULL, err)) return SQLITCH_ERROR;
  size_t rows = r ? (size_t)mysql_num_rows(r) : 0;
  if (rows) *out = sqlitch_calloc(rows, sizeof **out);
  MYSQL_ROW row;
  while (r && (row = mysql_fetch_row(r))) {
    sqlitch_reg_requiring *q = &(*out)[(*n)++];
    q->change_id = dup_col(row, 0);
    q->project = dup_col(row, 1);
    q->change = dup_col(row, 2);
    q->asof_tag = dup_col(row, 3);
  }
  if (r) mysql_free_result(r);
  return SQLITCH_OK;
}

/* Every (dependency_id, change_id) pair, for revert's dependency check
   (one query instead of one per change). */
static int my_dependents(sqlitch_engine *e, sqlitch_strv *out,
                         sqlitch_err *err) {
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  MYSQL_RES *r;
  if (rexec(e,
            "SELECT dependency_id, change_id FROM dependencies WHERE "
            "dependency_id IS NOT NULL",
            &r, NULL, err))
    return SQLITCH_ERROR;
  MYSQL_ROW row;
  while (r && (row = mysql_fetch_row(r))) {
    sqlitch_strv_push(out, row[0]);
    sqlitch_strv_push(out, row[1]);
  }
  if (r) mysql_free_result(r);
  return SQLITCH_OK;
}

static int my_name_for_change_id(sqlitch_engine *e, const char *change_id,
                                 char **out, sqlitch_err *err) {
  const char *v[] = {change_id};
  return one_text(e, Q_NAME_FOR_ID, v, 1, out, err);
}

static int my_are_deployed(sqlitch_engine *e, const char *const *ids, size_t n,
                           sqlitch_strv *out, sqlitch_err *err) {
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init || n == 0) return SQLITCH_OK;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&b, "SELECT change_id FROM changes WHERE change_id IN (");
  for (size_t i = 0; i < n; i++)
    sqlitch_buf_add(&b, i ? ", ?" : "?");
  sqlitch_buf_addc(&b, ')');
  char *sql = bind_sql(IM(e), b.p, ids, n);
  sqlitch_buf_free(&b);
  MYSQL_RES *r;
  int rc = rexec(e, sql, &r, NULL, err);
  free(sql);
  if (rc) return SQLITCH_ERROR;
  MYSQL_ROW row;
  while (r && (row = mysql_fetch_row(r)))
    sqlitch_strv_push(out, row[0]);
  if (r) mysql_free_result(r);
  return SQLITCH_OK;
}

static int my_is_deployed_tag(sqlitch_engine *e, const char *tag_id, int *yes,
                              sqlitch_err *err) {
  *yes = 0;
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  const char *v[] = {tag_id};
  char *x = NULL;
  if (one_text(e, Q_IS_TAG, v, 1, &x, err)) return SQLITCH_ERROR;
  *yes = x && strcmp(x, "0") != 0;
  free(x);
  return SQLITCH_OK;
}

static int my_current_changes(sqlitch_engine *e, const char *project,
                              sqlitch_change_row_fn fn, void *ctx,
                              sqlitch_err *err) {
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  const char *v[] = {project};
  MYSQL_RES *r;
  if (rq(e, Q_CURRENT_CHANGES, v, 1, &r, NULL, err)) return SQLITCH_ERROR;
  MYSQL_ROW w;
  while (r && (w = mysql_fetch_row(r))) {
    sqlitch_reg_current_change c = {w[0], w[1], w[2], w[3], w[4],
                                    w[5], w[6], w[7], w[8]};
    if (fn(ctx, &c)) break;
  }
  if (r) mysql_free_result(r);
  return SQLITCH_OK;
}

static int my_current_tags(sqlitch_engine *e, const char *project,
                           sqlitch_tag_row_fn fn, void *ctx, sqlitch_err *err) {
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  const char *v[] = {project};
  MYSQL_RES *r;
  if (rq(e, Q_CURRENT_TAGS, v, 1, &r, NULL, err)) return SQLITCH_ERROR;
  MYSQL_ROW w;
  while (r && (w = mysql_fetch_row(r))) {
    sqlitch_reg_current_tag t = {w[0], w[1], w[2], w[3], w[4],
                                 w[5], w[6], w[7], w[8]};
    if (fn(ctx, &t)) break;
  }
  if (r) mysql_free_result(r);
  return SQLITCH_OK;
}

static int my_search_events(sqlitch_engine *e, const sqlitch_event_query *q,
                            sqlitch_event_row_fn fn, void *ctx,
                            sqlitch_err *err) {
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  static const struct {
    size_t off;
    const char *col;
  } rx[] = {{offsetof(sqlitch_event_query, committer), "e.committer_name"},
            {offsetof(sqlitch_event_query, planner), "e.planner_name"},
            {offsetof(sqlitch_event_query, change), "e.change"},
            {offsetof(sqlitch_event_query, project), "e.project"}};
  sqlitch_buf w = SQLITCH_BUF_INIT;
  sqlitch_strv params = SQLITCH_STRV_INIT;
  for (size_t i = 0; i < sizeof rx / sizeof rx[0]; i++) {
    const char *v = *(const char *const *)((const char *)q + rx[i].off);
    if (!v) continue;
    sqlitch_buf_addf(&w, "%s %s REGEXP ?", w.len ? " AND" : " WHERE",
                     rx[i].col);
    sqlitch_strv_push(&params, v);
  }
  if (q->events && q->events->n) {
    sqlitch_buf_addf(&w, "%s e.event IN (", w.len ? " AND" : " WHERE");
    for (size_t i = 0; i < q->events->n; i++) {
      sqlitch_buf_add(&w, i ? ", ?" : "?");
      sqlitch_strv_push(&params, q->events->v[i]);
    }
    sqlitch_buf_addc(&w, ')');
  }
  sqlitch_buf s = SQLITCH_BUF_INIT;
  sqlitch_buf_addf(
      &s,
      "SELECT e.event, e.project, e.change_id, e.change, e.note, e.requires, "
      "e.conflicts, e.tags, e.committer_name, e.committer_email, %s AS "
      "committed_at, e.planner_name, e.planner_email, %s AS planned_at FROM "
      "events e%s ORDER BY e.committed_at %s",
      TS("e.committed_at"), TS("e.planned_at"), sqlitch_buf_str(&w),
      q->ascending ? "ASC" : "DESC");
  if (q->limit > 0) sqlitch_buf_addf(&s, " LIMIT %ld", q->limit);
  if (q->offset > 0)
    sqlitch_buf_addf(&s, "%s OFFSET %ld",
                     q->limit > 0 ? "" : " LIMIT 18446744073709551615",
                     q->offset);
  sqlitch_buf_free(&w);
  char *sql = bind_sql(IM(e), s.p, (const char *const *)params.v, params.n);
  sqlitch_buf_free(&s);
  sqlitch_strv_free(&params);
  MYSQL_RES *r;
  int rc = rexec(e, sql, &r, NULL, err);
  free(sql);
  if (rc) return SQLITCH_ERROR;
  MYSQL_ROW c;
  while (r && (c = mysql_fetch_row(r))) {
    sqlitch_reg_event ev = {c[0], c[1], c[2], c[3],  c[4],  c[5],  c[6],
                            c[7], c[8], c[9], c[10], c[11], c[12], c[13]};
    if (fn(ctx, &ev)) break;
  }
  if (r) mysql_free_result(r);
  return SQLITCH_OK;
}

static int my_registered_projects(sqlitch_engine *e, sqlitch_strv *out,
                                  sqlitch_err *err) {
  int init;
  if (ready(e, &init, err)) return SQLITCH_ERROR;
  if (!init) return SQLITCH_OK;
  return collect(e, Q_PROJECTS, NULL, 0, out, err);
}

/* ====================================================== units of work */

/* begin_work: LOCK TABLES on the registry, autocommit off (what
   DBD::mysql's begin_work sends), in one round trip. */
static int begin_work(sqlitch_engine *e, sqlitch_err *err) {
  if (rexec(e,
            "LOCK TABLES releases WRITE, changes WRITE, dependencies "
            "WRITE, events WRITE, projects WRITE, tags WRITE; SET "
            "autocommit = 0",
            NULL, NULL, err))
    return SQLITCH_ERROR;
  IM(e)->in_work = 1;
  return SQLITCH_OK;
}

/* finish_work: `rows` (statements of this unit of work, or NULL), then
   commit, autocommit on, UNLOCK TABLES -- one round trip. A failing
   statement stops the batch before the COMMIT; the caller rolls back. */
static int finish_work(sqlitch_engine *e, const char *rows, sqlitch_err *err) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  if (rows && *rows) sqlitch_buf_addf(&b, "%s;", rows);
  sqlitch_buf_add(&b, "COMMIT; SET autocommit = 1; UNLOCK TABLES");
  int rc = rexec(e, b.p, NULL, NULL, err);
  sqlitch_buf_free(&b);
  if (rc == SQLITCH_OK) IM(e)->in_work = 0;
  return rc;
}

static void rollback_work(sqlitch_engine *e) {
  impl *im = IM(e);
  if (!im->db || !im->in_work) return;
  sqlitch_err ignore = SQLITCH_ERR_INIT;
  rexec(e, "ROLLBACK; SET autocommit = 1; UNLOCK TABLES", NULL, NULL, &ignore);
  sqlitch_err_clear(&ignore);
  im->in_work = 0;
}

/* Servers without fractional seconds: wait until a second has passed
   since the project's last row (_prepare_to_log). */
static int prepare_to_log(sqlitch_engine *e, const char *table,
                          const char *project, sqlitch_err *err) {
  if (IM(e)->fractional) return SQLITCH_OK;
  for (int i = 0; i < 100; i++) {
    const char *v[] = {table, project};
    char *x = NULL;
    if (one_text(e, Q_LAST_TS, v, 2, &x, err)) return SQLITCH_ERROR;
    int wait = x && strcmp(x, "1") == 0;
    free(x);
    if (!wait) break;
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
  }
  return SQLITCH_OK;
}

static char *event_sql(sqlitch_engine *e, const char *event,
                       const sqlitch_log_change *c, const char *tags,
                       const char *req, const char *conf) {
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
                     c->planner_email};
  return bind_sql(IM(e), sql_text[Q_INS_EVENT], v, 13);
}

/* "2024-01-15 10:30:00" -> "2024-01-15T10:30:00" (Sqitch's _char2ts). */
static char *iso(const char *ts) {
  char *s = sqlitch_strdup(ts ? ts : "");
  if (strlen(s) > 10 && s[10] == ' ') s[10] = 'T';
  return s;
}

static void add_sql(sqlitch_buf *b, char *sql) {
  if (b->len) sqlitch_buf_addc(b, ';');
  sqlitch_buf_add(b, sql);
  free(sql);
}

/* log_deploy_change: the rows' statements, appended to b (sent with
   the COMMIT by finish_work). */
static int log_deploy(sqlitch_engine *e, const sqlitch_log_change *c,
                      sqlitch_buf *b, sqlitch_err *err) {
  impl *im = IM(e);
  if (prepare_to_log(e, "changes", c->project, err)) return SQLITCH_ERROR;
  char *pa = iso(c->planned_at);
  const char *cv[] = {
      c->change_id,           c->script_hash,    c->change,          c->project,
      c->note ? c->note : "", c->committer_name, c->committer_email, pa,
      c->planner_name,        c->planner_email};
  add_sql(b, bind_sql(im, sql_text[Q_INS_CHANGE], cv, 10));
  free(pa);
  if (c->ndeps) {
    sqlitch_buf d = SQLITCH_BUF_INIT;
    sqlitch_buf_add(&d, "INSERT INTO dependencies( change_id , type , "
                        "dependency , dependency_id ) VALUES ");
    for (size_t i = 0; i < c->ndeps; i++) {
      const char *v[] = {c->change_id, c->deps[i].type, c->deps[i].dependency,
                         c->deps[i].dependency_id};
      char *x = bind_sql(im, "(?, ?, ?, ?)", v, 4);
      if (i) sqlitch_buf_add(&d, ", ");
      sqlitch_buf_add(&d, x);
      free(x);
    }
    add_sql(b, sqlitch_buf_take(&d));
  }
  if (c->ntags) {
    sqlitch_buf d = SQLITCH_BUF_INIT;
    sqlitch_buf_add(&d, "INSERT INTO tags ( tag_id , tag , project , "
                        "change_id , note , committer_name , committer_email , "
                        "planned_at , planner_name , planner_email , "
                        "committed_at ) VALUES ");
    for (size_t i = 0; i < c->ntags; i++) {
      const sqlitch_log_tag *t = &c->tags[i];
      char *tp = iso(t->planned_at);
      const char *v[10];
      sqlitch_log_tag_row(c, t, tp, v);
      char *x = bind_sql(im, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " NOW ")", v, 10);
      free(tp);
      if (i) sqlitch_buf_add(&d, ", ");
      sqlitch_buf_add(&d, x);
      free(x);
    }
    add_sql(b, sqlitch_buf_take(&d));
  }
  char *pa2 = iso(c->planned_at);
  sqlitch_log_change ce = *c;
  ce.planned_at = pa2;
  add_sql(b, event_sql(e, "deploy", &ce, c->ev_tags, c->ev_requires,
                       c->ev_conflicts));
  free(pa2);
  return SQLITCH_OK;
}

static char *join_rows(MYSQL_RES *r) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  MYSQL_ROW row;
  int first = 1;
  while (r && (row = mysql_fetch_row(r))) {
    if (!first) sqlitch_buf_addc(&b, ',');
    sqlitch_buf_add(&b, row[0] ? row[0] : "");
    first = 0;
  }
  return b.p ? sqlitch_buf_take(&b) : sqlitch_strdup("");
}

/* log_revert_change: read the tags and dependencies back (one round
   trip), then the deletes and the event, appended to b. */
static int log_revert(sqlitch_engine *e, const sqlitch_log_change *c,
                      sqlitch_buf *b, sqlitch_err *err) {
  impl *im = IM(e);
  const char *v3[] = {c->change_id, c->change_id, c->change_id};
  char *sql = bind_sql(im, sql_text[Q_SEL_REVERT], v3, 3);
  if (ensure_db(e, err)) {
    free(sql);
    return SQLITCH_ERROR;
  }
  int q = mysql_query(im->db, sql);
  free(sql);
  if (q) return db_error(im->db, err);
  char *parts[3] = {NULL, NULL, NULL};
  int rc = SQLITCH_OK;
  for (int i = 0; i < 3; i++) {
    MYSQL_RES *r = mysql_store_result(im->db);
    if (!r) {
      rc = db_error(im->db, err);
      break;
    }
    parts[i] = join_rows(r);
    mysql_free_result(r);
    int st = mysql_next_result(im->db);
    if (st > 0) {
      rc = db_error(im->db, err);
      break;
    }
    if (st < 0 && i < 2) {
      rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "missing result");
      break;
    }
  }
  if (rc == SQLITCH_OK) rc = prepare_to_log(e, "events", c->project, err);
  if (rc == SQLITCH_OK) {
    add_sql(b, bind_sql(im, sql_text[Q_DEL_REVERT], v3, 3));
    char *pa = iso(c->planned_at);
    sqlitch_log_change ce = *c;
    ce.planned_at = pa;
    add_sql(b, event_sql(e, "revert", &ce, parts[0], parts[1], parts[2]));
    free(pa);
  }
  for (int i = 0; i < 3; i++)
    free(parts[i]);
  return rc;
}

static int my_log_fail(sqlitch_engine *e, const sqlitch_log_change *c,
                       sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  rollback_work(e);
  if (prepare_to_log(e, "events", c->project, err)) return SQLITCH_ERROR;
  char *pa = iso(c->planned_at);
  sqlitch_log_change ce = *c;
  ce.planned_at = pa;
  char *sql =
      event_sql(e, "fail", &ce, c->ev_tags, c->ev_requires, c->ev_conflicts);
  free(pa);
  int rc = rexec(e, sql, NULL, NULL, err);
  free(sql);
  return rc;
}

/* log_new_tags: Sqitch's INSERT ... SELECT ... LEFT JOIN tags. */
static int my_log_new_tags(sqlitch_engine *e, const sqlitch_log_change *c,
                           sqlitch_err *err) {
  if (!c->ntags) return SQLITCH_OK;
  impl *im = IM(e);
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&b, "INSERT INTO tags ( tag_id , tag , project , change_id "
                      ", note , committer_name , committer_email , planned_at "
                      ", planner_name , planner_email , committed_at ) SELECT "
                      "i.* FROM ( ");
  for (size_t i = 0; i < c->ntags; i++) {
    const sqlitch_log_tag *t = &c->tags[i];
    char *tp = iso(t->planned_at);
    const char *v[10];
    sqlitch_log_tag_row(c, t, tp, v);
    char *x = bind_sql(im,
                       "SELECT ? AS tid, ? AS tname, ? AS proj, ? AS cid, ? AS "
                       "note, ? AS cuser, ? AS cemail, ? AS tts, ? AS puser, ? "
                       "AS pemail, " NOW,
                       v, 10);
    free(tp);
    if (i) sqlitch_buf_add(&b, " UNION ALL ");
    sqlitch_buf_add(&b, x);
    free(x);
  }
  sqlitch_buf_add(&b, " ) i LEFT JOIN tags ON i.tid = tags.tag_id WHERE "
                      "tags.tag_id IS NULL");
  int rc = rexec(e, b.p, NULL, NULL, err);
  sqlitch_buf_free(&b);
  return rc;
}

static int my_register_project(sqlitch_engine *e, const char *project,
                               const char *uri, sqlitch_err *err) {
  const char *v[] = {project};
  MYSQL_RES *r;
  if (rq(e, Q_PROJECT_URI, v, 1, &r, NULL, err)) return SQLITCH_ERROR;
  MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
  if (row) {
    char *reg = dup_col(row, 0);
    mysql_free_result(r);
    int rc = SQLITCH_OK;
    if (uri && !reg)
      rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Cannot register \"%s\" with URI %s: already exists "
                           "with NULL URI",
                           project, uri);
    else if (!uri && reg)
      rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Cannot register \"%s\" without URI: already "
                           "exists with URI %s",
                           project, reg);
    else if (uri && reg && strcmp(uri, reg) != 0)
      rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Cannot register \"%s\" with URI %s: already exists "
                           "with URI %s",
                           project, uri, reg);
    free(reg);
    return rc;
  }
  if (r) mysql_free_result(r);
  if (uri) {
    const char *u[] = {uri};
    char *other = NULL;
    if (one_text(e, Q_URI_PROJECT, u, 1, &other, err)) return SQLITCH_ERROR;
    if (other) {
      sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                      "Cannot register \"%s\" with URI %s: project \"%s\" "
                      "already using that URI",
                      project, uri, other);
      free(other);
      return SQLITCH_ERROR;
    }
  }
  const char *name, *email;
  if (sqlitch_engine_user(e, &name, &email, err)) return SQLITCH_ERROR;
  const char *iv[] = {project, uri, name, email};
  return rq(e, Q_INS_PROJECT, iv, 4, NULL, NULL, err);
}

static int my_update_script_hashes(sqlitch_engine *e, const char *project,
                                   const char *const *ids,
                                   const char *const *hashes, size_t n,
                                   sqlitch_err *err) {
  if (begin_work(e, err)) return SQLITCH_ERROR;
  int rc = SQLITCH_OK;
  for (size_t i = 0; i < n && rc == SQLITCH_OK; i++) {
    const char *v[] = {hashes[i], ids[i], ids[i]};
    rc = rq(e, Q_UPD_HASH, v, 3, NULL, NULL, err);
  }
  if (rc == SQLITCH_OK) {
    const char *v[] = {project};
    rc = rq(e, Q_NULL_HASH, v, 1, NULL, NULL, err);
  }
  if (rc) {
    rollback_work(e);
    return rc;
  }
  if (finish_work(e, NULL, err)) {
    rollback_work(e);
    return SQLITCH_ERROR;
  }
  return SQLITCH_OK;
}

/* =========================================================== the client */

/* `mysql --version`, once: MariaDB clients >= 5.5.66 get
   --abort-source-on-error (Engine::mysql's _mysql). */
static void probe_client(sqlitch_engine *e) {
  impl *im = IM(e);
  if (im->probed) return;
  im->probed = 1;
  char *argv[] = {(char *)im->client, "--version", NULL};
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_proc p = SQLITCH_PROC_INIT;
  p.argv = argv;
  p.out = SQLITCH_PROC_CAPTURE;
  p.out_buf = &b;
  p.err = SQLITCH_PROC_DEVNULL;
  int status;
  sqlitch_proc_run(&p, &status); /* a client that fails says nothing */
  const char *v = sqlitch_buf_str(&b);
  const char *nl = strchr(v, '\n');
  char *first = sqlitch_strndup(v, nl ? (size_t)(nl - v) : strlen(v));
  sqlitch_buf_free(&b);
  if (strcasestr(first, "mariadb")) {
    const char *ver = strstr(first, "Ver");
    while (ver && ver[3] && ver[3] != ' ' && ver[3] != '\t')
      ver = strstr(ver + 3, "Ver");
    if (ver) {
      ver += 3;
      while (*ver == ' ' || *ver == '\t')
        ver++;
      long maj = strtol(ver, NULL, 10);
      const char *d1 = strchr(ver, '.');
      const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
      long pat = d2 ? strtol(d2 + 1, NULL, 10) : 0;
      im->abort_flag = maj > 5 || (maj == 5 && pat >= 66);
    }
  }
  free(first);
}

/* Sqitch's client command line (Engine::mysql's _mysql), database `db`. */
static void client_argv(sqlitch_engine *e, const char *db, sqlitch_strv *argv) {
  impl *im = IM(e);
  const sqlitch_uri *u = im->uri;
  char port[16] = "";
  if (u->port > 0) snprintf(port, sizeof port, "%d", u->port);
  sqlitch_strv_push(argv, im->client);
  const char *spec[][2] = {{"--user", im->user},
                           {"--database", db},
                           {"--host", u->host},
                           {"--port", port}};
  for (size_t i = 0; i < 4; i++)
    if (sqlitch_perl_true(spec[i][1])) {
      sqlitch_strv_push(argv, spec[i][0]);
      sqlitch_strv_push(argv, spec[i][1]);
    }
  if (im->password)
    sqlitch_strv_push_owned(argv,
                            sqlitch_mprintf("--password=%s", im->password));
  static const char *const quiet[] = {
      "--skip-pager", "--silent", "--skip-column-names", "--skip-line-numbers"};
  for (size_t i = 0; i < 4; i++)
    sqlitch_strv_push(argv, quiet[i]);
  probe_client(e);
  if (im->abort_flag) sqlitch_strv_push(argv, "--abort-source-on-error");
  static const struct {
    const char *key, *opt;
    int flag;
  } map[] = {{"mysql_compression", "--compress", 1},
             {"mysql_ssl", "--ssl", 1},
             {"mysql_connect_timeout", "--connect_timeout", 0},
             {"mysql_init_command", "--init-command", 0},
             {"mysql_socket", "--socket", 0},
             {"mysql_ssl_client_key", "--ssl-key", 0},
             {"mysql_ssl_client_cert", "--ssl-cert", 0},
             {"mysql_ssl_ca_file", "--ssl-ca", 0},
             {"mysql_ssl_ca_path", "--ssl-capath", 0},
             {"mysql_ssl_cipher", "--ssl-cipher", 0}};
  for (size_t i = 0; i < u->nparams; i++)
    for (size_t k = 0; k < sizeof map / sizeof *map; k++) {
      if (strcmp(u->params[i].key, map[k].key) != 0) continue;
      if (map[k].flag) {
        if (sqlitch_perl_true(u->params[i].value))
          sqlitch_strv_push(argv, map[k].opt);
      } else {
        sqlitch_strv_push(argv, map[k].opt);
        sqlitch_strv_push(argv, u->params[i].value);
      }
    }
}

/* Run the configured client with `execute`, as Sqitch's _run/_capture:
   stderr passes through, stdout too when `show`. */
static int run_client(sqlitch_engine *e, const char *db, const char *execute,
                      int show, sqlitch_err *err) {
  impl *im = IM(e);
  sqlitch_strv argv = SQLITCH_STRV_INIT;
  client_argv(e, db, &argv);
  sqlitch_strv_push(&argv, "--execute");
  sqlitch_strv_push(&argv, execute);
  sqlitch_strv env = SQLITCH_STRV_INIT;
  for (char **p = environ; *p; p++)
    if (!im->password || strncmp(*p, "MYSQL_PWD=", 10) != 0)
      sqlitch_strv_push(&env, *p);
  if (im->password)
    sqlitch_strv_push_owned(&env,
                            sqlitch_mprintf("MYSQL_PWD=%s", im->password));
  int rc = sqlitch_engine_run_client(e, argv.v, env.v, show, err);
  sqlitch_strv_free(&env);
  sqlitch_strv_free(&argv);
  return rc;
}

/* ================================================= the script session */

/* Can scripts run in process at all? (Once per engine.) */
static const char *inproc_blocker(sqlitch_engine *e) {
  impl *im = IM(e);
  if (im->inproc_no) return im->inproc_no;
  if (!im->cnf_read) {
    im->cnf_read = 1;
    sqlitch_mycnf_read(getenv("HOME"), &im->cnf);
    probe_client(e);
    if (getenv("SQLITCH_MYSQL_CLIENT_ONLY"))
      im->inproc_no = sqlitch_strdup("SQLITCH_MYSQL_CLIENT_ONLY is set");
    else if (!im->abort_flag)
      im->inproc_no = sqlitch_mprintf("%s is not a MariaDB client with "
                                      "--abort-source-on-error",
                                      im->client);
    else if (im->cnf.fallback)
      im->inproc_no = sqlitch_strdup(im->cnf.fallback);
    else if (im->cnf.protocol && strcasecmp(im->cnf.protocol, "tcp") != 0 &&
             strcasecmp(im->cnf.protocol, "socket") != 0)
      im->inproc_no = sqlitch_mprintf("protocol %s", im->cnf.protocol);
  }
  return im->inproc_no;
}

/* Report a connection failure as the client does, and Sqitch's error. */
static int client_failed(sqlitch_engine *e, MYSQL *m, sqlitch_err *err) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_mysql_error_line(&b, mysql_errno(m), mysql_sqlstate(m), 0, NULL,
                           mysql_error(m));
  sqlitch_report_literal(e->rep, SQLITCH_VENT, "%s", b.p);
  sqlitch_buf_free(&b);
  return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                         "\"%s\" unexpectedly returned exit value 1\n",
                         IM(e)->client);
}

/* A connection as the client opens it on `db`. NULL with err set (the
   client's message already reported) on failure. */
static MYSQL *open_client_conn(sqlitch_engine *e, const char *db,
                               sqlitch_err *err) {
  impl *im = IM(e);
  const sqlitch_mycnf *c = &im->cnf;
  const sqlitch_uri *u = im->uri;
  MYSQL *m = mysql_init(NULL);
  if (!m) {
    sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "out of memory");
    return NULL;
  }
  /* option files first, command-line options override them */
  if (c->init_command) mysql_optionsv(m, MYSQL_INIT_COMMAND, c->init_command);
  if (c->connect_timeout) {
    unsigned t = (unsigned)strtoul(c->connect_timeout, NULL, 10);
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &t);
  }
  if (c->compress) mysql_optionsv(m, MYSQL_OPT_COMPRESS, NULL);
  if (c->ssl || c->ssl_ca || c->ssl_capath || c->ssl_cert || c->ssl_key ||
      c->ssl_cipher) {
    mysql_ssl_set(m, c->ssl_key, c->ssl_cert, c->ssl_ca, c->ssl_capath,
                  c->ssl_cipher);
  }
  if (c->protocol) {
    unsigned p = strcasecmp(c->protocol, "tcp") == 0 ? MYSQL_PROTOCOL_TCP
                                                     : MYSQL_PROTOCOL_SOCKET;
    mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &p);
  }
  apply_uri_options(m, u, 1);
  unsigned long pkt = 16UL * 1024 * 1024;
  mysql_optionsv(m, MYSQL_OPT_MAX_ALLOWED_PACKET, &pkt);
  mysql_optionsv(m, MYSQL_OPT_CONNECT_ATTR_RESET, NULL);
  mysql_optionsv(m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", "mysql");
  mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, c->charset ? c->charset : "auto");
  const char *host = sqlitch_perl_true(u->host) ? u->host : c->host;
  unsigned port = u->port > 0 ? (unsigned)u->port
                  : c->port   ? (unsigned)strtoul(c->port, NULL, 10)
                              : 0;
  const char *sock = uri_param(u, "mysql_socket");
  if (!sock || !*sock) sock = c->socket;
  const char *pw = im->password ? im->password : c->password;
  if (!db) db = c->database;
  /* "auto" reads the locale as the client does (setlocale(LC_CTYPE, "")):
     keep ours. */
  const char *cur = setlocale(LC_CTYPE, NULL);
  char *saved = sqlitch_strdup(cur ? cur : "C");
  MYSQL *ok = mysql_real_connect(m, host, im->user, pw, db, port, sock,
                                 CLIENT_MULTI_STATEMENTS);
  setlocale(LC_CTYPE, saved);
  free(saved);
  if (!ok) {
    client_failed(e, m, err);
    mysql_close(m);
    return NULL;
  }
  return m;
}

/* S on the target database, fresh for a new script. */
static MYSQL *script_conn(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  const char *db = im->uri->dbname && *im->uri->dbname ? im->uri->dbname : NULL;
  if (im->sc && im->sc_dirty) {
    const char *cur = NULL;
    if (!im->sc_fresh && mysql_reset_connection(im->sc) == 0)
      mariadb_get_infov(im->sc, MARIADB_CONNECTION_SCHEMA, &cur);
    else
      cur = "";
    /* the session keeps the database a `use` chose */
    if (!cur || (db && strcmp(cur, db) != 0 && mysql_select_db(im->sc, db)) ||
        (!db && *cur)) {
      mysql_close(im->sc);
      im->sc = NULL;
    }
    im->sc_dirty = 0;
  }
  if (im->sc) return im->sc;
  im->sc = open_client_conn(e, db, err);
  if (!im->sc) return NULL;
  mariadb_get_infov(im->sc, MARIADB_CONNECTION_SERVER_STATUS, &im->sc_status);
  /* init commands run at connect only: such sessions are not reset */
  im->sc_fresh =
      im->cnf.init_command || uri_param(im->uri, "mysql_init_command");
  if (!im->sc_fresh) { /* asked on R: S's session shows only the script */
    char *ic = NULL;
    sqlitch_err ignore = SQLITCH_ERR_INIT;
    if (ensure_db(e, &ignore) == SQLITCH_OK &&
        mysql_query(im->db, "SELECT @@GLOBAL.init_connect") == 0) {
      MYSQL_RES *r = mysql_store_result(im->db);
      MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
      if (row && row[0]) ic = sqlitch_strdup(row[0]);
      if (r) mysql_free_result(r);
    }
    sqlitch_err_clear(&ignore);
    im->sc_fresh = ic && *ic;
    free(ic);
  }
  return im->sc;
}

/* Parse options for a client session; st = its server status. */
static void parse_opts(MYSQL *m, unsigned st, sqlitch_mysql_parse_opts *o) {
  memset(o, 0, sizeof *o);
  const char *cs = mysql_character_set_name(m);
  if (strcmp(cs, "utf8mb4") == 0)
    o->utf8 = 4;
  else if (strncmp(cs, "utf8", 4) == 0)
    o->utf8 = 3;
  else if (strcmp(cs, "latin1") == 0)
    o->utf8 = 0;
  else
    o->utf8 = -1;
  o->no_backslash_escapes = (st & SERVER_STATUS_NO_BACKSLASH_ESCAPES) != 0;
  o->ansi_quotes = (st & 32768) != 0; /* SERVER_STATUS_ANSI_QUOTES */
}

typedef struct run_out {
  sqlitch_engine *e;
  int show;
  sqlitch_buf out;
} run_out;

static void flush_out(run_out *o) {
  if (o->out.len && o->show)
    sqlitch_report_literal(o->e->rep, SQLITCH_EMIT, "%s", o->out.p);
  sqlitch_buf_reset(&o->out);
}

static void vent_sql_error(sqlitch_engine *e, MYSQL *m, const char *q,
                           size_t qlen, int block,
                           const sqlitch_mysql_action *a) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  if (block) sqlitch_mysql_query_block(&b, q, qlen);
  sqlitch_mysql_error_line(&b, mysql_errno(m), mysql_sqlstate(m), a->line,
                           a->file, mysql_error(m));
  sqlitch_report_literal(e->rep, SQLITCH_VENT, "%s", b.p);
  sqlitch_buf_free(&b);
}

/* Execute a parsed script on m as the client would; returns the client's
   exit value (0 or 1). */
static int exec_script(sqlitch_engine *e, MYSQL *m,
                       const sqlitch_mysql_script *s, int show) {
  run_out o = {e, show, SQLITCH_BUF_INIT};
  int exitval = 0;
  for (size_t i = 0; i < s->n && !exitval; i++) {
    const sqlitch_mysql_action *a = &s->v[i];
    switch (a->kind) {
    case SQLITCH_MYSQL_ERROR: {
      flush_out(&o);
      sqlitch_buf b = SQLITCH_BUF_INIT;
      sqlitch_mysql_error_line(&b, 0, NULL, a->line, a->file, a->text);
      sqlitch_report_literal(e->rep, SQLITCH_VENT, "%s", b.p);
      sqlitch_buf_free(&b);
      if (a->fatal) exitval = 1;
      break;
    }
    case SQLITCH_MYSQL_USE:
      /* com_use(): get_current_db() first */
      if (mysql_query(m, "SELECT DATABASE()") == 0) {
        MYSQL_RES *r = mysql_use_result(m);
        if (r) {
          while (mysql_fetch_row(r)) {
          }
          mysql_free_result(r);
        }
      }
      if (mysql_select_db(m, a->text)) {
        flush_out(&o);
        vent_sql_error(e, m, NULL, 0, 0, a);
        exitval = 1;
      }
      break;
    case SQLITCH_MYSQL_SQL: {
      if (mysql_real_query(m, a->text, (unsigned long)a->len)) {
        flush_out(&o);
        vent_sql_error(e, m, a->text, a->len, 1, a);
        exitval = 1;
        break;
      }
      int st;
      do {
        MYSQL_RES *r = mysql_store_result(m);
        if (!r && mysql_field_count(m)) {
          flush_out(&o);
          vent_sql_error(e, m, "", 0, 1, a);
          exitval = 1;
          break;
        }
        if (r) {
          MYSQL_ROW row;
          unsigned nf = mysql_num_fields(r);
          while ((row = mysql_fetch_row(r)))
            sqlitch_mysql_tab_row(&o.out, row, mysql_fetch_lengths(r), nf);
          mysql_free_result(r);
          flush_out(&o);
        }
      } while ((st = mysql_next_result(m)) == 0);
      if (!exitval && st > 0) {
        flush_out(&o);
        vent_sql_error(e, m, "", 0, 1, a);
        exitval = 1;
      }
      break;
    }
    }
  }
  flush_out(&o);
  sqlitch_buf_free(&o.out);
  return exitval;
}

/* A script (file, or an --execute text without a file) the way Sqitch
   runs it, on `db` (NULL: the target's). kind/text: see sqlitch_step. */
static int run_execute(sqlitch_engine *e, const char *db_override,
                       const char *execute, const char *known_path,
                       const char *known_text, size_t known_len, int show,
                       sqlitch_err *err) {
  impl *im = IM(e);
  const char *target_db =
      im->uri->dbname && *im->uri->dbname ? im->uri->dbname : NULL;
  const char *db = db_override ? db_override : target_db;
  if (!im->warned_dbname && !target_db) { /* Engine::mysql's _mysql */
    im->warned_dbname = 1;
    char *d = sqlitch_uri_display(im->uri);
    sqlitch_report(e->rep, SQLITCH_WARN, "Database name missing in URI \"%s\"",
                   d);
    free(d);
  }
  const char *why = inproc_blocker(e);
  if (why) {
    sqlitch_report(e->rep, SQLITCH_TRACE, "running through %s: %s", im->client,
                   why);
    return run_client(e, db, execute, show, err);
  }
  MYSQL *m;
  int own = 0;
  if (db_override && (!target_db || strcmp(db_override, target_db) != 0)) {
    m = open_client_conn(e, db, err);
    own = 1;
  } else {
    m = script_conn(e, err);
  }
  if (!m) return SQLITCH_ERROR;
  sqlitch_mysql_parse_opts o;
  unsigned st = im->sc_status;
  if (own) mariadb_get_infov(m, MARIADB_CONNECTION_SERVER_STATUS, &st);
  parse_opts(m, st, &o);
  o.known_path = known_path;
  o.known_text = known_text;
  o.known_len = known_len;
  sqlitch_mysql_script *s = NULL;
  const char *fb = NULL;
  if (o.utf8 < 0)
    fb = "a connection charset other than utf8 or latin1";
  else {
    sqlitch_mysql_parse(execute, &o, &s);
    fb = s->fallback;
  }
  int rc;
  if (fb) {
    sqlitch_report(e->rep, SQLITCH_TRACE, "running through %s: %s", im->client,
                   fb);
    rc = run_client(e, db, execute, show, err);
  } else {
    if (!own) im->sc_dirty = 1;
    int x = exec_script(e, m, s, show);
    rc = x ? sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                             "\"%s\" unexpectedly returned exit value %d\n",
                             im->client, x)
           : SQLITCH_OK;
    if (!own && mysql_errno(m) >= 2000 && mysql_errno(m) < 3000) {
      mysql_close(im->sc); /* lost: open a new one next time */
      im->sc = NULL;
    }
  }
  sqlitch_mysql_script_free(s);
  if (own) mysql_close(m);
  return rc;
}

static int run_file(sqlitch_engine *e, const char *file, const char *text,
                    size_t len, int show, sqlitch_err *err) {
  char *x = sqlitch_mysql_execute_text(&e->opts.variables, file);
  int rc = run_execute(e, NULL, x, file, text, len, show, err);
  free(x);
  return rc;
}

/* ===================================================== registry setup */

/* run_upgrade: the DDL file through the client, on the registry
   database. Embedded text; its name is Sqitch's file. */
static int run_registry_sql(sqlitch_engine *e, const char *name,
                            const char *display, sqlitch_err *err) {
  impl *im = IM(e);
  const char *text = sqlitch_registry_sql_get(name);
  if (!text)
    return sqlitch_err_set(err, SQLITCH_E_DEV, 2, "missing sql/%s.sql", name);
  sqlitch_buf sql = SQLITCH_BUF_INIT;
  if (im->fractional) {
    sqlitch_buf_add(&sql, text);
  } else { /* DATETIME(n) -> DATETIME; no 5.5 block before 5.5 */
    for (const char *p = text; *p;) {
      if (strncmp(p, "DATETIME(", 9) == 0) {
        const char *q = p + 9;
        while (*q >= '0' && *q <= '9')
          q++;
        if (*q == ')' && q > p + 9) {
          sqlitch_buf_add(&sql, "DATETIME");
          p = q + 1;
          continue;
        }
      }
      if (im->server_version < 50500 &&
          strncmp(p, "-- ## BEGIN 5.5", 15) == 0) {
        const char *end = strstr(p, "-- ## END 5.5");
        if (end) {
          p = end + 13;
          continue;
        }
      }
      sqlitch_buf_addc(&sql, *p++);
    }
  }
  /* The client path needs a real file. */
  char *path = NULL;
  int rc;
  if (inproc_blocker(e)) {
    char tmpl[] = "/tmp/sqlitch-mysql-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0 || write(fd, sql.p, sql.len) != (ssize_t)sql.len) {
      if (fd >= 0) close(fd);
      sqlitch_buf_free(&sql);
      return sqlitch_err_set(err, SQLITCH_E_IO, 2, "Cannot write %s: %s", tmpl,
                             strerror(errno));
    }
    close(fd);
    path = sqlitch_strdup(tmpl);
  }
  const char *file = path ? path : display;
  char *x = sqlitch_mysql_execute_text(&e->opts.variables, file);
  rc = run_execute(e, im->registry, x, file, sql.p, sql.len, 0, err);
  free(x);
  if (path) unlink(path);
  free(path);
  sqlitch_buf_free(&sql);
  return rc;
}

static int register_release(sqlitch_engine *e, const char *version,
                            sqlitch_err *err) {
  const char *name, *email;
  if (sqlitch_engine_user(e, &name, &email, err)) return SQLITCH_ERROR;
  if (begin_work(e, err)) return SQLITCH_ERROR;
  const char *v[] = {version, name, email};
  char *sql = bind_sql(IM(e), sql_text[Q_INS_RELEASE], v, 3);
  int rc = finish_work(e, sql, err);
  free(sql);
  if (rc) rollback_work(e);
  return rc;
}

static int use_registry(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (im->reg_db) return SQLITCH_OK;
  if (mysql_select_db(im->db, im->registry)) return db_error(im->db, err);
  im->reg_db = 1;
  return check_version(e, err);
}

static int my_initialize(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  int init;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (init)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Sqitch database %s already initialized",
                           im->registry);
  /* mysql ... --execute 'SET sql_mode = ansi; CREATE DATABASE IF NOT
     EXISTS "<registry>"' (on the target database, no variables) */
  char *x = sqlitch_mprintf("SET sql_mode = ansi; CREATE DATABASE IF NOT "
                            "EXISTS \"%s\"",
                            im->registry);
  int rc = run_execute(e, NULL, x, NULL, NULL, 0, 1, err);
  free(x);
  if (rc) return SQLITCH_ERROR;
  if (run_registry_sql(e, "mysql", SQITCH_ENGINE_DIR "/mysql.sql", err))
    return SQLITCH_ERROR;
  if (use_registry(e, err)) return SQLITCH_ERROR;
  im->initialized = 1;
  return register_release(e, SQLITCH_REGISTRY_RELEASE, err);
}

static const char *const my_upgrades[] = {"1.0", "1.1", NULL};

static int my_upgrade(sqlitch_engine *e, const char *version,
                      sqlitch_err *err) {
  char name[32], display[128];
  snprintf(name, sizeof name, "mysql-upgrade-%s", version);
  snprintf(display, sizeof display, SQITCH_ENGINE_DIR "/Upgrade/mysql-%s.sql",
           version);
  if (run_registry_sql(e, name, display, err)) return SQLITCH_ERROR;
  return register_release(e, version, err);
}

/* ============================================================ locking */

static int get_lock(sqlitch_engine *e, const char *timeout, int *got,
                    sqlitch_err *err) {
  impl *im = IM(e);
  *got = 0;
  const char *v[] = {im->lock_name, timeout};
  char *sql = NULL;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  sql = bind_sql(im, "SELECT get_lock(?, #)", v, 2);
  MYSQL_RES *r;
  int rc = rexec(e, sql, &r, NULL, err);
  free(sql);
  if (rc) return SQLITCH_ERROR;
  MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
  *got = row && row[0] && strcmp(row[0], "1") == 0;
  if (r) mysql_free_result(r);
  return SQLITCH_OK;
}

/* The registry is created with the lock (as Sqitch does, which is why a
   first mysql deploy never says "Adding registry tables"), but once the
   lock is held, so that deployers starting together on an empty server
   do not race each other's DDL. */
static int locked_init(sqlitch_engine *e, int got, sqlitch_err *err) {
  impl *im = IM(e);
  int init;
  if (!got) return SQLITCH_OK;
  /* what was read before the lock may be stale: another deployer may
     have created the registry meanwhile */
  if (!im->reg_db && mysql_select_db(im->db, im->registry) == 0) {
    im->reg_db = 1;
    if (check_version(e, err)) return SQLITCH_ERROR;
  }
  if (im->initialized == 0) im->initialized = -1;
  if (reg_initialized(e, &init, err)) return SQLITCH_ERROR;
  return init ? SQLITCH_OK : my_initialize(e, err);
}

static int my_try_lock(sqlitch_engine *e, int *got, sqlitch_err *err) {
  if (get_lock(e, "0", got, err)) return SQLITCH_ERROR;
  return locked_init(e, *got, err);
}

static int my_wait_lock(sqlitch_engine *e, double seconds, int *got,
                        sqlitch_err *err) {
  char t[32];
  if (seconds == (double)(long long)seconds)
    snprintf(t, sizeof t, "%lld", (long long)seconds);
  else
    snprintf(t, sizeof t, "%.15g", seconds);
  if (get_lock(e, t, got, err)) return SQLITCH_ERROR;
  return locked_init(e, *got, err);
}

/* ============================================================== steps */

static int my_step(sqlitch_engine *e, const sqlitch_step *s,
                   sqlitch_step_result *res, sqlitch_err *err) {
  res->status = SQLITCH_STEP_OK;
  res->undone = 0;
  if (ensure_db(e, err) || begin_work(e, err)) return SQLITCH_ERROR;
  if (s->script &&
      run_file(e, s->script, s->script_text, s->script_len, 1, err)) {
    rollback_work(e);
    res->status = SQLITCH_STEP_SCRIPT_FAILED;
    return SQLITCH_OK;
  }
  if (s->verify_script) {
    if (!sqlitch_path_exists(s->verify_script)) {
      sqlitch_report(e->rep, SQLITCH_VENT, "Verify script %s does not exist",
                     s->verify_script);
    } else {
      sqlitch_err verr = SQLITCH_ERR_INIT;
      int x =
          run_file(e, s->verify_script, NULL, 0, e->opts.verbosity >= 2, &verr);
      sqlitch_err_clear(&verr);
      if (x) {
        rollback_work(e);
        res->status = SQLITCH_STEP_VERIFY_FAILED;
        return SQLITCH_OK;
      }
    }
  }
  sqlitch_buf rows = SQLITCH_BUF_INIT;
  int rc = s->revert ? log_revert(e, s->log, &rows, err)
                     : log_deploy(e, s->log, &rows, err);
  if (rc == SQLITCH_OK) rc = finish_work(e, rows.p, err);
  sqlitch_buf_free(&rows);
  if (rc) {
    rollback_work(e);
    res->status = SQLITCH_STEP_LOG_FAILED;
  }
  return SQLITCH_OK;
}

static int my_run_script(sqlitch_engine *e, sqlitch_script_kind kind,
                         const char *file, sqlitch_err *err) {
  /* engine.c asks whether a verify script exists only when running it
     failed; Sqitch never starts the client for a missing one */
  if (!sqlitch_is_file(file)) {
    sqlitch_err_set(err, SQLITCH_E_PRIVATE, 2, "-");
    free(err->msg);
    err->msg = NULL;
    return SQLITCH_ERROR;
  }
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  int show = kind != SQLITCH_SCRIPT_VERIFY || e->opts.verbosity >= 2;
  return run_file(e, file, NULL, 0, show, err);
}

/* libmariadb's global state (charsets, TLS, plugins) is set up on first
   use and never freed by the library itself; free it when this code goes
   away (process exit, or dlclose of the SQLite extension). */
__attribute__((destructor)) static void lib_end(void) {
  if (lib_used) mysql_library_end();
}

/* =========================================================== the table */

const sqlitch_engine_ops sqlitch_engine_mysql_ops = {
    .key = "mysql",
    .name = "MySQL",
    .init = my_init,
    .destroy = my_destroy,
    .registry_destination = my_registry_destination,
    .registry_version = my_registry_version,
    .initialized = my_initialized,
    .initialize = my_initialize,
    .upgrades = my_upgrades,
    .upgrade = my_upgrade,
    .register_project = my_register_project,
    .update_script_hashes = my_update_script_hashes,
    .try_lock = my_try_lock,
    .wait_lock = my_wait_lock,
    .prepare = NULL, /* the client fails at the first script */
    .step = my_step,
    .backup = NULL, /* deploy --backup: SQLite only */
    .run_script = my_run_script,
    .log_fail = my_log_fail,
    .log_new_tags = my_log_new_tags,
    .current_state = my_current_state,
    .deployed_changes = my_deployed_changes,
    .load_change = my_load_change,
    .change_id_offset = my_change_id_offset,
    .change_id_for = my_change_id_for,
    .change_id_at = my_change_id_at,
    .changes_requiring = my_changes_requiring,
    .dependents = my_dependents,
    .name_for_change_id = my_name_for_change_id,
    .are_deployed = my_are_deployed,
    .is_deployed_tag = my_is_deployed_tag,
    .current_changes = my_current_changes,
    .current_tags = my_current_tags,
    .search_events = my_search_events,
    .registered_projects = my_registered_projects,
    .pending = NULL, /* Sqitch's commits: script, then rows */
    .disarm = NULL,
    .destination = NULL, /* the target name */
};
