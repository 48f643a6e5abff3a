/*
** datefmt.h -- Sqitch's date formats (App::Sqitch::DateTime->as_string):
** turn an instant into the text `plan`, `log` and `status` print.
**
** Formats (the --date-format / *.date_format values):
**   raw              2024-01-15T10:30:00Z              always UTC
**   iso, iso8601     2024-01-15 10:30:00 +0000         local time zone
**   rfc, rfc2822     Mon, 15 Jan 2024 10:30:00 -0000   ("+0000" -> "-0000")
**   full             Monday, January 15, 2024, 10:30:00<U+202F>AM UTC
**   long             January 15, 2024, 10:30:00<U+202F>AM UTC
**   medium           Jan 15, 2024, 10:30:00<U+202F>AM
**   short            1/15/24, 10:30<U+202F>AM
**   cldr:<pattern>   DateTime's CLDR pattern letters (G y Y u Q q M L w W
**                    d D F g E e c a h H K k j m s S A z Z v V, 'quoted')
**   strftime:<pat>   DateTime's own strftime (%a %A %b %B %c %C %d %D %e
**                    %F %g %G %h %H %I %j %k %l %m %M %n %N %3N %p %P %r
**                    %R %s %S %t %T %u %U %V %w %W %x %X %y %Y %z %Z %%,
**                    and %{method} for the common DateTime accessors)
** Everything but `raw` is in the local time zone, resolved the way
** DateTime::TimeZone::Local does on Unix: $TZ when it is a valid zone
** name, else /etc/timezone, else /etc/localtime, else UTC; zone links are
** resolved (US/Eastern -> America/New_York, Etc/UTC and GMT -> UTC). The
** first conversion pins the process's TZ to that resolved name (setenv +
** tzset), so libc agrees with it from then on.
**
** Locale: names, the full/long/medium/short patterns and %c/%x/%X are
** always CLDR en-US (DateTime::Locale 1.37 data, U+202F before AM/PM),
** which is what sqitch uses under the C, C.UTF-8, POSIX and en_US locales;
** other LC_TIME locales also get en-US (a documented difference).
**
**   sqlitch_err err = SQLITCH_ERR_INIT;
**   if (sqlitch_datefmt_validate(opt, &err)) ...   // exit 255 at configure
**   sqlitch_time t;
**   sqlitch_time_parse("2024-01-15T10:30:00Z", &t);
**   sqlitch_buf b = SQLITCH_BUF_INIT;
**   if (sqlitch_datefmt_format("iso", &t, &b, &err)) ...   // appends
**
** Errors: `Unknown date format "x"` (exit 255 from validate, exit 2 from
** format, as Sqitch raises it at configure vs. execute time).
*/
#ifndef SQLITCH_DATEFMT_H
#define SQLITCH_DATEFMT_H

#include <stdint.h>

#include "util.h"

/* An instant: seconds since the epoch (UTC) plus nanoseconds. */
typedef struct sqlitch_time {
  int64_t sec;
  int32_t nsec;
} sqlitch_time;

/* Parse a UTC timestamp: "YYYY-MM-DDTHH:MM:SSZ" (plan), "YYYY-MM-DD
   HH:MM:SS[.fff...]" (registry), "YYYY-MM-DDTHH:MM:SS[.f]" with optional
   "Z" or "+HH:MM"/"-HH:MM"/"+HHMM" offset. Returns SQLITCH_OK or
   SQLITCH_ERROR (t untouched) when the text is not a timestamp. */
int sqlitch_time_parse(const char *s, sqlitch_time *t);
/* Parse sqitch's registry "year:YYYY:month:MM:day:DD:hour:HH:minute:MM:
   second:SS:time_zone:UTC" form too (the engines select dates that way). */
int sqlitch_time_parse_parts(const char *s, sqlitch_time *t);

/* 1 when `fmt` is a format Sqitch accepts for --date-format (a named
   format or any "cldr:"/"strftime:" pattern). */
int sqlitch_datefmt_known(const char *fmt);
/* validate_as_string_format: SQLITCH_ERROR with `Unknown date format "x"`
   (exit 255) unless sqlitch_datefmt_known(). */
int sqlitch_datefmt_validate(const char *fmt, sqlitch_err *err);

/* as_string: append `t` formatted as `fmt` (NULL or "" = raw) to out.
   Besides the documented names, "default" is accepted (as DateTime::Locale's
   datetime_format_default = medium). Unknown names: `Unknown date format
   "x"`, exit 2. */
int sqlitch_datefmt_format(const char *fmt, const sqlitch_time *t,
                           sqlitch_buf *out, sqlitch_err *err);

/* The two building blocks, for callers that want them directly. */
void sqlitch_datefmt_cldr(const char *pattern, const sqlitch_time *t,
                          sqlitch_buf *out);
void sqlitch_datefmt_strftime(const char *pattern, const sqlitch_time *t,
                              sqlitch_buf *out);

/* The resolved local zone's name ("UTC", "America/New_York"); borrowed. */
const char *sqlitch_local_zone_name(void);

#endif
