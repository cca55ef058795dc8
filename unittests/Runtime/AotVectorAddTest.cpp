//===- AotVectorAddTest.cpp - MLIR-compiled host code on the runtime ------===//
//
// Calls s2attn_aot_vector_add, compiled ahead of time from
// test/Runtime/aot_vector_add.mlir by upstream MLIR's gpu-to-llvm (host code
// plus an embedded sm_90a cubin, loaded by a global constructor through
// mgpuModuleLoad). Passing proves the runtime's mgpu* functions are the ones
// that generated code expects. Skips (exit 77) without a usable sm_90 GPU.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Runtime/MgpuRuntime.h"
#include "s2attn/Runtime/S2AttnRuntime.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

/// MLIR's ranked memref descriptor for memref<?xf32>.
struct MemRef1D {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t size;
  int64_t stride;
};

MemRef1D describe(std::vector<float> &values) {
  return {values.data(), values.data(), 0, int64_t(values.size()), 1};
}

bool sm90Available() {
  s2attn_device_limits limits = {};
  if (s2attn_runtime_init() != S2ATTN_SUCCESS ||
      s2attn_device_get_limits(0, &limits) != S2ATTN_SUCCESS) {
    std::printf("SKIPPED: %s\n", s2attn_last_error_message());
    return false;
  }
  if (limits.compute_capability_major != 9 ||
      limits.compute_capability_minor != 0) {
    std::printf("SKIPPED: the embedded cubin is for sm_90a\n");
    return false;
  }
  return true;
}

} // namespace

extern "C" void _mlir_ciface_s2attn_aot_vector_add(MemRef1D *a, MemRef1D *b,
                                                   MemRef1D *c);

int main() {
  if (!sm90Available())
    return 77;
  // The module was loaded before main; an error there is in the record.
  uint64_t loadErrors = s2attn_mgpu_error_count();
  const size_t n = (1u << 20) + 17;
  std::vector<float> a(n), b(n), c(n, -1.0f);
  for (size_t i = 0; i < n; ++i) {
    a[i] = float(i % 1000) * 0.25f;
    b[i] = float((i * 7) % 333) - 100.0f;
  }
  MemRef1D da = describe(a), db = describe(b), dc = describe(c);
  _mlir_ciface_s2attn_aot_vector_add(&da, &db, &dc);
  size_t wrong = 0;
  for (size_t i = 0; i < n; ++i)
    wrong += std::memcmp(&c[i], &(const float &)(a[i] + b[i]), 4) != 0;
  uint64_t errors = s2attn_mgpu_error_count();
  int passed = 0, failed = 0;
  auto report = [&](bool ok, const char *what) {
    std::printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
    (ok ? passed : failed)++;
  };
  report(loadErrors == 0, "mgpuModuleLoad from a global constructor");
  report(wrong == 0, "AOT-compiled MLIR vector add, every element exact");
  report(errors == 0, "no mgpu* call recorded an error");
  if (errors) {
    char message[1024];
    s2attn_mgpu_last_error_message(message, sizeof(message));
    std::printf("  last error: %s\n", message);
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
