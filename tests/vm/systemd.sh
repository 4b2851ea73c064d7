#!/bin/bash
# SPDX-License-Identifier: MIT
# The systemd guest: cgfs.service and the Debian package on a real Debian 12
# userspace with systemd as PID 1, on pure cgroup v2. Next to run.sh's
# busybox guest, which proves the daemon, this one proves the unit and the
# package: Type=notify, the delegated cgfs-groups.service, reload as an
# upgrade, a user's PAM session as an admission point, purge.
#
# The root file system is made from Debian's packages with mmdebstrap
# (minbase plus systemd, dbus, libpam-systemd, procps, kmod and the
# package's own dependencies) and cached as a tarball in the build
# directory, keyed on the package list: a missing or stale one is built
# again (several minutes: it is downloaded). Each run unpacks it, adds the
# kernel's fuse.ko, installs the cgfs .deb with dpkg in a chroot (built by
# tools/deb.sh, or CGFS_VM_DEB), a second build of it with a higher
# version for the upgrade check, and tests/vm/systemd-checks.sh with the
# units that run it; the tree is packed as the initramfs, and systemd
# boots from it (no /etc/initrd-release: it is the real root) on Debian's
# kernel under QEMU (software emulation, as run.sh). The checks print
# TAP-like lines on the serial console, which this script parses, and
# power the guest off.
#
# Usage: bash tests/vm/systemd.sh BUILD_DIR
#   CGFS_VM_SYSTEMD=stock        Debian 12's own systemd (252), or
#                   backports    systemd from bookworm-backports (254 or
#                                later); each variant
#                                has its own directory BUILD_DIR/vm-systemd
#                                or BUILD_DIR/vm-systemd-bpo and tag
#   CGFS_VM_DEB=path.deb         the package to test (default: tools/deb.sh
#                                builds one in the variant's directory)
#   CGFS_VM_BUDGET=720           seconds the whole stage should take (with
#                                a cached root file system): beyond it a
#                                warning, not a failure
#   CGFS_VM_TIMEOUT=900          hard cap on QEMU, after which it is killed
#   CGFS_VM_VERBOSE=1            stream the whole console, not just results
#   CGFS_VM_APPEND=...           more kernel command line (debugging)
#   CGFS_VM_PREPARE_ONLY=1       build (or find) the cached root file
#                                system, then stop: tools/test.sh does so
#                                beside the host's suites
# Ends with "vm-systemd: N passed, M failed" (N and M count checks); the
# guest's whole console is kept in BUILD_DIR/vm-systemd/console.log.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR"; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || { echo "vm-systemd: no build directory $1"; exit 2; }
variant=${CGFS_VM_SYSTEMD:-stock}
case $variant in
stock) VM_TAG=vm-systemd ;;
backports) VM_TAG=vm-systemd-bpo ;;
*) echo "vm-systemd: CGFS_VM_SYSTEMD is stock or backports, not $variant"; exit 2 ;;
esac
work=$build/$VM_TAG
timeout_s=${CGFS_VM_TIMEOUT:-900}
budget_s=${CGFS_VM_BUDGET:-720}
stage_start=$(date +%s.%N)

VM_KERNELS=$build/vm/kernel
. "$here/host.sh"

[ "$(id -u)" = 0 ] || die "run as root (mmdebstrap, chroot, and the initramfs keeps file owners)"
need_pkgs qemu-system-x86 mmdebstrap cpio xz-utils zstd kmod ||
	die "cannot install the test bed's packages (qemu-system-x86 mmdebstrap cpio xz-utils zstd kmod)"
mkdir -p "$work" || die "cannot make $work"

# ---- the package, and a second build of it one version higher

if [ -n "${CGFS_VM_DEB:-}" ]; then
	deb=$CGFS_VM_DEB
else
	echo "$VM_TAG: building the package (tools/deb.sh)"
	(cd "$src" && bash tools/deb.sh "$work/deb") >"$work/deb.log" 2>&1 ||
		{ tail -n 20 "$work/deb.log"; die "tools/deb.sh failed (log: $work/deb.log)"; }
	deb=$(ls "$work"/deb/cgfs_*.deb 2>/dev/null | head -n 1)
fi
[ -f "$deb" ] || die "no package to test (${deb:-tools/deb.sh made none})"
version=$(dpkg-deb -f "$deb" Version) || die "$deb is not a Debian package"
# The upgrade: the same files with a higher version, repacked, as the next
# release would ship them. dpkg replaces /usr/sbin/cgfs with a new inode,
# so the running daemon's executable shows as deleted until it re-executes.
up_version=$version+vmtest1
rm -rf "$work/up"
mkdir -p "$work/up"
dpkg-deb -R "$deb" "$work/up/tree" &&
	sed -i "s/^Version: .*/Version: $up_version/" "$work/up/tree/DEBIAN/control" &&
	dpkg-deb --root-owner-group -b "$work/up/tree" "$work/up/cgfs_${up_version}.deb" >/dev/null ||
	die "cannot repack $deb as version $up_version"

