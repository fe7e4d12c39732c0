#!/bin/sh
# The Key Refresh procedure with the real binary (issues #13, #14): two
# simulated nodes provisioned, `netkey refresh`, then a configuration
# command still answered under the new key, and the keyring exported with
# the new key at phase 0 and no old key. Then nodes that do not answer (the
# simulated devices of the first run are gone with it): the refresh stops
# in phase 1 and says how to resume; with --force it resumes, leaves them
# out, names them, marks them excluded in the keyring (the CDB's excluded,
# shown by `nodes`), and finishes with the one node that answers (0005:
# node 0003 has two elements).
# Run by `make check`.
set -u
NAME=keyrefresh; . "${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
KO_SHOW=err KO_LINES=10	# a failure shows stderr
KR="$T/k.json"

# run NAME EXPECTED_RC OPTIONS SCRIPT_LINES...: the lines as one script, one process
run() {
	name=$1 want=$2 opts=$3; shift 3
	printf '%s\n' "$@" > "$T/script"
	"$BIN" --keyring "$KR" $opts --json -f "$T/script" > "$T/out" 2> "$T/err"; rc=$?
	[ "$rc" = "$want" ] && ok "$name" || { echo "    exit $rc, expected $want"; ko "$name"; }
}

# expect NAME PYTHON: assertions on the exported CDB (d), the JSON events
# (ev(NAME)), the text of the output (out) and the CDB exported before (b)
expect() {
	"$BIN" --keyring "$KR" export "$T/after.json" > /dev/null 2>&1
	if python3 - "$T/after.json" "$T/out" "$T/before.json" <<PYEOF
import json, sys
d = json.load(open(sys.argv[1]))
out = open(sys.argv[2]).read()
b = json.load(open(sys.argv[3]))
lines = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
ev = lambda name: [l for l in lines if l["event"] == name]
$2
PYEOF
	then ok "$1"; else ko "$1"; fi
}

run "provision 2 nodes, netkey refresh, then ttl on both" 0 "--sim 2" \
	"provision --all" "export $T/before.json" "netkey refresh" "ttl 0002" "ttl 0003"
expect "the new key at phase 0, no oldKey, the old key gone" '
k = d["netKeys"][0]; old = b["netKeys"][0]
assert k["index"] == 0 and k["phase"] == 0 and "oldKey" not in k, k
assert old["phase"] == 0 and k["key"] != old["key"], (k, old)'
expect "phases 1, 2, 0 said, each node through each, refreshed" '
assert [e["phase"] for e in ev("netkey-refresh-phase")] == [1, 2, 0], lines
for p in (1, 2, 0):
    assert sorted(e["node"] for e in ev("netkey-refresh-node") if e["phase"] == p) == [2, 3], lines
r = ev("netkey-refreshed"); assert len(r) == 1 and r[0]["nodes"] == 2 and r[0]["excluded"] == [], r'
expect "a configuration command answered under the new key" '
s = [e for e in ev("config-state") if e["state"] == "ttl"]
assert sorted(e["node"] for e in s) == [2, 3], lines'
expect "no key printed, nodes not left marked updated" '
for k in (d["netKeys"][0]["key"], b["netKeys"][0]["key"]):
    assert k.lower() not in out.lower() and k.upper() not in out, "key printed"
assert all(not nk.get("updated") for n in d["nodes"] for nk in n["netKeys"]), d["nodes"]'

# A new process: nodes 0002 and 0003 no longer answer; one new node does.
cp "$T/after.json" "$T/before.json"
run "nodes that do not answer: stopped in phase 1, exit 1; --force goes on" 1 \
	"--sim 1 -t 1 --keep-going" "provision --all" "netkey refresh" "netkey refresh --force" \
	"ttl 0005"
