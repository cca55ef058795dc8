"""Runs a command and succeeds only if it exits with the given code.

lit's `not` accepts any non-zero exit; the s2-run tests also need to tell
"bad input" (1) from "unsupported target" (2) and "check mismatch" (3).
The command's output passes through; a signal (a crash) always fails.

    expect_exit.py CODE COMMAND [ARGS...]
"""

import subprocess
import sys


def main(argv):
    expected = int(argv[1])
    result = subprocess.run(argv[2:])
    if result.returncode != expected:
        sys.stdout.flush()
        print(f"expect_exit.py: {argv[2]} exited with {result.returncode}, "
              f"expected {expected}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
