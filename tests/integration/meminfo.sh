#!/bin/bash
# SPDX-License-Identifier: MIT
# meminfo: a group under a real memory load (stress-ng) reads /proc/meminfo
# as the kernel's own counters for that group say, field by field; the
# layout is the kernel's; writes are refused; bind-mounted over
# /proc/meminfo in a private mount namespace, free(1) sees the limit; and
# LXCFS, asked by a process in the same group, agrees on what it must.
. "$(dirname "$0")/../lib/lib.sh"

LX=$(mktemp -d /tmp/cgfs-lxcfs.XXXXXX)
LXPID=
STRESS=
SCRATCH=$LX/cache-file
extra_cleanup() {
	local p mp
	# stress-ng's parent takes its workers down on SIGTERM
	[ -n "$STRESS" ] && kill -TERM "$STRESS" 2>/dev/null && wait "$STRESS" 2>/dev/null
	# anything still in this run's cgroups was started by this run
	for mp in $(cg_mounts); do
		[ -d "$mp/$BASE" ] || continue
		for p in $(find "$mp/$BASE" -name cgroup.procs -exec cat {} + 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	if [ -n "$LXPID" ]; then
		kill -TERM "$LXPID" 2>/dev/null
		wait "$LXPID" 2>/dev/null
	fi
	grep -q " $LX/mnt " /proc/mounts && umount -l "$LX/mnt"
	rm -rf "$LX"
}
trap 'extra_cleanup; cleanup' EXIT

if [ -z "$(cg_mount memory)" ]; then
	not_ok "no memory controller on this host: meminfo cannot be tested"
	exit 1
fi
if ! command -v stress-ng >/dev/null; then
	not_ok "stress-ng is not installed (tools/deps.sh test installs it)"
	exit 1
fi

MEMV=$(cg_version memory)
MiB=1048576
start_cgfs || exit 1
G=$ALICE/load
U=$ALICE/free
H=$ALICE/tree
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
for g in "$G" "$U" "$H" "$H/nolimit" "$H/bigger" "$H/smaller"; do
	assert_op "alice creates $g" OK as "$ALICE" "$XOP" mkdir "$MNT/$g"
done
assert_op "limit 256M" OK as "$ALICE" "$XOP" write "$MNT/$G/memory_limit_mb" 256
assert_op "tree limit 192M" OK as "$ALICE" "$XOP" write "$MNT/$H/memory_limit_mb" 192
assert_op "child above its parent" OK as "$ALICE" "$XOP" write "$MNT/$H/bigger/memory_limit_mb" 1G
assert_op "child below its parent" OK as "$ALICE" "$XOP" write "$MNT/$H/smaller/memory_limit_mb" 64

# ---- the file ----

assert_eq "meminfo is listed" meminfo "$(ls "$MNT/$G" | grep -x meminfo)"
assert_eq "meminfo is read-only, owned by alice" "-r--r--r-- $ALICE" \
	"$(stat -c '%A %U' "$MNT/$G/meminfo")"

# mi FILE LABEL: the value of a meminfo line
mi() { awk -v l="$2:" '$1 == l { print $2; exit }' "$1"; }

# ---- the kernel's layout ----

# The kernel's layout, checked against the kernel's own file: every line
# as wide as the host's line of the same label when its value fits there
# (the label, blanks, the value right-aligned, then " kB" when the host
# has it), one blank before a value too wide for it; the lines cgfs
# renders (all kB lines of show_val_kb()) "Label:" padded to 16 columns,
# the value in 8. LAYOUT_OWNED lists those.
LAYOUT_OWNED=" MemTotal MemFree MemAvailable Buffers Cached SwapCached Active Inactive
Active(anon) Inactive(anon) Active(file) Inactive(file) Unevictable Mlocked SwapTotal SwapFree
Zswap Zswapped Dirty Writeback AnonPages Mapped Shmem KReclaimable Slab SReclaimable SUnreclaim
KernelStack PageTables SecPageTables Percpu AnonHugePages ShmemHugePages FileHugePages "
layout_ok() { # HOSTFILE FILE
	awk -v owned="$(echo $LAYOUT_OWNED)" '
	BEGIN { n = split(owned, o, " "); for (i = 1; i <= n; i++) own[o[i] ":"] = 1 }
	NR == FNR { w[$1] = length($0); u[$1] = (NF == 3 ? " " $3 : ""); next }
	{ lab = $1; val = $2; unit = (NF == 3 ? " " $3 : "")
	  pad = w[lab] - length(lab) - length(unit)
	  want = sprintf("%s%" (pad > length(val) ? pad : length(val) + 1) "s%s", lab, val, unit)
	  if (lab in own) want = sprintf("%-16s%8s kB", lab, val)
	  if (!(lab in w) || $0 != want || unit != u[lab] || val !~ /^[0-9]+$/) {
		print "bad line: " $0; bad = 1 } }
	END { exit bad }' "$1" "$2"
}
host_snap=$(mktemp -p "$LX")
cp /proc/meminfo "$host_snap"
assert_eq "the host's /proc/meminfo passes the layout check against itself" "" \
	"$(LAYOUT_OWNED= layout_ok "$host_snap" "$host_snap")"
for g in "$G" "$U" "$ALICE"; do
	out=$(mktemp -p "$LX")
	cp "$MNT/$g/meminfo" "$out"
	assert_eq "$g: every line in the kernel's layout" "" "$(layout_ok "$host_snap" "$out")"
	assert_eq "$g: the host's lines, in the host's order" "$(cut -d: -f1 /proc/meminfo)" \
		"$(cut -d: -f1 "$out")"
	# lines that are no group's and do not move: byte for byte the host's
	for l in VmallocTotal CommitLimit HugePages_Total Hugepagesize DirectMap4k DirectMap1G; do
		grep -q "^$l:" /proc/meminfo || continue
		assert_eq "$g: the host's $l line" "$(grep "^$l:" /proc/meminfo)" "$(grep "^$l:" "$out")"
	done
	assert_eq "$g: no negative value" "" "$(grep -- '-[0-9]' "$out")"
done

# ---- limits up the tree ----

host_total=$(mi /proc/meminfo MemTotal)
assert_eq "MemTotal is the limit" $((256 * 1024)) "$(mi "$MNT/$G/meminfo" MemTotal)"
assert_eq "an unlimited group sees the host's RAM" "$host_total" "$(mi "$MNT/$U/meminfo" MemTotal)"
assert_eq "the tree root (no cap) sees the host's RAM" "$host_total" \
	"$(mi "$MNT/$ALICE/meminfo" MemTotal)"
assert_eq "a child without a limit: its parent's" $((192 * 1024)) \
	"$(mi "$MNT/$H/nolimit/meminfo" MemTotal)"
assert_eq "a child with a larger limit: its parent's" $((192 * 1024)) \
	"$(mi "$MNT/$H/bigger/meminfo" MemTotal)"
assert_eq "a child with a smaller limit: its own" $((64 * 1024)) \
	"$(mi "$MNT/$H/smaller/meminfo" MemTotal)"
big=$(( (host_total / 1024 + 1024) ))
assert_op "a limit above the host's RAM" OK as "$ALICE" "$XOP" write "$MNT/$U/memory_limit_mb" "$big"
assert_eq "a limit above the host's RAM: the host's RAM" "$host_total" \
	"$(mi "$MNT/$U/meminfo" MemTotal)"
assert_eq "an empty group: MemFree + usage = MemTotal" \
	"$(( host_total - $(cat "$(real memory "$U" "$([ "$MEMV" = 1 ] && echo memory.usage_in_bytes || echo memory.current)")") / 1024 ))" \
	"$(mi "$MNT/$U/meminfo" MemFree)"

# A limit above everything cgfs shows (the real base directory, which this
# run made) still counts: the walk goes up to the hierarchy's root.
if [ "$MEMV" = 1 ]; then BLIM=memory.limit_in_bytes; NOLIM=-1; else BLIM=memory.max; NOLIM=max; fi
echo $((512 * MiB)) >"$(cg_mount memory)/$BASE/$BLIM"
assert_eq "a limit on the real base, above the tree: MemTotal" $((512 * 1024)) \
	"$(mi "$MNT/$U/meminfo" MemTotal)"
assert_eq "a smaller limit below it still wins" $((256 * 1024)) "$(mi "$MNT/$G/meminfo" MemTotal)"
echo "$NOLIM" >"$(cg_mount memory)/$BASE/$BLIM"
assert_eq "the base's limit lifted: the host's RAM again" "$host_total" \
	"$(mi "$MNT/$U/meminfo" MemTotal)"

# ---- every read is fresh, whatever the path names now ----

# The server keeps memory.stat and the usage file of recent groups open
# between reads; a group removed and made again, or renamed behind cgfs's
# back with another made under its name, must read as the group there now.
K=$ALICE/kept
RK=$(cg_mount memory)/$BASE/$K
assert_op "alice creates $K" OK as "$ALICE" "$XOP" mkdir "$MNT/$K"
assert_op "$K: limit 100M" OK as "$ALICE" "$XOP" write "$MNT/$K/memory_limit_mb" 100
for i in 1 2 3; do cat "$MNT/$K/meminfo" >/dev/null; done
assert_eq "$K: MemTotal is its limit" $((100 * 1024)) "$(mi "$MNT/$K/meminfo" MemTotal)"
assert_op "alice removes $K" OK as "$ALICE" "$XOP" rmdir "$MNT/$K"
assert_op "alice makes $K again" OK as "$ALICE" "$XOP" mkdir "$MNT/$K"
assert_op "the new $K: limit 60M" OK as "$ALICE" "$XOP" write "$MNT/$K/memory_limit_mb" 60
assert_eq "the new $K: MemTotal is the new group's limit" $((60 * 1024)) \
	"$(mi "$MNT/$K/meminfo" MemTotal)"
for i in 1 2 3; do cat "$MNT/$K/meminfo" >/dev/null; done
# rename the memory cgroup itself, then put another one (whole: with a
# leaf where the first one has one) under the old name; only v1 renames
# cgroups
if mv "$RK" "$RK-old" 2>/dev/null; then
	mkdir "$RK" && echo $((40 * MiB)) >"$RK/$BLIM"
	[ -d "$RK-old/.self" ] && mkdir "$RK/.self"
	assert_eq "renamed outside, another one under its name: the new one's limit" \
		$((40 * 1024)) "$(mi "$MNT/$K/meminfo" MemTotal)"
	assert_eq "and again (the open files follow)" $((40 * 1024)) \
		"$(mi "$MNT/$K/meminfo" MemTotal)"
	for i in 1 2 3; do as "$ALICE" "$XOP" write "$MNT/$K/memory_limit_mb" 30 >/dev/null; done
	assert_eq "a limit written then goes to the group under the name" $((30 * MiB)) \
		"$(cat "$RK/$BLIM")"
	assert_eq "and not to the renamed one" $((60 * MiB)) "$(cat "$RK-old/$BLIM")"
	[ -d "$RK/.self" ] && rmdir "$RK/.self"
	rmdir "$RK" && mv "$RK-old" "$RK"
	assert_eq "renamed back: the first one's limit" $((60 * 1024)) \
		"$(mi "$MNT/$K/meminfo" MemTotal)"
else
	assert_eq "only v2 refuses to rename a cgroup (no other can take its name)" 2 "$MEMV"
fi

# ---- a real load ----

# anonymous memory kept resident, and page cache charged to the group
sh -c "echo \$\$ > '$MNT/$G/procs' && exec stress-ng --vm 1 --vm-bytes 96M --vm-keep \
	--timeout 300s -q" >/dev/null 2>&1 &
STRESS=$!
sh -c "echo \$\$ > '$MNT/$G/procs' && exec dd if=/dev/zero of='$SCRATCH' bs=1M count=24 \
	status=none"
RD=$(cg_mount memory)/$BASE/$G
if [ "$MEMV" = 1 ]; then USAGE=$RD/memory.usage_in_bytes; else USAGE=$RD/memory.current; fi
# Until the load has touched its 96M (usage alone can pass 100M with the
# page cache before it has).
if [ "$MEMV" = 1 ]; then ANON=total_rss; else ANON=anon; fi
for i in $(seq 1 200); do
	[ "$(cat "$USAGE")" -gt $((100 * MiB)) ] &&
		[ "$(awk -v k="$ANON" '$1 == k {print $2}' "$RD/memory.stat")" -ge $((94 * MiB)) ] && break
	sleep 0.1
done
assert_eq "the load runs in the group (usage above 100M)" yes \
	"$([ "$(cat "$USAGE")" -gt $((100 * MiB)) ] && echo yes || echo "no: $(cat "$USAGE")")"
# The load keeps touching its memory; a fifth of a CPU for it leaves the
# rest of the test (and a small guest's two CPUs) room to run.
[ -e "$MNT/$G/cpu_percent" ] && as "$ALICE" "$XOP" write "$MNT/$G/cpu_percent" 20 >/dev/null

# The kernel's counters for meminfo lines: each EXPR a memory.stat key, a
# sum "a+b", a difference "a-b" (never below 0), or 0. Prints kB.
# kernel_kb STATFILE EXPR...
kernel_kb() {
	local f=$1
	shift
	awk -v exprs="$*" 'function kb(e,   p, r) {
		if (e == "0") return 0
		if (split(e, p, "+") == 2) r = v[p[1]] + v[p[2]]
		else if (split(e, p, "-") == 2) { r = v[p[1]] - v[p[2]]; if (r < 0) r = 0 }
		else r = v[e]
		return int(r / 1024) }
	{ v[$1] = $2 }
	END { n = split(exprs, e, " "); for (i = 1; i <= n; i++) print kb(e[i]) }' "$f"
}

