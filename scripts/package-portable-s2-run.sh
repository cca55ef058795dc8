#!/usr/bin/env bash
# Packs s2-run for a GPU machine that has the CUDA driver and toolkit but no
# LLVM/MLIR: the s2-run-portable target (static MLIR, LLVM, libstdc++ and
# runtime), stripped and xz-compressed to fit a device-tool carry.
#
#   scripts/package-portable-s2-run.sh OUTDIR
#
# writes OUTDIR/s2-run.xz and, for its CPU target, libomp.so (no dependencies
# but libc). On the GPU machine, unpack s2-run next to it:
#   python3 -c 'import lzma,sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())' \
#     OUTDIR/s2-run.xz > OUTDIR/s2-run && chmod +x OUTDIR/s2-run
#   OUTDIR/s2-run --target cuda --q-len 4096 --dtype bf16 ... --check
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
build_dir=${S2ATTN_BUILD_DIR:-build}
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  echo "error: no configured build in $build_dir (run scripts/build.sh first)" >&2
  exit 1
fi
cmake --build "$build_dir" --target s2-run-portable
strip -o "$out/s2-run" "$build_dir/bin/s2-run-portable"
xz -T0 -6 -f "$out/s2-run"
# The CPU target's parallel code calls libomp, which the JIT loads by path:
# from $S2RUN_JIT_LIBRARY_DIR if set, else from next to s2-run, before the
# build machine's path (lib/CAPI/JitRunner.cpp). The other
# library it can load, libmlir_c_runner_utils.so, needs libMLIR.so, and the
# attention code does not call it.
omp=$(sed -n 's/^S2RUN_OPENMP_LIBRARY:FILEPATH=//p' "$build_dir/CMakeCache.txt")
cp -L "$omp" "$out/$(basename "$omp")"
ls -l "$out"
