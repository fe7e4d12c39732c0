#!/bin/sh
# bluez-reference: BlueZ provisions BlueZ over PB-ADV, No OOB, the baseline
# meshprov is measured against (bench-vm). hci1: meshd "dev" joined as an
# unprovisioned device (guest/mesh-node.py); hci2: meshd "prov" driven by
# mesh-cfgclient as the provisioner; hci0: hciwatch counts the PDUs hci2's
# meshd sends. Each meshd has its own bus and generic IO (two meshd on the
# kernel's mgmt mesh IO would hear each other's echoes). Prints
# PROV_TIME=<s>, from cfgclient's "provision" command to its "Provisioning
# done", and the PB-ADV PDUs heard on hci0: ADV_PDUS_PROV=<n> sent by the
# provisioner, ADV_PDUS_DEV=<n> by the device.
# timeout: 300
. "$(dirname "$0")/../lib.sh"

uuid=${REF_UUID:-$(new_uuid)}
bt_up 3
meshd_start dev hci1
meshd_start prov hci2

step "cfgclient: new network"
cfgclient_start prov "$MPVM_RUN/prov/config_db.json"
# (it reads commands once connected to meshd; until then the FIFO holds them)
cfgclient_cmd prov create
cfgclient_wait prov 60 'Attached with path' ||
	{ cfgclient_log prov; meshd_log prov | tail -20; fail "cfgclient create"; }

node_join dev "$uuid" none
cfgclient_cmd prov "discover-unprovisioned on"
cfgclient_wait prov 60 "$uuid" ||
	{ cfgclient_log prov; fail "cfgclient never listed $uuid"; }

# PDUs the provisioner's meshd sends, seen from hci0. meshd picks a random
# static address: count mesh PDUs other than the device's beacons instead.
hciwatch_bg /tmp/watch.log -i 0 -m -t 0
read -r t0 _ < /proc/uptime
cfgclient_cmd prov "provision $uuid"
line=$(cfgclient_wait prov 120 'Provisioning done|Provisioning failed|AddNodeFailed') ||
	{ cfgclient_log prov; meshd_log prov | tail -30; fail "no provisioning result"; }
t1=${line%% *}
echo "$line"
kill "$HCIWATCH_PID"; wait "$HCIWATCH_PID"
echo "$line" | grep -q 'Provisioning done' ||
	{ cfgclient_log prov; fail "cfgclient: $line"; }

node_wait dev "$uuid" || fail "the device did not complete its join"
cfgclient_stop
res=$(node_result dev "$uuid")
step "device stored unicast $(jget "$res" unicast) iv_index $(jget "$res" iv_index)" \
	"net_key $(jget "$res" net_key)"
# The provisioner's view: the node in cfgclient's configuration database
# (it keeps no keys there), the NetKey in its meshd's own node.json.
python3 - "$MPVM_RUN/prov/config_db.json" "$MPVM_RUN"/prov/storage/*/node.json "$res" <<'PY' ||
import json, sys
cdb, prov, dev = (json.load(open(p)) for p in sys.argv[1:4])
node = [n for n in cdb['nodes'] if n['UUID'].replace('-', '').lower() == dev['uuid']][0]
net = prov['netKeys'][0]['key'].lower()
print('  provisioner: unicast', node['unicastAddress'].lower(), 'net_key', net)
sys.exit(node['unicastAddress'].lower() != dev['unicast'] or net != dev['net_key'])
PY
	fail "the provisioner's records disagree with the device's"

pbadv_counts /tmp/watch.log
echo "PROV_TIME=$(uptime_diff "$t0" "$t1")"
step "ok"
