//===- LaunchValidation.cpp - Checking a launch against an artifact -------===//
//
// The checks run tensor by tensor in the artifact's order and stop at the first
// problem, so a message always names one tensor, one dimension or one limit
// together with the value that was expected.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Runtime/LaunchValidation.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace s2attn::rt {

namespace {

/// CUDA's architectural grid limits, used when no device limits are given.
constexpr int64_t kMaxGridX = 2147483647;
constexpr int64_t kMaxGridYZ = 65535;
constexpr int64_t kMaxThreadsPerBlock = 1024;

std::string hexAddress(const void *pointer) {
  char buffer[32];
  std::snprintf(
      buffer, sizeof(buffer), "0x%llx",
      static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(pointer)));
  return buffer;
}

template <typename T> std::string formatList(const T *values, size_t count) {
  std::string text = "[";
  for (size_t i = 0; i < count; ++i)
    text += (i ? ", " : "") + std::to_string(values[i]);
  return text + "]";
}

std::string describeShape(const TensorSpec &spec) {
  std::string text = "[";
  for (size_t i = 0; i < spec.shape.size(); ++i) {
    const DimSpec &dim = spec.shape[i];
    text += (i ? ", " : "") +
            (dim.isSymbol() ? dim.symbol : std::to_string(*dim.fixed));
  }
  return text + "]";
}

std::string tensorLabel(const TensorSpec &spec, size_t index) {
  return concat("tensor ", index, " ('", spec.name, "')");
}

/// Where a symbol got its value: tensor `tensor`'s dimension `dim`, named in
/// messages about a later conflict. Messages are built only on failure, since
/// every launch validates.
struct Binding {
  int64_t value;
  const TensorSpec *spec;
  size_t tensor, dim;
};

using Bindings = std::map<std::string, Binding>;

std::string dimLabel(const TensorSpec &spec, size_t index, size_t dim) {
  return concat(tensorLabel(spec, index), " dim ", dim);
}

std::string origin(const Binding &binding) {
  return dimLabel(*binding.spec, binding.tensor, binding.dim);
}

bool allZero(const int64_t *values, int32_t count) {
  for (int32_t i = 0; i < count; ++i)
    if (values[i] != 0)
      return false;
  return true;
}

std::vector<int64_t> rowMajorStrides(const s2attn_tensor &tensor) {
  std::vector<int64_t> strides(static_cast<size_t>(tensor.rank));
  int64_t stride = 1;
  for (int32_t d = tensor.rank - 1; d >= 0; --d) {
    strides[static_cast<size_t>(d)] = stride;
    stride *= std::max<int64_t>(tensor.shape[d], 1);
  }
  return strides;
}

/// Strides as the kernel sees them: all-zero strides mean row-major.
std::vector<int64_t> effectiveStrides(const s2attn_tensor &tensor) {
  if (allZero(tensor.strides, tensor.rank))
    return rowMajorStrides(tensor);
  return std::vector<int64_t>(tensor.strides, tensor.strides + tensor.rank);
}

//===----------------------------------------------------------------------===//
// Tensor checks
//===----------------------------------------------------------------------===//

Status checkTensorList(const KernelMetadata &meta,
                       const s2attn_launch_args &args) {
  if (args.num_tensors > 0 && !args.tensors)
    return makeError(S2ATTN_ERROR_INVALID_ARGUMENT,
                     "launch args: tensors is NULL but num_tensors is ",
                     args.num_tensors);
  if (args.num_scalars > 0 && !args.scalars)
    return makeError(S2ATTN_ERROR_INVALID_ARGUMENT,
                     "launch args: scalars is NULL but num_scalars is ",
                     args.num_scalars);
  if (args.num_tensors == meta.tensors.size())
    return Status::success();
  std::string names;
  for (const TensorSpec &spec : meta.tensors)
    names += (names.empty() ? "" : ", ") + spec.name;
  return makeError(S2ATTN_ERROR_TENSOR_COUNT, "kernel '", meta.entry,
                   "' takes ", meta.tensors.size(), " tensors (", names,
                   "), got ", args.num_tensors);
}

