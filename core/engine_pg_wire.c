/*
** engine_pg_wire.c -- the in-process PostgreSQL client (engine_pg_wire.h):
** the part of libpq that `sqlitch status` and `sqlitch log` use, spoken
** directly over a unix socket (frontend/backend protocol 3.0), so that
** those two commands do not pay for loading libpq.
**
** Used only when the CLI allowed it (status, log), SQLITCH_PG_WIRE is not
** "0" and the connection qualifies. What qualifies is decided before any
** socket is opened (plan_conn), from the PQconnectdbParams arguments the
** engine passes and the environment, read as libpq reads them:
**  - keywords host, port, dbname, user, password, client_encoding,
**    application_name, fallback_application_name and sslmode, where
**    "dbname" may hold a key=value conninfo (libpq's syntax: blanks
**    around "=", 'quoted' values, backslash escapes; no URI);
**  - one host, an absolute socket directory (none: libpq's compiled-in
**    DEFAULT_PGSOCKET_DIR), one port (none: DEF_PGPORT);
**  - client_encoding UTF8; sslmode disable, allow, prefer or require
**    (libpq never tries SSL on a unix socket: all four connect in clear);
**  - no empty value, and no PG* environment variable but PGHOST, PGPORT,
**    PGUSER, PGDATABASE, PGAPPNAME, PGCLIENTENCODING (defaults, as in
**    libpq), PGPASSWORD and PGPASSFILE (read only when the server asks
**    for a password, and then libpq takes over anyway).
** The StartupMessage is the one libpq sends for those settings: user
** (default: the effective uid's login name), database (default: the
** user), application_name (else fallback_application_name) and
** client_encoding, in that order.
**
** Only AuthenticationOk is accepted (trust, peer). Any other
** authentication request, an ErrorResponse or NoticeResponse, anything
** unexpected, EOF or a failed connect() before ReadyForQuery: the socket
** is closed (the server logs nothing for a client that leaves during
** authentication) and libpq makes the connection instead, with its own
** error messages, .pgpass and all. libpq is loaded at that moment and
** the function table (engine_pg_dl.h) points to it for the rest of the
** process, so no in-process connection may be open then; status and log
** open one connection at a time.
**
** Once connected, the functions below behave as libpq 15's do for what
** the engine asks of them (each is wire_<libpq name>):
**   PQexec          simple query; several statements: the last result
**   PQexecParams    unnamed statement: Parse, Bind (text parameters),
**                   Describe, Execute, Sync; text results
**   results         PQresultStatus, PQntuples, PQnfields, PQgetvalue ("" for
**                   NULL), PQgetisnull, PQresultErrorField,
**                   PQresultErrorMessage, PQclear
**   errors          libpq's default-verbosity text: "ERROR:  message",
**                   the "LINE n: " excerpt with its caret (libpq's
**                   reportErrorPosition; every character one column wide,
**                   which is exact for the ASCII SQL the engine sends),
**                   DETAIL, HINT, QUERY, CONTEXT; a lost server gives
**                   "server closed the connection unexpectedly ...", and
**                   every later query "no connection to the server"
**   the rest        PQstatus, PQerrorMessage, PQfinish, PQserverVersion,
**                   PQparameterStatus, PQtransactionStatus,
**                   PQescapeLiteral, PQfreemem, PQsetNoticeProcessor
**                   (notices formatted as libpq formats them)
** The asynchronous, pipeline, COPY and cancel entries are never reached
** by status and log. Here they fail loudly: the connection turns bad with
** "internal error: <function> is not available ...".
**
** Memory, as with libpq: PQfinish frees a PGconn, PQclear a PGresult,
** PQfreemem an escaped literal.
*/
#define SQLITCH_PG_DL_IMPL /* the table's member names, not its macros */
#include <libpq-fe.h>

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine_pg_dl.h"
#include "engine_pg_wire.h"

/* libpq's compiled-in defaults, from the headers it was built with. */
#include <pg_config.h>        /* DEF_PGPORT */
#include <pg_config_manual.h> /* DEFAULT_PGSOCKET_DIR */

extern char **environ;

#define PROTOCOL_3_0 196608
#define CLOSED_TEXT                                                            \
  "server closed the connection unexpectedly\n"                                \
  "\tThis probably means the server terminated abnormally\n"                   \
  "\tbefore or while processing the request.\n"

struct pg_conn {
  int fd;
  ConnStatusType status;
  char txn;        /* ReadyForQuery's 'I', 'T' or 'E' */
  sqlitch_buf err; /* PQerrorMessage, cleared when a query starts */
  size_t reported; /* err up to here went into a result already */
  sqlitch_strv pnames, pvalues; /* ParameterStatus */
  int sversion;
  PQnoticeProcessor notice;
  void *notice_arg;
  int counted; /* in `live` */
  char *in;    /* received bytes; in[pos..len) not parsed yet */
  size_t pos, len, cap;
  sqlitch_buf out; /* messages not sent yet */
  size_t mark;     /* out: where the open message's length goes */
};

struct pg_result {
  ExecStatusType status;
  int nfields, ntuples, cap;
  long *off;        /* ntuples x nfields offsets into data; -1: NULL */
  sqlitch_buf data; /* the values: length (int32), bytes, NUL */
  char *field[128]; /* ErrorResponse fields by code */
  char *msg;        /* PQresultErrorMessage; NULL: "" */
};

static int allowed;     /* sqlitch_pg_wire_allow */
static int live;        /* open in-process connections */
static const char *why; /* the last route; NULL: not allowed */
static char why_buf[200], reason_buf[180];

