#!/bin/bash
# SPDX-License-Identifier: MIT
# raw/: the kernel's own files of a group. Listed as cgfs(5) says (an
# independent oracle below recomputes the listing and every mode from the
# real directories), read and written through unchanged, consistent with
# the friendly knobs both ways; every refused file refuses its owner and
# root and changes nothing; release_agent and devices.* never appear and
# cannot be made through the mount.
. "$(dirname "$0")/../lib/lib.sh"

start_cgfs || exit 1
T=$MNT/$ALICE
G=$T/web
assert_op "root creates alice's tree" OK "$XOP" mkdir "$T"
assert_op "alice creates web" OK as "$ALICE" "$XOP" mkdir "$G"
assert_op "alice creates web/db" OK as "$ALICE" "$XOP" mkdir "$G/db"

# The one place where v1 and v2 differ: the kernel's names and values.
# Friendly value -> kernel text, for the pairs the consistency checks use.
if [ "$(cg_version memory)" = 1 ]; then
	MEM_LIMIT=memory.limit_in_bytes MEM_SOFT=memory.soft_limit_in_bytes
	MEM_UNLIMITED=9223372036854771712
else
	MEM_LIMIT=memory.max MEM_SOFT=memory.high MEM_UNLIMITED=max
fi
if [ "$(cg_version cpu)" = 1 ]; then
	CPU_W=cpu.shares CPU_W_100=1024 CPU_W_MAX=262144
	CPU_Q=cpu.cfs_quota_us CPU_Q_50=50000 CPU_Q_50_READ=50000 CPU_Q_OFF=-1 CPU_Q_OFF_READ=-1
else
	CPU_W=cpu.weight CPU_W_100=100 CPU_W_MAX=10000
	CPU_Q=cpu.max CPU_Q_50="50000 100000" CPU_Q_50_READ="50000 100000"
	CPU_Q_OFF="max" CPU_Q_OFF_READ="max 100000"
fi
if [ "$(cg_version blkio)" = 1 ]; then
	IO_FILE=blkio.throttle.read_bps_device IO_SET="%s 1048576" IO_READ="%s 1048576"
	IO_BAD="%s abc"
else
	IO_FILE=io.max IO_SET="%s rbps=1048576" IO_READ="%s rbps=1048576 wbps=max riops=max wiops=max"
	IO_BAD="%s rbps=abc"
fi
MiB=1048576

# real_all GROUP FILE: the real file's content in every serving hierarchy
# that has it, labelled, so one comparison covers all of them.
real_all() {
	local mp
	for mp in $(serving_mounts); do
		[ -f "$mp/$BASE/$1/$2" ] && { echo "== $mp"; cat "$mp/$BASE/$1/$2" 2>&1; }
	done
}

# ---- which files, with which modes ----

# The oracle: cgfs(5)'s rules, written out again from the real directories.
# expected_mode NAME REALMODE -> 644, 444 or "hidden"
expected_mode() {
	local name=$1 mode=$2
	case $mode in [4-7]??) ;; *) echo hidden; return ;; esac
	case $name in
	release_agent|devices.*|cgroup.kill|cgroup.event_control|memory.force_empty|memory.reclaim)
		echo hidden; return ;;
	cpu.rt_*|*.pressure) echo 444; return ;;
	# Effects outside the subtree (machine-wide, siblings, semantics).
	cpuset.cpu_exclusive|cpuset.mem_exclusive|cpuset.sched_load_balance|\
	cpuset.sched_relax_domain_level|cpuset.memory_pressure_enabled|\
	cpuset.cpus.partition|cpuset.cpus.exclusive|memory.use_hierarchy|\
	io.prio.class|blkio.prio.class)
		echo 444; return ;;
	memory.*|cpu.*|cpuset.*|io.*|blkio.*|pids.*|hugetlb.*)
		case $mode in [2367]??) echo 644 ;; *) echo 444 ;; esac
		return ;;
	esac
	echo 444
}