# ---- the root file system, cached

# What the guest needs besides minbase: systemd as init, logind and D-Bus
# for PAM sessions (libpam-systemd), pidof and ps (procps), depmod (kmod),
# useradd (passwd), su (util-linux) - and the package's dependencies and
# recommendations (udev: /dev/fuse open to users), as apt installs them,
# so that dpkg -i needs no network.
pkgs=(systemd systemd-sysv dbus libpam-systemd procps kmod passwd login util-linux)
for p in $({ dpkg-deb -f "$deb" Depends; dpkg-deb -f "$deb" Recommends; } |
	tr ',|' '\n\n' | sed -E 's/\(.*//; s/[[:space:]]//g'); do
	case $p in '$'*|'') ;; *) pkgs+=("$p") ;; esac
done
pkgs=($(printf '%s\n' "${pkgs[@]}" | LC_ALL=C sort -u))
suite=bookworm
mirror=http://deb.debian.org/debian
sources=("deb $mirror $suite main")
hooks=()
# Backports: systemd's binary packages from bookworm-backports (pinned
# above Debian 12's, so every one of them is taken from there and their
# versions match), the rest of Debian 12 as it is.
if [ "$variant" = backports ]; then
	sources+=("deb $mirror $suite-backports main")
	pin="Package: src:systemd\nPin: release n=$suite-backports\nPin-Priority: 990\n"
	hooks+=(--setup-hook="mkdir -p \"\$1/etc/apt/preferences.d\" && printf '$pin' >\"\$1/etc/apt/preferences.d/systemd-backports\"")
fi
# Bump "v1" when the way the tarball is made changes.
key=$(printf 'v1 %s %s %s %s\n' "$suite" "${sources[*]}" "${hooks[*]}" "${pkgs[*]}" | sha256sum | cut -c1-16)
rootfs_tar=$work/rootfs-$key.tar
rootfs_s=cached
if [ ! -s "$rootfs_tar" ]; then
	echo "$VM_TAG: building the root file system with mmdebstrap ($suite: ${pkgs[*]}); this downloads ~100 MB"
	t=$(date +%s.%N)
	rm -f "$work"/rootfs-*.tar "$work"/rootfs-*.tar.part
	# No translations: they are most of the size and nobody reads them.
	mmdebstrap --variant=minbase --include="$(IFS=,; echo "${pkgs[*]}")" "${hooks[@]}" \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-include=/usr/share/locale/locale.alias' \
		--format=tar "$suite" "$rootfs_tar.part" "${sources[@]}" >"$work/mmdebstrap.log" 2>&1 &&
		mv "$rootfs_tar.part" "$rootfs_tar" ||
		{ tail -n 20 "$work/mmdebstrap.log"; rm -f "$rootfs_tar.part"
		  die "mmdebstrap failed: is $mirror reachable? (log: $work/mmdebstrap.log)"; }
	rootfs_s="$(elapsed_since "$t")s"
	echo "$VM_TAG: root file system built in $rootfs_s ($(du -h "$rootfs_tar" | cut -f1))"
fi
if [ "${CGFS_VM_PREPARE_ONLY:-}" = 1 ]; then
	echo "$VM_TAG: root file system ready ($rootfs_s)"
	exit 0
fi

# ---- the kernel (host.sh), shared with run.sh

need_kernel

# ---- this run's tree: the cached one, fuse.ko, the package, the checks

t=$(date +%s.%N)
root=$work/root
rm -rf "$root"
mkdir -p "$root" && tar -x -p --numeric-owner -f "$rootfs_tar" -C "$root" ||
	die "cannot unpack $rootfs_tar"

# fuse.ko where modprobe finds it; systemd-modules-load loads it at boot.
# (The lists depmod reads, empty: the one module is all there is.)
kmods=$root/lib/modules/$KVER
mkdir -p "$kmods/kernel/fs/fuse" &&
	module_to fs/fuse/fuse.ko "$kmods/kernel/fs/fuse/fuse.ko" &&
	touch "$kmods/modules.order" "$kmods/modules.builtin" "$kmods/modules.builtin.modinfo" &&
	depmod -b "$root" "$KVER" || die "cannot install fuse.ko in the guest"
echo fuse >"$root/etc/modules-load.d/cgfs-vmtest.conf"

# A machine id: without one systemd counts the boot as the first one and
# systemd-firstboot would ask questions on the console.
head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$root/etc/machine-id" && echo >>"$root/etc/machine-id"
echo cgfs-vm >"$root/etc/hostname"
# Nothing else on the serial console (the checks write to it), and no
# timers waking up under emulation.
for u in serial-getty@ttyS0.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer \
	dpkg-db-backup.timer e2scrub_all.timer fstrim.timer systemd-tmpfiles-clean.timer; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done

