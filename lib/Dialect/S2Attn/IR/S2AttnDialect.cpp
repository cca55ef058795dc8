//===- S2AttnDialect.cpp - s2attn dialect ---------------------------------===//

#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::s2attn;

#include "s2attn/Dialect/S2Attn/IR/S2AttnDialect.cpp.inc"
#include "s2attn/Dialect/S2Attn/IR/S2AttnEnums.cpp.inc"
#include "s2attn/Dialect/S2Attn/IR/S2AttnInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "s2attn/Dialect/S2Attn/IR/S2AttnAttrs.cpp.inc"

void S2AttnDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "s2attn/Dialect/S2Attn/IR/S2AttnAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "s2attn/Dialect/S2Attn/IR/S2AttnOps.cpp.inc"
      >();
}

FailureOr<bool> mlir::s2attn::parseBoolKeyword(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (succeeded(parser.parseOptionalKeyword(&keyword, {"true", "false"})))
    return keyword == "true";
  return parser.emitError(loc, "expected 'true' or 'false'");
}

FailureOr<std::optional<VertPosition>>
mlir::s2attn::parseVertPosition(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (succeeded(
          parser.parseOptionalKeyword(&keyword, {"absolute", "relative"})))
    return std::optional<VertPosition>(*symbolizeVertPosition(keyword));
  return parser.emitError(loc, "expected 'absolute' or 'relative'");
}
