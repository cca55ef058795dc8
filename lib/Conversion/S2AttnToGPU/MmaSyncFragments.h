//===- MmaSyncFragments.h - ldmatrix/mma.sync m16n8k16 fragments -*- C++ -*-=//
//
// The warp-level matrix strategy of the Ampere-class backend. Fragment
// layouts are those of PTX's mma.m16n8k16 (row-major A, column-major B):
// lane l holds rows l/4 and l/4 + 8 and column pair 2 * (l % 4) of each
// 16x8 accumulator tile.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_MMASYNCFRAGMENTS_H
#define S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_MMASYNCFRAGMENTS_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <array>

namespace mlir::s2attn {

/// Operand registers of one m16n8k16 A (4) or B (2) fragment.
using AFragment = std::array<Value, 4>;
using BFragment = std::array<Value, 2>;

class MmaSyncFragments {
public:
  MmaSyncFragments(ImplicitLocOpBuilder &b, Type elementType, Value lane)
      : b(b), elementType(elementType), lane(lane) {}

  /// The A fragment of rows [row0, row0 + 16) and columns [col0, col0 + 16)
  /// of a swizzled row-major shared tile.
  AFragment loadA(Value tile, Value row0, int64_t col0);
  /// B fragments for S = A * tile^T: rows [row0, row0 + 8) of the tile are
  /// the 8 columns of B, columns [col0, col0 + 32) its two k16 steps.
  std::array<BFragment, 2> loadBTransposedTile(Value tile, int64_t row0,
                                               int64_t col0);
  /// B fragments for O = P * tile: rows [row0, row0 + 16) are the k16 step,
  /// columns [col0, col0 + 16) two n8 tiles.
  std::array<BFragment, 2> loadB(Value tile, int64_t row0, int64_t col0);

  /// D = A * B + C on a vector<4xf32> accumulator.
  Value mma(const AFragment &a, const BFragment &bFrag, Value c);

  /// An A fragment from f32 values in accumulator layout: (c0, c1) of tile
  /// 2k and 2k+1 give the k16 step k of P (FlashAttention-2's register reuse).
  AFragment packA(Value lowTile, Value highTile);

  /// The swizzled column of 16-byte chunk `chunk` in row `row`.
  Value swizzledColumn(Value row, Value chunk);
  /// The same for chunk `firstChunk` (a constant) plus `laneChunk` (null for
  /// 0), which keeps it within firstChunk's group of 8. The swizzle permutes
  /// chunks within each group, so the group's offset stays a constant and a
  /// row's 8 swizzled offsets serve all its groups.
  Value swizzledColumn(Value row, int64_t firstChunk, Value laneChunk = {});

private:
  Value operandFromPair(Value pair);
  std::array<Value, 4> ldmatrix(Value tile, Value row, Value col,
                                bool transpose);
  Value packPair(Value x, Value y);

  ImplicitLocOpBuilder &b;
  Type elementType;
  Value lane;
};

} // namespace mlir::s2attn

#endif // S2ATTN_LIB_CONVERSION_S2ATTNTOGPU_MMASYNCFRAGMENTS_H
