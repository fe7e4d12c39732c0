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

# ---- batch files, scripts, OOB helpers (issue #5) ----
sum() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }
KR=$T/kr/keyring.json
before=$(sum "$KR")

# A batch file with bad lines: every one named, nothing written.
cat > "$T/bad.txt" <<'END_BAD'
# tray 3
70cf7c9732a345b691494810d2e9cbf4 - lamp-1 0x0100
not-a-uuid
70cf7c9732a345b691494810d2e9cbf5 0011 lamp-2
70cf7c9732a345b691494810d2e9cbf4
END_BAD
check "batch: bad lines are reported with their numbers, exit 2" 2 '
assert "line 3:" in err and "not a device UUID" in err, err
assert "line 4: column 2" in err, err
assert "line 5: this UUID is already on line 2" in err, err
assert "line 2:" not in err and "nothing was done" in err, err
' -- $K --sim 1 provision --batch "$T/bad.txt"
[ "$(sum "$KR")" = "$before" ] && ok "batch: the keyring is untouched after bad lines" \
	|| ko "batch: the keyring is untouched after bad lines"
check "batch: bad lines, fresh keyring path" 2 '' -- --keyring "$T/fresh/kr.json" --sim 1 provision --batch "$T/bad.txt"
[ ! -e "$T/fresh/kr.json" ] && ok "batch: no keyring created on bad input" || ko "batch: no keyring created on bad input"
check "batch: a missing file" 2 'assert "cannot read the batch file" in err and "No such file" in err, err' -- $K --sim 1 provision --batch "$T/nope.txt"
printf '70cf7c9732a345b691494810d2e9cbf4 - taken 0x0002\n' > "$T/taken.txt"
check "batch: an address in use is refused before anything is done" 2 '
assert "line 1: address 0x0002 is used by a node" in err, err
' -- $K --sim 1 provision --batch "$T/taken.txt"
[ "$(sum "$KR")" = "$before" ] && ok "batch: the keyring is untouched after a used address" \
	|| ko "batch: the keyring is untouched after a used address"

# Other bad input: exit 2 and a message naming the problem.
check "bad hex address" 2 'assert "not a unicast address" in err' -- $K node show 0xzz
check "address out of range" 2 'assert "--address takes a unicast address" in err' -- $K provision --address 8000 70cf7c9732a345b691494810d2e9cbf4
check "unknown option of a command" 2 'assert "unknown option" in err' -- $K nodes --frob
check "too many arguments" 2 'assert "too many arguments" in err and "usage:" in err' -- $K node show 2 3
check "bad key" 2 'assert "16 octets" in err' -- $K netkey import 5 0011
check "unknown subcommand" 2 'assert "unknown subcommand" in err and "show, rename, remove" in err' -- $K node frob
check "shell-only command" 2 'assert "only in the shell" in err' -- $K cancel
[ "$(sum "$KR")" = "$before" ] && ok "bad input wrote nothing" || ko "bad input wrote nothing"

