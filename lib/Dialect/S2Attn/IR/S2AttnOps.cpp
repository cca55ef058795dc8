//===- S2AttnOps.cpp - s2attn operations ----------------------------------===//

#include "AttentionOperands.h"
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
  addDestinationStyleEffects(*this, effects);
}

//===----------------------------------------------------------------------===//
// AttentionOp verifier
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  if (failed(verifyAttentionOperands(*this, getQuery(), getKey(), getValue(),
                                     getOutput(), getLse(), getResults())))
    return failure();

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
