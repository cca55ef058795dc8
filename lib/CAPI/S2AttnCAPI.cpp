//===- S2AttnCAPI.cpp - C API of the s2attn CPU JIT path ------------------===//
//
// A thin layer over the runner library (ProblemIR, JitRunner) that s2-run
// uses: it translates the C problem struct into a ProblemDescription, turns
// diagnostics and llvm::Errors into a thread-local message, and calls the
// compiled entry with memref descriptors over the caller's buffers.
//
//===----------------------------------------------------------------------===//

#include "s2attn/CAPI/S2AttnCAPI.h"

#include "s2attn/CAPI/Runner/JitRunner.h"
#include "s2attn/CAPI/Runner/ProblemIR.h"
#include "s2attn/CAPI/Runner/RowMajor.h"
#include "s2attn/Reference/Render.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace s2run;

namespace ref = ::s2attn::ref;

struct s2attn_capi_kernel {
  std::unique_ptr<mlir::MLIRContext> context;
  /// Set once compilation succeeded (JitFunction has no empty state).
  std::optional<JitFunction> function;
  ref::ProblemShape shape;
  ElementType elementType = ElementType::F32;
  double compileSeconds = 0.0;
};

namespace {

thread_local std::string lastError;

s2attn_capi_status fail(s2attn_capi_status status, const std::string &message) {
  lastError = message;
  return status;
}

/// Collects the context's diagnostics as text for the error message, since
/// a library must not print to the caller's stderr.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext &context)
      : handler(&context, [this](mlir::Diagnostic &diagnostic) {
          if (!text.empty())
            text += "\n";
          text += diagnostic.str();
          for (const mlir::Diagnostic &note : diagnostic.getNotes())
            text += "\n  note: " + note.str();
          return mlir::success();
        }) {}

  const std::string &messages() const { return text; }

private:
  std::string text;
  mlir::ScopedDiagnosticHandler handler;
};

std::optional<std::string> checkShape(const s2attn_capi_problem &problem) {
  const int64_t sizes[] = {problem.batch, problem.q_len,    problem.kv_len,
                           problem.heads, problem.kv_heads, problem.head_dim};
  const char *names[] = {"batch", "q_len", "kv_len",
                         "heads", "kv_heads", "head_dim"};
  for (int index = 0; index < 6; ++index)
    if (sizes[index] <= 0)
      return std::string(names[index]) + " must be positive, got " +
             std::to_string(sizes[index]);
  if (problem.dtype < S2ATTN_CAPI_F32 || problem.dtype > S2ATTN_CAPI_BF16)
    return "dtype " + std::to_string(problem.dtype) +
           " is not an s2attn_capi_dtype (0 f32, 1 f16, 2 bf16)";
  return std::nullopt;
}

std::optional<std::string> checkMask(const s2attn_capi_problem &problem) {
  if (problem.pattern_kind != S2ATTN_CAPI_PATTERN_BLOCK_MASK)
    return std::nullopt;
  if (!problem.mask)
    return std::string("pattern_kind is BLOCK_MASK but mask is NULL");
  if (problem.mask_heads <= 0 || problem.mask_q_blocks <= 0 ||
      problem.mask_kv_blocks <= 0)
    return std::string("mask dimensions must be positive");
  if (problem.mask_heads != 1 && problem.mask_heads != problem.kv_heads &&
      problem.mask_heads != problem.heads)
    return "mask_heads must be 1, kv_heads (" +
           std::to_string(problem.kv_heads) + ") or heads (" +
           std::to_string(problem.heads) + "), got " +
           std::to_string(problem.mask_heads);
  return std::nullopt;
}