# The batch file for real: simulated devices' UUIDs are random, so a
# script on stdin scans first, then the batch file is written from what
# was heard and provisioned by the same process.
python3 - "$BIN" "$KR" "$T" > "$T/out" 2> "$T/err" <<'END_PY'
import json, subprocess, sys
bin, kr, tmp = sys.argv[1:4]
p = subprocess.Popen([bin, "--keyring", kr, "--json", "--sim", "3", "--sim-oob", "static"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
p.stdin.write("scan 2\n"); p.stdin.flush()
uuids = []
while len(uuids) < 3:
    l = json.loads(p.stdout.readline())
    if l["event"] == "beacon" and l["uuid"] not in uuids:
        uuids.append(l["uuid"])
with open(tmp + "/good.txt", "w") as f:
    f.write("# uuid, static OOB, name, address\n")
    f.write("%s 00112233445566778899aabbccddeeff lamp-1 0x0100\n" % uuids[0])
    f.write('%s,00112233445566778899aabbccddeeff,"hall lamp",0200\n' % uuids[1])
    f.write("%s ffffffffffffffffffffffffffffffff wrong-oob\n" % uuids[2])
p.stdin.write("provision --batch %s/good.txt\n" % tmp); p.stdin.close()
print(p.stdout.read(), end="")
sys.exit(p.wait())
END_PY
rc=$?
if [ "$rc" = 1 ] && python3 - "$T/out" <<'END_PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ok = {l["name"]: l for l in lines if l["event"] == "provisioned"}
assert ok["lamp-1"]["address"] == 0x100 and ok["hall lamp"]["address"] == 0x200, ok
assert all(l["auth"] == "static" for l in ok.values())
f = [l for l in lines if l["event"] == "failed"]
assert len(f) == 1 and f[0]["reason"] == "confirmation-failed" and f[0]["name"] == "wrong-oob", f
s = [l for l in lines if l["event"] == "summary"][-1]
assert s["provisioned"] == 2 and s["failed"] == 1, s
END_PY
then ok "batch: names, addresses, per-line static OOB; one wrong value fails alone (exit 1)"
else echo "    exit $rc"; sed 's/^/    /' "$T/err" | head; ko "batch: names, addresses, per-line static OOB; one wrong value fails alone (exit 1)"; fi
check "batch: the names are in the keyring" 0 '
n = {l.get("name"): l["address"] for l in ev("node")}
assert n.get("lamp-1") == 0x100 and n.get("hall lamp") == 0x200, n
' -- $K --json nodes

# PB-GATT against simulated devices: half advertise PB-GATT only.
check "PB-GATT and PB-ADV at once: every device over its bearer" 0 '
p = ev("provisioned"); assert len(p) == 4, lines
assert sorted(l["bearer"] for l in p) == ["adv", "adv", "gatt", "gatt"], p
b = {l["uuid"]: l["bearer"] for l in ev("beacon")}
assert all(b[l["uuid"]] == l["bearer"] for l in p), (b, p)
' -- --keyring "$T/gatt/kr.json" --json --sim 4 --sim-bearer mixed provision --all
check "--bearer gatt on a device offering both" 0 '
p = ev("provisioned"); assert len(p) == 2 and all(l["bearer"] == "gatt" for l in p), p
' -- --keyring "$T/gatt/kr.json" --json --sim 2 --sim-bearer both provision --all --bearer gatt
check "--bearer gatt for a device heard only on PB-ADV: not found" 1 '
f = ev("failed"); assert len(f) == 1 and f[0]["reason"] == "not-found", lines
' -- --keyring "$T/gatt/kr.json" --json --sim 1 --sim-seed 9 -t 2 provision --bearer gatt \
	"$("$BIN" --keyring "$T/gatt/kr.json" --json --sim 1 --sim-seed 9 scan 1 | sed -n 's/.*"beacon","uuid":"\([^"]*\)".*/\1/p' | head -1)"
check "--bearer takes auto, adv or gatt" 2 'assert "--bearer takes auto, adv or gatt" in err, err' -- $K --sim 1 provision --all --bearer usb
check "--sim-bearer is checked, the option named" 2 'assert "wifi" in err and "for option --sim-bearer." in err, err' -- $K --sim-bearer wifi --sim 1 nodes

# The AUTH column's output:VALUE: a value known in advance. --sim-seed
# makes the simulated UUIDs known; the number a device shows is not.
u=$("$BIN" --keyring "$T/seeded/kr.json" --json --sim 1 --sim-seed 7 scan 1 |
	python3 -c 'import json, sys; print([json.loads(l)["uuid"] for l in sys.stdin if "beacon" in l][0])')
printf '# a device that shows letters cannot be told a number, and back\n%s output:ABC lamp\n' "$u" > "$T/outb.txt"
check "batch: an output:VALUE that cannot fit fails that device, naming the line" 1 '
f = ev("failed"); assert len(f) == 1 and f[0]["reason"] == "cancelled", f
assert "line 2" in err and "ABC" in err and "number of 6 digit" in err, err
assert not ev("provisioned")
' -- --keyring "$T/seeded/kr.json" --json --sim 1 --sim-seed 7 --sim-oob output provision --batch "$T/outb.txt"
printf '%s,output:1\n' "$u" > "$T/outb.txt"
check "batch: a wrong output:VALUE is a confirmation failure" 1 '
f = ev("failed"); assert len(f) == 1 and f[0]["reason"] == "confirmation-failed", f
assert ev("oob-output") and not ev("provisioned"), lines
' -- --keyring "$T/seeded/kr.json" --json --sim 1 --sim-seed 7 --sim-oob output provision --batch "$T/outb.txt"

