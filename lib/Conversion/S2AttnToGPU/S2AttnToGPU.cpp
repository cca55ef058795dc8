//===- S2AttnToGPU.cpp - s2attn.attention to a GPU kernel launch ----------===//

#include "KernelPlanner.h"
#include "SpillFreeCompile.h"

#include "s2attn/Conversion/Passes.h"
#include "s2attn/Conversion/Pipelines.h"
#include "s2attn/Conversion/S2AttnToGPU/FlashKernel.h"
#include "s2attn/Conversion/S2AttnToGPU/Ptxas.h"
#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/MathExtras.h"

namespace mlir::s2attn {
#define GEN_PASS_DEF_CONVERTS2ATTNTOGPU
#include "s2attn/Conversion/Passes.h.inc"
} // namespace mlir::s2attn

using namespace mlir;
using namespace mlir::s2attn;

namespace {

gpu::GPUModuleOp getOrCreateKernelModule(ModuleOp module) {
  StringRef name = "s2attn_kernels";
  if (auto existing = module.lookupSymbol<gpu::GPUModuleOp>(name))
    return existing;
  OpBuilder builder(module.getBodyRegion());
  builder.setInsertionPointToEnd(module.getBody());
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  builder.getUnitAttr());
  return gpu::GPUModuleOp::create(builder, module.getLoc(), name);
}

void replaceWithLaunch(AttentionOp op, gpu::GPUFuncOp kernel,
                       const FlashKernelConfig &config) {
  OpBuilder builder(op);
  Location loc = op.getLoc();
  auto constant = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(builder, loc, value);
  };
  gpu::KernelDim3 grid{constant(config.numChunks * config.ctasPerItem()),
                       constant(config.heads / config.packedHeads),
                       constant(config.batch)};
  if (config.persistent)
    grid = {constant(config.persistentCTAs), constant(1), constant(1)};
  gpu::KernelDim3 block{constant(config.numThreads()), constant(1),
                        constant(1)};
  Value sharedBytes = arith::ConstantIntOp::create(
      builder, loc, builder.getI32Type(), config.sharedMemoryBytes());
  SmallVector<Value> arguments = {op.getQuery(), op.getKey(), op.getValue(),
                                  op.getOutput()};
  if (Value lse = op.getLse())
    arguments.push_back(lse);
  gpu::LaunchFuncOp::create(builder, loc, kernel, grid, block, sharedBytes,
                            arguments);
  op.erase();
}

/// Ops with the same inherent attributes and operand types plan and build
/// the same kernel, so they launch one (a model's layers are many such ops).
/// The key is uniqued attributes, not their printed form, which options such
/// as --mlir-elide-elementsattrs-if-larger can make equal for different
/// masks; discardable attributes do not change the kernel.
Attribute kernelKey(AttentionOp op) {
  SmallVector<Attribute> parts = {op->getPropertiesAsAttribute()};
  for (Type type : op->getOperandTypes())
    parts.push_back(TypeAttr::get(type));
  return ArrayAttr::get(op.getContext(), parts);
}

/// Options that take 0 (auto) or a power of two up to `most`.
LogicalResult checkAutoOrPowerOfTwo(ModuleOp module, StringRef option,
                                    int64_t value, int64_t most) {
  if (value == 0 || (value > 0 && value <= most && llvm::isPowerOf2_64(value)))
    return success();
  return module.emitError("convert-s2attn-to-gpu: ")
         << option << " = " << value
         << " is not supported; expected 0 (auto) or a power of two up to "
         << most;
}

/// A module of one function that runs `op` alone, for a trial compile: its
/// operands (memrefs; positions are attributes here, as planKernel checked)
/// become the function's arguments.
OwningOpRef<ModuleOp> moduleOfOne(AttentionOp op) {
  OpBuilder b(op.getContext());
  Location loc = op.getLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  auto function = func::FuncOp::create(
      b, loc, "trial", b.getFunctionType(op->getOperandTypes(), {}));
  Block *entry = function.addEntryBlock();
  b.setInsertionPointToEnd(entry);
  IRMapping mapping;
  mapping.map(op->getOperands(), entry->getArguments());
  b.clone(*op, mapping);
  func::ReturnOp::create(b, loc);
  return module;
}

