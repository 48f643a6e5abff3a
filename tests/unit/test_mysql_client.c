/*
** test_mysql_client.c -- unit tests for engine_mysql_client.c: how the
** mysql client's batch mode cuts Sqitch's --execute text and the scripts
** it sources into statements (with their lines and files), the client
** commands it runs or leaves to the real client, its output formats, and
** the option files it reads. No server needed; tests/engine/mysql_scripts.t
** checks the same against the real client on a real server.
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_mysql.h"
#include "tap.h"

static char dir[64];

static void put(const char *name, const char *text) {
  char *p = sqlitch_mprintf("%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  fputs(text, f);
  fclose(f);
  free(p);
}

/* Parse `script` given as the text of "s.sql" (sourced by the execute
   text), utf8mb3. */
static sqlitch_mysql_script *parse_as(const char *script, int utf8) {
  sqlitch_mysql_parse_opts o = {.utf8 = utf8};
  o.known_path = "s.sql";
  o.known_text = script;
  o.known_len = strlen(script);
  sqlitch_mysql_script *s;
  sqlitch_mysql_parse("source s.sql", &o, &s);
  return s;
}

/* "K|text|file:line" for each action, joined by "\n". */
static char *dump(const sqlitch_mysql_script *s) {
  static const char kinds[] = "SUE";
  sqlitch_buf b = SQLITCH_BUF_INIT;
  if (s->fallback) sqlitch_buf_addf(&b, "FALLBACK %s", s->fallback);
  for (size_t i = 0; i < s->n; i++)
    sqlitch_buf_addf(&b, "%s%c|%s|%s:%lu%s", b.len ? "\n" : "",
                     kinds[s->v[i].kind], s->v[i].text,
                     s->v[i].file ? s->v[i].file : "-", s->v[i].line,
                     s->v[i].fatal ? "!" : "");
  return b.p ? sqlitch_buf_take(&b) : sqlitch_strdup("");
}

static void check(const char *script, const char *want, const char *name) {
  sqlitch_mysql_script *s = parse_as(script, 3);
  char *got = dump(s);
  is_str(got, want, name);
  free(got);
  sqlitch_mysql_script_free(s);
}

