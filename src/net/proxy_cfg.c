/* Proxy configuration messages. MshPRT v1.1 6.6, 6.7 */
#include "net/proxy_cfg.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"

#define RANGE_LEN_PRESENT 0x8000

const char *mp_proxy_cfg_opcode_name(uint8_t opcode)
{
	switch (opcode) {
	case MP_PROXY_CFG_SET_FILTER_TYPE:
		return "Set Filter Type";
	case MP_PROXY_CFG_ADD_ADDRS:
		return "Add Addresses To Filter";
	case MP_PROXY_CFG_REMOVE_ADDRS:
		return "Remove Addresses From Filter";
	case MP_PROXY_CFG_FILTER_STATUS:
		return "Filter Status";
	case MP_PROXY_CFG_DIRECTED_CAPS_STATUS:
		return "DIRECTED_PROXY_CAPABILITIES_STATUS";
	case MP_PROXY_CFG_DIRECTED_CONTROL:
		return "DIRECTED_PROXY_CONTROL";
	default:
		return NULL;
	}
}

static bool filter_type_ok(uint8_t t)
{
	return t == MP_PROXY_FILTER_ACCEPT || t == MP_PROXY_FILTER_REJECT;
}

ssize_t mp_proxy_cfg_encode(const struct mp_proxy_cfg_msg *m, uint8_t *out, size_t cap)
{
	uint8_t buf[MP_NET_TRANSPORT_MAX_CTL];
	struct mp_writer w;
	size_t i;

	if (!m || !out)
		return -EINVAL;
	mp_writer_init(&w, buf, sizeof(buf));
	mp_put_u8(&w, m->opcode);
	switch (m->opcode) {
	case MP_PROXY_CFG_SET_FILTER_TYPE:
		if (!filter_type_ok(m->filter_type))
			return -EINVAL;
		mp_put_u8(&w, m->filter_type);
		break;
	case MP_PROXY_CFG_ADD_ADDRS:
	case MP_PROXY_CFG_REMOVE_ADDRS:
		if (m->naddrs == 0 || m->naddrs > MP_PROXY_CFG_ADDRS_MAX)
			return -EINVAL;
		for (i = 0; i < m->naddrs; i++)
			mp_put_be16(&w, m->addrs[i]);
		break;
	case MP_PROXY_CFG_FILTER_STATUS:
		if (!filter_type_ok(m->filter_type))
			return -EINVAL;
		mp_put_u8(&w, m->filter_type);
		mp_put_be16(&w, m->list_size);
		break;
	case MP_PROXY_CFG_DIRECTED_CAPS_STATUS:
		mp_put_u8(&w, m->directed_proxy);
		mp_put_u8(&w, m->use_directed);
		break;
	case MP_PROXY_CFG_DIRECTED_CONTROL:
		if (!mp_addr_is_unicast(m->range_start) || m->range_len == 0)
			return -EINVAL;
		mp_put_u8(&w, m->use_directed);
		if (m->range_len == 1) {
			mp_put_be16(&w, m->range_start);
		} else {
			mp_put_be16(&w, RANGE_LEN_PRESENT | m->range_start);
			mp_put_u8(&w, m->range_len);
		}
		break;
	default:
		return -EINVAL;
	}
	if (!mp_writer_ok(&w))
		return -EINVAL;
	if (w.len > cap)
		return -ENOSPC;
	memcpy(out, buf, w.len);
	return (ssize_t)w.len;
}

int mp_proxy_cfg_decode(const uint8_t *pdu, size_t len, struct mp_proxy_cfg_msg *m)
{
	struct mp_reader r;
	uint16_t range;

	if (!pdu || !m)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	mp_reader_init(&r, pdu, len);
	if (!mp_get_u8(&r, &m->opcode))
		return -EBADMSG;
	switch (m->opcode) {
	case MP_PROXY_CFG_SET_FILTER_TYPE:
		if (mp_reader_left(&r) != 1)
			return -EBADMSG;
		mp_get_u8(&r, &m->filter_type);
		return filter_type_ok(m->filter_type) ? 0 : -EBADMSG;
	case MP_PROXY_CFG_ADD_ADDRS:
	case MP_PROXY_CFG_REMOVE_ADDRS:
		if (mp_reader_left(&r) == 0 || mp_reader_left(&r) % 2 ||
		    mp_reader_left(&r) / 2 > MP_PROXY_CFG_ADDRS_MAX)
			return -EBADMSG;
		while (mp_get_be16(&r, &m->addrs[m->naddrs]))
			m->naddrs++;
		return 0;
	case MP_PROXY_CFG_FILTER_STATUS:
		if (mp_reader_left(&r) != 3)
			return -EBADMSG;
		mp_get_u8(&r, &m->filter_type);
		mp_get_be16(&r, &m->list_size);
		return filter_type_ok(m->filter_type) ? 0 : -EBADMSG;
	case MP_PROXY_CFG_DIRECTED_CAPS_STATUS:
		if (mp_reader_left(&r) != 2)
			return -EBADMSG;
		mp_get_u8(&r, &m->directed_proxy);
		mp_get_u8(&r, &m->use_directed);
		return 0;
	case MP_PROXY_CFG_DIRECTED_CONTROL:
		if (!mp_get_u8(&r, &m->use_directed) || !mp_get_be16(&r, &range))
			return -EBADMSG;
		m->range_start = range & 0x7fff;
		m->range_len = 1;
		if (range & RANGE_LEN_PRESENT) {
			/* Range_Length 0 and 1 are prohibited (3.4.2.2.1) */
			if (!mp_get_u8(&r, &m->range_len) || m->range_len < 2)
				return -EBADMSG;
		}
		if (!mp_reader_done(&r) || !mp_addr_is_unicast(m->range_start))
			return -EBADMSG;
		return 0;
	default:
		return -ENOMSG;
	}
}

ssize_t mp_proxy_cfg_seal(const struct mp_net_cred *cred, uint32_t iv_index, uint16_t src,
			  uint32_t seq, const struct mp_proxy_cfg_msg *m, uint8_t *out, size_t cap)
{
	struct mp_net_hdr hdr = { .ctl = true, .ttl = 0, .seq = seq, .src = src,
				  .dst = MP_ADDR_UNASSIGNED };
	uint8_t tpdu[MP_NET_TRANSPORT_MAX_CTL];
	ssize_t n = mp_proxy_cfg_encode(m, tpdu, sizeof(tpdu));

	if (n < 0)
		return n;
	return mp_net_encode(cred, iv_index, MP_NET_PROXY_CONFIG, &hdr, tpdu, (size_t)n, out,
			     cap);
}

int mp_proxy_cfg_open(const struct mp_subnet *subnets, size_t n, uint32_t iv_index,
		      const uint8_t *pdu, size_t len, struct mp_net_rx *rx,
		      struct mp_proxy_cfg_msg *m)
{
	struct mp_net_rx tmp, *r = rx ? rx : &tmp;
	int err;

	if (!m)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	err = mp_net_decode(subnets, n, iv_index, MP_NET_PROXY_CONFIG, pdu, len, r);
	if (err)
		return err;
	return mp_proxy_cfg_decode(r->transport, r->transport_len, m);
}
