#!/bin/bash
# SPDX-License-Identifier: MIT
# Real container runtimes put a container in a group in one step: podman
# (with runc) through the shipped OCI hook and its hooks.d entry, LXC
# through the hook's start-host line and the shipped snippet's mount
# entries, bubblewrap through cgfs-run. Root file systems are made here
# from busybox-static. Inside each container: the group's view over /proc
# (free, nproc, cpuinfo, stat, uptime, loadavg), every knob read with
# busybox's cat, the group's procs, the pids and memory limits biting;
# outside: the container's init in the group in every hierarchy. podman
# exec and lxc-attach land in the runtime's own cgroup, and the one line
# the documentation gives moves them in. The hook is attacked: .., an
# absolute path, a symlink, a directory that is not cgfs's mount,
# another user's group, bad pids, oversized or broken JSON; each fails
# with a message and changes nothing, through podman too.
# A runtime the host cannot run is skipped loudly and counted.
# Usage: runtimes.sh CGFS XOP (cgfs-oci-hook and cgfs-run are next to CGFS)
. "$(dirname "$0")/../lib/lib.sh"

HOOK=$(dirname "$CGFS")/cgfs-oci-hook
RUN=$(dirname "$CGFS")/cgfs-run
SRC=$(cd "$(dirname "$0")/../.." && pwd)
INSIDE=$(dirname "$0")/../lib/runtime-inside.sh
[ -x "$HOOK" ] || { not_ok "no cgfs-oci-hook next to $CGFS"; exit 1; }
WORK=$(mktemp -d /tmp/cgfs-rt.XXXXXX)
chmod 755 "$WORK"
NAME=cgfs-rt-$$
SKIPPED=()
PODMAN_USED=
LXC_USED=
BW_PID=
NS_PID=

skip() {
	SKIPPED+=("$1")
	echo "SKIP $1: $2"
}

# The runtimes' own cgroups at the top of each hierarchy (podman's
# cgroupfs manager: libpod_parent; LXC: lxc.payload.*, lxc.monitor.*,
# lxc.pivot; systemd-nspawn --keep-unit, where it runs at the top of a
# hierarchy cgfs does not serve: payload, supervisor), as they were
# before: the clean-up removes only new ones, and only empty.
runtime_cgroups() {
	local mp
	for mp in $(cg_mounts); do
		ls -d "$mp"/libpod_parent "$mp"/lxc.payload.* "$mp"/lxc.monitor.* "$mp"/lxc.pivot \
			"$mp"/payload "$mp"/supervisor 2>/dev/null
	done | sort
}
# (Files, not <(...): the v2 guest has no /dev/fd.)
RT_BEFORE=$WORK/rt-before
runtime_cgroups >"$RT_BEFORE"
# rt_new: the runtimes' cgroups that were not there before.
rt_new() { runtime_cgroups | grep -vxF -f "$RT_BEFORE"; }

test_cleanup() {
	local d p busy
	if [ -n "$PODMAN_USED" ]; then
		podman rm -f -t 0 "$NAME" >/dev/null 2>&1
		podman rm -f -t 0 "$NAME-bad" >/dev/null 2>&1
	fi
	if [ -n "$LXC_USED" ]; then
		lxc-stop -P "$WORK/lxc" -n "$NAME" -k >/dev/null 2>&1
		lxc-destroy -P "$WORK/lxc" -n "$NAME" >/dev/null 2>&1
	fi
	[ -n "$BW_PID" ] && kill -KILL "$BW_PID" 2>/dev/null
	[ -n "$NS_PID" ] && kill -KILL "$NS_PID" 2>/dev/null && wait "$NS_PID" 2>/dev/null
	# Rootless podman's pause process, this run's (its HOME is ours).
	for p in $(pgrep -u "$ALICE" -x catatonit); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "HOME=$WORK/rootless" &&
			kill "$p"
	done
	# The runtimes' cgroups this run made, once no process is in them.
	for d in $(rt_new); do
		busy=$(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | head -n 1)
		if [ -n "$busy" ]; then
			echo "# left $d: process $busy is in it"
			continue
		fi
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$d" ] && echo "# could not remove $d"
	done
	[ -n "$PODMAN_USED" ] && podman container exists "$NAME" 2>/dev/null &&
		not_ok "cleanup: podman container $NAME left"
	p=$(rt_new | tr '\n' ' ')
	[ -z "$p" ] && ok "cleanup: no runtime cgroup of this run is left" ||
		not_ok "cleanup: runtime cgroups left: $p"
	rm -rf "$WORK"
	echo "# ${#SKIPPED[@]} runtime(s) skipped${SKIPPED[*]:+: ${SKIPPED[*]}}"
}

# val FILE KEY: the value of "KEY value" in a report
val() { sed -n "s/^$2 //p" "$1" | head -n 1; }

# in_group PID GROUP: whether PID is in GROUP's leaf in every hierarchy
in_group() {
	local mp
	for mp in $(serving_mounts); do
		[ "$(pid_cgroup "$1" "$mp")" = "/$BASE/$ALICE/$2/.self" ] || return 1
	done
}

