#!/bin/sh
# The real meshprov binary in batch mode against simulated devices: every
# authentication method, the JSON lines parsed and checked, exit codes, and
# bad command lines. Run by `make check` (MESHPROV points at the binary).
set -u
BIN=${MESHPROV:-./meshprov}
T=$(mktemp -d /tmp/meshprov-cli.XXXXXX)
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

K="--keyring $T/kr/keyring.json"

check "no OOB: 3 devices, distinct addresses" 0 '
p = ev("provisioned")
assert len(p) == 3, p
assert len({l["address"] for l in p}) == 3
assert all(l["auth"] == "none" and l["algorithm"] == "hmac-sha256" for l in p)
assert ev("summary")[0]["provisioned"] == 3
assert len(ev("beacon")) >= 3
' -- $K --json --sim 3 provision --all

check "the keyring lists them, and the provisioner itself" 0 '
n = ev("node")
assert len(n) == 4, n
assert sum(1 for l in n if l["self"]) == 1
assert all(l["state"] == "complete" for l in n if not l["self"])
' -- $K --json nodes

check "static OOB, CMAC forced" 0 '
p = ev("provisioned"); assert len(p) == 2
assert all(l["auth"] == "static" and l["algorithm"] == "cmac-aes128" for l in p)
' -- $K --json --sim 2 --sim-oob static provision --all --alg cmac --auth static:00112233445566778899aabbccddeeff

check "wrong static OOB: confirmation failed, exit 1" 1 '
f = ev("failed"); assert len(f) == 1, lines
assert f[0]["reason"] == "confirmation-failed", f
assert not ev("provisioned")
' -- $K --json --sim 1 --sim-oob static provision --all --auth static:ffffffffffffffffffffffffffffffff

check "output OOB: the device shows, the value is typed" 0 '
assert len(ev("oob-output")) == 2 and len(ev("sim-output")) == 2
assert all(l["auth"] == "output" for l in ev("provisioned"))
' -- $K --json --sim 2 --sim-oob output provision --all

check "input OOB: we show, the device takes it" 0 '
i = ev("oob-input"); assert len(i) == 2
assert all(1 <= int(l["value"]) <= 9999 for l in i)
assert all(l["auth"] == "input" for l in ev("provisioned"))
' -- $K --json --sim 2 --sim-oob input provision --all

check "30% loss, duplicates and delay: still every device" 0 '
assert len(ev("provisioned")) == 6
' -- $K --json --sim 6 --sim-loss 30 --sim-dup 10 --sim-delay 40 provision --all

check "100% loss: timeout, exit 1" 1 '
assert not ev("provisioned")
' -- $K --json --sim 1 --sim-loss 100 --timeout 3 provision --all

check "human output" 0 "" -- $K --sim 1 provision --all
grep -q "provisioned: address 0x" "$T/out" && ok "human output says provisioned" || ko "human output says provisioned"

# Usage errors: exit 2 and a message naming the problem.
check "unknown command" 2 'assert "unknown command" in err' -- $K frobnicate
check "bad UUID" 2 'assert "not a device UUID" in err' -- $K --sim 1 provision 1234
check "bad --auth" 2 'assert "--auth takes" in err' -- $K --sim 1 provision --all --auth static:12
check "bad --sim" 2 'assert "invalid value" in err' -- $K --sim -1 provision --all
check "--all with UUIDs" 2 'assert "not both" in err' -- $K --sim 1 provision --all 70cf7c9732a345b691494810d2e9cbf4
check "no controller: exit 3 and the way out" 3 'assert "--sim" in err' -- $K provision --all

# Keyring problems: exit 4.
chmod 644 "$T/kr/keyring.json"
check "keyring readable by others is refused" 4 'assert "chmod" in err' -- $K nodes
chmod 600 "$T/kr/keyring.json"
printf '{"broken' > "$T/bad.json"; chmod 600 "$T/bad.json"
check "corrupt keyring is reported, not overwritten" 4 '' -- --keyring "$T/bad.json" nodes
[ "$(cat "$T/bad.json")" = '{"broken' ] && ok "corrupt keyring left as it was" || ko "corrupt keyring left as it was"

check "export" 0 '' -- $K export "$T/cdb.json"
python3 -c "
import json,sys; d=json.load(open('$T/cdb.json'))
assert len(d['nodes']) >= 14, len(d['nodes'])
assert all(n.get('deviceKey') for n in d['nodes'])
" && ok "export is a CDB with every node" || ko "export is a CDB with every node"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
