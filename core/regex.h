/*
** regex.h -- Perl-compatible regular expressions for sqlitch, a thin
** wrapper over PCRE2 (8-bit, UTF + UCP, so \w, \d, \s and case folding
** are Unicode-aware as in Perl on decoded strings).
**
** Sqitch matches user patterns with Perl's `=~ qr/$re/`: unanchored, no
** flags. That is what `plan --change/--planner`, `log --change/--project/
** --committer` (through SQLite's REGEXP operator) and DBD::SQLite's REGEXP
** do, and what this module gives. Compile once, match many times.
**
**   sqlitch_regex *re;
**   if (sqlitch_regex_compile("^user", 0, &re, &err)) ...   // err.msg set
**   if (sqlitch_regex_match(re, name, strlen(name)) == 1) ...
**   sqlitch_regex_free(re);
**
** SQLite: sqlitch_regex_sqlite_register(db) defines regexp(pattern, text),
** i.e. `text REGEXP pattern`, caching the compiled pattern per statement
** (sqlite3_get_auxdata). NULL in either argument gives NULL; a bad pattern
** is an SQL error carrying the message below.
**
** Errors (exit 2): `Invalid regular expression "<re>": <reason> at offset
** <n>` -- sqitch 1.3.1 prints Perl's own diagnostic plus a stack position
** here; sqlitch gives this one line instead. Subjects that are not valid
** UTF-8 are matched byte-wise, never rejected.
*/
#ifndef SQLITCH_REGEX_H
#define SQLITCH_REGEX_H

#include <stddef.h>

#include "util.h"

typedef struct sqlitch_regex sqlitch_regex;

/* Flags (OR them): */
#define SQLITCH_RE_CASELESS 1u /* Perl /i */
#define SQLITCH_RE_ANCHORED 2u /* match only at the start (\A...) */

/* Compile a Perl-syntax pattern (UTF-8). On error *out is NULL and err
   is set (exit 2). */
int sqlitch_regex_compile(const char *pattern, unsigned flags,
                          sqlitch_regex **out, sqlitch_err *err);
/* 1 = matches, 0 = does not, -1 = matcher failure (e.g. resource limit). */
int sqlitch_regex_match(const sqlitch_regex *re, const char *subject,
                        size_t len);
/* The pattern as given (borrowed). */
const char *sqlitch_regex_pattern(const sqlitch_regex *re);
void sqlitch_regex_free(sqlitch_regex *re);

/* Register the REGEXP function on a SQLite connection; returns an SQLite
   result code. */
struct sqlite3;
int sqlitch_regex_sqlite_register(struct sqlite3 *db);

#endif
