/*
** datefmt.c -- App::Sqitch::DateTime->as_string in C: raw, iso, rfc, the
** CLDR en-US named formats, cldr:<pattern> and strftime:<pattern>.
** See datefmt.h for the contract. Internals:
**
**   zone       which zone "local" means (DateTime::TimeZone::Local::Unix
**              rules), pinned into $TZ once so localtime_r() agrees
**   parts      one broken-down instant (local or UTC) with everything the
**              pattern letters need (ISO week, day of year, offset, names)
**   cldr       DateTime::format_cldr: quoted text, runs of one letter
**   strftime   DateTime::strftime: %x, %{method}, %<n>N
*/
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "datefmt.h"

/* ------------------------------------------------------------ en-US data */

static const char *const day_wide[] = {"Monday",   "Tuesday", "Wednesday",
                                       "Thursday", "Friday",  "Saturday",
                                       "Sunday"};
static const char *const day_abbr[] = {"Mon", "Tue", "Wed", "Thu",
                                       "Fri", "Sat", "Sun"};
static const char *const day_narrow[] = {"M", "T", "W", "T", "F", "S", "S"};
static const char *const month_wide[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
static const char *const month_abbr[] = {"Jan", "Feb", "Mar", "Apr",
                                         "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec"};
static const char *const month_narrow[] = {"J", "F", "M", "A", "M", "J",
                                           "J", "A", "S", "O", "N", "D"};
static const char *const quarter_wide[] = {"1st quarter", "2nd quarter",
                                           "3rd quarter", "4th quarter"};
static const char *const quarter_abbr[] = {"Q1", "Q2", "Q3", "Q4"};
static const char *const era_wide[] = {"Before Christ", "Anno Domini"};
static const char *const era_abbr[] = {"BC", "AD"};
static const char *const era_narrow[] = {"B", "A"};
static const char *const ampm[] = {"AM", "PM"};

#define NNBSP "\xe2\x80\xaf" /* U+202F NARROW NO-BREAK SPACE */

/* DateTime::Locale en-US datetime_format_<name>. */
static const struct {
  const char *name;
  const char *pattern;
} named_cldr[] = {
    {"full", "EEEE, MMMM d, y, h:mm:ss" NNBSP "a zzzz"},
    {"long", "MMMM d, y, h:mm:ss" NNBSP "a z"},
    {"medium", "MMM d, y, h:mm:ss" NNBSP "a"},
    {"short", "M/d/yy, h:mm" NNBSP "a"},
    {"default", "MMM d, y, h:mm:ss" NNBSP "a"},
};
#define DATE_FORMAT_DEFAULT "MMM d, y"
#define TIME_FORMAT_DEFAULT "h:mm:ss" NNBSP "a"

static const char *const known_formats[] = {
    "raw",  "iso",  "iso8601", "rfc",   "rfc2822",
    "full", "long", "medium",  "short", NULL};

/* ------------------------------------------------------------ calendar */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i])) return 0;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return 1;
}

static int valid_ymdhms(int y, int mo, int d, int h, int mi, int s) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) return 0;
  if (mo == 2 && d == 29 && !is_leap(y)) return 0;
  return h <= 23 && mi <= 59 && s <= 60;
}

int sqlitch_time_parse(const char *s, sqlitch_time *t) {
  int y, mo, d, h, mi, sec;
  const char *p = s;
  if (!s) return SQLITCH_ERROR;
  while (*p == ' ')
    p++;
  if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
      !digits(&p, 2, &d))
    return SQLITCH_ERROR;
  if (*p != 'T' && *p != ' ') return SQLITCH_ERROR;
  p++;
  if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
      !digits(&p, 2, &sec))
    return SQLITCH_ERROR;
  if (!valid_ymdhms(y, mo, d, h, mi, sec)) return SQLITCH_ERROR;
  int32_t nsec = 0;
  if (*p == '.') {
    p++;
    int n = 0;
    while (isdigit((unsigned char)*p)) {
      if (n < 9) nsec = nsec * 10 + (*p - '0');
      n++;
      p++;
    }
    if (n == 0) return SQLITCH_ERROR;
    for (; n < 9; n++)
      nsec *= 10;
  }
  int64_t off = 0;
  if (*p == 'Z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
    if (!digits(&p, 2, &oh)) return SQLITCH_ERROR;
    if (*p == ':') p++;
    if (*p && !digits(&p, 2, &om)) return SQLITCH_ERROR;
    off = sign * (oh * 3600 + om * 60);
  }
  while (*p == ' ')
    p++;
  if (*p) return SQLITCH_ERROR;
  t->sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
  t->nsec = nsec;
  return SQLITCH_OK;
}

