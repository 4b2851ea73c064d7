#!/bin/bash
# SPDX-License-Identifier: MIT
# Every bad input of cgfs(5)'s ERRORS gets its errno and changes nothing
# in any hierarchy.
. "$(dirname "$0")/../lib/lib.sh"

start_cgfs || exit 1
"$XOP" mkdir "$MNT/$ALICE" >/dev/null
assert_op "alice mkdir web" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/web"
G=$MNT/$ALICE/web

# bad KNOB ERRNO VALUE...: each value refused with ERRNO, and all of
# them together changed nothing. (One snapshot per batch, not per value:
# a snapshot reads every setting file of every hierarchy, and a refused
# value cannot undo what an earlier one changed.)
bad() {
	local knob=$1 want=$2 v before after
	shift 2
	[ -e "$G/$knob" ] || { echo "# SKIP $knob: not on this host"; return; }
	before=$(snapshot)
	for v in "$@"; do
		assert_op "$knob '$v' -> $want" "$want" as "$ALICE" "$XOP" write "$G/$knob" "$v"
	done
	after=$(snapshot)
	assert_eq "$knob: the $# values refused with $want changed nothing" "$before" "$after"
}

# "echo > knob" sends a lone newline: an empty value.
NL=$'\n'
as "$ALICE" "$XOP" write "$G/memory_limit_mb" 300 >/dev/null
as "$ALICE" "$XOP" write "$G/cpu_percent" 50 >/dev/null
as "$ALICE" "$XOP" write "$G/pids_max" 77 >/dev/null

# The snapshot must see a real change, or "changed nothing" proves nothing.
before=$(snapshot)
as "$ALICE" "$XOP" write "$G/memory_limit_mb" 301 >/dev/null
[ "$before" != "$(snapshot)" ] && ok "snapshot sees a change" || not_ok "snapshot is blind"
as "$ALICE" "$XOP" write "$G/memory_limit_mb" 300 >/dev/null
assert_eq "snapshot is stable" "$before" "$(snapshot)"

for k in memory_limit_mb memory_high_mb memory_swap_limit_mb; do
	bad $k EINVAL "$NL" " " abc -5 1e99 512MB "1 2" 12x 0x10 -1.5 1.2.3 +5 "5 M" max1
	bad $k ERANGE 99999999999999999999 9999999999T
done
bad cpu_percent EINVAL "$NL" abc -5 1e99 "1 2" 12.345 50%% 1..5
bad cpu_percent ERANGE 0 0.01 0.5 99999999999999999
bad cpu_weight EINVAL "$NL" abc -5 1e99 "1 2" 1.5 max
bad cpu_weight ERANGE 0 10001 262144
bad io_weight EINVAL "$NL" abc -5 "1 2"
bad io_weight ERANGE 0 10001
bad pids_max EINVAL "$NL" abc -5 1e99 "1 2" 1.5
bad pids_max ERANGE 4194305 99999999999
bad cpus EINVAL "$NL" abc "3-1" "0-" ",1" "1,,2" "1 2" -1
bad freeze EINVAL "$NL" abc -1 "1 1" yes
bad freeze ERANGE 2 10
bad kill EINVAL "$NL" abc "1 1"
bad kill ERANGE 0 2
bad procs EINVAL "$NL" abc -5 0 "1 2" 1.5 99999999999999
bad procs ESRCH 4194304

# Bytes a shell can send that are not a value at all.
tmp=$(mktemp)
chmod 644 "$tmp"
# A zero-length write never reaches cgfs (the kernel completes it), so
# "printf '' > knob" succeeds and changes nothing.
before=$(snapshot)
assert_op "a zero-length write" OK as "$ALICE" "$XOP" write "$G/memory_limit_mb" ""
assert_eq "a zero-length write changed nothing" "$before" "$(snapshot)"
printf '5\0000' >"$tmp"
before=$(snapshot)
assert_op "a NUL byte -> EINVAL" EINVAL as "$ALICE" "$XOP" writefrom "$G/memory_limit_mb" "$tmp"
head -c 1048576 /dev/zero | tr '\0' 1 >"$tmp"
assert_op "1 MiB of data -> EINVAL" EINVAL as "$ALICE" "$XOP" writefrom "$G/memory_limit_mb" "$tmp"
head -c 4097 /dev/zero | tr '\0' ' ' >"$tmp"
assert_op "a write larger than a page -> EINVAL" EINVAL as "$ALICE" "$XOP" writefrom "$G/pids_max" "$tmp"
rm -f "$tmp"
assert_op "a write at an offset -> EINVAL" EINVAL as "$ALICE" "$XOP" write "$G/memory_limit_mb" 100 5
assert_eq "none of these changed anything" "$before" "$(snapshot)"
assert_eq "memory_limit_mb still reads 300" 300 "$(cat "$G/memory_limit_mb")"
assert_eq "pids_max still reads 77" 77 "$(cat "$G/pids_max")"
assert_eq "cpu_percent still reads 50" 50 "$(cat "$G/cpu_percent")"

