// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/knobs.c over a fake knob_io: an in-memory set of
 * interface files per controller, v1 or v2 per controller, that records
 * every write in order and can refuse a chosen file's writes. It mimics
 * the few kernel behaviours the knobs depend on: v1 memory reads "-1" back
 * as 9223372036854771712 and refuses memory > memsw, v2 cpu.max keeps its
 * period on "max", and the CFS bandwidth bounds hold at every write.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgfs/devices.h"
#include "cgfs/knobs.h"

#define V1_UNLIMITED "9223372036854771712"
#define MAX_FILES 48
#define MAX_WRITES 16
/* Pressure files as a v2 group shows them. */
#define CPU_PRESSURE "some avg10=1.50 avg60=0.25 avg300=0.00 total=1234567\n" \
	"full avg10=0.00 avg60=0.00 avg300=0.00 total=89\n"
#define MEMORY_PRESSURE "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n" \
	"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
#define IO_PRESSURE "some avg10=100.00 avg60=12.34 avg300=5.06 total=18446744073709551615\n" \
	"full avg10=99.99 avg60=10.00 avg300=4.00 total=42\n"
/* Every v2 controller's files live in one directory. */
#define V2_DIR CTRL_MAX

struct ffile {
	int dir;
	char name[64];
	char text[KNOB_TEXT_MAX];
	int fail; /* -errno for every write, or 0 */
};

struct fwrite {
	enum cg_ctrl ctrl;
	char name[64];
	char text[128];
	int res;
};

static struct fake {
	int version[CTRL_MAX];
	/* v1: the parent's quota/period ratio in hundredths of a percent,
	 * which no child may exceed (0: no such parent) */
	unsigned long long v1_ratio;
	struct ffile files[MAX_FILES];
	size_t n_files;
	struct fwrite writes[MAX_WRITES];
	size_t n_writes;
	/* the Nth write (from 1, counted by set) fails with fail_err; 0: none */
	size_t fail_at;
	int fail_err;
	/* the group's device list, where a v2 hierarchy serves */
	struct dev_rule dev[DEVICES_RULES_MAX];
	size_t n_dev;
} F;

/* ---- the fake ---- */

static int dir_of(enum cg_ctrl c)
{
	return F.version[c] == 2 ? V2_DIR : (int)c;
}

static struct ffile *lookup(enum cg_ctrl c, const char *name)
{
	size_t i;

	if (c < 0 || c >= CTRL_MAX || F.version[c] == 0)
		return NULL;
	for (i = 0; i < F.n_files; i++)
		if (F.files[i].dir == dir_of(c) && strcmp(F.files[i].name, name) == 0)
			return &F.files[i];
	return NULL;
}

/* Creates or replaces a file; the controller's version must be set. */
static void put(enum cg_ctrl c, const char *name, const char *text)
{
	struct ffile *f = lookup(c, name);

	assert_true(F.version[c] != 0);
	if (!f) {
		assert_true(F.n_files < MAX_FILES);
		f = &F.files[F.n_files++];
		f->dir = dir_of(c);
		snprintf(f->name, sizeof(f->name), "%s", name);
	}
	snprintf(f->text, sizeof(f->text), "%s", text);
	f->fail = 0;
}

/* Removes a file: the kernel does not provide it. */
static void drop(enum cg_ctrl c, const char *name)
{
	struct ffile *f = lookup(c, name);

	assert_non_null(f);
	f->name[0] = '\0';
}

static const char *content(enum cg_ctrl c, const char *name)
{
	struct ffile *f = lookup(c, name);

	assert_non_null(f);
	return f->text;
}

static void fail_writes(enum cg_ctrl c, const char *name, int err)
{
	struct ffile *f = lookup(c, name);

	assert_non_null(f);
	f->fail = err;
}

static int fake_version(void *ctx, enum cg_ctrl c)
{
	(void)ctx;
	return c >= 0 && c < CTRL_MAX ? F.version[c] : 0;
}

static int fake_read(void *ctx, enum cg_ctrl c, const char *file, char *buf, size_t size)
{
	struct ffile *f = lookup(c, file);

	(void)ctx;
	if (!f)
		return -ENOENT;
	return snprintf(buf, size, "%s", f->text);
}

static int fake_exists(void *ctx, enum cg_ctrl c, const char *file)
{
	(void)ctx;
	return lookup(c, file) != NULL;
}

static unsigned long long number(const char *text)
{
	return strcmp(text, "-1") == 0 ? strtoull(V1_UNLIMITED, NULL, 10)
	                               : strtoull(text, NULL, 10);
}

/* v1 refuses memory.limit_in_bytes above memory.memsw.limit_in_bytes and
 * the other way round (mem_cgroup_resize_max). */
static int v1_memsw_rule(struct ffile *f, unsigned long long v)
{
	struct ffile *lim = lookup(CTRL_MEMORY, "memory.limit_in_bytes");
	struct ffile *sw = lookup(CTRL_MEMORY, "memory.memsw.limit_in_bytes");

	if (f == lim && sw && v > number(sw->text))
		return -EINVAL;
	if (f == sw && lim && v < number(lim->text))
		return -EINVAL;
	return 0;
}

/* A CFS file's number, or -1 for "max"/"-1"/no file. */
static long long cfs_number(const char *text)
{
	return !*text || strncmp(text, "max", 3) == 0 || text[0] == '-' ? -1
	                                                                  : strtoll(text, NULL, 10);
}

/* The kernel checks the whole bandwidth at every write to one of its
 * files (tg_set_cfs_bandwidth): a period of 1000..1000000 us, a quota of
 * at least 1000 us, a burst at most the quota; v1 also a ratio within
 * the parent's (tg_cfs_schedulable_down). */
static int cfs_rule(enum cg_ctrl c, struct ffile *f, const char *text)
{
	static const char *const names[] = { "cpu.cfs_quota_us", "cpu.cfs_period_us",
		                             "cpu.cfs_burst_us", "cpu.max", "cpu.max.burst" };
	const char *now[5], *sp;
	long long quota, period, burst;
	struct ffile *g;
	size_t i, mine = 5;

	for (i = 0; i < 5; i++) {
		g = lookup(c, names[i]);
		now[i] = g ? g->text : "";
		if (g == f) {
			now[i] = text;
			mine = i;
		}
	}
	if (mine == 5)
		return 0;
	if (F.version[c] == 1) {
		quota = cfs_number(now[0]);
		period = cfs_number(now[1]);
		burst = cfs_number(now[2]);
	} else {
		/* "max" alone keeps the period */
		sp = strchr(now[3], ' ');
		if (!sp)
			sp = strchr(lookup(c, "cpu.max")->text, ' ');
		quota = cfs_number(now[3]);
		period = sp ? cfs_number(sp + 1) : 100000;
		burst = cfs_number(now[4]);
	}
	if (period < 1000 || period > 1000000 || (quota >= 0 && quota < 1000) ||
	    (quota >= 0 && burst > quota))
		return -EINVAL;
	if (F.version[c] == 1 && F.v1_ratio && quota >= 0 &&
	    (unsigned long long)quota * 10000 > F.v1_ratio * (unsigned long long)period)
		return -EINVAL;
	return 0;
}

/* blk-throttle's files: one line per device with a limit. v1 takes
 * "MAJ:MIN N" (0: none) for its one limit; v2's io.max takes "MAJ:MIN
 * key=N" (N or max) and shows every key of a device with any limit. */
static int throttle_store(struct ffile *f, const char *text)
{
	static const char *const keys[] = { "rbps", "wbps", "riops", "wiops" };
	char dev[32], val[32], out[KNOB_TEXT_MAX] = "", *line, *save = NULL, *kv;
	char vals[4][32] = { "max", "max", "max", "max" };
	bool v2 = strcmp(f->name, "io.max") == 0, any = false;
	size_t i, devlen;

	if (sscanf(text, "%31s %31s", dev, val) != 2 || !strchr(dev, ':'))
		return -EINVAL;
	devlen = strlen(dev);
	for (line = strtok_r(f->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, dev, devlen) == 0 && line[devlen] == ' ') {
			for (i = 0; v2 && i < 4; i++)
				if ((kv = strstr(line, keys[i])))
					sscanf(kv + strlen(keys[i]) + 1, "%31s", vals[i]);
			continue;
		}
		strcat(out, line);
		strcat(out, "\n");
	}
	if (v2) {
		for (i = 0; i < 4; i++)
			if (strncmp(val, keys[i], strlen(keys[i])) == 0 &&
			    val[strlen(keys[i])] == '=')
				snprintf(vals[i], sizeof(vals[i]), "%s", val + strlen(keys[i]) + 1);
		for (i = 0; i < 4; i++)
			any = any || strcmp(vals[i], "max") != 0;
		if (any)
			sprintf(out + strlen(out), "%s rbps=%s wbps=%s riops=%s wiops=%s\n", dev,
			        vals[0], vals[1], vals[2], vals[3]);
	} else if (strcmp(val, "0") != 0) {
		sprintf(out + strlen(out), "%s %s\n", dev, val);
	}
	snprintf(f->text, sizeof(f->text), "%s", out);
	return 0;
}

/* What the kernel keeps of a write. */
static int kernel_store(enum cg_ctrl c, struct ffile *f, const char *text)
{
	size_t n = strlen(f->name), k = strlen("limit_in_bytes");
	char period[32];
	int res = cfs_rule(c, f, text);

	if (res < 0)
		return res;
	if (strncmp(f->name, "blkio.throttle.", 15) == 0 || strcmp(f->name, "io.max") == 0)
		return throttle_store(f, text);

	if (F.version[c] == 1 && n >= k && strcmp(f->name + n - k, "limit_in_bytes") == 0) {
		res = v1_memsw_rule(f, number(text));
		if (res == 0)
			snprintf(f->text, sizeof(f->text), "%llu\n", number(text));
		return res;
	}
	if (strcmp(f->name, "cpu.max") == 0 && strcmp(text, "max") == 0) {
		snprintf(period, sizeof(period), "%s", strchr(f->text, ' ') + 1);
		snprintf(f->text, sizeof(f->text), "max %s", period);
		return 0;
	}
	snprintf(f->text, sizeof(f->text), "%s\n", text);
	return 0;
}

static int fake_write(void *ctx, enum cg_ctrl c, const char *file, const char *text)
{
	struct ffile *f = lookup(c, file);
	struct fwrite *w;

	(void)ctx;
	assert_true(F.n_writes < MAX_WRITES);
	w = &F.writes[F.n_writes++];
	w->ctrl = c;
	snprintf(w->name, sizeof(w->name), "%s", file);
	snprintf(w->text, sizeof(w->text), "%s", text);
	w->res = !f ? -ENOENT : f->fail ? f->fail : F.fail_at == F.n_writes ? F.fail_err
	                                           : kernel_store(c, f, text);
	return w->res;
}

/* The device list lives with a v2 hierarchy: none, none. */
static bool fake_has_v2(void)
{
	int c;

	for (c = 0; c < CTRL_MAX; c++)
		if (F.version[c] == 2)
			return true;
	return false;
}

static int fake_dev_rules(void *ctx, struct dev_rule *ret, size_t max)
{
	(void)ctx;
	if (!fake_has_v2())
		return -ENOENT;
	if (!ret)
		return 0;
	assert_true(F.n_dev <= max);
	memcpy(ret, F.dev, F.n_dev * sizeof(*ret));
	return (int)F.n_dev;
}

/* A write like any other (counted, and failing as fail_at says). */
static int fake_dev_rules_set(void *ctx, const struct dev_rule *rules, size_t n)
{
	struct fwrite *w;

	(void)ctx;
	if (!fake_has_v2())
		return -ENOENT;
	assert_true(F.n_writes < MAX_WRITES);
	w = &F.writes[F.n_writes++];
	snprintf(w->name, sizeof(w->name), "%s", DEVICES_PROG_NAME);
	w->res = F.fail_at == F.n_writes ? F.fail_err : 0;
	if (w->res == 0) {
		memcpy(F.dev, rules, n * sizeof(*rules));
		F.n_dev = n;
	}
	return w->res;
}

static int fake_dev_node(void *ctx, const char *path, char *type, unsigned *maj, unsigned *min)
{
	(void)ctx;
	if (strcmp(path, "/dev/null") == 0) {
		*type = 'c', *maj = 1, *min = 3;
		return 0;
	}
	return strcmp(path, "/dev/shm") == 0 ? -EINVAL : -ENOENT;
}

static const struct knob_io IO = {
	.ctx = &F,
	.version = fake_version,
	.read = fake_read,
	.write = fake_write,
	.exists = fake_exists,
	.dev_rules = fake_dev_rules,
	.dev_rules_set = fake_dev_rules_set,
	.dev_node = fake_dev_node,
};

static void versions(int v)
{
	int c;

	memset(&F, 0, sizeof(F));
	for (c = 0; c < CTRL_MAX; c++)
		F.version[c] = v;
}

