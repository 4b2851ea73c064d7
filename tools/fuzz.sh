#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets of tests/fuzz with clang and runs them.
#
#   tools/fuzz.sh [TARGET...]            replay, then fuzz each target
#   tools/fuzz.sh --regress [TARGET...]  replay only (so does FUZZ_SECONDS=0)
#
# Replay runs every file of tests/fuzz/regress/TARGET/ (crashes found
# before) and of tests/fuzz/corpus/TARGET/ (the seeds) once. Fuzzing then
# runs each target for FUZZ_SECONDS (default 30) on a copy of both, so the
# repository's corpus is never written to. TARGET is e.g. fuzz_knobs;
# default: every tests/fuzz/fuzz_*.c.
#
# Environment: FUZZ_SECONDS, FUZZ_BUILD (build directory, default
# build-fuzz), FUZZ_OUT (crash files and logs, default $FUZZ_BUILD/fuzz-out).
# Prints one line per target, then "fuzz: N passed, M failed"; exits 1 if
# any target crashed, leaked, hung or ran out of memory, 2 if it could not
# build. A crash file is kept in FUZZ_OUT: fix the bug, then copy the file
# into tests/fuzz/regress/TARGET/ so it is replayed from then on.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

seconds=${FUZZ_SECONDS:-30}
build=${FUZZ_BUILD:-build-fuzz}
out=${FUZZ_OUT:-$build/fuzz-out}
fuzz=1
if [ "${1:-}" = --regress ]; then
	fuzz=0
	shift
fi
case $seconds in
'' | *[!0-9]*) echo "FUZZ_SECONDS must be a whole number of seconds"; exit 2 ;;
esac
[ "$seconds" -gt 0 ] || fuzz=0

if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=()
	for f in tests/fuzz/fuzz_*.c; do
		targets+=("$(basename "$f" .c)")
	done
fi
for t in "${targets[@]}"; do
	[ -f "tests/fuzz/$t.c" ] || { echo "no fuzz target $t (tests/fuzz/$t.c)"; exit 2; }
done

tmp=$(mktemp -d /tmp/cgfs-fuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# ---- tools ----

want=(clang libclang-rt-dev meson ninja-build pkg-config libfuse3-dev libinih-dev)
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "missing: ${missing[*]} (run as root to install them)"
		exit 2
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get update -qq ||
		! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
		echo "could not install ${missing[*]}"
		exit 2
	fi
fi

# ---- build: a directory of its own, clang, only the fuzz targets ----

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzz=true -Db_lundef=false >"$tmp/setup.log" 2>&1 ||
		{ cat "$tmp/setup.log"; exit 2; }
fi
exes=()
for t in "${targets[@]}"; do
	exes+=("tests/fuzz/$t")
done
ninja -C "$build" "${exes[@]}" >/dev/null || { ninja -C "$build" "${exes[@]}"; exit 2; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1

# ---- one target ----

# Files that are inputs, not .gitkeep.
inputs() {
	find "$@" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | sort
}

# "what went wrong" from a libFuzzer log: the sanitizer's or our
# invariant's first line, and where (the first stack frame), if known.
what() {
	local msg at re
	re='ERROR: |runtime error:|invariant broken|libFuzzer: (deadly signal|timeout|out-of-memory)'
	msg=$(grep -m1 -E "$re" "$1" |
		sed -e 's/^==[0-9]*==//' -e 's/^ *//' -e 's/ on address 0x.*//')
	# our code's innermost frame: not libc's, not the sanitizer's
	at=$(grep -m1 -E '^ *#[0-9]+ 0x[0-9a-f]+ in .*/(src|tests)/' "$1" |
		sed -e 's/^ *#[0-9]* 0x[0-9a-f]* in //' -e 's| [^ ]*/\.\./| |')
	case $msg in
	*invariant* | *"runtime error"*) at= ;; # they name their line themselves
	esac
	echo "${msg:-unknown failure}${at:+ (in $at)}"
}

# The input libFuzzer saved, and where it came from if it was a replayed
# file (artifacts are named after the content's SHA-1).
artifact() {
	sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$1" | tail -1
}

origin() {
	local art=$1 sum f
	sum=${art##*-}
	inputs "tests/fuzz/regress/$2" "tests/fuzz/corpus/$2" | while read -r f; do
		[ "$(sha1sum <"$f" | cut -d' ' -f1)" = "$sum" ] && echo "$f"
	done | head -1
}

# replay TARGET: every saved input once. Sets $summary; 0 if all passed.
replay() {
	local t=$1 exe=$build/tests/fuzz/$1 log=$out/$1.replay.log n art src
	n=$(inputs "tests/fuzz/regress/$t" "tests/fuzz/corpus/$t" | wc -l)
	if "$exe" -runs=0 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/$t-" \
		"tests/fuzz/regress/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
		summary="replayed $n inputs"
		return 0
	fi
	art=$(artifact "$log")
	src=$(origin "$art" "$t")
	summary="FAILED replaying ${src:-an input}: $(what "$log"); input $art; log $log"
	return 1
}

stat_of() {
	sed -n "s/^stat::$1: *//p" "$2" | tail -1
}

# run TARGET: fuzz for $seconds on a copy of the seeds and regressions.
run() {
	local t=$1 exe=$build/tests/fuzz/$1 log=$out/$1.log corpus=$tmp/$1 rc last art
	local runs eps rss cov ft n0 n1
	mkdir -p "$corpus"
	inputs "tests/fuzz/corpus/$t" "tests/fuzz/regress/$t" | while read -r f; do
		cp "$f" "$corpus/"
	done
	n0=$(inputs "$corpus" | wc -l)
	"$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/$t-" "$corpus" >"$log" 2>&1
	rc=$?
	n1=$(inputs "$corpus" | wc -l)
	if [ $rc -ne 0 ]; then
		art=$(artifact "$log")
		summary="FAILED: $(what "$log"); input $art; log $log; reproduce: $exe $art"
		return 1
	fi
	runs=$(stat_of number_of_executed_units "$log")
	eps=$(stat_of average_exec_per_sec "$log")
	rss=$(stat_of peak_rss_mb "$log")
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	summary="$runs runs in ${seconds}s ($eps exec/s), cov ${cov:-?} ft ${ft:-?}"
	summary="$summary, corpus $n0 -> $n1, rss ${rss}MB"
	return 0
}

passed=0
failed=0
for t in "${targets[@]}"; do
	ok=0
	if replay "$t"; then
		line="$t: ok: $summary"
		ok=1
		if [ $fuzz = 1 ]; then
			if run "$t"; then
				line="$line; $summary"
			else
				line="$t: $summary"
				ok=0
			fi
		fi
	else
		line="$t: $summary"
	fi
	echo "$line"
	if [ $ok = 1 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