# A root file system: busybox-static and its applet links.
# (busybox-static: tools/deps.sh test; the v2 guest has it in /bb.)
BB=$(type -P busybox || echo /bb/busybox)
ROOTFS=$WORK/rootfs
make_rootfs() {
	local d=$1 a
	mkdir -p "$d"/bin "$d"/proc "$d"/sys/devices/system/cpu "$d"/dev "$d"/tmp "$d"/etc \
		"$d"/out "$d"/run/cgfs-group "$d"/usr
	: >"$d"/sys/devices/system/cpu/online
	# (systemd-nspawn wants /usr and an os-release to call it an OS tree.)
	echo "ID=cgfs-test" >"$d"/etc/os-release
	cp "$BB" "$d"/bin/busybox
	for a in $("$BB" --list); do [ -e "$d/bin/$a" ] || ln -s busybox "$d/bin/$a"; done
	cp "$INSIDE" "$d"/inside.sh
	chmod -R a+rX "$d"
}

# The view's files and where each is bound (cgfs(5), PROC AND SYS FILES).
VIEW="proc/cpuinfo proc/meminfo proc/stat proc/uptime proc/loadavg proc/diskstats
sys/devices/system/cpu/online"

# prepare KIND GROUP: a fresh /out for a container on GROUP, with the
# list of the group's readable knobs.
prepare() {
	local out=$WORK/out-$1 g=$MNT/$ALICE/$2
	rm -rf "$out"
	mkdir -p "$out"
	chown "$ALICE" "$out"
	ls -l "$g" | awk '$1 ~ /^-r/ { print $NF }' >"$out/knobs"
	[ -s "$out/knobs" ] || not_ok "$1: no readable knob listed in $g"
}

# wait_report KIND [PID]: waits (90 s at most) for the container's
# report, or until PID, the runtime, has ended without one.
wait_report() {
	local i
	for i in $(seq 1 900); do
		grep -q '^done' "$WORK/out-$1/report" 2>/dev/null && return 0
		[ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null && break
		sleep 0.1
	done
	not_ok "$1: the container did not report (what it wrote: $([ -f "$WORK/out-$1/report" ] &&
		tr '\n' '|' <"$WORK/out-$1/report"))"
	return 1
}

# check_inside KIND GROUP CPUS NPROC: asserts what the container saw.
check_inside() {
	local k=$1 g=$2 cpus=$3 nproc=$4 r=$WORK/out-$1/report up hostup la
	assert_eq "$k: /proc/meminfo (free) shows the group's 64 MiB" 65536 "$(val "$r" free)"
	assert_eq "$k: nproc" "$nproc" "$(val "$r" nproc)"
	assert_eq "$k: /proc/cpuinfo has the group's CPUs" "$cpus" "$(val "$r" cpuinfo)"
	assert_eq "$k: /proc/stat has the group's CPUs" "$cpus" "$(val "$r" stat)"
	up=$(val "$r" uptime)
	hostup=$(cut -d ' ' -f 1 /proc/uptime)
	if awk -v u="$up" -v h="$hostup" 'BEGIN { exit !(u != "" && u + 0 < h + 0 && u + 0 < 600) }'; then
		ok "$k: /proc/uptime is the group's ($up s, the host's $hostup s)"
	else
		not_ok "$k: /proc/uptime reads '$up' (the host's: $hostup)"
	fi
	la=$(val "$r" loadavg)
	if [[ "$la" =~ ^[0-9]+\.[0-9]{2}\ [0-9]+\.[0-9]{2}\ [0-9]+\.[0-9]{2}\ [0-9]+/([0-9]+)\ [0-9]+$ ]] &&
		[ "${BASH_REMATCH[1]}" -le 30 ]; then
		ok "$k: /proc/loadavg is the group's ($la)"
	else
		not_ok "$k: /proc/loadavg reads '$la'"
	fi
	assert_eq "$k: /sys/devices/system/cpu/online is the group's" \
		"$(cat "$MNT/$ALICE/$g/sys/devices/system/cpu/online")" "$(val "$r" online)"
	if [ -e "$MNT/$ALICE/$g/proc/diskstats" ]; then
		assert_eq "$k: /proc/diskstats is the group's view" fuse.cgfs "$(val "$r" diskstats_fs)"
	else
		echo "# SKIP $k: /proc/diskstats: the group has none (no I/O controller served)"
	fi
	assert_eq "$k: busybox cat reads every knob" "$(wc -l <"$WORK/out-$k/knobs")" \
		"$(val "$r" knobs_read)"
	assert_eq "$k: no knob failed" "" "$(sed -n 's/^knobs_bad//p' "$r")"
	case " $(val "$r" procs) " in
	*" $(val "$r" self) "*) ok "$k: the group's procs inside list the script ($(val "$r" procs))" ;;
	*) not_ok "$k: procs inside '$(val "$r" procs)' lack the script $(val "$r" self)" ;;
	esac
	local sl
	sl=$(val "$r" sleeps)
	if [ -n "$sl" ] && [ "$sl" -ge 1 ] && [ "$sl" -lt 20 ]; then
		ok "$k: pids_max 20 bites: $sl of 30 sleeps started"
	else
		not_ok "$k: pids_max 20: '$sl' of 30 sleeps started"
	fi
	assert_eq "$k: the sleeps are gone again" 0 "$(val "$r" sleeps_left)"
	# (Killed by the kernel's OOM killer, or ash's own "out of memory",
	# status 2, when its allocation fails first.)
	if [ "$(val "$r" mem_rc)" -ne 0 ] 2>/dev/null && [[ "$(val "$r" mem_out)" != *alive* ]]; then
		ok "$k: the memory limit bites (status $(val "$r" mem_rc) $(val "$r" mem_out))"
	else
		not_ok "$k: 200 MB in a 64 MiB group: status '$(val "$r" mem_rc)', '$(val "$r" mem_out)'"
	fi
}

