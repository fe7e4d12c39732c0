#!/bin/sh
# prov-gatt-concurrent (issue 7): several PB-GATT provisionings at once,
# alongside a PB-ADV link. One meshprov run on hci0 (`provision U1 U2 U3`,
# bearer auto) provisions mpdev on hci1 and mpdev on hci2, each advertising
# only the Mesh Provisioning Service (PB-GATT: one LE connection from hci0
# to each), and mpdev on hci3, which only beacons (PB-ADV).
#
# Checked: the PB-ADV device and every PB-GATT device that got its answers
# through end provisioned and agree with meshprov's keyring (mpdev_verify),
# with distinct unicast addresses; from btmon's record, that hci0 held both
# LE connections at the same time (the kernel makes the second connection
# while the first is up: LE Connection Complete before the first one's
# Disconnect Complete).
#
# What btvirt does (BlueZ 5.66, emulator/btdev.c): for an LE connection it
# gives the central the first handle free on the central (42, then 43 for a
# second connection) and keeps, for the peripheral, the first handle free
# on the peripheral (42), but its LE Enhanced Connection Complete tells
# BOTH hosts the central's handle. It forwards ACL data under the sender's
# handle and looks the sender's connection up by it: from the central the
# data arrives (the peripheral's host knows 43), from the peripheral (which
# sends on 43, unknown to btvirt on that side) it is dropped. So while hci0
# holds a connection, a second one carries hci0's requests but none of the
# device's answers: that provisioning cannot succeed on btvirt, whatever
# the provisioner does. Then what must happen is checked instead: that
# device's session ends on its own with a clear reason (timeout, naming the
# GATT step with no answer), nothing is stored for it, meshprov exits 1
# (not a signal), the other two devices are provisioned, and btmon shows the
# cause (the device sent its ATT answers on the handle it was given; hci0
# received none on that connection). Should a fixed btvirt deliver them,
# all three devices must be provisioned.
# needs: provision nodes
# timeout: 480
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_meshprov provision nodes
need_mpdev

bt_up 4
# dual-mode controllers: the kernel makes LE connections only once LE is on
bt_le_on hci0
bt_le_on hci1
bt_le_on hci2
mp_controller_up

g1=$(new_uuid)
g2=$(new_uuid)
ua=$(new_uuid)
btmon_bg /tmp/btmon.txt || skip "no btmon: the overlap of the connections cannot be shown"
mpdev_start g1 hci1 "$g1" --gatt --no-pbadv --timeout 300
mpdev_start g2 hci2 "$g2" --gatt --no-pbadv --timeout 300
mpdev_start adv hci3 "$ua" --timeout 300

step "meshprov provision $g1 $g2 (PB-GATT) $ua (PB-ADV), at once"
# each line stamped as it comes (the overlap, for the record); the status last
{ mp --json -t 240 provision "$g1" "$g2" "$ua" 2>&1; echo "EXIT $?"; } | stamp > /tmp/prov.json
st=$(sed -n 's/^[0-9.]* EXIT //p' /tmp/prov.json)
grep -v '"phase"' /tmp/prov.json
mpdev_wait g1 "$g1" 20; s1=$?
mpdev_wait g2 "$g2" 20; s2=$?
mpdev_wait adv "$ua" 20; sa=$?
btmon_stop
sed 's/^[0-9.]* //' /tmp/prov.json > /tmp/prov-plain.json

for h in hci0 hci1 hci2; do
	btmon_conns /tmp/btmon.txt $h > /tmp/conns-$h.txt
	btmon_att /tmp/btmon.txt $h > /tmp/att-$h.txt
done
echo "--- btmon: hci0's LE connections"
sed 's/^/  /' /tmp/conns-hci0.txt
conns=$(sed -n 's/^max-concurrent //p' /tmp/conns-hci0.txt)

# le_trace: hci0's LE scan and connection commands and events (no
# advertising: meshprov's PB-ADV bursts are many), for the record
le_trace() {
	echo "--- btmon: hci0's LE scan / connection traffic (advertising left out)"
	btmon_le /tmp/btmon.txt hci0 | awk '
		function out() { if (b != "" && b !~ /\(0x08\|0x00(06|08|0a|35|36|37|38|39)\)/) printf "%s", b; b = "" }
		/^[<>@=] / { out() }
		{ b = b $0 "\n" }
		END { out() }' | grep -v 'ncmd\|Interval\|Window\|length\|latency\|interval\|PHY\|Min \|Max ' | head -150
}
[ "$st" -lt 128 ] 2>/dev/null || { le_trace; fail "meshprov status '$st' (a signal?)"; }
[ $sa = 0 ] || fail "the PB-ADV device (hci3): mpdev status $sa"
mpdev_expect adv "$ua" bearer pb-adv
# meshprov asks for both connections at once; Linux creates LE connections
# one at a time, so on a quick run the second may come after the first one
# ended. Then nothing was lost to btvirt and every device must be
# provisioned (checked below: a failure without btvirt's loss fails).
if [ "$conns" -ge 2 ]; then
	step "hci0 held $conns LE connections at once"
