#!/bin/sh
# The Configuration Client end to end with the real binary (issues #13, #14):
# a simulated device is provisioned and becomes a node on the simulated
# radio (sim/node.h: the mesh stack and a Configuration Server written apart
# from the client), then configured in the same run (the simulated devices
# live as long as the process, so a script does both). What the node
# answered is checked in what the keyring recorded, read back with export.
# Run by `make check`.
set -u
NAME=config; . "${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
KO_SHOW=err KO_LINES=10	# a failure shows stderr

# run NAME EXPECTED_RC SCRIPT_LINES...: the lines as a script in one run, on
# a new keyring (the simulated device of an earlier run is gone with it)
n_run=0
run() {
	name=$1 want=$2; shift 2
	n_run=$((n_run + 1)); KR="$T/k$n_run.json"
	printf '%s\n' "$@" > "$T/script"
	"$BIN" --keyring "$KR" --sim 1 $OPTS -f "$T/script" > "$T/out" 2> "$T/err"; rc=$?
	[ "$rc" = "$want" ] && ok "$name" || { echo "    exit $rc, expected $want"; ko "$name"; }
}

# expect NAME PYTHON: assertions on the exported CDB's node 0002 (n) and the output (out)
expect() {
	"$BIN" --keyring "$KR" export "$T/cdb.json" > /dev/null 2>&1
	if python3 - "$T/cdb.json" "$T/out" <<PYEOF
import json, sys
d = json.load(open(sys.argv[1]))
out = open(sys.argv[2]).read()
n = [x for x in d["nodes"] if x["unicastAddress"] == "0002"][0]
models = {m["modelId"]: m for m in n["elements"][0]["models"]}
$2
PYEOF
	then ok "$1"; else ko "$1"; fi
}

OPTS=""
run "provision, then configure the node in the same run" 0 \
	"provision --all" "appkey create" "composition 0002" "appkey add 0002 0" \
	"bind 0002 0 1000 0" "bind 0002 0 0002 0" "sub add 0002 0 1000 c001" \
	"pub set 0002 0 1000 c002 0" "ttl 0002 9" "onoff 0002 on" "attention 0002 3"
expect "the composition the node sent is recorded" '
assert n["cid"] == "05F1" and n["pid"] == "0001" and n["crpl"] == "0020", n
assert set(models) == {"0000", "0002", "1000"}, models'
expect "the AppKey, the bindings, the subscription and the publication" '
assert [k["index"] for k in n["appKeys"]] == [0], n["appKeys"]
assert models["1000"]["bind"] == [0] and models["0002"]["bind"] == [0], models
assert models["1000"]["subscribe"] == ["C001"], models["1000"]
p = models["1000"]["publish"]; assert p["address"] == "C002" and p["index"] == 0, p'
expect "Default TTL 9" 'assert n["defaultTTL"] == 9, n'
expect "each answer printed with its status name" '
assert out.count("Success (0)") >= 7, out
assert "onoff" in out and "attention" in out, out'

# A refusal is named and records nothing: AppKey 1 was never given to the node.
run "a bind the node refuses: the status named, exit 1" 1 \
	"provision --all" "appkey create" "appkey create" "appkey add 0002 0" "bind 0002 0 1000 1"
grep -q "Invalid AppKey Index" "$T/err" "$T/out" && ok "... Invalid AppKey Index named" ||
	ko "... Invalid AppKey Index named"
expect "... and nothing recorded of it" 'assert models.get("1000", {}).get("bind", []) == [], n'

# A model the AppKey is not bound to stays silent: no answer, retried, a
# failure (-t 1: the first wait 1 s, then 2, 4, 4).
OPTS="-t 1"
run "attention without the Health Server bound: no answer, exit 1" 1 \
	"provision --all" "appkey create" "appkey add 0002 0" "attention 0002 3"
grep -q "no answer" "$T/err" && ok "... 'no answer' said" || ko "... 'no answer' said"

# Groups by name wherever an address goes (issue #14): a group and a
# virtual group, subscribed and published to by name, recorded with the
# virtual label itself (its Status carries only the hash).
OPTS=""
run "groups by name in sub add, sub del and pub set" 0 "provision --all" "appkey create" \
	"appkey add 0002 0" "bind 0002 0 1000 0" "group add kitchen c005" "group add scene virtual" \
	"sub add 0002 0 1000 kitchen" "sub add 0002 0 1000 scene" "pub set 0002 0 1000 scene 0" \
	"sub del 0002 0 1000 kitchen"
"$BIN" --keyring "$KR" export "$T/g.json" > /dev/null 2>&1
expect "... the virtual subscription and publication recorded with their label" '
g = {x["name"]: x["address"] for x in d["groups"]}
assert len(g["scene"]) == 32 and g["kitchen"] == "C005", g
assert models["1000"]["subscribe"] == [g["scene"]], models["1000"]
assert models["1000"]["publish"]["address"] == g["scene"], models["1000"]'
run "a group name that does not exist: refused before anything is sent" 2 "provision --all" \
	"sub add 0002 0 1000 nosuch"
