//===- AnalysisTest.cpp - Density, coverage, KV-cache efficiency ----------===//

#include "s2attn/Reference/Analysis.h"

#include "TestRandom.h"

#include "gtest/gtest.h"

#include <chrono>
#include <random>
#include <set>

using namespace s2attn::ref;

namespace {

using s2attn::ref::test::Random;

LocalStrideParams specExampleParams() {
  LocalStrideParams params;
  params.localBlocks = 2;
  params.vertStride = 4;
  params.headStep = 1;
  return params;
}

std::string describe(const LocalStrideParams &p, int64_t heads,
                     int64_t kvHeads) {
  return "heads " + std::to_string(heads) + "/" + std::to_string(kvHeads) +
         " causal " + std::to_string(p.causal) + " L " +
         std::to_string(p.localBlocks) + " R " + std::to_string(p.rightBlocks) +
         " V " + std::to_string(p.vertStride) + " step " +
         std::to_string(p.headStep) + " offset " +
         std::to_string(p.headOffset) + " dense " +
         std::to_string(p.numDenseHeads) + " homo " +
         std::to_string(p.homoHead);
}

/// Random valid absolute-or-default local-stride parameters.
LocalStrideParams randomParams(Random &random, int64_t kvHeads, bool causal) {
  LocalStrideParams params;
  params.blockSize = 16;
  params.causal = causal;
  params.localBlocks = random.pick(causal ? 1 : 0, 4);
  params.rightBlocks = causal ? -1 : random.pick(0, 3);
  params.vertStride = random.pick(1, 9);
  params.headStep = random.coin() ? -1 : random.pick(1, 5);
  params.headOffset = random.pick(-4, 4);
  params.homoHead = random.pick(0, 5) == 0;
  params.numDenseHeads = params.homoHead || random.pick(0, 2) != 0
                             ? 0
                             : random.pick(0, kvHeads - 1);
  return params;
}

TEST(Analysis, SpecExampleDensities) {
  LocalStridePattern pattern(specExampleParams(), 4, 4);
  PatternStats stats = analyzePattern(pattern, 4, 4, 8, 8);
  // 36 causal block pairs; attended: 23, 18, 19, 21 (see the SPEC rows).
  ASSERT_EQ(stats.headDensity.size(), 4u);
  EXPECT_DOUBLE_EQ(stats.headDensity[0], 23.0 / 36);
  EXPECT_DOUBLE_EQ(stats.headDensity[1], 18.0 / 36);
  EXPECT_DOUBLE_EQ(stats.headDensity[2], 19.0 / 36);
  EXPECT_DOUBLE_EQ(stats.headDensity[3], 21.0 / 36);
  EXPECT_DOUBLE_EQ(stats.overallDensity, 81.0 / 144);
  EXPECT_TRUE(stats.coversContext);
  EXPECT_FALSE(stats.firstUncovered.has_value());
  EXPECT_TRUE(stats.uncoveredResidues.empty());
  EXPECT_TRUE(stats.kvCacheEfficient);
  EXPECT_FALSE(stats.kvInefficiency.has_value());
}

TEST(Analysis, DensityMatchesBruteForceCounts) {
  Random random(7);
  for (int trial = 0; trial < 100; ++trial) {
    int64_t kvHeads = random.pick(1, 4);
    int64_t heads = kvHeads * random.pick(1, 3);
    LocalStrideParams params = randomParams(random, kvHeads, random.coin());
    SCOPED_TRACE(describe(params, heads, kvHeads));
    LocalStridePattern pattern(params, heads, kvHeads);
    int64_t qBlocks = random.pick(1, 20), kvBlocks = random.pick(1, 20);
    PatternStats stats =
        analyzePattern(pattern, heads, kvHeads, qBlocks, kvBlocks);
    int64_t total = 0, legal = 0;
    for (int64_t head = 0; head < heads; ++head) {
      int64_t attended = 0;
      legal = 0;
      for (int64_t qBlock = 0; qBlock < qBlocks; ++qBlock) {
        for (int64_t kvBlock = 0; kvBlock < kvBlocks; ++kvBlock) {
          if (params.causal && kvBlock > qBlock)
            continue;
          ++legal;
          attended += pattern.attendsBlock(head, qBlock, kvBlock);
        }
      }
      total += attended;
      double expected = legal ? static_cast<double>(attended) / legal : 0.0;
      EXPECT_DOUBLE_EQ(stats.headDensity[head], expected) << "head " << head;
    }
    double overall = legal ? static_cast<double>(total) /
                                 (static_cast<double>(legal) * heads)
                           : 0.0;
    EXPECT_DOUBLE_EQ(stats.overallDensity, overall);
  }
}

TEST(Analysis, AbsolutePatternsAreKVCacheEfficient) {
  Random random(2024);
  for (int trial = 0; trial < 300; ++trial) {
    int64_t kvHeads = random.pick(1, 6);
    int64_t heads = kvHeads * random.pick(1, 4);
    LocalStrideParams params =
        randomParams(random, kvHeads, random.pick(0, 3) != 0);
    params.vertPosition = VertPosition::Absolute;
    // A window that includes the diagonal (see the R = 0 test below).
    if (!params.causal)
      params.rightBlocks = random.pick(1, 3);
    SCOPED_TRACE(describe(params, heads, kvHeads));
    LocalStridePattern pattern(params, heads, kvHeads);
    int64_t blocks = random.pick(1, 40);
    PatternStats stats =
        analyzePattern(pattern, heads, kvHeads, blocks, blocks);
    EXPECT_TRUE(stats.kvCacheEfficient);
    EXPECT_FALSE(stats.kvInefficiency.has_value());
  }
}

TEST(Analysis, BidirectionalWindowWithoutTheDiagonalIsNotEfficient) {
  // R = 0 leaves out the diagonal, which the next query block then picks up.
  LocalStrideParams params;
  params.causal = false;
  params.localBlocks = 2;
  params.rightBlocks = 0;
  params.vertStride = 5;
  params.vertPosition = VertPosition::Absolute;
  LocalStridePattern pattern(params, 1, 1);
  PatternStats stats = analyzePattern(pattern, 1, 1, 6, 6);
  ASSERT_TRUE(stats.kvInefficiency.has_value());
  EXPECT_EQ(stats.kvInefficiency->qBlock, 1);
  EXPECT_EQ(stats.kvInefficiency->kvBlock, 1);
}

TEST(Analysis, RelativePatternReusesADroppedBlock) {
  // L = 1, V = 2: q2 uses k0 (left = 2) but q1 does not (left = 1).
  LocalStrideParams params;
  params.localBlocks = 1;
  params.vertStride = 2;
  params.vertPosition = VertPosition::Relative;
  LocalStridePattern pattern(params, 2, 2);
  ASSERT_TRUE(pattern.attendsBlock(0, 2, 0));
  ASSERT_FALSE(pattern.attendsBlock(0, 1, 0));
  PatternStats stats = analyzePattern(pattern, 2, 2, 8, 8);
  EXPECT_FALSE(stats.kvCacheEfficient);
  ASSERT_TRUE(stats.kvInefficiency.has_value());
  EXPECT_EQ(stats.kvInefficiency->head, 0);
  EXPECT_EQ(stats.kvInefficiency->qBlock, 1);
  EXPECT_EQ(stats.kvInefficiency->kvBlock, 0);
  EXPECT_TRUE(stats.uncoveredResidues.empty()); // only for absolute mode
}

TEST(Analysis, RelativePatternsAreNotKVCacheEfficient) {
  // Row L + V - 1 is the first to reach key block 0 by a stride that row
  // L + V - 2 misses.
  Random random(99);
  for (int trial = 0; trial < 100; ++trial) {
    int64_t kvHeads = random.pick(1, 4);
    int64_t heads = kvHeads * random.pick(1, 2);
    LocalStrideParams params;
    params.localBlocks = random.pick(1, 5);
    params.vertStride = random.pick(2, 8);
    params.numDenseHeads = random.pick(0, kvHeads - 1);
    params.vertPosition = VertPosition::Relative;
    SCOPED_TRACE(describe(params, heads, kvHeads));
    LocalStridePattern pattern(params, heads, kvHeads);
    int64_t blocks = params.localBlocks + params.vertStride + random.pick(0, 5);
    PatternStats stats =
        analyzePattern(pattern, heads, kvHeads, blocks, blocks);
    EXPECT_FALSE(stats.kvCacheEfficient);
    ASSERT_TRUE(stats.kvInefficiency.has_value());
    EXPECT_EQ(stats.kvInefficiency->head, 0);
    EXPECT_EQ(stats.kvInefficiency->qBlock,
              params.localBlocks + params.vertStride - 2);
    EXPECT_EQ(stats.kvInefficiency->kvBlock, 0);
  }
}

TEST(Analysis, CoverageHoldsExactlyWhenResiduesCoverZV) {
  Random random(31337);
  int covered = 0, uncovered = 0;
  for (int trial = 0; trial < 400; ++trial) {
    int64_t kvHeads = random.pick(1, 8);
    int64_t heads = kvHeads * random.pick(1, 3);
    LocalStrideParams params = randomParams(random, kvHeads, true);
    params.numDenseHeads = 0;
    SCOPED_TRACE(describe(params, heads, kvHeads));
    LocalStridePattern pattern(params, heads, kvHeads);
    int64_t step = pattern.resolvedParams().headStep;
    int64_t stride = params.vertStride;
    // The SPEC's residues g * step + offset; the key blocks they select are
    // their negatives, so covering one set covers the other.
    std::set<int64_t> residues, columns;
    int64_t patternHeads = params.homoHead ? 1 : kvHeads;
    for (int64_t g = 0; g < patternHeads; ++g) {
      int64_t residue =
          ((g * step + params.headOffset) % stride + stride) % stride;
      residues.insert(residue);
      columns.insert((stride - residue) % stride);
    }
    bool expectCovered = static_cast<int64_t>(residues.size()) == stride;
    // Enough blocks that every residue appears left of the local window.
    int64_t blocks = params.localBlocks + stride + random.pick(0, 6);
    PatternStats stats =
        analyzePattern(pattern, heads, kvHeads, blocks, blocks);
    EXPECT_EQ(stats.coversContext, expectCovered);
    std::vector<int64_t> missing;
    for (int64_t residue = 0; residue < stride && stride > 1; ++residue)
      if (!columns.count(residue))
        missing.push_back(residue);
    EXPECT_EQ(stats.uncoveredResidues, missing);
    if (!stats.coversContext) {
      ASSERT_TRUE(stats.firstUncovered.has_value());
      EXPECT_EQ(stats.firstUncovered->head, -1);
      int64_t residue = stats.firstUncovered->kvBlock % stride;
      EXPECT_TRUE(columns.count(residue) == 0)
          << "uncovered block " << stats.firstUncovered->kvBlock;
      EXPECT_FALSE(pattern.attendsBlock(0, stats.firstUncovered->qBlock,
                                        stats.firstUncovered->kvBlock));
    }
    (expectCovered ? covered : uncovered)++;
  }
  // Both outcomes must have been exercised.
  EXPECT_GT(covered, 20);
  EXPECT_GT(uncovered, 20);
}

TEST(Analysis, FewHeadsWithTheDefaultStepLeaveGaps) {
  LocalStrideParams params;
  params.localBlocks = 1;
  params.vertStride = 8;
  LocalStridePattern pattern(params, 2, 2); // step 4: residues 0 and 4
  PatternStats stats = analyzePattern(pattern, 2, 2, 16, 16);
  EXPECT_FALSE(stats.coversContext);
  EXPECT_EQ(stats.uncoveredResidues, (std::vector<int64_t>{1, 2, 3, 5, 6, 7}));
  ASSERT_TRUE(stats.firstUncovered.has_value());
  EXPECT_EQ(stats.firstUncovered->qBlock, 2);
  EXPECT_EQ(stats.firstUncovered->kvBlock, 1);
}

TEST(Analysis, DenseHeadsCoverEverything) {
  LocalStrideParams params;
  params.localBlocks = 1;
  params.vertStride = 8;
  params.numDenseHeads = 1;
  LocalStridePattern pattern(params, 4, 2);
  PatternStats stats = analyzePattern(pattern, 4, 2, 32, 32);
  EXPECT_TRUE(stats.coversContext);
  EXPECT_TRUE(stats.uncoveredResidues.empty());
  EXPECT_DOUBLE_EQ(stats.headDensity[2], 1.0);
  EXPECT_DOUBLE_EQ(stats.headDensity[3], 1.0);
  EXPECT_LT(stats.headDensity[0], 0.25);
}

TEST(Analysis, BidirectionalDensityCountsAllPairs) {
  DensePattern dense(16, false);
  PatternStats stats = analyzePattern(dense, 2, 1, 3, 5);
  EXPECT_DOUBLE_EQ(stats.headDensity[0], 1.0);
  EXPECT_DOUBLE_EQ(stats.overallDensity, 1.0);
  EXPECT_TRUE(stats.coversContext);

  // A mask attending only key block 0 from every query block.
  std::vector<uint8_t> bits(3 * 4, 0);
  for (int64_t qBlock = 0; qBlock < 3; ++qBlock)
    bits[qBlock * 4] = 1;
  BlockMaskPattern mask(16, false, 1, 3, 4, bits, 2, 1);
  PatternStats maskStats = analyzePattern(mask, 2, 1, 3, 4);
  EXPECT_DOUBLE_EQ(maskStats.headDensity[1], 3.0 / 12);
  ASSERT_TRUE(maskStats.firstUncovered.has_value());
  EXPECT_EQ(maskStats.firstUncovered->qBlock, 0);
  EXPECT_EQ(maskStats.firstUncovered->kvBlock, 1);
  EXPECT_TRUE(maskStats.kvCacheEfficient);
}

TEST(Analysis, MaskInefficiencyReportsTheFirstHead) {
  // Per query head; head 1 drops key block 0 in row 1 and takes it back.
  std::vector<uint8_t> bits(2 * 3 * 3, 0);
  auto set = [&](int64_t head, int64_t q, int64_t k) {
    bits[(head * 3 + q) * 3 + k] = 1;
  };
  for (int64_t head = 0; head < 2; ++head)
    for (int64_t q = 0; q < 3; ++q)
      set(head, q, q);
  set(1, 2, 0);
  BlockMaskPattern mask(16, true, 2, 3, 3, bits, 2, 2);
  PatternStats stats = analyzePattern(mask, 2, 2, 3, 3);
  ASSERT_TRUE(stats.kvInefficiency.has_value());
  EXPECT_EQ(stats.kvInefficiency->head, 1);
  EXPECT_EQ(stats.kvInefficiency->qBlock, 1);
  EXPECT_EQ(stats.kvInefficiency->kvBlock, 0);
}

TEST(Analysis, Phi3SmallAtFullScaleIsFast) {
  LocalStrideParams params;
  params.blockSize = 64;
  params.localBlocks = 16;
  params.vertStride = 8;
  params.headOffset = 1;
  LocalStridePattern pattern(params, 32, 8);
  auto start = std::chrono::steady_clock::now();
  PatternStats stats = analyzePattern(pattern, 32, 8, 2048, 2048);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_LT(seconds, 2.0) << "2048 x 2048 blocks x 32 heads took " << seconds
                          << " s";
  EXPECT_TRUE(stats.coversContext);
  EXPECT_TRUE(stats.kvCacheEfficient);
  EXPECT_TRUE(stats.uncoveredResidues.empty());
  // About 1/8 of the history plus the 16 local blocks.
  EXPECT_NEAR(stats.overallDensity, 0.1386, 0.001);
}

} // namespace
