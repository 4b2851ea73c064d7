#!/bin/bash
# SPDX-License-Identifier: MIT
# cgfs-run, as a user runs it: the limits are in the group while the
# command runs, the command's exit status is cgfs-run's, nothing is left
# once the command and its children have ended; --group uses or makes a
# named group; clear messages and exit codes (125 its own failures, 126 a
# command that cannot run, 127 one not found) for no mount, no tree, a
# refused limit, a refused move; a memory limit that bites.
# Usage: launcher.sh CGFS XOP (cgfs-run is next to CGFS)
. "$(dirname "$0")/../lib/lib.sh"

RUN=$(dirname "$CGFS")/cgfs-run
[ -x "$RUN" ] || { not_ok "no cgfs-run next to $CGFS"; exit 1; }
# Out of the test users' reach (a clone in /root, 0700 on Debian), they
# run a copy, as lib.sh does for its helpers.
if ! as "$ALICE" test -x "$RUN"; then
	[ -n "$HELPERS" ] || { HELPERS=$(mktemp -d /tmp/cgfs-bin.XXXXXX) && chmod 755 "$HELPERS"; }
	cp "$RUN" "$HELPERS/" && RUN=$HELPERS/cgfs-run
	echo "# $(dirname "$CGFS") is out of the test users' reach: they run $RUN"
fi

start_outside || exit 1
A=$ALICE
T=$MNT/$A

# run USER ARGS...: cgfs-run as USER on this run's mount; its stdout is
# kept in $OUT, its stderr in $ERR, its status in $RC.
ERR=$(mktemp /tmp/cgfs-run-err.XXXXXX)
FIFO=$ERR.fifo
JAIL=
test_cleanup() {
	rm -f "$ERR" "$ERR.out" "$FIFO"
	[ -n "$JAIL" ] && rmdir "$JAIL" 2>/dev/null
}
run() {
	local u=$1
	shift
	as "$u" "$RUN" --mount "$MNT" "$@" >"$ERR.out" 2>"$ERR"
	RC=$?
	OUT=$(cat "$ERR.out")
}

# assert_rc DESC WANT: cgfs-run's status; on a mismatch, what it said.
assert_rc() {
	assert_eq "$1" "$2" "$RC"
	[ "$2" = "$RC" ] || sed 's/^/# stderr: /' "$ERR"
}

# groups: the groups cgfs-run made in alice's tree (run-*), one a line.
groups() {
	ls "$T" | grep '^run-' || true
}

# release: lets the process waiting on $FIFO go (10 s at most, should it
# be gone).
release() {
	timeout 10 sh -c 'echo go >"$0"' "$FIFO"
}

# gone_within SECS: waits until alice's tree holds no run-* group; WAITED
# says how long it took (see wait_until). The bound is loose for loaded
# machines, as in autoremove.sh, which says why.
no_groups() {
	[ -z "$(groups)" ]
}
gone_within() {
	wait_until "$1" no_groups
}

# ---- limits visible while the command runs, status passed through

run "$A" --memory 64M --cpu 50 --pids 100 -- sh -c \
	'for k in memory_limit_mb cpu_percent pids_max autoremove; do cat "$CGFS_GROUP/$k"; done
	 cat "$CGFS_GROUP/procs"; echo "pid $$"; exit 7'
out=$OUT
assert_rc "the command's exit status is cgfs-run's" 7
assert_eq "the limits and the mark, read in the group while it runs" "64 50 100 1" \
	"$(sed -n 1,4p <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
pid=$(sed -n 's/^pid //p' <<<"$out")
assert_eq "the command itself is the group's process (cgfs-run became it)" "$pid" "$(sed -n 5p <<<"$out")"
gone_within 5 && ok "the group is gone $WAITED s after the command ended (bound 5 s)" ||
	not_ok "left behind: $(groups)"
assert_eq "...in every hierarchy" "" "$(for mp in $(serving_mounts); do ls "$mp/$BASE/$A" 2>/dev/null; done | grep '^run-')"
run "$A" -- true
assert_rc "true gives 0" 0
run "$A" -- sh -c 'kill -TERM $$'
assert_eq "a command killed by SIGTERM: the shell's 143" 143 "$((RC))"

# ---- its children keep the group (a child that waits on a fifo)

mkfifo -m 0666 "$FIFO"
run "$A" -- sh -c '(read x <"$0") >/dev/null 2>&1 & echo "$CGFS_GROUP"' "$FIFO"
out=$OUT
g=$out
sleep 1
[ -d "$g" ] && ok "the group stays while the command's child lives (1 s after the command)" ||
	not_ok "the group went while a child lived"
release
gone_within 5 && ok "...and goes $WAITED s after the child ends (bound 5 s)" || not_ok "left behind: $(groups)"

# ---- --group: made if missing, transient when made; kept when it was there

