/*
** process.c -- one way to run a child program and wait for it, and
** IPC::System::Simple's words for its failure (see process.h).
**
** fork + execvpe rather than posix_spawnp: Perl's system() and exec use
** execvp, which runs a script without a #! line through /bin/sh; the
** child does nothing but set up its descriptors and signals before exec.
*/
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ----------------------------------------------------------- signal names */

/* Perl's $Config{sig_name} on Linux, by number. */
static const char *const sig_names[] = {
    "ZERO",   "HUP",   "INT",    "QUIT",  "ILL",   "TRAP",  "ABRT",  "BUS",
    "FPE",    "KILL",  "USR1",   "SEGV",  "USR2",  "PIPE",  "ALRM",  "TERM",
    "STKFLT", "CHLD",  "CONT",   "STOP",  "TSTP",  "TTIN",  "TTOU",  "URG",
    "XCPU",   "XFSZ",  "VTALRM", "PROF",  "WINCH", "IO",    "PWR",   "SYS",
    "NUM32",  "NUM33", "RTMIN",  "NUM35", "NUM36", "NUM37", "NUM38", "NUM39",
    "NUM40",  "NUM41", "NUM42",  "NUM43", "NUM44", "NUM45", "NUM46", "NUM47",
    "NUM48",  "NUM49", "NUM50",  "NUM51", "NUM52", "NUM53", "NUM54", "NUM55",
    "NUM56",  "NUM57", "NUM58",  "NUM59", "NUM60", "NUM61", "NUM62", "NUM63",
    "RTMAX"};

const char *sqlitch_signal_name(int sig) {
  if (sig < 0 || (size_t)sig >= sizeof sig_names / sizeof *sig_names)
    return "UNKNOWN";
  return sig_names[sig];
}

/* ------------------------------------------------------------- running */

static int is_piped(sqlitch_proc_io m) {
  return m == SQLITCH_PROC_CALLBACK || m == SQLITCH_PROC_CAPTURE;
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* A close-on-exec pipe whose ends are above 0-2, so that putting one on
   the child's stdout or stderr never clobbers the other. 0 or errno. */
static int make_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) return errno;
  for (int i = 0; i < 2; i++) {
    if (fds[i] > 2) continue;
    int hi = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
    if (hi < 0) {
      int e = errno;
      close(fds[0]);
      close(fds[1]);
      fds[0] = fds[1] = -1;
      return e;
    }
    close(fds[i]);
    fds[i] = hi;
  }
  return 0;
}

/* In the child: connect stdout (k = 1) or stderr (k = 2). */
static void child_io(sqlitch_proc_io mode, int k, int wfd) {
  if (mode == SQLITCH_PROC_DEVNULL) {
    int fd = open("/dev/null", O_WRONLY);
    if (fd >= 0 && fd != k) {
      dup2(fd, k);
      close(fd);
    }
  } else if (is_piped(mode)) {
    dup2(wfd, k); /* the copy is not close-on-exec */
  }
}

