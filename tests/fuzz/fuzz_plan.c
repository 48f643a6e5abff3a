/*
** fuzz_plan.c -- libFuzzer target for the plan parser (core/plan*.c).
**
** Parses arbitrary bytes as a plan. When that succeeds, the plan is written
** back, parsed again and written again: the second parse must succeed and
** give the same bytes and the same IDs. Every change is also looked up by
** name, tag-qualified name and id, and its info text and script path are
** built, so the lookup and formatting code runs on odd input too.
**
** Sqitch itself is not idempotent in six corners, which are allowed:
** - "%syntax-version" without "=" is written as "%syntax-version1.0.0" (a
**   new pragma, so a second version line appears);
** - a "%syntax_version" pragma hides the real one;
** - "[p:x x]" in project p is written as "[x x]", which Sqitch then
**   rejects as a duplicate dependency;
** - a pragma name (without value) may end in a CR, which the written "\n"
**   turns into a CRLF line end, or into a line that no longer reads as a
**   pragma at all (sqitch then fails on its own plan too);
** - a pragma value made only of vertical white space is trimmed to
**   nothing, so "%x=" is written, which no longer parses;
** - pragma notes are kept raw but escaped when written, so one with a
**   backslash or CR grows on every rewrite.
**
**   make fuzz                     # builds build/fuzz/fuzz_plan and runs it
**   build/fuzz/fuzz_plan tests/fuzz/seeds/fuzz_plan
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static int has_local_prefix(const sqlitch_plan *p) {
  for (size_t i = 0; i < p->nchanges; i++) {
    const sqlitch_change *c = &p->changes[i];
    for (size_t k = 0; k < c->nrequires; k++)
      if (c->requires[k].project && !c->requires[k].is_external) return 1;
    for (size_t k = 0; k < c->nconflicts; k++)
      if (c->conflicts[k].project && !c->conflicts[k].is_external) return 1;
  }
  return 0;
}

static int empty_value(const sqlitch_plan *p) {
  for (size_t i = 0; i < p->nlines; i++) {
    const sqlitch_plan_line *l = &p->lines[i];
    if (l->type == SQLITCH_LINE_PRAGMA && *l->operator&&
                                           l->value && !* l->value)
      return 1;
  }
  return 0;
}

/* A pragma whose name holds a CR ("%x\r\r" read as the name "x\r" by
   Perl's $): once written with its "\n" it reads as an invalid pragma,
   and sqitch 1.3.1 then fails to read its own plan in the same way. */
static int cr_pragma(const sqlitch_plan *p) {
  for (size_t i = 0; i < p->nlines; i++) {
    const sqlitch_plan_line *l = &p->lines[i];
    if (l->type == SQLITCH_LINE_PRAGMA && strchr(l->name, '\r')) return 1;
  }
  return 0;
}

static int version_quirk(const sqlitch_plan *p) {
  for (size_t i = 0; i < p->nlines; i++) {
    const sqlitch_plan_line *l = &p->lines[i];
    if (l->type != SQLITCH_LINE_PRAGMA) continue;
    if (!strcmp(l->name, "syntax_version")) return 1;
    if (!strcmp(l->name, "syntax-version") && !*l->operator) return 1;
    if (strpbrk(l->note, "\\\r")) return 1;
    size_t n = strlen(l->name);
    if (!l->value && n && l->name[n - 1] == '\r') return 1;
  }
  return 0;
}

static void exercise(const sqlitch_plan *p) {
  sqlitch_err err = SQLITCH_ERR_INIT;
  for (size_t i = 0; i < p->nchanges && i < 64; i++) {
    const sqlitch_change *c = &p->changes[i];
    if (sqlitch_plan_index_of(p, c->id, &err) != (long)i) abort();
    long j = sqlitch_plan_index_of(p, c->name, &err);
    if (j == -1) abort(); /* a name in the plan is always found or ambiguous */
    sqlitch_err_clear(&err);
    char *q = sqlitch_mprintf("%s@HEAD^", c->name);
    sqlitch_plan_index_of(p, q, &err);
    sqlitch_err_clear(&err);
    free(q);
    char *s = sqlitch_change_info(p, c);
    free(s);
    s = sqlitch_change_name_with_deps(p, c);
    free(s);
    s = sqlitch_change_name_with_tags(p, c);
    free(s);
    s = sqlitch_change_script(p, c, "deploy", "deploy", "/nonexistent", "sql");
    free(s);
    for (size_t k = 0; k < c->ntags; k++) {
      const sqlitch_tag *t = &p->tags[c->tags[k]];
      if (sqlitch_plan_tag(p, t->name) != t) abort();
      s = sqlitch_tag_info(p, t);
      free(s);
    }
    sqlitch_plan_find(p, c->name);
  }
  if (p->nchanges) {
    sqlitch_buf b = SQLITCH_BUF_INIT;
    sqlitch_plan_write_range(p, 0, p->nchanges - 1, &b);
    sqlitch_buf_free(&b);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sqlitch_plan *p = NULL, *q = NULL;
  sqlitch_err err = SQLITCH_ERR_INIT;
  if (sqlitch_plan_parse("fuzz.plan", (const char *)data, size, &p, &err)) {
    if (!err.msg || !*err.msg) abort(); /* every error has a message */
    sqlitch_err_clear(&err);
    return 0;
  }
  exercise(p);
  sqlitch_buf w1 = SQLITCH_BUF_INIT, w2 = SQLITCH_BUF_INIT;
  sqlitch_plan_write(p, &w1);
  if (sqlitch_plan_parse("fuzz.plan", w1.p ? w1.p : "", w1.len, &q, &err)) {
    /* what we write must parse again */
    if (!has_local_prefix(p) && !empty_value(p) && !cr_pragma(p)) abort();
  } else {
    sqlitch_plan_write(q, &w2);
    if (!version_quirk(p)) {
      if (w1.len != w2.len || memcmp(w1.p, w2.p, w1.len)) abort();
      if (q->nchanges != p->nchanges) abort();
      for (size_t i = 0; i < p->nchanges; i++)
        if (strcmp(p->changes[i].id, q->changes[i].id)) abort();
    }
  }
  sqlitch_err_clear(&err);
  sqlitch_buf_free(&w1);
  sqlitch_buf_free(&w2);
  sqlitch_plan_free(q);
  sqlitch_plan_free(p);
  return 0;
}
