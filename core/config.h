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
   NULL when the key is missing or has no value. */
const char *sqlitch_config_get(const sqlitch_config *c, const char *key);
int sqlitch_config_exists(const sqlitch_config *c, const char *key);
/* All values of a key, in order (borrowed pointers; *out owned by caller,
   free() it). Returns the count. NULL entries are value-less keys. */
size_t sqlitch_config_get_all(const sqlitch_config *c, const char *key,
                              const char ***out);
/* Boolean per Config::GitLike: returns 1 if set (*out = 0/1), 0 if not
   set, SQLITCH_ERROR on "Invalid bool '<v>'". */
int sqlitch_config_get_bool(const sqlitch_config *c, const char *key,
                            int *out, sqlitch_err *err);
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
   GECOS name, login name. Errors as Sqitch's. Caller frees. */
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

/* ------------------------------------------------------------- writing */

/* Edit one config file in place, byte-compatible with `sqitch config`.
   Each returns SQLITCH_OK or an error with Sqitch's message. The file is
   created when missing (with its parent directories) and replaced
   atomically. value_regex may be NULL. */
int sqlitch_config_set(const char *file, const char *key, const char *value,
                       const char *value_regex, int multiple,
                       sqlitch_err *err);
int sqlitch_config_add(const char *file, const char *key, const char *value,
                       sqlitch_err *err);
int sqlitch_config_unset(const char *file, const char *key,
                         const char *value_regex, int all, sqlitch_err *err);
int sqlitch_config_rename_section(const char *file, const char *from,
                                  const char *to, sqlitch_err *err);
int sqlitch_config_remove_section(const char *file, const char *section,
                                  sqlitch_err *err);

#endif
