//===- MaterializeSchedule.cpp - patterns become block schedules ----------===//

#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"
#include "s2attn/Reference/Schedule.h"
#include "s2attn/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

#include <limits>

namespace mlir::s2attn {
#define GEN_PASS_DEF_S2ATTNMATERIALIZESCHEDULE
#include "s2attn/Transforms/Passes.h.inc"
} // namespace mlir::s2attn

using namespace mlir;
using namespace mlir::s2attn;

namespace ref = ::s2attn::ref;

namespace {

enum class KindChoice { Auto, Exact, Grid, ClosedForm };

std::optional<KindChoice> parseKindChoice(StringRef text) {
  return llvm::StringSwitch<std::optional<KindChoice>>(text)
      .Case("auto", KindChoice::Auto)
      .Case("exact", KindChoice::Exact)
      .Case("grid", KindChoice::Grid)
      .Case("closed-form", KindChoice::ClosedForm)
      .Default(std::nullopt);
}

bool hasClosedForm(PatternAttrInterface pattern) {
  return isa<LocalStrideAttr, DenseAttr>(pattern);
}

/// Emits the schedule arrays as constants of the op's kind: `arith.constant`
/// tensors for tensor ops; private `memref.global` constants for memref ops
/// (the pass runs on the module, so it may add symbols).
class ArrayEmitter {
public:
  explicit ArrayEmitter(ModuleOp module) : symbols(module), module(module) {}

