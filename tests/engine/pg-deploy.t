#!/usr/bin/env bash
# Parity on PostgreSQL: deploy, revert, verify, status, log and check of
# sqlitch against the real sqitch (DBD::Pg + psql) on the same server,
# each tool in its own database under the same name. Every step compares
# stdout, stderr, exit code, and the registry (rows with timestamps
# masked, plus columns, constraints and comments).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"
. "$(dirname "$0")/../lib/pg.sh"
pg_start

# Dates come from the server's clock: mask them.
DATES='s/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:]\{8\} [+-][0-9]\{4\}/DATE/g'
step() { PARITY_FILTER=${PARITY_FILTER:-$DATES} pg_parity "$@"; pg_parity_db "$1: registry"; }

FX=$TESTROOT/fx
make_flipr "$FX"
pg_conf "$FX" "$(pg_uri flipr)"

pg_parity_init "$FX" flipr
step "deploy --to flips@v1.0" deploy --to flips@v1.0
step "deploy continues" deploy
step "deploy up-to-date" deploy
step "status" status
step "status --show-changes --show-tags" status --show-changes --show-tags
step "log" log
step "log --format full" log --format full
step "log filters" log --event deploy --reverse -n 3 --skip 1
step "log --change" log --change '^w'
step "verify" verify
step "check" check
step "revert --to @v1.0" revert -y --to @v1.0
step "revert --to flips: nothing" revert -y --to flips
step "deploy again" deploy
step "revert all" revert -y
step "revert nothing" revert -y
step "log after revert" log --format oneline

# a failing script, in each mode
for mode in all tag change; do
    pg_parity_init "$FX" flipr
    printf 'BEGIN;\nCREATE TABLE lists (id INT);\nSELECT * FROM\n  nonesuch;\nCOMMIT;\n' \
        > "$(parity_dir_sqitch)/deploy/lists.sql"
    cp "$(parity_dir_sqitch)/deploy/lists.sql" "$(parity_dir_sqlitch)/deploy/lists.sql"
    step "deploy --mode $mode failing" deploy --mode $mode
    pg_parity_sql "mode $mode: no lists table" \
        "SELECT count(*) FROM pg_tables WHERE tablename = 'lists'"
done

# a script without a transaction fails half-way: what ran stays, as with psql
pg_parity_init "$FX" flipr
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'CREATE TABLE half (id INT);\nSELECT 1/0;\nCREATE TABLE never (id INT);\n' > "$d/deploy/widgets.sql"
done
step "deploy failing without transaction" deploy --mode change
pg_parity_sql "half-done tables" \
    "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'"

# --verify: failing and missing verify scripts
pg_parity_init "$FX" flipr
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'SELECT nonesuch FROM flips;\n' > "$d/verify/flips.sql"
    rm "$d/verify/widgets.sql"
done
step "deploy --verify, verify missing" deploy --verify --to widgets@HEAD
pg_parity_init "$FX" flipr
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'BEGIN;\nSELECT nonesuch FROM flips;\nROLLBACK;\n' > "$d/verify/flips.sql"
done
step "deploy --verify failing" deploy --verify
step "deploy --verify --mode change" deploy --verify --mode change
step "verify with failures" verify

# --log-only, variables, registry schema
pg_parity_init "$FX" flipr
step "deploy --log-only" deploy --log-only --to @v2.0
pg_parity_sql "--log-only ran no script" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
step "deploy rest" deploy
pg_parity_init "$FX" flipr
step "deploy --registry" deploy --registry other_reg --to flips
pg_parity_db "registry in schema other_reg" other_reg
step "status --registry" status --registry other_reg
step "status default registry" status
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '\tregistry = Mixed Case\n' >> "$d/sqitch.conf"
done
step "deploy engine.pg.registry with odd name" deploy --to users
pg_parity_db "registry in schema \"Mixed Case\"" "Mixed Case"

# script variables
pg_parity_init "$FX" flipr
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'BEGIN;\nCREATE TABLE :"tname" (id INT, v TEXT DEFAULT :'"'"'dflt'"'"');\nSELECT :'"'"'dflt'"'"', :"registry";\nCOMMIT;\n' > "$d/deploy/users@v2.0.sql"
    printf 'BEGIN;\nDROP TABLE :"tname";\nCOMMIT;\n' > "$d/revert/users@v2.0.sql"
    printf '[deploy "variables"]\n\ttname = from_config\n' >> "$d/sqitch.conf"
done
step "deploy --set" deploy --to users@v2.0 --set "dflt=it's" --set tname=Users
pg_parity_sql "table named by a variable" "SELECT column_default FROM information_schema.columns WHERE table_name = 'Users' AND column_name = 'v'"
step "revert with deploy.variables" revert -y

done_testing
