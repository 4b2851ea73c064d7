#!/bin/bash
# SPDX-License-Identifier: MIT
# Limits served from the kernel's page cache (cgfs(5), "Caching"): a
# limit read again is answered from the pages, and no read is ever
# stale: a value written in any way (through cgfs, straight into the
# kernel's file, through raw/, through a second mount of cgfs) is what
# the next open reads, every time, while other readers keep filling the
# pages; a file kept open sees cgfs's own writes at once and others'
# within the attribute timeout.
. "$(dirname "$0")/../lib/lib.sh"

MNT2=$(mktemp -d /tmp/cgfs-mnt2.XXXXXX)
DAEMON2=
STOP_FILE=$(mktemp /tmp/cgfs-cache-stop.XXXXXX)

test_cleanup() {
	rm -f "$STOP_FILE"
	if grep -q " $MNT2 fuse.cgfs " /proc/mounts; then
		fusermount3 -u "$MNT2" 2>/dev/null || umount -l "$MNT2"
	fi
	[ -n "$DAEMON2" ] && wait "$DAEMON2" 2>/dev/null
	rmdir "$MNT2" 2>/dev/null
}

# busybox-static (tools/deps.sh test); the v2 guest has it in /bb.
BB=$(type -P busybox || echo /bb/busybox)
[ -x "$BB" ] || { not_ok "busybox is not installed (tools/deps.sh test installs busybox-static)"; BB=false; }

start_cgfs || exit 1
G=$ALICE/c
K=$MNT/$G/memory_limit_mb
MiB=1048576
assert_op "root makes alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
assert_op "alice makes a group" OK as "$ALICE" "$XOP" mkdir "$MNT/$G"
if [ "$(cg_version memory)" = 2 ]; then
	MFILE=memory.max
else
	MFILE=memory.limit_in_bytes
fi
REAL=$(real memory "$G" "$MFILE")
PREAL=$(real pids "$G" pids.max)

assert_op "alice writes 512" OK as "$ALICE" "$XOP" write "$K" 512
assert_eq "it reads back" 512 "$(as "$ALICE" cat "$K")"
assert_eq "and again" 512 "$(as "$ALICE" cat "$K")"
# fincore(1) maps the file and asks mincore(2) which pages are resident.
res=$(fincore --bytes --noheadings --output RES "$K" 2>&1)
assert_eq "a limit read is in the kernel's page cache (fincore)" 4096 "${res// /}"
assert_eq "stat(2) gives its true size" 4 "$(stat -c %s "$K")"

# A reader that keeps filling the pages while the values change under it.
hammer() {
	while [ -e "$STOP_FILE" ]; do
		cat "$1" >/dev/null 2>&1
	done
}
as "$ALICE" bash -c "$(declare -f hammer); STOP_FILE=$STOP_FILE; hammer $K" &
SPAWNED+=($!)
as "$ALICE" bash -c "$(declare -f hammer); STOP_FILE=$STOP_FILE; hammer $MNT/$G/pids_max" &
SPAWNED+=($!)

# check_writes HOW N WRITE_CMD...: N values of varying lengths written by
# WRITE_CMD VALUE_MB, each read at once through the mount by alice.
check_writes() {
	local how=$1 n=$2 i v got bad=
	shift 2
	for i in $(seq 1 "$n"); do
		v=$(((i * 7919) % 50000 + 1))
		[ $((i % 3)) = 0 ] && v=$((v % 10 + 1))
		"$@" "$v" || { bad="the write of $v failed"; break; }
		# busybox's cat sendfile(2)s: pages up to the size the kernel
		# has, which must have grown with the value.
		if [ $((i % 2)) = 0 ]; then
			got=$(as "$ALICE" "$BB" cat "$K")
		else
			got=$(as "$ALICE" cat "$K")
		fi
		if [ "$got" != "$v" ]; then
			bad="after writing $v the next read showed '$got' (write $i)"
			break
		fi
	done
	if [ -z "$bad" ]; then
		ok "$how: $n values, each seen by the next read (cat and busybox cat)"
	else
		not_ok "$how: $bad"
	fi
}
direct() { echo $(($1 * MiB)) >"$REAL"; }
through_raw() { "$XOP" write "$MNT/$G/raw/$MFILE" $(($1 * MiB)) >/dev/null; }
through_cgfs() { as "$ALICE" "$XOP" write "$K" "$1" >/dev/null; }
through_mnt2() { as "$ALICE" "$XOP" write "$MNT2/$G/memory_limit_mb" "$1" >/dev/null; }

# How many values (the v2 guest, emulated, sets fewer).
N=${CGFS_CACHE_WRITES:-100}
N3=$((N * 3 / 10 > 10 ? N * 3 / 10 : 10))
check_writes "straight into the kernel's $MFILE" "$N" direct
check_writes "through raw/$MFILE" "$N3" through_raw
check_writes "through cgfs itself" "$N3" through_cgfs

"$CGFS" -f -o "base=/$BASE" -o "config=$RUN_CONF" "$MNT2" >>"$LOG" 2>&1 &
DAEMON2=$!
for i in $(seq 1 200); do
	grep -q " $MNT2 fuse.cgfs " /proc/mounts && break
	kill -0 "$DAEMON2" 2>/dev/null || break
	sleep 0.05
done
if grep -q " $MNT2 fuse.cgfs " /proc/mounts; then
	check_writes "through a second mount of cgfs" "$N3" through_mnt2
else
	not_ok "a second cgfs did not mount"
fi

# Another limit, with "max" among its values, straight into pids.max.
bad=
for v in 5 max 12345 7 max 100000 max 42; do
	echo "$v" >"$PREAL" || { bad="the write of $v failed"; break; }
	got=$(as "$ALICE" "$BB" cat "$MNT/$G/pids_max")
	[ "$got" = "$v" ] || { bad="after writing $v the next read showed '$got'"; break; }
done
if [ -z "$bad" ]; then ok "pids.max written straight: each value seen by the next read"
else not_ok "pids.max written straight: $bad"; fi
rm -f "$STOP_FILE"
wait "${SPAWNED[@]}" 2>/dev/null

# A file kept open and read again from the start (pread at 0): it was
# read before the write, and its pages are kept.
as "$ALICE" "$XOP" write "$K" 200 >/dev/null
got=$(as "$ALICE" "$XOP" after R "$K" - "$XOP" write "$K" 300 | tr '\n' ' ')
assert_eq "a descriptor kept open sees cgfs's own write at once" "OK 300 " "$got"
# Straight into the kernel's file: seen once the attributes have
# expired (1 s); the command waits 2 s after the write.
got=$("$XOP" after R "$K" - sh -c "echo $((4321 * MiB)) > '$REAL' && sleep 2" | tr '\n' ' ')
assert_eq "and a write straight to the kernel's file after the attribute timeout" \
	"OK 4321 " "$got"

# What is not a limit is not cached: a reading changes as it likes.
cat "$MNT/$G/memory_usage_mb" >/dev/null
res=$(fincore --bytes --noheadings --output RES "$MNT/$G/memory_usage_mb" 2>&1)
assert_eq "memory_usage_mb, read, has no pages" 0 "${res// /}"
