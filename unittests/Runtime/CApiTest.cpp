//===- CApiTest.cpp - The C API where no CUDA driver exists ---------------===//
//
// This binary hides any real driver (S2ATTN_CUDA_DRIVER points nowhere, set
// before main), so these tests give the same answers on a GPU machine: every
// call that needs the driver says NO_DRIVER, and everything else (artifact
// reading, validation) works and reports its own errors first.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Runtime/S2AttnRuntime.h"

#include "TestArtifacts.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using s2attn::rt::testing::kAttentionJson;
using s2attn::rt::testing::kFakeCubin;
using s2attn::rt::testing::mutate;

namespace {

constexpr const char *kMissingDriver = "/nonexistent/s2attn-test/libcuda.so.1";

// Runs before main, hence before the runtime's first (lazy) driver load.
const bool kDriverHidden = [] {
  setenv("S2ATTN_CUDA_DRIVER", kMissingDriver, /*overwrite=*/1);
  return true;
}();

void expectNoDriver(s2attn_status status, const char *call) {
  EXPECT_EQ(status, S2ATTN_ERROR_NO_DRIVER)
      << call << ": " << s2attn_status_name(status);
  EXPECT_EQ(s2attn_last_error(), S2ATTN_ERROR_NO_DRIVER) << call;
  std::string message = s2attn_last_error_message();
  EXPECT_NE(message.find("no CUDA driver"), std::string::npos) << message;
  EXPECT_NE(message.find(kMissingDriver), std::string::npos) << message;
}

s2attn_artifact *openAttention() {
  s2attn_artifact *artifact = nullptr;
  std::string json = kAttentionJson;
  EXPECT_EQ(s2attn_artifact_open_memory(json.data(), json.size(), kFakeCubin,
                                        sizeof(kFakeCubin), &artifact),
            S2ATTN_SUCCESS)
      << s2attn_last_error_message();
  return artifact;
}

/// A launch of the attention artifact that passes every pure check.
struct AttentionLaunch {
  std::vector<s2attn_tensor> tensors;
  s2attn_scalar start = {"q_start", 0.0};
  s2attn_launch_args args = {};

