#!/bin/bash
# SPDX-License-Identifier: MIT
# Faults: the server is killed with SIGKILL at random moments under load,
# 20 times, and the supervisor starts another each time. Clients see only
# ECONNABORTED (a request the dying server had read); afterwards every real
# group is whole or absent in every hierarchy, and the mount lists exactly
# what the kernel has.
. "$(dirname "$0")/../lib/lib.sh"

KILLS=${CGFS_FAULT_KILLS:-20}
OUT=$(mktemp /tmp/cgfs-out.XXXXXX)
test_cleanup() { rm -f "$OUT"; }
start_cgfs || exit 1
"$XOP" mkdir "$MNT/$ALICE" >/dev/null
assert_op "alice mkdir load" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/load"

# Long enough for every kill on an idle machine; the clients stop by
# themselves. On a busy one (an emulated guest beside other work) the
# kills can outlast them: the later kills then find no load, and each
# must still bring a new server.
as "$ALICE" setsid "$CGLOAD" -c 8 -t $((KILLS * 2 + 5)) -a ECONNABORTED,EIO \
	"$MNT/$ALICE/load" >"$OUT" 2>&1 &
L=$!
SPAWNED_GROUPS+=("$L")
S=$(server_pid)
restarted=0
for i in $(seq 1 "$KILLS"); do
	# 0.2 .. 1.2 s of load, then SIGKILL wherever the server is.
	sleep "0.$((RANDOM % 10 + 2))"
	kill -KILL "$S"
	S=$(wait_server "$S") || { not_ok "kill $i: no new server"; break; }
	restarted=$((restarted + 1))
done
assert_eq "$KILLS kills, a new server each time" "$KILLS" "$restarted"
wait "$L"
rc=$?
cat "$OUT"
assert_eq "clients under $KILLS kills: no failure but ECONNABORTED or EIO" 0 "$rc"

# Every real group is whole or absent: the same directories in every
# serving hierarchy, and its leaf (made with its first process) in all of
# them or in none.
prim=
for mp in $(serving_mounts); do
	list=$(cd "$mp/$BASE" && find . -type d ! -name .self | sort)
	leaves=$(cd "$mp/$BASE" && find . -type d -name .self | sort)
	if [ -z "$prim" ]; then prim=$list; prim_leaves=$leaves; continue; fi
	assert_eq "the same groups in $mp as in the first hierarchy" "$prim" "$list"
	assert_eq "the same leaves in $mp as in the first hierarchy" "$prim_leaves" "$leaves"
done

# The mount lists exactly what the kernel has.
mp=$(echo "$(serving_mounts)" | head -n 1)
real_list=$(cd "$mp/$BASE/$ALICE/load" && find . -mindepth 1 -maxdepth 1 -type d ! -name .self | sed 's|^\./||' | sort)
fuse_list=$(ls "$MNT/$ALICE/load" | grep '^c[0-9]' | sort)
assert_eq "the mount lists what the kernel has" "$real_list" "$fuse_list"
assert_eq "the clients removed all their groups" "" "$fuse_list"
