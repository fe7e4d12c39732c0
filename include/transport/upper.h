/* The upper transport layer's access PDUs, a pure codec. MshPRT v1.1 3.6.
 *
 * An Upper Transport Access PDU is the access payload encrypted with AES-CCM
 * under an application key (application nonce, AKF 1) or a device key
 * (device nonce, AKF 0), followed by the TransMIC: 32 bits, or 64 for a
 * segmented message that asks for it (SZMIC 1, which is the nonce's ASZMIC).
 * When DST is a virtual address its Label UUID is the CCM's additional data
 * (3.9.7.1). The nonces are those of crypto/mesh_keys.h.
 *
 * Which key to try (the AID of the lower transport header names the
 * application keys that may fit; AKF 0 means the device key of SRC or DST)
 * and which Label UUIDs hash to a virtual DST (mp_virtual_address) is the
 * caller's business: this codec takes one key and at most one label.
 *
 * Errors: -EINVAL for a NULL argument or a label missing for (or given
 * without) a virtual DST, -EMSGSIZE for an access payload of 0 octets or
 * longer than 380 (376 with a 64-bit TransMIC: 32 segments of 12 octets
 * hold 384), or an Upper Transport PDU that could not hold one, -ENOSPC when
 * @cap is too small, -EBADMSG when the TransMIC does not authenticate,
 * -EIO when OpenSSL fails.
 */
#ifndef MP_TRANSPORT_UPPER_H
#define MP_TRANSPORT_UPPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MP_UPPER_PDU_MAX 384	/* 32 segments of 12 octets */
#define MP_UPPER_ACCESS_MAX 380	/* with a 32-bit TransMIC */

/* What secures one access message besides its key. */
struct mp_upper_ctx {
	bool akf;			/* application key (1) or device key (0) */
	bool aszmic;			/* 64-bit TransMIC (a segmented message with SZMIC 1) */
	uint32_t seq;			/* SEQ of the message (of its first segment) */
	uint16_t src;
	uint16_t dst;
	uint32_t iv_index;
	const uint8_t *label_uuid;	/* 16 octets when DST is virtual, else NULL */
};

/**
 * Encrypt @access (@len octets) under @key into @out: the encrypted payload
 * then the TransMIC. Returns the Upper Transport PDU's length.
 */
ssize_t mp_upper_encrypt(const uint8_t key[16], const struct mp_upper_ctx *ctx,
			 const uint8_t *access, size_t len, uint8_t *out, size_t cap);

/**
 * Authenticate and decrypt the Upper Transport PDU @pdu under @key into
 * @out. Returns the access payload's length; on an error @out is wiped.
 */
ssize_t mp_upper_decrypt(const uint8_t key[16], const struct mp_upper_ctx *ctx,
			 const uint8_t *pdu, size_t len, uint8_t *out, size_t cap);

#endif
