// SPDX-License-Identifier: MIT
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgfs/policy.h"

static void test_group_names(void **state)
{
	static const char *const good[] = { "web", "a", "A9", "db_1", "x@y", "a+b", "a-b",
		"0", "1234567890123456789012345678901234567890123456789012345678901234" };
	static const char *const bad[] = { "", ".self", ".hidden", "-x", "_x", "@x",
		"a b", "a/b", "a.b", "..", ".", "caf\xc3\xa9", "a\tb",
		"12345678901234567890123456789012345678901234567890123456789012345" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_int_equal(policy_group_name(good[i]), 0);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(policy_group_name(bad[i]), -EINVAL);
	for (i = 0; i < knob_count; i++)
		assert_int_equal(policy_group_name(knob_table[i].name), -EEXIST);
	assert_int_equal(policy_group_name("raw"), -EEXIST);
}

static void test_user(void **state)
{
	uid_t uid = 99;
	gid_t gid = 99;

	struct passwd *pw;

	/* Root and the overflow uid own no tree, whatever their names. */
	assert_int_equal(policy_user("root", &uid, &gid), -EPERM);
	assert_int_equal(uid, 99);
	pw = getpwuid(65534);
	if (pw)
		assert_int_equal(policy_user(pw->pw_name, &uid, &gid), -EPERM);
	assert_false(policy_tree_uid(0));
	assert_false(policy_tree_uid(65534));
	assert_false(policy_tree_uid((uid_t)-1));
	assert_true(policy_tree_uid(1));
	assert_true(policy_tree_uid(1000));
	/* Any other user does. */
	pw = getpwuid(1);
	if (!pw)
		pw = getpwuid(2);
	assert_non_null(pw);
	assert_int_equal(policy_user(pw->pw_name, &uid, &gid), 0);
	assert_int_equal(uid, pw->pw_uid);
	uid = 7;
	assert_int_equal(policy_user("no-such-user-cgfs", &uid, &gid), -EINVAL);
	assert_int_equal(uid, 7);
	assert_int_equal(policy_user("../etc", &uid, &gid), -EINVAL);
	assert_int_equal(policy_user("", &uid, &gid), -EINVAL);
}

static void test_in_group(void **state)
{
	struct passwd *pw = getpwnam("root");

	(void)state;
	assert_non_null(pw);
	/* Primary group, by name. */
	assert_int_equal(policy_user_in_group("root", pw->pw_gid, getgrgid(pw->pw_gid)->gr_name),
	                 1);
	/* No such group: nobody is a member. */
	assert_int_equal(policy_user_in_group("root", pw->pw_gid, "no-such-group-cgfs"), 0);
}

static void test_owners(void **state)
{
	const struct knob *mem = knob_find("memory_limit_mb");
	const struct knob *procs = knob_find("procs");
	const struct knob *freeze = knob_find("freeze");

	assert_non_null(mem);
	assert_non_null(procs);
	assert_non_null(freeze);
	/* Caps at a tree root are the admin's; everything else the owner's. */
	assert_int_equal(policy_knob_owner(mem, 1, 1000), 0);
	assert_int_equal(policy_knob_owner(mem, 2, 1000), 1000);
	assert_int_equal(policy_knob_owner(procs, 1, 1000), 1000);
	assert_int_equal(policy_knob_owner(freeze, 1, 1000), 1000);
	assert_true(policy_may_write(0, mem, 1, 1000));
	assert_false(policy_may_write(1000, mem, 1, 1000));
	assert_true(policy_may_write(1000, mem, 2, 1000));
	assert_false(policy_may_write(1001, mem, 2, 1000));
	assert_true(policy_may_write(1000, procs, 1, 1000));
}

struct raw_case {
	const char *name;
	mode_t kernel_mode;
	enum raw_access want;
};

static void check_raw(const struct raw_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		enum raw_access got = policy_raw_access(c[i].name, c[i].kernel_mode);

		if (got != c[i].want)
			fail_msg("%s (0%o): got %d, want %d", c[i].name, (unsigned)c[i].kernel_mode,
			         (int)got, (int)c[i].want);
	}
}

