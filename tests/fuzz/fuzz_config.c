/*
** fuzz_config.c -- libFuzzer target for the config reader and writer
** (core/config.c, core/config_write.c).
**
** Input: one mode byte, then the bytes. Modes:
**   0  the bytes are a config file: parse it, merge it (load_file), dump it
**      and look a few keys up;
**   1  the bytes are "<key>\0<value>": canonicalise and split the key, cast
**      the value every way, and set/unset it in a small scratch file;
**   2  the bytes are a config file edited by rename/remove-section and a
**      set of a fixed key.
** Every input must succeed or fail cleanly (sqlitch_err set); sanitizers
** catch the rest.
**
**   make fuzz                    # builds build/fuzz/fuzz_config and runs it
**   build/fuzz/fuzz_config -max_total_time=60 build/fuzz/corpus-fuzz_config
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char scratch[64];

static void write_scratch(const uint8_t *p, size_t n) {
  FILE *f = fopen(scratch, "wb");
  if (!f) return;
  fwrite(p, 1, n, f);
  fclose(f);
}

static int count_item(void *ctx, const sqlitch_config_item *it,
                      sqlitch_err *err) {
  (void)err;
  size_t *n = ctx;
  *n += strlen(it->section) + (it->name ? strlen(it->name) : 0) +
        (it->value ? strlen(it->value) : 0);
  return SQLITCH_OK;
}

static void mode_file(const uint8_t *p, size_t n) {
  sqlitch_err err = SQLITCH_ERR_INIT;
  size_t total = 0;
  char *text = malloc(n + 2);
  memcpy(text, p, n);
  text[n] = '\n';
  text[n + 1] = 0;
  sqlitch_config_parse(text, n + 1, "fuzz.conf", count_item, &total, &err);
  sqlitch_err_clear(&err);
  free(text);

  write_scratch(p, n);
  sqlitch_config *c = sqlitch_config_new();
  if (sqlitch_config_load_file(c, scratch, SQLITCH_SCOPE_FILE, 1, &err) ==
      SQLITCH_OK) {
    char *d = sqlitch_config_dump_text(c);
    free(d);
    sqlitch_config_entry *e;
    size_t k = sqlitch_config_dump(c, &e);
    for (size_t i = 0; i < k && i < 8; i++) {
      const char **all;
      size_t m = sqlitch_config_get_all(c, e[i].key, &all);
      free(all);
      (void)m;
      (void)sqlitch_config_get(c, e[i].orig_key);
    }
    free(e);
    k = sqlitch_config_section(c, "core", &e);
    free(e);
    int b;
    sqlitch_config_get_bool(c, "core.x", &b, &err);
  }
  sqlitch_err_clear(&err);
  sqlitch_config_free(c);
}

static void mode_key(const uint8_t *p, size_t n) {
  static const char *const as[] = {"bool", "int", "num", "bool-or-int", NULL};
  sqlitch_err err = SQLITCH_ERR_INIT;
  char *buf = malloc(n + 2);
  memcpy(buf, p, n);
  buf[n] = buf[n + 1] = 0;
  const char *key = buf, *value = buf + strlen(buf) + 1;
  if (value > buf + n) value = "";
  char *k = sqlitch_config_canon_key(key);
  free(k);
  char *s, *sub, *name;
  if (sqlitch_config_split_key(key, &s, &sub, &name)) {
    free(s);
    free(sub);
    free(name);
  }
  char *u = sqlitch_config_unquote(key);
  free(u);
  for (int i = 0; as[i]; i++) {
    char *out = NULL;
    sqlitch_config_cast(value, as[i], i & 1, &out, &err);
    sqlitch_err_clear(&err);
    free(out);
  }
  write_scratch((const uint8_t *)"[core]\n\tx = 1\n", 14);
  sqlitch_config_write(scratch, key, value, NULL, NULL, 0, 0, &err);
  sqlitch_err_clear(&err);
  sqlitch_config_write(scratch, key, NULL, value, NULL, 1, 0, &err);
  sqlitch_err_clear(&err);
  free(buf);
}

static void mode_sections(const uint8_t *p, size_t n) {
  sqlitch_err err = SQLITCH_ERR_INIT;
  write_scratch(p, n);
  sqlitch_config_rename_section(scratch, "core", "Main.Sub", &err);
  sqlitch_err_clear(&err);
  sqlitch_config_write(scratch, "main.sub.key", " v;#\t\"\\", NULL, NULL, 1, 0,
                       &err);
  sqlitch_err_clear(&err);
  sqlitch_config_write(scratch, "Main.Sub.Key", "x", "v", NULL, 1, 1, &err);
  sqlitch_err_clear(&err);
  sqlitch_config_remove_section(scratch, "main.Sub", &err);
  sqlitch_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  if (!scratch[0])
    snprintf(scratch, sizeof scratch, "/tmp/fuzz_config.%ld.conf",
             (long)getpid());
  switch (data[0] % 3) {
  case 0: mode_file(data + 1, size - 1); break;
  case 1: mode_key(data + 1, size - 1); break;
  default: mode_sections(data + 1, size - 1); break;
  }
  char *lock = malloc(strlen(scratch) + 6);
  sprintf(lock, "%s.lock", scratch);
  unlink(lock);
  free(lock);
  return 0;
}
