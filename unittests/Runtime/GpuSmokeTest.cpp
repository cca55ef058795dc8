//===- GpuSmokeTest.cpp - The runtime on a real GPU -----------------------===//
//
// Runs the committed test kernels (data/test_kernels.cu, built for sm_90a)
// through the C API and through the mgpu* entry points, checks every result
// bit for bit against the host, and drives the error paths on a real device:
// too much shared memory, misaligned / host / too-small pointers, wrong
// architecture, a missing kernel. Outputs are poisoned before each launch and
// checked untouched after every refused one.
//
// Uses only the runtime (no CUDA runtime library), so it builds wherever the
// runtime builds. Without a driver it prints SKIPPED and exits with 77, which
// ctest reports as a skip.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Runtime/MgpuRuntime.h"
#include "s2attn/Runtime/S2AttnRuntime.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#ifndef S2ATTN_RUNTIME_TEST_DATA
#define S2ATTN_RUNTIME_TEST_DATA "unittests/Runtime/data"
#endif

namespace {

constexpr int kSkipExitCode = 77;
/// A NaN with a payload no kernel computes: marks never-written elements.
constexpr uint32_t kPoisonBits = 0x7fc0dead;

int passed = 0;
int failed = 0;
std::string dataDir = S2ATTN_RUNTIME_TEST_DATA;

void expect(bool condition, const std::string &what) {
  std::printf("%s: %s\n", condition ? "PASS" : "FAIL", what.c_str());
  (condition ? passed : failed)++;
}

void expectStatus(s2attn_status got, s2attn_status want,
                  const std::string &what) {
  std::string detail = std::string(s2attn_status_name(got));
  if (got != S2ATTN_SUCCESS)
    detail += std::string(" \"") + s2attn_last_error_message() + "\"";
  if (got != want)
    detail += std::string(", expected ") + s2attn_status_name(want);
  expect(got == want, what + " -> " + detail);
}

/// Checks the mgpu error record: `want` errors since the last clear, the
/// last one with code `code`.
void expectMgpuErrors(uint64_t want, s2attn_status code,
                      const std::string &what) {
  char message[1024];
  s2attn_mgpu_last_error_message(message, sizeof(message));
  uint64_t count = s2attn_mgpu_error_count();
  s2attn_status last = s2attn_mgpu_last_error();
  bool ok = count == want && (want == 0 || last == code);
  std::ostringstream detail;
  detail << what << " -> " << count << " error(s)";
  if (count)
    detail << ", last " << s2attn_status_name(last) << " \"" << message << "\"";
  expect(ok, detail.str());
  s2attn_mgpu_clear_errors();
}

std::string readFile(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

std::string replaceOnce(std::string text, const std::string &from,
                        const std::string &to) {
  size_t at = text.find(from);
  if (at != std::string::npos)
    text.replace(at, from.size(), to);
  return text;
}

std::vector<float> randomFloats(size_t count, uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(-4.0f, 4.0f);
  std::vector<float> values(count);
  for (float &value : values)
    value = distribution(generator);
  return values;
}

/// Device memory through the runtime itself (mgpuMemAlloc/Free).
struct DeviceBuffer {
  void *pointer = nullptr;
  size_t bytes = 0;

  explicit DeviceBuffer(size_t bytes) : bytes(bytes) {
    pointer = mgpuMemAlloc(bytes, nullptr, 0);
  }
  ~DeviceBuffer() { mgpuMemFree(pointer, nullptr); }
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;

  float *floats() const { return static_cast<float *>(pointer); }
  void upload(const std::vector<float> &values, void *stream) const {
    mgpuMemcpy(pointer, const_cast<float *>(values.data()),
               values.size() * sizeof(float), stream);
  }
  std::vector<float> download(size_t count, void *stream) const {
    std::vector<float> values(count);
    mgpuMemcpy(values.data(), pointer, count * sizeof(float), stream);
    mgpuStreamSynchronize(stream);
    return values;
  }
  void poison(size_t count, void *stream) const {
    mgpuMemset32(pointer, kPoisonBits, count, stream);
  }
};

uint32_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

bool allPoison(const std::vector<float> &values) {
  for (float value : values)
    if (bitsOf(value) != kPoisonBits)
      return false;
  return true;
}

/// Index of the first mismatch (bitwise), or -1.
long long firstMismatch(const std::vector<float> &got,
                        const std::vector<float> &want) {
  for (size_t i = 0; i < want.size(); ++i)
    if (bitsOf(got[i]) != bitsOf(want[i]))
      return static_cast<long long>(i);
  return -1;
}

void expectEqual(const std::vector<float> &got, const std::vector<float> &want,
                 const std::string &what) {
  long long at = firstMismatch(got, want);
  std::ostringstream detail;
  detail << what << " (" << want.size() << " elements bitwise equal)";
  if (at >= 0)
    detail << ": element " << at << " is " << got[size_t(at)] << ", expected "
           << want[size_t(at)];
  expect(at < 0, detail.str());
}

s2attn_tensor makeTensor(const char *name, void *data, int32_t dtype,
                         std::vector<int64_t> shape,
                         std::vector<int64_t> strides = {}) {
  s2attn_tensor tensor = s2attn_make_tensor(
      name, data, dtype, static_cast<int32_t>(shape.size()), shape.data());
  for (size_t d = 0; d < strides.size(); ++d)
    tensor.strides[d] = strides[d];
  return tensor;
}

std::vector<float> sum(const std::vector<float> &a,
                       const std::vector<float> &b) {
  std::vector<float> result(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    result[i] = a[i] + b[i];
  return result;
}

//===----------------------------------------------------------------------===//
// The C API
//===----------------------------------------------------------------------===//

/// The inputs and output of one vector_add-shaped launch.
struct VectorProblem {
  size_t n;
  std::vector<float> a, b;
  DeviceBuffer da, db, dc;
  void *stream;

  VectorProblem(size_t n, void *stream)
      : n(n), a(randomFloats(n, 1)), b(randomFloats(n, 2)),
        da(n * sizeof(float)), db(n * sizeof(float)), dc(n * sizeof(float)),
        stream(stream) {
    da.upload(a, stream);
    db.upload(b, stream);
    dc.poison(n, stream);
  }

  std::vector<s2attn_tensor> tensors() const {
    int64_t length = static_cast<int64_t>(n);
    return {makeTensor("a", da.pointer, S2ATTN_DTYPE_F32, {length}),
            makeTensor("b", db.pointer, S2ATTN_DTYPE_F32, {length}),
            makeTensor("c", dc.pointer, S2ATTN_DTYPE_F32, {length})};
  }
  std::vector<float> result() const { return dc.download(n, stream); }
};

s2attn_launch_args makeArgs(const std::vector<s2attn_tensor> &tensors,
                            void *stream,
                            const std::vector<s2attn_scalar> &scalars = {}) {
  s2attn_launch_args args = {};
  args.tensors = tensors.data();
  args.num_tensors = tensors.size();
  args.scalars = scalars.empty() ? nullptr : scalars.data();
  args.num_scalars = scalars.size();
  args.device = 0;
  args.stream = stream;
  return args;
}

void testVectorAdd(void *stream) {
  s2attn_artifact *artifact = nullptr;
  expectStatus(
      s2attn_artifact_open((dataDir + "/vector_add").c_str(), &artifact),
      S2ATTN_SUCCESS, "open vector_add artifact");
  if (!artifact)
    return;
  VectorProblem problem((1u << 20) + 3, stream);
  std::vector<s2attn_tensor> tensors = problem.tensors();
  s2attn_launch_args args = makeArgs(tensors, stream);
  s2attn_launch_config config = {};
  expectStatus(s2attn_artifact_validate(artifact, &args, nullptr, &config),
               S2ATTN_SUCCESS, "validate vector_add");
  expect(config.grid[0] == ((1u << 20) + 3 + 255) / 256 &&
             config.block[0] == 256,
         "grid rule ceil_div(n, 256) gives " + std::to_string(config.grid[0]));
  expectStatus(s2attn_artifact_launch(artifact, &args), S2ATTN_SUCCESS,
               "launch vector_add (C API)");
  expectEqual(problem.result(), sum(problem.a, problem.b),
              "vector_add via C API");
  s2attn_artifact_destroy(artifact);
}

void testLargeSharedMemory(void *stream) {
  std::string json = readFile(dataDir + "/vector_add_smem/kernel.json");
  std::string cubin = readFile(dataDir + "/vector_add_smem/kernel.cubin");
  s2attn_artifact *artifact = nullptr;
  expectStatus(
      s2attn_artifact_open((dataDir + "/vector_add_smem").c_str(), &artifact),
      S2ATTN_SUCCESS, "open vector_add_smem artifact (200 KiB smem)");
  if (!artifact)
    return;
  VectorProblem problem(100000, stream);
  std::vector<s2attn_tensor> tensors = problem.tensors();
  std::vector<s2attn_scalar> scalars = {{"smem_floats", 204800 / 4}};
  s2attn_launch_args args = makeArgs(tensors, stream, scalars);
  expectStatus(s2attn_artifact_launch(artifact, &args), S2ATTN_SUCCESS,
               "launch with 200 KiB dynamic shared memory (opt-in)");
  expectEqual(problem.result(), sum(problem.a, problem.b),
              "vector_add_smem via C API");
  s2attn_artifact_destroy(artifact);

  // The same kernel asking for more than any Hopper SM has (227 KiB).
  std::string tooMuch = replaceOnce(json, "204800", "300000");
  expectStatus(s2attn_artifact_open_memory(tooMuch.data(), tooMuch.size(),
                                           cubin.data(), cubin.size(),
                                           &artifact),
               S2ATTN_SUCCESS, "open artifact asking 300000 B shared memory");
  if (!artifact)
    return;
  problem.dc.poison(problem.n, stream);
  args = makeArgs(tensors, stream);
  s2attn_status status = s2attn_artifact_launch(artifact, &args);
  expectStatus(status, S2ATTN_ERROR_SHARED_MEMORY_LIMIT,
               "launch needing 300000 B shared memory");
  expect(std::strstr(s2attn_last_error_message(), "300000") != nullptr,
         "message names the requested size");
  expect(allPoison(problem.result()), "refused launch wrote nothing");
  s2attn_artifact_destroy(artifact);
}

void testMemrefParameters(void *stream) {
  s2attn_artifact *artifact = nullptr;
  expectStatus(
      s2attn_artifact_open((dataDir + "/axpy_2d_memref").c_str(), &artifact),
      S2ATTN_SUCCESS, "open axpy_2d_memref artifact");
  if (!artifact)
    return;
  const int64_t rows = 257, cols = 1000, paddedCols = 1024;
  std::vector<float> a = randomFloats(size_t(rows * paddedCols), 3);
  std::vector<float> b = randomFloats(size_t(rows * cols), 4);
  DeviceBuffer da(a.size() * 4), db(b.size() * 4), dc(b.size() * 4);
  da.upload(a, stream);
  db.upload(b, stream);
  for (float alpha : {1.0f, 2.0f}) {
    dc.poison(b.size(), stream);
    std::vector<s2attn_tensor> tensors = {
        makeTensor("a", da.pointer, S2ATTN_DTYPE_F32, {rows, cols},
                   {paddedCols, 1}),
        makeTensor("b", db.pointer, S2ATTN_DTYPE_F32, {rows, cols}),
        makeTensor("c", dc.pointer, S2ATTN_DTYPE_F32, {rows, cols})};
    std::vector<s2attn_scalar> scalars;
    if (alpha != 1.0f) // 1.0 comes from the artifact's default
      scalars.push_back({"alpha", alpha});
    s2attn_launch_args args = makeArgs(tensors, stream, scalars);
    expectStatus(s2attn_artifact_launch(artifact, &args), S2ATTN_SUCCESS,
                 "launch axpy_2d_memref, alpha " + std::to_string(alpha));
    std::vector<float> want(b.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        want[size_t(r * cols + c)] =
            alpha * a[size_t(r * paddedCols + c)] + b[size_t(r * cols + c)];
    expectEqual(dc.download(b.size(), stream), want,
                "memref descriptors with a padded row stride");
  }
  s2attn_artifact_destroy(artifact);
}

void expectRefused(s2attn_artifact *artifact,
                   std::vector<s2attn_tensor> tensors, s2attn_status want,
                   const std::string &what, void *stream) {
  s2attn_launch_args args = makeArgs(tensors, stream);
  expectStatus(s2attn_artifact_launch(artifact, &args), want, what);
}

void testLaunchErrors(void *stream) {
  std::string json = readFile(dataDir + "/vector_add/kernel.json");
  std::string cubin = readFile(dataDir + "/vector_add/kernel.cubin");
  s2attn_artifact *artifact = nullptr;
  expectStatus(
      s2attn_artifact_open((dataDir + "/vector_add").c_str(), &artifact),
      S2ATTN_SUCCESS, "open vector_add artifact");
  if (!artifact)
    return;
  // 4 MiB: larger than any rounding of the 16 KiB "too small" allocation.
  const size_t n = 1 << 20;
  VectorProblem problem(n, stream);
  const int64_t length = int64_t(n);
  std::vector<s2attn_tensor> good = problem.tensors();

  std::vector<s2attn_tensor> tensors = good;
  tensors[0].data = problem.da.floats() + 1; // 4 bytes off
  tensors[0].shape[0] = tensors[1].shape[0] = tensors[2].shape[0] = length - 1;
  expectRefused(artifact, tensors, S2ATTN_ERROR_MISALIGNED_POINTER,
                "misaligned pointer (16-byte rule)", stream);
  tensors = good;
  tensors[2].data = nullptr;
  expectRefused(artifact, tensors, S2ATTN_ERROR_NULL_POINTER, "NULL pointer",
                stream);
  tensors = good;
  tensors[1].shape[0] = length - 16;
  expectRefused(artifact, tensors, S2ATTN_ERROR_SHAPE_MISMATCH,
                "inconsistent n", stream);
  tensors = good;
  tensors[0].dtype = S2ATTN_DTYPE_BF16;
  expectRefused(artifact, tensors, S2ATTN_ERROR_UNSUPPORTED_DTYPE,
                "bf16 into an f32 kernel", stream);
  // As large as the tensor: should the system let kernels read pageable
  // memory (HMM), a wrong acceptance still reads only valid memory.
  std::vector<float> hostMemory(n);
  tensors = good;
  tensors[0].data = hostMemory.data();
  expectRefused(artifact, tensors, S2ATTN_ERROR_BAD_DEVICE_POINTER,
                "pageable host pointer", stream);
  DeviceBuffer small(4096 * sizeof(float));
  tensors = good;
  tensors[2].data = small.pointer;
  expectRefused(artifact, tensors, S2ATTN_ERROR_BAD_DEVICE_POINTER,
                "output allocation smaller than the tensor", stream);
  s2attn_launch_args args = makeArgs(good, stream);
  args.device = 99;
  expectStatus(s2attn_artifact_launch(artifact, &args), S2ATTN_ERROR_NO_DEVICE,
               "device 99");
  expect(allPoison(problem.result()), "no refused launch wrote the output");

  s2attn_artifact *other = nullptr;
  std::string wrongArch = replaceOnce(json, "sm_90a", "sm_100a");
  if (s2attn_artifact_open_memory(wrongArch.data(), wrongArch.size(),
                                  cubin.data(), cubin.size(),
                                  &other) == S2ATTN_SUCCESS) {
    expectRefused(other, good, S2ATTN_ERROR_ARCH_MISMATCH,
                  "artifact for sm_100a on this device", stream);
    s2attn_artifact_destroy(other);
  }
  std::string missing =
      replaceOnce(json, "\"entry\": \"vector_add\"", "\"entry\": \"no_such\"");
  if (s2attn_artifact_open_memory(missing.data(), missing.size(), cubin.data(),
                                  cubin.size(), &other) == S2ATTN_SUCCESS) {
    expectRefused(other, good, S2ATTN_ERROR_KERNEL_NOT_FOUND,
                  "entry missing from the cubin", stream);
    s2attn_artifact_destroy(other);
  }
  // After all the refusals the context is healthy: a good launch works.
  expectRefused(artifact, good, S2ATTN_SUCCESS, "good launch after refusals",
                stream);
  expectEqual(problem.result(), sum(problem.a, problem.b),
              "result of the launch after refusals");
  s2attn_artifact_destroy(artifact);
}

//===----------------------------------------------------------------------===//
// The mgpu* entry points
//===----------------------------------------------------------------------===//

struct VectorAddParams {
  void *a, *b, *c;
  int n;
  int smemFloats = 0;
  void *pointers[5];

  VectorAddParams(const VectorProblem &problem)
      : a(problem.da.pointer), b(problem.db.pointer), c(problem.dc.pointer),
        n(int(problem.n)), pointers{&a, &b, &c, &n, &smemFloats} {}
};

void testMgpuLaunches(void *stream) {
  std::string cubin = readFile(dataDir + "/vector_add/kernel.cubin");
  void *module = mgpuModuleLoad(cubin.data(), cubin.size());
  void *kernel = mgpuModuleGetFunction(module, "vector_add");
  void *smemKernel = mgpuModuleGetFunction(module, "vector_add_smem");
  expect(module && kernel && smemKernel, "mgpuModuleLoad + GetFunction");
  if (!kernel || !smemKernel)
    return;
  VectorProblem problem(1 << 20, stream);
  VectorAddParams params(problem);
  std::vector<float> want = sum(problem.a, problem.b);
  intptr_t blocks = intptr_t(problem.n / 256);

  mgpuLaunchKernel(kernel, blocks, 1, 1, 256, 1, 1, 0, stream, params.pointers,
                   nullptr, 4);
  expectEqual(problem.result(), want, "mgpuLaunchKernel vector_add");

  problem.dc.poison(problem.n, stream);
  mgpuLaunchClusterKernel(kernel, 2, 1, 1, blocks, 1, 1, 256, 1, 1, 0, stream,
                          params.pointers, nullptr);
  expectEqual(problem.result(), want, "mgpuLaunchClusterKernel (cluster 2)");

  problem.dc.poison(problem.n, stream);
  params.smemFloats = 204800 / 4;
  mgpuLaunchKernel(smemKernel, blocks, 1, 1, 256, 1, 1, 204800, stream,
                   params.pointers, nullptr, 5);
  expectEqual(problem.result(), want, "mgpuLaunchKernel with 200 KiB smem");
  expectMgpuErrors(0, S2ATTN_SUCCESS, "good mgpu launches");

  // Too much shared memory: refused and recorded, output untouched.
  problem.dc.poison(problem.n, stream);
  mgpuLaunchKernel(smemKernel, blocks, 1, 1, 256, 1, 1, 300000, stream,
                   params.pointers, nullptr, 5);
  expect(allPoison(problem.result()), "refused mgpu launch wrote nothing");
  expectMgpuErrors(1, S2ATTN_ERROR_SHARED_MEMORY_LIMIT,
                   "mgpuLaunchKernel with 300000 B smem");
  expect(mgpuModuleGetFunction(module, "no_such_kernel") == nullptr,
         "missing kernel gives NULL");
  expectMgpuErrors(1, S2ATTN_ERROR_KERNEL_NOT_FOUND, "mgpuModuleGetFunction");
  mgpuLaunchKernel(nullptr, 1, 1, 1, 1, 1, 1, 0, stream, nullptr, nullptr, 0);
  expectMgpuErrors(1, S2ATTN_ERROR_INVALID_ARGUMENT, "launch of NULL kernel");
  // NUL-terminated: the driver reads a non-ELF image as PTX text.
  std::vector<char> garbage(256, 0x5a);
  garbage.back() = '\0';
  expect(mgpuModuleLoad(garbage.data(), garbage.size()) == nullptr,
         "garbage module gives NULL");
  expectMgpuErrors(1, S2ATTN_ERROR_CUDA, "mgpuModuleLoad(garbage)");
  // The context survived: one more good launch.
  problem.dc.poison(problem.n, stream);
  mgpuLaunchKernel(kernel, blocks, 1, 1, 256, 1, 1, 0, stream, params.pointers,
                   nullptr, 4);
  expectEqual(problem.result(), want, "good mgpu launch after the errors");
  mgpuModuleUnload(module);
  expectMgpuErrors(0, S2ATTN_SUCCESS, "mgpuModuleUnload");
}

void testMgpuStreamsAndMemory(void *stream) {
  std::string cubin = readFile(dataDir + "/vector_add/kernel.cubin");
  void *module = mgpuModuleLoad(cubin.data(), cubin.size());
  void *kernel = mgpuModuleGetFunction(module, "vector_add");
  if (!kernel)
    return;
  VectorProblem problem(1 << 18, stream);
  VectorAddParams params(problem);
  intptr_t blocks = intptr_t(problem.n / 256);

  // Ordering across streams through an event.
  void *other = mgpuStreamCreate();
  void *event = mgpuEventCreate();
  problem.dc.poison(problem.n, stream);
  mgpuEventRecord(event, stream);
  mgpuStreamWaitEvent(other, event);
  mgpuLaunchKernel(kernel, blocks, 1, 1, 256, 1, 1, 0, other, params.pointers,
                   nullptr, 4);
  mgpuEventSynchronize(event);
  mgpuStreamSynchronize(other);
  expectEqual(problem.result(), sum(problem.a, problem.b),
              "launch on a second stream after an event");
  mgpuEventDestroy(event);
  mgpuStreamDestroy(other);

  // memset16 fills 16-bit halves.
  mgpuMemset16(problem.dc.pointer, 0x3c00, problem.n * 2, stream);
  std::vector<float> halves = problem.result();
  bool filled = true;
  for (float value : halves)
    filled &= bitsOf(value) == 0x3c003c00u;
  expect(filled, "mgpuMemset16");

  // Managed (host-shared) memory is written by the host and read by a kernel.
  auto *managed = static_cast<float *>(
      mgpuMemAlloc(problem.n * sizeof(float), stream, /*isHostShared=*/1));
  expect(managed != nullptr, "mgpuMemAlloc(host shared)");
  if (managed) {
    std::memcpy(managed, problem.a.data(), problem.n * sizeof(float));
    params.a = managed;
    mgpuLaunchKernel(kernel, blocks, 1, 1, 256, 1, 1, 0, stream,
                     params.pointers, nullptr, 4);
    expectEqual(problem.result(), sum(problem.a, problem.b),
                "kernel reading managed memory");
    params.a = problem.da.pointer;
    mgpuMemFree(managed, stream);
  }

  // A registered host memref receives a copy.
  std::vector<float> host(problem.n, 0.0f);
  struct {
    float *allocated, *aligned;
    int64_t offset, size, stride;
  } descriptor = {host.data(), host.data(), 0, int64_t(problem.n), 1};
  mgpuMemHostRegisterMemRef(1, &descriptor, sizeof(float));
  mgpuMemcpy(host.data(), problem.dc.pointer, problem.n * sizeof(float),
             stream);
  mgpuStreamSynchronize(stream);
  expectEqual(host, sum(problem.a, problem.b),
              "copy into a registered host memref");
  mgpuMemHostUnregisterMemRef(1, &descriptor, sizeof(float));

  // JIT from PTX.
  std::string ptx = readFile(dataDir + "/test_kernels.ptx");
  void *jitModule = mgpuModuleLoadJIT(ptx.data(), 2);
  void *jitKernel = mgpuModuleGetFunction(jitModule, "vector_add");
  expect(jitKernel != nullptr, "mgpuModuleLoadJIT (PTX)");
  if (jitKernel) {
    problem.dc.poison(problem.n, stream);
    mgpuLaunchKernel(jitKernel, blocks, 1, 1, 256, 1, 1, 0, stream,
                     params.pointers, nullptr, 4);
    expectEqual(problem.result(), sum(problem.a, problem.b),
                "JIT-compiled vector_add");
    mgpuModuleUnload(jitModule);
  }
  mgpuStreamDestroy(nullptr);
  expectMgpuErrors(1, S2ATTN_ERROR_INVALID_ARGUMENT,
                   "mgpuStreamDestroy(NULL) refused, streams/memory otherwise "
                   "clean");
  mgpuModuleUnload(module);
}

bool driverPresent() {
  s2attn_status status = s2attn_runtime_init();
  if (status != S2ATTN_SUCCESS) {
    std::printf("SKIPPED: %s (%s)\n", s2attn_last_error_message(),
                s2attn_status_name(status));
    return false;
  }
  int version = 0, count = 0;
  char name[256] = {0};
  s2attn_device_limits limits = {};
  if (s2attn_driver_version(&version) != S2ATTN_SUCCESS ||
      s2attn_device_count(&count) != S2ATTN_SUCCESS || count < 1 ||
      s2attn_device_name(0, name, sizeof(name)) != S2ATTN_SUCCESS ||
      s2attn_device_get_limits(0, &limits) != S2ATTN_SUCCESS) {
    std::printf("SKIPPED: no usable CUDA device: %s\n",
                s2attn_last_error_message());
    return false;
  }
  std::printf("device 0: %s, sm_%d%d, %d SMs, driver %d, max opt-in shared "
              "memory %d B\n",
              name, limits.compute_capability_major,
              limits.compute_capability_minor, limits.multiprocessor_count,
              version, limits.max_shared_memory_per_block_optin);
  if (limits.compute_capability_major != 9 ||
      limits.compute_capability_minor != 0) {
    std::printf("SKIPPED: the test kernels are built for sm_90a\n");
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  if (argc > 1)
    dataDir = argv[1];
  if (!driverPresent())
    return kSkipExitCode;
  void *stream = mgpuStreamCreate();
  testVectorAdd(stream);
  testLargeSharedMemory(stream);
  testMemrefParameters(stream);
  testLaunchErrors(stream);
  s2attn_mgpu_clear_errors();
  testMgpuLaunches(stream);
  testMgpuStreamsAndMemory(stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
