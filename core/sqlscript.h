/*
** sqlscript.h -- SQL scripts cut up as the sqlite3 shell cuts them, so
** that the SQLite engine can run a deploy/revert/verify script in process
** and behave exactly like `sqlite3 -bail -batch DB ".read FILE"`.
**
** The shell reads a script line by line (CRLF becomes LF), skips blank
** and comment-only lines and lines starting with '#', treats lines
** starting with '.' as dot-commands, turns a line holding only "go" or "/"
** into ';', and hands SQL to sqlite3 in chunks: a chunk ends on a line
** whose last token is ';' once sqlite3_complete() says the text is a whole
** statement list (or at the end of the file). Errors are reported with the
** line the chunk starts on -- which is what sqlitch_sqlscript keeps.
**
**   sqlitch_sqlscript sc;
**   sqlitch_sqlscript_parse(text, len, &sc);
**   for (size_t i = 0; i < sc.n; i++)
**     run(sc.buf.p + sc.v[i].off, sc.v[i].line);   // NUL-terminated chunk
**   if (sc.dot || sc.shell_only) ...               // needs the real client
**   sqlitch_sqlscript_free(&sc);
**
** Flags: `dot` -- a dot-command line (only the client can run those);
** `shell_only` -- a bare word naming something only the sqlite3 shell
** defines (readfile, generate_series, the REGEXP operator, ...) or EXPLAIN
** (which the shell formats its own way); `state` -- a word that can leave
** connection state behind (PRAGMA, TEMP, ATTACH); `ends_commit` -- the
** last statement is COMMIT or END (the default template's shape).
*/
#ifndef SQLITCH_SQLSCRIPT_H
#define SQLITCH_SQLSCRIPT_H

#include "util.h"

typedef struct sqlitch_sqlchunk {
  size_t off; /* into sqlitch_sqlscript.buf */
  int line;   /* line the chunk starts on (1-based) */
} sqlitch_sqlchunk;

typedef struct sqlitch_sqlscript {
  sqlitch_buf buf; /* the chunks, each NUL-terminated */
  sqlitch_sqlchunk *v;
  size_t n, cap;
  int dot;
  int shell_only;
  int state;
  int ends_commit;
} sqlitch_sqlscript;

/* Parse (never fails; any bytes are accepted). */
void sqlitch_sqlscript_parse(const char *text, size_t len,
                             sqlitch_sqlscript *out);
void sqlitch_sqlscript_free(sqlitch_sqlscript *sc);

/* Transaction-control class of one statement's text. */
typedef enum {
  SQLITCH_KW_OTHER = 0,
  SQLITCH_KW_BEGIN,
  SQLITCH_KW_COMMIT,     /* COMMIT or END */
  SQLITCH_KW_ROLLBACK,   /* ROLLBACK [TRANSACTION] */
  SQLITCH_KW_ROLLBACK_TO /* ROLLBACK [TRANSACTION] TO ... */
} sqlitch_sql_kw;
sqlitch_sql_kw sqlitch_sql_classify(const char *sql);

/* Skip blanks and comments (and ';' when semis); returns the next token. */
const char *sqlitch_sql_skip_blank(const char *z, int semis);
/* The shell's IsSpace(). */
int sqlitch_sql_is_space(char c);

#endif
