//===- s2-compile.cpp - compile S2 attention into a GPU kernel artifact ---===//
//
// Turns one s2attn.attention on static memrefs, described by s2-run's problem
// and pattern flags or read from an .mlir file, into DIR/kernel.cubin,
// DIR/kernel.json (docs/artifact-format.md), DIR/problem.txt and, with
// --emit-ptx, DIR/kernel.ptx. The runtime library loads such a directory on
// a machine with no MLIR.
//
//===----------------------------------------------------------------------===//

#include "GpuFlags.h"
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
bf16 here, --lse=false leaves lse out), or from an .mlir file holding one
s2attn.attention on static memrefs. Exit codes: 0 success, 1 bad input or a
failed compilation.
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
                                  &s2run::patternFlagCategory(),
                                  &s2run::gpuFlagCategory(), &category});
  llvm::cl::ParseCommandLineOptions(argc, argv, kOverview);
  llvm::Expected<mlir::s2attn::ConvertS2AttnToGPUOptions> conversion =
      s2run::conversionOptionsFromFlags();
  if (!conversion)
    return fail(llvm::toString(conversion.takeError()));

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
  options.conversion = *conversion;
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
                       ? " in clusters of " +
                             std::to_string(artifact->cluster[0])
                       : std::string())
               << ", " << artifact->block[0] << " threads, "
               << artifact->dynamicSharedMemory << " bytes of shared memory, "
               << artifact->registers << " registers at "
               << artifact->residentCTAs << " CTAs per SM, "
               << artifact->spillBytes << " bytes spilled)\n";
  for (auto [ctas, bytes] : artifact->spilledAt)
    llvm::outs() << "s2-compile: at " << ctas << " CTAs per SM ptxas spilled "
                 << bytes << " bytes; compiled for fewer\n";
  return 0;
}
