/*
** engine.h -- the database engine interface and Sqitch's deploy, revert,
** verify, check and upgrade logic (App::Sqitch::Engine) on top of it.
**
** Two layers:
**
**   1. sqlitch_engine_* (engine.c): what the commands and the extension
**      call. Engine-neutral; it owns the plan/registry reasoning, the
**      progress lines (through sqlitch_reporter), the prompts (through a
**      callback), failure modes and exit values, exactly as Engine.pm.
**
**   2. sqlitch_engine_ops: one table of function pointers per database
**      engine (engine_sqlite.c, engine_pg.c, engine_mysql.c), like the
**      methods Role/DBIEngine.pm and Engine/<engine>.pm provide: connect,
**      registry version/initialise/upgrade, lock, one change deployed or
**      reverted as one unit of work, scripts, event logging, and the
**      registry queries. No SQLite (or libpq, ...) type appears here.
**
** Typical use (what shell/cmd_deploy.c does):
**
**   sqlitch_engine *e;
**   if (sqlitch_engine_new(cfg, target, &ctx->reporter, &e, &err)) ...
**   e->opts.lock_timeout = 60;             // defaults are Sqitch's
**   e->opts.with_verify = 1;
**   sqlitch_target_variables(cfg, target, "deploy", sets, &e->opts.variables);
**   int rc = sqlitch_engine_deploy(e, "users@v1.0", "all", &err);
**   sqlitch_engine_free(e);
**
** Memory: sqlitch_engine_new/free pair; the engine borrows cfg, target and
** reporter (they must outlive it) and owns everything else, including the
** plan it loads from target->plan_file (or borrows one given with
** sqlitch_engine_set_plan). Rows handed to callbacks are borrowed for the
** duration of the call. Structures returned through `**out` are owned by
** the caller and freed with the matching *_free.
**
** Errors: every function returns SQLITCH_OK or SQLITCH_ERROR with `err`
** holding Sqitch's message and exit value (2 for most; 1 for "Nothing
** reverted" and check failures, whose exitval is the failure count).
** A SQLITCH_E_PRIVATE error means the messages were already reported.
**
** Timestamps crossing this interface are UTC text "YYYY-MM-DD HH:MM:SS"
** (what Sqitch's _ts2char/_dt round trip gives); engines convert.
*/
#ifndef SQLITCH_ENGINE_H
#define SQLITCH_ENGINE_H

#include "config.h"
#include "plan.h"
#include "report.h"
#include "target.h"
#include "util.h"

#define SQLITCH_REGISTRY_RELEASE "1.1"
#define SQLITCH_DEFAULT_LOCK_TIMEOUT 60

typedef struct sqlitch_engine sqlitch_engine;
typedef struct sqlitch_engine_ops sqlitch_engine_ops;

/* ================================================================ rows */

/* A change row read from the registry (Sqitch's deployed_changes /
   load_change hashes). All strings owned by the struct. */
typedef struct sqlitch_reg_change {
  char *id;
  char *name;
  char *project;
  char *note;
  char *planned_at; /* "YYYY-MM-DD HH:MM:SS" UTC */
  char *planner_name;
  char *planner_email;
  char *script_hash;  /* may be NULL */
  char *committed_at; /* "YYYY-MM-DD HH:MM:SS" UTC; NULL when not read */
  sqlitch_strv tags;  /* "@t1", "@t2" in registry order */
} sqlitch_reg_change;

typedef struct sqlitch_reg_changes {
  sqlitch_reg_change *v;
  size_t n, cap;
} sqlitch_reg_changes;

void sqlitch_reg_change_clear(sqlitch_reg_change *c);
/* Append a zeroed row and return it. */
sqlitch_reg_change *sqlitch_reg_changes_push(sqlitch_reg_changes *l);
void sqlitch_reg_changes_free(sqlitch_reg_changes *l);

