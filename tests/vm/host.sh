# SPDX-License-Identifier: MIT
# What both guests' host scripts share (sourced by run.sh and systemd.sh,
# never run by itself): dying loudly, installing the host's packages, and
# Debian's kernel with the modules the guests load.
#
# The sourcing script sets VM_TAG (the prefix of its lines, "vm" or
# "vm-systemd") and VM_KERNELS (the directory that caches kernels, shared
# by both guests) before calling any of these.

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
