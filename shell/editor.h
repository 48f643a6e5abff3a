/*
** editor.h -- the user's editor, as `add`, `tag` and `rework` use it:
** asking for a note (Sqitch's Plan::Line request_note) and opening the new
** script files (--open-editor).
**
** The editor is sqlitch_editor(cfg) ($SQITCH_EDITOR, core.editor, $VISUAL,
** $EDITOR, "vi"), run as "<editor> <shell-quoted files>" the way Perl's
** system() runs one string: through /bin/sh -c when it holds shell
** metacharacters, else split on blanks and exec'd directly. Failures give
** IPC::System::Simple's messages, which Sqitch prints with an extra blank
** line, exit 2:
**   "vi /tmp/Ab3xYz_Q9k" unexpectedly returned exit value 1
**   "nope /tmp/Ab3xYz_Q9k" failed to start: "No such file or directory"
**   "vi /tmp/Ab3xYz_Q9k" died to signal "TERM" (15)
**
**   char *note;
**   char *prompt = sh_note_prompt_change("add", "widgets [users]", &files);
**   if (sh_request_note(ctx, prompt, &note, err)) ...  // "Aborting due to
**   free(prompt);                                       // empty note", exit 1
**   ...
**   if (sh_editor_open(ctx, &files, err)) ...
**
** Ownership: returned strings are the caller's (free()).
*/
#ifndef SQLITCH_SHELL_EDITOR_H
#define SQLITCH_SHELL_EDITOR_H

#include "shell.h"

/* String::ShellQuote::shell_quote of the words, joined with spaces. */
char *sh_shell_quote(const char *const *words, size_t n);

/* Run `command` as Perl's system() would; SQLITCH_ERROR with the message
   above (exitval 2) unless it exits 0. */
int sh_run_command(const char *command, sqlitch_err *err);

/* Run the editor on the files (add/rework --open-editor). */
int sh_editor_open(sh_ctx *ctx, const sqlitch_strv *files, sqlitch_err *err);

/* The first of the boolean config keys that is set (add.open_editor, or
   rework.open_editor then add.open_editor), else 0. A bad value is Config::
   GitLike's die, which Sqitch prints as "Invalid bool 'x'" and a blank
   line, exit 2. */
int sh_open_editor_config(sh_ctx *ctx, const char *const *keys, size_t n,
                          int *out, sqlitch_err *err);

/* Change::note_prompt for `add`/`rework` (`for` is the command name). */
char *sh_note_prompt_change(const char *for_cmd, const char *name_with_deps,
                            const sqlitch_strv *files);
/* Line::note_prompt: "Write a <for> note.\nLines starting with '#' will be
   ignored." (used by `tag`). */
char *sh_note_prompt_line(const char *for_cmd);

/* Line::request_note without the early return: write "\n# <prompt>\n" to a
   temp file, run the editor on it, keep the lines not starting with "#",
   and trim vertical whitespace at both ends. An empty result is the
   "Aborting due to empty note" error (exit 1). */
int sh_request_note(sh_ctx *ctx, const char *prompt, char **note,
                    sqlitch_err *err);

/* Give an added change / tag the note typed in the editor, verbatim (as
   Line->note($note) does: no unescaping, and " " before "#" when the line
   had no space there). The plan keeps a copy. */
struct sqlitch_plan;
void sh_plan_set_change_note(struct sqlitch_plan *plan, size_t change,
                             const char *note);
void sh_plan_set_tag_note(struct sqlitch_plan *plan, size_t tag,
                          const char *note);

/* True when s holds a character that is not (Unicode) whitespace: Perl's
   $note =~ /\S/. */
int sh_has_nonspace(const char *s);

#endif