struct ConvertS2AttnToGPUPass
    : public mlir::s2attn::impl::ConvertS2AttnToGPUBase<
          ConvertS2AttnToGPUPass> {
  using ConvertS2AttnToGPUBase::ConvertS2AttnToGPUBase;

  /// fit-registers runs the NVVM lowering inside this pass, whose dialects
  /// must be loaded before any pass runs.
  void getDependentDialects(DialectRegistry &registry) const override {
    ConvertS2AttnToGPUBase::getDependentDialects(registry);
    if (!fitRegisters)
      return;
    OpPassManager lowering(ModuleOp::getOperationName());
    buildNVVMLowering(lowering, chip, "isa");
    lowering.getDependentDialects(registry);
  }

  /// fit-registers needs ptxas; without it the planner's picks stand.
  bool ptxasFound(ModuleOp module) {
    llvm::Expected<std::string> ptxas = findPtxas();
    if (ptxas)
      return true;
    module.emitWarning("convert-s2attn-to-gpu: fit-registers keeps the "
                       "planner's CTAs per SM unchecked for spills: ")
        << llvm::toString(ptxas.takeError());
    return false;
  }

  /// The trial conversion: this pass with its options (Pass::clone copies
  /// them; clonePass alone does not) at `ctas` CTAs per SM.
  std::unique_ptr<Pass> trialConversion(int64_t ctas) const {
    std::unique_ptr<Pass> trial = clone();
    auto &options = cast<ConvertS2AttnToGPUPass>(*trial);
    options.ctasPerSM = ctas;
    options.fitRegisters = false;
    return trial;
  }

  /// Replans `config` for the occupancy at which ptxas compiles `op`'s
  /// kernel alone without spills (the same when the planner's pick does not
  /// spill). What the trial compile says is held back: a retry that fails
  /// keeps the kernel before it, and a trial that fails altogether leaves
  /// the planner's pick with a warning, as a missing ptxas does.
  LogicalResult refitToRegisters(AttentionOp op, KernelChoices choices,
                                 FlashKernelConfig &config) {
    SmallVector<std::pair<DiagnosticSeverity, std::string>> held;
    FailureOr<SpillFreeCompilation> fitted;
    {
      ScopedDiagnosticHandler hold(&getContext(), [&](Diagnostic &d) {
        held.push_back({d.getSeverity(), d.str()});
        return success();
      });
      OwningOpRef<ModuleOp> alone = moduleOfOne(op);
      fitted = compileWithoutSpills(
          *alone, chip, /*ctasPerSM=*/0,
          [&](int64_t ctas) { return trialConversion(ctas); });
    }
    if (failed(fitted)) {
      InFlightDiagnostic warning =
          op.emitWarning("fit-registers could not compile this kernel alone, "
                         "so it keeps the planner's ")
          << config.residentCTAs << " CTAs per SM unchecked for spills";
      for (const auto &[severity, message] : held)
        if (severity == DiagnosticSeverity::Error)
          warning.attachNote() << message;
      return success();
    }
    for (const auto &[severity, message] : held)
      if (severity == DiagnosticSeverity::Warning)
        op.emitWarning(message);
    if (fitted->kept.residentCTAs == config.residentCTAs)
      return success();
    assert(!fitted->spilledAt.empty() &&
           "the trial and the final plan agree on the planner's pick");
    InFlightDiagnostic remark = op.emitRemark("ptxas spilled");
    for (auto [ctas, bytes] : fitted->spilledAt)
      remark << " " << bytes << " bytes at " << ctas << " CTAs per SM,";
    remark << " so the kernel is planned for " << fitted->kept.residentCTAs
           << " CTAs per SM";
    choices.ctasPerSM = fitted->kept.residentCTAs;
    FailureOr<FlashKernelConfig> fewer = planKernel(op, choices);
    if (failed(fewer))
      return failure();
    config = *fewer;
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (schedule != "auto" && schedule != "exact" &&
        schedule != "closed-form") {
      module.emitError("convert-s2attn-to-gpu: schedule '")
          << schedule << "' is not one of auto, exact, closed-form";
      return signalPassFailure();
    }
    if (stages != 0 && stages != 2 && stages != 3) {
      module.emitError("convert-s2attn-to-gpu: stages = ")
          << int64_t(stages) << " is not supported; expected 0 (auto), 2 or 3";
      return signalPassFailure();
    }
    const TargetModel *target = lookupTargetModel(chip);
    if (!target || !target->isGPU()) {
      module.emitError("convert-s2attn-to-gpu: chip '")
          << chip << "' is not supported; expected sm_80 or sm_90a";
      return signalPassFailure();
    }
    if (ctaRows != 0 && ctaRows != 64 && ctaRows != 128) {
      module.emitError("convert-s2attn-to-gpu: cta-rows = ")
          << int64_t(ctaRows)
          << " is not supported; expected 0 (auto), 64 or 128";
      return signalPassFailure();
    }
    if (persistent && stages == 3) {
      module.emitError("convert-s2attn-to-gpu: persistent needs stages = "
                       "2 (the next item's loads take the one slot ahead); "
                       "got stages = ")
          << int64_t(stages);
      return signalPassFailure();
    }
    if (persistentCTAs < 0) {
      module.emitError("convert-s2attn-to-gpu: persistent-ctas = ")
          << int64_t(persistentCTAs) << " is negative; expected 0 (one wave) "
          << "or a CTA count";
      return signalPassFailure();
    }
    if (ctasPerSM < 0) {
      module.emitError("convert-s2attn-to-gpu: ctas-per-sm = ")
          << int64_t(ctasPerSM) << " is negative; expected 0 (auto) or a "
          << "CTA count";
      return signalPassFailure();
    }
    if (clusterSplits < 0 || clusterSplits > std::max<int64_t>(
                                                 1, target->maxClusterCTAs)) {
      module.emitError("convert-s2attn-to-gpu: cluster-splits = ")
          << int64_t(clusterSplits) << " is not supported on " << chip
          << "; expected 0 (auto) or 1 to "
          << std::max<int64_t>(1, target->maxClusterCTAs)
          << (target->maxClusterCTAs ? "" : " (no thread block clusters)");
      return signalPassFailure();
    }
    // A tile's grid splits beyond a wave of CTAs would wait for each other.
    if (failed(checkAutoOrPowerOfTwo(module, "packed-heads", packedHeads,
                                     1 << 16)) ||
        failed(checkAutoOrPowerOfTwo(module, "grid-splits", gridSplits,
                                     target->multiprocessors)))
      return signalPassFailure();
    // Persistent CTAs walk whole items: nothing splits an item's walk.
    for (auto [option, value] : {std::pair<StringRef, int64_t>{
                                     "cluster-splits", clusterSplits},
                                 {"grid-splits", gridSplits}}) {
      if (persistent && value > 1) {
        module.emitError("convert-s2attn-to-gpu: persistent takes no ")
            << option << " (its CTAs walk whole items); got " << option
            << " = " << value;
        return signalPassFailure();
      }
    }
    KernelChoices choices{schedule,     packGQA,        packedHeads,
                          stages,       longestFirst,   peelDiagonal,
                          ctaRows,      persistent,     persistentCTAs,
                          ctasPerSM,    clusterSplits,  gridSplits,
                          *target};
    SmallVector<AttentionOp> ops;
    module.walk([&](AttentionOp op) { ops.push_back(op); });
    if (ops.empty())
      return;
    gpu::GPUModuleOp kernels = getOrCreateKernelModule(module);
    SymbolTable symbols(kernels);
    bool fitting = fitRegisters && ctasPerSM == 0 && ptxasFound(module);
    DenseMap<Attribute, std::pair<gpu::GPUFuncOp, FlashKernelConfig>> built;
    for (AttentionOp op : ops) {
      Attribute key = kernelKey(op);
      if (auto same = built.find(key); same != built.end()) {
        replaceWithLaunch(op, same->second.first, same->second.second);
        continue;
      }
      FailureOr<FlashKernelConfig> config = planKernel(op, choices);
      if (failed(config))
        return signalPassFailure();
      // At one CTA per SM there is no lower count to move to.
      if (fitting && config->residentCTAs > 1 &&
          failed(refitToRegisters(op, choices, *config)))
        return signalPassFailure();
      std::string name = "s2attn_fwd";
      for (int suffix = 0; symbols.lookup(name); ++suffix)
        name = "s2attn_fwd_" + std::to_string(suffix);
      OpBuilder builder(kernels.getBodyRegion());
      gpu::GPUFuncOp kernel =
          buildFlashKernel(builder, op.getLoc(), kernels, name, *config);
      symbols.insert(kernel);
      replaceWithLaunch(op, kernel, *config);
      built.try_emplace(key, kernel, std::move(*config));
    }
  }
};

} // namespace
