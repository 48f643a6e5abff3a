/*
** registry_sql.h -- the registry DDL and upgrade scripts from sql/,
** compiled in by tools/embed-sql.
**
**   // sql/sqlite.sql and sql/pg-upgrade-1.1.sql:
**   const char *ddl = sqlitch_registry_sql_get("sqlite");
**   const char *up  = sqlitch_registry_sql_get("pg-upgrade-1.1");
**
** The strings are static and never freed.
*/
#ifndef SQLITCH_REGISTRY_SQL_H
#define SQLITCH_REGISTRY_SQL_H

typedef struct sqlitch_sql_file {
  const char *name;
  const char *text;
} sqlitch_sql_file;

extern const sqlitch_sql_file sqlitch_registry_sql[];

/* Text of sql/<name>.sql, or NULL. */
const char *sqlitch_registry_sql_get(const char *name);

#endif
