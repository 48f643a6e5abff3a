/*
** engine_mysql_client.c -- MariaDB's `mysql` client (10.11) in process,
** minus the network: what
**
**   mysql ... --silent --skip-column-names --skip-line-numbers
**         --abort-source-on-error --execute "SET @\"k\" = 'v';\nsource F"
**
** (Sqitch's way of running a mysql script) would send to the server, and
** what it prints around that. See engine_mysql.h for the interface.
**
** The parse follows the client's read_and_execute() and add_line() in
** batch mode, byte for byte:
**   - input is read line by line ("\r\n" counts as "\n"); the first line
**     of a file loses a UTF-8 BOM; an empty line with nothing pending is
**     skipped;
**   - with nothing pending, a line whose first word names a client
**     command (delimiter, source, use, ...) is that command;
**   - "#" and "-- " comments run to the end of the line, "/" "*" comments
**     to their end and are dropped (a space replaces one if the next
**     character is not blank), except server comments ("/" "*" "!",
**     "/" "*" "M!"), which are kept; quotes ('...', "...", `...`) are
**     tracked, with backslash escapes except in backticks (and in "..."
**     under ANSI_QUOTES, and nowhere under NO_BACKSLASH_ESCAPES);
**   - outside quotes and comments, \N stays, \g sends, \c clears, \d, \.
**     and \u run delimiter, source and use, \q stops the file; any other
**     backslash command is either unsupported (the real client runs the
**     script) or unknown ("Unknown command '\x'." and the run stops);
**   - the delimiter (";" or what DELIMITER set) ends a statement, which
**     is sent after trailing blanks and control characters are removed,
**     unless its first word names a client command;
**   - at the end of a file, what is pending is sent.
** Every statement is recorded with the line it started on and the file
** it came from, for the client's error lines ("ERROR 1146 (42S02) at
** line 3 in file: 'deploy/x.sql': ...").
**
** The option-file reader follows mysys's load_defaults as the client
** uses it (groups mysql, mariadb-client, client, client-server,
** client-mariadb): it collects the connection options sqlitch can apply
** on its own connection and reports anything else as a reason to run the
** real client.
*/
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "engine_mysql.h"

/* ======================================================== characters */

/* The client's my_isspace()/my_isgraph() for latin1 and utf8 text: only
   ASCII is blank or control; bytes >= 0x80 are letters (scripts with such
   bytes are only parsed in process under a utf8 charset). */
static int my_space(unsigned char c) { return c == ' ' || (c >= 9 && c <= 13); }
static int my_graph(unsigned char c) {
  return (c > 0x20 && c < 0x7f) || c >= 0x80;
}

/* my_ismbchar(): length of the multi-byte character at p, 0 when p is
   not the start of one (utf8 = 0 latin1, 3 utf8mb3, 4 utf8mb4). */
static int mb_len(int utf8, const unsigned char *p, const unsigned char *end) {
  if (!utf8 || p[0] < 0xC2) return 0;
  if (p[0] < 0xE0) return end - p >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (p[0] < 0xF0) {
    if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    return p[0] == 0xE0 && p[1] < 0xA0 ? 0 : 3;
  }
  if (utf8 < 4 || p[0] > 0xF4 || end - p < 4) return 0;
  if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
    return 0;
  if ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90)) return 0;
  return 4;
}

static int is_prefix(const char *s, const char *t) {
  while (*t)
    if (*s++ != *t++) return 0;
  return 1;
}

/* ========================================================== commands */

typedef enum {
  C_UNSUPPORTED = 0, /* the real client must run the script */
  C_DELIMITER,
  C_SOURCE,
  C_USE,
  C_GO,
  C_CLEAR,
  C_QUIT
} cmd_kind;

