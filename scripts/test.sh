#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every suite
# (lit + FileCheck, GoogleTest, numerics) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir "${S2ATTN_BUILD_DIR:-build}" --output-on-failure
