//===- Analysis.cpp - Properties of a block pattern -----------------------===//
//
// One pass per distinct head pattern (BlockPattern::canonicalHead) over the
// block grid, row by row, so that 2048 x 2048 blocks x 32 heads stays fast.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Reference/Analysis.h"

#include <algorithm>
#include <map>

using namespace s2attn::ref;

namespace {

/// A qBlocks x kvBlocks bit grid: which blocks some head attends.
class CoverageGrid {
public:
  CoverageGrid(int64_t qBlocks, int64_t kvBlocks)
      : kvBlocks(kvBlocks),
        words(static_cast<size_t>((qBlocks * kvBlocks + 63) / 64), 0) {}

  void set(int64_t qBlock, int64_t kvBlock) {
    int64_t bit = qBlock * kvBlocks + kvBlock;
    words[bit / 64] |= uint64_t(1) << (bit % 64);
  }
  bool test(int64_t qBlock, int64_t kvBlock) const {
    int64_t bit = qBlock * kvBlocks + kvBlock;
    return (words[bit / 64] >> (bit % 64)) & 1u;
  }

private:
  int64_t kvBlocks;
  std::vector<uint64_t> words;
};

/// Key blocks [0, end) that a query block may legally attend.
int64_t legalRowEnd(bool causal, int64_t qBlock, int64_t kvBlocks) {
  return causal ? std::min(qBlock + 1, kvBlocks) : kvBlocks;
}

int64_t legalPairs(bool causal, int64_t qBlocks, int64_t kvBlocks) {
  int64_t pairs = 0;
  for (int64_t qBlock = 0; qBlock < qBlocks; ++qBlock)
    pairs += legalRowEnd(causal, qBlock, kvBlocks);
  return pairs;
}

/// What one pass over a head's grid finds.
struct HeadScan {
  int64_t attended = 0;
  std::optional<BlockCoordinate> kvInefficiency;
};

/// Counts `head`'s attended blocks, marks them in `coverage` and finds the
/// first row that picks up an old key block its predecessor dropped.
HeadScan scanHead(const BlockPattern &pattern, int64_t head, int64_t qBlocks,
                  int64_t kvBlocks, CoverageGrid &coverage) {
  HeadScan scan;
  std::vector<uint8_t> previous(kvBlocks, 0), current(kvBlocks, 0);
  for (int64_t qBlock = 0; qBlock < qBlocks; ++qBlock) {
    int64_t rowEnd = legalRowEnd(pattern.causal(), qBlock, kvBlocks);
    std::fill(current.begin(), current.end(), 0);
    for (int64_t kvBlock = 0; kvBlock < rowEnd; ++kvBlock) {
      if (!pattern.attendsBlock(head, qBlock, kvBlock))
        continue;
      current[kvBlock] = 1;
      ++scan.attended;
      coverage.set(qBlock, kvBlock);
    }
    // Only blocks strictly before this row can have been dropped earlier.
    int64_t oldEnd = std::min(qBlock, kvBlocks);
    for (int64_t kvBlock = 0; kvBlock < oldEnd && !scan.kvInefficiency;
         ++kvBlock)
      if (current[kvBlock] && !previous[kvBlock])
        scan.kvInefficiency = BlockCoordinate{head, qBlock - 1, kvBlock};
    std::swap(previous, current);
  }
  return scan;
}

std::optional<BlockCoordinate> firstUncovered(const CoverageGrid &coverage,
                                              bool causal, int64_t qBlocks,
                                              int64_t kvBlocks) {
  for (int64_t qBlock = 0; qBlock < qBlocks; ++qBlock) {
    int64_t rowEnd = legalRowEnd(causal, qBlock, kvBlocks);
    for (int64_t kvBlock = 0; kvBlock < rowEnd; ++kvBlock)
      if (!coverage.test(qBlock, kvBlock))
        return BlockCoordinate{-1, qBlock, kvBlock};
  }
  return std::nullopt;
}

/// Residues of Z_V that no sparse head's vertical columns hit; only
/// meaningful for absolute local-stride patterns without dense heads.
std::vector<int64_t> uncoveredResidues(const BlockPattern &pattern,
                                       int64_t kvHeads) {
  const auto *localStride = dynamic_cast<const LocalStridePattern *>(&pattern);
  if (!localStride)
    return {};
  const LocalStrideParams &params = localStride->resolvedParams();
  int64_t stride = params.vertStride;
  if (*params.vertPosition != VertPosition::Absolute ||
      params.numDenseHeads > 0 || stride == 1)
    return {};
  std::vector<bool> hit(stride, false);
  for (int64_t kvHead = 0; kvHead < kvHeads; ++kvHead)
    hit[localStride->verticalResidue(kvHead)] = true;
  std::vector<int64_t> missing;
  for (int64_t residue = 0; residue < stride; ++residue)
    if (!hit[residue])
      missing.push_back(residue);
  return missing;
}

} // namespace

PatternStats s2attn::ref::analyzePattern(const BlockPattern &pattern,
                                         int64_t heads, int64_t kvHeads,
                                         int64_t qBlocks, int64_t kvBlocks) {
  PatternStats stats;
  stats.headDensity.assign(heads, 0.0);
  bool causal = pattern.causal();
  int64_t legal = legalPairs(causal, qBlocks, kvBlocks);
  CoverageGrid coverage(qBlocks, kvBlocks);
  std::map<int64_t, int64_t> attendedOfPattern;
  int64_t totalAttended = 0;
  for (int64_t head = 0; head < heads; ++head) {
    int64_t canonical = pattern.canonicalHead(head);
    auto [it, inserted] = attendedOfPattern.try_emplace(canonical, 0);
    if (inserted) {
      HeadScan scan = scanHead(pattern, canonical, qBlocks, kvBlocks, coverage);
      it->second = scan.attended;
      // The first head of a pattern is the first to show its inefficiency.
      if (scan.kvInefficiency && !stats.kvInefficiency) {
        stats.kvInefficiency = scan.kvInefficiency;
        stats.kvInefficiency->head = head;
      }
    }
    totalAttended += it->second;
    stats.headDensity[head] =
        legal > 0 ? static_cast<double>(it->second) / legal : 0.0;
  }
  if (legal > 0 && heads > 0)
    stats.overallDensity = static_cast<double>(totalAttended) /
                           (static_cast<double>(legal) * heads);
  stats.kvCacheEfficient = !stats.kvInefficiency;
  stats.firstUncovered = firstUncovered(coverage, causal, qBlocks, kvBlocks);
  stats.coversContext = !stats.firstUncovered;
  stats.uncoveredResidues = uncoveredResidues(pattern, kvHeads);
  return stats;
}
