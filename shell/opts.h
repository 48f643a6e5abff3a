/*
** opts.h -- command-line options with Getopt::Long semantics (bundling,
** unique-prefix abbreviation of long names, --no-x negation, "--"), so that
** every spelling sqitch accepts is accepted here, with the same errors.
**
** A command declares its options as Getopt::Long spec strings:
**
**   static const char *const opts[] = {
**     "target|t=s", "mode=s", "verify!", "set|s=s%", "event=s@",
**     "max-count|n=i", "verbose|V|v+", "y", NULL };
**
** Spec grammar: names separated by "|" (the first is the primary name),
** then one of: nothing (flag), "!" (negatable flag), "+" (counter),
** "=s" / "=i" (string / integer), ":s" / ":i" (optional value),
** with "@" for a repeatable list or "%" for key=value pairs.
**
**   sh_opts *o = sh_opts_new();
**   if (sh_opts_parse(o, opts, &argc, argv, 0, &err)) ...
**     // err.msg: "Unknown option: x"
**   const char *t = sh_opt_str(o, "target");                // NULL if absent
**   int verify = sh_opt_bool(o, "verify", -1);              // -1 when absent
**   const sqlitch_strv *sets = sh_opt_list(o, "set");       // "k=v" items
**   sh_opts_free(o);
**
** Parsed values are keyed by primary name (dashes kept). Non-option
** arguments stay in argv (compacted, order kept); argc is updated.
*/
#ifndef SQLITCH_SHELL_OPTS_H
#define SQLITCH_SHELL_OPTS_H

#include "util.h"

typedef struct sh_opts sh_opts;

sh_opts *sh_opts_new(void);
void sh_opts_free(sh_opts *o);

/* Parse argv[0..*argc) in place. With pass_through, unknown options are
   left in argv instead of failing. Returns SQLITCH_OK or SQLITCH_ERROR
   with err->msg set to Getopt::Long's message (without newline). */
int sh_opts_parse(sh_opts *o, const char *const *specs, int *argc, char **argv,
                  int pass_through, sqlitch_err *err);

/* Was the option given at all (any form, including --no-x)? */
int sh_opt_has(const sh_opts *o, const char *name);
/* Last string value, or NULL. */
const char *sh_opt_str(const sh_opts *o, const char *name);
/* Flag/negatable/counter value; `dflt` when absent. Counter = count. */
int sh_opt_bool(const sh_opts *o, const char *name, int dflt);
/* Integer value, or dflt. */
long sh_opt_int(const sh_opts *o, const char *name, long dflt);
/* All values of a list or hash option (hash items as "k=v"); never NULL. */
const sqlitch_strv *sh_opt_list(const sh_opts *o, const char *name);
/* Set or override a value programmatically (e.g. from config). */
void sh_opt_set(sh_opts *o, const char *name, const char *value);

#endif
