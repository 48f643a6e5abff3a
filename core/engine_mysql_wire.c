/*
** engine_mysql_wire.c -- the in-process MySQL/MariaDB client
** (engine_mysql_wire.h): the part of libmariadb 3.3 that `sqlitch status`
** and `sqlitch log` use, spoken directly over TCP or a unix socket
** (client/server protocol 10, text protocol), so that those two commands
** do not pay for loading libmariadb.
**
** Used only when the CLI allowed it (status, log), SQLITCH_MYSQL_WIRE is
** not "0" and the connection qualifies. What qualifies is decided in
** mysql_real_connect before any socket is opened (plan_conn), from what
** the engine set and the environment, read as libmariadb reads them:
**  - no option but MYSQL_SET_CHARSET_NAME "utf8" (none of the URI's
**    mysql_* options: TLS, compression, timeouts, init command, option
**    files, local infile), no mysql_ssl_set;
**  - the client flags the registry connection passes (CLIENT_FOUND_ROWS |
**    CLIENT_MULTI_STATEMENTS), a user;
**  - no host or "localhost": the unix socket given, else $MYSQL_UNIX_PORT
**    or $MARIADB_UNIX_PORT, else MARIADB_UNIX_ADDR; any other host: TCP
**    to each address getaddrinfo gives, in order, on the port given, else
**    getservbyname("mysql", "tcp"), else 3306, $MYSQL_TCP_PORT winning;
**  - no MYSQL_*, MARIADB_* or LIBMYSQL_* variable but those, MYSQL_HOST
**    and MYSQL_PWD (read by the engine), MYSQL_HOME and MARIADB_HOME
**    (option files only).
** The server must greet with protocol 10 as MariaDB does (no
** CLIENT_MYSQL; 4.1 protocol, plugin auth, connection attributes, and
** MariaDB's progress, bulk, extended and cached metadata capabilities)
** and ask for mysql_native_password. The HandshakeResponse41 is
** libmariadb's, byte for byte: its capability flags, a 1 MiB packet size,
** charset 33 (utf8mb3_general_ci), user, SHA-1 scramble, database, plugin
** name and the attributes _os, _client_name, _pid, _client_version,
** _platform and _server_host (TCP only), in libmariadb's order.
**
** Only an OK packet is accepted after it. An ERR packet (wrong password,
** unknown database), an AuthSwitchRequest, anything unexpected, EOF or a
** failed connect() before the session is ready: the socket is closed and
** libmariadb makes the connection instead, with its own messages.
** libmariadb is loaded at that moment and the function table
** (engine_mysql_dl.h) points to it for the rest of the process, so no
** in-process connection may be open then; status and log open one
** connection at a time. The MYSQL the engine holds is initialised by
** libmariadb in place (mysql_init(mysql)); mysql_close frees it.
**
** Once connected, the functions below behave as libmariadb's do for what
** the engine asks of them (each is wire_<libmariadb name>):
**   mysql_query, mysql_real_query   COM_QUERY; the first result's header
**   mysql_store_result              every row (NULL: a NULL pointer)
**   mysql_next_result               -1 none, 0 next read, 1 error
**   results                         mysql_fetch_row, mysql_fetch_lengths,
**                                   mysql_num_rows, mysql_num_fields,
**                                   mysql_field_count, mysql_free_result
**   errors                          mysql_errno, mysql_error,
**                                   mysql_sqlstate: the server's ERR
**                                   packet; a connection lost during a
**                                   query gives 2013 "Lost connection to
**                                   server during query", every later
**                                   query 2006 "Server has gone away"
**   the rest                        mysql_init, mysql_optionsv,
**                                   mysql_real_connect, mysql_close,
**                                   mysql_real_escape_string (as the
**                                   server's NO_BACKSLASH_ESCAPES says),
**                                   mysql_get_server_info (without
**                                   MariaDB's "5.5.5-"),
**                                   mysql_get_server_version
** The other entries (script connections: mysql_use_result,
** mysql_select_db, mysql_reset_connection, ...) are never reached by
** status and log. Here they fail loudly: errno 2000 with "internal error:
** <function> is not available ...".
**
** Memory, as with libmariadb: mysql_close frees a MYSQL,
** mysql_free_result a MYSQL_RES and its rows.
*/
#define SQLITCH_MYSQL_DL_IMPL /* the table's member names, not its macros */
#include <mysql.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "engine_mysql_dl.h"
#include "engine_mysql_wire.h"

extern char **environ;

/* libmariadb's client error numbers and texts (errmsg.h, errmsg.c). */
#define CR_UNKNOWN 2000
#define CR_GONE 2006
#define CR_LOST 2013
#define CR_MALFORMED 2027
#define GONE_TEXT "Server has gone away"
#define LOST_TEXT "Lost connection to server during query"
#define MALFORMED_TEXT "Received malformed packet"

/* What the greeting must offer, and what libmariadb 3.3 then sends for
   the registry connection (CLIENT_CAPABILITIES, the engine's flags,
   CLIENT_LOCAL_FILES from mysql_init, CLIENT_CONNECT_WITH_DB). */
