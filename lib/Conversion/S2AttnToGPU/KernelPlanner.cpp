//===- KernelPlanner.cpp - a kernel plan from a problem and the chip ------===//
//
// What convert-s2attn-to-gpu decides before it emits a kernel: the rows of a
// CTA, how many stay resident per SM, GQA packing, key, cluster and grid
// splits, the launch order, all from the problem, the pattern and the
// target model (the measurements behind each rule are cited where it is).
//
//===----------------------------------------------------------------------===//

#include "KernelPlanner.h"

#include "s2attn/Reference/Analysis.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::s2attn;

namespace ref = ::s2attn::ref;

namespace {

/// Merge-Q tiles hold several block rows, which shares every key tile among
/// them; without KV-cache efficiency the rows' lists differ too much to merge.
bool mergeQueryRows(AttentionOp op, const ref::BlockPattern &pattern,
                    const PatternContext &context) {
  ref::PatternStats stats = ref::analyzePattern(
      pattern, context.heads, context.kvHeads,
      std::min<int64_t>(context.qBlocks.value_or(64), 512),
      std::min<int64_t>(context.kvBlocks.value_or(64), 512));
  return stats.kvCacheEfficient;
}

/// The closed form of a local-stride or dense pattern, when tiles are blocks.
std::optional<ref::LocalStrideParams>
closedFormOf(AttentionOp op, const FlashKernelConfig &config) {
  if (config.qTile != config.block)
    return std::nullopt;
  Attribute pattern = op.getPattern();
  ref::LocalStrideParams params;
  if (isa<DenseAttr>(pattern)) {
    // Stride 1: every block is a stripe.
    params.blockSize = config.block;
    params.causal = config.causal;
    params.vertPosition = ref::VertPosition::Absolute;
  } else if (auto localStride = dyn_cast<LocalStrideAttr>(pattern)) {
    params = localStride.toParams(config.causal);
  } else {
    return std::nullopt;
  }
  return params.resolved(config.heads);
}

/// Query heads that can share a CTA of `ctaRows` rows: the whole KV group,
/// or its first `most` heads (a power of two; 0: no limit), when every head
/// of the group has the same pattern and the heads fit the rows.
int64_t packableHeads(AttentionOp op, const FlashKernelConfig &config,
                      int64_t ctaRows, int64_t most) {
  int64_t group = config.heads / config.kvHeads;
  // Only a power of two divides into CTAs that each hold one KV group's
  // heads.
  if (group == 1 || !llvm::isPowerOf2_64(group))
    return 1;
  if (most > 0)
    group = std::min(group, most);
  if (group == 1 || group > ctaRows)
    return 1;
  if (auto mask = dyn_cast<BlockMaskAttr>(op.getPattern()))
    if (mask.getNumMaskHeads() != 1 && mask.getNumMaskHeads() != config.kvHeads)
      return 1;
  return group;
}

/// Shared memory one CTA of `config` takes from its SM: its dynamic shared
/// memory and the 1 KiB the SM reserves per CTA.
int64_t sharedBytesPerCTA(const FlashKernelConfig &config) {
  return config.sharedMemoryBytes() + 1024;
}

/// CTAs of `config` whose shared memory fits one SM. The target's per-CTA
/// limit also budgets the SM: 1 KiB under an H100's 228 KiB, which covers
/// the kernel's static shared byte and the allocation granularity (the
/// occupancy API agreed at 57344 and 81920 bytes a CTA on an H200).
int64_t ctasBySharedMemory(const FlashKernelConfig &config,
                           const TargetModel &target) {
  return target.fastMemoryBytes / sharedBytesPerCTA(config);
}

/// FlashKernelConfig::residentCTAs: the count asked for, or else the
/// registers' limit unless shared memory holds fewer.
int64_t residentCTAsPerSM(const FlashKernelConfig &config,
                          const TargetModel &target, int64_t requested) {
  if (requested > 0)
    return requested;
  return std::max<int64_t>(1, std::min(config.ctasByRegisters(),
                                       ctasBySharedMemory(config, target)));
}

/// CTAs of `config` the whole chip runs at once: one wave.
int64_t ctasPerWave(const FlashKernelConfig &config,
                    const TargetModel &target) {
  return target.multiprocessors * config.residentCTAs;
}

/// The fewest (batch, head group) slices, dividing them all, whose chunks
/// fill the chip's first wave of CTAs. Fewer would leave long rows for the
/// last wave; more would spread the running CTAs' K/V reads over more heads
/// than L2 holds.
int64_t waveFillingSlices(const FlashKernelConfig &config,
                          const TargetModel &target) {
  int64_t slices = config.headGroups() * config.batch;
  int64_t needed =
      llvm::divideCeil(ctasPerWave(config, target), config.numChunks);
  for (int64_t group = 1; group < slices; ++group)
    if (slices % group == 0 && group >= needed)
      return group;
  return slices;
}

/// Sets the rows of a CTA and what follows from them: the CTAs an SM holds,
/// GQA packing and the chunks along the sequence.
void layOutCTAs(AttentionOp op, FlashKernelConfig &config, int64_t ctaRows,
                const KernelChoices &choices) {
  config.ctaRows = ctaRows;
  config.residentCTAs =
      residentCTAsPerSM(config, choices.target, choices.ctasPerSM);
  config.packedHeads =
      choices.packGQA
          ? packableHeads(op, config, config.ctaRows, choices.packedHeads)
          : 1;
  config.firstChunk = ref::floorDiv(config.qStart, config.ctaPositions());
  config.numChunks =
      ref::floorDiv(config.qStart + config.qLen - 1, config.ctaPositions()) -
      config.firstChunk + 1;
}

/// Decoding: the rows of a key-split CTA, 16 or 32, when every query of a
/// tile, with the heads packed with it, fits them and such a CTA packs as
/// many heads as a wide one (a larger group would lose its shared K/V
/// loads); 0 otherwise. One or two warps would then walk each row alone, a
/// chain of dependent steps, and a 64-row CTA would compute idle rows;
/// FlashKernelConfig::keySplits warps split the keys instead.
int64_t keySplitRows(AttentionOp op, const FlashKernelConfig &config,
                     const KernelChoices &choices) {
  auto packed = [&](int64_t rows) -> int64_t {
    return choices.packGQA
               ? packableHeads(op, config, rows, choices.packedHeads)
               : 1;
  };
  int64_t widePacked = packed(std::min<int64_t>(config.qTile, 128));
  for (int64_t rows : {16, 32}) {
    if (rows > config.qTile)
      break;
    if (packed(rows) == widePacked && config.qLen * packed(rows) <= rows)
      return rows;
  }
  return 0;
}

/// Makes `config` a key-split CTA of four warps on `rows` rows when shared
/// memory holds it as many times per SM as `ctas-per-sm` asks (once by
/// default); otherwise leaves it as it was. Steps of at most 32 keys keep
/// four warps' own two stages in 128 KiB at head_dim 128.
bool splitKeys(FlashKernelConfig &config, const KernelChoices &choices,
               int64_t rows) {
  int64_t kvChunk = config.kvChunk, ctaRows = config.ctaRows;
  config.keySplits = 64 / rows;
  config.kvChunk = std::min<int64_t>(config.block, 32);
  config.ctaRows = rows;
  if (ctasBySharedMemory(config, choices.target) >=
      std::max<int64_t>(1, choices.ctasPerSM))
    return true;
  config.keySplits = 1;
  config.kvChunk = kvChunk;
  config.ctaRows = ctaRows;
  return false;
}

/// splitKeys, with three stages when `stages` is auto and they fit: a
/// key-split warp keeps one tile in flight per stage beyond the first, and
/// decoding was 7-18% faster with three than with two on an H100
/// (docs/performance.md).
bool splitKeysWithStages(FlashKernelConfig &config,
                         const KernelChoices &choices, int64_t rows) {
  if (choices.stages == 0) {
    config.numStages = 3;
    if (splitKeys(config, choices, rows))
      return true;
    config.numStages = 2;
  }
  return splitKeys(config, choices, rows);
}

/// CTAs that clusters may bring a grid to. CTAs of rows compute: up to one
/// wave. Key-split CTAs stream K/V: 32 to 64 of them reached 2.9-3.0 TB/s
/// on an H100 (one per SM), and 128 were 5-12% slower than 32 or 64 for the
/// merging (docs/performance.md), so up to half the SMs.
int64_t clusterGridLimit(const FlashKernelConfig &config,
                         const TargetModel &target) {
  if (config.keySplits > 1)
    return target.multiprocessors / 2;
  return ctasPerWave(config, target);
}

/// The largest power of two n where `fits(n)` holds and each of the n
/// times `walkersPerSplit` walkers of a tile keeps at least four steps of
/// its longest row (`longestRowSteps`, asked for only when n = 2 fits: it
/// needs the schedule).
int64_t largestSplits(function_ref<bool(int64_t)> fits, int64_t walkersPerSplit,
                      function_ref<int64_t()> longestRowSteps) {
  constexpr int64_t minStepsPerWalker = 4;
  if (!fits(2))
    return 1;
  int64_t steps = longestRowSteps();
  int64_t splits = 1;
  while (fits(2 * splits) &&
         2 * splits * walkersPerSplit * minStepsPerWalker <= steps)
    splits *= 2;
  return splits;
}

/// FlashKernelConfig::clusterSplits: the largest power of two that the
/// target's clusters hold, that keeps the grid within clusterGridLimit, and
/// that leaves every walker (a key-split warp, or a CTA) at least four
/// steps of the longest row. Problems of many tiles (prefill) fill the chip
/// without and keep 1.
int64_t clusterSplitsFor(const FlashKernelConfig &config,
                         const TargetModel &target,
                         function_ref<int64_t()> longestRowSteps) {
  auto fits = [&](int64_t splits) {
    return splits <= target.maxClusterCTAs &&
           splits * config.numWorkItems() <= clusterGridLimit(config, target);
  };
  return largestSplits(fits, config.keySplits, longestRowSteps);
}

/// The CTAs' softmax states (FlashKernelConfig::splitScratchWords) fit in
/// the K/V stages they overwrite after the walk.
bool clusterScratchFits(const FlashKernelConfig &config) {
  return config.splitScratchWords() * 4 <=
         config.kvBuffers() * config.kvStageBytes();
}

/// A key-split (decoding) kernel whose clusters are the largest the target
/// has (one CTA where it has none): more SMs need more clusters.
bool decodingAtLargestClusters(const FlashKernelConfig &config,
                               const TargetModel &target) {
  return config.keySplits > 1 &&
         config.clusterSplits == std::max<int64_t>(1, target.maxClusterCTAs);
}

/// FlashKernelConfig::gridSplits for a key-split kernel whose clusters are
/// at their largest (or that has none): the largest power of two that keeps
/// the grid within clusterGridLimit and every walker at four steps of the
/// longest row, when that brings the grid to a quarter of the
/// SMs or more; else 1. On an H100, MQA decoding (32 heads on one KV head)
/// took 49 us instead of 135 at 128k keys and 24 instead of 42 at 32k with
/// four clusters of 16 (64 CTAs); two (32 CTAs) gained less than the
/// sub-groups of decodingPackedHeads, and the global merge cost more than
/// it saved at 8k (docs/performance.md).
int64_t gridSplitsFor(const FlashKernelConfig &config,
                      const TargetModel &target,
                      function_ref<int64_t()> longestRowSteps) {
  if (!decodingAtLargestClusters(config, target))
    return 1;
  int64_t grid = config.numWorkItems() * config.clusterSplits;
  auto fits = [&](int64_t splits) {
    return splits * grid <= clusterGridLimit(config, target);
  };
  int64_t splits = largestSplits(fits, config.keyWalkers(), longestRowSteps);
  return splits * grid >= target.multiprocessors / 4 ? splits : 1;
}

/// Decoding with few KV heads (MQA; GQA on one or two KV heads at batch 1):
/// each tile's cluster, at its largest, still leaves most SMs idle. A KV
/// group's query heads then go to CTAs of half as many heads, doubling the
/// SMs that stream the group's K/V (the second reads it from L2), while the
/// grid stays within a quarter of the SMs. On an H100, MQA decoding (32
/// heads on one KV head, 8k-128k keys) took 1.4-1.85x less time on 32 CTAs
/// than on 16; 64 were no faster, and 18-21% slower for GQA on two KV heads
/// at 128k (docs/performance.md). Returns the heads a CTA should pack.
int64_t decodingPackedHeads(const FlashKernelConfig &config,
                            const TargetModel &target) {
  int64_t packed = config.packedHeads;
  int64_t grid = config.numWorkItems() * config.ctasPerItem();
  if (!decodingAtLargestClusters(config, target))
    return packed;
  while (packed > 1 && 2 * grid <= target.multiprocessors / 4) {
    packed /= 2;
    grid *= 2;
  }
  return packed;
}

/// The lengths (entries) of the schedule rows of `config`'s tiles.
struct RowLengths {
  int64_t rows = 0, longest = 0, total = 0;
};

RowLengths rowLengths(AttentionOp op, const FlashKernelConfig &config,
                      const ref::BlockPattern &pattern) {
  // Closed-form rows have no schedule of their own; a CSR one (megabytes at
  // long sequences) is read where it is.
  std::optional<ref::BlockSchedule> built;
  if (!config.schedule)
    built = ref::buildSchedule(pattern, *op.getStaticProblemShape(),
                               *op.getStaticPositions(), config.qTile);
  const ref::BlockSchedule &schedule = built ? *built : *config.schedule;
  RowLengths lengths;
  lengths.rows = schedule.numRows();
  for (int64_t row = 0; row < lengths.rows; ++row) {
    lengths.longest = std::max(lengths.longest, schedule.rowLength(row));
    lengths.total += schedule.rowLength(row);
  }
  return lengths;
}

/// Steps (of kvChunk keys) of the longest row a CTA of `config` walks.
int64_t longestRowSteps(AttentionOp op, const FlashKernelConfig &config,
                        const ref::BlockPattern &pattern) {
  return rowLengths(op, config, pattern).longest * config.chunksPerBlock();
}

/// Causal CTAs of rows, fewer than 8 waves of them, whose rows are nearly
/// even (the longest at most 1.5 times the mean, as in short S2 rows, not
/// dense causal ones). Launching the longest rows first over all heads at
/// once, rather than in groups of heads that fill a wave, then leaves only
/// the short first rows for the last wave. On an H100 that made S2 B64 L8
/// V16 at 4k 2.4% faster and left B64 L16 V8 and B128 L8 V8 within 0.5%; at
/// 16k (31 waves) all patterns lost 2-4%, dense 4k 2%, as the running CTAs'
/// K/V spread over more heads than L2 holds (docs/performance.md).
bool evenRowsInFewWaves(AttentionOp op, const FlashKernelConfig &config,
                        const ref::BlockPattern &pattern,
                        const TargetModel &target) {
  if (!config.longestFirst || config.keySplits > 1 || config.persistent ||
      config.numWorkItems() >= 8 * ctasPerWave(config, target))
    return false;
  RowLengths lengths = rowLengths(op, config, pattern);
  return lengths.rows > 0 &&
         2 * lengths.longest * lengths.rows <= 3 * lengths.total;
}

/// FlashKernelConfig::launchGroupSlices: all slices at once for even rows in
/// few waves, else waveFillingSlices.
int64_t launchGroupSlices(AttentionOp op, const FlashKernelConfig &config,
                          const ref::BlockPattern &pattern,
                          const TargetModel &target) {
  if (evenRowsInFewWaves(op, config, pattern, target))
    return config.headGroups() * config.batch;
  return waveFillingSlices(config, target);
}

/// Fewer than 16 waves of CTAs on the chip. There an 8-warp CTA (one per
/// SM at head_dim 128) leaves each CTA's start and the last wave exposed,
/// and two 4-warp CTAs per tile were 7% faster on an H100 (block 128, 4k);
/// from 31 waves up they were no faster, and 3% slower at 128k, as each
/// K/V tile then travels to two CTAs (docs/performance-history.md).
bool fewWaves(const FlashKernelConfig &config, const TargetModel &target) {
  return config.numWorkItems() < 16 * ctasPerWave(config, target);
}

/// FlashKernelConfig::persistentCTAs: `requested`, or one wave when 0, and
/// no more than there are items.
int64_t persistentGrid(const FlashKernelConfig &config,
                       const TargetModel &target, int64_t requested) {
  int64_t ctas = requested > 0 ? requested : ctasPerWave(config, target);
  return std::min(ctas, config.numWorkItems());
}

} // namespace

