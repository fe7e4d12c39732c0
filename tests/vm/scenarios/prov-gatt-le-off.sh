#!/bin/sh
# prov-gatt-le-off (issue 16): PB-GATT on a dual-mode controller whose LE
# setting is off in the kernel (btvirt's controllers are dual-mode: the
# kernel turns LE on by itself only for LE-only ones, and refuses LE
# connections without it, as on a dongle after `systemctl stop bluetooth`
# and `hciconfig hci0 up`). meshprov on hci0, LE off (`btmgmt le off` said
# outright), mpdev on hci1 offering PB-GATT. meshprov reads the setting
# through the management interface before it sends anything (man page:
# THE LE SETTING):
#  - as nobody with only CAP_NET_RAW (the README's setcap), it may not turn
#    it on: `--bearer gatt` stops at once, exit 3, saying so and naming
#    `btmgmt --index 0 le on` and CAP_NET_ADMIN; LE still off;
#  - as root with --no-le-on: the same stop, naming --no-le-on;
#  - as root: it turns LE on, says so (warning), and the same run
#    provisions over PB-GATT; LE stays on afterwards;
#  - as nobody with cap_net_raw,cap_net_admin+p (LE off again): it turns it
#    on too (the capability raised around the management socket's bind);
#  - with --no-le-on and --bearer auto: the run goes on (PB-ADV does not
#    need LE), and -v says that PB-GATT-only devices will fail.
# needs: provision nodes
# timeout: 400
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_meshprov provision nodes
need_mpdev

# le_state: "on" or "off", the kernel's LE setting of meshprov's controller
le_state() {
	script -qc "btmgmt --index $MP_HCI info" /dev/null > "$MPVM_RUN/info.log" 2>&1
	grep 'current settings:' "$MPVM_RUN/info.log" | grep -qw le && echo on || echo off
}
le_off() {
	script -qc "btmgmt --index $MP_HCI le off" /dev/null > /tmp/le-off.log 2>&1
	[ "$(le_state)" = off ] ||
		{ cat /tmp/le-off.log "$MPVM_RUN/info.log"; fail "LE is not off on hci$MP_HCI"; }
}

# nobody, with the file capabilities $1 on a copy of the binary
U=/tmp/u
mkdir -p $U && chown 65534:65534 $U
as_nobody() {
	cp "$MESHPROV" $U/meshprov
	setcap "$1" $U/meshprov || fail "setcap $1"
	cat > $U/meshprov-nobody <<EOF
#!/bin/sh
exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all $U/meshprov "\$@"
EOF
	chmod 755 $U/meshprov-nobody
}
mp_nobody() { $U/meshprov-nobody -i "$MP_HCI" --keyring $U/keyring.json "$@"; }

bt_up 2
bt_le_on hci1
mp_controller_up
le_off

u=$(new_uuid)
mpdev_start dev hci1 "$u" --gatt --no-pbadv --timeout 300

step "LE off, nobody with cap_net_raw+p: provision --bearer gatt stops before scanning"
as_nobody cap_net_raw+p
mp_nobody --json -t 60 provision "$u" --bearer gatt --auth none > /tmp/prov-0.json 2> /tmp/prov-0.err
st=$?
cat /tmp/prov-0.json /tmp/prov-0.err
[ $st = $MP_EXIT_CONTROLLER ] || fail "nobody: meshprov status $st, expected $MP_EXIT_CONTROLLER"
grep -q "LE is off in the kernel and meshprov may not turn it on (that needs CAP_NET_ADMIN)" \
	/tmp/prov-0.err || fail "nobody: the reason (no CAP_NET_ADMIN) is not said"
grep -q "btmgmt --index $MP_HCI le on" /tmp/prov-0.err ||
	fail "nobody: no hint naming \`btmgmt --index $MP_HCI le on\`"
grep -q "cap_net_raw,cap_net_admin+p" /tmp/prov-0.err || fail "nobody: no setcap advice"
grep -q '"event":"error"' /tmp/prov-0.json || fail "nobody: no JSON error event"
grep -q '"event":"failed"' /tmp/prov-0.json && fail "nobody: a device was tried"
[ "$(le_state)" = off ] || fail "nobody: LE was turned on without CAP_NET_ADMIN"

