/* store/keyring: creation, round trips, allocation, the provisioning flow,
 * keys, locking between processes, permissions, damaged files, encryption. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keyring_tu.h"
#include "store/keyring.h"
#include "store/nodes.h"
#include "crypto/crypto.h"

static int setup(void **state)
{
	*state = ktu_fx_new(42);
	assert_non_null(*state);
	return 0;
}

static int teardown(void **state)
{
	ktu_fx_free(*state);
	return 0;
}

static struct mp_keyring *open_ok(struct ktu_fx *f)
{
	return ktu_open_ok(f);
}

static uint8_t *uuid_n(unsigned n)
{
	static uint8_t u[16];

	memset(u, 0xab, sizeof(u));
	u[12] = (uint8_t)(n >> 24);
	u[13] = (uint8_t)(n >> 16);
	u[14] = (uint8_t)(n >> 8);
	u[15] = (uint8_t)n;
	return u;
}

static const uint8_t devkey[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static uint16_t add_node(struct mp_keyring *kr, unsigned n, uint8_t elements)
{
	uint16_t addr = 0;
	int r = mp_keyring_node_add_pending(kr, uuid_n(n), elements, devkey, NULL, &addr);

	if (r)
		fail_msg("add_pending %u: %d %s", n, r, mp_keyring_error(kr));
	return addr;
}

/* ---- Location -------------------------------------------------------------- */

static void test_default_path(void **state)
{
	char out[256];

	assert_int_equal(mp_keyring_default_path("/a/k.json", "/env/k", "/xdg", "/home/u", out,
						 sizeof(out)), 0);
	assert_string_equal(out, "/a/k.json");
	assert_int_equal(mp_keyring_default_path(NULL, "/env/k", "/xdg", "/home/u", out,
						 sizeof(out)), 0);
	assert_string_equal(out, "/env/k");
	assert_int_equal(mp_keyring_default_path("", "", "/xdg", "/home/u", out, sizeof(out)), 0);
	assert_string_equal(out, "/xdg/meshprov/keyring.json");
	/* A relative XDG_DATA_HOME is invalid and ignored. */
	assert_int_equal(mp_keyring_default_path(NULL, NULL, "rel", "/home/u", out, sizeof(out)),
			 0);
	assert_string_equal(out, "/home/u/.local/share/meshprov/keyring.json");
	assert_int_equal(mp_keyring_default_path(NULL, NULL, NULL, NULL, out, sizeof(out)),
			 -ENOENT);
	assert_int_equal(mp_keyring_default_path(NULL, NULL, NULL, "/home/u", out, 10),
			 -ENAMETOOLONG);
}

/* ---- Creation and round trips ------------------------------------------------ */

static void test_create_defaults(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	const struct mp_node *self;
	struct stat st;
	uint8_t zero[16] = { 0 };

	assert_true(mp_keyring_was_created(kr));
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_string_equal(mp_keyring_network_name(kr), "meshprov");
	assert_int_equal(mp_keyring_iv_index(kr), 0);
	assert_false(mp_keyring_iv_update(kr));
	assert_int_equal(mp_keyring_netkey_count(kr), 1);
	assert_int_equal(mp_keyring_netkey_at(kr, 0)->index, 0);
	assert_memory_not_equal(mp_keyring_netkey_at(kr, 0)->key, zero, 16);
	assert_int_equal(mp_keyring_appkey_count(kr), 0);
	assert_int_equal(mp_keyring_self(kr)->n_unicast, 1);
	assert_int_equal(mp_keyring_self(kr)->unicast[0].low, 0x0001);
	assert_int_equal(mp_keyring_self(kr)->unicast[0].high, 0x7fff);
	/* The provisioner's own node holds 0x0001; the first device gets 0x0002. */
	assert_int_equal(mp_keyring_self_address(kr), 0x0001);
	self = mp_keyring_node_find(kr, 1);
	assert_non_null(self);
	assert_true(self->is_self);
	assert_memory_equal(self->uuid, mp_keyring_self(kr)->uuid, 16);
	assert_int_equal(add_node(kr, 1, 1), 0x0002);
	mp_keyring_close(kr);

	kr = open_ok(f);
	assert_false(mp_keyring_was_created(kr));
	assert_int_equal(mp_keyring_node_count(kr), 2);
	mp_keyring_close(kr);
}

static void test_missing_without_create(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring_error err;
	struct mp_keyring *kr = NULL;

	f->o.flags = 0;
	assert_int_equal(mp_keyring_open(f->path, &f->o, &kr, &err), -ENOENT);
	assert_null(kr);
	assert_int_equal(err.kind, MP_KR_E_NOTFOUND);
	assert_non_null(strstr(err.msg, f->path));
	assert_int_equal(access(f->path, F_OK), -1);
}

static void test_create_makes_directories(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = NULL;
	struct stat st;
	char *deep = ktu_path(f->dir, "a/b/keyring.json");
	char *a = ktu_path(f->dir, "a");

	assert_int_equal(mp_keyring_open(deep, &f->o, &kr, NULL), 0);
	mp_keyring_close(kr);
	assert_int_equal(stat(a, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(deep);
	free(a);
}

/* A keyring with something of everything. */
static void populate(struct mp_keyring *kr)
{
	struct mp_node_prov_info info = { .algorithm = "P256-HMAC-SHA256", .oob = "static",
					  .name = "kitchen \"lamp\" \xc3\xa9" };
	uint16_t a;

	assert_int_equal(mp_keyring_netkey_add(kr, 1, NULL), 0);
	assert_int_equal(mp_keyring_appkey_add(kr, 0, 0, NULL), 0);
	assert_int_equal(mp_keyring_appkey_add(kr, 5, 1, NULL), 0);
	assert_int_equal(mp_keyring_netkey_refresh(kr, 1, NULL), 0);
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(1), 3, devkey, &info, &a), 0);
	assert_int_equal(mp_keyring_node_complete(kr, a), 0);
	assert_int_equal(mp_keyring_node_set_key(kr, a, true, 0, true), 0);
	assert_int_equal(mp_keyring_node_set_key(kr, a, false, 1, true), 0);
	assert_int_equal(mp_keyring_node_set_config_complete(kr, a, true), 0);
	add_node(kr, 2, 1);				/* stays pending */
	a = add_node(kr, 3, 2);
	assert_int_equal(mp_keyring_node_abort(kr, a, true), 0);	/* unconfirmed */
	a = add_node(kr, 4, 1);
	assert_int_equal(mp_keyring_node_complete(kr, a), 0);
	assert_int_equal(mp_keyring_set_iv(kr, 7, true), 0);
	assert_int_equal(mp_keyring_node_remove(kr, a), 0);		/* excluded */
	assert_int_equal(mp_keyring_set_network_name(kr, "home"), 0);
}

