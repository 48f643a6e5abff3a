/*
** engine_pg.c -- the PostgreSQL engine (Engine/pg.pm + Role/DBIEngine.pm)
** through libpq.
**
** Use: through engine.h only (sqlitch_engine_new on a db:pg: target);
** docs/pg.md is the user-level manual, engine_pg.h the inner interface.
**
** Connections. Like Sqitch, the engine keeps one connection for the
** registry ("R", opened with the conninfo DBD::Pg builds from Sqitch's
** DSN; then SET client_min_messages = WARNING, search_path = the
** registry schema; client_encoding UTF8; the advisory lock) and runs
** scripts elsewhere. Sqitch starts psql for every script; sqlitch runs
** them in process on a second connection ("S") opened as psql opens it
** (Sqitch's --dbname conninfo, PGPASSWORD, application name "psql"), and
** resets it between scripts (DISCARD ALL) so that every script starts
** from a fresh session, as with a new psql. Scripts that need psql
** itself (see engine_pg_psql.c) run through the configured client with
** Sqitch's exact command line.
**
** libpq is reached through a function table (engine_pg_dl.h) that
** pg_init fills with sqlitch_pg_wire_load(). For `status` and `log`
** (which allow it) that is sqlitch's own protocol client
** (engine_pg_wire.c) instead of libpq: the registry connection then
** costs no libpq load when it is a trusted unix socket that libpq would
** open exactly so; any other connection is handed to libpq, which is
** loaded at that moment. The PQ* calls below read the same either way;
** -vvv traces which way the registry connection went.
**
** Registry SQL is Sqitch's, byte for byte (the same statements with the
** same whitespace and $n parameters), so that even a failing registry
** query reports the same "LINE n:" excerpt as sqitch.
**
** Atomic changes. When a script's last statement is COMMIT and a
** transaction is open at that point (the usual BEGIN ... COMMIT scripts),
** the registry rows of the change are written on S inside that
** transaction (after SET LOCAL search_path and role TO DEFAULT, and
** LOCK TABLE changes IN EXCLUSIVE MODE as Sqitch does per change), just
** before the COMMIT:
** script and registry commit or fail together. Otherwise (no enclosing
** transaction, deploy --verify with a verify script, or psql runs the
** script) Sqitch's order is kept: begin + LOCK TABLE on R, the script,
** the verify script, the rows, commit.
**
** Locking: pg_try_advisory_lock(75474063), then pg_advisory_lock sent
** asynchronously and waited for up to --lock-timeout (then cancelled):
** the same key as Sqitch, so sqitch and sqlitch exclude each other.
** YugabyteDB (version() says "-YB-") gets neither the wait nor LOCK TABLE.
*/
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine_pg.h"
#include "engine_pg_wire.h"
#include "registry_sql.h"

extern char **environ;

/* ================================================================ SQL */

/* Sqitch's _ts2char_format and _listagg_format (PostgreSQL 9.3+). */
#define TSC(col)                                                               \
  "to_char(" col " AT TIME ZONE 'UTC', "                                       \
  "'\"year\":YYYY:\"month\":MM:\"day\":DD:\"hour\":HH24:\"minute\":MI:"        \
  "\"second\":SS:\"time_zone\":\"UTC\"')"
#define LISTAGG(col) "array_remove(array_agg(" col " ORDER BY " col "), NULL)"
#define LISTAGG_84(col)                                                        \
  "ARRAY(SELECT * FROM UNNEST( array_agg(" col " ORDER BY " col ") ) a "       \
  "WHERE a IS NOT NULL)"
#define OFF "%d"

enum {
  Q_REG_RELEASE,
  Q_CID_ASC,
  Q_CID_DESC,
  Q_STATE,
  Q_STATE_NOHASH,
  Q_CURRENT_CHANGES,
  Q_CURRENT_TAGS,
  Q_INS_PROJECT,
  Q_IS_TAG,
  Q_INS_CHANGE,
  Q_INS_DEPS,
  Q_INS_TAGS,
  Q_INS_EVENT,
  Q_REQUIRING,
  Q_NAME_FOR_ID,
  Q_DEPLOYED,
  Q_DEPLOYED_SINCE,
  Q_LOAD,
  Q_CIDOFF_AFTER,
  Q_CIDOFF_BEFORE,
  Q_LOAD_AFTER,
  Q_LOAD_BEFORE,
  Q_CID_HEAD,
  Q_CID_BY_ID,
  Q_CID_TAGGED,
  Q_CID_BY_NAME,
  Q_CID_BY_TAG,
  Q_NULL_HASH,
  Q_INITIALIZED,
  Q_PGXC,
  Q_REV_DEPS,
  N_Q
};

/* Sqitch's current-state query, with or without the script_hash column
   (registries before 1.0 have none). */
/* clang-format off */
#define STATE_SQL(HASH_COL) \
        "\n" \
        "        SELECT c.change_id\n" \
        HASH_COL \
        "             , c.change\n" \
        "             , c.project\n" \
        "             , c.note\n" \
        "             , c.committer_name\n" \
        "             , c.committer_email\n" \
        "             , " TSC("c.committed_at") " AS committed_at\n" \
        "             , c.planner_name\n" \
        "             , c.planner_email\n" \
        "             , " TSC("c.planned_at") " AS planned_at\n" \
        "             , " LISTAGG("t.tag") " AS tags\n" \
        "          FROM changes   c\n" \
        "          LEFT JOIN tags t ON c.change_id = t.change_id\n" \
        "         WHERE c.project = $1\n" \
        "         GROUP BY c.change_id\n" \
        HASH_COL \
        "             , c.change\n" \
        "             , c.project\n" \
        "             , c.note\n" \
        "             , c.committer_name\n" \
        "             , c.committer_email\n" \
        "             , c.committed_at\n" \
        "             , c.planner_name\n" \
        "             , c.planner_email\n" \
        "             , c.planned_at\n" \
        "         ORDER BY c.committed_at DESC\n" \
        "         LIMIT 1\n" \
        "    "
/* clang-format on */

