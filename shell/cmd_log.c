/*
** cmd_log.c -- `sqlitch log` (App::Sqitch::Command::log): the events of a
** database's registry, formatted with the item formatter (core/format.h).
**
**   sqlitch log [options] [<target>]
**     -t, --target <t>                   target name or db: URI
**     --event <e>                        deploy, revert or fail (repeatable)
**     --change, --change-pattern <re>    change names matching a Perl regex
**     --project, --project-pattern <re>  projects matching a Perl regex
**     --committer, --committer-pattern <re>  committer names matching
**     -f, --format <f>                   raw|full|long|medium|short|oneline
**                                        or format:<template> (log.format)
**     --date-format, --date <f>          (log.date_format; iso)
**     -n, --max-count <n>   --skip <n>   limit / offset
**     --reverse                          oldest first
**     --color <when>  --no-color         (log.color)
**     --abbrev <n>  --oneline            short ids / one line per event
**     --no-headers                       no "On database" line
**     --json                             JSON lines instead (docs/json.md)
**   plus --registry, --client and --db-*.
**
** Example:
**   $ sqlitch log --oneline --event deploy -n 2
**   On database db:sqlite:flipr.db
**   32d046 deploy flips @v1.0 @beta ... (format "oneline")
**
** Exit 1 with "Database <registry> has not been initialized for Sqitch" or
** "No events logged for <db>". Two differences from sqitch 1.3.1 (see
** docs/differences.md): several different filters are combined with AND
** (1.3.1 builds invalid SQL), and on engines that store tags/requires/
** conflicts as text (SQLite, MySQL) %t %T %r %R %x %X format those lists
** instead of dying; %{tags}a and friends still print the stored text.
**
** --json (sqlitch only) prints one JSON object per event instead, one per
** line and not paged (on_json_event); the filters, -n, --skip and
** --reverse apply, the formatting options do not. Its exit-1 messages go
** to stderr, so that stdout holds only JSON.
*/
#include <stdlib.h>
#include <string.h>

#include "datefmt.h"
#include "engine_cmd.h"
#include "format.h"
#include "json_run.h"

static const char *const opts[] = {"event=s@",
                                   "target|t=s",
                                   "change-pattern|change=s",
                                   "project-pattern|project=s",
                                   "committer-pattern|committer=s",
                                   "format|f=s",
                                   "date-format|date=s",
                                   "max-count|n=i",
                                   "skip=i",
                                   "reverse!",
                                   "color=s",
                                   "no-color",
                                   "abbrev=i",
                                   "oneline",
                                   "headers!",
                                   "json",
                                   SH_CONNECT_OPTS,
                                   NULL};

/* Engines whose registry returns real lists (pg arrays, joined with ","
   by the engine); the others store the text Sqitch wrote ("@a @b",
   "a,b") and their rows get Sqitch 1.3.1's string semantics for %a. */
static const char *const array_engines[] = {"pg", NULL};

#define FLUSH_AT (64 * 1024)

typedef struct log_ctx {
  sh_ctx *ctx;
  sqlitch_fmt *fmt;
  int strings;       /* the engine stores the lists as text */
  sqlitch_buf out;   /* formatted text not yet paged */
  sqlitch_buf words; /* split list items, NUL-separated */
  size_t *offs;      /* their offsets in `words` */
  const char **ptrs;
  size_t cap;
  sqlitch_err *err;
  int failed;
  size_t rows; /* events formatted */
} log_ctx;

static void reserve(log_ctx *l, size_t n) {
  if (n <= l->cap) return;
  l->cap = n * 2 + 16;
  l->offs = sqlitch_realloc(l->offs, l->cap * sizeof *l->offs);
  l->ptrs = sqlitch_realloc(l->ptrs, l->cap * sizeof *l->ptrs);
}

/* Split the stored text of a list into `words`, returning the count.
   Tags are "@a @b" (deploy/fail) or "@a,@b" (revert): split at blanks and
   at "," before "@". requires/conflicts are "a,b": split at ",". */