/* The client's commands[] (the part with functions), in its order. */
static const struct cmd {
  const char *name;
  char ch;
  int params; /* takes_params */
  cmd_kind kind;
} cmds[] = {
    {"?", '?', 1, C_UNSUPPORTED},
    {"clear", 'c', 0, C_CLEAR},
    {"connect", 'r', 1, C_UNSUPPORTED},
    {"delimiter", 'd', 1, C_DELIMITER},
    {"edit", 'e', 0, C_UNSUPPORTED},
    {"ego", 'G', 0, C_UNSUPPORTED},
    {"exit", 'q', 0, C_QUIT},
    {"go", 'g', 0, C_GO},
    {"help", 'h', 1, C_UNSUPPORTED},
    {"nopager", 'n', 0, C_UNSUPPORTED},
    {"notee", 't', 0, C_UNSUPPORTED},
    {"pager", 'P', 1, C_UNSUPPORTED},
    {"print", 'p', 0, C_UNSUPPORTED},
    {"prompt", 'R', 1, C_UNSUPPORTED},
    {"quit", 'q', 0, C_QUIT},
    {"rehash", '#', 0, C_UNSUPPORTED},
    {"source", '.', 1, C_SOURCE},
    {"status", 's', 0, C_UNSUPPORTED},
    {"system", '!', 1, C_UNSUPPORTED},
    {"tee", 'T', 1, C_UNSUPPORTED},
    {"use", 'u', 1, C_USE},
    {"charset", 'C', 1, C_UNSUPPORTED},
    {"warnings", 'W', 0, C_UNSUPPORTED},
    {"nowarning", 'w', 0, C_UNSUPPORTED},
    {"sandbox", '-', 0, C_UNSUPPORTED},
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

/* ============================================================ parser */

#define MAX_DEPTH 16

typedef struct parser {
  const sqlitch_mysql_parse_opts *o;
  sqlitch_mysql_script *s;
  sqlitch_buf glob; /* the client's glob_buffer */
  char delim[16];
  size_t dlen;
  int depth;
  int stop; /* fatal error or fallback: nothing more runs */
  int saw_backslash, saw_sql_mode;
  /* status of the file being read */
  const char *file;
  unsigned long qline;
} parser;

static void fallback(parser *P, const char *why) {
  if (!P->s->fallback) P->s->fallback = sqlitch_strdup(why);
  P->stop = 1;
}

static sqlitch_mysql_action *push(parser *P, sqlitch_mysql_kind k,
                                  const char *text, size_t len) {
  sqlitch_mysql_script *s = P->s;
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 16;
    s->v = sqlitch_realloc(s->v, s->cap * sizeof *s->v);
  }
  sqlitch_mysql_action *a = &s->v[s->n++];
  memset(a, 0, sizeof *a);
  a->kind = k;
  a->text = sqlitch_strndup(text, len);
  a->len = len;
  a->file = P->file;
  a->line = P->qline;
  return a;
}

/* put_info(msg, INFO_ERROR): printed when reached; fatal stops the run. */
static void error_at(parser *P, const char *msg, int fatal) {
  push(P, SQLITCH_MYSQL_ERROR, msg, strlen(msg))->fatal = fatal;
  if (fatal) P->stop = 1;
}

static int is_delim_cmd(const char *name, size_t len) {
  return len >= 9 && strncasecmp(name, "delimiter", 9) == 0;
}

/* find_command(char *name): the command a line (or a statement) is. */
static const struct cmd *find_command_line(parser *P, const char *name) {
  while (my_space((unsigned char)*name))
    name++;
  if (strstr(name, "\\g") ||
      (strstr(name, P->delim) && !is_delim_cmd(name, strlen(name))))
    return NULL;
  const char *end = strpbrk(name, " \t");
  size_t len;
  if (end) {
    len = (size_t)(end - name);
    while (my_space((unsigned char)*end))
      end++;
    if (!*end) end = NULL;
  } else {
    len = strlen(name);
  }
  for (size_t i = 0; i < NCMDS; i++)
    if (strlen(cmds[i].name) == len &&
        strncasecmp(name, cmds[i].name, len) == 0 && (!end || cmds[i].params))
      return &cmds[i];
  return NULL;
}

static const struct cmd *find_command_char(char c) {
  for (size_t i = 0; i < NCMDS; i++)
    if (cmds[i].ch == c) return &cmds[i];
  return NULL;
}

/* get_arg(line, 0): the first argument of a command, in place. */
static char *get_arg(char *ptr) {
  while (my_space((unsigned char)*ptr))
    ptr++;
  if (*ptr == '\\')
    ptr += 2;
  else
    while (*ptr && !my_space((unsigned char)*ptr))
      ptr++;
  if (!*ptr) return NULL;
  while (my_space((unsigned char)*ptr))
    ptr++;
  int quoted = 0;
  char qtype = 0;
  if (*ptr == '\'' || *ptr == '"' || *ptr == '`') {
    qtype = *ptr++;
    quoted = 1;
  }
  char *start = ptr;
  for (; *ptr; ptr++) {
    if (*ptr == '\\' && ptr[1]) {
      memmove(ptr, ptr + 1, strlen(ptr + 1) + 1);
    } else if ((!quoted && *ptr == ' ') || (quoted && *ptr == qtype)) {
      *ptr = 0;
      break;
    }
  }
  return ptr != start ? start : NULL;
}

