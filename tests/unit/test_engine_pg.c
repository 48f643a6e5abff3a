/*
** test_engine_pg.c -- unit tests of the psql parser (engine_pg_psql.c):
** how a script is cut into the statements psql 15 sends, which
** meta-commands run, what the variables become, and when the real psql
** must run instead. No server needed (tests/engine/pg-psql.t compares
** with the real psql on a live server).
*/
#include "tap.h"

#ifdef SQLITCH_HAVE_PG
#include <stdlib.h>

#include "engine_pg.h"

/* The actions of a script as one string: "S<text>|" "O<text>|" ... */
static char *render(const char *text, const sqlitch_psql_vars *vars,
                    char **fallback, long *final_commit) {
  sqlitch_psql_script *s;
  sqlitch_psql_parse("f.sql", text, strlen(text), vars, 1, &s);
  sqlitch_buf b = SQLITCH_BUF_INIT;
  static const char kinds[] = "SOEF";
  for (size_t i = 0; i < s->n; i++)
    sqlitch_buf_addf(&b, "%c%lu:%s|", kinds[s->v[i].kind], s->v[i].line,
                     s->v[i].text);
  if (fallback) *fallback = s->fallback ? sqlitch_strdup(s->fallback) : NULL;
  if (final_commit) *final_commit = s->final_commit;
  sqlitch_psql_script_free(s);
  return b.p ? sqlitch_buf_take(&b) : sqlitch_strdup("");
}

static void check(const char *text, const char *want, const char *name) {
  sqlitch_psql_vars v = SQLITCH_PSQL_VARS_INIT;
  sqlitch_psql_vars_set(&v, "v", "val");
  sqlitch_psql_vars_set(&v, "semi", "1; SELECT 2");
  sqlitch_psql_vars_set(&v, "q", "it's \\");
  sqlitch_psql_vars_set(&v, "rec", ":rec");
  char *got = render(text, &v, NULL, NULL);
  is_str(got, want, name);
  free(got);
  sqlitch_psql_vars_free(&v);
}

static void check_fallback(const char *text, int want, const char *name) {
  sqlitch_psql_vars v = SQLITCH_PSQL_VARS_INIT;
  char *fb = NULL;
  char *got = render(text, &v, &fb, NULL);
  ok((fb != NULL) == want, name);
  if ((fb != NULL) != want) diag("fallback: %s", fb ? fb : "(none)");
  free(fb);
  free(got);
  sqlitch_psql_vars_free(&v);
}

static void check_commit(const char *text, long want, const char *name) {
  sqlitch_psql_vars v = SQLITCH_PSQL_VARS_INIT;
  long fc = -2;
  char *got = render(text, &v, NULL, &fc);
  is_int(fc, want, name);
  free(got);
  sqlitch_psql_vars_free(&v);
}

