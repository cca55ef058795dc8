//===- JitRunner.h - lowering and calling an entry on the CPU ---*- C++ -*-===//

#ifndef S2RUN_JITRUNNER_H
#define S2RUN_JITRUNNER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace mlir {
class DialectRegistry;
class ExecutionEngine;
} // namespace mlir

namespace s2run {

/// Registers what the context of a module that JitFunction compiles needs
/// (the pipeline's dialects, bufferization models and LLVM IR translations).
void registerJitDependencies(mlir::DialectRegistry &registry);

struct JitOptions {
  /// OpenMP threads; 0 leaves the OpenMP default (every core).
  unsigned numThreads = 0;
};

/// Seconds spent turning a module into machine code.
struct CompileTimes {
  double lowering = 0.0;
  double codegen = 0.0;
};

/// An entry function lowered by s2attn-lower-to-cpu and compiled by the
/// ExecutionEngine.
class JitFunction {
public:
  ~JitFunction();
  JitFunction(JitFunction &&) noexcept;
  JitFunction &operator=(JitFunction &&) noexcept;

  /// Lowers `module` in place and compiles it. Lowering errors are reported
  /// through the context's diagnostics and yield an error saying so.
  static llvm::Expected<JitFunction> compile(mlir::ModuleOp module,
                                             llvm::StringRef entryName,
                                             const JitOptions &options);

  /// Calls the entry's C interface; each element of `descriptors` points to
  /// the memref descriptor (StridedMemRefType) of one argument.
  void call(llvm::ArrayRef<void *> descriptors) const;

  const CompileTimes &compileTimes() const { return times; }

private:
  JitFunction() = default;

  std::unique_ptr<mlir::ExecutionEngine> engine;
  void (*packedEntry)(void **) = nullptr;
  CompileTimes times;
};

} // namespace s2run

#endif // S2RUN_JITRUNNER_H
