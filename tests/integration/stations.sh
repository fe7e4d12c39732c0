#!/bin/sh
# Several stations of one network with the real binary (issue #15): station
# ranges, each station's copy, provisioning simulated devices from its own
# range, and the merge of the stations' work. Run by `make check`.
set -u
BIN=${MESHPROV:-./meshprov}
T=$(mktemp -d /tmp/meshprov-stations.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "PASS: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL: $1"; [ -f "$T/out" ] && sed 's/^/    /' "$T/out" | head -20; }

# check NAME EXPECTED_RC PYTHON_ASSERTIONS -- ARGS...: run, check rc and the JSON lines
check() {
	name=$1 want=$2 py=$3; shift 4
	"$BIN" "$@" > "$T/out" 2> "$T/err"; rc=$?
	if [ "$rc" != "$want" ]; then
		echo "    exit $rc, expected $want; stderr:"; sed 's/^/    /' "$T/err" | head -5
		ko "$name"; return
	fi
	if [ -n "$py" ] && ! python3 - "$T/out" "$T/err" <<PYEOF
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
err = open(sys.argv[2]).read()
ev = lambda name: [l for l in lines if l["event"] == name]
$py
PYEOF
	then ko "$name"; return; fi
	ok "$name"
}

M="--keyring $T/main/keyring.json"

check "station add: ranges of their own" 0 '
s = ev("station"); assert len(s) == 1 and s[0]["name"] == "line-a", s
assert s[0]["unicast_total"] == 64 and s[0]["group_total"] == 16 and s[0]["scene_total"] == 8, s
' -- $M --json station add line-a --unicast 64 --groups 16 --scenes 8
check "station add: a second one" 0 '' -- $M --json station add line-b --unicast 64
check "station add: the same name twice" 1 'assert "already a station" in err, err' -- $M station add line-b
check "station add: a bad size" 2 'assert "--unicast takes" in err, err' -- $M station add line-c --unicast lots
check "station list: no two ranges overlap, each its own address" 0 '
s = ev("station"); assert [x["name"] for x in s][1:] == ["line-a", "line-b"], s
spans = [(r["low"], r["high"]) for x in s for r in x["unicast"]]
for i, a in enumerate(spans):
    for b in spans[i + 1:]:
        assert a[1] < b[0] or b[1] < a[0], (a, b)
assert len({x["address"] for x in s}) == 3
assert all(any(r["low"] <= x["address"] <= r["high"] for r in x["unicast"]) for x in s), s
' -- $M station list --json
check "station grow" 0 '
s = ev("station"); assert s[0]["unicast_total"] == 96, s
' -- $M --json station grow line-b --unicast 32
check "station grow: nothing asked" 2 'assert "say how much" in err, err' -- $M station grow line-b
check "station remove: this keyring's own is refused" 1 'assert "own station" in err, err' -- $M station remove meshprov
check "station add, remove" 0 '' -- $M station add spare --unicast 1
check "station remove" 0 'assert ev("station-removed")' -- $M --json station remove spare
check "station remove: no such station" 1 'assert "no station is named" in err, err' -- $M station remove spare

# Each station's copy, taken by another keyring (another laptop).
check "export --partial needs --station" 2 'assert "--station" in err, err' -- $M export --partial "$T/x.json"
check "export --station: no such station" 1 'assert "no station is named" in err, err' -- $M export --station nope "$T/x.json"
check "export --station line-a --partial" 0 '' -- $M export --station line-a --partial "$T/line-a.cdb"
check "export --station line-b" 0 '' -- $M export --station line-b "$T/line-b.cdb"
python3 - "$T/line-a.cdb" "$T/line-b.cdb" > "$T/out" 2>&1 <<'PYEOF' && ok "the copies: partial flag, device keys" || ko "the copies: partial flag, device keys"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["partial"] is True and b["partial"] is False
assert [n for n in a["nodes"] if "deviceKey" not in n], a["nodes"]
assert all("deviceKey" in n for n in b["nodes"])
PYEOF
A="--keyring $T/a/keyring.json" B="--keyring $T/b/keyring.json"
check "import --as-station line-a" 0 '' -- $A import "$T/line-a.cdb" --as-station line-a
check "import --as-station line-b" 0 '' -- $B import "$T/line-b.cdb" --as-station line-b
check "import --as-station: the exporter's own station is refused" 1 'assert "exported by station" in err, err' -- --json --keyring "$T/c/keyring.json" import "$T/line-b.cdb" --as-station meshprov
check "import --as-station: no such station" 1 'assert "no station named" in err, err' -- --json --keyring "$T/c/keyring.json" import "$T/line-b.cdb" --as-station nope
# Three stations provision their share of one tray of simulated devices.
check "main provisions its share" 0 'assert len(ev("provisioned")) == 3' -- $M --json --sim 3 --sim-seed 11 provision --all
check "line-a provisions its share" 0 'assert len(ev("provisioned")) == 3' -- $A --json --sim 3 --sim-seed 12 provision --all
check "line-b provisions its share" 0 'assert len(ev("provisioned")) == 3' -- $B --json --sim 3 --sim-seed 13 provision --all
for s in a b; do
	"$BIN" --keyring "$T/$s/keyring.json" --json station list > "$T/$s.stations"
	"$BIN" --keyring "$T/$s/keyring.json" --json nodes > "$T/$s.nodes"