/* A fresh v1 group, as the kernel makes it (plus some usage). */
static void fake_v1(void)
{
	versions(1);
	put(CTRL_MEMORY, "memory.limit_in_bytes", V1_UNLIMITED "\n");
	put(CTRL_MEMORY, "memory.soft_limit_in_bytes", V1_UNLIMITED "\n");
	put(CTRL_MEMORY, "memory.memsw.limit_in_bytes", V1_UNLIMITED "\n");
	put(CTRL_MEMORY, "memory.usage_in_bytes", "104857600\n");
	put(CTRL_MEMORY, "memory.max_usage_in_bytes", "210763776\n");
	put(CTRL_MEMORY, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
	put(CTRL_MEMORY, "memory.stat", "cache 4096\nhierarchical_memory_limit " V1_UNLIMITED
	    "\n");
	put(CTRL_CPU, "cpu.cfs_period_us", "100000\n");
	put(CTRL_CPU, "cpu.cfs_quota_us", "-1\n");
	put(CTRL_CPU, "cpu.cfs_burst_us", "0\n");
	put(CTRL_CPU, "cpu.shares", "1024\n");
	put(CTRL_CPU, "cpu.stat", "nr_periods 10\nnr_throttled 2\nthrottled_time 1500000000\n");
	put(CTRL_CPUACCT, "cpuacct.usage_user", "1234567891\n");
	put(CTRL_CPUACCT, "cpuacct.usage_sys", "5000\n");
	put(CTRL_CPUSET, "cpuset.cpus", "0-1\n");
	put(CTRL_CPUSET, "cpuset.mems", "0\n");
	put(CTRL_PIDS, "pids.max", "max\n");
	put(CTRL_PIDS, "pids.current", "3\n");
	put(CTRL_PIDS, "cgroup.procs", "");
	put(CTRL_IO, "blkio.bfq.weight", "100\n");
	put(CTRL_IO, "blkio.throttle.read_bps_device", "");
	put(CTRL_IO, "blkio.throttle.write_bps_device", "");
	put(CTRL_IO, "blkio.throttle.read_iops_device", "");
	put(CTRL_IO, "blkio.throttle.write_iops_device", "");
	put(CTRL_FREEZER, "freezer.state", "THAWED\n");
}

/* A fresh v2 group with every controller enabled. */
static void fake_v2(void)
{
	versions(2);
	put(CTRL_MEMORY, "memory.max", "max\n");
	put(CTRL_MEMORY, "memory.high", "max\n");
	put(CTRL_MEMORY, "memory.swap.max", "max\n");
	put(CTRL_MEMORY, "memory.current", "104857600\n");
	put(CTRL_MEMORY, "memory.peak", "210763776\n");
	put(CTRL_MEMORY, "memory.events",
	    "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\noom_group_kill 0\n");
	put(CTRL_MEMORY, "memory.stat", "anon 4096\nfile 8192\n");
	put(CTRL_MEMORY, "memory.swap.current", "0\n");
	put(CTRL_MEMORY, "memory.low", "0\n");
	put(CTRL_MEMORY, "memory.min", "0\n");
	put(CTRL_MEMORY, "memory.zswap.max", "max\n");
	put(CTRL_CPU, "cpu.max", "max 100000\n");
	put(CTRL_CPU, "cpu.max.burst", "0\n");
	put(CTRL_CPU, "cpu.weight", "100\n");
	put(CTRL_CPU, "cpu.stat",
	    "usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000001\nnr_periods 7\n"
	    "nr_throttled 1\nthrottled_usec 250000\n");
	put(CTRL_CPUSET, "cpuset.cpus", "0-1\n");
	put(CTRL_CPUSET, "cpuset.cpus.effective", "0-1\n");
	put(CTRL_CPUSET, "cpuset.mems", "\n");
	put(CTRL_CPUSET, "cpuset.mems.effective", "0\n");
	put(CTRL_PIDS, "pids.max", "max\n");
	put(CTRL_PIDS, "pids.current", "0\n");
	put(CTRL_IO, "io.bfq.weight", "default 100\n8:0 200\n");
	put(CTRL_IO, "io.weight", "default 100\n");
	put(CTRL_IO, "io.max", "");
	put(CTRL_FREEZER, "cgroup.freeze", "0\n");
	put(CTRL_FREEZER, "cgroup.kill", "");
	put(CTRL_FREEZER, "cgroup.events", "populated 1\nfrozen 0\n");
	put(CTRL_FREEZER, "cgroup.procs", "");
	put(CTRL_FREEZER, "cpu.pressure", CPU_PRESSURE);
	put(CTRL_FREEZER, "memory.pressure", MEMORY_PRESSURE);
	put(CTRL_FREEZER, "io.pressure", IO_PRESSURE);
}

/* This host's layout: v1 controllers, and the v2 core files (freezer,
 * cpu.stat) from the cgroup2 mount. */
static void fake_hybrid(void)
{
	fake_v1();
	F.version[CTRL_FREEZER] = 2;
	F.version[CTRL_CPUACCT] = 2;
	put(CTRL_FREEZER, "cgroup.freeze", "0\n");
	put(CTRL_FREEZER, "cgroup.kill", "");
	put(CTRL_FREEZER, "cgroup.events", "populated 0\nfrozen 0\n");
	put(CTRL_CPUACCT, "cpu.stat", "usage_usec 10\nuser_usec 7\nsystem_usec 3\n");
}

/* ---- helpers ---- */

static const struct knob *knob(const char *name)
{
	const struct knob *k = knob_find(name);

	if (!k)
		fail_msg("no knob %s", name);
	return k;
}

static bool avail(const char *name)
{
	return knob_available(knob(name), &IO);
}

/* name's get() on io, as the group module calls it. */
static int get(const char *name, const struct knob_io *io, char *buf, size_t size)
{
	const struct knob *k = knob(name);

	return k->get(k, io, buf, size);
}

static int set(const char *name, const char *value)
{
	const struct knob *k = knob(name);

	assert_non_null(k->set);
	F.n_writes = 0;
	return k->set(k, &IO, value);
}

static void expect_write(size_t i, enum cg_ctrl c, const char *file, const char *text)
{
	if (i >= F.n_writes)
		fail_msg("write %zu of %s missing (%zu writes)", i, file, F.n_writes);
	assert_int_equal(F.writes[i].ctrl, c);
	assert_string_equal(F.writes[i].name, file);
	assert_string_equal(F.writes[i].text, text);
}

static void expect_get(const char *name, const char *want)
{
	char buf[KNOB_TEXT_MAX];
	int n;

	memset(buf, 'x', sizeof(buf));
	n = get(name, &IO, buf, sizeof(buf));
	if (n < 0)
		fail_msg("get %s: %s", name, strerror(-n));
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
}

/* set() succeeds with exactly one write of text to file, and the knob
 * reads back as readback. */
static void set_one(const char *name, const char *value, enum cg_ctrl c, const char *file,
                    const char *text, const char *readback)
{
	int res = set(name, value);

	if (res != 0)
		fail_msg("%s = \"%s\": %s", name, value, strerror(-res));
	assert_int_equal(F.n_writes, 1);
	expect_write(0, c, file, text);
	expect_get(name, readback);
}

/* set() refuses with err and writes nothing. */
static void set_bad(const char *name, const char *value, int err)
{
	int res = set(name, value);

	if (res != err || F.n_writes != 0)
		fail_msg("%s = \"%s\": got %d with %zu writes, want %d and none", name, value, res,
		         F.n_writes, err);
}

/* ---- memory ---- */

static void test_memory_limit_v1(void **state)
{
	(void)state;
	fake_v1();
	expect_get("memory_limit_mb", "max\n");
	/* memsw is unlimited: only the memory file is written */
	set_one("memory_limit_mb", "512", CTRL_MEMORY, "memory.limit_in_bytes", "536870912",
	        "512\n");
	set_one("memory_limit_mb", "1.5G", CTRL_MEMORY, "memory.limit_in_bytes", "1610612736",
	        "1536\n");
	set_one("memory_limit_mb", "512M", CTRL_MEMORY, "memory.limit_in_bytes", "536870912",
	        "512\n");
	set_one("memory_limit_mb", "2G", CTRL_MEMORY, "memory.limit_in_bytes", "2147483648",
	        "2048\n");
	set_one("memory_limit_mb", "max", CTRL_MEMORY, "memory.limit_in_bytes", "-1", "max\n");
	set_one("memory_limit_mb", "-1", CTRL_MEMORY, "memory.limit_in_bytes", "-1", "max\n");
	/* no memsw file at all (swap accounting off) */
	drop(CTRL_MEMORY, "memory.memsw.limit_in_bytes");
	set_one("memory_limit_mb", "100", CTRL_MEMORY, "memory.limit_in_bytes", "104857600",
	        "100\n");
	/* a kernel value that is not page-aligned MiB reads rounded down */
	put(CTRL_MEMORY, "memory.limit_in_bytes", "536875008\n");
	expect_get("memory_limit_mb", "512\n");
}

static void test_memory_limit_v2(void **state)
{
	(void)state;
	fake_v2();
	expect_get("memory_limit_mb", "max\n");
	set_one("memory_limit_mb", "512", CTRL_MEMORY, "memory.max", "536870912", "512\n");
	set_one("memory_limit_mb", "1.5G", CTRL_MEMORY, "memory.max", "1610612736", "1536\n");
	set_one("memory_limit_mb", "max", CTRL_MEMORY, "memory.max", "max", "max\n");
	set_one("memory_limit_mb", "-1", CTRL_MEMORY, "memory.max", "max", "max\n");
	/* v2 memory.max is independent of memory.swap.max */
	put(CTRL_MEMORY, "memory.swap.max", "268435456\n");
	set_one("memory_limit_mb", "1G", CTRL_MEMORY, "memory.max", "1073741824", "1024\n");
}

/* v1 with a finite memsw: 512 MiB memory + 256 MiB swap. */
static void fake_v1_swap(void)
{
	fake_v1();
	put(CTRL_MEMORY, "memory.limit_in_bytes", "536870912\n");
	put(CTRL_MEMORY, "memory.memsw.limit_in_bytes", "805306368\n");
}

static void test_memsw_raise(void **state)
{
	(void)state;
	fake_v1_swap();
	assert_int_equal(set("memory_limit_mb", "1G"), 0);
	assert_int_equal(F.n_writes, 2);
	expect_write(0, CTRL_MEMORY, "memory.memsw.limit_in_bytes", "1342177280");
	expect_write(1, CTRL_MEMORY, "memory.limit_in_bytes", "1073741824");
	expect_get("memory_limit_mb", "1024\n");
	expect_get("memory_swap_limit_mb", "256\n");
}

static void test_memsw_lower(void **state)
{
	(void)state;
	fake_v1_swap();
	assert_int_equal(set("memory_limit_mb", "256"), 0);
	assert_int_equal(F.n_writes, 2);
	expect_write(0, CTRL_MEMORY, "memory.limit_in_bytes", "268435456");
	expect_write(1, CTRL_MEMORY, "memory.memsw.limit_in_bytes", "536870912");
	expect_get("memory_limit_mb", "256\n");
	expect_get("memory_swap_limit_mb", "256\n");
	/* the same value again is a no-op for the kernel, in a legal order */
	assert_int_equal(set("memory_limit_mb", "256"), 0);
	expect_get("memory_swap_limit_mb", "256\n");
}

static void test_memsw_to_max(void **state)
{
	(void)state;
	fake_v1_swap();
	assert_int_equal(set("memory_limit_mb", "max"), 0);
	assert_int_equal(F.n_writes, 2);
	expect_write(0, CTRL_MEMORY, "memory.memsw.limit_in_bytes", "-1");
	expect_write(1, CTRL_MEMORY, "memory.limit_in_bytes", "-1");
	expect_get("memory_limit_mb", "max\n");
	expect_get("memory_swap_limit_mb", "max\n");
}

static void test_memsw_rollback(void **state)
{
	(void)state;
	/* raising: memsw goes up, memory is refused, memsw comes back */
	fake_v1_swap();
	fail_writes(CTRL_MEMORY, "memory.limit_in_bytes", -EBUSY);
	assert_int_equal(set("memory_limit_mb", "1G"), -EBUSY);
	assert_int_equal(F.n_writes, 3);
	expect_write(0, CTRL_MEMORY, "memory.memsw.limit_in_bytes", "1342177280");
	expect_write(2, CTRL_MEMORY, "memory.memsw.limit_in_bytes", "805306368");
	assert_string_equal(content(CTRL_MEMORY, "memory.memsw.limit_in_bytes"), "805306368\n");
	assert_string_equal(content(CTRL_MEMORY, "memory.limit_in_bytes"), "536870912\n");

	/* lowering: memory goes down, memsw is refused, memory comes back */
	fake_v1_swap();
	fail_writes(CTRL_MEMORY, "memory.memsw.limit_in_bytes", -EBUSY);
	assert_int_equal(set("memory_limit_mb", "256"), -EBUSY);
	assert_int_equal(F.n_writes, 3);
	expect_write(0, CTRL_MEMORY, "memory.limit_in_bytes", "268435456");
	expect_write(2, CTRL_MEMORY, "memory.limit_in_bytes", "536870912");
	assert_string_equal(content(CTRL_MEMORY, "memory.limit_in_bytes"), "536870912\n");
	assert_string_equal(content(CTRL_MEMORY, "memory.memsw.limit_in_bytes"), "805306368\n");

	/* the first write refused: nothing to undo */
	fake_v1_swap();
	fail_writes(CTRL_MEMORY, "memory.memsw.limit_in_bytes", -EPERM);
	assert_int_equal(set("memory_limit_mb", "1G"), -EPERM);
	assert_int_equal(F.n_writes, 1);
}

static void test_swap_v1(void **state)
{
	(void)state;
	fake_v1();
	expect_get("memory_swap_limit_mb", "max\n");
	/* a swap limit on v1 needs a memory limit to add to */
	set_bad("memory_swap_limit_mb", "256", -EINVAL);
	set_one("memory_swap_limit_mb", "max", CTRL_MEMORY, "memory.memsw.limit_in_bytes", "-1",
	        "max\n");
	set_one("memory_limit_mb", "512", CTRL_MEMORY, "memory.limit_in_bytes", "536870912",
	        "512\n");
	set_one("memory_swap_limit_mb", "256", CTRL_MEMORY, "memory.memsw.limit_in_bytes",
	        "805306368", "256\n");
	set_one("memory_swap_limit_mb", "1G", CTRL_MEMORY, "memory.memsw.limit_in_bytes",
	        "1610612736", "1024\n");
	set_one("memory_swap_limit_mb", "0", CTRL_MEMORY, "memory.memsw.limit_in_bytes",
	        "536870912", "0\n");
	set_one("memory_swap_limit_mb", "-1", CTRL_MEMORY, "memory.memsw.limit_in_bytes", "-1",
	        "max\n");
	expect_get("memory_limit_mb", "512\n");
}

static void test_swap_v2(void **state)
{
	(void)state;
	fake_v2();
	expect_get("memory_swap_limit_mb", "max\n");
	/* v2 needs no memory limit for a swap limit */
	set_one("memory_swap_limit_mb", "256", CTRL_MEMORY, "memory.swap.max", "268435456",
	        "256\n");
	set_one("memory_swap_limit_mb", "0", CTRL_MEMORY, "memory.swap.max", "0", "0\n");
	set_one("memory_swap_limit_mb", "max", CTRL_MEMORY, "memory.swap.max", "max", "max\n");
}

static void test_memory_high(void **state)
{
	(void)state;
	fake_v1();
	expect_get("memory_high_mb", "max\n");
	set_one("memory_high_mb", "512", CTRL_MEMORY, "memory.soft_limit_in_bytes", "536870912",
	        "512\n");
	set_one("memory_high_mb", "max", CTRL_MEMORY, "memory.soft_limit_in_bytes", "-1",
	        "max\n");
	fake_v2();
	set_one("memory_high_mb", "512", CTRL_MEMORY, "memory.high", "536870912", "512\n");
	set_one("memory_high_mb", "0.5G", CTRL_MEMORY, "memory.high", "536870912", "512\n");
	set_one("memory_high_mb", "max", CTRL_MEMORY, "memory.high", "max", "max\n");
}

static void test_memory_usage(void **state)
{
	(void)state;
	fake_v1();
	expect_get("memory_usage_mb", "100\n");
	expect_get("memory_peak_mb", "201\n");
	assert_null(knob("memory_usage_mb")->set);
	assert_null(knob("memory_peak_mb")->set);
	fake_v2();
	expect_get("memory_usage_mb", "100\n");
	expect_get("memory_peak_mb", "201\n");
}

/* ---- protection and zswap: v2 only ---- */

static void test_memory_protection(void **state)
{
	static const char *const names[] = { "memory_low_mb", "memory_min_mb" };
	static const char *const files[] = { "memory.low", "memory.min" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		fake_v2();
		expect_get(names[i], "0\n");
		set_one(names[i], "512", CTRL_MEMORY, files[i], "536870912", "512\n");
		set_one(names[i], "1.5G", CTRL_MEMORY, files[i], "1610612736", "1536\n");
		set_one(names[i], "max", CTRL_MEMORY, files[i], "max", "max\n");
		set_one(names[i], "-1", CTRL_MEMORY, files[i], "max", "max\n");
		set_one(names[i], "0", CTRL_MEMORY, files[i], "0", "0\n");
		/* the kernel keeps whole pages */
		put(CTRL_MEMORY, files[i], "1048571904\n");
		expect_get(names[i], "999\n");
		set_bad(names[i], "512MB", -EINVAL);
		set_bad(names[i], "99999999999T", -ERANGE);
		assert_true(knob_available(knob(names[i]), &IO));
	}
	expect_get("memory_zswap_limit_mb", "max\n");
	set_one("memory_zswap_limit_mb", "256", CTRL_MEMORY, "memory.zswap.max", "268435456",
	        "256\n");
	set_one("memory_zswap_limit_mb", "0", CTRL_MEMORY, "memory.zswap.max", "0", "0\n");
	set_one("memory_zswap_limit_mb", "max", CTRL_MEMORY, "memory.zswap.max", "max", "max\n");
	set_bad("memory_zswap_limit_mb", "1 G", -EINVAL);
	/* a kernel without zswap (or before 5.19): no file, no knob */
	drop(CTRL_MEMORY, "memory.zswap.max");
	assert_false(avail("memory_zswap_limit_mb"));
	assert_true(avail("memory_low_mb"));
}

/* v1 has no equivalent: the knobs are absent, never faked with another
 * file, on v1 and on a hybrid host whose memory controller is v1. */
static void expect_absent(const char *name)
{
	char buf[64];

	assert_false(avail(name));
	assert_int_equal(get(name, &IO, buf, sizeof(buf)), -ENOENT);
	set_bad(name, "64", -ENOENT);
	set_bad(name, "64MB", -EINVAL); /* junk is junk anywhere */
}

static void test_memory_protection_absent(void **state)
{
	static const char *const names[] = { "memory_low_mb", "memory_min_mb",
		                             "memory_zswap_limit_mb" };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_null(knob(names[i])->v1_file);
		fake_v1();
		expect_absent(names[i]);
		/* whatever v1 files a group has */
		put(CTRL_MEMORY, "memory.low", "0\n");
		put(CTRL_MEMORY, "memory.min", "0\n");
		put(CTRL_MEMORY, "memory.zswap.max", "max\n");
		expect_absent(names[i]);
		/* this host: v1 controllers, the v2 core files */
		fake_hybrid();
		expect_absent(names[i]);
	}
	/* a hybrid host whose memory controller is on v2 has them */
	fake_hybrid();
	F.version[CTRL_MEMORY] = 2;
	put(CTRL_MEMORY, "memory.low", "0\n");
	put(CTRL_MEMORY, "memory.min", "0\n");
	for (i = 0; i < 2; i++) {
		assert_true(avail(names[i]));
		set_one(names[i], "64", CTRL_MEMORY, i ? "memory.min" : "memory.low", "67108864",
		        "64\n");
	}
	assert_false(avail("memory_zswap_limit_mb"));
}

