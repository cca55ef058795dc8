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

#include "DeviceProblem.h"
#include "ProblemFile.h"

#include "s2attn/Runtime/S2AttnRuntime.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace s2attn;
using namespace s2attn::gpucheck;

namespace {

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
  DeviceProblem tensors(*problem, seed);
  s2attn_artifact *artifact = nullptr;
  bool passed = false;
  if (s2attn_artifact_open(directory.c_str(), &artifact) != S2ATTN_SUCCESS) {
    std::printf("FAIL %s: open: %s\n", directory.c_str(),
                s2attn_last_error_message());
  } else {
    s2attn_launch_args args{};
    args.tensors = tensors.tensors().data();
    args.num_tensors = tensors.tensors().size();
    s2attn_status status =
        options.streams > 1 ? launchOnStreams(artifact, args, options.streams,
                                              options.launches)
                            : S2ATTN_SUCCESS;
    for (int launch = 0; launch < options.launches && status == S2ATTN_SUCCESS;
         ++launch) {
      tensors.poisonOutputs();
      status = s2attn_artifact_launch(artifact, &args);
      CHECK_CUDA(cudaDeviceSynchronize());
    }
    if (status != S2ATTN_SUCCESS) {
      std::printf("FAIL %s: launch: %s\n", directory.c_str(),
                  s2attn_last_error_message());
    } else {
      Errors errors = tensors.compareOutputs(options.check);
      passed = tensors.passes(errors);
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
  return checkEach(options.directories,
                   [&](const std::string &directory, size_t i) {
                     return checkArtifact(directory, options, options.seed + i);
                   });
}
