//===- LowerToNVVMPipeline.cpp - s2attn-lower-to-nvvm ---------------------===//

#include "s2attn/Conversion/Passes.h"
#include "s2attn/Conversion/Pipelines.h"

#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;
using namespace mlir::s2attn;

void mlir::s2attn::buildNVVMLowering(OpPassManager &pm, StringRef chip,
                                     StringRef format) {
  gpu::GPUToNVVMPipelineOptions nvvm;
  nvvm.cubinChip = chip.str();
  // sm_90a needs PTX 8.0; sm_80 is served by the same ISA version.
  nvvm.cubinFeatures = "+ptx80";
  nvvm.cubinFormat = format.str();
  nvvm.kernelUseBarePtrCallConv = true;
  gpu::buildLowerToNVVMPassPipeline(pm, nvvm);
}

void mlir::s2attn::buildS2AttnLowerToNVVMPipeline(
    OpPassManager &pm, const NVVMPipelineOptions &options) {
  ConvertS2AttnToGPUOptions conversion;
  conversion.chip = options.chip;
  conversion.ctasPerSM = options.ctasPerSM;
  conversion.fitRegisters = options.fitRegisters;
  pm.addPass(createConvertS2AttnToGPU(conversion));
  buildNVVMLowering(pm, options.chip, options.format);
}

void mlir::s2attn::registerS2AttnGPUPipelines() {
  PassPipelineRegistration<NVVMPipelineOptions>(
      "s2attn-lower-to-nvvm",
      "Lower s2attn.attention on memrefs to an NVVM kernel in a gpu.binary "
      "(cubin by default) and host code that launches it",
      buildS2AttnLowerToNVVMPipeline);
}