# expected_listing GROUP: "NAME MODE" for every file raw/ must show.
expected_listing() {
	local mp
	for mp in $(serving_mounts); do
		find "$mp/$BASE/$1" -maxdepth 1 -type f -printf '%f %m\n'
	done | sort -u -k1,1 | while read -r name mode; do
		m=$(expected_mode "$name" "$mode")
		[ "$m" = hidden ] || echo "$name $m"
	done
}

shown_listing() {
	(cd "$1/raw" && stat -c '%n %a' -- *) | sort
}

for g in "$ALICE" "$ALICE/web" "$ALICE/web/db"; do
	want=$(expected_listing "$g")
	got=$(shown_listing "$MNT/$g")
	assert_eq "/$g/raw lists every real file, each with the mode cgfs(5) gives" "$want" "$got"
done
listing=$(ls "$G/raw")
for f in "$MEM_LIMIT" cgroup.procs pids.max "$CPU_W"; do
	grep -qx -- "$f" <<<"$listing" && ok "raw/ lists $f" || not_ok "raw/ lacks $f: $listing"
done
for f in release_agent devices.allow devices.deny devices.list cgroup.kill memory.force_empty \
	memory.reclaim cgroup.event_control blkio.reset_stats; do
	grep -qx -- "$f" <<<"$listing" && not_ok "raw/ lists $f" || ok "raw/ does not list $f"
	assert_op "$f cannot be looked up" ENOENT "$XOP" read "$G/raw/$f"
done
assert_eq "raw/ is a directory of the tree's owner" "$ALICE 755 directory" "$(stat -c '%U %a %F' "$G/raw")"
grep -qx raw <<<"$(ls "$G")" && ok "a group lists raw" || not_ok "a group does not list raw"
grep -qx raw <<<"$(ls "$T")" && ok "a tree root lists raw" || not_ok "a tree root does not list raw"
grep -qx raw <<<"$(ls "$MNT")" && not_ok "the mount root lists raw" || ok "the mount root has no raw"
assert_op "the mount root has no raw/" ENOENT "$XOP" read "$MNT/raw/cgroup.procs"

# Reads are the real file, byte for byte.
ctrl_of() { case $1 in cpu.*) echo cpu ;; pids.*) echo pids ;; memory.*) echo memory ;; *) echo freezer ;; esac; }
for f in "$MEM_LIMIT" pids.max "$CPU_W" cgroup.procs; do
	assert_eq "raw/$f reads as the real file" "$(cat "$(real "$(ctrl_of "$f")" "$ALICE/web" "$f")")" \
		"$(cat "$G/raw/$f")"
done

# ---- writes that pass through ----

assert_op "alice writes raw/$MEM_LIMIT" OK as "$ALICE" "$XOP" write "$G/raw/$MEM_LIMIT" $((300 * MiB))
assert_eq "...it lands in the real file" $((300 * MiB)) "$(cat "$(real memory "$ALICE/web" "$MEM_LIMIT")")"
assert_eq "...and memory_limit_mb reads it" 300 "$(cat "$G/memory_limit_mb")"
assert_op "alice writes memory_limit_mb 512" OK as "$ALICE" "$XOP" write "$G/memory_limit_mb" 512
assert_eq "...raw/$MEM_LIMIT reads it" $((512 * MiB)) "$(cat "$G/raw/$MEM_LIMIT")"
assert_op "alice writes memory_limit_mb max" OK as "$ALICE" "$XOP" write "$G/memory_limit_mb" max
assert_eq "...raw/$MEM_LIMIT reads no limit" "$MEM_UNLIMITED" "$(cat "$G/raw/$MEM_LIMIT")"

