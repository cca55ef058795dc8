//===- GpuFlags.cpp - the GPU kernel flags of the tools -------------------===//

#include "GpuFlags.h"

#include "ProblemFlags.h"

namespace cl = llvm::cl;

namespace {

cl::OptionCategory gpuCategory(
    "GPU kernel (s2-compile, s2-run --target cuda; 0 or auto: the planner "
    "picks)");

cl::opt<std::string> chip("chip", cl::value_desc("SM"),
                          cl::desc("GPU to compile for: sm_80 or sm_90a "
                                   "(default)"),
                          cl::init("sm_90a"), cl::cat(gpuCategory));
cl::opt<std::string> schedule(
    "schedule",
    cl::desc("Row schedule: auto, exact (constant CSR) or closed-form"),
    cl::init("auto"), cl::cat(gpuCategory));
cl::opt<bool>
    packGQA("pack-gqa",
            cl::desc("Let a KV group's query heads share a CTA when they "
                     "share a pattern (default true)"),
            cl::init(true), cl::cat(gpuCategory));
cl::opt<int64_t> packedHeads(
    "packed-heads",
    cl::desc("Most query heads of a KV group a CTA packs: a power of "
             "two, or 0 (default, auto)"),
    cl::init(0), cl::cat(gpuCategory));
cl::opt<int64_t>
    stages("stages",
           cl::desc("K/V shared-memory buffers: 2, 3 or 0 (default, "
                    "auto: 3 for key splits, else 2)"),
           cl::init(0), cl::cat(gpuCategory));
cl::opt<bool> longestFirst(
    "longest-first",
    cl::desc("Launch the longest causal rows first (default true)"),
    cl::init(true), cl::cat(gpuCategory));
cl::opt<bool> peelDiagonal(
    "peel-diagonal",
    cl::desc("Peel the first step (fresh softmax state) and the causal "
             "diagonal chunk, each warp over the keys its rows see "
             "(default true)"),
    cl::init(true), cl::cat(gpuCategory));
cl::opt<int64_t>
    ctaRows("cta-rows",
            cl::desc("Most query rows per CTA: 64, 128 or 0 (auto, "
                     "the default: by the number of waves)"),
            cl::init(0), cl::cat(gpuCategory));
cl::opt<bool> persistent(
    "persistent",
    cl::desc("Experimental: one wave of CTAs that prefetch their next "
             "query tile, instead of one CTA per tile (default false)"),
    cl::init(false), cl::cat(gpuCategory));
cl::opt<int64_t> persistentCTAs(
    "persistent-ctas",
    cl::desc("CTAs of a persistent kernel: 0 (default, one wave) or "
             "that many (at most one per work item)"),
    cl::init(0), cl::cat(gpuCategory));
cl::opt<int64_t> clusterSplits(
    "cluster-splits",
    cl::desc("Thread block clusters that split each tile's walk when "
             "the tiles are too few to fill the chip (sm_90a): 0 "
             "(default, auto), 1 (none) or up to 16 CTAs"),
    cl::init(0), cl::cat(gpuCategory));
cl::opt<int64_t> gridSplits(
    "grid-splits",
    cl::desc("Decoding kernels: clusters per tile that split its walk "
             "across the grid, merging through module scratch: 0 "
             "(default, auto), 1 (none) or a power of two"),
    cl::init(0), cl::cat(gpuCategory));
cl::opt<int64_t> ctasPerSM(
    "ctas-per-sm",
    cl::desc("CTAs kept resident per SM, which caps registers per "
             "thread: 0 (default, auto) or a count shared memory holds"),
    cl::init(0), cl::cat(gpuCategory));
} // namespace

cl::OptionCategory &s2run::gpuFlagCategory() { return gpuCategory; }

llvm::Error s2run::rejectGpuFlags(llvm::StringRef why) {
  for (const auto &[name, option] : cl::getRegisteredOptions())
    if (llvm::is_contained(option->Categories, &gpuCategory) &&
        given(*option))
      return flagError(option->ArgStr,
                       "applies to GPU kernels and has no use with " + why);
  return llvm::Error::success();
}

llvm::Expected<mlir::s2attn::ConvertS2AttnToGPUOptions>
s2run::conversionOptionsFromFlags() {
  if (chip != "sm_80" && chip != "sm_90a")
    return flagError("chip", "expected sm_80 or sm_90a, got '" + chip + "'");
  mlir::s2attn::ConvertS2AttnToGPUOptions conversion;
  conversion.chip = chip;
  conversion.schedule = schedule;
  conversion.packGQA = packGQA;
  conversion.packedHeads = packedHeads;
  conversion.stages = stages;
  conversion.longestFirst = longestFirst;
  conversion.peelDiagonal = peelDiagonal;
  conversion.ctaRows = ctaRows;
  conversion.persistent = persistent;
  conversion.persistentCTAs = persistentCTAs;
  conversion.ctasPerSM = ctasPerSM;
  conversion.clusterSplits = clusterSplits;
  conversion.gridSplits = gridSplits;
  return conversion;
}
