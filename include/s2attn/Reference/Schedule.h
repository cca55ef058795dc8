//===- Schedule.h - Row schedules of a block pattern ------------*- C++ -*-===//
//
// The block schedule every tiled lowering walks: for each (query head, query
// tile) a CSR row of the key blocks to visit, unmasked entries first, then the
// entries that need a token mask (causal diagonal, sequence tails, Merge-Q
// rows that do not use the block).
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_REFERENCE_SCHEDULE_H
#define S2ATTN_REFERENCE_SCHEDULE_H

#include "s2attn/Reference/Pattern.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace s2attn::ref {

/// Query tiles are aligned to absolute positions: tile t covers query
/// positions [t * qTile, (t + 1) * qTile). A tile larger than the block
/// (Merge-Q) holds qTile / blockSize "sub-rows", one per query block. Key
/// tiles are the pattern's blocks.
struct BlockSchedule {
  int64_t heads = 0;
  int64_t blockSize = 0;
  int64_t qTile = 0;
  /// Absolute index of the first query tile that intersects the chunk.
  int64_t firstQTile = 0;
  int64_t numQTiles = 0;
  /// CSR over rows r = head * numQTiles + (t - firstQTile), or, when
  /// headsShareRows, rows r = t - firstQTile that every head walks.
  std::vector<int64_t> rowPtr;
  /// Absolute key block of each entry.
  std::vector<int64_t> kvBlocks;
  /// Per entry: bit s is set when sub-row s of the tile attends the block.
  /// Bits of sub-rows that lie wholly outside the query chunk are set (their
  /// results are never stored).
  std::vector<uint32_t> rowMasks;
  /// Per row: the number of leading entries that need no token mask.
  std::vector<int64_t> numUnmasked;
  /// One head's rows serve every head (shareRowsAcrossHeads).
  bool headsShareRows = false;

  int64_t subRows() const { return qTile / blockSize; }
  int64_t numRows() const { return (headsShareRows ? 1 : heads) * numQTiles; }
  /// The row of `head` for tile firstQTile + tileInChunk.
  int64_t row(int64_t head, int64_t tileInChunk) const {
    return (headsShareRows ? 0 : head * numQTiles) + tileInChunk;
  }
  int64_t rowLength(int64_t row) const {
    return rowPtr[row + 1] - rowPtr[row];
  }
  uint32_t fullRowMask() const {
    return subRows() >= 32 ? ~0u : ((1u << subRows()) - 1u);
  }
};

/// Builds the schedule. `qTile` is a power-of-two multiple of the pattern's
/// block size, at most 32 blocks.
BlockSchedule buildSchedule(const BlockPattern &pattern,
                            const ProblemShape &shape,
                            const Positions &positions, int64_t qTile);

/// Whether every head's rows repeat head 0's (dense and window patterns, one
/// mask for all heads, or heads whose stripes miss the problem).
bool rowsSharedByHeads(const BlockSchedule &schedule);

/// Keeps only head 0's rows, marked headsShareRows, when rowsSharedByHeads
/// (always for one head): a 32-head schedule becomes 32 times smaller.
/// Returns whether it marked the schedule.
bool shareRowsAcrossHeads(BlockSchedule &schedule);

/// A query row that attends no key.
struct EmptyRow {
  int64_t head;
  int64_t qPos; ///< absolute position
};

/// The first query row (in head-major order) that attends no key at token
/// level, or nothing when every row attends at least one key.
std::optional<EmptyRow> findEmptyRow(const BlockPattern &pattern,
                                     const ProblemShape &shape,
                                     const Positions &positions);

} // namespace s2attn::ref

#endif // S2ATTN_REFERENCE_SCHEDULE_H