assert_op "alice writes cpu_weight 100" OK as "$ALICE" "$XOP" write "$G/cpu_weight" 100
assert_eq "...raw/$CPU_W reads it" "$CPU_W_100" "$(cat "$G/raw/$CPU_W")"
assert_op "alice writes raw/$CPU_W $CPU_W_MAX" OK as "$ALICE" "$XOP" write "$G/raw/$CPU_W" "$CPU_W_MAX"
assert_eq "...it lands in the real file" "$CPU_W_MAX" "$(cat "$(real cpu "$ALICE/web" "$CPU_W")")"
assert_eq "...and cpu_weight reads it" 10000 "$(cat "$G/cpu_weight")"

# Several tokens, a trailing newline, a leading blank: the kernel's parser
# gets exactly what was written.
assert_op "raw/$CPU_Q '$CPU_Q_50'" OK as "$ALICE" "$XOP" write "$G/raw/$CPU_Q" "$CPU_Q_50"
assert_eq "...real $CPU_Q" "$CPU_Q_50_READ" "$(cat "$(real cpu "$ALICE/web" "$CPU_Q")")"
assert_eq "...cpu_percent reads 50" 50 "$(cat "$G/cpu_percent")"
assert_op "raw/$CPU_Q '$CPU_Q_OFF'" OK as "$ALICE" "$XOP" write "$G/raw/$CPU_Q" "$CPU_Q_OFF"
assert_eq "...real $CPU_Q" "$CPU_Q_OFF_READ" "$(cat "$(real cpu "$ALICE/web" "$CPU_Q")")"
assert_eq "...cpu_percent reads max" max "$(cat "$G/cpu_percent")"
assert_op "raw/pids.max with a newline" OK as "$ALICE" "$XOP" write "$G/raw/pids.max" $'42\n'
assert_eq "...real pids.max" 42 "$(cat "$(real pids "$ALICE/web" pids.max)")"
assert_eq "...pids_max reads it" 42 "$(cat "$G/pids_max")"
assert_op "raw/$MEM_SOFT with a unit the kernel parses" OK as "$ALICE" "$XOP" write "$G/raw/$MEM_SOFT" 64M
assert_eq "...real $MEM_SOFT" $((64 * MiB)) "$(cat "$(real memory "$ALICE/web" "$MEM_SOFT")")"
assert_eq "...memory_high_mb reads it" 64 "$(cat "$G/memory_high_mb")"
assert_op "nested: alice writes web/db/raw/pids.max" OK as "$ALICE" "$XOP" write "$G/db/raw/pids.max" 7
assert_eq "...real pids.max of web/db" 7 "$(cat "$(real pids "$ALICE/web/db" pids.max)")"

# A per-device line (MAJ:MIN VALUE) on the first disk that is no loop
# device; the kernel decides whether it takes throttling there.
dev=
for d in /sys/block/*; do
	case ${d##*/} in loop*|ram*) continue ;; esac
	[ -r "$d/dev" ] && { dev=$(cat "$d/dev"); break; }
done
if [ -z "$dev" ]; then
	echo "# SKIP $IO_FILE: no block device to name"
elif [ ! -e "$G/raw/$IO_FILE" ]; then
	echo "# SKIP $IO_FILE: not provided by this kernel"
else
	# shellcheck disable=SC2059
	line=$(printf "$IO_SET" "$dev") want=$(printf "$IO_READ" "$dev") bad=$(printf "$IO_BAD" "$dev")
	got=$(as "$ALICE" "$XOP" write "$G/raw/$IO_FILE" "$line" | head -n 1)
	if [ "$got" = OK ]; then
		ok "raw/$IO_FILE '$line'"
		assert_eq "...real $IO_FILE" "$want" "$(grep "^$dev " "$(real blkio "$ALICE/web" "$IO_FILE")")"
		before=$(real_all "$ALICE/web" "$IO_FILE")
		assert_op "raw/$IO_FILE '$bad' -> the kernel's EINVAL" EINVAL as "$ALICE" "$XOP" write "$G/raw/$IO_FILE" "$bad"
		assert_eq "...changed nothing" "$before" "$(real_all "$ALICE/web" "$IO_FILE")"
	else
		echo "# SKIP $IO_FILE: the kernel refuses throttling on $dev ($got)"
	fi
