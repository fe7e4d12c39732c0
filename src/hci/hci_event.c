/* HCI packet decoding and encoding, pure: bytes in, structures out. Every
 * field is read through the bounded reader. */
#include "hci/hci.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"

int mp_hci_encode_cmd(uint8_t *out, size_t cap, uint16_t opcode, const void *params,
		      size_t len)
{
	struct mp_writer w;

	if (len > 255)
		return -EMSGSIZE;
	mp_writer_init(&w, out, cap);
	mp_put_u8(&w, MP_HCI_COMMAND_PKT);	/* Core v5.4 Vol 4 Part E 5.4.1 */
	mp_put_le16(&w, opcode);
	mp_put_u8(&w, (uint8_t)len);
	if (len)
		mp_put_bytes(&w, params, len);
	return mp_writer_ok(&w) ? (int)w.len : -EMSGSIZE;
}

int mp_hci_parse_event(const uint8_t *pkt, size_t len, struct mp_hci_event *ev)
{
	struct mp_reader r;
	uint8_t ind, plen, status;

	memset(ev, 0, sizeof(*ev));
	mp_reader_init(&r, pkt, len);
	if (!mp_get_u8(&r, &ind))
		return -EBADMSG;
	if (ind != MP_HCI_EVENT_PKT)
		return -ENOMSG;
	/* Core v5.4 Vol 4 Part E 5.4.4: code, length, parameters. */
	if (!mp_get_u8(&r, &ev->code) || !mp_get_u8(&r, &plen) || mp_reader_left(&r) != plen)
		goto bad;
	ev->plen = plen;
	mp_get_ref(&r, &ev->params, plen);
	mp_reader_init(&r, ev->params, ev->plen);
	switch (ev->code) {
	case MP_HCI_EVT_CMD_COMPLETE:		/* 7.7.14 */
		if (!mp_get_u8(&r, &ev->ncmd) || !mp_get_le16(&r, &ev->opcode))
			goto bad;
		if (mp_get_u8(&r, &status)) {
			ev->status = status;
			ev->ret_len = mp_reader_left(&r);
			mp_get_ref(&r, &ev->ret, ev->ret_len);
		} else {
			ev->status = -EBADMSG;	/* every command we send returns a status */
		}
		break;
	case MP_HCI_EVT_CMD_STATUS:		/* 7.7.15 */
		if (plen != 4)
			goto bad;
		mp_get_u8(&r, &status);
		ev->status = status;
		mp_get_u8(&r, &ev->ncmd);
		mp_get_le16(&r, &ev->opcode);
		break;
	case MP_HCI_EVT_LE_META:		/* 7.7.65 */
		if (!mp_get_u8(&r, &ev->subevent))
			goto bad;
		ev->sublen = mp_reader_left(&r);
		mp_get_ref(&r, &ev->sub, ev->sublen);
		break;
	default:
		break;
	}
	return 0;
bad:
	memset(ev, 0, sizeof(*ev));
	return -EBADMSG;
}

static uint32_t legacy_props(uint8_t type)
{
	/* Core v5.4 Vol 4 Part E 7.7.65.2, Event_Type. */
	static const uint32_t props[] = {
		[0] = MP_HCI_ADV_CONNECTABLE | MP_HCI_ADV_SCANNABLE,	/* ADV_IND */
		[1] = MP_HCI_ADV_CONNECTABLE | MP_HCI_ADV_DIRECTED,	/* ADV_DIRECT_IND */
		[2] = MP_HCI_ADV_SCANNABLE,				/* ADV_SCAN_IND */
		[3] = 0,						/* ADV_NONCONN_IND */
		[4] = MP_HCI_ADV_SCAN_RSP,				/* SCAN_RSP */
	};

	return MP_HCI_ADV_LEGACY_PDU | (type < 5 ? props[type] : 0);
}

/* LE Advertising Report. Array parameters are laid out report by report,
 * as every controller and the Linux kernel do. */
static bool parse_legacy(struct mp_reader *r, struct mp_hci_adv_report *rep)
{
	uint8_t type, dlen, rssi;

	mp_get_u8(r, &type);
	mp_get_u8(r, &rep->addr_type);
	mp_get_bytes(r, rep->addr, 6);
	mp_get_u8(r, &dlen);
	if (dlen > 31)
		return false;
	rep->data_len = dlen;
	mp_get_ref(r, &rep->data, dlen);
	mp_get_u8(r, &rssi);
	rep->event_type = type;
	rep->props = legacy_props(type);
	rep->complete = true;
	rep->rssi = (int8_t)rssi;
	return !r->err;
}

/* LE Extended Advertising Report, Core v5.4 Vol 4 Part E 7.7.65.13. */
static bool parse_extended(struct mp_reader *r, struct mp_hci_adv_report *rep)
{
	uint8_t dlen, rssi;
	uint16_t type;

	mp_get_le16(r, &type);
	mp_get_u8(r, &rep->addr_type);
	mp_get_bytes(r, rep->addr, 6);
	mp_skip(r, 4);		/* primary PHY, secondary PHY, SID, TX power */
	mp_get_u8(r, &rssi);
	mp_skip(r, 2 + 1 + 6);	/* periodic interval, direct address type and address */
	mp_get_u8(r, &dlen);
	rep->data_len = dlen;
	mp_get_ref(r, &rep->data, dlen);
	rep->event_type = type;
	rep->props = MP_HCI_ADV_EXT_REPORT |
		     ((type & 0x01) ? MP_HCI_ADV_CONNECTABLE : 0) |
		     ((type & 0x02) ? MP_HCI_ADV_SCANNABLE : 0) |
		     ((type & 0x04) ? MP_HCI_ADV_DIRECTED : 0) |
		     ((type & 0x08) ? MP_HCI_ADV_SCAN_RSP : 0) |
		     ((type & 0x10) ? MP_HCI_ADV_LEGACY_PDU : 0);
	rep->complete = ((type >> 5) & 0x03) == 0;	/* Data_Status */
	rep->rssi = (int8_t)rssi;
	return !r->err;
}

int mp_hci_parse_adv_reports(uint8_t subevent, const uint8_t *params, size_t len,
			     struct mp_hci_adv_report *out)
{
	bool (*one)(struct mp_reader *, struct mp_hci_adv_report *);
	struct mp_reader r;
	uint8_t n, i;

	if (subevent == MP_HCI_LE_ADV_REPORT)
		one = parse_legacy;
	else if (subevent == MP_HCI_LE_EXT_ADV_REPORT)
		one = parse_extended;
	else
		return -ENOMSG;
	mp_reader_init(&r, params, len);
	if (!mp_get_u8(&r, &n) || n == 0 || n > MP_HCI_MAX_REPORTS)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (!one(&r, &out[i]))
			goto bad;
	}
	/* Trailing octets mean the lengths were not what they claim. */
	if (!mp_reader_done(&r))
		goto bad;
	return n;
bad:
	memset(out, 0, (size_t)n * sizeof(*out));
	return -EBADMSG;
}
