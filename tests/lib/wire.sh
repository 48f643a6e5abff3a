# wire.sh -- for the tests of sqlitch's in-process database clients
# (tests/engine/pg-wire.t, mysql-wire.t): run a command through the client
# library and then in process, and hold the two to the same output. Source
# after tap.sh and set, before the first call:
#
#   WIRE_ENV=SQLITCH_PG_WIRE   # the variable that turns the client off
#   WIRE_LIB=libpq             # the library's name, as -vvv says it
#   DIR=$FX                    # where the commands run
#
#   in_process "status" status           # same bytes; the library unused
#   via_lib "why" "name" status ...      # same bytes; the library connected
#   BETWEEN=fn in_process ...            # fn runs between the runs
#
# compare NAME ARGS... : ARGS in $DIR through the library, then in process.
# Both must print the same bytes and exit the same. Sets LIB (1 when the
# second run loaded the library), ROUTE (what -vvv says of the registry
# connection), OUT/ERR/RC (the second run).
compare() {
    local name=$1 rc1 f; shift
    (cd "$DIR" && env "$WIRE_ENV=0" "$SQLITCH" "$@" >"$TESTROOT/o1" 2>"$TESTROOT/e1" </dev/null)
    rc1=$?
    ${BETWEEN:-:}
    rm -f "$TESTROOT"/ld.*
    (cd "$DIR" && LD_DEBUG=files LD_DEBUG_OUTPUT=$TESTROOT/ld "$SQLITCH" "$@" \
        >"$TESTROOT/o2" 2>"$TESTROOT/e2" </dev/null)
    RC=$?
    for f in o e; do
        ok "cmp -s '$TESTROOT/${f}1' '$TESTROOT/${f}2'" "$name: $([ $f = o ] && echo stdout || echo stderr)"
        cmp -s "$TESTROOT/${f}1" "$TESTROOT/${f}2" ||
            diff -u "$TESTROOT/${f}1" "$TESTROOT/${f}2" | head -30 | sed 's/^/# /'
    done
    is "$RC" "$rc1" "$name: exit code"
    LIB=0
    grep -qs "file=$WIRE_LIB\\.so" "$TESTROOT"/ld.* && LIB=1
    OUT=$(cat "$TESTROOT/o2") ERR=$(cat "$TESTROOT/e2")
    ${BETWEEN:-:}
    ROUTE=$(cd "$DIR" && "$SQLITCH" -vvv "$@" 2>&1 </dev/null |
        sed -n 's/^trace: registry connection //p' | head -1)
}

# in_process NAME ARGS... : compare, and the second run had no library
in_process() {
    compare "$@"
    is "$LIB" 0 "$1: $WIRE_LIB not loaded"
    is "$ROUTE" "in process" "$1: -vvv says in process"
}

# via_lib WHY NAME ARGS... : compare, and the library made the connection
via_lib() {
    local why=$1; shift
    compare "$@"
    is "$LIB" 1 "$1: $WIRE_LIB loaded"
    is "$ROUTE" "through $WIRE_LIB: $why" "$1: -vvv says why"
}
