#!/bin/sh
# prov-gatt-errors (issue 7): PB-GATT devices that misbehave, on the real
# kernel. One meshprov run on hci0 (`provision` of all of them, -j 4, JSON)
# meets, one after the other on hci1, an mpdev with one --gatt-fault each
# (tests/vm/tools/mpdev_gatt.c; the GATT server itself stays correct, the
# faults are made around it):
#   cccd-silent    the CCCD write is never answered;
#   drop-after:2   the device falls silent and disconnects after two Data In
#                  writes (Invite, Start: mid-way through the protocol, so the
#                  detail names start);
#   no-cccd        Data Out has no CCCD;
#   cccd-error     the CCCD write gets Write Not Permitted;
#   att-error      discovery gets Unlikely Error;
#   big-notify     a notification one octet longer than ATT_MTU.
# and, during the first (cccd-silent holds its connection for 20 s), mpdev
# on hci2 over PB-ADV. Checked, for each fault: the device applied it and is
# not provisioned; meshprov's failed line has the reason expected and a
# detail naming the GATT step where there is one; no node is stored for it.
# The PB-ADV device is provisioned while the first faulty session is open
# and agrees with the keyring; meshprov exits 1 (some failed), not a signal.
# The fault devices come one at a time, each once the previous connection
# is gone: btvirt mixes up the handles of a second simultaneous LE
# connection (see prov-gatt-concurrent), which would hide the faults.
# needs: provision nodes
# timeout: 480
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_meshprov provision nodes
need_mpdev

# FAULT|REASON|DETAIL (a fixed string the detail must hold; empty: any)
cases='cccd-silent|timeout|enabling notifications
drop-after:2|link-closed|the device dropped the connection after start
no-cccd|gatt-error|descriptor discovery
cccd-error|gatt-error|enabling notifications
att-error|gatt-error|service discovery
big-notify|gatt-error|exceeds ATT_MTU'

bt_up 3
bt_le_on hci0
bt_le_on hci1
mp_controller_up
btmon_bg /tmp/btmon.txt || step "no btmon: no record of the ATT traffic"

# the UUIDs first: meshprov waits for each device until it is heard
printf '%s\n' "$cases" | while IFS='|' read -r f r dt; do
	echo "$(new_uuid)|$f|$r|$dt"
done > /tmp/cases.txt
ua=$(new_uuid)
# shellcheck disable=SC2046 # UUIDs: no blanks
set -- $(cut -d'|' -f1 /tmp/cases.txt) "$ua"

step "meshprov -j 4 provision: $# devices (the faulty ones one after the other)"
{ mp --json -j 4 -t 400 provision "$@" 2>&1; echo "EXIT $?"; } | stamp > /tmp/prov.json &
mpid=$!
mpdev_start adv hci2 "$ua" --timeout 400

# case_fail TEXT: what meshprov said so far, then fail
case_fail() {
	echo "--- meshprov so far"; grep -v '"phase"' /tmp/prov.json
	fail "$@"
}

n=0
while IFS='|' read -r u f r dt; do
	n=$((n + 1))
	step "case $n: --gatt-fault $f (expected: $r${dt:+, \"$dt\"})"
	mpdev_start "f$n" hci1 "$u" --gatt --no-pbadv --gatt-fault "$f" --timeout 120
	mpdev_wait "f$n" "$u" 60 > /tmp/dev-$n.log; ds=$?
	cat /tmp/dev-$n.log
	res=$(mpdev_result "f$n" "$u")
	[ $ds = 1 ] && [ "$(jget "$res" status)" = failed ] ||
		case_fail "case $n ($f): mpdev status $ds, $(cat "$res")"
	[ "$(jget "$res" fault_applied)" = true ] ||
		case_fail "case $n ($f): the fault was not applied (the provisioner stopped before?)"
	! jget "$res" unicast > /dev/null 2>&1 || case_fail "case $n ($f): the device was provisioned"
done < /tmp/cases.txt

step "waiting for meshprov"
wait_for 120 grep -q ' EXIT ' /tmp/prov.json || { cat /tmp/prov.json; fail "meshprov did not end"; }
wait $mpid
grep -v '"phase"' /tmp/prov.json
st=$(sed -n 's/^[0-9.]* EXIT //p' /tmp/prov.json)
mpdev_wait adv "$ua" 30 > /tmp/adv.log; as=$?
btmon_stop
[ "$st" -lt 128 ] 2>/dev/null || fail "meshprov status '$st' (a signal?)"

# meshprov's lines against the cases, in one python (spawns are slow)
# (the other checks go on when a reason is wrong: the whole picture first)
lines_ok=yes
python3 - /tmp/prov.json /tmp/cases.txt "$ua" <<-'PY' || lines_ok=
import json, sys
ev, phase = {}, {}
for line in open(sys.argv[1]):
    stamp, _, rest = line.partition(' ')
    if rest.startswith('{'):
        e = json.loads(rest)
        u = e.get('uuid', '').replace('-', '')
        if e.get('event') in ('provisioned', 'failed'):
            ev[u] = (float(stamp), e)
        elif e.get('event') == 'phase':
            phase[u] = e.get('phase')
bad = 0
for case in open(sys.argv[2]):
    u, f, reason, detail = case.rstrip('\n').split('|')
    if u not in ev:
        print('  %-13s no provisioned or failed line' % f); bad = 1; continue
    t, e = ev[u]
    ok = e['event'] == 'failed' and e.get('reason') == reason and detail in e.get('detail', '')
    print('  %-13s %s: %s (detail: %s; last phase: %s)%s'
          % (f, e['event'], e.get('reason'), e.get('detail'), phase.get(u),
             '' if ok else '   <-- expected %s, "%s"' % (reason, detail)))
    bad |= not ok
    if e.get('bearer') != 'gatt':
        print('  %-13s not over PB-GATT: %s' % (f, e.get('bearer'))); bad = 1
ua = sys.argv[3]
first = open(sys.argv[2]).readline().split('|')[0]
if ua not in ev or ev[ua][1]['event'] != 'provisioned':
    print('  PB-ADV device: %s' % (ev.get(ua, (0, 'no line'))[1])); bad = 1
elif first in ev and ev[ua][0] > ev[first][0]:
    print('  PB-ADV device provisioned at %.2f, after the first faulty session ended (%.2f)'
          % (ev[ua][0], ev[first][0])); bad = 1
else:
    print('  PB-ADV device provisioned at %.2f, during the first faulty session (ended %.2f)'
          % (ev[ua][0], ev[first][0]))
sys.exit(bad)
PY
[ "$st" = 1 ] || fail "meshprov status $st, not 1 (some devices failed)"

# nothing stored for the faulty devices; the PB-ADV one as the device has it
cat /tmp/adv.log
[ $as = 0 ] || fail "the PB-ADV device: mpdev status $as"
mp_node_list > /tmp/nodes.json 2>&1 || { cat /tmp/nodes.json; fail "meshprov nodes"; }
while IFS='|' read -r u f r dt; do
	! jget -w "uuid=$u" /tmp/nodes.json uuid > /dev/null ||
		fail "meshprov's keyring has a node for $u ($f)"
done < /tmp/cases.txt
# one node besides meshprov itself ("self")
[ "$(grep -c '"self":false' /tmp/nodes.json)" = 1 ] ||
	{ cat /tmp/nodes.json; fail "not one node stored besides meshprov's own"; }
mpdev_verify adv "$ua"
[ -n "$lines_ok" ] || fail "meshprov's failed lines are not what the faults call for (above)"
step "ok"
