#!/bin/bash
# SPDX-License-Identifier: MIT
# The benchmark runs end to end, scaled down: every case gives figures
# (no "error" row), the requests-per-operation case counts them, and the
# run leaves nothing behind. No figure is judged: timing is no test
# (bench/README.md has the targets; `ninja -C build bench` measures).
#   bench/smoke.sh CGFS-BENCH CGFS NULLFS
set -u
BENCH=${1:?cgfs-bench} CGFS=${2:?cgfs} NULLFS=${3:?nullfs}
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; }

for t in cgcreate lxcfs; do
	if ! command -v "$t" >/dev/null; then
		echo "Bail out! $t is missing: tools/deps.sh test installs it"
		exit 1
	fi
done
out=$(mktemp /tmp/cgfs-bench-smoke.XXXXXX)
trap 'rm -f "$out"' EXIT
BENCH_FACTOR=0.05 BENCH_GROUPS=300 BENCH_READERS_SECONDS=0.1 \
	"$BENCH" "$CGFS" "$NULLFS" >"$out" 2>&1
rc=$?
[ "$rc" = 0 ] && ok "the scaled-down run ends with status 0" ||
	{ not_ok "the run ended with status $rc:"; sed 's/^/# /' "$out"; }
for c in 1 2 3 4 5 6; do
	rows=$(grep -cE "^$c  " "$out")
	errs=$(grep -E "^$c  " "$out" | awk '$0 ~ / error /' | wc -l)
	[ "$rows" -ge 1 ] && [ "$errs" = 0 ] && ok "case $c: $rows rows, none an error" ||
		{ not_ok "case $c: $rows rows, $errs errors:"; grep -E "^$c  " "$out" | sed 's/^/# /'; }
done
for op in "knob read" "knob write" "group lifecycle" "meminfo read" "readdir of"; do
	grep -A2 "^  $op" "$out" | grep -qE "cgfs: .*= [0-9]+" &&
		ok "case 7 counts the requests of: $op" || not_ok "case 7 has no count for: $op"
done
grep -q "^3    direct inside cgfs's tree vs outside " "$out" &&
	ok "case 3 times the direct lifecycle inside and outside cgfs's tree" ||
	not_ok "no inside/outside row in case 3"
grep -q "^cleanup: nothing left" "$out" && ok "the run says it left nothing" ||
	{ not_ok "no clean-up line:"; grep -i cleanup "$out" | sed 's/^/# /'; }
# This run's own base only: another run (CI's) may be going on next to it.
# Its mounts were in a mount namespace of its own, gone with the run.
base=$(sed -n 's|^cgfs base: /\(cgfs-bench-[0-9]*\) .*|\1|p' "$out")
left=$(find /sys/fs/cgroup -maxdepth 2 -mindepth 1 -type d -name "${base:-cgfs-bench-*}" 2>/dev/null)
[ -n "$base" ] && [ -z "$left" ] && ok "no cgroup of the run ($base) is left" ||
	not_ok "left behind: ${left:-no base in the output}"
echo "1..$n"
[ "$bad" = 0 ]
