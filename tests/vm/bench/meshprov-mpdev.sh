#!/bin/sh
# bench-vm's bearer comparison (not a test): meshprov on hci0 provisions
# mpdev on hci1, No OOB, over BEARER (adv: mpdev beacons and answers PB-ADV
# only; gatt: it advertises only the Mesh Provisioning Service). BlueZ's
# meshd cannot be provisioned over PB-GATT, so the device is our own on both
# bearers. Prints PROV_TIME (`meshprov provision UUID` from start to exit,
# hearing the device included), as prov-noob does.
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_meshprov provision nodes
need_mpdev

bearer=${BEARER:-gatt}
bt_up 2
bt_le_on hci0
bt_le_on hci1
mp_controller_up
u=$(new_uuid)
if [ "$bearer" = gatt ]; then
	mpdev_start dev hci1 "$u" --gatt --no-pbadv --timeout 200
else
	mpdev_start dev hci1 "$u" --timeout 200
fi
step "meshprov provision $u --bearer $bearer (No OOB)"
read -r t0 _ < /proc/uptime
mp --json -t 120 provision "$u" --bearer "$bearer" --auth none > /tmp/prov.json 2>&1; st=$?
read -r t1 _ < /proc/uptime
grep -v '"phase"' /tmp/prov.json
[ $st = 0 ] || fail "meshprov provision: status $st"
mpdev_wait dev "$u" 60 || fail "mpdev did not end provisioned"
mpdev_expect dev "$u" bearer "pb-$bearer"
mpdev_verify dev "$u"
echo "PROV_TIME=$(uptime_diff "$t0" "$t1")"
step "ok"
