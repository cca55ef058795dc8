//===- FlashKernel.cpp - the mma.sync S2 attention kernel -----------------===//
//
// One CTA computes `ctaRows` rows of one query tile of one batch: positions
// of one query head, or of a GQA group's packed heads. Each warp owns 16
// rows, or, under key splits (decoding), shares its 16 rows with the warps
// of the other splits and walks every second or fourth step; the CTAs of a
// cluster may split the walk further. The CTA walks its schedule row: for
// every attended key block, chunks of `kvChunk` keys are copied (cp.async,
// `numStages` stages) into swizzled shared memory, S = Q K^T and O += P V
// run on mma.sync, and the softmax is kept online in base 2. Only the
// schedule's masked entries pay for the token mask. The epilogue is in
// FlashKernelOutput.cpp; the splits' steps and merges in SplitWalks.cpp;
// which work item a CTA takes, and the two grids, in FlashKernelGrid.cpp.
//
//===----------------------------------------------------------------------===//

#include "FlashKernelEmitter.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>
#include <limits>
#include <numeric>

using namespace mlir;
using namespace mlir::s2attn;

Value FlashKernelEmitter::inRange(Value value, int64_t lower, int64_t upper) {
  Value aboveLower = cmp(arith::CmpIPredicate::sge, value, index(lower));
  Value belowUpper = cmp(arith::CmpIPredicate::slt, value, index(upper));
  return arith::AndIOp::create(b, aboveLower, belowUpper);
}

RowWalk FlashKernelEmitter::buildWalk(const WorkItem &item) {
  return config.schedule ? buildScheduleWalk(b, config, module, name, item.where)
                         : buildClosedFormWalk(b, config, item.where);
}

Value FlashKernelEmitter::countSteps(const WorkItem &item,
                                     const RowWalk &walk) {
  return sub(mul(walk.numEntries, index(config.chunksPerBlock())),
             maskedTrailingChunks(item, walk));
}

Value FlashKernelEmitter::sharedView(Value byteOffset, int64_t rows) {
  auto workgroup = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  auto type = MemRefType::get({rows, config.headDim}, config.elementType,
                              MemRefLayoutAttrInterface(), workgroup);
  return memref::ViewOp::create(b, type, shared, byteOffset, ValueRange{});
}

Value FlashKernelEmitter::stageOffset(Value stage) {
  Value buffer = rem(stage, config.numStages);
  if (config.keySplits > 1)
    buffer = add(mul(splitIndex, index(config.numStages)), buffer);
  return mul(buffer, index(config.kvStageBytes()));
}

std::pair<Value, Value> FlashKernelEmitter::stageTiles(Value stage) {
  Value offset = stageOffset(stage);
  Value keyTile = sharedView(offset, config.kvChunk);
  Value valueTile = sharedView(
      add(offset,
          index(config.kvChunk * config.headDim * config.elementBytes())),
      config.kvChunk);
  return {keyTile, valueTile};
}

FlashKernelEmitter::TileCopies
FlashKernelEmitter::tileCopies(Value firstRow, Value thread, int64_t threads,
                               int64_t rows) {
  int64_t chunksPerRow = config.headDim / 8;
  int64_t rowsPerCopy = threads / chunksPerRow;
  assert(rows % rowsPerCopy == 0 && "every thread copies whole rows");
  Value threadRow = add(firstRow, div(thread, chunksPerRow));
  Value chunk = rem(thread, chunksPerRow);
  int64_t count = rows / rowsPerCopy;
  int64_t period = std::min(8 / std::gcd<int64_t>(rowsPerCopy, 8), count);
  SmallVector<Value, 8> columns;
  for (int64_t i = 0; i < period; ++i)
    columns.push_back(fragments->swizzledColumn(
        add(threadRow, index(i * rowsPerCopy)), chunk));
  return TileCopies{threadRow, chunk, columns, rowsPerCopy, count};
}

FlashKernelEmitter::TileCopies FlashKernelEmitter::tileCopies(int64_t rows) {
  return tileCopies(index(0), gpu::ThreadIdOp::create(b, gpu::Dimension::x),
                    config.numThreads(), rows);
}