int main(void) {
  /* statements and lines */
  check("SELECT 1;\nSELECT 2;", "S1:SELECT 1;|S2:SELECT 2;|", "two lines");
  check("SELECT 1; SELECT 2;", "S1:SELECT 1;|S1:SELECT 2;|", "one line");
  check("SELECT\n\n  1\n;", "S4:SELECT\n  1\n;|", "blank lines dropped");
  check("  -- c\nSELECT 1 -- k\n;", "S3:SELECT 1 -- k\n;|",
        "leading comment dropped, inner kept");
  check("SELECT 1", "S1:SELECT 1|", "statement at the end of the file");
  check("SELECT 'a;b', \"c;d\", $$;$$, $t$ $$; $t$, E'\\';';",
        "S1:SELECT 'a;b', \"c;d\", $$;$$, $t$ $$; $t$, E'\\';';|",
        "quotes hide semicolons");
  check("SELECT (1;\n2);", "S2:SELECT (1;\n2);|", "parentheses hide them");
  check("/* a; /* b; */ c; */ SELECT 1;", "S1:/* a; /* b; */ c; */ SELECT 1;|",
        "nested comments");
  check("CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
        "SELECT CASE WHEN true THEN 1 END;\nEND;\nSELECT 2;",
        "S4:CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
        "SELECT CASE WHEN true THEN 1 END;\nEND;|S5:SELECT 2;|",
        "BEGIN ATOMIC bodies");
  check("\xef\xbb\xbfSELECT 1;", "S1:SELECT 1;|", "BOM");
  check("SELECT 1 \\; SELECT 2;", "S1:SELECT 1 ; SELECT 2;|", "\\;");
  check("SELECT x::int, a[1:2], :=;", "S1:SELECT x::int, a[1:2], :=;|",
        "colons that are not variables");
  /* variables */
  check("SELECT :v, :'v', :\"v\", :{?v}, :{?w}, :w;",
        "S1:SELECT val, 'val', \"val\", TRUE, FALSE, :w;|", "substitution");
  check("SELECT :'q';", "S1:SELECT  E'it''s \\\\';|", "literal escaping");
  check("SELECT ':v' -- :v\n;", "S2:SELECT ':v' -- :v\n;|",
        "not inside quotes or comments");
  check("SELECT :semi;", "S1:SELECT 1;|S1:SELECT 2;|",
        "a value is lexed again");
  check("SELECT :rec;",
        "E1:psql:f.sql:1: warning: skipping recursive expansion of variable "
        "\"rec\"\n|S1:SELECT :rec;|",
        "recursion");
  /* meta-commands */
  check("\\echo a 'b c' \"d\" :v\n\\echo -n x\n\\warn w",
        "O1:a b c \"d\" val\n|O2:x|E3:w\n|", "\\echo, -n, \\warn");
  check("\\set x 1 2 '3'\nSELECT :x;\n\\unset x\nSELECT :x;",
        "S2:SELECT 123;|S4:SELECT :x;|", "\\set and \\unset");
  check("\\set bad-name 1\nSELECT 1;",
        "F1:psql:f.sql:1: error: invalid variable name: \"bad-name\"\n|",
        "invalid name stops the script");
  check("\\unset a b",
        "E1:psql:f.sql:1: warning: \\unset: extra argument \"b\" ignored\n|",
        "extra arguments");
  check("\\i /nonexistent/x.sql\nSELECT 1;",
        "F1:psql:f.sql:1: error: /nonexistent/x.sql: No such file or "
        "directory\n|",
        "a missing include");
  check("\\echo 'unterminated",
        "E1:psql:f.sql:1: error: unterminated quoted string\n|O1:\n|",
        "unterminated argument");
  check("SELECT 1 \\echo mid\n;", "O1:mid\n|S2:SELECT 1 \n;|",
        "meta-command inside a statement");
  check("\\echo a \\\\ SELECT 1;", "O1:a\n|S1:SELECT 1;|", "\\\\ separator");
  /* the real psql is needed */
  check_fallback("SELECT 1;", 0, "plain SQL runs in process");
  check_fallback("\\if true\n\\endif", 1, "\\if");
  check_fallback("COPY t FROM STDIN;\n1\n\\.", 1, "COPY");
  check_fallback("SELECT :'DBNAME';", 1, "psql's own variables");
  check_fallback("\\set ON_ERROR_STOP 0", 1, "setting ON_ERROR_STOP");
  check_fallback("\\echo `date`", 1, "backquotes");
  check_fallback("SET standard_conforming_strings = off;", 1,
                 "standard_conforming_strings");
  check_fallback("\\set", 1, "listing variables");
  /* the final COMMIT */
  check_commit("BEGIN;\nSELECT 1;\nCOMMIT;\n", 2, "final COMMIT found");
  check_commit("BEGIN;\nEND TRANSACTION;\n\\echo done\n", 1,
               "END TRANSACTION, output after it");
  check_commit("BEGIN;\nCOMMIT;\nSELECT 1;\n", -1, "a statement after it");
  check_commit("BEGIN;\nCOMMIT AND CHAIN;\n", -1, "COMMIT AND CHAIN is not");
  check_commit("SELECT 1;\n", -1, "no COMMIT");
  return tap_done();
}
#else
int main(void) {
  ok(1, "built without libpq: the pg engine is absent");
  return tap_done();
}
#endif
