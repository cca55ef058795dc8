//===- SpillFreeCompile.h - kernels ptxas does not spill --------*- C++ -*-===//
//
// Whether a kernel fits the register cap its occupancy implies depends on
// the pattern, the GQA group, the block and the head dim in ways only ptxas
// knows (128 registers a thread at four CTAs an SM and head_dim 64; see
// docs/performance.md, ninth session). The GPU artifact (KernelArtifact.cpp)
// and convert-s2attn-to-gpu's fit-registers both compile a trial kernel,
// read ptxas's report, and ask for one CTA fewer per SM while it spills.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_SPILLFREECOMPILE_H
#define S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_SPILLFREECOMPILE_H

#include "s2attn/Conversion/Passes.h"
#include "s2attn/Conversion/S2AttnToGPU/Ptxas.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <utility>

namespace mlir::s2attn {

/// `module`'s attention ops compiled at one occupancy.
struct GpuCompilation {
  /// The module after convert-s2attn-to-gpu, before the NVVM lowering.
  OwningOpRef<ModuleOp> converted;
  std::string ptx;
  AssembledKernel assembled;
  /// The CTAs per SM the kernels were compiled for (nvvm.minctasm).
  int64_t residentCTAs = 0;
};

/// convert-s2attn-to-gpu for a trial compile at `ctasPerSM` CTAs per SM (0:
/// the planner's pick), without fit-registers of its own.
using TrialConversion = function_ref<std::unique_ptr<Pass>(int64_t ctasPerSM)>;

/// Converts a clone of `module` with `conversion`, lowers it to PTX for
/// `chip` and assembles it. Leaves `module` as it was.
FailureOr<GpuCompilation> compileForGpu(ModuleOp module, StringRef chip,
                                        std::unique_ptr<Pass> conversion);

struct SpillFreeCompilation {
  GpuCompilation kept;
  /// The occupancies given up: (CTAs per SM, spill store bytes), the
  /// planner's pick first.
  SmallVector<std::pair<int64_t, int64_t>, 2> spilledAt;
};

/// compileForGpu at `ctasPerSM` and, while ptxas spills, the occupancy was
/// the planner's own pick (`ctasPerSM` == 0) and one CTA fewer per SM would
/// give a thread more registers, again for one CTA fewer. A plan for fewer
/// CTAs that does not compile keeps the spilling kernel. What still spills
/// gets a warning at `module`.
FailureOr<SpillFreeCompilation>
compileWithoutSpills(ModuleOp module, StringRef chip, int64_t ctasPerSM,
                     TrialConversion conversion);

} // namespace mlir::s2attn

#endif // S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_SPILLFREECOMPILE_H
