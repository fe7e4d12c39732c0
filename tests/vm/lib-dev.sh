# lib-dev.sh: mpdev (tests/vm/tools/mpdev.c), an unprovisioned device of our
# own on a controller, for what bluetooth-meshd cannot play (Output and Input
# OOB with meshd 5.66, PB-GATT). Sourced after lib.sh:
#   . "$(dirname "$0")/../lib.sh"
#   . "$MPVM_DIR/lib-dev.sh"
# POSIX sh; sourcing it only defines things.

# The binary: $MPDEV (make check-vm passes the build tree's), else next to
# the meshprov under test (a build tree's tests/vm/tools/mpdev), else the
# source tree's.
mpdev_find() {
	[ -n "${MPDEV:-}" ] && return 0
	for _c in "$(dirname "$MESHPROV")/tests/vm/tools/mpdev" "$MPVM_TOP/tests/vm/tools/mpdev"; do
		if [ -x "$_c" ]; then MPDEV=$_c; return 0; fi
	done
	return 1
}
# need_mpdev: skip unless mpdev is built.
need_mpdev() {
	mpdev_find && [ -x "$MPDEV" ] ||
		skip "no mpdev binary (make check builds tests/vm/tools/mpdev)"
}

# mpdev_dir NAME: where device NAME keeps its files. They follow node_join's
# names, so guest/oob-helper.sh (meshprov's --oob-cmd) finds the device:
# node-UUID.log (mpdev's stdout), node-UUID.oob (OOB values both ways),
# node-UUID.json (its result), node-UUID.err, node-UUID.pid.
mpdev_dir() { echo "$MPVM_RUN/$1"; }

# mpdev_start NAME hciN UUID [ARGS...]: mpdev as device NAME on controller
# hciN (brought up), in the background; returns once it is on the air
# (READY, and with --gatt GATT ADVERTISING).
mpdev_start() {
	_n=$1 _h=${2#hci} _u=$3; shift 3
	_d=$(mpdev_dir "$_n")
	mkdir -p "$_d"
	rm -f "$_d/node-$_u".*
	hciconfig "hci$_h" up || fail "cannot bring hci$_h up"
	"$MPDEV" --hci "$_h" --uuid "$_u" --oob-file "$_d/node-$_u.oob" \
		--result "$_d/node-$_u.json" "$@" > "$_d/node-$_u.log" 2> "$_d/node-$_u.err" &
	echo $! > "$_d/node-$_u.pid"
	_ready=READY
	case " $* " in *" --gatt "*) _ready="GATT ADVERTISING" ;; esac
	wait_for 30 grep -q "^$_ready" "$_d/node-$_u.log" || {
		cat "$_d/node-$_u.log" "$_d/node-$_u.err"
		fail "mpdev $_n on hci$_h did not start"
	}
	step "mpdev $_n up on hci$_h: $(grep "^$_ready" "$_d/node-$_u.log")"
}

# mpdev_wait NAME UUID [SECS]: wait (at most SECS, default 60) for mpdev's
# end; its status (0 provisioned); prints its log.
mpdev_wait() {
	_d=$(mpdev_dir "$1")
	_pid=$(cat "$_d/node-$2.pid")
	wait_for "${3:-60}" pid_gone "$_pid" || kill "$_pid" 2>/dev/null
	wait "$_pid"; _st=$?
	sed 's/^/  mpdev: /' "$_d/node-$2.log" "$_d/node-$2.err"
	return $_st
}
# pid_gone PID: no such process (unless lib.sh has it already)
command -v pid_gone > /dev/null 2>&1 || pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# mpdev_stop NAME UUID: SIGTERM; returns once it is gone.
mpdev_stop() {
	_pid=$(cat "$(mpdev_dir "$1")/node-$2.pid")
	kill "$_pid" 2>/dev/null
	wait_for 10 pid_gone "$_pid" || kill -9 "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
}

mpdev_result() { echo "$(mpdev_dir "$1")/node-$2.json"; }
mpdev_log() { echo "$(mpdev_dir "$1")/node-$2.log"; }

