#!/bin/sh
# gatt-link (issue 7): PB-GATT's transport on the real kernel. mpdev on hci1
# advertises the Mesh Provisioning Service connectably (its own advertising
# set, extended commands, a legacy ADV_IND PDU) and serves ATT on a kernel
# L2CAP socket with the project's GATT server. On hci0, which also scans from
# a raw HCI socket (as meshprov does), mpdev --gatt-probe connects through
# the kernel (hci/l2cap.h), runs the project's GATT client (MTU exchange,
# discovery of the service, notifications on) and closes. mpdev on hci2
# beacons (PB-ADV) so that hci0's scan has another device to hear.
#   probe 1: our scan with the legacy commands (mp_hci's default);
#   probe 2: our scan with the extended commands, and advertising bursts on
#            hci0 meanwhile (meshprov's PB-ADV while it connects);
#   probe 3: PB-GATT end to end: the probe provisions the device (No OOB).
# Asserted: the connection, ATT_MTU 517 both sides, the service handles, that
# each probe's scan hears hci2 again once restarted, and after probe 3 the
# same keys and address on both sides. Printed for the
# record (tests/vm/README.md): what btmon saw the kernel send around each
# connection, and the reports our raw socket got in each phase.
# timeout: 420
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_mpdev

bt_up 3
# dual-mode controllers: the kernel connects over LE only once LE is on
bt_le_on hci0
bt_le_on hci1
a0=$(bt_addr hci0)
a1=$(bt_addr hci1)
a2=$(bt_addr hci2)
btmon_bg /tmp/btmon.txt || step "no btmon: no record of the kernel's commands"

ug=$(new_uuid)
mpdev_start gatt hci1 "$ug" --gatt --timeout 360 -v
uo=$(new_uuid)
mpdev_start other hci2 "$uo" --timeout 360

# what btmon saw, for the record (and when something failed)
dump() {
	btmon_stop
	[ -s /tmp/btmon.txt ] || return 0
	echo "--- btmon: hci0's LE scan / connection / advertising traffic"
	btmon_le /tmp/btmon.txt hci0
	echo "--- btmon: hci1's"
	btmon_le /tmp/btmon.txt hci1
	echo "--- btmon: advertising reports (all controllers):" \
		"$(grep -c 'LE Extended Advertising Report' /tmp/btmon.txt) extended," \
		"$(grep -c 'LE Advertising Report' /tmp/btmon.txt) legacy"
	echo "--- dmesg"; dmesg | grep -i bluetooth | tail -20
}

probe() {
	_n=$1; shift
	step "probe $_n: hci0 -> $a1 (public) $*"
	mpdev_probe /tmp/probe$_n.log /tmp/probe$_n.json hci0 "$a1" public --timeout 120 "$@"
	_st=$?
	sed 's/^/  probe: /' /tmp/probe$_n.log
	cat /tmp/probe$_n.json
	[ $_st = 0 ] || {
		sed 's/^/  mpdev: /' "$(mpdev_log gatt "$ug")" "$(mpdev_dir gatt)/node-$ug.err"
		dump
		fail "probe $_n: status $_st"
	}
	grep -q '^PROBE MTU 517$' /tmp/probe$_n.log || fail "probe $_n: no ATT_MTU 517"
	grep -q 'PROBE GATT READY service=0x0001-0x0006 data_in=0x0003 data_out=0x0005' \
		/tmp/probe$_n.log && grep -q 'PROBE GATT READY .* cccd=0x0006$' /tmp/probe$_n.log ||
		fail "probe $_n: not the service's handles"
	# our scan, restarted whole, hears hci2 again
	[ "$(jget /tmp/probe$_n.json reports_rescan int)" -gt 0 ] ||
		fail "probe $_n: no report once our scan was restarted"
}

probe 1 --settle 3000
# the device advertises again after the first connection
wait_for 30 sh -c "[ \$(grep -c '^GATT ADVERTISING' $(mpdev_log gatt "$ug")) -ge 2 ]" ||
	fail "mpdev did not advertise again after the connection"
probe 2 --settle 3000 --le extended --probe-adv
wait_for 30 sh -c "[ \$(grep -c '^GATT ADVERTISING' $(mpdev_log gatt "$ug")) -ge 3 ]" ||
	fail "mpdev did not advertise again after the second connection"

# PB-GATT end to end: the probe provisions the device (the project's
# provisioner and PB-GATT link over the GATT client; the device's GATT server,
# PB-GATT link and simulated device), then both sides' keys are compared.
probe 3 --settle 1000 --gatt-provision --address 0x0123
mpdev_wait gatt "$ug" 30 > /tmp/gatt-dev.log ||
	{ cat /tmp/gatt-dev.log; fail "the device did not end provisioned"; }
res=$(mpdev_result gatt "$ug")
cat "$res"
mpdev_expect gatt "$ug" status provisioned
mpdev_expect gatt "$ug" bearer pb-gatt
for f in net_key:hex dev_key:hex iv_index:int unicast:addr; do
	k=${f%%:*}
	pv=$(jget /tmp/probe3.json "$k" "${f#*:}")
	dv=$(jget "$res" "$k" "${f#*:}")
	[ -n "$pv" ] && [ "$pv" = "$dv" ] ||
		fail "PB-GATT: $k is '$pv' for the provisioner, '$dv' on the device"
done
[ "$(jget "$res" unicast addr)" = 0123 ] || fail "PB-GATT: not the address given"
step "PB-GATT: provisioner and device agree (unicast 0123)"

step "the device's side"
mpdev_stop other "$uo"
log=$(mpdev_log gatt "$ug")
cat /tmp/gatt-dev.log
[ "$(grep -c "^GATT CONNECTED peer=$a0 type=public" "$log")" = 3 ] ||
	fail "the device did not see three connections from hci0 ($a0, public)"
[ "$(grep -c '^ATT MTU 517$' "$log")" = 3 ] || fail "the device's ATT_MTU is not 517"
[ "$(grep -c '^GATT NOTIFY on$' "$log")" = 3 ] || fail "the probe did not enable notifications"

step "for the record: hci0 $a0 (probe), hci1 $a1 (GATT device), hci2 $a2 (beacons)"
for n in 1 2 3; do
	echo "  probe $n reports (all/from $a1): $(grep '^SCAN' /tmp/probe$n.log | tail -1)"
	grep '^RESCAN' /tmp/probe$n.log | sed 's/^/    /'
done
dump
step "ok"
