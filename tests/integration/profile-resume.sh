#!/bin/sh
# configure: runs cut short, then resumed (issue #14). Simulated devices
# live only as long as the process, so each case is one meshprov process
# driven line by line: a script on standard input (edited between two
# lines), the shell on a pseudo-terminal (Ctrl-C mid-run, then configure
# again), a script run killed with SIGKILL after its Nth step. What was
# sent is counted from the --json events and the summaries; what the
# keyring recorded from `export` and `configure --check`. Run by
# `make check`.
set -u
BIN=${MESHPROV:-./meshprov}
SRC=${MESHPROV_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/meshprov-resume.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

MESHPROV=$BIN MESHPROV_SRCDIR=$SRC T=$T python3 - <<'PYEOF'
import json, os, re, signal, subprocess, sys, time

src = os.environ["MESHPROV_SRCDIR"]
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(src, "tests", "integration"))
from ptytest import Checks, Pty  # noqa: E402

BIN = os.environ["MESHPROV"]
T = os.environ["T"]
EX = os.path.join(src, "examples", "one-appkey.json")
check = Checks()
ENV = dict(os.environ, TERM="dumb", NO_COLOR="1", INPUTRC="/dev/null", HOME=T,
           XDG_STATE_HOME=os.path.join(T, "state"), COLUMNS="200", LINES="50")


def events(path):
    out = []
    for l in open(path):
        try:
            out.append(json.loads(l))
        except ValueError:
            pass
    return out


def export(kr, path):
    """The keyring's export (None when meshprov could not read it)."""
    r = subprocess.run([BIN, "--keyring", kr, "export", path], capture_output=True, text=True)
    return json.load(open(path)) if r.returncode == 0 else None


def key(node, text):
    """A step as (node, what): the text up to its first comma (the group's
    name is said differently before the group exists)."""
    return (int(node), text.split(",")[0])


def steps_done(d):
    """The steps of examples/one-appkey.json the keyring records done, and
    all of them (the nodes' compositions: every element's Generic OnOff
    Server gets a Bind and a Subscription Add), as key()s."""
    done, full = set(), set()
    g = {x["name"]: x["address"] for x in d.get("groups", [])}
    for n in d["nodes"]:
        a = int(n["unicastAddress"], 16)
        if a == 1:
            continue
        full.add((a, "Config AppKey Add: AppKey 0 on NetKey 0"))
        if [k for k in n.get("appKeys", []) if k["index"] == 0]:
            done.add((a, "Config AppKey Add: AppKey 0 on NetKey 0"))
        for i, e in enumerate(n.get("elements", [])):
            for m in e["models"]:
                if m["modelId"] != "1000":
                    continue
                ea = "%04x" % (a + i)
                b = (a, "Config Model App Bind: element %s model 1000" % ea)
                s = (a, "Config Model Subscription Add: element %s model 1000" % ea)
                full |= {b, s}
                if 0 in m.get("bind", []):
                    done.add(b)
                if "all-lights" in g and g["all-lights"] in m.get("subscribe", []):
                    done.add(s)
    return done, full


# 1. configure --read corrects a keyring whose record of a node is wrong:
# the record edited (export, edit, import) between two lines of the run.
kr = os.path.join(T, "read.json")
out = os.path.join(T, "read.out")
p = subprocess.Popen([BIN, "--keyring", kr, "--sim", "3", "--json", "--keep-going", "-f", "-"],
                     stdin=subprocess.PIPE, stdout=open(out, "w"),
                     stderr=open(os.path.join(T, "read.err"), "w"), text=True)


def line(l):
    p.stdin.write(l + "\n")
    p.stdin.flush()


a_json, b_json = os.path.join(T, "a.json"), os.path.join(T, "b.json")
for l in ["provision --all", "appkey create", "configure --all --profile " + EX,
          "export " + a_json]:
    line(l)
end = time.time() + 120
while time.time() < end and p.poll() is None:
    try:
        d = json.load(open(a_json))
        break
    except (OSError, ValueError):
        time.sleep(0.05)
victim = [x for x in d["nodes"] if x["unicastAddress"] != "0001"][0]
victim["appKeys"] = []
for e in victim["elements"]:
    for m in e["models"]:
        m["bind"], m["subscribe"] = [], []
json.dump(d, open(b_json, "w"))
for l in ["import %s --replace --adopt" % b_json, "configure --all --profile %s --check" % EX,
          "configure --all --profile %s --read" % EX, "configure --all --profile %s --check" % EX]:
    line(l)
p.stdin.close()
p.wait(300)
sums = [e for e in events(out) if e["event"] == "configure-summary"]
check("--read: four runs", len(sums) == 4, open(out).read())
if len(sums) == 4:
    check("... the edited record differs from the profile", sums[1]["differs"] == 1, str(sums))
    check("... --read reads the node back, sends nothing (the node has it all)",
          sums[2]["requests"] == 0 and sums[2]["reads"] > 0 and sums[2]["configured"] == 3,
          str(sums[2]))
    check("... and records what it read: --check finds nothing to send",
          sums[3]["differs"] == 0 and sums[3]["would_send"] == 0, str(sums[3]))
d = export(kr, os.path.join(T, "read-cdb.json"))
done, full = steps_done(d) if d else (set(), {None})
check("... the node's AppKey, bindings, subscriptions back in the keyring",
      d is not None and done == full, str(sorted(full - done)))

