#!/bin/bash
# SPDX-License-Identifier: MIT
# The tree: user trees made by root with the config's caps, groups made by
# their owner, real directories in every serving hierarchy (owned by root),
# the hidden .self leaf (made with a group's first process), v1 cpuset
# inheritance, recursive rmdir with live
# processes (migrate and kill) leaving no real directory behind.
. "$(dirname "$0")/../lib/lib.sh"

cat >"$CONF" <<CFG
; caps for every user tree
[defaults]
memory_limit_mb = 4096
pids_max = 2000
cpu_percent = 150

[user $ALICE]
memory_limit_mb = 1024   ; alice gets less
cpus = 0
CFG
start_cgfs -o "config=$CONF" || exit 1

assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
assert_op "root creates bob's tree" OK "$XOP" mkdir "$MNT/$BOB"
assert_op "a tree for a name that is no user" EINVAL "$XOP" mkdir "$MNT/no-such-user-xyz"
assert_eq "ls of the root lists both trees" "$ALICE $BOB" "$(ls "$MNT" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "alice's tree is owned by alice" "$ALICE 755" "$(stat -c '%U %a' "$MNT/$ALICE")"
assert_eq "the mount root is root's" "root 755" "$(stat -c '%U %a' "$MNT")"

# Caps from the config on the tree root, owned by root.
assert_eq "[user] cap applied" 1024 "$(cat "$MNT/$ALICE/memory_limit_mb")"
assert_eq "[defaults] cap applied to alice" 2000 "$(cat "$MNT/$ALICE/pids_max")"
assert_eq "[defaults] cap applied to bob" 4096 "$(cat "$MNT/$BOB/memory_limit_mb")"
assert_eq "cpus cap applied" 0 "$(cat "$MNT/$ALICE/cpus")"
assert_eq "...to the real cpuset" 0 "$(cat "$(real cpuset "$ALICE" cpuset.cpus)")"
# A v2 leaf's own cpuset.cpus stays empty: it uses its parent's CPUs, which
# its cpuset.cpus.effective shows.
leaf_cpus=cpuset.cpus
[ "$(cg_version cpuset)" = 2 ] && leaf_cpus=cpuset.cpus.effective
assert_eq "cpu cap applied" 150 "$(cat "$MNT/$ALICE/cpu_percent")"
assert_eq "real memory cap" $((1024 * 1048576)) "$(head -n1 "$(real memory "$ALICE" "$( [ "$(cg_version memory)" = 1 ] && echo memory.limit_in_bytes || echo memory.max)")")"
assert_eq "tree-root cap file is root's" "root 644" "$(stat -c '%U %a' "$MNT/$ALICE/memory_limit_mb")"
assert_eq "tree-root procs is alice's" "$ALICE 644" "$(stat -c '%U %a' "$MNT/$ALICE/procs")"
assert_op "alice cannot raise her cap" EACCES as "$ALICE" "$XOP" write "$MNT/$ALICE/memory_limit_mb" 8192
assert_eq "...and it is unchanged" 1024 "$(cat "$MNT/$ALICE/memory_limit_mb")"

# Groups, three levels, by alice.
assert_op "alice mkdir web" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web"
assert_op "alice mkdir web/db" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web/db"
assert_op "alice mkdir web/db/x" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web/db/x"
assert_op "mkdir of an existing group" EEXIST as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web"
assert_eq "group owned by alice" "$ALICE 755" "$(stat -c '%U %a' "$MNT/$ALICE/web/db")"
assert_eq "knob below the root owned by alice" "$ALICE 644" "$(stat -c '%U %a' "$MNT/$ALICE/web/memory_limit_mb")"
listing=$(ls -a "$MNT/$ALICE/web")
grep -qx db <<<"$listing" && ok "ls shows the child group" || not_ok "ls lacks db: $listing"
grep -qx procs <<<"$listing" && ok "ls shows procs" || not_ok "ls lacks procs"
grep -qx .self <<<"$listing" && not_ok "ls shows the hidden .self" || ok ".self is hidden"
assert_op ".self cannot be looked up" ENOENT "$XOP" read "$MNT/$ALICE/web/.self/procs"
for mp in $(serving_mounts); do
	d="$mp/$BASE/$ALICE/web/db/x"
	[ -d "$d" ] && ok "real group in $mp" || not_ok "missing $d"
	# The leaf comes with the group's first process.
	[ -e "$d/.self" ] && not_ok "$d has a leaf before its first process" ||
		ok "no leaf in $mp before the first process"
	assert_eq "real group in $mp owned by root" root "$(stat -c %U "$d")"
done
assert_eq "procs of a group that never had a process" "" "$(cat "$MNT/$ALICE/web/db/x/procs")"

# rmdir with live processes at every level (migrate, the default).
spawn "$ALICE"; p1=$SPAWN
spawn "$ALICE"; p2=$SPAWN
spawn "$ALICE"; p3=$SPAWN
assert_op "move p1 to web" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/procs" $p1
assert_op "move p2 to web/db" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/db/procs" $p2
assert_op "move p3 to web/db/x" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/db/x/procs" $p3
for mp in $(serving_mounts); do
	d="$mp/$BASE/$ALICE/web/db/x"
	[ -d "$d/.self" ] && ok "the first process made the leaf in $mp" || not_ok "no leaf in $d"
	assert_eq "p3 is in x's leaf in $mp" "/$BASE/$ALICE/web/db/x/.self" "$(pid_cgroup "$p3" "$mp")"