fi

# The tree root's resource files are the admin's caps.
assert_eq "tree root raw/pids.max is root's" "root 644" "$(stat -c '%U %a' "$T/raw/pids.max")"
assert_eq "tree root raw/cgroup.procs is read-only" "444" "$(stat -c '%a' "$T/raw/cgroup.procs")"
before=$(real_all "$ALICE" pids.max)
assert_op "alice cannot write her tree root's raw/pids.max" EACCES as "$ALICE" "$XOP" write "$T/raw/pids.max" 5000
assert_eq "...unchanged" "$before" "$(real_all "$ALICE" pids.max)"
assert_eq "alice can read it" "$(cat "$(real pids "$ALICE" pids.max)")" "$(as "$ALICE" cat "$T/raw/pids.max")"
assert_op "root writes the tree root's raw/pids.max" OK "$XOP" write "$T/raw/pids.max" 5000
assert_eq "...it lands" 5000 "$(cat "$(real pids "$ALICE" pids.max)")"
assert_eq "...and the tree root's pids_max reads it" 5000 "$(cat "$T/pids_max")"
before=$(real_all "$ALICE/web" pids.max)
assert_op "bob cannot write alice's raw/pids.max" EACCES as "$BOB" "$XOP" write "$G/raw/pids.max" 9
assert_eq "...unchanged" "$before" "$(real_all "$ALICE/web" pids.max)"
assert_op "bob can read it" OK as "$BOB" "$XOP" read "$G/raw/pids.max"

# ---- bad writes: the kernel's errno, nothing changed ----

# bad FILE ERRNO VALUE: refused with ERRNO, the real file unchanged.
bad() {
	local before
	before=$(real_all "$ALICE/web" "$1")
	assert_op "raw/$1 '$3' -> $2" "$2" as "$ALICE" "$XOP" write "$G/raw/$1" "$3"
	assert_eq "...raw/$1 unchanged" "$before" "$(real_all "$ALICE/web" "$1")"
}
bad pids.max EINVAL abc
bad pids.max EINVAL -5
bad "$MEM_LIMIT" EINVAL junk
bad "$CPU_W" EINVAL x
if [ "$(cg_version cpu)" = 1 ]; then bad cpu.cfs_period_us EINVAL 10; else bad cpu.max EINVAL "1 10"; fi
tmp=$(mktemp)
chmod 644 "$tmp"
printf '5\0000' >"$tmp"
before=$(real_all "$ALICE/web" pids.max)
assert_op "a NUL byte -> EINVAL" EINVAL as "$ALICE" "$XOP" writefrom "$G/raw/pids.max" "$tmp"
head -c 4097 /dev/zero | tr '\0' ' ' >"$tmp"
assert_op "a write larger than a page -> EINVAL" EINVAL as "$ALICE" "$XOP" writefrom "$G/raw/pids.max" "$tmp"
rm -f "$tmp"
assert_op "a write at an offset -> EINVAL" EINVAL as "$ALICE" "$XOP" write "$G/raw/pids.max" 100 3
assert_eq "none of these changed pids.max" "$before" "$(real_all "$ALICE/web" pids.max)"

# v1 cpusets: the friendly cpus narrows the group's children (.self
# included) first; a raw cpuset.cpus goes straight to the kernel, which
# refuses a parent narrower than its children.
ncpu=$(nproc)
if [ "$(cg_version cpuset)" = 1 ] && [ "$ncpu" -ge 2 ]; then
	before=$(real_all "$ALICE/web" cpuset.cpus)
	assert_op "v1 raw/cpuset.cpus narrower than .self -> EBUSY" EBUSY as "$ALICE" "$XOP" write "$G/raw/cpuset.cpus" 0
	assert_eq "...unchanged" "$before" "$(real_all "$ALICE/web" cpuset.cpus)"
	assert_op "the friendly cpus narrows it" OK as "$ALICE" "$XOP" write "$G/cpus" 0
	assert_eq "...raw/cpuset.cpus reads it" 0 "$(cat "$G/raw/cpuset.cpus")"
	assert_op "raw/cpuset.cpus widens it again" OK as "$ALICE" "$XOP" write "$G/raw/cpuset.cpus" "0-$((ncpu - 1))"
	assert_eq "...cpus reads it" "0-$((ncpu - 1))" "$(cat "$G/cpus")"