# 2. The shell: Ctrl-C mid-configure stops the run (said interrupted); a
# second configure in the same process sends only what is missing.
# --sim-delay makes each answer take a while, so Ctrl-C comes mid-run.
kr = os.path.join(T, "shell.json")
sh = Pty([BIN, "--keyring", kr, "--sim", "3", "--sim-delay", "200", "-v", "-j", "1"], ENV)
sh.expect(r"meshprov> ")
sh.send("appkey create\r")
sh.expect(r"created")
sh.send("provision --all --count 3\r")
check("shell: 3 provisioned", sh.expect(r"3 provisioned, 0 failed", 120) is not None, sh)
sh.send("configure --all --profile %s\r" % EX)
first = sh.expect(r"step +[0-9a-f]{4} Config AppKey Add", 60)
sh.send("\x03")
m1 = sh.expect(r"(\d+) nodes?: .*interrupted; (\d+) requests?", 60)
check("... Ctrl-C stops configure: the summary says interrupted",
      first is not None and m1 is not None, sh)
s1 = sh.pos
check("... and says it resumes", sh.expect(r"interrupted: \d+ nodes? not finished \(run "
                                            r"configure again: it resumes\)", 10) is not None, sh)
sh.send("configure --all --profile %s\r" % EX)
m2 = sh.expect(r"(\d+) nodes?: (\d+) configured, .*; (\d+) requests?", 120)
check("... configure again: every node configured", m2 is not None and m2.group(2) == "3", sh)
s2 = sh.pos
sh.send("quit\r")
check("... quit: exit 0", sh.wait(20) == 0, sh)
step = re.compile(r"step +([0-9a-f]{4}) (Config [^:]+: [^\n]*): Success")
scr = sh.screen
a_start = scr.find("configure --all")
run1 = [key(int(n, 16), t) for n, t in step.findall(scr[a_start:s1])
        if "Composition Data Get" not in t]
run2 = [key(int(n, 16), t) for n, t in step.findall(scr[s1:s2])
        if "Composition Data Get" not in t]
d = export(kr, os.path.join(T, "shell-cdb.json"))
done, full = steps_done(d) if d else (set(), {None})
check("... the first run was cut short: some steps done, not all",
      0 < len(run1) < len(full), str(run1))
check("... the second sent none of them again, and all the others",
      not set(run1) & set(run2) and set(run1) | set(run2) == full and
      len(run2) == len(set(run2)), "%s\n%s" % (run1, run2))
check("... its requests are those steps",
      m2 is not None and int(m2.group(3)) == len(run2), str(m2 and m2.group(0)))
check("... the keyring records the whole profile", done == full, str(sorted(full - done)))

# 3. kill -9 at several points of a configure run: the keyring loads, the
# steps answered before the kill are in it, and configure --check (the
# keyring alone, no device) lists exactly the steps not done. The run is on
# a pseudo-terminal, so each event is written as it happens.
mid = 0
for n_kill in (1, 4, 9):
    kr = os.path.join(T, "kill%d.json" % n_kill)
    scr = os.path.join(T, "kill.script")
    with open(scr, "w") as f:
        f.write("provision --all\nappkey create\nconfigure --all --profile %s\n" % EX)
    pr = Pty([BIN, "--keyring", kr, "--sim", "3", "--json", "-f", scr], ENV)
    rx = re.compile(r'\{"event":"configure-step"[^\n]*"read":false[^\n]*\n')
    seen, end = [], time.time() + 120
    while len(seen) < n_kill and time.time() < end:
        pr.read(0.2)
        seen = rx.findall(pr.screen)
        if pr.status is None and os.waitpid(pr.pid, os.WNOHANG)[0]:
            pr.status = -1
            break
    if pr.status is None:
        os.kill(pr.pid, signal.SIGKILL)
        os.waitpid(pr.pid, 0)
    seen = [json.loads(x) for x in rx.findall(pr.screen)]
    name = "kill -9 after step %d" % n_kill
    check(name + ": killed mid-configure", len(seen) >= n_kill, pr)
    r = subprocess.run([BIN, "--keyring", kr, "nodes"], capture_output=True, text=True)
    check("... meshprov nodes reads the keyring", r.returncode == 0 and r.stdout.strip(),
          r.stderr)
    d = export(kr, os.path.join(T, "kill-cdb.json"))
    check("... export reads it", d is not None)
    if d is None:
        continue
    done, full = steps_done(d)
    said = {key(e["node"], e["text"]) for e in seen if e["ok"]}
    check("... the steps answered before the kill are recorded",
          said and said <= done, "%s\n%s" % (sorted(said), sorted(done)))
    if full - done:
        mid += 1
    ck = os.path.join(T, "check.out")
    r = subprocess.run([BIN, "--keyring", kr, "--json", "configure", "--all", "--profile", EX,
                        "--check"], stdout=open(ck, "w"), stderr=subprocess.PIPE, text=True)
    ev = events(ck)
    plan = [key(e["node"], e["text"]) for e in ev if e["event"] == "configure-plan"]
    sm = [e for e in ev if e["event"] == "configure-summary"]
    check("... configure --check (no device) lists exactly the steps not done",
          r.returncode == (1 if full - done else 0) and sm and sm[0]["reads"] == 0 and
          set(plan) == full - done and len(plan) == len(set(plan)),
          "rc %d %s\nplan %s\nleft %s" % (r.returncode, r.stderr, sorted(plan),
                                          sorted(full - done)))
check("kill -9: at least one kill came before the run's end", mid > 0, str(mid))
sys.exit(check.summary())
PYEOF