  Value emit(OpBuilder &builder, Location loc, StringRef name,
             ArrayRef<int32_t> values, bool onTensors) {
    auto tensorType = RankedTensorType::get(
        {static_cast<int64_t>(values.size())}, builder.getI32Type());
    auto data = DenseIntElementsAttr::get(tensorType, values);
    if (onTensors)
      return arith::ConstantOp::create(builder, loc, data);
    auto memrefType =
        MemRefType::get(tensorType.getShape(), tensorType.getElementType());
    // Built detached so that the symbol table inserts it: it renames on
    // collision, so every op gets its own arrays. Globals go to the top of
    // the module, in the order they are made.
    OpBuilder detached(module.getContext());
    auto global = memref::GlobalOp::create(
        detached, loc, name, detached.getStringAttr("private"), memrefType,
        data,
        /*constant=*/true, detached.getI64IntegerAttr(64));
    Block::iterator insertPoint = lastGlobal
                                      ? std::next(Block::iterator(lastGlobal))
                                      : module.getBody()->begin();
    symbols.insert(global, insertPoint);
    lastGlobal = global;
    return memref::GetGlobalOp::create(builder, loc, memrefType,
                                       global.getSymName());
  }

private:
  SymbolTable symbols;
  ModuleOp module;
  Operation *lastGlobal = nullptr;
};

/// Narrows a schedule array to i32 (the op's array type); fails when an entry
/// does not fit.
std::optional<SmallVector<int32_t>> toI32(ArrayRef<int64_t> values) {
  SmallVector<int32_t> result;
  result.reserve(values.size());
  for (int64_t value : values) {
    if (value < std::numeric_limits<int32_t>::min() ||
        value > std::numeric_limits<int32_t>::max())
      return std::nullopt;
    result.push_back(static_cast<int32_t>(value));
  }
  return result;
}

SmallVector<int32_t> masksToI32(ArrayRef<uint32_t> masks) {
  SmallVector<int32_t> result;
  result.reserve(masks.size());
  for (uint32_t mask : masks)
    result.push_back(static_cast<int32_t>(mask));
  return result;
}

Value dimOf(OpBuilder &builder, Location loc, Value shaped, int64_t dim) {
  auto type = cast<ShapedType>(shaped.getType());
  if (!type.isDynamicDim(dim))
    return arith::ConstantIndexOp::create(builder, loc, type.getDimSize(dim));
  if (isa<RankedTensorType>(type))
    return tensor::DimOp::create(builder, loc, shaped, dim);
  return memref::DimOp::create(builder, loc, shaped, dim);
}

/// `q_start` and `kv_start` as index values, defaults resolved as in the
/// SPEC: kv_start = 0; q_start = kv_start + kv_len - q_len when causal
/// (bottom-right aligned), kv_start otherwise.
std::pair<Value, Value> resolvePositions(OpBuilder &builder, AttentionOp op) {
  Location loc = op.getLoc();
  std::optional<ref::ProblemShape> shape = op.getStaticProblemShape();
  std::optional<ref::Positions> positions = op.getStaticPositions();
  if (shape && positions)
    return {
        arith::ConstantIndexOp::create(
            builder, loc, positions->resolvedQStart(*shape, op.getCausal())),
        arith::ConstantIndexOp::create(builder, loc, positions->kvStart)};
  Value kvStart = op.getKvStart();
  if (!kvStart)
    kvStart = arith::ConstantIndexOp::create(builder, loc,
                                             op.getStaticKvStart().value_or(0));
  Value qStart = op.getQStart();
  if (!qStart && op.getStaticQStart())
    qStart =
        arith::ConstantIndexOp::create(builder, loc, *op.getStaticQStart());
  if (!qStart && !op.getCausal())
    qStart = kvStart;
  if (!qStart) {
    Value kvLen = dimOf(builder, loc, op.getKey(), 1);
    Value qLen = dimOf(builder, loc, op.getQuery(), 1);
    Value kvEnd = arith::AddIOp::create(builder, loc, kvStart, kvLen);
    qStart = arith::SubIOp::create(builder, loc, kvEnd, qLen);
  }
  return {qStart, kvStart};
}

struct MaterializeSchedulePass
    : public mlir::s2attn::impl::S2AttnMaterializeScheduleBase<
          MaterializeSchedulePass> {
  using S2AttnMaterializeScheduleBase::S2AttnMaterializeScheduleBase;

  void runOnOperation() override {
    std::optional<KindChoice> choice = parseKindChoice(kind);
    if (!choice) {
      getOperation().emitError("s2attn-materialize-schedule: unknown kind '")
          << kind << "'; expected auto, exact, grid or closed-form";
      return signalPassFailure();
    }
    SmallVector<AttentionOp> ops;
    getOperation().walk([&](AttentionOp op) { ops.push_back(op); });
    ArrayEmitter emitter(getOperation());
    for (auto [index, op] : llvm::enumerate(ops))
      if (failed(materialize(op, *choice, emitter, index)))
        return signalPassFailure();
  }

  /// Picks the schedule form of `op`, or fails with a diagnostic.
  FailureOr<ScheduleKind> chooseKind(AttentionOp op, KindChoice choice,
                                     bool isStatic) {
    PatternAttrInterface pattern = op.getPattern();
    bool bounded = isStatic || isa<BlockMaskAttr>(pattern);
    switch (choice) {
    case KindChoice::Auto:
      if (isStatic)
        return ScheduleKind::Exact;
      return hasClosedForm(pattern) ? ScheduleKind::ClosedForm
                                    : ScheduleKind::Grid;
    case KindChoice::Exact:
      if (isStatic)
        return ScheduleKind::Exact;
      return op.emitOpError("an exact schedule needs static lengths and "
                            "positions; use kind=auto, grid or closed-form");
    case KindChoice::Grid:
      if (bounded)
        return ScheduleKind::Grid;
      return op.emitOpError("a grid schedule needs a bounded block grid "
                            "(static shapes or a block_mask); use "
                            "kind=closed-form");
    case KindChoice::ClosedForm:
      if (hasClosedForm(pattern))
        return ScheduleKind::ClosedForm;
      return op.emitOpError("only local_stride and dense patterns have a "
                            "closed-form schedule; use kind=auto or grid");
    }
    return failure();
  }

  LogicalResult materialize(AttentionOp op, KindChoice choice,
                            ArrayEmitter &emitter, size_t opIndex) {
    auto plan = op->getAttrOfType<PlanAttr>("s2attn.plan");
    if (!plan)
      return op.emitOpError("has no s2attn.plan attribute; run s2attn-plan "
                            "first (or attach an #s2attn.plan)");
    int64_t block = op.getPattern().getBlockSize();
    if (plan.getKvTile() != block)
      return op.emitOpError("plan kv_tile = ")
             << plan.getKvTile() << " must equal the pattern's block (" << block
             << ")";

    std::optional<ref::ProblemShape> shape = op.getStaticProblemShape();
    std::optional<ref::Positions> positions = op.getStaticPositions();
    FailureOr<ScheduleKind> kind =
        chooseKind(op, choice, shape.has_value() && positions.has_value());
    if (failed(kind))
      return failure();

    PatternContext context = op.getPatternContext();
    std::unique_ptr<ref::BlockPattern> pattern =
        op.getPattern().buildReference(context);
    std::optional<ref::BlockSchedule> schedule;
    if (*kind == ScheduleKind::Exact) {
      schedule =
          ref::buildSchedule(*pattern, *shape, *positions, plan.getQTile());
      ref::shareRowsAcrossHeads(*schedule);
      if (static_cast<int64_t>(schedule->kvBlocks.size()) > maxExactEntries &&
          choice == KindChoice::Auto) {
        *kind = hasClosedForm(op.getPattern()) ? ScheduleKind::ClosedForm
                                               : ScheduleKind::Grid;
        schedule.reset();
      }
    }
    if (*kind == ScheduleKind::Grid) {
      // Every tile of the grid from position 0; the tile pass clips rows to
      // the problem at run time.
      int64_t qBlocks = 0, kvBlocks = 0;
      if (auto mask = dyn_cast<BlockMaskAttr>(op.getPattern())) {
        qBlocks = mask.getNumQBlocks();
        kvBlocks = mask.getNumKVBlocks();
      } else {
        qBlocks = *context.qBlocks;
        kvBlocks = *context.kvBlocks;
      }
      ref::ProblemShape gridShape;
      gridShape.qLen = qBlocks * block;
      gridShape.kvLen = kvBlocks * block;
      gridShape.heads = op.getNumHeads();
      gridShape.kvHeads = op.getNumKVHeads();
      gridShape.headDim = op.getHeadDim();
      ref::Positions gridPositions;
      gridPositions.qStart = 0;
      schedule = ref::buildSchedule(*pattern, gridShape, gridPositions,
                                    plan.getQTile());
      ref::shareRowsAcrossHeads(*schedule);
    }

    bool headsShareRows = schedule && schedule->headsShareRows;
    OpBuilder builder(op);
    Location loc = op.getLoc();
    SmallVector<Value> arrays;
    if (schedule) {
      std::optional<SmallVector<int32_t>> rowPtr = toI32(schedule->rowPtr);
      std::optional<SmallVector<int32_t>> kvBlocks = toI32(schedule->kvBlocks);
      std::optional<SmallVector<int32_t>> numUnmasked =
          toI32(schedule->numUnmasked);
      if (!rowPtr || !kvBlocks || !numUnmasked)
        return op.emitOpError("block schedule does not fit 32-bit indices (")
               << schedule->kvBlocks.size() << " entries)";
      bool onTensors = op.hasPureTensorSemantics();
      std::string prefix = "__s2attn_schedule" + std::to_string(opIndex) + "_";
      auto emit = [&](StringRef name, ArrayRef<int32_t> values) {
        arrays.push_back(
            emitter.emit(builder, loc, prefix + name.str(), values, onTensors));
      };
      emit("row_ptr", *rowPtr);
      emit("kv_blocks", *kvBlocks);
      emit("row_masks", masksToI32(schedule->rowMasks));
      if (*kind == ScheduleKind::Exact)
        emit("num_unmasked", *numUnmasked);
    }

    auto [qStart, kvStart] = resolvePositions(builder, op);
    auto scheduled = ScheduledAttentionOp::create(
        builder, loc, op.getResultTypes(), op.getQuery(), op.getKey(),
        op.getValue(), op.getOutput(), op.getLse(), qStart, kvStart, arrays,
        *kind, op.getPattern(), plan, op.getCausal(),
        llvm::APFloat(op.getScaleOrDefault()), headsShareRows);
    op.replaceAllUsesWith(scheduled.getResults());
    op.erase();
    return success();
  }
};

} // namespace
