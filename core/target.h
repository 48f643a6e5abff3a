/*
** target.h -- database URIs (URI::db) and targets (App::Sqitch::Target).
**
** A `db:` URI names a database: db:sqlite:path,
** db:pg://user:pw@host:5432/db?k=v, db:mysql://... Engine aliases
** (postgres, postgresql, pgsql, pgxc -> pg; sqlite3 -> sqlite; mariadb,
** maria -> mysql) are resolved in
** uri->engine while uri->scheme_engine keeps what was written.
**
** A target is a name plus a URI plus every per-target setting (registry,
** client, plan file, script dirs, extension, variables), each looked up as
** target.<name>.X, then engine.<engine>.X, then core.X, then the default;
** command-line overrides (sqlitch_target_opts) win over all of them.
**
**   sqlitch_target_opts o = {0};
**   o.registry = "myreg";                       // --registry
**   sqlitch_target *t;
**   if (sqlitch_target_new(cfg, NULL, &o, &t, &err)) ...   // default target
**   printf("%s %s %s\n", t->name, t->engine, t->plan_file);
**   sqlitch_target_free(t);
**
** Passwords are kept in the URI object but never appear in t->name or in
** sqlitch_uri_display(); use sqlitch_target_password() to read one.
**
** Compat mode: with core.compat = sqlitch the default plan file is
** <top_dir>/sqlitch.plan instead of <top_dir>/sqitch.plan. Whatever the
** mode, a plan file whose directory also holds the other tool's plan
** (sqitch.plan next to sqlitch.plan) is an error naming both.
*/
#ifndef SQLITCH_TARGET_H
#define SQLITCH_TARGET_H

#include "config.h"
#include "util.h"

/* Query parameters as URI::db's query_params: grouped by key in order of
   first appearance, "+" and %XX decoded, "" for "?flag". A query with no
   "=" at all is not a form and yields no parameters. */
typedef struct sqlitch_uri_param {
  char *key;
  char *value;
} sqlitch_uri_param;

/* All fields are read-only views of `str`; change a URI only through the
   sqlitch_uri_set_* functions, which keep them in step. */
typedef struct sqlitch_uri {
  char *str;           /* the URI as URI::db prints it (escaped, overrides
                          applied), password included */
  char *scheme_engine; /* engine as written, lower-cased ("postgres"),
                          "" for "db:" */
  char *engine;        /* canonical engine ("pg"); an unrecognised engine
                          is its own ("foo"); NULL when there is none */
  int has_authority;   /* "//" form */
  char *user;          /* percent-decoded, or NULL */
  char *password;      /* percent-decoded, or NULL */
  char *host;          /* or NULL */
  int port;            /* explicit port, -1 when absent or empty ("h:"); see
                          sqlitch_uri_default_port() for the default */
  char *dbname;        /* or NULL */
  sqlitch_uri_param *params;
  size_t nparams;
} sqlitch_uri;

/* Parse a "db:" URI (URI->new: must start with "db:"). Error:
   `URI "x" is not a database URI` (exitval 2). */
int sqlitch_uri_parse(const char *s, sqlitch_uri **out, sqlitch_err *err);
/* URI::db->new: never fails; anything not starting with "db:" is wrapped
   ("pg://h/x" -> "db:pg://h/x", "x" -> "db:x"). */
sqlitch_uri *sqlitch_uri_new_db(const char *s);
/* 1 when URI->new(s) would be a URI::db (s starts with "db:", any case,
   after URI's clean-up of blanks and <> / "" wrappers). */
int sqlitch_uri_is_db(const char *s);
/* Setters, as URI::db's accessors (NULL removes the part). The port is
   given as text as on the command line. */
void sqlitch_uri_set_user(sqlitch_uri *u, const char *user);
void sqlitch_uri_set_password(sqlitch_uri *u, const char *password);
void sqlitch_uri_set_host(sqlitch_uri *u, const char *host);
void sqlitch_uri_set_port(sqlitch_uri *u, const char *port);
void sqlitch_uri_set_dbname(sqlitch_uri *u, const char *dbname);
/* Default port of an engine scheme or alias (5432 for "pg"), or -1. */
int sqlitch_uri_default_port(const char *scheme);
sqlitch_uri *sqlitch_uri_dup(const sqlitch_uri *u);
void sqlitch_uri_free(sqlitch_uri *u);
/* The URI as URI::db renders it (after overrides), password included.
   Caller frees. */
char *sqlitch_uri_string(const sqlitch_uri *u);
/* The same with the password removed ("db:pg://u:@h/db"). Caller frees. */
char *sqlitch_uri_display(const sqlitch_uri *u);
/* Canonical engine key for an engine name or alias, or NULL. */
const char *sqlitch_engine_key(const char *name);
/* 1 when `name` is one of Sqitch's engines (pg, sqlite, mysql, oracle,
   firebird, vertica, exasol, snowflake). */
int sqlitch_engine_known(const char *name);
/* Sqitch's engine names, NULL-terminated, in Sqitch's order. */
const char *const *sqlitch_engine_names(void);