/* remove_cntrl(): drop trailing bytes that are not graphic. */
static void remove_cntrl(sqlitch_buf *b) {
  while (b->len && !my_graph((unsigned char)b->p[b->len - 1]))
    b->len--;
  if (b->p) b->p[b->len] = 0;
}

/* com_go(): send what is pending. */
static void com_go(parser *P) {
  remove_cntrl(&P->glob);
  if (P->glob.len) push(P, SQLITCH_MYSQL_SQL, P->glob.p, P->glob.len);
  sqlitch_buf_reset(&P->glob);
}

static void read_and_execute(parser *P, const char *text, size_t len,
                             const char *file);

/* Scan a file's text for what the parse cannot vouch for. */
static int check_text(parser *P, const char *text, size_t len) {
  if (memchr(text, 0, len)) {
    fallback(P, "the script contains a NUL byte");
    return SQLITCH_ERROR;
  }
  if (P->o->utf8) {
    if (!sqlitch_utf8_valid(text, len)) {
      fallback(P, "the script is not valid UTF-8");
      return SQLITCH_ERROR;
    }
  } else {
    for (size_t i = 0; i < len; i++)
      if ((unsigned char)text[i] >= 0x80) {
        fallback(P, "non-ASCII bytes under a latin1 connection");
        return SQLITCH_ERROR;
      }
  }
  if (memchr(text, '\\', len)) P->saw_backslash = 1;
  for (size_t i = 0; i + 6 <= len; i++) {
    if (strncasecmp(text + i, "infile", 6) == 0) {
      fallback(P, "LOAD DATA INFILE runs through the client");
      return SQLITCH_ERROR;
    }
    if (i + 8 <= len && strncasecmp(text + i, "sql_mode", 8) == 0)
      P->saw_sql_mode = 1;
  }
  if (P->saw_backslash && P->saw_sql_mode) {
    fallback(P, "the script changes sql_mode and uses backslashes");
    return SQLITCH_ERROR;
  }
  return SQLITCH_OK;
}

/* unpack_filename(): "~/x" and "~user/x" expanded. */
static char *unpack_filename(const char *name) {
  if (name[0] != '~') return sqlitch_strdup(name);
  const char *rest = strchr(name, '/');
  size_t ulen = rest ? (size_t)(rest - name - 1) : strlen(name) - 1;
  const char *home = NULL;
  if (ulen == 0) {
    home = getenv("HOME");
  } else {
    char *u = sqlitch_strndup(name + 1, ulen);
    struct passwd *pw = getpwnam(u);
    free(u);
    if (pw) home = pw->pw_dir;
  }
  if (!home) return sqlitch_strdup(name);
  return sqlitch_mprintf("%s%s", home, rest ? rest : "");
}

static int com_source(parser *P, const char *line) {
  while (my_space((unsigned char)*line))
    line++;
  const char *param = strchr(line, ' ');
  if (!param) {
    error_at(P, "Usage: \\. <filename> | source <filename>", 1);
    return 1;
  }
  while (my_space((unsigned char)*param))
    param++;
  size_t n = strlen(param);
  if (n > 511) n = 511; /* FN_REFLEN */
  while (n && (my_space((unsigned char)param[n - 1]) ||
               iscntrl((unsigned char)param[n - 1])))
    n--;
  char *raw = sqlitch_strndup(param, n);
  char *name = unpack_filename(raw);
  free(raw);
  if (P->depth >= MAX_DEPTH) {
    free(name);
    fallback(P, "source nested too deeply");
    return 1;
  }
  const char *known = P->o->known_path;
  char *data = NULL;
  size_t dlen = 0;
  const char *text;
  if (known && strcmp(known, name) == 0 && P->o->known_text) {
    text = P->o->known_text;
    dlen = P->o->known_len;
  } else {
    struct stat st;
    FILE *f = fopen(name, "rb");
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
      int e = errno;
      if (f) {
        fclose(f);
        free(name);
        fallback(P, "source of something that is not a file");
        return 1;
      }
      char *msg =
          sqlitch_mprintf("Failed to open file '%s', error: %d", name, e);
      free(name);
      error_at(P, msg, 1);
      free(msg);
      return 1;
    }
    sqlitch_buf b = SQLITCH_BUF_INIT;
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
      sqlitch_buf_addn(&b, chunk, got);
    fclose(f);
    dlen = b.len;
    data = b.p ? sqlitch_buf_take(&b) : sqlitch_strdup("");
    text = data;
  }
  sqlitch_strv_push_owned(&P->s->files, name);
  const char *fname = P->s->files.v[P->s->files.n - 1];
  sqlitch_buf_reset(&P->glob); /* glob_buffer.length(0) */
  P->depth++;
  if (check_text(P, text, dlen) == SQLITCH_OK)
    read_and_execute(P, text, dlen, fname);
  P->depth--;
  free(data);
  return P->stop ? 1 : 0;
}

