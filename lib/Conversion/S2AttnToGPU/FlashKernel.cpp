//===- FlashKernel.cpp - the mma.sync S2 attention kernel -----------------===//
//
// One CTA computes `ctaRows` rows of one query tile of one batch: positions
// of one query head, or of a GQA group's packed heads. Each warp owns 16
// rows. The CTA walks its schedule row: for every attended key block,
// chunks of `kvChunk` keys are copied (cp.async, two stages) into swizzled
// shared memory, S = Q K^T and O += P V run on mma.sync, and the softmax is
// kept online in base 2. Only the schedule's masked entries pay for the token
// mask.
//
//===----------------------------------------------------------------------===//

#include "s2attn/Conversion/S2AttnToGPU/FlashKernel.h"

#include "MmaSyncFragments.h"
#include "RowWalk.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <cmath>
#include <limits>
#include <tuple>

using namespace mlir;
using namespace mlir::s2attn;

namespace {

class FlashKernelEmitter {
public:
  FlashKernelEmitter(ImplicitLocOpBuilder &b, const FlashKernelConfig &config)
      : b(b), config(config) {}

  gpu::GPUFuncOp emit(gpu::GPUModuleOp module, StringRef name);

private:
  // Constants and scalar helpers.
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, value);
  }
  Value f32(double value) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(value));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value div(Value x, int64_t y) {
    return arith::DivUIOp::create(b, x, index(y));
  }
  Value rem(Value x, int64_t y) {
    return arith::RemUIOp::create(b, x, index(y));
  }
  Value cmp(arith::CmpIPredicate predicate, Value x, Value y) {
    return arith::CmpIOp::create(b, predicate, x, y);
  }
  Value inRange(Value value, int64_t lower, int64_t upper);

  /// The (chunk, head group, batch) this CTA computes, chunks counted from
  /// firstChunk.
  std::tuple<Value, Value, Value> assignWork();

  Value sharedView(Value sharedMemory, Value byteOffset, int64_t rows);

  /// Copies `rows` tile rows from `source` into `tile`: tile row r holds
  /// sequence index firstRow + r / headsPerRow of head firstHead + r %
  /// headsPerRow; rows outside [0, length) are zero-filled.
  void copyRowsAsync(Value source, Value tile, Value firstRow, int64_t rows,
                     int64_t length, Value firstHead, int64_t headsPerRow);
  /// The query position and head of this thread's row `8 * half`.
  Value queryPosition(int half);
  Value queryHead(int half);
  /// Waits until at most `pending` copy groups are in flight, then syncs
  /// the CTA so every thread sees the landed tiles.
  void waitForCopies(int64_t pending);

  /// Causal rows: key chunks of the walk's last entry that start after the
  /// CTA's last query, which a CTA with fewer rows than the tile (a 128-token
  /// block, or GQA packing) would otherwise load and mask out entirely.
  /// Walks list the highest block last (the closed form, and CSR rows unless
  /// a lower block needs the mask too); otherwise nothing is trimmed, which is
  /// still correct.
  Value maskedTrailingChunks(const RowWalk &walk);

  /// Scores S = Q K^T of one key chunk, one vector<4xf32> per 8 keys.
  SmallVector<Value> computeScores(ArrayRef<AFragment> queryFragments,
                                   Value keyTile);
  SmallVector<Value> maskScores(ArrayRef<Value> scores, Value chunkKeyPos,
                                Value rowMask);

  // Per-thread state.
  Value lane, warp, rowInWarp;
  // The CTA's work.
  Value batchIndex, headGroup, kvHead, qTileStart, chunkStart;
  MmaSyncFragments *fragments = nullptr;
  ImplicitLocOpBuilder &b;
  const FlashKernelConfig &config;
};

} // namespace

Value FlashKernelEmitter::inRange(Value value, int64_t lower, int64_t upper) {
  Value aboveLower = cmp(arith::CmpIPredicate::sge, value, index(lower));
  Value belowUpper = cmp(arith::CmpIPredicate::slt, value, index(upper));
  return arith::AndIOp::create(b, aboveLower, belowUpper);
}

