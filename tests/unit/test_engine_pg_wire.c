/*
** test_engine_pg_wire.c -- unit tests of the in-process PostgreSQL client
** (engine_pg_wire.c) without a server: the test plays the server on the
** other end of a socketpair.
**
**   - which connections it takes and the StartupMessage it would send;
**     conninfo strings are cross-checked with libpq's own parser
**     (PQconninfoParse, dlopen'ed), so that both read them alike;
**   - results: rows, NULLs, several statements, the bytes of an extended
**     query;
**   - error texts against libpq 15's: the expected strings were printed by
**     libpq for the same queries on a real server (the LINE excerpt, its
**     truncation and caret, CR/LF and tabs, UTF-8, the end of input);
**   - notices, a lost server, protocol violations, PQescapeLiteral,
**     PQserverVersion, and the entries status and log never use failing
**     loudly.
** tests/engine/pg-wire.t compares whole commands with libpq on a server.
*/
#include "tap.h"

#ifdef SQLITCH_HAVE_PG
#include <dlfcn.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "engine_pg_dl.h" /* PQ* go through the table: this client's */
#include "engine_pg_wire.h"

#include <pg_config.h>        /* DEF_PGPORT_STR */
#include <pg_config_manual.h> /* DEFAULT_PGSOCKET_DIR */

extern char **environ;

/* ------------------------------------------------------------- server */

static int srv = -1; /* the server's end of the socketpair */

static void b_str(sqlitch_buf *b, const char *s) {
  sqlitch_buf_addn(b, s, strlen(s) + 1);
}

static void b_int(sqlitch_buf *b, long v, int bytes) {
  for (int i = bytes - 1; i >= 0; i--)
    sqlitch_buf_addc(b, (char)((unsigned long)v >> (8 * i)));
}

/* Send one message with body b (freed). */
static void say(char type, sqlitch_buf *b) {
  sqlitch_buf m = SQLITCH_BUF_INIT;
  sqlitch_buf_addc(&m, type);
  b_int(&m, (long)b->len + 4, 4);
  sqlitch_buf_addn(&m, b->p ? b->p : "", b->len);
  if (write(srv, m.p, m.len) != (ssize_t)m.len) diag("short write");
  sqlitch_buf_free(&m);
  sqlitch_buf_free(b);
}

static void ready(void) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  b_str(&b, "I");
  say('Z', &b);
}

static void complete(const char *tag) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  b_str(&b, tag);
  say('C', &b);
}

static void columns(int n) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  b_int(&b, n, 2);
  for (int i = 0; i < n; i++) {
    b_str(&b, "col");
    b_int(&b, 0, 4);
    b_int(&b, 0, 2);
    b_int(&b, 25, 4);
    b_int(&b, -1, 2);
    b_int(&b, -1, 4);
    b_int(&b, 0, 2);
  }
  say('T', &b);
}

/* A DataRow; NULL values are SQL NULLs. */
static void row(int n, const char *const *v) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  b_int(&b, n, 2);
  for (int i = 0; i < n; i++) {
    b_int(&b, v[i] ? (long)strlen(v[i]) : -1, 4);
    if (v[i]) sqlitch_buf_add(&b, v[i]);
  }
  say('D', &b);
}

/* An ErrorResponse ('E') or NoticeResponse ('N') as PostgreSQL sends it:
   "code value" pairs, in the server's order. */
static void report(char type, const char *const *fields) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (int i = 0; fields[i]; i += 2) {
    sqlitch_buf_addc(&b, fields[i][0]);
    b_str(&b, fields[i + 1]);
  }
  sqlitch_buf_addc(&b, 0);
  say(type, &b);
}

static void param(const char *name, const char *value) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  b_str(&b, name);
  b_str(&b, value);
  say('S', &b);
}

