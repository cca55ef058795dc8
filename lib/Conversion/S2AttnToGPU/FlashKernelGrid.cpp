//===- FlashKernelGrid.cpp - which work a CTA of the kernel takes ---------===//
//
// Work items are (chunk of query positions, head group, batch). With one CTA
// per item the hardware schedules them in launch order, longest causal rows
// first; the experimental persistent grid is one wave of CTAs that walk the
// launch order themselves and load the next item during the last step of
// the current one.
//
//===----------------------------------------------------------------------===//

#include "FlashKernelEmitter.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::s2attn;

std::tuple<Value, Value, Value> FlashKernelEmitter::assignWork() {
  Value x = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value y = gpu::BlockIdOp::create(b, gpu::Dimension::y);
  Value z = gpu::BlockIdOp::create(b, gpu::Dimension::z);
  if (config.clusterSplits > 1) {
    // A cluster is clusterSplits consecutive CTAs along x, one work item.
    clusterRank = rem(x, config.clusterSplits);
    x = div(x, config.clusterSplits);
  }
  if (config.gridSplits > 1) {
    // The gridSplits clusters of one work item are consecutive along x.
    gridSplit = rem(x, config.gridSplits);
    x = div(x, config.gridSplits);
  }
  if (!config.longestFirst)
    return {x, y, z};
  // CTAs start in linear block order; see FlashKernelConfig::longestFirst.
  Value linear = add(
      x, mul(index(config.numChunks), add(y, mul(index(config.headGroups()), z))));
  return workInLaunchOrder(linear);
}

std::tuple<Value, Value, Value>
FlashKernelEmitter::workInLaunchOrder(Value linear) {
  int64_t headGroups = config.headGroups();
  if (!config.longestFirst) {
    Value slice = div(linear, config.numChunks);
    return {rem(linear, config.numChunks), rem(slice, headGroups),
            div(slice, headGroups)};
  }
  int64_t groupSlices = config.launchGroupSlices;
  Value group = div(linear, groupSlices * config.numChunks);
  Value inGroup = rem(linear, groupSlices * config.numChunks);
  Value slice = add(mul(group, index(groupSlices)), rem(inGroup, groupSlices));
  Value chunk = sub(index(config.numChunks - 1), div(inGroup, groupSlices));
  return {chunk, rem(slice, headGroups), div(slice, headGroups)};
}

WorkItem FlashKernelEmitter::describeWork(std::tuple<Value, Value, Value> work) {
  WorkItem item;
  Value chunkOrdinal;
  std::tie(chunkOrdinal, item.headGroup, item.batch) = work;
  Value chunkIndex = add(chunkOrdinal, index(config.firstChunk));
  if (config.gridSplits > 1)
    item.ordinal = add(chunkOrdinal,
                       mul(index(config.numChunks),
                           add(item.headGroup,
                               mul(index(config.headGroups()), item.batch))));
  item.firstHead = mul(item.headGroup, index(config.packedHeads));
  item.kvHead = div(item.firstHead, config.heads / config.kvHeads);
  item.chunkStart = mul(chunkIndex, index(config.ctaPositions()));
  // The CTA's positions lie in one schedule tile; its row is that of the
  // group's first head (packing needs a pattern shared by the group).
  Value qTileIndex = div(item.chunkStart, config.qTile);
  Value tileInChunk = sub(qTileIndex, index(config.firstQTile));
  item.qTileStart = mul(qTileIndex, index(config.qTile));
  item.where = RowCoordinates{
      item.firstHead, item.kvHead, qTileIndex, tileInChunk,
      arith::MaxSIOp::create(b, item.chunkStart, index(config.qStart))};
  return item;
}

void FlashKernelEmitter::emitOneItemPerCTA() {
  WorkItem item = describeWork(assignWork());
  // The Q tile: once into shared memory, then into registers for good. Its
  // copy is in flight together with the first K/V tiles'.
  issueQueryLoad(item);
  NVVM::CpAsyncCommitGroupOp::create(b);
  RowWalk walk = buildWalk(item);
  Value numSteps = countSteps(item, walk);

  // Local steps s of this thread load walk step walkStep(s) into stage s.
  for (int64_t ahead = 0; ahead < config.numStages - 1; ++ahead)
    issueKVLoadsIfAny(item, walk, numSteps, walkStep(index(ahead)),
                      index(ahead));
  SoftmaxState final =
      walkRow(item, walk, stepsOfWarp(numSteps), index(0), [&](Value step) {
        Value ahead = add(step, index(config.numStages - 1));
        issueKVLoadsIfAny(item, walk, numSteps, walkStep(ahead), ahead);
      });
  if (config.keySplits == 1 && config.clusterSplits == 1)
    return writeOutputOfWarp(item, final);
  if (config.keySplits == 1) {
    // Every warp is past its last read of the K/V stages the scratch reuses.
    gpu::BarrierOp::create(b);
    publishClusterSplit(final, warp);
    return mergeClusterSplitsAndWrite(item, warp, /*mergingWarp=*/Value());
  }
  publishKeySplit(final);
  Value firstSplit = cmp(arith::CmpIPredicate::eq, splitIndex, index(0));
  if (config.clusterSplits == 1) {
    scf::IfOp::create(b, firstSplit, [&](OpBuilder &, Location) {
      writeMergedRows(item, mergeKeySplits(final), rowGroup);
      scf::YieldOp::create(b);
    });
    return;
  }
  scf::IfOp::create(b, firstSplit, [&](OpBuilder &, Location) {
    publishClusterSplit(mergeKeySplits(final), rowGroup);
    scf::YieldOp::create(b);
  });
  mergeClusterSplitsAndWrite(item, rowGroup, firstSplit);
}

