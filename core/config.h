/*
** config.h -- Sqitch configuration: git-config style files in three scopes.
**
** Files, loaded in this order (a key in a later file replaces every value
** of the same key from earlier files):
**   system  $SQITCH_SYSTEM_CONFIG  or  <SQLITCH_SYSCONFDIR>/sqitch.conf
**   user    $SQITCH_USER_CONFIG    or  ~/.sqitch/sqitch.conf
**   local   $SQITCH_CONFIG         or  ./sqitch.conf, searched upwards
**           from the current directory (first hit wins); in
**           "--compat sqlitch" projects the local file is sqlitch.conf.
** Every SQITCH_* variable has a SQLITCH_* twin that wins (sqlitch_getenv).
** An empty (or "0") variable counts as unset, as in Perl.
**
** Compat mode and the local file. Without $SQITCH_CONFIG the search looks
** in each directory, from the cwd upwards, for sqitch.conf and
** sqlitch.conf; the first directory holding either decides. A directory
** holding both is an error (exit 2, message naming both files). Writes go
** to sqlitch_config_local_file(): $SQITCH_CONFIG/$SQLITCH_CONFIG, else the
** found file's name in the cwd (sqlitch.conf when the project uses it),
** else ./sqitch.conf -- never to a file found in a parent directory.
**
** Keys are canonical: lower-case section, subsection as written, lower-case
** name ("engine.SQLite.target" and "engine.sqlite.target" differ). Callers
** may pass keys in any case; they are canonicalised the same way.
**
**   sqlitch_config *cfg = sqlitch_config_new();
**   if (sqlitch_config_load(cfg, &err)) ...
**   const char *engine = sqlitch_config_get(cfg, "core.engine");   // borrowed
**   int verify;  sqlitch_config_get_bool(cfg, "deploy.verify", &verify, &err);
**   sqlitch_config_free(cfg);
**
** Error messages are Sqitch's text. Where Sqitch prints a message followed
** by a blank line (a Perl die string ending in "\n" that Sqitch vents),
** err->msg ends in "\n" too, so printing it with one more newline gives
** the same bytes. Parse errors while loading have exitval 255 (Sqitch dies
** before running the command); the same errors from the writer have 2.
**
** Writing (sqlitch config --set/--add/--unset/...) edits the raw text of
** one file and is in config_write.c; see the functions at the end.
*/
#ifndef SQLITCH_CONFIG_H
#define SQLITCH_CONFIG_H

#include "util.h"

typedef enum {
  SQLITCH_SCOPE_SYSTEM = 0,
  SQLITCH_SCOPE_USER = 1,
  SQLITCH_SCOPE_LOCAL = 2,
  SQLITCH_SCOPE_FILE = 3 /* an explicit --file */
} sqlitch_scope;

typedef struct sqlitch_config_entry {
  const char *key;      /* canonical key */
  const char *orig_key; /* key as first written (for case-preserving names) */
  const char *value;    /* NULL for a key without "=" */
  sqlitch_scope scope;
} sqlitch_config_entry;

typedef struct sqlitch_config sqlitch_config;

sqlitch_config *sqlitch_config_new(void);
void sqlitch_config_free(sqlitch_config *c);

/* Load system, user and local files (missing files are fine). */
int sqlitch_config_load(sqlitch_config *c, sqlitch_err *err);
/* Search for the local file from `dir` instead of the process's current
   directory (relative file names are resolved against it too): what
   `sqlitch -C dir` does, without chdir. The extension uses it for a
   project path. Call before sqlitch_config_load; dir is copied. */
void sqlitch_config_set_cwd(sqlitch_config *c, const char *dir);
/* Load one file into the given scope; a missing file is an error only if
   must_exist. */
int sqlitch_config_load_file(sqlitch_config *c, const char *path,
                             sqlitch_scope scope, int must_exist,
                             sqlitch_err *err);

/* Paths of the files for each scope (borrowed; computed from the
   environment even when the file does not exist). */
const char *sqlitch_config_system_file(const sqlitch_config *c);
const char *sqlitch_config_user_file(const sqlitch_config *c);
/* The local file to write: $SQITCH_CONFIG or ./sqitch.conf (or
   ./sqlitch.conf in sqlitch compat mode). */
