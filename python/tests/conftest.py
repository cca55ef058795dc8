"""Test setup: import the package from this source tree unless an installed
one is asked for, and decide whether the CPU path can run here."""

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
if os.environ.get("S2ATTN_TEST_INSTALLED") != "1":
    sys.path.insert(0, str(HERE.parent))

import s2attn  # noqa: E402


def pytest_report_header(config):
    return (f"s2attn from {Path(s2attn.__file__).parent}; CPU path "
            f"{'available' if s2attn.cpu_available() else 'NOT available'}")


@pytest.fixture(scope="session")
def cpu():
    """Skips (or, under ctest with S2ATTN_REQUIRE_CPU=1, fails) when
    libs2attn_capi.so cannot be loaded."""
    if not s2attn.cpu_available():
        message = ("libs2attn_capi.so not loadable: build it and set "
                   "S2ATTN_LIBRARY_DIR=<build>/lib")
        if os.environ.get("S2ATTN_REQUIRE_CPU") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return s2attn
