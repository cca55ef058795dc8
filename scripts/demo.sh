#!/usr/bin/env bash
# The main job: installs what is missing, builds, shows what an S2 pattern
# does, then compiles an S2 attention and runs it — on the GPU when this
# machine has one, else on the CPU — and checks it against the float64
# reference.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
build_dir=${S2ATTN_BUILD_DIR:-build}
export CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}

echo "== examples/phi3-small-layer.mlir: analysis (density, coverage, KV-cache efficiency)"
"$build_dir/bin/s2-opt" examples/phi3-small-layer.mlir \
  --s2attn-analyze="emit-remarks=true" -o /dev/null 2>&1 |
  grep -E "remark|warning" | cut -c1-160 | sed 's/^/  /'

echo "== the pattern, 8 heads x 32 blocks (picture: $build_dir/pattern.svg)"
"$build_dir/bin/s2-pattern" --heads 8 --kv-heads 8 --blocks 32 --block 64 \
  --local 4 --stride 8 --head-offset 1 --svg "$build_dir/pattern.svg" |
  grep -E "overall density|coverage|KV-cache"

if nvidia-smi >/dev/null 2>&1 && [ -x "$CUDA_HOME/bin/ptxas" ]; then
  echo "== GPU: compile Phi-3-small's pattern at 4k tokens, run it, check it"
  "$build_dir/bin/s2-compile" examples/phi3-small-layer-gpu.mlir -o "$build_dir/demo-gpu"
  cmake -S test/GPU -B "$build_dir/gpu-check" -G Ninja >/dev/null
  cmake --build "$build_dir/gpu-check" >/dev/null
  "$build_dir/gpu-check/s2-gpu-check" --time 20 "$build_dir/demo-gpu"
else
  echo "== no GPU here: compile for the CPU, run on all cores, check"
  "$build_dir/bin/s2-run" --q-len 2048 --heads 8 --kv-heads 2 --head-dim 128 \
    --dtype bf16 --block 64 --local 16 --stride 8 --head-offset 1 --check --time
fi