static void test_raw_writable(void **state)
{
	/* Resource files the kernel lets be written, v1 and v2. */
	static const struct raw_case c[] = {
		{ "memory.limit_in_bytes", 0644, RAW_WRITABLE },
		{ "memory.soft_limit_in_bytes", 0644, RAW_WRITABLE },
		{ "memory.memsw.limit_in_bytes", 0644, RAW_WRITABLE },
		{ "memory.oom_control", 0644, RAW_WRITABLE },
		{ "memory.max", 0644, RAW_WRITABLE },
		{ "memory.high", 0644, RAW_WRITABLE },
		{ "memory.swap.max", 0644, RAW_WRITABLE },
		{ "cpu.shares", 0644, RAW_WRITABLE },
		{ "cpu.cfs_quota_us", 0644, RAW_WRITABLE },
		{ "cpu.cfs_period_us", 0644, RAW_WRITABLE },
		{ "cpu.max", 0644, RAW_WRITABLE },
		{ "cpu.weight", 0644, RAW_WRITABLE },
		{ "cpu.idle", 0644, RAW_WRITABLE },
		{ "cpuset.cpus", 0644, RAW_WRITABLE },
		{ "cpuset.mems", 0644, RAW_WRITABLE },
		{ "cpuset.mems", 0644, RAW_WRITABLE },
		{ "io.max", 0644, RAW_WRITABLE },
		{ "io.weight", 0644, RAW_WRITABLE },
		{ "blkio.weight", 0644, RAW_WRITABLE },
		{ "blkio.throttle.read_bps_device", 0644, RAW_WRITABLE },
		{ "pids.max", 0644, RAW_WRITABLE },
		{ "hugetlb.2MB.limit_in_bytes", 0644, RAW_WRITABLE },
		{ "hugetlb.1GB.max", 0644, RAW_WRITABLE },
	};

	check_raw(c, sizeof(c) / sizeof(*c));
}

static void test_raw_readonly(void **state)
{
	static const struct raw_case c[] = {
		/* The kernel's own read-only files stay read-only. */
		{ "memory.stat", 0444, RAW_READONLY },
		{ "memory.usage_in_bytes", 0444, RAW_READONLY },
		{ "memory.current", 0444, RAW_READONLY },
		{ "cpu.stat", 0444, RAW_READONLY },
		{ "pids.current", 0444, RAW_READONLY },
		{ "cpuset.effective_cpus", 0444, RAW_READONLY },
		/* Core files: membership, structure, delegation. */
		{ "cgroup.procs", 0644, RAW_READONLY },
		{ "cgroup.threads", 0644, RAW_READONLY },
		{ "tasks", 0644, RAW_READONLY },
		{ "cgroup.subtree_control", 0644, RAW_READONLY },
		{ "cgroup.type", 0644, RAW_READONLY },
		{ "cgroup.max.depth", 0644, RAW_READONLY },
		{ "cgroup.max.descendants", 0644, RAW_READONLY },
		{ "cgroup.freeze", 0644, RAW_READONLY },
		{ "cgroup.events", 0444, RAW_READONLY },
		{ "cgroup.controllers", 0444, RAW_READONLY },
		{ "cgroup.stat", 0444, RAW_READONLY },
		{ "cgroup.pressure", 0644, RAW_READONLY },
		{ "cgroup.clone_children", 0644, RAW_READONLY },
		{ "notify_on_release", 0644, RAW_READONLY },
		/* Effects outside the subtree: exclusivity, partitions, the
		 * machine's scheduler domains, hierarchy semantics, RT I/O. */
		{ "cpuset.cpu_exclusive", 0644, RAW_READONLY },
		{ "cpuset.mem_exclusive", 0644, RAW_READONLY },
		{ "cpuset.sched_load_balance", 0644, RAW_READONLY },
		{ "cpuset.sched_relax_domain_level", 0644, RAW_READONLY },
		{ "cpuset.memory_pressure_enabled", 0644, RAW_READONLY },
		{ "cpuset.cpus.partition", 0644, RAW_READONLY },
		{ "cpuset.cpus.exclusive", 0644, RAW_READONLY },
		{ "memory.use_hierarchy", 0644, RAW_READONLY },
		{ "io.prio.class", 0644, RAW_READONLY },
		{ "blkio.prio.class", 0644, RAW_READONLY },
		/* Real-time bandwidth and PSI triggers. */
		{ "cpu.rt_runtime_us", 0644, RAW_READONLY },
		{ "cpu.rt_period_us", 0644, RAW_READONLY },
		{ "cpu.pressure", 0644, RAW_READONLY },
		{ "memory.pressure", 0644, RAW_READONLY },
		{ "io.pressure", 0644, RAW_READONLY },
		/* Controllers outside the allowlist. */
		{ "freezer.state", 0644, RAW_READONLY },
		{ "cpuacct.usage", 0644, RAW_READONLY },
		{ "cpuacct.stat", 0444, RAW_READONLY },
		{ "rdma.max", 0644, RAW_READONLY },
		{ "misc.max", 0644, RAW_READONLY },
		{ "net_cls.classid", 0644, RAW_READONLY },
		/* A prefix is a whole controller name: "cpu." is not "cpux". */
		{ "cpux.max", 0644, RAW_READONLY },
		{ "memory", 0644, RAW_READONLY },
	};

	check_raw(c, sizeof(c) / sizeof(*c));
}