std::pair<Value, Value> FlashKernelEmitter::tileRowSource(
    const TileCopies &copies, int64_t rowOffset, Value firstRow,
    Value firstHead, int64_t headsPerRow) {
  if (rowOffset % headsPerRow == 0)
    return {add(add(firstRow, div(copies.threadRow, headsPerRow)),
                index(rowOffset / headsPerRow)),
            add(firstHead, rem(copies.threadRow, headsPerRow))};
  Value row = add(copies.threadRow, index(rowOffset));
  return {add(firstRow, div(row, headsPerRow)),
          add(firstHead, rem(row, headsPerRow))};
}

void FlashKernelEmitter::copyRowsAsync(Value source, Value tile, Value batch,
                                       Value firstRow,
                                       const TileCopies &copies,
                                       int64_t length, bool inBounds,
                                       Value firstHead, int64_t headsPerRow) {
  Value column = mul(copies.chunk, index(8));
  for (int64_t i = 0; i < copies.count; ++i) {
    int64_t rowOffset = i * copies.rowsPerCopy;
    Value row = add(copies.threadRow, index(rowOffset));
    auto [sequenceIndex, headIndex] =
        tileRowSource(copies, rowOffset, firstRow, firstHead, headsPerRow);
    Value sourceElements;
    if (!inBounds) {
      // Rows outside the sequence read nothing and land as zeros.
      Value valid = inRange(sequenceIndex, 0, length);
      sequenceIndex =
          arith::SelectOp::create(b, valid, sequenceIndex, index(0));
      sourceElements = arith::SelectOp::create(b, valid, index(8), index(0));
    }
    nvgpu::DeviceAsyncCopyOp::create(
        b, tile, ValueRange{row, copies.column(i)}, source,
        ValueRange{batch, sequenceIndex, headIndex, column}, b.getIndexAttr(8),
        sourceElements, b.getUnitAttr());
  }
}

void FlashKernelEmitter::issueQueryLoad(const WorkItem &item) {
  Value firstRow = sub(item.chunkStart, index(config.qStart));
  TileCopies copies = tileCopies(config.ctaRows);
  copyRowsAsync(query, queryTile, item.batch, firstRow, copies, config.qLen,
                config.queryChunksInBounds(), item.firstHead,
                config.packedHeads);
}

Value FlashKernelEmitter::chunkKeyPosition(const RowWalk &walk, Value step) {
  int64_t chunks = config.chunksPerBlock();
  Value block = walk.keyBlock(div(step, chunks));
  return add(mul(block, index(config.block)),
             mul(rem(step, chunks), index(config.kvChunk)));
}

void FlashKernelEmitter::issueKVLoads(const WorkItem &item,
                                      const RowWalk &walk, Value step,
                                      Value stage) {
  auto [keyTile, valueTile] = stageTiles(stage);
  Value firstKey = sub(chunkKeyPosition(walk, step), index(config.kvStart));
  bool inBounds = config.keyChunksInBounds();
  copyRowsAsync(key, keyTile, item.batch, firstKey, keyValueCopies(),
                config.kvLen, inBounds, item.kvHead, 1);
  copyRowsAsync(value, valueTile, item.batch, firstKey, keyValueCopies(),
                config.kvLen, inBounds, item.kvHead, 1);
}

FlashKernelEmitter::TileCopies FlashKernelEmitter::keyValueCopies() {
  // Key splits: the warps of a split fill its stages.
  if (config.keySplits > 1) {
    int64_t rowWarps = config.rowWarps();
    Value thread =
        rowWarps == 1 ? lane : add(mul(rowGroup, index(32)), lane);
    return tileCopies(index(0), thread, 32 * rowWarps, config.kvChunk);
  }
  return tileCopies(config.kvChunk);
}

Value FlashKernelEmitter::walkStep(Value step) {
  if (config.keyWalkers() == 1)
    return step;
  return add(keyWalker(), mul(step, index(config.keyWalkers())));
}

