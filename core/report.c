/*
** report.c -- forwarding helpers for sqlitch_reporter (see report.h).
*/
#include "report.h"

#include <stdlib.h>

static void send(const sqlitch_reporter *r, sqlitch_level level, int literal,
                 const char *fmt, va_list ap) {
  if (!r || !r->msg) return;
  char *s = sqlitch_vmprintf(fmt, ap);
  r->msg(r->ctx, level, literal, s);
  free(s);
}

void sqlitch_report(const sqlitch_reporter *r, sqlitch_level level,
                    const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  send(r, level, 0, fmt, ap);
  va_end(ap);
}

void sqlitch_report_literal(const sqlitch_reporter *r, sqlitch_level level,
                            const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  send(r, level, 1, fmt, ap);
  va_end(ap);
}

void sqlitch_report_event(const sqlitch_reporter *r, const sqlitch_event *ev) {
  if (r && r->event) r->event(r->ctx, ev);
}
