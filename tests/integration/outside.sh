#!/bin/bash
# SPDX-License-Identifier: MIT
# Outside changes: groups made and removed directly in the real hierarchies
# (only below this run's own BASE) show in the mount at once, cached or
# not; half-made groups (in some hierarchies only, or with their leaf in
# some only; a group has no leaf until its first process) are refused
# with EIO and completed, at run time and at start; without
# inotify watches left, cgfs stops caching instead; a stop while the
# watcher is busy does not hang.
. "$(dirname "$0")/../lib/lib.sh"

cat >"$CONF" <<CFG
[user $BOB]
pids_max = 77
CFG

start_outside || exit 1
A=$ALICE

# OTHER is a serving hierarchy other than PRIMARY (pids' if it can).
OTHER=
for c in pids memory cpu cpuset blkio cpuacct; do
	m=$(cg_mount "$c")
	if [ -n "$m" ] && [ "$m" != "$PRIMARY" ]; then OTHER=$m; OKNOB=$c; break; fi
done
case ${OKNOB:-} in
pids) OKNOB=pids_max ;; memory) OKNOB=memory_limit_mb ;; cpu) OKNOB=cpu_weight ;;
cpuset) OKNOB=cpus ;; blkio) OKNOB=io_weight ;; cpuacct) OKNOB=stat ;;
esac
echo "# primary hierarchy $PRIMARY, another one: ${OTHER:-none}"

# The real directories of group $1 in every serving hierarchy, primary last
# (so a tool making it there last never shows it half made), and the leaves.
real_dirs() {
	local mp
	for mp in $(serving_mounts); do
		[ "$mp" = "$PRIMARY" ] || echo "$mp/$BASE/$1"
	done
	echo "$PRIMARY/$BASE/$1"
}

# whole GROUP: "yes" when its directory exists in every hierarchy, and its
# leaf in all of them or in none.
whole() {
	local d n=0 l=0
	for d in $(real_dirs "$1"); do
		n=$((n + 1))
		[ -d "$d" ] || { echo no; return; }
		[ -d "$d/.self" ] && l=$((l + 1))
	done
	[ "$l" = 0 ] || [ "$l" = "$n" ] && echo yes || echo no
}

# rmdir_real DIR...: removes real group directories, each after its leaf
# if it has one.
rmdir_real() {
	local d
	for d; do
		[ -d "$d/.self" ] && rmdir "$d/.self"
		rmdir "$d"
	done
}

# with_leaf GROUP: gives the group its leaf the way a user does, by moving
# a process in (and out again, to the tree root).
with_leaf() {
	spawn "$A"
	"$XOP" write "$MNT/$1/procs" "$SPAWN" >/dev/null
	"$XOP" write "$MNT/$A/procs" "$SPAWN" >/dev/null
	[ -d "$PRIMARY/$BASE/$1/.self" ] || not_ok "with_leaf: no leaf for $1"
}

# wait_for DESC WANT CMD...: polls CMD's output for up to 5 s.
wait_for() {
	local desc=$1 want=$2 got i
	shift 2
	for i in $(seq 1 100); do
		got=$("$@" 2>&1 | head -n 1)
		[ "$got" = "$want" ] && break
		sleep 0.05
	done
	assert_eq "$desc" "$want" "$got"
}

