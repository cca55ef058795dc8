//===- ProblemIR.h - the runner's problem as s2attn IR ----------*- C++ -*-===//
//
// Turns a problem described on the command line into the module the CPU
// pipeline lowers: one `func.func @s2attn_main(%q, %k, %v, %out, %lse)` with
// static memref arguments whose body is a single s2attn.attention.
//
//===----------------------------------------------------------------------===//

#ifndef S2RUN_PROBLEMIR_H
#define S2RUN_PROBLEMIR_H

#include "s2attn/CAPI/Runner/FloatFormats.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include "s2attn/Reference/Pattern.h"

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

namespace s2run {

/// The name of the function the runner builds and, by default, calls.
inline constexpr llvm::StringLiteral kDefaultEntry = "s2attn_main";

/// An arbitrary block mask [maskHeads, qBlocks, kvBlocks], one byte per
/// block (0 or 1).
struct BlockMask {
  int64_t block = 64;
  int64_t maskHeads = 1, qBlocks = 0, kvBlocks = 0;
  std::vector<uint8_t> bits;
};

struct DensePatternChoice {
  int64_t block = 64;
};

/// Local-stride parameters as the user gave them: unset fields keep the
/// attribute's (and the SPEC's) defaults and are left out of the IR.
struct LocalStrideChoice {
  int64_t block = 64;
  int64_t local = 1;
  std::optional<int64_t> right;
  int64_t stride = 1;
  std::optional<int64_t> headStep;
  int64_t headOffset = 0;
  int64_t denseHeads = 0;
  bool homoHead = false;
  std::optional<::s2attn::ref::VertPosition> vert;
};

using PatternChoice =
    std::variant<DensePatternChoice, LocalStrideChoice, BlockMask>;

struct ProblemDescription {
  ::s2attn::ref::ProblemShape shape;
  ElementType elementType = ElementType::F32;
  bool causal = true;
  std::optional<double> scale;
  std::optional<int64_t> qStart;
  std::optional<int64_t> kvStart;
  PatternChoice pattern = DensePatternChoice{};
  /// @s2attn_main takes and writes lse [batch, heads, q_len] f32.
  bool lse = true;
};

/// Builds and verifies the module. Returns null after reporting diagnostics
/// through the context when the problem is not valid (e.g. a query row that
/// attends no key).
mlir::OwningOpRef<mlir::ModuleOp>
buildProblemModule(mlir::MLIRContext &context,
                   const ProblemDescription &problem);

} // namespace s2run

#endif // S2RUN_PROBLEMIR_H
