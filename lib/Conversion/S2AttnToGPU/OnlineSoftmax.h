//===- OnlineSoftmax.h - the softmax of a row walk in registers -*- C++ -*-===//
//
// FlashAttention-2's online softmax on mma.sync accumulator fragments: each
// thread holds two query rows (8 apart) of every 16x8 tile, and the four
// lanes of a quad share them. Scores and the running max stay unscaled and
// the exponentials are base 2.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_ONLINESOFTMAX_H
#define S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_ONLINESOFTMAX_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::s2attn {

/// Row statistics and the output accumulator carried across key chunks.
struct SoftmaxState {
  Value max[2], sum[2];
  SmallVector<Value> output;

  /// No key seen yet: max -inf, sum 0 and `outputTiles` zero tiles.
  static SoftmaxState initial(ImplicitLocOpBuilder &b, int64_t outputTiles);
  SmallVector<Value> flatten() const;
  static SoftmaxState unflatten(ValueRange values);
};

/// Element `i` of an accumulator tile (vector<4xf32>).
Value element(ImplicitLocOpBuilder &b, Value tile, int64_t i);

/// Max (or sum) over the four lanes of a quad.
Value quadReduce(ImplicitLocOpBuilder &b, Value value, bool isMax);

/// One MUFU.EX2 (ex2.approx.ftz).
Value exp2(ImplicitLocOpBuilder &b, Value x);

/// lg2.approx.f32 (error within 2^-22, absolute on [0.5, 2], relative
/// elsewhere): the LSE needs no more, and math.log2 would lower to a
/// libdevice call, which leaves the PTX unassemblable where the toolkit's
/// libdevice is not found.
Value log2(ImplicitLocOpBuilder &b, Value x);

/// x * y + z rounded once (fma.rn.f32). math.fma would lower to libdevice's
/// __nv_fmaf, with the same PTX where libdevice is linked.
Value fma(ImplicitLocOpBuilder &b, Value x, Value y, Value z);

/// Rescales and accumulates one chunk's probabilities into `state`;
/// returns P per score tile. `log2Scale` is scale * log2(e). A `fresh`
/// state is SoftmaxState::initial's, which needs no rescale: its max and
/// sum are replaced and its O tiles stay zero.
SmallVector<Value> updateSoftmax(ImplicitLocOpBuilder &b, SoftmaxState &state,
                                 ArrayRef<Value> scores, Value log2Scale,
                                 bool fresh = false);

} // namespace mlir::s2attn

#endif // S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_ONLINESOFTMAX_H