elif [ "$ncpu" -ge 2 ]; then
	assert_op "v2 raw/cpuset.cpus" OK as "$ALICE" "$XOP" write "$G/raw/cpuset.cpus" 0
	assert_eq "...cpus reads it" 0 "$(cat "$G/cpus")"
else
	echo "# SKIP raw/cpuset.cpus: one CPU, nothing to narrow"
fi

# ---- refused files ----

spawn "$ALICE"
victim=$SPAWN
# refused_value FILE: a value the kernel would take, so only cgfs refuses.
refused_value() {
	case $1 in
	cgroup.procs|tasks|cgroup.threads) echo "$victim" ;;
	cgroup.subtree_control) echo +pids ;;
	cgroup.type) echo threaded ;;
	freezer.state) echo FROZEN ;;
	*.pressure) echo "some 150000 1000000" ;;
	cpu.rt_runtime_us) echo 1000 ;;
	cpu.rt_period_us) echo 100000 ;;
	*) echo 1 ;;
	esac
}
cg_before=$(for mp in $(serving_mounts); do pid_cgroup "$victim" "$mp"; done)
refused=0
for f in cgroup.procs tasks cgroup.threads notify_on_release cgroup.clone_children \
	cpu.rt_runtime_us cpu.rt_period_us cgroup.subtree_control cgroup.type cgroup.max.depth \
	cgroup.max.descendants cgroup.freeze cgroup.pressure freezer.state cpuacct.usage \
	cpu.pressure memory.pressure io.pressure; do
	if [ ! -e "$G/raw/$f" ]; then
		echo "# SKIP refused raw/$f: not on this host"
		continue
	fi
	refused=$((refused + 1))
	v=$(refused_value "$f")
	assert_eq "raw/$f is read-only" 444 "$(stat -c %a "$G/raw/$f")"
	before=$(real_all "$ALICE/web" "$f")
	assert_op "alice cannot write raw/$f" EACCES as "$ALICE" "$XOP" write "$G/raw/$f" "$v"
	assert_op "root cannot write raw/$f" EACCES "$XOP" write "$G/raw/$f" "$v"
	assert_eq "...raw/$f changed nothing" "$before" "$(real_all "$ALICE/web" "$f")"
	assert_op "alice can read raw/$f" OK as "$ALICE" "$XOP" read "$G/raw/$f"
done
[ "$refused" -ge 4 ] && ok "$refused refused files tried" || not_ok "only $refused refused files found"
assert_eq "the victim process did not move" "$cg_before" \
	"$(for mp in $(serving_mounts); do pid_cgroup "$victim" "$mp"; done)"

# ---- release_agent and devices.* through the mount, by anyone ----

# The hierarchies' own release_agent (read only, never written here).
agents() {
	local mp
	for mp in $(cg_mounts); do
		[ -f "$mp/release_agent" ] && { echo "== $mp"; cat "$mp/release_agent"; }
	done
}
agents_before=$(agents)
for d in "$T/raw" "$G/raw" "$G/db/raw"; do
	for f in release_agent devices.allow devices.deny; do
		for who in "$ALICE" root; do
			run=(as "$who")
			[ "$who" = root ] && run=()
			assert_op "$who: write $d/$f" ENOENT "${run[@]}" "$XOP" write "$d/$f" /bin/sh
			assert_op "$who: create $d/$f" EPERM "${run[@]}" "$XOP" create "$d/$f"
			assert_op "$who: mknod $d/$f" EPERM "${run[@]}" "$XOP" mknod "$d/$f"
			assert_op "$who: symlink $d/$f" EPERM "${run[@]}" "$XOP" symlink /bin/sh "$d/$f"
			assert_op "$who: link $d/$f" EPERM "${run[@]}" "$XOP" link "$d/pids.max" "$d/$f"
			assert_op "$who: rename to $d/$f" EPERM "${run[@]}" "$XOP" rename "$d/pids.max" "$d/$f"
		done
	done