const char *sqlitch_config_local_file(const sqlitch_config *c);
/* The local file actually read (may be in a parent directory), or NULL. */
const char *sqlitch_config_local_found(const sqlitch_config *c);
/* True when a local (project) file was found: Sqitch's "initialized". */
int sqlitch_config_initialized(const sqlitch_config *c);
/* The system directory, "/etc/sqitch" on Debian (--etc-path). */
const char *sqlitch_config_system_dir(void);
/* ~/.sqitch (borrowed; NULL if HOME cannot be found). */
const char *sqlitch_config_user_dir(void);

/* Lookups on the merged view. get returns the last value (borrowed) or
   NULL when the key is missing or has no value. (Sqitch dies on a
   multi-valued key here; sqlitch takes the last value.) */
const char *sqlitch_config_get(const sqlitch_config *c, const char *key);
int sqlitch_config_exists(const sqlitch_config *c, const char *key);
/* All values of a key, in order (borrowed pointers; *out owned by caller,
   free() it). Returns the count. NULL entries are value-less keys. */
size_t sqlitch_config_get_all(const sqlitch_config *c, const char *key,
                              const char ***out);
/* Boolean per Config::GitLike: returns 1 if set (*out = 0/1), 0 if not
   set, SQLITCH_ERROR on "Invalid bool '<v>'" (exitval 255: Sqitch reads
   these while configuring a command). */
int sqlitch_config_get_bool(const sqlitch_config *c, const char *key, int *out,
                            sqlitch_err *err);
/* Entries of a section, i.e. keys "<section>.<name>" without further dots,
   merged (last wins), in canonical-key order. *out owned by caller. */
size_t sqlitch_config_section(const sqlitch_config *c, const char *section,
                              sqlitch_config_entry **out);
/* Every merged entry (all values of multi-valued keys), sorted by key,
   values in file order. *out owned by caller. */
size_t sqlitch_config_dump(const sqlitch_config *c, sqlitch_config_entry **out);

/* Canonicalise a key: "Core.Engine" -> "core.engine",
   "engine.SQLite.Target" -> "engine.SQLite.target". Caller frees. */
char *sqlitch_config_canon_key(const char *key);

/* --------------------------------------------------------- user identity */

/* The user's name: $SQITCH_FULLNAME, user.name, $SQITCH_ORIG_FULLNAME,
   GECOS field, login name (each only when Perl-true; SQLITCH_* twins win).
   Errors as Sqitch's (exit 2): 'User name may not contain "<" or start
   with "["', 'Cannot find your name; run sqitch config --user user.name
   "YOUR NAME"', and 'More then one value for the key "user.name"' for a
   multi-valued user.name (where Sqitch dies). Caller frees. */
char *sqlitch_user_name(const sqlitch_config *c, sqlitch_err *err);
/* The user's email: $SQITCH_EMAIL, user.email, $SQITCH_ORIG_EMAIL,
   <sysuser>@<hostname>. Caller frees. */
char *sqlitch_user_email(const sqlitch_config *c, sqlitch_err *err);
/* The system user name ($SQITCH_ORIG_SYSUSER, login). Caller frees. */
char *sqlitch_sysuser(void);
/* Editor: $SQITCH_EDITOR, core.editor, $VISUAL, $EDITOR, "vi". Borrowed. */
const char *sqlitch_editor(const sqlitch_config *c);
/* Pager: $SQITCH_PAGER, core.pager, $PAGER, or NULL. Borrowed. */
const char *sqlitch_pager(const sqlitch_config *c);

/* ------------------------------------------------- extras (config command) */

/* Is the key multi-valued (Config::GitLike's is_multiple)? */
int sqlitch_config_is_multiple(const sqlitch_config *c, const char *key);
/* Config::GitLike's dump: "key=value\n" per key, sorted, "key=[a, b]" for
   multi-valued keys and "key" for value-less ones. Caller frees. */
char *sqlitch_config_dump_text(const sqlitch_config *c);
/* Every existing canonical key, sorted (borrowed strings; *out owned by
   the caller, free() it). Returns the count. */
size_t sqlitch_config_keys(const sqlitch_config *c, const char ***out);

/* Value filters of `config --get key <value-regex>` and friends: a Perl
   regex matched case-insensitively; "" or NULL matches every value
   (including value-less keys), "!" none, "!re" values not matching re
   (and value-less keys). */
typedef struct sqlitch_config_filter sqlitch_config_filter;
int sqlitch_config_filter_new(const char *filter, sqlitch_config_filter **out,
                              sqlitch_err *err);
int sqlitch_config_filter_match(const sqlitch_config_filter *f,
                                const char *value);