/* A reason to leave a connection to libpq. */
static const char *because(const char *fmt, ...) SQLITCH_PRINTF(1, 2);
static const char *because(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason_buf, sizeof reason_buf, fmt, ap);
  va_end(ap);
  return reason_buf;
}

/* ============================================================ planning */

enum {
  K_HOST,
  K_PORT,
  K_DBNAME,
  K_USER,
  K_PASSWORD,
  K_ENCODING,
  K_APPNAME,
  K_FBAPPNAME,
  K_SSLMODE,
  N_KEYS
};

/* The keywords this client knows, and the variable libpq reads for each
   one left unset. */
static const struct {
  const char *key, *env;
} keys[N_KEYS] = {[K_HOST] = {"host", "PGHOST"},
                  [K_PORT] = {"port", "PGPORT"},
                  [K_DBNAME] = {"dbname", "PGDATABASE"},
                  [K_USER] = {"user", "PGUSER"},
                  [K_PASSWORD] = {"password", "PGPASSWORD"},
                  [K_ENCODING] = {"client_encoding", "PGCLIENTENCODING"},
                  [K_APPNAME] = {"application_name", "PGAPPNAME"},
                  [K_FBAPPNAME] = {"fallback_application_name", NULL},
                  [K_SSLMODE] = {"sslmode", NULL}};

typedef struct plan {
  char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
  const char *v[N_KEYS]; /* resolved values (user and dbname set) */
  char *copy;            /* the expanded conninfo, values point into it */
  char *sysuser;
} plan;

static int key_index(const char *k) {
  for (int i = 0; i < N_KEYS; i++)
    if (strcmp(keys[i].key, k) == 0) return i;
  return -1;
}

/* libpq's conninfo_parse, in place: "k = v" pairs, a value bare (ends at
   a blank; backslash escapes) or 'quoted' (backslash escapes). The last
   value of a keyword wins. NULL, or why not. */
static const char *parse_conninfo(char *p, const char **v) {
  while (*p) {
    if (isspace((unsigned char)*p)) {
      p++;
      continue;
    }
    char *name = p;
    while (*p && *p != '=' && !isspace((unsigned char)*p))
      p++;
    if (isspace((unsigned char)*p)) {
      *p++ = 0;
      while (isspace((unsigned char)*p))
        p++;
    }
    if (*p != '=') return "a conninfo libpq would reject";
    *p++ = 0;
    while (isspace((unsigned char)*p))
      p++;
    char *val = p, *d = p;
    if (*p != '\'') {
      while (*p && !isspace((unsigned char)*p)) {
        if (*p == '\\' && !*++p) break;
        *d++ = *p++;
      }
      if (*p) p++;
    } else {
      for (p++;; p++) {
        if (!*p) return "a conninfo libpq would reject";
        if (*p == '\\' && p[1])
          p++;
        else if (*p == '\'')
          break;
        *d++ = *p;
      }
      p++;
    }
    *d = 0;
    int k = key_index(name);
    if (!*name) return "a conninfo libpq would reject";
    if (k < 0) return because("connection parameter %s", name);
    v[k] = val;
  }
  return NULL;
}

/* libpq's recognized_connection_string. */
static int is_conninfo(const char *s) {
  return strchr(s, '=') || sqlitch_starts_with(s, "postgresql://") ||
         sqlitch_starts_with(s, "postgres://");
}

/* A variable named like libpq's (PG + capitals: PGSSLMODE, PGSERVICE,
   PGOPTIONS, PGTZ, ...; not PG_X) that is not a default of keys[]. */
static const char *foreign_env(void) {
  for (char **e = environ; *e; e++) {
    if (strncmp(*e, "PG", 2) != 0 || !isupper((unsigned char)(*e)[2])) continue;
    size_t n = strcspn(*e, "=");
    int ok = n == 10 && strncmp(*e, "PGPASSFILE", n) == 0;
    for (int k = 0; !ok && k < N_KEYS; k++)
      ok = keys[k].env && strlen(keys[k].env) == n &&
           strncmp(*e, keys[k].env, n) == 0;
    if (!ok) {
      char name[64];
      snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), *e);
      return because("%s is set", name);
    }
  }
  return NULL;
}

/* libpq's pg_char_to_encoding, for UTF8 only: case and punctuation do
   not count, UNICODE is an alias. */
static int is_utf8(const char *s) {
  char b[16];
  size_t n = 0;
  for (; *s && n < sizeof b - 1; s++)
    if (isalnum((unsigned char)*s)) b[n++] = (char)tolower((unsigned char)*s);
  b[n] = 0;
  return !*s && (strcmp(b, "utf8") == 0 || strcmp(b, "unicode") == 0);
}

static void plan_free(plan *p) {
  free(p->copy);
  free(p->sysuser);
}

/* Resolve the arguments as conninfo_array_parse, conninfo_add_defaults and
   connectOptions2 do. NULL when this client can make the connection. */
