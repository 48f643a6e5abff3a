/*
** opts.c -- Getopt::Long-compatible option parsing (see opts.h).
**
** Behaviour reproduced from Getopt::Long with Configure(qw(bundling)):
**   - "--name", "--name=value", "--name value"; long names match
**     case-insensitively and by unique prefix ("--form" = "--format" unless
**     ambiguous: "Option form is ambiguous (form-x, format)").
**   - single-dash arguments are bundles of one-letter options ("-vvv",
**     "-yn3"); a letter that takes a value takes the rest of the bundle or
**     the next argument.
**   - a mandatory value is the next argument whatever it looks like.
**   - "--no-x" / "--nox" negate "x!" options.
**   - "--" ends option processing; "-" alone is an argument.
**   - parsing goes on after an error; every message is reported, one per
**     line, and the result is an error.
*/
#include "opts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { T_FLAG, T_NEG, T_COUNT, T_STR, T_INT } opt_type;

typedef struct {
  char *names[8];
  int nnames;
  opt_type type;
  int optional; /* ":s" */
  int list;     /* "@" */
  int hash;     /* "%" */
} spec_t;

typedef struct {
  char *name; /* primary name */
  int given;
  int ival;          /* flags and counters */
  sqlitch_strv vals; /* strings, lists, hash items */
} value_t;

struct sh_opts {
  value_t *v;
  size_t n, cap;
};

static const sqlitch_strv empty_list = SQLITCH_STRV_INIT;

sh_opts *sh_opts_new(void) { return sqlitch_calloc(1, sizeof(sh_opts)); }

void sh_opts_free(sh_opts *o) {
  if (!o) return;
  for (size_t i = 0; i < o->n; i++) {
    free(o->v[i].name);
    sqlitch_strv_free(&o->v[i].vals);
  }
  free(o->v);
  free(o);
}

static value_t *find_value(const sh_opts *o, const char *name) {
  for (size_t i = 0; i < o->n; i++)
    if (strcmp(o->v[i].name, name) == 0) return &o->v[i];
  return NULL;
}

static value_t *get_value(sh_opts *o, const char *name) {
  value_t *v = find_value(o, name);
  if (v) return v;
  if (o->n == o->cap) {
    o->cap = o->cap ? o->cap * 2 : 8;
    o->v = sqlitch_realloc(o->v, o->cap * sizeof(value_t));
  }
  v = &o->v[o->n++];
  memset(v, 0, sizeof *v);
  v->name = sqlitch_strdup(name);
  return v;
}

static void parse_spec(const char *s, spec_t *sp) {
  memset(sp, 0, sizeof *sp);
  const char *end = s + strcspn(s, "=:!+");
  const char *p = s;
  while (p < end && sp->nnames < 8) {
    const char *bar = memchr(p, '|', (size_t)(end - p));
    const char *e = bar ? bar : end;
    sp->names[sp->nnames++] = sqlitch_strndup(p, (size_t)(e - p));
    p = bar ? bar + 1 : end;
  }
  sp->type = T_FLAG;
  if (*end == '!')
    sp->type = T_NEG;
  else if (*end == '+')
    sp->type = T_COUNT;
  else if (*end == '=' || *end == ':') {
    sp->optional = *end == ':';
    sp->type = end[1] == 'i' ? T_INT : T_STR;
    sp->list = strchr(end, '@') != NULL;
    sp->hash = strchr(end, '%') != NULL;
  }
}

static void free_spec(spec_t *sp) {
  for (int i = 0; i < sp->nnames; i++)
    free(sp->names[i]);
}

static int takes_value(const spec_t *sp) {
  return sp->type == T_STR || sp->type == T_INT;
}

static int is_int(const char *s) {
  if (*s == '-' || *s == '+') s++;
  if (!*s) return 0;
  for (; *s; s++)
    if (!isdigit((unsigned char)*s)) return 0;
  return 1;
}

