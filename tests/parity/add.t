#!/usr/bin/env bash
# Parity: `add` against the real sqitch -- dependencies, notes and their
# escapes, names with slashes, existing scripts, the blank line after a
# tag, targets and plan files, and the errors; stdout, stderr, exit code
# and every file. Templates: add_templates.t; the editor: add_editor.t.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"

BIN=$TESTROOT/bin
mkdir -p "$BIN"
# An editor that keeps the prompt it was given and appends $EDNOTE.
cat > "$BIN/ed-note" <<'SH'
#!/bin/sh
cp "$1" "$PWD/prompt.txt"
printf '%s' "$EDNOTE" >> "$1"
SH
# An editor that logs the files it was asked to open.
cat > "$BIN/ed-log" <<'SH'
#!/bin/sh
for f in "$@"; do printf '[%s]\n' "$f"; done >> "$PWD/editor.log"
SH
chmod +x "$BIN"/*
unset SQITCH_EDITOR VISUAL
export EDITOR=false

step() { parity "$@"; parity_tree "$1"; }
# A step that must succeed (so that a broken plan cannot hide behind two
# identical failures).
good() { step "$@"; is "$B_RC" 0 "$1: succeeded"; }
# Usage texts are our own words: drop them, compare the rest.
usage() { PARITY_FILTER='/^\(Usage:\|SYNOPSIS\)/,$d' step "$@"; }
# Configuration errors: sqitch adds a Perl stack trace after the message.
conf_err() { PARITY_STDERR_FIRSTLINE=1 step "$@"; }
# Temporary file names of the editor differ run to run.
TMPMASK='s#/tmp/[A-Za-z0-9_]\{10\}#/tmp/XXXXXXXXXX#g'

FX=$TESTROOT/fx
mkdir -p "$FX"
(cd "$FX" && "$SQITCH_BIN" init flipr --engine sqlite >/dev/null)
parity_init "$FX"

# ---- basics ------------------------------------------------------------------
good "add"                        add widgets -n 'Adds widgets'
good "requires and conflicts"     add users -r widgets -x foo -n 'Users'
good "duplicate requires"         add gadgets -r widgets -r users -r widgets -n dup
good "duplicate conflicts"        add gizmos -x a -x a -x b -n dupx
good "other-project deps"         add thing -r other:users -r flipr:widgets -x other:x -n ext
good "--requires/--conflicts"     add long --requires users --conflicts gizmos -n long
good "-c"                         add -c named -n 'by option'
good "--change"                   add --change named2 --note 'by long option'
good "-m"                         add msg -m 'm note'
good "slashes make directories"   add schemas/app/tables -n 'deep'
good "same directory again"       add schemas/app/views -r schemas/app/tables -n 'views'
good "unicode name and note"      add 'café' -n 'naïve – “quoted”'
good "notes joined"               add notes -n first -n second -n third
good "note escapes"               add esc -n 'a\nb' -n 'c\\d' -n 'tab\tx' -n 'cr\rz'
good "note real newlines"         add nl -n "$(printf 'line one\nline two')"
good "note trimmed"               add trimmed -n '   spaced   '
good "empty note among notes"     add somenote -n '' -n ' kept ' -n ''
good "note 0"                     add zero -n 0
good "note with hash"             add hashy -n '# not a comment # at all'
good "quiet"                      --quiet add quiet -n q
good "verbose debug"              -vv add dbg/sub/dir -n vv

# ---- errors ------------------------------------------------------------------
step "already exists"             add widgets -n again
step "unknown requires"           add broken -r nope -n x
step "unknown requires @tag"      add broken -r widgets@nope -n x
step "bad dependency"             add broken -r 'a b' -n x
step "bad conflict"               add broken -x '@' -n x
step "invalid name @"             add 'foo@bar' -n x
step "invalid name :"             add 'foo:bar' -n x
step "invalid name ends in -"     add 'foo-' -n x
step "invalid name digits"        add 'foo-1' -n x
usage "invalid name punct start"  add '-foo' -n x
step "invalid name blank"         add 'foo bar' -n x
step "invalid name euro"          add 'foo€' -n x
step "reserved HEAD"              add HEAD -n x
step "reserved ROOT"              add ROOT -n x
step "sha1 look-alike"            add 0123456789abcdef0123456789abcdef01234567 -n x
step "unknown argument"           add ok1 nope -n x
step "unknown arguments"          add ok1 nope1 nope2 -n x
usage "no name"                   add -n x
usage "no arguments"              add
usage "unknown option"            add foo --bogus
usage "missing option value"      add foo -r
step "no template"                add foo -t nope -n x
conf_err "template dir missing"   add foo --template-directory nope -n x
mkdir -p "$(parity_dir_sqitch)/afile" "$(parity_dir_sqlitch)/afile"
touch "$(parity_dir_sqitch)/plainfile" "$(parity_dir_sqlitch)/plainfile"
conf_err "template dir is a file" add foo --template-directory plainfile -n x
conf_err "--use missing"          add foo --use deploy=nope.tmpl -n x
conf_err "--use directory"        add foo --use deploy=afile -n x
rm -rf "$(parity_dir_sqitch)/afile" "$(parity_dir_sqlitch)/afile" \
    "$(parity_dir_sqitch)/plainfile" "$(parity_dir_sqlitch)/plainfile"

# ---- existing scripts, blank line after a tag --------------------------------
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'existing\n' > "$d/deploy/pre.sql"
done
good "existing script skipped"    add pre -n pre
good "tag for blank line"         tag v1 -n v1
good "add after a tag"            add after -n after
good "add after add"              add after2 -n after2
printf '\n\n' >> "$(parity_dir_sqitch)/sqitch.plan"
printf '\n\n' >> "$(parity_dir_sqlitch)/sqitch.plan"
good "tag again"                  tag v2 -n v2
good "add after tag and blanks"   add after3 -n after3

# ---- targets and plan files ----------------------------------------------------
good "target add"                 target add other db:sqlite:other.db --plan-file other.plan
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '%%syntax-version=1.0.0\n%%project=other\n\n' > "$d/other.plan"
done
good "add to a target"            add ot1 other -n n
good "add by plan file"           add ot2 other.plan -n n
good "add to two targets"         add both other db:sqlite:x.db -n n
good "--all"                      add everywhere --all -n n
step "--all and a target"         add nowhere --all other -n n
step "name is a target"           add other -n n
good "--change names a target"    add --change other -n n
good "engine argument"            add pgchange pg -n n
good "-f plan file"               add viaf -f other.plan -n n
step "--plan-file missing"        add viaf2 --plan-file nope.plan -n n
good "--top-dir"                  add topdir --top-dir . -n n
# (written by hand: `target add` writes several keys in Perl hash order)
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[target "deep"]\n\turi = db:sqlite:deep.db\n\ttop_dir = deep\n\tplan_file = deep/deep.plan\n' >> "$d/sqitch.conf"
    printf '[target "ext"]\n\turi = db:sqlite:ext.db\n\textension = ddl\n\tplan_file = ext.plan\n' >> "$d/sqitch.conf"
    mkdir -p "$d/deep"; printf '%%project=deep\n\n' > "$d/deep/deep.plan"
    printf '%%project=ext\n' > "$d/ext.plan"
done
good "add to deep target"         add in/deep deep -n n
good "add with extension"         add withext ext -n n

# ---- a dependency sqitch writes but cannot read back -------------------------------
parity_init "$FX"
good "widgets"                    add widgets -n n
good "require name@HEAD"          add headdep -r widgets@HEAD -n n
step "plan unreadable after"      add next -n n
step "tag unreadable plan"        tag v1 -n n

# ---- no project ------------------------------------------------------------------
parity_init
step "no project"                 add foo -n n
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[core]\n\tengine = sqlite\n' > "$d/sqitch.conf"
done
step "no plan file"               add foo -n n
step "invalid name, no plan"      add 'bad@' -n n

done_testing
