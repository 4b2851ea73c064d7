#!/bin/bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, installs and starts cgfs on /run/cgfs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root"; exit 2; }
bash tools/deps.sh build
[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release --prefix=/usr/local >/dev/null
ninja -C build-release
meson install -C build-release --quiet
mkdir -p /run/cgfs
if [ -d /run/systemd/system ]; then
	# systemd: the unit delegates its own cgroup to cgfs (Delegate=yes).
	systemctl daemon-reload
	systemctl restart cgfs.service
else
	# No systemd: keep the tree below /cgfs in every hierarchy.
	if grep -q ' /run/cgfs fuse.cgfs ' /proc/mounts; then
		fusermount3 -u /run/cgfs
	fi
	/usr/local/sbin/cgfs -o base=/cgfs /run/cgfs
fi
grep -q ' /run/cgfs fuse.cgfs ' /proc/mounts && echo "cgfs is serving /run/cgfs"