std::tuple<Value, Value, Value> FlashKernelEmitter::assignWork() {
  Value x = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value y = gpu::BlockIdOp::create(b, gpu::Dimension::y);
  Value z = gpu::BlockIdOp::create(b, gpu::Dimension::z);
  if (!config.longestFirst)
    return {x, y, z};
  // CTAs start in linear block order; see FlashKernelConfig::longestFirst.
  int64_t headGroups = config.headGroups();
  int64_t groupSlices = config.launchGroupSlices;
  Value linear =
      add(x, mul(index(config.numChunks), add(y, mul(index(headGroups), z))));
  Value group = div(linear, groupSlices * config.numChunks);
  Value inGroup = rem(linear, groupSlices * config.numChunks);
  Value slice = add(mul(group, index(groupSlices)), rem(inGroup, groupSlices));
  Value chunk = sub(index(config.numChunks - 1), div(inGroup, groupSlices));
  return {chunk, rem(slice, headGroups), div(slice, headGroups)};
}

Value FlashKernelEmitter::sharedView(Value sharedMemory, Value byteOffset,
                                     int64_t rows) {
  auto workgroup = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  auto type = MemRefType::get({rows, config.headDim}, config.elementType,
                              MemRefLayoutAttrInterface(), workgroup);
  return memref::ViewOp::create(b, type, sharedMemory, byteOffset,
                                ValueRange{});
}

void FlashKernelEmitter::copyRowsAsync(Value source, Value tile, Value firstRow,
                                       int64_t rows, int64_t length,
                                       Value firstHead, int64_t headsPerRow) {
  int64_t chunksPerRow = config.headDim / 8;
  int64_t copiesPerThread = rows * chunksPerRow / config.numThreads();
  Value thread = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  for (int64_t i = 0; i < copiesPerThread; ++i) {
    Value copy = add(thread, index(i * config.numThreads()));
    Value row = div(copy, chunksPerRow);
    Value chunk = rem(copy, chunksPerRow);
    Value sequenceIndex = add(firstRow, div(row, headsPerRow));
    Value headIndex = add(firstHead, rem(row, headsPerRow));
    Value valid = inRange(sequenceIndex, 0, length);
    // Rows outside the sequence read nothing and land as zeros.
    Value clamped = arith::SelectOp::create(b, valid, sequenceIndex, index(0));
    Value sourceElements =
        arith::SelectOp::create(b, valid, index(8), index(0));
    nvgpu::DeviceAsyncCopyOp::create(
        b, tile, ValueRange{row, fragments->swizzledColumn(row, chunk)}, source,
        ValueRange{batchIndex, clamped, headIndex, mul(chunk, index(8))},
        b.getIndexAttr(8), sourceElements, b.getUnitAttr());
  }
}

Value FlashKernelEmitter::queryPosition(int half) {
  Value row = add(rowInWarp, index(8 * half));
  return add(chunkStart, div(row, config.packedHeads));
}

Value FlashKernelEmitter::queryHead(int half) {
  Value row = add(rowInWarp, index(8 * half));
  return add(mul(headGroup, index(config.packedHeads)),
             rem(row, config.packedHeads));
}

void FlashKernelEmitter::waitForCopies(int64_t pending) {
  NVVM::CpAsyncWaitGroupOp::create(b, b.getI32IntegerAttr(pending));
  gpu::BarrierOp::create(b);
}