#define NEED_CAPS                                                              \
  (CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH |        \
   CLIENT_CONNECT_ATTRS)
#define NEED_EXT 0x1dU /* progress, bulk, extended and cached metadata */
#define ENGINE_FLAGS (CLIENT_FOUND_ROWS | CLIENT_MULTI_STATEMENTS)
#define SEND_CAPS                                                              \
  ((CLIENT_CAPABILITIES & ~(unsigned long)CLIENT_MYSQL) | ENGINE_FLAGS |       \
   CLIENT_LOCAL_FILES)
#define MAX_PACKET 0x100000U
#define UTF8_GENERAL_CI 33
#define NATIVE "mysql_native_password"

/* An option the engine set, kept to be replayed on libmariadb. */
typedef struct opt {
  enum mysql_option o;
  int kind; /* 0 none, 1 string, 2 unsigned, 3 my_bool, 4 two strings */
  char *s, *s2;
  unsigned u;
} opt;

typedef struct conn {
  MYSQL my; /* first: libmariadb initialises it in place on fallback */
  int fd;   /* -1: no connection */
  opt opts[16];
  int nopts, foreign; /* foreign: an option that is not utf8 */
  char *ssl[5];
  int ssl_set;
  unsigned err_no;
  char sqlstate[6];
  char error[512];
  char *version;     /* mysql_get_server_info */
  uint32_t caps;     /* server capabilities (low 32 bits) */
  unsigned status;   /* server status of the last OK or EOF */
  unsigned fields;   /* columns of the current result; 0: OK packet */
  int pending;       /* rows of the current result not read yet */
  int counted;       /* in `live` */
  unsigned char *in; /* received bytes; in[pos..len) not parsed yet */
  size_t pos, len, cap;
  sqlitch_buf pkt; /* the packet being read (payload) */
} conn;

typedef struct res {
  unsigned fields;
  size_t nrows, cap, cur;
  char ***rows; /* each row: fields pointers, then fields lengths, data */
  unsigned long *lengths;
} res;

static int allowed;     /* sqlitch_mysql_wire_allow */
static int live;        /* open in-process connections */
static const char *why; /* the last route; NULL: not allowed */
static char why_buf[200], reason_buf[180];
static conn *adopted[8]; /* MYSQLs libmariadb took over (freed on close) */
static __typeof__(mysql_close) *real_close;

static const char *because(const char *fmt, ...) SQLITCH_PRINTF(1, 2);
static const char *because(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason_buf, sizeof reason_buf, fmt, ap);
  va_end(ap);
  return reason_buf;
}

static conn *C(MYSQL *m) { return (conn *)m; }

static void set_error(conn *c, unsigned no, const char *state,
                      const char *text) {
  c->err_no = no;
  snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state);
  snprintf(c->error, sizeof c->error, "%s", text);
}

static void clear_error(conn *c) { set_error(c, 0, "00000", ""); }

/* The connection is gone: close the socket, keep the error. */
static void drop(conn *c, unsigned no, const char *text) {
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  c->pending = 0;
  if (no) set_error(c, no, "HY000", text);
}

/* ============================================================= packets */

