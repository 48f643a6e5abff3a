#!/usr/bin/env bash
# init: what sqlitch does beyond (or instead of) sqitch -- deterministic
# variable order, no partial config on failure, no temporary files left.
# Byte parity with sqitch is in tests/parity/init.t.
. "$(dirname "$0")/../lib/tap.sh"

cd "$TESTROOT" && mkdir p1 && cd p1
run_cmd SQLITCH init flipr --engine sqlite -s c=3 -s a=1 -s b=2 -s a=0
is "$RC" 0 "init with several --set"
is "$(sed -n '/variables/,/#/p' sqitch.conf)" '[core "variables"]
	a = 0
	b = 2
	c = 3
	# plan_file = sqitch.plan' "variables sorted by name, the last value wins"
ok "[ -z \"\$(ls -A | grep sqlitch-)\" ]" "no temporary files left"

cd "$TESTROOT" && mkdir p2 && cd p2
run_cmd SQLITCH init flipr --target db:foo:
is "$RC" 2 "unknown engine in --target: exit 2"
is "$ERR" "Unable to load App::Sqitch::Engine::foo" "... one clean line"
ok "[ -z \"\$(ls -A)\" ]" "... and nothing written (sqitch leaves a partial sqitch.conf)"

run_cmd env PATH=/nonexistent "$SQLITCH" init flipr --engine firebird
is "$RC" 2 "firebird without a client on PATH: exit 2"
is "$ERR" 'Unable to locate Firebird ISQL; set "engine.firebird.client" via sqitch config' \
    "... Sqitch's message"
ok "[ -z \"\$(ls -A)\" ]" "... and nothing written"

run_cmd SQLITCH init flipr --engine nope
is "$RC:$ERR" '255:Unknown engine "nope"' "unknown engine: exit 255, no stack trace"
run_cmd SQLITCH init flipr --dir nope=x
is "$RC:$ERR" '255:Unknown directory name: nope' "unknown directory: exit 255"
run_cmd SQLITCH init
is "$RC" 2 "no project: usage, exit 2"
like "$ERR" "sqlitch init" "... the usage names the command"

# the config file is written in one step: a read-only directory fails
# cleanly and leaves nothing behind
if [ "$(id -u)" != 0 ]; then
    mkdir ro && chmod 555 ro && cd ro
    run_cmd SQLITCH init flipr --engine sqlite
    ok "[ $RC -ne 0 ]" "read-only directory: fails"
    ok "[ -z \"\$(ls -A)\" ]" "read-only directory: nothing written"
    cd .. && chmod 755 ro
fi

# a symlinked sqitch.conf is followed, as Config::GitLike does
cd "$TESTROOT" && mkdir p3 && cd p3
"$SQLITCH" init flipr --engine sqlite >/dev/null
mv sqitch.conf real.conf && ln -s real.conf sqitch.conf
run_cmd SQLITCH target add dev db:sqlite:dev.db
is "$RC" 0 "target add through a symlinked sqitch.conf"
ok "[ -L sqitch.conf ] && grep -q 'db:sqlite:dev.db' real.conf" "the link's target was written"

done_testing