int sqlitch_time_parse_parts(const char *s, sqlitch_time *t) {
  static const char *const keys[] = {"year", "month",  "day",
                                     "hour", "minute", "second"};
  int v[6] = {0, 1, 1, 0, 0, 0};
  const char *p = s;
  if (!s) return SQLITCH_ERROR;
  for (size_t i = 0; i < 6; i++) {
    size_t kl = strlen(keys[i]);
    if (strncmp(p, keys[i], kl) != 0 || p[kl] != ':') return SQLITCH_ERROR;
    p += kl + 1;
    if (!isdigit((unsigned char)*p)) return SQLITCH_ERROR;
    long n = strtol(p, (char **)&p, 10);
    if (n > 99999) return SQLITCH_ERROR;
    v[i] = (int)n;
    if (i < 5 && *p++ != ':') return SQLITCH_ERROR;
  }
  if (*p == ':' && strcmp(p, ":time_zone:UTC") != 0) return SQLITCH_ERROR;
  if (*p && *p != ':') return SQLITCH_ERROR;
  if (!valid_ymdhms(v[0], v[1], v[2], v[3], v[4], v[5])) return SQLITCH_ERROR;
  t->sec = days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 +
           v[5];
  t->nsec = 0;
  return SQLITCH_OK;
}

/* --------------------------------------------------------------- zones */

#define ZONEINFO "/usr/share/zoneinfo"

static char zone_name[256]; /* resolved, canonical (long) name */
static int zone_resolved;

/* DateTime::TimeZone::Local::_IsValidName */
static int valid_zone_name(const char *s) {
  if (!s || !*s || strcmp(s, "local") == 0) return 0;
  for (const char *p = s; *p; p++)
    if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '/' || *p == '-' ||
          *p == '+'))
      return 0;
  return 1;
}

/* Names DateTime::TimeZone's catalog maps to its UTC singleton. */
static int utc_alias(const char *n) {
  static const char *const utc[] = {
      "UTC",     "Z",         "GMT",           "GMT+0",     "GMT-0",
      "GMT0",    "Greenwich", "UCT",           "Universal", "Zulu",
      "Etc/GMT", "Etc/GMT+0", "Etc/GMT-0",     "Etc/GMT0",  "Etc/Greenwich",
      "Etc/UCT", "Etc/UTC",   "Etc/Universal", "Etc/Zulu",  NULL};
  for (size_t i = 0; utc[i]; i++)
    if (strcmp(n, utc[i]) == 0) return 1;
  return 0;
}

/* Follow "L target link" lines of tzdata.zi (the IANA backward links, the
   same data DateTime::TimeZone::Catalog's %LINKS comes from). */
static int zone_link(const char *name, char *out, size_t outsz) {
  char *data = NULL;
  size_t len = 0;
  sqlitch_err e = SQLITCH_ERR_INIT;
  int found = 0;
  if (sqlitch_read_file(ZONEINFO "/tzdata.zi", &data, &len, &e)) {
    sqlitch_err_clear(&e);
    return 0;
  }
  size_t nl = strlen(name);
  for (char *line = data; line && *line;) {
    char *end = strchr(line, '\n');
    if (end) *end = 0;
    if (line[0] == 'L' && line[1] == ' ') {
      char *target = line + 2, *sp = strchr(target, ' ');
      if (sp && strlen(sp + 1) == nl && memcmp(sp + 1, name, nl) == 0 &&
          (size_t)(sp - target) < outsz) {
        memcpy(out, target, (size_t)(sp - target));
        out[sp - target] = 0;
        found = 1;
        break;
      }
    }
    line = end ? end + 1 : NULL;
  }
  free(data);
  return found;
}

/* DateTime::TimeZone->new(name => n) succeeds: 1 and the name (UTC
   aliases become "UTC"), or 0. Links are resolved later, only when the
   long name is printed. */
static int zone_new(const char *n, char *out, size_t outsz) {
  struct stat st;
  char path[512];
  if (!valid_zone_name(n) || strlen(n) >= 200) return 0;
  if (utc_alias(n)) {
    snprintf(out, outsz, "UTC");
    return 1;
  }
  if (strstr(n, "..") || strncmp(n, "posix/", 6) == 0 ||
      strncmp(n, "right/", 6) == 0)
    return 0;
  snprintf(path, sizeof path, ZONEINFO "/%s", n);
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  snprintf(out, outsz, "%s", n);
  return 1;
}

static int zone_from_file_text(const char *file, char *out, size_t outsz) {
  char *data = NULL;
  size_t len = 0;
  sqlitch_err e = SQLITCH_ERR_INIT;
  if (sqlitch_read_file(file, &data, &len, &e)) {
    sqlitch_err_clear(&e);
    return 0;
  }
  char *t = sqlitch_strtrim(data);
  int ok = zone_new(t, out, outsz);
  free(t);
  free(data);
  return ok;
}

static int zone_from_localtime(char *out, size_t outsz) {
  char *real = realpath("/etc/localtime", NULL);
  int ok = 0;
  if (!real) return 0;
  /* try the last path component, then the last two, ... */
  size_t n = strlen(real);
  for (size_t i = n; i > 0 && !ok; i--) {
    if (real[i - 1] == '/') ok = zone_new(real + i, out, outsz);
  }
  free(real);
  return ok;
}