static void test_roundtrip_file_and_memory(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f), *back;
	char *a, *b;
	size_t alen, blen;

	populate(kr);
	assert_int_equal(mp_keyring_serialize(kr, &a, &alen), 0);
	mp_keyring_close(kr);

	kr = open_ok(f);
	assert_int_equal(mp_keyring_serialize(kr, &b, &blen), 0);
	assert_string_equal(a, b);
	mp_keyring_free_secret(b);

	/* Every field survived. */
	assert_int_equal(mp_keyring_iv_index(kr), 7);
	assert_true(mp_keyring_iv_update(kr));
	assert_string_equal(mp_keyring_network_name(kr), "home");
	assert_int_equal(mp_keyring_netkey(kr, 1)->phase, 1);
	assert_int_equal(mp_keyring_appkey(kr, 5)->net_index, 1);
	assert_int_equal(mp_keyring_node_find(kr, 0x0004)->addr, 0x0002);
	assert_int_equal(mp_keyring_node_find(kr, 0x0002)->elements, 3);
	assert_string_equal(mp_keyring_node_find(kr, 0x0002)->name, "kitchen \"lamp\" \xc3\xa9");
	assert_string_equal(mp_keyring_node_find(kr, 0x0002)->algorithm, "P256-HMAC-SHA256");
	assert_string_equal(mp_keyring_node_find(kr, 0x0002)->oob, "static");
	assert_int_equal(mp_keyring_node_find(kr, 0x0002)->n_app_keys, 1);
	assert_true(mp_keyring_node_find(kr, 0x0002)->config_complete);
	assert_int_equal(mp_keyring_node_find(kr, 0x0005)->state, MP_NODE_PENDING);
	assert_int_equal(mp_keyring_node_find(kr, 0x0006)->state, MP_NODE_UNCONFIRMED);
	assert_null(mp_keyring_node_find(kr, 0x0008));
	assert_true(mp_keyring_is_excluded(kr, 0x0008));
	assert_memory_equal(mp_keyring_node_find(kr, 0x0005)->dev_key, devkey, 16);
	mp_keyring_close(kr);

	/* The in-memory reader gives the same keyring. */
	assert_int_equal(mp_keyring_parse(a, alen, NULL, 0, &back, NULL), 0);
	assert_int_equal(mp_keyring_serialize(back, &b, &blen), 0);
	assert_string_equal(a, b);
	mp_keyring_free_secret(b);
	mp_keyring_close(back);
	mp_keyring_free_secret(a);
}

static void test_backup_is_previous_version(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	char *bak = ktu_path(f->dir, "keyring.json.bak"), *before, *after, *b;

	add_node(kr, 1, 1);
	before = ktu_read(f->path, NULL);
	add_node(kr, 2, 1);
	after = ktu_read(f->path, NULL);
	b = ktu_read(bak, NULL);
	assert_non_null(b);
	assert_string_equal(b, before);
	assert_string_not_equal(after, before);
	free(b);
	free(before);
	free(after);
	free(bak);
	mp_keyring_close(kr);
}

/* A save that fails leaves memory as it was and reports the step. */
static void test_failed_save_rolls_back(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	struct rlimit was, small = { 64, 64 };
	void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
	uint16_t addr = 0;

	/* The temporary file cannot be written in full (even as root): files
	 * may not grow past 64 bytes, and write() fails with EFBIG. */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	small.rlim_max = was.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_true(mp_keyring_node_add_pending(kr, uuid_n(9), 1, devkey, NULL, &addr) < 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, old);
	assert_int_equal(mp_keyring_last_error(kr)->kind, MP_KR_E_IO);
	assert_non_null(strstr(mp_keyring_error(kr), "not changed"));
	assert_int_equal(mp_keyring_node_count(kr), 1);
	assert_null(mp_keyring_node_find_uuid(kr, uuid_n(9)));
	assert_int_equal(add_node(kr, 9, 1), 2);
	mp_keyring_close(kr);
}

/* ---- Allocation ------------------------------------------------------------ */

static void test_alloc_element_counts(void **state)
{
	struct mp_keyring *kr;
	struct ktu_fx *f = *state;
	uint16_t next = 2, a;
	unsigned n;

	assert_int_equal(mp_keyring_new(&f->o, &kr, NULL), 0);
	for (n = 1; n <= 20; n++) {
		assert_int_equal(mp_keyring_alloc_address(kr, (uint8_t)n, &a), 0);
		assert_int_equal(a, next);
		assert_int_equal(add_node(kr, n, (uint8_t)n), next);
		assert_int_equal(mp_keyring_node_find(kr, (uint16_t)(next + n - 1))->addr, next);
		next = (uint16_t)(next + n);
	}
	assert_null(mp_keyring_node_find(kr, next));
	assert_int_equal(mp_keyring_alloc_address(kr, 0, &a), -EINVAL);
	mp_keyring_close(kr);
}

static void test_alloc_range_end_and_gaps(void **state)
{
	struct mp_keyring *kr;
	struct ktu_fx *f = *state;
	uint16_t a, b, c;

	f->o.unicast_low = 0x7ff0;
	f->o.unicast_high = 0x7fff;
	assert_int_equal(mp_keyring_new(&f->o, &kr, NULL), 0);
	assert_int_equal(mp_keyring_self_address(kr), 0x7ff0);
	/* 15 addresses left: 0x7ff1..0x7fff */
	a = add_node(kr, 1, 5);
	b = add_node(kr, 2, 5);
	c = add_node(kr, 3, 5);
	assert_int_equal(a, 0x7ff1);
	assert_int_equal(b, 0x7ff6);
	assert_int_equal(c, 0x7ffb);
	assert_int_equal(mp_keyring_node_find(kr, 0x7fff)->addr, c);
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(4), 1, devkey, NULL, &a), -ENOSPC);
	assert_int_equal(mp_keyring_last_error(kr)->kind, MP_KR_E_FULL);
	assert_non_null(strstr(mp_keyring_error(kr), "7FF0-7FFF"));
	/* Free b with the Data never sent: its 5 addresses are free again, but
	 * a block of 6 still does not fit. */
	assert_int_equal(mp_keyring_node_abort(kr, b, false), 0);
	assert_int_equal(mp_keyring_alloc_address(kr, 6, &a), -ENOSPC);
	assert_int_equal(add_node(kr, 5, 2), 0x7ff6);
	assert_int_equal(add_node(kr, 6, 3), 0x7ff8);
	mp_keyring_close(kr);
}