# Group names.
before=$(snapshot)
long=$(printf 'a%.0s' $(seq 1 300))
assert_op "name .hidden" EINVAL as "$ALICE" "$XOP" mkdir "$G/.hidden"
assert_op "name .self" EINVAL as "$ALICE" "$XOP" mkdir "$G/.self"
assert_op "name of a knob" EEXIST as "$ALICE" "$XOP" mkdir "$G/procs"
assert_op "name raw" EEXIST as "$ALICE" "$XOP" mkdir "$G/raw"
assert_op "name with a space" EINVAL as "$ALICE" "$XOP" mkdir "$G/a b"
assert_op "name starting with -" EINVAL as "$ALICE" "$XOP" mkdir "$G/-x"
assert_op "name with a dot" EINVAL as "$ALICE" "$XOP" mkdir "$G/a.b"
assert_op "name of 65 characters" EINVAL as "$ALICE" "$XOP" mkdir "$G/$(printf 'b%.0s' $(seq 1 65))"
assert_op "name of 300 characters" EINVAL as "$ALICE" "$XOP" mkdir "$G/$long"
assert_op "name with a UTF-8 letter" EINVAL as "$ALICE" "$XOP" mkdir "$G/caf$(printf '\xc3\xa9')"
assert_eq "refused names changed nothing" "$before" "$(snapshot)"
assert_op "name of 64 characters is fine" OK as "$ALICE" "$XOP" mkdir "$G/$(printf 'c%.0s' $(seq 1 64))"
assert_op "name with _@+- is fine" OK as "$ALICE" "$XOP" mkdir "$G/a_b@c+d-e"
# ../x is resolved by the kernel before cgfs sees it: it names alice/x.
assert_op "web/../x makes the group x" OK as "$ALICE" "$XOP" mkdir "$G/../x"
[ -d "$(cg_mount memory)/$BASE/$ALICE/x" ] && ok "../x landed next to web" || not_ok "../x not at $ALICE/x"

# Operations outside the contract.
before=$(snapshot)
assert_op "create a regular file" EPERM as "$ALICE" "$XOP" create "$G/newfile"
assert_op "mknod" EPERM as "$ALICE" "$XOP" mknod "$G/fifo"
assert_op "rename a group" EPERM as "$ALICE" "$XOP" rename "$MNT/$ALICE/x" "$MNT/$ALICE/y"
assert_op "rename a knob" EPERM as "$ALICE" "$XOP" rename "$G/cpu_weight" "$G/w"
assert_op "link a knob" EPERM as "$ALICE" "$XOP" link "$G/cpu_weight" "$G/w"
assert_op "symlink" EPERM as "$ALICE" "$XOP" symlink /etc/passwd "$G/s"
assert_op "unlink a knob" EPERM as "$ALICE" "$XOP" unlink "$G/cpu_weight"
assert_op "chmod a knob by alice" EPERM as "$ALICE" "$XOP" chmod "$G/cpu_weight" 666
assert_op "chown a group by alice" EPERM as "$ALICE" "$XOP" chown "$G" 0
assert_op "chmod a knob by root" EPERM "$XOP" chmod "$G/cpu_weight" 666
assert_op "rmdir of a knob" ENOTDIR as "$ALICE" "$XOP" rmdir "$G/cpu_weight"
assert_op "rmdir of a missing group" ENOENT as "$ALICE" "$XOP" rmdir "$G/nothere"
assert_op "mkdir below a knob" ENOTDIR as "$ALICE" "$XOP" mkdir "$G/cpu_weight/x"
assert_eq "refused operations changed nothing" "$before" "$(snapshot)"
assert_op "truncate (what echo > does) is accepted" OK as "$ALICE" "$XOP" truncate "$G/cpu_weight"
