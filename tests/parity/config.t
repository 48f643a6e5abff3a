#!/usr/bin/env bash
# Parity: `config` against the real sqitch -- every action and type, quirky
# values, multi-valued keys, sections and the usage errors; stdout, stderr,
# exit code and the resulting file bytes. (Scopes, hand-written files,
# discovery, bad files and the editor: config_files.t.)
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/parity.sh"

# User and system files live in the state dir (moved to $PWORK per run).
export SQITCH_USER_CONFIG=$PWORK/user.conf SQITCH_SYSTEM_CONFIG=$PWORK/sys/sqitch.conf
export EDITOR=true
unset SQITCH_EDITOR VISUAL

step() { parity "$@"; parity_tree "$1"; }
# Usage texts are our own words: compare only the error line.
usage() { PARITY_STDERR_FIRSTLINE=1 step "$@"; }

parity_init

# ---- empty project -------------------------------------------------------
step "get, no file"                 config core.engine
step "--get, no file"               config --get core.engine
step "list, nothing"                config --list
step "-l --local, no file"          config -l --local
step "set creates sqitch.conf"      config core.engine sqlite
step "get"                          config core.engine
step "--get"                        config --get core.engine
step "--get case-insensitive"       config --get CORE.ENGINE
step "set another"                  config core.top_dir migrations
step "set same key, other case"     config Core.Top_Dir db
step "new section keeps case"       config Foo.Bar baz
step "subsection"                   config engine.PG.target db:pg:flipr
step "subsection case differs"      config engine.pg.target db:pg:other
step "list"                         config --list
step "-l"                           config -l
step "--get missing"                config --get core.nope
step "--get missing, quiet"         --quiet config --get core.nope
step "--get-all missing"            config --get-all core.nope
step "--get no section"             config --get nosection
step "get no section"               config nosection
step "set no section"               config nosection value
step "--unset no section"           config --unset nosection
step "bad variable name +"          config a.b+ x
step "bad variable name blank"      config "a. b" x
step "bad section name"             config "a b.c" x
step "section 0"                    config 0.x y
step "name with blank"              config "a.b c" x
step "quoted name with dots"        config 'a."x.y"' v
step "deep subsection"              config a.b.c.d v

# ---- quirky values ---------------------------------------------------------
step "leading blank"                config q.lead " bar"
step "trailing blank"               config q.trail "bar "
step "semicolon"                    config q.semi "a;b"
step "hash"                         config q.hash "a#b"
step "double quote"                 config q.dq 'say "hi"'
step "backslash"                    config q.bs 'C:\dir\x'
step "tab"                          config q.tab "$(printf 'a\tb')"
step "newline"                      config q.nl "$(printf 'line1\nline2')"
step "empty value"                  config q.empty ""
step "zero"                         config q.zero 0
step "unicode"                      config q.uni "ünïcödé ✓"
step "unicode key"                  config q.Ñame value
step "many blanks"                  config q.blanks "a   b"
step "list quirky"                  config -l
step "get backslash"                config --get q.bs
step "get newline"                  config --get q.nl
step "get leading blank"            config --get q.lead
step "get zero"                     config --get q.zero
step "get empty"                    config --get q.empty

# ---- multi-valued keys -----------------------------------------------------
step "--add one"                    config --add m.k one
step "--add two"                    config --add m.k two
step "--add three"                  config --add M.K three
step "--get multi"                  config --get m.k
step "--get multi, regex"           config --get m.k '^t.o$'
step "--get multi, ! regex"         config --get m.k '!o$'
step "--get multi, !"               config --get m.k '!'
step "--get-all"                    config --get-all m.k
step "--get-all regex"              config --get-all m.k '^t'
step "--get-regex"                  config --get-regex '^m\.'
step "--get-regexp value regex"     config --get-regexp 'm|q' 'o'
step "--get-regex no match"         config --get-regex '^zzz'
step "set multi"                    config m.k four
step "set multi with regex"         config m.k TWO '^two$'
step "--replace-all regex"          config --replace-all m.k 3 'e$'
step "--add more"                   config --add m.k five
step "--unset multi"                config --unset m.k
step "--unset with regex"           config --unset m.k '^f'
step "--unset-all regex none"       config --unset-all m.k '^zzz'
step "--add again"                  config --add m.k six
step "--replace-all"                config --replace-all m.k all
step "--unset-all"                  config --unset-all m.k
step "--unset missing"              config --unset m.k
step "list after multi"             config -l

# ---- types -----------------------------------------------------------------
step "--bool yes"                   config --bool t.b yes
step "--bool 0"                     config --bool t.c 0
step "--bool bad"                   config --bool t.d maybe
step "--int 10k"                    config --int t.i 10k
step "--num 1.5"                    config --num t.n 1.5
step "--int bad"                    config --int t.j lots
step "--get --bool"                 config --get --bool t.b
step "--get --int"                  config --int --get t.i
step "--get --int of 1.5"           config --int --get t.n
step "--get --num"                  config --num --get t.n
step "--get --bool of int"          config --bool --get t.i
step "--get --int of bool"          config --int --get t.b
step "--get-all --bool"             config --bool --get-all t.b

# ---- sections --------------------------------------------------------------
step "rename section"               config --rename-section foo bar
step "rename subsection"            config --rename-section engine.PG engine.postgres
step "rename unknown"               config --rename-section nope x
step "remove section"               config --remove-section q
step "remove subsection"            config --remove-section engine.pg
step "remove unknown"               config --remove-section nope
step "remove section 0"             config --remove-section 0
step "list after sections"          config -l

# ---- usage errors (first line only) ----------------------------------------
usage "two scopes"                  config --local --user core.x
usage "two types"                   config --bool --int core.x
usage "two actions"                 config --get --list
usage "--get no key"                config --get
usage "--add one arg"               config --add x.y
usage "--rename one arg"            config --rename-section a
usage "--remove no arg"             config --remove-section
usage "--unset no arg"              config --unset
usage "--get-regex no arg"          config --get-regex
usage "unknown option"              config --bogus

done_testing
