#!/bin/bash
# SPDX-License-Identifier: MIT
# README.md's two commands on a truly fresh system, as a newcomer runs
# them: a minimal Debian 12 (debootstrap --variant=minbase, nothing else)
# in DIR, this checkout cloned into DIR/root/cgfs (root's home is 0700 on
# Debian, so build binaries there are out of other users' reach), and
# inside it, as the root of a mount namespace of its own (pivot_root;
# the host's /dev, /proc and /sys with its cgroup hierarchies; a /run and
# /tmp of its own):
#   1. bash tools/setup.sh   (installs, builds, starts cgfs on /run/cgfs)
#   2. bash tools/test.sh    (installs what the tests need, runs them all)
# Each prints its last lines here; whole logs go to DIR/setup.log and
# DIR/test.log. Command 2 takes as long as the suite does (about 35
# minutes on 2 CPUs), which is why CI does not run this script.
#
# Usage: bash tools/fresh-check.sh [DIR]     (default /var/tmp/cgfs-fresh)
#   FRESH_ONLY_SETUP=1     run command 1 only
# DIR is made anew each run. What setup.sh started (its cgfs, on base
# /cgfs) is stopped and its base removed at the end, if this run made it.
set -uo pipefail
[ "$(id -u)" = 0 ] || { echo "fresh-check: run as root"; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-/var/tmp/cgfs-fresh}
mirror=http://deb.debian.org/debian
say() { echo "fresh-check: $*"; }

if ! command -v debootstrap >/dev/null; then
	say "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; } ||
		{ say "cannot install debootstrap"; exit 1; }
fi

# The hierarchies' /cgfs bases that exist now are not ours to remove.
had_base=()
for cg in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
	[ -d "$cg/cgfs" ] && had_base+=("$cg/cgfs")
done

# Processes in the mount namespaces the commands ran in (their names are
# listed in DIR.ns): what they started and left running.
ours() {
	local p
	[ -s "$dir.ns" ] || return 0
	for p in /proc/[0-9]*; do
		grep -qxF "$(readlink "$p/ns/mnt" 2>/dev/null)" "$dir.ns" && echo "${p#/proc/}"
	done
}
cleanup() {
	local p cg b kept
	# TERM first: the tests' own traps remove what they made.
	for p in $(ours); do kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 60); do
		[ -z "$(ours)" ] && break
		sleep 0.5
	done
	for p in $(ours); do kill -KILL "$p" 2>/dev/null; done
	for cg in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		b=${cg%/}/cgfs
		[ -d "$b" ] || continue
		kept=
		for p in "${had_base[@]}"; do [ "$p" = "$cg/cgfs" ] && kept=1; done
		[ -n "$kept" ] || find "$b" -depth -type d -delete 2>/dev/null
	done
}
trap cleanup EXIT

say "a minimal Debian 12 in $dir (debootstrap --variant=minbase)"
rm -rf "$dir" "$dir.ns" && mkdir -p "$dir" || exit 1
t=$(date +%s)
debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.debootstrap.log" 2>&1 ||
	{ tail -n 20 "$dir.debootstrap.log"; say "debootstrap failed"; exit 1; }
say "made in $(($(date +%s) - t))s ($(du -sh "$dir" | cut -f1))"
git clone -q "$src" "$dir/root/cgfs" || { say "cannot clone $src"; exit 1; }
say "cloned $(git -C "$dir/root/cgfs" log --oneline -1) into $dir/root/cgfs ($(stat -c %a "$dir/root"))"
cp /etc/resolv.conf "$dir/etc/resolv.conf"

# run LOG COMMAND: one README command, in the new system as the root of
# a mount namespace of its own; prints its last lines and returns its
# status.
run() {
	local log=$1 cmd=$2 rc t
	t=$(date +%s)
	say "# $cmd"
	unshare --mount --propagation private bash -c '
		d=$1
		readlink /proc/self/ns/mnt >>"$d.ns" &&
		mount --bind "$d" "$d" &&
		mount --rbind /dev "$d/dev" && mount --rbind /sys "$d/sys" &&
			mount -t proc proc "$d/proc" && mount -t tmpfs tmpfs "$d/run" &&
			mount -t tmpfs tmpfs "$d/tmp" || exit 1
		# The new system is the namespace'"'"'s root, as on a real machine,
		# not a chroot inside the host'"'"'s: programs that re-enter the
		# namespace (setns, as lxcfs does) land in it, and / is a mount
		# point whose propagation unshare --mount can change.
		cd "$d" && mkdir -p .oldroot && pivot_root . .oldroot &&
			umount -l /.oldroot && rmdir /.oldroot || exit 1
		exec /usr/sbin/chroot / /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/bin/bash -c "cd /root/cgfs && $2"' _ "$dir" "$cmd" >"$log" 2>&1
	rc=$?
	tail -n "${3:-8}" "$log" | sed 's/^/    /'
	say "exit status $rc after $(($(date +%s) - t))s (log: $log)"
	return $rc
}

status=0
run "$dir.setup.log" "bash tools/setup.sh" || status=1
if [ -z "${FRESH_ONLY_SETUP:-}" ]; then
	run "$dir.test.log" "bash tools/test.sh" 25 || status=1
fi
exit $status
