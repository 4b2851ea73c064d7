#!/bin/bash
# SPDX-License-Identifier: MIT
# The hard limits a group's processes read from their own cgroup, its
# .self leaf (cgfs(5), Limits on the leaf): set through the mount before
# and after the first process, they are in the leaf's kernel files too,
# raised and lowered in either order; a process in a cgroup namespace
# rooted at its cgroup reads them, and so does the JVM where there is one.
. "$(dirname "$0")/../lib/lib.sh"

start_cgfs || exit 1
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
G=$ALICE/web
assert_op "alice creates a group" OK as "$ALICE" "$XOP" mkdir "$MNT/$G"
MEMV=$(cg_version memory)
CPUV=$(cg_version cpu)
PIDV=$(cg_version pids)
echo "# kernel $(uname -r); memory on v$MEMV, cpu on v$CPUV, pids on v$PIDV"

has_knob() { ls "$MNT/$G" | grep -qx "$1"; }

# same CTRL FILE WHAT: the leaf's FILE holds what the group's holds.
same() {
	local g l
	g=$(cat "$(real "$1" "$G" "$2")")
	l=$(cat "$(real "$1" "$G/.self" "$2")" 2>&1)
	assert_eq "$3: leaf's $2 = group's ($g)" "$g" "$l"
}

# set_knob KNOB VALUE: alice writes it.
set_knob() {
	assert_op "alice sets $1 $2" OK as "$ALICE" "$XOP" write "$MNT/$G/$1" "$2"
}

# The files each knob mirrors, on this host's versions.
mem_files() {
	if [ "$MEMV" = 1 ]; then
		echo memory.limit_in_bytes
		[ -f "$(real memory "$G" memory.memsw.limit_in_bytes)" ] && echo memory.memsw.limit_in_bytes
	else
		echo memory.max
		[ -f "$(real memory "$G" memory.swap.max)" ] && echo memory.swap.max
	fi
	return 0
}

check_all() {
	local f
	for f in $(mem_files); do same memory "$f" "$1"; done
}

# ---- before the first process: the leaf made with it copies them

set_knob memory_limit_mb 256
has_knob memory_swap_limit_mb && set_knob memory_swap_limit_mb 64
spawn "$ALICE"
P=$SPAWN
assert_op "alice moves a process in (the leaf is made)" OK \
	as "$ALICE" "$XOP" write "$MNT/$G/procs" "$P"
check_all "set before the first process"

# ---- after: every write reaches the leaf too, up and down

set_knob memory_limit_mb 128
check_all "memory lowered"
set_knob memory_limit_mb 1G
check_all "memory raised"
has_knob memory_swap_limit_mb && set_knob memory_swap_limit_mb max
set_knob memory_limit_mb max
check_all "no memory limit"
set_knob memory_limit_mb 256
check_all "a memory limit again"
assert_eq "the knob reads the group's own value" 256 "$(cat "$MNT/$G/memory_limit_mb")"

# ---- a cgroup namespace rooted at the process's cgroup, as a container
# runtime makes one: only the leaf's files are there to read.

# ns_read CTRL FILE: FILE at the root of CTRL's hierarchy, read by a
# process of the group inside a new cgroup and mount namespace.
ns_read() {
	local ctrl=$1 file=$2 mnt how
	mnt=$(cg_mount "$ctrl")
	if [ "$mnt" = "$(v2_mount)" ]; then how="-t cgroup2"; else how="-t cgroup -o $ctrl"; fi
	# shellcheck disable=SC2016
	sh -c 'echo $$ > "$1/procs" && exec unshare -Cm sh -c "mount $2 none /mnt && cat /mnt/$3"' \
		_ "$MNT/$G" "$how" "$file" 2>&1
}

ns_check() {
	local want
	want=$(cat "$(real "$1" "$G" "$2")")
	assert_eq "in a cgroup namespace: $2" "$want" "$(ns_read "$1" "$2")"
}

for f in $(mem_files); do ns_check memory "$f"; done

# ---- the JVM sizes itself from its own cgroup

java_settings() {
	as "$ALICE" env HOME=/tmp sh -c 'echo $$ > "$1/procs" && exec java -XshowSettings:system -version' \
		_ "$MNT/$G" 2>&1
}

if command -v java >/dev/null 2>&1; then
	J=$(java_settings)
	echo "$J" | grep -E "Provider|CPU|Memory Limit" | sed 's/^/# /'
	assert_eq "java reads the memory limit" "Memory Limit: 256.00M" \
		"$(echo "$J" | grep -o 'Memory Limit: .*')"
else
	# The v2 guest has no java: the namespace checks above read the
	# files the JVM reads.
	echo "# SKIP java: not installed here; the cgroup namespace checks stand for it"
fi
