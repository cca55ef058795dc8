#!/usr/bin/env bash
# Rebuilds the committed test kernels from test_kernels.cu with the CUDA
# toolkit (no GPU needed): one sm_90a cubin shared by the artifact directories,
# and portable PTX for the JIT path (mgpuModuleLoadJIT).
set -euo pipefail
cd "$(dirname "$0")"
NVCC=${NVCC:-/usr/local/cuda/bin/nvcc}
"$NVCC" -cubin -gencode=arch=compute_90a,code=sm_90a -O3 \
  -o test_kernels.cubin test_kernels.cu
"$NVCC" -ptx -arch=compute_90 -O3 -o test_kernels.ptx test_kernels.cu
for artifact in vector_add vector_add_smem axpy_2d_memref; do
  cp test_kernels.cubin "$artifact/kernel.cubin"
done
rm test_kernels.cubin