step "LE off, --no-le-on: provision --bearer gatt stops before scanning"
mp --json --no-le-on -t 60 provision "$u" --bearer gatt --auth none > /tmp/prov-1.json \
	2> /tmp/prov-1.err
st=$?
cat /tmp/prov-1.json /tmp/prov-1.err
[ $st = $MP_EXIT_CONTROLLER ] || fail "--no-le-on: meshprov status $st, expected $MP_EXIT_CONTROLLER"
grep -q "LE is off in the kernel (--no-le-on: left as it is)" /tmp/prov-1.err ||
	fail "--no-le-on: the reason is not said"
grep -q "btmgmt --index $MP_HCI le on" /tmp/prov-1.err ||
	fail "--no-le-on: no hint naming \`btmgmt --index $MP_HCI le on\`"
grep -q '"event":"failed"' /tmp/prov-1.json && fail "--no-le-on: a device was tried"
grep -q '"event":"provisioned"' /tmp/prov-1.json && fail "--no-le-on: provisioned?"
[ "$(le_state)" = off ] || fail "--no-le-on: meshprov turned LE on"
mp --json nodes > /tmp/nodes-1.json 2>&1
grep -q "$u" /tmp/nodes-1.json && { cat /tmp/nodes-1.json; fail "a node kept for $u"; }

step "LE off: provision --bearer gatt turns it on, says so, and provisions"
mp --json -t 150 provision "$u" --bearer gatt --auth none > /tmp/prov-2.json 2> /tmp/prov-2.err
st=$?
grep -v '"phase"' /tmp/prov-2.json
cat /tmp/prov-2.err
mpdev_wait dev "$u" 60; dst=$?
grep -q "warning: hci$MP_HCI: LE was off in the kernel; turned it on (btmgmt --index $MP_HCI le on)" \
	/tmp/prov-2.err || fail "meshprov did not say it turned LE on"
grep -q '"event":"warning"' /tmp/prov-2.json || fail "no JSON warning event for LE turned on"
[ $st = 0 ] || fail "LE turned on: meshprov status $st"
[ $dst = 0 ] || fail "LE turned on: mpdev status $dst"
mpdev_expect dev "$u" bearer pb-gatt
grep -q '"bearer":"gatt"' /tmp/prov-2.json || fail "meshprov does not say PB-GATT"
mpdev_verify dev "$u"
[ "$(le_state)" = on ] || fail "LE is not on after the run"

step "LE off, nobody with cap_net_raw,cap_net_admin+p: turned on as well"
le_off
as_nobody cap_net_raw,cap_net_admin+p
u2=$(new_uuid)
# no such device: the LE setting is what is checked, then the run ends not-found
mp_nobody --json -t 5 provision "$u2" --bearer gatt --auth none > /tmp/prov-3.json \
	2> /tmp/prov-3.err
st=$?
cat /tmp/prov-3.json /tmp/prov-3.err
grep -q "LE was off in the kernel; turned it on" /tmp/prov-3.err ||
	fail "nobody with CAP_NET_ADMIN: LE not turned on"
[ "$(le_state)" = on ] || fail "nobody with CAP_NET_ADMIN: LE is not on"
[ $st = 1 ] || fail "nobody with CAP_NET_ADMIN: status $st, expected 1 (not-found)"

step "LE off, --no-le-on, --bearer auto: goes on (PB-ADV needs no LE), -v says what fails"
le_off
mp -v --no-le-on -t 3 provision "$(new_uuid)" --auth none > /tmp/prov-4.out 2> /tmp/prov-4.err
st=$?
cat /tmp/prov-4.err
[ $st = 1 ] || fail "--bearer auto: status $st, expected 1 (not-found)"
grep -q "LE is off in the kernel (--no-le-on: left as it is): devices heard only over PB-GATT will fail" \
	/tmp/prov-4.err || fail "--bearer auto -v: LE off not said"
[ "$(le_state)" = off ] || fail "--no-le-on: LE turned on"
step "ok"
