#!/bin/bash
# SPDX-License-Identifier: MIT
# The per-device I/O limits (cgfs(5)): io_read_mbps, io_write_mbps,
# io_read_iops and io_write_iops, written through the mount by the tree's
# owner as lines of "DEVICE VALUE" on a real block device of this machine:
# the kernel's file (v1 blkio.throttle.*_device, v2 io.max) holds the
# limit, the knob reads it back by /dev path, "max" removes it, what is not
# a whole disk or not a value is refused and changes nothing, another user
# is refused, and a write limit makes O_DIRECT writes wait.
. "$(dirname "$0")/../lib/lib.sh"

start_cgfs || exit 1
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
G=$ALICE/web
assert_op "alice creates a group" OK as "$ALICE" "$XOP" mkdir "$MNT/$G"
KNOBS="io_read_mbps io_write_mbps io_read_iops io_write_iops"
V=$(cg_version blkio)

listed() { ls "$MNT/$G" | grep -qx "$1"; }

# The end, early or not: lib.sh's exit trap stops cgfs, cleans up and
# counts.
finish() {
	exit 0
}

if ! listed io_write_mbps; then
	if [ -z "$V" ]; then
		echo "# SKIP the io knobs: no blkio (v1) or io (v2) hierarchy is served here"
	else
		not_ok "io_write_mbps is not listed although the blkio/io controller is served (v$V)"
	fi
	finish
fi

# ---- the device: a whole disk with a /dev node

# whole_disk MAJ:MIN: the disk of a partition, or the device itself.
whole_disk() {
	if [ -e "/sys/dev/block/$1/partition" ]; then cat "/sys/dev/block/$1/../dev"; else echo "$1"; fi
}
devname() { sed -n 's/^DEVNAME=//p' "/sys/dev/block/$1/uevent"; }

# A null_blk device (the v2 guest loads one) takes writes that go nowhere;
# else the disk of the file system under /var/tmp, written through a file.
TARGET=
if [ -b /dev/nullb0 ]; then
	NUM=$(cat /sys/block/nullb0/dev)
	TARGET=/dev/nullb0
else
	SCRATCH=$(mktemp -d /var/tmp/cgfs-io.XXXXXX)
	NUM=$(whole_disk "$(stat -c '%Hd:%Ld' "$SCRATCH")")
	[ -e "/sys/dev/block/$NUM" ] && TARGET=$SCRATCH/data
fi
if [ -z "$TARGET" ] || [ ! -b "/dev/$(devname "$NUM")" ]; then
	echo "# SKIP the io knobs: no block device with a /dev node here (no null_blk, and /var/tmp is on ${NUM:-no device})"
	[ -n "${SCRATCH:-}" ] && rm -rf "$SCRATCH"
	finish
fi
DEV=/dev/$(devname "$NUM")
echo "# device: $DEV ($NUM), cgroup v$V"

# The kernel's line for the device in knob $1's file, as the knob wrote it.
kernel_line() {
	local f
	case $1:$V in
	io_read_mbps:1) f=blkio.throttle.read_bps_device ;;
	io_write_mbps:1) f=blkio.throttle.write_bps_device ;;
	io_read_iops:1) f=blkio.throttle.read_iops_device ;;
	io_write_iops:1) f=blkio.throttle.write_iops_device ;;
	*:2) f=io.max ;;
	esac
	grep "^$NUM " "$(real blkio "$G" "$f")"
}
# The value of key $2 in the device's io.max line (v2), or its v1 number.
kernel_value() {
	local line
	line=$(kernel_line "$1")
	if [ "$V" = 1 ]; then
		echo "${line#* }"
	else
		tr ' ' '\n' <<<"$line" | sed -n "s/^$2=//p"
	fi
}
key_of() {
	case $1 in
	io_read_mbps) echo rbps ;; io_write_mbps) echo wbps ;;
	io_read_iops) echo riops ;; io_write_iops) echo wiops ;;
	esac
}

# check KNOB WRITTEN READBACK KERNEL: alice writes, the kernel holds
# KERNEL for the device, the knob reads "DEV READBACK".
check() {
	local k=$1
	assert_op "$k: alice writes '$2'" OK as "$ALICE" "$XOP" write "$MNT/$G/$k" "$2"
	assert_eq "$k '$2': the kernel's limit" "$4" "$(kernel_value "$k" "$(key_of "$k")")"
	assert_eq "$k '$2': reads back" "$DEV $3" "$(cat "$MNT/$G/$k")"
}

