#!/usr/bin/env bash
# Runs `s2-run --target cuda --check` on the GPU machine over a spread of
# problems (GQA, MQA, decode, bidirectional, dense heads, masks, lengths that
# are not block multiples, offsets, f16 and bf16, head_dim 64 and 128, GPU
# planning flags) and cases that must be refused. Each compiles in-process
# to a cubin (ptxas from CUDA_HOME or PATH), launches through the runtime and
# compares with the float64 reference.
#
#   test/GPU/s2-run-cuda.sh S2RUN [WORKDIR]
set -uo pipefail
s2run=${1:?usage: s2-run-cuda.sh S2RUN [WORKDIR]}
if [[ -n ${2:-} ]]; then
  work=$2
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
python3 - "$work/mask.npy" <<'PY' || { echo "cannot write the mask (numpy?)"; exit 1; }
import sys
import numpy as np
rng = np.random.default_rng(7)
mask = rng.random((2, 8, 8)) < 0.4
mask |= np.eye(8, dtype=bool)[None]
np.save(sys.argv[1], mask)
PY

cases=(
  "--q-len 1000 --heads 8 --kv-heads 2 --head-dim 64 --dtype bf16 --block 64 --local 4 --stride 4"
  "--q-len 777 --heads 4 --kv-heads 4 --head-dim 128 --dtype f16 --block 32 --local 3 --stride 5"
  "--q-len 1 --kv-len 5000 --heads 16 --kv-heads 4 --head-dim 128 --dtype bf16 --block 64 --local 8 --stride 8"
  "--q-len 300 --kv-len 1300 --heads 8 --kv-heads 1 --head-dim 64 --dtype f16 --block 128 --local 2 --stride 3"
  "--q-len 513 --heads 4 --kv-heads 2 --head-dim 64 --dtype bf16 --block 64 --local 2 --stride 4 --bidirectional"
  "--q-len 640 --heads 8 --kv-heads 4 --head-dim 128 --dtype bf16 --block 64 --local 2 --stride 4 --dense-heads 2"
  "--q-len 450 --heads 4 --kv-heads 2 --head-dim 64 --dtype bf16 --block 64 --mask $work/mask.npy"
  "--q-len 450 --heads 4 --kv-heads 2 --head-dim 64 --dtype f16 --block 64 --mask $work/mask.npy --bidirectional"
  "--q-len 2048 --batch 2 --heads 8 --head-dim 128 --dtype bf16 --dense"
  "--q-len 900 --heads 4 --head-dim 64 --dtype bf16 --block 16 --local 3 --stride 6 --homo-head --head-offset 1"
  "--q-len 256 --kv-len 1024 --kv-start 100 --heads 4 --head-dim 64 --dtype f16 --block 64 --local 2 --stride 2"
  "--q-len 4096 --heads 32 --head-dim 128 --dtype bf16 --block 64 --local 8 --stride 16 --time --repeat 20"
  "--q-len 1 --kv-len 20000 --heads 32 --kv-heads 8 --head-dim 128 --dtype bf16 --dense"
  "--q-len 1 --kv-len 9000 --heads 32 --kv-heads 1 --head-dim 64 --dtype f16 --dense"
  "--q-len 1000 --heads 8 --kv-heads 2 --head-dim 64 --dtype bf16 --block 64 --local 4 --stride 4 --ctas-per-sm 3 --schedule exact"
  "--q-len 2000 --heads 4 --head-dim 128 --dtype bf16 --block 128 --local 2 --stride 4 --cta-rows 128 --peel-diagonal=false"
)
# Refused before any launch, exit 2, with the reason after "|": head_dim 96
# has no mma.sync kernel, and sm_80 code runs only on sm_8x cards (there it
# must pass instead).
refusals=("--q-len 256 --head-dim 96 --dtype bf16|head_dim 96 is not supported by the GPU backend")
ampere="--q-len 1024 --heads 8 --kv-heads 2 --head-dim 128 --dtype bf16 --block 64 --local 4 --stride 4 --chip sm_80"
capability=$(nvidia-smi -i "${CUDA_VISIBLE_DEVICES:-0}" --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1)
case $capability in
  8.*) cases+=("$ampere") ;;
  "") echo "note: nvidia-smi gave no compute capability; the sm_80 case is left out" ;;
  *) refusals+=("$ampere|S2ATTN_ERROR_ARCH_MISMATCH") ;;
esac
passed=0 failed=0
for case in "${cases[@]}"; do
  echo "== s2-run --target cuda --check $case"
  # shellcheck disable=SC2086
  if "$s2run" --target cuda --check $case; then
    passed=$((passed + 1))
  else
    echo "FAILED (exit $?): $case"
    failed=$((failed + 1))
  fi
done

for entry in "${refusals[@]}"; do
  case=${entry%%|*}
  reason=${entry#*|}
  echo "== refused: $case"
  # shellcheck disable=SC2086
  output=$("$s2run" --target cuda --check $case 2>&1)
  status=$?
  echo "$output"
  if [[ $status -eq 2 ]] && grep -q -- "$reason" <<< "$output"; then
    passed=$((passed + 1))
  else
    echo "FAILED: exited $status without \"$reason\" (expected exit 2): $case"
    failed=$((failed + 1))
  fi
done
echo "s2-run --target cuda: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
