#!/bin/sh
# Groups by name with the real binary (issue #14): group add (an address,
# the lowest free one, a virtual label), refusals, list (text and --json),
# show, and remove refused while a node imported from a CDB uses the group.
set -u
NAME=groups; . "${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
CHECK_TEXT=1	# text output is read as text

K="--keyring $T/kr.json"

# a keyring of its own, with no group yet
"$BIN" $K netkey create > /dev/null 2>&1
check "group list: empty" 0 'assert open(sys.argv[1]).read() == "no groups\n", open(sys.argv[1]).read()' \
	-- $K group list
check "group list --json: empty" 0 'assert lines == [], lines' -- $K group list --json
check "group add: the lowest free address" 0 '
g = ev("group"); assert len(g) == 1 and g[0]["name"] == "lights" and g[0]["address"] == 0xc000, g
assert g[0]["virtual_label"] is None and g[0]["nodes"] == 0, g
' -- $K --json group add lights
check "group add: an address" 0 'g = ev("group"); assert g[0]["address"] == 0xc005, g' \
	-- $K --json group add hall c005
check "group add: virtual" 0 '
g = ev("group"); assert len(g[0]["virtual_label"]) == 32 and 0x8000 <= g[0]["address"] < 0xc000, g
' -- $K --json group add scene virtual
check "group add: a Label UUID" 0 '
g = ev("group"); assert g[0]["virtual_label"] == "0073e7e4d8b9440faf8415df4c56c0e1", g
assert g[0]["address"] == 0xb529, g
' -- $K --json group add label 0073E7E4-D8B9-440F-AF84-15DF4C56C0E1
check "group add: the next lowest free address" 0 'g = ev("group"); assert g[0]["address"] == 0xc001, g' \
	-- $K --json group add stairs
check "group add: a name twice" 1 'assert "lights" in err and "already" in err, err' \
	-- $K group add lights c010
check "group add: an address twice" 1 'assert "hall" in err, err' -- $K group add other c005
check "group add: outside the range, named" 1 '
assert "C000-CFFF" in err and "station grow" in err, err' -- $K group add far fe00
check "group add: not a group address" 2 'assert "not a group address" in err, err' \
	-- $K group add bad 0005
check "group list" 0 '
t = open(sys.argv[1]).read().splitlines()
assert [l.split()[0] for l in t] == ["lights", "hall", "scene", "label", "stairs"], t
assert t[1].split()[1] == "c005", t
' -- $K group list
check "group list --json" 0 '
assert [g["name"] for g in ev("group")] == ["lights", "hall", "scene", "label", "stairs"], lines
' -- $K group list --json
check "group remove" 0 '' -- $K group remove hall
check "group remove: gone" 1 'assert "no group named" in err, err' -- $K group show hall
check "group add: a removed address is free again" 0 'assert ev("group")[0]["address"] == 0xc005, lines' \
	-- $K --json group add hall2 c005

# A network imported from nRF Mesh: node 0005's Generic OnOff Server
# subscribes to "Living room" (c000) and to the virtual "Scene lights".
N="--keyring $T/nrf.json"
"$BIN" $N import "$SRC/tests/vectors/cdb/nrf-android-cdb10.json" > /dev/null 2>&1
check "group list: the nodes that use each" 0 '
g = {x["name"]: x for x in ev("group")}
assert g["Living room"]["address"] == 0xc000 and g["Living room"]["nodes"] == 1, g
assert g["Scene lights"]["virtual_label"] == "0073e7e4d8b9440faf8415df4c56c0e1", g
assert g["Scene lights"]["nodes"] == 1, g
' -- $N group list --json
check "group show: the node and model" 0 '
assert "node 0005" in open(sys.argv[1]).read() and "model 1000" in open(sys.argv[1]).read()
' -- $N group show "Living room"
check "group remove: refused while used, naming node and model" 1 '
assert "0005" in err and "1000" in err and "--force" in err, err' -- $N group remove "Living room"
check "group remove: still there" 0 'assert len(ev("group")) == 1, lines' -- $N group show "Living room" --json
check "group remove --force" 0 '' -- $N group remove --force "Living room"
check "group remove --force: gone" 0 'assert [g["name"] for g in ev("group")] == ["Scene lights"], lines' \
	-- $N group list --json

finish
