//===- Analysis.h - Properties of a block pattern ---------------*- C++ -*-===//
//
// Density, context coverage and KV-cache efficiency (SPEC section 2, "useful
// properties"), computed over a finite block grid.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_REFERENCE_ANALYSIS_H
#define S2ATTN_REFERENCE_ANALYSIS_H

#include "s2attn/Reference/Pattern.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace s2attn::ref {

struct BlockCoordinate {
  int64_t head, qBlock, kvBlock;
};

struct PatternStats {
  /// Per query head: attended block pairs / legal block pairs (causal pairs
  /// when causal, all pairs otherwise).
  std::vector<double> headDensity;
  double overallDensity = 0.0;
  /// Whether, for every query block, the union over heads of its attended
  /// key blocks is every legal key block.
  bool coversContext = true;
  /// The first (qBlock, kvBlock) no head attends; head is -1.
  std::optional<BlockCoordinate> firstUncovered;
  /// Local-stride patterns in absolute mode: residues of Z_V that no sparse
  /// head's vertical columns hit (empty when dense heads exist or V == 1).
  std::vector<int64_t> uncoveredResidues;
  /// blk(h, bq + 1, bk) implies blk(h, bq, bk) for every bk <= bq.
  bool kvCacheEfficient = true;
  /// A (head, bq, bk) where row bq + 1 uses block bk but row bq does not.
  std::optional<BlockCoordinate> kvInefficiency;
};

/// Analyses `pattern` for `heads` query heads over qBlocks x kvBlocks
/// absolute blocks starting at block 0.
PatternStats analyzePattern(const BlockPattern &pattern, int64_t heads,
                            int64_t kvHeads, int64_t qBlocks,
                            int64_t kvBlocks);

} // namespace s2attn::ref

#endif // S2ATTN_REFERENCE_ANALYSIS_H
