#!/bin/bash
# SPDX-License-Identifier: MIT
# The pure cgroup v2 test bed. Boots Debian's own kernel under QEMU (no KVM:
# software emulation) with an initramfs of busybox-static, this build's
# cgfs and xop, the integration tests and the host's bash, util-linux and
# coreutils; the guest mounts only cgroup2, with every controller, runs the
# integration suite plus tests/vm/v2.sh and reports back on the serial
# console. This script installs what it needs, parses the guest's report,
# prints the run's times, and exits non-zero on any failed test, on a
# guest that never reports, and on a timeout. (systemd.sh is the other
# guest: cgfs.service and the package under systemd; host.sh what the
# two share.)
#
# Usage: bash tests/vm/run.sh BUILD_DIR
#   CGFS_VM_TESTS="knobs procs"  run only these tests (names without .sh)
#   CGFS_VM_BUDGET=1800          seconds the run (boot + suite) should
#                                take: beyond it a warning, not a failure
#                                (a busy machine is not a broken guest;
#                                alone it takes ~16 minutes, beside the
#                                host's suites in tools/test.sh ~26)
#   CGFS_VM_TIMEOUT=2700         hard cap for a guest that hangs, after
#                                which QEMU is killed (a failure)
#   CGFS_VM_VERBOSE=1            stream the whole console, not just results
#   CGFS_VM_APPEND=...           more kernel command line (debugging)
# The guest's whole console is kept in BUILD_DIR/vm/console.log.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR"; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || { echo "vm: no build directory $1"; exit 2; }
work=$build/vm
timeout_s=${CGFS_VM_TIMEOUT:-2700}
budget_s=${CGFS_VM_BUDGET:-1800}

VM_TAG=vm
# Kernels are cached next to this guest's files; the systemd guest
# (systemd.sh) shares them.
VM_KERNELS=$work/kernel
. "$here/host.sh"

[ "$(id -u)" = 0 ] || die "run as root (apt-get, and the initramfs keeps file owners)"
for f in src/cgfs src/cgfs-run tests/xop tests/cgload tests/adversary; do
	[ -x "$build/$f" ] || die "$build/$f is not built"
done

# ---- what the host needs: QEMU, busybox, cpio; the tools shipped to the guest

need_pkgs qemu-system-x86 busybox-static cpio xz-utils bash util-linux fuse3 coreutils \
	findutils grep sed mawk dash || die "cannot install the test bed's packages"

# ---- the kernel (host.sh)

need_kernel

# ---- the initramfs

root=$work/root
rm -rf "$root"
mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,bb,proc,sys,dev,tmp,run,etc,root,cgfs/bin,cgfs/tests,cgfs/lib}
# Debian's merged /usr, so that the host's binaries find their libraries
# at the paths ldd gives.
for d in bin sbin lib lib64; do ln -s usr/$d "$root/$d"; done

# copy_libs FILE...: every shared library ldd names for each file, at the
# same path in the guest.
copy_libs() {
	local lib
	for lib in $(ldd "$@" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib" || return 1
	done
}

# copy_bin PROGRAM...: copies each program (a name on PATH) to the same
# path in the guest, with its libraries.
copy_bin() {
	local f p
	for f in "$@"; do
		p=$(type -P "$f") || { echo "vm: $f is not installed on this host"; return 1; }
		p=$(readlink -f "$p")
		mkdir -p "$root$(dirname "$p")"
		cp "$p" "$root$p" || return 1
		# a name that is a link to another program (awk -> mawk)
		[ "$(basename "$p")" = "$f" ] || ln -sf "$p" "$root/usr/bin/$f"
		copy_libs "$p" || return 1
	done
}

# What the tests run, as on the host (busybox only fills gaps, last on PATH).
host_tools=(bash dash setpriv unshare setsid nsenter mountpoint fusermount3 umount mount awk grep sed find
	xargs sort md5sum stat id ls cat head tail tr mktemp seq nproc sleep rm rmdir mkdir cp
	mv wc chmod chown touch tee cut uniq date env timeout printf echo true false basename
	dirname readlink ln dd ps)
copy_bin "${host_tools[@]}" || die "cannot copy the host's tools"
# A user's own mount (rootless.sh) is made by fusermount3, setuid root as
# installed (cp drops the bit).
chmod u+s "$root$(readlink -f "$(type -P fusermount3)")" || die "cannot make fusermount3 setuid"
# meminfo.sh: a memory load, free(1), and LXCFS to compare with (lxcfs
# dlopen()s its liblxcfs.so, which ldd does not list).
copy_bin stress-ng free lxcfs || die "cannot copy stress-ng, free and lxcfs (tools/deps.sh test)"
# diskstats.sh: the tools that read a group's proc/diskstats.
copy_bin vmstat iostat || die "cannot copy vmstat and iostat (tools/deps.sh test)"
# cache.sh: which pages of a file are cached.
copy_bin fincore || die "cannot copy fincore (tools/deps.sh test)"
for f in $(dpkg -L lxcfs 2>/dev/null | grep '/liblxcfs\.so$'); do
	mkdir -p "$root$(dirname "$f")" && cp -L "$f" "$root$f" && copy_libs "$f" ||
		die "cannot copy $f"
done
# glibc loads libgcc_s at run time for pthread_cancel (libfuse's loop ends
# its workers with it): ldd does not list it.
libgcc=$(/sbin/ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ { print $NF; exit }')
[ -n "$libgcc" ] && mkdir -p "$root$(dirname "$libgcc")" && cp -L "$libgcc" "$root$libgcc" ||
	die "cannot copy libgcc_s.so.1"
ln -sf dash "$root/usr/bin/sh"
cp /usr/bin/busybox "$root/bb/busybox"
for a in $(/usr/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bb/$a"
done

# cgfs and xop with their libraries (an ASan build brings libasan too).
cp "$build/src/cgfs" "$build/src/cgfs-run" "$build/src/cgfs-oci-hook" "$build/tests/xop" \
	"$build/tests/cgload" "$build/tests/adversary" "$root/cgfs/bin/" &&
	copy_libs "$build/src/cgfs" "$build/src/cgfs-run" "$build/src/cgfs-oci-hook" \
	"$build/tests/xop" "$build/tests/cgload" "$build/tests/adversary" ||
	die "cannot copy cgfs, cgfs-run, cgfs-oci-hook, xop and their libraries"
# The shared tests as they are, the v2-only ones beside them, and their
# library one level up, where each finds it as on the host (../lib).
cp "$src"/tests/integration/*.sh "$root/cgfs/tests/" || die "cannot copy the tests"
cp "$src"/tests/lib/*.sh "$root/cgfs/lib/" || die "cannot copy the tests' library"
vm_tests=()
for t in "$here"/*.sh; do
	# Not tests: the host's scripts and the systemd guest's.
	case ${t##*/} in run.sh|init.sh|host.sh|systemd.sh|systemd-checks.sh) ;; *) vm_tests+=("$t") ;; esac