/* current_state(): the latest deployed change of a project. */
typedef struct sqlitch_reg_state {
  char *change_id;
  char *script_hash;   /* NULL when the registry predates script hashes
                          (has_script_hash = 0) or the value is NULL */
  int has_script_hash; /* the column exists (registry >= 1.0) */
  char *change;
  char *project;
  char *note;
  char *committer_name;
  char *committer_email;
  char *committed_at; /* "YYYY-MM-DD HH:MM:SS" UTC */
  char *planner_name;
  char *planner_email;
  char *planned_at;
  sqlitch_strv tags; /* "@t1", ... */
} sqlitch_reg_state;

void sqlitch_reg_state_free(sqlitch_reg_state *s);

/* current_changes(): one row per deployed change, newest first. */
typedef struct sqlitch_reg_current_change {
  const char *change_id, *script_hash, *change;
  const char *committer_name, *committer_email, *committed_at;
  const char *planner_name, *planner_email, *planned_at;
} sqlitch_reg_current_change;

/* current_tags(): one row per tag, newest first. */
typedef struct sqlitch_reg_current_tag {
  const char *tag_id, *tag;
  const char *committer_name, *committer_email, *committed_at;
  const char *planner_name, *planner_email, *planned_at;
  const char *note; /* tags.note (the extension's sqlitch_tags) */
} sqlitch_reg_current_tag;

/* search_events(): one events row. requires/conflicts/tags are the stored
   text: on SQLite/MySQL "a,b" (deploy/fail tags "@a @b", revert tags
   "@a,@b"); engines with arrays (pg) join them with ",". */
typedef struct sqlitch_reg_event {
  const char *event, *project, *change_id, *change, *note;
  const char *requires, *conflicts, *tags;
  const char *committer_name, *committer_email, *committed_at;
  const char *planner_name, *planner_email, *planned_at;
} sqlitch_reg_event;

/* Filters of search_events() (Sqitch's search_events %p). Regexes are
   Perl-compatible and unanchored. Unlike Sqitch 1.3.1 several filters are
   joined with AND (1.3.1 emits invalid SQL). NULL/0 = not set. */
typedef struct sqlitch_event_query {
  const char *committer;      /* regex on committer_name */
  const char *planner;        /* regex on planner_name */
  const char *change;         /* regex on change */
  const char *project;        /* regex on project */
  const sqlitch_strv *events; /* event IN (...) */
  int ascending;              /* 0 = newest first (DESC) */
  long limit;                 /* > 0 to limit */
  long offset;                /* > 0 to skip */
} sqlitch_event_query;

/* Row callbacks return 0 to continue, non-zero to stop early. */
typedef int (*sqlitch_change_row_fn)(void *ctx,
                                     const sqlitch_reg_current_change *row);
typedef int (*sqlitch_tag_row_fn)(void *ctx,
                                  const sqlitch_reg_current_tag *row);
typedef int (*sqlitch_event_row_fn)(void *ctx, const sqlitch_reg_event *row);

/* changes_requiring_change(): a deployed change that requires another. */
typedef struct sqlitch_reg_requiring {
  char *change_id, *project, *change;
  char *asof_tag; /* "@tag" or NULL */
} sqlitch_reg_requiring;

void sqlitch_reg_requiring_free(sqlitch_reg_requiring *v, size_t n);

/* ============================================= what gets logged, per change */

/* Everything an engine writes for one change, computed by engine.c
   (DBIEngine's log_deploy_change / _log_event arguments). */
typedef struct sqlitch_log_dep {
  const char *type;          /* "require" | "conflict" */
  const char *dependency;    /* as_string: "users", "other:x", "a@t" */
  const char *dependency_id; /* resolved id; NULL for conflicts */
} sqlitch_log_dep;

typedef struct sqlitch_log_tag {
  const char *tag_id;
  const char *tag; /* "@name" */
  const char *note;
  const char *planned_at; /* "YYYY-MM-DD HH:MM:SS" UTC */
  const char *planner_name, *planner_email;
} sqlitch_log_tag;

