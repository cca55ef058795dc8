"""Runs the package's pytest suite for ctest: installs numpy, pytest and
ml_dtypes with pip only when they are missing, and treats "no tests
collected" (pytest exit 5) as a failure, since the suite is never empty."""

import importlib.util
import subprocess
import sys

REQUIREMENTS = {"numpy": "numpy", "pytest": "pytest", "ml_dtypes": "ml_dtypes"}
NO_TESTS_COLLECTED = 5


def install_missing() -> None:
    missing = [package for module, package in REQUIREMENTS.items()
               if importlib.util.find_spec(module) is None]
    if missing:
        print(f"run_pytest.py: installing {' '.join(missing)} with pip",
              flush=True)
        subprocess.check_call([sys.executable, "-m", "pip", "install",
                               "--quiet", *missing])


def main() -> int:
    install_missing()
    args = sys.argv[1:] or ["tests"]
    code = subprocess.call([sys.executable, "-m", "pytest", "-rs", "-q",
                            "-p", "no:cacheprovider", *args])
    if code == NO_TESTS_COLLECTED:
        print("run_pytest.py: pytest collected no tests", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
