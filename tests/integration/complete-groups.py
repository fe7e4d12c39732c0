#!/usr/bin/env python3
"""Group names in the bash and zsh completions (completions/meshprov.bash,
completions/_meshprov), used as a person uses them: an interactive shell
under a pseudo-terminal, TAB pressed after the start of a group name, then
Enter. The names are the user's words, with blanks, quotes, a backslash,
$(...) and backquotes: the command must receive each name as one argument,
exactly, and nothing in a name may run. `meshprov` is a shell function that
prints its arguments, one ARG<...> a line, and passes --json (what the
completion asks) to the real binary.

Each shell is skipped when it is not installed (77 when neither is). Run
by `make check` (MESHPROV points at the binary, MESHPROV_SRCDIR at the
source tree).
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

NAMES = ["kitchen lights", "kitchen", 'say "hi" \\ back/slash',
         "danger $(touch PWNED) `touch PWNED2` ;x", "bob's room"]
# typed before TAB -> the one argument the command must receive
CASES = [
    ("kitchen\\ l", "kitchen lights"),
    ("'kitchen l", "kitchen lights"),
    ("say", NAMES[2]),
    ("dan", NAMES[3]),
    ("'bob", NAMES[4]),
    ('"say', NAMES[2]),
    ('"dan', NAMES[3]),
    ("bob\\'s", NAMES[4]),
]
WRAP = ("meshprov() { if [ \"$1\" = --json ]; then command meshprov \"$@\"; "
        "else printf 'ARG<%s>\\n' \"$@\"; fi; }")


def line(sh, typed):
    """Type `meshprov group show TYPED`, TAB, Enter: the arguments printed."""
    start = len(sh.screen)
    sh.send("meshprov group show " + typed + "\t")
    sh.quiet(0.5)
    sh.send("\r")
    sh.quiet(0.5)
    return sh.screen[start:]


def session(name, argv, setup, env, tmp):
    sh = Pty(argv, env, cwd=tmp)
    sh.send(setup + "; echo RE''ADY\r")
    end = time.time() + 15
    while "\nREADY\n" not in sh.screen and time.time() < end:
        sh.read(0.2)
    sh.quiet(0.3)
    if not check("%s starts with the completion loaded" % name, "\nREADY\n" in sh.screen, sh):
        return
    for typed, want in CASES:
        got = line(sh, typed)
        check("%s: '%s' TAB completes to the name %r as one argument" % (name, typed, want),
              "ARG<group>\nARG<show>\nARG<%s>\n" % want in got, got)
    check("%s: nothing in a name ran" % name,
          not os.path.exists(os.path.join(tmp, "PWNED")) and
          not os.path.exists(os.path.join(tmp, "PWNED2")), os.listdir(tmp))
    sh.send("exit\r")
    sh.wait(5)


def main():
    shells = [s for s in ("bash", "zsh") if shutil.which(s)]
    if not shells:
        print("SKIP: neither bash nor zsh is installed")
        return 77
    tmp = tempfile.mkdtemp(prefix="meshprov-complete.")
    try:
        run(tmp, shells)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return check.summary()


def run(tmp, shells):
    bindir = os.path.join(tmp, "bin")
    os.mkdir(bindir)
    os.symlink(BIN, os.path.join(bindir, "meshprov"))
    keyring = os.path.join(tmp, "kr.json")
    for n in NAMES:
        subprocess.run([BIN, "--keyring", keyring, "group", "add", n], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True, timeout=30)
    env = {
        "PATH": bindir + ":/usr/bin:/bin",
        "HOME": tmp, "TERM": "dumb", "LANG": "C.UTF-8",
        "MESHPROV_KEYRING": keyring,
        "XDG_DATA_HOME": os.path.join(tmp, "data"),
        "COLUMNS": "200", "LINES": "50",
    }
    if "bash" in shells:
        session("bash", [shutil.which("bash"), "--norc", "--noprofile", "-i"],
                "PS1='BT$ '; . %s; %s" % (os.path.join(SRC, "completions", "meshprov.bash"),
                                           WRAP), env, tmp)
    else:
        print("SKIP: bash is not installed")
    if "zsh" in shells:
        session("zsh", [shutil.which("zsh"), "-f", "-i"],
                "PS1='ZT%% '; fpath=(%s $fpath); autoload -Uz compinit; compinit -u -D; %s"
                % (os.path.join(SRC, "completions"), WRAP), env, tmp)
    else:
        print("SKIP: zsh is not installed")


if __name__ == "__main__":
    sys.exit(main())
