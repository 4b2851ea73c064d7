#!/bin/bash
# SPDX-License-Identifier: MIT
# Three users at once, at random (tests/helpers/adversary.c): each step is
# checked against the real cgroup files of every hierarchy — nobody changes
# anything outside their tree (or the tree of a handle's opener), a refused
# step changes nothing, a step that must be refused is, the daemon
# answers, and nothing is left below the base at the end.
#
#   CGFS_ADVERSARY_SEED=N|random  the sequence (default: a fixed one)
#   CGFS_ADVERSARY_SECONDS=S      how long it runs (default 60; the v2
#                                 guest sets 30)
. "$(dirname "$0")/../lib/lib.sh"

ADVERSARY=$(dirname "$XOP")/adversary
[ -x "$ADVERSARY" ] || { not_ok "no adversary helper at $ADVERSARY"; exit 1; }
seed=${CGFS_ADVERSARY_SEED:-17}
[ "$seed" = random ] && seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
[[ $seed =~ ^[0-9]+$ ]] || { not_ok "CGFS_ADVERSARY_SEED must be a number or random: $seed"; exit 1; }
secs=${CGFS_ADVERSARY_SECONDS:-60}
echo "# adversary: seed $seed (replay: CGFS_ADVERSARY_SEED=$seed), $secs s"

cat >"$CONF" <<CFG
[defaults]
memory_limit_mb = 1024
pids_max = 100
max_groups = 12
max_depth = 2
CFG
start_cgfs -o "config=$CONF" || exit 1
SERVER=$(server_pid)
for u in "$ALICE" "$BOB" "$CAROL"; do
	assert_op "root makes $u's tree" OK "$XOP" mkdir "$MNT/$u"
done
# A daemon that stops answering leaves the program blocked in a request:
# the bound is generous (the budget, then as long again and four minutes).
timeout -k 10 $((secs * 2 + 240)) "$ADVERSARY" "$MNT" "$BASE" "$seed" "$secs"
rc=$?
case $rc in
0) ok "seed $seed: every invariant held for $secs s" ;;
124|137) not_ok "seed $seed: the run did not end (the daemon stopped answering?)" ;;
*) not_ok "seed $seed: an invariant failed (status $rc), see above" ;;
esac
kill -0 "$DAEMON" 2>/dev/null && ok "the daemon still runs" || not_ok "the daemon died"
# A crashed server is replaced within milliseconds, and the request it
# died on may still be answered as expected by the next one.
assert_eq "the server never died (one server, no restart)" "$SERVER" "$(server_pid)"
