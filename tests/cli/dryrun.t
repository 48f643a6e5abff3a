#!/usr/bin/env bash
# --dry-run on deploy and revert: the changes and the SQL that would run,
# and nothing touched -- no registry or target file created on a fresh
# project, and existing ones byte-identical afterwards.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

P=$TESTROOT/p
make_simple "$P" 3
cd "$P"
sum() { sha1sum "$@" 2>/dev/null | awk '{print $1}'; }
listing() { find . -newer sqitch.plan -type f | sort; }
touch -d '2000-01-01' sqitch.plan

run_cmd SQLITCH deploy --dry-run
is "$RC" 0 "deploy --dry-run on a fresh project"
want="Adding registry tables to db:sqlite:sqitch.db
Deploying changes to db:sqlite:flipr.db
  + c1
-- deploy/c1.sql
$(cat deploy/c1.sql)
  + c2
-- deploy/c2.sql
$(cat deploy/c2.sql)
  + c3
-- deploy/c3.sql
$(cat deploy/c3.sql)"
is "$OUT" "$want" "lists each change and its SQL"
ok "[ ! -e sqitch.db ] && [ ! -e flipr.db ]" "no registry and no target created"

run_cmd SQLITCH deploy --dry-run --log-only --to c2
is "$OUT" "Adding registry tables to db:sqlite:sqitch.db
Deploying changes through c2 to db:sqlite:flipr.db
  + c1
  + c2" "--log-only: the changes only"

run_cmd SQLITCH deploy --to c1
is "$RC" 0 "deploy one change"
before=$(sum sqitch.db flipr.db)
run_cmd SQLITCH deploy --dry-run
is "$OUT" "Deploying changes to db:sqlite:flipr.db
  + c2
-- deploy/c2.sql
$(cat deploy/c2.sql)
  + c3
-- deploy/c3.sql
$(cat deploy/c3.sql)" "dry run of the rest"
is "$(sum sqitch.db flipr.db)" "$before" "registry and target unchanged"
is "$(sqlite3 sqitch.db 'SELECT count(*) FROM changes')" 1 "still one change deployed"

run_cmd SQLITCH deploy
before=$(sum sqitch.db flipr.db)
run_cmd SQLITCH revert --dry-run --to c1
is "$RC" 0 "revert --dry-run asks nothing"
is "$OUT" "Reverting changes to c1 from db:sqlite:flipr.db
  - c3
-- revert/c3.sql
$(cat revert/c3.sql)
  - c2
-- revert/c2.sql
$(cat revert/c2.sql)" "revert lists the changes newest first with their SQL"
run_cmd SQLITCH revert --dry-run
like "$OUT" "^Reverting all changes from db:sqlite:flipr.db" "revert all --dry-run"
is "$(sum sqitch.db flipr.db)" "$before" "registry and target unchanged"
ok "[ -z \"\$(ls | grep -v -e '^deploy\$' -e '^revert\$' -e '^verify\$' -e '^sqitch' -e '^flipr.db\$')\" ]" \
   "no other file appeared"
run_cmd SQLITCH deploy --dry-run
is "$OUT" "Nothing to deploy (up-to-date)" "nothing to do"

done_testing
