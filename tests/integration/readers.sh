#!/bin/bash
# SPDX-License-Identifier: MIT
# Every reader reads every file whole and fresh: read(2), pread(2),
# sendfile(2), splice(2), busybox's cat (which uses sendfile), coreutils'
# cat, cp and dd, and Python; stat(2)'s size is the length read; a value
# just written, through cgfs or behind it, is what the next reader of any
# kind gets. The lists of pids, which differ by reader, never reach one
# reader in another's rendering.
. "$(dirname "$0")/../lib/lib.sh"

# busybox-static (tools/deps.sh test); the v2 guest has it in /bb.
BB=$(type -P busybox || echo /bb/busybox)
# The system's Python (a shim of a version manager earlier on PATH can
# cost seconds a start).
PY=$(type -P /usr/bin/python3 python3 | head -n 1)
TMPF=$(mktemp /tmp/cgfs-readers.XXXXXX)

start_cgfs || exit 1
G=$ALICE/web
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
assert_op "alice creates a group" OK as "$ALICE" "$XOP" mkdir "$MNT/$G"
# A limit, so that meminfo is the group's own and holds still.
assert_op "alice sets a memory limit" OK as "$ALICE" "$XOP" write "$MNT/$G/memory_limit_mb" 512

if [ ! -x "$BB" ]; then
	not_ok "busybox is not installed (tools/deps.sh test installs busybox-static)"
	BB=false
fi
[ -n "$PY" ] || echo "# SKIP the Python readers: python3 is not installed here (the v2 guest has none)"

# The bytes of FILE as one read(2) gives them, then a ".", so that $(...)
# keeps trailing newlines.
read_body() { "$XOP" read "$1" | sed 1d; echo .; }

# The readers: each prints FILE's bytes.
r_busybox() { "$BB" cat "$1"; }
r_cat() { cat "$1"; }
r_dd() { dd if="$1" status=none; }
r_dd7() { dd if="$1" bs=7 status=none; }
r_cp() { rm -f "$TMPF" && cp "$1" "$TMPF" && cat "$TMPF"; }
r_sendfile() { "$XOP" copy sendfile "$1" | sed 1d; }
r_splice() { "$XOP" copy splice "$1" | sed 1d; }
r_pread() { "$XOP" copy pread "$1" | sed 1d; }
r_mmap() { "$XOP" copy mmap "$1" | sed 1d; }
r_pyread() { "$PY" -c 'import sys; sys.stdout.buffer.write(open(sys.argv[1], "rb").read())' "$1"; }
r_pycopy() {
	rm -f "$TMPF" && "$PY" -c 'import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])' \
		"$1" "$TMPF" && cat "$TMPF"
}
READERS=(busybox cat dd dd7 cp sendfile splice pread mmap)
[ -n "$PY" ] && READERS+=(pyread pycopy)

# meminfo's lines from the host's own figures (Committed_AS, Vmalloc...)
# change all the time on a busy host: its numbers are compared as
# numbers, its lines and names exactly.
norm() {
	case $1 in
	*/meminfo) sed -E 's/ +[0-9]+/ N/g' ;;
	*) cat ;;
	esac
}

# same_as_read FILE READER: READER gets what read(2) gives just before or
# just after (a usage counter may change meanwhile: up to 5 tries).
same_as_read() {
	local f=$1 r=$2 a b c i
	for i in 1 2 3 4 5; do
		a=$(read_body "$f" | norm "$f")
		b=$("r_$r" "$f" | norm "$f"; echo .)
		c=$(read_body "$f" | norm "$f")
		[ "$b" = "$a" ] || [ "$b" = "$c" ] && break
	done
	if [ "$b" = "$a" ] || [ "$b" = "$c" ]; then
		ok "${f#"$MNT/"}: $r reads it whole"
	else
		not_ok "${f#"$MNT/"}: $r reads it whole: read(2) gave '$a', $r '$b'"
	fi
}

