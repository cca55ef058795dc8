//===- Passes.h - s2attn passes ---------------------------------*- C++ -*-===//

#ifndef S2ATTN_TRANSFORMS_PASSES_H
#define S2ATTN_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::s2attn {

#define GEN_PASS_DECL
#include "s2attn/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "s2attn/Transforms/Passes.h.inc"

} // namespace mlir::s2attn

#endif // S2ATTN_TRANSFORMS_PASSES_H
