/* Helpers shared by the keyring and CDB tests: a deterministic random
 * source, an injected clock, scratch directories and whole-file I/O. */
#ifndef MP_KEYRING_TU_H
#define MP_KEYRING_TU_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/keyring.h"

/* xorshift64*: reproducible "random" keys and UUIDs. */
struct ktu_rng {
	uint64_t s;
};

static inline int ktu_rng_bytes(void *ctx, uint8_t *out, size_t n)
{
	struct ktu_rng *r = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		r->s ^= r->s >> 12;
		r->s ^= r->s << 25;
		r->s ^= r->s >> 27;
		out[i] = (uint8_t)((r->s * 0x2545f4914f6cdd1dull) >> 56);
	}
	return 0;
}

static inline uint32_t ktu_rand32(struct ktu_rng *r)
{
	uint8_t b[4];

	ktu_rng_bytes(r, b, 4);
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

struct ktu_clock {
	int64_t t;
};

static inline int64_t ktu_now(void *ctx)
{
	return ((struct ktu_clock *)ctx)->t;
}

/* Options with the scripted sources; keep @rng and @clk alive. */
static inline struct mp_keyring_opts ktu_opts(struct mp_rng *rng, struct ktu_rng *state,
					      struct ktu_clock *clk, uint64_t seed)
{
	struct mp_keyring_opts o;

	memset(&o, 0, sizeof(o));
	state->s = seed ? seed : 1;
	rng->bytes = ktu_rng_bytes;
	rng->ctx = state;
	clk->t = 1700000000;
	o.rng = rng;
	o.now = ktu_now;
	o.now_ctx = clk;
	o.flags = MP_KEYRING_CREATE;
	o.scrypt_log2n = 10;	/* fast for tests */
	return o;
}

static inline char *ktu_tmpdir(void)
{
	char tmpl[] = "/tmp/mp-keyring-XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static inline int ktu_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static inline void ktu_rmtree(char *dir)
{
	if (dir)
		nftw(dir, ktu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static inline char *ktu_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* The whole file, NUL-terminated; NULL if unreadable. */
static inline char *ktu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

/* A keyring in a scratch directory with the scripted sources: the fixture
 * of the keyring tests (cmocka's setup and teardown wrap these). */
struct ktu_fx {
	char *dir, *path;
	struct mp_rng rng;
	struct ktu_rng rs;
	struct ktu_clock clk;
	struct mp_keyring_opts o;
};

static inline struct ktu_fx *ktu_fx_new(uint64_t seed)
{
	struct ktu_fx *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->dir = ktu_tmpdir();
	f->path = f->dir ? ktu_path(f->dir, "keyring.json") : NULL;
	if (!f->path) {
		free(f->dir);
		free(f);
		return NULL;
	}
	f->o = ktu_opts(&f->rng, &f->rs, &f->clk, seed);
	return f;
}

static inline void ktu_fx_free(struct ktu_fx *f)
{
	ktu_rmtree(f->dir);
	free(f->path);
	free(f);
}

/* Open the fixture's keyring, or fail the test with the error's message
 * (cmocka's fail_msg: the includer has testutil.h). */
#define ktu_open_ok(f) ({							\
	struct mp_keyring_error err_;						\
	struct mp_keyring *kr_ = NULL;						\
	int r_ = mp_keyring_open((f)->path, &(f)->o, &kr_, &err_);		\
	if (r_)									\
		fail_msg("open %s: %d %s", (f)->path, r_, err_.msg);		\
	kr_;									\
})

static inline int ktu_write(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	fchmod(fd, mode);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

#endif
