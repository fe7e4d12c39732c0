/* Fuzz target: the IV index machine (net/iv.h) driven by a script.
 *
 * Input: 8-octet events (a shorter tail is ignored):
 *   op (1) || hours (2, little-endian: time passes by that many hours,
 *   plus op's high bits in seconds) || IV index offset (1, signed, from the
 *   current IV index) || flags (1: bit 0 IV Update, bit 1 secondary subnet,
 *   bit 2 hold) || 3 unused
 * op % 4: 0 a beacon, 1 mp_iv_tick, 2 mp_iv_hold, 3 mp_iv_seq_high.
 * The first event's octets also pick the start: IV index, in progress or
 * not, a primary member or not, and whether persisting fails.
 *
 * Invariants (abort on failure): the IV index and the transmit IV index
 * never go back; a SEQ reset exactly when the transmit IV index changes;
 * every state entered was persisted first, and nothing changes when the
 * persist fails; recoveries at least 192 hours apart; an own transition
 * only after 96 hours in a state (or a beacon's Normal the hold kept).
 */
#include <stdlib.h>
#include <string.h>

#include "net/iv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct mp_iv iv;
	struct mp_iv_state saved;
	unsigned persists, resets;
	int fail;
};

static int fz_persist(void *user, const struct mp_iv_state *st)
{
	struct fz *f = user;

	if (f->fail)
		return -5;
	f->saved = *st;
	f->persists++;
	return 0;
}

static void fz_reset(void *user, uint32_t tx)
{
	(void)tx;
	((struct fz *)user)->resets++;
}

static void fz_timer(void *user, uint32_t ms)
{
	(void)user;
	(void)ms;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mp_iv_cb cb = { fz_persist, fz_reset, fz_timer };
	int64_t now = 1700000000, last_rec = MP_IV_NEVER;
	struct mp_iv_state st;
	struct fz f;
	size_t i;

	if (size < 8)
		return 0;
	memset(&f, 0, sizeof(f));
	st.iv_index = (uint32_t)data[5] << 24 | (uint32_t)data[6] << 8 | data[7];
	st.iv_update = data[4] & 1;
	st.changed = now - (int64_t)data[1] * MP_IV_HOUR;
	st.last_recovery = data[4] & 8 ? st.changed : MP_IV_NEVER;
	f.fail = (data[4] & 0x30) == 0x30;
	if (mp_iv_init(&f.iv, &st, !(data[4] & 2), &cb, &f))
		abort();
	for (i = 0; i + 8 <= size; i += 8) {
		const uint8_t *e = data + i;
		struct mp_iv_state before = *mp_iv_get(&f.iv);
		uint32_t tx_before = mp_iv_tx_index(&f.iv);
		unsigned persists = f.persists, resets = f.resets;
		bool pending = f.iv.normal_pending;
		enum mp_iv_verdict v = MP_IV_SAME;
		const struct mp_iv_state *cur;
		unsigned op = e[0] % 4;

		now += (int64_t)(e[1] | e[2] << 8) * MP_IV_HOUR + (e[0] >> 2);
		if (op == 0) {
			struct mp_iv_beacon b;

			memset(&b, 0, sizeof(b));
			b.iv_index = before.iv_index + (uint32_t)(int32_t)(int8_t)e[3];
			b.iv_update = e[4] & 1;
			b.primary = !(e[4] & 2);
			b.net_index = b.primary ? 0 : 1;
			v = mp_iv_beacon(&f.iv, &b, now);
		} else if (op == 1) {
			mp_iv_tick(&f.iv, now);
		} else if (op == 2) {
			mp_iv_hold(&f.iv, e[4] & 4, now);
		} else {
			mp_iv_seq_high(&f.iv, now);
		}
		cur = mp_iv_get(&f.iv);
		if (cur->iv_index < before.iv_index || mp_iv_tx_index(&f.iv) < tx_before)
			abort();
		if ((f.resets != resets) != (mp_iv_tx_index(&f.iv) != tx_before))
			abort();
		if (!memcmp(cur, &before, sizeof(before))) {
			if (f.persists != persists)
				abort();
			continue;
		}
		if (f.fail || f.persists != persists + 1 || memcmp(&f.saved, cur, sizeof(*cur)) ||
		    cur->changed != now)
			abort();
		if (v == MP_IV_RECOVERED) {
			if (before.last_recovery != MP_IV_NEVER &&
			    now - before.last_recovery < MP_IV_RECOVERY_PERIOD)
				abort();
			if (last_rec != MP_IV_NEVER && now - last_rec < MP_IV_RECOVERY_PERIOD)
				abort();
			last_rec = now;
		} else if (op != 0 && now - before.changed < MP_IV_MIN_STATE &&
			   !(pending && !cur->iv_update)) {
			abort();
		}
	}
	return 0;
}
