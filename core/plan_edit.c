/*
** plan_edit.c -- changing a plan the way `sqitch add`, `tag` and `rework`
** do (Plan.pm add/tag/rework/_parse_deps/_check_dependencies), and the
** script paths of a change (Change.pm path_segments/deploy_file).
**
**   sqlitch_strv req = SQLITCH_STRV_INIT;
**   sqlitch_strv_push(&req, "users");
**   long i = sqlitch_plan_add(plan, "widgets", &req, NULL, "Adds widgets",
**                             "Marge", "marge@example.com",
**                             "2024-01-15T10:33:00Z", &err);
**   if (i < 0) puts(err.msg);   // e.g. Cannot add change "widgets":
**                               //      requires unknown change "users"
**   sqlitch_plan_save(plan, NULL, &err);
**
** The note passed in is stored as given: run -n values through
** sqlitch_note_unescape() first (as Sqitch's Change->new does); a note
** typed in the editor is stored verbatim. After each change the IDs and
** lookup tables are recomputed as if the plan had been parsed again, with
** one exception kept from Sqitch: the reworked instance gets the rework tag
** in memory (so its script is "name@TAG.ext") exactly as `sqitch rework`
** sees it.
*/
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plan_int.h"

static int perl_true(const char *s) { return s && *s && strcmp(s, "0"); }

void sqlitch_plan_timestamp_now(char out[32]) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* _parse_deps: uniq, parse ("!"-prefixed for conflicts), force the kind. */
static int parse_dep_list(sqlitch_plan *plan, const sqlitch_strv *list,
                          int conflicts, sqlitch_dep **out, size_t *n,
                          size_t reserve, sqlitch_err *err) {
  size_t cnt = list ? list->n : 0;
  *out = sqlitch_arena_alloc(plan->arena, (cnt + reserve + 1) * sizeof **out);
  *n = reserve;
  pcre2_match_data *md = plan_rx_md_new();
  sqlitch_buf s = SQLITCH_BUF_INIT;
  int rc = SQLITCH_OK;
  for (size_t i = 0; i < cnt; i++) {
    const char *v = list->v[i];
    int dup = 0;
    for (size_t j = 0; j < i && !dup; j++)
      dup = !strcmp(list->v[j], v);
    if (dup) continue;
    sqlitch_buf_reset(&s);
    if (conflicts) sqlitch_buf_addc(&s, '!');
    sqlitch_buf_add(&s, v);
    sqlitch_dep d;
    const char *t = sqlitch_buf_str(&s);
    if (!sqlitch_utf8_valid(t, strlen(t)) ||
        !plan_dep_parse(plan->arena, plan->project, t, strlen(t), md, &d)) {
      rc = sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "\"%s\" is not a valid dependency specification", v);
      break;
    }
    d.conflicts = conflicts;
    (*out)[(*n)++] = d;
  }
  sqlitch_buf_free(&s);
  pcre2_match_data_free(md);
  return rc;
}

/* Depend->project: explicit, else the plan's unless an unknown id. */
static const char *dep_project(const sqlitch_plan *plan, const sqlitch_dep *d) {
  if (d->project) return d->project;
  if (!d->id) return plan->project;
  return sqlitch_plan_find(plan, d->id) >= 0 ? plan->project : NULL;
}

