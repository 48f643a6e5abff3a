#!/usr/bin/env bash
# Parity: `config` against the real sqitch, part 2 -- scopes (--user,
# --system, --file), hand-written files (comments, CRLF, includes),
# parent-directory discovery, SQITCH_CONFIG, broken files and the editor;
# stdout, stderr, exit code and the resulting file bytes.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"

# User and system files live in the state dir (moved to $PWORK per run).
export SQITCH_USER_CONFIG=$PWORK/user.conf SQITCH_SYSTEM_CONFIG=$PWORK/sys/sqitch.conf
export EDITOR=true
unset SQITCH_EDITOR VISUAL

step() { parity "$@"; parity_tree "$1"; }
# Usage texts are our own words: compare only the error line.
usage() { PARITY_STDERR_FIRSTLINE=1 step "$@"; }

# ---- scopes ----------------------------------------------------------------
FX=$TESTROOT/fx0
mkdir -p "$FX"
printf '[core]\n\tengine = sqlite\n\ttop_dir = db\n' > "$FX/sqitch.conf"
parity_init "$FX"
step "--user set"                   config --user user.name "Ann Example"
step "--global set"                 config --global user.email ann@example.com
step "--system set (creates dir)"   config --system core.engine pg
step "--user list"                  config --user -l
step "--system list"                config --system --list
step "--local list"                 config --local -l
step "merged list"                  config -l
step "--user --get reads merged"    config --user --get core.top_dir
step "--file set"                   config --file other/x.conf a.b c
step "-f set"                       config -f other/x.conf a.d e
step "--config-file set"            config --config-file other/x.conf a.e f
step "-f list is merged"            config -f other/x.conf -l
step "-f --get is merged"           config -f other/x.conf --get a.b
step "--user --unset"               config --user --unset user.email
step "--system --remove-section"    config --system --remove-section core
step "-f rename missing file"       config -f none.conf --rename-section a b
step "-f unset missing file"        config -f dir/none.conf --unset a.b

# ---- hand-written files ----------------------------------------------------
FX=$TESTROOT/fx1
mkdir -p "$FX"
cat > "$FX/sqitch.conf" <<'EOF'
# Project settings
[core]
	engine = pg   ; the engine
	; a comment line
	top_dir = "some dir # kept"
	flag
[engine "pg"]   # header comment
	target = db:pg:flipr
	registry = meta
[core]
	plan_file = x.plan

	# trailing comment


EOF
printf '[core]\r\n\tengine = pg\r\n[deploy]\r\n\tverify = true\r\n' > "$FX/crlf.conf"
cat > "$FX/inc.conf" <<'EOF'
[inc]
	from = include
[core]
	engine = mysql
EOF
parity_init "$FX"
step "hand: list"                   config -l
step "hand: value-less --get"       config --get core.flag
step "hand: value-less --get --bool" config --bool --get core.flag
# sqitch also warns "Use of uninitialized value" (a Perl artefact)
PARITY_FILTER='/^Use of uninitialized/d' step "hand: value-less --get-all" config --get-all core.flag
step "hand: value-less --get-regex" config --get-regex flag
step "hand: replace keeps indent"   config core.engine sqlite
step "hand: insert in last block"   config core.verbosity 2
step "hand: insert in subsection"   config engine.pg.client psql
step "hand: new section at end"     config deploy.verify true
step "hand: unset"                  config --unset engine.pg.registry
step "hand: unset value-less"       config --unset core.flag
step "hand: rename with comment"    config --rename-section engine.pg engine.sqlite
step "hand: remove middle section"  config --remove-section engine.sqlite
step "hand: CRLF set"               config -f crlf.conf deploy.mode all
step "hand: CRLF replace"           config -f crlf.conf core.engine sqlite
step "hand: CRLF unset"             config -f crlf.conf --unset deploy.verify
step "hand: include.path"           config include.path inc.conf
step "hand: list with include"      config -l
step "hand: --local list include"   config --local -l
step "hand: get included"           config --get inc.from

