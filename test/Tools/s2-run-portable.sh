#!/usr/bin/env bash
# s2-run-portable must run where LLVM/MLIR are not installed: no libMLIR,
# libLLVM or libstdc++ among its shared libraries, the CPU path still checks
# against the reference, and --target cuda either runs (a GPU is present) or
# stops with exit 2 and says why.
#   s2-run-portable.sh S2RUN_PORTABLE
set -uo pipefail
tool=${1:?usage: s2-run-portable.sh S2RUN_PORTABLE}
status=0
if ldd "$tool" | grep -E "libMLIR|libLLVM|libstdc\+\+"; then
  echo "FAIL: $tool links the libraries above dynamically"
  status=1
fi
if ! "$tool" --q-len 200 --heads 2 --block 64 --local 2 --stride 2 --check \
    | grep -q "check: PASSED"; then
  echo "FAIL: CPU run did not pass its check"
  status=1
fi
output=$("$tool" --q-len 128 --heads 2 --head-dim 64 --dtype bf16 --block 64 \
  --local 1 --stride 2 --target cuda --check 2>&1)
code=$?
if [[ $code -eq 0 ]]; then
  grep -q "check: PASSED" <<< "$output" || { echo "FAIL: GPU run: $output"; status=1; }
elif [[ $code -ne 2 ]] || ! grep -q "no CUDA driver\|no CUDA-capable\|no GPU" <<< "$output"; then
  echo "FAIL: --target cuda exited $code: $output"
  status=1
fi
[[ $status -eq 0 ]] && echo "s2-run-portable: static MLIR/LLVM/libstdc++, CPU check passed, --target cuda exit $code"
exit $status
