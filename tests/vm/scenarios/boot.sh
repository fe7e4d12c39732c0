#!/bin/sh
# boot: the guest runs Debian's kernel, btvirt gives three LE controllers,
# the kernel lists them (HCI and mgmt), and they share a radio: legacy
# advertising enabled on hci1 is heard by hciwatch on hci0.
# timeout: 180
. "$(dirname "$0")/../lib.sh"

step "kernel $(uname -r)"
bt_up 3
for h in hci0 hci1 hci2; do
	[ -e /sys/class/bluetooth/$h ] || fail "$h missing from /sys/class/bluetooth"
	step "$h $(bt_addr $h)"
done
[ ! -e /sys/class/bluetooth/hci3 ] || fail "more controllers than asked for"
# btmgmt prints nothing without a terminal: give it one
script -qc "btmgmt info" /dev/null > /tmp/mgmt.txt 2>&1
n=$(grep -c '^hci[0-9]:' /tmp/mgmt.txt)
[ "$n" = 3 ] || { cat /tmp/mgmt.txt; fail "mgmt lists $n controllers, not 3"; }

step "hci1 advertises, hci0 listens"
a1=$(bt_addr hci1)
hciwatch_bg /tmp/watch.log -i 0 -a "$a1" -n 1 -t 20
hciconfig hci1 up
# non-connectable undirected advertising with the kernel's default data
hciconfig hci1 leadv 3 || fail "hciconfig hci1 leadv"
wait "$HCIWATCH_PID" || { cat /tmp/watch.log; fail "hci0 heard nothing from hci1 ($a1)"; }
cat /tmp/watch.log
grep -q "addr=$a1" /tmp/watch.log || fail "report without hci1's address"
step "ok"
