/*
** test_engine.c -- unit tests for core/engine.c and core/engine_sqlite.c
** through the public API (engine.h): registry placement, the registry
** clock, a deploy/revert/verify/check cycle on a temporary project with
** the reporter's lines and the registry rows checked, the registry queries
** status and log build on, change lookups by key, the crash-recovery
** intent, and the errors for unsupported engines.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "engine.h"
#include "engine_sqlite.h"
#include "tap.h"

/* ------------------------------------------------------------ helpers */

typedef struct lines {
  sqlitch_buf out; /* stdout-ish: INFO/EMIT/COMMENT */
  sqlitch_buf err; /* VENT/WARN */
} lines;

static void on_msg(void *ctx, sqlitch_level lvl, int literal,
                   const char *text) {
  lines *l = ctx;
  sqlitch_buf *b =
      (lvl == SQLITCH_VENT || lvl == SQLITCH_WARN) ? &l->err : &l->out;
  if (lvl == SQLITCH_DEBUG || lvl == SQLITCH_TRACE) return;
  if (lvl == SQLITCH_COMMENT) sqlitch_buf_add(b, "# ");
  if (lvl == SQLITCH_WARN) sqlitch_buf_add(b, "warning: ");
  sqlitch_buf_add(b, text);
  if (!literal) sqlitch_buf_addc(b, '\n');
}

static void reset(lines *l) {
  sqlitch_buf_reset(&l->out);
  sqlitch_buf_reset(&l->err);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

static char *query1(const char *db, const char *sql) {
  sqlite3 *h;
  sqlite3_stmt *s;
  char *r = NULL;
  if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK) {
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
      r = sqlitch_strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
  }
  sqlite3_close(h);
  return r;
}

static void is_query(const char *db, const char *sql, const char *want,
                     const char *name) {
  char *got = query1(db, sql);
  is_str(got, want, name);
  free(got);
}

static sqlitch_target *target(const char *uri, const char *registry) {
  sqlitch_config *cfg = sqlitch_config_new();
  sqlitch_uri *u = sqlitch_uri_new_db(uri);
  sqlitch_target_opts o;
  memset(&o, 0, sizeof o);
  o.registry = registry;
  sqlitch_target *t = NULL;
  sqlitch_err err = SQLITCH_ERR_INIT;
  if (sqlitch_target_new_uri(cfg, NULL, u, &o, &t, &err))
    diag("target %s: %s", uri, err.msg);
  sqlitch_err_clear(&err);
  sqlitch_uri_free(u);
  sqlitch_config_free(cfg);
  return t;
}

/* ------------------------------------------------- registry placement */

