#!/bin/bash
# SPDX-License-Identifier: MIT
# procview: a group's own /proc and /sys files (proc/cpuinfo,
# proc/meminfo, proc/uptime, proc/swaps, proc/stat, proc/loadavg,
# proc/diskstats, sys/devices/system/cpu/online) through a real mount: the
# CPUs they show are the group's cpuset narrowed by its CFS quota (and
# its ancestors'), numbered from 0; cpuinfo's blocks are the host's;
# bound over /proc/cpuinfo and the sys file in a private mount namespace
# they are what programs count; stat's CPU lines are the group's time and
# its procs_running and procs_blocked its threads'; every reader (busybox
# cat, sendfile, a second user) reads them whole; nothing writes them.
. "$(dirname "$0")/../lib/lib.sh"

SCRATCH=
test_cleanup() {
	[ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
}

BUSYBOX=$(command -v busybox || true)
if [ -z "$BUSYBOX" ]; then
	not_ok "busybox is not installed (tools/deps.sh installs busybox-static)"
	exit 1
fi

start_cgfs || exit 1
G=$ALICE/box
H=$ALICE/capped
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
for g in "$G" "$H" "$H/child"; do
	assert_op "alice creates $g" OK as "$ALICE" "$XOP" mkdir "$MNT/$g"
done

ONLINE=sys/devices/system/cpu/online

# ---- the layout ----

assert_eq "a group lists proc and sys" "proc sys" \
	"$(ls "$MNT/$G" | grep -xE 'proc|sys' | tr '\n' ' ' | sed 's/ $//')"
have_mem=$([ -e "$MNT/$G/meminfo" ] && echo yes || echo no)
want_proc="cpuinfo loadavg stat uptime"
[ "$have_mem" = yes ] && want_proc="$want_proc meminfo swaps"
# proc/diskstats (diskstats.sh tests it) is where the I/O limits are
[ -e "$MNT/$G/io_read_mbps" ] && want_proc="$want_proc diskstats"
want_proc=$(tr ' ' '\n' <<<"$want_proc" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
assert_eq "proc/ holds the group's files" "$want_proc" "$(ls "$MNT/$G/proc" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "sys/ holds devices/system/cpu/online" "$MNT/$G/$ONLINE" \
	"$(find "$MNT/$G/sys" -type f)"
assert_eq "view files are read-only, owned by alice" "-r--r--r-- $ALICE" \
	"$(stat -c '%A %U' "$MNT/$G/proc/cpuinfo")"
assert_eq "view directories are alice's" "drwxr-xr-x $ALICE" \
	"$(stat -c '%A %U' "$MNT/$G/sys/devices/system/cpu")"
if [ "$have_mem" = yes ]; then
	assert_eq "proc/meminfo is the group's meminfo" \
		"$(grep -E '^(MemTotal|SwapTotal):' "$MNT/$G/meminfo")" \
		"$(grep -E '^(MemTotal|SwapTotal):' "$MNT/$G/proc/meminfo")"
fi

# ---- swaps: the group's swap as its meminfo shows it ----

SWAPS_HEADER=$(printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority')
if [ "$have_mem" = yes ]; then
	swap_total=$(awk '/^SwapTotal:/ { print $2 }' "$MNT/$G/meminfo")
	if [ "$swap_total" = 0 ]; then
		assert_eq "no swap in meminfo: proc/swaps is the kernel's header alone" \
			"$SWAPS_HEADER" "$(cat "$MNT/$G/proc/swaps")"
		assert_eq "proc/swaps: the header and its newline" \
			"$(printf '%s\n' "$SWAPS_HEADER" | wc -c)" "$(wc -c <"$MNT/$G/proc/swaps")"
	else
		# one line, its size and use in kB those of meminfo
		assert_eq "proc/swaps: the group's line" \
			"none virtual $swap_total $((swap_total - $(awk '/^SwapFree:/ { print $2 }' \
				"$MNT/$G/meminfo"))) 0" \
			"$(sed 1d "$MNT/$G/proc/swaps" | tr -s ' \t' ' ')"
	fi
	if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" = 0 ] && swapon --show >/dev/null 2>&1; then
		assert_eq "bound over /proc/swaps: swapon --show reads no swap" "" \
			"$(unshare -m sh -c "mount --bind '$MNT/$G/proc/swaps' /proc/swaps &&
				swapon --show 2>&1")"
	fi
else
	assert_op "no meminfo knob: no proc/swaps" ENOENT "$XOP" stat "$MNT/$G/proc/swaps"
fi

# ---- the CPUs a group sees ----

# ncpus LIST: how many CPUs a cpulist names
ncpus() {
	local n=0 r lo hi
	for r in ${1//,/ }; do
		lo=${r%-*}
		hi=${r#*-}
		n=$((n + hi - lo + 1))
	done
	echo $n
}
# online_of N: what cpu/online says for N CPUs
online_of() { [ "$1" -eq 1 ] && echo 0 || echo "0-$(($1 - 1))"; }
nproc_of() { grep -c '^processor' "$1"; }

HOST_ONLINE=$(cat /sys/devices/system/cpu/online)
HOST_N=$(ncpus "$HOST_ONLINE")
# Processor numbers of the host, in cpuinfo's order (online CPUs only).
HOST_PROCS=$(awk -F: '/^processor/ { print $2 + 0 }' /proc/cpuinfo | tr '\n' ' ')

assert_eq "no limit: every online CPU" "$(online_of "$HOST_N")" "$(cat "$MNT/$G/$ONLINE")"
assert_eq "no limit: cpuinfo has every CPU" "$HOST_N" "$(nproc_of "$MNT/$G/proc/cpuinfo")"
assert_eq "processors numbered from 0" "$(seq -s ' ' 0 $((HOST_N - 1)))" \
	"$(awk -F: '/^processor/ { print $2 + 0 }' "$MNT/$G/proc/cpuinfo" | tr '\n' ' ' | sed 's/ $//')"
# The lines that do not change from read to read (cpu MHz does) are the
# host's, block for block.
stable() { grep -vE '^(cpu MHz|processor)' "$1"; }
assert_eq "no limit: the host's blocks" "$(stable /proc/cpuinfo)" \
	"$(stable "$MNT/$G/proc/cpuinfo")"

# check DESC GROUP N: the group sees N CPUs in both files
check() {
	assert_eq "$1: cpu/online" "$(online_of "$3")" "$(cat "$MNT/$2/$ONLINE")"
	assert_eq "$1: cpuinfo's processors" "$3" "$(nproc_of "$MNT/$2/proc/cpuinfo")"
}

# cpu_percent P: the formula, ceil(P / 100) CPUs, never more than the set
want_of() { # PERCENT SETSIZE
	local n=$((($1 + 99) / 100))
	[ "$n" -gt "$2" ] && n=$2
	echo "$n"
}

if [ -n "$(cg_mount cpu)" ] && [ -e "$MNT/$G/cpu_percent" ]; then
	for p in 50 100 150 "$((HOST_N * 100))" 1000; do
		assert_op "cpu_percent $p" OK as "$ALICE" "$XOP" write "$MNT/$G/cpu_percent" "$p"
		check "cpu_percent $p on $HOST_N CPUs" "$G" "$(want_of "$p" "$HOST_N")"
	done
	assert_op "cpu_percent max" OK as "$ALICE" "$XOP" write "$MNT/$G/cpu_percent" max
	check "cpu_percent max" "$G" "$HOST_N"
	# an ancestor's quota binds its descendants
	assert_op "tree cpu_percent 100" OK as "$ALICE" "$XOP" write "$MNT/$H/cpu_percent" 100
	check "a child without a quota under a parent's 100 %" "$H/child" 1
else
	not_ok "no cpu controller served: the quota narrowing is not tested"
fi

LAST=${HOST_PROCS% }
LAST=${LAST##* }
if [ -n "$(cg_mount cpuset)" ] && [ -e "$MNT/$G/cpus" ] && [ "$HOST_N" -ge 2 ]; then
	assert_op "cpus $LAST" OK as "$ALICE" "$XOP" write "$MNT/$G/cpus" "$LAST"
	check "cpus $LAST" "$G" 1
	# the block kept is CPU $LAST's, renumbered
	host_block=$(awk -v c="$LAST" -F: '/^processor/ { on = ($2 + 0 == c) } on' /proc/cpuinfo |
		grep -vE '^(cpu MHz|processor)')
	assert_eq "cpus $LAST: its own block" "$host_block" "$(stable "$MNT/$G/proc/cpuinfo")"
	assert_eq "cpus $LAST: processor 0" "processor	: 0" \
		"$(grep '^processor' "$MNT/$G/proc/cpuinfo")"
	assert_op "cpus back to all" OK as "$ALICE" "$XOP" write "$MNT/$G/cpus" "$HOST_ONLINE"
	if [ -e "$MNT/$G/cpu_percent" ]; then
		assert_op "cpu_percent 150 with every CPU" OK as "$ALICE" "$XOP" write \
			"$MNT/$G/cpu_percent" 150
		assert_eq "150 %: the blocks of the set's first two CPUs" \
			"$(awk -F: '/^processor/ { k++ } k <= 2' /proc/cpuinfo |
				grep -vE '^(cpu MHz|processor)')" \
			"$(stable "$MNT/$G/proc/cpuinfo")"
	fi
else
	not_ok "no cpuset served or one CPU only: the cpuset narrowing is not tested"
fi

# ---- bound over the real files, as a container has them ----

assert_op "alice: cpu_percent 100" OK as "$ALICE" "$XOP" write "$MNT/$G/cpu_percent" 100
# in_ns CMD: CMD in a mount namespace of its own where the group's files
# are bound over the real ones, as a container runtime binds them
in_ns() {
	unshare -m sh -c "mount --bind '$MNT/$G/proc/cpuinfo' /proc/cpuinfo &&
		mount --bind '$MNT/$G/$ONLINE' /sys/devices/system/cpu/online && $1" 2>&1
}
assert_eq "bound: /proc/cpuinfo lists 1 processor" 1 "$(in_ns 'grep -c ^processor /proc/cpuinfo')"
assert_eq "bound: cpu/online says 0" 0 "$(in_ns 'cat /sys/devices/system/cpu/online')"
# glibc's get_nprocs() reads the sys file
if command -v getconf >/dev/null; then
	assert_eq "bound: getconf _NPROCESSORS_ONLN counts 1" 1 \
		"$(in_ns 'getconf _NPROCESSORS_ONLN')"
else
	echo "# SKIP getconf _NPROCESSORS_ONLN: no getconf on this system (the guest's busybox has none)"
fi
assert_eq "the host's own files are untouched" "$HOST_N" "$(grep -c ^processor /proc/cpuinfo)"

# ---- uptime: from the start of the group's oldest process ----

# age_ok PID FILE: FILE's uptime is PID's age as ps(1) gives it in whole
# seconds, read between two such readings (no bound on how long that
# takes; the start is in ticks, hence one second below the first)
age_ok() {
	local a1 a2 u
	a1=$(ps -o etimes= -p "$1" | tr -d ' ')
	u=$(centis "$(cat "$2")")
	a2=$(ps -o etimes= -p "$1" | tr -d ' ')
	AGE=$(printf "%s s <= %d.%02d <= %s s" "$a1" $((u / 100)) $((u % 100)) "$a2")
	[ $((u / 100)) -ge $((a1 - 1)) ] && [ $((u / 100)) -le "$a2" ]
}
# secs TEXT: the first field of an uptime text, in hundredths
centis() { awk '{ split($1, a, "."); print a[1] * 100 + a[2] }' <<<"$1"; }
idle_centis() { awk '{ split($2, a, "."); print a[1] * 100 + a[2] }' <<<"$1"; }
assert_eq "an empty group's uptime is 0" "0.00 0.00" "$(cat "$MNT/$H/child/proc/uptime")"
spawn "$ALICE"
first=$SPAWN
assert_op "alice moves her sleep into $G" OK as "$ALICE" "$XOP" write "$MNT/$G/procs" "$first"
sleep 1.2
spawn "$ALICE"
assert_op "a younger process joins $G/sub" OK as "$ALICE" "$XOP" mkdir "$MNT/$G/sub"
assert_op "alice moves it there" OK as "$ALICE" "$XOP" write "$MNT/$G/sub/procs" "$SPAWN"
age_ok "$first" "$MNT/$G/proc/uptime" && res=yes || res=no
assert_eq "uptime is the oldest process's age ($AGE)" yes "$res"
up1=$(cat "$MNT/$G/proc/uptime")
host=$(centis "$(cat /proc/uptime)")
u1=$(centis "$up1")
assert_eq "uptime is below the host's" yes "$([ "$u1" -lt "$host" ] && echo yes || echo no)"
assert_eq "idle is at most uptime times the CPUs seen (1)" yes \
	"$([ "$(idle_centis "$up1")" -le "$u1" ] && echo yes || echo no)"
assert_eq "the kernel's layout" yes "$(grep -qxE '[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2}' \
	"$MNT/$G/proc/uptime" && echo yes || echo no)"
sleep 1.1
# the younger group read first: the older one's, read after, is larger
# whatever the time between the two reads
usub=$(centis "$(cat "$MNT/$G/sub/proc/uptime")")
u2=$(centis "$(cat "$MNT/$G/proc/uptime")")
assert_eq "uptime grows ($u1 -> $u2)" yes "$([ "$u2" -ge $((u1 + 100)) ] && echo yes || echo no)"
assert_eq "the younger group's uptime is its own ($usub < $u2)" yes \
	"$([ "$usub" -lt "$u2" ] && echo yes || echo no)"
# bracketed by two reads through the mount: no bound on how long it takes
before=$(centis "$(cat "$MNT/$G/proc/uptime")")
in_up=$(centis "$(unshare -m sh -c "mount --bind '$MNT/$G/proc/uptime' /proc/uptime &&
	cat /proc/uptime")")
after=$(centis "$(cat "$MNT/$G/proc/uptime")")
assert_eq "bound over /proc/uptime: the group's ($before <= $in_up <= $after)" yes \
	"$([ "$before" -le "$in_up" ] && [ "$in_up" -le "$after" ] && echo yes || echo no)"

# A process whose name holds parentheses and numbers (a name its owner
# picks) is still read for its own start, not one it spells out.
SCRATCH=$(mktemp -d /tmp/cgfs-procview.XXXXXX)
chmod 755 "$SCRATCH"
odd="$SCRATCH/a) R 1 2 3 (b"
cp "$(command -v sleep)" "$odd"
assert_op "alice makes $H/odd" OK as "$ALICE" "$XOP" mkdir "$MNT/$H/odd"
# argv[0] stays "sleep" (busybox's sleep goes by it); the name is the file's
setpriv --reuid="$(id -u "$ALICE")" --regid="$(id -g "$ALICE")" --clear-groups -- \
	bash -c 'exec -a sleep "$0" 1000' "$odd" &
ODD=$!
SPAWNED+=("$ODD")
sleep 2.5 # an age no misread start (0, or none) comes within 1 s of
assert_op "alice moves it into $H/odd" OK as "$ALICE" "$XOP" write "$MNT/$H/odd/procs" "$ODD"
age_ok "$ODD" "$MNT/$H/odd/proc/uptime" && res=yes || res=no
assert_eq "a process named '$(cat /proc/$ODD/comm)': its own age ($AGE)" yes "$res"

# ---- stat: the group's CPU lines and the host's other lines ----

# stat_field FILE NAME N: field N (1: the name) of the line NAME
stat_field() { awk -v n="$2" -v f="$3" '$1 == n { print $f }' "$1"; }
cpu_lines() { grep -cE '^cpu[0-9]+ ' "$1"; }
# adds_up FILE: each field of the cpu line is the sum of the cpuN lines'
adds_up() {
	awk '$1 == "cpu" { for (i = 2; i <= 11; i++) want[i] = $i }
	     $1 ~ /^cpu[0-9]+$/ { for (i = 2; i <= 11; i++) sum[i] += $i }
	     END { for (i = 2; i <= 11; i++) if (want[i] != sum[i]) { print "no"; exit }
	           print "yes" }' "$1"
}
ST=$MNT/$G/proc/stat
if [ -e "$MNT/$G/cpu_percent" ]; then
	for p in 50 150 max; do
		assert_op "stat: cpu_percent $p" OK as "$ALICE" "$XOP" write "$MNT/$G/cpu_percent" "$p"
		want=$(ncpus "$(cat "$MNT/$G/$ONLINE")")
		assert_eq "cpu_percent $p: one cpuN line per CPU seen ($want)" "$want" "$(cpu_lines "$ST")"
		assert_eq "cpu_percent $p: cpu0 to cpu$((want - 1))" "$(seq -s ' ' 0 $((want - 1)))" \
			"$(grep -oE '^cpu[0-9]+' "$ST" | sed 's/cpu//' | tr '\n' ' ' | sed 's/ $//')"
	done
	assert_op "stat: cpu_percent 100 again" OK as "$ALICE" "$XOP" write "$MNT/$G/cpu_percent" 100
fi
assert_eq "stat: the kernel's cpu line layout" yes \
	"$(head -1 "$ST" | grep -qxE 'cpu  [0-9]+( [0-9]+){9}' && echo yes || echo no)"
assert_eq "stat: the cpu line is the sum of the cpuN lines" yes "$(adds_up "$ST")"
assert_eq "stat: the host's lines after the CPUs" "intr ctxt btime processes procs_running procs_blocked softirq" \
	"$(awk '$1 !~ /^cpu/ { print $1 }' "$ST" | tr '\n' ' ' | sed 's/ $//')"
# btime + the group's uptime is the host's btime + its uptime (now), read
# between two such readings of the host's; whole seconds, one of rounding
host_now() { echo $(($(awk '$1 == "btime" { print $2 }' /proc/stat) + $(cut -d. -f1 /proc/uptime))); }
# btime_now WHAT DIR: DIR's stat btime + its uptime is now: stat's walk
# (threads and pids at once) finds the oldest process that uptime's
# (pids alone) does
btime_now() {
	local h1 gb gu h2
	h1=$(host_now)
	gb=$(stat_field "$2/proc/stat" btime 2)
	gu=$(cut -d. -f1 "$2/proc/uptime")
	h2=$(host_now)
	assert_eq "stat: $1: btime + uptime is now ($h1 <= $gb + $gu <= $h2 + 1)" yes \
		"$([ $((gb + gu)) -ge $((h1 - 1)) ] && [ $((gb + gu)) -le $((h2 + 1)) ] && echo yes || echo no)"
}
btime_now "one process" "$MNT/$G"
gb=$(stat_field "$ST" btime 2)
assert_eq "stat: btime is later than the host's (its process is younger than the boot)" yes \
	"$([ "$gb" -gt "$(awk '$1 == "btime" { print $2 }' /proc/stat)" ] && echo yes || echo no)"
assert_eq "stat: an empty group runs nothing" "0 0" \
	"$(stat_field "$MNT/$H/child/proc/stat" procs_running 2) $(stat_field "$MNT/$H/child/proc/stat" procs_blocked 2)"
assert_eq "stat: an empty group's idle is 0 (no uptime)" 0 \
	"$(stat_field "$MNT/$H/child/proc/stat" cpu 5)"

# wait_for SECONDS CMD: until CMD succeeds (generous: the machine is shared)
wait_for() {
	local i
	for i in $(seq 1 $(($1 * 10))); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}

# A busy loop moved into the group: its user time and procs_running rise.
assert_op "alice makes $G/busy" OK as "$ALICE" "$XOP" mkdir "$MNT/$G/busy"
BST=$MNT/$G/busy/proc/stat
user0=$(stat_field "$BST" cpu 2)
setpriv --reuid="$(id -u "$ALICE")" --regid="$(id -g "$ALICE")" --clear-groups -- \
	sh -c 'while :; do :; done' &
BUSY=$!
SPAWNED+=("$BUSY")
is_alices() { [ "$(stat -c %u "/proc/$1")" = "$(id -u "$ALICE")" ] && [ "$(cat "/proc/$1/comm")" = "$2" ]; }
wait_for 30 is_alices "$BUSY" sh
assert_op "alice moves a busy loop into $G/busy" OK as "$ALICE" "$XOP" write "$MNT/$G/busy/procs" "$BUSY"
user_rose() { [ "$(stat_field "$BST" cpu 2)" -gt "$user0" ]; }
running() { [ "$(stat_field "$BST" procs_running 2)" -ge 1 ]; }
wait_for 60 user_rose && res=yes || res=no
assert_eq "stat: the busy loop's user time counts ($user0 -> $(stat_field "$BST" cpu 2))" yes "$res"
wait_for 60 running && res=yes || res=no
assert_eq "stat: the busy loop is running ($(stat_field "$BST" procs_running 2))" yes "$res"
assert_eq "stat: its cpu line still adds up" yes "$(adds_up "$BST")"
u1=$(stat_field "$BST" cpu 2)
assert_eq "stat: the parent group counts its child's time" yes \
	"$([ "$(stat_field "$ST" cpu 2)" -ge "$u1" ] && echo yes || echo no)"
# the idle of each CPU never goes below 0, and the group is not idle for
# all its uptime any more
assert_eq "stat: no negative field" no "$(grep -q -- '-' "$BST" && echo yes || echo no)"
kill "$BUSY" 2>/dev/null
wait "$BUSY" 2>/dev/null

# Threads in R and D are counted one by one: a frozen process's threads
# are in D (the kernel's freezer puts every task it stops there).
PY=$(command -v /usr/bin/python3 || true)
if [ -e "$MNT/$G/freeze" ] && [ -n "$PY" ]; then
	assert_op "alice makes $G/frozen" OK as "$ALICE" "$XOP" mkdir "$MNT/$G/frozen"
	setpriv --reuid="$(id -u "$ALICE")" --regid="$(id -g "$ALICE")" --clear-groups -- \
		"$PY" -c 'import threading, time
for _ in range(3): threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
time.sleep(1000)' &
	THR=$!
	SPAWNED+=("$THR")
	four() { [ "$(ls /proc/$THR/task 2>/dev/null | wc -l)" = 4 ]; }
	wait_for 30 four
	wait_for 30 is_alices "$THR" python3
	assert_op "alice moves a process of 4 threads in" OK as "$ALICE" "$XOP" write \
		"$MNT/$G/frozen/procs" "$THR"
	assert_op "alice freezes $G/frozen" OK as "$ALICE" "$XOP" write "$MNT/$G/frozen/freeze" 1
	states=$(cat /proc/$THR/task/*/stat | sed 's/.*) //' | cut -c1 | sort | tr -d '\n')
	if [ "$states" = DDDD ]; then
		assert_eq "stat: a frozen process's 4 threads are blocked" 4 \
			"$(stat_field "$MNT/$G/frozen/proc/stat" procs_blocked 2)"
	else
		assert_eq "stat: frozen threads ($states) are not counted as blocked" 0 \
			"$(stat_field "$MNT/$G/frozen/proc/stat" procs_blocked 2)"
	fi
	assert_op "alice thaws it" OK as "$ALICE" "$XOP" write "$MNT/$G/frozen/freeze" 0
	btime_now "a process of 4 threads" "$MNT/$G/frozen"
	assert_eq "stat: thawed sleeping threads are not blocked" 0 \
		"$(stat_field "$MNT/$G/frozen/proc/stat" procs_blocked 2)"
	kill "$THR" 2>/dev/null
	wait "$THR" 2>/dev/null
	# A flood of threads: a read looks at 1024 threads and directories,
	# not more (the group's directory and its .self leaf: 1022 threads).
	if [ "$states" = DDDD ]; then
		assert_op "alice makes $G/flood" OK as "$ALICE" "$XOP" mkdir "$MNT/$G/flood"
		setpriv --reuid="$(id -u "$ALICE")" --regid="$(id -g "$ALICE")" --clear-groups -- \
			"$PY" -c 'import threading, time
for _ in range(1100): threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
time.sleep(1000)' &
		FLOOD=$!
		SPAWNED+=("$FLOOD")
		all() { [ "$(ls /proc/$FLOOD/task 2>/dev/null | wc -l)" = 1101 ]; }
		wait_for 60 all && ok "a process of 1101 threads" || not_ok "a process of 1101 threads"
		assert_op "alice moves it in" OK as "$ALICE" "$XOP" write "$MNT/$G/flood/procs" "$FLOOD"
		assert_op "alice freezes $G/flood" OK as "$ALICE" "$XOP" write "$MNT/$G/flood/freeze" 1
		assert_eq "stat: 1101 frozen threads: 1022 counted" 1022 \
			"$(stat_field "$MNT/$G/flood/proc/stat" procs_blocked 2)"
		assert_eq "loadavg: 1101 threads: 1022 counted" "0/1022" \
			"$(cut -d' ' -f4 "$MNT/$G/flood/proc/loadavg")"
		btime_now "1101 threads, 1022 counted" "$MNT/$G/flood"
		assert_op "alice thaws it" OK as "$ALICE" "$XOP" write "$MNT/$G/flood/freeze" 0
		kill "$FLOOD" 2>/dev/null
		wait "$FLOOD" 2>/dev/null
	fi
elif [ -e "$MNT/$G/freeze" ]; then
	echo "# SKIP threads of one process counted one by one: no /usr/bin/python3 to make them"
else
	not_ok "no freeze knob: thread states are not tested"
fi

# A group of many processes: procs are counted up to the bound, the file
# stays whole; one exiting meanwhile is passed over.
assert_op "alice makes $G/many" OK as "$ALICE" "$XOP" mkdir "$MNT/$G/many"
MANY=()
for i in $(seq 1 40); do
	spawn "$ALICE"
	MANY+=("$SPAWN")
done
for p in "${MANY[@]}"; do echo "$p"; done | as "$ALICE" sh -c "while read p; do echo \$p > '$MNT/$G/many/procs' || exit 1; done" &&
	ok "alice moves 40 processes in" || not_ok "alice moves 40 processes in"
assert_eq "stat: 40 sleeping processes: none running" 0 \
	"$(stat_field "$MNT/$G/many/proc/stat" procs_running 2)"
btime_now "40 processes" "$MNT/$G/many"
# processes exit while it is read, over and over
( for p in "${MANY[@]}"; do kill "$p" 2>/dev/null; sleep 0.02; done ) &
KILLER=$!
bad=0
for i in $(seq 1 30); do
	out=$(cat "$MNT/$G/many/proc/stat" 2>&1) || bad=$((bad + 1))
	grep -q '^procs_blocked ' <<<"$out" || bad=$((bad + 1))
done
wait "$KILLER"
assert_eq "stat: read whole while its processes exit" 0 "$bad"

# The odd name: its state and start are read after the last ')'
assert_eq "stat: the process named '$(cat /proc/$ODD/comm)' sleeps" "0 0" \
	"$(stat_field "$MNT/$H/odd/proc/stat" procs_running 2) $(stat_field "$MNT/$H/odd/proc/stat" procs_blocked 2)"

# Bound over /proc/stat, as a container has it: the tools read the group's.
in_stat() {
	unshare -m sh -c "mount --bind '$ST' /proc/stat && $1" 2>&1
}
assert_eq "bound over /proc/stat: its cpuN lines are read" "$(cpu_lines "$ST")" \
	"$(in_stat 'grep -cE "^cpu[0-9]+ " /proc/stat')"
if command -v vmstat >/dev/null; then
	assert_eq "bound: vmstat reads it (r and b columns: $(in_stat 'vmstat 1 1' | tail -1))" yes \
		"$(in_stat 'vmstat 1 1' | tail -1 | grep -qE '^ *[0-9]+ +[0-9]+ ' && echo yes || echo no)"
elif "$BUSYBOX" top -h 2>&1 | grep -q Usage; then
	assert_eq "bound: busybox top reads it" yes \
		"$(in_stat "'$BUSYBOX' top -bn1" | grep -q '^CPU:' && echo yes || echo no)"
else
	echo "# SKIP a tool reading the bound /proc/stat: no vmstat and no busybox top"
fi
if command -v top >/dev/null && top -V 2>&1 | grep -q procps; then
	# one %CpuN line per cpuN line of the file (the group sees 1 CPU)
	assert_eq "bound: procps top -1 shows the group's CPUs" "$(cpu_lines "$ST")" \
		"$(in_stat 'top -1 -bn1' | grep -cE '^%Cpu[0-9]+ ')"
fi
# ---- loadavg: the group's own threads and their averages ----

LA='^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+/[0-9]+ [0-9]+$'
L=$ALICE/load
I=$ALICE/idle
for g in "$L" "$L/sub" "$I"; do
	assert_op "alice creates $g" OK as "$ALICE" "$XOP" mkdir "$MNT/$g"
done
# Throttled tasks stay runnable (state R): a small quota keeps the load
# of two busy loops at 2 while they take little of a shared machine.
[ -e "$MNT/$L/cpu_percent" ] &&
	assert_op "alice: $L cpu_percent 20" OK as "$ALICE" "$XOP" write "$MNT/$L/cpu_percent" 20
# busy: a shell spinning as alice (once setpriv has made it sh), in $BUSY
# (and SPAWNED)
busy() {
	setpriv --reuid="$(id -u "$ALICE")" --regid="$(id -g "$ALICE")" --clear-groups \
		-- sh -c 'while :; do :; done' >/dev/null 2>&1 &
	BUSY=$!
	SPAWNED+=("$BUSY")
	local i
	for i in $(seq 1 3000); do
		[ "$(cat "/proc/$BUSY/comm" 2>/dev/null)" = sh ] && break
		sleep 0.01
	done
}
busy
b1=$BUSY
busy
b2=$BUSY
spawn "$ALICE"
sl=$SPAWN
assert_op "a busy loop into $L" OK as "$ALICE" "$XOP" write "$MNT/$L/procs" "$b1"
assert_op "another into $L/sub" OK as "$ALICE" "$XOP" write "$MNT/$L/sub/procs" "$b2"
assert_op "a sleep into $L" OK as "$ALICE" "$XOP" write "$MNT/$L/procs" "$sl"
# The idle group read first: a round that samples $L samples it too.
idle0=$(cat "$MNT/$I/proc/loadavg")
la=$(cat "$MNT/$L/proc/loadavg")
assert_eq "an idle group, first read" "0.00 0.00 0.00 0/0 0" "$idle0"
assert_eq "the kernel's layout ($la)" yes "$(grep -qxE "$LA" <<<"$la" && echo yes || echo no)"
assert_eq "a first read starts the history at 0.00" "0.00 0.00 0.00" "$(cut -d' ' -f1-3 <<<"$la")"
high=$(printf '%s\n' "$b1" "$b2" "$sl" | sort -n | tail -1)
assert_eq "T counts every thread, subgroups too; LAST is the highest" "3 $high" \
	"$(awk '{ split($4, a, "/"); print a[2], $5 }' <<<"$la")"
# Both loops are runnable at every instant (on a CPU or waiting for one,
# throttled or not): R is 2 unless one is caught stopped in between.
for i in $(seq 1 20); do
	r=$(awk '{ split($4, a, "/"); print a[1] }' "$MNT/$L/proc/loadavg")
	[ "$r" = 2 ] && break
	sleep 0.2
done
assert_eq "R counts the two busy loops, not the sleep" 2 "$r"
# The first sample comes at most 5 s after the first read.
for i in $(seq 1 60); do
	la=$(cat "$MNT/$L/proc/loadavg")
	[ "${la%% *}" != 0.00 ] && break
	sleep 1
done
assert_eq "the 1-minute average rises above 0.00 ($la, ${i} s)" yes \
	"$([ "${la%% *}" != 0.00 ] && echo yes || echo no)"
assert_eq "the idle group stays 0.00 after a round" "0.00 0.00 0.00 0/0 0" \
	"$(cat "$MNT/$I/proc/loadavg")"
assert_eq "the parent's load is not its child's" "1/1 $b2" \
	"$(cut -d' ' -f4- "$MNT/$L/sub/proc/loadavg" | sed 's#^[0-9]*/#1/#')"
# A reload ends the server, sampler and all, and the next starts afresh.
S0=$(server_pid)
kill -HUP "$DAEMON"
S1=$(wait_server "$S0") && ok "a new server answers after SIGHUP ($S1)" ||
	not_ok "no new server after SIGHUP"
gone=no
for i in 1 2 3 4; do wait_dead "$S0" && gone=yes && break; done
assert_eq "the old server, its sampler running, has ended (20 s at most)" yes "$gone"
assert_eq "the next server starts the history again" "0.00 0.00 0.00" \
	"$(cut -d' ' -f1-3 "$MNT/$L/proc/loadavg")"
assert_op "alice cannot write proc/loadavg" EACCES as "$ALICE" "$XOP" write \
	"$MNT/$L/proc/loadavg" 0
assert_op "root cannot write proc/loadavg" EACCES "$XOP" write "$MNT/$L/proc/loadavg" 0
kill "$b1" "$b2" "$sl"
wait_dead "$b1"; wait_dead "$b2"; wait_dead "$sl"
assert_op "alice removes $L/sub" OK as "$ALICE" "$XOP" rmdir "$MNT/$L/sub"
assert_op "alice removes $L" OK as "$ALICE" "$XOP" rmdir "$MNT/$L"
assert_op "a removed group's loadavg is gone" ENOENT "$XOP" stat "$MNT/$L/proc/loadavg"
assert_op "alice makes $L again" OK as "$ALICE" "$XOP" mkdir "$MNT/$L"
assert_eq "a group made again under the same name starts afresh" "0.00 0.00 0.00 0/0 0" \
	"$(cat "$MNT/$L/proc/loadavg")"

# ---- every reader reads all of it ----

# What does not change from one read to the next: meminfo's values and
# cpuinfo's "cpu MHz" do.
norm() {
	case $1 in
	*meminfo) cut -d: -f1 ;;
	*uptime | *loadavg) tr -d 0-9 ;;
	*swaps) cat ;;
	*diskstats) awk 'NF > 3 { print $1, $2, $3; next } { print }' ;;
	*stat) cut -d' ' -f1 ;;
	*) grep -v '^cpu MHz' ;;
	esac
}
for f in proc/cpuinfo "$ONLINE" proc/meminfo proc/uptime proc/swaps proc/stat proc/loadavg \
	proc/diskstats; do
	[ -e "$MNT/$G/$f" ] || continue
	want=$(norm "$f" <"$MNT/$G/$f")
	assert_eq "busybox cat reads $f whole" "$want" "$("$BUSYBOX" cat "$MNT/$G/$f" | norm "$f")"
	# (printf: an empty file, as diskstats of a group without I/O, is "OK")
	assert_eq "sendfile reads $f whole" "$(printf 'OK\n%s\n' "$want")" \
		"$("$XOP" copy sendfile "$MNT/$G/$f" | norm "$f")"
	assert_eq "bob reads alice's $f" "$want" "$(as "$BOB" cat "$MNT/$G/$f" | norm "$f")"
	assert_eq "$f: its size is what a read returns" "$(stat -c %s "$MNT/$G/$f")" \
		"$(wc -c <"$MNT/$G/$f")"
