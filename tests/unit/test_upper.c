/* transport/upper.h: Upper Transport Access PDUs.
 *
 * Table-driven over the access messages of the sample data's `messages`
 * group (MshPRT v1.1 8.3.6, 8.3.16, 8.3.18-8.3.24), one case per message
 * named after its section: the access message encrypted under the device or
 * application key (with the Label UUID for a virtual DST, a 64-bit TransMIC
 * for 8.3.24) to the sample's Upper Transport PDU, and decrypted back; the
 * wrong key, the wrong label, a changed nonce field or octet each fail.
 */
#include "net_tu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "transport/upper.h"

static void test_message(void **state)
{
	struct json_object *m = *state;
	bool dev = strcmp(tu_str(m, "key_type"), "device") == 0;
	uint8_t key[16], label[16], access[400], exp[400], out[400], mic[8];
	struct mp_upper_ctx ctx = {
		.akf = !dev,
		.seq = ntu_int(m, "seq"), .src = (uint16_t)ntu_int(m, "src"),
		.dst = (uint16_t)ntu_int(m, "dst"), .iv_index = ntu_int(m, "iv_index"),
	};
	size_t alen = tu_hex(m, "access.access_message", access, sizeof(access));
	size_t len = tu_hex(m, "upper_transport_pdu", exp, sizeof(exp));
	size_t miclen = tu_hex(m, "trans_mic", mic, sizeof(mic));
	ssize_t n;
	size_t i;

	tu_hex(m, dev ? "dev_key" : "app_key", key, sizeof(key));
	/* ASZMIC is SZMIC: 1 only for the segmented 64-bit TransMIC */
	ctx.aszmic = json_object_get_int(tu_get(m, "trans_mic_size_int")) == 64;
	assert_int_equal(miclen, ctx.aszmic ? 8 : 4);
	if (ntu_has(m, "label_uuid")) {
		tu_hex(m, "label_uuid", label, sizeof(label));
		ctx.label_uuid = label;
	}

	n = mp_upper_encrypt(key, &ctx, access, alen, out, sizeof(out));
	assert_int_equal(n, (ssize_t)len);
	tu_assert_bytes(out, exp, len);
	tu_assert_bytes(out + len - miclen, mic, miclen);
	memset(out, 0xee, sizeof(out));
	n = mp_upper_decrypt(key, &ctx, exp, len, out, sizeof(out));
	assert_int_equal(n, (ssize_t)alen);
	tu_assert_bytes(out, access, alen);

	/* every octet flipped, and every field of the nonce changed: -EBADMSG */
	for (i = 0; i < len; i++) {
		exp[i] ^= 0x01;
		assert_int_equal(mp_upper_decrypt(key, &ctx, exp, len, out, sizeof(out)), -EBADMSG);
		exp[i] ^= 0x01;
	}
	{
		struct mp_upper_ctx c2;

		c2 = ctx;
		c2.akf = !ctx.akf;
		assert_int_equal(mp_upper_decrypt(key, &c2, exp, len, out, sizeof(out)), -EBADMSG);
		c2 = ctx;
		c2.seq ^= 1;
		assert_int_equal(mp_upper_decrypt(key, &c2, exp, len, out, sizeof(out)), -EBADMSG);
		c2 = ctx;
		c2.src ^= 1;
		assert_int_equal(mp_upper_decrypt(key, &c2, exp, len, out, sizeof(out)), -EBADMSG);
		c2 = ctx;
		c2.dst ^= 1;
		assert_int_equal(mp_upper_decrypt(key, &c2, exp, len, out, sizeof(out)), -EBADMSG);
		c2 = ctx;
		c2.iv_index ^= 1;
		assert_int_equal(mp_upper_decrypt(key, &c2, exp, len, out, sizeof(out)), -EBADMSG);
	}
	key[15] ^= 0x80;
	assert_int_equal(mp_upper_decrypt(key, &ctx, exp, len, out, sizeof(out)), -EBADMSG);
	key[15] ^= 0x80;
	if (ctx.label_uuid) {
		label[0] ^= 0x01;
		assert_int_equal(mp_upper_decrypt(key, &ctx, exp, len, out, sizeof(out)), -EBADMSG);
		ctx.label_uuid = NULL;
		assert_int_equal(mp_upper_decrypt(key, &ctx, exp, len, out, sizeof(out)), -EINVAL);
		assert_int_equal(mp_upper_encrypt(key, &ctx, access, alen, out, sizeof(out)), -EINVAL);
	}
}

static void test_limits(void **state)
{
	static const uint8_t key[16], label[16];
	uint8_t in[400] = { 0 }, out[400];
	struct mp_upper_ctx ctx = { .akf = true, .seq = 1, .src = 1, .dst = 2 };

	assert_int_equal(mp_upper_encrypt(key, &ctx, in, 0, out, sizeof(out)), -EMSGSIZE);
	assert_int_equal(mp_upper_encrypt(key, &ctx, in, 380, out, sizeof(out)), 384);
	assert_int_equal(mp_upper_decrypt(key, &ctx, out, 384, in, sizeof(in)), 380);
	assert_int_equal(mp_upper_encrypt(key, &ctx, in, 381, out, sizeof(out)), -EMSGSIZE);
	assert_int_equal(mp_upper_encrypt(key, &ctx, in, 380, out, 383), -ENOSPC);
	ctx.aszmic = true;
	assert_int_equal(mp_upper_encrypt(key, &ctx, in, 377, out, sizeof(out)), -EMSGSIZE);
	assert_int_equal(mp_upper_encrypt(key, &ctx, in, 376, out, sizeof(out)), 384);
	assert_int_equal(mp_upper_decrypt(key, &ctx, out, 8, in, sizeof(in)), -EMSGSIZE);
	assert_int_equal(mp_upper_decrypt(key, &ctx, out, 385, in, sizeof(in)), -EMSGSIZE);
	assert_int_equal(mp_upper_decrypt(key, &ctx, out, 384, in, 375), -ENOSPC);
	/* a label only with a virtual DST */
	ctx.label_uuid = label;
	assert_int_equal(mp_upper_encrypt(key, &ctx, in, 5, out, sizeof(out)), -EINVAL);
	ctx.dst = 0x8001;
	assert_int_equal(mp_upper_encrypt(key, &ctx, in, 5, out, sizeof(out)), 13);
	assert_int_equal(mp_upper_encrypt(NULL, &ctx, in, 5, out, sizeof(out)), -EINVAL);
	assert_int_equal(mp_upper_encrypt(key, NULL, in, 5, out, sizeof(out)), -EINVAL);
	assert_int_equal(mp_upper_decrypt(key, &ctx, NULL, 5, out, sizeof(out)), -EINVAL);
}

int main(void)
{
	char name[160];
	unsigned i;

	for (i = 1; i <= 24; i++) {
		struct json_object *m = ntu_message(i);

		if (strcmp(tu_str(m, "type"), "access") != 0)
			continue;
		snprintf(name, sizeof(name), "messages: %s", tu_str(m, "name"));
		ntu_add(name, test_message, m);
	}
	ntu_add("test_limits", test_limits, NULL);
	return ntu_run("upper");
}
