#!/bin/bash
# SPDX-License-Identifier: MIT
# A group bind-mounted into a container: the container's own processes
# manage it with plain files, procs speaks the container's pids. Runs a
# real container-like process (unshare: new pid, mount and, for alice,
# user namespace, with its own /proc) around container-inside.sh, which
# reports what it saw; every check is asserted here.
. "$(dirname "$0")/../lib/lib.sh"

INSIDE=$(dirname "$0")/../lib/container-inside.sh
WORK=$(mktemp -d /tmp/cgfs-ctr.XXXXXX)
chmod 755 "$WORK"
cp "$INSIDE" "$WORK/inside.sh"
chmod 755 "$WORK/inside.sh"

start_cgfs || exit 1
"$XOP" mkdir "$MNT/$ALICE" >/dev/null

# val FILE KEY: the value of "KEY value" in a report
val() { sed -n "s/^$2 //p" "$1" | head -n 1; }

# sorted WORDS...: the words, sorted numerically, space-separated
sorted() { printf '%s\n' "$@" | sort -n | tr '\n' ' ' | sed 's/ $//'; }

# in_group PID GROUP: whether PID is in GROUP's leaf in every hierarchy
in_group() {
	local mp
	for mp in $(serving_mounts); do
		[ "$(pid_cgroup "$1" "$mp")" = "/$BASE/$ALICE/$2/.self" ] || return 1
	done
}

