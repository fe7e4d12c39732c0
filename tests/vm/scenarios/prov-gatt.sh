#!/bin/sh
# prov-gatt (issue 7): meshprov on hci0 provisions, over PB-GATT, mpdev on
# hci1 advertising only the Mesh Provisioning Service (connectable, no
# beacons, no PB-ADV): scan lists it with bearer gatt, `provision --bearer
# gatt` connects through the kernel's L2CAP ATT channel, and the device's
# keys and address match meshprov's keyring. Static OOB, then No OOB with
# CMAC only. Skipped while meshprov's controller radio cannot connect yet.
# needs: scan provision nodes
# timeout: 420
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_meshprov scan provision nodes
need_mpdev

bt_up 2
# dual-mode controllers: the kernel makes LE connections only once LE is on
bt_le_on hci0
bt_le_on hci1
mp_controller_up

n=0
for c in "static:$(new_uuid)" none:cmac; do
	n=$((n + 1))
	auth=${c%%:*} key=${c#static:} alg=cmac,hmac
	case $c in none:*) alg=${c#none:}; key= ;; esac
	u=$(new_uuid)
	step "case $n: PB-GATT, $auth OOB, $alg"
	mpdev_start dev hci1 "$u" --gatt --no-pbadv --alg "$alg" ${key:+--static "$key"} \
		--timeout 200
	if [ $n = 1 ]; then
		must /tmp/scan.json "meshprov scan" mp_scan 10
		jget -w "uuid=$u" /tmp/scan.json uuid > /dev/null ||
			{ cat /tmp/scan.json; fail "meshprov's scan did not list $u"; }
		jget -w "uuid=$u" /tmp/scan.json bearer | grep -qi gatt ||
			{ cat /tmp/scan.json; fail "meshprov's scan does not say PB-GATT for $u"; }
	fi
	mp --json -t 150 provision "$u" --bearer gatt --auth "${key:+static:}${key:-none}" \
		> /tmp/prov-$n.json 2>&1; st=$?
	grep -v '"phase"' /tmp/prov-$n.json
	log=$(mpdev_log dev "$u")
	if [ $st != 0 ] && ! grep -q '^GATT CONNECTED' "$log" &&
	   grep -Eqi 'not supported|unsupported|cannot connect|no connect' /tmp/prov-$n.json; then
		mpdev_stop dev "$u"
		skip "meshprov's controller radio does not connect over GATT yet:" \
			"$(grep -v '"phase"' /tmp/prov-$n.json | tail -1)"
	fi
	mpdev_wait dev "$u" 60; dst=$?
	[ $st = 0 ] || fail "case $n: meshprov status $st"
	[ $dst = 0 ] || fail "case $n: mpdev status $dst"
	mpdev_expect dev "$u" bearer pb-gatt
	mpdev_expect dev "$u" auth_method "$auth"
	[ $n = 1 ] || mpdev_expect dev "$u" algorithm cmac
	grep -q '"bearer":"gatt"' /tmp/prov-$n.json || fail "case $n: meshprov does not say PB-GATT"
	mpdev_verify dev "$u"
done
step "ok"
