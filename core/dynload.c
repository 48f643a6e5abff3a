/*
** dynload.c -- first-use loading of client libraries (see dynload.h).
*/
#include "dynload.h"

#include <dlfcn.h>
#include <string.h>

int sqlitch_dynload(const char *const *sonames, const char *const *names,
                    void **slots, const char *driver, const char *engine,
                    sqlitch_err *err) {
  void *h = NULL;
  const char *why = NULL;
  for (size_t i = 0; sonames[i] && !h; i++) {
    h = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
    if (!h && !why) why = dlerror();
  }
  if (!h)
    return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                           "%s required to manage %s: %s", driver, engine,
                           why ? why : "cannot load the library");
  for (size_t i = 0; names[i]; i++) {
    slots[i] = dlsym(h, names[i]);
    if (!slots[i]) {
      dlclose(h);
      return sqlitch_err_set(err, SQLITCH_E_ENGINE, 2,
                             "%s required to manage %s: %s has no %s", driver,
                             engine, sonames[0], names[i]);
    }
  }
  return SQLITCH_OK;
}
