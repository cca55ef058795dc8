//===- JitRunner.cpp - lowering and calling an entry on the CPU -----------===//

#include "s2attn/CAPI/Runner/JitRunner.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

#include "s2attn/Transforms/Pipelines.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

#include <chrono>
#include <cstdlib>

using namespace s2run;

namespace {

// Where CMake found the runtime libraries the compiled code may call into.
constexpr const char *kRuntimeLibraries[] = {S2RUN_C_RUNNER_UTILS_LIBRARY,
                                             S2RUN_OPENMP_LIBRARY};

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Where the JIT finds runtime library `buildPath`: a copy of the same name
/// in $S2RUN_JIT_LIBRARY_DIR, or next to the running program (a packaged
/// s2-run carries its own, for machines without LLVM), or else the path
/// CMake found at build time.
std::string locateRuntimeLibrary(llvm::StringRef buildPath) {
  llvm::StringRef name = llvm::sys::path::filename(buildPath);
  llvm::SmallVector<std::string, 2> directories;
  // An empty value would make the candidate a bare name, found in the
  // working directory.
  if (const char *dir = std::getenv("S2RUN_JIT_LIBRARY_DIR"); dir && *dir)
    directories.push_back(dir);
  static int anchor;
  std::string program = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  if (!program.empty())
    directories.push_back(llvm::sys::path::parent_path(program).str());
  for (const std::string &dir : directories) {
    llvm::SmallString<256> candidate(dir);
    llvm::sys::path::append(candidate, name);
    if (llvm::sys::fs::exists(candidate))
      return candidate.str().str();
  }
  return buildPath.str();
}

/// The runtime libraries found (`found`) and not found (`missing`). Most
/// problems call into neither, so a missing one is an error only when the
/// JIT then cannot resolve a symbol (a packaged s2-run on a machine without
/// LLVM has no libmlir_c_runner_utils.so, which needs libMLIR.so).
void findRuntimeLibraries(llvm::SmallVectorImpl<std::string> &found,
                          llvm::SmallVectorImpl<std::string> &missing) {
  for (const char *buildPath : kRuntimeLibraries) {
    std::string path = locateRuntimeLibrary(buildPath);
    (llvm::sys::fs::exists(path) ? found : missing).push_back(path);
  }
}

/// `error`, plus the runtime libraries that were not found, if any.
llvm::Error withMissingLibraries(llvm::Error error,
                                 llvm::ArrayRef<std::string> missing) {
  if (missing.empty())
    return error;
  std::string names;
  for (const std::string &path : missing)
    names += (names.empty() ? "" : ", ") + path;
  return llvm::joinErrors(
      std::move(error),
      makeError("runtime libraries not found: " + names +
                " (install libmlir-22 and libomp-22-dev, or set "
                "S2RUN_JIT_LIBRARY_DIR to a directory holding them)"));
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createHostMachine() {
  llvm::Expected<llvm::orc::JITTargetMachineBuilder> builder =
      llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  return builder->createTargetMachine();
}

/// The LLVM -O3 pipeline for the host, so that the JIT vectorizes and
/// unrolls what the MLIR pipeline left as plain loops.
llvm::Error optimizeForHost(llvm::Module &module,
                            llvm::TargetMachine &machine) {
  llvm::LoopAnalysisManager loopAnalyses;
  llvm::FunctionAnalysisManager functionAnalyses;
  llvm::CGSCCAnalysisManager cgsccAnalyses;
  llvm::ModuleAnalysisManager moduleAnalyses;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder passBuilder(&machine, tuning);
  passBuilder.registerModuleAnalyses(moduleAnalyses);
  passBuilder.registerCGSCCAnalyses(cgsccAnalyses);
  passBuilder.registerFunctionAnalyses(functionAnalyses);
  passBuilder.registerLoopAnalyses(loopAnalyses);
  passBuilder.crossRegisterProxies(loopAnalyses, functionAnalyses,
                                   cgsccAnalyses, moduleAnalyses);
  llvm::ModulePassManager passes =
      passBuilder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  passes.run(module, moduleAnalyses);
  return llvm::Error::success();
}

llvm::Error lowerToLLVM(mlir::ModuleOp module, const JitOptions &options) {
  mlir::PassManager passManager(module.getContext(),
                                mlir::ModuleOp::getOperationName());
  mlir::s2attn::CpuPipelineOptions pipelineOptions;
  pipelineOptions.numThreads = options.numThreads;
  mlir::s2attn::buildS2AttnLowerToCpuPipeline(passManager, pipelineOptions);
  if (mlir::failed(passManager.run(module)))
    return makeError("lowering with s2attn-lower-to-cpu failed (see the "
                     "diagnostics above)");
  return llvm::Error::success();
}

} // namespace

void s2run::registerJitDependencies(mlir::DialectRegistry &registry) {
  mlir::s2attn::registerS2AttnCpuPipelineDependencies(registry);
}

JitFunction::~JitFunction() = default;
JitFunction::JitFunction(JitFunction &&) noexcept = default;
JitFunction &JitFunction::operator=(JitFunction &&) noexcept = default;

llvm::Expected<JitFunction> JitFunction::compile(mlir::ModuleOp module,
                                                 llvm::StringRef entryName,
                                                 const JitOptions &options) {
  llvm::SmallVector<std::string, 2> libraryPaths, missingLibraries;
  findRuntimeLibraries(libraryPaths, missingLibraries);
  JitFunction function;
  auto start = std::chrono::steady_clock::now();
  if (llvm::Error err = lowerToLLVM(module, options))
    return std::move(err);
  function.times.lowering = secondsSince(start);

  start = std::chrono::steady_clock::now();
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> optimizerMachine =
      createHostMachine();
  if (!optimizerMachine)
    return optimizerMachine.takeError();
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> codegenMachine =
      createHostMachine();
  if (!codegenMachine)
    return codegenMachine.takeError();

  llvm::SmallVector<llvm::StringRef> libraries(libraryPaths.begin(),
                                               libraryPaths.end());
  auto optimize = [&](llvm::Module *llvmModule) {
    return optimizeForHost(*llvmModule, **optimizerMachine);
  };
  mlir::ExecutionEngineOptions engineOptions;
  engineOptions.transformer = optimize;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  engineOptions.sharedLibPaths = libraries;
  llvm::Expected<std::unique_ptr<mlir::ExecutionEngine>> engine =
      mlir::ExecutionEngine::create(module, engineOptions,
                                    std::move(*codegenMachine));
  if (!engine)
    return withMissingLibraries(engine.takeError(), missingLibraries);
  function.engine = std::move(*engine);

  // The lookup is what makes the JIT generate machine code.
  std::string wrapperName = ("_mlir_ciface_" + entryName).str();
  llvm::Expected<void (*)(void **)> entry =
      function.engine->lookupPacked(wrapperName);
  if (!entry)
    return withMissingLibraries(
        llvm::joinErrors(
            makeError("no C interface @" + wrapperName +
                      " in the compiled module (does the entry carry "
                      "llvm.emit_c_interface?)"),
            entry.takeError()),
        missingLibraries);
  function.packedEntry = *entry;
  function.times.codegen = secondsSince(start);
  return std::move(function);
}

void JitFunction::call(llvm::ArrayRef<void *> descriptors) const {
  // The packed wrapper takes one pointer per argument, pointing at the
  // argument's value; the C interface's arguments are descriptor pointers.
  llvm::SmallVector<void *> argumentValues(descriptors.begin(),
                                           descriptors.end());
  llvm::SmallVector<void *> packed;
  for (void *&value : argumentValues)
    packed.push_back(&value);
  packedEntry(packed.data());
}
