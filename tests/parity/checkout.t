#!/usr/bin/env bash
# Parity: `checkout` on SQLite against the real sqitch, in a real Git
# repository: switching to a branch whose plan diverged (revert to the
# last common change, git checkout, deploy), and back; the prompt
# (declined, accepted, unattended, checkout.no_prompt); already on the
# branch; unknown branch; a branch without the plan file; no common
# changes; nothing deployed; the diverge point not deployed; --log-only,
# --verify; a missing Git client (core.vcs.client); no branch argument.
# stdout, stderr, exit code, registry rows and the branch checked out.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

command -v git >/dev/null 2>&1 || skip_all "git is not installed"
PARITY_TIME=+0
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.com \
    GIT_COMMITTER_NAME=T GIT_COMMITTER_EMAIL=t@example.com \
    GIT_AUTHOR_DATE=2024-01-01T00:00:00Z GIT_COMMITTER_DATE=2024-01-01T00:00:00Z
step() { parity "$@"; parity_db "$1: registry" sqitch.db; branch "$1"; }
both() { local d; for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do (cd "$d" && eval "$1"); done; }
branch() {
    is "$(git -C "$(parity_dir_sqlitch)" rev-parse --abbrev-ref HEAD)" \
       "$(git -C "$(parity_dir_sqitch)" rev-parse --abbrev-ref HEAD)" "$1: branch"
}
printf 'n\n' > "$TESTROOT/no"
printf 'y\n' > "$TESTROOT/yes"

# main:    users flips @v1.0 widgets
# feature: users flips @v1.0 gadgets @g1
# orphan:  gizmo
FX=$TESTROOT/fx
mkdir -p "$FX"
(
    cd "$FX" || exit 1
    git init -q -b main .
    _fx_conf .
    printf '%%syntax-version=1.0.0\n%%project=flipr\n\n' > sqitch.plan
    printf 'users 2024-01-15T10:00:00Z Marge <marge@example.com> # Users.\n' >> sqitch.plan
    printf 'flips [users] 2024-01-15T10:01:00Z Marge <marge@example.com> # Flips.\n' >> sqitch.plan
    printf '@v1.0 2024-01-15T10:02:00Z Marge <marge@example.com> # Tag v1.0.\n' >> sqitch.plan
    for c in users flips widgets gadgets gizmo; do _fx_change . $c $c; done
    printf '*.db\n' > .gitignore
    git add -A && git commit -qm init
    git checkout -q -b feature
    printf 'gadgets [flips] 2024-01-15T10:03:00Z Homer <homer@example.org> # Gadgets.\n' >> sqitch.plan
    printf '@g1 2024-01-15T10:03:30Z Homer <homer@example.org>\n' >> sqitch.plan
    git commit -qam gadgets
    git checkout -q -b orphan main
    printf '%%syntax-version=1.0.0\n%%project=flipr\n\ngizmo 2024-01-15T11:00:00Z Ned <ned@example.com>\n' > sqitch.plan
    git commit -qam orphan
    git checkout -q -b noplan main
    git rm -q sqitch.plan && git commit -qm noplan
    git checkout -q main
    printf 'widgets [users] 2024-01-15T10:04:00Z Homer <homer@example.org> # Widgets.\n' >> sqitch.plan
    git commit -qam widgets
)

parity_init "$FX"
step "checkout, nothing deployed" checkout -y feature
parity "deploy main" deploy
step "checkout -y feature" checkout -y feature
parity_file "plan of feature checked out" sqitch.plan
step "checkout -y main: back" checkout -y main
step "already on main" checkout -y main
step "unknown branch" checkout -y nonesuch
step "branch without the plan" checkout -y noplan
step "no changes in common" checkout -y orphan
PARITY_STDIN=$TESTROOT/no step "prompt declined" checkout feature
PARITY_STDIN=$TESTROOT/yes step "prompt accepted" checkout feature
step "prompt unattended" checkout main
both "printf '[checkout]\n\tno_prompt = true\n' >> sqitch.conf"
step "checkout.no_prompt" checkout feature
step "target argument" checkout db:sqlite:flipr.db main
both "git checkout -q sqitch.conf"

# the diverge point is not deployed
parity_init "$FX"
parity "deploy users only" deploy --to users
step "diverge point not deployed" checkout -y feature

# --log-only, --verify
parity_init "$FX"
parity "deploy for log-only" deploy
step "checkout --log-only" checkout -y --log-only feature
parity_init "$FX"
parity "deploy for verify" deploy
step "checkout --verify" checkout -y --verify feature

# the Git client
parity_init "$FX"
parity "deploy for client" deploy
both "printf '[core \"vcs\"]\n\tclient = /nonexistent/git\n' >> sqitch.conf"
step "missing git client" checkout -y feature

# no branch: usage (our own words) on stderr, exit 2 in both
parity_init "$FX"
_parity_exec "$_PA" "$SQITCH_BIN" checkout; A_RC=$_RC A_OUT=$_OUT
_parity_exec "$_PB" "$SQLITCH" checkout; B_RC=$_RC B_OUT=$_OUT B_ERR=$_ERR
is "$B_RC" "$A_RC" "no branch: exit code"
is "$B_OUT" "$A_OUT" "no branch: stdout"
like "$B_ERR" "sqlitch checkout" "no branch: usage (synopsis) on stderr"

done_testing