static void test_registry_uri(void) {
  static const struct {
    const char *uri, *reg, *want;
  } cases[] = {
      /* config.md §8 */
      {"db:sqlite:t.db", NULL, "db:sqlite:sqitch.db"},
      {"db:sqlite:sub/foo.db", NULL, "db:sqlite:sub/sqitch.db"},
      {"db:sqlite:foo", NULL, "db:sqlite:sqitch"},
      {"db:sqlite:foo.tar.gz", NULL, "db:sqlite:sqitch.tar.gz"},
      {"db:sqlite:foo.tar.gz", "reg", "db:sqlite:reg.tar.gz"},
      {"db:sqlite:sub/z.sqlite3", NULL, "db:sqlite:sub/sqitch.sqlite3"},
      {"db:sqlite:sub/t.db", "reg.x", "db:sqlite:sub/reg.x"},
      {"db:sqlite:/a/abs.db", NULL, "db:sqlite:/a/sqitch.db"},
      {"db:sqlite:t.db", "/abs/r.db", "db:sqlite:/abs/r.db"},
      {"db:sqlite://localhost/sub/y.db", NULL,
       "db:sqlite://localhost/sub/sqitch.db"},
      {"db:sqlite:", NULL, "db:sqlite:"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    sqlitch_target *t = target(cases[i].uri, cases[i].reg);
    char *got = t ? sqlitch_sqlite_registry_uri(t) : NULL;
    char name[128];
    snprintf(name, sizeof name, "registry of %s (%s)", cases[i].uri,
             cases[i].reg ? cases[i].reg : "sqitch");
    is_str(got, cases[i].want, name);
    free(got);
    sqlitch_target_free(t);
  }
}

/* ---------------------------------------------------------- the clock */

static void test_clock(void) {
  sqlitch_target *t = target("db:sqlite:clock.db", NULL);
  sqlitch_engine *e = NULL;
  sqlitch_err err = SQLITCH_ERR_INIT;
  ok(sqlitch_engine_new(NULL, t, NULL, &e, &err) == SQLITCH_OK,
     "engine for the clock");
  char a[32], b[32], c[32], floor[32];
  sqlitch_engine_clock_init(e, "2999-01-01 00:00:00.500");
  sqlitch_engine_clock_next(e, 0, a);
  is_str(a, "2999-01-01 00:00:00.501",
         "never at or before the registry's newest");
  sqlitch_engine_clock_next(e, 5, b);
  is_str(b, "2999-01-01 00:00:00.502", "strictly increasing, one ms at a time");
  sqlitch_engine_free(e);

  ok(sqlitch_engine_new(NULL, t, NULL, &e, &err) == SQLITCH_OK, "fresh engine");
  sqlitch_engine_clock_next(e, 1000, a);
  sqlitch_engine_clock_next(e, 999, b);
  sqlitch_engine_clock_next(e, 0, c);
  ok(strcmp(a, b) < 0 && strcmp(b, c) < 0, "increasing while pending shrinks");
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(floor, sizeof floor, "%Y-%m-%d %H:%M:%S", &tm);
  ok(strncmp(a, floor, 19) <= 0,
     "a batch starts in the past, never ahead of the clock");
  is_int(strlen(c), 23, "YYYY-MM-DD HH:MM:SS.mmm");
  sqlitch_engine_free(e);
  sqlitch_target_free(t);

  char ts[32];
  sqlitch_engine_plan_ts("2024-01-15T10:30:00Z", ts);
  is_str(ts, "2024-01-15 10:30:00", "plan timestamp to registry text");
}

/* ------------------------------------------------- a deploy round trip */

static const char plan_text[] =
    "%syntax-version=1.0.0\n%project=unit\n\n"
    "a 2024-01-01T00:00:00Z T <t@example.com> # first\n"
    "b [a] 2024-01-01T00:01:00Z T <t@example.com>\n"
    "@v1 2024-01-01T00:02:00Z T <t@example.com> # tag\n"
    "c [a b@v1 !other:x] 2024-01-01T00:03:00Z T <t@example.com>\n";

static void script(const char *kind, const char *name, const char *sql) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s.sql", kind, name);
  write_file(path, sql);
}

typedef struct counts {
  int n;
  char last[64];
} counts;

static int count_change(void *ctx, const sqlitch_reg_current_change *r) {
  counts *c = ctx;
  if (c->n++ == 0) snprintf(c->last, sizeof c->last, "%s", r->change);
  return 0;
}

static int count_tag(void *ctx, const sqlitch_reg_current_tag *r) {
  counts *c = ctx;
  c->n++;
  snprintf(c->last, sizeof c->last, "%s", r->tag);
  return 0;
}

static int count_event(void *ctx, const sqlitch_reg_event *r) {
  counts *c = ctx;
  if (c->n++ == 0)
    snprintf(c->last, sizeof c->last, "%s %s", r->event, r->change);
  return 0;
}

