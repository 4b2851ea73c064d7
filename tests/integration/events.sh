#!/bin/bash
# SPDX-License-Identifier: MIT
# The events knob (cgfs(5), Events): its lines match the real files, it is
# read-only for everyone, others read it as they read stat, and poll(2),
# select(2) and epoll wake on it when a counter or a state changes: when
# a process of the group is OOM-killed, and when the group's last process
# exits; a poll with nothing changing does not wake. One user polling
# more groups than the daemon has watches for takes only her share of
# them: another's poller still gets its watch and wakes.
. "$(dirname "$0")/../lib/lib.sh"

start_cgfs -o loglevel=debug || exit 1
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
G=$ALICE/ev
assert_op "alice creates a group" OK as "$ALICE" "$XOP" mkdir "$MNT/$G"
E=$MNT/$G/events
WAIT=120 # seconds a poller waits at most: generous, never expected

if [ ! -e "$E" ]; then
	not_ok "events is not there although memory or pids is served"
	exit 1
fi
assert_eq "events: mode and owner" "444 $ALICE" "$(stat -c '%a %U' "$E")"
e=$(cat "$E")
echo "$e" | sed 's/^/# /'
keys=$(awk '{ print $1 }' <<<"$e" | tr '\n' ' ')
want=
mem=$(cg_version memory)
[ "$mem" = 2 ] && want="oom "
[ -n "$mem" ] && want="${want}oom_kill max "
[ "$mem" = 2 ] && want="${want}high "
want="${want}populated "
[ -n "$(cg_version freezer)" ] && want="${want}frozen "
assert_eq "events: its keys, in order" "$want" "$keys"
assert_eq "events: a new group is not populated" "populated 0" "$(grep ^populated "$E")"
assert_eq "events: nor frozen" "frozen 0" "$(grep ^frozen "$E")"
assert_eq "events: no OOM kill yet" "oom_kill 0" "$(grep ^oom_kill "$E")"

# ---- read-only for everyone; others read it as they read stat
assert_op "alice cannot write events" EACCES as "$ALICE" "$XOP" write "$E" 1
assert_op "root cannot write events" EACCES "$XOP" write "$E" 1
assert_op "bob cannot write alice's events" EACCES as "$BOB" "$XOP" write "$E" 1
assert_op "bob reads alice's events, as her stat" \
	"$(as "$BOB" "$XOP" read "$MNT/$G/stat" | head -n 1)" as "$BOB" "$XOP" read "$E"
assert_op "events cannot be created anew" EPERM as "$ALICE" "$XOP" create "$MNT/$G/events2"

# pollwait_bg HOW FILE SECS USER [LINE]: a poller in the background, as
# USER (waiting past contents without LINE, if given); its output in
# $PW_OUT, and the function returns once it has read the file (and so
# waits for a change from that). $PW is its pid.
pollwait_bg() {
	local how=$1 file=$2 secs=$3 user=$4 ready i
	ready=$(mktemp -u /tmp/cgfs-ready.XXXXXX)
	PW_OUT=$(mktemp /tmp/cgfs-pw.XXXXXX)
	as "$user" "$XOP" pollwait "$how" "$file" "$secs" "$ready" ${5:+"$5"} >"$PW_OUT" 2>&1 &
	PW=$!
	SPAWNED+=("$PW")
	for i in $(seq 1 600); do
		[ -e "$ready" ] && break
		kill -0 "$PW" 2>/dev/null || break
		sleep 0.05
	done
	[ -e "$ready" ] || not_ok "the poller ($how) never read $file: $(cat "$PW_OUT")"
	rm -f "$ready"
}

# ---- nothing changes: no wake-up (1 s, only that it did not wake)
assert_eq "poll with nothing changing times out" "TIMEOUT" \
	"$(as "$ALICE" "$XOP" pollwait poll "$E" 1)"
assert_eq "select with nothing changing times out" "TIMEOUT" \
	"$(as "$ALICE" "$XOP" pollwait select "$E" 1)"
assert_eq "epoll with nothing changing times out" "TIMEOUT" \
	"$(as "$ALICE" "$XOP" pollwait epoll "$E" 1)"
