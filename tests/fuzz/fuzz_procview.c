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
 * The cpuinfo piece is also a /proc/TID/stat for loadavg: its state is
 * -EIO or a letter, and loadavg renders one line for any numbers.
 */
#include <errno.h>
#include <limits.h>

#include "cgfs/procview.h"
#include "fuzz.h"

static uint64_t bits[UNITS_CPU_WORDS];

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
		struct procview_loadavg l = { { ULONG_MAX / 2, (unsigned long)head << 11, head },
			                      head, UINT_MAX, ULONG_MAX };
		char la[128];

		res = procview_stat_state(piece[0]);
		fuzz_assert(res == -EIO || (res >= 'A' && res <= 'z'));
		res = procview_loadavg_render(&l, la, sizeof(la));
		fuzz_assert(res > 0 && (size_t)res < sizeof(la) && la[res - 1] == '\n');
	}
	for (i = 0; i < 4; i++)
		free(piece[i]);
	return 0;
}
