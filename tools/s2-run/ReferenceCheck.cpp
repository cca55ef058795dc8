//===- ReferenceCheck.cpp - judging results with the float64 oracle -------===//

#include "ReferenceCheck.h"

#include "s2attn/Reference/Attention.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace s2run;

namespace ref = ::s2attn::ref;

namespace {

std::vector<double> toDouble(llvm::ArrayRef<float> values) {
  return std::vector<double>(values.begin(), values.end());
}

ErrorStats compare(llvm::ArrayRef<float> result,
                   const std::vector<double> &reference) {
  ErrorStats stats;
  for (size_t index = 0; index < reference.size(); ++index) {
    double expected = reference[index];
    double actual = result[index];
    if (!std::isfinite(expected) || !std::isfinite(actual)) {
      if (!stats.firstNonFinite)
        stats.firstNonFinite = static_cast<int64_t>(index);
      stats.nonFiniteInReference |= !std::isfinite(expected);
      continue;
    }
    stats.maxAbsError =
        std::max(stats.maxAbsError, std::abs(actual - expected));
    stats.maxAbsReference = std::max(stats.maxAbsReference, std::abs(expected));
  }
  stats.relError = stats.maxAbsReference > 0.0
                       ? stats.maxAbsError / stats.maxAbsReference
                       : stats.maxAbsError;
  return stats;
}

bool withinTolerance(const ErrorStats &stats, double tolerance) {
  return !stats.firstNonFinite && stats.relError <= tolerance;
}

/// Half-open ranges of absolute key positions that exist and lie in a key
/// block `head` attends from `qBlock`.
std::vector<std::pair<int64_t, int64_t>>
attendedKeyRanges(const EntryProblem &problem, int64_t head, int64_t qBlock) {
  const ref::BlockPattern &pattern = *problem.pattern;
  int64_t block = pattern.blockSize();
  int64_t kvBegin = problem.positions.kvStart;
  int64_t kvEnd = kvBegin + problem.shape.kvLen;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (int64_t kvBlock = ref::floorDiv(kvBegin, block),
               last = ref::floorDiv(kvEnd - 1, block);
       kvBlock <= last; ++kvBlock)
    if (pattern.attendsBlock(head, qBlock, kvBlock))
      ranges.emplace_back(std::max(kvBlock * block, kvBegin),
                          std::min((kvBlock + 1) * block, kvEnd));
  return ranges;
}

int64_t countHeadPairs(const EntryProblem &problem, int64_t head) {
  int64_t block = problem.pattern->blockSize();
  int64_t qStart = problem.resolvedQStart();
  int64_t pairs = 0;
  int64_t cachedBlock = INT64_MIN;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (int64_t qPos = qStart; qPos < qStart + problem.shape.qLen; ++qPos) {
    int64_t qBlock = ref::floorDiv(qPos, block);
    if (qBlock != cachedBlock) {
      ranges = attendedKeyRanges(problem, head, qBlock);
      cachedBlock = qBlock;
    }
    for (auto [begin, end] : ranges) {
      int64_t last = problem.causal ? std::min(end, qPos + 1) : end;
      pairs += std::max<int64_t>(0, last - begin);
    }
  }
  return pairs;
}

} // namespace

bool CheckReport::passed() const {
  return withinTolerance(out, tolerance) &&
         (!lse || withinTolerance(*lse, tolerance));
}

double s2run::defaultTolerance(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return 1e-5;
  case ElementType::F16:
    return 1e-2;
  case ElementType::BF16:
    return 2e-2;
  }
  return 1e-5;
}

CheckReport
s2run::checkAgainstReference(const EntryProblem &problem,
                             llvm::ArrayRef<float> q, llvm::ArrayRef<float> k,
                             llvm::ArrayRef<float> v, llvm::ArrayRef<float> out,
                             llvm::ArrayRef<float> lse, double tolerance) {
  ref::AttentionResult expected =
      ref::attention(toDouble(q), toDouble(k), toDouble(v), problem.shape,
                     problem.positions, *problem.pattern, problem.scale);
  CheckReport report;
  report.tolerance = tolerance;
  report.out = compare(out, expected.out);
  if (problem.hasLse)
    report.lse = compare(lse, expected.lse);
  return report;
}

int64_t s2run::countAttendedPairs(const EntryProblem &problem) {
  // Heads that share a pattern (GQA groups, homo and dense heads) are
  // counted once.
  std::map<int64_t, int64_t> pairsOfCanonicalHead;
  int64_t total = 0;
  for (int64_t head = 0; head < problem.shape.heads; ++head) {
    int64_t canonical = problem.pattern->canonicalHead(head);
    auto [it, inserted] = pairsOfCanonicalHead.try_emplace(canonical, 0);
    if (inserted)
      it->second = countHeadPairs(problem, canonical);
    total += it->second;
  }
  return total;
}
