//===- EntryPoint.cpp - the problem an entry function computes ------------===//

#include "EntryPoint.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/SymbolTable.h"

#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"

using namespace mlir;
using namespace s2run;

namespace attn = mlir::s2attn;

namespace {

constexpr const char *kArgumentRoles[] = {"q", "k", "v", "out", "lse"};

std::optional<ElementType> toElementType(Type type) {
  if (type.isF32())
    return ElementType::F32;
  if (type.isF16())
    return ElementType::F16;
  if (type.isBF16())
    return ElementType::BF16;
  return std::nullopt;
}

/// Every argument must be a memref the runner can allocate on the host:
/// static shape, identity layout.
LogicalResult checkArgumentTypes(func::FuncOp function) {
  FunctionType type = function.getFunctionType();
  if (type.getNumResults() != 0)
    return function.emitError("entry @")
           << function.getSymName()
           << " must return nothing (it writes out and lse), got "
           << type.getNumResults() << " results";
  if (type.getNumInputs() != 4 && type.getNumInputs() != 5)
    return function.emitError("entry @")
           << function.getSymName()
           << " must take 4 or 5 memref arguments (q, k, v, out[, lse]), got "
           << type.getNumInputs();
  for (auto [index, input] : llvm::enumerate(type.getInputs())) {
    auto memref = dyn_cast<MemRefType>(input);
    if (!memref || !memref.hasStaticShape() || !memref.getLayout().isIdentity())
      return function.emitError("entry @")
             << function.getSymName() << " argument " << index << " ("
             << kArgumentRoles[index]
             << ") must be a memref with a static shape and the identity "
                "layout, got "
             << input;
  }
  return success();
}

FailureOr<attn::AttentionOp> findSingleAttention(func::FuncOp function) {
  SmallVector<attn::AttentionOp> ops;
  function.walk([&](attn::AttentionOp op) { ops.push_back(op); });
  if (ops.size() != 1)
    return function.emitError("entry @")
           << function.getSymName()
           << " must contain exactly one s2attn.attention, found "
           << ops.size();
  return ops.front();
}

/// The op must compute on the entry's arguments directly, or the shapes and
/// the reference would describe a different problem.
LogicalResult checkOperandsAreArguments(func::FuncOp function,
                                        attn::AttentionOp op) {
  SmallVector<Value> operands = {op.getQuery(), op.getKey(), op.getValue(),
                                 op.getOutput()};
  if (op.getLse())
    operands.push_back(op.getLse());
  if (operands.size() != function.getNumArguments())
    return op.emitError("s2-run calls @")
           << function.getSymName() << " with " << function.getNumArguments()
           << " arguments, so the op must take the same number of "
              "operands (q, k, v, out"
           << (function.getNumArguments() == 5 ? ", lse" : "") << "), got "
           << operands.size();
  for (auto [index, operand] : llvm::enumerate(operands))
    if (operand != function.getArgument(index))
      return op.emitError("operand ")
             << kArgumentRoles[index] << " must be argument " << index
             << " of @" << function.getSymName()
             << " so that s2-run knows what it computes";
  if (op.getQStart() || op.getKvStart())
    return op.emitError("s2-run needs static positions: give q_start and "
                        "kv_start as integers, not SSA values");
  return success();
}

} // namespace

FailureOr<EntryProblem> s2run::inspectEntry(func::FuncOp function) {
  if (failed(checkArgumentTypes(function)))
    return failure();
  FailureOr<attn::AttentionOp> op = findSingleAttention(function);
  if (failed(op) || failed(checkOperandsAreArguments(function, *op)))
    return failure();

  EntryProblem problem;
  problem.entryName = function.getSymName().str();
  // The verifier accepted the op, and every shape is static.
  problem.shape = *op->getStaticProblemShape();
  problem.positions = *op->getStaticPositions();
  problem.elementType = *toElementType(op->getQueryType().getElementType());
  problem.causal = op->getCausal();
  problem.scale = op->getScaleOrDefault();
  problem.hasLse = static_cast<bool>(op->getLse());
  problem.pattern = op->getPattern().buildReference(op->getPatternContext());
  return problem;
}

std::string s2run::listDefinedFunctions(ModuleOp module) {
  std::string names;
  for (auto function : module.getOps<func::FuncOp>())
    if (!function.isExternal())
      names += (names.empty() ? "@" : ", @") + function.getSymName().str();
  return names.empty() ? "none" : names;
}

void s2run::pruneToEntry(ModuleOp module, func::FuncOp entry) {
  bool erased = true;
  while (erased) {
    erased = false;
    for (auto function :
         llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (function == entry ||
          !SymbolTable::symbolKnownUseEmpty(function, module))
        continue;
      function.erase();
      erased = true;
    }
  }
}

void s2run::requestCInterface(ModuleOp module, StringRef entryName) {
  if (auto function = module.lookupSymbol<func::FuncOp>(entryName))
    function->setAttr("llvm.emit_c_interface",
                      UnitAttr::get(module.getContext()));
}
