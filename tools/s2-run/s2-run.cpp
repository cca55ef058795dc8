//===- s2-run.cpp - compile, run and check an S2-Attention problem --------===//
//
// Builds (or reads) an s2attn.attention entry, lowers it with
// s2attn-lower-to-cpu, runs it with the ExecutionEngine on random or given
// inputs, and optionally compares it with the float64 reference, times it
// and writes its outputs. See `s2-run --help`.
//
//===----------------------------------------------------------------------===//

#include "CudaRunner.h"
#include "EntryPoint.h"
#include "Flags.h"
#include "HostMemRef.h"
#include "Inputs.h"
#include "s2attn/CAPI/Runner/JitRunner.h"
#include "Npy.h"
#include "s2attn/CAPI/Runner/ProblemIR.h"
#include "ReferenceCheck.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>

using namespace s2run;
namespace ref = ::s2attn::ref;

namespace {

enum ExitCode : int {
  kSuccess = 0,
  kBadInput = 1,
  kUnsupportedTarget = 2,
  kMismatch = 3,
};

int reportError(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "s2-run") << message << "\n";
  return kBadInput;
}

int reportError(llvm::Error error) {
  return reportError(llvm::toString(std::move(error)));
}

/// Diagnostics of IR built from the flags have no useful location: print
/// them as the tool's own errors, notes included.
mlir::LogicalResult printFlagDiagnostic(mlir::Diagnostic &diagnostic) {
  llvm::raw_ostream &os = llvm::errs();
  switch (diagnostic.getSeverity()) {
  case mlir::DiagnosticSeverity::Error:
    llvm::WithColor::error(os, "s2-run");
    break;
  case mlir::DiagnosticSeverity::Warning:
    llvm::WithColor::warning(os, "s2-run");
    break;
  default:
    llvm::WithColor::note(os, "s2-run");
    break;
  }
  os << diagnostic << "\n";
  for (const mlir::Diagnostic &note : diagnostic.getNotes())
    llvm::WithColor::note(os, "s2-run") << note << "\n";
  return mlir::success();
}

/// Everything the compiled code touches, in the entry's argument order.
struct Buffers {
  HostMemRef<4> q, k, v, out;
  std::optional<HostMemRef<3>> lse;

  explicit Buffers(const EntryProblem &problem)
      : q(problem.elementType, {problem.shape.batch, problem.shape.qLen,
                                problem.shape.heads, problem.shape.headDim}),
        k(problem.elementType, {problem.shape.batch, problem.shape.kvLen,
                                problem.shape.kvHeads, problem.shape.headDim}),
        v(problem.elementType, k.getShape()),
        out(problem.elementType, q.getShape()) {
    if (problem.hasLse)
      lse.emplace(ElementType::F32, std::array<int64_t, 3>{problem.shape.batch,
                                                           problem.shape.heads,
                                                           problem.shape.qLen});
  }

  llvm::SmallVector<void *> descriptors() {
    llvm::SmallVector<void *> result = {q.getDescriptor(), k.getDescriptor(),
                                        v.getDescriptor(), out.getDescriptor()};
    if (lse)
      result.push_back(lse->getDescriptor());
    return result;
  }
};

/// q, k and v as floats exactly representable in the element type.
struct InputValues {
  std::vector<float> q, k, v;
};

