#!/bin/bash
# SPDX-License-Identifier: MIT
# The checks of the systemd guest (see systemd.sh), run as root by
# cgfs-vmtest.service once multi-user.target is up, with the cgfs package
# installed and its unit enabled. One line per check on the serial console:
#   ok N - WHAT          not ok N - WHAT          # a detail
#   not ok N - WHAT # TODO WHY       a known failure, counted apart
# then the lines systemd.sh parses, and powers the guest off:
#   VM-TIMES: boot Bs, checks Cs
#   VM-TODO: K known failures
#   VM-RESULT: N passed, M failed rc=R
# Every wait is bounded by tens of seconds and polls for a state, never
# for a time: the guest is emulated and the host may be busy.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LANG=C.UTF-8
. /usr/local/lib/cgfs-vmtest/env
cd /

UNIT=cgfs.service
# The unit whose cgroup holds the users' groups; it runs no process.
GUNIT=cgfs-groups.service
MNT=/run/cgfs
CG=/sys/fs/cgroup/system.slice/$GUNIT
USR=cgfsuser
UP_DEB=/var/cache/cgfs-vmtest/cgfs-up.deb
pass=0 fail=0 todos=0 n=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
# todo WHAT WHY: a known failure, counted apart (TAP's TODO).
todo() { n=$((n + 1)); todos=$((todos + 1)); echo "not ok $n - $1 # TODO $2"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
note() { sed 's/^/# /'; }
# check WHAT COMMAND...: one check, ok when COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# eq WHAT GOT WANT
eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf 'got:  %s\nwant: %s\n' "$2" "$3" | note
	fi
}
uptime_s() { cut -d' ' -f1 /proc/uptime; }
prop() { systemctl show -p "$1" --value "$UNIT"; }
gprop() { systemctl show -p "$1" --value "$GUNIT"; }
mounted() { [ "$(awk -v m="$MNT" '$2 == m { t = $3 } END { print t }' /proc/mounts)" = fuse.cgfs ]; }
mount_id() { awk -v m="$MNT" '$5 == m { id = $1 } END { print id }' /proc/self/mountinfo; }
alive() { kill -0 "$1" 2>/dev/null; }
# exited PID: gone, or a zombie waiting for its parent.
exited() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ]
}
cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null; }
# The server: the supervisor's child named cgfs (the notifier is
# cgfs-notify).
server_of() { ps -o pid=,comm= --ppid "$1" 2>/dev/null | awk '$2 == "cgfs" { print $1; exit }'; }
# wait_for SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}
# What systemd must leave alone: every directory below cgfs-groups'
# cgroup and the settings in it, that cgroup's cgroup.subtree_control.
snapshot() {
	local d f
	(cd "$CG" && find . -type d | LC_ALL=C sort) || return
	echo "subtree_control $(cat "$CG/cgroup.subtree_control")"
	find "$CG" -mindepth 1 -type d | LC_ALL=C sort | while read -r d; do
		for f in cgroup.subtree_control cgroup.type memory.max memory.high memory.low pids.max \
			cpu.max cpu.weight io.max cgroup.freeze cgroup.procs; do
			[ -f "$d/$f" ] && echo "${d#"$CG"}/$f $(sort "$d/$f" | tr '\n' ' ')"
		done
	done
}
# section NAME: where the time goes, on the console.
section() { echo "# [$(uptime_s)s] $1"; }
unit_log() { journalctl -b -u "$UNIT" --no-pager 2>&1 | tail -n "${1:-30}" | note; }

booted=$(uptime_s)
t0=$booted
echo "guest: $(uname -r), systemd $(systemctl --version | awk 'NR == 1 { print $2 }'), booted in ${booted}s"
systemd-analyze 2>/dev/null | head -n 1 | note

# ---- the machine: systemd as PID 1 on pure cgroup v2

section "the machine: systemd as PID 1 on pure cgroup v2"

eq "systemd is PID 1" "$(cat /proc/1/comm)" systemd
eq "pure cgroup v2: cgroup2 at /sys/fs/cgroup and no v1 hierarchy" \
	"$(stat -fc %T /sys/fs/cgroup) $(awk '$3 == "cgroup"' /proc/mounts | wc -l)" "cgroup2fs 0"