/* ---- cpu ---- */

static void test_cpu_percent_v1(void **state)
{
	(void)state;
	fake_v1();
	expect_get("cpu_percent", "max\n");
	set_one("cpu_percent", "12.5", CTRL_CPU, "cpu.cfs_quota_us", "12500", "12.5\n");
	set_one("cpu_percent", "200", CTRL_CPU, "cpu.cfs_quota_us", "200000", "200\n");
	set_one("cpu_percent", "50%", CTRL_CPU, "cpu.cfs_quota_us", "50000", "50\n");
	set_one("cpu_percent", "1", CTRL_CPU, "cpu.cfs_quota_us", "1000", "1\n");
	set_one("cpu_percent", "12.34", CTRL_CPU, "cpu.cfs_quota_us", "12340", "12.34\n");
	set_one("cpu_percent", "max", CTRL_CPU, "cpu.cfs_quota_us", "-1", "max\n");
	set_one("cpu_percent", "-1", CTRL_CPU, "cpu.cfs_quota_us", "-1", "max\n");
	/* the group's own period is kept */
	put(CTRL_CPU, "cpu.cfs_period_us", "50000\n");
	set_one("cpu_percent", "12.5", CTRL_CPU, "cpu.cfs_quota_us", "6250", "12.5\n");
	set_bad("cpu_percent", "1", -ERANGE); /* 500 us < 1 ms */
}

static void test_cpu_percent_v2(void **state)
{
	(void)state;
	fake_v2();
	expect_get("cpu_percent", "max\n");
	set_one("cpu_percent", "12.5", CTRL_CPU, "cpu.max", "12500 100000", "12.5\n");
	set_one("cpu_percent", "250", CTRL_CPU, "cpu.max", "250000 100000", "250\n");
	set_one("cpu_percent", "max", CTRL_CPU, "cpu.max", "max", "max\n");
	assert_string_equal(content(CTRL_CPU, "cpu.max"), "max 100000\n");
	put(CTRL_CPU, "cpu.max", "max 50000\n");
	set_one("cpu_percent", "12.5", CTRL_CPU, "cpu.max", "6250 50000", "12.5\n");
	put(CTRL_CPU, "cpu.max", "12345 1000000\n");
	expect_get("cpu_percent", "1.23\n");
}

static void test_cpu_percent_bad(void **state)
{
	static const char *const einval[] = { "", "abc", "-5", "12.345", "1e99", "1 2", "1.",
		                              ".5", "12.5G", "max%" };
	size_t i;

	(void)state;
	for (int v = 1; v <= 2; v++) {
		v == 1 ? fake_v1() : fake_v2();
		for (i = 0; i < sizeof(einval) / sizeof(einval[0]); i++)
			set_bad("cpu_percent", einval[i], -EINVAL);
		set_bad("cpu_percent", "0.01", -ERANGE);
		set_bad("cpu_percent", "0", -ERANGE);
		set_bad("cpu_percent", "0.99", -ERANGE);
		set_bad("cpu_percent", "17592186044416", -ERANGE); /* quota > 2^44 - 1 */
		assert_int_equal(knob("cpu_percent")->check("0.01"), -ERANGE);
		assert_int_equal(knob("cpu_percent")->check("12.5"), 0);
		assert_int_equal(knob("cpu_percent")->check("max"), 0);
	}
}

/* ---- cpu_period_us: the quota and the burst keep their share ---- */

/* The last set() wrote exactly these files, in this order. */
static void expect_writes(enum cg_ctrl c, const char *const *pairs, size_t n)
{
	size_t i;

	if (F.n_writes != n)
		fail_msg("%zu writes, want %zu (first: %s)", F.n_writes, n,
		         F.n_writes ? F.writes[0].name : "none");
	for (i = 0; i < n; i++)
		expect_write(i, c, pairs[2 * i], pairs[2 * i + 1]);
}

#define WRITES(...)                                                                   \
	expect_writes(CTRL_CPU, (const char *const[]){ __VA_ARGS__ },                \
	              sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *) / 2)

static void test_cpu_period_v1(void **state)
{
	(void)state;
	fake_v1();
	expect_get("cpu_period_us", "100000\n");
	/* no quota and no burst: the period alone */
	set_one("cpu_period_us", "50000", CTRL_CPU, "cpu.cfs_period_us", "50000", "50000\n");
	assert_int_equal(set("cpu_percent", "50"), 0);
	assert_int_equal(set("cpu_burst_percent", "20"), 0);
	assert_string_equal(content(CTRL_CPU, "cpu.cfs_quota_us"), "25000\n");
	assert_string_equal(content(CTRL_CPU, "cpu.cfs_burst_us"), "10000\n");
	/* longer: the period first, so the ratio only falls on the way */
	F.v1_ratio = 5000;
	assert_int_equal(set("cpu_period_us", "200000"), 0);
	WRITES("cpu.cfs_period_us", "200000", "cpu.cfs_quota_us", "100000", "cpu.cfs_burst_us",
	       "40000");
	expect_get("cpu_period_us", "200000\n");
	expect_get("cpu_percent", "50\n");
	expect_get("cpu_burst_percent", "20\n");
	/* shorter: the burst, then the quota, then the period */
	assert_int_equal(set("cpu_period_us", "10000"), 0);
	WRITES("cpu.cfs_burst_us", "2000", "cpu.cfs_quota_us", "5000", "cpu.cfs_period_us",
	       "10000");
	expect_get("cpu_percent", "50\n");
	expect_get("cpu_burst_percent", "20\n");
	/* the same period: nothing to write */
	assert_int_equal(set("cpu_period_us", "10000"), 0);
	assert_int_equal(F.n_writes, 0);
	/* out of the kernel's bounds: refused before any write */
	set_bad("cpu_period_us", "999", -ERANGE);
	set_bad("cpu_period_us", "1000001", -ERANGE);
	set_bad("cpu_period_us", "1000", -ERANGE); /* 50% of 1 ms: a 500 us quota */
	set_bad("cpu_period_us", "max", -EINVAL);
	set_bad("cpu_period_us", "-1", -EINVAL);
	set_bad("cpu_period_us", "10ms", -EINVAL);
	set_bad("cpu_period_us", "1e5", -EINVAL);
	expect_get("cpu_period_us", "10000\n");
	/* from the percentage read, not the quota: 1018 us of 12 ms would
	 * be 1272.5 of 15 ms, 8.49% */
	F.v1_ratio = 0;
	assert_int_equal(set("cpu_period_us", "12000"), 0);
	assert_int_equal(set("cpu_burst_percent", "0"), 0);
	assert_int_equal(set("cpu_percent", "8.48"), 0);
	assert_string_equal(content(CTRL_CPU, "cpu.cfs_quota_us"), "1018\n");
	assert_int_equal(set("cpu_period_us", "15000"), 0);
	assert_string_equal(content(CTRL_CPU, "cpu.cfs_quota_us"), "1272\n");
	expect_get("cpu_percent", "8.48\n");
	assert_int_equal(set("cpu_percent", "50"), 0);
	assert_int_equal(set("cpu_burst_percent", "20"), 0);
	assert_int_equal(set("cpu_period_us", "10000"), 0);
	/* 2 ms: a 1 ms quota, the least the kernel takes */
	F.v1_ratio = 0;
	assert_int_equal(set("cpu_period_us", "2000"), 0);
	WRITES("cpu.cfs_burst_us", "400", "cpu.cfs_quota_us", "1000", "cpu.cfs_period_us",
	       "2000");
	expect_get("cpu_percent", "50\n");
	/* this host's layout: the v1 files */
	fake_hybrid();
	set_one("cpu_period_us", "20000", CTRL_CPU, "cpu.cfs_period_us", "20000", "20000\n");
	set_one("cpu_burst_percent", "5", CTRL_CPU, "cpu.cfs_burst_us", "1000", "5\n");
}

/* The burst write is refused: the quota and the period go back. */
static void test_cpu_period_rollback(void **state)
{
	(void)state;
	fake_v1();
	assert_int_equal(set("cpu_percent", "50"), 0);
	assert_int_equal(set("cpu_burst_percent", "10"), 0);
	fail_writes(CTRL_CPU, "cpu.cfs_burst_us", -EINVAL);
	assert_int_equal(set("cpu_period_us", "200000"), -EINVAL);
	WRITES("cpu.cfs_period_us", "200000", "cpu.cfs_quota_us", "100000", "cpu.cfs_burst_us",
	       "20000", "cpu.cfs_quota_us", "50000", "cpu.cfs_period_us", "100000");
	assert_string_equal(content(CTRL_CPU, "cpu.cfs_period_us"), "100000\n");
	assert_string_equal(content(CTRL_CPU, "cpu.cfs_quota_us"), "50000\n");
	expect_get("cpu_burst_percent", "10\n");
	/* the period refused: the quota goes back */
	fake_v1();
	assert_int_equal(set("cpu_percent", "20"), 0);
	fail_writes(CTRL_CPU, "cpu.cfs_period_us", -EINVAL);
	assert_int_equal(set("cpu_period_us", "50000"), -EINVAL);
	WRITES("cpu.cfs_quota_us", "10000", "cpu.cfs_period_us", "50000", "cpu.cfs_quota_us",
	       "20000");
	expect_get("cpu_percent", "20\n");
	expect_get("cpu_period_us", "100000\n");
}