/* What the client sent since the last call. */
static size_t heard(char *out, size_t cap) {
  size_t n = 0;
  ssize_t r;
  while (n < cap && (r = recv(srv, out + n, cap - n, MSG_DONTWAIT)) > 0)
    n += (size_t)r;
  return n;
}

static PGconn *fresh(void) {
  int sv[2];
  if (srv >= 0) close(srv);
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) return NULL;
  srv = sv[1];
  return sqlitch_pg_wire_adopt(sv[0]);
}

/* ------------------------------------------------------------ planning */

static void plan_is(const char *const *k, const char *const *v,
                    const char *want, const char *name) {
  const char *why = NULL;
  char *got = sqlitch_pg_wire_plan(k, v, 1, &why);
  is_str(got ? got : why, want, name);
  free(got);
}

static char *sysuser(void) {
  struct passwd *pw = getpwuid(geteuid());
  return sqlitch_strdup(pw ? pw->pw_name : "?");
}

/* The plan for a conninfo, from libpq's own reading of it. */
static char *plan_by_libpq(const char *ci) {
  static PQconninfoOption *(*parse)(const char *, char **);
  static void (*opts_free)(PQconninfoOption *);
  if (!parse) {
    void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!h) return sqlitch_strdup("(no libpq)");
    *(void **)&parse = dlsym(h, "PQconninfoParse");
    *(void **)&opts_free = dlsym(h, "PQconninfoFree");
  }
  char *errmsg = NULL;
  PQconninfoOption *o = parse(ci, &errmsg);
  if (!o) {
    free(errmsg);
    return sqlitch_strdup("a conninfo libpq would reject");
  }
  static const char *const names[] = {"host",
                                      "port",
                                      "dbname",
                                      "user",
                                      "application_name",
                                      "fallback_application_name",
                                      "client_encoding",
                                      NULL};
  const char *val[7] = {
      DEFAULT_PGSOCKET_DIR, DEF_PGPORT_STR, NULL, NULL, NULL, NULL, "UTF8"};
  for (PQconninfoOption *p = o; p->keyword; p++)
    for (int i = 0; p->val && names[i]; i++)
      if (strcmp(p->keyword, names[i]) == 0) val[i] = p->val;
  char *sys = sysuser();
  const char *user = val[3] ? val[3] : sys, *db = val[2] ? val[2] : user;
  const char *app = val[4] ? val[4] : val[5];
  char *s = sqlitch_mprintf(
      "socket=%s/.s.PGSQL.%s user=%s database=%s%s%s client_encoding=%s",
      val[0], val[1], user, db, app ? " application_name=" : "", app ? app : "",
      val[6]);
  free(sys);
  opts_free(o);
  return s;
}

static void clear_pg_env(void) {
  for (int again = 1; again;) {
    again = 0;
    for (char **e = environ; *e && !again; e++)
      if (strncmp(*e, "PG", 2) == 0 && (*e)[2] >= 'A' && (*e)[2] <= 'Z') {
        char *n = sqlitch_strndup(*e, strcspn(*e, "="));
        unsetenv(n);
        free(n);
        again = 1;
      }
  }
}

