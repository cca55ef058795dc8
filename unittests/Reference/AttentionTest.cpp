//===- AttentionTest.cpp - float64 attention and partition combining -----===//

#include "s2attn/Reference/Attention.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>

using namespace s2attn::ref;

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

std::vector<double> randomTensor(std::mt19937_64 &engine, size_t size) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> values(size);
  for (double &value : values)
    value = normal(engine);
  return values;
}

struct Inputs {
  ProblemShape shape;
  std::vector<double> q, k, v;
};

Inputs randomInputs(std::mt19937_64 &engine, const ProblemShape &shape) {
  Inputs inputs{shape, {}, {}, {}};
  size_t qSize = shape.batch * shape.qLen * shape.heads * shape.headDim;
  size_t kvSize = shape.batch * shape.kvLen * shape.kvHeads * shape.headDim;
  inputs.q = randomTensor(engine, qSize);
  inputs.k = randomTensor(engine, kvSize);
  inputs.v = randomTensor(engine, kvSize);
  return inputs;
}

/// The SPEC formula written out: enumerate the attended keys of each row,
/// then a plain softmax over them.
AttentionResult naiveAttention(const Inputs &in, const Positions &positions,
                               const BlockPattern &pattern, double scale) {
  const ProblemShape &s = in.shape;
  int64_t qStart = positions.resolvedQStart(s, pattern.causal());
  int64_t kvEnd = positions.kvStart + s.kvLen;
  AttentionResult result;
  result.out.assign(s.batch * s.qLen * s.heads * s.headDim, 0.0);
  result.lse.assign(s.batch * s.heads * s.qLen, kNegInf);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.heads; ++h) {
      int64_t g = h / (s.heads / s.kvHeads);
      for (int64_t i = 0; i < s.qLen; ++i) {
        std::vector<int64_t> keys;
        std::vector<double> logits;
        for (int64_t j = 0; j < s.kvLen; ++j) {
          if (!pattern.attendsToken(h, qStart + i, positions.kvStart + j,
                                    kvEnd))
            continue;
          double dot = 0.0;
          for (int64_t d = 0; d < s.headDim; ++d)
            dot += in.q[((b * s.qLen + i) * s.heads + h) * s.headDim + d] *
                   in.k[((b * s.kvLen + j) * s.kvHeads + g) * s.headDim + d];
          keys.push_back(j);
          logits.push_back(scale * dot);
        }
        if (keys.empty())
          continue;
        double total = 0.0;
        for (double logit : logits)
          total += std::exp(logit);
        result.lse[(b * s.heads + h) * s.qLen + i] = std::log(total);
        for (size_t n = 0; n < keys.size(); ++n)
          for (int64_t d = 0; d < s.headDim; ++d)
            result.out[((b * s.qLen + i) * s.heads + h) * s.headDim + d] +=
                std::exp(logits[n]) / total *
                in.v[((b * s.kvLen + keys[n]) * s.kvHeads + g) * s.headDim + d];
      }
    }
  }
  return result;
}

/// Elementwise comparison that treats two -inf as equal.
void expectClose(const std::vector<double> &expected,
                 const std::vector<double> &actual, double tolerance,
                 const char *what) {
  ASSERT_EQ(expected.size(), actual.size()) << what;
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_FALSE(std::isnan(actual[i])) << what << "[" << i << "] is NaN";
    if (std::isinf(expected[i])) {
      ASSERT_EQ(expected[i], actual[i]) << what << "[" << i << "]";
      continue;
    }
    ASSERT_NEAR(expected[i], actual[i], tolerance) << what << "[" << i << "]";
  }
}

void expectSameResult(const AttentionResult &expected,
                      const AttentionResult &actual, double tolerance) {
  expectClose(expected.out, actual.out, tolerance, "out");
  expectClose(expected.lse, actual.lse, tolerance, "lse");
}

LocalStrideParams smallStride(bool causal) {
  LocalStrideParams params;
  params.blockSize = 16;
  params.causal = causal;
  params.localBlocks = 2;
  params.vertStride = 3;
  params.headOffset = 1;
  return params;
}

TEST(Attention, HandComputedSoftmaxAndLSE) {
  ProblemShape shape;
  shape.qLen = 1;
  shape.kvLen = 2;
  shape.headDim = 2;
  DensePattern pattern(16, false);
  // Scores with scale 1: <q, k0> = 1, <q, k1> = 0.
  std::vector<double> q = {1, 0}, k = {1, 0, 0, 1}, v = {1, 2, 3, 4};
  AttentionResult result = attention(q, k, v, shape, Positions(), pattern, 1.0);
  double e = std::exp(1.0);
  EXPECT_NEAR(result.lse[0], std::log(e + 1.0), 1e-15);
  EXPECT_NEAR(result.out[0], (e * 1 + 3) / (e + 1), 1e-15);
  EXPECT_NEAR(result.out[1], (e * 2 + 4) / (e + 1), 1e-15);
}