grep -q "no group of that name" "$T/err" && ok "... said" || ko "... said"

# --json: every answer an event with fields of its own, addresses numbers.
OPTS="--json"
run "--json: the same run" 0 "provision --all" "appkey create" "composition 0002" \
	"appkey add 0002 0" "bind 0002 0 1000 0" "sub add 0002 0 1000 c001" "sub list 0002 0 1000" \
	"ttl 0002 9"
if python3 - "$T/out" <<'PYEOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cfg = [e for e in ev if e["event"] == "config"]
assert all(e["node"] == 2 for e in cfg), cfg
assert [e["status_name"] for e in cfg][:6] == ["Success"] * 6, cfg
comp = [e for e in ev if e["event"] == "composition"][0]
assert comp["cid"] == "05f1" and comp["crpl"] == 32, comp
el = [e for e in ev if e["event"] == "element"][0]
assert el["address"] == 2 and el["models"] == ["0000", "0002", "1000"], el
lst = [e for e in ev if e["event"] == "config-list"][0]
assert lst["list"] == "subscriptions" and lst["items"] == [0xc001], lst
assert {"event": "config-state", "node": 2, "state": "ttl", "value": 9} in ev, ev
PYEOF
then ok "... the events and their fields"; else ko "... the events and their fields"; fi
python3 - "$T/out" <<'PYEOF' && ok "... config-summary: nothing ignored" || ko "... config-summary: nothing ignored"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
s = [e for e in ev if e["event"] == "config-summary"]
assert len(s) == 1 and s[0]["requests"] == 6 and s[0]["answered"] == 6, s
assert s[0]["ignored"] == 0 and s[0]["late_duplicates"] == 0, s
PYEOF

# Stray answers (issue #14): the node sends each Status twice and then one
# nobody asked for (--sim-stray). Ignored and counted, the run unchanged.
OPTS="--json --sim-stray"
STRAY="provision --all|appkey create|appkey add 0002 0|bind 0002 0 1000 0|sub add 0002 0 1000 c001|sub list 0002 0 1000"
IFS='|'; set -- $STRAY; unset IFS
run "--sim-stray: a node's stray answers do not disturb the run" 0 "$@"
if python3 - "$T/out" <<'PYEOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cfg = [e for e in ev if e["event"] == "config"]
assert [e["status_name"] for e in cfg] == ["Success"] * 4, cfg
lst = [e for e in ev if e["event"] == "config-list"]
assert len(lst) == 1 and lst[0]["items"] == [0xc001], lst
s = [e for e in ev if e["event"] == "config-summary"]
assert len(s) == 1, s
s = s[0]
assert s["requests"] == 4 and s["answered"] == 4, s
assert s["late_duplicates"] >= 1 and s["not_asked"] + s["other_address"] >= 1, s
assert s["ignored"] == s["late_duplicates"] + s["not_asked"] + s["other_address"], s
PYEOF
then ok "... counted in config-summary by kind"; else ko "... counted in config-summary by kind"; fi
OPTS="-v --sim-stray"
run "-v --sim-stray: the same run in text" 0 "$@"
grep -Eq "^config: 4 requests, .*; [1-9][0-9]* answers ignored: " "$T/out" &&
	ok "... the config: line counts them" || { cat "$T/out"; ko "... the config: line counts them"; }

# onoff to a group (issue #14): with --appkey, each node's Status shown,
# the nodes recorded as subscribed waited for; a group nobody answers fails.
n_run=$((n_run + 1)); KR="$T/k$n_run.json"
printf '%s\n' "provision --all" "appkey create" "group add lights c005" \
	"appkey add 0002 0" "bind 0002 0 1000 0" "sub add 0002 0 1000 lights" \
	"appkey add 0003 0" "bind 0003 0 1000 0" "sub add 0003 0 1000 c005" \
	"onoff lights on --appkey 0" "onoff c005 off --appkey 0" > "$T/script"
"$BIN" --keyring "$KR" --sim 2 --json -f "$T/script" > "$T/out" 2> "$T/err" &&
	[ "$(grep -c '"event":"onoff","node":[23],"onoff":true' "$T/out")" = 2 ] &&
	[ "$(grep -c '"event":"onoff","node":[23],"onoff":false' "$T/out")" = 2 ] &&
	ok "onoff to a group by name and by address: both nodes answer" ||
	ko "onoff to a group by name and by address: both nodes answer"
run "onoff to a group without --appkey: a usage error" 2 "provision --all" "appkey create" \
	"onoff c005 on"
grep -q "say which AppKey" "$T/err" && ok "... said" || ko "... said"
OPTS="-t 1"
run "onoff to a group nobody answers: exit 1" 1 "provision --all" "appkey create" \
	"onoff c007 on --appkey 0"
grep -q "group c007: no answer" "$T/err" && ok "... said" || ko "... said"

finish "# config: "
