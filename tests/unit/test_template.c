/*
** test_template.c -- unit tests for core/template.c: the TT2 subset used by
** `sqlitch add` (expected outputs were produced with Template Toolkit 2.27,
** the engine sqitch uses) and the template search.
*/
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "template.h"

static sqlitch_tmpl_vars *std_vars(void) {
  sqlitch_tmpl_vars *v = sqlitch_tmpl_vars_new();
  const char *req[] = {"a", "b"};
  sqlitch_tmpl_vars_set_list(v, "requires", req, 2);
  sqlitch_tmpl_vars_set_list(v, "empty", NULL, 0);
  sqlitch_tmpl_vars_set(v, "s", "str");
  sqlitch_tmpl_vars_set(v, "change", "widgets");
  sqlitch_tmpl_vars_set(v, "n", "0");
  sqlitch_tmpl_vars_add(v, "multi", "a");
  sqlitch_tmpl_vars_add(v, "multi", "b");
  sqlitch_tmpl_vars_add(v, "one", "x");
  return v;
}

/* Render src with vars; returns "ERROR: <msg>" on failure. Caller frees. */
static char *render(const char *src, const sqlitch_tmpl_vars *v) {
  sqlitch_buf out = SQLITCH_BUF_INIT;
  sqlitch_err err = SQLITCH_ERR_INIT;
  if (sqlitch_tmpl_process(src, strlen(src), v, &out, &err)) {
    char *m = sqlitch_mprintf("ERROR: %s", err.msg);
    sqlitch_err_clear(&err);
    sqlitch_buf_free(&out);
    return m;
  }
  char *s = sqlitch_strdup(sqlitch_buf_str(&out));
  sqlitch_buf_free(&out);
  return s;
}

static void check(const char *src, const char *want, const char *name) {
  sqlitch_tmpl_vars *v = std_vars();
  char *got = render(src, v);
  is_str(got, want, name);
  free(got);
  sqlitch_tmpl_vars_free(v);
}

/* --------------------------------------------------- shipped templates */

static void test_builtins(void) {
  const char *dep = sqlitch_tmpl_builtin("deploy", "sqlite");
  ok(dep != NULL, "built-in sqlite deploy template");
  ok(sqlitch_tmpl_builtin("deploy", "pg") == dep, "pg shares it");
  ok(sqlitch_tmpl_builtin("verify", "mysql") != NULL, "mysql verify");
  ok(sqlitch_tmpl_builtin("deploy", "oracle") == NULL, "no oracle built-in");
  ok(sqlitch_tmpl_builtin("extra", "sqlite") == NULL, "no extra built-in");

  /* the same bytes as Debian's files, when they are installed */
  static const char *const scripts[] = {"deploy", "revert", "verify"};
  static const char *const engines[] = {"sqlite", "pg", "mysql"};
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      char *path = sqlitch_mprintf("/etc/sqitch/templates/%s/%s.tmpl",
                                   scripts[i], engines[j]);
      char *data;
      size_t len;
      if (sqlitch_read_file(path, &data, &len, NULL) == SQLITCH_OK) {
        is_str(sqlitch_tmpl_builtin(scripts[i], engines[j]), data, path);
        free(data);
      }
      free(path);
    }

  sqlitch_tmpl_vars *v = sqlitch_tmpl_vars_new();
  sqlitch_tmpl_vars_set(v, "project", "flipr");
  sqlitch_tmpl_vars_set(v, "change", "widgets");
  sqlitch_tmpl_vars_set(v, "engine", "sqlite");
  const char *req[] = {"users", "flips"}, *conf[] = {"foo"};
  sqlitch_tmpl_vars_set_list(v, "requires", req, 2);
  sqlitch_tmpl_vars_set_list(v, "conflicts", conf, 1);
  char *got = render(dep, v);
  is_str(got,
         "-- Deploy flipr:widgets to sqlite\n"
         "-- requires: users\n"
         "-- requires: flips\n"
         "-- conflicts: foo\n"
         "\n"
         "BEGIN;\n"
         "\n"
         "-- XXX Add DDLs here.\n"
         "\n"
         "COMMIT;\n",
         "deploy with dependencies");
  free(got);
  sqlitch_tmpl_vars_set_list(v, "requires", NULL, 0);
  sqlitch_tmpl_vars_set_list(v, "conflicts", NULL, 0);
  got = render(dep, v);
  is_str(got,
         "-- Deploy flipr:widgets to sqlite\n"
         "\n"
         "BEGIN;\n"
         "\n"
         "-- XXX Add DDLs here.\n"
         "\n"
         "COMMIT;\n",
         "deploy without dependencies");
  free(got);
  got = render(sqlitch_tmpl_builtin("revert", "sqlite"), v);
  is_str(got,
         "-- Revert flipr:widgets from sqlite\n\nBEGIN;\n\n-- XXX Add DDLs "
         "here.\n\nCOMMIT;\n",
         "revert");
  free(got);
  got = render(sqlitch_tmpl_builtin("verify", "sqlite"), v);
  is_str(got,
         "-- Verify flipr:widgets on sqlite\n\nBEGIN;\n\n-- XXX Add "
         "verifications here.\n\nROLLBACK;\n",
         "verify");
  free(got);
  sqlitch_tmpl_vars_free(v);
}

