//===- KernelMetadataTest.cpp - Reading kernel.json -----------------------===//

#include "s2attn/Runtime/KernelMetadata.h"
#include "s2attn/Runtime/LaunchValidation.h"

#include "TestArtifacts.h"

#include "gtest/gtest.h"

#include <fstream>
#include <sstream>

using namespace s2attn::rt;
using s2attn::rt::testing::kAttentionJson;
using s2attn::rt::testing::mutate;

namespace {

KernelMetadata parseOk(const std::string &text) {
  KernelMetadata meta;
  Status status = parseKernelMetadata(text, meta);
  EXPECT_TRUE(status.ok()) << status.getMessage();
  return meta;
}

TEST(KernelMetadataTest, ReadsEveryField) {
  KernelMetadata meta = parseOk(kAttentionJson);
  EXPECT_EQ(meta.entry, "s2attn_fwd");
  EXPECT_EQ(meta.target, "sm_90a");
  EXPECT_EQ(meta.cubin, "kernel.cubin");
  EXPECT_EQ(meta.block, (std::array<int64_t, 3>{128, 1, 1}));
  EXPECT_EQ(meta.cluster, (std::array<int64_t, 3>{1, 1, 1}));
  EXPECT_FALSE(meta.hasCluster());
  EXPECT_EQ(meta.dynamicSharedMemory, 98304);

  ASSERT_EQ(meta.grid[0].size(), 1u);
  EXPECT_EQ(meta.grid[0][0].kind, GridFactor::Kind::CeilDiv);
  EXPECT_EQ(meta.grid[0][0].symbol, "q_len");
  EXPECT_EQ(meta.grid[0][0].value, 128);
  ASSERT_EQ(meta.grid[1].size(), 2u);
  EXPECT_EQ(meta.grid[1][1].kind, GridFactor::Kind::Symbol);
  EXPECT_EQ(meta.grid[1][1].symbol, "heads");
  EXPECT_EQ(meta.grid[2][0].kind, GridFactor::Kind::Constant);

  ASSERT_EQ(meta.symbols.size(), 3u);
  const SymbolSpec *heads = meta.findSymbol("heads");
  ASSERT_NE(heads, nullptr);
  EXPECT_EQ(heads->max, 128);
  EXPECT_EQ(meta.findSymbol("q_len")->multipleOf, 64);
  EXPECT_EQ(meta.findSymbol("batch"), nullptr); // implicit: defaults

  ASSERT_EQ(meta.tensors.size(), 5u);
  EXPECT_EQ(meta.tensors[0].dtype, S2ATTN_DTYPE_BF16);
  EXPECT_EQ(meta.tensors[0].alignment, 16);
  EXPECT_EQ(meta.tensors[0].layout, TensorLayout::RowMajor);
  EXPECT_TRUE(meta.tensors[0].shape[0].isSymbol());
  EXPECT_EQ(*meta.tensors[0].shape[3].fixed, 128);
  EXPECT_EQ(meta.tensors[4].dtype, S2ATTN_DTYPE_F32);
  EXPECT_EQ(meta.tensors[4].layout, TensorLayout::Strided);
  EXPECT_EQ(meta.tensors[4].alignment, 4);

  ASSERT_EQ(meta.params.size(), 10u);
  EXPECT_EQ(meta.params[4].kind, ParamSpec::Kind::Memref);
  EXPECT_EQ(meta.params[4].tensorIndex, 4u);
  EXPECT_EQ(meta.params[5].kind, ParamSpec::Kind::Symbol);
  EXPECT_EQ(meta.params[5].type, ScalarType::I32);
  EXPECT_EQ(meta.params[7].kind, ParamSpec::Kind::Stride);
  EXPECT_EQ(meta.params[7].dim, 1u);
  EXPECT_EQ(meta.params[8].kind, ParamSpec::Kind::Scalar);
  EXPECT_EQ(meta.params[8].type, ScalarType::F32);
  ASSERT_TRUE(meta.params[8].defaultValue.has_value());
  EXPECT_DOUBLE_EQ(*meta.params[8].defaultValue, 0.08838834764831845);
  EXPECT_FALSE(meta.params[9].defaultValue.has_value());
}

TEST(KernelMetadataTest, OptionalFields) {
  KernelMetadata meta = parseOk(mutate(
      kAttentionJson, R"("block": [128, 1, 1],)",
      R"("block": [128, 1, 1], "cluster": [2, 1, 1], "cubin": "fwd.cubin",)"));
  EXPECT_TRUE(meta.hasCluster());
  EXPECT_EQ(meta.cubin, "fwd.cubin");
  EXPECT_FALSE(meta.orderedLaunches);
  KernelMetadata ordered = parseOk(
      mutate(kAttentionJson, R"("block": [128, 1, 1],)",
             R"("block": [128, 1, 1], "ordered_launches": true,)"));
  EXPECT_TRUE(ordered.orderedLaunches);
}

std::string readFile(const std::string &path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(KernelMetadataTest, CommittedTestArtifactsParse) {
  for (const char *name : {"vector_add", "vector_add_smem", "axpy_2d_memref"}) {
    std::string text = readFile(std::string(S2ATTN_RUNTIME_TEST_DATA) + "/" +
                                name + "/kernel.json");
    ASSERT_FALSE(text.empty()) << name;
    KernelMetadata meta = parseOk(text);
    EXPECT_EQ(meta.entry, name);
  }
}

TEST(KernelMetadataTest, MalformedJsonIsAParseError) {
  KernelMetadata meta;
  std::string broken =
      mutate(kAttentionJson, R"("version": 1,)", R"("version": 1,,)");
  Status status = parseKernelMetadata(broken, meta);
  EXPECT_EQ(status.getCode(), S2ATTN_ERROR_ARTIFACT_PARSE);
  EXPECT_NE(status.getMessage().find("line 3"), std::string::npos)
      << status.getMessage();
  EXPECT_EQ(parseKernelMetadata("", meta).getCode(),
            S2ATTN_ERROR_ARTIFACT_PARSE);
  EXPECT_EQ(parseKernelMetadata("[1, 2]", meta).getCode(),
            S2ATTN_ERROR_ARTIFACT_INVALID);
}

struct Mutation {
  const char *from;
  const char *to;
  const char *messagePart;
};

class KernelMetadataRejectTest : public ::testing::TestWithParam<Mutation> {};

TEST_P(KernelMetadataRejectTest, RejectsWithPathAndReason) {
  std::string text = mutate(kAttentionJson, GetParam().from, GetParam().to);
  KernelMetadata meta;
  Status status = parseKernelMetadata(text, meta);
  EXPECT_EQ(status.getCode(), S2ATTN_ERROR_ARTIFACT_INVALID)
      << status.getMessage();
  EXPECT_NE(status.getMessage().find(GetParam().messagePart), std::string::npos)
      << "message: " << status.getMessage();
}

INSTANTIATE_TEST_SUITE_P(
    FormatViolations, KernelMetadataRejectTest,
    ::testing::Values(
        Mutation{R"("format": "s2attn.kernel",)", "",
                 "missing required key \"format\""},
        Mutation{R"("s2attn.kernel")", R"("other.kernel")",
                 "format: expected \"s2attn.kernel\""},
        Mutation{R"("version": 1)", R"("version": 2)", "reads version 1"},
        Mutation{R"("dynamic_shared_memory")", R"("dynamic_shared_mem")",
                 "dynamic_shared_mem: unknown key"},
        Mutation{R"("entry": "s2attn_fwd",)", "",
                 "missing required key \"entry\""},
        Mutation{R"("s2attn_fwd")", R"("fwd kernel")", "not an identifier"},
        Mutation{R"("sm_90a")", R"("gfx942")", "not a GPU target"},
        Mutation{R"("block": [128, 1, 1])", R"("block": [128, 1])",
                 "expected 3 integers"},
        Mutation{R"("block": [128, 1, 1])", R"("block": [0, 1, 1])",
                 "block[0]: value 0 is out of range"},
        Mutation{R"("block": [128, 1, 1])", R"("block": [2048, 1, 1])",
                 "out of range"},
        Mutation{R"("block": [128, 1, 1])", R"("block": [128.5, 1, 1])",
                 "non-integer number"},
        Mutation{R"(["batch", "heads"], 1])", R"(["batch", "heads"]])",
                 "expected 3 grid dimensions"},
        Mutation{R"(["batch", "heads"], 1])", R"(["batch", true], 1])",
                 "grid[1][1]: expected a grid factor"},
        Mutation{R"(["batch", "heads"], 1])", R"([], 1])",
                 "at least one factor"},
        Mutation{R"(["q_len", 128])", R"(["q_len", 0])",
                 "ceil_div[1]: value 0 is out of range"},
        Mutation{R"(["q_len", 128])", R"(["q_len"])",
                 "expected [\"symbol\", divisor]"},
        Mutation{R"(["batch", "heads"], 1])", R"(["batch", "groups"], 1])",
                 "symbol \"groups\" is not a dimension of any tensor"},
        Mutation{R"("dynamic_shared_memory": 98304)",
                 R"("dynamic_shared_memory": -1)", "out of range"},
        Mutation{R"("heads": {"min": 1, "max": 128})",
                 R"("heads": {"min": 200, "max": 128})",
                 "min 200 exceeds max 128"},
        Mutation{R"("heads": {"min": 1, "max": 128})",
                 R"("heads": {"minimum": 1})", "unknown key"},
        Mutation{R"("kv_len": {"multiple_of": 64},)",
                 R"("kv_len": {"multiple_of": 64}, "seq": {},)",
                 "symbol \"seq\" is not a dimension of any tensor"},
        Mutation{R"("kv_len": {"multiple_of": 64},)",
                 R"("kv_len": {"multiple_of": 0},)", "out of range"},
        Mutation{R"("dtype": "bf16", "shape": ["batch", "q_len")",
                 R"("dtype": "fp8", "shape": ["batch", "q_len")",
                 "unknown dtype \"fp8\""},
        Mutation{R"(["batch", "q_len", "heads", 128]})",
                 R"(["batch", "q_len", "heads", 128, 1, 1, 1, 1, 1]})",
                 "rank 9 exceeds the maximum 8"},
        Mutation{R"(["batch", "q_len", "heads", 128]})",
                 R"(["batch", "q_len", "heads", -128]})", "expected an extent"},
        Mutation{R"(["batch", "q_len", "heads", 128]})",
                 R"(["batch", "q len", "heads", 128]})", "not an identifier"},
        Mutation{R"("alignment": 4)", R"("alignment": 12)",
                 "12 is not a power of two"},
        Mutation{R"("layout": "strided")", R"("layout": "column_major")",
                 "unknown layout"},
        Mutation{R"("access": "write"},
    {"name": "lse")",
                 R"("access": "modify"},
    {"name": "lse")",
                 "expected \"read\", \"write\""},
        Mutation{R"({"name": "k", "dtype")", R"({"name": "q", "dtype")",
                 "duplicate tensor name \"q\""},
        Mutation{R"({"name": "k", "dtype")",
                 R"({"name": "k", "strides": [1], "dtype")",
                 "tensors[1].strides: unknown key"},
        Mutation{R"("tensors": [)", R"("tensors": [], "old": [)",
                 "unknown key"},
        Mutation{R"({"kind": "pointer", "tensor": "q"},)",
                 R"({"kind": "pointer", "tensor": "x"},)",
                 "parameters[0].tensor: no tensor named \"x\""},
        Mutation{R"({"kind": "pointer", "tensor": "q"},)",
                 R"({"kind": "buffer", "tensor": "q"},)",
                 "unknown parameter kind \"buffer\""},
        Mutation{R"({"kind": "pointer", "tensor": "q"},)",
                 R"({"kind": "pointer"},)", "missing required key \"tensor\""},
        Mutation{R"({"kind": "pointer", "tensor": "k"},)", "",
                 "tensor \"k\" is not passed to the kernel"},
        Mutation{R"("dim": 1, "type": "i64")", R"("dim": 4, "type": "i64")",
                 "parameters[7].dim: value 4 is out of range [0, 3]"},
        Mutation{R"("symbol": "kv_len", "type": "i64")",
                 R"("symbol": "kv_len", "type": "f32")",
                 "unknown type \"f32\" (expected i32 or i64)"},
        Mutation{R"("symbol": "kv_len", "type": "i64")",
                 R"("symbol": "seq_len", "type": "i64")",
                 "symbol \"seq_len\" is not a dimension"},
        Mutation{R"("name": "softmax_scale", "type": "f32")",
                 R"("name": "softmax_scale", "type": "f16")",
                 "unknown type \"f16\""},
        Mutation{R"("default": 0.08838834764831845)", R"("default": "1/8")",
                 "default: expected a number"},
        Mutation{R"("name": "q_start", "type": "i64")",
                 R"("name": "softmax_scale", "type": "i64")",
                 "duplicate scalar name"},
        Mutation{R"("anything": [1]})", R"("anything": [1]}, "x": 1)",
                 "x: unknown key"},
        Mutation{
            R"("info": {"pattern": {"block": 64, "local": 16, "stride": 8}, "anything": [1]})",
            R"("info": [1])", "info: expected an object"},
        Mutation{R"("block": [128, 1, 1],)",
                 R"("block": [128, 1, 1], "cubin": "../x.cubin",)",
                 "must be a file name inside the artifact directory"},
        Mutation{R"("block": [128, 1, 1],)",
                 R"("block": [128, 1, 1], "ordered_launches": 1,)",
                 "ordered_launches: expected a boolean"},
        Mutation{
            R"("grid": [{"ceil_div": ["q_len", 128]}, ["batch", "heads"], 1],)",
            R"("grid": [3, ["batch", "heads"], 1], "cluster": [2, 1, 1],)",
            "not a multiple of the cluster dimension"}),
    [](const ::testing::TestParamInfo<Mutation> &info) {
      return "Mutation" + std::to_string(info.index);
    });

TEST(KernelMetadataTest, EmptyTensorListIsInvalid) {
  KernelMetadata meta;
  std::string text = R"({"format": "s2attn.kernel", "version": 1,
    "entry": "k", "target": "sm_80", "block": [1, 1, 1], "grid": [1, 1, 1],
    "tensors": [], "parameters": []})";
  Status status = parseKernelMetadata(text, meta);
  EXPECT_EQ(status.getCode(), S2ATTN_ERROR_ARTIFACT_INVALID);
  EXPECT_NE(status.getMessage().find("at least one tensor"), std::string::npos);
}

