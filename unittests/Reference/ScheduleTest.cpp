//===- ScheduleTest.cpp - CSR schedules and empty-row detection -----------===//

#include "s2attn/Reference/Schedule.h"

#include "TestRandom.h"

#include "gtest/gtest.h"

#include <chrono>
#include <memory>
#include <random>
#include <set>
#include <sstream>

using namespace s2attn::ref;

namespace {

using s2attn::ref::test::Random;

/// A random problem: pattern, shape, positions and how it was made.
struct Problem {
  std::unique_ptr<BlockPattern> pattern;
  ProblemShape shape;
  Positions positions;
  std::string description;
};

std::unique_ptr<BlockPattern> randomLocalStride(Random &random, int64_t heads,
                                                int64_t kvHeads, int64_t block,
                                                bool causal,
                                                std::ostringstream &what) {
  LocalStrideParams params;
  params.blockSize = block;
  params.causal = causal;
  params.localBlocks = random.pick(causal ? 1 : 0, 3);
  params.rightBlocks = causal ? -1 : random.pick(0, 3);
  params.vertStride = random.pick(1, 6);
  params.headOffset = random.pick(0, 3);
  params.homoHead = random.pick(0, 4) == 0;
  params.numDenseHeads =
      params.homoHead || random.coin() ? 0 : random.pick(0, kvHeads - 1);
  if (random.coin())
    params.vertPosition =
        random.coin() ? VertPosition::Absolute : VertPosition::Relative;
  what << "local-stride L " << params.localBlocks << " R " << params.rightBlocks
       << " V " << params.vertStride << " offset " << params.headOffset
       << " dense " << params.numDenseHeads << " homo " << params.homoHead;
  return std::make_unique<LocalStridePattern>(params, heads, kvHeads);
}

std::unique_ptr<BlockPattern> randomMask(Random &random, int64_t heads,
                                         int64_t kvHeads, int64_t block,
                                         bool causal,
                                         std::ostringstream &what) {
  int64_t options[3] = {1, kvHeads, heads};
  int64_t maskHeads = options[random.pick(0, 2)];
  int64_t qBlocks = random.pick(1, 24), kvBlocks = random.pick(1, 24);
  std::vector<uint8_t> bits(maskHeads * qBlocks * kvBlocks);
  int64_t percent = random.pick(10, 90);
  for (uint8_t &bit : bits)
    bit = random.pick(0, 99) < percent;
  what << "mask heads " << maskHeads << " " << qBlocks << "x" << kvBlocks
       << " density " << percent << "%";
  return std::make_unique<BlockMaskPattern>(block, causal, maskHeads, qBlocks,
                                            kvBlocks, bits, heads, kvHeads);
}

Problem randomProblem(Random &random) {
  Problem problem;
  int64_t kvHeads = random.pick(1, 3);
  problem.shape.kvHeads = kvHeads;
  problem.shape.heads = kvHeads * random.pick(1, 3);
  int64_t block = random.coin() ? 16 : 32;
  bool causal = random.pick(0, 3) != 0;
  std::ostringstream what;
  what << "heads " << problem.shape.heads << "/" << kvHeads << " B " << block
       << (causal ? " causal " : " bidirectional ");
  int64_t kind = random.pick(0, 5);
  if (kind <= 2)
    problem.pattern = randomLocalStride(random, problem.shape.heads, kvHeads,
                                        block, causal, what);
  else if (kind <= 4)
    problem.pattern =
        randomMask(random, problem.shape.heads, kvHeads, block, causal, what);
  else {
    problem.pattern = std::make_unique<DensePattern>(block, causal);
    what << "dense";
  }
  problem.shape.qLen = random.coin() ? random.pick(1, 3) : random.pick(1, 200);
  problem.shape.kvLen = random.pick(1, 300);
  problem.positions.kvStart = random.coin() ? 0 : random.pick(0, 200);
  if (random.coin())
    problem.positions.qStart = random.pick(-40, 500);
  what << " qLen " << problem.shape.qLen << " kvLen " << problem.shape.kvLen
       << " kvStart " << problem.positions.kvStart << " qStart "
       << (problem.positions.qStart ? std::to_string(*problem.positions.qStart)
                                    : std::string("default"));
  problem.description = what.str();
  return problem;
}

/// How often each (head, query, key) of the problem is visited; positions
/// outside the chunk are counted in `outside`.
class TokenGrid {
public:
  TokenGrid(const Problem &problem)
      : qStart(problem.positions.resolvedQStart(problem.shape,
                                                problem.pattern->causal())),
        kvStart(problem.positions.kvStart), qLen(problem.shape.qLen),
        kvLen(problem.shape.kvLen),
        counts(problem.shape.heads * qLen * kvLen, 0) {}

