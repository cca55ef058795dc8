//===- TestArtifacts.h - kernel.json texts shared by the tests --*- C++ -*-===//

#ifndef S2ATTN_UNITTESTS_RUNTIME_TESTARTIFACTS_H
#define S2ATTN_UNITTESTS_RUNTIME_TESTARTIFACTS_H

#include "gtest/gtest.h"

#include <string>

namespace s2attn::rt::testing {

/// An attention forward kernel's contract, using every feature of the format:
/// symbolic and fixed dimensions, a product and a ceil_div in the grid, all
/// parameter kinds, symbol constraints, a strided tensor.
inline const char *const kAttentionJson = R"json({
  "format": "s2attn.kernel",
  "version": 1,
  "entry": "s2attn_fwd",
  "target": "sm_90a",
  "block": [128, 1, 1],
  "grid": [{"ceil_div": ["q_len", 128]}, ["batch", "heads"], 1],
  "dynamic_shared_memory": 98304,
  "symbols": {
    "q_len": {"multiple_of": 64},
    "kv_len": {"multiple_of": 64},
    "heads": {"min": 1, "max": 128}
  },
  "tensors": [
    {"name": "q", "dtype": "bf16", "shape": ["batch", "q_len", "heads", 128]},
    {"name": "k", "dtype": "bf16", "shape": ["batch", "kv_len", "kv_heads", 128]},
    {"name": "v", "dtype": "bf16", "shape": ["batch", "kv_len", "kv_heads", 128]},
    {"name": "o", "dtype": "bf16", "shape": ["batch", "q_len", "heads", 128],
     "access": "write"},
    {"name": "lse", "dtype": "f32", "shape": ["batch", "heads", "q_len"],
     "layout": "strided", "alignment": 4, "access": "write"}
  ],
  "parameters": [
    {"kind": "pointer", "tensor": "q"},
    {"kind": "pointer", "tensor": "k"},
    {"kind": "pointer", "tensor": "v"},
    {"kind": "pointer", "tensor": "o"},
    {"kind": "memref", "tensor": "lse"},
    {"kind": "symbol", "symbol": "q_len", "type": "i32"},
    {"kind": "symbol", "symbol": "kv_len", "type": "i64"},
    {"kind": "stride", "tensor": "q", "dim": 1, "type": "i64"},
    {"kind": "scalar", "name": "softmax_scale", "type": "f32",
     "default": 0.08838834764831845},
    {"kind": "scalar", "name": "q_start", "type": "i64"}
  ],
  "info": {"pattern": {"block": 64, "local": 16, "stride": 8}, "anything": [1]}
})json";

/// `text` with the first occurrence of `from` replaced; fails the test when
/// `from` is absent (a stale mutation would otherwise test nothing).
inline std::string mutate(std::string text, const std::string &from,
                          const std::string &to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "mutation anchor not found: " << from;
  if (at != std::string::npos)
    text.replace(at, from.size(), to);
  return text;
}

/// Enough of an ELF header for the artifact reader's image check.
inline const char kFakeCubin[] = "\x7f"
                                 "ELF-not-really-a-cubin";

} // namespace s2attn::rt::testing

#endif // S2ATTN_UNITTESTS_RUNTIME_TESTARTIFACTS_H
