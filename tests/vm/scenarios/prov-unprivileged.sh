#!/bin/sh
# prov-unprivileged (issue 12, Privileges): meshprov as an ordinary user
# (nobody) whose only privilege is the file capability the README names
# (`setcap cap_net_raw+p`), on a copy of the binary. It provisions mpdev on
# hci1 over PB-ADV with Output OOB, its --oob-cmd helper checking, while
# meshprov waits for it: meshprov's effective, inheritable and ambient sets
# are empty and its permitted set is CAP_NET_RAW alone (/proc/PID/status),
# and the helper has no capability at all. Then the keyring-only commands
# (as the same user) read the node back, and the device agrees with them.
# needs: provision nodes
# timeout: 400
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_meshprov provision nodes
need_mpdev

U=/tmp/u		# nobody's: the binary with its file capability, the keyring
mkdir -p $U && chown 65534:65534 $U
cp "$MESHPROV" $U/meshprov
setcap cap_net_raw+p $U/meshprov || fail "setcap on $U/meshprov"
step "file capabilities: $(getcap $U/meshprov)"
cat > $U/meshprov-nobody <<EOF
#!/bin/sh
exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all $U/meshprov "\$@"
EOF
chmod 755 $U/meshprov-nobody
MESHPROV=$U/meshprov-nobody	# every mp call from here on
MP_KEYRING=$U/keyring.json

# The helper: records its own capabilities, then meshprov's while it waits
# for this helper (a sample taken while meshprov sends an HCI command would
# show CAP_NET_RAW for that instant: up to 10 samples for an empty set),
# then plays the person (guest/oob-helper.sh).
cat > $U/caps-helper.sh <<EOF
grep '^Cap' /proc/\$\$/status > $U/helper-caps.txt
i=0
while [ \$i -lt 10 ]; do
	grep '^Cap' /proc/\$(cat $U/mp.pid)/status > $U/mp-caps.txt
	grep -q '^CapEff:[[:space:]]*0*\$' $U/mp-caps.txt && break
	i=\$((i + 1)); sleep 0.1
done
exec sh $MPVM_DIR/guest/oob-helper.sh "\$@"
EOF

bt_up 2
mp_controller_up
u=$(new_uuid)
mpdev_start dev hci1 "$u" --output numeric --output-size 6 --timeout 180
step "meshprov provision $u as nobody with cap_net_raw+p (Output OOB)"
# not through mp: a backgrounded function is a subshell, not meshprov's pid
"$MESHPROV" -i "$MP_HCI" --keyring "$MP_KEYRING" --json -t 150 \
	--oob-cmd "sh $U/caps-helper.sh" provision "$u" --auth output > /tmp/prov.json 2>&1 &
echo $! > $U/mp.pid
wait "$(cat $U/mp.pid)"; st=$?
grep -v '"phase"' /tmp/prov.json
mpdev_wait dev "$u" 60; dst=$?
[ $st = 0 ] || fail "meshprov status $st"
[ $dst = 0 ] || fail "mpdev status $dst"

[ -s $U/mp-caps.txt ] || fail "the helper did not run"
sed 's/^/  meshprov: /' $U/mp-caps.txt
sed 's/^/  helper: /' $U/helper-caps.txt
capset() { awk -v k="$2:" '$1 == k { print $2 }' "$1"; }
for s in CapEff CapInh CapAmb; do
	[ "$(capset $U/mp-caps.txt $s)" = 0000000000000000 ] ||
		fail "meshprov's $s is $(capset $U/mp-caps.txt $s) while it waits, not empty"
done
[ "$(capset $U/mp-caps.txt CapPrm)" = 0000000000002000 ] ||
	fail "meshprov's permitted set is $(capset $U/mp-caps.txt CapPrm), not CAP_NET_RAW alone"
for s in CapEff CapPrm CapInh CapAmb; do
	[ "$(capset $U/helper-caps.txt $s)" = 0000000000000000 ] ||
		fail "the helper's $s is $(capset $U/helper-caps.txt $s), not empty"
done
step "meshprov waited with nothing effective, the helper had nothing"

mpdev_expect dev "$u" auth_method output
mpdev_verify dev "$u"
step "ok"
