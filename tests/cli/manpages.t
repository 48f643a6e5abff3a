#!/usr/bin/env bash
# manpages.t -- the manual matches the program: every command has a page
# that `sqlitch help <cmd>` shows, with SYNOPSIS and OPTIONS sections (what
# a usage error prints), every option in a command's option table
# (shell/cmd_*.c) is documented on its page, and every page renders with
# man(1) without warnings.
. "$(dirname "$0")/../lib/tap.sh"

command -v python3 >/dev/null || { echo "Bail out! python3 is needed"; exit 1; }

cmds=$(sed -n 's/^const sh_cmd sh_cmd_[a-z_]* = {"\([a-z-]*\)".*/\1/p' "$REPO"/shell/*.c | sort)
ok '[ "$(echo "$cmds" | wc -l)" -ge 21 ]' "found the command table entries"

for c in $cmds; do
    page=$REPO/docs/man/sqlitch-$c.1.md
    ok '[ -f "$page" ]' "$c: has docs/man/sqlitch-$c.1.md"
    run_cmd SQLITCH help "$c"
    is "$RC" 0 "$c: sqlitch help $c exits 0"
    like "$OUT" "sqlitch-$c - " "$c: help shows the page's NAME line"
    ok 'grep -q "^# SYNOPSIS$" "$page" && grep -q "^# OPTIONS$" "$page"' "$c: page has SYNOPSIS and OPTIONS"
done

# a bad option prints the SYNOPSIS and OPTIONS of the command's page
for c in deploy init config target upgrade; do
    run_cmd SQLITCH "$c" --no-such-option
    is "$RC" 2 "$c --no-such-option: exit 2"
    like "$ERR" $'^Unknown option: no-such-option\nSYNOPSIS\n.*\nOPTIONS\n' "$c --no-such-option: SYNOPSIS and OPTIONS"
done

# every option name and alias of every command is on its page
missing=$(python3 - "$REPO" <<'EOF'
import re, sys, os, glob
repo = sys.argv[1]
macros = {}
for h in glob.glob(repo + '/shell/*.h'):
    for m in re.finditer(r'#define (SH_[A-Z_]+_OPTS)\s+((?:.*\\\n)*.*)', open(h).read()):
        macros[m.group(1)] = m.group(2).replace('\\\n', ' ')
def expand(body):
    for _ in range(5):
        body = re.sub(r'\b(SH_[A-Z_]+_OPTS)\b', lambda m: macros.get(m.group(1), ''), body)
    return body
out = []
for f in sorted(glob.glob(repo + '/shell/cmd_*.c')) + [repo + '/shell/help.c']:
    src = open(f).read()
    cmd = re.search(r'const sh_cmd sh_cmd_\w+ = \{\s*"([^"]+)"', src)
    table = re.search(r'static const char \*const \w*opts\[\]\s*=\s*\{(.*?)\};', src, re.S)
    if not cmd or not table:
        continue
    page = '%s/docs/man/sqlitch-%s.1.md' % (repo, cmd.group(1))
    text = open(page).read() if os.path.exists(page) else ''
    for spec in re.findall(r'"([^"]+)"', expand(table.group(1))):
        for n in re.split(r'[=:!+]', spec)[0].split('|'):
            flag = ('--' if len(n) > 1 else '-') + n
            if '`%s`' % flag not in text:
                out.append('%s %s' % (cmd.group(1), flag))
print(' '.join(out))
EOF
)
is "$missing" "" "every option and alias of every command is documented"

# the pages render (tools/md2man output, as `make` builds it)
if command -v man >/dev/null; then
    bad=""
    for md in "$REPO"/docs/man/*.md; do
        roff=$TESTROOT/$(basename "$md" .md)
        sh "$REPO/tools/md2man" "$md" > "$roff"
        w=$(MANWIDTH=80 man --warnings -l "$roff" 2>&1 >/dev/null)
        [ -n "$w" ] && bad="$bad $(basename "$md")"
    done
    is "$bad" "" "every page renders with man -l without warnings"
else
    echo "ok $((_tap_n += 1)) # skip man is not installed"
fi

# global options of sqlitch(1) and the guides exist
run_cmd SQLITCH --man
like "$OUT" 'sqlitch - database change management' "--man shows sqlitch(1)"
like "$OUT" '--log-format' "sqlitch(1) documents --log-format"
run_cmd SQLITCH help --guide
like "$OUT" 'sqlitch-configuration\(5\)' "help --guide lists the guides"

done_testing