typedef struct sqlitch_log_change {
  const char *change_id;
  const char *script_hash; /* NULL when the deploy script is missing */
  const char *change;      /* name */
  const char *project;
  const char *note;
  const char *planned_at; /* "YYYY-MM-DD HH:MM:SS" UTC */
  const char *planner_name, *planner_email;
  const char *committer_name, *committer_email;
  const sqlitch_log_dep *deps; /* requires first, then conflicts */
  size_t ndeps;
  const sqlitch_log_tag *tags;
  size_t ntags;
  /* events columns (deploy/fail: plan tags "@a @b", requires/conflicts
     "x,y"; revert: registry tags "@a,@b", dependencies from the registry) */
  const char *ev_tags, *ev_requires, *ev_conflicts;
} sqlitch_log_change;

/* A tags row's first ten values in the registry's column order (tag_id,
   tag, project, change_id, note, committer_name, committer_email,
   planned_at, planner_name, planner_email), planned_at as the engine
   writes it; committed_at is left to the engine. Borrowed pointers. */
void sqlitch_log_tag_row(const sqlitch_log_change *c, const sqlitch_log_tag *t,
                         const char *planned_at, const char *v[10]);

/* ======================================================= one unit of work */

typedef enum {
  SQLITCH_SCRIPT_DEPLOY = 0,
  SQLITCH_SCRIPT_REVERT,
  SQLITCH_SCRIPT_VERIFY,
  SQLITCH_SCRIPT_UPGRADE
} sqlitch_script_kind;

/* A deploy or revert step: run `script` (unless NULL: --log-only), run
   `verify_script` if set (deploy --verify), and write `log` -- as one
   transaction where the engine can. The engine reports nothing itself
   except script output and script error text (through the reporter); it
   returns how far it got so engine.c can report as Sqitch does. */
typedef struct sqlitch_step {
  int revert;                /* 0 deploy, 1 revert */
  const char *script;        /* deploy/revert script, NULL = log only */
  const char *verify_script; /* deploy --verify: path (may not exist) */
  const char *script_text;   /* the script's bytes when engine.c has
                                already read them (else NULL) */
  size_t script_len;
  const sqlitch_log_change *log;
  size_t remaining;    /* changes still to come in this run
                          (a hint for timestamp assignment) */
  const char *next_id; /* the change the next step works on, or
                          NULL when this is the last one */
  int next_revert;     /* ... and whether it is a revert */
} sqlitch_step;

typedef enum {
  SQLITCH_STEP_OK = 0,
  SQLITCH_STEP_SCRIPT_FAILED, /* the (deploy/revert) script failed */
  SQLITCH_STEP_VERIFY_FAILED, /* deploy --verify: verify script failed */
  SQLITCH_STEP_LOG_FAILED     /* writing the registry failed */
} sqlitch_step_status;

typedef struct sqlitch_step_result {
  sqlitch_step_status status;
  /* VERIFY/LOG_FAILED: 1 when the engine rolled the whole change back
     (atomic), 0 when the script's work is committed and engine.c must run
     the revert script as Sqitch does. */
  int undone;
} sqlitch_step_result;

/* =================================================================== ops */

/* Implemented once per engine. Every function receives the engine; its
   private state is e->impl. Functions that can fail take `err`. */
struct sqlitch_engine_ops {
  const char *key;  /* "sqlite" */
  const char *name; /* "SQLite" */

  /* Create e->impl (no connection yet) / destroy it (disconnecting). */
  int (*init)(sqlitch_engine *e, sqlitch_err *err);
  void (*destroy)(sqlitch_engine *e);

  /* Registry destination for messages (password hidden). Borrowed. */
  const char *(*registry_destination)(sqlitch_engine *e);