eq "the package is installed" "$(dpkg-query -W -f='${Version} ${db:Status-Abbrev}' cgfs)" "$VERSION ii "

# ---- boot: the package enabled the unit, and the boot started it

section "boot: the package enabled the unit, and the boot started it"

eq "cgfs.service is enabled by the package" "$(systemctl is-enabled $UNIT)" enabled
eq "the boot started cgfs.service" "$(prop ActiveState)/$(prop SubState)" active/running
check "the boot mounted $MNT (fuse.cgfs)" mounted

# ---- stop, then start: active exactly when mounted (Type=notify)

section "stop, then start: active exactly when mounted (Type=notify)"

systemctl stop $UNIT
eq "systemctl stop: inactive" "$(prop ActiveState)" inactive
check "systemctl stop: $MNT unmounted" eval '! mounted'
if systemctl start $UNIT; then
	# Right when start returns, before anything else runs.
	st=$(prop ActiveState)
	mounted && m=fuse.cgfs || m=none
	eq "systemctl start returns with the unit active and $MNT mounted" "$st $m" "active fuse.cgfs"
else
	not_ok "systemctl start $UNIT"
	unit_log
fi
eq "Type=notify" "$(prop Type)" notify
check "ls $MNT" ls "$MNT"
main=$(prop MainPID)

# ---- cgfs runs in its unit's cgroup; the tree lives in cgfs-groups'

section "cgfs runs in its unit's cgroup; the tree lives in cgfs-groups'"

eq "the unit's cgroup" "$(prop ControlGroup)" /system.slice/cgfs.service
bad=
for p in $(pgrep -x cgfs) $(pgrep -x cgfs-notify); do
	case $(cgroup_of "$p") in /system.slice/cgfs.service) ;; *) bad="$bad $p:$(cgroup_of "$p")" ;; esac
done
eq "every cgfs process is in /system.slice/cgfs.service, the supervisor too" \
	"${bad:-none} $(cgroup_of "$main")" "none /system.slice/cgfs.service"
# (running: the anchor, a process left by a control process, lives in its
# cgroup.)
eq "$GUNIT is active, pulled in by $UNIT, with its cgroup and no main process" \
	"$(gprop ActiveState)/$(gprop SubState) $(gprop ControlGroup) $(gprop MainPID)" \
	"active/running /system.slice/$GUNIT 0"
anchor=$(cat /run/cgfs-groups.anchor 2>&1)
eq "... its cgroup holds no process of its own, its anchor sleeps in .control" \
	"$(cat "$CG/cgroup.procs" 2>&1) $(cat "$CG/.control/cgroup.procs" 2>&1) $(cat "/proc/$anchor/comm" 2>&1)" \
	" $anchor sleep"

useradd -m -s /bin/bash "$USR" || not_ok "useradd $USR"
uid=$(id -u "$USR")
check "root makes the user's tree: mkdir $MNT/$USR" mkdir "$MNT/$USR"
check "... which is the cgroup $CG/$USR" test -d "$CG/$USR"

# ---- a user in a real PAM session (su -l: pam_systemd makes a session
# scope) moves their shell into their group

section "a user in a real PAM session moves their shell into their group"

cat >/tmp/user.sh <<EOF
echo "session=\$(sed -n 's/^0:://p' /proc/\$\$/cgroup)"
mkdir $MNT/$USR/g1; echo "mkdir=\$?"
echo 64M > $MNT/$USR/g1/memory_limit_mb; echo "limit=\$?"
mkdir $MNT/$USR/g2 && echo 32M > $MNT/$USR/g2/memory_limit_mb; echo "empty=\$?"
echo \$\$ > $MNT/$USR/g1/procs; echo "move=\$?"
echo "after=\$(sed -n 's/^0:://p' /proc/\$\$/cgroup)"
# A process that outlives the session, in the group.
sleep infinity </dev/null >/dev/null 2>&1 &
echo "sleeper=\$!"
EOF
chmod 644 /tmp/user.sh
out=$(su -l "$USR" -c 'bash /tmp/user.sh' 2>&1)
echo "$out" | note
val() { sed -n "s/^$1=//p" <<<"$out" | head -n 1; }
case $(val session) in
/user.slice/user-$uid.slice/session-*.scope) ok "su -l runs in a session scope of user-$uid.slice" ;;
*) not_ok "su -l runs in a session scope of user-$uid.slice (in $(val session))" ;;
esac
eq "the user makes a group and sets its memory limit (and an empty group g2)" \
	"$(val mkdir) $(val limit) $(val empty)" "0 0 0"
