//===- OnlineSoftmax.cpp - the softmax of a row walk in registers ---------===//

#include "OnlineSoftmax.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

#include <limits>

using namespace mlir;
using namespace mlir::s2attn;

Value mlir::s2attn::element(ImplicitLocOpBuilder &b, Value tile, int64_t i) {
  return vector::ExtractOp::create(b, tile, ArrayRef<int64_t>{i});
}

SoftmaxState SoftmaxState::initial(ImplicitLocOpBuilder &b,
                                   int64_t outputTiles) {
  SoftmaxState state;
  Value minusInf = arith::ConstantOp::create(
      b, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
  state.max[0] = state.max[1] = minusInf;
  state.sum[0] = state.sum[1] = zero;
  Value zeroTile = arith::ConstantOp::create(
      b, DenseElementsAttr::get(VectorType::get({4}, b.getF32Type()), 0.0f));
  state.output.assign(outputTiles, zeroTile);
  return state;
}

SmallVector<Value> SoftmaxState::flatten() const {
  SmallVector<Value> values = {max[0], max[1], sum[0], sum[1]};
  values.append(output.begin(), output.end());
  return values;
}

SoftmaxState SoftmaxState::unflatten(ValueRange values) {
  SoftmaxState state;
  state.max[0] = values[0];
  state.max[1] = values[1];
  state.sum[0] = values[2];
  state.sum[1] = values[3];
  state.output.assign(values.begin() + 4, values.end());
  return state;
}

Value mlir::s2attn::quadReduce(ImplicitLocOpBuilder &b, Value value, bool isMax) {
  // The four lanes of a quad hold the same rows of an mma.sync tile.
  for (int32_t offset : {1, 2}) {
    Value other = gpu::ShuffleOp::create(b, value, offset, /*width=*/32,
                                         gpu::ShuffleMode::XOR)
                      .getShuffleResult();
    value = isMax ? Value(arith::MaximumFOp::create(b, value, other))
                  : Value(arith::AddFOp::create(b, value, other));
  }
  return value;
}

Value mlir::s2attn::exp2(ImplicitLocOpBuilder &b, Value x) {
  // One MUFU.EX2; ex2.approx.ftz maps -inf to +0, which masked scores need.
  return LLVM::CallIntrinsicOp::create(
             b, b.getF32Type(), b.getStringAttr("llvm.nvvm.ex2.approx.ftz.f"),
             ValueRange{x})
      .getResult(0);
}

Value mlir::s2attn::log2(ImplicitLocOpBuilder &b, Value x) {
  return LLVM::CallIntrinsicOp::create(
             b, b.getF32Type(), b.getStringAttr("llvm.nvvm.lg2.approx.f"),
             ValueRange{x})
      .getResult(0);
}

Value mlir::s2attn::fma(ImplicitLocOpBuilder &b, Value x, Value y, Value z) {
  return LLVM::FMAOp::create(b, x, y, z);
}

/// Rescales and accumulates the chunk's probabilities; returns P per tile.
/// Scores and the running max stay unscaled: p = exp2(s * c - max * c) is one
/// FFMA and one MUFU.EX2 per score, with c = scale * log2(e).
SmallVector<Value> mlir::s2attn::updateSoftmax(ImplicitLocOpBuilder &b,
                                               SoftmaxState &state,
                                               ArrayRef<Value> scores,
                                               Value log2Scale, bool fresh) {
  // A fresh state's max is the constant -inf of SoftmaxState::initial: its
  // O tiles are then zero and need no rescale.
  assert((!fresh || llvm::all_of(state.max, [](Value max) {
            FloatAttr value;
            return matchPattern(max, m_Constant(&value)) &&
                   value.getValue().isNegInfinity();
          })) &&
         "updateSoftmax(fresh) takes SoftmaxState::initial's state");
  Type f32 = b.getF32Type();
  Value minusInf = arith::ConstantOp::create(
      b, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
  Value newMax[2], negShift[2], correction[2];
  for (int half = 0; half < 2; ++half) {
    Value rowMax = minusInf;
    for (Value tile : scores)
      for (int64_t i = 2 * half; i < 2 * half + 2; ++i)
        rowMax = arith::MaximumFOp::create(b, rowMax, element(b, tile, i));
    rowMax = quadReduce(b, rowMax, /*isMax=*/true);
    newMax[half] =
        fresh ? rowMax : arith::MaximumFOp::create(b, state.max[half], rowMax);
    // A row that has seen only masked keys keeps max -inf; shifting by 0
    // instead keeps exp2 at 0 rather than NaN.
    Value allMasked = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ,
                                            newMax[half], minusInf);
    Value shift = arith::SelectOp::create(
        b, allMasked, zero, arith::MulFOp::create(b, newMax[half], log2Scale));
    negShift[half] = arith::NegFOp::create(b, shift);
    if (!fresh)
      correction[half] =
          exp2(b, fma(b, state.max[half], log2Scale, negShift[half]));
  }
  SmallVector<Value> probabilities;
  Value rowSum[2] = {zero, zero};
  for (Value tile : scores) {
    SmallVector<Value, 4> p;
    for (int64_t i = 0; i < 4; ++i) {
      Value value =
          exp2(b, fma(b, element(b, tile, i), log2Scale, negShift[i / 2]));
      rowSum[i / 2] = arith::AddFOp::create(b, rowSum[i / 2], value);
      p.push_back(value);
    }
    probabilities.push_back(
        vector::FromElementsOp::create(b, VectorType::get({4}, f32), p));
  }
  for (int half = 0; half < 2; ++half) {
    state.sum[half] =
        fresh ? rowSum[half]
              : arith::AddFOp::create(
                    b,
                    arith::MulFOp::create(b, state.sum[half], correction[half]),
                    rowSum[half]);
    state.max[half] = newMax[half];
  }
  if (fresh)
    return probabilities;
  Value scale = vector::FromElementsOp::create(
      b, VectorType::get({4}, f32),
      ValueRange{correction[0], correction[0], correction[1], correction[1]});
  for (Value &tile : state.output)
    tile = arith::MulFOp::create(b, tile, scale);
  return probabilities;
}

