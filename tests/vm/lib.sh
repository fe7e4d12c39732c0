# lib.sh: sourced by every VM scenario (tests/vm/scenarios/*.sh, run by
# check-vm in the guest), and by check-vm on the host for the meshprov
# probes. POSIX sh (the guest's sh is dash); sourcing it only defines things.
#
# A scenario exits 0 (pass), 77 (skip) or anything else (fail), and reads
#   . "$(dirname "$0")/../lib.sh"
# It may declare, in its header comments, read by check-vm on the host:
#   # needs: scan provision ...   meshprov commands it needs (else: skipped)
#   # timeout: SECS               VM timeout (default 300)

MPVM_DIR=${MPVM_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
MPVM_TOP=${MPVM_TOP:-$(cd "$MPVM_DIR/../.." && pwd)}
MPVM_TOOLS=${MPVM_TOOLS:-}
MPVM_RUN=/tmp/mpvm		# per-boot scratch: one directory per meshd instance

# ---------------------------------------------------------------------------
# meshprov's command line. Every assumption about it lives in this section,
# so a change to the CLI is a change here only. (Written against
# `meshprov --help` as of the first HCI-capable build.)
# ---------------------------------------------------------------------------
MESHPROV=${MESHPROV:-$MPVM_TOP/meshprov}
MP_HCI=${MP_HCI:-0}			# meshprov's controller: hciN
MP_KEYRING=${MP_KEYRING:-$MPVM_RUN/keyring.json}
MP_F_UUID=uuid				# the UUID in --json scan and nodes lines

# mp_has WORD...: meshprov is built and `meshprov --help` lists each WORD
# (check-vm uses it on the host to skip scenarios without booting).
mp_has() {
	[ -x "$MESHPROV" ] || return 1
	_h=$("$MESHPROV" --help 2>&1) || true
	for _w in "$@"; do
		printf '%s\n' "$_h" | grep -qw -- "$_w" || return 1
	done
}

# mp ARGS...: meshprov on our controller and keyring. Exit status (its
# --help): 0 done, 1 some devices failed, 2 usage, 3 controller or
# permission problem, 4 keyring problem.
mp() { "$MESHPROV" -i "$MP_HCI" --keyring "$MP_KEYRING" "$@"; }
MP_EXIT_CONTROLLER=3

# mp_controller_up: meshprov uses its controller as it finds it; a fresh
# btvirt controller is down.
mp_controller_up() { hciconfig "hci$MP_HCI" up || fail "cannot bring hci$MP_HCI up"; }

# mp_scan SECS: JSON lines, one {"event":"beacon","uuid":...} per device.
mp_scan() { mp --json scan --duration "$1"; }

# mp_provision UUID AUTH [TIMEOUT]: provision one device over PB-ADV. AUTH:
# none | static:HEX | output | input. Output and Input OOB go through
# --oob-cmd (meshprov's way outside its interactive shell): guest/oob-helper.sh
# plays the person, reading the number the device's agent displays and
# typing it, or entering on the device the number meshprov shows. JSON lines
# out (phase events, then "provisioned" or "failed"); exit 0 when provisioned.
mp_provision() {
	mp --json -t "${3:-60}" --oob-cmd "sh $MPVM_DIR/guest/oob-helper.sh" \
		provision "$1" --auth "$2"
}

# mp_provision_all COUNT [TIMEOUT]: provision the first COUNT unprovisioned
# devices heard, concurrently (at most MP_JOBS at once, when set); one
# "provisioned" line per device.
# With MP_PROFILE set, each is configured with that profile in the same run
# (provision --configure): then configure-* events follow.
mp_provision_all() {
	mp --json -t "${2:-120}" ${MP_JOBS:+--concurrency "$MP_JOBS"} provision --all --count "$1" \
		${MP_PROFILE:+--configure "$MP_PROFILE"}
}
# mp_configure_all PROFILE [--check]: every node of the keyring brought to
# PROFILE (configure --all); JSON lines configure-step, configure-node,
# configure-summary {"requests", "reads", "would_send", ...}.
mp_configure_all() { mp --json configure --all --profile "$1" ${2:+"$2"}; }
# mp_onoff_group GROUP on|off APPIDX: Generic OnOff Set to a group under
# AppKey APPIDX; a JSON line {"event":"onoff","node":ADDR,...} per node that
# answered; waits for the nodes the keyring records as subscribed.
mp_onoff_group() { mp --json onoff "$1" "$2" --appkey "$3"; }

# mp_provisioned_at FILE: for meshprov's JSON lines with an uptime stamp
# before each (stamp), the stamp of each device's "provisioned" line: the
# moment meshprov had that device's Provisioning Complete.
mp_provisioned_at() { grep '"event":"provisioned"' "$1" | cut -d' ' -f1; }

# mp_node_list: every node in the keyring, JSON lines.
mp_node_list() { mp --json nodes; }

# mp_node_show UUID: what the keyring holds for that node, as one JSON
# object in the harness's own terms: {"uuid", "unicast" (4 hex digits),
# "net_key" (its first NetKey), "dev_key", "iv_index"}. meshprov spreads
# these over `nodes`, `node show ADDR`, `netkey list` and `iv-index`; keys
# only with --show-keys.
mp_node_show() {
	mp --json nodes --show-keys > "$MPVM_RUN/mp-nodes.json" || return 1
	_a=$(jget -w "uuid=$1" "$MPVM_RUN/mp-nodes.json" address addr) || return 1
	mp --json node show "$_a" > "$MPVM_RUN/mp-node.json" || return 1
	mp --json netkey list --show-keys > "$MPVM_RUN/mp-netkeys.json" || return 1
	mp --json iv-index > "$MPVM_RUN/mp-iv.json" || return 1
	python3 - "$1" "$MPVM_RUN"/mp-nodes.json "$MPVM_RUN"/mp-node.json \
		"$MPVM_RUN"/mp-netkeys.json "$MPVM_RUN"/mp-iv.json <<-'PY'
	import json, sys
	uuid = sys.argv[1].replace('-', '').lower()
	nodes, node, netkeys, iv = ([json.loads(l) for l in open(p) if l.startswith('{')]
	                            for p in sys.argv[2:6])
	listed = [n for n in nodes if n['uuid'].replace('-', '').lower() == uuid][0]
	keys = {k['index']: k['key'] for k in netkeys if 'key' in k}
	# "netkeys": the node's NetKey indexes, numbers
	first = node[0]['netkeys'][0]
	print(json.dumps({'uuid': uuid, 'unicast': '%04x' % int(listed['address']),
	                  'net_key': keys[first].lower(),
	                  'dev_key': listed['device_key'].lower(),
	                  'iv_index': int(iv[0]['iv_index'])}))
	PY
}

# mp_export_cdb FILE: the keyring as a Mesh Configuration Database.
mp_export_cdb() { mp export "$1"; }

# Stations (issue #15): other provisioners of the network, each with its own
# ranges and keyring. mp_station_add NAME: a station with the default range
# sizes. mp_station_list: one JSON line per station ({"name", "self",
# "address", "unicast": [{"low", "high"}...], ...}; addresses are numbers).
mp_station_add() { mp station add "$1"; }
mp_station_list() { mp --json station list; }
# mp_export_station NAME FILE: the copy station NAME takes (a CDB, with every
# node and device key).
mp_export_station() { mp export --station "$1" "$2"; }
# mp_import_as_station FILE NAME: this keyring becomes station NAME of FILE's
# network (a new keyring: give it an unused MP_KEYRING).
mp_import_as_station() { mp import "$1" --as-station "$2"; }
# mp_merge FILE...: the stations' exports merged into this keyring; one JSON
# line {"event":"merged","nodes_added",...}, or "merge-conflict" lines and
# nothing written (exit 1).
mp_merge() { mp --json merge "$@"; }

# The Configuration Client (issues #13, #14): meshprov speaks to its nodes
# over the ADV bearer (Mesh Message AD structures on its controller). Node
# addresses and key indexes are hex; ELEMENT is the element's index.
# mp_appkey_create: AppKey index 0 in the keyring (the lowest free index).
mp_appkey_create() { mp appkey create; }
# mp_appkeys: the keyring's AppKeys, JSON lines {"index", "key", ...}.
mp_appkeys() { mp --json appkey list --show-keys; }
# mp_cfg_lines ADDR APPIDX SUB PUB [PUBTTL [TTL]]: the script lines that
# read node ADDR's Composition Data page 0, give it AppKey APPIDX, bind its
# Generic OnOff Server (element 0) to it, subscribe that model to group SUB,
# make it publish to PUB under APPIDX (with TTL PUBTTL; else the node's
# Default TTL), and set its Default TTL to TTL (if given).
mp_cfg_lines() {
	printf '%s\n' "composition $1" "appkey add $1 $2" "bind $1 0 1000 $2" \
		"sub add $1 0 1000 $3" "pub set $1 0 1000 $4 $2${5:+ $5}"
	[ -z "${6:-}" ] || echo "ttl $1 $6"
}
# mp_provision_all_line COUNT: the script line of mp_provision_all.
mp_provision_all_line() { echo "provision --all --count $1"; }
# mp_appkey_create_line: the script line of mp_appkey_create.
mp_appkey_create_line() { echo "appkey create"; }
# mp_script FILE: the commands of FILE in one run, stopping at the first
# failure; JSON lines: "config" events {"node", "message", "status",
# "status_name", "tries"}, "composition" {"cid", "pid", "vid", "crpl"},
# "element" {"index", "address", "models": ["1000", ...]}, "onoff" ...
mp_script() { mp --json -f "$1"; }
# mp_onoff ADDR on|off: Generic OnOff Set under the node's AppKey; JSON line
# {"event":"onoff","onoff":true} from its Status.
mp_onoff() { mp --json onoff "$1" "$2"; }
# mp_ttl_get_line ADDR: the script line of a Config Default TTL Get (device
# key); its answer is a JSON line {"event":"config-state","state":"ttl",...}.
mp_ttl_get_line() { echo "ttl $1"; }
# mp_bg OUT ARGS...: meshprov ARGS in the background, stdout and stderr to
# OUT; its pid in MP_PID (for kill -9: the pid is meshprov's own).
mp_bg() {
	_o=$1; shift
	"$MESHPROV" -i "$MP_HCI" --keyring "$MP_KEYRING" "$@" > "$_o" 2>&1 &
	MP_PID=$!
}
# mp_node_reset ADDR [SECS]: Config Node Reset (SECS: the wait for the
# first answer, backing off from it); the node leaves the keyring when its
# Status comes ("node-removed"), else "no answer" and exit 1.
mp_node_reset() { mp --json ${2:+-t "$2"} node reset "$1"; }
# mp_node_remove ADDR: forget a node without a word to it.
mp_node_remove() { mp node remove "$1"; }

# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------
# step TEXT: progress line, stamped with the guest's uptime.
step() { echo "[$(cut -d' ' -f1 /proc/uptime)s] $*"; }
# fail MESSAGE: the scenario failed; the files named in $MPVM_KEEP_FILES
# (traces: btmon_bg adds its own) go to the host, compressed (run-in-vm's
# MESHPROV_VM_KEEP; check-vm keeps them beside the log).
fail() {
	echo "FAIL: $*"
	if [ -n "${MPVM_KEEP:-}" ] && [ -d "$MPVM_KEEP" ]; then
		for _k in ${MPVM_KEEP_FILES:-}; do
			[ -f "$_k" ] && gzip -c "$_k" > "$MPVM_KEEP/$(basename "$_k").gz"
		done
	fi
	exit 1
}
skip() { echo "SKIP: $*"; exit 77; }
# stamp: stdin to stdout, each line prefixed with the guest's uptime as it
# arrives (times come from a tool's own output).
stamp() {
	while IFS= read -r _l; do
		read -r _up _ < /proc/uptime
		printf '%s %s\n' "$_up" "$_l"
	done
}

# need_meshprov WORD...: skip unless meshprov is built and has those commands.
need_meshprov() {
	[ -x "$MESHPROV" ] || skip "no meshprov binary at $MESHPROV yet"
	mp_has "$@" || skip "meshprov --help does not list: $*"
}

# must LOG WHAT CMD...: run CMD, its output (stdout and stderr) to LOG;
# unless it succeeds, show LOG and fail with CMD's status.
must() {
	_log=$1 _what=$2; shift 2
	"$@" > "$_log" 2>&1 && return 0
	_st=$?
	cat "$_log"
	fail "$_what: status $_st"
}

# wait_for SECS CMD...: retry CMD every 0.2 s until it succeeds, for at most
# SECS seconds of guest time (time, not tries: under TCG a try is slow).
wait_for() {
	read -r _up _ < /proc/uptime
	_end=$((${_up%.*} + $1)); shift
	until "$@" >/dev/null 2>&1; do
		read -r _up _ < /proc/uptime
		[ "${_up%.*}" -lt "$_end" ] || return 1
		sleep 0.2
	done
}

# new_uuid: a random RFC 4122 v4 UUID, 32 hex digits (meshd rejects others).
new_uuid() { python3 -c 'import uuid; print(uuid.uuid4().hex)'; }

# jget FILE KEY [addr|hex|int]: KEY (dotted path) from the first JSON object in
# FILE (one document or JSON lines) that has it, in a canonical form.
jget() { python3 "$MPVM_DIR/guest/jget.py" "$@"; }

# ---------------------------------------------------------------------------
# Virtual controllers
# ---------------------------------------------------------------------------
# bt_up N: load hci_vhci, start btvirt with N LE controllers that hear each
# other (hci0..hciN-1), wait until the kernel has set each one up.
bt_up() {
	mkdir -p "$MPVM_RUN"
	modprobe hci_vhci || fail "modprobe hci_vhci"
	# btvirt must answer the kernel's first command within 2 s: page its
	# binary in from the 9p root first, and run it once.
	btvirt --help > /dev/null 2>&1
	for _try in 1 2 3; do
		dmesg -C
		btvirt -l"$1" > "$MPVM_RUN/btvirt.log" 2>&1 &
		echo $! > "$MPVM_RUN/btvirt.pid"
		wait_for 30 bt_all_set_up "$1" && ! bt_setup_failed && return 0
		# Under TCG on a loaded host, the kernel's HCI Reset at controller
		# registration (2 s timeout) can beat btvirt's first answer: setup
		# fails ("Opcode 0x0c03 failed: -110"), the address stays 00:..:00
		# and mgmt never lists it. A second start is warm and fast.
		step "controller setup failed (attempt $_try), restarting btvirt"
		kill "$(cat "$MPVM_RUN/btvirt.pid")"
		wait_for 10 bt_none || break
	done
	bt_diag
	fail "virtual controllers did not come up"
}
# bt_all_set_up N: true once hci0..hciN-1 all have a BD address, or as soon
# as one setup failed (then bt_setup_failed tells).
bt_all_set_up() {
	bt_setup_failed && return 0
	_i=0
	while [ $_i -lt "$1" ]; do
		bt_ready "hci$_i" || return 1
		_i=$((_i + 1))
	done
}
bt_setup_failed() { dmesg | grep -q 'Bluetooth: hci[0-9]*: .* failed'; }
bt_none() { [ -z "$(ls /sys/class/bluetooth)" ]; }
bt_diag() {
	echo "--- btvirt: $(cat "$MPVM_RUN/btvirt.log")"
	kill -0 "$(cat "$MPVM_RUN/btvirt.pid")" 2>/dev/null || echo "--- btvirt is not running"
	echo "--- /sys/class/bluetooth: $(ls /sys/class/bluetooth 2>&1)"
	hciconfig -a 2>&1
	echo "--- dmesg"; dmesg | tail -20
}
bt_ready() {
	hciconfig "$1" 2>/dev/null | grep 'BD Address' | grep -qv '00:00:00:00:00:00'
}
# bt_addr hciN: the controller's BD address.
bt_addr() { hciconfig "$1" | awk '/BD Address/ { print $3 }'; }
# bt_remove_all: every btvirt controller disappears (btvirt exits).
bt_remove_all() { kill "$(cat "$MPVM_RUN/btvirt.pid")"; }

# hciwatch ARGS...: the raw-HCI observer (tests/vm/tools/hciwatch.c).
hciwatch() { "$MPVM_TOOLS/hciwatch" "$@"; }

# hciwatch_bg LOG ARGS...: hciwatch in the background, returns once it scans;
# its pid is in $HCIWATCH_PID.
hciwatch_bg() {
	_log=$1; shift
	"$MPVM_TOOLS/hciwatch" "$@" > "$_log" 2> "$_log.err" &
	HCIWATCH_PID=$!
	wait_for 10 grep -q scanning "$_log.err" || fail "hciwatch did not start: $(cat "$_log.err")"
}

# ---------------------------------------------------------------------------
# bluetooth-meshd instances: each NAME has its own D-Bus bus, storage and log
# under $MPVM_RUN/NAME, so several meshd run side by side without hearing
# each other through the kernel (each owns its controller through HCI user
# channel IO).
# ---------------------------------------------------------------------------
MESHD=${MESHD:-/usr/libexec/bluetooth/bluetooth-meshd}
# generic: HCI user channel IO + the shim meshd 5.66 needs; auto: meshd picks
# (the kernel's mgmt mesh IO). Two mgmt-IO meshd in one kernel hear each
# other's packets, hence generic by default.
MESHD_IO=${MESHD_IO:-generic}

# bus_start NAME: a private "system" bus for NAME (no host policy files: a
# permissive config of our own).
bus_start() {
	_d=$MPVM_RUN/$1
	mkdir -p "$_d"
	cat > "$_d/bus.conf" <<-EOF
	<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
	 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
	<busconfig>
	  <type>system</type>
	  <listen>unix:path=$_d/bus</listen>
	  <auth>EXTERNAL</auth>
	  <policy context="default">
	    <allow user="*"/> <allow own="*"/>
	    <allow send_destination="*"/> <allow receive_sender="*"/>
	  </policy>
	</busconfig>
	EOF
	dbus-daemon --config-file="$_d/bus.conf" --nofork --nopidfile > "$_d/bus.log" 2>&1 &
	echo $! > "$_d/bus.pid"
	wait_for 10 test -S "$_d/bus" || fail "dbus-daemon for $1 did not start: $(cat "$_d/bus.log")"
}

# on_bus NAME CMD...: run CMD as a client of NAME's bus. (Not for "&": a
# backgrounded function is a subshell whose pid is not CMD's; background
# jobs set DBUS_SYSTEM_BUS_ADDRESS=$(bus_addr NAME) themselves.)
bus_addr() { echo "unix:path=$MPVM_RUN/$1/bus"; }
on_bus() {
	_b=$1; shift
	DBUS_SYSTEM_BUS_ADDRESS=$(bus_addr "$_b") "$@"
}

# meshd_start NAME hciN [IO]: bus (unless NAME has one) + bluetooth-meshd on
# controller hciN (down: meshd takes it), waits until meshd serves
# org.bluez.mesh.Network1. One at a time: of several started side by side
# with generic IO, one was once never ready (stuck after listing the
# controllers).
meshd_start() {
	_name=$1 _hci=$2 _io=${3:-$MESHD_IO}
	_d=$MPVM_RUN/$_name
	[ -S "$_d/bus" ] && kill -0 "$(cat "$_d/bus.pid")" 2>/dev/null || bus_start "$_name"
	mkdir -p "$_d/storage"
	echo "$_hci $_io" > "$_d/meshd.conf"	# for meshd_restart
	hciconfig "$_hci" down 2>/dev/null
	case $_io in
	generic) _pre=$MPVM_TOOLS/meshd-io-shim.so ;;
	*) _pre= ;;
	esac
	DBUS_SYSTEM_BUS_ADDRESS=$(bus_addr "$_name") LD_PRELOAD=$_pre \
		"$MESHD" --io "$_io:$_hci" --storage "$_d/storage" --nodetach --debug \
		> "$_d/meshd.log" 2>&1 &
	echo $! > "$_d/meshd.pid"
	wait_for 60 meshd_ready "$_name" ||
		{ tail -20 "$_d/meshd.log"; fail "meshd $_name on $_hci ($_io) not ready"; }
	step "meshd $_name up on $_hci ($_io IO)"
}
# meshd_stop NAME: SIGTERM, then SIGKILL after 10 s; returns once it is gone
# (its controller is free again). Its bus stays.
meshd_stop() {
	_pid=$(cat "$MPVM_RUN/$1/meshd.pid")
	kill "$_pid" 2>/dev/null
	wait_for 10 pid_gone "$_pid" || { kill -9 "$_pid" 2>/dev/null; wait_for 10 pid_gone "$_pid"; } ||
		fail "meshd $1 did not stop"
	wait "$_pid" 2>/dev/null
}
# meshd_restart NAME: the same meshd again (controller, IO, storage, bus);
# the previous log is appended to meshd-old.log.
meshd_restart() {
	cat "$MPVM_RUN/$1/meshd.log" >> "$MPVM_RUN/$1/meshd-old.log"
	meshd_stop "$1"
	read -r _rh _ri < "$MPVM_RUN/$1/meshd.conf"
	meshd_start "$1" "$_rh" "$_ri"
}
# pid_gone PID: no such process (dash reaps its background children whenever
# it waits for a foreground command, so a dead child does not linger).
pid_gone() { ! kill -0 "$1" 2>/dev/null; }
meshd_ready() {
	on_bus "$1" dbus-send --system --print-reply --dest=org.bluez.mesh /org/bluez/mesh \
		org.freedesktop.DBus.Introspectable.Introspect 2>/dev/null | grep -q Network1
}
meshd_log() { cat "$MPVM_RUN/$1/meshd.log"; }

