#!/bin/sh
# bluez-sequential (bench-vm only, not a check-vm scenario): BlueZ's
# provisioner provisions DEVICES (default 4) meshd devices over PB-ADV, No
# OOB, one after another (meshd provisions one device at a time), the
# baseline for prov-concurrent. hci1..hciN: one meshd device each (own bus,
# generic IO, like prov-concurrent); hciN+1: meshd "prov" driven by
# mesh-cfgclient; hci0: hciwatch counts the PDUs. Once every device was
# discovered, "provision UUID" for each in turn, the next as soon as the
# previous one's "Provisioning done". Prints PROV_TIME, the sum over the
# devices of the time from "provision" to "Provisioning done" (the total
# without this script's reaction time between two devices, a second or two
# under TCG), PROV_WALL_TIME, from the first "provision" to the last
# "Provisioning done", and ADV_PDUS_PROV (the provisioner's PB-ADV PDUs, all
# devices together).
# timeout: 600
. "$(dirname "$0")/../lib.sh"

n=${DEVICES:-4}
p=$((n + 1))
bt_up $((n + 2))
i=1
while [ $i -le $n ]; do
	meshd_start dev$i hci$i
	u=$(new_uuid); echo "$u" > /tmp/uuid$i
	node_join dev$i "$u" none
	i=$((i + 1))
done
meshd_start prov hci$p

step "cfgclient: new network"
cfgclient_start prov "$MPVM_RUN/prov/config_db.json"
cfgclient_cmd prov create
cfgclient_wait prov 60 'Attached with path' ||
	{ cfgclient_log prov; meshd_log prov | tail -20; fail "cfgclient create"; }
cfgclient_cmd prov "discover-unprovisioned on"
i=1
while [ $i -le $n ]; do
	cfgclient_wait prov 60 "$(cat /tmp/uuid$i)" ||
		{ cfgclient_log prov; fail "cfgclient never listed $(cat /tmp/uuid$i)"; }
	i=$((i + 1))
done

# results so far: "Provisioning done" (success) or a failure line
results() { grep -Eic 'Provisioning done|Provisioning failed|AddNodeFailed' \
	"$MPVM_RUN/prov/cfgclient.log"; }
at_least() { [ "$(results)" -ge "$1" ]; }

hciwatch_bg /tmp/watch.log -i 0 -m -t 0
busy=0
i=1
while [ $i -le $n ]; do
	cfgclient_cmd prov "provision $(cat /tmp/uuid$i)"
	ti=$CFGCLIENT_SENT
	[ $i -gt 1 ] || t0=$ti
	wait_for 120 at_least $i ||
		{ cfgclient_log prov; meshd_log prov | tail -30; fail "device $i: no provisioning result"; }
	line=$(grep -Ei 'Provisioning done|Provisioning failed|AddNodeFailed' \
		"$MPVM_RUN/prov/cfgclient.log" | sed -n "${i}p")
	echo "$line"
	echo "$line" | grep -q 'Provisioning done' || { cfgclient_log prov; fail "device $i: $line"; }
	busy=$(echo "$busy $ti ${line%% *}" | awk '{ printf "%.2f", $1 + $3 - $2 }')
	i=$((i + 1))
done
t1=${line%% *}
kill "$HCIWATCH_PID"; wait "$HCIWATCH_PID"

cfgclient_stop
i=1 devs=
while [ $i -le $n ]; do devs="$devs dev$i:$(cat /tmp/uuid$i)"; i=$((i + 1)); done
devices_joined $devs

pbadv_counts /tmp/watch.log
echo "PROV_TIME=$busy"
echo "PROV_WALL_TIME=$(uptime_diff "$t0" "$t1")"
step "ok"
