//===- S2Attn.h - s2attn dialect --------------------------------*- C++ -*-===//

#ifndef S2ATTN_DIALECT_S2ATTN_IR_S2ATTN_H
#define S2ATTN_DIALECT_S2ATTN_IR_S2ATTN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "s2attn/Dialect/S2Attn/IR/PatternContext.h"
#include "s2attn/Reference/Pattern.h"

#include <memory>
#include <optional>

#include "s2attn/Dialect/S2Attn/IR/S2AttnDialect.h.inc"
#include "s2attn/Dialect/S2Attn/IR/S2AttnEnums.h.inc"

namespace mlir::s2attn {
/// Parses `true` or `false`.
FailureOr<bool> parseBoolKeyword(AsmParser &parser);
/// Parses `absolute` or `relative`.
FailureOr<std::optional<VertPosition>> parseVertPosition(AsmParser &parser);
} // namespace mlir::s2attn

#include "s2attn/Dialect/S2Attn/IR/S2AttnInterfaces.h.inc"

#define GET_ATTRDEF_CLASSES
#include "s2attn/Dialect/S2Attn/IR/S2AttnAttrs.h.inc"

#define GET_OP_CLASSES
#include "s2attn/Dialect/S2Attn/IR/S2AttnOps.h.inc"

#endif // S2ATTN_DIALECT_S2ATTN_IR_S2ATTN_H
