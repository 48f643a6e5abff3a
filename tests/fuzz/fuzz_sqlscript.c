/*
** fuzz_sqlscript.c -- libFuzzer target for the script cutter
** (core/sqlscript.c) that lets the SQLite engine run scripts the way the
** sqlite3 shell does.
**
** Input: any bytes, taken as a script. Checks, besides the sanitizers:
** every chunk is NUL-terminated inside the buffer, starts with a non-blank
** character, and chunks start on strictly increasing lines no later than
** the script's last line; classifying each chunk and skipping blanks stay
** inside the chunk.
**
**   make fuzz                      # builds build/fuzz/fuzz_sqlscript, runs it
**   build/fuzz/fuzz_sqlscript -max_total_time=60
*build/fuzz/corpus-fuzz_sqlscript
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqlscript.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sqlitch_sqlscript sc;
  sqlitch_sqlscript_parse((const char *)data, size, &sc);
  int lines = 1;
  for (size_t i = 0; i < size; i++)
    lines += data[i] == '\n';
  int prev = 0;
  for (size_t i = 0; i < sc.n; i++) {
    if (sc.v[i].off >= sc.buf.len) abort();
    const char *c = sc.buf.p + sc.v[i].off;
    size_t len = strlen(c);
    if (sc.v[i].off + len >= sc.buf.len + 1) abort();
    if (len && sqlitch_sql_is_space(c[0])) abort();
    if (sc.v[i].line <= prev || sc.v[i].line > lines) abort();
    prev = sc.v[i].line;
    const char *z = sqlitch_sql_skip_blank(c, 1);
    if (z < c || z > c + len) abort();
    (void)sqlitch_sql_classify(c);
  }
  sqlitch_sqlscript_free(&sc);
  return 0;
}
