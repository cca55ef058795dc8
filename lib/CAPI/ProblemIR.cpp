//===- ProblemIR.cpp - the runner's problem as s2attn IR ------------------===//

#include "s2attn/CAPI/Runner/ProblemIR.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"

#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"

using namespace mlir;
using namespace s2run;

namespace attn = mlir::s2attn;

namespace ref = ::s2attn::ref;

namespace {

Type buildElementType(Builder &builder, ElementType type) {
  switch (type) {
  case ElementType::F32:
    return builder.getF32Type();
  case ElementType::F16:
    return builder.getF16Type();
  case ElementType::BF16:
    return builder.getBF16Type();
  }
  return builder.getF32Type();
}

/// q, k, v, out and (unless the problem leaves it out) lse memref types, in
/// the order of @s2attn_main's arguments.
SmallVector<Type> buildArgumentTypes(Builder &builder,
                                     const ProblemDescription &problem) {
  const ref::ProblemShape &shape = problem.shape;
  Type element = buildElementType(builder, problem.elementType);
  auto queryType = MemRefType::get(
      {shape.batch, shape.qLen, shape.heads, shape.headDim}, element);
  auto keyType = MemRefType::get(
      {shape.batch, shape.kvLen, shape.kvHeads, shape.headDim}, element);
  SmallVector<Type> types = {queryType, keyType, keyType, queryType};
  if (problem.lse)
    types.push_back(MemRefType::get({shape.batch, shape.heads, shape.qLen},
                                    builder.getF32Type()));
  return types;
}

attn::VertPosition toDialect(ref::VertPosition vert) {
  return vert == ref::VertPosition::Absolute ? attn::VertPosition::Absolute
                                             : attn::VertPosition::Relative;
}

/// Builds the pattern attribute with getChecked, so that invalid parameters
/// are reported as diagnostics instead of producing a broken attribute.
attn::PatternAttrInterface buildPattern(MLIRContext &context, Location loc,
                                        const PatternChoice &choice) {
  auto emitLocError = [&] { return emitError(loc); };
  if (const auto *dense = std::get_if<DensePatternChoice>(&choice))
    return attn::DenseAttr::getChecked(emitLocError, &context, dense->block);

  if (const auto *localStride = std::get_if<LocalStrideChoice>(&choice)) {
    std::optional<attn::VertPosition> vert;
    if (localStride->vert)
      vert = toDialect(*localStride->vert);
    return attn::LocalStrideAttr::getChecked(
        emitLocError, &context, localStride->block, localStride->local,
        localStride->right, localStride->stride, localStride->headStep,
        localStride->headOffset, localStride->denseHeads, localStride->homoHead,
        vert);
  }

  const auto &mask = std::get<BlockMask>(choice);
  auto maskType =
      RankedTensorType::get({mask.maskHeads, mask.qBlocks, mask.kvBlocks},
                            IntegerType::get(&context, 1));
  SmallVector<bool> bits(mask.bits.begin(), mask.bits.end());
  auto maskAttr =
      cast<DenseIntElementsAttr>(DenseElementsAttr::get(maskType, bits));
  return attn::BlockMaskAttr::getChecked(emitLocError, &context, mask.block,
                                         maskAttr);
}

} // namespace

OwningOpRef<ModuleOp>
s2run::buildProblemModule(MLIRContext &context,
                          const ProblemDescription &problem) {
  context.loadDialect<func::FuncDialect, attn::S2AttnDialect>();
  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();

  attn::PatternAttrInterface pattern =
      buildPattern(context, loc, problem.pattern);
  if (!pattern)
    return nullptr;

  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  auto function = func::FuncOp::create(
      builder, loc, kDefaultEntry,
      builder.getFunctionType(buildArgumentTypes(builder, problem), {}));
  // The pipeline emits a `_mlir_ciface_` wrapper that takes memref
  // descriptors by pointer, which is what the runner calls.
  function->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
  Block *body = function.addEntryBlock();
  builder.setInsertionPointToStart(body);

  FloatAttr scale;
  if (problem.scale)
    scale = builder.getF64FloatAttr(*problem.scale);
  IntegerAttr qStart, kvStart;
  if (problem.qStart)
    qStart = builder.getI64IntegerAttr(*problem.qStart);
  if (problem.kvStart)
    kvStart = builder.getI64IntegerAttr(*problem.kvStart);
  attn::AttentionOp::create(builder, loc, TypeRange(), body->getArgument(0),
                            body->getArgument(1), body->getArgument(2),
                            body->getArgument(3),
                            problem.lse ? body->getArgument(4) : Value(),
                            /*q_start=*/Value(), /*kv_start=*/Value(), pattern,
                            problem.causal, scale, qStart, kvStart);
  func::ReturnOp::create(builder, loc);

  if (failed(verify(*module)))
    return nullptr;
  return module;
}
