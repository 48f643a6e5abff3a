/*
** test_config.c -- unit tests for core/config.c and core/config_write.c:
** the parser's quirks (reference config.md section 2), merging across
** scopes and includes, key canonicalisation, casts, local-file discovery
** with the sqitch.conf/sqlitch.conf pair, SQLITCH_* twins, identity,
** editor/pager, and the writer's byte-exact edits.
*/
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

static char root[256];

static void put(const char *name, const char *text) {
  char *p = sqlitch_mprintf("%s/%s", root, name);
  char *d = sqlitch_path_dirname(p);
  sqlitch_mkpath(d, NULL, NULL);
  FILE *f = fopen(p, "wb");
  fputs(text, f);
  fclose(f);
  free(d);
  free(p);
}

static char *slurp(const char *name) {
  char *p = sqlitch_mprintf("%s/%s", root, name), *data = NULL;
  size_t n;
  sqlitch_err e = SQLITCH_ERR_INIT;
  if (sqlitch_read_file(p, &data, &n, &e)) data = sqlitch_strdup("<missing>");
  sqlitch_err_clear(&e);
  free(p);
  return data;
}

static char *path(const char *name) {
  return sqlitch_mprintf("%s/%s", root, name);
}

/* Load one file and return its dump text (or "ERR:<msg>"). */
static char *dump_of(const char *text) {
  put("one.conf", text);
  char *p = path("one.conf");
  sqlitch_config *c = sqlitch_config_new();
  sqlitch_err err = SQLITCH_ERR_INIT;
  char *r;
  if (sqlitch_config_load_file(c, p, SQLITCH_SCOPE_FILE, 1, &err))
    r = sqlitch_mprintf("ERR:%d:%s", err.exitval, err.msg);
  else
    r = sqlitch_config_dump_text(c);
  sqlitch_err_clear(&err);
  sqlitch_config_free(c);
  free(p);
  return r;
}

static void check_dump(const char *text, const char *want, const char *name) {
  char *got = dump_of(text);
  is_str(got, want, name);
  free(got);
}

static void test_parser(void) {
  check_dump("[Core]   # comment after section\n"
             "\tEngine = sqlite ; trailing comment\n"
             "\ttop_dir = \"some dir # not comment\"\n"
             "\tflag\n"
             "\tspaced =    a   b\tc   \n"
             "\tcont = line1 \\\nline2\n"
             "\tesc = \"tab\\there\" x\\ny\n"
             "[engine.Sub]\nkey = v\n",
             "core.cont=line1 line2\n"
             "core.engine=sqlite\n"
             "core.esc=tab\there x\ny\n"
             "core.flag\n"
             "core.spaced=a b c \n"
             "core.top_dir=some dir # not comment\n"
             "engine.sub.key=v\n",
             "reference example (config.md 2)");
  check_dump("[a \"\"]\nk=1\n[b \"0\"]\nk=2\n[c \"x\\\\y\\\"z\"]\nk = 3\n",
             "a.k=1\nb.k=2\nc.x\\y\"z.k=3\n",
             "empty and \"0\" subsections are ignored; escapes in subsection");
  check_dump("[x]k=v ; c\nq = \"a\\\\nb\" c\\\"d\n", "x.k=v\nx.q=a\\\nb c\"d\n",
             "variable after header; \\\\n inside quotes is GitLike's quirk");
  check_dump("[s]\na = foo#bar\nb = foo #bar\nc = \"multi\nline\"\nd = a;b\n",
             "s.a=foo#bar\ns.b=foo\ns.c=multi\nline\ns.d=a;b\n",
             "# and ; only start a comment at a token boundary");
  check_dump("[s]\nk ; x = y\nk2 # = z\n", "s.k\ns.k2\n",
             "key regex wins before key=value");
  check_dump("[s]\nm = 1\nM = 2\nm\n", "s.m=[1, 2, ]\n",
             "multi-values (case-insensitive names), value-less member");
  check_dump("[S \"Sub\"]\nK = v\n[ÄB]\nÇ = x\n", "s.Sub.k=v\näb.ç=x\n",
             "Unicode lower-casing of section and name, subsection kept");
  check_dump("[s]\r\nk = a\r\nj = b\r\n", "s.j=b\ns.k=a\n", "CRLF file");
  check_dump("[s]\rk = a\rj = b\r", "s.j=b\ns.k=a\n", "CR-only file");
  check_dump("", "", "empty file");
  check_dump("[s]\nk=x=y\n", "s.k=x=y\n", "= inside the value");

  char *p = path("one.conf");
  char *want;
  char *got = dump_of("abc\n");
  want = sqlitch_mprintf("ERR:255:Error parsing %s at line 2, position 0.\n"
                         "Bad line was: 'abc'",
                         p);
  is_str(got, want, "variable before any section: Sqitch's line+1 numbering");
  free(got);
  free(want);
  got = dump_of("\n\n[core]\n  foo = a\\qb\n");
  want = sqlitch_mprintf("ERR:255:Error parsing %s at line 5, position 2.\n"
                         "Bad line was: '  foo = a\\qb'",
                         p);
  is_str(got, want, "bad escape: line and position");
  free(got);
  free(want);
  got = dump_of("[core]\nfoo = \"abc\n");
  ok(strncmp(got, "ERR:255:Error parsing", 21) == 0, "unterminated quote");
  free(got);
  got = dump_of("[bad \"x\"y\"]\n");
  ok(strncmp(got, "ERR:255:Error parsing", 21) == 0,
     "unescaped quote in subsection");
  free(got);
  got = dump_of("[core]\n=x\n");
  ok(strstr(got, "Bad line was: '=x'") != NULL, "line starting with =");
  free(got);
  free(p);
}

