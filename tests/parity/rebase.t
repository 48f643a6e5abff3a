#!/usr/bin/env bash
# Parity: `rebase` on SQLite against the real sqitch -- --onto/--upto (as
# options and as change arguments, too many changes), the soft errors of
# the revert half (nothing deployed since, nothing to revert, declining
# "Revert all changes?") versus declining "Revert changes to X?" (exit 1),
# -y and rebase.no_prompt/revert.no_prompt, rebase.prompt_accept,
# --modified, --log-only, --verify and rebase.verify, --mode with a
# failing script, unknown changes, no registry, bad --mode. stdout,
# stderr, exit code and registry rows after each step.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

PARITY_TIME=+0
SCRIPTERR='s#^[a-z@A-Z0-9_./-]*\.sql: ##; /unexpectedly returned exit value/d; /^$/d'
step() { parity "$@"; parity_db "$1: registry" sqitch.db; }
both() { local d; for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do (cd "$d" && eval "$1"); done; }
printf '\n' > "$TESTROOT/enter"
printf 'n\n' > "$TESTROOT/no"
printf 'y\n' > "$TESTROOT/yes"

FX=$TESTROOT/fx
make_flipr "$FX"

parity_init "$FX"
step "rebase without registry" rebase -y
PARITY_STDERR_FIRSTLINE=1 PARITY_FILTER='s# at /usr/share/perl5/.*##' \
    parity "rebase --mode bogus" rebase -y --mode bogus
parity "deploy to flips" deploy --to flips
step "rebase --onto @v1.0: nothing deployed since" rebase -y --onto @v1.0
step "rebase -y: everything" rebase -y
step "rebase --onto --upto" rebase -y --onto flips --upto widgets
step "rebase onto upto arguments" rebase -y users@v1.0 hashtags
step "rebase too many changes" rebase -y flips widgets lists
step "rebase --onto @HEAD" rebase -y --onto @HEAD
step "rebase --upto current" rebase -y --onto widgets --upto lists
step "rebase --onto unknown" rebase -y --onto nonesuch
step "rebase --upto unknown" rebase -y --onto flips --upto nonesuch
step "rebase --onto HEAD^2" rebase -y --onto 'HEAD^2'

# prompts
PARITY_STDIN=$TESTROOT/enter step "prompt --onto accepted" rebase --onto flips --upto hashtags
PARITY_STDIN=$TESTROOT/no step "prompt --onto declined: exit 1" rebase --onto users@v1.0
PARITY_STDIN=$TESTROOT/no step "prompt all declined: deploy goes on" rebase --upto lists
PARITY_STDIN=$TESTROOT/yes step "prompt all accepted" rebase --upto widgets
step "prompt unattended" rebase --onto flips
both "printf '[rebase]\n\tprompt_accept = false\n' >> sqitch.conf"
step "rebase.prompt_accept false, unattended" rebase --onto users@v1.0
both "printf '[revert]\n\tno_prompt = true\n' >> sqitch.conf"
step "revert.no_prompt" rebase --onto users@v1.0
both "printf '[rebase]\n\tno_prompt = false\n' >> sqitch.conf"
PARITY_STDIN=$TESTROOT/yes step "rebase.no_prompt beats revert.no_prompt" rebase --onto flips

# --modified
parity_init "$FX"
parity "deploy for --modified" deploy
step "rebase -m, nothing modified" rebase -y -m
both "printf -- '-- changed\n' >> deploy/widgets.sql"
step "rebase -m" rebase -y -m
step "rebase --modified with upto argument" rebase -y --modified hashtags
both "printf -- '-- changed\n' >> deploy/users@v2.0.sql"
step "rebase -m, first change modified" rebase -y -m

# --log-only, --verify, variables
parity_init "$FX"
parity "deploy for log-only" deploy --to hashtags
step "rebase --log-only" rebase -y --log-only --onto users@v1.0
parity_init "$FX"
parity "deploy for verify" deploy --to hashtags
step "rebase --verify" rebase -y --verify --onto flips --upto widgets
both "printf '[rebase]\n\tverify = true\n' >> sqitch.conf"
step "rebase.verify" rebase -y --onto users@v1.0
step "--no-verify beats rebase.verify" rebase -y --no-verify --onto flips
step "rebase --set variables" rebase -y -s a=1 -e b=2 -r c=3 --onto widgets
step "rebase --lock-timeout" rebase -y --lock-timeout 5 --onto widgets

# a failing deploy script in each mode
for mode in all tag change; do
    parity_init "$FX"
    parity "deploy for mode $mode" deploy --to flips
    both "printf 'BEGIN;\nCREATE TABLE lists (id INT);\nSELECT * FROM nonesuch;\nCOMMIT;\n' > deploy/lists.sql"
    PARITY_FILTER=$SCRIPTERR step "rebase --mode $mode, failing script" rebase -y --mode $mode --onto users@v1.0
done
parity_init "$FX"
parity "deploy for deploy.mode" deploy --to flips
both "printf 'SELECT * FROM nonesuch;\n' > deploy/hashtags.sql; printf '[deploy]\n\tmode = change\n' >> sqitch.conf"
PARITY_FILTER=$SCRIPTERR step "deploy.mode applies" rebase -y
both "printf '[rebase]\n\tmode = tag\n' >> sqitch.conf"
PARITY_FILTER=$SCRIPTERR step "rebase.mode beats deploy.mode" rebase -y --onto users@v1.0

# a failing revert script stops before the deploy
parity_init "$FX"
parity "deploy for failing revert" deploy
both "printf 'DROP TABLE nonesuch;\n' > revert/lists.sql"
PARITY_FILTER=$SCRIPTERR step "rebase with a failing revert" rebase -y --onto widgets

done_testing
