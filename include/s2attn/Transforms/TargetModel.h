//===- TargetModel.h - what s2attn-plan knows about a machine ---*- C++ -*-===//
//
// The budgets that tile choices depend on, one entry per target. The planner
// reads only this, so a new target is a new entry (and, for GPUs, a
// conversion), not a change to the passes.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_TRANSFORMS_TARGETMODEL_H
#define S2ATTN_TRANSFORMS_TARGETMODEL_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace mlir::s2attn {

struct TargetModel {
  enum class Kind { CPU, GPU };

  llvm::StringRef name;
  Kind kind;
  /// The query tile the target wants; blocks smaller than it are merged
  /// (Merge-Q) when the pattern allows.
  int64_t preferredQTile;
  /// Bytes of fast memory one tile program may use: shared memory per CTA on
  /// GPUs, a per-core cache budget for the f32 scratch tiles on CPUs.
  int64_t fastMemoryBytes;
  /// Vector register width (CPU) in bits; 0 on GPUs.
  int64_t vectorBits;
  /// GPU only: 32-bit registers per thread before spilling, warps per CTA
  /// and the most K/V pipeline stages worth trying.
  int64_t registersPerThread = 0;
  int64_t warpsPerQTile64 = 0;
  int64_t maxStages = 0;
  /// GPU only: streaming multiprocessors of the reference part (A100, H100
  /// SXM), which sizes the first wave of CTAs.
  int64_t multiprocessors = 0;
  /// GPU only: CTAs a thread block cluster may hold (0: no clusters). 16 on
  /// sm_90a, beyond the portable 8: the runtime opts such kernels in.
  int64_t maxClusterCTAs = 0;

  bool isGPU() const { return kind == Kind::GPU; }
};

/// The target called `name`, or null.
const TargetModel *lookupTargetModel(llvm::StringRef name);
/// Every known target, for diagnostics.
llvm::ArrayRef<TargetModel> getTargetModels();

/// The tiles one attention problem gets on a target.
struct TilePlan {
  int64_t qTile;
  int64_t kvTile;
  std::optional<int64_t> numWarps;
  std::optional<int64_t> numStages;
};

/// Chooses tiles for a problem with pattern block `block`, head dimension
/// `headDim`, elements of `elementBytes` bytes and `qLen` queries (nullopt
/// when dynamic). `allowMergeQ` says whether the pattern is KV-cache
/// efficient (and merging is enabled).
TilePlan planTiles(const TargetModel &target, int64_t block, int64_t headDim,
                   int64_t elementBytes, std::optional<int64_t> qLen,
                   bool allowMergeQ);

} // namespace mlir::s2attn

#endif // S2ATTN_TRANSFORMS_TARGETMODEL_H
