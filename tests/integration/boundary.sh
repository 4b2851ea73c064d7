#!/bin/bash
# SPDX-License-Identifier: MIT
# The boundary against a hostile user (docs/SECURITY.md): authority is the
# opener's, admission into a tree, membership in every hierarchy, a handle
# belongs to its group, raw/ files with effects outside the subtree, and
# logs that cannot be forged. Every attack asserts its errno and that
# nothing changed.
. "$(dirname "$0")/../lib/lib.sh"

A_UID=$(id -u "$ALICE")
B_UID=$(id -u "$BOB")
# Admission points: the test's own cgroups (lib.sh), a lobby, and a
# per-user pattern; bob has none at all.
{
	echo "[defaults]"
	admit_lines
	echo "admit = /$BASE/lobby"
	echo "admit = /$BASE/u-%U/**"
	echo "[user $BOB]"
	echo "admit = none"
} >"$CONF"
start_cgfs -v -o "config=$CONF" || exit 1
SERVER=$(server_pid)
"$XOP" mkdir "$MNT/$ALICE" >/dev/null
"$XOP" mkdir "$MNT/$BOB" >/dev/null
as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web" >/dev/null
as "$BOB" "$XOP" mkdir "$MNT/$BOB/db" >/dev/null
A=$MNT/$ALICE/web


