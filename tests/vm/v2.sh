#!/bin/bash
# SPDX-License-Identifier: MIT
# What only pure cgroup v2 with every controller shows, run in the guest of
# run.sh after the shared integration tests: the daemon moving itself into
# a leaf when its base is its own cgroup; controllers enabled in
# cgroup.subtree_control one at a time down the tree (a refused one hides
# no other); the .self leaf letting a group with children hold processes;
# freeze and cgroup.kill over a subtree; memory.peak; caps in
# memory.max, memory.swap.max, cpuset.cpus and cgroup.max.*; recursive
# rmdir of a frozen group.
# Usage: v2.sh CGFS XOP (needs pure cgroup v2: fails elsewhere)
. "$(dirname "$0")/../lib/lib.sh"

V2=$(v2_mount)
for c in cpu cpuset memory pids blkio freezer; do
	if [ "$(cg_version "$c")" != 2 ]; then
		not_ok "v2.sh needs pure cgroup v2 with every controller: $c is not on v2 here"
		exit 1
	fi
done
MiB=1048576
# What cgfs enables below every group, as the kernel lists it.
CTRLS_ON="cpuset cpu io memory pids"
R=$V2/$BASE

# start_daemon CGROUP ARGS...: cgfs -f ARGS MNT, without lib.sh's base=,
# started in the real cgroup CGROUP (a directory) unless it is "".
start_daemon() {
	local cg=$1
	shift
	bash -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 99; shift; exec "$@"' \
		_ "$cg" "$CGFS" -f "$@" "$MNT" >>"$LOG" 2>&1 &
	DAEMON=$!
	wait_mounted cgfs
}

# stop_daemon: unmounts; the daemon must then exit 0.
stop_daemon() {
	local rc
	fusermount3 -u "$MNT"
	wait "$DAEMON"
	rc=$?
	DAEMON=
	assert_eq "the daemon exits 0 once unmounted" 0 "$rc"
}

# ---- 1. A base that is the daemon's own cgroup (systemd's Delegate=yes)

