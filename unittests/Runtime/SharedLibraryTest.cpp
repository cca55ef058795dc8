//===- SharedLibraryTest.cpp - libs2attn_cuda_runtime.so as JIT code sees it =//
//
// Loads the shared library with dlopen, as MLIR's ExecutionEngine does with
// --shared-libs, and checks its exported surface and its behaviour where the
// CUDA driver is missing (NoDriver*) or is only the toolkit's link stub
// (StubDriver*). ctest runs each group with S2ATTN_CUDA_DRIVER set for it.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Runtime/MgpuRuntime.h"
#include "s2attn/Runtime/S2AttnRuntime.h"

#include "gtest/gtest.h"

#include <dlfcn.h>

#include <cstdlib>
#include <string>

namespace {

class SharedLibrary {
public:
  SharedLibrary() { handle = dlopen(S2ATTN_RUNTIME_SHARED_LIBRARY, RTLD_NOW); }
  ~SharedLibrary() {
    if (handle)
      dlclose(handle);
  }
  void *handle = nullptr;

  template <typename Function> Function *get(const char *name) const {
    return reinterpret_cast<Function *>(dlsym(handle, name));
  }
};

const char *const kEntryPoints[] = {"mgpuModuleLoad",
                                    "mgpuModuleLoadJIT",
                                    "mgpuModuleUnload",
                                    "mgpuModuleGetFunction",
                                    "mgpuLaunchKernel",
                                    "mgpuLaunchClusterKernel",
                                    "mgpuStreamCreate",
                                    "mgpuStreamDestroy",
                                    "mgpuStreamSynchronize",
                                    "mgpuStreamWaitEvent",
                                    "mgpuEventCreate",
                                    "mgpuEventDestroy",
                                    "mgpuEventSynchronize",
                                    "mgpuEventRecord",
                                    "mgpuMemAlloc",
                                    "mgpuMemFree",
                                    "mgpuMemcpy",
                                    "mgpuMemset32",
                                    "mgpuMemset16",
                                    "mgpuSetDefaultDevice",
                                    "mgpuMemHostRegisterMemRef",
                                    "mgpuMemHostUnregisterMemRef",
                                    "s2attn_runtime_init",
                                    "s2attn_artifact_open",
                                    "s2attn_artifact_launch",
                                    "s2attn_last_error_message",
                                    "s2attn_mgpu_last_error"};

void expectDriverUnusable(s2attn_status expected, const char *messagePart) {
  SharedLibrary library;
  ASSERT_NE(library.handle, nullptr) << dlerror();
  for (const char *name : kEntryPoints)
    EXPECT_NE(dlsym(library.handle, name), nullptr) << name;
  // Only the C API and the mgpu* functions are exported.
  EXPECT_EQ(dlsym(library.handle,
                  "_ZN6s2attn2rt9parseJsonESt17basic_string_"
                  "viewIcSt11char_traitsIcEERNS0_9JsonValueERNS0_"
                  "9JsonErrorE"),
            nullptr);

  auto init = library.get<s2attn_status()>("s2attn_runtime_init");
  auto message = library.get<const char *()>("s2attn_last_error_message");
  EXPECT_EQ(init(), expected);
  EXPECT_NE(std::string(message()).find(messagePart), std::string::npos)
      << message();

  auto streamCreate = library.get<void *()>("mgpuStreamCreate");
  auto errorCount = library.get<uint64_t()>("s2attn_mgpu_error_count");
  auto lastError = library.get<s2attn_status()>("s2attn_mgpu_last_error");
  EXPECT_EQ(streamCreate(), nullptr);
  EXPECT_EQ(errorCount(), 1u);
  EXPECT_EQ(lastError(), expected);
}

TEST(NoDriverSharedLibraryTest, LoadsAndReportsNoDriver) {
  expectDriverUnusable(S2ATTN_ERROR_NO_DRIVER, "no CUDA driver");
}

TEST(StubDriverSharedLibraryTest, RecognizesTheLinkStub) {
  const char *driver = std::getenv("S2ATTN_CUDA_DRIVER");
  if (!driver || std::string(driver).find("stubs") == std::string::npos)
    GTEST_SKIP() << "no CUDA link stub library was found at configure time";
  expectDriverUnusable(S2ATTN_ERROR_DRIVER_INIT, "link stub");
}

} // namespace