done
assert_eq "no hierarchy's release_agent changed" "$agents_before" "$(agents)"
left=$(for mp in $(cg_mounts); do
	[ -d "$mp/$BASE" ] && find "$mp/$BASE" \( -name release_agent -o -name 'devices.*' \)
done)
assert_eq "no release_agent or devices file appeared in our cgroups" "" "$left"

# ---- raw/ itself ----

assert_op "alice: mkdir in raw/" EPERM as "$ALICE" "$XOP" mkdir "$G/raw/x"
assert_op "root: mkdir in raw/" EPERM "$XOP" mkdir "$G/raw/x"
assert_op "bob: mkdir in alice's raw/" EACCES as "$BOB" "$XOP" mkdir "$G/raw/x"
assert_op "alice: rmdir raw" EPERM as "$ALICE" "$XOP" rmdir "$G/raw"
assert_op "root: rmdir raw" EPERM "$XOP" rmdir "$G/raw"
[ -d "$(real pids "$ALICE/web" "")" ] && ok "rmdir raw left the group alone" || not_ok "rmdir raw removed the group"
assert_op "rmdir of a raw file" ENOTDIR as "$ALICE" "$XOP" rmdir "$G/raw/pids.max"
assert_op "unlink of a raw file" EPERM as "$ALICE" "$XOP" unlink "$G/raw/pids.max"
assert_op "chmod of a raw file" EPERM as "$ALICE" "$XOP" chmod "$G/raw/cgroup.procs" 666
assert_op "chmod of a raw file by root" EPERM "$XOP" chmod "$G/raw/cgroup.procs" 666
assert_op "truncate of a raw file (echo >)" OK as "$ALICE" "$XOP" truncate "$G/raw/pids.max"
assert_eq "...is ignored" 42 "$(cat "$G/raw/pids.max")"
assert_op "a raw file is no directory" ENOTDIR as "$ALICE" "$XOP" mkdir "$G/raw/pids.max/x"

# A cgroup called raw made behind cgfs's back (cgfs never makes one) is
# shadowed by raw/, and listed once.
for mp in $(serving_mounts); do mkdir "$mp/$BASE/$ALICE/web/raw"; done
assert_eq "raw is listed once" 1 "$(ls "$G" | grep -cx raw)"
assert_op "raw/ is still the kernel's files" OK "$XOP" read "$G/raw/pids.max"
assert_op "rmdir raw is still refused" EPERM "$XOP" rmdir "$G/raw"
for mp in $(serving_mounts); do rmdir "$mp/$BASE/$ALICE/web/raw"; done

# A group removed and made again: raw/ shows the new group's files, and
# the old raw/ (a shell's working directory, say) none of them.
stale_read() {
	cd "$G/db/raw" || return
	as "$ALICE" "$XOP" rmdir "$G/db" >/dev/null
	"$XOP" read pids.max | head -n 1
	as "$ALICE" "$XOP" mkdir "$G/db" >/dev/null
	"$XOP" read pids.max | head -n 1
	"$XOP" read cgroup.procs | head -n 1
}
assert_eq "the removed web/db's raw/ shows nothing of the new web/db" \
	"ENOENT ENOENT ENOENT" "$(stale_read | tr '\n' ' ' | sed 's/ $//')"
assert_eq "the new web/db/raw/pids.max" max "$(cat "$G/db/raw/pids.max")"
assert_eq "the new web/db is complete" "$(expected_listing "$ALICE/web/db")" "$(shown_listing "$G/db")"