# mpdev_expect NAME UUID KEY VALUE: the device's result has KEY = VALUE.
mpdev_expect() {
	_v=$(jget "$(mpdev_result "$1" "$2")" "$3") || _v='(none)'
	[ "$_v" = "$4" ] || fail "$2: the device's $3 is '$_v', not '$4'"
}

# mpdev_verify NAME UUID: mpdev ended provisioned, and what it received
# (NetKey, IV index, unicast address; the device key it derived) is what
# meshprov's keyring holds for it (mp_node_show), as verify_node does for
# meshd's node.json.
mpdev_verify() {
	_res=$(mpdev_result "$1" "$2")
	[ "$(jget "$_res" status 2>/dev/null)" = provisioned ] ||
		{ cat "$_res" 2>/dev/null; fail "device $2 on $1 is not provisioned"; }
	mp_node_show "$2" > "$MPVM_RUN/show-$2.json" || fail "meshprov's keyring: no node $2"
	for _f in net_key:hex dev_key:hex iv_index:int unicast:addr; do
		_k=${_f%%:*}
		_mv=$(jget "$MPVM_RUN/show-$2.json" "$_k" "${_f#*:}")
		_dv=$(jget "$_res" "$_k" "${_f#*:}")
		[ -n "$_mv" ] && [ "$_mv" = "$_dv" ] ||
			fail "$2: $_k is '$_mv' in meshprov's keyring, '$_dv' on the device"
	done
	# the provisioner closes the link after Complete (Link Close, or the
	# GATT connection dropped), even when it exits right after
	[ "$(jget "$_res" end 2>/dev/null)" = link-closed ] ||
		fail "$2: the provisioner did not close the link (end: $(jget "$_res" end 2>/dev/null))"
	step "$2: device and keyring agree (unicast $(jget "$_res" unicast addr)), link closed"
}

