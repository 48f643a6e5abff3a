/*
** cmd_config.c -- `sqlitch config`: get and set local, user or system
** options (App::Sqitch::Command::config).
**
**   sqlitch config [--local|--user|--system|--file <f>] [<type>] <action>
**
** Actions: <key> (get), <key> <value> [<value-regex>] (set), --get,
** --get-all, --get-regex(p), --add, --replace-all, --unset, --unset-all,
** --rename-section, --remove-section, --list/-l, --edit/-e. Types: --bool,
** --int, --num, --bool-or-int. One scope, one type and one action at a
** time.
**
** As in Sqitch, reads (--get, --get-all, --get-regex) always look at the
** merged configuration, whatever the scope; --list lists only the scope's
** file when --local/--user/--system is given (but the merged view for
** --file). Writes edit one file: the scope's, --file's, or by default the
** local one (core/config_write.c does the editing).
**
** --edit runs the editor on the file as Sqitch's `shell` does (through
** shell/editor.h).
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "editor.h"
#include "shell.h"

static const char *const opts[] = {"file|config-file|f=s",
                                   "local",
                                   "user|global",
                                   "system",
                                   "int",
                                   "bool",
                                   "bool-or-int",
                                   "num",
                                   "get",
                                   "get-all",
                                   "get-regex|get-regexp",
                                   "add",
                                   "replace-all",
                                   "unset",
                                   "unset-all",
                                   "rename-section",
                                   "remove-section",
                                   "list|l",
                                   "edit|e",
                                   NULL};

typedef struct cfg_cmd {
  sh_ctx *ctx;
  const char *file;    /* the file to write (or list) */
  const char *context; /* "local", "user", "system" or NULL */
  const char *type;    /* "bool", "int", "num", "bool-or-int" or NULL */
} cfg_cmd;

typedef int (*action_fn)(cfg_cmd *c, int argc, char **argv, sqlitch_err *err);

/* ------------------------------------------------------------ helpers */

static int usage(cfg_cmd *c, const char *msg) {
  fflush(stdout);
  sh_vent(c->ctx, "%s", msg);
  sh_usage(c->ctx, "config");
  return 2;
}

/* GitLike's value filter, compiled on first use as Perl does (a bad
   pattern is an error only when there is a value to test). */
typedef struct lazy_filter {
  const char *rx;
  sqlitch_config_filter *f;
} lazy_filter;

/* 1 keep, 0 drop, SQLITCH_ERROR for a bad pattern. */
static int lazy_match(lazy_filter *l, const char *value, sqlitch_err *err) {
  const char *rx = l->rx;
  if (!rx || !*rx) return 1;
  if (strcmp(rx, "!") == 0) return 0;
  if (!value) return rx[0] == '!';
  if (!l->f && sqlitch_config_filter_new(rx, &l->f, err)) return SQLITCH_ERROR;
  return sqlitch_config_filter_match(l->f, value);
}

/* Values of a key in the merged view, after GitLike's filter. Returns the
   count, or SQLITCH_ERROR for a bad key or pattern. *out owned by caller. */
static int filtered(cfg_cmd *c, const char *key, const char *rx,
                    const char ***out, sqlitch_err *err) {
  char *canon = sqlitch_config_canon_key(key);
  *out = NULL;
  if (!canon)
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                           "No section given in key: %s\n", key);
  free(canon);
  const char **vals;
  size_t n = sqlitch_config_get_all(c->ctx->config, key, &vals), k = 0;
  lazy_filter lf = {rx, NULL};
  int rc = SQLITCH_OK;
  for (size_t i = 0; i < n && rc == SQLITCH_OK; i++) {
    int m = lazy_match(&lf, vals[i], err);
    if (m < 0)
      rc = SQLITCH_ERROR;
    else if (m)
      vals[k++] = vals[i];
  }
  sqlitch_config_filter_free(lf.f);
  if (rc) {
    free(vals);
    return SQLITCH_ERROR;
  }
  *out = vals;
  return (int)k;
}

static int soft_fail(sqlitch_err *err) {
  return sqlitch_err_set(err, SQLITCH_E_CONFIG, 1, "%s", "");
}

static int do_cast(cfg_cmd *c, const char *v, char **out, sqlitch_err *err) {
  return sqlitch_config_cast(v, c->type, 1, out, err);
}

/* ------------------------------------------------------------ actions */

static int act_get(cfg_cmd *c, int argc, char **argv, sqlitch_err *err) {
  if (argc < 1 || !*argv[0]) return usage(c, "Wrong number of arguments.");
  const char **vals;
  int n = filtered(c, argv[0], argc > 1 ? argv[1] : NULL, &vals, err);
  if (n < 0) return SQLITCH_ERROR;
  if (n > 1) {
    free(vals);
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                           "More then one value for the key \"%s\"", argv[0]);
  }
  char *v = NULL;
  int rc = n ? do_cast(c, vals[0], &v, err) : SQLITCH_OK;
  free(vals);
  if (rc) return SQLITCH_ERROR;
  if (!v) return soft_fail(err);
  sh_emit(c->ctx, "%s", v);
  free(v);
  return 0;
}

