#!/bin/sh
# prov-concurrent (issue 6, scenario 3): three meshd devices, each on its
# own controller (hci1..hci3) and its own D-Bus bus, with generic IO (two
# meshd on the kernel's mgmt mesh IO hear each other's echoes); one meshprov
# on hci0 provisions them concurrently. All three confirm from their side,
# with distinct unicast addresses. Prints PROV_TIME for the batch.
# needs: provision nodes
# timeout: 420
. "$(dirname "$0")/../lib.sh"
need_meshprov provision nodes

n=${DEVICES:-3}
bt_up $((n + 1))
mp_controller_up
i=1
while [ $i -le $n ]; do
	meshd_start dev$i hci$i
	u=$(new_uuid); echo "$u" > /tmp/uuid$i
	node_join dev$i "$u" none
	i=$((i + 1))
done

step "meshprov provision --all"
read -r t0 _ < /proc/uptime
mp_provision_all "$n" 240 > /tmp/prov.json; st=$?
read -r t1 _ < /proc/uptime
cat /tmp/prov.json
[ $st = 0 ] || fail "meshprov provision --all: status $st"

: > /tmp/addrs
i=1
while [ $i -le $n ]; do
	u=$(cat /tmp/uuid$i)
	verify_node dev$i "$u"
	jget "$(node_result dev$i "$u")" unicast addr >> /tmp/addrs
	i=$((i + 1))
done
[ "$(sort -u /tmp/addrs | wc -l)" = "$n" ] ||
	{ cat /tmp/addrs; fail "unicast addresses not distinct"; }
echo "PROV_TIME=$(uptime_diff "$t0" "$t1")"
step "ok"