TEST(KernelMetadataTest, DtypeNames) {
  for (int32_t dtype = S2ATTN_DTYPE_F16; dtype <= S2ATTN_DTYPE_I8; ++dtype) {
    EXPECT_TRUE(isKnownDtype(dtype));
    EXPECT_EQ(dtypeFromName(s2attn_dtype_name(dtype)), dtype);
    EXPECT_GT(s2attn_dtype_size(dtype), 0u);
  }
  EXPECT_EQ(dtypeFromName("float"), S2ATTN_DTYPE_INVALID);
  EXPECT_FALSE(isKnownDtype(0));
  EXPECT_FALSE(isKnownDtype(99));
  EXPECT_STREQ(s2attn_dtype_name(99), "invalid");
  EXPECT_EQ(s2attn_dtype_size(99), 0u);
  EXPECT_EQ(s2attn_dtype_size(S2ATTN_DTYPE_BF16), 2u);
}

TEST(KernelMetadataTest, SmTargets) {
  int major = 0, minor = 0;
  bool archSpecific = false;
  ASSERT_TRUE(parseSmTarget("sm_90a", major, minor, archSpecific));
  EXPECT_EQ(major, 9);
  EXPECT_EQ(minor, 0);
  EXPECT_TRUE(archSpecific);
  ASSERT_TRUE(parseSmTarget("sm_86", major, minor, archSpecific));
  EXPECT_EQ(major, 8);
  EXPECT_EQ(minor, 6);
  EXPECT_FALSE(archSpecific);
  ASSERT_TRUE(parseSmTarget("sm_100f", major, minor, archSpecific));
  EXPECT_EQ(major, 10);
  for (const char *bad : {"sm90", "sm_", "sm_9", "sm_9x", "compute_90", ""})
    EXPECT_FALSE(parseSmTarget(bad, major, minor, archSpecific)) << bad;
}

TEST(KernelMetadataTest, TargetCompatibility) {
  std::string reason;
  EXPECT_TRUE(targetRunsOn("sm_90a", 9, 0, reason));
  EXPECT_FALSE(targetRunsOn("sm_90a", 10, 0, reason));
  EXPECT_NE(reason.find("exactly that architecture"), std::string::npos);
  EXPECT_TRUE(targetRunsOn("sm_80", 8, 6, reason));
  EXPECT_FALSE(targetRunsOn("sm_86", 8, 0, reason));
  EXPECT_FALSE(targetRunsOn("sm_80", 9, 0, reason));
  EXPECT_NE(reason.find("the device is sm_90"), std::string::npos) << reason;
  EXPECT_TRUE(targetRunsOn("sm_100f", 10, 3, reason));
  EXPECT_FALSE(targetRunsOn("bogus", 9, 0, reason));
}

} // namespace