  /* ---- registry schema */
  /* "1.1", "1.0", ... or "0" when there is no registry. Caller frees. */
  int (*registry_version)(sqlitch_engine *e, char **version, sqlitch_err *err);
  int (*initialized)(sqlitch_engine *e, int *yes, sqlitch_err *err);
  /* Create the registry (DDL) and register release 1.1. */
  int (*initialize)(sqlitch_engine *e, sqlitch_err *err);
  /* Upgrade script versions this engine ships, ascending, NULL-ended. */
  const char *const *upgrades;
  /* Run the upgrade to `version` and register that release. */
  int (*upgrade)(sqlitch_engine *e, const char *version, sqlitch_err *err);
  /* Sqitch's register_project (checks and INSERT); uri may be NULL. */
  int (*register_project)(sqlitch_engine *e, const char *project,
                          const char *uri, sqlitch_err *err);
  /* Pre-1.0 registries: set script_hash from the plan where it still
     equals change_id (hashes[i] for ids[i]), then NULL the rest. */
  int (*update_script_hashes)(sqlitch_engine *e, const char *project,
                              const char *const *ids, const char *const *hashes,
                              size_t n, sqlitch_err *err);

  /* ---- locking (deploy/revert). try: *got = 1 when taken at once.
     wait: block up to `seconds`; *got = 0 on time-out. */
  int (*try_lock)(sqlitch_engine *e, int *got, sqlitch_err *err);
  int (*wait_lock)(sqlitch_engine *e, double seconds, int *got,
                   sqlitch_err *err);

  /* ---- work. Before the first step of a run that executes scripts,
     engine.c calls prepare (open the target, check that it exists as a
     database and is writable); NULL = nothing to check. */
  int (*prepare)(sqlitch_engine *e, sqlitch_err *err);
  /* One change; see sqlitch_step. Contract (Engine.pm deploy_change /
     revert_change, minus the progress lines, which engine.c prints):
       deploy: begin; run s->script; if s->verify_script, verify (a
         missing verify file is reported with a VENT "Verify script <f>
         does not exist" and counts as success); write the registry rows
         of s->log; commit.
         script fails   -> roll back; res->status = SCRIPT_FAILED; the
                           script's error text is VENTed as the client
                           prints it; err = a SQLITCH_E_PRIVATE error, or
                           the client-failure message ("\"sqlite3\"
                           unexpectedly returned exit value 1\n");
         verify fails   -> error text VENTed; res->status = VERIFY_FAILED;
                           res->undone as described above;
         logging fails  -> res->status = LOG_FAILED, err = the database
                           error (not reported), res->undone likewise.
       revert: begin; run s->script; delete the change's registry rows and
         write the revert event (tags and dependencies read back from the
         registry); commit. Failures as above.
     Return SQLITCH_OK with res filled for script/verify/log failures;
     SQLITCH_ERROR only when the engine itself broke. */
  int (*step)(sqlitch_engine *e, const sqlitch_step *s,
              sqlitch_step_result *res, sqlitch_err *err);
  /* deploy --backup: online copy of the target to `file` before the
     first change (NULL = unsupported). */
  int (*backup)(sqlitch_engine *e, const char *file, sqlitch_err *err);
  /* Run one script on its own: a verify script (verify command) or the
     revert script that undoes a failed --verify/log (Sqitch's recovery).
     Script errors are reported as the client would (VENT) and returned
     as a SQLITCH_E_PRIVATE error, or as the client-failure message. */
  int (*run_script)(sqlitch_engine *e, sqlitch_script_kind kind,
                    const char *file, sqlitch_err *err);
  /* Write a fail event (own transaction). */
  int (*log_fail)(sqlitch_engine *e, const sqlitch_log_change *c,
                  sqlitch_err *err);
  /* Tags of the deployed change `c` not yet in the registry. */
  int (*log_new_tags)(sqlitch_engine *e, const sqlitch_log_change *c,
                      sqlitch_err *err);

