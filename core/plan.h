/*
** plan.h -- Sqitch plan files (syntax 1.0.0): parse, validate, query,
** modify and write back byte-for-byte as Sqitch does.
**
** A plan is a list of lines (pragmas, blanks/comments, changes, tags) kept
** for rewriting, plus the changes and tags they define. Everything a plan
** owns lives in its arena and dies with sqlitch_plan_free().
**
**   sqlitch_plan *plan;
**   if (sqlitch_plan_load("sqitch.plan", &plan, &err)) {
**     // err.msg = "Syntax error in sqitch.plan at line 4: Missing timestamp"
**   }
**   for (size_t i = 0; i < plan->nchanges; i++) {
**     const sqlitch_change *c = &plan->changes[i];
**     printf("%s %s\n", c->id, c->name);       // ids are computed on load
**   }
**   long i = sqlitch_plan_index_of(plan, "users@v1.0", &err);  // -1: not found
**   sqlitch_buf out = SQLITCH_BUF_INIT;
**   sqlitch_plan_write(plan, &out);              // same bytes Sqitch writes
**   sqlitch_plan_free(plan);
**
** Strings in the structs are NUL-terminated UTF-8, owned by the plan.
** Notes are stored unescaped (real newlines). Timestamps are the plan's
** "YYYY-MM-DDTHH:MM:SSZ" text.
*/
#ifndef SQLITCH_PLAN_H
#define SQLITCH_PLAN_H

#include "util.h"

#define SQLITCH_PLAN_SYNTAX_VERSION "1.0.0"

/* A dependency: [!][project:]change[@tag] | [!][project:]@tag | 40-hex id. */
typedef struct sqlitch_dep {
  int conflicts;       /* written with "!" */
  const char *project; /* explicit project, or NULL */
  const char *change;  /* NULL for "@tag" and id forms */
  const char *tag;     /* without "@", or NULL */
  const char *id;      /* 40-hex id form, or NULL */
  int is_external;     /* project given and differs from the plan's; for
                          an id without project: the id is not in the
                          plan (Depend.pm's is_external) */
} sqlitch_dep;

typedef struct sqlitch_tag {
  const char *name; /* without "@" */
  char id[41];
  const char *timestamp;
  const char *planner_name;
  const char *planner_email;
  const char *note; /* "" when none */
  size_t change;    /* index into plan->changes */
  size_t line;      /* index into plan->lines */
} sqlitch_tag;

typedef struct sqlitch_change {
  const char *name;
  const char *op; /* "+", "-" or "" (legacy operator) */
  char id[41];
  const char *timestamp;
  const char *planner_name;
  const char *planner_email;
  const char *note; /* "" when none */
  sqlitch_dep *requires;
  size_t nrequires;
  sqlitch_dep *conflicts;
  size_t nconflicts;
  size_t *tags; /* indices into plan->tags, in plan order */
  size_t ntags;
  /* Names of the tags used for this change's reworked script files
     ("name@TAG.sql"), newest first; empty when the change is not reworked
     later in the plan (plan.md §7). */
  const char **rework_tags;
  size_t nrework_tags;
  size_t line;   /* index into plan->lines */
  size_t lineno; /* 1-based line number in the file */
} sqlitch_change;

typedef enum {
  SQLITCH_LINE_BLANK = 0, /* blank or comment line */
  SQLITCH_LINE_PRAGMA,
  SQLITCH_LINE_CHANGE,
  SQLITCH_LINE_TAG
} sqlitch_line_type;

/* One remembered line; the whitespace fields reproduce the file. */
typedef struct sqlitch_plan_line {
  sqlitch_line_type type;
  const char *lspace; /* leading blanks */
  const char *rspace; /* blanks before "#" or end of line */
  const char *note;   /* unescaped note/comment text, or NULL */
  /* pragma */
  const char *hspace; /* blanks after "%" */
  const char *name;
  const char *lopspace, *operator, * ropspace; /* around "=" ("" if none) */
  const char *value;                           /* NULL when no "=value" */
  /* change/tag: index into plan->changes / plan->tags */
  size_t index;
  /* change: blanks around the +/- operator and after the name */
  const char *pspace;
} sqlitch_plan_line;

typedef struct sqlitch_plan {
  sqlitch_arena *arena;
  const char *file; /* path as given */
  const char *project;
  const char *uri; /* %uri as written, or NULL */
  const char *syntax_version;
  sqlitch_plan_line *lines;
  size_t nlines;
  sqlitch_change *changes;
  size_t nchanges;
  sqlitch_tag *tags;
  size_t ntags;
  void *index; /* private lookup tables */
} sqlitch_plan;

/* ----------------------------------------------------------- load/write */

/* Load a plan file. Errors: "Plan file X does not exist", "Plan file X is
   not a regular file", syntax/dependency errors with Sqitch's text. */
int sqlitch_plan_load(const char *file, sqlitch_plan **out, sqlitch_err *err);
/* The same for reading only: the lines are not kept (nlines is 0, and
   change->line / tag->line mean nothing), which saves about 100 bytes a
   line; nothing that writes or edits the plan may be used on it. For
   the commands that never rewrite the plan (plan, show, the engine's
   deploy/revert/verify/status, the extension). */
