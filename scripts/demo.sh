#!/usr/bin/env bash
# The main job: installs what is missing, builds, then compiles an S2
# attention (Phi-3-small's pattern, scaled down) and shows what the pattern does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
build_dir=${S2ATTN_BUILD_DIR:-build}
example=examples/phi3-small-layer.mlir

echo "== $example: analysis (density, coverage, KV-cache efficiency)"
"$build_dir/bin/s2-opt" "$example" --s2attn-analyze="emit-remarks=true" \
  -o /dev/null 2>&1 | grep -E "remark|warning" | sed 's/^/  /'

echo "== the pattern, per head (block grid of the first 32 blocks)"
"$build_dir/bin/s2-pattern" --heads 8 --kv-heads 8 --blocks 32 --block 64 \
  --local 4 --stride 8 --head-offset 1 --svg "$build_dir/pattern.svg"
echo "== picture written to $build_dir/pattern.svg"