# node_join NAME UUID AUTH: in the background, ask meshd NAME to join as an
# unprovisioned device (guest/mesh-node.py). AUTH: none | static:HEX | output
# | input. Its log is $MPVM_RUN/NAME/node-UUID.log, its result (JSON: status,
# token, unicast, iv_index, net_key...) node-UUID.json; output OOB numbers
# the agent displays, and input OOB numbers it waits for, go through
# node-UUID.oob. Waits until the Join call was accepted.
# meshd 5.66 may refuse the Join that follows a failed provisioning ("Failed
# to start provisioning acceptor") until it is restarted: when the previous
# Join on NAME did not end joined (failed, killed, or still waiting), that
# device is stopped and meshd NAME restarted first.
node_join() {
	_prev=$(cat "$MPVM_RUN/$1/last-join" 2>/dev/null)
	if [ -n "$_prev" ] && ! node_joined "$1" "$_prev"; then
		step "meshd $1: the previous Join ($_prev) did not complete: restarting meshd"
		kill "$(cat "$MPVM_RUN/$1/node-$_prev.pid")" 2>/dev/null
		meshd_restart "$1"
	fi
	echo "$2" > "$MPVM_RUN/$1/last-join"
	_d=$MPVM_RUN/$1
	rm -f "$_d/node-$2".*
	DBUS_SYSTEM_BUS_ADDRESS=$(bus_addr "$1") python3 "$MPVM_DIR/guest/mesh-node.py" \
		--uuid "$2" --auth "$3" --storage "$_d/storage" --result "$_d/node-$2.json" \
		--oob-file "$_d/node-$2.oob" --timeout "${NODE_TIMEOUT:-240}" ${NODE_SERVE:+--serve} \
		> "$_d/node-$2.log" 2>&1 &
	echo $! > "$_d/node-$2.pid"
	wait_for 30 grep -q JOIN_STARTED "$_d/node-$2.log" ||
		{ cat "$_d/node-$2.log"; tail -30 "$_d/meshd.log"; fail "Join on $1 not accepted"; }
}
# With NODE_SERVE=1 the device stays attached once joined (mesh-node.py
# --serve): its result is written then (node_serving), it answers Generic
# OnOff messages and logs what meshd delivers, and it ends (node_wait) when
# meshd has dropped the node (a Config Node Reset): status "left".
# node_serving NAME UUID: that Join has ended, joined (with NODE_SERVE: the
# node is attached and serving).
node_serving() { node_joined "$@"; }
# node_joined NAME UUID: that Join has ended, joined.
node_joined() {
	[ "$(jget "$(node_result "$1" "$2")" status 2>/dev/null)" = joined ]
}