static void planning(void) {
  clear_pg_env();

  /* conninfo syntax: this client reads what libpq reads */
  static const char *const cis[] = {
      "host=/tmp port=5433 dbname=flipr user='a b'",
      "  host = /tmp   dbname='x\\'y'  ",
      "dbname=a\\ b user=u\\\\v application_name=\\'q",
      "host=/run/pg' port=1",
      "dbname=x dbname=y user=z user=w",
      "dbname='it''s'",
      "dbname='unterminated",
      "dbname=x =y",
      "host=/tmp dbname=flipr user='postgres' password='s3cr!t pw'",
      "fallback_application_name=fb dbname=d",
      "application_name=app fallback_application_name=fb dbname=d",
      "host=/s port=5432 dbname=d user=u client_encoding=utf-8",
      "dbname='tab\there' user=x",
      "dbname=x'y' user=u",
      "dbname='a'user=b",
      "dbname=trailing\\",
      NULL};
  for (int i = 0; cis[i]; i++) {
    const char *k[] = {"client_encoding", "dbname", NULL};
    const char *v[] = {"UTF8", cis[i], NULL};
    char *want = plan_by_libpq(cis[i]);
    char name[200];
    snprintf(name, sizeof name, "read as libpq reads it: %s", cis[i]);
    plan_is(k, v, want, name);
    free(want);
  }

  /* what is left to libpq */
  static const struct {
    const char *ci, *env, *want;
  } no[] = {
      {"host=127.0.0.1 dbname=d", NULL, "not a unix socket"},
      {"host=/a,/b dbname=d", NULL, "several hosts"},
      {"host=@abstract dbname=d", NULL, "not a unix socket"},
      {"port=0 dbname=d", NULL, "port 0"},
      {"port=5432,5433 dbname=d", NULL, "port 5432,5433"},
      {"port=' 5432' dbname=d", NULL, "port  5432"},
      {"service=s", NULL, "connection parameter service"},
      {"options='-c geqo=off' dbname=d", NULL, "connection parameter options"},
      {"sslmode=verify-full dbname=d", NULL, "sslmode=verify-full"},
      {"sslmode=Require dbname=d", NULL, "sslmode=Require"},
      {"gssencmode=disable dbname=d", NULL, "connection parameter gssencmode"},
      {"client_encoding=LATIN1 dbname=d", NULL,
       "a client encoding other than UTF8"},
      {"client_encoding=auto dbname=d", NULL,
       "a client encoding other than UTF8"},
      {"host='' dbname=d", NULL, "an empty host"},
      {"postgresql://u@/d?host=/tmp", NULL, "a connection URI"},
      {"dbname=d", "PGSSLMODE=disable", "PGSSLMODE is set"},
      {"dbname=d", "PGSERVICE=x", "PGSERVICE is set"},
      {"dbname=d", "PGTZ=UTC", "PGTZ is set"},
      {"dbname=d", "PGHOST=", "an empty host"},
      {"dbname=d", "PGHOST=localhost", "not a unix socket"},
      {"host=/0123456789012345678901234567890123456789012345678901234567890"
       "12345678901234567890123456789012345678901234567890 dbname=d",
       NULL, "a socket path too long"},
  };
  for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
    const char *k[] = {"client_encoding", "dbname", NULL};
    const char *v[] = {"UTF8", no[i].ci, NULL};
    if (no[i].env) putenv((char *)no[i].env);
    char name[200];
    snprintf(name, sizeof name, "left to libpq: %s%s%s", no[i].ci,
             no[i].env ? ", " : "", no[i].env ? no[i].env : "");
    plan_is(k, v, no[i].want, name);
    clear_pg_env();
  }

  /* the arguments: empty values skipped, later keywords win, the first
     dbname expanded in its place, the environment for what is unset */
  char *sys = sysuser(), *want;
  {
    const char *k[] = {"client_encoding", "user", "dbname", "user", NULL};
    const char *v[] = {"UTF8", "a", "host=/h user=b", "", NULL};
    plan_is(
        k, v,
        "socket=/h/.s.PGSQL." DEF_PGPORT_STR
        " user=b database=b client_encoding=UTF8",
        "the conninfo overrides earlier keywords, empty values are skipped");
  }
  {
    const char *k[] = {"dbname", "client_encoding", "dbname", NULL};
    const char *v[] = {"host=/h client_encoding=latin1", "UTF8", "user=x",
                       NULL};
    want = sqlitch_mprintf("socket=/h/.s.PGSQL." DEF_PGPORT_STR
                           " user=%s database=user=x client_encoding=UTF8",
                           sys);
    plan_is(k, v, want, "later keywords override it; only one is expanded");
    free(want);
  }
  putenv("PGHOST=/env");
  putenv("PGPORT=6543");
  putenv("PGAPPNAME=envapp");
  putenv("PGPASSWORD=unused");
  {
    const char *k[] = {"client_encoding", "dbname", NULL};
    const char *v[] = {"UTF8", "user=u", NULL};
    plan_is(k, v,
            "socket=/env/.s.PGSQL.6543 user=u database=u "
            "application_name=envapp client_encoding=UTF8",
            "PGHOST, PGPORT, PGAPPNAME fill in what is unset");
    const char *v2[] = {"UTF8", "host=/h port=1 application_name=a", NULL};
    want = sqlitch_mprintf("socket=/h/.s.PGSQL.1 user=%s database=%s "
                           "application_name=a client_encoding=UTF8",
                           sys, sys);
    plan_is(k, v2, want, "... not what is set; user, database default");
    free(want);
  }
  clear_pg_env();
  {
    const char *k[] = {"dbname", NULL};
    const char *v[] = {"flipr", NULL};
    plan_is(k, v, "a client encoding other than UTF8",
            "no client_encoding: the server's default could be anything");
  }
  free(sys);
}

