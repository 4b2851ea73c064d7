#!/bin/bash
# SPDX-License-Identifier: MIT
# Installs from Debian's archive whatever cgfs needs and is missing.
#   tools/deps.sh build   what building and running cgfs needs
#   tools/deps.sh deb     that, plus what building the Debian package needs
#   tools/deps.sh test    all of it, plus what the test suite needs
set -euo pipefail
# libjson-c-dev: cgfs-oci-hook reads the OCI state with json-c.
want=(build-essential meson ninja-build pkg-config libfuse3-dev fuse3 libinih-dev
      libsystemd-dev libjson-c-dev)
if [ "${1:-build}" = deb ] || [ "${1:-build}" = test ]; then
	# git: tools/deb.sh packs the tracked files.
	want+=(debhelper dpkg-dev lintian libcmocka-dev git)
fi
if [ "${1:-build}" = test ]; then
	# python3: install.sh's readiness listener and option parsing;
	# bsdextrautils: col, for the man page checks; systemd:
	# systemd-analyze verify of the unit (installing it does not make it
	# PID 1); busybox-static: readers.sh reads with busybox's cat;
	# sysstat: diskstats.sh reads a group's proc/diskstats with iostat;
	# util-linux-extra: cache.sh asks fincore which pages are cached.
	# The guests' (tests/vm): installed here, not by the guests' own
	# scripts, which tools/test.sh runs side by side. podman, runc, lxc,
	# bubblewrap, systemd-container (nspawn): runtimes.sh runs real
	# containers through the hooks; catatonit (rootless podman's pause
	# process) and uidmap are podman's recommends, which are not installed.
	want+=(libcmocka-dev passwd util-linux procps mandoc clang stress-ng lxcfs
	      cgroup-tools python3 bsdextrautils systemd busybox-static
	      qemu-system-x86 cpio xz-utils zstd kmod mmdebstrap libclang-rt-dev sysstat
	      util-linux-extra
	      podman runc lxc bubblewrap systemd-container catatonit uidmap)
fi
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The kernel side: /dev/fuse must exist.
[ -c /dev/fuse ] || modprobe fuse
