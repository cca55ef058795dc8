//===- RowWalk.cpp - where a CTA finds the key blocks of its row ----------===//

#include "RowWalk.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::s2attn;

namespace ref = ::s2attn::ref;

namespace {

/// Signed index arithmetic with the builder's location.
struct IndexMath {
  ImplicitLocOpBuilder &b;

  Value c(int64_t value) { return arith::ConstantIndexOp::create(b, value); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value div(Value x, Value y) { return arith::DivSIOp::create(b, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, x, y); }
  Value lt(Value x, Value y) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::slt, x, y);
  }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, cond, x, y);
  }
  /// x mod m in [0, m) for any sign of x.
  Value positiveMod(Value x, Value m) {
    Value r = arith::RemSIOp::create(b, x, m);
    return arith::RemSIOp::create(b, add(r, m), m);
  }
  /// Elements first, first + step, ... below `end`.
  Value count(Value first, Value end, Value step) {
    Value n = div(add(sub(end, first), sub(step, c(1))), step);
    return select(lt(first, end), n, c(0));
  }
};

Value loadI32(ImplicitLocOpBuilder &b, StringRef global, int64_t size,
              Value position) {
  auto type = MemRefType::get({std::max<int64_t>(size, 1)}, b.getI32Type());
  Value array = memref::GetGlobalOp::create(b, type, global);
  return memref::LoadOp::create(b, array, ValueRange{position});
}

Value loadIndex(ImplicitLocOpBuilder &b, StringRef global, int64_t size,
                Value position) {
  return arith::IndexCastOp::create(b, b.getIndexType(),
                                    loadI32(b, global, size, position));
}

std::string emitArray(ImplicitLocOpBuilder &b, gpu::GPUModuleOp module,
                      StringRef kernelName, StringRef suffix,
                      ArrayRef<int32_t> values) {
  std::string symbol = (kernelName + "_" + suffix).str();
  // A persistent kernel reads the arrays for each of its work items.
  if (module.lookupSymbol(symbol))
    return symbol;
  // A zero-length memref cannot be indexed; empty schedules get one pad.
  SmallVector<int32_t> padded(values.begin(), values.end());
  if (padded.empty())
    padded.push_back(0);
  auto type = MemRefType::get({int64_t(padded.size())}, b.getI32Type());
  auto init = DenseElementsAttr::get(
      RankedTensorType::get(type.getShape(), b.getI32Type()),
      ArrayRef<int32_t>(padded));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  memref::GlobalOp::create(b, symbol, b.getStringAttr("private"), type, init,
                           /*constant=*/true, /*alignment=*/IntegerAttr());
  return symbol;
}

template <typename Range> SmallVector<int32_t> narrow(const Range &values) {
  return SmallVector<int32_t>(values.begin(), values.end());
}

} // namespace

RowWalk mlir::s2attn::buildScheduleWalk(ImplicitLocOpBuilder &b,
                                        const FlashKernelConfig &config,
                                        gpu::GPUModuleOp module,
                                        StringRef kernelName,
                                        const RowCoordinates &where) {
  const ref::BlockSchedule &schedule = *config.schedule;
  int64_t rows = schedule.numRows();
  int64_t entries = schedule.kvBlocks.size();
  std::string rowPtr =
      emitArray(b, module, kernelName, "row_ptr", narrow(schedule.rowPtr));
  std::string kvBlocks =
      emitArray(b, module, kernelName, "kv_blocks", narrow(schedule.kvBlocks));
  std::string rowMasks =
      emitArray(b, module, kernelName, "row_masks", narrow(schedule.rowMasks));
  std::string numUnmasked = emitArray(b, module, kernelName, "num_unmasked",
                                      narrow(schedule.numUnmasked));

  IndexMath m{b};
  Value row = schedule.headsShareRows
                  ? where.tileInChunk
                  : m.add(m.mul(where.head, m.c(schedule.numQTiles)),
                          where.tileInChunk);
  Value rowStart = loadIndex(b, rowPtr, rows + 1, row);
  Value rowEnd = loadIndex(b, rowPtr, rows + 1, m.add(row, m.c(1)));
  Value unmasked = loadIndex(b, numUnmasked, rows, row);

  RowWalk walk;
  walk.numEntries = m.sub(rowEnd, rowStart);
  walk.keyBlock = [&b, kvBlocks, entries, rowStart](Value entry) {
    IndexMath m{b};
    return loadIndex(b, kvBlocks, entries, m.add(rowStart, entry));
  };
  walk.needsMask = [&b, unmasked](Value entry) -> Value {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::sge, entry,
                                 unmasked);
  };
  walk.rowMask = [&b, rowMasks, entries, rowStart](Value entry) {
    IndexMath m{b};
    return loadI32(b, rowMasks, entries, m.add(rowStart, entry));
  };
  return walk;
}