assert_eq "another knob always polls readable" "WOKE IN" \
	"$(as "$ALICE" "$XOP" pollwait poll "$MNT/$G/memory_limit_mb" "$WAIT" | head -n 1)"

# ---- the group empties: populated 1 -> 0 wakes a poller (bob's, too)
spawn "$ALICE"
S=$SPAWN
assert_op "alice moves a sleep into the group" OK as "$ALICE" "$XOP" write "$MNT/$G/procs" "$S"
assert_eq "events: populated while it runs" "populated 1" "$(grep ^populated "$E")"
pollwait_bg poll "$E" "$WAIT" "$ALICE"
P1=$PW O1=$PW_OUT
pollwait_bg epoll "$E" "$WAIT" "$BOB"
P2=$PW O2=$PW_OUT
# A poller that goes away first (its file released, its wait dropped)
# takes nothing from the others waiting on the same files.
pollwait_bg poll "$E" "$WAIT" "$ALICE"
kill "$PW"
wait "$PW" 2>/dev/null
rm -f "$PW_OUT"
kill "$S"
wait "$S" 2>/dev/null
wait "$P1" "$P2"
assert_eq "poll wakes when the group empties (readable, priority)" "WOKE IN PRI" "$(head -n 1 "$O1")"
assert_eq "...and reads populated 0" "populated 0" "$(grep ^populated "$O1")"
assert_eq "bob's epoll wakes too" "WOKE IN PRI" "$(head -n 1 "$O2")"
assert_eq "...and reads populated 0" "populated 0" "$(grep ^populated "$O2")"
rm -f "$O1" "$O2"

# ---- an OOM kill wakes a poller; oom_kill goes up
# Without swap the memory limit alone bites (and v1 counts its hits in
# memory.failcnt; a memsw limit would take them in memsw.failcnt).
as "$ALICE" "$XOP" write "$MNT/$G/memory_limit_mb" 32 >/dev/null
swap=$(awk '/^SwapTotal:/ { print $2 }' /proc/meminfo)
[ "$swap" != 0 ] && [ -e "$MNT/$G/memory_swap_limit_mb" ] &&
	as "$ALICE" "$XOP" write "$MNT/$G/memory_swap_limit_mb" 0 >/dev/null
if [ -z "$mem" ]; then
	echo "# SKIP OOM wake-up: no memory controller is served here"
	not_ok "the OOM wake-up cannot be tested here"
elif [ "$swap" = 0 ] || [ -e "$MNT/$G/memory_swap_limit_mb" ]; then
	# The process joining makes the group populated, and its charges
	# hit the limit before the kill: a supervisor reads each change and
	# polls again until the kill shows.
	pollwait_bg select "$E" "$WAIT" "$ALICE" "oom_kill 1"
	as "$ALICE" sh -c 'echo $$ > "$1/procs" && exec dd if=/dev/zero of=/dev/null bs=128M count=1' \
		sh "$MNT/$G" 2>/dev/null
	assert_eq "a process over the group's 32 MiB limit is OOM-killed" 137 "$?"
	wait "$PW"
	assert_eq "select wakes on the OOM kill" "WOKE IN PRI" "$(head -n 1 "$PW_OUT")"
	cat "$PW_OUT" | sed 's/^/# /'
	assert_eq "...and reads oom_kill 1" "oom_kill 1" "$(grep ^oom_kill "$PW_OUT")"
	[ "$swap" = 0 ] && assert_eq "...and max above 0" 1 \
		"$(awk '$1 == "max" { print ($2 > 0) }' "$PW_OUT")"
	[ "$mem" = 2 ] && assert_eq "...and oom above 0 (v2)" 1 \
		"$(awk '$1 == "oom" { print ($2 > 0) }' "$PW_OUT")"
	rm -f "$PW_OUT"
else
	echo "# SKIP OOM wake-up: this machine has swap and no swap limit, so a process over its limit swaps"
	not_ok "the OOM wake-up cannot be tested here"
fi
# Unchanged since this read: no wake-up again.
assert_eq "after the changes, an unchanged poll times out again" "TIMEOUT" \
	"$(as "$ALICE" "$XOP" pollwait poll "$E" 1)"