/* templates.md §5, verified with TT */
static void test_custom_example(void) {
  const char *src =
      "-- custom deploy [% change %] ([% project %]/[% engine %])\n"
      "[% IF requires %]has requires: [% requires.join(', ') %][% ELSE %]no "
      "requires[% END %]\n"
      "[% FOREACH r IN requires -%]\n"
      "R=[% r %]\n"
      "[% END -%]\n"
      "foo=[% foo %] list=[% FOREACH f IN multi %]<[% f %]>[% END %]\n";
  sqlitch_tmpl_vars *v = sqlitch_tmpl_vars_new();
  sqlitch_tmpl_vars_set(v, "change", "thing");
  sqlitch_tmpl_vars_set(v, "project", "tmpl");
  sqlitch_tmpl_vars_set(v, "engine", "sqlite");
  const char *req[] = {"x1", "x2"}, *conf[] = {"ext:y"};
  sqlitch_tmpl_vars_set_list(v, "requires", req, 2);
  sqlitch_tmpl_vars_set_list(v, "conflicts", conf, 1);
  sqlitch_tmpl_vars_add(v, "foo", "bar");
  sqlitch_tmpl_vars_add(v, "multi", "a");
  sqlitch_tmpl_vars_add(v, "multi", "b");
  char *got = render(src, v);
  is_str(got,
         "-- custom deploy thing (tmpl/sqlite)\n"
         "has requires: x1, x2\n"
         "R=x1\n"
         "R=x2\n"
         "foo=bar list=<a><b>\n",
         "custom template example");
  free(got);
  /* an empty list is still true in TT (it is a reference) */
  sqlitch_tmpl_vars_set_list(v, "requires", NULL, 0);
  sqlitch_tmpl_vars_set(v, "multi", "a");
  got = render(src, v);
  is_str(got,
         "-- custom deploy thing (tmpl/sqlite)\n"
         "has requires: \n"
         "foo=bar list=<a>\n",
         "no requires; a plain string iterates once");
  free(got);
  sqlitch_tmpl_vars_free(v);
}

/* ------------------------------------------------------------ language */

