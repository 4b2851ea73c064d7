// SPDX-License-Identifier: MIT
/*
 * fuzz_config: config_parse on arbitrary text, then config_caps_for for
 * every user it names and for one it does not, the declared groups
 * (sorted, valid, found by config_declares), then config_free.
 *
 * The input is the file's text. Its length also picks the size of the
 * error buffer (none, 1, 16 or CONFIG_ERR_MAX bytes), so that messages
 * quoting long input are cut where they must be. Text with a NUL byte,
 * which config_parse cannot see, goes through config_load from a memfd,
 * which must refuse it.
 */
#include <errno.h>
#include <limits.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cgfs/config.h"
#include "cgfs/knobs.h"
#include "fuzz.h"

#define CAPS_SLOTS (sizeof(((struct caps *)0)->value) / sizeof(char *))

/* Every value made it through its knob's check(), and the limits are a
 * count or -1: what config.h promises the rest of cgfs. */
static void check_caps(const struct caps *c)
{
	size_t i;

	for (i = 0; i < CAPS_SLOTS; i++) {
		if (!c->value[i])
			continue;
		fuzz_assert(i < knob_count);
		fuzz_assert(knob_table[i].cap && knob_table[i].check);
		fuzz_assert(knob_table[i].check(c->value[i]) == 0);
	}
	fuzz_assert(c->max_groups >= -1 && c->max_groups <= INT_MAX);
	fuzz_assert(c->max_depth >= -1 && c->max_depth <= INT_MAX);
}

/* Declared groups: sorted and unique, each a user and 1..32 group
 * names, each value a writable value knob's that its check() accepts. */
static void check_groups(const struct config *cfg)
{
	const struct config_group *g;
	size_t i, k, parts;
	const char *c;

	fuzz_assert(cfg->n_groups <= CONFIG_GROUPS_MAX);
	for (i = 0; i < cfg->n_groups; i++) {
		g = &cfg->groups[i];
		fuzz_assert(strlen(g->path) <= CONFIG_GROUP_PATH_MAX);
		if (i)
			fuzz_assert(strcmp(cfg->groups[i - 1].path, g->path) < 0);
		for (parts = 0, c = g->path; *c; c++) {
			fuzz_assert(*c > ' ' && *c < 0x7f);
			parts += *c == '/';
			fuzz_assert(*c != '/' || (c[1] && c[1] != '/'));
		}
		fuzz_assert(parts >= 1 && parts <= CONFIG_GROUP_DEPTH_MAX);
		fuzz_assert(config_declares(cfg, g->path));
		for (k = 0; k < CAPS_SLOTS; k++) {
			if (!g->value[k])
				continue;
			fuzz_assert(k < knob_count && knob_table[k].kind == KNOB_VALUE);
			fuzz_assert(knob_table[k].set && (knob_table[k].mode & 0200));
			fuzz_assert(knob_table[k].check(g->value[k]) == 0);
		}
	}
}

/* config_load of a file holding data: refused, on the NUL's line. */
static void load_with_nul(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size), *c;
	char path[64], err[CONFIG_ERR_MAX], want[96];
	struct config cfg;
	int fd, line = 1, res;

	fd = memfd_create("fuzz.conf", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	res = config_load(path, &cfg, err, sizeof(err));
	close(fd);
	fuzz_assert(res == -EINVAL);
	for (c = data; c < nul; c++)
		line += *c == '\n';
	snprintf(want, sizeof(want), "%s:%d: NUL byte in the file", path, line);
	fuzz_assert(strcmp(err, want) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t err_sizes[] = { 0, 1, 16, CONFIG_ERR_MAX };
	size_t errsz = err_sizes[size % 4], i;
	char *text = fuzz_strndup(data, size), *err = NULL;
	struct config cfg, untouched;
	struct caps caps;
	int res;

	if (memchr(data, '\0', size))
		load_with_nul(data, size);

	if (errsz) {
		err = fuzz_alloc(errsz);
		memset(err, 'x', errsz);
	}
	memset(&cfg, 0x5a, sizeof(cfg));
	untouched = cfg;
	res = config_parse(text, "fuzz.conf", &cfg, err, errsz);
	fuzz_assert(res == 0 || res == -EINVAL || res == -ENOMEM);
	if (res < 0) {
		fuzz_assert(memcmp(&cfg, &untouched, sizeof(cfg)) == 0);
		/* "NAME:LINE: what", cut to fit */
		if (errsz)
			fuzz_assert(memchr(err, '\0', errsz) != NULL);
		if (errsz >= 16)
			fuzz_assert(strncmp(err, "fuzz.conf:", 10) == 0);
		goto out;
	}
	fuzz_assert(cfg.n_users == 0 || cfg.users != NULL);
	for (i = 0; i < cfg.n_users; i++) {
		fuzz_assert(cfg.users[i].name && cfg.users[i].name[0]);
		config_caps_for(&cfg, cfg.users[i].name, &caps);
		check_caps(&caps);
	}
	config_caps_for(&cfg, "nobody-in-particular", &caps);
	fuzz_assert(memcmp(&caps, &cfg.defaults, sizeof(caps)) == 0);
	check_caps(&caps);
	config_caps_for(&cfg, NULL, &caps);
	check_caps(&caps);
	check_groups(&cfg);
	config_free(&cfg);
out:
	free(err);
	free(text);
	return 0;
}
