/*
** plan_int.h -- private glue shared by the plan_*.c files. Not for use
** outside core/plan*.c: everything here may change without notice.
**
** The plan module is split by concern:
**   plan.c         parse (Plan.pm _parse/check_changes), IDs, write_to
**   plan_text.c    Unicode classes, the Sqitch regexes (PCRE2), names,
**                  dependencies, note escaping, strict UTF-8 checking
**   plan_lookup.c  the lookup tables and ChangeList.pm's index_of & co.
**   plan_edit.c    add / tag / rework and script paths
**   plan_uri.c     URI->new + URI->canonical for %uri
**
** Lookup tables live behind plan->index (a plan_index). They are rebuilt
** by plan_reindex() after any structural change, so the editing code only
** has to keep the arrays right.
*/
#ifndef SQLITCH_PLAN_INT_H
#define SQLITCH_PLAN_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "plan.h"

/* ------------------------------------------------------------ hash map */

/* Open addressing map from a borrowed NUL-terminated key to a long. */
typedef struct plan_hslot {
  const char *key; /* NULL = empty */
  uint32_t hash;
  int32_t val;
} plan_hslot;

typedef struct plan_hmap {
  plan_hslot *slots;
  size_t cap; /* power of two, or 0 */
  size_t n;
} plan_hmap;

void plan_hmap_free(plan_hmap *m);
void plan_hmap_clear(plan_hmap *m);
/* Make room for n keys without rehashing. */
void plan_hmap_reserve(plan_hmap *m, size_t n);
/* Insert or replace. */
void plan_hmap_put(plan_hmap *m, const char *key, long val);
/* 1 and *val when found, else 0. */
int plan_hmap_get(const plan_hmap *m, const char *key, long *val);
/* The same for a key given as n bytes (not NUL-terminated). */
int plan_hmap_getn(const plan_hmap *m, const char *key, size_t n, long *val);

/* ------------------------------------------------------------ the index */

/* One distinct change name. */
typedef struct plan_name {
  const char *name;
  long first, last; /* change indices of the first / latest instance */
  size_t count;
  /* parse-time state (Plan.pm _parse / check_changes) */
  long section;   /* tag section the next two fields belong to */
  long sec_line;  /* %tag_changes: line declared in that section */
  long sec_pos;   /* check_changes' %position */
  long seen_line; /* %line_no_for: line in a completed section, 0 = none */
} plan_name;

typedef struct plan_index {
  plan_hmap names; /* change name -> index into nm[] */
  plan_name *nm;
  size_t nnm, capnm;
  plan_hmap ids;  /* change id and tag id -> change index */
  plan_hmap tags; /* tag name (no "@") -> tag index */
  long *prev;     /* per change: previous instance of its name, -1 */
  size_t capprev;
  long last_tagged; /* ChangeList's last_tagged_at, -1 when none */
  size_t cap_changes, cap_tags, cap_lines;
  int no_lines;              /* loaded read-only: lines are not kept */
  sqlitch_plan_line scratch; /* then every line is parsed into this */
} plan_index;

/* Rebuild every lookup table from the plan arrays (ids must be set). */
void plan_reindex(sqlitch_plan *plan);
/* Only the id and tag tables (the parser fills the name table itself). */
void plan_reindex_ids(sqlitch_plan *plan);
/* The entry of a change name, created (with `name` borrowed as key, so it
   must live in the plan arena) when create is set; NULL if unknown. */
plan_name *plan_name_entry(sqlitch_plan *plan, const char *name, int create);
void plan_index_free(plan_index *ix);

/* ChangeList::index_of with Perl's "defined" notion: returns 1 with *idx
   set (which may be -1 for HEAD of an empty plan), 0 when undef, or
   SQLITCH_ERROR with err set. */
int plan_lookup(const sqlitch_plan *plan, const char *key, long *idx,
                sqlitch_err *err);

/* Array growth for the plan-owned arrays. */
sqlitch_change *plan_grow_changes(sqlitch_plan *plan);
sqlitch_tag *plan_grow_tags(sqlitch_plan *plan);
sqlitch_plan_line *plan_grow_lines(sqlitch_plan *plan);

/* ------------------------------------------------------------- IDs */

/* Recompute every change and tag id (in plan order). */
void plan_compute_ids(sqlitch_plan *plan);
/* Resolve is_external for id dependencies without a project. */
void plan_resolve_deps(sqlitch_plan *plan);

/* ------------------------------------------------------------ text */

