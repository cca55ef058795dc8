//===- DeviceProblem.h - one problem's tensors on the GPU -------*- C++ -*-===//
//
// What the GPU checkers share: random inputs of a problem.txt problem in the
// kernel's element type, uploaded, outputs poisoned with NaN, and the
// comparison of the outputs with the float64 reference of the same (rounded)
// inputs.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_TEST_GPU_DEVICEPROBLEM_H
#define S2ATTN_TEST_GPU_DEVICEPROBLEM_H

#include "ProblemFile.h"

#include "s2attn/Runtime/S2AttnRuntime.h"

#include <cuda_runtime.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#define CHECK_CUDA(call)                                                       \
  do {                                                                         \
    cudaError_t status = (call);                                               \
    if (status != cudaSuccess) {                                               \
      std::fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__,       \
                   #call, cudaGetErrorString(status));                         \
      std::exit(2);                                                            \
    }                                                                          \
  } while (0)

namespace s2attn::gpucheck {

struct Errors {
  double outMaxAbs = 0, outMaxRef = 0, lseMaxAbs = 0;
  size_t nonFinite = 0;
  double outRelative() const {
    return outMaxRef > 0 ? outMaxAbs / outMaxRef : outMaxAbs;
  }
};

/// A problem's q, k, v (random normal, seeded) and outputs on the device.
class DeviceProblem {
public:
  DeviceProblem(const Problem &problem, uint64_t seed);
  ~DeviceProblem();
  DeviceProblem(const DeviceProblem &) = delete;
  DeviceProblem &operator=(const DeviceProblem &) = delete;

  /// NaN in every output element: one the kernel forgets to write fails.
  void poisonOutputs();
  /// The tensors in kernel.json's order (q, k, v, o[, lse]).
  const std::vector<s2attn_tensor> &tensors() const { return described; }
  /// Device addresses in the same order: the kernel's parameters.
  std::vector<void *> pointers() const;
  /// The outputs against the float64 reference (`check`), or only counted
  /// for non-finite values.
  Errors compareOutputs(bool check) const;
  /// Within bf16/f16 tolerances.
  bool passes(const Errors &errors) const;

private:
  const Problem &problem;
  size_t qCount, kvCount, lseCount;
  std::vector<double> q, k, v;
  void *dq = nullptr, *dk = nullptr, *dv = nullptr, *dout = nullptr,
       *dlse = nullptr;
  std::vector<s2attn_tensor> described;
};

/// Runs `check` on every directory (with its index), prints "N passed, M
/// failed" and returns the process exit code.
int checkEach(const std::vector<std::string> &directories,
              const std::function<bool(const std::string &, size_t)> &check);

} // namespace s2attn::gpucheck

#endif // S2ATTN_TEST_GPU_DEVICEPROBLEM_H
