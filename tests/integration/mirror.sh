#!/bin/bash
# SPDX-License-Identifier: MIT
# The hard limits a group's processes read from their own cgroup, its
# .self leaf (cgfs(5), Limits on the leaf): set through the mount before
# and after the first process, they are in the leaf's kernel files too,
# raised and lowered in either order; a process in a cgroup namespace
# rooted at its cgroup reads them, and so does the JVM where there is one.
. "$(dirname "$0")/../lib/lib.sh"

cat >"$CONF" <<CFG
[defaults]
pids_max = 500
CFG
start_cgfs -o "config=$CONF" || exit 1
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

cpu_files() {
	local f
	if [ "$CPUV" = 1 ]; then f="cpu.cfs_quota_us cpu.cfs_period_us cpu.cfs_burst_us"
	else f="cpu.max cpu.max.burst"; fi
	for f in $f; do [ -f "$(real cpu "$G" "$f")" ] && echo "$f"; done
	return 0
}

check_all() {
	local f
	for f in $(mem_files); do same memory "$f" "$1"; done
	for f in $(cpu_files); do same cpu "$f" "$1"; done
	same pids pids.max "$1"
}

# ---- before the first process: the leaf made with it copies them

set_knob memory_limit_mb 256
has_knob memory_swap_limit_mb && set_knob memory_swap_limit_mb 64
set_knob cpu_percent 50
set_knob pids_max 64
has_knob cpu_burst_percent && set_knob cpu_burst_percent 10
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

# v1 refuses a child's CPU quota/period above its parent's: a raise goes
# to the group first, a fall to the leaf first, and both take it.
set_knob cpu_percent 150
check_all "cpu raised"
set_knob cpu_percent 30
check_all "cpu lowered"
set_knob cpu_percent max
check_all "no cpu limit"
set_knob cpu_percent 80
check_all "a cpu limit again (a fall from none)"
set_knob cpu_period_us 200000
check_all "a longer period"
set_knob cpu_period_us 50000
check_all "a shorter period"
set_knob cpu_period_us 100000
assert_eq "cpu_percent reads the group's own value" 80 "$(cat "$MNT/$G/cpu_percent")"

# All or nothing: on v1 a child group at 60 % makes a fall of web to 40 %
# fail at the group after its leaf took it; the leaf is put back.
assert_op "alice creates web/db" OK as "$ALICE" "$XOP" mkdir "$MNT/$G/db"
set_knob db/cpu_percent 60
if [ "$CPUV" = 1 ]; then
	assert_op "web 40 % below db's 60 %: refused" EINVAL \
		as "$ALICE" "$XOP" write "$MNT/$G/cpu_percent" 40
	assert_eq "web still reads 80" 80 "$(cat "$MNT/$G/cpu_percent")"
	check_all "a refused fall"
	assert_eq "the leaf's quota is put back" 80000 \
		"$(cat "$(real cpu "$G/.self" cpu.cfs_quota_us)")"
else
	echo "# v2 takes a parent's quota below a child's: nothing to refuse"
fi
set_knob db/cpu_percent max
set_knob cpu_percent 100
check_all "cpu_percent 100"

set_knob pids_max 32
check_all "pids lowered"
set_knob pids_max max
check_all "no pids limit"
set_knob pids_max 128
check_all "pids raised from none"

# ---- caps: at a tree root, made before its first process, and written
# again at a reload (SIGHUP) with a new value: the leaf follows both.

spawn "$ALICE"
assert_op "alice moves a process to her tree root" OK \
	as "$ALICE" "$XOP" write "$MNT/$ALICE/procs" "$SPAWN"
assert_eq "the root's leaf took the cap" 500 \
	"$(cat "$(real pids "$ALICE/.self" pids.max)")"

# A raw write is the group's alone; a leaf out of step (as one made by a
# cgfs that did not mirror) is brought back in step at the next start.
assert_op "alice writes raw/pids.max" OK as "$ALICE" "$XOP" write "$MNT/$G/raw/pids.max" 77
assert_eq "the leaf keeps what it had" 128 "$(cat "$(real pids "$G/.self" pids.max)")"
if [ "$CPUV" = 1 ]; then q=cpu.cfs_quota_us; n=-1; else q=cpu.max; n="max 100000"; fi
echo "$n" >"$(real cpu "$G/.self" "$q")"
echo 1G >"$(real memory "$G/.self" "$(mem_files | head -n 1)")"

sed -i 's/^pids_max = 500$/pids_max = 400/' "$RUN_CONF"
S=$(server_pid)
kill -HUP "$DAEMON"
S=$(wait_server "$S") && ok "SIGHUP: a new server" || not_ok "no server after SIGHUP"
assert_eq "the new cap is the root's" 400 "$(cat "$(real pids "$ALICE" pids.max)")"
assert_eq "...and its leaf's" 400 "$(cat "$(real pids "$ALICE/.self" pids.max)")"
check_all "a leaf out of step, after a restart"

# ---- a cgroup namespace rooted at the process's cgroup, as a container
# runtime makes one: only the leaf's files are there to read.

# ns_read CTRL FILE: FILE at the root of CTRL's hierarchy, read by a
# process of the group inside a new cgroup and mount namespace.
NSDIR=$(mktemp -d /tmp/cgfs-ns.XXXXXX)
test_cleanup() { rmdir "$NSDIR" 2>/dev/null; }
ns_read() {
	local ctrl=$1 file=$2 mnt how
	mnt=$(cg_mount "$ctrl")
	if [ "$mnt" = "$(v2_mount)" ]; then how="-t cgroup2"; else how="-t cgroup -o $ctrl"; fi
	# shellcheck disable=SC2016
	sh -c 'echo $$ > "$1/procs" && exec unshare -Cm sh -c "mount $2 none $3 && cat $3/$4"' \
		_ "$MNT/$G" "$how" "$NSDIR" "$file" 2>&1
}

ns_check() {
	local want
	want=$(cat "$(real "$1" "$G" "$2")")
	assert_eq "in a cgroup namespace: $2" "$want" "$(ns_read "$1" "$2")"
}

for f in $(mem_files); do ns_check memory "$f"; done
for f in $(cpu_files); do ns_check cpu "$f"; done
ns_check pids pids.max

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
	assert_eq "java reads the CPU quota" "CPU Quota: 100000us" \
		"$(echo "$J" | grep -o 'CPU Quota: .*')"
	assert_eq "java counts one CPU (cpu_percent 100)" "Effective CPU Count: 1" \
		"$(echo "$J" | grep -o 'Effective CPU Count: .*')"
else
	# The v2 guest has no java: the namespace checks above read the
	# files the JVM reads.
	echo "# SKIP java: not installed here; the cgroup namespace checks stand for it"
fi