void FlashKernelEmitter::waitForStepCopies(int64_t pending) {
  if (config.keySplits == 1)
    return waitForCopies(pending);
  // A split's stages are filled and read by its warps alone.
  NVVM::CpAsyncWaitGroupOp::create(b, b.getI32IntegerAttr(pending));
  if (config.rowWarps() == 1)
    return syncWarp();
  // Barrier 0 is the CTA's; split s syncs its warps on barrier 1 + s.
  assert(config.keySplits < 16 && "a CTA has 16 named barriers");
  Value id = arith::IndexCastOp::create(b, b.getI32Type(),
                                        add(splitIndex, index(1)));
  NVVM::BarrierOp::create(b, TypeRange{}, id, i32(32 * config.rowWarps()), {},
                          Value());
}

void FlashKernelEmitter::syncWarp() {
  NVVM::SyncWarpOp::create(
      b, arith::ConstantOp::create(b, b.getI32IntegerAttr(-1)));
}

void FlashKernelEmitter::issueKVLoadsIfAny(const WorkItem &item,
                                           const RowWalk &walk, Value numSteps,
                                           Value step, Value stage) {
  scf::IfOp::create(b, cmp(arith::CmpIPredicate::slt, step, numSteps),
                    [&](OpBuilder &, Location) {
                      issueKVLoads(item, walk, step, stage);
                      scf::YieldOp::create(b);
                    });
  NVVM::CpAsyncCommitGroupOp::create(b);
}

Value FlashKernelEmitter::queryPosition(const WorkItem &item, int half) {
  Value row = add(rowInWarp, index(8 * half));
  return add(item.chunkStart, div(row, config.packedHeads));
}

Value FlashKernelEmitter::queryHead(const WorkItem &item, int half) {
  Value row = add(rowInWarp, index(8 * half));
  return add(item.firstHead, rem(row, config.packedHeads));
}

void FlashKernelEmitter::waitForCopies(int64_t pending) {
  NVVM::CpAsyncWaitGroupOp::create(b, b.getI32IntegerAttr(pending));
  gpu::BarrierOp::create(b);
}

