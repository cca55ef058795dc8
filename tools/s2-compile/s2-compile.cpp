//===- s2-compile.cpp - compile S2 attention into a GPU kernel artifact ---===//
//
// Turns one s2attn.attention on static memrefs, described by s2-run's problem
// and pattern flags or read from an .mlir file, into DIR/kernel.cubin,
// DIR/kernel.json (docs/artifact-format.md), DIR/problem.txt and, with
// --emit-ptx, DIR/kernel.ptx. The runtime library loads such a directory on
// a machine with no MLIR.
//
//===----------------------------------------------------------------------===//

#include "ProblemFlags.h"

#include "s2attn/Conversion/S2AttnToGPU/KernelArtifact.h"
#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

static llvm::cl::OptionCategory category("s2-compile options");
static llvm::cl::opt<std::string> inputFile(
    llvm::cl::Positional, llvm::cl::init(""),
    llvm::cl::desc("[input .mlir: a function with one s2attn.attention on "
                   "static memrefs, instead of the problem flags]"),
    llvm::cl::cat(category));
static llvm::cl::opt<std::string>
    outputDir("o", llvm::cl::desc("Directory to write the artifact into"),
              llvm::cl::value_desc("DIR"), llvm::cl::Required,
              llvm::cl::cat(category));
static llvm::cl::opt<std::string>
    chip("chip", llvm::cl::desc("GPU to compile for: sm_80 or sm_90a"),
         llvm::cl::init("sm_90a"), llvm::cl::cat(category));
static llvm::cl::opt<std::string> schedule(
    "schedule",
    llvm::cl::desc("Row schedule: auto, exact (constant CSR) or closed-form"),
    llvm::cl::init("auto"), llvm::cl::cat(category));
static llvm::cl::opt<bool>
    packGQA("pack-gqa",
            llvm::cl::desc("Let a KV group's query heads share a CTA when they "
                           "share a pattern (default true)"),
            llvm::cl::init(true), llvm::cl::cat(category));
static llvm::cl::opt<int64_t> packedHeads(
    "packed-heads",
    llvm::cl::desc("Most query heads of a KV group a CTA packs: a power of "
                   "two, or 0 (default, auto)"),
    llvm::cl::init(0), llvm::cl::cat(category));
static llvm::cl::opt<int64_t>
    stages("stages",
           llvm::cl::desc("K/V shared-memory buffers: 2, 3 or 0 (default, "
                          "auto: 3 for key splits, else 2)"),
           llvm::cl::init(0), llvm::cl::cat(category));
static llvm::cl::opt<bool> longestFirst(
    "longest-first",
    llvm::cl::desc("Launch the longest causal rows first (default true)"),
    llvm::cl::init(true), llvm::cl::cat(category));
static llvm::cl::opt<bool> peelDiagonal(
    "peel-diagonal",
    llvm::cl::desc("Peel the first step (fresh softmax state) and the causal "
                   "diagonal chunk, each warp over the keys its rows see "
                   "(default true)"),
    llvm::cl::init(true), llvm::cl::cat(category));
static llvm::cl::opt<int64_t>
    ctaRows("cta-rows",
            llvm::cl::desc("Most query rows per CTA: 64, 128 or 0 (auto, "
                           "the default: by the number of waves)"),
            llvm::cl::init(0), llvm::cl::cat(category));
static llvm::cl::opt<bool> persistent(
    "persistent",
    llvm::cl::desc("Experimental: one wave of CTAs that prefetch their next "
                   "query tile, instead of one CTA per tile (default false)"),
    llvm::cl::init(false), llvm::cl::cat(category));
static llvm::cl::opt<int64_t> persistentCTAs(
    "persistent-ctas",
    llvm::cl::desc("CTAs of a persistent kernel: 0 (default, one wave) or "
                   "that many (at most one per work item)"),
    llvm::cl::init(0), llvm::cl::cat(category));
static llvm::cl::opt<int64_t> clusterSplits(
    "cluster-splits",
    llvm::cl::desc("Thread block clusters that split each tile's walk when "
                   "the tiles are too few to fill the chip (sm_90a): 0 "
                   "(default, auto), 1 (none) or up to 16 CTAs"),
    llvm::cl::init(0), llvm::cl::cat(category));
static llvm::cl::opt<int64_t> gridSplits(
    "grid-splits",
    llvm::cl::desc("Decoding kernels: clusters per tile that split its walk "
                   "across the grid, merging through module scratch: 0 "
                   "(default, auto), 1 (none) or a power of two"),
    llvm::cl::init(0), llvm::cl::cat(category));
static llvm::cl::opt<int64_t> ctasPerSM(
    "ctas-per-sm",
    llvm::cl::desc("CTAs kept resident per SM, which caps registers per "
                   "thread: 0 (default, auto) or a count shared memory holds"),
    llvm::cl::init(0), llvm::cl::cat(category));
