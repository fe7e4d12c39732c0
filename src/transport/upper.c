/* Upper Transport Access PDUs. See include/transport/upper.h. */
#include "transport/upper.h"

#include <errno.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mesh_keys.h"

/* The checks both directions share; the nonce of the message. */
static int prepare(const uint8_t *key, const struct mp_upper_ctx *ctx,
		   uint8_t nonce[MP_NONCE_LEN])
{
	bool virtual_dst;

	if (!key || !ctx)
		return -EINVAL;
	/* MshPRT v1.1 3.4.2.3: 0b10 in the top bits is a virtual address. */
	virtual_dst = (ctx->dst & 0xc000) == 0x8000;
	if (virtual_dst != (ctx->label_uuid != NULL))
		return -EINVAL;
	/* MshPRT v1.1 3.9.5.2, 3.9.5.3 */
	if (ctx->akf)
		mp_nonce_application(ctx->aszmic, ctx->seq, ctx->src, ctx->dst, ctx->iv_index, nonce);
	else
		mp_nonce_device(ctx->aszmic, ctx->seq, ctx->src, ctx->dst, ctx->iv_index, nonce);
	return 0;
}

ssize_t mp_upper_encrypt(const uint8_t key[16], const struct mp_upper_ctx *ctx,
			 const uint8_t *access, size_t len, uint8_t *out, size_t cap)
{
	uint8_t nonce[MP_NONCE_LEN];
	size_t mic;
	int ret;

	if (!access || !out)
		return -EINVAL;
	ret = prepare(key, ctx, nonce);
	if (ret)
		return ret;
	mic = ctx->aszmic ? 8 : 4;
	if (len == 0 || len + mic > MP_UPPER_PDU_MAX)
		return -EMSGSIZE;
	if (cap < len + mic)
		return -ENOSPC;
	ret = mp_aes_ccm_encrypt(key, nonce, ctx->label_uuid, ctx->label_uuid ? 16 : 0, access,
				 len, out, out + len, mic);
	return ret ? ret : (ssize_t)(len + mic);
}

ssize_t mp_upper_decrypt(const uint8_t key[16], const struct mp_upper_ctx *ctx,
			 const uint8_t *pdu, size_t len, uint8_t *out, size_t cap)
{
	uint8_t nonce[MP_NONCE_LEN];
	size_t mic;
	int ret;

	if (!pdu || !out)
		return -EINVAL;
	ret = prepare(key, ctx, nonce);
	if (ret)
		return ret;
	mic = ctx->aszmic ? 8 : 4;
	if (len <= mic || len > MP_UPPER_PDU_MAX)
		return -EMSGSIZE;
	if (cap < len - mic)
		return -ENOSPC;
	ret = mp_aes_ccm_decrypt(key, nonce, ctx->label_uuid, ctx->label_uuid ? 16 : 0, pdu,
				 len - mic, out, pdu + len - mic, mic);
	return ret ? ret : (ssize_t)(len - mic);
}
