# SPDX-License-Identifier: MIT
# Shared set-up for the integration tests: a private base cgroup, a private
# mount point, assertions, and a cleanup trap that removes everything this
# run made (and only that), even when a test fails.
#
# Usage: source lib.sh CGFS_BINARY XOP_BINARY

set -u
CGFS=${1:?cgfs binary}
XOP=${2:?xop binary}
T_PASS=0
T_FAIL=0
BASE=cgfs-test-$$
MNT=$(mktemp -d /tmp/cgfs-mnt.XXXXXX)
LOG=$(mktemp /tmp/cgfs-log.XXXXXX)
CONF=$(mktemp /tmp/cgfs-conf.XXXXXX)
DAEMON=
SPAWNED=()
SPAWNED_GROUPS=() # process groups (setsid) this run started: killed whole
CGLOAD=$(dirname "$XOP")/cgload
HELPERS=
# Test users run the helpers (xop, cgload, adversary). From a checkout
# they cannot reach (a clone in /root, which is 0700 on Debian) every such
# step would fail with EACCES and look like cgfs refusing it: run copies
# from a directory they can reach instead, and say so.
if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$XOP" 2>/dev/null; then
	HELPERS=$(mktemp -d /tmp/cgfs-bin.XXXXXX) && chmod 755 "$HELPERS" || exit 1
	for b in xop cgload adversary; do
		[ -f "$(dirname "$XOP")/$b" ] && cp "$(dirname "$XOP")/$b" "$HELPERS/"
	done
	echo "# $(dirname "$XOP") is out of other users' reach: the test users run copies in $HELPERS"
	XOP=$HELPERS/xop
	CGLOAD=$HELPERS/cgload
fi
ALICE=cgfs-alice
BOB=cgfs-bob
CAROL=cgfs-carol

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }

# assert_eq DESC EXPECTED ACTUAL
assert_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}

# assert_op DESC EXPECTED_OUTCOME CMD...: runs xop-style CMD, compares the
# first line it prints (OK or an errno name).
assert_op() {
	local desc=$1 want=$2 got
	shift 2
	got=$("$@" 2>&1 | head -n 1)
	assert_eq "$desc" "$want" "$got"
}

# attack DESC ERRNO CMD...: CMD fails with ERRNO (as assert_op) and
# changes nothing (snapshot); what changed is shown when it did.
attack() {
	local desc=$1 want=$2 before after
	shift 2
	before=$(snapshot_text)
	assert_op "$desc" "$want" "$@"
	after=$(snapshot_text)
	if [ "$before" = "$after" ]; then
		ok "$desc: nothing changed"
	else
		not_ok "$desc: nothing changed"
		# (No process substitution: the v2 guest has no /dev/fd.)
		echo "$before" >"$RUN_CONF.before"
		echo "$after" | diff "$RUN_CONF.before" - | head -n 10
		rm -f "$RUN_CONF.before"
	fi
}

# wait_until SECS CMD...: runs CMD every 50 ms until it succeeds (true) or
# SECS seconds of wall clock have passed (false). WAITED is then how long
# it took, in seconds to the hundredth (0.31), for the test to print: a
# check with a hard bound loose enough for a loaded machine still shows
# how soon the thing happened.
wait_until() {
	local us=$(($1 * 1000000)) t0=${EPOCHREALTIME/[.,]/} d rc
	shift
	while :; do
		"$@"
		rc=$?
		d=$((${EPOCHREALTIME/[.,]/} - t0))
		[ "$rc" = 0 ] || [ "$d" -ge "$us" ] && break
		sleep 0.05
	done
	WAITED=$(printf '%d.%02d' $((d / 1000000)) $((d % 1000000 / 10000)))
	return "$rc"
}

# Test users' ids, looked up once (ensure_users): every "as" and "spawn"
# would otherwise run id twice, which costs seconds per test in a guest.
declare -A UID_OF=() GID_OF=()

# as USER CMD...: run CMD with USER's real and effective ids.
as() {
	local u=$1
	shift
	setpriv --reuid="${UID_OF[$u]:-$(id -u "$u")}" --regid="${GID_OF[$u]:-$(id -g "$u")}" \
		--clear-groups -- "$@"
}

ensure_users() {
	local u
	for u in "$ALICE" "$BOB" "$CAROL"; do
		id -u "$u" >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin "$u"
		UID_OF[$u]=$(id -u "$u")
		GID_OF[$u]=$(id -g "$u")
	done
}

# Mount points of the cgroup hierarchies, from mountinfo (never hard-coded).
cg_mounts() {
	awk '{ for (i = 7; $i != "-"; i++); if ($(i+1) == "cgroup" || $(i+1) == "cgroup2") print $5 }' \
		/proc/self/mountinfo
}

