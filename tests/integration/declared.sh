#!/bin/bash
# SPDX-License-Identifier: MIT
# Declared groups (cgfs.conf's [group USER/PATH]): made with their trees
# and their values at start, made again when removed (outside, or by the
# user's own rmdir), never overwritten when they exist; a reload makes
# new ones; a bad declaration is refused with FILE:LINE, and declarations
# naming no user, root, "..", or odd bytes make nothing.
. "$(dirname "$0")/../lib/lib.sh"

if v2_serves; then PRIMARY=$V2_MOUNT; else PRIMARY=$(cg_mount freezer); fi
if [ "$(cg_version memory)" = 2 ]; then MEMFILE=memory.max; else MEMFILE=memory.limit_in_bytes; fi

# wait_value DESC WANT FILE: FILE (through the mount) reads WANT within
# 10 s; the group may be on its way back.
wait_value() {
	local i got=
	for i in $(seq 1 200); do
		got=$(cat "$3" 2>/dev/null) && [ "$got" = "$2" ] && break
		sleep 0.05
	done
	assert_eq "$1" "$2" "$got"
}

# outside_rmdir GROUP: root removes the group's directories (and leaves)
# in every hierarchy behind cgfs's back, the primary last.
outside_rmdir() {
	local mp
	for mp in $(serving_mounts | grep -vx "$PRIMARY") "$PRIMARY"; do
		rmdir "$mp/$BASE/$1/.self" 2>/dev/null
		rmdir "$mp/$BASE/$1" || not_ok "outside rmdir of $mp/$BASE/$1"
	done
}

# The stranger declarations are made of names that must not exist.
NOUSER=cgfs-no-such-user-$$
cat >"$CONF" <<CFG
[defaults]
pids_max = 1000

[group $ALICE/web]               ; alice's web group
memory_limit_mb = 512
pids_max = 100

[group $ALICE/web/db]
pids_max = 50

[group $BOB/deep/a/b]            ; its parents are made as plain groups
pids_max = 7

[group $CAROL/refused]            ; the kernel refuses cpus, not the rest
cpus = 1000
pids_max = 12

[group $NOUSER/web]
pids_max = 5

[group root/evil]
pids_max = 5
CFG
start_cgfs -o "config=$CONF" || exit 1

# 1. At start: the trees and the groups, with the values.
assert_eq "alice's tree is made, with its cap" 1000 "$(cat "$MNT/$ALICE/pids_max" 2>&1)"
assert_eq "alice/web's pids_max" 100 "$(cat "$MNT/$ALICE/web/pids_max" 2>&1)"
assert_eq "...in the kernel" 100 "$(cat "$(real pids "$ALICE/web" pids.max)" 2>&1)"
assert_eq "alice/web's memory_limit_mb" 512 "$(cat "$MNT/$ALICE/web/memory_limit_mb" 2>&1)"
assert_eq "...in the kernel" 536870912 "$(cat "$(real memory "$ALICE/web" "$MEMFILE")" 2>&1)"
assert_eq "alice/web/db's pids_max" 50 "$(cat "$MNT/$ALICE/web/db/pids_max" 2>&1)"
assert_eq "bob/deep/a/b's pids_max" 7 "$(cat "$MNT/$BOB/deep/a/b/pids_max" 2>&1)"
assert_eq "bob/deep, made on the way, has no value of its own" max \
	"$(cat "$MNT/$BOB/deep/pids_max" 2>&1)"
missing=
for mp in $(serving_mounts); do
	for g in "$ALICE/web/db" "$BOB/deep/a/b"; do [ -d "$mp/$BASE/$g" ] || missing="$missing $mp/$g"; done
done
assert_eq "every declared group is real in every hierarchy" "" "$missing"
assert_eq "a declared group is its user's, as their mkdir makes it" "$ALICE $ALICE" \
	"$(stat -c '%U %G' "$MNT/$ALICE/web")"
assert_eq "...and so is a parent made on the way" "$BOB" "$(stat -c %U "$MNT/$BOB/deep/a")"
assert_eq "its knobs are its user's" "$ALICE" "$(stat -c %U "$MNT/$ALICE/web/pids_max")"
assert_eq "a group with a value the kernel refuses is made, the next value written" 12 \
	"$(cat "$MNT/$CAROL/refused/pids_max" 2>&1)"
grep -q "declared cpus = 1000 for /$CAROL/refused (line [0-9]*) refused by the kernel" "$LOG" &&
	ok "...and the refusal is logged" || not_ok "the kernel's refusal is not logged"
left=
for mp in $(serving_mounts); do
	for t in "$NOUSER" root; do [ -e "$mp/$BASE/$t" ] && left="$left $mp/$t"; done
done
assert_eq "no tree for a user that does not exist, nor for root" "" "$left"
# (start_cgfs adds admission points to the file it runs with: lines move.)
line_of() { grep -n -F "[group $1]" "$RUN_CONF" | cut -d: -f1; }
grep -q "declared group /$NOUSER/web (line $(line_of "$NOUSER/web")) not made: $NOUSER is not a user" \
	"$LOG" && ok "the declaration naming no user is logged with its line" ||
	not_ok "the declaration naming no user is not logged"