eq "the user moves their shell from the session: echo \$\$ > procs" "$(val move)" 0
# On v2 a group's own processes sit in its .self leaf (see cgfs(5)).
G1=/system.slice/$GUNIT/$USR/g1/.self
eq "... into their group's cgroup" "$(val after)" "$G1"
sleeper=$(val sleeper)
eq "the user's process stays in the group after the session" \
	"$(cgroup_of "$sleeper") $(stat -c %U "/proc/$sleeper" 2>&1)" "$G1 $USR"
check "... and is listed in $MNT/$USR/g1/procs" grep -qx "$sleeper" "$MNT/$USR/g1/procs"
eq "the limit is the real memory.max" "$(cat "$CG/$USR/g1/memory.max")" 67108864

# ---- systemd leaves the delegated tree alone

section "systemd leaves the delegated tree alone"

before=$(snapshot)
systemctl daemon-reload
systemctl start cgfs-vmtest-other.service && systemctl restart cgfs-vmtest-other.service ||
	not_ok "start and restart another unit"
# (daemon-reexec returns once the new manager answers on the bus.)
systemctl daemon-reexec || not_ok "systemctl daemon-reexec"
after=$(snapshot)
if [ "$before" = "$after" ] && [ -n "$before" ]; then
	ok "daemon-reload, daemon-reexec and restarting another unit change nothing below $GUNIT"
else
	not_ok "daemon-reload, daemon-reexec and restarting another unit change nothing below $GUNIT"
	diff <(echo "$before") <(echo "$after") | note
fi
eq "... and cgfs runs on, as it was" "$(prop ActiveState) $(prop MainPID)" "active $main"
systemctl stop cgfs-vmtest-other.service

# ---- reload: the same mount, and no reader sees an error

section "reload: the same mount, and no reader sees an error"

mkdir -p /mnt/view && mount --bind "$MNT/$USR" /mnt/view || not_ok "bind mount $MNT/$USR"
id0=$(mount_id)
nr0=$(prop NRestarts)
server0=$(server_of "$main")
rm -f /tmp/reader.*
(
	i=0 e=0
	while [ ! -e /tmp/reader.stop ]; do
		if [ "$(cat /mnt/view/g1/memory_limit_mb 2>>/tmp/reader.err)" = 64 ]; then
			i=$((i + 1))
		else
			e=$((e + 1))
		fi
		echo "$i $e" >/tmp/reader.count.new && mv /tmp/reader.count.new /tmp/reader.count
	done
) &
reader=$!
reads() { awk '{ print $1 }' /tmp/reader.count 2>/dev/null || echo 0; }
more_reads() { [ "$(reads)" -ge "$1" ]; }
wait_for 120 more_reads 20 || not_ok "the reader reads through the bind mount"
systemctl reload $UNIT || not_ok "systemctl reload $UNIT"
new_server() { s=$(server_of "$main"); [ -n "$s" ] && [ "$s" != "$server0" ]; }
check "reload: a new server serves" wait_for 120 new_server
# Then as many reads again from the new server.
r=$(reads)
wait_for 120 more_reads $((r + 20))
touch /tmp/reader.stop
# A read that hangs would keep the reader: it is a failure, not a hang.
if ! wait_for 60 exited "$reader"; then
	not_ok "reload: the reader is stuck in a read"
	kill -9 "$reader"
