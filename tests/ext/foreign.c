/*
** foreign.c -- a host whose SQLite is not sqlitch.so's libsqlite3, for
** tests/ext/foreign.t. It loads sqlitch.so by hand and passes it the
** real API table with libversion() doctored, as another copy of SQLite
** (a newer amalgamation linked into the program) would present itself.
**
**   foreign <sqlitch.so> <database> <sql>...   prints each result or error
*/
#include <dlfcn.h>
#include <sqlite3.h>
/* The API table's layout, without sqlite3ext.h's redirecting macros. */
#define SQLITE_CORE 1
#include <sqlite3ext.h>
#include <stdio.h>
#include <string.h>

typedef int (*init_fn)(sqlite3 *, char **, const sqlite3_api_routines *);

static sqlite3_api_routines api; /* a copy of the real one */
static int have_api;

static const char *other_version(void) { return "9.99.0"; }

/* An auto-extension sees the API table SQLite hands extensions. */
static int grab(sqlite3 *db, char **err, const sqlite3_api_routines *a) {
  (void)db;
  (void)err;
  api = *a;
  have_api = 1;
  return SQLITE_OK;
}

static int print_row(void *ctx, int n, char **v, char **names) {
  (void)ctx;
  (void)names;
  for (int i = 0; i < n; i++)
    printf("%s%s", i ? "|" : "", v[i] ? v[i] : "");
  printf("\n");
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  void *so = dlopen(argv[1], RTLD_NOW);
  init_fn init = so ? (init_fn)dlsym(so, "sqlite3_sqlitch_init") : NULL;
  if (!init) {
    fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  sqlite3_auto_extension((void (*)(void))grab);
  sqlite3 *db = NULL;
  if (sqlite3_open(argv[2], &db) != SQLITE_OK || !have_api) return 2;
  api.libversion = other_version;
  char *err = NULL;
  if (init(db, &err, &api) != SQLITE_OK) {
    fprintf(stderr, "init: %s\n", err ? err : "?");
    return 2;
  }
  for (int i = 3; i < argc; i++) {
    err = NULL;
    if (sqlite3_exec(db, argv[i], print_row, NULL, &err) != SQLITE_OK) {
      printf("error: %s\n", err);
      sqlite3_free(err);
    }
  }
  sqlite3_close(db);
  sqlite3_reset_auto_extension();
  return 0;
}
