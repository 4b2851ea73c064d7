/* SPDX-License-Identifier: MIT */
/*
 * devices: a group's own device deny list (the devices_deny knob), kept
 * by the kernel as a cgroup2 device program (BPF_PROG_TYPE_CGROUP_DEVICE)
 * attached to the group's cgroup2 directory with BPF_F_ALLOW_MULTI. The
 * kernel runs the programs of the cgroup and of every ancestor and allows
 * an access only if all of them allow it, so a list can only narrow what
 * the parent allows: clearing it gives back no more than that.
 *
 * The pure half (devices.c): rules as text, and rules as the straight-
 * line program cgfs generates and reads back (its own code only). The
 * kernel half (devices_bpf.c): load, attach, replace, detach, read back,
 * through bpf(2) alone.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

/* Rules one group may hold; a program of DEVICES_INSNS_MAX instructions
 * holds them whatever they are. */
#define DEVICES_RULES_MAX 64
#define DEVICES_INSNS_PER_RULE 8
#define DEVICES_INSNS_MAX (8 + DEVICES_INSNS_PER_RULE * DEVICES_RULES_MAX)
/* A rule's longest line, and the longest line a writer may send. */
#define DEVICES_LINE_MAX 256
/* The program's name (struct bpf_prog_info.name): what marks it cgfs's. */
#define DEVICES_PROG_NAME "cgfs_devices"
/* Linux's dev_t: 12 bits of major, 20 of minor. */
#define DEVICES_MAJOR_MAX 4095u
#define DEVICES_MINOR_MAX 1048575u
/* A major or minor of "*": any. */
#define DEVICES_ANY UINT32_MAX

/* The access bits, as the kernel passes them (BPF_DEVCG_ACC_*). */
#define DEVICES_ACC_MKNOD 1u
#define DEVICES_ACC_READ 2u
#define DEVICES_ACC_WRITE 4u
#define DEVICES_ACC_ALL 7u

struct dev_rule {
	char type;      /* 'c', 'b' or 'a' (either) */
	uint32_t major; /* or DEVICES_ANY */
	uint32_t minor; /* or DEVICES_ANY */
	unsigned access; /* DEVICES_ACC_*, not 0 */
};

/* Resolves a device path ("/dev/..."): its type ('c' or 'b') and
 * numbers. 0, -ENOENT (nothing there), -EINVAL (no device node, or a
 * path that leaves /dev). */
typedef int (*devices_resolve_fn)(void *ctx, const char *path, char *ret_type,
                                  unsigned *ret_major, unsigned *ret_minor);

/* Parses a list: rules separated by newlines or commas, blank ones
 * skipped, each "TYPE MAJOR:MINOR ACCESS" (TYPE c, b or a; MAJOR and
 * MINOR decimal or "*"; ACCESS letters of rwm, each at most once) or
 * "/dev/PATH ACCESS" (resolve turns the path into a rule for that one
 * device; with resolve NULL only its form is checked and the rule's type
 * is '/', its numbers DEVICES_ANY). Blanks are spaces and tabs. The count (0 for an empty or
 * blank list), or -EINVAL (a line not of that form, an odd byte, a line
 * longer than DEVICES_LINE_MAX, two rules for the same TYPE MAJOR:MINOR),
 * -ERANGE (a number past DEVICES_MAJOR_MAX or DEVICES_MINOR_MAX), -E2BIG
 * (more than max rules), or resolve's -errno. ret untouched on failure
 * but for its first max entries. */
int devices_parse(const char *text, devices_resolve_fn resolve, void *ctx,
                  struct dev_rule *ret, size_t max);

/* The rules as the knob reads: "TYPE MAJOR:MINOR ACCESS\n" each, access
 * in the order r, w, m. Length, or -ENOBUFS. */
int devices_format(const struct dev_rule *rules, size_t n, char *buf, size_t size);

/* The program denying the n rules (n >= 1, n <= DEVICES_RULES_MAX) and
 * allowing everything else: its instruction count. */
size_t devices_codegen(const struct dev_rule *rules, size_t n, struct bpf_insn *ret);

/* The rules of a program devices_codegen made (as the kernel shows it
 * back: its xlated instructions): their count, or -EINVAL for any other
 * program. */
int devices_decode(const struct bpf_insn *insns, size_t n, struct dev_rule *ret, size_t max);

/* ---- the kernel (devices_bpf.c) ---- */

/* Whether this kernel runs cgroup device programs on cgroup2 directory
 * cgfd: 0 if it answers a query there, else -errno (-EOPNOTSUPP,
 * -EINVAL: no CONFIG_CGROUP_BPF). */
int devices_supported(int cgfd);

/* The rules of cgfs's programs attached to cgfd itself (not those
 * inherited): count, or -errno. Programs that are not cgfs's own are
 * left out. */
int devices_read(int cgfd, struct dev_rule *ret, size_t max);

/* Makes n rules the list of the group whose cgroup2 directory is cgfd
 * (n == 0: no program of cgfs's there), replacing cgfs's program in
 * place (BPF_F_REPLACE: no moment without one). root is the hierarchy's
 * mount point (any fd of it): -EOPNOTSUPP if cgfd or a directory above
 * it, up to root, has a program attached without BPF_F_ALLOW_MULTI (the
 * group's program would take its place instead of adding to it, or the
 * kernel would refuse to add one);
 * -E2BIG for more than DEVICES_RULES_MAX rules. 0 or -errno (the
 * kernel's); nothing changes on failure. */
int devices_write(int cgfd, int root, const struct dev_rule *rules, size_t n);