# The package, as an administrator installs it: dpkg enables the unit
# (there is no systemd in the chroot to start it; the boot does).
mkdir -p "$root/var/cache/cgfs-vmtest"
cp "$deb" "$root/var/cache/cgfs-vmtest/cgfs.deb" &&
	cp "$work/up/cgfs_${up_version}.deb" "$root/var/cache/cgfs-vmtest/cgfs-up.deb" ||
	die "cannot copy the packages"
chroot "$root" dpkg -i /var/cache/cgfs-vmtest/cgfs.deb >"$work/dpkg.log" 2>&1 ||
	{ cat "$work/dpkg.log"; die "dpkg -i $deb failed in the guest's tree"; }

install -D -m 755 "$here/systemd-checks.sh" "$root/usr/local/lib/cgfs-vmtest/checks.sh" ||
	die "cannot copy the checks"
printf 'VERSION=%s\nUP_VERSION=%s\n' "$version" "$up_version" >"$root/usr/local/lib/cgfs-vmtest/env"
# The boot's target: multi-user, then the checks, which power off.
cat >"$root/etc/systemd/system/cgfs-vmtest.target" <<'EOF'
[Unit]
Description=cgfs systemd guest: multi-user, then the checks
Requires=multi-user.target
After=multi-user.target
Wants=cgfs-vmtest.service
AllowIsolate=yes
EOF
cat >"$root/etc/systemd/system/cgfs-vmtest.service" <<'EOF'
[Unit]
Description=cgfs systemd guest checks
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/usr/local/lib/cgfs-vmtest/checks.sh
StandardOutput=tty
StandardError=inherit
TTYPath=/dev/ttyS0
TTYReset=no
TTYVHangup=no
TimeoutStartSec=infinity
# The checks power off at once when done; this is for a crash.
FailureAction=poweroff-force
EOF
# Another unit, restarted to see that systemd leaves cgfs's tree alone.
cat >"$root/etc/systemd/system/cgfs-vmtest-other.service" <<'EOF'
[Unit]
Description=cgfs systemd guest: a unit to restart
[Service]
ExecStart=/bin/sleep infinity
MemoryMax=512M
EOF

image=$work/initramfs.cpio
pack_initramfs "$root" "$image" || die "cannot pack the initramfs"
prep_s=$(elapsed_since "$t")
echo "$VM_TAG: kernel $KVER, package $version (upgrade to $up_version), initramfs $(du -h "$image" | cut -f1), root file system $rootfs_s, prepared in ${prep_s}s"

# ---- boot it (host.sh)

console=$work/console.log
# rdinit: systemd straight from the initramfs, which is the root. The
# initramfs is left uncompressed: unpacking gzip costs more under TCG than
# reading the larger file. 2 GiB: the root file system lives in memory.
boot_guest "$image" 2048 '^(guest:|ok |not ok|#|VM-)' \
	"rdinit=/lib/systemd/systemd systemd.unified_cgroup_hierarchy=1 systemd.unit=cgfs-vmtest.target systemd.firstboot=off systemd.show_status=error"
guest_report
# The guest's own count, against the lines it printed.
lines_ok=$(grep -a -c '^ok ' "$console")
lines_fail=$(grep -a '^not ok ' "$console" | grep -a -v -c ' # TODO ')
todo=$(grep -a '^VM-TODO: ' "$console" | tail -n 1 | awk '{ print $2 }')
if [ "$lines_ok" != "$pass" ] || [ "$lines_fail" != "$fail" ]; then
	echo "$VM_TAG: the guest counted $pass passed, $fail failed but printed $lines_ok ok and $lines_fail not ok lines"
	fail=$((fail + 1))
fi
total=$(elapsed_since "$stage_start")
echo "$VM_TAG: $times; QEMU ran ${elapsed}s; the stage took ${total}s (root file system $rootfs_s, budget ${budget_s}s)"
if [ "$rootfs_s" = cached ] && [ "$total" -gt "$budget_s" ]; then
	echo "$VM_TAG: WARNING: over the budget of ${budget_s}s (a busy machine, or checks grown too long)"
fi
if [ "$rc" != 0 ] || [ "$fail" != 0 ]; then
	echo "$VM_TAG: the guest's checks failed (console: $console)"
fi
# Known failures are not hidden: each is shown, and counted apart.
if [ "${todo:-0}" -gt 0 ]; then
	echo "$VM_TAG: $todo KNOWN FAILURES (TODO), not counted as failed:"
	grep -a '^not ok .* # TODO ' "$console" | sed "s/^/$VM_TAG:   /"
fi
echo "$VM_TAG: $pass passed, $fail failed"
[ "$rc" = 0 ] && [ "$fail" = 0 ]
