/*
** test_format.c -- unit tests of core/format.c (ItemFormatter): every
** format code, widths and truncation, labels, attributes, colours, the
** named log/plan formats, template splitting edge cases, error texts, the
** SQLite/MySQL string-list quirk, and the log/plan configure step.
**
** The big table was produced by sqitch 1.3.1 itself: `sqitch plan
** --no-headers --color <never|always> -f <format>` over a five-change
** plan (the items below), TZ=America/New_York, LC_ALL=C.UTF-8. Each row
** holds the whole output: every item formatted and followed by "\n", or,
** for errors, the first line of stderr and the exit code.
*/
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "tap.h"

static const char *const tags1[] = {"@v1.0", "@beta"};
static const char *const tags3[] = {"@v1.1"};
static const char *const tags4[] = {"@v2.0"};
static const char *const req1[] = {"users"};
static const char *const req2[] = {"users", "flips@v1.0"};
static const char *const conf2[] = {"otherproj:gadgets"};
static const char *const req3[] = {"users@v1.0"};

#define MARGE "Marge N. O\342\200\231Vera"

static const struct {
  const char *event, *id, *name, *note;
  const char *const *tags;
  size_t ntags;
  const char *const *req;
  size_t nreq;
  const char *const *conf;
  size_t nconf;
  const char *planner, *email;
  long long planned;
} items[] = {
    {"deploy", "0728fc57e776759bd6149cfa243a909cbbc91e0b", "users",
     "Creates table to track our users.", NULL, 0, NULL, 0, NULL, 0, MARGE,
     "marge@example.com", 1705314600},
    {"deploy", "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5", "flips",
     "Adds table\nfor storing flips.", tags1, 2, req1, 1, NULL, 0, MARGE,
     "marge@example.com", 1705314660},
    {"deploy", "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d", "widgets", "", NULL,
     0, req2, 2, conf2, 1, MARGE, "marge@example.com", 1705314780},
    {"deploy", "48da7bb3fc93c16d02b4a5af6e3634af6620114e", "users",
     "Reworked users.\n\nWith a body\n  indented.", tags3, 1, req3, 1, NULL, 0,
     "Bob Smith", "bob@example.com", 1705358040},
    {"revert", "14c7f98370bdd170718390c98af7643fedbae457", "widgets",
     "Remove widgets", tags4, 1, NULL, 0, NULL, 0, "Bob", "bob@example.com",
     1705366800},
};
#define NITEMS (sizeof items / sizeof items[0])

static void plan_item(size_t i, sqlitch_fmt_item *it) {
  sqlitch_fmt_item_init(it);
  it->event = items[i].event;
  it->change_id = items[i].id;
  it->change = items[i].name;
  it->project = "widgets";
  it->note = items[i].note;
  it->tags = items[i].tags;
  it->ntags = items[i].ntags;
  it->requires = items[i].req;
  it->nrequires = items[i].nreq;
  it->conflicts = items[i].conf;
  it->nconflicts = items[i].nconf;
  it->planner_name = items[i].planner;
  it->planner_email = items[i].email;
  it->planned_at.sec = items[i].planned;
  it->has_planned_at = 1;
}

