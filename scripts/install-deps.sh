#!/usr/bin/env bash
# Installs what s2attn needs on Debian 12: LLVM/MLIR 22, GoogleTest, Ninja,
# and the Python packages the tests use. Safe to run again: it installs only
# what is missing.
set -euo pipefail

debian_packages=(
  cmake ninja-build g++ git
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools libomp-22-dev
  libgtest-dev
)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "s2attn: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

python=${S2ATTN_PYTHON:-python3}
if ! "$python" -c "import numpy, pytest, ml_dtypes" >/dev/null 2>&1; then
  echo "s2attn: installing numpy, pytest and ml_dtypes for $python"
  "$python" -m pip install -q numpy pytest ml_dtypes
fi
# cuobjdump for the SASS checks of the GPU backend (no GPU needed); the CUDA
# toolkit here has ptxas but may lack cuobjdump.
if [ -d /usr/local/cuda ] && ! command -v cuobjdump >/dev/null 2>&1 &&
   ! "$python" -c "import nvidia, os, sys; sys.exit(not any(os.path.exists(os.path.join(p, 'cu13/bin/cuobjdump')) for p in nvidia.__path__))" >/dev/null 2>&1; then
  echo "s2attn: installing cuobjdump (nvidia-cuda-cuobjdump) for $python"
  "$python" -m pip install -q nvidia-cuda-cuobjdump || echo "s2attn: cuobjdump unavailable; SASS checks will be skipped"
fi
