#!/bin/sh
# Several stations of one network with the real binary (issue #15): station
# ranges, each station's copy, provisioning simulated devices from its own
# range, and the merge of the stations' work. Run by `make check`.
set -u
NAME=stations; . "${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
CHECK_TEXT=1	# text output is read as text

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

# The network's AppKey and a group every station uses, made before the
# copies are taken (a key made at two stations apart is a conflict).
check "appkey create" 0 '' -- $M appkey create
check "group add lights: this keyring's own group range" 0 'assert ev("group")[0]["address"] == 0xc000, lines' \
	-- $M --json group add lights
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
# the groups and the AppKey go with each copy
for c in a, b:
    assert [(g["name"], g["address"]) for g in c["groups"]] == [("lights", "C000")], c["groups"]
    assert [k["index"] for k in c["appKeys"]] == [0], c["appKeys"]
PYEOF
A="--keyring $T/a/keyring.json" B="--keyring $T/b/keyring.json"
check "import --as-station line-a" 0 '' -- $A import "$T/line-a.cdb" --as-station line-a
check "import --as-station line-b" 0 '' -- $B import "$T/line-b.cdb" --as-station line-b
check "import --as-station: the exporter's own station is refused" 1 'assert "exported by station" in err, err' -- --json --keyring "$T/c/keyring.json" import "$T/line-b.cdb" --as-station meshprov
check "import --as-station: no such station" 1 'assert "no station named" in err, err' -- --json --keyring "$T/c/keyring.json" import "$T/line-b.cdb" --as-station nope
check "the copy carries the groups" 0 'assert [g["name"] for g in ev("group")] == ["lights"], lines' \
	-- $A --json group list
check "a station's group add: outside its own group range, station grow named" 1 '
assert "outside" in err and "station grow line-a" in err, err' -- $A group add far c005
# its group range full (on a throwaway copy: its real groups come later)
rm -rf "$T/full"; mkdir "$T/full"; cp "$T/a/keyring.json" "$T/full/keyring.json"
for i in $(seq 17); do echo "group add g$i"; done > "$T/full.script"
check "a station's group range full: said, station grow named" 1 '
assert "no free group address" in err and "station grow line-a" in err, err
assert len(ev("group")) == 16, lines
' -- --keyring "$T/full/keyring.json" --json -f "$T/full.script"
# Three stations provision and configure their share of one tray of
# simulated devices: one run each (a simulated device lives as long as the
# process). The addresses each station will give are its own range's, in
# the order the devices come: learnt from a run on a throwaway copy of its
# keyring with the same seed.
plan() {  # KEYRING SEED GROUP -> the script: provision, a group, configure each node
	rm -rf "$T/probe"; mkdir "$T/probe"; cp "$1" "$T/probe/keyring.json"
	"$BIN" --keyring "$1" --json nodes > "$T/probe/before"
	"$BIN" --keyring "$T/probe/keyring.json" --sim 3 --sim-seed "$2" provision --all > /dev/null 2>&1
	"$BIN" --keyring "$T/probe/keyring.json" --json nodes > "$T/probe/after"
	python3 - "$T/probe/before" "$T/probe/after" "$3" <<'PYEOF'
import json, sys
old = {json.loads(l)["uuid"] for l in open(sys.argv[1])}
new = [json.loads(l) for l in open(sys.argv[2]) if json.loads(l)["uuid"] not in old]
assert len(new) == 3, new
print("provision --all")
print("group add " + sys.argv[3])
for n in new:
    a = "%04x" % n["address"]
    for c in ("appkey add %s 0", "bind %s 0 1000 0", "sub add %s 0 1000 lights",
              "sub add %s 0 1000 " + sys.argv[3]):
        print(c % a)
PYEOF
}
station_run() {  # NAME KEYRING SEED GROUP
	if plan "$2" "$3" "$4" > "$T/$4.script"; then
		check "$1 provisions and configures its share" 0 '
assert len(ev("provisioned")) == 3, lines
c = ev("config"); assert len(c) == 12 and all(x["status_name"] == "Success" for x in c), c
g = ev("group"); assert len(g) == 1, g
' -- --keyring "$2" --json --sim 3 --sim-seed "$3" -f "$T/$4.script"
	else
		ko "$1: the addresses its devices will get"
	fi
}
station_run main "$T/main/keyring.json" 11 hall-main
station_run line-a "$T/a/keyring.json" 12 hall-a
station_run line-b "$T/b/keyring.json" 13 hall-b
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
assert d["nodes_added"] == 6 and d["groups_added"] == 2, d
c = ev("merge-change")
assert len([x for x in c if x["kind"] == "node-added"]) == 6, c
assert sorted(x["detail"].split()[1].strip(chr(39)) for x in c if x["kind"] == "group-added") == ["hall-a", "hall-b"], c
' -- $M merge "$T/a.back" "$T/b.back" --dry-run --json
check "merge --dry-run: the list and the counts as text" 0 '
t = open(sys.argv[1]).read()
assert t.count("would add node ") == 6 and t.count("would add group ") == 2, t
assert "2 group(s) added" in t and "nothing was written" in t, t
' -- $M merge "$T/a.back" "$T/b.back" --dry-run
check "... and nothing was" 0 "assert len(lines) == $(wc -l < "$T/m.before"), lines" -- $M --json nodes
check "merge: every node, no address twice" 0 '
d = ev("merged")[0]
assert d["nodes_added"] == 6 and d["nodes"] == 12 and d["groups_added"] == 2 and d["groups"] == 4, d
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
assert d["groups_added"] == 0 and d["exclusions_added"] == 0 and d["keys_added"] == 0, d
' -- $M --json merge "$T/b.back" "$T/a.back"
check "station list: when last merged, the groups each uses" 0 '
s = ev("station"); assert all(x["last_merged"] > 0 for x in s[1:]), s
assert [x["group_used"] for x in s] == [2, 1, 1], s
' -- $M --json station list
check "station list as text: how full each group range is" 0 '
t = open(sys.argv[1]).read()
assert "(2 of 4096 used, 0%)" in t and t.count("(1 of 16 used, 6%)") == 1, t
' -- $M station list
check "the merged CDB" 0 '' -- $M export "$T/merged.cdb"
python3 - "$T/merged.cdb" "$T/main/keyring.json" > "$T/out" 2>&1 <<'PYEOF' && ok "the merged CDB: every node configured, the groups, no address twice" || ko "the merged CDB: every node configured, the groups, no address twice"
import json, sys
d = json.load(open(sys.argv[1]))
groups = {g["name"]: g["address"] for g in d["groups"]}
assert sorted(groups) == ["hall-a", "hall-b", "hall-main", "lights"], groups
assert len(set(groups.values())) == 4, groups
# each station's group in its own group range
provs = {p["provisionerName"]: p for p in d["provisioners"]}
for name, g in (("line-a", "hall-a"), ("line-b", "hall-b")):
    a = int(groups[g], 16)
    assert any(int(r["lowAddress"], 16) <= a <= int(r["highAddress"], 16)
               for r in provs[name]["allocatedGroupRange"]), (name, g, provs[name])