static void test_keys(void) {
  static const char *const cases[][2] = {
      {"Core.Engine", "core.engine"},
      {"engine.SQLite.Target", "engine.SQLite.target"},
      {"ENGINE.SQLite.TARGET", "engine.SQLite.target"},
      {"target.a.b.uri", "target.a.b.uri"},
      {"core.\"x.Y\"", "core.x.y"},
      {"a.\"B\".c", "a.B.c"},
      {"foo", NULL},
      {".x", NULL},
      {"0.x", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *k = sqlitch_config_canon_key(cases[i][0]);
    char *name = sqlitch_mprintf("canon_key(%s)", cases[i][0]);
    is_str(k, cases[i][1], name);
    free(name);
    free(k);
  }
  char *u = sqlitch_config_unquote("a.\"b.c\".'d'");
  is_str(u, "a.b.c.d", "unquote");
  free(u);
}

static void test_casts(void) {
  static const char *const cases[][4] = {
      /* value, as, human result, error */
      {"yes", "bool", "true", NULL},
      {"On", "bool", "true", NULL},
      {"-01", "bool", "true", NULL},
      {"000", "bool", "false", NULL},
      {"", "bool", "false", NULL},
      {"off", "bool", "false", NULL},
      {"10k", "bool", NULL, "Invalid bool '10k'\n"},
      {"10k", "int", "10240", NULL},
      {"1.5", "num", "1.5", NULL},
      {"1.5", "int", "1", NULL},
      {"2m", "int", "2097152", NULL},
      {"x", "int", NULL, "Invalid unit while casting to int\n"},
      {"yes", "num", NULL, "Invalid unit while casting to num\n"},
      {"7", "bool-or-int", "7", NULL},
      {"no", "bool-or-int", "false", NULL},
      {"x", "bool-or-int", NULL, "Invalid bool-or-int 'x'\n"},
      {"9999999999999999999", "int", "9999999999999999999", NULL},
      {"-9223372036854775809", "num", "-9.22337203685478e+18", NULL},
      {"-9223372036854775808", "int", "-9223372036854775808", NULL},
      {"18446744073709551616", "num", "1.84467440737096e+19", NULL},
      {"99999999999g", "int", "1.07374182398926e+20", NULL},
      {"-5k", "int", "-5120", NULL},
      {"-0.0", "num", "0", NULL},
      {"-", "int", "0", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *out = NULL;
    sqlitch_err err = SQLITCH_ERR_INIT;
    int rc = sqlitch_config_cast(cases[i][0], cases[i][1], 1, &out, &err);
    char *name = sqlitch_mprintf("cast %s as %s", cases[i][0], cases[i][1]);
    if (cases[i][3]) {
      ok(rc == SQLITCH_ERROR, name);
      is_str(err.msg, cases[i][3], "... error text");
    } else {
      is_str(out, cases[i][2], name);
    }
    free(name);
    free(out);
    sqlitch_err_clear(&err);
  }
  char *out;
  sqlitch_config_cast(NULL, "bool", 1, &out, NULL);
  is_str(out, "1", "value-less key is true as 1");
  free(out);
}

static sqlitch_config *load_all(sqlitch_err *err) {
  sqlitch_config *c = sqlitch_config_new();
  if (sqlitch_config_load(c, err)) {
    sqlitch_config_free(c);
    return NULL;
  }
  return c;
}

static void test_scopes(void) {
  sqlitch_err err = SQLITCH_ERR_INIT;
  put("sys.conf", "[core]\nengine = pg\nm = s1\nm = s2\n[user]\nname = Sys\n");
  put("usr.conf", "[core]\nm = u1\n[include]\npath = inc/extra.conf\n");
  put("inc/extra.conf", "[core]\nfrom_inc = yes\n");
  put("proj/sub/dir/.keep", "");
  put("proj/sqitch.conf", "[core]\nengine = sqlite\n[engine \"sqlite\"]\n"
                          "target = db:sqlite:x.db\n[core \"variables\"]\n"
                          "Foo = 1\nbar = 2\n");
  char *sys = path("sys.conf"), *usr = path("usr.conf"),
       *proj = path("proj/sub/dir");
  setenv("SQITCH_SYSTEM_CONFIG", sys, 1);
  setenv("SQITCH_USER_CONFIG", usr, 1);
  unsetenv("SQITCH_CONFIG");
  unsetenv("SQLITCH_CONFIG");
  if (chdir(proj) != 0) diag("chdir failed");
  sqlitch_config *c = load_all(&err);
  ok(c != NULL, "load all scopes");
  if (c) {
    is_str(sqlitch_config_get(c, "core.engine"), "sqlite", "local wins");
    is_str(sqlitch_config_get(c, "CORE.M"), "u1",
           "user replaces system values");
    const char **all;
    is_int(sqlitch_config_get_all(c, "core.m", &all), 1,
           "override drops every earlier value");
    free(all);
    is_str(sqlitch_config_get(c, "core.from_inc"), "yes", "include.path");
    ok(sqlitch_config_is_multiple(c, "include.path"),
       "include.path is always multi-valued");
    is_str(sqlitch_config_get(c, "engine.sqlite.target"), "db:sqlite:x.db",
           "subsection key");
    ok(sqlitch_config_initialized(c), "local file found walking up");
    ok(sqlitch_ends_with(sqlitch_config_local_found(c), "/proj/sqitch.conf"),
       "local_found is the parent's file");
    is_str(sqlitch_config_local_file(c), "sqitch.conf",
           "writes still go to ./sqitch.conf");
    sqlitch_config_entry *ents;
    size_t n = sqlitch_config_section(c, "core.variables", &ents);
    is_int(n, 2, "section() entries");
    if (n == 2) {
      is_str(ents[0].key, "core.variables.bar", "section sorted");
      is_str(ents[1].orig_key, "core.variables.Foo", "orig_key keeps case");
      is_int(ents[1].scope, SQLITCH_SCOPE_LOCAL, "entry scope");
    }
    free(ents);
    n = sqlitch_config_dump(c, &ents);
    ok(n >= 8, "dump() lists every value");
    free(ents);
    char *name = sqlitch_user_name(c, &err);
    unsetenv("SQITCH_FULLNAME");
    unsetenv("SQLITCH_FULLNAME");
    free(name);
    name = sqlitch_user_name(c, &err);
    is_str(name, "Sys", "user.name from config");
    free(name);
    setenv("SQITCH_FULLNAME", "Env Name", 1);
    name = sqlitch_user_name(c, &err);
    is_str(name, "Env Name", "SQITCH_FULLNAME beats user.name");
    free(name);
    setenv("SQLITCH_FULLNAME", "Twin Name", 1);
    name = sqlitch_user_name(c, &err);
    is_str(name, "Twin Name", "SQLITCH_FULLNAME twin wins");
    free(name);
    setenv("SQLITCH_FULLNAME", "[bad", 1);
    name = sqlitch_user_name(c, &err);
    ok(name == NULL, "bad name rejected");
    is_str(err.msg, "User name may not contain \"<\" or start with \"[\"",
           "bad name message");
    sqlitch_err_clear(&err);
    unsetenv("SQLITCH_FULLNAME");
    setenv("SQITCH_EMAIL", "a>b", 1);
    char *mail = sqlitch_user_email(c, &err);
    ok(mail == NULL, "bad email rejected");
    is_str(err.msg, "User email may not contain \">\"", "bad email message");
    sqlitch_err_clear(&err);
    setenv("SQITCH_EMAIL", "me@x", 1);
    mail = sqlitch_user_email(c, &err);
    is_str(mail, "me@x", "SQITCH_EMAIL");
    free(mail);
    unsetenv("SQITCH_EMAIL");
    setenv("SQITCH_ORIG_SYSUSER", "sysu", 1);
    mail = sqlitch_user_email(c, &err);
    ok(mail && strncmp(mail, "sysu@", 5) == 0, "email from sysuser@host");
    free(mail);
    unsetenv("SQITCH_ORIG_SYSUSER");

    setenv("SQITCH_EDITOR", "ed1", 1);
    is_str(sqlitch_editor(c), "ed1", "SQITCH_EDITOR");
    unsetenv("SQITCH_EDITOR");
    setenv("VISUAL", "vis", 1);
    is_str(sqlitch_editor(c), "vis", "VISUAL");
    unsetenv("VISUAL");
    unsetenv("EDITOR");
    is_str(sqlitch_editor(c), "vi", "vi default");
    unsetenv("SQITCH_PAGER");
    unsetenv("SQLITCH_PAGER");
    setenv("PAGER", "more", 1);
    is_str(sqlitch_pager(c), "more", "PAGER");
    setenv("SQLITCH_PAGER", "less", 1);
    is_str(sqlitch_pager(c), "less", "SQLITCH_PAGER twin");
    unsetenv("SQLITCH_PAGER");
  }
  sqlitch_config_free(c);

  /* compat pair */
  put("proj/sqlitch.conf", "[core]\ncompat = sqlitch\n");
  c = load_all(&err);
  ok(c == NULL, "both sqitch.conf and sqlitch.conf: error");
  ok(err.msg && strstr(err.msg, "/proj/sqitch.conf") &&
         strstr(err.msg, "/proj/sqlitch.conf"),
     "error names both files");
  is_int(err.exitval, 2, "exit 2");
  sqlitch_err_clear(&err);
  char *sq = path("proj/sqitch.conf");
  unlink(sq);
  free(sq);
  c = load_all(&err);
  ok(c && sqlitch_config_get(c, "core.compat"), "sqlitch.conf alone is read");
  if (c)
    is_str(sqlitch_config_local_file(c), "sqlitch.conf",
           "compat project writes sqlitch.conf");
  sqlitch_config_free(c);

  /* SQITCH_CONFIG and its twin */
  put("proj/alt.conf", "[core]\nengine = mysql\n");
  put("proj/twin.conf", "[core]\nengine = pg\n");
  setenv("SQITCH_CONFIG", "alt.conf", 1);
  c = load_all(&err);
  ok(c != NULL, "relative SQITCH_CONFIG found walking up");
  if (c) is_str(sqlitch_config_get(c, "core.engine"), "mysql", "SQITCH_CONFIG");
  if (c) is_str(sqlitch_config_local_file(c), "alt.conf", "local_file = env");
  sqlitch_config_free(c);
  setenv("SQLITCH_CONFIG", "twin.conf", 1);
  c = load_all(&err);
  if (c)
    is_str(sqlitch_config_get(c, "core.engine"), "pg",
           "SQLITCH_CONFIG beats SQITCH_CONFIG");
  sqlitch_config_free(c);
  unsetenv("SQLITCH_CONFIG");
  unsetenv("SQITCH_CONFIG");

  /* include depth */
  put("loop.conf", "[include]\npath = loop.conf\n");
  setenv("SQITCH_USER_CONFIG", "/nonexistent", 1);
  char *lp = path("loop.conf");
  setenv("SQITCH_SYSTEM_CONFIG", lp, 1);
  c = load_all(&err);
  ok(c == NULL && err.msg &&
         strstr(err.msg, "Exceeded maximum include depth (10) while including "
                         "loop.conf from "),
     "include loop stops at depth 10");
  sqlitch_err_clear(&err);
  sqlitch_config_free(c);
  free(lp);

  /* bool lookups */
  put("b.conf", "[d]\nv = yes\nf = off\nflag\nbad = maybe\n");
  char *b = path("b.conf");
  setenv("SQITCH_SYSTEM_CONFIG", b, 1);
  c = load_all(&err);
  int v = -1;
  is_int(sqlitch_config_get_bool(c, "d.v", &v, &err), 1, "bool set");
  is_int(v, 1, "yes is true");
  sqlitch_config_get_bool(c, "d.f", &v, &err);
  is_int(v, 0, "off is false");
  sqlitch_config_get_bool(c, "d.flag", &v, &err);
  is_int(v, 1, "value-less is true");
  is_int(sqlitch_config_get_bool(c, "d.none", &v, &err), 0, "unset bool");
  is_int(sqlitch_config_get_bool(c, "d.bad", &v, &err), SQLITCH_ERROR,
         "bad bool");
  is_str(err.msg, "Invalid bool 'maybe'", "bad bool message");
  sqlitch_err_clear(&err);
  sqlitch_config_free(c);
  free(b);
  free(sys);
  free(usr);
  free(proj);
}

/* Run one writer call on a file holding `before`; compare the bytes. */
static void edit(const char *before, int (*fn)(const char *, void *), void *arg,
                 const char *after, const char *name) {
  char *p = path("w.conf");
  if (before)
    put("w.conf", before);
  else
    unlink(p);
  int rc = fn(p, arg);
  char *got = slurp("w.conf");
  if (!after) {
    ok(rc == SQLITCH_ERROR, name);
  } else {
    ok(rc == SQLITCH_OK, name);
    is_str(got, after, name);
  }
  free(got);
  free(p);
}

typedef struct wargs {
  const char *key, *value, *rx, *as;
  int multiple, replace_all;
  const char *want_err;
} wargs;

static int do_write(const char *file, void *arg) {
  wargs *a = arg;
  sqlitch_err err = SQLITCH_ERR_INIT;
  int rc = sqlitch_config_write(file, a->key, a->value, a->rx, a->as,
                                a->multiple, a->replace_all, &err);
  if (a->want_err) is_str(err.msg, a->want_err, "error text");
  sqlitch_err_clear(&err);
  return rc;
}

static int do_rename(const char *file, void *arg) {
  const char **a = arg;
  sqlitch_err err = SQLITCH_ERR_INIT;
  int rc = a[1] ? sqlitch_config_rename_section(file, a[0], a[1], &err)
                : sqlitch_config_remove_section(file, a[0], &err);
  if (a[2]) is_str(err.msg, a[2], "error text");
  sqlitch_err_clear(&err);
  return rc;
}

static void test_writer(void) {
  wargs a = {"core.engine", "pg", NULL, NULL, 0, 0, NULL};
  edit(NULL, do_write, &a, "[core]\n\tengine = pg\n", "set creates the file");
  edit("", do_write, &a, "\n[core]\n\tengine = pg\n",
       "empty file gets a leading newline (GitLike)");
  edit("[core]\n  Engine = sqlite ; old\n[x]\n", do_write, &a,
       "[core]\n  engine = pg\n[x]\n", "replace in place, comment dropped");
  edit("[core]\nx=1\n\n\n", do_write, &a, "[core]\nx=1\n\tengine = pg\n",
       "insert after the last item; trailing blank lines collapse");
  edit("[core]\nx=1\n[o]\n[core]\ny=2\n# c\n", do_write, &a,
       "[core]\nx=1\n[o]\n[core]\ny=2\n\tengine = pg\n# c\n",
       "insert into the last block of the section");
  wargs q = {"a.b c", " bar; baz", NULL, NULL, 0, 0, NULL};
  edit(NULL, do_write, &q, "[a]\n\tb c = \" bar; baz\"\n", "quoting");
  wargs e = {"Foo.Sub.Bar", "a\"b\\c\ttab\nx", NULL, NULL, 0, 0, NULL};
  edit(NULL, do_write, &e, "[Foo \"Sub\"]\n\tBar = a\\\"b\\\\c\\ttab\\nx\n",
       "escapes; section case kept");
  wargs s = {"s.q\\\"x.k", "v", NULL, NULL, 0, 0, NULL};
  edit(NULL, do_write, &s, "[s \"q\\\\\\\"x\"]\n\tk = v\n",
       "subsection escaping");
  wargs b = {"d.v", "yes", NULL, "bool", 0, 0, NULL};
  edit(NULL, do_write, &b, "[d]\n\tv = true\n", "--bool normalises");
  wargs m = {"core.m",
             "3",
             NULL,
             NULL,
             0,
             0,
             "Cannot overwrite multiple values with a single value"};
  edit("[core]\nm=1\nm=2\n", do_write, &m, NULL, "set on multi-valued key");
  wargs ad = {"core.m", "3", NULL, NULL, 1, 0, NULL};
  edit("[core]\nm=1\nm=2\n", do_write, &ad, "[core]\nm=1\nm=2\n\tm = 3\n",
       "--add");
  wargs ra = {"core.m", "9", NULL, NULL, 1, 1, NULL};
  edit("[core]\nm=1\nx=0\nm=2\n", do_write, &ra, "[core]\nx=0\nm = 9\n",
       "--replace-all keeps the last position");
  wargs rx = {"core.m", "9", "^2", NULL, 0, 0, NULL};
  edit("[core]\nm=1\nm=2\n", do_write, &rx, "[core]\nm=1\nm = 9\n",
       "set with a value regex");
  wargs un = {"core.m",
              NULL,
              NULL,
              NULL,
              0,
              0,
              "Cannot unset key with multiple values"};
  edit("[core]\nm=1\nm=2\n", do_write, &un, NULL, "--unset multi");
  wargs ua = {"core.m", NULL, NULL, NULL, 1, 0, NULL};
  edit("[core]\nm=1\nk=v\nm=2\n", do_write, &ua, "[core]\nk=v\n",
       "--unset-all");
  wargs u1 = {"core.k", NULL, NULL, NULL, 0, 0, NULL};
  edit("[core] k = v\n[x]\n", do_write, &u1, "[core]\n[x]\n",
       "--unset after a header on the same line");
  char *wp = path("w.conf");
  char *msg =
      sqlitch_mprintf("No occurrence of core.z found to unset in %s\n", wp);
  wargs un2 = {"core.z", NULL, NULL, NULL, 0, 0, msg};
  edit("[core]\n", do_write, &un2, NULL, "--unset missing");
  free(msg);
  free(wp);
  wargs bad1 = {"foo",
                "x",
                NULL,
                NULL,
                0,
                0,
                "No section given in key or invalid key foo\n"};
  edit(NULL, do_write, &bad1, NULL, "no section");
  wargs bad2 = {"a.b+", "x", NULL, NULL, 0, 0, "Invalid variable name b+\n"};
  edit(NULL, do_write, &bad2, NULL, "bad name");
  wargs bad3 = {"a b.c", "x", NULL, NULL, 0, 0, "Invalid section name a b\n"};
  edit(NULL, do_write, &bad3, NULL, "bad section");
  wargs crlf = {"core.y", "2", NULL, NULL, 0, 0, NULL};
  edit("[core]\r\nx = 1\r\n", do_write, &crlf, "[core]\r\nx = 1\r\n\ty = 2\r\n",
       "CRLF kept");

  const char *r1[] = {"core", "main", NULL};
  edit("[core]\nx=1\n[CORE]\ny=2\n", do_rename, r1,
       "[main]\nx=1\n[main]\ny=2\n", "rename every matching header");
  const char *r2[] = {"engine.pg", "engine.sqlite", NULL};
  edit("[engine \"pg\"]\nx=1\n", do_rename, r2, "[engine \"sqlite\"]\nx=1\n",
       "rename to a subsection");
  const char *r3[] = {"nope", "x", "No such section!"};
  edit("[core]\n", do_rename, r3, NULL, "rename unknown");
  const char *d1[] = {"a", NULL, NULL};
  edit("[a]\nx=1\n  [b]\ny=2\n[a]\nz=3\n", do_rename, d1, "[b]\ny=2\n",
       "remove a section (all blocks, to the end)");
}

int main(void) {
  char tmpl[] = "/tmp/sqlitch-test-config.XXXXXX";
  char *d = mkdtemp(tmpl);
  char *real = d ? realpath(d, NULL) : NULL;
  if (!real) {
    printf("Bail out! cannot make a temp dir\n");
    return 1;
  }
  snprintf(root, sizeof root, "%s", real);
  free(real);
  unsetenv("SQITCH_FULLNAME");
  unsetenv("SQITCH_EMAIL");
  test_parser();
  test_keys();
  test_casts();
  test_scopes();
  test_writer();
  if (chdir("/") == 0) {
    char *cmd = sqlitch_mprintf("rm -rf '%s'", root);
    if (system(cmd) != 0) diag("cleanup failed");
    free(cmd);
  }
  return tap_done();
}