# node_wait NAME UUID: wait for node_join's end; status 0 when provisioned
# and its stored configuration was read. Prints its log.
node_wait() {
	_d=$MPVM_RUN/$1
	wait "$(cat "$_d/node-$2.pid")"; _st=$?
	sed 's/^/  device: /' "$_d/node-$2.log"
	return $_st
}
node_result() { echo "$MPVM_RUN/$1/node-$2.json"; }
node_oob_file() { echo "$MPVM_RUN/$1/node-$2.oob"; }

# ---------------------------------------------------------------------------
# mesh-cfgclient, BlueZ's provisioner, driven through a FIFO: every output
# line is stamped with the guest's uptime, so times come from its own output.
# ---------------------------------------------------------------------------
# cfgclient_start NAME CONFIG: mesh-cfgclient -c CONFIG on NAME's bus.
cfgclient_start() {
	_d=$MPVM_RUN/$1
	rm -f "$_d/cfgclient.in" && mkfifo "$_d/cfgclient.in"
	# stdbuf: to a pipe its output would come in 4 KiB blocks, not lines
	DBUS_SYSTEM_BUS_ADDRESS=$(bus_addr "$1") stdbuf -oL -eL mesh-cfgclient -c "$2" \
		< "$_d/cfgclient.in" 2>&1 |
		stamp | sed -u 's/\x1b\[[0-9;]*[a-zA-Z]//g; s/[\r\x01\x02]//g; s/\[mesh-cfgclient\][#>] *//g' \
			> "$_d/cfgclient.log" &	# no colours, no prompts: plain lines to grep
	CFGCLIENT_PID=$!	# the pipeline's end: gone once mesh-cfgclient is
	exec 7> "$_d/cfgclient.in"
}
# cfgclient_cmd NAME CMD: CFGCLIENT_SENT is the uptime when CMD was sent.
cfgclient_cmd() {
	step "cfgclient: $2"
	read -r CFGCLIENT_SENT _ < /proc/uptime
	echo "$2" >&7
}
# cfgclient_wait NAME SECS PATTERN: wait for an output line matching PATTERN
# (grep -E -i); prints that line.
cfgclient_wait() {
	wait_for "$2" grep -Eiq "$3" "$MPVM_RUN/$1/cfgclient.log" || return 1
	grep -Ei "$3" "$MPVM_RUN/$1/cfgclient.log" | head -1
}
cfgclient_stop() {
	echo quit >&7; exec 7>&-
	wait_for 30 cfgclient_gone || fail "mesh-cfgclient did not quit"
}
cfgclient_gone() { ! kill -0 "$CFGCLIENT_PID" 2>/dev/null; }
cfgclient_log() { sed 's/^/  cfgclient: /' "$MPVM_RUN/$1/cfgclient.log"; }

