"""What the pseudo-terminal tests share (shell.py, zsh-complete.py): a
program on a pty whose screen is read back without escape sequences, and
PASS/FAIL bookkeeping."""
import os
import pty
import re
import select
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")


class Pty:
    """@argv run on a new pseudo-terminal with environment @env, in @cwd."""

    def __init__(self, argv, env, cwd=None):
        self.raw = b""
        self.pos = 0          # expect() searches from here on
        self.status = None
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            if cwd:
                os.chdir(cwd)
            os.execve(argv[0], argv, env)

    def read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        self.raw += data
        return bool(data)

    @property
    def screen(self):
        return ANSI.sub(b"", self.raw).decode(errors="replace")

    def expect(self, pattern, timeout=10):
        """Wait for @pattern after the last match; returns the match or None."""
        end = time.time() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.screen, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = end - time.time()
            if left <= 0:
                return None
            self.read(min(left, 0.2))

    def settle(self, secs):
        """Read whatever comes for @secs seconds."""
        end = time.time() + secs
        while time.time() < end:
            self.read(end - time.time())

    def quiet(self, gap=0.5, limit=10):
        """Read until nothing came for @gap seconds (or @limit passed)."""
        end = time.time() + limit
        while time.time() < end and self.read(gap):
            pass

    def send(self, text):
        os.write(self.fd, text.encode())

    def wait(self, timeout=10):
        """The exit status, or None after killing a program that hung."""
        end = time.time() + timeout
        while time.time() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
            self.read(0.1)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        return None

    def tail(self, n=1500):
        return "\n".join("    " + l for l in self.screen[-n:].splitlines())


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, name, ok, detail=None):
        """Count and print one check; @detail (a Pty or text) is shown on failure."""
        if ok:
            self.passed += 1
            print("PASS: " + name)
        else:
            self.failed += 1
            print("FAIL: " + name)
            if isinstance(detail, Pty):
                print(detail.tail())
            elif detail:
                print("\n".join("    " + l for l in detail[-1200:].splitlines()))
        return ok

    def summary(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0