Value FlashKernelEmitter::maskedTrailingChunks(const WorkItem &item,
                                               const RowWalk &walk) {
  int64_t chunks = config.chunksPerBlock();
  if (!config.causal || chunks == 1)
    return index(0);
  Value lastQuery = arith::MinSIOp::create(
      b, add(item.chunkStart, index(config.ctaPositions() - 1)),
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
                                  Value keyTile, int64_t keys) {
  Value zero = arith::ConstantOp::create(
      b, DenseElementsAttr::get(VectorType::get({4}, b.getF32Type()), 0.0f));
  SmallVector<Value> scores;
  for (int64_t firstKey = 0; firstKey < keys; firstKey += 8) {
    Value acc = zero;
    for (int64_t d = 0; d < config.headDim; d += 32) {
      std::array<BFragment, 2> keyFragments =
          fragments->loadBTransposedTile(keyTile, firstKey, d);
      acc = fragments->mma(queryFragments[d / 16], keyFragments[0], acc);
      acc = fragments->mma(queryFragments[d / 16 + 1], keyFragments[1], acc);
    }
    scores.push_back(acc);
  }
  return scores;
}

SmallVector<Value> FlashKernelEmitter::maskScores(const WorkItem &item,
                                                  ArrayRef<Value> scores,
                                                  Value chunkKeyPos,
                                                  Value rowMask) {
  Value minusInf = f32(-std::numeric_limits<double>::infinity());
  Value laneColumn = mul(rem(lane, 4), index(2));
  // A row's Merge-Q sub-row decides which bit of the entry's mask applies.
  auto subRowUses = [&](Value qPos) {
    Value subRow = div(sub(qPos, item.qTileStart), config.block);
    Value shifted = arith::ShRUIOp::create(
        b, rowMask, arith::IndexCastOp::create(b, b.getI32Type(), subRow));
    Value bit = arith::AndIOp::create(
        b, shifted, arith::ConstantOp::create(b, b.getI32IntegerAttr(1)));
    return cmp(arith::CmpIPredicate::ne,
               arith::IndexCastOp::create(b, b.getIndexType(), bit), index(0));
  };
  // Without Merge-Q a tile has one block row, which uses every entry; keys
  // past the end exist only where the last block is partial.
  bool oneBlockRow = config.qTile == config.block;
  Value always = arith::ConstantOp::create(b, b.getBoolAttr(true));
  Value rowUses[2] = {always, always};
  if (!oneBlockRow)
    for (int half = 0; half < 2; ++half)
      rowUses[half] = subRowUses(queryPosition(item, half));
  SmallVector<Value> masked;
  for (auto [tileIndex, tile] : llvm::enumerate(scores)) {
    SmallVector<Value, 4> elements;
    for (int64_t i = 0; i < 4; ++i) {
      int64_t half = i / 2;
      Value keyPos =
          add(chunkKeyPos, add(index(tileIndex * 8 + i % 2), laneColumn));
      Value keep = rowUses[half];
      if (!config.keyChunksInBounds())
        keep = arith::AndIOp::create(
            b, keep,
            inRange(keyPos, config.kvStart, config.kvStart + config.kvLen));
      if (config.causal)
        keep = arith::AndIOp::create(
            b, keep,
            cmp(arith::CmpIPredicate::sle, keyPos, queryPosition(item, half)));
      Value score = element(b, tile, i);
      elements.push_back(arith::SelectOp::create(b, keep, score, minusInf));
    }
    masked.push_back(vector::FromElementsOp::create(
        b, VectorType::get({4}, b.getF32Type()), elements));
  }
  return masked;
}

SmallVector<AFragment> FlashKernelEmitter::loadQueryFragments() {
  SmallVector<AFragment> queryFragments;
  for (int64_t d = 0; d < config.headDim; d += 16)
    queryFragments.push_back(fragments->loadA(queryTile, warpFirstRow, d));
  return queryFragments;
}

void FlashKernelEmitter::accumulateStep(const WorkItem &item,
                                        const RowWalk &walk,
                                        SoftmaxState &state,
                                        ArrayRef<Value> scores, Value step,
                                        Value valueTile, Value scoreScale) {
  Value walked = walkStep(step);
  Value entry = div(walked, config.chunksPerBlock());
  Value needsMask = walk.needsMask(entry);
  SmallVector<Type> tileTypes(scores.size(), scores.front().getType());
  auto maskIf =
      scf::IfOp::create(b, tileTypes, needsMask, /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard thenGuard(b);
    b.setInsertionPointToStart(&maskIf.getThenRegion().front());
    Value rowMask = walk.rowMask(entry);
    scf::YieldOp::create(
        b, maskScores(item, scores, chunkKeyPosition(walk, walked), rowMask));
    b.setInsertionPointToStart(&maskIf.getElseRegion().front());
    scf::YieldOp::create(b, scores);
  }
  accumulateValues(state,
                   updateSoftmax(b, state,
                                 llvm::to_vector_of<Value>(maskIf.getResults()),
                                 scoreScale),
                   valueTile);
}

void FlashKernelEmitter::accumulateValues(SoftmaxState &state,
                                          ArrayRef<Value> probabilities,
                                          Value valueTile) {
  int64_t keys = 8 * static_cast<int64_t>(probabilities.size());
  for (int64_t k = 0; k < keys; k += 16) {
    AFragment p =
        fragments->packA(probabilities[k / 8], probabilities[k / 8 + 1]);
    for (int64_t d = 0; d < config.headDim; d += 16) {
      std::array<BFragment, 2> valueFragments =
          fragments->loadB(valueTile, k, d);
      state.output[d / 8] =
          fragments->mma(p, valueFragments[0], state.output[d / 8]);
      state.output[d / 8 + 1] =
          fragments->mma(p, valueFragments[1], state.output[d / 8 + 1]);
    }
  }
}

std::pair<Value, Value>
FlashKernelEmitter::beginStep(Value step, Value stepBase,
                              function_ref<void(Value step)> issueAhead) {
  waitForStepCopies(config.numStages - 2);
  // The buffer the next load fills was last read in the previous step,
  // which every thread reading it (the CTA's, or under key splits the
  // split's warps) finished before the sync above.
  issueAhead(step);
  return stageTiles(add(stepBase, step));
}

SmallVector<Value> FlashKernelEmitter::walkFirstStep(
    ArrayRef<AFragment> queryFragments, Value hasFirst, Value stepBase,
    Value scoreScale, function_ref<void(Value step)> issueAhead) {
  SmallVector<Value> initial =
      SoftmaxState::initial(b, config.headDim / 8).flatten();
  auto ifFirst = scf::IfOp::create(b, ValueRange(initial).getTypes(), hasFirst,
                                   /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifFirst.getThenRegion().front());
  auto [keyTile, valueTile] = beginStep(index(0), stepBase, issueAhead);
  SoftmaxState first = SoftmaxState::unflatten(initial);
  SmallVector<Value> scores =
      computeScores(queryFragments, keyTile, config.kvChunk);
  accumulateValues(first,
                   updateSoftmax(b, first, scores, scoreScale, /*fresh=*/true),
                   valueTile);
  scf::YieldOp::create(b, first.flatten());
  b.setInsertionPointToStart(&ifFirst.getElseRegion().front());
  scf::YieldOp::create(b, initial);
  return llvm::to_vector_of<Value>(ifFirst.getResults());
}

SoftmaxState
FlashKernelEmitter::walkRow(const WorkItem &item, const RowWalk &walk,
                            Value numSteps, Value stepBase,
                            function_ref<void(Value step)> issueAhead) {
  // The Q tile's copy group is older than the first step's K/V groups.
  waitForCopies(config.numStages - 1);
  SmallVector<AFragment> queryFragments = loadQueryFragments();
  Value scoreScale = f32(config.scale * M_LOG2E);
  bool peel = config.peelsDiagonal();
  // Peeled, the loop stops before the diagonal, which every causal row
  // has (a causal pattern's local window holds at least the query's own
  // block), and starts after the first step, walked before it on a fresh
  // state when the row has a step besides the diagonal.
  Value loopSteps = peel ? sub(numSteps, index(1)) : numSteps;
  SmallVector<Value> start =
      peel ? walkFirstStep(queryFragments,
                           cmp(arith::CmpIPredicate::sgt, loopSteps, index(0)),
                           stepBase, scoreScale, issueAhead)
           : SoftmaxState::initial(b, config.headDim / 8).flatten();
  auto loop = scf::ForOp::create(
      b, index(peel ? 1 : 0), loopSteps, index(1), start,
      [&](OpBuilder &, Location, Value step, ValueRange carried) {
        SoftmaxState state = SoftmaxState::unflatten(carried);
        auto [keyTile, valueTile] = beginStep(step, stepBase, issueAhead);
        SmallVector<Value> scores =
            computeScores(queryFragments, keyTile, config.kvChunk);
        // Peeled, no step of the loop needs the mask.
        if (peel)
          accumulateValues(state, updateSoftmax(b, state, scores, scoreScale),
                           valueTile);
        else
          accumulateStep(item, walk, state, scores, step, valueTile,
                         scoreScale);
        scf::YieldOp::create(b, state.flatten());
      });
  SoftmaxState state = SoftmaxState::unflatten(loop.getResults());
  if (peel)
    walkDiagonalStep(item, walk, queryFragments, state, loopSteps, stepBase,
                     scoreScale, issueAhead);
  return state;
}

SoftmaxState FlashKernelEmitter::diagonalOfWarp(
    const WorkItem &item, ArrayRef<AFragment> queryFragments,
    SoftmaxState state, int64_t rowWarp, Value keyTile, Value valueTile,
    Value keyPos, Value scoreScale) {
  SmallVector<Value> scores =
      computeScores(queryFragments, keyTile, 16 * (rowWarp + 1));
  // The keys before the warp's own 16 precede all of its rows: only its
  // own two score tiles need the mask.
  int64_t firstOwnTile = 2 * rowWarp;
  Value allRows = arith::ConstantIntOp::create(b, b.getI32Type(), -1);
  SmallVector<Value> own =
      maskScores(item, ArrayRef(scores).drop_front(firstOwnTile),
                 add(keyPos, index(8 * firstOwnTile)), allRows);
  llvm::copy(own, scores.begin() + firstOwnTile);
  accumulateValues(state, updateSoftmax(b, state, scores, scoreScale),
                   valueTile);
  return state;
}

void FlashKernelEmitter::walkDiagonalStep(
    const WorkItem &item, const RowWalk &walk,
    ArrayRef<AFragment> queryFragments, SoftmaxState &state, Value step,
    Value stepBase, Value scoreScale,
    function_ref<void(Value step)> issueAhead) {
  auto [keyTile, valueTile] = beginStep(step, stepBase, issueAhead);
  Value keyPos = chunkKeyPosition(walk, walkStep(step));
  int64_t lastWarp = config.rowWarps() - 1;
  if (lastWarp == 0) {
    state = diagonalOfWarp(item, queryFragments, state, 0, keyTile, valueTile,
                           keyPos, scoreScale);
    return;
  }
  SmallVector<Value> carried = state.flatten();
  SmallVector<int64_t> cases = llvm::to_vector(llvm::seq<int64_t>(0, lastWarp));
  auto byWarp = scf::IndexSwitchOp::create(b, ValueRange(carried).getTypes(),
                                           warp, cases, cases.size());
  // Case w, and the default for the last warp, which sees the whole chunk.
  auto emitCase = [&](Region &region, int64_t rowWarp) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&region.emplaceBlock());
    SoftmaxState own =
        diagonalOfWarp(item, queryFragments, SoftmaxState::unflatten(carried),
                       rowWarp, keyTile, valueTile, keyPos, scoreScale);
    scf::YieldOp::create(b, own.flatten());
  };
  for (auto [i, rowWarp] : llvm::enumerate(cases))
    emitCase(byWarp.getCaseRegions()[i], rowWarp);
  emitCase(byWarp.getDefaultRegion(), lastWarp);
  state = SoftmaxState::unflatten(byWarp.getResults());
}