  void visit(int64_t head, int64_t qPos, int64_t kvPos) {
    int64_t query = qPos - qStart, key = kvPos - kvStart;
    if (query < 0 || query >= qLen || key < 0 || key >= kvLen) {
      ++outside;
      return;
    }
    ++counts[(head * qLen + query) * kvLen + key];
  }
  /// The first cell where the two grids differ, as text; empty if none.
  std::string firstDifference(const TokenGrid &other) const {
    for (size_t cell = 0; cell < counts.size(); ++cell) {
      if (counts[cell] == other.counts[cell])
        continue;
      int64_t key = cell % kvLen, query = (cell / kvLen) % qLen,
              head = cell / kvLen / qLen;
      return "head " + std::to_string(head) + " qPos " +
             std::to_string(qStart + query) + " kvPos " +
             std::to_string(kvStart + key) + ": expected " +
             std::to_string(counts[cell]) + " visits, got " +
             std::to_string(other.counts[cell]);
    }
    return "";
  }

  int64_t qStart, kvStart, qLen, kvLen;
  std::vector<int> counts;
  int64_t outside = 0;
};

/// The token pairs the pattern attends, straight from attendsToken.
TokenGrid attendedPairs(const Problem &problem) {
  const BlockPattern &pattern = *problem.pattern;
  TokenGrid grid(problem);
  int64_t kvEnd = grid.kvStart + grid.kvLen;
  for (int64_t head = 0; head < problem.shape.heads; ++head)
    for (int64_t qPos = grid.qStart; qPos < grid.qStart + grid.qLen; ++qPos)
      for (int64_t kvPos = grid.kvStart; kvPos < kvEnd; ++kvPos)
        if (pattern.attendsToken(head, qPos, kvPos, kvEnd))
          grid.visit(head, qPos, kvPos);
  return grid;
}

/// The token pairs a kernel walking `schedule` computes: every sub-row and
/// key of an unmasked entry; for masked entries only the rows whose bit is
/// set, keys inside the key range and, when causal, keys <= the query.
/// Rows outside the query chunk are never stored, so they are skipped.
TokenGrid scheduledPairs(const Problem &problem,
                         const BlockSchedule &schedule) {
  bool causal = problem.pattern->causal();
  TokenGrid grid(problem);
  int64_t qEnd = grid.qStart + grid.qLen;
  int64_t kvEnd = grid.kvStart + grid.kvLen;
  int64_t block = schedule.blockSize;
  for (int64_t row = 0; row < schedule.numRows(); ++row) {
    int64_t head = row / schedule.numQTiles;
    int64_t tile = schedule.firstQTile + row % schedule.numQTiles;
    for (int64_t entry = schedule.rowPtr[row]; entry < schedule.rowPtr[row + 1];
         ++entry) {
      bool masked = entry - schedule.rowPtr[row] >= schedule.numUnmasked[row];
      int64_t kvBlock = schedule.kvBlocks[entry];
      for (int64_t subRow = 0; subRow < schedule.subRows(); ++subRow) {
        if (masked && !((schedule.rowMasks[entry] >> subRow) & 1u))
          continue;
        int64_t qBlock = tile * schedule.subRows() + subRow;
        for (int64_t qPos = std::max(qBlock * block, grid.qStart);
             qPos < std::min((qBlock + 1) * block, qEnd); ++qPos) {
          for (int64_t kvPos = kvBlock * block; kvPos < (kvBlock + 1) * block;
               ++kvPos) {
            if (masked && (kvPos < grid.kvStart || kvPos >= kvEnd ||
                           (causal && kvPos > qPos)))
              continue;
            grid.visit(head, qPos, kvPos);
          }
        }
      }
    }
  }
  return grid;
}

void expectWellFormed(const Problem &problem, const BlockSchedule &schedule) {
  const BlockPattern &pattern = *problem.pattern;
  ASSERT_EQ(schedule.heads, problem.shape.heads);
  ASSERT_EQ(schedule.rowPtr.size(),
            static_cast<size_t>(schedule.numRows() + 1));
  ASSERT_EQ(schedule.numUnmasked.size(),
            static_cast<size_t>(schedule.numRows()));
  ASSERT_EQ(schedule.kvBlocks.size(), schedule.rowMasks.size());
  ASSERT_EQ(schedule.rowPtr.front(), 0);
  ASSERT_EQ(schedule.rowPtr.back(),
            static_cast<int64_t>(schedule.kvBlocks.size()));
  int64_t qStart =
      problem.positions.resolvedQStart(problem.shape, pattern.causal());
  int64_t qEnd = qStart + problem.shape.qLen;
  EXPECT_EQ(schedule.firstQTile, floorDiv(qStart, schedule.qTile));
  EXPECT_EQ(schedule.firstQTile + schedule.numQTiles - 1,
            floorDiv(qEnd - 1, schedule.qTile));
  int64_t block = schedule.blockSize;
  for (int64_t row = 0; row < schedule.numRows(); ++row) {
    int64_t begin = schedule.rowPtr[row], end = schedule.rowPtr[row + 1];
    int64_t unmaskedEnd = begin + schedule.numUnmasked[row];
    ASSERT_LE(begin, unmaskedEnd);
    ASSERT_LE(unmaskedEnd, end);
    // Each part is ascending, which also rules out duplicates.
    for (int64_t entry = begin + 1; entry < end; ++entry) {
      if (entry != unmaskedEnd) {
        EXPECT_LT(schedule.kvBlocks[entry - 1], schedule.kvBlocks[entry])
            << "row " << row;
      }
    }
    std::set<int64_t> seen(schedule.kvBlocks.begin() + begin,
                           schedule.kvBlocks.begin() + end);
    EXPECT_EQ(static_cast<int64_t>(seen.size()), end - begin) << "row " << row;
    // Unmasked entries: every pair of the tile inside the chunk is attended.
    int64_t head = row / schedule.numQTiles;
    int64_t tile = schedule.firstQTile + row % schedule.numQTiles;
    int64_t kvEnd = problem.positions.kvStart + problem.shape.kvLen;
    for (int64_t entry = begin; entry < unmaskedEnd; ++entry) {
      EXPECT_EQ(schedule.rowMasks[entry], schedule.fullRowMask());
      int64_t kvBlock = schedule.kvBlocks[entry];
      EXPECT_GE(kvBlock * block, problem.positions.kvStart);
      EXPECT_LE((kvBlock + 1) * block, kvEnd);
      for (int64_t qPos = std::max(tile * schedule.qTile, qStart);
           qPos < std::min((tile + 1) * schedule.qTile, qEnd); ++qPos)
        for (int64_t kvPos = kvBlock * block; kvPos < (kvBlock + 1) * block;
             ++kvPos)
          ASSERT_TRUE(pattern.attendsToken(head, qPos, kvPos, kvEnd))
              << "unmasked entry k" << kvBlock << " of row " << row
              << " does not attend (" << qPos << ", " << kvPos << ")";
    }
  }
}

TEST(Schedule, ReconstructsTheTokenPatternExactly) {
  Random random(4242);
  for (int trial = 0; trial < 400; ++trial) {
    Problem problem = randomProblem(random);
    int64_t block = problem.pattern->blockSize();
    int64_t qTile = block << random.pick(0, 3); // 1, 2, 4 or 8 blocks
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + problem.description +
                 " qTile " + std::to_string(qTile));
    BlockSchedule schedule = buildSchedule(*problem.pattern, problem.shape,
                                           problem.positions, qTile);
    expectWellFormed(problem, schedule);
    TokenGrid expected = attendedPairs(problem);
    TokenGrid actual = scheduledPairs(problem, schedule);
    ASSERT_EQ(actual.outside, 0) << "unmasked entries reach outside the chunk";
    ASSERT_EQ(expected.firstDifference(actual), "");
  }
}