# ---------------------------------------------------------------------------
# Checks shared by the scenarios
# ---------------------------------------------------------------------------
# verify_node NAME UUID: the device joined (node_wait), and what it stored
# (node.json: NetKey, device key, IV index, unicast address) is what
# meshprov's keyring holds for it (mp_node_show).
verify_node() {
	node_wait "$1" "$2" || fail "device $2 on $1 did not complete its join"
	node_agrees "$1" "$2"
}
# node_agrees NAME UUID: what the joined device stored (its result file) is
# what meshprov's keyring holds for it (verify_node without the wait).
node_agrees() {
	_res=$(node_result "$1" "$2")
	mp_node_show "$2" > "$MPVM_RUN/show-$2.json" || fail "meshprov's keyring: no node $2"
	for _f in net_key:hex dev_key:hex iv_index:int unicast:addr; do
		_k=${_f%%:*}
		_mv=$(jget "$MPVM_RUN/show-$2.json" "$_k" "${_f#*:}")
		_dv=$(jget "$_res" "$_k" "${_f#*:}")
		[ -n "$_mv" ] && [ "$_mv" = "$_dv" ] ||
			fail "$2: $_k is '$_mv' in meshprov's keyring, '$_dv' in the device's node.json"
	done
	step "$2: device and keyring agree (unicast $(jget "$_res" unicast addr))"
}

