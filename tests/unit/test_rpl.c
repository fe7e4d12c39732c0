/* store/rpl.h: the replay list's journal beside the keyring. Newest entry
 * per source across reopens; a journal cut at every byte offset loads what
 * it holds whole and goes on; a damaged record skipped; compaction keeps
 * the newest values; all 32,767 sources; and the files refused: wrong
 * magic, unknown version, damaged header, another network's list, a group
 * readable file, a symbolic link, a hard link, a FIFO.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"
#include "keyring_tu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/keyring.h"
#include "store/rpl.h"

/* CRC-32 as the file has it (IEEE, reflected), written apart. */
static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t c = ~0u;
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		for (c ^= p[i], k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	return ~c;
}

struct fx {
	struct ktu_fx *k;
	struct mp_keyring *kr;
	char *rpl;	/* PATH.rpl */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->k = ktu_fx_new(11);
	if (!f->k)
		return -1;
	f->kr = ktu_open_ok(f->k);
	f->rpl = malloc(strlen(f->k->path) + 8);
	if (!f->rpl)
		return -1;
	sprintf(f->rpl, "%s.rpl", f->k->path);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mp_keyring_close(f->kr);
	ktu_fx_free(f->k);
	free(f->rpl);
	free(f);
	return 0;
}

static struct mp_rpl *open_ok(struct fx *f, bool create)
{
	struct mp_rpl_opts o = { .create = create };
	struct mp_keyring_error err;
	struct mp_rpl *r = NULL;
	int rc = mp_rpl_open(f->kr, &o, &r, &err);

	if (rc)
		fail_msg("open %s: %d %s", f->rpl, rc, err.msg);
	return r;
}

static int open_err(struct fx *f, struct mp_keyring_error *err)
{
	struct mp_rpl_opts o = { .create = true };
	struct mp_rpl *r = (struct mp_rpl *)1;
	int rc = mp_rpl_open(f->kr, &o, &r, err);

	assert_null(r);
	return rc;
}

/* The whole file; the test fails when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
	char *b;

	*len = 0;
	b = ktu_read(path, len);
	if (!b)
		abort();
	return b;
}

static off_t size_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void assert_entry(struct mp_rpl *r, uint16_t src, uint32_t iv, uint32_t seq)
{
	uint32_t i, s;

	assert_true(mp_rpl_get(r, src, &i, &s));
	assert_int_equal(i, iv);
	assert_int_equal(s, seq);
}

static void test_basic(void **state)
{
	struct fx *f = *state;
	struct mp_keyring_error err;
	struct mp_rpl *r;
	struct stat st;
	uint32_t i, s;

	/* not there, not created */
	{
		struct mp_rpl_opts o = { 0 };

		r = (struct mp_rpl *)1;
		assert_int_equal(mp_rpl_open(f->kr, &o, &r, &err), -ENOENT);
		assert_null(r);
	}
	r = open_ok(f, true);
	assert_int_equal(stat(f->rpl, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, MP_RPL_HDR_LEN);
	assert_false(mp_rpl_get(r, 5, &i, &s));
	assert_int_equal(mp_rpl_record(r, 5, 1, 100), 0);
	assert_int_equal(mp_rpl_record(r, 5, 1, 101), 0);
	/* not newer: nothing written */
	assert_int_equal(mp_rpl_record(r, 5, 1, 50), 0);
	assert_int_equal(mp_rpl_record(r, 5, 0, 900), 0);
	assert_int_equal(mp_rpl_record_cb(r, 7, 2, 0), 0);
	assert_int_equal(mp_rpl_record(r, 0, 1, 1), -EINVAL);
	assert_int_equal(mp_rpl_record(r, 0x8000, 1, 1), -EINVAL);
	assert_int_equal(mp_rpl_record(r, 1, 1, 0x1000000), -EINVAL);
	assert_int_equal(mp_rpl_record_cb(NULL, 1, 1, 1), -EINVAL);
	assert_int_equal(size_of(f->rpl), MP_RPL_HDR_LEN + 3 * MP_RPL_REC_LEN);
	assert_int_equal(mp_rpl_sync(r), 0);
	mp_rpl_close(r);

	r = open_ok(f, false);
	assert_entry(r, 5, 1, 101);
	assert_entry(r, 7, 2, 0);
	assert_false(mp_rpl_get(r, 6, &i, &s));
	assert_int_equal(mp_rpl_stats(r).sources, 2);
	assert_int_equal(mp_rpl_stats(r).records, 3);
	assert_int_equal(mp_rpl_stats(r).torn_bytes, 0);
	/* a newer IV index with a lower SEQ is newer */
	assert_int_equal(mp_rpl_record(r, 5, 2, 3), 0);
	mp_rpl_close(r);
	r = open_ok(f, false);
	assert_entry(r, 5, 2, 3);
	mp_rpl_close(r);
}

