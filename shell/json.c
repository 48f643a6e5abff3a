/*
** json.c -- the JSON writer declared in json.h: commas, nesting and
** string escaping for the CLI's --json output and structured log.
**
**   sh_json j;  sh_json_init(&j, &buf);
**   sh_json_object(&j, NULL); sh_json_int(&j, "n", 3); sh_json_end(&j);
**   // buf: {"n":3}
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

void sh_json_init(sh_json *j, sqlitch_buf *out) {
  memset(j, 0, sizeof *j);
  j->out = out;
}

void sh_json_free(sh_json *j) {
  if (!j) return;
  sqlitch_buf_free(&j->stack);
}

#define HAS_ITEMS 0x80

/* Comma and key before a value at the current level. */
static void value_start(sh_json *j, const char *key) {
  if (j->stack.len == 0) {
    j->top_items++;
    return;
  }
  unsigned char *top = (unsigned char *)&j->stack.p[j->stack.len - 1];
  if (*top & HAS_ITEMS) sqlitch_buf_addc(j->out, ',');
  *top |= HAS_ITEMS;
  if (key && (*top & ~HAS_ITEMS) == '{') {
    sh_json_quote(j->out, key, strlen(key));
    sqlitch_buf_addc(j->out, ':');
  }
}

static void open_level(sh_json *j, const char *key, char c) {
  value_start(j, key);
  sqlitch_buf_addc(j->out, c);
  sqlitch_buf_addc(&j->stack, c);
}

void sh_json_object(sh_json *j, const char *key) { open_level(j, key, '{'); }
void sh_json_array(sh_json *j, const char *key) { open_level(j, key, '['); }

void sh_json_end(sh_json *j) {
  if (j->stack.len == 0) return;
  unsigned char kind = (unsigned char)j->stack.p[j->stack.len - 1] & ~HAS_ITEMS;
  sqlitch_buf_addc(j->out, kind == '{' ? '}' : ']');
  sqlitch_buf_truncate(&j->stack, j->stack.len - 1);
}

void sh_json_str(sh_json *j, const char *key, const char *val) {
  if (!val) {
    sh_json_null(j, key);
    return;
  }
  sh_json_strn(j, key, val, strlen(val));
}

void sh_json_strn(sh_json *j, const char *key, const char *val, size_t n) {
  value_start(j, key);
  sh_json_quote(j->out, val, n);
}

void sh_json_int(sh_json *j, const char *key, long long val) {
  value_start(j, key);
  sqlitch_buf_addf(j->out, "%lld", val);
}

void sh_json_num(sh_json *j, const char *key, double val) {
  if (!isfinite(val)) {
    sh_json_null(j, key);
    return;
  }
  value_start(j, key);
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%.6f", val);
  /* trim trailing zeros, keep at least one digit after the point */
  size_t n = strlen(tmp);
  while (n > 2 && tmp[n - 1] == '0' && tmp[n - 2] != '.')
    n--;
  sqlitch_buf_addn(j->out, tmp, n);
}

void sh_json_bool(sh_json *j, const char *key, int val) {
  value_start(j, key);
  sqlitch_buf_add(j->out, val ? "true" : "false");
}

void sh_json_null(sh_json *j, const char *key) {
  value_start(j, key);
  sqlitch_buf_add(j->out, "null");
}

void sh_json_quote(sqlitch_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const char *p = s, *end = s + n;
  sqlitch_buf_addc(b, '"');
  while (p < end) {
    unsigned char c = (unsigned char)*p;
    if (c >= 0x80) {
      const char *q = p;
      int32_t cp = sqlitch_utf8_decode(&q, end);
      if (cp < 0) {
        sqlitch_buf_add(b, "\\ufffd");
        p++;
      } else if (cp == 0x2028 || cp == 0x2029) {
        sqlitch_buf_add(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
        p = q;
      } else {
        sqlitch_buf_addn(b, p, (size_t)(q - p));
        p = q;
      }
      continue;
    }
    switch (c) {
    case '"': sqlitch_buf_add(b, "\\\""); break;
    case '\\': sqlitch_buf_add(b, "\\\\"); break;
    case '\n': sqlitch_buf_add(b, "\\n"); break;
    case '\r': sqlitch_buf_add(b, "\\r"); break;
    case '\t': sqlitch_buf_add(b, "\\t"); break;
    case '\b': sqlitch_buf_add(b, "\\b"); break;
    case '\f': sqlitch_buf_add(b, "\\f"); break;
    default:
      if (c < 0x20) {
        sqlitch_buf_add(b, "\\u00");
        sqlitch_buf_addc(b, hex[c >> 4]);
        sqlitch_buf_addc(b, hex[c & 15]);
      } else {
        sqlitch_buf_addc(b, (char)c);
      }
    }
    p++;
  }
  sqlitch_buf_addc(b, '"');
}
