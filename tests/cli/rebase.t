#!/usr/bin/env bash
# CLI: `sqlitch rebase` where it deliberately differs from sqitch 1.3.1
# (docs/differences.md): --modified on a database never deployed reports
# the missing registry as revert does, instead of SQLite's "no such
# table". Also: the revert half uses revert settings and the deploy half
# deploy settings, and a declined "Revert changes to X?" stops the run.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

P=$TESTROOT/p
make_flipr "$P"
cd "$P" || exit 1

run_cmd SQLITCH rebase -y -m
is "$ERR" "No registry found in db:sqlite:sqitch.db. Have you ever deployed?" \
    "--modified, no registry: the registry message"
is "$RC" 2 "--modified, no registry: exit 2"
ok "[ ! -e sqitch.db ]" "--modified, no registry: nothing created"
if command -v sqitch >/dev/null 2>&1; then
    run_cmd sqitch rebase -y -m
    is "$ERR" "no such table: changes" "sqitch 1.3.1 leaks SQLite's error"
    is "$RC" 2 "... with the same exit code"
    rm -f sqitch.db
fi

run_cmd SQLITCH deploy --to flips
is "$RC" 0 "deploy to flips"
# A declined prompt for a named change stops before deploying anything.
OUT=$(printf 'n\n' | "$SQLITCH" rebase --onto users@v1.0 2>&1); RC=$?
is "$OUT" 'Revert changes to users from db:sqlite:flipr.db? [Yes] Nothing reverted' \
    "declined --onto prompt"
is "$RC" 1 "declined --onto prompt: exit 1"
is "$(sqlite3 sqitch.db 'SELECT count(*) FROM changes')" 2 "nothing reverted or deployed"
# Declining "Revert all changes?" is only a notice: the deploy goes on.
OUT=$(printf 'n\n' | "$SQLITCH" rebase --upto widgets 2>&1); RC=$?
is "$OUT" 'Revert all changes from db:sqlite:flipr.db? [Yes] Nothing reverted
Deploying changes through widgets to db:sqlite:flipr.db
  + widgets .. ok' "declined revert-all prompt: deploy goes on"
is "$RC" 0 "exit 0"

# -y beats rebase.no_prompt = false; the deploy half runs --verify.
printf '[rebase]\n\tno_prompt = false\n\tverify = true\n' >> sqitch.conf
printf 'SELECT nonesuch FROM widgets;\n' > verify/widgets.sql
run_cmd SQLITCH rebase -y --onto flips
is "$RC" 2 "rebase.verify runs the failing verify script"
like "$OUT" "Reverting changes to flips @v1.0 @beta from db:sqlite:flipr.db" "-y: no prompt"
like "$OUT" "\+ widgets \.+ not ok" "verify failure reported on deploy"

done_testing