static void com_delimiter(parser *P, const char *line) {
  char buff[256];
  snprintf(buff, sizeof buff, "%s", line);
  char *tmp = get_arg(buff);
  if (!tmp || !*tmp) {
    error_at(P,
             "DELIMITER must be followed by a 'delimiter' character or string",
             0);
    return;
  }
  if (strchr(tmp, '\\')) {
    error_at(P, "DELIMITER cannot contain a backslash character", 0);
    return;
  }
  snprintf(P->delim, sizeof P->delim, "%s", tmp);
  P->dlen = strlen(P->delim);
}

static int com_use(parser *P, const char *line) {
  char buff[513];
  snprintf(buff, sizeof buff, "%s", line);
  char *tmp = get_arg(buff);
  if (!tmp || !*tmp) {
    error_at(P, "USE must be followed by a database name", 0);
    return 0;
  }
  push(P, SQLITCH_MYSQL_USE, tmp, strlen(tmp));
  return 0;
}

/* Run a client command; > 0 stops reading this file (*quit tells a
   `quit` from a fatal error). */
static int run_cmd(parser *P, const struct cmd *c, const char *line,
                   int *quit) {
  switch (c->kind) {
  case C_DELIMITER: com_delimiter(P, line); return 0;
  case C_SOURCE: return com_source(P, line);
  case C_USE: return com_use(P, line);
  case C_GO: com_go(P); return 0;
  case C_CLEAR: sqlitch_buf_reset(&P->glob); return 0;
  case C_QUIT: *quit = 1; return 1;
  case C_UNSUPPORTED: break;
  }
  char *why = sqlitch_mprintf("client command \"%s\"", c->name);
  fallback(P, why);
  free(why);
  return 1;
}

/* add_line(): one line into the pending statement, sending statements as
   their delimiters come. Returns 1 when reading must stop. `line` has
   NUL padding after `n` bytes. */
