//===- CudaDriver.cpp - The CUDA driver API, loaded with dlopen -----------===//

#include "CudaDriver.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

namespace s2attn::rt {

namespace {

#define S2ATTN_STRINGIFY_IMPL(x) #x
/// Stringifies after macro expansion: cuMemAlloc -> "cuMemAlloc_v2".
#define S2ATTN_STRINGIFY(x) S2ATTN_STRINGIFY_IMPL(x)

constexpr const char *kDefaultDriverLibrary = "libcuda.so.1";

struct DriverState {
  CudaDriverApi api;
  Status status;
};

const char *driverLibraryName() {
  const char *overrideName = std::getenv("S2ATTN_CUDA_DRIVER");
  return overrideName && *overrideName ? overrideName : kDefaultDriverLibrary;
}

Status resolveSymbols(void *library, const char *libraryName,
                      CudaDriverApi &api) {
#define S2ATTN_CUDA_REQUIRED(name)                                             \
  api.name = reinterpret_cast<decltype(api.name)>(                             \
      dlsym(library, S2ATTN_STRINGIFY(name)));                                 \
  if (!api.name)                                                               \
    return makeError(S2ATTN_ERROR_DRIVER_INIT, libraryName, " has no ",        \
                     S2ATTN_STRINGIFY(name),                                   \
                     ": the CUDA driver is too old or not a CUDA driver");
#define S2ATTN_CUDA_OPTIONAL(name)                                             \
  api.name = reinterpret_cast<decltype(api.name)>(                             \
      dlsym(library, S2ATTN_STRINGIFY(name)));
#include "CudaDriverFunctions.def"
  return Status::success();
}

Status initializeDriver(const CudaDriverApi &api, const char *libraryName) {
  CUresult result = api.cuInit(0);
  if (result == CUDA_SUCCESS)
    return Status::success();
  if (result == CUDA_ERROR_STUB_LIBRARY)
    return makeError(S2ATTN_ERROR_DRIVER_INIT, libraryName,
                     " is the CUDA toolkit's link stub, not a driver "
                     "(cuInit: CUDA_ERROR_STUB_LIBRARY)");
  Status error = cudaError(api, result, "cuInit(0)");
  s2attn_status code = result == CUDA_ERROR_NO_DEVICE
                           ? S2ATTN_ERROR_NO_DEVICE
                           : S2ATTN_ERROR_DRIVER_INIT;
  return Status(code, "the CUDA driver could not be initialized: " +
                          error.getMessage());
}

DriverState loadDriver() {
  DriverState state;
  const char *libraryName = driverLibraryName();
  // The driver stays loaded for the life of the process: handles from it are
  // cached, and unloading a driver under live contexts is never safe.
  void *library = dlopen(libraryName, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *reason = dlerror();
    state.status =
        makeError(S2ATTN_ERROR_NO_DRIVER, "no CUDA driver (", libraryName,
                  " not found)", reason ? std::string(": ") + reason : "");
    return state;
  }
  state.status = resolveSymbols(library, libraryName, state.api);
  if (state.status.ok())
    state.status = initializeDriver(state.api, libraryName);
  return state;
}

const DriverState &driverState() {
  // C++11 guarantees a single, thread-safe initialization.
  static const DriverState state = loadDriver();
  return state;
}

} // namespace

Status getCudaDriver(const CudaDriverApi *&api) {
  const DriverState &state = driverState();
  if (!state.status.ok())
    return state.status;
  api = &state.api;
  return Status::success();
}

Status cudaError(const CudaDriverApi &api, CUresult result, const char *call) {
  const char *name = nullptr;
  const char *description = nullptr;
  // While the process exits the driver may be too far gone to name errors.
  bool shuttingDown = result == CUDA_ERROR_DEINITIALIZED;
  if (api.cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    name = shuttingDown ? "CUDA_ERROR_DEINITIALIZED" : "unknown CUresult";
  if (api.cuGetErrorString(result, &description) != CUDA_SUCCESS ||
      !description)
    description =
        shuttingDown ? "the driver is shutting down" : "no description";
  return makeError(S2ATTN_ERROR_CUDA, call, " failed: ", name, " (",
                   description, ", code ", static_cast<int>(result), ")");
}

bool driverShutDown(const CudaDriverApi &api) {
  int count = 0;
  return api.cuDeviceGetCount(&count) == CUDA_ERROR_DEINITIALIZED;
}

Status getDevice(const CudaDriverApi &api, int device, CUdevice &handle) {
  int count = 0;
  S2ATTN_CU_RETURN_IF_ERROR(api, cuDeviceGetCount(&count));
  if (device < 0 || device >= count)
    return makeError(S2ATTN_ERROR_NO_DEVICE, "CUDA device ", device,
                     " does not exist (the machine has ", count, " device",
                     count == 1 ? "" : "s", ")");
  S2ATTN_CU_RETURN_IF_ERROR(api, cuDeviceGet(&handle, device));
  return Status::success();
}

Status getPrimaryContext(const CudaDriverApi &api, int device,
                         CUcontext &context) {
  static std::mutex mutex;
  static std::vector<CUcontext> contexts;
  CUdevice handle;
  if (Status status = getDevice(api, device, handle); !status.ok())
    return status;
  std::lock_guard<std::mutex> lock(mutex);
  if (contexts.size() <= static_cast<size_t>(device))
    contexts.resize(static_cast<size_t>(device) + 1, nullptr);
  CUcontext &cached = contexts[static_cast<size_t>(device)];
  if (!cached)
    S2ATTN_CU_RETURN_IF_ERROR(api, cuDevicePrimaryCtxRetain(&cached, handle));
  context = cached;
  return Status::success();
}

ScopedContext::ScopedContext(const CudaDriverApi &api, CUcontext context)
    : api(api) {
  CUcontext current = nullptr;
  CUresult result = api.cuCtxGetCurrent(&current);
  if (result != CUDA_SUCCESS) {
    pushStatus = cudaError(api, result, "cuCtxGetCurrent");
    return;
  }
  if (current == context)
    return;
  result = api.cuCtxPushCurrent(context);
  if (result != CUDA_SUCCESS) {
    pushStatus = cudaError(api, result, "cuCtxPushCurrent");
    return;
  }
  pushed = true;
}

ScopedContext::~ScopedContext() {
  if (!pushed)
    return;
  CUcontext popped = nullptr;
  api.cuCtxPopCurrent(&popped);
}

Status queryDeviceLimits(const CudaDriverApi &api, int device,
                         s2attn_device_limits &limits) {
  CUdevice handle;
  if (Status status = getDevice(api, device, handle); !status.ok())
    return status;
  struct Query {
    CUdevice_attribute attribute;
    int32_t *target;
    const char *name;
  };
  const Query queries[] = {
      {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
       &limits.compute_capability_major, "compute capability major"},
      {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
       &limits.compute_capability_minor, "compute capability minor"},
      {CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, &limits.multiprocessor_count,
       "multiprocessor count"},
      {CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, &limits.max_threads_per_block,
       "max threads per block"},
      {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X, &limits.max_block_dim[0],
       "max block dim x"},
      {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y, &limits.max_block_dim[1],
       "max block dim y"},
      {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z, &limits.max_block_dim[2],
       "max block dim z"},
      {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, &limits.max_grid_dim[0],
       "max grid dim x"},
      {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y, &limits.max_grid_dim[1],
       "max grid dim y"},
      {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z, &limits.max_grid_dim[2],
       "max grid dim z"},
      {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
       &limits.max_shared_memory_per_block_optin,
       "max shared memory per block (opt-in)"},
  };
  for (const Query &query : queries) {
    int value = 0;
    CUresult result = api.cuDeviceGetAttribute(&value, query.attribute, handle);
    if (result != CUDA_SUCCESS)
      return cudaError(
          api, result,
          concat("cuDeviceGetAttribute(", query.name, ")").c_str());
    *query.target = value;
  }
  return Status::success();
}

Status allowClusterSize(const CudaDriverApi &api, CUfunction kernel,
                        int64_t ctas) {
  if (ctas <= kPortableClusterSize)
    return Status::success();
  S2ATTN_CU_RETURN_IF_ERROR(
      api, cuFuncSetAttribute(
               kernel, CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1));
  return Status::success();
}

Status launchKernel(const CudaDriverApi &api, CUfunction kernel,
                    const LaunchShape &shape, CUstream stream, void **params,
                    void **extra) {
  if (!shape.clustered) {
    CUresult result =
        api.cuLaunchKernel(kernel, shape.grid[0], shape.grid[1], shape.grid[2],
                           shape.block[0], shape.block[1], shape.block[2],
                           shape.dynamicSharedBytes, stream, params, extra);
    return result == CUDA_SUCCESS ? Status::success()
                                  : cudaError(api, result, "cuLaunchKernel");
  }
  if (!api.cuLaunchKernelEx)
    return makeError(S2ATTN_ERROR_UNSUPPORTED,
                     "cluster launches need cuLaunchKernelEx (CUDA driver "
                     "12.0 or newer)");
  CUlaunchAttribute attribute = {};
  attribute.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  attribute.value.clusterDim.x = shape.cluster[0];
  attribute.value.clusterDim.y = shape.cluster[1];
  attribute.value.clusterDim.z = shape.cluster[2];
  CUlaunchConfig config = {};
  config.gridDimX = shape.grid[0];
  config.gridDimY = shape.grid[1];
  config.gridDimZ = shape.grid[2];
  config.blockDimX = shape.block[0];
  config.blockDimY = shape.block[1];
  config.blockDimZ = shape.block[2];
  config.sharedMemBytes = shape.dynamicSharedBytes;
  config.hStream = stream;
  config.attrs = &attribute;
  config.numAttrs = 1;
  CUresult result = api.cuLaunchKernelEx(&config, kernel, params, extra);
  return result == CUDA_SUCCESS ? Status::success()
                                : cudaError(api, result, "cuLaunchKernelEx");
}

bool isCapturing(const CudaDriverApi &api, CUstream stream) {
  CUstreamCaptureStatus status = CU_STREAM_CAPTURE_STATUS_NONE;
  return api.cuStreamIsCapturing &&
         api.cuStreamIsCapturing(stream, &status) == CUDA_SUCCESS &&
         status != CU_STREAM_CAPTURE_STATUS_NONE;
}

Status launchAfterPrevious(const CudaDriverApi &api, CUevent &last,
                           CUstream stream,
                           const std::function<Status()> &launch) {
  if (isCapturing(api, stream))
    return launch();
  if (!last)
    S2ATTN_CU_RETURN_IF_ERROR(api,
                              cuEventCreate(&last, CU_EVENT_DISABLE_TIMING));
  else
    S2ATTN_CU_RETURN_IF_ERROR(api, cuStreamWaitEvent(stream, last, 0));
  if (Status status = launch(); !status.ok())
    return status;
  // The kernel is enqueued even if this fails; the next launch then waits
  // for an earlier one only.
  S2ATTN_CU_RETURN_IF_ERROR(api, cuEventRecord(last, stream));
  return Status::success();
}

} // namespace s2attn::rt
