#!/bin/bash
# SPDX-License-Identifier: MIT
# container.sh's container: runs as pid 1 of a new pid namespace (with its
# own mount namespace and /proc), binds a cgfs group onto a directory the
# way a container runtime would, uses it through that directory, and writes
# what it saw, "key value" a line, to OUT for container.sh to assert.
# Then waits for a line on the fifo GO (container.sh checks the host's
# side in the meantime) and exits, which ends every process of the namespace.
#
# Usage: container-inside.sh GROUP_DIR CG_DIR XOP OUTSIDE_PID OUT GO [MEMINFO]
set -u
src=$1 cg=$2 xop=$3 outside=$4 out=$5 go=$6 meminfo=${7:-}

say() { echo "$*" >>"$out"; }
# say KEY FILE: the file's lines as one, read by this shell itself (a
# $(...) would add its own subshell to the group while it is listed)
list() {
	local l
	mapfile -t l <"$2"
	say "$1 ${l[*]}"
}

mount --bind "$src" "$cg" && say "bind OK" || say "bind FAILED"
say "dollar $$"
read -r me _ </proc/self/stat
say "procself $me"
say "join $("$xop" write "$cg/procs" $$)"
sleep 1000 &
sl=$!
say "sleep $sl"
list procs "$cg/procs"
say "ps $(ps -e -o pid= | tr -s ' \n' '  ')"
say "outside_visible $([ -e "/proc/$outside" ] && echo yes || echo no)"
say "mkdir $("$xop" mkdir "$cg/sub")"
say "mkdir_t $("$xop" mkdir "$cg/t1")"
say "rmdir_t $("$xop" rmdir "$cg/t1")"
say "move_outside $("$xop" write "$cg/sub/procs" "$outside")"
say "move_missing $("$xop" write "$cg/sub/procs" 30000)"
say "move_self $("$xop" write "$cg/sub/procs" $$)"
list sub_procs "$cg/sub/procs"
list box_procs "$cg/procs"
say "pids_w $("$xop" write "$cg/sub/pids_max" 50)"
list pids_r "$cg/sub/pids_max"
if [ -n "$meminfo" ]; then
	mount --bind "$cg/meminfo" /proc/meminfo && say "meminfo_bind OK" || say "meminfo_bind FAILED"
	say "free_total $(free -m | awk '$1 == "Mem:" { print $2 }')"
fi
say "done"
read -r _ <"$go"
