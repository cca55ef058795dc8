//===- S2AttnOps.cpp - s2attn operations ----------------------------------===//

#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"
#include "s2attn/Reference/Schedule.h"

#include <cmath>

using namespace mlir;
using namespace mlir::s2attn;

namespace ref = ::s2attn::ref;

//===----------------------------------------------------------------------===//
// Custom directive: a position given as `%value` or as an integer
//===----------------------------------------------------------------------===//

static ParseResult
parsePosition(OpAsmParser &parser,
              std::optional<OpAsmParser::UnresolvedOperand> &dynamicValue,
              IntegerAttr &staticValue) {
  OpAsmParser::UnresolvedOperand operand;
  OptionalParseResult parsedOperand = parser.parseOptionalOperand(operand);
  if (parsedOperand.has_value()) {
    if (failed(*parsedOperand))
      return failure();
    dynamicValue = operand;
    return success();
  }
  int64_t value = 0;
  if (parser.parseInteger(value))
    return failure();
  staticValue = parser.getBuilder().getI64IntegerAttr(value);
  return success();
}

static void printPosition(OpAsmPrinter &printer, Operation *op,
                          Value dynamicValue, IntegerAttr staticValue) {
  if (dynamicValue)
    printer << dynamicValue;
  else
    printer << staticValue.getInt();
}

//===----------------------------------------------------------------------===//
// Custom directive: any attribute implementing PatternAttrInterface
//===----------------------------------------------------------------------===//

static ParseResult parsePattern(OpAsmParser &parser,
                                PatternAttrInterface &pattern) {
  SMLoc loc = parser.getCurrentLocation();
  Attribute attr;
  if (parser.parseAttribute(attr))
    return failure();
  pattern = dyn_cast<PatternAttrInterface>(attr);
  if (!pattern)
    return parser.emitError(loc, "expected a pattern attribute "
                                 "(#s2attn.local_stride, #s2attn.block_mask "
                                 "or #s2attn.dense), got ")
           << attr;
  return success();
}

static void printPattern(OpAsmPrinter &printer, Operation *op,
                         PatternAttrInterface pattern) {
  printer.printAttribute(pattern);
}

#define GET_OP_CLASSES
#include "s2attn/Dialect/S2Attn/IR/S2AttnOps.cpp.inc"

//===----------------------------------------------------------------------===//
// AttentionOp helpers
//===----------------------------------------------------------------------===//

double AttentionOp::getScaleOrDefault() {
  if (FloatAttr scale = getScaleAttr())
    return scale.getValueAsDouble();
  return 1.0 / std::sqrt(static_cast<double>(getHeadDim()));
}

std::optional<ref::ProblemShape> AttentionOp::getStaticProblemShape() {
  if (!getQueryType().hasStaticShape() || !getKeyType().hasStaticShape())
    return std::nullopt;
  ref::ProblemShape shape;
  shape.batch = getBatch();
  shape.qLen = getQLen();
  shape.kvLen = getKVLen();
  shape.heads = getNumHeads();
  shape.kvHeads = getNumKVHeads();
  shape.headDim = getHeadDim();
  return shape;
}

std::optional<ref::Positions> AttentionOp::getStaticPositions() {
  if (getQStart() || getKvStart())
    return std::nullopt;
  ref::Positions positions;
  if (std::optional<int64_t> qStart = getStaticQStart())
    positions.qStart = *qStart;
  positions.kvStart = getStaticKvStart().value_or(0);
  return positions;
}

PatternContext AttentionOp::getPatternContext() {
  PatternContext context;
  context.heads = getNumHeads();
  context.kvHeads = getNumKVHeads();
  context.causal = getCausal();
  std::optional<ref::ProblemShape> shape = getStaticProblemShape();
  std::optional<ref::Positions> positions = getStaticPositions();
  if (!shape || !positions)
    return context;
  int64_t block = getPattern().getBlockSize();
  int64_t qEnd = positions->resolvedQStart(*shape, context.causal) + shape->qLen;
  int64_t kvEnd = positions->kvStart + shape->kvLen;
  context.qBlocks = qEnd > 0 ? ref::ceilDiv(qEnd, block) : 0;
  context.kvBlocks = ref::ceilDiv(kvEnd, block);
  return context;
}

void AttentionOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  if (hasPureTensorSemantics())
    return;
  for (OpOperand &operand : getOperation()->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (isDpsInit(&operand))
      effects.emplace_back(MemoryEffects::Write::get(), &operand);
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand);
  }
}

//===----------------------------------------------------------------------===//
// AttentionOp verifier
//===----------------------------------------------------------------------===//

static bool dimsConflict(int64_t lhs, int64_t rhs) {
  return !ShapedType::isDynamic(lhs) && !ShapedType::isDynamic(rhs) &&
         lhs != rhs;
}

static bool shapesConflict(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  for (auto [l, r] : llvm::zip_equal(lhs, rhs))
    if (dimsConflict(l, r))
      return true;
  return false;
}

static bool isSupportedElementType(Type type) {
  return type.isF16() || type.isBF16() || type.isF32();
}

LogicalResult AttentionOp::verify() {
  auto shapedOperands = {getQuery(), getKey(), getValue(), getOutput()};
  bool onTensors = hasPureTensorSemantics();
  for (Value operand : shapedOperands)
    if (isa<RankedTensorType>(operand.getType()) != onTensors)
      return emitOpError("operands must be all tensors or all memrefs, got ")
             << getQuery().getType() << " query and " << operand.getType();
  if (getLse() && isa<RankedTensorType>(getLse().getType()) != onTensors)
    return emitOpError("lse must be a ")
           << (onTensors ? "tensor" : "memref") << " like the other operands";

  static const char *names[] = {"query", "key", "value", "output"};
  static const char *layouts[] = {"[batch, q_len, heads, head_dim]",
                                  "[batch, kv_len, kv_heads, head_dim]",
                                  "[batch, kv_len, kv_heads, head_dim]",
                                  "[batch, q_len, heads, head_dim]"};
  for (auto [index, operand] : llvm::enumerate(shapedOperands)) {
    auto type = cast<ShapedType>(operand.getType());
    if (type.getRank() != 4)
      return emitOpError() << names[index] << " must have rank 4 "
                           << layouts[index] << ", got " << type;
  }

  Type elementType = getQueryType().getElementType();
  if (!isSupportedElementType(elementType))
    return emitOpError("element type must be f16, bf16 or f32, got ")
           << elementType;
  for (auto [index, operand] : llvm::enumerate(shapedOperands))
    if (cast<ShapedType>(operand.getType()).getElementType() != elementType)
      return emitOpError() << names[index] << " element type "
                           << cast<ShapedType>(operand.getType())
                                  .getElementType()
                           << " must match the query's " << elementType;

  ShapedType queryType = getQueryType(), keyType = getKeyType();
  auto valueType = cast<ShapedType>(getValue().getType());
  auto outputType = cast<ShapedType>(getOutput().getType());
  if (queryType.isDynamicDim(2) || keyType.isDynamicDim(2) ||
      queryType.isDynamicDim(3))
    return emitOpError("heads, kv_heads and head_dim must be static, got ")
           << queryType << " query and " << keyType << " key";
  if (shapesConflict(keyType.getShape(), valueType.getShape()))
    return emitOpError("value shape ")
           << valueType << " must match the key shape " << keyType
           << " [batch, kv_len, kv_heads, head_dim]";
  if (shapesConflict(outputType.getShape(), queryType.getShape()))
    return emitOpError("output shape ")
           << outputType << " must match the query shape " << queryType
           << " [batch, q_len, heads, head_dim]";
  if (dimsConflict(keyType.getDimSize(0), queryType.getDimSize(0)))
    return emitOpError("key batch ")
           << keyType.getDimSize(0) << " must match the query batch "
           << queryType.getDimSize(0);
  if (dimsConflict(keyType.getDimSize(3), queryType.getDimSize(3)))
    return emitOpError("key head_dim ")
           << keyType.getDimSize(3) << " must match the query head_dim "
           << queryType.getDimSize(3);
  int64_t heads = getNumHeads(), kvHeads = getNumKVHeads();
  if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0)
    return emitOpError("heads (")
           << heads << ") must be a positive multiple of kv_heads (" << kvHeads
           << ") so that each KV head serves the same number of query heads";
  if (getHeadDim() < 1)
    return emitOpError("head_dim must be >= 1, got ") << getHeadDim();

  if (Value lse = getLse()) {
    auto lseType = cast<ShapedType>(lse.getType());
    SmallVector<int64_t> expected = {queryType.getDimSize(0), heads,
                                     queryType.getDimSize(1)};
    if (lseType.getRank() != 3 ||
        shapesConflict(lseType.getShape(), expected) ||
        !lseType.getElementType().isF32())
      return emitOpError("lse must be f32 [batch, heads, q_len] = [")
             << expected[0] << ", " << expected[1] << ", " << expected[2]
             << "] (? for dynamic), got " << lseType;
  }

  if (onTensors) {
    SmallVector<Type> expected = {outputType};
    if (getLse())
      expected.push_back(getLse().getType());
    if (TypeRange(getResults()) != TypeRange(expected))
      return emitOpError("on tensors the results must be the output")
             << (getLse() ? " and lse" : "") << " types, in that order";
  } else if (!getResults().empty()) {
    return emitOpError("on memrefs the op writes its outputs and has no "
                       "results, got ")
           << getResults().size();
  }

  if (FloatAttr scaleAttr = getScaleAttr()) {
    double scale = scaleAttr.getValueAsDouble();
    if (!(scale > 0.0) || !std::isfinite(scale))
      return emitOpError("scale must be positive and finite, got ")
             << scale << " (omit it for 1/sqrt(head_dim))";
  }
  if (std::optional<int64_t> kvStart = getStaticKvStart(); kvStart && *kvStart < 0)
    return emitOpError("kv_start must be >= 0, got ") << *kvStart;
  if (std::optional<int64_t> qStart = getStaticQStart(); qStart && *qStart < 0)
    return emitOpError("q_start must be >= 0, got ") << *qStart;

  PatternContext context = getPatternContext();
  if (failed(getPattern().verifyForProblem(
          [&] { return emitOpError(); }, context)))
    return failure();
  return verifyEveryRowAttends();
}

