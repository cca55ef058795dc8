//===- Passes.td - s2attn passes ---------------------------*- tablegen -*-===//

#ifndef S2ATTN_TRANSFORMS_PASSES_TD
#define S2ATTN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def S2AttnAnalyze : Pass<"s2attn-analyze"> {
  let summary = "Report density, context coverage and KV-cache efficiency";
  let description = [{
    For every `s2attn.attention` op, computes over the problem's block grid
    (its static lengths, or `analysis-blocks` blocks when they are dynamic):

    * per-head and overall density: attended block pairs over legal
      (causal, or all) block pairs;
    * whether the union of heads covers every legal key block of every query
      block, and, for absolute local-stride patterns, which stripe residues
      modulo the stride no sparse head reaches;
    * KV-cache efficiency: a key block that a query block stops using is never
      used again by a later query block.

    The result is attached as `s2attn.pattern_info` (a
    `#s2attn.pattern_info` attribute) for later passes, reported as a remark
    when `emit-remarks` is set, and patterns that leave context uncovered or
    are not KV-cache efficient get a warning.

    ```mlir
    // s2-opt --s2attn-analyze="emit-remarks=true"
    %o = s2attn.attention ... pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4>
    // remark: density 0.41 (heads 0.41, 0.41, ...); covers context; KV-cache efficient
    ```
  }];
  let options = [
    Option<"emitRemarks", "emit-remarks", "bool", /*default=*/"false",
           "Report the analysis of every op as a remark">,
    Option<"analysisBlocks", "analysis-blocks", "int64_t", /*default=*/"64",
           "Query and key blocks to analyse when the lengths are dynamic">,
  ];
}

#endif // S2ATTN_TRANSFORMS_PASSES_TD
