#!/usr/bin/env bash
# Interop with the real sqitch on one SQLite registry, both ways:
#   - sqitch deploys part of a plan, sqlitch continues (and reverts,
#     verifies, checks): the same output and rows as sqitch alone;
#   - sqlitch deploys, then sqitch's status, log, verify, check, revert
#     and deploy see exactly what they see after sqitch deployed;
#   - turns taken alternately, including a reworked change and a failure.
# State A runs sqitch only; state B mixes the tools as each step says.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

PARITY_TIME=+0
# log/status print commit times: mask them.
DATES='s/[0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\} [0-9]\{2\}:[0-9]\{2\}:[0-9]\{2\} [-+][0-9]\{4\}/DATE/g'

# mixed NAME TOOL ARGS...: sqitch in A, TOOL ("sqitch" or "sqlitch") in B.
mixed() {
    local name=$1 tool=$2; shift 2
    local bin=$SQITCH_BIN
    [ "$tool" = sqlitch ] && bin=$SQLITCH
    _parity_exec "$_PA" "$SQITCH_BIN" "$@"; A_OUT=$_OUT A_ERR=$_ERR A_RC=$_RC
    _parity_exec "$_PB" "$bin" "$@"; B_OUT=$_OUT B_ERR=$_ERR B_RC=$_RC
    is "$B_OUT" "$A_OUT" "$name: stdout"
    is "$B_ERR" "$A_ERR" "$name: stderr"
    is "$B_RC" "$A_RC" "$name: exit code"
    parity_db "$name: registry" sqitch.db
}

FX=$TESTROOT/fx
make_flipr "$FX"

# 1. sqitch starts, sqlitch continues.
parity_init "$FX"
mixed "sqitch deploys part" sqitch deploy --to flips
mixed "sqlitch continues" sqlitch deploy --to hashtags
mixed "sqitch continues after sqlitch" sqitch deploy
mixed "sqlitch verifies" sqlitch verify
mixed "sqlitch checks" sqlitch check
mixed "sqlitch reverts part" sqlitch revert -y --to @v1.0
mixed "sqitch reverts the rest" sqitch revert -y

# 2. sqlitch deploys, sqitch looks.
parity_init "$FX"
mixed "sqlitch deploys" sqlitch deploy
PARITY_FILTER=$DATES mixed "sqitch status after sqlitch" sqitch status --show-changes --show-tags
PARITY_FILTER=$DATES mixed "sqitch log after sqlitch" sqitch log
mixed "sqitch log --oneline after sqlitch" sqitch log --oneline --reverse
mixed "sqitch verify after sqlitch" sqitch verify
mixed "sqitch check after sqlitch" sqitch check
mixed "sqitch revert after sqlitch" sqitch revert -y --to widgets
mixed "sqitch deploy after sqlitch" sqitch deploy
mixed "sqitch revert all after sqlitch" sqitch revert -y
PARITY_FILTER=$DATES mixed "sqitch log of it all" sqitch log --event revert --event deploy

# 3. alternating, with tags added to the plan after the deploy.
parity_init "$FX"
mixed "sqlitch deploys to hashtags" sqlitch deploy --to hashtags
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    sed -i 's/^\(@v2.0 .*\)$/\1\n@v2.1 2024-01-15T10:05:30Z Homer <homer@example.org> # late tag/' "$d/sqitch.plan"
done
mixed "sqitch logs the late tag" sqitch deploy --to @v2.1
PARITY_FILTER=$DATES mixed "sqlitch-written rows read by sqitch" sqitch status --show-tags
mixed "sqlitch deploys the rework" sqlitch deploy
mixed "sqitch reverts the rework" sqitch revert -y --to @v2.1
mixed "sqlitch redeploys" sqlitch deploy
mixed "sqitch reverts to users@v2.0" sqitch revert -y --to 'users@v2.0'
mixed "sqlitch reverts all" sqlitch revert -y
PARITY_FILTER=$DATES mixed "sqitch log afterwards" sqitch log --reverse

done_testing
