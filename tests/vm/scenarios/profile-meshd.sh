#!/bin/sh
# profile-meshd (issue #14): meshprov provisions and configures DEVICES
# (default 3) bluetooth-meshd nodes in one run with a profile
# (`provision --all --configure PROFILE`, meshprov-profile(5)) written
# here: AppKey 0, the Generic OnOff Server (1000) bound to it, subscribed
# to the group "lights" (created by the run, on first use), publishing to
# c0f1 with TTL 6, Default TTL 9. Each node's own stored configuration
# (meshd's node.json) must hold exactly that; meshprov's export records it,
# each node configComplete; a second `configure --all` with the same profile
# sends no request, and `configure --check` finds nothing to do; then a
# Generic OnOff Set to the group, under AppKey 0, reaches each node's
# application (mesh-node.py logs it and answers). Devices as in
# config-meshd (lib.sh meshd_devices_up): meshprov on hci0, raw HCI, ADV.
# needs: provision configure onoff
# timeout: 900
. "$(dirname "$0")/../lib.sh"
need_meshprov provision configure onoff

n=${DEVICES:-3}
meshd_devices_up "$n"

cat > /tmp/lights.json <<'EOF'
{
	"meshprov-profile": 1,
	"description": "profile-meshd: every Generic OnOff Server in the group lights",
	"groups": ["lights"],
	"rules": [
		{
			"name": "lights",
			"match": { "models": ["1000"] },
			"appKeys": [0],
			"settings": { "defaultTTL": 9 },
			"models": {
				"1000": {
					"bind": [0],
					"subscribe": ["lights"],
					"publish": { "address": "c0f1", "appKey": 0, "ttl": 6 }
				}
			}
		}
	]
}
EOF
sed 's/^/  profile: /' /tmp/lights.json
must /tmp/appkey.out "appkey create" mp_appkey_create
must /tmp/appkeys.json "appkey list" mp_appkeys

step "meshprov provision --all --configure ($n meshd devices, one run)"
{ MP_PROFILE=/tmp/lights.json mp_provision_all "$n" 300 2>&1; echo $? > /tmp/prov.st; } |
	stamp > /tmp/prov.log
cat /tmp/prov.log
[ "$(cat /tmp/prov.st)" = 0 ] || fail "provision --configure: status $(cat /tmp/prov.st)"
meshd_nodes_serving "$n"
must /tmp/export.json "export" mp_export_cdb /tmp/cdb.json
: > /tmp/expect
i=1
while [ $i -le $n ]; do
	echo "$(cat /tmp/addr$i) $MPVM_RUN/dev$i/storage/$(cat /tmp/uuid$i)/node.json" >> /tmp/expect
	i=$((i + 1))
done
python3 - /tmp/prov.log /tmp/expect /tmp/appkeys.json /tmp/cdb.json > /tmp/group <<'PY' ||
import json, sys
ev = []
for l in open(sys.argv[1]):
    l = l.split(' ', 1)[1] if ' ' in l else l
    if l.startswith('{'):
        ev.append(json.loads(l))
want = [l.split() for l in open(sys.argv[2])]
appkey = [k for k in (json.loads(l) for l in open(sys.argv[3]) if l.startswith('{'))
          if k.get('index') == 0][0]['key'].lower()
