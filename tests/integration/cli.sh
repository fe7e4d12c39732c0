#!/bin/sh
# The real meshprov binary in batch mode against simulated devices: every
# authentication method, the JSON lines parsed and checked, exit codes, and
# bad command lines. Run by `make check` (MESHPROV points at the binary).
set -u
# KEEP=1 keeps the temporary directory; the harness: tests/integration/lib.sh
NAME=cli; . "${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

K="--keyring $T/kr/keyring.json"

# --oob-cmd: called with UUID, method, action, size [value]; stdout is the value.
# Output OOB has no simulated person typing it back (issue 16): outside a
# terminal a helper reads it, as on hardware. This helper reads what the simulated device displays from meshprov's own output.
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
# (what it was called with goes to $T/oob.log)

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

# Issue 12: no silent downgrade to No OOB.
check "static OOB offered, no value: refused (auth-needed), not No OOB" 1 '
f = ev("failed"); assert len(f) == 2, lines
assert all(l["reason"] == "auth-needed" and "--auth static:HEX" in l["detail"] for l in f), f
assert not ev("provisioned")
assert not [l for l in ev("phase") if l["phase"] in ("start", "public-key", "data")]
' -- $K --json --sim 2 --sim-oob static provision --all

check "static OOB offered, --auth none: the user accepts no authentication" 0 '
p = ev("provisioned"); assert len(p) == 1 and p[0]["auth"] == "none", lines
' -- $K --json --sim 1 --sim-oob static provision --all --auth none

check "--require-auth: a No OOB device is refused (auth-required)" 1 '
f = ev("failed"); assert len(f) == 1 and f[0]["reason"] == "auth-required", lines
assert not ev("provisioned")
' -- $K --json --sim 1 provision --all --require-auth

check "--require-auth: an authenticated method passes" 0 '
assert [l["auth"] for l in ev("provisioned")] == ["output"], lines
' -- $K --json --sim 1 --sim-oob output --oob-cmd "$T/oob-out.sh" provision --all --require-auth

check "--require-auth with --auth none is a usage error" 2 'assert "--require-auth" in err' -- $K --sim 1 provision --all --require-auth --auth none

check "--max-elements: a device claiming more is refused before Start" 1 '
f = ev("failed"); assert len(f) == 1 and f[0]["reason"] == "too-many-elements", lines
assert "claims 2 elements" in f[0]["detail"], f
' -- $K --json --sim 2 --sim-seed 7 provision --all --max-elements 1 --max-failures 0 --count 2

check "bad --max-elements" 2 'assert "--max-elements takes" in err' -- $K --sim 1 provision --all --max-elements 256
check "bad --max-unconfirmed" 2 'assert "--max-unconfirmed takes" in err' -- $K --sim 1 provision --all --max-unconfirmed -1

check "provision --all stops after 5 failures in a row" 1 '
assert len(ev("failed")) == 5, lines
assert ev("summary")[0] == {"event": "summary", "provisioned": 0, "failed": 5, "cancelled": 0}, lines
assert "stopped after 5 failures in a row" in err, err
' -- $K --json -j 1 --sim 8 --sim-oob static provision --all

check "--max-failures 2" 1 '
assert len(ev("failed")) == 2 and "stopped after 2" in err, lines
' -- $K --json -j 1 --sim 4 --sim-oob static provision --all --max-failures 2

check "wrong static OOB: confirmation failed, exit 1" 1 '
f = ev("failed"); assert len(f) == 1, lines
assert f[0]["reason"] == "confirmation-failed", f
assert not ev("provisioned")
' -- $K --json --sim 1 --sim-oob static provision --all --auth static:ffffffffffffffffffffffffffffffff

check "output OOB: the device shows, the value is typed" 0 '
assert len(ev("oob-output")) == 2 and len(ev("sim-output")) == 2
assert all(l["auth"] == "output" for l in ev("provisioned"))
' -- $K --json --sim 2 --sim-oob output --oob-cmd "$T/oob-out.sh" provision --all
# Issue 16: nobody to read the device (not a terminal, no helper): as on
# hardware, refused; --auth output before anything is sent (exit 2), the
# device that asks under --auth auto when it asks, as auth-needed (exit 1)
check "output OOB, no terminal, no helper: --auth output refused before any radio traffic" 2 '
m = " ".join(l["message"] for l in ev("error"))
assert "--auth output: someone must read each device back" in m and "--oob-cmd" in m, lines
assert "nothing was sent" in m and not ev("beacon") and not ev("phase"), lines
' -- $K --json --sim 1 --sim-oob output provision --all --auth output
check "output OOB, no terminal, no helper: the device that asks is refused, auth-needed" 1 '
f = ev("failed"); assert len(f) == 1 and f[0]["reason"] == "auth-needed", lines
assert "nobody is there to read it" in f[0]["detail"], f
assert "stdin is not a terminal" in err and "--oob-cmd" in err, err
assert not ev("provisioned") and ev("summary")[0]["cancelled"] == 0, lines
' -- $K --json --sim 1 --sim-oob output provision --all

check "input OOB: we show, the device takes it" 0 '
i = ev("oob-input"); assert len(i) == 2
assert all(1 <= int(l["value"]) <= 9999 for l in i)
assert all(l["auth"] == "input" for l in ev("provisioned"))
' -- $K --json --sim 2 --sim-oob input provision --all

check "30% loss, duplicates and delay: still every device" 0 '
assert len(ev("provisioned")) == 6
' -- $K --json --sim 6 --sim-loss 30 --sim-dup 10 --sim-delay 40 provision --all

# Issue 16: nothing heard is not success; with --sim, as on a real line
# (this asserted exit 1 before exit 5 existed)
check "100% loss: nothing heard, exit 5, said" 5 '
assert not ev("provisioned")
assert "no device to provision was heard" in ev("error")[0]["message"], lines
' -- $K --json --sim 1 --sim-loss 100 --timeout 3 provision --all

# Issue 16: --all ends when the tray is done, on the simulator as on a real
# line (it must not stop because it knows how many devices it made).
IK="--keyring $T/idle/k.json"
check "--all --idle: the tray is done once nothing new is heard" 0 '
assert len(ev("provisioned")) == 2 and ev("summary")[0]["provisioned"] == 2, lines
' -- $IK --json --sim 2 --sim-seed 11 provision --all --idle 1
check "--all on a tray of nodes only: exit 5, said, not an empty success" 5 '
assert not ev("provisioned") and not ev("failed"), lines
m = ev("error")[0]["message"]
assert "no device to provision was heard" in m and "only nodes of this network" in m, m
' -- $IK --json --sim 2 --sim-seed 11 provision --all
check "--count not reached when the tray went idle: exit 1, says how many short" 1 '
assert len(ev("provisioned")) == 1, lines
assert any("--count 3: 2 device(s) short" in l["message"] for l in ev("info")), lines
' -- $IK --json --sim 3 --sim-seed 11 -t 20 provision --all --count 3 --idle 2
check "--idle without --all is a usage error" 2 'assert "--idle" in err, err' -- $IK --sim 1 provision --idle 5 00112233445566778899aabbccddeeff
check "--idle 0 is a usage error" 2 'assert "--idle" in err, err' -- $IK --sim 1 provision --all --idle 0

# Issue 16: a full disk stops the run at the first keyring write error, with
# the OS's words and the file, exit 4, and loses nothing already stored. A
# preload shim fails the keyring's writes after N (no root, no tmpfs).
if ${CC:-cc} -shared -fPIC -o "$T/faildisk.so" "${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/integration/faildisk.c" -ldl 2> /dev/null; then
	FK="--keyring $T/full/k.json"
	export LD_PRELOAD="$T/faildisk.so" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	export FAILDISK_AFTER=3	# the keyring's creation, one device pending and complete
	check "full disk: exit 4 at the first write error, the OS's words and the file" 4 '
