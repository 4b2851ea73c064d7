// SPDX-License-Identifier: MIT
/*
 * fuzz_knobs: what a writer sends to a knob file, and what the kernel
 * shows in the files behind it.
 *
 * The value goes through knob_trim (knob_trim_lines for a row of lines),
 * the chosen knob's check() and set(),
 * knob_parse_pid/freeze/kill and every units_* parser; the untrimmed text
 * through policy_group_name and policy_raw_access, as a name.
 * set() and every knob's get() run against an in-memory knob_io whose
 * files start with what a fresh v1 or v2 group holds and can be replaced
 * by input bytes, so the parsers of kernel text (memory.max, cpu.max,
 * "default N" lines, cpu.stat, memory.events, cgroup.events, the *.pressure
 * files...) are fuzzed
 * as well as the parsers of user text.
 *
 * Input layout (missing header bytes read as 0):
 *   [0]  knob row, modulo knob_count
 *   [1]  hierarchies: below 0x80, all v1 (even) or all v2 (odd); from
 *        0x80, controller c is on v2 when bit c is set, else on v1
 *   [2]  bit c: controller c has no hierarchy at all
 *   [3]  bits 0-2: the Nth write of set() fails (0: none), bits 3-4: with
 *        which errno; bit 5: read() returns the untruncated length like
 *        snprintf; bits 6-7: the Nth read of set() fails (0: none)
 *   [4]  buffer size for a second get(), a second knob_trim() and the
 *        units_format_* functions
 *   then NUL-separated pieces: the value as written (untrimmed), then
 *   any number of kernel files: one byte picks a row of files[] (modulo
 *   its size; bit 7 removes the file instead), the rest is its content.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "cgfs/knobs.h"
#include "cgfs/policy.h"
#include "cgfs/units.h"
#include "fuzz.h"

#define HDR 5
#define V1_UNLIMITED "9223372036854771712"
#define MIB (UINT64_C(1) << 20)
#define CPULIST_TEXT_MAX 8192

/* The files a group has, as the kernel first shows them. On v2 every
 * controller's files live in one directory, so ctrl only matters on v1.
 * Keep the order: tests/fuzz/seeds.sh addresses rows by index. */
