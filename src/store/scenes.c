/* The network's scenes; see include/store/scenes.h (the records are read
 * and written by kr_scenes.c). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kr_int.h"
#include "store/scenes.h"

size_t mp_keyring_scene_count(const struct mp_keyring *kr)
{
	return kr->d->n_scenes;
}

const struct mp_scene *mp_keyring_scene_at(const struct mp_keyring *kr, size_t i)
{
	return i < kr->d->n_scenes ? &kr->d->scenes[i] : NULL;
}

const struct mp_scene *mp_keyring_scene_find(const struct mp_keyring *kr, uint16_t number)
{
	ssize_t i = kr_scene_index(kr->d, number);

	return i < 0 ? NULL : &kr->d->scenes[i];
}

int mp_keyring_scene_add(struct mp_keyring *kr, const char *name, uint16_t number,
			 uint16_t *out)
{
	const struct mp_provisioner *p;
	struct kr_data *before;
	struct mp_scene *s;
	char ranges[160];
	uint32_t x;
	unsigned i;
	int r;

	if (!kr)
		return -EINVAL;
	kr_err_clear(&kr->err);
	p = &kr->d->provs[kr->d->self];
	if (!kr_name_ok(name, MP_KR_NAME_MAX, true))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a scene name is up to %d bytes without control characters",
			       MP_KR_NAME_MAX);
	kr_ranges_str(p->scene, p->n_scene, ranges, sizeof(ranges));
	if (!number) {
		/* the lowest number of our ranges that no scene has */
		for (i = 0; i < p->n_scene && !number; i++)
			for (x = p->scene[i].low; x <= p->scene[i].high && !number; x++)
				if (x && kr_scene_index(kr->d, (uint16_t)x) < 0)
					number = (uint16_t)x;
		if (!number)
			return kr_fail(&kr->err, -ENOSPC, MP_KR_E_FULL, NULL,
				       "no free scene number in this provisioner's scene range%s "
				       "(%s): 'station grow' gives it more", p->n_scene == 1 ? "" : "s",
				       ranges);
	} else if (!kr_in_ranges(p->scene, p->n_scene, number)) {
		return kr_fail(&kr->err, -ERANGE, MP_KR_E_RANGE, NULL,
			       "scene %04X is outside this provisioner's scene range%s (%s)", number,
			       p->n_scene == 1 ? "" : "s", ranges);
	} else if (kr_scene_index(kr->d, number) >= 0) {
		return kr_fail(&kr->err, -EEXIST, MP_KR_E_EXISTS, NULL,
			       "there is a scene %04X already (\"%s\")", number,
			       kr->d->scenes[kr_scene_index(kr->d, number)].name);
	}
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	s = kr_append((void **)&kr->d->scenes, &kr->d->n_scenes, &kr->d->cap_scenes, sizeof(*s));
	if (!s)
		return kr_undo(kr, before, -ENOMEM);
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "");
	s->number = number;
	kr_scenes_sort(kr->d);
	r = kr_finish(kr, before);
	if (!r && out)
		*out = number;
	return r;
}

/* The index of scene @number, or -1 with -ENOENT in kr->err. */
static ssize_t scene_or_fail(struct mp_keyring *kr, uint16_t number)
{
	ssize_t i = kr_scene_index(kr->d, number);

	if (i < 0)
		kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL, "there is no scene %04X", number);
	return i;
}

int mp_keyring_scene_remove(struct mp_keyring *kr, uint16_t number)
{
	struct kr_data *before;
	ssize_t i;
	int r;

	if (!kr)
		return -EINVAL;
	kr_err_clear(&kr->err);
	i = scene_or_fail(kr, number);
	if (i < 0)
		return -ENOENT;
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	kr_scenes_free(&kr->d->scenes[i], 1);
	memmove(&kr->d->scenes[i], &kr->d->scenes[i + 1],
		(kr->d->n_scenes - (size_t)i - 1) * sizeof(*kr->d->scenes));
	kr->d->n_scenes--;
	return kr_finish(kr, before);
}

int mp_keyring_scene_store(struct mp_keyring *kr, uint16_t number, uint16_t addr, bool stored)
{
	struct kr_data *before;
	struct mp_scene *s;
	ssize_t i;
	unsigned k;
	int r;

	if (!kr)
		return -EINVAL;
	kr_err_clear(&kr->err);
	i = scene_or_fail(kr, number);
	if (i < 0)
		return -ENOENT;
	s = &kr->d->scenes[i];
	for (k = 0; k < s->n_addrs && s->addrs[k] != addr; k++)
		;
	if ((k < s->n_addrs) == stored)
		return 0;	/* already so */
	if (stored && kr_node_index(kr->d, addr) < 0)
		return kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
			       "%04X is no element of a node of the network", addr);
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	s = &kr->d->scenes[i];	/* the data may be another copy now: same index */
	if (stored) {
		r = kr_scene_addr_add(s, addr);
		if (r)
			return kr_undo(kr, before, r);
	} else {
		memmove(&s->addrs[k], &s->addrs[k + 1], (s->n_addrs - k - 1u) * sizeof(*s->addrs));
		s->n_addrs--;
	}
	return kr_finish(kr, before);
}