static size_t split(log_ctx *l, const char *s, int tags, size_t *k) {
  size_t n = 0;
  if (!s) return 0;
  while (*s) {
    const char *end = s;
    if (tags) {
      while (*end && *end != ' ' && !(*end == ',' && end[1] == '@'))
        end++;
    } else {
      while (*end && *end != ',')
        end++;
    }
    if (end > s) {
      reserve(l, *k + 1);
      l->offs[(*k)++] = l->words.len;
      sqlitch_buf_addn(&l->words, s, (size_t)(end - s));
      sqlitch_buf_addc(&l->words, 0);
      n++;
    }
    s = *end ? end + 1 : end;
  }
  return n;
}

static int on_event(void *c, const sqlitch_reg_event *r) {
  log_ctx *l = c;
  sqlitch_fmt_item it;
  sqlitch_fmt_item_init(&it);
  it.event = r->event;
  it.project = r->project;
  it.change_id = r->change_id;
  it.change = r->change;
  it.note = r->note;
  it.has_committer = 1;
  it.committer_name = r->committer_name;
  it.committer_email = r->committer_email;
  it.has_committed_at =
      r->committed_at &&
      sqlitch_time_parse(r->committed_at, &it.committed_at) == SQLITCH_OK;
  it.planner_name = r->planner_name;
  it.planner_email = r->planner_email;
  it.has_planned_at =
      r->planned_at &&
      sqlitch_time_parse(r->planned_at, &it.planned_at) == SQLITCH_OK;

  size_t k = 0;
  sqlitch_buf_reset(&l->words);
  size_t nt = split(l, r->tags, 1, &k);
  size_t nr = split(l, r->requires, 0, &k);
  size_t nx = split(l, r->conflicts, 0, &k);
  reserve(l, k + 1);
  for (size_t i = 0; i < k; i++)
    l->ptrs[i] = l->words.p + l->offs[i];
  it.tags = l->ptrs;
  it.ntags = nt;
  it.requires = l->ptrs + nt;
  it.nrequires = nr;
  it.conflicts = l->ptrs + nt + nr;
  it.nconflicts = nx;
  if (l->strings) {
    it.lists_are_strings = 1;
    it.lists_split = 1;
    it.tags_str = r->tags;
    it.requires_str = r->requires;
    it.conflicts_str = r->conflicts;
  }
  if (sqlitch_fmt_format(l->fmt, &it, &l->out, l->err)) {
    l->failed = 1;
    return 1;
  }
  sqlitch_buf_addc(&l->out, '\n');
  l->rows++;
  if (l->out.len >= FLUSH_AT) {
    sh_page_literal(l->ctx, l->out.p, l->out.len);
    sqlitch_buf_reset(&l->out);
  }
  return 0;
}

/* --json: one event as one line, {"event":..,"change_id":..,...}. Lists
   are split as for the formatter (split() above). */
static int on_json_event(void *c, const sqlitch_reg_event *r) {
  log_ctx *l = c;
  size_t k = 0;
  sqlitch_buf_reset(&l->words);
  static const struct {
    const char *key;
    int tags;
  } lists[] = {{"tags", 1}, {"requires", 0}, {"conflicts", 0}};
  const char *text[] = {r->tags, r->requires, r->conflicts};
  size_t n[3];
  for (size_t i = 0; i < 3; i++)
    n[i] = split(l, text[i], lists[i].tags, &k);
  sh_json j;
  sh_json_init(&j, &l->out);
  sh_json_object(&j, NULL);
  sh_json_str(&j, "event", r->event);
  sh_json_str(&j, "change_id", r->change_id);
  sh_json_str(&j, "change", r->change);
  sh_json_str(&j, "project", r->project);
  sh_json_str(&j, "note", r->note);
  for (size_t i = 0, w = 0; i < 3; i++) {
    sh_json_array(&j, lists[i].key);
    for (size_t m = 0; m < n[i]; m++, w++)
      sh_json_str(&j, NULL, l->words.p + l->offs[w]);
    sh_json_end(&j);
  }
  sh_json_str(&j, "committer_name", r->committer_name);
  sh_json_str(&j, "committer_email", r->committer_email);
  sh_json_time(&j, "committed_at", r->committed_at);
  sh_json_str(&j, "planner_name", r->planner_name);
  sh_json_str(&j, "planner_email", r->planner_email);
  sh_json_time(&j, "planned_at", r->planned_at);
  sh_json_end(&j);
  sh_json_free(&j);
  sqlitch_buf_addc(&l->out, '\n');
  l->rows++;
  if (l->out.len >= FLUSH_AT) {
    fwrite(l->out.p, 1, l->out.len, stdout);
    sqlitch_buf_reset(&l->out);
  }
  return 0;
}

