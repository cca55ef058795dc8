//===- MgpuRuntime.cpp - mgpu* entry points for MLIR gpu-to-llvm code -----===//
//
// Host code from MLIR's gpu-to-llvm conversion calls these functions and
// checks no result, so each one validates its arguments, runs in the default
// device's primary context, and on failure records the error (and prints it)
// instead of aborting. A NULL handle left by an earlier failure is refused
// with its own message, so one failure does not cascade into a crash.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Runtime/MgpuRuntime.h"
#include "s2attn/Runtime/ModuleState.h"

#include "CudaDriver.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

using namespace s2attn::rt;

namespace {

/// Without the opt-in attribute a kernel gets at most this much dynamic
/// shared memory.
constexpr int32_t kDefaultDynamicSharedLimit = 48 * 1024;

std::atomic<int32_t> defaultDevice{0};

struct ErrorRecord {
  std::mutex mutex;
  s2attn_status code = S2ATTN_SUCCESS;
  std::string message;
  std::atomic<uint64_t> count{0};
};

ErrorRecord &errorRecord() {
  // Never destroyed, like kernelRegistry(): mgpu* calls from global
  // destructors still record their errors.
  static ErrorRecord *record = new ErrorRecord;
  return *record;
}

bool quiet() {
  static const bool isQuiet = [] {
    const char *value = std::getenv("S2ATTN_MGPU_QUIET");
    return value && *value && std::strcmp(value, "0") != 0;
  }();
  return isQuiet;
}

void recordError(const char *function, const Status &status) {
  std::string message = std::string(function) + ": " + status.getMessage();
  ErrorRecord &record = errorRecord();
  {
    std::lock_guard<std::mutex> lock(record.mutex);
    record.code = status.getCode();
    record.message = message;
  }
  record.count.fetch_add(1);
  if (!quiet())
    std::fprintf(stderr, "s2attn-runtime: %s [%s]\n", message.c_str(),
                 s2attn_status_name(status.getCode()));
}

/// Records `status` when it failed; returns whether it succeeded.
bool check(const char *function, const Status &status) {
  if (!status.ok())
    recordError(function, status);
  return status.ok();
}

bool checkCuda(const char *function, const CudaDriverApi &api, CUresult result,
               const char *call) {
  if (result == CUDA_SUCCESS)
    return true;
  recordError(function, cudaError(api, result, call));
  return false;
}

/// The driver and the default device's primary context, made current for the
/// life of this object. `ok()` is false (and the error recorded) otherwise.
class DeviceScope {
public:
  /// `releasing`: the call only frees something. At process exit (global
  /// destructors of generated code unload their modules) the driver may
  /// already have freed everything; that is not an error.
  explicit DeviceScope(const char *function, bool releasing = false) {
    CUcontext context = nullptr;
    Status status = getCudaDriver(api);
    if (status.ok() && releasing && driverShutDown(*api))
      return;
    if (status.ok())
      status = getPrimaryContext(*api, defaultDevice.load(), context);
    if (status.ok()) {
      scope.emplace(*api, context);
      status = scope->status();
    }
    valid = check(function, status);
  }