/* ------------------------------------------------------------ results */

static void results(void) {
  PGconn *c = fresh();
  columns(2);
  row(2, (const char *[]){"a", NULL});
  row(2, (const char *[]){"", "xyz"});
  complete("SELECT 2");
  ready();
  PGresult *r = PQexec(c, "SELECT a, b FROM t");
  is_int(PQresultStatus(r), PGRES_TUPLES_OK, "rows: TUPLES_OK");
  is_int(PQntuples(r), 2, "rows: two");
  is_int(PQnfields(r), 2, "rows: two fields");
  is_str(PQgetvalue(r, 0, 0), "a", "a value");
  is_str(PQgetvalue(r, 0, 1), "", "NULL reads as \"\"");
  ok(PQgetisnull(r, 0, 1) && !PQgetisnull(r, 1, 0), "NULL and empty");
  is_int(PQgetlength(r, 1, 1), 3, "length");
  ok(PQgetvalue(r, 2, 0) == NULL && PQgetisnull(r, 0, 2),
     "out of range: NULL, null");
  is_str(PQresultErrorMessage(r), "", "no error message");
  PQclear(r);
  char buf[256];
  size_t n = heard(buf, sizeof buf);
  ok(n == 24 && memcmp(buf, "Q\0\0\0\x17SELECT a, b FROM t\0", 24) == 0,
     "a simple Query message");

  /* several statements: the last result, as libpq's PQexec */
  complete("SET");
  complete("SET");
  columns(1);
  row(1, (const char *[]){"15.4"});
  complete("SELECT 1");
  ready();
  r = PQexec(c, "SET a = 1; SET b = 2; SELECT 1");
  ok(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
         strcmp(PQgetvalue(r, 0, 0), "15.4") == 0,
     "several statements: the last result");
  PQclear(r);
  complete("SET");
  ready();
  r = PQexec(c, "SET a = 1");
  is_int(PQresultStatus(r), PGRES_COMMAND_OK, "a command: COMMAND_OK");
  PQclear(r);
  say('I', &(sqlitch_buf)SQLITCH_BUF_INIT);
  ready();
  r = PQexec(c, "");
  is_int(PQresultStatus(r), PGRES_EMPTY_QUERY, "an empty query");
  PQclear(r);
  heard(buf, sizeof buf);

  /* extended query: the messages libpq sends for PQexecParams */
  say('1', &(sqlitch_buf)SQLITCH_BUF_INIT);
  say('2', &(sqlitch_buf)SQLITCH_BUF_INIT);
  columns(1);
  row(1, (const char *[]){"t"});
  complete("SELECT 1");
  ready();
  const char *vals[] = {"x", NULL};
  r = PQexecParams(c, "SELECT $1, $2", 2, NULL, vals, NULL, NULL, 0);
  ok(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1,
     "PQexecParams: the row");
  PQclear(r);
  static const char want[] = "P\0\0\0\x15\0SELECT $1, $2\0\0\0"
                             "B\0\0\0\x17\0\0\0\0\0\x02\0\0\0\x01x\xff\xff\xff"
                             "\xff\0\x01\0\0"
                             "D\0\0\0\x06P\0"
                             "E\0\0\0\x09\0\0\0\0\0"
                             "S\0\0\0\x04";
  n = heard(buf, sizeof buf);
  ok(n == sizeof want - 1 && memcmp(buf, want, n) == 0,
     "PQexecParams: Parse, Bind (text, a NULL), Describe, Execute, Sync");

  /* parameters: server_version as libpq reads it */
  static const struct {
    const char *v;
    int want;
  } versions[] = {{"15.18 (Debian 15.18-0+deb12u1)", 150018},
                  {"9.6.24", 90624},
                  {"10devel", 100000},
                  {"9.6beta1", 90600},
                  {"x", 0}};
  for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
    param("server_version", versions[i].v);
    complete("SET");
    ready();
    PQclear(PQexec(c, "SET x = 1"));
    is_int(PQserverVersion(c), versions[i].want, versions[i].v);
  }
  is_str(PQparameterStatus(c, "server_version"), "x", "PQparameterStatus");
  ok(PQparameterStatus(c, "nope") == NULL, "an unknown parameter");
  say('Z', &(sqlitch_buf)SQLITCH_BUF_INIT);
  {
    sqlitch_buf b = SQLITCH_BUF_INIT;
    sqlitch_buf_addc(&b, 'T');
    say('Z', &b);
  }
  PQfinish(c);
}