static void test_raw_hidden(void **state)
{
	static const struct raw_case c[] = {
		{ "release_agent", 0644, RAW_HIDDEN },
		{ "devices.allow", 0200, RAW_HIDDEN },
		{ "devices.deny", 0200, RAW_HIDDEN },
		{ "devices.list", 0444, RAW_HIDDEN },
		/* Actions: by name, and any write-only file by its mode. */
		{ "cgroup.kill", 0200, RAW_HIDDEN },
		{ "cgroup.kill", 0644, RAW_HIDDEN },
		{ "memory.force_empty", 0200, RAW_HIDDEN },
		{ "memory.force_empty", 0644, RAW_HIDDEN },
		{ "memory.reclaim", 0200, RAW_HIDDEN },
		{ "cgroup.event_control", 0200, RAW_HIDDEN },
		{ "blkio.reset_stats", 0200, RAW_HIDDEN },
		{ "pids.something_new", 0200, RAW_HIDDEN },
		/* Not names of interface files. */
		{ "", 0644, RAW_HIDDEN },
		{ ".self", 0644, RAW_HIDDEN },
		{ "..", 0644, RAW_HIDDEN },
		{ "a/memory.max", 0644, RAW_HIDDEN },
	};

	check_raw(c, sizeof(c) / sizeof(*c));
}

static void test_raw_owners(void **state)
{
	/* Writable files of a tree root are the admin's caps. */
	assert_int_equal(policy_raw_owner(RAW_WRITABLE, 1, 1000), 0);
	assert_int_equal(policy_raw_owner(RAW_READONLY, 1, 1000), 1000);
	assert_int_equal(policy_raw_owner(RAW_WRITABLE, 2, 1000), 1000);
	assert_int_equal(policy_raw_owner(RAW_READONLY, 3, 1000), 1000);
	assert_true(policy_may_write_raw(0, RAW_WRITABLE, 1, 1000));
	assert_false(policy_may_write_raw(1000, RAW_WRITABLE, 1, 1000));
	assert_true(policy_may_write_raw(1000, RAW_WRITABLE, 2, 1000));
	assert_false(policy_may_write_raw(1001, RAW_WRITABLE, 2, 1000));
	/* Read-only means read-only for root as well. */
	assert_false(policy_may_write_raw(0, RAW_READONLY, 2, 1000));
	assert_false(policy_may_write_raw(1000, RAW_READONLY, 2, 1000));
	assert_false(policy_may_write_raw(0, RAW_HIDDEN, 2, 1000));
}

