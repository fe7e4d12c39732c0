#!/bin/sh
# stations (issue #15): two stations of one network provision at the same
# time on the real kernel. Keyring A (the network's, on hci0) adds station
# B and exports B's copy; keyring B imports it as station B (on hci3). Two
# meshd devices (hci1, hci2, each its own bus) join; meshprov A provisions
# the first and meshprov B the second, both processes running at once, each
# by UUID. Each device confirms what its provisioner's keyring holds. B's
# work is exported and merged into A: the merged keyring holds both nodes,
# each at an address of its station's unicast range, no address twice, with
# the keys the devices stored. The merged CDB, exported, loads in BlueZ's
# mesh-cfgclient (with a token of its own, as in cdb-export), which lists
# both nodes at their addresses. hci4: mesh-cfgclient's meshd.
# needs: provision nodes export import merge station
# timeout: 600
. "$(dirname "$0")/../lib.sh"
need_meshprov provision nodes export import merge station

KR_A=$MPVM_RUN/a/keyring.json
KR_B=$MPVM_RUN/b/keyring.json
mkdir -p "$MPVM_RUN/a" "$MPVM_RUN/b"
# as_a / as_b CMD...: a lib.sh mp_* helper as station A (hci0) or B (hci3).
# A subshell: the assignments do not outlive CMD.
as_a() { (MP_HCI=0 MP_KEYRING=$KR_A; "$@"); }
as_b() { (MP_HCI=3 MP_KEYRING=$KR_B; "$@"); }

# keyring_matches UUID NAME: what the keyring MP_KEYRING holds for UUID
# (NetKey, device key, IV index, unicast) is what meshd NAME's device stored.
keyring_matches() {
	mp_node_show "$1" > "$MPVM_RUN/show-$1.json" || { echo "no node $1"; return 1; }
	for _f in net_key:hex dev_key:hex iv_index:int unicast:addr; do
		_k=${_f%%:*}
		_mv=$(jget "$MPVM_RUN/show-$1.json" "$_k" "${_f#*:}")
		_dv=$(jget "$(node_result "$2" "$1")" "$_k" "${_f#*:}")
		[ -n "$_mv" ] && [ "$_mv" = "$_dv" ] ||
			{ echo "$1: $_k is '$_mv' in $MP_KEYRING, '$_dv' in the device's node.json"; return 1; }
	done
}

ua=$(new_uuid)
ub=$(new_uuid)
bt_up 5
hciconfig hci0 up || fail "cannot bring hci0 up"
hciconfig hci3 up || fail "cannot bring hci3 up"

step "keyring A: station B, its copy; keyring B: import --as-station B"
must /tmp/st-add.out "station add B" as_a mp_station_add B
must /tmp/st-exp.out "export --station B" as_a mp_export_station B /tmp/b-copy.cdb
must /tmp/st-imp.out "import --as-station B" as_b mp_import_as_station /tmp/b-copy.cdb B
must /tmp/st-a.json "station list (A)" as_a mp_station_list
must /tmp/st-b.json "station list (B)" as_b mp_station_list
python3 - /tmp/st-a.json /tmp/st-b.json <<'PY' || fail "the stations do not fit"
import json, sys
a, b = ([json.loads(l) for l in open(p) if l.startswith('{')] for p in sys.argv[1:3])
selfa = [s for s in a if s['self']]
selfb = [s for s in b if s['self']]
assert len(selfa) == 1 and len(selfb) == 1, (a, b)
assert selfb[0]['name'] == 'B' and selfa[0]['name'] != 'B', (selfa, selfb)
assert selfa[0]['address'] != selfb[0]['address'], (selfa, selfb)
for s in a:
    print('  station %s%s: address %04x, unicast %s' % (s['name'], ' (self)' if s['self'] else '',
          s['address'], ' '.join('%04x-%04x' % (r['low'], r['high']) for r in s['unicast'])))
PY

meshd_start devA hci1
meshd_start devB hci2
node_join devA "$ua" none
node_join devB "$ub" none

step "meshprov A (hci0) provisions $ua, meshprov B (hci3) provisions $ub, at once"
{ as_a mp_provision "$ua" none 240 2>&1; echo $? > /tmp/prov-a.st; } | stamp > /tmp/prov-a.log &
pa=$!
{ as_b mp_provision "$ub" none 240 2>&1; echo $? > /tmp/prov-b.st; } | stamp > /tmp/prov-b.log &
pb=$!
wait "$pa"; wait "$pb"
sed 's/^/  A: /' /tmp/prov-a.log
sed 's/^/  B: /' /tmp/prov-b.log
[ "$(cat /tmp/prov-a.st)" = 0 ] || fail "meshprov A: status $(cat /tmp/prov-a.st)"
[ "$(cat /tmp/prov-b.st)" = 0 ] || fail "meshprov B: status $(cat /tmp/prov-b.st)"
# Did the two runs overlap? (Told, not asserted: how the two processes are
# scheduled under emulation is not this test's business.)
a0=$(head -1 /tmp/prov-a.log | cut -d' ' -f1) a1=$(mp_provisioned_at /tmp/prov-a.log)
b0=$(head -1 /tmp/prov-b.log | cut -d' ' -f1) b1=$(mp_provisioned_at /tmp/prov-b.log)
step "A: $a0..$a1, B: $b0..$b1: $(echo "$a0 $a1 $b0 $b1" |
	awk '{ print ($1 < $4 && $3 < $2) ? "overlapping" : "NOT overlapping" }')"

