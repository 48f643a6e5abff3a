/*
** util.h -- the small shared toolkit every core/ file builds on.
**
** What it gives you:
**   - sqlitch_err      the one error object of core/: functions return
**                      SQLITCH_OK (0) or SQLITCH_ERROR (-1) and, on error,
**                      fill an sqlitch_err with a message and the exit value
**                      Sqitch would use (1 = soft, to stdout; 2 = hard, to
**                      stderr; 255 = configuration error).
**   - sqlitch_buf      a growable string builder (one for the whole project;
**                      do not hand-roll realloc loops).
**   - sqlitch_strv     a growable vector of owned strings.
**   - sqlitch_arena    a bump allocator for objects that live and die
**                      together (a parsed plan, a config).
**   - file helpers     read a whole file, write one atomically, mkdir -p.
**   - sqlitch_getenv   environment lookup where SQLITCH_X beats SQITCH_X.
**
** Memory rule (stated once, for all of core/): every *_new has a *_free,
** every *_free accepts NULL, and a function returning `char *` hands the
** caller ownership (free with free()) unless its comment says "borrowed".
** Allocation failure calls the handler installed with sqlitch_set_oom();
** the faces install one (the CLI prints and exits). Core itself never
** prints, never exits and never aborts.
**
** Example:
**   sqlitch_err err = SQLITCH_ERR_INIT;
**   sqlitch_buf b = SQLITCH_BUF_INIT;
**   sqlitch_buf_addf(&b, "%s=%d", "n", 3);
**   if (sqlitch_read_file("x", &data, &len, &err)) { puts(err.msg); }
**   sqlitch_err_clear(&err);  sqlitch_buf_free(&b);
*/
#ifndef SQLITCH_UTIL_H
#define SQLITCH_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define SQLITCH_VERSION "0.1.0"
#define SQLITCH_SQITCH_VERSION "v1.3.1"

#define SQLITCH_OK 0
#define SQLITCH_ERROR (-1)

#if defined(__GNUC__)
#define SQLITCH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SQLITCH_PRINTF(a, b)
#endif

/* ---------------------------------------------------------------- errors */

/* Error identities, mirroring App::Sqitch::X idents where it matters. */
typedef enum {
  SQLITCH_E_NONE = 0,
  SQLITCH_E_GENERIC, /* any command error */
  SQLITCH_E_IO,      /* file system */
  SQLITCH_E_PARSE,   /* plan/config/URI syntax */
  SQLITCH_E_CONFIG,  /* configuration */
  SQLITCH_E_ENGINE,  /* database engine */
  SQLITCH_E_PRIVATE, /* failure already reported; print nothing more */
  SQLITCH_E_DEV      /* internal bug */
} sqlitch_err_kind;

typedef struct sqlitch_err {
  sqlitch_err_kind kind;
  int exitval; /* 1 soft (stdout via info), 2 hard (stderr), 255 config */
  char *msg;   /* owned; NULL when no error */
  char *file;  /* owned; optional location of bad input */
  int line;    /* 0 when unknown */
} sqlitch_err;

#define SQLITCH_ERR_INIT                                                       \
  { SQLITCH_E_NONE, 0, NULL, NULL, 0 }

/* Set *e (replacing any earlier message) and return SQLITCH_ERROR. */
int sqlitch_err_set(sqlitch_err *e, sqlitch_err_kind kind, int exitval,
                    const char *fmt, ...) SQLITCH_PRINTF(4, 5);
int sqlitch_err_setv(sqlitch_err *e, sqlitch_err_kind kind, int exitval,
                     const char *fmt, va_list ap);
/* Shorthand: hard error (exit 2) of kind GENERIC. */
int sqlitch_err_fail(sqlitch_err *e, const char *fmt, ...) SQLITCH_PRINTF(2, 3);
/* Record where the bad input was. */
void sqlitch_err_at(sqlitch_err *e, const char *file, int line);
void sqlitch_err_clear(sqlitch_err *e);
/* Move src into dst (dst cleared first); src is left cleared. */
void sqlitch_err_move(sqlitch_err *dst, sqlitch_err *src);

/* --------------------------------------------------------------- memory */

typedef void (*sqlitch_oom_fn)(void);
void sqlitch_set_oom(sqlitch_oom_fn fn);
void *sqlitch_malloc(size_t n); /* never returns NULL */
void *sqlitch_calloc(size_t n, size_t sz);
void *sqlitch_realloc(void *p, size_t n);
char *sqlitch_strdup(const char *s); /* NULL in, NULL out */
char *sqlitch_strndup(const char *s, size_t n);
char *sqlitch_mprintf(const char *fmt, ...) SQLITCH_PRINTF(1, 2);
char *sqlitch_vmprintf(const char *fmt, va_list ap);

/* --------------------------------------------------------- string buffer */

typedef struct sqlitch_buf {
  char *p; /* always NUL-terminated when len > 0 or after any add */
  size_t len;
  size_t cap;
} sqlitch_buf;

#define SQLITCH_BUF_INIT                                                       \
  { NULL, 0, 0 }

void sqlitch_buf_grow(sqlitch_buf *b, size_t extra);
void sqlitch_buf_add(sqlitch_buf *b, const char *s);
void sqlitch_buf_addn(sqlitch_buf *b, const char *s, size_t n);
void sqlitch_buf_addc(sqlitch_buf *b, char c);
void sqlitch_buf_addf(sqlitch_buf *b, const char *fmt, ...)
    SQLITCH_PRINTF(2, 3);
