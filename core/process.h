/*
** process.h -- run a child program and wait for it, and word its failure
** the way Sqitch does. One primitive for every place sqlitch runs another
** program: the engines' clients (sqlite3, psql, mysql and `mysql
** --version`), `checkout`'s git, and the editor (`add`, `tag`, `rework`,
** `config --edit`).
**
** sqlitch_proc_run() starts the program (argv[0] found on PATH as execvp
** does, or `/bin/sh -c COMMAND`), with the given environment, each of its
** stdout and stderr inherited, sent to /dev/null, handed in chunks to a
** callback, or appended to a buffer. Both pipes are polled together, so a
** child writing a lot on both cannot deadlock. Like system(), it can
** ignore SIGINT and SIGQUIT in the parent while it waits (the child gets
** the parent's original dispositions). An exec failure comes back as its
** errno through a close-on-exec pipe.
**
** sqlitch_proc_fail() turns the outcome into IPC::System::Simple's
** message as Sqitch's run/capture/shell die with it (croak's " at FILE
** line N." cut by Sqitch's $SIG{__DIE__} filter s/\s+at\s+.+/\n/ms, so
** the message ends in "\n"), exit 2:
**   "psql" failed to start: "No such file or directory"
**   "psql" unexpectedly returned exit value 3
**   "psql" died to signal "KILL" (9)
**   "psql" died to signal "SEGV" (11) and dumped core
** Signal names are Perl's $Config{sig_name} on Linux (sqlitch_signal_name).
**
**   char *argv[] = {"git", "rev-parse", "HEAD", NULL};
**   sqlitch_buf out = SQLITCH_BUF_INIT;
**   sqlitch_proc p = SQLITCH_PROC_INIT;
**   p.argv = argv;
**   p.out = SQLITCH_PROC_CAPTURE;
**   p.out_buf = &out;
**   int status;
**   int start_errno = sqlitch_proc_run(&p, &status);
**   if (sqlitch_proc_fail(err, "git", start_errno, status)) ...
**
** This module never prints and never exits: output goes to the caller's
** callback or buffers, failures come back as an errno / wait status and
** through sqlitch_err. It does not flush stdio either; a caller that has
** buffered output of its own flushes it first.
**
** Ownership: everything in sqlitch_proc is borrowed for the call; text
** appended to out_buf/err_buf is the caller's (sqlitch_buf_free).
*/
#ifndef SQLITCH_PROCESS_H
#define SQLITCH_PROCESS_H

#include <stddef.h>

#include "util.h"

/* What the child's stdout / stderr is connected to. */
typedef enum sqlitch_proc_io {
  SQLITCH_PROC_INHERIT = 0, /* the parent's own descriptor */
  SQLITCH_PROC_DEVNULL,     /* /dev/null */
  SQLITCH_PROC_CALLBACK,    /* a pipe; each chunk read goes to on_output */
  SQLITCH_PROC_CAPTURE      /* a pipe; everything is appended to *_buf */
} sqlitch_proc_io;

/* One chunk of the child's output: fd is 1 (stdout) or 2 (stderr); data
   is NUL-terminated at data[n] (it may hold NULs of its own). */
typedef void (*sqlitch_proc_output_fn)(void *ctx, int fd, const char *data,
                                       size_t n);

typedef struct sqlitch_proc {
  char *const *argv;      /* program and arguments; argv[0] searched on PATH */
  const char *sh_command; /* instead of argv: run `/bin/sh -c sh_command` */
  char *const *env;       /* "K=V" strings; NULL: the parent's environ */
  sqlitch_proc_io out, err;
  sqlitch_proc_output_fn on_output; /* for SQLITCH_PROC_CALLBACK */
  void *ctx;                        /* passed to on_output */
  sqlitch_buf *out_buf, *err_buf;   /* for SQLITCH_PROC_CAPTURE */
  int ignore_int_quit; /* as system(): SIGINT, SIGQUIT ignored meanwhile */
} sqlitch_proc;

#define SQLITCH_PROC_INIT                                                      \
  {                                                                            \
    NULL, NULL, NULL, SQLITCH_PROC_INHERIT, SQLITCH_PROC_INHERIT, NULL, NULL,  \
        NULL, NULL, 0                                                          \
  }

/* Run p to completion. Returns 0 when the program ran, its wait status in
   *status; else the errno that kept it from starting (pipe, fork or exec
   failure), *status 0. */
int sqlitch_proc_run(const sqlitch_proc *p, int *status);

/* Perl's $Config{sig_name} entry for sig ("INT", "KILL", "NUM33",
   "RTMIN"...), "UNKNOWN" beyond it. */
const char *sqlitch_signal_name(int sig);

/* IPC::System::Simple's message for `prog` (no newline), or NULL when it
   started and exited 0. Caller frees. */
char *sqlitch_proc_message(const char *prog, int start_errno, int status);

/* Sqitch's die of a croak'd message: msg cut by s/\s+at\s+.+/\n/ms after
   croak's " at FILE line N.\n" (so ending in "\n"), set in err with exit
   2. Returns SQLITCH_ERROR. */
int sqlitch_proc_croak(sqlitch_err *err, const char *msg);

/* sqlitch_proc_message through sqlitch_proc_croak: SQLITCH_OK when the
   program exited 0, else SQLITCH_ERROR with err set. */
int sqlitch_proc_fail(sqlitch_err *err, const char *prog, int start_errno,
                      int status);

#endif
