//===- Inputs.h - the runner's input tensors and masks ----------*- C++ -*-===//

#ifndef S2RUN_INPUTS_H
#define S2RUN_INPUTS_H

#include "s2attn/CAPI/Runner/FloatFormats.h"
#include "s2attn/CAPI/Runner/ProblemIR.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace s2run {

/// `count` values uniform in [-1, 1), a fixed function of `seed` and
/// `stream` (so q, k and v differ), rounded to `type`.
std::vector<float> randomValues(int64_t count, uint64_t seed, uint64_t stream,
                                ElementType type);

/// Reads a float32, float16 or bfloat16 .npy of exactly `shape` and returns
/// its values rounded to `type`. `what` names the tensor in messages.
llvm::Expected<std::vector<float>> loadTensor(llvm::StringRef path,
                                              llvm::StringRef what,
                                              llvm::ArrayRef<int64_t> shape,
                                              ElementType type);

/// What a block mask file must cover.
struct MaskRequirements {
  int64_t block;
  int64_t heads, kvHeads;
  /// Blocks the problem reaches (absolute end position / block, rounded up).
  int64_t qBlocks, kvBlocks;
};

/// Reads a bool or uint8 .npy [heads, kv_heads or 1, >= qBlocks,
/// >= kvBlocks]; any non-zero byte attends the block.
llvm::Expected<BlockMask> loadBlockMask(llvm::StringRef path,
                                        const MaskRequirements &required);

} // namespace s2run

#endif // S2RUN_INPUTS_H
