#!/bin/bash
# SPDX-License-Identifier: MIT
# Attacks by real unprivileged users through the mount. Every case asserts
# the errno and that nothing changed: neither the real cgroup files (a
# snapshot of every setting file of the run's base, in every hierarchy) nor
# where the processes live.
. "$(dirname "$0")/../lib/lib.sh"

cat >"$CONF" <<CFG
[defaults]
memory_limit_mb = 1024
pids_max = 500
max_groups = 10
max_depth = 3
CFG
start_cgfs -o "config=$CONF" || exit 1
"$XOP" mkdir "$MNT/$ALICE" >/dev/null
"$XOP" mkdir "$MNT/$BOB" >/dev/null
as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web" >/dev/null
as "$BOB" "$XOP" mkdir "$MNT/$BOB/db" >/dev/null
A=$MNT/$ALICE/web



spawn "$ALICE"; alice_p=$SPAWN
spawn "$BOB"; bob_p=$SPAWN
spawn; root_p=$SPAWN
as "$ALICE" "$XOP" write "$A/procs" "$alice_p" >/dev/null
as "$BOB" "$XOP" write "$MNT/$BOB/db/procs" "$bob_p" >/dev/null

# 1-8: bob against alice's tree
assert_op "bob may read alice's knobs (0644, like the kernel's files)" OK as "$BOB" "$XOP" read "$A/memory_limit_mb"
attack "bob writes alice's knob" EACCES as "$BOB" "$XOP" write "$A/memory_limit_mb" 1
attack "bob writes alice's procs" EACCES as "$BOB" "$XOP" write "$A/procs" "$bob_p"
attack "bob freezes alice's group" EACCES as "$BOB" "$XOP" write "$A/freeze" 1
attack "bob kills alice's group" EACCES as "$BOB" "$XOP" write "$A/kill" 1
attack "bob removes alice's group" EACCES as "$BOB" "$XOP" rmdir "$A"
attack "bob makes a group in alice's tree" EACCES as "$BOB" "$XOP" mkdir "$A/evil"
attack "bob removes alice's tree" EACCES as "$BOB" "$XOP" rmdir "$MNT/$ALICE"
attack "bob truncates alice's knob" EACCES as "$BOB" "$XOP" truncate "$A/cpu_weight"

# 9-14: alice against her caps and other people's processes
attack "alice raises her memory cap" EACCES as "$ALICE" "$XOP" write "$MNT/$ALICE/memory_limit_mb" 999999
attack "alice raises her pids cap" EACCES as "$ALICE" "$XOP" write "$MNT/$ALICE/pids_max" max
attack "alice chmods her cap file" EPERM as "$ALICE" "$XOP" chmod "$MNT/$ALICE/memory_limit_mb" 666
attack "alice moves bob's process" EPERM as "$ALICE" "$XOP" write "$A/procs" "$bob_p"
attack "alice moves root's process" EPERM as "$ALICE" "$XOP" write "$A/procs" "$root_p"
attack "alice moves pid 1" EPERM as "$ALICE" "$XOP" write "$A/procs" 1

# 15: alice's own process, held in a cgroup outside her tree (root made it,
# with limits): she may not pull it out of there.
jail=$(cg_mount pids)/$BASE/jail
mkdir "$jail" && echo 5 >"$jail/pids.max"
spawn "$ALICE"; jailed=$SPAWN
echo "$jailed" >"$jail/cgroup.procs"
attack "alice pulls her process out of root's cgroup" EPERM as "$ALICE" "$XOP" write "$A/procs" "$jailed"
assert_eq "it is still in root's cgroup" "/$BASE/jail" "$(pid_cgroup "$jailed" "$(cg_mount pids)")"
kill -KILL "$jailed"; wait "$jailed" 2>/dev/null
rmdir "$jail"

# 16: a pid that is gone, and a recycled pid, judged by who has it now
spawn "$ALICE"; dead=$SPAWN
kill -KILL "$dead"; wait "$dead" 2>/dev/null
attack "alice writes a pid that is gone" ESRCH as "$ALICE" "$XOP" write "$A/procs" "$dead"
spawn "$ALICE"; gone=$SPAWN
kill -KILL "$gone"; wait "$gone" 2>/dev/null
if [ -w /proc/sys/kernel/ns_last_pid ]; then
	echo $((gone - 1)) >/proc/sys/kernel/ns_last_pid
	spawn "$BOB"; reborn=$SPAWN
	if [ "$reborn" = "$gone" ]; then
		attack "alice writes a pid now owned by bob" EPERM as "$ALICE" "$XOP" write "$A/procs" "$reborn"
	else
		echo "# SKIP pid reuse: the kernel gave pid $reborn, not $gone (another process took it)"
	fi
else
	echo "# SKIP pid reuse: /proc/sys/kernel/ns_last_pid is not writable here"
fi

