//===- Plan.cpp - choose tiles from a target model ------------------------===//

#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"
#include "s2attn/Reference/Analysis.h"
#include "s2attn/Transforms/Passes.h"
#include "s2attn/Transforms/TargetModel.h"

namespace mlir::s2attn {
#define GEN_PASS_DEF_S2ATTNPLAN
#include "s2attn/Transforms/Passes.h.inc"
} // namespace mlir::s2attn

using namespace mlir;
using namespace mlir::s2attn;

namespace ref = ::s2attn::ref;

namespace {

/// Blocks analysed when neither the problem nor the pattern bounds the grid.
constexpr int64_t kAnalysisBlocks = 64;

/// Whether Merge-Q is exact for the op's pattern. Answers without scanning the
/// block grid where the SPEC settles it (absolute local-stride and dense
/// patterns are KV-cache efficient) and reuses s2attn-analyze's verdict when
/// it ran.
bool isKVCacheEfficient(AttentionOp op) {
  if (auto info = op->getAttrOfType<PatternInfoAttr>("s2attn.pattern_info"))
    return info.getKvCacheEfficient();
  PatternContext context = op.getPatternContext();
  if (isa<DenseAttr>(op.getPattern()))
    return true;
  if (auto localStride = dyn_cast<LocalStrideAttr>(op.getPattern())) {
    ref::LocalStrideParams params =
        localStride.toParams(context.causal).resolved(context.heads);
    if (params.vertPosition == ref::VertPosition::Absolute ||
        params.vertStride == 1)
      return true;
  }
  int64_t qBlocks = context.qBlocks.value_or(kAnalysisBlocks);
  int64_t kvBlocks = context.kvBlocks.value_or(kAnalysisBlocks);
  if (auto mask = dyn_cast<BlockMaskAttr>(op.getPattern())) {
    qBlocks = mask.getNumQBlocks();
    kvBlocks = mask.getNumKVBlocks();
  }
  std::unique_ptr<ref::BlockPattern> pattern =
      op.getPattern().buildReference(context);
  return ref::analyzePattern(*pattern, context.heads, context.kvHeads, qBlocks,
                             kvBlocks)
      .kvCacheEfficient;
}

/// The nearest `s2attn.target` at or above `op`.
TargetAttr findTargetAttr(Operation *op) {
  for (; op; op = op->getParentOp())
    if (auto target = op->getAttrOfType<TargetAttr>("s2attn.target"))
      return target;
  return {};
}

struct PlanPass : public mlir::s2attn::impl::S2AttnPlanBase<PlanPass> {
  using S2AttnPlanBase::S2AttnPlanBase;

  void runOnOperation() override {
    WalkResult result = getOperation()->walk([&](AttentionOp op) {
      return succeeded(plan(op)) ? WalkResult::advance()
                                 : WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  LogicalResult plan(AttentionOp op) {
    if (op->hasAttr("s2attn.plan"))
      return success();
    StringRef targetName = target;
    if (TargetAttr targetAttr = findTargetAttr(op))
      targetName = targetAttr.getName();
    const TargetModel *model = lookupTargetModel(targetName);
    if (!model) {
      InFlightDiagnostic diag = op.emitOpError("unknown target '")
                                << targetName << "'; known targets:";
      for (const TargetModel &known : getTargetModels())
        diag << " " << known.name;
      return diag;
    }
    std::optional<int64_t> qLen;
    if (!ShapedType::isDynamic(op.getQLen()))
      qLen = op.getQLen();
    int64_t elementBytes = op.getQueryType().getElementTypeBitWidth() / 8;
    TilePlan tiles =
        planTiles(*model, op.getPattern().getBlockSize(), op.getHeadDim(),
                  elementBytes, qLen, mergeQ && isKVCacheEfficient(op));
    op->setAttr("s2attn.plan",
                PlanAttr::get(op.getContext(), tiles.qTile, tiles.kvTile,
                              tiles.qTile > tiles.kvTile, tiles.numWarps,
                              tiles.numStages));
    return success();
  }
};

} // namespace
