// SPDX-License-Identifier: MIT
/*
 * fuzz_procview: the CPUs a group sees and the files that show them, on
 * arbitrary kernel text. Input: one byte (bit 0: v1 or v2; bits 2-7:
 * cpuinfo's output buffer size in 64-byte steps, 0 for the full size),
 * then NUL-separated pieces: the host's /proc/cpuinfo, a cpuset list,
 * the quota file, the period file (v1).
 * Besides not crashing: the quota is -EIO or at least 1 CPU; narrowing
 * keeps at most that many; online renders for any count it returns;
 * cpuinfo is -EIO, -ENOBUFS or a NUL-terminated text no longer than the
 * host's, whose processor lines count 0, 1, 2, ... and number no more
 * than the CPUs kept. The same pieces go to the uptime parsers (the
 * cpuinfo piece as a /proc/PID/stat, the quota as a usage file, the
 * period as the host's /proc/uptime): uptime renders -EIO or one line.
 * The cpuinfo piece also goes to swaps as a meminfo text: its swap
 * parses or is -EIO, and swaps renders the kernel's header, then nothing
 * for no swap or one line that ends in a newline.
 * And to stat: the cpuinfo piece as the host's /proc/stat and as a task's
 * stat, the quota as cpuacct.stat or cpu.stat and as a per-CPU usage file
 * (the first 64 CPUs kept), the period as the host's uptime: stat renders
 * -EIO or a text with a cpu line and one cpuN line per CPU, numbered from
 * 0, whose fields add up to the cpu line's.
 * The cpuinfo piece is also a /proc/TID/stat for loadavg: its state is
 * -EIO or a letter, and loadavg renders one line for any numbers.
 * And the host's /proc/diskstats for diskstats, with the list as io.stat
 * (v2) or v1's bytes file, the quota as v1's ios file and the period as
 * a time file (up to 16 disks kept): each parses or is -EIO, and
 * diskstats renders -EIO or, in PROCVIEW_DISKSTATS_SIZE bytes, at most
 * one line per disk kept, each of a name and 19 numbers whose weighted
 * ms is the read, write and discard ms within rounding.
 */
#include <errno.h>
#include <limits.h>

#include "cgfs/procview.h"
#include "fuzz.h"

#define STAT_CPUS 64

/* The rendered stat's CPU lines: "cpu " then cpu0.. cpu(n-1), whose ten
 * fields each add up to the cpu line's; whether they do. */
static int cpu_lines_add_up(const char *text, unsigned n)
{
	unsigned long long sum[10] = { 0 }, want[10], v;
	const char *p = text;
	char name[16];
	unsigned i, f;
	int used;

	if (strncmp(p, "cpu  ", 5) != 0)
		return 0;
	p += 4;
	for (f = 0; f < 10; f++) {
		if (sscanf(p, " %llu%n", &want[f], &used) != 1)
			return 0;
		p += used;
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "\ncpu%u ", i);
		if (strncmp(p, name, strlen(name)) != 0)
			return 0;
		p += strlen(name) - 1;
		for (f = 0; f < 10; f++) {
			if (sscanf(p, " %llu%n", &v, &used) != 1)
				return 0;
			p += used;
			sum[f] += v;
		}
	}
	for (f = 0; f < 10; f++)
		if (sum[f] != want[f] && want[f] != UINT64_MAX)
			return 0;
	/* and no host CPU line after them */
	return p[0] == '\n' &&
	       !(strncmp(p + 1, "cpu", 3) == 0 && (p[4] == ' ' || (p[4] >= '0' && p[4] <= '9')));
}

static uint64_t bits[UNITS_CPU_WORDS];

#define DISKS 16

/* Each line of a rendered diskstats: MAJ MIN NAME and 17 numbers, field
 * 14 (weighted) the sum of 7, 11 and 18 (ms) less at most 2 of rounding
 * (unless it is the most, UINT64_MAX ns in ms), 12, 13, 19 and 20 0;
 * how many lines, or -1. */
