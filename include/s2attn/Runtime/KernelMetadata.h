//===- KernelMetadata.h - The kernel.json of a compiled artifact -*- C++
//-*-===//
//
// What a compiled kernel expects from its caller: entry name, launch shape
// (block, grid rule, cluster, dynamic shared memory), tensors (dtype, symbolic
// shape, alignment, layout) and the kernel's parameter list in order. The
// format is documented in docs/artifact-format.md; the reader is strict
// (unknown keys are errors) so that a compiler bug shows at load time, not as
// a wrong launch.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_RUNTIME_KERNELMETADATA_H
#define S2ATTN_RUNTIME_KERNELMETADATA_H

#include "s2attn/Runtime/S2AttnRuntime.h"
#include "s2attn/Runtime/Status.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace s2attn::rt {

/// The format name and the version this reader understands.
constexpr const char *kArtifactFormatName = "s2attn.kernel";
constexpr int64_t kArtifactFormatVersion = 1;

/// One dimension of a tensor: a fixed extent or a named shape symbol.
struct DimSpec {
  std::optional<int64_t> fixed;
  std::string symbol;

  bool isSymbol() const { return !fixed.has_value(); }
};

enum class TensorLayout {
  /// Strides must be row-major contiguous (dimensions of size 1 excepted).
  RowMajor,
  /// Any strides with a unit innermost stride; the kernel receives strides
  /// through "stride" or "memref" parameters.
  Strided,
};

struct TensorSpec {
  std::string name;
  s2attn_dtype dtype = S2ATTN_DTYPE_INVALID;
  std::vector<DimSpec> shape;
  /// Required alignment of the data pointer in bytes (a power of two).
  int64_t alignment = 16;
  TensorLayout layout = TensorLayout::RowMajor;
};

/// Constraints on a shape symbol's value.
struct SymbolSpec {
  std::string name;
  int64_t min = 1;
  int64_t max = INT64_MAX;
  int64_t multipleOf = 1;
};

/// One factor of a grid dimension: a constant, a symbol, or
/// ceil(symbol / divisor).
struct GridFactor {
  enum class Kind { Constant, Symbol, CeilDiv };
  Kind kind = Kind::Constant;
  int64_t value = 1; // the constant, or the divisor of CeilDiv
  std::string symbol;
};

enum class ScalarType { I32, I64, F32, F64 };

/// One kernel parameter, in the kernel's order.
struct ParamSpec {
  enum class Kind {
    /// The tensor's device address (8 bytes).
    Pointer,
    /// MLIR's expanded memref descriptor: allocated and aligned pointer,
    /// offset, sizes[rank], strides[rank] (i64 each).
    Memref,
    /// The value of a shape symbol.
    Symbol,
    /// A named scalar given at launch, or its default.
    Scalar,
    /// One stride (in elements) of a tensor.
    Stride,
  };
  Kind kind = Kind::Pointer;
  /// Pointer, Memref, Stride: the tensor's index in KernelMetadata::tensors.
  size_t tensorIndex = 0;
  /// Stride: the dimension.
  size_t dim = 0;
  /// Symbol: the symbol; Scalar: the scalar's name.
  std::string name;
  ScalarType type = ScalarType::I64;
  std::optional<double> defaultValue;
};

struct KernelMetadata {
  std::string entry;
  /// "sm_90a", "sm_80", ...
  std::string target;
  /// File name of the cubin inside the artifact directory.
  std::string cubin = "kernel.cubin";
  std::array<int64_t, 3> block = {1, 1, 1};
  std::array<int64_t, 3> cluster = {1, 1, 1};
  /// Each grid dimension is the product of its factors.
  std::array<std::vector<GridFactor>, 3> grid;
  int64_t dynamicSharedMemory = 0;
  /// The kernel keeps state in its module's globals across launches (grid
  /// splits' scratch and counters): two launches of one loaded module must
  /// not overlap, so the runtime orders launches on different streams.
  bool orderedLaunches = false;
  std::vector<SymbolSpec> symbols;
  std::vector<TensorSpec> tensors;
  std::vector<ParamSpec> params;

  const SymbolSpec *findSymbol(std::string_view name) const;
  bool hasCluster() const { return cluster[0] * cluster[1] * cluster[2] > 1; }
};

/// Parses and checks kernel.json text. Errors: S2ATTN_ERROR_ARTIFACT_PARSE for
/// malformed JSON, S2ATTN_ERROR_ARTIFACT_INVALID for a format violation; both
/// messages give the location (line/column or the JSON path).
Status parseKernelMetadata(std::string_view jsonText, KernelMetadata &out);

/// "bf16" -> S2ATTN_DTYPE_BF16; S2ATTN_DTYPE_INVALID when unknown.
s2attn_dtype dtypeFromName(std::string_view name);
bool isKnownDtype(int32_t dtype);

/// Parses "sm_90a" into (9, 0, true). False when the text is no sm target.
bool parseSmTarget(std::string_view target, int &major, int &minor,
                   bool &archSpecific);

} // namespace s2attn::rt

#endif // S2ATTN_RUNTIME_KERNELMETADATA_H
