//===- Flags.h - s2-run's command line --------------------------*- C++ -*-===//

#ifndef S2RUN_FLAGS_H
#define S2RUN_FLAGS_H

#include "s2attn/CAPI/Runner/ProblemIR.h"
#include "s2attn/Conversion/Passes.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace s2run {

enum class Target { Cpu, Cuda };

/// Everything the command line asks for, validated.
struct RunConfig {
  /// Set when the problem comes from the flags; unset with an input file.
  std::optional<ProblemDescription> problem;
  std::string inputFile;
  std::string entry;

  std::string inputsDir;
  std::string outputsDir;
  uint64_t seed = 0;

  bool emitMlir = false;
  bool check = false;
  /// Unset: the element type's default.
  std::optional<double> tolerance;
  Target target = Target::Cpu;
  /// The chip and the planning choices --target cuda compiles with.
  mlir::s2attn::ConvertS2AttnToGPUOptions gpu;
  bool time = false;
  unsigned repeat = 10;
  /// 0: every core.
  unsigned threads = 0;
};

/// Parses argv (exits with llvm::cl's message on unknown flags or
/// malformed values) and checks the flags against each other. Errors name
/// the flag or file and what was expected.
llvm::Expected<RunConfig> parseCommandLine(int argc, char **argv);

} // namespace s2run

#endif // S2RUN_FLAGS_H