static void test_cpu_period_v2(void **state)
{
	(void)state;
	fake_v2();
	expect_get("cpu_period_us", "100000\n");
	set_one("cpu_period_us", "50000", CTRL_CPU, "cpu.max", "max 50000", "50000\n");
	expect_get("cpu_percent", "max\n");
	set_one("cpu_percent", "12.5", CTRL_CPU, "cpu.max", "6250 50000", "12.5\n");
	set_one("cpu_burst_percent", "10", CTRL_CPU, "cpu.max.burst", "5000", "10\n");
	/* longer: quota and period in one write, then the burst */
	assert_int_equal(set("cpu_period_us", "100000"), 0);
	WRITES("cpu.max", "12500 100000", "cpu.max.burst", "10000");
	expect_get("cpu_percent", "12.5\n");
	expect_get("cpu_burst_percent", "10\n");
	/* shorter: the burst first, so it never exceeds the quota */
	assert_int_equal(set("cpu_period_us", "10000"), 0);
	WRITES("cpu.max.burst", "1000", "cpu.max", "1250 10000");
	expect_get("cpu_period_us", "10000\n");
	expect_get("cpu_percent", "12.5\n");
	/* cpu.max refused: the burst goes back */
	fail_writes(CTRL_CPU, "cpu.max", -EINVAL);
	assert_int_equal(set("cpu_period_us", "8000"), -EINVAL);
	WRITES("cpu.max.burst", "800", "cpu.max", "1000 8000", "cpu.max.burst", "1000");
	expect_get("cpu_burst_percent", "10\n");
	/* a kernel without cpu.max.burst (before 5.14): cpu.max alone */
	fake_v2();
	drop(CTRL_CPU, "cpu.max.burst");
	set_one("cpu_period_us", "20000", CTRL_CPU, "cpu.max", "max 20000", "20000\n");
	set_bad("cpu_period_us", "0", -ERANGE);
	put(CTRL_CPU, "cpu.max", "garbage\n");
	set_bad("cpu_period_us", "20000", -EIO);
}

/* ---- cpu_burst_percent ---- */

static void test_cpu_burst(void **state)
{
	static const char *const files[] = { "", "cpu.cfs_burst_us", "cpu.max.burst" };

	(void)state;
	for (int v = 1; v <= 2; v++) {
		const char *f = files[v];

		v == 1 ? fake_v1() : fake_v2();
		expect_get("cpu_burst_percent", "0\n");
		/* with no quota the kernel takes any burst */
		set_one("cpu_burst_percent", "50", CTRL_CPU, f, "50000", "50\n");
		set_one("cpu_burst_percent", "0.01", CTRL_CPU, f, "10", "0.01\n");
		set_one("cpu_burst_percent", "0", CTRL_CPU, f, "0", "0\n");
		set_one("cpu_burst_percent", "12.5%", CTRL_CPU, f, "12500", "12.5\n");
		/* at most the quota: the kernel's EINVAL, nothing changed */
		assert_int_equal(set("cpu_percent", "20"), 0);
		assert_int_equal(set("cpu_burst_percent", "20.01"), -EINVAL);
		expect_get("cpu_burst_percent", "12.5\n");
		set_one("cpu_burst_percent", "20", CTRL_CPU, f, "20000", "20\n");
		/* nor can the quota fall below it */
		assert_int_equal(set("cpu_percent", "10"), -EINVAL);
		expect_get("cpu_percent", "20\n");
		/* the burst is a share of the group's own period */
		assert_int_equal(set("cpu_period_us", "50000"), 0);
		set_one("cpu_burst_percent", "10", CTRL_CPU, f, "5000", "10\n");
		set_bad("cpu_burst_percent", "max", -EINVAL);
		set_bad("cpu_burst_percent", "-1", -EINVAL);
		set_bad("cpu_burst_percent", "12.345", -EINVAL);
		set_bad("cpu_burst_percent", "1.", -EINVAL);
		set_bad("cpu_burst_percent", "99999999999999999", -ERANGE);
		assert_int_equal(knob("cpu_burst_percent")->check("0"), 0);
		assert_int_equal(knob("cpu_burst_percent")->check("max"), -EINVAL);
		assert_int_equal(knob("cpu_burst_percent")->check("17592186044416"), -ERANGE);
		/* a kernel without the file (before 5.14): no knob */
		drop(CTRL_CPU, f);
		assert_false(avail("cpu_burst_percent"));
		assert_int_equal(get("cpu_burst_percent", &IO, (char[64]){ 0 }, 64), -ENOENT);
		assert_true(avail("cpu_period_us"));
	}
}

static void test_cpu_weight(void **state)
{
	(void)state;
	fake_v1();
	expect_get("cpu_weight", "100\n");
	set_one("cpu_weight", "100", CTRL_CPU, "cpu.shares", "1024", "100\n");
	set_one("cpu_weight", "1", CTRL_CPU, "cpu.shares", "2", "1\n");
	set_one("cpu_weight", "10000", CTRL_CPU, "cpu.shares", "262144", "10000\n");
	assert_int_equal(set("cpu_weight", "50"), 0);
	expect_get("cpu_weight", "50\n");
	assert_int_equal(set("cpu_weight", "7777"), 0);
	expect_get("cpu_weight", "7777\n");
	/* shares someone else wrote read on the curve */
	put(CTRL_CPU, "cpu.shares", "512\n");
	expect_get("cpu_weight", "59\n");

	fake_v2();
	expect_get("cpu_weight", "100\n");
	set_one("cpu_weight", "100", CTRL_CPU, "cpu.weight", "100", "100\n");
	set_one("cpu_weight", "1", CTRL_CPU, "cpu.weight", "1", "1\n");
	set_one("cpu_weight", "10000", CTRL_CPU, "cpu.weight", "10000", "10000\n");
	set_one("cpu_weight", "7777", CTRL_CPU, "cpu.weight", "7777", "7777\n");
}

static void test_weights_bad(void **state)
{
	static const char *const einval[] = { "max", "abc", "-5", "-1", "", "1.5", "1 2",
		                              "100%", "1e3" };
	static const char *const names[] = { "cpu_weight", "io_weight" };
	size_t i, j;

	(void)state;
	for (int v = 1; v <= 2; v++) {
		for (j = 0; j < 2; j++) {
			v == 1 ? fake_v1() : fake_v2();
			set_bad(names[j], "0", -ERANGE);
			set_bad(names[j], "10001", -ERANGE);
			set_bad(names[j], "99999999999999999999999", -ERANGE);
			for (i = 0; i < sizeof(einval) / sizeof(einval[0]); i++)
				set_bad(names[j], einval[i], -EINVAL);
		}
	}
}

/* ---- cpuset, pids ---- */

static void test_cpus(void **state)
{
	(void)state;
	for (int v = 1; v <= 2; v++) {
		v == 1 ? fake_v1() : fake_v2();
		expect_get("cpus", "0-1\n");
		set_one("cpus", "0", CTRL_CPUSET, "cpuset.cpus", "0", "0\n");
		set_one("cpus", "0-3,6", CTRL_CPUSET, "cpuset.cpus", "0-3,6", "0-3,6\n");
		set_bad("cpus", "3-1", -EINVAL);
		set_bad("cpus", "a", -EINVAL);
		set_bad("cpus", "1,,2", -EINVAL);
		set_bad("cpus", "65536", -EINVAL);
		/* the kernel's own refusal passes through */
		fail_writes(CTRL_CPUSET, "cpuset.cpus", -EINVAL);
		assert_int_equal(set("cpus", "0-63"), -EINVAL);
		/* a v2 cpuset.cpus is empty until written: the group uses its
		 * parent's CPUs, which cpuset.cpus.effective shows (a new v1
		 * group has them copied in) */
		put(CTRL_CPUSET, "cpuset.cpus", "\n");
		expect_get("cpus", v == 1 ? "\n" : "0-1\n");
	}
}

static void test_mems(void **state)
{
	(void)state;
	for (int v = 1; v <= 2; v++) {
		v == 1 ? fake_v1() : fake_v2();
		expect_get("mems", "0\n");
		set_one("mems", "0", CTRL_CPUSET, "cpuset.mems", "0", "0\n");
		set_one("mems", "0-3,6", CTRL_CPUSET, "cpuset.mems", "0-3,6", "0-3,6\n");
		set_bad("mems", "3-1", -EINVAL);
		set_bad("mems", "a", -EINVAL);
		set_bad("mems", "1,,2", -EINVAL);
		set_bad("mems", "0-", -EINVAL);
		set_bad("mems", "65536", -EINVAL);
		fail_writes(CTRL_CPUSET, "cpuset.mems", -EINVAL); /* no such node */
		assert_int_equal(set("mems", "7"), -EINVAL);
		/* v2: empty until written, the parent's nodes in effect */
		put(CTRL_CPUSET, "cpuset.mems", "\n");
		expect_get("mems", v == 1 ? "\n" : "0\n");
		assert_true(avail("mems"));
	}
	/* the hybrid host: v1's file */
	fake_hybrid();
	set_one("mems", "0", CTRL_CPUSET, "cpuset.mems", "0", "0\n");
}

static void test_pids(void **state)
{
	(void)state;
	for (int v = 1; v <= 2; v++) {
		v == 1 ? fake_v1() : fake_v2();
		expect_get("pids_max", "max\n");
		set_one("pids_max", "100", CTRL_PIDS, "pids.max", "100", "100\n");
		set_one("pids_max", "0", CTRL_PIDS, "pids.max", "0", "0\n");
		set_one("pids_max", "4194304", CTRL_PIDS, "pids.max", "4194304", "4194304\n");
		set_one("pids_max", "max", CTRL_PIDS, "pids.max", "max", "max\n");
		set_one("pids_max", "-1", CTRL_PIDS, "pids.max", "max", "max\n");
		set_bad("pids_max", "4194305", -ERANGE);
		set_bad("pids_max", "abc", -EINVAL);
		set_bad("pids_max", "-5", -EINVAL);
		set_bad("pids_max", "1.5", -EINVAL);
		set_bad("pids_max", "", -EINVAL);
		expect_get("pids_current", v == 1 ? "3\n" : "0\n");
		assert_null(knob("pids_current")->set);
	}
}

/* ---- io ---- */

static void test_io_weight_v1(void **state)
{
	(void)state;
	fake_v1();
	/* blkio's 10..1000 on the 1..10000 scale: only 991 values exist */
	expect_get("io_weight", "910\n");
	set_one("io_weight", "1", CTRL_IO, "blkio.bfq.weight", "10", "1\n");
	set_one("io_weight", "10000", CTRL_IO, "blkio.bfq.weight", "1000", "10000\n");
	set_one("io_weight", "4950", CTRL_IO, "blkio.bfq.weight", "500", "4950\n");
	set_one("io_weight", "100", CTRL_IO, "blkio.bfq.weight", "20", "102\n");
	/* CFQ's blkio.weight when there is no BFQ file */
	versions(1);
	put(CTRL_IO, "blkio.weight", "500\n");
	expect_get("io_weight", "4950\n");
	set_one("io_weight", "10000", CTRL_IO, "blkio.weight", "1000", "10000\n");
	/* both: BFQ's wins */
	put(CTRL_IO, "blkio.bfq.weight", "100\n");
	set_one("io_weight", "1", CTRL_IO, "blkio.bfq.weight", "10", "1\n");
}

static void test_io_weight_v2(void **state)
{
	(void)state;
	/* io.bfq.weight wins over io.weight; BFQ takes 1..1000 like v1 */
	fake_v2();
	expect_get("io_weight", "910\n");
	set_one("io_weight", "10000", CTRL_IO, "io.bfq.weight", "default 1000", "10000\n");
	set_one("io_weight", "1", CTRL_IO, "io.bfq.weight", "default 10", "1\n");
	/* per-device lines around the default one are skipped */
	put(CTRL_IO, "io.bfq.weight", "8:0 300\ndefault 500\n8:16 20\n");
	expect_get("io_weight", "4950\n");

	/* only iocost's io.weight: 1..10000 as is */
	versions(2);
	put(CTRL_IO, "io.weight", "default 100\n8:16 300\n");
	expect_get("io_weight", "100\n");
	set_one("io_weight", "100", CTRL_IO, "io.weight", "default 100", "100\n");
	set_one("io_weight", "7777", CTRL_IO, "io.weight", "default 7777", "7777\n");
	set_one("io_weight", "1", CTRL_IO, "io.weight", "default 1", "1\n");
	/* no default line: the kernel's text is not understood */
	put(CTRL_IO, "io.weight", "8:16 300\n");
	assert_int_equal(get("io_weight", &IO, (char[64]){ 0 }, 64), -EIO);
}

/* ---- stat ---- */

static void expect_stat(const char *want)
{
	expect_get("stat", want);
}

static void test_stat_v1(void **state)
{
	(void)state;
	fake_v1();
	expect_stat("cpu_user_seconds 1.234567\n"
	            "cpu_system_seconds 0.000005\n"
	            "memory_usage_mb 100\n"
	            "memory_peak_mb 201\n"
	            "oom_kills 2\n"
	            "pids_current 3\n"
	            "throttled_seconds 1.500000\n"
	            "populated 1\n");
	put(CTRL_PIDS, "pids.current", "0\n");
	/* no memory controller, no throttling data */
	F.version[CTRL_MEMORY] = 0;
	put(CTRL_CPU, "cpu.stat", "nr_periods 0\nnr_throttled 0\n");
	expect_stat("cpu_user_seconds 1.234567\n"
	            "cpu_system_seconds 0.000005\n"
	            "pids_current 0\n"
	            "populated 0\n");
}

/* The cgroups below the group, for each_below: the texts of one file. */
static const char *const *below_texts;
static const char *below_file;

static int fake_each_below(void *ctx, enum cg_ctrl c, const char *file,
                           int (*fn)(void *arg, const char *text), void *arg)
{
	size_t i;
	int res = 0;

	(void)ctx, (void)c;
	below_file = file;
	for (i = 0; res == 0 && below_texts[i]; i++)
		res = fn(arg, below_texts[i]);
	return res;
}

