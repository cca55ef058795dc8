//===- S2AttnAttrs.cpp - s2attn pattern attributes ------------------------===//

#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::s2attn;

namespace ref = ::s2attn::ref;

static LogicalResult
verifyBlockSize(function_ref<InFlightDiagnostic()> emitError, int64_t block) {
  if (block >= 16 && llvm::isPowerOf2_64(block))
    return success();
  return emitError() << "block size " << block
                     << " must be a power of two >= 16 (e.g. 16, 32, 64 "
                        "or 128)";
}

//===----------------------------------------------------------------------===//
// LocalStrideAttr
//===----------------------------------------------------------------------===//

LogicalResult LocalStrideAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, int64_t block, int64_t local,
    std::optional<int64_t> right, int64_t stride,
    std::optional<int64_t> headStep, int64_t headOffset, int64_t denseHeads,
    bool homoHead, std::optional<VertPosition> vert) {
  if (failed(verifyBlockSize(emitError, block)))
    return failure();
  if (local < 0)
    return emitError() << "local = " << local
                       << " must be >= 0 (>= 1 for causal attention)";
  if (right && *right < 0)
    return emitError() << "right = " << *right << " must be >= 0";
  if (stride < 1)
    return emitError() << "stride = " << stride
                       << " must be >= 1 (1 means every block is vertical, "
                          "i.e. dense)";
  if (headStep && *headStep < 1)
    return emitError() << "head_step = " << *headStep
                       << " must be >= 1 (omit it for max(1, stride / "
                          "heads))";
  if (denseHeads < 0)
    return emitError() << "dense_heads = " << denseHeads << " must be >= 0";
  if (homoHead && denseHeads > 0)
    return emitError() << "homo_head = true gives every head head 0's "
                          "pattern, so dense_heads must be 0 (got "
                       << denseHeads << ")";
  return success();
}

ref::LocalStrideParams LocalStrideAttr::toParams(bool causal) const {
  ref::LocalStrideParams params;
  params.blockSize = getBlock();
  params.localBlocks = getLocal();
  params.rightBlocks = getRight().value_or(-1);
  params.vertStride = getStride();
  params.headStep = getHeadStep().value_or(-1);
  params.headOffset = getHeadOffset();
  params.numDenseHeads = getDenseHeads();
  params.homoHead = getHomoHead();
  params.causal = causal;
  if (std::optional<VertPosition> vert = getVert())
    params.vertPosition = *vert == VertPosition::Absolute
                              ? ref::VertPosition::Absolute
                              : ref::VertPosition::Relative;
  return params;
}

int64_t LocalStrideAttr::getBlockSize() const { return getBlock(); }

LogicalResult LocalStrideAttr::verifyForProblem(
    function_ref<InFlightDiagnostic()> emitError,
    const PatternContext &context) const {
  if (std::optional<std::string> problem = ref::validate(
          toParams(context.causal), context.heads, context.kvHeads))
    return emitError() << "invalid local_stride pattern: " << *problem;
  return success();
}

std::unique_ptr<ref::BlockPattern>
LocalStrideAttr::buildReference(const PatternContext &context) const {
  return std::make_unique<ref::LocalStridePattern>(
      toParams(context.causal), context.heads, context.kvHeads);
}

//===----------------------------------------------------------------------===//
// BlockMaskAttr
//===----------------------------------------------------------------------===//

LogicalResult
BlockMaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      int64_t block, DenseIntElementsAttr mask) {
  if (failed(verifyBlockSize(emitError, block)))
    return failure();
  ShapedType type = mask.getType();
  if (!type.getElementType().isInteger(1) || type.getRank() != 3)
    return emitError() << "mask must be a tensor<HxQxKxi1> of [heads or 1, "
                          "q_blocks, kv_blocks], got "
                       << type;
  if (llvm::any_of(type.getShape(), [](int64_t d) { return d < 1; }))
    return emitError() << "mask dimensions must be >= 1, got " << type;
  // Passes expand the mask to one byte per block; beyond this a larger block
  // size is the way to describe the pattern.
  constexpr int64_t kMaxMaskBlocks = int64_t(1) << 28;
  if (type.getNumElements() > kMaxMaskBlocks)
    return emitError() << "mask " << type << " has " << type.getNumElements()
                       << " blocks; at most " << kMaxMaskBlocks
                       << " are supported (use a larger block size)";
  return success();
}

int64_t BlockMaskAttr::getBlockSize() const { return getBlock(); }

LogicalResult BlockMaskAttr::verifyForProblem(
    function_ref<InFlightDiagnostic()> emitError,
    const PatternContext &context) const {
  int64_t maskHeads = getNumMaskHeads();
  if (maskHeads != 1 && maskHeads != context.kvHeads &&
      maskHeads != context.heads)
    return emitError() << "block_mask has " << maskHeads
                       << " heads; expected 1 (shared), " << context.kvHeads
                       << " (one per KV head) or " << context.heads
                       << " (one per query head)";
  if (context.qBlocks && getNumQBlocks() < *context.qBlocks)
    return emitError() << "block_mask has " << getNumQBlocks()
                       << " query blocks but the problem reaches "
                       << *context.qBlocks << " (last query position / block "
                       << getBlock() << ", rounded up); give at least "
                       << *context.qBlocks << " rows";
  if (context.kvBlocks && getNumKVBlocks() < *context.kvBlocks)
    return emitError() << "block_mask has " << getNumKVBlocks()
                       << " key blocks but the problem reaches "
                       << *context.kvBlocks << " (last key position / block "
                       << getBlock() << ", rounded up); give at least "
                       << *context.kvBlocks << " columns";
  return success();
}

std::unique_ptr<ref::BlockPattern>
BlockMaskAttr::buildReference(const PatternContext &context) const {
  std::vector<uint8_t> bits;
  bits.reserve(getMask().getNumElements());
  for (bool bit : getMask().getValues<bool>())
    bits.push_back(bit);
  return std::make_unique<ref::BlockMaskPattern>(
      getBlock(), context.causal, getNumMaskHeads(), getNumQBlocks(),
      getNumKVBlocks(), std::move(bits), context.heads, context.kvHeads);
}

//===----------------------------------------------------------------------===//
// DenseAttr
//===----------------------------------------------------------------------===//

LogicalResult DenseAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t block) {
  return verifyBlockSize(emitError, block);
}

int64_t DenseAttr::getBlockSize() const { return getBlock(); }

LogicalResult
DenseAttr::verifyForProblem(function_ref<InFlightDiagnostic()> emitError,
                            const PatternContext &context) const {
  return success();
}

std::unique_ptr<ref::BlockPattern>
DenseAttr::buildReference(const PatternContext &context) const {
  return std::make_unique<ref::DensePattern>(getBlock(), context.causal);
}