/* Store a value; returns 0 or appends an error message. */
static int store(sh_opts *o, const spec_t *sp, const char *typed,
                 const char *val, sqlitch_buf *msgs) {
  value_t *v;
  if (sp->type == T_INT && val && !is_int(val)) {
    if (!(sp->optional && !*val)) {
      sqlitch_buf_addf(msgs,
                       "Value \"%s\" invalid for option %s (number expected)\n",
                       val, typed);
      return -1;
    }
  }
  if (sp->hash && val && !strchr(val, '=')) {
    sqlitch_buf_addf(msgs, "Option %s, key \"%s\", requires a value\n", typed,
                     val);
    return -1;
  }
  v = get_value(o, sp->names[0]);
  v->given = 1;
  switch (sp->type) {
  case T_FLAG: v->ival = 1; break;
  case T_COUNT: v->ival++; break;
  case T_NEG: v->ival = val ? 0 : 1; break; /* val != NULL means negated */
  default:
    if (!sp->list && !sp->hash) sqlitch_strv_clear(&v->vals);
    if (sp->type == T_INT && val && *val) {
      char buf[32];
      snprintf(buf, sizeof buf, "%ld", strtol(val, NULL, 10));
      sqlitch_strv_push(&v->vals, buf);
    } else {
      sqlitch_strv_push(&v->vals, val ? val : "");
    }
  }
  return 0;
}

/* Find a long option by exact name, negated name, or unique prefix. */
static int find_long(const spec_t *specs, int nspecs, const char *name,
                     size_t len, int *negated, sqlitch_buf *msgs,
                     const char *typed) {
  int hit = -1, nhits = 0;
  sqlitch_strv cands = SQLITCH_STRV_INIT;
  *negated = 0;
  /* exact first */
  for (int i = 0; i < nspecs; i++) {
    for (int j = 0; j < specs[i].nnames; j++) {
      const char *n = specs[i].names[j];
      if (strlen(n) == len && strncasecmp(n, name, len) == 0) return i;
      if (specs[i].type == T_NEG) {
        if (len == strlen(n) + 3 && strncasecmp(name, "no-", 3) == 0 &&
            strncasecmp(name + 3, n, len - 3) == 0) {
          *negated = 1;
          return i;
        }
        if (len == strlen(n) + 2 && strncasecmp(name, "no", 2) == 0 &&
            strncasecmp(name + 2, n, len - 2) == 0) {
          *negated = 1;
          return i;
        }
      }
    }
  }
  /* unique prefix over all long names (and their negations) */
  for (int i = 0; i < nspecs; i++) {
    for (int j = 0; j < specs[i].nnames; j++) {
      const char *n = specs[i].names[j];
      if (strlen(n) > len && strncasecmp(n, name, len) == 0) {
        if (hit != i || !sqlitch_strv_contains(&cands, n)) {
          if (hit != i) nhits++;
          hit = i;
          sqlitch_strv_push(&cands, n);
        }
      }
    }
  }
  if (nhits == 1) {
    sqlitch_strv_free(&cands);
    return hit;
  }
  if (nhits > 1) {
    sqlitch_strv_sort(&cands);
    char *j = sqlitch_strv_join(&cands, ", ");
    sqlitch_buf_addf(msgs, "Option %s is ambiguous (%s)\n", typed, j);
    free(j);
    sqlitch_strv_free(&cands);
    return -2;
  }
  sqlitch_strv_free(&cands);
  return -1;
}

static int find_short(const spec_t *specs, int nspecs, char c) {
  for (int i = 0; i < nspecs; i++)
    for (int j = 0; j < specs[i].nnames; j++)
      if (specs[i].names[j][0] == c && specs[i].names[j][1] == 0) return i;
  return -1;
}

