/*
** fuzz_template.c -- libFuzzer target for the add-template language
** (core/template.c): compile and render arbitrary input with the variables
** `sqlitch add` provides. Any input must give output or a clean error,
** within the renderer's bounds, without crashing or leaking.
**
**   make fuzz      (seeds in tests/fuzz/seeds/fuzz_template/)
*/
#include <stddef.h>
#include <stdint.h>

#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const req[] = {"users", "flips@v1", "other:thing"};
  sqlitch_tmpl_vars *v = sqlitch_tmpl_vars_new();
  sqlitch_tmpl_vars_set(v, "change", "widgets");
  sqlitch_tmpl_vars_set(v, "engine", "sqlite");
  sqlitch_tmpl_vars_set(v, "project", "flipr");
  sqlitch_tmpl_vars_set_list(v, "requires", req, 3);
  sqlitch_tmpl_vars_set_list(v, "conflicts", NULL, 0);
  sqlitch_tmpl_vars_add(v, "multi", "a");
  sqlitch_tmpl_vars_add(v, "multi", "b");
  sqlitch_buf out = SQLITCH_BUF_INIT;
  sqlitch_err err = SQLITCH_ERR_INIT;
  sqlitch_tmpl_process((const char *)data, size, v, &out, &err);
  sqlitch_err_clear(&err);
  sqlitch_buf_free(&out);
  sqlitch_tmpl_vars_free(v);
  return 0;
}
