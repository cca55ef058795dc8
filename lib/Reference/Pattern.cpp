//===- Pattern.cpp - S2 attention block patterns --------------------------===//
//
// The SPEC section 2 and 3 definitions, written to be read side by side with
// the SPEC rather than to be fast: every backend is judged against them.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Reference/Pattern.h"

#include <algorithm>
#include <cassert>

using namespace s2attn::ref;

namespace {

/// The mathematical modulo in [0, m): head offsets may be negative and
/// relative distances may come from negative (not-yet-existing) blocks.
int64_t positiveMod(int64_t value, int64_t modulus) {
  int64_t rest = value % modulus;
  return rest < 0 ? rest + modulus : rest;
}

bool isPowerOfTwo(int64_t value) {
  return value > 0 && (value & (value - 1)) == 0;
}

std::string str(int64_t value) { return std::to_string(value); }

/// -1 stands for "use the SPEC default"; anything else must be a real value.
bool isDefault(int64_t value) { return value == -1; }

std::optional<std::string> validateHeads(int64_t heads, int64_t kvHeads) {
  if (heads < 1)
    return "heads " + str(heads) + " must be >= 1";
  if (kvHeads < 1)
    return "KV heads " + str(kvHeads) + " must be >= 1";
  if (heads % kvHeads != 0)
    return "heads " + str(heads) + " must be a multiple of KV heads " +
           str(kvHeads) + " (each KV head serves heads / KV heads query heads)";
  return std::nullopt;
}

std::optional<std::string> validateWindows(const LocalStrideParams &params) {
  if (params.causal && params.localBlocks < 1)
    return "local blocks " + str(params.localBlocks) +
           " must be >= 1 when causal (the diagonal block must be attended)";
  if (params.localBlocks < 0)
    return "local blocks " + str(params.localBlocks) + " must be >= 0";
  if (params.rightBlocks < 0 && !isDefault(params.rightBlocks))
    return "right blocks " + str(params.rightBlocks) +
           " must be >= 0 (or -1 for the default: the local blocks)";
  return std::nullopt;
}

std::optional<std::string> validateStride(const LocalStrideParams &params) {
  if (params.vertStride < 1)
    return "vertical stride " + str(params.vertStride) +
           " must be >= 1 (1 means dense)";
  if (params.headStep < 1 && !isDefault(params.headStep))
    return "head step " + str(params.headStep) +
           " must be >= 1 (or -1 for the default max(1, vertical stride / "
           "heads))";
  return std::nullopt;
}

std::optional<std::string> validateDenseHeads(const LocalStrideParams &params,
                                              int64_t kvHeads) {
  if (params.numDenseHeads < 0 || params.numDenseHeads >= kvHeads)
    return "dense heads " + str(params.numDenseHeads) + " must be in [0, " +
           str(kvHeads - 1) + "] (fewer than the " + str(kvHeads) +
           " KV heads, counted in KV heads)";
  if (params.homoHead && params.numDenseHeads != 0)
    return "homo heads require dense heads 0 (got " +
           str(params.numDenseHeads) +
           "): every head shares head 0's sparse pattern";
  return std::nullopt;
}

} // namespace

int64_t Positions::resolvedQStart(const ProblemShape &shape,
                                  bool causal) const {
  if (qStart)
    return *qStart;
  // Causal prefill-with-cache and decoding align the queries bottom-right.
  return causal ? kvStart + shape.kvLen - shape.qLen : kvStart;
}

LocalStrideParams LocalStrideParams::resolved(int64_t heads) const {
  LocalStrideParams result = *this;
  if (isDefault(result.headStep))
    result.headStep =
        std::max<int64_t>(1, vertStride / std::max<int64_t>(1, heads));
  if (causal)
    result.rightBlocks = 1; // Only the diagonal block on the right.
  else if (isDefault(result.rightBlocks))
    result.rightBlocks = localBlocks;
  if (!result.vertPosition)
    result.vertPosition =
        causal ? VertPosition::Absolute : VertPosition::Relative;
  return result;
}

std::optional<std::string>
s2attn::ref::validate(const LocalStrideParams &params, int64_t heads,
                      int64_t kvHeads) {
  if (auto error = validateHeads(heads, kvHeads))
    return error;
  if (!isPowerOfTwo(params.blockSize) || params.blockSize < 16)
    return "block size " + str(params.blockSize) +
           " must be a power of two >= 16 (e.g. 32 or 64)";
  if (auto error = validateWindows(params))
    return error;
  if (auto error = validateStride(params))
    return error;
  return validateDenseHeads(params, kvHeads);
}

//===----------------------------------------------------------------------===//
// BlockPattern
//===----------------------------------------------------------------------===//

BlockPattern::~BlockPattern() = default;

bool BlockPattern::attendsToken(int64_t head, int64_t qPos, int64_t kvPos,
                                int64_t kvEnd) const {
  if (kvPos >= kvEnd || (causal() && kvPos > qPos))
    return false;
  int64_t block = blockSize();
  return attendsBlock(head, floorDiv(qPos, block), floorDiv(kvPos, block));
}

//===----------------------------------------------------------------------===//
// LocalStridePattern
//===----------------------------------------------------------------------===//

LocalStridePattern::LocalStridePattern(const LocalStrideParams &params,
                                       int64_t heads, int64_t kvHeads)
    : params(params.resolved(heads)), heads(heads), kvHeads(kvHeads) {
  assert(!validate(params, heads, kvHeads) && "invalid local-stride params");
}

