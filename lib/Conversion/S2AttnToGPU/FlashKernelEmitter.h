//===- FlashKernelEmitter.h - the kernel emitter's parts ---------*- C++ -*-===//
//
// The emitter behind buildFlashKernel, shared by the files that write its
// parts: FlashKernel.cpp (tiles, copies, the row walk), FlashKernelOutput.cpp
// (the epilogue), SplitWalks.cpp (warps and CTAs that share a walk: key and
// cluster splits, and merging their states) and FlashKernelGrid.cpp (which
// work item a CTA takes, and the two grids).
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_FLASHKERNELEMITTER_H
#define S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_FLASHKERNELEMITTER_H

#include "s2attn/Conversion/S2AttnToGPU/FlashKernel.h"

#include "MmaSyncFragments.h"
#include "OnlineSoftmax.h"
#include "RowWalk.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <tuple>

namespace mlir::s2attn {

/// The rows one CTA computes at a time: ctaRows rows of one query tile of
/// one batch, of one query head or a packed GQA group.
struct WorkItem {
  Value batch, headGroup, firstHead, kvHead, chunkStart, qTileStart;
  /// The item's index among the grid's items (chunk-minor); set under grid
  /// splits only.
  Value ordinal;
  RowCoordinates where;
};

class FlashKernelEmitter {
public:
  FlashKernelEmitter(ImplicitLocOpBuilder &b, const FlashKernelConfig &config)
      : b(b), config(config) {}