  /* ---- registry queries (DBIEngine) */
  /* NULL *out when nothing of `project` is deployed or no registry. */
  int (*current_state)(sqlitch_engine *e, const char *project,
                       sqlitch_reg_state **out, sqlitch_err *err);
  /* Deployed changes of `project`, oldest first; with since_id, only those
     committed after that change. */
  int (*deployed_changes)(sqlitch_engine *e, const char *project,
                          const char *since_id, sqlitch_reg_changes *out,
                          sqlitch_err *err);
  /* load_change / change_offset_from_id: *found = 0 when no such row. */
  int (*load_change)(sqlitch_engine *e, const char *project,
                     const char *change_id, int offset, sqlitch_reg_change *out,
                     int *found, sqlitch_err *err);
  /* change_id_offset_from_id; *out NULL when none. */
  int (*change_id_offset)(sqlitch_engine *e, const char *project,
                          const char *change_id, int offset, char **out,
                          sqlitch_err *err);
  /* DBIEngine's change_id_for, minus the HEAD/ROOT shortcuts that
     engine.c resolves itself: by change_id; by change + tag (tag "HEAD":
     the latest change of that name); by change alone (every id of that
     name, earliest first, so engine.c can report ambiguity); by tag
     (never HEAD/ROOT here). Tags are given without "@". */
  int (*change_id_for)(sqlitch_engine *e, const char *change_id,
                       const char *change, const char *tag, const char *project,
                       sqlitch_strv *out, sqlitch_err *err);
  /* earliest (ASC) or latest (DESC) change id at `offset`; NULL if none. */
  int (*change_id_at)(sqlitch_engine *e, const char *project, int latest,
                      int offset, char **out, sqlitch_err *err);
  int (*changes_requiring)(sqlitch_engine *e, const char *change_id,
                           sqlitch_reg_requiring **out, size_t *n,
                           sqlitch_err *err);
  /* Optional, for speed: every (dependency_id, change_id) pair of the
     dependencies table with a dependency_id, flattened into `out`. When
     set, revert asks changes_requiring only for changes something still
     deployed requires. */
  int (*dependents)(sqlitch_engine *e, sqlitch_strv *out, sqlitch_err *err);
  int (*name_for_change_id)(sqlitch_engine *e, const char *change_id,
                            char **out, sqlitch_err *err);
  /* Which of `ids` are in the changes table (in any order). */
  int (*are_deployed)(sqlitch_engine *e, const char *const *ids, size_t n,
                      sqlitch_strv *out, sqlitch_err *err);
  int (*is_deployed_tag)(sqlitch_engine *e, const char *tag_id, int *yes,
                         sqlitch_err *err);
  int (*current_changes)(sqlitch_engine *e, const char *project,
                         sqlitch_change_row_fn fn, void *ctx, sqlitch_err *err);
  int (*current_tags)(sqlitch_engine *e, const char *project,
                      sqlitch_tag_row_fn fn, void *ctx, sqlitch_err *err);
  int (*search_events)(sqlitch_engine *e, const sqlitch_event_query *q,
                       sqlitch_event_row_fn fn, void *ctx, sqlitch_err *err);
  int (*registered_projects)(sqlitch_engine *e, sqlitch_strv *out,
                             sqlitch_err *err);

  /* ---- crash recovery (optional; NULL when the engine's commits make it
     unnecessary). After the lock is taken: did an interrupted run leave a
     change whose script committed but whose registry rows did not?
     *what = 0 no (anything stale is cleared), 1 a deploy, 2 a revert;
     id8 = the first 8 hex digits of its id. engine.c then records it with
     a log-only step (which clears the marker) or calls disarm. */
  int (*pending)(sqlitch_engine *e, int *what, char id8[9], sqlitch_err *err);
  int (*disarm)(sqlitch_engine *e, sqlitch_err *err);

  /* Destination in messages when it is not the target's name (pg.pm
     fills in the database name); NULL = target->name. Borrowed. */
  const char *(*destination)(sqlitch_engine *e);
};

/* ============================================================ the engine */

