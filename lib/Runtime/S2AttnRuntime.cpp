//===- S2AttnRuntime.cpp - C API for running compiled s2attn kernels ------===//
//
// A launch runs in three stages so that nothing invalid reaches the GPU:
//   1. the pure checks (tensors, dtypes, pointers, scalars, grid),
//   2. the driver and the module on the device (NO_DRIVER, ARCH_MISMATCH ...),
//   3. the device checks (shared memory, sizes, the pointers' memory), then
//      the launch itself.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Runtime/S2AttnRuntime.h"

#include "CudaDriver.h"
#include "ErrorState.h"
#include "s2attn/Runtime/KernelMetadata.h"
#include "s2attn/Runtime/LaunchValidation.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

using namespace s2attn::rt;

namespace {

/// The artifact's module as loaded on one device.
struct LoadedKernel {
  int device = -1;
  CUcontext context = nullptr;
  CUmodule module = nullptr;
  CUfunction function = nullptr;
  KernelResources resources;
  s2attn_device_limits limits = {};
  /// Ordered launches (KernelMetadata::orderedLaunches): recorded after the
  /// last launch; guarded by the artifact's mutex.
  mutable CUevent lastLaunch = nullptr;
};

} // namespace

struct s2attn_artifact {
  KernelMetadata meta;
  std::vector<char> cubin;
  std::mutex mutex;
  // A deque: pointers to loaded entries stay valid as devices are added.
  std::deque<LoadedKernel> loaded;
};

namespace {

constexpr size_t kMaxMetadataBytes = 16u << 20;
constexpr size_t kMaxCubinBytes = 1u << 30;
/// Without the opt-in attribute a kernel gets at most this much dynamic
/// shared memory.
constexpr int64_t kDefaultDynamicSharedLimit = 48 * 1024;

Status readFile(const std::string &path, size_t maxBytes,
                std::vector<char> &out) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file)
    return makeError(S2ATTN_ERROR_ARTIFACT_IO, "cannot open ", path);
  std::streamoff size = file.tellg();
  if (size < 0)
    return makeError(S2ATTN_ERROR_ARTIFACT_IO, "cannot read ", path);
  if (static_cast<size_t>(size) > maxBytes)
    return makeError(S2ATTN_ERROR_ARTIFACT_IO, path, " is ", size,
                     " bytes, more than the limit of ", maxBytes);
  out.resize(static_cast<size_t>(size));
  file.seekg(0);
  if (size > 0 && !file.read(out.data(), size))
    return makeError(S2ATTN_ERROR_ARTIFACT_IO, "cannot read ", path);
  return Status::success();
}

/// cuModuleLoadData takes ELF cubins and fatbins; anything else is a
/// packaging mistake we can name before the driver gives a vague error.
Status checkCubinImage(const std::vector<char> &cubin,
                       const std::string &name) {
  static const unsigned char elfMagic[4] = {0x7f, 'E', 'L', 'F'};
  static const unsigned char fatbinMagic[4] = {0x50, 0xed, 0x55, 0xba};
  if (cubin.size() >= 4 && (std::memcmp(cubin.data(), elfMagic, 4) == 0 ||
                            std::memcmp(cubin.data(), fatbinMagic, 4) == 0))
    return Status::success();
  return makeError(S2ATTN_ERROR_ARTIFACT_INVALID, name,
                   " is not a cubin (no ELF or fatbin header)");
}

Status openArtifact(std::string_view json, std::vector<char> cubin,
                    const std::string &cubinName, s2attn_artifact **out) {
  if (!out)
    return makeError(S2ATTN_ERROR_INVALID_ARGUMENT, "artifact output is NULL");
  *out = nullptr;
  KernelMetadata meta;
  if (Status status = parseKernelMetadata(json, meta); !status.ok())
    return status;
  if (Status status =
          checkCubinImage(cubin, cubinName.empty() ? meta.cubin : cubinName);
      !status.ok())
    return status;
  auto *artifact = new s2attn_artifact();
  artifact->meta = std::move(meta);
  artifact->cubin = std::move(cubin);
  *out = artifact;
  return Status::success();
}

