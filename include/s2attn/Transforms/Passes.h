//===- Passes.h - s2attn passes ---------------------------------*- C++ -*-===//

#ifndef S2ATTN_TRANSFORMS_PASSES_H
#define S2ATTN_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace mlir::s2attn {

#define GEN_PASS_DECL
#include "s2attn/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "s2attn/Transforms/Passes.h.inc"

/// Patterns that rewrite s2attn.scheduled_attention on memrefs into the
/// parallel loop nest of s2attn-tile.
void populateS2AttnTilePatterns(RewritePatternSet &patterns);

/// Patterns that rewrite f32 math.exp2 into a polynomial (via math.exp).
void populateS2AttnApproximateExp2Patterns(RewritePatternSet &patterns);

} // namespace mlir::s2attn

#endif // S2ATTN_TRANSFORMS_PASSES_H