# ---- a poller whose group goes away wakes (the read says why), by
# cgfs's rmdir or another program's. Its wait is bounded by GONE_WAIT,
# not WAIT: the kernel does not notify a removed cgroup's files, and a
# waiter left to their watches woke minutes later (v2 guest: ~110 s).
GONE_WAIT=30
assert_op "alice makes a group to remove" OK as "$ALICE" "$XOP" mkdir "$MNT/$G/gone"
pollwait_bg poll "$MNT/$G/gone/events" "$GONE_WAIT" "$ALICE"
assert_op "alice removes it" OK as "$ALICE" "$XOP" rmdir "$MNT/$G/gone"
wait "$PW"
assert_eq "a poller of a removed group wakes" "WOKE IN PRI" "$(head -n 1 "$PW_OUT")"
assert_eq "...and its read says the group is gone" "ENOENT" "$(sed -n 2p "$PW_OUT")"
rm -f "$PW_OUT"
assert_op "alice makes a group that root removes outside cgfs" OK \
	as "$ALICE" "$XOP" mkdir "$MNT/$G/gone2"
pollwait_bg epoll "$MNT/$G/gone2/events" "$GONE_WAIT" "$ALICE"
for mp in $(serving_mounts); do
	rmdir "$mp/$BASE/$G/gone2" || not_ok "cannot rmdir $mp/$BASE/$G/gone2"
done
wait "$PW"
assert_eq "a poller of a group removed outside cgfs wakes" "WOKE IN PRI" "$(head -n 1 "$PW_OUT")"
assert_eq "...and its read says the group is gone" "ENOENT" "$(sed -n 2p "$PW_OUT")"
rm -f "$PW_OUT"

assert_op "rmdir the group" OK as "$ALICE" "$XOP" rmdir "$MNT/$G"

# Where memory.events and cgroup.events are v2 files, every waiter had
# inotify watches on them (a waiter with a watch is looked at only when
# the kernel writes a file, so the wake-ups above came that way); on v1
# there is nothing to watch.
if [ "$mem" = 2 ] && [ "$(cg_version freezer)" = 2 ]; then
	assert_eq "every waiter's v2 files were watched" "" "$(grep 'no watch on' "$LOG")"
fi

# ---- one user cannot take every watch (cgfs(5), Events): no user but
# root is charged more than SHARE of the 1024 watches. alice polls the
# events of more groups than all 1024 would cover: she gets her share,
# the rest of hers are read every 250 ms (and still wake), and bob's
# poller, after hers, still gets its watches and wakes at the change.
# Whether a poller got a watch is read from the daemon's log (debug:
# "watch WD on FILE for uid U", or "no watch on FILE ... its share");
# nothing is timed but the generous WAIT. A group has watches on all its
# files or none: a refused one is refused once for her share.
SHARE=128
F=0 # files watched per group: memory.events and cgroup.events, where v2
[ "$mem" = 2 ] && F=$((F + 1))
[ "$(cg_version freezer)" = 2 ] && F=$((F + 1))
if [ "$F" = 0 ]; then
	echo "# SKIP the watch share: no events file here is a cgroup v2 file (nothing is watched)"