TEST(Schedule, RowMaskBitsMatchTheBlockPattern) {
  Random random(77);
  for (int trial = 0; trial < 100; ++trial) {
    Problem problem = randomProblem(random);
    int64_t block = problem.pattern->blockSize();
    int64_t qTile = block << random.pick(1, 3);
    SCOPED_TRACE(problem.description + " qTile " + std::to_string(qTile));
    BlockSchedule schedule = buildSchedule(*problem.pattern, problem.shape,
                                           problem.positions, qTile);
    int64_t qStart = problem.positions.resolvedQStart(
        problem.shape, problem.pattern->causal());
    int64_t qEnd = qStart + problem.shape.qLen;
    for (int64_t row = 0; row < schedule.numRows(); ++row) {
      int64_t head = row / schedule.numQTiles;
      int64_t tile = schedule.firstQTile + row % schedule.numQTiles;
      for (int64_t entry = schedule.rowPtr[row];
           entry < schedule.rowPtr[row + 1]; ++entry) {
        for (int64_t subRow = 0; subRow < schedule.subRows(); ++subRow) {
          int64_t qBlock = tile * schedule.subRows() + subRow;
          bool inside = std::max(qBlock * block, qStart) <
                        std::min((qBlock + 1) * block, qEnd);
          bool expected =
              !inside || problem.pattern->attendsBlock(
                             head, qBlock, schedule.kvBlocks[entry]);
          EXPECT_EQ(((schedule.rowMasks[entry] >> subRow) & 1u) != 0, expected)
              << "row " << row << " entry k" << schedule.kvBlocks[entry]
              << " sub-row " << subRow;
        }
      }
    }
  }
}