start_cgfs || exit 1
assert_op "root makes alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
if ! [ -x "$BB" ]; then
	not_ok "busybox is not installed (tools/deps.sh test installs busybox-static)"
	exit 1
fi
make_rootfs "$ROOTFS"
HOST_NPROC=$(nproc)
CPUSET=
[ -e "$MNT/$ALICE/cpus" ] && CPUSET=1

# ---- the hook itself, attacked (as a runtime run by root runs it) ----
assert_op "alice makes box" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/box"
spawn "$ALICE"
VICTIM=$SPAWN
HERR=$WORK/hook.err
# hook DESC WANT_MESSAGE USER|root JSON [ARGS...]: the hook fails with a
# message containing WANT_MESSAGE, and nothing changes.
hook_refuses() {
	local desc=$1 want=$2 who=$3 json=$4 before after rc
	shift 4
	before=$(snapshot_text; ls -R "$MNT/$ALICE" 2>/dev/null | grep -c .)
	if [ "$who" = root ]; then
		printf '%s' "$json" | "$HOOK" "$@" >/dev/null 2>"$HERR"
	else
		printf '%s' "$json" | as "$who" "$HOOK" "$@" >/dev/null 2>"$HERR"
	fi
	rc=$?
	after=$(snapshot_text; ls -R "$MNT/$ALICE" 2>/dev/null | grep -c .)
	if [ "$rc" = 1 ] && grep -q -- "$want" "$HERR"; then
		ok "hook refuses $desc: $(head -n 1 "$HERR")"
	else
		not_ok "hook refuses $desc: status $rc, said '$(head -c 300 "$HERR")'"
	fi
	[ "$before" = "$after" ] && ok "hook refuses $desc: nothing changed" ||
		not_ok "hook refuses $desc: something changed"
}
st() { printf '{"ociVersion":"1.0.2","id":"x","status":"creating","pid":%s,"bundle":"/x","annotations":{%s}}' "$1" "$2"; }
ann() { printf '"org.cgfs.group":"%s","org.cgfs.mount":"%s"' "$1" "${2:-$MNT}"; }

hook_refuses "a .. level" "\.\. level" root "$(st "$VICTIM" "$(ann "$ALICE/box/../../$BOB")")"
hook_refuses "a .. at the end" "\.\. level" root "$(st "$VICTIM" "$(ann "$ALICE/..")")"
hook_refuses "an absolute path" "absolute path" root "$(st "$VICTIM" "$(ann "/$ALICE/box")")"
hook_refuses "a tree, not a group" "names a user's tree" root "$(st "$VICTIM" "$(ann "$ALICE")")"
hook_refuses "an empty level" "empty level" root "$(st "$VICTIM" "$(ann "$ALICE//box")")"
mkdir -p "$WORK/fake/$ALICE"
ln -s "$(cg_mount pids)" "$WORK/fake/$ALICE/box"
hook_refuses "a symlink out of a directory posing as the mount" "not a cgfs mount" root \
	"$(st "$VICTIM" "$(ann "$ALICE/box" "$WORK/fake")")"
hook_refuses "a directory inside the mount as the mount" "not the root of a mount" root \
	"$(st "$VICTIM" "$(ann "box/x" "$MNT/$ALICE")")"
hook_refuses "a relative mount" "absolute path is needed" root \
	"$(st "$VICTIM" "$(ann "$ALICE/box" "tmp")")"
hook_refuses "a pid that is a string" "not a number" root "$(st '"12"' "$(ann "$ALICE/box")")"
hook_refuses "no pid" "has no pid" root \
	'{"ociVersion":"1.0.2","id":"x","status":"creating","annotations":{"org.cgfs.group":"a/b"}}'
