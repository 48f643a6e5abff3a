/*
** tap.h -- a tiny TAP producer for the C unit tests (run by prove).
**
**   #include "tap.h"
**   int main(void) {
**     ok(1 + 1 == 2, "addition");
**     is_str(got, "want", "strings match");   // prints both on failure
**     is_int(n, 3, "count");
**     return tap_done();                      // prints the plan, exit code
**   }
*/
#ifndef SQLITCH_TAP_H
#define SQLITCH_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static int tap_ok(int cond, const char *name, const char *file, int line) {
  tap_n++;
  printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
  if (!cond) {
    tap_failed++;
    printf("#   Failed test '%s'\n#   at %s line %d.\n", name, file, line);
  }
  return cond;
}

__attribute__((unused)) static int tap_is_str(const char *got, const char *want,
                                              const char *name,
                                              const char *file, int line) {
  int cond =
      (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
  if (!tap_ok(cond, name, file, line))
    printf("#          got: '%s'\n#     expected: '%s'\n", got ? got : "(null)",
           want ? want : "(null)");
  return cond;
}

__attribute__((unused)) static int tap_is_int(long long got, long long want,
                                              const char *name,
                                              const char *file, int line) {
  int cond = got == want;
  if (!tap_ok(cond, name, file, line))
    printf("#          got: %lld\n#     expected: %lld\n", got, want);
  return cond;
}

static int tap_done(void) {
  printf("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

#define ok(c, name) tap_ok(!!(c), name, __FILE__, __LINE__)
#define is_str(g, w, name) tap_is_str(g, w, name, __FILE__, __LINE__)
#define is_int(g, w, name)                                                     \
  tap_is_int((long long)(g), (long long)(w), name, __FILE__, __LINE__)
#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

#endif