/* Generated from DBIEngine.pm / pg.pm: the text DBD::Pg sends. */
/* clang-format off */
static const char *const sql_text[N_Q] = {
    [Q_REG_RELEASE] =
        "\n"
        "        INSERT INTO releases (version, installed_at, installer_name, installer_email)\n"
        "        VALUES ($1, clock_timestamp(), $2, $3)\n"
        "    ",
    [Q_CID_ASC] =
        "\n"
        "            SELECT change_id\n"
        "              FROM changes\n"
        "             WHERE project = $1\n"
        "             ORDER BY committed_at ASC\n"
        "             LIMIT 1\n"
        "            OFFSET COALESCE($2, 0)\n"
        "        ",
    [Q_CID_DESC] =
        "\n"
        "            SELECT change_id\n"
        "              FROM changes\n"
        "             WHERE project = $1\n"
        "             ORDER BY committed_at DESC\n"
        "             LIMIT 1\n"
        "            OFFSET COALESCE($2, 0)\n"
        "        ",
    [Q_STATE] = STATE_SQL("             , c.script_hash\n"),
    [Q_STATE_NOHASH] = STATE_SQL(""),
    [Q_CURRENT_CHANGES] =
        "\n"
        "        SELECT c.change_id\n"
        "             , c.script_hash\n"
        "             , c.change\n"
        "             , c.committer_name\n"
        "             , c.committer_email\n"
        "             , " TSC("c.committed_at") " AS committed_at\n"
        "             , c.planner_name\n"
        "             , c.planner_email\n"
        "             , " TSC("c.planned_at") " AS planned_at\n"
        "          FROM changes c\n"
        "         WHERE project = $1\n"
        "         ORDER BY c.committed_at DESC\n"
        "    ",
    [Q_CURRENT_TAGS] =
        "\n"
        "        SELECT tag_id\n"
        "             , tag\n"
        "             , committer_name\n"
        "             , committer_email\n"
        "             , " TSC("committed_at") " AS committed_at\n"
        "             , planner_name\n"
        "             , planner_email\n"
        "             , " TSC("planned_at") " AS planned_at\n"
        "             , note\n"
        "          FROM tags\n"
        "         WHERE project = $1\n"
        "         ORDER BY tags.committed_at DESC\n"
        "    ",
    [Q_INS_PROJECT] =
        "\n"
        "            INSERT INTO projects (project, uri, creator_name, creator_email, created_at)\n"
        "            VALUES ($1, $2, $3, $4, clock_timestamp())\n"
        "        ",
    [Q_IS_TAG] =
        "\n"
        "        SELECT EXISTS(\n"
        "            SELECT 1\n"
        "              FROM tags\n"
        "             WHERE tag_id = $1\n"
        "        );\n"
        "    ",
    [Q_INS_CHANGE] =
        "\n"
        "        INSERT INTO changes (\n"
        "            change_id\n"
        "            , script_hash\n"
        "            , change\n"
        "            , project\n"
        "            , note\n"
        "            , committer_name\n"
        "            , committer_email\n"
        "            , planned_at\n"
        "            , planner_name\n"
        "            , planner_email\n"
        "            , committed_at\n"
        "        )\n"
        "        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, clock_timestamp())\n"
        "    ",
    [Q_INS_DEPS] =
        "\n"
        "            INSERT INTO dependencies(\n"
        "                  change_id\n"
        "                , type\n"
        "                , dependency\n"
        "                , dependency_id\n"
        "           ) ",
    [Q_INS_TAGS] =
        "\n"
        "            INSERT INTO tags (\n"
        "                  tag_id\n"
        "                , tag\n"
        "                , project\n"
        "                , change_id\n"
        "                , note\n"
        "                , committer_name\n"
        "                , committer_email\n"
        "                , planned_at\n"
        "                , planner_name\n"
        "                , planner_email\n"
        "                , committed_at\n"
        "           ) ",
    [Q_INS_EVENT] =
        "\n"
        "        INSERT INTO events (\n"
        "            event\n"
        "            , change_id\n"
        "            , change\n"
        "            , project\n"
        "            , note\n"
        "            , tags\n"
        "            , requires\n"
        "            , conflicts\n"
        "            , committer_name\n"
        "            , committer_email\n"
        "            , planned_at\n"
        "            , planner_name\n"
        "            , planner_email\n"
        "            , committed_at\n"
        "        )\n"
        "        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, clock_timestamp())\n"
        "    ",
    [Q_REQUIRING] =
        "\n"
        "        SELECT c.change_id, c.project, c.change, (\n"
        "            SELECT tag\n"
        "              FROM changes c2\n"
        "              JOIN tags ON c2.change_id = tags.change_id\n"
        "             WHERE c2.project       = c.project\n"
        "               AND c2.committed_at >= c.committed_at\n"
        "             ORDER BY c2.committed_at\n"
        "             LIMIT 1\n"
        "        ) AS asof_tag\n"
        "          FROM dependencies d\n"
        "          JOIN changes c ON c.change_id = d.change_id\n"
        "         WHERE d.dependency_id = $1\n"
        "    ",
    [Q_NAME_FOR_ID] =
        "\n"
        "        SELECT c.change || COALESCE((\n"
        "            SELECT tag\n"
        "              FROM changes c2\n"
        "              JOIN tags ON c2.change_id = tags.change_id\n"
        "             WHERE c2.committed_at >= c.committed_at\n"
        "               AND c2.project = c.project\n"
        "             LIMIT 1\n"
        "        ), '@HEAD')\n"
        "          FROM changes c\n"
        "         WHERE change_id = $1\n"
        "    ",
    [Q_DEPLOYED] =
        "\n"
        "        SELECT c.change_id AS id, c.change AS name, c.project, c.note,\n"
        "               " TSC("c.planned_at") " AS \"timestamp\", c.planner_name, c.planner_email,\n"
        "               " LISTAGG("t.tag") " AS tags, c.script_hash, " TSC("c.committed_at") "\n"
        "          FROM changes   c\n"
        "          LEFT JOIN tags t ON c.change_id = t.change_id\n"
        "         WHERE c.project = $1\n"
        "         GROUP BY c.change_id, c.change, c.project, c.note, c.planned_at,\n"
        "               c.planner_name, c.planner_email, c.committed_at, c.script_hash\n"
        "         ORDER BY c.committed_at ASC\n"
        "    ",
    [Q_DEPLOYED_SINCE] =
        "\n"
        "        SELECT c.change_id AS id, c.change AS name, c.project, c.note,\n"
        "               " TSC("c.planned_at") " AS \"timestamp\", c.planner_name, c.planner_email,\n"
        "               " LISTAGG("t.tag") " AS tags, c.script_hash, " TSC("c.committed_at") "\n"
        "          FROM changes   c\n"
        "          LEFT JOIN tags t ON c.change_id = t.change_id\n"
        "         WHERE c.project = $1\n"
        "           AND c.committed_at > (SELECT committed_at FROM changes WHERE change_id = $2)\n"
        "         GROUP BY c.change_id, c.change, c.project, c.note, c.planned_at,\n"
        "               c.planner_name, c.planner_email, c.committed_at, c.script_hash\n"
        "         ORDER BY c.committed_at ASC\n"
        "    ",
    [Q_LOAD] =
        "\n"
        "        SELECT c.change_id AS id, c.change AS name, c.project, c.note,\n"
        "               " TSC("c.planned_at") " AS \"timestamp\", c.planner_name, c.planner_email,\n"
        "                " LISTAGG("t.tag") " AS tags, c.script_hash\n"
        "          FROM changes   c\n"
        "          LEFT JOIN tags t ON c.change_id = t.change_id\n"
        "         WHERE c.change_id = $1\n"
        "         GROUP BY c.change_id, c.change, c.project, c.note, c.planned_at,\n"
        "               c.planner_name, c.planner_email, c.script_hash\n"
        "    ",
    [Q_CIDOFF_AFTER] =
        "\n"
        "        SELECT change_id\n"
        "          FROM changes\n"
        "         WHERE project = $1\n"
        "           AND committed_at > (\n"
        "               SELECT committed_at FROM changes WHERE change_id = $2\n"
        "         )\n"
        "         ORDER BY committed_at ASC\n"
        "         LIMIT 1 OFFSET " OFF "\n"
        "    ",
    [Q_CIDOFF_BEFORE] =
        "\n"
        "        SELECT change_id\n"
        "          FROM changes\n"
        "         WHERE project = $1\n"
        "           AND committed_at < (\n"
        "               SELECT committed_at FROM changes WHERE change_id = $2\n"
        "         )\n"
        "         ORDER BY committed_at DESC\n"
        "         LIMIT 1 OFFSET " OFF "\n"
        "    ",
    [Q_LOAD_AFTER] =
        "\n"
        "        SELECT c.change_id AS id, c.change AS name, c.project, c.note,\n"
        "               " TSC("c.planned_at") " AS \"timestamp\", c.planner_name, c.planner_email,\n"
        "               " LISTAGG("t.tag") " AS tags, c.script_hash\n"
        "          FROM changes   c\n"
        "          LEFT JOIN tags t ON c.change_id = t.change_id\n"
        "         WHERE c.project = $1\n"
        "           AND c.committed_at > (\n"
        "               SELECT committed_at FROM changes WHERE change_id = $2\n"
        "         )\n"
        "         GROUP BY c.change_id, c.change, c.project, c.note, c.planned_at,\n"
        "               c.planner_name, c.planner_email, c.committed_at, c.script_hash\n"
        "         ORDER BY c.committed_at ASC\n"
        "         LIMIT 1 OFFSET " OFF "\n"
        "    ",
    [Q_LOAD_BEFORE] =
        "\n"
        "        SELECT c.change_id AS id, c.change AS name, c.project, c.note,\n"
        "               " TSC("c.planned_at") " AS \"timestamp\", c.planner_name, c.planner_email,\n"
        "               " LISTAGG("t.tag") " AS tags, c.script_hash\n"
        "          FROM changes   c\n"
        "          LEFT JOIN tags t ON c.change_id = t.change_id\n"
        "         WHERE c.project = $1\n"
        "           AND c.committed_at < (\n"
        "               SELECT committed_at FROM changes WHERE change_id = $2\n"
        "         )\n"
        "         GROUP BY c.change_id, c.change, c.project, c.note, c.planned_at,\n"
        "               c.planner_name, c.planner_email, c.committed_at, c.script_hash\n"
        "         ORDER BY c.committed_at DESC\n"
        "         LIMIT 1 OFFSET " OFF "\n"
        "    ",
    [Q_CID_HEAD] =
        "\n"
        "        SELECT change_id\n"
        "          FROM changes\n"
        "         WHERE project = $1\n"
        "           AND changes.change  = $2\n"
        "         ORDER BY committed_at DESC\n"
        "         LIMIT 1\n"
        "    ",
    [Q_CID_BY_ID] =
        "\n"
        "            SELECT change_id\n"
        "              FROM changes\n"
        "             WHERE change_id = $1\n"
        "        ",
    [Q_CID_TAGGED] =
        "\n"
        "                SELECT changes.change_id\n"
        "                  FROM changes\n"
        "                  JOIN tags\n"
        "                    ON changes.committed_at <= tags.committed_at\n"
        "                   AND changes.project = tags.project\n"
        "                 WHERE changes.project = $1\n"
        "                   AND changes.change  = $2\n"
        "                   AND tags.tag        = $3\n"
        "                 ORDER BY changes.committed_at DESC\n"
        "                 LIMIT 1\n"
        "            ",
    [Q_CID_BY_NAME] =
        "\n"
        "            SELECT change_id\n"
        "              FROM changes\n"
        "             WHERE project = $1\n"
        "               AND changes.change  = $2\n"
        "             ORDER BY changes.committed_at ASC\n"
        "        ",
    [Q_CID_BY_TAG] =
        "\n"
        "            SELECT change_id\n"
        "              FROM tags\n"
        "             WHERE project = $1\n"
        "               AND tag     = $2\n"
        "        ",
    [Q_NULL_HASH] =
        "\n"
        "        UPDATE changes SET script_hash = NULL\n"
        "         WHERE project = $1 AND script_hash = change_id\n"
        "    ",
    [Q_INITIALIZED] =
        "\n"
        "        SELECT EXISTS(\n"
        "            SELECT TRUE FROM pg_catalog.pg_tables\n"
        "             WHERE schemaname = $1 AND tablename = $2\n"
        "        )\n"
        "    ",
    [Q_PGXC] =
        "\n"
        "        SELECT count(*)\n"
        "          FROM pg_catalog.pg_proc p\n"
        "          JOIN pg_catalog.pg_namespace n ON p.pronamespace = n.oid\n"
        "         WHERE nspname = 'pg_catalog'\n"
        "           AND proname = 'pgxc_version';\n"
        "    ",
    [Q_REV_DEPS] =
        "\n"
        "        SELECT ARRAY(\n"
        "            SELECT dependency\n"
        "              FROM dependencies\n"
        "             WHERE change_id = $1\n"
        "               AND type = 'require'\n"
        "        ), ARRAY(\n"
        "            SELECT dependency\n"
        "              FROM dependencies\n"
        "             WHERE change_id = $1\n"
        "               AND type = 'conflict'\n"
        "        )\n"
        "    ",
};
/* clang-format on */

static const char *const SQL_VERSION =
    "SELECT MAX(version)::TEXT FROM releases";
static const char *const SQL_TRY_LOCK = "SELECT pg_try_advisory_lock(75474063)";
static const char *const SQL_LOCK = "SELECT pg_advisory_lock(75474063)";
static const char *const SQL_LOCK_CHANGES =
    "LOCK TABLE changes IN EXCLUSIVE MODE";
static const char *const SQL_PROJECT_URI =
    "SELECT uri FROM projects WHERE project = $1";
static const char *const SQL_URI_PROJECT =
    "SELECT project FROM projects WHERE uri = $1";
static const char *const SQL_PROJECTS =
    "SELECT project FROM projects ORDER BY project";
static const char *const SQL_UPD_HASH = "UPDATE changes SET script_hash = $1 "
                                        "WHERE change_id = $2 AND script_hash "
                                        "= $3";
static const char *const SQL_DEL_TAGS =
    "DELETE FROM tags WHERE change_id = $1 RETURNING tag";
static const char *const SQL_DEL_CHANGE =
    "DELETE FROM changes where change_id = $1";
static const char *const SQL_NO_TABLE =
    "DO $$\n"
    "        BEGIN\n"
    "            SET LOCAL client_min_messages = 'ERROR';\n"
    "            RAISE WARNING USING ERRCODE = 'undefined_table', MESSAGE = "
    "'Sqitch registry not initialized', DETAIL = 'Because the \"changes\" "
    "table does not exist, Sqitch will now initialize the database to "
    "create its registry tables.';\n"
    "        END;\n"
    "    $$";
/* pg.pm's log_new_tags: head, one VALUES row per tag, tail. */
static const char *const SQL_NEW_TAGS_HEAD =
    "\n"
    "            INSERT INTO tags (\n"
    "                   tag_id\n"
    "                 , tag\n"
    "                 , project\n"
    "                 , change_id\n"
    "                 , note\n"
    "                 , committer_name\n"
    "                 , committer_email\n"
    "                 , planned_at\n"
    "                 , planner_name\n"
    "                 , planner_email\n"
    "            )\n"
    "            SELECT tid, tg, proj, chid, n, name, email, at, pname, pemail "
    "FROM ( VALUES\n"
    "        ";
static const char *const SQL_NEW_TAGS_TAIL =
    "\n"
    "            ) i(tid, tg, proj, chid, n, name, email, at, pname, pemail)\n"
    "              LEFT JOIN tags ON i.tid = tags.tag_id\n"
    "             WHERE tags.tag_id IS NULL\n"
    "         ";

/* ============================================================== state */

typedef struct impl {
  PGconn *db;     /* R: registry, lock */
  PGconn *sc;     /* S: scripts, opened on first use */
  int sc_discard; /* DISCARD ALL sent on S, result not read yet */
  int yugabyte;
  char *dest; /* destination (no password) */
  const char *registry;
  const char *client;
  const char *password;
  char last_state[6]; /* SQLSTATE of the last failed query */
  int in_txn;         /* R: begin_work done */
} impl;

static impl *IM(sqlitch_engine *e) { return e->impl; }

/* libpq messages end in a newline; DBI's errstr does not. */
static int msg_err(sqlitch_err *err, const char *msg) {
  size_t n = strlen(msg);
  while (n && msg[n - 1] == '\n')
    n--;
  return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2, "%.*s", (int)n, msg);
}

/* Notices on R: printed as libpq's default processor would. */
static void vent_notice(void *arg, const char *msg) {
  const sqlitch_reporter *rep = arg;
  sqlitch_report_literal(rep, SQLITCH_VENT, "%s", msg);
}

/* =================================================== connection setup */

typedef struct params {
  sqlitch_strv k, v;
} params;

static void param(params *p, const char *k, const char *v) {
  if (!v || !*v) return;
  sqlitch_strv_push(&p->k, k);
  sqlitch_strv_push(&p->v, v);
}

static void params_free(params *p) {
  sqlitch_strv_free(&p->k);
  sqlitch_strv_free(&p->v);
}

