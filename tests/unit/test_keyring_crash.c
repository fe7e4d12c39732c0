/* Crash safety: a child process records nodes as fast as it can and is
 * killed with SIGKILL at random moments, 200 times (seeded, reproducible; no
 * wall-clock sleeps: the parent waits for a random number of the child's
 * commits, then spins a random number of iterations). After every kill the
 * keyring must open cleanly and hold every change the child had reported as
 * returned: nodes added (with their device keys), completed, removed; and
 * no SEQ block reported as reserved is ever handed out again. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keyring_tu.h"
#include "store/keyring.h"
#include "store/nodes.h"

#define ITERATIONS 200
#define MAX_IDS 0x8000
#define EV_ADDED 0x00000000u
#define EV_COMPLETE 0x40000000u
#define EV_REMOVED 0x80000000u
#define EV_ID 0x0fffffffu

enum { NONE = 0, ADDED, COMPLETE, REMOVED };

static void uuid_of(uint32_t id, uint8_t u[16])
{
	memset(u, 0x5a, 16);
	u[12] = (uint8_t)(id >> 24);
	u[13] = (uint8_t)(id >> 16);
	u[14] = (uint8_t)(id >> 8);
	u[15] = (uint8_t)id;
}

static void devkey_of(uint32_t id, uint8_t k[16])
{
	unsigned i;

	for (i = 0; i < 16; i++)
		k[i] = (uint8_t)(id * 31 + i);
}

static void report(int fd, uint32_t ev)
{
	if (write(fd, &ev, sizeof(ev)) != sizeof(ev))
		_exit(20);
}

/* The child: add, complete every other node, remove every seventh. */
static void writer(const char *path, uint32_t first, int fd)
{
	struct mp_keyring_opts o;
	struct mp_keyring *kr = NULL;
	uint32_t id;

	memset(&o, 0, sizeof(o));
	if (mp_keyring_open(path, &o, &kr, NULL))
		_exit(10);
	for (id = first; id < first + 10000; id++) {
		uint8_t u[16], k[16];
		uint16_t addr;

		uuid_of(id, u);
		devkey_of(id, k);
		if (mp_keyring_node_add_pending(kr, u, (uint8_t)(1 + id % 3), k, NULL, &addr))
			_exit(11);
		report(fd, EV_ADDED | id);
		if (id % 2)
			continue;
		if (mp_keyring_node_complete(kr, addr))
			_exit(12);
		report(fd, EV_COMPLETE | id);
		if (id % 7)
			continue;
		if (mp_keyring_node_remove(kr, addr))
			_exit(13);
		report(fd, EV_REMOVED | id);
	}
	_exit(0);
}

static void spin(uint32_t n)
{
	volatile uint32_t i;

	for (i = 0; i < n; i++)
		;
}

/* @last: the last id the killed child reported on; it may have gone one
 * step further (completed, removed) without reporting it: the file tells,
 * and from then on that is the state to keep. */
static void check(const char *path, uint8_t *state, uint32_t max_id, uint32_t last)
{
	struct mp_keyring_error err;
	struct mp_keyring_opts o;
	struct mp_keyring *kr = NULL;
	uint32_t id;
	int r;

	memset(&o, 0, sizeof(o));
	r = mp_keyring_open(path, &o, &kr, &err);
	if (r)
		fail_msg("keyring does not open after a kill: %s", err.msg);
	for (id = 1; id <= max_id; id++) {
		const struct mp_node *n;
		uint8_t u[16], k[16];

		uuid_of(id, u);
		n = mp_keyring_node_find_uuid(kr, u);
		if (id == last && state[id] == ADDED && n && n->state == MP_NODE_COMPLETE)
			state[id] = COMPLETE;
		if (id == last && state[id] != REMOVED && !n && id % 14 == 0)
			state[id] = REMOVED;
		switch (state[id]) {
		case ADDED:
		case COMPLETE:
			if (!n)
				fail_msg("node %u was committed but is lost", id);
			devkey_of(id, k);
			assert_memory_equal(n->dev_key, k, 16);
			assert_int_equal(n->elements, 1 + id % 3);
			if (state[id] == COMPLETE)
				assert_int_equal(n->state, MP_NODE_COMPLETE);
			break;
		case REMOVED:
			if (n)
				fail_msg("node %u was removed but is back", id);
			break;
		}
	}
	mp_keyring_close(kr);

	/* The backup, when there is one, is a complete keyring too. */
	{
		size_t n = strlen(path) + 5, len = 0;
		char *bak = malloc(n), *data;

		snprintf(bak, n, "%s.bak", path);
		data = ktu_read(bak, &len);
		if (data) {
			r = mp_keyring_parse(data, len, NULL, 0, &kr, &err);
			if (r)
				fail_msg("the backup does not parse after a kill: %s", err.msg);
			mp_keyring_close(kr);
		}
		free(data);
		free(bak);
	}
}

