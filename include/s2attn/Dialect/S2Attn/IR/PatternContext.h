//===- PatternContext.h - what a pattern needs of a problem -----*- C++ -*-===//

#ifndef S2ATTN_DIALECT_S2ATTN_IR_PATTERNCONTEXT_H
#define S2ATTN_DIALECT_S2ATTN_IR_PATTERNCONTEXT_H

#include <cstdint>
#include <optional>

namespace mlir::s2attn {

/// The parts of an attention problem a pattern depends on. Patterns are
/// attributes shared by many ops, so they learn head counts and causality
/// from the op that uses them.
struct PatternContext {
  int64_t heads = 1;
  int64_t kvHeads = 1;
  bool causal = true;
  /// Absolute query/key blocks the problem reaches (end position / block,
  /// rounded up), when lengths and positions are static.
  std::optional<int64_t> qBlocks;
  std::optional<int64_t> kvBlocks;
};

} // namespace mlir::s2attn

#endif // S2ATTN_DIALECT_S2ATTN_IR_PATTERNCONTEXT_H
