//===- TargetModel.cpp - machine budgets and tile choice ------------------===//

#include "s2attn/Transforms/TargetModel.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir::s2attn;

namespace {

// CPU: a 64-token query tile keeps the f32 scratch of a tile (query,
// accumulator, one transposed key and one value block) within a per-core L2
// share for head dims up to 256, and amortises each key block over 64 rows.
// GPUs: the shared memory per CTA and the register file are the budgets the
// Ampere-style kernels of the reference library are tuned to.
const TargetModel kTargets[] = {
    {"cpu", TargetModel::Kind::CPU, /*preferredQTile=*/64,
     /*fastMemoryBytes=*/512 * 1024, /*vectorBits=*/256},
    {"sm_80", TargetModel::Kind::GPU, /*preferredQTile=*/64,
     /*fastMemoryBytes=*/166912, /*vectorBits=*/0, /*registersPerThread=*/255,
     /*warpsPerQTile64=*/4, /*maxStages=*/3, /*multiprocessors=*/108},
    {"sm_90a", TargetModel::Kind::GPU, /*preferredQTile=*/128,
     /*fastMemoryBytes=*/232448, /*vectorBits=*/0, /*registersPerThread=*/255,
     /*warpsPerQTile64=*/4, /*maxStages=*/4, /*multiprocessors=*/132,
     /*maxClusterCTAs=*/16},
};

int64_t cpuScratchBytes(int64_t qTile, int64_t kvTile, int64_t headDim) {
  return (2 * qTile * headDim + 2 * kvTile * headDim + 2 * qTile) * 4;
}

int64_t gpuStagesThatFit(const TargetModel &target, int64_t qTile,
                         int64_t kvTile, int64_t headDim,
                         int64_t elementBytes) {
  int64_t qBytes = qTile * headDim * elementBytes;
  int64_t stageBytes = 2 * kvTile * headDim * elementBytes;
  if (qBytes + stageBytes > target.fastMemoryBytes)
    return 0;
  return std::min(target.maxStages,
                  (target.fastMemoryBytes - qBytes) / stageBytes);
}

} // namespace

const TargetModel *mlir::s2attn::lookupTargetModel(llvm::StringRef name) {
  for (const TargetModel &target : kTargets)
    if (target.name == name)
      return &target;
  return nullptr;
}

llvm::ArrayRef<TargetModel> mlir::s2attn::getTargetModels() { return kTargets; }

TilePlan mlir::s2attn::planTiles(const TargetModel &target, int64_t block,
                                 int64_t headDim, int64_t elementBytes,
                                 std::optional<int64_t> qLen,
                                 bool allowMergeQ) {
  TilePlan plan{block, block, std::nullopt, std::nullopt};
  if (allowMergeQ && block < target.preferredQTile) {
    // No point merging more block rows than the queries can fill; the
    // schedule allows at most 32 block rows per tile.
    int64_t wanted = target.preferredQTile;
    if (qLen)
      wanted = std::min<int64_t>(
          wanted, std::max<int64_t>(block, llvm::PowerOf2Ceil(*qLen)));
    plan.qTile = std::min(wanted, 32 * block);
  }
  if (!target.isGPU()) {
    while (plan.qTile > block &&
           cpuScratchBytes(plan.qTile, block, headDim) > target.fastMemoryBytes)
      plan.qTile /= 2;
    return plan;
  }
  int64_t stages =
      gpuStagesThatFit(target, plan.qTile, block, headDim, elementBytes);
  while (stages < 2 && plan.qTile > block) {
    plan.qTile /= 2;
    stages = gpuStagesThatFit(target, plan.qTile, block, headDim, elementBytes);
  }
  plan.numStages = std::max<int64_t>(1, stages);
  plan.numWarps =
      std::clamp<int64_t>(target.warpsPerQTile64 * plan.qTile / 64, 4, 8);
  return plan;
}
