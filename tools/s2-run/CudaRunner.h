//===- CudaRunner.h - s2-run --target cuda ----------------------*- C++ -*-===//

#ifndef S2RUN_CUDARUNNER_H
#define S2RUN_CUDARUNNER_H

#include "EntryPoint.h"

#include "s2attn/Conversion/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace s2run {

struct CudaRun {
  /// [batch, q_len, heads, head_dim] and [batch, heads, q_len] (empty
  /// without lse), widened to f32.
  std::vector<float> out, lse;
  /// Median over the timed launches (each followed by a synchronize); 0
  /// when none were asked for.
  double medianMs = 0;
  std::string kernelSummary;
};

/// Compiles the entry's attention for the GPU (`conversion`: the chip and
/// the planning choices), runs it on device
/// copies of q, k, v through the runtime library (libcuda loaded at first
/// use) and returns the outputs. Errors say what is missing: the CUDA
/// backend in this build, a driver, a GPU, a dtype the kernel serves.
llvm::Expected<CudaRun>
runOnCuda(mlir::ModuleOp module, const EntryProblem &problem,
          const std::vector<float> &q, const std::vector<float> &k,
          const std::vector<float> &v,
          const mlir::s2attn::ConvertS2AttnToGPUOptions &conversion,
          unsigned timedRuns);

} // namespace s2run

#endif // S2RUN_CUDARUNNER_H
