#!/usr/bin/env bash
# Compiles the workloads of bench/ into artifact dirs OUTDIR/<pattern>_<len>:
#   default: bench/baselines.py's (forward, bf16, batch 1, 32 heads,
#     head_dim 128, causal) for every pattern and length;
#   --decode: bench/decode.py's (one query at the end of the sequence, 32
#     query heads on 8 KV heads) for the dense and S2 B64 L8 V16 patterns.
# Usage: make_bench_artifacts.sh [--decode] S2COMPILE OUTDIR [S2COMPILE FLAGS...]
# (S2ATTN_BENCH_SEQ="16384 32768" limits the lengths, of the KV under --decode;
# S2ATTN_BENCH_KV_HEADS sets the decode's KV heads, 8 by default, 1 for MQA.)
set -euo pipefail
decode=0
if [[ ${1:-} == --decode ]]; then
  decode=1
  shift
fi
s2compile=$1
out=$2
shift 2
mkdir -p "$out"

# compile_attention DIR PATTERN QTYPE KVTYPE: one s2attn.attention with
# queries/outputs of QTYPE and keys/values of KVTYPE into artifact DIR.
compile_attention() {
  local dir=$1 pattern=$2 q=$3 kv=$4
  cat > "$dir.mlir" <<MLIR
func.func @s2attn_main(%q: $q, %k: $kv, %v: $kv, %o: $q) {
  s2attn.attention ins(%q, %k, %v : $q, $kv, $kv) outs(%o : $q) pattern = $pattern
  return
}
MLIR
  "$s2compile" "$dir.mlir" -o "$dir" "${flags[@]}" > /dev/null
  rm "$dir.mlir"
}
flags=("$@")

if [[ $decode == 1 ]]; then
  patterns=(
    "dense:#s2attn.dense<block = 64>"
    "b64_l8_v16:#s2attn.local_stride<block = 64, local = 8, stride = 16>"
  )
  lengths=${S2ATTN_BENCH_SEQ:-8192 32768 131072}
else
  patterns=(
    "b64_l16_v8:#s2attn.local_stride<block = 64, local = 16, stride = 8>"
    "b64_l8_v16:#s2attn.local_stride<block = 64, local = 8, stride = 16>"
    "b128_l8_v8:#s2attn.local_stride<block = 128, local = 8, stride = 8>"
    "dense_v1:#s2attn.local_stride<block = 64, local = 16, stride = 1>"
  )
  lengths=${S2ATTN_BENCH_SEQ:-4096 16384 32768 65536 131072}
fi
for n in $lengths; do
  for entry in "${patterns[@]}"; do
    if [[ $decode == 1 ]]; then
      q="memref<1x1x32x128xbf16>" kv="memref<1x${n}x${S2ATTN_BENCH_KV_HEADS:-8}x128xbf16>"
    else
      q="memref<1x${n}x32x128xbf16>" kv=$q
    fi
    compile_attention "$out/${entry%%:*}_${n}" "${entry#*:}" "$q" "$kv"
  done
done
echo "compiled the $([[ $decode == 1 ]] && echo decode || echo benchmark) kernels into $out"