static int add_line(parser *P, char *line, size_t n, char *in_string,
                    int *ml_comment, int *quit) {
  if (!line[0] && P->glob.len == 0) return 0;
  const sqlitch_mysql_parse_opts *o = P->o;
  sqlitch_buf out = SQLITCH_BUF_INIT;
  int need_space = 0, ss_comment = 0, rc = 0;
  char *end = line + n;
#define FLUSH()                                                                \
  do {                                                                         \
    if (out.len) {                                                             \
      sqlitch_buf_addn(&P->glob, out.p, out.len);                              \
      sqlitch_buf_reset(&out);                                                 \
    }                                                                          \
  } while (0)
  for (char *pos = line; pos < end && !P->stop; pos++) {
    unsigned char c = (unsigned char)*pos;
    if (my_space(c) && out.len == 0 && P->glob.len == 0) continue;
    int l =
        mb_len(o->utf8, (const unsigned char *)pos, (const unsigned char *)end);
    if (l) {
      if (!*ml_comment) sqlitch_buf_addn(&out, pos, (size_t)l);
      pos += l - 1;
      continue;
    }
    if (!*ml_comment && c == '\\' && *in_string != '`' &&
        !(*in_string == '"' && o->ansi_quotes) &&
        !(*in_string && o->no_backslash_escapes)) {
      c = (unsigned char)*++pos;
      if (!c) break;
      if (*in_string || c == 'N') {
        sqlitch_buf_addc(&out, '\\');
        sqlitch_buf_addc(&out, (char)c);
        continue;
      }
      const struct cmd *cm = find_command_char((char)c);
      if (!cm) {
        char msg[64];
        snprintf(msg, sizeof msg, "Unknown command '\\%c'.", c);
        error_at(P, msg, 1);
        rc = 1;
        break;
      }
      FLUSH();
      if (run_cmd(P, cm, pos - 1, quit) > 0) {
        rc = 1;
        break;
      }
      if (cm->params) {
        if (ss_comment) {
          for (pos++; *pos && (*pos != '*' || pos[1] != '/'); pos++) {
          }
          pos--;
        } else {
          for (pos++; *pos && (*pos != P->delim[0] ||
                               !is_prefix(pos + 1, P->delim + 1));
               pos++) {
          }
          if (!*pos)
            pos--;
          else
            pos += P->dlen - 1;
        }
      }
    } else if (!*ml_comment && !*in_string && is_prefix(pos, P->delim)) {
      pos += P->dlen;
      FLUSH();
      pos--;
      const char *g = sqlitch_buf_str(&P->glob);
      const struct cmd *cm = find_command_line(P, g);
      if (cm) {
        char *copy = sqlitch_strdup(g);
        int r = run_cmd(P, cm, copy, quit);
        free(copy);
        if (r > 0) {
          rc = 1;
          break;
        }
      } else {
        com_go(P);
      }
      sqlitch_buf_reset(&P->glob);
    } else if (!*ml_comment && !*in_string &&
               (c == '#' || (c == '-' && pos[1] == '-' &&
                             (my_space((unsigned char)pos[2]) || !pos[2] ||
                              (P->glob.len == 0 && out.len == 0))))) {
      FLUSH();
      break;
    } else if (!*in_string && c == '/' && pos[1] == '*' &&
               !(pos[2] == '!' || (pos[2] == 'M' && pos[3] == '!'))) {
      pos++;
      *ml_comment = 1;
      FLUSH();
    } else if (*ml_comment && !ss_comment && c == '*' && pos[1] == '/') {
      pos++;
      *ml_comment = 0;
      FLUSH();
      need_space = 1;
    } else {
      if (!*in_string && c == '/' && pos[1] == '*' && pos[2] == '!')
        ss_comment = 1;
      else if (!*in_string && ss_comment && c == '*' && pos[1] == '/')
        ss_comment = 0;
      if (c == (unsigned char)*in_string)
        *in_string = 0;
      else if (!*ml_comment && !*in_string &&
               (c == '\'' || c == '"' || c == '`'))
        *in_string = (char)c;
      if (!*ml_comment) {
        if (need_space && !my_space(c)) sqlitch_buf_addc(&out, ' ');
        need_space = 0;
        sqlitch_buf_addc(&out, (char)c);
      }
    }
  }
  if (!rc && !P->stop && (out.len || P->glob.len)) {
    if (!is_delim_cmd(sqlitch_buf_str(&out), out.len) || *in_string ||
        *ml_comment)
      sqlitch_buf_addc(&out, '\n');
    if (!*ml_comment) sqlitch_buf_addn(&P->glob, out.p, out.len);
  }
#undef FLUSH
  sqlitch_buf_free(&out);
  return rc || P->stop;
}

/* read_and_execute(false) over one file (file NULL: the --execute text). */
static void read_and_execute(parser *P, const char *text, size_t len,
                             const char *file) {
  const char *save_file = P->file;
  unsigned long save_qline = P->qline;
  P->file = file;
  P->qline = 0;
  char in_string = 0;
  int ml_comment = 0, quit = 0, at_eof = 0;
  unsigned long line_number = 0;
  size_t at = 0;
  sqlitch_buf line = SQLITCH_BUF_INIT;
  while (!P->stop) {
    const char *l = NULL;
    size_t n = 0;
    if (at < len) {
      const char *nl = memchr(text + at, '\n', len - at);
      size_t e = nl ? (size_t)(nl - text) : len;
      sqlitch_buf_reset(&line);
      sqlitch_buf_addn(&line, text + at, e - at);
      if (line.len && line.p[line.len - 1] == '\r') line.len--;
      sqlitch_buf_addn(&line, "\0\0\0\0", 4); /* padding for pos[1..3] */
      line.len -= 4;
      at = nl ? e + 1 : len;
      l = line.p;
      n = line.len;
      if (!line_number && n >= 3 && (unsigned char)l[0] == 0xEF &&
          (unsigned char)l[1] == 0xBB && (unsigned char)l[2] == 0xBF) {
        l += 3;
        n -= 3;
      }
    }
    line_number++;
    if (P->glob.len == 0) P->qline = line_number;
    if (!l) {
      at_eof = 1;
      break;
    }
    const struct cmd *cm;
    if (P->glob.len == 0 && !ml_comment && !in_string &&
        (cm = find_command_line(P, l))) {
      if (run_cmd(P, cm, l, &quit) > 0) break;
      if (P->glob.len == 0) in_string = 0;
      continue;
    }
    if (add_line(P, (char *)l, n, &in_string, &ml_comment, &quit)) break;
  }
  sqlitch_buf_free(&line);
  /* "if in batch mode, send last query even if it doesn't end with \g" */
  if ((at_eof || quit) && !P->stop) {
    remove_cntrl(&P->glob);
    if (P->glob.len) com_go(P);
  }
  P->file = save_file;
  P->qline = save_qline;
}

