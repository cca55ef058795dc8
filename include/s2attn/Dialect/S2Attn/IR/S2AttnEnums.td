//===- S2AttnEnums.td - s2attn enums -----------------------*- tablegen -*-===//

#ifndef S2ATTN_ENUMS_TD
#define S2ATTN_ENUMS_TD

include "mlir/IR/EnumAttr.td"

def S2Attn_VertPosition : I32EnumAttr<"VertPosition",
    "where vertical stripes are measured from", [
      I32EnumAttrCase<"Absolute", 0, "absolute">,
      I32EnumAttrCase<"Relative", 1, "relative">
    ]> {
  let cppNamespace = "::mlir::s2attn";
  let genSpecializedAttr = 0;
}

#endif // S2ATTN_ENUMS_TD
