//===- ProblemFlags.cpp - the problem and pattern flags of the tools ------===//

#include "ProblemFlags.h"

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

cl::OptionCategory
    problemCategory("Problem (from the flags; an .mlir input brings its own)");
cl::OptionCategory patternCategory(
    "Pattern: local + vertical stride (default), --mask FILE.npy or --dense");
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
          cl::values(clEnumValN(ElementType::F32, "f32",
                                "float32 (s2-run's default)"),
                     clEnumValN(ElementType::F16, "f16", "float16"),
                     clEnumValN(ElementType::BF16, "bf16",
                                "bfloat16 (s2-compile's default)")),
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

} // namespace

llvm::Error s2run::flagError(llvm::StringRef flag, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "--" + flag + ": " + message);
}

std::string s2run::formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

bool s2run::given(const cl::Option &option) {
  return option.getNumOccurrences() > 0;
}

namespace {

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

} // namespace

llvm::Expected<ProblemDescription> s2run::buildProblemFromFlags() {
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

llvm::Error s2run::rejectProblemFlags(llvm::StringRef inputFile,
                                      llvm::StringRef problemSource) {
  for (const cl::Option *option : problemFlags())
    if (given(*option))
      return flagError(option->ArgStr.empty() ? "causal/bidirectional"
                                              : option->ArgStr,
                       "cannot be combined with an input file: the problem "
                       "comes from " +
                           problemSource + " in " + inputFile);
  for (const cl::Option *option : localStrideFlags())
    if (given(*option))
      return flagError(option->ArgStr,
                       "cannot be combined with an input file: the pattern "
                       "comes from the s2attn.attention in " +
                           inputFile);
  return llvm::Error::success();
}

void s2run::setDefaultElementType(ElementType type) {
  dtype.setInitialValue(type);
}

cl::OptionCategory &s2run::problemFlagCategory() { return problemCategory; }
cl::OptionCategory &s2run::patternFlagCategory() { return patternCategory; }