hook_refuses "pid 0" "not a process" root "$(st 0 "$(ann "$ALICE/box")")"
hook_refuses "a negative pid" "not a process" root "$(st -5 "$(ann "$ALICE/box")")"
hook_refuses "a pid beyond int" "not a process" root "$(st 99999999999 "$(ann "$ALICE/box")")"
hook_refuses "a pid no process has" "No such process" root "$(st 4000000 "$(ann "$ALICE/box")")"
hook_refuses "no group annotation" "no annotation org.cgfs.group" root "$(st "$VICTIM" '"a":"b"')"
hook_refuses "a group that is not a string" "not a string" root \
	"$(st "$VICTIM" '"org.cgfs.group":5')"
hook_refuses "broken JSON" "not JSON" root '{"pid": 5, "annotations": {'
hook_refuses "two JSON values" "more after its JSON object" root \
	"$(st "$VICTIM" "$(ann "$ALICE/box")") $(st "$VICTIM" "$(ann "$ALICE/box")")"
hook_refuses "JSON that is not an object" "not a JSON object" root '[1,2]'
hook_refuses "empty stdin" "no container state" root ''
big=$(head -c 1100000 /dev/zero | tr '\0' a)
hook_refuses "oversized JSON" "larger than" root \
	"$(st "$VICTIM" "$(ann "$ALICE/box"),\"pad\":\"$big\"")"
unset big
hook_refuses "a knob name with a slash" "not a knob name" root \
	"$(st "$VICTIM" "$(ann "$ALICE/box"),\"org.cgfs.knob.../procs\":\"1\"")"
hook_refuses "a knob the group has not" "has no knob" root \
	"$(st "$VICTIM" "$(ann "$ALICE/box"),\"org.cgfs.knob.nosuch\":\"1\"")"
hook_refuses "a knob value the knob refuses, in a group it would make" "Invalid argument" root \
	"$(st "$VICTIM" "$(ann "$ALICE/new/deeper"),\"org.cgfs.knob.pids_max\":\"lots\"")"
[ -e "$MNT/$ALICE/new" ] && not_ok "the refused hook left alice/new" ||
	ok "the refused hook took back the group it made"
# Another user's group, the hook run by that user (as rootless podman
# or LXC run by bob would run it): the daemon refuses, nothing is made.
spawn "$BOB"
hook_refuses "bob's container into alice's group" "cannot move" "$BOB" \
	"$(st "$SPAWN" "$(ann "$ALICE/box")")"
hook_refuses "bob making a group in alice's tree" "cannot make" "$BOB" \
	"$(st "$SPAWN" "$(ann "$ALICE/bobs")")"
hook_refuses "--pid that is not a number" "not a process id" root "" --group "$ALICE/box" \
	--mount "$MNT" --pid 12x
hook_refuses "--group without a pid" "no pid" root "" --group "$ALICE/box" --mount "$MNT"

# And what it does: a pid into a group it makes, with knobs, transient
# (the state followed by a newline, as a runtime may send it).
printf '%s\n' "$(st "$VICTIM" "$(ann "$ALICE/made/sub"),\"org.cgfs.knob.pids_max\":\"7\"")" |
	"$HOOK" 2>"$HERR"
assert_eq "hook: a pid into a group it makes (status)" 0 "$?"
in_group "$VICTIM" made/sub && ok "hook: the pid is in alice/made/sub everywhere" ||
	not_ok "hook: the pid is not in alice/made/sub: $(cat "/proc/$VICTIM/cgroup" | tr '\n' ' ')"
assert_eq "hook: the knob annotation is written" 7 "$(cat "$MNT/$ALICE/made/sub/pids_max")"
assert_eq "hook: the level it made is transient" 1 "$(cat "$MNT/$ALICE/made/autoremove")"
LXC_PID=$VICTIM "$HOOK" --group "$ALICE/box" --mount "$MNT" --knob pids_max=9 cgfs-rt lxc start-host \
	2>"$HERR"
assert_eq "hook --group with LXC_PID and LXC's arguments (status)" 0 "$?"
in_group "$VICTIM" box && ok "hook --group: the pid is in alice/box" ||
	not_ok "hook --group: the pid is not in alice/box"
assert_eq "hook --group: the existing group is not made transient" 0 \
	"$(cat "$MNT/$ALICE/box/autoremove")"
kill "$VICTIM"
for i in $(seq 1 100); do [ -e "$MNT/$ALICE/made" ] || break; sleep 0.05; done
[ -e "$MNT/$ALICE/made" ] && not_ok "alice/made outlived its only process" ||
	ok "alice/made went with its only process"

# ---- podman, with runc ----
podman_run() {
	podman --hooks-dir "$WORK/hooks" --cgroup-manager cgroupfs "$@"
}
PODMAN_WHY=
if ! type -P podman >/dev/null; then
	PODMAN_WHY="podman is not installed (tools/deps.sh test installs it)"
elif ! type -P runc >/dev/null; then
	PODMAN_WHY="runc is not installed"
fi
if [ -n "$PODMAN_WHY" ]; then
	skip podman "$PODMAN_WHY"