static void test_round_trip(void) {
  mkdir("deploy", 0755);
  mkdir("revert", 0755);
  mkdir("verify", 0755);
  write_file("sqitch.plan", plan_text);
  script("deploy", "a", "BEGIN;\nCREATE TABLE a (x);\nCOMMIT;\n");
  script("deploy", "b", "BEGIN;\nCREATE TABLE b (x);\nCOMMIT;\n");
  script("deploy", "c", "CREATE TABLE c (x);\nSELECT 'row', 42;\n");
  script("revert", "a", "DROP TABLE a;\n");
  script("revert", "b", "DROP TABLE b;\n");
  script("revert", "c", "DROP TABLE c;\n");
  script("verify", "a", "SELECT x FROM a WHERE 0;\n");
  script("verify", "b", "SELECT x FROM b WHERE 0;\n");
  script("verify", "c", "SELECT nonesuch FROM c;\n");

  lines l = {SQLITCH_BUF_INIT, SQLITCH_BUF_INIT};
  sqlitch_reporter rep = {on_msg, NULL, &l};
  sqlitch_target *t = target("db:sqlite:unit.db", NULL);
  sqlitch_engine *e = NULL;
  sqlitch_err err = SQLITCH_ERR_INIT;
  setenv("SQITCH_FULLNAME", "Unit Tester", 1);
  setenv("SQITCH_EMAIL", "unit@example.com", 1);

  ok(sqlitch_engine_new(NULL, t, &rep, &e, &err) == SQLITCH_OK, "engine");
  e->opts.no_prompt = 1;
  ok(sqlitch_engine_deploy(e, "b", NULL, &err) == SQLITCH_OK, "deploy --to b");
  is_str(sqlitch_buf_str(&l.out),
         "Adding registry tables to db:sqlite:sqitch.db\n"
         "Deploying changes through b @v1 to db:sqlite:unit.db\n"
         "  + a ...... ok\n"
         "  + b @v1 .. ok\n",
         "deploy lines");
  is_query("sqitch.db",
           "SELECT group_concat(change) FROM (SELECT change FROM changes ORDER "
           "BY committed_at)",
           "a,b", "two changes recorded");
  {
    char *aid =
        query1("sqitch.db", "SELECT change_id FROM changes WHERE change = 'a'");
    char *want = sqlitch_mprintf("a=%s", aid);
    is_query("sqitch.db",
             "SELECT dependency || '=' || dependency_id FROM dependencies",
             want, "b's requirement resolved to a's id");
    free(aid);
    free(want);
  }
  sqlitch_engine_free(e);
  reset(&l);

  ok(sqlitch_engine_new(NULL, t, &rep, &e, &err) == SQLITCH_OK, "engine 2");
  ok(sqlitch_engine_deploy(e, NULL, "all", &err) == SQLITCH_OK,
     "deploy the rest");
  is_str(sqlitch_buf_str(&l.out),
         "Deploying changes to db:sqlite:unit.db\n  + c .. row,42\nok\n",
         "script rows in CSV between the name and ok");
  is_query("sqitch.db",
           "SELECT group_concat(type || ':' || dependency, ' ') FROM (SELECT * "
           "FROM dependencies WHERE change_id = (SELECT change_id FROM changes "
           "WHERE change = 'c') ORDER BY rowid)",
           "require:a require:b@v1 conflict:other:x",
           "dependencies of c, requires first");
  is_query("sqitch.db",
           "SELECT requires || '|' || conflicts || '|' || tags FROM events "
           "WHERE change = 'b'",
           "a||@v1", "deploy event columns");
  is_query("sqitch.db", "PRAGMA user_version", "0",
           "no intent armed after a run");

  /* registry queries for status and log */
  sqlitch_reg_state *st = NULL;
  ok(sqlitch_engine_current_state(e, NULL, &st, &err) == SQLITCH_OK && st,
     "current_state");
  if (st) {
    is_str(st->change, "c", "latest change");
    is_str(st->committer_name, "Unit Tester", "committer from the environment");
    is_int(strlen(st->committed_at), 19, "committed_at without fraction");
    ok(st->has_script_hash && st->script_hash, "script hash present");
  }
  sqlitch_reg_state_free(st);
  counts cc = {0, ""};
  ok(sqlitch_engine_current_changes(e, NULL, count_change, &cc, &err) ==
         SQLITCH_OK,
     "current_changes");
  is_int(cc.n, 3, "three changes");
  is_str(cc.last, "c", "newest first");
  counts ct = {0, ""};
  sqlitch_engine_current_tags(e, NULL, count_tag, &ct, &err);
  is_int(ct.n, 1, "one tag");
  is_str(ct.last, "@v1", "tag name");
  counts ce = {0, ""};
  sqlitch_strv evs = SQLITCH_STRV_INIT;
  sqlitch_strv_push(&evs, "deploy");
  sqlitch_event_query q;
  memset(&q, 0, sizeof q);
  q.change = "^[ab]$";
  q.events = &evs;
  ok(sqlitch_engine_search_events(e, &q, count_event, &ce, &err) == SQLITCH_OK,
     "search_events with two filters (joined with AND)");
  is_int(ce.n, 2, "two deploy events of a or b");
  is_str(ce.last, "deploy b", "newest first");
  q.ascending = 1;
  q.limit = 1;
  q.offset = 1;
  ce.n = 0;
  sqlitch_engine_search_events(e, &q, count_event, &ce, &err);
  is_str(ce.last, "deploy b", "ascending, limit and offset");
  sqlitch_strv_free(&evs);

  char *id = NULL;
  ok(sqlitch_engine_change_id_for_key(e, "HEAD^", &id, &err) == SQLITCH_OK &&
         id,
     "HEAD^");
  char *bid =
      query1("sqitch.db", "SELECT change_id FROM changes WHERE change = 'b'");
  is_str(id, bid, "HEAD^ is b");
  free(id);
  ok(sqlitch_engine_change_id_for_key(e, "@v1", &id, &err) == SQLITCH_OK,
     "@v1");
  is_str(id, bid, "@v1 is b");
  free(id);
  ok(sqlitch_engine_change_id_for_key(e, "a@v1", &id, &err) == SQLITCH_OK,
     "a@v1");
  ok(id && strcmp(id, bid) != 0, "a@v1 is a");
  free(id);
  ok(sqlitch_engine_change_id_for_key(e, "nonesuch", &id, &err) == SQLITCH_OK &&
         !id,
     "unknown key: no id, no error");
  free(bid);
  sqlitch_engine_free(e);
  reset(&l);

  /* verify: c's verify script fails */
  ok(sqlitch_engine_new(NULL, t, &rep, &e, &err) == SQLITCH_OK, "engine 3");
  ok(sqlitch_engine_verify(e, NULL, NULL, &err) == SQLITCH_ERROR,
     "verify fails");
  is_str(err.msg, "Verify failed", "Verify failed");
  is_int(err.exitval, 2, "exit 2");
  ok(strstr(
         sqlitch_buf_str(&l.out),
         "  * c ...... # Verify script \"verify/c.sql\" failed.\nnot ok\n") !=
         NULL,
     "c not ok with the comment");
  is_str(sqlitch_buf_str(&l.err),
         "verify/c.sql: Parse error near line 1: no such column: nonesuch\n"
         "  SELECT nonesuch FROM c;\n"
         "         ^--- error here\n",
         "SQLite's error with the script path");
  sqlitch_err_clear(&err);
  sqlitch_engine_free(e);
  reset(&l);

  /* check: change b's deploy script */
  script("deploy", "b", "BEGIN;\nCREATE TABLE b (x, y);\nCOMMIT;\n");
  ok(sqlitch_engine_new(NULL, t, &rep, &e, &err) == SQLITCH_OK, "engine 4");
  ok(sqlitch_engine_check(e, NULL, NULL, &err) == SQLITCH_ERROR, "check fails");
  is_str(err.msg, "Failed one check", "Failed one check");
  is_int(err.exitval, 1, "exit 1");
  ok(strstr(sqlitch_buf_str(&l.out),
            "Script signatures diverge at change b @v1") != NULL,
     "diverges at b");
  char *anc = NULL;
  ok(sqlitch_engine_common_ancestor_id(e, &anc, &err) == SQLITCH_OK && anc,
     "common ancestor");
  char *aid =
      query1("sqitch.db", "SELECT change_id FROM changes WHERE change = 'a'");
  is_str(anc, aid, "common ancestor is a");
  free(anc);
  free(aid);
  sqlitch_err_clear(&err);
  sqlitch_engine_free(e);
  reset(&l);

  /* revert: declined, then accepted */
  ok(sqlitch_engine_new(NULL, t, &rep, &e, &err) == SQLITCH_OK, "engine 5");
  e->opts.prompt_accept = 0; /* no ask callback: the default answer */
  ok(sqlitch_engine_revert(e, NULL, &err) == SQLITCH_ERROR, "revert declined");
  is_str(err.msg, "Nothing reverted", "Nothing reverted");
  is_int(err.exitval, 1, "exit 1");
  sqlitch_err_clear(&err);
  e->opts.no_prompt = 1;
  reset(&l);
  ok(sqlitch_engine_revert(e, "a", &err) == SQLITCH_OK, "revert --to a");
  is_str(sqlitch_buf_str(&l.out),
         "Reverting changes to a from db:sqlite:unit.db\n"
         "  - c ...... ok\n"
         "  - b @v1 .. ok\n",
         "revert lines");
  is_query("sqitch.db",
           "SELECT tags || '|' || requires || '|' || conflicts FROM events "
           "WHERE change = 'c' AND event = 'revert'",
           "|a,b@v1|other:x", "revert event columns from the registry");
  is_query("unit.db", "SELECT group_concat(name) FROM sqlite_master", "a",
           "only a left");
  sqlitch_engine_free(e);
  reset(&l);

  /* the crash-recovery intent: arm by hand as a run would, with a cookie
     the target has since passed, then let the next deploy complete it */
  char *cookie = query1("unit.db", "PRAGMA schema_version");
  char *bid2 = NULL;
  {
    sqlitch_plan *plan = NULL;
    sqlitch_plan_load("sqitch.plan", &plan, &err);
    bid2 = sqlitch_strdup(plan->changes[1].id);
    sqlitch_plan_free(plan);
  }
  sqlite3 *h;
  sqlite3_open("sqitch.db", &h);
  char sql[256], h8[9];
  snprintf(h8, sizeof h8, "%.8s", bid2);
  snprintf(sql, sizeof sql,
           "PRAGMA user_version = %ld; PRAGMA application_id = %ld",
           (1L << 28) | atol(cookie), (long)(int32_t)strtoul(h8, NULL, 16));
  sqlite3_exec(h, sql, NULL, NULL, NULL);
  sqlite3_close(h);
  sqlite3_open("unit.db", &h);
  sqlite3_exec(h, "BEGIN; CREATE TABLE b (x); COMMIT;", NULL, NULL, NULL);
  sqlite3_close(h);
  ok(sqlitch_engine_new(NULL, t, &rep, &e, &err) == SQLITCH_OK, "engine 6");
  ok(sqlitch_engine_deploy(e, "b", NULL, &err) == SQLITCH_OK,
     "deploy after a crash");
  ok(strstr(sqlitch_buf_str(&l.err),
            "warning: Completing the registry record "
            "of the interrupted deploy of change ") != NULL,
     "b's registry rows completed");
  is_str(sqlitch_buf_str(&l.out), "Nothing to deploy (already at \"b\")\n",
         "then nothing left to do");
  is_query("sqitch.db", "PRAGMA user_version", "0", "intent cleared");
  free(cookie);
  free(bid2);
  sqlitch_engine_free(e);
  reset(&l);

  sqlitch_target_free(t);
  sqlitch_buf_free(&l.out);
  sqlitch_buf_free(&l.err);
}

