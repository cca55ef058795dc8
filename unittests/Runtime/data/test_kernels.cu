// Tiny kernels for the runtime's GPU smoke test. They exercise the parameter
// kinds of the artifact format (pointers, a symbol, scalars, MLIR memref
// descriptors) and a launch that needs more than 48 KiB of dynamic shared
// memory. Rebuild the committed cubin/PTX with regenerate.sh.

extern "C" __global__ void vector_add(const float *a, const float *b,
                                      float *c, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    c[i] = a[i] + b[i];
}

// Stages each sum through both ends of the dynamic shared memory region, so
// the launch only works when the whole requested size is really there.
extern "C" __global__ void vector_add_smem(const float *a, const float *b,
                                           float *c, int n, int smemFloats) {
  extern __shared__ float staging[];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  float sum = i < n ? a[i] + b[i] : 0.0f;
  staging[threadIdx.x] = sum;
  __syncthreads();
  staging[smemFloats - 1 - threadIdx.x] = staging[threadIdx.x];
  __syncthreads();
  if (i < n)
    c[i] = staging[smemFloats - 1 - threadIdx.x];
}

// c = alpha * a + b over 2-D memrefs passed the way MLIR's gpu-to-llvm passes
// them: allocated pointer, aligned pointer, offset, sizes, strides.
extern "C" __global__ void
axpy_2d_memref(const float *aAllocated, const float *a, long long aOffset,
               long long aRows, long long aCols, long long aStride0,
               long long aStride1, const float *bAllocated, const float *b,
               long long bOffset, long long bRows, long long bCols,
               long long bStride0, long long bStride1, float *cAllocated,
               float *c, long long cOffset, long long cRows, long long cCols,
               long long cStride0, long long cStride1, float alpha) {
  long long col = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  long long row = blockIdx.y;
  if (col >= aCols || row >= aRows)
    return;
  float x = a[aOffset + row * aStride0 + col * aStride1];
  float y = b[bOffset + row * bStride0 + col * bStride1];
  c[cOffset + row * cStride0 + col * cStride1] = alpha * x + y;
}
