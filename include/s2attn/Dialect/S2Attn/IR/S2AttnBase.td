//===- S2AttnBase.td - s2attn dialect definition -----------*- tablegen -*-===//

#ifndef S2ATTN_BASE_TD
#define S2ATTN_BASE_TD

include "mlir/IR/OpBase.td"

def S2Attn_Dialect : Dialect {
  let name = "s2attn";
  let cppNamespace = "::mlir::s2attn";
  let summary = "Sparsely-sharded (S2) attention";
  let description = [{
    The `s2attn` dialect expresses attention whose key blocks are sparse per
    head: local windows plus vertical stripes that differ between heads so that
    the heads together cover the context (S2-Attention, arXiv 2407.17678),
    arbitrary per-head block masks, and dense heads. Patterns are attributes
    that implement `PatternAttrInterface`, so passes query any pattern the same
    way. The exact function computed is the project's SPEC.md.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

class S2Attn_Op<string mnemonic, list<Trait> traits = []>
    : Op<S2Attn_Dialect, mnemonic, traits>;

#endif // S2ATTN_BASE_TD
