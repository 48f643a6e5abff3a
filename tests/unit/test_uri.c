/*
** test_uri.c -- unit tests for core/uri.c (URI::db compatibility).
** Expected values were produced by Perl's URI::db 0.20 (URI 5.17), the
** versions Sqitch 1.3.1 runs on.
*/
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "target.h"

typedef struct {
  const char *in, *str, *display, *engine, *user, *password, *host;
  int port;
  const char *dbname;
} parse_case;

static const parse_case parse_cases[] = {
    {"db:pg://u%40x:p%3Aw@host:5433/db?a=1&b",
     "db:pg://u%40x:p%3Aw@host:5433/db?a=1&b",
     "db:pg://u%40x:@host:5433/db?a=1&b", "pg", "u@x", "p:w", "host", 5433,
     "db"},
    {"db:sqlite:", "db:sqlite:", "db:sqlite:", "sqlite", NULL, NULL, NULL, -1,
     NULL},
    {"db:", "db:", "db:", NULL, NULL, NULL, NULL, -1, NULL},
    {"db:sqlite:foo bar.db", "db:sqlite:foo%20bar.db", "db:sqlite:foo%20bar.db",
     "sqlite", NULL, NULL, NULL, -1, "foo bar.db"},
    {"db:sqlite:///abs/x.db", "db:sqlite:///abs/x.db", "db:sqlite:///abs/x.db",
     "sqlite", NULL, NULL, "", -1, "abs/x.db"},
    {"db:postgres://h/", "db:postgres://h/", "db:postgres://h/", "pg", NULL,
     NULL, "h", -1, ""},
    {"DB:PG://H/x", "DB:PG://H/x", "DB:PG://H/x", "pg", NULL, NULL, "H", -1,
     "x"},
    {"db:foo:bar", "db:foo:bar", "db:foo:bar", "foo", NULL, NULL, NULL, -1,
     "bar"},
    {"postgres://x/y", "db:postgres://x/y", "db:postgres://x/y", "pg", NULL,
     NULL, "x", -1, "y"},
    {"db:pg:", "db:pg:", "db:pg:", "pg", NULL, NULL, NULL, -1, NULL},
    {"db:pg://", "db:pg://", "db:pg://", "pg", NULL, NULL, "", -1, NULL},
    {"db:pg://:5/x", "db:pg://:5/x", "db:pg://:5/x", "pg", NULL, NULL, "", 5,
     "x"},
    {"db:mysql://[::1]:3306/x", "db:mysql://[::1]:3306/x",
     "db:mysql://[::1]:3306/x", "mysql", NULL, NULL, "::1", 3306, "x"},
    {"db:pg://us er:pa ss@h ost/d b", "db:pg://us%20er:pa%20ss@h%20ost/d%20b",
     "db:pg://us%20er:@h%20ost/d%20b", "pg", "us er", "pa ss", "h ost", -1,
     "d b"},
    {"db:sqlite:a;b/c", "db:sqlite:a;b/c", "db:sqlite:a;b/c", "sqlite", NULL,
     NULL, NULL, -1, "a/c"},
    {"db:pg:/x?y#frag", "db:pg:/x?y#frag", "db:pg:/x?y#frag", "pg", NULL, NULL,
     NULL, -1, "/x"},
    {"db:pg:x%2Fy", "db:pg:x%2Fy", "db:pg:x%2Fy", "pg", NULL, NULL, NULL, -1,
     "x/y"},
    {"db:sqlite:/abs/path.db", "db:sqlite:/abs/path.db",
     "db:sqlite:/abs/path.db", "sqlite", NULL, NULL, NULL, -1, "/abs/path.db"},
    {"db:sqlite:rel/x.db", "db:sqlite:rel/x.db", "db:sqlite:rel/x.db", "sqlite",
     NULL, NULL, NULL, -1, "rel/x.db"},
    {"db:mariadb://root@localhost/flipr", "db:mariadb://root@localhost/flipr",
     "db:mariadb://root@localhost/flipr", "mysql", "root", NULL, "localhost",
     -1, "flipr"},
    {"db:maria:", "db:maria:", "db:maria:", "mysql", NULL, NULL, NULL, -1,
     NULL},
    {"db:sqlite3:x", "db:sqlite3:x", "db:sqlite3:x", "sqlite", NULL, NULL, NULL,
     -1, "x"},
    {"db:pgsql://a:b@c:1/d", "db:pgsql://a:b@c:1/d", "db:pgsql://a:@c:1/d",
     "pg", "a", "b", "c", 1, "d"},
    {"db:pgxc:", "db:pgxc:", "db:pgxc:", "pg", NULL, NULL, NULL, -1, NULL},
    {"db:postgresql:", "db:postgresql:", "db:postgresql:", "pg", NULL, NULL,
     NULL, -1, NULL},
    {"db:yugabyte:", "db:yugabyte:", "db:yugabyte:", "pg", NULL, NULL, NULL, -1,
     NULL},
    {"db://localhost/mydb", "db://localhost/mydb", "db://localhost/mydb", NULL,
     NULL, NULL, "localhost", -1, "mydb"},
    {"x", "db:x", "db:x", NULL, NULL, NULL, NULL, -1, "x"},
    {"", "db:", "db:", NULL, NULL, NULL, NULL, -1, NULL},
    {"db:pg://h:/d", "db:pg://h:/d", "db:pg://h:/d", "pg", NULL, NULL, "h:", -1,
     "d"},
    {"  db:pg:x  ", "db:pg:x", "db:pg:x", "pg", NULL, NULL, NULL, -1, "x"},
    {"<db:pg:x>", "db:pg:x", "db:pg:x", "pg", NULL, NULL, NULL, -1, "x"},
    {"\"db:pg:x\"", "db:pg:x", "db:pg:x", "pg", NULL, NULL, NULL, -1, "x"},
    {"db:pg://a@b@h/x", "db:pg://a@b@h/x", "db:pg://a@b@h/x", "pg", "a@b", NULL,
     "h", -1, "x"},
    {"db:pg://:@h/x", "db:pg://:@h/x", "db:pg://:@h/x", "pg", "", "", "h", -1,
     "x"},
    {"db:pg://u:@h/x", "db:pg://u:@h/x", "db:pg://u:@h/x", "pg", "u", "", "h",
     -1, "x"},
    {"db:pg://u:0@h/x", "db:pg://u:0@h/x", "db:pg://u:@h/x", "pg", "u", "0",
     "h", -1, "x"},
    {"db:pg:caf%C3%A9", "db:pg:caf%C3%A9", "db:pg:caf%C3%A9", "pg", NULL, NULL,
     NULL, -1, "café"},
    {"db:pg://%5Bx%5D/y", "db:pg://[x]/y", "db:pg://[x]/y", "pg", NULL, NULL,
     "x", -1, "y"},
    {"db:pg://h[1]/y", "db:pg://h[1]/y", "db:pg://h[1]/y", "pg", NULL, NULL,
     "h[1]", -1, "y"},
    {"db:sqlite://h[1]/y", "db:sqlite://h%5B1%5D/y", "db:sqlite://h%5B1%5D/y",
     "sqlite", NULL, NULL, "h[1]", -1, "y"},
    {"db:mysql://u:p@h:3306/d?mysql_ssl=1&x=a+b;z=%41",
     "db:mysql://u:p@h:3306/d?mysql_ssl=1&x=a+b;z=%41",
     "db:mysql://u:@h:3306/d?mysql_ssl=1&x=a+b;z=%41", "mysql", "u", "p", "h",
     3306, "d"},
    {"db:http://x/y", "db:http://x/y", "db:http://x/y", "http", NULL, NULL, "x",
     -1, "y"},
    {"db:snowflake://u@acct/db?Warehouse=w",
     "db:snowflake://u@acct/db?Warehouse=w",
     "db:snowflake://u@acct/db?Warehouse=w", "snowflake", "u", NULL, "acct", -1,
     "db"},
    {"db:pg:x%zz", "db:pg:x%zz", "db:pg:x%zz", "pg", NULL, NULL, NULL, -1,
     "x%zz"},
    {"db:PG:", "db:PG:", "db:PG:", "pg", NULL, NULL, NULL, -1, NULL},
    {"<URL:db:pg:y>", "db:pg:y", "db:pg:y", "pg", NULL, NULL, NULL, -1, "y"},
    {"db:sqlite:foo/", "db:sqlite:foo/", "db:sqlite:foo/", "sqlite", NULL, NULL,
     NULL, -1, "foo/"},
    {"db:pg://h/caf\xc3\xa9", "db:pg://h/caf%C3%A9", "db:pg://h/caf%C3%A9",
     "pg", NULL, NULL, "h", -1, "caf\xc3\xa9"},
};