  AttentionLaunch() {
    auto make = [](const char *name, uintptr_t address, int32_t dtype,
                   std::vector<int64_t> shape) {
      return s2attn_make_tensor(name, reinterpret_cast<void *>(address),
                                dtype, int32_t(shape.size()), shape.data());
    };
    tensors = {make("q", 0x1000, S2ATTN_DTYPE_BF16, {1, 256, 4, 128}),
               make("k", 0x2000, S2ATTN_DTYPE_BF16, {1, 256, 4, 128}),
               make("v", 0x3000, S2ATTN_DTYPE_BF16, {1, 256, 4, 128}),
               make("o", 0x4000, S2ATTN_DTYPE_BF16, {1, 256, 4, 128}),
               make("lse", 0x5000, S2ATTN_DTYPE_F32, {1, 4, 256})};
    args.tensors = tensors.data();
    args.num_tensors = tensors.size();
    args.scalars = &start;
    args.num_scalars = 1;
  }
};

TEST(CApiTensorTest, MakeTensorIsRowMajorContiguous) {
  const int64_t shape[] = {2, 3, 4};
  int anchor = 0;
  s2attn_tensor t =
      s2attn_make_tensor("q", &anchor, S2ATTN_DTYPE_BF16, 3, shape);
  EXPECT_STREQ(t.name, "q");
  EXPECT_EQ(t.data, &anchor);
  EXPECT_EQ(t.dtype, S2ATTN_DTYPE_BF16);
  ASSERT_EQ(t.rank, 3);
  EXPECT_EQ(t.shape[0], 2);
  EXPECT_EQ(t.shape[1], 3);
  EXPECT_EQ(t.shape[2], 4);
  for (int d = 3; d < S2ATTN_MAX_RANK; ++d)
    EXPECT_EQ(t.shape[d], 0) << "dimension " << d;
  for (int d = 0; d < S2ATTN_MAX_RANK; ++d)
    EXPECT_EQ(t.strides[d], 0) << "dimension " << d;
}

TEST(CApiTensorTest, MakeTensorKeepsAnOversizedRankForTheChecks) {
  int64_t shape[S2ATTN_MAX_RANK + 4];
  for (int d = 0; d < S2ATTN_MAX_RANK + 4; ++d)
    shape[d] = d + 1;
  s2attn_tensor t = s2attn_make_tensor(nullptr, nullptr, S2ATTN_DTYPE_F32,
                                       S2ATTN_MAX_RANK + 4, shape);
  EXPECT_EQ(t.rank, S2ATTN_MAX_RANK + 4);
  EXPECT_EQ(t.shape[S2ATTN_MAX_RANK - 1], S2ATTN_MAX_RANK);
}

TEST(CApiNoDriverTest, InitReportsMissingDriver) {
  ASSERT_TRUE(kDriverHidden);
  expectNoDriver(s2attn_runtime_init(), "s2attn_runtime_init");
  // The outcome is cached and stable.
  expectNoDriver(s2attn_runtime_init(), "s2attn_runtime_init (again)");
}

TEST(CApiNoDriverTest, EveryDriverCallSaysNoDriver) {
  int value = -1;
  expectNoDriver(s2attn_driver_version(&value), "s2attn_driver_version");
  expectNoDriver(s2attn_device_count(&value), "s2attn_device_count");
  char name[64] = "unchanged";
  expectNoDriver(s2attn_device_name(0, name, sizeof(name)),
                 "s2attn_device_name");
  EXPECT_STREQ(name, "");
  s2attn_device_limits limits = {};
  expectNoDriver(s2attn_device_get_limits(0, &limits),
                 "s2attn_device_get_limits");
  s2attn_artifact *artifact = openAttention();
  ASSERT_NE(artifact, nullptr);
  expectNoDriver(s2attn_artifact_prepare(artifact, 0),
                 "s2attn_artifact_prepare");
  AttentionLaunch launch;
  expectNoDriver(s2attn_artifact_launch(artifact, &launch.args),
                 "s2attn_artifact_launch");
  s2attn_artifact_destroy(artifact);
}

TEST(CApiNoDriverTest, ValidationRunsBeforeTheDriver) {
  s2attn_artifact *artifact = openAttention();
  ASSERT_NE(artifact, nullptr);
  AttentionLaunch launch;
  launch.tensors[1].data = reinterpret_cast<void *>(0x2004);
  EXPECT_EQ(s2attn_artifact_launch(artifact, &launch.args),
            S2ATTN_ERROR_MISALIGNED_POINTER);
  EXPECT_NE(std::string(s2attn_last_error_message()).find("'k'"),
            std::string::npos);
  launch = AttentionLaunch();
  launch.tensors[0].dtype = S2ATTN_DTYPE_F32;
  EXPECT_EQ(s2attn_artifact_launch(artifact, &launch.args),
            S2ATTN_ERROR_UNSUPPORTED_DTYPE);
  launch = AttentionLaunch();
  launch.tensors[2].shape[1] = 128;
  EXPECT_EQ(s2attn_artifact_launch(artifact, &launch.args),
            S2ATTN_ERROR_SHAPE_MISMATCH);
  launch = AttentionLaunch();
  launch.tensors[3].data = nullptr;
  EXPECT_EQ(s2attn_artifact_launch(artifact, &launch.args),
            S2ATTN_ERROR_NULL_POINTER);
  s2attn_artifact_destroy(artifact);
}

TEST(CApiNoDriverTest, ValidateWithoutDevice) {
  s2attn_artifact *artifact = openAttention();
  ASSERT_NE(artifact, nullptr);
  AttentionLaunch launch;
  s2attn_launch_config config = {};
  ASSERT_EQ(s2attn_artifact_validate(artifact, &launch.args, nullptr, &config),
            S2ATTN_SUCCESS)
      << s2attn_last_error_message();
  EXPECT_EQ(config.grid[0], 2u);
  EXPECT_EQ(config.grid[1], 4u);
  EXPECT_EQ(config.block[0], 128u);
  EXPECT_EQ(config.dynamic_shared_memory, 98304u);
  s2attn_device_limits small = {};
  small.compute_capability_major = 8;
  small.max_shared_memory_per_block_optin = 49152;
  EXPECT_EQ(s2attn_artifact_validate(artifact, &launch.args, &small, nullptr),
            S2ATTN_ERROR_SHARED_MEMORY_LIMIT);
  EXPECT_NE(std::string(s2attn_last_error_message()).find("49152"),
            std::string::npos);
  s2attn_artifact_destroy(artifact);
}

TEST(CApiNoDriverTest, NullArgumentsAreRejected) {
  EXPECT_EQ(s2attn_driver_version(nullptr), S2ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s2attn_device_count(nullptr), S2ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s2attn_device_name(0, nullptr, 8), S2ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s2attn_device_get_limits(0, nullptr),
            S2ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s2attn_artifact_open(nullptr, nullptr),
            S2ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s2attn_artifact_open_memory(nullptr, 0, nullptr, 0, nullptr),
            S2ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s2attn_artifact_validate(nullptr, nullptr, nullptr, nullptr),
            S2ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s2attn_artifact_prepare(nullptr, 0), S2ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s2attn_artifact_launch(nullptr, nullptr),
            S2ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s2attn_artifact_entry(nullptr), nullptr);
  EXPECT_EQ(s2attn_artifact_num_tensors(nullptr), 0u);
  EXPECT_EQ(s2attn_artifact_tensor_name(nullptr, 0), nullptr);
  s2attn_artifact_destroy(nullptr);
}

TEST(CApiNoDriverTest, OpensCommittedArtifactWithoutDriver) {
  s2attn_artifact *artifact = nullptr;
  std::string dir = std::string(S2ATTN_RUNTIME_TEST_DATA) + "/vector_add";
  ASSERT_EQ(s2attn_artifact_open(dir.c_str(), &artifact), S2ATTN_SUCCESS)
      << s2attn_last_error_message();
  EXPECT_STREQ(s2attn_artifact_entry(artifact), "vector_add");
  EXPECT_EQ(s2attn_artifact_num_tensors(artifact), 3u);
  EXPECT_STREQ(s2attn_artifact_tensor_name(artifact, 2), "c");
  EXPECT_EQ(s2attn_artifact_tensor_name(artifact, 3), nullptr);
  s2attn_artifact_destroy(artifact);
}

/// A scratch artifact directory, removed afterwards.
class ArtifactDirTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("s2attn-artifact-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  void write(const std::string &name, const std::string &contents) {
    std::ofstream(dir / name, std::ios::binary) << contents;
  }

