//===- KernelMetadata.cpp - Reading kernel.json ---------------------------===//
//
// The reader walks the JSON with the path of each value ("tensors[1].shape[2]")
// so that every message points at the offending entry.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Runtime/KernelMetadata.h"

#include "s2attn/Runtime/Json.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>

namespace s2attn::rt {

namespace {

using Kind = JsonValue::Kind;

/// Largest block/cluster extent we accept in a file (CUDA's per-dimension
/// maximum is 1024 threads).
constexpr int64_t kMaxBlockExtent = 1024;

Status invalid(const std::string &path, const std::string &what) {
  return makeError(S2ATTN_ERROR_ARTIFACT_INVALID, "kernel.json: ", path, ": ",
                   what);
}

std::string memberPath(const std::string &parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string elementPath(const std::string &parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

Status expectKind(const JsonValue &value, Kind kind, const std::string &path) {
  if (value.getKind() == kind)
    return Status::success();
  return invalid(path, concat("expected ", JsonValue::describe(kind), ", got ",
                              JsonValue::describe(value.getKind())));
}

bool isIdentifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

/// Rejects keys outside `allowed`: a misspelt key must not silently fall back
/// to a default.
Status checkKeys(const JsonValue &object, const std::string &path,
                 std::initializer_list<std::string_view> allowed) {
  for (const JsonValue::Member &member : object.getObject()) {
    if (std::find(allowed.begin(), allowed.end(), member.first) !=
        allowed.end())
      continue;
    std::string list;
    for (std::string_view key : allowed)
      list += (list.empty() ? "" : ", ") + std::string(key);
    return invalid(memberPath(path, member.first),
                   "unknown key (allowed here: " + list + ")");
  }
  return Status::success();
}

const JsonValue *requireMember(const JsonValue &object, std::string_view key,
                               const std::string &path, Status &status) {
  const JsonValue *value = object.find(key);
  if (!value)
    status = invalid(path.empty() ? "top level" : path,
                     "missing required key \"" + std::string(key) + "\"");
  return value;
}

Status readInteger(const JsonValue &value, const std::string &path, int64_t min,
                   int64_t max, int64_t &out) {
  if (!value.isInteger())
    return invalid(path, concat("expected an integer, got ",
                                value.isNumber()
                                    ? "a non-integer number"
                                    : JsonValue::describe(value.getKind())));
  if (value.getInteger() < min || value.getInteger() > max)
    return invalid(path, concat("value ", value.getInteger(),
                                " is out of range [", min, ", ", max, "]"));
  out = value.getInteger();
  return Status::success();
}

Status readString(const JsonValue &value, const std::string &path,
                  std::string &out) {
  if (Status status = expectKind(value, Kind::String, path); !status.ok())
    return status;
  if (value.getString().empty())
    return invalid(path, "expected a non-empty string");
  out = value.getString();
  return Status::success();
}

Status readIdentifier(const JsonValue &value, const std::string &path,
                      std::string &out) {
  if (Status status = readString(value, path, out); !status.ok())
    return status;
  if (!isIdentifier(out))
    return invalid(
        path, "\"" + out + "\" is not an identifier ([A-Za-z_][A-Za-z0-9_]*)");
  return Status::success();
}

Status readTriple(const JsonValue &value, const std::string &path,
                  std::array<int64_t, 3> &out) {
  if (Status status = expectKind(value, Kind::Array, path); !status.ok())
    return status;
  if (value.getArray().size() != 3)
    return invalid(path, concat("expected 3 integers [x, y, z], got ",
                                value.getArray().size(), " elements"));
  for (size_t i = 0; i < 3; ++i)
    if (Status status = readInteger(value.getArray()[i], elementPath(path, i),
                                    1, kMaxBlockExtent, out[i]);
        !status.ok())
      return status;
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Tensors and symbols
//===----------------------------------------------------------------------===//

Status readDim(const JsonValue &value, const std::string &path, DimSpec &out) {
  if (value.isString())
    return readIdentifier(value, path, out.symbol);
  int64_t extent = 0;
  if (Status status = readInteger(value, path, 0, INT64_MAX, extent);
      !status.ok())
    return invalid(path, "expected an extent (integer >= 0) or a symbol name");
  out.fixed = extent;
  return Status::success();
}

Status readLayout(const JsonValue &value, const std::string &path,
                  TensorLayout &out) {
  std::string name;
  if (Status status = readString(value, path, name); !status.ok())
    return status;
  if (name == "row_major")
    out = TensorLayout::RowMajor;
  else if (name == "strided")
    out = TensorLayout::Strided;
  else
    return invalid(path, "unknown layout \"" + name +
                             "\" (expected \"row_major\" or \"strided\")");
  return Status::success();
}

Status readTensor(const JsonValue &value, const std::string &path,
                  TensorSpec &out) {
  if (Status status = expectKind(value, Kind::Object, path); !status.ok())
    return status;
  if (Status status = checkKeys(
          value, path,
          {"name", "dtype", "shape", "alignment", "layout", "access"});
      !status.ok())
    return status;
  Status status;
  const JsonValue *name = requireMember(value, "name", path, status);
  const JsonValue *dtype =
      name ? requireMember(value, "dtype", path, status) : nullptr;
  const JsonValue *shape =
      dtype ? requireMember(value, "shape", path, status) : nullptr;
  if (!shape)
    return status;
  if (status = readIdentifier(*name, memberPath(path, "name"), out.name);
      !status.ok())
    return status;
  std::string dtypeName;
  if (status = readString(*dtype, memberPath(path, "dtype"), dtypeName);
      !status.ok())
    return status;
  out.dtype = dtypeFromName(dtypeName);
  if (out.dtype == S2ATTN_DTYPE_INVALID)
    return invalid(memberPath(path, "dtype"),
                   "unknown dtype \"" + dtypeName +
                       "\" (expected f16, bf16, f32, f64, i32, i64, u8, i8)");
  std::string shapePath = memberPath(path, "shape");
  if (status = expectKind(*shape, Kind::Array, shapePath); !status.ok())
    return status;
  if (shape->getArray().size() > S2ATTN_MAX_RANK)
    return invalid(shapePath, concat("rank ", shape->getArray().size(),
                                     " exceeds the maximum ", S2ATTN_MAX_RANK));
  for (size_t i = 0; i < shape->getArray().size(); ++i) {
    out.shape.emplace_back();
    if (status = readDim(shape->getArray()[i], elementPath(shapePath, i),
                         out.shape.back());
        !status.ok())
      return status;
  }
  if (const JsonValue *alignment = value.find("alignment")) {
    std::string alignPath = memberPath(path, "alignment");
    if (status = readInteger(*alignment, alignPath, 1, 4096, out.alignment);
        !status.ok())
      return status;
    if ((out.alignment & (out.alignment - 1)) != 0)
      return invalid(alignPath,
                     concat(out.alignment, " is not a power of two"));
  }
  if (const JsonValue *layout = value.find("layout"))
    if (status = readLayout(*layout, memberPath(path, "layout"), out.layout);
        !status.ok())
      return status;
  if (const JsonValue *access = value.find("access")) {
    // Informational ("read", "write", "readwrite"); checked for typos only.
    std::string accessName;
    std::string accessPath = memberPath(path, "access");
    if (status = readString(*access, accessPath, accessName); !status.ok())
      return status;
    if (accessName != "read" && accessName != "write" &&
        accessName != "readwrite")
      return invalid(accessPath, "expected \"read\", \"write\" or "
                                 "\"readwrite\", got \"" +
                                     accessName + "\"");
  }
  return Status::success();
}

Status readSymbol(const JsonValue::Member &member, const std::string &path,
                  SymbolSpec &out) {
  const JsonValue &value = member.second;
  out.name = member.first;
  if (!isIdentifier(out.name))
    return invalid(path, "\"" + out.name + "\" is not an identifier");
  if (Status status = expectKind(value, Kind::Object, path); !status.ok())
    return status;
  if (Status status = checkKeys(value, path, {"min", "max", "multiple_of"});
      !status.ok())
    return status;
  Status status;
  if (const JsonValue *min = value.find("min"))
    if (status =
            readInteger(*min, memberPath(path, "min"), 0, INT64_MAX, out.min);
        !status.ok())
      return status;
  if (const JsonValue *max = value.find("max"))
    if (status =
            readInteger(*max, memberPath(path, "max"), 0, INT64_MAX, out.max);
        !status.ok())
      return status;
  if (const JsonValue *multiple = value.find("multiple_of"))
    if (status = readInteger(*multiple, memberPath(path, "multiple_of"), 1,
                             INT64_MAX, out.multipleOf);
        !status.ok())
      return status;
  if (out.min > out.max)
    return invalid(path, concat("min ", out.min, " exceeds max ", out.max));
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Grid and parameters
//===----------------------------------------------------------------------===//

Status readGridFactor(const JsonValue &value, const std::string &path,
                      GridFactor &out) {
  if (value.isInteger()) {
    out.kind = GridFactor::Kind::Constant;
    return readInteger(value, path, 1, INT32_MAX, out.value);
  }
  if (value.isString()) {
    out.kind = GridFactor::Kind::Symbol;
    return readIdentifier(value, path, out.symbol);
  }
  if (value.isObject()) {
    if (Status status = checkKeys(value, path, {"ceil_div"}); !status.ok())
      return status;
    Status status;
    const JsonValue *args = requireMember(value, "ceil_div", path, status);
    if (!args)
      return status;
    std::string argsPath = memberPath(path, "ceil_div");
    if (!args->isArray() || args->getArray().size() != 2)
      return invalid(argsPath, "expected [\"symbol\", divisor]");
    out.kind = GridFactor::Kind::CeilDiv;
    if (status = readIdentifier(args->getArray()[0], elementPath(argsPath, 0),
                                out.symbol);
        !status.ok())
      return status;
    return readInteger(args->getArray()[1], elementPath(argsPath, 1), 1,
                       INT32_MAX, out.value);
  }
  return invalid(path, concat("expected a grid factor (integer, symbol name "
                              "or {\"ceil_div\": [symbol, n]}), got ",
                              JsonValue::describe(value.getKind())));
}

Status readGrid(const JsonValue &value, const std::string &path,
                std::array<std::vector<GridFactor>, 3> &out) {
  if (Status status = expectKind(value, Kind::Array, path); !status.ok())
    return status;
  if (value.getArray().size() != 3)
    return invalid(path, concat("expected 3 grid dimensions [x, y, z], got ",
                                value.getArray().size()));
  for (size_t d = 0; d < 3; ++d) {
    const JsonValue &dim = value.getArray()[d];
    std::string dimPath = elementPath(path, d);
    if (!dim.isArray()) {
      out[d].emplace_back();
      if (Status status = readGridFactor(dim, dimPath, out[d].back());
          !status.ok())
        return status;
      continue;
    }
    if (dim.getArray().empty())
      return invalid(dimPath, "a product needs at least one factor");
    for (size_t i = 0; i < dim.getArray().size(); ++i) {
      out[d].emplace_back();
      if (Status status = readGridFactor(
              dim.getArray()[i], elementPath(dimPath, i), out[d].back());
          !status.ok())
        return status;
    }
  }
  return Status::success();
}

Status readScalarType(const JsonValue &value, const std::string &path,
                      bool integerOnly, ScalarType &out) {
  std::string name;
  if (Status status = readString(value, path, name); !status.ok())
    return status;
  if (name == "i32")
    out = ScalarType::I32;
  else if (name == "i64")
    out = ScalarType::I64;
  else if (!integerOnly && name == "f32")
    out = ScalarType::F32;
  else if (!integerOnly && name == "f64")
    out = ScalarType::F64;
  else
    return invalid(
        path, "unknown type \"" + name + "\" (expected " +
                  (integerOnly ? "i32 or i64" : "i32, i64, f32, f64") + ")");
  return Status::success();
}

Status findTensor(const KernelMetadata &meta, const JsonValue &value,
                  const std::string &path, size_t &index) {
  std::string name;
  if (Status status = readString(value, path, name); !status.ok())
    return status;
  for (size_t i = 0; i < meta.tensors.size(); ++i) {
    if (meta.tensors[i].name == name) {
      index = i;
      return Status::success();
    }
  }
  return invalid(path, "no tensor named \"" + name + "\"");
}

Status readParamKind(const JsonValue &value, const std::string &path,
                     ParamSpec::Kind &out) {
  std::string name;
  if (Status status = readString(value, path, name); !status.ok())
    return status;
  if (name == "pointer")
    out = ParamSpec::Kind::Pointer;
  else if (name == "memref")
    out = ParamSpec::Kind::Memref;
  else if (name == "symbol")
    out = ParamSpec::Kind::Symbol;
  else if (name == "scalar")
    out = ParamSpec::Kind::Scalar;
  else if (name == "stride")
    out = ParamSpec::Kind::Stride;
  else
    return invalid(path, "unknown parameter kind \"" + name +
                             "\" (expected pointer, memref, symbol, scalar, "
                             "stride)");
  return Status::success();
}

Status readTensorParam(const KernelMetadata &meta, const JsonValue &value,
                       const std::string &path, ParamSpec &out) {
  Status status;
  if (out.kind == ParamSpec::Kind::Stride)
    status = checkKeys(value, path, {"kind", "tensor", "dim", "type"});
  else
    status = checkKeys(value, path, {"kind", "tensor"});
  if (!status.ok())
    return status;
  const JsonValue *tensor = requireMember(value, "tensor", path, status);
  if (!tensor)
    return status;
  if (status = findTensor(meta, *tensor, memberPath(path, "tensor"),
                          out.tensorIndex);
      !status.ok())
    return status;
  if (out.kind != ParamSpec::Kind::Stride)
    return Status::success();
  const JsonValue *dim = requireMember(value, "dim", path, status);
  if (!dim)
    return status;
  int64_t rank =
      static_cast<int64_t>(meta.tensors[out.tensorIndex].shape.size());
  int64_t dimIndex = 0;
  if (status = readInteger(*dim, memberPath(path, "dim"), 0,
                           std::max<int64_t>(rank - 1, 0), dimIndex);
      !status.ok())
    return status;
  if (rank == 0)
    return invalid(memberPath(path, "dim"), "a rank-0 tensor has no strides");
  out.dim = static_cast<size_t>(dimIndex);
  out.type = ScalarType::I64;
  if (const JsonValue *type = value.find("type"))
    return readScalarType(*type, memberPath(path, "type"), true, out.type);
  return Status::success();
}

Status readValueParam(const JsonValue &value, const std::string &path,
                      ParamSpec &out) {
  bool isSymbol = out.kind == ParamSpec::Kind::Symbol;
  Status status =
      isSymbol ? checkKeys(value, path, {"kind", "symbol", "type"})
               : checkKeys(value, path, {"kind", "name", "type", "default"});
  if (!status.ok())
    return status;
  const char *nameKey = isSymbol ? "symbol" : "name";
  const JsonValue *name = requireMember(value, nameKey, path, status);
  const JsonValue *type =
      name ? requireMember(value, "type", path, status) : nullptr;
  if (!type)
    return status;
  if (status = readIdentifier(*name, memberPath(path, nameKey), out.name);
      !status.ok())
    return status;
  if (status =
          readScalarType(*type, memberPath(path, "type"), isSymbol, out.type);
      !status.ok())
    return status;
  if (const JsonValue *defaultValue = value.find("default")) {
    if (!defaultValue->isNumber())
      return invalid(memberPath(path, "default"), "expected a number");
    out.defaultValue = defaultValue->getNumber();
  }
  return Status::success();
}

Status readParam(const KernelMetadata &meta, const JsonValue &value,
                 const std::string &path, ParamSpec &out) {
  if (Status status = expectKind(value, Kind::Object, path); !status.ok())
    return status;
  Status status;
  const JsonValue *kind = requireMember(value, "kind", path, status);
  if (!kind)
    return status;
  if (status = readParamKind(*kind, memberPath(path, "kind"), out.kind);
      !status.ok())
    return status;
  switch (out.kind) {
  case ParamSpec::Kind::Pointer:
  case ParamSpec::Kind::Memref:
  case ParamSpec::Kind::Stride:
    return readTensorParam(meta, value, path, out);
  case ParamSpec::Kind::Symbol:
  case ParamSpec::Kind::Scalar:
    return readValueParam(value, path, out);
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Cross-checks
//===----------------------------------------------------------------------===//

std::set<std::string> boundSymbols(const KernelMetadata &meta) {
  std::set<std::string> bound;
  for (const TensorSpec &tensor : meta.tensors)
    for (const DimSpec &dim : tensor.shape)
      if (dim.isSymbol())
        bound.insert(dim.symbol);
  return bound;
}

Status checkSymbolsBound(const KernelMetadata &meta) {
  std::set<std::string> bound = boundSymbols(meta);
  auto requireBound = [&](const std::string &symbol,
                          const std::string &path) -> Status {
    if (bound.count(symbol))
      return Status::success();
    return invalid(path, "symbol \"" + symbol +
                             "\" is not a dimension of any tensor, so no "
                             "launch can give its value");
  };
  for (size_t i = 0; i < meta.symbols.size(); ++i)
    if (Status status = requireBound(meta.symbols[i].name,
                                     "symbols." + meta.symbols[i].name);
        !status.ok())
      return status;
  for (size_t d = 0; d < 3; ++d)
    for (const GridFactor &factor : meta.grid[d])
      if (factor.kind != GridFactor::Kind::Constant)
        if (Status status = requireBound(factor.symbol, elementPath("grid", d));
            !status.ok())
          return status;
  for (size_t i = 0; i < meta.params.size(); ++i)
    if (meta.params[i].kind == ParamSpec::Kind::Symbol)
      if (Status status =
              requireBound(meta.params[i].name, elementPath("parameters", i));
          !status.ok())
        return status;
  return Status::success();
}

Status checkUniqueTensorNames(const KernelMetadata &meta) {
  std::set<std::string> tensorNames;
  for (size_t i = 0; i < meta.tensors.size(); ++i)
    if (!tensorNames.insert(meta.tensors[i].name).second)
      return invalid(elementPath("tensors", i),
                     "duplicate tensor name \"" + meta.tensors[i].name + "\"");
  return Status::success();
}

Status checkUniqueScalarNames(const KernelMetadata &meta) {
  std::set<std::string> scalarNames;
  for (size_t i = 0; i < meta.params.size(); ++i)
    if (meta.params[i].kind == ParamSpec::Kind::Scalar &&
        !scalarNames.insert(meta.params[i].name).second)
      return invalid(elementPath("parameters", i),
                     "duplicate scalar name \"" + meta.params[i].name + "\"");
  return Status::success();
}

/// A tensor the kernel never receives is a compiler bug, not a contract.
Status checkTensorsPassed(const KernelMetadata &meta) {
  std::vector<bool> passed(meta.tensors.size(), false);
  for (const ParamSpec &param : meta.params)
    if (param.kind == ParamSpec::Kind::Pointer ||
        param.kind == ParamSpec::Kind::Memref)
      passed[param.tensorIndex] = true;
  for (size_t i = 0; i < meta.tensors.size(); ++i)
    if (!passed[i])
      return invalid(elementPath("tensors", i),
                     "tensor \"" + meta.tensors[i].name +
                         "\" is not passed to the kernel by any pointer or "
                         "memref parameter");
  return Status::success();
}

Status checkCluster(const KernelMetadata &meta) {
  for (size_t d = 0; d < 3; ++d) {
    if (meta.cluster[d] == 1)
      continue;
    bool constantGrid = meta.grid[d].size() == 1 &&
                        meta.grid[d][0].kind == GridFactor::Kind::Constant;
    if (constantGrid && meta.grid[d][0].value % meta.cluster[d] != 0)
      return invalid(elementPath("cluster", d),
                     concat("grid dimension ", meta.grid[d][0].value,
                            " is not a multiple of the cluster dimension ",
                            meta.cluster[d]));
  }
  return Status::success();
}

Status checkCubinName(const std::string &name) {
  if (name.find('/') != std::string::npos || name == "." || name == "..")
    return invalid("cubin", "\"" + name +
                                "\" must be a file name inside the artifact "
                                "directory (no '/')");
  return Status::success();
}

Status checkHeader(const JsonValue &root) {
  Status status;
  const JsonValue *format = requireMember(root, "format", "", status);
  if (!format)
    return status;
  if (!format->isString() || format->getString() != kArtifactFormatName)
    return invalid("format", concat("expected \"", kArtifactFormatName, "\""));
  const JsonValue *version = requireMember(root, "version", "", status);
  if (!version)
    return status;
  if (!version->isInteger() || version->getInteger() != kArtifactFormatVersion)
    return invalid("version",
                   concat("this runtime reads version ", kArtifactFormatVersion,
                          " of the artifact format"));
  return Status::success();
}

Status readLaunchShape(const JsonValue &root, KernelMetadata &out) {
  Status status;
  const JsonValue *block = requireMember(root, "block", "", status);
  if (!block)
    return status;
  if (status = readTriple(*block, "block", out.block); !status.ok())
    return status;
  if (const JsonValue *cluster = root.find("cluster"))
    if (status = readTriple(*cluster, "cluster", out.cluster); !status.ok())
      return status;
  const JsonValue *grid = requireMember(root, "grid", "", status);
  if (!grid)
    return status;
  if (status = readGrid(*grid, "grid", out.grid); !status.ok())
    return status;
  if (const JsonValue *ordered = root.find("ordered_launches")) {
    if (status = expectKind(*ordered, Kind::Bool, "ordered_launches");
        !status.ok())
      return status;
    out.orderedLaunches = ordered->getBool();
  }
  if (const JsonValue *smem = root.find("dynamic_shared_memory"))
    return readInteger(*smem, "dynamic_shared_memory", 0, UINT32_MAX,
                       out.dynamicSharedMemory);
  return Status::success();
}

Status readTensors(const JsonValue &root, KernelMetadata &out) {
  Status status;
  const JsonValue *tensors = requireMember(root, "tensors", "", status);
  if (!tensors)
    return status;
  if (status = expectKind(*tensors, Kind::Array, "tensors"); !status.ok())
    return status;
  if (tensors->getArray().empty())
    return invalid("tensors", "a kernel needs at least one tensor");
  for (size_t i = 0; i < tensors->getArray().size(); ++i) {
    out.tensors.emplace_back();
    if (status = readTensor(tensors->getArray()[i], elementPath("tensors", i),
                            out.tensors.back());
        !status.ok())
      return status;
  }
  if (const JsonValue *symbols = root.find("symbols")) {
    if (status = expectKind(*symbols, Kind::Object, "symbols"); !status.ok())
      return status;
    for (const JsonValue::Member &member : symbols->getObject()) {
      out.symbols.emplace_back();
      if (status = readSymbol(member, memberPath("symbols", member.first),
                              out.symbols.back());
          !status.ok())
        return status;
    }
  }
  return Status::success();
}

Status readParams(const JsonValue &root, KernelMetadata &out) {
  Status status;
  const JsonValue *params = requireMember(root, "parameters", "", status);
  if (!params)
    return status;
  if (status = expectKind(*params, Kind::Array, "parameters"); !status.ok())
    return status;
  for (size_t i = 0; i < params->getArray().size(); ++i) {
    out.params.emplace_back();
    if (status = readParam(out, params->getArray()[i],
                           elementPath("parameters", i), out.params.back());
        !status.ok())
      return status;
  }
  return Status::success();
}

Status readDocument(const JsonValue &root, KernelMetadata &out) {
  if (!root.isObject())
    return invalid("top level", concat("expected an object, got ",
                                       JsonValue::describe(root.getKind())));
  Status status =
      checkKeys(root, "",
                {"format", "version", "entry", "target", "cubin", "block",
                 "cluster", "grid", "dynamic_shared_memory",
                 "ordered_launches", "symbols",
                 "tensors", "parameters", "info"});
  if (!status.ok() || !(status = checkHeader(root)).ok())
    return status;
  const JsonValue *entry = requireMember(root, "entry", "", status);
  const JsonValue *target =
      entry ? requireMember(root, "target", "", status) : nullptr;
  if (!target)
    return status;
  if (!(status = readIdentifier(*entry, "entry", out.entry)).ok() ||
      !(status = readString(*target, "target", out.target)).ok())
    return status;
  int major, minor;
  bool archSpecific;
  if (!parseSmTarget(out.target, major, minor, archSpecific))
    return invalid("target", "\"" + out.target +
                                 "\" is not a GPU target like \"sm_90a\"");
  if (const JsonValue *cubin = root.find("cubin"))
    if (!(status = readString(*cubin, "cubin", out.cubin)).ok() ||
        !(status = checkCubinName(out.cubin)).ok())
      return status;
  if (const JsonValue *info = root.find("info"))
    if (!(status = expectKind(*info, Kind::Object, "info")).ok())
      return status;
  if (!(status = readLaunchShape(root, out)).ok() ||
      !(status = readTensors(root, out)).ok() ||
      // Before the parameters, which refer to tensors by name.
      !(status = checkUniqueTensorNames(out)).ok() ||
      !(status = readParams(root, out)).ok() ||
      !(status = checkUniqueScalarNames(out)).ok() ||
      !(status = checkSymbolsBound(out)).ok() ||
      !(status = checkTensorsPassed(out)).ok())
    return status;
  return checkCluster(out);
}

} // namespace

const SymbolSpec *KernelMetadata::findSymbol(std::string_view name) const {
  for (const SymbolSpec &symbol : symbols)
    if (symbol.name == name)
      return &symbol;
  return nullptr;
}

Status parseKernelMetadata(std::string_view jsonText, KernelMetadata &out) {
  JsonValue root;
  JsonError error;
  if (!parseJson(jsonText, root, error))
    return makeError(S2ATTN_ERROR_ARTIFACT_PARSE,
                     "kernel.json is not valid JSON: ", error.format());
  KernelMetadata meta;
  if (Status status = readDocument(root, meta); !status.ok())
    return status;
  out = std::move(meta);
  return Status::success();
}

s2attn_dtype dtypeFromName(std::string_view name) {
  for (int32_t dtype = S2ATTN_DTYPE_F16; dtype <= S2ATTN_DTYPE_I8; ++dtype)
    if (name == s2attn_dtype_name(dtype))
      return static_cast<s2attn_dtype>(dtype);
  return S2ATTN_DTYPE_INVALID;
}

bool isKnownDtype(int32_t dtype) {
  return dtype >= S2ATTN_DTYPE_F16 && dtype <= S2ATTN_DTYPE_I8;
}

bool parseSmTarget(std::string_view target, int &major, int &minor,
                   bool &archSpecific) {
  if (target.substr(0, 3) != "sm_")
    return false;
  std::string_view rest = target.substr(3);
  archSpecific = !rest.empty() && (rest.back() == 'a' || rest.back() == 'f');
  if (archSpecific)
    rest.remove_suffix(1);
  if (rest.size() < 2 || rest.size() > 3 ||
      !std::all_of(rest.begin(), rest.end(),
                   [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  int number = std::stoi(std::string(rest));
  major = number / 10;
  minor = number % 10;
  return true;
}

} // namespace s2attn::rt
