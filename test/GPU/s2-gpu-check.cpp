//===- s2-gpu-check.cpp - run compiled kernels against the reference ------===//
//
// For every artifact directory written by s2-compile: fresh random inputs,
// outputs poisoned with NaN, a launch through the runtime's C API, and a
// comparison with the float64 reference computed from the same (rounded)
// inputs. With --time N, also the time of N back-to-back launches per
// launch (CUDA events around all N, so the GPU never waits for the host; L2
// stays warm between launches) and the median host time of one
// s2attn_artifact_launch call. With --launches N the artifact launches N
// times, the outputs poisoned again before each, and the last is checked:
// state a kernel keeps across launches (grid splits' counters) must be back
// where it started. With --streams N, first N streams take N * launches
// launches, round robin, with no host sync between them (the runtime must
// keep the launches of a kernel with module state from overlapping), then
// the check's launches run as above.
// Prints one line per artifact and "N passed, M failed" last.
//
//===----------------------------------------------------------------------===//

#include "ProblemFile.h"

#include "s2attn/Reference/Attention.h"
#include "s2attn/Runtime/S2AttnRuntime.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

using namespace s2attn;
using namespace s2attn::gpucheck;

namespace {

#define CHECK_CUDA(call)                                                       \
  do {                                                                         \
    cudaError_t status = (call);                                               \
    if (status != cudaSuccess) {                                               \
      std::fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__,      \
                   #call, cudaGetErrorString(status));                         \
      std::exit(2);                                                            \
    }                                                                          \
  } while (0)

/// Host copies in the kernel's element type and, rounded back, in double.
struct HostTensor {
  std::vector<uint16_t> bits;
  std::vector<double> values;
};

uint16_t toBits(float x, const std::string &dtype) {
  if (dtype == "bf16")
    return __nv_bfloat16_raw(__float2bfloat16_rn(x)).x;
  return __half_raw(__float2half_rn(x)).x;
}

double fromBits(uint16_t bits, const std::string &dtype) {
  if (dtype == "bf16") {
    __nv_bfloat16_raw raw;
    raw.x = bits;
    return __bfloat162float(__nv_bfloat16(raw));
  }
  __half_raw raw;
  raw.x = bits;
  return __half2float(__half(raw));
}

HostTensor randomTensor(size_t count, const std::string &dtype,
                        std::mt19937_64 &rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  HostTensor tensor;
  tensor.bits.resize(count);
  tensor.values.resize(count);
  for (size_t i = 0; i < count; ++i) {
    tensor.bits[i] = toBits(normal(rng), dtype);
    tensor.values[i] = fromBits(tensor.bits[i], dtype);
  }
  return tensor;
}

void *upload(const void *data, size_t bytes) {
  void *device = nullptr;
  CHECK_CUDA(cudaMalloc(&device, bytes));
  CHECK_CUDA(cudaMemcpy(device, data, bytes, cudaMemcpyHostToDevice));
  return device;
}

s2attn_tensor describe(const char *name, void *data, int32_t dtype,
                       std::initializer_list<int64_t> shape) {
  return s2attn_make_tensor(name, data, dtype, int32_t(shape.size()),
                            shape.begin());
}

struct Errors {
  double outMaxAbs = 0, outMaxRef = 0, lseMaxAbs = 0;
  size_t nonFinite = 0;
  double outRelative() const {
    return outMaxRef > 0 ? outMaxAbs / outMaxRef : outMaxAbs;
  }
};

Errors compare(const std::vector<double> &out, const std::vector<double> &lse,
               const ref::AttentionResult &expected, bool hasLse) {
  Errors errors;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!std::isfinite(out[i])) {
      ++errors.nonFinite;
      continue;
    }
    errors.outMaxAbs = std::max(errors.outMaxAbs,
                                std::abs(out[i] - expected.out[i]));
    errors.outMaxRef = std::max(errors.outMaxRef, std::abs(expected.out[i]));
  }
  if (hasLse)
    for (size_t i = 0; i < lse.size(); ++i) {
      if (!std::isfinite(expected.lse[i]))
        continue; // rows without keys: the verifier rules them out
      if (!std::isfinite(lse[i])) {
        ++errors.nonFinite;
        continue;
      }
      errors.lseMaxAbs =
          std::max(errors.lseMaxAbs, std::abs(lse[i] - expected.lse[i]));
    }
  return errors;
}