int sqlitch_mysql_parse(const char *execute, const sqlitch_mysql_parse_opts *o,
                        sqlitch_mysql_script **out) {
  sqlitch_mysql_script *s = sqlitch_calloc(1, sizeof *s);
  parser P;
  memset(&P, 0, sizeof P);
  P.o = o;
  P.s = s;
  strcpy(P.delim, ";");
  P.dlen = 1;
  size_t len = strlen(execute);
  if (check_text(&P, execute, len) == SQLITCH_OK)
    read_and_execute(&P, execute, len, NULL);
  sqlitch_buf_free(&P.glob);
  *out = s;
  return SQLITCH_OK;
}

void sqlitch_mysql_script_free(sqlitch_mysql_script *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n; i++)
    free(s->v[i].text);
  free(s->v);
  sqlitch_strv_free(&s->files);
  free(s->fallback);
  free(s);
}

/* ============================================================ output */

char *sqlitch_mysql_execute_text(const sqlitch_strv *vars, const char *file) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  for (size_t i = 0; vars && i < vars->n; i++) {
    const char *kv = vars->v[i];
    const char *eq = strchr(kv, '=');
    if (!eq) continue;
    sqlitch_buf_add(&b, b.len ? ", @\"" : "SET @\"");
    for (const char *p = kv; p < eq; p++) {
      if (*p == '"') sqlitch_buf_addc(&b, '"');
      sqlitch_buf_addc(&b, *p);
    }
    sqlitch_buf_add(&b, "\" = '");
    for (const char *p = eq + 1; *p; p++) {
      if (*p == '\'') sqlitch_buf_addc(&b, '\'');
      sqlitch_buf_addc(&b, *p);
    }
    sqlitch_buf_addc(&b, '\'');
  }
  if (b.len) sqlitch_buf_add(&b, ";\n");
  sqlitch_buf_addf(&b, "source %s", file);
  return sqlitch_buf_take(&b);
}

void sqlitch_mysql_error_line(sqlitch_buf *b, unsigned code, const char *state,
                              unsigned long line, const char *file,
                              const char *msg) {
  sqlitch_buf_add(b, "ERROR");
  if (code) {
    if (state)
      sqlitch_buf_addf(b, " %u (%s)", code, state);
    else
      sqlitch_buf_addf(b, " %u", code);
  }
  if (line) {
    sqlitch_buf_addf(b, " at line %lu", line);
    if (file) sqlitch_buf_addf(b, " in file: '%s'", file);
  }
  sqlitch_buf_addf(b, ": %s\n", msg);
}

void sqlitch_mysql_query_block(sqlitch_buf *b, const char *q, size_t len) {
  sqlitch_buf_add(b, "--------------\n");
  sqlitch_buf_addn(b, q, len);
  if (!len || q[len - 1] != '\n') sqlitch_buf_addc(b, '\n');
  sqlitch_buf_add(b, "--------------\n\n");
}

void sqlitch_mysql_tab_row(sqlitch_buf *b, char **row,
                           const unsigned long *lengths, unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    if (i) sqlitch_buf_addc(b, '\t');
    if (!row[i]) {
      sqlitch_buf_add(b, "NULL");
      continue;
    }
    const char *p = row[i], *e = row[i] + lengths[i];
    for (; p < e; p++) {
      switch (*p) {
      case 0: sqlitch_buf_add(b, "\\0"); break;
      case '\t': sqlitch_buf_add(b, "\\t"); break;
      case '\n': sqlitch_buf_add(b, "\\n"); break;
      case '\\': sqlitch_buf_add(b, "\\\\"); break;
      default: sqlitch_buf_addc(b, *p);
      }
    }
  }
  sqlitch_buf_addc(b, '\n');
}

