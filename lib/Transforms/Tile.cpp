//===- Tile.cpp - scheduled attention becomes a parallel loop nest --------===//
//
// One parallel iteration per (batch, query head, query tile) walks the key
// blocks of its schedule row with an online softmax in base 2. The running
// statistics, the accumulator and f32 copies of the current blocks live in
// per-iteration scratch buffers, so the walk can be split into several
// loops (unmasked entries, masked entries, stripes, window) that carry no
// values.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"
#include "s2attn/Transforms/Passes.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

namespace mlir::s2attn {
#define GEN_PASS_DEF_S2ATTNTILE
#include "s2attn/Transforms/Passes.h.inc"
} // namespace mlir::s2attn

using namespace mlir;
using namespace mlir::s2attn;

namespace ref = ::s2attn::ref;

namespace {

/// f32 lanes of all vector accumulators live at once: 64 lanes are 8 AVX2
/// or 4 AVX-512 registers, which leaves room for the FMA operands.
constexpr int64_t kMaxLanes = 64;
/// Query rows updated together: each key (or value) vector loaded from the
/// scratch block feeds this many FMAs instead of one.
constexpr int64_t kRowGroup = 4;
// Blocks (and so query tiles) are powers of two >= 16.
static_assert(16 % kRowGroup == 0, "row groups must tile every block");

/// The largest power of two <= maxLanes that divides `size`.
int64_t chunkLanes(int64_t size, int64_t maxLanes) {
  int64_t lanes = 1;
  while (lanes * 2 <= maxLanes && size % (lanes * 2) == 0)
    lanes *= 2;
  return lanes;
}

/// Emits the loop nest of one s2attn.scheduled_attention on memrefs.
class TileEmitter {
public:
  TileEmitter(ImplicitLocOpBuilder &b, ScheduledAttentionOp op)
      : b(b), op(op), f32(b.getF32Type()), i64(b.getI64Type()) {
    heads = op.getNumHeads();
    kvHeads = op.getNumKVHeads();
    groupSize = heads / kvHeads;
    headDim = op.getHeadDim();
    elementType = op.getQueryType().getElementType();
    qTile = op.getPlan().getQTile();
    block = op.getPlan().getKvTile();
    subRows = qTile / block;
    causal = op.getCausal();
  }

  void emit();

private:
  // Constants and small arithmetic.
  Value idx(int64_t value) { return arith::ConstantIndexOp::create(b, value); }
  Value int64(int64_t value) {
    return arith::ConstantIntOp::create(b, i64, value);
  }
  Value flt(double value) {
    return arith::ConstantFloatOp::create(
        b, f32, llvm::APFloat(static_cast<float>(value)));
  }
  Value negInf() {
    return arith::ConstantFloatOp::create(
        b, f32, llvm::APFloat::getInf(llvm::APFloat::IEEEsingle(), true));
  }
  Value add(Value lhs, Value rhs) { return arith::AddIOp::create(b, lhs, rhs); }
  Value sub(Value lhs, Value rhs) { return arith::SubIOp::create(b, lhs, rhs); }
  Value mul(Value lhs, Value rhs) { return arith::MulIOp::create(b, lhs, rhs); }
  Value minI(Value lhs, Value rhs) {
    return arith::MinSIOp::create(b, lhs, rhs);
  }
  Value maxI(Value lhs, Value rhs) {
    return arith::MaxSIOp::create(b, lhs, rhs);
  }
  Value floorDiv(Value lhs, int64_t rhs) {
    return arith::FloorDivSIOp::create(b, lhs, idx(rhs));
  }
  Value ceilDiv(Value lhs, int64_t rhs) {
    return arith::CeilDivSIOp::create(b, lhs, idx(rhs));
  }
  /// lhs mod rhs in [0, rhs).
  Value positiveMod(Value lhs, int64_t rhs) {
    Value rem = arith::RemSIOp::create(b, lhs, idx(rhs));
    Value negative = cmp(arith::CmpIPredicate::slt, rem, idx(0));
    return arith::SelectOp::create(b, negative, add(rem, idx(rhs)), rem);
  }
  Value cmp(arith::CmpIPredicate predicate, Value lhs, Value rhs) {
    return arith::CmpIOp::create(b, predicate, lhs, rhs);
  }
  Value andI(Value lhs, Value rhs) {
    return arith::AndIOp::create(b, lhs, rhs);
  }
  Value orI(Value lhs, Value rhs) { return arith::OrIOp::create(b, lhs, rhs); }
  Value toIndex(Value value) {
    return arith::IndexCastOp::create(b, b.getIndexType(), value);
  }
  Value toI64(Value value) { return arith::IndexCastOp::create(b, i64, value); }
  Value dim(Value memref, int64_t dim) {
    auto type = cast<MemRefType>(memref.getType());
    if (!type.isDynamicDim(dim))
      return idx(type.getDimSize(dim));
    return memref::DimOp::create(b, memref, dim);
  }
  Value splat(VectorType type, Value scalar) {
    return vector::BroadcastOp::create(b, type, scalar);
  }
  Value toF32(Value vector) {
    auto type = cast<VectorType>(vector.getType());
    if (type.getElementType().isF32())
      return vector;
    return arith::ExtFOp::create(b, VectorType::get(type.getShape(), f32),
                                 vector);
  }