fi
wait "$reader"
read -r reads_n errs_n </tmp/reader.count
eq "reload: $reads_n reads through a bind mount, $((reads_n - r)) from the new server, none failed" \
	"$errs_n $((reads_n > r))" "0 1"
[ -s /tmp/reader.err ] && note </tmp/reader.err
eq "reload: the same mount, the same supervisor, no restart" \
	"$(mount_id) $(prop MainPID) $(prop NRestarts) $(prop ActiveState)" "$id0 $main $nr0 active"
umount /mnt/view

# ---- upgrade: dpkg -i of a higher version reloads, does not restart

section "upgrade: dpkg -i of a higher version reloads, does not restart"

id0=$(mount_id)
nr0=$(prop NRestarts)
started0=$(prop ExecMainStartTimestampMonotonic)
server0=$(server_of "$main")
dpkg -i "$UP_DEB" >/tmp/dpkg-up.log 2>&1
rc=$?
note </tmp/dpkg-up.log
eq "upgrade: dpkg -i $UP_VERSION" "$rc $(dpkg-query -W -f='${Version}' cgfs)" "0 $UP_VERSION"
# The supervisor re-executes the new /usr/sbin/cgfs: its executable is
# no longer the deleted old file.
reexeced() { [ "$(readlink "/proc/$main/exe")" = /usr/sbin/cgfs ] && new_server; }
check "upgrade: the supervisor re-executed the new binary and a new server serves" wait_for 120 reexeced
readlink "/proc/$main/exe" | note
eq "upgrade: the same mount, the same supervisor, reloaded not restarted" \
	"$(mount_id) $(prop MainPID) $(prop NRestarts) $(prop ExecMainStartTimestampMonotonic) $(prop ActiveState)" \
	"$id0 $main $nr0 $started0 active"
eq "upgrade: the user's group, its limit and its process" \
	"$(cat "$MNT/$USR/g1/memory_limit_mb" 2>&1) $(cat "$MNT/$USR/g1/procs" 2>&1)" "64 $sleeper"
journalctl -b -u "$UNIT" --no-pager -g 'Reload|Stopp|Start' 2>/dev/null | tail -n 8 | note

# ---- systemd's own transient scopes next to cgfs's groups

section "systemd-run --scope -p MemoryMax= next to cgfs's groups"

SCOPE=cgfs-vmtest-scope.scope
SCG=/sys/fs/cgroup/system.slice/$SCOPE
before=$(snapshot)
# --scope execs the command in the scope: $! is the sleep itself.
systemd-run --quiet --scope --unit=$SCOPE -p MemoryMax=48M sleep infinity </dev/null >/dev/null 2>&1 &
scoped=$!
in_scope() { [ "$(cgroup_of "$scoped")" = /system.slice/$SCOPE ]; }
check "systemd-run --scope runs its command in $SCOPE" wait_for 60 in_scope
eq "the scope's MemoryMax= is its memory.max; the cgfs group keeps its own limit and process" \
	"$(cat "$SCG/memory.max" 2>&1) $(cat "$MNT/$USR/g1/memory_limit_mb" 2>&1) $(cat "$CG/$USR/g1/memory.max") $(cat "$MNT/$USR/g1/procs" 2>&1)" \
	"50331648 64 67108864 $sleeper"
# The user may not move root's scoped process into their group (it is
# not theirs), and root's tools see cgfs's groups as any cgroup.
# (bash, not dash: dash's echo reports every failed write as EIO.)
out=$(runuser -u "$USR" -- bash -c "echo $scoped > $MNT/$USR/g1/procs" 2>&1)
eq "the user cannot move the scope's process into their group: EPERM" \
	"$? $(grep -c 'Operation not permitted' <<<"$out") $(cgroup_of "$scoped")" "1 1 /system.slice/$SCOPE"
echo "$out" | note
check "systemd-cgls shows cgfs's groups below $GUNIT" eval \
	"systemd-cgls --no-pager -u $GUNIT 2>/dev/null | grep -q 'g1'"
kill "$scoped"
scope_gone() { [ ! -d "$SCG" ]; }
check "the scope goes when its process ends" wait_for 60 scope_gone
after=$(snapshot)
if [ "$before" = "$after" ]; then
	ok "a scope made and gone changes nothing below $GUNIT"