static void test_language(void) {
  check("[% IF empty %]T[% ELSE %]F[% END %][% empty.size %] [% s.size %] "
        "[% undef.size %] [% requires.size %]",
        "T0 1  2", "truth, size");
  check("[% s.join(\",\") %] [% requires.join %]", "str a b", "join");
  check("[% FOREACH x IN s %]<[% x %]>[% END %][% FOREACH x IN undef %]<[% "
        "x %]>[% END %]",
        "<str>", "string iterates once, undef never");
  check("[% IF n %]T[% ELSE %]F[% END %] [% IF \"0.0\" %]T[% END %]", "F T",
        "Perl truthiness");
  check("a\n[% IF 1 %]\nb\n[% END %]\n", "a\n\nb\n\n", "newlines kept");
  check("[% requires.0 %][% requires.1 %][% requires.first %][% "
        "requires.last %][% requires.-1 %][% requires.5 %]",
        "ababb", "indexes");
  check("[% FOREACH r IN requires %][% loop.index %][% loop.count %][% "
        "loop.first %][% loop.last %][% loop.size %][% END %]",
        "0110212012", "loop variables");
  check("[% FOREACH r IN requires %][% FOREACH q IN empty %][% END %][% "
        "loop.index %][% END %][% r %]",
        "01b", "loop restored, loop variable persists");
  check("[% s.length %] [% s.upper %] [% requires.reverse.join %] [% "
        "s.list.size %]",
        "3 STR b a 1", "methods");
  check("[% 'a' _ s _ \"q\" %]|[% x = 'v'; x %]|[% requires.join(', ') | "
        "upper %]",
        "astrq|v|A, B", "concat, assign, filter");
  check("[% UNLESS empty %]U[% END %][% IF requires.size > 1 %]big[% END "
        "%][% IF s == \"str\" && n == 0 %]eq[% END %]",
        "bigeq", "comparisons");
  check("[% FOREACH x IN requires %][% x %][% LAST %][% END %]|[% FOR x IN "
        "requires; x; END %]|[% x IF s %][% s IF s %]",
        "a|ab|bstr", "LAST, one-tag loop, postfix IF");
  check("[% s.replace(\"t\",\"T\") %] [% 7 / 2 %] [% 1 / 3 %] [% 7 div 2 "
        "%] [% 7 % 3 %] [% \"a$s ${s}b\\n\" %]",
        "sTr 3.5 0.333333333333333 3 1 astr strb\n",
        "arithmetic, interpolation");
  check("[% 1 + 2 * 3 %] [% 'x' _ 1 + 2 %] [% 1 + 2 _ 'x' %] [% NOT n == "
        "\"\" %]|[% 3 * 4 div 5 %] [% 7 - 2 div 2 %] [% n || 1 && 0 %]",
        "7 2 3x |0 6 0", "Perl operator precedence");
  check("A\n  [%- s -%]  \n  B  [%~ s ~%]  \n\n C [%= s =%]  \n\n D",
        "Astr  BstrC str D", "chomp flags");
  check("A\n\n  [%- s %]|[%+ s +%]\n", "A\nstr|str\n", "pre-chomp, + flag");
  check("[%# a comment %]x[%# another -%]\ny\n[% # inline\ns %]", "xy\nstr",
        "comments");
  check("[% 'it\\'s' %] [% \"q\\\"q\" %] [% 'a\\nb' %]", "it's q\"q a\\nb",
        "quoting");
  check("[% s.0 %]|[% s.first %]|[% s.item %]|[% s.split(\"t\").join(\"-\") "
        "%]|[% s.substr(1,1) %]|[% s.repeat(2) %]|[% x.size %]",
        "|str|str|s-r|t|strstr|", "string promotion");
  check("[% x = '  a  b  '; x.trim %]|[% x.collapse %]|[% x.length %]",
        "a  b|a b|3", "trim/collapse edit the variable, as in TT");
  check("[% x = ['aa'..'ad']; x.join %]|[% x = ['a9'..'b2']; x.join %]|[% x "
        "= ['x'..'b']; x.size %]|[% FOREACH i IN [3..1] %][% i %][% END %]|[% "
        "FOREACH i IN [1..3] %][% i %][% END %]",
        "aa ab ac ad|a9 b0 b1 b2|3||123", "ranges");
  check("[% multi.first(5).size %][% multi.last(0).size %][% "
        "multi.slice(-1).join %][% requires.merge(multi).join %]",
        "50ba b a b", "slices");
  check("[% x = 'B,a,C,b'; x.split(',').sort.join %]|[% y = "
        "['10','9','100']; y.nsort.join %]|[% y.sort.join %]|[% "
        "requires.unique.size %]",
        "a B b C|9 10 100|10 100 9|2", "sort");
  /* a scalar promoted to a one-item list, returned as it is by sort and
     then read by reverse (it used to live on a stack frame that was gone:
     found by fuzz_template under ASan) */
  check("[% y = 'a'; y.sort.reverse.join('|') %]|[% z = 'b'; "
        "z.unique.sort.reverse.first %]",
        "a|b", "list methods chained on a scalar");
  check("[% x = '<a href=\"x\">&\\'</a>'; x | html %]|[% x | xml %]",
        "&lt;a href=&quot;x&quot;&gt;&amp;'&lt;/a&gt;|&lt;a "
        "href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;",
        "html filters");
  check("[% x = 'h\xc3\xa9llo'; x.length %]|[% x.substr(1,3) %]",
        "5|\xc3\xa9ll", "characters, not bytes");
  check("[% x = 'h\xc3\xa9llo \xc3\x89T\xc3\xa9'; x.upper %]|[% x.lower %]|[% "
        "x.ucfirst %]|",
        "H\xc3\x89LLO \xc3\x89T\xc3\x89|h\xc3\xa9llo "
        "\xc3\xa9t\xc3\xa9|H\xc3\xa9llo "
        "\xc3\x89T\xc3\xa9|",
        "Unicode case mapping");
  check("[% x = 'stra\xc3\x9f"
        "e'; x.upper %]",
        "STRASSE", "upper of sharp s");
  check("[% FOREACH i IN [1..5] %][% NEXT IF i % 2 %][% LAST IF i > 3 %][% "
        "i %][% END %]|before[% CLEAR %]after|x[% RETURN %]y",
        "after|x", "NEXT, CLEAR (the whole output so far), RETURN");
  check("[% SET a = 1 b = 2; a _ b %] [% DEFAULT s = \"no\" %][% s %] [% "
        "DEFAULT z = \"yes\" %][% z %] [% GET s %] [% CALL s %]",
        "12 str yes str ", "SET, DEFAULT, GET, CALL");
  check("[% IF 0 %]a[% ELSIF 0 %]b[% ELSIF 1 %]c[% END %][% UNLESS 1 %]a[% "
        "ELSIF 1 %]b[% END %]",
        "cb", "ELSIF chains");
  check("[% s.match('(s)(t)').join('+') %]|[% s.match('x') %]|[% "
        "s.search('t') %]|[% s.remove('t') %]|[% c = \"a,b,,c,,\"; "
        "c.split(',').size "
        "%]|[% x = 'a1b2c3'; x.replace('(\\d)', '<$1>') %]",
        "s+t||1|sr|4|a<1>b<2>c<3>", "regex methods");
  check("a [% b", "a [% b", "an unclosed tag is text");
  check("\xc2\xa0\xc2\xa0[%- s -%]\xc2\xa0\xc2\xa0\nz", "strz",
        "Unicode whitespace is chomped (TT on decoded text)");
}