TEST(Attention, DefaultScaleIsOneOverSqrtHeadDim) {
  std::mt19937_64 engine(3);
  ProblemShape shape;
  shape.qLen = 40;
  shape.kvLen = 40;
  shape.headDim = 9;
  Inputs in = randomInputs(engine, shape);
  DensePattern pattern(16, true);
  AttentionResult byDefault =
      attention(in.q, in.k, in.v, shape, Positions(), pattern);
  AttentionResult explicitThird =
      attention(in.q, in.k, in.v, shape, Positions(), pattern, 1.0 / 3.0);
  expectSameResult(explicitThird, byDefault, 0.0);
  AttentionResult half =
      attention(in.q, in.k, in.v, shape, Positions(), pattern, 0.5);
  expectSameResult(naiveAttention(in, Positions(), pattern, 0.5), half, 1e-12);
  EXPECT_GT(std::abs(half.lse[5] - byDefault.lse[5]), 1e-3);
}

TEST(Attention, MatchesTheNaiveFormulaOnRandomProblems) {
  std::mt19937_64 engine(11);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
  };
  for (int trial = 0; trial < 40; ++trial) {
    ProblemShape shape;
    shape.batch = pick(1, 2);
    shape.kvHeads = pick(1, 2);
    shape.heads = shape.kvHeads * pick(1, 3);
    shape.headDim = pick(1, 8);
    shape.kvLen = pick(1, 150);
    shape.qLen = pick(0, 1) ? 1 : pick(1, 150);
    bool causal = pick(0, 3) != 0;
    LocalStrideParams params = smallStride(causal);
    params.numDenseHeads = pick(0, shape.kvHeads - 1);
    LocalStridePattern pattern(params, shape.heads, shape.kvHeads);
    Positions positions;
    positions.kvStart = pick(0, 1) ? 0 : pick(1, 70);
    if (pick(0, 1))
      positions.qStart = pick(0, 200);
    SCOPED_TRACE("trial " + std::to_string(trial));
    Inputs in = randomInputs(engine, shape);
    double scale = 1.0 / std::sqrt(static_cast<double>(shape.headDim));
    expectSameResult(naiveAttention(in, positions, pattern, scale),
                     attention(in.q, in.k, in.v, shape, positions, pattern),
                     1e-12);
  }
}

TEST(Attention, GroupedQueryHeadsReadTheirKVHead) {
  // GQA equals multi-head attention with each KV head repeated per query
  // head, under the same per-query-head block pattern.
  std::mt19937_64 engine(5);
  ProblemShape gqa;
  gqa.heads = 6;
  gqa.kvHeads = 2;
  gqa.qLen = gqa.kvLen = 100;
  gqa.headDim = 4;
  Inputs in = randomInputs(engine, gqa);
  LocalStridePattern pattern(smallStride(true), gqa.heads, gqa.kvHeads);
  int64_t blocks = 7;
  std::vector<uint8_t> bits;
  for (int64_t h = 0; h < gqa.heads; ++h)
    for (int64_t q = 0; q < blocks; ++q)
      for (int64_t k = 0; k < blocks; ++k)
        bits.push_back(pattern.attendsBlock(h, q, k));
  BlockMaskPattern perHead(16, true, gqa.heads, blocks, blocks, bits, gqa.heads,
                           gqa.heads);
  ProblemShape mha = gqa;
  mha.kvHeads = gqa.heads;
  std::vector<double> k, v;
  for (int64_t j = 0; j < gqa.kvLen; ++j)
    for (int64_t h = 0; h < gqa.heads; ++h)
      for (int64_t d = 0; d < gqa.headDim; ++d) {
        size_t source = (j * gqa.kvHeads + h / 3) * gqa.headDim + d;
        k.push_back(in.k[source]);
        v.push_back(in.v[source]);
      }
  AttentionResult grouped =
      attention(in.q, in.k, in.v, gqa, Positions(), pattern);
  AttentionResult repeated = attention(in.q, k, v, mha, Positions(), perHead);
  expectSameResult(repeated, grouped, 1e-14);
}

TEST(Attention, RowsWithoutKeysAreZeroWithMinusInfinityLSE) {
  std::mt19937_64 engine(8);
  ProblemShape shape;
  shape.qLen = 50;
  shape.kvLen = 30; // causal: the first 20 queries precede every key
  shape.headDim = 3;
  Inputs in = randomInputs(engine, shape);
  DensePattern pattern(16, true);
  AttentionResult result =
      attention(in.q, in.k, in.v, shape, Positions(), pattern);
  for (int64_t i = 0; i < 20; ++i) {
    EXPECT_EQ(result.lse[i], kNegInf) << "row " << i;
    for (int64_t d = 0; d < 3; ++d)
      EXPECT_EQ(result.out[i * 3 + d], 0.0) << "row " << i;
  }
  EXPECT_TRUE(std::isfinite(result.lse[20]));
  expectSameResult(naiveAttention(in, Positions(), pattern, 1 / std::sqrt(3.0)),
                   result, 1e-12);
}

