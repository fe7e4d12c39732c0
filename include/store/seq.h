/* This provisioner's sequence numbers, handed out one by one from blocks
 * reserved in the keyring.
 *
 * SEQ is 24 bits per unicast address and transmit IV index (MshPRT v1.1
 * 3.4.4.4, 3.11.5): a SEQ sent twice under one IV index reuses a nonce and
 * is a replay to every receiver. So a SEQ is handed out only once it is
 * SAVED as reserved (mp_keyring_seq_reserve() writes the keyring before it
 * returns): a process killed at any point loses at most the rest of its
 * block, never reuses a number. The keyring is written once per block, not
 * per message; the next block is reserved while the current one still has
 * @low_water numbers left, so a save that fails (a full disk) leaves numbers
 * to go on with while it is retried.
 *
 * The block belongs to the keyring's transmit IV index (the IV index, or the
 * one before it during an IV Update): when that changes
 * (mp_keyring_set_iv(), which starts the keyring's numbers at 0 again),
 * the allocator drops what it holds and starts again at 0; it checks on
 * every call, so nothing has to tell it (mp_seq_reset() is there for the IV
 * machine's seq_reset callback all the same).
 *
 * When the SEQ handed out reaches @threshold, @high is called once per
 * transmit IV index: the IV machine's mp_iv_seq_high() (an IV Update is
 * started before the SEQ space runs out, 3.11.5).
 *
 * Not thread-safe; one allocator per open keyring.
 */
#ifndef MP_STORE_SEQ_H
#define MP_STORE_SEQ_H

#include <stdbool.h>
#include <stdint.h>

#include "store/keyring.h"

/* SEQs per keyring write. */
#define MP_SEQ_BLOCK_DEFAULT 1024
/*
 * The default threshold: half the SEQ space. An IV Update started by this
 * node may have to wait 96 hours of Normal before it starts and then lasts
 * 96 hours during which the old transmit IV index (and its SEQ space) is
 * still in use (3.11.5): 2^23 numbers over those 192 hours is 12 messages
 * a second sustained, far above what a provisioner sends.
 */
#define MP_SEQ_IV_THRESHOLD 0x800000u

struct mp_seq_opts {
	uint32_t block;		/* SEQs reserved per keyring write; 0: MP_SEQ_BLOCK_DEFAULT */
	uint32_t low_water;	/* reserve the next block when this few are left;
				 * 0: block / 4 (at most block - 1) */
	uint32_t threshold;	/* 0: MP_SEQ_IV_THRESHOLD; above MP_SEQ_MAX: never */
	/* SEQ @seq reached the threshold at transmit IV index @tx_iv_index;
	 * called after the SEQ is handed out. May be NULL. */
	void (*high)(void *user, uint32_t seq, uint32_t tx_iv_index);
	void *user;
};

struct mp_seq;

/**
 * An allocator on the open keyring @kr (which must outlive it); @opts may be
 * NULL. Nothing is reserved before the first mp_seq_next(). -EINVAL for a
 * NULL argument, -ENOMEM.
 */
int mp_seq_new(struct mp_keyring *kr, const struct mp_seq_opts *opts, struct mp_seq **out);

/** Free @s (NULL is fine). What it held unused stays reserved: never used. */
void mp_seq_free(struct mp_seq *s);

/**
 * The next SEQ of this provisioner's address at the keyring's transmit IV
 * index, into *@seq.
 *   -ERANGE   the SEQ space of this transmit IV index is used up: no SEQ
 *             until the IV index changes (an IV Update was due)
 *   -EBUSY    the keyring is inside mp_keyring_begin()/commit() and a block
 *             had to be reserved
 *   or the error of saving the keyring (mp_keyring_error() tells), when no
 *   reserved number was left.
 */
int mp_seq_next(struct mp_seq *s, uint32_t *seq);

/** mp_seq_next() in the shape of the mesh stack's callback
 *  `int seq_next(void *user, uint32_t *seq)`: @user is the struct mp_seq. */
int mp_seq_next_cb(void *user, uint32_t *seq);

/** Drop what is held: the next SEQ comes from a new reservation. */
void mp_seq_reset(struct mp_seq *s);

/** SEQs held (reserved, not handed out) now. */
uint32_t mp_seq_held(const struct mp_seq *s);

/** Keyring writes this allocator made (reservations saved). */
uint64_t mp_seq_reservations(const struct mp_seq *s);

#endif