static void resolve_zone(void) {
  if (zone_resolved) return;
  zone_resolved = 1;
  const char *tz = getenv("TZ");
  if (tz && zone_new(tz, zone_name, sizeof zone_name)) {
    tzset();
    return;
  }
  if (!zone_from_file_text("/etc/timezone", zone_name, sizeof zone_name) &&
      !zone_from_localtime(zone_name, sizeof zone_name))
    snprintf(zone_name, sizeof zone_name, "UTC");
  /* $TZ is unset or not a zone DateTime knows: make libc agree. */
  setenv("TZ", zone_name, 1);
  tzset();
}

/* The canonical (link-resolved) name, DateTime's time_zone_long_name. */
static const char *zone_long_name(void) {
  static char canon[256];
  static int done;
  resolve_zone();
  if (!done) {
    char target[256];
    done = 1;
    if (zone_link(zone_name, target, sizeof target))
      snprintf(canon, sizeof canon, "%s", utc_alias(target) ? "UTC" : target);
    else
      snprintf(canon, sizeof canon, "%s", zone_name);
  }
  return canon;
}

const char *sqlitch_local_zone_name(void) { return zone_long_name(); }

/* --------------------------------------------------------------- parts */

typedef struct parts {
  int64_t year;
  int month, day, hour, minute, second; /* month 1-12 */
  int32_t nsec;
  int dow;     /* 1 = Monday .. 7 = Sunday */
  int doy;     /* 1-based */
  long offset; /* seconds east of UTC */
  int64_t epoch;
  int64_t utc_days; /* days since 1970-01-01 (UTC) */
  int64_t utc_secs; /* seconds into the UTC day */
  char zshort[64];
  int utc; /* not converted to local time */
} parts;

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int64_t floordiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static void fill_parts(const sqlitch_time *t, int local, parts *p) {
  memset(p, 0, sizeof *p);
  p->epoch = t->sec;
  p->nsec = t->nsec;
  p->offset = 0;
  snprintf(p->zshort, sizeof p->zshort, "UTC");
  p->utc = !local;
  if (local) {
    resolve_zone();
    time_t tt = (time_t)t->sec;
    struct tm tm;
    if (localtime_r(&tt, &tm)) {
      p->offset = tm.tm_gmtoff;
      if (strcmp(zone_name, "UTC") != 0 && tm.tm_zone)
        snprintf(p->zshort, sizeof p->zshort, "%s", tm.tm_zone);
    }
  }
  int64_t lsec = t->sec + p->offset;
  int64_t days = floordiv(lsec, 86400);
  int64_t sod = lsec - days * 86400;
  civil_from_days(days, &p->year, &p->month, &p->day);
  p->hour = (int)(sod / 3600);
  p->minute = (int)(sod / 60 % 60);
  p->second = (int)(sod % 60);
  /* 1970-01-01 was a Thursday (4) */
  p->dow = (int)((days % 7 + 7 + 3) % 7) + 1;
  p->doy = (int)(days - days_from_civil(p->year, 1, 1)) + 1;
  p->utc_days = floordiv(t->sec, 86400);
  p->utc_secs = t->sec - p->utc_days * 86400;
}

/* ISO 8601 week-numbering year and week (DateTime::week). */
static void iso_week(const parts *p, int64_t *wyear, int *week) {
  int64_t y = p->year;
  int w = (p->doy - p->dow + 10) / 7;
  if (w < 1) {
    y--;
    /* weeks in previous year */
    int64_t jan1 = days_from_civil(y, 1, 1);
    int d1 = (int)((jan1 % 7 + 7 + 3) % 7) + 1;
    int weeks = (d1 == 4 || (d1 == 3 && is_leap(y))) ? 53 : 52;
    w = weeks;
  } else {
    int64_t jan1 = days_from_civil(y, 1, 1);
    int d1 = (int)((jan1 % 7 + 7 + 3) % 7) + 1;
    int weeks = (d1 == 4 || (d1 == 3 && is_leap(y))) ? 53 : 52;
    if (w > weeks) {
      y++;
      w = 1;
    }
  }
  *wyear = y;
  *week = w;
}

static const char *zlong(const parts *p) {
  return p->utc ? "UTC" : zone_long_name();
}

static int hour_12(const parts *p) {
  int h = p->hour % 12;
  return h ? h : 12;
}

/* DateTime::TimeZone->offset_as_string(offset, sep) */
static void add_offset(sqlitch_buf *b, long off, const char *sep) {
  char sign = off < 0 ? '-' : '+';
  long a = off < 0 ? -off : off;
  long h = a / 3600, m = a % 3600 / 60, s = a % 60;
  sqlitch_buf_addf(b, "%c%02ld%s%02ld", sign, h, sep, m);
  if (s) sqlitch_buf_addf(b, "%s%02ld", sep, s);
}

/* Fast fixed-width digits for the common formats (no vfprintf). */
static char *put2(char *p, int v) {
  p[0] = (char)('0' + v / 10 % 10);
  p[1] = (char)('0' + v % 10);
  return p + 2;
}

