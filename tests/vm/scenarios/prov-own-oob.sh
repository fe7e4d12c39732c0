#!/bin/sh
# prov-own-oob: Output and Input OOB on the real kernel, with a provisionee of
# our own (meshd 5.66 rejects both, see prov-output-input). meshprov on hci0
# provisions mpdev (tests/vm/tools/mpdev.c: the project's simulated device
# over PB-ADV on a raw HCI socket) on hci1, once per case:
#   Output OOB: numeric (6 digits), blink (a count, 2 digits), beep (1 digit);
#   Input OOB: numeric (4 digits), push (a count, 2 digits);
# each device offering one algorithm, so both CMAC and HMAC-SHA256 run. The
# person is guest/oob-helper.sh (meshprov's --oob-cmd): it reads what mpdev
# "shows" and types it into meshprov, or enters on mpdev what meshprov shows.
# Checked: meshprov's exit status, the method, action, size and algorithm the
# device saw, and the device's keys and address against meshprov's keyring.
# Then a wrong Input OOB value: both sides fail (Confirmation Failed), no node.
# needs: provision nodes
# timeout: 600
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_meshprov provision nodes
need_mpdev

bt_up 2
mp_controller_up

n=0
for c in output:numeric:6:hmac output:blink:2:cmac output:beep:1:hmac \
	 input:numeric:4:cmac input:push:2:hmac; do
	n=$((n + 1))
	IFS=: read -r method action size alg <<-EOF
	$c
	EOF
	u=$(new_uuid)
	step "case $n: $method OOB, $action, size $size, $alg"
	mpdev_start dev hci1 "$u" "--$method" "$action" "--$method-size" "$size" --alg "$alg" \
		--timeout 180
	mp_provision "$u" "$method" 150 > /tmp/prov-$n.json 2>&1; st=$?
	grep -v '"phase"' /tmp/prov-$n.json
	mpdev_wait dev "$u" 60; dst=$?
	[ $st = 0 ] || fail "case $n: meshprov status $st"
	[ $dst = 0 ] || fail "case $n: mpdev status $dst"
	mpdev_expect dev "$u" auth_method "$method"
	mpdev_expect dev "$u" auth_action "$action"
	mpdev_expect dev "$u" auth_size "$size"
	mpdev_expect dev "$u" algorithm "$alg"
	log=$(mpdev_log dev "$u")
	v=$(jget "$(mpdev_result dev "$u")" oob_value)
	case $method in
	output)	grep -q "^OUTPUT $action $v\$" "$log" || fail "case $n: the device showed no $v" ;;
	input)	grep -q "^INPUT $action $size\$" "$log" && grep -q "^INPUT-VALUE $v\$" "$log" ||
			fail "case $n: the device was not asked, or got no value" ;;
	esac
	step "case $n: the value was $v; the link: $(jget "$(mpdev_result dev "$u")" end)"
	mpdev_verify dev "$u"
done

step "wrong Input OOB value: both sides fail, nothing stored"
cat > /tmp/wrong-oob.sh <<'EOF'
# --oob-cmd that enters on the device another number than meshprov shows
uuid=$(printf '%s' "$1" | tr -d - | tr 'A-F' 'a-f')
[ "$2" = input ] || exit 1
w=$(( MESHPROV_VALUE + 1 )); [ "$w" -lt 10000 ] || w=1
f=/tmp/mpvm/dev/node-$uuid.oob
echo "$w" > "$f.tmp" && mv "$f.tmp" "$f"
EOF
u=$(new_uuid)
mpdev_start dev hci1 "$u" --input numeric --input-size 4 --timeout 180
mp --json -t 120 --oob-cmd "sh /tmp/wrong-oob.sh" provision "$u" --auth input \
	> /tmp/prov-wrong.json 2>&1; st=$?
grep -v '"phase"' /tmp/prov-wrong.json
mpdev_wait dev "$u" 60; dst=$?
[ $st != 0 ] && [ $st -lt 128 ] || fail "wrong value: meshprov status $st"
[ $dst = 1 ] || fail "wrong value: mpdev status $dst, not 1"
grep -qi confirm /tmp/prov-wrong.json || fail "meshprov did not report a confirmation failure"
mpdev_expect dev "$u" status failed
mpdev_expect dev "$u" reason confirmation-failed
! mp_node_show "$u" > /dev/null 2>&1 || fail "meshprov's keyring has a node for $u"
step "ok"
