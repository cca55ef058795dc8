//===- CudaRunner.cpp - s2-run --target cuda ------------------------------===//
//
// The same artifact s2-compile writes (cubin + kernel.json), kept in memory
// and launched through the runtime's C API; device memory through its mgpu*
// entry points, so s2-run never links libcuda itself.
//
//===----------------------------------------------------------------------===//

#include "CudaRunner.h"

#include "s2attn/CAPI/Runner/FloatFormats.h"

#ifdef S2RUN_HAVE_CUDA_RUNTIME
#include "s2attn/Conversion/S2AttnToGPU/KernelArtifact.h"
#include "s2attn/Runtime/MgpuRuntime.h"
#include "s2attn/Runtime/S2AttnRuntime.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <chrono>
#endif

using namespace s2run;

#ifndef S2RUN_HAVE_CUDA_RUNTIME

llvm::Expected<CudaRun> s2run::runOnCuda(mlir::ModuleOp, const EntryProblem &,
                                         const std::vector<float> &,
                                         const std::vector<float> &,
                                         const std::vector<float> &,
                                         llvm::StringRef, unsigned) {
  return llvm::createStringError(
      "--target cuda: this s2-run was built without the CUDA runtime (no CUDA "
      "headers at configure time); rebuild with CUDA_HOME set, or use "
      "--target cpu");
}

#else