assert len(ev("provisioned")) == 1, lines
f = [l for l in ev("failed") if l["reason"] != "cancelled"]
assert len(f) == 1 and f[0]["reason"] == "keyring-write", f
assert "still unprovisioned" in f[0]["detail"], f
assert not [l for l in ev("failed") if l["reason"] == "no-address"], lines
m = " ".join(l["message"] for l in ev("error"))
assert "No space left on device" in m and "'"$T"'/full/k.json" in m, m
assert "stopped at the first keyring write error" in m, m
' -- $FK --json -j 1 --sim 3 --sim-seed 5 provision --all
	export FAILDISK_AFTER=2 FAILDISK_ERRNO=122	# EDQUOT: the completion is not saved
	check "quota: the device done but not recorded complete is said so, exit 4" 4 '
f = ev("failed"); assert len(f) == 1 and f[0]["reason"] == "keyring-write", f
assert "was provisioned as 0x" in f[0]["detail"] and "pending" in f[0]["detail"], f
m = " ".join(l["message"] for l in ev("error"))
assert "Disk quota exceeded" in m, m
' -- --keyring "$T/quota/k.json" --json -j 1 --sim 2 --sim-seed 5 provision --all
	unset LD_PRELOAD FAILDISK_AFTER FAILDISK_ERRNO
	check "... nothing stored before the error was lost" 0 '
n = [l for l in ev("node") if not l["self"]]
assert len(n) == 1 and n[0]["state"] == "complete", lines
' -- $FK --json nodes
	check "... the quota run left its device pending, at its address" 0 '
n = [l for l in ev("node") if not l["self"]]
assert len(n) == 1 and n[0]["state"] == "pending", lines
' -- --keyring "$T/quota/k.json" --json nodes
else
	echo "SKIP: full disk (no C compiler for the preload shim)"
fi

# Issue 16: the shell's smaller items on the real binary: a device whose
# advertising changed is [CHG], never [NEW] twice; ranges named; empty lists said.
"$BIN" --keyring "$T/chg/k.json" --sim 2 --sim-bearer both scan --duration 2 > "$T/out" 2> "$T/err"
[ "$(grep -c '^\[NEW\]' "$T/out")" = 2 ] && grep -q '^\[CHG\] Device #[12] .* bearer changed: bearer adv,gatt' "$T/out" &&
	ok "scan: a device heard on a second bearer is [CHG], not [NEW] again" ||
	ko "scan: a device heard on a second bearer is [CHG], not [NEW] again"
check "--address 0x9000: the provisioner's unicast range named" 2 '
assert "--address 0x9000: not in this provisioner'"'"'s unicast range 0x0001-0x7fff" in err, err
' -- $K --sim 1 provision --address 0x9000 00112233445566778899aabbccddeeff
"$BIN" --keyring "$T/noapp/k.json" netkey create > /dev/null 2>&1
"$BIN" --keyring "$T/noapp/k.json" appkey list > "$T/out" 2>&1 && grep -qx "No AppKeys (appkey create adds one)" "$T/out" &&
	ok "an empty AppKey list says so" || ko "an empty AppKey list says so"

check "human output" 0 "" -- $K --sim 1 provision --all
grep -q "provisioned: address 0x" "$T/out" && ok "human output says provisioned" || ko "human output says provisioned"
grep -q "over PB-ADV, auth none\$" "$T/out" && ok "the [OK] line names the method" || ko "the [OK] line names the method"

# Usage errors: exit 2 and a message naming the problem.
check "unknown command" 2 'assert "unknown command" in err' -- $K frobnicate
check "bad UUID" 2 'assert "not a device UUID" in err' -- $K --sim 1 provision 1234
check "bad --auth" 2 'assert "--auth takes" in err' -- $K --sim 1 provision --all --auth static:12
check "bad --sim" 2 'assert "invalid value" in err' -- $K --sim -1 provision --all
check "a --sim-* option without --sim is refused, naming it" 2 'assert "--sim-oob describes simulated devices: give --sim N" in err, err' -- $K --sim-oob static provision --all
check "... whatever its place" 2 'assert "--sim-seed describes" in err, err' -- $K --sim-seed 7 -t 5 --sim-loss 3 nodes
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

# Issue 12: a batch file's AUTH "required" refuses No OOB for that device.
U9=$("$BIN" $K --json --sim 1 --sim-seed 9 scan 1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["uuid"])')
printf '%s required\n' "$U9" > "$T/req.txt"
check "batch: AUTH required refuses a No OOB device" 1 '
f = ev("failed"); assert len(f) == 1 and f[0]["reason"] == "auth-required", lines
' -- $K --json --sim 1 --sim-seed 9 provision --batch "$T/req.txt"
printf '%s required\n' "$U9" > "$T/req.txt"
check "batch: AUTH required takes an authenticated method" 0 '
assert [l["auth"] for l in ev("provisioned")] == ["output"], lines
' -- $K --json --sim 1 --sim-seed 9 --sim-oob output --oob-cmd "$T/oob-out.sh" provision --batch "$T/req.txt"
printf '%s output\n' "$U9" > "$T/req.txt"
check "batch: AUTH output with no value, no terminal, no helper: refused naming the line" 2 '
m = " ".join(l["message"] for l in ev("error"))
assert "line 1 asks for Output OOB" in m and "nothing was sent" in m, lines
assert not ev("beacon") and not ev("phase"), lines
' -- --keyring "$T/req2/kr.json" --json --sim 1 --sim-seed 9 --sim-oob output provision --batch "$T/req.txt"
before=$(sum "$KR")

# Other bad input: exit 2 and a message naming the problem.
check "bad hex address" 2 'assert "not a unicast address" in err' -- $K node show 0xzz
# issue 16: the range is named (this asserted "--address takes a unicast address")
check "address out of range" 2 'assert "--address 0x8000: not in this provisioner" in err and "0x0001-0x7fff" in err, err' -- $K provision --address 8000 70cf7c9732a345b691494810d2e9cbf4
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

rm -f "$T/oob.log"
check "--oob-cmd answers Output OOB" 0 '
p = ev("provisioned"); assert len(p) == 2 and all(l["auth"] == "output" for l in p), lines
log = open(sys.argv[1].rsplit("/", 1)[0] + "/oob.log").read().split("\n")
assert sum(1 for l in log if " output numeric 6" in l) == 2, log
' -- $K --json --sim 2 --sim-oob output --oob-cmd "$T/oob-out.sh" provision --all
rm -f "$T/oob.log"
# The Input OOB value is in the environment only, never on the helper's
# argv, which /proc/PID/cmdline shows every local user (issue #12).
check "--oob-cmd is told the Input OOB value, in its environment only" 0 '
i = {l["uuid"]: l["value"] for l in ev("oob-input")}
log = [l.split() for l in open(sys.argv[1].rsplit("/", 1)[0] + "/oob.log").read().splitlines()]
assert len(log) == 1 and log[0][2] == "input" and len(log[0]) == 5, (log, i)
assert log[0][0] == "env=" + i[log[0][1]], (log, i)
' -- $K --json --sim 1 --sim-oob input provision --all \
	--oob-cmd "printf 'env=%s ' \$MESHPROV_VALUE >> $T/oob.log; echo >> $T/oob.log"
check "a failing --oob-cmd cancels that device, exit 1" 1 '
f = ev("failed"); assert len(f) == 1 and f[0]["reason"] == "cancelled", lines
assert "OOB helper failed" in err, err
' -- $K --json --sim 1 --sim-oob output --oob-cmd false provision --all