static llvm::cl::opt<bool>
    lse("lse",
        llvm::cl::desc("With the problem flags: the kernel also writes the "
                       "log-sum-exp of every row (default true)"),
        llvm::cl::init(true), llvm::cl::cat(category));
static llvm::cl::opt<bool> emitPtx("emit-ptx",
                                   llvm::cl::desc("Also write kernel.ptx"),
                                   llvm::cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "s2-compile: error: " << message << "\n";
  return 1;
}

static LogicalResult writeFile(StringRef name, StringRef contents) {
  SmallString<256> path(outputDir);
  llvm::sys::path::append(path, name);
  std::string error;
  auto file = openOutputFile(path, &error);
  if (!file) {
    llvm::errs() << "s2-compile: error: " << error << "\n";
    return failure();
  }
  file->os() << contents;
  file->keep();
  return success();
}

constexpr const char *kOverview =
    R"(s2-compile: S2 attention -> cubin + kernel.json

  s2-compile --q-len 4096 --heads 32 --head-dim 128 --block 64 --local 16 --stride 8 -o DIR
  s2-compile --q-len 1 --kv-len 32768 --heads 32 --kv-heads 8 --head-dim 128 --dense -o DIR
  s2-compile file.mlir --chip sm_80 -o DIR --emit-ptx

The problem comes from the same flags as s2-run's (a function
@s2attn_main(q, k, v, out, lse) with one s2attn.attention; --dtype defaults to
bf16 here, --lse=false leaves lse out), or from an .mlir file holding one s2attn.attention on static
memrefs. Exit codes: 0 success, 1 bad input or a failed compilation.
)";

/// The module to compile: the input file's, or the flags' problem.
static OwningOpRef<ModuleOp> loadProblem(MLIRContext &context,
                                         llvm::SourceMgr &sourceMgr) {
  if (!inputFile.empty()) {
    if (llvm::Error err =
            s2run::rejectProblemFlags(inputFile, "the s2attn.attention")) {
      fail(llvm::toString(std::move(err)));
      return nullptr;
    }
    if (s2run::given(lse)) {
      fail("--lse: cannot be combined with an input file: the function in " +
           inputFile + " says whether the attention writes lse");
      return nullptr;
    }
    OwningOpRef<ModuleOp> module =
        parseSourceFile<ModuleOp>(inputFile, sourceMgr, &context);
    if (!module)
      fail("could not parse " + inputFile);
    return module;
  }
  llvm::Expected<s2run::ProblemDescription> problem =
      s2run::buildProblemFromFlags();
  if (!problem) {
    fail(llvm::toString(problem.takeError()));
    return nullptr;
  }
  problem->lse = lse;
  return s2run::buildProblemModule(context, *problem);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  s2run::setDefaultElementType(s2run::ElementType::BF16);
  llvm::cl::HideUnrelatedOptions({&s2run::problemFlagCategory(),
                                  &s2run::patternFlagCategory(), &category});
  llvm::cl::ParseCommandLineOptions(argc, argv, kOverview);
  if (chip != "sm_80" && chip != "sm_90a")
    return fail("--chip " + chip +
                " is not supported; expected sm_80 or "
                "sm_90a");

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<mlir::s2attn::S2AttnDialect>();
  MLIRContext context(registry);
  // The diagnostics name the op and what is wrong; its generic form adds
  // nothing for a problem given by flags.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = loadProblem(context, sourceMgr);
  if (!module)
    return 1;

  mlir::s2attn::KernelArtifactOptions options;
  mlir::s2attn::ConvertS2AttnToGPUOptions &conversion = options.conversion;
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
  options.emitPtx = emitPtx;
  FailureOr<mlir::s2attn::KernelArtifact> artifact =
      mlir::s2attn::compileKernelArtifact(*module, options);
  if (failed(artifact))
    return 1;

  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return fail("cannot create " + outputDir + ": " + ec.message());
  if ((emitPtx && failed(writeFile("kernel.ptx", artifact->ptx))) ||
      failed(writeFile("kernel.cubin", artifact->cubin)) ||
      failed(writeFile("kernel.json", artifact->json)) ||
      failed(writeFile("problem.txt", artifact->problem)))
    return 1;
  llvm::outs() << "s2-compile: wrote " << outputDir << "/kernel.{cubin,json}"
               << (emitPtx ? " and kernel.ptx" : "") << " (entry "
               << artifact->entry << ", grid " << artifact->grid[0] << "x"
               << artifact->grid[1] << "x" << artifact->grid[2]
               << (artifact->cluster[0] > 1
                       ? " in clusters of " + std::to_string(artifact->cluster[0])
                       : std::string())
               << ", "
               << artifact->block[0] << " threads, "
               << artifact->dynamicSharedMemory << " bytes of shared memory, "
               << artifact->registers << " registers at "
               << artifact->residentCTAs << " CTAs per SM, "
               << artifact->spillBytes << " bytes spilled)\n";
  return 0;
}