/* -------------------------------------------------------- error texts */

/* Queries, the position the server reported, and libpq 15's text. */
static const struct {
  const char *query, *msg, *pos, *want;
} errs[] = {
    {"SELECT nosuch FROM pg_class WHERE relname = 'a very long literal that "
     "goes on and on' AND relkind = 'r'",
     "column \"nosuch\" does not exist", "8",
     "ERROR:  column \"nosuch\" does not exist\nLINE 1: SELECT nosuch FROM "
     "pg_class WHERE relname = 'a very long lit...\n               ^\n"},
    {"SELECT relname FROM pg_class WHERE relname = 'a very long literal that "
     "goes on and on and on' AND relkind = nosuch",
     "column \"nosuch\" does not exist", "109",
     "ERROR:  column \"nosuch\" does not exist\nLINE 1: ...ong literal that "
     "goes on and on and on' AND relkind = nosuch\n                            "
     "                                     ^\n"},
    {"SELECT relname, relkind, relnamespace, reltype, reloftype, relowner, "
     "relam, nosuch, relfilenode, reltablespace, relpages, reltuples, "
     "relallvisible FROM pg_class",
     "column \"nosuch\" does not exist", "77",
     "ERROR:  column \"nosuch\" does not exist\nLINE 1: ...elnamespace, "
     "reltype, reloftype, relowner, relam, nosuch, re...\n                     "
     "                                        ^\n"},
    {"SELECT 1\r\n  , 2\r\n  , nosuch\r\nFROM pg_class",
     "column \"nosuch\" does not exist", "22",
     "ERROR:  column \"nosuch\" does not exist\nLINE 3:   , nosuch\n           "
     " ^\n"},
    {"SELECT 1\r  , 2\n\n  ,\tnosuch\t+ 1 FROM pg_class",
     "column \"nosuch\" does not exist", "21",
     "ERROR:  column \"nosuch\" does not exist\nLINE 4:   , nosuch + 1 FROM "
     "pg_class\n            ^\n"},
    {"SELECT 'é', 'ü', nosuch FROM pg_class",
     "column \"nosuch\" does not exist", "18",
     "ERROR:  column \"nosuch\" does not exist\nLINE 1: SELECT 'é', 'ü', "
     "nosuch FROM pg_class\n                         ^\n"},
    {"SELECT 1 FROM pg_class WHERE\n  relname = 'x' AND\n  relkind = nosuch",
     "column \"nosuch\" does not exist", "62",
     "ERROR:  column \"nosuch\" does not exist\nLINE 3:   relkind = nosuch\n   "
     "                 ^\n"},
    {"SELECT 1 FROM pg_class WHERE relname = 'x' AND relkind = 'y' AND 1 = 1 "
     "AND 2 = 2 AND nosuch",
     "column \"nosuch\" does not exist", "86",
     "ERROR:  column \"nosuch\" does not exist\nLINE 1: ...lname = 'x' AND "
     "relkind = 'y' AND 1 = 1 AND 2 = 2 AND nosuch\n                           "
     "                                      ^\n"},
    {"SELECT nosuch", "column \"nosuch\" does not exist", "8",
     "ERROR:  column \"nosuch\" does not exist\nLINE 1: SELECT nosuch\n        "
     "       ^\n"},
    {"SELECT (1", "syntax error at end of input", "10",
     "ERROR:  syntax error at end of input\nLINE 1: SELECT (1\n                "
     " ^\n"},
    {"SELECT 1 FROM\n", "syntax error at end of input", "15",
     "ERROR:  syntax error at end of input\nLINE 2: \n        ^\n"},
    {"SELECT 1,\n\tnosuch + (SELECT relname FROM pg_class WHERE relname = "
     "'abcdefghijklmnopqrstuvwxyz' LIMIT 1)",
     "column \"nosuch\" does not exist", "12",
     "ERROR:  column \"nosuch\" does not exist\nLINE 2:  nosuch + (SELECT "
     "relname FROM pg_class WHERE relname = 'abc...\n         ^\n"},
    {"SET search_path = 'x'; SELECT nosuch + 1",
     "column \"nosuch\" does not exist", "31",
     "ERROR:  column \"nosuch\" does not exist\nLINE 1: SET search_path = 'x'; "
     "SELECT nosuch + 1\n                                      ^\n"},
};

