#!/bin/bash
# SPDX-License-Identifier: MIT
# cgfs for one user, without root (cgfs(8), "Without root"): root
# delegates a cgroup to alice as systemd's Delegate=yes does on v2 (the
# directory and its cgroup.procs, cgroup.subtree_control and
# cgroup.threads are hers; on v1 the directory and its tasks and
# cgroup.procs, as libcgroup's cgconfig does), and alice runs cgfs herself
# on a mount point of her own. She gets the same tree, everything in it
# hers, and no other user reaches it or has their processes moved by it.

# A user's FUSE mount needs /dev/fuse open to that user (a distribution's
# udev makes it 0666). Where it is not, alice gets a 0666 node of her own
# over it, in a mount namespace of this test's own: the host's device is
# left as it is.
if [ -z "${CGFS_ROOTLESS_NS:-}" ] &&
	! setpriv --reuid="$(id -u cgfs-alice 2>/dev/null || echo 65534)" --regid=65534 \
		--clear-groups -- sh -c 'exec 3<>/dev/fuse' 2>/dev/null; then
	echo "# /dev/fuse is $(stat -c '%a %U' /dev/fuse 2>&1) here, out of a user's reach:" \
		"alice gets a 0666 node in a private mount namespace of this test"
	export CGFS_ROOTLESS_NS=1
	exec unshare -m --propagation private -- bash "$0" "$@"
fi
if [ -n "${CGFS_ROOTLESS_NS:-}" ] && [ "$CGFS_ROOTLESS_NS" = 1 ]; then
	CGFS_ROOTLESS_NS=$(mktemp -d /tmp/cgfs-dev.XXXXXX)
	devno=$(stat -c '%t %T' /dev/fuse)
	why=
	if ! err=$(mount -t tmpfs -o mode=755 tmpfs "$CGFS_ROOTLESS_NS" 2>&1); then
		why="mounting a tmpfs on $CGFS_ROOTLESS_NS failed: $err"
	elif ! err=$(mknod -m 666 "$CGFS_ROOTLESS_NS/fuse" c \
		"$((16#${devno% *}))" "$((16#${devno#* }))" 2>&1); then
		why="mknod of a 0666 FUSE node failed: $err"
	elif ! err=$(mount --bind "$CGFS_ROOTLESS_NS/fuse" /dev/fuse 2>&1); then
		why="bind-mounting it over /dev/fuse failed: $err"
	fi
	if [ -n "$why" ]; then
		echo "# SKIP rootless: /dev/fuse is out of alice's reach and she cannot be given" \
			"a FUSE device of her own ($(tr -s '\n\t ' '   ' <<<"$why" | sed 's/ $//'))"
		umount -l "$CGFS_ROOTLESS_NS" 2>/dev/null
		rmdir "$CGFS_ROOTLESS_NS"
		exit 77
	fi
fi

. "$(dirname "$0")/../lib/lib.sh"

