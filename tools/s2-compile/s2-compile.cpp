//===- s2-compile.cpp - compile S2 attention into a GPU kernel artifact ---===//
//
// Turns an .mlir function holding one s2attn.attention on static memrefs into
// DIR/kernel.cubin, DIR/kernel.json (docs/artifact-format.md) and, with
// --emit-ptx, DIR/kernel.ptx. The runtime library loads such a directory on a
// machine with no MLIR.
//
//===----------------------------------------------------------------------===//

#include "ArtifactWriter.h"

#include "s2attn/Conversion/Passes.h"
#include "s2attn/Conversion/Pipelines.h"
#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace s2compile;

static llvm::cl::OptionCategory category("s2-compile options");
static llvm::cl::opt<std::string>
    inputFile(llvm::cl::Positional,
              llvm::cl::desc("<input .mlir: a function with one "
                             "s2attn.attention on static memrefs>"),
              llvm::cl::Required, llvm::cl::cat(category));
static llvm::cl::opt<std::string>
    outputDir("o", llvm::cl::desc("Directory to write the artifact into"),
              llvm::cl::value_desc("DIR"), llvm::cl::Required,
              llvm::cl::cat(category));
static llvm::cl::opt<std::string>
    chip("chip", llvm::cl::desc("GPU to compile for: sm_80 or sm_90a"),
         llvm::cl::init("sm_90a"), llvm::cl::cat(category));
static llvm::cl::opt<std::string> schedule(
    "schedule",
    llvm::cl::desc("Row schedule: auto, exact (constant CSR) or closed-form"),
    llvm::cl::init("auto"), llvm::cl::cat(category));
static llvm::cl::opt<bool>
    emitPtx("emit-ptx", llvm::cl::desc("Also write kernel.ptx"),
            llvm::cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "s2-compile: error: " << message << "\n";
  return 1;
}

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

static KernelDescription describeTensors(mlir::s2attn::AttentionOp op) {
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
static std::string describeProblem(mlir::s2attn::AttentionOp op) {
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
  if (auto ls = dyn_cast<mlir::s2attn::LocalStrideAttr>(pattern)) {
    os << "pattern local_stride\nblock " << ls.getBlock() << "\nlocal "
       << ls.getLocal() << "\nright " << ls.getRight().value_or(-1)
       << "\nstride " << ls.getStride() << "\nhead_step "
       << ls.getHeadStep().value_or(-1) << "\nhead_offset "
       << ls.getHeadOffset() << "\ndense_heads " << ls.getDenseHeads()
       << "\nhomo_head " << ls.getHomoHead() << "\nvert "
       << (ls.getVert() ? int(*ls.getVert()) : -1) << "\n";
  } else if (auto mask = dyn_cast<mlir::s2attn::BlockMaskAttr>(pattern)) {
    os << "pattern block_mask\nblock " << mask.getBlock() << "\nmask_shape "
       << mask.getNumMaskHeads() << " " << mask.getNumQBlocks() << " "
       << mask.getNumKVBlocks() << "\nmask ";
    for (bool bit : mask.getMask().getValues<bool>())
      os << (bit ? '1' : '0');
    os << "\n";
  } else {
    os << "pattern dense\nblock "
       << cast<mlir::s2attn::PatternAttrInterface>(pattern).getBlockSize()
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
  return success();
}

static FailureOr<std::string> lowerToBinary(ModuleOp module,
                                            StringRef format) {
  PassManager pm(module.getContext());
  gpu::GPUToNVVMPipelineOptions options;
  options.cubinChip = chip;
  options.cubinFeatures = "+ptx80";
  options.cubinFormat = format.str();
  options.kernelUseBarePtrCallConv = true;
  gpu::buildLowerToNVVMPassPipeline(pm, options);
  if (failed(pm.run(module)))
    return failure();
  std::string bytes;
  module.walk([&](gpu::BinaryOp binary) {
    auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
    bytes = object.getObject().str();
  });
  if (bytes.empty())
    return failure();
  return bytes;
}

static LogicalResult writeFile(StringRef name, StringRef contents) {
  SmallString<256> path(outputDir);
  llvm::sys::path::append(path, name);
  std::string error;
  auto file = openOutputFile(path, &error);
  if (!file) {
    llvm::errs() << "s2-compile: error: " << error << "\n";
    return failure();
  }
  file->os() << contents;
  file->keep();
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::HideUnrelatedOptions(category);
  llvm::cl::ParseCommandLineOptions(
      argc, argv, "s2-compile: S2 attention -> cubin + kernel.json\n");
  if (chip != "sm_80" && chip != "sm_90a")
    return fail("--chip " + chip + " is not supported; expected sm_80 or "
                "sm_90a");

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<mlir::s2attn::S2AttnDialect>();
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFile, sourceMgr, &context);
  if (!module)
    return fail("could not parse " + inputFile);

  SmallVector<mlir::s2attn::AttentionOp> ops;
  module->walk([&](mlir::s2attn::AttentionOp op) { ops.push_back(op); });
  if (ops.size() != 1)
    return fail(inputFile + " must hold exactly one s2attn.attention, found " +
                llvm::Twine(ops.size()));
  KernelDescription kernel = describeTensors(ops.front());
  if (!ops.front().getStaticProblemShape() ||
      !ops.front().getStaticPositions())
    return fail("the GPU backend needs static shapes and positions");
  std::string problem = describeProblem(ops.front());
  kernel.target = chip;

  PassManager convert(&context);
  mlir::s2attn::ConvertS2AttnToGPUOptions conversion;
  conversion.chip = chip;
  conversion.schedule = schedule;
  convert.addPass(mlir::s2attn::createConvertS2AttnToGPU(conversion));
  if (failed(convert.run(*module)))
    return 1;
  if (failed(describeLaunch(*module, kernel)))
    return fail("the converted module has no launch with constant sizes");

  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return fail("cannot create " + outputDir + ": " + ec.message());
  if (emitPtx) {
    OwningOpRef<ModuleOp> copy(module->clone());
    FailureOr<std::string> ptx = lowerToBinary(*copy, "isa");
    if (failed(ptx) || failed(writeFile("kernel.ptx", *ptx)))
      return fail("PTX generation failed");
  }
  FailureOr<std::string> cubin = lowerToBinary(*module, "bin");
  if (failed(cubin))
    return fail("cubin generation failed (is CUDA_HOME set and ptxas there?)");
  if (failed(writeFile("kernel.cubin", *cubin)) ||
      failed(writeFile("kernel.json", toJson(kernel))) ||
      failed(writeFile("problem.txt", problem)))
    return 1;
  llvm::outs() << "s2-compile: wrote " << outputDir << "/kernel.{cubin,json}"
               << (emitPtx ? " and kernel.ptx" : "") << " (entry "
               << kernel.entry << ", grid " << kernel.grid[0] << "x"
               << kernel.grid[1] << "x" << kernel.grid[2] << ", "
               << kernel.block[0] << " threads, " << kernel.dynamicSharedMemory
               << " bytes of shared memory)\n";
  return 0;
}