# --oob-cmd: called with UUID, method, action, size [value]; stdout is the value.
# This helper reads what the simulated device displays from meshprov's own output.
cat > "$T/oob-out.sh" <<END_SH
#!/bin/sh
echo "\$@" >> "$T/oob.log"
for i in 1 2 3 4 5 6 7 8 9 10; do
	v=\$(grep '"sim-output"' "$T/out" | grep "\$1" | sed 's/.*"value":"\\([0-9A-Z]*\\)".*/\\1/' | tail -1)
	[ -n "\$v" ] && { echo "\$v"; exit 0; }
	sleep 0.1
done
exit 1
END_SH
chmod +x "$T/oob-out.sh"
rm -f "$T/oob.log"
check "--oob-cmd answers Output OOB" 0 '
p = ev("provisioned"); assert len(p) == 2 and all(l["auth"] == "output" for l in p), lines
log = open(sys.argv[1].rsplit("/", 1)[0] + "/oob.log").read().split("\n")
assert sum(1 for l in log if " output numeric 6" in l) == 2, log
' -- $K --json --sim 2 --sim-oob output --oob-cmd "$T/oob-out.sh" provision --all
rm -f "$T/oob.log"
check "--oob-cmd is told the Input OOB value" 0 '
i = {l["uuid"]: l["value"] for l in ev("oob-input")}
log = [l.split() for l in open(sys.argv[1].rsplit("/", 1)[0] + "/oob.log").read().splitlines()]
assert len(log) == 1 and log[0][1] == "input" and log[0][4] == i[log[0][0]], (log, i)
' -- $K --json --sim 1 --sim-oob input provision --all --oob-cmd "echo >> $T/oob.log"
check "a failing --oob-cmd cancels that device, exit 1" 1 '
f = ev("failed"); assert len(f) == 1 and f[0]["reason"] == "cancelled", lines
assert "OOB helper failed" in err, err
' -- $K --json --sim 1 --sim-oob output --oob-cmd false provision --all

# Command files: stop at the first failure, or go on with --keep-going.
printf 'nodes\nfrobnicate\nnetkey list\n' > "$T/cmds"
check "-f stops at the first failure" 2 '
assert "cmds:2" in err, err
assert ev("node") and not ev("netkey"), lines
' -- $K --json -f "$T/cmds"
check "-f --keep-going runs the rest" 2 '
assert ev("node") and ev("netkey"), lines
' -- $K --json --keep-going -f "$T/cmds"

# Keys, IV index, CDB round trip.
check "netkey create" 0 'assert ev("netkey-created")[0]["netkey"] == "0x001", lines' -- $K --json netkey create
check "appkey create bound to it" 0 '' -- $K appkey create 5 --netkey 1
check "appkey list: keys hidden" 0 '
a = ev("appkey"); assert a[0]["index"] == 5 and a[0]["netkey"] == 1 and "key" not in a[0], a
' -- $K --json appkey list
check "netkey delete of a bound key is refused" 1 '' -- $K netkey delete 1
check "iv-index set" 0 'assert ev("iv-index")[0]["iv_index"] == "0x00000005", lines' -- $K --json iv-index 5
check "iv-index never goes back" 1 '' -- $K iv-index 4
check "export for import" 0 '' -- $K export "$T/cdb2.json"
check "import into a fresh keyring, taking over" 0 '' -- --keyring "$T/kr2/k.json" import --adopt "$T/cdb2.json"
check "imported nodes" 0 '
n = ev("node"); assert sum(1 for l in n if l.get("name") == "lamp-1") == 1, n
' -- --keyring "$T/kr2/k.json" --json nodes

# Text output is for people: progress per phase, no colour codes in a file.
check "human output to a file" 0 '' -- $K --sim 1 provision --all
grep -q "$(printf '\033')" "$T/out" && ko "no colour codes in a file" || ok "no colour codes in a file"
grep -q ": invite" "$T/out" && ok "human output shows progress per phase" || ko "human output shows progress per phase"

