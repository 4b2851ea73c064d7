#!/bin/bash
# SPDX-License-Identifier: MIT
# No tree the kernel can hold takes cgfs down. A user's tree is 32 deep at
# most unless cgfs.conf says max (EDQUOT past it, nothing changed); with
# max_depth = max a user builds a chain through the mount down to the
# deepest level a path can name (then ENAMETOOLONG, nothing changed) and
# writes cpus at its bottom and top. A chain thousands deep made outside
# cgfs in every serving hierarchy (paths far beyond PATH_MAX, half made in
# one hierarchy, a process at its bottom): a fresh cgfs starts on that
# base and answers, completes the half-made levels it serves, fits every
# v1 cpuset of it on a cpus write at its top (a walk of the whole chain),
# watches changes deep in it, survives a server killed and a restart, and
# one rmdir of the top group, then of the tree root, removes everything in
# every hierarchy, the process moved out to the parent group.
. "$(dirname "$0")/../lib/lib.sh"

# Deeper than the crash depths reported (720 for a cpus write, 1990 for
# the start-up walk), and deep enough that the paths (two characters a
# level) pass PATH_MAX. A few seconds per v1 hierarchy to make.
DEEP=${CGFS_DEEP_LEVELS:-2100}

# The deepest a group named with one letter can be below a tree root
# whose name is $1: its path from the base ("user/g/g/...") is shorter
# than PATH_MAX - 64 (4032, with its NUL), the room its files need.
served_depth() { echo $(((4031 - ${#1}) / 2)); }

test_cleanup() { rm -f "$CONF.before" "$CONF.after"; }

cat >"$CONF" <<CFG
[user $BOB]
max_depth = max
max_groups = max
CFG

start_outside || exit 1
assert_op "root makes bob's tree (max_depth = max)" OK "$XOP" mkdir "$MNT/$BOB"

OTHER=
for m in $(serving_mounts); do
	[ "$m" != "$PRIMARY" ] && { OTHER=$m; break; }
done
echo "# primary hierarchy $PRIMARY, another one: ${OTHER:-none}; outside chains $DEEP deep"

# gone_everywhere USER GROUP: "yes" when no serving hierarchy has it.
gone_everywhere() {
	local mp
	for mp in $(serving_mounts); do
		[ -e "$mp/$BASE/$1/$2" ] && { echo "no ($mp)"; return; }
	done
	echo yes
}

# depths USER NAME: the chain's depth in every serving hierarchy, one line.
depths() {
	local mp out=
	for mp in $(serving_mounts); do out="$out $("$XOP" chaindepth "$mp/$BASE/$1" "$2")"; done
	echo "${out# }"
}

# all_equal N: N repeated once per serving hierarchy.
all_equal() {
	local mp out=
	for mp in $(serving_mounts); do out="$out $1"; done
	echo "${out# }"
}

# alive: the daemon runs and a request through the mount is answered.
alive() {
	kill -0 "$DAEMON" 2>/dev/null && [ -n "$(server_pid)" ] &&
		"$XOP" stat "$MNT/$ALICE/pids_max" | grep -qx OK
}

# ---- 1. the default depth: 32 levels, then EDQUOT ----
assert_op "alice builds a chain: 32 levels made, the 33rd is EDQUOT" "EDQUOT 32" \
	as "$ALICE" "$XOP" mkchain "$MNT/$ALICE" g 40
before=$(snapshot)
assert_op "alice: mkdir at depth 33 again is EDQUOT" EDQUOT \
	as "$ALICE" "$XOP" chainop "$MNT/$ALICE" g 32 mkdir g
assert_op "alice: a wider group at depth 33 is EDQUOT too" EDQUOT \
	as "$ALICE" "$XOP" chainop "$MNT/$ALICE" g 32 mkdir other
assert_eq "refused mkdirs changed nothing" "$before" "$(snapshot)"
assert_eq "the chain is 32 deep in every hierarchy" "$(all_equal 32)" "$(depths "$ALICE" g)"
if v2_serves; then
	# The kernel holds the default line too: the cap plus the leaf.
	assert_eq "v2: the tree root's cgroup.max.depth (32 + 1)" 33 \
		"$(cat "$V2_MOUNT/$BASE/$ALICE/cgroup.max.depth")"
	assert_eq "v2: its cgroup.max.descendants (2 x 2000 + 1)" 4001 \
		"$(cat "$V2_MOUNT/$BASE/$ALICE/cgroup.max.descendants")"
	assert_eq "v2: bob's max lifts the kernel's limit" max \
		"$(cat "$V2_MOUNT/$BASE/$BOB/cgroup.max.depth")"
fi
assert_op "alice removes her chain" OK as "$ALICE" "$XOP" rmdir "$MNT/$ALICE/g"
assert_eq "alice's chain is gone from every hierarchy" yes "$(gone_everywhere "$ALICE" g)"

# ---- 2. max_depth = max: a chain through the mount, to the bottom ----
# With names of 64 characters, a path reaches its limit (GROUP_PATH_MAX)
# after a few dozen levels: past the default depth, cheap to make.
N64=gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg
BD=$(((4031 - ${#BOB}) / 65))
assert_op "bob builds a chain through the mount: $BD levels, then ENAMETOOLONG" \
	"ENAMETOOLONG $BD" as "$BOB" "$XOP" mkchain "$MNT/$BOB" "$N64" $((BD + 5))
assert_eq "bob's chain is $BD deep in every hierarchy" "$(all_equal "$BD")" "$(depths "$BOB" "$N64")"
snapshot_text >"$CONF.before"
assert_op "a level past what a path can name is ENAMETOOLONG" ENAMETOOLONG \
	as "$BOB" "$XOP" chainop "$MNT/$BOB" "$N64" "$BD" mkdir "$N64"
snapshot_text >"$CONF.after"
cmp -s "$CONF.before" "$CONF.after" && ok "nothing changed" ||
	{ not_ok "nothing changed"; diff "$CONF.before" "$CONF.after" | cut -c1-200 | head; }
assert_op "bob writes cpus at the bottom-most level" OK \
	as "$BOB" "$XOP" chainop "$MNT/$BOB" "$N64" "$BD" write cpus 0
assert_op "bob writes cpus at the top" OK as "$BOB" "$XOP" write "$MNT/$BOB/$N64/cpus" 0
assert_eq "cpus reads back at the top" 0 \
	"$(as "$BOB" "$XOP" read "$MNT/$BOB/$N64/cpus" | sed -n 2p)"
assert_eq "cpus reads back at the bottom" 0 \
	"$(as "$BOB" "$XOP" chainop "$MNT/$BOB" "$N64" "$BD" read cpus | sed -n 2p)"
stop_cgfs

# ---- 3. a chain made outside cgfs, thousands deep ----
# Made while no cgfs runs: deep path look-ups are slow in the kernel (tens
# of microseconds a level), and a watcher checks each group made outside
# by its path. Each step here is relative to the last. In OTHER the chain
# stops 3 levels short of the deepest group a path can name (AD): half
# made, completed at start up to AD; below AD it stays as it is.
AD=$(served_depth "$BOB")
t0=$(date +%s)
for mp in $(serving_mounts); do
	n=$DEEP
	[ "$mp" = "$OTHER" ] && n=$((AD - 3))
	r=$("$XOP" mkchain "$mp/$BASE/$BOB" o "$n")
	[ "$r" = OK ] || not_ok "outside chain in $mp: $r"
done
echo "# outside chain in every hierarchy in $(($(date +%s) - t0)) s"
# A process at the very bottom, in every hierarchy (written to the real
# files relative to the directory above: its path passes PATH_MAX).
spawn
for mp in $(serving_mounts); do
	n=$DEEP
	[ "$mp" = "$OTHER" ] && n=$((AD - 3))
	r=$("$XOP" chainop "$mp/$BASE/$BOB" o "$n" write cgroup.procs "$SPAWN")
	[ "$r" = OK ] || not_ok "moving $SPAWN to the bottom in $mp: $r"
done

# ---- 4. a fresh cgfs on that base: start-up walks, repair ----
t0=$(date +%s)
start_cgfs -o "config=$CONF" && ok "a fresh cgfs starts on the deep base" ||
	not_ok "a fresh cgfs does not start on the deep base"
for i in $(seq 1 600); do alive && break; sleep 0.1; done
alive && ok "it answers ($(($(date +%s) - t0)) s)" || not_ok "it does not answer"
assert_eq "ls shows the chain" o "$(ls "$MNT/$BOB" | grep -x o)"
assert_op "a knob at the top reads" OK as "$BOB" "$XOP" read "$MNT/$BOB/o/pids_current"
if [ -n "$OTHER" ]; then
	assert_eq "the half-made levels were completed at start, up to what is served" "$AD" \
		"$("$XOP" chaindepth "$OTHER/$BASE/$BOB" o)"
fi
# (freeze: on v2 a core file; cgroups made outside have only the
# controllers their parents enable, cgfs's own groups all.)
assert_op "the deepest group a path can name is served" OK \
	as "$BOB" "$XOP" chainop "$MNT/$BOB" o "$AD" read freeze
assert_op "one deeper is ENAMETOOLONG, cleanly" ENAMETOOLONG \
	as "$BOB" "$XOP" chainop "$MNT/$BOB" o "$((AD + 1))" stat .
# On v1 a narrower cpus at the top fits every cpuset below it first,
# deepest first: a walk of the whole chain (720 levels crashed it once).
assert_op "bob writes cpus at the top of it ($DEEP levels below)" OK \
	as "$BOB" "$XOP" write "$MNT/$BOB/o/cpus" 0
assert_eq "cpus reads back at the top" 0 \
	"$(as "$BOB" "$XOP" read "$MNT/$BOB/o/cpus" | sed -n 2p)"
alive && ok "the daemon still answers" || not_ok "the daemon is gone"

# ---- 6. the watcher: outside changes deep in the chains ----
for mp in $(serving_mounts); do
	"$XOP" mkchain "$mp/$BASE/$BOB" o $((DEEP + 20)) >/dev/null
	"$XOP" mkchain "$mp/$BASE/$BOB" z 40 >/dev/null
	"$XOP" chainop "$mp/$BASE/$BOB" o $((AD - 1)) mkdir w >/dev/null
done
for i in $(seq 1 100); do [ -d "$MNT/$BOB/z" ] && break; sleep 0.1; done
assert_op "a chain made outside while cgfs runs is served" OK \
	as "$BOB" "$XOP" chainop "$MNT/$BOB" z 40 read freeze
assert_op "a group made outside at the deepest level is served" OK \
	as "$BOB" "$XOP" chainop "$MNT/$BOB" o $((AD - 1)) stat w/pids_max
alive && ok "the daemon still answers" || not_ok "the daemon is gone"

# ---- 7. restarts ----
S0=$(server_pid)
kill -KILL "$S0"
S1=$(wait_server "$S0") && ok "a server killed is replaced, and answers ($S1)" ||
	not_ok "no new server after kill -9"
alive && ok "the mount answers" || not_ok "the mount does not answer"
stop_cgfs
t0=$(date +%s)
start_cgfs -o "config=$CONF" && ok "cgfs stopped and started again on it" ||
	not_ok "cgfs does not start again"
for i in $(seq 1 600); do alive && break; sleep 0.1; done
alive && ok "it answers ($(($(date +%s) - t0)) s)" || not_ok "it does not answer"

# ---- 8. removal: the top group, then the tree root ----
t0=$(date +%s)
assert_op "bob removes his chain with one rmdir" OK as "$BOB" "$XOP" rmdir "$MNT/$BOB/$N64"
assert_eq "bob's chain is gone from every hierarchy" yes "$(gone_everywhere "$BOB" "$N64")"
assert_op "bob removes the outside chain with one rmdir" OK \
	as "$BOB" "$XOP" rmdir "$MNT/$BOB/o"
echo "# removed in $(($(date +%s) - t0)) s"
assert_eq "nothing of it is left in any hierarchy" yes "$(gone_everywhere "$BOB" o)"
for mp in $(serving_mounts); do
	assert_eq "the process moved to the parent group in $mp" "/$BASE/$BOB/.self" \
		"$(pid_cgroup "$SPAWN" "$mp")"
done
assert_op "root removes bob's tree, with the other chains" OK "$XOP" rmdir "$MNT/$BOB"
assert_eq "nothing of bob's tree is left" "" \
	"$(for mp in $(serving_mounts); do [ -e "$mp/$BASE/$BOB" ] && echo "$mp"; done)"
alive && ok "the daemon answers after the removals" || not_ok "the daemon is gone"