/* Is anything logged at all? */
static int any_event(void *c, const sqlitch_reg_event *r) {
  (void)r;
  *(int *)c = 1;
  return 1;
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  /* configure */
  const char *tmpl;
  sqlitch_fmt_opts fo;
  if (sh_fmt_configure(ctx, o, SQLITCH_FMT_LOG, &tmpl, &fo, err))
    return SQLITCH_ERROR;

  /* execute */
  sqlitch_engine_allow_inprocess_clients(1); /* docs/pg.md, docs/mysql.md */
  int json = sh_opt_bool(o, "json", 0);
  sh_engine_run r;
  int rc = SQLITCH_ERROR, init = 0, any = 0;
  log_ctx l;
  memset(&l, 0, sizeof l);
  if (sh_engine_begin(ctx, o, argc, argv, 0, "connecting to", &r, err))
    goto done;
  sqlitch_engine *e = r.engine;
  if (sqlitch_engine_initialized(e, &init, err)) goto done;
  if (!init) {
    sqlitch_err_set(err, SQLITCH_E_GENERIC, 1,
                    "Database %s has not been initialized for Sqitch",
                    sqlitch_engine_registry_destination(e));
    goto done;
  }
  sqlitch_event_query q;
  memset(&q, 0, sizeof q);
  q.limit = 1;
  if (sqlitch_engine_search_events(e, &q, any_event, &any, err)) goto done;
  if (!any) {
    sqlitch_err_set(err, SQLITCH_E_GENERIC, 1, "No events logged for %s",
                    sqlitch_engine_destination(e));
    goto done;
  }

  memset(&q, 0, sizeof q);
  const sqlitch_strv *events = sh_opt_list(o, "event");
  q.events = events->n ? events : NULL;
  q.change = sh_opt_str(o, "change-pattern");
  q.project = sh_opt_str(o, "project-pattern");
  q.committer = sh_opt_str(o, "committer-pattern");
  q.limit = sh_opt_int(o, "max-count", 0);
  q.offset = sh_opt_int(o, "skip", 0);
  q.ascending = sh_opt_bool(o, "reverse", 0);

  l.ctx = ctx;
  l.err = err;
  l.strings = 1;
  for (const char *const *a = array_engines; *a; a++)
    if (strcmp(*a, e->ops->key) == 0) l.strings = 0;
  if (json) {
    /* complete lines, written in FLUSH_AT batches (not paged) */
    rc = sqlitch_engine_search_events(e, &q, on_json_event, &l, err) ==
                 SQLITCH_OK
             ? 0
             : SQLITCH_ERROR;
    if (l.out.len) fwrite(l.out.p, 1, l.out.len, stdout);
    goto done;
  }
  l.fmt = sqlitch_fmt_new(tmpl, &fo);
  if (sh_opt_bool(o, "headers", 1))
    sqlitch_buf_addf(&l.out, "On database %s\n", sqlitch_engine_destination(e));
  /* The query runs before anything is paged: a database error comes
     without the header, as in sqitch. */
  if (sqlitch_engine_search_events(e, &q, on_event, &l, err) == SQLITCH_OK &&
      !l.failed)
    rc = 0;
  else if (!l.failed && !l.rows)
    sqlitch_buf_reset(&l.out);
  if (l.out.len) sh_page_literal(ctx, l.out.p, l.out.len);

done:
  sqlitch_fmt_free(l.fmt);
  sqlitch_buf_free(&l.out);
  sqlitch_buf_free(&l.words);
  free(l.offs);
  free(l.ptrs);
  sh_engine_end(&r);
  if (json) sh_json_error_to_stderr(ctx, rc, err);
  return rc;
}

const sh_cmd sh_cmd_log = {"log", opts, run};