/* --------------------------------------------- an adopted connection */

static void test_adopt(void) {
  lines l = {SQLITCH_BUF_INIT, SQLITCH_BUF_INIT};
  sqlitch_reporter rep = {on_msg, NULL, &l};
  sqlite3 *db = NULL;
  ok(sqlite3_open("adopted.db", &db) == SQLITE_OK,
     "the application's connection");
  sqlite3_exec(db, "CREATE TABLE app (x); INSERT INTO app VALUES (7);", NULL,
               NULL, NULL);
  sqlitch_target *t = target("db:sqlite:adopted.db", "adoptreg");
  sqlitch_engine *e = NULL;
  sqlitch_err err = SQLITCH_ERR_INIT;
  ok(sqlitch_engine_new(NULL, t, &rep, &e, &err) == SQLITCH_OK, "engine");
  ok(sqlitch_engine_sqlite_adopt(e, db, &err) == SQLITCH_OK, "adopt");
  ok(sqlitch_engine_sqlite_db(e) == db,
     "scripts run on the adopted connection");
  ok(sqlitch_engine_deploy(e, "a", NULL, &err) == SQLITCH_OK,
     "deploy through it");
  sqlitch_engine_free(e);
  sqlite3_stmt *st = NULL;
  int n = -1;
  if (sqlite3_prepare_v2(
          db, "SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'app')",
          -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  is_int(n, 2, "the connection is still open and sees the change");
  is_query("adoptreg.db", "SELECT group_concat(change) FROM changes", "a",
           "recorded in the registry beside it");
  sqlite3_close(db);
  sqlitch_target_free(t);
  sqlitch_buf_free(&l.out);
  sqlitch_buf_free(&l.err);
}

/* ------------------------------------------------------------- errors */

static void test_errors(void) {
  ok(sqlitch_engine_ops_for("sqlite") != NULL, "sqlite engine present");
  ok(sqlitch_engine_ops_for("oracle") == NULL, "no oracle engine");
  sqlitch_target *t = target("db:oracle://h/db", NULL);
  sqlitch_engine *e = NULL;
  sqlitch_err err = SQLITCH_ERR_INIT;
  ok(t && sqlitch_engine_new(NULL, t, NULL, &e, &err) == SQLITCH_ERROR,
     "unsupported engine refused");
  ok(err.msg && strstr(err.msg, "oracle"), "message names the engine");
  is_int(err.exitval, 2, "exit 2");
  sqlitch_err_clear(&err);
  sqlitch_target_free(t);
}

int main(void) {
  char tmpl[] = "/tmp/sqlitch-unit-engine.XXXXXX";
  char *dir = mkdtemp(tmpl);
  if (!dir || chdir(dir) != 0) return 1;
  setenv("TZ", "UTC", 1);
  test_registry_uri();
  test_clock();
  test_round_trip();
  test_adopt();
  test_errors();
  int rc = tap_done();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) rc = 1;
  return rc;
}