/* ====================================================== option files */

/* Where each option the client accepts from its files goes. Keys are
   compared after mysys's normalisation ("_" is "-", "loose-" dropped). */
typedef enum { K_STR, K_BOOL, K_IGNORE } key_kind;

static const struct mykey {
  const char *name;
  size_t off;
  key_kind kind;
} mykeys[] = {
    {"host", offsetof(sqlitch_mycnf, host), K_STR},
    {"port", offsetof(sqlitch_mycnf, port), K_STR},
    {"socket", offsetof(sqlitch_mycnf, socket), K_STR},
    {"user", offsetof(sqlitch_mycnf, user), K_STR},
    {"password", offsetof(sqlitch_mycnf, password), K_STR},
    {"database", offsetof(sqlitch_mycnf, database), K_STR},
    {"default-character-set", offsetof(sqlitch_mycnf, charset), K_STR},
    {"protocol", offsetof(sqlitch_mycnf, protocol), K_STR},
    {"init-command", offsetof(sqlitch_mycnf, init_command), K_STR},
    {"connect-timeout", offsetof(sqlitch_mycnf, connect_timeout), K_STR},
    {"ssl-ca", offsetof(sqlitch_mycnf, ssl_ca), K_STR},
    {"ssl-capath", offsetof(sqlitch_mycnf, ssl_capath), K_STR},
    {"ssl-cert", offsetof(sqlitch_mycnf, ssl_cert), K_STR},
    {"ssl-key", offsetof(sqlitch_mycnf, ssl_key), K_STR},
    {"ssl-cipher", offsetof(sqlitch_mycnf, ssl_cipher), K_STR},
    {"ssl", offsetof(sqlitch_mycnf, ssl), K_BOOL},
    {"compress", offsetof(sqlitch_mycnf, compress), K_BOOL},
    /* no effect on a batch run */
    {"auto-rehash", 0, K_IGNORE},
    {"no-auto-rehash", 0, K_IGNORE},
    {"skip-auto-rehash", 0, K_IGNORE},
    {"disable-auto-rehash", 0, K_IGNORE},
    {"no-beep", 0, K_IGNORE},
    {"prompt", 0, K_IGNORE},
    {"pager", 0, K_IGNORE},
    {"skip-pager", 0, K_IGNORE},
    {"no-pager", 0, K_IGNORE},
    {"max-allowed-packet", 0, K_IGNORE},
    {"net-buffer-length", 0, K_IGNORE},
};

static const char *const mygroups[] = {"mysql", "mariadb-client", "client",
                                       "client-server", "client-mariadb"};

static int wanted_group(const char *g) {
  for (size_t i = 0; i < sizeof mygroups / sizeof *mygroups; i++) {
    size_t n = strlen(mygroups[i]);
    if (strncmp(g, mygroups[i], n) == 0 && (g[n] == 0 || g[n] == '-')) return 1;
  }
  return 0;
}

static void set_key(sqlitch_mycnf *c, const char *file, char *key,
                    const char *val) {
  for (char *p = key; *p; p++)
    *p = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
  if (strncmp(key, "loose-", 6) == 0) key += 6;
  for (size_t i = 0; i < sizeof mykeys / sizeof *mykeys; i++) {
    if (strcmp(mykeys[i].name, key) != 0) continue;
    if (mykeys[i].kind == K_IGNORE) return;
    if (mykeys[i].kind == K_BOOL) {
      *(int *)((char *)c + mykeys[i].off) = !val || sqlitch_perl_true(val);
      return;
    }
    if (!val) break; /* "password" alone: the client would prompt */
    char **slot = (char **)((char *)c + mykeys[i].off);
    free(*slot);
    *slot = sqlitch_strdup(val);
    return;
  }
  if (!c->fallback)
    c->fallback = sqlitch_mprintf("option \"%s\" in %s", key, file);
}

static void read_cnf(sqlitch_mycnf *c, const char *path, int depth);

static void read_cnf_dir(sqlitch_mycnf *c, const char *dir, int depth) {
  DIR *d = opendir(dir);
  if (!d) return;
  sqlitch_strv names = SQLITCH_STRV_INIT;
  struct dirent *de;
  while ((de = readdir(d)))
    if (sqlitch_ends_with(de->d_name, ".cnf"))
      sqlitch_strv_push(&names, de->d_name);
  closedir(d);
  sqlitch_strv_sort(&names);
  for (size_t i = 0; i < names.n; i++) {
    char *p = sqlitch_path_join(dir, names.v[i]);
    read_cnf(c, p, depth + 1);
    free(p);
  }
  sqlitch_strv_free(&names);
}

