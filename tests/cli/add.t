#!/usr/bin/env bash
# `sqlitch add` on its own (no oracle): the built-in templates when no
# template directory is installed, nothing half-written when a template
# fails, sqlitch's own template messages, the note editor, and the
# --compat sqlitch layout.
. "$(dirname "$0")/../lib/tap.sh"

P=$TESTROOT/p
mkdir -p "$P" && cd "$P"
run_cmd SQLITCH init flipr --engine sqlite
is "$RC" 0 "init"

# ---- scripts from the templates ----------------------------------------------
run_cmd SQLITCH add widgets -n 'Widgets'
is "$RC" 0 "add: exit 0"
is "$OUT" 'Created deploy/widgets.sql
Created revert/widgets.sql
Created verify/widgets.sql
Added "widgets" to sqitch.plan' "add: output"
run_cmd SQLITCH add users -r widgets -r flips:x -x foo -n 'Users'
is "$(cat deploy/users.sql)" '-- Deploy flipr:users to sqlite
-- requires: widgets
-- requires: flips:x
-- conflicts: foo

BEGIN;

-- XXX Add DDLs here.

COMMIT;' "deploy script with dependencies"
like "$(tail -1 sqitch.plan)" '^users \[widgets flips:x !foo\] [0-9T:-]+Z Test User <test@example.com> # Users$' "plan line"

# The built-in templates are used when no system template directory
# exists: hide /etc/sqitch with a private mount namespace when possible.
hidden() { unshare -rm sh -c 'mount --bind "$1" /etc/sqitch && shift && exec "$@"' sh "$TESTROOT/noetc" "$@"; }
mkdir -p "$TESTROOT/noetc"
if hidden true 2>/dev/null; then
    ok "! hidden test -e /etc/sqitch/templates" "the system templates are hidden"
    for eng in sqlite pg mysql; do
        run_cmd hidden "$SQLITCH" add "bi_$eng" -t "$eng" -r widgets -n builtin
        is "$RC" 0 "built-in $eng templates: exit 0"
        ok "[ ! -e /etc/sqitch/templates ] || [ \"\$(cat deploy/bi_$eng.sql)\" = \"\$(sed -e 's/\\[% project %\\]/flipr/; s/\\[% change %\\]/bi_$eng/; s/\\[% engine %\\]/sqlite/' /etc/sqitch/templates/deploy/$eng.tmpl | sed -e '/FOREACH item IN requires/,/END -%\\]/c -- requires: widgets' -e '/FOREACH item IN conflicts/,/END -%\\]/d')\" ]" \
            "built-in $eng deploy = Debian's, rendered"
        is "$(cat revert/bi_$eng.sql)" "-- Revert flipr:bi_$eng from sqlite

BEGIN;

-- XXX Add DDLs here.

COMMIT;" "built-in $eng revert"
        is "$(cat verify/bi_$eng.sql)" "-- Verify flipr:bi_$eng on sqlite

BEGIN;

-- XXX Add verifications here.

ROLLBACK;" "built-in $eng verify"
    done
    run_cmd hidden "$SQLITCH" add bi_none -t oracle -n x
    is "$ERR" "Cannot find deploy template" "no built-in oracle templates"
else
    diag "cannot hide /etc/sqitch here (no user namespaces); built-ins covered by test_template"
fi

# ---- template failures write nothing ------------------------------------------
mkdir -p bad/deploy
printf 'x\n[%% IF x %%]\n' > bad/deploy/sqlite.tmpl
cp sqitch.plan plan.before
run_cmd SQLITCH add broken -n x --template-directory bad
is "$RC" 2 "bad template: exit 2"
is "$ERR" "Error executing bad/deploy/sqlite.tmpl: file error - parse error - input text line 2: unexpected end of input" "bad template: message"
ok "[ ! -e deploy/broken.sql ]" "bad template: no empty script"
ok "cmp -s sqitch.plan plan.before" "bad template: plan untouched"
printf '[%% INCLUDE other %%]\n' > bad/deploy/sqlite.tmpl
run_cmd SQLITCH add broken -n x --template-directory bad
is "$ERR" "Error executing bad/deploy/sqlite.tmpl: file error - parse error - input text line 1: INCLUDE is not supported in sqlitch templates
  [% INCLUDE other %]" "unsupported directive: message"
printf '[%% x = [1..1000000000] %%]\n' > bad/deploy/sqlite.tmpl
run_cmd SQLITCH add broken -n x --template-directory bad
is "$ERR" "Error executing bad/deploy/sqlite.tmpl: undef error - range [1..1000000000] is too large" "runaway range: message"
# a later script failing keeps the earlier ones, as sqitch does
mkdir -p bad2/revert
printf '[%% END %%]' > bad2/revert/sqlite.tmpl
run_cmd SQLITCH add half -n x --template-directory bad2
is "$OUT" "Created deploy/half.sql" "revert fails: deploy created first"
ok "[ -s deploy/half.sql ] && [ ! -e revert/half.sql ] && cmp -s sqitch.plan plan.before" "revert fails: no revert, plan untouched"
rm -f deploy/half.sql

# ---- the note editor -----------------------------------------------------------
cat > "$TESTROOT/ed" <<'SH'
#!/bin/sh
printf '%s' "$EDNOTE" >> "$1"
SH
chmod +x "$TESTROOT/ed"
EDNOTE=$'from the editor\n# ignored\n' EDITOR=$TESTROOT/ed run_cmd SQLITCH add edited
is "$RC" 0 "editor note: exit 0"
like "$(tail -1 sqitch.plan)" ' # from the editor$' "editor note stored"
cp sqitch.plan plan.before
EDNOTE='# nothing' EDITOR=$TESTROOT/ed run_cmd SQLITCH add aborted
is "$RC" 1 "empty note: exit 1"
is "$OUT" "Aborting due to empty note" "empty note: message on stdout"
ok "[ ! -e deploy/aborted.sql ] && cmp -s sqitch.plan plan.before" "empty note: nothing written"
EDITOR=$TESTROOT/ed EDNOTE=x run_cmd SQLITCH --quiet add aborted2 -n '  '
is "$RC" 0 "blank -n opens the editor"

# ---- --compat sqlitch layout -----------------------------------------------------
Q=$TESTROOT/q
mkdir -p "$Q" && cd "$Q"
run_cmd SQLITCH init flipr --engine sqlite --compat sqlitch
run_cmd SQLITCH add widgets -n w
is "$OUT" 'Created sqlitch/deploy/widgets.sql
Created sqlitch/revert/widgets.sql
Created sqlitch/verify/widgets.sql
Added "widgets" to sqlitch/sqlitch.plan' "compat sqlitch: scripts under sqlitch/"

done_testing