gpu::GPUFuncOp FlashKernelEmitter::emit(gpu::GPUModuleOp module,
                                        StringRef name) {
  this->module = module;
  this->name = name;
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
  // Left alone, ptxas caps registers for occupancy and spills; the planner's
  // count, lowered where ptxas still spills (SpillFreeCompile.cpp: the
  // artifact, and fit-registers), keeps every shipped shape spill-free
  // (test/Conversion/.../no-spills.test).
  func->setAttr("nvvm.minctasm", b.getI32IntegerAttr(config.residentCTAs));
  if (config.clusterSplits > 1)
    func->setAttr(NVVM::NVVMDialect::getClusterDimAttrName(),
                  b.getDenseI32ArrayAttr(
                      {int32_t(config.clusterSplits), 1, 1}));
  Block &body = func.getBody().front();
  b.setInsertionPointToStart(&body);
  query = body.getArgument(0);
  key = body.getArgument(1);
  value = body.getArgument(2);
  out = body.getArgument(3);
  if (config.hasLse)
    lse = body.getArgument(4);

  Value thread = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  lane = rem(thread, 32);
  warp = div(thread, 32);
  Value quadRow = div(lane, 4);
  // Key splits share the CTA's 16 rows.
  if (config.keySplits > 1) {
    // Warps of one split hold different rows; the splits share them.
    bool oneRowWarp = config.rowWarps() == 1;
    rowGroup = oneRowWarp ? index(0) : rem(warp, config.rowWarps());
    splitIndex = oneRowWarp ? warp : div(warp, config.rowWarps());
    warpFirstRow = oneRowWarp ? index(0) : mul(rowGroup, index(16));
  } else {
    warpFirstRow = mul(warp, index(16));
  }
  rowInWarp = add(warpFirstRow, quadRow);

  MmaSyncFragments mmaFragments(b, elementType, lane);
  fragments = &mmaFragments;
  auto workgroup = gpu::AddressSpaceAttr::get(
      context, gpu::GPUDialect::getWorkgroupAddressSpace());
  shared = gpu::DynamicSharedMemoryOp::create(
      b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                         MemRefLayoutAttrInterface(), workgroup));
  queryTile = sharedView(index(config.queryTileOffset()), config.ctaRows);

  if (config.persistent)
    emitPersistent();
  else
    emitOneItemPerCTA();
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
