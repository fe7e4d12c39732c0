/* SEQ from reservation blocks (see include/store/seq.h). */
#include "store/seq.h"

#include <errno.h>
#include <stdlib.h>

struct mp_seq {
	struct mp_keyring *kr;
	struct mp_seq_opts o;
	uint32_t tx_iv;		/* the transmit IV index the ranges belong to */
	bool have_tx_iv;
	/* Reserved, not handed out: [cur, cur_end) then [nxt, nxt_end). Two
	 * ranges because a reservation is contiguous with the last one only
	 * while nobody else reserves on the keyring. */
	uint32_t cur, cur_end, nxt, nxt_end;
	bool high_told;
	uint64_t reservations;
};

static uint32_t tx_iv_now(const struct mp_keyring *kr)
{
	uint32_t iv = mp_keyring_iv_index(kr);

	/* 3.11.5: during an IV Update a node sends with the IV index - 1. */
	return mp_keyring_iv_update(kr) && iv ? iv - 1 : iv;
}

int mp_seq_new(struct mp_keyring *kr, const struct mp_seq_opts *opts, struct mp_seq **out)
{
	struct mp_seq *s;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!kr)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->kr = kr;
	if (opts)
		s->o = *opts;
	if (!s->o.block || s->o.block > MP_SEQ_MAX + 1u)
		s->o.block = MP_SEQ_BLOCK_DEFAULT;
	if (!s->o.low_water)
		s->o.low_water = s->o.block / 4;
	if (s->o.low_water >= s->o.block)
		s->o.low_water = s->o.block - 1;
	if (!s->o.threshold)
		s->o.threshold = MP_SEQ_IV_THRESHOLD;
	*out = s;
	return 0;
}

void mp_seq_free(struct mp_seq *s)
{
	free(s);
}

void mp_seq_reset(struct mp_seq *s)
{
	s->cur = s->cur_end = s->nxt = s->nxt_end = 0;
	s->have_tx_iv = false;
	s->high_told = false;
}

uint32_t mp_seq_held(const struct mp_seq *s)
{
	return (s->cur_end - s->cur) + (s->nxt_end - s->nxt);
}

uint64_t mp_seq_reservations(const struct mp_seq *s)
{
	return s->reservations;
}

/* Reserve the next block (smaller at the end of the SEQ space). */
static int reserve(struct mp_seq *s)
{
	uint32_t left = MP_SEQ_MAX + 1u - mp_keyring_seq_next(s->kr), count, first;
	int r;

	if (!left)
		return -ERANGE;
	count = s->o.block < left ? s->o.block : left;
	r = mp_keyring_seq_reserve(s->kr, count, &first);
	if (r)
		return r;
	s->reservations++;
	if (s->cur == s->cur_end) {
		s->cur = first;
		s->cur_end = first + count;
	} else if (first == s->cur_end && s->nxt == s->nxt_end) {
		s->cur_end += count;
	} else {
		s->nxt = first;
		s->nxt_end = first + count;
	}
	return 0;
}

int mp_seq_next(struct mp_seq *s, uint32_t *seq)
{
	uint32_t tx = tx_iv_now(s->kr), v;
	int r = 0;

	if (!seq)
		return -EINVAL;
	/* A new transmit IV index: what is held belonged to the old one; the
	 * keyring started its numbers at 0 again (mp_keyring_set_iv()). */
	if (!s->have_tx_iv || tx != s->tx_iv) {
		mp_seq_reset(s);
		s->tx_iv = tx;
		s->have_tx_iv = true;
	}
	if (s->cur == s->cur_end && s->nxt != s->nxt_end) {
		s->cur = s->nxt;
		s->cur_end = s->nxt_end;
		s->nxt = s->nxt_end = 0;
	}
	/* Write before use, and ahead: the next block while this one still
	 * has low_water numbers. A failure with numbers left is retried on
	 * the next call. */
	if (s->nxt == s->nxt_end && s->cur_end - s->cur <= s->o.low_water)
		r = reserve(s);
	if (s->cur == s->cur_end && s->nxt != s->nxt_end) {
		s->cur = s->nxt;
		s->cur_end = s->nxt_end;
		s->nxt = s->nxt_end = 0;
	}
	if (s->cur == s->cur_end)
		return r ? r : -ERANGE;
	v = s->cur++;
	*seq = v;
	if (v >= s->o.threshold && !s->high_told) {
		s->high_told = true;
		if (s->o.high)
			s->o.high(s->o.user, v, tx);
	}
	return 0;
}

int mp_seq_next_cb(void *user, uint32_t *seq)
{
	return user ? mp_seq_next(user, seq) : -EINVAL;
}
