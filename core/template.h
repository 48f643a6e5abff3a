/*
** template.h -- the script templates of `sqlitch add`: a Template Toolkit 2
** subset (the language Sqitch renders templates with when TT is installed,
** as on Debian) and the search for template files.
**
** Language (same output as TT 2.27 with Template->new defaults):
**   [% var %]  [% a.b.c %]  [% list.0 %]  [% list.join(', ') %]  [% s.size %]
**   [% IF e %] .. [% ELSIF e %] .. [% ELSE %] .. [% END %]   [% UNLESS e %]
**   [% FOREACH x IN list %] .. [% loop.index %] .. [% END %]  (FOR, "=")
**   [% LAST %] [% NEXT %] [% STOP %] [% RETURN %] [% CLEAR %]
**   [% x = e %] [% SET x = e %] [% DEFAULT x = e %] [% GET e %] [% CALL e %]
**   [% e IF cond %]  [% e UNLESS cond %]  [% e | upper | replace('a','b') %]
**   [% 'single' _ "double $var ${a.b}\n" %]  numbers  [a, b]  [1..3]
**   == != (string)  < > <= >= (numeric)  + - * / % div mod  _  ? :
**   AND OR NOT && || !   ( )   [%# comment %]   # comment to end of line
**   chomp flags on either side of a tag: - (whitespace and one newline),
**   = (collapse to one space), ~ (all whitespace), + (none).
** Undefined values print as "". A plain string used as a list iterates
** once; list methods apply to a string as a one-item list. Text methods:
** length size empty defined item list upper lower ucfirst lcfirst trim
** collapse repeat substr squote dquote html xml match search replace remove
** split. List methods: size max empty defined item list first last join
** reverse sort nsort unique grep merge slice. Loop: index count number
** first last size max prev next odd even parity. Regexes are PCRE2.
** Other TT directives (INCLUDE, BLOCK, MACRO, WRAPPER, FILTER, USE, ...)
** are refused with a parse error. Errors read like TT's, for instance
**   "file error - parse error - input text line 2: unexpected end of input"
** and `sqlitch add` wraps them as Sqitch does ("Error executing <path>: ...").
** Rendering is bounded (output, loop steps, memory), so a hostile template
** gets an error, not a hang.
**
**   sqlitch_tmpl_vars *v = sqlitch_tmpl_vars_new();
**   sqlitch_tmpl_vars_set(v, "change", "widgets");
**   sqlitch_tmpl_vars_add(v, "requires", "users");   // repeats make a list
**   sqlitch_buf out = SQLITCH_BUF_INIT;
**   if (sqlitch_tmpl_process(src, len, v, &out, &err)) puts(err.msg);
**   sqlitch_buf_free(&out);  sqlitch_tmpl_vars_free(v);
**
** Discovery (Command/add.pm): add.templates.<script> and --use script=path
** first, then <dir>/<script>/<name>.tmpl in --template-directory (or
** add.template_directory), ~/.sqitch/templates and <system dir>/templates,
** then the built-in sqlite/pg/mysql deploy/revert/verify templates (the
** same bytes as Debian's /etc/sqitch/templates), so sqlitch works without
** any template directory installed.
**
**   sqlitch_tmpl_set cfgd = SQLITCH_TMPL_SET_INIT, all = SQLITCH_TMPL_SET_INIT;
**   sqlitch_tmpl_configured(cfg, use, &cfgd, &err);          // once
**   const char *dirs[] = {tdir, user_tmpl_dir, sys_tmpl_dir, NULL};
**   sqlitch_tmpl_discover(&cfgd, dirs, 3, "sqlite", without, &all, &err);
**   for (size_t i = 0; i < all.n; i++) ... all.v[i].script, all.v[i].path
**   sqlitch_tmpl_set_free(&all); sqlitch_tmpl_set_free(&cfgd);
*/
#ifndef SQLITCH_TEMPLATE_H
#define SQLITCH_TEMPLATE_H

#include "config.h"
#include "util.h"

/* ------------------------------------------------------------ variables */

typedef struct sqlitch_tmpl_vars sqlitch_tmpl_vars;