static void test_errors(void) {
  check("x\n[% IF x %]\n",
        "ERROR: file error - parse error - input text line 2: unexpected end "
        "of input",
        "unclosed IF");
  check("[% IF x\n %]",
        "ERROR: file error - parse error - input text line 1-2: unexpected "
        "end of input",
        "multi-line directive label");
  check("[% END %]",
        "ERROR: file error - parse error - input text line 1: unexpected "
        "token (END)\n  [% END %]",
        "stray END");
  check("a\n[% IF x %]\n[% ELSE %]\n\n[% ELSE %]\nfoo",
        "ERROR: file error - parse error - input text line 5: unexpected "
        "token (ELSE)\n  [% ELSE %]",
        "second ELSE");
  check("[% FOREACH %]",
        "ERROR: file error - parse error - input text line 1: unexpected end "
        "of directive\n  [% FOREACH %]",
        "FOREACH without list");
  check("[%   foo(  -%]",
        "ERROR: file error - parse error - input text line 1: unexpected end "
        "of directive\n  [% foo( %]",
        "unclosed call");
  check("[% \"abc %]",
        "ERROR: file error - parse error - input text line 1: unexpected "
        "token (\"abc)\n  [% \"abc %]",
        "unclosed string");
  check("[% FOREACH x IN [1..3, 7] %]",
        "ERROR: file error - parse error - input text line 1: unexpected "
        "token (,)\n  [% FOREACH x IN [1..3, 7] %]",
        "a range is a whole list");
  check("[% x | bogus %]", "ERROR: undef error - bogus: filter not found",
        "unknown filter");
  check("[% INCLUDE foo %]",
        "ERROR: file error - parse error - input text line 1: INCLUDE is not "
        "supported in sqlitch templates\n  [% INCLUDE foo %]",
        "unsupported directive");
  check("[% 1 / 0 %]", "ERROR: undef error - Illegal division by zero",
        "division by zero");
  check("[% s.replace('(', 'x') %]",
        "ERROR: undef error - invalid regex '(': missing closing parenthesis",
        "bad regex");
  check("[% x = [1..1000000] %]",
        "ERROR: undef error - range [1..1000000] is too large", "range bound");
  check("[% x = [1..50000]; FOREACH a IN x; FOREACH b IN x; END; END %]",
        "ERROR: undef error - template runs too long", "step bound");
  check("[% FOREACH a IN [1..50000] %][% FOREACH b IN [1..50000] %][% END "
        "%][% END %]",
        "ERROR: undef error - template uses too much memory", "memory bound");
  /* deep nesting is refused, not a stack overflow */
  sqlitch_buf deep = SQLITCH_BUF_INIT;
  for (int i = 0; i < 5000; i++)
    sqlitch_buf_add(&deep, "[% IF 1 %]");
  sqlitch_tmpl *t = NULL;
  sqlitch_err err = SQLITCH_ERR_INIT;
  ok(sqlitch_tmpl_compile(deep.p, deep.len, &t, &err) == SQLITCH_ERROR &&
         t == NULL && strstr(err.msg, "nested too deeply"),
     "deep nesting refused");
  sqlitch_err_clear(&err);
  sqlitch_buf_reset(&deep);
  sqlitch_buf_add(&deep, "[% ");
  for (int i = 0; i < 5000; i++)
    sqlitch_buf_add(&deep, "1 + ");
  sqlitch_buf_add(&deep, "1 %]");
  ok(sqlitch_tmpl_compile(deep.p, deep.len, &t, &err) == SQLITCH_ERROR &&
         strstr(err.msg, "expression too long"),
     "long expression refused");
  sqlitch_err_clear(&err);
  sqlitch_buf_free(&deep);
}

