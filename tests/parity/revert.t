#!/usr/bin/env bash
# Parity: `revert` on SQLite against the real sqitch -- all, --to (name,
# tag, name@tag, offsets, ids, change arguments), the prompt (accepted,
# declined, bad answers, revert.prompt_accept, revert.no_prompt), nothing
# deployed, no registry, unknown and undeployed changes, --log-only,
# --modified, a failing revert script, and dependencies from another
# project blocking a revert. stdout, stderr, exit code and registry rows.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

PARITY_TIME=+0
SCRIPTERR='s#^[a-z@A-Z0-9_./-]*\.sql: ##; /unexpectedly returned exit value/d; /^$/d'
step() { parity "$@"; parity_db "$1: registry" sqitch.db; }
both() { local d; for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do (cd "$d" && eval "$1"); done; }

FX=$TESTROOT/fx
make_flipr "$FX"

parity_init "$FX"
step "revert without registry" revert -y
step "revert --to without registry" revert -y --to users
parity "deploy" deploy
step "revert -y --to @v1.0" revert -y --to @v1.0
step "revert --to current" revert -y --to @v1.0
step "revert --to undeployed" revert -y --to widgets
step "revert --to unknown" revert -y --to nonesuch
parity "redeploy" deploy
step "revert --to HEAD^^" revert -y --to 'HEAD^^'
step "revert --to users@v2.0" revert -y --to users@v2.0
parity "redeploy 2" deploy
step "revert --to change id" revert -y --to "$(cd "$(parity_dir_sqitch)" && sqlite3 sqitch.db "SELECT change_id FROM changes WHERE change='widgets'")"
step "revert change argument" revert -y flips
step "revert too many changes" revert -y users flips
step "revert --to an ambiguous name" revert -y --to users
step "revert --to users@HEAD" revert -y --to users@HEAD
parity "verify --from an ambiguous name" verify --from users
step "revert --registry elsewhere" revert -y --registry other
step "revert all" revert -y
step "revert nothing deployed" revert -y

# the prompt
parity_init "$FX"
parity "deploy for prompts" deploy
printf 'n\n' > "$TESTROOT/no"
printf 'maybe\nperhaps\nwhat\n' > "$TESTROOT/bad"
printf 'y\n' > "$TESTROOT/yes"
PARITY_STDIN=$TESTROOT/no step "revert prompt declined" revert --to @v1.0
PARITY_STDIN=$TESTROOT/bad step "revert prompt bad answers" revert
PARITY_STDIN=$TESTROOT/yes step "revert prompt accepted" revert --to @v2.0
step "revert prompt unattended" revert --to @v1.0
both "printf '[revert]\n\tprompt_accept = false\n' >> sqitch.conf"
step "revert prompt_accept false, unattended" revert
both "printf '\tno_prompt = true\n' >> sqitch.conf"
step "revert.no_prompt" revert --to users

# --log-only and --modified
parity_init "$FX"
parity "deploy for log-only" deploy
step "revert --log-only" revert -y --log-only --to @v1.0
ok "sqlite3 '$(parity_dir_sqlitch)/flipr.db' .tables | grep -q widgets" "--log-only ran no script"
parity_init "$FX"
parity "deploy for modified" deploy
both "printf -- '-- changed\n' >> deploy/widgets.sql"
step "revert --modified" revert -y --modified
step "revert --modified, nothing modified" revert -y --modified
both "printf -- '-- changed\n' >> deploy/users@v2.0.sql"
step "revert --modified, first changed" revert -y -m

# a failing revert script
parity_init "$FX"
parity "deploy for failure" deploy
both "printf 'DROP TABLE nonesuch;\n' > revert/hashtags.sql"
PARITY_FILTER=$SCRIPTERR step "revert failing script" revert -y
step "revert after failure" revert -y --to lists

# another project requires one of ours
parity_init "$FX"
parity "deploy for requiring" deploy --to hashtags
OTHER=$TESTROOT/other
mkdir -p "$OTHER"
printf '%%syntax-version=1.0.0\n%%project=other\n\nuses [flipr:flips] 2024-01-15T12:00:00Z O <o@example.com>\n' > "$OTHER/other.plan"
printf 'BEGIN;\nCREATE TABLE uses (id INT);\nCOMMIT;\n' > "$OTHER/uses.sql"
both "mkdir -p o/deploy o/revert o/verify && cp '$OTHER/other.plan' o/ && cp '$OTHER/uses.sql' o/deploy/"
parity "deploy other project" deploy --plan-file o/other.plan --top-dir o
step "revert required by another project" revert -y --to users
step "revert --to flips still fine" revert -y --to flips

done_testing
