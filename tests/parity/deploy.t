#!/usr/bin/env bash
# Parity: `deploy` on SQLite against the real sqitch -- full and partial
# deploys (--to, change arguments), continuing a deploy, up-to-date and
# empty-plan cases, unknown changes, modes all/tag/change with a failing
# script, --verify with failing/missing verify scripts, --log-only,
# dependency errors, registry placement (--registry, target in a
# directory, absolute paths), and the option errors. Every step compares
# stdout, stderr, exit code, and the registry rows (timestamps masked).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

# A running clock: registry rows must get distinct committed_at values.
PARITY_TIME=+0
# Script errors: sqlitch names the script before SQLite's message and has
# no sqlite3 process whose exit value it could report (docs/differences.md).
SCRIPTERR='s#^[a-z@A-Z0-9_./-]*\.sql: ##; /unexpectedly returned exit value/d; /^$/d'

step() { parity "$@"; parity_db "$1: registry" sqitch.db; }

FX=$TESTROOT/fx
make_flipr "$FX"
parity_init "$FX"
step "deploy --to flips@v1.0" deploy --to flips@v1.0
step "deploy continues" deploy
step "deploy up-to-date" deploy
step "deploy --to current" deploy --to lists
step "deploy --to earlier" deploy --to flips
step "deploy --to unknown" deploy --to nonesuch
step "deploy unknown tag" deploy --to @nonesuch
ok "[ -f '$(parity_dir_sqlitch)/flipr.db' ]" "target database created"

# change as an argument, extra arguments warn
parity_init "$FX"
step "deploy change argument" deploy widgets
step "deploy too many changes" deploy hashtags lists
step "deploy target and change" deploy db:sqlite:flipr.db HEAD

# --log-only records without running scripts
parity_init "$FX"
step "deploy --log-only" deploy --log-only --to @v2.0
ok "! sqlite3 '$(parity_dir_sqlitch)/flipr.db' .tables 2>/dev/null | grep -q flips" \
   "--log-only ran no script"
step "deploy rest" deploy --log-only

# a failing script, in each mode
for mode in all tag change; do
    parity_init "$FX"
    printf 'BEGIN;\nCREATE TABLE lists (id INT);\nSELECT * FROM nonesuch;\nCOMMIT;\n' \
        > "$(parity_dir_sqitch)/deploy/lists.sql"
    cp "$(parity_dir_sqitch)/deploy/lists.sql" "$(parity_dir_sqlitch)/deploy/lists.sql"
    PARITY_FILTER=$SCRIPTERR step "deploy --mode $mode failing" deploy --mode $mode
    is "$(sqlite3 "$(parity_dir_sqlitch)/flipr.db" "SELECT count(*) FROM sqlite_master WHERE name='lists'")" 0 \
        "mode $mode: the failed change left nothing behind"
done
# deploy.mode from the configuration
parity_init "$FX"
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'SELECT * FROM nonesuch;\n' > "$d/deploy/hashtags.sql"
    printf '[deploy]\n\tmode = tag\n' >> "$d/sqitch.conf"
done
PARITY_FILTER=$SCRIPTERR step "deploy.mode = tag" deploy
# sqitch dies with a Perl location and a second line; sqlitch gives the
# message alone (exit 255 both).
PARITY_FILTER='s# at /usr/share/perl5/.* line [0-9]*$##' PARITY_STDERR_FIRSTLINE=1 \
    step "bad --mode" deploy --mode bogus

# --verify: failing and missing verify scripts
parity_init "$FX"
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'SELECT nonesuch FROM flips;\n' > "$d/verify/flips.sql"
    rm "$d/verify/widgets.sql"
done
PARITY_FILTER=$SCRIPTERR step "deploy --verify, verify missing" deploy --verify --to widgets@HEAD
parity_init "$FX"
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'BEGIN;\nSELECT nonesuch FROM flips;\nROLLBACK;\n' > "$d/verify/flips.sql"
done
PARITY_FILTER=$SCRIPTERR step "deploy --verify failing" deploy --verify
PARITY_FILTER=$SCRIPTERR step "deploy --verify --mode change" deploy --verify --mode change
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[deploy]\n\tverify = true\n' >> "$d/sqitch.conf"
done
PARITY_FILTER=$SCRIPTERR step "deploy.verify = true" deploy
step "deploy --no-verify" deploy --no-verify

# dependencies
parity_init "$FX"
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    cat >> "$d/sqitch.plan" <<'PLAN'
extra [otherproj:thing otherproj:other@v1 flips] 2024-01-15T10:08:00Z Homer <homer@example.org>
PLAN
    _fx_change "$d" extra extra
done
step "deploy missing external requirements" deploy
parity_init "$FX"
step "deploy first part" deploy --to flips
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    cat >> "$d/sqitch.plan" <<'PLAN'
nogo [!flips !users] 2024-01-15T10:08:00Z Homer <homer@example.org>
PLAN
    _fx_change "$d" nogo nogo
done
step "deploy with conflicts" deploy

# an empty plan
EMPTY=$TESTROOT/empty
mkdir -p "$EMPTY"
_fx_conf "$EMPTY"
printf '%%syntax-version=1.0.0\n%%project=empty\n\n' > "$EMPTY/sqitch.plan"
parity_init "$EMPTY"
parity "deploy empty plan" deploy

# registry placement
parity_init "$FX"
step "deploy --registry" deploy --registry reg --to flips
parity_db "registry file named by --registry" reg.db
step "deploy --registry with a dot" deploy --registry other.sqlite --to users
parity_db "registry file with its own extension" other.sqlite
mkdir -p "$(parity_dir_sqitch)/sub" "$(parity_dir_sqlitch)/sub"
parity "deploy into a subdirectory" deploy db:sqlite:sub/app.db --to flips
parity_db "registry beside the target" sub/sqitch.db
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '\tregistry = zz\n' >> "$d/sqitch.conf"
done
parity "deploy engine.sqlite.registry" deploy --to users
parity_db "registry named by engine.sqlite.registry" zz.db
parity "deploy db:sqlite: without a path" deploy db:sqlite:

done_testing
