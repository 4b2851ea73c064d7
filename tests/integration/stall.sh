#!/bin/bash
# SPDX-License-Identifier: MIT
# No user can stall the others (issue 17, class 5): freezes that cannot
# take hold wait on threads of their own, at most 8 per user (EAGAIN
# beyond), while another user's reads are answered; a kill or a freeze
# written from inside the group does not hang; a busy tree is removed.
#
# A freeze that cannot take hold: the group holds a process waiting in the
# kernel for a FUSE request of a second cgfs mount whose server this test
# has stopped (SIGSTOP). The freezer cannot stop that process (v1 and v2),
# so the freeze waits until the test lets the server go on: "still
# pending" is then a fact the test controls, not a timing. The waits are
# set to 10 minutes (-o wait_ms), far beyond any bound below.
. "$(dirname "$0")/../lib/lib.sh"

T_OUT=$(mktemp -d /tmp/cgfs-stall.XXXXXX)
MNT2=$(mktemp -d /tmp/cgfs-mnt2.XXXXXX)
DAEMON2=
STOPPED=

test_cleanup() {
	[ -n "$STOPPED" ] && kill -CONT "$STOPPED" 2>/dev/null
	if grep -q " $MNT2 fuse.cgfs " /proc/mounts; then
		fusermount3 -u "$MNT2" 2>/dev/null || umount -l "$MNT2"
	fi
	[ -n "$DAEMON2" ] && wait "$DAEMON2" 2>/dev/null
	rmdir "$MNT2" 2>/dev/null
	rm -rf "$T_OUT"
}

start_cgfs -o wait_ms=600000 || exit 1
chown "$ALICE" "$T_OUT"
# Alice's ids for setpriv, for processes started in the background (a
# function started so would be a shell of root's around them).
AS_ALICE=(setpriv --reuid="$(id -u "$ALICE")" --regid="$(id -g "$ALICE")" --clear-groups --)

# gone PID: the process has ended (a child of ours may linger as a zombie).
gone() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" = Z ]
}

# wait_for DESC CMD...: waits (60 s at most) until CMD succeeds.
wait_for() {
	local desc=$1 i
	shift
	for i in $(seq 1 600); do
		"$@" && return 0
		sleep 0.1
	done
	not_ok "$desc: still not so after 60 s"
	return 1
}

# freeze_state GROUP: 1 when frozen (the knob, as root), 0 if not.
freeze_state() { cat "$MNT/$1/freeze" 2>/dev/null; }

# Whether a process is asleep in the kernel in a FUSE request (the
# stopped second server's): in open(2) of a file there (the system call
# /proc/PID/syscall shows while it is blocked; 257 is openat on x86_64),
# or where wchan names a FUSE wait.
in_fuse_wait() {
	local s nr
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = cat ] || return 1
	s=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
	[ "$s" = S ] || [ "$s" = D ] || return 1
	nr=$(awk '{ print $1 }' "/proc/$1/syscall" 2>/dev/null)
	[ "$nr" = 257 ] || grep -q 'fuse\|request_wait' "/proc/$1/wchan" 2>/dev/null
}

# The second mount: its server stopped, a look-up there waits.
"$CGFS" -f -o "base=/$BASE/.stuck" -o "config=$RUN_CONF" "$MNT2" >>"$LOG" 2>&1 &
DAEMON2=$!
wait_for "the second cgfs mounts" grep -q " $MNT2 fuse.cgfs " /proc/mounts || exit 1
# Listed in /proc/mounts is not yet initialised: until the server has
# answered FUSE_INIT, a request waits in the kernel freezably (Linux 6.x
# fuse_get_req: TASK_KILLABLE | TASK_FREEZABLE), and a freeze of its
# process then takes hold at once. One answered look-up first.
wait_for "the second cgfs answers" sh -c '"$1" stat "$2/nothing-init" | grep -q ENOENT' _ "$XOP" "$MNT2" ||
	exit 1
