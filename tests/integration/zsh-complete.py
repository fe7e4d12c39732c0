#!/usr/bin/env python3
"""The zsh completion (completions/_meshprov) used as a person uses it: an
interactive zsh under a pseudo-terminal, compinit, the completion on fpath
and meshprov on PATH; TAB pressed after partial words, and the command line
or the list of choices read back from the screen. Covers a command name,
an option of a command, an option's fixed values, subcommands and node
addresses read from the keyring through `meshprov --json nodes`.

Skipped (77) when zsh is not installed. Run by `make check` (MESHPROV
points at the binary, MESHPROV_SRCDIR at the source tree).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptytest import Checks, Pty  # noqa: E402

BIN = os.path.abspath(os.environ.get("MESHPROV", "./meshprov"))
SRC = os.environ.get("MESHPROV_SRCDIR", ".")
PROMPT = "ZT%"
check = Checks()


class Zsh(Pty):
    def __init__(self, home, env):
        super().__init__([shutil.which("zsh"), "-f", "-i"], env, cwd=home)

    def try_line(self, text):
        """Type @text and TAB; return what the screen shows from the new
        prompt on, then abandon the line (Ctrl-C)."""
        start = len(self.screen)
        self.send(text + "\t")
        self.quiet()
        shown = self.screen[start:]
        self.send("\x03")
        self.quiet(0.3)
        return shown

    def close(self):
        self.send("exit\r")
        self.wait(5)


def main():
    if not shutil.which("zsh"):
        print("SKIP: zsh is not installed")
        return 77
    tmp = tempfile.mkdtemp(prefix="meshprov-zsh.")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return check.summary()


def run(tmp):
    bindir = os.path.join(tmp, "bin")
    os.mkdir(bindir)
    os.symlink(BIN, os.path.join(bindir, "meshprov"))
    keyring = os.path.join(tmp, "kr.json")
    # Two nodes in the keyring, for the address completion.
    subprocess.run([BIN, "--keyring", keyring, "--sim", "2", "--sim-seed", "5",
                    "provision", "--all"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True, timeout=60)
    nodes = subprocess.run([BIN, "--keyring", keyring, "--json", "nodes"], capture_output=True,
                           text=True, check=True).stdout
    addrs = ["0x%04x" % int(a) for a in re.findall(r'"address":(\d+),[^}]*"self":false', nodes)]
    env = {
        "PATH": bindir + ":/usr/bin:/bin",
        "HOME": tmp, "TERM": "dumb", "LANG": "C.UTF-8",
        "MESHPROV_KEYRING": keyring,
        "XDG_DATA_HOME": os.path.join(tmp, "data"),
        "COLUMNS": "200", "LINES": "50",
    }
    zsh = Zsh(tmp, env)
    zsh.send("PS1='%s '; fpath=(%s $fpath); autoload -Uz compinit; compinit -u -D; "
             "echo RE''ADY\r" % (PROMPT, os.path.join(os.path.abspath(SRC), "completions")))
    end = time.time() + 15
    while "\nREADY\n" not in zsh.screen and time.time() < end:
        zsh.read(0.2)
    zsh.quiet(0.3)
    check("zsh starts with compinit and the completion on fpath", "\nREADY\n" in zsh.screen,
          zsh.screen)

    got = zsh.try_line("meshprov sc")
    check("a command name completes", "meshprov scan " in got, got)

    got = zsh.try_line("meshprov provision --al")
    check("options of a command are offered (--alg, --all)",
          "--alg" in got and "--all" in got, got)

    got = zsh.try_line("meshprov --sim-oob ")
    check("an option's values are listed",
          all(w in got for w in ("none", "static", "output", "input")), got)

    got = zsh.try_line("meshprov node ")
    check("subcommands are listed", all(w in got for w in ("show", "rename", "remove")), got)

    got = zsh.try_line("meshprov node show 0x")
    check("node addresses complete to their common part", "node show 0x000" in got, got)
    got = zsh.try_line("meshprov node show 0x000")
    check("node addresses come from the keyring (%s), not our own" % " ".join(addrs),
          len(addrs) == 2 and all(a in got for a in addrs) and "0x0001" not in got, got)

    got = zsh.try_line("meshprov frobnicate --x")
    check("an unknown command completes nothing and does not break the shell",
          "--alg" not in got, got)
    zsh.send("echo STILL-$((40+2))\r")
    zsh.quiet()
    check("the shell still works afterwards", "STILL-42" in zsh.screen, zsh.screen)
    zsh.close()


if __name__ == "__main__":
    sys.exit(main())
