//===- Flags.cpp - s2-run's command line ----------------------------------===//

#include "Flags.h"

#include "Inputs.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

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

cl::OptionCategory
    problemCategory("Problem (from the flags; an .mlir input brings its own)");
cl::OptionCategory patternCategory(
    "Pattern: local + vertical stride (default), --mask FILE.npy or --dense");
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

//===--- Problem ---===//

cl::opt<int64_t> batch("batch", cl::init(1), cl::value_desc("N"),
                       cl::desc("Batch size (default 1)"),
                       cl::cat(problemCategory));
cl::opt<int64_t> qLen("q-len", cl::value_desc("N"),
                      cl::desc("Query tokens (default: --kv-len)"),
                      cl::cat(problemCategory));
cl::opt<int64_t> kvLen("kv-len", cl::value_desc("N"),
                       cl::desc("Key/value tokens (default: --q-len)"),
                       cl::cat(problemCategory));
cl::opt<int64_t> heads("heads", cl::init(4), cl::value_desc("N"),
                       cl::desc("Query heads (default 4)"),
                       cl::cat(problemCategory));
cl::opt<int64_t> kvHeads("kv-heads", cl::value_desc("N"),
                         cl::desc("Key/value heads, dividing --heads (GQA; 1 "
                                  "is MQA; default: --heads)"),
                         cl::cat(problemCategory));
cl::opt<int64_t> headDim("head-dim", cl::init(64), cl::value_desc("N"),
                         cl::desc("Head dimension (default 64)"),
                         cl::cat(problemCategory));
cl::opt<ElementType>
    dtype("dtype", cl::init(ElementType::F32), cl::desc("Element type"),
          cl::values(clEnumValN(ElementType::F32, "f32", "float32 (default)"),
                     clEnumValN(ElementType::F16, "f16", "float16"),
                     clEnumValN(ElementType::BF16, "bf16", "bfloat16")),
          cl::cat(problemCategory));
cl::opt<double> scale("scale", cl::value_desc("S"),
                      cl::desc("Softmax scale (default: 1/sqrt(head_dim))"),
                      cl::cat(problemCategory));

enum class Direction { Causal, Bidirectional };
cl::opt<Direction> direction(
    cl::init(Direction::Causal),
    cl::values(clEnumValN(Direction::Causal, "causal",
                          "Each query sees keys at or before its position "
                          "(default)"),
               clEnumValN(Direction::Bidirectional, "bidirectional",
                          "No causal limit")),
    cl::cat(problemCategory));
cl::opt<int64_t>
    qStart("q-start", cl::value_desc("POS"),
           cl::desc("Absolute position of the first query (default: kv_start + "
                    "kv_len - q_len when causal, kv_start otherwise)"),
           cl::cat(problemCategory));
cl::opt<int64_t> kvStart("kv-start", cl::value_desc("POS"),
                         cl::desc("Absolute position of the first key "
                                  "(default 0)"),
                         cl::cat(problemCategory));

//===--- Pattern ---===//

cl::opt<int64_t> block("block", cl::init(64), cl::value_desc("B"),
                       cl::desc("Block size in tokens, a power of two >= 16 "
                                "(all patterns; default 64)"),
                       cl::cat(patternCategory));
cl::opt<int64_t> local("local", cl::init(1), cl::value_desc("L"),
                       cl::desc("Local window in blocks (left window when "
                                "bidirectional; default 1)"),
                       cl::cat(patternCategory));
cl::opt<int64_t> right("right", cl::value_desc("R"),
                       cl::desc("Right window in blocks, --bidirectional only "
                                "(default: --local)"),
                       cl::cat(patternCategory));
cl::opt<int64_t>
    stride("stride", cl::init(1), cl::value_desc("V"),
           cl::desc("Vertical stride in blocks (default 1: dense)"),
           cl::cat(patternCategory));
cl::opt<int64_t> headStep("head-step", cl::value_desc("N"),
                          cl::desc("Stripe shift between KV heads (default: "
                                   "max(1, stride / heads))"),
                          cl::cat(patternCategory));
cl::opt<int64_t> headOffset("head-offset", cl::init(0), cl::value_desc("N"),
                            cl::desc("Stripe offset (default 0 as the authors' "
                                     "library; vLLM/Phi-3-small use 1)"),
                            cl::cat(patternCategory));
cl::opt<int64_t>
    denseHeads("dense-heads", cl::init(0), cl::value_desc("N"),
               cl::desc("The last N KV heads are dense (default 0)"),
               cl::cat(patternCategory));
cl::opt<bool> homoHead("homo-head",
                       cl::desc("Every head uses head 0's pattern"),
                       cl::cat(patternCategory));
cl::opt<bool> relative(
    "relative",
    cl::desc("Stripes measured from the local window (default when "
             "bidirectional); --relative=false forces absolute stripes"),
    cl::cat(patternCategory));