Status checkDtype(const TensorSpec &spec, const s2attn_tensor &tensor,
                  size_t index) {
  if (!isKnownDtype(tensor.dtype))
    return makeError(S2ATTN_ERROR_INVALID_DTYPE, tensorLabel(spec, index),
                     ": dtype value ", tensor.dtype,
                     " is not an s2attn_dtype; expected ",
                     s2attn_dtype_name(spec.dtype), " (", spec.dtype, ")");
  if (tensor.dtype != spec.dtype)
    return makeError(S2ATTN_ERROR_UNSUPPORTED_DTYPE, tensorLabel(spec, index),
                     " has dtype ", s2attn_dtype_name(tensor.dtype),
                     "; this artifact was compiled for ",
                     s2attn_dtype_name(spec.dtype), " only");
  return Status::success();
}

Status bindDim(const TensorSpec &spec, size_t index, size_t dim, int64_t extent,
               Bindings &bindings) {
  const DimSpec &expected = spec.shape[dim];
  if (extent < 0)
    return makeError(S2ATTN_ERROR_SHAPE_MISMATCH, dimLabel(spec, index, dim),
                     " has negative extent ", extent);
  if (!expected.isSymbol()) {
    if (extent == *expected.fixed)
      return Status::success();
    return makeError(S2ATTN_ERROR_SHAPE_MISMATCH, dimLabel(spec, index, dim),
                     " is ", extent, "; the artifact expects ",
                     *expected.fixed, " (shape ", describeShape(spec), ")");
  }
  auto [it, inserted] = bindings.emplace(
      expected.symbol, Binding{extent, &spec, index, dim});
  if (inserted || it->second.value == extent)
    return Status::success();
  return makeError(S2ATTN_ERROR_SHAPE_MISMATCH, dimLabel(spec, index, dim),
                   " (", expected.symbol, ") is ", extent, ", but ",
                   origin(it->second), " gave ", expected.symbol, " = ",
                   it->second.value);
}

Status checkShape(const TensorSpec &spec, const s2attn_tensor &tensor,
                  size_t index, Bindings &bindings) {
  if (tensor.rank < 0 || tensor.rank > S2ATTN_MAX_RANK ||
      static_cast<size_t>(tensor.rank) != spec.shape.size())
    return makeError(S2ATTN_ERROR_SHAPE_MISMATCH, tensorLabel(spec, index),
                     " has rank ", tensor.rank, "; the artifact expects rank ",
                     spec.shape.size(), " (shape ", describeShape(spec), ")");
  for (size_t d = 0; d < spec.shape.size(); ++d)
    if (Status status = bindDim(spec, index, d, tensor.shape[d], bindings);
        !status.ok())
      return status;
  // The kernel indexes with 64-bit offsets at most.
  int64_t elements = 1;
  for (int32_t d = 0; d < tensor.rank; ++d) {
    if (tensor.shape[d] != 0 &&
        elements > std::numeric_limits<int64_t>::max() / tensor.shape[d])
      return makeError(S2ATTN_ERROR_SHAPE_MISMATCH, tensorLabel(spec, index),
                       " has more elements than fit in int64");
    elements *= tensor.shape[d];
  }
  return Status::success();
}

Status checkPointer(const TensorSpec &spec, const s2attn_tensor &tensor,
                    size_t index) {
  if (!tensor.data)
    return makeError(S2ATTN_ERROR_NULL_POINTER, tensorLabel(spec, index),
                     " has a NULL data pointer");
  uintptr_t address = reinterpret_cast<uintptr_t>(tensor.data);
  uintptr_t misalignment = address % static_cast<uintptr_t>(spec.alignment);
  if (misalignment == 0)
    return Status::success();
  return makeError(S2ATTN_ERROR_MISALIGNED_POINTER, tensorLabel(spec, index),
                   " address ", hexAddress(tensor.data), " is not ",
                   spec.alignment, "-byte aligned (address % ", spec.alignment,
                   " = ", misalignment, ")");
}

Status checkRowMajor(const TensorSpec &spec, const s2attn_tensor &tensor,
                     size_t index) {
  std::vector<int64_t> expected = rowMajorStrides(tensor);
  for (int32_t d = 0; d < tensor.rank; ++d) {
    // A size-1 dimension is never stepped over, so its stride is free.
    if (tensor.shape[d] > 1 && tensor.strides[d] != expected[d])
      return makeError(S2ATTN_ERROR_LAYOUT, tensorLabel(spec, index),
                       " strides ", formatList(tensor.strides, tensor.rank),
                       " are not row-major contiguous; the artifact expects ",
                       formatList(expected.data(), expected.size()),
                       " (make the tensor contiguous)");
  }
  return Status::success();
}