# A command's --oob-cmd is that command's: it is not read after the command
# returned (a use-after-free under ASan) and not used by the next one
# (issue #11). The second provision has no helper and no terminal: its
# device is refused (there is no simulated person since issue 16).
printf '#!/bin/sh\necho "$*" >> "%s/once.log"\nexit 1\n' "$T" > "$T/once.sh"
chmod +x "$T/once.sh"
printf 'provision --all --count 1 --oob-cmd %s/once.sh\nprovision --all --count 1\n' "$T" > "$T/two"
rm -f "$T/once.log"
check "--oob-cmd of one provision does not outlive it" 1 '
f = ev("failed"); p = ev("provisioned")
assert [l["reason"] for l in f] == ["cancelled", "auth-needed"] and not p, lines
log = open(sys.argv[1].rsplit("/", 1)[0] + "/once.log").read().splitlines()
assert len(log) == 1 and log[0].split()[0] == f[0]["uuid"], log
assert "two:1:" in err and "two:2:" in err and "stdin is not a terminal" in err, err
' -- --keyring "$T/once/kr.json" --json --sim 2 --sim-oob output --sim-seed 7 --keep-going -f "$T/two"

# Command files: stop at the first failure, or go on with --keep-going.
printf 'nodes\nfrobnicate\nnetkey list\n' > "$T/cmds"
check "-f stops at the first failure" 2 '
assert "cmds:2" in err, err
assert ev("node") and not ev("netkey"), lines
' -- $K --json -f "$T/cmds"
check "-f --keep-going runs the rest" 2 '
assert ev("node") and ev("netkey"), lines
' -- $K --json --keep-going -f "$T/cmds"

# What scripts echo back: secrets masked, control bytes escaped, a long
# line cut (issue #12).
{
	echo 'appkey import 5 3b7600112233445566778899aabbcc'
	echo 'provision --all --auth static:0011223344556677'
	printf 'frob\033[2J\r\302\233x\n'
	python3 -c 'print("nodes " + "y" * (1 << 20))'
} > "$T/secrets"
check "script errors mask secrets, escape control bytes, cut long lines" 2 '
assert "3b76" not in err and "0011" not in err, err
assert "secrets:1: \x27appkey import 5 ****\x27 failed" in err, err
assert "not \x27static:****\x27" in err and "--auth static:****\x27 failed" in err, err
assert "\x1b" not in err and "\r" not in err and "\xc2\x9b" not in err, repr(err)
assert "frob\\x1b[2J\\x0d\\xc2\\x9bx" in err, err
assert len(err) < 4000 and "(1048582 bytes)" in err, len(err)
' -- $K --sim 1 --keep-going -f "$T/secrets"

check "a bad global option value is echoed escaped" 2 '
assert "\x1b" not in err and "a\\x1bb" in err, repr(err)
' -- $K --sim-bearer "$(printf 'a\033b')" nodes

# Secrets off the command line (issue #12): a static OOB value or a key
# from a file (@FILE) or stdin (-); a wrong value from a file fails the
# confirmation, so the value read is the one used.
S="--keyring $T/sec/kr.json"
echo 00112233445566778899aabbccddeeff > "$T/oob"
echo ffffffffffffffffffffffffffffffff > "$T/bad-oob"
check "static:@FILE" 0 '
p = ev("provisioned"); assert len(p) == 1 and p[0]["auth"] == "static", lines
' -- $S --json --sim 1 --sim-oob static provision --all --auth "static:@$T/oob"
check "static:@FILE, a wrong value" 1 '
f = ev("failed"); assert len(f) == 1 and f[0]["reason"] == "confirmation-failed", lines
' -- $S --json --sim 1 --sim-oob static provision --all --auth "static:@$T/bad-oob"
"$BIN" $S --json --sim 1 --sim-oob static provision --all --auth static:- < "$T/oob" > "$T/out" 2>&1 &&
	grep -q '"event":"provisioned".*"auth":"static"' "$T/out" && ok "static:- reads stdin" ||
	ko "static:- reads stdin"
check "static:@FILE, no such file: exit 2, named" 2 '
assert "nope" in err and "No such file" in err, err
' -- $S --sim 1 provision --all --auth "static:@$T/nope"
echo 3b7600112233445566778899aabbccdd > "$T/netkey"
check "netkey import INDEX @FILE" 0 '' -- $S netkey import 7 "@$T/netkey"
echo 1b7600112233445566778899aabbccdd | "$BIN" $S appkey import 8 - --netkey 7 > /dev/null 2>&1 &&
	ok "appkey import INDEX - reads stdin" || ko "appkey import INDEX - reads stdin"
check "the imported keys are the ones read" 0 '
k = {l["index"]: l["key"] for l in ev("netkey") + ev("appkey")}
assert k[7] == "3b7600112233445566778899aabbccdd" and k[8] == "1b7600112233445566778899aabbccdd", k
' -- $S --json -f - <<'END_CMDS'
netkey list --show-keys
appkey list --show-keys
END_CMDS
check "appkey import INDEX -, in a script on stdin: the next line" 0 '
k = {l["index"]: l["key"] for l in ev("appkey")}
assert k[9] == "2b7600112233445566778899aabbccdd", k
' -- $S --json -f - <<'END_CMDS'
appkey import 9 - --netkey 7
2b7600112233445566778899aabbccdd
appkey list --show-keys
END_CMDS

# Keys, IV index, CDB round trip.
check "netkey create" 0 'assert ev("netkey-created")[0]["index"] == 1, lines' -- $K --json netkey create
check "appkey create bound to it" 0 '' -- $K appkey create 5 --netkey 1
check "appkey list: keys hidden" 0 '
a = ev("appkey"); assert a[0]["index"] == 5 and a[0]["netkey"] == 1 and "key" not in a[0], a
' -- $K --json appkey list
check "netkey delete of a bound key is refused" 1 '' -- $K netkey delete 1
check "iv-index set" 0 'assert ev("iv-index")[0]["iv_index"] == 5 and ev("iv-index")[0]["iv_update"] is False, lines' -- $K --json iv-index 5
check "iv-index never goes back" 1 '' -- $K iv-index 4
check "export for import" 0 '' -- $K export "$T/cdb2.json"
check "import without room for a new provisioner names --adopt, no internal name" 1 'assert "import --adopt" in err and "MP_" not in err, err' -- --keyring "$T/kr3/k.json" --json import "$T/cdb2.json"
check "import into a fresh keyring, taking over" 0 '' -- --keyring "$T/kr2/k.json" import --adopt "$T/cdb2.json"
check "imported nodes" 0 '
n = ev("node"); assert sum(1 for l in n if l.get("name") == "lamp-1") == 1, n
' -- --keyring "$T/kr2/k.json" --json nodes