cl::opt<std::string> maskFile(
    "mask", cl::value_desc("FILE.npy"),
    cl::desc("Arbitrary block mask (#s2attn.block_mask): bool or uint8 "
             "[heads or kv_heads or 1, q_blocks, kv_blocks] of --block "
             "tokens, covering at least the blocks the problem reaches"),
    cl::cat(patternCategory));
cl::opt<bool> dense("dense",
                    cl::desc("Dense attention (#s2attn.dense, the default "
                             "when no pattern flag is given)"),
                    cl::cat(patternCategory));

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
cl::opt<std::string> chip("chip", cl::init("sm_90a"), cl::value_desc("SM"),
                          cl::desc("GPU to compile for with --target cuda: "
                                   "sm_80 or sm_90a (default)"),
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

llvm::Error flagError(llvm::StringRef flag, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "--" + flag + ": " + message);
}

std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

bool given(const cl::Option &option) { return option.getNumOccurrences() > 0; }

template <typename T>
llvm::Error requireAtLeast(const cl::opt<T> &option, T minimum) {
  if (option >= minimum)
    return llvm::Error::success();
  return flagError(option.ArgStr,
                   llvm::formatv("expected an integer >= {0}, got {1}", minimum,
                                 option.getValue())
                       .str());
}

/// The local-stride flags; giving any selects #s2attn.local_stride.
llvm::SmallVector<const cl::Option *> localStrideFlags() {
  return {&local,      &right,      &stride,   &headStep,
          &headOffset, &denseHeads, &homoHead, &relative};
}

llvm::SmallVector<const cl::Option *> problemFlags() {
  return {&batch, &qLen,      &kvLen,  &heads,   &kvHeads, &headDim,  &dtype,
          &scale, &direction, &qStart, &kvStart, &block,   &maskFile, &dense};
}

/// Lengths: each defaults to the other.
llvm::Error resolveLengths(ref::ProblemShape &shape) {
  if (!given(qLen) && !given(kvLen))
    return flagError("q-len", "required (the number of query tokens; "
                              "--kv-len defaults to it) unless an .mlir "
                              "file is given");
  for (const cl::opt<int64_t> *length : {&qLen, &kvLen})
    if (given(*length))
      if (llvm::Error err = requireAtLeast<int64_t>(*length, 1))
        return err;
  shape.qLen = given(qLen) ? qLen : kvLen;
  shape.kvLen = given(kvLen) ? kvLen : qLen;
  return llvm::Error::success();
}

/// Products of dimensions, checked so that absurd sizes are an error rather
/// than an allocation failure.
llvm::Error checkTensorSize(llvm::StringRef name,
                            llvm::ArrayRef<int64_t> dims) {
  constexpr int64_t kMaxElements = int64_t(1) << 31;
  int64_t count = 1;
  for (int64_t dim : dims)
    if (__builtin_mul_overflow(count, dim, &count) || count > kMaxElements)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          llvm::formatv("problem too large: {0} would have more than 2^31 "
                        "elements",
                        name));
  return llvm::Error::success();
}

llvm::Expected<ref::ProblemShape> buildShape() {
  ref::ProblemShape shape;
  if (llvm::Error err = resolveLengths(shape))
    return std::move(err);
  for (const cl::opt<int64_t> *option : {&batch, &heads, &headDim})
    if (llvm::Error err = requireAtLeast<int64_t>(*option, 1))
      return std::move(err);
  shape.batch = batch;
  shape.heads = heads;
  shape.headDim = headDim;
  shape.kvHeads = given(kvHeads) ? kvHeads : heads;
  if (given(kvHeads) && (kvHeads < 1 || heads % kvHeads != 0))
    return flagError("kv-heads",
                     llvm::formatv("expected a divisor of --heads {0} (each "
                                   "KV head serves heads / kv_heads query "
                                   "heads), got {1}",
                                   heads.getValue(), kvHeads.getValue())
                         .str());
  if (llvm::Error err = checkTensorSize(
          "q", {shape.batch, shape.qLen, shape.heads, shape.headDim}))
    return std::move(err);
  if (llvm::Error err = checkTensorSize(
          "k", {shape.batch, shape.kvLen, shape.kvHeads, shape.headDim}))
    return std::move(err);
  return shape;
}

llvm::Error checkPositionsAndScale() {
  if (given(qStart))
    if (llvm::Error err = requireAtLeast<int64_t>(qStart, 0))
      return err;
  if (given(kvStart))
    if (llvm::Error err = requireAtLeast<int64_t>(kvStart, 0))
      return err;
  if (given(scale) && !(scale > 0.0 && std::isfinite(scale)))
    return flagError("scale", "expected a positive finite number (omit it for "
                              "1/sqrt(head_dim)), got " +
                                  formatNumber(scale));
  return llvm::Error::success();
}

