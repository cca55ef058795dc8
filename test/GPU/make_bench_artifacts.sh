#!/usr/bin/env bash
# Compiles the benchmark workload of bench/ (forward, bf16, batch 1, 32 heads,
# head_dim 128, causal) for every pattern and length into artifact dirs.
# Usage: make_bench_artifacts.sh S2COMPILE OUTDIR [S2COMPILE FLAGS...]
# (S2ATTN_BENCH_SEQ="16384 32768" limits the lengths.)
set -euo pipefail
source "$(dirname "$0")/compile_attention.sh"
s2compile=$1
out=$2
shift 2
mkdir -p "$out"
patterns=(
  "b64_l16_v8:#s2attn.local_stride<block = 64, local = 16, stride = 8>"
  "b64_l8_v16:#s2attn.local_stride<block = 64, local = 8, stride = 16>"
  "b128_l8_v8:#s2attn.local_stride<block = 128, local = 8, stride = 8>"
  "dense_v1:#s2attn.local_stride<block = 64, local = 16, stride = 1>"
)
for n in ${S2ATTN_BENCH_SEQ:-4096 16384 32768 65536 131072}; do
  for entry in "${patterns[@]}"; do
    t="memref<1x${n}x32x128xbf16>"
    compile_attention "$s2compile" "$out/${entry%%:*}_${n}" "${entry#*:}" \
      "$t" "$t" "$@"
  done
done
echo "compiled the benchmark kernels into $out"
