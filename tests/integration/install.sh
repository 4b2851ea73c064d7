#!/bin/bash
# SPDX-License-Identifier: MIT
# Installing cgfs the usual ways: meson install into a DESTDIR puts every
# file where it belongs; the unit passes systemd-analyze verify; the man
# pages are lint-clean and cgfs.8 documents exactly the options --help
# lists; /etc/fstab-style mounting through mount.fuse3 works; readiness
# (sd_notify READY=1) is sent only once the mount answers.
# Usage: install.sh CGFS XOP BUILDDIR SOURCEDIR
. "$(dirname "$0")/../lib/lib.sh"
BUILD=${3:?build dir}
SRC=${4:?source dir}
DEST=$(mktemp -d /tmp/cgfs-destdir.XXXXXX)
UNITS=$(mktemp -d /tmp/cgfs-unit.XXXXXX)
extra_cleanup() { rm -rf "$DEST" "$UNITS"; }
trap 'extra_cleanup; cleanup' EXIT

# meson install with DESTDIR
if meson install -C "$BUILD" --destdir "$DEST" --quiet >/dev/null 2>&1; then
	ok "meson install into DESTDIR"
else
	not_ok "meson install into DESTDIR failed"
fi
prefix=$(meson introspect "$BUILD" --buildoptions | python3 -c \
	'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo "$prefix/lib/systemd/system")
for f in "$prefix/sbin/cgfs" "$prefix/bin/cgfs-run" "$unitdir/cgfs.service" \
	"$unitdir/cgfs-groups.service" "$prefix/share/man/man8/cgfs.8" "$prefix/share/man/man1/cgfs-run.1" \
	"$prefix/share/man/man5/cgfs.5" "$prefix/share/man/man5/cgfs.conf.5" \
	"$prefix/share/doc/cgfs/cgfs.conf.example" "$prefix/share/man/man8/cgfs-oci-hook.8" \
	"$prefix/share/containers/oci/hooks.d/cgfs.json" "$prefix/share/containers/oci/hooks.d/cgfs-view.json" \
	"$prefix/share/doc/cgfs/examples/lxc-cgfs.conf"; do
	[ -f "$DEST$f" ] && ok "installed $f" || not_ok "missing $DEST$f"
done
[ -x "$DEST$prefix/sbin/cgfs" ] && ok "the daemon is executable" || not_ok "cgfs not executable"
[ -x "$DEST$prefix/bin/cgfs-run" ] && ok "the launcher is executable" || not_ok "cgfs-run not executable"
# The container hook where its hooks.d entry and the LXC snippet say.
hook=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hook"]["path"])' \
	"$DEST$prefix/share/containers/oci/hooks.d/cgfs.json" 2>/dev/null)
[ -n "$hook" ] && [ -x "$DEST$hook" ] && ok "the hooks.d entry names the installed hook ($hook)" ||
	not_ok "the hooks.d entry names '$hook', not an installed executable"
view=$(python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["hook"]; print(h["path"], *h["args"])' \
	"$DEST$prefix/share/containers/oci/hooks.d/cgfs-view.json" 2>/dev/null)
assert_eq "the view's hooks.d entry runs the hook with --bind-view" "$hook cgfs-oci-hook --bind-view" "$view"
grep -q "^lxc.hook.start-host = $hook " "$DEST$prefix/share/doc/cgfs/examples/lxc-cgfs.conf" &&
	ok "the LXC snippet names the installed hook" || not_ok "the LXC snippet does not name $hook"
grep -q "^ExecStart=$prefix/sbin/cgfs " "$DEST$unitdir/cgfs.service" && ok "unit runs the installed binary" ||
	not_ok "unit ExecStart does not name $prefix/sbin/cgfs"

# systemd-analyze verify: the units as installed, pointed at the DESTDIR
# binary and man pages (verify checks that both exist).
sed "s|$prefix/sbin/cgfs|$DEST$prefix/sbin/cgfs|" "$DEST$unitdir/cgfs.service" >"$UNITS/cgfs.service"
cp "$DEST$unitdir/cgfs-groups.service" "$UNITS/"
sd_version=$(systemctl --version 2>/dev/null | awk 'NR == 1 { print $2 }')
for u in cgfs.service cgfs-groups.service; do
	out=$(cd "$UNITS" && MANPATH="$DEST$prefix/share/man" systemd-analyze verify "$UNITS/$u" 2>&1)
	assert_eq "systemd-analyze verify $u is clean (systemd ${sd_version:-unknown})" "" "$out"
done
for k in Type=notify Restart=on-failure NoNewPrivileges=yes KillMode=mixed Requires=cgfs-groups.service \
	"ExecStart=$prefix/sbin/cgfs -f -o base=/system.slice/cgfs-groups.service /run/cgfs"; do
	grep -qx "$k" "$DEST$unitdir/cgfs.service" && ok "cgfs.service has $k" || not_ok "cgfs.service lacks $k"
done
# The users' groups are in the other unit's cgroup, which runs no process.
for k in Type=oneshot RemainAfterExit=yes Delegate=yes KillMode=process; do
	grep -qx "$k" "$DEST$unitdir/cgfs-groups.service" && ok "cgfs-groups.service has $k" ||
		not_ok "cgfs-groups.service lacks $k"
done
! grep -q "^ExecStart=" "$DEST$unitdir/cgfs-groups.service" && ! grep -q "^Delegate" "$DEST$unitdir/cgfs.service" &&
	ok "cgfs-groups.service runs no main process; cgfs.service delegates nothing" ||
	not_ok "cgfs-groups.service has an ExecStart= or cgfs.service a Delegate="

# the example configuration is one the daemon accepts
if start_cgfs -o "config=$DEST$prefix/share/doc/cgfs/cgfs.conf.example"; then
	ok "cgfs accepts the example cgfs.conf"
else
	not_ok "cgfs refuses the example cgfs.conf"
fi
stop_cgfs

# man pages: lint-clean
for m in cgfs.8 cgfs.5 cgfs.conf.5 cgfs-run.1 cgfs-oci-hook.8; do
	out=$(mandoc -Tlint -W warning "$SRC/man/$m" 2>&1)
	assert_eq "mandoc -Tlint $m" "" "$out"
done

# --help and cgfs.8 name the same options.
help_opts=$("$CGFS" --help 2>&1 | grep -oE '(^|[ ,])(-o [a-z_]+|--?[a-zA-Z][a-z_-]*)' |
	sed 's/^[ ,]*//; s/=.*//' | sort -u)
man_text=$(mandoc -Tascii "$SRC/man/cgfs.8" 2>/dev/null | col -b)
for o in $help_opts; do
	name=${o#-o }
	if grep -qE -- "(^|[^a-z_])${name}([^a-z_]|$)" <<<"$man_text"; then ok "cgfs.8 documents $o"; else not_ok "cgfs.8 lacks $o"; fi
done
man_opts=$(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$SRC/man/cgfs.8" | grep -E '^\.(B|BI|BR) ' |
	grep -oE '\\-\\-?[a-zA-Z][a-z_]*|[a-z_]+=' | sed 's/\\//g; s/=$//' | sort -u)
help_text=$("$CGFS" --help 2>&1)
for o in $man_opts; do
	if grep -qE -- "(^|[^a-z_-])${o}([^a-z_]|$)" <<<"$help_text"; then ok "--help lists $o"; else not_ok "--help lacks $o (documented in cgfs.8)"; fi
done

# Mounting the way /etc/fstab does, through mount(8) and mount.fuse3:
# "PROGRAM#SOURCE MOUNTPOINT fuse OPTIONS" (the form for a program outside
# mount's safe PATH; "cgfs MOUNTPOINT fuse.cgfs" when cgfs is in /usr/sbin).
printf '%s#cgfs %s fuse base=/%s 0 0\n' "$CGFS" "$MNT" "$BASE" >"$UNITS/fstab"
if mount -T "$UNITS/fstab" "$MNT" 2>>"$LOG"; then ok "mount through fstab"; else not_ok "mount through fstab"; fi
assert_op "the fstab mount serves" OK "$XOP" mkdir "$MNT/$ALICE"
assert_op "tree removed" OK "$XOP" rmdir "$MNT/$ALICE"
umount "$MNT" && ok "umount" || not_ok "umount"
for i in $(seq 1 50); do pgrep -f "$CGFS.*$MNT" >/dev/null || break; sleep 0.1; done
pgrep -f "$CGFS.*$MNT" >/dev/null && not_ok "daemon still running after umount" || ok "daemon exits on umount"

# Readiness: READY=1 arrives only when the mount answers.
sock="$UNITS/notify"
python3 - "$sock" "$MNT" >"$UNITS/ready" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(10)
msg = s.recv(4096).decode()
# The mount must answer at the moment READY=1 arrives.
answered = os.path.ismount(sys.argv[2]) and os.stat(sys.argv[2]) is not None
print(msg.strip(), "answering" if answered else "not-answering")
PY
listener=$!
for i in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.05; done
NOTIFY_SOCKET=$sock start_cgfs || exit 1
wait $listener
assert_eq "READY=1 sent once the mount answers" "READY=1 answering" "$(cat "$UNITS/ready")"
stop_cgfs

# Logging: -v logs one line per refused request, with uid, pid and errno.
start_cgfs -v || exit 1
# (What the kernel refuses from the modes never reaches cgfs.)
"$XOP" mkdir "$MNT/$ALICE" >/dev/null
"$XOP" write "$MNT/$ALICE/memory_usage_mb" 5 >/dev/null
as "$ALICE" "$XOP" write "$MNT/$ALICE/procs" abc >/dev/null
as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/.bad" >/dev/null
uid=$(id -u "$ALICE")
grep -Eq "open of /$ALICE/memory_usage_mb refused for uid 0 pid [0-9]+: Permission denied" "$LOG" &&
	ok "refused open logged with uid, pid, errno" || not_ok "no log line for the refused open"
grep -Eq "write to /$ALICE/procs refused for uid $uid pid [0-9]+: Invalid argument" "$LOG" &&
	ok "refused write logged with uid, pid, errno" || not_ok "no log line for the refused write"
grep -Eq "mkdir \.bad refused for uid $uid pid [0-9]+: Invalid argument" "$LOG" && ok "refused mkdir logged" ||
	not_ok "no log line for the refused mkdir"
"$XOP" rmdir "$MNT/$ALICE" >/dev/null
stop_cgfs
n=$(grep -c "refused" "$LOG")
start_cgfs || exit 1
"$XOP" mkdir "$MNT/$ALICE" >/dev/null
as "$ALICE" "$XOP" write "$MNT/$ALICE/procs" abc >/dev/null
"$XOP" rmdir "$MNT/$ALICE" >/dev/null
stop_cgfs
assert_eq "without -v nothing is logged per request" "$n" "$(grep -c "refused" "$LOG")"
