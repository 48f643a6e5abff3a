/*
** test_process.c -- core/process.c: running a child and IPC::System::
** Simple's messages for its failures.
*/
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "process.h"
#include "tap.h"

/* The message sqlitch_proc_fail leaves in err ("" when none). */
static char *fail_text(const char *prog, int start_errno, int status) {
  sqlitch_err err = SQLITCH_ERR_INIT;
  int rc = sqlitch_proc_fail(&err, prog, start_errno, status);
  char *m = sqlitch_strdup(rc ? err.msg : "");
  if (rc && err.exitval != 2) {
    free(m);
    m = sqlitch_strdup("(exitval not 2)");
  }
  sqlitch_err_clear(&err);
  return m;
}

static int run_sh(const char *cmd, int *status) {
  sqlitch_proc p = SQLITCH_PROC_INIT;
  p.sh_command = cmd;
  return sqlitch_proc_run(&p, status);
}

typedef struct seen {
  sqlitch_buf out, err;
  size_t calls;
} seen;

static void collect(void *ctx, int fd, const char *data, size_t n) {
  seen *s = ctx;
  s->calls++;
  if (data[n] != 0) return; /* must be NUL-terminated */
  sqlitch_buf_addn(fd == 2 ? &s->err : &s->out, data, n);
}

static int all_same(const sqlitch_buf *b, char c) {
  for (size_t i = 0; i < b->len; i++)
    if (b->p[i] != c) return 0;
  return 1;
}

int main(void) {
  int status = -1;
  char *m;

  /* exit 0 */
  char *t[] = {"true", NULL};
  sqlitch_proc p = SQLITCH_PROC_INIT;
  p.argv = t;
  is_int(sqlitch_proc_run(&p, &status), 0, "true starts");
  ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "true exits 0");
  m = fail_text("true", 0, status);
  is_str(m, "", "exit 0 is no failure");
  free(m);
  ok(sqlitch_proc_message("true", 0, status) == NULL, "no message for 0");

  /* exit 3 */
  is_int(run_sh("exit 3", &status), 0, "sh -c starts");
  m = fail_text("psql", 0, status);
  is_str(m, "\"psql\" unexpectedly returned exit value 3\n", "exit 3");
  free(m);

  /* killed by a signal */
  is_int(run_sh("kill -KILL $$", &status), 0, "self-killer starts");
  ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "died to KILL");
  m = fail_text("mysql", 0, status);
  is_str(m, "\"mysql\" died to signal \"KILL\" (9)\n", "signal message");
  free(m);
  m = fail_text("x", 0, SIGSEGV | 0x80);
  is_str(m, "\"x\" died to signal \"SEGV\" (11) and dumped core\n",
         "core dump message");
  free(m);

  /* signal names as Perl's $Config{sig_name} */
  is_str(sqlitch_signal_name(SIGINT), "INT", "INT");
  is_str(sqlitch_signal_name(SIGIO), "IO", "IO (not POLL)");
  is_str(sqlitch_signal_name(33), "NUM33", "NUM33");
  is_str(sqlitch_signal_name(34), "RTMIN", "RTMIN");
  is_str(sqlitch_signal_name(64), "RTMAX", "RTMAX");
  is_str(sqlitch_signal_name(99), "UNKNOWN", "UNKNOWN");

  /* a missing program */
  char *missing[] = {"sqlitch-no-such-program", NULL};
  p.argv = missing;
  int e = sqlitch_proc_run(&p, &status);
  is_int(e, ENOENT, "missing program: ENOENT");
  m = fail_text("sqlitch-no-such-program", e, status);
  is_str(m,
         "\"sqlitch-no-such-program\" failed to start: \"No such file or "
         "directory\"\n",
         "failed to start");
  free(m);

  /* Sqitch's die handler cuts at " at " */
  m = fail_text("vi at home", 0, 1 << 8);
  is_str(m, "\"vi\n", "cut at \\s+at\\s+");
  free(m);

  /* more than 1 MB on each pipe at once */
  seen s = {SQLITCH_BUF_INIT, SQLITCH_BUF_INIT, 0};
  sqlitch_proc big = SQLITCH_PROC_INIT;
  big.sh_command = "head -c 1500000 /dev/zero | tr '\\0' o & "
                   "head -c 1300000 /dev/zero | tr '\\0' e >&2; wait";
  big.out = big.err = SQLITCH_PROC_CALLBACK;
  big.on_output = collect;
  big.ctx = &s;
  is_int(sqlitch_proc_run(&big, &status), 0, "big output starts");
  ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "big output exits 0");
  is_int(s.out.len, 1500000, "all of stdout");
  is_int(s.err.len, 1300000, "all of stderr");
  ok(all_same(&s.out, 'o') && all_same(&s.err, 'e'), "streams not mixed");
  ok(s.calls > 2, "in chunks");
  sqlitch_buf_free(&s.out);
  sqlitch_buf_free(&s.err);

  /* capture, /dev/null, env */
  sqlitch_buf out = SQLITCH_BUF_INIT;
  char *env[] = {"SQLITCH_T=hello there", "PATH=/usr/bin:/bin", NULL};
  sqlitch_proc c = SQLITCH_PROC_INIT;
  c.sh_command = "printf '%s|%s' \"$SQLITCH_T\" \"${HOME-unset}\"; echo no >&2";
  c.env = env;
  c.out = SQLITCH_PROC_CAPTURE;
  c.out_buf = &out;
  c.err = SQLITCH_PROC_DEVNULL;
  is_int(sqlitch_proc_run(&c, &status), 0, "env child starts");
  is_str(sqlitch_buf_str(&out), "hello there|unset", "env passed, only it");
  sqlitch_buf_free(&out);

  /* argv with PATH search, arguments not through a shell */
  char *echo[] = {"printf", "%s,", "a b", "$HOME", NULL};
  c = (sqlitch_proc)SQLITCH_PROC_INIT;
  c.argv = echo;
  c.out = SQLITCH_PROC_CAPTURE;
  c.out_buf = &out;
  is_int(sqlitch_proc_run(&c, &status), 0, "printf starts");
  is_str(sqlitch_buf_str(&out), "a b,$HOME,", "argv verbatim");
  sqlitch_buf_free(&out);

  /* /bin/sh -c: shell syntax, and 127 for a missing command */
  c = (sqlitch_proc)SQLITCH_PROC_INIT;
  c.sh_command = "echo one; echo two | tr a-z A-Z";
  c.out = SQLITCH_PROC_CAPTURE;
  c.out_buf = &out;
  is_int(sqlitch_proc_run(&c, &status), 0, "sh -c starts");
  is_str(sqlitch_buf_str(&out), "one\nTWO\n", "sh -c output");
  sqlitch_buf_free(&out);
  c.sh_command = "sqlitch-no-such-program 2>/dev/null";
  is_int(sqlitch_proc_run(&c, &status), 0, "sh -c missing starts");
  m = fail_text("nope", 0, status);
  is_str(m, "\"nope\" unexpectedly returned exit value 127\n", "sh: 127");
  free(m);

  /* SIGINT ignored in the parent while waiting, restored after */
  c = (sqlitch_proc)SQLITCH_PROC_INIT;
  c.sh_command = "kill -INT $PPID; exit 0";
  c.ignore_int_quit = 1;
  is_int(sqlitch_proc_run(&c, &status), 0, "SIGINT to parent survived");
  struct sigaction now;
  sigaction(SIGINT, NULL, &now);
  ok(now.sa_handler == SIG_DFL, "SIGINT disposition restored");

  return tap_done();
}