Value FlashKernelEmitter::maskedTrailingChunks(const RowWalk &walk) {
  int64_t chunks = config.chunksPerBlock();
  if (!config.causal || chunks == 1)
    return index(0);
  Value lastQuery = arith::MinSIOp::create(
      b, add(chunkStart, index(config.ctaPositions() - 1)),
      index(config.qStart + config.qLen - 1));
  auto hasEntries = scf::IfOp::create(
      b, TypeRange{b.getIndexType()},
      cmp(arith::CmpIPredicate::sgt, walk.numEntries, index(0)),
      /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&hasEntries.getThenRegion().front());
  Value lastBlock = walk.keyBlock(sub(walk.numEntries, index(1)));
  Value keysBefore =
      sub(add(lastQuery, index(1)), mul(lastBlock, index(config.block)));
  // ceil(keysBefore / kvChunk) chunks hold a key the CTA may see.
  Value visible =
      arith::CeilDivSIOp::create(b, keysBefore, index(config.kvChunk));
  visible = arith::MaxSIOp::create(
      b, arith::MinSIOp::create(b, visible, index(chunks)), index(0));
  scf::YieldOp::create(b, sub(index(chunks), visible));
  b.setInsertionPointToStart(&hasEntries.getElseRegion().front());
  scf::YieldOp::create(b, index(0));
  return hasEntries.getResult(0);
}

SmallVector<Value>
FlashKernelEmitter::computeScores(ArrayRef<AFragment> queryFragments,
                                  Value keyTile) {
  Value zero = arith::ConstantOp::create(
      b, DenseElementsAttr::get(VectorType::get({4}, b.getF32Type()), 0.0f));
  SmallVector<Value> scores;
  for (int64_t keys = 0; keys < config.kvChunk; keys += 8) {
    Value acc = zero;
    for (int64_t d = 0; d < config.headDim; d += 32) {
      std::array<BFragment, 2> keyFragments =
          fragments->loadBTransposedTile(keyTile, keys, d);
      acc = fragments->mma(queryFragments[d / 16], keyFragments[0], acc);
      acc = fragments->mma(queryFragments[d / 16 + 1], keyFragments[1], acc);
    }
    scores.push_back(acc);
  }
  return scores;
}

SmallVector<Value> FlashKernelEmitter::maskScores(ArrayRef<Value> scores,
                                                  Value chunkKeyPos,
                                                  Value rowMask) {
  Value minusInf = f32(-std::numeric_limits<double>::infinity());
  Value laneColumn = mul(rem(lane, 4), index(2));
  // A row's Merge-Q sub-row decides which bit of the entry's mask applies.
  auto subRowUses = [&](Value qPos) {
    Value subRow = div(sub(qPos, qTileStart), config.block);
    Value shifted = arith::ShRUIOp::create(
        b, rowMask, arith::IndexCastOp::create(b, b.getI32Type(), subRow));
    Value bit = arith::AndIOp::create(
        b, shifted, arith::ConstantOp::create(b, b.getI32IntegerAttr(1)));
    return cmp(arith::CmpIPredicate::ne,
               arith::IndexCastOp::create(b, b.getIndexType(), bit), index(0));
  };
  Value rowUses[2] = {subRowUses(queryPosition(0)),
                      subRowUses(queryPosition(1))};
  SmallVector<Value> masked;
  for (auto [tileIndex, tile] : llvm::enumerate(scores)) {
    SmallVector<Value, 4> elements;
    for (int64_t i = 0; i < 4; ++i) {
      int64_t half = i / 2;
      Value keyPos =
          add(chunkKeyPos, add(index(tileIndex * 8 + i % 2), laneColumn));
      Value keyExists =
          inRange(keyPos, config.kvStart, config.kvStart + config.kvLen);
      Value keep = arith::AndIOp::create(b, keyExists, rowUses[half]);
      if (config.causal)
        keep = arith::AndIOp::create(
            b, keep,
            cmp(arith::CmpIPredicate::sle, keyPos, queryPosition(half)));
      Value score = vector::ExtractOp::create(b, tile, ArrayRef<int64_t>{i});
      elements.push_back(arith::SelectOp::create(b, keep, score, minusInf));
    }
    masked.push_back(vector::FromElementsOp::create(
        b, VectorType::get({4}, b.getF32Type()), elements));
  }
  return masked;
}

namespace {
/// Row statistics and the output accumulator carried across key chunks.
struct SoftmaxState {
  Value max[2], sum[2];
  SmallVector<Value> output;

