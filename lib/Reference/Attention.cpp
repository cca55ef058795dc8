//===- Attention.cpp - float64 reference attention ------------------------===//
//
// SPEC section 1 in double precision. Keys are enumerated per token from the
// pattern's token-level definition; the block level is only used to skip
// whole key blocks that attendsToken would reject anyway.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Reference/Attention.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

using namespace s2attn::ref;

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

/// A half-open range of absolute key positions.
struct KeyRange {
  int64_t begin, end;
};

/// Row-major strides of the SPEC layouts.
struct Layout {
  const ProblemShape &shape;

  size_t qRow(int64_t batch, int64_t query, int64_t head) const {
    return static_cast<size_t>(
        ((batch * shape.qLen + query) * shape.heads + head) * shape.headDim);
  }
  size_t kvRow(int64_t batch, int64_t key, int64_t kvHead) const {
    return static_cast<size_t>(
        ((batch * shape.kvLen + key) * shape.kvHeads + kvHead) * shape.headDim);
  }
  size_t lse(int64_t batch, int64_t head, int64_t query) const {
    return static_cast<size_t>((batch * shape.heads + head) * shape.qLen +
                               query);
  }
  size_t outSize() const {
    return static_cast<size_t>(shape.batch * shape.qLen * shape.heads *
                               shape.headDim);
  }
  size_t lseSize() const {
    return static_cast<size_t>(shape.batch * shape.heads * shape.qLen);
  }
};

/// The existing keys of the key blocks (head, qBlock) attends, before the
/// token-level causal cut.
std::vector<KeyRange> attendedKeyRanges(const BlockPattern &pattern,
                                        int64_t head, int64_t qBlock,
                                        int64_t kvBegin, int64_t kvEnd) {
  std::vector<KeyRange> ranges;
  if (kvEnd <= kvBegin)
    return ranges;
  int64_t block = pattern.blockSize();
  int64_t lastKVBlock = floorDiv(kvEnd - 1, block);
  for (int64_t kvBlock = floorDiv(kvBegin, block); kvBlock <= lastKVBlock;
       ++kvBlock) {
    if (!pattern.attendsBlock(head, qBlock, kvBlock))
      continue;
    ranges.push_back({std::max(kvBlock * block, kvBegin),
                      std::min((kvBlock + 1) * block, kvEnd)});
  }
  return ranges;
}

double dot(const double *a, const double *b, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i)
    sum += a[i] * b[i];
  return sum;
}

/// Everything one query row needs besides its position.
struct RowProblem {
  const std::vector<double> &q, &k, &v;
  const Layout &layout;
  int64_t batch, head, kvHead;
  int64_t kvBegin;
  bool causal;
  double scale;
};

/// Computes one output row and returns its LSE; a row without keys keeps
/// its zero output and returns -inf.
double attendRow(const RowProblem &row, int64_t query, int64_t qPos,
                 const std::vector<KeyRange> &ranges, double *out,
                 std::vector<double> &scores, std::vector<int64_t> &keys) {
  int64_t headDim = row.layout.shape.headDim;
  const double *qVec = &row.q[row.layout.qRow(row.batch, query, row.head)];
  scores.clear();
  keys.clear();
  for (const KeyRange &range : ranges) {
    int64_t end = row.causal ? std::min(range.end, qPos + 1) : range.end;
    for (int64_t kvPos = range.begin; kvPos < end; ++kvPos) {
      int64_t key = kvPos - row.kvBegin;
      const double *kVec = &row.k[row.layout.kvRow(row.batch, key, row.kvHead)];
      scores.push_back(row.scale * dot(qVec, kVec, headDim));
      keys.push_back(key);
    }
  }
  if (scores.empty())
    return kNegInf;
  // Subtracting the maximum keeps exp() from overflowing.
  double maxScore = *std::max_element(scores.begin(), scores.end());
  double sum = 0.0;
  for (size_t i = 0; i < scores.size(); ++i) {
    double weight = std::exp(scores[i] - maxScore);
    sum += weight;
    const double *vVec =
        &row.v[row.layout.kvRow(row.batch, keys[i], row.kvHead)];
    for (int64_t d = 0; d < headDim; ++d)
      out[d] += weight * vVec[d];
  }
  for (int64_t d = 0; d < headDim; ++d)
    out[d] /= sum;
  return maxScore + std::log(sum);
}

} // namespace

