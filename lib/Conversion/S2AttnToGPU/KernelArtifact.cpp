//===- KernelArtifact.cpp - a compiled attention kernel for the runtime ---===//

#include "s2attn/Conversion/S2AttnToGPU/KernelArtifact.h"

#include "SpillFreeCompile.h"

#include "s2attn/Conversion/Passes.h"
#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::s2attn;

namespace {
struct TensorDescription {
  std::string name;
  std::string dtype;
  llvm::SmallVector<int64_t, 4> shape;
  bool written = false;
};

/// What the runtime needs to launch one compiled kernel (docs/artifact-format.md).
struct KernelDescription {
  std::string entry;
  std::string target;
  std::array<int64_t, 3> grid{1, 1, 1};
  std::array<int64_t, 3> block{1, 1, 1};
  std::array<int64_t, 3> cluster{1, 1, 1};
  int64_t dynamicSharedMemory = 0;
  /// The kernel module holds mutable globals (grid splits' scratch).
  bool orderedLaunches = false;
  llvm::SmallVector<TensorDescription, 5> tensors;
  /// Free-form facts about the problem (pattern, positions) for humans.
  std::string info;
  /// What ptxas reported, and the occupancy it was asked for.
  int64_t registers = 0, spillBytes = 0, residentCTAs = 0;
  /// The occupancies that spilled before, and their spill bytes.
  llvm::SmallVector<std::pair<int64_t, int64_t>, 2> spilledAt;
};

} // namespace

static std::string dtypeName(Type type) {
  if (type.isBF16())
    return "bf16";
  if (type.isF16())
    return "f16";
  if (type.isF32())
    return "f32";
  std::string text;
  llvm::raw_string_ostream(text) << type;
  return text;
}

static KernelDescription describeTensors(AttentionOp op) {
  KernelDescription kernel;
  auto describe = [&](StringRef name, Value value, bool written) {
    auto type = cast<ShapedType>(value.getType());
    kernel.tensors.push_back({name.str(), dtypeName(type.getElementType()),
                              llvm::SmallVector<int64_t, 4>(type.getShape()),
                              written});
  };
  describe("q", op.getQuery(), false);
  describe("k", op.getKey(), false);
  describe("v", op.getValue(), false);
  describe("o", op.getOutput(), true);
  if (op.getLse())
    describe("lse", op.getLse(), true);
  llvm::raw_string_ostream info(kernel.info);
  info << "pattern " << op.getPattern() << ", causal " << op.getCausal()
       << ", scale " << op.getScaleOrDefault();
  return kernel;
}

/// problem.txt: the problem in `key value` lines, so that a checker with no
/// MLIR (the GPU machine) can rebuild the reference pattern.
static std::string describeProblem(AttentionOp op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  ::s2attn::ref::ProblemShape shape = *op.getStaticProblemShape();
  ::s2attn::ref::Positions positions = *op.getStaticPositions();
  os << "batch " << shape.batch << "\nq_len " << shape.qLen << "\nkv_len "
     << shape.kvLen << "\nheads " << shape.heads << "\nkv_heads "
     << shape.kvHeads << "\nhead_dim " << shape.headDim << "\ndtype "
     << dtypeName(op.getQueryType().getElementType()) << "\ncausal "
     << op.getCausal() << "\nscale "
     << llvm::format("%.17g", op.getScaleOrDefault()) << "\nq_start "
     << positions.resolvedQStart(shape, op.getCausal()) << "\nkv_start "
     << positions.kvStart << "\nlse " << (op.getLse() ? 1 : 0) << "\n";
  Attribute pattern = op.getPattern();
  if (auto ls = dyn_cast<LocalStrideAttr>(pattern)) {
    os << "pattern local_stride\nblock " << ls.getBlock() << "\nlocal "
       << ls.getLocal() << "\nright " << ls.getRight().value_or(-1)
       << "\nstride " << ls.getStride() << "\nhead_step "
       << ls.getHeadStep().value_or(-1) << "\nhead_offset "
       << ls.getHeadOffset() << "\ndense_heads " << ls.getDenseHeads()
       << "\nhomo_head " << ls.getHomoHead() << "\nvert "
       << (ls.getVert() ? int(*ls.getVert()) : -1) << "\n";
  } else if (auto mask = dyn_cast<BlockMaskAttr>(pattern)) {
    os << "pattern block_mask\nblock " << mask.getBlock() << "\nmask_shape "
       << mask.getNumMaskHeads() << " " << mask.getNumQBlocks() << " "
       << mask.getNumKVBlocks() << "\nmask ";
    for (bool bit : mask.getMask().getValues<bool>())
      os << (bit ? '1' : '0');
    os << "\n";
  } else {
    os << "pattern dense\nblock "
       << cast<PatternAttrInterface>(pattern).getBlockSize()
       << "\n";
  }
  return text;
}