  bool ok() const { return valid; }
  const CudaDriverApi &driver() const { return *api; }

private:
  const CudaDriverApi *api = nullptr;
  std::optional<ScopedContext> scope;
  bool valid = false;
};

bool requireHandle(const char *function, const void *handle, const char *what,
                   const char *hint) {
  if (handle)
    return true;
  recordError(function,
              makeError(S2ATTN_ERROR_INVALID_ARGUMENT, what, " is NULL", hint));
  return false;
}

/// The launch order of one kernel whose module keeps state for its next
/// launch (s2attn/Runtime/ModuleState.h): its launches wait for each other
/// across streams, as the C API's ordered launches do.
struct LaunchOrder {
  std::mutex mutex;
  CUevent lastLaunch = nullptr;
};

/// What mgpuModuleGetFunction learned of each kernel: its module and, for
/// kernels with module state, their launch order (null for the others).
/// gpu-to-llvm host code asks for the function before every launch, so the
/// answer is kept until the module is unloaded.
struct KnownKernel {
  CUmodule module = nullptr;
  std::shared_ptr<LaunchOrder> order;
};

struct KernelRegistry {
  std::mutex mutex;
  std::unordered_map<CUfunction, KnownKernel> kernels;
};

KernelRegistry &kernelRegistry() {
  // Never destroyed: generated host code unloads its modules from a global
  // destructor, which may run after this function's statics are gone.
  static KernelRegistry *registry = new KernelRegistry;
  return *registry;
}

/// Notes whether `kernel` of `module` keeps state in its module. A failed
/// lookup other than "not found" counts as state: ordering costs a wait,
/// overlapping costs wrong results.
void noteKernel(const CudaDriverApi &api, CUmodule module, CUfunction kernel,
                const char *name) {
  KernelRegistry &registry = kernelRegistry();
  {
    std::lock_guard<std::mutex> lock(registry.mutex);
    if (registry.kernels.count(kernel))
      return;
  }
  CUdeviceptr counters = 0;
  size_t bytes = 0;
  std::string symbol = std::string(name) + S2ATTN_GRID_COUNTS_SUFFIX;
  // The driver finds a module's globals by name, private ones included.
  CUresult found =
      api.cuModuleGetGlobal(&counters, &bytes, module, symbol.c_str());
  KnownKernel known{module, nullptr};
  if (found != CUDA_ERROR_NOT_FOUND)
    known.order = std::make_shared<LaunchOrder>();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.kernels.try_emplace(kernel, std::move(known));
}

/// Forgets the kernels of `module`, which is being unloaded.
void forgetKernels(const CudaDriverApi &api, CUmodule module) {
  std::vector<std::shared_ptr<LaunchOrder>> orders;
  KernelRegistry &registry = kernelRegistry();
  {
    std::lock_guard<std::mutex> lock(registry.mutex);
    for (auto it = registry.kernels.begin(); it != registry.kernels.end();) {
      if (it->second.module != module) {
        ++it;
        continue;
      }
      if (it->second.order)
        orders.push_back(std::move(it->second.order));
      it = registry.kernels.erase(it);
    }
  }
  for (const std::shared_ptr<LaunchOrder> &order : orders) {
    std::lock_guard<std::mutex> lock(order->mutex);
    if (order->lastLaunch)
      api.cuEventDestroy(order->lastLaunch);
    order->lastLaunch = nullptr;
  }
}

/// `launch` on `stream`, after the previous launch of `kernel` when the
/// kernel keeps state in its module. Only that kernel's launches wait for
/// its lock.
Status launchOrdered(const CudaDriverApi &api, CUfunction kernel,
                     CUstream stream, const std::function<Status()> &launch) {
  std::shared_ptr<LaunchOrder> order;
  {
    KernelRegistry &registry = kernelRegistry();
    std::lock_guard<std::mutex> lock(registry.mutex);
    auto it = registry.kernels.find(kernel);
    if (it != registry.kernels.end())
      order = it->second.order;
  }
  if (!order)
    return launch();
  std::lock_guard<std::mutex> lock(order->mutex);
  return launchAfterPrevious(api, order->lastLaunch, stream, launch);
}

bool checkDims(const char *function, const char *what, intptr_t x, intptr_t y,
               intptr_t z) {
  const intptr_t dims[3] = {x, y, z};
  for (intptr_t dim : dims)
    if (dim < 1 || static_cast<uint64_t>(dim) > UINT32_MAX) {
      recordError(function,
                  makeError(S2ATTN_ERROR_LAUNCH_CONFIG, what, " (", x, ", ", y,
                            ", ", z, ") has an extent outside [1, 2^32)"));
      return false;
    }
  return true;
}

/// Opts a kernel in to clusters of more than 8 CTAs: those of the launch, or
/// without one those it was compiled for (.reqnctapercluster). A device or
/// driver that reports no cluster size leaves the launch to say what is
/// wrong.
bool allowLaunchClusterSize(const char *function, const CudaDriverApi &api,
                            CUfunction kernel, const intptr_t *cluster) {
  int64_t ctas = 1;
  if (cluster) {
    ctas = int64_t(cluster[0]) * cluster[1] * cluster[2];
  } else {
    for (CUfunction_attribute extent :
         {CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH,
          CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_HEIGHT,
          CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_DEPTH}) {
      int value = 0;
      if (api.cuFuncGetAttribute(&value, extent, kernel) != CUDA_SUCCESS)
        return true;
      ctas *= std::max(value, 1);
    }
  }
  Status status = s2attn::rt::allowClusterSize(api, kernel, ctas);
  if (!status.ok())
    recordError(function, status);
  return status.ok();
}

/// Opts the kernel in to more than 48 KiB of dynamic shared memory, or
/// refuses a launch that needs more than the device has.
bool prepareSharedMemory(const char *function, const CudaDriverApi &api,
                         CUfunction kernel, int32_t sharedMemBytes) {
  if (sharedMemBytes < 0) {
    recordError(function, makeError(S2ATTN_ERROR_LAUNCH_CONFIG,
                                    "negative dynamic shared memory size ",
                                    sharedMemBytes));
    return false;
  }
  if (sharedMemBytes == 0)
    return true;
  int staticBytes = 0;
  if (!checkCuda(function, api,
                 api.cuFuncGetAttribute(
                     &staticBytes, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, kernel),
                 "cuFuncGetAttribute(SHARED_SIZE_BYTES)"))
    return false;
  int64_t needed = int64_t(sharedMemBytes) + staticBytes;
  // The 48 KiB default covers static plus dynamic shared memory.
  if (needed <= kDefaultDynamicSharedLimit)
    return true;
  s2attn_device_limits limits = {};
  if (!check(function, queryDeviceLimits(api, defaultDevice.load(), limits)))
    return false;
  if (needed > limits.max_shared_memory_per_block_optin) {
    recordError(function,
                makeError(S2ATTN_ERROR_SHARED_MEMORY_LIMIT, "the launch asks ",
                          sharedMemBytes, " bytes of dynamic shared memory (+ ",
                          staticBytes, " static); device ",
                          defaultDevice.load(), " allows at most ",
                          limits.max_shared_memory_per_block_optin,
                          " bytes per block"));
    return false;
  }
  return checkCuda(function, api,
                   api.cuFuncSetAttribute(
                       kernel, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                       sharedMemBytes),
                   "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)");
}

/// Start and length of a memref's data from its ranked descriptor
/// {allocated, aligned, offset, sizes[rank], strides[rank]}.
bool memrefExtent(const char *function, int64_t rank, void *descriptor,
                  int64_t elementSize, char *&start, uint64_t &bytes) {
  if (!requireHandle(function, descriptor, "memref descriptor", ""))
    return false;
  if (rank < 0 || elementSize <= 0) {
    recordError(function,
                makeError(S2ATTN_ERROR_INVALID_ARGUMENT, "rank ", rank,
                          " / element size ", elementSize, " is invalid"));
    return false;
  }
  struct Header {
    char *allocated;
    char *aligned;
    int64_t offset;
  };
  auto *header = static_cast<Header *>(descriptor);
  auto *sizes = reinterpret_cast<int64_t *>(header + 1);
  int64_t *strides = sizes + rank;
  uint64_t lastElement = 0;
  for (int64_t d = 0; d < rank; ++d) {
    if (sizes[d] == 0) {
      bytes = 0;
      return true;
    }
    if (sizes[d] < 0 || strides[d] < 0) {
      recordError(function,
                  makeError(S2ATTN_ERROR_INVALID_ARGUMENT, "memref dim ", d,
                            " has size ", sizes[d], " and stride ", strides[d],
                            "; negative values are unsupported"));
      return false;
    }
    lastElement += uint64_t(sizes[d] - 1) * uint64_t(strides[d]);
  }
  start = header->aligned + header->offset * elementSize;
  bytes = (lastElement + 1) * uint64_t(elementSize);
  return true;
}

void launch(const char *function, void *kernel, const intptr_t *cluster,
            intptr_t gridX, intptr_t gridY, intptr_t gridZ, intptr_t blockX,
            intptr_t blockY, intptr_t blockZ, int32_t sharedMemBytes,
            void *stream, void **params, void **extra) {
  if (!requireHandle(function, kernel, "kernel function",
                     " (did mgpuModuleGetFunction fail?)") ||
      !checkDims(function, "grid", gridX, gridY, gridZ) ||
      !checkDims(function, "block", blockX, blockY, blockZ) ||
      (cluster &&
       !checkDims(function, "cluster", cluster[0], cluster[1], cluster[2])))
    return;
  DeviceScope scope(function);
  if (!scope.ok())
    return;
  const CudaDriverApi &api = scope.driver();
  auto *cuFunction = static_cast<CUfunction>(kernel);
  if (!prepareSharedMemory(function, api, cuFunction, sharedMemBytes) ||
      !allowLaunchClusterSize(function, api, cuFunction, cluster))
    return;
  LaunchShape shape = {
      {unsigned(gridX), unsigned(gridY), unsigned(gridZ)},
      {unsigned(blockX), unsigned(blockY), unsigned(blockZ)},
      {cluster ? unsigned(cluster[0]) : 1u, cluster ? unsigned(cluster[1]) : 1u,
       cluster ? unsigned(cluster[2]) : 1u},
      unsigned(sharedMemBytes),
      // mgpuLaunchClusterKernel asks for a cluster launch even of 1x1x1.
      /*clustered=*/cluster != nullptr};
  auto cuStream = static_cast<CUstream>(stream);
  check(function, launchOrdered(api, cuFunction, cuStream, [&] {
          return launchKernel(api, cuFunction, shape, cuStream, params, extra);
        }));
}

} // namespace