server2=
for c in $(cat "/proc/$DAEMON2/task/$DAEMON2/children" 2>/dev/null); do
	[ "$(cat "/proc/$c/comm" 2>/dev/null)" = cgfs-notify ] || server2=$c
done
[ -n "$server2" ] || { not_ok "the second cgfs has no server process"; exit 1; }
kill -STOP "$server2"
STOPPED=$server2

assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
assert_op "root creates bob's tree" OK "$XOP" mkdir "$MNT/$BOB"
assert_op "bob creates a group" OK as "$BOB" "$XOP" mkdir "$MNT/$BOB/b"
spawn "$BOB"
assert_op "bob moves his process in" OK as "$BOB" "$XOP" write "$MNT/$BOB/b/procs" "$SPAWN"
bob_procs=$(cat "$MNT/$BOB/b/procs")

# ---- 1. freezes that cannot take hold, in parallel ----
# One group each: the kernel lets one write at a time reach a file, so
# parallel writes to one knob would wait for each other in the kernel.
N=16
assert_op "alice creates another group" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/q"
stuck=()
for i in $(seq 1 $N); do
	as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/a$i" >/dev/null
	"${AS_ALICE[@]}" cat "$MNT2/nothing$i" >/dev/null 2>&1 &
	stuck+=($!)
	SPAWNED+=($!)
done
made=0
for i in $(seq 1 $N); do
	p=${stuck[$((i - 1))]}
	wait_for "a look-up on the stopped mount waits in the kernel" in_fuse_wait "$p" ||
		echo "# $(cat "/proc/$p/stat") wchan $(cat "/proc/$p/wchan")"
	[ "$(as "$ALICE" "$XOP" write "$MNT/$ALICE/a$i/procs" "$p")" = OK ] && made=$((made + 1))
done
assert_eq "alice moves a waiting process into each of $N groups" "$N" "$made"

writers=()
for i in $(seq 1 $N); do
	"${AS_ALICE[@]}" "$XOP" write "$MNT/$ALICE/a$i/freeze" 1 >"$T_OUT/f$i" 2>&1 &
	writers+=($!)
done
count() { cat "$T_OUT"/f* 2>/dev/null | grep -c "^$1\$"; }
refused() { [ "$(count EAGAIN)" -ge $((N - 8)) ]; }
wait_for "$((N - 8)) of alice's $N freezes are refused" refused
pending() {
	local p n=0
	for p in "${writers[@]}"; do gone "$p" || n=$((n + 1)); done
	echo "$n"
}
assert_eq "alice's other 8 freezes are still pending" 8 "$(pending)"

# Bob is answered meanwhile, reads and writes alike.
got=$(timeout 60 cat "$MNT/$BOB/b/procs")
assert_eq "bob's read of his procs is answered" "$bob_procs" "$got"
got=$(timeout 60 cat "$MNT/$BOB/b/pids_max" 2>/dev/null || echo TIMEOUT)
[ "$got" != TIMEOUT ] && ok "bob's read of pids_max is answered ($got)" ||
	not_ok "bob's read of pids_max is answered"
assert_op "bob freezes his own group (his own bound)" OK as "$BOB" timeout 60 "$XOP" write "$MNT/$BOB/b/freeze" 1
assert_eq "...it is frozen" 1 "$(freeze_state "$BOB/b")"
assert_op "bob thaws it" OK as "$BOB" timeout 60 "$XOP" write "$MNT/$BOB/b/freeze" 0
assert_op "bob makes a group (no lock held by alice's waits)" OK as "$BOB" timeout 60 "$XOP" mkdir "$MNT/$BOB/c"
assert_op "bob removes it" OK as "$BOB" timeout 60 "$XOP" rmdir "$MNT/$BOB/c"
assert_eq "all that while, alice's 8 freezes were pending" 8 "$(pending)"
assert_eq "...and none had answered" "$((N - 8))" "$(cat "$T_OUT"/f* | grep -c .)"