static void test_alloc_explicit_address(void **state)
{
	struct mp_keyring *kr;
	struct ktu_fx *f = *state;
	struct mp_node_prov_info info = { .addr = 0x0100 };
	uint16_t a;

	assert_int_equal(mp_keyring_new(&f->o, &kr, NULL), 0);
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(1), 4, devkey, &info, &a), 0);
	assert_int_equal(a, 0x0100);
	info.addr = 0x0103;
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(2), 1, devkey, &info, &a),
			 -EADDRINUSE);
	info.addr = 0x00fe;
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(2), 3, devkey, &info, &a),
			 -EADDRINUSE);
	info.addr = 0x7fff;
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(2), 2, devkey, &info, &a),
			 -ERANGE);
	info.addr = 0x0001;	/* the provisioner's own */
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(2), 1, devkey, &info, &a),
			 -EADDRINUSE);
	/* Allocation goes around the explicit block. */
	assert_int_equal(mp_keyring_alloc_address(kr, 0xfe, &a), 0);
	assert_int_equal(a, 0x0002);
	assert_int_equal(mp_keyring_alloc_address(kr, 0xff, &a), 0);
	assert_int_equal(a, 0x0104);
	mp_keyring_close(kr);
}

static void test_exclusion_until_iv_advances_by_two(void **state)
{
	struct mp_keyring *kr;
	struct ktu_fx *f = *state;
	uint16_t a, b;

	f->o.unicast_high = 0x0004;
	f->o.unicast_low = 0x0001;
	assert_int_equal(mp_keyring_new(&f->o, &kr, NULL), 0);
	assert_int_equal(mp_keyring_set_iv(kr, 10, false), 0);
	a = add_node(kr, 1, 3);		/* 2..4: the range is full */
	assert_int_equal(mp_keyring_node_complete(kr, a), 0);
	assert_int_equal(mp_keyring_node_remove(kr, a), 0);
	assert_int_equal(mp_keyring_exclusion_count(kr), 3);
	assert_int_equal(mp_keyring_exclusion_at(kr, 0)->iv_index, 10);
	assert_true(mp_keyring_is_excluded(kr, 3));
	assert_int_equal(mp_keyring_alloc_address(kr, 1, &b), -ENOSPC);
	assert_int_equal(mp_keyring_set_iv(kr, 11, true), 0);	/* IV Update in progress */
	assert_int_equal(mp_keyring_alloc_address(kr, 1, &b), -ENOSPC);
	assert_int_equal(mp_keyring_set_iv(kr, 11, false), 0);
	assert_int_equal(mp_keyring_alloc_address(kr, 1, &b), -ENOSPC);
	assert_int_equal(mp_keyring_set_iv(kr, 12, true), 0);
	assert_false(mp_keyring_is_excluded(kr, 3));
	assert_int_equal(mp_keyring_exclusion_count(kr), 0);	/* dropped */
	assert_int_equal(add_node(kr, 2, 3), 2);
	assert_int_equal(mp_keyring_set_iv(kr, 11, false), -EINVAL);	/* never back */
	mp_keyring_close(kr);
}

/* ---- Provisioning flow -------------------------------------------------------- */

/*
 * Issue 12's reproduction: a device that authenticates, claims 255
 * elements and never sends Provisioning Complete keeps its block as
 * UNCONFIRMED; 254 such attempts used all of 0x0001-0x7FFF. Now the same
 * device retrying takes back its own block, and other devices are refused
 * (-EDQUOT) once MP_KEYRING_DEFAULT_UNCONFIRMED_MAX were left unconfirmed
 * in this run; the range keeps room.
 */
static void test_unconfirmed_blocks_are_bounded(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr;
	uint16_t a, first = 0;
	unsigned i, refused = 0;
	int r;

	/* One device, 254 attempts: always the same block. */
	assert_int_equal(mp_keyring_new(&f->o, &kr, NULL), 0);
	for (i = 0; i < 254; i++) {
		assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(1), 255, devkey, NULL, &a), 0);
		if (!i)
			first = a;
		assert_int_equal(a, first);
		assert_int_equal(mp_keyring_node_abort(kr, a, true), 0);
	}
	assert_int_equal(mp_keyring_node_count(kr), 2);	/* itself and the device */
	assert_int_equal(mp_keyring_exclusion_count(kr), 0);
	mp_keyring_close(kr);

	/* 254 devices: the first ones are recorded, then refused. */
	assert_int_equal(mp_keyring_new(&f->o, &kr, NULL), 0);
	for (i = 0; i < 254; i++) {
		r = mp_keyring_node_add_pending(kr, uuid_n(100 + i), 255, devkey, NULL, &a);
		if (r == -EDQUOT) {
			refused++;
			continue;
		}
		assert_int_equal(r, 0);
		assert_int_equal(mp_keyring_node_abort(kr, a, true), 0);
	}
	assert_int_equal(refused, 254 - MP_KEYRING_DEFAULT_UNCONFIRMED_MAX);
	assert_non_null(strstr(mp_keyring_error(kr), "unconfirmed"));
	/* The range is far from used up: a device that completes still gets
	 * 255 addresses, and a device already left unconfirmed may retry. */
	assert_int_equal(mp_keyring_alloc_address(kr, 255, &a), 0);
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(100), 255, devkey, NULL, &a), 0);
	assert_int_equal(mp_keyring_node_complete(kr, a), 0);
	/* No other device gets addresses; without a limit it does, and one that
	 * fails before its Data left is not counted. */
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(999), 1, devkey, NULL, &a), -EDQUOT);
	mp_keyring_set_unconfirmed_max(kr, 0);		/* no limit */
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(999), 1, devkey, NULL, &a), 0);
	assert_int_equal(mp_keyring_node_abort(kr, a, false), 0);
	mp_keyring_set_unconfirmed_max(kr, MP_KEYRING_DEFAULT_UNCONFIRMED_MAX + 1);
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(998), 1, devkey, NULL, &a), 0);
	assert_int_equal(mp_keyring_node_abort(kr, a, true), 0);
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(997), 1, devkey, NULL, &a),
			 -EDQUOT);
	mp_keyring_close(kr);
}