else
	not_ok "a scope made and gone changes nothing below $GUNIT"
	diff <(echo "$before") <(echo "$after") | note
fi

# ---- systemd-analyze security: recorded, each exposure explained in the unit

section "systemd-analyze security $UNIT"

out=$(systemd-analyze security --no-pager $UNIT 2>&1)
rc=$?
echo "$out" | note
# It exits 0 whatever the score (no --threshold): a failure is a unit it
# cannot read.
eq "systemd-analyze security reads the unit and rates it" \
	"$rc $(grep -c 'Overall exposure level' <<<"$out")" "0 1"

# ---- stop: users' processes and groups stay; the mount goes

section "stop: users' processes and groups stay; the mount goes"

systemctl stop $UNIT
eq "systemctl stop: inactive" "$(prop ActiveState)" inactive
check "systemctl stop: $MNT unmounted (ExecStopPost)" eval '! mounted'
check "systemctl stop: no cgfs process left" eval '! pgrep -x cgfs >/dev/null'
check "systemctl stop: the user's process lives (it is in $GUNIT)" alive "$sleeper"
eq "systemctl stop: the group and its limit stay" \
	"$(cgroup_of "$sleeper") $(cat "$CG/$USR/g1/memory.max" 2>&1)" "$G1 67108864"
eq "systemctl stop: $GUNIT stays active" "$(gprop ActiveState)" active
eq "systemctl stop: ExecStopPost's fusermount3 logs nothing (cgfs unmounted already)" \
	"$(journalctl -b -u "$UNIT" --no-pager | grep -c 'failed to unmount')" 0
check "systemctl stop: the empty group g2 stays, with its limit" \
	test "$(cat "$CG/$USR/g2/memory.max" 2>&1)" = 33554432

# ---- start again: the same groups

section "start again: the same groups"

# A process lives in a group: cgroup v2 lets no process into
# cgfs-groups' cgroup, which enables controllers for the groups; systemd
# places the new cgfs in cgfs.service's own cgroup, which enables none.
if systemctl start $UNIT; then
	ok "systemctl start again, with a user's process in a group"
	eq "start again: active and mounted" "$(prop ActiveState) $(mounted && echo mounted)" "active mounted"
	eq "start again: the user's groups, their limits and the process" \
		"$(cat "$MNT/$USR/g1/memory_limit_mb" 2>&1) $(cat "$MNT/$USR/g1/procs" 2>&1) $(cat "$MNT/$USR/g2/memory_limit_mb" 2>&1)" \
		"64 $sleeper 32"
	main=$(prop MainPID)
	eq "start again: the new supervisor is in the service's cgroup" \
		"$(cgroup_of "$main")" /system.slice/cgfs.service
else
	not_ok "systemctl start again, with a user's process in a group"
	unit_log
fi

# ---- restart cgfs-groups: cgfs goes and comes back, the groups that hold
# a process stay

section "systemctl restart $GUNIT, with a user's process in a group"

if systemctl restart $GUNIT; then
	ok "systemctl restart $GUNIT (its control process runs in .control)"
else
	not_ok "systemctl restart $GUNIT"
	journalctl -b -u "$GUNIT" --no-pager 2>&1 | tail -n 20 | note
fi
# Requires=: the restart stopped cgfs and started it again.
back() { [ "$(prop ActiveState)" = active ] && mounted && [ -d "$MNT/$USR/g1" ]; }
check "... cgfs is started again with it and serves" wait_for 60 back
eq "... the user's process and its group stay; the empty g2 went with the stop" \
	"$(alive "$sleeper" && echo alive) $(cgroup_of "$sleeper") $(cat "$MNT/$USR/g1/memory_limit_mb" 2>&1) $(test -d "$CG/$USR/g2" && echo g2)" \
	"alive $G1 64 "
eq "... the old anchor ended, a new one sleeps in .control" \
	"$(exited "$anchor" && echo ended) $(cat "$CG/.control/cgroup.procs" 2>&1)" \
	"ended $(cat /run/cgfs-groups.anchor 2>&1)"
