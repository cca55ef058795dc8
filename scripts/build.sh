#!/usr/bin/env bash
# Configures and builds s2attn into ${S2ATTN_BUILD_DIR:-build}.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${S2ATTN_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja \
  -DS2ATTN_PYTHON_EXECUTABLE="$(command -v "${S2ATTN_PYTHON:-python3}")"
cmake --build "$build_dir"
