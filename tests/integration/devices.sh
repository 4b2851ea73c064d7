#!/bin/bash
# SPDX-License-Identifier: MIT
# devices_deny (cgfs(5)): a group's own device deny list, held by the
# kernel as a cgroup2 device program on the group's directory. The
# tree's owner denies a device in her group and a process she moves in
# cannot open it while others can; a subgroup's list (empty, or another)
# gives nothing back; the cap from cgfs.conf holds at the tree root and
# the owner cannot change it; another user cannot write her list; every
# bad value is refused and changes nothing; a new server (SIGHUP) reads
# the list back from the kernel and the denial holds; the groups go with
# their programs and the server holds no program open.
. "$(dirname "$0")/../lib/lib.sh"

# The cap: /dev/full (c 1:7) may not be read anywhere in a tree.
# A declared group of bob's holds a list of its own.
cat >"$CONF" <<EOF
[defaults]
devices_deny = c 1:7 r
[group $BOB/decl]
devices_deny = c 1:9 r, /dev/zero w
EOF
# -o unified: on a hybrid host, the groups are in cgroup2 too (on a v2
# host it changes nothing).
start_cgfs -o "config=$CONF" -o unified || exit 1
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
G=$ALICE/box
assert_op "alice creates a group" OK as "$ALICE" "$XOP" mkdir "$MNT/$G"
K=$MNT/$G/devices_deny

finish() {
	exit 0
}

if ! ls "$MNT/$G" | grep -qx devices_deny; then
	if [ -n "$V2_MOUNT" ]; then
		not_ok "devices_deny is not listed although cgroup2 is mounted ($V2_MOUNT) and cgfs runs with -o unified"
	else
		echo "# SKIP devices_deny: no cgroup2 hierarchy is mounted here (pure v1):" \
			"the knob is absent, as cgfs(5) says"
		assert_op "without cgroup2, a write to devices_deny finds no file" ENOENT \
			as "$ALICE" "$XOP" write "$K" "c 1:5 r"
	fi
	finish
fi

# read_knob FILE: the knob's content, or the errno's name.
read_knob() {
	local out
	out=$("$XOP" read "$1")
	if [ "$(head -n 1 <<<"$out")" = OK ]; then tail -n +2 <<<"$out"; else echo "$out"; fi
}

# inside USER GROUP CMD...: a shell of USER's moves itself into GROUP
# (through the mount), then runs CMD; prints CMD's output and errors.
inside() {
	local u=$1 g=$2
	shift 2
	as "$u" sh -c 'echo $$ >"$1" || exit 9; shift; exec "$@"' _ "$MNT/$g/procs" "$@" 2>&1
}

# opens USER GROUP|- DEV: "OK" if a process of USER's in GROUP (- : where
# the test runs) can read a byte of DEV, else the error dd reports.
opens() {
	local out
	if [ "$2" = - ]; then
		out=$(as "$1" dd if="$3" bs=1 count=1 status=none 2>&1 >/dev/null)
	else
		# (stdout: a /dev/null this shell opened, outside the group)
		out=$(as "$1" sh -c 'echo $$ >"$1" || exit 9; exec dd if="$2" bs=1 count=1 status=none' \
			_ "$MNT/$2/procs" "$3" 2>&1 >/dev/null)
	fi
	case $out in
	"") echo OK ;;
	*"Operation not permitted"*) echo EPERM ;;
	*) echo "$out" ;;
	esac
}

# ---- the cap at the tree root

assert_eq "the cap is the tree root's list" "c 1:7 r" "$(read_knob "$MNT/$ALICE/devices_deny")"
assert_eq "the tree root's list belongs to root" 0 "$(stat -c %u "$MNT/$ALICE/devices_deny")"
assert_op "alice cannot clear the cap" EACCES as "$ALICE" "$XOP" write "$MNT/$ALICE/devices_deny" $'\n'
assert_eq "her group's own list starts empty" "" "$(read_knob "$K")"
assert_eq "her group's list is hers" "${UID_OF[$ALICE]}" "$(stat -c %u "$K")"
assert_eq "the cap holds in her group: /dev/full" EPERM "$(opens "$ALICE" "$G" /dev/full)"
assert_eq "/dev/zero is readable in her group before any rule" OK "$(opens "$ALICE" "$G" /dev/zero)"

assert_eq "bob's declared group holds its declared list" $'c 1:9 r\nc 1:5 w' \
	"$(read_knob "$MNT/$BOB/decl/devices_deny")"
assert_eq "bob's tree, made for it, has the cap" "c 1:7 r" "$(read_knob "$MNT/$BOB/devices_deny")"

# ---- alice denies /dev/zero in her group

assert_op "alice denies reading /dev/zero" OK as "$ALICE" "$XOP" write "$K" "c 1:5 r"
assert_eq "the list reads back" "c 1:5 r" "$(read_knob "$K")"
assert_eq "a process of hers inside cannot read /dev/zero" EPERM "$(opens "$ALICE" "$G" /dev/zero)"
assert_eq "it can still read /dev/null" OK "$(opens "$ALICE" "$G" /dev/null)"
assert_eq "it can still write /dev/zero (only reading is denied)" OK \
	"$(inside "$ALICE" "$G" sh -c 'echo x >/dev/zero && echo OK')"
