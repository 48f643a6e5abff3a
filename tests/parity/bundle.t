#!/usr/bin/env bash
# Parity: `bundle` against the real sqitch -- the whole project, --dir and
# bundle.dest_dir, partial plans (--from, --from with --to, change
# arguments, tags, reworked changes), several targets (arguments, --all,
# bundle.all) with their own plan files and script directories, the
# copy-if-newer rule on a second run, -vv debug lines, and the errors
# (unknown change, --from with change arguments, missing config).
# Compares stdout, stderr, exit code and the resulting file trees.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

# Copy-if-newer compares real mtimes: libfaketime would clamp the times
# stat() returns in C (not Perl's) to the fake clock.
export NO_FAKE_STAT=1
step() { parity "$@"; parity_tree "$1"; }
both() { local d; for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do (cd "$d" && eval "$1"); done; }

FX=$TESTROOT/fx
make_flipr "$FX"

parity_init "$FX"
step "bundle" -vv bundle
step "bundle again: nothing newer" -vv bundle
both "touch -d '2030-01-01 00:00:00' revert/lists.sql deploy/widgets.sql"
step "bundle again: two newer sources" -vv bundle
step "bundle --dir" bundle --dir out/x/
step "bundle --dest-dir absolute" bundle --dest-dir "$PWORK/abs"

for args in "--from widgets" "--from widgets --to hashtags" "--from @v1.0 --to @v2.0" \
            "--from users@v1.0 --to users" "--from HEAD^ --to HEAD" "--from users --to users@v2.0" \
            "widgets" "widgets hashtags" "db:sqlite:flipr.db flips lists"; do
    parity_init "$FX"
    step "bundle $args" -vv bundle $args
done

parity_init "$FX"
both "printf '[bundle]\n\tdest_dir = dist\n' >> sqitch.conf"
step "bundle.dest_dir" bundle
step "--dir beats bundle.dest_dir" bundle --dir d2

# errors
parity_init "$FX"
step "unknown --from" bundle --from nonesuch
step "unknown --to" bundle --from users --to nonesuch
step "unknown tag" bundle --from flips@nonesuch
step "--from with change arguments" bundle --from flips widgets
step "ambiguous change argument" bundle users
both "printf x > bfile"
step "destination below a file" bundle --dir bfile/sub
both "rm sqitch.conf && printf '[core]\n\tengine = sqlite\n' > alt.conf"
SQITCH_CONFIG=alt.conf step "config named by SQITCH_CONFIG" bundle
step "no local config file" bundle

# several targets, each with its own plan and directories
parity_init "$FX"
both "mkdir -p sub && cp sqitch.plan sub/other.plan && cp -r deploy revert sub/ \
      && printf '[target \"other\"]\n\turi = db:sqlite:other.db\n[target \"t3\"]\n\turi = db:sqlite:t3.db\n\tplan_file = sub/other.plan\n\tdeploy_dir = sub/deploy\n\trevert_dir = sub/revert\n\tverify_dir = sub/verify\n\treworked_dir = sub/rw\n' >> sqitch.conf"
step "two targets" bundle other t3
step "targets with ranges" bundle other widgets lists t3 hashtags
step "--from with two targets warns" bundle --from widgets other t3
step "--all" bundle --all
step "--all with a target" bundle --all other
both "printf '[bundle]\n\tall = true\n' >> sqitch.conf && touch -d '2031-01-01' sqitch.conf"
step "bundle.all" bundle
step "--no-all" bundle --no-all
step "--plan-file" bundle --plan-file sub/other.plan

done_testing