done

# ---- nothing writes them ----

for who in "$ALICE" root; do
	if [ "$who" = root ]; then run=(); else run=(as "$who"); fi
	assert_op "$who cannot write proc/cpuinfo" EACCES "${run[@]}" "$XOP" write \
		"$MNT/$G/proc/cpuinfo" 1
	assert_op "$who cannot write cpu/online" EACCES "${run[@]}" "$XOP" write "$MNT/$G/$ONLINE" 0-3
	assert_op "$who cannot write proc/stat" EACCES "${run[@]}" "$XOP" write "$MNT/$G/proc/stat" 1
	if [ "$have_mem" = yes ]; then
		assert_op "$who cannot write proc/swaps" EACCES "${run[@]}" "$XOP" write \
			"$MNT/$G/proc/swaps" 1
	fi
	assert_op "$who cannot truncate proc/cpuinfo" EACCES "${run[@]}" "$XOP" truncate \
		"$MNT/$G/proc/cpuinfo"
	assert_op "$who cannot remove proc/cpuinfo" EPERM "${run[@]}" "$XOP" unlink \
		"$MNT/$G/proc/cpuinfo"
	assert_op "$who cannot make a directory in proc/" EPERM "${run[@]}" "$XOP" mkdir \
		"$MNT/$G/proc/x"
	assert_op "$who cannot remove sys/" EPERM "${run[@]}" "$XOP" rmdir "$MNT/$G/sys"
	assert_op "$who cannot create a file in proc/" EPERM "${run[@]}" "$XOP" create \
		"$MNT/$G/proc/stat2"