sqlitch_tmpl_vars *sqlitch_tmpl_vars_new(void);
void sqlitch_tmpl_vars_free(sqlitch_tmpl_vars *v);
/* Set `name` to a string (copied), replacing any value; NULL = undefined. */
void sqlitch_tmpl_vars_set(sqlitch_tmpl_vars *v, const char *name,
                           const char *value);
/* Set `name` to a list of strings (copied; may be empty). */
void sqlitch_tmpl_vars_set_list(sqlitch_tmpl_vars *v, const char *name,
                                const char *const *items, size_t n);
/* Add a value the way Sqitch's --set does: the first value of a name is a
   string, a second one turns it into a list, later ones are appended. */
void sqlitch_tmpl_vars_add(sqlitch_tmpl_vars *v, const char *name,
                           const char *value);

/* ------------------------------------------------------------- templates */

typedef struct sqlitch_tmpl sqlitch_tmpl;

/* Compile template source (need not be NUL-terminated). */
int sqlitch_tmpl_compile(const char *src, size_t len, sqlitch_tmpl **out,
                         sqlitch_err *err);
/* Render, appending to `out`. On error `out` may hold partial output. */
int sqlitch_tmpl_render(const sqlitch_tmpl *t, const sqlitch_tmpl_vars *vars,
                        sqlitch_buf *out, sqlitch_err *err);
void sqlitch_tmpl_free(sqlitch_tmpl *t);
/* Compile and render in one go. */
int sqlitch_tmpl_process(const char *src, size_t len,
                         const sqlitch_tmpl_vars *vars, sqlitch_buf *out,
                         sqlitch_err *err);

/* ------------------------------------------------------------- discovery */

typedef struct sqlitch_tmpl_entry {
  char *script;        /* "deploy", "revert", "verify" or any other name */
  char *path;          /* template file (owned), or NULL when built in */
  const char *builtin; /* built-in source (static), or NULL */
} sqlitch_tmpl_entry;

typedef struct sqlitch_tmpl_set {
  sqlitch_tmpl_entry *v;
  size_t n;
  sqlitch_buf mem; /* storage of v; private */
} sqlitch_tmpl_set;

#define SQLITCH_TMPL_SET_INIT                                                  \
  { NULL, 0, SQLITCH_BUF_INIT }

void sqlitch_tmpl_set_free(sqlitch_tmpl_set *s);
/* The entry for `script`, or NULL (borrowed). */
const sqlitch_tmpl_entry *sqlitch_tmpl_set_get(const sqlitch_tmpl_set *s,
                                               const char *script);

/* Sqitch's `configure` step: the add.templates.<script> entries, then
   `use` items ("script=path", from --use; later ones win), each checked:
   "Template <path> does not exist" / "Template <path> is not a file"
   (exit 255, as Sqitch's configuration errors). */
int sqlitch_tmpl_configured(const sqlitch_config *cfg, const sqlitch_strv *use,
                            sqlitch_tmpl_set *out, sqlitch_err *err);
/* Check a --template-directory value: `Directory "<d>" does not exist` /
   `"<d>" is not a directory` (exit 255). */
int sqlitch_tmpl_check_dir(const char *dir, sqlitch_err *err);
/* Sqitch's all_templates for one template name (usually the engine key):
   `configured` plus, for every sub-directory <script> of each of the
   `ndirs` directories (NULL or missing ones skipped) not yet known, the
   file <dir>/<script>/<name>.tmpl; then the built-ins. Fails with
   "Cannot find <script> template" (exit 2) when deploy, revert or verify
   is missing and not listed in `without`. The result leaves out the
   `without` scripts and is sorted by script name. */
int sqlitch_tmpl_discover(const sqlitch_tmpl_set *configured,
                          const char *const *dirs, size_t ndirs,
                          const char *name, const sqlitch_strv *without,
                          sqlitch_tmpl_set *out, sqlitch_err *err);
/* Built-in template source for a script and template name, or NULL. */
const char *sqlitch_tmpl_builtin(const char *script, const char *name);
/* Read an entry's template source (the file, or a copy of the built-in).
 *data is NUL-terminated and owned by the caller. */
int sqlitch_tmpl_entry_source(const sqlitch_tmpl_entry *e, char **data,
                              size_t *len, sqlitch_err *err);

#endif