else
	PODMAN_USED=1
	mkdir -p "$WORK/hooks"
	sed "s#@hook@#$HOOK#" "$SRC/containers/cgfs-oci-hook.json.in" >"$WORK/hooks/cgfs.json"
	sed "s#@hook@#$HOOK#" "$SRC/containers/cgfs-oci-view.json.in" >"$WORK/hooks/cgfs-view.json"
	# One step: the group is made by the hook (createRuntime), its view
	# and itself bound by the hook (createContainer); knobs listed from
	# a group like it.
	prepare podman box
	G=$MNT/$ALICE/pod
	vols=(-v "$WORK/out-podman:/out")
	knobs=(--annotation org.cgfs.knob.memory_limit_mb=64 --annotation org.cgfs.knob.pids_max=20
		--annotation org.cgfs.view=1 --annotation org.cgfs.bind=/run/cgfs-group)
	pcpus=$HOST_NPROC
	if [ -n "$CPUSET" ]; then
		knobs+=(--annotation org.cgfs.knob.cpus=0)
		pcpus=1
	fi
	# (podman lowers its own RLIMIT_NPROC to 32768, and runc cannot
	# raise a limit without CAP_SYS_RESOURCE: the limits are given.)
	if podman_run run -d --name "$NAME" --runtime runc --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=32768:32768 \
		--annotation org.cgfs.group="$ALICE/pod" --annotation org.cgfs.mount="$MNT" "${knobs[@]}" \
		"${vols[@]}" --rootfs "$ROOTFS" /bin/sh /inside.sh >"$WORK/podman.out" 2>&1; then
		ok "podman run with the annotation starts"
		wait_report podman
		init=$(podman inspect --format '{{.State.Pid}}' "$NAME" 2>/dev/null)
		in_group "$init" pod && ok "podman: the container's init ($init) is in alice/pod everywhere" ||
			not_ok "podman: init '$init' is not in alice/pod: $(tr '\n' ' ' <"/proc/$init/cgroup")"
		check_inside podman pod "$pcpus" "$pcpus"
		# podman exec lands in podman's cgroup; the documented line moves it.
		got=$(podman exec "$NAME" cat /proc/self/cgroup | grep -E '^[0-9]+:pids:')
		case $got in
		*"/$BASE/"*) not_ok "podman exec: expected podman's own cgroup, got $got" ;;
		*) ok "podman exec lands in podman's cgroup ($got)" ;;
		esac
		got=$(podman exec "$NAME" sh -c 'echo $$ > /run/cgfs-group/procs && exec cat /proc/self/cgroup' |
			grep -E '^[0-9]+:pids:')
		case $got in
		*"/$BASE/$ALICE/pod/.self") ok "podman exec with the documented line joins the group" ;;
		*) not_ok "podman exec with the documented line: $got" ;;
		esac
		touch "$WORK/out-podman/go"
		timeout 30 podman wait "$NAME" >/dev/null 2>&1
		podman rm -f -t 0 "$NAME" >/dev/null 2>&1
		for i in $(seq 1 100); do [ -e "$G" ] || break; sleep 0.05; done
		[ -e "$G" ] && not_ok "podman: alice/pod outlived the container" ||
			ok "podman: alice/pod, made by the hook, went with the container"
	else
		not_ok "podman run with the annotation: $(tail -n 3 "$WORK/podman.out")"
	fi
	# Through podman: a bad annotation fails the start with the hook's
	# message and leaves no container and no group.
	before=$(snapshot_text)
	podman_run run --rm --name "$NAME-bad" --runtime runc --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=32768:32768 \
		--annotation org.cgfs.group="$ALICE/../$BOB" --annotation org.cgfs.mount="$MNT" \
		--rootfs "$ROOTFS" /bin/true >"$WORK/podman.out" 2>&1
	rc=$?
	if [ "$rc" != 0 ] && grep -q 'cgfs-oci-hook: group .*\.\. level' "$WORK/podman.out"; then
		ok "podman: a .. annotation fails the start with the hook's message"
	else
		not_ok "podman: a .. annotation: status $rc, $(tail -n 2 "$WORK/podman.out")"
	fi
	podman container exists "$NAME-bad" 2>/dev/null && not_ok "podman: the failed container is left" ||
		ok "podman: the failed container is gone"
	assert_eq "podman: the failed start changed no group" "$before" "$(snapshot_text)"
	# The view's stage refused: the start fails; the group createRuntime
	# made held the init, and goes with it.
	podman_run run --rm --name "$NAME-bad" --runtime runc --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=32768:32768 \
		--annotation org.cgfs.group="$ALICE/badview" --annotation org.cgfs.mount="$MNT" \
		--annotation org.cgfs.view=1 --annotation org.cgfs.bind=run/cgfs-group \
		--rootfs "$ROOTFS" /bin/true >"$WORK/podman.out" 2>&1
	rc=$?
	if [ "$rc" != 0 ] && grep -q 'cgfs-oci-hook: annotation org.cgfs.bind .*absolute path' "$WORK/podman.out"; then
		ok "podman: a relative org.cgfs.bind fails the start with the hook's message"
	else
		not_ok "podman: a relative org.cgfs.bind: status $rc, $(tail -n 2 "$WORK/podman.out")"
	fi
	for i in $(seq 1 100); do [ -e "$MNT/$ALICE/badview" ] || break; sleep 0.05; done
	[ -e "$MNT/$ALICE/badview" ] && not_ok "podman: alice/badview is left after the failed start" ||
		ok "podman: the group of the failed start is gone"
	# A symlink of the image's pointing out of it: resolved inside the
	# image's root (where the host's directory is not), so refused.
	mkdir -p "$WORK/hostdir"
	ln -s "$WORK/hostdir" "$ROOTFS/escape"
	podman_run run --rm --name "$NAME-bad" --runtime runc --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=32768:32768 \
		--annotation org.cgfs.group="$ALICE/badview" --annotation org.cgfs.mount="$MNT" \
		--annotation org.cgfs.view=1 --annotation org.cgfs.bind=/escape \
		--rootfs "$ROOTFS" /bin/true >"$WORK/podman.out" 2>&1
	rc=$?
	if [ "$rc" != 0 ] && grep -q "cgfs-oci-hook: the container's escape: No such file" "$WORK/podman.out"; then
		ok "podman: an image's symlink out of its root is not followed out"
	else
		not_ok "podman: org.cgfs.bind through a symlink out: status $rc, $(tail -n 2 "$WORK/podman.out")"
	fi
	rm -f "$ROOTFS/escape"
	for i in $(seq 1 100); do [ -e "$MNT/$ALICE/badview" ] || break; sleep 0.05; done
	[ -e "$MNT/$ALICE/badview" ] && not_ok "podman: alice/badview is left after the refused bind" ||
		ok "podman: the group of the refused bind is gone"
