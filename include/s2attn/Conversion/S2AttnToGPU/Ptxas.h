//===- Ptxas.h - assemble PTX with the CUDA toolkit's ptxas -----*- C++ -*-===//
//
// The GPU artifact assembles its PTX itself rather than through
// gpu-module-to-binary, because it needs what ptxas reports: a kernel that
// spills under the register cap its occupancy implies is recompiled for
// fewer resident CTAs (SpillFreeCompile.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_CONVERSION_S2ATTNTOGPU_PTXAS_H
#define S2ATTN_CONVERSION_S2ATTNTOGPU_PTXAS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace mlir::s2attn {

/// A cubin and the resource use ptxas reported for its one kernel.
struct AssembledKernel {
  std::string cubin;
  int64_t registers = 0;
  /// Bytes of spill stores (ptxas's "bytes spill stores").
  int64_t spillStoreBytes = 0;
  int64_t spillLoadBytes = 0;
  bool spills() const { return spillStoreBytes > 0 || spillLoadBytes > 0; }
};

/// $S2ATTN_PTXAS when set (and nothing else); otherwise ptxas of the CUDA
/// toolkit that gpu-module-to-binary would use: $CUDA_ROOT, $CUDA_HOME or
/// $CUDA_PATH /bin/ptxas, else ptxas on PATH, else /usr/local/cuda/bin/ptxas.
/// An error names the places looked at.
llvm::Expected<std::string> findPtxas();

/// Assembles `ptx` for `chip` (sm_80, sm_90a) at ptxas's -O2, as
/// gpu-module-to-binary does, and reads the kernel's registers and spills
/// from ptxas -v. Errors carry ptxas's own log.
llvm::Expected<AssembledKernel> assemblePtx(llvm::StringRef ptx,
                                            llvm::StringRef chip);

/// Reads "Used N registers" and "N bytes spill stores, M bytes spill loads"
/// from a ptxas -v log, the largest of each over the module's functions
/// (the numbers stay 0 when absent).
AssembledKernel parsePtxasLog(llvm::StringRef log);

} // namespace mlir::s2attn

#endif // S2ATTN_CONVERSION_S2ATTNTOGPU_PTXAS_H