static const char *notice_text;
static void on_notice(void *arg, const char *text) {
  (void)arg;
  free((char *)notice_text);
  notice_text = sqlitch_strdup(text);
}

static void errors(void) {
  PGconn *c = fresh();
  for (size_t i = 0; i < sizeof errs / sizeof *errs; i++) {
    const char *f[] = {"S", "ERROR",     "V", "ERROR",
                       "C", "42703",     "M", errs[i].msg,
                       "P", errs[i].pos, "F", "parse_relation.c",
                       "L", "3633",      "R", "errorMissingColumn",
                       NULL};
    report('E', f);
    ready();
    PGresult *r = PQexec(c, errs[i].query);
    char name[200];
    snprintf(name, sizeof name, "libpq's text: %.60s", errs[i].query);
    for (char *p = name; *p; p++)
      if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
    is_str(PQresultErrorMessage(r), errs[i].want, name);
    if (i == 0) {
      is_int(PQresultStatus(r), PGRES_FATAL_ERROR, "an error: FATAL_ERROR");
      is_str(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42703", "SQLSTATE");
      ok(PQresultErrorField(r, PG_DIAG_SCHEMA_NAME) == NULL, "absent field");
      is_str(PQerrorMessage(c), errs[i].want, "PQerrorMessage: the same");
    }
    PQclear(r);
  }
  /* every part at the default verbosity; no position: no excerpt */
  const char *all[] = {"S", "ERROR",  "C", "P0001",
                       "M", "boom",   "D", "the detail",
                       "H", "a hint", "W", "PL/pgSQL function f() line 1",
                       "s", "public", NULL};
  report('E', all);
  ready();
  PGresult *r = PQexec(c, "SELECT f()");
  is_str(PQresultErrorMessage(r),
         "ERROR:  boom\nDETAIL:  the detail\nHINT:  a hint\n"
         "CONTEXT:  PL/pgSQL function f() line 1\n",
         "DETAIL, HINT, CONTEXT");
  PQclear(r);
  const char *internal[] = {"S", "ERROR",
                            "C", "42703",
                            "M", "column \"nosuch\" does not exist",
                            "p", "8",
                            "q", "SELECT nosuch FROM pg_class",
                            "W", "PL/pgSQL",
                            NULL};
  report('E', internal);
  ready();
  r = PQexec(c, "SELECT f()");
  is_str(PQresultErrorMessage(r),
         "ERROR:  column \"nosuch\" does not exist\n"
         "LINE 1: SELECT nosuch FROM pg_class\n"
         "               ^\n"
         "QUERY:  SELECT nosuch FROM pg_class\n"
         "CONTEXT:  PL/pgSQL\n",
         "an internal query: its excerpt and QUERY");
  PQclear(r);
  report('E', (const char *[]){NULL});
  ready();
  r = PQexec(c, "SELECT 1");
  is_str(PQresultErrorMessage(r), "no error message available\n",
         "an ErrorResponse without fields");
  PQclear(r);

  /* notices: the processor gets libpq's text, without CONTEXT */
  ok(PQsetNoticeProcessor(c, on_notice, NULL) != NULL, "the old processor");
  const char *warn[] = {"S", "WARNING", "C", "01000",     "M", "careful",
                        "D", "why",     "W", "somewhere", NULL};
  report('N', warn);
  complete("SELECT 0");
  ready();
  r = PQexec(c, "SELECT 1");
  is_int(PQresultStatus(r), PGRES_COMMAND_OK, "a notice is not the result");
  is_str(notice_text, "WARNING:  careful\nDETAIL:  why\n", "a notice's text");
  PQclear(r);

  /* the server's last word, then EOF: the connection is lost */
  const char *fatal[] = {
      "S",     "FATAL", "C",
      "57P01", "M",     "terminating connection due to administrator command",
      NULL};
  report('E', fatal);
  shutdown(srv, SHUT_WR);
  r = PQexec(c, "SELECT 1");
  static const char closed[] =
      "server closed the connection unexpectedly\n"
      "\tThis probably means the server terminated abnormally\n"
      "\tbefore or while processing the request.\n";
  is_int(PQresultStatus(r), PGRES_FATAL_ERROR, "lost: FATAL_ERROR");
  is_str(PQresultErrorMessage(r), closed, "lost: libpq's text in the result");
  ok(PQresultErrorField(r, PG_DIAG_SQLSTATE) == NULL, "lost: no SQLSTATE");
  char *both = sqlitch_mprintf("FATAL:  terminating connection due to "
                               "administrator command\n%s",
                               closed);
  is_str(PQerrorMessage(c), both, "lost: the connection has both");
  free(both);
  is_int(PQstatus(c), CONNECTION_BAD, "lost: CONNECTION_BAD");
  is_int(PQtransactionStatus(c), PQTRANS_UNKNOWN, "lost: PQTRANS_UNKNOWN");
  is_int(PQserverVersion(c), 0, "lost: no server version");
  PQclear(r);
  ok(PQexec(c, "SELECT 1") == NULL, "then no result at all");
  is_str(PQerrorMessage(c), "no connection to the server\n",
         "then: no connection to the server");
  ok(PQexecParams(c, "SELECT 1", 0, NULL, NULL, NULL, NULL, 0) == NULL,
     "PQexecParams too");
  PQfinish(c);
  free((char *)notice_text);
}

/* ------------------------------------------------- protocol violations */

static void violations(void) {
  static const struct {
    const char *bytes;
    size_t n;
    const char *want;
  } bad[] = {
      {"X\0\0\0\x02", 5,
       "lost synchronization with server: got message type \"X\", length 2\n"},
      {"w\0\0\x80\0", 5,
       "lost synchronization with server: got message type \"w\", length "
       "32768\n"},
      {"W\0\0\0\x04", 5,
       "lost synchronization with server: got message type \"W\", length 4\n"},
      {"D\0\0\0\x06\0\x01", 7,
       "lost synchronization with server: got message type \"D\", length 6\n"},
      {"T\0\0\0\x06\0\x01", 7,
       "lost synchronization with server: got message type \"T\", length 6\n"},
      {"E\0\0\0\x06Sx", 7,
       "lost synchronization with server: got message type \"E\", length 6\n"},
      {"C\0\0\0\x09", 5,
       "server closed the connection unexpectedly\n\tThis probably means the "
       "server terminated abnormally\n\tbefore or while processing the "
       "request.\n"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    PGconn *c = fresh();
    if (write(srv, bad[i].bytes, bad[i].n) != (ssize_t)bad[i].n) diag("write");
    shutdown(srv, SHUT_WR);
    PGresult *r = PQexec(c, "SELECT 1");
    char name[80];
    snprintf(name, sizeof name, "violation %zu: libpq's words, bad connection",
             i);
    ok(PQresultStatus(r) == PGRES_FATAL_ERROR && PQstatus(c) == CONNECTION_BAD,
       name);
    is_str(PQresultErrorMessage(r), bad[i].want, name);
    PQclear(r);
    PQfinish(c);
  }
}

/* ------------------------------------------------------------- others */

static void others(void) {
  PGconn *c = fresh();
  static const struct {
    const char *in, *want;
  } lit[] = {{"sqitch", "'sqitch'"},
             {"o'reg", "'o''reg'"},
             {"back\\slash", " E'back\\\\slash'"},
             {"it's \\", " E'it''s \\\\'"},
             {"r\xc3\xa9gistre", "'r\xc3\xa9gistre'"}};
  for (size_t i = 0; i < sizeof lit / sizeof *lit; i++) {
    char *got = PQescapeLiteral(c, lit[i].in, strlen(lit[i].in));
    is_str(got, lit[i].want, lit[i].in);
    PQfreemem(got);
  }
  char *got = PQescapeLiteral(c, "ab", 1);
  is_str(got, "'a'", "escape: only len bytes");
  PQfreemem(got);
  ok(PQescapeLiteral(c, "x\xc3", 2) == NULL, "escape: a cut character");
  is_str(PQerrorMessage(c), "incomplete multibyte character\n",
         "escape: libpq's error");
  is_int(PQtransactionStatus(c), PQTRANS_IDLE, "idle");

  /* never reached by status and log: fail loudly */
  ok(PQsendQuery(c, "SELECT 1") == 0, "PQsendQuery fails");
  ok(strstr(PQerrorMessage(c),
            "internal error: PQsendQuery is not available") != NULL,
     "... saying so");
  is_int(PQstatus(c), CONNECTION_BAD, "... and the connection is done");
  PQfinish(c);
  c = fresh();
  ok(PQgetCancel(c) == NULL && PQstatus(c) == CONNECTION_BAD,
     "PQgetCancel fails too");
  PQfinish(c);
  ok(PQstatus(NULL) == CONNECTION_BAD &&
         PQresultStatus(NULL) == PGRES_FATAL_ERROR && PQntuples(NULL) == 0,
     "NULL connection and result");
}

int main(void) {
  sqlitch_err err = SQLITCH_ERR_INIT;
  sqlitch_pg_wire_allow(1);
  unsetenv("SQLITCH_PG_WIRE");
  ok(sqlitch_pg_wire_load(&err) == SQLITCH_OK, "the client fills the table");
  ok(sqlitch_pg_wire_route() == NULL, "no connection made yet");
  planning();
  results();
  errors();
  violations();
  others();
  return tap_done();
}
#else
int main(void) {
  ok(1, "built without libpq: the pg engine is absent");
  return tap_done();
}
#endif