Status checkStrided(const TensorSpec &spec, const s2attn_tensor &tensor,
                    size_t index) {
  size_t elementSize = s2attn_dtype_size(tensor.dtype);
  for (int32_t d = 0; d < tensor.rank; ++d) {
    if (tensor.shape[d] <= 1)
      continue;
    int64_t stride = tensor.strides[d];
    if (stride < 1)
      return makeError(S2ATTN_ERROR_LAYOUT, dimLabel(spec, index, d), " has stride ", stride,
                       "; strides must be positive (no broadcasting)");
    if (d == tensor.rank - 1 && stride != 1)
      return makeError(S2ATTN_ERROR_LAYOUT, dimLabel(spec, index, d), " (innermost) has stride ",
                       stride, "; the artifact expects 1");
    if (d != tensor.rank - 1 &&
        (static_cast<int64_t>(elementSize) * stride) % spec.alignment != 0)
      return makeError(S2ATTN_ERROR_LAYOUT, dimLabel(spec, index, d), " has stride ", stride,
                       " elements (", elementSize * stride,
                       " bytes), not a multiple of the ", spec.alignment,
                       "-byte alignment the artifact requires");
  }
  return Status::success();
}

Status checkLayout(const TensorSpec &spec, const s2attn_tensor &tensor,
                   size_t index) {
  if (allZero(tensor.strides, tensor.rank))
    return Status::success();
  if (spec.layout == TensorLayout::RowMajor)
    return checkRowMajor(spec, tensor, index);
  return checkStrided(spec, tensor, index);
}

Status checkTensor(const TensorSpec &spec, const s2attn_tensor &tensor,
                   size_t index, Bindings &bindings) {
  if (tensor.name && spec.name != tensor.name)
    return makeError(S2ATTN_ERROR_TENSOR_NAME, "tensor ", index, " is named '",
                     tensor.name, "'; the artifact expects '", spec.name,
                     "' at this position");
  Status status = checkDtype(spec, tensor, index);
  if (status.ok())
    status = checkShape(spec, tensor, index, bindings);
  if (status.ok())
    status = checkPointer(spec, tensor, index);
  if (status.ok())
    status = checkLayout(spec, tensor, index);
  return status;
}

