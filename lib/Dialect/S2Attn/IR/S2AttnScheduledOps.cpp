//===- S2AttnScheduledOps.cpp - plan attribute and scheduled attention ----===//
//
// The attributes and the op of the compiled form: what s2attn-plan decides and
// what s2attn-materialize-schedule produces for s2attn-tile.
//
//===----------------------------------------------------------------------===//

#include "AttentionOperands.h"
#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"

#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::s2attn;

//===----------------------------------------------------------------------===//
// PlanAttr
//===----------------------------------------------------------------------===//

LogicalResult PlanAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t qTile, int64_t kvTile, bool mergeQ,
                               std::optional<int64_t> numWarps,
                               std::optional<int64_t> numStages) {
  if (kvTile < 16 || !llvm::isPowerOf2_64(kvTile))
    return emitError() << "kv_tile = " << kvTile
                       << " must be a power of two >= 16 (the pattern's "
                          "block)";
  // The schedule's row masks have one bit per block row of a tile.
  if (qTile < kvTile || qTile % kvTile != 0 ||
      !llvm::isPowerOf2_64(qTile / kvTile) || qTile / kvTile > 32)
    return emitError() << "q_tile = " << qTile << " must be kv_tile (" << kvTile
                       << ") times a power of two <= 32";
  if (mergeQ != (qTile > kvTile))
    return emitError() << "merge_q must be "
                       << (qTile > kvTile ? "true" : "false")
                       << " when q_tile = " << qTile
                       << " and kv_tile = " << kvTile
                       << " (a query tile larger than the key tile "
                       << "merges block rows)";
  if (numWarps && *numWarps < 1)
    return emitError() << "num_warps = " << *numWarps << " must be >= 1";
  if (numStages && *numStages < 1)
    return emitError() << "num_stages = " << *numStages << " must be >= 1";
  return success();
}

//===----------------------------------------------------------------------===//
// ScheduledAttentionOp
//===----------------------------------------------------------------------===//

unsigned ScheduledAttentionOp::getNumScheduleArrays(ScheduleKind kind) {
  switch (kind) {
  case ScheduleKind::Exact:
    return 4;
  case ScheduleKind::Grid:
    return 3;
  case ScheduleKind::ClosedForm:
    return 0;
  }
  return 0;
}

PatternContext ScheduledAttentionOp::getPatternContext() {
  PatternContext context;
  context.heads = getNumHeads();
  context.kvHeads = getNumKVHeads();
  context.causal = getCausal();
  return context;
}

void ScheduledAttentionOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addDestinationStyleEffects(*this, effects);
}

LogicalResult ScheduledAttentionOp::verify() {
  if (failed(verifyAttentionOperands(*this, getQuery(), getKey(), getValue(),
                                     getOutput(), getLse(), getResults())))
    return failure();
  bool onTensors = hasPureTensorSemantics();
  for (Value array : getSchedule())
    if (isa<RankedTensorType>(array.getType()) != onTensors)
      return emitOpError("operands must be all tensors or all memrefs, got ")
             << getQuery().getType() << " query and " << array.getType()
             << " schedule array";
  int64_t heads = getNumHeads();

  double scale = getScale().convertToDouble();
  if (!(scale > 0.0) || !std::isfinite(scale))
    return emitOpError("scale must be positive and finite, got ") << scale;

  PlanAttr plan = getPlan();
  int64_t block = getPattern().getBlockSize();
  if (plan.getKvTile() != block)
    return emitOpError("plan kv_tile = ")
           << plan.getKvTile() << " must equal the pattern's block (" << block
           << ")";
  if (failed(getPattern().verifyForProblem([&] { return emitOpError(); },
                                           getPatternContext())))
    return failure();

  ScheduleKind kind = getScheduleKind();
  unsigned expectedArrays = getNumScheduleArrays(kind);
  if (getSchedule().size() != expectedArrays)
    return emitOpError("the ")
           << stringifyScheduleKind(kind) << " schedule takes "
           << expectedArrays
           << " arrays (row_ptr, kv_blocks, row_masks[, num_unmasked]), got "
           << getSchedule().size();
  if (kind == ScheduleKind::ClosedForm && getHeadsShareRows())
    return emitOpError("heads_share_rows describes the arrays of an exact or "
                       "grid schedule; a closed_form schedule has none");
  if (kind != ScheduleKind::ClosedForm) {
    auto rowPtrType = cast<ShapedType>(getRowPtr().getType());
    auto blocksType = cast<ShapedType>(getKvBlocks().getType());
    auto masksType = cast<ShapedType>(getRowMasks().getType());
    if (getHeadsShareRows()) {
      if (rowPtrType.hasStaticShape() && rowPtrType.getDimSize(0) < 1)
        return emitOpError("row_ptr must hold num_q_tiles + 1 entries (rows "
                           "shared by all heads), got ")
               << rowPtrType;
    } else if (rowPtrType.hasStaticShape() &&
               (rowPtrType.getDimSize(0) < 1 ||
                (rowPtrType.getDimSize(0) - 1) % heads != 0)) {
      return emitOpError("row_ptr must hold heads * num_q_tiles + 1 = ")
             << heads << " * n + 1 entries, got " << rowPtrType
             << (heads > 1 ? " (or num_q_tiles + 1 with heads_share_rows)"
                           : "");
    }
    if (dimsConflict(blocksType.getDimSize(0), masksType.getDimSize(0)))
      return emitOpError("kv_blocks and row_masks must have one entry per "
                         "schedule entry, got ")
             << blocksType << " and " << masksType;
    if (kind == ScheduleKind::Exact) {
      auto unmaskedType = cast<ShapedType>(getNumUnmasked().getType());
      if (dimsConflict(unmaskedType.getDimSize(0),
                       rowPtrType.getDimSize(0) - 1))
        return emitOpError("num_unmasked must have one entry per row (")
               << rowPtrType.getDimSize(0) - 1 << "), got " << unmaskedType;
    }
    return success();
  }

  // Closed forms exist for patterns whose rows are arithmetic.
  if (isa<DenseAttr>(getPattern()))
    return success();
  auto localStride = dyn_cast<LocalStrideAttr>(getPattern());
  if (!localStride)
    return emitOpError("a closed_form schedule needs a local_stride or dense "
                       "pattern; materialize a grid schedule for ")
           << getPattern();
  ::s2attn::ref::LocalStrideParams params =
      localStride.toParams(getCausal()).resolved(heads);
  if (params.vertPosition == ::s2attn::ref::VertPosition::Relative &&
      plan.getMergeQ())
    return emitOpError("relative stripes depend on the query block, so a "
                       "closed_form schedule cannot merge query blocks; use "
                       "q_tile = kv_tile = ")
           << block;
  return success();
}
