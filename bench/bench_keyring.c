/* Load and save of a keyring with 10,000 nodes: prints the times (the
 * target is under 50 ms for both together), asserts nothing about them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/keyring.h"
#include "store/nodes.h"

#define NODES 10000
#define ROUNDS 5

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int fill(struct mp_keyring *kr)
{
	struct mp_node_prov_info info = { .algorithm = "P256-CMAC-AES128", .oob = "none" };
	uint8_t uuid[16], key[16];
	uint16_t addr;
	unsigned i;

	mp_keyring_begin(kr);
	for (i = 0; i < NODES; i++) {
		char name[32];

		memset(uuid, 0x42, sizeof(uuid));
		memcpy(uuid + 12, &i, sizeof(i));
		memset(key, (int)i, sizeof(key));
		snprintf(name, sizeof(name), "node %u", i);
		info.name = name;
		if (mp_keyring_node_add_pending(kr, uuid, (uint8_t)(1 + i % 3), key, &info, &addr))
			return -1;
		if (mp_keyring_node_complete(kr, addr))
			return -1;
	}
	return mp_keyring_commit(kr);
}

static int run(const char *dir, bool encrypted)
{
	static const uint8_t pass[] = "bench passphrase";
	struct mp_keyring_opts o = { .flags = MP_KEYRING_CREATE };
	struct mp_keyring_error err;
	struct mp_keyring *kr;
	struct timespec t0;
	double load = 1e9, save = 1e9, t;
	char path[512];
	struct stat st;
	int i;

	snprintf(path, sizeof(path), "%s/%s.json", dir, encrypted ? "enc" : "plain");
	if (encrypted) {
		o.passphrase = pass;
		o.passphrase_len = sizeof(pass) - 1;
	}
	if (mp_keyring_open(path, &o, &kr, &err) || fill(kr)) {
		fprintf(stderr, "bench_keyring: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < ROUNDS; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (mp_keyring_save(kr)) {
			fprintf(stderr, "bench_keyring: %s\n", mp_keyring_error(kr));
			return 1;
		}
		t = ms_since(&t0);
		save = t < save ? t : save;
	}
	mp_keyring_close(kr);
	for (i = 0; i < ROUNDS; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (mp_keyring_open(path, &o, &kr, &err)) {
			fprintf(stderr, "bench_keyring: %s\n", err.msg);
			return 1;
		}
		t = ms_since(&t0);
		load = t < load ? t : load;
		mp_keyring_close(kr);
	}
	stat(path, &st);
	printf("bench_keyring: %d nodes%s, %lld bytes: load %.1f ms, save %.1f ms "
	       "(fsync included), together %.1f ms (target < 50 ms%s); best of %d\n",
	       NODES, encrypted ? ", encrypted (scrypt 2^17, the default, per load)" : "",
	       (long long)st.st_size, load, save, load + save,
	       encrypted ? ", for the plain keyring" : "", ROUNDS);
	return 0;
}

int main(void)
{
	char tmpl[] = "/tmp/mp-bench-keyring-XXXXXX";
	char *dir = mkdtemp(tmpl), path[600];
	int r;

	if (!dir) {
		perror("mkdtemp");
		return 1;
	}
	r = run(dir, false) || run(dir, true);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "bench_keyring: could not remove %s\n", dir);
	return r;
}
