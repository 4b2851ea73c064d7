// SPDX-License-Identifier: MIT
/*
 * FUSE requests per operation (case 7), counted from the -d output of a
 * second cgfs and nullfs started after the timed cases.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

#define TRACE_ROWS 8
#define MAX_OPCODES 16          /* kinds of request counted per operation */
#define SETTLE_POLL_MS 20
#define SETTLE_QUIET_POLLS 5    /* a log quiet for 100 ms has settled, */
#define SETTLE_MAX_POLLS 250    /* or after 5 s anyway */
#define TRACE_GROUPS_MAX 1000   /* for the readdir: at most BENCH_GROUPS */

struct trace_row {
	char what[48];
	char cgfs[160];
	char null[160];
};

static struct trace_row trace_rows[TRACE_ROWS];
static size_t ntrace;

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Waits until the log has not grown for a while (RELEASE and FORGET
 * arrive after the system call has returned). */
static off_t settle(const char *log)
{
	off_t last = file_size(log), now;
	int quiet = 0, i;

	for (i = 0; i < SETTLE_MAX_POLLS && quiet < SETTLE_QUIET_POLLS; i++) {
		sleep_ms(SETTLE_POLL_MS);
		now = file_size(log);
		quiet = now == last ? quiet + 1 : 0;
		last = now;
	}
	return last;
}

/* "OPEN 1, READ 2, RELEASE 1 = 4" for the log's lines after offset. */
static void count_requests(const char *log, off_t from, char *out, size_t size)
{
	char names[MAX_OPCODES][24], line[1024];
	int counts[MAX_OPCODES] = { 0 }, total = 0;
	size_t n = 0, i, len = 0;
	FILE *f = fopen(log, "re");

	out[0] = '\0';
	if (!f || fseeko(f, from, SEEK_SET) < 0) {
		if (f)
			fclose(f);
		snprintf(out, size, "(no log)");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *op = strstr(line, "opcode: "), *end;

		if (!op)
			continue;
		op += strlen("opcode: ");
		end = strchr(op, ' ');
		if (!end)
			continue;
		*end = '\0';
		for (i = 0; i < n && strcmp(names[i], op) != 0; i++)
			;
		if (i == n && n < MAX_OPCODES)
			snprintf(names[n++], sizeof(names[0]), "%s", op);
		if (i < n)
			counts[i]++;
		total++;
	}
	fclose(f);
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s %d", i ? ", " : "", names[i],
		                        counts[i]);
	if (len < size)
		snprintf(out + len, size - len, "%s= %d", n ? " " : "", total);
}

/* Runs op once to warm up, then once more, counting that one's requests. */
static void trace_one(int (*op)(void *), void *arg, const char *log, char *out, size_t size)
{
	off_t from;
	int r;

	if (!op) {
		snprintf(out, size, "-");
		return;
	}
	op(arg);
	from = settle(log);
	r = op(arg);
	settle(log);
	if (r < 0)
		snprintf(out, size, "failed: %s", strerror(-r));
	else
		count_requests(log, from, out, size);
}

static void trace_op(const char *what, int (*cop)(void *), void *carg,
                     int (*nop)(void *), void *narg)
{
	struct trace_row *t;

	if (ntrace >= TRACE_ROWS)
		return;
	t = &trace_rows[ntrace++];
	snprintf(t->what, sizeof(t->what), "%s", what);
	trace_one(cop, carg, B.tlog_cgfs, t->cgfs, sizeof(t->cgfs));
	trace_one(nop, narg, B.tlog_null, t->null, sizeof(t->null));
}

/* readdir of up to TRACE_GROUPS_MAX groups, made for it and then removed. */
static void trace_readdir(void)
{
	char p[PATH_MAX], many[PATH_MAX], what[48];
	struct listing l;
	int i, n = B.groups < TRACE_GROUPS_MAX ? B.groups : TRACE_GROUPS_MAX;

	path_of(many, sizeof(many), "%s/%s/many", B.mnt_tcgfs, TREE);
	if (mkdir(many, 0755) < 0)
		return;
	for (i = 0; i < n; i++) {
		path_of(p, sizeof(p), "%s/g%05d", many, i);
		if (mkdir(p, 0755) < 0)
			break;
	}
	path_of(l.path, sizeof(l.path), "%s", many);
	snprintf(what, sizeof(what), "readdir of %d groups", i);
	trace_op(what, op_list, &l, NULL, NULL);
	rmdir(many);
}