int sh_opts_parse(sh_opts *o, const char *const *specstr, int *argc,
                  char **argv, int pass_through, sqlitch_err *err) {
  int nspecs = 0;
  while (specstr && specstr[nspecs])
    nspecs++;
  spec_t *specs = sqlitch_calloc((size_t)nspecs + 1, sizeof(spec_t));
  for (int i = 0; i < nspecs; i++)
    parse_spec(specstr[i], &specs[i]);

  sqlitch_buf msgs = SQLITCH_BUF_INIT;
  int out = 0, i = 0, n = *argc;
  char **rest = sqlitch_calloc((size_t)n + 1, sizeof(char *));
  int nrest = 0;

  while (i < n) {
    char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      if (pass_through) rest[nrest++] = a;
      i++;
      while (i < n)
        rest[nrest++] = argv[i++];
      break;
    }
    if (a[0] != '-' || a[1] == 0) {
      rest[nrest++] = a;
      i++;
      continue;
    }
    if (a[1] == '-') {
      /* long option */
      const char *name = a + 2;
      const char *eq = strchr(name, '=');
      size_t len = eq ? (size_t)(eq - name) : strlen(name);
      char *typed = sqlitch_strndup(name, len);
      int neg;
      int k = find_long(specs, nspecs, name, len, &neg, &msgs, typed);
      i++;
      if (k == -2) {
        free(typed);
        continue;
      }
      if (k < 0) {
        if (pass_through)
          rest[nrest++] = a;
        else
          sqlitch_buf_addf(&msgs, "Unknown option: %s\n", typed);
        free(typed);
        continue;
      }
      const spec_t *sp = &specs[k];
      if (!takes_value(sp)) {
        if (eq)
          sqlitch_buf_addf(&msgs, "Option %s does not take an argument\n",
                           typed);
        else
          store(o, sp, typed, neg ? "" : NULL, &msgs);
      } else if (eq) {
        if (!eq[1] && !sp->optional)
          sqlitch_buf_addf(&msgs, "Option %s requires an argument\n", typed);
        else
          store(o, sp, typed, eq + 1, &msgs);
      } else if (sp->optional) {
        if (i < n && (argv[i][0] != '-' || argv[i][1] == 0) &&
            (sp->type != T_INT || is_int(argv[i])))
          store(o, sp, typed, argv[i++], &msgs);
        else
          store(o, sp, typed, "", &msgs);
      } else if (i < n) {
        store(o, sp, typed, argv[i++], &msgs);
      } else {
        sqlitch_buf_addf(&msgs, "Option %s requires an argument\n", typed);
      }
      free(typed);
      continue;
    }
    /* bundle of single-letter options */
    i++;
    int passed = 0;
    for (const char *p = a + 1; *p; p++) {
      int k = find_short(specs, nspecs, *p);
      char typed[2] = {*p, 0};
      if (k < 0) {
        if (pass_through) {
          if (!passed) rest[nrest++] = a;
          passed = 1;
          break;
        }
        sqlitch_buf_addf(&msgs, "Unknown option: %s\n", typed);
        continue;
      }
      const spec_t *sp = &specs[k];
      if (!takes_value(sp)) {
        store(o, sp, typed, NULL, &msgs);
        continue;
      }
      if (p[1]) {
        store(o, sp, typed, p + 1, &msgs);
      } else if (sp->optional) {
        if (i < n && (argv[i][0] != '-' || argv[i][1] == 0) &&
            (sp->type != T_INT || is_int(argv[i])))
          store(o, sp, typed, argv[i++], &msgs);
        else
          store(o, sp, typed, "", &msgs);
      } else if (i < n) {
        store(o, sp, typed, argv[i++], &msgs);
      } else {
        sqlitch_buf_addf(&msgs, "Option %s requires an argument\n", typed);
      }
      break;
    }
  }
  for (int k = 0; k < nrest; k++)
    argv[out++] = rest[k];
  argv[out] = NULL;
  *argc = out;
  free(rest);
  for (int k = 0; k < nspecs; k++)
    free_spec(&specs[k]);
  free(specs);
  if (msgs.len) {
    sqlitch_buf_truncate(&msgs, msgs.len - 1);
    sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "%s", msgs.p);
    sqlitch_buf_free(&msgs);
    return SQLITCH_ERROR;
  }
  sqlitch_buf_free(&msgs);
  return SQLITCH_OK;
}

int sh_opt_has(const sh_opts *o, const char *name) {
  const value_t *v = find_value(o, name);
  return v && v->given;
}

const char *sh_opt_str(const sh_opts *o, const char *name) {
  const value_t *v = find_value(o, name);
  return v && v->vals.n ? v->vals.v[v->vals.n - 1] : NULL;
}

int sh_opt_bool(const sh_opts *o, const char *name, int dflt) {
  const value_t *v = find_value(o, name);
  if (!v || !v->given) return dflt;
  if (v->vals.n) return sqlitch_perl_true(v->vals.v[v->vals.n - 1]);
  return v->ival;
}

long sh_opt_int(const sh_opts *o, const char *name, long dflt) {
  const char *s = sh_opt_str(o, name);
  return s && *s ? strtol(s, NULL, 10) : dflt;
}

const sqlitch_strv *sh_opt_list(const sh_opts *o, const char *name) {
  const value_t *v = find_value(o, name);
  return v ? &v->vals : &empty_list;
}

void sh_opt_set(sh_opts *o, const char *name, const char *value) {
  value_t *v = get_value(o, name);
  v->given = 1;
  sqlitch_strv_clear(&v->vals);
  sqlitch_strv_push(&v->vals, value);
}