struct seen {
	unsigned n;
	uint16_t last;
	uint32_t sum;
};

static void seed(void *user, uint16_t src, uint32_t iv, uint32_t seq)
{
	struct seen *s = user;

	assert_true(src > s->last);
	s->last = src;
	s->n++;
	s->sum += iv + seq;
}

/* Cut the journal at every byte offset: below a header the file is
 * refused and left alone; from the header on, the whole records before the
 * cut are loaded, the rest cut off, and appending goes on on a boundary. */
static void test_truncate_everywhere(void **state)
{
	struct fx *f = *state;
	struct mp_rpl *r = open_ok(f, true);
	size_t full, len, i;
	char *orig;

	for (i = 0; i < 6; i++)
		assert_int_equal(mp_rpl_record(r, (uint16_t)(10 + i), 3, (uint32_t)(1000 + i)), 0);
	mp_rpl_close(r);
	orig = slurp(f->rpl, &full);
	assert_int_equal(full, MP_RPL_HDR_LEN + 6 * MP_RPL_REC_LEN);
	for (len = 0; len <= full; len++) {
		struct mp_keyring_error err;
		size_t whole;

		assert_int_equal(ktu_write(f->rpl, orig, len, 0600), 0);
		if (len < MP_RPL_HDR_LEN) {
			assert_int_equal(open_err(f, &err), -EBADMSG);
			assert_non_null(strstr(err.msg, f->rpl));
			/* refused, untouched */
			assert_int_equal(size_of(f->rpl), (off_t)len);
			continue;
		}
		whole = (len - MP_RPL_HDR_LEN) / MP_RPL_REC_LEN;
		r = open_ok(f, false);
		assert_int_equal(mp_rpl_stats(r).sources, whole);
		assert_int_equal(mp_rpl_stats(r).torn_bytes,
				 (len - MP_RPL_HDR_LEN) % MP_RPL_REC_LEN);
		assert_int_equal(mp_rpl_stats(r).bad_records, 0);
		for (i = 0; i < 6; i++) {
			uint32_t iv, seq;

			assert_int_equal(mp_rpl_get(r, (uint16_t)(10 + i), &iv, &seq), i < whole);
			if (i < whole)
				assert_int_equal(seq, 1000 + i);
		}
		assert_int_equal(size_of(f->rpl),
				 (off_t)(MP_RPL_HDR_LEN + whole * MP_RPL_REC_LEN));
		assert_int_equal(mp_rpl_record(r, 99, 4, 4), 0);
		mp_rpl_close(r);
		r = open_ok(f, false);
		assert_entry(r, 99, 4, 4);
		assert_int_equal(mp_rpl_stats(r).sources, whole + 1);
		assert_int_equal(mp_rpl_stats(r).torn_bytes, 0);
		mp_rpl_close(r);
	}
	free(orig);
}

/* A damaged record in the middle is skipped, the others kept; damaged
 * records at the end are a torn tail. */
static void test_bad_record(void **state)
{
	struct fx *f = *state;
	struct mp_rpl *r = open_ok(f, true);
	size_t len;
	char *buf;
	int i;

	for (i = 0; i < 4; i++)
		assert_int_equal(mp_rpl_record(r, (uint16_t)(20 + i), 1, 1), 0);
	mp_rpl_close(r);
	buf = slurp(f->rpl, &len);
	buf[MP_RPL_HDR_LEN + MP_RPL_REC_LEN + 5] ^= 0x40;	/* record 1 */
	buf[len - 1] ^= 0x01;					/* record 3 */
	assert_int_equal(ktu_write(f->rpl, buf, len, 0600), 0);
	r = open_ok(f, false);
	assert_int_equal(mp_rpl_stats(r).bad_records, 1);
	assert_int_equal(mp_rpl_stats(r).torn_bytes, MP_RPL_REC_LEN);
	assert_int_equal(mp_rpl_stats(r).sources, 2);
	assert_entry(r, 20, 1, 1);
	assert_entry(r, 22, 1, 1);
	assert_int_equal(size_of(f->rpl), (off_t)(len - MP_RPL_REC_LEN));
	mp_rpl_close(r);
	free(buf);
}

/* Compaction keeps the newest value of every source, by itself when the
 * journal passes its bound and on demand. */
