// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "cgfs/cgfile.h"
#include "cgfs/config.h"
#include "cgfs/policy.h"
#include "cgfs/util.h"

#define USER_NAME_MAX 32
#define CONFIG_FILE_MAX (1u << 20)
#define CAPS_SLOTS (sizeof(((struct caps *)0)->value) / sizeof(char *))

/* max_groups/max_depth of a [user] section that does not set them; -1 is
 * taken: it is what "max" sets, to lift a limit [defaults] has. */
#define MAX_UNSET (-2L)

/* Bits of parse.seen beyond the knob rows, for the two non-knob keys. */
#define SEEN_MAX_GROUPS (1ull << CAPS_SLOTS)
#define SEEN_MAX_DEPTH (1ull << (CAPS_SLOTS + 1))
#define SEEN_ADMIT (1ull << (CAPS_SLOTS + 2))
#define SEEN_MAX_OPEN (1ull << (CAPS_SLOTS + 3))
#define SEEN_MAX_OPEN_TOTAL (1ull << (CAPS_SLOTS + 4))
#define SEEN_TREES (1ull << (CAPS_SLOTS + 5))
#define SEEN_TREES_UIDS (1ull << (CAPS_SLOTS + 6))
#define SEEN_TREES_GROUP (1ull << (CAPS_SLOTS + 7))
_Static_assert(CAPS_SLOTS + 7 < 64, "parse.seen has no room for every key");

struct parse {
	struct config cfg;   /* being built; handed out only when all is well */
	size_t users_cap;    /* room in cfg.users */
	struct caps *cur;    /* section being read; NULL before the first */
	struct config_group *group; /* or the [group] being read */
	size_t groups_cap;   /* room in cfg.groups */
	char label[CONFIG_GROUP_PATH_MAX + 8]; /* "defaults", "user alice", "group alice/web" */
	uint64_t seen;       /* keys already set in the current section */
	bool seen_defaults;
	const char *pos;     /* the text not yet handed to inih */
	int lineno;          /* the line handed to inih last */
	int err_line;        /* where our first error is, 0 if none */
	int err;             /* -EINVAL or -ENOMEM */
	char msg[CONFIG_ERR_MAX];
};

static void caps_init(struct caps *c, long unset)
{
	memset(c, 0, sizeof(*c));
	c->max_groups = unset;
	c->max_depth = unset;
	c->max_open_files = unset;
}

static void caps_free(struct caps *c)
{
	size_t i;

	for (i = 0; i < CAPS_SLOTS; i++)
		free(c->value[i]);
	free(c->admit);
}

static void defaults_init(struct caps *c)
{
	caps_init(c, 0);
	c->max_groups = CONFIG_MAX_GROUPS_DEFAULT;
	c->max_depth = CONFIG_MAX_DEPTH_DEFAULT;
	c->max_open_files = CONFIG_MAX_OPEN_FILES;
}

static void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	defaults_init(&cfg->defaults);
	cfg->max_open_total = CONFIG_MAX_OPEN_TOTAL;
	cfg->trees = CONFIG_TREES_NONE;
	cfg->trees_uid_min = CONFIG_TREES_UID_MIN;
	cfg->trees_uid_max = CONFIG_TREES_UID_MAX;
}

void config_empty(struct config *cfg)
{
	config_init(cfg);
}

void config_free(struct config *cfg)
{
	size_t i, k;

	if (!cfg)
		return;
	caps_free(&cfg->defaults);
	for (i = 0; i < cfg->n_users; i++) {
		free(cfg->users[i].name);
		caps_free(&cfg->users[i].caps);
	}
	free(cfg->users);
	free(cfg->trees_group);
	for (i = 0; i < cfg->n_groups; i++) {
		free(cfg->groups[i].path);
		for (k = 0; k < CAPS_SLOTS; k++)
			free(cfg->groups[i].value[k]);
	}
	free(cfg->groups);
	config_init(cfg);
}

/* Records the first error only: later ones are often its consequences.
 * Returns 0, which is what an inih handler returns for "error". */
__attribute__((format(printf, 3, 4)))
static int fail_errno(struct parse *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line)
		return 0;
	p->err_line = p->lineno;
	p->err = err;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	return 0;
}

