#!/bin/bash
# SPDX-License-Identifier: MIT
# The pressure knob and stat's pressure keys (cgfs(5), Pressure), read
# through the mount by the tree's owner. Where cgfs keeps each group in a
# v2 hierarchy and the kernel accounts pressure, the knob shows the
# group's own cpu, memory and io pressure lines in the kernel's syntax,
# exactly what the real files say, and cpu's total grows while the
# group's processes contend for one CPU; everywhere else (v1, this hybrid
# host, PSI off) it is absent, and the test says which.
. "$(dirname "$0")/../lib/lib.sh"

start_cgfs || exit 1
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
G=$ALICE/web
I=$ALICE/idle
assert_op "alice creates a group" OK as "$ALICE" "$XOP" mkdir "$MNT/$G"
assert_op "alice creates a group that never runs anything" OK as "$ALICE" "$XOP" mkdir "$MNT/$I"

listed() { ls "$MNT/$1" | grep -qx "$2"; }

# The knob's lines: resource, kind, then the kernel's fields exactly.
LINE='^(cpu|memory|io) (some|full) avg10=[0-9]{1,3}\.[0-9]{2} avg60=[0-9]{1,3}\.[0-9]{2} avg300=[0-9]{1,3}\.[0-9]{2} total=[0-9]+$'

# The knob's text as the real files of group $1 in the v2 hierarchy say
# it: each line led by its resource.
from_files() {
	local r
	for r in cpu memory io; do
		[ -e "$V2_MOUNT/$BASE/$1/$r.pressure" ] &&
			sed "s/^/$r /" "$V2_MOUNT/$BASE/$1/$r.pressure"
	done
}

# total= of resource $2, kind $3 in group $1's pressure knob.
total() {
	cat "$MNT/$1/pressure" | awk -v r="$2" -v k="$3" '$1 == r && $2 == k {
		sub(/^total=/, "", $6); print $6 }'
}

# Does cgfs keep a group in the v2 hierarchy? Only if it serves one of
# cgfs's controllers there (layout.c); then the group's directory is
# there, with the group's processes.
V2_GROUP=
if [ -n "$V2_MOUNT" ] && serving_mounts | grep -qx "$V2_MOUNT" && [ -d "$V2_MOUNT/$BASE/$G" ]; then
	V2_GROUP=1
fi

if [ -z "$V2_GROUP" ]; then
	why="no cgroup2 hierarchy serves a controller here, so cgfs keeps no group in one (${V2_MOUNT:-no cgroup2 mount})"
	[ -n "$V2_MOUNT" ] && [ -d "$V2_MOUNT/$BASE" ] && not_ok "cgfs made groups in $V2_MOUNT it does not serve"
elif [ ! -e "$V2_MOUNT/$BASE/$G/cpu.pressure" ] && [ ! -e "$V2_MOUNT/$BASE/$G/memory.pressure" ] &&
	[ ! -e "$V2_MOUNT/$BASE/$G/io.pressure" ]; then
	why="the kernel accounts no pressure (PSI off: psi=0, or built without CONFIG_PSI)"
else
	why=
fi

if [ -n "$why" ]; then
	# ---- absent: not listed, and every way to reach it is ENOENT
	echo "# pressure is absent: $why"
	if listed "$G" pressure; then not_ok "pressure is listed"; else ok "pressure is not listed"; fi
	assert_op "pressure: stat" ENOENT "$XOP" stat "$MNT/$G/pressure"
	assert_op "pressure: read" ENOENT as "$ALICE" "$XOP" read "$MNT/$G/pressure"
	assert_op "pressure: write" ENOENT as "$ALICE" "$XOP" write "$MNT/$G/pressure" 1
	assert_op "pressure: create" EPERM as "$ALICE" "$XOP" create "$MNT/$G/pressure"
	if [ -e "$MNT/$G/stat" ]; then
		s=$(cat "$MNT/$G/stat")
		if grep -q _pressure_ <<<"$s"; then not_ok "stat has pressure keys: $s"; else ok "stat has no pressure keys"; fi
	fi
	exit 0
fi

# ---- present: listed, read-only, alice's

if listed "$G" pressure; then ok "pressure is listed"; else not_ok "pressure is not listed"; fi
assert_eq "pressure: mode and owner" "444 $ALICE" "$(stat -c '%a %U' "$MNT/$G/pressure")"
p=$(cat "$MNT/$G/pressure")
echo "$p" | sed 's/^/# /'
bad=$(grep -Evc "$LINE" <<<"$p")
assert_eq "pressure: every line is RESOURCE KIND and the kernel's fields" 0 "$bad"
for r in cpu memory io; do
	if [ -e "$V2_MOUNT/$BASE/$G/$r.pressure" ]; then
		assert_eq "pressure: $r's lines are its file's, in order" \
			"$(cut -d' ' -f1 "$V2_MOUNT/$BASE/$G/$r.pressure" | tr '\n' ' ')" \
			"$(awk -v r="$r" '$1 == r { printf "%s ", $2 }' <<<"$p")"
	else
		echo "# SKIP $r pressure: this kernel has no $r.pressure"
	fi