static int act_get_all(cfg_cmd *c, int argc, char **argv, sqlitch_err *err) {
  if (argc < 1 || !*argv[0]) return usage(c, "Wrong number of arguments.");
  const char **vals;
  int n = filtered(c, argv[0], argc > 1 ? argv[1] : NULL, &vals, err);
  if (n < 0) return SQLITCH_ERROR;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (int i = 0; i < n; i++) {
    char *v;
    if (do_cast(c, vals[i], &v, err)) {
      free(vals);
      sqlitch_buf_free(&b);
      return SQLITCH_ERROR;
    }
    if (i) sqlitch_buf_addc(&b, '\n');
    if (v) sqlitch_buf_add(&b, v);
    free(v);
  }
  free(vals);
  if (n == 0) return soft_fail(err);
  sh_emit(c->ctx, "%s", sqlitch_buf_str(&b));
  sqlitch_buf_free(&b);
  return 0;
}

static int act_get_regex(cfg_cmd *c, int argc, char **argv, sqlitch_err *err) {
  if (argc < 1 || !*argv[0]) return usage(c, "Wrong number of arguments.");
  const char *rx = argc > 1 ? argv[1] : NULL;
  const char **keys;
  size_t nk = sqlitch_config_keys(c->ctx->config, &keys);
  sqlitch_buf out = SQLITCH_BUF_INIT;
  lazy_filter lf = {rx, NULL};
  int rc = SQLITCH_OK, found = 0, filtering = rx && *rx;
  for (size_t i = 0; i < nk && rc == SQLITCH_OK; i++) {
    int m = sqlitch_config_regex_match(argv[0], keys[i], err);
    if (m < 0) {
      rc = SQLITCH_ERROR;
      break;
    }
    if (!m) continue;
    const char **vals;
    size_t n = sqlitch_config_get_all(c->ctx->config, keys[i], &vals), k = 0;
    for (size_t j = 0; j < n && rc == SQLITCH_OK; j++) {
      int keep = lazy_match(&lf, vals[j], err);
      if (keep < 0)
        rc = SQLITCH_ERROR;
      else if (keep)
        vals[k++] = vals[j];
    }
    if (rc || (k == 0 && (filtering || n > 0))) {
      free(vals);
      continue;
    }
    sqlitch_buf line = SQLITCH_BUF_INIT;
    int multi = sqlitch_config_is_multiple(c->ctx->config, keys[i]);
    for (size_t j = 0; j < k && rc == SQLITCH_OK; j++) {
      char *v;
      if (do_cast(c, vals[j], &v, err)) {
        rc = SQLITCH_ERROR;
        break;
      }
      if (j) sqlitch_buf_add(&line, ", ");
      if (v) sqlitch_buf_add(&line, v);
      free(v);
    }
    if (rc == SQLITCH_OK) {
      if (found++) sqlitch_buf_addc(&out, '\n');
      if (multi)
        sqlitch_buf_addf(&out, "%s=[%s]", keys[i], sqlitch_buf_str(&line));
      else if (k == 1 && vals[0])
        sqlitch_buf_addf(&out, "%s=%s", keys[i], sqlitch_buf_str(&line));
      else
        sqlitch_buf_add(&out, keys[i]);
    }
    sqlitch_buf_free(&line);
    free(vals);
  }
  sqlitch_config_filter_free(lf.f);
  free(keys);
  if (rc == SQLITCH_OK && !found) rc = soft_fail(err);
  if (rc == SQLITCH_OK) sh_emit(c->ctx, "%s", sqlitch_buf_str(&out));
  sqlitch_buf_free(&out);
  return rc;
}

static int write_key(cfg_cmd *c, int argc, char **argv, int multiple,
                     int replace_all, int takes_rx, sqlitch_err *err) {
  if (argc < 2 || !*argv[0]) return usage(c, "Wrong number of arguments.");
  const char *rx = takes_rx && argc > 2 ? argv[2] : NULL;
  if (sqlitch_config_write(c->file, argv[0], argv[1], rx, c->type, multiple,
                           replace_all, err))
    return SQLITCH_ERROR;
  return 0;
}

static int act_set(cfg_cmd *c, int argc, char **argv, sqlitch_err *err) {
  return write_key(c, argc, argv, 0, 0, 1, err);
}

static int act_add(cfg_cmd *c, int argc, char **argv, sqlitch_err *err) {
  return write_key(c, argc, argv, 1, 0, 0, err);
}

static int act_replace_all(cfg_cmd *c, int argc, char **argv,
                           sqlitch_err *err) {
  return write_key(c, argc, argv, 1, 1, 1, err);
}

static int unset_key(cfg_cmd *c, int argc, char **argv, int all,
                     sqlitch_err *err) {
  if (argc < 1 || !*argv[0]) return usage(c, "Wrong number of arguments.");
  if (sqlitch_config_write(c->file, argv[0], NULL, argc > 1 ? argv[1] : NULL,
                           NULL, all, 0, err))
    return SQLITCH_ERROR;
  return 0;
}