# 17-24: names and path tricks
attack "name ../x stays inside (resolved by the kernel)" EACCES as "$ALICE" "$XOP" mkdir "$A/../../x"
attack "name with a slash-like UTF-8 byte sequence" EINVAL as "$ALICE" "$XOP" mkdir "$A/a$(printf '\xe2\x88\x95')b"
attack "name of 255 characters" EINVAL as "$ALICE" "$XOP" mkdir "$A/$(printf 'x%.0s' $(seq 1 255))"
attack "name of a knob" EEXIST as "$ALICE" "$XOP" mkdir "$A/memory_limit_mb"
attack "name .self" EINVAL as "$ALICE" "$XOP" mkdir "$A/.self"
attack "name with a newline" EINVAL as "$ALICE" "$XOP" mkdir "$A/a
b"
attack "look up the hidden leaf" ENOENT as "$ALICE" "$XOP" read "$A/.self/cgroup.procs"
attack "a user tree for a non-user" EINVAL "$XOP" mkdir "$MNT/nosuchuser-cgfs"

# 25-28: writes that are not one value
attack "write at an offset" EINVAL as "$ALICE" "$XOP" write "$A/pids_max" 10 3
tmp=$(mktemp); chmod 644 "$tmp"
head -c 8192 /dev/zero | tr '\0' 7 >"$tmp"
attack "write larger than a page" EINVAL as "$ALICE" "$XOP" writefrom "$A/pids_max" "$tmp"
printf '10\0' >"$tmp"
attack "value with a NUL byte" EINVAL as "$ALICE" "$XOP" writefrom "$A/pids_max" "$tmp"
rm -f "$tmp"
attack "two values" EINVAL as "$ALICE" "$XOP" write "$A/pids_max" "10 20"

# 29-34: operations outside the contract
attack "rename a group" EPERM as "$ALICE" "$XOP" rename "$A" "$MNT/$ALICE/web2"
attack "rename into bob's tree" EACCES as "$ALICE" "$XOP" rename "$A" "$MNT/$BOB/web"
attack "hard link a knob" EPERM as "$ALICE" "$XOP" link "$A/procs" "$A/p2"
attack "symlink" EPERM as "$ALICE" "$XOP" symlink / "$A/root"
attack "chown a group to root" EPERM as "$ALICE" "$XOP" chown "$A" 0
attack "create a file" EPERM as "$ALICE" "$XOP" create "$A/x"
attack "mknod" EPERM as "$ALICE" "$XOP" mknod "$A/fifo"
attack "set an xattr" EOPNOTSUPP as "$ALICE" "$XOP" setxattr "$A/procs" user.x 1

# 35-37: callers in a user namespace of their own are who they are outside
if as "$ALICE" unshare --user --map-root-user true 2>/dev/null; then
	attack "uid 0 in alice's user namespace cannot make a tree" EACCES \
		as "$ALICE" unshare --user --map-root-user "$XOP" mkdir "$MNT/$BOB/x"
	attack "uid 0 in alice's user namespace cannot raise her cap" EACCES \
		as "$ALICE" unshare --user --map-root-user "$XOP" write "$MNT/$ALICE/memory_limit_mb" 999999
	assert_op "...but it is alice: her own group works" OK \
		as "$ALICE" unshare --user --map-root-user "$XOP" write "$A/pids_max" 77
	assert_eq "...and lands" 77 "$(cat "$A/pids_max")"
else
	echo "# SKIP user namespaces: unprivileged user namespaces are disabled on this kernel"
fi

# 38-39: caps on the number and depth of groups
as "$ALICE" "$XOP" mkdir "$A/a" >/dev/null
as "$ALICE" "$XOP" mkdir "$A/a/b" >/dev/null
attack "deeper than max_depth" EDQUOT as "$ALICE" "$XOP" mkdir "$A/a/b/c"
outs=$(mktemp -d /tmp/cgfs-par.XXXXXX)
racers=()
for i in $(seq 1 100); do
	setpriv --reuid="$(id -u "$ALICE")" --regid="$(id -g "$ALICE")" --clear-groups -- \
		"$XOP" mkdir "$MNT/$ALICE/p$i" >"$outs/$i" 2>&1 &
	racers+=($!)
done
wait "${racers[@]}"
made=$(cat "$outs"/* | grep -c '^OK')
quota=$(cat "$outs"/* | grep -c '^EDQUOT')
rm -rf "$outs"
assert_eq "100 parallel mkdirs: only up to max_groups succeed" 7 "$made"
assert_eq "...the other 93 get EDQUOT" 93 "$quota"
n=$(find "$(cg_mount memory)/$BASE/$ALICE" -mindepth 1 -type d ! -name .self | wc -l)
assert_eq "real groups in alice's tree = max_groups" 10 "$n"
attack "one more is refused" EDQUOT as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/one-more"

# Processes: nobody's moved but alice's own.
assert_eq "bob's process is where bob put it" "/$BASE/$BOB/db/.self" "$(pid_cgroup "$bob_p" "$(cg_mount memory)")"
assert_eq "root's process untouched" "$(pid_cgroup $$ "$(cg_mount memory)")" "$(pid_cgroup "$root_p" "$(cg_mount memory)")"
