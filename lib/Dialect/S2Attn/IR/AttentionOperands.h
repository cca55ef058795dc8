//===- AttentionOperands.h - rules shared by the attention ops --*- C++ -*-===//
//
// s2attn.attention and s2attn.scheduled_attention take the same operands and
// results; one verifier and one effects model serve both.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_LIB_DIALECT_S2ATTN_IR_ATTENTIONOPERANDS_H
#define S2ATTN_LIB_DIALECT_S2ATTN_IR_ATTENTIONOPERANDS_H

#include "mlir/IR/Operation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::s2attn {

/// Tensors or memrefs throughout; Q/out [batch, q_len, heads, head_dim], K/V
/// [batch, kv_len, kv_heads, head_dim] with static heads and head_dim; f16,
/// bf16 or f32 everywhere; lse f32 [batch, heads, q_len]; results mirror the
/// outputs on tensors and are absent on memrefs. Messages say what is wrong
/// and what would be right.
LogicalResult verifyAttentionOperands(Operation *op, Value query, Value key,
                                      Value value, Value output, Value lse,
                                      ValueRange results);

/// Reads of the inputs and writes of the outputs, on memrefs only.
void addDestinationStyleEffects(
    Operation *op,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects);

/// Whether two dimension sizes are both static and differ.
bool dimsConflict(int64_t lhs, int64_t rhs);

} // namespace mlir::s2attn

#endif // S2ATTN_LIB_DIALECT_S2ATTN_IR_ATTENTIONOPERANDS_H