/* v1 counts an OOM kill only in the victim's cgroup: stat adds up the
 * group and every cgroup below it. */
static void test_stat_v1_below(void **state)
{
	static const char *const texts[] = {
		"oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", /* .self */
		"oom_kill_disable 0\nunder_oom 0\n",              /* no key: 0 */
		"oom_kill_disable 0\nunder_oom 0\noom_kill 4\n", /* a subgroup */
		NULL,
	};
	static const char *const bad[] = { "oom_kill x\n", NULL };
	struct knob_io io = IO;
	char buf[KNOB_TEXT_MAX];

	(void)state;
	fake_v1();
	io.each_below = fake_each_below;
	below_texts = texts;
	assert_true(get("stat", &io, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "\noom_kills 9\n"));
	assert_string_equal(below_file, "memory.oom_control");
	below_texts = bad;
	assert_int_equal(get("stat", &io, buf, sizeof(buf)), -EIO);
	/* v2's memory.events counts in every ancestor: nothing is added */
	fake_v2();
	below_texts = texts;
	below_file = NULL;
	assert_true(get("stat", &io, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "\noom_kills 1\n"));
	assert_null(below_file);
}

static void test_stat_v2(void **state)
{
	(void)state;
	fake_v2();
	drop(CTRL_FREEZER, "cpu.pressure");
	drop(CTRL_FREEZER, "memory.pressure");
	drop(CTRL_FREEZER, "io.pressure");
	expect_stat("cpu_user_seconds 2.000000\n"
	            "cpu_system_seconds 1.000001\n"
	            "memory_usage_mb 100\n"
	            "memory_peak_mb 201\n"
	            "oom_kills 1\n"
	            "pids_current 0\n"
	            "throttled_seconds 0.250000\n"
	            "populated 1\n");
	/* only the core files: cpu.stat without the cpu controller's keys */
	versions(0);
	F.version[CTRL_CPUACCT] = 2;
	F.version[CTRL_FREEZER] = 2;
	put(CTRL_CPUACCT, "cpu.stat", "usage_usec 10\nuser_usec 7\nsystem_usec 3\n");
	put(CTRL_FREEZER, "cgroup.events", "populated 0\nfrozen 0\n");
	expect_stat("cpu_user_seconds 0.000007\n"
	            "cpu_system_seconds 0.000003\n"
	            "populated 0\n");
}

/* The hosts' hybrid layout: v1 controllers, v2 core files. */
static void test_stat_hybrid(void **state)
{
	(void)state;
	fake_v1();
	F.version[CTRL_FREEZER] = 2;
	put(CTRL_FREEZER, "cgroup.events", "populated 0\nfrozen 0\n");
	F.version[CTRL_MEMORY] = 0;
	expect_stat("cpu_user_seconds 1.234567\n"
	            "cpu_system_seconds 0.000005\n"
	            "pids_current 3\n"
	            "throttled_seconds 1.500000\n"
	            "populated 0\n");
}

static void test_stat_errors(void **state)
{
	char small[16];

	(void)state;
	fake_v1();
	assert_int_equal(get("stat", &IO, small, sizeof(small)), -ENOBUFS);
	put(CTRL_PIDS, "pids.current", "lots\n");
	assert_int_equal(get("stat", &IO, (char[KNOB_TEXT_MAX]){ 0 }, KNOB_TEXT_MAX),
	                 -EIO);
}

/* stat's lines, then the pressure figures: averages in percent, totals
 * in seconds; a resource without its file, or without a full line, has
 * none of those keys. */
static void test_stat_pressure(void **state)
{
	(void)state;
	fake_v2();
	drop(CTRL_FREEZER, "memory.pressure");
	put(CTRL_FREEZER, "cpu.pressure", "some avg10=1.50 avg60=0.25 avg300=0.00 total=1234567\n");
	expect_stat("cpu_user_seconds 2.000000\n"
	            "cpu_system_seconds 1.000001\n"
	            "memory_usage_mb 100\n"
	            "memory_peak_mb 201\n"
	            "oom_kills 1\n"
	            "pids_current 0\n"
	            "throttled_seconds 0.250000\n"
	            "populated 1\n"
	            "cpu_pressure_some_avg10 1.50\n"
	            "cpu_pressure_some_avg60 0.25\n"
	            "cpu_pressure_some_avg300 0.00\n"
	            "cpu_pressure_some_total_seconds 1.234567\n"
	            "io_pressure_some_avg10 100.00\n"
	            "io_pressure_some_avg60 12.34\n"
	            "io_pressure_some_avg300 5.06\n"
	            "io_pressure_some_total_seconds 18446744073709.551615\n"
	            "io_pressure_full_avg10 99.99\n"
	            "io_pressure_full_avg60 10.00\n"
	            "io_pressure_full_avg300 4.00\n"
	            "io_pressure_full_total_seconds 0.000042\n");
	/* text not understood fails the whole read, as for stat's other files */
	put(CTRL_FREEZER, "io.pressure", "some avg10=1.5 avg60=0.00 avg300=0.00 total=1\n");
	assert_int_equal(get("stat", &IO, (char[KNOB_TEXT_MAX]){ 0 }, KNOB_TEXT_MAX), -EIO);
}

/* ---- events ---- */

/* each_below for events on v1: oom_control's and failcnt's texts below. */
static int events_each_below(void *ctx, enum cg_ctrl c, const char *file,
                             int (*fn)(void *arg, const char *text), void *arg)
{
	static const char *const ooms[] = {
		"oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", /* .self */
		"oom_kill_disable 0\nunder_oom 0\n",              /* no key: 0 */
		"oom_kill_disable 0\nunder_oom 1\noom_kill 3\n", /* a subgroup */
		NULL,
	};
	static const char *const fails[] = { "5\n", "1", NULL };

	below_texts = strcmp(file, "memory.failcnt") == 0 ? fails : ooms;
	return fake_each_below(ctx, c, file, fn, arg);
}