void sqlitch_config_filter_free(sqlitch_config_filter *f);
/* Compile a Perl regex (case-insensitive, UTF-8) and test one subject:
   1 match, 0 no match, SQLITCH_ERROR for a bad pattern. */
int sqlitch_config_regex_match(const char *pattern, const char *subject,
                               sqlitch_err *err);

/* Config::GitLike's cast: as = "bool", "int", "num" or "bool-or-int";
   human gives "true"/"false" for booleans. value may be NULL (no "=").
   *out is owned by the caller. Errors: "Invalid bool '<v>'\n",
   "Invalid unit while casting to <as>\n", "Invalid bool-or-int '<v>'\n". */
int sqlitch_config_cast(const char *value, const char *as, int human,
                        char **out, sqlitch_err *err);

/* ------------------------------------- low level (shared with the writer) */

/* One item of a config file as Config::GitLike's parse_content reports it:
   a section header (name == NULL) or a variable. */
typedef struct sqlitch_config_item {
  const char *section; /* lc(section) or lc(section) "." subsection */
  const char *name;    /* variable name as written; NULL for a header */
  const char *value;   /* NULL for a header or a key without "=" */
  size_t offset;       /* where the item starts in the content */
  size_t length;       /* bytes it covers (value and trailing comment) */
} sqlitch_config_item;

/* Called for every item; return SQLITCH_ERROR (with err set) to stop. */
typedef int (*sqlitch_config_item_fn)(void *ctx, const sqlitch_config_item *it,
                                      sqlitch_err *err);

/* Parse normalised content (see sqlitch_config_read_text). A syntax error
   gives "Error parsing <filename> at line <n>, position <p>.\nBad line
   was: '<line>'" (exitval 255; filename NULL prints as ""). */
int sqlitch_config_parse(const char *content, size_t len, const char *filename,
                         sqlitch_config_item_fn fn, void *ctx,
                         sqlitch_err *err);
/* Read a config file as Config::GitLike's _read_config: CRLF (or lone CR)
   line ends become LF, trailing newlines collapse into exactly one.
   *newline receives the file's line-end style ("\n", "\r\n" or "\r").
   Returns 1 when read, 0 when the file is missing or unreadable (nothing
   allocated). */
int sqlitch_config_read_text(const char *path, char **text, size_t *len,
                             const char **newline);
/* Split a key as Config::GitLike's _split_key ("a.b.c" -> a, b, c;
   "a.\"x.y\"" -> a, NULL, x.y; balanced quotes removed). Returns 0 when
   there is no section (nothing allocated); otherwise the parts are owned
   by the caller (*sub may be NULL). */
int sqlitch_config_split_key(const char *key, char **section, char **sub,
                             char **name);
/* GitLike's _remove_balanced_quotes: in every dot-separated part, the
   outermost pair of double (then single) quotes is dropped. Caller frees. */
char *sqlitch_config_unquote(const char *s);
/* Length of the Perl \s character (Unicode White_Space) at p, or 0. */
size_t sqlitch_config_space(const char *p, const char *end);
/* Unicode lower-case (Perl's lc) of n bytes appended to b. */
void sqlitch_config_lc(sqlitch_buf *b, const char *s, size_t n);

/* ------------------------------------------------------------- writing */

/* Edit one config file in place, byte-compatible with `sqitch config`.
   Each returns SQLITCH_OK or an error with Sqitch's message. The file is
   created when missing (with its parent directories) and replaced
   atomically. value_regex may be NULL. */
int sqlitch_config_set(const char *file, const char *key, const char *value,
                       const char *value_regex, int multiple, sqlitch_err *err);
int sqlitch_config_add(const char *file, const char *key, const char *value,
                       sqlitch_err *err);
int sqlitch_config_unset(const char *file, const char *key,
                         const char *value_regex, int all, sqlitch_err *err);
/* The general form behind set/add/unset (Config::GitLike::set): value
   NULL unsets; `as` ("bool", "int", "num", "bool-or-int" or NULL) casts
   the value first ("--bool x yes" writes "true"); multiple allows several
   matches; replace_all replaces every match (config --replace-all). */
int sqlitch_config_write(const char *file, const char *key, const char *value,
                         const char *value_regex, const char *as, int multiple,
                         int replace_all, sqlitch_err *err);
/* to == NULL removes the section. A missing file is not an error (nothing
   happens); an unknown section is "No such section!". */
int sqlitch_config_rename_section(const char *file, const char *from,
                                  const char *to, sqlitch_err *err);
int sqlitch_config_remove_section(const char *file, const char *section,
                                  sqlitch_err *err);

#endif