static void test_pending_complete_abort(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	const struct mp_node *n;
	uint16_t a, b;

	a = add_node(kr, 1, 2);
	/* Saved before returning: a second reader sees the pending node. */
	mp_keyring_close(kr);
	kr = open_ok(f);
	n = mp_keyring_node_find(kr, a);
	assert_non_null(n);
	assert_int_equal(n->state, MP_NODE_PENDING);
	assert_memory_equal(n->dev_key, devkey, 16);
	assert_int_equal(n->provisioned_at, 1700000000);

	f->clk.t = 1700000100;
	assert_int_equal(mp_keyring_node_complete(kr, a), 0);
	assert_int_equal(mp_keyring_node_find(kr, a)->state, MP_NODE_COMPLETE);
	assert_int_equal(mp_keyring_node_find(kr, a)->provisioned_at, 1700000100);
	assert_int_equal(mp_keyring_node_complete(kr, a), -EALREADY);
	assert_int_equal(mp_keyring_node_abort(kr, a, false), -EINVAL);
	/* Same device again while complete: refused. */
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid_n(1), 1, devkey, NULL, &b), -EEXIST);
	assert_non_null(strstr(mp_keyring_error(kr), "0002"));

	/* Failed before the Data left: the address is free at once. */
	b = add_node(kr, 2, 1);
	assert_int_equal(b, 4);
	assert_int_equal(mp_keyring_node_abort(kr, b, false), 0);
	assert_null(mp_keyring_node_find(kr, b));
	assert_false(mp_keyring_is_excluded(kr, b));
	assert_int_equal(add_node(kr, 3, 1), 4);

	/* Failed after the Data left: kept, never handed out again. */
	assert_int_equal(mp_keyring_node_abort(kr, 4, true), 0);
	assert_int_equal(mp_keyring_node_find(kr, 4)->state, MP_NODE_UNCONFIRMED);
	assert_int_equal(add_node(kr, 4, 1), 5);
	/* Retrying the unconfirmed device: a new record that takes back the
	 * device's own block (issue 12), nothing excluded. */
	assert_int_equal(add_node(kr, 3, 1), 4);
	assert_int_equal(mp_keyring_node_find(kr, 4)->state, MP_NODE_PENDING);
	assert_false(mp_keyring_is_excluded(kr, 4));
	assert_int_equal(mp_keyring_node_find_uuid(kr, uuid_n(3))->addr, 4);
	/* Claiming more than fits there (5 is taken): a new block, the old
	 * one excluded as before. */
	assert_int_equal(mp_keyring_node_abort(kr, 4, true), 0);
	assert_int_equal(add_node(kr, 3, 2), 6);
	assert_null(mp_keyring_node_find(kr, 4));
	assert_true(mp_keyring_is_excluded(kr, 4));
	assert_int_equal(mp_keyring_node_find_uuid(kr, uuid_n(3))->addr, 6);

	/* The provisioner itself cannot be removed or re-added. */
	assert_int_equal(mp_keyring_node_remove(kr, 1), -EPERM);
	assert_int_equal(mp_keyring_node_add_pending(kr, mp_keyring_self(kr)->uuid, 1, devkey,
						     NULL, &b), -EINVAL);
	assert_int_equal(mp_keyring_node_remove(kr, 0x0999), -ENOENT);
	assert_int_equal(mp_keyring_node_rename(kr, 6, "hall"), 0);
	assert_string_equal(mp_keyring_node_find(kr, 6)->name, "hall");
	assert_int_equal(mp_keyring_node_rename(kr, 6, "bad\nname"), -EINVAL);
	mp_keyring_close(kr);
}

static void test_batch_saves_once(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	char *before = ktu_read(f->path, NULL), *mid, *after;

	mp_keyring_begin(kr);
	add_node(kr, 1, 1);
	add_node(kr, 2, 1);
	mid = ktu_read(f->path, NULL);
	assert_string_equal(before, mid);	/* nothing durable inside a batch */
	assert_int_equal(mp_keyring_commit(kr), 0);
	after = ktu_read(f->path, NULL);
	assert_string_not_equal(before, after);
	assert_non_null(strstr(after, "abababababababababababab00000002"));
	free(before);
	free(mid);
	free(after);
	mp_keyring_close(kr);
}

/* ---- Keys ----------------------------------------------------------------------- */

/* Two subnets with one key would be one subnet to every node (same NID,
 * same network keys): a value already held, as a key or as the old key of
 * a key refresh, is refused for another index. */
static void test_netkey_value_shared(void **state)
{
	struct mp_keyring *kr;
	struct ktu_fx *f = *state;
	const uint8_t k[16] = { 0xaa }, k2[16] = { 0xbb };
	uint8_t k0[16];

	assert_int_equal(mp_keyring_new(&f->o, &kr, NULL), 0);
	memcpy(k0, mp_keyring_netkey(kr, 0)->key, 16);
	assert_int_equal(mp_keyring_netkey_add(kr, 1, k0), -EEXIST);
	assert_int_equal(mp_keyring_last_error(kr)->kind, MP_KR_E_EXISTS);
	assert_non_null(strstr(mp_keyring_last_error(kr)->msg, "already NetKey 0's"));
	assert_null(mp_keyring_netkey(kr, 1));
	assert_int_equal(mp_keyring_netkey_add(kr, 1, k), 0);
	/* a refresh to another subnet's key, or to the key it has */
	assert_int_equal(mp_keyring_netkey_refresh(kr, 0, k), -EEXIST);
	assert_int_equal(mp_keyring_netkey_refresh(kr, 1, k), -EEXIST);
	assert_int_equal(mp_keyring_netkey(kr, 0)->phase, 0);
	/* during a refresh the old key is still in use */
	assert_int_equal(mp_keyring_netkey_refresh(kr, 0, k2), 0);
	assert_int_equal(mp_keyring_netkey_add(kr, 2, k0), -EEXIST);
	assert_int_equal(mp_keyring_netkey_add(kr, 2, k2), -EEXIST);
	/* once it is over, the old value is free again */
	assert_int_equal(mp_keyring_netkey_set_phase(kr, 0, 0), 0);
	assert_int_equal(mp_keyring_netkey_add(kr, 2, k0), 0);
	mp_wipe(k0, sizeof(k0));
	mp_keyring_close(kr);
}

