#!/bin/sh
# shell-scan (issue 5, on the real kernel): the interactive shell on hci0,
# typed at through a pseudo-terminal (guest/shell-session.py), with mpdev
# beaconing on hci1. `scan on` shows the device as an event above the
# prompt; `scan off` switches the controller's scanning off, checked two
# ways: the shell's table ages, and btmon shows meshprov's LE Set (Extended)
# Scan Enable (disabled) and no advertising report reaching hci0 until the
# next `scan on`; then the entry is fresh again, `provision #N` provisions
# the device from the shell (device and keyring agree) and `quit` leaves
# with status 0.
# needs: scan provision devices
# timeout: 300
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_meshprov scan provision devices
need_mpdev

bt_up 2
mp_controller_up
u=$(new_uuid)
btmon_bg /tmp/btmon.txt || skip "no btmon: the controller's scanning cannot be shown"
mpdev_start dev hci1 "$u" --timeout 200

step "meshprov's shell on hci0, under a pty"
python3 "$MPVM_DIR/guest/shell-session.py" "$MESHPROV" "$MP_HCI" "$MP_KEYRING" "$u" \
	/tmp/marks > /tmp/shell.txt 2>&1; st=$?
sed 's/^/  /' /tmp/shell.txt
mpdev_wait dev "$u" 20; dst=$?
btmon_stop
[ $st = 0 ] || fail "the shell session failed its checks (above)"
[ $dst = 0 ] || fail "mpdev status $dst"
mpdev_verify dev "$u"

# btmon: hci0's scan enables, and its advertising reports while off
off=$(sed -n 's/^off //p' /tmp/marks) on=$(sed -n 's/^on //p' /tmp/marks)
awk -v I="[hci$MP_HCI]" -v off="$off" -v on="$on" '
	function secs(t,   p) { split(t, p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
	function flush(   n, h, t) {
		if (blk == "" || index(hdr, I) == 0) { blk = ""; return }
		n = split(hdr, h, " "); t = secs(h[n])
		# LE Set (Extended) Scan Enable, by opcode (btmon cuts names)
		if (hdr ~ /^< HCI Command: .*\(0x08\|0x00(0c|42)\)/ &&
		    blk ~ /(scan|Scanning): Disabled/ && t >= off - 1 && t <= off + 1)
			disabled++
		if (hdr ~ /^> HCI Event: LE Meta Event/ && blk ~ /Advertising Report/) {
			if (t > off + 0.5 && t < on) while_off++
			else if (t > on) after_on++
			else before++
		}
		blk = ""
	}
	/^[<>@=] / { flush(); hdr = $0; blk = ""; next }
	{ blk = blk $0 "\n" }
	END { flush(); printf "disabled %d\nbefore %d\nwhile_off %d\nafter_on %d\n",
	      disabled, before, while_off, after_on }
' /tmp/btmon.txt > /tmp/counts
sed 's/^/  btmon hci0: /' /tmp/counts
cnt() { sed -n "s/^$1 //p" /tmp/counts; }
[ "$(cnt disabled)" -ge 1 ] || fail "btmon shows no LE Set Scan Enable (disabled) at scan off"
[ "$(cnt before)" -ge 1 ] || fail "btmon shows no advertising report on hci0 before scan off"
[ "$(cnt while_off)" = 0 ] || fail "hci0 still got $(cnt while_off) advertising reports after scan off"
[ "$(cnt after_on)" -ge 1 ] || fail "no advertising report on hci0 after scan on again"
step "ok"