/* Query parameters sorted by key, last value of each (a Perl hash). */
static void sorted_query(const sqlitch_uri *u, sqlitch_strv *k,
                         sqlitch_strv *v) {
  for (size_t i = 0; i < u->nparams; i++) {
    int dup = 0;
    for (size_t j = i + 1; j < u->nparams; j++)
      if (strcmp(u->params[i].key, u->params[j].key) == 0) dup = 1;
    if (dup) continue;
    size_t at = k->n;
    while (at > 0 && strcmp(k->v[at - 1], u->params[i].key) > 0)
      at--;
    sqlitch_strv_push(k, u->params[i].key);
    sqlitch_strv_push(v, u->params[i].value);
    for (size_t j = k->n - 1; j > at; j--) {
      char *t = k->v[j];
      k->v[j] = k->v[j - 1];
      k->v[j - 1] = t;
      t = v->v[j];
      v->v[j] = v->v[j - 1];
      v->v[j - 1] = t;
    }
  }
}

static void port_text(const sqlitch_uri *u, char out[16]) {
  out[0] = 0;
  if (u->port >= 0) snprintf(out, 16, "%d", u->port);
}

/* Sqitch's conninfo value quoting for psql's --dbname: a backslash
   before blanks, quotes and backslashes. */
static void conninfo_add(sqlitch_buf *b, const char *k, const char *v) {
  if (!v || !*v) return;
  if (b->len) sqlitch_buf_addc(b, ' ');
  sqlitch_buf_addf(b, "%s=", k);
  for (const char *p = v; *p; p++) {
    if (strchr(" \"'\\", *p)) sqlitch_buf_addc(b, '\\');
    sqlitch_buf_addc(b, *p);
  }
}

/* The --dbname conninfo Sqitch gives psql (pg.pm's _psql): user,
   dbname, host, explicit port, query parameters sorted by key. Caller
   frees; "" when empty. */
static char *psql_conninfo(sqlitch_engine *e) {
  const sqlitch_uri *u = e->target->uri;
  sqlitch_buf ci = SQLITCH_BUF_INIT;
  char port[16];
  port_text(u, port);
  conninfo_add(&ci, "user", sqlitch_target_username(e->target));
  conninfo_add(&ci, "dbname", u->dbname);
  conninfo_add(&ci, "host", u->host);
  conninfo_add(&ci, "port", port);
  sqlitch_strv qk = SQLITCH_STRV_INIT, qv = SQLITCH_STRV_INIT;
  sorted_query(u, &qk, &qv);
  for (size_t i = 0; i < qk.n; i++)
    conninfo_add(&ci, qk.v[i], qv.v[i]);
  sqlitch_strv_free(&qk);
  sqlitch_strv_free(&qv);
  return ci.p ? sqlitch_buf_take(&ci) : sqlitch_strdup("");
}

/* A value quoted as DBD::Pg quotes user and password: 'x', with a
   backslash before quotes and backslashes. */
static void dbd_quoted(sqlitch_buf *b, const char *k, const char *v) {
  sqlitch_buf_addf(b, " %s='", k);
  for (const char *p = v; *p; p++) {
    if (*p == '\'' || *p == '\\') sqlitch_buf_addc(b, '\\');
    sqlitch_buf_addc(b, *p);
  }
  sqlitch_buf_addc(b, '\'');
}

/* Pg.pm's s/\b(?:db|database)\s*=/dbname=/ (the first one). */
static void dbd_dbname_synonym(sqlitch_buf *out, const char *d) {
  int done = 0;
  for (size_t i = 0; d[i];) {
    int word = i == 0 || !(isalnum((unsigned char)d[i - 1]) || d[i - 1] == '_');
    size_t n = 0;
    if (!done && word && strncmp(d + i, "database", 8) == 0)
      n = 8;
    else if (!done && word && strncmp(d + i, "db", 2) == 0)
      n = 2;
    size_t j = i + n;
    while (n && (d[j] == ' ' || d[j] == '\t' || d[j] == '\n' || d[j] == '\r' ||
                 d[j] == '\f'))
      j++;
    if (n && d[j] == '=') {
      sqlitch_buf_add(out, "dbname=");
      i = j + 1;
      done = 1;
      continue;
    }
    sqlitch_buf_addc(out, d[i++]);
  }
}

/* The conninfo DBD::Pg builds from Sqitch's DSN (URI::db's dbi_dsn:
   host, port, dbname, then the query parameters, "k=v" joined with ";")
   and DBI->connect's user and password (else $DBI_USER / $DBI_PASS):
   "db=" becomes "dbname=", ";" becomes " " outside single quotes, values
   are not quoted. Caller frees. */
static char *dbd_conninfo(sqlitch_engine *e) {
  const sqlitch_uri *u = e->target->uri;
  char port[16];
  port_text(u, port);
  sqlitch_buf dsn = SQLITCH_BUF_INIT;
  const char *parts[][2] = {
      {"host", u->host}, {"port", port}, {"dbname", u->dbname}};
  for (size_t i = 0; i < 3; i++)
    if (parts[i][1] && *parts[i][1])
      sqlitch_buf_addf(&dsn, "%s%s=%s", dsn.len ? ";" : "", parts[i][0],
                       parts[i][1]);
  for (size_t i = 0; i < u->nparams; i++)
    sqlitch_buf_addf(&dsn, "%s%s=%s", dsn.len ? ";" : "", u->params[i].key,
                     u->params[i].value ? u->params[i].value : "");
  sqlitch_buf out = SQLITCH_BUF_INIT;
  dbd_dbname_synonym(&out, sqlitch_buf_str(&dsn));
  sqlitch_buf_free(&dsn);
  int inq = 0;
  for (size_t i = 0; i < out.len; i++) {
    if (out.p[i] == '\'')
      inq = !inq;
    else if (out.p[i] == ';' && !inq)
      out.p[i] = ' ';
  }
  const char *user = sqlitch_target_username(e->target);
  const char *pass = IM(e)->password;
  if (!user) user = getenv("DBI_USER");
  if (!pass) pass = getenv("DBI_PASS");
  if (user && *user) dbd_quoted(&out, "user", user);
  if (pass && *pass) dbd_quoted(&out, "password", pass);
  return out.p ? sqlitch_buf_take(&out) : sqlitch_strdup("");
}

/* DBD::Pg's connection: its conninfo, with client_encoding UTF8 as a
   default (Sqitch sets PGCLIENTENCODING while connecting). */
static void registry_params(sqlitch_engine *e, params *p) {
  param(p, "client_encoding", "UTF8");
  char *ci = dbd_conninfo(e);
  param(p, "dbname", ci);
  free(ci);
}

/* psql's connection (startup.c): the password (PGPASSWORD), dbname =
   Sqitch's conninfo, expanded, then psql's application name and
   client_encoding=auto on a terminal. */
static void psql_params(sqlitch_engine *e, params *p) {
  param(p, "password", IM(e)->password);
  char *ci = psql_conninfo(e);
  param(p, "dbname", ci);
  free(ci);
  param(p, "fallback_application_name", "psql");
  if (isatty(0) && isatty(1) && !getenv("PGCLIENTENCODING"))
    param(p, "client_encoding", "auto");
}

static PGconn *open_conn(const params *p) {
  const char **k = sqlitch_calloc(p->k.n + 1, sizeof *k);
  const char **v = sqlitch_calloc(p->k.n + 1, sizeof *v);
  for (size_t i = 0; i < p->k.n; i++) {
    k[i] = p->k.v[i];
    v[i] = p->v.v[i];
  }
  PGconn *c = PQconnectdbParams(k, v, 1); /* dbname holds a conninfo */
  free(k);
  free(v);
  return c;
}

/* Run a query (PQexecParams: one unnamed statement, as DBD::Pg's
   server-side prepare). NULL with err set (and last_state) on failure. */
static PGresult *qrun(sqlitch_engine *e, PGconn *c, const char *sql, int n,
                      const char *const *vals, sqlitch_err *err) {
  impl *im = IM(e);
  PGresult *r =
      n ? PQexecParams(c, sql, n, NULL, vals, NULL, NULL, 0) : PQexec(c, sql);
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
    im->last_state[0] = 0;
    return r;
  }
  const char *code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  snprintf(im->last_state, sizeof im->last_state, "%s", code ? code : "");
  msg_err(err, r ? PQresultErrorMessage(r) : PQerrorMessage(c));
  PQclear(r);
  return NULL;
}

static int qdo(sqlitch_engine *e, PGconn *c, const char *sql, int n,
               const char *const *vals, sqlitch_err *err) {
  PGresult *r = qrun(e, c, sql, n, vals, err);
  PQclear(r);
  return r ? SQLITCH_OK : SQLITCH_ERROR;
}

/* A query of the table, with the pre-9.3 aggregate when needed. */
static char *qtext(sqlitch_engine *e, int id) {
  const char *t = sql_text[id];
  if (PQserverVersion(IM(e)->db) >= 90300 || !strstr(t, LISTAGG("t.tag")))
    return sqlitch_strdup(t);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  const char *m = strstr(t, LISTAGG("t.tag"));
  sqlitch_buf_addn(&b, t, (size_t)(m - t));
  sqlitch_buf_add(&b, LISTAGG_84("t.tag"));
  sqlitch_buf_add(&b, m + strlen(LISTAGG("t.tag")));
  return sqlitch_buf_take(&b);
}

static PGresult *q(sqlitch_engine *e, int id, int n, const char *const *vals,
                   sqlitch_err *err) {
  char *sql = qtext(e, id);
  PGresult *r = qrun(e, IM(e)->db, sql, n, vals, err);
  free(sql);
  return r;
}

static int ensure_db(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (im->db && PQstatus(im->db) == CONNECTION_OK) return SQLITCH_OK;
  if (im->db) {
    PQfinish(im->db);
    im->db = NULL;
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "connection to server was lost");
  }
  params p = {SQLITCH_STRV_INIT, SQLITCH_STRV_INIT};
  registry_params(e, &p);
  im->db = open_conn(&p);
  params_free(&p);
  const char *route = sqlitch_pg_wire_route();
  if (route)
    sqlitch_report(e->rep, SQLITCH_TRACE, "registry connection %s", route);
  if (PQstatus(im->db) != CONNECTION_OK) {
    msg_err(err, PQerrorMessage(im->db));
    PQfinish(im->db);
    im->db = NULL;
    return SQLITCH_ERROR;
  }
  PQsetNoticeProcessor(im->db, vent_notice, (void *)e->rep);
  /* DBD::Pg's connected callback: three statements in one round trip. */
  char *lit = PQescapeLiteral(im->db, im->registry, strlen(im->registry));
  char *sql = sqlitch_mprintf("SET client_min_messages = WARNING; SET "
                              "search_path = %s; SELECT "
                              "split_part(version(), ' ', 2)",
                              lit ? lit : "''");
  PQfreemem(lit);
  PGresult *r = qrun(e, im->db, sql, 0, NULL, err);
  free(sql);
  if (!r) return SQLITCH_ERROR;
  if (PQntuples(r) && strstr(PQgetvalue(r, 0, 0), "-YB-")) im->yugabyte = 1;
  PQclear(r);
  return SQLITCH_OK;
}

/* ====================================================== small helpers */

static char *val_dup(const PGresult *r, int row, int col) {
  if (row >= PQntuples(r) || PQgetisnull(r, row, col)) return NULL;
  return sqlitch_strdup(PQgetvalue(r, row, col));
}