int sqlitch_plan_load_ro(const char *file, sqlitch_plan **out,
                         sqlitch_err *err);
/* The same, naming Perl's file handle in the message about bad UTF-8 that
   a plan read in the middle of a file gets ("... <GEN0> line 267."):
   Sqitch's `add` has opened another file first and says "GEN1"; every
   other command says "GEN0" (NULL). */
int sqlitch_plan_load_as(const char *file, const char *perl_fh,
                         sqlitch_plan **out, sqlitch_err *err);
/* The same on another thread (plan_async.c), so that the caller can work
   meanwhile: start never fails; finish waits, returns what
   sqlitch_plan_load would have (plan and error handed over) and frees the
   handle; cancel waits and frees everything. The future also knows the
   %project the head of the file names (peeked before the thread starts;
   NULL when not found), valid until finish/cancel. */
typedef struct sqlitch_plan_future sqlitch_plan_future;
sqlitch_plan_future *sqlitch_plan_load_start(const char *file);
const char *sqlitch_plan_future_project(const sqlitch_plan_future *f);
int sqlitch_plan_load_finish(sqlitch_plan_future *f, sqlitch_plan **out,
                             sqlitch_err *err);
void sqlitch_plan_load_cancel(sqlitch_plan_future *f);
/* The %project value the head of a plan file declares (caller frees), or
   NULL. A guess read without parsing: check it against the parsed plan. */
char *sqlitch_plan_peek_project(const char *file);
/* Parse plan text; `file` is used in messages. */
int sqlitch_plan_parse(const char *file, const char *data, size_t len,
                       sqlitch_plan **out, sqlitch_err *err);
/* A new, empty plan for `project` (as `init` writes it); `uri`, when
   given, is written in its canonical form (URI->canonical). */
sqlitch_plan *sqlitch_plan_new(const char *file, const char *project,
                               const char *uri);
void sqlitch_plan_free(sqlitch_plan *plan);
/* Serialise (Sqitch's write_to). */
void sqlitch_plan_write(const sqlitch_plan *plan, sqlitch_buf *out);
/* Serialise and replace the file atomically. */
int sqlitch_plan_save(const sqlitch_plan *plan, const char *file,
                      sqlitch_err *err);
/* Partial plan for `bundle --from/--to`: header lines, then the lines from
   change `from` through change `to`'s last tag line. SIZE_MAX for `from`
   means "no --from" (start right after the header, comments included);
   SIZE_MAX for `to` means "no --to" (up to the last line). Resolve specs
   with sqlitch_plan_find_err() (Sqitch's write_to uses find). */
void sqlitch_plan_write_range(const sqlitch_plan *plan, size_t from, size_t to,
                              sqlitch_buf *out);

/* ----------------------------------------------------------------- query */

/* Sqitch's index_of: "name", "name@tag", "@tag", "HEAD"/"ROOT", ids,
   "^"/"~" offsets. Returns the change index, -1 when not found, or
   SQLITCH_ERROR-style -2 with err set (unknown tag, ambiguous name: the
   message then holds the candidate listing Sqitch vents, then
   "Change lookup failed"). */
long sqlitch_plan_index_of(const sqlitch_plan *plan, const char *spec,
                           sqlitch_err *err);
/* First instance of a change name (reworks ignored), or -1. */
long sqlitch_plan_first_index_of(const sqlitch_plan *plan, const char *name,
                                 const char *since_tag);
/* Sqitch's contains()/find(): like index_of but ambiguity picks the first
   instance and never errors. */
long sqlitch_plan_find(const sqlitch_plan *plan, const char *spec);
/* first_index_of with Sqitch's errors: since (a change spec) unknown ->
   "Unknown change: \"X\"", or index_of's errors. -1 not found, -2 error. */
long sqlitch_plan_first_index_since(const sqlitch_plan *plan, const char *name,
                                    const char *since, sqlitch_err *err);
/* find() with its one error kept: "name@tag" with an unknown tag gives -2
   and "Unknown tag \"@tag\"". */
long sqlitch_plan_find_err(const sqlitch_plan *plan, const char *spec,
                           sqlitch_err *err);
/* Plan->contains as Command::parse_args asks it of each positional
   argument: "x@y" through index_of (so an unknown tag is an error), any
   other spec through find. Returns 1, 0, or SQLITCH_ERROR (-1) with err
   set. Shared by the CLI's argument sorting and the extension's
   functions, so both call the same argument a change. */
int sqlitch_plan_contains(const sqlitch_plan *plan, const char *arg,
                          sqlitch_err *err);
/* Tag by name (with or without "@") or id, or NULL. */
const sqlitch_tag *sqlitch_plan_tag(const sqlitch_plan *plan, const char *spec);
/* Index of the last change that has a tag, or -1. */
long sqlitch_plan_last_tagged(const sqlitch_plan *plan);

/* -------------------------------------------------------- formatting */