done
python3 - "$T" > "$T/out" 2>&1 <<'PYEOF' && ok "each station's nodes are in its own range" || ko "each station's nodes are in its own range"
import json, sys
t = sys.argv[1]
for s in "ab":
    me = [json.loads(l) for l in open(t + "/" + s + ".stations")][0]
    assert me["self"] and me["name"] == "line-" + s, me
    rs = me["unicast"]
    nodes = [json.loads(l) for l in open(t + "/" + s + ".nodes")]
    new = [n for n in nodes if not n["self"] and any(r["low"] <= n["address"] <= r["high"] for r in rs)]
    assert len(new) == 3, (s, new)
PYEOF

# The stations' work comes back: merge.
check "line-a exports its work" 0 '' -- $A export "$T/a.back"
check "line-b exports its work" 0 '' -- $B export "$T/b.back"
"$BIN" $M --json nodes > "$T/m.before"
check "merge --dry-run: what would change, nothing written" 0 '
d = ev("merge-dry-run")[0]
assert d["nodes_added"] == 6, d
' -- $M merge "$T/a.back" "$T/b.back" --dry-run --json
check "... and nothing was" 0 "assert len(lines) == $(wc -l < "$T/m.before"), lines" -- $M --json nodes
check "merge: every node, no address twice" 0 '
d = ev("merged")[0]
assert d["nodes_added"] == 6 and d["nodes"] == 12, d
' -- $M --json merge "$T/a.back" "$T/b.back"
check "the merged keyring: 9 devices and 3 stations, no address twice" 0 '
n = ev("node")
assert len(n) == 12, n
assert len({l["uuid"] for l in n}) == 12
spans = sorted((l["address"], l["address"] + l["elements"] - 1) for l in n)
assert all(a[1] < b[0] for a, b in zip(spans, spans[1:])), spans
' -- $M --json nodes
check "merged again: nothing changes" 0 '
d = ev("merged")[0]
assert d["nodes_added"] == 0 and d["nodes_updated"] == 0 and d["nodes_dropped"] == 0, d
' -- $M --json merge "$T/b.back" "$T/a.back"
check "station list: when last merged" 0 '
s = ev("station"); assert all(x["last_merged"] > 0 for x in s[1:]), s
' -- $M --json station list
check "the merged CDB loads back" 0 '' -- $M export "$T/merged.cdb"
check "... into a new keyring" 0 '' -- --keyring "$T/d/keyring.json" import "$T/merged.cdb" --adopt
check "... with every node" 0 'assert len(ev("node")) == 12' -- --json --keyring "$T/d/keyring.json" nodes
# Bad input: a clear error, nothing written.
# another network: made by a command that changes it (export only reads)
"$BIN" --keyring "$T/e/keyring.json" netkey create > /dev/null 2>&1
"$BIN" --keyring "$T/e/keyring.json" export "$T/merged-foreign.cdb" > /dev/null
cp "$T/main/keyring.json" "$T/main.before"
printf '{"meshUUID": 12' > "$T/damaged.cdb"
check "merge: a damaged CDB" 1 'assert "damaged.cdb" in err and "nothing was merged" in err, err' -- $M --json merge "$T/a.back" "$T/damaged.cdb"
check "merge: another network" 1 'assert "another network" in err, err' -- $M --json merge "$T/a.back" "$T/merged-foreign.cdb"
check "merge: a file twice" 2 'assert "same file" in err, err' -- $M --json merge "$T/a.back" "$T/a.back"
check "merge: the keyring into itself" 2 'assert "this keyring itself" in err, err' -- $M --json merge "$T/main/keyring.json"
cmp -s "$T/main/keyring.json" "$T/main.before" && ok "nothing was written" || ko "nothing was written"
# Conflicts: every one reported, nothing written.
python3 - "$T/a.back" "$T/b.back" "$T" <<'PYEOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
t = sys.argv[3]
# line-a's first device also claims line-b's first device's address, with another key
na = [n for n in a["nodes"] if n["UUID"] not in {x["UUID"] for x in b["nodes"]}]
nb = [n for n in b["nodes"] if n["UUID"] not in {x["UUID"] for x in a["nodes"]}]
na[0]["unicastAddress"] = nb[0]["unicastAddress"]
# one device, two device keys
shared = [n for n in a["nodes"] if n["UUID"] in {x["UUID"] for x in b["nodes"]} and "deviceKey" in n]
for n in b["nodes"]:
    if n["UUID"] == shared[0]["UUID"]:
        n["deviceKey"] = "00" * 16
a["groups"] = [{"name": "lights", "address": "C001"}]
b["groups"] = [{"name": "lights", "address": "C002"}]
json.dump(a, open(t + "/a.bad", "w")); json.dump(b, open(t + "/b.bad", "w"))
PYEOF
check "merge: every conflict reported, nothing written" 1 '
k = sorted(l["kind"] for l in ev("merge-conflict"))
assert "address" in k and "device-key" in k and "group" in k, lines
assert not ev("merged")
' -- $M --json merge "$T/a.bad" "$T/b.bad"
cmp -s "$T/main/keyring.json" "$T/main.before" && ok "conflicts: nothing was written" || ko "conflicts: nothing was written"

echo "# stations: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