llvm::Expected<InputValues> loadInputs(const RunConfig &config,
                                       const EntryProblem &problem) {
  const ref::ProblemShape &shape = problem.shape;
  llvm::SmallVector<int64_t> qShape = {shape.batch, shape.qLen, shape.heads,
                                       shape.headDim};
  llvm::SmallVector<int64_t> kvShape = {shape.batch, shape.kvLen, shape.kvHeads,
                                        shape.headDim};
  InputValues inputs;
  if (config.inputsDir.empty()) {
    auto count = [](llvm::ArrayRef<int64_t> dims) {
      int64_t product = 1;
      for (int64_t dim : dims)
        product *= dim;
      return product;
    };
    inputs.q = randomValues(count(qShape), config.seed, 1, problem.elementType);
    inputs.k =
        randomValues(count(kvShape), config.seed, 2, problem.elementType);
    inputs.v =
        randomValues(count(kvShape), config.seed, 3, problem.elementType);
    return inputs;
  }
  struct TensorFile {
    const char *name;
    const char *what;
    llvm::ArrayRef<int64_t> shape;
    std::vector<float> &values;
  } files[] = {
      {"q.npy", "q [batch, q_len, heads, head_dim]", qShape, inputs.q},
      {"k.npy", "k [batch, kv_len, kv_heads, head_dim]", kvShape, inputs.k},
      {"v.npy", "v [batch, kv_len, kv_heads, head_dim]", kvShape, inputs.v}};
  for (TensorFile &file : files) {
    llvm::SmallString<256> path(config.inputsDir);
    llvm::sys::path::append(path, file.name);
    llvm::Expected<std::vector<float>> values =
        loadTensor(path, file.what, file.shape, problem.elementType);
    if (!values)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "--inputs " +
                                         llvm::toString(values.takeError()));
    file.values = std::move(*values);
  }
  return inputs;
}

std::string formatIndex(int64_t index, llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t> coordinates(shape.size());
  for (size_t dim = shape.size(); dim-- > 0;) {
    coordinates[dim] = index % shape[dim];
    index /= shape[dim];
  }
  std::string text = "[";
  for (auto [position, coordinate] : llvm::enumerate(coordinates))
    text += (position ? ", " : "") + std::to_string(coordinate);
  return text + "]";
}

void printErrorStats(llvm::StringRef name, const ErrorStats &stats,
                     llvm::StringRef layout, llvm::ArrayRef<int64_t> shape) {
  llvm::outs() << llvm::formatv("check {0}: max abs error {1:e3}, rel error "
                                "{2:e3} (max |ref| {3:e3})\n",
                                name, stats.maxAbsError, stats.relError,
                                stats.maxAbsReference);
  if (stats.firstNonFinite)
    llvm::outs() << llvm::formatv(
        "check {0}: NaN or Inf in the {1} at {2} {3}\n", name,
        stats.nonFiniteInReference ? "reference" : "result", layout,
        formatIndex(*stats.firstNonFinite, shape));
}

int reportCheck(const CheckReport &report, const EntryProblem &problem) {
  const ref::ProblemShape &shape = problem.shape;
  printErrorStats("out", report.out, "[batch, q, head, d]",
                  {shape.batch, shape.qLen, shape.heads, shape.headDim});
  if (report.lse)
    printErrorStats("lse", *report.lse, "[batch, head, q]",
                    {shape.batch, shape.heads, shape.qLen});
  else
    llvm::outs() << "check lse: not checked (@" << problem.entryName
                 << " has no lse argument)\n";
  bool passed = report.passed();
  llvm::outs() << llvm::formatv("check: {0} (tolerance {1:e1})\n",
                                passed ? "PASSED" : "FAILED", report.tolerance);
  return passed ? kSuccess : kMismatch;
}

llvm::Error writeOutputs(llvm::StringRef directory, const Buffers &buffers,
                         const EntryProblem &problem) {
  if (std::error_code ec = llvm::sys::fs::create_directories(directory))
    return llvm::createStringError(ec,
                                   "--outputs %s: cannot create the "
                                   "directory: %s",
                                   directory.str().c_str(),
                                   ec.message().c_str());
  llvm::SmallString<256> path(directory);
  llvm::sys::path::append(path, "out.npy");
  const std::array<int64_t, 4> &outShape = buffers.out.getShape();
  if (llvm::Error err = writeNpyFloat32(
          path, llvm::ArrayRef<int64_t>(outShape.data(), outShape.size()),
          buffers.out.load()))
    return err;
  if (!buffers.lse) {
    llvm::errs() << "s2-run: note: @" << problem.entryName
                 << " has no lse argument; lse.npy not written\n";
    return llvm::Error::success();
  }
  path = directory;
  llvm::sys::path::append(path, "lse.npy");
  const std::array<int64_t, 3> &lseShape = buffers.lse->getShape();
  return writeNpyFloat32(
      path, llvm::ArrayRef<int64_t>(lseShape.data(), lseShape.size()),
      buffers.lse->load());
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle]
                           : 0.5 * (values[middle - 1] + values[middle]);
}

