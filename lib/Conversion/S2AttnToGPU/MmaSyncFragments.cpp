//===- MmaSyncFragments.cpp - ldmatrix/mma.sync m16n8k16 fragments --------===//

#include "MmaSyncFragments.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::s2attn;

static Value indexConstant(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

Value MmaSyncFragments::swizzledColumn(Value row, Value chunk) {
  // XOR-ing the 16-byte chunk with the row modulo 8 spreads the 8 row
  // addresses of every ldmatrix over all 32 banks.
  Value rowMod8 = arith::AndIOp::create(b, row, indexConstant(b, 7));
  Value swizzled = arith::XOrIOp::create(b, chunk, rowMod8);
  return arith::MulIOp::create(b, swizzled, indexConstant(b, 8));
}

Value MmaSyncFragments::swizzledColumn(Value row, int64_t firstChunk,
                                       Value laneChunk) {
  Value inGroup = indexConstant(b, firstChunk % 8);
  if (laneChunk)
    inGroup = arith::AddIOp::create(b, inGroup, laneChunk);
  return arith::AddIOp::create(b, indexConstant(b, 64 * (firstChunk / 8)),
                               swizzledColumn(row, inGroup));
}

std::array<Value, 4> MmaSyncFragments::ldmatrix(Value tile, Value row,
                                                Value col, bool transpose) {
  auto fragmentType = VectorType::get({4, 2}, elementType);
  Value loaded = nvgpu::LdMatrixOp::create(b, fragmentType, tile,
                                           ValueRange{row, col},
                                           b.getBoolAttr(transpose),
                                           b.getI32IntegerAttr(4));
  std::array<Value, 4> registers;
  for (int64_t i = 0; i < 4; ++i)
    registers[i] = operandFromPair(
        vector::ExtractOp::create(b, loaded, ArrayRef<int64_t>{i}));
  return registers;
}

Value MmaSyncFragments::operandFromPair(Value pair) {
  // nvvm.mma.sync takes f16 pairs as vector<2xf16> but bf16 pairs as i32.
  if (elementType.isF16())
    return pair;
  auto packed = vector::BitCastOp::create(
      b, VectorType::get({1}, b.getI32Type()), pair);
  return vector::ExtractOp::create(b, packed, ArrayRef<int64_t>{0});
}

AFragment MmaSyncFragments::loadA(Value tile, Value row0, int64_t col0) {
  Value row = arith::AddIOp::create(
      b, row0, arith::RemUIOp::create(b, lane, indexConstant(b, 16)));
  Value chunk = arith::AddIOp::create(
      b, indexConstant(b, col0 / 8),
      arith::DivUIOp::create(b, lane, indexConstant(b, 16)));
  std::array<Value, 4> regs =
      ldmatrix(tile, row, swizzledColumn(row, chunk), /*transpose=*/false);
  return {regs[0], regs[1], regs[2], regs[3]};
}

std::array<BFragment, 2>
MmaSyncFragments::loadBTransposedTile(Value tile, int64_t row0, int64_t col0) {
  Value row = arith::AddIOp::create(
      b, indexConstant(b, row0),
      arith::RemUIOp::create(b, lane, indexConstant(b, 8)));
  Value chunk = arith::AddIOp::create(
      b, indexConstant(b, col0 / 8),
      arith::DivUIOp::create(b, lane, indexConstant(b, 8)));
  std::array<Value, 4> regs =
      ldmatrix(tile, row, swizzledColumn(row, chunk), /*transpose=*/false);
  return {BFragment{regs[0], regs[1]}, BFragment{regs[2], regs[3]}};
}

std::array<BFragment, 2> MmaSyncFragments::loadB(Value tile, int64_t row0,
                                                 int64_t col0) {
  Value matrix = arith::DivUIOp::create(b, lane, indexConstant(b, 8));
  Value rowInMatrix = arith::RemUIOp::create(b, lane, indexConstant(b, 8));
  Value upperHalf = arith::MulIOp::create(
      b, arith::RemUIOp::create(b, matrix, indexConstant(b, 2)),
      indexConstant(b, 8));
  Value row = arith::AddIOp::create(
      b, indexConstant(b, row0),
      arith::AddIOp::create(b, rowInMatrix, upperHalf));
  Value chunk = arith::AddIOp::create(
      b, indexConstant(b, col0 / 8),
      arith::DivUIOp::create(b, matrix, indexConstant(b, 2)));
  std::array<Value, 4> regs =
      ldmatrix(tile, row, swizzledColumn(row, chunk), /*transpose=*/true);
  return {BFragment{regs[0], regs[1]}, BFragment{regs[2], regs[3]}};
}

Value MmaSyncFragments::mma(const AFragment &a, const BFragment &bFrag,
                            Value c) {
  Type f32 = b.getF32Type();
  auto structType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  SmallVector<Value, 4> accumulators;
  for (int64_t i = 0; i < 4; ++i)
    accumulators.push_back(
        vector::ExtractOp::create(b, c, ArrayRef<int64_t>{i}));
  NVVM::MMATypes operandType = elementType.isF16() ? NVVM::MMATypes::f16
                                                   : NVVM::MMATypes::bf16;
  Value result = NVVM::MmaOp::create(
      b, structType, ValueRange(a), ValueRange(bFrag), accumulators,
      ArrayRef<int64_t>{16, 8, 16}, std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{operandType, operandType},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value, 4> elements;
  for (int64_t i = 0; i < 4; ++i)
    elements.push_back(LLVM::ExtractValueOp::create(b, result, i));
  return vector::FromElementsOp::create(b, VectorType::get({4}, f32),
                                        elements);
}

Value MmaSyncFragments::packPair(Value x, Value y) {
  Value lo = arith::TruncFOp::create(b, elementType, x);
  Value hi = arith::TruncFOp::create(b, elementType, y);
  Value pair = vector::FromElementsOp::create(
      b, VectorType::get({2}, elementType), ValueRange{lo, hi});
  return operandFromPair(pair);
}

AFragment MmaSyncFragments::packA(Value lowTile, Value highTile) {
  auto element = [&](Value tile, int64_t i) -> Value {
    return vector::ExtractOp::create(b, tile, ArrayRef<int64_t>{i});
  };
  return {packPair(element(lowTile, 0), element(lowTile, 1)),
          packPair(element(lowTile, 2), element(lowTile, 3)),
          packPair(element(highTile, 0), element(highTile, 1)),
          packPair(element(highTile, 2), element(highTile, 3))};
}