#define fail(p, ...) fail_errno(p, -EINVAL, __VA_ARGS__)

static struct config_user *find_user(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; cfg && name && i < cfg->n_users; i++)
		if (strcmp(cfg->users[i].name, name) == 0)
			return &cfg->users[i];
	return NULL;
}

/* ---- sections ---- */

static bool user_name_ok(const char *s, size_t len)
{
	static const char first[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
	size_t i;

	if (len == 0 || len > USER_NAME_MAX || !strchr(first, s[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!strchr(first, s[i]) && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

static void begin_user(struct parse *p, const char *name, size_t len)
{
	struct config_user *users, *u;
	size_t i;

	if (!user_name_ok(name, len)) {
		fail(p, "invalid user name '%.*s' in section header", (int)len, name);
		return;
	}
	snprintf(p->label, sizeof(p->label), "user %.*s", (int)len, name);
	/* By index: users is NULL before the first section (NULL + 0 is UB). */
	for (i = 0; i < p->cfg.n_users; i++)
		if (strlen(p->cfg.users[i].name) == len &&
		    strncmp(p->cfg.users[i].name, name, len) == 0) {
			fail(p, "section [%s] repeated", p->label);
			return;
		}
	if (vec_reserve(&p->cfg.users, &p->users_cap, p->cfg.n_users + 1, sizeof(*users), 4) < 0) {
		fail_errno(p, -ENOMEM, "out of memory");
		return;
	}
	users = p->cfg.users;
	u = &users[p->cfg.n_users];
	caps_init(&u->caps, MAX_UNSET);
	u->name = strndup(name, len);
	if (!u->name) {
		fail_errno(p, -ENOMEM, "out of memory");
		return;
	}
	p->cfg.n_users++;
	p->cur = &u->caps;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* s (len bytes) for a message: at most 64 bytes, anything outside
 * printable ASCII as '?', so no byte of the file reaches the log as is. */
static const char *shown(char *buf, const char *s, size_t len)
{
	size_t i, n = len > 64 ? 64 : len;

	for (i = 0; i < n; i++)
		buf[i] = s[i] > ' ' && s[i] < 0x7f ? s[i] : '?';
	buf[n] = '\0';
	return buf;
}

/* One component of a declared group's path after the user (section
 * header name, namelen bytes), as an mkdir of it would be judged. */
static bool group_part_ok(struct parse *p, const char *s, size_t len, const char *name,
                          size_t namelen)
{
	char part[CONFIG_GROUP_PATH_MAX + 1], show[65], show_path[65];
	int res;

	memcpy(part, s, len);
	part[len] = '\0';
	res = memchr(s, '\0', len) ? -EINVAL : policy_group_name(part);
	if (res == -EEXIST)
		fail(p, "group name '%s' in [group %s] is the name of a knob or reserved",
		     shown(show, s, len), shown(show_path, name, namelen));
	else if (res < 0)
		fail(p, "invalid group name '%s' in [group %s] (letters, digits, '_', '@', "
		     "'+' and '-', at most 64, starting with a letter or digit)",
		     shown(show, s, len), shown(show_path, name, namelen));
	return res == 0;
}

/* [group USER/NAME/...]: a user's name, then one or more group names. */
static void begin_group(struct parse *p, const char *name, size_t len)
{
	char show[65];
	const char *s = name, *end = name + len, *slash;
	struct config_group *g;
	size_t i, parts = 0;

	if (len > CONFIG_GROUP_PATH_MAX) {
		fail(p, "group path in section header too long (at most %d characters)",
		     CONFIG_GROUP_PATH_MAX);
		return;
	}
	slash = memchr(s, '/', len);
	if (!slash || !user_name_ok(s, (size_t)(slash - s))) {
		fail(p, "invalid [group %s]: expected [group USER/GROUP], USER a user name",
		     shown(show, name, len));
		return;
	}
	for (s = slash + 1; s <= end; s = slash + 1) {
		slash = memchr(s, '/', (size_t)(end - s));
		if (!slash)
			slash = end;
		if (!group_part_ok(p, s, (size_t)(slash - s), name, len))
			return;
		if (++parts > CONFIG_GROUP_DEPTH_MAX) {
			fail(p, "[group %s] is deeper than %d groups", shown(show, name, len),
			     CONFIG_GROUP_DEPTH_MAX);
			return;
		}
	}
	snprintf(p->label, sizeof(p->label), "group %.*s", (int)len, name);
	if (p->cfg.n_groups >= CONFIG_GROUPS_MAX) {
		fail(p, "more than %d [group] sections", CONFIG_GROUPS_MAX);
		return;
	}
	for (i = 0; i < p->cfg.n_groups; i++)
		if (strlen(p->cfg.groups[i].path) == len &&
		    strncmp(p->cfg.groups[i].path, name, len) == 0) {
			fail(p, "section [%s] repeated", p->label);
			return;
		}
	if (vec_reserve(&p->cfg.groups, &p->groups_cap, p->cfg.n_groups + 1, sizeof(*g), 4) < 0) {
		fail_errno(p, -ENOMEM, "out of memory");
		return;
	}
	g = &p->cfg.groups[p->cfg.n_groups];
	memset(g, 0, sizeof(*g));
	g->line = p->lineno;
	g->path = strndup(name, len);
	if (!g->path) {
		fail_errno(p, -ENOMEM, "out of memory");
		return;
	}
	p->cfg.n_groups++;
	p->group = g;
}

/* s..end is a trimmed line starting with '['. We read section headers
 * ourselves: this inih build does not tell its handler about a section
 * that has no keys, and an empty [bogus] must be refused too. */
static void begin_section(struct parse *p, const char *s, const char *end)
{
	const char *close = memchr(s, ']', (size_t)(end - s));

	p->cur = NULL;
	p->group = NULL;
	p->seen = 0;
	if (!close)
		fail(p, "missing ']' in section header");
	else if (close + 1 != end)
		fail(p, "unexpected text after ']'");
	if (p->err_line)
		return;
	for (s++; is_blank(*s); s++)
		;
	while (close > s && is_blank(close[-1]))
		close--;
	if (close - s == 8 && strncmp(s, "defaults", 8) == 0) {
		snprintf(p->label, sizeof(p->label), "defaults");
		if (p->seen_defaults)
			fail(p, "section [defaults] repeated");
		p->seen_defaults = true;
		p->cur = &p->cfg.defaults;
	} else if (close - s > 4 && strncmp(s, "user", 4) == 0 && is_blank(s[4])) {
		for (s += 4; is_blank(*s); s++)
			;
		begin_user(p, s, (size_t)(close - s));
	} else if (close - s > 5 && strncmp(s, "group", 5) == 0 && is_blank(s[5])) {
		for (s += 5; is_blank(*s); s++)
			;
		begin_group(p, s, (size_t)(close - s));
	} else {
		fail(p, "unknown section [%.*s] (expected [defaults], [user NAME] or "
		     "[group USER/GROUP])", (int)(close - s > 64 ? 64 : close - s), s);
	}
}

/* ---- the reader: one line at a time into inih ---- */

/* Where an inline comment starts: ';' or '#' after a blank. Done here, so
 * "4096   ; comment" works whatever options inih was built with. */
static const char *comment_start(const char *s, const char *end)
{
	const char *c;

	for (c = s + 1; c < end; c++)
		if ((*c == ';' || *c == '#') && is_blank(c[-1]))
			return c;
	return end;
}

/* Hands inih the line trimmed of comments and indentation, and takes
 * section headers for itself (inih then sees a blank line). Without
 * indentation inih never joins a line to the previous value: cgfs values
 * are one line. Counting lines here gives errors their line numbers. */
static char *reader(char *buf, int size, void *stream)
{
	struct parse *p = stream;
	const char *s = p->pos, *end;
	size_t len;

	if (p->err_line || !*s)
		return NULL; /* our first error is the one reported: stop */
	len = strcspn(s, "\n");
	p->pos = s + len + (s[len] == '\n');
	p->lineno++;
	end = s + len;
	if (p->lineno == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3; /* a UTF-8 byte order mark */
	while (s < end && is_blank(*s))
		s++;
	if (s < end && (*s == ';' || *s == '#'))
		end = s;
	end = comment_start(s, end);
	while (end > s && is_blank(end[-1]))
		end--;

	if (s < end && *s == '[') {
		begin_section(p, s, end);
		end = s;
	} else if (end - s + 2 > size) {
		fail(p, "line too long (at most %d characters)", size - 2);
		end = s;
	}
	memcpy(buf, s, (size_t)(end - s));
	strcpy(buf + (end - s), "\n");
	return buf;
}

/* ---- keys ---- */

/* max_groups, max_depth, max_open_files(_total): a count, or "max" for
 * no limit. */
static int set_max(struct parse *p, const char *key, const char *value, long *ret,
                   uint64_t bit)
{
	char *end;
	long n;

	if (p->seen & bit)
		return fail(p, "key '%s' repeated in [%s]", key, p->label);
	p->seen |= bit;
	if (strcmp(value, "max") == 0) {
		*ret = -1;
		return 1;
	}
	if (value[0] < '0' || value[0] > '9')
		return fail(p, "value '%s' for %s is not valid (a number or max)", value, key);
	errno = 0;
	n = strtol(value, &end, 10);
	if (*end)
		return fail(p, "value '%s' for %s is not valid (a number or max)", value, key);
	if (errno == ERANGE || n > INT_MAX)
		return fail(p, "value '%s' for %s is out of range", value, key);
	*ret = n;
	return 1;
}

/* A knob's value into slots (a section's, indexed like knob_table),
 * checked as a write to the knob would check it. */
static int set_knob(struct parse *p, const struct knob *k, const char *value, char **slots)
{
	size_t i = (size_t)(k - knob_table);
	int res;

	if (i >= CAPS_SLOTS)
		return fail(p, "key '%s' cannot be stored", k->name);
	if (p->seen & (1ull << i))
		return fail(p, "key '%s' repeated in [%s]", k->name, p->label);
	p->seen |= 1ull << i;
	if (!*value)
		return fail(p, "no value for %s", k->name);
	res = k->check(value);
	if (res == -ERANGE)
		return fail(p, "value '%s' for %s is out of range", value, k->name);
	if (res < 0)
		return fail(p, "value '%s' for %s is not valid", value, k->name);
	slots[i] = strdup(value);
	if (!slots[i])
		return fail_errno(p, -ENOMEM, "out of memory");
	return 1;
}

/* A key of a [group] section: a knob a user writes a value to. */
static int set_group_value(struct parse *p, const char *name, const char *value)
{
	const struct knob *k = knob_find(name);

	if (!k || k->kind != KNOB_VALUE || !k->set || !k->check || !(k->mode & 0200))
		return fail(p, "key '%s' in [%s] is not a knob a declared group can set",
		            name, p->label);
	return set_knob(p, k, value, p->group->value);
}

/* admit: admission points, checked as policy_admit_check() does. Lines
 * add up: a section may list its patterns over several. */
static int set_admit(struct parse *p, const char *value)
{
	const char *prev = p->cur->admit;
	char *all;
	int res;

	res = policy_admit_check(value);
	if (res == 0 && !*value)
		res = -EINVAL;
	if (res < 0 && res != -E2BIG)
		return fail(p, "value '%s' for admit is not valid (absolute cgroup paths "
		            "with globs and %%U, a last '**', or none)", value);
	if (prev && (strcmp(prev, "none") == 0 || strcmp(value, "none") == 0))
		return fail(p, "admit = none in [%s] with other admission points", p->label);
	if (asprintf(&all, "%s%s%s", prev ? prev : "", prev ? " " : "", value) < 0)
		return fail_errno(p, -ENOMEM, "out of memory");
	if (res == -E2BIG || strlen(all) > POLICY_ADMIT_MAX) {
		free(all);
		return fail(p, "admit in [%s] is too long (at most %d characters in all)",
		            p->label, POLICY_ADMIT_MAX);
	}
	free(p->cur->admit);
	p->cur->admit = all;
	return 1;
}

/* ---- trees on demand ([defaults] only) ---- */

static int seen_once(struct parse *p, const char *key, uint64_t bit)
{
	if (p->cur != &p->cfg.defaults)
		return fail(p, "%s belongs in [defaults], not [%s]", key, p->label);
	if (p->seen & bit)
		return fail(p, "key '%s' repeated in [%s]", key, p->label);
	p->seen |= bit;
	return 1;
}

/* One uid in decimal, at most end; *s moves past it. */
static bool parse_uid(const char **s, uid_t *ret)
{
	unsigned long long n = 0;
	const char *c = *s;

	if (*c < '0' || *c > '9')
		return false;
	for (; *c >= '0' && *c <= '9'; c++) {
		n = n * 10 + (unsigned)(*c - '0');
		if (n >= (uid_t)-1)
			return false; /* (uid_t)-1 is no uid */
	}
	*ret = (uid_t)n;
	*s = c;
	return true;
}

/* trees_uids = MIN-MAX */
static int set_trees_uids(struct parse *p, const char *value)
{
	const char *s = value;
	uid_t lo, hi;

	if (!seen_once(p, "trees_uids", SEEN_TREES_UIDS))
		return 0;
	if (!parse_uid(&s, &lo) || *s++ != '-' || !parse_uid(&s, &hi) || *s || lo > hi)
		return fail(p, "value '%s' for trees_uids is not valid (MIN-MAX, two uids "
		            "below 4294967295, MIN at most MAX)", value);
	p->cfg.trees_uid_min = lo;
	p->cfg.trees_uid_max = hi;
	return 1;
}

static int set_trees(struct parse *p, const char *key, const char *value)
{
	if (strcmp(key, "trees_uids") == 0)
		return set_trees_uids(p, value);
	if (strcmp(key, "trees_group") == 0) {
		if (!seen_once(p, key, SEEN_TREES_GROUP))
			return 0;
		/* Group names are made like user names (useradd's rule). */
		if (!user_name_ok(value, strlen(value)))
			return fail(p, "value '%s' for trees_group is not valid (a group name)",
			            value);
		p->cfg.trees_group = strdup(value);
		return p->cfg.trees_group ? 1 : fail_errno(p, -ENOMEM, "out of memory");
	}
	if (!seen_once(p, key, SEEN_TREES))
		return 0;
	if (strcmp(value, "none") == 0)
		p->cfg.trees = CONFIG_TREES_NONE;
	else if (strcmp(value, "auto") == 0)
		p->cfg.trees = CONFIG_TREES_AUTO;
	else
		return fail(p, "value '%s' for trees is not valid (none or auto)", value);
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	const struct knob *k;

	if (p->err_line)
		return 1;
	if (!p->cur && !p->group)
		return fail(p, "key '%s' outside of a section", name);
	if (!*name)
		return fail(p, "missing key name before '='");
	if (p->group)
		return set_group_value(p, name, value);
	if (strcmp(name, "max_groups") == 0)
		return set_max(p, name, value, &p->cur->max_groups, SEEN_MAX_GROUPS);
	if (strcmp(name, "max_depth") == 0)
		return set_max(p, name, value, &p->cur->max_depth, SEEN_MAX_DEPTH);
	if (strcmp(name, "admit") == 0)
		return set_admit(p, value);
	if (strcmp(name, "max_open_files") == 0) {
		if (p->cur != &p->cfg.defaults)
			p->cfg.user_open_caps = true;
		return set_max(p, name, value, &p->cur->max_open_files, SEEN_MAX_OPEN);
	}
	/* One limit for the daemon, not per user. */
	if (strcmp(name, "max_open_files_total") == 0) {
		if (p->cur != &p->cfg.defaults)
			return fail(p, "max_open_files_total belongs in [defaults], not [%s]",
			            p->label);
		return set_max(p, name, value, &p->cfg.max_open_total, SEEN_MAX_OPEN_TOTAL);
	}
	if (strcmp(name, "trees") == 0 || strcmp(name, "trees_uids") == 0 ||
	    strcmp(name, "trees_group") == 0)
		return set_trees(p, name, value);
	/* Only admin caps are config keys; a knob without check() could not
	 * be validated now, and a bad value would surface only at mkdir. */
	k = knob_find(name);
	if (!k || !k->cap || !k->check)
		return fail(p, "unknown key '%s' in [%s]", name, p->label);
	return set_knob(p, k, value, p->cur->value);
}

/* ---- parse and load ---- */

__attribute__((format(printf, 3, 4)))
static void put_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (!err || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* inih reports the first line it could not read (one with no '=' once the
 * reader has done its part); our own errors carry their line. The
 * earlier of the two is the one the admin should fix first. */
static int report(const struct parse *p, int ini_line, const char *name, char *err,
                  size_t errsz)
{
	if (ini_line < 0) {
		put_err(err, errsz, "%s: out of memory", name);
		return -ENOMEM;
	}
	if (ini_line > 0 && (!p->err_line || ini_line < p->err_line)) {
		put_err(err, errsz, "%s:%d: expected 'key = value', '[section]' or a comment",
		        name, ini_line);
		return -EINVAL;
	}
	if (p->err_line) {
		put_err(err, errsz, "%s:%d: %s", name, p->err_line, p->msg);
		return p->err;
	}
	return 0;
}

static int group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct config_group *)a)->path,
	              ((const struct config_group *)b)->path);
}

int config_parse(const char *text, const char *name, struct config *ret,
                 char *err, size_t errsz)
{
	struct parse p;
	int line, res;

	memset(&p, 0, sizeof(p));
	config_init(&p.cfg);
	p.pos = text ? text : "";
	name = name ? name : "config";
	line = ini_parse_stream(reader, &p, handler, &p);
	res = report(&p, line, name, err, errsz);
	if (res < 0) {
		config_free(&p.cfg);
		return res;
	}
	/* By path: parents first, and config_declares() searches them. */
	if (p.cfg.n_groups)
		qsort(p.cfg.groups, p.cfg.n_groups, sizeof(*p.cfg.groups), group_cmp);
	*ret = p.cfg;
	return 0;
}

static int line_of(const char *text, const char *at)
{
	int line = 1;

	for (; text < at; text++)
		line += *text == '\n';
	return line;
}

int config_load(const char *path, struct config *ret, char *err, size_t errsz)
{
	char *text, *nul;
	int res;

	res = cgfile_read_alloc_at(AT_FDCWD, path, CONFIG_FILE_MAX, &text);
	if (res < 0) {
		put_err(err, errsz, "%s: cannot read: %s", path, strerror(-res));
		return res;
	}
	/* The parser sees a C string: a NUL would silently end the file. */
	nul = memchr(text, '\0', (size_t)res);
	if (nul) {
		put_err(err, errsz, "%s:%d: NUL byte in the file", path, line_of(text, nul));
		res = -EINVAL;
	} else {
		res = config_parse(text, path, ret, err, errsz);
	}
	free(text);
	return res;
}

void config_caps_for(const struct config *cfg, const char *user, struct caps *ret)
{
	const struct config_user *u = find_user(cfg, user);
	size_t i;

	if (!cfg) {
		defaults_init(ret);
		return;
	}
	*ret = cfg->defaults;
	if (!u)
		return;
	for (i = 0; i < CAPS_SLOTS; i++)
		if (u->caps.value[i])
			ret->value[i] = u->caps.value[i];
	if (u->caps.max_groups != MAX_UNSET)
		ret->max_groups = u->caps.max_groups;
	if (u->caps.max_depth != MAX_UNSET)
		ret->max_depth = u->caps.max_depth;
	if (u->caps.admit)
		ret->admit = u->caps.admit;
	if (u->caps.max_open_files != MAX_UNSET)
		ret->max_open_files = u->caps.max_open_files;
}

bool config_trees_uid(const struct config *cfg, uid_t uid)
{
	return cfg && cfg->trees == CONFIG_TREES_AUTO && uid >= cfg->trees_uid_min &&
	       uid <= cfg->trees_uid_max;
}

int caps_allow_group(const struct caps *caps, int parent_depth, long groups)
{
	if (caps->max_depth >= 0 && parent_depth > caps->max_depth)
		return -EDQUOT;
	if (caps->max_groups >= 0 && groups >= 0 && groups - 1 >= caps->max_groups)
		return -EDQUOT;
	return 0;
}

bool config_declares(const struct config *cfg, const char *path)
{
	size_t lo = 0, hi = cfg ? cfg->n_groups : 0, len = strlen(path), mid;
	const char *g;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(cfg->groups[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* The paths that start with path are together from here ("a/b",
	 * "a/b-c", "a/b/d"): one of them is path or below it. */
	for (; cfg && lo < cfg->n_groups; lo++) {
		g = cfg->groups[lo].path;
		if (strncmp(g, path, len) != 0)
			return false;
		if (g[len] == '\0' || g[len] == '/')
			return true;
	}
	return false;
}
