#!/bin/sh
# prov-concurrent (issue 6, scenario 3): DEVICES (default 3) meshd devices,
# each on its own controller (hci1..hciN) and its own D-Bus bus, with
# generic IO (two meshd on the kernel's mgmt mesh IO hear each other's
# echoes); one meshprov on hci0 provisions them concurrently, hciwatch on
# hciN+1 counts the PDUs. All devices confirm from their side, with distinct
# unicast addresses. For bench-vm, prints PROV_TIME (from meshprov's start
# to its last device's "provisioned", Provisioning Complete received: it
# includes hearing the beacons), PROV_EXIT_TIME (to meshprov's exit) and
# ADV_PDUS_PROV (PB-ADV PDUs meshprov sent, all devices together). With
# BENCH=1 (bench-vm), only the devices' side is checked (as in
# bench/bluez-sequential.sh), not meshprov's keyring: half a minute less.
# MP_JOBS=K: at most K devices at once (bench-vm's BENCH_SERIAL, with 1).
# needs: provision nodes
# timeout: 420
. "$(dirname "$0")/../lib.sh"
need_meshprov provision nodes

n=${DEVICES:-3}
bt_up $((n + 2))
mp_controller_up
i=1
while [ $i -le $n ]; do
	meshd_start dev$i hci$i
	u=$(new_uuid); echo "$u" > /tmp/uuid$i
	node_join dev$i "$u" none
	i=$((i + 1))
done

step "meshprov provision --all ($n devices${MP_JOBS:+, $MP_JOBS at a time})"
hciwatch_bg /tmp/watch.log -i $((n + 1)) -m -t 0
read -r t0 _ < /proc/uptime
{ mp_provision_all "$n" 240; echo $? > /tmp/prov.st; } | stamp > /tmp/prov.log
read -r t1 _ < /proc/uptime
kill "$HCIWATCH_PID"; wait "$HCIWATCH_PID"
cat /tmp/prov.log
st=$(cat /tmp/prov.st)
[ "$st" = 0 ] || fail "meshprov provision --all: status $st"
mp_provisioned_at /tmp/prov.log > /tmp/prov.at
[ "$(wc -l < /tmp/prov.at)" = "$n" ] || fail "meshprov reported $(wc -l < /tmp/prov.at) of $n"

: > /tmp/addrs
i=1 devs=
while [ $i -le $n ]; do
	u=$(cat /tmp/uuid$i)
	if [ -n "${BENCH:-}" ]; then
		devs="$devs dev$i:$u"
	else
		verify_node dev$i "$u"
		jget "$(node_result dev$i "$u")" unicast addr >> /tmp/addrs
	fi
	i=$((i + 1))
done
if [ -n "${BENCH:-}" ]; then
	devices_joined $devs
else
	[ "$(sort -u /tmp/addrs | wc -l)" = "$n" ] ||
		{ cat /tmp/addrs; fail "unicast addresses not distinct"; }
fi
pbadv_counts /tmp/watch.log
echo "PROV_TIME=$(uptime_diff "$t0" "$(sort -n /tmp/prov.at | tail -1)")"
echo "PROV_EXIT_TIME=$(uptime_diff "$t0" "$t1")"
step "ok"