out=$(timeout 20 "$CGFS" -f "$MNT" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && ok "no base= in the root cgroup: refused (exit $rc)" ||
	not_ok "no base= in the root cgroup: exit $rc, $out"
grep -q " $MNT fuse.cgfs " /proc/mounts && { not_ok "...but it mounted"; fusermount3 -u "$MNT"; }

mkdir "$R"
# A service started in a cgroup of its own, as systemd starts cgfs.service.
start_daemon "$R" || exit 1
assert_eq "the daemon moved itself into its base's leaf" "/$BASE/.self" "$(pid_cgroup "$DAEMON" "$V2")"
assert_eq "its base holds no process" "" "$(cat "$R/cgroup.procs")"
assert_eq "controllers enabled below its base" "$CTRLS_ON" "$(cat "$R/cgroup.subtree_control")"
assert_op "root creates alice's tree there" OK "$XOP" mkdir "$MNT/$ALICE"
assert_op "root sets alice's pids cap" OK "$XOP" write "$MNT/$ALICE/pids_max" 42
assert_eq "...in the real pids.max below the daemon's own cgroup" 42 "$(cat "$R/$ALICE/pids.max")"
assert_op "alice makes a group" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web"
assert_eq "...with the controllers enabled below it" "$CTRLS_ON" "$(cat "$R/$ALICE/web/cgroup.subtree_control")"
assert_op "root removes the tree" OK "$XOP" rmdir "$MNT/$ALICE"
stop_daemon

# ---- 2. base= given, caps from the config

cat >"$CONF" <<CFG
[user $ALICE]
memory_limit_mb = 512
memory_swap_limit_mb = 64
cpus = 0
max_groups = 4
max_depth = 2
CFG
start_cgfs -o "config=$CONF" || exit 1
T=$ALICE
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$T"
assert_op "alice mkdir web" OK as "$ALICE" "$XOP" mkdir "$MNT/$T/web"
assert_op "alice mkdir web/db" OK as "$ALICE" "$XOP" mkdir "$MNT/$T/web/db"

# Caps land in the tree root's v2 files.
assert_eq "cap memory.max" $((512 * MiB)) "$(cat "$R/$T/memory.max")"
assert_eq "cap memory.swap.max" $((64 * MiB)) "$(cat "$R/$T/memory.swap.max")"
assert_eq "cap memory_swap_limit_mb reads back" 64 "$(cat "$MNT/$T/memory_swap_limit_mb")"
assert_eq "cap cpuset.cpus" 0 "$(cat "$R/$T/cpuset.cpus")"
assert_eq "a new group's cpus reads what it may use" 0 "$(cat "$MNT/$T/web/cpus")"
# max_groups and max_depth as the kernel's own caps: every group has a
# real directory and, once it has had a process, a leaf; so has the tree
# root.
assert_eq "cap cgroup.max.descendants (1 + 2 x max_groups)" 9 "$(cat "$R/$T/cgroup.max.descendants")"
assert_eq "cap cgroup.max.depth (max_depth + the leaf)" 3 "$(cat "$R/$T/cgroup.max.depth")"

# Controllers, one level at a time, in every group and never in a leaf.
for g in "" "/$T" "/$T/web" "/$T/web/db"; do
	assert_eq "subtree_control of base$g" "$CTRLS_ON" "$(cat "$R$g/cgroup.subtree_control")"
done
# leaves GROUP...: each leaf has every controller's files, none below it.
leaves() {
	local g f
	for g; do
		assert_eq "subtree_control of base$g/.self" "" "$(cat "$R$g/.self/cgroup.subtree_control")"
		for f in memory.max cpu.max cpuset.cpus io.weight pids.max; do
			[ -f "$R$g/.self/$f" ] || not_ok "base$g/.self lacks $f"
		done
	done
}
leaves ""
[ -e "$R/$T/web/.self" ] && not_ok "web has a leaf before its first process" ||
	ok "no leaf before a group's first process"

# A group with children holds processes, through its leaf: the kernel
# itself refuses a process in a cgroup that has controllers below it.
spawn "$ALICE"; p1=$SPAWN
spawn "$ALICE"; p2=$SPAWN
assert_op "move p1 into web, which has a child" OK as "$ALICE" "$XOP" write "$MNT/$T/web/procs" "$p1"
assert_op "move p2 into web/db" OK as "$ALICE" "$XOP" write "$MNT/$T/web/db/procs" "$p2"
assert_eq "p1 is in web's leaf" "/$BASE/$T/web/.self" "$(pid_cgroup "$p1" "$V2")"
assert_eq "p2 is in db's leaf" "/$BASE/$T/web/db/.self" "$(pid_cgroup "$p2" "$V2")"
leaves "/$T/web" "/$T/web/db"
assert_op "the kernel refuses a process in web itself" EBUSY "$XOP" write "$R/$T/web/cgroup.procs" "$p1"
assert_eq "web's procs lists p1" "$p1" "$(cat "$MNT/$T/web/procs")"
spawn "$ALICE"; p3=$SPAWN
as "$ALICE" "$XOP" write "$MNT/$T/web/procs" "$p3" >/dev/null
assert_eq "a process in web is held to the tree's CPUs" 0 \
	"$(awk '/^Cpus_allowed_list:/ {print $2}' "/proc/$p3/status")"

# freeze: cgroup.freeze of the group, the whole subtree frozen.
assert_op "freeze web" OK as "$ALICE" "$XOP" write "$MNT/$T/web/freeze" 1
assert_eq "real cgroup.freeze" 1 "$(cat "$R/$T/web/cgroup.freeze")"
for g in web web/.self web/db web/db/.self; do
	assert_eq "$g frozen (cgroup.events)" "frozen 1" "$(grep '^frozen' "$R/$T/$g/cgroup.events")"
done
assert_eq "db's freeze reads 1: frozen with its parent" 1 "$(cat "$MNT/$T/web/db/freeze")"
assert_op "thaw web" OK as "$ALICE" "$XOP" write "$MNT/$T/web/freeze" 0
assert_eq "real cgroup.freeze thawed" 0 "$(cat "$R/$T/web/cgroup.freeze")"
assert_eq "db thawed" "frozen 0" "$(grep '^frozen' "$R/$T/web/db/.self/cgroup.events")"

# memory.peak, where the kernel has it: a process that touched 32 MiB.
if [ -f "$R/$T/web/db/memory.peak" ]; then
	as "$ALICE" bash -c 'echo $$ >"$1" && exec dd if=/dev/zero of=/dev/null bs=32M count=1 2>/dev/null' \
		_ "$MNT/$T/web/db/procs"
	peak=$(cat "$MNT/$T/web/db/memory_peak_mb")
	assert_eq "memory_peak_mb is memory.peak in MiB" $(($(cat "$R/$T/web/db/memory.peak") / MiB)) "$peak"
	[ "$peak" -ge 32 ] && ok "memory_peak_mb saw the 32 MiB ($peak)" || not_ok "memory_peak_mb $peak < 32"
	assert_eq "stat's memory_peak_mb" "memory_peak_mb $peak" "$(grep '^memory_peak_mb' "$MNT/$T/web/db/stat")"
else
	[ -e "$MNT/$T/web/db/memory_peak_mb" ] && not_ok "memory_peak_mb listed without memory.peak" ||
		ok "no memory.peak on this kernel: no memory_peak_mb"
fi

# kill: cgroup.kill takes the whole subtree, a forking process included;
# the groups remain.
setpriv --reuid="$(id -u "$ALICE")" --regid="$(id -g "$ALICE")" --clear-groups -- \
	bash -c 'echo $$ >"$1" && while :; do sleep 100 & sleep 0.05; done' _ "$MNT/$T/web/db/procs" \
	>/dev/null 2>&1 &
forker=$!
SPAWNED+=("$forker")
for i in $(seq 1 100); do
	[ "$(cat "$R/$T/web/db/pids.current")" -ge 4 ] && break
	sleep 0.05
done
n=$(cat "$R/$T/web/pids.current")
[ "$n" -ge 5 ] && ok "web holds $n processes before kill" || not_ok "web holds only $n processes"
assert_op "kill web" OK as "$ALICE" "$XOP" write "$MNT/$T/web/kill" 1
for p in "$p1" "$p2" "$p3" "$forker"; do
	wait_dead "$p" && ok "kill: $p is dead" || not_ok "kill: $p survived"
done
for i in $(seq 1 100); do
	[ "$(cat "$R/$T/web/pids.current")" = 0 ] && break
	sleep 0.05
done
assert_eq "kill: nothing left in web's subtree" 0 "$(cat "$R/$T/web/pids.current")"
assert_eq "kill: stat says unpopulated" "populated 0" "$(grep '^populated' "$MNT/$T/web/stat")"
[ -d "$R/$T/web/db/.self" ] && ok "kill: the groups remain" || not_ok "kill removed groups"

# Recursive rmdir of a frozen group: its processes move up and run again.
spawn "$ALICE"; p4=$SPAWN
as "$ALICE" "$XOP" write "$MNT/$T/web/db/procs" "$p4" >/dev/null
as "$ALICE" "$XOP" write "$MNT/$T/web/freeze" 1 >/dev/null
assert_op "rmdir of the frozen web" OK as "$ALICE" "$XOP" rmdir "$MNT/$T/web"
[ -e "$R/$T/web" ] && not_ok "real web left behind" || ok "real web removed, leaves and all"
assert_eq "its process moved to the tree's leaf" "/$BASE/$T/.self" "$(pid_cgroup "$p4" "$V2")"
assert_eq "...and is not frozen there" "frozen 0" "$(grep '^frozen' "$R/$T/.self/cgroup.events")"
leaves "/$T"
assert_eq "the tree's leaf may use CPU 0 only" 0 "$(cat "$R/$T/.self/cpuset.cpus.effective")"
kill -0 "$p4" && ok "it is alive" || not_ok "it died"

# max_groups and max_depth: cgfs says EDQUOT; the kernel holds the line
# for anyone going around cgfs.
# Each group with a leaf, as once each had a process: the most cgroups
# the tree can hold through cgfs.
for g in a a/b b c; do
	as "$ALICE" "$XOP" mkdir "$MNT/$T/$g" >/dev/null
	as "$ALICE" "$XOP" write "$MNT/$T/$g/procs" "$p4" >/dev/null
done
as "$ALICE" "$XOP" write "$MNT/$T/procs" "$p4" >/dev/null
assert_eq "every group got its leaf" 4 "$(ls -d "$R/$T"/a/.self "$R/$T"/a/b/.self "$R/$T"/b/.self "$R/$T"/c/.self | wc -l)"
assert_op "deeper than max_depth" EDQUOT as "$ALICE" "$XOP" mkdir "$MNT/$T/a/b/c"
assert_op "more than max_groups" EDQUOT as "$ALICE" "$XOP" mkdir "$MNT/$T/d"
assert_op "the kernel refuses one more cgroup in the tree" EAGAIN "$XOP" mkdir "$R/$T/x"
stop_cgfs

# ---- 3. A controller the parent does not hand down hides no other

mkdir "$R/noio"
for c in cpuset cpu memory pids; do echo "+$c" >"$R/noio/cgroup.subtree_control"; done
start_daemon "" -o "base=/$BASE/noio/b" || exit 1
assert_eq "every controller but io enabled" "cpuset cpu memory pids" "$(cat "$R/noio/b/cgroup.subtree_control")"
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
[ -e "$MNT/$ALICE/memory_limit_mb" ] && ok "memory_limit_mb is there" || not_ok "memory_limit_mb hidden"
[ -e "$MNT/$ALICE/io_weight" ] && not_ok "io_weight listed without io" || ok "io_weight is not listed"
assert_op "root removes it" OK "$XOP" rmdir "$MNT/$ALICE"
stop_daemon
