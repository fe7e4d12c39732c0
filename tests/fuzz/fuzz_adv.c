/* Fuzz target: the AD structure iterator, the mesh beacon, PB-ADV and
 * provisioning service decoders, and the engine's scan table fed what the
 * engine's sighting rule finds in each AD structure. The input is one
 * advertising payload. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adv/adv.h"
#include "engine/scan_table.h"

static uint64_t fuzz_clock(void *data)
{
	(void)data;
	return 1;
}

static void inside(const uint8_t *p, size_t n, const uint8_t *lo, size_t len)
{
	if (n && (!p || p < lo || p + n > lo + len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_ad_iter it;
	struct mp_ad ad;
	struct mp_adv_info info;
	struct mp_unprov_beacon b;
	struct mp_pbadv_pdu pdu;
	struct mp_prov_service svc;
	struct mp_scan_table *t;
	struct mp_scan_sighting sg;
	struct mp_adv_report r;
	char oob[256];
	size_t total = 0;
	int k, u;

	mp_ad_iter_init(&it, data, size);
	while ((k = mp_ad_next(&it, &ad)) > 0) {
		inside(ad.data, ad.len, data, size);
		total += ad.len + 2;
		if (total > size)
			abort();
	}
	if (mp_adv_parse(data, size, &info) == 0) {
		inside(info.uri, info.uri_len, data, size);
		inside(info.pbadv.gpdu, info.pbadv.gpdu_len, data, size);
		if (info.has_pbadv && (info.pbadv.gpdu_len < 1 || info.pbadv.gpdu_len > 24))
			abort();
	}
	if (mp_adv_beacon_decode_unprov(data, size, &b) == 0 && size != 19 && size != 23)
		abort();
	if (mp_adv_pbadv_decode(data, size, &pdu) == 0)
		inside(pdu.gpdu, pdu.gpdu_len, data, size);
	mp_adv_prov_service_decode(data, size, &svc);
	mp_adv_oob_info_str(size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0, oob, sizeof(oob));
	if (strlen(oob) >= sizeof(oob))
		abort();

	if (mp_scan_table_new(2, fuzz_clock, NULL, &t) == 0) {
		memset(&r, 0, sizeof(r));
		r.data = data;
		r.len = size;
		r.rssi = size ? (int8_t)data[0] : 0;
		for (k = 0; k < 2; k++) {
			r.connectable = k == 0;
			mp_ad_iter_init(&it, data, size);
			while (mp_ad_next(&it, &ad) > 0)
				/* -EAGAIN: the advertiser's quota of new entries
				 * is used up (a flood guard, issue 12). */
				if (mp_scan_sighting_from_ad(&r, &ad, &sg) == 0 &&
				    (u = mp_scan_table_update(t, &sg, NULL)) < 0 &&
				    u != -EAGAIN)
					abort();
		}
		if (mp_scan_table_count(t) > 2)
			abort();
		mp_scan_table_free(t);
	}
	return 0;
}