static const char *plan_conn(const char *const *k, const char *const *v,
                             int expand, plan *p) {
  memset(p, 0, sizeof *p);
  const char *no = foreign_env();
  if (no) return no;
  /* the first dbname holding a conninfo is expanded in its place */
  const char *ci = NULL;
  for (int i = 0; expand && k[i]; i++)
    if (strcmp(k[i], "dbname") == 0 && v[i]) {
      if (is_conninfo(v[i])) ci = v[i];
      break;
    }
  for (int i = 0; k[i]; i++) {
    if (!v[i] || !*v[i]) continue;
    int key = key_index(k[i]);
    if (key < 0) return because("connection parameter %s", k[i]);
    if (key != K_DBNAME || !ci) {
      p->v[key] = v[i];
      continue;
    }
    if (sqlitch_starts_with(ci, "postgresql://") ||
        sqlitch_starts_with(ci, "postgres://"))
      return "a connection URI";
    const char *got[N_KEYS] = {NULL};
    p->copy = sqlitch_strdup(ci);
    if ((no = parse_conninfo(p->copy, got))) return no;
    for (int j = 0; j < N_KEYS; j++)
      if (got[j]) p->v[j] = got[j];
    ci = NULL;
  }
  for (int j = 0; j < N_KEYS; j++)
    if (!p->v[j] && keys[j].env) p->v[j] = getenv(keys[j].env);
  for (int j = 0; j < N_KEYS; j++)
    if (p->v[j] && !*p->v[j] && j != K_PASSWORD)
      return because("an empty %s", keys[j].key);

  const char *host = p->v[K_HOST] ? p->v[K_HOST] : DEFAULT_PGSOCKET_DIR;
  if (host[0] != '/') return "not a unix socket";
  if (strchr(host, ',')) return "several hosts";
  long port = DEF_PGPORT;
  if (p->v[K_PORT]) {
    const char *s = p->v[K_PORT];
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 5 || s[n]) return because("port %s", s);
    port = strtol(s, NULL, 10);
    if (port < 1 || port > 65535) return because("port %s", s);
  }
  int n = snprintf(p->sock, sizeof p->sock, "%s/.s.PGSQL.%ld", host, port);
  if (n < 0 || (size_t)n >= sizeof p->sock) return "a socket path too long";
  if (!p->v[K_USER]) {
    struct passwd pw, *got = NULL;
    char buf[1024];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &got) || !got)
      return "no user name";
    p->v[K_USER] = p->sysuser = sqlitch_strdup(got->pw_name);
  }
  if (!p->v[K_DBNAME]) p->v[K_DBNAME] = p->v[K_USER];
  if (!p->v[K_ENCODING] || !is_utf8(p->v[K_ENCODING]))
    return "a client encoding other than UTF8";
  static const char *const sslmodes[] = {"disable", "allow", "prefer",
                                         "require", NULL};
  const char *m = p->v[K_SSLMODE];
  for (int j = 0; m && sslmodes[j]; j++)
    if (strcmp(m, sslmodes[j]) == 0) m = NULL;
  if (m) return because("sslmode=%s", m);
  return NULL;
}

/* The StartupMessage's parameters, in libpq's order (build_startup_packet). */
static int startup_params(const plan *p, const char *out[8]) {
  int n = 0;
  const char *app = p->v[K_APPNAME] ? p->v[K_APPNAME] : p->v[K_FBAPPNAME];
  out[n++] = "user";
  out[n++] = p->v[K_USER];
  out[n++] = "database";
  out[n++] = p->v[K_DBNAME];
  if (app) {
    out[n++] = "application_name";
    out[n++] = app;
  }
  out[n++] = "client_encoding";
  out[n++] = p->v[K_ENCODING];
  return n;
}

char *sqlitch_pg_wire_plan(const char *const *keys_, const char *const *values,
                           int expand_dbname, const char **why_not) {
  plan p;
  *why_not = plan_conn(keys_, values, expand_dbname, &p);
  char *s = NULL;
  if (!*why_not) {
    const char *kv[8];
    int n = startup_params(&p, kv);
    sqlitch_buf b = SQLITCH_BUF_INIT;
    sqlitch_buf_addf(&b, "socket=%s", p.sock);
    for (int i = 0; i < n; i += 2)
      sqlitch_buf_addf(&b, " %s=%s", kv[i], kv[i + 1]);
    s = sqlitch_buf_take(&b);
  }
  plan_free(&p);
  return s;
}

/* ================================================================ I/O */

static PGconn *conn_new(int fd) {
  PGconn *c = sqlitch_calloc(1, sizeof *c);
  c->fd = fd;
  c->status = CONNECTION_OK;
  c->txn = 'I';
  return c;
}

/* The connection is gone: libpq's pqDropConnection + CONNECTION_BAD. */
static void drop(PGconn *c, const char *text) {
  if (text) sqlitch_buf_add(&c->err, text);
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  c->status = CONNECTION_BAD;
}

static void put_n(PGconn *c, const void *p, size_t n) {
  sqlitch_buf_addn(&c->out, p, n);
}

static void put_int(PGconn *c, uint32_t v, int bytes) {
  unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                        (unsigned char)(v >> 8), (unsigned char)v};
  put_n(c, b + 4 - bytes, (size_t)bytes);
}

static void put_str(PGconn *c, const char *s) { put_n(c, s, strlen(s) + 1); }

/* A message: type (0: none, the StartupMessage), then its length,
   filled in by msg_end. */
static void msg_begin(PGconn *c, char type) {
  if (type) put_n(c, &type, 1);
  c->mark = c->out.len;
  put_int(c, 0, 4);
}

static void msg_end(PGconn *c) {
  uint32_t n = (uint32_t)(c->out.len - c->mark);
  unsigned char *p = (unsigned char *)c->out.p + c->mark;
  p[0] = (unsigned char)(n >> 24);
  p[1] = (unsigned char)(n >> 16);
  p[2] = (unsigned char)(n >> 8);
  p[3] = (unsigned char)n;
}

/* Send what is queued. A failed write is not reported: as with libpq,
   what the server said before it went away (or EOF) is read next. */
static void flush(PGconn *c) {
  size_t done = 0;
  while (c->fd >= 0 && done < c->out.len) {
    ssize_t n = send(c->fd, c->out.p + done, c->out.len - done, MSG_NOSIGNAL);
    if (n > 0)
      done += (size_t)n;
    else if (n < 0 && errno == EINTR)
      continue;
    else
      break;
  }
  sqlitch_buf_reset(&c->out);
}