Status openArtifactDirectory(const char *directory, s2attn_artifact **out) {
  if (!directory || !out)
    return makeError(S2ATTN_ERROR_INVALID_ARGUMENT,
                     "s2attn_artifact_open: directory and artifact must not "
                     "be NULL");
  std::string base(directory);
  std::vector<char> json;
  if (Status status = readFile(base + "/kernel.json", kMaxMetadataBytes, json);
      !status.ok())
    return status;
  KernelMetadata meta;
  if (Status status =
          parseKernelMetadata(std::string_view(json.data(), json.size()), meta);
      !status.ok())
    return status;
  std::string cubinPath = base + "/" + meta.cubin;
  std::vector<char> cubin;
  if (Status status = readFile(cubinPath, kMaxCubinBytes, cubin); !status.ok())
    return status;
  return openArtifact(std::string_view(json.data(), json.size()),
                      std::move(cubin), cubinPath, out);
}

//===----------------------------------------------------------------------===//
// Loading on a device
//===----------------------------------------------------------------------===//

Status readKernelResources(const CudaDriverApi &api, CUfunction function,
                           KernelResources &resources) {
  int value = 0;
  S2ATTN_CU_RETURN_IF_ERROR(
      api, cuFuncGetAttribute(&value, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES,
                              function));
  resources.staticSharedBytes = value;
  S2ATTN_CU_RETURN_IF_ERROR(
      api, cuFuncGetAttribute(&value, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK,
                              function));
  resources.maxThreadsPerBlock = value;
  return Status::success();
}

/// Kernels get more than 48 KiB of dynamic shared memory only after opting in.
/// A request beyond the device limit is left for validation to report.
Status optInSharedMemory(const CudaDriverApi &api, const KernelMetadata &meta,
                         const LoadedKernel &kernel) {
  int64_t needed =
      meta.dynamicSharedMemory + kernel.resources.staticSharedBytes;
  // The 48 KiB default covers static plus dynamic shared memory.
  if (needed <= kDefaultDynamicSharedLimit ||
      needed > kernel.limits.max_shared_memory_per_block_optin)
    return Status::success();
  S2ATTN_CU_RETURN_IF_ERROR(
      api, cuFuncSetAttribute(kernel.function,
                              CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                              static_cast<int>(meta.dynamicSharedMemory)));
  return Status::success();
}

Status loadModule(const CudaDriverApi &api, const s2attn_artifact &artifact,
                  LoadedKernel &kernel) {
  CUresult result = api.cuModuleLoadData(&kernel.module, artifact.cubin.data());
  if (result != CUDA_SUCCESS) {
    Status error = cudaError(api, result, "cuModuleLoadData(kernel.cubin)");
    return Status(error.getCode(), error.getMessage() + " (artifact target " +
                                       artifact.meta.target + ")");
  }
  result = api.cuModuleGetFunction(&kernel.function, kernel.module,
                                   artifact.meta.entry.c_str());
  if (result == CUDA_ERROR_NOT_FOUND) {
    api.cuModuleUnload(kernel.module);
    return makeError(S2ATTN_ERROR_KERNEL_NOT_FOUND, "kernel entry '",
                     artifact.meta.entry,
                     "' (kernel.json \"entry\") is not in the cubin");
  }
  if (result != CUDA_SUCCESS) {
    api.cuModuleUnload(kernel.module);
    return cudaError(api, result, "cuModuleGetFunction");
  }
  const std::array<int64_t, 3> &cluster = artifact.meta.cluster;
  Status status = readKernelResources(api, kernel.function, kernel.resources);
  if (status.ok())
    status = optInSharedMemory(api, artifact.meta, kernel);
  if (status.ok())
    status = allowClusterSize(api, kernel.function,
                              cluster[0] * cluster[1] * cluster[2]);
  if (!status.ok())
    api.cuModuleUnload(kernel.module);
  return status;
}

Status loadOnDevice(const CudaDriverApi &api, const s2attn_artifact &artifact,
                    int device, LoadedKernel &kernel) {
  kernel.device = device;
  if (Status status = queryDeviceLimits(api, device, kernel.limits);
      !status.ok())
    return status;
  std::string reason;
  if (!targetRunsOn(artifact.meta.target,
                    kernel.limits.compute_capability_major,
                    kernel.limits.compute_capability_minor, reason))
    return makeError(S2ATTN_ERROR_ARCH_MISMATCH, "device ", device, ": ",
                     reason);
  if (Status status = getPrimaryContext(api, device, kernel.context);
      !status.ok())
    return status;
  ScopedContext scope(api, kernel.context);
  if (!scope.status().ok())
    return scope.status();
  return loadModule(api, artifact, kernel);
}

