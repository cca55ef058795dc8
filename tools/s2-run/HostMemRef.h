//===- HostMemRef.h - host buffers the compiled code reads ------*- C++ -*-===//
//
// A tensor stored in its element type (f32, or f16/bf16 bits), with the
// memref descriptor (mlir/ExecutionEngine/CRunnerUtils.h) that the entry's C
// interface takes.
//
//===----------------------------------------------------------------------===//

#ifndef S2RUN_HOSTMEMREF_H
#define S2RUN_HOSTMEMREF_H

#include "s2attn/CAPI/Runner/FloatFormats.h"
#include "s2attn/CAPI/Runner/RowMajor.h"

#include "mlir/ExecutionEngine/CRunnerUtils.h"

#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace s2run {

template <int Rank> class HostMemRef {
public:
  HostMemRef(ElementType type, std::array<int64_t, Rank> shape)
      : type(type), shape(shape) {
    numElements = 1;
    for (int64_t dim : shape)
      numElements *= dim;
    // Cache-line alignment keeps vector loads of the compiled code from
    // straddling lines needlessly.
    storage.assign(numElements * elementTypeBytes(type) + kAlignment, 0);
    uint8_t *aligned = storage.data();
    aligned +=
        (kAlignment - reinterpret_cast<uintptr_t>(aligned) % kAlignment) %
        kAlignment;
    describeRowMajor(descriptor, reinterpret_cast<char *>(storage.data()),
                     reinterpret_cast<char *>(aligned), shape.data());
  }
  // The descriptor points into `storage`.
  HostMemRef(const HostMemRef &) = delete;
  HostMemRef &operator=(const HostMemRef &) = delete;

  /// Stores `values` (already representable in the element type).
  void store(llvm::ArrayRef<float> values) {
    char *data = descriptor.data;
    for (int64_t index = 0; index < numElements; ++index) {
      float value = values[index];
      switch (type) {
      case ElementType::F32:
        std::memcpy(data + 4 * index, &value, 4);
        break;
      case ElementType::F16:
        storeHalf(data, index, floatToF16(value));
        break;
      case ElementType::BF16:
        storeHalf(data, index, floatToBF16(value));
        break;
      }
    }
  }

  /// Fills the buffer with a NaN pattern, so that elements the compiled
  /// code forgets to write cannot pass a check.
  void poison() {
    std::vector<float> nans(numElements,
                            std::numeric_limits<float>::quiet_NaN());
    store(nans);
  }

  std::vector<float> load() const {
    const char *data = descriptor.data;
    std::vector<float> values(numElements);
    for (int64_t index = 0; index < numElements; ++index) {
      switch (type) {
      case ElementType::F32:
        std::memcpy(&values[index], data + 4 * index, 4);
        break;
      case ElementType::F16:
        values[index] = f16ToFloat(loadHalf(data, index));
        break;
      case ElementType::BF16:
        values[index] = bf16ToFloat(loadHalf(data, index));
        break;
      }
    }
    return values;
  }

  const std::array<int64_t, Rank> &getShape() const { return shape; }
  /// What the C interface takes for this argument.
  void *getDescriptor() { return &descriptor; }

private:
  static constexpr uintptr_t kAlignment = 64;

  static void storeHalf(char *data, int64_t index, uint16_t bits) {
    std::memcpy(data + 2 * index, &bits, 2);
  }
  static uint16_t loadHalf(const char *data, int64_t index) {
    uint16_t bits;
    std::memcpy(&bits, data + 2 * index, 2);
    return bits;
  }

  ElementType type;
  std::array<int64_t, Rank> shape;
  int64_t numElements;
  std::vector<uint8_t> storage;
  StridedMemRefType<char, Rank> descriptor;
};

} // namespace s2run

#endif // S2RUN_HOSTMEMREF_H