/* Close (after a Terminate message if `terminate`) and free. */
static void conn_free(PGconn *c, int terminate) {
  if (terminate && c->fd >= 0) {
    msg_begin(c, 'X');
    msg_end(c);
    flush(c);
  }
  if (c->counted) live--;
  drop(c, NULL);
  sqlitch_buf_free(&c->err);
  sqlitch_strv_free(&c->pnames);
  sqlitch_strv_free(&c->pvalues);
  sqlitch_buf_free(&c->out);
  free(c->in);
  free(c);
}

/* Have `need` unparsed bytes, reading as needed. -1: connection lost. */
static int fill(PGconn *c, size_t need) {
  while (c->len - c->pos < need) {
    if (c->fd < 0) return -1;
    if (c->pos) {
      memmove(c->in, c->in + c->pos, c->len - c->pos);
      c->len -= c->pos;
      c->pos = 0;
    }
    if (c->cap - c->len < need || c->cap - c->len < 8192) {
      c->cap = c->cap * 2 > need + 8192 ? c->cap * 2 : need + 16384;
      c->in = sqlitch_realloc(c->in, c->cap);
    }
    ssize_t n = read(c->fd, c->in + c->len, c->cap - c->len);
    if (n > 0) {
      c->len += (size_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n == 0 || errno == ECONNRESET || errno == EPIPE) {
      drop(c, CLOSED_TEXT);
      return -1;
    } else {
      char m[256];
      snprintf(m, sizeof m, "could not receive data from server: %s\n",
               strerror(errno));
      drop(c, m);
      return -1;
    }
  }
  return 0;
}

typedef struct msg {
  char type;
  long len;            /* the length field */
  const char *p, *end; /* the body; p advances as it is read */
  int bad;             /* read past the end */
} msg;

/* libpq's handleSyncLoss. */
static int sync_lost(PGconn *c, char type, long len) {
  char m[128];
  snprintf(m, sizeof m,
           "lost synchronization with server: got message type \"%c\", "
           "length %ld\n",
           type, len);
  drop(c, m);
  return -1;
}

/* The next message (its body stays valid until the next call). */
static int next_msg(PGconn *c, msg *m) {
  if (fill(c, 5)) return -1;
  const unsigned char *h = (const unsigned char *)c->in + c->pos;
  uint32_t len =
      (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 8 | h[4];
  char type = (char)h[0];
  int long_ok = strchr("TDdVENA", type) != NULL;
  if (len < 4 || len > 0x3fffffff || (len > 30000 && !long_ok))
    return sync_lost(c, type, (long)(int32_t)len);
  if (fill(c, 1 + (size_t)len)) return -1;
  m->type = type;
  m->len = (long)len;
  m->p = c->in + c->pos + 5;
  m->end = c->in + c->pos + 1 + len;
  m->bad = 0;
  c->pos += 1 + (size_t)len;
  return 0;
}

static uint32_t get_int(msg *m, int bytes) {
  if (m->end - m->p < bytes) {
    m->bad = 1;
    return 0;
  }
  uint32_t v = 0;
  for (int i = 0; i < bytes; i++)
    v = v << 8 | (unsigned char)*m->p++;
  return v;
}

static const char *get_str(msg *m) {
  const char *s = m->p, *z = memchr(s, 0, (size_t)(m->end - s));
  if (!z) {
    m->bad = 1;
    return "";
  }
  m->p = z + 1;
  return s;
}

/* ============================================================ results */

static PGresult *res_new(ExecStatusType st) {
  PGresult *r = sqlitch_calloc(1, sizeof *r);
  r->status = st;
  return r;
}

static void wire_PQclear(PGresult *r) {
  if (!r) return;
  for (size_t i = 0; i < sizeof r->field / sizeof *r->field; i++)
    free(r->field[i]);
  free(r->off);
  sqlitch_buf_free(&r->data);
  free(r->msg);
  free(r);
}

/* RowDescription: only the number of fields matters here. */
static PGresult *row_description(msg *m) {
  PGresult *r = res_new(PGRES_TUPLES_OK);
  r->nfields = (int)(int16_t)get_int(m, 2);
  for (int i = 0; i < r->nfields && !m->bad; i++) {
    get_str(m);
    if (m->end - m->p < 18)
      m->bad = 1;
    else
      m->p += 18;
  }
  if (r->nfields < 0) m->bad = 1;
  return r;
}

static int data_row(PGresult *r, msg *m) {
  if ((int)(int16_t)get_int(m, 2) != r->nfields) return -1;
  if (r->ntuples == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 64;
    r->off = sqlitch_realloc(r->off, (size_t)r->cap *
                                         (size_t)(r->nfields ? r->nfields : 1) *
                                         sizeof *r->off);
  }
  long *off = r->off + (size_t)r->ntuples * (size_t)r->nfields;
  for (int i = 0; i < r->nfields; i++) {
    int32_t n = (int32_t)get_int(m, 4);
    if (m->bad || n < -1 || n > m->end - m->p) return -1;
    if (n < 0) {
      off[i] = -1;
      continue;
    }
    sqlitch_buf_addn(&r->data, (const char *)&n, sizeof n);
    off[i] = (long)r->data.len;
    sqlitch_buf_addn(&r->data, m->p, (size_t)n);
    sqlitch_buf_addc(&r->data, 0);
    m->p += n;
  }
  r->ntuples++;
  return 0;
}

/* libpq's reportErrorPosition: the line of `query` holding character
   `loc` (1-based), cut to 60 columns around it, and a caret under it.
   Characters are UTF-8 sequences one column wide (libpq measures
   East Asian wide and combining characters; the engine's SQL is ASCII). */
static void error_position(sqlitch_buf *b, const char *query, int loc) {
  enum { DISPLAY = 60, RIGHT_CUT = 10 };
  loc--;
  if (loc < 0) return;
  size_t qlen = strlen(query);
  int *qidx = sqlitch_malloc((qlen + 1) * sizeof *qidx);
  int cno, q = 0, line = 1, ibeg = 0, iend = -1;
  for (cno = 0; query[q]; cno++) {
    char ch = query[q];
    qidx[cno] = q;
    if (ch == '\r' || ch == '\n') {
      if (cno < loc) {
        if (ch == '\r' || cno == 0 || query[qidx[cno - 1]] != '\r') line++;
        ibeg = cno + 1;
      } else {
        iend = cno;
        break;
      }
    }
    unsigned char u = (unsigned char)ch;
    int n = u < 0x80             ? 1
            : (u & 0xe0) == 0xc0 ? 2
            : (u & 0xf0) == 0xe0 ? 3
            : (u & 0xf8) == 0xf0 ? 4
                                 : 1;
    for (int i = 1; i < n; i++)
      if (!query[q + i]) n = i;
    q += n;
  }
  if (iend < 0) {
    iend = cno;
    qidx[iend] = q;
  }
  if (loc <= cno) {
    /* column == character number here (scridx[] in libpq) */
    int beg_trunc = 0, end_trunc = 0;
    if (iend - ibeg > DISPLAY) {
      if (ibeg + DISPLAY >= loc + RIGHT_CUT) {
        iend = ibeg + DISPLAY;
        end_trunc = 1;
      } else {
        if (loc + RIGHT_CUT < iend) {
          iend = loc + RIGHT_CUT;
          end_trunc = 1;
        }
        if (iend - ibeg > DISPLAY) {
          ibeg = iend - DISPLAY;
          beg_trunc = 1;
        }
      }
    }
    size_t at = b->len;
    sqlitch_buf_addf(b, "LINE %d: %s", line, beg_trunc ? "..." : "");
    int col = (int)sqlitch_utf8_len(b->p + at);
    for (int i = qidx[ibeg]; i < qidx[iend]; i++)
      sqlitch_buf_addc(b, query[i] == '\t' ? ' ' : query[i]);
    sqlitch_buf_addf(b, "%s\n", end_trunc ? "..." : "");
    sqlitch_buf_pad(b, ' ', (size_t)(col + loc - ibeg));
    sqlitch_buf_add(b, "^\n");
  }
  free(qidx);
}

/* libpq's pqBuildErrorMessage3 at the default verbosity and context
   visibility: the text of an error (FATAL_ERROR) or notice. */
static void error_text(sqlitch_buf *b, const PGresult *r, const char *query) {
  const char *const *f = (const char *const *)r->field;
  int any = 0;
  for (size_t i = 0; i < sizeof r->field / sizeof *r->field; i++)
    any |= r->field[i] != NULL;
  if (!any) {
    sqlitch_buf_add(b, "no error message available\n");
    return;
  }
  const char *qtext = NULL;
  int qpos = 0;
  if (f['S']) sqlitch_buf_addf(b, "%s:  ", f['S']);
  if (f['M']) sqlitch_buf_add(b, f['M']);
  if (f['P']) {
    if (query) {
      qtext = query;
      qpos = atoi(f['P']);
    } else {
      sqlitch_buf_addf(b, " at character %s", f['P']);
    }
  } else if (f['p']) {
    if ((qtext = f['q']))
      qpos = atoi(f['p']);
    else
      sqlitch_buf_addf(b, " at character %s", f['p']);
  }
  sqlitch_buf_addc(b, '\n');
  if (qtext && qpos > 0) error_position(b, qtext, qpos);
  if (f['D']) sqlitch_buf_addf(b, "DETAIL:  %s\n", f['D']);
  if (f['H']) sqlitch_buf_addf(b, "HINT:  %s\n", f['H']);
  if (f['q']) sqlitch_buf_addf(b, "QUERY:  %s\n", f['q']);
  if (r->status == PGRES_FATAL_ERROR && f['W'])
    sqlitch_buf_addf(b, "CONTEXT:  %s\n", f['W']);
}

/* An ErrorResponse or NoticeResponse as a result with its text. */
static PGresult *notice_result(msg *m, ExecStatusType st, const char *query) {
  PGresult *r = res_new(st);
  for (;;) {
    unsigned char code = (unsigned char)get_int(m, 1);
    if (m->bad || code == 0) break;
    const char *v = get_str(m);
    if (code < sizeof r->field / sizeof *r->field) {
      free(r->field[code]);
      r->field[code] = sqlitch_strdup(v);
    }
  }
  sqlitch_buf b = SQLITCH_BUF_INIT;
  error_text(&b, r, query);
  r->msg = sqlitch_buf_take(&b);
  return r;
}

static void default_notice(void *arg, const char *text) {
  fputs(text, stderr); /* libpq's defaultNoticeProcessor */
}

/* ParameterStatus; server_version as libpq reads it. */
static void parameter_status(PGconn *c, msg *m) {
  const char *name = get_str(m), *value = get_str(m);
  if (m->bad) return;
  size_t i = 0;
  while (i < c->pnames.n && strcmp(c->pnames.v[i], name) != 0)
    i++;
  if (i < c->pnames.n) {
    free(c->pvalues.v[i]);
    c->pvalues.v[i] = sqlitch_strdup(value);
  } else {
    sqlitch_strv_push(&c->pnames, name);
    sqlitch_strv_push(&c->pvalues, value);
  }
  if (strcmp(name, "server_version") == 0) {
    int a, b, r, n = sscanf(value, "%d.%d.%d", &a, &b, &r);
    c->sversion = n == 3   ? (100 * a + b) * 100 + r
                  : n == 2 ? (a >= 10 ? 100 * 100 * a + b : (100 * a + b) * 100)
                  : n == 1 ? 100 * 100 * a
                           : 0;
  }
}

/* The result for a lost connection: the error text not reported yet. */
static PGresult *lost_result(PGconn *c) {
  PGresult *r = res_new(PGRES_FATAL_ERROR);
  r->msg =
      sqlitch_strdup(c->reported <= c->err.len ? c->err.p + c->reported : "");
  c->reported = c->err.len;
  return r;
}

/* Read a query's messages up to ReadyForQuery; the last result, as
   libpq's PQexecFinish keeps it. */
static PGresult *finish(PGconn *c, const char *query) {
  flush(c);
  PGresult *last = NULL, *cur = NULL, *done = NULL;
  msg m;
  while (next_msg(c, &m) == 0) {
    switch (m.type) {
    case 'T': /* RowDescription */
      wire_PQclear(cur);
      cur = row_description(&m);
      break;
    case 'D': /* DataRow */
      if (!cur || cur->status != PGRES_TUPLES_OK || data_row(cur, &m))
        m.bad = 1;
      break;
    case 'C': /* CommandComplete */
      done = cur ? cur : res_new(PGRES_COMMAND_OK);
      cur = NULL;
      break;
    case 'I': /* EmptyQueryResponse */ done = res_new(PGRES_EMPTY_QUERY); break;
    case 'E': /* ErrorResponse: partial rows are dropped */
      wire_PQclear(cur);
      cur = NULL;
      done = notice_result(&m, PGRES_FATAL_ERROR, query);
      sqlitch_buf_add(&c->err, done->msg);
      c->reported = c->err.len;
      break;
    case 'N': { /* NoticeResponse */
      PGresult *n = notice_result(&m, PGRES_NONFATAL_ERROR, query);
      if (!m.bad) c->notice(c->notice_arg, n->msg);
      wire_PQclear(n);
      break;
    }
    case 'S': /* ParameterStatus */ parameter_status(c, &m); break;
    case 'Z': /* ReadyForQuery */
      c->txn = m.p < m.end ? *m.p : 'I';
      wire_PQclear(cur);
      return last;
    case '1': /* ParseComplete */
    case '2': /* BindComplete */
    case '3': /* CloseComplete */
    case 'n': /* NoData */
    case 't': /* ParameterDescription */
    case 'A': /* NotificationResponse: nobody listens */
    case 'K': /* BackendKeyData */ break;
    default: m.bad = 1;
    }
    if (done) {
      wire_PQclear(last);
      last = done;
      done = NULL;
    }
    if (m.bad) {
      sync_lost(c, m.type, m.len);
      break;
    }
  }
  wire_PQclear(cur);
  wire_PQclear(last);
  return lost_result(c);
}

/* ========================================================= connecting */

/* Startup over the plan's socket; NULL (with why) when libpq must do it. */
static PGconn *wire_connect(const plan *p, const char **why_not) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  memcpy(sa.sun_path, p->sock, sizeof sa.sun_path);
  if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    *why_not = because("connect %s: %s", p->sock, strerror(errno));
    if (fd >= 0) close(fd);
    return NULL;
  }
  PGconn *c = conn_new(fd);
  const char *kv[8];
  int n = startup_params(p, kv);
  msg_begin(c, 0);
  put_int(c, PROTOCOL_3_0, 4);
  for (int i = 0; i < n; i++)
    put_str(c, kv[i]);
  put_n(c, "", 1);
  msg_end(c);
  flush(c);
  int authed = 0;
  msg m;
  *why_not = "the server closed the connection";
  while (next_msg(c, &m) == 0) {
    if (m.type == 'R' && !authed && get_int(&m, 4) == 0 && !m.bad) {
      authed = 1;
    } else if (m.type == 'R') {
      *why_not = "the server asks for authentication";
      break;
    } else if (m.type == 'S' && authed) {
      parameter_status(c, &m);
      if (m.bad) break;
    } else if (m.type == 'K' && authed) {
      continue;
    } else if (m.type == 'Z' && authed) {
      c->txn = m.p < m.end ? *m.p : 'I';
      c->notice = default_notice;
      c->reported = 0;
      sqlitch_buf_reset(&c->err);
      c->counted = 1;
      live++;
      return c;
    } else {
      *why_not = m.type == 'E' ? "the server refused the connection"
                               : because("message '%c' at startup", m.type);
      break;
    }
  }
  conn_free(c, authed);
  return NULL;
}

