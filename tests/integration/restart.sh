#!/bin/bash
# SPDX-License-Identifier: MIT
# Mounts outlive the server: a "container" (its own mount namespace with a
# bind mount of a subtree) keeps using its knobs across kill -9 of the
# server and across an upgrade (SIGHUP: the supervisor re-executes the
# binary on disk, which was replaced). Requests queued while no server runs
# are answered by the next one; requests a dying server had read fail with
# ECONNABORTED, never hang. The time each client went without a successful
# operation is printed. Servers that cannot start are started again with a
# back-off, and the supervisor gives up after 20 in a row.
. "$(dirname "$0")/../lib/lib.sh"

# Run from a copy, so the test can replace "the installed binary".
BIN=$(mktemp /tmp/cgfs-bin.XXXXXX)
INNER=$(mktemp -d /tmp/cgfs-inner.XXXXXX)
OUT=$(mktemp /tmp/cgfs-out.XXXXXX)
test_cleanup() {
	exec 3<&- 2>/dev/null
	rm -f "$BIN" "$BIN.new" "$BIN.real" "$OUT" "$OUT".* "$CONF.good"
	rmdir "$INNER" 2>/dev/null
}
cp "$CGFS" "$BIN" && chmod 755 "$BIN"
CGFS=$BIN
start_cgfs -o "config=$CONF" || exit 1
"$XOP" mkdir "$MNT/$ALICE" >/dev/null
assert_op "alice mkdir box" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/box"
as "$ALICE" "$XOP" write "$MNT/$ALICE/box/memory_limit_mb" 200 >/dev/null
S0=$(server_pid)
[ -n "$S0" ] && ok "a server runs under the supervisor ($S0)" || not_ok "no server process"

# container PHASE SECONDS ALLOWED: cgload as alice inside a new mount
# namespace whose only view of cgfs is a bind mount of box.
container() {
	local phase=$1 secs=$2 allowed=$3
	setsid unshare --mount --propagation private -- sh -c \
		'mount --bind "$1" "$2" && exec setpriv --reuid="$3" --regid="$4" --clear-groups -- \
			"$5" -c 4 -t "$6" ${7:+-a "$7"} "$2"' \
		_ "$MNT/$ALICE/box" "$INNER" "${UID_OF[$ALICE]}" "${GID_OF[$ALICE]}" "$CGLOAD" \
		"$secs" "$allowed" >"$OUT.$phase" 2>&1 &
	CONTAINER=$!
	SPAWNED_GROUPS+=("$CONTAINER")
}

# container_done PHASE LABEL WHAT: the container's clients ended as WHAT
# says; prints (and bounds) the longest time one went without success.
container_done() {
	local phase=$1 label=$2 what=$3 rc gap
	wait "$CONTAINER"
	rc=$?
	cat "$OUT.$phase"
	assert_eq "container across the $label: $what" 0 "$rc"
	gap=$(sed -n 's/^cgload: .*maxgap_ms=\([0-9]*\).*/\1/p' "$OUT.$phase")
	echo "# $label: the mount was unavailable to a client for at most ${gap:-?} ms"
	[ -n "$gap" ] && [ "$gap" -lt 5000 ] && ok "$label: unavailable ${gap} ms (< 5 s)" ||
		not_ok "$label: unavailable ${gap:-?} ms"
}

# 1. kill -9 of the server in the middle of the container's work.
container kill 6 ECONNABORTED,EIO
sleep 2
kill -KILL "$S0"
S1=$(wait_server "$S0") && ok "a new server answers after kill -9 ($S1)" ||
	not_ok "no new server after kill -9"
container_done kill "kill -9" "only ECONNABORTED/EIO failures (requests the dead server had read)"

# 2. an upgrade: the binary on disk is replaced, SIGHUP; no error at all.
container upgrade 6 ""
sleep 2
cp "$CGFS" "$BIN.new" && mv -f "$BIN.new" "$BIN"
kill -HUP "$DAEMON"
S2=$(wait_server "$S1") && ok "a new server answers after the upgrade ($S2)" ||
	not_ok "no new server after the upgrade"
