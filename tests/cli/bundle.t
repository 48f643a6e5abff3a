#!/usr/bin/env bash
# CLI: `sqlitch bundle` -- the deliberate difference from sqitch 1.3.1
# (docs/differences.md: a lone --to bundles from @ROOT), and the copying
# rules: a destination that is not older than its source is left alone,
# an older one is replaced (keeping its mode) atomically, nothing
# half-written or temporary is left behind, and errors name the file.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

P=$TESTROOT/p
make_flipr "$P"
cd "$P" || exit 1

# ------------------------------------------------------------ --to alone
run_cmd SQLITCH bundle --to widgets
is "$OUT" "Bundling into bundle
Writing config
Writing plan from @ROOT to widgets
Writing scripts
  + users
  + flips @v1.0 @beta
  + widgets" "--to alone: @ROOT through the change"
is "$RC" 0 "--to alone: exit 0"
is "$(grep -c '^[a-z]' bundle/sqitch.plan)" 3 "--to alone: plan holds three changes"
ok "[ -f bundle/deploy/users@v2.0.sql ] && [ ! -f bundle/deploy/lists.sql ]" \
   "--to alone: scripts of those changes only"
if command -v sqitch >/dev/null 2>&1; then
    run_cmd sqitch bundle --dir b2 --to widgets
    like "$OUT" "Writing plan from widgets to @HEAD" "sqitch 1.3.1 takes a lone --to as --from"
fi
rm -rf bundle b2

# ------------------------------------------------------------ copy rules
run_cmd SQLITCH bundle
is "$RC" 0 "bundle"
cmp -s deploy/widgets.sql bundle/deploy/widgets.sql
is "$?" 0 "script copied byte for byte"
cmp -s sqitch.plan bundle/sqitch.plan
is "$?" 0 "plan copied byte for byte"
echo "-- local edit" >> bundle/deploy/widgets.sql
touch -d '2000-01-01' deploy/widgets.sql
run_cmd SQLITCH -vv bundle
ok "! grep -q 'Copying deploy/widgets.sql' <<< \"\$OUT\"" "newer destination: not copied"
like "$(tail -1 bundle/deploy/widgets.sql)" "local edit" "newer destination kept"
chmod 600 bundle/deploy/widgets.sql
touch -d '2000-01-01' bundle/deploy/widgets.sql
touch -d '2001-01-01' deploy/widgets.sql
run_cmd SQLITCH -vv bundle
like "$OUT" "debug:     Copying deploy/widgets.sql -> bundle/deploy/widgets.sql" "older destination: copied"
cmp -s deploy/widgets.sql bundle/deploy/widgets.sql
is "$?" 0 "older destination replaced"
is "$(stat -c %a bundle/deploy/widgets.sql)" 600 "replaced file keeps its mode"
touch -d '2001-01-01' bundle/deploy/widgets.sql
run_cmd SQLITCH -vv bundle
ok "! grep -q 'Copying deploy/widgets.sql' <<< \"\$OUT\"" "same mtime: not copied"
is "$(find bundle -name '*sqlitch-tmp*' | wc -l)" 0 "no temporary files left"

# ------------------------------------------------------------ errors
rm -rf bundle && mkdir -p bundle && chmod 500 bundle
if [ "$(id -u)" != 0 ]; then
    run_cmd SQLITCH bundle
    like "$ERR" '^Cannot copy "sqitch.conf" to "bundle/sqitch.conf": ' "unwritable destination"
    is "$RC" 2 "unwritable destination: exit 2"
fi
chmod 700 bundle && rm -rf bundle
printf 'x' > bfile
run_cmd SQLITCH bundle --dir bfile/sub
is "$ERR" "Error creating bfile: File exists" "destination below a file (File::Path's message)"
is "$RC" 2 "exit 2"
run_cmd SQLITCH bundle --from nonesuch
is "$ERR" "Cannot find change nonesuch" "unknown --from"
ok "[ ! -f bundle/sqitch.plan ]" "no plan written for an unknown change"

done_testing