/* A connection that failed before it started, with libpq's text. */
static PGconn *bad_conn(const char *text) {
  PGconn *c = conn_new(-1);
  drop(c, text);
  c->notice = default_notice;
  return c;
}

/* libpq makes the connection, and every later call goes to libpq. */
static PGconn *via_libpq(const char *const *k, const char *const *v,
                         int expand) {
  if (live)
    return bad_conn("internal error: libpq cannot be loaded while an "
                    "in-process connection is open (engine_pg_wire.c)\n");
  sqlitch_err err = SQLITCH_ERR_INIT;
  if (sqlitch_pg_load(&err)) {
    char *m = sqlitch_mprintf("%s\n", err.msg);
    PGconn *c = bad_conn(m);
    free(m);
    sqlitch_err_clear(&err);
    return c;
  }
  return sqlitch_pg.PQconnectdbParams(k, v, expand);
}

static PGconn *wire_PQconnectdbParams(const char *const *k,
                                      const char *const *v, int expand) {
  plan p;
  const char *no = plan_conn(k, v, expand, &p);
  PGconn *c = no ? NULL : wire_connect(&p, &no);
  plan_free(&p);
  if (c) {
    why = "in process";
    return c;
  }
  snprintf(why_buf, sizeof why_buf, "through libpq: %s", no);
  why = why_buf;
  return via_libpq(k, v, expand);
}