static void test_compaction(void **state)
{
	struct fx *f = *state;
	struct mp_rpl_opts o = { .create = true, .compact_min = 16 };
	struct mp_keyring_error err;
	struct mp_rpl *r;
	uint32_t seq;
	uint16_t a;

	assert_int_equal(mp_rpl_open(f->kr, &o, &r, &err), 0);
	for (seq = 1; seq <= 20; seq++)
		for (a = 1; a <= 5; a++)
			assert_int_equal(mp_rpl_record(r, a, 7, seq * 10 + a), 0);
	/* 100 records for 5 sources: the bound (2 * 5 + 16) was passed */
	assert_true(mp_rpl_stats(r).compactions >= 1);
	assert_true(mp_rpl_stats(r).records < 2 * 5 + 16);
	assert_true(size_of(f->rpl) < (off_t)(MP_RPL_HDR_LEN + 26 * MP_RPL_REC_LEN));
	assert_int_equal(mp_rpl_compact(r), 0);
	assert_int_equal(mp_rpl_stats(r).records, 5);
	assert_int_equal(size_of(f->rpl), MP_RPL_HDR_LEN + 5 * MP_RPL_REC_LEN);
	/* an append after a compaction goes to the new file */
	assert_int_equal(mp_rpl_record(r, 6, 8, 1), 0);
	mp_rpl_close(r);
	r = open_ok(f, false);
	for (a = 1; a <= 5; a++)
		assert_entry(r, a, 7, 200u + a);
	assert_entry(r, 6, 8, 1);
	mp_rpl_close(r);

	/* a stale temporary file of a compaction cut short goes at the next
	 * keyring open */
	{
		char *tmp = malloc(strlen(f->rpl) + 32);

		assert_non_null(tmp);
		sprintf(tmp, "%s.tmp-0123456789ab", f->rpl);
		assert_int_equal(ktu_write(tmp, "x", 1, 0600), 0);
		mp_keyring_close(f->kr);
		f->kr = ktu_open_ok(f->k);
		assert_int_equal(access(tmp, F_OK), -1);
		free(tmp);
	}
}

/* All 32,767 unicast sources, twice over, through a reopen. */
static void test_all_sources(void **state)
{
	struct fx *f = *state;
	struct mp_rpl *r = open_ok(f, true);
	struct seen s = { 0 };
	uint32_t a;

	for (a = 1; a <= MP_RPL_SOURCES; a++)
		assert_int_equal(mp_rpl_record(r, (uint16_t)a, 1, a), 0);
	for (a = 1; a <= MP_RPL_SOURCES; a += 2)
		assert_int_equal(mp_rpl_record(r, (uint16_t)a, 2, 0), 0);
	assert_int_equal(mp_rpl_stats(r).sources, MP_RPL_SOURCES);
	mp_rpl_close(r);
	r = open_ok(f, false);
	assert_int_equal(mp_rpl_each(r, seed, &s), MP_RPL_SOURCES);
	assert_int_equal(s.n, MP_RPL_SOURCES);
	assert_int_equal(s.last, 0x7fff);
	assert_entry(r, 1, 2, 0);
	assert_entry(r, 2, 1, 2);
	assert_entry(r, 0x7fff, 2, 0);
	assert_entry(r, 0x7ffe, 1, 0x7ffe);
	assert_int_equal(mp_rpl_compact(r), 0);
	mp_rpl_close(r);
	assert_int_equal(size_of(f->rpl), MP_RPL_HDR_LEN + MP_RPL_SOURCES * MP_RPL_REC_LEN);
	r = open_ok(f, false);
	assert_int_equal(mp_rpl_each(r, NULL, NULL), MP_RPL_SOURCES);
	assert_entry(r, 0x7ffe, 1, 0x7ffe);
	mp_rpl_close(r);
}

/* Files that are not this network's replay list: refused, untouched, each
 * with its own error. */