static void check_fallback(const char *script, int utf8, const char *name) {
  sqlitch_mysql_script *s = parse_as(script, utf8);
  ok(s->fallback != NULL, name);
  sqlitch_mysql_script_free(s);
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/test_mysql_client.XXXXXX");
  if (!mkdtemp(dir)) return 1;
  if (chdir(dir)) return 1;

  /* ---- the execute text */
  sqlitch_strv vars = SQLITCH_STRV_INIT;
  char *x = sqlitch_mysql_execute_text(&vars, "deploy/a b.sql");
  is_str(x, "source deploy/a b.sql", "no variables: just source");
  free(x);
  sqlitch_strv_push(&vars, "k=v");
  sqlitch_strv_push(&vars, "q\"x=it's");
  x = sqlitch_mysql_execute_text(&vars, "f.sql");
  is_str(x, "SET @\"k\" = 'v', @\"q\"\"x\" = 'it''s';\nsource f.sql",
         "variables: Sqitch's SET prefix, quotes doubled");
  free(x);
  sqlitch_strv_free(&vars);

  /* ---- statements, comments, lines */
  check("SELECT 1;\nSELECT 2;\n", "S|SELECT 1|s.sql:1\nS|SELECT 2|s.sql:2",
        "two statements with their lines");
  check("-- c\n\n  SELECT 1 # x\n , 2;", "S|SELECT 1 \n , 2|s.sql:3",
        "comments dropped, leading blanks of a statement dropped");
  check("SELECT 1 /* a\nb */ , 2;", "S|SELECT 1  , 2|s.sql:1",
        "a block comment spanning lines");
  check("SELECT 1/*c*/+1;", "S|SELECT 1 +1|s.sql:1",
        "a space replaces a block comment before a non-blank");
  check("/*! SELECT 2 */;\n/*M!100000 SELECT 3 */;",
        "S|/*! SELECT 2 */|s.sql:1\nS|/*M!100000 SELECT 3 */|s.sql:2",
        "server comments are kept");
  check("SELECT 'a;b', \"c\\\"d;\", `e;`;",
        "S|SELECT 'a;b', \"c\\\"d;\", `e;`|s.sql:1",
        "delimiters inside quotes");
  check("SELECT `a\\`;\nSELECT 2;",
        "S|SELECT `a\\`|s.sql:1\nS|SELECT 2|s.sql:2",
        "no backslash escape in backticks");
  check("SELECT 7 --x\n;\n--y\nSELECT 8;",
        "S|SELECT 7 --x|s.sql:1\nS|SELECT 8|s.sql:4",
        "-- needs a blank after it, except at the start of a statement");
  check("SELECT 1\r\n, 2;\r\n", "S|SELECT 1\n, 2|s.sql:1", "CRLF read as LF");
  check("\xef\xbb\xbfSELECT 1;", "S|SELECT 1|s.sql:1", "BOM dropped");
  check("SELECT 42", "S|SELECT 42|s.sql:1",
        "the last statement needs no delimiter");
  check("", "", "empty script");
  check("SELECT 1;;  ;", "S|SELECT 1|s.sql:1", "empty statements are not sent");
  check("SELECT 1; SELECT 2;", "S|SELECT 1|s.sql:1\nS|SELECT 2|s.sql:1",
        "two statements on one line");
  check("SELECT '\n;\n';", "S|SELECT '\n;\n'|s.sql:1",
        "newlines inside quotes kept");
  check("SELECT \\N;", "S|SELECT \\N|s.sql:1", "\\N stays");
  check("SELECT 1 AS \xc3\xa9;", "S|SELECT 1 AS \xc3\xa9|s.sql:1",
        "multi-byte characters are copied");

  /* ---- client commands */
  check(
      "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\nDELIMITER "
      ";\nCALL p();",
      "S|CREATE PROCEDURE p() BEGIN SELECT 1; END|s.sql:2\nS|CALL p()|s.sql:4",
      "DELIMITER");
  check("delimiter $$;\nSELECT 2$$;\n", "S|SELECT 2|s.sql:2",
        "the delimiter is the whole argument");
  check("DELIMITER\nSELECT 1;",
        "E|DELIMITER must be followed by a 'delimiter' character or "
        "string|s.sql:1\nS|SELECT 1|s.sql:2",
        "DELIMITER without an argument: an error that does not stop");
  check("SELECT 1 \\g SELECT 2;", "S|SELECT 1|s.sql:1\nS|SELECT 2|s.sql:1",
        "\\g sends");
  check("SELECT 1 \\c SELECT 2;", "S|SELECT 2|s.sql:1", "\\c clears");
  check("SELECT 1;\nSELECT 2 \\q\nSELECT 3;",
        "S|SELECT 1|s.sql:1\nS|SELECT 2|s.sql:2",
        "\\q stops the file and sends what is pending");
  check("use mysql\nUSE `x y`;", "U|mysql|s.sql:1\nU|x y|s.sql:2", "use");
  check("SELECT 1;\n\\x\nSELECT 2;",
        "S|SELECT 1|s.sql:1\nE|Unknown command '\\x'.|s.sql:2!",
        "an unknown command stops the run");
  check_fallback("SELECT 1;\nprint\n", 3, "print: the real client runs it");
  check_fallback("SELECT 1\\G\n", 3, "\\G: the real client runs it");
  check_fallback("help contents;\n", 3, "help: the real client runs it");

  /* ---- source */
  put("sub.sql", "SELECT 'in sub';\nDELIMITER //\n");
  check("SELECT 1;\nsource sub.sql\nSELECT 2//\n",
        "S|SELECT 1|s.sql:1\nS|SELECT 'in sub'|sub.sql:1\nS|SELECT 2|s.sql:3",
        "source: the file's lines, the delimiter carries over");
  check("source nope.sql\nSELECT 2;",
        "E|Failed to open file 'nope.sql', error: 2|s.sql:1!",
        "source of a missing file stops the run");
  check("source\n", "E|Usage: \\. <filename> | source <filename>|s.sql:1!",
        "source without a file");
  put("loop.sql", "source loop.sql\n");
  check_fallback("source loop.sql\n", 3,
                 "endless source: the real client runs it");

  /* ---- what the parse cannot vouch for */
  {
    sqlitch_mysql_parse_opts o = {.utf8 = 3};
    sqlitch_mysql_script *s;
    const char bad[] = "SELECT 1;\0SELECT 2;";
    o.known_path = "s.sql";
    o.known_text = bad;
    o.known_len = sizeof bad - 1;
    sqlitch_mysql_parse("source s.sql", &o, &s);
    ok(s->fallback != NULL, "NUL byte: the real client runs it");
    sqlitch_mysql_script_free(s);
  }
  check_fallback("SELECT '\xff';", 3, "invalid UTF-8: the real client runs it");
  check_fallback("SELECT '\xc3\xa9';", 0,
                 "non-ASCII on latin1: the real client runs it");
  check_fallback("SET sql_mode = 'ANSI';\nSELECT 'a\\'';", 3,
                 "sql_mode and a backslash: the real client runs it");
  check_fallback("LOAD DATA LOCAL INFILE 'x' INTO TABLE t;", 3,
                 "LOAD DATA INFILE: the real client runs it");
  {
    sqlitch_mysql_script *s = parse_as("SET sql_mode = 'ANSI';\nSELECT 1;", 3);
    ok(!s->fallback, "sql_mode without backslashes stays in process");
    sqlitch_mysql_script_free(s);
  }

  /* ---- output formats */
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_mysql_error_line(&b, 1146, "42S02", 3, "deploy/x.sql",
                           "Table 'x' doesn't exist");
  is_str(b.p,
         "ERROR 1146 (42S02) at line 3 in file: 'deploy/x.sql': Table 'x' "
         "doesn't exist\n",
         "error line in a file");
  sqlitch_buf_reset(&b);
  sqlitch_mysql_error_line(&b, 1049, "42000", 0, NULL, "Unknown database 'x'");
  is_str(b.p, "ERROR 1049 (42000): Unknown database 'x'\n",
         "error line without a location");
  sqlitch_buf_reset(&b);
  sqlitch_mysql_error_line(&b, 0, NULL, 2, NULL, "Unknown command '\\x'.");
  is_str(b.p, "ERROR at line 2: Unknown command '\\x'.\n",
         "client error without a code");
  sqlitch_buf_reset(&b);
  sqlitch_mysql_query_block(&b, "SELECT 1", 8);
  is_str(b.p, "--------------\nSELECT 1\n--------------\n\n", "query block");
  sqlitch_buf_reset(&b);
  sqlitch_mysql_query_block(&b, "", 0);
  is_str(b.p, "--------------\n\n--------------\n\n", "empty query block");
  sqlitch_buf_reset(&b);
  char f0[] = "a\tb\nc\\d";
  char f1[] = {'x', 0, 'y'};
  char *row[] = {f0, NULL, f1};
  unsigned long lens[] = {7, 0, 3};
  sqlitch_mysql_tab_row(&b, row, lens, 3);
  is_str(b.p, "a\\tb\\nc\\\\d\tNULL\tx\\0y\n", "a row: escapes, NULL");
  sqlitch_buf_free(&b);

  /* ---- option files */
  {
    char *home = sqlitch_mprintf("%s/home", dir);
    char *inc = sqlitch_mprintf("%s/inc.cnf", dir);
    sqlitch_mkpath(home, NULL, NULL);
    FILE *f = fopen(inc, "w");
    fputs("[client]\nport = 3307\n", f);
    fclose(f);
    char *cnf = sqlitch_mprintf("%s/.my.cnf", home);
    f = fopen(cnf, "w");
    fprintf(f,
            "# comment\n[mysqldump]\nquick\n[client]\nuser = u\npassword = \"p "
            "w\"\n"
            "socket=/tmp/s.sock\n[mysql]\nno-auto-rehash\n!include %s\n",
            inc);
    fclose(f);
    sqlitch_mycnf c;
    sqlitch_mycnf_read(home, &c);
    is_str(c.user, "u", "~/.my.cnf: user");
    is_str(c.password, "p w", "~/.my.cnf: quoted password");
    is_str(c.socket, "/tmp/s.sock", "~/.my.cnf: socket");
    is_str(c.port, "3307", "!include");
    ok(c.fallback == NULL, "known options only: no fallback");
    ok(c.files.n >= 2, "files read are listed");
    is_int(c.compress, 0, "compress not set");
    sqlitch_mycnf_free(&c);
    f = fopen(cnf, "a");
    fputs("[client]\nshow-warnings\n", f);
    fclose(f);
    sqlitch_mycnf_read(home, &c);
    ok(c.fallback && strstr(c.fallback, "show-warnings"),
       "an option sqlitch cannot apply");
    sqlitch_mycnf_free(&c);
    f = fopen(cnf, "w");
    fputs("[client]\npassword\n", f);
    fclose(f);
    sqlitch_mycnf_read(home, &c);
    ok(c.fallback != NULL,
       "password without a value (the client would prompt)");
    sqlitch_mycnf_free(&c);
    unlink(cnf);
    unlink(inc);
    rmdir(home);
    free(cnf);
    free(inc);
    free(home);
  }

  unlink("sub.sql");
  unlink("loop.sql");
  if (chdir("/")) return 1;
  rmdir(dir);
  return tap_done();
}