/* ============================================================ queries */

/* libpq's PQexecStart + PQsendQueryStart: 0 when nothing can be sent. */
static int start(PGconn *c, const char *query) {
  if (!c) return 0;
  sqlitch_buf_reset(&c->err);
  c->reported = 0;
  if (c->status != CONNECTION_OK) {
    sqlitch_buf_add(&c->err, "no connection to the server\n");
    return 0;
  }
  if (!query) {
    sqlitch_buf_add(&c->err, "command string is a null pointer\n");
    return 0;
  }
  return 1;
}

static void unsupported(PGconn *c, const char *fn) {
  if (!c) return;
  char m[160];
  snprintf(m, sizeof m,
           "internal error: %s is not available on sqlitch's in-process "
           "connection (engine_pg_wire.c)\n",
           fn);
  drop(c, m);
}

static PGresult *wire_PQexec(PGconn *c, const char *query) {
  if (!start(c, query)) return NULL;
  msg_begin(c, 'Q');
  put_str(c, query);
  msg_end(c);
  return finish(c, query);
}

static PGresult *wire_PQexecParams(PGconn *c, const char *command, int n,
                                   const Oid *types, const char *const *values,
                                   const int *lengths, const int *formats,
                                   int result_format) {
  /* text parameters: libpq ignores `lengths` too */
  if (!start(c, command)) return NULL;
  if (types || formats || result_format) {
    unsupported(c, "PQexecParams with types or binary formats");
    return NULL;
  }
  if (n < 0 || n > 65535) {
    sqlitch_buf_add(&c->err,
                    "number of parameters must be between 0 and 65535\n");
    return NULL;
  }
  msg_begin(c, 'P'); /* Parse: the unnamed statement, no types given */
  put_str(c, "");
  put_str(c, command);
  put_int(c, 0, 2);
  msg_end(c);
  msg_begin(c, 'B'); /* Bind: text parameters, one text result format */
  put_str(c, "");
  put_str(c, "");
  put_int(c, 0, 2);
  put_int(c, (uint32_t)n, 2);
  for (int i = 0; i < n; i++) {
    if (values && values[i]) {
      size_t len = strlen(values[i]);
      put_int(c, (uint32_t)len, 4);
      put_n(c, values[i], len);
    } else {
      put_int(c, 0xffffffffu, 4);
    }
  }
  put_int(c, 1, 2);
  put_int(c, 0, 2);
  msg_end(c);
  msg_begin(c, 'D'); /* Describe the portal */
  put_n(c, "P", 1);
  put_str(c, "");
  msg_end(c);
  msg_begin(c, 'E'); /* Execute, all rows */
  put_str(c, "");
  put_int(c, 0, 4);
  msg_end(c);
  msg_begin(c, 'S'); /* Sync */
  msg_end(c);
  return finish(c, command);
}

