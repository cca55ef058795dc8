//===- Schedule.cpp - Row schedules of a block pattern --------------------===//
//
// Builds the CSR schedule of Schedule.h and finds query rows that attend no
// key. Heads that share a pattern (BlockPattern::canonicalHead) are evaluated
// once, which keeps 128k-token, 32-head problems cheap.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Reference/Schedule.h"

#include <algorithm>
#include <cassert>
#include <map>

using namespace s2attn::ref;

namespace {

/// Ceil division that is also right for negative numerators.
int64_t ceilDivAny(int64_t a, int64_t b) { return -floorDiv(-a, b); }

/// The token ranges of one problem in absolute positions.
struct Extent {
  int64_t blockSize;
  bool causal;
  int64_t qBegin, qEnd;   ///< queries [qBegin, qEnd)
  int64_t kvBegin, kvEnd; ///< keys [kvBegin, kvEnd)

  Extent(const BlockPattern &pattern, const ProblemShape &shape,
         const Positions &positions)
      : blockSize(pattern.blockSize()), causal(pattern.causal()),
        qBegin(positions.resolvedQStart(shape, causal)),
        qEnd(qBegin + shape.qLen), kvBegin(positions.kvStart),
        kvEnd(positions.kvStart + shape.kvLen) {}

  /// Key blocks [first, last) that hold at least one existing key.
  int64_t firstKVBlock() const { return floorDiv(kvBegin, blockSize); }
  int64_t endKVBlock() const {
    return kvEnd > kvBegin ? ceilDivAny(kvEnd, blockSize) : firstKVBlock();
  }
  bool blockPartlyOutsideKeys(int64_t kvBlock) const {
    return kvBlock * blockSize < kvBegin || (kvBlock + 1) * blockSize > kvEnd;
  }
  /// The queries of query block `qBlock` that lie in the chunk, [lo, hi).
  int64_t rowBegin(int64_t qBlock) const {
    return std::max(qBlock * blockSize, qBegin);
  }
  int64_t rowEnd(int64_t qBlock) const {
    return std::min((qBlock + 1) * blockSize, qEnd);
  }
};

struct ScheduleEntry {
  int64_t kvBlock;
  uint32_t rowMask;
};

/// Builds the rows of one query head, one query tile at a time.
class RowBuilder {
public:
  RowBuilder(const BlockPattern &pattern, const Extent &extent,
             const BlockSchedule &schedule)
      : pattern(pattern), extent(extent), subRows(schedule.subRows()),
        qTile(schedule.qTile), fullMask(schedule.fullRowMask()) {}

  /// Appends the row of (head, tile) to `schedule`.
  void appendRow(int64_t head, int64_t tile, BlockSchedule &schedule) const {
    std::vector<ScheduleEntry> unmasked, masked;
    int64_t firstQBlock = tile * subRows;
    int64_t endKV = extent.endKVBlock();
    // Causal patterns never attend a key block after the tile's last row.
    if (extent.causal)
      endKV = std::min(endKV, firstQBlock + subRows);
    for (int64_t kvBlock = extent.firstKVBlock(); kvBlock < endKV; ++kvBlock) {
      std::optional<uint32_t> rowMask = usedRowMask(head, tile, kvBlock);
      if (!rowMask)
        continue;
      ScheduleEntry entry{kvBlock, *rowMask};
      (needsTokenMask(tile, entry) ? masked : unmasked).push_back(entry);
    }
    schedule.numUnmasked.push_back(static_cast<int64_t>(unmasked.size()));
    for (const auto *entries : {&unmasked, &masked}) {
      for (const ScheduleEntry &entry : *entries) {
        schedule.kvBlocks.push_back(entry.kvBlock);
        schedule.rowMasks.push_back(entry.rowMask);
      }
    }
    schedule.rowPtr.push_back(static_cast<int64_t>(schedule.kvBlocks.size()));
  }

private:
  /// The entry's row mask, or nothing when no sub-row inside the chunk
  /// attends `kvBlock`. Sub-rows outside the chunk get their bit set so that
  /// they never force a token mask: their results are discarded.
  std::optional<uint32_t> usedRowMask(int64_t head, int64_t tile,
                                      int64_t kvBlock) const {
    uint32_t mask = 0;
    bool used = false;
    for (int64_t subRow = 0; subRow < subRows; ++subRow) {
      int64_t qBlock = tile * subRows + subRow;
      uint32_t bit = 1u << subRow;
      if (extent.rowBegin(qBlock) >= extent.rowEnd(qBlock)) {
        mask |= bit;
      } else if (pattern.attendsBlock(head, qBlock, kvBlock)) {
        mask |= bit;
        used = true;
      }
    }
    return used ? std::optional<uint32_t>(mask) : std::nullopt;
  }

