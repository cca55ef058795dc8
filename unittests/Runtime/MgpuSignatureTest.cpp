//===- MgpuSignatureTest.cpp - mgpu* prototypes vs. what MLIR emits -------===//
//
// test/Runtime/*.mlir pin (through FileCheck) the declarations LLVM 22's
// gpu-to-llvm emits, e.g. "declare ptr @mgpuMemAlloc(i64, ptr, i8)". This
// test reads those CHECK lines and compares each with the LLVM IR signature
// implied by our C prototype, so a header change that breaks the ABI fails
// here, without a GPU.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Runtime/MgpuRuntime.h"

#include "gtest/gtest.h"

#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <type_traits>

namespace {

/// The LLVM IR type a C parameter or result is passed as on x86-64.
template <typename T> std::string irType() {
  if constexpr (std::is_void_v<T>)
    return "void";
  else if constexpr (std::is_pointer_v<T>)
    return "ptr";
  else if constexpr (std::is_integral_v<T>)
    return "i" + std::to_string(sizeof(T) * 8);
  else
    static_assert(!sizeof(T), "unexpected parameter type");
}

template <typename Result, typename... Params>
std::string irSignature(const std::string &name, Result (*)(Params...)) {
  std::string params;
  ((params += (params.empty() ? "" : ", ") + irType<Params>()), ...);
  return "declare " + irType<Result>() + " @" + name + "(" + params + ")";
}

#define S2ATTN_SIGNATURE(name)                                                 \
  { #name, irSignature(#name, &name) }

const std::map<std::string, std::string> &ourSignatures() {
  static const std::map<std::string, std::string> signatures = {
      S2ATTN_SIGNATURE(mgpuModuleLoad),
      S2ATTN_SIGNATURE(mgpuModuleLoadJIT),
      S2ATTN_SIGNATURE(mgpuModuleUnload),
      S2ATTN_SIGNATURE(mgpuModuleGetFunction),
      S2ATTN_SIGNATURE(mgpuLaunchKernel),
      S2ATTN_SIGNATURE(mgpuLaunchClusterKernel),
      S2ATTN_SIGNATURE(mgpuStreamCreate),
      S2ATTN_SIGNATURE(mgpuStreamDestroy),
      S2ATTN_SIGNATURE(mgpuStreamSynchronize),
      S2ATTN_SIGNATURE(mgpuStreamWaitEvent),
      S2ATTN_SIGNATURE(mgpuEventCreate),
      S2ATTN_SIGNATURE(mgpuEventDestroy),
      S2ATTN_SIGNATURE(mgpuEventSynchronize),
      S2ATTN_SIGNATURE(mgpuEventRecord),
      S2ATTN_SIGNATURE(mgpuMemAlloc),
      S2ATTN_SIGNATURE(mgpuMemFree),
      S2ATTN_SIGNATURE(mgpuMemcpy),
      S2ATTN_SIGNATURE(mgpuMemset32),
      S2ATTN_SIGNATURE(mgpuMemset16),
      S2ATTN_SIGNATURE(mgpuSetDefaultDevice),
      S2ATTN_SIGNATURE(mgpuMemHostRegisterMemRef),
      S2ATTN_SIGNATURE(mgpuMemHostUnregisterMemRef),
  };
  return signatures;
}

/// "declare ..." lines of the FileCheck directives in a lit test.
std::vector<std::string> checkedDeclarations(const std::string &path) {
  std::ifstream file(path);
  EXPECT_TRUE(file) << "cannot read " << path;
  std::vector<std::string> declarations;
  std::regex checkLine(R"(^// CHECK-DAG: (declare .*)$)");
  std::string line;
  std::smatch match;
  while (std::getline(file, line))
    if (std::regex_match(line, match, checkLine))
      declarations.push_back(match[1]);
  return declarations;
}

TEST(MgpuSignatureTest, PrototypesMatchWhatGpuToLlvmDeclares) {
  std::map<std::string, bool> seen;
  for (const char *file :
       {"aot_vector_add.mlir", "gpu_runtime_signatures.mlir"}) {
    std::string path = std::string(S2ATTN_RUNTIME_LIT_DIR) + "/" + file;
    std::vector<std::string> declarations = checkedDeclarations(path);
    EXPECT_FALSE(declarations.empty()) << path;
    for (const std::string &declaration : declarations) {
      std::smatch match;
      ASSERT_TRUE(std::regex_search(declaration, match,
                                    std::regex(R"(@(mgpu[A-Za-z0-9]+)\()")))
          << declaration;
      std::string name = match[1];
      auto it = ourSignatures().find(name);
      ASSERT_NE(it, ourSignatures().end())
          << name << " is emitted by gpu-to-llvm but not provided";
      EXPECT_EQ(it->second, declaration);
      seen[name] = true;
    }
  }
  // Every entry point the conversion can emit for CUDA is pinned above,
  // except mgpuModuleLoad (only with cubin-format=bin, which needs ptxas) and
  // mgpuEventSynchronize (only inside async.execute regions).
  for (const auto &[name, signature] : ourSignatures()) {
    if (name != "mgpuModuleLoad" && name != "mgpuEventSynchronize") {
      EXPECT_TRUE(seen[name]) << name << " is not pinned by a lit test";
    }
  }
  // Read off LLVM 22 output by hand (see test/Runtime/regenerate-aot.sh).
  EXPECT_EQ(ourSignatures().at("mgpuModuleLoad"),
            "declare ptr @mgpuModuleLoad(ptr, i64)");
  EXPECT_EQ(ourSignatures().at("mgpuEventSynchronize"),
            "declare void @mgpuEventSynchronize(ptr)");
}

} // namespace