/// The kernel on `device`, loading it on first use. The returned pointer stays
/// valid while the artifact lives (entries are never removed).
Status getLoadedKernel(const CudaDriverApi &api, s2attn_artifact &artifact,
                       int device, const LoadedKernel *&out) {
  std::lock_guard<std::mutex> lock(artifact.mutex);
  for (const LoadedKernel &kernel : artifact.loaded) {
    if (kernel.device == device) {
      out = &kernel;
      return Status::success();
    }
  }
  LoadedKernel kernel;
  if (Status status = loadOnDevice(api, artifact, device, kernel); !status.ok())
    return status;
  artifact.loaded.push_back(kernel);
  out = &artifact.loaded.back();
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Device-side pointer checks
//===----------------------------------------------------------------------===//

/// Bytes from the data pointer to one past the last element.
uint64_t tensorExtentBytes(const s2attn_tensor &tensor) {
  bool contiguous = true;
  for (int32_t d = 0; d < tensor.rank; ++d) {
    if (tensor.shape[d] == 0)
      return 0;
    contiguous &= tensor.strides[d] == 0;
  }
  uint64_t lastOffset = 0, stride = 1;
  for (int32_t d = tensor.rank - 1; d >= 0; --d) {
    uint64_t step =
        contiguous ? stride : static_cast<uint64_t>(tensor.strides[d]);
    lastOffset += static_cast<uint64_t>(tensor.shape[d] - 1) * step;
    stride *= static_cast<uint64_t>(tensor.shape[d]);
  }
  return (lastOffset + 1) * s2attn_dtype_size(tensor.dtype);
}

/// A host pointer or a pointer into another device's memory would fault
/// inside the kernel and poison the caller's context; catch it here.
Status checkDevicePointer(const CudaDriverApi &api, const KernelMetadata &meta,
                          size_t index, const s2attn_tensor &tensor,
                          int device) {
  CUdeviceptr address = reinterpret_cast<uintptr_t>(tensor.data);
  // Every launch runs these checks: the label is built only for a message.
  auto label = [&] {
    return concat("tensor ", index, " ('", meta.tensors[index].name, "')");
  };
  // Memory type and device in one driver call.
  CUpointer_attribute attributes[] = {CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                                      CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL};
  unsigned int memoryType = 0;
  int ordinal = -1;
  void *values[] = {&memoryType, &ordinal};
  CUresult result = api.cuPointerGetAttributes(
      sizeof(attributes) / sizeof(attributes[0]), attributes, values, address);
  if (result != CUDA_SUCCESS)
    return cudaError(api, result, "cuPointerGetAttributes");
  // The driver leaves every attribute zero for memory it does not know.
  if (memoryType == 0)
    return makeError(S2ATTN_ERROR_BAD_DEVICE_POINTER, label(), " pointer ",
                     tensor.data,
                     " is not CUDA memory (a host pointer, or freed?)");
  if (memoryType == CU_MEMORYTYPE_DEVICE && ordinal != device)
    return makeError(S2ATTN_ERROR_BAD_DEVICE_POINTER, label(),
                     " lives on device ", ordinal,
                     ", but the launch is on device ", device);
  // The backed region around the pointer. (The pointer attributes' range is
  // the reserved one, which for memory mapped into a reservation, as
  // PyTorch's expandable segments do, can run past what is backed.) Some
  // memory, e.g. registered host memory, has no range: skip the check.
  CUdeviceptr base = 0;
  size_t size = 0;
  if (api.cuMemGetAddressRange(&base, &size, address) != CUDA_SUCCESS)
    return Status::success();
  uint64_t extent = tensorExtentBytes(tensor);
  uint64_t available = base + size - address;
  if (extent <= available)
    return Status::success();
  return makeError(S2ATTN_ERROR_BAD_DEVICE_POINTER, label(), " spans ", extent,
                   " bytes from ", tensor.data,
                   ", but its allocation has only ", available,
                   " bytes left there");
}

Status checkDevicePointers(const CudaDriverApi &api, const KernelMetadata &meta,
                           const s2attn_launch_args &args) {
  for (size_t i = 0; i < args.num_tensors; ++i)
    if (Status status =
            checkDevicePointer(api, meta, i, args.tensors[i], args.device);
        !status.ok())
      return status;
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Launching
//===----------------------------------------------------------------------===//

Status launchPlan(const CudaDriverApi &api, const LoadedKernel &kernel,
                  LaunchPlan &plan, CUstream stream) {
  std::vector<void *> params = plan.kernelParams();
  bool clustered = plan.cluster[0] * plan.cluster[1] * plan.cluster[2] > 1;
  LaunchShape shape = {{plan.grid[0], plan.grid[1], plan.grid[2]},
                       {plan.block[0], plan.block[1], plan.block[2]},
                       {plan.cluster[0], plan.cluster[1], plan.cluster[2]},
                       plan.dynamicSharedBytes,
                       clustered};
  return launchKernel(api, kernel.function, shape, stream, params.data(),
                      nullptr);
}

/// launchPlan for kernels whose launches must not overlap
/// (launchAfterPrevious), one at a time per artifact.
Status launchInOrder(const CudaDriverApi &api, s2attn_artifact &artifact,
                     const LoadedKernel &kernel, LaunchPlan &plan,
                     CUstream stream) {
  std::lock_guard<std::mutex> lock(artifact.mutex);
  return launchAfterPrevious(api, kernel.lastLaunch, stream, [&] {
    return launchPlan(api, kernel, plan, stream);
  });
}

Status launchArtifact(s2attn_artifact *artifact,
                      const s2attn_launch_args *args) {
  if (!artifact || !args)
    return makeError(S2ATTN_ERROR_INVALID_ARGUMENT,
                     "s2attn_artifact_launch: artifact and args must not be "
                     "NULL");
  LaunchPlan plan;
  // Stage 1: everything that needs no driver.
  if (Status status = validateLaunch(artifact->meta, *args, nullptr, {}, plan);
      !status.ok())
    return status;
  const CudaDriverApi *api = nullptr;
  if (Status status = getCudaDriver(api); !status.ok())
    return status;
  const LoadedKernel *kernel = nullptr;
  if (Status status = getLoadedKernel(*api, *artifact, args->device, kernel);
      !status.ok())
    return status;
  // Stage 3: the device's limits and the pointers' memory.
  if (Status status = validateLaunch(artifact->meta, *args, &kernel->limits,
                                     kernel->resources, plan);
      !status.ok())
    return status;
  ScopedContext scope(*api, kernel->context);
  if (!scope.status().ok())
    return scope.status();
  if (Status status = checkDevicePointers(*api, artifact->meta, *args);
      !status.ok())
    return status;
  auto stream = static_cast<CUstream>(args->stream);
  if (artifact->meta.orderedLaunches)
    return launchInOrder(*api, *artifact, *kernel, plan, stream);
  return launchPlan(*api, *kernel, plan, stream);
}

Status withDriver(const CudaDriverApi *&api) { return getCudaDriver(api); }

} // namespace

extern "C" {

s2attn_status s2attn_runtime_init(void) {
  const CudaDriverApi *api = nullptr;
  return reportStatus(withDriver(api));
}

s2attn_status s2attn_driver_version(int *version) {
  if (!version)
    return reportStatus(
        makeError(S2ATTN_ERROR_INVALID_ARGUMENT, "version is NULL"));
  const CudaDriverApi *api = nullptr;
  if (Status status = withDriver(api); !status.ok())
    return reportStatus(status);
  CUresult result = api->cuDriverGetVersion(version);
  if (result != CUDA_SUCCESS)
    return reportStatus(cudaError(*api, result, "cuDriverGetVersion"));
  return S2ATTN_SUCCESS;
}

s2attn_status s2attn_device_count(int *count) {
  if (!count)
    return reportStatus(
        makeError(S2ATTN_ERROR_INVALID_ARGUMENT, "count is NULL"));
  const CudaDriverApi *api = nullptr;
  if (Status status = withDriver(api); !status.ok())
    return reportStatus(status);
  CUresult result = api->cuDeviceGetCount(count);
  if (result != CUDA_SUCCESS)
    return reportStatus(cudaError(*api, result, "cuDeviceGetCount"));
  return S2ATTN_SUCCESS;
}

s2attn_status s2attn_device_name(int device, char *buffer, size_t buffer_size) {
  if (!buffer || buffer_size == 0)
    return reportStatus(
        makeError(S2ATTN_ERROR_INVALID_ARGUMENT, "buffer is NULL or empty"));
  buffer[0] = '\0';
  const CudaDriverApi *api = nullptr;
  CUdevice handle;
  Status status = withDriver(api);
  if (status.ok())
    status = getDevice(*api, device, handle);
  if (!status.ok())
    return reportStatus(status);
  CUresult result = api->cuDeviceGetName(
      buffer, static_cast<int>(std::min<size_t>(buffer_size, 1 << 20)), handle);
  if (result != CUDA_SUCCESS)
    return reportStatus(cudaError(*api, result, "cuDeviceGetName"));
  return S2ATTN_SUCCESS;
}

s2attn_status s2attn_device_get_limits(int device,
                                       s2attn_device_limits *limits) {
  if (!limits)
    return reportStatus(
        makeError(S2ATTN_ERROR_INVALID_ARGUMENT, "limits is NULL"));
  const CudaDriverApi *api = nullptr;
  Status status = withDriver(api);
  if (status.ok())
    status = queryDeviceLimits(*api, device, *limits);
  return reportStatus(status);
}

s2attn_status s2attn_artifact_open(const char *directory,
                                   s2attn_artifact **artifact) {
  return reportStatus(openArtifactDirectory(directory, artifact));
}

s2attn_status s2attn_artifact_open_memory(const char *json_text,
                                          size_t json_size, const void *cubin,
                                          size_t cubin_size,
                                          s2attn_artifact **artifact) {
  if (!json_text || (!cubin && cubin_size > 0))
    return reportStatus(makeError(S2ATTN_ERROR_INVALID_ARGUMENT,
                                  "s2attn_artifact_open_memory: json_text or "
                                  "cubin is NULL"));
  const char *bytes = static_cast<const char *>(cubin);
  std::vector<char> image(bytes, bytes + cubin_size);
  return reportStatus(openArtifact(std::string_view(json_text, json_size),
                                   std::move(image), "cubin", artifact));
}

void s2attn_artifact_destroy(s2attn_artifact *artifact) {
  if (!artifact)
    return;
  const CudaDriverApi *api = nullptr;
  if (!artifact->loaded.empty() && getCudaDriver(api).ok()) {
    for (const LoadedKernel &kernel : artifact->loaded) {
      ScopedContext scope(*api, kernel.context);
      if (!scope.status().ok())
        continue;
      if (kernel.lastLaunch)
        api->cuEventDestroy(kernel.lastLaunch);
      api->cuModuleUnload(kernel.module);
    }
  }
  delete artifact;
}

const char *s2attn_artifact_entry(const s2attn_artifact *artifact) {
  return artifact ? artifact->meta.entry.c_str() : nullptr;
}

size_t s2attn_artifact_num_tensors(const s2attn_artifact *artifact) {
  return artifact ? artifact->meta.tensors.size() : 0;
}

const char *s2attn_artifact_tensor_name(const s2attn_artifact *artifact,
                                        size_t index) {
  if (!artifact || index >= artifact->meta.tensors.size())
    return nullptr;
  return artifact->meta.tensors[index].name.c_str();
}

s2attn_status s2attn_artifact_validate(const s2attn_artifact *artifact,
                                       const s2attn_launch_args *args,
                                       const s2attn_device_limits *limits,
                                       s2attn_launch_config *config) {
  if (!artifact || !args)
    return reportStatus(makeError(S2ATTN_ERROR_INVALID_ARGUMENT,
                                  "s2attn_artifact_validate: artifact and "
                                  "args must not be NULL"));
  LaunchPlan plan;
  Status status = validateLaunch(artifact->meta, *args, limits, {}, plan);
  if (status.ok() && config)
    *config = plan.config();
  return reportStatus(status);
}

s2attn_status s2attn_artifact_prepare(s2attn_artifact *artifact, int device) {
  if (!artifact)
    return reportStatus(
        makeError(S2ATTN_ERROR_INVALID_ARGUMENT, "artifact is NULL"));
  const CudaDriverApi *api = nullptr;
  const LoadedKernel *kernel = nullptr;
  Status status = withDriver(api);
  if (status.ok())
    status = getLoadedKernel(*api, *artifact, device, kernel);
  return reportStatus(status);
}

s2attn_status s2attn_artifact_launch(s2attn_artifact *artifact,
                                     const s2attn_launch_args *args) {
  return reportStatus(launchArtifact(artifact, args));
}

} // extern "C"