# meshd_devices_up N: N meshd devices, dev1..devN on hci1..hciN (own bus,
# generic IO), each joining with guest/mesh-node.py --serve (one element:
# Generic OnOff Server; no OOB), their UUIDs in /tmp/uuid1..N; hci0 is
# meshprov's (up), hciN+1 is left for hciwatch.
meshd_devices_up() {
	bt_up $(($1 + 2))
	mp_controller_up
	_i=1
	while [ $_i -le "$1" ]; do
		meshd_start dev$_i hci$_i
		_u=$(new_uuid); echo "$_u" > /tmp/uuid$_i
		NODE_SERVE=1 NODE_TIMEOUT=900 node_join dev$_i "$_u" none
		_i=$((_i + 1))
	done
}
# meshd_nodes_serving N: after meshprov provisioned them, each of
# meshd_devices_up's N devices joined and stays attached, and agrees with
# meshprov's keyring (node_agrees); its unicast address in /tmp/addr1..N.
meshd_nodes_serving() {
	_i=1
	while [ $_i -le "$1" ]; do
		_u=$(cat /tmp/uuid$_i)
		wait_for 60 node_serving dev$_i "$_u" ||
			{ cat "$MPVM_RUN/dev$_i/node-$_u.log"; fail "device $_u did not join"; }
		node_agrees dev$_i "$_u"
		jget "$(node_result dev$_i "$_u")" unicast addr > /tmp/addr$_i
		_i=$((_i + 1))
	done
}
# mp_self_addr: meshprov's own unicast address (4 hex digits): the source
# the nodes' applications see.
mp_self_addr() {
	mp_station_list > "$MPVM_RUN/stations.json" || return 1
	python3 -c 'import json,sys
print("%04x" % [s for s in map(json.loads, open(sys.argv[1])) if s["self"]][0]["address"])' \
		"$MPVM_RUN/stations.json"
}

