#!/usr/bin/env bash
# show.t -- `sqlitch show` against the real `sqitch show`: change and tag
# info, deploy/revert/verify scripts (raw bytes, reworked paths), -e exit
# codes, lookups by name, tag, id and symbolic offset, and every error.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"

FIX=$TESTROOT/fixture
mkdir -p "$FIX/deploy/schemas" "$FIX/revert" "$FIX/verify" "$FIX/alt"
cat > "$FIX/sqitch.conf" <<'CONF'
[core]
	engine = sqlite
CONF
cat > "$FIX/sqitch.plan" <<'PLAN'
%syntax-version=1.0.0
%project=widgets
%uri=https://example.com/widgets

users 2024-01-15T10:30:00Z Marge N. O’Vera <marge@example.com> # Creates table to track our users.
flips [users] 2024-01-15T10:31:00Z Marge N. O’Vera <marge@example.com> # Adds table\nfor storing flips.
@v1.0 2024-01-15T10:32:00Z Marge N. O’Vera <marge@example.com> # Tag v1.0
@beta 2024-01-15T10:32:30Z Bob <bob@example.com>

widgets [users flips@v1.0 !otherproj:gadgets] 2024-01-15T10:33:00Z Marge N. O’Vera <marge@example.com>
schemas/café [widgets:users] 2024-06-30T23:59:59Z Zoë Ünïcode <zoe@example.com> # Ünïcode note
users [users@v1.0] 2024-01-15T22:34:00Z Bob Smith <bob@example.com> # Reworked users.
@v1.1 2024-01-16T00:00:00Z Bob <bob@example.com>
PLAN
printf 'CREATE TABLE users (id INT);\n' > "$FIX/deploy/users.sql"
printf -- '-- old users\n' > "$FIX/deploy/users@v1.1.sql"
printf 'no newline at end' > "$FIX/deploy/flips.sql"
printf 'bin\0ary\xff\xfe\r\n' > "$FIX/deploy/widgets.sql"
printf 'café\n' > "$FIX/deploy/schemas/café.sql"
printf 'DROP TABLE users;\n\n\n' > "$FIX/revert/users.sql"
mkdir -p "$FIX/verify/users.sql"
printf 'alt plan users\n' > "$FIX/alt/users.sql"
cp "$FIX/sqitch.plan" "$FIX/alt.plan"

parity_init "$FIX"

for spec in users flips widgets 'schemas/café' users@v1.0 users@HEAD @v1.0 @beta \
            HEAD ROOT @HEAD^ 'users^' widgets~ 0e9ee5fe6e244f68b05b83515bedc31ddea00ec5; do
    parity "change $spec" show change "$spec"
done
for spec in v1.0 @v1.0 beta @v1.1 nope @nope; do
    parity "tag $spec" show tag "$spec"
done
# a tag by id (computed by sqitch itself)
TAGID=$(cd "$(parity_dir_sqitch)" && sqitch plan -f 'format:%H' -n 1 --no-headers 2>/dev/null)
parity "tag by a change id" show tag "$TAGID"
parity "change by short id" show change 0e9ee5f
parity "deploy script" show deploy users@v1.0
parity "deploy reworked script" show deploy users
parity "deploy without final newline" show deploy flips
parity "deploy binary bytes" show deploy widgets
parity "deploy unicode path" show deploy 'schemas/café'
parity "revert script" show revert users
parity "verify is a directory" show verify users
parity "missing script" show verify flips
parity "ambiguous name" show change users

# -e
parity "-e change" show -e change flips
parity "-e missing change" show -e change nope
parity "-e tag" show -e tag v1.0
parity "-e missing tag" show -e tag nope
parity "--exists deploy" show --exists deploy flips
parity "-e missing script" show -e revert flips
parity "-e directory" show -e verify users
parity "--no-exists" show --no-exists change flips

# errors
parity "unknown type" show bogus users
parity "unknown change" show change nope
parity "unknown tag in spec" show change users@nope
# usage texts are our own: compare stdout and exit code only
PARITY_FILTER='/^\(Usage:\|SYNOPSIS\)/,$d' parity "no args" show
PARITY_FILTER='/^\(Usage:\|SYNOPSIS\)/,$d' parity "one arg" show change
PARITY_FILTER='/^\(Usage:\|SYNOPSIS\)/,$d' parity "zero key" show change 0
PARITY_STDERR_FIRSTLINE=1 parity "unknown option" show --bogus change users

# targets and plan files
parity "--plan-file" show --plan-file alt.plan change flips
parity "-f" show -f alt.plan tag v1.0
parity "missing plan file" show -f nope.plan change users
parity "--target URI" show --target db:sqlite:x.db change flips
parity "-t unknown" show -t nonesuch change flips
parity "--top-dir warns" show --top-dir alt deploy flips

# without a project configuration: the engine-less default target
for s in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do rm -f "$s/sqitch.conf"; done
parity "no config" show change flips

parity_tree "show writes nothing"
done_testing
