#!/bin/sh
# bluez-config (bench-vm only, not a check-vm scenario): BlueZ's
# mesh-cfgclient provisions and configures DEVICES (default 4)
# bluetooth-meshd devices, scripted, one node after another: "provision
# UUID" until "Provisioning done", then in its config menu "target ADDR",
# "composition-get" (its pub-set refuses a node whose composition it has
# not read), "appkey-add 0", "bind", "sub-add", "pub-set", each waiting for
# its Status line (mesh-cfgclient does not retry: "No response" fails the
# run; its wait is raised to CFG_TIMEOUT, default 10 s, from 2). The same work as bench/meshprov-config.sh. hci1..hciN: one meshd
# device each (own bus, generic IO, guest/mesh-node.py --serve); hciN+1:
# meshd "prov" driven by mesh-cfgclient; hci0: hciwatch. Prints BENCH_TIME,
# the sum of the times from each command to its answer (without this
# script's reaction time between commands: under TCG a second or more
# each; the network and AppKey 0 created and every device discovered
# beforehand), of which BENCH_PROV_TIME for the "provision" commands and
# BENCH_CONFIG_TIME for the configuration commands, BENCH_WALL_TIME (first "provision" to the last answer) and
# BENCH_PDUS (Mesh Message AD structures heard, both directions, every
# repetition).
# timeout: 900
. "$(dirname "$0")/../lib.sh"

n=${DEVICES:-4}
p=$((n + 1))
# mesh-cfgclient waits 2 s for an answer by default and never sends again;
# under TCG on a loaded host a segmented AppKey Add's Status once came
# later than that ("No response"): its config menu's "timeout" raised.
# (A longer wait costs nothing when the answer comes.)
CFG_TIMEOUT=${CFG_TIMEOUT:-10}
meshd_devices_up "$n"	# hci0, meshprov's, unused: hciwatch there
meshd_start prov hci$p

step "cfgclient: new network, AppKey 0"
cfgclient_start prov "$MPVM_RUN/prov/config_db.json"
cfgclient_cmd prov create
cfgclient_wait prov 60 'Attached with path' ||
	{ cfgclient_log prov; meshd_log prov | tail -20; fail "cfgclient create"; }
cfgclient_cmd prov "appkey-create 0 0"
cfgclient_cmd prov "discover-unprovisioned on"
i=1
while [ $i -le $n ]; do
	cfgclient_wait prov 60 "$(cat /tmp/uuid$i)" ||
		{ cfgclient_log prov; fail "cfgclient never listed $(cat /tmp/uuid$i)"; }
	i=$((i + 1))
done
cfgclient_cmd prov "discover-unprovisioned off"

CLOG=$MPVM_RUN/prov/cfgclient.log
busy=0 busy_prov=0
# ask CMD PATTERN: send CMD, wait for one more line matching PATTERN (or a
# "No response"), add the time from CMD to that line's stamp to busy.
ask() {
	_before=$(grep -Eic "$2" "$CLOG")
	_nr=$(grep -c 'No response' "$CLOG")
	cfgclient_cmd prov "$1"
	wait_for 60 sh -c "[ \$(grep -Eic '$2' '$CLOG') -gt $_before ] ||
		[ \$(grep -c 'No response' '$CLOG') -gt $_nr ]" ||
		{ cfgclient_log prov; fail "$1: no answer"; }
	[ "$(grep -c 'No response' "$CLOG")" = "$_nr" ] ||
		{ cfgclient_log prov; fail "$1: No response"; }
	_line=$(grep -Ei "$2" "$CLOG" | tail -1)
	echo "$_line"
	busy=$(echo "$busy $CFGCLIENT_SENT ${_line%% *}" | awk '{ printf "%.2f", $1 + $3 - $2 }')
}

hciwatch_bg /tmp/watch.log -i 0 -m -t 0
i=1
while [ $i -le $n ]; do
	u=$(cat /tmp/uuid$i)
	_b=$busy
	ask "provision $u" 'Provisioning done|Provisioning failed|AddNodeFailed'
	busy_prov=$(echo "$busy_prov $busy $_b" | awk '{ printf "%.2f", $1 + $2 - $3 }')
	[ $i -gt 1 ] || t0=$CFGCLIENT_SENT
	grep -Ei 'Provisioning done|Provisioning failed|AddNodeFailed' "$CLOG" | tail -1 |
		grep -q 'Provisioning done' || { cfgclient_log prov; fail "device $i not provisioned"; }
	wait_for 60 node_serving dev$i "$u" || fail "device $u did not join"
	a=$(jget "$(node_result dev$i "$u")" unicast addr)
	cfgclient_cmd prov "menu config"
	cfgclient_cmd prov "timeout $CFG_TIMEOUT"
	cfgclient_cmd prov "target $a"
	ask "composition-get" 'Received DeviceCompositionStatus'
	ask "appkey-add 0" "Node $a AppKey status"
	ask "bind $a 0 1000" "Node $a: Model App status"
	ask "sub-add $a c001 1000" "Node $a Subscription status"
	ask "pub-set $a c002 0 0 0 1000" "Node $a Publication status"
	cfgclient_cmd prov "back"
	i=$((i + 1))
done
t1=${_line%% *}
kill "$HCIWATCH_PID"; wait "$HCIWATCH_PID"
cfgclient_stop
if grep -E 'status' "$CLOG" | grep -Evi 'status Success' | grep -Ei 'Node [0-9a-f]{4}:? .*status'; then
	cfgclient_log prov; fail "a Status other than Success"
fi
i=1
while [ $i -le $n ]; do
	u=$(cat /tmp/uuid$i)
	python3 - "$MPVM_RUN/dev$i/storage/$u/node.json" <<'PY' || fail "node $u's stored configuration"
import json, sys
nj = json.load(open(sys.argv[1]))
m = [m for m in nj['elements'][0]['models'] if int(m['modelId'], 16) == 0x1000][0]
assert [k['index'] for k in nj['appKeys']] == [0], nj['appKeys']
assert [int(b, 16) for b in m['bind']] == [0] and [int(s, 16) for s in m['subscribe']] == [0xc001], m
assert int(m['publish']['address'], 16) == 0xc002 and m['publish']['index'] == 0, m
print('  %s: AppKey 0, bound, subscribed to c001, publishing to c002' % nj['unicastAddress'])
PY
	i=$((i + 1))
done
echo "BENCH_TIME=$busy"
echo "BENCH_PROV_TIME=$busy_prov"
echo "BENCH_CONFIG_TIME=$(echo "$busy $busy_prov" | awk '{ printf "%.2f", $1 - $2 }')"
echo "BENCH_WALL_TIME=$(uptime_diff "$t0" "$t1")"
echo "BENCH_PDUS=$(grep -c 'mesh=msg' /tmp/watch.log)"
step "ok"