static std::optional<int64_t> constantIndex(Value value) {
  if (auto constant = value.getDefiningOp<arith::ConstantOp>())
    if (auto attr = dyn_cast<IntegerAttr>(constant.getValue()))
      return attr.getInt();
  return std::nullopt;
}

static LogicalResult describeLaunch(ModuleOp module, KernelDescription &kernel) {
  gpu::LaunchFuncOp launch;
  module.walk([&](gpu::LaunchFuncOp op) { launch = op; });
  if (!launch)
    return failure();
  kernel.entry = launch.getKernelName().str();
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  Value dims[6] = {grid.x, grid.y, grid.z, block.x, block.y, block.z};
  for (int i = 0; i < 6; ++i) {
    std::optional<int64_t> value = constantIndex(dims[i]);
    if (!value)
      return failure();
    (i < 3 ? kernel.grid[i] : kernel.block[i - 3]) = *value;
  }
  if (Value shared = launch.getDynamicSharedMemorySize())
    kernel.dynamicSharedMemory = constantIndex(shared).value_or(0);
  auto function = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
      launch, launch.getKernel());
  if (auto cluster = function->getAttrOfType<DenseI32ArrayAttr>(
          NVVM::NVVMDialect::getClusterDimAttrName()))
    for (auto [d, extent] : llvm::enumerate(cluster.asArrayRef()))
      kernel.cluster[d] = extent;
  // State a launch leaves for the next one lives in mutable globals (the
  // mgpu* entry points, without kernel.json, look for the grid splits'
  // counters instead: s2attn/Runtime/ModuleState.h).
  function->getParentOp()->walk([&](memref::GlobalOp global) {
    kernel.orderedLaunches |= !global.getConstant();
  });
  return success();
}

static void writeTriple(llvm::raw_ostream &os, const std::array<int64_t, 3> &v) {
  os << "[" << v[0] << ", " << v[1] << ", " << v[2] << "]";
}

static void writeString(llvm::raw_ostream &os, llvm::StringRef text) {
  os << '"';
  for (char c : text) {
    if (c == '"' || c == '\\')
      os << '\\' << c;
    else if (static_cast<unsigned char>(c) < 0x20)
      os << llvm::format("\\u%04x", c);
    else
      os << c;
  }
  os << '"';
}

