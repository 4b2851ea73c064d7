#!/bin/bash
# SPDX-License-Identifier: MIT
# procs moves a pid in every hierarchy; freeze waits for the frozen state;
# kill kills the whole subtree; who may move what.
. "$(dirname "$0")/../lib/lib.sh"

start_cgfs || exit 1
"$XOP" mkdir "$MNT/$ALICE" >/dev/null
"$XOP" mkdir "$MNT/$BOB" >/dev/null
assert_op "alice mkdir web" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web"
assert_op "alice mkdir web/db" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web/db"

spawn "$ALICE"; s=$SPAWN
assert_op "alice moves her sleep with procs" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/procs" "$s"
for mp in $(serving_mounts); do
	assert_eq "/proc/$s/cgroup in $mp" "/$BASE/$ALICE/web/.self" "$(pid_cgroup "$s" "$mp")"
done
assert_eq "procs lists it" "$s" "$(cat "$MNT/$ALICE/web/procs")"
assert_op "echo with a newline works too" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/db/procs" "$s
"
assert_eq "moved into db" "$s" "$(cat "$MNT/$ALICE/web/db/procs")"
assert_eq "web's own procs is empty now" "" "$(cat "$MNT/$ALICE/web/procs")"
as "$ALICE" "$XOP" write "$MNT/$ALICE/web/procs" "$s" >/dev/null

# freeze / thaw
fz=$(cg_mount freezer)
assert_op "freeze 1" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/freeze" 1
assert_eq "freeze reads 1" 1 "$(cat "$MNT/$ALICE/web/freeze")"
if [ "$(cg_version freezer)" = 1 ]; then
	assert_eq "real freezer.state" FROZEN "$(cat "$fz/$BASE/$ALICE/web/freezer.state")"
else
	assert_eq "real cgroup.events frozen" "frozen 1" "$(grep ^frozen "$fz/$BASE/$ALICE/web/cgroup.events")"
fi
st=$(awk '/^State:/ {print $2}' "/proc/$s/status")
case $st in D|T|S) ok "frozen process state $st" ;; *) not_ok "frozen process in state $st" ;; esac
ticks1=$(awk '{print $14 + $15}' "/proc/$s/stat")
assert_op "freeze 0" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/freeze" 0
assert_eq "freeze reads 0" 0 "$(cat "$MNT/$ALICE/web/freeze")"
if [ "$(cg_version freezer)" = 1 ]; then
	assert_eq "real freezer.state thawed" THAWED "$(cat "$fz/$BASE/$ALICE/web/freezer.state")"
fi
kill -0 "$s" && ok "thawed process alive" || not_ok "thawed process died"

# A busy process really stops while frozen.
bash -c 'while :; do :; done' &
busy=$!
SPAWNED+=("$busy")
"$XOP" write "$MNT/$ALICE/web/db/procs" "$busy" >/dev/null
"$XOP" write "$MNT/$ALICE/web/freeze" 1 >/dev/null
t1=$(awk '{print $14 + $15}' "/proc/$busy/stat"); sleep 0.3
t2=$(awk '{print $14 + $15}' "/proc/$busy/stat")
assert_eq "a frozen busy loop gets no CPU time" "$t1" "$t2"
"$XOP" write "$MNT/$ALICE/web/freeze" 0 >/dev/null
sleep 0.3
t3=$(awk '{print $14 + $15}' "/proc/$busy/stat")
[ "$t3" -gt "$t2" ] && ok "thawed busy loop runs again" || not_ok "busy loop did not resume ($t2 -> $t3)"

# kill: the group and everything below it
assert_op "kill 1" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/kill" 1
wait_dead "$s" && ok "kill killed the sleep" || not_ok "sleep $s survived kill"
wait_dead "$busy" && ok "kill killed the process in the child group" || not_ok "busy $busy survived"
assert_op "kill 0 is out of range" ERANGE as "$ALICE" "$XOP" write "$MNT/$ALICE/web/kill" 0
assert_op "kill cannot be read" EACCES as "$ALICE" "$XOP" read "$MNT/$ALICE/web/kill"
assert_eq "group still exists after kill" 0 "$(cat "$MNT/$ALICE/web/freeze")"

# kill reaches processes of a group frozen below (v1 kept them frozen, the
# SIGKILL pending, for ever: found by adversary.sh, seed 17).
as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web/ice" >/dev/null
spawn "$ALICE"; iced=$SPAWN
as "$ALICE" "$XOP" write "$MNT/$ALICE/web/ice/procs" "$iced" >/dev/null
assert_op "freeze a group below" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/ice/freeze" 1
assert_op "kill its parent" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/kill" 1
wait_dead "$iced" && ok "kill killed the process frozen below" || not_ok "frozen $iced survived kill"
# Inside a frozen group: v2 kills; a v1 frozen process cannot die until
# that group is thawed, which kill may not do: EBUSY, nothing signalled.
spawn "$ALICE"; iced=$SPAWN
as "$ALICE" "$XOP" write "$MNT/$ALICE/web/ice/procs" "$iced" >/dev/null
assert_op "freeze the parent" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/freeze" 1
if [ "$(cg_version freezer)" = 1 ]; then
	assert_op "v1: kill inside a frozen group" EBUSY as "$ALICE" "$XOP" write "$MNT/$ALICE/web/ice/kill" 1
	assert_op "...thaw it" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/freeze" 0
	kill -0 "$iced" && ok "...the process was not signalled" || not_ok "$iced died of a refused kill"
	assert_op "...then kill" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/ice/kill" 1
else
	assert_op "v2: kill inside a frozen group" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/ice/kill" 1
	"$XOP" write "$MNT/$ALICE/web/freeze" 0 >/dev/null
fi
wait_dead "$iced" && ok "kill killed the process inside a frozen group" || not_ok "$iced survived kill"
as "$ALICE" "$XOP" rmdir "$MNT/$ALICE/web/ice" >/dev/null

# who may move what
spawn; rootp=$SPAWN
spawn "$BOB"; bobp=$SPAWN
spawn "$ALICE"; own=$SPAWN
assert_op "alice cannot move root's process" EPERM as "$ALICE" "$XOP" write "$MNT/$ALICE/web/procs" "$rootp"
assert_op "alice cannot move bob's process" EPERM as "$ALICE" "$XOP" write "$MNT/$ALICE/web/procs" "$bobp"
assert_op "a pid that does not exist" ESRCH as "$ALICE" "$XOP" write "$MNT/$ALICE/web/procs" 4194304
assert_op "bob cannot write alice's procs" EACCES as "$BOB" "$XOP" write "$MNT/$ALICE/web/procs" "$bobp"
for mp in $(serving_mounts); do
	case $(pid_cgroup "$bobp" "$mp") in
	*"$BASE"*) not_ok "bob's process ended up in $mp" ;;
	*) ok "bob's process untouched in $mp" ;;
	esac
done
assert_op "alice moves her own into her tree root" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/procs" "$own"
assert_op "root moves bob's process into bob's tree" OK "$XOP" write "$MNT/$BOB/procs" "$bobp"
assert_eq "bob's tree lists it" "$bobp" "$(cat "$MNT/$BOB/procs")"