static const char *val(const PGresult *r, int row, int col) {
  return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* '"year":YYYY:...' text (year:2024:month:01:...) -> "2024-01-15 10:30:00". */
static char *ts_text(const char *s) {
  if (!s) return NULL;
  int f[6] = {0};
  const char *names[] = {
      "year:", "month:", "day:", "hour:", "minute:", "second:"};
  for (int i = 0; i < 6; i++) {
    const char *p = strstr(s, names[i]);
    if (!p) return sqlitch_strdup(s);
    f[i] = atoi(p + strlen(names[i]));
  }
  return sqlitch_mprintf("%04d-%02d-%02d %02d:%02d:%02d", f[0], f[1], f[2],
                         f[3], f[4], f[5]);
}

/* A text[] value ({a,"b c",NULL}) into its elements. */
static void parse_array(const char *s, sqlitch_strv *out) {
  if (!s || *s != '{') return;
  s++;
  while (*s && *s != '}') {
    sqlitch_buf b = SQLITCH_BUF_INIT;
    int null = 0;
    if (*s == '"') {
      for (s++; *s && *s != '"'; s++) {
        if (*s == '\\' && s[1]) s++;
        sqlitch_buf_addc(&b, *s);
      }
      if (*s == '"') s++;
    } else {
      const char *st = s;
      while (*s && *s != ',' && *s != '}')
        s++;
      if (s - st == 4 && strncasecmp(st, "NULL", 4) == 0)
        null = 1;
      else
        sqlitch_buf_addn(&b, st, (size_t)(s - st));
    }
    if (!null) sqlitch_strv_push(out, sqlitch_buf_str(&b));
    sqlitch_buf_free(&b);
    if (*s == ',') s++;
  }
}

/* The elements of a text[] value joined with "," (engine.h's form). */
static char *array_join(const char *s) {
  sqlitch_strv v = SQLITCH_STRV_INIT;
  parse_array(s, &v);
  char *j = sqlitch_strv_join(&v, ",");
  sqlitch_strv_free(&v);
  return j ? j : sqlitch_strdup("");
}

/* An array literal for a text[] parameter. */
static void array_add(sqlitch_buf *b, const char *item) {
  sqlitch_buf_addc(b, b->len ? ',' : '{');
  sqlitch_buf_addc(b, '"');
  for (const char *p = item; *p; p++) {
    if (*p == '"' || *p == '\\') sqlitch_buf_addc(b, '\\');
    sqlitch_buf_addc(b, *p);
  }
  sqlitch_buf_addc(b, '"');
}

static char *array_end(sqlitch_buf *b) {
  if (b->len == 0) sqlitch_buf_addc(b, '{');
  sqlitch_buf_addc(b, '}');
  return sqlitch_buf_take(b);
}

/* "YYYY-MM-DD HH:MM:SS" UTC -> a timestamptz literal. */
static char *tstz(const char *ts) { return sqlitch_mprintf("%s+00", ts); }

/* Is this failure a missing registry table while there is no registry? */
static int no_table(sqlitch_engine *e, int warn, sqlitch_err *err) {
  impl *im = IM(e);
  if (strcmp(im->last_state, "42P01") != 0) return 0;
  if (warn && PQserverVersion(im->db) >= 90000) {
    PGresult *r = PQexec(im->db, SQL_NO_TABLE);
    PQclear(r);
  }
  const char *v[] = {im->registry, "changes"};
  sqlitch_err ignore = SQLITCH_ERR_INIT;
  PGresult *r = q(e, Q_INITIALIZED, 2, v, &ignore);
  int init = !r || (PQntuples(r) && strcmp(PQgetvalue(r, 0, 0), "t") == 0);
  PQclear(r);
  sqlitch_err_clear(&ignore);
  if (init) return 0;
  sqlitch_err_clear(err);
  return 1;
}

/* ================================================================ ops */

static int pg_init(sqlitch_engine *e, sqlitch_err *err) {
  if (sqlitch_pg_wire_load(err)) return SQLITCH_ERROR;
  impl *im = sqlitch_calloc(1, sizeof *im);
  e->impl = im;
  const sqlitch_target *t = e->target;
  im->registry = t->registry ? t->registry : "sqitch";
  im->client = t->client ? t->client : "psql";
  im->password = sqlitch_target_password(t);
  /* pg.pm's destination */
  const sqlitch_uri *u = t->uri;
  if (!strchr(t->name, ':') || sqlitch_perl_true(u->dbname)) {
    im->dest = sqlitch_strdup(t->name);
  } else {
    sqlitch_uri *d = sqlitch_uri_dup(u);
    const char *db = getenv("PGDATABASE");
    char *sys = NULL;
    if (!sqlitch_perl_true(db)) db = sqlitch_target_username(t);
    if (!sqlitch_perl_true(db)) db = getenv("PGUSER");
    if (!sqlitch_perl_true(db)) db = sys = sqlitch_sysuser();
    sqlitch_uri_set_dbname(d, db);
    im->dest = sqlitch_uri_display(d);
    sqlitch_uri_free(d);
    free(sys);
  }
  return SQLITCH_OK;
}

static void pg_destroy(sqlitch_engine *e) {
  impl *im = IM(e);
  if (!im) return;
  if (im->sc) PQfinish(im->sc);
  if (im->db) PQfinish(im->db);
  free(im->dest);
  free(im);
  e->impl = NULL;
}

static const char *pg_destination(sqlitch_engine *e) { return IM(e)->dest; }

/* ------------------------------------------------------------ registry */

static int pg_initialized(sqlitch_engine *e, int *yes, sqlitch_err *err) {
  *yes = 0;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  const char *v[] = {IM(e)->registry, "changes"};
  PGresult *r = q(e, Q_INITIALIZED, 2, v, err);
  if (!r) return SQLITCH_ERROR;
  *yes = PQntuples(r) && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  return SQLITCH_OK;
}

static int pg_registry_version(sqlitch_engine *e, char **version,
                               sqlitch_err *err) {
  *version = NULL;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  PGresult *r = qrun(e, IM(e)->db, SQL_VERSION, 0, NULL, err);
  if (!r) {
    if (strcmp(IM(e)->last_state, "42P01") != 0) return SQLITCH_ERROR;
    if (PQserverVersion(IM(e)->db) >= 90000)
      PQclear(PQexec(IM(e)->db, SQL_NO_TABLE));
    sqlitch_err_clear(err);
    *version = sqlitch_strdup("0");
    return SQLITCH_OK;
  }
  *version = val_dup(r, 0, 0);
  PQclear(r);
  return SQLITCH_OK;
}

/* begin_work / finish_work / rollback_work on R. */
static int begin_work(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (qdo(e, im->db, "begin", 0, NULL, err)) return SQLITCH_ERROR;
  im->in_txn = 1;
  if (!im->yugabyte && qdo(e, im->db, SQL_LOCK_CHANGES, 0, NULL, err)) {
    PQclear(PQexec(im->db, "rollback"));
    im->in_txn = 0;
    return SQLITCH_ERROR;
  }
  return SQLITCH_OK;
}

static int finish_work(sqlitch_engine *e, sqlitch_err *err) {
  IM(e)->in_txn = 0;
  return qdo(e, IM(e)->db, "commit", 0, NULL, err);
}

static void rollback_work(sqlitch_engine *e) {
  impl *im = IM(e);
  if (!im->in_txn) return;
  im->in_txn = 0;
  if (im->db && PQstatus(im->db) == CONNECTION_OK)
    PQclear(PQexec(im->db, "rollback"));
}

static int register_release(sqlitch_engine *e, const char *version,
                            sqlitch_err *err) {
  const char *uname, *uemail;
  if (sqlitch_engine_user(e, &uname, &uemail, err)) return SQLITCH_ERROR;
  if (begin_work(e, err)) return SQLITCH_ERROR;
  const char *v[] = {version, uname, uemail};
  PGresult *r = q(e, Q_REG_RELEASE, 3, v, err);
  if (!r) {
    rollback_work(e);
    return SQLITCH_ERROR;
  }
  PQclear(r);
  return finish_work(e, err);
}

static int run_psql_text(sqlitch_engine *e, PGconn *c, const char *file,
                         const char *text, const sqlitch_psql_vars *vars,
                         int *exitval, sqlitch_err *err);

/* _run_registry_file: the DDL with :"registry" and :tableopts, run as
   psql runs it (in process, on R). */
static int run_registry_file(sqlitch_engine *e, const char *name,
                             sqlitch_err *err) {
  impl *im = IM(e);
  const char *text = sqlitch_registry_sql_get(name);
  if (!text)
    return sqlitch_err_set(err, SQLITCH_E_DEV, 2, "missing sql/%s.sql", name);
  int version = PQserverVersion(im->db);
  PGresult *r = q(e, Q_PGXC, 0, NULL, err);
  if (!r) return SQLITCH_ERROR;
  const char *opts =
      atol(PQgetvalue(r, 0, 0)) > 0 ? " DISTRIBUTE BY REPLICATION" : "";
  PQclear(r);
  char *sql = sqlitch_strdup(text);
  char *m = version < 90300 ? strstr(sql, "SCHEMA IF NOT EXISTS") : NULL;
  if (m) memmove(m + 6, m + 20, strlen(m + 20) + 1);
  sqlitch_psql_vars vars = SQLITCH_PSQL_VARS_INIT;
  sqlitch_psql_vars_set(&vars, "ON_ERROR_STOP", "1");
  sqlitch_psql_vars_set(&vars, "registry", im->registry);
  sqlitch_psql_vars_set(&vars, "tableopts", opts);
  /* named as Sqitch names the files it gives psql */
  char *file = strncmp(name, "pg-upgrade-", 11) == 0
                   ? sqlitch_mprintf("pg-%s.sql", name + 11)
                   : sqlitch_mprintf("%s.sql", name);
  int exitval = 0;
  int rc = run_psql_text(e, im->db, file, sql, &vars, &exitval, err);
  PQsetNoticeProcessor(im->db, vent_notice, (void *)e->rep);
  if (rc == SQLITCH_OK && exitval)
    rc = sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                         "\"%s\" unexpectedly returned exit value %d\n",
                         im->client, exitval);
  if (rc == SQLITCH_OK) {
    char *lit = PQescapeLiteral(im->db, im->registry, strlen(im->registry));
    char *set = sqlitch_mprintf("SET search_path = %s", lit ? lit : "''");
    PQfreemem(lit);
    rc = qdo(e, im->db, set, 0, NULL, err);
    free(set);
  }
  free(file);
  free(sql);
  sqlitch_psql_vars_free(&vars);
  return rc;
}

static int pg_initialize(sqlitch_engine *e, sqlitch_err *err) {
  int init;
  if (pg_initialized(e, &init, err)) return SQLITCH_ERROR;
  if (init)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Sqitch schema \"%s\" already exists",
                           IM(e)->registry);
  if (run_registry_file(e, "pg", err)) return SQLITCH_ERROR;
  return register_release(e, SQLITCH_REGISTRY_RELEASE, err);
}

static const char *const pg_upgrades[] = {"1.0", "1.1", NULL};

static int pg_upgrade(sqlitch_engine *e, const char *version,
                      sqlitch_err *err) {
  char name[32];
  snprintf(name, sizeof name, "pg-upgrade-%s", version);
  if (ensure_db(e, err) || run_registry_file(e, name, err))
    return SQLITCH_ERROR;
  return register_release(e, version, err);
}