  // Structured control flow whose bodies the callbacks emit at `b`.
  void forEach(Value lower, Value upper, Value step,
               function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(b, lower, upper, step);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVar());
  }
  SmallVector<Value>
  accumulate(Value lower, Value upper, Value step, ValueRange inits,
             function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto loop = scf::ForOp::create(b, lower, upper, step, inits);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> next =
        body(loop.getInductionVar(), loop.getRegionIterArgs());
    scf::YieldOp::create(b, next);
    return SmallVector<Value>(loop.getResults());
  }
  void ifThen(Value condition, function_ref<void()> thenBody,
              function_ref<void()> elseBody = nullptr) {
    auto ifOp = scf::IfOp::create(b, condition,
                                  /*withElseRegion=*/elseBody ? true : false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    thenBody();
    if (elseBody) {
      b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
      elseBody();
    }
  }

  /// Bits [lo, hi) of a block-row mask (clamped to the tile's block rows),
  /// as i64.
  Value rangeBits(Value lo, Value hi);
  Value fullMask() { return int64((int64_t(1) << subRows) - 1); }

  void emitProblemValues();
  void emitTile(ValueRange ivs);
  void emitLoadQuery();
  void emitWalk();
  /// Rows of the exact or grid schedule per head (all of them when the
  /// heads share rows).
  Value scheduleRowsPerHead();
  /// This head's schedule row for tile `tileInRows` of its rows
  /// (`rowsPerHead`: scheduleRowsPerHead(), when the caller has it).
  Value scheduleRow(Value tileInRows, Value rowsPerHead = {});
  void emitExactWalk();
  void emitGridWalk();
  void emitClosedFormWalk();
  void emitDenseRows(Value lower, Value upper);
  void emitSparseRows(Value kvHead);
  /// Visits key block `kvBlock` whose row mask is `rowMask` (i64), choosing
  /// at run time whether it needs a token mask.
  void emitDispatch(Value kvBlock, Value rowMask);
  /// One online-softmax step over key block `kvBlock`. `rowMask` (i64) is
  /// set only when `masked`.
  void emitBlockUpdate(Value kvBlock, Value rowMask, bool masked);
  void emitLoadKeyValueBlock(Value firstKey, bool masked);
  /// Online-softmax update of `rows` consecutive query rows from `row`
  /// (inside one block row of the tile).
  void emitRowsUpdate(Value row, int64_t rows, Value kvBlock, bool masked);
  void emitEpilogue();

  ImplicitLocOpBuilder &b;
  ScheduledAttentionOp op;
  FloatType f32;
  Type i64, elementType;
  int64_t heads, kvHeads, groupSize, headDim, qTile, block, subRows;
  bool causal;

  // Problem values, defined before the parallel loop.
  Value batch, qLen, kvLen, qStart, kvStart, qEnd, kvEnd;
  Value firstQTile, numQTiles, firstKVBlock, endKVBlock;
  // Values of one parallel iteration.
  Value batchIdx, head, kvHead, tileIdx, tile, tileStart, rowLo, rowHi;
  Value groupLo, groupHi;
  Value outsideBits;
  Value queryBuf, accBuf, maxBuf, sumBuf, keyTBuf, valueBuf, scoreBuf, probBuf;
};

Value TileEmitter::rangeBits(Value lo, Value hi) {
  Value loC = minI(maxI(lo, idx(0)), idx(subRows));
  Value hiC = minI(maxI(hi, idx(0)), idx(subRows));
  Value one = int64(1);
  auto bitsBelow = [&](Value count) {
    Value shifted = arith::ShLIOp::create(b, one, toI64(count));
    return sub(shifted, one);
  };
  Value bits = arith::XOrIOp::create(b, bitsBelow(hiC), bitsBelow(loC));
  Value empty = cmp(arith::CmpIPredicate::sge, loC, hiC);
  return arith::SelectOp::create(b, empty, int64(0), bits);
}

void TileEmitter::emitProblemValues() {
  Value query = op.getQuery(), key = op.getKey();
  batch = dim(query, 0);
  qLen = dim(query, 1);
  kvLen = dim(key, 1);
  qStart = op.getQStart();
  kvStart = op.getKvStart();
  qEnd = add(qStart, qLen);
  kvEnd = add(kvStart, kvLen);
  firstQTile = floorDiv(qStart, qTile);
  Value lastQTile = floorDiv(sub(qEnd, idx(1)), qTile);
  Value tiles = add(sub(lastQTile, firstQTile), idx(1));
  Value anyQuery = cmp(arith::CmpIPredicate::sgt, qLen, idx(0));
  numQTiles = arith::SelectOp::create(b, anyQuery, tiles, idx(0));
  firstKVBlock = floorDiv(kvStart, block);
  Value anyKey = cmp(arith::CmpIPredicate::sgt, kvLen, idx(0));
  endKVBlock =
      arith::SelectOp::create(b, anyKey, ceilDiv(kvEnd, block), firstKVBlock);
}

void TileEmitter::emit() {
  emitProblemValues();
  Value zero = idx(0), one = idx(1);
  auto parallel = scf::ParallelOp::create(
      b, ValueRange{zero, zero, zero}, ValueRange{batch, idx(heads), numQTiles},
      ValueRange{one, one, one});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(parallel.getBody()->getTerminator());
  emitTile(parallel.getInductionVars());
}

void TileEmitter::emitTile(ValueRange ivs) {
  batchIdx = ivs[0];
  head = ivs[1];
  tileIdx = ivs[2];
  kvHead = arith::DivUIOp::create(b, head, idx(groupSize));
  tile = add(firstQTile, tileIdx);
  tileStart = mul(tile, idx(qTile));
  rowLo = maxI(sub(qStart, tileStart), idx(0));
  rowHi = minI(sub(qEnd, tileStart), idx(qTile));
  // Rows are updated in whole groups; the few rows of a group outside the
  // chunk compute on zero queries and are never stored.
  groupLo = mul(floorDiv(rowLo, kRowGroup), idx(kRowGroup));
  groupHi = mul(ceilDiv(rowHi, kRowGroup), idx(kRowGroup));

  auto alloc = [&](ArrayRef<int64_t> shape) {
    return memref::AllocOp::create(b, MemRefType::get(shape, f32),
                                   b.getI64IntegerAttr(64))
        .getResult();
  };
  queryBuf = alloc({qTile, headDim});
  accBuf = alloc({qTile, headDim});
  maxBuf = alloc({qTile});
  sumBuf = alloc({qTile});
  keyTBuf = alloc({headDim, block});
  valueBuf = alloc({block, headDim});
  scoreBuf = alloc({kRowGroup, block});
  probBuf = alloc({kRowGroup, block});

  emitLoadQuery();
  emitWalk();
  emitEpilogue();

  for (Value buffer :
       {queryBuf, accBuf, maxBuf, sumBuf, keyTBuf, valueBuf, scoreBuf, probBuf})
    memref::DeallocOp::create(b, buffer);
}

void TileEmitter::emitLoadQuery() {
  // Folding scale * log2(e) into the query turns every score into a base-2
  // exponent at no cost per key.
  double factor = op.getScale().convertToDouble() / std::log(2.0);
  auto rowType = VectorType::get({headDim}, f32);
  auto elementRowType = VectorType::get({headDim}, elementType);
  Value scaleVec = splat(rowType, flt(factor));
  Value zeros = splat(rowType, flt(0.0));
  forEach(groupLo, groupHi, idx(1), [&](Value row) {
    Value inChunk = andI(cmp(arith::CmpIPredicate::sge, row, rowLo),
                         cmp(arith::CmpIPredicate::slt, row, rowHi));
    ifThen(
        inChunk,
        [&] {
          Value queryRow = sub(add(tileStart, row), qStart);
          Value loaded = vector::LoadOp::create(
              b, elementRowType, op.getQuery(),
              ValueRange{batchIdx, queryRow, head, idx(0)});
          Value scaled = arith::MulFOp::create(b, toF32(loaded), scaleVec);
          vector::StoreOp::create(b, scaled, queryBuf, ValueRange{row, idx(0)});
        },
        [&] {
          vector::StoreOp::create(b, zeros, queryBuf, ValueRange{row, idx(0)});
        });
    vector::StoreOp::create(b, zeros, accBuf, ValueRange{row, idx(0)});
    memref::StoreOp::create(b, negInf(), maxBuf, ValueRange{row});
    memref::StoreOp::create(b, flt(0.0), sumBuf, ValueRange{row});
  });
}

void TileEmitter::emitWalk() {
  if (op.getScheduleKind() != ScheduleKind::Exact) {
    // Block rows wholly outside the query chunk never store results, so they
    // never force a token mask on an entry (exact schedules already set
    // their bits).
    Value rowsBefore = floorDiv(sub(qStart, tileStart), block);
    Value firstRowAfter = ceilDiv(sub(qEnd, tileStart), block);
    outsideBits = orI(rangeBits(idx(0), rowsBefore),
                      rangeBits(firstRowAfter, idx(subRows)));
  }
  switch (op.getScheduleKind()) {
  case ScheduleKind::Exact:
    return emitExactWalk();
  case ScheduleKind::Grid:
    return emitGridWalk();
  case ScheduleKind::ClosedForm:
    return emitClosedFormWalk();
  }
}

Value TileEmitter::scheduleRowsPerHead() {
  int64_t copies = op.getHeadsShareRows() ? 1 : heads;
  return arith::DivUIOp::create(b, sub(dim(op.getRowPtr(), 0), idx(1)),
                                idx(copies));
}

Value TileEmitter::scheduleRow(Value tileInRows, Value rowsPerHead) {
  if (op.getHeadsShareRows())
    return tileInRows;
  if (!rowsPerHead)
    rowsPerHead = scheduleRowsPerHead();
  return add(mul(head, rowsPerHead), tileInRows);
}

void TileEmitter::emitExactWalk() {
  Value row = scheduleRow(tileIdx);
  auto load = [&](Value array, Value index) {
    return memref::LoadOp::create(b, array, ValueRange{index}).getResult();
  };
  Value begin = toIndex(load(op.getRowPtr(), row));
  Value end = toIndex(load(op.getRowPtr(), add(row, idx(1))));
  Value middle = add(begin, toIndex(load(op.getNumUnmasked(), row)));
  forEach(begin, middle, idx(1), [&](Value entry) {
    emitBlockUpdate(toIndex(load(op.getKvBlocks(), entry)), Value(),
                    /*masked=*/false);
  });
  forEach(middle, end, idx(1), [&](Value entry) {
    Value rowMask =
        arith::ExtUIOp::create(b, i64, load(op.getRowMasks(), entry));
    emitBlockUpdate(toIndex(load(op.getKvBlocks(), entry)), rowMask,
                    /*masked=*/true);
  });
}

void TileEmitter::emitGridWalk() {
  Value gridTiles = scheduleRowsPerHead();
  // Tiles past the grid have no row: their queries attend nothing.
  Value inGrid = andI(cmp(arith::CmpIPredicate::sge, tile, idx(0)),
                      cmp(arith::CmpIPredicate::slt, tile, gridTiles));
  ifThen(inGrid, [&] {
    Value row = scheduleRow(tile, gridTiles);
    auto load = [&](Value array, Value index) {
      return memref::LoadOp::create(b, array, ValueRange{index}).getResult();
    };
    Value begin = toIndex(load(op.getRowPtr(), row));
    Value end = toIndex(load(op.getRowPtr(), add(row, idx(1))));
    forEach(begin, end, idx(1), [&](Value entry) {
      Value kvBlock = toIndex(load(op.getKvBlocks(), entry));
      Value inKeys = andI(cmp(arith::CmpIPredicate::sge, kvBlock, firstKVBlock),
                          cmp(arith::CmpIPredicate::slt, kvBlock, endKVBlock));
      ifThen(inKeys, [&] {
        Value rowMask =
            arith::ExtUIOp::create(b, i64, load(op.getRowMasks(), entry));
        emitDispatch(kvBlock, rowMask);
      });
    });
  });
}

void TileEmitter::emitDispatch(Value kvBlock, Value rowMask) {
  Value mask = orI(rowMask, outsideBits);
  Value blockStart = mul(kvBlock, idx(block));
  Value blockEnd = add(blockStart, idx(block));
  Value needsMask = orI(cmp(arith::CmpIPredicate::ne, mask, fullMask()),
                        orI(cmp(arith::CmpIPredicate::slt, blockStart, kvStart),
                            cmp(arith::CmpIPredicate::sgt, blockEnd, kvEnd)));
  if (causal) {
    // The last key must not follow the tile's first query.
    Value firstQuery = maxI(tileStart, qStart);
    needsMask = orI(needsMask, cmp(arith::CmpIPredicate::sgt,
                                   sub(blockEnd, idx(1)), firstQuery));
  }
  Value anyRow = cmp(arith::CmpIPredicate::ne, mask, int64(0));
  ifThen(anyRow, [&] {
    ifThen(
        needsMask, [&] { emitBlockUpdate(kvBlock, mask, /*masked=*/true); },
        [&] { emitBlockUpdate(kvBlock, Value(), /*masked=*/false); });
  });
}

void TileEmitter::emitClosedFormWalk() {
  auto localStride = dyn_cast<LocalStrideAttr>(op.getPattern());
  Value firstQBlock = mul(tile, idx(subRows));
  Value lastQBlock = add(firstQBlock, idx(subRows - 1));
  Value upper = endKVBlock;
  if (causal)
    upper = minI(upper, add(lastQBlock, idx(1)));
  if (!localStride)
    return emitDenseRows(firstKVBlock, upper);
  ref::LocalStrideParams params = localStride.toParams(causal).resolved(heads);
  if (params.vertStride == 1)
    return emitDenseRows(firstKVBlock, upper);
  if (params.numDenseHeads == 0)
    return emitSparseRows(kvHead);
  Value isDense = cmp(arith::CmpIPredicate::sge, kvHead,
                      idx(kvHeads - params.numDenseHeads));
  ifThen(
      isDense, [&] { emitDenseRows(firstKVBlock, upper); },
      [&] { emitSparseRows(kvHead); });
}

void TileEmitter::emitDenseRows(Value lower, Value upper) {
  Value firstQBlock = mul(tile, idx(subRows));
  forEach(lower, upper, idx(1), [&](Value kvBlock) {
    Value rowMask = causal ? rangeBits(sub(kvBlock, firstQBlock), idx(subRows))
                           : fullMask();
    emitDispatch(kvBlock, rowMask);
  });
}

void TileEmitter::emitSparseRows(Value kvHeadValue) {
  auto localStride = cast<LocalStrideAttr>(op.getPattern());
  ref::LocalStrideParams params = localStride.toParams(causal).resolved(heads);
  int64_t stride = params.vertStride;
  int64_t left = params.localBlocks;
  int64_t right = params.rightBlocks;
  bool absolute = params.vertPosition == ref::VertPosition::Absolute;

  Value firstQBlock = mul(tile, idx(subRows));
  Value lastQBlock = add(firstQBlock, idx(subRows - 1));
  Value lower = firstKVBlock;
  Value upper = endKVBlock;
  if (causal)
    upper = minI(upper, add(lastQBlock, idx(1)));
  // The window holds every block some row of the tile attends locally;
  // stripes lie left (and, bidirectionally, right) of it.
  Value windowLo = add(firstQBlock, idx(1 - left));
  Value windowHi = add(lastQBlock, idx(right));

  Value absoluteResidue;
  if (absolute) {
    Value patternHead = params.homoHead ? idx(0) : kvHeadValue;
    Value shift =
        add(mul(patternHead, idx(params.headStep)), idx(params.headOffset));
    absoluteResidue = positiveMod(sub(idx(0), shift), stride);
  }
  // Stripe blocks are attended by every row of the tile.
  auto stripes = [&](Value from, Value to, Value residue) {
    Value start = add(from, positiveMod(sub(residue, from), stride));
    forEach(start, to, idx(stride),
            [&](Value kvBlock) { emitDispatch(kvBlock, fullMask()); });
  };

  // Relative stripes count from the window's left edge: bk = bq - L + 1 - mV.
  stripes(lower, minI(upper, windowLo),
          absolute ? absoluteResidue : positiveMod(windowLo, stride));

  forEach(
      maxI(lower, windowLo), minI(upper, windowHi), idx(1), [&](Value kvBlock) {
        Value offset = sub(kvBlock, firstQBlock);
        Value rowMask =
            rangeBits(add(offset, idx(1 - right)), add(offset, idx(left)));
        if (absolute) {
          Value vertical = cmp(arith::CmpIPredicate::eq,
                               positiveMod(kvBlock, stride), absoluteResidue);
          Value stripeRows =
              causal ? rangeBits(offset, idx(subRows)) : fullMask();
          rowMask = orI(rowMask, arith::SelectOp::create(b, vertical,
                                                         stripeRows, int64(0)));
        }
        emitDispatch(kvBlock, rowMask);
      });

  if (!causal) {
    // Relative right stripes: bk - bq - R + 1 = mV.
    Value rightResidue =
        absolute ? absoluteResidue
                 : positiveMod(add(lastQBlock, idx(right - 1)), stride);
    stripes(maxI(lower, windowHi), upper, rightResidue);
  }
}

void TileEmitter::emitBlockUpdate(Value kvBlock, Value rowMask, bool masked) {
  Value firstKey = sub(mul(kvBlock, idx(block)), kvStart);
  emitLoadKeyValueBlock(firstKey, masked);
  // Groups start at multiples of kRowGroup, which divides the block, so a
  // group never straddles two block rows.
  forEach(groupLo, groupHi, idx(kRowGroup), [&](Value row) {
    if (!masked || subRows == 1)
      return emitRowsUpdate(row, kRowGroup, kvBlock, masked);
    Value subRow = arith::DivUIOp::create(b, row, idx(block));
    Value bit =
        andI(arith::ShRUIOp::create(b, rowMask, toI64(subRow)), int64(1));
    ifThen(cmp(arith::CmpIPredicate::ne, bit, int64(0)),
           [&] { emitRowsUpdate(row, kRowGroup, kvBlock, masked); });
  });
}

void TileEmitter::emitLoadKeyValueBlock(Value firstKey, bool masked) {
  auto elementRowType = VectorType::get({headDim}, elementType);
  auto rowType = VectorType::get({headDim}, f32);
  forEach(idx(0), idx(block), idx(1), [&](Value j) {
    Value key = add(firstKey, j);
    auto copyRow = [&] {
      ValueRange indices{batchIdx, key, kvHead, idx(0)};
      Value valueRow = toF32(
          vector::LoadOp::create(b, elementRowType, op.getValue(), indices));
      vector::StoreOp::create(b, valueRow, valueBuf, ValueRange{j, idx(0)});
      // Scores are FMAs over the head dimension with the key block in the
      // lanes, so keys are stored transposed.
      forEach(idx(0), idx(headDim), idx(1), [&](Value d) {
        Value element = memref::LoadOp::create(
            b, op.getKey(), ValueRange{batchIdx, key, kvHead, d});
        if (!elementType.isF32())
          element = arith::ExtFOp::create(b, f32, element);
        memref::StoreOp::create(b, element, keyTBuf, ValueRange{d, j});
      });
    };
    if (!masked)
      return copyRow();
    // Keys outside the tensor are never read; zeros keep their (masked)
    // scores finite.
    Value inside = andI(cmp(arith::CmpIPredicate::sge, key, idx(0)),
                        cmp(arith::CmpIPredicate::slt, key, kvLen));
    ifThen(inside, copyRow, [&] {
      vector::StoreOp::create(b, splat(rowType, flt(0.0)), valueBuf,
                              ValueRange{j, idx(0)});
      forEach(idx(0), idx(headDim), idx(1), [&](Value d) {
        memref::StoreOp::create(b, flt(0.0), keyTBuf, ValueRange{d, j});
      });
    });
  });
}

void TileEmitter::emitRowsUpdate(Value row, int64_t rows, Value kvBlock,
                                 bool masked) {
  auto scoreType = VectorType::get({block}, f32);
  int64_t scoreLanes = std::min(block, kMaxLanes / rows);
  int64_t headLanes = chunkLanes(headDim, kMaxLanes / rows);
  auto chunkType = VectorType::get({scoreLanes}, f32);
  auto headChunkType = VectorType::get({headLanes}, f32);
  SmallVector<Value> rowIndices;
  for (int64_t r = 0; r < rows; ++r)
    rowIndices.push_back(add(row, idx(r)));

  // s[r, j] = sum_d q[r, d] * k[j, d]: per d, one load of the transposed
  // key chunk feeds one FMA per row.
  for (int64_t chunk = 0; chunk < block; chunk += scoreLanes) {
    SmallVector<Value> inits(rows, splat(chunkType, flt(0.0)));
    SmallVector<Value> scores = accumulate(
        idx(0), idx(headDim), idx(1), inits, [&](Value d, ValueRange accs) {
          Value k = vector::LoadOp::create(b, chunkType, keyTBuf,
                                           ValueRange{d, idx(chunk)});
          SmallVector<Value> next;
          for (int64_t r = 0; r < rows; ++r) {
            Value q = memref::LoadOp::create(b, queryBuf,
                                             ValueRange{rowIndices[r], d});
            next.push_back(
                vector::FMAOp::create(b, splat(chunkType, q), k, accs[r]));
          }
          return next;
        });
    for (int64_t r = 0; r < rows; ++r)
      vector::StoreOp::create(b, scores[r], scoreBuf,
                              ValueRange{idx(r), idx(chunk)});
  }

  SmallVector<Value> alphas;
  for (int64_t r = 0; r < rows; ++r) {
    Value rowIndex = rowIndices[r];
    Value scores = vector::LoadOp::create(b, scoreType, scoreBuf,
                                          ValueRange{idx(r), idx(0)});
    if (masked) {
      auto positionType = VectorType::get({block}, b.getIndexType());
      Value keyPos =
          arith::AddIOp::create(b, vector::StepOp::create(b, positionType),
                                splat(positionType, mul(kvBlock, idx(block))));
      Value valid =
          andI(arith::CmpIOp::create(b, arith::CmpIPredicate::sge, keyPos,
                                     splat(positionType, kvStart)),
               arith::CmpIOp::create(b, arith::CmpIPredicate::slt, keyPos,
                                     splat(positionType, kvEnd)));
      if (causal) {
        Value queryPos = add(tileStart, rowIndex);
        valid = andI(valid,
                     arith::CmpIOp::create(b, arith::CmpIPredicate::sle, keyPos,
                                           splat(positionType, queryPos)));
      }
      scores =
          arith::SelectOp::create(b, valid, scores, splat(scoreType, negInf()));
    }

    Value oldMax = memref::LoadOp::create(b, maxBuf, ValueRange{rowIndex});
    Value blockMax =
        vector::ReductionOp::create(b, vector::CombiningKind::MAXNUMF, scores);
    Value newMax = arith::MaxNumFOp::create(b, oldMax, blockMax);
    // A row whose keys so far are all masked has max -inf; subtracting 0
    // instead keeps exp2(-inf - -inf) from turning into NaN.
    Value shift = newMax;
    if (masked) {
      Value allMasked =
          arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, newMax, negInf());
      shift = arith::SelectOp::create(b, allMasked, flt(0.0), newMax);
    }
    Value probs = math::Exp2Op::create(
        b, arith::SubFOp::create(b, scores, splat(scoreType, shift)));
    Value alpha =
        math::Exp2Op::create(b, arith::SubFOp::create(b, oldMax, shift));
    Value oldSum = memref::LoadOp::create(b, sumBuf, ValueRange{rowIndex});
    Value blockSum =
        vector::ReductionOp::create(b, vector::CombiningKind::ADD, probs);
    Value newSum = arith::AddFOp::create(
        b, arith::MulFOp::create(b, oldSum, alpha), blockSum);
    memref::StoreOp::create(b, newSum, sumBuf, ValueRange{rowIndex});
    memref::StoreOp::create(b, newMax, maxBuf, ValueRange{rowIndex});
    vector::StoreOp::create(b, probs, probBuf, ValueRange{idx(r), idx(0)});
    alphas.push_back(alpha);
  }

