//===- RowMajor.h - contiguous memref descriptors ---------------*- C++ -*-===//

#ifndef S2ATTN_CAPI_RUNNER_ROWMAJOR_H
#define S2ATTN_CAPI_RUNNER_ROWMAJOR_H

#include "mlir/ExecutionEngine/CRunnerUtils.h"

#include <cstdint>

namespace s2run {

/// Points `descriptor` at `data` (its allocation starting at `base`) as a
/// contiguous row-major array of `shape` (Rank sizes), the layout compiled
/// entry points expect.
template <typename T, int Rank>
void describeRowMajor(StridedMemRefType<T, Rank> &descriptor, T *base, T *data,
                      const int64_t *shape) {
  descriptor.basePtr = base;
  descriptor.data = data;
  descriptor.offset = 0;
  int64_t stride = 1;
  for (int dim = Rank - 1; dim >= 0; --dim) {
    descriptor.sizes[dim] = shape[dim];
    descriptor.strides[dim] = stride;
    stride *= shape[dim];
  }
}

} // namespace s2run

#endif // S2ATTN_CAPI_RUNNER_ROWMAJOR_H
