/*
** dynload.h -- load a client library (libpq, libmariadb) the first time an
** engine needs it, instead of linking it into every sqlitch process.
**
** Linking libpq and libmariadb pulls about thirty shared libraries into
** every run of the CLI and into every process that loads sqlitch.so; that
** costs start-up time and several megabytes even for SQLite-only work. The
** pg and mysql engines therefore reach their client library through a table
** of function pointers filled here on first use (see engine_pg_dl.h and
** engine_mysql_dl.h, which map the usual names onto that table).
**
**   static const char *const sonames[] = {"libpq.so.5", "libpq.so", NULL};
**   static const char *const names[] = {"PQexec", "PQclear", NULL};
**   void *slots[2];
**   if (sqlitch_dynload(sonames, names, slots, "libpq", "PostgreSQL", &err))
**     ...   // err: "libpq required to manage PostgreSQL: <why>"
**
** The library stays loaded for the life of the process.
*/
#ifndef SQLITCH_DYNLOAD_H
#define SQLITCH_DYNLOAD_H

#include "util.h"

/* Open the first of `sonames` that loads and resolve every symbol in
   `names` (NULL-terminated) into `slots`, in order. On failure nothing is
   kept and err says which library or symbol is missing. */
int sqlitch_dynload(const char *const *sonames, const char *const *names,
                    void **slots, const char *driver, const char *engine,
                    sqlitch_err *err);

#endif
