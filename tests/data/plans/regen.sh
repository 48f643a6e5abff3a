#!/usr/bin/env bash
# regen.sh -- regenerate the golden outputs of the plan fixtures by running
# the REAL sqitch 1.3.1 (the oracle) on them. tests/unit/test_plan.c
# compares sqlitch's plan core against these files. Run it after adding or
# changing a fixture, check the diff, and commit the results.
#
#   tests/data/plans/regen.sh            # everything
#   tests/data/plans/regen.sh deps       # only fixtures whose name has "deps"
#
# Fixtures and what is generated for each (file "sqitch.plan" in a scratch
# project, planner "Bob Planner <bob@example.com>", clock frozen at
# 2024-02-03 04:05:06 UTC):
#
#   NAME.plan          input
#   NAME.ids           `sqitch plan --no-headers --format 'format:%H %n%t'`
#   NAME.err, NAME.rc  its stderr and exit code (parse errors live here)
#   NAME.rewrite       the plan as Sqitch writes it back (`sqitch tag` of a
#                      throw-away tag, whose line is then removed)
#   NAME.show          `sqitch show change ID` / `sqitch show tag @T` for
#                      every change and tag ("== change ID" headers)
#   NAME.lookups.in    lookup specs, one per line (hand-written) ->
#   NAME.lookups       `sqitch show change SPEC`: rc, stdout, stderr
#   edits/N.args       base fixture, then sqitch's argv one per line ->
#   edits/N.plan, N.stderr, N.rc   the plan file afterwards, stderr, exit
#   uris.in            %uri values, one per line ->
#   uris.out           "value<TAB>uri line of `sqitch show change`"
#   scripts/           a project with reworked script files; specs.in ->
#                      specs.out: `sqitch show deploy SPEC` per spec
set -u
cd "$(dirname "$0")"
HERE=$PWD
ONLY=${1:-}
command -v sqitch >/dev/null || { echo "regen.sh: sqitch is not installed" >&2; exit 1; }
FT=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
[ -n "$FT" ] || { echo "regen.sh: libfaketime is not installed" >&2; exit 1; }

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export HOME=$W/home SQITCH_FULLNAME="Bob Planner" SQITCH_EMAIL=bob@example.com TZ=UTC
unset SQITCH_CONFIG SQITCH_USER_CONFIG SQITCH_SYSTEM_CONFIG SQITCH_TARGET
mkdir -p "$HOME"

# fresh DIR PLANFILE: a scratch project holding PLANFILE as sqitch.plan
fresh() {
    rm -rf "$1"
    mkdir -p "$1"
    cp "$2" "$1/sqitch.plan"
    printf '[core]\n\tengine = sqlite\n' >"$1/sqitch.conf"
}

# sq DIR ARGS...: run sqitch in DIR with the frozen clock
sq() {
    local d=$1
    shift
    (cd "$d" && LD_PRELOAD=$FT FAKETIME="2024-02-03 04:05:06" FAKETIME_NO_CACHE=1 \
        sqitch "$@" </dev/null)
}

for f in *.plan; do
    n=${f%.plan}
    [ -n "$ONLY" ] && [[ $n != *$ONLY* ]] && continue
    echo "  $n"
    d=$W/p
    fresh "$d" "$f"
    sq "$d" plan --no-headers --format 'format:%H %n%t' >"$n.ids" 2>"$n.err"
    echo $? >"$n.rc"
    rc=$(cat "$n.rc")
    rm -f "$n.rewrite" "$n.show" "$n.lookups"
    [ "$rc" = 0 ] || [ "$rc" = 1 ] || continue

    # rewrite: add a throw-away tag (or change, for a plan without changes)
    # and drop its line again
    if [ "$rc" = 0 ]; then
        sq "$d" tag zzgolden -n x >/dev/null 2>&1 || echo "    tag failed"
        grep -v '^@zzgolden ' "$d/sqitch.plan" >"$n.rewrite"
    else
        sq "$d" add zzgolden -n x >/dev/null 2>&1 || echo "    add failed"
        grep -v '^zzgolden ' "$d/sqitch.plan" >"$n.rewrite"
    fi

    fresh "$d" "$f"
    [ "$rc" = 0 ] || continue
    : >"$n.show"
    while read -r id rest; do
        echo "== change $id" >>"$n.show"
        sq "$d" show change "$id" >>"$n.show" 2>&1
        for t in $rest; do
            t=${t%,}
            case $t in @*)
                echo "== tag $t" >>"$n.show"
                sq "$d" show tag "$t" >>"$n.show" 2>&1 ;;
            esac
        done
    done <"$n.ids"

    if [ -f "$n.lookups.in" ]; then
        : >"$n.lookups"
        while IFS= read -r spec; do
            sq "$d" show change "$spec" >"$W/o" 2>"$W/e"
            rc=$?
            { echo "== $spec"; echo "rc=$rc"; cat "$W/o"; echo "-- stderr"; cat "$W/e"; } >>"$n.lookups"
        done <"$n.lookups.in"
    fi
done

for a in edits/*.args; do
    n=${a%.args}
    [ -n "$ONLY" ] && [[ $n != *$ONLY* ]] && continue
    echo "  $n"
    base=$(head -1 "$a")
    d=$W/e
    fresh "$d" "$base"
    mapfile -t args < <(tail -n +2 "$a")
    sq "$d" "${args[@]}" >/dev/null 2>"$n.stderr"
    echo $? >"$n.rc"
    cp "$d/sqitch.plan" "$n.plan"
done

if [ -z "$ONLY" ] || [[ uris == *$ONLY* ]]; then
    echo "  uris"
    : >uris.out
    while IFS= read -r u; do
        d=$W/u
        printf '%%project=u\n%%uri=%s\n\na 2024-01-01T00:00:00Z Bob <b@x>\n' "$u" >"$W/u.plan"
        fresh "$d" "$W/u.plan"
        line=$(sq "$d" show change a 2>&1 | grep '^uri ' || echo "(none)")
        printf '%s\t%s\n' "$u" "$line" >>uris.out
    done <uris.in
fi

if [ -z "$ONLY" ] || [[ scripts == *$ONLY* ]]; then
    echo "  scripts"
    d=$W/s
    rm -rf "$d"
    cp -a scripts "$d"
    printf '[core]\n\tengine = sqlite\n' >"$d/sqitch.conf"
    : >scripts/specs.out
    while IFS= read -r spec; do
        { echo "== $spec"; sq "$d" show deploy "$spec" 2>&1; echo "rc=$?"; } >>scripts/specs.out
    done <scripts/specs.in
fi