static int pg_register_project(sqlitch_engine *e, const char *project,
                               const char *uri, sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  PGresult *r = qrun(e, IM(e)->db, SQL_PROJECT_URI, 1, &project, err);
  if (!r) return SQLITCH_ERROR;
  if (PQntuples(r)) {
    const char *reg = val(r, 0, 0);
    int rc = SQLITCH_OK;
    if (uri && !reg)
      rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Cannot register \"%s\" with URI %s: already "
                           "exists with NULL URI",
                           project, uri);
    else if (!uri && reg)
      rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Cannot register \"%s\" without URI: already "
                           "exists with URI %s",
                           project, reg);
    else if (uri && reg && strcmp(uri, reg) != 0)
      rc = sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "Cannot register \"%s\" with URI %s: already "
                           "exists with URI %s",
                           project, uri, reg);
    PQclear(r);
    return rc;
  }
  PQclear(r);
  if (uri) {
    if (!(r = qrun(e, IM(e)->db, SQL_URI_PROJECT, 1, &uri, err)))
      return SQLITCH_ERROR;
    if (PQntuples(r)) {
      sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                      "Cannot register \"%s\" with URI %s: project \"%s\" "
                      "already using that URI",
                      project, uri, PQgetvalue(r, 0, 0));
      PQclear(r);
      return SQLITCH_ERROR;
    }
    PQclear(r);
  }
  const char *uname, *uemail;
  if (sqlitch_engine_user(e, &uname, &uemail, err)) return SQLITCH_ERROR;
  const char *v[] = {project, uri, uname, uemail};
  return (r = q(e, Q_INS_PROJECT, 4, v, err)) ? (PQclear(r), SQLITCH_OK)
                                              : SQLITCH_ERROR;
}

static int pg_update_script_hashes(sqlitch_engine *e, const char *project,
                                   const char *const *ids,
                                   const char *const *hashes, size_t n,
                                   sqlitch_err *err) {
  if (ensure_db(e, err) || begin_work(e, err)) return SQLITCH_ERROR;
  int rc = SQLITCH_OK;
  for (size_t i = 0; i < n && rc == SQLITCH_OK; i++) {
    const char *v[] = {hashes[i], ids[i], ids[i]};
    rc = qdo(e, IM(e)->db, SQL_UPD_HASH, 3, v, err);
  }
  if (rc == SQLITCH_OK) {
    PGresult *r = q(e, Q_NULL_HASH, 1, &project, err);
    if (!r) rc = SQLITCH_ERROR;
    PQclear(r);
  }
  if (rc == SQLITCH_OK) return finish_work(e, err);
  rollback_work(e);
  return rc;
}

/* ------------------------------------------------------------- locking */

static int pg_try_lock(sqlitch_engine *e, int *got, sqlitch_err *err) {
  *got = 0;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  PGresult *r = qrun(e, IM(e)->db, SQL_TRY_LOCK, 0, NULL, err);
  if (!r) return SQLITCH_ERROR;
  *got = PQntuples(r) && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  return SQLITCH_OK;
}

static double mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int pg_wait_lock(sqlitch_engine *e, double seconds, int *got,
                        sqlitch_err *err) {
  impl *im = IM(e);
  *got = 0;
  if (im->yugabyte) { /* no advisory locks there: pg.pm returns true */
    *got = 1;
    return SQLITCH_OK;
  }
  if (!PQsendQuery(im->db, SQL_LOCK))
    return msg_err(err, PQerrorMessage(im->db));
  double until = mono() + seconds;
  int cancelled = 0;
  while (PQconsumeInput(im->db) && PQisBusy(im->db)) {
    double left = until - mono();
    if (left <= 0) {
      PGcancel *c = PQgetCancel(im->db);
      char buf[256];
      if (c) {
        PQcancel(c, buf, sizeof buf);
        PQfreeCancel(c);
      }
      cancelled = 1;
      break; /* PQgetResult waits for the cancelled query to end */
    }
    struct pollfd pf = {PQsocket(im->db), POLLIN, 0};
    int ms = left > 1 ? 1000 : (int)(left * 1000) + 1;
    if (poll(&pf, 1, ms) < 0 && errno != EINTR) break;
  }
  PGresult *r;
  int ok = 0;
  char *msg = NULL;
  while ((r = PQgetResult(im->db))) {
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
      ok = 1;
    else if (!cancelled && !msg)
      msg = sqlitch_strdup(PQresultErrorMessage(r));
    PQclear(r);
  }
  if (msg) {
    msg_err(err, msg);
    free(msg);
    return SQLITCH_ERROR;
  }
  if (PQstatus(im->db) != CONNECTION_OK)
    return msg_err(err, PQerrorMessage(im->db));
  *got = ok;
  return SQLITCH_OK;
}

/* ------------------------------------------------------------- queries */

/* current_state's fast way: the latest change first, then its tags --
   the row Sqitch's _select_state returns, without grouping every change
   of the project (status on 1,000 changes: a few ms less). Any failure
   falls back to Sqitch's own query, which then fails (or copes) exactly
   as it does for sqitch. The latest row is picked in a subquery so that
   only its timestamps go through to_char (formatting every row first
   cost ~2 ms over 1,000 changes). */
/* clang-format off */
static const char *const SQL_STATE_FAST =
    "SELECT c.change_id, c.script_hash, c.change, c.project, c.note, "
    "c.committer_name, c.committer_email, " TSC("c.committed_at") ", "
    "c.planner_name, c.planner_email, " TSC("c.planned_at") ", "
    "ARRAY(SELECT t.tag FROM tags t WHERE t.change_id = c.change_id "
    "ORDER BY t.tag) FROM (SELECT * FROM changes WHERE project = $1 "
    "ORDER BY committed_at DESC LIMIT 1) c";
/* clang-format on */

static int pg_current_state(sqlitch_engine *e, const char *project,
                            sqlitch_reg_state **out, sqlitch_err *err) {
  *out = NULL;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  int hash = 1;
  PGresult *r = NULL;
  if (!IM(e)->in_txn) {
    sqlitch_err ignore = SQLITCH_ERR_INIT;
    r = qrun(e, IM(e)->db, SQL_STATE_FAST, 1, &project, &ignore);
    sqlitch_err_clear(&ignore);
  }
  if (!r) r = q(e, Q_STATE, 1, &project, err);
  if (!r) {
    if (no_table(e, 1, err)) return SQLITCH_OK;
    if (strcmp(IM(e)->last_state, "42703") != 0) return SQLITCH_ERROR;
    sqlitch_err_clear(err);
    hash = 0;
    if (!(r = q(e, Q_STATE_NOHASH, 1, &project, err))) return SQLITCH_ERROR;
  }
  if (PQntuples(r)) {
    int c = 0;
    sqlitch_reg_state *st = sqlitch_calloc(1, sizeof *st);
    st->change_id = val_dup(r, 0, c++);
    st->script_hash = hash ? val_dup(r, 0, c++) : NULL;
    st->has_script_hash = hash;
    st->change = val_dup(r, 0, c++);
    st->project = val_dup(r, 0, c++);
    st->note = val_dup(r, 0, c++);
    st->committer_name = val_dup(r, 0, c++);
    st->committer_email = val_dup(r, 0, c++);
    st->committed_at = ts_text(val(r, 0, c++));
    st->planner_name = val_dup(r, 0, c++);
    st->planner_email = val_dup(r, 0, c++);
    st->planned_at = ts_text(val(r, 0, c++));
    parse_array(val(r, 0, c), &st->tags);
    *out = st;
  }
  PQclear(r);
  return SQLITCH_OK;
}

/* id, name, project, note, timestamp, planner_name, planner_email, tags,
   script_hash [, committed_at] */
static void read_change(const PGresult *r, int i, sqlitch_reg_change *c) {
  c->id = val_dup(r, i, 0);
  c->name = val_dup(r, i, 1);
  c->project = val_dup(r, i, 2);
  c->note = val_dup(r, i, 3);
  c->planned_at = ts_text(val(r, i, 4));
  c->planner_name = val_dup(r, i, 5);
  c->planner_email = val_dup(r, i, 6);
  parse_array(val(r, i, 7), &c->tags);
  c->script_hash = val_dup(r, i, 8);
  if (PQnfields(r) > 9) c->committed_at = ts_text(val(r, i, 9));
}

static int pg_deployed_changes(sqlitch_engine *e, const char *project,
                               const char *since_id, sqlitch_reg_changes *out,
                               sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  const char *v[] = {project, since_id};
  PGresult *r =
      q(e, since_id ? Q_DEPLOYED_SINCE : Q_DEPLOYED, since_id ? 2 : 1, v, err);
  if (!r) return no_table(e, 0, err) ? SQLITCH_OK : SQLITCH_ERROR;
  for (int i = 0; i < PQntuples(r); i++)
    read_change(r, i, sqlitch_reg_changes_push(out));
  PQclear(r);
  return SQLITCH_OK;
}

static char *offset_sql(sqlitch_engine *e, int id, int offset) {
  char *t = qtext(e, id);
  char *s = sqlitch_mprintf(t, abs(offset) - 1);
  free(t);
  return s;
}

static int pg_load_change(sqlitch_engine *e, const char *project,
                          const char *change_id, int offset,
                          sqlitch_reg_change *out, int *found,
                          sqlitch_err *err) {
  *found = 0;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  PGresult *r;
  if (offset == 0) {
    r = q(e, Q_LOAD, 1, &change_id, err);
  } else {
    char *sql =
        offset_sql(e, offset > 0 ? Q_LOAD_AFTER : Q_LOAD_BEFORE, offset);
    const char *v[] = {project, change_id};
    r = qrun(e, IM(e)->db, sql, 2, v, err);
    free(sql);
  }
  if (!r) return no_table(e, 0, err) ? SQLITCH_OK : SQLITCH_ERROR;
  if (PQntuples(r)) {
    read_change(r, 0, out);
    *found = 1;
  }
  PQclear(r);
  return SQLITCH_OK;
}

static int one(sqlitch_engine *e, PGresult *r, char **out, sqlitch_err *err) {
  *out = NULL;
  if (!r) return no_table(e, 0, err) ? SQLITCH_OK : SQLITCH_ERROR;
  *out = val_dup(r, 0, 0);
  PQclear(r);
  return SQLITCH_OK;
}

static int collect(sqlitch_engine *e, PGresult *r, sqlitch_strv *out,
                   sqlitch_err *err) {
  if (!r) return no_table(e, 0, err) ? SQLITCH_OK : SQLITCH_ERROR;
  for (int i = 0; i < PQntuples(r); i++) {
    const char *s = val(r, i, 0);
    sqlitch_strv_push(out, s ? s : "");
  }
  PQclear(r);
  return SQLITCH_OK;
}

static int pg_change_id_offset(sqlitch_engine *e, const char *project,
                               const char *change_id, int offset, char **out,
                               sqlitch_err *err) {
  *out = NULL;
  if (offset == 0) {
    *out = sqlitch_strdup(change_id);
    return SQLITCH_OK;
  }
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  char *sql =
      offset_sql(e, offset > 0 ? Q_CIDOFF_AFTER : Q_CIDOFF_BEFORE, offset);
  const char *v[] = {project, change_id};
  PGresult *r = qrun(e, IM(e)->db, sql, 2, v, err);
  free(sql);
  return one(e, r, out, err);
}

static int pg_change_id_for(sqlitch_engine *e, const char *change_id,
                            const char *change, const char *tag,
                            const char *project, sqlitch_strv *out,
                            sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  PGresult *r;
  if (change_id) {
    r = q(e, Q_CID_BY_ID, 1, &change_id, err);
  } else if (change && tag) {
    if (strcmp(tag, "ROOT") == 0) return SQLITCH_OK;
    if (strcmp(tag, "HEAD") == 0) {
      const char *v[] = {project, change};
      r = q(e, Q_CID_HEAD, 2, v, err);
    } else {
      char *t = sqlitch_mprintf("@%s", tag);
      const char *v[] = {project, change, t};
      r = q(e, Q_CID_TAGGED, 3, v, err);
      free(t);
    }
  } else if (change) {
    const char *v[] = {project, change};
    r = q(e, Q_CID_BY_NAME, 2, v, err);
  } else if (tag) {
    char *t = sqlitch_mprintf("@%s", tag);
    const char *v[] = {project, t};
    r = q(e, Q_CID_BY_TAG, 2, v, err);
    free(t);
  } else {
    return SQLITCH_OK;
  }
  return collect(e, r, out, err);
}