static std::string toJson(const KernelDescription &kernel) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "{\n  \"format\": \"s2attn.kernel\",\n  \"version\": 1,\n";
  os << "  \"entry\": ";
  writeString(os, kernel.entry);
  os << ",\n  \"target\": ";
  writeString(os, kernel.target);
  os << ",\n  \"block\": ";
  writeTriple(os, kernel.block);
  if (kernel.cluster != std::array<int64_t, 3>{1, 1, 1}) {
    os << ",\n  \"cluster\": ";
    writeTriple(os, kernel.cluster);
  }
  os << ",\n  \"grid\": ";
  writeTriple(os, kernel.grid);
  os << ",\n  \"dynamic_shared_memory\": " << kernel.dynamicSharedMemory;
  if (kernel.orderedLaunches)
    os << ",\n  \"ordered_launches\": true";
  os << ",\n  \"tensors\": [\n";
  for (auto [i, tensor] : llvm::enumerate(kernel.tensors)) {
    os << "    {\"name\": ";
    writeString(os, tensor.name);
    os << ", \"dtype\": ";
    writeString(os, tensor.dtype);
    os << ", \"shape\": [";
    llvm::interleaveComma(tensor.shape, os);
    os << "]";
    if (tensor.written)
      os << ", \"access\": \"write\"";
    os << "}" << (i + 1 < kernel.tensors.size() ? "," : "") << "\n";
  }
  os << "  ],\n  \"parameters\": [\n";
  for (auto [i, tensor] : llvm::enumerate(kernel.tensors)) {
    os << "    {\"kind\": \"pointer\", \"tensor\": ";
    writeString(os, tensor.name);
    os << "}" << (i + 1 < kernel.tensors.size() ? "," : "") << "\n";
  }
  os << "  ],\n  \"info\": {\"problem\": ";
  writeString(os, kernel.info);
  os << ", \"registers\": " << kernel.registers
     << ", \"spill_bytes\": " << kernel.spillBytes
     << ", \"ctas_per_sm\": " << kernel.residentCTAs;
  if (!kernel.spilledAt.empty()) {
    os << ", \"spilled_at\": [";
    llvm::interleaveComma(kernel.spilledAt, os, [&](const auto &attempt) {
      os << "{\"ctas_per_sm\": " << attempt.first
         << ", \"spill_bytes\": " << attempt.second << "}";
    });
    os << "]";
  }
  os << "}\n}\n";
  return text;
}

FailureOr<KernelArtifact>
mlir::s2attn::compileKernelArtifact(ModuleOp module,
                                    const KernelArtifactOptions &options) {
  SmallVector<AttentionOp> ops;
  module.walk([&](AttentionOp op) { ops.push_back(op); });
  if (ops.size() != 1)
    return module.emitError("the GPU backend compiles one s2attn.attention "
                            "per module, found ")
               << ops.size(),
           failure();
  AttentionOp op = ops.front();
  if (!op.getStaticProblemShape() || !op.getStaticPositions())
    return op.emitOpError("the GPU backend needs static shapes and "
                          "positions"),
           failure();
  KernelDescription kernel = describeTensors(op);
  kernel.target = options.conversion.chip;
  KernelArtifact artifact;
  artifact.problem = describeProblem(op);

  const ConvertS2AttnToGPUOptions &conversion = options.conversion;
  FailureOr<SpillFreeCompilation> compiled = compileWithoutSpills(
      module, conversion.chip, conversion.ctasPerSM, [&](int64_t ctasPerSM) {
        ConvertS2AttnToGPUOptions trial = conversion;
        trial.ctasPerSM = ctasPerSM;
        trial.fitRegisters = false;
        return createConvertS2AttnToGPU(trial);
      });
  if (failed(compiled))
    return failure();
  GpuCompilation &kept = compiled->kept;
  if (failed(describeLaunch(*kept.converted, kernel)))
    return module.emitError("the converted module has no launch with "
                            "constant sizes"),
           failure();
  kernel.registers = kept.assembled.registers;
  kernel.spillBytes = kept.assembled.spillStoreBytes;
  kernel.residentCTAs = kept.residentCTAs;
  kernel.spilledAt = std::move(compiled->spilledAt);
  if (options.emitPtx)
    artifact.ptx = std::move(kept.ptx);
  artifact.cubin = std::move(kept.assembled.cubin);
  artifact.json = toJson(kernel);
  artifact.entry = kernel.entry;
  artifact.grid = kernel.grid;
  artifact.block = kernel.block;
  artifact.cluster = kernel.cluster;
  artifact.dynamicSharedMemory = kernel.dynamicSharedMemory;
  artifact.registers = kernel.registers;
  artifact.spillBytes = kernel.spillBytes;
  artifact.residentCTAs = kernel.residentCTAs;
  artifact.spilledAt = kernel.spilledAt;
  return artifact;
}
