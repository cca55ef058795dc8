//===- LaunchValidationTest.cpp - Checking launches without a GPU ---------===//
//
// validateLaunch is pure: these tests drive every error path with fake device
// addresses and fake device limits.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Runtime/LaunchValidation.h"

#include "TestArtifacts.h"

#include "gtest/gtest.h"

#include <cstring>
#include <functional>

using namespace s2attn::rt;
using s2attn::rt::testing::kAttentionJson;
using s2attn::rt::testing::mutate;

namespace {

constexpr int64_t kBatch = 2, kQLen = 1024, kKvLen = 2048, kHeads = 32,
                  kKvHeads = 8, kHeadDim = 128;

s2attn_tensor tensor(const char *name, uintptr_t address, int32_t dtype,
                     std::vector<int64_t> shape) {
  return s2attn_make_tensor(name, reinterpret_cast<void *>(address), dtype,
                            static_cast<int32_t>(shape.size()), shape.data());
}

/// H100-like limits.
s2attn_device_limits hopperLimits() {
  s2attn_device_limits limits = {};
  limits.compute_capability_major = 9;
  limits.compute_capability_minor = 0;
  limits.multiprocessor_count = 132;
  limits.max_threads_per_block = 1024;
  limits.max_block_dim[0] = limits.max_block_dim[1] = 1024;
  limits.max_block_dim[2] = 64;
  limits.max_grid_dim[0] = 2147483647;
  limits.max_grid_dim[1] = limits.max_grid_dim[2] = 65535;
  limits.max_shared_memory_per_block_optin = 232448;
  return limits;
}

class LaunchValidationTest : public ::testing::Test {
protected:
  void SetUp() override {
    Status status = parseKernelMetadata(kAttentionJson, meta);
    ASSERT_TRUE(status.ok()) << status.getMessage();
    tensors = {
        tensor("q", 0x10000, S2ATTN_DTYPE_BF16,
               {kBatch, kQLen, kHeads, kHeadDim}),
        tensor("k", 0x20000, S2ATTN_DTYPE_BF16,
               {kBatch, kKvLen, kKvHeads, kHeadDim}),
        tensor("v", 0x30000, S2ATTN_DTYPE_BF16,
               {kBatch, kKvLen, kKvHeads, kHeadDim}),
        tensor("o", 0x40000, S2ATTN_DTYPE_BF16,
               {kBatch, kQLen, kHeads, kHeadDim}),
        tensor("lse", 0x50004, S2ATTN_DTYPE_F32, {kBatch, kHeads, kQLen})};
    scalars = {{"q_start", 1024.0}};
  }

  s2attn_launch_args args() const {
    s2attn_launch_args result = {};
    result.tensors = tensors.data();
    result.num_tensors = tensors.size();
    result.scalars = scalars.data();
    result.num_scalars = scalars.size();
    return result;
  }

  Status validate(const s2attn_device_limits *limits = nullptr,
                  KernelResources resources = {}) {
    return validateLaunch(meta, args(), limits, resources, plan);
  }

  /// Expects `code` and a message containing each of `parts`.
  void expectError(const Status &status, s2attn_status code,
                   std::initializer_list<const char *> parts) {
    EXPECT_EQ(status.getCode(), code)
        << s2attn_status_name(status.getCode()) << ": " << status.getMessage();
    for (const char *part : parts)
      EXPECT_NE(status.getMessage().find(part), std::string::npos)
          << "missing \"" << part << "\" in: " << status.getMessage();
  }

  template <typename T> T param(size_t index) {
    T value;
    std::memcpy(&value, &plan.paramStorage[plan.paramSlots[index]], sizeof(T));
    return value;
  }

