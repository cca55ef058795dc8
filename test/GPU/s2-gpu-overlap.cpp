//===- s2-gpu-overlap.cpp - launches of one kernel on several streams -----===//
//
// For every artifact directory written by s2-compile: N problems with their
// own random inputs, one stream each, and R rounds of one launch per stream,
// round robin, with no host sync in between, through the C API or (--mgpu)
// the mgpu* entry points that gpu-to-llvm host code calls (the cubin loaded
// with mgpuModuleLoad, the launch shape read from kernel.json). Then every
// stream's output is checked against the float64 reference of its own
// inputs. A kernel that keeps state in its module (grid splits' partial
// states and counters) mixes the streams' results unless the runtime keeps
// its launches from overlapping; with equal inputs on every stream such a
// mix would go unseen. --unordered launches the mgpu-loaded kernel straight
// through the driver, past the runtime: a control that such kernels fail.
// Prints one line per artifact and "N passed, M failed" last.
//
//===----------------------------------------------------------------------===//

#include "DeviceProblem.h"
#include "ProblemFile.h"

#include "s2attn/Runtime/MgpuRuntime.h"
#include "s2attn/Runtime/S2AttnRuntime.h"

#include <cuda.h>

#include <array>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace s2attn;
using namespace s2attn::gpucheck;