static void test_compiled_reuse(void) {
  sqlitch_tmpl *t;
  sqlitch_err err = SQLITCH_ERR_INIT;
  const char src[] = "[% change %]:[% FOREACH r IN requires %][% r %][% END %]";
  ok(sqlitch_tmpl_compile(src, sizeof src - 1, &t, &err) == SQLITCH_OK,
     "compile");
  sqlitch_tmpl_vars *v = sqlitch_tmpl_vars_new();
  sqlitch_buf out = SQLITCH_BUF_INIT;
  sqlitch_tmpl_vars_set(v, "change", "one");
  sqlitch_tmpl_vars_add(v, "requires", "x");
  ok(sqlitch_tmpl_render(t, v, &out, &err) == SQLITCH_OK, "render 1");
  sqlitch_tmpl_vars_set(v, "change", "two");
  sqlitch_tmpl_vars_add(v, "requires", "y");
  sqlitch_buf_add(&out, "|");
  ok(sqlitch_tmpl_render(t, v, &out, &err) == SQLITCH_OK, "render 2");
  is_str(sqlitch_buf_str(&out), "one:x|two:xy",
         "a compiled template renders many times");
  sqlitch_buf_free(&out);
  sqlitch_tmpl_vars_free(v);
  sqlitch_tmpl_free(t);
  /* source with NUL bytes and no directives */
  sqlitch_buf_reset(&out);
  ok(sqlitch_tmpl_process("a\0b", 3, NULL, &out, &err) == SQLITCH_OK &&
         out.len == 3 && out.p[1] == 0,
     "binary-safe text");
  sqlitch_buf_free(&out);
}

/* ----------------------------------------------------------- discovery */

static void put_file(const char *path, const char *text) {
  char *dir = sqlitch_path_dirname(path);
  sqlitch_mkpath(dir, NULL, NULL);
  free(dir);
  sqlitch_write_file_atomic(path, text, strlen(text), NULL);
}

