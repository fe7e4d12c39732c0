/* Shared by the profile tests: a keyring's worth of AppKeys and groups
 * behind struct mp_profile_lookup, Composition Data built by hand, and the
 * example profiles read from examples/. */
#ifndef MP_PROFILE_TU_H
#define MP_PROFILE_TU_H

#include <errno.h>
#include <string.h>

#include "profile/profile.h"

/* AppKeys: "building" is index 0, "lights" index 1, both on NetKey 0;
 * "guest" index 2 on NetKey 1. */
static int tu_appkey(void *user, const char *name, int index, uint16_t *app_idx,
		     uint16_t *net_idx)
{
	static const char *const names[] = { "building", "lights", "guest" };
	int i;

	(void)user;
	for (i = 0; i < 3; i++)
		if ((name && !strcmp(name, names[i])) || (!name && index == i)) {
			*app_idx = (uint16_t)i;
			*net_idx = i == 2 ? 1 : 0;
			return 0;
		}
	return -ENOENT;
}

/* A fake hash: enough for the reconciler, which only compares them. */
static int tu_virt(void *user, const uint8_t label[16], uint16_t *addr)
{
	(void)user;
	*addr = (uint16_t)(0x8000 | (label[14] & 0x3f) << 8 | label[15]);
	return 0;
}

/* Groups: "kitchen" c010, "room-3.14" c000, "all-lights" c0ff, and "vgroup"
 * a virtual one (label 00..0f). */
static int tu_group(void *user, const char *name, uint16_t *addr, uint8_t label[16], bool *virt)
{
	*virt = false;
	if (!strcmp(name, "kitchen"))
		*addr = 0xc010;
	else if (!strcmp(name, "room-3.14"))
		*addr = 0xc000;
	else if (!strcmp(name, "all-lights"))
		*addr = 0xc0ff;
	else if (!strcmp(name, "vgroup")) {
		int i;

		for (i = 0; i < 16; i++)
			label[i] = (uint8_t)i;
		*virt = true;
		return tu_virt(user, label, addr);
	} else
		return -ENOENT;
	return 0;
}

static const struct mp_profile_lookup tu_lookup = {
	.appkey = tu_appkey, .group = tu_group, .virt_addr = tu_virt,
};

/* Read examples/NAME (the whole file). */
static char *tu_example(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf = malloc(1 << 16);

	snprintf(path, sizeof(path), "%s/%s", MP_EXAMPLES_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

static struct mp_profile *tu_parse(const char *text)
{
	struct mp_profile_error err;
	struct mp_profile *p = NULL;
	int r = mp_profile_parse(text, strlen(text), "t.json", &tu_lookup, &p, &err);

	if (r)
		fail_msg("parse: %s", err.msg);
	return p;
}

static struct mp_profile *tu_parse_example(const char *name)
{
	size_t len;
	char *text = tu_example(name, &len);
	struct mp_profile_error err;
	struct mp_profile *p = NULL;
	int r = mp_profile_parse(text, len, name, &tu_lookup, &p, &err);

	free(text);
	if (r)
		fail_msg("parse %s: %s", name, err.msg);
	return p;
}

#endif
