//===- PatternTest.cpp - Block and token patterns of SPEC section 2 -------===//

#include "s2attn/Reference/Pattern.h"

#include "gtest/gtest.h"

#include <random>
#include <set>

using namespace s2attn::ref;

namespace {

/// Row `qBlock` of `head` as the SPEC writes it: one digit per key block.
std::string rowBits(const BlockPattern &pattern, int64_t head, int64_t qBlock,
                    int64_t kvBlocks) {
  std::string bits;
  for (int64_t kvBlock = 0; kvBlock < kvBlocks; ++kvBlock)
    bits += pattern.attendsBlock(head, qBlock, kvBlock) ? '1' : '0';
  return bits;
}

std::vector<std::string> allRows(const BlockPattern &pattern, int64_t head,
                                 int64_t blocks) {
  std::vector<std::string> rows;
  for (int64_t qBlock = 0; qBlock < blocks; ++qBlock)
    rows.push_back(rowBits(pattern, head, qBlock, blocks));
  return rows;
}

LocalStrideParams specExampleParams() {
  LocalStrideParams params;
  params.blockSize = 64;
  params.localBlocks = 2;
  params.vertStride = 4;
  params.headStep = 1;
  params.headOffset = 0;
  return params;
}

TEST(SpecExample, RowsMatchTheSpec) {
  LocalStridePattern pattern(specExampleParams(), 4, 4);
  const char *expected[3][4] = {
      {"10000000", "10000000", "10000000", "10000000"},
      {"10110000", "00110000", "00110000", "01110000"},
      {"10001011", "00010011", "00100011", "01000111"}};
  const int64_t rows[3] = {0, 3, 7};
  for (int row = 0; row < 3; ++row)
    for (int64_t head = 0; head < 4; ++head)
      EXPECT_EQ(rowBits(pattern, head, rows[row], 8), expected[row][head])
          << "head " << head << ", q" << rows[row];
}

TEST(SpecExample, VerticalColumnsPerHead) {
  LocalStridePattern pattern(specExampleParams(), 4, 4);
  const std::set<int64_t> expected[4] = {{0, 4}, {3, 7}, {2, 6}, {1, 5}};
  for (int64_t head = 0; head < 4; ++head) {
    std::set<int64_t> columns;
    for (int64_t kvBlock = 0; kvBlock < 8; ++kvBlock)
      if (kvBlock % 4 == pattern.verticalResidue(head))
        columns.insert(kvBlock);
    EXPECT_EQ(columns, expected[head]) << "head " << head;
    // A vertical column is used by every query block at or after it.
    for (int64_t kvBlock : expected[head])
      for (int64_t qBlock = kvBlock; qBlock < 8; ++qBlock)
        EXPECT_TRUE(pattern.attendsBlock(head, qBlock, kvBlock))
            << "head " << head << " q" << qBlock << " k" << kvBlock;
  }
}

TEST(SpecExample, HeadsTogetherCoverTheLastRow) {
  LocalStridePattern pattern(specExampleParams(), 4, 4);
  std::string unionBits(8, '0');
  for (int64_t head = 0; head < 4; ++head)
    for (int64_t kvBlock = 0; kvBlock < 8; ++kvBlock)
      if (pattern.attendsBlock(head, 7, kvBlock))
        unionBits[kvBlock] = '1';
  EXPECT_EQ(unionBits, "11111111");
}

TEST(LocalStride, GroupedQueryHeadsShareTheirKVHeadPattern) {
  LocalStrideParams params = specExampleParams();
  LocalStridePattern pattern(params, 8, 2);
  for (int64_t head = 0; head < 8; ++head) {
    int64_t kvHead = head / 4;
    EXPECT_EQ(allRows(pattern, head, 12), allRows(pattern, kvHead * 4, 12))
        << "query head " << head;
    EXPECT_EQ(pattern.canonicalHead(head), kvHead * 4) << "head " << head;
  }
  EXPECT_NE(allRows(pattern, 0, 12), allRows(pattern, 4, 12));
  // KV head 1 has (bk + 1) mod 4 == 0: columns 3, 7, 11.
  EXPECT_EQ(rowBits(pattern, 5, 11, 12), "000100010011");
  EXPECT_EQ(rowBits(pattern, 2, 11, 12), "100010001011");
}

TEST(LocalStride, LastKVHeadsAreDense) {
  LocalStrideParams params = specExampleParams();
  params.numDenseHeads = 2;
  LocalStridePattern pattern(params, 8, 4); // KV heads 2, 3 -> heads 4..7
  for (int64_t head = 0; head < 8; ++head) {
    bool dense = head >= 4;
    EXPECT_EQ(pattern.isDenseKVHead(head / 2), dense);
    for (int64_t qBlock = 0; qBlock < 10; ++qBlock) {
      std::string causalRow(10, '0');
      for (int64_t kvBlock = 0; kvBlock <= qBlock; ++kvBlock)
        causalRow[kvBlock] = '1';
      if (dense) {
        EXPECT_EQ(rowBits(pattern, head, qBlock, 10), causalRow)
            << "head " << head << " q" << qBlock;
      }
    }
  }
  EXPECT_EQ(rowBits(pattern, 0, 9, 10), "1000100011");
  EXPECT_EQ(pattern.canonicalHead(7), 4);
}

TEST(LocalStride, HomoHeadsAllUseHeadZero) {
  LocalStrideParams params = specExampleParams();
  params.homoHead = true;
  LocalStridePattern pattern(params, 4, 4);
  for (int64_t head = 1; head < 4; ++head) {
    EXPECT_EQ(allRows(pattern, head, 8), allRows(pattern, 0, 8))
        << "head " << head;
    EXPECT_EQ(pattern.verticalResidue(head), 0);
    EXPECT_EQ(pattern.canonicalHead(head), 0);
  }
  EXPECT_EQ(rowBits(pattern, 3, 7, 8), "10001011");
}

TEST(LocalStride, RelativeStrideCountsFromTheLocalWindow) {
  LocalStrideParams params = specExampleParams();
  params.vertPosition = VertPosition::Relative;
  params.vertStride = 3;
  LocalStridePattern pattern(params, 4, 4);
  // q7, L = 2: left = max(0, 6 - bk) must be 0 mod 3: bk 0, 3, 6; local 6, 7.
  for (int64_t head = 0; head < 4; ++head) {
    EXPECT_EQ(rowBits(pattern, head, 7, 8), "10010011") << "head " << head;
    EXPECT_EQ(rowBits(pattern, head, 4, 8), "10011000") << "head " << head;
  }
  params.numDenseHeads = 1;
  LocalStridePattern withDense(params, 4, 4);
  EXPECT_EQ(rowBits(withDense, 3, 7, 8), "11111111");
  EXPECT_EQ(rowBits(withDense, 2, 7, 8), "10010011");
}

TEST(LocalStride, BidirectionalWindowsTakeLeftAndRightSeparately) {
  LocalStrideParams params;
  params.blockSize = 16;
  params.causal = false;
  params.localBlocks = 2;
  params.rightBlocks = 3;
  params.vertStride = 1000;
  params.headOffset = 1; // Residue 999: no vertical column in range.
  params.vertPosition = VertPosition::Absolute;
  LocalStridePattern pattern(params, 1, 1);
  // bq - bk < 2 and bk - bq < 3.
  EXPECT_EQ(rowBits(pattern, 0, 4, 10), "0001111000");
  EXPECT_EQ(rowBits(pattern, 0, 0, 10), "1110000000");

  LocalStrideParams relative;
  relative.blockSize = 16;
  relative.causal = false;
  relative.localBlocks = 1;
  relative.rightBlocks = 2;
  relative.vertStride = 2;
  LocalStridePattern relativePattern(relative, 2, 2);
  EXPECT_EQ(*relativePattern.resolvedParams().vertPosition,
            VertPosition::Relative);
  // q2: left = max(0, 2 - bk), right = max(0, bk - 3), both counted mod 2.
  EXPECT_EQ(rowBits(relativePattern, 1, 2, 8), "10110101");
}

TEST(LocalStride, CausalIgnoresTheRightWindow) {
  LocalStrideParams params = specExampleParams();
  params.rightBlocks = 5;
  LocalStridePattern pattern(params, 4, 4);
  EXPECT_EQ(pattern.resolvedParams().rightBlocks, 1);
  EXPECT_EQ(rowBits(pattern, 0, 3, 8), "10110000");
}

TEST(LocalStride, NegativeOffsetsUseTheMathematicalModulo) {
  LocalStrideParams params = specExampleParams();
  params.headOffset = -5; // (bk - 5) mod 4 == 0 <=> bk mod 4 == 1
  LocalStridePattern pattern(params, 4, 4);
  EXPECT_EQ(pattern.verticalResidue(0), 1);
  EXPECT_EQ(rowBits(pattern, 0, 7, 8), "01000111");
}

TEST(Defaults, HeadStepDividesByQueryHeads) {
  LocalStrideParams params;
  params.vertStride = 8;
  EXPECT_EQ(params.resolved(2).headStep, 4);
  // 4 query heads over 1 KV head: 8 / 4, not 8 / 1.
  EXPECT_EQ(params.resolved(4).headStep, 2);
  LocalStridePattern mqa(params, 4, 1);
  EXPECT_EQ(mqa.resolvedParams().headStep, 2);
  EXPECT_EQ(params.resolved(16).headStep, 1);
  params.headStep = 3;
  EXPECT_EQ(params.resolved(2).headStep, 3);
}

TEST(Defaults, WindowsAndVerticalPosition) {
  LocalStrideParams params;
  params.localBlocks = 3;
  LocalStrideParams causal = params.resolved(4);
  EXPECT_EQ(causal.rightBlocks, 1);
  EXPECT_EQ(*causal.vertPosition, VertPosition::Absolute);
  params.causal = false;
  LocalStrideParams bidirectional = params.resolved(4);
  EXPECT_EQ(bidirectional.rightBlocks, 3);
  EXPECT_EQ(*bidirectional.vertPosition, VertPosition::Relative);
  params.rightBlocks = 0;
  EXPECT_EQ(params.resolved(4).rightBlocks, 0);
}

TEST(Defaults, Phi3SmallConfiguration) {
  LocalStrideParams params;
  params.blockSize = 64;
  params.localBlocks = 16;
  params.vertStride = 8;
  params.headOffset = 1;
  ASSERT_EQ(validate(params, 32, 8), std::nullopt);
  LocalStridePattern pattern(params, 32, 8);
  EXPECT_EQ(pattern.resolvedParams().headStep, 1);
  // vLLM's formula: local, or (bk + g + 1) mod 8 == 0 with g the KV head.
  for (int64_t head = 0; head < 32; ++head) {
    int64_t kvHead = head / 4;
    EXPECT_EQ(pattern.verticalResidue(kvHead), 7 - kvHead);
    for (int64_t qBlock = 0; qBlock < 48; ++qBlock) {
      for (int64_t kvBlock = 0; kvBlock < 48; ++kvBlock) {
        bool expected = kvBlock <= qBlock && (qBlock - kvBlock < 16 ||
                                              (kvBlock + kvHead + 1) % 8 == 0);
        ASSERT_EQ(pattern.attendsBlock(head, qBlock, kvBlock), expected)
            << "head " << head << " q" << qBlock << " k" << kvBlock;
      }
    }
  }
  // Head 0: columns 7, 15, 23 (and 31, 39), then the local blocks 25..40.
  EXPECT_EQ(rowBits(pattern, 0, 40, 41), "000000010000000100000001" +
                                             std::string("0") +
                                             std::string(16, '1'));
}

TEST(Tokens, AttendsTokenAppliesCausalityAndTheKeyEnd) {
  LocalStridePattern pattern(specExampleParams(), 4, 4);
  // Diagonal block of q3 (positions 192..255).
  EXPECT_TRUE(pattern.attendsToken(0, 200, 200, 1000));
  EXPECT_TRUE(pattern.attendsToken(0, 200, 192, 1000));
  EXPECT_FALSE(pattern.attendsToken(0, 200, 201, 1000));
  EXPECT_FALSE(pattern.attendsToken(0, 200, 150, 150)); // key beyond kvEnd
  EXPECT_TRUE(pattern.attendsToken(0, 200, 149, 150));
  EXPECT_FALSE(pattern.attendsToken(0, 200, 64, 1000)); // block 1 not used
  EXPECT_TRUE(pattern.attendsToken(0, 200, 10, 1000));  // vertical block 0
  // Negative query positions lie in negative blocks, which attend nothing.
  EXPECT_FALSE(pattern.attendsToken(0, -1, 0, 1000));

  DensePattern bidirectional(16, false);
  EXPECT_TRUE(bidirectional.attendsToken(0, 3, 40, 41));
  EXPECT_FALSE(bidirectional.attendsToken(0, 3, 41, 41));
}

TEST(Positions, DefaultQueryStartIsBottomRightWhenCausal) {
  ProblemShape shape;
  shape.qLen = 10;
  shape.kvLen = 100;
  Positions positions;
  positions.kvStart = 7;
  EXPECT_EQ(positions.resolvedQStart(shape, true), 97);
  EXPECT_EQ(positions.resolvedQStart(shape, false), 7);
  shape.qLen = 130;
  EXPECT_EQ(positions.resolvedQStart(shape, true), -23);
  positions.qStart = 5;
  EXPECT_EQ(positions.resolvedQStart(shape, true), 5);
  EXPECT_EQ(positions.resolvedQStart(shape, false), 5);
}

TEST(Validate, AcceptsTheSpecConfigurations) {
  EXPECT_EQ(validate(specExampleParams(), 4, 4), std::nullopt);
  LocalStrideParams bidirectional;
  bidirectional.causal = false;
  bidirectional.localBlocks = 0;
  bidirectional.rightBlocks = 0;
  EXPECT_EQ(validate(bidirectional, 8, 2), std::nullopt);
}

/// Expects validate() to fail with exactly `message`.
void expectInvalid(const LocalStrideParams &params, int64_t heads,
                   int64_t kvHeads, const std::string &message) {
  std::optional<std::string> error = validate(params, heads, kvHeads);
  ASSERT_TRUE(error.has_value()) << "expected: " << message;
  EXPECT_EQ(*error, message);
}

TEST(Validate, NamesTheWrongParameterAndTheLegalValues) {
  LocalStrideParams params = specExampleParams();
  params.blockSize = 48;
  expectInvalid(params, 4, 4,
                "block size 48 must be a power of two >= 16 (e.g. 32 or 64)");
  params.blockSize = 8;
  expectInvalid(params, 4, 4,
                "block size 8 must be a power of two >= 16 (e.g. 32 or 64)");

  params = specExampleParams();
  params.localBlocks = 0;
  expectInvalid(params, 4, 4,
                "local blocks 0 must be >= 1 when causal (the diagonal block "
                "must be attended)");
  params.causal = false;
  params.localBlocks = -1;
  expectInvalid(params, 4, 4, "local blocks -1 must be >= 0");

  params = specExampleParams();
  params.rightBlocks = -2;
  expectInvalid(params, 4, 4,
                "right blocks -2 must be >= 0 (or -1 for the default: the "
                "local blocks)");

  params = specExampleParams();
  params.vertStride = 0;
  expectInvalid(params, 4, 4, "vertical stride 0 must be >= 1 (1 means dense)");

  params = specExampleParams();
  params.headStep = 0;
  expectInvalid(params, 4, 4,
                "head step 0 must be >= 1 (or -1 for the default max(1, "
                "vertical stride / heads))");

  params = specExampleParams();
  params.numDenseHeads = 4;
  expectInvalid(params, 8, 4,
                "dense heads 4 must be in [0, 3] (fewer than the 4 KV heads, "
                "counted in KV heads)");
  params.numDenseHeads = -1;
  expectInvalid(params, 8, 4,
                "dense heads -1 must be in [0, 3] (fewer than the 4 KV heads, "
                "counted in KV heads)");

  params = specExampleParams();
  params.homoHead = true;
  params.numDenseHeads = 1;
  expectInvalid(params, 4, 4,
                "homo heads require dense heads 0 (got 1): every head shares "
                "head 0's sparse pattern");

  params = specExampleParams();
  expectInvalid(params, 6, 4,
                "heads 6 must be a multiple of KV heads 4 (each KV head serves "
                "heads / KV heads query heads)");
  expectInvalid(params, 0, 1, "heads 0 must be >= 1");
  expectInvalid(params, 4, 0, "KV heads 0 must be >= 1");
}

TEST(BlockMask, GranularityFollowsTheNumberOfMaskHeads) {
  auto make = [](int64_t maskHeads, int64_t heads, int64_t kvHeads) {
    return BlockMaskPattern(16, true, maskHeads, 2, 2,
                            std::vector<uint8_t>(maskHeads * 4, 1), heads,
                            kvHeads);
  };
  EXPECT_EQ(make(1, 8, 2).granularity(), MaskGranularity::Shared);
  EXPECT_EQ(make(2, 8, 2).granularity(), MaskGranularity::PerKVHead);
  EXPECT_EQ(make(8, 8, 2).granularity(), MaskGranularity::PerQueryHead);
  EXPECT_EQ(make(4, 4, 4).granularity(), MaskGranularity::PerQueryHead);
}

TEST(BlockMask, IndexesHeadsAndStaysInsideTheMask) {
  // Per KV head, 8 query heads over 2 KV heads, 3 x 3 blocks, bidirectional.
  std::vector<uint8_t> bits = {1, 0, 0, /**/ 0, 1, 0, /**/ 0, 0, 1,  // kv 0
                               0, 0, 1, /**/ 0, 1, 0, /**/ 1, 0, 0}; // kv 1
  BlockMaskPattern pattern(32, false, 2, 3, 3, bits, 8, 2);
  EXPECT_EQ(rowBits(pattern, 0, 0, 3), "100");
  EXPECT_EQ(rowBits(pattern, 3, 2, 3), "001");
  EXPECT_EQ(rowBits(pattern, 4, 0, 3), "001");
  EXPECT_EQ(rowBits(pattern, 7, 2, 3), "100");
  EXPECT_FALSE(pattern.attendsBlock(0, 3, 0));  // beyond qBlocks
  EXPECT_FALSE(pattern.attendsBlock(0, -1, 0)); // negative block
  EXPECT_FALSE(pattern.attendsBlock(7, 2, 3));  // beyond kvBlocks
  EXPECT_EQ(pattern.canonicalHead(6), 4);

  // Causal masks never attend above the diagonal, whatever the bits say.
  BlockMaskPattern causal(32, true, 1, 2, 2, {1, 1, 1, 1}, 8, 2);
  EXPECT_EQ(rowBits(causal, 5, 0, 2), "10");
  EXPECT_EQ(rowBits(causal, 5, 1, 2), "11");
  EXPECT_EQ(causal.canonicalHead(5), 0);
}

TEST(CanonicalHeads, HeadsWithOneCanonicalHeadShareTheirRows) {
  std::mt19937_64 rng(12345);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 200; ++trial) {
    int64_t kvHeads = pick(1, 4);
    int64_t heads = kvHeads * pick(1, 3);
    LocalStrideParams params;
    params.blockSize = 16;
    params.causal = pick(0, 3) != 0;
    params.localBlocks = pick(params.causal ? 1 : 0, 3);
    params.vertStride = pick(1, 6);
    params.headStep = pick(0, 1) ? -1 : pick(1, 4);
    params.headOffset = pick(-3, 3);
    params.homoHead = pick(0, 4) == 0;
    params.numDenseHeads = params.homoHead ? 0 : pick(0, kvHeads - 1);
    if (pick(0, 1))
      params.vertPosition =
          pick(0, 1) ? VertPosition::Absolute : VertPosition::Relative;
    ASSERT_EQ(validate(params, heads, kvHeads), std::nullopt);
    LocalStridePattern pattern(params, heads, kvHeads);
    for (int64_t head = 0; head < heads; ++head) {
      int64_t canonical = pattern.canonicalHead(head);
      ASSERT_LE(canonical, head);
      ASSERT_EQ(allRows(pattern, head, 14), allRows(pattern, canonical, 14))
          << "trial " << trial << " head " << head << " canonical "
          << canonical;
    }
  }
}

} // namespace