# ---- 1. made and removed behind cgfs's back: seen at once ----
# The paths of group $1, without forking (this runs in a slow guest too):
# D its directories and L its leaves with the primary's last, RD and RL
# with the primary's first.
MOUNTS=($(real_dirs "" | sed "s|/$BASE/\$||"))
RMOUNTS=($(printf '%s\n' "${MOUNTS[@]}" | tac))
paths() {
	D=("${MOUNTS[@]/%//$BASE/$1}")
	RD=("${RMOUNTS[@]/%//$BASE/$1}")
	L=("${D[@]/%//.self}")
	RL=("${RD[@]/%//.self}")
}
late_mk=0 late_rm=0 bad_knob=0 late_ms=0
for i in $(seq 1 50); do
	g=$A/out$i
	paths "$g"
	[ -d "$MNT/$g" ] && late_mk=$((late_mk + 1))  # looked up: absent
	# Every directory, then every leaf: the primary's leaf comes last.
	mkdir "${D[@]}" && mkdir "${L[@]}"
	[ -d "$MNT/$g" ] || late_mk=$((late_mk + 1))  # made: seen at once
	[ "$("$XOP" read "$MNT/$g/pids_max")" = $'OK\nmax' ] || bad_knob=$((bad_knob + 1))
	# Now cached by the kernel; removed, primary first, it must go at once.
	rmdir "${RL[@]}" && rmdir "${RD[@]}"
	if [ -d "$MNT/$g" ]; then
		late_rm=$((late_rm + 1))
		t0=$(date +%s%N)
		while [ -d "$MNT/$g" ] && [ $(($(date +%s%N) - t0)) -lt 2000000000 ]; do sleep 0.001; done
		t=$((($(date +%s%N) - t0) / 1000000))
		[ "$t" -gt "$late_ms" ] && late_ms=$t
	fi
done
assert_eq "50 groups made behind cgfs's back are seen at the next lookup" 0 "$late_mk"
assert_eq "...and their knobs read at once" 0 "$bad_knob"
# A removal is seen once the watcher thread had a CPU: at the next stat
# on a quiet machine, a little later when the thread waits for a CPU (at
# a load of 12 on 2 CPUs: up to 8 of 50, by up to 315 ms). How many are
# late depends on the machine's load, so it is reported, not judged; what
# is judged is that the watcher dropped every entry itself, well before
# the kernel's own entry timeout (1 s) would have.
echo "# removals seen only after the first stat: $late_rm of 50, the latest after $late_ms ms"
[ "$late_ms" -lt 1000 ] && v=yes || v="$late_rm late, by up to $late_ms ms"
assert_eq "50 cached groups removed behind cgfs's back are dropped by the watcher, not by the 1 s timeout" \
	yes "$v"
mkdir $(real_dirs "$A/listed")
mkdir $(real_dirs "$A/listed" | sed 's|$|/.self|')
ls "$MNT/$A" | grep -qx listed && ok "ls shows a group made outside at once" ||
	not_ok "ls lacks a group made outside"
rmdir_real $(real_dirs "$A/listed" | tac)
ls "$MNT/$A" | grep -qx listed && not_ok "ls still shows a group removed outside" ||
	ok "ls drops a group removed outside at once"
# A group removed and made again under the same name is the new one.
assert_op "mkdir again" OK "$XOP" mkdir "$MNT/$A/again"
assert_op "set a value" OK "$XOP" write "$MNT/$A/again/pids_max" 42
old=$(stat -c %i "$MNT/$A/again")
rmdir_real $(real_dirs "$A/again" | tac)
mkdir $(real_dirs "$A/again")
new=$(stat -c %i "$MNT/$A/again")
[ "$old" != "$new" ] && ok "a group made again outside is another node" ||
	not_ok "same node id $old for a new group"
assert_eq "...with the new group's value" max "$(cat "$MNT/$A/again/pids_max")"

# The notifier (the process that hands invalidations to the kernel) killed:
# the supervisor starts another, and removals outside still reach the
# kernel's caches. Without it a cached group would stay ~1 s (the entry
# timeout); the quickest of three removals shows the invalidation.
notifier_pid() {
	local c
	for c in $(cat "/proc/$DAEMON/task/$DAEMON/children" 2>/dev/null); do
		[ "$(cat "/proc/$c/comm" 2>/dev/null)" = cgfs-notify ] && { echo "$c"; return; }
	done
}
new_notifier() { local n; n=$(notifier_pid); [ -n "$n" ] && [ "$n" != "$1" ] && echo yes || echo no; }
old_notifier=$(notifier_pid)
[ -n "$old_notifier" ] && kill -KILL "$old_notifier"
wait_for "a notifier killed with SIGKILL is replaced" yes new_notifier "${old_notifier:-none}"
best=99999
for i in 1 2 3; do
	assert_op "mkdir nfy$i" OK "$XOP" mkdir "$MNT/$A/nfy$i"
	stat "$MNT/$A/nfy$i" >/dev/null
	rmdir_real $(real_dirs "$A/nfy$i" | tac)
	t0=$(date +%s%N)
	while [ -d "$MNT/$A/nfy$i" ] && [ $(($(date +%s%N) - t0)) -lt 3000000000 ]; do sleep 0.005; done
	t=$((($(date +%s%N) - t0) / 1000000))
	[ "$t" -lt "$best" ] && best=$t