expect "the resume said, the silent nodes named and left out, the new node refreshed" '
assert "netkey refresh 0" in out and "--force" in out, out
f = ev("netkey-refresh-failed")
assert sorted(e["node"] for e in f) == [2, 2, 3, 3] and f[0]["step"] == "update", f
assert sorted(e["node"] for e in ev("netkey-refresh-excluded")) == [2, 3], lines
# the resumed run skips the node that has the new key already
assert [e["node"] for e in ev("netkey-refresh-node") if e["phase"] == 1] == [5], lines
r = ev("netkey-refreshed"); assert len(r) == 1 and r[0]["nodes"] == 1, r
assert sorted(r[0]["excluded"]) == [2, 3], r
assert [e["node"] for e in ev("config-state")] == [5], lines'
expect "... the keyring at phase 0 with another new key" '
k = d["netKeys"][0]; old = b["netKeys"][0]
assert k["phase"] == 0 and "oldKey" not in k and k["key"] != old["key"], k'

expect "... the nodes left out marked excluded in the CDB, the others not" '
ex = {int(n["unicastAddress"], 16): n.get("excluded") for n in d["nodes"]}
assert ex[2] is True and ex[3] is True and ex[5] is False, ex'
"$BIN" --keyring "$KR" nodes > "$T/nodes" 2> "$T/err"
"$BIN" --keyring "$KR" --json nodes > "$T/out" 2>> "$T/err"
if grep -q '^0x0002 .* excluded ' "$T/nodes" && grep -q '^0x0003 .* excluded ' "$T/nodes" &&
   grep -q '^0x0005 .* complete ' "$T/nodes"; then ok "nodes shows the excluded ones as such"
else cat "$T/nodes" >> "$T/err"; ko "nodes shows the excluded ones as such"; fi
expect "... and says excluded in its node events" '
ex = {e["address"]: e.get("excluded") for e in ev("node")}
assert ex[2] is True and ex[3] is True and ex[5] is None, ex'

# A refresh stopped in phase 2, resumed: the keyring edited in the CDB shape
# (exported, phase 2 with the old key beside a new one, imported back). The
# node of the run before never took the new key (not "updated") and is gone
# with its process: it is left out and marked excluded. The nodes provisioned
# now get the new key in their Provisioning Data (Key Refresh flag, MshPRT
# v1.1 5.4.2.5): the resumed run asks their phase (0: they never had the old
# key), sends transition 3 and ends at phase 0 with the new key only.
KR="$T/k2.json"
run "a keyring with one node" 0 "--sim 1" "provision --all" "export $T/before.json"
python3 - "$T/before.json" "$T/p2.json" <<'PYEOF'
import json, secrets, sys
d = json.load(open(sys.argv[1]))
k = d["netKeys"][0]
k["oldKey"], k["key"], k["phase"] = k["key"], secrets.token_hex(16).upper(), 2
json.dump(d, open(sys.argv[2], "w"))
PYEOF
"$BIN" --keyring "$KR" import --replace "$T/p2.json" > /dev/null 2> "$T/err" || ko "import the keyring in phase 2"
cp "$T/p2.json" "$T/before.json"
run "provision 2 nodes in phase 2, netkey refresh resumes, ttl on both" 0 "--sim 2" \
	"provision --all" "netkey refresh" "ttl 0003" "ttl 0004"
expect "resumed in phase 2: the phase asked, transition 3, phase 0 with the new key only" '
assert [e["phase"] for e in ev("netkey-refresh-phase")] == [2, 0], lines
assert not ev("netkey-refresh-failed"), lines
assert sorted(e["node"] for e in ev("netkey-refresh-node")) == [3, 3, 4, 4], lines
r = ev("netkey-refreshed"); assert len(r) == 1 and r[0]["nodes"] == 2 and r[0]["excluded"] == [2], r
k = d["netKeys"][0]; want = b["netKeys"][0]
assert k["phase"] == 0 and "oldKey" not in k and k["key"] == want["key"], (k, want)
assert sorted(e["node"] for e in ev("config-state") if e["state"] == "ttl") == [3, 4], lines
ex = {int(n["unicastAddress"], 16): n.get("excluded") for n in d["nodes"]}
assert ex[2] is True and ex[3] is False and ex[4] is False, ex'

finish