typedef struct sqlitch_target_opts {
  const char *registry;  /* --registry */
  const char *client;    /* --client / --db-client */
  const char *plan_file; /* --plan-file / -f */
  const char *top_dir;   /* --top-dir */
  const char *db_user;   /* --db-user / -u */
  const char *db_host;   /* --db-host / -h */
  const char *db_port;   /* --db-port / -p */
  const char *db_name;   /* --db-name / -d */
  /* Non-NULL fields above override; plan_file is taken as Path::Class's
     file() does (not cleaned), top_dir as dir() (cleaned). The fields
     below are what init/engine/target pass (--extension, --dir). */
  const char *extension;
  const char *deploy_dir, *revert_dir, *verify_dir;
  const char *reworked_dir;
  const char *reworked_deploy_dir, *reworked_revert_dir, *reworked_verify_dir;
} sqlitch_target_opts;

typedef struct sqlitch_target {
  char *name; /* target name, or URI string without password */
  sqlitch_uri *uri;
  char *engine;   /* canonical engine key; NULL for "db:" */
  char *registry; /* NULL when the engine is not one of Sqitch's */
  char *client;   /* NULL when the engine is not one of Sqitch's,
                     or no Firebird client was found on PATH */
  char *top_dir;
  char *plan_file;
  char *extension;
  char *deploy_dir, *revert_dir, *verify_dir;
  char *reworked_dir;
  char *reworked_deploy_dir, *reworked_revert_dir, *reworked_verify_dir;
} sqlitch_target;

/* Resolve a target: `name` may be a target name, a URI, or NULL for the
   default ($SQITCH_TARGET, core.target, engine.<core.engine>.target,
   db:<core.engine>:). Errors carry Sqitch's messages. */
int sqlitch_target_new(const sqlitch_config *cfg, const char *name,
                       const sqlitch_target_opts *opts, sqlitch_target **out,
                       sqlitch_err *err);
/* The same with a URI given up front (Target->new(uri => ...)): the name
   is `name`, else $SQITCH_TARGET, else the URI without password; the
   db_* overrides are not applied (as in Sqitch). `uri` is copied. */
int sqlitch_target_new_uri(const sqlitch_config *cfg, const char *name,
                           const sqlitch_uri *uri,
                           const sqlitch_target_opts *opts,
                           sqlitch_target **out, sqlitch_err *err);
void sqlitch_target_free(sqlitch_target *t);
/* Sqitch's lazy engine checks, for callers about to use registry/client:
   "No engine specified; specify via target or core.engine", "Unable to
   load App::Sqitch::Engine::<e>", or the Firebird client message. */
int sqlitch_target_check_engine(const sqlitch_target *t, sqlitch_err *err);
/* File::Spec->canonpath, as Path::Class's dir() and ->cleanup print
   paths: "a//b/./c/" -> "a/b/c", "./x" -> "x", "" -> "". Caller frees. */
char *sqlitch_canonpath(const char *p);
/* Every configured target (default first, then target.*, then engines),
   as Sqitch's all_targets, except that names and engines are taken in
   sorted order (Sqitch uses Perl's random hash order). *out is an array
   of owned targets; free each and the array. */
int sqlitch_target_all(const sqlitch_config *cfg,
                       const sqlitch_target_opts *opts, sqlitch_target ***out,
                       size_t *n, sqlitch_err *err);
/* Free an array from sqlitch_target_all. */
void sqlitch_target_free_all(sqlitch_target **v, size_t n);
/* $SQITCH_USERNAME || URI user (borrowed, may be NULL). */
const char *sqlitch_target_username(const sqlitch_target *t);
/* $SQITCH_PASSWORD || URI password (borrowed, may be NULL). */
const char *sqlitch_target_password(const sqlitch_target *t);
/* Variables for scripts merged in Sqitch's order for `command`
   ("deploy", "revert", "verify", "check"): core.variables <
   deploy.variables < <command>.variables (unless "deploy") <
   engine.<e>.variables < target.<name>.variables < `sets` ("k=v" items).
   Names keep the case they were written in. Returned as "k=v" strings
   sorted by name; `out` is appended to. */
void sqlitch_target_variables(const sqlitch_config *cfg,
                              const sqlitch_target *t, const char *command,
                              const sqlitch_strv *sets, sqlitch_strv *out);

/* How Command::parse_args reads a positional argument that is not a
   change of the current target's plan (sqlitch_plan_contains() decides
   that first): a target when target.<arg>.uri is set or arg is a db: URI;
   else an engine name (pg, sqlite, ...); else neither (a plan file, an
   unknown argument: the caller's business). cfg may be NULL (no
   configuration: only db: URIs are targets). The CLI (shell/args.c) and
   the extension's functions (ext/migrate.c) both sort arguments with it. */
typedef enum sqlitch_arg_kind {
  SQLITCH_ARG_OTHER = 0,
  SQLITCH_ARG_TARGET,
  SQLITCH_ARG_ENGINE
} sqlitch_arg_kind;
sqlitch_arg_kind sqlitch_target_arg_kind(const sqlitch_config *cfg,
                                         const char *arg);
/* The target an engine argument stands for: engine.<e>.target when set
   (Perl-true), else "db:<e>:". Caller frees. */
char *sqlitch_target_engine_target(const sqlitch_config *cfg,
                                   const char *engine);

/* SQLite registry location (config.md §8): the registry database URI for a
   SQLite target. Caller frees. */
char *sqlitch_sqlite_registry_uri(const sqlitch_target *t);

#endif
