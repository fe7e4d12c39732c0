/* Responses matched to the requests waiting for them.
 *
 * MshPRT v1.1 3.7 (acknowledged messages of the access layer): a request is answered by a
 * status message from the element it was sent to. A client that keeps
 * several requests outstanding (one per node, many nodes) must tell which
 * request an answer belongs to, and must not take a stray or late answer
 * for the one it waits for: the answer has to come from the expected
 * source, carry the response opcode, and repeat the fields that tell two
 * requests apart (a NetKeyIndex/AppKeyIndex, an element address and a
 * model identifier, ...). Which fields those are is the caller's
 * knowledge (config/ fills struct mp_access_expect); this object only
 * compares.
 *
 * Pure: the caller gives the storage for the outstanding requests; no
 * descriptors, clock or globals. Timeouts are the caller's: it cancels.
 */
#ifndef MP_ACCESS_MATCH_H
#define MP_ACCESS_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How many parameter ranges an expectation may compare, and how long. */
#define MP_ACCESS_EXPECT_FIELDS 3
#define MP_ACCESS_EXPECT_FIELD_MAX 4

/* Parameters [offset, offset + len) of the response must equal value. */
struct mp_access_field {
	uint16_t offset;
	uint8_t len;		/* 1..MP_ACCESS_EXPECT_FIELD_MAX */
	uint8_t value[MP_ACCESS_EXPECT_FIELD_MAX];
};

/* What the answer to one request looks like. */
struct mp_access_expect {
	uint16_t src;		/* the element that must answer */
	uint32_t opcode;	/* the response opcode */
	uint16_t len;		/* exact parameter length, or 0 for any */
	uint8_t n_fields;
	struct mp_access_field fields[MP_ACCESS_EXPECT_FIELDS];
};

/**
 * Append to @e a field that the response must repeat at @offset. Returns 0,
 * or -EINVAL when @len is 0 or too long or @e is full.
 */
int mp_access_expect_field(struct mp_access_expect *e, uint16_t offset, const uint8_t *value,
			   size_t len);

/** True when (@src, @opcode, @params) is the answer @e describes. */
bool mp_access_expect_matches(const struct mp_access_expect *e, uint16_t src, uint32_t opcode,
			      const uint8_t *params, size_t len);

struct mp_access_pending {
	bool used;
	uint32_t id;
	struct mp_access_expect expect;
};

/* The outstanding requests, in storage the caller owns. */
struct mp_access_matcher {
	struct mp_access_pending *slots;
	size_t n_slots;
	uint32_t next_id;
	uint64_t unmatched;	/* answers that matched no request, for the counters */
};

/** Start with @n empty @slots. */
void mp_access_matcher_init(struct mp_access_matcher *m, struct mp_access_pending *slots,
			    size_t n);

/**
 * Register a request awaiting the answer @e. Returns its id (> 0), -EINVAL
 * when @e is malformed, -EBUSY when a request already waits for an
 * answer described the same way (the two answers could not be told apart:
 * the caller sends such requests one at a time), -ENOBUFS when every slot
 * is taken.
 */
int64_t mp_access_matcher_add(struct mp_access_matcher *m, const struct mp_access_expect *e);

/** Forget request @id (answered elsewhere, timed out, cancelled). Returns 0 or -ENOENT. */
int mp_access_matcher_cancel(struct mp_access_matcher *m, uint32_t id);

/**
 * Offer a received message. When it answers an outstanding request, that
 * request is removed and its id returned (the oldest one, where two would
 * take it); otherwise the message is counted
 * in m->unmatched and -ENOENT returned (a stray, late or duplicated answer,
 * one from another address, or one whose fields differ from the request's).
 */
int64_t mp_access_matcher_rx(struct mp_access_matcher *m, uint16_t src, uint32_t opcode,
			     const uint8_t *params, size_t len);

/** Number of outstanding requests. */
size_t mp_access_matcher_pending(const struct mp_access_matcher *m);

#endif
