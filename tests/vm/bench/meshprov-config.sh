#!/bin/sh
# meshprov-config (bench-vm only, not a check-vm scenario): meshprov
# provisions and configures DEVICES (default 4) bluetooth-meshd devices in
# one script run: `appkey create`, `provision --all --count N`
# (concurrently), then for each node, one after another: Composition Data
# Get, AppKey Add, Model App Bind, Model Subscription Add and Model
# Publication Set (the Generic OnOff Server of element 0), each waiting for
# its Status. The nodes get addresses 0002..N+1 of a fresh keyring (one
# element each), whichever device gets which. The same work as
# bench/bluez-config.sh. hci1..hciN: one meshd device each (own bus, generic
# IO, guest/mesh-node.py --serve); hci0: meshprov; hciN+1: hciwatch.
# Prints BENCH_TIME (meshprov's start to its exit: keyring creation and
# hearing the beacons included), BENCH_PDUS (Mesh Message AD structures
# heard, both directions, every repetition) and the stored configuration
# checked in each node's node.json.
# timeout: 900
. "$(dirname "$0")/../lib.sh"
need_meshprov provision composition bind sub pub

n=${DEVICES:-4}
bt_up $((n + 2))
mp_controller_up
i=1
while [ $i -le $n ]; do
	meshd_start dev$i hci$i
	u=$(new_uuid); echo "$u" > /tmp/uuid$i
	NODE_SERVE=1 NODE_TIMEOUT=900 node_join dev$i "$u" none
	i=$((i + 1))
done

{ mp_appkey_create_line; mp_provision_all_line "$n"; } > /tmp/run.script
i=1
while [ $i -le $n ]; do
	mp_cfg_lines "$(printf '%04x' $((i + 1)))" 0 c001 c002 >> /tmp/run.script
	i=$((i + 1))
done
sed 's/^/  script: /' /tmp/run.script
hciwatch_bg /tmp/watch.log -i $((n + 1)) -m -t 0
step "meshprov: provision and configure $n devices in one run"
read -r t0 _ < /proc/uptime
{ mp_script /tmp/run.script 2>&1; echo $? > /tmp/run.st; } | stamp > /tmp/run.log
read -r t1 _ < /proc/uptime
kill "$HCIWATCH_PID"; wait "$HCIWATCH_PID"
cat /tmp/run.log
[ "$(cat /tmp/run.st)" = 0 ] || fail "meshprov: status $(cat /tmp/run.st)"

# What the nodes stored (their node.json): the work was done.
: > /tmp/paths
i=1
while [ $i -le $n ]; do
	u=$(cat /tmp/uuid$i)
	wait_for 60 node_serving dev$i "$u" || fail "device $u did not join"
	echo "$MPVM_RUN/dev$i/storage/$u/node.json" >> /tmp/paths
	i=$((i + 1))
done
python3 - /tmp/paths <<'PY' || fail "the nodes' stored configuration"
import json, sys
for p in open(sys.argv[1]).read().split():
    nj = json.load(open(p))
    m = [m for m in nj['elements'][0]['models'] if int(m['modelId'], 16) == 0x1000][0]
    assert [k['index'] for k in nj['appKeys']] == [0], nj['appKeys']
    assert [int(b, 16) for b in m['bind']] == [0] and [int(s, 16) for s in m['subscribe']] == [0xc001], m
    assert int(m['publish']['address'], 16) == 0xc002 and m['publish']['index'] == 0, m
    print('  %s: AppKey 0, bound, subscribed to c001, publishing to c002' % nj['unicastAddress'])
PY
echo "BENCH_TIME=$(uptime_diff "$t0" "$t1")"
echo "BENCH_PDUS=$(grep -c 'mesh=msg' /tmp/watch.log)"
step "ok"
