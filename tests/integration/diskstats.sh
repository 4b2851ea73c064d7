#!/bin/bash
# SPDX-License-Identifier: MIT
# proc/diskstats (cgfs(5)): a group's own I/O per disk, read through a
# real mount. O_DIRECT reads and writes by processes moved into a group
# and its subgroup, on a block device only this test uses (null_blk's
# /dev/nullb0 where it exists, as in the v2 guest; else a loop device
# over a file the test makes, removed at exit), show in the group's file
# as at least the operations and sectors done, in the kernel's layout, in
# the subgroup's only for its own, and not at all in another group's;
# bound over /proc/diskstats the tools read them; every reader reads the
# file whole; nothing writes it.
. "$(dirname "$0")/../lib/lib.sh"

LOOP=
LOOPFILE=
test_cleanup() {
	[ -n "$LOOP" ] && losetup -d "$LOOP"
	[ -n "$LOOPFILE" ] && rm -f "$LOOPFILE"
}

start_cgfs || exit 1
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
G=$ALICE/disk
O=$ALICE/other
for g in "$G" "$G/sub" "$O"; do
	assert_op "alice creates $g" OK as "$ALICE" "$XOP" mkdir "$MNT/$g"
done
V=$(cg_version blkio)
F=proc/diskstats

if [ ! -e "$MNT/$G/io_read_mbps" ]; then
	if [ -z "$V" ]; then
		echo "# SKIP proc/diskstats: no blkio (v1) or io (v2) hierarchy is served here"
		assert_op "no I/O hierarchy: no proc/diskstats" ENOENT "$XOP" stat "$MNT/$G/$F"
	else
		not_ok "io_read_mbps is not listed although the blkio/io controller is served (v$V)"
	fi
	exit 0
fi
assert_eq "proc/diskstats is listed, read-only, alice's" "-r--r--r-- $ALICE" \
	"$(stat -c '%A %U' "$MNT/$G/$F")"

# ---- the device: null_blk's, or a loop device of our own ----

if [ -b /dev/nullb0 ]; then
	DEV=/dev/nullb0
elif command -v losetup >/dev/null; then
	LOOPFILE=$(mktemp /tmp/cgfs-diskstats.XXXXXX)
	head -c 4194304 /dev/zero >"$LOOPFILE"
	LOOP=$(losetup -f --show "$LOOPFILE" 2>/dev/null)
	DEV=$LOOP
fi
if [ -z "${DEV:-}" ] || [ ! -b "$DEV" ]; then
	echo "# SKIP the counts: no /dev/nullb0 (null_blk) and no loop device could be made (losetup: $(command -v losetup || echo none))"
	exit 0
