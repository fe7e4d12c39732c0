/* Fuzz target: the simulated node's Configuration Server fed an arbitrary
 * sequence of access messages.
 *
 * Input: the first octet picks the node's limits (bits 0-1: AppKeys 1..4,
 * bits 2-3: subscriptions per model 1..4, bit 4: one NetKey at most, bit 5:
 * Insufficient Resources after 2 keys, bit 6: the messages come under
 * NetKey 0x001 rather than 0x000); then chunks, each a length octet n
 * and n octets of access message (a short last chunk is fed as it is).
 *
 * Invariants (abort() on violation):
 *   - mp_sim_cfg_rx() returns 0, -EBADMSG, -ENOENT or -ESHUTDOWN (the
 *     output buffer is always large enough);
 *   - on 0 the answer is the Status that pairs with the request's opcode
 *     (the pairs of MshPRT v1.1 4.3.4, written out here again), no
 *     longer than an access message, with a status code of 4.3.5 where the
 *     Status carries one;
 *   - after a Node Reset Status every call answers -ESHUTDOWN;
 *   - a message refused (-EBADMSG, -ENOENT) adds or removes no key;
 *   - the node always keeps at least one NetKey and stays within its limits.
 *
 * The seed corpus in tests/fuzz/corpus/sim_cfg/, in the format above, was
 * written by hand from the layouts of 4.3.2 (the node below: primary
 * element 0x0100, NetKey 0x000): keys (NetKey and AppKey Add, Update,
 * Delete, Get, a key refresh), models (bindings, publication, virtual
 * publication and subscriptions, lists), states (Composition Data, Beacon,
 * Default TTL, Proxy, Friend, Relay, Network Transmit, Node Identity,
 * heartbeats, PollTimeout), reset (messages after a Node Reset) and
 * netkey-delete (deleting NetKeys under NetKey 0x001).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/node_cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* request -> status opcode, and the offset of a status code in the status
 * parameters (-1: none) */
static const struct {
	uint16_t req, status;
	int code_at;
} pairs[] = {
	{ 0x0000, 0x8003, 0 }, { 0x0001, 0x8003, 0 }, { 0x0003, 0x8019, 0 },
	{ 0x8000, 0x8003, 0 }, { 0x8001, 0x8002, 0 }, { 0x8008, 0x0002, -1 },
	{ 0x8009, 0x800b, -1 }, { 0x800a, 0x800b, -1 }, { 0x800c, 0x800e, -1 },
	{ 0x800d, 0x800e, -1 }, { 0x800f, 0x8011, -1 }, { 0x8010, 0x8011, -1 },
	{ 0x8012, 0x8014, -1 }, { 0x8013, 0x8014, -1 }, { 0x8015, 0x8017, 0 },
	{ 0x8016, 0x8017, 0 }, { 0x8018, 0x8019, 0 }, { 0x801a, 0x8019, 0 },
	{ 0x801b, 0x801f, 0 }, { 0x801c, 0x801f, 0 }, { 0x801d, 0x801f, 0 },
	{ 0x801e, 0x801f, 0 }, { 0x8020, 0x801f, 0 }, { 0x8021, 0x801f, 0 },
	{ 0x8022, 0x801f, 0 }, { 0x8023, 0x8025, -1 }, { 0x8024, 0x8025, -1 },
	{ 0x8026, 0x8028, -1 }, { 0x8027, 0x8028, -1 }, { 0x8029, 0x802a, 0 },
	{ 0x802b, 0x802c, 0 }, { 0x802d, 0x802e, -1 }, { 0x8038, 0x0006, 0 },
	{ 0x8039, 0x0006, 0 }, { 0x803a, 0x803c, 0 }, { 0x803b, 0x803c, 0 },
	{ 0x803d, 0x803e, 0 }, { 0x803f, 0x803e, 0 }, { 0x8040, 0x8044, 0 },
	{ 0x8041, 0x8044, 0 }, { 0x8042, 0x8043, -1 }, { 0x8045, 0x8044, 0 },
	{ 0x8046, 0x8048, 0 }, { 0x8047, 0x8048, 0 }, { 0x8049, 0x804a, -1 },
	{ 0x804b, 0x804c, 0 }, { 0x804d, 0x804e, 0 },
};