static const struct {
	int version;
	enum cg_ctrl ctrl;
	const char *name;
	const char *text;
} files[] = {
	/* 0 */ { 1, CTRL_MEMORY, "memory.limit_in_bytes", V1_UNLIMITED "\n" },
	/* 1 */ { 1, CTRL_MEMORY, "memory.soft_limit_in_bytes", V1_UNLIMITED "\n" },
	/* 2 */ { 1, CTRL_MEMORY, "memory.memsw.limit_in_bytes", V1_UNLIMITED "\n" },
	/* 3 */ { 1, CTRL_MEMORY, "memory.usage_in_bytes", "104857600\n" },
	/* 4 */ { 1, CTRL_MEMORY, "memory.max_usage_in_bytes", "210763776\n" },
	/* 5 */ { 1, CTRL_MEMORY, "memory.oom_control",
	          "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n" },
	/* 6 */ { 1, CTRL_CPU, "cpu.cfs_period_us", "100000\n" },
	/* 7 */ { 1, CTRL_CPU, "cpu.cfs_quota_us", "-1\n" },
	/* 8 */ { 1, CTRL_CPU, "cpu.shares", "1024\n" },
	/* 9 */ { 1, CTRL_CPU, "cpu.stat",
	          "nr_periods 10\nnr_throttled 2\nthrottled_time 1500000000\n" },
	/* 10 */ { 1, CTRL_CPUACCT, "cpuacct.usage_user", "1234567891\n" },
	/* 11 */ { 1, CTRL_CPUACCT, "cpuacct.usage_sys", "5000\n" },
	/* 12 */ { 1, CTRL_CPUSET, "cpuset.cpus", "0-1\n" },
	/* 13 */ { 1, CTRL_PIDS, "pids.max", "max\n" },
	/* 14 */ { 1, CTRL_PIDS, "pids.current", "3\n" },
	/* 15 */ { 1, CTRL_PIDS, "cgroup.procs", "" },
	/* 16 */ { 1, CTRL_IO, "blkio.bfq.weight", "100\n" },
	/* 17 */ { 1, CTRL_IO, "blkio.weight", "500\n" },
	/* 18 */ { 1, CTRL_FREEZER, "freezer.state", "THAWED\n" },
	/* 19 */ { 2, CTRL_MEMORY, "memory.max", "max\n" },
	/* 20 */ { 2, CTRL_MEMORY, "memory.high", "max\n" },
	/* 21 */ { 2, CTRL_MEMORY, "memory.swap.max", "max\n" },
	/* 22 */ { 2, CTRL_MEMORY, "memory.current", "104857600\n" },
	/* 23 */ { 2, CTRL_MEMORY, "memory.peak", "210763776\n" },
	/* 24 */ { 2, CTRL_MEMORY, "memory.events",
	           "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\noom_group_kill 0\n" },
	/* 25 */ { 2, CTRL_CPU, "cpu.max", "max 100000\n" },
	/* 26 */ { 2, CTRL_CPU, "cpu.weight", "100\n" },
	/* 27 */ { 2, CTRL_CPU, "cpu.stat",
	           "usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000001\n"
	           "nr_periods 7\nnr_throttled 1\nthrottled_usec 250000\n" },
	/* 28 */ { 2, CTRL_CPUSET, "cpuset.cpus", "0-1\n" },
	/* 29 */ { 2, CTRL_PIDS, "pids.max", "max\n" },
	/* 30 */ { 2, CTRL_PIDS, "pids.current", "0\n" },
	/* 31 */ { 2, CTRL_IO, "io.bfq.weight", "default 100\n8:0 200\n" },
	/* 32 */ { 2, CTRL_IO, "io.weight", "default 100\n" },
	/* 33 */ { 2, CTRL_FREEZER, "cgroup.freeze", "0\n" },
	/* 34 */ { 2, CTRL_FREEZER, "cgroup.kill", "" },
	/* 35 */ { 2, CTRL_FREEZER, "cgroup.events", "populated 1\nfrozen 0\n" },
	/* 36 */ { 2, CTRL_PIDS, "cgroup.procs", "" },
	/* 37 */ { 1, CTRL_CPU, "cpu.cfs_burst_us", "0\n" },
	/* 38 */ { 1, CTRL_CPUSET, "cpuset.mems", "0\n" },
	/* 39 */ { 2, CTRL_MEMORY, "memory.low", "0\n" },
	/* 40 */ { 2, CTRL_MEMORY, "memory.min", "0\n" },
	/* 41 */ { 2, CTRL_MEMORY, "memory.zswap.max", "max\n" },
	/* 42 */ { 2, CTRL_CPU, "cpu.max.burst", "0\n" },
	/* 43 */ { 2, CTRL_CPUSET, "cpuset.mems", "\n" },
	/* 44 */ { 2, CTRL_CPUSET, "cpuset.mems.effective", "0\n" },
	/* 45 */ { 2, CTRL_FREEZER, "cpu.pressure",
	           "some avg10=1.50 avg60=0.25 avg300=0.00 total=1234567\n"
	           "full avg10=0.00 avg60=0.00 avg300=0.00 total=89\n" },
	/* 46 */ { 2, CTRL_FREEZER, "memory.pressure",
	           "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
	           "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n" },
	/* 47 */ { 2, CTRL_FREEZER, "io.pressure",
	           "some avg10=100.00 avg60=12.34 avg300=5.06 total=18446744073709551615\n"
	           "full avg10=99.99 avg60=10.00 avg300=4.00 total=42\n" },
	/* 48 */ { 1, CTRL_IO, "blkio.throttle.read_bps_device", "8:0 1048576\n" },
	/* 49 */ { 1, CTRL_IO, "blkio.throttle.write_bps_device", "" },
	/* 50 */ { 1, CTRL_IO, "blkio.throttle.read_iops_device", "" },
	/* 51 */ { 1, CTRL_IO, "blkio.throttle.write_iops_device", "254:0 100\n" },
	/* 52 */ { 2, CTRL_IO, "io.max", "8:0 rbps=1048576 wbps=max riops=max wiops=100\n" },
};

