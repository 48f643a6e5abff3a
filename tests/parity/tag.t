#!/usr/bin/env bash
# Parity: `tag` against the real sqitch -- listing, tagging the last or a
# named change, where the tag line goes, notes (options, escapes, editor,
# empty-note abort), several targets and plan files, and the errors;
# stdout, stderr, exit code and every file.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"

BIN=$TESTROOT/bin
mkdir -p "$BIN"
cat > "$BIN/ed-note" <<'SH'
#!/bin/sh
cp "$1" "$PWD/prompt.txt"
printf '%s' "$EDNOTE" >> "$1"
SH
chmod +x "$BIN"/*
unset SQITCH_EDITOR VISUAL
export EDITOR=false

step() { parity "$@"; parity_tree "$1"; }
good() { step "$@"; is "$B_RC" 0 "$1: succeeded"; }
usage() { PARITY_FILTER='/^\(Usage:\|SYNOPSIS\)/,$d' step "$@"; }
TMPMASK='s#/tmp/[A-Za-z0-9_]\{10\}#/tmp/XXXXXXXXXX#g'

FX=$TESTROOT/fx
mkdir -p "$FX"
(cd "$FX" && "$SQITCH_BIN" init flipr --engine sqlite >/dev/null)
parity_init "$FX"

good "list, empty plan"           tag
step "tag an empty plan"          tag v1 -n x
good "add users"                  add users -n users
good "add widgets"                add widgets -r users -n widgets
good "tag last change"            tag v1.0 -n 'First release'
good "list one"                   tag
good "tag a named change"         tag alpha users -n 'on users'
good "second tag, same change"    tag beta users -n 'beta'
good "tag with @"                 tag @gamma -n gamma
good "-t and -c"                  tag -t delta -c users -n delta
good "--tag and --change"         tag --tag eps --change widgets --note eps
good "change by tag"              tag zeta @alpha -n zeta
good "change by name@tag"         tag eta users@beta -n eta
good "change HEAD"                tag theta HEAD -n theta
good "change ROOT"                tag iota ROOT -n iota
good "list many"                  tag
good "quiet list"                 --quiet tag
good "notes joined"               tag notes -n one -n two -n ''
good "note escapes"               tag esc -n 'a\nb\\c\td'
good "note trimmed"               tag trim -n '   x   '
good "-m"                         tag em -m 'm'

# ---- errors ------------------------------------------------------------------
step "duplicate tag"              tag v1.0 -n x
step "duplicate with @"           tag @alpha -n x
step "unknown change"             tag nt nope -n x
step "unknown tag as change"      tag nt @nope -n x
step "bad name /"                 tag 'a/b' -n x
step "bad name @"                 tag 'a@b' -n x
step "bad name ends in ."         tag 'v1.' -n x
step "reserved"                   tag HEAD -n x
step "sha1 look-alike"            tag abcdef0123456789abcdef0123456789abcdef01 -n x
step "unknown argument"           tag t1 users extra -n x
usage "unknown option"            tag t1 --bogus
step "ambiguous change lookup"    tag amb users -n x

# ---- placement: before blank lines and after existing tag lines ----------------
good "add after tags"             add gadgets -n gadgets
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '\n# a comment\n\n' >> "$d/sqitch.plan"
done
good "tag before blanks"          tag g1 -n g1
good "tag again before blanks"    tag g2 gadgets -n g2
good "tag early change"           tag u9 users -n u9
good "add after blank lines"      add more -n more

# ---- the note editor -----------------------------------------------------------
EDITOR=$BIN/ed-note EDNOTE=$'  edited tag note  \n# comment\n' \
    good "editor note"            tag edited
EDITOR=$BIN/ed-note EDNOTE=$'\n\n  \n' step "empty note aborts" tag aborted
EDITOR=true step "unchanged file aborts" tag aborted
PARITY_FILTER=$TMPMASK step "editor fails"  tag failed
SQITCH_EDITOR=$BIN/ed-note EDNOTE='via SQITCH_EDITOR' good "SQITCH_EDITOR" tag edited2 -n ' '
step "validation before editor"   tag edited2

# ---- targets and plan files ----------------------------------------------------
# (written by hand: `target add` writes several keys in Perl hash order)
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[target "other"]\n\turi = db:sqlite:other.db\n\tplan_file = other.plan\n' >> "$d/sqitch.conf"
    printf '[target "same"]\n\turi = db:sqlite:same.db\n' >> "$d/sqitch.conf"
    printf '%%syntax-version=1.0.0\n%%project=other\n\nox 2024-01-01T00:00:00Z Bob <b@x> # ox\n' > "$d/other.plan"
done
step "list a target (name clash)" tag other
good "tag another target"         tag o1 other -n o1
good "tag by plan file"           tag o2 other.plan -n o2
good "list other via -f"        tag -f other.plan
good "two targets, one plan"      tag s1 same db:sqlite:x.db -n s1
good "--all"                      tag everywhere --all -n all
good "list --all"                 tag --all
step "--all with a target"        tag nowhere --all other -n x
step "unknown change in one plan" tag bad users other -n x
step "name is a target"           tag -n x other same
step "list, name is a target"     tag same
good "-f plan file"               tag viaf -f other.plan -n viaf

# ---- no project ----------------------------------------------------------------
parity_init
step "no project"                 tag v1 -n x
step "no project, list"           tag
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[core]\n\tengine = sqlite\n' > "$d/sqitch.conf"
done
step "no plan file"               tag v1 -n x
step "bad name, no plan file"     tag 'a/b' -n x
step "list, no plan file"         tag

done_testing