# Label, v1 source, v2 source (memory.stat keys, hierarchical on v1).
FIELDS="Cached total_cache-total_swapcached file-swapcached
SwapCached total_swapcached swapcached
Active total_active_anon+total_active_file active_anon+active_file
Inactive total_inactive_anon+total_inactive_file inactive_anon+inactive_file
Active(anon) total_active_anon active_anon
Inactive(anon) total_inactive_anon inactive_anon
Active(file) total_active_file active_file
Inactive(file) total_inactive_file inactive_file
Unevictable total_unevictable unevictable
Dirty total_dirty file_dirty
Writeback total_writeback file_writeback
AnonPages total_rss anon
Mapped total_mapped_file file_mapped
Shmem total_shmem shmem
AnonHugePages total_rss_huge anon_thp
Slab 0 slab
SReclaimable 0 slab_reclaimable
SUnreclaim 0 slab_unreclaimable
KernelStack 0 kernel_stack
PageTables 0 pagetables
Buffers 0 0
Mlocked 0 0"

# Counters move while we read: the kernel before and after must bracket
# cgfs's value, give or take SLACK kB (per-CPU batching of the counters).
SLACK=2048
between() { # DESC GOT A B
	local lo=$3 hi=$4
	[ "$lo" -gt "$hi" ] && { lo=$4; hi=$3; }
	if [ "$2" -ge $((lo - SLACK)) ] && [ "$2" -le $((hi + SLACK)) ]; then
		ok "$1 ($2 kB, kernel $3..$4)"
	else
		not_ok "$1: $2 kB, the kernel said $3 and $4"
	fi
}