/* One option file, as mysys's search_default_file_with_ext reads it. */
static void read_cnf(sqlitch_mycnf *c, const char *path, int depth) {
  if (depth > 10) return;
  FILE *f = fopen(path, "r");
  if (!f) return;
  sqlitch_strv_push(&c->files, path);
  char buf[4096];
  int in_group = 0, any_group = 0;
  while (fgets(buf, sizeof buf, f)) {
    char *p = buf;
    while (my_space((unsigned char)*p))
      p++;
    char *e = p + strlen(p);
    while (e > p && my_space((unsigned char)e[-1]))
      *--e = 0;
    if (!*p || *p == '#' || *p == ';') continue;
    if (*p == '!') {
      char *arg = p + 1;
      while (*arg && !my_space((unsigned char)*arg))
        arg++;
      if (*arg) *arg++ = 0;
      while (my_space((unsigned char)*arg))
        arg++;
      if (strcmp(p + 1, "include") == 0)
        read_cnf(c, arg, depth + 1);
      else if (strcmp(p + 1, "includedir") == 0)
        read_cnf_dir(c, arg, depth);
      continue;
    }
    if (*p == '[') {
      char *close = strchr(p, ']');
      if (!close) continue;
      *close = 0;
      char *g = p + 1;
      while (my_space((unsigned char)*g))
        g++;
      char *ge = g + strlen(g);
      while (ge > g && my_space((unsigned char)ge[-1]))
        *--ge = 0;
      in_group = wanted_group(g);
      any_group = 1;
      continue;
    }
    if (!any_group) {
      if (!c->fallback)
        c->fallback = sqlitch_mprintf("option without a group in %s", path);
      continue;
    }
    if (!in_group) continue;
    char *eq = strchr(p, '=');
    if (!eq) {
      set_key(c, path, p, NULL);
      continue;
    }
    char *k = p, *ke = eq;
    while (ke > k && my_space((unsigned char)ke[-1]))
      ke--;
    *ke = 0;
    char *v = eq + 1;
    while (my_space((unsigned char)*v))
      v++;
    char *ve = v + strlen(v);
    if ((*v == '\'' || *v == '"') && ve > v + 1 && ve[-1] == *v) {
      v++;
      ve--;
    }
    sqlitch_buf val = SQLITCH_BUF_INIT;
    for (char *q = v; q < ve; q++) {
      if (*q == '\\' && q + 1 < ve) {
        static const char from[] = "ntrbs\"'\\", to[] = "\n\t\r\b \"'\\";
        const char *hit = strchr(from, q[1]);
        if (hit) {
          sqlitch_buf_addc(&val, to[hit - from]);
          q++;
          continue;
        }
      }
      sqlitch_buf_addc(&val, *q);
    }
    set_key(c, path, k, sqlitch_buf_str(&val));
    sqlitch_buf_free(&val);
  }
  fclose(f);
}

void sqlitch_mycnf_read(const char *home, sqlitch_mycnf *out) {
  memset(out, 0, sizeof *out);
  read_cnf(out, "/etc/my.cnf", 0);
  read_cnf(out, "/etc/mysql/my.cnf", 0);
  const char *mh = getenv("MARIADB_HOME");
  if (!mh || !*mh) mh = getenv("MYSQL_HOME");
  if (mh && *mh) {
    char *p = sqlitch_path_join(mh, "my.cnf");
    read_cnf(out, p, 0);
    free(p);
  }
  if (home && *home) {
    char *p = sqlitch_path_join(home, ".my.cnf");
    read_cnf(out, p, 0);
    free(p);
  }
}

void sqlitch_mycnf_free(sqlitch_mycnf *c) {
  if (!c) return;
  char **strs[] = {&c->host,         &c->port,
                   &c->socket,       &c->user,
                   &c->password,     &c->database,
                   &c->charset,      &c->protocol,
                   &c->init_command, &c->connect_timeout,
                   &c->ssl_ca,       &c->ssl_capath,
                   &c->ssl_cert,     &c->ssl_key,
                   &c->ssl_cipher,   &c->fallback};
  for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
    free(*strs[i]);
    *strs[i] = NULL;
  }
  sqlitch_strv_free(&c->files);
}