static void test_foreign(void **state)
{
	struct fx *f = *state;
	struct mp_keyring_error err;
	struct mp_rpl *r = open_ok(f, true);
	size_t len;
	char *good, *bad;

	assert_int_equal(mp_rpl_record(r, 1, 1, 1), 0);
	mp_rpl_close(r);
	good = slurp(f->rpl, &len);
	bad = malloc(len);
	if (!bad)
		abort();

	/* a JSON file, say */
	assert_int_equal(ktu_write(f->rpl, "{\"meshprov-keyring\": 2}\n", 24, 0600), 0);
	assert_int_equal(open_err(f, &err), -EBADMSG);
	assert_int_equal(err.kind, MP_KR_E_VERSION);
	assert_non_null(strstr(err.msg, "not a meshprov replay list"));
	assert_int_equal(size_of(f->rpl), 24);

	/* a damaged header */
	memcpy(bad, good, len);
	bad[8] = 2;
	assert_int_equal(ktu_write(f->rpl, bad, len, 0600), 0);
	assert_int_equal(open_err(f, &err), -EBADMSG);
	assert_int_equal(err.kind, MP_KR_E_SYNTAX);
	assert_non_null(strstr(err.msg, "damaged header"));

	/* a later version, its header whole: its own message */
	{
		uint32_t c = crc32((const uint8_t *)bad, 28);

		bad[28] = (char)c;
		bad[29] = (char)(c >> 8);
		bad[30] = (char)(c >> 16);
		bad[31] = (char)(c >> 24);
	}
	assert_int_equal(ktu_write(f->rpl, bad, len, 0600), 0);
	assert_int_equal(open_err(f, &err), -EBADMSG);
	assert_int_equal(err.kind, MP_KR_E_VERSION);
	assert_non_null(strstr(err.msg, "format version 2"));
	assert_int_equal(size_of(f->rpl), (off_t)len);

	/* another network's list (its header consistent) */
	{
		uint8_t other[16];
		struct ktu_fx *o = ktu_fx_new(99);
		struct mp_keyring *okr;
		struct mp_rpl *orpl = NULL;
		char *opath = malloc(4096);
		size_t olen;
		char *obuf;

		if (!o || !opath)
			abort();
		okr = ktu_open_ok(o);
		sprintf(opath, "%s.rpl", o->path);
		mp_keyring_network_uuid(okr, other);
		assert_int_equal(mp_rpl_open(okr, &(struct mp_rpl_opts){ .create = true }, &orpl,
					     &err), 0);
		mp_rpl_close(orpl);
		obuf = slurp(opath, &olen);
		assert_int_equal(ktu_write(f->rpl, obuf, olen, 0600), 0);
		assert_int_equal(open_err(f, &err), -EXDEV);
		assert_non_null(strstr(err.msg, "another network"));
		free(obuf);
		free(opath);
		mp_keyring_close(okr);
		ktu_fx_free(o);
	}

	/* the good one is still read */
	assert_int_equal(ktu_write(f->rpl, good, len, 0600), 0);
	r = open_ok(f, false);
	assert_entry(r, 1, 1, 1);
	mp_rpl_close(r);
	free(good);
	free(bad);
}

/* The keyring's file rules. */
static void test_perms(void **state)
{
	struct fx *f = *state;
	struct mp_keyring_error err;
	struct mp_rpl *r = open_ok(f, true);
	char *other = malloc(strlen(f->rpl) + 8);

	assert_non_null(other);
	sprintf(other, "%s.x", f->rpl);
	mp_rpl_close(r);

	/* readable by the group */
	assert_int_equal(chmod(f->rpl, 0640), 0);
	assert_int_equal(open_err(f, &err), -EACCES);
	assert_int_equal(err.kind, MP_KR_E_MODE);
	assert_non_null(strstr(err.msg, "chmod 600"));
	assert_int_equal(chmod(f->rpl, 0600), 0);

	/* a second hard link */
	assert_int_equal(link(f->rpl, other), 0);
	assert_int_equal(open_err(f, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "hard links"));
	assert_int_equal(unlink(other), 0);

	/* a symbolic link to a good list */
	assert_int_equal(rename(f->rpl, other), 0);
	assert_int_equal(symlink(other, f->rpl), 0);
	assert_int_equal(open_err(f, &err), -ELOOP);
	assert_int_equal(err.kind, MP_KR_E_SYMLINK);
	assert_int_equal(unlink(f->rpl), 0);

	/* a FIFO: refused at once, not waited on */
	assert_int_equal(mkfifo(f->rpl, 0600), 0);
	assert_int_equal(open_err(f, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "FIFO"));
	assert_int_equal(unlink(f->rpl), 0);

	assert_int_equal(rename(other, f->rpl), 0);
	r = open_ok(f, false);
	mp_rpl_close(r);
	free(other);

	/* a keyring in memory has no place for it */
	{
		struct mp_keyring *mem;
		struct mp_rpl *mr = NULL;

		assert_int_equal(mp_keyring_new(&f->k->o, &mem, &err), 0);
		assert_int_equal(mp_rpl_open(mem, NULL, &mr, &err), -EINVAL);
		assert_null(mr);
		mp_keyring_close(mem);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncate_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perms, setup, teardown),
	};

	return cmocka_run_group_tests_name("store/rpl", tests, NULL, NULL);
}
