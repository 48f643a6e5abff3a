/*
** report.h -- how core tells a face what is happening, without printing.
**
** Core never prints. Anything a user should see goes through a
** sqlitch_reporter: the CLI turns messages into lines on stdout/stderr
** (with Sqitch's channels and verbosity rules), the extension collects them
** into rows or an error message, and --json turns events into objects.
**
** Message levels follow Sqitch's output channels:
**   EMIT     stdout, always                  (emit)
**   INFO     stdout when verbosity >= 1      (info)
**   COMMENT  stdout, each line prefixed "# " (comment)
**   WARN     stderr, each line "warning: "   (warn)
**   VENT     stderr                          (vent)
**   DEBUG    stdout "debug: ", verbosity >= 2
**   TRACE    stdout "trace: ", verbosity >= 3
** A message is one logical line without its newline; `literal` messages are
** printed as-is with no newline added (Sqitch's *_literal variants, used
** for "  + change .. " before "ok").
**
**   static void on_msg(void *ctx, sqlitch_level lvl, int literal, const char
**text) {...}
**   sqlitch_reporter r = { on_msg, NULL, ctx };
**   sqlitch_report(&r, SQLITCH_INFO, "Deploying changes to %s", dest);
**
** Structured events (deploy/revert/verify steps) reach `event` when set;
** see sqlitch_event below. A NULL reporter, or NULL callbacks, are fine.
*/
#ifndef SQLITCH_REPORT_H
#define SQLITCH_REPORT_H

#include "util.h"

typedef enum {
  SQLITCH_TRACE = 0,
  SQLITCH_DEBUG,
  SQLITCH_INFO,
  SQLITCH_EMIT,
  SQLITCH_COMMENT,
  SQLITCH_WARN,
  SQLITCH_VENT
} sqlitch_level;

typedef enum {
  SQLITCH_EV_CHANGE_BEGIN =
      1,                 /* a change starts deploying/reverting/verifying */
  SQLITCH_EV_CHANGE_END, /* ... and ends (ok or not) */
  SQLITCH_EV_SCRIPT      /* a script is about to run (dry-run lists them) */
} sqlitch_event_kind;

typedef struct sqlitch_event {
  sqlitch_event_kind kind;
  const char *op;     /* "deploy", "revert", "verify", "fail" */
  const char *change; /* name */
  const char *change_id;
  const char *tags;   /* "@a @b" or "" */
  const char *script; /* path, for SCRIPT */
  int ok;             /* for CHANGE_END */
  double seconds;     /* duration, for CHANGE_END */
  const char *error;  /* for CHANGE_END when !ok, may be NULL */
} sqlitch_event;

typedef struct sqlitch_reporter {
  void (*msg)(void *ctx, sqlitch_level level, int literal, const char *text);
  void (*event)(void *ctx, const sqlitch_event *ev);
  void *ctx;
} sqlitch_reporter;

void sqlitch_report(const sqlitch_reporter *r, sqlitch_level level,
                    const char *fmt, ...) SQLITCH_PRINTF(3, 4);
void sqlitch_report_literal(const sqlitch_reporter *r, sqlitch_level level,
                            const char *fmt, ...) SQLITCH_PRINTF(3, 4);
void sqlitch_report_event(const sqlitch_reporter *r, const sqlitch_event *ev);

#endif