# size_is_length FILE: stat's size is the length read(2) gives (up to 5
# tries, as above).
size_is_length() {
	local f=$1 s n i
	for i in 1 2 3 4 5; do
		s=$(stat -c %s "$f")
		n=$("$XOP" read "$f" | sed 1d | wc -c)
		[ "$s" = "$n" ] && break
	done
	assert_eq "${f#"$MNT/"}: stat's size is the length read" "$n" "$s"
}

# A limit, usage counters, multi-line statistics, meminfo and raw files.
FILES=(memory_limit_mb pids_max memory_usage_mb pids_current stat meminfo raw/pids.max
	raw/memory.stat raw/cpu.stat)
for name in "${FILES[@]}"; do
	f=$MNT/$G/$name
	if [ ! -e "$f" ]; then
		echo "# $name is not served here (its controller is not mounted)"
		continue
	fi
	[ "$(read_body "$f")" != . ] || not_ok "$name: read(2) gives something"
	size_is_length "$f"
	for r in "${READERS[@]}"; do
		same_as_read "$f" "$r"
	done
done

# meminfo's own figures, exactly (the group's limit, no use).
if [ -e "$MNT/$G/meminfo" ]; then
	assert_eq "meminfo through busybox cat: the group's MemTotal" "MemTotal:         524288 kB" \
		"$("$BB" cat "$MNT/$G/meminfo" | head -n 1)"
fi

# The regression of issue 19: busybox's cat right after a write of a
# value of another length read the old length of the new value ("10").
L=$MNT/$G/memory_limit_mb
for v in 1G:1024 8:8 max:max 1.5G:1536 16:16; do
	as "$ALICE" sh -c 'printf %s "$1" > "$2"' sh "${v%%:*}" "$L"
	assert_eq "busybox cat right after printf ${v%%:*} > memory_limit_mb" "${v#*:}
." "$("$BB" cat "$L"; echo .)"
	assert_eq "stat's size right after printf ${v%%:*}" "$((${#v} - ${#v%%:*}))" \
		"$(stat -c %s "$L")"
	for r in sendfile splice pycopy; do
		[ -n "$PY" ] || [ "$r" != pycopy ] || continue
		assert_eq "$r right after printf ${v%%:*}" "${v#*:}
." "$("r_$r" "$L"; echo .)"
	done
done

# A write behind cgfs's back is read at once too (no cached size).
if [ -e "$MNT/$G/pids_max" ]; then
	P=$(real pids "$G" pids.max)
	echo 12345 >"$P"
	assert_eq "busybox cat right after an outside write" "12345
." "$("$BB" cat "$MNT/$G/pids_max"; echo .)"
	echo 7 >"$P"
	assert_eq "busybox cat right after a shorter outside write" "7
." "$("$BB" cat "$MNT/$G/pids_max"; echo .)"
fi

# procs: each reader sees the processes it may see, as its own pid
# namespace numbers them. The readers that fall back to read(2) when
# sendfile(2) fails read it whole; sendfile and splice themselves either
# read it whole or fail (kernels 6.5 to 6.18 splice through the page
# cache, which every opener shares).
spawn "$ALICE"
S=$SPAWN
assert_op "alice moves her process in" OK as "$ALICE" "$XOP" write "$MNT/$G/procs" "$S"
PR=$MNT/$G/procs
assert_eq "procs lists the process" "$S
." "$(read_body "$PR")"
for r in busybox cat dd cp pyread pycopy; do
	[ -n "$PY" ] || [ "${r#py}" = "$r" ] || continue
	same_as_read "$PR" "$r"
done
for r in sendfile splice mmap; do
	got=$("$XOP" copy "$r" "$PR" | tr '\n' ' ')
	case $got in
	"OK $S " | EINVAL* | SIGBUS* | ENODEV*) ok "procs: $r reads it whole or is refused ($got)" ;;
	*) not_ok "procs: $r reads it whole or is refused: got '$got'" ;;
	esac
done
size_is_length "$PR"
assert_eq "a shared mapping of a value that changes by itself is refused (ENODEV)" ENODEV \
	"$("$XOP" copy mmapshared "$MNT/$G/pids_current" | head -n 1)"
