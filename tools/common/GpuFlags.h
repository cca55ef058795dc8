//===- GpuFlags.h - GPU kernel flags of the tools ---------------*- C++ -*-===//
//
// s2-compile and s2-run --target cuda take the same flags for the GPU
// conversion's choices (convert-s2attn-to-gpu's options).
//
//===----------------------------------------------------------------------===//

#ifndef S2TOOLS_GPUFLAGS_H
#define S2TOOLS_GPUFLAGS_H

#include "s2attn/Conversion/Passes.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

namespace s2run {

llvm::cl::OptionCategory &gpuFlagCategory();

/// convert-s2attn-to-gpu's options from the flags; an error names a chip
/// other than sm_80 or sm_90a.
llvm::Expected<mlir::s2attn::ConvertS2AttnToGPUOptions>
conversionOptionsFromFlags();

/// Fails naming the first GPU flag given, which `why` (e.g. "--target
/// cpu") has no use for.
llvm::Error rejectGpuFlags(llvm::StringRef why);

} // namespace s2run

#endif // S2TOOLS_GPUFLAGS_H
