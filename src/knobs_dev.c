// SPDX-License-Identifier: MIT
/*
 * knobs_dev: devices_deny, systemd's DeviceAllow=/DevicePolicy= turned
 * around: the group's own list of devices its processes may not use
 * (cgfs/devices.h has the rules and the program that holds them). The
 * kernel ANDs the group's program with its ancestors', so a list only
 * ever narrows what the group's parent allows.
 */
#include <errno.h>

#include "cgfs/devices.h"
#include "knobs_int.h"

int devices_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	struct dev_rule rules[DEVICES_RULES_MAX];
	int n;

	(void)k;
	if (!io->dev_rules)
		return -ENOENT;
	n = io->dev_rules(io->ctx, rules, DEVICES_RULES_MAX);
	return n < 0 ? n : devices_format(rules, (size_t)n, buf, size);
}

static int resolve(void *ctx, const char *path, char *ret_type, unsigned *ret_major,
                   unsigned *ret_minor)
{
	const struct knob_io *io = ctx;

	if (!io->dev_node)
		return -EINVAL;
	return io->dev_node(io->ctx, path, ret_type, ret_major, ret_minor);
}

/* The form first, so that a value that cannot be a list is refused
 * before any device path is looked up; then the devices. */
int devices_set(const struct knob *k, const struct knob_io *io, const char *value)
{
	struct dev_rule rules[DEVICES_RULES_MAX];
	int n = devices_parse(value, NULL, NULL, rules, DEVICES_RULES_MAX);

	(void)k;
	if (n < 0)
		return n;
	if (!io->dev_rules_set)
		return -ENOENT;
	n = devices_parse(value, resolve, (void *)io, rules, DEVICES_RULES_MAX);
	return n < 0 ? n : io->dev_rules_set(io->ctx, rules, (size_t)n);
}

int check_devices(const char *value)
{
	struct dev_rule rules[DEVICES_RULES_MAX];
	int n = devices_parse(value, NULL, NULL, rules, DEVICES_RULES_MAX);

	return n < 0 ? n : 0;
}

bool devices_available(const struct knob *k, const struct knob_io *io)
{
	(void)k;
	return io->dev_rules && io->dev_rules(io->ctx, NULL, 0) == 0;
}
