//===- PtxasTest.cpp - reading ptxas's report -----------------------------===//

#include "s2attn/Conversion/S2AttnToGPU/Ptxas.h"

#include "gtest/gtest.h"

using namespace mlir::s2attn;

namespace {

// ptxas 13.0 -v on a kernel that spills (head_dim 64 at 128 registers).
constexpr const char *kSpillingLog =
    "ptxas info    : 0 bytes gmem\n"
    "ptxas info    : Compiling entry function 's2attn_fwd' for 'sm_90a'\n"
    "ptxas info    : Function properties for s2attn_fwd\n"
    "    8 bytes stack frame, 4 bytes spill stores, 16 bytes spill loads\n"
    "ptxas info    : Used 128 registers, used 1 barriers, 8 bytes cumulative "
    "stack size, 1 bytes smem\n"
    "ptxas info    : Compile time = 224.864 ms\n";

TEST(PtxasLog, ReadsRegistersAndSpills) {
  AssembledKernel kernel = parsePtxasLog(kSpillingLog);
  EXPECT_EQ(kernel.registers, 128);
  EXPECT_EQ(kernel.spillStoreBytes, 4);
  EXPECT_EQ(kernel.spillLoadBytes, 16);
  EXPECT_TRUE(kernel.spills());
}

TEST(PtxasLog, NoSpills) {
  AssembledKernel kernel = parsePtxasLog(
      "ptxas info    : Function properties for k\n"
      "    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n"
      "ptxas info    : Used 249 registers, used 1 barriers, 81920 bytes "
      "smem\n");
  EXPECT_EQ(kernel.registers, 249);
  EXPECT_FALSE(kernel.spills());
}

TEST(PtxasLog, SpillLoadsAloneCount) {
  AssembledKernel kernel =
      parsePtxasLog("    0 bytes stack frame, 0 bytes spill stores, 8 bytes "
                    "spill loads\n");
  EXPECT_TRUE(kernel.spills());
}

TEST(PtxasLog, NothingReported) {
  AssembledKernel kernel = parsePtxasLog("ptxas info    : 0 bytes gmem\n");
  EXPECT_EQ(kernel.registers, 0);
  EXPECT_FALSE(kernel.spills());
}

TEST(Ptxas, InvalidPtxFailsWithPtxasLog) {
  if (llvm::Expected<std::string> ptxas = findPtxas(); !ptxas) {
    GTEST_SKIP() << "no ptxas here: " << llvm::toString(ptxas.takeError());
  }
  llvm::Expected<AssembledKernel> kernel =
      assemblePtx(".version 8.0\n.target sm_90a\nnot ptx at all\n", "sm_90a");
  ASSERT_FALSE(bool(kernel));
  std::string message = llvm::toString(kernel.takeError());
  EXPECT_NE(message.find("ptxas"), std::string::npos) << message;
  EXPECT_NE(message.find("failed"), std::string::npos) << message;
}

TEST(Ptxas, AssemblesAnEmptyKernel) {
  if (llvm::Expected<std::string> ptxas = findPtxas(); !ptxas) {
    GTEST_SKIP() << "no ptxas here: " << llvm::toString(ptxas.takeError());
  }
  llvm::Expected<AssembledKernel> kernel =
      assemblePtx(".version 8.0\n.target sm_90a\n.address_size 64\n"
                  ".visible .entry nothing() { ret; }\n",
                  "sm_90a");
  ASSERT_TRUE(bool(kernel)) << llvm::toString(kernel.takeError());
  EXPECT_FALSE(kernel->cubin.empty());
  EXPECT_EQ(kernel->cubin.substr(0, 4), "\x7f"
                                        "ELF");
  EXPECT_FALSE(kernel->spills());
}

} // namespace
