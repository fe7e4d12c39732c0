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

echo "# stations: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