  s2attn_status open() {
    s2attn_artifact *artifact = nullptr;
    s2attn_status status = s2attn_artifact_open(dir.c_str(), &artifact);
    if (status == S2ATTN_SUCCESS)
      s2attn_artifact_destroy(artifact);
    else
      EXPECT_EQ(artifact, nullptr);
    return status;
  }

  std::string message() const { return s2attn_last_error_message(); }

  std::filesystem::path dir;
};

TEST_F(ArtifactDirTest, GoodDirectory) {
  write("kernel.json", kAttentionJson);
  write("kernel.cubin", kFakeCubin);
  EXPECT_EQ(open(), S2ATTN_SUCCESS) << message();
}

TEST_F(ArtifactDirTest, MissingFiles) {
  EXPECT_EQ(open(), S2ATTN_ERROR_ARTIFACT_IO);
  EXPECT_NE(message().find("kernel.json"), std::string::npos) << message();
  write("kernel.json", kAttentionJson);
  EXPECT_EQ(open(), S2ATTN_ERROR_ARTIFACT_IO);
  EXPECT_NE(message().find("kernel.cubin"), std::string::npos) << message();
  EXPECT_EQ(s2attn_artifact_open("/nonexistent/dir", nullptr),
            S2ATTN_ERROR_INVALID_ARGUMENT);
}