static void test_events_v1(void **state)
{
	struct knob_io io = IO;
	char buf[KNOB_TEXT_MAX];

	(void)state;
	fake_v1();
	put(CTRL_MEMORY, "memory.failcnt", "7\n");
	/* no oom, no high: v1 has no source for them */
	expect_get("events", "oom_kill 2\nmax 7\npopulated 1\nfrozen 0\n");
	put(CTRL_FREEZER, "freezer.state", "FREEZING\n");
	put(CTRL_PIDS, "pids.current", "0\n");
	expect_get("events", "oom_kill 2\nmax 7\npopulated 0\nfrozen 0\n");
	put(CTRL_FREEZER, "freezer.state", "FROZEN\n");
	expect_get("events", "oom_kill 2\nmax 7\npopulated 0\nfrozen 1\n");
	/* v1 counts where it happened: the cgroups below add up */
	io.each_below = events_each_below;
	assert_true(get("events", &io, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "oom_kill 8\nmax 13\npopulated 0\nfrozen 1\n");
	/* a source missing leaves its line out */
	drop(CTRL_MEMORY, "memory.failcnt");
	drop(CTRL_FREEZER, "freezer.state");
	expect_get("events", "oom_kill 2\npopulated 0\n");
	assert_true(avail("events"));
	versions(0);
	assert_false(avail("events"));
	expect_get("events", "");
}

static void test_events_v2(void **state)
{
	(void)state;
	fake_v2();
	expect_get("events", "oom 1\noom_kill 1\nmax 4\nhigh 0\npopulated 1\nfrozen 0\n");
	put(CTRL_FREEZER, "cgroup.events", "populated 0\nfrozen 1\n");
	put(CTRL_MEMORY, "memory.events", "max 9\noom 2\noom_kill 2\n"); /* no high key */
	expect_get("events", "oom 2\noom_kill 2\nmax 9\npopulated 0\nfrozen 1\n");
	/* without the memory controller: the core file alone */
	F.version[CTRL_MEMORY] = 0;
	expect_get("events", "populated 0\nfrozen 1\n");
	assert_true(avail("events"));
	put(CTRL_FREEZER, "cgroup.events", "populated x\nfrozen 1\n");
	assert_int_equal(get("events", &IO, (char[KNOB_TEXT_MAX]){ 0 }, KNOB_TEXT_MAX), -EIO);
	assert_int_equal(get("events", &IO, (char[8]){ 0 }, 8), -EIO);
	put(CTRL_FREEZER, "cgroup.events", "populated 0\nfrozen 1\n");
	assert_int_equal(get("events", &IO, (char[8]){ 0 }, 8), -ENOBUFS);
}

/* The hosts' hybrid layout: v1 memory and freezer, v2 core files. */
static void test_events_hybrid(void **state)
{
	(void)state;
	fake_v1();
	put(CTRL_MEMORY, "memory.failcnt", "0\n");
	F.version[CTRL_CPUACCT] = 2;
	expect_get("events", "oom_kill 2\nmax 0\npopulated 1\nfrozen 0\n");
}

/* ---- pressure ---- */

static void test_pressure_v2(void **state)
{
	char small[64];

	(void)state;
	fake_v2();
	assert_true(avail("pressure"));
	expect_get("pressure",
	           "cpu some avg10=1.50 avg60=0.25 avg300=0.00 total=1234567\n"
	           "cpu full avg10=0.00 avg60=0.00 avg300=0.00 total=89\n"
	           "memory some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
	           "memory full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
	           "io some avg10=100.00 avg60=12.34 avg300=5.06 total=18446744073709551615\n"
	           "io full avg10=99.99 avg60=10.00 avg300=4.00 total=42\n");
	/* a kernel without cpu's full line (before 5.13), no io.pressure,
	 * no newline at the end */
	put(CTRL_FREEZER, "cpu.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=7");
	drop(CTRL_FREEZER, "io.pressure");
	assert_true(avail("pressure"));
	expect_get("pressure",
	           "cpu some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n"
	           "memory some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
	           "memory full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	assert_int_equal(get("pressure", &IO, small, sizeof(small)), -ENOBUFS);
	/* PSI off (psi=0): no files, no knob */
	drop(CTRL_FREEZER, "cpu.pressure");
	drop(CTRL_FREEZER, "memory.pressure");
	assert_false(avail("pressure"));
	assert_int_equal(get("pressure", &IO, small, sizeof(small)), -ENOENT);
}

/* v1 has no pressure files; a hybrid host has them only in the v2 group
 * cgfs keeps processes in, when a controller is served there. */
static void test_pressure_v1_hybrid(void **state)
{
	char buf[KNOB_TEXT_MAX];

	(void)state;
	fake_v1();
	assert_false(avail("pressure"));
	assert_int_equal(get("pressure", &IO, buf, sizeof(buf)), -ENOENT);
	/* v1 files of the same name are not v2's */
	put(CTRL_CPU, "cpu.pressure", CPU_PRESSURE);
	assert_false(avail("pressure"));
	assert_int_equal(get("pressure", &IO, buf, sizeof(buf)), -ENOENT);
	fake_hybrid();
	assert_false(avail("pressure"));
	assert_int_equal(get("pressure", &IO, buf, sizeof(buf)), -ENOENT);
	put(CTRL_FREEZER, "io.pressure", IO_PRESSURE);
	assert_true(avail("pressure"));
	expect_get("pressure",
	           "io some avg10=100.00 avg60=12.34 avg300=5.06 total=18446744073709551615\n"
	           "io full avg10=99.99 avg60=10.00 avg300=4.00 total=42\n");
}

/* Text the kernel would never print is -EIO, not a guess. */
static void test_pressure_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"some\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00\n",
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n\n",
		"some avg10=0.0 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=1000.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.000 avg60=0.00 avg300=0.00 total=0\n",
		"some avg60=0.00 avg10=0.00 avg300=0.00 total=0\n",
		"some  avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=1 \n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=\n",
		"Some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\r\n",
	};
	char buf[KNOB_TEXT_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_v2();
		put(CTRL_FREEZER, "memory.pressure", bad[i]);
		if (get("pressure", &IO, buf, sizeof(buf)) != -EIO)
			fail_msg("pressure accepted \"%s\"", bad[i]);
	}
	/* longer than any pressure file */
	memset(buf, 's', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	fake_v2();
	put(CTRL_FREEZER, "cpu.pressure", buf);
	assert_int_equal(get("pressure", &IO, buf, sizeof(buf)), -EIO);
}

/* ---- meminfo: the gathering; the rendering is test_meminfo's ---- */

static int fake_host_read(void *ctx, const char *path, char *buf, size_t size)
{
	(void)ctx;
	assert_string_equal(path, "/proc/meminfo");
	return snprintf(buf, size, "MemTotal:        4000000 kB\nMemFree:         3000000 kB\n"
	                           "SwapTotal:       1000000 kB\nSwapFree:         900000 kB\n");
}

static const struct knob_io IO_HOST = {
	.ctx = &F,
	.version = fake_version,
	.read = fake_read,
	.write = fake_write,
	.exists = fake_exists,
	.host_read = fake_host_read,
};

static void expect_meminfo(const char *want)
{
	char buf[KNOB_TEXT_MAX];
	int n = get("meminfo", &IO_HOST, buf, sizeof(buf));

	assert_true(n >= 0);
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
}

static void test_meminfo(void **state)
{
	char buf[KNOB_TEXT_MAX];

	(void)state;
	/* v2: memory.max of the group and every ancestor, the smallest wins */
	fake_v2();
	put(CTRL_MEMORY, "../memory.max", "1073741824\n");
	put(CTRL_MEMORY, "../../memory.max", "max\n");
	put(CTRL_MEMORY, "../../../memory.max", "536870912\n");
	put(CTRL_MEMORY, "../memory.swap.max", "104857600\n");
	expect_meminfo("MemTotal:         524288 kB\nMemFree:          421888 kB\n"
	               "SwapTotal:        102400 kB\nSwapFree:         102400 kB\n");
	/* without swap accounting the host's swap lines */
	drop(CTRL_MEMORY, "memory.swap.max");
	drop(CTRL_MEMORY, "../memory.swap.max");
	expect_meminfo("MemTotal:         524288 kB\nMemFree:          421888 kB\n"
	               "SwapTotal:       1000000 kB\nSwapFree:         900000 kB\n");
	/* v1: memory.stat's hierarchical limit; the group's own without it */
	fake_v1();
	put(CTRL_MEMORY, "memory.limit_in_bytes", "2147483648\n");
	put(CTRL_MEMORY, "memory.stat", "cache 4096\n");
	expect_meminfo("MemTotal:        2097152 kB\nMemFree:         1994752 kB\n"
	               "SwapTotal:       1000000 kB\nSwapFree:         900000 kB\n");
	put(CTRL_MEMORY, "memory.stat", "cache 0\nhierarchical_memory_limit 1073741824\n"
	    "hierarchical_memsw_limit 1610612736\ntotal_swap 1048576\n");
	expect_meminfo("MemTotal:        1048576 kB\nMemFree:          946176 kB\n"
	               "SwapTotal:        524288 kB\nSwapFree:         523264 kB\n");
	/* errors pass up: no host file, no memory.stat, no memory hierarchy */
	assert_int_equal(get("meminfo", &IO, buf, sizeof(buf)), -ENOENT);
	drop(CTRL_MEMORY, "memory.stat");
	assert_int_equal(get("meminfo", &IO_HOST, buf, sizeof(buf)), -ENOENT);
	F.version[CTRL_MEMORY] = 0;
	assert_int_equal(get("meminfo", &IO_HOST, buf, sizeof(buf)), -ENOENT);
}

/* ---- availability ---- */

/* Whether v1 serves k: a v1 file, or no file at all (autoremove, a mark
 * on the group's directory, served wherever a hierarchy is). */
static bool on_v1(const struct knob *k)
{
	return k->v1_file != NULL || k->kind == KNOB_AUTOREMOVE;
}

static void test_available(void **state)
{
	size_t i;

	(void)state;
	fake_v1();
	for (i = 0; i < knob_count; i++)
		if (knob_available(&knob_table[i], &IO) != on_v1(&knob_table[i]))
			fail_msg("v1: %s available: %d", knob_table[i].name,
			         knob_available(&knob_table[i], &IO));
	/* this host: every v1 knob, none of the v2-only ones */
	fake_hybrid();
	for (i = 0; i < knob_count; i++)
		if (knob_available(&knob_table[i], &IO) !=
		    (on_v1(&knob_table[i]) || &knob_table[i] == knob("devices_deny")))
			fail_msg("hybrid: %s available: %d", knob_table[i].name,
			         knob_available(&knob_table[i], &IO));
	fake_v2();
	for (i = 0; i < knob_count; i++)
		if (!knob_available(&knob_table[i], &IO))
			fail_msg("v2: %s not available", knob_table[i].name);

	/* v1 without swap accounting */
	fake_v1();
	drop(CTRL_MEMORY, "memory.memsw.limit_in_bytes");
	assert_false(avail("memory_swap_limit_mb"));
	assert_true(avail("memory_limit_mb"));
	/* kill on v1 goes through the freezer */
	assert_true(avail("kill"));
	/* io: any of the files of the serving version */
	versions(1);
	assert_false(avail("io_weight"));
	put(CTRL_IO, "io.weight", "default 100\n"); /* a v2 file on v1: no */
	assert_false(avail("io_weight"));
	put(CTRL_IO, "blkio.weight", "500\n");
	assert_true(avail("io_weight"));
	versions(2);
	put(CTRL_IO, "io.weight", "default 100\n");
	put(CTRL_IO, "io.max", "");
	assert_true(avail("io_weight"));

	/* nothing served: only procs */
	versions(0);
	for (i = 0; i < knob_count; i++)
		if (knob_available(&knob_table[i], &IO) != (strcmp(knob_table[i].name, "procs") == 0))
			fail_msg("nothing served: %s", knob_table[i].name);
	/* stat with pids alone */
	F.version[CTRL_PIDS] = 1;
	put(CTRL_PIDS, "pids.current", "1\n");
	assert_true(avail("stat"));
	expect_stat("pids_current 1\npopulated 1\n");
	/* v2 without cgroup.kill (before Linux 5.14) */
	fake_v2();
	drop(CTRL_FREEZER, "cgroup.kill");
	assert_false(avail("kill"));
	assert_true(avail("freeze"));
}

/* ---- the kinds take their files from the row ---- */

static void row_get(const struct knob *k, const char *want)
{
	char buf[KNOB_TEXT_MAX];
	int n = k->get(k, &IO, buf, sizeof(buf));

	if (n < 0)
		fail_msg("get %s (%s/%s): %s", k->name, k->v1_file, k->v2_file, strerror(-n));
	assert_string_equal(buf, want);
}

static void row_set(const struct knob *k, const char *value, enum cg_ctrl c, const char *file,
                    const char *text)
{
	int res;

	F.n_writes = 0;
	res = k->set(k, &IO, value);
	if (res != 0)
		fail_msg("%s = \"%s\": %s", k->name, value, strerror(-res));
	assert_int_equal(F.n_writes, 1);
	expect_write(0, c, file, text);
}

/* A copy of name's row with other files (and controller). */
static struct knob row_like(const char *name, enum cg_ctrl c, const char *v1, const char *v1_aux,
                            const char *v2, const char *v2_aux)
{
	struct knob k = *knob(name);

	k.ctrl = c;
	k.v1_file = v1;
	k.v1_aux = v1_aux;
	k.v2_file = v2;
	k.v2_aux = v2_aux;
	return k;
}

static void test_kinds_v1(void **state)
{
	struct knob k;

	(void)state;
	versions(1);
	/* a size in MiB, on another controller too */
	k = row_like("memory_high_mb", CTRL_IO, "t.bytes", NULL, "t2.bytes", NULL);
	put(CTRL_IO, "t.bytes", V1_UNLIMITED "\n");
	row_get(&k, "max\n");
	row_set(&k, "512", CTRL_IO, "t.bytes", "536870912");
	row_get(&k, "512\n");
	row_set(&k, "max", CTRL_IO, "t.bytes", "-1");
	/* a percent: quota in the file, period in the second one */
	k = row_like("cpu_percent", CTRL_CPU, "t.quota", "t.period", "t.max", NULL);
	put(CTRL_CPU, "t.quota", "-1\n");
	put(CTRL_CPU, "t.period", "50000\n");
	row_get(&k, "max\n");
	row_set(&k, "12.5", CTRL_CPU, "t.quota", "6250");
	row_get(&k, "12.5\n");
	row_set(&k, "max", CTRL_CPU, "t.quota", "-1");
	/* a weight: v1 on the shares curve */
	k = row_like("cpu_weight", CTRL_CPU, "t.shares", NULL, "t.weight", NULL);
	put(CTRL_CPU, "t.shares", "512\n");
	row_get(&k, "59\n");
	row_set(&k, "100", CTRL_CPU, "t.shares", "1024");
	/* a count, or max */
	k = row_like("pids_max", CTRL_PIDS, "t.count", NULL, "t2.count", NULL);
	put(CTRL_PIDS, "t.count", "max\n");
	row_get(&k, "max\n");
	row_set(&k, "7", CTRL_PIDS, "t.count", "7");
	row_get(&k, "7\n");
	row_set(&k, "-1", CTRL_PIDS, "t.count", "max");
	/* a list: v1 has no inherited value to look up */
	k = row_like("cpus", CTRL_CPUSET, "t.list", NULL, "t2.list", NULL);
	put(CTRL_CPUSET, "t.list", "\n");
	row_get(&k, "\n");
	row_set(&k, "1-2", CTRL_CPUSET, "t.list", "1-2");
	row_get(&k, "1-2\n");
}

static void test_kinds_v2(void **state)
{
	struct knob k;

	(void)state;
	versions(2);
	k = row_like("memory_high_mb", CTRL_MEMORY, "t1.bytes", NULL, "t.bytes", NULL);
	put(CTRL_MEMORY, "t.bytes", "max\n");
	row_get(&k, "max\n");
	row_set(&k, "1", CTRL_MEMORY, "t.bytes", "1048576");
	row_get(&k, "1\n");
	row_set(&k, "max", CTRL_MEMORY, "t.bytes", "max");
	/* a percent: quota and period in one file */
	k = row_like("cpu_percent", CTRL_CPU, "t.quota", "t.period", "t.max", NULL);
	put(CTRL_CPU, "t.max", "max 50000\n");
	row_get(&k, "max\n");
	row_set(&k, "12.5", CTRL_CPU, "t.max", "6250 50000");
	row_get(&k, "12.5\n");
	/* a weight: v2 as is */
	k = row_like("cpu_weight", CTRL_CPU, "t.shares", NULL, "t.weight", NULL);
	put(CTRL_CPU, "t.weight", "7777\n");
	row_get(&k, "7777\n");
	row_set(&k, "1", CTRL_CPU, "t.weight", "1");
	/* a count takes its range from the row's check() */
	k = row_like("pids_max", CTRL_PIDS, "t1.count", NULL, "t.count", NULL);
	put(CTRL_PIDS, "t.count", "3\n");
	row_get(&k, "3\n");
	k.check = knob("cpu_weight")->check;
	row_set(&k, "10000", CTRL_PIDS, "t.count", "10000");
	F.n_writes = 0;
	assert_int_equal(k.set(&k, &IO, "0"), -ERANGE);
	assert_int_equal(k.set(&k, &IO, "max"), -EINVAL);
	assert_int_equal(F.n_writes, 0);
	/* a list: empty is inherited, which the second file shows */
	k = row_like("cpus", CTRL_CPUSET, "t1.list", NULL, "t.list", "t.effective");
	put(CTRL_CPUSET, "t.list", "\n");
	put(CTRL_CPUSET, "t.effective", "0-3\n");
	row_get(&k, "0-3\n");
	row_set(&k, "2", CTRL_CPUSET, "t.list", "2");
	row_get(&k, "2\n");
	k.v2_aux = NULL;
	put(CTRL_CPUSET, "t.list", "\n");
	row_get(&k, "\n");
}


/* ---- per-device I/O limits ---- */

/* The machine's block devices as /sys/dev/block and /dev show them: sda
 * (8:0) with its partition sda1 (8:1), vda (254:0), and zram0 (253:0),
 * which has no node in /dev. */
static int dev_host_read(void *ctx, const char *path, char *buf, size_t size)
{
	static const struct { const char *path, *text; } uevents[] = {
		{ "/sys/dev/block/8:0/uevent", "MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n" },
		{ "/sys/dev/block/8:1/uevent",
		  "MAJOR=8\nMINOR=1\nDEVNAME=sda1\nDEVTYPE=partition\nPARTN=1\n" },
		{ "/sys/dev/block/254:0/uevent", "MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk" },
		{ "/sys/dev/block/253:0/uevent", "MAJOR=253\nMINOR=0\nDEVNAME=zram0\nDEVTYPE=disk\n" },
	};
	size_t i;

	(void)ctx;
	for (i = 0; i < sizeof(uevents) / sizeof(uevents[0]); i++)
		if (strcmp(path, uevents[i].path) == 0)
			return snprintf(buf, size, "%s", uevents[i].text);
	return -ENOENT;
}

static int dev_block(void *ctx, const char *path, unsigned *ret_major, unsigned *ret_minor)
{
	static const struct { const char *path; unsigned maj, min; } nodes[] = {
		{ "/dev/sda", 8, 0 }, { "/dev/sda1", 8, 1 }, { "/dev/vda", 254, 0 },
		{ "/dev/disk/by-id/virtio-x", 254, 0 },
	};
	size_t i;

	(void)ctx;
	if (strcmp(path, "/dev/null") == 0 || strcmp(path, "/dev/shm/link") == 0)
		return -EINVAL;
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		if (strcmp(path, nodes[i].path) == 0) {
			*ret_major = nodes[i].maj;
			*ret_minor = nodes[i].min;
			return 0;
		}
	}
	return -ENOENT;
}

static const struct knob_io IO_DEV = {
	.ctx = &F,
	.version = fake_version,
	.read = fake_read,
	.write = fake_write,
	.exists = fake_exists,
	.host_read = dev_host_read,
	.block_dev = dev_block,
};

static int dev_set(const char *name, const char *value)
{
	const struct knob *k = knob(name);

	F.n_writes = 0;
	return k->set(k, &IO_DEV, value);
}

static void dev_get(const char *name, const char *want)
{
	char buf[KNOB_TEXT_MAX];
	int n = get(name, &IO_DEV, buf, sizeof(buf));

	if (n < 0)
		fail_msg("get %s: %s", name, strerror(-n));
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
}

/* dev_set succeeds, its writes are texts[] to file, and it reads back. */
static void dev_ok(const char *name, const char *value, const char *file,
                   const char *const *texts, size_t n, const char *readback)
{
	int res = dev_set(name, value);
	size_t i;

	if (res != 0)
		fail_msg("%s = \"%s\": %s", name, value, strerror(-res));
	assert_int_equal(F.n_writes, n);
	for (i = 0; i < n; i++)
		expect_write(i, CTRL_IO, file, texts[i]);
	dev_get(name, readback);
}

#define ONE(t) (const char *const[]){ t }, 1