/// planKernel for `choices` as given (no second look at packed heads).
static FailureOr<FlashKernelConfig>
planForChoices(AttentionOp op, const KernelChoices &choices) {
  StringRef scheduleChoice = choices.schedule;
  if (op.hasPureTensorSemantics())
    return op.emitOpError("convert-s2attn-to-gpu needs memref operands; "
                          "bufferize first"),
           failure();
  std::optional<ref::ProblemShape> shape = op.getStaticProblemShape();
  std::optional<ref::Positions> positions = op.getStaticPositions();
  if (!shape || !positions)
    return op.emitOpError("the GPU backend needs static shapes and "
                          "positions; got ")
               << op.getQuery().getType() << " and " << op.getKey().getType(),
           failure();
  Type elementType = op.getQueryType().getElementType();
  if (!elementType.isF16() && !elementType.isBF16())
    return op.emitOpError("the GPU backend computes in f16 or bf16 (mma.sync "
                          "m16n8k16), got ")
               << elementType << "; use the CPU pipeline for f32",
           failure();
  if (shape->headDim != 64 && shape->headDim != 128)
    return op.emitOpError("head_dim ")
               << shape->headDim
               << " is not supported by the GPU backend yet (64 or 128); "
                  "use the CPU pipeline",
           failure();

  PatternContext context = op.getPatternContext();
  std::unique_ptr<ref::BlockPattern> pattern =
      op.getPattern().buildReference(context);
  FlashKernelConfig config;
  config.batch = shape->batch;
  config.qLen = shape->qLen;
  config.kvLen = shape->kvLen;
  config.heads = shape->heads;
  config.kvHeads = shape->kvHeads;
  config.headDim = shape->headDim;
  config.causal = op.getCausal();
  config.qStart = positions->resolvedQStart(*shape, config.causal);
  config.kvStart = positions->kvStart;
  config.scale = op.getScaleOrDefault();
  config.block = pattern->blockSize();
  config.kvChunk = std::min<int64_t>(config.block, 64);
  config.qTile = config.block;
  if (config.block < 64 && mergeQueryRows(op, *pattern, context))
    config.qTile = 64;
  config.elementType = elementType;
  config.hasLse = op.getLse() != nullptr;
  if (config.qStart < 0)
    return op.emitOpError("query positions start at ")
               << config.qStart << " < 0; give q_start >= 0",
           failure();
  config.firstQTile = ref::floorDiv(config.qStart, config.qTile);
  config.numQTiles =
      ref::floorDiv(config.qStart + config.qLen - 1, config.qTile) -
      config.firstQTile + 1;
  if (scheduleChoice == "closed-form") {
    // Closed forms describe one block row per tile.
    config.qTile = config.block;
    config.firstQTile = ref::floorDiv(config.qStart, config.qTile);
    config.numQTiles =
        ref::floorDiv(config.qStart + config.qLen - 1, config.qTile) -
        config.firstQTile + 1;
  }
  if (scheduleChoice != "exact")
    config.closedForm = closedFormOf(op, config);
  if (scheduleChoice == "closed-form" && !config.closedForm)
    return op.emitOpError("schedule=closed-form needs a local_stride or "
                          "dense pattern; use schedule=exact for ")
               << op.getPattern(),
           failure();
  if (!config.closedForm) {
    config.schedule =
        ref::buildSchedule(*pattern, *shape, *positions, config.qTile);
    // One head's rows for all when they repeat (16 MB of a dense block-32
    // schedule at 16k tokens and 32 heads becomes 0.5 MB of cubin).
    ref::shareRowsAcrossHeads(*config.schedule);
  }
  config.numStages = choices.stages == 0 ? 2 : choices.stages;
  config.longestFirst = choices.longestFirst && config.causal;
  config.peelDiagonal = choices.peelDiagonal;
  config.persistent = choices.persistent;
  int64_t ctaRows = choices.ctaRows;
  int64_t splitRows = keySplitRows(op, config, choices);
  if (ctaRows == 0 && !config.persistent && splitRows &&
      splitKeysWithStages(config, choices, splitRows)) {
    ctaRows = splitRows;
  } else if (ctaRows == 0) {
    // 8 warps at most: at head_dim 128 a 16-warp CTA would need more
    // registers than an SM holds.
    ctaRows = std::min<int64_t>(config.qTile, 128);
    layOutCTAs(op, config, ctaRows, choices);
    if (ctaRows > 64 && fewWaves(config, choices.target))
      ctaRows = 64;
  }
  layOutCTAs(op, config, std::min(config.qTile, ctaRows), choices);
  int64_t fit = ctasBySharedMemory(config, choices.target);
  if (config.residentCTAs > fit)
    return op.emitOpError("ctas-per-sm = ")
               << config.residentCTAs << " needs "
               << config.residentCTAs * sharedBytesPerCTA(config)
               << " bytes of shared memory per SM ("
               << sharedBytesPerCTA(config) << " a CTA, 1 KiB reserved); "
               << choices.target.name << " is budgeted "
               << choices.target.fastMemoryBytes << ", which holds " << fit
               << " of these CTAs",
           failure();
  config.launchGroupSlices =
      launchGroupSlices(op, config, *pattern, choices.target);
  if (choices.clusterSplits > 1 && !clusterScratchFits(config))
    return op.emitOpError("cluster-splits = ")
               << choices.clusterSplits << " needs each CTA's "
               << config.scratchSlots()
               << " softmax states in its K/V stages after the walk ("
               << config.splitScratchWords() * 4 << " bytes), which hold "
               << config.kvBuffers() * config.kvStageBytes() << " with "
               << config.ctaRows
               << "-row CTAs; use cta-rows=64 or cluster-splits=1",
           failure();
  if (!config.persistent && clusterScratchFits(config))
    config.clusterSplits = choices.clusterSplits > 0
                               ? choices.clusterSplits
                               : clusterSplitsFor(config, choices.target, [&] {
                                   return longestRowSteps(op, config, *pattern);
                                 });
  if (choices.gridSplits > 1 && config.keySplits == 1)
    return op.emitOpError("grid-splits = ")
               << choices.gridSplits
               << " applies to decoding kernels (key splits), and this "
                  "problem's "
               << config.ctaRows
               << "-row CTAs compute rows; use grid-splits=0 or 1",
           failure();
  if (config.keySplits > 1)
    config.gridSplits = choices.gridSplits > 0
                            ? choices.gridSplits
                            : gridSplitsFor(config, choices.target, [&] {
                                return longestRowSteps(op, config, *pattern);
                              });
  if (config.persistent)
    config.persistentCTAs =
        persistentGrid(config, choices.target, choices.persistentCTAs);
  return config;
}

FailureOr<FlashKernelConfig>
mlir::s2attn::planKernel(AttentionOp op, const KernelChoices &choices) {
  FailureOr<FlashKernelConfig> config = planForChoices(op, choices);
  if (failed(config) || choices.packedHeads != 0 || choices.clusterSplits != 0)
    return config;
  // A decoding tile on few SMs whose clusters are at their largest goes to
  // CTAs of fewer heads, which puts more SMs on the shared K/V: the plan is
  // made again for that many.
  int64_t packed = decodingPackedHeads(*config, choices.target);
  if (packed >= config->packedHeads)
    return config;
  KernelChoices fewer = choices;
  fewer.packedHeads = packed;
  return planForChoices(op, fewer);
}
