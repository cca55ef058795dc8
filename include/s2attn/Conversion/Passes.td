//===- Passes.td - s2attn conversions ----------------------*- tablegen -*-===//

#ifndef S2ATTN_CONVERSION_PASSES_TD
#define S2ATTN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertS2AttnToGPU : Pass<"convert-s2attn-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Lower s2attn.attention on memrefs to a GPU kernel (mma.sync)";
  let description = [{
    Replaces every `s2attn.attention` on memrefs with static shapes by a
    `gpu.launch_func` of a FlashAttention-2-style kernel in a `gpu.module`.
    Ops with the same inherent attributes and operand types (a model's
    layers) launch one kernel, planned and compiled once; where that kernel
    keeps state in module globals (grid splits), the runtime runs its
    launches one after another, across streams too:

    * one CTA per (query tile, query head, batch); each warp owns 16 query
      rows, whose Q fragments stay in registers for the whole row walk;
    * the CTA walks only the key blocks of its row: computed in closed form
      from the pattern's parameters (local-stride and dense patterns: window,
      then stripes), or read from the reference library's `buildSchedule` as
      constants (`memref.global`) in the kernel module (block masks, Merge-Q
      tiles); key tiles are found by address arithmetic, no mask tensor
      exists in memory;
    * K and V tiles are copied with `cp.async` into XOR-swizzled shared
      memory, two stages deep (three under key splits), so the next tile
      loads while this one is used;
    * `ldmatrix` feeds `mma.sync.m16n8k16` (f16 or bf16 in, f32 accumulate);
    * the online softmax runs on the accumulator registers in base 2
      (`exp2`), and the token mask is applied only on the schedule's masked
      entries (causal diagonal, sequence tails, Merge-Q rows);
    * causal closed-form rows whose CTA has a row per key of a chunk
      (64-row CTAs over 64-key chunks, also 32/32 and 16/16), aligned and
      in bounds, peel their first and last steps: the first runs on a
      fresh softmax state (nothing to rescale), the loop between has no
      mask branch, and in the diagonal step the warp of rows 16w..16w+15
      computes only the 16(w + 1) keys its rows see (`peel-diagonal`);
    * GQA: query head `h` reads key/value head `h / (heads / kv_heads)`.
      When the heads of a group share the pattern (local-stride, dense, or a
      mask per KV head), one CTA holds `q_tile / r` positions of all `r`
      heads of the group, so each K/V tile it loads serves the whole group
      (`pack-gqa`); decoding then reads the cache once per KV head instead of
      once per query head. Where even clusters of 16 leave most SMs idle
      (MQA, or one or two KV heads, at batch 1), a group's heads go to two
      CTAs instead, the second reading the cache from L2 (`packed-heads`);
    * decoding (every query of a tile, with its packed heads, fits one
      warp's 16 rows, or two warps' 32, as for MQA): four warps split the
      row's keys, four ways (or two ways for each 16 of the 32 rows), each
      split walking every fourth (second) step of 32 keys through K/V
      stages of its own, which its warps fill and read together (a named
      barrier for the two warps of a 32-row split), and merge their softmax
      states through shared memory at the end (key splits);
    * tiles too few to fill the chip (decoding; MQA; prefills of few heads),
      sm_90a: the CTAs of a thread block cluster (up to 16) split each tile's
      walk once more, CTA r taking steps r, r + n, ... (under key splits,
      its warps every 4n-th), and the first CTA merges their softmax states
      from their shared memory (`mapa`, `ld.shared::cluster`):
      `cluster-splits`;
    * each warp normalizes and stores its own rows, with no CTA barrier
      (under key splits, the first split's warps the merged rows);
    * the LSE output is written when the op has one.

    Problems the kernel does not serve (f32 elements, head dims other than
    64 and 128, dynamic shapes) are rejected with a diagnostic on the op.

    ```mlir
    // s2-opt --convert-s2attn-to-gpu="chip=sm_90a"
    s2attn.attention ins(%q, %k, %v : memref<1x256x4x64xbf16>, ...)
        outs(%o : memref<1x256x4x64xbf16>) pattern = #s2attn.local_stride<...>
    // becomes
    gpu.launch_func @s2attn_kernels::@s2attn_fwd_0 blocks in (%c4, %c4, %c1)
        threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c40960
        args(%q : memref<...>, %k : ..., %v : ..., %o : ...)
    ```
  }];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect", "::mlir::nvgpu::NVGPUDialect",
    "::mlir::NVVM::NVVMDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect", "::mlir::math::MathDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect", "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect"
  ];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90a\"",
           "The GPU the kernel is planned for (sm_80 or sm_90a)">,
    Option<"schedule", "schedule", "std::string", /*default=*/"\"auto\"",
           "Where rows come from: exact (constant CSR arrays), closed-form "
           "(computed in the kernel; local_stride and dense patterns, one "
           "block row per tile) or auto (closed form whenever it applies)">,
    Option<"packGQA", "pack-gqa", "bool", /*default=*/"true",
           "Let the query heads of a KV group share a CTA (and each K/V tile "
           "load) when they share a pattern">,
    Option<"packedHeads", "packed-heads", "int64_t", /*default=*/"0",
           "Most query heads of a KV group that share a CTA under pack-gqa "
           "(ignored without it; groups that are not a power of two are not "
           "packed): 0 (auto: the whole group, except that decoding tiles "
           "whose clusters are at their largest and that grid splits leave "
           "on at most an eighth of the SMs go to CTAs of half, a quarter, "
           "... of the group, so that more SMs stream the shared K/V; with "
           "cluster-splits given, the whole group) or a power of two">,
    Option<"longestFirst", "longest-first", "bool", /*default=*/"true",
           "Launch the query tiles with the longest causal rows first, in "
           "groups of heads and batches that fill a wave (all at once for "
           "grids of under 8 waves whose rows are nearly even), so the last "
           "wave is short rows rather than long ones">,
    Option<"peelDiagonal", "peel-diagonal", "bool", /*default=*/"true",
           "Where every CTA's last step is its causal diagonal chunk (causal "
           "closed-form rows, a CTA row per key of a chunk: 64 rows over 64 "
           "keys, or 32/32, 16/16; aligned and in bounds), walk the first step before the loop on a fresh "
           "softmax state, the steps between without the mask branch, and "
           "the diagonal after the loop, each warp over only the keys its 16 "
           "rows see (16, 32, 48 or 64)">,
    Option<"ctaRows", "cta-rows", "int64_t", /*default=*/"0",
           "Most query rows per CTA: 64, 128, or 0 (auto): a 128-token tile "
           "(block 128) goes to two 4-warp CTAs when its 8-warp CTAs would "
           "fill fewer than 16 waves of the chip, else to one; a decode tile "
           "(its queries and packed heads fit 16 or 32 rows) gets key splits, "
           "which 64 or 128 turn off">,
    Option<"persistent", "persistent", "bool", /*default=*/"false",
           "Experimental: instead of one CTA per (query tile, head, batch), "
           "one wave of CTAs that take the tiles in launch order, each "
           "loading the next tile's Q and first K/V while it finishes the "
           "current one (two K/V stages only). Measured 4-35% slower on an "
           "H100 with the bench's timing (docs/performance-history.md)">,
    Option<"persistentCTAs", "persistent-ctas", "int64_t", /*default=*/"0",
           "CTAs of a persistent kernel: 0 (one wave of the chip) or that "
           "many (at most one per work item)">,
    Option<"ctasPerSM", "ctas-per-sm", "int64_t", /*default=*/"0",
           "CTAs kept resident per SM (nvvm.minctasm, which caps registers "
           "per thread): 0 (auto: as many as spill-free registers and the "
           "chip's shared memory allow; 2 for 4-warp CTAs at head_dim 128, "
           "1 for key-split CTAs; fit-registers, and the GPU artifact of "
           "s2-compile and s2-run --target cuda, compile again for fewer "
           "where ptxas spills) "
           "or a count shared memory holds. A count above the registers' "
           "limit makes ptxas spill (with the Q tile moved into a K/V "
           "stage, three 4-warp CTAs at head_dim 128, 168 registers, "
           "measured 6-9% slower on an H100)">,
    Option<"fitRegisters", "fit-registers", "bool", /*default=*/"false",
           "Where ctas-per-sm is 0 (auto), compile each kernel to PTX, "
           "assemble it with the CUDA toolkit's ptxas and, while ptxas "
           "spills under the register cap of the planner's occupancy, plan "
           "for one CTA fewer per SM where that raises the cap (at most 255 "
           "registers a thread; on by default in s2attn-lower-to-nvvm; "
           "without ptxas, a warning and the planner's pick)">,
    Option<"clusterSplits", "cluster-splits", "int64_t", /*default=*/"0",
           "Thread block clusters that split each tile's walk, sm_90a only: "
           "the n CTAs of a cluster take every n-th step and merge through "
           "distributed shared memory. 0 (auto): the largest power of two up "
           "to 16 that keeps the grid within one wave (key-split CTAs, which "
           "stream K/V: half the SMs) and leaves four steps per walker (a "
           "key-split warp, or a CTA); 1: no clusters; or a count up to 16 "
           "(above 8 the runtime opts the kernel in to non-portable "
           "cluster sizes)">,
    Option<"gridSplits", "grid-splits", "int64_t", /*default=*/"0",
           "Decoding (key-split) kernels: clusters (or CTAs) per tile that "
           "split its walk across the grid, merging through a scratch in the "
           "kernel module's global memory (the last to finish merges; "
           "launches of one loaded module must not overlap). 0 (auto): where "
           "clusters are at their largest, the largest power of two that "
           "keeps the grid within half the SMs and four steps per walker, "
           "when that brings the grid to a quarter of the SMs or more; 1: "
           "none; or a power of two up to the SMs">,
    Option<"stages", "stages", "int64_t", /*default=*/"0",
           "K/V shared-memory buffers: 2, 3, or 0 (auto): 2 for CTAs of "
           "rows (3 measured 10-17% slower at head_dim 128 on an H100 and "
           "an H200), 3 for key splits where shared memory holds them (7-18% "
           "faster decoding on an H100; docs/performance.md and "
           "docs/performance-history.md)">,
  ];
}

#endif // S2ATTN_CONVERSION_PASSES_TD