AUID=${UID_OF[$ALICE]}
AGID=${GID_OF[$ALICE]}
AHOME=$(mktemp -d /tmp/cgfs-home.XXXXXX)
DELEG=$BASE/deleg
START=
test_cleanup() {
	rm -rf "$AHOME"
	case ${CGFS_ROOTLESS_NS:-} in
	/*) umount -l /dev/fuse; umount -l "$CGFS_ROOTLESS_NS"; rmdir "$CGFS_ROOTLESS_NS" ;;
	esac
}

# The cgfs binary must be within alice's reach (lib.sh copies its helpers
# for the same reason).
RUN=$(dirname "$CGFS")/cgfs-run
if ! as "$ALICE" test -x "$CGFS" || ! as "$ALICE" test -x "$RUN"; then
	[ -n "$HELPERS" ] || { HELPERS=$(mktemp -d /tmp/cgfs-bin.XXXXXX) && chmod 755 "$HELPERS"; }
	cp "$CGFS" "$RUN" "$HELPERS/" && CGFS=$HELPERS/cgfs && RUN=$HELPERS/cgfs-run
fi

# delegate: root hands $DELEG to alice in every hierarchy cgfs serves.
delegate() {
	local mp d f c
	for mp in $(serving_mounts); do
		d=$mp/$DELEG
		mkdir -p "$d" || return 1
		# v1: a new cpuset has no CPUs until it is given some.
		if [ -f "$mp/cpuset.cpus" ] && [ "$mp" != "$V2_MOUNT" ]; then
			for f in cpuset.cpus cpuset.mems; do
				cat "$mp/$f" >"$mp/$BASE/$f" && cat "$mp/$f" >"$d/$f" || return 1
			done
		fi
		# v2: the parent hands its controllers down (systemd does it for
		# a delegated unit); what happens below is then alice's.
		if [ "$mp" = "$V2_MOUNT" ]; then
			for c in $(cat "$mp/$BASE/cgroup.controllers"); do
				echo "+$c" >"$mp/$BASE/cgroup.subtree_control" || return 1
			done
		fi
		chown "$AUID:$AGID" "$d" || return 1
		for f in cgroup.procs cgroup.subtree_control cgroup.threads tasks; do
			[ -e "$d/$f" ] && { chown "$AUID:$AGID" "$d/$f" || return 1; }
		done
	done
	# v2 lets a writer move a process only when it may write the
	# cgroup.procs of the common ancestor of where the process is and
	# where it goes: alice's processes start inside her cgroup, in the
	# leaf systemd 254 starts a delegated unit in (DelegateSubgroup=).
	if v2_serves; then
		START=$V2_MOUNT/$DELEG/cgfs:start
		mkdir "$START" && chown "$AUID:$AGID" "$START" "$START/cgroup.procs" || return 1
	fi
}

# alice CMD...: CMD as alice, started where her processes start.
alice() {
	(
		[ -z "$START" ] || echo "$BASHPID" >"$START/cgroup.procs" || exit 1
		exec setpriv --reuid="$AUID" --regid="$AGID" --clear-groups -- \
			env -u XDG_CONFIG_HOME HOME="$AHOME" "$@"
	)
}

# start_alice: alice runs cgfs on $MNT. On a pure v2 host with no base=:
# its own cgroup ($DELEG/cgfs:start) is where it keeps its tree, as under
# a user manager's Delegate=yes. Elsewhere v1 hierarchies have no such
# placement, so base= names it.
start_alice() {
	local args=() _
	[ -n "$START" ] && [ "$(serving_mounts)" = "$V2_MOUNT" ] || args=(-o "base=/$DELEG")
	# (A subshell that execs: $! is the daemon's pid.)
	(
		[ -z "$START" ] || echo "$BASHPID" >"$START/cgroup.procs" || exit 1
		exec setpriv --reuid="$AUID" --regid="$AGID" --clear-groups -- \
			env -u XDG_CONFIG_HOME HOME="$AHOME" "$CGFS" -f "${args[@]}" "$MNT"
	) >>"$LOG" 2>&1 &
	DAEMON=$!
	wait_mounted "alice's cgfs"
}

# alice_spawn [USER]: a sleep as USER (alice), started where alice's
# processes start; its pid in $SPAWN.
alice_spawn() {
	local u=${1:-$ALICE} _
	(
		[ -z "$START" ] || echo "$BASHPID" >"$START/cgroup.procs" || exit 1
		exec setpriv --reuid="${UID_OF[$u]}" --regid="${GID_OF[$u]}" --clear-groups -- sleep 1000
	) >/dev/null 2>&1 &
	SPAWN=$!
	SPAWNED+=("$SPAWN")
	for _ in $(seq 1 3000); do
		[ "$(cat "/proc/$SPAWN/comm" 2>/dev/null)" = sleep ] && break
		sleep 0.01
	done
}

# daemon_ends DESC: alice's daemon ends (within 5 s) with status 0.
daemon_ends() {
	local rc
	if ! wait_dead "$DAEMON"; then
		not_ok "$1: it still runs"
		return
	fi
	wait "$DAEMON"
	rc=$?
	DAEMON=
	assert_eq "$1" 0 "$rc"
}

# everywhere DESC GROUP CMD: CMD (a test of "$d", the group's real
# directory) holds in every hierarchy cgfs serves.
everywhere() {
	local mp bad=
	for mp in $(serving_mounts); do
		d=$mp/$DELEG/$2
		eval "$3" || bad="$bad $mp"
	done
	assert_eq "$1" "" "$bad"
}

chown "$AUID:$AGID" "$MNT" "$AHOME" && chmod 755 "$AHOME" || exit 1
mkdir -p "$AHOME/.config" && printf '[defaults]\npids_max = 321\n' >"$AHOME/.config/cgfs.conf" &&
	chown -R "$AUID:$AGID" "$AHOME/.config" || exit 1
delegate || { not_ok "root delegates $DELEG to alice"; exit 1; }

# A base outside what is hers: refused at start, before anything is
# mounted, saying why.
out=$(alice "$CGFS" -f -o "base=/$BASE/not-hers" "$MNT" 2>&1)
assert_eq "a base alice may not make: exit status 1" 1 "$?"
case $out in
*"Permission denied (without root, the base must be in a cgroup delegated to this user)"*)
	ok "...saying why" ;;
*) not_ok "...saying why: $out" ;;
esac
assert_eq "...nothing made, nothing mounted" "" "$(for mp in $(serving_mounts); do
	[ -e "$mp/$BASE/not-hers" ] && echo "$mp"; done; grep " $MNT " /proc/mounts)"
start_alice || exit 1
T=$MNT/$ALICE

opts=$(awk -v m="$MNT" '$2 == m && $3 == "fuse.cgfs" { print $4 }' /proc/mounts)
case ,$opts, in *,user_id=$AUID,*) ok "alice's mount ($opts)" ;; *) not_ok "alice's mount: $opts" ;; esac
case ,$opts, in *,allow_other,*) not_ok "...without allow_other" ;; *) ok "...without allow_other" ;; esac
if [ -n "$START" ] && [ "$(serving_mounts)" = "$V2_MOUNT" ]; then
	assert_eq "with no base=, the daemon moved into its cgroup's leaf" "/$DELEG/.self" \
		"$(pid_cgroup "$DAEMON" "$V2_MOUNT")"
else
	echo "# SKIP the daemon's move into its own cgroup's leaf with no base= (v1/hybrid host:" \
		"cgfs serves v1 hierarchies here, which give it no cgroup of its own to keep its tree" \
		"in, so alice starts it with base=; the check needs cgroup v2 alone)"
fi

# One tree, hers, there from the start; everything in it is hers.
assert_eq "the top holds her tree alone" "$ALICE" "$(alice ls "$MNT" 2>&1)"
assert_eq "the top is hers" "$ALICE $ALICE" "$(alice stat -c '%U %G' "$MNT" 2>&1)"
assert_eq "no file of the tree is another user's" "" \
	"$(alice find "$T" -maxdepth 2 \( ! -user "$ALICE" -o ! -group "$ALICE" \) 2>&1)"
assert_eq "her ~/.config/cgfs.conf gives her tree its caps" 321 "$(alice cat "$T/pids_max" 2>&1)"
assert_eq "...in the kernel" 321 "$(cat "$(real pids "deleg/$ALICE" pids.max)")"
assert_op "the caps are hers to change" OK alice "$XOP" write "$T/pids_max" 322
assert_eq "...in the kernel" 322 "$(cat "$(real pids "deleg/$ALICE" pids.max)")"

# A group with a limit, and her own process in it.
assert_op "alice makes a group" OK alice "$XOP" mkdir "$T/g1"
everywhere "...real in every hierarchy, and hers" "$ALICE/g1" '[ "$(stat -c %U "$d")" = "$ALICE" ]'
assert_op "alice sets memory_limit_mb" OK alice "$XOP" write "$T/g1/memory_limit_mb" 64
if [ "$(cg_version memory)" = 2 ]; then f=memory.max; else f=memory.limit_in_bytes; fi
assert_eq "...the kernel's $f" 67108864 "$(cat "$(real memory "deleg/$ALICE/g1" "$f")")"
out=$(alice bash -c 'echo $$ >"$1/procs" && cat /proc/$$/cgroup' _ "$T/g1" 2>&1)
if echo "$out" | grep -q ":/$DELEG/$ALICE/g1/.self\$"; then
	ok "alice's shell moves itself with echo \$\$ > procs"
else
	not_ok "alice's shell moves itself with echo \$\$ > procs: $out"
fi
alice_spawn
mine=$SPAWN
assert_op "alice moves her own process" OK alice "$XOP" write "$T/g1/procs" "$mine"
everywhere "...it is there in every hierarchy" "$ALICE/g1" \
	'[ "$(pid_cgroup "$mine" "$mp")" = "/$DELEG/$ALICE/g1/.self" ]'

# cgfs-run on her mount: a transient group with her limit, gone after.
out=$(alice "$RUN" --mount "$MNT" --pids 50 -- sh -c 'cat /proc/$$/cgroup' 2>&1)
if echo "$out" | grep -Eq ":/$DELEG/$ALICE/[^/]+/.self\$"; then
	ok "cgfs-run --mount runs a command in a group of her tree"
else
	not_ok "cgfs-run --mount runs a command in a group of her tree: $out"
fi
for _ in $(seq 1 100); do
	left=$(alice find "$T" -mindepth 1 -maxdepth 1 -type d ! -name g1 ! -name raw \
		! -name proc ! -name sys 2>&1)
	[ -z "$left" ] && break
	sleep 0.05
done
assert_eq "...and nothing is left of it" "" "$left"

# Nobody else reaches her mount (no allow_other): the kernel refuses them
# before cgfs hears of it.
assert_op "bob looks at alice's mount" EACCES as "$BOB" "$XOP" stat "$MNT"
assert_op "bob reads her tree" EACCES as "$BOB" "$XOP" read "$T/procs"
alice_spawn "$BOB"
bobs=$SPAWN
attack "bob writes his pid into her group" EACCES as "$BOB" "$XOP" write "$T/g1/procs" "$bobs"
assert_op "root looks at alice's mount" EACCES "$XOP" stat "$MNT"
# On v2 bob's process is in her delegated cgroup, where the kernel would
# let her move it: cgfs refuses because it is not hers.
attack "alice moves bob's process" EPERM alice "$XOP" write "$T/g1/procs" "$bobs"
attack "alice makes a tree for bob" EPERM alice "$XOP" mkdir "$MNT/$BOB"
assert_op "alice looks up bob's tree" ENOENT alice "$XOP" stat "$MNT/$BOB"
if [ -n "$START" ]; then
	# Her process outside her cgroup: v2's delegation rule is the kernel's.
	spawn "$ALICE"
	attack "alice moves her own process from outside her cgroup (v2: the kernel refuses)" \
		EACCES alice "$XOP" write "$T/g1/procs" "$SPAWN"
else
	echo "# SKIP alice moving her own process from outside her cgroup (v1/hybrid host:" \
		"cgroup v2 is not served here, and the refusal is v2's delegation rule, which v1 lacks)"
fi

# rmdir moves her process up to the tree root; unmounting is hers.
assert_op "alice removes the group" OK alice "$XOP" rmdir "$T/g1"
everywhere "...gone in every hierarchy" "$ALICE/g1" '[ ! -e "$d" ]'
assert_eq "...her process moved to her tree root" "/$DELEG/$ALICE/.self" \
	"$(pid_cgroup "$mine" "$(cg_mount memory)")"
# Her tree is hers to remove, and comes back at her next lookup.
assert_op "alice removes her tree" OK alice "$XOP" rmdir "$T"
everywhere "...gone in every hierarchy" "$ALICE" '[ ! -e "$d" ]'
assert_op "her next lookup makes it again" OK alice "$XOP" stat "$T"
everywhere "...real in every hierarchy" "$ALICE" '[ -d "$d" ]'
assert_eq "...with her caps" 321 "$(alice cat "$T/pids_max" 2>&1)"
assert_op "she changes her cap again" OK alice "$XOP" write "$T/pids_max" 400
assert_eq "alice unmounts with fusermount3 -u" "" "$(alice fusermount3 -u "$MNT" 2>&1)"
daemon_ends "...and her cgfs exits 0"
grep -q " $MNT " /proc/mounts && not_ok "...the mount is gone" || ok "...the mount is gone"

# Again: the tree stayed in the kernel, and the start writes her
# cgfs.conf's caps to her tree root again. An upgrade in place
# (SIGHUP: the binary re-executes itself keeping the mount) works without
# root, and so does ending the re-executed image, which unmounts through
# fusermount3 (it has no libfuse record of the mount). Her cgfs.conf
# now declares groups: hers are made, another user's tree is not.
printf '[group %s/web]\npids_max = 33\n[group %s/web]\npids_max = 44\n' "$ALICE" "$BOB" \
	>>"$AHOME/.config/cgfs.conf"
start_alice || exit 1
assert_eq "her cgfs.conf's cap is written again at start" 321 "$(alice cat "$T/pids_max" 2>&1)"
assert_eq "her declared group is made" 33 "$(alice cat "$T/web/pids_max" 2>&1)"
everywhere "...bob's is not, nor his tree" "$BOB" '[ ! -e "$d" ]'
old=$(server_pid)
alice kill -HUP "$DAEMON"
if new=$(wait_server "$old"); then
	ok "SIGHUP: a re-executed image serves (server $new)"
else
	not_ok "SIGHUP: a re-executed image serves"
fi
assert_op "...the mount answers" OK alice "$XOP" mkdir "$T/g2"
alice kill -TERM "$DAEMON"
daemon_ends "SIGTERM to the re-executed image: it exits 0"
grep -q " $MNT " /proc/mounts && not_ok "...and unmounts" || ok "...and unmounts"
grep -q "cannot unmount" "$LOG" && not_ok "...without a warning: $(grep 'cannot unmount' "$LOG")" ||
	ok "...without a warning"
exit 0