done
assert_op "a group cannot be called proc" EEXIST as "$ALICE" "$XOP" mkdir "$MNT/$G/proc"
assert_op "nor sys" EEXIST as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/sys"
assert_op "no such view file" ENOENT "$XOP" stat "$MNT/$G/proc/nonesuch"
assert_op "cpuinfo is no directory" ENOTDIR "$XOP" stat "$MNT/$G/proc/cpuinfo/x"

# ---- the next server knows the kernel's nodes of the view ----

# Node ids the first server gave: a file held open, and a directory held
# as a process's working directory; each is used first, before any path
# lookup could make its node anew.
exec 8<"$MNT/$G/proc/cpuinfo"
(cd "$MNT/$G/sys/devices/system/cpu" && while [ ! -e "$SCRATCH/go" ]; do sleep 0.05; done &&
	cat online >"$SCRATCH/online" 2>&1) &
CWD_READER=$!
SPAWNED+=("$CWD_READER")
sleep 0.3
S0=$(server_pid)
kill -KILL "$S0"
S1=$(wait_server "$S0") && ok "a new server answers after kill -9 ($S1)" ||
	not_ok "no new server after kill -9"
assert_eq "a file opened before reads through the next server" 1 "$(grep -c '^processor' <&8)"
exec 8<&-
touch "$SCRATCH/go"
wait "$CWD_READER"
assert_eq "a lookup in a view directory of the first server's, by the next" 0 \
	"$(cat "$SCRATCH/online")"
assert_eq "proc/ lists the same through the next server" "$want_proc" \
	"$(ls "$MNT/$G/proc" | tr '\n' ' ' | sed 's/ $//')"

# ---- a removed group's view is gone ----

exec 7<"$MNT/$H/child/proc/cpuinfo"
assert_op "alice removes $H/child" OK as "$ALICE" "$XOP" rmdir "$MNT/$H/child"
assert_eq "a read through a handle of the removed group fails" "" \
	"$(cat <&7 2>/dev/null)"
exec 7<&-
assert_op "the removed group's view is gone" ENOENT "$XOP" stat "$MNT/$H/child/proc/cpuinfo"
