//===- CudaDriver.h - The CUDA driver API, loaded with dlopen ----*- C++
//-*-===//
//
// The runtime never links libcuda: it dlopens libcuda.so.1 on first use, so it
// builds and loads where no driver is installed and says so with
// S2ATTN_ERROR_NO_DRIVER. cuda.h is used for types and prototypes only.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_LIB_RUNTIME_CUDADRIVER_H
#define S2ATTN_LIB_RUNTIME_CUDADRIVER_H

#include "s2attn/Runtime/S2AttnRuntime.h"
#include "s2attn/Runtime/Status.h"

#include <cuda.h>

#include <functional>

namespace s2attn::rt {

/// CTAs a thread block cluster holds without opting in
/// (CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED).
constexpr int64_t kPortableClusterSize = 8;

/// Pointers to the driver functions listed in CudaDriverFunctions.def.
struct CudaDriverApi {
#define S2ATTN_CUDA_REQUIRED(name) decltype(&::name) name = nullptr;
#define S2ATTN_CUDA_OPTIONAL(name) decltype(&::name) name = nullptr;
#include "CudaDriverFunctions.def"
};

/// Loads and initializes the driver on the first call (thread-safe); every
/// later call returns the same outcome. On success `api` is set.
Status getCudaDriver(const CudaDriverApi *&api);

/// "call failed: CUDA_ERROR_X (description)" as an S2ATTN_ERROR_CUDA status.
Status cudaError(const CudaDriverApi &api, CUresult result, const char *call);

/// Returns the failing Status of a driver call from the enclosing function.
#define S2ATTN_CU_RETURN_IF_ERROR(api, call)                                   \
  do {                                                                         \
    CUresult s2attnResult = (api).call;                                        \
    if (s2attnResult != CUDA_SUCCESS)                                          \
      return ::s2attn::rt::cudaError((api), s2attnResult, #call);              \
  } while (false)

/// True once the driver has begun tearing itself down at process exit; the
/// contexts, and everything in them, are gone then.
bool driverShutDown(const CudaDriverApi &api);

/// Checks `device` against the device count and returns its handle.
Status getDevice(const CudaDriverApi &api, int device, CUdevice &handle);

/// The device's primary context, retained on first use and kept for the
/// life of the process (frameworks such as PyTorch use the same one).
Status getPrimaryContext(const CudaDriverApi &api, int device,
                         CUcontext &context);

/// Makes `context` current for a scope and restores the previous one, so that
/// a caller's own context stack is left as it was.
class ScopedContext {
public:
  ScopedContext(const CudaDriverApi &api, CUcontext context);
  ~ScopedContext();
  ScopedContext(const ScopedContext &) = delete;
  ScopedContext &operator=(const ScopedContext &) = delete;

  const Status &status() const { return pushStatus; }

private:
  const CudaDriverApi &api;
  bool pushed = false;
  Status pushStatus;
};

Status queryDeviceLimits(const CudaDriverApi &api, int device,
                         s2attn_device_limits &limits);

/// Opts `kernel` in to clusters of `ctas` CTAs when they are more than
/// kPortableClusterSize (CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED).
Status allowClusterSize(const CudaDriverApi &api, CUfunction kernel,
                        int64_t ctas);

/// Grid, block and cluster extents of one launch; `clustered` launches
/// with the cluster dimension (cuLaunchKernelEx).
struct LaunchShape {
  unsigned grid[3], block[3], cluster[3];
  unsigned dynamicSharedBytes;
  bool clustered;
};

/// cuLaunchKernel, or cuLaunchKernelEx with the cluster dimension when the
/// shape is clustered (S2ATTN_ERROR_UNSUPPORTED when the driver is older than
/// CUDA 12.0 and has none).
Status launchKernel(const CudaDriverApi &api, CUfunction kernel,
                    const LaunchShape &shape, CUstream stream, void **params,
                    void **extra);

/// Whether `stream` is being captured into a CUDA graph (false when the
/// driver cannot say).
bool isCapturing(const CudaDriverApi &api, CUstream stream);

/// Launches of a kernel whose module keeps state for its next launch (grid
/// splits' counters) must not overlap: `launch`, a launch on `stream`,
/// first waits for the previous one recorded in `last`, on whatever stream
/// (equal handles need not be one stream: the per-thread default stream, a
/// reused handle), and is recorded there in turn. Callers serialize the
/// calls for one `last`. A capture cannot wait on an event recorded outside
/// it, so captured launches keep only their stream's order
/// (docs/artifact-format.md).
Status launchAfterPrevious(const CudaDriverApi &api, CUevent &last,
                           CUstream stream,
                           const std::function<Status()> &launch);

} // namespace s2attn::rt

#endif // S2ATTN_LIB_RUNTIME_CUDADRIVER_H
