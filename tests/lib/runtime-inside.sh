#!/bin/sh
# SPDX-License-Identifier: MIT
# runtimes.sh's container: busybox sh inside a real runtime's container,
# with the group bound at /run/cgfs-group, the group's view files bound
# over /proc, and /out bound to a directory of the host's. Writes what it
# saw, "key value" a line, to /out/report for runtimes.sh to assert;
# /out/knobs lists the readable knobs. Then waits for /out/go.
o=/out/report
G=/run/cgfs-group
say() { echo "$*" >>"$o"; }

say "self $$"
say "cgroup $(tr '\n' ' ' </proc/self/cgroup)"
# (busybox's free asks sysinfo(2), which no bind mount changes; procps's
# reads /proc/meminfo, as this does.)
say "free $(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)"
say "nproc $(nproc)"
say "cpuinfo $(grep -c '^processor' /proc/cpuinfo)"
say "stat $(grep -c '^cpu[0-9]' /proc/stat)"
say "uptime $(cut -d ' ' -f 1 /proc/uptime)"
say "loadavg $(cat /proc/loadavg)"
say "online $(cat /sys/devices/system/cpu/online)"
# the file system of what is bound over /proc/diskstats (the group's
# view: fuse.cgfs), from this mount namespace's mountinfo
say "diskstats_fs $(awk '$5 == "/proc/diskstats" { for (i = 7; i < NF; i++) if ($i == "-") t = $(i + 1) } END { print t }' /proc/self/mountinfo)"
n=0
bad=
for k in $(cat /out/knobs); do
	if busybox cat "$G/$k" >/dev/null; then n=$((n + 1)); else bad="$bad $k"; fi
done
say "knobs_read $n"
say "knobs_bad$bad"
say "procs $(tr '\n' ' ' <"$G/procs")"

# The memory limit: a shell that holds far more than it.
out=$(sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" a); echo alive ${#x}' 2>&1)
rc=$?
say "mem_rc $rc"
say "mem_out $(echo $out)"
# The pids limit: 30 sleeps asked for; those the limit refuses are not
# started: busybox sh gives up at the first fork refused, so a shell of
# its own asks (only builtins count and end them: no fork is left then).
sh -c 'i=0; while [ $i -lt 30 ]; do sleep 300 & i=$((i + 1)); done' 2>/dev/null
n=0
for c in /proc/[0-9]*/comm; do
	read -r x <"$c" 2>/dev/null || continue
	[ "$x" = sleep ] || continue
	n=$((n + 1))
	p=${c#/proc/}
	kill "${p%/comm}" 2>/dev/null
done
say "sleeps $n"
# The killed ones are pid 1's to reap once orphaned, and count against
# the limit until then: a foreground command (one pid is free: the shell
# that gave up is gone) makes this shell reap them while it waits. (One
# forked last may have been no sleep yet when they were counted: any
# sleep found is ended here too.)
t=0
while :; do
	m=0
	for c in /proc/[0-9]*/comm; do
		read -r x <"$c" 2>/dev/null && [ "$x" = sleep ] || continue
		m=$((m + 1))
		p=${c#/proc/}
		kill "${p%/comm}" 2>/dev/null
	done
	if [ $m -eq 0 ] || [ $t -ge 100 ]; then break; fi
	sleep 0.1
	t=$((t + 1))
done
say "sleeps_left $m"

say "done"
while [ ! -e /out/go ]; do sleep 0.1; done
