//===- Pipelines.h - s2attn GPU pipelines -----------------------*- C++ -*-===//

#ifndef S2ATTN_CONVERSION_PIPELINES_H
#define S2ATTN_CONVERSION_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class OpPassManager;
namespace s2attn {

/// Options of `s2attn-lower-to-nvvm`.
struct NVVMPipelineOptions : public PassPipelineOptions<NVVMPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("GPU to compile for: sm_80 or sm_90a"),
      llvm::cl::init("sm_90a")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What the gpu.binary holds: bin (cubin), isa (PTX) or "
                     "fatbin"),
      llvm::cl::init("bin")};
  PassOptions::Option<int64_t> ctasPerSM{
      *this, "ctas-per-sm",
      llvm::cl::desc("convert-s2attn-to-gpu's ctas-per-sm: 0 (the planner's "
                     "pick, checked by fit-registers) or the CTAs per SM, "
                     "which caps registers"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> fitRegisters{
      *this, "fit-registers",
      llvm::cl::desc("convert-s2attn-to-gpu's fit-registers: with "
                     "ctas-per-sm=0, assemble each kernel with ptxas first "
                     "and plan for fewer CTAs per SM while it spills"),
      llvm::cl::init(true)};
};

/// Upstream's gpu-lower-to-nvvm-pipeline for `chip` and `format` as s2attn
/// compiles kernels: PTX 8.0 features, bare-pointer kernel arguments (AOT
/// callers pass device addresses).
void buildNVVMLowering(OpPassManager &pm, StringRef chip, StringRef format);

/// s2attn.attention on memrefs -> gpu kernel -> NVVM -> gpu.binary, with the
/// kernel taking bare pointers so that AOT callers pass device addresses.
void buildS2AttnLowerToNVVMPipeline(OpPassManager &pm,
                                    const NVVMPipelineOptions &options);

void registerS2AttnGPUPipelines();

} // namespace s2attn
} // namespace mlir

#endif // S2ATTN_CONVERSION_PIPELINES_H
