//===- KernelArtifact.h - a compiled kernel for the runtime ----*- C++ -*-===//
//
// Compiles the one s2attn.attention of a module (static memrefs) into what
// the runtime loads: the cubin, kernel.json (docs/artifact-format.md),
// problem.txt (the problem for MLIR-free checkers) and, on request, PTX.
// s2-compile writes these files; s2-run --target cuda uses them in memory.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_CONVERSION_S2ATTNTOGPU_KERNELARTIFACT_H
#define S2ATTN_CONVERSION_S2ATTNTOGPU_KERNELARTIFACT_H

#include "s2attn/Conversion/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <array>
#include <string>

namespace mlir::s2attn {

struct KernelArtifact {
  std::string entry;
  std::array<int64_t, 3> grid{1, 1, 1};
  std::array<int64_t, 3> block{1, 1, 1};
  /// Thread block cluster the kernel was compiled for (.reqnctapercluster).
  std::array<int64_t, 3> cluster{1, 1, 1};
  int64_t dynamicSharedMemory = 0;
  /// ptxas's report of the kernel, at residentCTAs CTAs per SM.
  int64_t registers = 0;
  int64_t spillBytes = 0;
  int64_t residentCTAs = 0;
  /// The planner's occupancies that spilled and were given up:
  /// (CTAs per SM, spill store bytes), the planner's pick first.
  llvm::SmallVector<std::pair<int64_t, int64_t>, 2> spilledAt;
  std::string cubin;
  std::string ptx; ///< empty unless asked for
  std::string json;
  std::string problem;
};

struct KernelArtifactOptions {
  /// convert-s2attn-to-gpu's options: the chip and every planning choice.
  ConvertS2AttnToGPUOptions conversion;
  bool emitPtx = false;
};

/// Fails with a diagnostic on the op (or the module) when the module does not
/// hold exactly one attention the GPU backend can serve. Leaves `module` as
/// it was. When ptxas spills at the occupancy the planner picked, compiles
/// again for one CTA fewer per SM, down to one (a ctas-per-sm the options
/// fix is kept, with a warning).
FailureOr<KernelArtifact>
compileKernelArtifact(ModuleOp module, const KernelArtifactOptions &options);

} // namespace mlir::s2attn

#endif // S2ATTN_CONVERSION_S2ATTNTOGPU_KERNELARTIFACT_H