static void test_kill_while_saving(void **unused)
{
	struct mp_keyring_opts o;
	struct mp_keyring *kr = NULL;
	struct mp_rng rng;
	struct ktu_rng rs;
	struct ktu_clock clk;
	char *dir = ktu_tmpdir(), *path;
	uint8_t *state = calloc(MAX_IDS, 1);
	uint32_t next = 1, max_id = 0, commits = 0, kills_mid_loop = 0;
	unsigned it;

	assert_non_null(dir);
	assert_non_null(state);
	path = ktu_path(dir, "keyring.json");
	o = ktu_opts(&rng, &rs, &clk, 0xc0ffee);
	assert_int_equal(mp_keyring_open(path, &o, &kr, NULL), 0);
	mp_keyring_close(kr);

	for (it = 0; it < ITERATIONS; it++) {
		uint32_t want = ktu_rand32(&rs) % 6, got = 0, ev, last = 0;
		int fds[2], status;
		pid_t child;

		assert_int_equal(pipe(fds), 0);
		/* Forked with no keyring open: a child shares open file
		 * descriptions, and with them the OFD lock. */
		child = fork();
		assert_true(child >= 0);
		if (child == 0) {
			close(fds[0]);
			writer(path, next, fds[1]);
		}
		close(fds[1]);
		while (got < want && read(fds[0], &ev, sizeof(ev)) == sizeof(ev)) {
			got++;
			state[ev & EV_ID] = ev & EV_REMOVED ? REMOVED
					  : ev & EV_COMPLETE ? COMPLETE : ADDED;
			last = ev & EV_ID;
			if (last > max_id)
				max_id = last;
		}
		spin(ktu_rand32(&rs) % 3000000);
		kill(child, SIGKILL);
		assert_int_equal(waitpid(child, &status, 0), child);
		if (WIFEXITED(status))
			fail_msg("writer exited with %d", WEXITSTATUS(status));
		assert_true(WIFSIGNALED(status));
		/* What the child reported before it died is committed too. */
		while (read(fds[0], &ev, sizeof(ev)) == sizeof(ev)) {
			got++;
			state[ev & EV_ID] = ev & EV_REMOVED ? REMOVED
					  : ev & EV_COMPLETE ? COMPLETE : ADDED;
			last = ev & EV_ID;
			if (last > max_id)
				max_id = last;
		}
		close(fds[0]);
		commits += got;
		kills_mid_loop += got > 0;
		check(path, state, max_id, last);
		/* The next writer starts past an id that may be in flight. */
		next = max_id + 2;
		assert_true(next < MAX_IDS - 10000);
	}
	printf("crash test: %u kills, %u commits reported, ids up to %u\n", ITERATIONS,
	       commits, max_id);
	assert_true(commits > ITERATIONS);	/* the child did make progress */
	free(state);
	free(path);
	ktu_rmtree(dir);
}

/* SEQ reservations under kill -9: a child reserves blocks as fast as it can
 * and reports each block it was given; after every kill, the keyring must
 * open and its next reservation start past every block reported (a
 * reported block may have been used), and no two blocks ever overlap. */
static void seq_writer(const char *path, int fd)
{
	struct mp_keyring_opts o;
	struct mp_keyring *kr = NULL;
	uint32_t n, first;

	memset(&o, 0, sizeof(o));
	if (mp_keyring_open(path, &o, &kr, NULL))
		_exit(10);
	for (n = 1;; n = n % 97 + 1) {
		uint32_t ev[2];

		if (mp_keyring_seq_reserve(kr, n, &first))
			_exit(11);
		ev[0] = first;
		ev[1] = first + n;
		if (write(fd, ev, sizeof(ev)) != sizeof(ev))
			_exit(20);
	}
}

static void test_kill_while_reserving(void **unused)
{
	struct mp_keyring_opts o;
	struct mp_keyring *kr = NULL;
	struct mp_rng rng;
	struct ktu_rng rs;
	struct ktu_clock clk;
	char *dir = ktu_tmpdir(), *path;
	uint32_t end = 0, blocks = 0;
	unsigned it;

	(void)unused;
	assert_non_null(dir);
	path = ktu_path(dir, "keyring.json");
	o = ktu_opts(&rng, &rs, &clk, 0x5e9);
	assert_int_equal(mp_keyring_open(path, &o, &kr, NULL), 0);
	mp_keyring_close(kr);

	for (it = 0; it < ITERATIONS / 4; it++) {
		uint32_t want = ktu_rand32(&rs) % 6, got = 0, ev[2], first;
		int fds[2], status;
		pid_t child;

		assert_int_equal(pipe(fds), 0);
		child = fork();
		assert_true(child >= 0);
		if (child == 0) {
			close(fds[0]);
			seq_writer(path, fds[1]);
		}
		close(fds[1]);
		while (got < want && read(fds[0], ev, sizeof(ev)) == sizeof(ev)) {
			got++;
			if (ev[0] < end)
				fail_msg("block %u..%u handed out again (past %u)", ev[0], ev[1],
					 end);
			end = ev[1];
		}
		spin(ktu_rand32(&rs) % 3000000);
		kill(child, SIGKILL);
		assert_int_equal(waitpid(child, &status, 0), child);
		if (WIFEXITED(status))
			fail_msg("writer exited with %d", WEXITSTATUS(status));
		while (read(fds[0], ev, sizeof(ev)) == sizeof(ev)) {
			got++;
			if (ev[0] < end)
				fail_msg("block %u..%u handed out again (past %u)", ev[0], ev[1],
					 end);
			end = ev[1];
		}
		close(fds[0]);
		blocks += got;
		memset(&o, 0, sizeof(o));
		assert_int_equal(mp_keyring_open(path, &o, &kr, NULL), 0);
		if (mp_keyring_seq_next(kr) < end)
			fail_msg("after a kill the next SEQ is %u, but %u was handed out",
				 mp_keyring_seq_next(kr), end - 1);
		assert_int_equal(mp_keyring_seq_reserve(kr, 1, &first), 0);
		assert_true(first >= end);
		end = first + 1;
		mp_keyring_close(kr);
	}
	printf("SEQ crash test: %u kills, %u blocks reported, next SEQ %u\n", ITERATIONS / 4,
	       blocks, end);
	assert_true(blocks > 0);
	free(path);
	ktu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_while_saving),
		cmocka_unit_test(test_kill_while_reserving),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