struct Options {
  std::vector<std::string> directories;
  int timeRepeats = 0;
  /// Timing runs on large problems skip the float64 reference (minutes of
  /// CPU time); correctness comes from the checked configurations.
  bool check = true;
  uint64_t seed = 20261126;
  int launches = 1;
  int streams = 1;
};

/// Round-robin launches on `count` new streams, no sync in between.
s2attn_status launchOnStreams(s2attn_artifact *artifact,
                              s2attn_launch_args args, int count,
                              int launchesPerStream) {
  std::vector<cudaStream_t> streams(count);
  for (cudaStream_t &stream : streams)
    CHECK_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  s2attn_status status = S2ATTN_SUCCESS;
  for (int i = 0; i < count * launchesPerStream && status == S2ATTN_SUCCESS;
       ++i) {
    args.stream = streams[i % count];
    status = s2attn_artifact_launch(artifact, &args);
  }
  CHECK_CUDA(cudaDeviceSynchronize());
  for (cudaStream_t stream : streams)
    CHECK_CUDA(cudaStreamDestroy(stream));
  return status;
}

/// Kernel time per launch, from events around `repeats` back-to-back
/// launches, and the median host time of one launch call. (Events around a
/// single launch on an idle GPU would also count the host's part.)
void printTimes(s2attn_artifact *artifact, const s2attn_launch_args &args,
                int repeats) {
  for (int i = 0; i < 3; ++i) // warm-up: the first launch loads the module
    s2attn_artifact_launch(artifact, &args);
  CHECK_CUDA(cudaDeviceSynchronize());
  cudaEvent_t start, stop;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&stop));
  std::vector<double> hostMicros;
  CHECK_CUDA(cudaEventRecord(start));
  for (int i = 0; i < repeats; ++i) {
    auto before = std::chrono::steady_clock::now();
    s2attn_artifact_launch(artifact, &args);
    hostMicros.push_back(std::chrono::duration<double, std::micro>(
                             std::chrono::steady_clock::now() - before)
                             .count());
  }
  CHECK_CUDA(cudaEventRecord(stop));
  CHECK_CUDA(cudaEventSynchronize(stop));
  float ms = 0;
  CHECK_CUDA(cudaEventElapsedTime(&ms, start, stop));
  std::nth_element(hostMicros.begin(),
                   hostMicros.begin() + hostMicros.size() / 2,
                   hostMicros.end());
  std::printf(", %.4f ms per launch (%d back to back), host %.1f us per "
              "launch call (median)",
              ms / repeats, repeats, hostMicros[hostMicros.size() / 2]);
  CHECK_CUDA(cudaEventDestroy(start));
  CHECK_CUDA(cudaEventDestroy(stop));
}