#define N_FILES (sizeof(files) / sizeof(files[0]))

static const int write_errnos[] = { EINVAL, EBUSY, ENOSPC, EIO };

static struct fake {
	int version[CTRL_MAX];
	char *text[N_FILES]; /* NULL: the file does not exist */
	int fail_at;         /* the write of set() that fails, from 1; 0: none */
	int fail_err;
	int read_fail_at;    /* the read of set() that fails, from 1; 0: none */
	bool full_length;
	bool in_set;         /* failures are injected into set() only */
	int reads, writes;
	bool write_failed;
} F;

static char *dup_text(const char *s, size_t len)
{
	return fuzz_strndup((const uint8_t *)s, len);
}

static void set_text(size_t i, char *text)
{
	free(F.text[i]);
	F.text[i] = text;
}

static int lookup(enum cg_ctrl c, const char *name)
{
	size_t i;

	fuzz_assert(c >= 0 && c < CTRL_MAX);
	fuzz_assert(name != NULL);
	if (F.version[c] == 0)
		return -1;
	for (i = 0; i < N_FILES; i++)
		if (F.text[i] && files[i].version == F.version[c] &&
		    (files[i].version == 2 || files[i].ctrl == c) && strcmp(files[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int fake_version(void *ctx, enum cg_ctrl c)
{
	fuzz_assert(ctx == &F);
	fuzz_assert(c >= 0 && c < CTRL_MAX);
	return F.version[c];
}

/* Like group.c: at most size - 1 bytes and a NUL; or, when the input asks,
 * the whole length like snprintf, which knob_io also allows. */
static int fake_read(void *ctx, enum cg_ctrl c, const char *file, char *buf, size_t size)
{
	int i = lookup(c, file);
	size_t len, n;

	fuzz_assert(ctx == &F);
	fuzz_assert(size > 0);
	if (F.in_set && ++F.reads == F.read_fail_at)
		return -ENODEV; /* the group went away meanwhile */
	if (i < 0)
		return -ENOENT;
	len = strlen(F.text[i]);
	n = len < size - 1 ? len : size - 1;
	memcpy(buf, F.text[i], n);
	buf[n] = '\0';
	return (int)(F.full_length ? len : n);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static uint64_t kernel_bits[UNITS_CPU_WORDS];

/* blk-throttle's files keep one line per device, in a fixed order: a
 * write "MAJ:MIN N" (v1, 0: none) or "MAJ:MIN key=N" (io.max, which shows
 * every key of a device with any limit) replaces that device's line, or
 * adds one at the end. */
static char *throttle_text(int i, const char *text)
{
	static const char *const keys[] = { "rbps", "wbps", "riops", "wiops" };
	char vals[4][32] = { "max", "max", "max", "max" }, dev[32], val[48], line[192], *kv;
	const char *p = F.text[i], *nl, *at = NULL;
	bool v2 = files[i].version == 2, any = false;
	size_t devlen, k, len;
	char *out = fuzz_alloc(strlen(p) + sizeof(line) + 2), *o = out;

	fuzz_assert(sscanf(text, "%31s %47s", dev, val) == 2);
	devlen = strlen(dev);
	for (nl = p; *nl; nl = *nl ? nl + 1 : nl) {
		const char *q = nl;

		nl = q + strcspn(q, "\n");
		if (!at && (size_t)(nl - q) > devlen && strncmp(q, dev, devlen) == 0 &&
		    q[devlen] == ' ')
			at = q;
		if (!*nl)
			break;
	}
	for (k = 0; v2 && at && k < 4; k++)
		if ((kv = strstr(at, keys[k])) && kv < at + strcspn(at, "\n"))
			sscanf(kv + strlen(keys[k]), "=%31[^ \n]", vals[k]);
	line[0] = '\0';
	if (v2) {
		for (k = 0; k < 4; k++)
			if (strncmp(val, keys[k], strlen(keys[k])) == 0 && val[strlen(keys[k])] == '=')
				snprintf(vals[k], sizeof(vals[k]), "%s", val + strlen(keys[k]) + 1);
		for (k = 0; k < 4; k++)
			any = any || strcmp(vals[k], "max") != 0;
		if (any)
			snprintf(line, sizeof(line), "%s rbps=%s wbps=%s riops=%s wiops=%s\n", dev,
			         vals[0], vals[1], vals[2], vals[3]);
	} else if (strcmp(val, "0") != 0) {
		snprintf(line, sizeof(line), "%s %s\n", dev, val);
	}
	if (!at) {
		len = strlen(p);
		memcpy(o, p, len);
		o += len;
		if (len && p[len - 1] != '\n')
			*o++ = '\n';
		strcpy(o, line);
		return out;
	}
	len = (size_t)(at - p);
	memcpy(o, p, len);
	o += len;
	strcpy(o, line);
	o += strlen(line);
	at += strcspn(at, "\n");
	if (*at)
		at++;
	strcpy(o, at);
	return out;
}

/* What the kernel keeps of a write, as far as the knobs can tell. */
static char *kernel_text(int i, const char *text)
{
	char *out;
	const char *sp;

	if (strncmp(files[i].name, "blkio.throttle.", 15) == 0 ||
	    strcmp(files[i].name, "io.max") == 0)
		return throttle_text(i, text);
	if ((strcmp(files[i].name, "cpuset.cpus") == 0 ||
	     strcmp(files[i].name, "cpuset.mems") == 0) &&
	    units_parse_cpulist(text, kernel_bits) == 0) {
		/* the kernel shows a cpuset in canonical form */
		out = fuzz_alloc(CPULIST_TEXT_MAX + 1);
		if (units_format_cpulist(kernel_bits, out, CPULIST_TEXT_MAX) >= 0) {
			strcat(out, "\n");
			return out;
		}
		free(out);
	}
	if (files[i].version == 1 && ends_with(files[i].name, "limit_in_bytes") &&
	    strcmp(text, "-1") == 0)
		text = V1_UNLIMITED;
	if (strcmp(files[i].name, "cpu.max") == 0 && strcmp(text, "max") == 0 &&
	    (sp = strchr(F.text[i], ' '))) {
		/* "max" keeps the period */
		out = fuzz_alloc(strlen(sp) + 4);
		strcpy(out, "max");
		strcat(out, sp);
		return out;
	}
	out = fuzz_alloc(strlen(text) + 2);
	strcpy(out, text);
	strcat(out, "\n");
	return out;
}

static int fake_write(void *ctx, enum cg_ctrl c, const char *file, const char *text)
{
	int i = lookup(c, file);

	fuzz_assert(ctx == &F);
	fuzz_assert(text != NULL && strlen(text) < KNOB_VALUE_MAX + 32);
	fuzz_assert(F.in_set);
	if (++F.writes == F.fail_at) {
		F.write_failed = true;
		return -F.fail_err;
	}
	if (i < 0) {
		F.write_failed = true;
		return -ENOENT;
	}
	set_text((size_t)i, kernel_text(i, text));
	return 0;
}

static int fake_exists(void *ctx, enum cg_ctrl c, const char *file)
{
	fuzz_assert(ctx == &F);
	return lookup(c, file) >= 0;
}

/* Block devices: 8:N is sda (N 0) or its partition sdaN; 254:0 is vda,
 * with no node in /dev. */
static int fake_host_read(void *ctx, const char *path, char *buf, size_t size)
{
	unsigned maj, min;
	char end;

	fuzz_assert(ctx == &F);
	if (sscanf(path, "/sys/dev/block/%u:%u/uevent%c", &maj, &min, &end) != 2)
		return -ENOENT;
	if (maj == 8 && min < 16)
		return snprintf(buf, size, "MAJOR=8\nMINOR=%u\nDEVNAME=sda%.0u\nDEVTYPE=%s\n",
		                min, min, min ? "partition" : "disk");
	if (maj == 254 && min == 0)
		return snprintf(buf, size, "MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n");
	return -ENOENT;
}

static int fake_block_dev(void *ctx, const char *path, unsigned *ret_major, unsigned *ret_minor)
{
	unsigned min = 0;
	char end;

	fuzz_assert(ctx == &F);
	fuzz_assert(strncmp(path, "/dev/", 5) == 0);
	if (strcmp(path, "/dev/null") == 0)
		return -EINVAL;
	if (strcmp(path, "/dev/sda") != 0 && sscanf(path, "/dev/sda%u%c", &min, &end) != 1)
		return -ENOENT;
	if (min >= 16)
		return -ENOENT;
	*ret_major = 8;
	*ret_minor = min;
	return 0;
}

static const struct knob_io IO = {
	.ctx = &F,
	.version = fake_version,
	.read = fake_read,
	.write = fake_write,
	.exists = fake_exists,
	.host_read = fake_host_read,
	.block_dev = fake_block_dev,
};

static void fake_init(const uint8_t *hdr)
{
	size_t i;
	int c;

	memset(&F, 0, sizeof(F));
	for (c = 0; c < CTRL_MAX; c++) {
		if (hdr[1] < 0x80)
			F.version[c] = hdr[1] & 1 ? 2 : 1;
		else
			F.version[c] = hdr[1] & (1u << c) ? 2 : 1;
		if (hdr[2] & (1u << c))
			F.version[c] = 0;
	}
	F.fail_at = hdr[3] & 7;
	F.fail_err = write_errnos[(hdr[3] >> 3) & 3];
	F.full_length = hdr[3] & 0x20;
	F.read_fail_at = hdr[3] >> 6;
	for (i = 0; i < N_FILES; i++)
		F.text[i] = dup_text(files[i].text, strlen(files[i].text));
}

/* The remaining pieces replace or remove kernel files. */
static void fake_files(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	size_t len, i;

	while ((p = fuzz_piece(&data, &size, &len))) {
		if (len == 0)
			continue;
		i = (p[0] & 0x7f) % N_FILES;
		set_text(i, p[0] & 0x80 ? NULL : dup_text((const char *)p + 1, len - 1));
	}
}

static void fake_free(void)
{
	size_t i;

	for (i = 0; i < N_FILES; i++)
		set_text(i, NULL);
}

/* ---- knobs ---- */

/* get() into a buffer of exactly size bytes; checks the contract. */
static int get_checked(const struct knob *k, char *buf, size_t size)
{
	int n;

	n = k->get(k, &IO, buf, size);
	if (n < 0)
		return n;
	fuzz_assert((size_t)n < size);
	fuzz_assert(strlen(buf) == (size_t)n);
	fuzz_assert(n == 0 || buf[n - 1] == '\n');
	return n;
}

struct reading {
	int res;
	char text[KNOB_TEXT_MAX];
};

static struct reading before[KNOB_TABLE_MAX], after[KNOB_TABLE_MAX];

static void read_all(struct reading *r)
{
	size_t i;

	for (i = 0; i < knob_count; i++) {
		fuzz_assert(knob_find(knob_table[i].name) == &knob_table[i]);
		(void)knob_available(&knob_table[i], &IO);
		r[i].res = knob_table[i].get ? get_checked(&knob_table[i], r[i].text,
		                                           sizeof(r[i].text))
		                             : -EACCES;
	}
}

/* A refused value changes nothing anyone can read. */
static void same_readings(void)
{
	size_t i;

	read_all(after);
	for (i = 0; i < knob_count; i++)
		if (before[i].res >= 0) {
			fuzz_assert(after[i].res == before[i].res);
			fuzz_assert(strcmp(after[i].text, before[i].text) == 0);
		}
}

static void fuzz_knob(const struct knob *k, const char *value, size_t small)
{
	size_t i = (size_t)(k - knob_table);
	int chk = 0, res;
	char *buf, *base;

	read_all(before);
	if (value && k->check) {
		chk = k->check(value);
		fuzz_assert(chk == 0 || chk == -EINVAL || chk == -ERANGE);
	}
	if (value && k->set) {
		F.reads = F.writes = 0;
		F.write_failed = false;
		F.in_set = true;
		res = k->set(k, &IO, value);
		F.in_set = false;
		fuzz_assert(res <= 0);
		/* text that does not parse is refused before any write */
		if (chk == -EINVAL)
			fuzz_assert(res == -EINVAL && F.writes == 0);
		/* everything is validated before the first write: once one
		 * happened, only a refused write can make set() fail */
		if (res < 0 && F.writes > 0)
			fuzz_assert(F.write_failed);
		if (res < 0)
			same_readings();
		else if (before[i].res >= 0)
			fuzz_assert(get_checked(k, after[i].text, sizeof(after[i].text)) >= 0);
	}
	if (k->get) {
		buf = fuzz_exact(small, &base);
		(void)get_checked(k, buf, small);
		free(base);
	}
}

static void fuzz_pid_freeze_kill(const char *value)
{
	int pid = -7, on = -7, res;

	res = knob_parse_pid(value, &pid);
	fuzz_assert(res == 0 ? pid >= 1 : res == -EINVAL && pid == -7);
	res = knob_parse_freeze(value, &on);
	fuzz_assert(res == 0 ? on == 0 || on == 1 : (res == -EINVAL || res == -ERANGE) && on == -7);
	res = knob_parse_kill(value);
	fuzz_assert(res == 0 || res == -EINVAL || res == -ERANGE);
}

/* policy.h's grammar of group names, written out again:
 * [A-Za-z0-9][A-Za-z0-9_@+-]{0,63}. Names end up in paths. */
static bool group_name_ok(const char *name)
{
	static const char first[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static const char rest[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@+-";
	size_t len = strlen(name);

	/* len >= 1 first: strchr() finds the terminator too */
	return len >= 1 && len <= 64 && strchr(first, name[0]) && strspn(name + 1, rest) == len - 1;
}

static void fuzz_group_name(const char *name)
{
	int res = policy_group_name(name);

	if (!group_name_ok(name))
		fuzz_assert(res == -EINVAL);
	else if (knob_find(name) || strcmp(name, "raw") == 0)
		fuzz_assert(res == -EEXIST);
	else
		fuzz_assert(res == 0);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* raw/ file names: what policy.h promises, whatever the rule table says. */
static void fuzz_raw_name(const char *name, mode_t mode)
{
	static const char *const writable[] = { "memory.", "cpu.", "cpuset.", "io.",
		                                "blkio.", "pids.", "hugetlb." };
	enum raw_access a = policy_raw_access(name, mode);
	bool resource = false;
	size_t i;

	fuzz_assert(a == RAW_HIDDEN || a == RAW_READONLY || a == RAW_WRITABLE);
	if (!name[0] || name[0] == '.' || strchr(name, '/') || !(mode & S_IRUSR) ||
	    strcmp(name, "release_agent") == 0 || starts_with(name, "devices."))
		fuzz_assert(a == RAW_HIDDEN);
	if (a != RAW_WRITABLE)
		return;
	for (i = 0; i < sizeof(writable) / sizeof(writable[0]); i++)
		resource = resource || starts_with(name, writable[i]);
	fuzz_assert(resource && (mode & S_IWUSR));
	fuzz_assert(!starts_with(name, "cpu.rt_") && !ends_with(name, ".pressure"));
}

/* ---- units ---- */

#define SENTINEL UINT64_C(0xA5A5A5A5A5A5A5A5)

static bool errno_ok(int res)
{
	return res == 0 || res == -EINVAL || res == -ERANGE;
}

/* A units_format_* result: the length of what it wrote, or -ENOBUFS. */
static void check_formatted(int n, const char *buf, size_t size)
{
	fuzz_assert(n == -ENOBUFS || (n >= 0 && (size_t)n < size && strlen(buf) == (size_t)n));
}

static void fuzz_size(const char *s, size_t small)
{
	uint64_t b = SENTINEL, b2 = SENTINEL;
	char text[32], *buf, *base;
	int res = units_parse_size(s, &b), n;

	fuzz_assert(errno_ok(res));
	if (res < 0) {
		fuzz_assert(b == SENTINEL);
		return;
	}
	fuzz_assert(b == UNITS_MAX || b <= (uint64_t)INT64_MAX);
	/* what a knob shows reads back as the same whole MiB */
	n = units_format_mib(b, text, sizeof(text));
	fuzz_assert(n > 0 && (size_t)n == strlen(text));
	buf = fuzz_exact(small, &base);
	check_formatted(units_format_mib(b, buf, small), buf, small);
	free(base);
	fuzz_assert(units_parse_size(text, &b2) == 0);
	fuzz_assert(b2 == (b == UNITS_MAX ? UNITS_MAX : b / MIB * MIB));
}

static void fuzz_percent(const char *s, size_t small)
{
	static const uint64_t periods[] = { 1000, 100000, 1000000 };
	uint64_t c = SENTINEL, c2 = SENTINEL, quota, p;
	char text[32], *buf, *base;
	size_t i;
	int res = units_parse_percent(s, &c), n;

	fuzz_assert(errno_ok(res));
	if (res < 0) {
		fuzz_assert(c == SENTINEL);
		return;
	}
	n = units_format_percent(c, text, sizeof(text));
	fuzz_assert(n > 0 && (size_t)n == strlen(text));
	buf = fuzz_exact(small, &base);
	check_formatted(units_format_percent(c, buf, small), buf, small);
	free(base);
	fuzz_assert(units_parse_percent(text, &c2) == 0 && c2 == c);
	if (c == UNITS_MAX)
		return;
	for (i = 0; i < sizeof(periods) / sizeof(periods[0]); i++) {
		quota = SENTINEL;
		res = units_percent_to_quota(c, periods[i], &quota);
		fuzz_assert(res == 0 || (res == -ERANGE && quota == SENTINEL));
		if (res < 0)
			continue;
		fuzz_assert(quota >= 1000 && quota < (UINT64_C(1) << 44));
		p = units_quota_to_percent(quota, periods[i]);
		if (periods[i] == 100000) /* the default period is exact */
			fuzz_assert(p == c);
	}
}

static void fuzz_numbers(const char *s, const uint8_t *hdr)
{
	uint64_t v = SENTINEL, lo = hdr[3], hi = lo + (uint64_t)hdr[4] * 1000;
	uint64_t w, sh, bl;
	int res;

	res = units_parse_uint(s, lo, hi, hdr[4] & 1, &v);
	fuzz_assert(errno_ok(res));
	fuzz_assert(res == 0 ? (v >= lo && v <= hi) || ((hdr[4] & 1) && v == UNITS_MAX)
	                     : v == SENTINEL);
	res = units_parse_uint(s, 0, UNITS_MAX - 1, 1, &v);
	fuzz_assert(errno_ok(res));
	if (res < 0)
		return;
	/* the conversions take anything and clamp */
	w = units_shares_to_weight(v);
	fuzz_assert(w >= 1 && w <= 10000);
	sh = units_weight_to_shares(v);
	fuzz_assert(sh >= 2 && sh <= 262144);
	if (v >= 1 && v <= 10000)
		fuzz_assert(units_shares_to_weight(sh) == v);
	bl = units_weight_to_blkio(v);
	fuzz_assert(bl >= 10 && bl <= 1000);
	w = units_blkio_to_weight(v);
	fuzz_assert(w >= 1 && w <= 10000);
	if (v >= 10 && v <= 1000)
		fuzz_assert(units_weight_to_blkio(w) == v);
	(void)units_quota_to_percent(v, hdr[0] ? (uint64_t)hdr[0] * hdr[4] : v);
}

static uint64_t bits[UNITS_CPU_WORDS], bits2[UNITS_CPU_WORDS];

/* The canonical form is only checked when the input picked the cpus knob:
 * formatting walks all 65536 CPUs one by one and would otherwise take
 * most of every run. */
static void fuzz_cpulist(const char *s, bool roundtrip, size_t small)
{
	int chk = units_check_cpulist(s), res, n;
	char *text, *buf, *base;

	fuzz_assert(chk == 0 || chk == -EINVAL);
	res = units_parse_cpulist(s, bits);
	fuzz_assert(res == 0 || res == -EINVAL);
	if (chk == 0)
		fuzz_assert(res == 0);
	if (res < 0 || !roundtrip)
		return;
	/* the canonical form means the same set */
	text = fuzz_alloc(CPULIST_TEXT_MAX);
	n = units_format_cpulist(bits, text, CPULIST_TEXT_MAX);
	fuzz_assert(n == -ENOBUFS || (n >= 0 && (size_t)n == strlen(text)));
	if (n > 0) {
		fuzz_assert(units_check_cpulist(text) == 0);
		fuzz_assert(units_parse_cpulist(text, bits2) == 0);
		fuzz_assert(memcmp(bits, bits2, sizeof(bits)) == 0);
	}
	free(text);
	buf = fuzz_exact(small, &base);
	check_formatted(units_format_cpulist(bits, buf, small), buf, small);
	free(base);
}

static void fuzz_units(const char *s, const uint8_t *hdr, const struct knob *k)
{
	fuzz_size(s, hdr[4]);
	fuzz_percent(s, hdr[4]);
	fuzz_numbers(s, hdr);
	fuzz_cpulist(s, k->ctrl == CTRL_CPUSET, hdr[4]);
}

/* ---- the input ---- */

/* The value of a row whose value is lines (knob_trim_lines). */
static char *trim_lines(const uint8_t *raw, size_t len)
{
	char *out = fuzz_alloc(KNOB_VALUE_MAX), *value = NULL;
	int n = knob_trim_lines((const char *)raw, len, out, KNOB_VALUE_MAX);

	fuzz_assert(n == -EINVAL || (n > 0 && (size_t)n < KNOB_VALUE_MAX));
	if (n > 0) {
		fuzz_assert(strlen(out) == (size_t)n);
		fuzz_assert(!strpbrk(out, "\r\v\f"));
		fuzz_assert(!strchr(" \t\n", out[0]) && !strchr(" \t\n", out[n - 1]));
		value = dup_text(out, (size_t)n);
	}
	free(out);
	return value;
}

static char *trim_value(const uint8_t *raw, size_t len, size_t small)
{
	char *out = fuzz_alloc(KNOB_VALUE_MAX), *base, *tiny = fuzz_exact(small, &base);
	char *value = NULL;
	int n;

	n = knob_trim((const char *)raw, len, tiny, small);
	fuzz_assert(n == -EINVAL || (n > 0 && (size_t)n < small && strlen(tiny) == (size_t)n));
	n = knob_trim((const char *)raw, len, out, KNOB_VALUE_MAX);
	fuzz_assert(n == -EINVAL || (n > 0 && (size_t)n < KNOB_VALUE_MAX));
	if (n > 0) {
		fuzz_assert(strlen(out) == (size_t)n);
		fuzz_assert(!strpbrk(out, " \t\n\r\v\f"));
		value = dup_text(out, (size_t)n);
	}
	free(out);
	free(base);
	return value;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[HDR] = { 0 };
	const struct knob *k;
	const uint8_t *p, *raw;
	char *value, *raw_str, *out;
	size_t len = 0, n = size < HDR ? size : HDR;

	if (n)
		memcpy(hdr, data, n);
	data += n;
	size -= n;
	k = &knob_table[hdr[0] % knob_count];

	/* all the payload, NUL bytes included, as one write */
	out = fuzz_alloc(KNOB_VALUE_MAX);
	fuzz_assert(knob_trim((const char *)data, size, out, KNOB_VALUE_MAX) != 0);
	free(out);

	p = data;
	raw = fuzz_piece(&p, &size, &len);
	if (!raw)
		raw = (const uint8_t *)"";
	value = trim_value(raw, len, hdr[4]);
	if (k->lines) {
		free(value);
		value = trim_lines(raw, len);
	}
	raw_str = fuzz_strndup(raw, len);

	fuzz_units(value ? value : raw_str, hdr, k);
	fuzz_pid_freeze_kill(value ? value : raw_str);
	fuzz_group_name(raw_str);
	fuzz_raw_name(raw_str, (mode_t)(hdr[3] | hdr[4] << 8) & 0777);

	fake_init(hdr);
	fake_files(p, size);
	fuzz_knob(k, value, hdr[4]);
	fake_free();

	free(raw_str);
	free(value);
	return 0;
}