node_wait devA "$ua" || fail "device $ua did not complete its join"
node_wait devB "$ub" || fail "device $ub did not complete its join"
as_a keyring_matches "$ua" devA || fail "keyring A and device $ua disagree"
as_b keyring_matches "$ub" devB || fail "keyring B and device $ub disagree"
step "each device agrees with its station's keyring"

step "B exports its work, A merges it"
must /tmp/b-back.out "export (B)" as_b mp_export_cdb /tmp/b-back.cdb
must /tmp/merge.json "merge" as_a mp_merge /tmp/b-back.cdb
cat /tmp/merge.json
must /tmp/merged-nodes.json "nodes (A)" as_a mp_node_list
must /tmp/merged-st.json "station list (A)" as_a mp_station_list
python3 - /tmp/merge.json /tmp/merged-nodes.json /tmp/merged-st.json "$ua" "$ub" <<'PY' || fail "the merged keyring"
import json, sys
merge, nodes, st = ([json.loads(l) for l in open(p) if l.startswith('{')] for p in sys.argv[1:4])
ua, ub = sys.argv[4:6]
m = [l for l in merge if l.get('event') == 'merged']
assert len(m) == 1 and m[0]['nodes_added'] == 1, merge
key = lambda u: u.replace('-', '').lower()
by = {key(n['uuid']): n for n in nodes}
assert ua in by and ub in by, nodes
selfst = [s for s in st if s['self']][0]
bst = [s for s in st if s['name'] == 'B'][0]
inr = lambda a, s: any(r['low'] <= a <= r['high'] for r in s['unicast'])
assert inr(by[ua]['address'], selfst), (by[ua], selfst)
assert inr(by[ub]['address'], bst), (by[ub], bst)
spans = sorted((n['address'], n['address'] + n.get('elements', 1) - 1) for n in nodes)
assert all(x[1] < y[0] for x, y in zip(spans, spans[1:])), spans
print('  merged: %d nodes, %s at %04x (A), %s at %04x (B), no address twice'
      % (len(nodes), ua, by[ua]['address'], ub, by[ub]['address']))
PY
as_a keyring_matches "$ua" devA || fail "merged keyring and device $ua disagree"
as_a keyring_matches "$ub" devB || fail "merged keyring and device $ub disagree"
step "the merged keyring holds both nodes as the devices stored them"

step "the merged CDB in mesh-cfgclient"
must /tmp/merged-exp.out "export (merged)" as_a mp_export_cdb /tmp/merged.cdb
addr_a=$(jget "$(node_result devA "$ua")" unicast addr)
addr_b=$(jget "$(node_result devB "$ub")" unicast addr)
# As in cdb-export: mesh-cfgclient names its own node in its meshd by a
# BlueZ-private token; get one (create) and add it to meshprov's export.
meshd_start cfg hci4
cfgclient_start cfg /tmp/cfg-own.json
cfgclient_cmd cfg create
cfgclient_wait cfg 60 'Attached with path' || { cfgclient_log cfg; fail "cfgclient create"; }
cfgclient_stop
python3 - /tmp/merged.cdb /tmp/cfg-own.json /tmp/merged-bluez.json <<'PY' || fail "no token"
import json, sys
cdb, own = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
cdb['token'] = own['token']
json.dump(cdb, open(sys.argv[3], 'w'), indent=2)
PY
mv "$MPVM_RUN/cfg/cfgclient.log" "$MPVM_RUN/cfg/cfgclient-create.log"
cfgclient_start cfg /tmp/merged-bluez.json
cfgclient_cmd cfg list-nodes
cfgclient_wait cfg 60 "$ub" || { cfgclient_log cfg; fail "mesh-cfgclient did not list $ub"; }
cfgclient_wait cfg 10 "$ua" || { cfgclient_log cfg; fail "mesh-cfgclient did not list $ua"; }
cfgclient_stop
cfgclient_log cfg
cfgclient_log cfg | grep -i 'failed to\|error' && fail "mesh-cfgclient complained"
for ua_ in "$ua:$addr_a" "$ub:$addr_b"; do
	cfgclient_log cfg | grep -i -A1 "UUID = ${ua_%%:*}" | grep -q "primary = ${ua_#*:}" ||
		fail "mesh-cfgclient does not list ${ua_%%:*} at ${ua_#*:}"
done
step "ok"
