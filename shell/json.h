/*
** json.h -- a tiny streaming JSON writer for the CLI's machine-readable
** output (`plan --json`, `show --json`, the structured log). It only
** writes: values go straight into a sqlitch_buf, commas and nesting are
** tracked for you, and strings are escaped so that the result is always
** valid UTF-8 JSON whatever bytes the input holds.
**
**   sqlitch_buf out = SQLITCH_BUF_INIT;
**   sh_json j;
**   sh_json_init(&j, &out);
**   sh_json_object(&j, NULL);              // {        (top level: no key)
**   sh_json_str(&j, "name", "users");      // "name":"users"
**   sh_json_array(&j, "tags");             // ,"tags":[
**   sh_json_str(&j, NULL, "@v1.0");        // "@v1.0"  (in arrays: no key)
**   sh_json_end(&j);                       // ]
**   sh_json_null(&j, "note");              // ,"note":null
**   sh_json_end(&j);                       // }
**   sqlitch_buf_addc(&out, '\n');          // one document per line
**   fputs(out.p, stdout);
**   sh_json_free(&j);
**   sqlitch_buf_free(&out);
**
** Rules: inside an object every value needs a key; inside an array and at
** the top level the key must be NULL (a key given there is ignored).
** sh_json_str() with a NULL value writes null. Output is compact (no
** spaces), keys appear in the order written, and numbers are finite
** (NaN and infinities become null).
**
** Escaping (sh_json_quote): `"` and `\` are escaped, control characters
** become \n \t \r \b \f or \u00XX, U+2028/U+2029 become \u2028/\u2029, and
** bytes that are not valid UTF-8 become U+FFFD. Everything else is copied.
**
** The output buffer belongs to the caller; the writer owns only its
** nesting stack, released by sh_json_free() (NULL-safe, idempotent).
** sh_json_free() does not close open objects: finish them first.
*/
#ifndef SQLITCH_SHELL_JSON_H
#define SQLITCH_SHELL_JSON_H

#include <stddef.h>

#include "util.h"

typedef struct sh_json {
  sqlitch_buf *out;  /* borrowed */
  sqlitch_buf stack; /* one byte per open level: '{' or '[', | 0x80 once
                        the level holds a value */
  int top_items;     /* values written at the top level */
} sh_json;

void sh_json_init(sh_json *j, sqlitch_buf *out);
void sh_json_free(sh_json *j);

/* Open an object or an array (closed by sh_json_end). */
void sh_json_object(sh_json *j, const char *key);
void sh_json_array(sh_json *j, const char *key);
void sh_json_end(sh_json *j);

/* Scalars. */
void sh_json_str(sh_json *j, const char *key, const char *val);
void sh_json_strn(sh_json *j, const char *key, const char *val, size_t n);
void sh_json_int(sh_json *j, const char *key, long long val);
void sh_json_num(sh_json *j, const char *key, double val);
void sh_json_bool(sh_json *j, const char *key, int val);
void sh_json_null(sh_json *j, const char *key);

/* Append `s` (n bytes) as a quoted, escaped JSON string. */
void sh_json_quote(sqlitch_buf *b, const char *s, size_t n);

#endif