static int check_requires(const sqlitch_plan *plan, const char *name,
                          const sqlitch_dep *req, size_t n, const char *action,
                          sqlitch_err *err) {
  sqlitch_buf key = SQLITCH_BUF_INIT;
  int rc = SQLITCH_OK;
  for (size_t i = 0; i < n && rc == SQLITCH_OK; i++) {
    const char *proj = dep_project(plan, &req[i]);
    if (!proj || strcmp(proj, plan->project)) continue;
    sqlitch_buf_reset(&key);
    plan_dep_key(&key, &req[i]);
    size_t klen = key.len;
    int has_at = strchr(sqlitch_buf_str(&key), '@') != NULL;
    if (!has_at) sqlitch_buf_add(&key, "@HEAD");
    long idx;
    int found = plan_lookup(plan, sqlitch_buf_str(&key), &idx, err);
    if (found < 0) {
      rc = SQLITCH_ERROR;
    } else if (!found) {
      sqlitch_buf_truncate(&key, klen);
      rc = sqlitch_err_set(
          err, SQLITCH_E_GENERIC, 2,
          "Cannot %s change \"%s\": requires unknown change \"%s\"", action,
          name, sqlitch_buf_str(&key));
    }
  }
  sqlitch_buf_free(&key);
  return rc;
}

static const char *dup(sqlitch_plan *plan, const char *s) {
  return sqlitch_arena_strdup(plan->arena, s ? s : "");
}

/* Append a change and its line (after an optional blank line). */
static long append_change(sqlitch_plan *plan, const char *name,
                          sqlitch_dep *req, size_t nreq, sqlitch_dep *con,
                          size_t ncon, const char *note,
                          const char *planner_name, const char *planner_email,
                          const char *timestamp, int blank_before) {
  if (blank_before) {
    sqlitch_plan_line *b = plan_grow_lines(plan);
    b->type = SQLITCH_LINE_BLANK;
    b->note = "";
  }
  char ts[32];
  if (!timestamp) sqlitch_plan_timestamp_now(ts);
  size_t ci = plan->nchanges;
  sqlitch_change *c = plan_grow_changes(plan);
  c->name = dup(plan, name);
  c->op = "";
  c->timestamp = dup(plan, timestamp ? timestamp : ts);
  c->planner_name = dup(plan, planner_name);
  c->planner_email = dup(plan, planner_email);
  c->note = dup(plan, note);
  c->requires = req;
  c->nrequires = nreq;
  c->conflicts = con;
  c->nconflicts = ncon;
  c->line = plan->nlines;
  c->lineno = ci ? plan->changes[ci - 1].lineno + 1 : plan->nlines + 1;
  sqlitch_plan_line *l = plan_grow_lines(plan);
  l->type = SQLITCH_LINE_CHANGE;
  l->index = ci;
  l->name = c->name;
  l->pspace = " ";
  l->rspace = perl_true(c->note) ? " " : "";
  l->note = c->note;
  plan_compute_ids(plan);
  plan_reindex(plan);
  plan_resolve_deps(plan);
  return (long)ci;
}

long sqlitch_plan_add(sqlitch_plan *plan, const char *name,
                      const sqlitch_strv *requires,
                      const sqlitch_strv *conflicts, const char *note,
                      const char *planner_name, const char *planner_email,
                      const char *timestamp, sqlitch_err *err) {
  if (sqlitch_name_check(name, SQLITCH_NAME_CHANGE, err)) return SQLITCH_ERROR;
  char *key = sqlitch_mprintf("%s@HEAD", name);
  long idx;
  int rc = plan_lookup(plan, key, &idx, err);
  free(key);
  if (rc < 0) return SQLITCH_ERROR;
  if (rc == 1)
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "Change \"%s\" already exists in plan %s.\n"
                           "Use \"sqitch rework\" to copy and rework it",
                           name, plan->file);
  sqlitch_dep *req, *con;
  size_t nreq, ncon;
  if (parse_dep_list(plan, requires, 0, &req, &nreq, 0, err) ||
      parse_dep_list(plan, conflicts, 1, &con, &ncon, 0, err) ||
      check_requires(plan, name, req, nreq, "add", err))
    return SQLITCH_ERROR;
  int blank = plan->nchanges && plan->changes[plan->nchanges - 1].ntags;
  return append_change(plan, name, req, nreq, con, ncon, note, planner_name,
                       planner_email, timestamp, blank);
}