void FlashKernelEmitter::issueItemLoads(Value linear, Value stage) {
  WorkItem item = describeWork(workInLaunchOrder(linear));
  issueQueryLoad(item);
  NVVM::CpAsyncCommitGroupOp::create(b);
  RowWalk walk = buildWalk(item);
  issueKVLoadsIfAny(item, walk, countSteps(item, walk), index(0), stage);
}

void FlashKernelEmitter::prefetchItem(Value hasNext,
                                      function_ref<Value()> nextLinear,
                                      Value stage) {
  auto ifNext = scf::IfOp::create(b, hasNext, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifNext.getThenRegion().front());
  issueItemLoads(nextLinear(), stage);
  // The same number of groups either way keeps the waits' counts right.
  b.setInsertionPointToStart(&ifNext.getElseRegion().front());
  NVVM::CpAsyncCommitGroupOp::create(b);
  NVVM::CpAsyncCommitGroupOp::create(b);
}

void FlashKernelEmitter::emitPersistent() {
  int64_t ctas = config.persistentCTAs;
  int64_t items = config.numWorkItems();
  int64_t rounds = llvm::divideCeil(items, ctas);
  Value cta = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  // Round r takes items [r * ctas, (r + 1) * ctas) of the launch order,
  // forwards in even rounds and backwards in odd ones, so that the CTA with
  // the longest row of one round has the shortest of the next.
  auto itemOf = [&](Value round) {
    Value backwards = cmp(arith::CmpIPredicate::eq, rem(round, 2), index(1));
    Value offset = arith::SelectOp::create(
        b, backwards, sub(index(ctas - 1), cta), cta);
    return add(mul(round, index(ctas)), offset);
  };
  Value lastRoundHasItem = cmp(arith::CmpIPredicate::slt,
                               itemOf(index(rounds - 1)), index(items));
  Value numRounds = add(index(rounds - 1),
                        arith::SelectOp::create(b, lastRoundHasItem, index(1),
                                                index(0)));

  // Item 0's loads, as every later item's: a Q group, then a K/V group.
  issueItemLoads(itemOf(index(0)), index(0));

  // The next item's coordinates and first key block are computed twice: in
  // the last step's prefetch and again when the item starts. Carried, they
  // would stay live through the walk at 255 registers.
  scf::ForOp::create(
      b, index(0), numRounds, index(1), ValueRange{index(0)},
      [&](OpBuilder &, Location, Value round, ValueRange carried) {
        Value stepBase = carried[0];
        WorkItem item = describeWork(workInLaunchOrder(itemOf(round)));
        RowWalk walk = buildWalk(item);
        Value numSteps = countSteps(item, walk);
        Value nextRound = add(round, index(1));
        Value hasNext = cmp(arith::CmpIPredicate::slt, nextRound, numRounds);
        auto prefetchNext = [&](Value stage) {
          prefetchItem(hasNext, [&] { return itemOf(nextRound); }, stage);
        };
        SoftmaxState final =
            walkRow(item, walk, numSteps, stepBase, [&](Value step) {
              Value nextStep = add(step, index(1));
              Value stage = add(stepBase, nextStep);
              auto ifMore = scf::IfOp::create(
                  b, cmp(arith::CmpIPredicate::slt, nextStep, numSteps),
                  /*withElseRegion=*/true);
              OpBuilder::InsertionGuard guard(b);
              b.setInsertionPointToStart(&ifMore.getThenRegion().front());
              issueKVLoads(item, walk, nextStep, stage);
              NVVM::CpAsyncCommitGroupOp::create(b);
              // The last step hands its slot to the next item.
              b.setInsertionPointToStart(&ifMore.getElseRegion().front());
              prefetchNext(stage);
            });
        Value endStage = add(stepBase, numSteps);
        // The stage the last step read is free, and the next item's second
        // step fills it only after its first barrier; the Q tile may be
        // filling with the next item's rows.
        Value staging =
            config.stagesOutputInKV()
                ? sharedView(stageOffset(add(endStage, index(1))),
                             config.ctaRows)
                : sharedView(index(config.outputStagingOffset()),
                             config.ctaRows);
        writeOutput(item, final, staging, [&] {
          // A row without steps had no last step to prefetch in.
          scf::IfOp::create(b,
                            cmp(arith::CmpIPredicate::eq, numSteps, index(0)),
                            [&](OpBuilder &, Location) {
                              prefetchNext(endStage);
                              scf::YieldOp::create(b);
                            });
        });
        scf::YieldOp::create(b, ValueRange{endStage});
      });
}