static void test_discovery(void) {
  char tmpl[] = "/tmp/sqlitch-tmpl-XXXXXX";
  char *root = mkdtemp(tmpl);
  ok(root != NULL, "temp dir");
  if (!root) return;
  char *d1 = sqlitch_path_join(root, "one"),
       *d2 = sqlitch_path_join(root, "two");
  char *f;
  put_file(f = sqlitch_mprintf("%s/deploy/sqlite.tmpl", d1), "D1");
  free(f);
  put_file(f = sqlitch_mprintf("%s/extra/sqlite.tmpl", d1), "E1");
  free(f);
  put_file(f = sqlitch_mprintf("%s/deploy/sqlite.tmpl", d2), "D2");
  free(f);
  put_file(f = sqlitch_mprintf("%s/verify/sqlite.tmpl", d2), "V2");
  free(f);
  put_file(f = sqlitch_mprintf("%s/other/pg.tmpl", d2), "P2");
  free(f);
  put_file(f = sqlitch_mprintf("%s/use.tmpl", root), "U");
  free(f);

  const char *dirs[] = {d1, NULL, d2, "/nonexistent/dir"};
  sqlitch_tmpl_set cfgd = SQLITCH_TMPL_SET_INIT, all = SQLITCH_TMPL_SET_INIT;
  sqlitch_err err = SQLITCH_ERR_INIT;
  sqlitch_strv use = SQLITCH_STRV_INIT, without = SQLITCH_STRV_INIT;
  sqlitch_strv_push_owned(&use, sqlitch_mprintf("revert=%s/use.tmpl", root));
  ok(sqlitch_tmpl_configured(NULL, &use, &cfgd, &err) == SQLITCH_OK,
     "--use accepted");
  ok(sqlitch_tmpl_discover(&cfgd, dirs, 4, "sqlite", NULL, &all, &err) ==
         SQLITCH_OK,
     "discover");
  is_int(all.n, 4, "four scripts");
  if (all.n == 4) {
    is_str(all.v[0].script, "deploy", "sorted: deploy");
    ok(sqlitch_ends_with(all.v[0].path, "one/deploy/sqlite.tmpl"),
       "first dir wins");
    is_str(all.v[1].script, "extra", "sorted: extra");
    is_str(all.v[2].script, "revert", "sorted: revert");
    ok(sqlitch_ends_with(all.v[2].path, "/use.tmpl"), "--use wins");
    is_str(all.v[3].script, "verify", "sorted: verify");
    ok(sqlitch_ends_with(all.v[3].path, "two/verify/sqlite.tmpl"),
       "second dir");
  }
  sqlitch_tmpl_set_free(&all);

  /* built-ins fill the gaps; without removes */
  sqlitch_strv_push(&without, "extra");
  sqlitch_strv_push(&without, "verify");
  ok(sqlitch_tmpl_discover(NULL, dirs, 0, "sqlite", &without, &all, &err) ==
         SQLITCH_OK,
     "discover with no directories");
  is_int(all.n, 2, "deploy and revert only");
  if (all.n == 2) {
    ok(all.v[0].path == NULL && all.v[0].builtin != NULL, "built-in deploy");
    char *src;
    size_t len;
    ok(sqlitch_tmpl_entry_source(&all.v[1], &src, &len, &err) == SQLITCH_OK &&
           strcmp(src, sqlitch_tmpl_builtin("revert", "sqlite")) == 0,
       "built-in source");
    free(src);
  }
  sqlitch_tmpl_set_free(&all);

  ok(sqlitch_tmpl_discover(NULL, dirs, 4, "oracle", NULL, &all, &err) ==
         SQLITCH_ERROR,
     "no oracle templates");
  is_str(err.msg, "Cannot find deploy template", "error text");
  is_int(err.exitval, 2, "exit 2");
  sqlitch_err_clear(&err);
  sqlitch_strv_clear(&without);
  sqlitch_strv_push(&without, "deploy");
  sqlitch_strv_push(&without, "revert");
  ok(sqlitch_tmpl_discover(NULL, dirs, 4, "pg", &without, &all, &err) ==
         SQLITCH_OK,
     "pg with other/");
  is_int(all.n, 2, "other + built-in verify");
  if (all.n == 2) is_str(all.v[0].script, "other", "other first");
  sqlitch_tmpl_set_free(&all);

  sqlitch_strv_clear(&use);
  sqlitch_strv_push(&use, "deploy=/nonexistent/x.tmpl");
  ok(sqlitch_tmpl_configured(NULL, &use, &cfgd, &err) == SQLITCH_ERROR,
     "missing --use file");
  is_str(err.msg, "Template /nonexistent/x.tmpl does not exist", "message");
  is_int(err.exitval, 255, "exit 255");
  sqlitch_strv_clear(&use);
  sqlitch_strv_push_owned(&use, sqlitch_mprintf("deploy=%s//one/", root));
  ok(sqlitch_tmpl_configured(NULL, &use, &cfgd, &err) == SQLITCH_ERROR,
     "--use directory");
  f = sqlitch_mprintf("Template %s/one is not a file", root);
  is_str(err.msg, f, "message (path cleaned)");
  free(f);

  ok(sqlitch_tmpl_check_dir(d1, &err) == SQLITCH_OK, "existing dir");
  ok(sqlitch_tmpl_check_dir("nope/", &err) == SQLITCH_ERROR, "missing dir");
  is_str(err.msg, "Directory \"nope\" does not exist", "message");
  f = sqlitch_mprintf("%s/use.tmpl", root);
  ok(sqlitch_tmpl_check_dir(f, &err) == SQLITCH_ERROR, "file as dir");
  free(f);
  f = sqlitch_mprintf("\"%s/use.tmpl\" is not a directory", root);
  is_str(err.msg, f, "message");
  free(f);
  sqlitch_err_clear(&err);

  sqlitch_tmpl_set_free(&cfgd);
  sqlitch_strv_free(&use);
  sqlitch_strv_free(&without);
  f = sqlitch_mprintf("rm -rf '%s'", root);
  ok(system(f) == 0, "cleanup");
  free(f);
  free(d1);
  free(d2);
}

int main(void) {
  test_builtins();
  test_custom_example();
  test_language();
  test_errors();
  test_compiled_reuse();
  test_discovery();
  return tap_done();
}
