#!/usr/bin/env bash
# engine: behaviour beyond byte parity (tests/parity/engine.t).
. "$(dirname "$0")/../lib/tap.sh"

cd "$TESTROOT" && mkdir p && cd p
"$SQLITCH" init flipr --engine sqlite >/dev/null

run_cmd SQLITCH engine add pg db:pg://u:pw@h/db --registry r --client c -s b=2 -s a=1
is "$RC" 0 "engine add with several options"
is "$(sed -n '/engine "pg"/,$p' sqitch.conf)" '[engine "pg"]
	target = db:pg://u:pw@h/db
	registry = r
	client = c
[engine "pg.variables"]
	a = 1
	b = 2' "keys in a fixed order, variables sorted"

run_cmd SQLITCH engine show pg
is "$(printf '%s\n' "$OUT" | sed -n '1,4p')" "* pg
    Target:        db:pg://u:@h/db
    Registry:      r
    Client:        c" "engine show: the target without its password"
like "$OUT" "  a: 1" "engine show: variables"

run_cmd SQLITCH -v engine list
is "$OUT" "pg	db:pg://u:@h/db" "engine -v: the target without its password"

# only Sqitch's engines are listed
printf '[engine "nope"]\n\ttarget = db:nope:\n' >> sqitch.conf
run_cmd SQLITCH engine
is "$OUT" "pg" "unknown engines are not listed"

run_cmd SQLITCH engine remove pg
is "$RC" 0 "engine remove"
ok "! grep -q 'engine \"pg' sqitch.conf" "section and variables removed"

run_cmd SQLITCH engine frob
is "$RC" 2 "unknown action: exit 2"
is "$(printf '%s\n' "$ERR" | head -1)" 'Unknown action "frob"' "unknown action: message"

done_testing
