//===- FlashKernel.h - the mma.sync S2 attention kernel ---------*- C++ -*-===//
//
// Builds the body of a FlashAttention-2-style forward kernel that walks a
// constant block schedule. The target-independent decisions (tiles, the
// schedule) come in a FlashKernelConfig; the warp-level matrix instructions
// live behind MmaSyncFragments so that another MMA strategy (wgmma) can reuse
// the loads, the schedule walk and the softmax.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_CONVERSION_S2ATTNTOGPU_FLASHKERNEL_H
#define S2ATTN_CONVERSION_S2ATTNTOGPU_FLASHKERNEL_H

#include "s2attn/Reference/Schedule.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <algorithm>
#include <optional>
#include <string>

namespace mlir::s2attn {

/// Everything the kernel generator needs; all static.
struct FlashKernelConfig {
  int64_t batch = 1, qLen = 0, kvLen = 0, heads = 1, kvHeads = 1, headDim = 0;
  int64_t qStart = 0, kvStart = 0;
  bool causal = true;
  double scale = 1.0;
  /// The pattern's block; schedule entries are blocks of this many keys.
  int64_t block = 64;
  /// Query positions per schedule tile, aligned to absolute positions (the
  /// block, or several blocks under Merge-Q).
  int64_t qTile = 64;
  /// Rows a CTA computes, 16 per warp (per keySplits warps); divides
  /// qTile. Without head packing they are ctaRows positions of one query
  /// head.
  int64_t ctaRows = 64;
  /// Query heads of one KV group that share a CTA (GQA packing): its rows
  /// are ctaRows / packedHeads positions x packedHeads heads, so every K/V
  /// tile a CTA loads serves the whole group.
  int64_t packedHeads = 1;
  /// Keys per inner step; divides `block`.
  int64_t kvChunk = 64;
  /// Warps that compute the same 16 rows on different keys: warp w holds
  /// rows 16 (w % rowWarps()) and is split w / rowWarps(); split s walks
  /// steps s, s + keySplits, ... with K/V stages of its own, which its
  /// rowWarps() warps fill and read together (one load of each chunk for
  /// all the rows), and the splits' softmax states merge at the end. A
  /// decode tile (every query row of the CTA in one or two warps' 16) would
  /// otherwise be a chain of steps per warp, with warps idle; 1 elsewhere.
  int64_t keySplits = 1;
  /// sm_90 thread block clusters: CTAs of one cluster that split each tile's
  /// walk further. CTA r's split s walks steps r * keySplits + s,
  /// + keySplits * clusterSplits, ... (without key splits, all its warps
  /// walk r, r + clusterSplits, ...); the CTAs' states meet in the first
  /// CTA's registers through distributed shared memory. 1 elsewhere.
  int64_t clusterSplits = 1;
  /// Key-split tiles only: clusters (or, without clusters, CTAs) of one
  /// tile that split its walk once more, over the whole grid: cluster g's
  /// CTA r, split s walks steps (g * clusterSplits + r) * keySplits + s,
  /// + keyWalkers(), ... Each cluster's merged state goes to a scratch in
  /// the kernel module's global memory; the cluster that counts in last
  /// (an atomic counter per tile and row warp, which it resets) merges them
  /// and writes the rows. 1 elsewhere.
  int64_t gridSplits = 1;
  Type elementType;
  bool hasLse = false;
  /// Schedule tiles t in [firstQTile, firstQTile + numQTiles) (absolute).
  int64_t firstQTile = 0;
  int64_t numQTiles = 0;
  /// CTAs along the sequence: chunks of ctaPositions() positions
  /// [firstChunk, firstChunk + numChunks) (absolute).
  int64_t firstChunk = 0;
  int64_t numChunks = 0;
  /// Causal rows grow with the position: CTAs start on the last chunk. They
  /// walk the chunks from the last down across `launchGroupSlices` (batch,
  /// head group) slices at a time, then go on to the next slices; enough
  /// slices for one wave of CTAs keep every long row out of the last wave,
  /// and no more keep the K/V the running CTAs read within L2.
  bool longestFirst = false;
  int64_t launchGroupSlices = 1;
  /// Off: one CTA per work item (chunk, head group, batch). On:
  /// persistentCTAs CTAs (one wave) take the items of the launch order in
  /// turn; each loads the next item's Q and first K/V tiles during the last
  /// step of the current one, which hides a CTA's start on short rows.
  /// Needs two K/V stages.
  bool persistent = false;
  int64_t persistentCTAs = 0;
  /// Exactly one of the two says where each row's key blocks are: constant
  /// CSR rows, or a local-stride pattern (resolved; dense is stride 1) whose
  /// rows the kernel computes in closed form, so that long sequences need no
  /// schedule in memory. The closed form needs one block row per query tile
  /// (no Merge-Q).
  std::optional<::s2attn::ref::BlockSchedule> schedule;
  std::optional<::s2attn::ref::LocalStrideParams> closedForm;