/* Every traced operation, on servers that are up, in the order listed. */
static void trace_all(void)
{
	struct file_op cr = { .text = NULL }, nr = { .text = NULL };
	struct file_op cw = { .text = KNOB_MB "\n" }, nw = { .text = KNOB_MB "\n" };
	struct file_op cm = { .text = NULL };
	struct lc_cgfs lc, nlc;
	char p[PATH_MAX];

	path_of(p, sizeof(p), "%s/%s", B.mnt_tcgfs, TREE);
	mkdir(p, 0755);
	path_of(p, sizeof(p), "%s/%s/k", B.mnt_tcgfs, TREE);
	mkdir(p, 0755);
	path_of(cr.path, sizeof(cr.path), "%s/%s/k/" KNOB, B.mnt_tcgfs, TREE);
	path_of(cw.path, sizeof(cw.path), "%s", cr.path);
	path_of(nr.path, sizeof(nr.path), "%s/knob", B.mnt_tnull);
	path_of(nw.path, sizeof(nw.path), "%s", nr.path);
	trace_op("knob read (open, read to EOF, close)", op_file, &cr, op_file, &nr);
	path_of(cm.path, sizeof(cm.path), "%s/%s/k/meminfo", B.mnt_tcgfs, TREE);
	if (access(cm.path, R_OK) == 0)
		trace_op("meminfo read (open, read to EOF, close)", op_file, &cm, NULL, NULL);
	trace_op("knob write (open O_TRUNC, write, close)", op_file, &cw, op_file, &nw);
	memset(&lc, 0, sizeof(lc));
	path_of(lc.path, sizeof(lc.path), "%s/%s/lc", B.mnt_tcgfs, TREE);
	/* nullfs's at the same depth (case 3's FUSE floor). */
	memset(&nlc, 0, sizeof(nlc));
	path_of(p, sizeof(p), "%s/%s", B.mnt_tnull, TREE);
	mkdir(p, 0755);
	path_of(nlc.path, sizeof(nlc.path), "%s/lc", p);
	trace_op("group lifecycle (mkdir, 3 knobs, rmdir)", op_lifecycle_cgfs, &lc,
	         op_lifecycle_cgfs, &nlc);
	trace_readdir();
}

/* A second cgfs (base /cgfs-bench-PID/trace) and nullfs, both with -d,
 * after the timed cases: debug output slows a server down. */
void case_trace(void)
{
	char base_opt[128], conf_opt[128];
	char *cgfs_argv[] = { (char *)B.cgfs, "-f", "-d", "-o", base_opt, "-o", conf_opt,
	                      B.mnt_tcgfs, NULL };
	char *null_argv[] = { (char *)B.nullfs, "-f", "-d", B.mnt_tnull, NULL };
	pid_t cpid, npid;

	note("requests per operation: cgfs -d and nullfs -d");
	snprintf(base_opt, sizeof(base_opt), "base=/%s/trace", B.base);
	snprintf(conf_opt, sizeof(conf_opt), "config=%s", B.conf);
	cpid = start_daemon(cgfs_argv, B.tlog_cgfs);
	npid = start_daemon(null_argv, B.tlog_null);
	if (cpid < 0 || wait_mounted(cpid, B.mnt_tcgfs, "fuse.cgfs") < 0 || npid < 0 ||
	    wait_mounted(npid, B.mnt_tnull, "fuse.nullfs") < 0)
		note("a traced server did not mount: logs %s %s", B.tlog_cgfs, B.tlog_null);
	else
		trace_all();
	stop_daemon(cpid);
	stop_daemon(npid);
}

void print_trace(void)
{
	size_t i;

	if (!ntrace)
		return;
	printf("\nFUSE requests per operation (steady state, from the -d output of a second\n"
	       "cgfs and nullfs; RELEASE and FORGET are asynchronous, the rest wait):\n");
	for (i = 0; i < ntrace; i++) {
		printf("  %s\n    cgfs:   %s\n", trace_rows[i].what, trace_rows[i].cgfs);
		if (strcmp(trace_rows[i].null, "-") != 0)
			printf("    nullfs: %s\n", trace_rows[i].null);
	}
}