  bool needsTokenMask(int64_t tile, const ScheduleEntry &entry) const {
    if (entry.rowMask != fullMask ||
        extent.blockPartlyOutsideKeys(entry.kvBlock))
      return true;
    if (!extent.causal)
      return false;
    int64_t firstQuery = std::max(tile * qTile, extent.qBegin);
    int64_t lastKey = (entry.kvBlock + 1) * extent.blockSize - 1;
    return lastKey > firstQuery;
  }

  const BlockPattern &pattern;
  const Extent &extent;
  int64_t subRows;
  int64_t qTile;
  uint32_t fullMask;
};

/// Copies the rows [firstRow, firstRow + count) of `schedule` to its end.
void appendCopyOfRows(BlockSchedule &schedule, int64_t firstRow,
                      int64_t count) {
  for (int64_t row = firstRow; row < firstRow + count; ++row) {
    for (int64_t entry = schedule.rowPtr[row]; entry < schedule.rowPtr[row + 1];
         ++entry) {
      schedule.kvBlocks.push_back(schedule.kvBlocks[entry]);
      schedule.rowMasks.push_back(schedule.rowMasks[entry]);
    }
    schedule.numUnmasked.push_back(schedule.numUnmasked[row]);
    schedule.rowPtr.push_back(static_cast<int64_t>(schedule.kvBlocks.size()));
  }
}

/// Whether some key block that holds existing keys, attended by (head,
/// qBlock), contains a key at a position <= the row's first query (causal)
/// or at all (bidirectional). Tries the diagonal first: nearly every
/// pattern attends it, which makes the common case O(1).
bool rowReachesAKey(const BlockPattern &pattern, const Extent &extent,
                    int64_t head, int64_t qBlock) {
  int64_t firstKV = extent.firstKVBlock();
  int64_t endKV = extent.endKVBlock();
  if (extent.causal) {
    // Every key of blocks <= qBlock inside the key range precedes the row's
    // first query, unless the keys only start after it.
    if (extent.kvBegin > extent.rowBegin(qBlock))
      return false;
    endKV = std::min(endKV, qBlock + 1);
  }
  if (qBlock >= firstKV && qBlock < endKV &&
      pattern.attendsBlock(head, qBlock, qBlock))
    return true;
  for (int64_t kvBlock = firstKV; kvBlock < endKV; ++kvBlock)
    if (pattern.attendsBlock(head, qBlock, kvBlock))
      return true;
  return false;
}

/// The first query of `head` that attends no key, if any. Causally, a later
/// query of the same block sees every key an earlier one sees, so only the
/// first query of each block needs checking.
std::optional<int64_t> firstEmptyQuery(const BlockPattern &pattern,
                                       const Extent &extent, int64_t head) {
  int64_t firstQBlock = floorDiv(extent.qBegin, extent.blockSize);
  int64_t lastQBlock = floorDiv(extent.qEnd - 1, extent.blockSize);
  for (int64_t qBlock = firstQBlock; qBlock <= lastQBlock; ++qBlock)
    if (!rowReachesAKey(pattern, extent, head, qBlock))
      return extent.rowBegin(qBlock);
  return std::nullopt;
}

} // namespace

