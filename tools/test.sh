#!/bin/bash
# SPDX-License-Identifier: MIT
# The whole test suite, as root on a Debian machine: installs what it
# needs, then builds and runs every unit and integration test twice, once
# plainly and once under AddressSanitizer + UndefinedBehaviorSanitizer.
set -uo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: the tests mount FUSE and create cgroups"; exit 2; }
bash tools/deps.sh test || exit 2

# Removed cgroups the kernel has not freed yet (a benchmark that made
# and removed tens of thousands of groups leaves them for an hour) make
# every cgroup operation in their hierarchy slow: a cpus write at the top
# of deep.sh's 2,100-deep chain walks them all, and ran past its timeout
# behind 60,000 of them. Said first, so that a slow run is explained.
awk 'NR > 1 && $2 != 0 && $3 > 10000 {
	printf "== note: the kernel counts %d cgroups in its %s hierarchy (/proc/cgroups), removed ones not freed yet included: cgroup operations there are slow until it frees them\n", $3, $1
}' /proc/cgroups 2>/dev/null

# What tests leave behind is named for the test's pid (cgfs-test-PID, a
# mount whose daemon has base=/cgfs-test-PID). Another run on the same
# machine (a second checkout, tools/fresh-check.sh) has its own in flight:
# only what appears during this run and whose test has ended is counted.
test_cgroups() { find /sys/fs/cgroup -maxdepth 2 -mindepth 1 -type d -name 'cgfs-test-*' 2>/dev/null | sort; }
test_mounts() { awk '$3 == "fuse.cgfs" && $2 ~ /^\/tmp\/cgfs-mnt/ {print $2}' /proc/mounts | sort; }
# in_flight MOUNT: a daemon serves it for a test that still runs.
in_flight() {
	local p n
	for p in $(pgrep -f -- " $1\$"); do
		n=$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | sed -n 's/^base=\/cgfs-test-\([0-9]*\)$/\1/p')
		[ -n "$n" ] && [ -d "/proc/$n" ] && return 0
	done
	return 1
}
cgroups_before=$(test_cgroups)
mounts_before=$(test_mounts)

# The integration tests make three users (tests/lib/lib.sh); those
# this run made go again when it ends, however it ends.
made_users=()
for u in cgfs-alice cgfs-bob cgfs-carol; do
	id -u "$u" >/dev/null 2>&1 || made_users+=("$u")
done
remove_users() {
	local u
	for u in "${made_users[@]}"; do
		id -u "$u" >/dev/null 2>&1 && { userdel "$u" 2>/dev/null || echo "cannot remove user $u"; }
	done
}
trap remove_users EXIT

total_ok=0
total_fail=0
# What failed, said again at the very end: CI shows only the tail.
failures=()
# note_failures WHAT OUT: the failed tests and "not ok" lines of OUT.
note_failures() {
	local line
	while IFS= read -r line; do
		failures+=("$1: $line")
	done < <(grep -E '^ *[0-9]+/[0-9]+ .* (FAIL|TIMEOUT|UNEXPECTEDPASS|ERROR) ' "$2" 2>/dev/null
		grep -E '^(# )?not ok ' "$2" 2>/dev/null | grep -v '# TODO' | head -n 20)
}
# build_dir DIR [MESON_OPTION...]: configures (once) and builds DIR.
build_dir() {
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >/dev/null || return 1
	fi
	ninja -C "$dir" >/dev/null || { ninja -C "$dir"; return 1; }
}

# run_suite DIR: its unit and integration tests (built by build_dir).
run_suite() {
	local dir=$1
	[ -f "$dir/build.ninja" ] || return 1
	meson test -C "$dir" --print-errorlogs --no-rebuild 2>&1 | tee "$dir/suite.out"
	local ok fail
	ok=$(awk '/^Ok:/ {print $2}' "$dir/suite.out")
	fail=$(awk '/^(Fail|Timeout|Unexpected Pass):/ {s += $NF} END {print s + 0}' "$dir/suite.out")
	total_ok=$((total_ok + ${ok:-0}))
	total_fail=$((total_fail + fail))
	[ -n "$ok" ] && [ "$fail" -eq 0 ] || { note_failures "$dir" "$dir/suite.out"; return 1; }
}