  KernelMetadata meta;
  std::vector<s2attn_tensor> tensors;
  std::vector<s2attn_scalar> scalars;
  LaunchPlan plan;
};

TEST_F(LaunchValidationTest, GoodLaunchResolvesGridAndParameters) {
  Status status = validate(nullptr);
  ASSERT_TRUE(status.ok()) << status.getMessage();
  EXPECT_EQ(plan.grid,
            (std::array<uint32_t, 3>{kQLen / 128, kBatch * kHeads, 1}));
  EXPECT_EQ(plan.block, (std::array<uint32_t, 3>{128, 1, 1}));
  EXPECT_EQ(plan.dynamicSharedBytes, 98304u);
  EXPECT_EQ(plan.symbols.at("kv_heads"), kKvHeads);
  // 4 pointers, a rank-3 memref (2 pointers, offset, 3 sizes, 3 strides),
  // q_len, kv_len, one stride, two scalars.
  ASSERT_EQ(plan.paramSlots.size(), 4u + 9u + 2u + 1u + 2u);
  EXPECT_EQ(param<uint64_t>(0), 0x10000u);
  EXPECT_EQ(param<uint64_t>(3), 0x40000u);
  EXPECT_EQ(param<uint64_t>(4), 0x50004u); // memref: allocated
  EXPECT_EQ(param<uint64_t>(5), 0x50004u); // aligned
  EXPECT_EQ(param<int64_t>(6), 0);         // offset
  EXPECT_EQ(param<int64_t>(7), kBatch);    // sizes
  EXPECT_EQ(param<int64_t>(9), kQLen);
  EXPECT_EQ(param<int64_t>(10), kHeads * kQLen); // row-major strides
  EXPECT_EQ(param<int64_t>(11), kQLen);
  EXPECT_EQ(param<int64_t>(12), 1);
  EXPECT_EQ(param<int32_t>(13), kQLen); // i32 symbol
  EXPECT_EQ(param<int64_t>(14), kKvLen);
  EXPECT_EQ(param<int64_t>(15), kHeads * kHeadDim);  // stride of q dim 1
  EXPECT_EQ(param<float>(16), 0.08838834764831845f); // default scale
  EXPECT_EQ(param<int64_t>(17), 1024);               // q_start
  std::vector<void *> pointers = plan.kernelParams();
  ASSERT_EQ(pointers.size(), plan.paramSlots.size());
  EXPECT_EQ(*static_cast<uint64_t *>(pointers[0]), 0x10000u);
}

TEST_F(LaunchValidationTest, GoodLaunchPassesDeviceChecks) {
  s2attn_device_limits limits = hopperLimits();
  Status status = validate(&limits, KernelResources{1024, 256});
  EXPECT_TRUE(status.ok()) << status.getMessage();
  s2attn_launch_config config = plan.config();
  EXPECT_EQ(config.grid[1], uint32_t(kBatch * kHeads));
  EXPECT_EQ(config.cluster[0], 1u);
}

TEST_F(LaunchValidationTest, ScalarOverridesDefault) {
  scalars.push_back({"softmax_scale", 0.5});
  ASSERT_TRUE(validate().ok());
  EXPECT_EQ(param<float>(16), 0.5f);
}

TEST_F(LaunchValidationTest, ExplicitStrides) {
  // Row-major strides written out are the same as none.
  tensors[0].strides[0] = kQLen * kHeads * kHeadDim;
  tensors[0].strides[1] = kHeads * kHeadDim;
  tensors[0].strides[2] = kHeadDim;
  tensors[0].strides[3] = 1;
  ASSERT_TRUE(validate().ok());
  // A strided tensor may have padded rows; the memref carries them.
  tensors[4].strides[0] = kHeads * 1056;
  tensors[4].strides[1] = 1056;
  tensors[4].strides[2] = 1;
  ASSERT_TRUE(validate().ok()) << validate().getMessage();
  EXPECT_EQ(param<int64_t>(10), kHeads * 1056);
  EXPECT_EQ(param<int64_t>(11), 1056);
}

TEST_F(LaunchValidationTest, TensorCount) {
  tensors.pop_back();
  expectError(validate(), S2ATTN_ERROR_TENSOR_COUNT,
              {"takes 5 tensors (q, k, v, o, lse), got 4"});
}

TEST_F(LaunchValidationTest, NullTensorArray) {
  s2attn_launch_args bad = args();
  bad.tensors = nullptr;
  expectError(validateLaunch(meta, bad, nullptr, {}, plan),
              S2ATTN_ERROR_INVALID_ARGUMENT, {"tensors is NULL"});
  bad = args();
  bad.scalars = nullptr;
  expectError(validateLaunch(meta, bad, nullptr, {}, plan),
              S2ATTN_ERROR_INVALID_ARGUMENT, {"scalars is NULL"});
}

TEST_F(LaunchValidationTest, TensorOrder) {
  std::swap(tensors[1], tensors[2]);
  expectError(validate(), S2ATTN_ERROR_TENSOR_NAME,
              {"tensor 1 is named 'v'", "expects 'k'"});
  // Without names only shapes and types are checked.
  for (s2attn_tensor &t : tensors)
    t.name = nullptr;
  EXPECT_TRUE(validate().ok());
}

TEST_F(LaunchValidationTest, InvalidDtype) {
  tensors[2].dtype = 42;
  expectError(validate(), S2ATTN_ERROR_INVALID_DTYPE,
              {"tensor 2 ('v')", "dtype value 42", "expected bf16"});
}

TEST_F(LaunchValidationTest, UnsupportedDtype) {
  tensors[0].dtype = S2ATTN_DTYPE_F16;
  expectError(validate(), S2ATTN_ERROR_UNSUPPORTED_DTYPE,
              {"tensor 0 ('q') has dtype f16", "compiled for bf16 only"});
}

TEST_F(LaunchValidationTest, RankMismatch) {
  tensors[0].rank = 3;
  expectError(validate(), S2ATTN_ERROR_SHAPE_MISMATCH,
              {"rank 3", "expects rank 4", "[batch, q_len, heads, 128]"});
  tensors[0].rank = 12;
  expectError(validate(), S2ATTN_ERROR_SHAPE_MISMATCH, {"rank 12"});
}

TEST_F(LaunchValidationTest, FixedDimensionMismatch) {
  tensors[1].shape[3] = 64;
  expectError(validate(), S2ATTN_ERROR_SHAPE_MISMATCH,
              {"tensor 1 ('k') dim 3 is 64", "expects 128"});
}

TEST_F(LaunchValidationTest, InconsistentSymbol) {
  tensors[2].shape[1] = kKvLen / 2;
  expectError(validate(), S2ATTN_ERROR_SHAPE_MISMATCH,
              {"tensor 2 ('v') dim 1 (kv_len) is 1024",
               "tensor 1 ('k') dim 1 gave kv_len = 2048"});
}

TEST_F(LaunchValidationTest, NegativeExtent) {
  tensors[0].shape[0] = -1;
  expectError(validate(), S2ATTN_ERROR_SHAPE_MISMATCH, {"negative extent"});
}

TEST_F(LaunchValidationTest, SymbolConstraints) {
  for (size_t i : {0, 3})
    tensors[i].shape[1] = 1000;
  tensors[4].shape[2] = 1000;
  expectError(validate(), S2ATTN_ERROR_SHAPE_MISMATCH,
              {"q_len = 1000", "not a multiple of 64"});
  SetUp();
  for (size_t i : {0, 3})
    tensors[i].shape[2] = 256;
  tensors[4].shape[1] = 256;
  expectError(validate(), S2ATTN_ERROR_SHAPE_MISMATCH,
              {"heads = 256", "exceeds the maximum 128"});
  SetUp();
  for (size_t i = 0; i < tensors.size(); ++i)
    tensors[i].shape[0] = 0;
  expectError(validate(), S2ATTN_ERROR_SHAPE_MISMATCH,
              {"batch = 0", "below the minimum 1"});
}

TEST_F(LaunchValidationTest, NullPointer) {
  tensors[3].data = nullptr;
  expectError(validate(), S2ATTN_ERROR_NULL_POINTER,
              {"tensor 3 ('o') has a NULL data pointer"});
}

TEST_F(LaunchValidationTest, MisalignedPointer) {
  tensors[1].data = reinterpret_cast<void *>(0x20008);
  expectError(
      validate(), S2ATTN_ERROR_MISALIGNED_POINTER,
      {"tensor 1 ('k') address 0x20008", "not 16-byte aligned", "% 16 = 8"});
  // lse asks only for 4-byte alignment.
  SetUp();
  tensors[4].data = reinterpret_cast<void *>(0x50002);
  expectError(validate(), S2ATTN_ERROR_MISALIGNED_POINTER,
              {"not 4-byte aligned"});
}

TEST_F(LaunchValidationTest, RowMajorLayoutRequired) {
  // A transposed view (heads before sequence) is not row-major.
  tensors[0].strides[0] = kQLen * kHeads * kHeadDim;
  tensors[0].strides[1] = kHeadDim;
  tensors[0].strides[2] = kQLen * kHeadDim;
  tensors[0].strides[3] = 1;
  expectError(validate(), S2ATTN_ERROR_LAYOUT,
              {"not row-major contiguous", "expects [4194304, 4096, 128, 1]",
               "make the tensor contiguous"});
}

TEST_F(LaunchValidationTest, StridedLayoutRules) {
  tensors[4].strides[0] = kHeads * kQLen;
  tensors[4].strides[1] = kQLen;
  tensors[4].strides[2] = 2;
  expectError(validate(), S2ATTN_ERROR_LAYOUT,
              {"dim 2 (innermost) has stride 2", "expects 1"});
  tensors[4].strides[2] = 1;
  tensors[4].strides[1] = 0;
  expectError(validate(), S2ATTN_ERROR_LAYOUT,
              {"dim 1 has stride 0", "no broadcasting"});
}

TEST_F(LaunchValidationTest, StridedRowsKeepAlignment) {
  ASSERT_TRUE(parseKernelMetadata(mutate(kAttentionJson, R"("alignment": 4)",
                                         R"("alignment": 16)"),
                                  meta)
                  .ok());
  tensors[4].data = reinterpret_cast<void *>(0x50000);
  tensors[4].strides[0] = kHeads * 1025;
  tensors[4].strides[1] = 1025; // 4100 bytes: rows lose 16-byte alignment
  tensors[4].strides[2] = 1;
  expectError(validate(), S2ATTN_ERROR_LAYOUT,
              {"4100 bytes", "16-byte alignment"});
}

TEST_F(LaunchValidationTest, MissingScalar) {
  scalars.clear();
  expectError(validate(), S2ATTN_ERROR_SCALAR,
              {"scalar 'q_start' is required"});
}

TEST_F(LaunchValidationTest, UnknownDuplicateAndUnnamedScalars) {
  scalars.push_back({"temperature", 1.0});
  expectError(validate(), S2ATTN_ERROR_SCALAR,
              {"scalar 'temperature' is not a parameter",
               "it takes: softmax_scale, q_start"});
  scalars = {{"q_start", 1.0}, {"q_start", 2.0}};
  expectError(validate(), S2ATTN_ERROR_SCALAR, {"given twice"});
  scalars = {{nullptr, 1.0}};
  expectError(validate(), S2ATTN_ERROR_SCALAR, {"scalar 0 has no name"});
  scalars = {{"q_start", 1.5}};
  expectError(validate(), S2ATTN_ERROR_SCALAR, {"not an integer"});
}

TEST_F(LaunchValidationTest, SharedMemoryLimit) {
  s2attn_device_limits limits = hopperLimits();
  limits.max_shared_memory_per_block_optin = 65536;
  expectError(validate(&limits), S2ATTN_ERROR_SHARED_MEMORY_LIMIT,
              {"needs 98304 bytes of dynamic shared memory",
               "allows at most 65536 bytes per block", "sm_90"});
  // Static shared memory counts too.
  limits = hopperLimits();
  expectError(validate(&limits, KernelResources{140000, 0}),
              S2ATTN_ERROR_SHARED_MEMORY_LIMIT, {"+ 140000 static"});
  // Without device limits the check waits for the device.
  EXPECT_TRUE(validate(nullptr, KernelResources{140000, 0}).ok());
}

TEST_F(LaunchValidationTest, BlockLimits) {
  s2attn_device_limits limits = hopperLimits();
  limits.max_threads_per_block = 64;
  expectError(validate(&limits), S2ATTN_ERROR_LAUNCH_CONFIG,
              {"block [128, 1, 1] has 128 threads", "at most 64"});
  limits = hopperLimits();
  expectError(validate(&limits, KernelResources{0, 96}),
              S2ATTN_ERROR_LAUNCH_CONFIG,
              {"can run at most 96", "register use"});
  limits.max_block_dim[0] = 100;
  expectError(validate(&limits), S2ATTN_ERROR_LAUNCH_CONFIG,
              {"block.x = 128 exceeds the device limit 100"});
}

TEST_F(LaunchValidationTest, GridLimits) {
  s2attn_device_limits limits = hopperLimits();
  limits.max_grid_dim[1] = 32;
  expectError(validate(&limits), S2ATTN_ERROR_LAUNCH_CONFIG,
              {"grid.y = batch=2 * heads=32", "exceeds the device limit 32"});
  // Without device limits CUDA's architectural limit (65535) applies.
  for (s2attn_tensor &t : tensors)
    t.shape[0] = 4096;
  expectError(validate(), S2ATTN_ERROR_LAUNCH_CONFIG,
              {"exceeds the device limit 65535"});
}

TEST_F(LaunchValidationTest, I32SymbolOverflow) {
  const int64_t huge = (int64_t(1) << 31) + 64;
  for (size_t i : {0, 3})
    tensors[i].shape[1] = huge;
  tensors[4].shape[2] = huge;
  expectError(
      validate(), S2ATTN_ERROR_SHAPE_MISMATCH,
      {"symbol q_len = 2147483712", "does not fit the kernel's i32 parameter"});
}

TEST(LaunchValidationClusterTest, ClusterNeedsHopperAndDivisibleGrid) {
  KernelMetadata meta;
  std::string text = mutate(kAttentionJson, R"("block": [128, 1, 1],)",
                            R"("block": [128, 1, 1], "cluster": [4, 1, 1],)");
  ASSERT_TRUE(parseKernelMetadata(text, meta).ok());
  s2attn_tensor q = tensor("q", 0x1000, S2ATTN_DTYPE_BF16, {1, 384, 8, 128});
  s2attn_tensor k = tensor("k", 0x2000, S2ATTN_DTYPE_BF16, {1, 384, 8, 128});
  s2attn_tensor v = k, o = q;
  v.name = "v";
  o.name = "o";
  s2attn_tensor lse = tensor("lse", 0x3000, S2ATTN_DTYPE_F32, {1, 8, 384});
  std::vector<s2attn_tensor> tensors = {q, k, v, o, lse};
  s2attn_scalar start = {"q_start", 0};
  s2attn_launch_args args = {};
  args.tensors = tensors.data();
  args.num_tensors = tensors.size();
  args.scalars = &start;
  args.num_scalars = 1;
  LaunchPlan plan;
  // grid.x = ceil(384 / 128) = 3, not a multiple of 4.
  Status status = validateLaunch(meta, args, nullptr, {}, plan);
  EXPECT_EQ(status.getCode(), S2ATTN_ERROR_LAUNCH_CONFIG);
  EXPECT_NE(status.getMessage().find("not a multiple of the cluster size 4"),
            std::string::npos)
      << status.getMessage();
  for (s2attn_tensor *t : {&tensors[0], &tensors[3]})
    t->shape[1] = 512;
  tensors[4].shape[2] = 512;
  ASSERT_TRUE(validateLaunch(meta, args, nullptr, {}, plan).ok());
  EXPECT_EQ(plan.cluster[0], 4u);
  s2attn_device_limits ampere = hopperLimits();
  ampere.compute_capability_major = 8;
  status = validateLaunch(meta, args, &ampere, {}, plan);
  EXPECT_EQ(status.getCode(), S2ATTN_ERROR_LAUNCH_CONFIG);
  EXPECT_NE(status.getMessage().find("need sm_90 or newer"), std::string::npos);
}

} // namespace