static int act_unset(cfg_cmd *c, int argc, char **argv, sqlitch_err *err) {
  return unset_key(c, argc, argv, 0, err);
}

static int act_unset_all(cfg_cmd *c, int argc, char **argv, sqlitch_err *err) {
  return unset_key(c, argc, argv, 1, err);
}

static int act_list(cfg_cmd *c, int argc, char **argv, sqlitch_err *err) {
  sqlitch_config *cfg = c->ctx->config, *own = NULL;
  (void)argc;
  (void)argv;
  if (c->context) {
    if (!sqlitch_path_exists(c->file)) return 0;
    if (sqlitch_is_file(c->file) && access(c->file, R_OK) == 0) {
      /* a fresh object holding only this file */
      own = sqlitch_config_new();
      if (sqlitch_config_load_file(own, c->file, SQLITCH_SCOPE_FILE, 0, err)) {
        sqlitch_config_free(own);
        if (err->exitval == 255) { /* vented by Sqitch: exit 2, blank line */
          char *m = sqlitch_mprintf("%s\n", err->msg);
          sqlitch_err_set(err, SQLITCH_E_CONFIG, 2, "%s", m);
          free(m);
        }
        return SQLITCH_ERROR;
      }
      cfg = own;
    }
    /* else: GitLike finds nothing loaded and loads everything */
  }
  char *d = sqlitch_config_dump_text(cfg);
  sh_emit(c->ctx, "%s", d);
  free(d);
  sqlitch_config_free(own);
  return 0;
}

static int act_edit(cfg_cmd *c, int argc, char **argv, sqlitch_err *err) {
  (void)argc;
  (void)argv;
  sqlitch_strv files = SQLITCH_STRV_INIT;
  sqlitch_strv_push(&files, c->file);
  int rc = sh_editor_open(c->ctx, &files, err);
  sqlitch_strv_free(&files);
  return rc ? SQLITCH_ERROR : 0;
}

static int act_rename_section(cfg_cmd *c, int argc, char **argv,
                              sqlitch_err *err) {
  if (argc < 2 || !*argv[0] || !*argv[1])
    return usage(c, "Wrong number of arguments.");
  return sqlitch_config_rename_section(c->file, argv[0], argv[1], err) ? -1 : 0;
}

static int act_remove_section(cfg_cmd *c, int argc, char **argv,
                              sqlitch_err *err) {
  if (argc < 1 || !*argv[0]) return usage(c, "Wrong number of arguments.");
  return sqlitch_config_remove_section(c->file, argv[0], err) ? -1 : 0;
}

/* The actions, in Sqitch's order (which matters only for the check that
   one is given). */
static const struct {
  const char *opt;
  action_fn fn;
} actions[] = {
    {"get", act_get},
    {"get-all", act_get_all},
    {"get-regex", act_get_regex},
    {"unset", act_unset},
    {"list", act_list},
    {"edit", act_edit},
    {"add", act_add},
    {"replace-all", act_replace_all},
    {"unset-all", act_unset_all},
    {"rename-section", act_rename_section},
    {"remove-section", act_remove_section},
    {NULL, NULL},
};

static const char *const scopes[] = {"local", "user", "system", NULL};
static const char *const types[] = {"bool", "int", "num", "bool-or-int", NULL};

static int run(sh_ctx *ctx, sh_opts *o, int argc, char **argv,
               sqlitch_err *err) {
  cfg_cmd c = {ctx, NULL, NULL, NULL};
  const char *file = sh_opt_str(o, "file");
  int nfile = sqlitch_perl_true(file), ntype = 0, nact = 0;
  action_fn fn = NULL;

  for (int i = 0; scopes[i]; i++)
    if (sh_opt_bool(o, scopes[i], 0)) {
      if (!c.context) c.context = scopes[i];
      nfile++;
    }
  if (nfile > 1) return usage(&c, "Only one config file at a time.");
  for (int i = 0; types[i]; i++)
    if (sh_opt_bool(o, types[i], 0)) {
      if (!c.type) c.type = types[i];
      ntype++;
    }
  if (ntype > 1) return usage(&c, "Only one type at a time.");
  for (int i = 0; actions[i].opt; i++)
    if (sh_opt_bool(o, actions[i].opt, 0)) {
      if (!fn) fn = actions[i].fn;
      nact++;
    }
  if (nact > 1) return usage(&c, "Only one action at a time.");

  if (sqlitch_perl_true(file))
    c.file = file;
  else if (c.context && strcmp(c.context, "user") == 0)
    c.file = sqlitch_config_user_file(ctx->config);
  else if (c.context && strcmp(c.context, "system") == 0)
    c.file = sqlitch_config_system_file(ctx->config);
  else
    c.file = sqlitch_config_local_file(ctx->config);
  if (!c.file)
    return sqlitch_err_set(err, SQLITCH_E_CONFIG, 2,
                           "Could not determine home directory");

  if (!fn) fn = argc > 1 ? act_set : act_get;
  return fn(&c, argc, argv, err);
}

const sh_cmd sh_cmd_config = {"config", opts, run};
