//===- ReferenceCheck.h - judging results with the float64 oracle -*- C++
//-*-===//

#ifndef S2RUN_REFERENCECHECK_H
#define S2RUN_REFERENCECHECK_H

#include "EntryPoint.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>

namespace s2run {

/// How far one result tensor is from the reference.
struct ErrorStats {
  double maxAbsError = 0.0;
  double maxAbsReference = 0.0;
  /// maxAbsError / maxAbsReference (maxAbsError when the reference is 0).
  double relError = 0.0;
  /// Index of the first NaN or infinity in the result or the reference.
  std::optional<int64_t> firstNonFinite;
  bool nonFiniteInReference = false;
};

struct CheckReport {
  ErrorStats out;
  /// Only when the entry writes lse.
  std::optional<ErrorStats> lse;
  double tolerance = 0.0;

  bool passed() const;
};

/// The relative tolerance of the SPEC's element types: f32 1e-5, bf16 2e-2,
/// f16 1e-2.
double defaultTolerance(ElementType type);

/// Runs the float64 reference on the same (already rounded) inputs and
/// compares `out` and `lse` (empty when the entry has none) with it.
CheckReport checkAgainstReference(const EntryProblem &problem,
                                  llvm::ArrayRef<float> q,
                                  llvm::ArrayRef<float> k,
                                  llvm::ArrayRef<float> v,
                                  llvm::ArrayRef<float> out,
                                  llvm::ArrayRef<float> lse, double tolerance);

/// Attended (query, key) token pairs summed over query heads, for one batch
/// element: the work a sparse kernel cannot avoid.
int64_t countAttendedPairs(const EntryProblem &problem);

} // namespace s2run

#endif // S2RUN_REFERENCECHECK_H