typedef struct sqlitch_engine_opts {
  int log_only;           /* --log-only */
  int with_verify;        /* deploy --verify */
  int no_prompt;          /* -y / revert.no_prompt */
  int prompt_accept;      /* revert.prompt_accept (default 1) */
  double lock_timeout;    /* --lock-timeout, seconds (default 60) */
  int dry_run;            /* --dry-run: report changes and SQL, touch nothing */
  const char *backup;     /* deploy --backup[=FILE]: NULL none, "" default */
  int verbosity;          /* core verbosity (verify output at >= 2) */
  sqlitch_strv variables; /* "k=v", sorted (owned by the engine) */
  /* Prompt (revert): return 1 yes, 0 no, SQLITCH_ERROR. NULL = accept
     the default answer. */
  int (*ask_yes_no)(void *ctx, const char *msg, int dflt, sqlitch_err *err);
  void *ask_ctx;
} sqlitch_engine_opts;

struct sqlitch_engine {
  /* public, read-only for engines */
  const sqlitch_engine_ops *ops;
  const sqlitch_config *config; /* may be NULL */
  const sqlitch_target *target;
  const sqlitch_reporter *rep;
  sqlitch_engine_opts opts;
  void *impl; /* engine private state */

  /* engine.c private */
  sqlitch_plan *plan;
  int own_plan;
  long position; /* Plan->position (-1 = nothing) */
  char *start_at;
  int locked;
  char *user_name, *user_email;
  void *priv;
};

/* Find the ops for an engine key ("sqlite", "pg", "mysql"), or NULL when
   this build does not support it. */
const sqlitch_engine_ops *sqlitch_engine_ops_for(const char *key);

/* New engine for `target` (its engine must be supported; errors say so).
   Options start as Sqitch's defaults. */
int sqlitch_engine_new(const sqlitch_config *cfg, const sqlitch_target *target,
                       const sqlitch_reporter *rep, sqlitch_engine **out,
                       sqlitch_err *err);
void sqlitch_engine_free(sqlitch_engine *e);

/* Use an already loaded plan (borrowed) instead of target->plan_file. */
void sqlitch_engine_set_plan(sqlitch_engine *e, sqlitch_plan *plan);
/* Use the plan being loaded by `f` (sqlitch_plan_load_start on
   target->plan_file; the engine owns f from here): the next
   sqlitch_engine_plan() waits for it. Meanwhile
   sqlitch_engine_project_hint() gives the project the file's head names
   (a guess to check against the plan), so that status can query the
   registry while the plan is parsed. */
void sqlitch_engine_set_plan_future(sqlitch_engine *e, sqlitch_plan_future *f);

/* For the read-only commands (status, log): let the pg and mysql engines
   talk to the server themselves instead of loading libpq / libmariadb,
   when the connection is one they can open exactly as the library would
   (docs/pg.md, docs/mysql.md; SQLITCH_PG_WIRE=0 / SQLITCH_MYSQL_WIRE=0
   turn it off). Process-wide; the extension and every other command keep
   the client libraries. A no-op for engines not in the build. */
void sqlitch_engine_allow_inprocess_clients(int on);
const char *sqlitch_engine_project_hint(sqlitch_engine *e);
/* The plan, loading it on first use. */
int sqlitch_engine_plan(sqlitch_engine *e, sqlitch_plan **out,
                        sqlitch_err *err);

/* Destination as Sqitch names it in messages (target name). Borrowed. */
const char *sqlitch_engine_destination(const sqlitch_engine *e);
const char *sqlitch_engine_registry_destination(sqlitch_engine *e);
/* user.name / user.email (config, environment), computed once. */
int sqlitch_engine_user(sqlitch_engine *e, const char **name,
                        const char **email, sqlitch_err *err);

/* ------------------------------------------------------------ commands */

/* deploy [to] with mode "all" (NULL), "tag" or "change". */
int sqlitch_engine_deploy(sqlitch_engine *e, const char *to, const char *mode,
                          sqlitch_err *err);
