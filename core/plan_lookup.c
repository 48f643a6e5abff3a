/*
** plan_lookup.c -- finding changes and tags in a plan: Sqitch's
** ChangeList.pm (index_of, first_index_of, find, contains) over hash
** tables, so every lookup is O(1) apart from walking the instances of a
** reworked name.
**
**   sqlitch_err err = SQLITCH_ERR_INIT;
**   long i = sqlitch_plan_index_of(plan, "users@v1.0", &err);
**   // i >= 0: found; -1: not found; -2: error in err ("Unknown tag
**   // \"@v1.0\"", or the ambiguity listing + "Change lookup failed")
**   i = sqlitch_plan_index_of(plan, "HEAD^2", &err);   // 2 before the last
**   i = sqlitch_plan_find(plan, "users");              // first instance
**
** Keys understood (ChangeList's lookup hash): change names (every
** instance), change ids, "@tag", tag ids, HEAD/@HEAD, ROOT/@ROOT, each
** optionally followed by "^", "^^", "^N", "~", "~~", "~N" when the
** character before is not punctuation. An empty plan knows no HEAD/ROOT.
*/
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

/* -------------------------------------------------------------- hash map */

static uint32_t hash_str(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static uint32_t hash_n(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

void plan_hmap_free(plan_hmap *m) {
  free(m->slots);
  m->slots = NULL;
  m->cap = m->n = 0;
}

void plan_hmap_clear(plan_hmap *m) {
  if (m->slots) memset(m->slots, 0, m->cap * sizeof *m->slots);
  m->n = 0;
}

static plan_hslot *find_slot(const plan_hmap *m, const char *key, uint32_t h) {
  size_t mask = m->cap - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    plan_hslot *s = &m->slots[i];
    if (!s->key || (s->hash == h && !strcmp(s->key, key))) return s;
  }
}

static void rehash(plan_hmap *m, size_t cap) {
  plan_hmap old = *m;
  m->cap = cap;
  m->slots = sqlitch_calloc(m->cap, sizeof *m->slots);
  m->n = 0;
  for (size_t i = 0; i < old.cap; i++)
    if (old.slots[i].key) {
      plan_hslot *s = find_slot(m, old.slots[i].key, old.slots[i].hash);
      *s = old.slots[i];
      m->n++;
    }
  free(old.slots);
}

void plan_hmap_reserve(plan_hmap *m, size_t n) {
  size_t cap = 64;
  while (cap * 3 < n * 4)
    cap *= 2; /* load <= 3/4 */
  if (cap > m->cap) rehash(m, cap);
}

void plan_hmap_put(plan_hmap *m, const char *key, long val) {
  if ((m->n + 1) * 4 > m->cap * 3) rehash(m, m->cap ? m->cap * 2 : 64);
  uint32_t h = hash_str(key);
  plan_hslot *s = find_slot(m, key, h);
  if (!s->key) {
    s->key = key;
    s->hash = h;
    m->n++;
  }
  s->val = (int32_t)val;
}

int plan_hmap_getn(const plan_hmap *m, const char *key, size_t n, long *val) {
  if (!m->cap) return 0;
  uint32_t h = hash_n(key, n);
  size_t mask = m->cap - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const plan_hslot *s = &m->slots[i];
    if (!s->key) return 0;
    if (s->hash == h && !strncmp(s->key, key, n) && !s->key[n]) {
      *val = s->val;
      return 1;
    }
  }
}

int plan_hmap_get(const plan_hmap *m, const char *key, long *val) {
  if (!m->cap) return 0;
  plan_hslot *s = find_slot(m, key, hash_str(key));
  if (!s->key) return 0;
  *val = s->val;
  return 1;
}

/* ----------------------------------------------------------------- index */

void plan_index_free(plan_index *ix) {
  if (!ix) return;
  plan_hmap_free(&ix->names);
  plan_hmap_free(&ix->ids);
  plan_hmap_free(&ix->tags);
  free(ix->nm);
  free(ix->prev);
  ix->nm = NULL;
  ix->prev = NULL;
  ix->nnm = ix->capnm = ix->capprev = 0;
}

plan_name *plan_name_entry(sqlitch_plan *plan, const char *name, int create) {
  plan_index *ix = plan->index;
  long v;
  if (plan_hmap_get(&ix->names, name, &v)) return &ix->nm[v];
  if (!create) return NULL;
  if (ix->nnm == ix->capnm) {
    ix->capnm = ix->capnm ? ix->capnm * 2 : 64;
    ix->nm = sqlitch_realloc(ix->nm, ix->capnm * sizeof *ix->nm);
  }
  plan_name *e = &ix->nm[ix->nnm];
  memset(e, 0, sizeof *e);
  e->name = name;
  e->first = e->last = -1;
  e->section = -1;
  plan_hmap_put(&ix->names, name, (long)ix->nnm++);
  return e;
}

void plan_reindex_ids(sqlitch_plan *plan) {
  plan_index *ix = plan->index;
  plan_hmap_clear(&ix->ids);
  plan_hmap_clear(&ix->tags);
  ix->last_tagged = -1;
  for (size_t i = 0; i < plan->nchanges; i++) {
    sqlitch_change *c = &plan->changes[i];
    plan_hmap_put(&ix->ids, c->id, (long)i);
    for (size_t k = 0; k < c->ntags; k++) {
      const sqlitch_tag *t = &plan->tags[c->tags[k]];
      plan_hmap_put(&ix->tags, t->name, (long)c->tags[k]);
      plan_hmap_put(&ix->ids, t->id, (long)i);
      ix->last_tagged = (long)i;
    }
  }
}

void plan_reindex(sqlitch_plan *plan) {
  plan_index *ix = plan->index;
  plan_hmap_clear(&ix->names);
  ix->nnm = 0;
  if (ix->capprev < plan->nchanges + 1) {
    ix->capprev = plan->nchanges + 16;
    ix->prev = sqlitch_realloc(ix->prev, ix->capprev * sizeof *ix->prev);
  }
  for (size_t i = 0; i < plan->nchanges; i++) {
    sqlitch_change *c = &plan->changes[i];
    plan_name *e = plan_name_entry(plan, c->name, 1);
    ix->prev[i] = e->last;
    if (e->first < 0) e->first = (long)i;
    e->last = (long)i;
    e->count++;
  }
  plan_reindex_ids(plan);
}

/* ---------------------------------------------------------------- lookup */