v2_mount() {
	[ -n "$V2_MOUNT" ] && echo "$V2_MOUNT"
}

# cg_mount CTRL: the mount serving a controller (v1 name: memory, cpu,
# cpuacct, cpuset, blkio, pids, freezer), v1 first, as cgfs chooses.
# Mounts do not change during a run: find_mounts fills CG_MOUNT once.
cg_mount() {
	[ -n "${CG_MOUNT[$1]:-}" ] && echo "${CG_MOUNT[$1]}"
}

CTRLS="cpu cpuacct cpuset memory blkio pids freezer"
declare -A CG_MOUNT=()
V2_MOUNT=
SERVING=
find_mounts() {
	local c m
	V2_MOUNT=$(awk '{ for (i = 7; $i != "-"; i++); if ($(i+1) == "cgroup2") { print $5; exit } }' \
		/proc/self/mountinfo)
	for c in $CTRLS; do
		m=$(awk -v c="$c" '{ for (i = 7; $i != "-"; i++);
			if ($(i+1) != "cgroup") next
			n = split($(i+3), o, ","); for (j = 1; j <= n; j++) if (o[j] == c) { print $5; exit } }' \
			/proc/self/mountinfo)
		if [ -z "$m" ] && [ -n "$V2_MOUNT" ]; then
			case $c in
			freezer|cpuacct) m=$V2_MOUNT ;;
			blkio) grep -qw io "$V2_MOUNT/cgroup.controllers" && m=$V2_MOUNT ;;
			*) grep -qw "$c" "$V2_MOUNT/cgroup.controllers" && m=$V2_MOUNT ;;
			esac
		fi
		CG_MOUNT[$c]=$m
	done
	SERVING=$(for c in $CTRLS; do cg_mount "$c"; done | sort -u)
}

# cg_version CTRL: 1 or 2
cg_version() {
	local m
	m=$(cg_mount "$1") || return 1
	if [ "$m" = "$(v2_mount)" ]; then echo 2; else echo 1; fi
}

# real CTRL GROUP FILE: path of a real interface file of a group.
real() { echo "$(cg_mount "$1")/$BASE/$2/$3"; }

# The hierarchies cgfs serves (each mount serving one of our controllers).
serving_mounts() {
	echo "$SERVING"
}

# snapshot: a digest of every cgroup directory of this run and of every
# setting file in them (the files behind writable knobs, procs, caps), in
# every hierarchy: equal digests mean a refused request changed nothing.
SETTINGS='memory.limit_in_bytes memory.soft_limit_in_bytes memory.memsw.limit_in_bytes
memory.max memory.high memory.swap.max memory.low memory.min memory.zswap.max cpu.cfs_quota_us
cpu.cfs_period_us cpu.cfs_burst_us cpu.shares cpu.max cpu.max.burst
cpu.weight cpuset.cpus cpuset.mems pids.max blkio.bfq.weight blkio.weight io.weight
io.bfq.weight io.max blkio.throttle.read_bps_device blkio.throttle.write_bps_device
blkio.throttle.read_iops_device blkio.throttle.write_iops_device freezer.state cgroup.freeze cgroup.procs cgroup.subtree_control
cgroup.max.descendants cgroup.max.depth'
snapshot() {
	snapshot_text | md5sum
}
# (Walked by xop relative to each directory above: a tree can be deeper
# than any path can name.)
snapshot_text() {
	local mp
	for mp in $(serving_mounts); do
		[ -d "$mp/$BASE" ] || continue
		echo "$mp:"
		# shellcheck disable=SC2086
		"$XOP" tree "$mp/$BASE" $SETTINGS | LC_ALL=C sort
	done
}