static void test_keys(void **state)
{
	struct mp_keyring *kr;
	struct ktu_fx *f = *state;
	const uint8_t k[16] = { 0xaa };
	uint8_t old[16];
	char buf[MP_KEY_STR_LEN];
	uint16_t a;

	assert_int_equal(mp_keyring_new(&f->o, &kr, NULL), 0);
	assert_int_equal(mp_keyring_netkey_add(kr, 0x1000, k), -EINVAL);
	assert_int_equal(mp_keyring_netkey_add(kr, 0, k), -EEXIST);
	assert_int_equal(mp_keyring_netkey_add(kr, 0xfff, k), 0);
	assert_memory_equal(mp_keyring_netkey(kr, 0xfff)->key, k, 16);
	assert_string_equal(mp_keyring_netkey(kr, 0xfff)->name, "NetKey 4095");
	assert_int_equal(mp_keyring_appkey_add(kr, 1, 7, NULL), -ENOENT);
	assert_int_equal(mp_keyring_appkey_add(kr, 1, 0xfff, NULL), 0);
	assert_int_equal(mp_keyring_netkey_del(kr, 0xfff), -EBUSY);
	assert_int_equal(mp_keyring_last_error(kr)->kind, MP_KR_E_IN_USE);
	assert_int_equal(mp_keyring_appkey_del(kr, 1), 0);
	assert_int_equal(mp_keyring_appkey_del(kr, 1), -ENOENT);
	assert_int_equal(mp_keyring_netkey_del(kr, 0xfff), 0);
	assert_int_equal(mp_keyring_netkey_del(kr, 0), -EPERM);	/* the last one */

	/* Key refresh: 0 -> 1 -> 2 -> 0 */
	memcpy(old, mp_keyring_netkey(kr, 0)->key, 16);
	assert_int_equal(mp_keyring_netkey_set_phase(kr, 0, 2), -EINVAL);
	assert_int_equal(mp_keyring_netkey_refresh(kr, 0, k), 0);
	assert_int_equal(mp_keyring_netkey_refresh(kr, 0, k), -EALREADY);
	assert_memory_equal(mp_keyring_netkey(kr, 0)->old_key, old, 16);
	assert_memory_equal(mp_keyring_netkey(kr, 0)->key, k, 16);
	assert_int_equal(mp_keyring_netkey_set_phase(kr, 0, 2), 0);
	assert_int_equal(mp_keyring_netkey_set_phase(kr, 0, 1), -EINVAL);
	assert_int_equal(mp_keyring_netkey_set_phase(kr, 0, 3), 0);
	assert_int_equal(mp_keyring_netkey(kr, 0)->phase, 0);

	/* Nodes' key lists */
	a = add_node(kr, 1, 1);
	assert_int_equal(mp_keyring_node_set_key(kr, a, false, 0, true), -EALREADY);
	assert_int_equal(mp_keyring_node_set_key(kr, a, true, 3, true), -ENOENT);
	assert_int_equal(mp_keyring_netkey_add(kr, 2, NULL), 0);
	assert_int_equal(mp_keyring_node_set_key(kr, a, false, 2, true), 0);
	assert_int_equal(mp_keyring_netkey_del(kr, 2), -EBUSY);
	assert_int_equal(mp_keyring_node_set_key(kr, a, false, 2, false), 0);
	assert_int_equal(mp_keyring_netkey_del(kr, 2), 0);

	/* Keys are shown only when asked. */
	assert_string_equal(mp_keyring_key_str(k, false, buf), "(hidden)");
	assert_string_equal(mp_keyring_key_str(k, true, buf), "aa000000000000000000000000000000");
	mp_keyring_close(kr);
}

/* Key names: profiles refer to AppKeys by them, so they are unique, saved,
 * and a refused name changes nothing. */
static void test_key_names(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	const char *err;

	assert_int_equal(mp_keyring_appkey_add_named(kr, 0, 0, NULL, "building"), 0);
	assert_string_equal(mp_keyring_appkey(kr, 0)->name, "building");
	assert_int_equal(mp_keyring_appkey_add_named(kr, 2, 0, NULL, "building"), -EEXIST);
	err = mp_keyring_last_error(kr)->msg;
	assert_non_null(strstr(err, "AppKey 0x000"));
	assert_null(mp_keyring_appkey(kr, 2));
	assert_int_equal(mp_keyring_appkey_add(kr, 2, 0, NULL), 0);
	assert_string_equal(mp_keyring_appkey(kr, 2)->name, "AppKey 2");
	assert_int_equal(mp_keyring_appkey_rename(kr, 2, "building"), -EEXIST);
	assert_string_equal(mp_keyring_appkey(kr, 2)->name, "AppKey 2");
	assert_int_equal(mp_keyring_appkey_rename(kr, 0, "building"), 0);	/* its own */
	assert_int_equal(mp_keyring_appkey_rename(kr, 2, ""), -EINVAL);
	assert_int_equal(mp_keyring_appkey_rename(kr, 2, "a\tb"), -EINVAL);
	assert_int_equal(mp_keyring_appkey_rename(kr, 2, "a\xc2\x9b" "b"), -EINVAL); /* C1 CSI */
	assert_int_equal(mp_keyring_appkey_rename(kr, 2, "\xff"), -EINVAL);
	assert_int_equal(mp_keyring_appkey_rename(kr, 7, "x"), -ENOENT);
	assert_int_equal(mp_keyring_appkey_rename(kr, 2, "salle \xc3\xa0 manger"), 0);
	/* A default name another key took is not given twice. */
	assert_int_equal(mp_keyring_appkey_rename(kr, 0, "AppKey 5"), 0);
	assert_int_equal(mp_keyring_appkey_add(kr, 5, 0, NULL), 0);
	assert_string_equal(mp_keyring_appkey(kr, 5)->name, "AppKey 5 (2)");
	/* NetKeys: unique among NetKeys, apart from AppKeys' names. */
	assert_int_equal(mp_keyring_netkey_rename(kr, 0, "building"), 0);
	assert_int_equal(mp_keyring_netkey_add_named(kr, 1, NULL, "building"), -EEXIST);
	assert_int_equal(mp_keyring_netkey_add_named(kr, 1, NULL, "spare"), 0);
	assert_int_equal(mp_keyring_netkey_rename(kr, 1, "building"), -EEXIST);
	assert_int_equal(mp_keyring_netkey_rename(kr, 9, "x"), -ENOENT);
	mp_keyring_close(kr);

	/* Saved. */
	kr = open_ok(f);
	assert_string_equal(mp_keyring_appkey(kr, 0)->name, "AppKey 5");
	assert_string_equal(mp_keyring_appkey(kr, 2)->name, "salle \xc3\xa0 manger");
	assert_string_equal(mp_keyring_netkey(kr, 0)->name, "building");
	assert_string_equal(mp_keyring_netkey(kr, 1)->name, "spare");
	mp_keyring_close(kr);
}

/* ---- Lock ------------------------------------------------------------------------- */

static void test_lock_same_process(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f), *kr2 = NULL;
	struct mp_keyring_error err;

	assert_int_equal(mp_keyring_open(f->path, &f->o, &kr2, &err), -EBUSY);
	assert_null(kr2);
	assert_int_equal(err.kind, MP_KR_E_LOCKED);
	assert_int_equal(err.holder_pid, getpid());
	mp_keyring_close(kr);
	kr = open_ok(f);
	mp_keyring_close(kr);
}

/* Children are forked before the parent opens the keyring: a forked child
 * shares the parent's open file descriptions, and with them an OFD lock. */
static void test_lock_between_processes(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr;
	int go[2], res[2], status, r = 0, has = 0;
	char msg[64] = "", c = 'g';
	long pid = 0;
	pid_t child;
	ssize_t n;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(res), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct mp_keyring *k2 = NULL;
		struct mp_keyring_error err;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		r = mp_keyring_open(f->path, &f->o, &k2, &err);
		dprintf(res[1], "%d %ld %d", r, (long)err.holder_pid,
			strstr(err.msg, "PID") != NULL);
		_exit(0);
	}
	close(go[0]);
	close(res[1]);
	kr = open_ok(f);
	assert_int_equal(write(go[1], &c, 1), 1);
	n = read(res[0], msg, sizeof(msg) - 1);
	assert_true(n > 0);
	close(res[0]);
	close(go[1]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(sscanf(msg, "%d %ld %d", &r, &pid, &has), 3);
	assert_int_equal(r, -EBUSY);
	assert_int_equal(pid, getpid());
	assert_int_equal(has, 1);
	mp_keyring_close(kr);
}