# bt_le_on hciN: LE enabled in the kernel for hciN (mgmt Set Low Energy).
# btvirt's controllers are dual-mode (BR/EDR + LE); the kernel sets its LE
# flag by itself only for LE-only ones, and refuses LE connections without
# it (connect(): ECONNREFUSED). bluetoothd would send this; nobody else does.
bt_le_on() {
	_i=${1#hci}
	script -qc "btmgmt --index $_i le on" /dev/null > "$MPVM_RUN/le-on-$_i.log" 2>&1
	grep -q 'settings:.* le' "$MPVM_RUN/le-on-$_i.log" ||
		{ cat "$MPVM_RUN/le-on-$_i.log"; fail "cannot enable LE on hci$_i"; }
}

# mpdev_probe LOG RESULT hciN ADDR TYPE [ARGS...]: mpdev --gatt-probe on
# hciN (brought up) towards ADDR (public|random); its status.
mpdev_probe() {
	_log=$1 _res=$2 _h=${3#hci} _a=$4 _t=$5; shift 5
	hciconfig "hci$_h" up || fail "cannot bring hci$_h up"
	"$MPDEV" --hci "$_h" --gatt-probe "$_a" "$_t" --result "$_res" "$@" > "$_log" 2>&1
}

# btmon_bg FILE: btmon (every controller, the commands the kernel and the
# raw sockets send) into FILE, as text; its pid in $BTMON_PID.
btmon_bg() {
	command -v btmon > /dev/null || { BTMON_PID=; return 1; }
	btmon -t > "$1" 2>&1 &
	BTMON_PID=$!
	MPVM_KEEP_FILES="${MPVM_KEEP_FILES:-} $1"
	sleep 1	# its monitor socket is open before anything of interest
}
btmon_stop() {
	[ -n "$BTMON_PID" ] || return 0
	kill "$BTMON_PID" 2>/dev/null
	wait "$BTMON_PID" 2>/dev/null
}

# btmon_le FILE hciN: hciN's LE scan, connection and advertising-set traffic
# in a btmon log: those commands (whoever sent them: the kernel or a raw
# socket), their Command Complete / Status, the LE connection and
# advertising-set events, with their parameters. Advertising data and
# enable commands are many (PB-ADV bursts): only the failures, the enables
# that name no set ("all sets", as the kernel pauses advertising) and data
# with AD Flags (the kernel's own, not a mesh PDU) are shown. (btmon cuts
# long names in its headers: matched by opcode.)
btmon_le() {
	awk -v I="[$2]" '
	function flush(   keep) {
		if (blk == "" || index(hdr, I) == 0) { blk = ""; return }
		keep = 0
		if (blk ~ /\((0x08\|0x00(06|0a|0b|0c|0d|0e|10|11|12|3c|41|42|43)|0x01\|0x0006)\)/)
			keep = 1
		if (blk ~ /\(0x08\|0x00(37|39)\)/)
			keep = (blk ~ /Number of sets: (0|Disable)|Status: [^S]/)
		if (hdr ~ /^> / &&
		    blk ~ /Connection Complete|Advertising Set Terminated|Disconnect Complete/)
			keep = 1
		# the kernel writing its own data into a set (AD Flags), not ours
		if (hdr ~ /^< / && blk ~ /\(0x08\|0x0037\)/ && blk ~ /Flags:/)
			keep = 1
		if (blk ~ /Advertising Report/)
			keep = 0
		if (keep)
			printf "%s", blk
		blk = ""
	}
	/^[<>@=] / { flush(); hdr = $0 }
	{ blk = blk $0 "\n" }
	END { flush() }
	' "$1"
}

# btmon_conns FILE hciN: hciN's LE connections in a btmon log, in order: one
# line per LE (Enhanced) Connection Complete ("connect <time> handle=H
# peer=ADDR role=central|peripheral", or "connect-failed <time> status=...")
# and per Disconnect Complete ("disconnect <time> handle=H reason=..."),
# then "max-concurrent N": the most connections hciN held at once.
btmon_conns() {
	awk -v I="[$2]" '
	function flush() {
		if (blk == "" || index(hdr, I) == 0) { blk = ""; return }
		n = split(hdr, h, " "); t = h[n]
		if (hdr ~ /^> HCI Event: LE Meta Event/ &&
		    blk ~ /LE (Enhanced )?Connection Complete/) {
			st = blk; sub(/.*Status: /, "", st); sub(/\n.*/, "", st)
			hd = blk; sub(/.*Handle: /, "", hd); sub(/[ \n].*/, "", hd)
			pa = blk; sub(/.*Peer address: /, "", pa); sub(/[ \n].*/, "", pa)
			ro = blk ~ /Role: Central/ ? "central" : "peripheral"
			if (st ~ /^Success/) {
				open[hd] = 1; cur++; if (cur > max) max = cur
				printf "connect %s handle=%s peer=%s role=%s now=%d\n", t, hd, pa, ro, cur
			} else
				printf "connect-failed %s status=%s\n", t, st
		} else if (hdr ~ /Disconnect Complete/) {
			hd = blk; sub(/.*Handle: /, "", hd); sub(/[ \n].*/, "", hd)
			rs = blk; sub(/.*Reason: /, "", rs); sub(/\n.*/, "", rs)
			if (hd in open) { delete open[hd]; cur-- }
			printf "disconnect %s handle=%s reason=%s now=%d\n", t, hd, rs, cur
		}
		blk = ""
	}
	/^[<>@=] / { flush(); hdr = $0; blk = ""; next }
	{ blk = blk $0 "\n" }
	END { flush(); printf "max-concurrent %d\n", max }
	' "$1"
}

# btmon_att FILE hciN: hciN's ACL traffic in a btmon log, one line per
# packet: "<time> TX|RX handle=H <what btmon decoded first>" (the ATT PDU:
# "ATT: Exchange MTU Request (0x02) len 2", or an L2CAP frame).
btmon_att() {
	awk -v I="[$2]" '
	function flush(   n, h, d, hd, w) {
		if (blk != "" && index(hdr, I) && hdr ~ /ACL Data/) {
			n = split(hdr, h, " ")
			d = hdr ~ /ACL Data TX/ ? "TX" : "RX"
			hd = hdr; sub(/.*Handle /, "", hd); sub(/ .*/, "", hd)
			w = blk; sub(/\n.*/, "", w); sub(/^ */, "", w)
			printf "%s %s handle=%s %s\n", h[n], d, hd, w
		}
		blk = ""
	}
	/^[<>@=] / { flush(); hdr = $0; next }
	{ blk = blk $0 "\n" }
	END { flush() }
	' "$1"
}