fi
NAME=${DEV#/dev/}
NUM=$(cat "/sys/class/block/$NAME/dev")
echo "# device: $DEV ($NUM), cgroup v$V"

# line GROUP: the group's line for the device (empty for none)
line() { awk -v n="$NAME" '$3 == n' "$MNT/$1/$F"; }
# field GROUP N: field N of it (1 major, 2 minor, 3 name, 4.. the counts)
field() { line "$1" | awk -v f="$2" '{ print $f }'; }

assert_eq "a new group has done no I/O on $NAME" "" "$(line "$G")"

# v1 counts in the throttling layer, which a recent kernel (6.18 here) sets up
# for a disk at its first limit: one written for the device, none kept
# ("max"), makes it count, as it would for a container given limits.
if [ "$V" = 1 ]; then
	assert_op "alice writes a limit for $DEV (none)" OK as "$ALICE" "$XOP" write \
		"$MNT/$G/io_read_mbps" "$DEV max"
fi

# in_group GROUP CMD...: CMD run by a shell moved into GROUP first
in_group() {
	local g=$1
	shift
	sh -c 'echo $$ >"$1/procs" && shift && exec "$@"' sh "$MNT/$g" "$@"
}
# 32 reads of 4 KiB (256 sectors) in the subgroup, 16 writes of 4 KiB
# (128 sectors) in the group itself, each one I/O: O_DIRECT, one at a time.
in_group "$G/sub" dd if="$DEV" of=/dev/null bs=4096 count=32 iflag=direct 2>/dev/null
assert_eq "32 O_DIRECT reads in $G/sub" 0 "$?"
in_group "$G" dd if=/dev/zero of="$DEV" bs=4096 count=16 oflag=direct conv=notrunc 2>/dev/null
assert_eq "16 O_DIRECT writes in $G" 0 "$?"

# at_least DESC MIN VALUE
at_least() {
	if [ -n "$3" ] && [ "$3" -ge "$2" ] 2>/dev/null; then ok "$1 ($3 >= $2)"; else not_ok "$1: $3 < $2"; fi
}
L=$(line "$G")
echo "# $G: $L"
assert_eq "one line for $NAME in $G's file" 1 "$(grep -c . <<<"$L")"
assert_eq "the kernel's layout: %4d %7d NAME and 17 numbers" yes \
	"$(grep -qxE " *[0-9]{1,4} +[0-9]+ $NAME( [0-9]+){17}" <<<"$L" && echo yes || echo no)"
assert_eq "its major and minor" "$NUM" "$(field "$G" 1):$(field "$G" 2)"
prefix=$(printf '%4d %7d %s ' "${NUM%:*}" "${NUM#*:}" "$NAME")
assert_eq "the major right-aligned in 4 columns, the minor in 7 ('$prefix')" yes \
	"$([ "${L#"$prefix"}" != "$L" ] && echo yes || echo no)"
at_least "$G: reads completed, its subgroup's included" 32 "$(field "$G" 4)"
at_least "$G: sectors read" 256 "$(field "$G" 6)"
at_least "$G: writes completed" 16 "$(field "$G" 8)"
at_least "$G: sectors written" 128 "$(field "$G" 10)"
assert_eq "$G: I/Os in progress, ms doing I/O, flushes: 0 (no cgroup file counts them)" \
	"0 0 0 0" "$(field "$G" 12) $(field "$G" 13) $(field "$G" 19) $(field "$G" 20)"
# weighted ms: the read, write and discard ms (each cut to whole ms)
w=$(line "$G" | awk '{ d = $14 - ($7 + $11 + $18); print (d >= 0 && d <= 2) ? "yes" : "no" }')
assert_eq "$G: weighted ms is the sum of the read, write and discard ms" yes "$w"
at_least "$G/sub: its own reads" 32 "$(field "$G/sub" 4)"
at_least "$G/sub: its own sectors read" 256 "$(field "$G/sub" 6)"
assert_eq "$G/sub: none of its parent's writes" "0 0" "$(field "$G/sub" 8) $(field "$G/sub" 10)"
assert_eq "another group shows none of it" "" "$(line "$O")"
assert_eq "a group that did no I/O: an empty file, size 0" "0 0" \
	"$(stat -c %s "$MNT/$O/$F") $(wc -c <"$MNT/$O/$F")"
host=$(awk -v n="$NAME" '$3 == n { print $4 }' /proc/diskstats)
at_least "the host's own line counts them too" "$(field "$G/sub" 4)" "$host"

# ---- bound over /proc/diskstats, as a container has it ----

in_ns() {
	unshare -m sh -c "mount --bind '$MNT/$G/$F' /proc/diskstats && $1" 2>&1
}
assert_eq "bound: /proc/diskstats is the group's" "$(cut -d' ' -f1-3 "$MNT/$G/$F" | tr -s ' ')" \
	"$(in_ns 'cat /proc/diskstats' | cut -d' ' -f1-3 | tr -s ' ')"
# The tools show the group's counts, not the host's (which differ: the
# host's line counts every reader's I/O on the device).
if command -v vmstat >/dev/null && vmstat -V 2>&1 | grep -q procps; then
	reads=$(in_ns 'vmstat -d' | awk -v n="$NAME" '$1 == n { print $2 }')
	assert_eq "bound: vmstat -d shows the group's reads of $NAME (the host's: $host)" \
		"$(field "$G" 4)" "$reads"
else
	echo "# SKIP vmstat -d over the bound file: no procps vmstat here"
fi
# iostat reads /sys/block/NAME/stat, the host's, unless asked for
# partitions (-p), when it reads /proc/diskstats (cgfs(5)).
if command -v iostat >/dev/null; then
	# the column headed kB_read (sysstat's columns vary by version)
	r=$(in_ns "iostat -d -k -p ALL" | awk -v n="$NAME" '
		$1 ~ /^Device/ { for (i = 1; i <= NF; i++) if ($i == "kB_read") c = i }
		$1 == n && c { print $c }')
	assert_eq "bound: iostat -d -p ALL shows the group's kB read from $NAME" \
		"$(($(field "$G" 6) / 2))" "$r"
else
	echo "# SKIP iostat over the bound file: sysstat is not installed (tools/deps.sh test)"
fi

# ---- every reader reads all of it; nothing writes it ----

BUSYBOX=$(command -v busybox || true)
want=$(cat "$MNT/$G/$F")
if [ -n "$BUSYBOX" ]; then
	assert_eq "busybox cat reads it whole" "$want" "$("$BUSYBOX" cat "$MNT/$G/$F")"
fi
assert_eq "sendfile reads it whole" "OK
$want" "$("$XOP" copy sendfile "$MNT/$G/$F")"
assert_eq "bob reads alice's" "$want" "$(as "$BOB" cat "$MNT/$G/$F")"
assert_eq "its size is what a read returns" "$(stat -c %s "$MNT/$G/$F")" \
	"$(wc -c <"$MNT/$G/$F")"
for who in "$ALICE" root; do
	if [ "$who" = root ]; then run=(); else run=(as "$who"); fi
	assert_op "$who cannot write proc/diskstats" EACCES "${run[@]}" "$XOP" write "$MNT/$G/$F" 1
	assert_op "$who cannot truncate it" EACCES "${run[@]}" "$XOP" truncate "$MNT/$G/$F"
done
attack "bob cannot write alice's" EACCES as "$BOB" "$XOP" write "$MNT/$G/$F" 1
assert_eq "the reads changed nothing: still the same counts" "$want" "$(cat "$MNT/$G/$F")"

# ---- a removed group's file is gone ----

assert_op "alice removes $O" OK as "$ALICE" "$XOP" rmdir "$MNT/$O"
assert_op "its proc/diskstats is gone" ENOENT "$XOP" stat "$MNT/$O/$F"