static void test_lock_wait(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr;
	int go[2], status;
	pid_t child;
	char c = 'g';

	assert_int_equal(pipe(go), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct mp_keyring *k2 = NULL;
		struct mp_keyring_opts o = f->o;
		uint16_t a;

		o.flags |= MP_KEYRING_WAIT;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		if (mp_keyring_open(f->path, &o, &k2, NULL))
			_exit(1);
		/* It sees what the first holder wrote before closing. */
		if (!mp_keyring_node_find_uuid(k2, uuid_n(77)))
			_exit(2);
		if (mp_keyring_node_add_pending(k2, uuid_n(78), 1, devkey, NULL, &a))
			_exit(4);
		mp_keyring_close(k2);
		_exit(0);
	}
	close(go[0]);
	kr = open_ok(f);
	assert_int_equal(write(go[1], &c, 1), 1);
	close(go[1]);
	add_node(kr, 77, 1);
	mp_keyring_close(kr);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	kr = open_ok(f);
	assert_non_null(mp_keyring_node_find_uuid(kr, uuid_n(78)));
	mp_keyring_close(kr);
}

/* ---- Permissions -------------------------------------------------------------------- */

static void test_refuses_group_or_other_access(void **state)
{
	static const mode_t modes[] = { 0644, 0640, 0604, 0660, 0610, 0601 };
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	struct mp_keyring_error err;
	char fix[512], *before, *after;
	size_t i;

	mp_keyring_close(kr);
	before = ktu_read(f->path, NULL);
	snprintf(fix, sizeof(fix), "chmod 600 %s", f->path);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(f->path, modes[i]), 0);
		kr = NULL;
		assert_int_equal(mp_keyring_open(f->path, &f->o, &kr, &err), -EACCES);
		assert_null(kr);
		assert_int_equal(err.kind, MP_KR_E_MODE);
		assert_non_null(strstr(err.msg, fix));
	}
	after = ktu_read(f->path, NULL);
	assert_string_equal(before, after);
	assert_int_equal(chmod(f->path, 0600), 0);
	kr = open_ok(f);
	mp_keyring_close(kr);
	free(before);
	free(after);
}

static void test_refuses_other_owner(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr;
	char *json;
	size_t len;
	int status;
	pid_t child;

	if (geteuid() != 0) {
		/* Without root we cannot make a file owned by someone else that we
		 * can still read; the check is exercised when the suite runs as root. */
		skip();
	}
	assert_int_equal(mp_keyring_new(&f->o, &kr, NULL), 0);
	assert_int_equal(mp_keyring_serialize(kr, &json, &len), 0);
	mp_keyring_close(kr);

	/* Root may open a keyring that belongs to another user, and its saves
	 * leave the keyring, its backup and the lock file that user's. */
	assert_int_equal(ktu_write(f->path, json, len, 0600), 0);
	assert_int_equal(chown(f->path, 65534, 65534), 0);
	assert_int_equal(chown(f->dir, 65534, 65534), 0);
	kr = open_ok(f);
	add_node(kr, 1, 1);
	mp_keyring_close(kr);
	{
		const char *names[] = { "keyring.json", "keyring.json.bak", "keyring.json.lock" };
		struct stat st;
		size_t i;

		for (i = 0; i < 3; i++) {
			char *p = ktu_path(f->dir, names[i]);

			assert_int_equal(lstat(p, &st), 0);
			assert_int_equal(st.st_uid, 65534);
			assert_int_equal(st.st_mode & 0777, 0600);
			free(p);
		}
	}
	assert_int_equal(chown(f->dir, 0, 0), 0);

	/* Another user is refused a keyring that belongs to root, even one it
	 * can read (mode 0606 lets "others" read it; the owner check speaks
	 * first and names the fix). The directory is that user's (one others
	 * could write would be refused before the file is looked at). */
	assert_int_equal(chown(f->path, 0, 0), 0);
	assert_int_equal(chmod(f->path, 0606), 0);
	assert_int_equal(chown(f->dir, 65534, 65534), 0);
	{
		char *lock = ktu_path(f->dir, "keyring.json.lock");

		unlink(lock);	/* root's lock file would not be writable by the child */
		free(lock);
	}
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct mp_keyring_error err;
		struct mp_keyring *k2 = NULL;
		int r;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		r = mp_keyring_open(f->path, &f->o, &k2, &err);
		if (r != -EACCES)
			_exit(11);
		if (err.kind != MP_KR_E_OWNER)
			_exit(12);
		if (!strstr(err.msg, "chown 65534"))
			_exit(13);
		_exit(0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	mp_keyring_free_secret(json);
}

static void test_refuses_symlink(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	struct mp_keyring_error err;
	char *link = ktu_path(f->dir, "link.json");

	mp_keyring_close(kr);
	assert_int_equal(symlink(f->path, link), 0);
	kr = NULL;
	assert_int_equal(mp_keyring_open(link, &f->o, &kr, &err), -ELOOP);
	assert_int_equal(err.kind, MP_KR_E_SYMLINK);
	free(link);
}

/* ---- Damaged files ------------------------------------------------------------------------ */

/* The file @json, opened: must fail with -EBADMSG and @kind, name @field
 * (when given), leave the file untouched and offer the backup. */
static void expect_damaged(struct ktu_fx *f, const char *json, enum mp_kr_errkind kind,
			   const char *field)
{
	struct mp_keyring_error err;
	struct mp_keyring *kr = NULL;
	char *after;
	int r;

	assert_int_equal(ktu_write(f->path, json, strlen(json), 0600), 0);
	r = mp_keyring_open(f->path, &f->o, &kr, &err);
	if (r != -EBADMSG || err.kind != kind)
		fail_msg("expected kind %d, got %d/%d: %s\n--- for:\n%.400s", kind, r, err.kind,
			 err.msg, field ? field : "-");
	assert_null(kr);
	if (field && strcmp(err.field, field))
		fail_msg("expected field %s, got %s (%s)", field, err.field, err.msg);
	assert_non_null(strstr(err.msg, f->path));
	assert_non_null(strstr(err.msg, "keyring.json.bak"));
	assert_non_null(strstr(err.msg, "untouched"));
	after = ktu_read(f->path, NULL);
	assert_string_equal(after, json);
	free(after);
}

static char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);

	if (!p || !out)
		fail_msg("'%s' not in the sample", from);
	snprintf(out, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return out;
}