long sqlitch_plan_rework(sqlitch_plan *plan, const char *name,
                         const sqlitch_strv *requires,
                         const sqlitch_strv *conflicts, const char *note,
                         const char *planner_name, const char *planner_email,
                         const char *timestamp, sqlitch_err *err) {
  if (!name) name = "";
  char *key = sqlitch_mprintf("%s@HEAD", name);
  long idx;
  int rc = plan_lookup(plan, key, &idx, err);
  free(key);
  if (rc < 0) return SQLITCH_ERROR;
  if (rc == 0)
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "Change \"%s\" does not exist in %s.\n"
                           "Use \"sqitch add %s\" to add it to the plan",
                           name, plan->file, name);
  long tag_idx = sqlitch_plan_last_tagged(plan);
  if (tag_idx < 0 || tag_idx < idx)
    return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                           "Cannot rework \"%s\" without an intervening tag.\n"
                           "Use \"sqitch tag\" to create a tag and try again",
                           name);
  sqlitch_dep *req, *con;
  size_t nreq, ncon;
  if (parse_dep_list(plan, requires, 0, &req, &nreq, 1, err) ||
      parse_dep_list(plan, conflicts, 1, &con, &ncon, 0, err))
    return SQLITCH_ERROR;
  const sqlitch_change *tagged = &plan->changes[tag_idx];
  const char *tag = plan->tags[tagged->tags[0]].name;
  memset(&req[0], 0, sizeof req[0]);
  req[0].change = dup(plan, name);
  req[0].tag = tag;
  if (check_requires(plan, name, req, nreq, "rework", err))
    return SQLITCH_ERROR;
  /* $orig->add_rework_tags($tag) */
  sqlitch_change *orig = &plan->changes[idx];
  const char **rt =
      sqlitch_arena_alloc(plan->arena, (orig->nrework_tags + 2) * sizeof *rt);
  if (orig->nrework_tags)
    memcpy(rt, orig->rework_tags, orig->nrework_tags * sizeof *rt);
  rt[orig->nrework_tags] = tag;
  orig->rework_tags = rt;
  orig->nrework_tags++;
  return append_change(plan, name, req, nreq, con, ncon, note, planner_name,
                       planner_email, timestamp, 0);
}