grep -q "declared group /root/evil (line $(line_of root/evil)) not made" "$LOG" &&
	ok "root's tree is refused and logged" || not_ok "root's tree is not logged"
assert_eq "the top lists the trees with declared groups" "$ALICE $BOB $CAROL" "$(ls "$MNT" | tr '\n' ' ' | sed 's/ $//')"

# 2. What the user changes stays across a restart of the daemon.
assert_op "alice changes her declared group's pids_max" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/pids_max" 77
assert_op "alice makes a group in it" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web/own"
stop_cgfs
start_cgfs -o "config=$CONF" || exit 1
assert_eq "after a restart alice's value stays" 77 "$(cat "$MNT/$ALICE/web/pids_max" 2>&1)"
assert_eq "...in the kernel" 77 "$(cat "$(real pids "$ALICE/web" pids.max)" 2>&1)"
assert_eq "...and her own group" max "$(cat "$MNT/$ALICE/web/own/pids_max" 2>&1)"
assert_eq "the restart made nothing (the log says so once)" 1 "$(grep -c ', 0 made now' "$LOG")"

# 3. An outside rmdir (root, in the real hierarchies) makes it come back,
# with the declared values.
outside_rmdir "$ALICE/web/db"
wait_value "an outside rmdir of alice/web/db: back with its declared pids_max" 50 "$MNT/$ALICE/web/db/pids_max"
assert_eq "...in the kernel" 50 "$(cat "$(real pids "$ALICE/web/db" pids.max)" 2>&1)"
assert_eq "...owned by alice" "$ALICE" "$(stat -c %U "$MNT/$ALICE/web/db" 2>&1)"
# The user's own rmdir through cgfs works, and the group comes back as
# declared (cgconfig.conf's groups are there whenever its service runs).
assert_op "alice changes alice/web/db" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web/db/pids_max" 40
assert_op "alice removes her declared group" OK as "$ALICE" "$XOP" rmdir "$MNT/$ALICE/web/db"
wait_value "...it comes back with its declared value" 50 "$MNT/$ALICE/web/db/pids_max"
# A removed tree comes back with its caps and every declared group in it.
# cgfs makes a declared group again as soon as it sees it gone, and may
# do so while find(1) is still on its way up: the directory above then
# is not empty, and the tree stays. The removal is tried again (as an
# administrator would) until the tree's cgroup is another one.
ino=$(stat -c %i "$PRIMARY/$BASE/$BOB")
for try in $(seq 1 20); do
	for mp in $(serving_mounts | grep -vx "$PRIMARY") "$PRIMARY"; do
		find "$mp/$BASE/$BOB" -depth -type d -delete 2>/dev/null
	done
	[ "$(stat -c %i "$PRIMARY/$BASE/$BOB" 2>/dev/null)" = "$ino" ] || break
	sleep 0.2
done
echo "# bob's tree removed outside in $try tries"
wait_value "bob's whole tree removed outside: bob/deep/a/b back" 7 "$MNT/$BOB/deep/a/b/pids_max"
assert_eq "...and bob's tree with its cap" 1000 "$(cat "$MNT/$BOB/pids_max" 2>&1)"
[ "$(stat -c %i "$PRIMARY/$BASE/$BOB")" != "$ino" ] && ok "...a new cgroup, not the old one" ||
	not_ok "bob's tree is the old cgroup: it was not removed"
# A flood of rmdirs of a declared group by its user: each comes back, and
# cgfs keeps answering.
n=0
for i in $(seq 1 30); do
	as "$ALICE" "$XOP" rmdir "$MNT/$ALICE/web/db" >/dev/null 2>&1 && n=$((n + 1))
done
[ "$n" -gt 0 ] && ok "$n of 30 rmdirs in a row went through" || not_ok "none of 30 rmdirs went through"
wait_value "after the flood alice/web/db is back as declared" 50 "$MNT/$ALICE/web/db/pids_max"
assert_op "cgfs answers after the flood" OK "$XOP" read "$MNT/$ALICE/web/pids_max"

# A restart after a crash makes what went missing while no server
# watched: the server is stopped, the group removed, the server killed.
S=$(server_pid)
kill -STOP "$S"
outside_rmdir "$ALICE/web/db"
kill -KILL "$S"
S=$(wait_server "$S") && ok "a new server after kill -9" || not_ok "no server after kill -9"
assert_eq "the new server made the group removed meanwhile" 50 "$(cat "$MNT/$ALICE/web/db/pids_max" 2>&1)"
grep -q "declared groups in cgfs.conf, 1 made now" "$LOG" && ok "...at its start (the log says so)" ||
	not_ok "the new server's start did not make it"

