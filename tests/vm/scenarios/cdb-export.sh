#!/bin/sh
# cdb-export (issue 6, scenario 5): meshprov provisions one device, exports
# its keyring as a Mesh Configuration Database (MshCDB v1.0), and BlueZ's
# mesh-cfgclient loads it (-c FILE) and lists the node. mesh-cfgclient runs
# next to a meshd of its own (hci2, own bus).
# needs: provision nodes export
# timeout: 360
. "$(dirname "$0")/../lib.sh"
need_meshprov provision nodes export

uuid=$(new_uuid)
bt_up 3
mp_controller_up
meshd_start dev hci1
node_join dev "$uuid" none
must /tmp/prov.json "meshprov provision" mp_provision "$uuid" none 120
verify_node dev "$uuid"
addr=$(jget "$(node_result dev "$uuid")" unicast addr)

step "export-cdb"
must /tmp/export.out "meshprov export" mp_export_cdb /tmp/cdb.json
python3 - /tmp/cdb.json "$uuid" "$addr" <<'PY' || fail "the CDB does not describe the node"
import json, sys
cdb = json.load(open(sys.argv[1]))
for k in ('meshUUID', 'netKeys', 'nodes', 'provisioners'):
    assert k in cdb, 'no ' + k
node = [n for n in cdb['nodes'] if n['UUID'].replace('-', '').lower() == sys.argv[2]]
assert node, 'no node with our UUID'
assert node[0]['unicastAddress'].lower() == sys.argv[3], node[0]['unicastAddress']
print('  cdb: node', sys.argv[2], 'at', sys.argv[3])
PY

# mesh-cfgclient keeps its keys in its meshd and its configuration file
# names its own node there by a BlueZ-private "token", which no other
# provisioner's export can know. Get one the way a BlueZ user would (create),
# then add it to meshprov's export: everything else is meshprov's file.
step "mesh-cfgclient: a node of its own (token)"
meshd_start cfg hci2
cfgclient_start cfg /tmp/cfg-own.json
cfgclient_cmd cfg create
cfgclient_wait cfg 60 'Attached with path' || { cfgclient_log cfg; fail "cfgclient create"; }
cfgclient_stop
python3 - /tmp/cdb.json /tmp/cfg-own.json /tmp/cdb-bluez.json <<'PY' || fail "no token"
import json, sys
cdb, own = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
cdb['token'] = own['token']
json.dump(cdb, open(sys.argv[3], 'w'), indent=2)
print('  token', own['token'])
PY

step "mesh-cfgclient -c (meshprov's export + token) list-nodes"
mv "$MPVM_RUN/cfg/cfgclient.log" "$MPVM_RUN/cfg/cfgclient-create.log"
cfgclient_start cfg /tmp/cdb-bluez.json
cfgclient_cmd cfg list-nodes
cfgclient_wait cfg 60 "$uuid" || { cfgclient_log cfg; fail "mesh-cfgclient did not list $uuid"; }
cfgclient_stop
cfgclient_log cfg
cfgclient_log cfg | grep -i 'failed to\|error' && fail "mesh-cfgclient complained"
cfgclient_log cfg | grep -i -A1 "UUID = $uuid" | grep -q "primary = $addr" ||
	fail "mesh-cfgclient does not list $uuid at $addr"
step "ok"
