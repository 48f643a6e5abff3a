#!/usr/bin/env bash
# Parity: `add` templates against the real sqitch -- system, user,
# --template-directory, add.template_directory, -t, add.template_name,
# --use, add.templates.*, extra script directories, --with/--without,
# template variables (add.variables, --set lists), template errors, and the
# template language as Template Toolkit renders it; every file compared.
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

done_testing