LocalStridePattern specExample() {
  LocalStrideParams params;
  params.blockSize = 16;
  params.localBlocks = 2;
  params.vertStride = 4;
  params.headStep = 1;
  return LocalStridePattern(params, 4, 4);
}

std::vector<int64_t> rowBlocks(const BlockSchedule &schedule, int64_t row) {
  return {schedule.kvBlocks.begin() + schedule.rowPtr[row],
          schedule.kvBlocks.begin() + schedule.rowPtr[row + 1]};
}

std::vector<uint32_t> rowMasks(const BlockSchedule &schedule, int64_t row) {
  return {schedule.rowMasks.begin() + schedule.rowPtr[row],
          schedule.rowMasks.begin() + schedule.rowPtr[row + 1]};
}

TEST(Schedule, SpecExampleOneBlockPerTile) {
  LocalStridePattern pattern = specExample();
  ProblemShape shape;
  shape.heads = shape.kvHeads = 4;
  shape.qLen = shape.kvLen = 128;
  BlockSchedule schedule = buildSchedule(pattern, shape, Positions(), 16);
  EXPECT_EQ(schedule.firstQTile, 0);
  EXPECT_EQ(schedule.numQTiles, 8);
  ASSERT_EQ(schedule.rowPtr.size(), 33u);
  // head 0, q7 = 10001011: diagonal block 7 last, with the causal mask.
  EXPECT_EQ(rowBlocks(schedule, 7), (std::vector<int64_t>{0, 4, 6, 7}));
  EXPECT_EQ(schedule.numUnmasked[7], 3);
  // head 3, q3 = 01110000.
  EXPECT_EQ(rowBlocks(schedule, 3 * 8 + 3), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(schedule.numUnmasked[3 * 8 + 3], 2);
}

TEST(Schedule, MergeQStoresWhichRowsUseEachBlock) {
  LocalStridePattern pattern = specExample();
  ProblemShape shape;
  shape.heads = shape.kvHeads = 4;
  shape.qLen = shape.kvLen = 128;
  BlockSchedule schedule = buildSchedule(pattern, shape, Positions(), 32);
  EXPECT_EQ(schedule.subRows(), 2);
  EXPECT_EQ(schedule.numQTiles, 4);
  // Tile 3 of head 0 holds q6 = 10001110 (bit 0) and q7 = 10001011 (bit 1).
  EXPECT_EQ(rowBlocks(schedule, 3), (std::vector<int64_t>{0, 4, 5, 6, 7}));
  EXPECT_EQ(rowMasks(schedule, 3), (std::vector<uint32_t>{3, 3, 1, 3, 2}));
  EXPECT_EQ(schedule.numUnmasked[3], 2);
}

TEST(Schedule, DecodingOneQueryWithAPartialLastBlock) {
  LocalStridePattern pattern = specExample();
  ProblemShape shape;
  shape.heads = shape.kvHeads = 4;
  shape.qLen = 1;
  shape.kvLen = 120; // last block 7 holds keys 112..119
  BlockSchedule schedule = buildSchedule(pattern, shape, Positions(), 64);
  EXPECT_EQ(schedule.firstQTile, 1); // query 119 lies in tile [64, 128)
  EXPECT_EQ(schedule.numQTiles, 1);
  ASSERT_EQ(schedule.numRows(), 4);
  // Sub-rows 0..2 of the tile (q4..q6) are outside the chunk: bits set.
  EXPECT_EQ(rowBlocks(schedule, 0), (std::vector<int64_t>{0, 4, 6, 7}));
  EXPECT_EQ(rowMasks(schedule, 0), (std::vector<uint32_t>{15, 15, 15, 15}));
  EXPECT_EQ(schedule.numUnmasked[0], 3);
}

TEST(Schedule, UnalignedChunksMaskTheirEdges) {
  DensePattern pattern(16, true);
  ProblemShape shape;
  shape.qLen = 20;
  shape.kvLen = 45;
  Positions positions;
  positions.kvStart = 8; // key blocks 0 (partly) .. 3 (partly)
  positions.qStart = 33; // queries 33..52: tiles 2 and 3 of 16
  BlockSchedule schedule = buildSchedule(pattern, shape, positions, 16);
  EXPECT_EQ(schedule.firstQTile, 2);
  EXPECT_EQ(schedule.numQTiles, 2);
  EXPECT_EQ(rowBlocks(schedule, 0), (std::vector<int64_t>{1, 0, 2}));
  EXPECT_EQ(schedule.numUnmasked[0], 1);
  EXPECT_EQ(rowBlocks(schedule, 1), (std::vector<int64_t>{1, 2, 0, 3}));
  EXPECT_EQ(schedule.numUnmasked[1], 2);
}

TEST(Schedule, QueriesBeforeTheFirstKeyGetNoEntries) {
  // Causal q_len > kv_len: the first 40 queries sit at negative positions.
  DensePattern pattern(16, true);
  ProblemShape shape;
  shape.qLen = 100;
  shape.kvLen = 60;
  BlockSchedule schedule = buildSchedule(pattern, shape, Positions(), 16);
  EXPECT_EQ(schedule.firstQTile, -3); // position -40
  EXPECT_EQ(schedule.numQTiles, 7);   // up to position 59
  for (int64_t row = 0; row < 3; ++row)
    EXPECT_EQ(schedule.rowLength(row), 0) << "tile " << row - 3;
  EXPECT_EQ(rowBlocks(schedule, 3), (std::vector<int64_t>{0}));
}

TEST(Schedule, SharedPatternsGiveIdenticalRows) {
  LocalStrideParams params;
  params.blockSize = 16;
  params.localBlocks = 2;
  params.vertStride = 4;
  LocalStridePattern pattern(params, 8, 2);
  ProblemShape shape;
  shape.heads = 8;
  shape.kvHeads = 2;
  shape.qLen = shape.kvLen = 200;
  BlockSchedule schedule = buildSchedule(pattern, shape, Positions(), 32);
  for (int64_t head = 1; head < 8; ++head) {
    int64_t groupLead = (head / 4) * 4;
    for (int64_t tile = 0; tile < schedule.numQTiles; ++tile) {
      int64_t row = head * schedule.numQTiles + tile;
      int64_t leadRow = groupLead * schedule.numQTiles + tile;
      EXPECT_EQ(rowBlocks(schedule, row), rowBlocks(schedule, leadRow));
      EXPECT_EQ(rowMasks(schedule, row), rowMasks(schedule, leadRow));
      EXPECT_EQ(schedule.numUnmasked[row], schedule.numUnmasked[leadRow]);
    }
  }
}

TEST(Schedule, DenseHeadsShareOneCopyOfTheirRows) {
  DensePattern pattern(16, true);
  ProblemShape shape;
  shape.heads = 4;
  shape.kvHeads = 2;
  shape.qLen = shape.kvLen = 50;
  BlockSchedule full = buildSchedule(pattern, shape, Positions(), 16);
  BlockSchedule shared = full;
  ASSERT_TRUE(shareRowsAcrossHeads(shared));
  EXPECT_TRUE(shared.headsShareRows);
  EXPECT_EQ(shared.numRows(), full.numQTiles);
  EXPECT_EQ(shared.rowPtr.size(), size_t(full.numQTiles + 1));
  EXPECT_EQ(shared.kvBlocks.size() * 4, full.kvBlocks.size());
  for (int64_t head = 0; head < shape.heads; ++head) {
    for (int64_t tile = 0; tile < full.numQTiles; ++tile) {
      int64_t fullRow = full.row(head, tile),
              sharedRow = shared.row(head, tile);
      EXPECT_EQ(rowBlocks(shared, sharedRow), rowBlocks(full, fullRow));
      EXPECT_EQ(rowMasks(shared, sharedRow), rowMasks(full, fullRow));
      EXPECT_EQ(shared.numUnmasked[sharedRow], full.numUnmasked[fullRow]);
    }
  }
  // Once shared, nothing more to do.
  EXPECT_FALSE(shareRowsAcrossHeads(shared));
}

TEST(Schedule, HeadsWithTheirOwnStripesKeepTheirRows) {
  LocalStridePattern pattern = specExample();
  ProblemShape shape;
  shape.heads = shape.kvHeads = 4;
  shape.qLen = shape.kvLen = 128;
  BlockSchedule schedule = buildSchedule(pattern, shape, Positions(), 16);
  EXPECT_FALSE(rowsSharedByHeads(schedule));
  EXPECT_FALSE(shareRowsAcrossHeads(schedule));
  EXPECT_FALSE(schedule.headsShareRows);
  EXPECT_EQ(schedule.numRows(), 32);
}

TEST(Schedule, OneHeadsRowsAreShared) {
  DensePattern pattern(16, false);
  ProblemShape shape;
  shape.qLen = shape.kvLen = 40;
  BlockSchedule schedule = buildSchedule(pattern, shape, Positions(), 16);
  size_t entries = schedule.kvBlocks.size();
  EXPECT_TRUE(shareRowsAcrossHeads(schedule));
  EXPECT_TRUE(schedule.headsShareRows);
  EXPECT_EQ(schedule.kvBlocks.size(), entries);
  EXPECT_EQ(schedule.row(0, 2), 2);
}

//===----------------------------------------------------------------------===//
// findEmptyRow
//===----------------------------------------------------------------------===//

/// The first empty row by enumeration of every token pair.
std::optional<EmptyRow> bruteForceEmptyRow(const Problem &problem) {
  const BlockPattern &pattern = *problem.pattern;
  int64_t qStart =
      problem.positions.resolvedQStart(problem.shape, pattern.causal());
  int64_t kvStart = problem.positions.kvStart;
  int64_t kvEnd = kvStart + problem.shape.kvLen;
  for (int64_t head = 0; head < problem.shape.heads; ++head) {
    for (int64_t qPos = qStart; qPos < qStart + problem.shape.qLen; ++qPos) {
      bool any = false;
      for (int64_t kvPos = kvStart; kvPos < kvEnd && !any; ++kvPos)
        any = pattern.attendsToken(head, qPos, kvPos, kvEnd);
      if (!any)
        return EmptyRow{head, qPos};
    }
  }
  return std::nullopt;
}

TEST(FindEmptyRow, MatchesBruteForce) {
  Random random(555);
  int found = 0;
  for (int trial = 0; trial < 400; ++trial) {
    Problem problem = randomProblem(random);
    SCOPED_TRACE(problem.description);
    std::optional<EmptyRow> expected = bruteForceEmptyRow(problem);
    std::optional<EmptyRow> actual =
        findEmptyRow(*problem.pattern, problem.shape, problem.positions);
    ASSERT_EQ(actual.has_value(), expected.has_value());
    if (expected) {
      EXPECT_EQ(actual->head, expected->head);
      EXPECT_EQ(actual->qPos, expected->qPos);
      ++found;
    }
  }
  EXPECT_GT(found, 50);
}

TEST(FindEmptyRow, CausalQueriesLongerThanKeysStartEmpty) {
  LocalStridePattern pattern = specExample();
  ProblemShape shape;
  shape.heads = shape.kvHeads = 4;
  shape.qLen = 100;
  shape.kvLen = 60;
  std::optional<EmptyRow> row = findEmptyRow(pattern, shape, Positions());
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->head, 0);
  EXPECT_EQ(row->qPos, -40);
  // An explicit start behind the first key is just as empty.
  Positions positions;
  positions.qStart = 0;
  positions.kvStart = 5;
  shape.qLen = 10;
  row = findEmptyRow(pattern, shape, positions);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->qPos, 0);
}

