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

def S2AttnPlan : Pass<"s2attn-plan"> {
  let summary = "Choose tile sizes for every attention from a target model";
  let description = [{
    Records on every `s2attn.attention` an `s2attn.plan` attribute (an
    `#s2attn.plan`) with the query and key tile sizes for the target: the key
    tile is the pattern's block; the query tile is the block too, unless the
    block is smaller than the target's preferred query tile and the pattern
    is KV-cache efficient, in which case consecutive block rows are merged
    into one tile (Merge-Q). Patterns that are not KV-cache efficient keep
    one block row per tile ("splitting"). GPU targets also get a warp and a
    pipeline-stage count that fit their shared memory.

    The target comes from the nearest `s2attn.target` attribute (an
    `#s2attn.target`) on the op or an enclosing op, else from the `target`
    option. An existing `s2attn.plan` is kept, so a plan can be forced by
    hand.

    ```mlir
    // s2-opt --s2attn-plan="target=cpu"
    %o = s2attn.attention ins(%q, %k, %v : ...) outs(%init : ...)
           pattern = #s2attn.local_stride<block = 16, local = 2, stride = 4>
           {s2attn.plan = #s2attn.plan<q_tile = 64, kv_tile = 16, merge_q = true>}
           -> tensor<1x256x4x64xf16>
    ```
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "Target model: cpu, sm_80 or sm_90a">,
    Option<"mergeQ", "merge-q", "bool", /*default=*/"true",
           "Allow Merge-Q for small blocks of KV-cache-efficient patterns">,
  ];
}

def S2AttnMaterializeSchedule : Pass<"s2attn-materialize-schedule", "ModuleOp"> {
  let summary = "Turn each planned attention's pattern into a block schedule";
  let description = [{
    Rewrites every planned `s2attn.attention` into
    `s2attn.scheduled_attention`, resolving the default positions and scale
    and making the pattern's block schedule explicit:

    * static shapes and positions: an `exact` CSR schedule from the reference
      library (row pointers, absolute key blocks with the unmasked entries
      first, Merge-Q row masks, unmasked counts) as constants: `arith.constant`
      tensors on tensors, `memref.global` constants on memrefs;
    * dynamic lengths or positions with a block mask: a `grid` schedule of
      the mask's whole block grid, clipped at run time;
    * dynamic lengths or positions with a local-stride or dense pattern: a
      `closed_form` schedule that `s2attn-tile` computes arithmetically.

    Rows that are the same for every head (dense and window patterns, one
    mask for all heads) are kept once, marked `heads_share_rows`. Exact
    schedules larger than `max-exact-entries` entries fall back to the
    closed form (or the grid). Ops without a plan are an error.

    ```mlir
    // s2-opt --s2attn-plan --s2attn-materialize-schedule
    %rp = arith.constant dense<[0, 1, 3, 4, 6]> : tensor<5xi32>
    ...
    %o = s2attn.scheduled_attention ins(%q, %k, %v : ...) outs(%init : ...)
           q_start = %c0 kv_start = %c0
           schedule = exact(%rp, %kb, %rm, %nu : tensor<5xi32>, tensor<6xi32>, tensor<6xi32>, tensor<4xi32>)
           pattern = #s2attn.dense<block = 16>
           {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 0.125 : f64}
           -> tensor<1x32x2x64xf32>
    ```
  }];
  let options = [
    Option<"kind", "kind", "std::string", /*default=*/"\"auto\"",
           "Schedule form: auto, exact, grid or closed-form">,
    Option<"maxExactEntries", "max-exact-entries", "int64_t",
           /*default=*/"4194304",
           "Largest exact schedule (entries, counted after rows shared by "
           "every head are kept once) emitted as a constant before falling "
           "back to the closed form or the grid">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def S2AttnTile : Pass<"s2attn-tile"> {
  let summary = "Lower scheduled attention to a parallel loop nest";
  let description = [{
    Rewrites every `s2attn.scheduled_attention` on memrefs into a
    target-independent loop nest: an `scf.parallel` over (batch, query head,
    query tile), and inside it an `scf.for` walk over the row's key blocks
    only, as the schedule lists them (or as the closed form computes them).
    Each block is one step of an online softmax in base 2: scores are scaled
    by `scale * log2(e)`, probabilities are `exp2(s - m)`, the running
    maximum `m`, the running sum `l` and the output accumulator stay in f32,
    and the output is written in the element type with
    `LSE = (m + log2(l)) * ln(2)`. Only the entries that need it get a token
    mask (causal diagonal, key range, Merge-Q block rows), computed from
    indices. The inner products are `vector` FMAs over the key block and
    the head dimension, four query rows at a time so that each key or value
    vector loaded feeds four FMAs; keys are copied transposed (and values
    converted) to f32 scratch once per block. Rows that attend no key
    produce 0 and an LSE of -inf, never NaN.

    Ops on tensors are an error: bufferize first (`one-shot-bufferize`).

    ```mlir
    // s2-opt --s2attn-tile
    scf.parallel (%b, %h, %t) = (%c0, %c0, %c0) to (%batch, %c4, %tiles) step (%c1, %c1, %c1) {
      ...
      scf.for %e = %begin to %end step %c1 {
        // vector.fma over the key block, math.exp2, vector.reduction <add>
      }
      scf.reduce
    }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def S2AttnApproximateExp2 : Pass<"s2attn-approximate-exp2"> {
  let summary = "Replace f32 math.exp2 with a vectorizable polynomial";
  let description = [{
    CPU backends have no vector `exp2`: LLVM would call `exp2f` once per
    lane. This pass rewrites `math.exp2` on f32 scalars and vectors into
    `math.exp` of `x * ln(2)` and expands every f32 `math.exp` into upstream
    MLIR's polynomial approximation (a few ULP; inputs below about -126,
    such as the -inf of masked scores, give exactly 0), which stays in
    vector registers. The softmax of `s2attn-tile` spends its time there.
    Wider types are left to libm.

    ```mlir
    // s2-opt --s2attn-approximate-exp2
    %p = math.exp2 %s : vector<16xf32>
    // becomes arith/math.fma code with no math.exp2 left
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // S2ATTN_TRANSFORMS_PASSES_TD
