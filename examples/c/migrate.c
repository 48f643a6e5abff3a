/*
** migrate.c -- an application that brings its database up to date when it
** starts, with the sqlitch extension linked in statically.
**
**   migrate <database> <project>
**
** The project is a Sqitch project directory (sqitch.conf, sqitch.plan and
** the deploy/revert/verify scripts) shipped with the application. At
** start-up the program registers the extension for every connection it
** will open (sqlite3_auto_extension), opens its database, points the
** extension at the project, deploys whatever is pending, and goes on with
** its work -- here, listing where each change stands. A failed migration
** stops the program with the message `sqlitch deploy` would print, and
** leaves the database as it was before that change.
**
** Build (in this repository `make examples` does it):
**   cc -o migrate migrate.c -lsqlitch -lsqlite3 -lpcre2-8 -lm
**   (plus -lpq and -lmariadb when libsqlitch.a was built with them)
** libsqlitch.a holds the extension compiled with -DSQLITE_CORE, so it
** calls SQLite directly and needs no sqlite3_api table; the program and
** the extension must use the same libsqlite3.
*/
#include <sqlite3.h>
#include <stdio.h>

/* The extension's entry point (ext/sqlitch.c). */
int sqlite3_sqlitch_init(sqlite3 *db, char **pzErrMsg,
                         const sqlite3_api_routines *pApi);

/* Run one statement that returns one text value; print it when `show`,
   print the error on stderr. Returns 0 on success. */
static int call(sqlite3 *db, const char *sql, const char *arg, int show) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK && arg)
    rc = sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const unsigned char *out = sqlite3_column_text(st, 0);
    if (show && out && *out) printf("%s\n", out);
    rc = SQLITE_OK;
  } else {
    fprintf(stderr, "%s\n", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  return rc == SQLITE_OK ? 0 : 1;
}

/* The application's own work after the migration. */
static int report(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db,
                              "SELECT name, status FROM sqlitch_status "
                              "ORDER BY position",
                              -1, &st, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    printf("%-12s %s\n", (const char *)sqlite3_column_text(st, 0),
           (const char *)sqlite3_column_text(st, 1));
    rc = SQLITE_OK;
  }
  if (rc != SQLITE_DONE) fprintf(stderr, "%s\n", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <database> <project>\n", argv[0]);
    return 2;
  }
  /* Every connection opened from now on has the extension. */
  sqlite3_auto_extension((void (*)(void))sqlite3_sqlitch_init);

  sqlite3 *db = NULL;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
    fprintf(stderr, "%s: %s\n", argv[1], sqlite3_errmsg(db));
    sqlite3_close(db);
    return 1;
  }
  int rc = call(db, "SELECT sqlitch_project(?1)", argv[2], 0) ||
           call(db, "SELECT sqlitch_deploy()", NULL, 1) || report(db);
  sqlite3_close(db);
  sqlite3_reset_auto_extension();
  return rc;
}
