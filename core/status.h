/*
** status.h -- where a database stands against its plan: the engine-neutral
** logic of App::Sqitch::Command::status, as data (for the extension's
** sqlitch_status table and function) and as Sqitch's report (for the CLI).
**
** Three entry points, all working through any engine's ops table:
**
**   1. sqlitch_status_report(): the whole `sqitch status` output, line for
**      line, through the engine's reporter (COMMENT lines "# ...", EMIT for
**      "Undeployed changes:" and the "  * name @tags" items, VENT for
**      "Cannot find this change in <plan>"), with Sqitch's errors:
**
**        sqlitch_status_opts o;
**        sqlitch_status_opts_init(&o);
**        o.show_changes = 1;                    // --show-changes
**        o.date_format = "rfc";                 // --date-format (validated
**                                               // by the caller, exit 255)
**        if (sqlitch_status_report(engine, &o, &err)) ...
**        // err: "No changes deployed" (exit 1), "Database <reg> has not
**        // been initialized for Sqitch", "No projects registered",
**        // "Use --project to select which project to query: a, b",
**        // "Make sure you are connected to the proper database for this
**        // project." (all exit 2), or a plan/database error.
**
**   2. sqlitch_status_new(): the same facts without output: the project,
**      the current state, the --show-changes/--show-tags lists, and where
**      the current change sits in the plan (the undeployed changes are the
**      plan's changes after it). Same errors, except that a current change
**      missing from the plan is data (index -1), not an error.
**
**        sqlitch_status *st;
**        if (sqlitch_status_new(engine, &o, &st, &err)) ...
**        if (st->plan && st->index >= 0)
**          for (size_t i = st->index + 1; i < st->plan->nchanges; i++) ...
**        sqlitch_status_free(st);
**
**   3. sqlitch_status_rows(): the plan joined with the registry, one row
**      per plan change (deployed or pending, reworked or not) and then one
**      per deployed change the plan does not know (position -1), in
**      deployment order. Nothing deployed is not an error here.
**
**        sqlitch_status_rows *r;
**        if (sqlitch_status_rows_new(engine, NULL, &r, &err)) ...
**        for (size_t i = 0; i < r->n; i++) puts(r->v[i].name);
**        sqlitch_status_rows_free(r);
**
** The project, when not given, is the plan's; when the plan file does not
** exist, the registry's only project (Sqitch's lazy `project` attribute).
** Plan parse and I/O errors are always errors.
**
** Memory: everything returned is owned by the returned object and freed
** with its *_free. The plan (st->plan) is borrowed from the engine.
** Timestamps are registry text "YYYY-MM-DD HH:MM:SS" (UTC).
*/
#ifndef SQLITCH_STATUS_H
#define SQLITCH_STATUS_H

#include "engine.h"

typedef struct sqlitch_status_opts {
  const char *project;     /* --project; NULL = see above */
  int show_changes;        /* --show-changes / status.show_changes */
  int show_tags;           /* --show-tags / status.show_tags */
  const char *date_format; /* report only; NULL = "iso" */
} sqlitch_status_opts;

void sqlitch_status_opts_init(sqlitch_status_opts *o);

/* One line of the --show-changes / --show-tags lists. */
typedef struct sqlitch_status_entry {
  char *id;   /* change_id / tag_id */
  char *name; /* change name / "@tag" */
  char *committed_at;
  char *committer_name;
  char *committer_email;
} sqlitch_status_entry;

typedef struct sqlitch_status {
  char *project;                 /* the project reported on */
  sqlitch_reg_state *state;      /* never NULL */
  sqlitch_status_entry *changes; /* newest first; with show_changes */
  size_t nchanges;
  sqlitch_status_entry *tags; /* newest first; with show_tags */
  size_t ntags;
  /* The plan, when it loads and is the same project (else NULL: Sqitch's
     "Status unknown. Use --plan-file ..."). Borrowed from the engine. */
  const sqlitch_plan *plan;
  long index; /* plan index of state->change_id, or -1 */
} sqlitch_status;

int sqlitch_status_new(sqlitch_engine *e, const sqlitch_status_opts *o,
                       sqlitch_status **out, sqlitch_err *err);
void sqlitch_status_free(sqlitch_status *st);

/* Number of undeployed changes (0 when up to date or the plan is unknown). */
size_t sqlitch_status_undeployed(const sqlitch_status *st);

/* The status command's output through e->rep, "# On database" first. */
int sqlitch_status_report(sqlitch_engine *e, const sqlitch_status_opts *o,
                          sqlitch_err *err);

/* --------------------------------------------- plan joined with registry */

typedef struct sqlitch_status_row {
  long position; /* plan index; -1 = deployed but not planned */
  const char *change_id;
  const char *name;
  const char *tags;         /* plan tags "@a @b" ("" when none); for
                               unplanned rows the registry's tags */
  int deployed;             /* in the registry */
  int reworked;             /* an older instance, reworked later in the plan */
  const char *script_hash;  /* registry script_hash, NULL when pending */
  const char *committed_at; /* NULL when pending */
  const char *committer_name, *committer_email;
  const char *planned_at; /* plan/registry "YYYY-MM-DD HH:MM:SS" */
  const char *planner_name, *planner_email;
} sqlitch_status_row;

typedef struct sqlitch_status_rows {
  sqlitch_status_row *v;
  size_t n;
  char *project;
  sqlitch_arena *arena; /* owns every string of the rows */
} sqlitch_status_rows;

/* project NULL = the plan's project. */
int sqlitch_status_rows_new(sqlitch_engine *e, const char *project,
                            sqlitch_status_rows **out, sqlitch_err *err);
void sqlitch_status_rows_free(sqlitch_status_rows *r);

#endif