extern "C" {

//===----------------------------------------------------------------------===//
// Modules and kernels
//===----------------------------------------------------------------------===//

void *mgpuModuleLoad(void *data, size_t size) {
  const char *function = "mgpuModuleLoad";
  if (!requireHandle(function, data, "module image", ""))
    return nullptr;
  if (size == 0) {
    recordError(function, makeError(S2ATTN_ERROR_INVALID_ARGUMENT,
                                    "module image is empty"));
    return nullptr;
  }
  DeviceScope scope(function);
  if (!scope.ok())
    return nullptr;
  CUmodule module = nullptr;
  if (!checkCuda(function, scope.driver(),
                 scope.driver().cuModuleLoadData(&module, data),
                 "cuModuleLoadData"))
    return nullptr;
  return module;
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  const char *function = "mgpuModuleLoadJIT";
  if (!requireHandle(function, data, "PTX text", ""))
    return nullptr;
  if (optLevel < 0 || optLevel > 4) {
    recordError(function,
                makeError(S2ATTN_ERROR_INVALID_ARGUMENT, "optimization level ",
                          optLevel, " is outside [0, 4]"));
    return nullptr;
  }
  DeviceScope scope(function);
  if (!scope.ok())
    return nullptr;
  char log[4096] = {0};
  CUjit_option options[] = {CU_JIT_OPTIMIZATION_LEVEL, CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {reinterpret_cast<void *>(static_cast<intptr_t>(optLevel)),
                    log, reinterpret_cast<void *>(sizeof(log) - 1)};
  CUmodule module = nullptr;
  CUresult result =
      scope.driver().cuModuleLoadDataEx(&module, data, 3, options, values);
  if (result == CUDA_SUCCESS)
    return module;
  Status error = cudaError(scope.driver(), result, "cuModuleLoadDataEx");
  recordError(function,
              Status(error.getCode(),
                     error.getMessage() + (log[0] ? "; JIT log: " : "") + log));
  return nullptr;
}

void mgpuModuleUnload(void *module) {
  const char *function = "mgpuModuleUnload";
  if (!requireHandle(function, module, "module", " (did mgpuModuleLoad fail?)"))
    return;
  DeviceScope scope(function, /*releasing=*/true);
  if (!scope.ok())
    return;
  forgetKernels(scope.driver(), static_cast<CUmodule>(module));
  checkCuda(function, scope.driver(),
            scope.driver().cuModuleUnload(static_cast<CUmodule>(module)),
            "cuModuleUnload");
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  const char *function = "mgpuModuleGetFunction";
  if (!requireHandle(function, module, "module",
                     " (did mgpuModuleLoad fail?)") ||
      !requireHandle(function, name, "kernel name", ""))
    return nullptr;
  DeviceScope scope(function);
  if (!scope.ok())
    return nullptr;
  CUfunction kernel = nullptr;
  CUresult result = scope.driver().cuModuleGetFunction(
      &kernel, static_cast<CUmodule>(module), name);
  if (result == CUDA_ERROR_NOT_FOUND) {
    recordError(function, makeError(S2ATTN_ERROR_KERNEL_NOT_FOUND, "kernel '",
                                    name, "' is not in the module"));
    return nullptr;
  }
  if (!checkCuda(function, scope.driver(), result, "cuModuleGetFunction"))
    return nullptr;
  noteKernel(scope.driver(), static_cast<CUmodule>(module), kernel, name);
  return kernel;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedMemBytes, void *stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  launch("mgpuLaunchKernel", function, nullptr, gridX, gridY, gridZ, blockX,
         blockY, blockZ, sharedMemBytes, stream, params, extra);
}

void mgpuLaunchClusterKernel(void *function, intptr_t clusterX,
                             intptr_t clusterY, intptr_t clusterZ,
                             intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                             intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                             int32_t sharedMemBytes, void *stream,
                             void **params, void **extra) {
  const intptr_t cluster[3] = {clusterX, clusterY, clusterZ};
  launch("mgpuLaunchClusterKernel", function, cluster, gridX, gridY, gridZ,
         blockX, blockY, blockZ, sharedMemBytes, stream, params, extra);
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

void *mgpuStreamCreate(void) {
  const char *function = "mgpuStreamCreate";
  DeviceScope scope(function);
  if (!scope.ok())
    return nullptr;
  CUstream stream = nullptr;
  if (!checkCuda(function, scope.driver(),
                 scope.driver().cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
                 "cuStreamCreate"))
    return nullptr;
  return stream;
}

void mgpuStreamDestroy(void *stream) {
  const char *function = "mgpuStreamDestroy";
  // NULL is the default stream, which cannot be destroyed.
  if (!requireHandle(function, stream, "stream",
                     " (did mgpuStreamCreate fail?)"))
    return;
  DeviceScope scope(function, /*releasing=*/true);
  if (scope.ok())
    checkCuda(function, scope.driver(),
              scope.driver().cuStreamDestroy(static_cast<CUstream>(stream)),
              "cuStreamDestroy");
}

void mgpuStreamSynchronize(void *stream) {
  const char *function = "mgpuStreamSynchronize";
  DeviceScope scope(function);
  if (scope.ok())
    checkCuda(function, scope.driver(),
              scope.driver().cuStreamSynchronize(static_cast<CUstream>(stream)),
              "cuStreamSynchronize");
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  const char *function = "mgpuStreamWaitEvent";
  if (!requireHandle(function, event, "event", " (did mgpuEventCreate fail?)"))
    return;
  DeviceScope scope(function);
  if (scope.ok())
    checkCuda(function, scope.driver(),
              scope.driver().cuStreamWaitEvent(static_cast<CUstream>(stream),
                                               static_cast<CUevent>(event), 0),
              "cuStreamWaitEvent");
}

void *mgpuEventCreate(void) {
  const char *function = "mgpuEventCreate";
  DeviceScope scope(function);
  if (!scope.ok())
    return nullptr;
  CUevent event = nullptr;
  if (!checkCuda(function, scope.driver(),
                 scope.driver().cuEventCreate(&event, CU_EVENT_DISABLE_TIMING),
                 "cuEventCreate"))
    return nullptr;
  return event;
}

void mgpuEventDestroy(void *event) {
  const char *function = "mgpuEventDestroy";
  if (!requireHandle(function, event, "event", " (did mgpuEventCreate fail?)"))
    return;
  DeviceScope scope(function, /*releasing=*/true);
  if (scope.ok())
    checkCuda(function, scope.driver(),
              scope.driver().cuEventDestroy(static_cast<CUevent>(event)),
              "cuEventDestroy");
}

void mgpuEventSynchronize(void *event) {
  const char *function = "mgpuEventSynchronize";
  if (!requireHandle(function, event, "event", " (did mgpuEventCreate fail?)"))
    return;
  DeviceScope scope(function);
  if (scope.ok())
    checkCuda(function, scope.driver(),
              scope.driver().cuEventSynchronize(static_cast<CUevent>(event)),
              "cuEventSynchronize");
}

void mgpuEventRecord(void *event, void *stream) {
  const char *function = "mgpuEventRecord";
  if (!requireHandle(function, event, "event", " (did mgpuEventCreate fail?)"))
    return;
  DeviceScope scope(function);
  if (scope.ok())
    checkCuda(function, scope.driver(),
              scope.driver().cuEventRecord(static_cast<CUevent>(event),
                                           static_cast<CUstream>(stream)),
              "cuEventRecord");
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/,
                   uint8_t isHostShared) {
  const char *function = "mgpuMemAlloc";
  if (sizeBytes == 0)
    return nullptr;
  DeviceScope scope(function);
  if (!scope.ok())
    return nullptr;
  CUdeviceptr pointer = 0;
  bool allocated =
      isHostShared ? checkCuda(function, scope.driver(),
                               scope.driver().cuMemAllocManaged(
                                   &pointer, sizeBytes, CU_MEM_ATTACH_GLOBAL),
                               "cuMemAllocManaged")
                   : checkCuda(function, scope.driver(),
                               scope.driver().cuMemAlloc(&pointer, sizeBytes),
                               "cuMemAlloc");
  return allocated ? reinterpret_cast<void *>(pointer) : nullptr;
}

void mgpuMemFree(void *ptr, void * /*stream*/) {
  const char *function = "mgpuMemFree";
  if (!ptr)
    return; // like free(NULL)
  DeviceScope scope(function, /*releasing=*/true);
  if (scope.ok())
    checkCuda(function, scope.driver(),
              scope.driver().cuMemFree(reinterpret_cast<CUdeviceptr>(ptr)),
              "cuMemFree");
}

void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  const char *function = "mgpuMemcpy";
  if (sizeBytes == 0)
    return;
  if (!requireHandle(function, dst, "destination", "") ||
      !requireHandle(function, src, "source", ""))
    return;
  DeviceScope scope(function);
  if (scope.ok())
    checkCuda(function, scope.driver(),
              scope.driver().cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                           reinterpret_cast<CUdeviceptr>(src),
                                           sizeBytes,
                                           static_cast<CUstream>(stream)),
              "cuMemcpyAsync");
}

void mgpuMemset32(void *dst, uint32_t value, size_t count, void *stream) {
  const char *function = "mgpuMemset32";
  if (count == 0 || !requireHandle(function, dst, "destination", ""))
    return;
  DeviceScope scope(function);
  if (scope.ok())
    checkCuda(function, scope.driver(),
              scope.driver().cuMemsetD32Async(
                  reinterpret_cast<CUdeviceptr>(dst), value, count,
                  static_cast<CUstream>(stream)),
              "cuMemsetD32Async");
}

void mgpuMemset16(void *dst, uint16_t value, size_t count, void *stream) {
  const char *function = "mgpuMemset16";
  if (count == 0 || !requireHandle(function, dst, "destination", ""))
    return;
  DeviceScope scope(function);
  if (scope.ok())
    checkCuda(function, scope.driver(),
              scope.driver().cuMemsetD16Async(
                  reinterpret_cast<CUdeviceptr>(dst), value, count,
                  static_cast<CUstream>(stream)),
              "cuMemsetD16Async");
}

void mgpuSetDefaultDevice(int32_t device) {
  const char *function = "mgpuSetDefaultDevice";
  const CudaDriverApi *api = nullptr;
  CUdevice handle;
  Status status = getCudaDriver(api);
  if (status.ok())
    status = getDevice(*api, device, handle);
  if (check(function, status))
    defaultDevice.store(device);
}

void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes) {
  const char *function = "mgpuMemHostRegister";
  if (sizeBytes == 0 || !requireHandle(function, ptr, "host pointer", ""))
    return;
  DeviceScope scope(function);
  if (scope.ok())
    checkCuda(function, scope.driver(),
              scope.driver().cuMemHostRegister(ptr, sizeBytes, 0),
              "cuMemHostRegister");
}