done
assert_eq "pressure: a some line for each of cpu, memory and io" "cpu memory io" \
	"$(awk '$2 == "some" { print $1 }' <<<"$p" | tr '\n' ' ' | sed 's/ $//')"
# A group that never ran anything stalls on nothing: its files hold
# still, so the knob must be exactly what they say.
assert_eq "pressure of an idle group: exactly its files" "$(from_files "$I")" "$(cat "$MNT/$I/pressure")"

# ---- read-only: a write changes nothing

attack "alice writes pressure" EACCES as "$ALICE" "$XOP" write "$MNT/$G/pressure" 0
attack "root writes pressure" EACCES "$XOP" write "$MNT/$G/pressure" 0
attack "alice truncates pressure" EACCES as "$ALICE" "$XOP" truncate "$MNT/$G/pressure"
assert_eq "pressure: the idle group still reads its files" "$(from_files "$I")" "$(cat "$MNT/$I/pressure")"

# ---- stat: the same figures, after stat's own lines

s=$(cat "$MNT/$I/stat")
for r in cpu memory io; do
	for k in some full; do
		line=$(grep "^$r $k " <<<"$(cat "$MNT/$I/pressure")") || continue
		want=$(awk '{ for (i = 3; i <= 6; i++) { split($i, f, "="); v[i] = f[2] }
			printf "%s %s %s %d.%06d\n", v[3], v[4], v[5], v[6] / 1000000, v[6] % 1000000 }' <<<"$line")
		got=$(awk -v p="${r}_pressure_${k}_" 'index($1, p) == 1 { printf "%s ", $2 }' <<<"$s" | sed 's/ $//')
		assert_eq "stat: ${r}_pressure_${k}_avg10/60/300 and _total_seconds" "$want" "$got"
	done
done
assert_eq "stat: its own lines first, the pressure keys last" "populated" \
	"$(grep -v _pressure_ <<<"$s" | tail -n 1 | cut -d' ' -f1)"
assert_eq "stat: nothing after the pressure keys" "" \
	"$(sed -n '/_pressure_/,$p' <<<"$s" | grep -v _pressure_)"

# ---- cpu's total grows under contention

# Two busy loops of alice's on one CPU of the group: one of them is always
# waiting, which is cpu pressure. Where the group cannot be held to one
# CPU, one loop more than this machine has CPUs.
n=$(( $(nproc) + 1 ))
if [ -e "$MNT/$G/cpus" ]; then
	first=$(cut -d, -f1 <"$MNT/$G/cpus" | cut -d- -f1)
	assert_op "alice holds the group to CPU $first" OK as "$ALICE" "$XOP" write "$MNT/$G/cpus" "$first"
	n=2
fi
before=$(total "$G" cpu some)
loops=()
for i in $(seq 1 "$n"); do
	setpriv --reuid="${UID_OF[$ALICE]}" --regid="${GID_OF[$ALICE]}" --clear-groups -- \
		sh -c 'while :; do :; done' &
	SPAWNED+=("$!")
	loops+=("$!")
	assert_op "alice moves busy loop $i into the group" OK as "$ALICE" "$XOP" write "$MNT/$G/procs" "$!"
done
# The kernel updates total as tasks change state: wait for it, up to a
# minute, not for a set time.
after=$before
for i in $(seq 1 300); do
	after=$(total "$G" cpu some)
	[ "$after" -gt "$before" ] && break
	sleep 0.2
done
kill -KILL "${loops[@]}" 2>/dev/null
for p in "${loops[@]}"; do wait "$p" 2>/dev/null; done
echo "# cpu some total: $before us before the busy loops, $after us with them"
if [ "$after" -gt "$before" ]; then
	ok "pressure: cpu some total grows while $n busy loops contend"
else
	not_ok "pressure: cpu some total did not grow in a minute of $n busy loops ($before -> $after)"
fi
assert_eq "pressure: the total is the real file's or behind it" 1 \
	"$(awk -v t="$(total "$G" cpu some)" '$1 == "some" { sub(/^total=/, "", $5); print ($5 >= t) }' \
		"$V2_MOUNT/$BASE/$G/cpu.pressure")"
