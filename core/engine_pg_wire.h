/*
** engine_pg_wire.h -- a small in-process PostgreSQL client for `sqlitch
** status` and `sqlitch log`, so that they need not load libpq.
**
** Loading libpq costs about 5 ms (it maps some twenty-four libraries:
** gnutls, krb5, ldap, ...), more than a status on a unix socket spends
** talking to the server. The read-only commands therefore speak the
** frontend/backend protocol themselves when the connection is simple
** enough to be sure that libpq would do exactly the same: a unix socket,
** trust or peer authentication, no service file, no SSL. Anything else,
** and any surprise while connecting, goes through the real libpq, which
** then also produces the real error messages (engine_pg_wire.c lists the
** rules; docs/pg.md has the user-level summary).
**
** The CLI opts in (status, log), once per process, before it creates
** the engine, through engine.h:
**
**   sqlitch_pg_wire_allow(1);  // from sqlitch_engine_allow_inprocess_clients
**
** The pg engine then fills its libpq function table (engine_pg_dl.h)
** with sqlitch_pg_wire_load() instead of sqlitch_pg_load(): with this
** client's functions when the process allowed it, SQLITCH_PG_WIRE is not
** "0" and libpq is not loaded yet; with libpq otherwise. A connection that does
*not qualify loads libpq at
** that moment and the table points to libpq for the rest of the process.
**
** Without PostgreSQL support in the build, sqlitch_pg_wire_allow() is a
** no-op and nothing else here exists.
*/
#ifndef SQLITCH_ENGINE_PG_WIRE_H
#define SQLITCH_ENGINE_PG_WIRE_H

#include "util.h"

#ifdef SQLITCH_HAVE_PG

/* Let this process use the in-process client (status and log). */
void sqlitch_pg_wire_allow(int on);

/* For engine_pg.c: fill sqlitch_pg (engine_pg_dl.h) with this client or
   with libpq, as above. */
int sqlitch_pg_wire_load(sqlitch_err *err);

/* How the last registry connection was made, for `-vvv`: "in process",
   or "through libpq: <why>". NULL when the client was not allowed. */
const char *sqlitch_pg_wire_route(void);

/* ------------------------------------------------------- for the tests */

/* The connection the client would make for these PQconnectdbParams
   arguments: "socket=<path> user=<u> database=<d>[ application_name=<a>]
   [ client_encoding=<e>]" (the StartupMessage, in its order), or NULL
   with *why set (static text) when libpq must make it. Reads the
   environment like the real thing. Caller frees. */
char *sqlitch_pg_wire_plan(const char *const *keys, const char *const *values,
                           int expand_dbname, const char **why);

/* A connection over an already connected socket, as if the startup had
   succeeded: the tests and fuzzers play the server on the other end of
   a socketpair. The sqlitch_pg table must hold this client's functions
   (sqlitch_pg_wire_load after sqlitch_pg_wire_allow(1)). */
struct pg_conn *sqlitch_pg_wire_adopt(int fd);

#else
static inline void sqlitch_pg_wire_allow(int on) { (void)on; }
#endif

#endif
