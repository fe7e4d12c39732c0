#!/bin/sh
# prov-errors (issue 6, scenario 4): bad cases on the real stack.
#  a. wrong Static OOB value: meshprov fails (the device answers Provisioning
#     Failed, Confirmation Failed, MshPRT v1.1 5.4.4), the device's join
#     fails, neither side stores a node;
#  b. a controller that does not exist, and a user without the right to use
#     raw HCI: meshprov says so and exits with its controller status;
#  c. the controller disappears mid-provisioning (btvirt killed): meshprov
#     reports it, exits cleanly (no signal) and its keyring is intact.
# needs: provision nodes
# timeout: 420
. "$(dirname "$0")/../lib.sh"
need_meshprov provision nodes

# exit statuses from a signal (>= 128) are crashes, never clean failures
failed_cleanly() { [ "$1" -ne 0 ] && [ "$1" -lt 128 ]; }

bt_up 2
mp_controller_up
meshd_start dev hci1

step "a. wrong static OOB"
u=$(new_uuid)
NODE_TIMEOUT=90 node_join dev "$u" "static:$(new_uuid)"
mp_provision "$u" "static:$(new_uuid)" 60 > /tmp/a.json 2> /tmp/a.err; st=$?
cat /tmp/a.json /tmp/a.err
failed_cleanly $st || fail "wrong static OOB: meshprov status $st"
grep -qi confirm /tmp/a.json /tmp/a.err || fail "meshprov did not report a confirmation failure"
node_wait dev "$u" && fail "the device joined with a wrong static OOB"
no_node_stored dev "$u"
# the keyring as it is now, to compare after the controller is gone
mp_node_list > /tmp/nodes-before.json 2>&1; echo "status $?" >> /tmp/nodes-before.json

step "b. controller hci9 does not exist"
MP_HCI=9 mp_provision "$(new_uuid)" none 10 > /tmp/b1.out 2>&1; st=$?
cat /tmp/b1.out
[ $st = "$MP_EXIT_CONTROLLER" ] || fail "hci9: meshprov status $st, not $MP_EXIT_CONTROLLER"
grep -qi 'hci9\|controller\|no such device' /tmp/b1.out ||
	fail "meshprov did not name the missing controller"

step "b. no permission (user nobody)"
cp "$MP_KEYRING" /tmp/keyring-nobody 2>/dev/null; chmod 666 /tmp/keyring-nobody 2>/dev/null
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$MESHPROV" -i 0 --keyring /tmp/keyring-nobody --json scan --duration 2 > /tmp/b2.out 2>&1; st=$?
cat /tmp/b2.out
[ $st = "$MP_EXIT_CONTROLLER" ] || fail "as nobody: meshprov status $st, not $MP_EXIT_CONTROLLER"
grep -qi 'permi\|not allowed\|CAP_NET\|root' /tmp/b2.out ||
	fail "meshprov did not say it lacks permission"

step "c. controller removed mid-provisioning"
u=$(new_uuid)
# after a's failed Join meshd may refuse this one: node_join restarts it
# (and its log starts afresh, so the wait below sees this link only)
NODE_TIMEOUT=90 node_join dev "$u" none
mp_provision "$u" none 120 > /tmp/c.json 2> /tmp/c.err &
mpid=$!
# mid-way: once meshd's acceptor has taken the link
wait_for 60 grep -qi 'PB-ADV open\|prov.*open\|link open' "$MPVM_RUN/dev/meshd.log" ||
	{ kill $mpid; fail "provisioning never started"; }
bt_remove_all
step "controllers gone: $(ls /sys/class/bluetooth | wc -l) left"
wait_for 60 sh -c "! kill -0 $mpid 2>/dev/null" ||
	{ kill $mpid; fail "meshprov still running 60 s after"; }
wait $mpid; st=$?
cat /tmp/c.json /tmp/c.err
failed_cleanly $st || fail "controller removed: meshprov status $st"
mp_node_list > /tmp/nodes-after.json 2>&1; echo "status $?" >> /tmp/nodes-after.json
cmp -s /tmp/nodes-before.json /tmp/nodes-after.json ||
	{ diff /tmp/nodes-before.json /tmp/nodes-after.json; fail "the keyring changed"; }
step "ok"