  SmallVector<Value> flatten() const {
    SmallVector<Value> values = {max[0], max[1], sum[0], sum[1]};
    values.append(output.begin(), output.end());
    return values;
  }
  static SoftmaxState unflatten(ValueRange values) {
    SoftmaxState state;
    state.max[0] = values[0];
    state.max[1] = values[1];
    state.sum[0] = values[2];
    state.sum[1] = values[3];
    state.output.assign(values.begin() + 4, values.end());
    return state;
  }
};
} // namespace

static Value quadReduce(ImplicitLocOpBuilder &b, Value value, bool isMax) {
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

static Value exp2(ImplicitLocOpBuilder &b, Value x) {
  // One MUFU.EX2; ex2.approx.ftz maps -inf to +0, which masked scores need.
  return LLVM::CallIntrinsicOp::create(
             b, b.getF32Type(), b.getStringAttr("llvm.nvvm.ex2.approx.ftz.f"),
             ValueRange{x})
      .getResult(0);
}

static Value element(ImplicitLocOpBuilder &b, Value vector, int64_t i) {
  return vector::ExtractOp::create(b, vector, ArrayRef<int64_t>{i});
}

/// Rescales and accumulates the chunk's probabilities; returns P per tile.
/// Scores and the running max stay unscaled: p = exp2(s * c - max * c) is one
/// FFMA and one MUFU.EX2 per score, with c = scale * log2(e).
static SmallVector<Value> updateSoftmax(ImplicitLocOpBuilder &b,
                                        SoftmaxState &state,
                                        ArrayRef<Value> scores,
                                        Value log2Scale) {
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
    newMax[half] = arith::MaximumFOp::create(b, state.max[half], rowMax);
    // A row that has seen only masked keys keeps max -inf; shifting by 0
    // instead keeps exp2 at 0 rather than NaN.
    Value allMasked = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ,
                                            newMax[half], minusInf);
    Value shift = arith::SelectOp::create(
        b, allMasked, zero, arith::MulFOp::create(b, newMax[half], log2Scale));
    negShift[half] = arith::NegFOp::create(b, shift);
    correction[half] = exp2(
        b, math::FmaOp::create(b, state.max[half], log2Scale, negShift[half]));
  }
  SmallVector<Value> probabilities;
  Value rowSum[2] = {zero, zero};
  for (Value tile : scores) {
    SmallVector<Value, 4> p;
    for (int64_t i = 0; i < 4; ++i) {
      Value value = exp2(b, math::FmaOp::create(b, element(b, tile, i),
                                                log2Scale, negShift[i / 2]));
      rowSum[i / 2] = arith::AddFOp::create(b, rowSum[i / 2], value);
      p.push_back(value);
    }
    probabilities.push_back(
        vector::FromElementsOp::create(b, VectorType::get({4}, f32), p));
  }
  for (int half = 0; half < 2; ++half) {
    state.sum[half] = arith::AddFOp::create(
        b, arith::MulFOp::create(b, state.sum[half], correction[half]),
        rowSum[half]);
    state.max[half] = newMax[half];
  }
  Value scale = vector::FromElementsOp::create(
      b, VectorType::get({4}, f32),
      ValueRange{correction[0], correction[0], correction[1], correction[1]});
  for (Value &tile : state.output)
    tile = arith::MulFOp::create(b, tile, scale);
  return probabilities;
}