k1=$(mktemp -p "$LX"); k2=$(mktemp -p "$LX"); m=$(mktemp -p "$LX")
u1=$(cat "$USAGE"); cp "$RD/memory.stat" "$k1"
cp "$MNT/$G/meminfo" "$m"
u2=$(cat "$USAGE"); cp "$RD/memory.stat" "$k2"
labels=() exprs=()
while read -r label e1 e2; do
	labels+=("$label")
	[ "$MEMV" = 1 ] && exprs+=("$e1") || exprs+=("$e2")
done <<<"$FIELDS"
mapfile -t before_kb < <(kernel_kb "$k1" "${exprs[@]}")
mapfile -t after_kb < <(kernel_kb "$k2" "${exprs[@]}")
declare -A got=()
while read -r l v _; do got[${l%:}]=$v; done <"$m"
for i in "${!labels[@]}"; do
	between "${labels[$i]} from memory.stat (${exprs[$i]})" "${got[${labels[$i]}]}" \
		"${before_kb[$i]}" "${after_kb[$i]}"
done

total=$(mi "$m" MemTotal); free=$(mi "$m" MemFree); avail=$(mi "$m" MemAvailable)
assert_eq "under load, MemTotal is still the limit" $((256 * 1024)) "$total"
between "MemFree = MemTotal - usage" "$free" $((total - u1 / 1024)) $((total - u2 / 1024))
if [ "$MEMV" = 1 ]; then reclaim=total_active_file+total_inactive_file; else reclaim=active_file+inactive_file; fi
a1=$(( free + $(kernel_kb "$k1" "$reclaim") )); a2=$(( free + $(kernel_kb "$k2" "$reclaim") ))
if [ "$MEMV" = 2 ]; then
	a1=$((a1 + $(kernel_kb "$k1" slab_reclaimable))); a2=$((a2 + $(kernel_kb "$k2" slab_reclaimable)))
