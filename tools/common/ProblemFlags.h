//===- ProblemFlags.h - problem and pattern flags ---------------*- C++ -*-===//
//
// s2-run and s2-compile describe a problem with the same flags (shapes,
// dtype, causality, positions, and a local-stride, dense or block-mask
// pattern); both build it with buildProblemModule.
//
//===----------------------------------------------------------------------===//

#ifndef S2TOOLS_PROBLEMFLAGS_H
#define S2TOOLS_PROBLEMFLAGS_H

#include "s2attn/CAPI/Runner/ProblemIR.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <string>

namespace s2run {

llvm::cl::OptionCategory &problemFlagCategory();
llvm::cl::OptionCategory &patternFlagCategory();

/// The problem the flags describe, checked: errors name the flag and what
/// was expected.
llvm::Expected<ProblemDescription> buildProblemFromFlags();

/// Fails naming the first problem or pattern flag given, which an input
/// file (whose problem comes from `problemSource`, e.g. "@f") excludes.
llvm::Error rejectProblemFlags(llvm::StringRef inputFile,
                               llvm::StringRef problemSource);

/// --dtype's value when not given (before parsing the command line).
void setDefaultElementType(ElementType type);

/// "--flag: message".
llvm::Error flagError(llvm::StringRef flag, const llvm::Twine &message);
/// `value` as %g.
std::string formatNumber(double value);
/// The flag appears on the command line.
bool given(const llvm::cl::Option &option);

} // namespace s2run

#endif // S2TOOLS_PROBLEMFLAGS_H