long sqlitch_plan_tag_add(sqlitch_plan *plan, const char *name,
                          const char *change_spec, const char *note,
                          const char *planner_name, const char *planner_email,
                          const char *timestamp, sqlitch_err *err) {
  if (!name) name = "";
  if (name[0] == '@') name++;
  if (sqlitch_name_check(name, SQLITCH_NAME_TAG, err)) return SQLITCH_ERROR;
  char *key = sqlitch_mprintf("@%s", name);
  long idx;
  int rc = plan_lookup(plan, key, &idx, err);
  if (rc == 1)
    sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "Tag \"%s\" already exists",
                    key);
  if (rc != 0) {
    free(key);
    return SQLITCH_ERROR;
  }
  long ci;
  if (perl_true(change_spec)) {
    rc = plan_lookup(plan, change_spec, &ci, err);
    if (rc < 0) {
      free(key);
      return SQLITCH_ERROR;
    }
    if (rc == 0) {
      free(key);
      return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                             "Unknown change: \"%s\"", change_spec);
    }
  } else if (plan->nchanges) {
    ci = (long)plan->nchanges - 1;
  } else {
    sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                    "Cannot apply tag \"%s\" to a plan with no changes", key);
    free(key);
    return SQLITCH_ERROR;
  }
  free(key);

  /* the new tag goes after the tags of changes up to ci (ChangeList's
     tags order) */
  size_t pos = 0;
  while (pos < plan->ntags && plan->tags[pos].change <= (size_t)ci)
    pos++;
  plan_grow_tags(plan);
  memmove(plan->tags + pos + 1, plan->tags + pos,
          (plan->ntags - 1 - pos) * sizeof *plan->tags);
  for (size_t i = 0; i < plan->nchanges; i++)
    for (size_t k = 0; k < plan->changes[i].ntags; k++)
      if (plan->changes[i].tags[k] >= pos) plan->changes[i].tags[k]++;
  for (size_t i = 0; i < plan->nlines; i++)
    if (plan->lines[i].type == SQLITCH_LINE_TAG && plan->lines[i].index >= pos)
      plan->lines[i].index++;

  sqlitch_change *c = &plan->changes[ci];
  size_t *tv = sqlitch_arena_alloc(plan->arena, (c->ntags + 1) * sizeof *tv);
  if (c->ntags) memcpy(tv, c->tags, c->ntags * sizeof *tv);
  tv[c->ntags++] = pos;
  c->tags = tv;

  /* the line goes after the change line + (number of its tags) */
  size_t at = c->line + c->ntags;
  if (at > plan->nlines) at = plan->nlines;
  plan_grow_lines(plan);
  memmove(plan->lines + at + 1, plan->lines + at,
          (plan->nlines - 1 - at) * sizeof *plan->lines);
  for (size_t i = 0; i < plan->nchanges; i++)
    if (plan->changes[i].line >= at) plan->changes[i].line++;
  for (size_t i = 0; i < plan->ntags; i++)
    if (i != pos && plan->tags[i].line >= at) plan->tags[i].line++;

  char ts[32];
  if (!timestamp) sqlitch_plan_timestamp_now(ts);
  sqlitch_tag *t = &plan->tags[pos];
  memset(t, 0, sizeof *t);
  t->name = dup(plan, name);
  t->timestamp = dup(plan, timestamp ? timestamp : ts);
  t->planner_name = dup(plan, planner_name);
  t->planner_email = dup(plan, planner_email);
  t->note = dup(plan, note);
  t->change = (size_t)ci;
  t->line = at;

  sqlitch_plan_line *l = &plan->lines[at];
  memset(l, 0, sizeof *l);
  l->type = SQLITCH_LINE_TAG;
  l->index = pos;
  l->name = t->name;
  l->lspace = l->hspace = l->lopspace = l->operator= l->ropspace = "";
  l->pspace = "";
  l->rspace = perl_true(t->note) ? " " : "";
  l->note = t->note;

  plan_compute_ids(plan);
  plan_reindex(plan);
  return (long)pos;
}

/* -------------------------------------------------------------- scripts */

char *sqlitch_change_script(const sqlitch_plan *plan, const sqlitch_change *c,
                            const char *dir, const char *reworked_dir,
                            const char *reworked_deploy_dir, const char *ext) {
  (void)plan;
  const char *slash = strrchr(c->name, '/');
  const char *bn = slash ? slash + 1 : c->name;
  char *sub =
      slash ? sqlitch_strndup(c->name, (size_t)(slash - c->name)) : NULL;
  char *file = NULL;
  const char *base = dir;
  if (c->nrework_tags) {
    base = reworked_dir ? reworked_dir : dir;
    const char *rdd = reworked_deploy_dir ? reworked_deploy_dir : base;
    for (size_t i = 0; i < c->nrework_tags && !file; i++) {
      char *fn = sqlitch_mprintf("%s@%s.%s", bn, c->rework_tags[i], ext);
      char *d = sub ? sqlitch_path_join(rdd, sub) : sqlitch_strdup(rdd);
      char *path = sqlitch_path_join(d, fn);
      if (sqlitch_path_exists(path))
        file = fn;
      else
        free(fn);
      free(path);
      free(d);
    }
    if (!file) file = sqlitch_mprintf("%s@%s.%s", bn, c->rework_tags[0], ext);
  } else {
    file = sqlitch_mprintf("%s.%s", bn, ext);
  }
  char *d = sub ? sqlitch_path_join(base, sub) : sqlitch_strdup(base);
  char *path = sqlitch_path_join(d, file);
  char *clean = sqlitch_path_clean(path);
  free(d);
  free(path);
  free(file);
  free(sub);
  return clean;
}
