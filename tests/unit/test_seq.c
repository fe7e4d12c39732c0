/* store/seq.h: SEQs handed out from blocks reserved in the keyring. One
 * keyring write per block, not per message; the next block ahead; a new
 * transmit IV index starts at 0; the threshold reported once; the end of
 * the SEQ space. And the guarantee itself: a child allocating SEQs from a
 * real keyring file, each SEQ written to a pipe before it is "sent", killed
 * with SIGKILL at pseudo-random points (after N SEQs read, N from a fixed
 * seed) 50 times, reopened each time: no SEQ is ever reported twice.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"
#include "keyring_tu.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/keyring.h"
#include "store/seq.h"

static int setup(void **state)
{
	*state = ktu_fx_new(7);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	ktu_fx_free(*state);
	return 0;
}

static ino_t inode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* One by one, in order; the keyring written once per block, ahead. */
static void test_blocks(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = ktu_open_ok(f);
	struct mp_seq_opts o = { .block = 8, .low_water = 2 };
	struct mp_seq *s;
	unsigned writes = 0;
	ino_t ino = inode_of(f->path);
	uint32_t i, v;

	assert_int_equal(mp_seq_new(kr, &o, &s), 0);
	assert_int_equal(mp_keyring_seq_next(kr), 0);
	for (i = 0; i < 100; i++) {
		assert_int_equal(mp_seq_next(s, &v), 0);
		assert_int_equal(v, i);
		/* reserved and saved before it is handed out */
		assert_true(mp_keyring_seq_next(kr) > v);
		if (inode_of(f->path) != ino) {
			ino = inode_of(f->path);
			writes++;
		}
		/* the next block is taken while 2 are still held */
		assert_true(mp_seq_held(s) >= 2);
	}
	/* 100 SEQs: 13 blocks of 8, each one save of the keyring file */
	assert_int_equal(mp_seq_reservations(s), 13);
	assert_int_equal(writes, 13);
	assert_int_equal(mp_keyring_seq_next(kr), 104);
	mp_seq_free(s);
	mp_keyring_close(kr);

	/* reopened: on after everything reserved, the unused rest lost */
	kr = ktu_open_ok(f);
	assert_int_equal(mp_keyring_seq_next(kr), 104);
	assert_int_equal(mp_seq_new(kr, &o, &s), 0);
	assert_int_equal(mp_seq_next(s, &v), 0);
	assert_int_equal(v, 104);
	assert_int_equal(mp_seq_next_cb(s, &v), 0);
	assert_int_equal(v, 105);
	assert_int_equal(mp_seq_next_cb(NULL, &v), -EINVAL);
	mp_seq_free(s);
	mp_keyring_close(kr);
}

/* Someone else reserving on the same keyring: the blocks are not
 * contiguous, none overlaps. */
static void test_interleaved(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = ktu_open_ok(f);
	struct mp_seq_opts o = { .block = 4, .low_water = 1 };
	struct mp_seq *s;
	uint32_t v, first, last = 0;
	int i;

	assert_int_equal(mp_seq_new(kr, &o, &s), 0);
	for (i = 0; i < 40; i++) {
		assert_int_equal(mp_seq_next(s, &v), 0);
		if (i)
			assert_true(v > last);
		last = v;
		if (i % 3 == 0) {
			assert_int_equal(mp_keyring_seq_reserve(kr, 5, &first), 0);
			/* what the other took is not ours */
			assert_true(first > v);
		}
	}
	mp_seq_free(s);
	mp_keyring_close(kr);
}

struct high {
	unsigned calls;
	uint32_t seq, tx;
};

static void on_high(void *user, uint32_t seq, uint32_t tx)
{
	struct high *h = user;

	h->calls++;
	h->seq = seq;
	h->tx = tx;
}

/* The threshold reported once per transmit IV index; SEQ at 0 again when
 * the transmit IV index changes (not when the IV Update starts). */
