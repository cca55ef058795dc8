#!/usr/bin/env bash
# Builds the GPU checkers (s2-gpu-check, s2-gpu-overlap) as the GPU machine
# does, from the runtime and reference sources with CMake and the CUDA
# toolkit alone, so that their sources cannot break unseen where no GPU runs
# them. Exits 77 (skipped) without a CUDA toolkit.
# Usage: build-checkers.sh BUILD_DIR
set -euo pipefail
build=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
cuda=${CUDA_HOME:-/usr/local/cuda}
if [[ ! -f $cuda/include/cuda_runtime.h ]]; then
  echo "skipped: no CUDA toolkit at $cuda (set CUDA_HOME)"
  exit 77
fi
cmake -S "$root/test/GPU" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCUDAToolkit_ROOT="$cuda" > "$build.log" 2>&1 || { tail -20 "$build.log"; exit 1; }
cmake --build "$build" >> "$build.log" 2>&1 || { tail -40 "$build.log"; exit 1; }
for tool in s2-gpu-check s2-gpu-overlap; do
  [[ -x $build/$tool ]] || { echo "$tool was not built"; exit 1; }
done
echo "built s2-gpu-check and s2-gpu-overlap in $build"