/* ========================================================== accessors */

static ConnStatusType wire_PQstatus(const PGconn *c) {
  return c ? c->status : CONNECTION_BAD;
}

static char *wire_PQerrorMessage(const PGconn *c) {
  if (!c) return (char *)"connection pointer is NULL\n";
  return (char *)(c->err.p ? c->err.p : "");
}

static void wire_PQfinish(PGconn *c) {
  if (c) conn_free(c, c->status == CONNECTION_OK);
}

static int wire_PQserverVersion(const PGconn *c) {
  return c && c->status != CONNECTION_BAD ? c->sversion : 0;
}

static const char *wire_PQparameterStatus(const PGconn *c, const char *name) {
  for (size_t i = 0; c && name && i < c->pnames.n; i++)
    if (strcmp(c->pnames.v[i], name) == 0) return c->pvalues.v[i];
  return NULL;
}

static PGTransactionStatusType wire_PQtransactionStatus(const PGconn *c) {
  if (!c || c->status != CONNECTION_OK) return PQTRANS_UNKNOWN;
  return c->txn == 'T'   ? PQTRANS_INTRANS
         : c->txn == 'E' ? PQTRANS_INERROR
                         : PQTRANS_IDLE;
}

static PQnoticeProcessor
wire_PQsetNoticeProcessor(PGconn *c, PQnoticeProcessor proc, void *arg) {
  if (!c) return NULL;
  PQnoticeProcessor old = c->notice;
  if (proc) {
    c->notice = proc;
    c->notice_arg = arg;
  }
  return old;
}

