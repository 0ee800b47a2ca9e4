"""tests/ref/common.py: what the reference tests share. skip() ends a test
with ctest's skip code (77) and says why: a missing Python package (pass the
ImportError) or no RETAIN binary; retain_binary() is that binary; Checks
prints one `ok`/`FAIL` line per check and gives the exit code; scratch() is
a temporary folder under $TMPROOT (the build's), removed afterwards."""
import os
import sys
import tempfile


def skip(why):
    print(f"skip: {why}")
    sys.exit(77)


def retain_binary():
    path = os.environ.get("RETAIN")
    if not path:
        skip("RETAIN is not set (run the test under ctest)")
    return path


class Checks:
    def __init__(self):
        self.failed = []

    def __call__(self, ok, what):
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            self.failed.append(what)
        return ok

    def exit_code(self):
        if self.failed:
            print(f"{len(self.failed)} check(s) failed")
        return 1 if self.failed else 0


def scratch():
    root = os.environ.get("TMPROOT", tempfile.gettempdir())
    os.makedirs(root, exist_ok=True)
    return tempfile.TemporaryDirectory(dir=root)