stations = {p["UUID"].replace("-", "").upper() for p in d["provisioners"]}
devices = [n for n in d["nodes"] if n["UUID"].replace("-", "").upper() not in stations]
assert len(devices) == 9, devices
spans = sorted((int(n["unicastAddress"], 16), int(n["unicastAddress"], 16) + len(n["elements"]) - 1)
               for n in d["nodes"])
assert all(a[1] < b[0] for a, b in zip(spans, spans[1:])), spans
halls = {groups["hall-main"], groups["hall-a"], groups["hall-b"]}
for n in devices:
    assert [k["index"] for k in n["appKeys"]] == [0], n
    m = [m for m in n["elements"][0]["models"] if m["modelId"] == "1000"][0]
    assert m["bind"] == [0], m
    assert groups["lights"] in m["subscribe"] and len(halls & set(m["subscribe"])) == 1, m
PYEOF
check "... loads back into a new keyring" 0 '' -- --keyring "$T/d/keyring.json" import "$T/merged.cdb" --adopt
check "... with every node and group" 0 'assert len(ev("node")) == 12' -- --json --keyring "$T/d/keyring.json" nodes
check "... and its groups" 0 'assert len(ev("group")) == 4, lines' -- --json --keyring "$T/d/keyring.json" group list
check "... and the stations' copies merged into it again change nothing" 0 '
d = ev("merged")[0]
assert d["nodes_added"] + d["nodes_updated"] + d["nodes_dropped"] + d["groups_added"] == 0, d
' -- --json --keyring "$T/d/keyring.json" merge "$T/a.back" "$T/b.back"
check "merge: the keyring's own export is refused" 1 'assert "exported by this keyring itself" in err, err' \
	-- $M --json merge "$T/merged.cdb"
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
# Conflicts: every one reported, nothing written. Two stations claiming one
# range: each grows its group range apart, in its own copy, into the same
# free space (on throwaway copies of their keyrings).
for s in a b; do
	rm -rf "$T/$s-grown"; mkdir "$T/$s-grown"; cp "$T/$s/keyring.json" "$T/$s-grown/keyring.json"
	"$BIN" --keyring "$T/$s-grown/keyring.json" station grow line-$s --groups 16 > /dev/null 2>&1
	"$BIN" --keyring "$T/$s-grown/keyring.json" export "$T/$s.grown" > /dev/null 2>&1