# Issue 14: a node's configuration (composition, bindings, subscriptions,
# publication, settings) and the groups come in with a CDB, stay in the
# keyring, and go out again in the CDB's own shape.
V=${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/vectors/cdb
check "import a CDB with configured nodes (nRF Mesh, Android)" 0 '' -- --keyring "$T/kr4/k.json" import --adopt "$V/nrf-android-cdb10.json"
check "export shows each node's elements[].models[] and the groups" 0 '' -- --keyring "$T/kr4/k.json" export "$T/cdb4.json"
python3 - "$T/cdb4.json" "$V/nrf-android-cdb10.json" <<'PYEOF' && ok "exported configuration is the imported one" || ko "exported configuration is the imported one"
import json, sys
out, src = (json.load(open(f)) for f in sys.argv[1:])
node = [n for n in out["nodes"] if n["unicastAddress"] == "0005"][0]
want = [n for n in src["nodes"] if n["unicastAddress"] == "0005"][0]
m = node["elements"][0]["models"][1]
assert m["modelId"] == "1000" and m["bind"] == [0], m
assert m["subscribe"] == ["C000", "0073E7E4D8B9440FAF8415DF4C56C0E1"], m
assert m["publish"]["address"] == "C001" and m["publish"]["period"] == {"numberOfSteps": 3, "resolution": 1000}, m
assert node["elements"][1]["models"][0]["modelId"] == "0059000A", node
assert node["elements"][1]["models"][0]["bind"] == [1], node
for k in ("cid", "pid", "vid", "crpl", "features", "defaultTTL"):
    assert node[k] == want[k], k
assert node["excluded"] is True
assert [g["name"] for g in out["groups"]] == ["Living room", "Scene lights"], out["groups"]
assert out["groups"][1]["parentAddress"] == "C000"
PYEOF

# Text output is for people: no colour codes in a file. Issue 16: quiet by
# default (each device's result and how far the run is, as plain lines off a
# terminal), the phases with -v, only what failed and the summary with -q.
check "human output to a file" 0 '' -- $K --sim 2 provision --all --count 2
grep -q "$(printf '\033')" "$T/out" && ko "no colour codes in a file" || ok "no colour codes in a file"
if ! grep -q ": invite" "$T/out" && ! grep -q "^\[NEW\]" "$T/out" && [ "$(grep -c '^\[OK\]' "$T/out")" = 2 ] &&
	grep -qx "1/2 done" "$T/out" && grep -qx "2/2 done" "$T/out" && grep -qx "2 provisioned, 0 failed" "$T/out"
then ok "human output: results and progress lines, no phases"; else ko "human output: results and progress lines, no phases"; fi
check "human output with -v" 0 '' -- $K -v --sim 1 provision --all
grep -q ": invite" "$T/out" && grep -q ": complete" "$T/out" && grep -q "^\[NEW\]" "$T/out" &&
	ok "-v shows the phases and the devices heard" || ko "-v shows the phases and the devices heard"
check "human output with -q" 0 '' -- $K -q --sim 2 provision --all
[ "$(cat "$T/out")" = "2 provisioned, 0 failed" ] && ok "-q prints only the summary when all went well" ||
	ko "-q prints only the summary when all went well"
check "-q still prints what failed" 1 '' -- $K -q --sim 1 --sim-oob static provision --all
grep -q "^\[FAIL\] .*auth-needed" "$T/out" && grep -qx "0 provisioned, 1 failed" "$T/out" &&
	grep -q "^failed: .*: auth-needed$" "$T/out" && [ "$(wc -l < "$T/out")" = 3 ] &&
	ok "-q: the failure, the failure list and the summary, nothing else" ||
	ko "-q: the failure, the failure list and the summary, nothing else"
check "-q --json: results, no phases" 0 '
assert ev("provisioned") and ev("summary") and not ev("phase") and not ev("beacon"), lines
' -- $K -q --json --sim 1 provision --all

# --sim-seed: the same seed, the same devices; another seed, others.
u1=$("$BIN" $K --json --sim 2 --sim-seed 7 scan --duration 1 | python3 -c 'import json,sys; print(sorted({json.loads(l)["uuid"] for l in sys.stdin if "beacon" in l}))')
u2=$("$BIN" $K --json --sim 2 --sim-seed 7 scan --duration 1 | python3 -c 'import json,sys; print(sorted({json.loads(l)["uuid"] for l in sys.stdin if "beacon" in l}))')
u3=$("$BIN" $K --json --sim 2 --sim-seed 8 scan --duration 1 | python3 -c 'import json,sys; print(sorted({json.loads(l)["uuid"] for l in sys.stdin if "beacon" in l}))')
[ "$u1" = "$u2" ] && [ "$u1" != "$u3" ] && [ "$u1" != "[]" ] && ok "--sim-seed makes the devices reproducible" || ko "--sim-seed makes the devices reproducible"
# ... whatever N: the first devices of --sim 3 are those of --sim 2
u4=$("$BIN" $K --json --sim 3 --sim-seed 7 scan --duration 1 | python3 -c 'import json,sys; print(sorted({json.loads(l)["uuid"] for l in sys.stdin if "beacon" in l}))')
python3 -c 'import sys; a, b = eval(sys.argv[1]), eval(sys.argv[2]); assert len(a) == 2 and len(b) == 3 and set(a) < set(b)' "$u1" "$u4" &&
	ok "--sim-seed: the same UUIDs whatever N" || ko "--sim-seed: the same UUIDs whatever N"

# Simulated devices made with a static value say so, as real ones do: OOB
# Information String + On device, in the beacon and the PB-GATT service data.
check "static-OOB simulated devices announce it in their OOB Information" 0 '
b = ev("beacon"); assert len(b) == 2 and all(x["oob_info"] == 0x8040 for x in b), b
' -- $K --json --sim 2 --sim-oob static --sim-bearer mixed scan --duration 1
check "... and the others announce none" 0 '
b = ev("beacon"); assert b and all(x["oob_info"] == 0 for x in b), b
' -- $K --json --sim 2 --sim-oob output --sim-bearer mixed scan --duration 1

# Ctrl-C or SIGTERM in a one-shot run: the devices are cancelled (not
# failed), and the exit status is the shell's for a signal (128 + N).
printf '#!/bin/sh\nsleep 30\n' > "$T/slow-oob.sh"; chmod +x "$T/slow-oob.sh"
interrupt() {	# NAME SIGNAL WANT_RC WAIT_FOR PY -- ARGS: signal once WAIT_FOR is on stdout
	name=$1 sig=$2 want=$3 pat=$4 py=$5; shift 6
	rm -f "$T/out" "$T/err"	# the last run's output is not this one's
	"$BIN" "$@" > "$T/out" 2> "$T/err" & pid=$!
	n=0; while [ ! -e "$T/out" ] && [ $n -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
	n=0; while ! grep -q "$pat" "$T/out" 2>/dev/null && [ $n -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
	kill -s "$sig" $pid; wait $pid; rc=$?
	if [ "$rc" = "$want" ] && python3 - "$T/out" "$T/err" <<PYEOF
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
err = open(sys.argv[2]).read()
ev = lambda name: [l for l in lines if l["event"] == name]
$py
PYEOF
	then ok "$name"; else echo "    exit $rc, expected $want"; sed 's/^/    /' "$T/err" | head -5; ko "$name"; fi
}
interrupt "Ctrl-C while two devices wait for OOB: exit 130, 2 cancelled, 0 failed" INT 130 '"oob-output".*"oob-output"' '
assert ev("summary") == [{"event": "summary", "provisioned": 0, "failed": 0, "cancelled": 2}], lines
assert [f["reason"] for f in ev("failed")] == ["cancelled", "cancelled"], lines
assert "interrupted: 2 cancelled" in err, err
' -- --keyring "$T/int/k.json" --json --sim 2 --sim-oob output --oob-cmd "$T/slow-oob.sh" -t 60 provision --all --count 2
interrupt "SIGTERM while a device is awaited: exit 143, 1 cancelled" TERM 143 '"beacon"' '
assert ev("summary")[0]["cancelled"] == 1 and ev("summary")[0]["failed"] == 0, lines
assert "interrupted: 1 cancelled" in err, err
' -- --keyring "$T/int/k.json" --json --sim 1 -t 60 provision 00112233445566778899aabbccddeeff
printf 'provision --all --count 1 --oob-cmd %s\nnodes\n' "$T/slow-oob.sh" > "$T/int.script"
interrupt "Ctrl-C in a script: exit 130, the rest of the script is not run" INT 130 '"oob-output"' '
assert not ev("node"), lines
assert "failed" not in err and "interrupted: 1 cancelled" in err, err
' -- --keyring "$T/int/k.json" --json --sim 1 --sim-oob output -f "$T/int.script"

# Issue 16: a keyring another meshprov holds: who holds it, said at once
# without --wait-lock; with it, a wait that Ctrl-C stops and a time limit.
LK="--keyring $T/lock/k.json"
"$BIN" $LK netkey create > /dev/null 2>&1
# The holder waits for an OOB value that never comes, for longer than these
# checks can take on a loaded machine (with the 30 s helper, an ASan run
# under load saw the holder give up and the waiter get the lock).
printf '#!/bin/sh\nexec sleep 150\n' > "$T/hold-oob.sh"; chmod +x "$T/hold-oob.sh"
# Waits below are for what the processes say, not for a time: the loops
# end when the line is there or the process is gone (a loaded machine may
# take its time starting one).
"$BIN" $LK --json --sim 1 --sim-oob output --oob-cmd "$T/hold-oob.sh" -t 180 provision --all --count 1 > "$T/holder.out" 2>&1 & holder=$!
while ! grep -q '"oob-output"' "$T/holder.out" 2>/dev/null && kill -0 $holder 2> /dev/null; do sleep 0.1; done
check "the keyring held: exit 4 at once, the holder's PID and command, --wait-lock named" 4 "
assert 'PID $holder' in err and 'provision' in err and '--wait-lock' in err, err
" -- $LK netkey create
check "--wait-lock=1: waits, says for whom, gives up after 1 s (exit 4)" 4 "
i = ' '.join(l['message'] for l in ev('info'))
assert 'waiting for it, at most 1 s' in i and 'PID $holder' in i, lines
assert 'giving up' in ev('error')[0]['message'], lines
" -- $LK --json --wait-lock=1 netkey create
check "--wait-lock=0 is a usage error" 2 '' -- $LK --wait-lock=0 netkey create
rm -f "$T/wl.err"
if command -v timeout > /dev/null; then
	# Ctrl-C once it says it waits: sent earlier, it would find the
	# process still starting, before its handler, and end it silently.
	# The timeout only guards against a wait that Ctrl-C does not stop
	# (the holder's own -t 180 ends the wait in any case).
	timeout -s KILL 300 "$BIN" $LK --wait-lock netkey create > "$T/wl.err" 2>&1 & waiter=$!
	while ! grep -q "waiting for it" "$T/wl.err" 2>/dev/null && kill -0 $waiter 2> /dev/null; do sleep 0.1; done
	kill -INT $waiter 2> /dev/null; wait $waiter; rc=$?
	[ $rc = 130 ] && grep -q "interrupted while waiting" "$T/wl.err" &&
		ok "--wait-lock: said, and Ctrl-C stops the wait (exit 130)" ||
		{ echo "    exit $rc"; sed 's/^/    /' "$T/wl.err" | head -3; ko "--wait-lock: said, and Ctrl-C stops the wait (exit 130)"; }
fi
kill -TERM $holder 2> /dev/null; wait $holder

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

# ---- batch files as spreadsheets write them (issue #16) ----
# tests/integration/batch/ holds files in the bytes Excel and LibreOffice
# write. Their four UUIDs become those of four simulated devices
# (--sim-seed makes them known), the rest of each file kept byte for byte.
S=${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/integration/batch
SS="--sim 4 --sim-seed 16"
SIMU=$("$BIN" --keyring "$T/scan/kr.json" --json $SS scan 1 | python3 -c '
import json, sys
seen = {}
for l in sys.stdin:
    l = json.loads(l)
    if l["event"] == "beacon":
        seen.setdefault(l["index"], l["uuid"])
print(" ".join(seen[i] for i in sorted(seen)))')
localize() {
	python3 - "$S/$1" "$2" $SIMU <<'END_PY'
import re, sys
src, dst, sim = sys.argv[1], sys.argv[2], sys.argv[3:]
sample = ["48f165d57b0047f4b81ef86f5c8cc1ab", "017f9ee6725e409dba0562d56abd685a",
          "b6043106a85f48b69aa8b2a668d605d4", "38f12d92a28f47d8bce44e27424458b6"]
assert len(sim) == 4, sim
to = dict(zip(sample, (u.replace("-", "") for u in sim)))
def sub(m):
    old = m.group(0).decode()
    new = to[old.replace("-", "").lower()]
    if "-" in old:
        new = "-".join((new[:8], new[8:12], new[12:16], new[16:20], new[20:]))
    return (new.upper() if old.isupper() else new).encode()
pat = rb"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
data = open(src, "rb").read()
out, n = re.subn(pat, sub, data)
assert n == 4, n
open(dst, "wb").write(out)
END_PY
}

localize excel-csv-utf8.csv "$T/excel.csv"
check "batch: Excel's CSV UTF-8 (BOM, CRLF, header, quoted commas and quotes)" 0 '
p = ev("provisioned"); assert len(p) == 4, lines
n = {l.get("name"): l for l in p}
assert n["Hall, north"]["address"] == 0x100 and n["K\u00fcche"]["address"] == 0x200, n
assert n["Hall, north"]["columns"] == {"Room": "B12", "Floor": "2"}, n
assert n["Lamp \"A\""]["columns"] == {"Room": "B13", "Floor": "2"}, n
assert n["K\u00fcche"]["columns"]["Room"] == "Kitchen, east", n
assert n[None]["columns"] == {"Room": "", "Floor": ""}, n
' -- --keyring "$T/xl/kr.json" --json $SS provision --batch "$T/excel.csv"
check "batch: the same file again: every device skipped, nothing to do, exit 0" 0 '
s = ev("skipped"); assert sorted(l["line"] for l in s) == [2, 3, 4, 6], s
assert all(l["reason"] == "already-provisioned" for l in s), s
h = [l for l in s if l["line"] == 2][0]
assert h["address"] == 0x100 and h["name"] == "Hall, north" and h["columns"]["Room"] == "B12", h
assert not ev("provisioned") and not ev("failed"), lines
assert any("nothing to do" in l["message"] for l in ev("info")), lines
assert ev("summary")[-1]["provisioned"] == 0, lines
' -- --keyring "$T/xl/kr.json" --json $SS provision --batch "$T/excel.csv"

localize libreoffice-semicolon.csv "$T/lo.csv"
check "batch: LibreOffice, ; separated, columns in another order, a line break in a cell" 0 '
n = {l.get("name"): l for l in ev("provisioned")}; assert len(n) == 4, lines
assert n["Flur, Nord"]["address"] == 0x300 and n["Keller"]["address"] == 0x301, n
assert n["Lampe; K\u00fcche"]["columns"] == {"Room": "B13", "Notes": "two lines:\nsecond"}, n
assert n["Keller"]["columns"]["Notes"] == "\"quoted\"", n
' -- --keyring "$T/lo/kr.json" --json $SS provision --batch "$T/lo.csv"

localize excel-tab-delimited.txt "$T/tab.txt"
check "batch: tab-separated, spaces inside names" 0 '
n = {l.get("name"): l for l in ev("provisioned")}
assert sorted(n) == ["Lamp \"B\"", "desk lamp", "hall lamp north", "porch light 2"], n
assert n["desk lamp"]["columns"] == {"Shelf": "A 2"}, n
' -- --keyring "$T/tab/kr.json" --json $SS provision --batch "$T/tab.txt"

localize excel-mac.csv "$T/mac.csv"
check "batch: CR line ends (Excel for Mac)" 0 '
assert sorted(l["name"] for l in ev("provisioned")) == ["mac-1", "mac-2", "mac-3", "mac-4"], lines
' -- --keyring "$T/mac/kr.json" --json $SS provision --batch "$T/mac.csv"

localize handwritten.txt "$T/hand.txt"
check "batch: a hand-written file as before (blanks, quotes, a CSV row)" 0 '
n = {l.get("name"): l["address"] for l in ev("provisioned")}
assert n["lamp-1"] == 0x400 and n["lamp-3"] == 0x402 and "lamp 2" in n, n
' -- --keyring "$T/hand/kr.json" --json $SS provision --batch "$T/hand.txt"

check "batch: Excel's plain CSV is not UTF-8: the line and the way out" 2 '
assert "bad-excel-ansi.csv: line 2: column 2: the name is not UTF-8 text" in err, err
assert "CSV UTF-8" in err and "nothing was done" in err, err
' -- $K --sim 1 provision --batch "$S/bad-excel-ansi.csv"
check "batch: Excel's Unicode Text (UTF-16) is named" 2 '
assert "line 1: UTF-16 text" in err, err
' -- $K --sim 1 provision --batch "$S/bad-excel-unicode-text.txt"

# A tray run again after a partial failure: what is done is skipped, the
# rest goes on.
set -- $SIMU
GOOD=00112233445566778899aabbccddeeff
printf 'uuid,auth,name,room\r\n%s,%s,t-1,R1\r\n%s,%s,t-2,R2\r\n%s,ffffffffffffffffffffffffffffffff,t-3,R3\r\n%s,%s,t-4,R4\r\n' \
	"$1" $GOOD "$2" $GOOD "$3" "$4" $GOOD > "$T/tray.csv"
TK="--keyring $T/tray/kr.json"
check "batch: a tray with one wrong static value: that one fails, with its columns" 1 '
assert len(ev("provisioned")) == 3, lines
f = ev("failed"); assert len(f) == 1 and f[0]["name"] == "t-3", f
assert f[0]["columns"] == {"room": "R3"}, f
' -- $TK --json $SS --sim-oob static provision --batch "$T/tray.csv"
sed -i 's/ffffffffffffffffffffffffffffffff/00112233445566778899aabbccddeeff/' "$T/tray.csv"
check "batch: the tray again: 3 skipped (named in JSON), the fourth provisioned, exit 0" 0 '
assert sorted(l["line"] for l in ev("skipped")) == [2, 3, 5], lines
assert sorted(l["name"] for l in ev("skipped")) == ["t-1", "t-2", "t-4"], lines
p = ev("provisioned"); assert len(p) == 1 and p[0]["name"] == "t-3", lines
assert p[0]["columns"] == {"room": "R3"}, p
assert any(l["message"].startswith("skipped 3 devices of ") for l in ev("info")), lines
s = ev("summary")[-1]; assert s["provisioned"] == 1 and s["failed"] == 0, s
' -- $TK --json $SS --sim-oob static provision --batch "$T/tray.csv"
check "batch: the tray a third time: nothing to do, said in one line" 0 '' -- $TK $SS --sim-oob static provision --batch "$T/tray.csv"
grep -q "all 4 devices of .*tray.csv are already provisioned: nothing to do" "$T/out" && ! grep -q SKIP "$T/out" &&
	ok "batch: without -v, how many were skipped, not which" || ko "batch: without -v, how many were skipped, not which"
check "batch: with -v, which were skipped" 0 '' -- $TK -v $SS --sim-oob static provision --batch "$T/tray.csv"
[ "$(grep -c '^\[SKIP\] .*: line [0-9]*: already node 0x' "$T/out")" = 4 ] &&
	ok "batch: -v lists each skipped device with its line" || ko "batch: -v lists each skipped device with its line"

# Every bad line in one pass: the file's problems and the keyring's, in
# line order; nothing done.
before=$(sum "$T/tray/kr.json")
printf 'uuid,name,address\n%s,t-1,0x0123\nzzz,x,\n%s,t-2-renamed,\n00112233445566778899aabbccddee01,new,0001\n' \
	"$1" "$2" > "$T/conflicts.csv"
check "batch: syntax and keyring problems reported together, in line order" 2 '
import re
l = [int(m) for m in re.findall(r"conflicts.csv: line (\d+):", err)]
assert l == [2, 3, 4, 5], err
assert "line 2: this device is already node 0x" in err and "not 0x0123 as asked" in err, err
assert "line 3: \x27zzz\x27 is not a device UUID" in err, err
assert "line 4: this device is already node 0x" in err and "named \x27t-2\x27, not \x27t-2-renamed\x27" in err, err
assert "line 5: address 0x0001 is used by a node (this provisioner" in err, err
assert "nothing was done" in err and not [l for l in lines if l["event"] != "error"], lines
# the same words as error events on stdout, for a script reading one stream
assert [int(re.search(r"line (\d+):", l["message"]).group(1)) for l in ev("error")[:-1]] == [2, 3, 4, 5], lines
' -- $TK --json $SS provision --batch "$T/conflicts.csv"
[ "$(sum "$T/tray/kr.json")" = "$before" ] && ok "batch: the keyring is untouched after those" ||
	ko "batch: the keyring is untouched after those"

# A device whose provisioning did not finish (unconfirmed in the keyring) is
# not skipped: it is provisioned again, and takes its own block back (the
# device may hold those addresses; nobody else may have them).
unfinish() {
python3 - "$T/tray/kr.json" "$4" <<'END_PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = [n for n in d["nodes"] if n["UUID"] == sys.argv[2].replace("-", "")][0]
n["state"] = "unconfirmed"
print(n["unicastAddress"], file=open(sys.argv[1] + ".t4", "w"))
json.dump(d, open(sys.argv[1], "w"))
END_PY
}
unfinish "$@"
t4=$(cat "$T/tray/kr.json.t4")
printf 'uuid,auth,name,address\n%s,%s,t-4,%s\n' "$4" $GOOD "$t4" > "$T/again.csv"
check "batch: an unfinished device asked at its old address gets it back" 0 '
p = ev("provisioned"); assert len(p) == 1 and p[0]["address"] == int("'"$t4"'", 16), lines
' -- $TK --json $SS --sim-oob static provision --batch "$T/again.csv"
unfinish "$@"
check "batch: an unfinished device is provisioned again, the done ones skipped" 0 '
p = ev("provisioned"); assert len(p) == 1 and p[0]["name"] == "t-4", lines
assert p[0]["address"] == int("'"$t4"'", 16), p
assert len(ev("skipped")) == 3, lines
' -- $TK --json $SS --sim-oob static provision --batch "$T/tray.csv"

# A script file from Windows: a byte order mark and CRLF.
printf '\357\273\277nodes\r\nnetkey list\r\n' > "$T/bom-cmds"
check "-f: a script with a BOM and CRLF runs" 0 '
assert ev("node") and ev("netkey"), lines
' -- $K --json -f "$T/bom-cmds"

# No core dumps, and not dumpable (issue #12): the keys in memory must not
# reach a core file, nor another process of the user through ptrace. Seen
# from outside while meshprov waits for its next command: its core limit,
# and its /proc files, which the kernel gives to root when it is not
# dumpable (so as root the check runs meshprov as nobody).
if python3 - "$BIN" 2> "$T/err" <<'END_PY'
import os, resource, subprocess, sys
bin = sys.argv[1]
def drop():
    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
    if os.getuid() == 0:
        os.setgroups([]); os.setgid(65534); os.setuid(65534)
p = subprocess.Popen([bin, "--sim", "1", "--keep-going"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                     preexec_fn=drop, text=True)
try:
    p.stdin.write("frob\n"); p.stdin.flush()
    p.stderr.readline()        # it runs and waits for the next command: look at it
    core = [l for l in open("/proc/%d/limits" % p.pid) if l.startswith("Max core file size")][0]
    assert core.split()[4:6] == ["0", "0"], core
    # a process that is not dumpable has its /proc files owned by root
    uid = os.stat("/proc/%d" % p.pid).st_uid
    assert os.stat("/proc/%d/status" % p.pid).st_uid == 0 and uid != 0, uid
finally:
    p.stdin.close(); p.wait()
END_PY
then ok "core dumps are off and the process is not dumpable"
else sed 's/^/    /' "$T/err"; ko "core dumps are off and the process is not dumpable"; fi

# Capabilities (issue #12): meshprov given CAP_NET_RAW and CAP_NET_ADMIN
# (ambient, as nobody: setpriv, which needs root) keeps none for a command
# that does not open the radio, and for a script, which may scan, CAP_NET_RAW
# and CAP_NET_ADMIN permitted (nothing effective): CAP_NET_ADMIN to turn the
# kernel's LE setting on when the radio opens (issue #16), and not at all
# with --no-le-on. Seen from outside while it waits (for a passphrase on a
# pipe; for the next script command).
if [ "$(id -u)" = 0 ] && setpriv --help 2>/dev/null | grep -q ambient-caps; then
	if python3 - "$BIN" "$T" 2> "$T/err" <<'END_PY'
import os, subprocess, sys
bin, t = sys.argv[1], sys.argv[2] + "/caps"
os.mkdir(t); os.chown(t, 65534, 65534)
def caps(pid):
    return {l.split(":")[0]: int(l.split()[1], 16)
            for l in open("/proc/%d/status" % pid) if l.startswith("Cap")}
def run(args):
    # setpriv execs meshprov: same pid
    p = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                          "--inh-caps=+net_raw,+net_admin", "--ambient-caps=+net_raw,+net_admin",
                          bin] + args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    return p
RAW = 1 << 13
# a keyring-only command, blocked reading its passphrase from a pipe
p = run(["--keyring", t + "/caps-kr.json", "--passphrase-fd", "0", "nodes"])
try:
    # until it waits in read(2) for the passphrase (system call 0); bounded
    # by time, not by a count of polls (a loaded machine polled 100,000
    # times before the program got that far, and read its capabilities
    # before it had dropped them)
    import time
    end = time.monotonic() + 120
    while time.monotonic() < end:
        try:
            if open("/proc/%d/syscall" % p.pid).read().split()[0] == "0":
                break
        except OSError:
            pass
        time.sleep(0.001)
    c = caps(p.pid)
    assert c["CapEff"] == c["CapPrm"] == c["CapInh"] == c["CapAmb"] == 0, ("nodes", c)
finally:
    p.stdin.close(); p.wait()
# a script: waits for its next command after a bad one
ADMIN = 1 << 12
for opts, want in (([], RAW | ADMIN), (["--no-le-on"], RAW)):
    p = run(opts + ["--keyring", t + "/caps-kr2.json", "--keep-going"])
    try:
        p.stdin.write("frob\n"); p.stdin.flush()
        p.stderr.readline()
        c = caps(p.pid)
        assert c["CapPrm"] == want and c["CapEff"] == c["CapInh"] == c["CapAmb"] == 0, \
            ("script", opts, c)
    finally:
        p.stdin.close(); p.wait()
END_PY
	then ok "capabilities: none kept for a keyring command; a script: CAP_NET_RAW and CAP_NET_ADMIN permitted, CAP_NET_RAW only with --no-le-on"
	else sed 's/^/    /' "$T/err"; ko "capabilities: none kept for a keyring command; a script: CAP_NET_RAW and CAP_NET_ADMIN permitted, CAP_NET_RAW only with --no-le-on"; fi
fi

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
# Issue 16: a command that only reads refuses a missing keyring (a mistyped
# path) instead of making a new network, and says how one is made.
mkdir "$T/none"
for cmd in "nodes" "keyring info" "netkey list" "appkey list" "iv-index" "node show 0002" "export $T/none.cdb.json" "station list"; do
	check "read-only '$cmd' on a missing keyring: exit 4, named, how to make one" 4 "
assert 'no keyring at $T/none/typo.json' in err and 'provision' in err and 'import FILE' in err, err
" -- --keyring "$T/none/typo.json" $cmd
done
[ -z "$(ls -A "$T/none")" ] && [ ! -e "$T/none.cdb.json" ] && ok "... nothing created (no keyring, no lock file, no export)" ||
	ko "... nothing created (no keyring, no lock file, no export)"
printf 'nodes\n' > "$T/nodes.script"
check "a script's nodes on a missing keyring: refused too" 4 'assert "no keyring at" in err, err' -- --keyring "$T/none/typo.json" -f "$T/nodes.script"
# Issue 11: the command table's flags (MP_CMD_KEYRING_READ/_WRITE): the
# dispatcher opens the keyring before the handler, once the words are right.
for cmd in "group list" "group show lights"; do
	check "read-only '$cmd' on a missing keyring: refused by the dispatcher, exit 4" 4 "
assert 'no keyring at $T/none/typo.json' in err, err" -- --keyring "$T/none/typo.json" $cmd
done
for cmd in "group show" "group remove" "station remove" "onoff 0002"; do
	check "'$cmd' without its arguments: a usage error before the keyring" 2 "
assert 'missing arguments' in err and 'keyring' not in err, err" -- --keyring "$T/none/typo.json" $cmd
done
[ -z "$(ls -A "$T/none")" ] && ok "... nothing created by them" || ko "... nothing created by them"
check "a command that changes the keyring, on a keyring refused: exit 4, before the handler" 4 "
assert 'chmod go-w $T/shared' in err and 'no group' not in err, err" -- --keyring "$T/shared/kr.json" group remove lights
CHECK_TEXT=1	# "created a new keyring" is text
check "a command that changes the keyring creates a missing one first" 1 "
assert 'no group named' in err, err" -- --keyring "$T/made/kr.json" group remove lights
CHECK_TEXT=
[ -s "$T/made/kr.json" ] && ok "... created" || ko "... created"
# Read-only media: listing works on a keyring in a directory nobody may
# write (the lock file cannot be made there: read without a lock, said).
mkdir "$T/ro"; "$BIN" --keyring "$T/ro/k.json" --sim 1 provision --all > /dev/null 2>&1
rm -f "$T/ro/k.json.lock"
AS=""
if [ "$(id -u)" = 0 ]; then	# root writes anywhere: be nobody, on nobody's keyring
	command -v setpriv > /dev/null && chown -R 65534:65534 "$T/ro" && chmod 711 "$T" &&
		AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
chmod 500 "$T/ro"
if [ "$(id -u)" != 0 ] || [ -n "$AS" ]; then
	$AS "$BIN" --keyring "$T/ro/k.json" --json nodes > "$T/out" 2> "$T/err"; rc=$?
	if [ $rc = 0 ] && [ "$(grep -c '"event":"node"' "$T/out")" = 2 ] && grep -q "without a lock" "$T/out" &&
		[ ! -e "$T/ro/k.json.lock" ]; then ok "a keyring on read-only media: nodes lists it, read without a lock, said"
	else echo "    exit $rc"; sed 's/^/    /' "$T/err" | head -3; ko "a keyring on read-only media: nodes lists it, read without a lock, said"; fi
	$AS "$BIN" --keyring "$T/ro/k.json" export - > "$T/out" 2> "$T/err" && grep -q '"meshUUID"' "$T/out" &&
		ok "... and export - works there" || { sed 's/^/    /' "$T/err" | head -3; ko "... and export - works there"; }
	$AS "$BIN" --keyring "$T/ro/k.json" node rename 0002 x > "$T/out" 2> "$T/err"; rc=$?
	[ $rc = 4 ] && grep -q "lock" "$T/err" && ok "... a change there is still refused (exit 4)" ||
		{ echo "    exit $rc"; ko "... a change there is still refused (exit 4)"; }
else
	echo "SKIP: read-only keyring directory (root without setpriv)"
fi
chmod 700 "$T/ro"

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

# Issue 16: JSON a script can trust. One object per record, one type per
# field, no "-" for an empty list, one algorithm naming, "/" unescaped,
# errors as events, and every command that changes something says so.
J="--keyring $T/json/kr.json"
check "json: a provisioned event and the node record agree, addresses are numbers" 0 '
p = ev("provisioned"); assert len(p) == 2 and all(type(l["address"]) is int for l in p), p
' -- $J --json --sim 2 provision --all
check "json: keyring info is one object, typed" 0 '
assert len(lines) == 1, lines
k = lines[0]; assert k["event"] == "keyring", k
assert k["path"] == "'"$T/json/kr.json"'" and "\\/" not in open(sys.argv[1]).read(), k
assert type(k["iv_index"]) is int and k["iv_update"] is False and k["encrypted"] is False, k
assert k["address"] == 1 and k["unicast_ranges"] == [[1, 0x7fff]] and k["nodes"] == 3, k
assert k["format"] == 2 and k["netkeys"] == 1 and k["appkeys"] == 0, k
' -- $J --json keyring info
check "json: node show: key lists are arrays (empty, not \"-\"), the algorithm named as in events" 0 '
n = ev("node"); assert len(n) == 1, lines
assert n[0]["netkeys"] == [0] and n[0]["appkeys"] == [], n
assert n[0]["algorithm"] == "hmac-sha256" and n[0]["auth"] == "none", n
assert type(n[0]["address"]) is int and "-" not in n[0].values(), n
' -- $J --json node show 2
check "json: every address is a number, in every event" 0 '
import re
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ("address", "index", "netkey", "elements", "iv_index", "node", "line"):
                assert type(v) is int, (k, v)
            walk(v)
for l in lines: walk(l)
assert ev("netkey") and ev("keyring") and ev("iv-index") and len(ev("node")) == 3, lines
' -- $J --json -f - <<'END_CMDS'
nodes
netkey list
keyring info
iv-index
END_CMDS
check "json: node rename says what it did" 0 '
assert ev("node-renamed") == [{"event": "node-renamed", "address": 2, "name": "hall/1"}], lines
' -- $J --json node rename 2 hall/1
check "json: netkey create and delete say what they did" 0 '
assert ev("netkey-created") == [{"event": "netkey-created", "index": 3, "name": "NetKey 3"}], lines
assert ev("netkey-deleted") == [{"event": "netkey-deleted", "index": 3}], lines
' -- $J --json -f - <<'END_CMDS'
netkey create 3
netkey delete 3
END_CMDS
check "json: export says where it wrote" 0 '
assert ev("exported") == [{"event": "exported", "path": "'"$T/json/cdb.json"'"}], lines
' -- $J --json export "$T/json/cdb.json"
check "json: an error is an event on stdout, and words on stderr" 1 '
e = ev("error"); assert len(e) == 1 and e[0]["command"] == "node show", lines
assert "0x0123" in e[0]["message"] or "123" in e[0]["message"], e
assert "meshprov: node show: " in err, err
' -- $J --json node show 0123
check "json: an unknown command is an error event too" 2 '
assert len(ev("error")) == 1 and "frobnicate" in ev("error")[0]["message"], lines
' -- $J --json frobnicate
"$BIN" $J node rename 2 lamp > "$T/out" 2>&1 && grep -qx "node 0x0002 renamed: lamp" "$T/out" &&
	ok "node rename says what it did, in text" || ko "node rename says what it did, in text"

# Issue 16: --address that is taken is refused before anything is sent, in
# words naming the owner: the provisioner's own, another node's element.
A="--keyring $T/addr/kr.json"
"$BIN" $A --json --sim 3 --sim-seed 5 provision --all > "$T/addr.json" 2>/dev/null
UA=$("$BIN" $A --json --sim 1 --sim-seed 11 scan 1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["uuid"])')
SECOND=$(python3 -c '
import json, sys
p = [json.loads(l) for l in open(sys.argv[1]) if "provisioned" in l]
n = [l for l in p if l.get("event") == "provisioned" and l["elements"] > 1][0]
print("%04x %04x" % (n["address"] + 1, n["address"]))' "$T/addr.json")
check "--address of the provisioner: refused before any exchange, naming it" 2 '
assert not ev("phase") and not ev("provisioned") and not ev("failed"), lines
assert "address 0x0001 is used by a node (this provisioner" in err and "nothing was sent" in err, err
assert ev("error") and "this provisioner" in ev("error")[0]["message"], lines
' -- $A --json -v --sim 1 --sim-seed 11 provision "$UA" --address 0001
check "--address of another node's second element: refused, naming the node" 2 '
assert not ev("phase") and not ev("provisioned"), lines
assert "address 0x'"${SECOND% *}"' is used by a node (0x'"${SECOND#* }"'," in err, err
' -- $A --json -v --sim 1 --sim-seed 11 provision "$UA" --address "${SECOND% *}"

# Issue 16: a run that had failures names each failed device at the end,
# with its batch line, before the summary.
F="--keyring $T/flist/kr.json"
"$BIN" $F --json --sim 2 --sim-seed 21 scan 1 | python3 -c '
import json, sys
u = [json.loads(l)["uuid"] for l in sys.stdin if "beacon" in l]
print("uuid,name"); print("%s,first" % u[0]); print("%s,second" % u[1])' > "$T/flist.csv"
check "failures listed at the end with their batch lines" 1 '' -- $F -j 1 --sim 2 --sim-seed 21 --sim-oob static provision --batch "$T/flist.csv"
if [ "$(grep -c '^failed: .* (line [23]), name \(first\|second\): auth-needed$' "$T/out")" = 2 ] &&
	[ "$(tail -n 1 "$T/out")" = "0 provisioned, 2 failed" ] &&
	grep -q "^failed: .* (line 2), name first: auth-needed" "$T/out"
then ok "the failure list names each device, its line and reason"; else ko "the failure list names each device, its line and reason"; fi

# Issue 14: the Configuration Client commands' arguments are checked before
# anything is sent (no controller is opened for a usage error).
C="--keyring $T/cfg/kr.json --json"
check "composition: not a unicast address" 2 'assert "not a unicast address" in err, err' -- $C composition 8001
check "composition: a node not in the keyring" 2 'assert "no such node" in err, err' -- $C composition 0042
check "composition: one address" 2 '' -- $C composition
check "bind: four arguments" 2 '' -- $C bind 0001 0 1000
check "appkey add: a node not in the keyring" 2 'assert "no such node" in err, err' -- $C appkey add 0042 0
check "appkey list without ADDR lists the keyring's" 0 '' -- $C appkey list
"$BIN" help composition > "$T/help" 2>&1 && grep -q "Composition Data" "$T/help" &&
	ok "help composition" || ko "help composition"
check "sub: which one?" 2 '' -- $C sub
check "attention: a node not in the keyring" 2 'assert "no such node" in err, err' -- $C attention 0042 5
check "onoff: on or off" 2 'assert "on or off" in err, err' -- $C onoff 0001 maybe

finish