static void test_threshold_and_iv(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = ktu_open_ok(f);
	struct high h = { 0 };
	struct mp_seq_opts o = { .block = 16, .threshold = 20, .high = on_high, .user = &h };
	struct mp_seq *s;
	uint32_t i, v;

	assert_int_equal(mp_seq_new(kr, &o, &s), 0);
	for (i = 0; i < 40; i++) {
		assert_int_equal(mp_seq_next(s, &v), 0);
		assert_int_equal(h.calls, v >= 20 ? 1 : 0);
	}
	assert_int_equal(h.seq, 20);
	assert_int_equal(h.tx, 0);
	/* IV Update in Progress at 1: the transmit IV index is still 0 */
	assert_int_equal(mp_keyring_set_iv(kr, 1, true), 0);
	assert_int_equal(mp_seq_next(s, &v), 0);
	assert_int_equal(v, 40);
	assert_int_equal(h.calls, 1);
	/* back to Normal at 1: a new transmit IV index, SEQ from 0 */
	assert_int_equal(mp_keyring_set_iv(kr, 1, false), 0);
	assert_int_equal(mp_seq_next(s, &v), 0);
	assert_int_equal(v, 0);
	for (i = 1; i < 25; i++) {
		assert_int_equal(mp_seq_next(s, &v), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(h.calls, 2);
	assert_int_equal(h.tx, 1);
	/* an explicit reset (the IV machine's callback) drops what is held */
	mp_seq_reset(s);
	assert_int_equal(mp_seq_held(s), 0);
	assert_int_equal(mp_seq_next(s, &v), 0);
	assert_true(v >= 25);
	mp_seq_free(s);
	mp_keyring_close(kr);
}

/* The end of the SEQ space: the last blocks are shorter, then -ERANGE. */
static void test_exhausted(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = ktu_open_ok(f);
	struct mp_seq_opts o = { .block = 4 };
	struct mp_seq *s;
	uint32_t first, v, i;

	assert_int_equal(mp_keyring_seq_reserve(kr, MP_SEQ_MAX + 1u - 10, &first), 0);
	assert_int_equal(mp_seq_new(kr, &o, &s), 0);
	for (i = 0; i < 10; i++) {
		assert_int_equal(mp_seq_next(s, &v), 0);
		assert_int_equal(v, MP_SEQ_MAX + 1u - 10 + i);
	}
	assert_int_equal(mp_seq_next(s, &v), -ERANGE);
	assert_int_equal(mp_seq_next(s, &v), -ERANGE);
	/* the new IV index gives numbers again */
	assert_int_equal(mp_keyring_set_iv(kr, 1, false), 0);
	assert_int_equal(mp_seq_next(s, &v), 0);
	assert_int_equal(v, 0);
	mp_seq_free(s);
	mp_keyring_close(kr);
}

/* Inside a batch nothing can be saved: no SEQ without a saved block. */
static void test_batch(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = ktu_open_ok(f);
	struct mp_seq *s;
	uint32_t v;

	assert_int_equal(mp_seq_new(kr, NULL, &s), 0);
	mp_keyring_begin(kr);
	assert_int_equal(mp_seq_next(s, &v), -EBUSY);
	assert_int_equal(mp_keyring_commit(kr), 0);
	assert_int_equal(mp_seq_next(s, &v), 0);
	assert_int_equal(v, 0);
	mp_seq_free(s);
	assert_int_equal(mp_seq_new(NULL, NULL, &s), -EINVAL);
	assert_null(s);
	mp_seq_free(NULL);
	mp_keyring_close(kr);
}

/* The child: allocate SEQs forever, each written to the pipe before it
 * would be sent. */
static void child(struct ktu_fx *f, int wfd)
{
	struct mp_keyring_error err;
	struct mp_keyring *kr;
	struct mp_seq_opts o = { .block = 16, .low_water = 4 };
	struct mp_seq *s;
	uint32_t v;

	if (mp_keyring_open(f->path, &f->o, &kr, &err) || mp_seq_new(kr, &o, &s))
		_exit(2);
	for (;;) {
		if (mp_seq_next(s, &v))
			_exit(3);
		if (write(wfd, &v, sizeof(v)) != (ssize_t)sizeof(v))
			_exit(4);
		/* ... and only now would the message be sent */
	}
}

static void test_kill9(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = ktu_open_ok(f);
	uint8_t *seen = calloc((MP_SEQ_MAX + 1u) / 8, 1);
	uint64_t rnd = 0x9e3779b97f4a7c15ull, total = 0;
	uint32_t last = 0;
	int round;

	assert_non_null(seen);
	mp_keyring_close(kr);
	for (round = 0; round < 50; round++) {
		int p[2], status;
		unsigned n, got = 0;
		uint32_t v;
		pid_t pid;
		ssize_t k;

		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		n = 1 + (unsigned)(rnd % 97);
		assert_int_equal(pipe(p), 0);
		/* a large pipe: the child runs (and saves) while the parent
		 * reads, so the kill lands anywhere in its work */
		fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			child(f, p[1]);
		}
		close(p[1]);
		while (got < n) {
			k = read(p[0], &v, sizeof(v));
			if (k < 0 && errno == EINTR)
				continue;
			if (k != (ssize_t)sizeof(v))
				break;
			got++;
			assert_true(v <= MP_SEQ_MAX);
			if (seen[v / 8] & (1u << (v % 8)))
				fail_msg("round %d: SEQ %u reported twice", round, v);
			seen[v / 8] |= (uint8_t)(1u << (v % 8));
			if (total++)
				assert_true(v > last);
			last = v;
		}
		assert_int_equal(got, n);	/* else the child died on its own */
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		/* what it wrote before it died was reported too */
		while ((k = read(p[0], &v, sizeof(v))) == (ssize_t)sizeof(v)) {
			if (seen[v / 8] & (1u << (v % 8)))
				fail_msg("round %d: SEQ %u reported twice", round, v);
			seen[v / 8] |= (uint8_t)(1u << (v % 8));
			assert_true(v > last);
			last = v;
			total++;
		}
		close(p[0]);
	}
	/* the keyring is still good, and ahead of everything reported */
	kr = ktu_open_ok(f);
	assert_true(mp_keyring_seq_next(kr) > last);
	mp_keyring_close(kr);
	free(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interleaved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threshold_and_iv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhausted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill9, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("store/seq", tests, NULL, NULL);
}
