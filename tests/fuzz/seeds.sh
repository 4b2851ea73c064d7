#!/bin/bash
# SPDX-License-Identifier: MIT
# Writes the seed corpora of tests/fuzz/corpus/ again: realistic inputs
# for every target, in the layout each target's header comment describes.
# The seeds are committed; run this after changing a layout, then commit.
set -euo pipefail
cd "$(dirname "$0")"
fix=../unit/fixtures
out=corpus

rm -rf "$out"
mkdir -p "$out"/fuzz_knobs "$out"/fuzz_config "$out"/fuzz_layout "$out"/fuzz_status \
	"$out"/fuzz_meminfo "$out"/fuzz_procview "$out"/fuzz_devices

# ---- fuzz_knobs ----
# Rows of knob_table (src/knobs.c), read from its rows in order, and of
# files[] (fuzz_knobs.c), by name.
declare -A K=()
row=0
for n in $(sed -n 's/^\t{ \(VALUE(\|\.name = \)"\([a-z0-9_]*\)".*/\2/p' ../../src/knobs.c); do
	K[$n]=$row
	row=$((row + 1))
done
[ "${K[meminfo]:-}" = 15 ] || { echo "seeds.sh: cannot read knob_table's rows"; exit 1; }
declare -A F=([v1:memory.limit_in_bytes]=0 [v1:memory.memsw.limit_in_bytes]=2
	[v1:memory.oom_control]=5 [v1:cpu.cfs_period_us]=6 [v1:cpu.cfs_quota_us]=7
	[v1:cpu.stat]=9 [v1:cpuset.cpus]=12 [v1:freezer.state]=18 [v1:blkio.bfq.weight]=16 [v2:memory.max]=19
	[v2:memory.events]=24 [v2:cpu.max]=25 [v2:cpu.stat]=27 [v2:io.bfq.weight]=31
	[v2:io.weight]=32 [v2:cgroup.events]=35 [v1:cpu.cfs_burst_us]=37 [v1:cpuset.mems]=38
	[v2:memory.low]=39 [v2:memory.zswap.max]=41 [v2:cpu.max.burst]=42
	[v2:cpuset.mems]=43 [v2:cpu.pressure]=45 [v2:memory.pressure]=46
	[v2:io.pressure]=47 [v1:blkio.throttle.read_bps_device]=48
	[v1:blkio.throttle.write_iops_device]=51 [v2:io.max]=52)

# One byte of value $1 (decimal or 0x hex).
byte() {
	printf '%b' "\\x$(printf %02x "$1")"
}