  gpu::GPUFuncOp emit(gpu::GPUModuleOp module, StringRef name);

private:
  // Constants and scalar helpers.
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, value);
  }
  Value f32(double value) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(value));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value div(Value x, int64_t y) {
    return arith::DivUIOp::create(b, x, index(y));
  }
  Value rem(Value x, int64_t y) {
    return arith::RemUIOp::create(b, x, index(y));
  }
  Value cmp(arith::CmpIPredicate predicate, Value x, Value y) {
    return arith::CmpIOp::create(b, predicate, x, y);
  }
  Value i32(int64_t value) {
    return arith::ConstantOp::create(b, b.getI32IntegerAttr(int32_t(value)));
  }
  Value inRange(Value value, int64_t lower, int64_t upper);

  /// The (chunk, head group, batch) this CTA computes, chunks counted from
  /// firstChunk.
  std::tuple<Value, Value, Value> assignWork();
  /// Work item `linear` of the launch order (see
  /// FlashKernelConfig::longestFirst) as (chunk, head group, batch).
  std::tuple<Value, Value, Value> workInLaunchOrder(Value linear);
  WorkItem describeWork(std::tuple<Value, Value, Value> work);
  RowWalk buildWalk(const WorkItem &item);
  /// Steps of `chunksPerBlock` chunks per walk entry, less the trailing
  /// chunks no query of the CTA sees.
  Value countSteps(const WorkItem &item, const RowWalk &walk);

  Value sharedView(Value byteOffset, int64_t rows);
  /// The K and V tiles of K/V stage `stage` (any non-negative count).
  std::pair<Value, Value> stageTiles(Value stage);
  Value stageOffset(Value stage);

  /// A thread's share of moving a tile of `rows` rows in 16-byte chunks:
  /// copy i moves chunk `chunk` of tile row threadRow + i * rowsPerCopy.
  /// The swizzle repeats every 8 rows, so copy i's shared-memory column is
  /// columns[i % columns.size()]: one column when rowsPerCopy is a multiple
  /// of 8 (a CTA of 4 warps or more copying; one warp's own copies move 2 or
  /// 4 rows each and use 4 or 2 columns), and the row offsets fold into the
  /// address arithmetic.
  struct TileCopies {
    Value threadRow, chunk;
    SmallVector<Value, 8> columns;
    int64_t rowsPerCopy, count;
    Value column(int64_t copy) const {
      return columns[copy % columns.size()];
    }
  };
  /// The CTA's threads moving `rows` tile rows.
  TileCopies tileCopies(int64_t rows);
  /// `threads` threads (thread ids `thread`) moving the `rows` tile rows
  /// from `firstRow`.
  TileCopies tileCopies(Value firstRow, Value thread, int64_t threads,
                        int64_t rows);
  /// The sequence index and head of tile row threadRow + rowOffset, where
  /// tile row r holds sequence index firstRow + r / headsPerRow of head
  /// firstHead + r % headsPerRow.
  std::pair<Value, Value> tileRowSource(const TileCopies &copies,
                                        int64_t rowOffset, Value firstRow,
                                        Value firstHead, int64_t headsPerRow);
  /// Copies the tile rows `copies` moves from `source` into `tile` (rows
  /// laid out as in tileRowSource). Unless `inBounds` says every row lies in [0, length),
  /// rows outside it are zero-filled.
  void copyRowsAsync(Value source, Value tile, Value batch, Value firstRow,
                     const TileCopies &copies, int64_t length, bool inBounds,
                     Value firstHead, int64_t headsPerRow);
  /// The threads that move a K/V chunk: the CTA's, or under key splits the
  /// warp's.
  TileCopies keyValueCopies();
  /// The walk step of this thread's local step `step` (key splits interleave
  /// the warps' steps).
  Value walkStep(Value step);
  /// waitForCopies, or under key splits the same for the warp alone.
  void waitForStepCopies(int64_t pending);
  void syncWarp();
  void issueQueryLoad(const WorkItem &item);
  /// The K/V tiles of walk step `step` into K/V stage `stage`.
  void issueKVLoads(const WorkItem &item, const RowWalk &walk, Value step,
                    Value stage);
  /// The same when step < numSteps, then a commit group either way: one
  /// group per step, empty past the end, keeps the waits' counts ("all but
  /// the newest numStages - 2 groups" is this step's tiles).
  void issueKVLoadsIfAny(const WorkItem &item, const RowWalk &walk,
                         Value numSteps, Value step, Value stage);
  /// Key position of the first key of walk step `step`.
  Value chunkKeyPosition(const RowWalk &walk, Value step);
  /// The query position and head of this thread's row `8 * half`.
  Value queryPosition(const WorkItem &item, int half);
  Value queryHead(const WorkItem &item, int half);
  /// Waits until at most `pending` copy groups are in flight, then syncs
  /// the CTA so every thread sees the landed tiles.
  void waitForCopies(int64_t pending);

  /// Causal rows: key chunks of the walk's last entry that start after the
  /// CTA's last query, which a CTA with fewer rows than the tile (a 128-token
  /// block, or GQA packing) would otherwise load and mask out entirely.
  /// Walks list the highest block last (the closed form, and CSR rows unless
  /// a lower block needs the mask too); otherwise nothing is trimmed, which is
  /// still correct.
  Value maskedTrailingChunks(const WorkItem &item, const RowWalk &walk);

  /// Scores S = Q K^T of the first `keys` keys of a chunk, one
  /// vector<4xf32> per 8 keys.
  SmallVector<Value> computeScores(ArrayRef<AFragment> queryFragments,
                                   Value keyTile, int64_t keys);
  SmallVector<Value> maskScores(const WorkItem &item, ArrayRef<Value> scores,
                                Value chunkKeyPos, Value rowMask);

  /// This warp's rows of the landed Q tile, in registers.
  SmallVector<AFragment> loadQueryFragments();
  /// Masks (where the entry needs it) the scores of local step `step`,
  /// updates the softmax (scores scaled by `scoreScale`, scale * log2 e) and
  /// accumulates P V from `valueTile`.
  void accumulateStep(const WorkItem &item, const RowWalk &walk,
                      SoftmaxState &state, ArrayRef<Value> scores, Value step,
                      Value valueTile, Value scoreScale);
  /// O += P V over the first 8 * probabilities.size() keys of `valueTile`.
  void accumulateValues(SoftmaxState &state, ArrayRef<Value> probabilities,
                        Value valueTile);
  /// Once step `step`'s copies landed: issues the loads ahead
  /// (`issueAhead(step)`) and returns the K and V tiles of the step's stage,
  /// stepBase + step.
  std::pair<Value, Value> beginStep(Value step, Value stepBase,
                                    function_ref<void(Value step)> issueAhead);
  /// Peeled rows (FlashKernelConfig::peelsDiagonal): the flattened softmax
  /// state after step 0, walked on a fresh state when `hasFirst` holds, or
  /// the initial state.
  SmallVector<Value> walkFirstStep(ArrayRef<AFragment> queryFragments,
                                   Value hasFirst, Value stepBase,
                                   Value scoreScale,
                                   function_ref<void(Value step)> issueAhead);
  /// Peeled rows: the diagonal step `step`, each warp over the keys its
  /// rows see (diagonalOfWarp), into `state`.
  void walkDiagonalStep(const WorkItem &item, const RowWalk &walk,
                        ArrayRef<AFragment> queryFragments, SoftmaxState &state,
                        Value step, Value stepBase, Value scoreScale,
                        function_ref<void(Value step)> issueAhead);
  /// The diagonal chunk (first key `keyPos`) for the rows of warp `rowWarp`,
  /// 16 rowWarp to 16 rowWarp + 15: scores over the chunk's first
  /// 16 (rowWarp + 1) keys, masked on the last 16 of them, into `state`.
  SoftmaxState diagonalOfWarp(const WorkItem &item,
                              ArrayRef<AFragment> queryFragments,
                              SoftmaxState state, int64_t rowWarp,
                              Value keyTile, Value valueTile, Value keyPos,
                              Value scoreScale);
  /// Reads the landed Q tile into registers and walks the row: step s uses
  /// K/V stage stepBase + s, and first calls `issueAhead(s)`, which must
  /// commit the copy groups that keep one step in flight.
  SoftmaxState walkRow(const WorkItem &item, const RowWalk &walk,
                       Value numSteps, Value stepBase,
                       function_ref<void(Value step)> issueAhead);
  /// Normalizes this thread's O rows into tile rows of `staging` and
  /// stores their LSE.
  void stageOutput(const WorkItem &item, const SoftmaxState &final,
                   Value staging);
  /// Stores the LSE of row half `half` (of softmax sum `total`, nonzero
  /// when `hasKeys`) from one lane of each quad.
  void storeLogSumExp(const WorkItem &item, const SoftmaxState &final, int half,
                      Value total, Value hasKeys);
  /// Stores the staged tile rows `copies` moves to the output.
  void storeStagedOutput(const WorkItem &item, Value staging,
                         const TileCopies &copies);
  /// The whole CTA's O through `staging` (ctaRows rows of shared memory no
  /// copy is filling). `afterReads` runs once every warp is past its reads of
  /// the Q and K/V tiles.
  void writeOutput(const WorkItem &item, const SoftmaxState &final,
                   Value staging, function_ref<void()> afterReads);
  /// This warp's 16 rows of O, staged in its own rows of the Q tile (under
  /// key splits, the first warp's merged rows).
  void writeOutputOfWarp(const WorkItem &item, const SoftmaxState &final);

  /// Key splits: this warp's place among the tile's keyWalkers() warps.
  Value keyWalker();
  /// Key splits: this warp's share of `numSteps` walk steps.
  Value stepsOfWarp(Value numSteps);
  /// Key splits: a thread's softmax state as scalars (max, sum, O).
  SmallVector<Value> scalarsOf(const SoftmaxState &state);
  int64_t keySplitValues() const { return config.softmaxStateWords(); }
  /// The scratch (over the K/V stages) where splits 1.. leave their states,
  /// and this lane's word `value` of scratch slot `slot`.
  Value keySplitScratch();
  Value keySplitSlot(Value slot, int64_t value);
  /// The scratch slot of key split `split` (1 less than its index) for this
  /// warp's rows.
  Value splitSlot(Value split);
  /// Every warp but the first leaves its state in the scratch; the CTA
  /// syncs before and after.
  void publishKeySplit(const SoftmaxState &state);
  /// The first warp: its state merged with the others'.
  SoftmaxState mergeKeySplits(const SoftmaxState &own);
  /// States as scalarsOf lists, each relative to its own max, as one.
  SoftmaxState mergeStates(ArrayRef<SmallVector<Value>> states);
  /// Cluster splits: leaves `state` in scratch slot `slot`, where the first
  /// CTA reads it (under key splits the first warp's merged state in slot
  /// 0; otherwise every warp's own in slot `warp`).
  void publishClusterSplit(const SoftmaxState &state, Value slot);
  /// Cluster splits: every CTA's state in scratch slot `slot`, merged.
  SoftmaxState mergeClusterSplits(Value slot);
  /// Cluster splits, after publishClusterSplit: the first CTA's warps (those
  /// where `mergingWarp` holds, when given) merge and write their rows.
  void mergeClusterSplitsAndWrite(const WorkItem &item, Value slot,
                                  Value mergingWarp);
  /// This lane's first word of scratch slot `slot` (keySplitSlot(slot, 0))
  /// in the shared memory of cluster CTA `rank`.
  Value clusterSlot(Value rank, Value slot);
  /// barrier.cluster arrive (release) and wait (acquire) by every thread.
  void syncCluster();
  /// The merged state of a key-split walk's merging warp for row warp
  /// `rowWarp`, written: directly, or under grid splits left in the
  /// module's scratch, where the last of the tile's gridSplits to count in
  /// merges them all, writes the rows and resets the counter.
  void writeMergedRows(const WorkItem &item, const SoftmaxState &state,
                       Value rowWarp);
  /// Grid splits: the module's scratch (gridSplits states a slot) and
  /// counters (one a slot), and this warp's slot (tile, row warp).
  struct GridScratch {
    Value states, counters, slot;
  };
  GridScratch gridScratch(const WorkItem &item, Value rowWarp);
  /// This lane's word `value` of split `split`'s state in the slot.
  Value gridStateWord(const GridScratch &scratch, Value split, Value value);
  /// Leaves this warp's state for its split.
  void publishGridSplit(const GridScratch &scratch, const SoftmaxState &state);
  /// Adds this split to the slot's count (lane 0, an atomic after a release
  /// fence); true in every lane when it was the last of the gridSplits.
  Value countInLast(const GridScratch &scratch);
  /// The slot's gridSplits states, merged.
  SoftmaxState mergeGridSplits(const GridScratch &scratch);
  /// A state from scalarsOf's list.
  SoftmaxState stateOf(ValueRange scalars);

  /// One CTA per work item (the grid is the work).
  void emitOneItemPerCTA();
  /// config.persistentCTAs CTAs, each taking the items of the launch order
  /// in a snake and loading the next item's Q and first K/V tiles during
  /// the current item's last step.
  void emitPersistent();
  /// An item's first loads as two commit groups: Q, then K/V step 0 into
  /// K/V stage `stage`.
  void issueItemLoads(Value linear, Value stage);
  /// The next item's loads, or two empty groups when `hasNext` is false.
  void prefetchItem(Value hasNext, function_ref<Value()> nextLinear,
                    Value stage);

  // Per-thread state.
  Value lane, warp, warpFirstRow, rowInWarp;
  // Per CTA: its rank in its cluster, and its cluster's grid split.
  Value clusterRank, gridSplit;
  // Key splits: this warp's rows (of rowWarps()) and split.
  Value rowGroup, splitIndex;
  // Kernel-wide values.
  Value query, key, value, out, lse, shared, queryTile;
  gpu::GPUModuleOp module;
  StringRef name;
  MmaSyncFragments *fragments = nullptr;
  ImplicitLocOpBuilder &b;
  const FlashKernelConfig &config;
};


} // namespace mlir::s2attn

#endif // S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_FLASHKERNELEMITTER_H