void mgpuMemHostUnregister(void *ptr) {
  const char *function = "mgpuMemHostUnregister";
  if (!requireHandle(function, ptr, "host pointer", ""))
    return;
  DeviceScope scope(function, /*releasing=*/true);
  if (scope.ok())
    checkCuda(function, scope.driver(), scope.driver().cuMemHostUnregister(ptr),
              "cuMemHostUnregister");
}

void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                               int64_t elementSizeBytes) {
  char *start = nullptr;
  uint64_t bytes = 0;
  if (memrefExtent("mgpuMemHostRegisterMemRef", rank, descriptor,
                   elementSizeBytes, start, bytes) &&
      bytes > 0)
    mgpuMemHostRegister(start, bytes);
}

void mgpuMemHostUnregisterMemRef(int64_t rank, void *descriptor,
                                 int64_t elementSizeBytes) {
  char *start = nullptr;
  uint64_t bytes = 0;
  if (memrefExtent("mgpuMemHostUnregisterMemRef", rank, descriptor,
                   elementSizeBytes, start, bytes) &&
      bytes > 0)
    mgpuMemHostUnregister(start);
}

//===----------------------------------------------------------------------===//
// The error record
//===----------------------------------------------------------------------===//

s2attn_status s2attn_mgpu_last_error(void) {
  ErrorRecord &record = errorRecord();
  std::lock_guard<std::mutex> lock(record.mutex);
  return record.code;
}

size_t s2attn_mgpu_last_error_message(char *buffer, size_t buffer_size) {
  ErrorRecord &record = errorRecord();
  std::lock_guard<std::mutex> lock(record.mutex);
  if (buffer && buffer_size > 0) {
    size_t copied = std::min(buffer_size - 1, record.message.size());
    std::memcpy(buffer, record.message.data(), copied);
    buffer[copied] = '\0';
  }
  return record.message.size();
}

uint64_t s2attn_mgpu_error_count(void) { return errorRecord().count.load(); }

void s2attn_mgpu_clear_errors(void) {
  ErrorRecord &record = errorRecord();
  std::lock_guard<std::mutex> lock(record.mutex);
  record.code = S2ATTN_SUCCESS;
  record.message.clear();
  record.count.store(0);
}

} // extern "C"