# knob NAME KNOB VERSIONS VALUE [FILE CONTENT]...: VERSIONS is header
# byte 1 (0: v1, 1: v2, 0x80 | bits: hybrid); a FILE of "-v1:name"
# removes that file. H3 and H4 set header bytes 3 and 4 (0 and 0x40).
knob() {
	local name=$1 row=${K[$2]} ver=$3 value=$4 f
	shift 4
	{
		byte "$row"
		byte "$ver"
		byte 0
		byte "${H3:-0}"
		byte "${H4:-0x40}"
		printf '%s' "$value"
		while [ $# -ge 2 ]; do
			f=$1
			byte 0
			if [ "${f:0:1}" = - ]; then
				byte $((0x80 | ${F[${f:1}]}))
			else
				byte "${F[$f]}"
				printf '%s' "$2"
			fi
			shift 2
		done
	} >"$out/fuzz_knobs/$name"
}

knob mem-v1-512 memory_limit_mb 0 512
knob mem-v2-1.5G memory_limit_mb 1 1.5G
knob mem-v2-max memory_limit_mb 1 max
knob mem-v1-memsw memory_limit_mb 0 1G \
	v1:memory.limit_in_bytes $'536870912\n' v1:memory.memsw.limit_in_bytes $'805306368\n'
knob mem-v1-nomemsw memory_limit_mb 0 256M -v1:memory.memsw.limit_in_bytes ''
knob mem-v1-memsw-below memory_limit_mb 0 2G \
	v1:memory.limit_in_bytes $'1073741824\n' v1:memory.memsw.limit_in_bytes $'536870912\n'
knob high-v2 memory_high_mb 1 $' 768M\n'
knob swap-v1 memory_swap_limit_mb 0 512 v1:memory.limit_in_bytes $'1073741824\n'
knob swap-v2 memory_swap_limit_mb 1 -1
knob usage-v2 memory_usage_mb 1 ''
knob peak-v1 memory_peak_mb 0 ''
knob cpu-v2-12.5 cpu_percent 1 12.5 v2:cpu.max $'50000 100000\n'
knob cpu-v1-200 cpu_percent 0 200% v1:cpu.cfs_quota_us $'150000\n'
knob cpu-v2-max cpu_percent 1 max
knob cpu-v1-max cpu_percent 0 -1 v1:cpu.cfs_quota_us $'50000\n'
knob weight-v1 cpu_weight 0 500
knob weight-v2 cpu_weight 1 10000
knob cpus-v1 cpus 0 0-3,6 v1:cpuset.cpus $'0-7\n'
knob cpus-v2 cpus 1 $'0,2-3\n'
knob pids-v1 pids_max 0 2000
knob pids-v2 pids_max 1 max
knob pids-current pids_current 1 ''
knob io-v1 io_weight 0 100
knob io-v2 io_weight 1 250 -v2:io.bfq.weight '' v2:io.weight $'default 100\n8:16 300\n'
knob io-v2-bfq io_weight 1 1 v2:io.bfq.weight $'default 100\n8:0 200\n'
knob iolim-v1-lines io_read_mbps 0 $'/dev/sda 2\n254:0 512K\n\n8:0 max'
knob iolim-v1-part io_write_iops 0 $'/dev/sda1 1k' v1:blkio.throttle.write_iops_device $'8:0 5\n'
knob iolim-v2-keys io_write_mbps 1 $' 8:0\t1.5 \n/dev/sda max\n' \
	v2:io.max $'8:0 rbps=max wbps=1048576 riops=10 wiops=max\n254:0 rbps=1 wbps=max riops=max wiops=max\n'
H3=0x1a knob iolim-v2-rollback io_read_iops 1 $'/dev/sda 2k\n254:0 3M'
knob iolim-v1-odd io_read_mbps 0 $'/dev/null 1\r' v1:blkio.throttle.read_bps_device $'8:0\n'
knob low-v2 memory_low_mb 1 1.5G v2:memory.low $'1048576\n'
knob low-v1 memory_low_mb 0 512
knob min-v2 memory_min_mb 1 max
knob zswap-v2 memory_zswap_limit_mb 1 0 v2:memory.zswap.max $'max\n'
knob zswap-none memory_zswap_limit_mb 1 64 -v2:memory.zswap.max ''
knob period-v1 cpu_period_us 0 50000 v1:cpu.cfs_quota_us $'25000\n' \
	v1:cpu.cfs_burst_us $'5000\n'
knob period-v1-longer cpu_period_us 0 1000000 v1:cpu.cfs_quota_us $'50000\n'
knob period-v2 cpu_period_us 1 10000 v2:cpu.max $'20000 100000\n' v2:cpu.max.burst $'10000\n'
knob period-v2-noburst cpu_period_us 1 200000 -v2:cpu.max.burst ''
knob burst-v1 cpu_burst_percent 0 12.5 v1:cpu.cfs_quota_us $'50000\n'
knob burst-v2 cpu_burst_percent 1 0 v2:cpu.max $'max 50000\n'
knob mems-v1 mems 0 0-1 v1:cpuset.mems $'0-3\n'
knob mems-v2 mems 1 $'0\n' v2:cpuset.mems $'\n'
# the burst refused: the quota and the period are put back
H3=$((3 | 0 << 3)) knob fail-write-period cpu_period_us 0 200000 \
	v1:cpu.cfs_quota_us $'50000\n' v1:cpu.cfs_burst_us $'10000\n'
knob freeze freeze 1 1
knob kill kill 1 $'1\n'
knob procs procs 0 4242
knob stat-v1 stat 0 '' v1:cpu.stat $'nr_periods 1\nnr_throttled 0\nthrottled_time 0\n' \
	v1:memory.oom_control $'oom_kill_disable 0\nunder_oom 0\n'
knob stat-v2 stat 1 '' v2:cgroup.events $'populated 0\nfrozen 1\n' \
	v2:memory.events $'low 0\nhigh 3\nmax 0\noom 0\noom_kill 0\n'
knob events-v1 events 0 '' v1:freezer.state $'FROZEN\n' \
	v1:memory.oom_control $'oom_kill_disable 0\nunder_oom 1\noom_kill 4\n'
knob events-v2 events 1 '' v2:cgroup.events $'populated 1\nfrozen 0\n' \
	v2:memory.events $'low 0\nhigh 3\nmax 9\noom 2\noom_kill 1\n'
knob pressure-v2 pressure 1 ''
knob pressure-v2-nofull pressure 1 '' \
	v2:cpu.pressure $'some avg10=0.00 avg60=0.00 avg300=0.00 total=7' -v2:io.pressure ''
knob pressure-v2-none pressure 1 '' -v2:cpu.pressure '' -v2:memory.pressure '' \
	-v2:io.pressure ''
knob pressure-v2-bad pressure 1 '' \
	v2:memory.pressure $'some avg10=0.0 avg60=0.00 avg300=0.00 total=0\n'
knob pressure-v1 pressure 0 ''
knob stat-v2-pressure stat 1 '' \
	v2:io.pressure $'some avg10=3.25 avg60=1.00 avg300=0.50 total=99\n'
# names for policy_group_name and policy_raw_access (mode 0644 from H3, H4)
H3=0xa4 H4=1 knob name-raw-memory.max stat 1 memory.max
H3=0xa4 H4=1 knob name-raw-cpu.rt stat 1 cpu.rt_runtime_us
H3=0xa4 H4=1 knob name-raw-devices stat 1 devices.allow
knob name-group stat 1 web-1@home
# failures: the 2nd write of set() refused (EBUSY), a read refused
H3=$((2 | 1 << 3)) knob fail-write-memsw memory_limit_mb 0 1G \
	v1:memory.limit_in_bytes $'536870912\n' v1:memory.memsw.limit_in_bytes $'805306368\n'
H3=$((1 << 6)) knob fail-read-cpu cpu_percent 1 50
knob stat-hybrid stat $((0x80 | 1 << 1 | 1 << 6)) '' \
	v2:cpu.stat $'usage_usec 1\nuser_usec 1\nsystem_usec 0\n'

# ---- fuzz_config ----
cp "$fix"/good.conf "$out"/fuzz_config/good.conf
cp ../../docs/cgfs.conf.example "$out"/fuzz_config/example.conf
printf '[defaults]\nmemory_limit_mb = 512M\ncpus = 0-3,6\nio_weight = 100\n' \
	>"$out"/fuzz_config/defaults.conf
printf '\xef\xbb\xbf# BOM first\n[user www-data]\nmax_depth = 2 ; inline\n%s\n' \
	'memory_swap_limit_mb = 1G' \
	>"$out"/fuzz_config/bom.conf
printf '[defaults]\nmemory_limit_mb = 512\nmemory_limit_mb = 1G\n' >"$out"/fuzz_config/repeated.conf
printf '[user bob\ncpu_percent=50\n' >"$out"/fuzz_config/unclosed.conf
printf 'pids_max = 5\n[bogus]\n' >"$out"/fuzz_config/outside.conf
printf '[defaults]\ntrees = auto\ntrees_uids = 1000-60000\ntrees_group = cgroups\n' \
	>"$out"/fuzz_config/trees.conf
printf '[group alice/web/db]\npids_max = 20\n[group alice/web]\n%s\n[group bob/x]\n' \
	'memory_limit_mb = 512 ; ok' >"$out"/fuzz_config/declared.conf

# ---- fuzz_layout: mountinfo NUL /proc/self/cgroup NUL cgroup.controllers ----
layout() {
	local name=$1 mi=$2 cg=$3 ctl=${4:-}
	{
		cat "$fix/$mi"
		printf '\0'
		cat "$fix/$cg"
		if [ -n "$ctl" ]; then
			printf '\0'
			cat "$fix/$ctl"
		fi
	} >"$out/fuzz_layout/$name"
}
layout v2 v2.mountinfo v2.cgroup v2.controllers
layout v1 v1.mountinfo v1.cgroup
layout hybrid hybrid.mountinfo hybrid.cgroup hybrid.controllers
layout lxc-v1 lxc-v1.mountinfo lxc-v1.cgroup
layout lxc-v2 lxc-v2.mountinfo lxc-v2.cgroup lxc-v2.controllers
layout escaped escaped.mountinfo escaped.cgroup
layout malformed-escape malformed-escape.mountinfo v2.cgroup
layout malformed-nosep malformed-nosep.mountinfo v2.cgroup
layout malformed-cgroup v2.mountinfo malformed.cgroup

# ---- fuzz_status ----
status() {
	{
		printf 'Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\n'
		printf 'Tgid:\t4242\nPid:\t4242\nPPid:\t1\n%s\n' "$2"
		printf 'Gid:\t1000\t1000\t1000\t1000\nGroups:\t27 1000\n'
	} >"$out/fuzz_status/$1"
}
status user $'Uid:\t1000\t1000\t1000\t1000'
status root $'Uid:\t0\t0\t0\t0'
status setuid $'Uid:\t1000\t0\t0\t0'
status nobody $'Uid:\t65534\t65534\t65534\t65534'
status spaces 'Uid:   1000 1000 1000 1000'
status noline 'Uid'

# ---- fuzz_meminfo ----
# meminfo NAME HEAD HOST STAT USAGE SWAPUSAGE LIMIT...: HEAD is the header
# byte (bit 0 v2, bit 1 swap accounting, bits 2-7 buffer size / 64).
meminfo() {
	local name=$1 head=$2 host=$3 stat=$4 usage=$5 swap=$6 l
	shift 6
	{
		byte "$head"
		cat "$fix/$host"
		printf '\0'
		cat "$fix/$stat"
		printf '\0%s\n\0%s\n' "$usage" "$swap"
		for l in "$@"; do printf '\0%s\n' "$l"; done
	} >"$out/fuzz_meminfo/$name"
}
meminfo v1-limited 0 host-swap.meminfo v1.memory.stat 209715200 0 536870912
meminfo v1-unlimited 0 host-noswap.meminfo v1-noswap.memory.stat 4096 0 9223372036854771712
meminfo v2-tree 3 host-swap.meminfo v2.memory.stat 209715200 16777216 max 1073741824 536870912
meminfo v2-noswap 1 host-noswap.meminfo v2.memory.stat 104857600 0 67108864
meminfo v2-small-buffer 0x41 host-swap.meminfo v2.memory.stat 104857600 0 max

# ---- fuzz_procview ----
# procview NAME HEAD CPUINFO LIST QUOTA [PERIOD]: HEAD is the header byte
# (bit 0 v2, bits 2-7 buffer size / 64).
procview() {
	local name=$1 head=$2 host=$3 list=$4 quota=$5 period=${6:-}
	{
		byte "$head"
		cat "$fix/$host"
		printf '\0%s\n\0%s\n\0%s\n' "$list" "$quota" "$period"
	} >"$out/fuzz_procview/$name"
}
procview v1-quota 0 x86.cpuinfo 0-3 150000 100000
procview v1-none 0 x86.cpuinfo 0-3 -1 100000
procview v1-one 0 x86.cpuinfo 2 -1 100000
procview v2-quota 1 x86.cpuinfo 1-3 "250000 100000"
procview v2-max 1 arm.cpuinfo 0-1 "max 100000"
procview v2-small-buffer 0x41 x86.cpuinfo 0-3 "max 100000"
procview v1-uptime 0 x86.cpuinfo 0-1 123456789 "36645.32 15237.53"
procview v2-uptime 1 x86.cpuinfo 0-1 $'usage_usec 2500000\nuser_usec 2000000' "36645.32 15237.53"
procview swaps 0 host-swap.meminfo 0-1 -1 100000
procview stat-v1 0 host.stat 0-1 $'user 4534964\nsystem 3115955' "51000.50 90000.00"
procview stat-v1-percpu 0 host.stat 1 "2132934800000000 2218981600000000 " "51000.50 90000.00"
procview stat-v2 1 host.stat 0-3 $'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000' \
	"51000.50 90000.00"
procview task-stat 1 task.stat 0 "max 100000" "51000.50 90000.00"
procview swaps-none 1 host-noswap.meminfo 0 "max 100000"
procview diskstats-v2 1 host.diskstats "$(cat "$fix/v2.io.stat")" ""
procview diskstats-v1 0 host.diskstats "$(cat "$fix/v1.blkio.io_service_bytes_recursive")" \
	"$(cat "$fix/v1.blkio.io_serviced_recursive")" "$(cat "$fix/v1.blkio.io_wait_time_recursive")"

# ---- fuzz_devices ----
# devlist NAME HEAD TEXT: HEAD is the header byte (bit 0 clear: text;
# bits 1-7 buffer size / 16).
devlist() {
	{ byte "$2"; printf '%s' "$3"; } >"$out/fuzz_devices/$1"
}
devlist one 0 'c 1:5 r'
devlist paths 0 $'/dev/zero r\n/dev/sda rw\n'
devlist wild 0 'a *:* rwm, b *:0 m, c 4095:1048575 w'
devlist small-buffer 2 $'c 1:5 r\nc 1:3 w\n'
devlist bad 0 $'x 1:3 r\nc 1:3 q'
# The program devices_codegen makes for "c 1:5 r" (header byte 1:
# instructions), as struct bpf_insn records: code, dst | src << 4, off
# (16 bits), imm (32 bits), little-endian.
insn() {
	local code=$1 regs=$2 off=$3 imm=$4
	printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x' \
		"$code" "$regs" $((off & 255)) $((off >> 8 & 255)) $((imm & 255)) \
		$((imm >> 8 & 255)) $((imm >> 16 & 255)) $((imm >> 24 & 255)))"
}
{
	byte 1
	insn 0x61 0x12 0 0; insn 0xbf 0x23 0 0; insn 0x57 0x03 0 65535; insn 0x77 0x02 0 16
	insn 0x61 0x14 4 0; insn 0x61 0x15 8 0
	insn 0x55 0x03 7 2; insn 0x55 0x04 6 1; insn 0x55 0x05 5 5
	insn 0xbf 0x20 0 0; insn 0x57 0x00 0 2; insn 0x15 0x00 2 0; insn 0xb7 0x00 0 0
	insn 0x95 0x00 0 0; insn 0xb7 0x00 0 1; insn 0x95 0x00 0 0
} >"$out/fuzz_devices/prog-c-1-5-r"