static void test_status_uid(void **state)
{
	uid_t uid = 5;

	assert_int_equal(policy_parse_status_uid("Name:\tsleep\nUid:\t1000\t0\t0\t0\nGid:\t1\n", &uid), 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(policy_parse_status_uid("Name:\tx\nUid: 0 0 0 0\n", &uid), 0);
	assert_int_equal(uid, 0);
	uid = 5;
	assert_int_equal(policy_parse_status_uid("Name:\tx\n", &uid), -EINVAL);
	assert_int_equal(policy_parse_status_uid("Name:\tx\nUid:\tabc\n", &uid), -EINVAL);
	assert_int_equal(policy_parse_status_uid("Name:\tx\nUid:\t-1\t0\n", &uid), -EINVAL);
	assert_int_equal(uid, 5);
}

static void test_admit_patterns(void **state)
{
	const char *def = POLICY_ADMIT_DEFAULT;

	/* The default: the top, and a user's own slice, sessions, manager. */
	assert_true(policy_admitted(def, "/", 1000));
	assert_true(policy_admitted(def, "/user.slice", 1000));
	assert_true(policy_admitted(def, "/user.slice/user-1000.slice", 1000));
	assert_true(policy_admitted(def, "/user.slice/user-1000.slice/session-3.scope", 1000));
	assert_true(policy_admitted(def, "/user.slice/user-1000.slice/user@1000.service", 1000));
	assert_true(policy_admitted(def,
		"/user.slice/user-1000.slice/user@1000.service/app.slice/x.service", 1000));
	/* Not another user's, not below a session, not an administrator's jail. */
	assert_false(policy_admitted(def, "/user.slice/user-1001.slice", 1000));
	assert_false(policy_admitted(def, "/user.slice/user-1001.slice/session-3.scope", 1000));
	assert_false(policy_admitted(def, "/user.slice/user-1000.slice/session-3.scope/jail", 1000));
	assert_false(policy_admitted(def, "/user.slice/user-10000.slice", 1000));
	assert_false(policy_admitted(def, "/jail", 1000));
	assert_false(policy_admitted(def, "/system.slice/cgfs.service", 1000));
	assert_false(policy_admitted(def, "/process_api/abc", 1000));
	assert_false(policy_admitted(def, "", 1000));
	assert_false(policy_admitted(def, "relative", 1000));
	/* Globs stay within a component; "**" takes the rest; dots are literal. */
	assert_true(policy_admitted("/a/*", "/a/b", 0));
	assert_false(policy_admitted("/a/*", "/a/b/c", 0));
	assert_false(policy_admitted("/a/*", "/a", 0));
	assert_false(policy_admitted("/a/*", "/a/.self", 0));
	assert_true(policy_admitted("/a/**", "/a", 0));
	assert_true(policy_admitted("/a/**", "/a/b/c/d", 0));
	assert_false(policy_admitted("/a/**", "/ab", 0));
	assert_true(policy_admitted("/x /y/**", "/y/z", 0));
	assert_true(policy_admitted("  /x\t/y  ", "/y", 0));
	assert_true(policy_admitted("/**", "/anything/at/all", 0));
	assert_false(policy_admitted("none", "/", 0));
	assert_false(policy_admitted("", "/", 0));
	assert_true(policy_admitted("/u-%U-x", "/u-42-x", 42));
	assert_false(policy_admitted("/u-%U-x", "/u-43-x", 42));
}

static void test_admit_check(void **state)
{
	static const char *const good[] = { POLICY_ADMIT_DEFAULT, "/", "none", "/a/**",
		"/process_api/0123abcd", "/a/b-*.scope /c", "/[a-z]*/x?", "/**" };
	static const char *const bad[] = { "a", "/a **", "/a/**/b", "/a/***", "/a**",
		"/a/%u", "/a/%", "/a/./b", "/a/..", "/a\\b", "/caf\xc3\xa9", "/a\x01" };
	char big[POLICY_ADMIT_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_int_equal(policy_admit_check(good[i]), 0);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(policy_admit_check(bad[i]), -EINVAL);
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(policy_admit_check(big), -E2BIG);
}

static int admitted_yes(void *arg, pid_t pid)
{
	return 1;
}

static int admitted_no(void *arg, pid_t pid)
{
	return 0;
}

/* An unprivileged uid moving its own process, in a child that drops
 * to uid 65534: 0 if every answer is the expected one, else which. */
static int own_process_moves(void)
{
	uid_t me = getuid();
	int pidfd = -1;

	if (policy_may_move(me, getpid(), admitted_yes, NULL, &pidfd) != 0)
		return 1;
	policy_moved(pidfd);
	pidfd = -1;
	if (policy_may_move(me, getpid(), admitted_no, NULL, &pidfd) != -EPERM || pidfd != -1)
		return 2;
	if (policy_may_move(me, getpid(), NULL, NULL, &pidfd) != -EPERM)
		return 3;
	if (policy_may_move(me + 1, getpid(), admitted_yes, NULL, &pidfd) != -EPERM)
		return 4;
	return 0;
}

static void test_may_move(void **state)
{
	uid_t me = getuid();
	int pidfd = -1, status;
	pid_t child;

	/* Root may move anything; the pidfd comes back for the after-check. */
	if (me == 0) {
		assert_int_equal(policy_may_move(0, getpid(), admitted_no, NULL, &pidfd), 0);
		assert_true(pidfd >= 0);
		assert_int_equal(policy_moved(pidfd), 0);
	}
	/* Someone else's process: never, admitted or not. */
	pidfd = -1;
	assert_int_equal(policy_may_move(me + 1, getpid(), admitted_yes, NULL, &pidfd), -EPERM);
	assert_int_equal(pidfd, -1);
	assert_int_equal(policy_may_move(0, 4194304 + 1, NULL, NULL, &pidfd), -ESRCH);
	/* Its own process: only from where it may be left for the tree. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		if (me == 0 && setresuid(65534, 65534, 65534) < 0)
			_exit(10);
		_exit(own_process_moves());
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Trees are root's to make and remove; groups also their owner's. */
static void test_may_change_dir(void **state)
{
	(void)state;
	assert_int_equal(policy_may_change_dir(0, 0, 0), 0);
	assert_int_equal(policy_may_change_dir(1000, 0, 1000), -EACCES);
	assert_int_equal(policy_may_change_dir(1000, 0, 0), -EACCES);
	assert_int_equal(policy_may_change_dir(1000, 1, 1000), 0);
	assert_int_equal(policy_may_change_dir(1000, 3, 1000), 0);
	assert_int_equal(policy_may_change_dir(1001, 1, 1000), -EACCES);
	assert_int_equal(policy_may_change_dir(0, 2, 1000), 0);
}

/* A daemon without root: its own user has root's part in the mount
 * (trees, caps, admission), but moves only its own processes, and no
 * other user has a tree. */
static int admin_not_root(void)
{
	const struct knob *mem = knob_find("memory_limit_mb");
	uid_t me = getuid(), uid;
	gid_t gid;
	int pidfd = -1;
	struct passwd *pw;

	policy_set_admin(me, getgid());
	if (policy_admin() != me || policy_admin_gid() != getgid())
		return 1;
	if (policy_knob_owner(mem, 1, me) != me || !policy_may_write(me, mem, 1, me) ||
	    policy_may_write(0, mem, 1, me) || policy_may_write(me + 1, mem, 1, me))
		return 2;
	if (policy_raw_owner(RAW_WRITABLE, 1, me) != me ||
	    !policy_may_write_raw(me, RAW_WRITABLE, 1, me) ||
	    policy_may_write_raw(0, RAW_WRITABLE, 2, me) ||
	    policy_may_write_raw(me, RAW_READONLY, 1, me))
		return 3;
	if (policy_may_change_dir(me, 0, me) != 0 || policy_may_change_dir(0, 0, me) != -EACCES ||
	    policy_may_change_dir(me + 1, 0, me) != -EACCES)
		return 4;
	/* Its own process from anywhere (the kernel's delegation bounds it);
	 * never another's. */
	if (policy_may_move(me, getpid(), admitted_no, NULL, &pidfd) != 0)
		return 5;
	policy_moved(pidfd);
	if (policy_may_move(me, 1, admitted_yes, NULL, &pidfd) != -EPERM)
		return 6;
	/* Its own name is the only tree. */
	pw = getpwuid(me);
	if (!pw || policy_user(pw->pw_name, &uid, &gid) != 0 || uid != me)
		return 7;
	pw = getpwuid(me == 1 ? 2 : 1);
	if (!pw || policy_user(pw->pw_name, &uid, &gid) != -EPERM)
		return 8;
	return 0;
}

static void test_admin_not_root(void **state)
{
	int status;
	pid_t child;

	(void)state;
	/* Root by default. */
	assert_int_equal(policy_admin(), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* As root, become uid 1 (a user that may own a tree). */
		if (getuid() == 0 && (setresgid(1, 1, 1) < 0 || setresuid(1, 1, 1) < 0))
			_exit(10);
		_exit(admin_not_root());
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_names),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_in_group),
		cmocka_unit_test(test_owners),
		cmocka_unit_test(test_raw_writable),
		cmocka_unit_test(test_raw_readonly),
		cmocka_unit_test(test_raw_hidden),
		cmocka_unit_test(test_raw_owners),
		cmocka_unit_test(test_status_uid),
		cmocka_unit_test(test_may_move),
		cmocka_unit_test(test_admit_patterns),
		cmocka_unit_test(test_admit_check),
		cmocka_unit_test(test_may_change_dir),
		cmocka_unit_test(test_admin_not_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
