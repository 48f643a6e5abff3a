/*
** util.c -- errors, memory, string builder, vectors, arena, files, env.
** See util.h for the contract and the memory rule.
*/

#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- errors */

int sqlitch_err_setv(sqlitch_err *e, sqlitch_err_kind kind, int exitval,
                     const char *fmt, va_list ap) {
  if (e) {
    char *m = sqlitch_vmprintf(fmt, ap);
    free(e->msg);
    e->msg = m;
    e->kind = kind;
    e->exitval = exitval;
  }
  return SQLITCH_ERROR;
}

int sqlitch_err_set(sqlitch_err *e, sqlitch_err_kind kind, int exitval,
                    const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sqlitch_err_setv(e, kind, exitval, fmt, ap);
  va_end(ap);
  return SQLITCH_ERROR;
}

int sqlitch_err_fail(sqlitch_err *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sqlitch_err_setv(e, SQLITCH_E_GENERIC, 2, fmt, ap);
  va_end(ap);
  return SQLITCH_ERROR;
}

void sqlitch_err_at(sqlitch_err *e, const char *file, int line) {
  if (!e) return;
  free(e->file);
  e->file = sqlitch_strdup(file);
  e->line = line;
}

void sqlitch_err_clear(sqlitch_err *e) {
  if (!e) return;
  free(e->msg);
  free(e->file);
  e->msg = NULL;
  e->file = NULL;
  e->line = 0;
  e->kind = SQLITCH_E_NONE;
  e->exitval = 0;
}

void sqlitch_err_move(sqlitch_err *dst, sqlitch_err *src) {
  if (!dst || dst == src) return;
  sqlitch_err_clear(dst);
  *dst = *src;
  src->msg = NULL;
  src->file = NULL;
  sqlitch_err_clear(src);
}

/* --------------------------------------------------------------- memory */

static sqlitch_oom_fn oom_handler;

void sqlitch_set_oom(sqlitch_oom_fn fn) { oom_handler = fn; }

static void *oom(void) {
  if (oom_handler) oom_handler();
  /* The handler is expected not to return. If none is installed we have
     nothing sane to hand back; a NULL dereference is the honest outcome. */
  return NULL;
}

void *sqlitch_malloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) p = oom();
  return p;
}

void *sqlitch_calloc(size_t n, size_t sz) {
  void *p = calloc(n ? n : 1, sz ? sz : 1);
  if (!p) p = oom();
  return p;
}

void *sqlitch_realloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) q = oom();
  return q;
}

char *sqlitch_strdup(const char *s) {
  return s ? sqlitch_strndup(s, strlen(s)) : NULL;
}