fi
[ "$a1" -gt "$total" ] && a1=$total
[ "$a2" -gt "$total" ] && a2=$total
between "MemAvailable = MemFree + file pages (+ reclaimable slab)" "$avail" "$a1" "$a2"
assert_eq "MemAvailable >= MemFree" yes "$([ "$avail" -ge "$free" ] && echo yes)"
assert_eq "MemAvailable <= MemTotal" yes "$([ "$avail" -le "$total" ] && echo yes)"
assert_eq "page cache is counted (Cached >= 20M)" yes \
	"$([ "$(mi "$m" Cached)" -ge $((20 * 1024)) ] && echo yes || echo "no: $(mi "$m" Cached)")"
assert_eq "the load is counted (AnonPages >= 90M)" yes \
	"$([ "$(mi "$m" AnonPages)" -ge $((90 * 1024)) ] && echo yes || echo "no: $(mi "$m" AnonPages)")"
assert_eq "under load: no negative value" "" "$(grep -- '-[0-9]' "$m")"
assert_eq "under load: the kernel's layout" "" "$(layout_ok "$host_snap" "$m")"

# swap: what the group may swap, capped by the host's swap
host_swap=$(mi /proc/meminfo SwapTotal)
sw=$(mi "$m" SwapTotal)
assert_eq "SwapTotal within the host's swap" yes "$([ "$sw" -le "$host_swap" ] && echo yes)"
assert_eq "SwapFree within SwapTotal" yes "$([ "$(mi "$m" SwapFree)" -le "$sw" ] && echo yes)"

