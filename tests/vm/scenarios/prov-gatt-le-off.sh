#!/bin/sh
# prov-gatt-le-off (issue 16): PB-GATT on a dual-mode controller whose LE
# setting is off in the kernel (btvirt's controllers are dual-mode: the
# kernel turns LE on by itself only for LE-only ones, and refuses LE
# connections without it, as on a dongle after `systemctl stop bluetooth`
# and `hciconfig hci0 up`). meshprov on hci0, LE off (`btmgmt le off` said
# outright), provisions mpdev on hci1 over PB-GATT. What it does today:
# it does not turn LE on itself; the connection is refused at once and the
# run stops with the hint naming `btmgmt --index 0 le on`, the device
# failed as connect-failed (never the bare `error`), exit 1, no node kept,
# LE still off. The same run succeeds once LE is on.
# needs: provision nodes
# timeout: 300
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_meshprov provision nodes
need_mpdev

# le_state: "on" or "off", the kernel's LE setting of meshprov's controller
le_state() {
	script -qc "btmgmt --index $MP_HCI info" /dev/null > "$MPVM_RUN/info.log" 2>&1
	grep 'current settings:' "$MPVM_RUN/info.log" | grep -qw le && echo on || echo off
}

bt_up 2
bt_le_on hci1
mp_controller_up
script -qc "btmgmt --index $MP_HCI le off" /dev/null > /tmp/le-off.log 2>&1
[ "$(le_state)" = off ] || { cat /tmp/le-off.log "$MPVM_RUN/info.log"; fail "LE is not off on hci$MP_HCI"; }

u=$(new_uuid)
step "LE off: provision --bearer gatt"
mpdev_start dev hci1 "$u" --gatt --no-pbadv --timeout 200
mp --json -t 60 provision "$u" --bearer gatt --auth none > /tmp/prov-1.json 2>&1; st=$?
grep -v '"phase"' /tmp/prov-1.json
[ $st = 1 ] || fail "LE off: meshprov status $st, expected 1 (the device failed)"
grep -q "btmgmt --index $MP_HCI le on" /tmp/prov-1.json ||
	fail "LE off: no hint naming \`btmgmt --index $MP_HCI le on\`"
r=$(jget -w "event=failed" /tmp/prov-1.json reason)
[ "$r" = connect-failed ] || fail "LE off: failure reason '$r', expected connect-failed"
grep -q '"event":"provisioned"' /tmp/prov-1.json && fail "LE off: provisioned?"
[ "$(le_state)" = off ] || fail "meshprov turned LE on without saying so"
mp --json nodes > /tmp/nodes-1.json 2>&1
grep -q "$u" /tmp/nodes-1.json && { cat /tmp/nodes-1.json; fail "LE off: a node kept for $u"; }
mpdev_stop dev "$u"

step "LE on: the same run provisions"
bt_le_on "hci$MP_HCI"
u=$(new_uuid)
mpdev_start dev hci1 "$u" --gatt --no-pbadv --timeout 200
mp --json -t 150 provision "$u" --bearer gatt --auth none > /tmp/prov-2.json 2>&1; st=$?
grep -v '"phase"' /tmp/prov-2.json
mpdev_wait dev "$u" 60; dst=$?
[ $st = 0 ] || fail "LE on: meshprov status $st"
[ $dst = 0 ] || fail "LE on: mpdev status $dst"
mpdev_expect dev "$u" bearer pb-gatt
grep -q '"bearer":"gatt"' /tmp/prov-2.json || fail "LE on: meshprov does not say PB-GATT"
mpdev_verify dev "$u"
step "ok"
