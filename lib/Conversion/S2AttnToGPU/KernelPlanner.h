//===- KernelPlanner.h - a kernel plan for the problem ---------*- C++ -*-===//

#ifndef S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_KERNELPLANNER_H
#define S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_KERNELPLANNER_H

#include "s2attn/Conversion/S2AttnToGPU/FlashKernel.h"
#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"
#include "s2attn/Transforms/TargetModel.h"

#include "mlir/Support/LLVM.h"

namespace mlir::s2attn {

/// The pass options a kernel plan depends on.
struct KernelChoices {
  StringRef schedule;
  bool packGQA;
  /// Most heads a CTA packs; 0 picks.
  int64_t packedHeads;
  int64_t stages;
  bool longestFirst;
  bool peelDiagonal;
  /// 64 or 128; 0 picks: key splits for decode tiles, else by the number of
  /// waves.
  int64_t ctaRows;
  /// A persistent grid of persistentCTAs CTAs (0: one wave).
  bool persistent;
  int64_t persistentCTAs;
  /// Resident CTAs per SM; 0 picks.
  int64_t ctasPerSM;
  /// CTAs of a thread block cluster that share a tile; 0 picks.
  int64_t clusterSplits;
  /// Clusters per decoding tile across the grid; 0 picks.
  int64_t gridSplits;
  const TargetModel &target;
};

/// The kernel for `op` under `choices`, or a diagnostic on the op when the
/// GPU backend does not serve the problem.
FailureOr<FlashKernelConfig> planKernel(AttentionOp op,
                                        const KernelChoices &choices);

} // namespace mlir::s2attn

#endif // S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_KERNELPLANNER_H
