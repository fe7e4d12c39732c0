#!/bin/sh
# Several stations of one network with the real binary (issue #15): station
# ranges, each station's copy, provisioning simulated devices from its own
# range, and the merge of the stations' work. Run by `make check`.
set -u
BIN=${MESHPROV:-./meshprov}
T=$(mktemp -d /tmp/meshprov-stations.XXXXXX)
trap 'rm -rf "$T"' EXIT
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

echo "# stations: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