PatternChoice toPatternChoice(const s2attn_capi_problem &problem) {
  if (problem.pattern_kind == S2ATTN_CAPI_PATTERN_DENSE)
    return DensePatternChoice{problem.block};
  if (problem.pattern_kind == S2ATTN_CAPI_PATTERN_LOCAL_STRIDE) {
    LocalStrideChoice choice;
    choice.block = problem.block;
    choice.local = problem.local_blocks;
    if (problem.right_blocks >= 0)
      choice.right = problem.right_blocks;
    choice.stride = problem.vert_stride;
    if (problem.head_step >= 0)
      choice.headStep = problem.head_step;
    choice.headOffset = problem.head_offset;
    choice.denseHeads = problem.dense_heads;
    choice.homoHead = problem.homo_head != 0;
    if (problem.vert_position >= 0)
      choice.vert = problem.vert_position == 0 ? ref::VertPosition::Absolute
                                               : ref::VertPosition::Relative;
    return choice;
  }
  BlockMask mask;
  mask.block = problem.block;
  mask.maskHeads = problem.mask_heads;
  mask.qBlocks = problem.mask_q_blocks;
  mask.kvBlocks = problem.mask_kv_blocks;
  size_t count = problem.mask_heads * problem.mask_q_blocks *
                 problem.mask_kv_blocks;
  mask.bits.assign(problem.mask, problem.mask + count);
  for (uint8_t &bit : mask.bits)
    bit = bit != 0;
  return mask;
}

ElementType toElementType(int32_t dtype) {
  if (dtype == S2ATTN_CAPI_F16)
    return ElementType::F16;
  if (dtype == S2ATTN_CAPI_BF16)
    return ElementType::BF16;
  return ElementType::F32;
}

ProblemDescription toDescription(const s2attn_capi_problem &problem) {
  ProblemDescription description;
  description.shape = {problem.batch, problem.q_len,    problem.kv_len,
                       problem.heads, problem.kv_heads, problem.head_dim};
  description.elementType = toElementType(problem.dtype);
  description.causal = problem.causal != 0;
  if (problem.has_scale)
    description.scale = problem.scale;
  if (problem.has_q_start)
    description.qStart = problem.q_start;
  if (problem.kv_start != 0)
    description.kvStart = problem.kv_start;
  description.pattern = toPatternChoice(problem);
  return description;
}

/// Every check that needs no MLIR, with a message naming the field.
std::optional<std::string> checkProblem(const s2attn_capi_problem *problem) {
  if (!problem)
    return std::string("problem is NULL");
  if (std::optional<std::string> error = checkShape(*problem))
    return error;
  if (problem->pattern_kind < S2ATTN_CAPI_PATTERN_DENSE ||
      problem->pattern_kind > S2ATTN_CAPI_PATTERN_BLOCK_MASK)
    return "pattern_kind " + std::to_string(problem->pattern_kind) +
           " is not an s2attn_capi_pattern_kind";
  return checkMask(*problem);
}

std::unique_ptr<mlir::MLIRContext> createContext() {
  mlir::DialectRegistry registry;
  registry.insert<mlir::func::FuncDialect>();
  registerJitDependencies(registry);
  auto context = std::make_unique<mlir::MLIRContext>(
      registry, mlir::MLIRContext::Threading::DISABLED);
  context->printOpOnDiagnostic(false);
  return context;
}

