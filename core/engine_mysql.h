/*
** engine_mysql.h -- the MySQL engine's inner parts, shared by its two
** files and its tests. Commands never include this: they reach the engine
** through engine.h (sqitch_engine_ops_for("mysql")).
**
**   engine_mysql.c         the ops table over libmariadb: connections,
**                          registry, lock, steps, the executor of parsed
**                          scripts, and the real `mysql` client when a
**                          script needs it
**   engine_mysql_client.c  the `mysql` client in process, minus the
**                          network: how MariaDB's mysql 10.11 reads
**                          `--execute "SET @\"k\" = 'v';\nsource FILE"`
**                          (Sqitch's way of running a script) in batch
**                          mode, cut into the statements it would send;
**                          and the option files the client reads
**
** Nothing here needs libmariadb, so it builds (and is unit tested) on
** any machine.
**
** Parsing is pure: it follows the client's read_and_execute()/add_line()
** line by line -- comments stripped the way the client strips them,
** DELIMITER, `source` (files read from disk, relative to the current
** directory), `use`, `\g`, `\c`, `quit`, the final statement without a
** delimiter -- and records what the client would do, in order:
**
**   sqlitch_mysql_parse_opts o = {.utf8 = 1};
**   sqlitch_mysql_script *s;
**   sqlitch_mysql_parse("SET @\"x\" = '1';\nsource deploy/a.sql", &o, &s);
**   if (s->fallback) run_the_real_client(...);   // why: s->fallback
**   else for (size_t i = 0; i < s->n; i++) execute(&s->v[i]);
**   sqlitch_mysql_script_free(s);
**
** Anything whose result the parse cannot guarantee (client commands
** other than delimiter/source/use/go/clear/quit/exit, NUL bytes, bytes
** the connection charset would read differently, a script that changes
** sql_mode while backslashes could matter, LOAD DATA LOCAL, nesting
** deeper than 16 files) sets `fallback` with the reason, and the caller
** runs the configured client instead, exactly as Sqitch does.
**
** Memory: every _parse/_read has its _free; strings in actions belong to
** the script.
*/
#ifndef SQLITCH_ENGINE_MYSQL_H
#define SQLITCH_ENGINE_MYSQL_H

#include <stddef.h>

#include "report.h"
#include "util.h"

/* ---------------------------------------------------------------- parse */

typedef enum {
  SQLITCH_MYSQL_SQL = 0, /* send `text` with mysql_real_query (one buffer,
                            possibly several statements) */
  SQLITCH_MYSQL_USE,     /* mysql_select_db(`text`) */
  SQLITCH_MYSQL_ERROR    /* print `text` as the client's put_info error
                            ("ERROR at line N in file: 'F': text") */
} sqlitch_mysql_kind;

typedef struct sqlitch_mysql_action {
  sqlitch_mysql_kind kind;
  char *text; /* owned, NUL-terminated */
  size_t len;
  const char *file;   /* file as the client names it, NULL for the
                         --execute text (points into script->files) */
  unsigned long line; /* the client's query_start_line there */
  int fatal;          /* ERROR: the client stops here (exit 1) */
} sqlitch_mysql_action;

typedef struct sqlitch_mysql_script {
  sqlitch_mysql_action *v;
  size_t n, cap;
  sqlitch_strv files;
  char *fallback; /* non-NULL: why the real client must run */
} sqlitch_mysql_script;

typedef struct sqlitch_mysql_parse_opts {
  int utf8;        /* connection charset: 0 latin1, 3 utf8mb3,
                      4 utf8mb4 (multi-byte length) */
  int ansi_quotes; /* server status at the start of the script */
  int no_backslash_escapes;
  /* The text of one file, already in memory (engine.c read it to hash
     it): used instead of reading `known_path` from disk. */
  const char *known_path;
  const char *known_text;
  size_t known_len;
} sqlitch_mysql_parse_opts;

/* Parse the --execute text. Always returns SQLITCH_OK with *out set
   (check (*out)->fallback). */
int sqlitch_mysql_parse(const char *execute, const sqlitch_mysql_parse_opts *o,
                        sqlitch_mysql_script **out);
void sqlitch_mysql_script_free(sqlitch_mysql_script *s);

/* Sqitch's --execute text for a script: the variables ("k=v", sorted) as
   `SET @"k" = 'v', ...;\n`, then "source FILE". Caller frees. */
char *sqlitch_mysql_execute_text(const sqlitch_strv *vars, const char *file);

/* The client's error line: "ERROR[ CODE (STATE)][ at line N[ in file:
   'F']]: MSG\n" (code 0 = no code part, line 0 = no location). */
void sqlitch_mysql_error_line(sqlitch_buf *b, unsigned code, const char *state,
                              unsigned long line, const char *file,
                              const char *msg);
/* The block the client prints before a failed query's error:
   "--------------\nQUERY\n--------------\n\n". */
void sqlitch_mysql_query_block(sqlitch_buf *b, const char *q, size_t len);
/* One row as the client prints it in --silent batch mode: fields
   separated by tabs, NULL as "NULL", \0 \t \n \\ escaped, "\n" at the end. */
void sqlitch_mysql_tab_row(sqlitch_buf *b, char **row,
                           const unsigned long *lengths, unsigned n);

/* ---------------------------------------------------------- option files */

/* What the client would take from its option files (the groups [mysql],
   [mariadb-client], [client], [client-server], [client-mariadb] of
   /etc/my.cnf, /etc/mysql/my.cnf, $MARIADB_HOME|$MYSQL_HOME/my.cnf and
   ~/.my.cnf, with !include and !includedir). NULL = not set. */
typedef struct sqlitch_mycnf {
  char *host, *port, *socket, *user, *password, *database;
  char *charset;  /* default-character-set */
  char *protocol; /* "tcp", "socket" */
  char *init_command, *connect_timeout;
  char *ssl_ca, *ssl_capath, *ssl_cert, *ssl_key, *ssl_cipher;
  int ssl, compress;
  char *fallback;     /* an option sqlitch cannot apply identically */
  sqlitch_strv files; /* files read, in order */
} sqlitch_mycnf;

/* Read the option files (home = $HOME or NULL). Never fails: unreadable
   files are skipped as the client skips them. */
void sqlitch_mycnf_read(const char *home, sqlitch_mycnf *out);
void sqlitch_mycnf_free(sqlitch_mycnf *c);

#endif
