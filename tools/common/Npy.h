//===- Npy.h - strict reader and writer of .npy files -----------*- C++ -*-===//
//
// Just enough of numpy's .npy format (versions 1.0 and 2.0) for the runner's
// inputs, masks and outputs: little-endian, C-ordered arrays of float32,
// float16, bfloat16 (what ml_dtypes writes: the void type '<V2'), bool and
// uint8. Anything else is rejected with a message that names the file.
//
//===----------------------------------------------------------------------===//

#ifndef S2RUN_NPY_H
#define S2RUN_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace s2run {

enum class NpyDType { Float32, Float16, BFloat16, Bool, UInt8 };

/// The numpy name of a dtype, for messages ("float32", "bool", ...).
llvm::StringRef npyDTypeName(NpyDType dtype);
int64_t npyDTypeBytes(NpyDType dtype);

struct NpyArray {
  NpyDType dtype = NpyDType::Float32;
  std::vector<int64_t> shape;
  /// The raw little-endian elements, C order.
  std::vector<uint8_t> data;

  int64_t numElements() const;
  /// Element `index` of a floating-point array as a float.
  float floatAt(int64_t index) const;
  /// Element `index` of a bool or uint8 array.
  uint8_t byteAt(int64_t index) const { return data[index]; }
};

/// "(2, 3)" like numpy prints shapes, for messages.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Parses the .npy bytes `contents`; `name` is used in messages only.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef contents,
                                  llvm::StringRef name);
llvm::Expected<NpyArray> readNpyFile(llvm::StringRef path);

/// Writes a float32 array in format version 1.0.
llvm::Error writeNpyFloat32(llvm::StringRef path, llvm::ArrayRef<int64_t> shape,
                            llvm::ArrayRef<float> values);
/// The bytes writeNpyFloat32 would write.
std::string serializeNpyFloat32(llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<float> values);

} // namespace s2run

#endif // S2RUN_NPY_H
