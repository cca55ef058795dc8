//===- SpillFreeCompile.cpp - kernels ptxas does not spill ----------------===//

#include "SpillFreeCompile.h"

#include "s2attn/Conversion/Pipelines.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;
using namespace mlir::s2attn;

static FailureOr<std::string> lowerToPtx(ModuleOp module, StringRef chip) {
  PassManager pm(module.getContext());
  buildNVVMLowering(pm, chip, "isa");
  if (failed(pm.run(module)))
    return failure();
  std::string ptx;
  module.walk([&](gpu::BinaryOp binary) {
    auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
    ptx = object.getObject().str();
  });
  if (ptx.empty())
    return failure();
  return ptx;
}

/// The most CTAs per SM any kernel of `module` asks ptxas to keep resident.
static int64_t residentCTAs(ModuleOp module) {
  int64_t count = 0;
  module.walk([&](gpu::GPUFuncOp function) {
    if (auto attr = function->getAttrOfType<IntegerAttr>("nvvm.minctasm"))
      count = std::max<int64_t>(count, attr.getInt());
  });
  return count;
}

/// The most threads a CTA of any kernel of `module` has.
static int64_t threadsPerCTA(ModuleOp module) {
  int64_t threads = 1;
  module.walk([&](gpu::GPUFuncOp function) {
    if (std::optional<ArrayRef<int32_t>> size = function.getKnownBlockSize())
      threads = std::max<int64_t>(threads, int64_t((*size)[0]) * (*size)[1] *
                                               (*size)[2]);
  });
  return threads;
}

/// Registers a thread may have when `ctas` CTAs of `threads` threads share
/// an SM's 64K: whole warps' granules of 8, and never more than 255.
static int64_t registerCap(int64_t ctas, int64_t threads) {
  int64_t warpThreads = llvm::alignTo(threads, 32);
  return std::min<int64_t>(255, (65536 / (ctas * warpThreads)) / 8 * 8);
}

/// Whether one CTA fewer per SM than `compiled` gives a thread more
/// registers: at head_dim 128, two 128-thread CTAs already have 255.
static bool fewerCTAsRaiseTheCap(const GpuCompilation &compiled) {
  int64_t ctas = compiled.residentCTAs;
  int64_t threads = threadsPerCTA(*compiled.converted);
  return ctas > 1 &&
         registerCap(ctas - 1, threads) > registerCap(ctas, threads);
}

FailureOr<GpuCompilation>
mlir::s2attn::compileForGpu(ModuleOp module, StringRef chip,
                            std::unique_ptr<Pass> conversion) {
  GpuCompilation compiled;
  compiled.converted = module.clone();
  PassManager convert(module.getContext());
  convert.addPass(std::move(conversion));
  if (failed(convert.run(*compiled.converted)))
    return failure();
  compiled.residentCTAs = residentCTAs(*compiled.converted);
  OwningOpRef<ModuleOp> lowered = compiled.converted->clone();
  FailureOr<std::string> ptx = lowerToPtx(*lowered, chip);
  if (failed(ptx))
    return failure();
  compiled.ptx = std::move(*ptx);
  llvm::Expected<AssembledKernel> assembled = assemblePtx(compiled.ptx, chip);
  if (!assembled)
    return module.emitError("cubin generation failed: ")
               << llvm::toString(assembled.takeError()),
           failure();
  compiled.assembled = std::move(*assembled);
  return compiled;
}

FailureOr<SpillFreeCompilation>
mlir::s2attn::compileWithoutSpills(ModuleOp module, StringRef chip,
                                   int64_t ctasPerSM,
                                   TrialConversion conversion) {
  bool plannerPicks = ctasPerSM == 0;
  FailureOr<GpuCompilation> compiled =
      compileForGpu(module, chip, conversion(ctasPerSM));
  if (failed(compiled))
    return failure();
  SpillFreeCompilation result;
  while (compiled->assembled.spills() && plannerPicks &&
         fewerCTAsRaiseTheCap(*compiled)) {
    FailureOr<GpuCompilation> fewer =
        compileForGpu(module, chip, conversion(compiled->residentCTAs - 1));
    if (failed(fewer))
      break;
    result.spilledAt.push_back(
        {compiled->residentCTAs, compiled->assembled.spillStoreBytes});
    compiled = std::move(fewer);
  }
  const AssembledKernel &assembled = compiled->assembled;
  if (assembled.spills()) {
    InFlightDiagnostic warning =
        mlir::emitWarning(module.getLoc(), "the kernel spills ")
        << assembled.spillStoreBytes << " bytes (stores; "
        << assembled.spillLoadBytes << " bytes of loads) under "
        << assembled.registers << " registers a thread at "
        << compiled->residentCTAs << " CTAs per SM";
    if (fewerCTAsRaiseTheCap(*compiled))
      warning << "; a smaller ctas-per-sm raises the cap";
    else
      warning << "; fewer CTAs per SM would not raise that cap";
  }
  result.kept = std::move(*compiled);
  return result;
}