static const struct {
  const char *kind, *tmpl;
  int always;
  const char *out;
  int rc;
  const char *err;
} rows[] = {
    {"named", "raw", 0,
     "deploy 0728fc57e776759bd6149cfa243a909cbbc91e0b\nname      "
     "users\nproject   widgets\nplanner   Marge N. O\342\200\231Vera "
     "<marge@example.com>\nplanned   2024-01-15T10:30:00Z\n\n    Creates table "
     "to track our users.\n\ndeploy 0e9ee5fe6e244f68b05b83515bedc31ddea00ec5 "
     "(@v1.0, @beta)\nname      flips\nproject   widgets\nrequires  "
     "users\nplanner   Marge N. O\342\200\231Vera <marge@example.com>\nplanned "
     "  2024-01-15T10:31:00Z\n\n    Adds table\n    for storing "
     "flips.\n\ndeploy 5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d\nname      "
     "widgets\nproject   widgets\nrequires  users, flips@v1.0\nconflicts "
     "otherproj:gadgets\nplanner   Marge N. O\342\200\231Vera "
     "<marge@example.com>\nplanned   2024-01-15T10:33:00Z\n\n    \n\ndeploy "
     "48da7bb3fc93c16d02b4a5af6e3634af6620114e (@v1.1)\nname      "
     "users\nproject   widgets\nrequires  users@v1.0\nplanner   Bob Smith "
     "<bob@example.com>\nplanned   2024-01-15T22:34:00Z\n\n    Reworked "
     "users.\n    \n    With a body\n      indented.\n\nrevert "
     "14c7f98370bdd170718390c98af7643fedbae457 (@v2.0)\nname      "
     "widgets\nproject   widgets\nplanner   Bob <bob@example.com>\nplanned   "
     "2024-01-16T01:00:00Z\n\n    Remove widgets\n\n",
     0, ""},
    {"named", "full", 0,
     "Deploy 0728fc57e776759bd6149cfa243a909cbbc91e0b\nName:      "
     "users\nProject:   widgets\nPlanner:   Marge N. O\342\200\231Vera "
     "<marge@example.com>\nPlanned:   2024-01-15 05:30:00 -0500\n\n    Creates "
     "table to track our users.\n\nDeploy "
     "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5 (@v1.0, @beta)\nName:      "
     "flips\nProject:   widgets\nRequires:  users\nPlanner:   Marge N. "
     "O\342\200\231Vera <marge@example.com>\nPlanned:   2024-01-15 05:31:00 "
     "-0500\n\n    Adds table\n    for storing flips.\n\nDeploy "
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d\nName:      widgets\nProject:   "
     "widgets\nRequires:  users, flips@v1.0\nConflicts: "
     "otherproj:gadgets\nPlanner:   Marge N. O\342\200\231Vera "
     "<marge@example.com>\nPlanned:   2024-01-15 05:33:00 -0500\n\n    "
     "\n\nDeploy 48da7bb3fc93c16d02b4a5af6e3634af6620114e (@v1.1)\nName:      "
     "users\nProject:   widgets\nRequires:  users@v1.0\nPlanner:   Bob Smith "
     "<bob@example.com>\nPlanned:   2024-01-15 17:34:00 -0500\n\n    Reworked "
     "users.\n    \n    With a body\n      indented.\n\nRevert "
     "14c7f98370bdd170718390c98af7643fedbae457 (@v2.0)\nName:      "
     "widgets\nProject:   widgets\nPlanner:   Bob <bob@example.com>\nPlanned:  "
     " 2024-01-15 20:00:00 -0500\n\n    Remove widgets\n\n",
     0, ""},
    {"named", "long", 0,
     "Deploy 0728fc57e776759bd6149cfa243a909cbbc91e0b\nName:      "
     "users\nProject:   widgets\nPlanner:   Marge N. O\342\200\231Vera "
     "<marge@example.com>\n\n    Creates table to track our users.\n\nDeploy "
     "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5 (@v1.0, @beta)\nName:      "
     "flips\nProject:   widgets\nPlanner:   Marge N. O\342\200\231Vera "
     "<marge@example.com>\n\n    Adds table\n    for storing flips.\n\nDeploy "
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d\nName:      widgets\nProject:   "
     "widgets\nPlanner:   Marge N. O\342\200\231Vera <marge@example.com>\n\n   "
     " \n\nDeploy 48da7bb3fc93c16d02b4a5af6e3634af6620114e (@v1.1)\nName:      "
     "users\nProject:   widgets\nPlanner:   Bob Smith <bob@example.com>\n\n    "
     "Reworked users.\n    \n    With a body\n      indented.\n\nRevert "
     "14c7f98370bdd170718390c98af7643fedbae457 (@v2.0)\nName:      "
     "widgets\nProject:   widgets\nPlanner:   Bob <bob@example.com>\n\n    "
     "Remove widgets\n\n",
     0, ""},
    {"named", "medium", 0,
     "Deploy 0728fc57e776759bd6149cfa243a909cbbc91e0b\nName:      "
     "users\nPlanner:   Marge N. O\342\200\231Vera <marge@example.com>\nDate:  "
     "    2024-01-15 05:30:00 -0500\n\n    Creates table to track our "
     "users.\n\nDeploy 0e9ee5fe6e244f68b05b83515bedc31ddea00ec5\nName:      "
     "flips\nPlanner:   Marge N. O\342\200\231Vera <marge@example.com>\nDate:  "
     "    2024-01-15 05:31:00 -0500\n\n    Adds table\n    for storing "
     "flips.\n\nDeploy 5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d\nName:      "
     "widgets\nPlanner:   Marge N. O\342\200\231Vera "
     "<marge@example.com>\nDate:      2024-01-15 05:33:00 -0500\n\n    "
     "\n\nDeploy 48da7bb3fc93c16d02b4a5af6e3634af6620114e\nName:      "
     "users\nPlanner:   Bob Smith <bob@example.com>\nDate:      2024-01-15 "
     "17:34:00 -0500\n\n    Reworked users.\n    \n    With a body\n      "
     "indented.\n\nRevert 14c7f98370bdd170718390c98af7643fedbae457\nName:      "
     "widgets\nPlanner:   Bob <bob@example.com>\nDate:      2024-01-15 "
     "20:00:00 -0500\n\n    Remove widgets\n\n",
     0, ""},
    {"named", "short", 0,
     "Deploy 0728fc57e776759bd6149cfa243a909cbbc91e0b\nName:      "
     "users\nPlanner:   Marge N. O\342\200\231Vera <marge@example.com>\n\n    "
     "Creates table to track our users.\n\nDeploy "
     "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5\nName:      flips\nPlanner:   "
     "Marge N. O\342\200\231Vera <marge@example.com>\n\n    Adds "
     "table\n\nDeploy 5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d\nName:      "
     "widgets\nPlanner:   Marge N. O\342\200\231Vera <marge@example.com>\n\n   "
     " \n\nDeploy 48da7bb3fc93c16d02b4a5af6e3634af6620114e\nName:      "
     "users\nPlanner:   Bob Smith <bob@example.com>\n\n    Reworked "
     "users.\n\nRevert 14c7f98370bdd170718390c98af7643fedbae457\nName:      "
     "widgets\nPlanner:   Bob <bob@example.com>\n\n    Remove widgets\n\n",
     0, ""},
    {"named", "oneline", 0,
     "0728fc57e776759bd6149cfa243a909cbbc91e0b deploy "
     "users\n0e9ee5fe6e244f68b05b83515bedc31ddea00ec5 deploy flips @v1.0, "
     "@beta\n5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d deploy "
     "widgets\n48da7bb3fc93c16d02b4a5af6e3634af6620114e deploy users "
     "@v1.1\n14c7f98370bdd170718390c98af7643fedbae457 revert widgets @v2.0\n",
     0, ""},
    {"t", "%H|%h|%{7}h|%{abc}h|%{-3}h|%{0}h|%n|%o|%e|%l|%L", 0,
     "0728fc57e776759bd6149cfa243a909cbbc91e0b|"
     "0728fc57e776759bd6149cfa243a909cbbc91e0b|0728fc5||"
     "0728fc57e776759bd6149cfa243a909cbbc91|"
     "0728fc57e776759bd6149cfa243a909cbbc91e0b|users|widgets|deploy|deploy|"
     "Deploy\n0e9ee5fe6e244f68b05b83515bedc31ddea00ec5|"
     "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5|0e9ee5f||"
     "0e9ee5fe6e244f68b05b83515bedc31ddea00|"
     "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5|flips|widgets|deploy|deploy|"
     "Deploy\n5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d|"
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d|5bbb552||"
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74|"
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d|widgets|widgets|deploy|deploy|"
     "Deploy\n48da7bb3fc93c16d02b4a5af6e3634af6620114e|"
     "48da7bb3fc93c16d02b4a5af6e3634af6620114e|48da7bb||"
     "48da7bb3fc93c16d02b4a5af6e3634af66201|"
     "48da7bb3fc93c16d02b4a5af6e3634af6620114e|users|widgets|deploy|deploy|"
     "Deploy\n14c7f98370bdd170718390c98af7643fedbae457|"
     "14c7f98370bdd170718390c98af7643fedbae457|14c7f98||"
     "14c7f98370bdd170718390c98af7643fedbae|"
     "14c7f98370bdd170718390c98af7643fedbae457|widgets|widgets|revert|revert|"
     "Revert\n",
     0, ""},
    {"t",
     "%c|%{n}c|%{foo}c|%p|%{n}p|%{name}p|%{e}p|%{email}p|%{d}p|%{date}p|%{date:"
     "rfc}p|%{d:cldr:yyyy}p|%{x}p|%{dat}p|%{d:}p",
     0,
     " <>|||Marge N. O\342\200\231Vera <marge@example.com>|Marge N. "
     "O\342\200\231Vera|Marge N. "
     "O\342\200\231Vera|marge@example.com|marge@example.com|2024-01-15 "
     "05:30:00 -0500|2024-01-15 05:30:00 -0500|Mon, 15 Jan 2024 05:30:00 "
     "-0500|2024|||2024-01-15 05:30:00 -0500\n <>|||Marge N. O\342\200\231Vera "
     "<marge@example.com>|Marge N. O\342\200\231Vera|Marge N. "
     "O\342\200\231Vera|marge@example.com|marge@example.com|2024-01-15 "
     "05:31:00 -0500|2024-01-15 05:31:00 -0500|Mon, 15 Jan 2024 05:31:00 "
     "-0500|2024|||2024-01-15 05:31:00 -0500\n <>|||Marge N. O\342\200\231Vera "
     "<marge@example.com>|Marge N. O\342\200\231Vera|Marge N. "
     "O\342\200\231Vera|marge@example.com|marge@example.com|2024-01-15 "
     "05:33:00 -0500|2024-01-15 05:33:00 -0500|Mon, 15 Jan 2024 05:33:00 "
     "-0500|2024|||2024-01-15 05:33:00 -0500\n <>|||Bob Smith "
     "<bob@example.com>|Bob Smith|Bob "
     "Smith|bob@example.com|bob@example.com|2024-01-15 17:34:00 "
     "-0500|2024-01-15 17:34:00 -0500|Mon, 15 Jan 2024 17:34:00 "
     "-0500|2024|||2024-01-15 17:34:00 -0500\n <>|||Bob "
     "<bob@example.com>|Bob|Bob|bob@example.com|bob@example.com|2024-01-15 "
     "20:00:00 -0500|2024-01-15 20:00:00 -0500|Mon, 15 Jan 2024 20:00:00 "
     "-0500|2024|||2024-01-15 20:00:00 -0500\n",
     0, ""},
    {"t", "[%t][%T][%{;}T][%{,}t][%{0}t][%r][%{ | }r][%R][%{;}R][%x][%X]", 0,
     "[][][][][][][][][][][]\n[ @v1.0, @beta][ (@v1.0, @beta)][ "
     "(@v1.0;@beta)][ @v1.0,@beta][ @v1.0, @beta][ users][ users][Requires:  "
     "users\n][Requires:  users\n][][]\n[][][][][][ users, flips@v1.0][ users "
     "| flips@v1.0][Requires:  users, flips@v1.0\n][Requires:  "
     "users;flips@v1.0\n][ otherproj:gadgets][Conflicts: "
     "otherproj:gadgets\n]\n[ @v1.1][ (@v1.1)][ (@v1.1)][ @v1.1][ @v1.1][ "
     "users@v1.0][ users@v1.0][Requires:  users@v1.0\n][Requires:  "
     "users@v1.0\n][][]\n[ @v2.0][ (@v2.0)][ (@v2.0)][ @v2.0][ "
     "@v2.0][][][][][][]\n",
     0, ""},
    {"t", "[%s][%{> }s][%b][%{> }b][%B][%{  }B][%{}B][%v]", 0,
     "[Creates table to track our users.][> Creates table to track our "
     "users.][][][Creates table to track our users.][  Creates table to track "
     "our users.][Creates table to track our users.][\n]\n[Adds table][> Adds "
     "table][for storing flips.][> for storing flips.][Adds table\nfor storing "
     "flips.][  Adds table\n  for storing flips.][Adds table\nfor storing "
     "flips.][\n]\n[][> ][][][][  ][][\n]\n[Reworked users.][> Reworked "
     "users.][With a body\n  indented.][> With a body\n>   indented.][Reworked "
     "users.\n\nWith a body\n  indented.][  Reworked users.\n  \n  With a "
     "body\n    indented.][Reworked users.\n\nWith a body\n  "
     "indented.][\n]\n[Remove widgets][> Remove widgets][][][Remove widgets][  "
     "Remove widgets][Remove widgets][\n]\n",
     0, ""},
    {"t",
     "%{event}_|%{change}_|%{committer}_|%{planner}_|%{by}_|%{date}_|%{"
     "committed}_|%{planned}_|%{name}_|%{project}_|%{email}_|%{requires}_|%{"
     "conflicts}_",
     0,
     "Event:    |Change:   |Committer:|Planner:  |By:       |Date:     "
     "|Committed:|Planned:  |Name:     |Project:  |Email:    |Requires: "
     "|Conflicts:\nEvent:    |Change:   |Committer:|Planner:  |By:       "
     "|Date:     |Committed:|Planned:  |Name:     |Project:  |Email:    "
     "|Requires: |Conflicts:\nEvent:    |Change:   |Committer:|Planner:  |By:  "
     "     |Date:     |Committed:|Planned:  |Name:     |Project:  |Email:    "
     "|Requires: |Conflicts:\nEvent:    |Change:   |Committer:|Planner:  |By:  "
     "     |Date:     |Committed:|Planned:  |Name:     |Project:  |Email:    "
     "|Requires: |Conflicts:\nEvent:    |Change:   |Committer:|Planner:  |By:  "
     "     |Date:     |Committed:|Planned:  |Name:     |Project:  |Email:    "
     "|Requires: |Conflicts:\n",
     0, ""},
    {"t",
     "%{event}a%{change_id}a%{change}a%{project}a%{note}a%{requires}a%{"
     "conflicts}a%{tags}a%{planner_name}a%{planner_email}a%{planned_at}a",
     0,
     "event     deploy\nchange_id "
     "0728fc57e776759bd6149cfa243a909cbbc91e0b\nchange    users\nproject   "
     "widgets\nnote      Creates table to track our users.\nplanner_name Marge "
     "N. O\342\200\231Vera\nplanner_email marge@example.com\nplanned_at "
     "2024-01-15T10:30:00Z\n\nevent     deploy\nchange_id "
     "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5\nchange    flips\nproject   "
     "widgets\nnote      Adds table\nfor storing flips.\nrequires  users\ntags "
     "     @v1.0, @beta\nplanner_name Marge N. "
     "O\342\200\231Vera\nplanner_email marge@example.com\nplanned_at "
     "2024-01-15T10:31:00Z\n\nevent     deploy\nchange_id "
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d\nchange    widgets\nproject   "
     "widgets\nnote      \nrequires  users, flips@v1.0\nconflicts "
     "otherproj:gadgets\nplanner_name Marge N. "
     "O\342\200\231Vera\nplanner_email marge@example.com\nplanned_at "
     "2024-01-15T10:33:00Z\n\nevent     deploy\nchange_id "
     "48da7bb3fc93c16d02b4a5af6e3634af6620114e\nchange    users\nproject   "
     "widgets\nnote      Reworked users.\n\nWith a body\n  indented.\nrequires "
     " users@v1.0\ntags      @v1.1\nplanner_name Bob Smith\nplanner_email "
     "bob@example.com\nplanned_at 2024-01-15T22:34:00Z\n\nevent     "
     "revert\nchange_id 14c7f98370bdd170718390c98af7643fedbae457\nchange    "
     "widgets\nproject   widgets\nnote      Remove widgets\ntags      "
     "@v2.0\nplanner_name Bob\nplanner_email bob@example.com\nplanned_at "
     "2024-01-16T01:00:00Z\n\n",
     0, ""},
    {"t",
     "[%-10n][%10n][%.3n][%-8.3n][%08n][%-08n][%.0n][%.n][%.00n][%0n][%5.1n][%-"
     "1n][%100.2H]",
     0,
     "[users     ][     users][use][use     ][000users][users   "
     "][users][users][][users][    u][users][                                  "
     "                                                                "
     "07]\n[flips     ][     flips][fli][fli     ][000flips][flips   "
     "][flips][flips][][flips][    f][flips][                                  "
     "                                                                "
     "0e]\n[widgets   ][   widgets][wid][wid     ][0widgets][widgets "
     "][widgets][widgets][][widgets][    w][widgets][                          "
     "                                                                        "
     "5b]\n[users     ][     users][use][use     ][000users][users   "
     "][users][users][][users][    u][users][                                  "
     "                                                                "
     "48]\n[widgets   ][   widgets][wid][wid     ][0widgets][widgets "
     "][widgets][widgets][][widgets][    w][widgets][                          "
     "                                                                        "
     "14]\n",
     0, ""},
    {"t", "100%% done %%n % %", 0,
     "100% done %n % %\n100% done %n % %\n100% done %n % %\n100% done %n % "
     "%\n100% done %n % %\n",
     0, ""},
    {"t", "[%{a}}n]", 0, "", 2, "Unknown format code \"}\""},
    {"t", "[%{x} y}n]", 0, "[users]\n[flips]\n[widgets]\n[users]\n[widgets]\n",
     0, ""},
    {"t", "[%{x}]", 0, "", 2, "Unknown format code \"]\""},
    {"t", "[%5.]", 0, "", 2, "Unknown format code \"]\""},
    {"t", "[% n]%", 0, "[% n]%\n[% n]%\n[% n]%\n[% n]%\n[% n]%\n", 0, ""},
    {"t", "%{abc", 0, "", 2, "Unknown format code \"{\""},
    {"t", "x%5", 0, "", 2, "Unknown format code \"5\""},
    {"t", "%-", 0, "", 2, "Unknown format code \"-\""},
    {"t", "%%%n%", 0, "%users%\n%flips%\n%widgets%\n%users%\n%widgets%\n", 0,
     ""},
    {"t", "%-%", 0, "", 2, "Unknown format code \"%\""},
    {"t", "%{\n}n", 0, "", 2, "Unknown format code \"{\""},
    {"t", "%{a\n}b}n", 0, "", 2, "Unknown format code \"{\""},
    {"t", "%\302\240n", 0,
     "%\302\240n\n%\302\240n\n%\302\240n\n%\302\240n\n%\302\240n\n", 0, ""},
    {"t", "%{x}C", 0, "", 2, "x is not a valid ANSI color"},
    {"t", "%C", 0, "", 2, "{color} is not a valid ANSI color"},
    {"t", "%{}C", 0, "", 2, " is not a valid ANSI color"},
    {"t", "%{0}C", 0, "", 2, "0 is not a valid ANSI color"},
    {"t", "%{red blink}C%{bold foo}C", 0, "", 2,
     "bold foo is not a valid ANSI color"},
    {"t", "%{r256g0b0}C", 0, "", 2, "r256g0b0 is not a valid ANSI color"},
    {"t", "%_", 0, "", 2, "No label passed to the _ format"},
    {"t", "%{}_", 0, "", 2, "Unknown label \"\" passed to the _ format"},
    {"t", "%{bogus}_", 0, "", 2,
     "Unknown label \"bogus\" passed to the _ format"},
    {"t", "%a", 0, "", 2, "{attr} is not a valid change attribute"},
    {"t", "%{}a", 0, "", 2, " is not a valid change attribute"},
    {"t", "%{committer_name}a", 0, "", 2,
     "committer_name is not a valid change attribute"},
    {"t", "%{committed_at}a", 0, "", 2,
     "committed_at is not a valid change attribute"},
    {"t", "%{bogus}a", 0, "", 2, "bogus is not a valid change attribute"},
    {"t", "%{date}c", 0, "", 2,
     "Can't call method \"as_string\" on an undefined value"},
    {"t", "%{date:bogus}p", 0, "", 2, "Unknown date format \"bogus\""},
    {"t", "%{date:cldr:y}p%Q", 0, "", 2, "Unknown format code \"Q\""},
    {"t", "%Q%{date}c", 0, "", 2, "Unknown format code \"Q\""},
    {"t", "%{d:default}p", 0,
     "Jan 15, 2024, 5:30:00\342\200\257AM\nJan 15, 2024, "
     "5:31:00\342\200\257AM\nJan 15, 2024, 5:33:00\342\200\257AM\nJan 15, "
     "2024, 5:34:00\342\200\257PM\nJan 15, 2024, 8:00:00\342\200\257PM\n",
     0, ""},
    {"t",
     "[%{red}C%n%{reset}C][%{bold "
     "blue}C][%{on_green}C][%{ansi200}C][%{rgb123}C][%{grey5}C][%{r10g20b30}C]["
     "%{on_r1g2b3}C][%{BOLD}C][%{ }C][%{:event}C]",
     0,
     "[users][][][][][][][][][][]\n[flips][][][][][][][][][][]\n[widgets][][][]"
     "[][][][][][][]\n[users][][][][][][][][][][]\n[widgets][][][][][][][][][]["
     "]\n",
     0, ""},
    {"t", "%{O\342\200\231Vera}p %{name}p", 0,
     " Marge N. O\342\200\231Vera\n Marge N. O\342\200\231Vera\n Marge N. "
     "O\342\200\231Vera\n Bob Smith\n Bob\n",
     0, ""},
    {"t", "[%-12n][%.2{x}p][%3.1{x}s]", 0,
     "[users       ][][  x]\n[flips       ][][  x]\n[widgets     ][][  "
     "x]\n[users       ][][  x]\n[widgets     ][][  x]\n",
     0, ""},
    {"t", "", 0, "\n\n\n\n\n", 0, ""},
    {"t", "no codes at all", 0,
     "no codes at all\nno codes at all\nno codes at all\nno codes at all\nno "
     "codes at all\n",
     0, ""},
    {"t", "%\303\251", 0, "", 2, "Unknown format code \"\303\251\""},
    {"named", "raw", 1,
     "\033[32mdeploy 0728fc57e776759bd6149cfa243a909cbbc91e0b\033[0m\nname     "
     " users\nproject   widgets\nplanner   Marge N. O\342\200\231Vera "
     "<marge@example.com>\nplanned   2024-01-15T10:30:00Z\n\n    Creates table "
     "to track our users.\n\n\033[32mdeploy "
     "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5\033[0m (@v1.0, @beta)\nname     "
     " flips\nproject   widgets\nrequires  users\nplanner   Marge N. "
     "O\342\200\231Vera <marge@example.com>\nplanned   "
     "2024-01-15T10:31:00Z\n\n    Adds table\n    for storing "
     "flips.\n\n\033[32mdeploy "
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d\033[0m\nname      "
     "widgets\nproject   widgets\nrequires  users, flips@v1.0\nconflicts "
     "otherproj:gadgets\nplanner   Marge N. O\342\200\231Vera "
     "<marge@example.com>\nplanned   2024-01-15T10:33:00Z\n\n    "
     "\n\n\033[32mdeploy 48da7bb3fc93c16d02b4a5af6e3634af6620114e\033[0m "
     "(@v1.1)\nname      users\nproject   widgets\nrequires  "
     "users@v1.0\nplanner   Bob Smith <bob@example.com>\nplanned   "
     "2024-01-15T22:34:00Z\n\n    Reworked users.\n    \n    With a body\n     "
     " indented.\n\n\033[34mrevert "
     "14c7f98370bdd170718390c98af7643fedbae457\033[0m (@v2.0)\nname      "
     "widgets\nproject   widgets\nplanner   Bob <bob@example.com>\nplanned   "
     "2024-01-16T01:00:00Z\n\n    Remove widgets\n\n",
     0, ""},
    {"named", "full", 1,
     "\033[32mDeploy 0728fc57e776759bd6149cfa243a909cbbc91e0b\033[0m\nName:    "
     "  users\nProject:   widgets\nPlanner:   Marge N. O\342\200\231Vera "
     "<marge@example.com>\nPlanned:   2024-01-15 05:30:00 -0500\n\n    Creates "
     "table to track our users.\n\n\033[32mDeploy "
     "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5\033[0m (@v1.0, @beta)\nName:    "
     "  flips\nProject:   widgets\nRequires:  users\nPlanner:   Marge N. "
     "O\342\200\231Vera <marge@example.com>\nPlanned:   2024-01-15 05:31:00 "
     "-0500\n\n    Adds table\n    for storing flips.\n\n\033[32mDeploy "
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d\033[0m\nName:      "
     "widgets\nProject:   widgets\nRequires:  users, flips@v1.0\nConflicts: "
     "otherproj:gadgets\nPlanner:   Marge N. O\342\200\231Vera "
     "<marge@example.com>\nPlanned:   2024-01-15 05:33:00 -0500\n\n    "
     "\n\n\033[32mDeploy 48da7bb3fc93c16d02b4a5af6e3634af6620114e\033[0m "
     "(@v1.1)\nName:      users\nProject:   widgets\nRequires:  "
     "users@v1.0\nPlanner:   Bob Smith <bob@example.com>\nPlanned:   "
     "2024-01-15 17:34:00 -0500\n\n    Reworked users.\n    \n    With a "
     "body\n      indented.\n\n\033[34mRevert "
     "14c7f98370bdd170718390c98af7643fedbae457\033[0m (@v2.0)\nName:      "
     "widgets\nProject:   widgets\nPlanner:   Bob <bob@example.com>\nPlanned:  "
     " 2024-01-15 20:00:00 -0500\n\n    Remove widgets\n\n",
     0, ""},
    {"named", "long", 1,
     "\033[32mDeploy 0728fc57e776759bd6149cfa243a909cbbc91e0b\033[0m\nName:    "
     "  users\nProject:   widgets\nPlanner:   Marge N. O\342\200\231Vera "
     "<marge@example.com>\n\n    Creates table to track our "
     "users.\n\n\033[32mDeploy 0e9ee5fe6e244f68b05b83515bedc31ddea00ec5\033[0m "
     "(@v1.0, @beta)\nName:      flips\nProject:   widgets\nPlanner:   Marge "
     "N. O\342\200\231Vera <marge@example.com>\n\n    Adds table\n    for "
     "storing flips.\n\n\033[32mDeploy "
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d\033[0m\nName:      "
     "widgets\nProject:   widgets\nPlanner:   Marge N. O\342\200\231Vera "
     "<marge@example.com>\n\n    \n\n\033[32mDeploy "
     "48da7bb3fc93c16d02b4a5af6e3634af6620114e\033[0m (@v1.1)\nName:      "
     "users\nProject:   widgets\nPlanner:   Bob Smith <bob@example.com>\n\n    "
     "Reworked users.\n    \n    With a body\n      "
     "indented.\n\n\033[34mRevert "
     "14c7f98370bdd170718390c98af7643fedbae457\033[0m (@v2.0)\nName:      "
     "widgets\nProject:   widgets\nPlanner:   Bob <bob@example.com>\n\n    "
     "Remove widgets\n\n",
     0, ""},
    {"named", "medium", 1,
     "\033[32mDeploy 0728fc57e776759bd6149cfa243a909cbbc91e0b\033[0m\nName:    "
     "  users\nPlanner:   Marge N. O\342\200\231Vera "
     "<marge@example.com>\nDate:      2024-01-15 05:30:00 -0500\n\n    Creates "
     "table to track our users.\n\n\033[32mDeploy "
     "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5\033[0m\nName:      "
     "flips\nPlanner:   Marge N. O\342\200\231Vera <marge@example.com>\nDate:  "
     "    2024-01-15 05:31:00 -0500\n\n    Adds table\n    for storing "
     "flips.\n\n\033[32mDeploy "
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d\033[0m\nName:      "
     "widgets\nPlanner:   Marge N. O\342\200\231Vera "
     "<marge@example.com>\nDate:      2024-01-15 05:33:00 -0500\n\n    "
     "\n\n\033[32mDeploy "
     "48da7bb3fc93c16d02b4a5af6e3634af6620114e\033[0m\nName:      "
     "users\nPlanner:   Bob Smith <bob@example.com>\nDate:      2024-01-15 "
     "17:34:00 -0500\n\n    Reworked users.\n    \n    With a body\n      "
     "indented.\n\n\033[34mRevert "
     "14c7f98370bdd170718390c98af7643fedbae457\033[0m\nName:      "
     "widgets\nPlanner:   Bob <bob@example.com>\nDate:      2024-01-15 "
     "20:00:00 -0500\n\n    Remove widgets\n\n",
     0, ""},
    {"named", "short", 1,
     "\033[32mDeploy 0728fc57e776759bd6149cfa243a909cbbc91e0b\033[0m\nName:    "
     "  users\nPlanner:   Marge N. O\342\200\231Vera <marge@example.com>\n\n   "
     " Creates table to track our users.\n\n\033[32mDeploy "
     "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5\033[0m\nName:      "
     "flips\nPlanner:   Marge N. O\342\200\231Vera <marge@example.com>\n\n    "
     "Adds table\n\n\033[32mDeploy "
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d\033[0m\nName:      "
     "widgets\nPlanner:   Marge N. O\342\200\231Vera <marge@example.com>\n\n   "
     " \n\n\033[32mDeploy "
     "48da7bb3fc93c16d02b4a5af6e3634af6620114e\033[0m\nName:      "
     "users\nPlanner:   Bob Smith <bob@example.com>\n\n    Reworked "
     "users.\n\n\033[34mRevert "
     "14c7f98370bdd170718390c98af7643fedbae457\033[0m\nName:      "
     "widgets\nPlanner:   Bob <bob@example.com>\n\n    Remove widgets\n\n",
     0, ""},
    {"named", "oneline", 1,
     "\033[32m0728fc57e776759bd6149cfa243a909cbbc91e0b deploy\033[0m "
     "users\033[36m\033[0m\n\033[32m0e9ee5fe6e244f68b05b83515bedc31ddea00ec5 "
     "deploy\033[0m flips\033[36m @v1.0, "
     "@beta\033[0m\n\033[32m5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d "
     "deploy\033[0m "
     "widgets\033[36m\033[0m\n\033[32m48da7bb3fc93c16d02b4a5af6e3634af6620114e "
     "deploy\033[0m users\033[36m "
     "@v1.1\033[0m\n\033[34m14c7f98370bdd170718390c98af7643fedbae457 "
     "revert\033[0m widgets\033[36m @v2.0\033[0m\n",
     0, ""},
    {"t", "%H|%h|%{7}h|%{abc}h|%{-3}h|%{0}h|%n|%o|%e|%l|%L", 1,
     "0728fc57e776759bd6149cfa243a909cbbc91e0b|"
     "0728fc57e776759bd6149cfa243a909cbbc91e0b|0728fc5||"
     "0728fc57e776759bd6149cfa243a909cbbc91|"
     "0728fc57e776759bd6149cfa243a909cbbc91e0b|users|widgets|deploy|deploy|"
     "Deploy\n0e9ee5fe6e244f68b05b83515bedc31ddea00ec5|"
     "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5|0e9ee5f||"
     "0e9ee5fe6e244f68b05b83515bedc31ddea00|"
     "0e9ee5fe6e244f68b05b83515bedc31ddea00ec5|flips|widgets|deploy|deploy|"
     "Deploy\n5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d|"
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d|5bbb552||"
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74|"
     "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d|widgets|widgets|deploy|deploy|"
     "Deploy\n48da7bb3fc93c16d02b4a5af6e3634af6620114e|"
     "48da7bb3fc93c16d02b4a5af6e3634af6620114e|48da7bb||"
     "48da7bb3fc93c16d02b4a5af6e3634af66201|"
     "48da7bb3fc93c16d02b4a5af6e3634af6620114e|users|widgets|deploy|deploy|"
     "Deploy\n14c7f98370bdd170718390c98af7643fedbae457|"
     "14c7f98370bdd170718390c98af7643fedbae457|14c7f98||"
     "14c7f98370bdd170718390c98af7643fedbae|"
     "14c7f98370bdd170718390c98af7643fedbae457|widgets|widgets|revert|revert|"
     "Revert\n",
     0, ""},
    {"t", "%{x}C", 1, "", 2, "x is not a valid ANSI color"},
    {"t", "%C", 1, "", 2, "{color} is not a valid ANSI color"},
    {"t", "%{}C", 1, "", 2, " is not a valid ANSI color"},
    {"t", "%{0}C", 1, "", 2, "0 is not a valid ANSI color"},
    {"t", "%{red blink}C%{bold foo}C", 1, "", 2,
     "bold foo is not a valid ANSI color"},
    {"t", "%{r256g0b0}C", 1, "", 2, "r256g0b0 is not a valid ANSI color"},
    {"t",
     "[%{red}C%n%{reset}C][%{bold "
     "blue}C][%{on_green}C][%{ansi200}C][%{rgb123}C][%{grey5}C][%{r10g20b30}C]["
     "%{on_r1g2b3}C][%{BOLD}C][%{ }C][%{:event}C]",
     1,
     "[\033[31musers\033[0m][\033[1;34m][\033[42m][\033[38;5;200m][\033[38;5;"
     "67m][\033[38;5;237m][\033[38;2;10;20;30m][\033[48;2;1;2;3m][\033[1m][]["
     "\033[32m]\n[\033[31mflips\033[0m][\033[1;34m][\033[42m][\033[38;5;200m]["
     "\033[38;5;67m][\033[38;5;237m][\033[38;2;10;20;30m][\033[48;2;1;2;3m]["
     "\033[1m][][\033[32m]\n[\033[31mwidgets\033[0m][\033[1;34m][\033[42m]["
     "\033[38;5;200m][\033[38;5;67m][\033[38;5;237m][\033[38;2;10;20;30m][\033["
     "48;2;1;2;3m][\033[1m][][\033[32m]\n[\033[31musers\033[0m][\033[1;34m]["
     "\033[42m][\033[38;5;200m][\033[38;5;67m][\033[38;5;237m][\033[38;2;10;20;"
     "30m][\033[48;2;1;2;3m][\033[1m][][\033[32m]\n[\033[31mwidgets\033[0m]["
     "\033[1;34m][\033[42m][\033[38;5;200m][\033[38;5;67m][\033[38;5;237m]["
     "\033[38;2;10;20;30m][\033[48;2;1;2;3m][\033[1m][][\033[34m]\n",
     0, ""},

};

/* Format every item like `sqitch plan`: stop at the first error. */
static int run_plan(const char *tmpl, sqlitch_color_mode color,
                    sqlitch_buf *out, sqlitch_err *err) {
  sqlitch_fmt_opts o;
  sqlitch_fmt_opts_init(&o);
  o.color = color;
  sqlitch_fmt *f = sqlitch_fmt_new(tmpl, &o);
  int rc = SQLITCH_OK;
  for (size_t i = 0; i < NITEMS && rc == SQLITCH_OK; i++) {
    sqlitch_fmt_item it;
    plan_item(i, &it);
    rc = sqlitch_fmt_format(f, &it, out, err);
    if (rc == SQLITCH_OK) sqlitch_buf_addc(out, '\n');
  }
  sqlitch_fmt_free(f);
  return rc;
}

static void test_oracle_rows(void) {
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
    const char *tmpl = strcmp(rows[r].kind, "named") == 0
                           ? sqlitch_fmt_named(SQLITCH_FMT_PLAN, rows[r].tmpl)
                           : rows[r].tmpl;
    sqlitch_buf out = SQLITCH_BUF_INIT;
    sqlitch_err err = SQLITCH_ERR_INIT;
    char name[160];
    int rc = run_plan(
        tmpl, rows[r].always ? SQLITCH_COLOR_ALWAYS : SQLITCH_COLOR_NEVER, &out,
        &err);
    snprintf(name, sizeof name, "%s [%.60s]%s", rows[r].kind, rows[r].tmpl,
             rows[r].always ? " color" : "");
    for (char *c = name; *c; c++)
      if (*c == '\n') *c = '|';
    if (rows[r].rc == 0) {
      is_int(rc, SQLITCH_OK, name);
      is_str(sqlitch_buf_str(&out), rows[r].out, name);
    } else {
      is_int(rc, SQLITCH_ERROR, name);
      is_str(err.msg, rows[r].err, name);
      is_int(err.exitval, rows[r].rc, name);
    }
    sqlitch_err_clear(&err);
    sqlitch_buf_free(&out);
  }
}

static const struct {
  const char *note, *prefix, *s, *b, *B;
} notes[] = {
    {"a\015b", NULL, "a", "b", "a\015b"},
    {"a\015b", "> ", "> a", "> b", "> a\015b"},
    {"\015ab", NULL, "", "\015ab", "\015ab"},
    {"\015ab", "> ", "> ", "> \015ab", "> \015ab"},
    {"\012foo", NULL, "", "\012foo", "\012foo"},
    {"\012foo", "> ", "> ", "> \012> foo", "> \012> foo"},
    {"a\012", NULL, "a", "", "a\012"},
    {"a\012", "> ", "> a", "", "> a\012"},
    {"ab\015\015", NULL, "ab", "", "ab\015\015"},
    {"ab\015\015", "> ", "> ab", "", "> ab\015\015"},
    {"x\342\200\250y\012z", NULL, "x", "z", "x\342\200\250y\012z"},
    {"x\342\200\250y\012z", "> ", "> x", "> z", "> x\342\200\250y\012> z"},
    {"first\012\012\012second\012third", NULL, "first", "second\012third",
     "first\012\012\012second\012third"},
    {"first\012\012\012second\012third", "> ", "> first", "> second\012> third",
     "> first\012> \012> \012> second\012> third"},
    {"", NULL, "", "", ""},
    {"", "> ", "> ", "", "> "},
    {"one line", NULL, "one line", "", "one line"},
    {"one line", "> ", "> one line", "", "> one line"},
    {"a\015\012\015\012b\012c\012", NULL, "a", "b\012c\012",
     "a\015\012\015\012b\012c\012"},
    {"a\015\012\015\012b\012c\012", "> ", "> a", "> b\012> c\012",
     "> a\015\012> \015\012> b\012> c\012"},
    {"t\302\205u", NULL, "t", "u", "t\302\205u"},
    {"t\302\205u", "> ", "> t", "> u", "> t\302\205u"},
    {"l1\014l2\013l3", NULL, "l1", "l3", "l1\014l2\013l3"},
    {"l1\014l2\013l3", "> ", "> l1", "> l3", "> l1\014l2\013l3"},
    {"\342\200\251", NULL, "", "\342\200\251", "\342\200\251"},
    {"\342\200\251", "> ", "> ", "> \342\200\251", "> \342\200\251"},

};

/* %s %b %B on notes with every kind of vertical space (expected values
   from the Perl expressions in ItemFormatter.pm). */
static void test_notes(void) {
  for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
    const char *codes[] = {"s", "b", "B"};
    const char *want[] = {notes[i].s, notes[i].b, notes[i].B};
    for (int c = 0; c < 3; c++) {
      char tmpl[32];
      snprintf(tmpl, sizeof tmpl, notes[i].prefix ? "%%{%s}%s" : "%%%s",
               notes[i].prefix ? notes[i].prefix : codes[c], codes[c]);
      sqlitch_fmt *f = sqlitch_fmt_new(tmpl, NULL);
      sqlitch_fmt_item it;
      sqlitch_fmt_item_init(&it);
      it.note = notes[i].note;
      sqlitch_buf out = SQLITCH_BUF_INIT;
      sqlitch_err err = SQLITCH_ERR_INIT;
      char name[64];
      snprintf(name, sizeof name, "note %zu %s", i, tmpl);
      ok(sqlitch_fmt_format(f, &it, &out, &err) == SQLITCH_OK, name);
      is_str(sqlitch_buf_str(&out), want[c], name);
      sqlitch_buf_free(&out);
      sqlitch_fmt_free(f);
    }
  }
}

static char *fmt1(const char *tmpl, const sqlitch_fmt_opts *o,
                  const sqlitch_fmt_item *it, sqlitch_err *err) {
  sqlitch_fmt *f = sqlitch_fmt_new(tmpl, o);
  sqlitch_buf out = SQLITCH_BUF_INIT;
  char *r = NULL;
  if (sqlitch_fmt_format(f, it, &out, err) == SQLITCH_OK)
    r = sqlitch_buf_take(&out);
  sqlitch_buf_free(&out);
  sqlitch_fmt_free(f);
  return r;
}

#define CHECK_FMT(tmpl, o, it, want, name)                                     \
  do {                                                                         \
    sqlitch_err e_ = SQLITCH_ERR_INIT;                                         \
    char *g_ = fmt1(tmpl, o, it, &e_);                                         \
    is_str(g_ ? g_ : e_.msg, want, name);                                      \
    free(g_);                                                                  \
    sqlitch_err_clear(&e_);                                                    \
  } while (0)

/* A log row: committer fields, and (SQLite/MySQL) lists as strings. */
static void test_log_items(void) {
  sqlitch_fmt_item it;
  plan_item(2, &it);
  it.has_committer = 1;
  it.committer_name = "root";
  it.committer_email = "root@vm";
  it.committed_at.sec = 1763752009;
  it.has_committed_at = 1;
  sqlitch_fmt_opts o;
  sqlitch_fmt_opts_init(&o);
  o.color = SQLITCH_COLOR_NEVER;
  CHECK_FMT("%c|%{n}c|%{e}c|%{d:raw}c|%{committer_name}a%{committed_at}a", &o,
            &it,
            "root <root@vm>|root|root@vm|2025-11-21T19:06:49Z|committer_name "
            "root\ncommitted_at 2025-11-21T19:06:49Z\n",
            "committer codes on a log row");
  CHECK_FMT(sqlitch_fmt_named(SQLITCH_FMT_LOG, "oneline"), &o, &it,
            "5bbb552fc7b4192d6c20ea7961fbb09d7cd74c6d deploy widgets:widgets ",
            "log oneline keeps the trailing space");
  o.abbrev = 6;
  CHECK_FMT(sqlitch_fmt_named(SQLITCH_FMT_LOG, "medium"), &o, &it,
            "Deploy 5bbb55\nName:      widgets\nCommitter: root <root@vm>\n"
            "Date:      2025-11-21 14:06:49 -0500\n\n    \n",
            "log medium");
  o.abbrev = 0;

  /* the SQLite/MySQL quirk */
  it.lists_are_strings = 1;
  it.tags_str = "";
  it.requires_str = "users,flips@v1.0";
  it.conflicts_str = "otherproj:gadgets";
  CHECK_FMT(
      "%{tags}a%{requires}a%{conflicts}a", &o, &it,
      "tags      \nrequires  users,flips@v1.0\nconflicts otherproj:gadgets\n",
      "string lists print even when empty");
  CHECK_FMT("%t", &o, &it, "Can't use string (\"\") as an ARRAY ref",
            "%t dies on a string");
  CHECK_FMT("%R", &o, &it,
            "Can't use string (\"users,flips@v1.0\") as an ARRAY ref",
            "%R dies on a string");
  it.conflicts_str = "a-very-long-conflict-list,another-one,third";
  CHECK_FMT("%X", &o, &it,
            "Can't use string (\"a-very-long-conflict-list,anothe\"...) as an "
            "ARRAY ref",
            "long strings are cut at 32 characters");
  sqlitch_err err = SQLITCH_ERR_INIT;
  char *g = fmt1("%x", &o, &it, &err);
  ok(!g && err.exitval == 2, "quirk error exits 2");
  sqlitch_err_clear(&err);
  CHECK_FMT(sqlitch_fmt_named(SQLITCH_FMT_LOG, "full"), &o, &it,
            "Can't use string (\"\") as an ARRAY ref", "log full dies at %T");

  /* no committer: plan rows */
  plan_item(0, &it);
  CHECK_FMT("x%{committer_email}a", &o, &it,
            "committer_email is not a valid change attribute",
            "plan rows have no committer attributes");
  CHECK_FMT("%{d}c", &o, &it,
            "Can't call method \"as_string\" on an undefined value",
            "no committed date");
  g = fmt1("%{date:bogus}p", &o, &it, &err);
  ok(!g, "bad date format fails");
  is_str(err.msg, "Unknown date format \"bogus\"", "bad date format message");
  is_int(err.exitval, 2, "bad date format exits 2");
  sqlitch_err_clear(&err);
  /* huge widths */
  g = fmt1("%999999999n", &o, &it, &err);
  ok(!g, "absurd width fails");
  is_str(err.msg, "Out of memory!", "as Perl does");
  is_int(err.exitval, 1, "exit 1");
  sqlitch_err_clear(&err);
  /* an error leaves the buffer as it was */
  sqlitch_fmt *f = sqlitch_fmt_new("abc%Q", &o);
  sqlitch_buf out = SQLITCH_BUF_INIT;
  sqlitch_buf_add(&out, "keep");
  ok(sqlitch_fmt_format(f, &it, &out, &err) == SQLITCH_ERROR, "fails");
  is_str(sqlitch_buf_str(&out), "keep", "buffer restored on error");
  sqlitch_err_clear(&err);
  sqlitch_buf_free(&out);
  sqlitch_fmt_free(f);
  /* NULL fields */
  sqlitch_fmt_item_init(&it);
  CHECK_FMT("[%n|%H|%h|%s|%b|%B|%t|%e|%L|%p|%{:event}C]", &o, &it,
            "[||||||||| <>|]", "undefined fields print as empty");
}

static void test_colors(void) {
  sqlitch_fmt_item it;
  plan_item(1, &it);
  sqlitch_fmt_opts o;
  sqlitch_fmt_opts_init(&o);
  const char *tmpl = "%{:event}C%n%{reset}C";
  unsetenv("NO_COLOR");
  unsetenv("ANSI_COLORS_DISABLED");
  o.color = SQLITCH_COLOR_ALWAYS;
  CHECK_FMT(tmpl, &o, &it, "\033[32mflips\033[0m", "always colours");
  o.color = SQLITCH_COLOR_NEVER;
  CHECK_FMT(tmpl, &o, &it, "flips", "never colours");
  o.color = SQLITCH_COLOR_AUTO;
  o.stdout_is_tty = 0;
  CHECK_FMT(tmpl, &o, &it, "flips", "auto without a terminal");
  o.stdout_is_tty = 1;
  CHECK_FMT(tmpl, &o, &it, "\033[32mflips\033[0m", "auto on a terminal");
  setenv("ANSI_COLORS_DISABLED", "1", 1);
  CHECK_FMT(tmpl, &o, &it, "flips", "ANSI_COLORS_DISABLED stops auto");
  o.color = SQLITCH_COLOR_ALWAYS;
  CHECK_FMT(tmpl, &o, &it, "\033[32mflips\033[0m",
            "ANSI_COLORS_DISABLED does not stop always");
  setenv("ANSI_COLORS_DISABLED", "0", 1);
  o.color = SQLITCH_COLOR_AUTO;
  CHECK_FMT(tmpl, &o, &it, "\033[32mflips\033[0m",
            "ANSI_COLORS_DISABLED=0 is false");
  unsetenv("ANSI_COLORS_DISABLED");
  setenv("NO_COLOR", "", 1);
  o.color = SQLITCH_COLOR_ALWAYS;
  CHECK_FMT(tmpl, &o, &it, "flips", "NO_COLOR (even empty) beats always");
  CHECK_FMT("%{nonsense}C", &o, &it, "nonsense is not a valid ANSI color",
            "colours are validated with NO_COLOR too");
  unsetenv("NO_COLOR");
  it.event = "fail";
  CHECK_FMT("%{:event}C", &o, &it, "\033[31m", "fail is red");
  it.event = "revert";
  CHECK_FMT("%{:event}C", &o, &it, "\033[34m", "revert is blue");

  /* (set in main: Term::ANSIColor reads it once, at load time) */
  CHECK_FMT("%{warn}C|%{calm green}C", &o, &it, "\033[1;31m|\033[44;32m",
            "ANSI_COLORS_ALIASES");
  CHECK_FMT("%{bad}C", &o, &it, "bad is not a valid ANSI color",
            "an alias to an unknown colour is ignored");

  sqlitch_buf b = SQLITCH_BUF_INIT;
  ok(sqlitch_ansi_color("Bold  underline", &b) == SQLITCH_OK, "color()");
  is_str(sqlitch_buf_str(&b), "\033[1;4m", "attributes joined with ;");
  sqlitch_buf_reset(&b);
  ok(sqlitch_ansi_color("ansi256", &b) == SQLITCH_ERROR, "ansi256 invalid");
  ok(sqlitch_ansi_color_valid("ansi255 on_grey23 rgb555 on_r255g255b255"),
     "edge colours valid");
  ok(!sqlitch_ansi_color_valid("grey24"), "grey24 invalid");
  ok(!sqlitch_ansi_color_valid("rgb600"), "rgb600 invalid");
  ok(!sqlitch_ansi_color_valid("ansi01"), "ansi01 invalid");
  ok(sqlitch_ansi_color_valid(""), "empty list is valid (colorvalid)");
  sqlitch_buf_free(&b);
}

static void test_named(void) {
  ok(sqlitch_fmt_named(SQLITCH_FMT_PLAN, "bogus") == NULL, "unknown named");
  ok(sqlitch_fmt_named(SQLITCH_FMT_LOG, NULL) == NULL, "NULL named");
  is_str(sqlitch_fmt_named(SQLITCH_FMT_LOG, "oneline"),
         "%{:event}C%h %l%{reset}C %o:%n %s", "log oneline");
  is_str(sqlitch_fmt_named(SQLITCH_FMT_PLAN, "short"),
         "%{:event}C%L %h%{reset}C\n%{name}_ %n\n%{planner}_ %p\n\n%{    }s\n",
         "plan short");
}

static void test_configure(void) {
  sqlitch_fmt_cli cli;
  sqlitch_fmt_opts o;
  const char *t;
  sqlitch_err err = SQLITCH_ERR_INIT;

  memset(&cli, 0, sizeof cli);
  ok(sqlitch_fmt_configure(NULL, SQLITCH_FMT_PLAN, &cli, &t, &o, &err) == 0,
     "defaults");
  is_str(t, sqlitch_fmt_named(SQLITCH_FMT_PLAN, "medium"), "medium default");
  is_str(o.date_format, "iso", "iso default");
  is_int(o.color, SQLITCH_COLOR_AUTO, "auto default");
  is_int(o.abbrev, 0, "abbrev 0");

  cli.oneline = 1;
  sqlitch_fmt_configure(NULL, SQLITCH_FMT_LOG, &cli, &t, &o, &err);
  is_str(t, sqlitch_fmt_named(SQLITCH_FMT_LOG, "oneline"), "--oneline");
  is_int(o.abbrev, 6, "--oneline abbreviates to 6");
  cli.has_abbrev = 1;
  cli.abbrev = 0;
  cli.format = "format:%n";
  sqlitch_fmt_configure(NULL, SQLITCH_FMT_LOG, &cli, &t, &o, &err);
  is_str(t, "%n", "--format wins over --oneline");
  is_int(o.abbrev, 0, "--abbrev 0 wins over --oneline");

  memset(&cli, 0, sizeof cli);
  cli.format = "bogus";
  ok(sqlitch_fmt_configure(NULL, SQLITCH_FMT_PLAN, &cli, &t, &o, &err) ==
         SQLITCH_ERROR,
     "unknown format");
  is_str(err.msg, "Unknown plan format \"bogus\"", "plan message");
  is_int(err.exitval, 255, "exit 255");
  sqlitch_fmt_configure(NULL, SQLITCH_FMT_LOG, &cli, &t, &o, &err);
  is_str(err.msg, "Unknown log format \"bogus\"", "log message");
  sqlitch_err_clear(&err);

  memset(&cli, 0, sizeof cli);
  cli.date_format = "nope";
  cli.format = "bogus";
  sqlitch_fmt_configure(NULL, SQLITCH_FMT_PLAN, &cli, &t, &o, &err);
  is_str(err.msg, "Unknown date format \"nope\"", "date checked first");
  is_int(err.exitval, 255, "date error exits 255");
  sqlitch_err_clear(&err);

  memset(&cli, 0, sizeof cli);
  cli.color = "sometimes";
  sqlitch_fmt_configure(NULL, SQLITCH_FMT_PLAN, &cli, &t, &o, &err);
  is_str(err.msg,
         "Value \"sometimes\" did not pass type constraint "
         "\"Enum[always,auto,never]\" (in $args->{\"color\"})",
         "bad colour");
  is_int(err.exitval, 255, "bad colour exits 255");
  sqlitch_err_clear(&err);
  cli.no_color = 1;
  ok(sqlitch_fmt_configure(NULL, SQLITCH_FMT_PLAN, &cli, &t, &o, &err) == 0,
     "--no-color ignores --color");
  is_int(o.color, SQLITCH_COLOR_NEVER, "--no-color = never");
  cli.no_color = 0;
  cli.color = "always";
  cli.date_format = "rfc";
  sqlitch_fmt_configure(NULL, SQLITCH_FMT_PLAN, &cli, &t, &o, &err);
  is_int(o.color, SQLITCH_COLOR_ALWAYS, "--color always");
  is_str(o.date_format, "rfc", "--date-format rfc");
}

int main(void) {
  setenv("TZ", "America/New_York", 1);
  unsetenv("NO_COLOR");
  unsetenv("ANSI_COLORS_DISABLED");
  setenv("ANSI_COLORS_ALIASES", " warn = bold red , calm=on_blue,bad=nope", 1);
  test_oracle_rows();
  test_notes();
  test_log_items();
  test_colors();
  test_named();
  test_configure();
  return tap_done();
}
