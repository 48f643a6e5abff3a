/*
** format.h -- the item formatter of `plan` and `log` (App::Sqitch::
** ItemFormatter on String::Formatter): templates like
** "%{:event}C%h %l%{reset}C %n%{cyan}C%t%{reset}C" applied to one change
** or registry event at a time.
**
** Template syntax: %[-][width][.maxwidth][{arg}]<code>; "%%" is "%".
** Codes: H h n o e l L c p t T r R x X s b B v _ a C (formats.md §3).
** Widths count characters, "-" left-aligns, a width starting with "0"
** pads with zeros (Perl's sprintf "%05s"), ".N" truncates (".0" does not).
**
** Use:
**   sqlitch_fmt_opts o;
**   sqlitch_fmt_opts_init(&o);            // abbrev 0, "iso", colour auto
**   o.color = SQLITCH_COLOR_ALWAYS;
**   sqlitch_fmt *f = sqlitch_fmt_new(sqlitch_fmt_named(SQLITCH_FMT_PLAN,
**                                                      "oneline"), &o);
**   sqlitch_fmt_item it;
**   sqlitch_fmt_item_init(&it);
**   it.event = "deploy"; it.change_id = id; it.change = "users"; ...
**   sqlitch_buf out = SQLITCH_BUF_INIT;
**   if (sqlitch_fmt_format(f, &it, &out, &err)) ...   // appends to out
**   sqlitch_fmt_free(f);
**
** The template is split once, at sqlitch_fmt_new (which never fails);
** errors are raised when an item is formatted, in template order, exactly
** as Sqitch raises them (so a bad code is harmless when no item is shown).
** Errors, all exit 2: `Unknown format code "x"`, `No label passed to the
** _ format`, `Unknown label "x" passed to the _ format`, `x is not a valid
** ANSI color`, `x is not a valid change attribute`, `Unknown date format
** "x"`, and for the string-list quirk below `Can't use string ("...") as
** an ARRAY ref` (sqitch adds Perl's "while "strict refs" in use at
** .../ItemFormatter.pm line 136." and a blank line; sqlitch ends there).
**
** Items: every string is borrowed and may be NULL (undefined in Perl:
** prints as ""; "name <email>" forms print " <>" pieces). Plan items have
** no committer fields (has_committer = 0), so %a on committer_* and
** committed_at is "not a valid change attribute", as in sqitch.
**
** Log rows from SQLite and MySQL registries carry tags/requires/conflicts
** as plain strings; set lists_are_strings and the *_str fields. Then
** %t %T %r %R %x %X fail (the 1.3.1 behaviour, as one clean error line)
** and %{tags}a etc. print the string even when empty.
*/
#ifndef SQLITCH_FORMAT_H
#define SQLITCH_FORMAT_H

#include "config.h"
#include "datefmt.h"
#include "util.h"

typedef enum {
  SQLITCH_COLOR_AUTO = 0,
  SQLITCH_COLOR_ALWAYS,
  SQLITCH_COLOR_NEVER
} sqlitch_color_mode;

typedef struct sqlitch_fmt_opts {
  long abbrev;             /* %h length; 0 = full id */
  const char *date_format; /* default for %{date}c/p; borrowed, "iso" */
  sqlitch_color_mode color;
  int stdout_is_tty; /* for SQLITCH_COLOR_AUTO */
} sqlitch_fmt_opts;

void sqlitch_fmt_opts_init(sqlitch_fmt_opts *o);

typedef struct sqlitch_fmt_item {
  const char *event; /* "deploy", "revert", "fail" */
  const char *change_id;
  const char *change;
  const char *project;
  const char *note;
  /* lists (each element borrowed) */
  const char *const *tags; /* "@v1.0", ... */
  size_t ntags;
  const char *const *requires;
  size_t nrequires;
  const char *const *conflicts;
  size_t nconflicts;
  /* the SQLite/MySQL log quirk: lists arrive as strings */
  int lists_are_strings;
  const char *tags_str, *requires_str, *conflicts_str;
  /* sqlitch's fix of that quirk (`log`): the strings are also given split
     into the lists above; %t %T %r %R %x %X then format the lists as on
     PostgreSQL, while %{tags}a etc. still print the strings. */
  int lists_split;
  /* people and dates; has_* = 0 means the key does not exist */
  int has_committer;
  const char *committer_name, *committer_email;
  sqlitch_time committed_at;
  int has_committed_at; /* 0: undefined date */
  const char *planner_name, *planner_email;
  sqlitch_time planned_at;
  int has_planned_at;
} sqlitch_fmt_item;

void sqlitch_fmt_item_init(sqlitch_fmt_item *it); /* all zero */

typedef struct sqlitch_fmt sqlitch_fmt;

/* Split `template` (copied) with options `o` (copied; date_format is
   copied too). Never fails. */
sqlitch_fmt *sqlitch_fmt_new(const char *template_text,
                             const sqlitch_fmt_opts *o);
void sqlitch_fmt_free(sqlitch_fmt *f);
/* Append the formatted item to out. On error out is left as it was. */
int sqlitch_fmt_format(sqlitch_fmt *f, const sqlitch_fmt_item *it,
                       sqlitch_buf *out, sqlitch_err *err);
/* Are colours being emitted (after NO_COLOR etc.)? */
int sqlitch_fmt_colors_on(const sqlitch_fmt *f);

/* ------------------------------------------------------- named formats */

typedef enum { SQLITCH_FMT_LOG = 0, SQLITCH_FMT_PLAN = 1 } sqlitch_fmt_kind;

/* Template of a named format ("raw", "full", "long", "medium", "short",
   "oneline"), or NULL. Borrowed, static. */
const char *sqlitch_fmt_named(sqlitch_fmt_kind kind, const char *name);

/* ---------------------------------------------- command configuration */

/* What `log` and `plan` take from the command line (NULL/0 = not given). */
typedef struct sqlitch_fmt_cli {
  const char *format;      /* --format, "name" or "format:<template>" */
  const char *date_format; /* --date-format */
  const char *color;       /* --color */
  int no_color;            /* --no-color */
  int oneline;             /* --oneline */
  int has_abbrev;          /* --abbrev given */
  long abbrev;
} sqlitch_fmt_cli;

/* The configure step of Command::log / Command::plan: --oneline defaults,
   date format (option, then <kind>.date_format, validated), format (option,
   then <kind>.format; "format:..." or a named format), colour (--no-color,
   --color, <kind>.color). On success *template_out is a borrowed static
   template or points into cli->format / the config value, and *o is
   filled (its date_format borrowed from the same places; stdout_is_tty is
   left for the caller). Errors exit 255 with Sqitch's first message line:
   `Unknown date format "x"`, `Unknown plan format "x"` / `Unknown log
   format "x"`, and for a bad colour `Value "x" did not pass type constraint
   "Enum[always,auto,never]" (in $args->{"color"})`. cfg may be NULL. */
int sqlitch_fmt_configure(const sqlitch_config *cfg, sqlitch_fmt_kind kind,
                          const sqlitch_fmt_cli *cli, const char **template_out,
                          sqlitch_fmt_opts *o, sqlitch_err *err);

/* ------------------------------------------------------------- colours */

/* Term::ANSIColor: the escape for a space-separated attribute list
   ("bold blue" -> "\033[1;34m"), honouring ANSI_COLORS_ALIASES. Returns
   SQLITCH_ERROR for an invalid name (no message). */
int sqlitch_ansi_color(const char *spec, sqlitch_buf *out);
/* colorvalid(): 1 when every attribute is known. */
int sqlitch_ansi_color_valid(const char *spec);

#endif
