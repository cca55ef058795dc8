//===- DeviceProblem.cpp - one problem's tensors on the GPU ---------------===//

#include "DeviceProblem.h"

#include "s2attn/Reference/Attention.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <random>

using namespace s2attn;
using namespace s2attn::gpucheck;

namespace {

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

/// `count` random normal values in `dtype` on the device; `values` gets them
/// rounded back to double.
void *uploadRandom(size_t count, const std::string &dtype, std::mt19937_64 &rng,
                   std::vector<double> &values) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<uint16_t> bits(count);
  values.resize(count);
  for (size_t i = 0; i < count; ++i) {
    bits[i] = toBits(normal(rng), dtype);
    values[i] = fromBits(bits[i], dtype);
  }
  void *device = nullptr;
  CHECK_CUDA(cudaMalloc(&device, count * 2));
  CHECK_CUDA(
      cudaMemcpy(device, bits.data(), count * 2, cudaMemcpyHostToDevice));
  return device;
}

} // namespace

DeviceProblem::DeviceProblem(const Problem &problem, uint64_t seed)
    : problem(problem) {
  const ref::ProblemShape &shape = problem.shape;
  qCount = size_t(shape.batch * shape.qLen * shape.heads * shape.headDim);
  kvCount = size_t(shape.batch * shape.kvLen * shape.kvHeads * shape.headDim);
  lseCount = size_t(shape.batch * shape.heads * shape.qLen);
  std::mt19937_64 rng(seed);
  dq = uploadRandom(qCount, problem.dtype, rng, q);
  dk = uploadRandom(kvCount, problem.dtype, rng, k);
  dv = uploadRandom(kvCount, problem.dtype, rng, v);
  CHECK_CUDA(cudaMalloc(&dout, qCount * 2));
  CHECK_CUDA(cudaMalloc(&dlse, lseCount * 4));
  poisonOutputs();
  int32_t dtype =
      problem.dtype == "bf16" ? S2ATTN_DTYPE_BF16 : S2ATTN_DTYPE_F16;
  described = {
      s2attn_make_tensor("q", dq, dtype,
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
    described.push_back(s2attn_make_tensor(
        "lse", dlse, S2ATTN_DTYPE_F32, {shape.batch, shape.heads, shape.qLen}));
}

DeviceProblem::~DeviceProblem() {
  for (void *pointer : {dq, dk, dv, dout, dlse})
    cudaFree(pointer);
}

void DeviceProblem::poisonOutputs() {
  CHECK_CUDA(cudaMemset(dout, 0xFF, qCount * 2));
  CHECK_CUDA(cudaMemset(dlse, 0xFF, lseCount * 4));
}

std::vector<void *> DeviceProblem::pointers() const {
  std::vector<void *> result = {dq, dk, dv, dout};
  if (problem.hasLse)
    result.push_back(dlse);
  return result;
}

Errors DeviceProblem::compareOutputs(bool check) const {
  std::vector<uint16_t> outBits(qCount);
  std::vector<float> lseValues(lseCount);
  CHECK_CUDA(
      cudaMemcpy(outBits.data(), dout, qCount * 2, cudaMemcpyDeviceToHost));
  CHECK_CUDA(
      cudaMemcpy(lseValues.data(), dlse, lseCount * 4, cudaMemcpyDeviceToHost));
  std::vector<double> out(qCount);
  for (size_t i = 0; i < qCount; ++i)
    out[i] = fromBits(outBits[i], problem.dtype);
  Errors errors;
  if (!check) {
    for (double x : out)
      errors.nonFinite += !std::isfinite(x);
    return errors;
  }
  ref::AttentionResult expected =
      ref::attention(q, k, v, problem.shape, problem.positions,
                     *problem.pattern, problem.scale);
  for (size_t i = 0; i < out.size(); ++i) {
    if (!std::isfinite(out[i])) {
      ++errors.nonFinite;
      continue;
    }
    errors.outMaxAbs =
        std::max(errors.outMaxAbs, std::abs(out[i] - expected.out[i]));
    errors.outMaxRef = std::max(errors.outMaxRef, std::abs(expected.out[i]));
  }
  if (problem.hasLse)
    for (size_t i = 0; i < lseCount; ++i) {
      if (!std::isfinite(expected.lse[i]))
        continue; // rows without keys: the verifier rules them out
      if (!std::isfinite(lseValues[i])) {
        ++errors.nonFinite;
        continue;
      }
      errors.lseMaxAbs =
          std::max(errors.lseMaxAbs, std::abs(lseValues[i] - expected.lse[i]));
    }
  return errors;
}

bool DeviceProblem::passes(const Errors &errors) const {
  double tolerance = problem.dtype == "bf16" ? 2e-2 : 1e-2;
  return errors.nonFinite == 0 && errors.outRelative() <= tolerance &&
         errors.lseMaxAbs <= 1e-2;
}

int s2attn::gpucheck::checkEach(
    const std::vector<std::string> &directories,
    const std::function<bool(const std::string &, size_t)> &check) {
  int passed = 0, failed = 0;
  for (size_t i = 0; i < directories.size(); ++i)
    (check(directories[i], i) ? passed : failed)++;
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