/* "name @t1 @t2" (format_name_with_tags). Caller frees. */
char *sqlitch_change_name_with_tags(const sqlitch_plan *plan,
                                    const sqlitch_change *c);
/* "name [req !conf]" (format_name_with_dependencies). Caller frees. */
char *sqlitch_change_name_with_deps(const sqlitch_plan *plan,
                                    const sqlitch_change *c);
/* Dependency as Sqitch renders it in IDs and the registry
   ("users", "flips@v1.0", "other:gadgets"); no "!". Caller frees. */
char *sqlitch_dep_string(const sqlitch_dep *d);
/* Change/tag info text (the SHA-1 input without its "change N\0"
   header), as `sqitch show change|tag` prints it. Caller frees. */
char *sqlitch_change_info(const sqlitch_plan *plan, const sqlitch_change *c);
char *sqlitch_tag_info(const sqlitch_plan *plan, const sqlitch_tag *t);
/* Canonical form of a %uri (URI->canonical). Caller frees. */
char *sqlitch_uri_canonical(const char *uri);
/* $plan->uri as Sqitch stores it in projects.uri and prints it: NULL when
   there is no %uri or it is Perl-false, else URI->new($value) as a string
   (trimmed, unsafe characters %-escaped, not canonical). Caller frees. */
char *sqlitch_plan_uri(const sqlitch_plan *plan);

/* Script path of a change for one kind ("deploy", "revert", "verify" or
   any extra script dir), given the directory for current scripts, the one
   for reworked scripts, and the extension: "<dir>/<name>.<ext>" or, for an
   older instance of a reworked change, "<reworked_dir>/<name>@<tag>.<ext>"
   (choosing the first rework tag whose deploy file exists, else the first).
   Caller frees. */
char *sqlitch_change_script(const sqlitch_plan *plan, const sqlitch_change *c,
                            const char *dir, const char *reworked_dir,
                            const char *reworked_deploy_dir, const char *ext);

/* ------------------------------------------------------------ validation */

typedef enum {
  SQLITCH_NAME_CHANGE,
  SQLITCH_NAME_TAG,
  SQLITCH_NAME_PROJECT
} sqlitch_name_kind;

/* Sqitch's name rule (plan.md §2). Returns 1 when valid. */
int sqlitch_name_valid(const char *name);
/* Full command-line validation with Sqitch's messages (reserved names,
   SHA1 look-alikes, tags containing "/"). */
int sqlitch_name_check(const char *name, sqlitch_name_kind kind,
                       sqlitch_err *err);
/* Parse one dependency token; returns SQLITCH_ERROR on bad syntax. */
int sqlitch_dep_parse(sqlitch_arena *a, const char *project, const char *s,
                      sqlitch_dep *out);

/* ---------------------------------------------------------- modification */

/* Append a change (sqitch add). requires/conflicts are dependency strings
   as typed (conflicts without "!"). `note` is stored as given: pass -n
   values joined with "\n\n" through sqlitch_note_unescape() first (as
   Sqitch's Change->new does); an editor note is stored verbatim. NULL
   timestamp = now. Validates the
   name and requires with Sqitch's messages. Returns the new change index or
   SQLITCH_ERROR. IDs of the plan are recomputed. */
long sqlitch_plan_add(sqlitch_plan *plan, const char *name,
                      const sqlitch_strv *requires,
                      const sqlitch_strv *conflicts, const char *note,
                      const char *planner_name, const char *planner_email,
                      const char *timestamp, sqlitch_err *err);
/* Add a tag to change `change_spec` (NULL, "" or "0" = last change, as
   Perl's truth test); `name` may carry a leading "@". The tag line goes
   right after the change line plus its tags (Plan.pm's insert_at).
   Returns the new tag's index in plan->tags (kept in plan order). */
long sqlitch_plan_tag_add(sqlitch_plan *plan, const char *name,
                          const char *change_spec, const char *note,
                          const char *planner_name, const char *planner_email,
                          const char *timestamp, sqlitch_err *err);
/* Append a reworked instance of `name` (sqitch rework): requires gets
   "name@TAG" first, TAG being the FIRST tag of the last tagged change (as
   Plan.pm does), and the previous instance gets TAG as rework tag, so
   sqlitch_change_script() of it names "name@TAG.ext" like `sqitch rework`. */
long sqlitch_plan_rework(sqlitch_plan *plan, const char *name,
                         const sqlitch_strv *requires,
                         const sqlitch_strv *conflicts, const char *note,
                         const char *planner_name, const char *planner_email,
                         const char *timestamp, sqlitch_err *err);

/* Note helpers: unescape (Line::BUILDARGS: trim white space, then "\\n" ->
   LF, "\\\\" -> "\\", "\\r" -> CR; "0" is left alone) and
   escape, as plan notes and -n values are processed. Caller frees. */
char *sqlitch_note_unescape(const char *s);
char *sqlitch_note_escape(const char *s);

/* Current UTC time as a plan timestamp "YYYY-MM-DDTHH:MM:SSZ" (41 bytes). */
void sqlitch_plan_timestamp_now(char out[32]);

#endif