char *copyString(const std::string &text) {
  char *copy = static_cast<char *>(std::malloc(text.size() + 1));
  if (copy)
    std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

/// A memref descriptor over a caller's contiguous buffer.
template <int Rank>
StridedMemRefType<char, Rank> describe(const void *data,
                                       std::array<int64_t, Rank> shape) {
  StridedMemRefType<char, Rank> descriptor;
  char *pointer = static_cast<char *>(const_cast<void *>(data));
  s2run::describeRowMajor(descriptor, pointer, pointer, shape.data());
  return descriptor;
}

/// The reference pattern of the problem, for drawing; null (with the reason
/// in `error`) when the parameters are invalid.
std::unique_ptr<ref::BlockPattern>
buildReferencePattern(const s2attn_capi_problem &problem, std::string &error) {
  bool causal = problem.causal != 0;
  if (problem.pattern_kind == S2ATTN_CAPI_PATTERN_DENSE)
    return std::make_unique<ref::DensePattern>(problem.block, causal);
  if (problem.pattern_kind == S2ATTN_CAPI_PATTERN_BLOCK_MASK) {
    BlockMask mask = std::get<BlockMask>(toPatternChoice(problem));
    return std::make_unique<ref::BlockMaskPattern>(
        problem.block, causal, mask.maskHeads, mask.qBlocks, mask.kvBlocks,
        std::move(mask.bits), problem.heads, problem.kv_heads);
  }
  ref::LocalStrideParams params;
  params.blockSize = problem.block;
  params.localBlocks = problem.local_blocks;
  params.rightBlocks = problem.right_blocks;
  params.vertStride = problem.vert_stride;
  params.headStep = problem.head_step;
  params.headOffset = problem.head_offset;
  params.numDenseHeads = problem.dense_heads;
  params.homoHead = problem.homo_head != 0;
  params.causal = causal;
  if (problem.vert_position >= 0)
    params.vertPosition = problem.vert_position == 0
                              ? ref::VertPosition::Absolute
                              : ref::VertPosition::Relative;
  if (std::optional<std::string> message =
          ref::validate(params, problem.heads, problem.kv_heads)) {
    error = *message;
    return nullptr;
  }
  return std::make_unique<ref::LocalStridePattern>(params, problem.heads,
                                                   problem.kv_heads);
}

} // namespace

int32_t s2attn_capi_abi_version(void) { return S2ATTN_CAPI_ABI_VERSION; }

size_t s2attn_capi_problem_size(void) { return sizeof(s2attn_capi_problem); }

void s2attn_capi_problem_init(s2attn_capi_problem *problem) {
  if (!problem)
    return;
  std::memset(problem, 0, sizeof(*problem));
  problem->batch = problem->q_len = problem->kv_len = 1;
  problem->heads = problem->kv_heads = 1;
  problem->head_dim = 64;
  problem->dtype = S2ATTN_CAPI_F32;
  problem->causal = 1;
  problem->pattern_kind = S2ATTN_CAPI_PATTERN_DENSE;
  problem->block = 64;
  problem->local_blocks = 1;
  problem->right_blocks = -1;
  problem->vert_stride = 1;
  problem->head_step = -1;
  problem->vert_position = -1;
}

const char *s2attn_capi_last_error_message(void) { return lastError.c_str(); }

s2attn_capi_status s2attn_capi_compile(const s2attn_capi_problem *problem,
                                       s2attn_capi_kernel **kernel) {
  if (!kernel)
    return fail(S2ATTN_CAPI_ERROR_INVALID_ARGUMENT, "kernel is NULL");
  *kernel = nullptr;
  if (std::optional<std::string> error = checkProblem(problem))
    return fail(S2ATTN_CAPI_ERROR_INVALID_ARGUMENT, *error);

  auto result = std::make_unique<s2attn_capi_kernel>();
  result->context = createContext();
  DiagnosticCollector diagnostics(*result->context);
  ProblemDescription description = toDescription(*problem);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      buildProblemModule(*result->context, description);
  if (!module)
    return fail(S2ATTN_CAPI_ERROR_INVALID_PROBLEM,
                "invalid problem: " + diagnostics.messages());

  JitOptions options;
  options.numThreads = problem->num_threads > 0 ? problem->num_threads : 0;
  llvm::Expected<JitFunction> function =
      JitFunction::compile(*module, kDefaultEntry, options);
  if (!function) {
    std::string message = llvm::toString(function.takeError());
    if (!diagnostics.messages().empty())
      message += "\n" + diagnostics.messages();
    return fail(S2ATTN_CAPI_ERROR_COMPILE, "compilation failed: " + message);
  }
  result->compileSeconds =
      function->compileTimes().lowering + function->compileTimes().codegen;
  result->function.emplace(std::move(*function));
  result->shape = description.shape;
  result->elementType = description.elementType;
  *kernel = result.release();
  return S2ATTN_CAPI_SUCCESS;
}

