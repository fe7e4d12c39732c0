#!/usr/bin/env python3
"""Completion of the configuration commands' words from a node's stored
composition (issue #14): the element addresses and model IDs of the node
named before them, the AppKey indexes of the keyring. On a keyring where
node 0002's composition is recorded (`composition 0002` on a simulated
node) and node 0003's is not:

- `meshprov --complete KIND WORD...`, the callback of the generated
  completions: the words and their descriptions (model names); nothing
  for a node without stored composition, nothing and no message on an
  encrypted keyring, no keyring created where there is none;
- the shell's TAB on a pseudo-terminal;
- the bash completion (its function called as bash calls it) and the zsh
  completion (an interactive zsh under a pseudo-terminal, TAB pressed).

The shells are skipped when not installed. Run by `make check`
(MESHPROV points at the binary, MESHPROV_SRCDIR at the source tree).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptytest import Checks, Pty  # noqa: E402

BIN = os.path.abspath(os.environ.get("MESHPROV", "./meshprov"))
SRC = os.path.abspath(os.environ.get("MESHPROV_SRCDIR", "."))
check = Checks()


def main():
    tmp = tempfile.mkdtemp(prefix="meshprov-complete-config.")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return check.summary()


def complete(kr, *words):
    p = subprocess.run([BIN, "--keyring", kr, "--complete"] + list(words), capture_output=True,
                       text=True, timeout=30, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def run(tmp):
    kr = os.path.join(tmp, "kr.json")
    script = os.path.join(tmp, "script")
    with open(script, "w") as f:
        f.write("provision --all\nappkey create\ncomposition 0002\n")
    # one device per run: a simulated device has one element (the first of
    # a run) and the first run's node gets 0002, the second's 0003
    p = subprocess.run([BIN, "--keyring", kr, "--sim", "1", "--sim-seed", "3", "-f", script],
                       capture_output=True, text=True, timeout=120)
    if not check("node 0002 provisioned, its composition recorded", p.returncode == 0,
                 p.stdout + p.stderr):
        return
    p = subprocess.run([BIN, "--keyring", kr, "--sim", "1", "--sim-seed", "4", "provision",
                        "--all"], capture_output=True, text=True, timeout=120)
    if not check("node 0003 provisioned, nothing asked of it", p.returncode == 0,
                 p.stdout + p.stderr):
        return
    rc, out, err = complete(kr, "node")
    check("--complete node: the two nodes", [l.split("\t")[0] for l in out.splitlines()] ==
          ["0x0002", "0x0003"], out + err)
    rc, out, err = complete(kr, "element", "0x0002")
    check("--complete element: the node's element, described",
          rc == 0 and out == "0x0002\telement 0, 3 models\n" and err == "", out + err)
    rc, out, err = complete(kr, "model", "0x0002", "0x0002")
    check("--complete model: the element's models, SIG IDs with their names",
          out == "0000\tConfiguration Server\n0002\tHealth Server\n1000\tGeneric OnOff Server\n",
          out + err)
    rc, out2, err = complete(kr, "model", "2", "0")
    check("--complete model: the element given as an index reads the same", out2 == out, out2)
    rc, out, err = complete(kr, "element", "0x0003")
    check("--complete element: a node without stored composition offers none",
          rc == 0 and out == "" and err == "", out + err)
    rc, out, err = complete(kr, "model", "0x0003", "0x0003")
    check("--complete model: a node without stored composition offers none", out == "", out)
    rc, out, err = complete(kr, "appkey")
    check("--complete appkey: the AppKey indexes with their names",
          out.startswith("0x000\t"), out)
    missing = os.path.join(tmp, "none.json")
    rc, out, err = complete(missing, "node")
    check("no keyring: nothing said, none created",
          rc == 0 and out == "" and err == "" and not os.path.exists(missing), out + err)
    enc = os.path.join(tmp, "enc.json")
    shutil.copy(kr, enc)
    pf = os.path.join(tmp, "pass")
    with open(pf, "w") as f:
        f.write("correct horse\n")
    p = subprocess.run([BIN, "--keyring", enc, "--passphrase-file", pf, "keyring", "encrypt",
                        "--scrypt-cost", "10"], capture_output=True, text=True, timeout=60)
    check("the keyring copy is encrypted", p.returncode == 0, p.stdout + p.stderr)
    pty = Pty([BIN, "--keyring", enc, "--complete", "element", "0x0002"], dict(os.environ))
    pty.wait(20)
    check("an encrypted keyring: nothing completed, nothing said, nothing asked",
          pty.screen.strip() == "", pty.screen)

    shell(tmp, kr)
    bash(tmp, kr)
    zsh(tmp, kr)


def shell(tmp, kr):
    env = dict(os.environ, TERM="xterm", NO_COLOR="1", INPUTRC="/dev/null",
               XDG_STATE_HOME=os.path.join(tmp, "state"), HOME=tmp, COLUMNS="200", LINES="50")
    sh = Pty([BIN, "--keyring", kr, "--sim", "1"], env)
    check("shell: the prompt comes up", sh.expect(r"meshprov> ") is not None, sh)
    sh.send("bind 0x0002 \t")
    check("shell: TAB completes the element address",
          sh.expect(r"bind 0x0002 0x0002 ") is not None, sh)
    sh.send("1\t")
    check("shell: TAB completes the model ID", sh.expect(r"1?000 ") is not None,
          sh)
    sh.send("\t")
    check("shell: TAB completes the AppKey index",
          sh.expect(r"0x000 ") is not None, sh)
    sh.send("\x15sub list 0x0002 0 \t\t")
    check("shell: every model of the element is listed",
          sh.expect(r"0000 +0002 +1000") is not None, sh)
    sh.send("\x15pub get 0x0003 \t\t")
    sh.quiet()
    check("shell: a node without stored composition offers no element",
          "0x0003 0x" not in sh.screen[-200:], sh.screen[-200:])
    sh.send("\x15quit\r")
    sh.wait(10)


def bash(tmp, kr):
    if not shutil.which("bash"):
        print("SKIP: bash is not installed")
        return
    comp = os.path.join(SRC, "completions", "meshprov.bash")

    def reply(line):
        words = line.split(" ")
        code = ('. "$1"; COMP_WORDS=(%s); COMP_CWORD=%d; _meshprov; '
                'printf "%%s\\n" "${COMPREPLY[@]}"'
                % (" ".join("'%s'" % w for w in words), len(words) - 1))
        p = subprocess.run(["bash", "--norc", "--noprofile", "-c", code, "bash", comp],
                           capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, MESHPROV_KEYRING=kr,
                                    PATH=os.path.dirname(BIN) + ":/usr/bin:/bin"))
        return sorted(x for x in p.stdout.split("\n") if x)

    got = reply(BIN + " bind 0x0002 ")
    check("bash: bind ADDR TAB offers the element address", got == ["0x0002"], repr(got))
    got = reply(BIN + " sub add 0x0002 0x0002 ")
    check("bash: sub add ADDR ELEMENT TAB offers the models",
          got == ["0000", "0002", "1000"], repr(got))
    got = reply(BIN + " pub set 0x0002 0 1000 c001 ")
    check("bash: pub set's APPIDX offers the AppKey", got == ["0x000"], repr(got))
    got = reply(BIN + " bind 0x0003 ")
    check("bash: a node without stored composition offers none", got == [], repr(got))
    got = reply(BIN + " relay 0x0002 o")
    check("bash: relay ADDR TAB offers on and off", got == ["off", "on"], repr(got))


def zsh(tmp, kr):
    if not shutil.which("zsh"):
        print("SKIP: zsh is not installed")
        return
    bindir = os.path.join(tmp, "bin")
    os.mkdir(bindir)
    os.symlink(BIN, os.path.join(bindir, "meshprov"))
    env = {"PATH": bindir + ":/usr/bin:/bin", "HOME": tmp, "TERM": "dumb", "LANG": "C.UTF-8",
           "MESHPROV_KEYRING": kr, "COLUMNS": "200", "LINES": "50"}
    z = Pty([shutil.which("zsh"), "-f", "-i"], env, cwd=tmp)
    z.send("PS1='ZT%% '; fpath=(%s $fpath); autoload -Uz compinit; compinit -u -D; "
           "echo RE''ADY\r" % os.path.join(SRC, "completions"))
    end = time.time() + 15
    while "\nREADY\n" not in z.screen and time.time() < end:
        z.read(0.2)
    z.quiet(0.3)
    if not check("zsh starts with the completion", "\nREADY\n" in z.screen, z.screen):
        return

    def try_line(text):
        start = len(z.screen)
        z.send(text + "\t")
        z.quiet()
        shown = z.screen[start:]
        z.send("\x03")
        z.quiet(0.3)
        return shown

    got = try_line("meshprov bind 0x0002 ")
    check("zsh: bind ADDR TAB completes the element address",
          "bind 0x0002 0x0002 " in got, got)
    got = try_line("meshprov sub list 0x0002 0x0002 ")
    check("zsh: the models are listed with their names",
          all(w in got for w in ("0000", "Configuration Server", "1000",
                                 "Generic OnOff Server")), got)
    got = try_line("meshprov bind 0x0003 ")
    check("zsh: a node without stored composition offers none",
          "0x0003 0x" not in got and "element 0" not in got, got)
    z.send("exit\r")
    z.wait(5)


if __name__ == "__main__":
    sys.exit(main())