static int pg_change_id_at(sqlitch_engine *e, const char *project, int latest,
                           int offset, char **out, sqlitch_err *err) {
  *out = NULL;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  char off[16];
  snprintf(off, sizeof off, "%d", offset);
  const char *v[] = {project, offset ? off : NULL};
  PGresult *r = q(e, latest ? Q_CID_DESC : Q_CID_ASC, 2, v, err);
  if (!r) return no_table(e, 1, err) ? SQLITCH_OK : SQLITCH_ERROR;
  return one(e, r, out, err);
}

static int pg_changes_requiring(sqlitch_engine *e, const char *change_id,
                                sqlitch_reg_requiring **out, size_t *n,
                                sqlitch_err *err) {
  *out = NULL;
  *n = 0;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  PGresult *r = q(e, Q_REQUIRING, 1, &change_id, err);
  if (!r) return no_table(e, 0, err) ? SQLITCH_OK : SQLITCH_ERROR;
  int nt = PQntuples(r);
  if (nt) *out = sqlitch_calloc((size_t)nt, sizeof **out);
  for (int i = 0; i < nt; i++) {
    sqlitch_reg_requiring *q2 = &(*out)[i];
    q2->change_id = val_dup(r, i, 0);
    q2->project = val_dup(r, i, 1);
    q2->change = val_dup(r, i, 2);
    q2->asof_tag = val_dup(r, i, 3);
  }
  *n = (size_t)nt;
  PQclear(r);
  return SQLITCH_OK;
}

static int pg_name_for_change_id(sqlitch_engine *e, const char *change_id,
                                 char **out, sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  return one(e, q(e, Q_NAME_FOR_ID, 1, &change_id, err), out, err);
}

static int pg_are_deployed(sqlitch_engine *e, const char *const *ids, size_t n,
                           sqlitch_strv *out, sqlitch_err *err) {
  if (n == 0) return SQLITCH_OK;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&b, "SELECT change_id FROM changes WHERE change_id IN (");
  for (size_t i = 0; i < n; i++)
    sqlitch_buf_addf(&b, "%s$%zu", i ? ", " : "", i + 1);
  sqlitch_buf_addc(&b, ')');
  PGresult *r = qrun(e, IM(e)->db, b.p, (int)n, ids, err);
  sqlitch_buf_free(&b);
  return collect(e, r, out, err);
}

static int pg_is_deployed_tag(sqlitch_engine *e, const char *tag_id, int *yes,
                              sqlitch_err *err) {
  *yes = 0;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  PGresult *r = q(e, Q_IS_TAG, 1, &tag_id, err);
  if (!r) return no_table(e, 0, err) ? SQLITCH_OK : SQLITCH_ERROR;
  *yes = PQntuples(r) && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  return SQLITCH_OK;
}

static int pg_current_changes(sqlitch_engine *e, const char *project,
                              sqlitch_change_row_fn fn, void *ctx,
                              sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  PGresult *r = q(e, Q_CURRENT_CHANGES, 1, &project, err);
  if (!r) return no_table(e, 0, err) ? SQLITCH_OK : SQLITCH_ERROR;
  for (int i = 0; i < PQntuples(r); i++) {
    char *ca = ts_text(val(r, i, 5)), *pa = ts_text(val(r, i, 8));
    sqlitch_reg_current_change row = {val(r, i, 0), val(r, i, 1), val(r, i, 2),
                                      val(r, i, 3), val(r, i, 4), ca,
                                      val(r, i, 6), val(r, i, 7), pa};
    int stop = fn(ctx, &row);
    free(ca);
    free(pa);
    if (stop) break;
  }
  PQclear(r);
  return SQLITCH_OK;
}

static int pg_current_tags(sqlitch_engine *e, const char *project,
                           sqlitch_tag_row_fn fn, void *ctx, sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  PGresult *r = q(e, Q_CURRENT_TAGS, 1, &project, err);
  if (!r) return no_table(e, 0, err) ? SQLITCH_OK : SQLITCH_ERROR;
  for (int i = 0; i < PQntuples(r); i++) {
    char *ca = ts_text(val(r, i, 4)), *pa = ts_text(val(r, i, 7));
    sqlitch_reg_current_tag row = {val(r, i, 0), val(r, i, 1), val(r, i, 2),
                                   val(r, i, 3), ca,           val(r, i, 5),
                                   val(r, i, 6), pa,           val(r, i, 8)};
    int stop = fn(ctx, &row);
    free(ca);
    free(pa);
    if (stop) break;
  }
  PQclear(r);
  return SQLITCH_OK;
}

static int pg_search_events(sqlitch_engine *e, const sqlitch_event_query *qy,
                            sqlitch_event_row_fn fn, void *ctx,
                            sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  static const struct {
    size_t off;
    const char *col;
  } rx[] = {{offsetof(sqlitch_event_query, committer), "e.committer_name"},
            {offsetof(sqlitch_event_query, planner), "e.planner_name"},
            {offsetof(sqlitch_event_query, change), "e.change"},
            {offsetof(sqlitch_event_query, project), "e.project"}};
  sqlitch_strv wheres = SQLITCH_STRV_INIT, params = SQLITCH_STRV_INIT;
  for (size_t i = 0; i < sizeof rx / sizeof *rx; i++) {
    const char *v = *(const char *const *)((const char *)qy + rx[i].off);
    if (!v) continue;
    sqlitch_strv_push(&params, v);
    sqlitch_strv_push_owned(&wheres,
                            sqlitch_mprintf("%s ~ $%zu", rx[i].col, params.n));
  }
  if (qy->events && qy->events->n) {
    sqlitch_buf a = SQLITCH_BUF_INIT;
    for (size_t i = 0; i < qy->events->n; i++)
      array_add(&a, qy->events->v[i]);
    sqlitch_strv_push_owned(&params, array_end(&a));
    sqlitch_strv_push_owned(&wheres,
                            sqlitch_mprintf("e.event = ANY($%zu)", params.n));
  }
  sqlitch_buf sql = SQLITCH_BUF_INIT;
  sqlitch_buf_add(
      &sql,
      "\n"
      "        SELECT e.event\n"
      "             , e.project\n"
      "             , e.change_id\n"
      "             , e.change\n"
      "             , e.note\n"
      "             , e.requires\n"
      "             , e.conflicts\n"
      "             , e.tags\n"
      "             , e.committer_name\n"
      "             , e.committer_email\n"
      "             , " TSC(
          "e.committed_at") " AS committed_at\n"
                            "             , e.planner_name\n"
                            "             , e.planner_email\n"
                            "             , " TSC(
                                "e.planned_at") " AS planned_at\n"
                                                "          FROM events e");
  for (size_t i = 0; i < wheres.n; i++)
    sqlitch_buf_addf(&sql, "%s%s",
                     i ? "\n               AND " : "\n         WHERE ",
                     wheres.v[i]);
  sqlitch_buf_addf(&sql, "\n         ORDER BY e.committed_at %s",
                   qy->ascending ? "ASC" : "DESC");
  char num[32];
  if (qy->limit > 0) {
    snprintf(num, sizeof num, "%ld", qy->limit);
    sqlitch_strv_push(&params, num);
    sqlitch_buf_addf(&sql, "\n         LIMIT $%zu", params.n);
  }
  if (qy->offset > 0) {
    snprintf(num, sizeof num, "%ld", qy->offset);
    sqlitch_strv_push(&params, num);
    sqlitch_buf_addf(&sql, "\n         OFFSET $%zu", params.n);
  }
  sqlitch_buf_add(&sql, "\n    ");
  PGresult *r = qrun(e, IM(e)->db, sql.p, (int)params.n,
                     (const char *const *)params.v, err);
  sqlitch_buf_free(&sql);
  sqlitch_strv_free(&wheres);
  sqlitch_strv_free(&params);
  if (!r) return no_table(e, 0, err) ? SQLITCH_OK : SQLITCH_ERROR;
  for (int i = 0; i < PQntuples(r); i++) {
    char *req = array_join(val(r, i, 5)), *conf = array_join(val(r, i, 6)),
         *tags = array_join(val(r, i, 7));
    char *ca = ts_text(val(r, i, 10)), *pa = ts_text(val(r, i, 13));
    sqlitch_reg_event ev = {val(r, i, 0),
                            val(r, i, 1),
                            val(r, i, 2),
                            val(r, i, 3),
                            val(r, i, 4),
                            req,
                            conf,
                            tags,
                            val(r, i, 8),
                            val(r, i, 9),
                            ca,
                            val(r, i, 11),
                            val(r, i, 12),
                            pa};
    int stop = fn(ctx, &ev);
    free(req);
    free(conf);
    free(tags);
    free(ca);
    free(pa);
    if (stop) break;
  }
  PQclear(r);
  return SQLITCH_OK;
}

static int pg_registered_projects(sqlitch_engine *e, sqlitch_strv *out,
                                  sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  return collect(e, qrun(e, IM(e)->db, SQL_PROJECTS, 0, NULL, err), out, err);
}

/* -------------------------------------------------------------- writes */

/* Registry writes that need no answer go out together: in libpq's
   pipeline mode, one round trip for the lot, ended by a sync; the first
   error is kept (the statements after it are skipped, and the open
   transaction is then failed, as it would be one by one). */
typedef struct batch {
  sqlitch_engine *e;
  PGconn *c;
  int failed;
  sqlitch_err *err;
} batch;

static void batch_begin(batch *b, sqlitch_engine *e, PGconn *c,
                        sqlitch_err *err) {
  b->e = e;
  b->c = c;
  b->failed = !PQenterPipelineMode(c);
  b->err = err;
  if (b->failed) msg_err(err, PQerrorMessage(c));
}

static void batch_add(batch *b, const char *sql, int n,
                      const char *const *vals) {
  if (b->failed) return;
  if (!PQsendQueryParams(b->c, sql, n, NULL, vals, NULL, NULL, 0)) {
    b->failed = 1;
    msg_err(b->err, PQerrorMessage(b->c));
  }
}

static int batch_end(batch *b) {
  impl *im = IM(b->e);
  int synced = 0;
  if (!b->failed || PQpipelineStatus(b->c) != PQ_PIPELINE_OFF) {
    if (PQpipelineSync(b->c)) {
      int nulls = 0;
      while (!synced && nulls < 1000 && PQstatus(b->c) == CONNECTION_OK) {
        PGresult *r = PQgetResult(b->c);
        if (!r) {
          nulls++;
          continue;
        }
        nulls = 0;
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
          synced = 1;
        } else if (st == PGRES_FATAL_ERROR && !b->failed) {
          const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
          snprintf(im->last_state, sizeof im->last_state, "%s",
                   code ? code : "");
          msg_err(b->err, PQresultErrorMessage(r));
          b->failed = 1;
        }
        PQclear(r);
      }
    }
    PQexitPipelineMode(b->c);
  }
  if (!synced && !b->failed) {
    msg_err(b->err, PQerrorMessage(b->c));
    b->failed = 1;
  }
  return b->failed ? SQLITCH_ERROR : SQLITCH_OK;
}