done
echo "# removals outside seen through the new notifier after $best ms at best"
[ "$best" -lt 500 ] && ok "...and it invalidates: a removal outside is gone at once" ||
	not_ok "no invalidation through the new notifier: a removal took $best ms at best"

# ---- 2. half made at run time: refused, then completed ----
# Made by a tool that knows nothing of the leaf: every directory, no .self,
# as cgfs makes a group that has had no process yet.
mkdir $(real_dirs "$A/noleaf")
sleep 0.2 # the watcher has seen it
assert_op "a group without a leaf is whole: served" OK "$XOP" stat "$MNT/$A/noleaf"
assert_eq "...its procs empty" "" "$(cat "$MNT/$A/noleaf/procs")"
grep -q "group /$A/noleaf was half made" "$LOG" && not_ok "noleaf was taken for half made" ||
	ok "...and not taken for half made"
if [ -n "$OTHER" ]; then
	# Its leaf made in one hierarchy only.
	mkdir $(real_dirs "$A/halfleaf") "$OTHER/$BASE/$A/halfleaf/.self"
	sleep 0.2 # the watcher has seen it (well below the 1 s grace period)
	assert_op "a group with its leaf in $OTHER only is refused" EIO "$XOP" stat "$MNT/$A/halfleaf"
	wait_for "...and completed within the grace period" yes whole "$A/halfleaf"
	[ -d "$PRIMARY/$BASE/$A/halfleaf/.self" ] && ok "...with its leaf everywhere" ||
		not_ok "halfleaf completed without its leaf in $PRIMARY"
	assert_op "then served" OK "$XOP" read "$MNT/$A/halfleaf/procs"
	grep -q "group /$A/halfleaf was half made: completed in" "$LOG" && ok "...and logged" ||
		not_ok "no log line for the repair of halfleaf"

	# Made in one hierarchy that is not the primary: not shown, completed.
	mkdir "$OTHER/$BASE/$A/one"
	assert_op "a group made in $OTHER only is not shown" ENOENT "$XOP" stat "$MNT/$A/one"
	wait_for "...and is completed in every hierarchy" yes whole "$A/one"
	assert_op "then its knobs are served" OK "$XOP" read "$MNT/$A/one/$OKNOB"
	# Made in the primary only, leaf and all: refused until completed.
	mkdir "$PRIMARY/$BASE/$A/prim" "$PRIMARY/$BASE/$A/prim/.self"
	sleep 0.2
	assert_op "a group made in the primary only is refused" EIO "$XOP" stat "$MNT/$A/prim"
	assert_op "...so is its knob (never half served)" EIO "$XOP" read "$MNT/$A/prim/$OKNOB"
	wait_for "...until it is completed" yes whole "$A/prim"
	assert_op "then its knob is served" OK "$XOP" read "$MNT/$A/prim/$OKNOB"
	# One hierarchy's directory removed behind cgfs's back, the group cached.
	assert_op "alice makes keep" OK as "$A" "$XOP" mkdir "$MNT/$A/keep"
	assert_op "...keep/sub" OK as "$A" "$XOP" mkdir "$MNT/$A/keep/sub"
	stat "$MNT/$A/keep/sub" >/dev/null
	rmdir_real "$OTHER/$BASE/$A/keep/sub"
	sleep 0.2
	assert_op "a cached group that lost its $OTHER directory is refused" EIO \
		"$XOP" stat "$MNT/$A/keep/sub"
	assert_op "...so is its $OKNOB" EIO "$XOP" read "$MNT/$A/keep/sub/$OKNOB"
	wait_for "...until it is completed" yes whole "$A/keep/sub"
	assert_op "then its $OKNOB is served" OK "$XOP" read "$MNT/$A/keep/sub/$OKNOB"
	# Removed everywhere but the primary by a tool that is quick enough:
	# the grace period lets it finish instead of fighting it.
	assert_op "alice makes gone" OK as "$A" "$XOP" mkdir "$MNT/$A/gone"
	for d in $(real_dirs "$A/gone" | tac); do rmdir_real "$d"; sleep 0.05; done
	sleep 1.5
	assert_eq "a group removed one hierarchy at a time stays removed" "" \
		"$(ls -d $(real_dirs "$A/gone") 2>/dev/null)"
	# The leaf removed from the primary under a cached group.
	assert_op "alice makes leafless" OK as "$A" "$XOP" mkdir "$MNT/$A/leafless"
	with_leaf "$A/leafless"
	stat "$MNT/$A/leafless" >/dev/null
	rmdir "$PRIMARY/$BASE/$A/leafless/.self"
	sleep 0.2
	assert_op "a cached group that lost its leaf in one hierarchy is refused" EIO \
		"$XOP" read "$MNT/$A/leafless/procs"
	wait_for "...until the leaf is made again" yes whole "$A/leafless"
	[ -d "$PRIMARY/$BASE/$A/leafless/.self" ] && ok "...in $PRIMARY" ||
		not_ok "leafless completed without its leaf"
	assert_op "then procs is served" OK "$XOP" read "$MNT/$A/leafless/procs"