# devices_joined NAME:UUID...: each device completed its join (node_wait),
# and together they stored distinct unicast addresses and one NetKey. The
# provisioner's side is not looked at (bench-vm: either provisioner).
devices_joined() {
	_files=
	for _nu in "$@"; do
		_n=${_nu%%:*} _u=${_nu#*:}
		node_wait "$_n" "$_u" > "$MPVM_RUN/$_n/wait-$_u.log" ||
			{ cat "$MPVM_RUN/$_n/wait-$_u.log"; fail "device $_u on $_n did not complete its join"; }
		_files="$_files $(node_result "$_n" "$_u")"
	done
	# one python for all: under TCG a process spawn takes a second
	# shellcheck disable=SC2086 # a list of paths without blanks
	python3 - $_files <<-'PY' || fail "the devices' stored configurations do not fit together"
	import json, sys
	res = [json.load(open(p)) for p in sys.argv[1:]]
	for r in res:
	    print('  device %s: unicast %s net_key %s' % (r['uuid'], r['unicast'], r['net_key']))
	sys.exit(len({r['unicast'] for r in res}) != len(res) or len({r['net_key'] for r in res}) != 1)
	PY
	step "$# devices joined: distinct unicast addresses, one NetKey"
}

# no_node_stored NAME UUID: neither side kept a node for UUID.
no_node_stored() {
	! mp_node_show "$2" > /dev/null 2>&1 || fail "meshprov's keyring has a node for $2"
	if grep -q unicastAddress "$MPVM_RUN/$1/storage/$2/node.json" 2>/dev/null; then
		fail "meshd stored a node for $2"
	fi
}

# pbadv_counts LOG: PB-ADV PDUs in an hciwatch log, per sender; the
# provisioner is whoever sent the first Link Open. Prints ADV_PDUS_PROV=<n>
# and ADV_PDUS_DEV=<n>.
pbadv_counts() {
	_pa=$(awk '/gpcf=open/ { sub("addr=", "", $2); print $2; exit }' "$1")
	[ -n "$_pa" ] || { cat "$1"; fail "no PB-ADV Link Open heard"; }
	awk -v pa="$_pa" '/mesh=pb-adv/ { if ($2 == "addr=" pa) p++; else d++; a[$2]++ }
		END { for (k in a) printf "  %s: %d PB-ADV PDUs\n", k, a[k]
		      printf "ADV_PDUS_PROV=%d\nADV_PDUS_DEV=%d\n", p, d }' "$1"
}

# uptime_diff T0 T1: seconds between two /proc/uptime readings.
uptime_diff() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }
