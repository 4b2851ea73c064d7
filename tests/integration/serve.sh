#!/bin/bash
# SPDX-License-Identifier: MIT
# The session loop (src/serve.c) through bench/nullfs, which runs it with
# a file whose read is held until the test lets it go (NULLFS_SLOW_GATE):
# one worker reads the device at a time, and a request that takes long
# hands the reading on, so it holds up no other caller. With -s (one
# worker) it does, as it must. Nothing here depends on timing.
#
# Usage: serve.sh NULLFS XOP
set -u
NULLFS=${1:?nullfs binary}
XOP=${2:?xop binary}
T_PASS=0 T_FAIL=0
MNT=$(mktemp -d /tmp/cgfs-null.XXXXXX)
GATE=$(mktemp -u /tmp/cgfs-null-gate.XXXXXX)
export NULLFS_SLOW_GATE=$GATE
PIDS=()
ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	grep -q " $MNT fuse" /proc/mounts && { fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"; }
	rm -f "$GATE" "$GATE.started" "$MNT.knob"
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
# slow_begin: starts a read of slow, held at the gate; returns once the
# server is serving it (its pid in SLOW).
slow_begin() {
	local i
	rm -f "$GATE.started"
	touch "$GATE"
	"$XOP" read "$MNT/slow" >/dev/null &
	SLOW=$!
	for i in $(seq 1 600); do
		[ -e "$GATE.started" ] && return 0
		sleep 0.05
	done
	echo "the slow read never reached the server"
	return 1
}
slow_end() {
	rm -f "$GATE"
	wait "$SLOW"
}

mount_null || exit 1
[ "$("$XOP" read "$MNT/knob")" = $'OK\n512' ] && ok "nullfs answers" || not_ok "nullfs does not answer"
slow_begin || exit 1
# The knob read is answered while the slow one is still held: another
# worker took over the device. (Bounded: a pool that waited would hang.)
v=$(timeout 30 "$XOP" read "$MNT/knob")
if [ "$v" = $'OK\n512' ] && kill -0 "$SLOW" 2>/dev/null; then
	ok "a slow request holds up no other (the pool hands the reading on)"
else
	not_ok "a knob read was not answered while a slow request was held: '$v'"
fi
slow_end
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
slow_begin || exit 1
"$XOP" read "$MNT/knob" >"$MNT.knob" &
KNOB=$!
# With one worker the knob read cannot be answered while the slow one is
# held, however long we wait; half a second shows a second worker if
# there were one.
sleep 0.5
kill -0 "$KNOB" 2>/dev/null && ok "-s: one worker, so the knob read waits for the slow one" ||
	not_ok "-s: the knob read was answered while the slow one was held: more than one worker?"
slow_end
wait "$KNOB"
[ "$(cat "$MNT.knob")" = $'OK\n512' ] && ok "-s: ...and is answered once the slow one is" ||
	not_ok "-s: the knob read after the slow one: '$(cat "$MNT.knob")'"
rm -f "$MNT.knob"
unmount_null -s

echo "# $T_PASS passed, $T_FAIL failed"
[ "$T_FAIL" = 0 ]
