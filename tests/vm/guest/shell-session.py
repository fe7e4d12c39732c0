#!/usr/bin/env python3
"""The meshprov shell on a real controller, typed at through a pty (the
pty-session part of shell-scan.sh). Usage:

    shell-session.py MESHPROV HCI KEYRING UUID MARKS

UUID: the device expected (32 hex digits). Types `scan on`, waits for the
device, `scan off`, lets 4 s pass, `devices` (the entry must have aged),
`scan on` (the entry fresh again), `provision #N`, `quit`. MARKS gets one
line per moment the scenario checks btmon against: "off SECONDS" and "on
SECONDS" (seconds since midnight, local time, as btmon -t prints them).
Exit 0 when every check passed; each check prints PASS/FAIL.
"""
import os
import re
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "integration"))
from ptytest import Checks, Pty  # noqa: E402


def day_seconds():
    t = time.time()
    lt = time.localtime(t)
    return lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec + (t % 1)


def main():
    binary, hci, keyring, want, marks = sys.argv[1:6]
    dashed = "-".join([want[0:8], want[8:12], want[12:16], want[16:20], want[20:32]])
    env = dict(os.environ, TERM="xterm", NO_COLOR="1", INPUTRC="/dev/null",
               HOME=os.path.dirname(keyring), COLUMNS="200", LINES="50")
    check = Checks()
    sh = Pty([binary, "-i", hci, "--keyring", keyring], env)
    out = open(marks, "w")
    try:
        check("the prompt comes up", sh.expect(r"meshprov> ", 20) is not None, sh)
        sh.send("scan on\r")
        m = sh.expect(r"\[NEW\] Device #(\d+) " + dashed, 30)
        check("scan on: the device's beacon is heard from the controller", m is not None, sh)
        if not m:
            return check.summary()
        idx = m.group(1)

        sh.send("scan off\r")
        check("scan off", sh.expect(r"Discovery stopped") is not None, sh)
        out.write("off %.6f\n" % day_seconds())
        out.flush()
        sh.settle(4)
        off_end = day_seconds()
        sh.pos = len(sh.screen)
        sh.send("devices\r")
        check("after scan off the entry ages (nothing heard for 4 s)",
              sh.expect(r"#" + idx + r" +" + dashed + r".* ([3-9]|\d\d+)s ago") is not None, sh)
        out.write("on %.6f\n" % off_end)
        out.flush()

        sh.send("scan on\r")
        check("scan on again", sh.expect(r"Discovery started") is not None, sh)
        sh.settle(2)
        sh.pos = len(sh.screen)
        sh.send("devices\r")
        check("after scan on the entry is fresh again",
              sh.expect(r"#" + idx + r" +" + dashed + r".* [01]s ago") is not None, sh)

        sh.pos = len(sh.screen)
        sh.send("provision #" + idx + "\r")
        check("provision #N from the shell, over the real controller",
              sh.expect(r"\[OK\] " + dashed + r" provisioned: address 0x[0-9a-f]{4}", 60)
              is not None, sh)
        sh.send("quit\r")
        check("quit leaves with status 0", sh.wait(15) == 0, sh)
    finally:
        out.close()
        if sh.status is None:
            sh.wait(1)
        sys.stdout.write(re.sub(r"\n{3,}", "\n\n", sh.screen[-3000:]) + "\n")
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