container_done upgrade "upgrade" "no failure at all"
exe=$(readlink "/proc/$DAEMON/exe")
assert_eq "the supervisor runs the new binary, same pid" "$BIN" "$exe"
assert_eq "the mount is still one mount" 1 "$(grep -c " $MNT fuse.cgfs " /proc/mounts)"
# The earlier image's notifier was killed at the execv: nothing of it
# may stay a zombie of the supervisor (it used to, until the next child
# event).
zombies() {
	local c
	for c in $(cat "/proc/$DAEMON/task/$DAEMON/children" 2>/dev/null); do
		[ "$(awk '{ print $3 }' "/proc/$c/stat" 2>/dev/null)" = Z ] && echo "$c"
	done
}
for i in $(seq 1 100); do [ -z "$(zombies)" ] && break; sleep 0.1; done
assert_eq "no zombie child of the supervisor after the upgrade" "" "$(zombies)"

# A configuration that does not load: SIGHUP keeps the running image.
S=$(server_pid)
cp "$RUN_CONF" "$CONF.good"
echo "this is not a configuration" >"$RUN_CONF"
kill -HUP "$DAEMON"
S=$(wait_server "$S") && ok "a bad configuration on SIGHUP: a new server of the old image" ||
	not_ok "no server after SIGHUP with a bad configuration"
grep -q "not re-executing: the configuration does not load" "$LOG" &&
	ok "the refused reload is logged" || not_ok "the refused reload is not logged"
assert_op "the mount works after the refused reload" OK "$XOP" read "$MNT/$ALICE/box/memory_limit_mb"
cp "$CONF.good" "$RUN_CONF"

# A new binary that refuses the command line or the configuration (as a
# later release might): SIGHUP keeps the running image, which the
# supervisor learns by running the new one with --check-config first.
S=$(server_pid)
cp "$BIN" "$BIN.real"
printf '#!/bin/sh\necho "new binary refusing: $*" >&2\nexit 2\n' >"$BIN.new" &&
	chmod 755 "$BIN.new" && mv -f "$BIN.new" "$BIN"
kill -HUP "$DAEMON"
S=$(wait_server "$S") && ok "a new binary that refuses: a new server of the old image" ||
	not_ok "no server after SIGHUP with a refusing binary"
grep -q "new binary refusing: --check-config .*$MNT" "$LOG" &&
	ok "the new binary was asked with --check-config and the same command line" ||
	not_ok "the new binary was not asked with --check-config"
grep -q "not re-executing: .* refuses this command line or the configuration" "$LOG" &&
	ok "the refused upgrade is logged" || not_ok "the refused upgrade is not logged"
assert_eq "the same supervisor runs its old image" "$BIN (deleted)" "$(readlink "/proc/$DAEMON/exe")"
assert_op "the mount works after the refused upgrade" OK "$XOP" read "$MNT/$ALICE/box/memory_limit_mb"
# A new binary that does not answer --check-config within 10 s is killed
# and refused the same way.
printf '#!/bin/sh\nexec sleep 120\n' >"$BIN.new" && chmod 755 "$BIN.new" && mv -f "$BIN.new" "$BIN"
S=$(server_pid)
kill -HUP "$DAEMON"
for i in $(seq 1 300); do
	grep -q "not re-executing: .*--check-config did not end within 10000 ms" "$LOG" && break
	sleep 0.1
done
grep -q "not re-executing: .*--check-config did not end within 10000 ms" "$LOG" &&
	ok "a new binary that hangs on --check-config is refused after 10 s, logged" ||
	not_ok "no refusal of a hanging new binary in the log"
S=$(wait_server "$S") && ok "... and a new server of the old image serves" ||
	not_ok "no server after SIGHUP with a hanging binary"
assert_eq "the same supervisor still runs its old image" "$BIN (deleted)" "$(readlink "/proc/$DAEMON/exe")"
assert_eq "the hanging check was killed" "" "$(pgrep -f "^sleep 120$" -P "$DAEMON")"
mv -f "$BIN.real" "$BIN"
# With the real binary back, SIGHUP upgrades again.
S=$(server_pid)
kill -HUP "$DAEMON"
S=$(wait_server "$S") && ok "SIGHUP with the real binary back: a new server" ||
	not_ok "no server after SIGHUP with the real binary back"
assert_eq "... from the binary on disk, same pid" "$BIN" "$(readlink "/proc/$DAEMON/exe")"

# A reload brings existing trees' roots up to cgfs.conf's caps (mkdir
# writes them only on a new tree).
before=$(cat "$MNT/$ALICE/pids_max")
cp "$RUN_CONF" "$CONF.good"
printf '[user %s]\npids_max = 77\n' "$ALICE" >>"$RUN_CONF"
S=$(server_pid)
kill -HUP "$DAEMON"
S=$(wait_server "$S") && ok "SIGHUP with a new cap: a new server" || not_ok "no server after SIGHUP"
assert_eq "a reload writes a new cap to an existing tree's root (was $before)" "77 77" \
	"$(cat "$MNT/$ALICE/pids_max") $(cat "$(real pids "$ALICE" pids.max)")"