# ---- writes ----

before=$(snapshot)
assert_op "alice cannot write meminfo" EACCES as "$ALICE" "$XOP" write "$MNT/$G/meminfo" 1
assert_op "root cannot write meminfo" EACCES "$XOP" write "$MNT/$G/meminfo" "MemTotal: 1 kB"
assert_op "bob cannot write meminfo" EACCES as "$BOB" "$XOP" write "$MNT/$G/meminfo" 1
assert_op "alice cannot chmod meminfo" EPERM as "$ALICE" "$XOP" chmod "$MNT/$G/meminfo" 644
assert_eq "refused writes changed nothing" "$before" "$(snapshot)"
assert_eq "refused writes: MemTotal unchanged" $((256 * 1024)) "$(mi "$MNT/$G/meminfo" MemTotal)"

# ---- bind-mounted over /proc/meminfo, as a container runtime does ----

free_total=$(unshare --mount sh -c "mount --bind '$MNT/$G/meminfo' /proc/meminfo && free -m" |
	awk '/^Mem:/ { print $2 }')
assert_eq "free -m in a namespace with meminfo over /proc/meminfo: the limit in MiB" 256 "$free_total"
assert_eq "the host's /proc/meminfo is untouched" "$host_total" "$(mi /proc/meminfo MemTotal)"

# ---- LXCFS, asked by a process in the same group ----

lxcfs_compare() {
	local i lx=$LX/lxcfs.out cg=$LX/cgfs.out
	if ! command -v lxcfs >/dev/null; then
		not_ok "lxcfs is not installed (tools/deps.sh test installs it): no comparison"
		return
	fi
	mkdir -p "$LX/mnt"
	lxcfs -f -p "$LX/lxcfs.pid" "$LX/mnt" >"$LX/lxcfs.log" 2>&1 &
	LXPID=$!
	for i in $(seq 1 100); do
		grep -q " $LX/mnt fuse.lxcfs " /proc/mounts && break
		sleep 0.1
	done
	if ! grep -q " $LX/mnt fuse.lxcfs " /proc/mounts; then
		not_ok "lxcfs did not mount: $(tail -n 3 "$LX/lxcfs.log")"
		return
	fi
	# LXCFS answers for the cgroup of the reading process: read from inside
	sh -c "echo \$\$ > '$MNT/$G/procs' && cat '$LX/mnt/proc/meminfo' > '$lx' &&
		cat '$MNT/$G/meminfo' > '$cg'"
	assert_eq "LXCFS and cgfs: the same lines in the same order" "$(cut -d: -f1 "$lx")" \
		"$(cut -d: -f1 "$cg")"
	assert_eq "LXCFS and cgfs: the same MemTotal" "$(mi "$lx" MemTotal)" "$(mi "$cg" MemTotal)"
	echo "# lines where LXCFS 5 and cgfs differ (label: lxcfs | cgfs, kB):"
	paste -d'|' "$lx" "$cg" | awk -F'|' '$1 != $2 { split($1, a, " +"); split($2, b, " +")
		printf "#   %-16s %12s | %s\n", a[1], a[2], b[2] }'
}
lxcfs_compare