namespace {

struct Options {
  std::vector<std::string> directories;
  int streams = 4;
  int rounds = 4;
  bool mgpu = false;
  /// With mgpu: the kernel launched past the runtime (a control).
  bool unordered = false;
  uint64_t seed = 20261126;
};

std::string readFile(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

/// The integers of kernel.json's `"key": [x, y, z]`, or `fallback` when the
/// key is absent.
std::optional<std::array<intptr_t, 3>>
triple(const std::string &json, const char *key,
       std::optional<std::array<intptr_t, 3>> fallback = std::nullopt) {
  std::smatch match;
  std::regex pattern(
      std::string("\"") + key +
      "\":\\s*\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\]");
  if (!std::regex_search(json, match, pattern))
    return fallback;
  return std::array<intptr_t, 3>{std::stoll(match[1]), std::stoll(match[2]),
                                 std::stoll(match[3])};
}

/// The kernel as gpu-to-llvm host code launches it.
struct MgpuKernel {
  void *module = nullptr;
  void *function = nullptr;
  std::array<intptr_t, 3> grid, block, cluster;
  int32_t sharedBytes = 0;

  bool load(const std::string &directory, std::string &error) {
    std::string json = readFile(directory + "/kernel.json");
    std::smatch match;
    if (!std::regex_search(json, match,
                           std::regex("\"entry\":\\s*\"([^\"]+)\"")))
      return error = "kernel.json has no entry", false;
    std::string entry = match[1];
    auto gridDims = triple(json, "grid"), blockDims = triple(json, "block");
    if (!gridDims || !blockDims)
      return error = "kernel.json has no grid or block", false;
    grid = *gridDims;
    block = *blockDims;
    cluster = *triple(json, "cluster", std::array<intptr_t, 3>{1, 1, 1});
    if (std::regex_search(json, match,
                          std::regex("\"dynamic_shared_memory\":\\s*(\\d+)")))
      sharedBytes = int32_t(std::stol(match[1]));
    cubin = readFile(directory + "/kernel.cubin");
    module = mgpuModuleLoad(cubin.data(), cubin.size());
    if (module)
      function = mgpuModuleGetFunction(module, entry.c_str());
    if (!function)
      return error = lastMgpuError(), false;
    return true;
  }

  /// Through mgpuLaunch(Cluster)Kernel or, as the control that must fail on
  /// kernels with module state, straight through the driver, which the
  /// runtime does not order.
  /// False when the launch failed (mgpu* failures are in the mgpu record).
  bool launch(const std::vector<void *> &pointers, void *stream,
              bool unordered) const {
    std::vector<void *> addresses = pointers;
    std::vector<void *> params;
    for (void *&address : addresses)
      params.push_back(&address);
    if (unordered) {
      // What mgpuLaunchKernel would have set: more than 48 KiB of dynamic
      // shared memory, clusters above 8 CTAs.
      auto kernel = static_cast<CUfunction>(function);
      cuFuncSetAttribute(
          kernel, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes);
      cuFuncSetAttribute(
          kernel, CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1);
      CUlaunchAttribute attribute = {};
      attribute.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
      attribute.value.clusterDim.x = unsigned(cluster[0]);
      attribute.value.clusterDim.y = unsigned(cluster[1]);
      attribute.value.clusterDim.z = unsigned(cluster[2]);
      CUlaunchConfig config = {};
      config.gridDimX = unsigned(grid[0]);
      config.gridDimY = unsigned(grid[1]);
      config.gridDimZ = unsigned(grid[2]);
      config.blockDimX = unsigned(block[0]);
      config.blockDimY = unsigned(block[1]);
      config.blockDimZ = unsigned(block[2]);
      config.sharedMemBytes = unsigned(sharedBytes);
      config.hStream = static_cast<CUstream>(stream);
      config.attrs = &attribute;
      config.numAttrs = 1;
      return cuLaunchKernelEx(&config, kernel, params.data(), nullptr) ==
             CUDA_SUCCESS;
    }
    if (cluster[0] * cluster[1] * cluster[2] > 1)
      mgpuLaunchClusterKernel(function, cluster[0], cluster[1], cluster[2],
                              grid[0], grid[1], grid[2], block[0], block[1],
                              block[2], sharedBytes, stream, params.data(),
                              nullptr);
    else
      mgpuLaunchKernel(function, grid[0], grid[1], grid[2], block[0], block[1],
                       block[2], sharedBytes, stream, params.data(), nullptr,
                       params.size());
    return s2attn_mgpu_error_count() == 0;
  }
  ~MgpuKernel() {
    if (module)
      mgpuModuleUnload(module);
  }

  static std::string lastMgpuError() {
    char message[512];
    s2attn_mgpu_last_error_message(message, sizeof(message));
    return message;
  }

private:
  std::string cubin;
};

bool checkArtifact(const std::string &directory, const Options &options,
                   uint64_t seed) {
  std::string error;
  std::optional<Problem> problem = readProblem(directory, error);
  if (!problem) {
    std::printf("FAIL %s: %s\n", directory.c_str(), error.c_str());
    return false;
  }
  std::vector<std::unique_ptr<DeviceProblem>> problems;
  std::vector<void *> streams;
  for (int s = 0; s < options.streams; ++s) {
    problems.push_back(std::make_unique<DeviceProblem>(*problem, seed + s));
    streams.push_back(mgpuStreamCreate());
  }
  s2attn_artifact *artifact = nullptr;
  MgpuKernel kernel;
  bool launched = true;
  if (options.mgpu) {
    launched = kernel.load(directory, error);
  } else if (s2attn_artifact_open(directory.c_str(), &artifact) !=
             S2ATTN_SUCCESS) {
    launched = false;
    error = s2attn_last_error_message();
  }
  // Streams that failed to be made would be the default stream, which runs
  // everything in order and tests nothing.
  if (launched && s2attn_mgpu_error_count() > 0)
    launched = false, error = MgpuKernel::lastMgpuError();
  s2attn_mgpu_clear_errors();
  for (int round = 0; launched && round < options.rounds; ++round)
    for (int s = 0; launched && s < options.streams; ++s) {
      if (options.mgpu) {
        if (!kernel.launch(problems[s]->pointers(), streams[s],
                           options.unordered))
          launched = false, error = options.unordered
                                        ? "cuLaunchKernelEx failed"
                                        : MgpuKernel::lastMgpuError();
        continue;
      }
      s2attn_launch_args args{};
      args.tensors = problems[s]->tensors().data();
      args.num_tensors = problems[s]->tensors().size();
      args.stream = streams[s];
      if (s2attn_artifact_launch(artifact, &args) != S2ATTN_SUCCESS)
        launched = false, error = s2attn_last_error_message();
    }
  for (void *stream : streams) {
    mgpuStreamSynchronize(stream);
    mgpuStreamDestroy(stream);
  }
  s2attn_artifact_destroy(artifact);
  if (!launched) {
    std::printf("FAIL %s: %s\n", directory.c_str(), error.c_str());
    return false;
  }
  int failing = 0;
  double worst = 0;
  for (const auto &tensors : problems) {
    Errors errors = tensors->compareOutputs(/*check=*/true);
    failing += !tensors->passes(errors);
    worst = std::max(worst, errors.outRelative());
  }
  std::printf("%s %s [%s]: %d streams x %d rounds (%s), %d outputs failed, "
              "worst out rel %.3e\n",
              failing ? "FAIL" : "PASS", directory.c_str(),
              problem->summary.c_str(), options.streams, options.rounds,
              options.unordered ? "driver, unordered"
              : options.mgpu    ? "mgpu"
                                : "C API",
              failing, worst);
  return failing == 0;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--streams" && i + 1 < argc)
      options.streams = std::max(2, std::atoi(argv[++i]));
    else if (arg == "--rounds" && i + 1 < argc)
      options.rounds = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--mgpu")
      options.mgpu = true;
    else if (arg == "--unordered")
      options.mgpu = options.unordered = true;
    else if (arg == "--seed" && i + 1 < argc)
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    else
      options.directories.push_back(arg);
  }
  if (options.directories.empty()) {
    std::fprintf(stderr, "usage: s2-gpu-overlap [--streams N] [--rounds R] "
                         "[--mgpu | --unordered] [--seed S] DIR...\n");
    return 2;
  }
  return checkEach(
      options.directories, [&](const std::string &directory, size_t i) {
        return checkArtifact(directory, options, options.seed + 100 * i);
      });
}
