/* A queued send in front of a provisioning bearer: see bearer/sendq.h. */
#include "bearer/sendq.h"

#include <errno.h>
#include <string.h>

void mp_sendq_init(struct mp_sendq *q, unsigned int cap)
{
	memset(q, 0, sizeof(*q));
	q->cap = cap < 1 ? 1 : cap > MP_SENDQ_MAX ? MP_SENDQ_MAX : cap;
}

void mp_sendq_attach(struct mp_sendq *q, struct mp_bearer b)
{
	q->bearer = b;
	q->busy = false;
}

bool mp_sendq_attached(const struct mp_sendq *q)
{
	return q->bearer.ops != NULL;
}

/* Wipe what the queue held: PDUs carry public keys, confirmations and the
 * encrypted provisioning data. (bearer/ is below crypto/'s mp_wipe.) */
static void drop_head(struct mp_sendq *q)
{
	explicit_bzero(q->pdu[q->head], sizeof(q->pdu[q->head]));
	q->len[q->head] = 0;
	q->head = (q->head + 1) % q->cap;
	q->count--;
}

static int kick(struct mp_sendq *q)
{
	uint8_t pdu[MP_SENDQ_PDU_MAX];
	size_t len;
	int err;

	if (q->busy || !q->count || !q->bearer.ops)
		return 0;
	/* The head leaves the queue before the bearer sees it, sent or
	 * refused: a bearer that reported delivered() from inside send()
	 * would find the queue already moved on. */
	len = q->len[q->head];
	memcpy(pdu, q->pdu[q->head], len);
	drop_head(q);
	q->busy = true;
	err = mp_bearer_send(&q->bearer, pdu, len);
	if (err)
		q->busy = false;
	explicit_bzero(pdu, sizeof(pdu));
	return err;
}

int mp_sendq_send(struct mp_sendq *q, const uint8_t *pdu, size_t len)
{
	unsigned int slot;

	if (!q->bearer.ops)
		return -ENOTCONN;
	if (!len || len > MP_SENDQ_PDU_MAX)
		return -EMSGSIZE;
	if (q->count == q->cap)
		return -ENOBUFS;
	slot = (q->head + q->count) % q->cap;
	memcpy(q->pdu[slot], pdu, len);
	q->len[slot] = len;
	q->count++;
	return kick(q);
}

int mp_sendq_delivered(struct mp_sendq *q)
{
	q->busy = false;
	return kick(q);
}

void mp_sendq_close(struct mp_sendq *q)
{
	unsigned int cap = q->cap;

	explicit_bzero(q, sizeof(*q));
	q->cap = cap;
}