void timeRuns(const JitFunction &function, Buffers &buffers,
              const RunConfig &config, const EntryProblem &problem) {
  llvm::SmallVector<void *> descriptors = buffers.descriptors();
  std::vector<double> seconds;
  for (unsigned run = 0; run < config.repeat; ++run) {
    auto start = std::chrono::steady_clock::now();
    function.call(descriptors);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  double medianSeconds = median(seconds);
  auto [fastest, slowest] = std::minmax_element(seconds.begin(), seconds.end());
  int64_t pairs = countAttendedPairs(problem);
  double flops = 4.0 * problem.shape.batch * problem.shape.headDim * pairs;
  const CompileTimes &compile = function.compileTimes();
  llvm::outs() << llvm::formatv(
      "compile: lowering {0:f1} ms, LLVM codegen {1:f1} ms\n",
      compile.lowering * 1e3, compile.codegen * 1e3);
  llvm::outs() << llvm::formatv(
      "time: median {0:f3} ms over {1} runs after 1 warm-up (min {2:f3}, "
      "max {3:f3} ms), threads {4}\n",
      medianSeconds * 1e3, config.repeat, *fastest * 1e3, *slowest * 1e3,
      config.threads ? std::to_string(config.threads) : "all cores");
  llvm::outs() << llvm::formatv(
      "throughput: {0:f2} GFLOP/s ({1} attended token pairs per batch "
      "element, summed over heads)\n",
      flops / medianSeconds * 1e-9, pairs);
}

/// Builds the module from the flags or parses the input file.
mlir::OwningOpRef<mlir::ModuleOp> loadModule(const RunConfig &config,
                                             mlir::MLIRContext &context,
                                             llvm::SourceMgr &sourceMgr) {
  if (config.problem)
    return buildProblemModule(context, *config.problem);
  std::string errorMessage;
  auto file = mlir::openInputFile(config.inputFile, &errorMessage);
  if (!file) {
    reportError(config.inputFile + ": " + errorMessage);
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
}

/// Compiles, runs once, then checks, writes and times as asked.
/// --target cuda: the same checks and outputs, from the GPU's results.
int compileAndRunOnCuda(const RunConfig &config, mlir::ModuleOp module,
                        const EntryProblem &problem,
                        const InputValues &inputs) {
  llvm::Expected<CudaRun> run =
      runOnCuda(module, problem, inputs.q, inputs.k, inputs.v, config.gpu,
                config.time ? config.repeat : 0);
  if (!run) {
    reportError(run.takeError());
    return kUnsupportedTarget;
  }
  llvm::outs() << run->kernelSummary << "\n";
  int exitCode = kSuccess;
  if (config.check)
    exitCode = reportCheck(
        checkAgainstReference(
            problem, inputs.q, inputs.k, inputs.v, run->out, run->lse,
            config.tolerance.value_or(defaultTolerance(problem.elementType))),
        problem);
  const ref::ProblemShape &shape = problem.shape;
  if (!config.outputsDir.empty()) {
    if (std::error_code ec =
            llvm::sys::fs::create_directories(config.outputsDir))
      return reportError("--outputs " + config.outputsDir +
                         ": cannot create the directory: " + ec.message());
    llvm::SmallString<256> path(config.outputsDir);
    llvm::sys::path::append(path, "out.npy");
    if (llvm::Error err = writeNpyFloat32(
            path, {shape.batch, shape.qLen, shape.heads, shape.headDim},
            run->out))
      return reportError(std::move(err));
    if (problem.hasLse) {
      path = config.outputsDir;
      llvm::sys::path::append(path, "lse.npy");
      if (llvm::Error err = writeNpyFloat32(
              path, {shape.batch, shape.heads, shape.qLen}, run->lse))
        return reportError(std::move(err));
    }
  }
  if (config.time) {
    double flops = 4.0 * shape.batch * shape.headDim *
                   countAttendedPairs(problem);
    llvm::outs() << llvm::formatv(
        "time: median {0:f3} ms over {1} launches (each synchronized), "
        "{2:f1} TFLOP/s on attended pairs\n",
        run->medianMs, config.repeat, flops / (run->medianMs * 1e-3) * 1e-12);
  }
  return exitCode;
}

int compileAndRun(const RunConfig &config, mlir::ModuleOp module,
                  const EntryProblem &problem) {
  llvm::Expected<InputValues> inputs = loadInputs(config, problem);
  if (!inputs)
    return reportError(inputs.takeError());
  if (config.target == Target::Cuda)
    return compileAndRunOnCuda(config, module, problem, *inputs);

  pruneToEntry(module,
               module.lookupSymbol<mlir::func::FuncOp>(problem.entryName));
  requestCInterface(module, problem.entryName);
  JitOptions jitOptions;
  jitOptions.numThreads = config.threads;
  llvm::Expected<JitFunction> function =
      JitFunction::compile(module, problem.entryName, jitOptions);
  if (!function)
    return reportError(function.takeError());

  Buffers buffers(problem);
  buffers.q.store(inputs->q);
  buffers.k.store(inputs->k);
  buffers.v.store(inputs->v);
  buffers.out.poison();
  if (buffers.lse)
    buffers.lse->poison();
  function->call(buffers.descriptors());

  int exitCode = kSuccess;
  if (config.check) {
    CheckReport report = checkAgainstReference(
        problem, inputs->q, inputs->k, inputs->v, buffers.out.load(),
        buffers.lse ? buffers.lse->load() : std::vector<float>(),
        config.tolerance.value_or(defaultTolerance(problem.elementType)));
    exitCode = reportCheck(report, problem);
  }
  if (!config.outputsDir.empty())
    if (llvm::Error err = writeOutputs(config.outputsDir, buffers, problem))
      return reportError(std::move(err));
  if (config.time)
    timeRuns(*function, buffers, config, problem);
  return exitCode;
}

int run(const RunConfig &config) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  registerJitDependencies(registry);
  if (config.target == Target::Cuda) {
    // The GPU pipeline converts through every dialect's LLVM interface and
    // serializes the kernel module through LLVM IR.
    mlir::registerAllExtensions(registry);
    mlir::registerAllToLLVMIRTranslations(registry);
  }
  // One function to lower: threads would only compete with OpenMP's.
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  // The IR comes from the flags or from a file the user has open: the
  // message and its location say enough without a dump of the op.
  context.printOpOnDiagnostic(false);

  llvm::SourceMgr sourceMgr;
  std::optional<mlir::SourceMgrDiagnosticHandler> fileDiagnostics;
  std::optional<mlir::ScopedDiagnosticHandler> flagDiagnostics;
  if (config.problem)
    flagDiagnostics.emplace(&context, printFlagDiagnostic);
  else
    fileDiagnostics.emplace(sourceMgr, &context);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModule(config, context, sourceMgr);
  if (!module)
    return kBadInput;
  if (config.emitMlir) {
    module->print(llvm::outs());
    llvm::outs() << "\n";
    return kSuccess;
  }
  auto entry = module->lookupSymbol<mlir::func::FuncOp>(config.entry);
  if (!entry || entry.isExternal())
    return reportError("--entry " + config.entry + ": no function @" +
                       config.entry + " with a body in " + config.inputFile +
                       " (functions: " + listDefinedFunctions(*module) + ")");
  mlir::FailureOr<EntryProblem> problem = inspectEntry(entry);
  if (mlir::failed(problem))
    return kBadInput;
  return compileAndRun(config, *module, *problem);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  llvm::Expected<RunConfig> config = parseCommandLine(argc, argv);
  if (!config)
    return reportError(config.takeError());
  // libomp sizes its thread pool from the environment when the compiled
  // code first enters a parallel region.
  if (config->threads)
    setenv("OMP_NUM_THREADS", std::to_string(config->threads).c_str(), 1);
  return run(*config);
}