# Admission (cgfs.conf's admit): a process enters a tree only from inside
# it or from an admission point. The processes a test spawns live where
# the test runs, which on a test machine is often a cgroup of its own
# supervisor (not the top, not a login session): the configuration a test
# starts cgfs with declares those cgroups too, next to cgfs's defaults,
# unless the test sets admit itself. RUN_CONF is that configuration.
ADMIT_DEFAULT='/ /user.slice /user.slice/user-%U.slice
/user.slice/user-%U.slice/session-*.scope /user.slice/user-%U.slice/user@%U.service/**'
RUN_CONF=$(mktemp /tmp/cgfs-runconf.XXXXXX)
admit_lines() {
	local l
	while read -r l; do echo "admit = $l"; done <<<"$ADMIT_DEFAULT"
	awk -F: '{ print $3 }' /proc/self/cgroup | sort -u | grep -v '^/$' | grep -v '/\.\.' |
		sed 's/^/admit = /'
}
# run_conf FILE|"": writes RUN_CONF from FILE (or nothing) with the
# admission points added.
run_conf() {
	local src=$1
	if [ -n "$src" ] && grep -Eq '^[[:space:]]*admit[[:space:]]*=' "$src"; then
		cp "$src" "$RUN_CONF"
	elif [ -n "$src" ] && grep -Eq '^[[:space:]]*\[defaults\]' "$src"; then
		awk -v add="$(admit_lines)" '{ print } /^[[:space:]]*\[defaults\]/ && !done { print add; done = 1 }' \
			"$src" >"$RUN_CONF"
	else
		{ echo "[defaults]"; admit_lines; [ -n "$src" ] && cat "$src"; } >"$RUN_CONF"
	fi
}

start_cgfs() {
	local args=() a conf=
	for a in "$@"; do
		case $a in *config=*) conf=${a#*config=}; conf=${conf%%,*} ;; esac
	done
	run_conf "$conf"
	for a in "$@"; do
		[ -n "$conf" ] && a=${a/config=$conf/config=$RUN_CONF}
		args+=("$a")
	done
	[ -n "$conf" ] || args+=(-o "config=$RUN_CONF")
	"$CGFS" -f -o "base=/$BASE" "${args[@]}" "$MNT" >>"$LOG" 2>&1 &
	DAEMON=$!
	wait_mounted cgfs
}

# wait_mounted WHO: waits (10 s at most) until $DAEMON has mounted cgfs on
# $MNT; if it ends or times out first, prints "WHO did not mount" and $LOG.
wait_mounted() {
	local i
	for i in $(seq 1 200); do
		grep -q " $MNT fuse.cgfs " /proc/mounts && return 0
		kill -0 "$DAEMON" 2>/dev/null || break
		sleep 0.05
	done
	echo "$1 did not mount; its log:"
	cat "$LOG"
	return 1
}

# v2_serves: true when cgroup2 is one of the hierarchies cgfs serves.
v2_serves() {
	[ -n "$V2_MOUNT" ] && grep -qx "$V2_MOUNT" <<<"$SERVING"
}

# start_outside: the start of the tests that change the real hierarchies
# behind cgfs's back. Sets PRIMARY, cgfs's primary hierarchy (the one
# that gives a group its identity and its listing): cgroup2 when it
# serves, else the freezer's. Starts cgfs with $CONF, and root makes
# alice's tree.
start_outside() {
	if v2_serves; then
		PRIMARY=$V2_MOUNT
	else
		PRIMARY=$(cg_mount freezer)
	fi
	start_cgfs -o "config=$CONF" || return 1
	assert_op "root makes alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
}

# server_pid: the server process the supervisor ($DAEMON) runs now.
# (Its other child, "cgfs-notify", passes invalidations to the kernel.)
server_pid() {
	local c
	for c in $(cat "/proc/$DAEMON/task/$DAEMON/children" 2>/dev/null); do
		[ "$(cat "/proc/$c/comm" 2>/dev/null)" = cgfs-notify ] && continue
		echo "$c"
		return
	done
}

# wait_server OLD: waits (10 s at most) until a server other than OLD
# answers through the mount; prints its pid.
wait_server() {
	local old=$1 i s
	for i in $(seq 1 400); do
		s=$(server_pid)
		if [ -n "$s" ] && [ "$s" != "$old" ] && grep -q "server $s answers" "$LOG"; then
			echo "$s"
			return 0
		fi
		sleep 0.025
	done
	return 1
}

stop_cgfs() {
	if grep -q " $MNT fuse.cgfs " /proc/mounts; then
		fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"
	fi
	# Unmounted, the daemon ends its loop and exits 0; anything else (an
	# abort on the way out, a crash earlier) is a failure of the run.
	if [ -n "$DAEMON" ]; then
		wait "$DAEMON" 2>/dev/null
		local rc=$?
		[ "$rc" = 0 ] || not_ok "the daemon exited with status $rc"
		DAEMON=
	fi
}

# spawn [USER]: starts a sleep (as USER if given), records its pid in
# SPAWNED and in $SPAWN.
spawn() {
	# Started directly (not through a function) so that $! is the sleep.
	if [ $# -gt 0 ]; then
		setpriv --reuid="$(id -u "$1")" --regid="$(id -g "$1")" --clear-groups \
			-- sleep 1000 >/dev/null 2>&1 &
	else
		sleep 1000 >/dev/null 2>&1 &
	fi
	SPAWN=$!
	SPAWNED+=("$SPAWN")
	# Wait until it runs as sleep with its final ids (setpriv execs it).
	local i
	for i in $(seq 1 3000); do
		[ "$(cat "/proc/$SPAWN/comm" 2>/dev/null)" = sleep ] && break
		sleep 0.01
	done
}

# pid_cgroup PID MOUNT: the process's cgroup path in that hierarchy.
pid_cgroup() {
	local pid=$1 mp=$2 line opts
	if [ "$mp" = "$(v2_mount)" ]; then
		sed -n 's/^0:://p' "/proc/$pid/cgroup"
		return
	fi
	opts=$(awk -v m="$mp" '{ for (i = 7; $i != "-"; i++); if ($5 == m) print $(i+3) }' /proc/self/mountinfo)
	while IFS=: read -r _ ctrls path; do
		case ",$opts," in *",${ctrls%%,*},"*) [ -n "$ctrls" ] && echo "$path" ;; esac
	done <"/proc/$pid/cgroup"
}

wait_dead() {
	local i
	for i in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || return 0
		# a killed child of ours stays a zombie until reaped
		[ "$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)" = Z ] && return 0
		sleep 0.05
	done
	return 1
}
# sanitizer_report LOG: true if LOG holds a sanitizer report cgfs must
# answer for. One kind is libfuse's own and is let through: a leak whose
# every frame is in libfuse3 (a request struct, 128 bytes). libfuse queues
# a FUSE_INTERRUPT whose request was answered just before it arrived (a
# caller killed while waiting) until a later request takes it off, and
# does not free that queue when the session ends; whether one is left at
# exit depends on timing alone. A leak with any frame of cgfs's, and every
# other report, counts.
sanitizer_report() {
	awk '
		/SUMMARY: AddressSanitizer: [0-9]+ byte\(s\) leaked/ { next }
		/ERROR: LeakSanitizer/ { leak = 1; next }
		/AddressSanitizer|runtime error:/ { bad = 1 }
		leak && /^(Direct|Indirect) leak/ { blk = 1; theirs = 1; next }
		leak && blk && /^ *#[0-9]+ / {
			if ($1 != "#0" && $0 !~ /libfuse3\.so/) theirs = 0
			next
		}
		leak && blk { if (!theirs) bad = 1; blk = 0 }
		END { if (blk && !theirs) bad = 1; exit !bad }
	' "$1"
}


cleanup() {
	local rc=$? p mp left=
	set +e
	for p in "${SPAWNED[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${SPAWNED_GROUPS[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done
	# A test's own clean-up (temporary files, its own mounts), if it has one.
	declare -F test_cleanup >/dev/null && test_cleanup
	for mp in $(cg_mounts); do
		[ -d "$mp/$BASE" ] || continue
		# One shell for many files: a tree can hold thousands of groups.
		find "$mp/$BASE" -name freezer.state \
			-exec sh -c 'for f; do echo THAWED > "$f"; done' _ {} + 2>/dev/null
		[ -f "$mp/$BASE/cgroup.freeze" ] && find "$mp/$BASE" -name cgroup.freeze \
			-exec sh -c 'for f; do echo 0 > "$f"; done' _ {} + 2>/dev/null
	done
	for p in "${SPAWNED[@]}"; do wait "$p" 2>/dev/null; done
	stop_cgfs
	if sanitizer_report "$LOG"; then
		not_ok "sanitizer report in the daemon's log"
		cp "$LOG" /tmp/cgfs-sanitizer-$$.log
	fi
	for mp in $(cg_mounts); do
		[ -d "$mp/$BASE" ] || continue
		for i in 1 2 3 4 5; do
			# -delete removes relative to its parent (a chain of groups can
			# be far deeper than PATH_MAX, which "rmdir PATH" cannot name).
			find "$mp/$BASE" -depth -type d -delete 2>/dev/null
			[ -d "$mp/$BASE" ] || break
			sleep 0.2
		done
	done
	for mp in $(cg_mounts); do
		[ -d "$mp/$BASE" ] && left="$left $mp/$BASE"
	done
	if [ -n "$left" ]; then
		not_ok "cleanup: cgroups left behind:$left"
	else
		ok "cleanup: no cgroup of this run is left"
	fi
	if grep -q " $MNT " /proc/mounts; then not_ok "cleanup: mount $MNT left"; fi
	rmdir "$MNT" 2>/dev/null
	if [ "$T_FAIL" -gt 0 ] || [ "$rc" -ne 0 ]; then
		echo "--- cgfs log ---"
		tail -n 50 "$LOG"
	fi
	grep -q "Abort\|abort\|double free\|corrupt" "$LOG" && { echo "--- log with abort"; cat "$LOG"; }
	rm -f "$LOG" "$CONF" "$RUN_CONF"
	[ -n "$HELPERS" ] && rm -rf "$HELPERS"
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ] && [ "$rc" -eq 0 ] && exit 0
	exit 1
}

trap cleanup EXIT
trap 'exit 130' INT TERM
ensure_users
find_mounts