# --sim-seed: the same seed, the same devices; another seed, others.
u1=$("$BIN" $K --json --sim 2 --sim-seed 7 scan --duration 1 | python3 -c 'import json,sys; print(sorted({json.loads(l)["uuid"] for l in sys.stdin if "beacon" in l}))')
u2=$("$BIN" $K --json --sim 2 --sim-seed 7 scan --duration 1 | python3 -c 'import json,sys; print(sorted({json.loads(l)["uuid"] for l in sys.stdin if "beacon" in l}))')
u3=$("$BIN" $K --json --sim 2 --sim-seed 8 scan --duration 1 | python3 -c 'import json,sys; print(sorted({json.loads(l)["uuid"] for l in sys.stdin if "beacon" in l}))')
[ "$u1" = "$u2" ] && [ "$u1" != "$u3" ] && [ "$u1" != "[]" ] && ok "--sim-seed makes the devices reproducible" || ko "--sim-seed makes the devices reproducible"

# Encryption at rest: the passphrase from a file or a descriptor, never argv.
E="--keyring $T/enc/keyring.json"
"$BIN" $E --sim 1 provision --all > /dev/null 2>&1
printf 'correct horse\n' > "$T/pass"; printf 'wrong\n' > "$T/bad-pass"
[ -f "$T/enc/keyring.json.bak" ] && ok "a save keeps the previous version in .bak" ||
	ko "a save keeps the previous version in .bak"
check "keyring encrypt" 0 '' -- $E --passphrase-file "$T/pass" keyring encrypt
grep -q '"meshprov-keyring-encrypted"' "$T/enc/keyring.json" && ! grep -qi 'deviceKey\|netKey' "$T/enc/keyring.json" &&
	ok "the encrypted file holds no key in clear" || ko "the encrypted file holds no key in clear"
# issue 12: the backup must not keep the keys in clear after encrypt
if grep -qi 'deviceKey\|netKey' "$T/enc/"* 2>/dev/null; then
	ko "after encrypt no file beside the keyring holds the keys in clear"
else
	ok "after encrypt no file beside the keyring holds the keys in clear"
fi
cmp -s "$T/enc/keyring.json" "$T/enc/keyring.json.bak" && ok "after encrypt the backup is the encrypted keyring" ||
	ko "after encrypt the backup is the encrypted keyring"
grep -q '"log2N": 17' "$T/enc/keyring.json" && ok "scrypt cost 2^17 by default" || ko "scrypt cost 2^17 by default"
check "keyring encrypt --scrypt-cost out of range: exit 2" 2 'assert "10 to 18" in err' -- $E --passphrase-file "$T/pass" keyring encrypt --scrypt-cost 19
check "new passphrase with --scrypt-cost 12" 0 '' -- $E --passphrase-file "$T/pass" keyring encrypt --scrypt-cost 12
grep -q '"log2N": 12' "$T/enc/keyring.json" && ok "--scrypt-cost sets log2N" || ko "--scrypt-cost sets log2N"
check "encrypted keyring without a passphrase: exit 4, says how" 4 'assert "--passphrase-fd" in err' -- $E nodes
check "wrong passphrase: exit 4" 4 'assert "wrong passphrase" in err' -- $E --passphrase-file "$T/bad-pass" nodes
"$BIN" $E --json --passphrase-fd 3 nodes 3< "$T/pass" > "$T/out" 2>&1 &&
	[ "$(grep -c '"event":"node"' "$T/out")" = 2 ] && ok "passphrase from a descriptor opens it" ||
	ko "passphrase from a descriptor opens it"
check "keyring decrypt" 0 '' -- $E --passphrase-file "$T/pass" keyring decrypt
check "plain again" 0 'assert len(ev("node")) == 2' -- $E --json nodes