anchor=$(cat /run/cgfs-groups.anchor 2>&1)
main=$(prop MainPID)

# ---- systemctl kill: the main process alone, then the whole unit

# restarted NRESTARTS: systemd started cgfs again after a death, and the
# user's group is served.
restarted() {
	[ "$(prop NRestarts)" -gt "$1" ] && [ "$(prop ActiveState)" = active ] && mounted &&
		[ -d "$MNT/$USR/g1" ]
}
if [ "$(prop ActiveState)" = active ]; then
	section "systemctl kill --kill-whom=main -s KILL: restarted, users' processes live"
	main=$(prop MainPID)
	server0=$(server_of "$main")
	nr0=$(prop NRestarts)
	systemctl kill --kill-whom=main -s KILL $UNIT
	if wait_for 120 restarted "$nr0"; then
		ok "kill of the supervisor: systemd restarts cgfs (Restart=on-failure) on a new mount"
	else
		not_ok "kill of the supervisor: systemd restarts cgfs (Restart=on-failure) on a new mount"
		unit_log
	fi
	eq "kill of the supervisor: the user's process, its group and limit live on" \
		"$(alive "$sleeper" && echo alive) $(cgroup_of "$sleeper") $(cat "$MNT/$USR/g1/memory_limit_mb" 2>&1)" \
		"alive $G1 64"
	# Its server held the old mount, which ExecStopPost detached: it ends
	# when the kernel ends that connection.
	old_server_ended() { [ -n "$server0" ] && wait_for 60 exited "$server0"; }
	check "kill of the supervisor: the old server ends too" old_server_ended

	section "systemctl kill -s KILL: every process of the unit, users' not"
	nr0=$(prop NRestarts)
	systemctl kill -s KILL $UNIT
	restarted_any() { [ "$(prop NRestarts)" -gt "$nr0" ] && [ "$(prop ActiveState)" = active ] && mounted; }
	if wait_for 120 restarted_any; then
		ok "systemctl kill (every process): systemd restarts cgfs on a new mount"
	else
		not_ok "systemctl kill (every process): systemd restarts cgfs on a new mount"
		unit_log
	fi
	# The users' processes are in cgfs-groups.service, not in cgfs.service.
	eq "systemctl kill (every process): the user's process, its group and limit live on" \
		"$(alive "$sleeper" && echo alive) $(cgroup_of "$sleeper") $(cat "$MNT/$USR/g1/memory_limit_mb" 2>&1)" \
		"alive $G1 64"
else
	not_ok "systemctl kill --kill-whom=main and systemctl kill: not run, cgfs is not active"
fi

# ---- without root: a user's own cgfs, as cgfs(8) "Without root" says

section "without root: systemd-run --user -p Delegate=yes -p Type=notify /usr/sbin/cgfs -f ~/cgroups"

UUNIT=cgfs-vmtest-user.service
UHOME=$(getent passwd "$USR" | cut -d: -f6)
UMNT=$UHOME/cgroups
# As the user, talking to their manager (its private socket: the guest
# has no user bus).
as_user() { runuser -u "$USR" -- env XDG_RUNTIME_DIR="/run/user/$uid" "$@"; }
uprop() { as_user systemctl --user show -p "$1" --value "$2"; }
umount_type() { awk -v m="$UMNT" '$2 == m { t = $3 } END { print t }' /proc/mounts; }
umount_opts() { awk -v m="$UMNT" '$2 == m { o = $4 } END { print o }' /proc/mounts; }
# What the package brings for it: fusermount3 setuid root (fuse3), and
# /dev/fuse open to every user (udev's rules; udev is recommended).
eq "/dev/fuse is 0666 and fusermount3 setuid root" \
	"$(stat -c '%a %U' /dev/fuse /usr/bin/fusermount3 2>&1 | tr '\n' ' ')" "666 root 4755 root "