static int disk_lines(const char *text)
{
	unsigned long long v[20], sum;
	const char *p = text;
	int n = 0, used, f;

	while (*p) {
		if (sscanf(p, "%llu %llu%n", &v[0], &v[1], &used) != 2 || p[used] != ' ')
			return -1;
		p += used + 1;
		used = (int)strcspn(p, " \t\n");
		if (used == 0)
			return -1;
		p += used;
		for (f = 3; f < 20; f++) {
			if (*p != ' ' || sscanf(p, "%llu%n", &v[f], &used) != 1)
				return -1;
			p += used;
		}
		if (*p++ != '\n')
			return -1;
		sum = v[6] + v[10] + v[17];
		if (v[13] != UINT64_MAX / 1000000 && (v[13] < sum || v[13] > sum + 2))
			return -1;
		if (v[11] || v[12] || v[18] || v[19])
			return -1;
		n++;
	}
	return n;
}

/* The processor lines of text are numbered 0, 1, ...: how many, or -1. */
static int count_processors(const char *text)
{
	const char *p = text;
	char want[32];
	int n = 0;
	size_t len;

	while (*p) {
		len = strcspn(p, "\n");
		if (len > 9 && strncmp(p, "processor", 9) == 0 && strspn(p + 9, " \t") + 9 < len &&
		    p[9 + strspn(p + 9, " \t")] == ':') {
			const char *num = p + 9 + strspn(p + 9, " \t") + 1;

			num += strspn(num, " ");
			snprintf(want, sizeof(want), "%d", n);
			if (strncmp(num, want, strlen(want)) != 0)
				return -1;
			n++;
		}
		p += len + (p[len] == '\n');
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *piece[4] = { 0 }, *buf, *base, online[32];
	size_t n = 0, len, bufsize, i;
	uint64_t quota = PROCVIEW_NO_QUOTA;
	unsigned kept;
	const uint8_t *p;
	uint8_t head;
	int res, version;

	if (size < 1)
		return 0;
	head = data[0];
	data++;
	size--;
	while (n < 4 && (p = fuzz_piece(&data, &size, &len)))
		piece[n++] = fuzz_strndup(p, len);
	for (i = n; i < 4; i++)
		piece[i] = fuzz_strndup((const uint8_t *)"", 0);
	version = head & 1 ? 2 : 1;

	res = procview_quota_cpus(version, piece[2], piece[3], &quota);
	fuzz_assert(res == 0 || res == -EIO);
	fuzz_assert(res < 0 || quota >= 1);
	if (units_parse_cpulist(piece[1], bits) < 0)
		units_parse_cpulist("0-3", bits);
	kept = procview_narrow(bits, res == 0 ? quota : PROCVIEW_NO_QUOTA);
	fuzz_assert(res < 0 || kept <= quota);
	if (kept > 0) {
		fuzz_assert(procview_online_render(kept, online, sizeof(online)) > 0);
		fuzz_assert(online[0] == '0');
	}

	bufsize = head >> 2 ? (size_t)(head >> 2) * 64 : strlen(piece[0]) + 1;
	buf = fuzz_exact(bufsize, &base);
	res = procview_cpuinfo_render(piece[0], bits, buf, bufsize);
	fuzz_assert(res == -EIO || res == -ENOBUFS || res >= 0);
	if (res >= 0) {
		fuzz_assert((size_t)res < bufsize && strlen(buf) == (size_t)res);
		fuzz_assert((size_t)res <= strlen(piece[0]));
		res = count_processors(buf);
		fuzz_assert(res >= 0 && (unsigned)res <= kept);
	}
	free(base);

	{
		struct procview_uptime u = { piece[3], PROCVIEW_NONE, 100, kept ? kept : 1,
			                     PROCVIEW_NONE };
		char up[64];

		fuzz_assert(procview_stat_start(piece[0], &u.start) == 0 || u.start == PROCVIEW_NONE);
		res = procview_usage_us(version, piece[2], &u.usage_us);
		fuzz_assert(res == 0 || (res == -EIO && u.usage_us == PROCVIEW_NONE));
		res = procview_uptime_render(&u, up, sizeof(up));
		fuzz_assert(res == -EIO || (res > 0 && strlen(up) == (size_t)res && up[res - 1] == '\n'));
	}
	{
		static const char header[] = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
		uint64_t total = 7, unused = 7;
		char swaps[256];

		res = procview_swap_of(piece[0], &total, &unused);
		fuzz_assert(res == 0 || (res == -EIO && total == 7 && unused == 7));
		res = procview_swaps_render(total, unused, swaps, sizeof(swaps));
		fuzz_assert(res > 0 && strlen(swaps) == (size_t)res && swaps[res - 1] == '\n');
		fuzz_assert(strncmp(swaps, header, sizeof(header) - 1) == 0);
		fuzz_assert((total == 0) == ((size_t)res == sizeof(header) - 1));
	}
	{
		uint64_t user[STAT_CPUS], system[STAT_CPUS], u = 7, sy = 7, threads;
		unsigned n = kept < STAT_CPUS ? (kept ? kept : 1) : STAT_CPUS;
		struct procview_stat st = { piece[0], piece[3], PROCVIEW_NONE, 100, n,
			                    user, system, 3, 4 };
		size_t size = strlen(piece[0]) + PROCVIEW_STAT_EXTRA(n);
		char state, *text = fuzz_exact(size, &base);

		res = procview_task_state(piece[0], &state, &threads);
		fuzz_assert(res == 0 || res == -EIO);
		res = procview_cpu_ticks(version, piece[2], 100, &u, &sy);
		fuzz_assert(res == 0 || (res == -EIO && u == 7 && sy == 7));
		procview_split(u, n, user);
		procview_split(sy, n, system);
		if (procview_percpu_ticks(piece[2], bits, n, 100, user) < 0)
			procview_split(u, n, user);
		procview_stat_start(piece[0], &st.start);
		res = procview_stat_render(&st, text, size);
		fuzz_assert(res == -EIO || (res > 0 && strlen(text) == (size_t)res));
		if (res > 0)
			fuzz_assert(cpu_lines_add_up(text, n));
		free(base);
	}
	{
		struct procview_loadavg l = { { ULONG_MAX / 2, (unsigned long)head << 11, head },
			                      head, UINT_MAX, ULONG_MAX };
		char la[128];

		res = procview_loadavg_render(&l, la, sizeof(la));
		fuzz_assert(res > 0 && (size_t)res < sizeof(la) && la[res - 1] == '\n');
	}
	{
		static struct procview_disk disks[DISKS];
		size_t nd = 0, size;
		char *text;

		if (version == 2) {
			res = procview_iostat_add(piece[1], disks, &nd, DISKS);
			fuzz_assert(res == 0 || res == -EIO);
		} else {
			res = procview_blkio_add(piece[1], PROCVIEW_BLKIO_BYTES, disks, &nd, DISKS);
			fuzz_assert(res == 0 || res == -EIO);
			res = procview_blkio_add(piece[2], PROCVIEW_BLKIO_IOS, disks, &nd, DISKS);
			fuzz_assert(res == 0 || res == -EIO);
			res = procview_blkio_add(piece[3], PROCVIEW_BLKIO_TIME_NS, disks, &nd, DISKS);
			fuzz_assert(res == 0 || res == -EIO);
		}
		fuzz_assert(nd <= DISKS);
		size = PROCVIEW_DISKSTATS_SIZE(nd, strlen(piece[0]));
		text = fuzz_exact(size, &base);
		res = procview_diskstats_render(piece[0], disks, nd, text, size);
		fuzz_assert(res == -EIO || (res >= 0 && strlen(text) == (size_t)res));
		if (res > 0) {
			res = disk_lines(text);
			fuzz_assert(res > 0 && (size_t)res <= nd);
		}
		free(base);
	}
	for (i = 0; i < 4; i++)
		free(piece[i]);
	return 0;
}
