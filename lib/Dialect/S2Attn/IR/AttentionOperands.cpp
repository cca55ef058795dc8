//===- AttentionOperands.cpp - rules shared by the attention ops ----------===//

#include "AttentionOperands.h"

#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::s2attn;

bool mlir::s2attn::dimsConflict(int64_t lhs, int64_t rhs) {
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

LogicalResult mlir::s2attn::verifyAttentionOperands(Operation *op, Value query,
                                                   Value key, Value value,
                                                   Value output, Value lse,
                                                   ValueRange results) {
  auto shapedOperands = {query, key, value, output};
  bool onTensors = isa<RankedTensorType>(query.getType());
  for (Value operand : shapedOperands)
    if (isa<RankedTensorType>(operand.getType()) != onTensors)
      return op->emitOpError("operands must be all tensors or all memrefs, got ")
             << query.getType() << " query and " << operand.getType();
  if (lse && isa<RankedTensorType>(lse.getType()) != onTensors)
    return op->emitOpError("lse must be a ")
           << (onTensors ? "tensor" : "memref") << " like the other operands";

  static const char *names[] = {"query", "key", "value", "output"};
  static const char *layouts[] = {"[batch, q_len, heads, head_dim]",
                                  "[batch, kv_len, kv_heads, head_dim]",
                                  "[batch, kv_len, kv_heads, head_dim]",
                                  "[batch, q_len, heads, head_dim]"};
  for (auto [index, operand] : llvm::enumerate(shapedOperands)) {
    auto type = cast<ShapedType>(operand.getType());
    if (type.getRank() != 4)
      return op->emitOpError() << names[index] << " must have rank 4 "
                           << layouts[index] << ", got " << type;
  }

  Type elementType = cast<ShapedType>(query.getType()).getElementType();
  if (!isSupportedElementType(elementType))
    return op->emitOpError("element type must be f16, bf16 or f32, got ")
           << elementType;
  for (auto [index, operand] : llvm::enumerate(shapedOperands))
    if (cast<ShapedType>(operand.getType()).getElementType() != elementType)
      return op->emitOpError() << names[index] << " element type "
                           << cast<ShapedType>(operand.getType())
                                  .getElementType()
                           << " must match the query's " << elementType;

  auto queryType = cast<ShapedType>(query.getType());
  auto keyType = cast<ShapedType>(key.getType());
  auto valueType = cast<ShapedType>(value.getType());
  auto outputType = cast<ShapedType>(output.getType());
  if (queryType.isDynamicDim(2) || keyType.isDynamicDim(2) ||
      queryType.isDynamicDim(3))
    return op->emitOpError("heads, kv_heads and head_dim must be static, got ")
           << queryType << " query and " << keyType << " key";
  if (shapesConflict(keyType.getShape(), valueType.getShape()))
    return op->emitOpError("value shape ")
           << valueType << " must match the key shape " << keyType
           << " [batch, kv_len, kv_heads, head_dim]";
  if (shapesConflict(outputType.getShape(), queryType.getShape()))
    return op->emitOpError("output shape ")
           << outputType << " must match the query shape " << queryType
           << " [batch, q_len, heads, head_dim]";
  if (dimsConflict(keyType.getDimSize(0), queryType.getDimSize(0)))
    return op->emitOpError("key batch ")
           << keyType.getDimSize(0) << " must match the query batch "
           << queryType.getDimSize(0);
  if (dimsConflict(keyType.getDimSize(3), queryType.getDimSize(3)))
    return op->emitOpError("key head_dim ")
           << keyType.getDimSize(3) << " must match the query head_dim "
           << queryType.getDimSize(3);
  int64_t heads = queryType.getDimSize(2), kvHeads = keyType.getDimSize(2);
  if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0)
    return op->emitOpError("heads (")
           << heads << ") must be a positive multiple of kv_heads (" << kvHeads
           << ") so that each KV head serves the same number of query heads";
  if (queryType.getDimSize(3) < 1)
    return op->emitOpError("head_dim must be >= 1, got ")
           << queryType.getDimSize(3);

  if (lse) {
    auto lseType = cast<ShapedType>(lse.getType());
    SmallVector<int64_t> expected = {queryType.getDimSize(0), heads,
                                     queryType.getDimSize(1)};
    if (lseType.getRank() != 3 ||
        shapesConflict(lseType.getShape(), expected) ||
        !lseType.getElementType().isF32())
      return op->emitOpError("lse must be f32 [batch, heads, q_len] = [")
             << expected[0] << ", " << expected[1] << ", " << expected[2]
             << "] (? for dynamic), got " << lseType;
  }

  if (onTensors) {
    SmallVector<Type> expected = {outputType};
    if (lse)
      expected.push_back(lse.getType());
    if (TypeRange(results) != TypeRange(expected))
      return op->emitOpError("on tensors the results must be the output")
             << (lse ? " and lse" : "") << " types, in that order";
  } else if (!results.empty()) {
    return op->emitOpError("on memrefs the op writes its outputs and has no "
                       "results, got ")
           << results.size();
  }

  return success();
}

void mlir::s2attn::addDestinationStyleEffects(
    Operation *op,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  auto dps = cast<DestinationStyleOpInterface>(op);
  if (dps.hasPureTensorSemantics())
    return;
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (dps.isDpsInit(&operand))
      effects.emplace_back(MemoryEffects::Write::get(), &operand);
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand);
  }
}
