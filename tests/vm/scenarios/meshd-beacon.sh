#!/bin/sh
# meshd-beacon: bluetooth-meshd on hci1 joins as an unprovisioned device with
# a UUID chosen here; hciwatch on hci0 must hear its Unprovisioned Device
# beacon (AD 0x2B, beacon type 0x00, MshPRT v1.1 3.10.2) carrying exactly
# that UUID. Once per meshd IO: generic (HCI user channel, legacy
# advertising) and auto (the kernel's mgmt mesh IO, extended advertising).
# timeout: 240
. "$(dirname "$0")/../lib.sh"

bt_up 2
hciconfig hci0 up || fail "hci0 up"
n=0
for io in ${MESHD_IOS:-generic auto}; do
	n=$((n + 1))
	uuid=$(new_uuid)
	meshd_start dev$n hci1 $io
	node_join dev$n "$uuid" none
	step "$io IO: waiting for uuid $uuid on hci0"
	hciwatch -i 0 -m -u "$uuid" -t 60 > /tmp/watch-$io.log ||
		{ cat /tmp/watch-$io.log; meshd_log dev$n | tail -20; fail "no beacon with $uuid ($io IO)"; }
	grep "uuid=$uuid" /tmp/watch-$io.log | head -1
	# exactly that UUID, inside an AD structure of type 0x2B: length 0x14
	# (type + beacon type + UUID + OOB info) or 0x18 (+ URI hash)
	grep -Eq "ad=(..)*(142b|182b)00$uuid" /tmp/watch-$io.log ||
		fail "beacon is not AD 0x2B / type 0x00 with the UUID"
	# stop this meshd (and its device) before the next IO mode takes hci1
	kill "$(cat $MPVM_RUN/dev$n/node-$uuid.pid)" "$(cat $MPVM_RUN/dev$n/meshd.pid)" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $(cat $MPVM_RUN/dev$n/meshd.pid) 2>/dev/null" ||
		fail "meshd dev$n did not stop"
done
step "ok"