LogicalResult AttentionOp::verifyEveryRowAttends() {
  std::optional<ref::ProblemShape> shape = getStaticProblemShape();
  std::optional<ref::Positions> positions = getStaticPositions();
  if (!shape || !positions)
    return success();
  PatternContext context = getPatternContext();
  std::unique_ptr<ref::BlockPattern> pattern =
      getPattern().buildReference(context);
  std::optional<ref::EmptyRow> empty =
      ref::findEmptyRow(*pattern, *shape, *positions);
  if (!empty)
    return success();
  int64_t qStart = positions->resolvedQStart(*shape, context.causal);
  int64_t row = empty->qPos - qStart;
  if (context.causal && empty->qPos < positions->kvStart) {
    InFlightDiagnostic diag = emitOpError("query row ")
                              << row << " (position " << empty->qPos
                              << ") precedes every key (kv_start = "
                              << positions->kvStart << ") and attends none";
    if (!positions->qStart)
      diag << "; q_len (" << shape->qLen << ") > kv_len (" << shape->kvLen
           << ") makes the default bottom-right q_start = kv_len - q_len = "
           << qStart << ": give q_start >= kv_start or kv_len >= q_len";
    return diag;
  }
  int64_t block = pattern->blockSize();
  return emitOpError("query head ")
         << empty->head << ", row " << row << " (position " << empty->qPos
         << ", block " << ref::floorDiv(empty->qPos, block)
         << ") attends no key under this pattern; every query row must "
            "attend at least one key (e.g. local >= 1, or a mask with its "
            "diagonal set)";
}