else
	# One hierarchy: a group is in it or not, its leaf is there or not.
	echo "# SKIP half made across hierarchies (groups and leaves): cgfs serves from one hierarchy here"
fi
# A group a failed rmdir left half removed is as good as one half made:
# what is left is completed, so nothing a process lives in is lost.

# ---- 3. a stop while the watcher is busy does not hang ----
paths "$A/busy"
( end=$((SECONDS + 2)); while [ $SECONDS -lt $end ]; do
	mkdir "${D[@]}" 2>/dev/null; rmdir "${RD[@]}" 2>/dev/null
done ) &
churn=$!
( end=$((SECONDS + 3)); while [ $SECONDS -lt $end ]; do
	[ -e "$MNT/$A/busy" ]; [ -e "$MNT/$A/leafless/procs" ]
done ) &
reader=$!
sleep 0.3
kill -TERM "$DAEMON"
for i in $(seq 1 200); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$DAEMON" 2>/dev/null; then
	not_ok "SIGTERM while the watcher is busy: the daemon did not exit in 10 s"
else
	ok "SIGTERM while the watcher is busy: the daemon exits"
fi
wait "$churn" "$reader" 2>/dev/null
stop_cgfs
rmdir "${RD[@]}" 2>/dev/null

# ---- 4. reconcile at start ----
start_cgfs -o "config=$CONF" || exit 1
assert_op "root makes bob's tree (pids_max cap 77)" OK "$XOP" mkdir "$MNT/$BOB"
assert_op "alice makes r2" OK "$XOP" mkdir "$MNT/$A/r2"
assert_op "...deep" OK "$XOP" mkdir "$MNT/$A/r2/deep"
[ -n "$OTHER" ] && with_leaf "$A/r2/deep"
stop_cgfs
# The damage a crash half-way through mkdir or rmdir, or a tool, leaves.
broken=
if [ -n "$OTHER" ]; then
	rmdir "$PRIMARY/$BASE/$A/r2/deep/.self"             # a leaf lost in one
	mkdir "$PRIMARY/$BASE/$A/r3"                        # the primary only
	rmdir_real "$OTHER/$BASE/$A/keep/sub" "$OTHER/$BASE/$A/keep"  # one hierarchy lost
	mkdir -p "$OTHER/$BASE/$A/r4/sub"                   # one hierarchy only
	rmdir_real "$OTHER/$BASE/$BOB"                      # a tree root lost its cap
	broken="$A/r2/deep $A/r3 $A/keep $A/keep/sub $A/r4 $A/r4/sub $BOB"
else
	echo "# SKIP repairs at start: cgfs serves from one hierarchy here, nothing is half made"
