#!/bin/sh
# prov-gatt-mixed (issue 7): one meshprov run provisions two devices, one
# after the other (-j 1): first mpdev on hci1 over PB-GATT (it advertises
# only the Mesh Provisioning Service), then mpdev on hci2 over PB-ADV (it
# only beacons, and only from then on). The kernel switches the controller's scanning off when the
# LE connection completes and leaves it off (hci/l2cap.h): unless meshprov
# starts its scan again, whole, after a connection, the PB-ADV device's
# Link Ack is never heard and the second device fails.
# needs: provision nodes
# timeout: 420
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_meshprov provision nodes
need_mpdev

bt_up 3
bt_le_on hci0
bt_le_on hci1
mp_controller_up

ug=$(new_uuid)
ua=$(new_uuid)
btmon_bg /tmp/btmon.txt || true
mpdev_start gatt hci1 "$ug" --gatt --no-pbadv --timeout 300

# The PB-ADV device appears only once the PB-GATT one is done, so that
# meshprov (which takes devices in the order it hears them) has made its LE
# connection before it needs its scan for PB-ADV.
step "meshprov -j 1 provision $ug (PB-GATT) $ua (PB-ADV)"
mp --json -j 1 -t 240 provision "$ug" "$ua" > /tmp/prov.json 2>&1 &
mpid=$!
mpdev_wait gatt "$ug" 150; gst=$?
step "PB-GATT device done (status $gst); now the PB-ADV device"
mpdev_start adv hci2 "$ua" --timeout 200
wait $mpid; st=$?
grep -v '"phase"' /tmp/prov.json
mpdev_wait adv "$ua" 60; ast=$?
btmon_stop
if [ $ast != 0 ] && [ -s /tmp/btmon.txt ]; then
	echo "--- btmon: hci0's LE scan / connection traffic"
	btmon_le /tmp/btmon.txt hci0 | grep -v '^        ' | grep -v 'ncmd' | head -80
fi
[ $gst = 0 ] || fail "the PB-GATT device: mpdev status $gst"
mpdev_expect gatt "$ug" bearer pb-gatt
[ $ast = 0 ] || fail "the PB-ADV device after a PB-GATT connection: mpdev status $ast" \
	"(meshprov's scan is off since the kernel's connection?)"
[ $st = 0 ] || fail "meshprov status $st"
mpdev_expect adv "$ua" bearer pb-adv
mpdev_verify gatt "$ug"
mpdev_verify adv "$ua"
step "ok"
