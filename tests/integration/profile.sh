#!/bin/sh
# configure: a profile applied by the real binary (issue #14). Simulated
# devices live only as long as the process, so each case is one script run:
# provision --all, then configure, in the same run. What the nodes answered
# is checked in what the keyring recorded (export), what was sent in the
# --json events; the CSV report column by column. Run by `make check`.
set -u
NAME=profile; . "${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
KO_SHOW=err KO_LINES=10	# a failure shows stderr

# run NAME EXPECTED_RC SCRIPT_LINES...: one run of --sim 3 on a new keyring
n_run=0
run() {
	name=$1 want=$2; shift 2
	n_run=$((n_run + 1)); KR="$T/k$n_run.json"
	printf '%s\n' "$@" > "$T/script"
	"$BIN" --keyring "$KR" --sim 3 --json --keep-going -f "$T/script" \
		> "$T/out" 2> "$T/err"; rc=$?
	[ "$rc" = "$want" ] && ok "$name" || { echo "    exit $rc, expected $want"; ko "$name"; }
	"$BIN" --keyring "$KR" export "$T/cdb.json" > /dev/null 2>&1
}

# check NAME PYTHON: assertions on the export (d, nodes by address in n),
# the events (ev, and the configure summaries in order in sums), the
# report (rows, when written)
check() {
	if python3 - "$T/cdb.json" "$T/out" "$T/report.csv" <<PYEOF
import csv, json, os, sys
d = json.load(open(sys.argv[1]))
n = {x["unicastAddress"]: x for x in d["nodes"] if x["unicastAddress"] != "0001"}
ev = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
sums = [e for e in ev if e["event"] == "configure-summary"]
rows = list(csv.reader(open(sys.argv[3]))) if os.path.exists(sys.argv[3]) else []
def models(node, mid):
    return [m for e in node["elements"] for m in e["models"] if m["modelId"] == mid]
$2
PYEOF
	then ok "$1"; else ko "$1"; fi
}

EX="$SRC/examples/one-appkey.json"

# 1. The shipped example, applied twice and checked, in one run.
run "provision 3, configure --all with examples/one-appkey.json, twice, then --check" 0 \
	"provision --all" "appkey create" \
	"configure --all --profile $EX --report $T/report.csv" \
	"configure --all --profile $EX" \
	"configure --all --profile $EX --check"
check "... the keyring holds the AppKey, the bindings and the subscription" '
g = {x["name"]: x["address"] for x in d["groups"]}
assert "all-lights" in g, d["groups"]
assert len(n) == 3, n
for a, node in n.items():
    assert [k["index"] for k in node["appKeys"]] == [0], node["appKeys"]
    onoff = models(node, "1000")
    assert onoff, node
    for m in onoff:
        assert m["bind"] == [0] and m["subscribe"] == [g["all-lights"]], m
    assert node["configComplete"] is True, node'
