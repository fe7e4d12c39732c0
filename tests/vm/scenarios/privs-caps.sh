#!/bin/sh
# privs-caps (issue 12, Privileges): which capability each kernel call of
# meshprov's radio needs, measured on this kernel as an ordinary user
# (nobody) with each capability set (guest/caps-probe.py). What meshprov
# keeps (cli/privs.c) and the README's setcap line rest on this. Linux 6.1:
#   raw HCI socket, HCIGETDEVINFO, bind(HCI_CHANNEL_RAW)   nothing
#   LE commands (send)                   CAP_NET_RAW (else EPERM at each send)
#   HCI_FILTER with the LE Meta event    CAP_NET_RAW (else silently masked)
#   L2CAP LE connection on the ATT channel                  nothing
#   HCIDEVUP (bringing a controller up, meshprov does not)  CAP_NET_ADMIN
# needs: scan
# timeout: 300
. "$(dirname "$0")/../lib.sh"
. "$MPVM_DIR/lib-dev.sh"
need_meshprov scan
need_mpdev

# asuser CAPS CMD...: CMD as nobody with only CAPS (e.g. -all,+net_raw) in
# its inheritable and ambient sets, hence permitted and effective.
asuser() {
	_c=$1; shift
	if [ "$_c" = -all ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
	else
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps="$_c" \
			--ambient-caps="$_c" "$@"
	fi
}
# expect FILE LINE: caps-probe printed LINE.
expect() { grep -qx "$2" "$1" || { cat "$1"; fail "expected '$2'"; }; }

bt_up 2
bt_le_on hci0
bt_le_on hci1
mp_controller_up
peer=$(bt_addr hci1)
for caps in -all -all,+net_raw -all,+net_admin; do
	step "caps $caps: raw HCI"
	asuser "$caps" python3 "$MPVM_DIR/guest/caps-probe.py" hci 0 > /tmp/hci.txt
	cat /tmp/hci.txt
	for l in 'socket(HCI,RAW) ok' 'ioctl(HCIGETDEVINFO) ok' 'bind(HCI_CHANNEL_RAW) ok' \
		 'send(Read_Local_Version) ok'; do
		expect /tmp/hci.txt "$l"
	done
	case $caps in
	*net_raw*) r=ok m=kept ;;
	*) r=EPERM m=masked ;;
	esac
	expect /tmp/hci.txt "setsockopt(HCI_FILTER) ok le-meta=$m"
	expect /tmp/hci.txt "send(LE_Set_Scan_Enable) $r"
	expect /tmp/hci.txt "send(LE_Set_Advertising_Data) $r"
	case $caps in
	*net_admin*) expect /tmp/hci.txt 'ioctl(HCIDEVUP) EALREADY' ;;
	*) expect /tmp/hci.txt 'ioctl(HCIDEVUP) EPERM' ;;
	esac
done
u=$(new_uuid)
mpdev_start dev hci1 "$u" --gatt --no-pbadv --timeout 100
step "no capabilities: L2CAP LE connection to $peer"
asuser -all python3 "$MPVM_DIR/guest/caps-probe.py" l2cap 0 "$peer" > /tmp/l2.txt
cat /tmp/l2.txt
for l in 'socket(L2CAP,SEQPACKET) ok' 'bind(L2CAP,ATT) ok' 'connect(L2CAP,ATT,LE) ok'; do
	expect /tmp/l2.txt "$l"
done
# mpdev is left to the VM's end: stopping it just after the probe's link
# went once hit a kernel BUG (6.1.192, list corruption in hci_chan_del from
# l2cap_sock_release), nothing this scenario is about.
step "ok"
