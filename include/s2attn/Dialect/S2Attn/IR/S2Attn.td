//===- S2Attn.td - the whole s2attn dialect ----------------*- tablegen -*-===//

#ifndef S2ATTN_TD
#define S2ATTN_TD

include "s2attn/Dialect/S2Attn/IR/S2AttnBase.td"
include "s2attn/Dialect/S2Attn/IR/S2AttnAttrs.td"
include "s2attn/Dialect/S2Attn/IR/S2AttnOps.td"

#endif // S2ATTN_TD