bool LocalStridePattern::isDenseKVHead(int64_t kvHead) const {
  return kvHead >= kvHeads - params.numDenseHeads;
}

int64_t LocalStridePattern::verticalResidue(int64_t kvHead) const {
  int64_t patternHead = params.homoHead ? 0 : kvHead;
  // (bk + g * step + offset) mod V == 0  <=>  bk == -(g * step + offset).
  return positiveMod(-(patternHead * params.headStep + params.headOffset),
                     params.vertStride);
}

bool LocalStridePattern::local(int64_t qBlock, int64_t kvBlock) const {
  return qBlock - kvBlock < params.localBlocks &&
         kvBlock - qBlock < params.rightBlocks;
}

bool LocalStridePattern::vertical(int64_t kvHead, int64_t qBlock,
                                  int64_t kvBlock) const {
  if (isDenseKVHead(kvHead))
    return true;
  if (*params.vertPosition == VertPosition::Absolute)
    return positiveMod(kvBlock, params.vertStride) == verticalResidue(kvHead);
  // Relative: the stride counts from the edges of the local window.
  int64_t left =
      std::max<int64_t>(0, qBlock - kvBlock - params.localBlocks + 1);
  int64_t right =
      std::max<int64_t>(0, kvBlock - qBlock - params.rightBlocks + 1);
  return positiveMod(left + right, params.vertStride) == 0;
}

bool LocalStridePattern::attendsBlock(int64_t head, int64_t qBlock,
                                      int64_t kvBlock) const {
  if (params.causal && qBlock < kvBlock)
    return false;
  int64_t kvHead = head / (heads / kvHeads);
  return local(qBlock, kvBlock) || vertical(kvHead, qBlock, kvBlock);
}

int64_t LocalStridePattern::canonicalHead(int64_t head) const {
  if (params.vertStride == 1)
    return 0; // Every head is dense.
  int64_t groupSize = heads / kvHeads;
  int64_t kvHead = head / groupSize;
  if (isDenseKVHead(kvHead))
    return (kvHeads - params.numDenseHeads) * groupSize;
  // Relative vertical columns and homo heads do not depend on the head.
  if (params.homoHead || *params.vertPosition == VertPosition::Relative)
    return 0;
  // Absolute sparse heads differ only by their residue.
  int64_t residue = verticalResidue(kvHead);
  int64_t firstSame = 0;
  while (verticalResidue(firstSame) != residue)
    ++firstSame;
  return firstSame * groupSize;
}

//===----------------------------------------------------------------------===//
// BlockMaskPattern
//===----------------------------------------------------------------------===//

BlockMaskPattern::BlockMaskPattern(int64_t blockSize, bool causal,
                                   int64_t numMaskHeads, int64_t qBlocks,
                                   int64_t kvBlocks, std::vector<uint8_t> bits,
                                   int64_t heads, int64_t kvHeads)
    : block(blockSize), isCausal(causal), maskHeads(numMaskHeads),
      qBlocks(qBlocks), kvBlocks(kvBlocks), bits(std::move(bits)), heads(heads),
      kvHeads(kvHeads) {
  assert(
      (numMaskHeads == 1 || numMaskHeads == heads || numMaskHeads == kvHeads) &&
      "a mask carries 1, kvHeads or heads heads");
  assert(static_cast<int64_t>(this->bits.size()) ==
             numMaskHeads * qBlocks * kvBlocks &&
         "mask size must be numMaskHeads * qBlocks * kvBlocks");
}

MaskGranularity BlockMaskPattern::granularity() const {
  // heads == kvHeads makes the per-KV-head reading ambiguous; per query head
  // is the one that stays right if the head counts are later changed apart.
  if (maskHeads == heads)
    return MaskGranularity::PerQueryHead;
  if (maskHeads == 1)
    return MaskGranularity::Shared;
  return MaskGranularity::PerKVHead;
}

/// The mask head that holds query head `head`'s pattern.
static int64_t maskHeadOf(MaskGranularity granularity, int64_t head,
                          int64_t groupSize) {
  switch (granularity) {
  case MaskGranularity::Shared:
    return 0;
  case MaskGranularity::PerKVHead:
    return head / groupSize;
  case MaskGranularity::PerQueryHead:
    return head;
  }
  return 0;
}

bool BlockMaskPattern::attendsBlock(int64_t head, int64_t qBlock,
                                    int64_t kvBlock) const {
  if (isCausal && qBlock < kvBlock)
    return false;
  if (qBlock < 0 || qBlock >= qBlocks || kvBlock < 0 || kvBlock >= kvBlocks)
    return false;
  int64_t maskHead = maskHeadOf(granularity(), head, heads / kvHeads);
  size_t index =
      static_cast<size_t>((maskHead * qBlocks + qBlock) * kvBlocks + kvBlock);
  return index < bits.size() && bits[index] != 0;
}

int64_t BlockMaskPattern::canonicalHead(int64_t head) const {
  int64_t groupSize = heads / kvHeads;
  switch (granularity()) {
  case MaskGranularity::Shared:
    return 0;
  case MaskGranularity::PerKVHead:
    return (head / groupSize) * groupSize;
  case MaskGranularity::PerQueryHead:
    return head;
  }
  return head;
}
