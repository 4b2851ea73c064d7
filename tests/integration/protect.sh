#!/bin/bash
# SPDX-License-Identifier: MIT
# memory_low_mb and memory_min_mb protect (cgfs(5)): under a parent whose
# memory_limit_mb is reached, a child protected through cgfs keeps its
# page cache while an unprotected sibling streams through the rest, and
# a control child without protection, treated the same, loses it. The
# memory is clean page cache of buffered reads from a null_blk device
# (the v2 guest loads one): reclaimable without swap, charged to the
# reader's group. v2 only: v1 has neither knob. The group's own
# processes are in its .self leaf, which holds the group's protection
# too: shown with the mount's memory_recursiveprot as it is, and, in the
# guest (which is the test's own), without it.
. "$(dirname "$0")/../lib/lib.sh"

start_cgfs || exit 1
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
MEMV=$(cg_version memory)

if [ "$MEMV" != 2 ]; then
	echo "# SKIP memory protection: the memory controller is cgroup v${MEMV:-(none)} here;" \
		"memory_low_mb and memory_min_mb exist only on v2 (the pure-v2 guest runs this test:" \
		"CGFS_VM_TESTS=protect bash tests/vm/run.sh BUILD)"
	exit 0
fi
if [ ! -b /dev/nullb0 ]; then
	echo "# SKIP memory protection: no /dev/nullb0 (null_blk) to fill page cache from"
	exit 0
fi

MiB=1048576
# mb GROUP: the group's memory_usage_mb, as a whole number of MiB.
mb() { awk '{ printf "%d\n", $1 }' "$MNT/$1/memory_usage_mb"; }

# fill GROUP MIB SKIP: a process in GROUP reads MIB MiB of the device from
# MiB SKIP on, into the page cache, charged to GROUP.
fill() {
	sh -c 'echo $$ >"$1/procs" && exec dd if=/dev/nullb0 of=/dev/null bs=1M count="$2" skip="$3"' \
		sh "$MNT/$1" "$2" "$3" 2>/dev/null || not_ok "dd in $1 failed"
}

# One parent at its limit: lo protected by memory_low_mb, mn by
# memory_min_mb, ctl not at all, each with its page cache read first;
# then plain streams through the parent, several times its limit.
# (Seen in the guest, 6.1: lo and mn keep 22 MiB, ctl 2, both ways;
# without memory_recursiveprot and before the leaf held the protection,
# lo and mn fell to 4 MiB like ctl.)
LIMIT=96 PROT=20 FILL=28 STREAM=288

# The kernel drops a block device's page cache when its last opener
# closes it: this shell keeps it open, so what dd read stays cached.
exec 9</dev/nullb0
# Each child reads its own region of the device (a page already cached
# is charged to whoever read it first).
skip=4096

