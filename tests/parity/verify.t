#!/usr/bin/env bash
# Parity: `verify` on SQLite against the real sqitch -- success, nothing
# deployed, no registry, an empty plan with deployed changes, failing and
# missing verify scripts, reworked changes (not verified), changes out of
# order / not in the plan / not deployed, pending changes, --from/--to
# (names, tags, offsets, arguments) and their errors, -v output of verify
# scripts that print rows.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

PARITY_TIME=+0
SCRIPTERR='s#^[a-z@A-Z0-9_./-]*\.sql: ##; /unexpectedly returned exit value/d; /^$/d'
both() { local d; for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do (cd "$d" && eval "$1"); done; }

FX=$TESTROOT/fx
make_flipr "$FX"
parity_init "$FX"
parity "verify without registry" verify
parity "deploy part" deploy --to hashtags
parity "verify part" verify
parity "verify --from" verify --from flips
parity "verify --to" verify --to @v1.0
parity "verify --from --to" verify --from users --to widgets
parity "verify change arguments" verify flips widgets
parity "verify too many arguments" verify users flips widgets
parity "verify --from undeployed" verify --from lists
parity "verify --from unknown" verify --from nonesuch
parity "verify --to HEAD^" verify --to 'HEAD^'
parity "deploy rest" deploy
parity "verify all" verify

# failing and missing verify scripts, rows printed at -v
both "printf 'BEGIN;\nSELECT nonesuch FROM flips;\nROLLBACK;\n' > verify/flips.sql"
both "rm verify/widgets.sql"
both "printf \"SELECT 'hello', 42;\n\" > verify/hashtags.sql"
PARITY_FILTER=$SCRIPTERR parity "verify failures" verify
PARITY_FILTER=$SCRIPTERR parity "verify failures -v" -v verify
PARITY_FILTER=$SCRIPTERR parity "verify failures -vv" -vv verify

# plan changes under the deployed ones
parity_init "$FX"
parity "deploy all" deploy
both "sed -i 's/^widgets \\[/widgets2 [/' sqitch.plan && cp deploy/widgets.sql deploy/widgets2.sql && cp verify/widgets.sql verify/widgets2.sql"
PARITY_FILTER=$SCRIPTERR parity "verify with a renamed change" verify
both "printf '%%syntax-version=1.0.0\n%%project=flipr\n\n' > sqitch.plan"
parity "verify with an empty plan" verify

done_testing