RowWalk mlir::s2attn::buildClosedFormWalk(ImplicitLocOpBuilder &b,
                                          const FlashKernelConfig &config,
                                          const RowCoordinates &where) {
  const ref::LocalStrideParams &rows = *config.closedForm;
  IndexMath m{b};
  int64_t block = config.block;
  int64_t kvFirst = ref::floorDiv(config.kvStart, block);
  int64_t kvEnd = ref::ceilDiv(config.kvStart + config.kvLen, block);
  int64_t right = config.causal ? 1 : rows.rightBlocks;

  // With one block row per tile the query tile is the query block.
  Value qBlock = where.qTile;
  Value lastBlock = config.causal ? m.min(qBlock, m.c(kvEnd - 1))
                                  : m.c(kvEnd - 1);
  Value end = m.add(lastBlock, m.c(1));
  Value windowStart = m.add(qBlock, m.c(1 - rows.localBlocks));
  Value windowEnd = m.add(qBlock, m.c(right - 1));
  Value localLo = m.min(m.max(m.c(kvFirst), windowStart), end);
  Value localHi = m.min(lastBlock, windowEnd);
  Value numLocal = m.max(m.sub(m.add(localHi, m.c(1)), localLo), m.c(0));
  Value rightLo = m.add(localLo, numLocal);

  // Stripes: every block for dense KV heads, else one residue class.
  Value kvHead = rows.homoHead ? m.c(0) : where.kvHead;
  Value stride = m.c(rows.vertStride);
  int64_t firstDenseKVHead = config.kvHeads - rows.numDenseHeads;
  // Decided here where it can be, so that the walk keeps fewer values live
  // across its loop: at head_dim 64 a few registers decide a spill.
  Value dense;
  if (rows.vertStride == 1 || rows.numDenseHeads == 0)
    dense = arith::ConstantIntOp::create(b, rows.vertStride == 1, 1);
  else
    dense = arith::CmpIOp::create(b, arith::CmpIPredicate::sge, kvHead,
                                  m.c(firstDenseKVHead));
  Value step = m.select(dense, m.c(1), stride);
  Value leftResidue, rightResidue;
  if (rows.vertPosition == ref::VertPosition::Relative) {
    leftResidue = m.positiveMod(windowStart, stride);
    rightResidue = m.positiveMod(windowEnd, stride);
  } else {
    Value shift =
        m.add(m.mul(kvHead, m.c(rows.headStep)), m.c(rows.headOffset));
    leftResidue = rightResidue = m.positiveMod(m.sub(m.c(0), shift), stride);
  }
  auto firstAtOrAbove = [&](Value lo, Value residue) {
    Value striped = m.add(lo, m.positiveMod(m.sub(residue, lo), stride));
    return m.select(dense, lo, striped);
  };
  Value leftFirst = firstAtOrAbove(m.c(kvFirst), leftResidue);
  Value numLeft = m.count(leftFirst, localLo, step);
  Value rightFirst = firstAtOrAbove(rightLo, rightResidue);
  Value numRight = m.count(rightFirst, end, step);

  RowWalk walk;
  // A causal row's local window ends at its last block: no right stripes.
  if (config.causal) {
    walk.numEntries = m.add(numLeft, numLocal);
    Value localBase = m.sub(localLo, numLeft);
    walk.keyBlock = [=, &b](Value entry) {
      IndexMath m{b};
      return m.select(m.lt(entry, numLeft),
                      m.add(leftFirst, m.mul(entry, step)),
                      m.add(localBase, entry));
    };
  } else {
    walk.numEntries = m.add(m.add(numLeft, numLocal), numRight);
    walk.keyBlock = [=, &b](Value entry) {
      IndexMath m{b};
      Value afterLeft = m.sub(entry, numLeft);
      Value afterLocal = m.sub(afterLeft, numLocal);
      Value inLeft = m.add(leftFirst, m.mul(entry, step));
      Value inLocal = m.add(localLo, afterLeft);
      Value inRight = m.add(rightFirst, m.mul(afterLocal, step));
      return m.select(m.lt(entry, numLeft), inLeft,
                      m.select(m.lt(afterLeft, numLocal), inLocal, inRight));
    };
  }
  // Every entry is decided at run time: partial blocks at either end of the
  // keys, and blocks reaching past the tile's first query when causal.
  std::function<Value(Value)> keyBlockOf = walk.keyBlock;
  walk.needsMask = [=, &b, &config](Value entry) {
    IndexMath m{b};
    Value keyBlock = keyBlockOf(entry);
    Value firstKey = m.mul(keyBlock, m.c(block));
    Value lastKey = m.add(firstKey, m.c(block - 1));
    Value cut = arith::OrIOp::create(
        b, m.lt(firstKey, m.c(config.kvStart)),
        m.lt(m.c(config.kvStart + config.kvLen - 1), lastKey));
    if (config.causal)
      cut = arith::OrIOp::create(b, cut, m.lt(where.firstQueryPos, lastKey));
    return cut;
  };
  walk.rowMask = [&b](Value) -> Value {
    return arith::ConstantIntOp::create(b, b.getI32Type(), -1);
  };
  return walk;
}