for k in $KNOBS; do
	listed "$k" && ok "$k is listed" || not_ok "$k is listed"
	assert_eq "$k: no limit at first" "" "$(cat "$MNT/$G/$k")"
done
check io_read_mbps "$DEV 2" 2 2097152
check io_read_mbps "$NUM 512K" 512K 524288
check io_read_mbps "$DEV 1.5" 1536K 1572864
check io_read_mbps "$DEV 1G" 1024 1073741824
check io_read_mbps $'\n'"$DEV	3"$'\n\n' 3 3145728
check io_write_mbps "$DEV 1000" 1000 1048576000
check io_write_mbps "$DEV 100.1" 102502K 104962048
check io_read_iops "$DEV 2k" 2000 2000
check io_read_iops "$NUM 4294967294" 4294967294 4294967294
check io_write_iops "$DEV 100" 100 100
check io_write_iops "$DEV 1M" 1000000 1000000

# "max" (or -1) removes a limit: no line in v1's file, "max" in io.max.
for k in $KNOBS; do
	assert_op "$k: alice writes max" OK as "$ALICE" "$XOP" write "$MNT/$G/$k" "$DEV max"
	assert_eq "$k: no limit after max" "" "$(cat "$MNT/$G/$k")"
	if [ "$V" = 1 ]; then
		assert_eq "$k: no line in the kernel's file" "" "$(kernel_line "$k")"
	else
		got=$(kernel_value "$k" "$(key_of "$k")")
		[ -z "$got" ] || [ "$got" = max ] && ok "$k: io.max says none" ||
			not_ok "$k: io.max says '$got'"
	fi
done
check io_write_mbps "$DEV 7" 7 7340032
assert_op "io_write_mbps: -1 removes it too" OK as "$ALICE" "$XOP" write "$MNT/$G/io_write_mbps" "$NUM -1"
assert_eq "io_write_mbps: none after -1" "" "$(cat "$MNT/$G/io_write_mbps")"

# ---- refused: nothing changes
check io_read_mbps "$DEV 5" 5 5242880
check io_write_iops "$DEV 300" 300 300

# (One snapshot for all of them: see the end of this part.)
bad() {
	local k=$1 want=$2 v
	shift 2
	for v in "$@"; do
		assert_op "$k: '$v' -> $want" "$want" as "$ALICE" "$XOP" write "$MNT/$G/$k" "$v"
	done
}
before=$(snapshot)
# Not a block device, not a whole disk, not under /dev, not there.
bad io_read_mbps EINVAL "/dev/null 1" "/dev/zero 1" "/dev/ 1" "/dev 1" "/tmp 1" \
	"$MNT 1" "0:0 1" "4096:0 1" "1:1048576 1" "relative 1" "/dev/../dev/null 1"
bad io_read_mbps ENOENT "/dev/cgfs-no-such-disk 1" "/dev/no/such 1"
# A symbolic link in /dev/shm (world-writable, a file system of its own)
# or one leading out of /dev is not followed.
# /dev/fd and /dev/stdin lead to /proc by absolute links: not followed
# (else the daemon's own descriptors would be the user's devices).
[ -L /dev/fd ] && bad io_read_mbps EINVAL "/dev/fd/0 1" "/dev/fd/3 1"
[ -L /dev/stdin ] && bad io_read_mbps EINVAL "/dev/stdin 1"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	ln -s "$DEV" "/dev/shm/cgfs-io-$$" && ln -s /etc "/dev/shm/cgfs-etc-$$"
	bad io_read_mbps EINVAL "/dev/shm/cgfs-io-$$ 1" "/dev/shm/cgfs-etc-$$/passwd 1" "/dev/shm 1"
	rm -f "/dev/shm/cgfs-io-$$" "/dev/shm/cgfs-etc-$$"
else
	echo "# no writable /dev/shm here: its links are not tried"