# ---- the keyring's neighbours (issue #12) ----
# export to the standard output; never a file named "-", never /dev/stdout replaced
case $BIN in /*) ABS=$BIN;; *) ABS=$PWD/$BIN;; esac
(cd "$T" && "$ABS" $K export - > "$T/stdout.json" 2> "$T/err"); rc=$?
if [ $rc = 0 ] && [ ! -e "$T/-" ] && python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['nodes']" "$T/stdout.json"; then
	ok "export - writes the CDB to the standard output"
	"$BIN" $K export /dev/stdout > "$T/stdout2.json" 2> "$T/err" && [ -L /dev/stdout ] &&
		python3 -c "import json,sys; a, b = (json.load(open(f)) for f in sys.argv[1:]); a.pop('timestamp'); b.pop('timestamp'); assert a == b" "$T/stdout.json" "$T/stdout2.json" &&
		ok "export /dev/stdout writes to the standard output, /dev/stdout stays" ||
		ko "export /dev/stdout writes to the standard output, /dev/stdout stays"
else
	# (on an old meshprov, /dev/stdout is not tried: it would be replaced)
	ko "export - writes the CDB to the standard output"
fi
mkfifo "$T/fifo"; ln -s /proc/self/fd/1 "$T/out-link"; mkdir "$T/outdir"
check "export to a FIFO is refused: exit 2" 2 'assert "FIFO" in err and "not a regular file" in err, err' -- $K export "$T/fifo"
[ -p "$T/fifo" ] && ok "the FIFO is still a FIFO" || ko "the FIFO is still a FIFO"
check "export to a symbolic link is refused: exit 2" 2 'assert "symbolic link" in err, err' -- $K export "$T/out-link"
[ -L "$T/out-link" ] && ok "the link is still a link" || ko "the link is still a link"
check "export to a directory is refused: exit 2" 2 'assert "directory" in err, err' -- $K export "$T/outdir"
mkdir "$T/open"; chmod 777 "$T/open"
check "export into a directory others can write is refused" 4 'assert "chmod go-w" in err, err' -- $K export "$T/open/cdb.json"
[ ! -e "$T/open/cdb.json" ] && ok "nothing written there" || ko "nothing written there"
# the keyring's own directory
mkdir "$T/shared"; chmod 777 "$T/shared"
check "a keyring in a directory others can write is refused: exit 4" 4 "assert 'chmod go-w $T/shared' in err, err" -- --keyring "$T/shared/kr.json" nodes
[ -z "$(ls -A "$T/shared")" ] && ok "nothing created in it" || ko "nothing created in it"
mkdir "$T/fifokr"; mkfifo "$T/fifokr/kr.json"
if command -v timeout > /dev/null; then
	# SIGKILL: a meshprov blocked in open() has SIGTERM blocked
	timeout -s KILL 10 "$BIN" --keyring "$T/fifokr/kr.json" nodes > "$T/out" 2> "$T/err"; rc=$?
	[ $rc = 4 ] && grep -q FIFO "$T/err" && ok "a FIFO at the keyring path: exit 4 at once, named" ||
		{ echo "    exit $rc"; ko "a FIFO at the keyring path: exit 4 at once, named"; }
fi
if command -v timeout > /dev/null; then
	timeout -s KILL 10 "$BIN" $K import --replace "$T/fifo" > "$T/out" 2> "$T/err"; rc=$?
	[ $rc = 2 ] && grep -q "not a regular file" "$T/err" && ok "import from a FIFO: exit 2 at once" ||
		{ echo "    exit $rc"; ko "import from a FIFO: exit 2 at once"; }
fi
# import --replace keeps what it replaces, and says where
before=$(sum "$KR")
check "import --replace names the kept keyring" 0 '
r = ev("keyring-replaced"); assert len(r) == 1, lines
open("'"$T"'/kept", "w").write(r[0]["backup"])
' -- $K --json import --replace --adopt "$T/cdb2.json"
kept=$(cat "$T/kept" 2>/dev/null)
[ -n "$kept" ] && [ "$(sum "$kept")" = "$before" ] && [ "$(stat -c %a "$kept")" = 600 ] &&
	ok "the kept keyring is the one replaced, mode 0600" || ko "the kept keyring is the one replaced, mode 0600"
"$BIN" $K import --replace --adopt "$T/cdb2.json" > "$T/out" 2>&1 && grep -q "replaced is kept in $T/kr/keyring.json.replaced-" "$T/out" &&
	ok "import --replace in text says it too" || ko "import --replace in text says it too"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