  // acc[r] = acc[r] * alpha[r] + sum_j p[r, j] * v[j]: per key, one load of
  // a value chunk feeds one FMA per row.
  for (int64_t chunk = 0; chunk < headDim; chunk += headLanes) {
    SmallVector<Value> inits;
    for (int64_t r = 0; r < rows; ++r) {
      Value old = vector::LoadOp::create(b, headChunkType, accBuf,
                                         ValueRange{rowIndices[r], idx(chunk)});
      inits.push_back(
          arith::MulFOp::create(b, old, splat(headChunkType, alphas[r])));
    }
    SmallVector<Value> accs = accumulate(
        idx(0), idx(block), idx(1), inits, [&](Value j, ValueRange accs) {
          Value v = vector::LoadOp::create(b, headChunkType, valueBuf,
                                           ValueRange{j, idx(chunk)});
          SmallVector<Value> next;
          for (int64_t r = 0; r < rows; ++r) {
            Value p = memref::LoadOp::create(b, probBuf, ValueRange{idx(r), j});
            next.push_back(
                vector::FMAOp::create(b, splat(headChunkType, p), v, accs[r]));
          }
          return next;
        });
    for (int64_t r = 0; r < rows; ++r)
      vector::StoreOp::create(b, accs[r], accBuf,
                              ValueRange{rowIndices[r], idx(chunk)});
  }
}