LocalStrideChoice buildLocalStride() {
  LocalStrideChoice choice;
  choice.block = block;
  choice.local = local;
  if (given(right))
    choice.right = right.getValue();
  choice.stride = stride;
  if (given(headStep))
    choice.headStep = headStep.getValue();
  choice.headOffset = headOffset;
  choice.denseHeads = denseHeads;
  choice.homoHead = homoHead;
  if (given(relative))
    choice.vert =
        relative ? ref::VertPosition::Relative : ref::VertPosition::Absolute;
  return choice;
}

/// The absolute blocks the problem reaches, which a mask must cover.
MaskRequirements maskRequirements(const ProblemDescription &problem) {
  ref::Positions positions;
  positions.qStart = problem.qStart;
  positions.kvStart = problem.kvStart.value_or(0);
  const ref::ProblemShape &shape = problem.shape;
  int64_t qEnd = positions.resolvedQStart(shape, problem.causal) + shape.qLen;
  int64_t kvEnd = positions.kvStart + shape.kvLen;
  return {block, shape.heads, shape.kvHeads,
          std::max<int64_t>(1, ref::ceilDiv(qEnd, block)),
          ref::ceilDiv(kvEnd, block)};
}

llvm::Expected<PatternChoice>
buildPatternChoice(const ProblemDescription &problem) {
  if (block < 16 || !llvm::isPowerOf2_64(block))
    return flagError("block", llvm::formatv("expected a power of two >= 16 "
                                            "(e.g. 16, 32, 64 or 128), got {0}",
                                            block.getValue())
                                  .str());
  const cl::Option *localStrideFlag = nullptr;
  for (const cl::Option *option : localStrideFlags())
    if (given(*option) && !localStrideFlag)
      localStrideFlag = option;
  if (given(maskFile) && given(dense))
    return flagError("mask", "cannot be combined with --dense: choose one "
                             "pattern");
  if (localStrideFlag && (given(maskFile) || given(dense)))
    return flagError(localStrideFlag->ArgStr,
                     llvm::Twine("is a local-stride flag and cannot be "
                                 "combined with --") +
                         (given(dense) ? "dense" : "mask"));
  if (given(right) && problem.causal)
    return flagError("right", "applies to --bidirectional attention only "
                              "(causal attention has no right window)");

  if (given(maskFile)) {
    llvm::Expected<BlockMask> mask =
        loadBlockMask(maskFile, maskRequirements(problem));
    if (!mask)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "--mask " +
                                         llvm::toString(mask.takeError()));
    return PatternChoice(std::move(*mask));
  }
  if (localStrideFlag)
    return PatternChoice(buildLocalStride());
  return PatternChoice(DensePatternChoice{block});
}

llvm::Expected<ProblemDescription> buildProblemFromFlags() {
  ProblemDescription problem;
  llvm::Expected<ref::ProblemShape> shape = buildShape();
  if (!shape)
    return shape.takeError();
  problem.shape = *shape;
  if (llvm::Error err = checkPositionsAndScale())
    return std::move(err);
  problem.elementType = dtype;
  problem.causal = direction == Direction::Causal;
  if (given(scale))
    problem.scale = scale.getValue();
  if (given(qStart))
    problem.qStart = qStart.getValue();
  if (given(kvStart))
    problem.kvStart = kvStart.getValue();
  llvm::Expected<PatternChoice> pattern = buildPatternChoice(problem);
  if (!pattern)
    return pattern.takeError();
  problem.pattern = std::move(*pattern);
  return problem;
}

llvm::Error checkSourceFlags() {
  if (inputFile.empty()) {
    if (given(entryName))
      return flagError("entry", "needs an input .mlir file (without one the "
                                "runner builds @s2attn_main itself)");
    return llvm::Error::success();
  }
  for (const cl::Option *option : problemFlags())
    if (given(*option))
      return flagError(option->ArgStr.empty() ? "causal/bidirectional"
                                              : option->ArgStr,
                       "cannot be combined with an input file: the problem "
                       "comes from @" +
                           entryName + " in " + inputFile);
  for (const cl::Option *option : localStrideFlags())
    if (given(*option))
      return flagError(option->ArgStr,
                       "cannot be combined with an input file: the pattern "
                       "comes from the s2attn.attention in " +
                           inputFile);
  return llvm::Error::success();
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
  cl::HideUnrelatedOptions(
      {&problemCategory, &patternCategory, &dataCategory, &actionCategory});
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
  if (chip != "sm_80" && chip != "sm_90a")
    return flagError("chip", "expected sm_80 or sm_90a, got '" + chip + "'");
  config.chip = chip;
  config.time = timeRuns;
  config.repeat = repeat;
  config.threads = threads;
  return config;
}