/* _log_event, queued on b. tags/req/conf are array literals. */
static void log_event(batch *b, const char *event, const sqlitch_log_change *lc,
                      const char *tags, const char *req, const char *conf) {
  sqlitch_engine *e = b->e;
  char *pa = tstz(lc->planned_at);
  const char *v[] = {event,
                     lc->change_id,
                     lc->change,
                     lc->project,
                     lc->note ? lc->note : "",
                     tags,
                     req,
                     conf,
                     lc->committer_name,
                     lc->committer_email,
                     pa,
                     lc->planner_name,
                     lc->planner_email};
  char *sql = qtext(e, Q_INS_EVENT);
  batch_add(b, sql, 13, v);
  free(sql);
  free(pa);
}

/* The plan's lists of a change as array literals (deploy, fail). */
static void plan_arrays(const sqlitch_log_change *lc, char **tags, char **req,
                        char **conf) {
  sqlitch_buf t = SQLITCH_BUF_INIT, r = SQLITCH_BUF_INIT, c = SQLITCH_BUF_INIT;
  for (size_t i = 0; i < lc->ntags; i++)
    array_add(&t, lc->tags[i].tag);
  for (size_t i = 0; i < lc->ndeps; i++)
    array_add(strcmp(lc->deps[i].type, "require") == 0 ? &r : &c,
              lc->deps[i].dependency);
  *tags = array_end(&t);
  *req = array_end(&r);
  *conf = array_end(&c);
}

/* log_deploy_change on connection c. */
/* log_deploy_change on connection c, in one round trip; `pre` (NULL or
   NULL-terminated) are statements to run first in the same batch. */
static int log_deploy(sqlitch_engine *e, PGconn *c,
                      const sqlitch_log_change *lc, const char *const *pre,
                      sqlitch_err *err) {
  batch bt;
  batch_begin(&bt, e, c, err);
  for (size_t i = 0; pre && pre[i]; i++)
    batch_add(&bt, pre[i], 0, NULL);
  char *pa = tstz(lc->planned_at);
  const char *v[] = {lc->change_id,
                     lc->script_hash,
                     lc->change,
                     lc->project,
                     lc->note ? lc->note : "",
                     lc->committer_name,
                     lc->committer_email,
                     pa,
                     lc->planner_name,
                     lc->planner_email};
  char *sql = qtext(e, Q_INS_CHANGE);
  batch_add(&bt, sql, 10, v);
  free(sql);
  free(pa);
  if (lc->ndeps) {
    sqlitch_buf b = SQLITCH_BUF_INIT;
    sqlitch_buf_add(&b, sql_text[Q_INS_DEPS]);
    sqlitch_buf_add(&b, "VALUES ");
    const char **pv = sqlitch_calloc(lc->ndeps * 4, sizeof *pv);
    for (size_t i = 0; i < lc->ndeps; i++) {
      sqlitch_buf_addf(&b, "%s($%zu, $%zu, $%zu, $%zu)", i ? ", " : "",
                       i * 4 + 1, i * 4 + 2, i * 4 + 3, i * 4 + 4);
      pv[i * 4] = lc->change_id;
      pv[i * 4 + 1] = lc->deps[i].type;
      pv[i * 4 + 2] = lc->deps[i].dependency;
      pv[i * 4 + 3] = lc->deps[i].dependency_id;
    }
    batch_add(&bt, b.p, (int)(lc->ndeps * 4), pv);
    free(pv);
    sqlitch_buf_free(&b);
  }
  if (lc->ntags) {
    sqlitch_buf b = SQLITCH_BUF_INIT;
    sqlitch_strv own = SQLITCH_STRV_INIT;
    sqlitch_buf_add(&b, sql_text[Q_INS_TAGS]);
    sqlitch_buf_add(&b, "VALUES ");
    const char **pv = sqlitch_calloc(lc->ntags * 10, sizeof *pv);
    for (size_t i = 0; i < lc->ntags; i++) {
      const sqlitch_log_tag *t = &lc->tags[i];
      size_t k = i * 10;
      sqlitch_buf_addf(&b, "%s(", i ? ", " : "");
      for (size_t j = 1; j <= 10; j++)
        sqlitch_buf_addf(&b, "$%zu, ", k + j);
      sqlitch_buf_add(&b, "clock_timestamp())");
      char *tpa = tstz(t->planned_at);
      sqlitch_strv_push_owned(&own, tpa);
      const char *tv[] = {t->tag_id,
                          t->tag,
                          lc->project,
                          lc->change_id,
                          t->note ? t->note : "",
                          lc->committer_name,
                          lc->committer_email,
                          tpa,
                          t->planner_name,
                          t->planner_email};
      memcpy(pv + k, tv, sizeof tv);
    }
    batch_add(&bt, b.p, (int)(lc->ntags * 10), pv);
    free(pv);
    sqlitch_strv_free(&own);
    sqlitch_buf_free(&b);
  }
  char *tags, *req, *conf;
  plan_arrays(lc, &tags, &req, &conf);
  log_event(&bt, "deploy", lc, tags, req, conf);
  free(tags);
  free(req);
  free(conf);
  return batch_end(&bt);
}

/* pg.pm's log_revert_change on connection c. */
static int log_revert(sqlitch_engine *e, PGconn *c,
                      const sqlitch_log_change *lc, sqlitch_err *err) {
  PGresult *r = qrun(e, c, SQL_DEL_TAGS, 1, &lc->change_id, err);
  if (!r) return SQLITCH_ERROR;
  sqlitch_buf t = SQLITCH_BUF_INIT;
  for (int i = 0; i < PQntuples(r); i++)
    array_add(&t, PQgetvalue(r, i, 0));
  PQclear(r);
  char *tags = array_end(&t);
  char *sql = qtext(e, Q_REV_DEPS);
  r = qrun(e, c, sql, 1, &lc->change_id, err);
  free(sql);
  int rc = SQLITCH_ERROR;
  if (r) {
    char *req = sqlitch_strdup(PQgetvalue(r, 0, 0));
    char *conf = sqlitch_strdup(PQgetvalue(r, 0, 1));
    PQclear(r);
    batch bt;
    batch_begin(&bt, e, c, err);
    batch_add(&bt, SQL_DEL_CHANGE, 1, &lc->change_id);
    log_event(&bt, "revert", lc, tags, req, conf);
    rc = batch_end(&bt);
    free(req);
    free(conf);
  }
  free(tags);
  return rc;
}

static int pg_log_fail(sqlitch_engine *e, const sqlitch_log_change *c,
                       sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  char *tags, *req, *conf;
  plan_arrays(c, &tags, &req, &conf);
  batch bt;
  batch_begin(&bt, e, IM(e)->db, err);
  log_event(&bt, "fail", c, tags, req, conf);
  int rc = batch_end(&bt);
  free(tags);
  free(req);
  free(conf);
  return rc;
}

static int pg_log_new_tags(sqlitch_engine *e, const sqlitch_log_change *c,
                           sqlitch_err *err) {
  if (!c->ntags) return SQLITCH_OK;
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_strv own = SQLITCH_STRV_INIT;
  const char **pv = sqlitch_calloc(c->ntags * 10, sizeof *pv);
  sqlitch_buf_add(&b, SQL_NEW_TAGS_HEAD);
  for (size_t i = 0; i < c->ntags; i++) {
    const sqlitch_log_tag *t = &c->tags[i];
    size_t k = i * 10;
    if (i) sqlitch_buf_add(&b, ",\n                ");
    sqlitch_buf_addf(&b,
                     "($%zu::text, $%zu::text, $%zu::text, $%zu::text, "
                     "$%zu::text, $%zu::text, $%zu::text, $%zu::timestamptz, "
                     "$%zu::text, $%zu::text)",
                     k + 1, k + 2, k + 3, k + 4, k + 5, k + 6, k + 7, k + 8,
                     k + 9, k + 10);
    char *tpa = tstz(t->planned_at);
    sqlitch_strv_push_owned(&own, tpa);
    const char *tv[10];
    sqlitch_log_tag_row(c, t, tpa, tv);
    memcpy(pv + k, tv, sizeof tv);
  }
  sqlitch_buf_add(&b, SQL_NEW_TAGS_TAIL);
  int rc = qdo(e, IM(e)->db, b.p, (int)(c->ntags * 10), pv, err);
  free(pv);
  sqlitch_strv_free(&own);
  sqlitch_buf_free(&b);
  return rc;
}

/* ============================================================= scripts */

/* psql's variables for a script: the engine's (--set), then Sqitch's. */
static void script_vars(sqlitch_engine *e, sqlitch_psql_vars *v) {
  const sqlitch_strv *sv = &e->opts.variables;
  for (size_t i = 0; i < sv->n; i++) {
    const char *eq = strchr(sv->v[i], '=');
    if (!eq) continue;
    char *name = sqlitch_strndup(sv->v[i], (size_t)(eq - sv->v[i]));
    sqlitch_psql_vars_set(v, name, eq + 1);
    free(name);
  }
  sqlitch_psql_vars_set(v, "ON_ERROR_STOP", "1");
  sqlitch_psql_vars_set(v, "registry", IM(e)->registry);
}

/* ------------------------------------------------------- the client */

/* Run the client as Sqitch does:
   psql [--dbname CONNINFO] [--set k=v]... --quiet --no-psqlrc --no-align
        --tuples-only --set ON_ERROR_STOP=1 --set registry=R --file FILE */
static int run_client(sqlitch_engine *e, const char *file, int show_out,
                      sqlitch_err *err) {
  impl *im = IM(e);
  sqlitch_strv argv = SQLITCH_STRV_INIT;
  sqlitch_strv_push(&argv, im->client);
  char *ci = psql_conninfo(e);
  if (*ci) {
    sqlitch_strv_push(&argv, "--dbname");
    sqlitch_strv_push(&argv, ci);
  }
  free(ci);
  for (size_t i = 0; i < e->opts.variables.n; i++) {
    sqlitch_strv_push(&argv, "--set");
    sqlitch_strv_push(&argv, e->opts.variables.v[i]);
  }
  static const char *const tail[] = {
      "--quiet", "--no-psqlrc",     "--no-align", "--tuples-only",
      "--set",   "ON_ERROR_STOP=1", "--set",      NULL};
  for (size_t i = 0; tail[i]; i++)
    sqlitch_strv_push(&argv, tail[i]);
  sqlitch_strv_push_owned(&argv, sqlitch_mprintf("registry=%s", im->registry));
  sqlitch_strv_push(&argv, "--file");
  sqlitch_strv_push(&argv, file);

  /* environment: PGPASSWORD when a password is known */
  sqlitch_strv env = SQLITCH_STRV_INIT;
  for (char **p = environ; *p; p++)
    if (!im->password || strncmp(*p, "PGPASSWORD=", 11) != 0)
      sqlitch_strv_push(&env, *p);
  if (im->password)
    sqlitch_strv_push_owned(&env,
                            sqlitch_mprintf("PGPASSWORD=%s", im->password));

  int rc = sqlitch_engine_run_client(e, argv.v, env.v, show_out, err);
  sqlitch_strv_free(&env);
  sqlitch_strv_free(&argv);
  return rc;
}

/* ------------------------------------------------- the script session */