/* "YYYY-MM-DD<sep>HH:MM:SS" into p (>= 32 bytes); returns the end, or
   NULL when the year needs more than four digits. */
static char *put_ymdhms(char *p, const parts *t, char sep) {
  if (t->year < 0 || t->year > 9999) return NULL;
  p = put2(p, (int)(t->year / 100));
  p = put2(p, (int)(t->year % 100));
  *p++ = '-';
  p = put2(p, t->month);
  *p++ = '-';
  p = put2(p, t->day);
  *p++ = sep;
  p = put2(p, t->hour);
  *p++ = ':';
  p = put2(p, t->minute);
  *p++ = ':';
  return put2(p, t->second);
}

/* sprintf("%0<n>d", v) */
static void add_padded(sqlitch_buf *b, int n, int64_t v) {
  sqlitch_buf_addf(b, "%0*lld", n, (long long)v);
}

/* DateTime::_format_nanosecs */
static void add_nanosecs(sqlitch_buf *b, int precision, int32_t nsec) {
  double v;
  if (precision > 60) precision = 60;
  int exponent = 9 - precision;
  if (exponent < 0)
    v = floor((double)nsec * pow(10, -exponent));
  else
    v = floor((double)nsec / pow(10, exponent));
  sqlitch_buf_addf(b, "%0*.0f", precision, v);
}

/* ---------------------------------------------------------------- CLDR */

static void cldr_run(sqlitch_buf *b, const parts *p, char c, int n) {
  int64_t wyear;
  int week;
  switch (c) {
  case 'G':
    sqlitch_buf_add(b, n >= 5   ? era_narrow[p->year > 0]
                       : n == 4 ? era_wide[p->year > 0]
                                : era_abbr[p->year > 0]);
    return;
  case 'y':
    if (n >= 3)
      add_padded(b, n > 5 ? 5 : n, p->year);
    else if (n == 2) {
      int64_t y = p->year < 0 ? -p->year : p->year;
      int64_t y2 = y >= 100 ? y % 100 : y;
      add_padded(b, 2, p->year < 0 ? -y2 : y2);
    } else
      sqlitch_buf_addf(b, "%lld", (long long)p->year);
    return;
  case 'u': add_padded(b, n, p->year); return;
  case 'Y':
    iso_week(p, &wyear, &week);
    add_padded(b, n, wyear);
    return;
  case 'Q':
  case 'q': {
    int q = (p->month - 1) / 3;
    if (n >= 4)
      sqlitch_buf_add(b, quarter_wide[q]);
    else if (n == 3)
      sqlitch_buf_add(b, quarter_abbr[q]);
    else
      add_padded(b, n, q + 1);
    return;
  }
  case 'M':
  case 'L':
    if (n >= 5)
      sqlitch_buf_add(b, month_narrow[p->month - 1]);
    else if (n == 4)
      sqlitch_buf_add(b, month_wide[p->month - 1]);
    else if (n == 3)
      sqlitch_buf_add(b, month_abbr[p->month - 1]);
    else
      add_padded(b, n, p->month);
    return;
  case 'w':
    iso_week(p, &wyear, &week);
    add_padded(b, n >= 2 ? 2 : 1, week);
    return;
  case 'W': sqlitch_buf_addf(b, "%d", (p->day + 4 - p->dow + 6) / 7); return;
  case 'd': add_padded(b, n >= 2 ? 2 : 1, p->day); return;
  case 'D': add_padded(b, n >= 3 ? 3 : n, p->doy); return;
  case 'F': sqlitch_buf_addf(b, "%d", (p->day - 1) / 7 + 1); return;
  case 'g': {
    /* mjd, truncated by sprintf %d */
    double mjd = (double)(p->utc_days + 40587) + (double)p->utc_secs / 86400.0 +
                 (double)p->nsec / 86400.0 / 1e9;
    add_padded(b, n, (int64_t)mjd);
    return;
  }
  case 'E':
    if (n >= 5)
      sqlitch_buf_add(b, day_narrow[p->dow - 1]);
    else if (n == 4)
      sqlitch_buf_add(b, day_wide[p->dow - 1]);
    else
      sqlitch_buf_add(b, day_abbr[p->dow - 1]);
    return;
  case 'e':
  case 'c':
    if (n >= 5)
      sqlitch_buf_add(b, day_narrow[p->dow - 1]);
    else if (n == 4)
      sqlitch_buf_add(b, day_wide[p->dow - 1]);
    else if (n == 3)
      sqlitch_buf_add(b, day_abbr[p->dow - 1]);
    /* e: local day of week (en-US weeks start on Sunday); c: ISO */
    else
      add_padded(b, n, c == 'e' ? 1 + p->dow % 7 : p->dow);
    return;
  case 'a': sqlitch_buf_add(b, ampm[p->hour >= 12]); return;
  case 'h':
  case 'j': add_padded(b, n >= 2 ? 2 : 1, hour_12(p)); return;
  case 'H': add_padded(b, n >= 2 ? 2 : 1, p->hour); return;
  case 'K': add_padded(b, n >= 2 ? 2 : 1, p->hour % 12); return;
  case 'k': add_padded(b, n >= 2 ? 2 : 1, p->hour == 0 ? 24 : p->hour); return;
  case 'm': add_padded(b, n >= 2 ? 2 : 1, p->minute); return;
  case 's': add_padded(b, n >= 2 ? 2 : 1, p->second); return;
  case 'S': add_nanosecs(b, n, p->nsec); return;
  case 'A':
    sqlitch_buf_addf(
        b, "%lld",
        (long long)((p->hour * 3600 + p->minute * 60 + p->second) * 1000LL +
                    p->nsec / 1000000));
    return;
  case 'z':
  case 'v':
  case 'V': sqlitch_buf_add(b, n >= 4 ? zlong(p) : p->zshort); return;
  case 'Z':
    if (n >= 5)
      add_offset(b, p->offset, ":");
    else if (n == 4) {
      sqlitch_buf_add(b, p->zshort);
      add_offset(b, p->offset, "");
    } else
      add_offset(b, p->offset, "");
    return;
  default:
    for (int i = 0; i < n; i++)
      sqlitch_buf_addc(b, c);
  }
}

