/*
** target.h -- database URIs (URI::db) and targets (App::Sqitch::Target).
**
** A `db:` URI names a database: db:sqlite:path, db:pg://user:pw@host:5432/db?k=v,
** db:mysql://... Engine aliases (postgres, postgresql, pgsql, pgxc ->
** pg; sqlite3 -> sqlite; mariadb, maria -> mysql) are resolved in
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
*/
#ifndef SQLITCH_TARGET_H
#define SQLITCH_TARGET_H

#include "config.h"
#include "util.h"

typedef struct sqlitch_uri_param {
  char *key;
  char *value; /* NULL for "?flag" */
} sqlitch_uri_param;

typedef struct sqlitch_uri {
  char *str;            /* the URI as given */
  char *scheme_engine;  /* engine as written ("postgres"), "" for "db:" */
  char *engine;         /* canonical engine key ("pg"), NULL if unknown/none */
  int has_authority;    /* "//" form */
  char *user;           /* percent-decoded, or NULL */
  char *password;       /* percent-decoded, or NULL */
  char *host;           /* or NULL */
  int port;             /* -1 when not given */
  char *dbname;         /* or NULL */
  sqlitch_uri_param *params;
  size_t nparams;
} sqlitch_uri;

/* Parse a "db:" URI. Errors: `URI "x" is not a database URI`, etc. */
int sqlitch_uri_parse(const char *s, sqlitch_uri **out, sqlitch_err *err);
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

typedef struct sqlitch_target_opts {
  const char *registry;   /* --registry */
  const char *client;     /* --client / --db-client */
  const char *plan_file;  /* --plan-file / -f */
  const char *top_dir;    /* --top-dir */
  const char *db_user;    /* --db-user / -u */
  const char *db_host;    /* --db-host / -h */
  const char *db_port;    /* --db-port / -p */
  const char *db_name;    /* --db-name / -d */
} sqlitch_target_opts;

typedef struct sqlitch_target {
  char *name;             /* target name, or URI string without password */
  sqlitch_uri *uri;
  char *engine;           /* canonical engine key */
  char *registry;
  char *client;
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
void sqlitch_target_free(sqlitch_target *t);
/* Every configured target (default first, then target.*, then engines),
   as Sqitch's all_targets. *out is an array of owned targets. */
int sqlitch_target_all(const sqlitch_config *cfg,
                       const sqlitch_target_opts *opts, sqlitch_target ***out,
                       size_t *n, sqlitch_err *err);
/* $SQITCH_USERNAME || URI user (borrowed, may be NULL). */
const char *sqlitch_target_username(const sqlitch_target *t);
/* $SQITCH_PASSWORD || URI password (borrowed, may be NULL). */
const char *sqlitch_target_password(const sqlitch_target *t);
/* Variables for scripts merged in Sqitch's order for `command`
   ("deploy", "revert", "verify", ...): core.variables <
   <command>.variables < engine.<e>.variables < target.<name>.variables <
   `sets` ("k=v" items). Returned as sorted "k=v" strings. */
void sqlitch_target_variables(const sqlitch_config *cfg,
                              const sqlitch_target *t, const char *command,
                              const sqlitch_strv *sets, sqlitch_strv *out);

/* SQLite registry location (config.md §8): the registry database URI for a
   SQLite target. Caller frees. */
char *sqlitch_sqlite_registry_uri(const sqlitch_target *t);

#endif
