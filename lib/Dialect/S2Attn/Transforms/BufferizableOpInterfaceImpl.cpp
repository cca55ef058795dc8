//===- BufferizableOpInterfaceImpl.cpp - s2attn bufferization -------------===//
//
// Both attention ops are destination style: the output (and LSE) results
// are written into the buffers of their `outs` operands, inputs are only
// read, and outputs are only written, never read (every row of every head
// is stored), so One-Shot Bufferize need not copy an `outs` tensor's
// contents.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Dialect/S2Attn/Transforms/BufferizableOpInterfaceImpl.h"
#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;
using namespace mlir::s2attn;

namespace {

template <typename OpTy>
struct AttentionOpInterface
    : public DstBufferizableOpInterfaceExternalModel<AttentionOpInterface<OpTy>,
                                                     OpTy> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &state) const {
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&operand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto dpsOp = cast<DestinationStyleOpInterface>(op);
    SmallVector<Value> operands;
    SmallVector<Value> outputBuffers;
    for (OpOperand &operand : op->getOpOperands()) {
      Value value = operand.get();
      if (!isa<TensorType>(value.getType())) {
        operands.push_back(value);
        continue;
      }
      FailureOr<Value> buffer = getBuffer(rewriter, value, options, state);
      if (failed(buffer))
        return failure();
      operands.push_back(*buffer);
      if (dpsOp.isDpsInit(&operand))
        outputBuffers.push_back(*buffer);
    }
    // The memref form has the same operands and attributes and no results.
    rewriter.setInsertionPoint(op);
    OperationState newState(op->getLoc(), op->getName());
    newState.addOperands(operands);
    newState.propertiesAttr = op->getPropertiesAsAttribute();
    newState.addAttributes(llvm::to_vector(op->getDiscardableAttrs()));
    rewriter.create(newState);
    replaceOpWithBufferizedValues(rewriter, op, outputBuffers);
    return success();
  }
};

} // namespace

void mlir::s2attn::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, S2AttnDialect *dialect) {
    AttentionOp::attachInterface<AttentionOpInterface<AttentionOp>>(*context);
    ScheduledAttentionOp::attachInterface<
        AttentionOpInterface<ScheduledAttentionOp>>(*context);
  });
}