static void cldr_parts(const char *pat, const parts *p, sqlitch_buf *b) {
  size_t start = b->len;
  const char *s = pat;
  while (*s) {
    if (*s == '\'') {
      /* '((?:[^']|'')*)' -- greedy, backtracking to the last '' pair */
      const char *q = s + 1, *close = NULL, *last_pair = NULL;
      while (*q) {
        if (*q != '\'')
          q++;
        else if (q[1] == '\'') {
          last_pair = q;
          q += 2;
        } else {
          close = q;
          break;
        }
      }
      if (!close) close = last_pair;
      if (close) {
        sqlitch_buf_addn(b, s + 1, (size_t)(close - s - 1));
        s = close + 1;
        continue;
      }
      sqlitch_buf_addc(b, *s++);
    } else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
      char c = *s;
      int n = 0;
      while (*s == c) {
        s++;
        n++;
      }
      cldr_run(b, p, c, n);
    } else {
      sqlitch_buf_addc(b, *s++);
    }
  }
  /* s/''/'/g over the whole result */
  sqlitch_buf_addc(b, 0);
  b->len--;
  char *r = b->p + start, *w = r;
  for (; *r; r++) {
    *w++ = *r;
    if (r[0] == '\'' && r[1] == '\'') r++;
  }
  sqlitch_buf_truncate(b, (size_t)(w - b->p));
}

void sqlitch_datefmt_cldr(const char *pattern, const sqlitch_time *t,
                          sqlitch_buf *out) {
  parts p;
  fill_parts(t, 1, &p);
  cldr_parts(pattern, &p, out);
}

/* ------------------------------------------------------------ strftime */

static void strf_parts(const char *pat, const parts *p, sqlitch_buf *b);

typedef void (*method_fn)(const parts *p, sqlitch_buf *b);

#define M(name, body)                                                          \
  static void m_##name(const parts *p, sqlitch_buf *b) { body; }
M(year, sqlitch_buf_addf(b, "%lld", (long long)p->year))
M(month, sqlitch_buf_addf(b, "%d", p->month))
M(month_0, sqlitch_buf_addf(b, "%d", p->month - 1))
M(day, sqlitch_buf_addf(b, "%d", p->day))
M(day_0, sqlitch_buf_addf(b, "%d", p->day - 1))
M(hour, sqlitch_buf_addf(b, "%d", p->hour))
M(hour_1, sqlitch_buf_addf(b, "%d", p->hour == 0 ? 24 : p->hour))
M(hour_12, sqlitch_buf_addf(b, "%d", hour_12(p)))
M(hour_12_0, sqlitch_buf_addf(b, "%d", p->hour % 12))
M(minute, sqlitch_buf_addf(b, "%d", p->minute))
M(second, sqlitch_buf_addf(b, "%d", p->second))
M(nanosecond, sqlitch_buf_addf(b, "%d", (int)p->nsec))
M(millisecond, sqlitch_buf_addf(b, "%d", (int)(p->nsec / 1000000)))
M(microsecond, sqlitch_buf_addf(b, "%d", (int)(p->nsec / 1000)))
M(day_of_week, sqlitch_buf_addf(b, "%d", p->dow))
M(day_of_week_0, sqlitch_buf_addf(b, "%d", p->dow - 1))
M(local_day_of_week, sqlitch_buf_addf(b, "%d", 1 + p->dow % 7))
M(day_of_year, sqlitch_buf_addf(b, "%d", p->doy))
M(day_of_year_0, sqlitch_buf_addf(b, "%d", p->doy - 1))
M(quarter, sqlitch_buf_addf(b, "%d", (p->month - 1) / 3 + 1))
M(quarter_0, sqlitch_buf_addf(b, "%d", (p->month - 1) / 3))
M(quarter_name, sqlitch_buf_add(b, quarter_wide[(p->month - 1) / 3]))
M(quarter_abbr, sqlitch_buf_add(b, quarter_abbr[(p->month - 1) / 3]))
M(day_name, sqlitch_buf_add(b, day_wide[p->dow - 1]))
M(day_abbr, sqlitch_buf_add(b, day_abbr[p->dow - 1]))
M(month_name, sqlitch_buf_add(b, month_wide[p->month - 1]))
M(month_abbr, sqlitch_buf_add(b, month_abbr[p->month - 1]))
M(am_or_pm, sqlitch_buf_add(b, ampm[p->hour >= 12]))
M(ymd,
  sqlitch_buf_addf(b, "%04lld-%02d-%02d", (long long)p->year, p->month, p->day))
