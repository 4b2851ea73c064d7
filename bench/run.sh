#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs the benchmark (the meson run target `bench` calls this):
#   bench/run.sh CGFS NULLFS CGFS_BENCH
# Installs what the references need (Debian's cgroup-tools and lxcfs) if
# missing, then runs the driver; the table also goes to
# $MESON_BUILD_ROOT/bench-result.txt (or ./bench-result.txt).
# Environment: BENCH_GROUPS, BENCH_TREE_GROUPS, BENCH_FACTOR, BENCH_CASES,
# BENCH_READERS_SECONDS (see bench/README.md).
set -eu
CGFS=${1:?cgfs binary}
NULLFS=${2:?nullfs binary}
BENCH=${3:?cgfs-bench binary}

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: must run as root (it mounts FUSE file systems and makes cgroups)" >&2
	exit 2
fi

missing=
command -v cgcreate >/dev/null 2>&1 || missing="$missing cgroup-tools"
command -v lxcfs >/dev/null 2>&1 || missing="$missing lxcfs"
if [ -n "$missing" ]; then
	echo "bench: installing$missing" >&2
	# Debian's lxcfs package enables a service; nothing starts it where
	# there is no init to (policy-rc.d); the bench starts its own lxcfs.
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
fi

out=${MESON_BUILD_ROOT:-.}/bench-result.txt
echo "bench: running $BENCH (table also in $out)" >&2
set +e
"$BENCH" "$CGFS" "$NULLFS" | tee "$out"
rc=${PIPESTATUS[0]}
exit "$rc"