char *sqlitch_strndup(const char *s, size_t n) {
  char *p;
  if (!s) return NULL;
  p = sqlitch_malloc(n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *sqlitch_vmprintf(const char *fmt, va_list ap) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_buf_addvf(&b, fmt, ap);
  return sqlitch_buf_take(&b);
}

char *sqlitch_mprintf(const char *fmt, ...) {
  va_list ap;
  char *s;
  va_start(ap, fmt);
  s = sqlitch_vmprintf(fmt, ap);
  va_end(ap);
  return s;
}

/* --------------------------------------------------------- string buffer */

void sqlitch_buf_grow(sqlitch_buf *b, size_t extra) {
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  b->p = sqlitch_realloc(b->p, cap);
  b->cap = cap;
}

void sqlitch_buf_addn(sqlitch_buf *b, const char *s, size_t n) {
  sqlitch_buf_grow(b, n);
  if (n) memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

void sqlitch_buf_add(sqlitch_buf *b, const char *s) {
  sqlitch_buf_addn(b, s ? s : "", s ? strlen(s) : 0);
}

void sqlitch_buf_addc(sqlitch_buf *b, char c) { sqlitch_buf_addn(b, &c, 1); }

void sqlitch_buf_addvf(sqlitch_buf *b, const char *fmt, va_list ap) {
  va_list cp;
  int n;
  va_copy(cp, ap);
  sqlitch_buf_grow(b, 64);
  n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, cp);
  va_end(cp);
  if (n < 0) return;
  if ((size_t)n >= b->cap - b->len) {
    sqlitch_buf_grow(b, (size_t)n);
    vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
  }
  b->len += (size_t)n;
}

void sqlitch_buf_addf(sqlitch_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sqlitch_buf_addvf(b, fmt, ap);
  va_end(ap);
}

void sqlitch_buf_pad(sqlitch_buf *b, char c, size_t n) {
  sqlitch_buf_grow(b, n);
  memset(b->p + b->len, c, n);
  b->len += n;
  b->p[b->len] = 0;
}

void sqlitch_buf_reset(sqlitch_buf *b) {
  b->len = 0;
  if (b->p) b->p[0] = 0;
}

void sqlitch_buf_truncate(sqlitch_buf *b, size_t len) {
  if (len < b->len) {
    b->len = len;
    b->p[len] = 0;
  }
}

const char *sqlitch_buf_str(sqlitch_buf *b) { return b->p ? b->p : ""; }

char *sqlitch_buf_take(sqlitch_buf *b) {
  char *p = b->p ? b->p : sqlitch_strdup("");
  b->p = NULL;
  b->len = b->cap = 0;
  return p;
}

void sqlitch_buf_free(sqlitch_buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

/* --------------------------------------------------------- string vector */

void sqlitch_strv_push_owned(sqlitch_strv *sv, char *s) {
  if (sv->n + 2 > sv->cap) {
    sv->cap = sv->cap ? sv->cap * 2 : 8;
    sv->v = sqlitch_realloc(sv->v, sv->cap * sizeof(char *));
  }
  sv->v[sv->n++] = s;
  sv->v[sv->n] = NULL;
}

void sqlitch_strv_push(sqlitch_strv *sv, const char *s) {
  sqlitch_strv_push_owned(sv, sqlitch_strdup(s ? s : ""));
}

void sqlitch_strv_pushn(sqlitch_strv *sv, const char *s, size_t n) {
  sqlitch_strv_push_owned(sv, sqlitch_strndup(s, n));
}

int sqlitch_strv_contains(const sqlitch_strv *sv, const char *s) {
  for (size_t i = 0; i < sv->n; i++)
    if (strcmp(sv->v[i], s) == 0) return 1;
  return 0;
}

char *sqlitch_strv_join(const sqlitch_strv *sv, const char *sep) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (size_t i = 0; i < sv->n; i++) {
    if (i) sqlitch_buf_add(&b, sep);
    sqlitch_buf_add(&b, sv->v[i]);
  }
  return sqlitch_buf_take(&b);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void sqlitch_strv_sort(sqlitch_strv *sv) {
  if (sv->n > 1) qsort(sv->v, sv->n, sizeof(char *), cmp_str);
}

void sqlitch_strv_clear(sqlitch_strv *sv) {
  for (size_t i = 0; i < sv->n; i++)
    free(sv->v[i]);
  sv->n = 0;
  if (sv->v) sv->v[0] = NULL;
}

void sqlitch_strv_free(sqlitch_strv *sv) {
  sqlitch_strv_clear(sv);
  free(sv->v);
  sv->v = NULL;
  sv->cap = 0;
}

/* ----------------------------------------------------------------- arena */

typedef struct arena_block {
  struct arena_block *next;
  size_t used, size;
  /* data follows, max_align_t aligned */
} arena_block;

struct sqlitch_arena {
  arena_block *head;
};

#define ARENA_ALIGN 16
#define ARENA_HDR                                                              \
  ((sizeof(arena_block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

sqlitch_arena *sqlitch_arena_new(void) {
  return sqlitch_calloc(1, sizeof(sqlitch_arena));
}

void sqlitch_arena_free(sqlitch_arena *a) {
  if (!a) return;
  arena_block *b = a->head;
  while (b) {
    arena_block *n = b->next;
    free(b);
    b = n;
  }
  free(a);
}

/* n bytes from the arena, not zeroed. */
static void *arena_take(sqlitch_arena *a, size_t n) {
  n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  if (n == 0) n = ARENA_ALIGN;
  arena_block *b = a->head;
  if (!b || b->size - b->used < n) {
    size_t size = n > 32768 ? n : 65536 - ARENA_HDR;
    b = sqlitch_malloc(ARENA_HDR + size);
    b->used = 0;
    b->size = size;
    b->next = a->head;
    a->head = b;
  }
  void *p = (char *)b + ARENA_HDR + b->used;
  b->used += n;
  return p;
}

void *sqlitch_arena_alloc(sqlitch_arena *a, size_t n) {
  void *p = arena_take(a, n);
  memset(p, 0, n);
  return p;
}

char *sqlitch_arena_strndup(sqlitch_arena *a, const char *s, size_t n) {
  if (!s) return NULL;
  char *p = arena_take(a, n + 1); /* every byte written below */
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *sqlitch_arena_strdup(sqlitch_arena *a, const char *s) {
  return s ? sqlitch_arena_strndup(a, s, strlen(s)) : NULL;
}

char *sqlitch_arena_printf(sqlitch_arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = sqlitch_vmprintf(fmt, ap);
  va_end(ap);
  char *r = sqlitch_arena_strdup(a, s);
  free(s);
  return r;
}

/* ----------------------------------------------------------------- files */

int sqlitch_read_file(const char *path, char **data, size_t *len,
                      sqlitch_err *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return sqlitch_err_set(err, SQLITCH_E_IO, 2, "Cannot open %s: %s", path,
                           strerror(errno));
  sqlitch_buf b = SQLITCH_BUF_INIT;
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size > 0)
    sqlitch_buf_grow(&b, (size_t)st.st_size);
  for (;;) {
    sqlitch_buf_grow(&b, 65536);
    ssize_t n = read(fd, b.p + b.len, b.cap - b.len - 1);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      sqlitch_buf_free(&b);
      return sqlitch_err_set(err, SQLITCH_E_IO, 2, "Cannot read %s: %s", path,
                             strerror(e));
    }
    if (n == 0) break;
    b.len += (size_t)n;
  }
  close(fd);
  sqlitch_buf_grow(&b, 0);
  b.p[b.len] = 0;
  if (len) *len = b.len;
  *data = sqlitch_buf_take(&b);
  return SQLITCH_OK;
}

int sqlitch_write_file_atomic(const char *path, const char *data, size_t len,
                              sqlitch_err *err) {
  char *tmp = sqlitch_mprintf("%s.sqlitch-tmp-%ld", path, (long)getpid());
  struct stat st;
  mode_t mode = 0666;
  int keep_mode = stat(path, &st) == 0;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    int e = errno;
    free(tmp);
    return sqlitch_err_set(err, SQLITCH_E_IO, 2, "Cannot open %s: %s", path,
                           strerror(e));
  }
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(fd, data + off, len - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      unlink(tmp);
      free(tmp);
      return sqlitch_err_set(err, SQLITCH_E_IO, 2, "Cannot write %s: %s", path,
                             strerror(e));
    }
    off += (size_t)n;
  }
  if (keep_mode) fchmod(fd, st.st_mode & 07777);
  if (close(fd) != 0 || rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    free(tmp);
    return sqlitch_err_set(err, SQLITCH_E_IO, 2, "Error closing %s: %s", path,
                           strerror(e));
  }
  free(tmp);
  return SQLITCH_OK;
}

int sqlitch_mkpath(const char *dir, sqlitch_strv *created, sqlitch_err *err) {
  char *p = sqlitch_strdup(dir);
  size_t n = strlen(p);
  while (n > 1 && p[n - 1] == '/')
    p[--n] = 0;
  for (char *s = p + 1;; s++) {
    int end = *s == 0;
    if (*s == '/' || end) {
      char save = *s;
      *s = 0;
      if (mkdir(p, 0777) == 0) {
        if (created) sqlitch_strv_push(created, p);
      } else if (errno != EEXIST || !sqlitch_is_dir(p)) {
        int e = errno == EEXIST ? ENOTDIR : errno;
        sqlitch_err_set(err, SQLITCH_E_IO, 2, "Error creating %s: %s", p,
                        strerror(e));
        free(p);
        return SQLITCH_ERROR;
      }
      *s = save;
      if (end) break;
    }
  }
  free(p);
  return SQLITCH_OK;
}

int sqlitch_path_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int sqlitch_is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int sqlitch_is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *sqlitch_path_join(const char *a, const char *b) {
  if (!a || !*a || strcmp(a, ".") == 0) return sqlitch_path_clean(b);
  if (!b || !*b) return sqlitch_path_clean(a);
  if (b[0] == '/') return sqlitch_path_clean(b);
  char *j = sqlitch_mprintf("%s/%s", a, b);
  char *c = sqlitch_path_clean(j);
  free(j);
  return c;
}

char *sqlitch_path_clean(const char *p) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  const char *s = p ? p : "";
  int abs = s[0] == '/';
  if (abs) sqlitch_buf_addc(&b, '/');
  while (*s) {
    while (*s == '/')
      s++;
    const char *e = s;
    while (*e && *e != '/')
      e++;
    size_t n = (size_t)(e - s);
    if (n == 0) break;
    if (!(n == 1 && s[0] == '.')) {
      if (b.len && b.p[b.len - 1] != '/') sqlitch_buf_addc(&b, '/');
      sqlitch_buf_addn(&b, s, n);
    }
    s = e;
  }
  if (b.len == 0) sqlitch_buf_addc(&b, '.');
  return sqlitch_buf_take(&b);
}

const char *sqlitch_path_basename(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

char *sqlitch_path_dirname(const char *p) {
  const char *s = strrchr(p, '/');
  if (!s) return sqlitch_strdup(".");
  if (s == p) return sqlitch_strdup("/");
  return sqlitch_strndup(p, (size_t)(s - p));
}

/* ------------------------------------------------------------ environment */

const char *sqlitch_getenv(const char *name) {
  char key[128];
  const char *v;
  snprintf(key, sizeof key, "SQLITCH_%s", name);
  v = getenv(key);
  if (v) return v;
  snprintf(key, sizeof key, "SQITCH_%s", name);
  return getenv(key);
}

/* --------------------------------------------------------------- strings */

int sqlitch_streq(const char *a, const char *b) {
  if (!a || !b) return a == b;
  return strcmp(a, b) == 0;
}

int sqlitch_strcaseeq(const char *a, const char *b) {
  if (!a || !b) return a == b;
  return strcasecmp(a, b) == 0;
}

int sqlitch_starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

int sqlitch_ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

int sqlitch_perl_true(const char *s) { return s && *s && strcmp(s, "0") != 0; }

char *sqlitch_strlower(const char *s) {
  char *r = sqlitch_strdup(s);
  for (char *p = r; p && *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return r;
}

/* Unicode White_Space code points (Perl \s). */
static int uspace(int32_t c) {
  return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
         c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

char *sqlitch_strtrim(const char *s) {
  const char *end = s + strlen(s);
  const char *p = s, *start = NULL, *last = s;
  while (p < end) {
    const char *q = p;
    int32_t c = sqlitch_utf8_decode(&q, end);
    if (c < 0) c = 'x';
    if (!uspace(c)) {
      if (!start) start = p;
      last = q;
    }
    p = q;
  }
  if (!start) return sqlitch_strdup("");
  return sqlitch_strndup(start, (size_t)(last - start));
}

int32_t sqlitch_utf8_decode(const char **pp, const char *end) {
  const unsigned char *p = (const unsigned char *)*pp;
  const unsigned char *e = (const unsigned char *)end;
  int32_t c;
  int n;
  if (p >= e) return -1;
  if (p[0] < 0x80) {
    *pp += 1;
    return p[0];
  } else if ((p[0] & 0xe0) == 0xc0) {
    c = p[0] & 0x1f;
    n = 1;
  } else if ((p[0] & 0xf0) == 0xe0) {
    c = p[0] & 0x0f;
    n = 2;
  } else if ((p[0] & 0xf8) == 0xf0) {
    c = p[0] & 0x07;
    n = 3;
  } else {
    *pp += 1;
    return -1;
  }
  if ((size_t)(e - p) < (size_t)n + 1) {
    *pp = end;
    return -1;
  }
  for (int i = 1; i <= n; i++) {
    if ((p[i] & 0xc0) != 0x80) {
      *pp += 1;
      return -1;
    }
    c = (c << 6) | (p[i] & 0x3f);
  }
  *pp += n + 1;
  if ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) ||
      (n == 3 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
    return -1;
  return c;
}

int sqlitch_utf8_valid(const char *s, size_t len) {
  const char *p = s, *end = s + len;
  while (p < end)
    if (sqlitch_utf8_decode(&p, end) < 0) return 0;
  return 1;
}

size_t sqlitch_utf8_len(const char *s) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if ((*p & 0xc0) != 0x80) n++;
  return n;
}

/* ------------------------------------------------------------------ time */

double sqlitch_now(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}
