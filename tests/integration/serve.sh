#!/bin/bash
# SPDX-License-Identifier: MIT
# The session loop (src/serve.c) through bench/nullfs, which runs it with
# a file whose read takes 300 ms: one worker reads the device at a time,
# and a request that takes long hands the reading on, so it holds up no
# other caller. With -s (one worker) it does, as it must.
#
# Usage: serve.sh NULLFS XOP
set -u
NULLFS=${1:?nullfs binary}
XOP=${2:?xop binary}
T_PASS=0 T_FAIL=0
MNT=$(mktemp -d /tmp/cgfs-null.XXXXXX)
PIDS=()
ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	grep -q " $MNT fuse" /proc/mounts && { fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"; }
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rmdir "$MNT"
}
trap cleanup EXIT

mount_null() {
	"$NULLFS" -f "$@" "$MNT" &
	PIDS+=($!)
	local i
	for i in $(seq 1 100); do
		grep -q " $MNT fuse" /proc/mounts && return 0
		sleep 0.05
	done
	echo "nullfs did not mount"
	return 1
}
unmount_null() {
	fusermount3 -u "$MNT"
	wait "${PIDS[-1]}"
	[ $? = 0 ] && ok "nullfs $1 exited 0 at unmount" || not_ok "nullfs $1 did not exit 0"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# knob_while_slow: ms a knob read takes while a read of slow is in flight.
knob_while_slow() {
	local t0 t1 slow
	"$XOP" read "$MNT/slow" >/dev/null &
	slow=$!
	sleep 0.05 # it is being served
	t0=$(now_ms)
	"$XOP" read "$MNT/knob" >/dev/null
	t1=$(now_ms)
	wait "$slow"
	echo $((t1 - t0))
}

mount_null || exit 1
[ "$("$XOP" read "$MNT/knob")" = $'OK\n512' ] && ok "nullfs answers" || not_ok "nullfs does not answer"
t=$(knob_while_slow)
echo "# a knob read while a slow read is served: $t ms"
# 300 ms would be a wait for the slow one; the hand-over comes after 2 ms.
[ "$t" -lt 150 ] && ok "a slow request holds up no other (the pool hands the reading on)" ||
	not_ok "a knob read waited $t ms behind a slow request"
# Parallel callers are all served.
for i in 1 2 3 4; do
	( for j in $(seq 1 200); do "$XOP" read "$MNT/knob" >/dev/null || exit 1; done ) &
	PIDS+=($!)
done
fails=0
for p in "${PIDS[@]: -4}"; do wait "$p" || fails=$((fails + 1)); done
[ "$fails" = 0 ] && ok "4 parallel callers, 200 reads each: all answered" ||
	not_ok "$fails of 4 parallel callers failed"
unmount_null pool

mount_null -s || exit 1
t=$(knob_while_slow)
echo "# -s: a knob read while a slow read is served: $t ms"
[ "$t" -ge 150 ] && ok "-s: one worker, so the knob read waits for the slow one ($t ms)" ||
	not_ok "-s: the knob read did not wait ($t ms): is there more than one worker?"
unmount_null -s

echo "# $T_PASS passed, $T_FAIL failed"
[ "$T_FAIL" = 0 ]
