#!/bin/sh
# proxy-config (issue 13): meshprov on hci0 provisions mpdev on hci1 (PB-ADV,
# with --gatt --node: once provisioned it is the project's simulated node,
# a GATT Proxy server too), then configures it with --bearer gatt: it hears
# the node's Mesh Proxy Service advertisement with its network's Network
# ID, connects through the kernel's L2CAP ATT channel, sets the proxy
# filter, and Composition Data Get, AppKey Add and Model App Bind go as
# Proxy PDUs, their answers come back the same way; the keyring records
# them. Then the node is reset over the proxy and drops the connection.
# needs: provision composition bearer
# timeout: 420
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_meshprov provision composition bearer
need_mpdev

bt_up 2
# dual-mode controllers: the kernel makes LE connections only once LE is on
bt_le_on hci0
bt_le_on hci1
mp_controller_up

u=$(new_uuid)
mpdev_start dev hci1 "$u" --gatt --node 300 --timeout 200
step "provision over PB-ADV"
must /tmp/prov.json "meshprov provision" mp --json -t 150 provision "$u" --bearer adv
addr=$(jget -w "uuid=$u" /tmp/prov.json address addr) ||
	{ cat /tmp/prov.json; fail "no address for $u"; }
log=$(mpdev_log dev "$u")
wait_for 30 grep -q "^NODE READY" "$log" || { cat "$log"; fail "mpdev is no node"; }
step "node $addr; configure it over --bearer gatt"
must /tmp/appkey.txt "appkey create" mp appkey create
mp --json -v -t 30 --bearer gatt -f - > /tmp/cfg.json 2> /tmp/cfg.err <<EOS
composition $addr
appkey add $addr 0
bind $addr 0 1000 0
EOS
st=$?
grep -v '"phase"' /tmp/cfg.json
grep -E "^mesh: (proxy-pdus-heard|net-pdus-heard|net-tx-refused) " /tmp/cfg.err
if [ $st != 0 ]; then
	cat /tmp/cfg.err
	sed 's/^/  mpdev: /' "$log"
	fail "configuration over the GATT proxy: status $st"
fi
grep -q '"event":"proxy-connected"' /tmp/cfg.json || fail "no proxy-connected event"
grep -q "^NODE PROXY CLIENT" "$log" || fail "mpdev never had a proxy client"
for m in "Config Composition Data Status" "Config AppKey Status" "Config Model App Status"; do
	jget -w "message=$m" /tmp/cfg.json status | grep -qx 0 ||
		fail "no successful $m over the proxy"
done
heard=$(sed -n 's/^mesh: proxy-pdus-heard //p' /tmp/cfg.err)
[ "${heard:-0}" -ge 3 ] || fail "only ${heard:-0} Network PDUs came through the proxy"
must /tmp/show.json "node show" mp --json node show "$addr"
[ "$(jget /tmp/show.json appkeys.0 int)" = 0 ] ||
	{ cat /tmp/show.json; fail "the keyring does not record AppKey 0 on $addr"; }

step "reset the node over the proxy"
mp --json -t 30 --bearer gatt node reset "$addr" > /tmp/reset.json 2>&1; st=$?
grep -v '"phase"' /tmp/reset.json
[ $st = 0 ] || fail "node reset over the proxy: status $st"
mpdev_wait dev "$u" 60; dst=$?
[ $dst = 0 ] || fail "mpdev status $dst"
mpdev_expect dev "$u" end node-reset
step "ok"
