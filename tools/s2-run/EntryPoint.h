//===- EntryPoint.h - the problem an entry function computes ----*- C++ -*-===//
//
// Reads back, from a verified module, everything the runner needs to call an
// entry function and to judge its results: the shapes of its memref
// arguments and the pattern, causality, scale and positions of the
// s2attn.attention inside it. The same path serves modules built from flags
// and modules read from a file, so --check always judges the IR that runs.
//
//===----------------------------------------------------------------------===//

#ifndef S2RUN_ENTRYPOINT_H
#define S2RUN_ENTRYPOINT_H

#include "s2attn/CAPI/Runner/FloatFormats.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include "s2attn/Reference/Pattern.h"

#include <memory>
#include <string>

namespace s2run {

struct EntryProblem {
  std::string entryName;
  ::s2attn::ref::ProblemShape shape;
  ::s2attn::ref::Positions positions;
  ElementType elementType = ElementType::F32;
  bool causal = true;
  double scale = 0.0;
  bool hasLse = false;
  /// The op's pattern, for the reference and for counting attended pairs.
  std::shared_ptr<const ::s2attn::ref::BlockPattern> pattern;

  int64_t resolvedQStart() const {
    return positions.resolvedQStart(shape, causal);
  }
};

/// Checks that `entry` is a function the runner can call (static memrefs q, k,
/// v, out[, lse], no results) and whose body is a single s2attn.attention on
/// exactly those arguments with static positions. Reports what is wrong as a
/// diagnostic on the offending op and fails otherwise.
mlir::FailureOr<EntryProblem> inspectEntry(mlir::func::FuncOp entry);

/// The functions with a body in `module`, as "@a, @b", for messages.
std::string listDefinedFunctions(mlir::ModuleOp module);

/// Erases the functions the entry does not (transitively) call, so that
/// the rest of an input file neither needs to lower nor costs compile time.
void pruneToEntry(mlir::ModuleOp module, mlir::func::FuncOp entry);

/// Asks the lowering for the `_mlir_ciface_` wrapper of the entry, which the
/// runner calls with memref descriptors.
void requestCInterface(mlir::ModuleOp module, llvm::StringRef entryName);

} // namespace s2run

#endif // S2RUN_ENTRYPOINT_H
