//===- ApproximateExp2.cpp - vectorizable exp2 for CPU backends -----------===//

#include "s2attn/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::s2attn {
#define GEN_PASS_DEF_S2ATTNAPPROXIMATEEXP2
#include "s2attn/Transforms/Passes.h.inc"
} // namespace mlir::s2attn

using namespace mlir;
using namespace mlir::s2attn;

namespace {

/// exp2(x) = exp(x * ln 2) on f32 only: upstream approximates f32 exp, and
/// rewriting wider types would only lose the accuracy of libm's exp2.
struct Exp2ToExpF32 : OpRewritePattern<math::Exp2Op> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::Exp2Op op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return rewriter.notifyMatchFailure(op, "not f32");
    Location loc = op.getLoc();
    TypedAttr ln2 = rewriter.getF32FloatAttr(static_cast<float>(std::log(2.0)));
    if (auto vectorType = dyn_cast<VectorType>(type))
      ln2 = SplatElementsAttr::get(vectorType, ln2);
    Value factor = arith::ConstantOp::create(rewriter, loc, ln2);
    Value scaled =
        arith::MulFOp::create(rewriter, loc, op.getOperand(), factor);
    rewriter.replaceOpWithNewOp<math::ExpOp>(op, scaled);
    return success();
  }
};

struct ApproximateExp2Pass
    : public mlir::s2attn::impl::S2AttnApproximateExp2Base<
          ApproximateExp2Pass> {
  using S2AttnApproximateExp2Base::S2AttnApproximateExp2Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateS2AttnApproximateExp2Patterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::s2attn::populateS2AttnApproximateExp2Patterns(
    RewritePatternSet &patterns) {
  // Upstream approximates f32 exp (scalars and vectors) with a polynomial
  // that maps -inf to 0.
  patterns.add<Exp2ToExpF32>(patterns.getContext());
  populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
    return name == math::ExpOp::getOperationName();
  });
}
