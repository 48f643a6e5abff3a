# engine_fixture.sh -- SQLite projects for the deploy/revert/verify tests.
# Source after tap.sh.
#
#   make_flipr DIR        a project with tags, dependencies (internal and
#                         external), a conflict, notes with newlines, a
#                         reworked change, and scripts that create/drop
#                         one table each inside BEGIN/COMMIT
#   make_simple DIR N     N independent changes c1..cN, each creating a
#                         table t<i> in a transaction; a tag every 5
#
# Plans are written with fixed timestamps, so change ids are the same in
# every run. Both projects target db:sqlite:flipr.db (registry sqitch.db).

_fx_conf() {
    cat > "$1/sqitch.conf" <<'CONF'
[core]
	engine = sqlite
[engine "sqlite"]
	target = db:sqlite:flipr.db
CONF
}

# _fx_change DIR NAME TABLE [FILE-SUFFIX]: scripts for one change
_fx_change() {
    local d=$1 name=$2 table=$3 sfx=${4:-}
    mkdir -p "$d/deploy" "$d/revert" "$d/verify"
    printf -- '-- Deploy flipr:%s to sqlite\n\nBEGIN;\n\nCREATE TABLE %s (id INTEGER PRIMARY KEY, v TEXT);\n\nCOMMIT;\n' \
        "$name" "$table" > "$d/deploy/$name$sfx.sql"
    printf -- '-- Revert flipr:%s from sqlite\n\nBEGIN;\n\nDROP TABLE %s;\n\nCOMMIT;\n' \
        "$name" "$table" > "$d/revert/$name$sfx.sql"
    printf -- '-- Verify flipr:%s on sqlite\n\nBEGIN;\n\nSELECT id, v FROM %s WHERE 0;\n\nROLLBACK;\n' \
        "$name" "$table" > "$d/verify/$name$sfx.sql"
}

make_flipr() {
    local d=$1
    mkdir -p "$d"
    _fx_conf "$d"
    cat > "$d/sqitch.plan" <<'PLAN'
%syntax-version=1.0.0
%project=flipr
%uri=https://github.com/example/flipr/

users 2024-01-15T10:00:00Z Marge N. O’Vera <marge@example.com> # Creates table to track our users.
flips [users] 2024-01-15T10:01:00Z Marge N. O’Vera <marge@example.com> # Adds table\nfor storing flips.
@v1.0 2024-01-15T10:02:00Z Marge N. O’Vera <marge@example.com> # Tag v1.0.
@beta 2024-01-15T10:02:30Z Marge N. O’Vera <marge@example.com>

widgets [users flips@v1.0 !otherproj:gadgets] 2024-01-15T10:03:00Z Marge N. O’Vera <marge@example.com>
hashtags [flips] 2024-01-15T10:04:00Z Homer <homer@example.org> # Hashtags.
@v2.0 2024-01-15T10:05:00Z Homer <homer@example.org> # Tag v2.0.

users [users@v2.0] 2024-01-15T10:06:00Z Marge N. O’Vera <marge@example.com> # Reworked users.
lists [widgets hashtags] 2024-01-15T10:07:00Z Homer <homer@example.org>
PLAN
    _fx_change "$d" users users "@v2.0"
    _fx_change "$d" flips flips
    _fx_change "$d" widgets widgets
    _fx_change "$d" hashtags hashtags
    _fx_change "$d" lists lists
    # the reworked users: alter the table the original created
    printf -- '-- Deploy flipr:users to sqlite\n\nBEGIN;\n\nALTER TABLE users ADD COLUMN nick TEXT;\n\nCOMMIT;\n' > "$d/deploy/users.sql"
    printf -- '-- Revert flipr:users from sqlite\n\nBEGIN;\n\nALTER TABLE users DROP COLUMN nick;\n\nCOMMIT;\n' > "$d/revert/users.sql"
    printf -- '-- Verify flipr:users on sqlite\n\nSELECT nick FROM users WHERE 0;\n' > "$d/verify/users.sql"
}

make_simple() {
    local d=$1 n=$2 i
    mkdir -p "$d"
    _fx_conf "$d"
    {
        printf '%%syntax-version=1.0.0\n%%project=flipr\n\n'
        for ((i = 1; i <= n; i++)); do
            printf 'c%d 2024-01-15T10:%02d:%02dZ Tester <tester@example.com> # change %d\n' \
                "$i" $((i / 60)) $((i % 60)) "$i"
            if ((i % 5 == 0)); then
                printf '@t%d 2024-01-15T11:%02d:%02dZ Tester <tester@example.com>\n' \
                    "$i" $((i / 60)) $((i % 60))
            fi
        done
    } > "$d/sqitch.plan"
    for ((i = 1; i <= n; i++)); do _fx_change "$d" "c$i" "t$i"; done
}
