#!/bin/bash
# SPDX-License-Identifier: MIT
# /init of the pure cgroup v2 guest (see run.sh): mounts the kernel's file
# systems and cgroup2 alone, with every controller enabled below the root
# as a system's init would, loads fuse.ko, runs each test of
# /cgfs/tests.list as the host runs it (bash TEST CGFS XOP) and ends with
# the lines run.sh parses:
#   VM-TIMES: boot Bs, suite Ss
#   VM-RESULT: N passed, M failed rc=R
# N and M count test scripts, as meson counts tests.
export PATH=/usr/sbin:/usr/bin:/bb
export HOME=/root LANG=C.UTF-8
cd /

report() {
	echo "VM-RESULT: $1 passed, $2 failed rc=$3"
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 60
}

mount -t proc proc /proc &&
	mount -t sysfs sysfs /sys &&
	mount -t devtmpfs devtmpfs /dev &&
	mount -t tmpfs -o mode=1777 tmpfs /tmp &&
	mount -t tmpfs -o mode=755 tmpfs /run || report 0 1 2
# As systemd mounts it: delegation boundaries at cgroup namespaces, and
# memory protection that is recursive.
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup || report 0 1 3
insmod /lib/modules/fuse.ko || report 0 1 4
[ -c /dev/fuse ] || report 0 1 5
# A block device for the per-device io files (io.max) to name.
insmod /lib/modules/configfs.ko && insmod /lib/modules/null_blk.ko nr_devices=1 ||
	echo "guest: no null_blk device"
booted=$(cut -d' ' -f1 /proc/uptime)
echo "guest: $(uname -r), $(nproc) CPUs, cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
# The init owns this machine: it hands every controller down, one at a
# time so that a refused one does not hide the others.
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || echo "guest: cannot enable $c"
done
echo "guest: enabled below the root: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
echo "guest: booted in ${booted}s"

pass=0 fail=0
# The guest is emulated (TCG) and is there to prove v2 behaviour: the fault
# test kills the server fewer times here; the host runs it in full.
export CGFS_FAULT_KILLS=8
# The adversary runs 30 s here (60 on the host).
export CGFS_ADVERSARY_SECONDS=30
# cache.sh writes 30 values straight into the kernel's file (100 on the
# host), and 10 each other way.
export CGFS_CACHE_WRITES=30
# The cgroup2 mount is the tests' own here: protect.sh remounts it
# without memory_recursiveprot for a while.
export CGFS_VM_OWN_CGROUP2=1
t0=$(cut -d' ' -f1 /proc/uptime)
while read -r t; do
	echo "=== $t"
	s=$(cut -d' ' -f1 /proc/uptime)
	p0=$(cat /proc/sys/kernel/ns_last_pid)
	# The suite's own bound; run.sh's timeout is the hard one.
	timeout -k 10 600 bash "/cgfs/tests/$t.sh" /cgfs/bin/cgfs /cgfs/bin/xop </dev/null 2>&1 |
		tee /tmp/out
	rc=${PIPESTATUS[0]}
	e=$(cut -d' ' -f1 /proc/uptime)
	forks=$(($(cat /proc/sys/kernel/ns_last_pid) - p0))
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' /tmp/out | tail -n 1)
	if [ "$rc" = 0 ] && [ -n "$last" ]; then
		pass=$((pass + 1))
		echo "=== $t: ok ($last, $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.1f", b - a }')s, $forks processes)"
	else
		fail=$((fail + 1))
		echo "=== $t: FAILED (rc=$rc, ${last:-no summary})"
	fi
	# Nothing of the test may be left in the guest either.
	left=$(find /sys/fs/cgroup -maxdepth 1 -mindepth 1 -type d -name 'cgfs-test-*')
	mnts=$(awk '$3 == "fuse.cgfs" {print $2}' /proc/mounts)
	if [ -n "$left$mnts" ]; then
		echo "=== $t left behind: $left $mnts"
		fail=$((fail + 1))
		# ...and is cleared away, so that the next test is judged alone.
		for m in $mnts; do umount -l "$m"; done
		for d in $left; do find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
	fi
done </cgfs/tests.list
t1=$(cut -d' ' -f1 /proc/uptime)
echo "VM-TIMES: boot ${booted}s, suite $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s"
report "$pass" "$fail" $((fail > 0))