# container NAME BOX USER|root [MEMINFO]: runs inside.sh in new namespaces
# on group BOX, and checks what it reports
container() {
	local name=$1 box=$2 who=$3 meminfo=${4:-} cg=$WORK/cg-$2 out=$WORK/out-$2 go=$WORK/go-$2
	local ns init outside i pid1 sl
	local -a cmd

	mkdir -p "$cg"
	: >"$out"
	mkfifo "$go"
	assert_op "$name: mkdir $box" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/$box"
	[ -n "$meminfo" ] &&
		assert_op "$name: memory limit $meminfo MiB" OK \
			as "$ALICE" "$XOP" write "$MNT/$ALICE/$box/memory_limit_mb" "$meminfo"
	# A process of alice's in the group that lives outside the container.
	spawn "$ALICE"; outside=$SPAWN
	as "$ALICE" "$XOP" write "$MNT/$ALICE/$box/procs" "$outside" >/dev/null
	in_group "$outside" "$box" && ok "$name: outside process in $box" ||
		not_ok "$name: outside process not in $box"

	cmd=(unshare --pid --mount --fork --mount-proc bash "$WORK/inside.sh"
		"$MNT/$ALICE/$box" "$cg" "$XOP" "$outside" "$out" "$go" $meminfo)
	if [ "$who" = root ]; then
		"${cmd[@]}" >/dev/null 2>&1 &
	else
		chown "$who" "$out" "$go"
		# not through "as": $! must be unshare itself
		setpriv --reuid="${UID_OF[$who]}" --regid="${GID_OF[$who]}" --clear-groups -- \
			unshare --user --map-root-user "${cmd[@]:1}" >/dev/null 2>&1 &
	fi
	ns=$!
	SPAWNED+=("$ns")
	for i in $(seq 1 200); do
		grep -q '^done' "$out" 2>/dev/null && break
		sleep 0.05
	done
	init=$(cat "/proc/$ns/task/$ns/children" 2>/dev/null | awk '{ print $1 }')
	[ -n "$init" ] && SPAWNED+=("$init")
	assert_eq "$name: the container reported" done "$(tail -n 1 "$out")"

	# what the container saw
	assert_eq "$name: bind mount of the group" OK "$(val "$out" bind)"
	pid1=$(val "$out" dollar)
	assert_eq "$name: the container's shell is pid 1" 1 "$pid1"
	assert_eq "$name: /proc/self inside agrees" 1 "$(val "$out" procself)"
	assert_eq "$name: echo \$\$ > procs (pid 1) moves the shell in" OK "$(val "$out" join)"
	sl=$(val "$out" sleep)
	assert_eq "$name: procs lists the container's pids, the outside one left out" \
		"$(sorted 1 "$sl")" "$(sorted $(val "$out" procs))"
	case " $(val "$out" ps) " in
	*" 1 "*) case " $(val "$out" ps) " in
		*" $sl "*) ok "$name: ps inside shows the same pids" ;;
		*) not_ok "$name: ps inside shows '$(val "$out" ps)', not $sl" ;;
		esac ;;
	*) not_ok "$name: ps inside shows '$(val "$out" ps)', not 1" ;;
	esac
	case " $(val "$out" procs) " in
	*" $outside "*|*" $init "*) not_ok "$name: host pids shown inside: $(val "$out" procs)" ;;
	*) ok "$name: no host pid shown inside" ;;
	esac
	assert_eq "$name: the outside process is not visible inside" no "$(val "$out" outside_visible)"
	assert_eq "$name: mkdir sub inside" OK "$(val "$out" mkdir)"
	assert_eq "$name: mkdir t1 inside" OK "$(val "$out" mkdir_t)"
	assert_eq "$name: rmdir t1 inside" OK "$(val "$out" rmdir_t)"
	assert_eq "$name: a host pid written inside is no pid there" ESRCH "$(val "$out" move_outside)"
	assert_eq "$name: a pid the namespace does not have" ESRCH "$(val "$out" move_missing)"
	assert_eq "$name: echo \$\$ > sub/procs" OK "$(val "$out" move_self)"
	assert_eq "$name: sub/procs inside lists the shell as 1" 1 "$(val "$out" sub_procs)"
	assert_eq "$name: $box/procs inside lists the sleep" "$sl" "$(val "$out" box_procs)"
	assert_eq "$name: pids_max written inside" OK "$(val "$out" pids_w)"
	assert_eq "$name: pids_max read inside" 50 "$(val "$out" pids_r)"

	# the host's side, while the container still runs
	if [ -n "$init" ]; then
		if in_group "$init" "$box/sub"; then
			ok "$name: the host pid of the shell ($init) moved into sub"
			TRANSLATED=1
		else
			not_ok "$name: the shell's host pid $init is not in sub"
		fi
		assert_eq "$name: the host reads sub/procs as host pids" "$init" \
			"$(cat "$MNT/$ALICE/$box/sub/procs")"
	else
		not_ok "$name: no host pid for the container's init"
	fi
	in_group "$outside" "$box" && ok "$name: the outside process stayed in $box" ||
		not_ok "$name: the outside process moved"
	[ -d "$(cg_mount pids)/$BASE/$ALICE/$box/sub" ] && ok "$name: real sub exists" ||
		not_ok "$name: real sub missing"
	[ -d "$(cg_mount pids)/$BASE/$ALICE/$box/t1" ] && not_ok "$name: real t1 left" ||
		ok "$name: real t1 removed"
	assert_eq "$name: real pids.max" 50 "$(cat "$(real pids "$ALICE/$box/sub" pids.max)")"
	if [ -n "$meminfo" ]; then
		assert_eq "$name: meminfo bound over /proc/meminfo" OK "$(val "$out" meminfo_bind)"
		assert_eq "$name: free -m inside shows the group's limit" "$meminfo" \
			"$(val "$out" free_total)"
	fi

	# the namespace ends with its init; nothing of it is left
	timeout 5 sh -c 'echo go >"$1"' _ "$go"
	wait "$ns"
	[ -n "$init" ] && { wait_dead "$init" && ok "$name: container init ended" ||
		not_ok "$name: container init $init still runs"; }
	[ -n "$sl" ] && assert_eq "$name: no process left in $box" "$outside" \
		"$(cat "$MNT/$ALICE/$box/procs" "$MNT/$ALICE/$box/sub/procs")"
}

TRANSLATED=
# with the group's meminfo over the container's /proc/meminfo
if [ -e "$MNT/$ALICE/meminfo" ]; then
	container "user namespace" box1 "$ALICE" 256
else
	echo "# SKIP meminfo over /proc/meminfo: no meminfo knob on this host (no memory controller)"
	container "user namespace" box1 "$ALICE"
fi
# root may move any process: were pids not translated, its "1" would be
# the host's init. Only once alice's container showed that they are.
if [ -n "$TRANSLATED" ]; then
	container "root" box2 root
else
	not_ok "root's container not run: pids written in alice's were not translated"
fi

rm -rf "$WORK"