done
cs=$(cg_mount cpuset)
if [ "$(cg_version cpuset)" = 1 ]; then
	assert_eq "v1 cpuset leaf inherits cpus" "$(cat "$cs/$BASE/$ALICE/cpuset.cpus")" "$(cat "$cs/$BASE/$ALICE/web/db/x/.self/cpuset.cpus")"
	assert_eq "v1 cpuset leaf inherits mems" "$(cat "$cs/$BASE/$ALICE/cpuset.mems")" "$(cat "$cs/$BASE/$ALICE/web/db/x/.self/cpuset.mems")"
fi
assert_op "one rmdir removes the three levels" OK as "$ALICE" "$XOP" rmdir "$MNT/$ALICE/web"
for mp in $(serving_mounts); do
	[ -e "$mp/$BASE/$ALICE/web" ] && not_ok "real $mp/$BASE/$ALICE/web still exists" || ok "nothing left in $mp"
done
for p in $p1 $p2 $p3; do
	kill -0 $p && ok "process $p survived (migrate)" || not_ok "process $p died"
	grep -qx "$p" "$MNT/$ALICE/procs" && ok "$p moved to the parent group" || not_ok "$p not in $ALICE/procs"
done
# The tree root had no process: its leaf was made for these, as the cap says.
assert_eq "...the cpus cap holds for the tree's own processes" 0 \
	"$(cat "$(real cpuset "$ALICE" ".self/$leaf_cpus")")"
assert_op "web is gone from the mount" ENOENT "$XOP" read "$MNT/$ALICE/web/procs"

# A group with no child groups goes in two rmdirs per hierarchy unless
# the kernel refuses: a process in it, or a child made behind cgfs's back
# in one hierarchy. Then the long way still moves and removes everything.
assert_op "mkdir solo" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/solo"
spawn "$ALICE"; p4=$SPAWN
assert_op "move p4 to solo" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/solo/procs" $p4
assert_op "rmdir of a group holding a process" OK as "$ALICE" "$XOP" rmdir "$MNT/$ALICE/solo"
kill -0 $p4 && ok "p4 survived" || not_ok "p4 died"
grep -qx "$p4" "$MNT/$ALICE/procs" && ok "p4 moved to the parent group" || not_ok "p4 not in $ALICE/procs"
assert_op "mkdir solo again" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/solo"
outside=$(cg_mount cpu)
[ -n "$outside" ] || outside=$(serving_mounts | head -n 1)
mkdir "$outside/$BASE/$ALICE/solo/outside"
assert_op "rmdir of a group with a child made outside cgfs" OK as "$ALICE" "$XOP" rmdir "$MNT/$ALICE/solo"
for mp in $(serving_mounts); do
	[ -e "$mp/$BASE/$ALICE/solo" ] && not_ok "real solo left in $mp" || ok "solo gone in $mp"
done

# rmdir=kill
stop_cgfs
start_cgfs -o "config=$CONF,rmdir=kill" || exit 1
assert_op "alice mkdir job" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/job"
assert_op "alice mkdir job/sub" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/job/sub"
spawn "$ALICE"; k1=$SPAWN
spawn "$ALICE"; k2=$SPAWN
as "$ALICE" "$XOP" write "$MNT/$ALICE/job/procs" $k1 >/dev/null
as "$ALICE" "$XOP" write "$MNT/$ALICE/job/sub/procs" $k2 >/dev/null
assert_op "rmdir=kill removes job" OK as "$ALICE" "$XOP" rmdir "$MNT/$ALICE/job"
wait_dead $k1 && ok "rmdir=kill killed $k1" || not_ok "$k1 still alive"
wait_dead $k2 && ok "rmdir=kill killed $k2" || not_ok "$k2 still alive"
for mp in $(serving_mounts); do
	[ -e "$mp/$BASE/$ALICE/job" ] && not_ok "real job left in $mp" || ok "job gone in $mp"
done
assert_op "alice mkdir solo" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/solo"
spawn "$ALICE"; k3=$SPAWN
as "$ALICE" "$XOP" write "$MNT/$ALICE/solo/procs" $k3 >/dev/null
assert_op "rmdir=kill removes a group with no children" OK as "$ALICE" "$XOP" rmdir "$MNT/$ALICE/solo"
wait_dead $k3 && ok "rmdir=kill killed $k3" || not_ok "$k3 still alive"
for mp in $(serving_mounts); do
	[ -e "$mp/$BASE/$ALICE/solo" ] && not_ok "real solo left in $mp" || ok "solo gone in $mp"
done

# Only root removes a tree; the tree's processes go to the base's leaf.
assert_op "alice cannot remove her tree" EACCES as "$ALICE" "$XOP" rmdir "$MNT/$ALICE"
assert_op "root removes alice's tree" OK "$XOP" rmdir "$MNT/$ALICE"
assert_op "root removes bob's tree" OK "$XOP" rmdir "$MNT/$BOB"
assert_eq "the root is empty again" "" "$(ls "$MNT")"
