#!/usr/bin/env bash
# target: behaviour beyond byte parity (tests/parity/target.t) -- several
# options written in one fixed order (sqitch: Perl hash order), one atomic
# config write, URIs shown without passwords.
. "$(dirname "$0")/../lib/tap.sh"

cd "$TESTROOT" && mkdir p && cd p
"$SQLITCH" init flipr --engine sqlite >/dev/null

run_cmd SQLITCH target add dev db:sqlite:dev.db --registry r --client c \
    --extension e --top-dir t --plan-file t/p.plan --dir revert=r2 \
    --dir deploy=d2 -s z=1 -s y=2
is "$RC" 0 "target add with every option"
is "$OUT" "Created t/
Created t/p.plan
Created t/deploy/
Created t/revert/
Created t/verify/" "plan and directories created (--top-dir wins, as in sqitch)"
is "$(sed -n '/target "dev"/,$p' sqitch.conf)" '[target "dev"]
	uri = db:sqlite:dev.db
	plan_file = t/p.plan
	registry = r
	client = c
	extension = e
	top_dir = t
	deploy_dir = d2
	revert_dir = r2
[target "dev.variables"]
	y = 2
	z = 1' "keys in a fixed order, variables sorted"
is "$(head -2 t/p.plan)" "%syntax-version=1.0.0
%project=flipr" "the new plan copies the project of the default plan"
ok "[ -z \"\$(ls -A | grep sqlitch-)\" ]" "no temporary files left"

run_cmd SQLITCH target show dev
is "$OUT" "* dev
    URI:           db:sqlite:dev.db
    Registry:      r
    Client:        c
    Top Directory: t
    Plan File:     t/p.plan
    Extension:     e
    Script Directories:
      Deploy:      d2
      Revert:      r2
      Verify:      t/verify
    Reworked Script Directories:
      Reworked:    t
      Deploy:      t/deploy
      Revert:      t/revert
      Verify:      t/verify
    Variables:
  y: 2
  z: 1" "target show"

# a URI that is not a db: URI in the config: listed without its password
printf '[target "odd"]\n\turi = http://u:pw@x/\n[target "odd2"]\n\turi = x y\n' >> sqitch.conf
run_cmd SQLITCH -v target
is "$OUT" "dev	db:sqlite:dev.db
odd	http://u:@x/
odd2	x y" "other URIs: as written, less any password"

run_cmd SQLITCH target frob
is "$RC" 2 "unknown action: exit 2"
is "$(printf '%s\n' "$ERR" | head -1)" 'Unknown action "frob"' "unknown action: message first"

run_cmd SQLITCH target execute
is "$(printf '%s\n' "$ERR" | head -1)" 'Unknown action "execute"' \
    "only real actions are dispatched"

done_testing
