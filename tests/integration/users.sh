#!/bin/bash
# SPDX-License-Identifier: MIT
# Two users: each owns their tree and nothing else; the admin's caps at a
# tree root are root's.
. "$(dirname "$0")/../lib/lib.sh"

start_cgfs || exit 1
assert_op "alice cannot create a tree" EACCES as "$ALICE" "$XOP" mkdir "$MNT/$ALICE"
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
assert_op "root creates bob's tree" OK "$XOP" mkdir "$MNT/$BOB"
assert_op "alice mkdir web" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web"
A=$MNT/$ALICE/web

assert_op "bob cannot mkdir in alice's tree" EACCES as "$BOB" "$XOP" mkdir "$MNT/$ALICE/evil"
assert_op "bob cannot mkdir in alice's group" EACCES as "$BOB" "$XOP" mkdir "$A/evil"
assert_op "bob cannot rmdir alice's group" EACCES as "$BOB" "$XOP" rmdir "$A"
assert_op "bob cannot write alice's knob" EACCES as "$BOB" "$XOP" write "$A/memory_limit_mb" 1
assert_op "bob cannot freeze alice's group" EACCES as "$BOB" "$XOP" write "$A/freeze" 1
assert_op "bob cannot kill alice's group" EACCES as "$BOB" "$XOP" write "$MNT/$ALICE/kill" 1
assert_op "bob can read alice's knobs (0644)" OK as "$BOB" "$XOP" read "$A/memory_limit_mb"
assert_op "alice cannot remove bob's tree" EACCES as "$ALICE" "$XOP" rmdir "$MNT/$BOB"
assert_op "alice cannot write bob's tree-root procs" EACCES as "$ALICE" "$XOP" write "$MNT/$BOB/procs" 1
assert_op "alice cannot set her tree-root cpu cap" EACCES as "$ALICE" "$XOP" write "$MNT/$ALICE/cpu_percent" 400
assert_op "alice freezes her own tree root" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/freeze" 1
assert_op "alice thaws it" OK as "$ALICE" "$XOP" write "$MNT/$ALICE/freeze" 0
assert_op "root sets alice's cap" OK "$XOP" write "$MNT/$ALICE/cpu_percent" 400
assert_eq "cap reads back" 400 "$(cat "$MNT/$ALICE/cpu_percent")"
assert_op "alice sets a limit below her cap" OK as "$ALICE" "$XOP" write "$A/cpu_percent" 100
assert_eq "ls -l: owners" "root $ALICE $ALICE" \
	"$(stat -c %U "$MNT/$ALICE/cpu_percent") $(stat -c %U "$MNT/$ALICE/procs") $(stat -c %U "$A/cpu_percent")"
assert_eq "read-only knob mode" "444" "$(stat -c %a "$A/memory_usage_mb")"
assert_eq "kill mode" "200" "$(stat -c %a "$A/kill")"
# The real directories stay root's: nobody goes around cgfs.
for mp in $(serving_mounts); do
	assert_eq "real $mp group owned by root" "root root" "$(stat -c '%U %G' "$mp/$BASE/$ALICE/web")"
	assert_op "alice cannot write the real file directly" EACCES as "$ALICE" "$XOP" write "$mp/$BASE/$ALICE/web/cgroup.procs" 1
done

# A cap the kernel refuses makes the tree's creation fail as a whole:
# nothing of it is left in any hierarchy.
stop_cgfs
cat >"$CONF" <<CFG
[user $BOB]
memory_limit_mb = 100
cpus = 0-4000
CFG
"$XOP" rmdir "$MNT/$BOB" >/dev/null 2>&1
start_cgfs -o "config=$CONF" || exit 1
"$XOP" rmdir "$MNT/$BOB" >/dev/null
# CPUs the machine cannot have: the kernel's ERANGE, on v1 and v2.
assert_op "a tree whose cap the kernel refuses" ERANGE "$XOP" mkdir "$MNT/$BOB"
for mp in $(serving_mounts); do
	[ -e "$mp/$BASE/$BOB" ] && not_ok "half-made tree left in $mp" || ok "no half-made tree in $mp"
done
assert_op "the mount does not show it" ENOENT "$XOP" read "$MNT/$BOB/procs"
