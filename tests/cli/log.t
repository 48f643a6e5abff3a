#!/usr/bin/env bash
# CLI: `sqlitch log` where it deliberately differs from sqitch 1.3.1
# (docs/differences.md): different filters combine with AND instead of
# producing invalid SQL, and %t %T %r %R %x %X (so --format full, long and
# raw) format the lists stored as text on SQLite instead of dying, while
# %{tags}a and friends keep printing the stored text as 1.3.1 does. Also
# checks that 1.3.1 really fails there, so the difference stays deliberate.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

P=$TESTROOT/p
make_flipr "$P"
cd "$P" || exit 1
run_cmd SQLITCH deploy
is "$RC" 0 "deploy"
run_cmd SQLITCH revert -y --to flips
is "$RC" 0 "revert to flips"

H='On database db:sqlite:flipr.db'

# ------------------------------------------------------------ filters: AND
run_cmd SQLITCH log --event deploy --change '^w' --format 'format:%e %n'
is "$OUT" "$H
deploy widgets" "--event and --change combine with AND"
is "$RC" 0 "exit 0"
run_cmd SQLITCH log --event revert --change '^(users|lists)$' --committer '^Test' --project '^flipr$' --format 'format:%e %n'
is "$OUT" "$H
revert users
revert lists" "four filters combined"
run_cmd SQLITCH log --event fail --change . --format 'format:%e %n'
is "$OUT" "$H" "combined filters matching nothing: header only"
is "$RC" 0 "exit 0"
if command -v sqitch >/dev/null 2>&1; then
    run_cmd sqitch log --event deploy --change '^w'
    is "$RC" 2 "sqitch 1.3.1 fails on two filters (exit 2)"
    like "$ERR" 'syntax error' "... with an SQL syntax error"
fi

# ------------------------------------------------------------ list codes
run_cmd SQLITCH log --event deploy --format 'format:%n%t|%T|%r|%R%x|%X'
is "$OUT" "$H
lists|| widgets, hashtags|Requires:  widgets, hashtags
|
users|| users@v2.0|Requires:  users@v2.0
|
hashtags @v2.0| (@v2.0)| flips|Requires:  flips
|
widgets|| users, flips@v1.0|Requires:  users, flips@v1.0
 otherproj:gadgets|Conflicts: otherproj:gadgets

flips @v1.0, @beta| (@v1.0, @beta)| users|Requires:  users
|
users||||" "deploy events: lists from the stored text"
run_cmd SQLITCH log --event revert --format 'format:%n%{;}t|%r|%x'
is "$OUT" "$H
widgets| flips@v1.0, users| otherproj:gadgets
hashtags @v2.0| flips|
users| users@v2.0|
lists| hashtags, widgets|" "revert events (comma-separated tags and dependencies)"
run_cmd SQLITCH log --event deploy --change '^flips$' --format 'format:%{tags}a%{requires}a%{conflicts}a'
is "$OUT" "$H
tags      @v1.0 @beta
requires  users
conflicts " "%{tags}a etc. print the stored text, as 1.3.1"
if command -v sqitch >/dev/null 2>&1; then
    run_cmd sqitch log --event deploy --format 'format:%t'
    is "$RC" 2 "sqitch 1.3.1 dies on %t (exit 2)"
    like "$ERR" 'as an ARRAY ref' "... with Perl's ARRAY ref error"
fi

# ------------------------------------------------------------ named formats
run_cmd SQLITCH log --format full --event deploy --change '^widgets$' --date-format "cldr:'D'"
is "$OUT" "$H
Deploy $(sqlite3 sqitch.db "SELECT change_id FROM events WHERE change='widgets' AND event='deploy'")
Name:      widgets
Project:   flipr
Requires:  users, flips@v1.0
Conflicts: otherproj:gadgets
Planner:   Marge N. O’Vera <marge@example.com>
Planned:   D
Committer: Test User <test@example.com>
Committed: D

    " "--format full"
is "$RC" 0 "--format full exits 0"
run_cmd SQLITCH log --format long --event deploy --change '^flips$'
like "$OUT" "Deploy [0-9a-f]{40} \(@v1.0, @beta\)" "--format long: tags after the id"
run_cmd SQLITCH log --format raw --event deploy --change '^hashtags$'
like "$OUT" "deploy [0-9a-f]{40} \(@v2.0\)
name      hashtags
project   flipr
requires  flips
conflicts 
planner   Homer <homer@example.org>
planned   2024-01-15T10:04:00Z" "--format raw"
is "$RC" 0 "--format raw exits 0"

done_testing