typedef struct {
  const char *in;
  const char *user, *host, *port, *dbname,
      *password; /* "-" = not set, NULL = unset */
  const char *want;
} set_case;

#define N "-"
static const set_case set_cases[] = {
    {"db:pg:", "bob", N, N, N, N, "db:pg://bob@"},
    {"db:pg:", N, "h", N, N, N, "db:pg://h"},
    {"db:pg:mydb", N, "h", N, N, N, "db:pg://h/mydb"},
    {"db:pg:", N, N, "5433", N, N, "db:pg://:5433"},
    {"db:pg:", N, N, N, "x", N, "db:pg:x"},
    {"db:pg://h", N, N, N, "x", N, "db:pg://h/x"},
    {"db:pg://u:p@h/db", "x:y@z", N, N, N, N, "db:pg://x%3Ay%40z:p@h/db"},
    {"db:pg://:p@h/db", N, N, N, N, NULL, "db:pg://h/db"},
    {"db:pg://:@h/db", N, N, "1", N, N, "db:pg://:@h:1/db"},
    {"db:sqlite:", N, N, N, "/a/b", N, "db:sqlite:/a/b"},
    {"db:sqlite://h", N, N, N, "/a/b", N, "db:sqlite://h//a/b"},
    {"db:pg://h:5/d", N, "::1", N, N, N, "db:pg://[::1]:5/d"},
    {"db:pg://h:5/d", N, "n:7", N, N, N, "db:pg://n:7/d"},
    {"db:pg://u@h/d", N, "a@b", N, N, N, "db:pg://u@a%40b/d"},
    {"db:pg://u@h/d", NULL, N, N, N, N, "db:pg://h/d"},
    {"db:pg://u:p@h/d", NULL, N, N, N, N, "db:pg://:p@h/d"},
    {"db:pg:", N, N, N, "a?b#c", N, "db:pg:a%3Fb%23c"},
    {"db:", N, N, N, "x:y", N, "db:./x:y"},
    {"db:pg://h/d", N, N, "0", N, N, "db:pg://h:0/d"},
    {"db:pg://h:/d", N, N, "9", N, N, "db:pg://h:9/d"},
    {"db:pg:", "bob", "h", "1", "d", N, "db:pg://bob@h:1/d"},
    {"db:sqlite:x.db", N, "h", N, N, N, "db:sqlite://h/x.db"},
    {"db:sqlite:x.db", N, N, N, "/abs/y.db", N, "db:sqlite:/abs/y.db"},
    {"db:pg://u:p@h/d", "bob", N, N, N, N, "db:pg://bob:p@h/d"},
    {"db:pg://u:p@h/d", N, "other", N, N, N, "db:pg://u:p@other/d"},
    {"db:pg://", N, N, N, "x", N, "db:pg:///x"},
    {"db:pg:/x", N, N, N, "y", N, "db:pg:y"},
    {"db:mysql://h/d?x=1", N, N, N, "e", N, "db:mysql://h/e?x=1"},
    {"db:mysql://h/d?x=1", N, "k", N, N, N, "db:mysql://k/d?x=1"},
    {"db:pg://h", N, "h%x", N, N, N, "db:pg://h%x"},
    {"db:pg://h", N, "a/b", N, N, N, "db:pg://a%2Fb"},
    {"db:pg:", "a%b:c", N, N, N, N, "db:pg://a%25b%3Ac@"},
    {"db:pg:", NULL, N, N, N, N, "db:pg://"},
    {"db:pg://u:pass@h", NULL, N, N, N, N, "db:pg://:pass@h"},
    {"db:pg://u:p@h", N, NULL, N, N, N, "db:pg://u:p@"},
    {"db:pg://u@h:5", N, "", N, N, N, "db:pg://u@:5"},
    {"db:pg://h", N, N, N, NULL, N, "db:pg://h"},
    {"db:pg://h/x", N, N, N, NULL, N, "db:pg://h"},
    {"db:pg:/x", N, N, N, NULL, N, "db:pg:"},
    {"db:pg://h", N, N, N, N, "s%3", "db:pg://:s%253@h"},
    {"db:pg:x", N, N, N, N, "pw", "db:pg://:pw@/x"},
    {"db:pg:", N, "fe80::1", N, N, N, "db:pg://[fe80::1]"},
    {"db:pg:", N, "[::1]:9", N, N, N, "db:pg://[::1]:9"},
};