static void test_io_limits_v1(void **state)
{
	(void)state;
	fake_v1();
	dev_get("io_read_mbps", "");
	dev_ok("io_read_mbps", "/dev/sda 2", "blkio.throttle.read_bps_device",
	       ONE("8:0 2097152"), "/dev/sda 2\n");
	/* suffixes are binary; the limit is whole KiB/s, rounded down */
	dev_ok("io_read_mbps", "8:0 512K", "blkio.throttle.read_bps_device",
	       ONE("8:0 524288"), "/dev/sda 512K\n");
	dev_ok("io_read_mbps", "/dev/disk/by-id/virtio-x 1.5", "blkio.throttle.read_bps_device",
	       ONE("254:0 1572864"), "/dev/sda 512K\n/dev/vda 1536K\n");
	dev_ok("io_write_mbps", "/dev/sda 2G", "blkio.throttle.write_bps_device",
	       ONE("8:0 2147483648"), "/dev/sda 2048\n");
	dev_ok("io_write_mbps", "/dev/sda 1000.0009", "blkio.throttle.write_bps_device",
	       ONE("8:0 1048576000"), "/dev/sda 1000\n");
	dev_ok("io_write_mbps", "/dev/sda 1.000977", "blkio.throttle.write_bps_device",
	       ONE("8:0 1049600"), "/dev/sda 1025K\n");
	/* max (or -1) removes it: v1 writes 0 */
	dev_ok("io_read_mbps", "/dev/sda max", "blkio.throttle.read_bps_device",
	       ONE("8:0 0"), "/dev/vda 1536K\n");
	dev_ok("io_read_mbps", "254:0 -1", "blkio.throttle.read_bps_device", ONE("254:0 0"), "");
	/* IOPS: a count, K/M/G in thousands */
	dev_ok("io_read_iops", "/dev/vda 2k", "blkio.throttle.read_iops_device",
	       ONE("254:0 2000"), "/dev/vda 2000\n");
	dev_ok("io_write_iops", "/dev/vda 4294967294", "blkio.throttle.write_iops_device",
	       ONE("254:0 4294967294"), "/dev/vda 4294967294\n");
	dev_ok("io_write_iops", "/dev/vda 3M", "blkio.throttle.write_iops_device",
	       ONE("254:0 3000000"), "/dev/vda 3000000\n");
	dev_ok("io_write_iops", "/dev/vda 1G", "blkio.throttle.write_iops_device",
	       ONE("254:0 1000000000"), "/dev/vda 1000000000\n");
	/* several lines, blank lines and blanks around: each device once */
	dev_ok("io_write_iops", "\n8:0\t5\n\n  /dev/vda   max  \n", "blkio.throttle.write_iops_device",
	       ((const char *const[]){ "8:0 5", "254:0 0" }), 2, "/dev/sda 5\n");
	/* a device without a node in /dev reads as MAJ:MIN */
	dev_ok("io_write_iops", "253:0 7", "blkio.throttle.write_iops_device", ONE("253:0 7"),
	       "/dev/sda 5\n253:0 7\n");
	/* without the device hooks: no names, and no device can be checked */
	expect_get("io_write_iops", "8:0 5\n253:0 7\n");
	assert_int_equal(set("io_write_iops", "8:0 6"), -EINVAL);
	assert_int_equal(set("io_write_iops", "/dev/sda 6"), -EINVAL);
	assert_int_equal(F.n_writes, 0);
}

static void test_io_limits_v2(void **state)
{
	(void)state;
	fake_v2();
	dev_get("io_write_mbps", "");
	dev_ok("io_read_mbps", "/dev/sda 2", "io.max", ONE("8:0 rbps=2097152"), "/dev/sda 2\n");
	assert_string_equal(content(CTRL_IO, "io.max"),
	                    "8:0 rbps=2097152 wbps=max riops=max wiops=max\n");
	/* another key of the same device leaves the others alone */
	dev_ok("io_write_iops", "/dev/sda 100", "io.max", ONE("8:0 wiops=100"), "/dev/sda 100\n");
	dev_get("io_read_mbps", "/dev/sda 2\n");
	dev_get("io_write_mbps", "");
	dev_get("io_read_iops", "");
	dev_ok("io_write_mbps", "/dev/vda 1T", "io.max", ONE("254:0 wbps=1099511627776"),
	       "/dev/vda 1048576\n");
	dev_ok("io_read_iops", "/dev/vda 10", "io.max", ONE("254:0 riops=10"), "/dev/vda 10\n");
	dev_ok("io_read_mbps", "/dev/sda max", "io.max", ONE("8:0 rbps=max"), "");
	assert_string_equal(content(CTRL_IO, "io.max"),
	                    "254:0 rbps=max wbps=1099511627776 riops=10 wiops=max\n"
	                    "8:0 rbps=max wbps=max riops=max wiops=100\n");
	dev_ok("io_write_iops", "8:0 max", "io.max", ONE("8:0 wiops=max"), "");
	assert_string_equal(content(CTRL_IO, "io.max"),
	                    "254:0 rbps=max wbps=1099511627776 riops=10 wiops=max\n");
}

/* Kernel text not understood is -EIO, on read and before any write. */
static void test_io_limits_kernel_text(void **state)
{
	static const char *const bad[] = {
		"8:0 rbps=x wbps=max riops=max wiops=max\n",
		"8:0 rbps=1 wbps=max\n8:0 rbps=2 wbps=max\n",
		"8-0 rbps=1\n",
	};
	char buf[KNOB_TEXT_MAX], big[KNOB_TEXT_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_v2();
		put(CTRL_IO, "io.max", bad[i]);
		if (get("io_read_mbps", &IO_DEV, buf, sizeof(buf)) != -EIO)
			fail_msg("io.max \"%s\" read", bad[i]);
		assert_int_equal(dev_set("io_read_mbps", "/dev/sda 1"), -EIO);
		assert_int_equal(F.n_writes, 0);
	}
	/* v1: a line without a number */
	fake_v1();
	put(CTRL_IO, "blkio.throttle.read_bps_device", "8:0\n");
	assert_int_equal(get("io_read_mbps", &IO_DEV, buf, sizeof(buf)), -EIO);
	/* a key this row does not have: no limit of its kind */
	fake_v2();
	put(CTRL_IO, "io.max", "8:0 wbps=5\n");
	dev_get("io_read_mbps", "");
	/* more than fits: maybe cut, so not read at all */
	memset(big, 0, sizeof(big));
	for (i = 0; strlen(big) + 16 < sizeof(big); i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big), "7:%zu rbps=1024\n", i);
	put(CTRL_IO, "io.max", big);
	assert_int_equal(get("io_read_mbps", &IO_DEV, buf, sizeof(buf)), -ENOBUFS);
	/* a small buffer */
	fake_v2();
	put(CTRL_IO, "io.max", "8:0 rbps=1048576 wbps=max riops=max wiops=max\n");
	assert_int_equal(get("io_read_mbps", &IO_DEV, buf, 8), -ENOBUFS);
	assert_int_equal(get("io_read_mbps", &IO_DEV, buf, 11), -ENOBUFS);
	assert_int_equal(get("io_read_mbps", &IO_DEV, buf, 12), 11);
}