done
cp "${vm_tests[@]}" "$root/cgfs/tests/" || die "cannot copy the v2 tests"

# The tests to run: the integration tests this build registers with meson
# (the host's suite), but install.sh, which needs meson, systemd-analyze,
# mandoc, pkg-config and python3 (a build host, not a guest); then the
# v2-only checks of tests/vm.
tests=()
registered=$(meson introspect "$build" --tests | grep -o '"integration-[A-Za-z0-9_-]*"' | tr -d '"')
[ -n "$registered" ] || die "meson lists no integration test in $build"
for n in $registered "${vm_tests[@]}"; do
	n=${n#integration-}
	n=${n##*/}
	n=${n%.sh}
	[ "$n" = install ] && continue
	[ -f "$root/cgfs/tests/$n.sh" ] || die "test $n.sh not found"
	if [ -n "${CGFS_VM_TESTS:-}" ] && ! grep -qw "$n" <<<"$CGFS_VM_TESTS"; then continue; fi
	tests+=("$n")
done
[ ${#tests[@]} -gt 0 ] || die "no test selected"
printf '%s\n' "${tests[@]}" >"$root/cgfs/tests.list"

# Modules as plain .ko files in /lib/modules, for busybox's insmod.
mkdir -p "$root/lib/modules"
for m in "${MODULES[@]}"; do
	module_to "$m" "$root/lib/modules/$(basename "$m")" || die "cannot copy $m"
done

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
cgfs-alice:x:2001:2001:cgfs test user:/nonexistent:/usr/sbin/nologin
cgfs-bob:x:2002:2002:cgfs test user:/nonexistent:/usr/sbin/nologin
cgfs-carol:x:2003:2003:cgfs test user:/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
cgfs-alice:x:2001:
cgfs-bob:x:2002:
cgfs-carol:x:2003:
nogroup:x:65534:
EOF
echo "passwd: files" >"$root/etc/nsswitch.conf"
echo "group: files" >>"$root/etc/nsswitch.conf"
ln -s /proc/self/mounts "$root/etc/mtab"
install -m 755 "$here/init.sh" "$root/init"
# A linker cache spares every exec ld.so's search of the library paths.
/sbin/ldconfig -r "$root" 2>/dev/null || die "cannot build the guest's ld.so.cache"

image=$work/initramfs.cpio.gz
pack_initramfs "$root" "$image" gzip -1 || die "cannot pack the initramfs"
echo "vm: kernel $KVER, initramfs $(du -h "$image" | cut -f1), tests: ${tests[*]}"

# ---- boot it (host.sh): only results are shown, unless asked

console=$work/console.log
# psi=1: Debian's kernel accounts pressure only when asked (pressure.sh
# checks both; CGFS_VM_APPEND=psi=0 turns it off again).
boot_guest "$image" 1536 '^(guest:|===|not ok|# SKIP|VM-)' "rdinit=/init psi=1"
guest_report
echo "vm: $times; QEMU ran ${elapsed}s in all (budget ${budget_s}s)"
if [ "$elapsed" -gt "$budget_s" ]; then
	echo "vm: WARNING: over the budget of ${budget_s}s (a busy machine, or a suite grown too long)"
fi
if [ "$rc" != 0 ] || [ "$fail" != 0 ]; then
	echo "vm: the guest's tests failed (console: $console)"
fi
echo "vm: $pass passed, $fail failed"
[ "$rc" = 0 ] && [ "$fail" = 0 ]