fi
# A partition: this machine's own, or one of a loop device made for the
# test (a 1 MiB file with an MBR naming one partition), removed at exit.
part=$(for p in /sys/class/block/*/partition; do [ -e "$p" ] && basename "$(dirname "$p")"; done | head -n 1)
LOOP=
LOOPFILE=
test_cleanup() {
	[ -n "$LOOP" ] && losetup -d "$LOOP"
	[ -n "$LOOPFILE" ] && rm -f "$LOOPFILE"
	[ -n "${SCRATCH:-}" ] && rm -rf "$SCRATCH"
}
if [ -z "$part" ] && command -v losetup >/dev/null; then
	LOOPFILE=$(mktemp /tmp/cgfs-io-disk.XXXXXX)
	head -c 1048576 /dev/zero >"$LOOPFILE"
	# one entry at byte 446: type 0x83, first sector 1, 100 sectors; 55 AA
	printf '\000\000\002\000\203\000\000\000\001\000\000\000\144\000\000\000' |
		dd of="$LOOPFILE" bs=1 seek=446 conv=notrunc 2>/dev/null
	printf '\125\252' | dd of="$LOOPFILE" bs=1 seek=510 conv=notrunc 2>/dev/null
	LOOP=$(losetup -f -P --show "$LOOPFILE" 2>/dev/null)
	for i in $(seq 1 100); do
		[ -n "$LOOP" ] && [ -b "${LOOP}p1" ] && part=${LOOP#/dev/}p1 && break
		sleep 0.05
	done
fi
if [ -n "$part" ] && [ -b "/dev/$part" ]; then
	bad io_read_mbps EINVAL "/dev/$part 1" "$(cat "/sys/class/block/$part/dev") 1"
else
	if [ -n "$LOOP" ]; then
		echo "# SKIP partitions: no partition here, and the kernel read none on $LOOP's MBR (built without CONFIG_MSDOS_PARTITION?)"
	else
		echo "# SKIP partitions: no partition here, and no loop device could be made"
	fi
fi
# Values and lines that are no limit.
bad io_read_mbps EINVAL "$DEV" "$DEV abc" "$DEV 1 2" "$DEV 1x" "$DEV -5" "$DEV 1e3" \
	"$DEV 5 M" "$NUM:0 1" "a:b 1" ":1 1" "$DEV max1" "$DEV 1"$'\n'"$DEV 2" \
	"$DEV 1"$'\n'"$NUM 2" "$DEV 3"$'\n'"/dev/null 1" "$DEV 1"$'\r'
bad io_read_mbps ERANGE "$DEV 0" "$DEV 0.0001" "$DEV 0.5K" "$DEV 99999999999999999999" \
	"$DEV 9999999999T"
bad io_write_iops EINVAL "$DEV 1.5" "$DEV 1K5" "$DEV maxk" "$DEV k" "$DEV 1KB"
bad io_write_iops ERANGE "$DEV 0" "$DEV 4294967295" "$DEV 5G" "$DEV 99999999999999999999"
tmp=$(mktemp)
chmod 644 "$tmp"
printf '%s 1\0002' "$DEV" >"$tmp"
assert_op "a NUL byte -> EINVAL" EINVAL as "$ALICE" "$XOP" writefrom "$MNT/$G/io_read_mbps" "$tmp"
printf '\377\376 1' >"$tmp"
assert_op "bytes that are no text -> EINVAL" EINVAL as "$ALICE" "$XOP" writefrom "$MNT/$G/io_read_mbps" "$tmp"
head -c 4097 /dev/zero | tr '\0' '\n' >"$tmp"
assert_op "a write larger than a page -> EINVAL" EINVAL as "$ALICE" "$XOP" writefrom "$MNT/$G/io_read_mbps" "$tmp"
for i in $(seq 1 65); do echo "$DEV max"; done >"$tmp"
assert_op "65 lines (past the 64 a write may have) -> EINVAL" EINVAL as "$ALICE" "$XOP" writefrom "$MNT/$G/io_read_mbps" "$tmp"
rm -f "$tmp"
assert_eq "none of these changed anything" "$before" "$(snapshot)"
attack "bob writes alice's limit -> EACCES" EACCES as "$BOB" "$XOP" write "$MNT/$G/io_read_mbps" "$DEV 1"
attack "bob removes it -> EACCES" EACCES as "$BOB" "$XOP" write "$MNT/$G/io_read_mbps" "$DEV max"
# At a tree root the limits are the administrator's, as every limit there.
T=$MNT/$ALICE
attack "alice writes her tree root's limit -> EACCES" EACCES \
	as "$ALICE" "$XOP" write "$T/io_read_mbps" "$DEV 1"
assert_eq "her tree root's io_read_mbps is root's" "0 644" "$(stat -c '%u %a' "$T/io_read_mbps")"
assert_op "root writes it" OK "$XOP" write "$T/io_read_mbps" "$DEV 50"
attack "alice cannot lift it -> EACCES" EACCES as "$ALICE" "$XOP" write "$T/io_read_mbps" "$DEV max"
assert_eq "it reads 50" "$DEV 50" "$(cat "$T/io_read_mbps")"
assert_op "root lifts it" OK "$XOP" write "$T/io_read_mbps" "$DEV max"
assert_eq "io_read_mbps still reads 5" "$DEV 5" "$(cat "$MNT/$G/io_read_mbps")"
assert_eq "io_write_iops still reads 300" "$DEV 300" "$(cat "$MNT/$G/io_write_iops")"
assert_eq "the kernel still holds 5 MiB/s" 5242880 "$(kernel_value io_read_mbps rbps)"
# A second disk in one write: both, or neither.
other=$(for d in /sys/block/*; do
	n=$(cat "$d/dev")
	[ "$n" != "$NUM" ] && [ -b "/dev/${d##*/}" ] && [ ! -e "$d/partition" ] && echo "/dev/${d##*/}"
done | head -n 1)
if [ -n "$other" ]; then
	assert_op "two disks in one write" OK as "$ALICE" "$XOP" write "$MNT/$G/io_write_mbps" \
		"$DEV 4"$'\n'"$other 8"
	got=$(cat "$MNT/$G/io_write_mbps" | sort | tr '\n' '|')
	assert_eq "both read back" "$(printf '%s\n' "$DEV 4" "$other 8" | sort | tr '\n' '|')" "$got"
	assert_op "both removed in one write" OK as "$ALICE" "$XOP" write "$MNT/$G/io_write_mbps" \
		"$other max"$'\n'"$DEV max"
	assert_eq "none left" "" "$(cat "$MNT/$G/io_write_mbps")"
