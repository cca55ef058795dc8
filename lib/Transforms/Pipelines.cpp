//===- Pipelines.cpp - s2attn-lower-to-cpu --------------------------------===//

#include "s2attn/Transforms/Pipelines.h"
#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"
#include "s2attn/Dialect/S2Attn/Transforms/BufferizableOpInterfaceImpl.h"
#include "s2attn/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::s2attn;

void mlir::s2attn::buildS2AttnLowerToCpuPipeline(
    OpPassManager &pm, const CpuPipelineOptions &options) {
  // Target-independent: decisions, schedule, buffers, loop nest.
  S2AttnPlanOptions planOptions;
  planOptions.target = options.target;
  planOptions.mergeQ = options.mergeQ;
  pm.addPass(createS2AttnPlan(planOptions));
  S2AttnMaterializeScheduleOptions scheduleOptions;
  scheduleOptions.kind = options.scheduleKind;
  pm.addPass(createS2AttnMaterializeSchedule(scheduleOptions));

  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  // Plain strided memrefs at function boundaries are what the C interface
  // and the ExecutionEngine pass.
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferizeOptions.unknownTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  if (options.deallocate)
    bufferization::buildBufferDeallocationPipeline(pm);

  pm.addPass(createS2AttnTile());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // CPU: threads, math, then everything to LLVM.
  if (options.parallel) {
    ConvertSCFToOpenMPPassOptions openmpOptions;
    openmpOptions.numThreads = options.numThreads;
    pm.addPass(createConvertSCFToOpenMPPass(openmpOptions));
  }
  pm.addPass(createS2AttnApproximateExp2());
  arith::ArithExpandOpsPassOptions expandOptions;
  expandOptions.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expandOptions));
  pm.addPass(createLowerAffinePass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  ConvertVectorToLLVMPassOptions vectorOptions;
  // Softmax sums over a key block need no fixed order; a tree is faster.
  vectorOptions.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorOptions));
  pm.addPass(createConvertMathToLLVMPass());
  // convert-scf-to-openmp wraps each parallel body in memref.alloca_scope,
  // whose region must stay a single block until memref lowering inlines it.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  if (options.parallel)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::s2attn::registerS2AttnPipelines() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "s2attn-lower-to-cpu",
      "Lower s2attn.attention (tensors or memrefs) to the LLVM dialect for "
      "CPUs: plan, schedule, bufferize, tile, OpenMP, LLVM",
      buildS2AttnLowerToCpuPipeline);
}

void mlir::s2attn::registerS2AttnCpuPipelineDependencies(
    DialectRegistry &registry) {
  registry.insert<S2AttnDialect, func::FuncDialect, LLVM::LLVMDialect,
                  omp::OpenMPDialect>();
  registerBufferizableOpInterfaceExternalModels(registry);
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
}