grep -q "cgfs.conf's caps written to 1 tree" "$LOG" && ok "... and says so in the log" ||
	not_ok "the log does not say the caps were written"
# So does the server a crash restarts: a value root wrote by hand at the
# tree root lasts until then (cgfs.conf(5)).
echo 55 >"$(real pids "$ALICE" pids.max)"
S=$(server_pid)
kill -KILL "$S"
S=$(wait_server "$S") && ok "a new server after kill -9" || not_ok "no new server after kill -9"
assert_eq "the server a crash restarted writes the cap again over root's hand-written 55" "77 77" \
	"$(cat "$MNT/$ALICE/pids_max") $(cat "$(real pids "$ALICE" pids.max)")"
cp "$CONF.good" "$RUN_CONF"

# 3. a request made while the server cannot run waits and is answered by
# the next server (it was never read by the dead one).
S=$(server_pid)
kill -STOP "$S"
# Every thread stopped, none left in read(2) to take the request.
for i in $(seq 1 100); do
	[ "$(grep -L '^State:.*T' /proc/"$S"/task/*/status 2>/dev/null)" = "" ] && break
	sleep 0.02
done
sleep 0.2
as "$ALICE" "$XOP" read "$MNT/$ALICE/box/memory_limit_mb" >"$OUT.q" 2>&1 &
Q=$!
SPAWNED+=("$Q")
sleep 0.5
kill -0 "$Q" 2>/dev/null && ok "a read waits while the server is stopped" ||
	not_ok "the read did not wait: $(cat "$OUT.q")"
kill -KILL "$S"
S3=$(wait_server "$S") || not_ok "no new server after the stopped one was killed"
for i in $(seq 1 100); do kill -0 "$Q" 2>/dev/null || break; sleep 0.05; done
assert_eq "the waiting read is answered by the next server" "OK 200" "$(tr '\n' ' ' <"$OUT.q" | sed 's/ $//')"

# 4. files opened before a restart still read, directories still list.
exec 3<"$MNT/$ALICE/box/memory_limit_mb"
S=$(server_pid)
kill -KILL "$S"
wait_server "$S" >/dev/null || not_ok "no new server"
v=$(cat <&3)
assert_eq "a file opened before the restart reads after it" 200 "$v"
exec 3<&-
assert_eq "listing after restarts" "yes" \
	"$(ls "$MNT/$ALICE/box" | grep -qx memory_limit_mb && echo yes)"
assert_op "rmdir box after restarts" OK as "$ALICE" "$XOP" rmdir "$MNT/$ALICE/box"
grep -q "server died of signal 9" "$LOG" && ok "the supervisor logged the crash" ||
	not_ok "no crash in the log"

# 5. The pool: as many workers as max_threads says (1 with -s), of which
# one at a time reads the device while callers come one after another
# (src/serve.c: the others wait for their turn, so a request wakes no cold
# thread); max_idle_threads and clone_fd are taken and change nothing.
# Requests seen in parallel (as at mount time) let every worker read for
# 5 ms; those left waiting on the device then take one sequential request
# each and go back to waiting for the turn, so a caller doing one thing
# after another brings the reading back to one worker.
readers() {
	local t n=0
	for t in /proc/"$1"/task/*; do
		[ "$(cat "$t/wchan" 2>/dev/null)" = fuse_dev_do_read ] && n=$((n + 1))
	done
	echo "$n"
}
workers() {
	grep -lx cgfs-worker /proc/"$1"/task/*/comm 2>/dev/null | wc -l
}
pool() { # pool WANT [OPTION...]: $POOL workers and $READERS readers once it answers
	local want=$1 s i
	shift
	POOL= READERS=
	stop_cgfs
	start_cgfs "$@" || return
	s=$(server_pid)
	settle "$s" "$want"
	POOL=$(workers "$s")
}
settle() { # settle PID WANT: sequential requests until WANT workers, one reading ($READERS)
	local i
	for i in $(seq 1 100); do
		"$XOP" read "$MNT/$ALICE/procs" >/dev/null
		sleep 0.01
		READERS=$(readers "$1")
		[ "$(workers "$1")" -ge "$2" ] && [ "$READERS" = 1 ] && break
	done
}
pool 10
assert_eq "the default pool: 10 workers" 10 "$POOL"
assert_eq "...one of which waits on the device when idle" 1 "$READERS"
pool 3 -o max_threads=3,max_idle_threads=1,clone_fd
assert_eq "max_threads=3 (max_idle_threads=1, clone_fd taken): 3 workers" 3 "$POOL"
assert_eq "...one reads" 1 "$READERS"
pool 1 -s
assert_eq "-s: one worker" 1 "$POOL"
assert_eq "...which reads" 1 "$READERS"
assert_op "...and serves" OK "$XOP" read "$MNT/$ALICE/procs"
pool 10
# Parallel callers through cgfs are all served (a slow request handing
# the reading on: tests/integration/serve.sh).
for i in 1 2 3 4; do
	( for j in $(seq 1 100); do "$XOP" read "$MNT/$ALICE/procs" >/dev/null || exit 1; done ) &
	SPAWNED+=($!)