static int fill(conn *c, size_t need) {
  while (c->len - c->pos < need) {
    if (c->pos) {
      memmove(c->in, c->in + c->pos, c->len - c->pos);
      c->len -= c->pos;
      c->pos = 0;
    }
    if (c->cap - c->len < 16384) {
      c->cap = c->cap * 2 + 16384;
      c->in = sqlitch_realloc(c->in, c->cap);
    }
    ssize_t n = read(c->fd, c->in + c->len, c->cap - c->len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    c->len += (size_t)n;
  }
  return 0;
}

/* The next packet's payload into c->pkt (joined when split at 16 MB);
   -1 when the connection ended. */
static int read_packet(conn *c) {
  sqlitch_buf_reset(&c->pkt);
  for (;;) {
    if (c->fd < 0 || fill(c, 4)) return -1;
    const unsigned char *h = c->in + c->pos;
    size_t n = (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16;
    if (fill(c, 4 + n)) return -1;
    sqlitch_buf_addn(&c->pkt, (const char *)c->in + c->pos + 4, n);
    c->pos += 4 + n;
    if (n < 0xffffff) return 0;
  }
}

static int write_all(conn *c, const sqlitch_buf *b) {
  size_t off = 0;
  while (off < b->len) {
    ssize_t n = send(c->fd, b->p + off, b->len - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    off += (size_t)n;
  }
  return 0;
}

/* One packet with sequence number seq (payloads under 16 MB only). */
static int send_packet(conn *c, int seq, const char *p, size_t n) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  char h[4] = {(char)(n & 0xff), (char)(n >> 8 & 0xff), (char)(n >> 16 & 0xff),
               (char)seq};
  sqlitch_buf_addn(&b, h, 4);
  sqlitch_buf_addn(&b, p, n);
  int rc = n >= 0xffffff ? -1 : write_all(c, &b);
  sqlitch_buf_free(&b);
  return rc;
}

/* A reader over one payload; bad is set when it runs past the end. */
typedef struct rd {
  const unsigned char *p, *end;
  int bad;
} rd;

static rd reader(const sqlitch_buf *b) {
  rd r = {(const unsigned char *)b->p, (const unsigned char *)b->p + b->len, 0};
  if (!b->p) r.p = r.end = (const unsigned char *)"";
  return r;
}

static uint64_t get_int(rd *r, int bytes) {
  uint64_t v = 0;
  if (r->end - r->p < bytes) {
    r->bad = 1;
    r->p = r->end;
    return 0;
  }
  for (int i = 0; i < bytes; i++)
    v |= (uint64_t)r->p[i] << (8 * i);
  r->p += bytes;
  return v;
}

/* A length-encoded integer; *null set for 0xfb (a NULL column). */
static uint64_t get_lenenc(rd *r, int *null) {
  if (null) *null = 0;
  unsigned first = (unsigned)get_int(r, 1);
  if (first < 0xfb) return first;
  if (first == 0xfb) {
    if (null) *null = 1;
    return 0;
  }
  if (first == 0xfc) return get_int(r, 2);
  if (first == 0xfd) return get_int(r, 3);
  if (first == 0xfe) return get_int(r, 8);
  r->bad = 1;
  return 0;
}

/* A NUL-terminated string (NULL when there is no NUL). */
static const char *get_str(rd *r) {
  const unsigned char *z = memchr(r->p, 0, (size_t)(r->end - r->p));
  if (!z) {
    r->bad = 1;
    r->p = r->end;
    return NULL;
  }
  const char *s = (const char *)r->p;
  r->p = z + 1;
  return s;
}

/* bytes little-endian bytes of v (zeros past its eighth). */
static void put_int(sqlitch_buf *b, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++)
    sqlitch_buf_addc(b, i < 8 ? (char)(v >> (8 * i) & 0xff) : 0);
}

static void put_lenenc_str(sqlitch_buf *b, const char *s, size_t n) {
  if (n < 0xfb) {
    put_int(b, n, 1);
  } else {
    put_int(b, 0xfc, 1);
    put_int(b, n, 2);
  }
  sqlitch_buf_addn(b, s, n);
}

static int is_eof(const sqlitch_buf *b) {
  return b->len > 0 && b->len < 9 && (unsigned char)b->p[0] == 0xfe;
}

/* OK packet: affected rows, insert id, status, warnings (the rest, info
   and session state, is not used). */
static void ok_packet(conn *c) {
  rd r = reader(&c->pkt);
  get_int(&r, 1);
  get_lenenc(&r, NULL);
  get_lenenc(&r, NULL);
  unsigned st = (unsigned)get_int(&r, 2);
  if (!r.bad) c->status = st;
}

/* ERR packet into the connection's error. */
static void err_packet(conn *c) {
  rd r = reader(&c->pkt);
  get_int(&r, 1);
  unsigned no = (unsigned)get_int(&r, 2);
  char state[6] = "HY000";
  if (r.end - r.p >= 6 && *r.p == '#') {
    memcpy(state, r.p + 1, 5);
    r.p += 6;
  }
  char text[512];
  size_t n = (size_t)(r.end - r.p);
  if (n >= sizeof text) n = sizeof text - 1;
  memcpy(text, r.p, n);
  text[n] = 0;
  set_error(c, no, state, text);
}

static void lost(conn *c) { drop(c, CR_LOST, LOST_TEXT); }

static void malformed(conn *c) { drop(c, CR_MALFORMED, MALFORMED_TEXT); }

/* ============================================================ results */

/* The header of the next result: OK (fields = 0), ERR, or a column count
   followed by the column definitions and their EOF. 0, or 1 on error. */
static int read_result_header(conn *c) {
  c->fields = 0;
  c->pending = 0;
  if (read_packet(c)) return lost(c), 1;
  unsigned first = c->pkt.len ? (unsigned char)c->pkt.p[0] : 0x100;
  if (first == 0x00) {
    ok_packet(c);
    return 0;
  }
  if (first == 0xff) {
    err_packet(c);
    c->status &= ~(unsigned)SERVER_MORE_RESULTS_EXIST;
    return 1;
  }
  rd r = reader(&c->pkt);
  uint64_t n = get_lenenc(&r, NULL);
  unsigned follows = (unsigned)get_int(&r, 1); /* CACHE_METADATA's byte */
  if (r.bad || first == 0xfb || n == 0 || n > 4096 || follows != 1)
    return malformed(c), 1;
  for (uint64_t i = 0; i < n; i++)
    if (read_packet(c)) return lost(c), 1;
  if (read_packet(c)) return lost(c), 1;
  if (!is_eof(&c->pkt)) return malformed(c), 1;
  c->fields = (unsigned)n;
  c->pending = 1;
  return 0;
}

static int send_query(conn *c, const char *q, unsigned long n) {
  clear_error(c);
  if (c->fd < 0) {
    set_error(c, CR_GONE, "HY000", GONE_TEXT);
    return 1;
  }
  if (c->pending) {
    set_error(c, 2014, "HY000",
              "Commands out of sync; you can't run this command now");
    return 1;
  }
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addc(&b, COM_QUERY);
  sqlitch_buf_addn(&b, q, n);
  int rc = send_packet(c, 0, b.p, b.len);
  sqlitch_buf_free(&b);
  if (rc) {
    drop(c, CR_GONE, GONE_TEXT);
    return 1;
  }
  return read_result_header(c);
}

static int wire_mysql_real_query(MYSQL *m, const char *q, unsigned long n) {
  return send_query(C(m), q, n);
}

static int wire_mysql_query(MYSQL *m, const char *q) {
  return send_query(C(m), q, (unsigned long)strlen(q));
}

static void wire_mysql_free_result(MYSQL_RES *mr) {
  res *r = (res *)mr;
  if (!r) return;
  for (size_t i = 0; i < r->nrows; i++)
    free(r->rows[i]);
  free(r->rows);
  free(r);
}

/* One text row: lenenc strings, 0xfb for NULL; stored as the pointers,
   the lengths and the NUL-terminated values in one block. */
static char **text_row(conn *c, unsigned nf) {
  size_t head = nf * (sizeof(char *) + sizeof(unsigned long));
  char **row = sqlitch_malloc(head + c->pkt.len + nf);
  unsigned long *lens = (unsigned long *)(row + nf);
  char *data = (char *)row + head;
  rd r = reader(&c->pkt);
  for (unsigned i = 0; i < nf; i++) {
    int null;
    uint64_t n = get_lenenc(&r, &null);
    if (r.bad || n > (uint64_t)(r.end - r.p)) {
      free(row);
      return NULL;
    }
    lens[i] = (unsigned long)n;
    row[i] = null ? NULL : data;
    if (!null) {
      memcpy(data, r.p, n);
      data[n] = 0;
      data += n + 1;
      r.p += n;
    }
  }
  if (r.p != r.end) {
    free(row);
    return NULL;
  }
  return row;
}

static MYSQL_RES *wire_mysql_store_result(MYSQL *m) {
  conn *c = C(m);
  clear_error(c);
  if (!c->pending) return NULL;
  res *r = sqlitch_calloc(1, sizeof *r);
  r->fields = c->fields;
  for (;;) {
    if (read_packet(c)) {
      lost(c);
      break;
    }
    if (is_eof(&c->pkt)) {
      rd e = reader(&c->pkt);
      get_int(&e, 3); /* 0xfe, warnings */
      c->status = (unsigned)get_int(&e, 2);
      c->pending = 0;
      return (MYSQL_RES *)r;
    }
    if (c->pkt.len && (unsigned char)c->pkt.p[0] == 0xff) {
      err_packet(c);
      c->pending = 0;
      c->status &= ~(unsigned)SERVER_MORE_RESULTS_EXIST;
      break;
    }
    char **row = text_row(c, r->fields);
    if (!row) {
      malformed(c);
      break;
    }
    if (r->nrows == r->cap) {
      r->cap = r->cap * 2 + 16;
      r->rows = sqlitch_realloc(r->rows, r->cap * sizeof *r->rows);
    }
    r->rows[r->nrows++] = row;
  }
  wire_mysql_free_result((MYSQL_RES *)r);
  return NULL;
}

static int wire_mysql_next_result(MYSQL *m) {
  conn *c = C(m);
  if (c->fd < 0 || !(c->status & SERVER_MORE_RESULTS_EXIST)) return -1;
  clear_error(c);
  return read_result_header(c);
}

static MYSQL_ROW wire_mysql_fetch_row(MYSQL_RES *mr) {
  res *r = (res *)mr;
  if (!r || r->cur >= r->nrows) {
    if (r) r->lengths = NULL;
    return NULL;
  }
  char **row = r->rows[r->cur++];
  r->lengths = (unsigned long *)(row + r->fields);
  return row;
}

static unsigned long *wire_mysql_fetch_lengths(MYSQL_RES *mr) {
  return mr ? ((res *)mr)->lengths : NULL;
}

static my_ulonglong wire_mysql_num_rows(MYSQL_RES *mr) {
  return mr ? ((res *)mr)->nrows : 0;
}

static unsigned int wire_mysql_num_fields(MYSQL_RES *mr) {
  return mr ? ((res *)mr)->fields : 0;
}

static unsigned int wire_mysql_field_count(MYSQL *m) { return C(m)->fields; }

static unsigned int wire_mysql_errno(MYSQL *m) { return C(m)->err_no; }

static const char *wire_mysql_error(MYSQL *m) { return C(m)->error; }

static const char *wire_mysql_sqlstate(MYSQL *m) { return C(m)->sqlstate; }

static char *wire_mysql_get_server_info(MYSQL *m) { return C(m)->version; }

/* libmariadb's: major * 10000 + minor * 100 + patch of the version. */
static unsigned long wire_mysql_get_server_version(MYSQL *m) {
  const char *p = C(m)->version;
  if (!p) return 0;
  char *e;
  unsigned long major = strtoul(p, &e, 10);
  unsigned long minor = *e ? strtoul(e + 1, &e, 10) : 0;
  unsigned long patch = *e ? strtoul(e + 1, &e, 10) : 0;
  return major * 10000 + minor * 100 + patch;
}

/* libmariadb's mysql_real_escape_string: backslash escapes, or quotes
   doubled when the server runs with NO_BACKSLASH_ESCAPES. */
static unsigned long wire_mysql_real_escape_string(MYSQL *m, char *to,
                                                   const char *from,
                                                   unsigned long n) {
  int quote_only = (C(m)->status & SERVER_STATUS_NO_BACKSLASH_ESCAPES) != 0;
  char *o = to;
  for (unsigned long i = 0; i < n; i++) {
    char ch = from[i], esc = 0;
    if (quote_only) {
      if (ch == '\'') esc = '\'';
    } else {
      switch (ch) {
      case 0: esc = '0'; break;
      case '\n': esc = 'n'; break;
      case '\r': esc = 'r'; break;
      case '\\': esc = '\\'; break;
      case '\'': esc = '\''; break;
      case '"': esc = '"'; break;
      case '\032': esc = 'Z'; break;
      default: break;
      }
    }
    if (esc) {
      *o++ = quote_only ? '\'' : '\\';
      *o++ = esc;
    } else {
      *o++ = ch;
    }
  }
  *o = 0;
  return (unsigned long)(o - to);
}

/* ======================================================== connecting */

static conn *conn_new(void) {
  conn *c = sqlitch_calloc(1, sizeof *c);
  c->fd = -1;
  clear_error(c);
  return c;
}

static MYSQL *wire_mysql_init(MYSQL *m) {
  if (m) return NULL; /* the engine always lets the library allocate */
  return &conn_new()->my;
}

/* Keep an option for libmariadb; only charset utf8 keeps the connection
   in process. */
static int wire_mysql_optionsv(MYSQL *m, enum mysql_option o, ...) {
  conn *c = C(m);
  va_list ap;
  va_start(ap, o);
  opt *p = c->nopts < 16 ? &c->opts[c->nopts++] : NULL;
  if (!p) {
    va_end(ap);
    c->foreign = 1;
    return 1;
  }
  memset(p, 0, sizeof *p);
  p->o = o;
  switch (o) {
  case MYSQL_SET_CHARSET_NAME:
  case MYSQL_INIT_COMMAND:
  case MYSQL_READ_DEFAULT_FILE:
  case MYSQL_READ_DEFAULT_GROUP:
    p->kind = 1;
    p->s = sqlitch_strdup(va_arg(ap, const char *));
    if (o != MYSQL_SET_CHARSET_NAME || strcmp(p->s, "utf8") != 0)
      c->foreign = 1;
    break;
  case MYSQL_OPT_CONNECT_TIMEOUT:
  case MYSQL_OPT_READ_TIMEOUT:
  case MYSQL_OPT_WRITE_TIMEOUT:
  case MYSQL_OPT_LOCAL_INFILE:
    p->kind = 2;
    p->u = *va_arg(ap, const unsigned *);
    c->foreign = 1;
    break;
  case MYSQL_OPT_SSL_ENFORCE:
    p->kind = 3;
    p->u = *va_arg(ap, const my_bool *);
    c->foreign = 1;
    break;
  case MYSQL_OPT_COMPRESS:
    p->kind = 0;
    c->foreign = 1;
    break;
  default: /* never set on the registry connection */
    c->nopts--;
    va_end(ap);
    set_error(c, CR_UNKNOWN, "HY000",
              "internal error: this mysql_optionsv option is not available "
              "on sqlitch's in-process connection (engine_mysql_wire.c)");
    c->foreign = 1;
    return 1;
  }
  va_end(ap);
  return 0;
}

static int wire_mysql_ssl_set(MYSQL *m, const char *key, const char *cert,
                              const char *ca, const char *capath,
                              const char *cipher) {
  conn *c = C(m);
  const char *v[5] = {key, cert, ca, capath, cipher};
  for (int i = 0; i < 5; i++) {
    free(c->ssl[i]);
    c->ssl[i] = v[i] ? sqlitch_strdup(v[i]) : NULL;
  }
  c->ssl_set = c->foreign = 1;
  return 0;
}

static void opts_free(conn *c) {
  for (int i = 0; i < c->nopts; i++) {
    free(c->opts[i].s);
    free(c->opts[i].s2);
  }
  c->nopts = 0;
  for (int i = 0; i < 5; i++) {
    free(c->ssl[i]);
    c->ssl[i] = NULL;
  }
}

/* Environment variables libmariadb (or the engine, before it) reads for
   this connection, which plan_conn handles. */
static const char *foreign_env(void) {
  static const char *const known[] = {
      "MYSQL_HOST",        "MYSQL_TCP_PORT", "MYSQL_PWD",    "MYSQL_UNIX_PORT",
      "MARIADB_UNIX_PORT", "MYSQL_HOME",     "MARIADB_HOME", NULL};
  for (char **e = environ; e && *e; e++) {
    if (strncmp(*e, "MYSQL_", 6) != 0 && strncmp(*e, "MARIADB_", 8) != 0 &&
        strncmp(*e, "LIBMYSQL_", 9) != 0)
      continue;
    size_t n = strcspn(*e, "=");
    int ok = 0;
    for (int i = 0; known[i] && !ok; i++)
      ok = strlen(known[i]) == n && strncmp(*e, known[i], n) == 0;
    if (!ok) return because("$%.*s is set", (int)n, *e);
  }
  return NULL;
}

typedef struct plan {
  const char *host; /* NULL: the unix socket */
  char port[12];
  const char *sock;
} plan;

static const char *plan_conn(conn *c, const char *host, const char *user,
                             unsigned port, const char *sock,
                             unsigned long flags, plan *p) {
  memset(p, 0, sizeof *p);
  if (c->foreign) return "an option beyond charset utf8";
  if (c->nopts != 1 || c->opts[0].o != MYSQL_SET_CHARSET_NAME)
    return "no charset utf8";
  if (flags != ENGINE_FLAGS) return "other client flags";
  if (!user || !*user) return "no user";
  const char *env = foreign_env();
  if (env) return env;
  if (!host || !*host || strcmp(host, "localhost") == 0) {
    p->sock = sock && *sock ? sock : getenv("MYSQL_UNIX_PORT");
    if (!p->sock) p->sock = getenv("MARIADB_UNIX_PORT");
    if (!p->sock) p->sock = MARIADB_UNIX_ADDR;
    if (strlen(p->sock) >= sizeof(((struct sockaddr_un *)0)->sun_path))
      return "a socket path too long";
    return NULL;
  }
  p->host = host;
  if (!port) {
    /* libmariadb's default port, as mysql_server_init sets it */
    struct servent *s = getservbyname("mysql", "tcp");
    port = s ? ntohs((uint16_t)s->s_port) : MARIADB_PORT;
    const char *e = getenv("MYSQL_TCP_PORT");
    if (e) port = (unsigned)atoi(e);
  }
  snprintf(p->port, sizeof p->port, "%u", port);
  return NULL;
}

static int open_socket(const plan *p, const char **why_not) {
  if (!p->host) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", p->sock);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
      return fd;
    *why_not = because("connect %s: %s", p->sock, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                           .ai_protocol = IPPROTO_TCP},
                  *ai = NULL;
  if (getaddrinfo(p->host, p->port, &hints, &ai) != 0 || !ai) {
    *why_not = because("cannot resolve %s", p->host);
    return -1;
  }
  int fd = -1;
  for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      *why_not =
          because("connect %s:%s: %s", p->host, p->port, strerror(errno));
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(ai);
  return fd;
}

static void sha1_raw(const void *a, size_t an, const void *b, size_t bn,
                     unsigned char out[20]) {
  sqlitch_sha1_ctx ctx;
  char hex[41];
  sqlitch_sha1_init(&ctx);
  sqlitch_sha1_update(&ctx, a, an);
  if (bn) sqlitch_sha1_update(&ctx, b, bn);
  sqlitch_sha1_final_hex(&ctx, hex);
  for (int i = 0; i < 20; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    out[i] = (unsigned char)v;
  }
}

/* mysql_native_password: SHA1(pw) XOR SHA1(seed + SHA1(SHA1(pw))). */
static void native_scramble(const char *pw, const unsigned char seed[20],
                            unsigned char out[20]) {
  unsigned char h1[20], h2[20], h3[20];
  sha1_raw(pw, strlen(pw), NULL, 0, h1);
  sha1_raw(h1, 20, NULL, 0, h2);
  sha1_raw(seed, 20, h2, 20, h3);
  for (int i = 0; i < 20; i++)
    out[i] = h1[i] ^ h3[i];
}

/* The connection attributes libmariadb 3.3 sends, in its order. */
static void put_attrs(sqlitch_buf *out, const char *host) {
  struct utsname u;
  char pid[24];
  if (uname(&u) != 0) {
    snprintf(u.sysname, sizeof u.sysname, "Linux");
    snprintf(u.machine, sizeof u.machine, "x86_64");
  }
  snprintf(pid, sizeof pid, "%ld", (long)getpid());
  const char *kv[] = {
      "_os",       u.sysname, "_client_name",    "libmariadb",
      "_pid",      pid,       "_client_version", MARIADB_PACKAGE_VERSION,
      "_platform", u.machine, "_server_host",    host};
  sqlitch_buf a = SQLITCH_BUF_INIT;
  for (size_t i = 0; i < sizeof kv / sizeof *kv; i += 2)
    if (kv[i + 1]) {
      put_lenenc_str(&a, kv[i], strlen(kv[i]));
      put_lenenc_str(&a, kv[i + 1], strlen(kv[i + 1]));
    }
  put_lenenc_str(out, a.p ? a.p : "", a.len);
  sqlitch_buf_free(&a);
}

/* Greeting, HandshakeResponse41, OK. 0 when the session is ready; -1
   (with why) when libmariadb must connect instead. */
static int handshake(conn *c, const plan *p, const char *user, const char *pw,
                     const char *db, const char **why_not) {
  *why_not = "the server closed the connection";
  if (read_packet(c)) return -1;
  rd r = reader(&c->pkt);
  if (get_int(&r, 1) != 10) return *why_not = "not protocol 10", -1;
  const char *version = get_str(&r);
  get_int(&r, 4); /* thread id */
  unsigned char seed[20];
  if (r.end - r.p < 8) return *why_not = "a short greeting", -1;
  memcpy(seed, r.p, 8);
  r.p += 8;
  get_int(&r, 1);
  uint32_t caps = (uint32_t)get_int(&r, 2);
  get_int(&r, 1); /* server charset */
  get_int(&r, 2); /* status */
  caps |= (uint32_t)get_int(&r, 2) << 16;
  long part2 = (long)get_int(&r, 1) - 8; /* the scramble's second part */
  if (part2 < 13) part2 = 13;
  get_int(&r, 6);
  uint32_t ext = (uint32_t)get_int(&r, 4);
  if (r.end - r.p < part2) return *why_not = "a short greeting", -1;
  memcpy(seed + 8, r.p, 12);
  r.p += part2;
  const char *plugin = get_str(&r);
  if (r.bad || !version || !plugin) return *why_not = "a short greeting", -1;
  if ((caps & NEED_CAPS) != NEED_CAPS || (caps & CLIENT_MYSQL) ||
      (ext & NEED_EXT) != NEED_EXT)
    return *why_not = because("server capabilities %08x/%08x", caps, ext), -1;
  if (strcmp(plugin, NATIVE) != 0)
    return *why_not = because("the server asks for %s", plugin), -1;
  c->version = sqlitch_strdup(strncmp(version, "5.5.5-", 6) == 0 ? version + 6
                                                                 : version);
  c->caps = caps;

  uint32_t flags = SEND_CAPS | (db ? CLIENT_CONNECT_WITH_DB : 0);
  sqlitch_buf out = SQLITCH_BUF_INIT;
  put_int(&out, flags, 4);
  put_int(&out, MAX_PACKET, 4);
  put_int(&out, UTF8_GENERAL_CI, 1);
  put_int(&out, 0, 19);
  put_int(&out, NEED_EXT, 4);
  sqlitch_buf_addn(&out, user, strlen(user) + 1);
  if (pw && *pw) {
    unsigned char s[20];
    native_scramble(pw, seed, s);
    put_lenenc_str(&out, (const char *)s, 20);
  } else {
    put_int(&out, 0, 1);
  }
  if (db) sqlitch_buf_addn(&out, db, strlen(db) + 1);
  sqlitch_buf_addn(&out, NATIVE, sizeof NATIVE);
  put_attrs(&out, p->host);
  int rc = send_packet(c, 1, out.p, out.len);
  sqlitch_buf_free(&out);
  if (rc || read_packet(c)) return -1;
  unsigned first = c->pkt.len ? (unsigned char)c->pkt.p[0] : 0x100;
  if (first != 0) {
    *why_not = first == 0xff   ? "the server refused the connection"
               : first == 0xfe ? "the server switches authentication"
                               : "an unexpected reply to the handshake";
    return -1;
  }
  ok_packet(c);
  return 0;
}

/* libmariadb makes the connection on m, and every later call goes to
   libmariadb (but mysql_close, which also frees the conn). */
static void wire_close_adopted(MYSQL *m);

static MYSQL *via_libmariadb(conn *c, const char *host, const char *user,
                             const char *pw, const char *db, unsigned port,
                             const char *sock, unsigned long flags) {
  if (live) {
    set_error(c, CR_UNKNOWN, "HY000",
              "internal error: libmariadb cannot be loaded while an "
              "in-process connection is open (engine_mysql_wire.c)");
    return NULL;
  }
  sqlitch_err err = SQLITCH_ERR_INIT;
  if (sqlitch_mysql_load(&err)) {
    set_error(c, CR_UNKNOWN, "HY000", err.msg ? err.msg : "libmariadb");
    sqlitch_err_clear(&err);
    return NULL;
  }
  real_close = sqlitch_mysql.mysql_close;
  sqlitch_mysql.mysql_close = wire_close_adopted;
  MYSQL *m = &c->my;
  sqlitch_mysql.mysql_init(m);
  for (int i = 0; i < c->nopts; i++) {
    const opt *o = &c->opts[i];
    my_bool b = (my_bool)o->u;
    if (o->kind == 1)
      sqlitch_mysql.mysql_optionsv(m, o->o, o->s);
    else if (o->kind == 2)
      sqlitch_mysql.mysql_optionsv(m, o->o, &o->u);
    else if (o->kind == 3)
      sqlitch_mysql.mysql_optionsv(m, o->o, &b);
    else
      sqlitch_mysql.mysql_optionsv(m, o->o, NULL);
  }
  if (c->ssl_set)
    sqlitch_mysql.mysql_ssl_set(m, c->ssl[0], c->ssl[1], c->ssl[2], c->ssl[3],
                                c->ssl[4]);
  opts_free(c);
  for (size_t i = 0; i < sizeof adopted / sizeof *adopted; i++)
    if (!adopted[i]) {
      adopted[i] = c;
      break;
    }
  return sqlitch_mysql.mysql_real_connect(m, host, user, pw, db, port, sock,
                                          flags);
}

static MYSQL *wire_mysql_real_connect(MYSQL *m, const char *host,
                                      const char *user, const char *pw,
                                      const char *db, unsigned int port,
                                      const char *sock, unsigned long flags) {
  conn *c = C(m);
  plan p;
  const char *no = plan_conn(c, host, user, port, sock, flags, &p);
  if (!no && (c->fd = open_socket(&p, &no)) >= 0) {
    if (handshake(c, &p, user, pw, db, &no) == 0) {
      c->counted = 1;
      live++;
      why = "in process";
      clear_error(c);
      return m;
    }
    close(c->fd); /* the server logs an aborted handshake, nothing more */
    c->fd = -1;
    free(c->version);
    c->version = NULL;
  }
  snprintf(why_buf, sizeof why_buf, "through libmariadb: %s", no);
  why = why_buf;
  return via_libmariadb(c, host, user, pw, db, port, sock, flags);
}

static void conn_free(conn *c) {
  opts_free(c);
  free(c->version);
  free(c->in);
  sqlitch_buf_free(&c->pkt);
  free(c);
}

static void wire_mysql_close(MYSQL *m) {
  conn *c = C(m);
  if (!c) return;
  if (c->fd >= 0) {
    char quit = COM_QUIT;
    send_packet(c, 0, &quit, 1);
    close(c->fd);
  }
  if (c->counted) live--;
  conn_free(c);
}

static void wire_close_adopted(MYSQL *m) {
  real_close(m);
  for (size_t i = 0; i < sizeof adopted / sizeof *adopted; i++)
    if (adopted[i] && &adopted[i]->my == m) {
      conn_free(adopted[i]);
      adopted[i] = NULL;
    }
}

/* ======================================= never reached by status, log */

static void unsupported(MYSQL *m, const char *fn) {
  char text[200];
  snprintf(text, sizeof text,
           "internal error: %s is not available on sqlitch's in-process "
           "connection (engine_mysql_wire.c)",
           fn);
  if (m) set_error(C(m), CR_UNKNOWN, "HY000", text);
}

static MYSQL_RES *wire_mysql_use_result(MYSQL *m) {
  unsupported(m, "mysql_use_result");
  return NULL;
}

static int wire_mysql_select_db(MYSQL *m, const char *db) {
  (void)db;
  unsupported(m, "mysql_select_db");
  return 1;
}

static int wire_mysql_reset_connection(MYSQL *m) {
  unsupported(m, "mysql_reset_connection");
  return 1;
}

static const char *wire_mysql_character_set_name(MYSQL *m) {
  unsupported(m, "mysql_character_set_name");
  return "";
}

static my_bool wire_mariadb_get_infov(MYSQL *m, enum mariadb_value v, void *arg,
                                      ...) {
  (void)v, (void)arg;
  unsupported(m, "mariadb_get_infov");
  return 1;
}

/* Nothing to free: libmariadb was never initialised. */
static void wire_mysql_server_end(void) {}

/* ============================================================== table */

/* Every entry of the engine's table, by name: a libmariadb function the
   engine starts using needs its wire_ twin here, or this fails to
   compile. */
static const sqlitch_mysql_api wire_api = {
#define WIRE_SLOT(name) .name = wire_##name,
    SQLITCH_MYSQL_API(WIRE_SLOT)
#undef WIRE_SLOT
};

void sqlitch_mysql_wire_allow(int on) { allowed = on; }

const char *sqlitch_mysql_wire_route(void) { return why; }

int sqlitch_mysql_wire_load(sqlitch_err *err) {
  const char *off = getenv("SQLITCH_MYSQL_WIRE");
  if (sqlitch_mysql.mysql_init == wire_api.mysql_init) return SQLITCH_OK;
  why = NULL;
  if (allowed && off && strcmp(off, "0") == 0)
    why = "through libmariadb: SQLITCH_MYSQL_WIRE=0";
  else if (allowed && sqlitch_mysql.mysql_init)
    why = "through libmariadb: libmariadb is loaded already";
  if (!allowed || why) return sqlitch_mysql_load(err);
  sqlitch_mysql = wire_api;
  return SQLITCH_OK;
}

MYSQL *sqlitch_mysql_wire_adopt(int fd, int shake) {
  conn *c = conn_new();
  c->fd = fd;
  if (shake) {
    plan p = {.sock = "fuzz"};
    const char *no;
    if (handshake(c, &p, "u", "pw", "db", &no)) {
      close(fd);
      conn_free(c);
      return NULL;
    }
  } else {
    c->version = sqlitch_strdup("10.11.19-MariaDB");
    c->status = SERVER_STATUS_AUTOCOMMIT;
  }
  c->counted = 1;
  live++;
  return &c->my;
}