fi

# ---- podman run by alice (rootless), the hook run as alice ----
# Its own storage and runtime directory in $WORK; the hook where alice
# can run it. On cgroup v1 rootless podman makes no cgroup: the container
# starts where alice's podman runs, which the test's admit lets move.
if [ -n "$PODMAN_WHY" ]; then
	skip "rootless podman" "$PODMAN_WHY"
else
	RL=$WORK/rootless
	mkdir -p "$RL/run" "$WORK/bin"
	chmod 700 "$RL/run"
	chown -R "$ALICE" "$RL"
	cp "$HOOK" "$WORK/bin/cgfs-oci-hook"
	chmod 755 "$WORK/bin" "$WORK/bin/cgfs-oci-hook"
	mkdir -p "$WORK/rlhooks"
	for j in cgfs-oci-hook:cgfs cgfs-oci-view:cgfs-view; do
		sed "s#@hook@#$WORK/bin/cgfs-oci-hook#" "$SRC/containers/${j%%:*}.json.in" \
			>"$WORK/rlhooks/${j#*:}.json"
	done
	chmod -R a+rX "$WORK/rlhooks"
	# From /: podman and its runtime change into the caller's directory,
	# which is out of alice's reach in a clone in /root.
	rl_podman() {
		(cd / && as "$ALICE" env HOME="$RL" XDG_RUNTIME_DIR="$RL/run" podman --root "$RL/storage" \
			--runroot "$RL/runroot" --hooks-dir "$WORK/rlhooks" run --rm --runtime runc \
			--network none "$@")
	}
	out=$(rl_podman --annotation org.cgfs.group="$ALICE/rl" --annotation org.cgfs.mount="$MNT" \
		--annotation org.cgfs.knob.memory_limit_mb=48 --annotation org.cgfs.view=1 \
		--annotation org.cgfs.bind=/run/cgfs-group --rootfs "$ROOTFS" \
		/bin/sh -c 'grep -E "^[0-9]+:pids:" /proc/self/cgroup; grep MemTotal /proc/meminfo;
			cat /run/cgfs-group/memory_limit_mb' 2>&1)
	case $out in
	*":pids:/$BASE/$ALICE/rl/.self"*) ok "rootless podman: the container starts in alice/rl" ;;
	*) not_ok "rootless podman: $(tail -n 3 <<<"$out")" ;;
	esac
	if [ -e "$MNT/$ALICE/box/meminfo" ]; then
		case $out in
		*"MemTotal:"*" 49152 kB"*) ok "rootless podman: the view is bound (MemTotal 49152 kB)" ;;
		*) not_ok "rootless podman: the view: $(tail -n 3 <<<"$out")" ;;
		esac
	fi
	assert_eq "rootless podman: the group is bound inside" 48 "$(tail -n 1 <<<"$out")"
	# The group the hook made is transient: gone with the container.
	for i in $(seq 1 100); do [ -e "$MNT/$ALICE/rl" ] || break; sleep 0.05; done
	[ -e "$MNT/$ALICE/rl" ] && not_ok "rootless podman: alice/rl outlived the container" ||
		ok "rootless podman: alice/rl went with the container"
	# alice's podman into bob's tree: the daemon refuses the hook (alice
	# may not make a group there, nor move into one), the start fails.
	assert_op "root makes bob's tree" OK "$XOP" mkdir "$MNT/$BOB"
	assert_op "bob makes a group" OK as "$BOB" "$XOP" mkdir "$MNT/$BOB/web"
	before=$(snapshot_text)
	for g in "$BOB/web" "$BOB/new"; do
		out=$(rl_podman --annotation org.cgfs.group="$g" --annotation org.cgfs.mount="$MNT" \
			--rootfs "$ROOTFS" /bin/true 2>&1)
		rc=$?
		if [ "$rc" != 0 ] && grep -q "cgfs-oci-hook: .*\(Operation not permitted\|Permission denied\)" <<<"$out"; then
			ok "rootless podman into $g fails with the hook's message: $(grep -o 'cgfs-oci-hook: [^"]*' <<<"$out" | head -n 1)"
		else
			not_ok "rootless podman into $g: status $rc, $(tail -n 2 <<<"$out")"
		fi
	done
	assert_eq "rootless podman: the refused starts changed no group" "$before" "$(snapshot_text)"