assert_eq "a process of hers outside the tree still reads /dev/zero" OK "$(opens "$ALICE" - /dev/zero)"
assert_eq "root outside still reads /dev/zero" OK \
	"$(dd if=/dev/zero of=/dev/null bs=1 count=1 status=none 2>&1 && echo OK)"

# A path is resolved to its device; the list shows the numbers.
assert_op "alice denies by path" OK as "$ALICE" "$XOP" write "$K" $'/dev/zero r\n/dev/null w\n'
assert_eq "paths read back as numbers" $'c 1:5 r\nc 1:3 w' "$(read_knob "$K")"
assert_eq "writing /dev/null is denied now" EPERM \
	"$(inside "$ALICE" "$G" sh -c 'echo x >/dev/null && echo OK' | grep -o 'OK\|Operation not permitted' |
		sed 's/Operation not permitted/EPERM/')"
assert_op "canonical form: access letters in rwm order, commas split" OK \
	as "$ALICE" "$XOP" write "$K" "c 1:5 mr, b *:* m"
assert_eq "the canonical list" $'c 1:5 rm\nb *:* m' "$(read_knob "$K")"
assert_op "a wildcard minor: every c 1:* read" OK as "$ALICE" "$XOP" write "$K" "c 1:* r"
assert_eq "/dev/null unreadable under c 1:*" EPERM "$(opens "$ALICE" "$G" /dev/null)"
assert_op "back to /dev/zero" OK as "$ALICE" "$XOP" write "$K" "c 1:5 r"

# ---- a subgroup cannot widen

S=$G/sub
K2=$MNT/$S/devices_deny
assert_op "alice makes a subgroup" OK as "$ALICE" "$XOP" mkdir "$MNT/$S"
assert_op "the subgroup's list: empty" OK as "$ALICE" "$XOP" write "$K2" $'\n'
assert_eq "its process still cannot read /dev/zero" EPERM "$(opens "$ALICE" "$S" /dev/zero)"
assert_op "the subgroup denies something else" OK as "$ALICE" "$XOP" write "$K2" "c 1:3 w"
assert_eq "the parent's rule still holds below" EPERM "$(opens "$ALICE" "$S" /dev/zero)"
assert_eq "and the subgroup's own" EPERM \
	"$(inside "$ALICE" "$S" sh -c 'echo x >/dev/null && echo OK' | grep -o 'OK\|Operation not permitted' |
		sed 's/Operation not permitted/EPERM/')"
assert_eq "the parent's list is unchanged" "c 1:5 r" "$(read_knob "$K")"

# ---- another user

assert_op "bob cannot write alice's list" EACCES as "$BOB" "$XOP" write "$K" $'\n'
assert_op "bob cannot add to it either" EACCES as "$BOB" "$XOP" write "$K" "c 1:5 r"
assert_eq "raw/ shows no device file" "" "$(ls "$MNT/$G/raw" 2>/dev/null | grep '^devices\.')"
assert_eq "alice's list after bob's tries" "c 1:5 r" "$(read_knob "$K")"

# ---- bad values: a clear errno, and nothing changes

# A regular file in /dev itself (its own file system: only the type is
# wrong), and one in /dev/shm where there is one (another file system).
DEVF=$(mktemp /dev/cgfs-dev.XXXXXX)
SHMF=
[ -d /dev/shm ] && SHMF=$(mktemp /dev/shm/cgfs-dev.XXXXXX)
DEVDIR=$(find /dev -mindepth 1 -maxdepth 1 -type d | head -n 1)
test_cleanup() { rm -f "$DEVF" ${SHMF:+"$SHMF"}; }

# bad DESC ERRNO VALUE: alice's write of VALUE fails with ERRNO and her
# list is what it was.
bad() {
	local before
	before=$(read_knob "$K")
	assert_op "$1" "$2" as "$ALICE" "$XOP" write "$K" "$3"
	assert_eq "$1: the list is unchanged" "$before" "$(read_knob "$K")"
}
bad "a control byte" EINVAL $'c 1:3 r\x01'
bad "a byte past ASCII" EINVAL $'c 1:3 r\xc3\xa9'
bad "an unknown type" EINVAL "x 1:3 r"
bad "an unknown access" EINVAL "c 1:3 q"
bad "a letter twice" EINVAL "c 1:3 rr"
bad "no access" EINVAL "c 1:3"
bad "a major past 4095" ERANGE "c 99999999999:1 r"
bad "a minor past 2^20-1" ERANGE "c 1:1048576 r"
bad "a negative major" EINVAL "c -1:3 r"
bad "no colon" EINVAL "c 13 r"
bad "one device twice" EINVAL $'c 1:3 r\nc 1:3 w'
bad "a path out of /dev" EINVAL "/dev/../etc/passwd r"
bad "a path not below /dev" EINVAL "/etc/passwd r"
bad "a device that is not there" ENOENT "/dev/cgfs-no-such-device r"
bad "a regular file in /dev" EINVAL "$DEVF r"
if [ -n "$SHMF" ]; then
	bad "a regular file in /dev/shm" EINVAL "$SHMF r"