/* libpq's PQescapeInternal for a literal, client encoding UTF8. */
static char *wire_PQescapeLiteral(PGconn *c, const char *str, size_t len) {
  if (!c) return NULL;
  sqlitch_buf_reset(&c->err);
  c->reported = 0;
  size_t quotes = 0, backslashes = 0, i = 0;
  for (; i < len && str[i]; i++) {
    unsigned char u = (unsigned char)str[i];
    if (u == '\'')
      quotes++;
    else if (u == '\\')
      backslashes++;
    else if (u >= 0x80) {
      size_t n = (u & 0xe0) == 0xc0   ? 2
                 : (u & 0xf0) == 0xe0 ? 3
                 : (u & 0xf8) == 0xf0 ? 4
                                      : 1;
      if (i + n > len || memchr(str + i, 0, n)) {
        sqlitch_buf_add(&c->err, "incomplete multibyte character\n");
        return NULL;
      }
      i += n - 1;
    }
  }
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_grow(&b, i + quotes + backslashes + 5);
  if (backslashes) sqlitch_buf_add(&b, " E");
  sqlitch_buf_addc(&b, '\'');
  for (size_t j = 0; j < i; j++) {
    if (str[j] == '\'' || str[j] == '\\') sqlitch_buf_addc(&b, str[j]);
    sqlitch_buf_addc(&b, str[j]);
  }
  sqlitch_buf_addc(&b, '\'');
  return sqlitch_buf_take(&b);
}

static void wire_PQfreemem(void *p) { free(p); }

static ExecStatusType wire_PQresultStatus(const PGresult *r) {
  return r ? r->status : PGRES_FATAL_ERROR;
}

static int wire_PQntuples(const PGresult *r) { return r ? r->ntuples : 0; }

static int wire_PQnfields(const PGresult *r) { return r ? r->nfields : 0; }

static long cell(const PGresult *r, int row, int col) {
  if (!r || row < 0 || row >= r->ntuples || col < 0 || col >= r->nfields)
    return -2;
  return r->off[(size_t)row * (size_t)r->nfields + (size_t)col];
}

static char *wire_PQgetvalue(const PGresult *r, int row, int col) {
  long o = cell(r, row, col);
  return o == -2 ? NULL : o < 0 ? (char *)"" : r->data.p + o;
}

static int wire_PQgetisnull(const PGresult *r, int row, int col) {
  return cell(r, row, col) < 0;
}

static int wire_PQgetlength(const PGresult *r, int row, int col) {
  long o = cell(r, row, col);
  int32_t n = 0;
  if (o >= 0) memcpy(&n, r->data.p + o - sizeof n, sizeof n);
  return n;
}

static char *wire_PQresultErrorMessage(const PGresult *r) {
  return (char *)(r && r->msg ? r->msg : "");
}

static char *wire_PQresultErrorField(const PGresult *r, int code) {
  if (!r || code <= 0 || code >= (int)(sizeof r->field / sizeof *r->field))
    return NULL;
  return r->field[code];
}

/* ======================================= never reached by status, log */

/* These fail loudly: the connection turns bad, its error says why. */
#define NEVER(ret, name, fails, ...)                                           \
  static ret wire_##name(__VA_ARGS__) {                                        \
    unsupported((PGconn *)c, #name);                                           \
    return fails;                                                              \
  }
NEVER(int, PQsendQuery, 0, PGconn *c, const char *q)
NEVER(int, PQsendQueryParams, 0, PGconn *c, const char *q, int n, const Oid *t,
      const char *const *v, const int *l, const int *f, int r)
NEVER(PGresult *, PQgetResult, NULL, PGconn *c)
NEVER(int, PQconsumeInput, 0, PGconn *c)
NEVER(int, PQisBusy, 0, PGconn *c)
NEVER(PGnotify *, PQnotifies, NULL, PGconn *c)
NEVER(int, PQsocket, -1, const PGconn *c)
NEVER(int, PQenterPipelineMode, 0, PGconn *c)
NEVER(int, PQexitPipelineMode, 0, PGconn *c)
NEVER(int, PQpipelineSync, 0, PGconn *c)
NEVER(PGpipelineStatus, PQpipelineStatus, PQ_PIPELINE_OFF, const PGconn *c)
NEVER(int, PQgetCopyData, -2, PGconn *c, char **buf, int async)
NEVER(int, PQputCopyEnd, -1, PGconn *c, const char *msg)
NEVER(PGcancel *, PQgetCancel, NULL, PGconn *c)

/* No cancel object is ever handed out, so these see only NULL, and
   answer as libpq does. */
static int wire_PQcancel(PGcancel *k, char *errbuf, int size) {
  if (errbuf && size > 0)
    snprintf(errbuf, (size_t)size, "PQcancel() -- no cancel object supplied");
  return 0;
}

static void wire_PQfreeCancel(PGcancel *k) {}

/* ============================================================== table */

/* Every entry of the engine's table, by name: a libpq function the
   engine starts using needs its wire_ twin here, or this fails to
   compile. */
static const sqlitch_pg_api wire_api = {
#define WIRE_SLOT(name) .name = wire_##name,
    SQLITCH_PG_API(WIRE_SLOT)
#undef WIRE_SLOT
};

void sqlitch_pg_wire_allow(int on) { allowed = on; }

const char *sqlitch_pg_wire_route(void) { return why; }

int sqlitch_pg_wire_load(sqlitch_err *err) {
  const char *off = getenv("SQLITCH_PG_WIRE");
  if (sqlitch_pg.PQconnectdbParams == wire_api.PQconnectdbParams)
    return SQLITCH_OK;
  why = NULL;
  if (allowed && off && strcmp(off, "0") == 0)
    why = "through libpq: SQLITCH_PG_WIRE=0";
  else if (allowed && sqlitch_pg.PQconnectdbParams)
    why = "through libpq: libpq is loaded already";
  if (!allowed || why) return sqlitch_pg_load(err);
  sqlitch_pg = wire_api;
  return SQLITCH_OK;
}

PGconn *sqlitch_pg_wire_adopt(int fd) {
  PGconn *c = conn_new(fd);
  c->notice = default_notice;
  c->counted = 1;
  live++;
  return c;
}
