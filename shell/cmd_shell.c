/*
** cmd_shell.c -- `sqlitch shell`: the real sqlite3 shell on a target's
** database, with the sqlitch extension loaded and the project set.
**
**   sqlitch shell [options] [<target>] [-- <sqlite3 options>]
**     -t, --target <t>          target name or db: URI (default: the
**                               project's default target)
**     --client, --db-client <c> the sqlite3 shell to run (default: the
**                               target's client, engine.sqlite.client,
**                               "sqlite3")
**     -d, --db-name <file>      another database file for the target
**   Everything after "--" is passed to sqlite3 before the database file.
**
** Example:
**   $ sqlitch shell dev
**   sqlite> SELECT name, status FROM sqlitch_status;
**   sqlite> SELECT sqlitch_deploy();
**   $ echo "SELECT count(*) FROM sqlitch_plan;" | sqlitch shell -- -json
**
** What it runs: `<client> -cmd '.load <dir>/sqlitch' [<sqlite3 options>]
** <database file>` with SQLITCH_PROJECT_DIR set to the current directory
** (absolute), so the extension finds the plan, scripts and configuration
** even after `.cd` in the shell. The extension is sqlitch.so next to this
** binary, else in the install LIBDIR. The target must be a SQLite one;
** the extension names it after the configured target whose database is
** that file, so its registry settings apply as for `sqlitch deploy`.
** The process is replaced by the shell (exec): its exit code is sqlite3's.
*/
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell.h"

#ifndef SQLITCH_LIBDIR
#define SQLITCH_LIBDIR "/usr/local/lib"
#endif

static const char *const opts[] = {"target|t=s", "client|db-client=s",
                                   "db-name|d=s", NULL};

/* sqlitch.so next to the running binary, else in LIBDIR; NULL if neither.
   Returned without its ".so" (the form `.load` takes). Caller frees. */
static char *find_extension(char **tried) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  sqlitch_strv where = SQLITCH_STRV_INIT;
  if (n > 0) {
    exe[n] = 0;
    char *dir = sqlitch_path_dirname(exe);
    sqlitch_strv_push_owned(&where, dir);
  }
  sqlitch_strv_push(&where, SQLITCH_LIBDIR);
  char *found = NULL;
  for (size_t i = 0; i < where.n && !found; i++) {
    char *so = sqlitch_mprintf("%s/sqlitch.so", where.v[i]);
    if (sqlitch_is_file(so)) found = sqlitch_mprintf("%s/sqlitch", where.v[i]);
    free(so);
  }
  *tried = sqlitch_strv_join(&where, " or ");
  sqlitch_strv_free(&where);
  return found;
}

/* A dot-command argument in double quotes (the shell unescapes \\ and \"). */
static char *dot_quote(const char *s) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addc(&b, '"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') sqlitch_buf_addc(&b, '\\');
    sqlitch_buf_addc(&b, *s);
  }
  sqlitch_buf_addc(&b, '"');
  return sqlitch_buf_take(&b);
}

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  /* the target: --target, else a first argument that is not an option */
  const char *name = sh_opt_str(o, "target");
  int first = 0;
  if (!name && argc > 0 && argv[0][0] != '-') name = argv[first++];
  sqlitch_target_opts topts;
  memset(&topts, 0, sizeof topts);
  topts.client = sh_opt_str(o, "client");
  topts.db_name = sh_opt_str(o, "db-name");
  sqlitch_target *t;
  if (sqlitch_target_new(ctx->config, name, &topts, &t, err))
    return SQLITCH_ERROR;
  int rc = SQLITCH_ERROR;
  char *ext = NULL, *tried = NULL, *load = NULL, *cwd = NULL;
  char **args = NULL;
  if (sqlitch_target_check_engine(t, err)) goto done;
  if (strcmp(t->engine, "sqlite") != 0) {
    sqlitch_err_fail(err,
                     "sqlitch shell opens SQLite databases only; target %s "
                     "is %s",
                     t->name, t->engine);
    goto done;
  }
  if (!t->uri->dbname || !*t->uri->dbname) {
    sqlitch_err_fail(err, "Database name missing in URI %s", t->uri->str);
    goto done;
  }
  if (!(ext = find_extension(&tried))) {
    sqlitch_err_fail(
        err, "Cannot find the sqlitch extension (sqlitch.so) in %s", tried);
    goto done;
  }
  cwd = getcwd(NULL, 0);
  if (!cwd || setenv("SQLITCH_PROJECT_DIR", cwd, 1) != 0) {
    sqlitch_err_fail(err, "Cannot set SQLITCH_PROJECT_DIR: %s",
                     strerror(errno));
    goto done;
  }
  /* client -cmd '.load EXT' [passed options] DBFILE */
  const char *client = t->client ? t->client : "sqlite3";
  char *q = dot_quote(ext);
  load = sqlitch_mprintf(".load %s", q);
  free(q);
  int n = 0;
  args = sqlitch_calloc((size_t)(argc - first) + 5, sizeof *args);
  args[n++] = (char *)client;
  args[n++] = "-cmd";
  args[n++] = load;
  for (int i = first; i < argc; i++)
    args[n++] = argv[i];
  args[n++] = t->uri->dbname;
  args[n] = NULL;
  fflush(stdout);
  fflush(stderr);
  execvp(client, args);
  sqlitch_err_fail(err, "Cannot exec %s: %s", client, strerror(errno));
done:
  free(args);
  free(load);
  free(cwd);
  free(ext);
  free(tried);
  sqlitch_target_free(t);
  return rc;
}

const sh_cmd sh_cmd_shell = {"shell", opts, run};