else
	step "hci0 held at most $conns LE connection at a time this run (the kernel made" \
		"the second after the first ended): every device must be provisioned"
	le_trace
fi

# btvirt_lost N: hciN sent ATT PDUs on its connection and hci0 received
# none on its connection to hciN (the handle mix-up above). Prints it.
btvirt_lost() {
	_peer=$(bt_addr "hci$1")
	_hp=$(awk '$1 == "connect" && / role=peripheral/ { sub("handle=", "", $3); print $3; exit }' \
		"/tmp/conns-hci$1.txt")
	_hc=$(awk -v p="peer=$_peer" '$1 == "connect" && $4 == p { sub("handle=", "", $3); print $3; exit }' \
		/tmp/conns-hci0.txt)
	_sent=$(grep -c " TX handle=$_hp " "/tmp/att-hci$1.txt")
	_got=$(grep -c " RX handle=$_hc " /tmp/att-hci0.txt)
	echo "  hci$1 ($_peer): sent $_sent ATT PDUs on handle $_hp; hci0 received $_got on" \
		"its handle $_hc for that connection"
	echo "--- btmon: hci0's ATT traffic"; sed 's/^/  /' /tmp/att-hci0.txt | head -40
	echo "--- btmon: hci$1's ATT traffic"; sed 's/^/  /' "/tmp/att-hci$1.txt" | head -20
	[ -n "$_hp" ] && [ "$_sent" -gt 0 ] && [ "$_got" = 0 ]
}

good="adv:$ua" lost=
for c in 1:g1:$g1:$s1 2:g2:$g2:$s2; do
	IFS=: read -r n name u s <<-EOF
	$c
	EOF
	if [ "$s" = 0 ]; then
		mpdev_expect "$name" "$u" bearer pb-gatt
		jget -w "uuid=$u" /tmp/prov-plain.json bearer | grep -qx gatt ||
			fail "meshprov does not say PB-GATT for $u"
		good="$good $name:$u"
		continue
	fi
	# Not provisioned: only acceptable as btvirt's loss, ended cleanly.
	step "PB-GATT device $n (hci$n) not provisioned (mpdev status $s): was it btvirt?"
	btvirt_lost "$n" || fail "PB-GATT device $n (hci$n) failed, and not from btvirt's" \
		"lost ACL data"
	r=$(jget -w "uuid=$u" /tmp/prov-plain.json reason) ||
		fail "meshprov printed no failed line for $u"
	dt=$(jget -w "uuid=$u" /tmp/prov-plain.json detail) || dt=
	[ "$r" = timeout ] || fail "$u: reason '$r', not timeout"
	case $dt in
	*"no answer"*) ;;
	*) fail "$u: detail '$dt' does not name the GATT step without an answer" ;;
	esac
	lost="$lost $u"
	step "KNOWN LIMITATION (btvirt 5.66): hci$n's answers never reached hci0;" \
		"meshprov ended that session: $r ($dt)"
done
[ -n "$lost" ] || [ "$st" = 0 ] || fail "meshprov status $st with every device provisioned"
[ -z "$lost" ] || [ "$st" = 1 ] || fail "meshprov status $st, not 1, with a device failed"

# the devices' side, then the keyring: provisioned ones agree, lost ones absent
for nu in $good; do
	mpdev_verify "${nu%%:*}" "${nu#*:}"
done
mp_node_list > /tmp/nodes.json 2>&1 || { cat /tmp/nodes.json; fail "meshprov nodes"; }
for u in $lost; do
	! jget -w "uuid=$u" /tmp/nodes.json uuid > /dev/null ||
		fail "meshprov's keyring has a node for $u, which failed"
done
# shellcheck disable=SC2086 # a list of NAME:UUID without blanks
addrs=$(for nu in $good; do jget "$(mpdev_result "${nu%%:*}" "${nu#*:}")" unicast addr; done)
[ "$(echo "$addrs" | sort -u | wc -l)" = "$(echo "$addrs" | wc -l)" ] ||
	fail "unicast addresses not distinct: $addrs"
step "provisioned: $(echo "$good" | wc -w) devices, distinct addresses" \
	"$(echo "$addrs" | tr '\n' ' ');" \
	"not: $(echo "$lost" | wc -w)"
step "ok"
