//===- s2-opt.cpp - mlir-opt with the s2attn dialect and passes -----------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"
#include "s2attn/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::s2attn::registerS2AttnPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::s2attn::S2AttnDialect>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "s2attn optimizer driver\n", registry));
}