# At her bound, alice's ninth slow operation is refused, and changes nothing.
before=$(snapshot)
attack_q=$(as "$ALICE" timeout 60 "$XOP" write "$MNT/$ALICE/q/freeze" 1)
assert_eq "alice's ninth freeze (another group) gets EAGAIN" EAGAIN "$attack_q"
assert_eq "...and changes nothing" "$before" "$(snapshot)"
assert_eq "...the group stays thawed" 0 "$(freeze_state "$ALICE/q")"

# Busy tree: processes in a group and in its children.
R=$ALICE/r
for g in r r/c1 r/c1/c2 r/c3; do
	as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/$g" >/dev/null
	spawn "$ALICE"
	as "$ALICE" "$XOP" write "$MNT/$ALICE/$g/procs" "$SPAWN" >/dev/null
done
busy=$SPAWN
before=$(snapshot)
assert_op "at her bound, alice's removal of a busy tree gets EAGAIN" EAGAIN \
	as "$ALICE" timeout 60 "$XOP" rmdir "$MNT/$R"
assert_eq "...and changes nothing" "$before" "$(snapshot)"
assert_op "an empty group goes the quick way, even at her bound" OK \
	as "$ALICE" timeout 60 "$XOP" rmdir "$MNT/$ALICE/q"

# The server goes on: the look-up fails, the process ends, the freezes
# take hold.
kill -CONT "$server2"
STOPPED=
none_pending() { [ "$(pending)" = 0 ]; }
wait_for "alice's freezes are answered once they can take hold" none_pending
assert_eq "alice's 8 pending freezes succeed once they can" 8 "$(count OK)"
assert_eq "...the others were refused with EAGAIN" "$((N - 8))" "$(count EAGAIN)"
nfrozen=0
for i in $(seq 1 $N); do
	[ "$(freeze_state "$ALICE/a$i")" = 1 ] && nfrozen=$((nfrozen + 1))
	as "$ALICE" "$XOP" write "$MNT/$ALICE/a$i/freeze" 0 >/dev/null
done
assert_eq "...8 groups are frozen" 8 "$nfrozen"

# ---- 2. the busy tree, recursively ----
assert_op "alice removes her busy tree (processes in 4 groups)" OK \
	as "$ALICE" timeout 120 "$XOP" rmdir "$MNT/$R"
left=
for mp in $(serving_mounts); do
	[ -e "$mp/$BASE/$R" ] && left="$left $mp"
done
assert_eq "...gone from every hierarchy" "" "$left"
kill -0 "$busy" 2>/dev/null && ok "...its processes live on (migrated)" ||
	not_ok "...its processes live on (migrated)"
assert_eq "...in alice's tree root" "/$BASE/$ALICE/.self" "$(pid_cgroup "$busy" "$(cg_mount memory)")"

# ---- 3. a kill written from inside the group ----
# inside GROUP CMD: a shell of alice's that waits for $T_OUT/go-GROUP,
# then runs CMD (from inside the group, once moved there); $shell is it,
# once it runs as alice (setpriv has made it hers and run bash: the fork
# of this script that becomes setpriv is named bash too, and is root's).
inside() {
	local g=$1
	shift
	"${AS_ALICE[@]}" bash -c 'while [ ! -e "$1" ]; do sleep 0.05; done; shift; eval "$@"' _ \
		"$T_OUT/go-${g//\//-}" "$@" &
	shell=$!
	SPAWNED+=("$shell")
	is_bash() {
		[ "$(stat -c %u "/proc/$shell" 2>/dev/null)" = "$(id -u "$ALICE")" ] &&
			[ "$(cat "/proc/$shell/comm" 2>/dev/null)" = bash ]
	}
	wait_for "alice's shell runs" is_bash
}
K=$ALICE/k
assert_op "alice creates a group to kill" OK as "$ALICE" "$XOP" mkdir "$MNT/$K"
inside "$K" "echo 1 > '$MNT/$K/kill'; echo \$? > '$T_OUT/kill-rc'"
assert_op "alice moves the shell into it" OK as "$ALICE" "$XOP" write "$MNT/$K/procs" "$shell"
for i in 1 2; do
	spawn "$ALICE"
	as "$ALICE" "$XOP" write "$MNT/$K/procs" "$SPAWN" >/dev/null