bool checkArtifact(const std::string &directory, const Options &options,
                   uint64_t seed) {
  std::string error;
  std::optional<Problem> problem = readProblem(directory, error);
  if (!problem) {
    std::printf("FAIL %s: %s\n", directory.c_str(), error.c_str());
    return false;
  }
  const ref::ProblemShape &shape = problem->shape;
  int32_t dtype = problem->dtype == "bf16" ? S2ATTN_DTYPE_BF16
                                           : S2ATTN_DTYPE_F16;
  std::mt19937_64 rng(seed);
  size_t qCount = size_t(shape.batch * shape.qLen * shape.heads * shape.headDim);
  size_t kvCount =
      size_t(shape.batch * shape.kvLen * shape.kvHeads * shape.headDim);
  size_t lseCount = size_t(shape.batch * shape.heads * shape.qLen);
  HostTensor q = randomTensor(qCount, problem->dtype, rng);
  HostTensor k = randomTensor(kvCount, problem->dtype, rng);
  HostTensor v = randomTensor(kvCount, problem->dtype, rng);

  void *dq = upload(q.bits.data(), qCount * 2);
  void *dk = upload(k.bits.data(), kvCount * 2);
  void *dv = upload(v.bits.data(), kvCount * 2);
  void *dout = nullptr, *dlse = nullptr;
  CHECK_CUDA(cudaMalloc(&dout, qCount * 2));
  CHECK_CUDA(cudaMalloc(&dlse, lseCount * 4));
  // NaN everywhere: an element the kernel forgets to write fails the check.
  CHECK_CUDA(cudaMemset(dout, 0xFF, qCount * 2));
  CHECK_CUDA(cudaMemset(dlse, 0xFF, lseCount * 4));

  std::vector<s2attn_tensor> tensors = {
      describe("q", dq, dtype, {shape.batch, shape.qLen, shape.heads, shape.headDim}),
      describe("k", dk, dtype, {shape.batch, shape.kvLen, shape.kvHeads, shape.headDim}),
      describe("v", dv, dtype, {shape.batch, shape.kvLen, shape.kvHeads, shape.headDim}),
      describe("o", dout, dtype, {shape.batch, shape.qLen, shape.heads, shape.headDim})};
  if (problem->hasLse)
    tensors.push_back(describe("lse", dlse, S2ATTN_DTYPE_F32,
                               {shape.batch, shape.heads, shape.qLen}));

  s2attn_artifact *artifact = nullptr;
  bool passed = false;
  if (s2attn_artifact_open(directory.c_str(), &artifact) != S2ATTN_SUCCESS) {
    std::printf("FAIL %s: open: %s\n", directory.c_str(),
                s2attn_last_error_message());
  } else {
    s2attn_launch_args args{};
    args.tensors = tensors.data();
    args.num_tensors = tensors.size();
    s2attn_status status =
        options.streams > 1 ? launchOnStreams(artifact, args, options.streams,
                                              options.launches)
                            : S2ATTN_SUCCESS;
    for (int launch = 0; launch < options.launches && status == S2ATTN_SUCCESS;
         ++launch) {
      CHECK_CUDA(cudaMemset(dout, 0xFF, qCount * 2));
      CHECK_CUDA(cudaMemset(dlse, 0xFF, lseCount * 4));
      status = s2attn_artifact_launch(artifact, &args);
      CHECK_CUDA(cudaDeviceSynchronize());
    }
    if (status != S2ATTN_SUCCESS) {
      std::printf("FAIL %s: launch: %s\n", directory.c_str(),
                  s2attn_last_error_message());
    } else {
      std::vector<uint16_t> outBits(qCount);
      std::vector<float> lseValues(lseCount);
      CHECK_CUDA(cudaMemcpy(outBits.data(), dout, qCount * 2,
                            cudaMemcpyDeviceToHost));
      CHECK_CUDA(cudaMemcpy(lseValues.data(), dlse, lseCount * 4,
                            cudaMemcpyDeviceToHost));
      std::vector<double> out(qCount), lse(lseValues.begin(), lseValues.end());
      for (size_t i = 0; i < qCount; ++i)
        out[i] = fromBits(outBits[i], problem->dtype);
      Errors errors;
      if (options.check) {
        ref::AttentionResult expected = ref::attention(
            q.values, k.values, v.values, shape, problem->positions,
            *problem->pattern, problem->scale);
        errors = compare(out, lse, expected, problem->hasLse);
      } else {
        for (double x : out)
          errors.nonFinite += !std::isfinite(x);
      }
      double tolerance = problem->dtype == "bf16" ? 2e-2 : 1e-2;
      passed = errors.nonFinite == 0 && errors.outRelative() <= tolerance &&
               errors.lseMaxAbs <= 1e-2;
      std::printf("%s %s [%s]: out max abs %.3e rel %.3e, lse max abs %.3e, "
                  "non-finite %zu",
                  passed ? "PASS" : "FAIL", directory.c_str(),
                  problem->summary.c_str(), errors.outMaxAbs,
                  errors.outRelative(), errors.lseMaxAbs, errors.nonFinite);
      if (options.timeRepeats > 0)
        printTimes(artifact, args, options.timeRepeats);
      std::printf("\n");
    }
  }
  s2attn_artifact_destroy(artifact);
  for (void *pointer : {dq, dk, dv, dout, dlse})
    CHECK_CUDA(cudaFree(pointer));
  return passed;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--time" && i + 1 < argc)
      options.timeRepeats = std::atoi(argv[++i]);
    else if (arg == "--launches" && i + 1 < argc)
      options.launches = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--streams" && i + 1 < argc)
      options.streams = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--no-check")
      options.check = false;
    else if (arg == "--seed" && i + 1 < argc)
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    else
      options.directories.push_back(arg);
  }
  if (options.directories.empty()) {
    std::fprintf(stderr, "usage: s2-gpu-check [--time N] [--launches N] "
                         "[--streams N] [--no-check] [--seed S] DIR...\n");
    return 2;
  }
  int passed = 0, failed = 0;
  for (size_t i = 0; i < options.directories.size(); ++i)
    (checkArtifact(options.directories[i], options, options.seed + i)
         ? passed
         : failed)++;
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
