#!/bin/sh
# prov-noob (issue 6, scenario 1): meshprov on hci0 scans, hears the beacon
# of meshd's unprovisioned device (hci1) with the right UUID, provisions it
# over PB-ADV with No OOB; the device confirms it (JoinComplete) and its own
# node.json holds the NetKey, IV index and unicast address meshprov's keyring
# has for it. hciwatch on hci2 counts the PDUs. Prints PROV_TIME and
# ADV_PDUS_PROV like bluez-reference, for bench-vm.
# needs: scan provision nodes
# timeout: 300
. "$(dirname "$0")/../lib.sh"
need_meshprov scan provision nodes

uuid=$(new_uuid)
bt_up 3
mp_controller_up
meshd_start dev hci1
node_join dev "$uuid" none

step "meshprov scan"
must /tmp/scan.json "meshprov scan" mp_scan 10
jget -w "$MP_F_UUID=$uuid" /tmp/scan.json "$MP_F_UUID" ||
	{ cat /tmp/scan.json; fail "meshprov's scan did not list $uuid"; }

step "meshprov provision $uuid (No OOB)"
hciwatch_bg /tmp/watch.log -i 2 -m -t 0
read -r t0 _ < /proc/uptime
mp_provision "$uuid" none 120 > /tmp/prov.json; st=$?
read -r t1 _ < /proc/uptime
kill "$HCIWATCH_PID"; wait "$HCIWATCH_PID"
cat /tmp/prov.json
[ $st = 0 ] || fail "meshprov provision: status $st"

verify_node dev "$uuid"
pbadv_counts /tmp/watch.log
echo "PROV_TIME=$(uptime_diff "$t0" "$t1")"
step "ok"