  int64_t ctaPositions() const { return ctaRows / packedHeads; }
  int64_t headGroups() const { return heads / packedHeads; }
  int64_t numWorkItems() const { return numChunks * headGroups() * batch; }
  /// CTAs the kernel asks to keep resident per SM (nvvm.minctasm), which
  /// caps ptxas's registers per thread at 64K / (residentCTAs * threads).
  /// Set by the planner: the count the ctas-per-sm option asks for, or else
  /// ctasByRegisters() unless the chip's shared memory holds fewer.
  int64_t residentCTAs = 1;
  /// The most CTAs per SM whose register cap usually keeps the kernel
  /// spill-free and fast: 128 registers a thread at head_dim 64, 255 at
  /// head_dim 128. Where ptxas still spills (some head_dim 64 shapes), the
  /// artifact compiles again for fewer (KernelArtifact.cpp,
  /// retry-on-spills.test). A variant with the Q
  /// tile in a K/V stage, which fits three 4-warp CTAs at head_dim 128 in
  /// shared memory, spilled one value at their 168 registers and ran 6-9%
  /// slower on an H100 (docs/performance.md).
  int64_t ctasByRegisters() const {
    int64_t threadsPerSM = headDim == 64 ? 512 : 256;
    return std::max<int64_t>(1, threadsPerSM / numThreads());
  }
  /// 32-bit words of a lane's softmax state: two rows' max and sum, and its
  /// O accumulator.
  int64_t softmaxStateWords() const { return 4 + headDim / 2; }
  /// Softmax states the scratch over the K/V stages holds at the end: the
  /// key splits' warps but the first; under cluster splits alone, every
  /// warp's.
  int64_t scratchSlots() const {
    return keySplits > 1 ? (keySplits - 1) * rowWarps() : numWarps();
  }
  /// 32-bit words of that scratch (a slot holds every lane's state); it
  /// lies over the K/V stages, which it must fit.
  int64_t splitScratchWords() const {
    return scratchSlots() * softmaxStateWords() * 32;
  }
  /// Walkers of one tile's keys, side by side: key-split warps, or CTAs of a
  /// cluster (all their warps together), or both.
  int64_t keyWalkers() const { return keySplits * clusterSplits * gridSplits; }
  /// CTAs per work item along the grid's x.
  int64_t ctasPerItem() const { return clusterSplits * gridSplits; }
  /// Warps that hold different rows.
  int64_t rowWarps() const { return ctaRows / 16; }
  int64_t numWarps() const { return rowWarps() * keySplits; }
  int64_t numThreads() const { return numWarps() * 32; }
  int64_t chunksPerBlock() const { return block / kvChunk; }
  int64_t elementBytes() const { return 2; }
  int64_t kvStageBytes() const {
    return 2 * kvChunk * headDim * elementBytes();
  }
  int64_t qTileBytes() const { return ctaRows * headDim * elementBytes(); }
  /// Every key chunk a walk loads lies within the keys (walks list only
  /// blocks that meet them), so its copies need no bounds check.
  bool keyChunksInBounds() const {
    return kvStart % block == 0 && kvLen % block == 0;
  }
  /// Every CTA's query positions lie within the queries.
  bool queryChunksInBounds() const {
    return qStart % ctaPositions() == 0 && qLen % ctaPositions() == 0;
  }
  /// The planner's permission for peelsDiagonal (pass option peel-diagonal).
  bool peelDiagonal = true;
  /// The walk's last step is the causal diagonal chunk of every CTA, and
  /// no earlier step needs the token mask: causal rows in closed form, one
  /// CTA row per key of a chunk (ctaRows == kvChunk, no packed heads),
  /// positions aligned to chunks and in bounds, one walker per tile. The
  /// kernel then walks the first step before the loop on a fresh softmax
  /// state (no rescale), the steps between unmasked, and the diagonal after
  /// the loop, where the warp of rows 16w..16w+15 computes only the
  /// 16(w + 1) keys its rows can see.
  bool peelsDiagonal() const {
    return peelDiagonal && causal && closedForm && !persistent &&
           packedHeads == 1 && keyWalkers() == 1 && ctaRows == kvChunk &&
           keyChunksInBounds() && queryChunksInBounds() &&
           qStart % kvChunk == 0 && qStart >= kvStart &&
           qStart + qLen <= kvStart + kvLen;
  }
  /// K/V buffers in flight: the kernel loads numStages - 1 steps ahead.
  int64_t numStages = 2;
  /// K/V stage buffers in shared memory: numStages for each key split,
  /// which its warps (one per 16 rows) fill and read together.
  int64_t kvBuffers() const {
    return keySplits > 1 ? numStages * keySplits : numStages;
  }
  int64_t queryTileOffset() const { return kvBuffers() * kvStageBytes(); }
  /// A persistent CTA stages O in the K/V stage its last step read, when
  /// O fits there; otherwise in a buffer of its own after the Q tile (the Q
  /// tile may be receiving the next item's rows).
  bool stagesOutputInKV() const { return ctaRows <= 2 * kvChunk; }
  int64_t outputStagingOffset() const {
    return queryTileOffset() + qTileBytes();
  }
  /// The K/V stages, the Q tile, and a persistent CTA's O buffer.
  int64_t sharedMemoryBytes() const {
    bool ownOutputBuffer = persistent && !stagesOutputInKV();
    return outputStagingOffset() + (ownOutputBuffer ? qTileBytes() : 0);
  }
};

/// Emits into `module` the schedule globals and a `gpu.func` named `name`
/// computing the attention of `config`. The function takes q, k, v, out and,
/// when `config.hasLse`, lse as static-shape memrefs.
gpu::GPUFuncOp buildFlashKernel(OpBuilder &builder, Location loc,
                                gpu::GPUModuleOp module, StringRef name,
                                const FlashKernelConfig &config);

} // namespace mlir::s2attn

#endif // S2ATTN_CONVERSION_S2ATTNTOGPU_FLASHKERNEL_H