gpu::GPUFuncOp FlashKernelEmitter::emit(gpu::GPUModuleOp module,
                                        StringRef name) {
  MLIRContext *context = b.getContext();

  Type elementType = config.elementType;
  int64_t D = config.headDim;
  auto qType = MemRefType::get({config.batch, config.qLen, config.heads, D},
                               elementType);
  auto kvType = MemRefType::get({config.batch, config.kvLen, config.kvHeads, D},
                                elementType);
  SmallVector<Type> argumentTypes = {qType, kvType, kvType, qType};
  if (config.hasLse)
    argumentTypes.push_back(MemRefType::get(
        {config.batch, config.heads, config.qLen}, b.getF32Type()));

  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto func = gpu::GPUFuncOp::create(
      b, name, FunctionType::get(context, argumentTypes, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({int32_t(config.numThreads()), 1, 1}));
  // Left alone, ptxas caps registers for occupancy and spills; asking for
  // minCTAsPerSM keeps every shipped shape spill-free
  // (test/Conversion/.../no-spills.test).
  func->setAttr("nvvm.minctasm", b.getI32IntegerAttr(config.minCTAsPerSM()));
  Block &body = func.getBody().front();
  b.setInsertionPointToStart(&body);
  Value query = body.getArgument(0), key = body.getArgument(1),
        value = body.getArgument(2), out = body.getArgument(3);

  Value thread = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  lane = rem(thread, 32);
  warp = div(thread, 32);
  rowInWarp = add(mul(warp, index(16)), div(lane, 4));
  Value chunkOrdinal;
  std::tie(chunkOrdinal, headGroup, batchIndex) = assignWork();
  Value chunkIndex = add(chunkOrdinal, index(config.firstChunk));
  Value firstHead = mul(headGroup, index(config.packedHeads));
  kvHead = div(firstHead, config.heads / config.kvHeads);
  chunkStart = mul(chunkIndex, index(config.ctaPositions()));
  // The CTA's positions lie in one schedule tile; its row is that of the
  // group's first head (packing needs a pattern shared by the group).
  Value qTileIndex = div(chunkStart, config.qTile);
  Value tileInChunk = sub(qTileIndex, index(config.firstQTile));
  qTileStart = mul(qTileIndex, index(config.qTile));
  RowCoordinates where{
      firstHead, kvHead, qTileIndex, tileInChunk,
      arith::MaxSIOp::create(b, chunkStart, index(config.qStart))};

  MmaSyncFragments mmaFragments(b, elementType, lane);
  fragments = &mmaFragments;

  auto workgroup = gpu::AddressSpaceAttr::get(
      context, gpu::GPUDialect::getWorkgroupAddressSpace());
  Value shared = gpu::DynamicSharedMemoryOp::create(
      b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                         MemRefLayoutAttrInterface(), workgroup));
  Value queryTile = sharedView(
      shared, index(config.numStages * config.kvStageBytes()), config.ctaRows);

  // The Q tile: once into shared memory, then into registers for good. Its
  // copy is in flight together with the first K/V tiles'.
  copyRowsAsync(query, queryTile, sub(chunkStart, index(config.qStart)),
                config.ctaRows, config.qLen, firstHead, config.packedHeads);
  NVVM::CpAsyncCommitGroupOp::create(b);

  RowWalk walk = config.schedule
                     ? buildScheduleWalk(b, config, module, name, where)
                     : buildClosedFormWalk(b, config, where);
  int64_t chunks = config.chunksPerBlock();
  Value numSteps =
      sub(mul(walk.numEntries, index(chunks)), maskedTrailingChunks(walk));

  auto entryOf = [&](Value step) { return div(step, chunks); };
  auto chunkKeyPosition = [&](Value step) {
    Value block = walk.keyBlock(entryOf(step));
    return add(mul(block, index(config.block)),
               mul(rem(step, chunks), index(config.kvChunk)));
  };
  auto stageTiles = [&](Value step) {
    Value stageOffset =
        mul(rem(step, config.numStages), index(config.kvStageBytes()));
    Value keyTile = sharedView(shared, stageOffset, config.kvChunk);
    Value valueTile = sharedView(
        shared,
        add(stageOffset, index(config.kvChunk * D * config.elementBytes())),
        config.kvChunk);
    return std::make_pair(keyTile, valueTile);
  };
  auto issueLoads = [&](Value step) {
    auto [keyTile, valueTile] = stageTiles(step);
    Value firstKey = sub(chunkKeyPosition(step), index(config.kvStart));
    copyRowsAsync(key, keyTile, firstKey, config.kvChunk, config.kvLen, kvHead,
                  1);
    copyRowsAsync(value, valueTile, firstKey, config.kvChunk, config.kvLen,
                  kvHead, 1);
  };

  // One commit group per step, empty past the end, so that "all but the
  // newest numStages - 2 groups" always means "this step's tiles".
  auto issueLoadsIfAny = [&](Value step) {
    scf::IfOp::create(b, cmp(arith::CmpIPredicate::slt, step, numSteps),
                      [&](OpBuilder &, Location) {
                        issueLoads(step);
                        scf::YieldOp::create(b);
                      });
    NVVM::CpAsyncCommitGroupOp::create(b);
  };
  for (int64_t ahead = 0; ahead < config.numStages - 1; ++ahead)
    issueLoadsIfAny(index(ahead));
  waitForCopies(config.numStages - 1);
  SmallVector<AFragment> queryFragments;
  for (int64_t d = 0; d < D; d += 16)
    queryFragments.push_back(
        mmaFragments.loadA(queryTile, mul(warp, index(16)), d));

  SoftmaxState initial;
  Value minusInf = f32(-std::numeric_limits<double>::infinity());
  initial.max[0] = initial.max[1] = minusInf;
  initial.sum[0] = initial.sum[1] = f32(0.0);
  Value zeroTile = arith::ConstantOp::create(
      b, DenseElementsAttr::get(VectorType::get({4}, b.getF32Type()), 0.0f));
  initial.output.assign(D / 8, zeroTile);

  Value scoreScale = f32(config.scale * M_LOG2E);
  auto loop = scf::ForOp::create(
      b, index(0), numSteps, index(1), initial.flatten(),
      [&](OpBuilder &, Location, Value step, ValueRange carried) {
        SoftmaxState state = SoftmaxState::unflatten(carried);
        waitForCopies(config.numStages - 2);
        // The buffer this load fills was last read in the previous step,
        // which every thread finished before the barrier above.
        issueLoadsIfAny(add(step, index(config.numStages - 1)));
        auto [keyTile, valueTile] = stageTiles(step);
        SmallVector<Value> scores = computeScores(queryFragments, keyTile);

        Value entry = entryOf(step);
        Value needsMask = walk.needsMask(entry);
        SmallVector<Type> tileTypes(scores.size(), scores.front().getType());
        auto maskIf = scf::IfOp::create(b, tileTypes, needsMask,
                                        /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard thenGuard(b);
          b.setInsertionPointToStart(&maskIf.getThenRegion().front());
          Value rowMask = walk.rowMask(entry);
          scf::YieldOp::create(
              b, maskScores(scores, chunkKeyPosition(step), rowMask));
          b.setInsertionPointToStart(&maskIf.getElseRegion().front());
          scf::YieldOp::create(b, scores);
        }
        SmallVector<Value> probabilities = updateSoftmax(
            b, state, llvm::to_vector_of<Value>(maskIf.getResults()),
            scoreScale);

        for (int64_t k = 0; k < config.kvChunk; k += 16) {
          AFragment p = mmaFragments.packA(probabilities[k / 8],
                                           probabilities[k / 8 + 1]);
          for (int64_t d = 0; d < D; d += 16) {
            std::array<BFragment, 2> valueFragments =
                mmaFragments.loadB(valueTile, k, d);
            state.output[d / 8] =
                mmaFragments.mma(p, valueFragments[0], state.output[d / 8]);
            state.output[d / 8 + 1] =
                mmaFragments.mma(p, valueFragments[1], state.output[d / 8 + 1]);
          }
        }
        scf::YieldOp::create(b, state.flatten());
      });
  SoftmaxState final = SoftmaxState::unflatten(loop.getResults());

  // Epilogue: normalize O into the (now free) Q tile of shared memory, write
  // it out in coalesced 16-byte rows, and store the natural-log LSE.
  Value zero = f32(0.0), one = f32(1.0);
  Value laneColumn = mul(rem(lane, 4), index(2));
  // A row with no steps passed no barrier since the warps read Q.
  gpu::BarrierOp::create(b);
  for (int half = 0; half < 2; ++half) {
    Value total = quadReduce(b, final.sum[half], /*isMax=*/false);
    Value hasKeys =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, total, zero);
    Value inverse = arith::SelectOp::create(
        b, hasKeys, arith::DivFOp::create(b, one, total), zero);
    Value tileRow = add(rowInWarp, index(8 * half));
    for (int64_t tile = 0; tile < D / 8; ++tile) {
      Value lo = arith::MulFOp::create(
          b, element(b, final.output[tile], 2 * half), inverse);
      Value hi = arith::MulFOp::create(
          b, element(b, final.output[tile], 2 * half + 1), inverse);
      Value pair = vector::FromElementsOp::create(
          b, VectorType::get({2}, elementType),
          ValueRange{arith::TruncFOp::create(b, elementType, lo),
                     arith::TruncFOp::create(b, elementType, hi)});
      Value column =
          add(mmaFragments.swizzledColumn(tileRow, index(tile)), laneColumn);
      vector::StoreOp::create(b, pair, queryTile, ValueRange{tileRow, column},
                              /*nontemporal=*/false, llvm::Align(4));
    }
    if (!config.hasLse)
      continue;
    Value qIndex = sub(queryPosition(half), index(config.qStart));
    Value lse = arith::SelectOp::create(
        b, hasKeys,
        arith::MulFOp::create(
            b,
            arith::AddFOp::create(
                b, arith::MulFOp::create(b, final.max[half], scoreScale),
                math::Log2Op::create(b, total)),
            f32(M_LN2)),
        minusInf);
    Value ownsRow = arith::AndIOp::create(
        b, inRange(qIndex, 0, config.qLen),
        cmp(arith::CmpIPredicate::eq, rem(lane, 4), index(0)));
    scf::IfOp::create(b, ownsRow, [&](OpBuilder &, Location) {
      memref::StoreOp::create(b, lse, body.getArgument(4),
                              ValueRange{batchIndex, queryHead(half), qIndex});
      scf::YieldOp::create(b);
    });
  }
  gpu::BarrierOp::create(b);
  int64_t chunksPerRow = D / 8;
  int64_t copiesPerThread = config.ctaRows * chunksPerRow / config.numThreads();
  auto chunkType = VectorType::get({8}, elementType);
  for (int64_t i = 0; i < copiesPerThread; ++i) {
    Value copy = add(thread, index(i * config.numThreads()));
    Value row = div(copy, chunksPerRow);
    Value chunk = rem(copy, chunksPerRow);
    Value qIndex = sub(add(chunkStart, div(row, config.packedHeads)),
                       index(config.qStart));
    Value head = add(mul(headGroup, index(config.packedHeads)),
                     rem(row, config.packedHeads));
    scf::IfOp::create(
        b, inRange(qIndex, 0, config.qLen), [&](OpBuilder &, Location) {
          // 16-byte accesses: the runtime requires 16-byte aligned tensors,
          // and rows and chunks are multiples of 16 bytes.
          Value values = vector::LoadOp::create(
              b, chunkType, queryTile,
              ValueRange{row, mmaFragments.swizzledColumn(row, chunk)},
              /*nontemporal=*/false, llvm::Align(16));
          vector::StoreOp::create(
              b, values, out,
              ValueRange{batchIndex, qIndex, head, mul(chunk, index(8))},
              /*nontemporal=*/false, llvm::Align(16));
          scf::YieldOp::create(b);
        });
  }
  gpu::ReturnOp::create(b);
  return func;
}

gpu::GPUFuncOp mlir::s2attn::buildFlashKernel(OpBuilder &builder, Location loc,
                                              gpu::GPUModuleOp module,
                                              StringRef name,
                                              const FlashKernelConfig &config) {
  ImplicitLocOpBuilder b(loc, builder);
  FlashKernelEmitter emitter(b, config);
  return emitter.emit(module, name);
}
