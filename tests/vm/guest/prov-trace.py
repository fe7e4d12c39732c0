#!/usr/bin/env python3
"""prov-trace.py [--start-valid] LOG: the provisioning PDUs in an hciwatch
log (PB-ADV as heard by a third controller), one line each:
  <addr> <type name> <parameters hex>
Only Generic Provisioning Transaction Start PDUs that carry a whole
Provisioning PDU are decoded (everything but Public Key and Data); repeats
of the same transaction are shown once.

--start-valid: exit 0 when the trace holds a Provisioning Capabilities PDU
and a Provisioning Start PDU and the Start is valid against it (MshPRT v1.1
5.4.1.2, 5.4.1.3: algorithm and public key offered, auth method, action and
size within what the device offered); exit 1 otherwise. A test uses it to
tell a provisioner's bad Start from a device that rejects a good one."""
import sys

NAMES = {0: 'invite', 1: 'capabilities', 2: 'start', 3: 'public-key', 4: 'input-complete',
         5: 'confirmation', 6: 'random', 7: 'data', 8: 'complete', 9: 'failed'}


def pdus(path):
    seen = set()
    for line in open(path):
        f = dict(w.split('=', 1) for w in line.split() if '=' in w)
        if f.get('mesh') != 'pb-adv' or 'ad' not in f:
            continue
        ad = bytes.fromhex(f['ad'])
        # one AD structure: len, 0x29, link id (4), transaction (1), GPC PDU
        if len(ad) < 8 or ad[1] != 0x29:
            continue
        gpc = ad[7:1 + ad[0]]
        # Transaction Start, SegN 0: total length (2), FCS (1), the PDU (5.3.1.2)
        if len(gpc) < 5 or gpc[0] != 0x00:
            continue
        total = gpc[1] << 8 | gpc[2]
        pdu = gpc[4:4 + total]
        key = (f['addr'], ad[2:7].hex())
        if len(pdu) != total or key in seen:
            continue
        seen.add(key)
        yield f['addr'], pdu[0] & 0x3f, pdu[1:]


def start_valid(caps, start):
    if len(caps) != 11 or len(start) != 5:
        return False
    algs = caps[1] << 8 | caps[2]
    pub, static = caps[3], caps[4]
    out_size, out_act = caps[5], caps[6] << 8 | caps[7]
    in_size, in_act = caps[8], caps[9] << 8 | caps[10]
    alg, spub, method, action, size = start
    if not algs & (1 << alg) or spub > 1 or (spub and not pub & 1):
        return False
    if method == 0:
        return action == 0 and size == 0
    if method == 1:
        return bool(static & 1) and action == 0 and size == 0
    if method == 2:
        return bool(out_act & (1 << action)) and 1 <= size <= out_size
    if method == 3:
        return bool(in_act & (1 << action)) and 1 <= size <= in_size
    return False


def main():
    args = sys.argv[1:]
    check = args[:1] == ['--start-valid']
    if check:
        args = args[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    caps = start = None
    for addr, kind, params in pdus(args[0]):
        print('%s %s %s' % (addr, NAMES.get(kind, 'type-%02x' % kind), params.hex()))
        if kind == 1:
            caps = params
        elif kind == 2:
            start = params
    if check:
        ok = caps is not None and start is not None and start_valid(caps, start)
        print('start %s against capabilities' % ('valid' if ok else 'NOT valid'))
        sys.exit(0 if ok else 1)


main()
