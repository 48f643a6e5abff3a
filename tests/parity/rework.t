#!/usr/bin/env bash
# Parity: `rework` against the real sqitch -- the copies (deploy, revert,
# verify, the new revert from the old deploy), missing scripts, names with
# slashes, dependencies, reworking twice, reworked directories, notes and
# the editor, --open-editor, several targets, and the errors; stdout,
# stderr, exit code and every file.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"

BIN=$TESTROOT/bin
mkdir -p "$BIN"
cat > "$BIN/ed-note" <<'SH'
#!/bin/sh
cp "$1" "$PWD/prompt.txt"
printf '%s' "$EDNOTE" >> "$1"
SH
cat > "$BIN/ed-log" <<'SH'
#!/bin/sh
for f in "$@"; do printf '[%s]\n' "$f"; done >> "$PWD/editor.log"
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
(cd "$FX" && "$SQITCH_BIN" init flipr --engine sqlite >/dev/null &&
    "$SQITCH_BIN" add users -n users >/dev/null &&
    "$SQITCH_BIN" add widgets -r users -n widgets >/dev/null &&
    "$SQITCH_BIN" add schemas/app/tables -n tables >/dev/null &&
    "$SQITCH_BIN" add lonely -n lonely >/dev/null)
# give the scripts distinct content
for f in "$FX"/deploy/users.sql "$FX"/revert/users.sql "$FX"/verify/users.sql; do
    printf -- '-- %s v1\n' "$f" >> "$f"
done
rm "$FX/verify/lonely.sql" "$FX/revert/lonely.sql"
parity_init "$FX"

step "without a tag"              rework users -n x
step "unknown change"             rework nope -n x
good "tag"                        tag v1.0 -n 'v1.0'
good "rework"                     rework users -n 'Rework users'
good "rework with deps"           rework widgets -r users -r users -x lonely -n 'deps'
good "rework with slashes"        -vv rework schemas/app/tables -n 'deep'
good "rework, missing scripts"    -vv rework lonely -n 'only deploy'
step "rework again, no tag"       rework users -n again
step "unknown requires"           rework users -r nope -n x
step "bad dependency"             rework users -r 'a b' -n x
good "second tag"                 tag v2.0 -n v2
good "rework twice"               rework users -n 'second rework'
good "two tags on the last"       tag v2.1 -n v2.1
good "tag after"                  tag v2.2 -n v2.2
good "rework with two tags"       rework -c widgets -n 'two tags'
step "unknown argument"           rework users extra -n x
usage "no name"                   rework -n x
usage "unknown option"            rework users --bogus
good "--change"                   add late -n late
good "tag for late"               tag v3 -n v3
good "rework --change"            rework --change late -m 'by option'
good "notes joined and escaped"   tag v4 -n v4
good "rework notes"               rework late -n 'a\nb' -n 'c\\d'
good "tag v5"                     tag v5 -n v5
good "quiet"                      --quiet rework late -n quiet

# existing destination files are overwritten
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf 'stale\n' > "$d/deploy/lonely@v5.sql"
done
good "tag v6"                     tag v6 -n v6
good "rework over stale copies"   rework lonely -n stale

# ---- the note editor and --open-editor ------------------------------------------
good "tag v7"                     tag v7 -n v7
EDITOR=$BIN/ed-note EDNOTE=$'edited\\n note\n# c\n' good "editor note" rework users
good "tag v8"                     tag v8 -n v8
EDITOR=$BIN/ed-note EDNOTE=$'# nothing\n' step "empty note aborts" rework users
PARITY_FILTER=$TMPMASK step "editor fails" rework users
EDITOR=$BIN/ed-log good "--open-editor" rework users -n n --open-editor
good "tag v9"                     tag v9 -n v9
good "rework.open_editor"         config rework.open_editor true
EDITOR=$BIN/ed-log good "opened by config" rework users -n n
good "tag v10"                    tag v10 -n v10
good "rework.open_editor false"   config rework.open_editor false
good "add.open_editor true"       config add.open_editor true
EDITOR=$BIN/ed-log good "rework config wins" rework users -n n
good "tag v11"                    tag v11 -n v11
good "unset rework.open_editor"   config --unset rework.open_editor
EDITOR=$BIN/ed-log good "add.open_editor used" rework users -n n
good "tag v12"                    tag v12 -n v12
EDITOR=$BIN/ed-log good "-e off"  rework users -n n --no-open-editor
good "unset add.open_editor"      config --unset add.open_editor

# ---- reworked directories ------------------------------------------------------
parity_init "$FX"
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[core]\n\treworked_dir = old\n' >> "$d/sqitch.conf"
done
good "tag"                        tag v1 -n v1
step "reworked dir missing"       rework users -n x
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    mkdir -p "$d/old/deploy" "$d/old/revert" "$d/old/verify"
done
good "rework into reworked dir"   -vv rework users -n x

# ---- targets -------------------------------------------------------------------
parity_init "$FX"
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[target "same"]\n\turi = db:sqlite:same.db\n' >> "$d/sqitch.conf"
    printf '[target "other"]\n\turi = db:sqlite:other.db\n\tplan_file = other.plan\n\ttop_dir = other\n' >> "$d/sqitch.conf"
    mkdir -p "$d/other/deploy" "$d/other/revert" "$d/other/verify"
    printf 'other users\n' > "$d/other/deploy/users.sql"
    printf '%%syntax-version=1.0.0\n%%project=other\n\nusers 2024-01-01T00:00:00Z Bob <b@x> # u\n@o1 2024-01-01T00:00:01Z Bob <b@x>\n' > "$d/other.plan"
done
good "tag"                        tag v1 -n v1
good "two targets, one plan"      rework users same db:sqlite:x.db -n two
good "tag v2"                     tag v2 -n v2
good "--all"                      rework users --all -n all
step "--all and a target"         rework users --all same -n x
good "other plan by file"         tag o2 other.plan -n o2
good "rework in other plan"       rework users other -n o

# ---- no project ----------------------------------------------------------------
parity_init
step "no project"                 rework users -n x
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    printf '[core]\n\tengine = sqlite\n' > "$d/sqitch.conf"
done
step "no plan file"               rework users -n x

done_testing