/// Runs attention over keys [begin, end) of `in` only, at their absolute
/// positions, with the queries at `qStart`.
AttentionResult attendKeyChunk(const Inputs &in, const BlockPattern &pattern,
                               int64_t qStart, int64_t begin, int64_t end) {
  ProblemShape chunk = in.shape;
  chunk.kvLen = end - begin;
  size_t rowSize = in.shape.kvHeads * in.shape.headDim;
  std::vector<double> k, v;
  for (int64_t b = 0; b < in.shape.batch; ++b) {
    size_t first = (b * in.shape.kvLen + begin) * rowSize;
    size_t last = (b * in.shape.kvLen + end) * rowSize;
    k.insert(k.end(), in.k.begin() + first, in.k.begin() + last);
    v.insert(v.end(), in.v.begin() + first, in.v.begin() + last);
  }
  Positions positions;
  positions.qStart = qStart;
  positions.kvStart = begin;
  return attention(in.q, k, v, chunk, positions, pattern);
}

TEST(CombinePartitions, DisjointKeyChunksRecombineExactly) {
  std::mt19937_64 engine(21);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
  };
  for (int trial = 0; trial < 30; ++trial) {
    ProblemShape shape;
    shape.batch = pick(1, 2);
    shape.kvHeads = pick(1, 2);
    shape.heads = shape.kvHeads * pick(1, 2);
    shape.headDim = pick(2, 6);
    shape.kvLen = pick(3, 200);
    shape.qLen = pick(1, shape.kvLen);
    bool causal = pick(0, 2) != 0;
    LocalStridePattern sparse(smallStride(causal), shape.heads, shape.kvHeads);
    DensePattern dense(16, causal);
    const BlockPattern *chosen = &dense;
    if (pick(0, 1))
      chosen = &sparse;
    const BlockPattern &pattern = *chosen;
    Inputs in = randomInputs(engine, shape);
    int64_t qStart = Positions().resolvedQStart(shape, causal);
    // Two or three chunks with arbitrary (unaligned) boundaries.
    std::vector<int64_t> cuts = {0, pick(1, shape.kvLen - 1)};
    if (pick(0, 1) && cuts[1] + 1 < shape.kvLen)
      cuts.push_back(pick(cuts[1] + 1, shape.kvLen - 1));
    cuts.push_back(shape.kvLen);
    std::vector<AttentionResult> parts;
    for (size_t c = 0; c + 1 < cuts.size(); ++c)
      parts.push_back(
          attendKeyChunk(in, pattern, qStart, cuts[c], cuts[c + 1]));
    SCOPED_TRACE("trial " + std::to_string(trial) + " chunks " +
                 std::to_string(parts.size()));
    AttentionResult whole =
        attention(in.q, in.k, in.v, shape, Positions(), pattern);
    expectSameResult(whole, combinePartitions(parts, shape), 1e-12);
  }
}

TEST(CombinePartitions, PartsWithoutKeysContributeNothing) {
  ProblemShape shape;
  shape.qLen = 1;
  shape.headDim = 2;
  AttentionResult empty{{0.0, 0.0}, {kNegInf}};
  AttentionResult full{{1.5, -2.0}, {0.25}};
  AttentionResult combined = combinePartitions({empty, full, empty}, shape);
  EXPECT_EQ(combined.lse[0], 0.25);
  EXPECT_EQ(combined.out, (std::vector<double>{1.5, -2.0}));
  AttentionResult none = combinePartitions({empty, empty}, shape);
  EXPECT_EQ(none.lse[0], kNegInf);
  EXPECT_EQ(none.out, (std::vector<double>{0.0, 0.0}));
  // Equal LSEs weigh equally: log 2 more, the mean of the outputs.
  AttentionResult other{{0.5, 0.0}, {0.25}};
  AttentionResult mean = combinePartitions({full, other}, shape);
  EXPECT_NEAR(mean.lse[0], 0.25 + std::log(2.0), 1e-15);
  EXPECT_NEAR(mean.out[0], 1.0, 1e-15);
  EXPECT_NEAR(mean.out[1], -1.0, 1e-15);
}

TEST(Attention, ThousandsOfTokensStayFast) {
  std::mt19937_64 engine(1);
  ProblemShape shape;
  shape.heads = 4;
  shape.kvHeads = 2;
  shape.qLen = shape.kvLen = 4096;
  shape.headDim = 16;
  Inputs in = randomInputs(engine, shape);
  LocalStrideParams params;
  params.blockSize = 64;
  params.localBlocks = 4;
  params.vertStride = 8;
  LocalStridePattern pattern(params, 4, 2);
  AttentionResult result =
      attention(in.q, in.k, in.v, shape, Positions(), pattern);
  for (double lse : result.lse)
    ASSERT_TRUE(std::isfinite(lse));
}

} // namespace
