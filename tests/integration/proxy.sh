#!/bin/sh
# The configuration commands over a GATT Proxy connection (--bearer gatt,
# issue #13) with the real binary against simulated devices that offer
# PB-GATT (they become GATT Proxy nodes once provisioned, src/sim/
# radio_proxy.c): provisioned and configured in one run (the simulated
# devices live as long as the process), the answers and the keyring
# checked; a network without a proxy; a proxy that goes away (its node
# reset) and another one found. Run by `make check`.
set -u
NAME=proxy; . "${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
KO_SHOW=err KO_LINES=10	# a failure shows stderr

# run NAME EXPECTED_RC OPTIONS SCRIPT_LINES...: the lines as a script in one
# run, on a new keyring
n_run=0
run() {
	name=$1 want=$2 opts=$3; shift 3
	n_run=$((n_run + 1)); KR="$T/k$n_run.json"
	printf '%s\n' "$@" > "$T/script"
	"$BIN" --keyring "$KR" $opts -f "$T/script" > "$T/out" 2> "$T/err"; rc=$?
	[ "$rc" = "$want" ] && ok "$name" || { echo "    exit $rc, expected $want"; ko "$name"; }
}

# check NAME PYTHON: assertions on the JSON events (ev), stderr (err) and
# the exported CDB's nodes by address (nodes)
check() {
	"$BIN" --keyring "$KR" export "$T/cdb.json" > /dev/null 2>&1
	if python3 - "$T/cdb.json" "$T/out" "$T/err" <<PYEOF
import json, sys
d = json.load(open(sys.argv[1]))
ev = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
err = open(sys.argv[3]).read()
nodes = {x["unicastAddress"]: x for x in d["nodes"]}
def models(addr):
    return {m["modelId"]: m for m in nodes[addr]["elements"][0]["models"]}
def cfg(addr, message):
    return [e for e in ev if e["event"] == "config" and e["node"] == int(addr, 16) and
            e["message"] == message]
$2
PYEOF
	then ok "$1"; else ko "$1"; fi
}

# Provisioned over PB-ADV, then configured through the node's proxy; -v
# prints the network's counters: what came back came through the proxy.
run "provision, then configure over --bearer gatt" 0 \
	"--json -v --sim 1 --sim-bearer both --bearer gatt" \
	"provision --all" "appkey create" "composition 0002" "appkey add 0002 0" \
	"bind 0002 0 1000 0"
check "... one proxy-connected event, the answers, and the keyring" '
con = [e for e in ev if e["event"] == "proxy-connected"]
assert len(con) == 1, ev
c = con[0]
assert c["identity"] == "network" and c["net_index"] == 0 and len(c["address"]) == 17, c
assert not [e for e in ev if e["event"] == "proxy-disconnected"], ev
comp = [e for e in ev if e["event"] == "composition"][0]
assert comp["features"] & 2, comp   # the Proxy feature
for m in ("Config Composition Data Status", "Config AppKey Status", "Config Model App Status"):
    r = cfg("0002", m)
    assert len(r) == 1 and r[0]["status"] == 0, (m, ev)
n = nodes["0002"]
assert [k["index"] for k in n["appKeys"]] == [0], n
assert models("0002")["1000"]["bind"] == [0], n
def counter(name):
    return [int(l.split()[-1]) for l in err.splitlines() if l.startswith("mesh: " + name + " ")][0]
assert counter("proxy-pdus-heard") >= 3, err
assert counter("net-tx-refused") == 0, err'

# Provisioned over PB-GATT: the same device takes the proxy connection next.
run "provision over PB-GATT, then configure over --bearer gatt" 0 \
	"--json --sim 1 --sim-bearer gatt --bearer gatt" \
	"provision --all" "appkey create" "appkey add 0002 0" "bind 0002 0 1000 0"
check "... the AppKey and the binding recorded" '
assert [k["index"] for k in nodes["0002"]["appKeys"]] == [0], nodes
assert models("0002")["1000"]["bind"] == [0], nodes'

# Devices without PB-GATT are no proxies: the command fails, saying why.
run "no GATT proxy in the network: exit 1" 1 "--sim 1 --bearer gatt -t 1" \
	"provision --all" "composition 0002"
grep -q "no GATT proxy of this network heard within 1 s" "$T/err" &&
	ok "... 'no GATT proxy ... heard' said" || ko "... 'no GATT proxy ... heard' said"

# Two nodes through one proxy (it relays to the other); then node 0002 is
# reset: if it was the proxy its connection drops, that is said, and the
# other node's proxy is found for what comes next.
run "two nodes through one proxy, one reset, the rest still configured" 0 \
	"--json --sim 2 --sim-bearer gatt --bearer gatt" \
	"provision --all" "appkey create" "composition 0002" "composition 0003" \
	"node reset 0002" "composition 0003" "appkey add 0003 0"
check "... every answer came, a drop is followed by a new connection" '
con = [e for e in ev if e["event"] == "proxy-connected"]
dis = [e for e in ev if e["event"] == "proxy-disconnected"]
assert len(con) == 1 + len(dis) and len(dis) <= 1, ev
for d in dis:
    assert d["reason"] and d["address"] == con[0]["address"], ev
    assert "the connection was lost" in err, err
assert len(cfg("0002", "Config Composition Data Status")) == 1, ev
assert len(cfg("0003", "Config Composition Data Status")) == 2, ev
assert cfg("0003", "Config AppKey Status")[0]["status"] == 0, ev
assert "0002" not in nodes and [k["index"] for k in nodes["0003"]["appKeys"]] == [0], nodes'

# The shell connects in the background: the command returns at once, its
# request waits for the connection (nothing goes out on the advertising
# bearer meanwhile), so the connection is said before the answer.
SRC=${MESHPROV_SRCDIR:-.}
if python3 - "$BIN" "$T" "$SRC/tests/integration" > "$T/out" 2> "$T/err" <<'PYEOF'
import os, re, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[3])
from ptytest import Pty
tmp = sys.argv[2]
env = dict(os.environ, TERM="xterm", NO_COLOR="1", INPUTRC="/dev/null", HOME=tmp,
           XDG_STATE_HOME=os.path.join(tmp, "state"), COLUMNS="200", LINES="50")
sh = Pty([sys.argv[1], "--keyring", os.path.join(tmp, "shell.json"), "--sim", "1",
          "--sim-bearer", "gatt", "--bearer", "gatt"], env)
assert sh.expect(r"meshprov> ") is not None, sh.tail()
sh.send("provision --all --count 1\r")
assert sh.expect(r"1 provisioned, 0 failed", 30) is not None, sh.tail()
sh.send("composition 0002\r")
assert sh.expect(r"element +0002", 30) is not None, sh.tail()
sh.send("quit\r")
assert sh.wait(10) == 0, sh.tail()
out = sh.tail(5000)
c, a = out.find("proxy            connected to"), out.find("Composition Data Status: Success")
assert 0 <= c < a, out
PYEOF
then ok "the shell: connected in the background, then the answer"
else ko "the shell: connected in the background, then the answer"; cat "$T/out"; fi

check_arg() {
	"$BIN" --keyring "$T/x.json" --bearer radio nodes > "$T/out" 2> "$T/err"; rc=$?
	[ "$rc" = 2 ] && grep -q "for option --bearer" "$T/err"
}
check_arg && ok "--bearer is checked, the option named" || ko "--bearer is checked, the option named"

finish "# proxy: "