static int is_punct(unsigned char c) {
  return c < 0x80 && c != '_' &&
         ((c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
          (c >= '[' && c <= '`') || (c >= '{' && c <= '~'));
}

/* Is s[i..n) a run of one or more Perl \d characters? */
static int all_digits(const char *s, size_t n) {
  const char *p = s, *end = s + n;
  if (p == end) return 0;
  while (p < end) {
    int32_t c = sqlitch_utf8_decode(&p, end);
    if (c < 0 || !plan_is_digit(c)) return 0;
  }
  return 1;
}

/* ChangeList::_offset: strip a "^"/"~" suffix from key (in place) and
   return the offset it means (0 when none, or "^0"). */
static long take_offset(char *key) {
  size_t n = strlen(key);
  for (size_t i = 0; i < n; i++) {
    char ch = key[i];
    if (ch != '^' && ch != '~') continue;
    if (i > 0 && is_punct((unsigned char)key[i - 1])) continue;
    const char *rest = key + i + 1;
    size_t rn = n - i - 1;
    long off;
    if (rn == 0) {
      off = 1;
    } else if (rn == 1 && rest[0] == ch) {
      off = 2;
    } else if (all_digits(rest, rn)) {
      /* Perl numifies the digits: leading ASCII digits, else 0 */
      off = 0;
      for (const char *d = rest; *d >= '0' && *d <= '9'; d++)
        off = off > LONG_MAX / 20 ? LONG_MAX / 20 : off * 10 + (*d - '0');
    } else {
      continue;
    }
    key[i] = 0;
    return ch == '^' ? -off : off;
  }
  return 0;
}

static long apply_offset(const sqlitch_plan *plan, long idx, long off) {
  if (idx < 0) return -1;
  if (off < 0 && -off > idx) return -1;
  if (off > 0 && off > (long)plan->nchanges - 1 - idx) return -1;
  return idx + off;
}

/* The "change" part of a key: returns the instance list as (latest, count)
   or 0 when unknown. */
static int name_part(const sqlitch_plan *plan, const char *key, long *latest,
                     size_t *count) {
  const plan_index *ix = plan->index;
  long v;
  if (!plan->nchanges) return 0;
  *count = 1;
  if (!strcmp(key, "HEAD") || !strcmp(key, "@HEAD")) {
    *latest = (long)plan->nchanges - 1;
    return 1;
  }
  if (!strcmp(key, "ROOT") || !strcmp(key, "@ROOT")) {
    *latest = 0;
    return 1;
  }
  if (plan_hmap_get(&ix->names, key, &v)) {
    *latest = ix->nm[v].last;
    *count = ix->nm[v].count;
    return 1;
  }
  if (plan_hmap_get(&ix->ids, key, &v)) {
    *latest = v;
    return 1;
  }
  return 0;
}

/* lookup{'@' . tag} */
static int tag_part(const sqlitch_plan *plan, const char *tag, long *idx) {
  const plan_index *ix = plan->index;
  long v;
  if (!plan->nchanges) return 0;
  if (!strcmp(tag, "HEAD")) {
    *idx = (long)plan->nchanges - 1;
    return 1;
  }
  if (!strcmp(tag, "ROOT")) {
    *idx = 0;
    return 1;
  }
  if (plan_hmap_get(&ix->tags, tag, &v)) {
    *idx = (long)plan->tags[v].change;
    return 1;
  }
  return 0;
}

static const char *tag_qualifier(const sqlitch_plan *plan,
                                 const sqlitch_change *c) {
  if (c->ntags) return plan->tags[c->tags[0]].name;
  if (c->nrework_tags) return c->rework_tags[0];
  return "HEAD";
}

/* ChangeList::_index_of */
static int index_of_key(const sqlitch_plan *plan, const char *key, long *idx,
                        sqlitch_err *err) {
  const plan_index *ix = plan->index;
  const char *at = strchr(key, '@');
  if (at == key) return tag_part(plan, key + 1, idx);
  char *change = at ? sqlitch_strndup(key, (size_t)(at - key)) : NULL;
  long latest;
  size_t count;
  int found = name_part(plan, change ? change : key, &latest, &count);
  free(change);
  if (!found) return 0;
  if (at) {
    long tag_idx;
    if (!tag_part(plan, at + 1, &tag_idx)) {
      sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "Unknown tag \"%s\"", at);
      return SQLITCH_ERROR;
    }
    for (long i = latest; i >= 0; i = count > 1 ? ix->prev[i] : -1)
      if (i <= tag_idx) {
        *idx = i;
        return 1;
      }
    return 0;
  }
  if (count < 2) {
    *idx = latest;
    return 1;
  }
  sqlitch_buf m = SQLITCH_BUF_INIT;
  sqlitch_buf_addf(&m,
                   "Change \"%s\" is ambiguous. Please specify a tag-qualified "
                   "change:",
                   key);
  for (long i = latest; i >= 0; i = ix->prev[i]) {
    const sqlitch_change *c = &plan->changes[i];
    sqlitch_buf_addf(&m, "\n  * %s@%s", c->name, tag_qualifier(plan, c));
  }
  sqlitch_buf_add(&m, "\nChange lookup failed");
  sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "%s", m.p);
  sqlitch_buf_free(&m);
  return SQLITCH_ERROR;
}

int plan_lookup(const sqlitch_plan *plan, const char *spec, long *idx,
                sqlitch_err *err) {
  char *key = sqlitch_strdup(spec ? spec : "");
  long off = take_offset(key);
  int rc = index_of_key(plan, key, idx, err);
  free(key);
  if (rc == 1 && off) {
    *idx = apply_offset(plan, *idx, off);
    if (*idx < 0) return 0;
  }
  return rc;
}

long sqlitch_plan_index_of(const sqlitch_plan *plan, const char *spec,
                           sqlitch_err *err) {
  long idx;
  int rc = plan_lookup(plan, spec, &idx, err);
  return rc == 1 ? idx : rc == 0 ? -1 : -2;
}