fi

# ---- LXC, with its busybox template ----
if ! type -P lxc-create >/dev/null; then
	skip lxc "lxc is not installed (tools/deps.sh test installs it)"
elif ! [ -x /usr/share/lxc/templates/lxc-busybox ]; then
	skip lxc "LXC's busybox template is missing"
else
	LXC_USED=1
	assert_op "lxc: alice makes lxc" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/lxc"
	prepare lxc lxc
	G=$MNT/$ALICE/lxc
	mkdir -p "$WORK/lxc"
	echo "lxc.net.0.type = empty" >"$WORK/lxc/base.conf"
	if lxc-create -P "$WORK/lxc" -n "$NAME" -t busybox -f "$WORK/lxc/base.conf" \
		>"$WORK/lxc.out" 2>&1; then
		cfg=$WORK/lxc/$NAME/config
		rfs=$WORK/lxc/$NAME/rootfs
		cp "$INSIDE" "$rfs/inside.sh"
		mkdir -p "$rfs/out"
		lknobs="--knob memory_limit_mb=64 --knob pids_max=20"
		lcpus=$HOST_NPROC
		[ -n "$CPUSET" ] && { lknobs="$lknobs --knob cpus=0"; lcpus=1; }
		# The shipped snippet, its group and hook path made this run's.
		sed -e "s#@hook@#$HOOK --mount $MNT#" -e "s#alice/box#$ALICE/lxc#g" \
			-e "s#/run/cgfs/#$MNT/#g" -e "s#^\(lxc.hook.start-host = .*\)\$#\1 $lknobs#" \
			"$SRC/containers/lxc-cgfs.conf.in" >>"$cfg"
		echo "lxc.mount.entry = $WORK/out-lxc out none bind 0 0" >>"$cfg"
		if lxc-start -P "$WORK/lxc" -n "$NAME" -d -l INFO -o "$WORK/lxc.log" -- /bin/sh /inside.sh \
			>"$WORK/lxc.out" 2>&1; then
			ok "lxc-start with the snippet starts"
			wait_report lxc
			init=$(lxc-info -P "$WORK/lxc" -n "$NAME" -p -H 2>/dev/null)
			in_group "$init" lxc && ok "lxc: the container's init ($init) is in alice/lxc everywhere" ||
				not_ok "lxc: init '$init' is not in alice/lxc"
			check_inside lxc lxc "$lcpus" "$lcpus"
			got=$(lxc-attach -P "$WORK/lxc" -n "$NAME" -- cat /proc/self/cgroup | grep -E '^[0-9]+:pids:')
			case $got in
			*"/$BASE/"*) not_ok "lxc-attach: expected LXC's own cgroup, got $got" ;;
			*) ok "lxc-attach lands in LXC's cgroup ($got)" ;;
			esac
			got=$(lxc-attach -P "$WORK/lxc" -n "$NAME" -- \
				sh -c 'echo $$ > /run/cgfs-group/procs && exec cat /proc/self/cgroup' |
				grep -E '^[0-9]+:pids:')
			# (Inside LXC's cgroup namespace: the path is relative to it.)
			case $got in
			*"/$BASE/$ALICE/lxc/.self") ok "lxc-attach with the documented line joins the group" ;;
			*) not_ok "lxc-attach with the documented line: $got" ;;
			esac
			touch "$WORK/out-lxc/go"
			for i in $(seq 1 300); do
				lxc-info -P "$WORK/lxc" -n "$NAME" -s 2>/dev/null | grep -q STOPPED && break
				sleep 0.1
			done
			lxc-stop -P "$WORK/lxc" -n "$NAME" -k >/dev/null 2>&1
			assert_eq "lxc: no process left in alice/lxc" "" "$(cat "$G/procs")"
		else
			not_ok "lxc-start: $(tail -n 3 "$WORK/lxc.out") $(grep ERROR "$WORK/lxc.log" | tail -n 3)"
		fi
	else
		not_ok "lxc-create -t busybox: $(tail -n 3 "$WORK/lxc.out")"
	fi