# count_stage TAG OUT WHAT: adds the last "TAG: N passed, M failed" line
# of OUT to the totals; fails when M is not 0 or when there is no such
# line (WHAT printed no result: one failure).
count_stage() {
	local line p f
	line=$(grep -E "^$1: [0-9]+ passed, [0-9]+ failed" "$2" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$3 printed no result"
		failures+=("$3 printed no result")
		total_fail=$((total_fail + 1))
		return 1
	fi
	read -r _ p _ f _ <<<"$line"
	total_ok=$((total_ok + p))
	total_fail=$((total_fail + f))
	[ "$f" -eq 0 ] || { note_failures "$1" "$2"; return 1; }
}

status=0
echo "== module layers: no include cycle (tools/layers.sh)"
if layers=$(bash tools/layers.sh); then
	tail -n 1 <<<"$layers"
	total_ok=$((total_ok + 1))
else
	sed -n '/^layers: a cycle/,$p' <<<"$layers"
	failures+=("layers: an include cycle")
	total_fail=$((total_fail + 1))
	status=1
fi
echo "== builds: plain, and AddressSanitizer + UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
build_dir build-test || { failures+=("the plain build"); status=1; }
build_dir build-asan -Db_sanitize=address,undefined -Db_lundef=false ||
	{ failures+=("the ASan build"); status=1; }

echo "== Debian package: dpkg-buildpackage and lintian (tools/deb.sh)"
if bash tools/deb.sh build-test/deb 2>&1 | tee build-test/deb.out | tail -n 3 &&
   grep -q '^deb: .*\.deb$' build-test/deb.out; then
	total_ok=$((total_ok + 1))
else
	failures+=("the Debian package (build-test/deb.out)")
	total_fail=$((total_fail + 1))
	status=1
fi
# The package the deb stage built, when it built one.
sd_deb=$(ls build-test/deb/cgfs_*.deb 2>/dev/null | head -n 1)

# The v2 guest runs beside the host's suites: it is an emulated machine
# with a kernel and cgroups of its own, and mostly one emulated CPU busy
# while the host's tests mostly wait (53 minutes one after the other,
# 37 side by side). So do the systemd guests' root file systems, which
# are mostly downloads. Their output is shown when they are waited for.
echo "== pure cgroup v2: the integration suite inside a QEMU guest (tests/vm), in the background"
bash tests/vm/run.sh build-test >build-test/vm.out 2>&1 &
vm_pid=$!
echo "== systemd guests: their root file systems (mmdebstrap), in the background"
(
	CGFS_VM_DEB=$sd_deb CGFS_VM_PREPARE_ONLY=1 bash tests/vm/systemd.sh build-test
	CGFS_VM_DEB=$sd_deb CGFS_VM_PREPARE_ONLY=1 CGFS_VM_SYSTEMD=backports \
		bash tests/vm/systemd.sh build-test
) >build-test/vm-rootfs.out 2>&1 &
rootfs_pid=$!

echo "== plain build: tests"
run_suite build-test || status=1
echo "== AddressSanitizer + UBSan build: tests"
run_suite build-asan || status=1

echo "== libFuzzer targets (every parser, bounded time each; regressions replayed)"
FUZZ_SECONDS=${FUZZ_SECONDS:-20} bash tools/fuzz.sh 2>&1 | tee build-test/fuzz.out
count_stage fuzz build-test/fuzz.out "the fuzz run" || status=1

echo "== pure cgroup v2: the integration suite inside a QEMU guest (tests/vm)"
wait "$vm_pid"
cat build-test/vm.out
count_stage vm build-test/vm.out "the v2 guest" || status=1
wait "$rootfs_pid"
cat build-test/vm-rootfs.out

echo "== systemd guest: cgfs.service and the package under Debian 12's systemd 252, pure cgroup v2 (tests/vm/systemd.sh)"
CGFS_VM_DEB=$sd_deb bash tests/vm/systemd.sh build-test 2>&1 | tee build-test/vm-systemd.out
count_stage vm-systemd build-test/vm-systemd.out "the systemd guest" || status=1
echo "== systemd guest: the same with systemd from bookworm-backports (254 or later)"
CGFS_VM_DEB=$sd_deb CGFS_VM_SYSTEMD=backports bash tests/vm/systemd.sh build-test 2>&1 |
	tee build-test/vm-systemd-bpo.out
count_stage vm-systemd-bpo build-test/vm-systemd-bpo.out "the systemd guest (backports)" || status=1

# Nothing of ours may be left: no test cgroup, no test mount, no user
# this run made.
remove_users
for u in "${made_users[@]}"; do
	if id -u "$u" >/dev/null 2>&1; then
		echo "user $u, made by this run, is still there"
		failures+=("user $u left")
		total_fail=$((total_fail + 1))
		status=1
	fi
done
left= mnts=
for d in $(test_cgroups); do
	grep -qxF -- "$d" <<<"$cgroups_before" && continue
	[ -d "/proc/${d##*cgfs-test-}" ] && continue
	left="$left $d"
done
for m in $(test_mounts); do
	grep -qxF -- "$m" <<<"$mounts_before" && continue
	in_flight "$m" && continue
	mnts="$mnts $m"
done
if [ -n "$left$mnts" ]; then
	echo "left behind by the tests: $left $mnts"
	failures+=("left behind:$left $mnts")
	total_fail=$((total_fail + 1))
	status=1
fi
if [ ${#failures[@]} -gt 0 ]; then
	echo "== what failed"
	printf '%s\n' "${failures[@]}"
fi
echo "tests: $total_ok passed, $total_fail failed"
exit $status
