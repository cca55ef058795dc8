//===- BufferizableOpInterfaceImpl.h - s2attn bufferization -----*- C++ -*-===//

#ifndef S2ATTN_DIALECT_S2ATTN_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
#define S2ATTN_DIALECT_S2ATTN_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::s2attn {
/// Makes s2attn.attention and s2attn.scheduled_attention bufferizable by
/// One-Shot Bufferize (destination style: each result is written into the
/// buffer of its `outs` operand).
void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry);
} // namespace mlir::s2attn

#endif // S2ATTN_DIALECT_S2ATTN_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