void sqlitch_buf_addvf(sqlitch_buf *b, const char *fmt, va_list ap);
/* Repeat c n times. */
void sqlitch_buf_pad(sqlitch_buf *b, char c, size_t n);
void sqlitch_buf_reset(sqlitch_buf *b); /* len = 0, keeps memory */
void sqlitch_buf_truncate(sqlitch_buf *b, size_t len);
const char *sqlitch_buf_str(sqlitch_buf *b); /* borrowed; "" when empty */
char *sqlitch_buf_take(sqlitch_buf *b);      /* caller owns; b is reset */
void sqlitch_buf_free(sqlitch_buf *b);

/* --------------------------------------------------------- string vector */

typedef struct sqlitch_strv {
  char **v; /* owned strings; v[n] is NULL when n > 0 */
  size_t n;
  size_t cap;
} sqlitch_strv;

#define SQLITCH_STRV_INIT                                                      \
  { NULL, 0, 0 }

void sqlitch_strv_push(sqlitch_strv *sv, const char *s); /* copies s */
void sqlitch_strv_pushn(sqlitch_strv *sv, const char *s, size_t n);
void sqlitch_strv_push_owned(sqlitch_strv *sv, char *s); /* takes s */
int sqlitch_strv_contains(const sqlitch_strv *sv, const char *s);
char *sqlitch_strv_join(const sqlitch_strv *sv, const char *sep);
void sqlitch_strv_sort(sqlitch_strv *sv);
void sqlitch_strv_clear(sqlitch_strv *sv);
void sqlitch_strv_free(sqlitch_strv *sv);

/* ----------------------------------------------------------------- arena */

typedef struct sqlitch_arena sqlitch_arena;
sqlitch_arena *sqlitch_arena_new(void);
void sqlitch_arena_free(sqlitch_arena *a);
void *sqlitch_arena_alloc(sqlitch_arena *a, size_t n); /* zeroed */
char *sqlitch_arena_strdup(sqlitch_arena *a, const char *s);
char *sqlitch_arena_strndup(sqlitch_arena *a, const char *s, size_t n);
char *sqlitch_arena_printf(sqlitch_arena *a, const char *fmt, ...)
    SQLITCH_PRINTF(2, 3);

/* ----------------------------------------------------------------- files */

/* Read a whole file; *data is NUL-terminated and owned by the caller. */
int sqlitch_read_file(const char *path, char **data, size_t *len,
                      sqlitch_err *err);
/* Write via "<path>.sqlitch-tmp-<pid>" then rename, so readers never see a
   half-written file. */
int sqlitch_write_file_atomic(const char *path, const char *data, size_t len,
                              sqlitch_err *err);
/* Create a directory and its parents; `created` (may be NULL) receives the
   directories actually created, outermost first. */
int sqlitch_mkpath(const char *dir, sqlitch_strv *created, sqlitch_err *err);
int sqlitch_path_exists(const char *path);
int sqlitch_is_file(const char *path);
int sqlitch_is_dir(const char *path);
/* Join two path parts the way Path::Class does for relative paths:
   "." + "x" = "x", "a" + "b" = "a/b", "" + "b" = "b". */
char *sqlitch_path_join(const char *a, const char *b);
/* Path::Class-style cleanup: collapse "//", drop "./" segments, strip a
   trailing "/". Does not resolve "..". */
char *sqlitch_path_clean(const char *p);
const char *sqlitch_path_basename(const char *p); /* borrowed */
char *sqlitch_path_dirname(const char *p);        /* "." when none */

/* ------------------------------------------------------------ environment */

/* Look up SQITCH_<x>; the SQLITCH_<x> twin wins when both are set.
   `name` is given without prefix, e.g. sqlitch_getenv("CONFIG"). */
const char *sqlitch_getenv(const char *name);

/* --------------------------------------------------------------- strings */

int sqlitch_streq(const char *a, const char *b); /* NULL-safe */
int sqlitch_strcaseeq(const char *a, const char *b);
int sqlitch_starts_with(const char *s, const char *prefix);
int sqlitch_ends_with(const char *s, const char *suffix);
/* Perl truthiness of a string: NULL, "" and "0" are false. */
int sqlitch_perl_true(const char *s);
/* Lower-case ASCII copy. */
char *sqlitch_strlower(const char *s);
/* Trim ASCII/Unicode horizontal and vertical whitespace from both ends. */
char *sqlitch_strtrim(const char *s);

/* UTF-8: decode one code point at *p (advancing it); returns -1 when the
   bytes are not valid UTF-8. */
int32_t sqlitch_utf8_decode(const char **p, const char *end);
int sqlitch_utf8_valid(const char *s, size_t len);
/* Number of code points (for column widths). */
size_t sqlitch_utf8_len(const char *s);

/* -------------------------------------------------------------- hashing */

/* Lower-case hex SHA-1 of the bytes; out must hold 41 bytes. */
void sqlitch_sha1_hex(const void *data, size_t len, char out[41]);

typedef struct sqlitch_sha1_ctx {
  uint32_t h[5];
  uint64_t total;
  unsigned char block[64];
  size_t used;
} sqlitch_sha1_ctx;
void sqlitch_sha1_init(sqlitch_sha1_ctx *c);
void sqlitch_sha1_update(sqlitch_sha1_ctx *c, const void *data, size_t len);
void sqlitch_sha1_final_hex(sqlitch_sha1_ctx *c, char out[41]);
/* SHA-1 of a file's raw bytes; returns 0 and sets out, or -1 if the file
   cannot be read (out untouched). */
int sqlitch_sha1_file(const char *path, char out[41]);

/* ------------------------------------------------------------------ time */

/* Current wall-clock time in seconds since the epoch, with a fraction. */
double sqlitch_now(void);

#endif /* SQLITCH_UTIL_H */
