//===- Attention.h - float64 reference attention ----------------*- C++ -*-===//
//
// The oracle: SPEC section 1 computed in double precision, token by token,
// from the pattern's token-level definition (never from a schedule), so that
// it can judge the schedule-driven backends.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_REFERENCE_ATTENTION_H
#define S2ATTN_REFERENCE_ATTENTION_H

#include "s2attn/Reference/Pattern.h"

#include <vector>

namespace s2attn::ref {

struct AttentionResult {
  /// [batch, qLen, heads, headDim]
  std::vector<double> out;
  /// [batch, heads, qLen], natural log. A row that attends no key has out 0
  /// and lse -inf.
  std::vector<double> lse;
};

/// q: [batch, qLen, heads, headDim]; k, v: [batch, kvLen, kvHeads, headDim];
/// all row-major. `scale` <= 0 means 1/sqrt(headDim).
AttentionResult attention(const std::vector<double> &q,
                          const std::vector<double> &k,
                          const std::vector<double> &v,
                          const ProblemShape &shape,
                          const Positions &positions,
                          const BlockPattern &pattern, double scale = 0.0);

/// Combines results over disjoint key chunks of the same queries:
/// O = sum_p exp(LSE_p - LSE) O_p, LSE = log sum_p exp(LSE_p).
/// Every part has the layout of AttentionResult for `shape`.
AttentionResult combinePartitions(const std::vector<AttentionResult> &parts,
                                  const ProblemShape &shape);

} // namespace s2attn::ref

#endif // S2ATTN_REFERENCE_ATTENTION_H
