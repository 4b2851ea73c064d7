#!/bin/bash
# SPDX-License-Identifier: MIT
# Load: 8 clients doing mixed mkdir / write / read / procs / readdir /
# rmdir through the mount for CGFS_LOAD_SECONDS (60): no unexpected error,
# no real cgroup left behind, the server's RSS flat within 10 % over the
# last third; where it still grew (an emulated guest warms up slowly), up
# to two more rounds of a third each, the last of which must be flat: a
# leak grows in every round.
. "$(dirname "$0")/../lib/lib.sh"

SECS=${CGFS_LOAD_SECONDS:-60}
OUT=$(mktemp /tmp/cgfs-out.XXXXXX)
test_cleanup() { rm -f "$OUT"; }
start_cgfs || exit 1
"$XOP" mkdir "$MNT/$ALICE" >/dev/null
assert_op "alice mkdir load" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/load"
S=$(server_pid)
# Resident memory from the page tables (smaps_rollup): VmRSS lags behind
# in threaded processes on older kernels (per-thread counters, 6.1).
rss() { awk '/^Rss:/ {print $2}' "/proc/$1/smaps_rollup"; }

as "$ALICE" setsid "$CGLOAD" -c 8 -t "$SECS" "$MNT/$ALICE/load" >"$OUT" 2>&1 &
L=$!
SPAWNED_GROUPS+=("$L")
# Two thirds warm up (every thread's buffer, the allocator's arenas, the
# node table at its working size; an emulated guest takes its time): the
# last third must be flat.
sleep $((SECS / 3))
r0=$(rss "$S")
sleep $((SECS / 3))
r1=$(rss "$S")
wait "$L"
rc=$?
r2=$(rss "$S")
cat "$OUT"
assert_eq "8 clients x ${SECS} s of mixed operations: no unexpected error" 0 "$rc"
ops=$(sed -n 's/^cgload: ops=\([0-9]*\).*/\1/p' "$OUT")
echo "# ${ops:-0} operations in ${SECS} s; server RSS ${r0} KiB after $((SECS / 3)) s, ${r1} KiB after $((2 * SECS / 3)) s, ${r2} KiB at the end"
[ "${ops:-0}" -gt 1000 ] && ok "clients did real work (${ops} ops)" || not_ok "too little work: ${ops:-0}"
assert_eq "the same server served throughout" "$S" "$(server_pid)"
if grep -aq "libasan\.so" "$CGFS"; then
	echo "# SKIP RSS flatness: this is the AddressSanitizer build, whose quarantine keeps freed memory (checked in the plain build)"
else
	flat() { [ -n "$1" ] && [ -n "$2" ] && [ "$2" -le $(($1 + $1 / 10)) ]; }
	round=0
	while ! flat "$r1" "$r2" && [ "$round" -lt 2 ]; do
		round=$((round + 1))
		as "$ALICE" setsid "$CGLOAD" -c 8 -t $((SECS / 3)) "$MNT/$ALICE/load" >"$OUT" 2>&1 &
		L=$!
		SPAWNED_GROUPS+=("$L")
		wait "$L"
		rc=$?
		r1=$r2
		r2=$(rss "$S")
		echo "# still growing: round $round more, RSS ${r1} -> ${r2} KiB"
		assert_eq "round $round: no unexpected error" 0 "$rc"
	done
	flat "$r1" "$r2" && ok "server RSS flat within 10 % over the last third (${r1} -> ${r2} KiB)" ||
		not_ok "server RSS grew: ${r1} -> ${r2} KiB"
fi
# Nothing left: the load dir holds only its leaf, in every hierarchy.
left=
for mp in $(serving_mounts); do
	n=$(find "$mp/$BASE/$ALICE/load" -mindepth 1 -maxdepth 1 -type d ! -name .self | wc -l)
	[ "$n" = 0 ] || left="$left $mp:$n"
done
assert_eq "no real cgroup left behind by the load" "" "$left"
assert_eq "the mount lists no group either" "" "$(ls "$MNT/$ALICE/load" | grep '^c[0-9]')"