fi

# ---- bubblewrap, run by alice through cgfs-run: one step ----
if ! type -P bwrap >/dev/null; then
	skip bubblewrap "bubblewrap is not installed (tools/deps.sh test installs it)"
elif ! as "$ALICE" bwrap --unshare-all --ro-bind "$ROOTFS" / /bin/true 2>"$WORK/bw.err"; then
	skip bubblewrap "bwrap cannot make namespaces as a user here: $(head -n 1 "$WORK/bw.err")"
else
	prepare bwrap box
	G=$MNT/$ALICE/bw
	# The group does not exist yet: cgfs-run makes it (transient) before
	# bwrap binds its files, so the knob list is the tree's.
	binds=(--bind "$G" /run/cgfs-group --bind "$WORK/out-bwrap" /out)
	for v in $VIEW; do binds+=(--ro-bind "$G/$v" "/$v"); done
	setpriv --reuid="${UID_OF[$ALICE]}" --regid="${GID_OF[$ALICE]}" --clear-groups -- \
		"$RUN" --mount "$MNT" --group bw --memory 64M --pids 20 --cpu 100 -- \
		bwrap --unshare-all --die-with-parent --ro-bind "$ROOTFS" / --proc /proc --dev /dev \
		"${binds[@]}" /bin/sh /inside.sh >"$WORK/bw.out" 2>&1 &
	BW_PID=$!
	if wait_report bwrap "$BW_PID"; then
		in_group "$BW_PID" bw && ok "bwrap: bwrap ($BW_PID) is in alice/bw everywhere" ||
			not_ok "bwrap: $BW_PID is not in alice/bw"
		# nproc counts the CPUs a process may run on; a quota narrows
		# the view's files, not that (cgfs(8), Containers).
		check_inside bwrap bw 1 "$HOST_NPROC"
	else
		echo "# bwrap said: $(tail -n 3 "$WORK/bw.out")"
	fi
	touch "$WORK/out-bwrap/go"
	wait "$BW_PID"
	assert_eq "bwrap: cgfs-run's status is the container's" 0 "$?"
	BW_PID=
	for i in $(seq 1 100); do [ -e "$G" ] || break; sleep 0.05; done
	[ -e "$G" ] && not_ok "bwrap: alice/bw outlived the container" ||
		ok "bwrap: alice/bw went with the container"
fi

# ---- systemd-nspawn, as root, where systemd is not PID 1 ----
# It resolves the source of a bind over /proc inside the container, so
# the group is bound first and the view's /proc files named by their path
# there; a shell moves itself in and becomes nspawn.
if ! type -P systemd-nspawn >/dev/null; then
	skip systemd-nspawn "systemd-container is not installed (tools/deps.sh test installs it)"
elif [ -d /run/systemd/system ]; then
	skip systemd-nspawn "systemd is PID 1 here: nspawn would register with it (the recipe is for hosts without)"
else
	assert_op "nspawn: alice makes ns" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/ns"
	G=$MNT/$ALICE/ns
	as "$ALICE" "$XOP" write "$G/memory_limit_mb" 64 >/dev/null
	as "$ALICE" "$XOP" write "$G/pids_max" 20 >/dev/null
	ncpus=$HOST_NPROC
	[ -n "$CPUSET" ] && as "$ALICE" "$XOP" write "$G/cpus" 0 >/dev/null && ncpus=1
	prepare nspawn ns
	binds=(--bind="$G:/run/cgfs-group" --bind="$WORK/out-nspawn:/out")
	# (A bind over /sys takes its source from the host, as usual.)
	for v in $VIEW; do
		case $v in
		proc/*) binds+=(--bind-ro="/run/cgfs-group/$v:/$v") ;;
		*) binds+=(--bind-ro="$G/$v:/$v") ;;
		esac
	done
	sh -c 'echo $$ > "$1/procs" && shift && exec "$@"' _ "$G" \
		systemd-nspawn -q -D "$ROOTFS" --register=no --keep-unit "${binds[@]}" /bin/sh /inside.sh \
		>"$WORK/nspawn.out" 2>&1 &
	NS_PID=$!
	if wait_report nspawn "$NS_PID"; then
		init=
		for p in $(cat "$G/procs"); do
			[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status" 2>/dev/null)" = 1 ] && init=$p
		done
		[ -n "$init" ] && in_group "$init" ns &&
			ok "nspawn: the container's init ($init) is in alice/ns everywhere" ||
			not_ok "nspawn: no init of the container in alice/ns (procs: $(cat "$G/procs" | tr '\n' ' '))"
		check_inside nspawn ns "$ncpus" "$ncpus"
	else
		echo "# nspawn said: $(tail -n 3 "$WORK/nspawn.out")"
	fi
	touch "$WORK/out-nspawn/go"
	wait "$NS_PID"
	assert_eq "nspawn: the container's status" 0 "$?"
	NS_PID=
	assert_eq "nspawn: no process left in alice/ns" "" "$(cat "$G/procs")"
fi
