#!/bin/bash
# SPDX-License-Identifier: MIT
# procview: a group's own /proc and /sys files (proc/cpuinfo,
# proc/meminfo, proc/uptime, proc/loadavg, sys/devices/system/cpu/online)
# through a real mount: the
# CPUs they show are the group's cpuset narrowed by its CFS quota (and
# its ancestors'), numbered from 0; cpuinfo's blocks are the host's;
# bound over /proc/cpuinfo and the sys file in a private mount namespace
# they are what programs count; every reader (busybox cat, sendfile, a
# second user) reads them whole; nothing writes them.
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
want_proc="cpuinfo loadavg uptime"
[ "$have_mem" = yes ] && want_proc="cpuinfo loadavg meminfo uptime"
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
	for i in $(seq 1 200); do
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
	*) grep -v '^cpu MHz' ;;
	esac
}
for f in proc/cpuinfo "$ONLINE" proc/meminfo proc/uptime proc/loadavg; do
	[ -e "$MNT/$G/$f" ] || continue
	want=$(norm "$f" <"$MNT/$G/$f")
	assert_eq "busybox cat reads $f whole" "$want" "$("$BUSYBOX" cat "$MNT/$G/$f" | norm "$f")"
	assert_eq "sendfile reads $f whole" "OK
$want" "$("$XOP" copy sendfile "$MNT/$G/$f" | norm "$f")"
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
