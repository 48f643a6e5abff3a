#!/usr/bin/env bash
# Parity: `add` and the editor against the real sqitch -- notes typed in
# the editor (prompt text, comments, trimming), the empty-note abort,
# editor failures, SQITCH_EDITOR/core.editor/VISUAL/EDITOR, and
# --open-editor / add.open_editor; stdout, stderr, exit code, files.
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
(cd "$FX" && "$SQITCH_BIN" init flipr --engine sqlite >/dev/null &&
    "$SQITCH_BIN" add widgets -n widgets >/dev/null &&
    "$SQITCH_BIN" add users -r widgets -n users >/dev/null)
parity_init "$FX"

# ---- the note editor -----------------------------------------------------------
EDITOR=$BIN/ed-note EDNOTE=$'  typed note\\n with  \n# comment\n\n' \
    good "editor note"            add edited -r widgets
EDITOR=$BIN/ed-note EDNOTE=$'\n\n\nafter blanks\n\nsecond para\n\n' \
    good "editor note, blank lines" add edited2
SQITCH_EDITOR=$BIN/ed-note EDITOR=false EDNOTE='via SQITCH_EDITOR' \
    good "SQITCH_EDITOR"          add edited3 -n '   '
VISUAL=$BIN/ed-note EDNOTE='via VISUAL' good "VISUAL" add edited4
EDITOR=$BIN/ed-note EDNOTE=$'# only a comment\n   \n' \
    step "empty note aborts"      add aborted
EDITOR=true step "unchanged file aborts" add aborted
EDITOR=$BIN/ed-note EDNOTE='note' \
    good "editor, without verify" add edited5 --without verify
PARITY_FILTER=$TMPMASK step "editor fails"          add failed
PARITY_FILTER=$TMPMASK EDITOR=/nonexistent/editor \
    step "editor missing"         add failed
PARITY_FILTER=$TMPMASK EDITOR='sh -c "exit 3"' \
    step "editor through shell"   add failed
good "core.editor"                config core.editor "$BIN/ed-note"
EDNOTE='from core.editor' good "editor from config" add edited6
good "unset core.editor"          config --unset core.editor

# ---- --open-editor ----------------------------------------------------------------
EDITOR=$BIN/ed-log good "--open-editor"   add opened -n n --open-editor
EDITOR=$BIN/ed-log good "-e"              add opened2 -n n -e
EDITOR=$BIN/ed-log good "--edit, skipped" add opened3 -n n --edit --without verify
good "config open_editor"                 config add.open_editor true
EDITOR=$BIN/ed-log good "add.open_editor" add opened4 -n n
EDITOR=$BIN/ed-log good "--no-open-editor" add opened5 -n n --no-open-editor
good "bad open_editor bool"               config add.open_editor maybe
EDITOR=$BIN/ed-log step "invalid add.open_editor" add opened6 -n n
good "unset open_editor"                  config --unset add.open_editor
PARITY_FILTER=$TMPMASK step "open editor fails" add opened7 -n n -e

done_testing
