#!/usr/bin/env bash
# Parity: `check` on SQLite against the real sqitch -- success, nothing
# deployed, no registry, an empty plan, a deploy script changed after it
# was deployed (exit 1), --from/--to and arguments.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

PARITY_TIME=+0
both() { local d; for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do (cd "$d" && eval "$1"); done; }

FX=$TESTROOT/fx
make_flipr "$FX"
parity_init "$FX"
parity "check without registry" check
parity "deploy" deploy --to widgets
parity "check" check
parity "check --from --to" check --from flips --to widgets
parity "check arguments" check users flips
parity "check too many arguments" check users flips widgets
parity "check --to undeployed" check --to lists
both "printf -- '-- changed\n' >> deploy/flips.sql"
parity "check diverged" check
parity "check diverged, quiet" --quiet check
parity "check --from after divergence" check --from widgets
parity "revert all" revert -y
parity "check nothing deployed" check
both "printf '%%syntax-version=1.0.0\n%%project=flipr\n\n' > sqitch.plan"
parity "check empty plan" check

done_testing