void s2attn_capi_kernel_destroy(s2attn_capi_kernel *kernel) { delete kernel; }

double s2attn_capi_kernel_compile_seconds(const s2attn_capi_kernel *kernel) {
  return kernel ? kernel->compileSeconds : 0.0;
}

s2attn_capi_status s2attn_capi_run(const s2attn_capi_kernel *kernel,
                                   const void *q, const void *k, const void *v,
                                   void *out, float *lse) {
  if (!kernel)
    return fail(S2ATTN_CAPI_ERROR_INVALID_ARGUMENT, "kernel is NULL");
  if (!q || !k || !v || !out)
    return fail(S2ATTN_CAPI_ERROR_INVALID_ARGUMENT,
                "q, k, v and out must not be NULL");
  const ref::ProblemShape &shape = kernel->shape;
  std::vector<float> scratchLse;
  if (!lse) {
    scratchLse.resize(shape.batch * shape.heads * shape.qLen);
    lse = scratchLse.data();
  }
  auto query =
      describe<4>(q, {shape.batch, shape.qLen, shape.heads, shape.headDim});
  auto key =
      describe<4>(k, {shape.batch, shape.kvLen, shape.kvHeads, shape.headDim});
  auto value =
      describe<4>(v, {shape.batch, shape.kvLen, shape.kvHeads, shape.headDim});
  auto output =
      describe<4>(out, {shape.batch, shape.qLen, shape.heads, shape.headDim});
  auto logSumExp = describe<3>(lse, {shape.batch, shape.heads, shape.qLen});
  kernel->function->call({&query, &key, &value, &output, &logSumExp});
  return S2ATTN_CAPI_SUCCESS;
}

s2attn_capi_status s2attn_capi_emit_mlir(const s2attn_capi_problem *problem,
                                         char **text) {
  if (!text)
    return fail(S2ATTN_CAPI_ERROR_INVALID_ARGUMENT, "text is NULL");
  *text = nullptr;
  if (std::optional<std::string> error = checkProblem(problem))
    return fail(S2ATTN_CAPI_ERROR_INVALID_ARGUMENT, *error);
  std::unique_ptr<mlir::MLIRContext> context = createContext();
  DiagnosticCollector diagnostics(*context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      buildProblemModule(*context, toDescription(*problem));
  if (!module)
    return fail(S2ATTN_CAPI_ERROR_INVALID_PROBLEM,
                "invalid problem: " + diagnostics.messages());
  std::string printed;
  llvm::raw_string_ostream os(printed);
  module->print(os);
  *text = copyString(printed);
  return S2ATTN_CAPI_SUCCESS;
}

s2attn_capi_status s2attn_capi_render_svg(const s2attn_capi_problem *problem,
                                          int64_t q_blocks, int64_t kv_blocks,
                                          const char *title, char **svg) {
  if (!svg)
    return fail(S2ATTN_CAPI_ERROR_INVALID_ARGUMENT, "svg is NULL");
  *svg = nullptr;
  if (std::optional<std::string> error = checkProblem(problem))
    return fail(S2ATTN_CAPI_ERROR_INVALID_ARGUMENT, *error);
  if (q_blocks <= 0 || kv_blocks <= 0)
    return fail(S2ATTN_CAPI_ERROR_INVALID_ARGUMENT,
                "q_blocks and kv_blocks must be positive");
  std::string error;
  std::unique_ptr<ref::BlockPattern> pattern =
      buildReferencePattern(*problem, error);
  if (!pattern)
    return fail(S2ATTN_CAPI_ERROR_INVALID_PROBLEM, "invalid pattern: " + error);
  *svg = copyString(ref::renderPatternSVG(*pattern, problem->heads, q_blocks,
                                          kv_blocks, title ? title : ""));
  return S2ATTN_CAPI_SUCCESS;
}

void s2attn_capi_free(void *pointer) { std::free(pointer); }