/* ChangeList::first_index_of; -2 with err on error. */
long sqlitch_plan_first_index_since(const sqlitch_plan *plan, const char *name,
                                    const char *since, sqlitch_err *err) {
  const plan_index *ix = plan->index;
  char *key = sqlitch_strdup(name ? name : "");
  long off = take_offset(key);
  long latest = -1;
  size_t count = 0;
  /* lookup{$key}: the whole key, not split on "@" */
  int found = key[0] == '@' ? (count = 1, tag_part(plan, key + 1, &latest))
                            : name_part(plan, key, &latest, &count);
  free(key);
  if (!found) return -1;
  long hit = latest;
  if (count > 1)
    for (long i = ix->prev[latest]; i >= 0; i = ix->prev[i])
      hit = i;
  if (since) {
    long since_idx;
    int rc = plan_lookup(plan, since, &since_idx, err);
    if (rc < 0) return -2;
    if (rc == 0) {
      sqlitch_err_set(err, SQLITCH_E_GENERIC, 2, "Unknown change: \"%s\"",
                      since);
      return -2;
    }
    hit = -1;
    for (long i = latest; i >= 0 && i > since_idx;
         i = count > 1 ? ix->prev[i] : -1)
      hit = i;
    if (hit < 0) return -1;
  }
  return off ? apply_offset(plan, hit, off) : hit;
}

long sqlitch_plan_first_index_of(const sqlitch_plan *plan, const char *name,
                                 const char *since_tag) {
  long i = sqlitch_plan_first_index_since(plan, name, since_tag, NULL);
  return i < 0 ? -1 : i;
}

long sqlitch_plan_find_err(const sqlitch_plan *plan, const char *spec,
                           sqlitch_err *err) {
  if (spec && strchr(spec, '@')) return sqlitch_plan_index_of(plan, spec, err);
  return sqlitch_plan_first_index_since(plan, spec, NULL, err);
}

long sqlitch_plan_find(const sqlitch_plan *plan, const char *spec) {
  long i = sqlitch_plan_find_err(plan, spec, NULL);
  return i < 0 ? -1 : i;
}

int sqlitch_plan_contains(const sqlitch_plan *plan, const char *arg,
                          sqlitch_err *err) {
  if (strchr(arg, '@')) {
    long i = sqlitch_plan_index_of(plan, arg, err);
    if (i < -1) return SQLITCH_ERROR;
    return i >= 0;
  }
  return sqlitch_plan_find(plan, arg) >= 0;
}

const sqlitch_tag *sqlitch_plan_tag(const sqlitch_plan *plan,
                                    const char *spec) {
  const plan_index *ix = plan->index;
  long v;
  if (!spec) return NULL;
  const char *name = spec[0] == '@' ? spec + 1 : spec;
  if (plan_hmap_get(&ix->tags, name, &v)) return &plan->tags[v];
  if (plan_hmap_get(&ix->ids, spec, &v)) {
    const sqlitch_change *c = &plan->changes[v];
    for (size_t k = 0; k < c->ntags; k++)
      if (!strcmp(plan->tags[c->tags[k]].id, spec))
        return &plan->tags[c->tags[k]];
  }
  return NULL;
}

long sqlitch_plan_last_tagged(const sqlitch_plan *plan) {
  return ((const plan_index *)plan->index)->last_tagged;
}

void plan_resolve_deps(sqlitch_plan *plan) {
  for (size_t i = 0; i < plan->nchanges; i++) {
    sqlitch_change *c = &plan->changes[i];
    sqlitch_dep *lists[2] = {c->requires, c->conflicts};
    size_t ns[2] = {c->nrequires, c->nconflicts};
    for (int l = 0; l < 2; l++)
      for (size_t k = 0; k < ns[l]; k++) {
        sqlitch_dep *d = &lists[l][k];
        if (d->project)
          d->is_external = strcmp(d->project, plan->project) != 0;
        else if (d->id)
          d->is_external = sqlitch_plan_find(plan, d->id) < 0;
        else
          d->is_external = 0;
      }
  }
}