/* Unicode classes as Perl sees them (plan_ucd.c, plan_text.c). */
int plan_is_word(int32_t c);  /* \w */
int plan_is_digit(int32_t c); /* \d = [[:digit:]] */
int plan_is_blank(int32_t c); /* [[:blank:]] = \h */
/* No byte of s[0..n) has the high bit set. */
int plan_is_ascii(const char *s, size_t n);
int plan_is_space(int32_t c);  /* \s */
int plan_is_vspace(int32_t c); /* \v */
/* Byte length of the [[:blank:]] character at p (0 when not blank). */
size_t plan_blank_at(const char *p, const char *end);

/* Perl's s/\A\s+//; s/\s+\z// (returns arena copy). */
char *plan_trim_space(sqlitch_arena *a, const char *s, size_t n);
/* Line::BUILDARGS on a note: trim and unescape when Perl-true. */
char *plan_note_build(sqlitch_arena *a, const char *s, size_t n);
/* Append the escaped note (format_note without "# "). */
void plan_note_escape_to(sqlitch_buf *b, const char *note);

typedef enum {
  PLAN_RX_NAME = 0, /* \A name_re \z */
  PLAN_RX_LINE,     /* a change or tag line, note already stripped */
  PLAN_RX_PRAGMA,   /* a pragma line, note already stripped */
  PLAN_RX_DEP,      /* Depend->parse */
  PLAN_RX_TS,       /* the timestamp, unanchored */
  PLAN_RX_COUNT
} plan_rx_id;

/* Group numbers of PLAN_RX_LINE / PLAN_RX_PRAGMA / PLAN_RX_DEP. */
typedef struct plan_rx_groups {
  int lspace, lopspace, op, ropspace, name, pspace, deps, yr, mo, dy, hr, mi,
      sc, pname, pemail; /* line */
  int p_lspace, p_hspace, p_name, p_lopspace, p_op, p_ropspace, p_value;
  int d_conflicts, d_project, d_id, d_change, d_tag, d_tag2;
} plan_rx_groups;

const plan_rx_groups *plan_rx_group(void);
/* Match s[0..n) (valid UTF-8) against a regex; returns 1 on a match, 0 on
   none. md must come from plan_rx_md_new(). */
int plan_rx_match(plan_rx_id id, const char *s, size_t n, pcre2_match_data *md);
pcre2_match_data *plan_rx_md_new(void);
/* PLAN_RX_LINE on a body line: the usual form (ASCII, a word-character
   name, optional "@" and [dependencies], timestamp, planner <email>) is
   matched by hand with the regex's exact groups (plan_line_fast, 0 when
   the line is not of that form), anything else by the regex. The tests
   compare the two. */
int plan_line_match(const char *s, size_t n, pcre2_match_data *md);
int plan_line_fast(const char *s, size_t n, pcre2_match_data *md);

/* First strict-UTF-8 problem (PerlIO::utf8_strict): returns 0 when the
   text is clean, else 1 with *detect (offset where a reader notices it),
   *eof (noticed only at end of file) and msg filled with the start of
   Perl's message ("Can't decode ill-formed UTF-8 octet sequence <E2 82>"
   or "Can't interchange noncharacter code point U+FFFF"). */
int plan_utf8_check(const char *s, size_t n, size_t *detect, int *eof,
                    sqlitch_buf *msg);

/* Depend->parse on s[0..n): fills out (strings in the arena). Returns 1 on
   a syntactic match, 0 otherwise. A match with nothing in it ("", "!",
   "p:") returns 0 too (Sqitch dies on those). */
int plan_dep_parse(sqlitch_arena *a, const char *plan_project, const char *s,
                   size_t n, pcre2_match_data *md, sqlitch_dep *out);
/* The same through the regex alone. plan_dep_parse answers the common
   forms ([!]word[@word], ASCII word characters) without it; the tests
   compare the two. */
int plan_dep_parse_rx(sqlitch_arena *a, const char *plan_project, const char *s,
                      size_t n, pcre2_match_data *md, sqlitch_dep *out);
/* Depend->key_name into b. */
void plan_dep_key(sqlitch_buf *b, const sqlitch_dep *d);
/* Depend->as_string / as_plan_string into b. */
void plan_dep_as_string(sqlitch_buf *b, const sqlitch_plan *plan,
                        const sqlitch_dep *d);

/* Change::format_dependencies ("" when none). */
void plan_format_deps(sqlitch_buf *b, const sqlitch_plan *plan,
                      const sqlitch_change *c);

/* URI->new($s) as a string (heap), the form whose truthiness Sqitch tests
   before adding a "uri" line. */
char *plan_uri_new(const char *s);

#endif