# ---- parent directories and -C ---------------------------------------------
FX=$TESTROOT/fx2
mkdir -p "$FX/sub/deeper"
printf '[core]\n\tengine = sqlite\n' > "$FX/sqitch.conf"
parity_init "$FX"
step "parent: get from subdir"      -C sub/deeper config core.engine
step "parent: list from subdir"     -C sub/deeper config -l
step "parent: --local -l from subdir" -C sub/deeper config --local -l
step "parent: set writes ./sqitch.conf" -C sub config core.top_dir x
step "parent: now subdir file wins" -C sub/deeper config -l

# ---- SQITCH_CONFIG ---------------------------------------------------------
FX=$TESTROOT/fx3
mkdir -p "$FX/sub"
printf '[core]\n\tengine = pg\n' > "$FX/alt.conf"
parity_init "$FX"
SQITCH_CONFIG=alt.conf step "SQITCH_CONFIG get"    -C sub config core.engine
SQITCH_CONFIG=alt.conf step "SQITCH_CONFIG set"    config core.x 1
SQITCH_CONFIG=new/n.conf step "SQITCH_CONFIG new dir" config core.y 2

# ---- bad files -------------------------------------------------------------
# A parse error while loading makes Perl die; its exit status is then $!
# (errno), which libfaketime disturbs: sqitch exits 255 when run normally.
# So the exit code is checked against 255, the rest against sqitch.
FX=$TESTROOT/fx4
mkdir -p "$FX/badlocal"
printf '[core]\n\tengine = pg\n  bad = a\\qb\n' > "$FX/bad.conf"
printf 'novalue\n' > "$FX/badlocal/sqitch.conf"
parity_init "$FX"
die_step() {
    local name=$1; shift
    _parity_exec "$_PA" "$SQITCH_BIN" "$@"; A_OUT=$_OUT A_ERR=$_ERR A_RC=$_RC
    _parity_exec "$_PB" "$SQLITCH" "$@"; B_OUT=$_OUT B_ERR=$_ERR B_RC=$_RC
    is "$B_OUT" "$A_OUT" "$name: stdout"
    is "$B_ERR" "$A_ERR" "$name: stderr"
    is "$B_RC" 255 "$name: exit code 255"
    parity_tree "$name"
}
die_step "bad local file: list"       -C badlocal config -l
die_step "bad local file: get"        -C badlocal config core.engine
die_step "bad local file: help"       -C badlocal help
like "$B_ERR" "^Error parsing .*/badlocal/sqitch.conf at line 2, position 0\.
Bad line was: 'novalue'\$" "bad local file: message"
# The writer's parse error: sqitch also prints a Perl warning and leaves
# the file name out; compare stdout, exit code and the file only.
_parity_exec "$_PA" "$SQITCH_BIN" config -f bad.conf a.b c; A_OUT=$_OUT A_RC=$_RC
_parity_exec "$_PB" "$SQLITCH" config -f bad.conf a.b c; B_OUT=$_OUT B_ERR=$_ERR B_RC=$_RC
is "$B_OUT" "$A_OUT" "bad -f file, set: stdout"
is "$B_RC" "$A_RC" "bad -f file, set: exit code"
is "$B_ERR" "Error parsing bad.conf at line 4, position 2.
Bad line was: '  bad = a\qb'" "bad -f file, set: message"
parity_tree "bad -f file, set"
step "bad -f rename"                config -f bad.conf --rename-section core x
_parity_exec "$_PA" "$SQITCH_BIN" config -f bad.conf --unset core.engine; A_RC=$_RC
_parity_exec "$_PB" "$SQLITCH" config -f bad.conf --unset core.engine; B_ERR=$_ERR B_RC=$_RC
is "$B_RC" "$A_RC" "bad -f file, unset: exit code"
like "$B_ERR" "^Error parsing bad.conf at line 4" "bad -f file, unset: message"
parity_tree "bad -f file, unset"

# ---- the editor ------------------------------------------------------------
parity_init
step "edit with true"               config --edit
EDITOR=false step "edit failing"    config -e
EDITOR=no-such-editor-x step "edit not found" config -e
EDITOR="printf %s" step "edit quoting" config -e --file "a b.conf"
EDITOR=true SQITCH_EDITOR=false step "SQITCH_EDITOR wins" config -e --user
EDITOR="sh -c 'exit 3' x" step "edit through a shell" config -e

done_testing