BlockSchedule s2attn::ref::buildSchedule(const BlockPattern &pattern,
                                         const ProblemShape &shape,
                                         const Positions &positions,
                                         int64_t qTile) {
  int64_t block = pattern.blockSize();
  assert(qTile >= block && qTile % block == 0 && qTile / block <= 32 &&
         ((qTile / block) & (qTile / block - 1)) == 0 &&
         "qTile must be a power-of-two multiple of the block, <= 32 blocks");
  Extent extent(pattern, shape, positions);
  BlockSchedule schedule;
  schedule.heads = shape.heads;
  schedule.blockSize = block;
  schedule.qTile = qTile;
  if (shape.qLen > 0) {
    schedule.firstQTile = floorDiv(extent.qBegin, qTile);
    schedule.numQTiles =
        floorDiv(extent.qEnd - 1, qTile) - schedule.firstQTile + 1;
  }
  schedule.rowPtr.push_back(0);
  RowBuilder builder(pattern, extent, schedule);
  for (int64_t head = 0; head < shape.heads; ++head) {
    int64_t canonical = pattern.canonicalHead(head);
    if (canonical != head) {
      appendCopyOfRows(schedule, canonical * schedule.numQTiles,
                       schedule.numQTiles);
      continue;
    }
    for (int64_t tile = schedule.firstQTile;
         tile < schedule.firstQTile + schedule.numQTiles; ++tile)
      builder.appendRow(head, tile, schedule);
  }
  return schedule;
}

bool s2attn::ref::rowsSharedByHeads(const BlockSchedule &schedule) {
  if (schedule.headsShareRows)
    return true;
  int64_t tiles = schedule.numQTiles;
  int64_t headEntries = schedule.rowPtr[tiles];
  for (int64_t head = 1; head < schedule.heads; ++head) {
    int64_t base = schedule.rowPtr[head * tiles];
    for (int64_t tile = 0; tile < tiles; ++tile) {
      int64_t row = head * tiles + tile;
      if (schedule.rowPtr[row + 1] - base != schedule.rowPtr[tile + 1] ||
          schedule.numUnmasked[row] != schedule.numUnmasked[tile])
        return false;
    }
    if (!std::equal(schedule.kvBlocks.begin() + base,
                    schedule.kvBlocks.begin() + base + headEntries,
                    schedule.kvBlocks.begin()) ||
        !std::equal(schedule.rowMasks.begin() + base,
                    schedule.rowMasks.begin() + base + headEntries,
                    schedule.rowMasks.begin()))
      return false;
  }
  return true;
}

bool s2attn::ref::shareRowsAcrossHeads(BlockSchedule &schedule) {
  // One head's rows are trivially shared: walkers then index rows by tile
  // alone.
  if (schedule.headsShareRows || !rowsSharedByHeads(schedule))
    return false;
  int64_t tiles = schedule.numQTiles;
  int64_t entries = schedule.rowPtr[tiles];
  schedule.rowPtr.resize(tiles + 1);
  schedule.numUnmasked.resize(tiles);
  schedule.kvBlocks.resize(entries);
  schedule.rowMasks.resize(entries);
  schedule.headsShareRows = true;
  return true;
}

std::optional<EmptyRow> s2attn::ref::findEmptyRow(const BlockPattern &pattern,
                                                  const ProblemShape &shape,
                                                  const Positions &positions) {
  if (shape.qLen <= 0)
    return std::nullopt;
  Extent extent(pattern, shape, positions);
  std::map<int64_t, std::optional<int64_t>> emptyQueryOfPattern;
  for (int64_t head = 0; head < shape.heads; ++head) {
    int64_t canonical = pattern.canonicalHead(head);
    auto [it, inserted] = emptyQueryOfPattern.try_emplace(canonical);
    if (inserted)
      it->second = firstEmptyQuery(pattern, extent, canonical);
    if (it->second)
      return EmptyRow{head, *it->second};
  }
  return std::nullopt;
}
