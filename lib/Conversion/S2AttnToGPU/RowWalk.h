//===- RowWalk.h - where a CTA finds the key blocks of its row --*- C++ -*-===//
//
// The kernel walks entries 0..numEntries-1 of its (query head, query tile)
// row. A RowWalk answers, for an entry, its absolute key block, whether it
// needs the token mask, and which Merge-Q block rows use it — from constant
// CSR arrays (any pattern) or in closed form (local-stride and dense).
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_ROWWALK_H
#define S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_ROWWALK_H

#include "s2attn/Conversion/S2AttnToGPU/FlashKernel.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <functional>

namespace mlir::s2attn {

struct RowWalk {
  Value numEntries;
  std::function<Value(Value entry)> keyBlock;
  std::function<Value(Value entry)> needsMask;
  /// i32 bit mask over the tile's block rows.
  std::function<Value(Value entry)> rowMask;
};

/// Where the CTA is: its query head, KV head, absolute query tile and the
/// first query position of the tile that exists.
struct RowCoordinates {
  Value head, kvHead, qTile, tileInChunk, firstQueryPos;
};

/// Emits the CSR arrays into `module` (named after `kernelName`) and reads
/// them in the kernel.
RowWalk buildScheduleWalk(ImplicitLocOpBuilder &b,
                          const FlashKernelConfig &config,
                          gpu::GPUModuleOp module, StringRef kernelName,
                          const RowCoordinates &where);

/// Computes the row from the pattern's parameters.
RowWalk buildClosedFormWalk(ImplicitLocOpBuilder &b,
                            const FlashKernelConfig &config,
                            const RowCoordinates &where);

} // namespace mlir::s2attn

#endif // S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_ROWWALK_H
