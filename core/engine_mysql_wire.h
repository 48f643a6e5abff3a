/*
** engine_mysql_wire.h -- a small in-process MySQL/MariaDB client for
** `sqlitch status` and `sqlitch log`, so that they need not load
** libmariadb.
**
** Loading and initialising libmariadb (with libssl, libcrypto and libz;
** getservbyname through NSS; OpenSSL reading openssl.cnf) costs about
** 3 ms, a third of a status. The read-only commands therefore speak the
** client/server protocol themselves when the registry connection is
** simple enough to be sure that libmariadb would do exactly the same: TCP
** or a unix socket, mysql_native_password, charset utf8, no TLS, no
** compression, no option file. Anything else, and any surprise while
** connecting, goes through the real libmariadb, which then also produces
** the real error messages (engine_mysql_wire.c lists the rules;
** docs/mysql.md has the user-level summary).
**
** The CLI opts in (status, log), once per process, before it creates
** the engine, through engine.h:
**
**   sqlitch_mysql_wire_allow(1);  // sqlitch_engine_allow_inprocess_clients
**
** The mysql engine then fills its libmariadb function table
** (engine_mysql_dl.h) with sqlitch_mysql_wire_load() instead of
** sqlitch_mysql_load(): with this client's functions when the process
** allowed it, SQLITCH_MYSQL_WIRE is not "0" and libmariadb is not loaded
** yet; with libmariadb otherwise. A connection that does not qualify
** loads libmariadb at that moment (mysql_real_connect) and the table
** points to libmariadb for the rest of the process.
**
** Without MySQL support in the build, sqlitch_mysql_wire_allow() is a
** no-op and nothing else here exists.
*/
#ifndef SQLITCH_ENGINE_MYSQL_WIRE_H
#define SQLITCH_ENGINE_MYSQL_WIRE_H

#include "util.h"

#ifdef SQLITCH_HAVE_MYSQL

/* Let this process use the in-process client (status and log). */
void sqlitch_mysql_wire_allow(int on);

/* For engine_mysql.c: fill sqlitch_mysql (engine_mysql_dl.h) with this
   client or with libmariadb, as above. */
int sqlitch_mysql_wire_load(sqlitch_err *err);

/* How the last registry connection was made, for `-vvv`: "in process",
   or "through libmariadb: <why>". NULL when the client was not allowed. */
const char *sqlitch_mysql_wire_route(void);

/* ------------------------------------------------------- for the tests */

/* A connection over an already connected socket: the fuzzer plays the
   server on the other end of a socketpair. With handshake 0, as if the
   handshake had succeeded (MariaDB 10.11's capabilities); with 1, the
   greeting is read and answered (user "u", password "pw", database "db")
   and NULL returned when the client would leave the connection to
   libmariadb. The sqlitch_mysql table must hold this client's functions
   (sqlitch_mysql_wire_load after sqlitch_mysql_wire_allow(1)). Close it
   with mysql_close; the fd is closed either way. */
struct st_mysql *sqlitch_mysql_wire_adopt(int fd, int handshake);

#else
static inline void sqlitch_mysql_wire_allow(int on) { (void)on; }
#endif

#endif