# outside_cg NAME [MOUNT...]: makes BASE/NAME, a cgroup outside every
# tree, in the given hierarchies (default: every serving one), with a
# v1 cpuset filled so that processes can enter it.
outside_cg() {
	local name=$1 mp mps
	shift
	if [ $# -gt 0 ]; then mps=("$@"); else mapfile -t mps <<<"$(serving_mounts)"; fi
	for mp in "${mps[@]}"; do
		mkdir -p "$mp/$BASE/$name"
		if [ -f "$mp/$BASE/$name/cpuset.cpus" ] && [ -z "$(cat "$mp/$BASE/$name/cpuset.cpus")" ]; then
			cat "$mp/$BASE/cpuset.cpus" >"$mp/$BASE/$name/cpuset.cpus"
			cat "$mp/$BASE/cpuset.mems" >"$mp/$BASE/$name/cpuset.mems"
		fi
	done
}

# put PID NAME [MOUNT...]: root moves PID into BASE/NAME there.
put() {
	local pid=$1 name=$2 mp mps
	shift 2
	if [ $# -gt 0 ]; then mps=("$@"); else mapfile -t mps <<<"$(serving_mounts)"; fi
	for mp in "${mps[@]}"; do
		echo "$pid" >"$mp/$BASE/$name/cgroup.procs" ||
			{ not_ok "root puts $pid into $mp/$BASE/$name"; return 1; }
	done
}

# where PID: its cgroups in every serving hierarchy, one line.
where() {
	local mp
	for mp in $(serving_mounts); do printf '%s ' "$(pid_cgroup "$1" "$mp")"; done
}

spawn; root_p=$SPAWN
spawn "$ALICE"; alice_p=$SPAWN

# 1. Authority is the opener's: a descriptor alice opened, handed to root
# (SCM_RIGHTS), moves nothing alice could not move.
before=$(where "$root_p")
attack "root writes its own pid through alice's tree-root procs" EPERM \
	"$XOP" handoff "$A_UID" "$(id -g "$ALICE")" "$MNT/$ALICE/procs" "$root_p"
assert_eq "...root's process stayed where it was" "$before" "$(where "$root_p")"
attack "root writes pid 1 through alice's group procs" EPERM \
	"$XOP" handoff "$A_UID" "$(id -g "$ALICE")" "$A/procs" 1
attack "bob cannot even open alice's procs to hand it on" "OPEN EACCES" \
	"$XOP" handoff "$B_UID" "$(id -g "$BOB")" "$A/procs" "$root_p"
assert_op "alice's own process through her handle, written by root: her right" OK \
	"$XOP" handoff "$A_UID" "$(id -g "$ALICE")" "$A/procs" "$alice_p"
assert_eq "...and it moved" "/$BASE/$ALICE/web/.self" "$(pid_cgroup "$alice_p" "$(cg_mount pids)")"

# 2. Admission: a process enters a tree only from inside it or from an
# admission point.
outside_cg jail
spawn "$ALICE"; jailed=$SPAWN
put "$jailed" jail
attack "alice pulls her process out of root's cgroup" EPERM \
	as "$ALICE" "$XOP" write "$A/procs" "$jailed"
# A process moving itself: "in the same cgroups as the writer" is no
# longer a way out.
flag=$(mktemp -u /tmp/cgfs-flag.XXXXXX)
# Started directly so that $! is the process (setpriv execs sh, sh
# execs xop); it waits on a fifo (no children of its own to show up in
# the jail), so it is in the jail before it acts.
mkfifo -m 0666 "$flag"
setpriv --reuid="$A_UID" --regid="$(id -g "$ALICE")" --clear-groups -- \
	sh -c "read _ <$flag; exec \"$XOP\" write \"$A/procs\" self stay" \
	>"$flag.out" 2>&1 &
self_p=$!
SPAWNED+=("$self_p")
put "$self_p" jail
before=$(snapshot)
echo go >"$flag"
for _ in $(seq 1 1500); do [ -s "$flag.out" ] && break; sleep 0.02; done
assert_eq "a jailed process writing its own pid is refused" EPERM "$(head -n 1 "$flag.out")"
assert_eq "...and nothing changed" "$before" "$(snapshot)"
assert_eq "...it is still in the jail" "/$BASE/jail" "$(pid_cgroup "$self_p" "$(cg_mount pids)")"
rm -f "$flag" "$flag.out"
outside_cg lobby
spawn "$ALICE"; lobby_p=$SPAWN
put "$lobby_p" lobby
assert_op "from an admission point (the lobby) alice's process enters" OK \
	as "$ALICE" "$XOP" write "$A/procs" "$lobby_p"
outside_cg "u-$A_UID"
outside_cg "u-$B_UID"
spawn "$ALICE"; own_p=$SPAWN
spawn "$ALICE"; other_p=$SPAWN
put "$own_p" "u-$A_UID"
put "$other_p" "u-$B_UID"
assert_op "%U: from her own u-UID alice's process enters" OK \
	as "$ALICE" "$XOP" write "$A/procs" "$own_p"
attack "%U: from bob's u-UID it does not" EPERM as "$ALICE" "$XOP" write "$A/procs" "$other_p"
spawn "$BOB"; bob_p=$SPAWN
attack "bob (admit = none) cannot bring a process in from outside" EPERM \
	as "$BOB" "$XOP" write "$MNT/$BOB/db/procs" "$bob_p"
assert_op "root may (the administrator places processes)" OK \
	"$XOP" write "$MNT/$BOB/db/procs" "$bob_p"
as "$BOB" "$XOP" mkdir "$MNT/$BOB/db2" >/dev/null
assert_op "...and bob moves it on inside his tree" OK \
	as "$BOB" "$XOP" write "$MNT/$BOB/db2/procs" "$bob_p"

# 3. Membership in every hierarchy: inside the tree in one, jailed in
# others, the process stays jailed.
pm=$(cg_mount pids)
fm=$(cg_mount freezer)
if [ "$pm" != "$fm" ]; then
	mm=$(cg_mount memory)
	outside_cg jail2 "$pm" "$mm"
	spawn "$ALICE"; mixed=$SPAWN
	as "$ALICE" "$XOP" write "$A/procs" "$mixed" >/dev/null
	put "$mixed" jail2 "$pm" "$mm"
	attack "alice pulls her process out of root's pids and memory jail" EPERM \
		as "$ALICE" "$XOP" write "$A/procs" "$mixed"
	assert_eq "...still jailed in pids" "/$BASE/jail2" "$(pid_cgroup "$mixed" "$pm")"
	assert_eq "...still in her group in the freezer" "/$BASE/$ALICE/web/.self" \
		"$(pid_cgroup "$mixed" "$fm")"
else
	echo "# SKIP mixed hierarchies: pids and freezer are one hierarchy here (cgroup v2)"
fi

# 6. A handle belongs to the group it was opened on: removed and made
# again under its name, the group is another one.
as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/st" >/dev/null
S=$MNT/$ALICE/st
remake="$XOP rmdir $S && $XOP mkdir $S"
attack "a write through a handle of a removed group" ENOENT \
	as "$ALICE" "$XOP" after w "$S/pids_max" 7 sh -c "$remake"
assert_eq "...the new group's value is untouched" max "$(cat "$S/pids_max")"
attack "a read through it" ENOENT as "$ALICE" "$XOP" after r "$S/pids_max" "" sh -c "$remake"
spawn "$ALICE"; st_p=$SPAWN
as "$ALICE" "$XOP" write "$S/procs" "$st_p" >/dev/null
assert_op "kill through a handle of a removed group" ENOENT \
	as "$ALICE" "$XOP" after w "$S/kill" 1 sh -c "$remake && $XOP write $S/procs $st_p"
kill -0 "$st_p" 2>/dev/null && ok "...the process in the new group lives" ||
	not_ok "the process in the new group was killed"
before=$(where "$alice_p")
assert_op "procs through a handle of a removed group" ENOENT \
	as "$ALICE" "$XOP" after w "$S/procs" "$alice_p" sh -c "$remake"
assert_eq "...the process did not move" "$before" "$(where "$alice_p")"
attack "a raw file through a handle of a removed group" ENOENT \
	as "$ALICE" "$XOP" after w "$S/raw/pids.max" 7 sh -c "$remake"
# (read the new group's: found by adversary.sh, seed 17)
attack "a raw read through a handle of a removed group" ENOENT \
	as "$ALICE" "$XOP" after r "$S/raw/pids.max" "" sh -c "$remake"

# ...also when the tree is removed and its name given to a new uid: the
# old uid's descriptors reach nothing of the new user's.
TMPU=cgfs-t$$
free_uid() {
	local u
	for u in $(seq 61000 61999); do id "$u" >/dev/null 2>&1 || { echo "$u"; return; }; done
}
# set_user NAME UID: NAME (only ever ours) gets UID, made or remade. The
# v2 guest has no useradd: its /etc/passwd is the test bed's own file.
set_user() {
	if command -v useradd >/dev/null; then
		userdel -f "$1" >/dev/null 2>&1
		useradd --no-create-home --shell /usr/sbin/nologin -u "$2" -U "$1"
	else
		sed -i "/^$1:/d" /etc/passwd
		echo "$1:x:$2:$2::/:/bin/false" >>/etc/passwd
	fi
}
test_cleanup() {
	if command -v userdel >/dev/null; then
		userdel -f "$TMPU" >/dev/null 2>&1
	else
		sed -i "/^$TMPU:/d" /etc/passwd
	fi
	rm -f "$RUN_CONF.go" "$RUN_CONF.done"
}
old_uid=$(free_uid)
set_user "$TMPU" "$old_uid"
"$XOP" mkdir "$MNT/$TMPU" >/dev/null
setpriv --reuid="$old_uid" --regid="$old_uid" --clear-groups "$XOP" mkdir "$MNT/$TMPU/w" >/dev/null
mkfifo -m 0666 "$RUN_CONF.go" "$RUN_CONF.done"
# The old uid opens its knob and kill, then waits while root gives the
# name to a new uid, who makes the same group and puts a process there.
for f in pids_max kill; do
	v=7; [ "$f" = kill ] && v=1
	setpriv --reuid="$old_uid" --regid="$old_uid" --clear-groups \
		"$XOP" after w "$MNT/$TMPU/w/$f" "$v" sh -c "echo >$RUN_CONF.go; read _ <$RUN_CONF.done" \
		>"$RUN_CONF.out" 2>&1 &
	opener=$!
	read -r _ <"$RUN_CONF.go"
	"$XOP" rmdir "$MNT/$TMPU" >/dev/null
	new_uid=$(free_uid)
	set_user "$TMPU" "$new_uid"
	"$XOP" mkdir "$MNT/$TMPU" >/dev/null
	setpriv --reuid="$new_uid" --regid="$new_uid" --clear-groups "$XOP" mkdir "$MNT/$TMPU/w" >/dev/null
	setpriv --reuid="$new_uid" --regid="$new_uid" --clear-groups sleep 1000 &
	new_p=$!
	SPAWNED+=("$new_p")
	"$XOP" write "$MNT/$TMPU/w/procs" "$new_p" >/dev/null
	before=$(snapshot)
	echo >"$RUN_CONF.done"
	wait "$opener"
	assert_eq "the old uid's $f handle after its tree went to a new uid" ENOENT \
		"$(head -n 1 "$RUN_CONF.out")"
	assert_eq "...nothing of the new user's changed" "$before" "$(snapshot)"
	kill -0 "$new_p" 2>/dev/null && ok "...the new user's process lives" ||
		not_ok "the old uid killed the new user's process"
	assert_eq "...and owns its tree" "$new_uid" "$(stat -c %u "$MNT/$TMPU/w/procs")"
	kill "$new_p"; wait "$new_p" 2>/dev/null
	"$XOP" rmdir "$MNT/$TMPU" >/dev/null
	set_user "$TMPU" "$old_uid"
	"$XOP" mkdir "$MNT/$TMPU" >/dev/null
	setpriv --reuid="$old_uid" --regid="$old_uid" --clear-groups "$XOP" mkdir "$MNT/$TMPU/w" >/dev/null
done
"$XOP" rmdir "$MNT/$TMPU" >/dev/null
rm -f "$RUN_CONF.out"

# 8. raw/ files whose effects reach outside the subtree are read-only.
n=0
for f in cpuset.cpu_exclusive cpuset.mem_exclusive cpuset.sched_load_balance \
	cpuset.sched_relax_domain_level cpuset.cpus.partition cpuset.cpus.exclusive \
	memory.use_hierarchy io.prio.class blkio.prio.class; do
	[ -e "$A/raw/$f" ] || { echo "# SKIP raw/$f: this kernel has no such file here"; continue; }
	n=$((n + 1))
	assert_eq "raw/$f is 0444" 444 "$(stat -c %a "$A/raw/$f")"
	attack "alice writes raw/$f" EACCES as "$ALICE" "$XOP" write "$A/raw/$f" 1
	attack "root writes raw/$f" EACCES "$XOP" write "$A/raw/$f" 1
done
[ "$n" -gt 0 ] && ok "$n raw files with effects outside the subtree checked" ||
	not_ok "none of the raw files with outside effects exists here"

# 9. Logs cannot be forged: a refused name with line breaks and a
# journald priority stays inside its own line, escaped.
evil=$(printf 'x\ncgfs: error: forged line\n<0>forged too')
attack "a name with line breaks" EINVAL as "$ALICE" "$XOP" mkdir "$A/$evil"
if grep -q '^cgfs: error: forged line' "$LOG" || grep -q '^<0>forged' "$LOG"; then
	not_ok "a user's name forged a log line"
else
	ok "no forged log line"
fi
grep -qF 'x\x0acgfs: error: forged line\x0a<0>forged too' "$LOG" &&
	ok "...the refused name is logged escaped" || not_ok "the refused name is not logged escaped"
# A server that crashes is replaced at once, and the request it died on
# may still get the expected errno from the next: none may have died.
assert_eq "the server never died (one server, no restart)" "$SERVER" "$(server_pid)"