cdb = json.load(open(sys.argv[4]))
h = lambda v: int(str(v), 16)
groups = [e for e in ev if e['event'] == 'configure-group']
assert [g['name'] for g in groups] == ['lights'], groups
group = groups[0]['address']
assert 0xc000 <= group < 0xff00, group
prov = [e for e in ev if e['event'] == 'provisioned']
assert len(prov) == len(want), prov
summ = [e for e in ev if e['event'] == 'configure-summary']
assert len(summ) == 1 and summ[0]['configured'] == len(want) and summ[0]['groups_created'] == 1, summ
cdb_nodes = {h(x['unicastAddress']): x for x in cdb['nodes']}
assert {g['name']: h(g['address']) for g in cdb['groups']}.get('lights') == group, cdb['groups']
for a, path in want:
    addr = int(a, 16)
    done = [e for e in ev if e['event'] == 'configure-node' and e['node'] == addr]
    assert len(done) == 1 and done[0]['result'] == 'configured', done
    assert done[0]['rules'] == ['lights'] and done[0]['steps_failed'] == 0, done
    steps = [e for e in ev if e['event'] == 'configure-step' and e['node'] == addr]
    assert all(e['ok'] for e in steps), steps
    # meshd's own record of the node (mesh/mesh-config-json.c): exactly the profile
    nj = json.load(open(path))
    ak = nj.get('appKeys', [])
    assert [k['index'] for k in ak] == [0] and ak[0]['boundNetKey'] == 0, ak
    assert ak[0]['key'].lower() == appkey, 'AppKey 0 differs from the keyring\'s'
    assert nj['defaultTTL'] == 9, nj['defaultTTL']
    mods = {h(m['modelId']): m for m in nj['elements'][0]['models']}
    onoff = mods[0x1000]
    assert [h(b) for b in onoff.get('bind', [])] == [0], onoff
    assert [h(s) for s in onoff.get('subscribe', [])] == [group], onoff
    p = onoff['publish']
    assert h(p['address']) == 0xc0f1 and p['index'] == 0 and p['ttl'] == 6, p
    assert p['period'] == 0 and p['credentials'] == 0 and p['retransmit']['count'] == 0, p
    for mid, m in mods.items():
        if mid != 0x1000:
            assert not m.get('bind') and not m.get('subscribe') and 'publish' not in m, m
    # meshprov's export (the CDB) records the same, the node configComplete
    c = cdb_nodes[addr]
    assert c['configComplete'] is True, c
    assert [k['index'] for k in c['appKeys']] == [0] and c['defaultTTL'] == 9, c
    cm = [m for m in c['elements'][0]['models'] if h(m['modelId']) == 0x1000][0]
    assert cm['bind'] == [0] and [h(s) for s in cm['subscribe']] == [group], cm
    cp = cm['publish']
    assert h(cp['address']) == 0xc0f1 and cp['index'] == 0 and cp['ttl'] == 6, cp
    print('  %04x: %d steps; node.json and export: AppKey 0, defaultTTL 9, 1000 bound to 0, '
          'subscribed to %04x, publishing to c0f1 TTL 6; configComplete'
          % (addr, len(steps), group), file=sys.stderr)
print('%04x' % group)
PY
	fail "what meshd stored and meshprov recorded"
group=$(cat /tmp/group)
step "each node stored exactly the profile; group lights is $group"

# Applied again: nothing differs, nothing is sent; --check agrees.
step "configure --all --profile again"
{ mp_configure_all /tmp/lights.json 2>&1; echo $? > /tmp/again.st; } > /tmp/again.log
cat /tmp/again.log
[ "$(cat /tmp/again.st)" = 0 ] || fail "configure again: status $(cat /tmp/again.st)"
step "configure --all --profile --check"
{ mp_configure_all /tmp/lights.json --check 2>&1; echo $? > /tmp/check.st; } > /tmp/check.log
cat /tmp/check.log
[ "$(cat /tmp/check.st)" = 0 ] || fail "configure --check: status $(cat /tmp/check.st)"
python3 - /tmp/again.log /tmp/check.log "$n" <<'PY' || fail "the second run sent something"
import json, sys
n = int(sys.argv[3])
for path, what in ((sys.argv[1], 'again'), (sys.argv[2], 'check')):
    ev = [json.loads(l) for l in open(path) if l.startswith('{')]
    s = [e for e in ev if e['event'] == 'configure-summary']
    assert len(s) == 1, ev
    s = s[0]
    assert s['requests'] == 0 and s['reads'] == 0 and s['transmissions'] == 0, (what, s)
    assert s['would_send'] == 0 and s['groups_created'] == 0 and s['configured'] == n, (what, s)
    assert not [e for e in ev if e['event'] in ('configure-step', 'configure-plan')], (what, ev)
    print('  %s: %d nodes as the profile says, 0 requests, 0 reads' % (what, s['configured']))
PY

me=$(mp_self_addr) || fail "station list"
step "onoff $group on --appkey 0 (the group)"
must /tmp/onoff.json "onoff $group on" mp_onoff_group "$group" on 0
cat /tmp/onoff.json
i=1
while [ $i -le $n ]; do
	u=$(cat /tmp/uuid$i) a=$(cat /tmp/addr$i)
	log=$MPVM_RUN/dev$i/node-$u.log
	grep -q "\"event\":\"onoff\",\"node\":$((0x$a)),\"onoff\":true" /tmp/onoff.json ||
		fail "no OnOff Status on from $a"
	grep "ONOFF_SET from=$me key=0 value=1 .* to=$group" "$log" ||
		{ cat "$log"; fail "node $a's application did not get the group's OnOff Set"; }
	i=$((i + 1))
done
step "ok"