Status checkSymbolConstraints(const KernelMetadata &meta,
                              const Bindings &bindings) {
  for (const auto &[name, binding] : bindings) {
    SymbolSpec defaults;
    const SymbolSpec *spec = meta.findSymbol(name);
    if (!spec)
      spec = &defaults;
    int64_t value = binding.value;
    auto where = [&] {
      return concat(name, " = ", value, " (from ", origin(binding), ")");
    };
    if (value < spec->min)
      return makeError(S2ATTN_ERROR_SHAPE_MISMATCH, where(),
                       " is below the minimum ", spec->min);
    if (value > spec->max)
      return makeError(S2ATTN_ERROR_SHAPE_MISMATCH, where(),
                       " exceeds the maximum ", spec->max);
    if (value % spec->multipleOf != 0)
      return makeError(S2ATTN_ERROR_SHAPE_MISMATCH, where(),
                       " is not a multiple of ", spec->multipleOf);
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Launch shape
//===----------------------------------------------------------------------===//

/// A grid extent's rule with its symbols' values, e.g. "ceil(N=100 / 64) *
/// 4", for messages.
std::string describeGridDim(const std::vector<GridFactor> &factors,
                            const Bindings &bindings) {
  std::string formula;
  for (const GridFactor &factor : factors) {
    formula += formula.empty() ? "" : " * ";
    if (factor.kind == GridFactor::Kind::Constant) {
      formula += std::to_string(factor.value);
      continue;
    }
    int64_t symbol = bindings.at(factor.symbol).value;
    formula += factor.kind == GridFactor::Kind::Symbol
                   ? concat(factor.symbol, "=", symbol)
                   : concat("ceil(", factor.symbol, "=", symbol, " / ",
                            factor.value, ")");
  }
  return formula;
}

Status evaluateGridDim(const std::vector<GridFactor> &factors,
                       const Bindings &bindings, int64_t limit,
                       const char *axis, int64_t &out) {
  int64_t product = 1;
  for (const GridFactor &factor : factors) {
    int64_t value = factor.value;
    if (factor.kind != GridFactor::Kind::Constant) {
      int64_t symbol = bindings.at(factor.symbol).value;
      value = factor.kind == GridFactor::Kind::Symbol
                  ? symbol
                  : (symbol + factor.value - 1) / factor.value;
    }
    if (value != 0 && product > limit / value)
      product = limit + 1; // saturate: it is an error either way
    else
      product *= value;
  }
  if (product < 1)
    return makeError(S2ATTN_ERROR_LAUNCH_CONFIG, "grid.", axis, " = ",
                     describeGridDim(factors, bindings),
                     " is 0: nothing to launch");
  if (product > limit)
    return makeError(S2ATTN_ERROR_LAUNCH_CONFIG, "grid.", axis, " = ",
                     describeGridDim(factors, bindings),
                     " exceeds the device limit ", limit);
  out = product;
  return Status::success();
}

Status resolveGrid(const KernelMetadata &meta, const Bindings &bindings,
                   const s2attn_device_limits *limits, LaunchPlan &plan) {
  static const char *const axes[3] = {"x", "y", "z"};
  for (size_t d = 0; d < 3; ++d) {
    int64_t limit = d == 0 ? kMaxGridX : kMaxGridYZ;
    if (limits && limits->max_grid_dim[d] > 0)
      limit = limits->max_grid_dim[d];
    int64_t extent = 0;
    if (Status status =
            evaluateGridDim(meta.grid[d], bindings, limit, axes[d], extent);
        !status.ok())
      return status;
    if (extent % meta.cluster[d] != 0)
      return makeError(S2ATTN_ERROR_LAUNCH_CONFIG, "grid.", axes[d], " = ",
                       extent, " is not a multiple of the cluster size ",
                       meta.cluster[d]);
    plan.grid[d] = static_cast<uint32_t>(extent);
    plan.cluster[d] = static_cast<uint32_t>(meta.cluster[d]);
  }
  if (meta.hasCluster() && limits && limits->compute_capability_major < 9)
    return makeError(S2ATTN_ERROR_LAUNCH_CONFIG, "kernel '", meta.entry,
                     "' uses thread-block clusters, which need sm_90 or newer; "
                     "the device is sm_",
                     limits->compute_capability_major,
                     limits->compute_capability_minor);
  return Status::success();
}

Status checkBlock(const KernelMetadata &meta,
                  const s2attn_device_limits *limits,
                  const KernelResources &resources, LaunchPlan &plan) {
  static const char *const axes[3] = {"x", "y", "z"};
  int64_t threads = meta.block[0] * meta.block[1] * meta.block[2];
  int64_t maxThreads = kMaxThreadsPerBlock;
  if (limits && limits->max_threads_per_block > 0)
    maxThreads = limits->max_threads_per_block;
  if (threads > maxThreads)
    return makeError(S2ATTN_ERROR_LAUNCH_CONFIG, "block ",
                     formatList(meta.block.data(), 3), " has ", threads,
                     " threads; the device allows at most ", maxThreads);
  if (resources.maxThreadsPerBlock > 0 &&
      threads > resources.maxThreadsPerBlock)
    return makeError(S2ATTN_ERROR_LAUNCH_CONFIG, "block ",
                     formatList(meta.block.data(), 3), " has ", threads,
                     " threads; kernel '", meta.entry, "' can run at most ",
                     resources.maxThreadsPerBlock, " (register use limits it)");
  for (size_t d = 0; d < 3; ++d) {
    if (limits && limits->max_block_dim[d] > 0 &&
        meta.block[d] > limits->max_block_dim[d])
      return makeError(S2ATTN_ERROR_LAUNCH_CONFIG, "block.", axes[d], " = ",
                       meta.block[d], " exceeds the device limit ",
                       limits->max_block_dim[d]);
    plan.block[d] = static_cast<uint32_t>(meta.block[d]);
  }
  return Status::success();
}

Status checkSharedMemory(const KernelMetadata &meta,
                         const s2attn_device_limits *limits,
                         const KernelResources &resources, LaunchPlan &plan) {
  plan.dynamicSharedBytes = static_cast<uint32_t>(meta.dynamicSharedMemory);
  if (!limits)
    return Status::success();
  int64_t needed = meta.dynamicSharedMemory + resources.staticSharedBytes;
  int64_t allowed = limits->max_shared_memory_per_block_optin;
  if (needed <= allowed)
    return Status::success();
  return makeError(
      S2ATTN_ERROR_SHARED_MEMORY_LIMIT, "kernel '", meta.entry, "' needs ",
      meta.dynamicSharedMemory, " bytes of dynamic shared memory (+ ",
      resources.staticSharedBytes, " static); the device (sm_",
      limits->compute_capability_major, limits->compute_capability_minor,
      ") allows at most ", allowed, " bytes per block");
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

class ParamPacker {
public:
  explicit ParamPacker(LaunchPlan &plan) : plan(plan) {}

  void addSlot(const void *bytes, size_t size) {
    uint64_t slot = 0;
    std::memcpy(&slot, bytes, size);
    plan.paramSlots.push_back(plan.paramStorage.size());
    plan.paramStorage.push_back(slot);
  }
  void addI64(int64_t value) { addSlot(&value, sizeof(value)); }
  void addPointer(const void *pointer) {
    uint64_t address = reinterpret_cast<uintptr_t>(pointer);
    addSlot(&address, sizeof(address));
  }

  Status addInteger(int64_t value, ScalarType type, const std::string &what) {
    if (type == ScalarType::I64) {
      addI64(value);
      return Status::success();
    }
    if (value < std::numeric_limits<int32_t>::min() ||
        value > std::numeric_limits<int32_t>::max())
      return makeError(S2ATTN_ERROR_SHAPE_MISMATCH, what, " = ", value,
                       " does not fit the kernel's i32 parameter");
    int32_t narrow = static_cast<int32_t>(value);
    addSlot(&narrow, sizeof(narrow));
    return Status::success();
  }

  Status addScalar(double value, ScalarType type, const std::string &what) {
    switch (type) {
    case ScalarType::F32: {
      float narrow = static_cast<float>(value);
      addSlot(&narrow, sizeof(narrow));
      return Status::success();
    }
    case ScalarType::F64:
      addSlot(&value, sizeof(value));
      return Status::success();
    case ScalarType::I32:
    case ScalarType::I64:
      if (std::trunc(value) != value || std::fabs(value) > 9.0e18)
        return makeError(S2ATTN_ERROR_SCALAR, what, " = ", value,
                         " is not an integer, but the parameter is integral");
      return addInteger(static_cast<int64_t>(value), type, what);
    }
    return Status::success();
  }

private:
  LaunchPlan &plan;
};

Status checkScalarArgs(const KernelMetadata &meta,
                       const s2attn_launch_args &args) {
  auto accepted = [&] {
    std::string names;
    for (const ParamSpec &param : meta.params)
      if (param.kind == ParamSpec::Kind::Scalar)
        names += (names.empty() ? "" : ", ") + param.name;
    return names.empty() ? std::string("no scalars") : names;
  };
  for (size_t i = 0; i < args.num_scalars; ++i) {
    const char *name = args.scalars[i].name;
    if (!name)
      return makeError(S2ATTN_ERROR_SCALAR, "scalar ", i, " has no name");
    bool known = false;
    for (const ParamSpec &param : meta.params)
      known |= param.kind == ParamSpec::Kind::Scalar && param.name == name;
    if (!known)
      return makeError(
          S2ATTN_ERROR_SCALAR, "scalar '", name,
          "' is not a parameter of kernel '", meta.entry,
          "' (it takes: ", accepted(), ")");
    for (size_t j = 0; j < i; ++j)
      if (args.scalars[j].name && std::strcmp(args.scalars[j].name, name) == 0)
        return makeError(S2ATTN_ERROR_SCALAR, "scalar '", name,
                         "' is given twice");
  }
  return Status::success();
}

Status packScalar(const ParamSpec &param, const s2attn_launch_args &args,
                  ParamPacker &packer) {
  for (size_t i = 0; i < args.num_scalars; ++i)
    if (param.name == args.scalars[i].name)
      return packer.addScalar(args.scalars[i].value, param.type,
                              "scalar '" + param.name + "'");
  if (param.defaultValue)
    return packer.addScalar(*param.defaultValue, param.type,
                            "scalar '" + param.name + "' (default)");
  return makeError(S2ATTN_ERROR_SCALAR, "scalar '", param.name,
                   "' is required (the artifact gives no default)");
}

Status packParam(const KernelMetadata &meta, const ParamSpec &param,
                 const s2attn_launch_args &args, const Bindings &bindings,
                 ParamPacker &packer) {
  switch (param.kind) {
  case ParamSpec::Kind::Pointer:
    packer.addPointer(args.tensors[param.tensorIndex].data);
    return Status::success();
  case ParamSpec::Kind::Memref: {
    const s2attn_tensor &tensor = args.tensors[param.tensorIndex];
    packer.addPointer(tensor.data); // allocated
    packer.addPointer(tensor.data); // aligned
    packer.addI64(0);               // offset
    for (int32_t d = 0; d < tensor.rank; ++d)
      packer.addI64(tensor.shape[d]);
    for (int64_t stride : effectiveStrides(tensor))
      packer.addI64(stride);
    return Status::success();
  }
  case ParamSpec::Kind::Stride: {
    const s2attn_tensor &tensor = args.tensors[param.tensorIndex];
    int64_t stride = effectiveStrides(tensor)[param.dim];
    return packer.addInteger(stride, param.type,
                             concat("stride ", param.dim, " of tensor '",
                                    meta.tensors[param.tensorIndex].name, "'"));
  }
  case ParamSpec::Kind::Symbol:
    return packer.addInteger(bindings.at(param.name).value, param.type,
                             "symbol " + param.name);
  case ParamSpec::Kind::Scalar:
    return packScalar(param, args, packer);
  }
  return Status::success();
}

} // namespace

std::vector<void *> LaunchPlan::kernelParams() {
  std::vector<void *> pointers;
  pointers.reserve(paramSlots.size());
  for (size_t slot : paramSlots)
    pointers.push_back(&paramStorage[slot]);
  return pointers;
}

s2attn_launch_config LaunchPlan::config() const {
  s2attn_launch_config result;
  for (size_t d = 0; d < 3; ++d) {
    result.grid[d] = grid[d];
    result.block[d] = block[d];
    result.cluster[d] = cluster[d];
  }
  result.dynamic_shared_memory = dynamicSharedBytes;
  return result;
}

Status validateLaunch(const KernelMetadata &meta,
                      const s2attn_launch_args &args,
                      const s2attn_device_limits *limits,
                      const KernelResources &resources, LaunchPlan &plan) {
  if (Status status = checkTensorList(meta, args); !status.ok())
    return status;
  Bindings bindings;
  for (size_t i = 0; i < meta.tensors.size(); ++i)
    if (Status status =
            checkTensor(meta.tensors[i], args.tensors[i], i, bindings);
        !status.ok())
      return status;
  LaunchPlan result;
  Status status = checkSymbolConstraints(meta, bindings);
  if (status.ok())
    status = checkScalarArgs(meta, args);
  if (status.ok())
    status = resolveGrid(meta, bindings, limits, result);
  if (status.ok())
    status = checkBlock(meta, limits, resources, result);
  if (status.ok())
    status = checkSharedMemory(meta, limits, resources, result);
  ParamPacker packer(result);
  for (size_t i = 0; status.ok() && i < meta.params.size(); ++i)
    status = packParam(meta, meta.params[i], args, bindings, packer);
  if (!status.ok())
    return status;
  for (const auto &[name, binding] : bindings)
    result.symbols[name] = binding.value;
  plan = std::move(result);
  return Status::success();
}

bool targetRunsOn(const std::string &target, int major, int minor,
                  std::string &reason) {
  int targetMajor = 0, targetMinor = 0;
  bool archSpecific = false;
  if (!parseSmTarget(target, targetMajor, targetMinor, archSpecific)) {
    reason = "unknown target \"" + target + "\"";
    return false;
  }
  bool familySpecific = archSpecific && target.back() == 'f';
  bool exactOnly = archSpecific && !familySpecific;
  bool runs = exactOnly ? (major == targetMajor && minor == targetMinor)
                        : (major == targetMajor && minor >= targetMinor);
  if (!runs)
    reason =
        concat("the artifact was built for ", target,
               exactOnly ? " (runs only on exactly that architecture)" : "",
               "; the device is sm_", major, minor);
  return runs;
}

} // namespace s2attn::rt
