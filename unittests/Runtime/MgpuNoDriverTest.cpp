//===- MgpuNoDriverTest.cpp - mgpu* entry points without a driver ---------===//
//
// Generated host code calls these with no way to see a failure, so each one
// must record the error, print it, and return a NULL handle or nothing, never
// crash. This binary hides the driver (see CApiTest.cpp).
//
//===----------------------------------------------------------------------===//

#include "s2attn/Runtime/MgpuRuntime.h"

#include "gtest/gtest.h"

#include <cstring>
#include <string>

namespace {

std::string lastMessage() {
  char buffer[1024];
  s2attn_mgpu_last_error_message(buffer, sizeof(buffer));
  return buffer;
}

class MgpuNoDriverTest : public ::testing::Test {
protected:
  void SetUp() override { s2attn_mgpu_clear_errors(); }

  /// Expects exactly one new error with `code` whose message names the
  /// function, then clears the record.
  void expectOneError(s2attn_status code, const char *function) {
    EXPECT_EQ(s2attn_mgpu_error_count(), 1u) << function;
    EXPECT_EQ(s2attn_mgpu_last_error(), code)
        << function << ": " << lastMessage();
    EXPECT_EQ(lastMessage().rfind(function, 0), 0u) << lastMessage();
    s2attn_mgpu_clear_errors();
  }
};

TEST_F(MgpuNoDriverTest, HandleCreatorsReturnNull) {
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuStreamCreate");
  EXPECT_EQ(mgpuEventCreate(), nullptr);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuEventCreate");
  char image[16] = "\x7f"
                   "ELF";
  EXPECT_EQ(mgpuModuleLoad(image, sizeof(image)), nullptr);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuModuleLoad");
  char ptx[] = ".version 8.0";
  EXPECT_EQ(mgpuModuleLoadJIT(ptx, 2), nullptr);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuModuleLoadJIT");
  EXPECT_EQ(mgpuMemAlloc(256, nullptr, 0), nullptr);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuMemAlloc");
  EXPECT_EQ(mgpuMemAlloc(256, nullptr, 1), nullptr);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuMemAlloc");
}

TEST_F(MgpuNoDriverTest, OperationsRecordNoDriver) {
  int dummy[4] = {};
  mgpuStreamSynchronize(nullptr);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuStreamSynchronize");
  mgpuMemcpy(dummy, dummy + 2, 8, nullptr);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuMemcpy");
  mgpuMemset32(dummy, 7, 4, nullptr);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuMemset32");
  mgpuMemset16(dummy, 7, 4, nullptr);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuMemset16");
  mgpuMemFree(dummy, nullptr);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuMemFree");
  mgpuSetDefaultDevice(0);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuSetDefaultDevice");
  mgpuLaunchKernel(dummy, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuLaunchKernel");
  mgpuLaunchClusterKernel(dummy, 2, 1, 1, 2, 1, 1, 1, 1, 1, 0, nullptr, nullptr,
                          nullptr);
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuLaunchClusterKernel");
  struct {
    int *allocated, *aligned;
    int64_t offset, size, stride;
  } descriptor = {dummy, dummy, 0, 4, 1};
  mgpuMemHostRegisterMemRef(1, &descriptor, sizeof(int));
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuMemHostRegister");
  mgpuMemHostUnregisterMemRef(1, &descriptor, sizeof(int));
  expectOneError(S2ATTN_ERROR_NO_DRIVER, "mgpuMemHostUnregister");
}

TEST_F(MgpuNoDriverTest, NullHandlesAreRefusedBeforeTheDriver) {
  EXPECT_EQ(mgpuModuleGetFunction(nullptr, "k"), nullptr);
  EXPECT_NE(lastMessage().find("did mgpuModuleLoad fail?"), std::string::npos);
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuModuleGetFunction");
  mgpuModuleUnload(nullptr);
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuModuleUnload");
  mgpuLaunchKernel(nullptr, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  EXPECT_NE(lastMessage().find("did mgpuModuleGetFunction fail?"),
            std::string::npos);
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuLaunchKernel");
  mgpuStreamDestroy(nullptr);
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuStreamDestroy");
  mgpuEventDestroy(nullptr);
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuEventDestroy");
  mgpuEventRecord(nullptr, nullptr);
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuEventRecord");
  mgpuEventSynchronize(nullptr);
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuEventSynchronize");
  mgpuStreamWaitEvent(nullptr, nullptr);
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuStreamWaitEvent");
  EXPECT_EQ(mgpuModuleLoad(nullptr, 10), nullptr);
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuModuleLoad");
  char ptx[] = "x";
  EXPECT_EQ(mgpuModuleLoadJIT(ptx, 9), nullptr);
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuModuleLoadJIT");
  mgpuMemcpy(nullptr, ptx, 1, nullptr);
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuMemcpy");
  mgpuMemHostRegisterMemRef(1, nullptr, 4);
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuMemHostRegisterMemRef");
}

TEST_F(MgpuNoDriverTest, InvalidLaunchShapesAreRefused) {
  int dummy = 0;
  mgpuLaunchKernel(&dummy, 0, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  expectOneError(S2ATTN_ERROR_LAUNCH_CONFIG, "mgpuLaunchKernel");
  mgpuLaunchKernel(&dummy, 1, 1, 1, intptr_t(1) << 40, 1, 1, 0, nullptr,
                   nullptr, nullptr, 0);
  expectOneError(S2ATTN_ERROR_LAUNCH_CONFIG, "mgpuLaunchKernel");
  mgpuLaunchClusterKernel(&dummy, 0, 1, 1, 2, 1, 1, 1, 1, 1, 0, nullptr,
                          nullptr, nullptr);
  expectOneError(S2ATTN_ERROR_LAUNCH_CONFIG, "mgpuLaunchClusterKernel");
}

TEST_F(MgpuNoDriverTest, NoOpsRecordNothing) {
  EXPECT_EQ(mgpuMemAlloc(0, nullptr, 0), nullptr);
  mgpuMemFree(nullptr, nullptr);
  mgpuMemcpy(nullptr, nullptr, 0, nullptr);
  mgpuMemset32(nullptr, 0, 0, nullptr);
  mgpuMemset16(nullptr, 0, 0, nullptr);
  int dummy = 0;
  struct {
    int *allocated, *aligned;
    int64_t offset, size, stride;
  } empty = {&dummy, &dummy, 0, 0, 1};
  mgpuMemHostRegisterMemRef(1, &empty, sizeof(int));
  EXPECT_EQ(s2attn_mgpu_error_count(), 0u) << lastMessage();
}

TEST_F(MgpuNoDriverTest, BadMemrefDescriptors) {
  int dummy[4] = {};
  struct {
    int *allocated, *aligned;
    int64_t offset, size, stride;
  } descriptor = {dummy, dummy, 0, 4, -1};
  mgpuMemHostRegisterMemRef(1, &descriptor, sizeof(int));
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuMemHostRegisterMemRef");
  mgpuMemHostRegisterMemRef(-1, &descriptor, sizeof(int));
  expectOneError(S2ATTN_ERROR_INVALID_ARGUMENT, "mgpuMemHostRegisterMemRef");
}

TEST_F(MgpuNoDriverTest, ErrorsArePrintedToStderr) {
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(printed.find("s2attn-runtime: mgpuStreamCreate: no CUDA driver"),
            std::string::npos)
      << printed;
  EXPECT_NE(printed.find("[S2ATTN_ERROR_NO_DRIVER]"), std::string::npos);
}

TEST_F(MgpuNoDriverTest, MessageBufferTruncates) {
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  char small[8];
  std::memset(small, 'x', sizeof(small));
  size_t length = s2attn_mgpu_last_error_message(small, sizeof(small));
  EXPECT_GT(length, sizeof(small));
  EXPECT_EQ(std::strlen(small), sizeof(small) - 1);
  EXPECT_EQ(std::string(small), "mgpuStr");
  EXPECT_EQ(s2attn_mgpu_last_error_message(nullptr, 0), length);
  s2attn_mgpu_clear_errors();
  EXPECT_EQ(s2attn_mgpu_last_error_message(small, sizeof(small)), 0u);
  EXPECT_STREQ(small, "");
  EXPECT_EQ(s2attn_mgpu_last_error(), S2ATTN_SUCCESS);
}

} // namespace
