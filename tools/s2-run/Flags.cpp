//===- Flags.cpp - s2-run's command line ----------------------------------===//

#include "Flags.h"

#include "GpuFlags.h"
#include "ProblemFlags.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstdio>

using namespace s2run;
namespace cl = llvm::cl;
namespace ref = ::s2attn::ref;

namespace {

/// libLLVM registers an option named "threads" of its own, which would
/// collide with s2-run's --threads (OpenMP threads) when the latter
/// registers below. Defined first in this file, this object renames LLVM's
/// before that happens (libLLVM's options exist before this executable's
/// static initializers run).
struct MoveLLVMThreadsOptionAside {
  MoveLLVMThreadsOptionAside() {
    auto &options = cl::getRegisteredOptions();
    auto it = options.find("threads");
    if (it != options.end())
      it->second->setArgStr("llvm-threads");
  }
} moveLLVMThreadsOptionAside;

cl::OptionCategory dataCategory("Inputs and outputs");
cl::OptionCategory actionCategory("What to do");

//===--- Source ---===//

cl::opt<std::string> inputFile(cl::Positional, cl::init(""),
                               cl::desc("[input.mlir]"),
                               cl::cat(actionCategory));
cl::opt<std::string> entryName(
    "entry", cl::value_desc("NAME"), cl::init(std::string(kDefaultEntry)),
    cl::desc("The function of the input file to run (default s2attn_main)"),
    cl::cat(actionCategory));

//===--- Inputs and outputs ---===//

cl::opt<std::string> inputsDir(
    "inputs", cl::value_desc("DIR"),
    cl::desc("Read q.npy, k.npy and v.npy (float32, float16 or ml_dtypes "
             "bfloat16, converted to the element type) instead of random "
             "inputs"),
    cl::cat(dataCategory));
cl::opt<std::string>
    outputsDir("outputs", cl::value_desc("DIR"),
               cl::desc("Write out.npy and lse.npy (float32) into DIR"),
               cl::cat(dataCategory));
cl::opt<uint64_t> seed("seed", cl::init(0), cl::value_desc("N"),
                       cl::desc("Seed of the random inputs, uniform in "
                                "[-1, 1) (default 0)"),
                       cl::cat(dataCategory));

//===--- Actions ---===//

cl::opt<bool> emitMlir("emit-mlir",
                       cl::desc("Print the IR before lowering and exit"),
                       cl::cat(actionCategory));
cl::opt<bool> check(
    "check",
    cl::desc("Compare out and lse with the float64 reference on the same "
             "inputs; print max abs and relative error (max abs error / max "
             "|reference|); exit 3 on a mismatch or any NaN/Inf"),
    cl::cat(actionCategory));
cl::opt<double> tolerance(
    "tolerance", cl::value_desc("REL"),
    cl::desc("Relative error --check accepts (default: f32 1e-5, f16 1e-2, "
             "bf16 2e-2)"),
    cl::cat(actionCategory));
cl::opt<Target> target(
    "target", cl::init(Target::Cpu), cl::desc("Where to run"),
    cl::values(clEnumValN(Target::Cpu, "cpu", "JIT-compiled for this CPU"),
               clEnumValN(Target::Cuda, "cuda",
                          "NVIDIA GPU: compiled to a cubin here, launched "
                          "through the s2attn runtime (needs a driver)")),
    cl::cat(actionCategory));
cl::opt<bool> timeRuns(
    "time",
    cl::desc("Report compile times, the median wall time of --repeat runs "
             "after one warm-up, and GFLOP/s = 4 * batch * head_dim * "
             "attended (query, key) pairs summed over heads / time"),
    cl::cat(actionCategory));
cl::opt<unsigned> repeat("repeat", cl::init(10), cl::value_desc("N"),
                         cl::desc("Timed runs for --time (default 10)"),
                         cl::cat(actionCategory));
cl::opt<unsigned> threads("threads", cl::init(0), cl::value_desc("N"),
                          cl::desc("OpenMP threads (default: all cores)"),
                          cl::cat(actionCategory));

constexpr const char *kOverview =
    R"(s2-run: compile an S2-Attention problem for the CPU or GPU, run it, check it