done
python3 - "$T/a.grown" "$T/b.grown" "$T" <<'PYEOF'
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
a["groups"] = [{"name": "lights", "address": "C001"},
               {"name": "lamp", "address": "D005", "parentAddress": "C000"}]
b["groups"] = [{"name": "lights", "address": "C002"},
               {"name": "lamp", "address": "D005", "parentAddress": "0000"}]
# one AppKey index, two keys
b["appKeys"][0]["key"] = "00" * 16
json.dump(a, open(t + "/a.bad", "w")); json.dump(b, open(t + "/b.bad", "w"))
PYEOF
check "merge: every conflict reported, nothing written" 1 '
k = sorted(l["kind"] for l in ev("merge-conflict"))
assert set(k) == {"address", "device-key", "group", "key", "range"}, lines
assert [l for l in ev("merge-conflict") if "lamp" in l["detail"] and "parent" in l["detail"]], lines
assert all(l["files"] for l in ev("merge-conflict")), lines
assert not ev("merged") and not ev("merge-change")
' -- $M --json merge "$T/a.bad" "$T/b.bad"
check "merge --dry-run: the same conflicts, nothing written" 1 '
assert len(ev("merge-conflict")) >= 6 and not ev("merge-dry-run"), lines
' -- $M --json merge --dry-run "$T/a.bad" "$T/b.bad"
cmp -s "$T/main/keyring.json" "$T/main.before" && ok "conflicts: nothing was written" || ko "conflicts: nothing was written"

# Scenes (MshCDB 1.0.1 2.1.7): nRF Mesh's scenes survive import and export,
# station list counts the scene numbers used, merge unites them by number.
V=${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/vectors/cdb
S="--keyring $T/sc/keyring.json"
check "import: an nRF Mesh CDB with scenes" 0 '' -- $S import "$V/nrf-android-scenes.json" --adopt
check "export: the scenes are there" 0 '' -- $S export "$T/sc.cdb"
if python3 - "$T/sc.cdb" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
sc = [(s["number"], s["name"], s["addresses"]) for s in d["scenes"]]
assert sc == [("0001", "Evening", ["0002", "0003", "0004"]),
              ("000A", "Reading", ["0002", "0004"]), ("3333", "nRF Scene", [])], sc
PYEOF
then ok "export: every scene, its number and elements"; else ko "export: every scene, its number and elements"; fi
check "station list --json: scene usage" 0 '
s = ev("station"); assert s[0]["scene_used"] == 3 and s[0]["scene_total"] == 0x3333, s
' -- $S --json station list
"$BIN" $S station list > "$T/out" 2>&1
grep -q "scenes    0001-3333  (3 of 13107 used, 0%)" "$T/out" && ok "station list: scene usage" || ko "station list: scene usage"
# another copy of the same network: one scene renamed, one new
python3 - "$T/sc.cdb" "$T" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1])); t = sys.argv[2]
d.pop("meshprov", None)
d["scenes"].append({"name": "Party", "number": "0100", "addresses": ["0003"]})
json.dump(d, open(t + "/sc-new.cdb", "w"))
d["scenes"][0]["name"] = "Night"
json.dump(d, open(t + "/sc-bad.cdb", "w"))
PYEOF
cp "$T/sc/keyring.json" "$T/sc.before"
check "merge: one scene number, two names" 1 '
c = ev("merge-conflict"); assert [l["kind"] for l in c] == ["scene"], lines
assert "Evening" in c[0]["detail"] and "Night" in c[0]["detail"], c
' -- $S --json merge "$T/sc-bad.cdb"
cmp -s "$T/sc/keyring.json" "$T/sc.before" && ok "scene conflict: nothing was written" || ko "scene conflict: nothing was written"
check "merge --dry-run: the new scene listed" 0 '
c = ev("merge-change"); assert [(l["kind"], l["address"]) for l in c] == [("scene-added", 0x100)], c
assert ev("merge-dry-run")[0]["scenes_added"] == 1, lines
' -- $S --json merge --dry-run "$T/sc-new.cdb"
check "merge: the new scene" 0 'assert ev("merged")[0]["scenes"] == 4, lines' -- $S --json merge "$T/sc-new.cdb"
check "merge again: nothing changes" 0 '
m = ev("merge-dry-run")[0]; assert m["scenes_added"] == 0 and m["scenes_changed"] == 0, m
assert not ev("merge-change"), lines
' -- $S --json merge --dry-run "$T/sc-new.cdb"

finish "# stations: "