/* Read both pipes until both are closed, feeding the caller. */
static void drain(const sqlitch_proc *p, int rfd[2]) {
  const sqlitch_proc_io mode[2] = {p->out, p->err};
  sqlitch_buf *const bufs[2] = {p->out_buf, p->err_buf};
  struct pollfd pf[2] = {{rfd[0], POLLIN, 0}, {rfd[1], POLLIN, 0}};
  int open_n = (rfd[0] >= 0) + (rfd[1] >= 0);
  char buf[8192];
  while (open_n > 0) {
    if (poll(pf, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int k = 0; k < 2; k++) {
      if (pf[k].fd < 0 || !(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      ssize_t n = read(pf[k].fd, buf, sizeof buf - 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close_fd(&rfd[k]);
        pf[k].fd = -1;
        open_n--;
        continue;
      }
      buf[n] = 0;
      if (mode[k] == SQLITCH_PROC_CALLBACK) {
        if (p->on_output) p->on_output(p->ctx, k + 1, buf, (size_t)n);
      } else if (bufs[k]) {
        sqlitch_buf_addn(bufs[k], buf, (size_t)n);
      }
    }
  }
}

int sqlitch_proc_run(const sqlitch_proc *p, int *status) {
  *status = 0;
  if (!p->sh_command && (!p->argv || !p->argv[0])) return EINVAL;
  int efd[2] = {-1, -1};
  int io[2][2] = {{-1, -1}, {-1, -1}}; /* stdout, stderr pipes */
  const sqlitch_proc_io mode[2] = {p->out, p->err};
  int start = make_pipe(efd);
  for (int k = 0; k < 2 && !start; k++)
    if (is_piped(mode[k])) start = make_pipe(io[k]);
  if (start) {
    close_fd(&efd[0]);
    close_fd(&efd[1]);
    for (int k = 0; k < 2; k++) {
      close_fd(&io[k][0]);
      close_fd(&io[k][1]);
    }
    return start;
  }
  char *const *env = p->env ? p->env : environ;
  struct sigaction ign, old_int, old_quit;
  if (p->ignore_int_quit) {
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);
  }
  pid_t pid = fork();
  if (pid == 0) {
    if (p->ignore_int_quit) {
      sigaction(SIGINT, &old_int, NULL);
      sigaction(SIGQUIT, &old_quit, NULL);
    }
    child_io(mode[0], 1, io[0][1]);
    child_io(mode[1], 2, io[1][1]);
    if (p->sh_command) {
      char *const sh[] = {"sh", "-c", (char *)p->sh_command, NULL};
      execve("/bin/sh", sh, env);
    } else {
      execvpe(p->argv[0], p->argv, env);
    }
    int e = errno;
    if (write(efd[1], &e, sizeof e) < 0) { /* nothing more to do */
    }
    _exit(127);
  }
  if (pid < 0) start = errno;
  close_fd(&efd[1]);
  int rfd[2] = {io[0][0], io[1][0]};
  for (int k = 0; k < 2; k++)
    close_fd(&io[k][1]);
  if (pid > 0) {
    int child_errno = 0;
    ssize_t got;
    while ((got = read(efd[0], &child_errno, sizeof child_errno)) < 0 &&
           errno == EINTR) {
    }
    if (got == (ssize_t)sizeof child_errno && child_errno) start = child_errno;
    drain(p, rfd);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (!start) *status = st;
  }
  close_fd(&efd[0]);
  close_fd(&rfd[0]);
  close_fd(&rfd[1]);
  if (p->ignore_int_quit) {
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
  }
  return start;
}

/* ------------------------------------------------------------ messages */

char *sqlitch_proc_message(const char *prog, int start_errno, int status) {
  if (start_errno)
    return sqlitch_mprintf("\"%s\" failed to start: \"%s\"", prog,
                           strerror(start_errno));
  if (WIFSIGNALED(status))
    return sqlitch_mprintf("\"%s\" died to signal \"%s\" (%d)%s", prog,
                           sqlitch_signal_name(WTERMSIG(status)),
                           WTERMSIG(status),
                           WCOREDUMP(status) ? " and dumped core" : "");
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    return sqlitch_mprintf("\"%s\" unexpectedly returned exit value %d", prog,
                           WEXITSTATUS(status));
  return NULL;
}

/* Perl's \s */
static int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* s/\s+at\s+.+/\n/ms */
static void cut_at(char *m) {
  for (char *p = m; *p; p++) {
    if (!is_space(*p)) continue;
    char *q = p;
    while (is_space(*q))
      q++;
    if (q[0] == 'a' && q[1] == 't' && is_space(q[2])) {
      char *r = q + 2;
      while (is_space(*r))
        r++;
      /* ".+" needs a character: after the blanks, or the last blank */
      if (*r || r - (q + 2) >= 2) {
        p[0] = '\n';
        p[1] = 0;
        return;
      }
    }
    p = q - 1;
  }
}

int sqlitch_proc_croak(sqlitch_err *err, const char *msg) {
  /* croak adds " at FILE line N.\n"; Sqitch's die handler cuts it off */
  char *full = sqlitch_mprintf("%s at x line 1.\n", msg);
  cut_at(full);
  sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "%s", full);
  free(full);
  return SQLITCH_ERROR;
}

int sqlitch_proc_fail(sqlitch_err *err, const char *prog, int start_errno,
                      int status) {
  char *msg = sqlitch_proc_message(prog, start_errno, status);
  if (!msg) return SQLITCH_OK;
  sqlitch_proc_croak(err, msg);
  free(msg);
  return SQLITCH_ERROR;
}