TEST(FindEmptyRow, FindsAMaskRowWithoutBlocks) {
  int64_t blocks = 4;
  std::vector<uint8_t> bits(4 * blocks * blocks, 0);
  for (int64_t head = 0; head < 4; ++head)
    for (int64_t q = 0; q < blocks; ++q)
      bits[(head * blocks + q) * blocks + q] = 1;
  bits[(1 * blocks + 2) * blocks + 2] = 0; // head 1, q block 2
  BlockMaskPattern pattern(16, true, 4, blocks, blocks, bits, 4, 2);
  ProblemShape shape;
  shape.heads = 4;
  shape.kvHeads = 2;
  shape.qLen = shape.kvLen = 64;
  std::optional<EmptyRow> row = findEmptyRow(pattern, shape, Positions());
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->head, 1);
  EXPECT_EQ(row->qPos, 32);
  // A chunk starting inside the block reports its own first query.
  Positions positions;
  positions.qStart = 37;
  shape.qLen = 20;
  row = findEmptyRow(pattern, shape, positions);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->head, 1);
  EXPECT_EQ(row->qPos, 37);
}

TEST(FindEmptyRow, SparsePatternsAt128kTokensHaveNone) {
  for (int64_t block : {16, 64}) {
    LocalStrideParams params;
    params.blockSize = block;
    params.localBlocks = 16;
    params.vertStride = 8;
    params.headOffset = 1;
    LocalStridePattern pattern(params, 32, 8);
    ProblemShape shape;
    shape.heads = 32;
    shape.kvHeads = 8;
    shape.qLen = shape.kvLen = 128 * 1024;
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(findEmptyRow(pattern, shape, Positions()).has_value(), false);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    EXPECT_LT(seconds, 1.0) << "B " << block << " took " << seconds << " s";
  }
  // Bidirectional, with a chunk offset and a decode step.
  LocalStrideParams params;
  params.blockSize = 32;
  params.causal = false;
  params.localBlocks = 1;
  params.vertStride = 4;
  LocalStridePattern bidirectional(params, 4, 4);
  ProblemShape shape;
  shape.heads = shape.kvHeads = 4;
  shape.qLen = 1;
  shape.kvLen = 1000;
  EXPECT_FALSE(findEmptyRow(bidirectional, shape, Positions()).has_value());
}

} // namespace