M(mdy,
  sqlitch_buf_addf(b, "%02d-%02d-%04lld", p->month, p->day, (long long)p->year))
M(dmy,
  sqlitch_buf_addf(b, "%02d-%02d-%04lld", p->day, p->month, (long long)p->year))
M(hms, sqlitch_buf_addf(b, "%02d:%02d:%02d", p->hour, p->minute, p->second))
M(iso8601,
  sqlitch_buf_addf(b, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)p->year,
                   p->month, p->day, p->hour, p->minute, p->second))
M(epoch, sqlitch_buf_addf(b, "%lld", (long long)p->epoch))
M(offset, sqlitch_buf_addf(b, "%ld", p->offset))
M(time_zone_long_name, sqlitch_buf_add(b, zlong(p)))
M(time_zone_short_name, sqlitch_buf_add(b, p->zshort))
M(era_abbr, sqlitch_buf_add(b, era_abbr[p->year > 0]))
M(era_name, sqlitch_buf_add(b, era_wide[p->year > 0]))
M(christian_era, sqlitch_buf_add(b, p->year > 0 ? "AD" : "BC"))
M(secular_era, sqlitch_buf_add(b, p->year > 0 ? "CE" : "BCE"))
M(ce_year,
  sqlitch_buf_addf(b, "%lld", (long long)(p->year > 0 ? p->year : p->year - 1)))
M(is_leap_year, sqlitch_buf_addf(b, "%d", is_leap(p->year)))
M(week_of_month, sqlitch_buf_addf(b, "%d", (p->day + 4 - p->dow + 6) / 7))
M(weekday_of_month, sqlitch_buf_addf(b, "%d", (p->day - 1) / 7 + 1))
M(week_number, {
  int64_t y;
  int w;
  iso_week(p, &y, &w);
  sqlitch_buf_addf(b, "%d", w);
})
M(week_year, {
  int64_t y;
  int w;
  iso_week(p, &y, &w);
  sqlitch_buf_addf(b, "%lld", (long long)y);
})
#undef M

/* DateTime accessors reachable through strftime's %{method}. */
static const struct {
  const char *name;
  method_fn fn;
} methods[] = {
    {"am_or_pm", m_am_or_pm},
    {"ce_year", m_ce_year},
    {"christian_era", m_christian_era},
    {"date", m_ymd},
    {"datetime", m_iso8601},
    {"day", m_day},
    {"day_0", m_day_0},
    {"day_abbr", m_day_abbr},
    {"day_name", m_day_name},
    {"day_of_month", m_day},
    {"day_of_month_0", m_day_0},
    {"day_of_week", m_day_of_week},
    {"day_of_week_0", m_day_of_week_0},
    {"day_of_year", m_day_of_year},
    {"day_of_year_0", m_day_of_year_0},
    {"dmy", m_dmy},
    {"doy", m_day_of_year},
    {"doy_0", m_day_of_year_0},
    {"dow", m_day_of_week},
    {"dow_0", m_day_of_week_0},
    {"epoch", m_epoch},
    {"era", m_era_abbr},
    {"era_abbr", m_era_abbr},
    {"era_name", m_era_name},
    {"hms", m_hms},
    {"hour", m_hour},
    {"hour_1", m_hour_1},
    {"hour_12", m_hour_12},
    {"hour_12_0", m_hour_12_0},
    {"is_leap_year", m_is_leap_year},
    {"iso8601", m_iso8601},
    {"local_day_of_week", m_local_day_of_week},
    {"mday", m_day},
    {"mday_0", m_day_0},
    {"mdy", m_mdy},
    {"microsecond", m_microsecond},
    {"millisecond", m_millisecond},
    {"min", m_minute},
    {"minute", m_minute},
    {"mon", m_month},
    {"mon_0", m_month_0},
    {"month", m_month},
    {"month_0", m_month_0},
    {"month_abbr", m_month_abbr},
    {"month_name", m_month_name},
    {"nanosecond", m_nanosecond},
    {"offset", m_offset},
    {"quarter", m_quarter},
    {"quarter_0", m_quarter_0},
    {"quarter_abbr", m_quarter_abbr},
    {"quarter_name", m_quarter_name},
    {"sec", m_second},
    {"second", m_second},
    {"secular_era", m_secular_era},
    {"time", m_hms},
    {"time_zone_long_name", m_time_zone_long_name},
    {"time_zone_short_name", m_time_zone_short_name},
    {"wday", m_day_of_week},
    {"wday_0", m_day_of_week_0},
    {"week_number", m_week_number},
    {"week_of_month", m_week_of_month},
    {"week_year", m_week_year},
    {"weekday_of_month", m_weekday_of_month},
    {"year", m_year},
    {"ymd", m_ymd},
};