AttentionResult s2attn::ref::attention(
    const std::vector<double> &q, const std::vector<double> &k,
    const std::vector<double> &v, const ProblemShape &shape,
    const Positions &positions, const BlockPattern &pattern, double scale) {
  Layout layout{shape};
  assert(q.size() == layout.outSize() && "q has the wrong size");
  assert(k.size() == v.size() && k.size() == layout.kvRow(shape.batch, 0, 0) &&
         "k/v have the wrong size");
  if (scale <= 0.0)
    scale = 1.0 / std::sqrt(static_cast<double>(shape.headDim));
  bool causal = pattern.causal();
  int64_t qBegin = positions.resolvedQStart(shape, causal);
  int64_t kvBegin = positions.kvStart;
  int64_t kvEnd = kvBegin + shape.kvLen;
  int64_t block = pattern.blockSize();

  AttentionResult result;
  result.out.assign(layout.outSize(), 0.0);
  result.lse.assign(layout.lseSize(), kNegInf);
  if (shape.qLen <= 0)
    return result;
  std::vector<double> scores;
  std::vector<int64_t> keys;
  for (int64_t head = 0; head < shape.heads; ++head) {
    int64_t kvHead = head / shape.groupSize();
    int64_t firstQBlock = floorDiv(qBegin, block);
    int64_t lastQBlock = floorDiv(qBegin + shape.qLen - 1, block);
    for (int64_t qBlock = firstQBlock; qBlock <= lastQBlock; ++qBlock) {
      std::vector<KeyRange> ranges =
          attendedKeyRanges(pattern, head, qBlock, kvBegin, kvEnd);
      int64_t posBegin = std::max(qBlock * block, qBegin);
      int64_t posEnd = std::min((qBlock + 1) * block, qBegin + shape.qLen);
      for (int64_t batch = 0; batch < shape.batch; ++batch) {
        RowProblem row{q,    k,      v,       layout, batch,
                       head, kvHead, kvBegin, causal, scale};
        for (int64_t qPos = posBegin; qPos < posEnd; ++qPos) {
          int64_t query = qPos - qBegin;
          double *out = &result.out[layout.qRow(batch, query, head)];
          result.lse[layout.lse(batch, head, query)] =
              attendRow(row, query, qPos, ranges, out, scores, keys);
        }
      }
    }
  }
  return result;
}

AttentionResult
s2attn::ref::combinePartitions(const std::vector<AttentionResult> &parts,
                               const ProblemShape &shape) {
  Layout layout{shape};
  AttentionResult result;
  result.out.assign(layout.outSize(), 0.0);
  result.lse.assign(layout.lseSize(), kNegInf);
  for (int64_t batch = 0; batch < shape.batch; ++batch) {
    for (int64_t head = 0; head < shape.heads; ++head) {
      for (int64_t query = 0; query < shape.qLen; ++query) {
        size_t lseIndex = layout.lse(batch, head, query);
        double maxLse = kNegInf;
        for (const AttentionResult &part : parts)
          maxLse = std::max(maxLse, part.lse[lseIndex]);
        // Parts without keys (-inf) carry no weight; all of them: no keys.
        if (maxLse == kNegInf)
          continue;
        double sum = 0.0;
        for (const AttentionResult &part : parts)
          sum += std::exp(part.lse[lseIndex] - maxLse);
        double lse = maxLse + std::log(sum);
        result.lse[lseIndex] = lse;
        size_t outIndex = layout.qRow(batch, query, head);
        double *out = &result.out[outIndex];
        for (const AttentionResult &part : parts) {
          double weight = std::exp(part.lse[lseIndex] - lse);
          if (weight == 0.0)
            continue;
          for (int64_t d = 0; d < shape.headDim; ++d)
            out[d] += weight * part.out[outIndex + d];
        }
      }
    }
  }
  return result;
}