done
victim=$SPAWN
touch "$T_OUT/go-${K//\//-}"
wait_for "the shell that wrote the kill ends" gone "$shell"
wait "$shell" 2>/dev/null
assert_eq "the shell that wrote the kill is killed by it" 137 "$?"
assert_eq "...it never went on" "" "$(cat "$T_OUT/kill-rc" 2>/dev/null)"
wait_for "the other processes die too" wait_dead "$victim"
empty() { [ -z "$(cat "$MNT/$K/procs")" ]; }
wait_for "...and the group ends empty" empty && ok "the group is empty after a kill from inside"
assert_eq "...and not frozen" 0 "$(freeze_state "$K")"

# ---- 4. a freeze written from inside the group ----
# The writer cannot stop while it waits for its answer: it has it at
# once (success), and the freeze takes hold as it returns (man cgfs(5)).
F=$ALICE/f
assert_op "alice creates a group to freeze" OK as "$ALICE" "$XOP" mkdir "$MNT/$F"
inside "$F" "echo 1 > '$MNT/$F/freeze'; echo \$? > '$T_OUT/freeze-rc'"
assert_op "alice moves the shell into it" OK as "$ALICE" "$XOP" write "$MNT/$F/procs" "$shell"
spawn "$ALICE"
as "$ALICE" "$XOP" write "$MNT/$F/procs" "$SPAWN" >/dev/null
touch "$T_OUT/go-${F//\//-}"
frozen() { [ "$(freeze_state "$F")" = 1 ]; }
wait_for "a freeze from inside takes hold" frozen && ok "a freeze from inside takes hold"
! gone "$shell" && ok "...the writer is frozen with its group" ||
	not_ok "...the writer is frozen with its group"
assert_eq "...before it went on" "" "$(cat "$T_OUT/freeze-rc" 2>/dev/null)"
assert_op "alice thaws it from outside" OK as "$ALICE" "$XOP" write "$MNT/$F/freeze" 0
done_rc() { [ -s "$T_OUT/freeze-rc" ]; }
wait_for "the writer goes on once thawed" done_rc
assert_eq "...and its write had succeeded" 0 "$(cat "$T_OUT/freeze-rc" 2>/dev/null)"

# ---- 5. a restart answers a pending freeze ----
# The stopping server cuts its waits short and answers before it ends:
# the freeze fails as if timed out (EBUSY) and is undone.
kill -STOP "$server2"
STOPPED=$server2
assert_op "alice creates a group for the restart" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/z"
"${AS_ALICE[@]}" cat "$MNT2/nothing-z" >/dev/null 2>&1 &
p=$!
SPAWNED+=("$p")
wait_for "a look-up on the stopped mount waits in the kernel" in_fuse_wait "$p"
assert_op "alice moves it into the group" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/z/procs" "$p"
"${AS_ALICE[@]}" "$XOP" write "$MNT/$ALICE/z/freeze" 1 >"$T_OUT/z" 2>&1 &
writer=$!
asked() {
	local d
	d=$(cg_mount freezer)/$BASE/$ALICE/z
	grep -q FREEZING "$d/freezer.state" 2>/dev/null || grep -qx 1 "$d/cgroup.freeze" 2>/dev/null
}
wait_for "the freeze is asked" asked
! gone "$writer" && ok "...and pending" || not_ok "...and pending"
S0=$(server_pid)
kill -HUP "$DAEMON"
wait_server "$S0" >/dev/null && ok "a new server answers after SIGHUP" ||
	not_ok "a new server answers after SIGHUP"
wait_for "the pending freeze is answered by the stopping server" gone "$writer"
assert_eq "...with EBUSY" EBUSY "$(cat "$T_OUT/z")"
assert_eq "...and the group is thawed" 0 "$(freeze_state "$ALICE/z")"
kill -CONT "$server2"
STOPPED=
