//===- Inputs.cpp - the runner's input tensors and masks ------------------===//

#include "Inputs.h"

#include "Npy.h"

#include "llvm/Support/FormatVariadic.h"

using namespace s2run;
using llvm::StringRef;

namespace {

/// SplitMix64: tiny, fast and identical on every platform, unlike the
/// standard library's distributions.
uint64_t splitMix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

llvm::Error fileError(StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 path + ": " + message);
}

bool isFloatDType(NpyDType dtype) {
  return dtype == NpyDType::Float32 || dtype == NpyDType::Float16 ||
         dtype == NpyDType::BFloat16;
}

} // namespace

std::vector<float> s2run::randomValues(int64_t count, uint64_t seed,
                                       uint64_t stream, ElementType type) {
  uint64_t state = seed * 0x2545f4914f6cdd1dull + stream;
  std::vector<float> values(count);
  for (float &value : values) {
    // The top 24 bits give a float in [0, 1) exactly.
    float unit = static_cast<float>(splitMix64(state) >> 40) * 0x1p-24f;
    value = roundToElementType(2.0f * unit - 1.0f, type);
  }
  return values;
}

llvm::Expected<std::vector<float>>
s2run::loadTensor(StringRef path, StringRef what, llvm::ArrayRef<int64_t> shape,
                  ElementType type) {
  llvm::Expected<NpyArray> array = readNpyFile(path);
  if (!array)
    return array.takeError();
  std::string expected =
      llvm::formatv("{0} of shape {1} with dtype float32, float16 or bfloat16",
                    what, formatShape(shape))
          .str();
  if (!isFloatDType(array->dtype) ||
      llvm::ArrayRef<int64_t>(array->shape) != shape)
    return fileError(path, llvm::formatv("expected {0}, got shape {1} with "
                                         "dtype {2}",
                                         expected, formatShape(array->shape),
                                         npyDTypeName(array->dtype))
                               .str());
  std::vector<float> values(array->numElements());
  for (int64_t index = 0, end = values.size(); index < end; ++index)
    values[index] = roundToElementType(array->floatAt(index), type);
  return values;
}

llvm::Expected<BlockMask>
s2run::loadBlockMask(StringRef path, const MaskRequirements &required) {
  llvm::Expected<NpyArray> array = readNpyFile(path);
  if (!array)
    return array.takeError();
  std::string expected = llvm::formatv(
      "a bool or uint8 block mask of shape (H, Q, K) with H = 1, {0} "
      "(kv_heads) or {1} (heads), Q >= {2} query blocks and K >= {3} key "
      "blocks of {4} tokens",
      required.kvHeads, required.heads, required.qBlocks, required.kvBlocks,
      required.block);
  auto mismatch = [&] {
    return fileError(path, llvm::formatv("expected {0}; got shape {1} with "
                                         "dtype {2}",
                                         expected, formatShape(array->shape),
                                         npyDTypeName(array->dtype))
                               .str());
  };
  if (array->dtype != NpyDType::Bool && array->dtype != NpyDType::UInt8)
    return mismatch();
  if (array->shape.size() != 3)
    return mismatch();
  int64_t maskHeads = array->shape[0];
  if (maskHeads != 1 && maskHeads != required.kvHeads &&
      maskHeads != required.heads)
    return mismatch();
  if (array->shape[1] < required.qBlocks || array->shape[2] < required.kvBlocks)
    return mismatch();

  BlockMask mask;
  mask.block = required.block;
  mask.maskHeads = maskHeads;
  mask.qBlocks = array->shape[1];
  mask.kvBlocks = array->shape[2];
  mask.bits.reserve(array->data.size());
  for (uint8_t byte : array->data)
    mask.bits.push_back(byte != 0);
  return mask;
}
