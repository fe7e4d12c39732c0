#!/bin/sh
# meshprov-config (bench-vm only, not a check-vm scenario): meshprov
# provisions and configures DEVICES (default 4) bluetooth-meshd devices in
# one run: `appkey create`, then `provision --all --count N --configure
# PROFILE` with a profile (meshprov-profile(5)) asking what
# bench/bluez-config.sh asks of each node: AppKey 0, the Generic OnOff
# Server of element 0 bound to it, subscribed to c001, publishing to c002;
# meshprov reads each node's Composition Data first (the rules select by
# it) and configures each node as soon as it is provisioned, while the
# others are. With MP_CONFIG=commands, the earlier way instead: one script
# run, `provision --all`, then for each node, one after another,
# Composition Data Get, AppKey Add, Bind, Subscription Add and Publication
# Set, each awaited (the single commands). The nodes get addresses
# 0002..N+1 of a fresh keyring (one element each). hci1..hciN: one meshd
# device each (lib.sh meshd_devices_up); hci0: meshprov; hciN+1: hciwatch.
# Prints BENCH_TIME (meshprov's start to its exit: starting up and hearing
# the beacons included), BENCH_PROV_TIME (its start to its last
# "provisioned" line), BENCH_CONFIG_TIME (the configuration alone, measured
# as bluez-config.sh measures BlueZ's: the sum over the nodes of the time
# from the node's "provisioned" line to its last configuration answer),
# BENCH_PDUS (Mesh Message AD structures heard, both directions, every
# repetition) and the stored configuration checked in each node's node.json.
# timeout: 900
. "$(dirname "$0")/../lib.sh"
n=${DEVICES:-4}
if [ "${MP_CONFIG:-profile}" = commands ]; then
	need_meshprov provision composition bind sub pub
else
	need_meshprov provision configure
fi
meshd_devices_up "$n"

cat > /tmp/bench.json <<'EOF'
{
	"meshprov-profile": 1,
	"description": "bench-vm: what bluez-config.sh asks of each node",
	"rules": [
		{
			"name": "onoff",
			"models": {
				"1000": {
					"bind": [0],
					"subscribe": ["c001"],
					"publish": { "address": "c002", "appKey": 0 }
				}
			}
		}
	]
}
EOF
{ mp_appkey_create_line; mp_provision_all_line "$n"; } > /tmp/run.script
if [ "${MP_CONFIG:-profile}" = commands ]; then
	i=1
	while [ $i -le $n ]; do
		mp_cfg_lines "$(printf '%04x' $((i + 1)))" 0 c001 c002 >> /tmp/run.script
		i=$((i + 1))
	done
else
	sed -i '$s|$| --configure /tmp/bench.json|' /tmp/run.script
fi
sed 's/^/  script: /' /tmp/run.script
hciwatch_bg /tmp/watch.log -i $((n + 1)) -m -t 0
step "meshprov: provision and configure $n devices in one run (${MP_CONFIG:-profile})"
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
# The phases from the stamped JSON lines: each node's "provisioned", then
# its configuration answers ("config", "composition" and "element" of the
# single commands, else "configure-step" and "configure-node"). A node is
# being configured from the moment it can be (with the profile: its
# "provisioned" line; the single commands: the end of every provisioning,
# or of the node before it) to its last answer; the configuration time is
# how long at least one node was (the union of those intervals): what the
# sum of BlueZ's command-to-answer times is for its one node at a time.
python3 - /tmp/run.log "$t0" "$n" "${MP_CONFIG:-profile}" <<'PY' > /tmp/phases ||
import json, sys
t0, n, mode = float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
prov, last = {}, {}
for l in open(sys.argv[1]):
    up, _, rest = l.partition(' ')
    if not rest.startswith('{'):
        continue
    e = json.loads(rest)
    if e['event'] == 'provisioned':
        prov[e['address']] = float(up)
    elif e['event'] in ('config', 'configure-step', 'configure-node', 'composition', 'element'):
        last[e['node']] = float(up)
assert len(prov) == n and set(last) == set(prov), (prov, last)
end_prov = max(prov.values())
iv, prev = [], end_prov
for a in sorted(prov, key=lambda a: last[a]):
    start = prov[a] if mode != 'commands' else prev
    iv.append((start, last[a]))
    prev = last[a]
busy, cur = 0.0, None
for s, e in sorted(iv):
    if cur and s <= cur[1]:
        cur[1] = max(cur[1], e)
        continue
    if cur:
        busy += cur[1] - cur[0]
    cur = [s, e]
busy += cur[1] - cur[0]
print('BENCH_PROV_TIME=%.2f' % (end_prov - t0))
print('BENCH_CONFIG_TIME=%.2f' % busy)
for a in sorted(prov):
    print('  %04x: provisioned at +%.2f s, last configuration answer at +%.2f s'
          % (a, prov[a] - t0, last[a] - t0), file=sys.stderr)
PY
	fail "the run's events"
cat /tmp/phases
echo "BENCH_TIME=$(uptime_diff "$t0" "$t1")"
echo "BENCH_PDUS=$(grep -c 'mesh=msg' /tmp/watch.log)"
step "ok"
