//===- Pipelines.h - s2attn pass pipelines ----------------------*- C++ -*-===//
//
// Named pipelines from s2attn.attention down to the LLVM dialect, registered
// like upstream's gpu-lower-to-nvvm-pipeline so that
// `s2-opt --s2attn-lower-to-cpu="num-threads=8"` and C++ drivers (s2-run,
// s2-compile) build the same pass list.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_TRANSFORMS_PIPELINES_H
#define S2ATTN_TRANSFORMS_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace mlir::s2attn {

struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  PassOptions::Option<unsigned> numThreads{
      *this, "num-threads",
      llvm::cl::desc("OpenMP threads of the parallel loop (0: the OpenMP "
                     "default, i.e. every core or OMP_NUM_THREADS)"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run the (batch, head, query tile) loop with OpenMP; "
                     "when false the code is sequential and needs no libomp"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> target{
      *this, "target", llvm::cl::desc("Target model s2attn-plan reads (cpu)"),
      llvm::cl::init("cpu")};
  PassOptions::Option<std::string> scheduleKind{
      *this, "schedule",
      llvm::cl::desc("Schedule form: auto, exact, grid or closed-form"),
      llvm::cl::init("auto")};
  PassOptions::Option<bool> deallocate{
      *this, "buffer-deallocation",
      llvm::cl::desc("Free the buffers bufferization allocates (ownership-"
                     "based deallocation; the input must not free memrefs "
                     "itself)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> mergeQ{
      *this, "merge-q", llvm::cl::desc("Allow Merge-Q for small blocks"),
      llvm::cl::init(true)};
};

/// Appends to `pm` (anchored on builtin.module) the passes that take a
/// module whose functions hold s2attn.attention on tensors or memrefs to the
/// LLVM dialect: plan, materialize-schedule, one-shot-bufferize (function
/// boundaries included, identity layouts), buffer deallocation, tile, OpenMP
/// and the conversions to LLVM. Functions with `llvm.emit_c_interface` get
/// `_mlir_ciface_` wrappers for the ExecutionEngine. The result translates
/// with `mlir-translate --mlir-to-llvmir`; at run time it needs libomp (when
/// `parallel`) and nothing else.
void buildS2AttnLowerToCpuPipeline(OpPassManager &pm,
                                   const CpuPipelineOptions &options);

/// Registers `s2attn-lower-to-cpu` with the pass registry (for s2-opt).
void registerS2AttnPipelines();

/// Adds to `registry` what a context needs to run the CPU pipeline and to
/// translate its result to LLVM IR: the s2attn dialect, the bufferization
/// models of s2attn and of the upstream dialects the pipeline meets, and the
/// builtin, LLVM and OpenMP translations.
void registerS2AttnCpuPipelineDependencies(DialectRegistry &registry);

} // namespace mlir::s2attn

#endif // S2ATTN_TRANSFORMS_PIPELINES_H