else
	N=$((1024 / F + 8))
	AUID=${UID_OF[$ALICE]} BUID=${UID_OF[$BOB]}
	files=()
	for i in $(seq 1 "$N"); do files+=("$MNT/$ALICE/w$i/events"); done
	# One mkdir for all: a process each would take minutes in a guest.
	assert_op "alice makes $N groups" "" as "$ALICE" mkdir "${files[@]%/events}"
	ready=$(mktemp -u /tmp/cgfs-ready.XXXXXX)
	AOUT=$(mktemp /tmp/cgfs-pw.XXXXXX)
	# Each file is polled (and its watch taken or refused) before READY.
	as "$ALICE" "$XOP" pollmany "$WAIT" "$ready" "${files[@]}" >"$AOUT" 2>&1 &
	APW=$!
	SPAWNED+=("$APW")
	for i in $(seq 1 2400); do
		[ -e "$ready" ] && break
		kill -0 "$APW" 2>/dev/null || break
		sleep 0.05
	done
	assert_eq "alice polls the events of $N groups at once" yes \
		"$([ -e "$ready" ] && echo yes || echo "no: $(cat "$AOUT")")"
	rm -f "$ready"
	granted=$(grep -c "watch [0-9]* on /$ALICE/w[0-9]*/[a-z.]* for uid $AUID," "$LOG")
	refused=$(grep -c "no watch on /$ALICE/w[0-9]*/[a-z.]* for uid $AUID: its share" "$LOG")
	echo "# alice: $N groups ($((N * F)) files) polled, $granted files watched, $refused groups refused"
	assert_eq "alice is given her share of watches, $SHARE" "$SHARE" "$granted"
	assert_eq "...and the rest of her groups are read every tick instead" \
		"$((N - SHARE / F))" "$refused"

	# bob, after her: his own group's files are watched.
	assert_op "root creates bob's tree" OK "$XOP" mkdir "$MNT/$BOB"
	assert_op "bob creates a group" OK as "$BOB" "$XOP" mkdir "$MNT/$BOB/ev"
	spawn "$BOB"
	S=$SPAWN
	assert_op "bob moves a sleep into it" OK as "$BOB" "$XOP" write "$MNT/$BOB/ev/procs" "$S"
	pollwait_bg epoll "$MNT/$BOB/ev/events" "$WAIT" "$BOB"
	# His poll registers after his read: wait for it in the log (30 s
	# at most, counted in seconds: a grep of the long log is slow in a
	# guest).
	end=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$end" ]; do
		[ "$(grep -c "watch [0-9]* on /$BOB/ev/[a-z.]* for uid $BUID," "$LOG")" -ge "$F" ] && break
		grep -q "no watch on /$BOB/ev/" "$LOG" && break
		kill -0 "$PW" 2>/dev/null || break
		sleep 0.05
	done
	assert_eq "bob's files are watched although alice polls more than all the watches" "$F" \
		"$(grep -c "watch [0-9]* on /$BOB/ev/[a-z.]* for uid $BUID," "$LOG")"
	assert_eq "...none of his is refused" "" "$(grep "no watch on /$BOB/" "$LOG")"
	t0=$(date +%s%N)
	kill "$S"
	wait "$S" 2>/dev/null
	wait "$PW"
	t1=$(date +%s%N)
	assert_eq "bob's epoll wakes when his group empties" "WOKE IN PRI" "$(head -n 1 "$PW_OUT")"
	echo "# bob woke $(((t1 - t0) / 1000000)) ms after his group emptied (not asserted)"
	rm -f "$PW_OUT"

	# alice's files beyond her share are not lost: read every tick, a
	# change wakes them too.
	# (Refused for pollmany's file, then for this poller's, before the
	# change.)
	refusals() { grep -c "no watch on /$ALICE/w$N/[a-z.]* for uid $AUID: its share" "$LOG"; }
	pollwait_bg poll "$MNT/$ALICE/w$N/events" "$WAIT" "$ALICE"
	end=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$end" ]; do
		[ "$(refusals)" -ge 2 ] && break
		kill -0 "$PW" 2>/dev/null || break
		sleep 0.05
	done
	assert_eq "alice's poller beyond her share has no watch" 2 "$(refusals)"
	spawn "$ALICE"
	S=$SPAWN
	assert_op "alice moves a sleep into her last group" OK \
		as "$ALICE" "$XOP" write "$MNT/$ALICE/w$N/procs" "$S"
	wait "$PW"
	assert_eq "...and wakes all the same (by the tick)" "WOKE IN PRI" "$(head -n 1 "$PW_OUT")"
	rm -f "$PW_OUT"
	kill "$S" "$APW"
	wait "$S" "$APW" 2>/dev/null
	rm -f "$AOUT"
	assert_op "alice removes her groups" "" as "$ALICE" rmdir "${files[@]%/events}"
	assert_op "bob removes his" OK as "$BOB" "$XOP" rmdir "$MNT/$BOB/ev"
fi