static int strf_letter(char c, const parts *p, sqlitch_buf *b) {
  int64_t wy;
  int w;
  switch (c) {
  case 'a': sqlitch_buf_add(b, day_abbr[p->dow - 1]); break;
  case 'A': sqlitch_buf_add(b, day_wide[p->dow - 1]); break;
  case 'b':
  case 'h': sqlitch_buf_add(b, month_abbr[p->month - 1]); break;
  case 'B': sqlitch_buf_add(b, month_wide[p->month - 1]); break;
  case 'c': cldr_parts(named_cldr[4].pattern, p, b); break;
  case 'C': sqlitch_buf_addf(b, "%lld", (long long)(p->year / 100)); break;
  case 'd': add_padded(b, 2, p->day); break;
  case 'D': strf_parts("%m/%d/%y", p, b); break;
  case 'e': sqlitch_buf_addf(b, "%2d", p->day); break;
  case 'F': strf_parts("%Y-%m-%d", p, b); break;
  case 'g':
    iso_week(p, &wy, &w);
    add_padded(b, 2, (wy < 0 ? -wy : wy) % 100);
    break;
  case 'G':
    iso_week(p, &wy, &w);
    sqlitch_buf_addf(b, "%lld", (long long)wy);
    break;
  case 'H': add_padded(b, 2, p->hour); break;
  case 'I': add_padded(b, 2, hour_12(p)); break;
  case 'j': add_padded(b, 3, p->doy); break;
  case 'k': sqlitch_buf_addf(b, "%2d", p->hour); break;
  case 'l': sqlitch_buf_addf(b, "%2d", hour_12(p)); break;
  case 'm': add_padded(b, 2, p->month); break;
  case 'M': add_padded(b, 2, p->minute); break;
  case 'n': sqlitch_buf_addc(b, '\n'); break;
  case 'N': add_nanosecs(b, 9, p->nsec); break;
  case 'p': sqlitch_buf_add(b, ampm[p->hour >= 12]); break;
  case 'P': sqlitch_buf_add(b, p->hour >= 12 ? "pm" : "am"); break;
  case 'r': strf_parts("%I:%M:%S %p", p, b); break;
  case 'R': strf_parts("%H:%M", p, b); break;
  case 's': sqlitch_buf_addf(b, "%lld", (long long)p->epoch); break;
  case 'S': add_padded(b, 2, p->second); break;
  case 't': sqlitch_buf_addc(b, '\t'); break;
  case 'T': strf_parts("%H:%M:%S", p, b); break;
  case 'u': sqlitch_buf_addf(b, "%d", p->dow); break;
  case 'U': add_padded(b, 2, (p->doy - (p->dow + 7) % 7 + 6) / 7); break;
  case 'V':
    iso_week(p, &wy, &w);
    add_padded(b, 2, w);
    break;
  case 'w': sqlitch_buf_addf(b, "%d", p->dow % 7); break;
  case 'W': add_padded(b, 2, (p->doy - (p->dow + 6) % 7 + 6) / 7); break;
  case 'x': cldr_parts(DATE_FORMAT_DEFAULT, p, b); break;
  case 'X': cldr_parts(TIME_FORMAT_DEFAULT, p, b); break;
  case 'y': add_padded(b, 2, (p->year < 0 ? -p->year : p->year) % 100); break;
  case 'Y': sqlitch_buf_addf(b, "%lld", (long long)p->year); break;
  case 'z': add_offset(b, p->offset, ""); break;
  case 'Z': sqlitch_buf_add(b, p->zshort); break;
  case '%': sqlitch_buf_addc(b, '%'); break;
  default: return 0;
  }
  return 1;
}

static int is_word(unsigned char c) { return isalnum(c) || c == '_'; }