namespace {

llvm::Error mgpuError(llvm::StringRef what) {
  if (s2attn_mgpu_last_error() == S2ATTN_SUCCESS)
    return llvm::Error::success();
  char message[1024];
  s2attn_mgpu_last_error_message(message, sizeof(message));
  s2attn_mgpu_clear_errors();
  return llvm::createStringError("--target cuda: %s: %s", what.str().c_str(),
                                 message);
}

llvm::Error apiError(s2attn_status status, llvm::StringRef what) {
  if (status == S2ATTN_SUCCESS)
    return llvm::Error::success();
  return llvm::createStringError("--target cuda: %s: %s (%s)",
                                 what.str().c_str(),
                                 s2attn_last_error_message(),
                                 s2attn_status_name(status));
}

/// Device allocations freed on every path out.
class DeviceBuffers {
public:
  ~DeviceBuffers() {
    for (void *pointer : pointers)
      mgpuMemFree(pointer, nullptr);
  }
  llvm::Expected<void *> allocate(size_t bytes) {
    void *pointer = mgpuMemAlloc(bytes, nullptr, 0);
    if (llvm::Error err = mgpuError("allocating device memory"))
      return std::move(err);
    pointers.push_back(pointer);
    return pointer;
  }

private:
  std::vector<void *> pointers;
};

std::vector<uint16_t> toBits(const std::vector<float> &values,
                             ElementType type) {
  std::vector<uint16_t> bits(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    bits[i] = type == ElementType::BF16 ? floatToBF16(values[i])
                                        : floatToF16(values[i]);
  return bits;
}

} // namespace

llvm::Expected<CudaRun>
s2run::runOnCuda(mlir::ModuleOp module, const EntryProblem &problem,
                 const std::vector<float> &q, const std::vector<float> &k,
                 const std::vector<float> &v,
                 const mlir::s2attn::ConvertS2AttnToGPUOptions &conversion,
                 unsigned timedRuns) {
  ElementType type = problem.elementType;
  if (type != ElementType::BF16 && type != ElementType::F16)
    return llvm::createStringError(
        "--target cuda: the GPU kernel computes in f16 or bf16, not %s; use "
        "--dtype bf16 or --target cpu",
        elementTypeName(type).str().c_str());
  mlir::s2attn::KernelArtifactOptions options;
  options.conversion = conversion;
  mlir::FailureOr<mlir::s2attn::KernelArtifact> artifact =
      mlir::s2attn::compileKernelArtifact(module, options);
  if (mlir::failed(artifact))
    return llvm::createStringError(
        "--target cuda: GPU compilation failed (diagnostics above)");

  s2attn_artifact *kernel = nullptr;
  if (llvm::Error err = apiError(
          s2attn_artifact_open_memory(
              artifact->json.data(), artifact->json.size(),
              artifact->cubin.data(), artifact->cubin.size(), &kernel),
          "loading the compiled kernel"))
    return std::move(err);
  llvm::scope_exit closeKernel([&] { s2attn_artifact_destroy(kernel); });

  const ::s2attn::ref::ProblemShape &shape = problem.shape;
  size_t qCount = q.size(), kvCount = k.size();
  size_t lseCount = size_t(shape.batch * shape.heads * shape.qLen);
  DeviceBuffers device;
  llvm::Expected<void *> dq = device.allocate(qCount * 2);
  if (!dq)
    return dq.takeError();
  void *dk = nullptr, *dv = nullptr, *dout = nullptr, *dlse = nullptr;
  for (auto [pointer, bytes] :
       {std::pair<void **, size_t>{&dk, kvCount * 2}, {&dv, kvCount * 2},
        {&dout, qCount * 2}, {&dlse, lseCount * 4}}) {
    llvm::Expected<void *> allocated = device.allocate(bytes);
    if (!allocated)
      return allocated.takeError();
    *pointer = *allocated;
  }
  std::vector<uint16_t> qBits = toBits(q, type), kBits = toBits(k, type),
                        vBits = toBits(v, type);
  mgpuMemcpy(*dq, qBits.data(), qCount * 2, nullptr);
  mgpuMemcpy(dk, kBits.data(), kvCount * 2, nullptr);
  mgpuMemcpy(dv, vBits.data(), kvCount * 2, nullptr);
  // NaN everywhere first: an element the kernel skips cannot pass --check.
  mgpuMemset16(dout, 0xFFFF, qCount, nullptr);
  mgpuMemset32(dlse, 0xFFFFFFFFu, lseCount, nullptr);
  if (llvm::Error err = mgpuError("copying the inputs to the GPU"))
    return std::move(err);

  int32_t dtype = type == ElementType::BF16 ? S2ATTN_DTYPE_BF16
                                            : S2ATTN_DTYPE_F16;
  std::vector<s2attn_tensor> tensors = {
      s2attn_make_tensor("q", *dq, dtype,
                         {shape.batch, shape.qLen, shape.heads, shape.headDim}),
      s2attn_make_tensor(
          "k", dk, dtype,
          {shape.batch, shape.kvLen, shape.kvHeads, shape.headDim}),
      s2attn_make_tensor(
          "v", dv, dtype,
          {shape.batch, shape.kvLen, shape.kvHeads, shape.headDim}),
      s2attn_make_tensor(
          "o", dout, dtype,
          {shape.batch, shape.qLen, shape.heads, shape.headDim})};
  if (problem.hasLse)
    tensors.push_back(s2attn_make_tensor(
        "lse", dlse, S2ATTN_DTYPE_F32, {shape.batch, shape.heads, shape.qLen}));
  s2attn_launch_args args{};
  args.tensors = tensors.data();
  args.num_tensors = tensors.size();
  auto launch = [&]() -> llvm::Error {
    if (llvm::Error err =
            apiError(s2attn_artifact_launch(kernel, &args), "launch"))
      return err;
    mgpuStreamSynchronize(nullptr);
    return mgpuError("running the kernel");
  };
  if (llvm::Error err = launch())
    return std::move(err);

  CudaRun run;
  std::vector<uint16_t> outBits(qCount);
  mgpuMemcpy(outBits.data(), dout, qCount * 2, nullptr);
  run.out.resize(qCount);
  for (size_t i = 0; i < qCount; ++i)
    run.out[i] = type == ElementType::BF16 ? bf16ToFloat(outBits[i])
                                           : f16ToFloat(outBits[i]);
  if (problem.hasLse) {
    run.lse.resize(lseCount);
    mgpuMemcpy(run.lse.data(), dlse, lseCount * 4, nullptr);
  }
  if (llvm::Error err = mgpuError("copying the outputs back"))
    return std::move(err);

  std::vector<double> milliseconds;
  for (unsigned i = 0; i < timedRuns; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (llvm::Error err = launch())
      return std::move(err);
    milliseconds.push_back(std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - start)
                               .count());
  }
  if (!milliseconds.empty()) {
    std::sort(milliseconds.begin(), milliseconds.end());
    run.medianMs = milliseconds[milliseconds.size() / 2];
  }
  run.kernelSummary = llvm::formatv(
      "kernel {0} for {1}: grid {2}x{3}x{4}, {5} threads, {6} bytes of shared "
      "memory, {7} registers at {8} CTAs per SM",
      artifact->entry, conversion.chip, artifact->grid[0], artifact->grid[1],
      artifact->grid[2], artifact->block[0], artifact->dynamicSharedMemory,
      artifact->registers, artifact->residentCTAs);
  return run;
}

#endif