static void test_damaged_files(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	char *good, *bad;
	const char *key_hex = "\"deviceKey\": \"0102030405060708090a0b0c0d0e0f10\"";
	size_t len = 0, cut, last;
	struct {
		const char *from, *to;
		enum mp_kr_errkind kind;
		const char *field;
	} cases[] = {
		{ "\"meshprov-keyring\": 2", "\"meshprov-keyring\": 3", MP_KR_E_VERSION,
		  "meshprov-keyring" },
		{ "\"meshprov-keyring\": 2", "\"meshprov-keyring\": 0", MP_KR_E_VERSION,
		  "meshprov-keyring" },
		{ "\"meshprov-keyring\": 2", "\"meshprov-keyring\": \"2\"", MP_KR_E_VERSION,
		  "meshprov-keyring" },
		{ "\"meshprov-keyring\": 2", "\"keyring\": 2", MP_KR_E_VERSION,
		  "meshprov-keyring" },
		{ "\"seqNext\": 0", "\"seqNext\": 16777217", MP_KR_E_VALUE, "seqNext" },
		{ "\"seqNext\": 0", "\"seqNxt\": 0", MP_KR_E_FIELD, "seqNext" },
		{ "\"ivChanged\": ", "\"ivChanged\": -", MP_KR_E_VALUE, "ivChanged" },
		{ "\"ivChanged\": ", "\"ivChangd\": ", MP_KR_E_FIELD, "ivChanged" },
		{ "\"meshUUID\"", "\"meshUUUID\"", MP_KR_E_FIELD, "meshUUID" },
		{ "\"nodes\"", "\"nodez\"", MP_KR_E_FIELD, "nodes" },
		{ "\"ivIndex\": 0", "\"ivIndex\": \"0\"", MP_KR_E_FIELD, "ivIndex" },
		{ "\"ivIndex\": 0", "\"ivIndex\": -1", MP_KR_E_VALUE, "ivIndex" },
		{ "\"ivIndex\": 0", "\"ivIndex\": 4294967296", MP_KR_E_VALUE, "ivIndex" },
		{ "\"ivIndex\": 0", "\"ivIndex\": 1.5", MP_KR_E_FIELD, "ivIndex" },
		{ "\"elements\": 2", "\"elements\": 0", MP_KR_E_VALUE, "nodes[1].elements" },
		{ "\"elements\": 2", "\"elements\": true", MP_KR_E_FIELD, "nodes[1].elements" },
		{ "\"state\": \"pending\"", "\"state\": \"done\"", MP_KR_E_VALUE,
		  "nodes[1].state" },
		{ "\"unicastAddress\": \"0004\"", "\"unicastAddress\": \"0003\"",
		  MP_KR_E_DUPLICATE, "nodes[2].unicastAddress" },
		{ "\"unicastAddress\": \"0004\"", "\"unicastAddress\": \"0001\"",
		  MP_KR_E_DUPLICATE, "nodes[2].unicastAddress" },
		{ "\"unicastAddress\": \"0004\"", "\"unicastAddress\": \"8004\"", MP_KR_E_VALUE,
		  "nodes[2]" },
		{ "\"unicastAddress\": \"0004\"", "\"unicastAddress\": \"04\"", MP_KR_E_VALUE,
		  "nodes[2].unicastAddress" },
		{ "\"unicastAddress\": \"0004\"", "\"unicastAddress\": 4", MP_KR_E_FIELD,
		  "nodes[2].unicastAddress" },
		{ "\"UUID\": \"", "\"UUID\": \"x", MP_KR_E_VALUE, "provisioners[0].UUID" },
		{ "\"self\": \"", "\"self\": \"0", MP_KR_E_VALUE, "self" },
		{ "\"deviceKey\"", "\"deviceKey\": null, \"x\"", MP_KR_E_FIELD,
		  "nodes[0].deviceKey" },
		{ "\"name\": \"meshprov\"", "\"name\": \"a\\u0000b\"", MP_KR_E_VALUE,
		  "provisioners[0].name" },
		{ "\"low\": \"0001\"", "\"low\": \"9000\"", MP_KR_E_VALUE,
		  "provisioners[0].unicast[0]" },
		{ "\"boundNetKey\": 0", "\"boundNetKey\": 9", MP_KR_E_REFERENCE,
		  "appKeys[0].boundNetKey" },
		{ "\"netKeys\": [ 0 ]", "\"netKeys\": [ 0, 0 ]", MP_KR_E_DUPLICATE,
		  "nodes[0].netKeys[1]" },
		{ "\"netKeys\": [ 0 ]", "\"netKeys\": [ 1 ]", MP_KR_E_REFERENCE,
		  "nodes[0].netKeys[0]" },
		{ "{ \"name\": \"NetKey 0\", \"index\": 0",
		  "{ \"name\": \"NetKey 0\", \"index\": 0, \"key\": \"00\" }, { \"name\":"
		  " \"NetKey 0\", \"index\": 0", MP_KR_E_VALUE, "netKeys[0].key" },
		{ "\"nodes\": [", "\"nodes\": [ 5,", MP_KR_E_FIELD, "nodes[0]" },
		{ "\"exclusions\": [", "\"exclusions\": [ { \"ivIndex\": 0, \"addresses\": "
		  "[ \"0004\" ] }", MP_KR_E_DUPLICATE, "exclusions" },
		{ "\"phase\": 0", "\"phase\": 3", MP_KR_E_VALUE, "netKeys[0].phase" },
		{ "\"phase\": 0", "\"phase\": 1", MP_KR_E_FIELD, "netKeys[0].oldKey" },
		{ "\"provisioners\": [", "\"provisioners\": 7, \"x\": [", MP_KR_E_FIELD,
		  "provisioners" },
	};
	size_t i;

	add_node(kr, 1, 2);		/* nodes: self 0001, 0002-0003, 0004 */
	add_node(kr, 2, 1);
	assert_int_equal(mp_keyring_appkey_add(kr, 0, 0, NULL), 0);
	mp_keyring_close(kr);		/* keyring.json.bak exists now */
	good = ktu_read(f->path, &len);
	assert_non_null(good);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad = replace(good, cases[i].from, cases[i].to);
		expect_damaged(f, bad, cases[i].kind, cases[i].field);
		free(bad);
	}

	/* A key with a non-hex digit, or one digit short. */
	bad = replace(good, key_hex, "\"deviceKey\": \"0102030405060708090a0b0c0d0e0f1g\"");
	expect_damaged(f, bad, MP_KR_E_VALUE, "nodes[1].deviceKey");
	free(bad);
	bad = replace(good, key_hex, "\"deviceKey\": \"0102030405060708090a0b0c0d0e0f1\"");
	expect_damaged(f, bad, MP_KR_E_VALUE, "nodes[1].deviceKey");
	free(bad);
	/* The same device twice. */
	bad = replace(good, "abababababababababababab00000002", "abababababababababababab00000001");
	expect_damaged(f, bad, MP_KR_E_DUPLICATE, "nodes[2].UUID");
	free(bad);

	/* Not JSON at all, empty, trailing garbage, a CDB instead of a keyring. */
	expect_damaged(f, "hello", MP_KR_E_SYNTAX, NULL);
	expect_damaged(f, "", MP_KR_E_SYNTAX, NULL);
	expect_damaged(f, "[1, 2]", MP_KR_E_VERSION, NULL);
	bad = replace(good, "\n}", "\n} x");
	expect_damaged(f, bad, MP_KR_E_SYNTAX, NULL);
	free(bad);
	expect_damaged(f, "{ \"$schema\": \"x\", \"nodes\": [] }", MP_KR_E_VERSION, NULL);

	/* Truncated at every offset up to the last brace. */
	last = (size_t)(strrchr(good, '}') - good);
	for (cut = 0; cut <= last; cut++) {
		char save = good[cut];

		good[cut] = '\0';
		expect_damaged(f, good, MP_KR_E_SYNTAX, NULL);
		good[cut] = save;
	}
	/* The message of a truncated file says where. */
	{
		struct mp_keyring_error err;

		assert_int_equal(mp_keyring_parse(good, last / 2, NULL, 0, &kr, &err), -EBADMSG);
		assert_non_null(strstr(err.msg, "truncated"));
		assert_int_equal(err.offset, last / 2);
	}
	/* The untouched good file opens again. */
	assert_int_equal(ktu_write(f->path, good, len, 0600), 0);
	kr = open_ok(f);
	mp_keyring_close(kr);
	free(good);
}

