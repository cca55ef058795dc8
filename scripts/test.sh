#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every suite
# (lit + FileCheck, GoogleTest, numerics) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
build_dir=${S2ATTN_BUILD_DIR:-build}
status=0
ctest --test-dir "$build_dir" --output-on-failure || status=$?
# ctest names skipped tests but not why; their own output says.
awk '/^[0-9]+\/[0-9]+ Test: / { name = $3 }
     /^SKIPPED/ { sub(/^SKIPPED:? */, ""); print "skipped in " name ": " $0 }' \
  "$build_dir/Testing/Temporary/LastTest.log"
exit $status