static int given(const char *v) { return !v || strcmp(v, N) != 0; }

int main(void) {
  sqlitch_err err = SQLITCH_ERR_INIT;
  char name[256];

  for (size_t i = 0; i < sizeof parse_cases / sizeof *parse_cases; i++) {
    const parse_case *c = &parse_cases[i];
    sqlitch_uri *u = sqlitch_uri_new_db(c->in);
    char *s = sqlitch_uri_string(u), *d = sqlitch_uri_display(u);
    snprintf(name, sizeof name, "new_db(%s): string", c->in);
    is_str(s, c->str, name);
    snprintf(name, sizeof name, "new_db(%s): display", c->in);
    is_str(d, c->display, name);
    snprintf(name, sizeof name, "new_db(%s): engine", c->in);
    is_str(u->engine, c->engine, name);
    snprintf(name, sizeof name, "new_db(%s): user", c->in);
    is_str(u->user, c->user, name);
    snprintf(name, sizeof name, "new_db(%s): password", c->in);
    is_str(u->password, c->password, name);
    snprintf(name, sizeof name, "new_db(%s): host", c->in);
    is_str(u->host, c->host, name);
    snprintf(name, sizeof name, "new_db(%s): port", c->in);
    is_int(u->port, c->port, name);
    snprintf(name, sizeof name, "new_db(%s): dbname", c->in);
    is_str(u->dbname, c->dbname, name);
    /* the display never holds the password */
    if (u->password && *u->password) {
      snprintf(name, sizeof name, "new_db(%s): display hides password", c->in);
      ok(strstr(d, "p%3Aw") == NULL && !strstr(d, ":pa%20ss@") &&
             !strstr(d, ":b@") && !strstr(d, ":p@") && !strstr(d, ":0@"),
         name);
    }
    /* a copy is the same URI */
    sqlitch_uri *cp = sqlitch_uri_dup(u);
    snprintf(name, sizeof name, "dup(%s)", c->in);
    is_str(cp->str, u->str, name);
    sqlitch_uri_free(cp);
    free(s);
    free(d);
    sqlitch_uri_free(u);
  }

  for (size_t i = 0; i < sizeof set_cases / sizeof *set_cases; i++) {
    const set_case *c = &set_cases[i];
    sqlitch_uri *u = sqlitch_uri_new_db(c->in);
    if (given(c->user)) sqlitch_uri_set_user(u, c->user);
    if (given(c->host)) sqlitch_uri_set_host(u, c->host);
    if (given(c->port)) sqlitch_uri_set_port(u, c->port);
    if (given(c->dbname)) sqlitch_uri_set_dbname(u, c->dbname);
    if (given(c->password)) sqlitch_uri_set_password(u, c->password);
    snprintf(name, sizeof name, "setters on %s -> %s", c->in, c->want);
    is_str(u->str, c->want, name);
    sqlitch_uri_free(u);
  }

  /* strict parsing (URI->new(...)->isa('URI::db')) */
  sqlitch_uri *u = NULL;
  ok(sqlitch_uri_parse("pg://h/db", &u, &err) == SQLITCH_ERROR && !u,
     "parse: pg://h/db is not a db: URI");
  is_str(err.msg, "URI \"pg://h/db\" is not a database URI", "parse: message");
  is_int(err.exitval, 2, "parse: exit value");
  ok(sqlitch_uri_parse("foo bar", &u, &err) == SQLITCH_ERROR,
     "parse: plain words fail");
  is_str(err.msg, "URI \"foo%20bar\" is not a database URI",
         "parse: message shows the escaped URI");
  ok(sqlitch_uri_parse("DB:pg:x", &u, &err) == SQLITCH_OK && u,
     "parse: DB: prefix in any case");
  is_str(u->str, "DB:pg:x", "parse: prefix kept as written");
  sqlitch_uri_free(u);
  ok(sqlitch_uri_parse("db:", &u, &err) == SQLITCH_OK && u && !u->engine,
     "parse: db: has no engine");
  is_str(u->scheme_engine, "", "parse: empty scheme engine");
  sqlitch_uri_free(u);
  ok(sqlitch_uri_parse("db:postgres://x", &u, &err) == SQLITCH_OK,
     "parse: alias");
  is_str(u->scheme_engine, "postgres", "parse: scheme engine as written");
  is_str(u->engine, "pg", "parse: canonical engine");
  sqlitch_uri_free(u);
  ok(sqlitch_uri_is_db("<db:pg:>"), "is_db: wrapped db URI");
  ok(sqlitch_uri_is_db(" db:pg: "), "is_db: blanks around");
  ok(!sqlitch_uri_is_db(" <db:pg:>"), "is_db: blanks outside the wrapper");
  ok(!sqlitch_uri_is_db("pg:x"), "is_db: other scheme");
  ok(!sqlitch_uri_is_db("dbx:pg:"), "is_db: longer scheme");
  ok(!sqlitch_uri_is_db("flipr"), "is_db: a name");
  ok(!sqlitch_uri_is_db(NULL), "is_db: NULL");

  /* query parameters */
  u = sqlitch_uri_new_db("db:mysql://u:p@h:3306/d?b=1&a=x+y;b=2&f&a=%41");
  is_int(u->nparams, 5, "params: count");
  if (u->nparams == 5) {
    is_str(u->params[0].key, "b", "params: grouped by first key (1)");
    is_str(u->params[0].value, "1", "params: b=1");
    is_str(u->params[1].value, "2", "params: b=2");
    is_str(u->params[2].key, "a", "params: then a");
    is_str(u->params[2].value, "x y", "params: + is a blank");
    is_str(u->params[3].value, "A", "params: %41 decoded");
    is_str(u->params[4].key, "f", "params: flag");
    is_str(u->params[4].value, "", "params: flag has empty value");
  }
  sqlitch_uri_free(u);
  u = sqlitch_uri_new_db("db:pg://h/d?sslmode");
  is_int(u->nparams, 0, "params: a query without = is not a form");
  sqlitch_uri_free(u);
  u = sqlitch_uri_new_db("db:pg://h/d?a=1&&");
  is_int(u->nparams, 1, "params: trailing separators dropped");
  sqlitch_uri_free(u);

  /* engines */
  is_str(sqlitch_engine_key("postgresql"), "pg", "engine_key: postgresql");
  is_str(sqlitch_engine_key("sqlite3"), "sqlite", "engine_key: sqlite3");
  is_str(sqlitch_engine_key("maria"), "mysql", "engine_key: maria");
  is_str(sqlitch_engine_key("mariadb"), "mysql", "engine_key: mariadb");
  is_str(sqlitch_engine_key("pgxc"), "pg", "engine_key: pgxc");
  ok(sqlitch_engine_key("nope") == NULL, "engine_key: unknown");
  ok(sqlitch_engine_known("snowflake"), "known: snowflake");
  ok(!sqlitch_engine_known("postgres"), "known: aliases are not engines");
  is_int(sqlitch_uri_default_port("pg"), 5432, "default port pg");
  is_int(sqlitch_uri_default_port("mariadb"), 3306, "default port mariadb");
  is_int(sqlitch_uri_default_port("sqlite"), -1, "default port sqlite");
  const char *const *names = sqlitch_engine_names();
  is_str(names[0], "pg", "engine names: first");
  is_str(names[7], "snowflake", "engine names: last");
  ok(names[8] == NULL, "engine names: terminated");

  sqlitch_err_clear(&err);
  return tap_done();
}
