//===- LaunchValidation.h - Checking a launch against an artifact -*- C++
//-*-===//
//
// A pure function from (artifact metadata, launch arguments, optional device
// limits) to either a launch plan (grid, block, packed kernel parameters) or a
// Status naming what is wrong and what was expected. It calls no driver, so
// every error path is testable without a GPU; the runtime runs it before any
// driver call and again with the device's limits before launching.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_RUNTIME_LAUNCHVALIDATION_H
#define S2ATTN_RUNTIME_LAUNCHVALIDATION_H

#include "s2attn/Runtime/KernelMetadata.h"
#include "s2attn/Runtime/S2AttnRuntime.h"
#include "s2attn/Runtime/Status.h"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace s2attn::rt {

/// What the loaded kernel itself needs and allows (cuFuncGetAttribute).
struct KernelResources {
  /// Static shared memory of the kernel, which adds to the dynamic size.
  int64_t staticSharedBytes = 0;
  /// Threads per block the kernel can launch with (register-limited);
  /// 0 means unknown.
  int64_t maxThreadsPerBlock = 0;
};

/// A validated launch: launch shape and the kernel parameter buffer.
struct LaunchPlan {
  std::array<uint32_t, 3> grid = {1, 1, 1};
  std::array<uint32_t, 3> block = {1, 1, 1};
  std::array<uint32_t, 3> cluster = {1, 1, 1};
  uint32_t dynamicSharedBytes = 0;
  /// Shape symbol values, bound from the tensors.
  std::map<std::string, int64_t> symbols;
  /// Every kernel parameter's bytes, each slot 8-byte aligned.
  std::vector<uint64_t> paramStorage;
  /// Offset (in uint64 slots) of each parameter in paramStorage, in the
  /// kernel's order (a memref parameter expands to several).
  std::vector<size_t> paramSlots;

  /// The `void **kernelParams` array cuLaunchKernel takes; points into
  /// paramStorage, so it is valid while this plan lives and is not copied.
  std::vector<void *> kernelParams();
  s2attn_launch_config config() const;
};

/// Runs every check that needs no device; with `limits`, also the device
/// checks (block and grid sizes, shared memory). On success fills `plan`.
Status validateLaunch(const KernelMetadata &meta,
                      const s2attn_launch_args &args,
                      const s2attn_device_limits *limits,
                      const KernelResources &resources, LaunchPlan &plan);

/// Whether a cubin built for `target` runs on a device of compute capability
/// major.minor; fills `reason` when it does not (or the target is unknown).
bool targetRunsOn(const std::string &target, int major, int minor,
                  std::string &reason);

} // namespace s2attn::rt

#endif // S2ATTN_RUNTIME_LAUNCHVALIDATION_H