static void test_damaged_without_backup(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring_error err;
	struct mp_keyring *kr = NULL;

	assert_int_equal(ktu_write(f->path, "{", 1, 0600), 0);
	assert_int_equal(mp_keyring_open(f->path, &f->o, &kr, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "no backup"));
}

static void test_error_messages_hide_keys(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	struct mp_keyring_error err;
	char *good, *bad;

	add_node(kr, 1, 1);
	mp_keyring_close(kr);
	good = ktu_read(f->path, NULL);
	/* Wrong length key: the message must not echo it. */
	bad = replace(good, "0102030405060708090a0b0c0d0e0f10",
		      "0102030405060708090a0b0c0d0e0f10ff");
	assert_int_equal(mp_keyring_parse(bad, strlen(bad), NULL, 0, &kr, &err), -EBADMSG);
	assert_null(strstr(err.msg, "0102030405060708"));
	free(bad);
	free(good);
}

/* ---- Encryption ------------------------------------------------------------------------------ */

static void test_encryption(void **state)
{
	struct ktu_fx *f = *state;
	const uint8_t pass[] = "correct horse battery staple";
	const uint8_t wrong[] = "correct horse battery stapler";
	struct mp_keyring_error err;
	struct mp_keyring *kr;
	char *file, *plain, *b, hex[33], *tampered;
	size_t len = 0;
	int r;

	f->o.passphrase = pass;
	f->o.passphrase_len = sizeof(pass) - 1;
	kr = open_ok(f);
	assert_true(mp_keyring_is_encrypted(kr));
	add_node(kr, 1, 1);
	assert_int_equal(mp_keyring_serialize(kr, &plain, NULL), 0);
	mp_keyring_close(kr);

	/* No key, no device key, no name in the file. */
	file = ktu_read(f->path, &len);
	assert_non_null(strstr(file, "\"meshprov-keyring-encrypted\": 1"));
	assert_null(strstr(file, "0102030405060708090a0b0c0d0e0f10"));
	assert_null(strstr(file, "meshUUID"));

	kr = open_ok(f);
	assert_int_equal(mp_keyring_serialize(kr, &b, NULL), 0);
	assert_string_equal(plain, b);
	mp_keyring_free_secret(b);
	mp_keyring_close(kr);

	f->o.flags = 0;
	f->o.passphrase = NULL;
	kr = NULL;
	assert_int_equal(mp_keyring_open(f->path, &f->o, &kr, &err), -ENOKEY);
	assert_int_equal(err.kind, MP_KR_E_NEED_PASSPHRASE);
	assert_non_null(strstr(err.msg, f->path));
	f->o.passphrase = wrong;
	f->o.passphrase_len = sizeof(wrong) - 1;
	assert_int_equal(mp_keyring_open(f->path, &f->o, &kr, &err), -EKEYREJECTED);
	assert_int_equal(err.kind, MP_KR_E_PASSPHRASE);

	/* Altered: a KDF parameter (bound as associated data), the ciphertext. */
	f->o.passphrase = pass;
	f->o.passphrase_len = sizeof(pass) - 1;
	tampered = replace(file, "\"log2N\": 10", "\"log2N\": 11");
	assert_int_equal(mp_keyring_parse(tampered, strlen(tampered), pass, sizeof(pass) - 1, &kr,
					  &err), -EKEYREJECTED);
	free(tampered);
	/* r and p are not the file's to choose: only what meshprov writes */
	tampered = replace(file, "\"r\": 8", "\"r\": 9");
	assert_int_equal(mp_keyring_parse(tampered, strlen(tampered), pass, sizeof(pass) - 1, &kr,
					  &err), -EBADMSG);
	assert_string_equal(err.field, "kdf.r");
	free(tampered);
	{
		char *ct = strstr(file, "\"ciphertext\": \"") + 20;

		*ct = *ct == 'A' ? 'B' : 'A';
		assert_int_equal(mp_keyring_parse(file, len, pass, sizeof(pass) - 1, &kr, &err),
				 -EKEYREJECTED);
		*ct = '!';
		assert_int_equal(mp_keyring_parse(file, len, pass, sizeof(pass) - 1, &kr, &err),
				 -EBADMSG);
		assert_string_equal(err.field, "ciphertext");
	}
	free(file);

	/* Back to plain, then encrypted under another passphrase. */
	kr = open_ok(f);
	assert_int_equal(mp_keyring_set_passphrase(kr, NULL, 0, 0), 0);
	assert_false(mp_keyring_is_encrypted(kr));
	file = ktu_read(f->path, NULL);
	snprintf(hex, sizeof(hex), "%s", "0102030405060708090a0b0c0d0e0f10");
	assert_non_null(strstr(file, hex));
	free(file);
	assert_int_equal(mp_keyring_set_passphrase(kr, wrong, sizeof(wrong) - 1, 10), 0);
	assert_int_equal(mp_keyring_set_passphrase(kr, wrong, 0, 10), -EINVAL);
	mp_keyring_close(kr);
	f->o.passphrase = wrong;
	f->o.passphrase_len = sizeof(wrong) - 1;
	r = mp_keyring_open(f->path, &f->o, &kr, &err);
	assert_int_equal(r, 0);
	assert_true(mp_keyring_is_encrypted(kr));
	mp_keyring_close(kr);
	mp_keyring_free_secret(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_path),
		cmocka_unit_test_setup_teardown(test_create_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_without_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_makes_directories, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_file_and_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_is_previous_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_save_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_element_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_range_end_and_gaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_explicit_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exclusion_until_iv_advances_by_two, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pending_complete_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unconfirmed_blocks_are_bounded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_batch_saves_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_netkey_value_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_same_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_between_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_group_or_other_access, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refuses_other_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_without_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_messages_hide_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_encryption, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
