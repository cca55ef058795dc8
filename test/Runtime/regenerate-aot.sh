#!/usr/bin/env bash
# Compiles aot_vector_add.mlir with Debian's MLIR/LLVM 22 into x86-64 assembly
# (host code + embedded sm_90a cubin) that calls the runtime's mgpu* entry
# points. The GPU machine has no LLVM, so the assembly is committed.
set -euo pipefail
cd "$(dirname "$0")"
LLVM=${LLVM_PREFIX:-/usr/lib/llvm-22}/bin
export CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
export PATH="$CUDA_HOME/bin:$PATH" # ptxas, for the cubin
"$LLVM/mlir-opt" aot_vector_add.mlir \
  --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=bin opt-level=3" \
  | "$LLVM/mlir-translate" --mlir-to-llvmir \
  | "$LLVM/llc" -O2 -relocation-model=pic -o aot_vector_add.s
# The generated assembly declares every runtime function it calls:
grep -o 'mgpu[A-Za-z0-9]*' aot_vector_add.s | sort -u
