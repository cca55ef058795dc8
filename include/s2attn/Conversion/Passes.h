//===- Passes.h - s2attn conversions ----------------------------*- C++ -*-===//

#ifndef S2ATTN_CONVERSION_PASSES_H
#define S2ATTN_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::s2attn {

#define GEN_PASS_DECL
#include "s2attn/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "s2attn/Conversion/Passes.h.inc"

} // namespace mlir::s2attn

#endif // S2ATTN_CONVERSION_PASSES_H
