/*
** registry_sql.c -- lookup over the embedded sql/ files (registry_sql.h).
*/
#include "registry_sql.h"

#include <string.h>

const char *sqlitch_registry_sql_get(const char *name) {
  for (const sqlitch_sql_file *f = sqlitch_registry_sql; f->name; f++)
    if (strcmp(f->name, name) == 0) return f->text;
  return NULL;
}