done
# Seen in parallel, they are read by several workers at once (one at a
# time holds the turn otherwise): the most seen waiting on the device.
s=$(server_pid) most=0
while kill -0 "${SPAWNED[@]: -4}" 2>/dev/null; do
	n=$(readers "$s")
	[ "$n" -gt "$most" ] && most=$n
done
fails=0
for p in "${SPAWNED[@]: -4}"; do wait "$p" || fails=$((fails + 1)); done
assert_eq "4 parallel readers are all answered" 0 "$fails"
[ "$most" -ge 2 ] && ok "...with up to $most workers reading the device at once" ||
	not_ok "parallel callers were read by $most worker(s) at a time"
settle "$(server_pid)" 10
assert_eq "...and callers one after another bring the reading back to one worker" 1 "$READERS"
# spin_us: how long the reader polls; 0 sleeps at once and still serves.
pool 10 -o spin_us=0
assert_eq "spin_us=0: 10 workers" 10 "$POOL"
assert_op "...which serve" OK "$XOP" read "$MNT/$ALICE/procs"
stop_cgfs
for bad in bogus 1001 -1 5x ""; do
	out=$("$CGFS" -f -o "base=/$BASE,spin_us=$bad" "$MNT" 2>&1)
	rc=$?
	[ "$rc" = 2 ] && grep -q "spin_us=$bad: expected microseconds, 0 to 1000" <<<"$out" &&
		! grep -q " $MNT fuse" /proc/mounts && ok "spin_us='$bad' refused (status 2, nothing mounted)" ||
		not_ok "spin_us='$bad': status $rc, output: $out"
done
start_cgfs || exit 1

# 6. Servers that cannot start: the supervisor starts them again with a
# back-off (50 ms doubling to 2 s) and gives up after 20 in a row that
# never answered. Made real in a mount namespace of the daemon's own, where
# /dev/fuse is /dev/null once it has mounted: a new server cannot clone the
# device (nothing outside that namespace sees it).
stop_cgfs
answers=$(grep -c 'server [0-9]* answers' "$LOG")
unshare -m --propagation private "$CGFS" -f -o "base=/$BASE" "$MNT" >>"$LOG" 2>&1 &
DAEMON=$!
for i in $(seq 1 200); do
	[ "$(grep -c 'server [0-9]* answers' "$LOG")" -gt "$answers" ] && break
	sleep 0.05
done
S=$(server_pid)
if [ -n "$S" ] && nsenter -t "$DAEMON" -m mount --bind /dev/null /dev/fuse; then
	failed=$(grep -c 'cannot clone the FUSE device' "$LOG")
	t0=$(date +%s%N)
	kill -KILL "$S"
	for i in $(seq 1 1200); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.05; done
	t=$((($(date +%s%N) - t0) / 1000000))
	wait "$DAEMON"
	rc=$?
	DAEMON=
	assert_eq "servers that cannot start: the supervisor gives up (status 1)" 1 "$rc"
	grep -q '20 servers in a row never answered: giving up' "$LOG" && ok "...and says why" ||
		not_ok "no give-up line in the log"
	assert_eq "...after 20 servers that failed" 20 \
		"$(($(grep -c 'cannot clone the FUSE device' "$LOG") - failed))"
	echo "# 20 failed servers took $t ms (back-off: about 29 s)"
	[ "$t" -ge 20000 ] && [ "$t" -lt 60000 ] && ok "...started with a back-off" ||
		not_ok "20 failed servers in $t ms: no back-off"
else
	not_ok "could not set up the namespace for servers that cannot start"
fi