loginctl enable-linger "$USR" || not_ok "loginctl enable-linger $USR"
user_manager() {
	[ "$(systemctl is-active "user@$uid.service")" = active ] && [ -S "/run/user/$uid/systemd/private" ]
}
check "loginctl enable-linger: the user's manager runs (user@$uid.service)" wait_for 60 user_manager
# The command as cgfs(8) and README.md give it, typed in the user's login
# shell (their PATH, without /usr/sbin; their XDG_RUNTIME_DIR), with a
# unit name to stop it by.
cat >/tmp/user-cgfs.sh <<EOF
mkdir ~/cgroups
systemd-run --user --unit=$UUNIT -p Delegate=yes -p Type=notify /usr/sbin/cgfs -f ~/cgroups
echo "run=\$?"
echo "active=\$(systemctl --user is-active $UUNIT)"
echo "mount=\$(awk -v m="\$HOME/cgroups" '\$2 == m { t = \$3 } END { print t }' /proc/mounts)"
EOF
chmod 644 /tmp/user-cgfs.sh
out=$(su -l "$USR" -c 'bash /tmp/user-cgfs.sh' 2>&1)
echo "$out" | note
eq "systemd-run --user returns once cgfs is ready: active and mounted" \
	"$(val run) $(val active) $(val mount)" "0 active fuse.cgfs"
if [ "$(val active)" = active ]; then
	UCG_REL=/user.slice/user-$uid.slice/user@$uid.service/app.slice/$UUNIT
	eq "the unit runs in its own cgroup of the user's manager" "$(uprop ControlGroup "$UUNIT")" "$UCG_REL"
	UCG=/sys/fs/cgroup$UCG_REL
	eq "the mount is the user's alone (user_id=$uid, no allow_other)" \
		"$(umount_opts | tr ',' '\n' | grep -E '^(user_id=|allow_other)' | tr '\n' ' ')" "user_id=$uid "
	eq "the user lists the mount: their own tree, theirs" \
		"$(as_user ls "$UMNT" 2>&1) $(as_user stat -c %U "$UMNT/$USR" 2>&1)" "$USR $USR"
	out=$(ls "$UMNT" 2>&1)
	eq "root, another user, cannot read the mount: EACCES" \
		"$? $(grep -c 'Permission denied' <<<"$out")" "2 1"
	echo "$out" | note
	as_user mkdir "$UMNT/$USR/vmt" || not_ok "the user makes a group: mkdir $UMNT/$USR/vmt"
	as_user bash -c "echo 64 > $UMNT/$USR/vmt/memory_limit_mb" ||
		not_ok "the user writes memory_limit_mb"
	eq "the user's memory_limit_mb 64 is memory.max of the group below the unit's cgroup" \
		"$(cat "$UCG/$USR/vmt/memory.max" 2>&1) $(stat -c %U "$UCG/$USR/vmt" 2>&1)" "67108864 $USR"
	# A process of the user's, started by their manager (so inside the
	# delegated cgroup, where the kernel lets the user move it).
	as_user systemd-run --user --quiet --collect --unit=cgfs-vmtest-sleep.service sleep infinity ||
		not_ok "systemd-run --user sleep infinity"
	upid=$(uprop MainPID cgfs-vmtest-sleep.service)
	out=$(as_user bash -c "echo $upid > $UMNT/$USR/vmt/procs" 2>&1)
	eq "the user moves their process into the group: echo PID > procs" \
		"$? $(cgroup_of "$upid") $(stat -c %U "/proc/$upid" 2>&1)" "0 $UCG_REL/$USR/vmt/.self $USR"
	echo "$out" | note
	check "... and the user sees it listed in procs" as_user grep -qx "$upid" "$UMNT/$USR/vmt/procs"
	as_user kill "$upid" || not_ok "the user ends their process"
	check "... which ends" wait_for 60 exited "$upid"
	out=$(as_user rmdir "$UMNT/$USR/vmt" 2>&1)
	eq "the user removes the emptied group: rmdir, and its cgroup is gone" \
		"$? $(test -d "$UCG/$USR/vmt" && echo kept)" "0 "
	echo "$out" | note
	# One more process in a group when the unit stops: systemd ends it
	# (KillMode=control-group, its default), so nothing is left.
	as_user mkdir "$UMNT/$USR/vmt2" || not_ok "the user makes a group: mkdir $UMNT/$USR/vmt2"
	as_user systemd-run --user --quiet --collect --unit=cgfs-vmtest-sleep2.service sleep infinity ||
		not_ok "systemd-run --user sleep infinity"
	upid2=$(uprop MainPID cgfs-vmtest-sleep2.service)
	as_user bash -c "echo $upid2 > $UMNT/$USR/vmt2/procs" || not_ok "the user moves a process into vmt2"
	eq "a second process of the user's in a group when the unit stops" \
		"$(cgroup_of "$upid2")" "$UCG_REL/$USR/vmt2/.self"
	out=$(as_user systemctl --user stop "$UUNIT" 2>&1)
	eq "systemctl --user stop: inactive, and the mount gone" \
		"$? $(uprop ActiveState "$UUNIT") $(umount_type)" "0 inactive "
	echo "$out" | note
	ucg_gone() { [ ! -d "$UCG" ]; }
	check "systemctl --user stop: the process in the group is ended" wait_for 60 exited "$upid2"
	check "systemctl --user stop: the unit's cgroup and its groups are gone" wait_for 30 ucg_gone
	eq "systemctl --user stop: no process of the user's cgfs left" \
		"$(pgrep -u "$USR" -x cgfs; pgrep -u "$USR" -x cgfs-notify)" ""