# protect NAME: the case in a new parent $ALICE/NAME.
protect() {
	local P=$ALICE/$1 c got parent
	echo "# $1: parent limit ${LIMIT} MiB; lo, mn and ctl each read ${FILL} MiB, lo and mn" \
		"protected to ${PROT} MiB; then plain streams ${STREAM} MiB through the parent"
	assert_op "$1: alice creates it" OK as "$ALICE" "$XOP" mkdir "$MNT/$P"
	assert_op "$1: memory_limit_mb $LIMIT" OK as "$ALICE" "$XOP" write "$MNT/$P/memory_limit_mb" $LIMIT
	for c in lo mn ctl plain; do
		assert_op "$1: alice creates $c" OK as "$ALICE" "$XOP" mkdir "$MNT/$P/$c"
	done
	assert_op "$1/lo: memory_low_mb $PROT" OK as "$ALICE" "$XOP" write "$MNT/$P/lo/memory_low_mb" $PROT
	assert_op "$1/mn: memory_min_mb $PROT" OK as "$ALICE" "$XOP" write "$MNT/$P/mn/memory_min_mb" $PROT
	assert_eq "$1/lo: memory.low" $((PROT * MiB)) "$(cat "$(real memory "$P/lo" memory.low)")"
	assert_eq "$1/mn: memory.min" $((PROT * MiB)) "$(cat "$(real memory "$P/mn" memory.min)")"
	for c in ctl lo mn; do
		fill "$P/$c" $FILL $skip
		skip=$((skip + 1024))
		got=$(mb "$P/$c")
		echo "# $1/$c after reading $FILL MiB: $got MiB"
		[ "$got" -ge $((FILL - 4)) ] && ok "$1/$c holds what it read ($got MiB)" ||
			not_ok "$1/$c holds $got MiB after reading $FILL MiB: not charged to it"
	done
	# Its leaf, made with the process, holds the group's protection.
	assert_eq "$1/lo/.self: memory.low" $((PROT * MiB)) "$(cat "$(real memory "$P/lo/.self" memory.low)")"
	assert_eq "$1/mn/.self: memory.min" $((PROT * MiB)) "$(cat "$(real memory "$P/mn/.self" memory.min)")"
	fill "$P/plain" $STREAM $skip
	skip=$((skip + 1024))
	parent=$(mb "$P")
	echo "# $1 after $STREAM MiB streamed by plain: lo $(mb "$P/lo") MiB, mn $(mb "$P/mn") MiB," \
		"ctl $(mb "$P/ctl") MiB, plain $(mb "$P/plain") MiB, parent $parent MiB"
	# The limit was reached: the children competed for memory.
	[ "$parent" -ge $((LIMIT * 3 / 4)) ] && ok "$1: at its limit ($parent of $LIMIT MiB)" ||
		not_ok "$1 holds $parent of $LIMIT MiB: the limit was never reached"
	for c in lo mn; do
		got=$(mb "$P/$c")
		[ "$got" -ge $((PROT * 9 / 10)) ] && ok "$1/$c kept its protection ($got of $PROT MiB)" ||
			not_ok "$1/$c kept $got MiB, below its protection of $PROT MiB"
	done
	got=$(mb "$P/ctl")
	[ "$got" -lt $((PROT / 2)) ] && ok "$1/ctl, unprotected, was reclaimed ($got MiB)" ||
		not_ok "$1/ctl, unprotected, kept $got MiB: lo and mn prove nothing"
}

V2=$(v2_mount)
OPTS=$(awk -v m="$V2" '$2 == m { print $4 }' /proc/mounts)
echo "# cgroup2 at $V2: $OPTS"
protect asis
# A written protection reaches the leaf as well (and a removed one).
assert_op "asis/lo: memory_low_mb 0" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/asis/lo/memory_low_mb" 0
assert_eq "asis/lo/.self: memory.low 0" 0 "$(cat "$(real memory "$ALICE/asis/lo/.self" memory.low)")"
assert_op "asis/lo: memory_low_mb max" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/asis/lo/memory_low_mb" max
assert_eq "asis/lo/.self: memory.low max" max "$(cat "$(real memory "$ALICE/asis/lo/.self" memory.low)")"

# The other way round, where the mount is this test's to change: the
# guest's (tests/vm/init.sh).
if [ "${CGFS_VM_OWN_CGROUP2:-}" != 1 ]; then
	echo "# SKIP protection with memory_recursiveprot toggled: this cgroup2 mount is not this test's" \
		"to remount (the v2 guest's is)"
	exit 0
fi
case ",$OPTS," in
*,memory_recursiveprot,*) other=$(sed 's/,memory_recursiveprot//; s/^memory_recursiveprot,//' <<<"$OPTS") ;;
*) other=$OPTS,memory_recursiveprot ;;
esac
test_cleanup() { mount -o "remount,$OPTS" cgroup2 "$V2"; }
mount -o "remount,$other" cgroup2 "$V2" || not_ok "cannot remount cgroup2 with $other"
echo "# cgroup2 at $V2: $(awk -v m="$V2" '$2 == m { print $4 }' /proc/mounts)"
protect other
