#!/usr/bin/env bash
# Parity: `add` against the real sqitch -- dependencies, notes and their
# escapes, names with slashes, templates (system, user, --template-directory,
# add.template_directory, -t, add.template_name, --use, add.templates.*,
# extra script directories, --with/--without), template variables
# (add.variables, --set lists), the note editor and --open-editor, targets
# and plan files, and the errors; stdout, stderr, exit code and every file.
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
usage() { PARITY_FILTER='/^Usage/,$d' step "$@"; }
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

# ---- --with / --without ------------------------------------------------------
good "--without verify"           add nover --without verify -n x
good "--without deploy revert"    add onlyver --without deploy --without revert -n x
good "--with unknown"             add withfoo --with foo -n x
good "--with verify --without verify" add wv --with verify --without verify -n x
good "--without everything"       add nothing --without deploy --without revert --without verify -n x

# ---- templates ---------------------------------------------------------------
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    mkdir -p "$d/tmpl/deploy" "$d/tmpl/extra" "$d/tmpl/empty" "$d/tmpl2/revert"
    cat > "$d/tmpl/deploy/sqlite.tmpl" <<'T'
-- custom deploy [% change %] ([% project %]/[% engine %])
[% IF requires %]has requires: [% requires.join(', ') %][% ELSE %]no requires[% END %]
[% FOREACH r IN requires -%]
R=[% r %]
[% END -%]
foo=[% foo %] list=[% FOREACH f IN multi %]<[% f %]>[% END %]
[%# a comment -%]
size=[% requires.size %] conflicts=[% conflicts.join(',') %] first=[% requires.first %]
[%- IF conflicts.size > 0 %] (has conflicts)[% END %]
[% UNLESS foo %]no foo[% END -%]
[% FOR c IN conflicts; loop.count _ ':' _ c; ' '; END %]
upper=[% change.upper %] len=[% change.length %] [% 'lit' _ "eral" %]
T
    printf 'extra for [%% change %%] on [%% engine %%]\n' > "$d/tmpl/extra/sqlite.tmpl"
    printf 'pg extra for [%% change %%]\n' > "$d/tmpl/extra/pg.tmpl"
    printf 'custom revert [%% change %%]\n' > "$d/tmpl2/revert/sqlite.tmpl"
    printf 'used deploy [%% change %%] [%% requires.join %%]\n' > "$d/use-deploy.tmpl"
    printf 'used verify [%% change %%]\n' > "$d/use-verify.tmpl"
done
good "custom template dir"        add thing1 -r widgets -r users -x ext:y -n n --template-directory tmpl --set foo=bar --set multi=a --set multi=b
good "custom, no deps, one set"   add thing2 -n n --template-directory tmpl --set multi=a
good "custom, no vars"            add thing3 -n n --template-directory tmpl/
good "custom with -t pg"          add thing4 -n n --template-directory tmpl -t pg
good "-t pg system templates"     add pgstyle -n n -t pg
good "--template mysql"           add mystyle -n n --template mysql
good "--use"                      add used -r widgets -n n --use deploy=use-deploy.tmpl --use verify=use-verify.tmpl
good "--use repeated key"         add used2 -n n --use deploy=use-verify.tmpl --use deploy=use-deploy.tmpl
good "--use extra script"         add used3 -n n --use other=use-verify.tmpl
good "--use and --without"        add used4 -n n --use other=use-verify.tmpl --without other
good "--set change is overridden" add setchg -n n --template-directory tmpl --set change=zzz --set foo=f
good "--set with = in value"      add seteq -n n --template-directory tmpl --set foo=a=b

good "config template_directory"  config add.template_directory tmpl
good "add with config dir"        add cfgdir -n n --set foo=x
good "option beats config dir"    add cfgdir2 -n n --template-directory tmpl2
good "unset template_directory"   config --unset add.template_directory
good "config template_name"       config add.template_name pg
good "add with config name"       add cfgname -n n
good "-t beats config name"       add cfgname2 -n n -t sqlite
good "unset template_name"        config --unset add.template_name
good "config templates.deploy"    config add.templates.deploy use-deploy.tmpl
good "add with config templates"  add cfgtmpl -n n
good "--use beats config"         add cfgtmpl2 -n n --use deploy=use-verify.tmpl
good "config templates missing"   config add.templates.verify missing.tmpl
conf_err "missing config template" add cfgtmpl3 -n n
good "unset templates"            config --remove-section add.templates
good "config variables"           config add.variables.foo fromconfig
good "config variables 2"         config add.variables.Multi one
good "add with variables"         add cfgvars -n n --template-directory tmpl
good "--set beats variables"      add cfgvars2 -n n --template-directory tmpl --set foo=fromset
good "config multi variable"      config --add add.variables.multi x1
good "config multi variable 2"    config --add add.variables.multi x2
good "add with list variable"     add cfgvars3 -n n --template-directory tmpl
good "unset variables"            config --remove-section add.variables

# user templates (~/.sqitch/templates), below --template-directory
mkdir -p "$HOME/.sqitch/templates/deploy" "$HOME/.sqitch/templates/user"
printf 'user deploy [%% change %%]\n' > "$HOME/.sqitch/templates/deploy/sqlite.tmpl"
printf 'user script [%% change %%]\n' > "$HOME/.sqitch/templates/user/sqlite.tmpl"
good "user templates"             add usertmpl -n n
good "template dir beats user"    add usertmpl2 -n n --template-directory tmpl
rm -rf "$HOME/.sqitch"

# template errors: sqitch leaves an empty script behind, sqlitch does not
tmpl_err() {
    local name=$1 src=$2; shift 2
    for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
        mkdir -p "$d/bad/deploy"; printf '%s' "$src" > "$d/bad/deploy/sqlite.tmpl"
    done
    parity "$name" "$@"
    ok "[ ! -e '$(parity_dir_sqlitch)/deploy/badt.sql' ]" "$name: no empty script"
    rm -f "$(parity_dir_sqitch)/deploy/badt.sql"
    parity_tree "$name"
}
tmpl_err "template: unclosed IF"  $'x\n[% IF x %]\n' add badt -n n --template-directory bad
tmpl_err "template: stray END"    $'a\n\n[% END %]\n' add badt -n n --template-directory bad
tmpl_err "template: bad call"     $'[% foo( %]' add badt -n n --template-directory bad
tmpl_err "template: end of directive" $'[% FOREACH %]' add badt -n n --template-directory bad
tmpl_err "template: ELSE twice"   $'[% IF 1 %]\n[% ELSE %]\n[% ELSE %]\n[% END %]' add badt -n n --template-directory bad
rm -rf "$(parity_dir_sqitch)/bad" "$(parity_dir_sqlitch)/bad"

# more of the language, compared with Template Toolkit's output
for d in "$(parity_dir_sqitch)" "$(parity_dir_sqlitch)"; do
    mkdir -p "$d/lang/deploy"
    cat > "$d/lang/deploy/sqlite.tmpl" <<'T'
A
  [%- change -%]  
  B  [%~ change ~%]  

 C [%= change =%]  

 D
[% x = requires.reverse; x.join('|') %] [% requires.0 %] [% requires.-1 %] [% requires.size > 1 ? 'many' : 'few' %]
[% FOREACH r IN requires %][% NEXT IF loop.first %][% loop.index %]:[% r %][% LAST IF loop.count > 2 %] [% END %]
[% IF change == 'lang' AND NOT conflicts.size %]eq[% ELSIF change %]other[% END %]
[% 1 + 2 * 3 %] [% 7 div 2 %] [% 7 % 3 %] [% '3' _ 1 + 2 %] [% 10 / 4 %]
[% s = "q $change ${project}\t"; s %]|[% s.length %]|[% s.trim %]|[% s.length %]
[% y = ['b'..'e']; y.join(',') %] [% FOREACH i IN [1..3] %][% i %][% END %]
[% change.replace('a', 'A') %] [% project.split('i').join('+') %] [% requires.sort.join %] [% requires.unique.size %]
[% requires.join(', ') | upper %] [% change | html %] [% 'it\'s' %]
[% DEFAULT d = 'dflt'; d %] [% SET e = 'set'; e %] [% change IF requires %]
T
done
good "template language"          add lang -r widgets -r users -r widgets -n n --template-directory lang
good "template language, no deps" add lang2 -n n --template-directory lang
rm -rf "$(parity_dir_sqitch)/lang" "$(parity_dir_sqlitch)/lang"

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
    good "editor after templates" add edited5 --template-directory tmpl --without verify
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
good "add to deep target"         add in/deep deep -n n --template-directory tmpl
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

