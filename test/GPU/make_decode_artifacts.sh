#!/usr/bin/env bash
# Compiles the one-token decode workload of bench/decode.py (bf16, batch 1,
# 32 query heads on 8 KV heads, head_dim 128, the query at the end of the
# sequence) for the dense and S2 B64 L8 V16 patterns at KV lengths 8k, 32k
# and 128k, into OUTDIR/<pattern>_<kv_len>.
# Usage: make_decode_artifacts.sh S2COMPILE OUTDIR [S2COMPILE FLAGS...]
set -euo pipefail
source "$(dirname "$0")/compile_attention.sh"
s2compile=$1
out=$2
shift 2
mkdir -p "$out"
patterns=(
  "dense:#s2attn.dense<block = 64>"
  "b64_l8_v16:#s2attn.local_stride<block = 64, local = 8, stride = 16>"
)
for n in ${S2ATTN_DECODE_KV:-8192 32768 131072}; do
  for entry in "${patterns[@]}"; do
    compile_attention "$s2compile" "$out/${entry%%:*}_${n}" "${entry#*:}" \
      "memref<1x1x32x128xbf16>" "memref<1x${n}x8x128xbf16>" "$@"
  done
done
echo "compiled the decode kernels into $out"