run "$A" --group job/one -- sh -c 'echo "$CGFS_GROUP"; cat "$CGFS_GROUP/autoremove"; cat "$CGFS_GROUP/../autoremove"'
out=$OUT
assert_eq "--group job/one made both levels" "$T/job/one 0 1" "$(tr '\n' ' ' <<<"$out" | sed 's/ $//')"
wait_until 5 test ! -e "$T/job" &&
	ok "the levels it made are gone $WAITED s after it ended (bound 5 s)" ||
	not_ok "job (made by cgfs-run) left behind"
as "$A" mkdir "$T/keep"
run "$A" --group keep --pids 50 -- true
assert_rc "--group keep (there already)" 0
sleep 0.5
[ -d "$T/keep" ] && ok "a group that was there stays" || not_ok "cgfs-run removed an existing group"
assert_eq "...unmarked" 0 "$(cat "$T/keep/autoremove")"
assert_eq "...with the limit it was given" 50 "$(cat "$T/keep/pids_max")"
run "$A" --group /etc -- true
assert_rc "--group /etc: refused" 125

# ---- errors: messages, codes, nothing left

run "$A" --memory 512MB -- true
assert_rc "a bad size: 125" 125
grep -q -- "--memory '512MB': Invalid argument" "$ERR" && ok "...names the option and the knob's EINVAL" ||
	not_ok "message: $(cat "$ERR")"
run "$A" --cpu 0 -- true
assert_rc "--cpu 0: 125" 125
grep -q -- "--cpu '0': Numerical result out of range" "$ERR" && ok "...ERANGE, named" ||
	not_ok "message: $(cat "$ERR")"
assert_eq "refused limits leave no group" "" "$(groups)"
run "$A" -- /nonexistent/cmd
assert_rc "a command not found: 127" 127
grep -q "command not found" "$ERR" && ok "...said so" || not_ok "message: $(cat "$ERR")"
run "$A" -- no-such-command-$$
assert_rc "a command not on PATH: 127" 127
run "$A" -- /etc/passwd
assert_rc "a file that cannot be run: 126" 126
run "$A" -- /tmp
assert_rc "a directory: 126" 126
assert_eq "none of them left a group" "" "$(groups)"
as "$A" "$RUN" --mount /nonexistent -- true 2>"$ERR"
assert_eq "no mount: 125" 125 "$?"
grep -q "no cgfs mount at /nonexistent" "$ERR" && ok "...said so" || not_ok "message: $(cat "$ERR")"
as "$A" "$RUN" --mount /tmp -- true 2>"$ERR"
assert_eq "not a cgfs mount: 125" 125 "$?"
grep -q "not a cgfs mount" "$ERR" && ok "...said so" || not_ok "message: $(cat "$ERR")"
run "$BOB" -- true
assert_rc "bob has no tree: 125" 125
grep -q "no tree for $BOB" "$ERR" && ok "...said so" || not_ok "message: $(cat "$ERR")"
as "$A" "$RUN" --mount "$MNT" 2>"$ERR"
assert_eq "no command: 125" 125 "$?"
as "$A" "$RUN" --bogus -- true 2>"$ERR"
assert_eq "an unknown option: 125" 125 "$?"
assert_eq "--help: 0" 0 "$(as "$A" "$RUN" --help >/dev/null; echo $?)"

# A process held where the administrator put it (a cgroup that is no
# admission point) cannot move itself: cgfs-run says so and leaves nothing.
JAIL=$(cg_mount freezer)/$BASE-jail
mkdir "$JAIL"
# (setpriv itself, not the function "as": $! must be the process that
# runs cgfs-run, not a subshell that forks it.)
setpriv --reuid="${UID_OF[$A]}" --regid="${GID_OF[$A]}" --clear-groups -- \
	sh -c 'read x <"$0"; exec "$1" --mount "$2" -- true' "$FIFO" "$RUN" "$MNT" 2>"$ERR" &
j=$!
echo "$j" >"$JAIL/cgroup.procs" || not_ok "root cannot put $j in $JAIL"
release
wait "$j"
assert_eq "a move cgfs refuses (the caller in a jail cgroup): 125" 125 "$?"
grep -q "Operation not permitted (see admit" "$ERR" && ok "...pointing at admit" ||
	not_ok "message: $(cat "$ERR")"
assert_eq "the refused move left no group" "" "$(groups)"

# ---- a memory limit that bites

if [ "$(awk '/^SwapTotal:/ { print $2 }' /proc/meminfo)" = 0 ]; then
	run "$A" --memory 32M -- dd if=/dev/zero of=/dev/null bs=128M count=1
	assert_rc "a command touching 128 MiB under a 32 MiB limit is OOM-killed (SIGKILL)" 137
	run "$A" --memory 256M -- dd if=/dev/zero of=/dev/null bs=16M count=1
	assert_rc "...and 16 MiB runs" 0
else
	echo "# SKIP the OOM kill: this machine has swap, so a process over its memory limit swaps"
	run "$A" --memory 32M -- sh -c 'cat "$CGFS_GROUP/memory_limit_mb"'
out=$OUT
	assert_eq "the memory limit reads back" 32 "$out"
fi
gone_within 5 && ok "nothing left after all that ($WAITED s)" || not_ok "left behind: $(groups)"

assert_op "root removes alice's tree" OK "$XOP" rmdir "$T"