check "... the first run sent requests, the second and --check nothing" '
assert len(sums) == 3, sums
assert sums[0]["configured"] == 3 and sums[0]["requests"] > 0, sums[0]
assert sums[0]["groups_created"] == 1, sums[0]
assert sums[1]["configured"] == 3 and sums[1]["requests"] == 0, sums[1]
assert sums[1]["reads"] == 0 and sums[1]["transmissions"] == 0, sums[1]
assert sums[2]["would_send"] == 0 and sums[2]["transmissions"] == 0, sums[2]
assert not [e for e in ev if e["event"] == "configure-plan"], "a plan on --check"
steps = [e for e in ev if e["event"] == "configure-step"]
assert steps and all(e["ok"] for e in steps), steps
assert {e["status_name"] for e in steps} == {"Success"}, steps'
check "... the rules that matched no node are named" '
un = sorted({e["rule"] for e in ev if e["event"] == "configure-rule-unmatched"})
assert un == ["Nordic'"'"'s vendor model on Nordic boards", "hall lights relay", "the gateway"], un'
check "... the CSV report, column by column" '
assert rows[0] == ["address", "uuid", "name", "rules", "result", "steps_ok", "steps_failed",
                   "first_failure", "status"], rows[0]
assert len(rows) == 4, rows
for r in rows[1:]:
    node = n[r[0].upper()]
    assert r[1].replace("-", "") == node["UUID"].replace("-", "").lower(), (r, node["UUID"])
    assert r[2] == node.get("name", ""), r
    assert r[3] == "OnOff and Level servers", r
    assert r[4] == "configured", r
    assert int(r[5]) >= 3 and r[6] == "0", r
    assert r[7] == "" and r[8] == "", r
nodes = [e for e in ev if e["event"] == "configure-node"]
assert {e["result"] for e in nodes} == {"configured"}, nodes'

# 2. --check on nodes just provisioned: it reads their composition, says
# what it would send, and sends none of it.
run "--check on new nodes: differences said, exit 1" 1 \
	"provision --all" "appkey create" "configure --all --profile $EX --check"
check "... nothing changed on the nodes, no group created" '
plans = [e for e in ev if e["event"] == "configure-plan"]
assert plans and any(p["message"] == "Config AppKey Add" for p in plans), plans
assert sums[0]["requests"] == 0 and sums[0]["differs"] == 3, sums
assert sums[0]["reads"] == 3 and sums[0]["would_send"] == len(plans), sums
assert not d.get("groups"), d.get("groups")
for node in n.values():
    assert not node.get("appKeys"), node
    assert all(not m.get("bind") for e in node["elements"] for m in e["models"]), node'

# 3. A step the nodes refuse: named with its status, the rest goes on, the
# node is "partly" and the report says why.
cat > "$T/bad-sub.json" <<'EOF'
{ "meshprov-profile": 1, "rules": [ { "name": "all",
  "appKeys": [0], "settings": { "defaultTTL": 9 },
  "models": { "1000": { "bind": [0] }, "0000": { "subscribe": ["c001"] } } } ] }
EOF
rm -f "$T/report.csv"
run "a step refused: exit 1" 1 "provision --all" "appkey create" \
	"configure --all --profile $T/bad-sub.json --report $T/report.csv"
check "... named with its status code, the rest applied, the report says so" '
assert sums[0]["partly"] == 3, sums
bad = [e for e in ev if e["event"] == "configure-step" and not e["ok"]]
assert len(bad) == 3 and all(e["message"] == "Config Model Subscription Add" for e in bad), bad
name = bad[0]["status_name"]
assert name and name != "Success", bad
for r in rows[1:]:
    assert r[4] == "partly" and r[6] == "1" and int(r[5]) >= 3, r
    assert "Subscription Add" in r[7] and r[8] == name, r
for node in n.values():
    assert node["defaultTTL"] == 9, node
    assert node["configComplete"] is False, node
    assert all(m["bind"] == [0] for m in models(node, "1000")), node'

# 4. Bad profiles: named (file and field), nothing sent.
cat > "$T/no-key.json" <<'EOF'
{ "meshprov-profile": 1, "rules": [ { "appKeys": ["nosuch"] } ] }
EOF
run "a profile naming an unknown AppKey: exit 2" 2 "provision --all" "appkey create" \
	"configure --all --profile $T/no-key.json"
grep -q "no-key.json" "$T/err" && grep -q "appKeys" "$T/err" && ok "... the file and the field named" ||
	ko "... the file and the field named"
check "... nothing sent" '
assert not sums and not [e for e in ev if e["event"].startswith("configure-")], ev
assert all(not node.get("appKeys") for node in n.values()), n'
printf '{ "meshprov-profile": 1, "rules": [ { "models": { "10000": {} } } ] }\n' > "$T/bad-model.json"
run "a model ID in the wrong form: exit 2" 2 "provision --all" \
	"configure --all --profile $T/bad-model.json"
grep -q 'bad-model.json' "$T/err" && grep -q '10000' "$T/err" && ok "... named" || ko "... named"
run "no such node: exit 2" 2 "provision --all" "appkey create" "configure 0100 --profile $EX"
grep -q "0100: no such node" "$T/err" && ok "... said" || ko "... said"

# 5. A batch file's room column: each node subscribes to the group of its
# room, created on first use. --sim-seed makes the same devices in every
# run: a first run learns their UUIDs for the batch file.
cat > "$T/rooms.json" <<'EOF'
{ "meshprov-profile": 1, "groups": ["room-${room}"], "rules": [
  { "name": "lights", "match": { "models": ["1000"], "column": { "room": "*" } },
    "appKeys": [0], "models": { "1000": { "bind": [0], "subscribe": ["room-${room}"] } } } ] }
EOF
"$BIN" --keyring "$T/seed.json" --sim 3 --sim-seed 7 provision --all > /dev/null 2>&1
"$BIN" --keyring "$T/seed.json" export "$T/seed-cdb.json" > /dev/null 2>&1
python3 - "$T/seed-cdb.json" > "$T/rooms.csv" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
print("uuid,room")
for i, x in enumerate(sorted(y["UUID"] for y in d["nodes"] if y["unicastAddress"] != "0001")):
    print("%s,%s" % (x, "3.14" if i < 2 else "3.15"))
PYEOF
KR="$T/rooms-k.json"
printf '%s\n' "provision --all" "appkey create" \
	"configure --batch $T/rooms.csv --profile $T/rooms.json" > "$T/script"
"$BIN" --keyring "$KR" --sim 3 --sim-seed 7 --json -f "$T/script" > "$T/out" 2> "$T/err"
rc=$?
[ "$rc" = 0 ] && ok "configure --batch FILE: the room column picks the group" ||
	{ echo "    exit $rc"; ko "configure --batch FILE: the room column picks the group"; }
"$BIN" --keyring "$KR" export "$T/cdb.json" > /dev/null 2>&1
cp "$T/rooms.csv" "$T/rooms.txt"
check "... two rooms, two groups, each node in its own" '
g = {x["name"]: x["address"] for x in d["groups"]}
assert sorted(g) == ["room-3.14", "room-3.15"], g
rooms = {}
for l in open(os.path.join(os.path.dirname(sys.argv[1]), "rooms.txt")):
    u, r = l.strip().split(",")
    rooms[u.replace("-", "").lower()] = r
for node in n.values():
    room = rooms[node["UUID"].replace("-", "").lower()]
    for m in models(node, "1000"):
        assert m["subscribe"] == [g["room-" + room]], (node["UUID"], m)
assert sums[0]["configured"] == 3 and sums[0]["groups_created"] == 2, sums'

# 6. Resume: what an earlier run did (recorded as it was answered) is not
# sent again, only what is missing.
cat > "$T/keys-only.json" <<'EOF'
{ "meshprov-profile": 1, "rules": [ { "appKeys": [0], "models": { "1000": { "bind": [0] } } } ] }
EOF
run "a run after a partial one sends only what is missing" 0 "provision --all" "appkey create" \
	"configure --all --profile $T/keys-only.json" "configure --all --profile $EX"
check "... no AppKey Add nor Bind of 1000 the second time" '
assert len(sums) == 2 and sums[1]["configured"] == 3, sums
second = False
for e in ev:
    if e["event"] == "configure-summary":
        second = True
    elif second and e["event"] == "configure-step":
        assert e["message"] != "Config AppKey Add", e
        assert not (e["message"] == "Config Model App Bind" and "model 1000," in e["text"]), e
assert sums[1]["requests"] > 0, sums'

# 7. provision --configure: each device configured as soon as it is
# provisioned, in the same run; with the batch file's room column.
KR="$T/pc-k.json"
printf '%s\n' "appkey create" \
	"provision --batch $T/rooms.csv --configure $T/rooms.json" > "$T/script"
"$BIN" --keyring "$KR" --sim 3 --sim-seed 7 --json -f "$T/script" > "$T/out" 2> "$T/err"
rc=$?
[ "$rc" = 0 ] && ok "provision --batch FILE --configure PROFILE" ||
	{ echo "    exit $rc"; ko "provision --batch FILE --configure PROFILE"; }
"$BIN" --keyring "$KR" export "$T/cdb.json" > /dev/null 2>&1
check "... every device provisioned and configured in its room" '
prov = [e for e in ev if e["event"] == "provisioned"]
assert len(prov) == 3, prov
g = {x["name"]: x["address"] for x in d["groups"]}
assert sorted(g) == ["room-3.14", "room-3.15"], g
rooms = {}
for l in open(os.path.join(os.path.dirname(sys.argv[1]), "rooms.txt")):
    u, r = l.strip().split(",")
    rooms[u.replace("-", "").lower()] = r
for node in n.values():
    room = rooms[node["UUID"].replace("-", "").lower()]
    assert node["configComplete"] is True, node
    for m in models(node, "1000"):
        assert m["subscribe"] == [g["room-" + room]], (node["UUID"], m)
assert len(sums) == 1 and sums[0]["configured"] == 3, sums'
printf '%s\n' "appkey create" "provision --all --configure $T/no-key.json" > "$T/script"
"$BIN" --keyring "$T/pc2.json" --sim 3 -f "$T/script" > "$T/out" 2> "$T/err"
rc=$?
[ "$rc" = 2 ] && grep -q "no-key.json" "$T/err" && ! grep -q "provisioned" "$T/out" &&
	ok "provision --configure with a bad profile: named, no device provisioned" ||
	{ echo "    exit $rc"; ko "provision --configure with a bad profile: named, no device provisioned"; }

# 8. The shipped examples, end to end, as README.md shows them: the AppKey
# the profile names made with `appkey create --name`, then the batch file's
# rows (examples/rooms.csv, its uuid column swapped for the UUIDs of
# --sim-seed's devices, its name and room columns as shipped) provisioned
# and configured in one run, by configure --batch and by provision
# --configure (which names the nodes from the name column; provision --all
# does not). The simulated devices are lights (Generic OnOff Server):
# the "switches" rule matches none of them and is named so.
ROOMS="$SRC/examples/rooms.json" ONE="$SRC/examples/one-appkey.json"
nrows=$(($(wc -l < "$SRC/examples/rooms.csv") - 1))
"$BIN" --keyring "$T/ex-seed.json" --sim $nrows --sim-seed 11 provision --all > /dev/null 2>&1
"$BIN" --keyring "$T/ex-seed.json" export "$T/ex-seed-cdb.json" > /dev/null 2>&1
python3 - "$T/ex-seed-cdb.json" "$SRC/examples/rooms.csv" > "$T/ex-rooms.csv" <<'PYEOF2'
import csv, json, sys
d = json.load(open(sys.argv[1]))
uuids = sorted(y["UUID"] for y in d["nodes"] if y["unicastAddress"] != "0001")
rows = list(csv.reader(open(sys.argv[2])))
assert rows[0][0] == "uuid" and len(uuids) == len(rows) - 1, (rows[0], uuids)
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(rows[0])
for u, r in zip(uuids, rows[1:]):
    w.writerow([u] + r[1:])
PYEOF2
cp "$T/ex-rooms.csv" "$T/ex-rooms.txt"
ROOMS_CHECK='
rows_ex = list(csv.DictReader(open(os.path.join(os.path.dirname(sys.argv[1]), "ex-rooms.txt"))))
by_uuid = {r["uuid"].replace("-", "").lower(): r for r in rows_ex}
g = {x["name"]: x["address"] for x in d["groups"]}
assert sorted(g) == sorted({"room-" + r["room"] for r in rows_ex}), g
assert [(k["index"], k["name"]) for k in d["appKeys"]] == [(0, "building")], d["appKeys"]
assert len(n) == len(rows_ex), n
for node in n.values():
    r = by_uuid[node["UUID"].replace("-", "").lower()]
    assert not named or node.get("name") == r["name"], (node.get("name"), r)
    assert [k["index"] for k in node["appKeys"]] == [0], node["appKeys"]
    assert node["defaultTTL"] == 5, node
    assert node["configComplete"] is True, node
    onoff = models(node, "1000")
    assert onoff, node
    for m in onoff:
        assert m["bind"] == [0] and m["subscribe"] == [g["room-" + r["room"]]], (r, m)
assert len(sums) == 1 and sums[0]["configured"] == len(rows_ex), sums
un = {e["rule"] for e in ev if e["event"] == "configure-rule-unmatched"}
assert un == {"switches"}, un'
ex_run() {
	name=$1 want=$2; shift 2
	KR="$T/ex-k$want-$(printf '%s' "$name" | cksum | cut -d' ' -f1).json"
	printf '%s\n' "$@" > "$T/script"
	"$BIN" --keyring "$KR" --sim $nrows --sim-seed 11 --json -f "$T/script" \
		> "$T/out" 2> "$T/err"; rc=$?
	[ "$rc" = "$want" ] && ok "$name" || { echo "    exit $rc, expected $want"; ko "$name"; }
	"$BIN" --keyring "$KR" export "$T/cdb.json" > /dev/null 2>&1
}
ex_run "examples/rooms.json by configure --batch examples/rooms.csv" 0 \
	"appkey create --name building" "provision --all" \
	"configure --batch $T/ex-rooms.csv --profile $ROOMS"
check "... each light has the AppKey building, its bindings and its room's group" "named = False
$ROOMS_CHECK"
ex_run "examples/rooms.json by provision --batch examples/rooms.csv --configure" 0 \
	"appkey create --name building" \
	"provision --batch $T/ex-rooms.csv --configure $ROOMS"
check "... each light provisioned, named and configured in its room" "named = True
$ROOMS_CHECK"
ex_run "examples/rooms.json without the AppKey building: refused, named" 2 \
	"appkey create" "provision --batch $T/ex-rooms.csv --configure $ROOMS"
grep -q "rooms.json" "$T/err" && grep -q "building" "$T/err" &&
	ok "... the file and the AppKey named" || ko "... the file and the AppKey named"
ex_run "examples/one-appkey.json by provision --all --configure" 0 \
	"appkey create --name building" "provision --all --configure $ONE"
check "... every node has AppKey 0, its bindings and all-lights" '
g = {x["name"]: x["address"] for x in d["groups"]}
assert list(g) == ["all-lights"], g
assert len(n) == 5 and len(sums) == 1 and sums[0]["configured"] == 5, sums
for node in n.values():
    assert [k["index"] for k in node["appKeys"]] == [0], node["appKeys"]
    assert node["configComplete"] is True, node
    for m in models(node, "1000"):
        assert m["bind"] == [0] and m["subscribe"] == [g["all-lights"]], m'

# 9. AppKey names: what profiles refer to, unique, kept in the CDB.
KR="$T/names.json"
"$BIN" --keyring "$KR" --json appkey create --name building > "$T/out" 2> "$T/err" &&
	grep -q '"event":"appkey-created","index":0,"name":"building"' "$T/out" &&
	ok "appkey create --name: the name in the event" || ko "appkey create --name: the name in the event"
"$BIN" --keyring "$KR" appkey create 2 --name building > "$T/out" 2> "$T/err"
[ $? = 1 ] && grep -q "AppKey 0x000 is already named 'building'" "$T/err" &&
	ok "a name another AppKey has: refused, naming it" || ko "a name another AppKey has: refused, naming it"
"$BIN" --keyring "$KR" appkey create 2 > /dev/null 2>&1
"$BIN" --keyring "$KR" appkey rename 2 building > "$T/out" 2> "$T/err"
[ $? = 1 ] && grep -q "0x000" "$T/err" && ok "appkey rename to a taken name: refused" ||
	ko "appkey rename to a taken name: refused"
"$BIN" --keyring "$KR" appkey rename 2 "$(printf 'a\033[2Jb')" > "$T/out" 2> "$T/err"
[ $? = 1 ] && grep -q "control characters" "$T/err" && ok "a name with a control character: refused" ||
	ko "a name with a control character: refused"
printf '00112233445566778899aabbccddeeff\n' > "$T/key.txt"
"$BIN" --keyring "$KR" appkey rename 2 "salle à manger" > /dev/null 2>&1 &&
	"$BIN" --keyring "$KR" appkey import 3 @"$T/key.txt" --name imported > /dev/null 2>&1 &&
	"$BIN" --keyring "$KR" netkey rename 0 "main net" > /dev/null 2>&1 &&
	"$BIN" --keyring "$KR" appkey list > "$T/list" 2> "$T/err" &&
	grep -q '^AppKey 0x002 .*"salle à manger"$' "$T/list" && grep -q '^AppKey 0x003 .*"imported"$' "$T/list" &&
	"$BIN" --keyring "$KR" export "$T/cdb.json" > /dev/null 2>&1 &&
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [(k["index"], k["name"]) for k in d["appKeys"]] == [(0, "building"), (2, "salle à manger"), (3, "imported")], d["appKeys"]
assert d["netKeys"][0]["name"] == "main net", d["netKeys"]' "$T/cdb.json" &&
	ok "appkey rename, import --name, netkey rename: listed and in the CDB" ||
	ko "appkey rename, import --name, netkey rename: listed and in the CDB"

# provision --configure with a long -t: -t is the provisioning job's time
# limit there, not the first wait of each Configuration request (it was:
# with 30 % loss a lost request then waited the whole -t before its retry).
# The run retries on the client's own timers and ends long before -t (a
# lost request or answer, near certain at this loss, used to wait all of
# -t); the 300 s guard only stops that hang.
KR="$T/k-t.json"
printf '%s\n' "appkey create --name building" "provision --all --configure $ONE" > "$T/script"
timeout 300 "$BIN" --keyring "$KR" --sim 3 --sim-loss 30 --sim-seed 3 -t 3600 --json \
	-f "$T/script" > "$T/out" 2> "$T/err"; rc=$?
python3 -c '
import json, sys
s = [e for e in map(json.loads, filter(None, open(sys.argv[1]).read().splitlines()))
     if e.get("event") == "configure-summary"]
assert len(s) == 1 and s[0]["configured"] == 3, s' "$T/out" 2>> "$T/err" &&
	[ "$rc" = 0 ] && ok "provision --configure -t 3600: every node configured, on the requests' own timers" ||
	{ echo "    exit $rc"; tail -3 "$T/err"; ko "provision --configure -t 3600: every node configured, on the requests' own timers"; }

echo "# profile: $pass passed, $fail failed"
[ "$fail" = 0 ]