# A limit opened for reading is served from the page cache (cgfs(5),
# "Caching"): a shared read-only mapping of it maps its value.
assert_eq "a shared mapping of a limit maps its value" "OK $(cat "$MNT/$G/pids_max")" \
	"$("$XOP" copy mmapshared "$MNT/$G/pids_max" | tr '\n' ' ' | sed 's/ $//')"
# A reader in a pid namespace of its own sees none of the group's
# processes. It holds procs open while a reader of the host's namespace
# reads it (busybox's cat: sendfile; or splice); its own sendfile or
# splice then must not give it the other's list.
FLAG=$TMPF.go
for r in sendfile splice; do
	rm -f "$FLAG" "$FLAG.ready"
	unshare --pid --fork "$XOP" copy "$r" "$PR" sh -c \
		'touch "$1.ready"; while [ ! -e "$1" ]; do sleep 0.05; done' sh "$FLAG" >"$TMPF.out" &
	held=$!
	for i in $(seq 1 400); do [ -e "$FLAG.ready" ] && break; sleep 0.05; done
	if [ "$r" = sendfile ]; then "$BB" cat "$PR" >/dev/null; else "$XOP" copy splice "$PR" >/dev/null; fi
	touch "$FLAG"
	wait "$held"
	got=$(tr '\n' ' ' <"$TMPF.out")
	case $got in
	"OK " | EINVAL*) ok "procs: $r gives no other reader's list ($got)" ;;
	*) not_ok "procs: $r gives no other reader's list: got '$got'" ;;
	esac
done
rm -f "$FLAG" "$FLAG.ready" "$TMPF.out"
assert_eq "procs: a reader in its own pid namespace reads none with busybox" "." \
	"$(unshare --pid --fork "$BB" cat "$PR"; echo .)"

# A counter's entry is kept (cgfs(5), "Caching"): its open, not a lookup,
# sees to the size. pids_current grows from "9" to "10" while the kernel
# has the size of "9"; every reader, and an fstat(2) after the open, gets
# the new length, and nobody sees the ESTALE that sends the open back.
if [ -e "$MNT/$G/pids_current" ]; then
	C=$MNT/$G/pids_current
	assert_op "alice makes a group for counting" OK as "$ALICE" "$XOP" mkdir "$MNT/$G/count"
	CNT=()
	for i in 1 2 3 4 5 6 7 8 9 10; do
		spawn "$ALICE"
		CNT+=("$SPAWN")
	done
	for p in "${CNT[@]:0:9}"; do as "$ALICE" "$XOP" write "$MNT/$G/count/procs" "$p" >/dev/null; done
	C=$MNT/$G/count/pids_current
	assert_eq "pids_current of 9 processes, and its size" "9 2" "$(cat "$C") $(stat -c %s "$C")"
	# moved READER TO WANT SIZE WHAT: the tenth process into group TO,
	# then READER reads WANT whole, and fstat(2) after an open gives SIZE.
	moved() {
		as "$ALICE" "$XOP" write "$MNT/$G/$2procs" "${CNT[9]}" >/dev/null
		assert_eq "$1 reads $3 whole right after $5" "$3
." "$("r_$1" "$C"; echo .)"
		exec 3<"$C"
		assert_eq "...and fstat(2) after an open gives its size, $4" "$4" "$(stat -L -c %s /proc/$$/fd/3)"
		exec 3<&-
	}
	for r in busybox sendfile splice cat pread; do
		moved "$r" count/ 10 3 "the tenth process came"
		# Back to 9 for the next reader: the tenth goes to the parent.
		moved "$r" "" 9 2 "the tenth went"
	done
	# A view of a group removed behind cgfs's back: its open (the entry
	# still kept) is refused, as its lookup was.
	cat "$MNT/$G/count/meminfo" >/dev/null 2>&1
	for p in "${CNT[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for mp in $(serving_mounts); do rmdir "$mp/$BASE/$G/count/.self" "$mp/$BASE/$G/count" 2>/dev/null; done
	assert_eq "the open of a removed group's meminfo: ENOENT" "ENOENT 0" \
		"$("$XOP" hold 1 none 0 "$MNT/$G/count/meminfo" 2>&1 | head -n 1)"
fi
rm -f "$TMPF"