/* revert [to]; prompts through opts.ask_yes_no unless no_prompt. */
int sqlitch_engine_revert(sqlitch_engine *e, const char *to, sqlitch_err *err);
int sqlitch_engine_verify(sqlitch_engine *e, const char *from, const char *to,
                          sqlitch_err *err);
int sqlitch_engine_check(sqlitch_engine *e, const char *from, const char *to,
                         sqlitch_err *err);
/* The upgrade command: "Upgrading registry ..." or "... is up-to-date". */
int sqlitch_engine_upgrade(sqlitch_engine *e, sqlitch_err *err);
/* revert --modified: id of the last deployed change whose script hash
   still matches the plan (NULL when the first one differs). */
int sqlitch_engine_common_ancestor_id(sqlitch_engine *e, char **out,
                                      sqlitch_err *err);

/* ------------------------------------------- registry access (status, log) */

/* "0" when there is no registry. Caller frees. */
int sqlitch_engine_registry_version(sqlitch_engine *e, char **out,
                                    sqlitch_err *err);
int sqlitch_engine_initialized(sqlitch_engine *e, int *yes, sqlitch_err *err);
/* Sqitch's _check_registry (revert/verify/check): errors "No registry
   found in ...", "Registry is at version ...", "Registry version is ...". */
int sqlitch_engine_check_registry(sqlitch_engine *e, sqlitch_err *err);
/* project NULL = the plan's project (loads the plan). */
int sqlitch_engine_current_state(sqlitch_engine *e, const char *project,
                                 sqlitch_reg_state **out, sqlitch_err *err);
int sqlitch_engine_current_changes(sqlitch_engine *e, const char *project,
                                   sqlitch_change_row_fn fn, void *ctx,
                                   sqlitch_err *err);
int sqlitch_engine_current_tags(sqlitch_engine *e, const char *project,
                                sqlitch_tag_row_fn fn, void *ctx,
                                sqlitch_err *err);
int sqlitch_engine_search_events(sqlitch_engine *e,
                                 const sqlitch_event_query *q,
                                 sqlitch_event_row_fn fn, void *ctx,
                                 sqlitch_err *err);
int sqlitch_engine_deployed_changes(sqlitch_engine *e, sqlitch_reg_changes *out,
                                    sqlitch_err *err);
int sqlitch_engine_registered_projects(sqlitch_engine *e, sqlitch_strv *out,
                                       sqlitch_err *err);
/* Sqitch's change_id_for_key / find_change_id ("name", "name@tag",
   "@tag", id, with ^/~ offsets) against the registry; *out NULL when not
   found. Ambiguous names vent the candidates and fail. */
int sqlitch_engine_change_id_for_key(sqlitch_engine *e, const char *key,
                                     char **out, sqlitch_err *err);

/* -------------------------------------------------- helpers for engines */

/* "2024-01-15T10:30:00Z" -> "2024-01-15 10:30:00" (41 bytes suffice). */
void sqlitch_engine_plan_ts(const char *plan_ts, char out[32]);
/* The engine-neutral "now" for registry rows, strictly increasing within
   a process run: "YYYY-MM-DD HH:MM:SS.mmm" UTC, never at or before
   `floor` (the newest committed_at already in the registry, or NULL). */
void sqlitch_engine_clock_init(sqlitch_engine *e, const char *floor);
void sqlitch_engine_clock_next(sqlitch_engine *e, int pending, char out[32]);
/* Run a command-line client (argv[0] on PATH; env NULL = environ) as
   Sqitch's run/_capture do: its stderr goes to e->rep as SQLITCH_VENT
   literal text, its stdout as SQLITCH_EMIT literal text when show_out
   (else to /dev/null). Anything but exit 0 is IPC::System::Simple's
   message in err, exit 2 (core/process.h). */
int sqlitch_engine_run_client(sqlitch_engine *e, char *const *argv,
                              char *const *env, int show_out, sqlitch_err *err);

#endif