fi
# Not groups: left alone.
mkdir "$PRIMARY/$BASE/$A/not.a.group" "$PRIMARY/$BASE/no-such-user-xyz"
start_cgfs -o "config=$CONF" || exit 1
# The mount answers once the daemon is done with the start.
assert_op "the mount answers" OK "$XOP" stat "$MNT"
for g in $broken; do
	assert_eq "completed at start: $g" yes "$(whole "$g")"
	grep -q "group /$g was half made: completed in" "$LOG" && ok "...logged: $g" ||
		not_ok "no log line for $g"
done
n=$(set -- $broken; echo $#)
[ "$n" = 0 ] || grep -q "completed $n half-made groups at start" "$LOG" && ok "the start counts $n repairs" ||
	not_ok "no 'completed $n half-made groups at start' line: $(grep 'at start' "$LOG")"
[ -n "$OTHER" ] && assert_eq "a tree root completed in $OTHER gets its cap again" 77 \
	"$(cat "$MNT/$BOB/pids_max")"
cs=$(cg_mount cpuset)
if [ -n "$OTHER" ] && [ "$OTHER" = "$cs" ] && [ "$(cg_version cpuset)" = 1 ]; then
	assert_eq "a v1 cpuset completed at start has its parent's CPUs" \
		"$(cat "$cs/$BASE/$A/cpuset.cpus")" "$(cat "$cs/$BASE/$A/r4/sub/cpuset.cpus")"
fi
made=
for d in $(real_dirs "$A/not.a.group" | head -n -1) $(real_dirs no-such-user-xyz | head -n -1); do
	[ -d "$d" ] && made="$made $d"
done
assert_eq "a directory that is no group is left alone" "" "$made"
assert_op "...and not shown" ENOENT "$XOP" stat "$MNT/$A/not.a.group"
for g in $broken; do
	assert_op "$g is served" OK "$XOP" read "$MNT/$g/procs"
done
stop_cgfs

# ---- 5. out of inotify watches: no caching instead ----
# The watcher logs how many watches it took once it has looked the tree over.
watches() { sed -n 's/.*watching \([0-9]*\) directories.*/\1/p' "$LOG"; }
before=$(watches | wc -l)
start_cgfs -o "config=$CONF" || exit 1
for i in $(seq 1 100); do [ "$(watches | wc -l)" -gt "$before" ] && break; sleep 0.05; done
have=$(watches | tail -n 1)
stop_cgfs
CGFS_MAX_WATCHES=$((have + 1)) start_cgfs -o "config=$CONF" || exit 1
assert_op "below the budget, mkdir works" OK "$XOP" mkdir "$MNT/$A/w1"
assert_op "past it too" OK "$XOP" mkdir "$MNT/$A/w2"
sleep 1.2 # the entries cached before the end of the budget expire
assert_eq "the end of the budget is logged once" 1 "$(grep -c 'watch budget is used up' "$LOG")"
stat "$MNT/$A/w1" >/dev/null
rmdir_real $(real_dirs "$A/w1" | tac)
[ -d "$MNT/$A/w1" ] && not_ok "unwatched: a cached group removed outside is still there" ||
	ok "unwatched: a cached group removed outside is gone at once (no caching)"
stat "$MNT/$A/w2" >/dev/null
if [ -n "$OTHER" ]; then
	rmdir "$OTHER/$BASE/$A/w2"
	assert_op "unwatched: a group that lost a directory is refused at once" EIO \
		"$XOP" read "$MNT/$A/w2/procs"
	mkdir "$OTHER/$BASE/$A/w2"
	assert_op "...and served once whole" OK "$XOP" read "$MNT/$A/w2/procs"
else
	echo "# SKIP unwatched half-made group: cgfs serves from one hierarchy here"
fi
stop_cgfs
CGFS_MAX_WATCHES=1 start_cgfs -o "config=$CONF" || exit 1
wait_for "a budget too small at start is logged" 2 grep -c 'watch budget is used up' "$LOG"
assert_op "...and cgfs serves" OK "$XOP" read "$MNT/$A/w2/procs"
assert_op "root removes alice's tree" OK "$XOP" rmdir "$MNT/$A"
assert_op "root removes bob's tree" OK "$XOP" rmdir "$MNT/$BOB"