static void strf_parts(const char *pat, const parts *p, sqlitch_buf *b) {
  const char *s = pat;
  while (*s) {
    if (*s != '%') {
      const char *n = strchr(s, '%');
      size_t len = n ? (size_t)(n - s) : strlen(s);
      sqlitch_buf_addn(b, s, len);
      s += len;
      continue;
    }
    /* %{method} */
    if (s[1] == '{' && is_word((unsigned char)s[2])) {
      const char *e = s + 2;
      while (is_word((unsigned char)*e))
        e++;
      if (*e == '}') {
        size_t len = (size_t)(e - s - 2);
        size_t i, nm = sizeof methods / sizeof methods[0];
        for (i = 0; i < nm; i++)
          if (strlen(methods[i].name) == len &&
              memcmp(methods[i].name, s + 2, len) == 0)
            break;
        if (i < nm)
          methods[i].fn(p, b);
        else
          sqlitch_buf_addn(b, s, len + 3);
        s = e + 1;
        continue;
      }
    }
    /* %x */
    if (s[1] == '%' || (s[1] >= 'a' && s[1] <= 'z') ||
        (s[1] >= 'A' && s[1] <= 'Z')) {
      if (!strf_letter(s[1], p, b)) sqlitch_buf_addn(b, s, 2);
      s += 2;
      continue;
    }
    /* %<n>N */
    if (isdigit((unsigned char)s[1])) {
      const char *e = s + 1;
      while (isdigit((unsigned char)*e))
        e++;
      if (*e == 'N') {
        /* "%0N" is empty: Perl's `$3 ? ... : ''` */
        if (!(e - s == 2 && s[1] == '0'))
          add_nanosecs(b, (e - s - 1) > 2 ? 60 : atoi(s + 1), p->nsec);
        s = e + 1;
        continue;
      }
    }
    sqlitch_buf_addc(b, *s++);
  }
}

void sqlitch_datefmt_strftime(const char *pattern, const sqlitch_time *t,
                              sqlitch_buf *out) {
  parts p;
  fill_parts(t, 1, &p);
  strf_parts(pattern, &p, out);
}

/* ------------------------------------------------------------- formats */

int sqlitch_datefmt_known(const char *fmt) {
  if (!fmt) return 0;
  for (size_t i = 0; known_formats[i]; i++)
    if (strcmp(fmt, known_formats[i]) == 0) return 1;
  return sqlitch_starts_with(fmt, "cldr:") ||
         sqlitch_starts_with(fmt, "strftime:");
}

int sqlitch_datefmt_validate(const char *fmt, sqlitch_err *err) {
  if (sqlitch_datefmt_known(fmt)) return SQLITCH_OK;
  return sqlitch_err_set(err, SQLITCH_E_CONFIG, 255,
                         "Unknown date format \"%s\"", fmt ? fmt : "");
}

int sqlitch_datefmt_format(const char *fmt, const sqlitch_time *t,
                           sqlitch_buf *out, sqlitch_err *err) {
  parts p;
  if (!sqlitch_perl_true(fmt)) fmt = "raw";
  char tmp[48], *e;
  if (strcmp(fmt, "raw") == 0) {
    fill_parts(t, 0, &p);
    if ((e = put_ymdhms(tmp, &p, 'T')) != NULL) {
      *e++ = 'Z';
      sqlitch_buf_addn(out, tmp, (size_t)(e - tmp));
    } else {
      sqlitch_buf_addf(out, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
                       (long long)p.year, p.month, p.day, p.hour, p.minute,
                       p.second);
    }
    return SQLITCH_OK;
  }
  fill_parts(t, 1, &p);
  if (strcmp(fmt, "iso") == 0 || strcmp(fmt, "iso8601") == 0) {
    long a = p.offset < 0 ? -p.offset : p.offset;
    if ((e = put_ymdhms(tmp, &p, ' ')) != NULL && a % 60 == 0 && a < 360000) {
      *e++ = ' ';
      *e++ = p.offset < 0 ? '-' : '+';
      e = put2(e, (int)(a / 3600));
      e = put2(e, (int)(a / 60 % 60));
      sqlitch_buf_addn(out, tmp, (size_t)(e - tmp));
    } else {
      sqlitch_buf_addf(out, "%04lld-%02d-%02d %02d:%02d:%02d ",
                       (long long)p.year, p.month, p.day, p.hour, p.minute,
                       p.second);
      add_offset(out, p.offset, "");
    }
    return SQLITCH_OK;
  }
  if (strcmp(fmt, "rfc") == 0 || strcmp(fmt, "rfc2822") == 0) {
    size_t start = out->len;
    strf_parts("%a, %d %b %Y %H:%M:%S %z", &p, out);
    if (out->len - start >= 5 && memcmp(out->p + out->len - 5, "+0000", 5) == 0)
      out->p[out->len - 5] = '-';
    return SQLITCH_OK;
  }
  if (sqlitch_starts_with(fmt, "cldr:")) {
    cldr_parts(fmt + 5, &p, out);
    return SQLITCH_OK;
  }
  if (sqlitch_starts_with(fmt, "strftime:")) {
    strf_parts(fmt + 9, &p, out);
    return SQLITCH_OK;
  }
  for (size_t i = 0; i < sizeof named_cldr / sizeof named_cldr[0]; i++) {
    if (strcmp(fmt, named_cldr[i].name) == 0) {
      cldr_parts(named_cldr[i].pattern, &p, out);
      return SQLITCH_OK;
    }
  }
  return sqlitch_err_set(err, SQLITCH_E_GENERIC, 2,
                         "Unknown date format \"%s\"", fmt);
}