/* S, ready for a new script: connected, reset after the previous one. */
static PGconn *script_conn(sqlitch_engine *e, sqlitch_err *err) {
  impl *im = IM(e);
  if (im->sc && im->sc_discard) {
    PGresult *r;
    while ((r = PQgetResult(im->sc)))
      PQclear(r);
    im->sc_discard = 0;
  }
  if (im->sc && PQstatus(im->sc) != CONNECTION_OK) {
    PQfinish(im->sc);
    im->sc = NULL;
  }
  if (im->sc) return im->sc;
  params p = {SQLITCH_STRV_INIT, SQLITCH_STRV_INIT};
  psql_params(e, &p);
  im->sc = open_conn(&p);
  params_free(&p);
  if (PQstatus(im->sc) != CONNECTION_OK) {
    const char *m = PQerrorMessage(im->sc);
    size_t n = strlen(m);
    while (n && m[n - 1] == '\n')
      n--;
    sqlitch_report_literal(e->rep, SQLITCH_VENT, "psql: error: %.*s\n", (int)n,
                           m);
    PQfinish(im->sc);
    im->sc = NULL;
    sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                    "\"%s\" unexpectedly returned exit value 2\n", im->client);
    return NULL;
  }
  return im->sc;
}

/* After a script: back to a fresh session (sent now, read before the
   next use). */
static void script_done(sqlitch_engine *e) {
  impl *im = IM(e);
  if (!im->sc || PQstatus(im->sc) != CONNECTION_OK) return;
  if (PQtransactionStatus(im->sc) != PQTRANS_IDLE)
    PQclear(PQexec(im->sc, "ROLLBACK"));
  if (PQsendQuery(im->sc, "DISCARD ALL")) im->sc_discard = 1;
}

static int utf8_conn(PGconn *c) {
  const char *enc = PQparameterStatus(c, "client_encoding");
  return enc && strcmp(enc, "UTF8") == 0;
}

/* Parse and run `text` as psql would on connection c. */
static int run_psql_text(sqlitch_engine *e, PGconn *c, const char *file,
                         const char *text, const sqlitch_psql_vars *vars,
                         int *exitval, sqlitch_err *err) {
  sqlitch_psql_script *s;
  sqlitch_psql_parse(file, text, strlen(text), vars, utf8_conn(c), &s);
  if (s->fallback) {
    int rc = sqlitch_err_set(err, SQLITCH_E_DEV, 2,
                             "cannot run %s in process: %s", file, s->fallback);
    sqlitch_psql_script_free(s);
    return rc;
  }
  sqlitch_psql_run r;
  memset(&r, 0, sizeof r);
  r.rep = e->rep;
  r.show_rows = 1;
  sqlitch_psql_exec(c, s, &r);
  *exitval = r.exitval;
  sqlitch_psql_script_free(s);
  return SQLITCH_OK;
}

/* A script file, loaded and parsed for S. */
typedef struct loaded {
  char *text;
  const char *path;
  sqlitch_psql_script *s; /* NULL: run the client */
} loaded;

static int load(sqlitch_engine *e, const char *path, const char *text,
                size_t len, loaded *l, sqlitch_err *err) {
  memset(l, 0, sizeof *l);
  l->path = path;
  size_t n = len;
  if (!text) {
    if (sqlitch_read_file(path, &l->text, &n, err)) return SQLITCH_ERROR;
    text = l->text;
  }
  sqlitch_psql_vars v = SQLITCH_PSQL_VARS_INIT;
  script_vars(e, &v);
  PGconn *c = script_conn(e, err);
  if (!c) {
    sqlitch_psql_vars_free(&v);
    return SQLITCH_ERROR;
  }
  sqlitch_psql_parse(path, text, n, &v, utf8_conn(c), &l->s);
  sqlitch_psql_vars_free(&v);
  if (l->s->fallback) {
    sqlitch_report(e->rep, SQLITCH_TRACE, "running %s through %s: %s", path,
                   IM(e)->client, l->s->fallback);
    sqlitch_psql_script_free(l->s);
    l->s = NULL;
  }
  return SQLITCH_OK;
}

static void loaded_free(loaded *l) {
  free(l->text);
  sqlitch_psql_script_free(l->s);
}

/* Run a loaded script (in process or through the client). */
static int run_loaded(sqlitch_engine *e, loaded *l, int show,
                      sqlitch_psql_run *hook, sqlitch_err *err) {
  if (!l->s) return run_client(e, l->path, show, err);
  PGconn *c = script_conn(e, err);
  if (!c) return SQLITCH_ERROR;
  sqlitch_psql_run r;
  if (hook)
    r = *hook;
  else
    memset(&r, 0, sizeof r);
  r.rep = e->rep;
  r.show_rows = show;
  sqlitch_psql_exec(c, l->s, &r);
  script_done(e);
  if (hook) *hook = r;
  if (r.exitval && !r.hook_failed)
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "\"%s\" unexpectedly returned exit value %d\n",
                           IM(e)->client, r.exitval);
  return r.hook_failed ? SQLITCH_ERROR : SQLITCH_OK;
}

/* --------------------------------------------------------------- steps */

typedef struct hook_ctx {
  sqlitch_engine *e;
  const sqlitch_step *s;
  int verify_missing;
  sqlitch_err err;
} hook_ctx;

/* Inside the script's transaction, before its COMMIT: the rows. */
static int before_commit(void *arg, PGconn *c) {
  hook_ctx *h = arg;
  sqlitch_engine *e = h->e;
  impl *im = IM(e);
  if (h->verify_missing)
    sqlitch_report(e->rep, SQLITCH_VENT, "Verify script %s does not exist",
                   h->s->verify_script);
  char *lit = PQescapeLiteral(c, im->registry, strlen(im->registry));
  char *path = sqlitch_mprintf("SET LOCAL search_path = %s", lit ? lit : "''");
  PQfreemem(lit);
  const char *pre[6];
  size_t n = 0;
  pre[n++] = path;
  pre[n++] = "SET LOCAL role TO DEFAULT";
  if (!utf8_conn(c)) pre[n++] = "SET LOCAL client_encoding = 'UTF8'";
  if (!im->yugabyte) pre[n++] = SQL_LOCK_CHANGES;
  pre[n] = NULL;
  int rc;
  if (h->s->revert) {
    batch bt;
    batch_begin(&bt, e, c, &h->err);
    for (size_t i = 0; i < n; i++)
      batch_add(&bt, pre[i], 0, NULL);
    rc = batch_end(&bt);
    if (rc == SQLITCH_OK) rc = log_revert(e, c, h->s->log, &h->err);
  } else {
    rc = log_deploy(e, c, h->s->log, pre, &h->err);
  }
  free(path);
  return rc != SQLITCH_OK;
}

static int pg_step(sqlitch_engine *e, const sqlitch_step *s,
                   sqlitch_step_result *res, sqlitch_err *err) {
  impl *im = IM(e);
  res->status = SQLITCH_STEP_OK;
  res->undone = 0;
  if (ensure_db(e, err)) return SQLITCH_ERROR;

  loaded sc = {0}, vs = {0};
  int have_sc = 0, have_vs = 0, verify_missing = 0, rc = SQLITCH_OK;
  if (s->verify_script) {
    if (sqlitch_path_exists(s->verify_script)) {
      if (load(e, s->verify_script, NULL, 0, &vs, err)) return SQLITCH_ERROR;
      have_vs = 1;
    } else {
      verify_missing = 1;
    }
  }
  if (s->script) {
    if (load(e, s->script, s->script_text, s->script_len, &sc, err)) {
      if (have_vs) loaded_free(&vs);
      return SQLITCH_ERROR;
    }
    have_sc = 1;
  }

  /* The atomic way: rows in the script's own transaction. */
  if (have_sc && sc.s && sc.s->final_commit >= 0 && !have_vs) {
    hook_ctx h = {e, s, verify_missing, SQLITCH_ERR_INIT};
    sqlitch_psql_run r;
    memset(&r, 0, sizeof r);
    r.before_commit = before_commit;
    r.ctx = &h;
    int x = run_loaded(e, &sc, 1, &r, err);
    if (r.hook_failed) {
      sqlitch_err_move(err, &h.err);
      res->status = SQLITCH_STEP_LOG_FAILED;
      res->undone = 1;
      goto out;
    }
    sqlitch_err_clear(&h.err);
    if (x) {
      res->status = SQLITCH_STEP_SCRIPT_FAILED;
      goto out;
    }
    if (r.hook_ran) goto out;
    /* no transaction was open at the COMMIT: log as Sqitch does */
    if (begin_work(e, err) ||
        (s->revert ? log_revert(e, im->db, s->log, err)
                   : log_deploy(e, im->db, s->log, NULL, err)) ||
        finish_work(e, err)) {
      rollback_work(e);
      res->status = SQLITCH_STEP_LOG_FAILED;
    }
    goto out;
  }

  /* Sqitch's way: begin, script, verify, rows, commit. */
  if (begin_work(e, err)) {
    rc = SQLITCH_ERROR;
    goto out;
  }
  if (have_sc && run_loaded(e, &sc, 1, NULL, err)) {
    rollback_work(e);
    res->status = SQLITCH_STEP_SCRIPT_FAILED;
    goto out;
  }
  if (verify_missing)
    sqlitch_report(e->rep, SQLITCH_VENT, "Verify script %s does not exist",
                   s->verify_script);
  if (have_vs) {
    sqlitch_err verr = SQLITCH_ERR_INIT;
    int x = run_loaded(e, &vs, e->opts.verbosity >= 2, NULL, &verr);
    sqlitch_err_clear(&verr);
    if (x) {
      rollback_work(e);
      res->status = SQLITCH_STEP_VERIFY_FAILED;
      goto out;
    }
  }
  if ((s->revert ? log_revert(e, im->db, s->log, err)
                 : log_deploy(e, im->db, s->log, NULL, err)) ||
      finish_work(e, err)) {
    rollback_work(e);
    res->status = SQLITCH_STEP_LOG_FAILED;
  }
out:
  if (have_sc) loaded_free(&sc);
  if (have_vs) loaded_free(&vs);
  return rc;
}

static int pg_run_script(sqlitch_engine *e, sqlitch_script_kind kind,
                         const char *file, sqlitch_err *err) {
  if (ensure_db(e, err)) return SQLITCH_ERROR;
  loaded l;
  if (load(e, file, NULL, 0, &l, err)) return SQLITCH_ERROR;
  int show = kind != SQLITCH_SCRIPT_VERIFY || e->opts.verbosity >= 2;
  int rc = run_loaded(e, &l, show, NULL, err);
  loaded_free(&l);
  return rc;
}

static int pg_prepare(sqlitch_engine *e, sqlitch_err *err) {
  return ensure_db(e, err);
}

/* ============================================================ the table */

const sqlitch_engine_ops sqlitch_engine_pg_ops = {
    .key = "pg",
    .name = "PostgreSQL",
    .init = pg_init,
    .destroy = pg_destroy,
    .registry_destination = pg_destination,
    .destination = pg_destination,
    .registry_version = pg_registry_version,
    .initialized = pg_initialized,
    .initialize = pg_initialize,
    .upgrades = pg_upgrades,
    .upgrade = pg_upgrade,
    .register_project = pg_register_project,
    .update_script_hashes = pg_update_script_hashes,
    .try_lock = pg_try_lock,
    .wait_lock = pg_wait_lock,
    .prepare = pg_prepare,
    .step = pg_step,
    .backup = NULL,
    .run_script = pg_run_script,
    .log_fail = pg_log_fail,
    .log_new_tags = pg_log_new_tags,
    .current_state = pg_current_state,
    .deployed_changes = pg_deployed_changes,
    .load_change = pg_load_change,
    .change_id_offset = pg_change_id_offset,
    .change_id_for = pg_change_id_for,
    .change_id_at = pg_change_id_at,
    .changes_requiring = pg_changes_requiring,
    .name_for_change_id = pg_name_for_change_id,
    .are_deployed = pg_are_deployed,
    .is_deployed_tag = pg_is_deployed_tag,
    .current_changes = pg_current_changes,
    .current_tags = pg_current_tags,
    .search_events = pg_search_events,
    .registered_projects = pg_registered_projects,
};
