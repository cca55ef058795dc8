//===- s2-opt.cpp - mlir-opt with the s2attn dialect and passes -----------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

#include "s2attn/Conversion/Passes.h"
#include "s2attn/Conversion/Pipelines.h"
#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"
#include "s2attn/Dialect/S2Attn/Transforms/BufferizableOpInterfaceImpl.h"
#include "s2attn/Transforms/Passes.h"
#include "s2attn/Transforms/Pipelines.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::s2attn::registerS2AttnPasses();
  mlir::s2attn::registerS2AttnConversionPasses();
  mlir::s2attn::registerS2AttnGPUPipelines();
  mlir::s2attn::registerS2AttnPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary serializes through LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<mlir::s2attn::S2AttnDialect>();
  mlir::s2attn::registerBufferizableOpInterfaceExternalModels(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "s2attn optimizer driver\n", registry));
}
