/*
** plan_async.c -- load a plan on another thread while the caller talks to
** its database, and guess the project from the head of the file.
**
** `sqlitch status` needs both the parsed plan (a few ms for 1,000 changes)
** and the registry's state (connecting, a query); neither waits for the
** other once the project name is known, and the %project pragma sits in
** the first lines of the file. So:
**
**   sqlitch_plan_future *f = sqlitch_plan_load_start("sqitch.plan");
**   const char *guess = sqlitch_plan_future_project(f);  // or NULL
**   ... query the registry for `guess` (copy it: finish frees it) ...
**   sqlitch_plan *plan;
**   if (sqlitch_plan_load_finish(f, &plan, &err)) ...  // as sqlitch_plan_load
**   if (strcmp(plan->project, guess) != 0) ...         // guessed wrong: redo
**
** The future is owned by the caller until finish or cancel, which wait
** for the thread and free the handle. When no thread can be started the
** plan is loaded at once by start(), with the same results.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

struct sqlitch_plan_future {
  char *file;
  char *project; /* peeked from the head of the file, or NULL */
  pthread_t thread;
  int threaded;
  int rc;
  sqlitch_plan *plan;
  sqlitch_err err;
};

static void *load(void *arg) {
  sqlitch_plan_future *f = arg;
  f->rc = sqlitch_plan_load_ro(f->file, &f->plan, &f->err);
  return NULL;
}

sqlitch_plan_future *sqlitch_plan_load_start(const char *file) {
  sqlitch_plan_future *f = sqlitch_calloc(1, sizeof *f);
  f->file = sqlitch_strdup(file);
  f->project = sqlitch_plan_peek_project(file);
  f->err = (sqlitch_err)SQLITCH_ERR_INIT;
  f->threaded = pthread_create(&f->thread, NULL, load, f) == 0;
  if (!f->threaded) load(f);
  return f;
}

const char *sqlitch_plan_future_project(const sqlitch_plan_future *f) {
  return f->project;
}

static void wait_for(sqlitch_plan_future *f) {
  if (f->threaded) pthread_join(f->thread, NULL);
  f->threaded = 0;
}

int sqlitch_plan_load_finish(sqlitch_plan_future *f, sqlitch_plan **out,
                             sqlitch_err *err) {
  wait_for(f);
  int rc = f->rc;
  *out = f->plan;
  if (rc) sqlitch_err_move(err, &f->err);
  free(f->project);
  free(f->file);
  free(f);
  return rc;
}

void sqlitch_plan_load_cancel(sqlitch_plan_future *f) {
  if (!f) return;
  sqlitch_plan *plan;
  sqlitch_err err = SQLITCH_ERR_INIT;
  sqlitch_plan_load_finish(f, &plan, &err);
  sqlitch_plan_free(plan);
  sqlitch_err_clear(&err);
}

/* The value of "%project=<value>" in the header: the pragma and comment
   lines before the first empty line (the first 8 KiB are enough for any
   real plan). Spaces around the parts are allowed as the parser allows
   them; the value ends at a blank or a note. */
char *sqlitch_plan_peek_project(const char *file) {
  FILE *fp = fopen(file, "rb");
  if (!fp) return NULL;
  char buf[8192];
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  fclose(fp);
  buf[n] = 0;
  const char *p = buf;
  while (*p) {
    const char *eol = strchr(p, '\n');
    if (!eol) break; /* a line cut by the buffer: not trusted */
    const char *s = p;
    while (s < eol && (*s == ' ' || *s == '\t' || *s == '\r'))
      s++;
    if (s < eol && *s == '%') {
      s++;
      while (*s == ' ' || *s == '\t')
        s++;
      if (strncmp(s, "project", 7) == 0) {
        s += 7;
        while (*s == ' ' || *s == '\t')
          s++;
        if (*s != '=') return NULL;
        s++;
        while (*s == ' ' || *s == '\t')
          s++;
        const char *e = s;
        while (e < eol && *e != ' ' && *e != '\t' && *e != '\r' && *e != '#')
          e++;
        return e > s ? sqlitch_strndup(s, (size_t)(e - s)) : NULL;
      }
    } else if (s == eol || *s != '#') {
      return NULL; /* the header ends at an empty line; no %project */
    }
    p = eol + 1;
  }
  return NULL;
}