void TileEmitter::emitEpilogue() {
  auto rowType = VectorType::get({headDim}, f32);
  auto elementRowType = VectorType::get({headDim}, elementType);
  forEach(rowLo, rowHi, idx(1), [&](Value row) {
    Value queryRow = sub(add(tileStart, row), qStart);
    Value sum = memref::LoadOp::create(b, sumBuf, ValueRange{row});
    Value max = memref::LoadOp::create(b, maxBuf, ValueRange{row});
    // A row that attended nothing has sum 0: it outputs 0 and LSE -inf.
    Value attended =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, sum, flt(0.0));
    Value inverse = arith::SelectOp::create(
        b, attended, arith::DivFOp::create(b, flt(1.0), sum), flt(0.0));
    Value acc =
        vector::LoadOp::create(b, rowType, accBuf, ValueRange{row, idx(0)});
    Value out = arith::MulFOp::create(b, acc, splat(rowType, inverse));
    if (!elementType.isF32())
      out = arith::TruncFOp::create(b, elementRowType, out);
    vector::StoreOp::create(b, out, op.getOutput(),
                            ValueRange{batchIdx, queryRow, head, idx(0)});
    if (Value lse = op.getLse()) {
      Value log2Sum = math::Log2Op::create(b, sum);
      Value natural = arith::MulFOp::create(
          b, arith::AddFOp::create(b, max, log2Sum), flt(std::log(2.0)));
      Value value = arith::SelectOp::create(b, attended, natural, negInf());
      memref::StoreOp::create(b, value, lse,
                              ValueRange{batchIdx, head, queryRow});
    }
  });
}

