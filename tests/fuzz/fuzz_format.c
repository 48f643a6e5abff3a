/*
** fuzz_format.c -- libFuzzer target for the item formatter (core/format.c)
** and, through %{date:cldr:...}p / %{date:strftime:...}c, the date
** pattern engines (core/datefmt.c).
**
** Input: one option byte, then the template. The option byte picks the
** colour mode, an --abbrev value and whether the item is a plan change or
** a log row with the SQLite string-list quirk. Every input must format or
** fail cleanly (sqlitch_err set, buffer restored); sanitizers catch the
** rest. Runs of more than five digits are skipped: a width of 10^8 is
** legal and simply needs that much memory.
**
**   make fuzz                    # builds build/fuzz/fuzz_format and runs it
**   build/fuzz/fuzz_format -max_total_time=60 build/fuzz/corpus-fuzz_format
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

static const char *const tags[] = {"@v1.0", "@beta"};
static const char *const reqs[] = {"users", "flips@v1.0"};
static const char *const confs[] = {"other:gadgets"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  size_t run = 0;
  for (size_t i = 1; i < size; i++) {
    run = (data[i] >= '0' && data[i] <= '9') ? run + 1 : 0;
    if (run > 5) return 0;
  }
  uint8_t opt = data[0];
  char *tmpl = malloc(size);
  memcpy(tmpl, data + 1, size - 1);
  tmpl[size - 1] = 0;

  sqlitch_fmt_opts o;
  sqlitch_fmt_opts_init(&o);
  o.color = (sqlitch_color_mode)(opt % 3);
  o.abbrev = (opt >> 2) & 7;
  o.stdout_is_tty = (opt >> 5) & 1;
  sqlitch_fmt *f = sqlitch_fmt_new(tmpl, &o);

  sqlitch_fmt_item it;
  sqlitch_fmt_item_init(&it);
  it.event = (opt & 0x40) ? "revert" : "deploy";
  it.change_id = "0728fc57e776759bd6149cfa243a909cbbc91e0b";
  it.change = "caf\xc3\xa9";
  it.project = "widgets";
  it.note = "Subject\r\n\nBody \xe2\x80\xa8 line\n";
  it.tags = tags;
  it.ntags = 2;
  it.requires = reqs;
  it.nrequires = 2;
  it.conflicts = confs;
  it.nconflicts = 1;
  it.planner_name = "Marge N. O\xe2\x80\x99Vera";
  it.planner_email = "marge@example.com";
  it.planned_at.sec = 1705314600;
  it.has_planned_at = 1;
  if (opt & 0x80) {
    it.has_committer = 1;
    it.committer_name = "root";
    it.committer_email = "root@vm";
    it.committed_at.sec = 1763752009;
    it.committed_at.nsec = 123456789;
    it.has_committed_at = 1;
    it.lists_are_strings = 1;
    it.tags_str = "@v1.0 @beta";
    it.requires_str = "users,flips@v1.0";
    it.conflicts_str = "";
  }

  sqlitch_buf out = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&out, "x");
  sqlitch_err err = SQLITCH_ERR_INIT;
  if (sqlitch_fmt_format(f, &it, &out, &err) != SQLITCH_OK) {
    if (!err.msg || out.len != 1) abort(); /* errors carry a message */
  }
  sqlitch_err_clear(&err);
  sqlitch_buf_free(&out);
  sqlitch_fmt_free(f);
  free(tmpl);
  return 0;
}
