#!/usr/bin/env bash
# tutorial.t -- run docs/tutorial.md exactly as written: every ```sh block
# in order, in one working directory that carries over from block to block,
# with `sqlitch` on PATH. Each block must exit 0 (or the N of a
# "```sh exit=N" fence), and when an untagged ``` block follows it, the
# combined stdout and stderr must match that block. IDs, abbreviated IDs and
# dates are masked on both sides (the reader's differ), as are trailing
# blanks (editors strip them).
. "$(dirname "$0")/../lib/tap.sh"

DOC=$REPO/docs/tutorial.md
[ -f "$DOC" ] || { echo "Bail out! $DOC is missing"; exit 1; }
command -v sqlite3 >/dev/null || { echo "Bail out! sqlite3 is needed"; exit 1; }

# A reader's environment: sqlitch on PATH, their own ~/.sqitch, no identity
# preset (the tutorial sets it), no system configuration.
mkdir -p "$TESTROOT/bin" "$TESTROOT/blocks" "$TESTROOT/work"
if [ -n "${SQLITCH_ASAN_PRELOAD:-}" ]; then
    # sanitizer build: the sqlite3 that `sqlitch shell` runs is not
    # instrumented, so it needs the ASan runtime preloaded to load the
    # extension (exec keeps /proc/self/exe, where shell finds sqlitch.so)
    printf '#!/bin/sh\nLD_PRELOAD=%s exec %s "$@"\n' "$SQLITCH_ASAN_PRELOAD" "$SQLITCH" > "$TESTROOT/bin/sqlitch"
    chmod +x "$TESTROOT/bin/sqlitch"
else
    ln -s "$SQLITCH" "$TESTROOT/bin/sqlitch"
fi
export PATH=$TESTROOT/bin:$PATH
unset SQITCH_USER_CONFIG SQITCH_FULLNAME SQITCH_EMAIL

# Split the document: blocks/NNN.sh (commands), NNN.rc (expected exit
# code), NNN.out (expected output, when a plain block follows).
awk -v dir="$TESTROOT/blocks" '
  function flush_pending() { pending = 0 }
  /^```/ {
    if (!inblock) {
      info = substr($0, 4); inblock = 1
      if (info ~ /^sh( |$)/) {
        n++; kind = "sh"; file = sprintf("%s/%03d.sh", dir, n)
        rc = 0; if (match(info, /exit=[0-9]+/)) rc = substr(info, RSTART + 5, RLENGTH - 5)
        printf "%d\n", rc > sprintf("%s/%03d.rc", dir, n)
        printf "" > file
      } else if (info == "" && pending) {
        kind = "out"; file = sprintf("%s/%03d.out", dir, n); printf "" > file
      } else {
        kind = "other"
      }
      pending = 0
      next
    }
    inblock = 0
    if (kind == "sh") pending = 1
    close(file)
    next
  }
  inblock && kind != "other" { print > file; next }
  inblock { next }
  /^[[:space:]]*$/ { next }
  { pending = 0 }
' "$DOC"

n=$(ls "$TESTROOT"/blocks/*.sh 2>/dev/null | wc -l)
ok '[ "$n" -ge 20 ]' "the tutorial has its command blocks ($n)"

mask() {
    sed -E -e 's/[[:space:]]+$//' \
        -e 's/\b[0-9a-f]{40}\b/<ID>/g' -e 's/\b[0-9a-f]{6,7}\b/<ID>/g' \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}/<DATE>/g' \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/<DATE>/g' "$1" |
        sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}'
}

echo "$TESTROOT/work" > "$TESTROOT/cwd"
for sh in "$TESTROOT"/blocks/*.sh; do
    b=${sh%.sh}; name="block $(basename "$b"): $(head -1 "$sh")"
    bash -e -c 'trap "pwd > \"$3\"" EXIT; cd "$1"; . "$2"' _ \
        "$(cat "$TESTROOT/cwd")" "$sh" "$TESTROOT/cwd" >"$b.got" 2>&1 </dev/null
    rc=$?
    is "$rc" "$(cat "$b.rc")" "$name: exit code"
    if [ -f "$b.out" ]; then
        is "$(mask "$b.got")" "$(mask "$b.out")" "$name: output as shown"
    fi
done

# the tutorial really left a deployed database behind
cd "$(cat "$TESTROOT/cwd")"
is "$(sqlite3 flipr.db 'SELECT nickname FROM users')" "marge" "the data inserted in the tutorial is there"
is "$(sqlite3 sqitch.db 'SELECT count(*) FROM changes')" "2" "both changes recorded in the registry"

done_testing