static void test_io_limits_bad(void **state)
{
	static const char *const einval[] = {
		"/dev/sda", "/dev/sda 1 2", "/dev/sda abc", "/dev/sda 1x", "/dev/sda -5",
		"/dev/sda 1e3", "/dev/sda 1KB", "/dev/sda max1", "sda 1", "8 1", "8:x 1", ":0 1",
		"8: 1", "8:0:0 1", "4096:0 1", "8:1048576 1", "-8:0 1", "/dev/ 1", "/dev 1",
		"/tmp/x 1", "/dev/null 1", "/dev/shm/link 1", "9:9 1", "/dev/sda1 1", "8:1 1",
		"/dev/sda 1\n/dev/sda 2", "/dev/sda 1\n8:0 2", "/dev/sda 1\n/dev/null 1",
		"/dev/sda 1\nvda 2", "/dev/sda 1\n/dev/vda",
	};
	static const char *const erange[] = {
		"/dev/sda 0", "/dev/sda 0.0001", "/dev/sda 0.5K", "/dev/sda 99999999999999999999",
		"/dev/sda 9999999999T", "/dev/sda 1\n/dev/vda 0",
	};
	static const char *const iops_bad[] = { "/dev/sda 1.5", "/dev/sda 1K5", "/dev/sda maxk",
		                                "/dev/sda k", "/dev/sda 1KB", "/dev/sda +1" };
	static const char *const iops_range[] = { "/dev/sda 0", "/dev/sda 4294967295",
		                                  "/dev/sda 5G", "/dev/sda 0k",
		                                  "/dev/sda 99999999999999999999" };
	char many[KNOB_VALUE_MAX] = "";
	size_t i;

	(void)state;
	for (int v = 1; v <= 2; v++) {
		if (v == 1)
			fake_v1();
		else
			fake_v2();
		for (i = 0; i < sizeof(einval) / sizeof(einval[0]); i++)
			if (dev_set("io_read_mbps", einval[i]) != -EINVAL || F.n_writes)
				fail_msg("v%d: \"%s\" not EINVAL", v, einval[i]);
		for (i = 0; i < sizeof(erange) / sizeof(erange[0]); i++)
			if (dev_set("io_write_mbps", erange[i]) != -ERANGE || F.n_writes)
				fail_msg("v%d: \"%s\" not ERANGE", v, erange[i]);
		for (i = 0; i < sizeof(iops_bad) / sizeof(iops_bad[0]); i++)
			if (dev_set("io_read_iops", iops_bad[i]) != -EINVAL || F.n_writes)
				fail_msg("v%d: iops \"%s\" not EINVAL", v, iops_bad[i]);
		for (i = 0; i < sizeof(iops_range) / sizeof(iops_range[0]); i++)
			if (dev_set("io_write_iops", iops_range[i]) != -ERANGE || F.n_writes)
				fail_msg("v%d: iops \"%s\" not ERANGE", v, iops_range[i]);
		assert_int_equal(dev_set("io_read_mbps", "/dev/nosuch 1"), -ENOENT);
		assert_int_equal(F.n_writes, 0);
	}
	/* 65 lines: more than a write may hold */
	for (i = 0; i < 65; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%zu:0 1\n", i);
	assert_int_equal(knob("io_read_mbps")->check(many), -EINVAL);
	/* the form alone: what check() sees */
	assert_int_equal(knob("io_read_mbps")->check("/dev/anything 1\n8:0 max"), 0);
	assert_int_equal(knob("io_read_mbps")->check("/dev/anything"), -EINVAL);
	assert_int_equal(knob("io_read_mbps")->check("/dev/ 1"), -EINVAL);
	assert_int_equal(knob("io_read_iops")->check("8:0 1.5"), -EINVAL);
	assert_int_equal(knob("io_write_iops")->check("8:0 0"), -ERANGE);
}

/* The kernel refuses a later line: the earlier ones get their old limits
 * back (or none, as they had), and its errno passes up. */
static void test_io_limits_rollback(void **state)
{
	(void)state;
	fake_v1();
	put(CTRL_IO, "blkio.throttle.write_bps_device", "8:0 1048576\n");
	F.fail_at = 3;
	F.fail_err = -ENODEV;
	assert_int_equal(dev_set("io_write_mbps", "/dev/sda 5\n/dev/vda 3\n253:0 1"), -ENODEV);
	assert_int_equal(F.n_writes, 5);
	expect_write(0, CTRL_IO, "blkio.throttle.write_bps_device", "8:0 5242880");
	expect_write(1, CTRL_IO, "blkio.throttle.write_bps_device", "254:0 3145728");
	expect_write(2, CTRL_IO, "blkio.throttle.write_bps_device", "253:0 1048576");
	expect_write(3, CTRL_IO, "blkio.throttle.write_bps_device", "254:0 0");
	expect_write(4, CTRL_IO, "blkio.throttle.write_bps_device", "8:0 1048576");
	assert_string_equal(content(CTRL_IO, "blkio.throttle.write_bps_device"), "8:0 1048576\n");

	fake_v2();
	put(CTRL_IO, "io.max", "8:0 rbps=7 wbps=1048576 riops=max wiops=max\n");
	F.fail_at = 2;
	F.fail_err = -ENOMEM;
	assert_int_equal(dev_set("io_write_mbps", "/dev/sda max\n/dev/vda 3"), -ENOMEM);
	assert_int_equal(F.n_writes, 3);
	expect_write(2, CTRL_IO, "io.max", "8:0 wbps=1048576");
	assert_string_equal(content(CTRL_IO, "io.max"),
	                    "8:0 rbps=7 wbps=1048576 riops=max wiops=max\n");
	/* the first line refused: nothing to put back */
	F.fail_at = 1;
	assert_int_equal(dev_set("io_write_mbps", "/dev/vda 3"), -ENOMEM);
	assert_int_equal(F.n_writes, 1);
}

/* ---- the table ---- */

static void test_table(void **state)
{
	static const char *const order[] = {
		"memory_limit_mb", "memory_high_mb", "memory_swap_limit_mb", "memory_usage_mb",
		"memory_peak_mb",  "cpu_percent",    "cpu_weight",           "cpus",
		"pids_max",        "pids_current",   "io_weight",            "freeze",
		"kill",            "procs",          "stat",                 "meminfo",
		"memory_low_mb",   "memory_min_mb",  "memory_zswap_limit_mb", "cpu_period_us",
		"cpu_burst_percent", "mems",           "pressure",
		"autoremove",      "io_read_mbps",   "io_write_mbps",        "io_read_iops",
		"io_write_iops",   "events",         "devices_deny",
	};
	size_t i;

	(void)state;
	assert_int_equal(knob_count, sizeof(order) / sizeof(order[0]));
	assert_true(knob_count < KNOB_TABLE_MAX);
	for (i = 0; i < knob_count; i++) {
		const struct knob *k = &knob_table[i];

		assert_string_equal(k->name, order[i]);
		assert_ptr_equal(knob_find(order[i]), k);
		/* writable value knobs can be set and checked; read-only cannot */
		if (k->kind == KNOB_VALUE) {
			assert_true((k->mode & 0200) ? k->set && k->check : !k->set && !k->check);
			assert_non_null(k->get);
		} else {
			assert_null(k->get);
			assert_null(k->set);
			assert_non_null(k->check);
		}
		assert_true(!k->cap || (k->kind == KNOB_VALUE && k->set));
	}
	assert_null(knob_find("nope"));
	assert_null(knob_find(""));
	assert_int_equal(knob("kill")->mode, 0200);
	assert_int_equal(knob("stat")->mode, 0444);
	assert_int_equal(knob("freeze")->kind, KNOB_FREEZE);
	assert_int_equal(knob("kill")->kind, KNOB_KILL);
	assert_int_equal(knob("procs")->kind, KNOB_PROCS);
	assert_int_equal(knob("autoremove")->kind, KNOB_AUTOREMOVE);
	assert_int_equal(knob("autoremove")->mode, 0644);
	assert_true(knob("memory_limit_mb")->cap);
	assert_false(knob("pids_current")->cap);
	/* only the knobs v1 has no equivalent for lack a v1 file; only
	 * autoremove, a mark, and devices_deny, a program, have no kernel
	 * file at all */
	for (i = 0; i < knob_count; i++)
		assert_true(knob_table[i].v2_file != NULL || knob_table[i].kind == KNOB_AUTOREMOVE ||
		            &knob_table[i] == knob("devices_deny"));
	assert_null(knob("autoremove")->v1_file);
	assert_null(knob("memory_low_mb")->v1_file);
	assert_null(knob("memory_min_mb")->v1_file);
	assert_null(knob("memory_zswap_limit_mb")->v1_file);
}

/* ---- written values ---- */

static int trim(const char *in, size_t len, char *out, size_t outsz)
{
	memset(out, 'x', outsz);
	return knob_trim(in, len, out, outsz);
}

static void test_trim(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(trim("512\n", 4, out, sizeof(out)), 3);
	assert_string_equal(out, "512");
	assert_int_equal(trim(" \t512 \n\n", 8, out, sizeof(out)), 3);
	assert_string_equal(out, "512");
	/* len, not the NUL, ends the input */
	assert_int_equal(trim("12345", 2, out, sizeof(out)), 2);
	assert_string_equal(out, "12");
	assert_int_equal(trim("", 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(trim(" \n\t", 3, out, sizeof(out)), -EINVAL);
	assert_int_equal(trim("1 2\n", 4, out, sizeof(out)), -EINVAL);
	assert_int_equal(trim("1\t2", 3, out, sizeof(out)), -EINVAL);
	assert_int_equal(trim("1\n2\n", 4, out, sizeof(out)), -EINVAL);
	assert_int_equal(trim("1\r\n", 3, out, sizeof(out)), -EINVAL);
	assert_int_equal(trim("12\0", 3, out, sizeof(out)), -EINVAL);
	assert_int_equal(trim("1\0002", 3, out, sizeof(out)), -EINVAL);
	/* fits exactly, or not at all */
	assert_int_equal(trim("123456789012345", 15, out, sizeof(out)), 15);
	assert_int_equal(trim("1234567890123456", 16, out, sizeof(out)), -EINVAL);
	assert_int_equal(trim("  1234567890123456  ", 20, out, sizeof(out)), -EINVAL);
}

static void test_trim_lines(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(knob_trim_lines("\n 8:0 1\n8:1\t2 \n\n", 16, out, sizeof(out)), 11);
	assert_string_equal(out, "8:0 1\n8:1\t2");
	assert_int_equal(knob_trim_lines("", 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(knob_trim_lines(" \n\t", 3, out, sizeof(out)), -EINVAL);
	assert_int_equal(knob_trim_lines("8:0 1\r\n", 7, out, sizeof(out)), -EINVAL);
	assert_int_equal(knob_trim_lines("8:0\v1", 5, out, sizeof(out)), -EINVAL);
	assert_int_equal(knob_trim_lines("8:0\f1", 5, out, sizeof(out)), -EINVAL);
	assert_int_equal(knob_trim_lines("8:0 1\0", 6, out, sizeof(out)), -EINVAL);
	assert_int_equal(knob_trim_lines("123456789012345", 15, out, sizeof(out)), 15);
	assert_int_equal(knob_trim_lines("1234567890123456", 16, out, sizeof(out)), -EINVAL);
}

static void test_parse_pid(void **state)
{
	static const char *const bad[] = { "0", "-1", "+1", "2147483648", "abc", "", "1 2",
		                           "1.0", "99999999999999999999999", "0x10" };
	size_t i;
	int pid = 42;

	(void)state;
	assert_int_equal(knob_parse_pid("1", &pid), 0);
	assert_int_equal(pid, 1);
	assert_int_equal(knob_parse_pid("2147483647", &pid), 0);
	assert_int_equal(pid, 2147483647);
	pid = 42;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (knob_parse_pid(bad[i], &pid) != -EINVAL || pid != 42)
			fail_msg("pid \"%s\" accepted", bad[i]);
	assert_int_equal(knob("procs")->check("123"), 0);
	assert_int_equal(knob("procs")->check("0"), -EINVAL);
}

static void test_parse_freeze_kill(void **state)
{
	int on = 42;

	(void)state;
	assert_int_equal(knob_parse_freeze("0", &on), 0);
	assert_int_equal(on, 0);
	assert_int_equal(knob_parse_freeze("1", &on), 0);
	assert_int_equal(on, 1);
	on = 42;
	assert_int_equal(knob_parse_freeze("2", &on), -ERANGE);
	assert_int_equal(knob_parse_freeze("10", &on), -ERANGE);
	assert_int_equal(knob_parse_freeze("x", &on), -EINVAL);
	assert_int_equal(knob_parse_freeze("-1", &on), -EINVAL);
	assert_int_equal(knob_parse_freeze("", &on), -EINVAL);
	assert_int_equal(knob_parse_freeze("FROZEN", &on), -EINVAL);
	assert_int_equal(on, 42);
	assert_int_equal(knob("freeze")->check("1"), 0);
	assert_int_equal(knob("freeze")->check("2"), -ERANGE);

	assert_int_equal(knob_parse_kill("1"), 0);
	assert_int_equal(knob_parse_kill("0"), -ERANGE);
	assert_int_equal(knob_parse_kill("2"), -ERANGE);
	assert_int_equal(knob_parse_kill("x"), -EINVAL);
	assert_int_equal(knob_parse_kill("-1"), -EINVAL);
	assert_int_equal(knob_parse_kill(""), -EINVAL);
	assert_int_equal(knob("kill")->check("1"), 0);
}

/* A switch: only 0 and 1, everything else EINVAL (nothing is a number
 * out of range). */
static void test_parse_autoremove(void **state)
{
	static const char *const bad[] = { "2", "-1", "01", "1.0", "+1", "yes", "on", "", "0x1",
	                                   "10", "1 ", "max" };
	size_t i;
	int on = 42;

	(void)state;
	assert_int_equal(knob_parse_autoremove("0", &on), 0);
	assert_int_equal(on, 0);
	assert_int_equal(knob_parse_autoremove("1", &on), 0);
	assert_int_equal(on, 1);
	on = 42;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (knob_parse_autoremove(bad[i], &on) != -EINVAL)
			fail_msg("autoremove \"%s\" not EINVAL", bad[i]);
	assert_int_equal(on, 42);
	assert_int_equal(knob("autoremove")->check("1"), 0);
	assert_int_equal(knob("autoremove")->check("2"), -EINVAL);
}

/* Every writable value knob refuses junk on both versions without a write. */
static void test_bad_values(void **state)
{
	static const char *const junk[] = { "", "abc", "-5", "1e99", "1 2", "0x10", "+1",
		                            "max max" };
	static const char *const sizes[] = { "memory_limit_mb", "memory_high_mb",
		                             "memory_swap_limit_mb", "memory_low_mb",
		                             "memory_min_mb", "memory_zswap_limit_mb" };
	size_t i, j;

	(void)state;
	for (int v = 1; v <= 2; v++) {
		for (i = 0; i < knob_count; i++) {
			const struct knob *k = &knob_table[i];

			if (!k->set)
				continue;
			for (j = 0; j < sizeof(junk) / sizeof(junk[0]); j++) {
				if (k->may_clear && !*junk[j])
					continue; /* a value: none */
				v == 1 ? fake_v1() : fake_v2();
				set_bad(k->name, junk[j], -EINVAL);
				assert_int_equal(k->check(junk[j]), -EINVAL);
			}
		}
		for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			v == 1 ? fake_v1() : fake_v2();
			set_bad(sizes[j], "512MB", -EINVAL);
			set_bad(sizes[j], "1.", -EINVAL);
			set_bad(sizes[j], "99999999999T", -ERANGE);
			assert_int_equal(knob(sizes[j])->check("99999999999T"), -ERANGE);
			assert_int_equal(knob(sizes[j])->check("1.5G"), 0);
		}
	}
}

/* ---- devices_deny ---- */

static void test_devices_deny(void **state)
{
	(void)state;
	fake_v2();
	expect_get("devices_deny", "");
	assert_true(avail("devices_deny"));
	assert_int_equal(set("devices_deny", "c 1:5 r"), 0);
	assert_int_equal(F.n_writes, 1);
	expect_get("devices_deny", "c 1:5 r\n");
	/* a path is resolved; the list reads back in numbers, canonical */
	assert_int_equal(set("devices_deny", "/dev/null wr\nb *:* m"), 0);
	expect_get("devices_deny", "c 1:3 rw\nb *:* m\n");
	/* an empty value clears: one write of no rules */
	assert_int_equal(set("devices_deny", ""), 0);
	assert_int_equal(F.n_writes, 1);
	assert_int_equal(F.n_dev, 0);
	expect_get("devices_deny", "");
	/* refused before any write: the form, then the devices */
	set_bad("devices_deny", "c 1:3 q", -EINVAL);
	set_bad("devices_deny", "c 5000:3 r", -ERANGE);
	set_bad("devices_deny", "/dev/shm r", -EINVAL);
	set_bad("devices_deny", "/dev/nothing r", -ENOENT);
	set_bad("devices_deny", "/dev/null r\nc 1:3 w", -EINVAL);
	assert_int_equal(knob("devices_deny")->check("/dev/anything rw"), 0);
	assert_int_equal(knob("devices_deny")->check("c 1:3 rr"), -EINVAL);
	/* the kernel's refusal passes up, and the list stays */
	assert_int_equal(set("devices_deny", "c 1:5 r"), 0);
	F.fail_at = 1;
	F.fail_err = -EOPNOTSUPP;
	assert_int_equal(set("devices_deny", "c 1:7 r"), -EOPNOTSUPP);
	expect_get("devices_deny", "c 1:5 r\n");
	/* without cgroup2: no list at all */
	fake_v1();
	assert_false(avail("devices_deny"));
	assert_int_equal(set("devices_deny", "c 1:5 r"), -ENOENT);
}

/* A controller nobody serves: no write, an error. */
static void test_unserved(void **state)
{
	size_t i;

	(void)state;
	versions(0);
	for (i = 0; i < knob_count; i++) {
		const struct knob *k = &knob_table[i];
		char buf[64];

		if (k->set)
			assert_int_equal(set(k->name, k->ctrl == CTRL_CPUSET ? "0"
			                              : k == knob("cpu_period_us") ? "100000"
			                              : k == knob("devices_deny") ? "c 1:3 r"
			                              : k->lines ? "8:0 1" : "1"),
			                 -ENOENT);
		assert_int_equal(F.n_writes, 0);
		if (k->get && k != knob("stat") && k != knob("events"))
			assert_int_equal(k->get(k, &IO, buf, sizeof(buf)), -ENOENT);
	}
	expect_stat("");
	expect_get("events", "");
}

/* Kernel errors pass through unchanged. */
static void test_kernel_errors(void **state)
{
	(void)state;
	fake_v1();
	fail_writes(CTRL_CPU, "cpu.cfs_quota_us", -EINVAL); /* above the parent's ratio */
	assert_int_equal(set("cpu_percent", "50"), -EINVAL);
	fail_writes(CTRL_MEMORY, "memory.limit_in_bytes", -EBUSY); /* below usage */
	assert_int_equal(set("memory_limit_mb", "1"), -EBUSY);
	fake_v2();
	fail_writes(CTRL_IO, "io.bfq.weight", -ERANGE);
	assert_int_equal(set("io_weight", "100"), -ERANGE);
	put(CTRL_CPU, "cpu.max", "garbage\n");
	assert_int_equal(set("cpu_percent", "50"), -EIO);
	assert_int_equal(F.n_writes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_limit_v1),
		cmocka_unit_test(test_memory_limit_v2),
		cmocka_unit_test(test_memsw_raise),
		cmocka_unit_test(test_memsw_lower),
		cmocka_unit_test(test_memsw_to_max),
		cmocka_unit_test(test_memsw_rollback),
		cmocka_unit_test(test_swap_v1),
		cmocka_unit_test(test_swap_v2),
		cmocka_unit_test(test_memory_high),
		cmocka_unit_test(test_memory_usage),
		cmocka_unit_test(test_memory_protection),
		cmocka_unit_test(test_memory_protection_absent),
		cmocka_unit_test(test_cpu_percent_v1),
		cmocka_unit_test(test_cpu_percent_v2),
		cmocka_unit_test(test_cpu_percent_bad),
		cmocka_unit_test(test_cpu_period_v1),
		cmocka_unit_test(test_cpu_period_rollback),
		cmocka_unit_test(test_cpu_period_v2),
		cmocka_unit_test(test_cpu_burst),
		cmocka_unit_test(test_cpu_weight),
		cmocka_unit_test(test_weights_bad),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_mems),
		cmocka_unit_test(test_pids),
		cmocka_unit_test(test_io_weight_v1),
		cmocka_unit_test(test_io_weight_v2),
		cmocka_unit_test(test_io_limits_v1),
		cmocka_unit_test(test_io_limits_v2),
		cmocka_unit_test(test_io_limits_bad),
		cmocka_unit_test(test_io_limits_kernel_text),
		cmocka_unit_test(test_io_limits_rollback),
		cmocka_unit_test(test_stat_v1),
		cmocka_unit_test(test_stat_v1_below),
		cmocka_unit_test(test_stat_v2),
		cmocka_unit_test(test_stat_hybrid),
		cmocka_unit_test(test_stat_errors),
		cmocka_unit_test(test_stat_pressure),
		cmocka_unit_test(test_events_v1),
		cmocka_unit_test(test_events_v2),
		cmocka_unit_test(test_events_hybrid),
		cmocka_unit_test(test_pressure_v2),
		cmocka_unit_test(test_pressure_v1_hybrid),
		cmocka_unit_test(test_pressure_malformed),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_available),
		cmocka_unit_test(test_kinds_v1),
		cmocka_unit_test(test_kinds_v2),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_trim_lines),
		cmocka_unit_test(test_parse_pid),
		cmocka_unit_test(test_parse_freeze_kill),
		cmocka_unit_test(test_parse_autoremove),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_unserved),
		cmocka_unit_test(test_kernel_errors),
		cmocka_unit_test(test_devices_deny),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