# 4. A reload (SIGHUP) with new declarations makes them; a group alice
# made herself first is left as she set it.
assert_op "alice makes web2 herself" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web2"
assert_op "...and sets its pids_max" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/web2/pids_max" 33
cat >>"$RUN_CONF" <<CFG
[group $CAROL/new]
pids_max = 9
[group $ALICE/web2]
pids_max = 9
CFG
# Many at once: made again a bounded share at a time (WATCH_DECLARED_MAX).
for i in $(seq 1 150); do printf '[group %s/many/g%d]\npids_max = 3\n' "$CAROL" "$i"; done >>"$RUN_CONF"
S=$(server_pid)
kill -HUP "$DAEMON"
S=$(wait_server "$S") && ok "SIGHUP with new declarations: a new server" || not_ok "no server after SIGHUP"
assert_eq "the new declared group is made, with its tree" 9 "$(cat "$MNT/$CAROL/new/pids_max" 2>&1)"
assert_eq "...in the kernel" 9 "$(cat "$(real pids "$CAROL/new" pids.max)" 2>&1)"
assert_eq "a declared group that existed keeps its user's value" 33 "$(cat "$MNT/$ALICE/web2/pids_max" 2>&1)"
assert_eq "150 more declared groups are made" 150 "$(ls "$MNT/$CAROL/many" | grep -c '^g')"
for mp in $(serving_mounts | grep -vx "$PRIMARY") "$PRIMARY"; do
	find "$mp/$BASE/$CAROL/many" -depth -type d -delete 2>/dev/null
done
for i in $(seq 1 200); do
	[ "$(ls "$MNT/$CAROL/many" 2>/dev/null | grep -c '^g')" = 150 ] && break
	sleep 0.05
done
assert_eq "all 150 removed outside at once come back" 150 "$(ls "$MNT/$CAROL/many" 2>/dev/null | grep -c '^g')"
wait_value "...with their values" 3 "$MNT/$CAROL/many/g150/pids_max"
assert_eq "...whole in every hierarchy" "" "$(for mp in $(serving_mounts); do
	[ -d "$mp/$BASE/$CAROL/many/g150" ] || echo "$mp"; done)"

# 5. A bad declaration: refused with FILE:LINE, the old configuration
# stays (its declared groups still come back).
cp "$RUN_CONF" "$CONF.good"
line=$(($(wc -l <"$RUN_CONF") + 2))
printf '[group %s/new2]\npids_max = lots\n' "$CAROL" >>"$RUN_CONF"
S=$(server_pid)
kill -HUP "$DAEMON"
S=$(wait_server "$S") && ok "SIGHUP with a bad declaration: a server of the old configuration" ||
	not_ok "no server after SIGHUP with a bad declaration"
grep -q "$RUN_CONF:$line: value 'lots' for pids_max is not valid" "$LOG" &&
	ok "the bad declaration is logged with its file and line" ||
	not_ok "the bad declaration is not logged as $RUN_CONF:$line"
assert_eq "nothing of it is made" "" "$(ls -d "$MNT/$CAROL/new2" 2>/dev/null)"
assert_op "alice removes her declared group under the old configuration" OK \
	as "$ALICE" "$XOP" rmdir "$MNT/$ALICE/web/db"
wait_value "...it comes back as the old configuration declares" 50 "$MNT/$ALICE/web/db/pids_max"
cp "$CONF.good" "$RUN_CONF"
rm -f "$CONF.good"

# 6. Hostile declarations are refused at start (exit 2, FILE:LINE) and
# make nothing.
check() { "$CGFS" --check-config -o "config=$CONF" "$MNT" 2>&1; }
refused() {
	local desc=$1 want=$2 out rc
	out=$(check)
	rc=$?
	assert_eq "$desc: exit status 2" 2 "$rc"
	case $out in *"$CONF:$want"*) ok "$desc: '$CONF:$want'" ;;
	*) not_ok "$desc: no '$CONF:$want' in: $out" ;; esac
}
printf '[defaults]\n\n[group %s/../../etc]\n' "$ALICE" >"$CONF"
refused "a declaration naming .." "3: invalid group name '..'"
printf '[group %s/w\001\377x]\n' "$ALICE" >"$CONF"
refused "a declaration with odd bytes" "1: invalid group name 'w??x'"
printf '[group ../web]\n' >"$CONF"
refused "a declaration without a user" "1: invalid [group ../web]"
printf '[group %s/web]\nprocs = 1\n' "$ALICE" >"$CONF"
refused "a declaration moving a process" "2: key 'procs' in [group $ALICE/web] is not a knob"
printf '[group %s/raw]\n' "$ALICE" >"$CONF"
refused "a declaration named raw" "1: group name 'raw'"
{ for i in $(seq 0 4096); do echo "[group $ALICE/g$i]"; done; } >"$CONF"
refused "4097 declarations" "4097: more than 4096 [group] sections"
printf '[group %s/web/db]\npids_max = 1\n' "$ALICE" >"$CONF"
assert_eq "a good declaration passes --check-config" 0 "$(check >/dev/null; echo $?)"