else
	not_ok "the user's cgfs: mount, groups, procs and stop not checked (it did not start)"
fi
if [ "$fail" -gt 0 ]; then
	journalctl -b --user-unit "$UUNIT" --no-pager 2>&1 | tail -n 20 | note
fi
loginctl disable-linger "$USR"

# ---- purge: nothing the package installed is left

section "purge: nothing the package installed is left"

files=$(dpkg -L cgfs | while read -r f; do [ -d "$f" ] || echo "$f"; done)
echo "$files" | note
check "purge: the package installed /etc/cgfs.conf and both units" \
	eval 'grep -qx /etc/cgfs.conf <<<"$files" && grep -qx /lib/systemd/system/cgfs.service <<<"$files" &&
		grep -qx /lib/systemd/system/$GUNIT <<<"$files"'
dpkg --purge cgfs >/tmp/dpkg-purge.log 2>&1
rc=$?
note </tmp/dpkg-purge.log
eq "purge: dpkg --purge cgfs, and dpkg knows the package no more" \
	"$rc $(dpkg-query -W -f='${db:Status-Abbrev}' cgfs 2>/dev/null | tr -d ' ')" "0 "
left=$(for f in $files; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done)
eq "purge: none of the package's files remain" "${left:-none}" none
left=$(ls /etc/systemd/system/*/cgfs.service /var/lib/systemd/deb-systemd-helper-enabled/cgfs.service* \
	/var/lib/systemd/deb-systemd-helper-enabled/*/cgfs.service 2>/dev/null)
eq "purge: no enablement left" "${left:-none}" none
eq "purge: the unit is gone and $MNT unmounted and removed" \
	"$(prop LoadState) $(mounted && echo mounted) $(ls -d "$MNT" 2>&1 | sed 's/.*No such file.*/gone/')" \
	"not-found  gone"
check "purge: no cgfs process left" eval '! pgrep -x cgfs >/dev/null'
eq "purge: $GUNIT is stopped and gone too, its anchor ended" \
	"$(gprop ActiveState) $(gprop LoadState) $(exited "$anchor" && echo ended)" "inactive not-found ended"
check "purge: the user's process lives" alive "$sleeper"

t1=$(uptime_s)
if [ "$fail" -gt 0 ]; then
	echo "# the unit's journal:"
	unit_log 60
fi
echo "VM-TIMES: boot ${booted}s, checks $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s"
echo "VM-TODO: $todos known failures"
echo "VM-RESULT: $pass passed, $fail failed rc=$((fail > 0))"
# Off at once, as run.sh's guest does: nothing is left to save.
sync
systemctl poweroff -ff
echo o >/proc/sysrq-trigger
exit 0