else
	echo "# SKIP a file in /dev/shm: there is no /dev/shm here"
fi
if [ -n "$DEVDIR" ]; then
	bad "a directory" EINVAL "$DEVDIR r"
else
	echo "# SKIP a directory below /dev: there is none here"
fi
if [ -L /dev/fd ]; then
	bad "a symbolic link out of /dev" EINVAL "/dev/fd/0 r"
else
	echo "# SKIP a symbolic link out of /dev: there is no /dev/fd here"
fi
bad "an overlong line" EINVAL "c 1:3 $(printf '%0300d' 0)r"
bad "65 rules" E2BIG "$(for i in $(seq 1 65); do echo "c 1:$i r"; done)"
assert_op "64 rules are fine" OK as "$ALICE" "$XOP" write "$K" "$(for i in $(seq 1 64); do echo "c 9:$i r"; done)"
assert_eq "all 64 read back" 64 "$(read_knob "$K" | grep -c '^c 9:')"
assert_op "back to /dev/zero" OK as "$ALICE" "$XOP" write "$K" "c 1:5 r"

# ---- a program above that a group's would override

# A program attached with BPF_F_ALLOW_OVERRIDE (by root, outside cgfs)
# gives way to a child's: a list below it would widen access. cgfs
# refuses to attach one there, or at the group that holds it.
H=$ALICE/over
assert_op "alice makes a group" OK as "$ALICE" "$XOP" mkdir "$MNT/$H"
assert_op "alice makes a group below it" OK as "$ALICE" "$XOP" mkdir "$MNT/$H/sub"
assert_op "root attaches an overridable program to it (in cgroup2 directly)" OK \
	"$XOP" devoverride "$V2_MOUNT/$BASE/$H"
assert_op "a list below an overridable program is refused" EOPNOTSUPP \
	as "$ALICE" "$XOP" write "$MNT/$H/sub/devices_deny" "c 1:5 r"
assert_op "so is one at its group" EOPNOTSUPP \
	as "$ALICE" "$XOP" write "$MNT/$H/devices_deny" "c 1:5 r"
assert_eq "the group below has no list" "" "$(read_knob "$MNT/$H/sub/devices_deny")"
assert_eq "the foreign program is no list of cgfs's" "" "$(read_knob "$MNT/$H/devices_deny")"
assert_op "the groups go, the foreign program with them" OK \
	as "$ALICE" "$XOP" rmdir "$MNT/$H/sub"
assert_op "the group with the foreign program goes" OK as "$ALICE" "$XOP" rmdir "$MNT/$H"

# ---- a new server reads the list from the kernel

S1=$(server_pid)
kill -HUP "$DAEMON"
S2=$(wait_server "$S1") && ok "a new server answers after SIGHUP ($S2)" ||
	not_ok "no new server after SIGHUP"
assert_eq "the new server reads the same list" "c 1:5 r" "$(read_knob "$K")"
assert_eq "the subgroup's too" "c 1:3 w" "$(read_knob "$K2")"
assert_eq "the cap's too" "c 1:7 r" "$(read_knob "$MNT/$ALICE/devices_deny")"
assert_eq "the denial holds after the restart" EPERM "$(opens "$ALICE" "$G" /dev/zero)"
assert_op "the new server rewrites the list" OK as "$ALICE" "$XOP" write "$K" "c 1:5 rw"
assert_eq "one list, not two" "c 1:5 rw" "$(read_knob "$K")"

# The server holds no program open (each write closes what it loaded).
progs=$(ls -l "/proc/$(server_pid)/fd" 2>/dev/null | grep -c 'bpf-prog')
assert_eq "the server holds no device program open" 0 "$progs"

# ---- removal

assert_op "alice clears her list" OK as "$ALICE" "$XOP" write "$K" $'\n'
assert_eq "an empty list reads empty" "" "$(read_knob "$K")"
assert_eq "/dev/zero is readable in her group again" OK "$(opens "$ALICE" "$G" /dev/zero)"
assert_eq "and in the subgroup (its own rule is about /dev/null)" OK "$(opens "$ALICE" "$S" /dev/zero)"
assert_op "alice denies again" OK as "$ALICE" "$XOP" write "$K" "c 1:5 r"
spawn "$ALICE"
assert_op "a process of hers in the subgroup" OK as "$ALICE" "$XOP" write "$MNT/$S/procs" "$SPAWN"
assert_op "the group goes with its subgroup, both with programs, at once" OK \
	as "$ALICE" "$XOP" rmdir "$MNT/$G"
assert_eq "its process lives on in the tree root's leaf (migrate), in cgroup2 too" \
	"/$BASE/$ALICE/.self" "$(pid_cgroup "$SPAWN" "$V2_MOUNT")"
assert_eq "no directory of the group is left in cgroup2" "" \
	"$(ls -d "$V2_MOUNT/$BASE/$G" 2>/dev/null)"
assert_eq "the tree root's list is still the cap" "c 1:7 r" "$(read_knob "$MNT/$ALICE/devices_deny")"
finish