else
	echo "# only one block device here: a write naming two disks is not tried"
fi

# ---- the limit bites: 3 MiB of O_DIRECT writes at 1 MiB/s take at least
# two seconds (blk-throttle lets about one slice through at once); the
# kernel's own counters show they went through the group to the device.
# Only a lower bound is asserted: a busy machine makes it slower, never
# faster.
assert_op "io_write_mbps: 1 MiB/s" OK as "$ALICE" "$XOP" write "$MNT/$G/io_write_mbps" "$DEV 1"
start=$(date +%s%N)
sh -c 'echo $$ >"$1/procs" && exec dd if=/dev/zero of="$2" bs=64K count=48 oflag=direct conv=notrunc' \
	sh "$MNT/$G" "$TARGET" 2>/dev/null
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
assert_eq "dd with O_DIRECT in the group succeeds" 0 "$rc"
[ "$ms" -ge 2000 ] && ok "3 MiB at 1 MiB/s took ${ms} ms (>= 2000)" ||
	not_ok "3 MiB at 1 MiB/s took only ${ms} ms: the limit did not bite"
if [ "$V" = 1 ]; then
	bytes=$(awk -v d="$NUM" '$1 == d && $2 == "Write" { print $3 }' \
		"$(real blkio "$G" blkio.throttle.io_service_bytes_recursive)")
else
	bytes=$(grep "^$NUM " "$(real blkio "$G" io.stat)" | tr ' ' '\n' | sed -n 's/^wbytes=//p')
fi
[ "${bytes:-0}" -ge 3145728 ] && ok "the group's counters show ${bytes} bytes written to $DEV" ||
	not_ok "the group's counters show ${bytes:-no} bytes written to $DEV"
# v1 holds the limit in the leaf where the group's processes are: a leaf
# made with the first process copied it; one that exists follows it.
if [ "$V" = 1 ]; then
	leaf=$(cg_mount blkio)/$BASE/$G/.self/blkio.throttle.write_bps_device
	assert_eq "v1: the leaf made with the first process has the limit" "$NUM 1048576" "$(cat "$leaf")"
	assert_op "io_write_mbps: 2 MiB/s" OK as "$ALICE" "$XOP" write "$MNT/$G/io_write_mbps" "$DEV 2"
	assert_eq "v1: the leaf follows" "$NUM 2097152" "$(cat "$leaf")"
	assert_op "io_write_mbps: max" OK as "$ALICE" "$XOP" write "$MNT/$G/io_write_mbps" "$DEV max"
	assert_eq "v1: the leaf's limit goes too" "" "$(cat "$leaf")"
fi
finish
