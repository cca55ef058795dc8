//===- ArtifactWriter.h - kernel.json for a compiled attention --*- C++ -*-===//

#ifndef S2ATTN_TOOLS_S2COMPILE_ARTIFACTWRITER_H
#define S2ATTN_TOOLS_S2COMPILE_ARTIFACTWRITER_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <array>
#include <cstdint>
#include <string>

namespace s2compile {

struct TensorDescription {
  std::string name;
  std::string dtype;
  llvm::SmallVector<int64_t, 4> shape;
  bool written = false;
};

/// What the runtime needs to launch one compiled kernel (docs/artifact-format.md).
struct KernelDescription {
  std::string entry;
  std::string target;
  std::array<int64_t, 3> grid{1, 1, 1};
  std::array<int64_t, 3> block{1, 1, 1};
  int64_t dynamicSharedMemory = 0;
  llvm::SmallVector<TensorDescription, 5> tensors;
  /// Free-form facts about the problem (pattern, positions) for humans.
  std::string info;
};

std::string toJson(const KernelDescription &kernel);

} // namespace s2compile

#endif // S2ATTN_TOOLS_S2COMPILE_ARTIFACTWRITER_H