static void check_answer(const uint8_t *msg, size_t len, const uint8_t *out, size_t n)
{
	uint16_t req = msg[0] < 0x80 ? msg[0] : (uint16_t)(msg[0] << 8 | msg[1]);
	size_t i, olen;
	uint16_t op;

	(void)len;
	if (!n || n > 380)
		abort();
	olen = out[0] < 0x80 ? 1 : 2;
	if (n < olen)
		abort();
	op = olen == 1 ? out[0] : (uint16_t)(out[0] << 8 | out[1]);
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (pairs[i].req == req)
			break;
	if (i == sizeof(pairs) / sizeof(pairs[0]) || pairs[i].status != op)
		abort();
	if (pairs[i].code_at >= 0 && (n <= olen || out[olen] > MP_SIM_CFG_INVALID_BINDING))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mp_sim_comp comp = {
		.cid = 0x05f1, .pid = 1, .vid = 2, .crpl = 8,
		.features = MP_SIM_FEAT_RELAY | MP_SIM_FEAT_PROXY,
		.n_elements = 2,
		.elements = {
			{ .loc = 0x0100, .n_models = 4, .models = {
				{ .id = 0x0000 }, { .id = 0x0002 }, { .id = 0x1000 },
				{ .vendor = true, .cid = 0x05f1, .id = 0x0001 } } },
			{ .loc = 0x0101, .n_models = 1, .models = { { .id = 0x1000 } } },
		},
	};
	struct mp_sim_cfg_params p = {
		.comp = &comp, .unicast = 0x0100, .net_key_index = 0x000,
		.net_key = { 0x7d, 0xd7, 0x36, 0x4c },
	};
	struct mp_sim_cfg *cfg;
	uint8_t out[400];
	bool reset = false;
	size_t off = 1;
	uint16_t net_idx;

	if (!size)
		return 0;
	p.limits.app_keys = 1 + (data[0] & 3);
	p.limits.subs_per_model = 1 + (data[0] >> 2 & 3);
	p.limits.net_keys = data[0] & 0x10 ? 1 : 0;
	if (mp_sim_cfg_new(&p, &cfg))
		abort();
	if (data[0] & 0x20)
		mp_sim_cfg_fail_keys_after(cfg, 2);
	net_idx = data[0] & 0x40 ? 0x001 : 0x000;

	while (off < size) {
		size_t n = data[off++], olen = 0;
		size_t nets = mp_sim_cfg_net_key_count(cfg), apps = mp_sim_cfg_app_key_count(cfg);
		const uint8_t *msg = data + off;
		int err;

		if (n > size - off)
			n = size - off;
		off += n;
		err = mp_sim_cfg_rx(cfg, 0x0001, net_idx, msg, n, out, sizeof(out), &olen);
		if (reset) {
			if (err != -ESHUTDOWN)
				abort();
			continue;
		}
		if (err == 0) {
			check_answer(msg, n, out, olen);
			if (out[0] == 0x80 && out[1] == 0x4a)
				reset = true;
		} else if (err != -EBADMSG && err != -ENOENT) {
			abort();
		} else if (olen || nets != mp_sim_cfg_net_key_count(cfg) ||
			   apps != mp_sim_cfg_app_key_count(cfg)) {
			abort();
		}
		if (mp_sim_cfg_net_key_count(cfg) < 1 ||
		    mp_sim_cfg_app_key_count(cfg) > p.limits.app_keys ||
		    (p.limits.net_keys && mp_sim_cfg_net_key_count(cfg) > p.limits.net_keys))
			abort();
		if (reset != mp_sim_cfg_is_reset(cfg))
			abort();
	}
	mp_sim_cfg_free(cfg);
	return 0;
}