  s2-run --q-len 1024 --heads 8 --kv-heads 2 --block 64 --local 4 --stride 8 --check
  s2-run --q-len 1 --kv-len 4096 --dtype bf16 --dense --time
  s2-run --q-len 256 --mask mask.npy --block 32 --bidirectional --outputs out/
  s2-run file.mlir --entry attn --inputs data/ --check
  s2-run --q-len 4096 --heads 32 --head-dim 128 --dtype bf16 --block 64 --local 16 --stride 8 --target cuda --check --time

The problem is built from the flags as func.func @s2attn_main(q, k, v, out,
lse) holding one s2attn.attention (see --emit-mlir), or read from an .mlir
file: --entry names a function taking static memrefs q [batch, q_len, heads,
head_dim], k and v [batch, kv_len, kv_heads, head_dim], out like q and
optionally lse [batch, heads, q_len] f32, whose body holds one
s2attn.attention on them; shapes, pattern, causality, scale and positions
then come from the file. Without --inputs, q, k and v are random (--seed).
Local-stride flags select #s2attn.local_stride; with none of them (and no
--mask) the pattern is #s2attn.dense<block = --block>.

Exit codes: 0 success, 1 bad input (flags, files, invalid problem) or a
CPU compilation failure, 2 --target cuda cannot run this (no CUDA runtime in
this build, no driver or no GPU, or a dtype or head_dim the GPU kernel does
not serve), 3 --check mismatch.
)";

llvm::Error checkSourceFlags() {
  if (inputFile.empty()) {
    if (given(entryName))
      return flagError("entry", "needs an input .mlir file (without one the "
                                "runner builds @s2attn_main itself)");
    return llvm::Error::success();
  }
  return rejectProblemFlags(inputFile, "@" + entryName);
}

llvm::Error checkActionFlags() {
  if (given(tolerance) && !(tolerance >= 0.0 && std::isfinite(tolerance)))
    return flagError("tolerance", "expected a finite number >= 0, got " +
                                      formatNumber(tolerance));
  if (repeat < 1)
    return flagError("repeat", "expected an integer >= 1, got 0");
  return llvm::Error::success();
}

} // namespace

llvm::Expected<RunConfig> s2run::parseCommandLine(int argc, char **argv) {
  cl::HideUnrelatedOptions({&problemFlagCategory(), &patternFlagCategory(),
                            &dataCategory, &actionCategory,
                            &gpuFlagCategory()});
  cl::ParseCommandLineOptions(argc, argv, kOverview);

  if (llvm::Error err = checkSourceFlags())
    return std::move(err);
  if (llvm::Error err = checkActionFlags())
    return std::move(err);
  RunConfig config;
  if (inputFile.empty()) {
    llvm::Expected<ProblemDescription> problem = buildProblemFromFlags();
    if (!problem)
      return problem.takeError();
    config.problem = std::move(*problem);
  }
  config.inputFile = inputFile;
  config.entry = entryName;
  config.inputsDir = inputsDir;
  config.outputsDir = outputsDir;
  config.seed = seed;
  config.emitMlir = emitMlir;
  config.check = check;
  if (given(tolerance))
    config.tolerance = tolerance.getValue();
  config.target = target;
  llvm::Expected<mlir::s2attn::ConvertS2AttnToGPUOptions> conversion =
      conversionOptionsFromFlags();
  if (!conversion)
    return conversion.takeError();
  config.gpu = *conversion;
  if (config.target == Target::Cpu)
    if (llvm::Error err = rejectGpuFlags("--target cpu"))
      return std::move(err);
  config.time = timeRuns;
  config.repeat = repeat;
  config.threads = threads;
  return config;
}
