# SPDX-License-Identifier: MIT
# What both guests' host scripts share (sourced by run.sh and systemd.sh,
# never run by itself): dying loudly, installing the host's packages,
# Debian's kernel with the modules the guests load, packing the guest's
# tree, booting it under QEMU and reading its report.
#
# The sourcing script sets VM_TAG (the prefix of its lines, "vm" or
# "vm-systemd") and VM_KERNELS (the directory that caches kernels, shared
# by both guests) before calling any of these; before boot_guest, also
# console (the file that keeps the guest's console) and timeout_s (the
# hard cap on QEMU, in seconds).

# Every way out that is not a clean report says so, and counts as a failure.
die() {
	echo "$VM_TAG: FAILED: $*"
	echo "$VM_TAG: 0 passed, 1 failed"
	exit 1
}

# need_pkgs PKG...: installs those not installed yet.
need_pkgs() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "$VM_TAG: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ---- the kernel: Debian's linux-image-amd64, never installed on this host
#
# The versioned package linux-image-amd64 depends on is downloaded and only
# its vmlinuz and MODULES are extracted into VM_KERNELS: nothing on this
# machine changes, and nothing here boots from it.

kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

# The guests' modules: FUSE, and a null block device (null_blk needs
# configfs) so that per-device io files have a device to name.
MODULES=(fs/fuse/fuse.ko fs/configfs/configfs.ko drivers/block/null_blk/null_blk.ko)

# download_kernel PKG DIR: vmlinuz and MODULES of PKG, extracted into DIR.
download_kernel() {
	local tmp deb res=1
	tmp=$(mktemp -d /tmp/cgfs-vm-deb.XXXXXX)
	(cd "$tmp" && apt-get download -q "$1" >/dev/null 2>&1)
	deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
	rm -rf "$2"
	mkdir -p "$2"
	if [ -n "$deb" ] && dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$2" --wildcards './boot/vmlinuz-*' "${MODULES[@]/#/./lib/modules/*/kernel/}"; then
		echo "${MODULES[*]}" >"$2/ok"
		res=0
	fi
	rm -rf "$tmp"
	return $res
}

# fetch_kernel: sets KERNEL (vmlinuz), KVER and MODDIR (its modules'
# kernel/ directory), downloading the package when it is not cached yet.
fetch_kernel() {
	local pkg dir
	pkg=$(kernel_pkg)
	if [ -z "$pkg" ]; then
		apt-get update -qq >/dev/null 2>&1
		pkg=$(kernel_pkg)
	fi
	[ -n "$pkg" ] || return 1
	dir=$VM_KERNELS/$pkg
	# "ok" lists the modules extracted: a new list extracts again.
	if [ "$(cat "$dir/ok" 2>/dev/null)" != "${MODULES[*]}" ]; then
		echo "$VM_TAG: fetching $pkg"
		# Package lists older than the archive name a file it no longer has.
		download_kernel "$pkg" "$dir" ||
			{ apt-get update -qq >/dev/null 2>&1 && download_kernel "$pkg" "$dir"; } || return 1
	fi
	KERNEL=$(ls "$dir"/boot/vmlinuz-* | head -n 1)
	KVER=${KERNEL##*/vmlinuz-}
	MODDIR=$dir/lib/modules/$KVER/kernel
}

# need_kernel: fetch_kernel, or the run dies.
need_kernel() {
	fetch_kernel && [ -f "$KERNEL" ] ||
		die "cannot get Debian's linux-image-amd64 kernel (apt-get download failed?)"
}

# module_to MODULE OUT: the module (a path of MODULES) uncompressed at OUT.
module_to() {
	if [ -f "$MODDIR/$1" ]; then
		cp "$MODDIR/$1" "$2"
	elif [ -f "$MODDIR/$1.xz" ]; then
		xz -dc "$MODDIR/$1.xz" >"$2"
	elif [ -f "$MODDIR/$1.zst" ]; then
		zstd -qdc "$MODDIR/$1.zst" >"$2"
	else
		echo "$VM_TAG: the kernel package has no $1"
		return 1
	fi
}

# elapsed_since T0: whole seconds since T0 (a date +%s.%N).
elapsed_since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }'
}

# ---- the guest: its initramfs, its boot and its report

# pack_initramfs ROOT IMAGE [FILTER...]: the tree ROOT as a newc cpio
# archive in IMAGE, in a stable order, through FILTER (a compressor) if
# given. Either guest's tree is its whole root file system.
pack_initramfs() {
	local root=$1 image=$2
	shift 2
	[ $# -gt 0 ] || set -- cat
	(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) |
		"$@" >"$image"
}

# boot_guest IMAGE MEMORY SHOWN APPEND: boots KERNEL with the initramfs
# IMAGE and MEMORY MiB under QEMU, its console on the serial port kept in
# $console; only the lines matching the extended regular expression SHOWN
# are printed, unless CGFS_VM_VERBOSE=1. APPEND is the kernel's command
# line after the console's settings, then CGFS_VM_APPEND. Sets qrc (QEMU's
# exit status; 124 or 137 after timeout_s) and elapsed (seconds it ran).
boot_guest() {
	local image=$1 mem=$2 shown=$3 append=$4 start
	start=$(date +%s.%N)
	# No -enable-kvm: KVM hangs on these hosts. Two vCPUs in multi-threaded
	# TCG. panic=-1 and -no-reboot turn a guest panic into QEMU's exit.
	timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 \
		-machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m "$mem" \
		-display none -monitor none -serial stdio -no-reboot \
		-kernel "$KERNEL" -initrd "$image" \
		-append "console=ttyS0 panic=-1 loglevel=4 $append ${CGFS_VM_APPEND:-}" \
		</dev/null 2>&1 | sed -u 's/\r$//' | tee "$console" |
		if [ "${CGFS_VM_VERBOSE:-}" = 1 ]; then cat; else grep -a --line-buffered -E "$shown"; fi
	qrc=${PIPESTATUS[0]}
	elapsed=$(elapsed_since "$start")
}

# fail_run MESSAGE: dies, after showing the end of the console (where a
# panic would be) unless the whole console was shown.
fail_run() {
	[ "${CGFS_VM_VERBOSE:-}" = 1 ] || { echo "--- the console's last lines"; tail -n 40 "$console"; }
	die "$*"
}

# guest_report: after boot_guest, the guest's last "VM-RESULT: N passed,
# M failed rc=R" line into pass, fail and rc, and its "VM-TIMES: ..."
# line, without the tag, into times. A guest that did not finish within
# timeout_s or never reported dies here.
guest_report() {
	local result rcw
	[ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ] &&
		fail_run "the guest did not finish within ${timeout_s}s (console: $console)"
	result=$(grep -a '^VM-RESULT: ' "$console" | tail -n 1)
	[ -n "$result" ] || fail_run "the guest never reported (QEMU exit $qrc; console: $console)"
	times=$(grep -a '^VM-TIMES: ' "$console" | tail -n 1)
	times=${times#VM-TIMES: }
	read -r _ pass _ fail _ rcw <<<"$result"
	rc=${rcw#rc=}
}