struct TileScheduledAttention : OpRewritePattern<ScheduledAttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScheduledAttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "operates on tensors");
    ImplicitLocOpBuilder builder(op.getLoc(), rewriter);
    builder.setInsertionPoint(op);
    TileEmitter(builder, op).emit();
    rewriter.eraseOp(op);
    return success();
  }
};

/// Diagnoses what the loop nest does not handle.
LogicalResult checkTileable(ScheduledAttentionOp op) {
  if (op.hasPureTensorSemantics())
    return op.emitOpError("operates on tensors; bufferize it "
                          "(one-shot-bufferize) before s2attn-tile");
  // Rows of the head dimension are read and written as vectors.
  for (Value operand :
       {op.getQuery(), op.getKey(), op.getValue(), op.getOutput()})
    if (!cast<MemRefType>(operand.getType()).isLastDimUnitStride())
      return op.emitOpError("needs a unit stride in the head dimension, got ")
             << operand.getType()
             << "; copy the operand into a contiguous buffer first";
  return success();
}

struct TilePass : public mlir::s2attn::impl::S2AttnTileBase<TilePass> {
  using S2AttnTileBase::S2AttnTileBase;

  void runOnOperation() override {
    bool unsupported = false;
    getOperation()->walk([&](ScheduledAttentionOp op) {
      if (failed(checkTileable(op)))
        unsupported = true;
    });
    if (unsupported)
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    populateS2AttnTilePatterns(patterns);
    ConversionTarget target(getContext());
    target.addIllegalOp<ScheduledAttentionOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::s2attn::populateS2AttnTilePatterns(RewritePatternSet &patterns) {
  patterns.add<TileScheduledAttention>(patterns.getContext());
}