TEST_F(ArtifactDirTest, MalformedJson) {
  write("kernel.json", std::string(kAttentionJson) + "}");
  write("kernel.cubin", kFakeCubin);
  EXPECT_EQ(open(), S2ATTN_ERROR_ARTIFACT_PARSE);
  EXPECT_NE(message().find("unexpected text after the JSON value"),
            std::string::npos)
      << message();
  write("kernel.json", "\x01\x02\xff garbage");
  EXPECT_EQ(open(), S2ATTN_ERROR_ARTIFACT_PARSE);
  write("kernel.json", "");
  EXPECT_EQ(open(), S2ATTN_ERROR_ARTIFACT_PARSE);
}

TEST_F(ArtifactDirTest, InvalidMetadata) {
  write("kernel.json",
        mutate(kAttentionJson, R"("version": 1)", R"("version": "1")"));
  write("kernel.cubin", kFakeCubin);
  EXPECT_EQ(open(), S2ATTN_ERROR_ARTIFACT_INVALID);
  EXPECT_NE(message().find("version"), std::string::npos) << message();
}

TEST_F(ArtifactDirTest, CubinNameAndImageAreChecked) {
  write("kernel.json", mutate(kAttentionJson, R"("block": [128, 1, 1],)",
                              R"("block": [128, 1, 1], "cubin": "fwd.bin",)"));
  write("fwd.bin", "PK\x03\x04 a zip file, not a cubin");
  EXPECT_EQ(open(), S2ATTN_ERROR_ARTIFACT_INVALID);
  EXPECT_NE(message().find("not a cubin"), std::string::npos) << message();
  write("fwd.bin", kFakeCubin);
  EXPECT_EQ(open(), S2ATTN_SUCCESS) << message();
  write("fwd.bin", "");
  EXPECT_EQ(open(), S2ATTN_ERROR_ARTIFACT_INVALID);
}

TEST(CApiNoDriverTest, StatusNamesAreDistinct) {
  std::set<std::string> names;
  for (int code = S2ATTN_SUCCESS; code <= S2ATTN_ERROR_INTERNAL; ++code) {
    std::string name = s2attn_status_name(static_cast<s2attn_status>(code));
    EXPECT_EQ(name.rfind("S2ATTN_", 0), 0u) << code;
    EXPECT_NE(name, "S2ATTN_ERROR_UNKNOWN") << code;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), size_t(S2ATTN_ERROR_INTERNAL) + 1);
  EXPECT_STREQ(s2attn_status_name(static_cast<s2attn_status>(1000)),
               "S2ATTN_ERROR_UNKNOWN");
}

TEST(CApiNoDriverTest, LastErrorIsPerThreadAndClearable) {
  s2attn_clear_last_error();
  EXPECT_EQ(s2attn_last_error(), S2ATTN_SUCCESS);
  EXPECT_STREQ(s2attn_last_error_message(), "");
  std::thread other([] {
    EXPECT_EQ(s2attn_device_count(nullptr), S2ATTN_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(s2attn_last_error(), S2ATTN_ERROR_INVALID_ARGUMENT);
  });
  other.join();
  EXPECT_EQ(s2attn_last_error(), S2ATTN_SUCCESS);
  // A success leaves the last failure in place (as errno does).
  EXPECT_EQ(s2attn_device_count(nullptr), S2ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(s2attn_dtype_name(S2ATTN_DTYPE_BF16), "bf16");
  EXPECT_EQ(s2attn_last_error(), S2ATTN_ERROR_INVALID_ARGUMENT);
  s2attn_clear_last_error();
  EXPECT_EQ(s2attn_last_error(), S2ATTN_SUCCESS);
}

} // namespace
