//===- SplitWalks.cpp - warps and CTAs that share a tile's walk ----------===//
//
// Key splits (warps of one CTA on the same rows) and cluster splits (CTAs
// of one thread block cluster on the same tile) each walk every n-th step
// of a row; this file says which steps a walker takes and merges the
// walkers' softmax states: through the CTA's shared memory, then, across a
// cluster, through distributed shared memory (mapa, ld.shared::cluster).
//
//===----------------------------------------------------------------------===//

#include "FlashKernelEmitter.h"

#include "s2attn/Runtime/ModuleState.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::s2attn;

Value FlashKernelEmitter::keyWalker() {
  // Without key splits a CTA's warps walk its steps together.
  if (config.keySplits == 1) {
    assert(config.gridSplits == 1 && "grid splits need key splits");
    return clusterRank;
  }
  // The CTA's place among the item's CTAs, then its warp's among theirs.
  Value cta;
  if (config.clusterSplits > 1)
    cta = clusterRank;
  if (config.gridSplits > 1) {
    Value clusterBase = mul(gridSplit, index(config.clusterSplits));
    cta = cta ? add(clusterBase, cta) : clusterBase;
  }
  if (!cta)
    return splitIndex;
  return add(mul(cta, index(config.keySplits)), splitIndex);
}

Value FlashKernelEmitter::stepsOfWarp(Value numSteps) {
  if (config.keyWalkers() == 1)
    return numSteps;
  Value steps = arith::CeilDivSIOp::create(b, sub(numSteps, keyWalker()),
                                           index(config.keyWalkers()));
  return arith::MaxSIOp::create(b, steps, index(0));
}

Value FlashKernelEmitter::keySplitScratch() {
  auto workgroup = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  auto type = MemRefType::get({config.splitScratchWords()}, b.getF32Type(),
                              MemRefLayoutAttrInterface(), workgroup);
  return memref::ViewOp::create(b, type, shared, index(0), ValueRange{});
}

Value FlashKernelEmitter::splitSlot(Value split) {
  if (config.rowWarps() == 1)
    return split;
  return add(mul(split, index(config.rowWarps())), rowGroup);
}

Value FlashKernelEmitter::keySplitSlot(Value slot, int64_t value) {
  // Value-major, lane-minor: a warp's 32 lanes touch 32 consecutive words.
  Value word = add(mul(slot, index(keySplitValues())), index(value));
  return add(mul(word, index(32)), lane);
}

SmallVector<Value> FlashKernelEmitter::scalarsOf(const SoftmaxState &state) {
  SmallVector<Value> values = {state.max[0], state.max[1], state.sum[0],
                               state.sum[1]};
  for (Value tile : state.output)
    for (int64_t i = 0; i < 4; ++i)
      values.push_back(element(b, tile, i));
  return values;
}

void FlashKernelEmitter::publishKeySplit(const SoftmaxState &state) {
  // Every warp is past its last read of the K/V stages the scratch reuses.
  gpu::BarrierOp::create(b);
  // One barrier orders those reads before the writes below (PTX bar.sync),
  // but compute-sanitizer's racecheck (CUDA 13.0) reports WAR hazards on
  // them when the splits' warps passed different numbers of the named
  // barriers their steps use; a second CTA barrier, once per CTA, keeps
  // racecheck clean (docs/performance.md, eleventh session). Named barriers
  // exist only where a split has several row warps. The warp sync between
  // keeps the two barriers from being folded into one.
  if (config.rowWarps() > 1) {
    syncWarp();
    gpu::BarrierOp::create(b);
  }
  Value scratch = keySplitScratch();
  SmallVector<Value> values = scalarsOf(state);
  scf::IfOp::create(b, cmp(arith::CmpIPredicate::ne, splitIndex, index(0)),
                    [&](OpBuilder &, Location) {
                      Value slot = splitSlot(sub(splitIndex, index(1)));
                      for (auto [i, v] : llvm::enumerate(values))
                        memref::StoreOp::create(
                            b, v, scratch, ValueRange{keySplitSlot(slot, i)});
                      scf::YieldOp::create(b);
                    });
  gpu::BarrierOp::create(b);
}

SoftmaxState FlashKernelEmitter::mergeKeySplits(const SoftmaxState &own) {
  Value scratch = keySplitScratch();
  SmallVector<SmallVector<Value>> splits = {scalarsOf(own)};
  for (int64_t split = 1; split < config.keySplits; ++split) {
    Value slot = splitSlot(index(split - 1));
    SmallVector<Value> values;
    for (int64_t i = 0; i < keySplitValues(); ++i)
      values.push_back(memref::LoadOp::create(
          b, scratch, ValueRange{keySplitSlot(slot, i)}));
    splits.push_back(values);
  }
  return mergeStates(splits);
}

SoftmaxState
FlashKernelEmitter::mergeStates(ArrayRef<SmallVector<Value>> splits) {
  Value scoreScale = f32(config.scale * M_LOG2E);
  Value minusInf = f32(-std::numeric_limits<double>::infinity());
  // Each split's state is relative to its own running max: rescale all to
  // the largest. A split that saw no unmasked key (max -inf) adds nothing.
  SoftmaxState merged;
  SmallVector<Value> weights[2];
  for (int half = 0; half < 2; ++half) {
    Value max = minusInf;
    for (auto &values : splits)
      max = arith::MaximumFOp::create(b, max, values[half]);
    merged.max[half] = max;
    merged.sum[half] = f32(0.0);
    for (auto [split, values] : llvm::enumerate(splits)) {
      Value empty = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ,
                                          values[half], minusInf);
      Value weight = exp2(b, arith::MulFOp::create(
                                 b, arith::SubFOp::create(b, values[half], max),
                                 scoreScale));
      weights[half].push_back(
          arith::SelectOp::create(b, empty, f32(0.0), weight));
      merged.sum[half] =
          fma(b, values[2 + half], weights[half][split], merged.sum[half]);
    }
  }
  int64_t outputTiles = config.headDim / 8;
  for (int64_t tile = 0; tile < outputTiles; ++tile) {
    SmallVector<Value, 4> elements;
    for (int64_t i = 0; i < 4; ++i) {
      Value sum = f32(0.0);
      for (auto [split, values] : llvm::enumerate(splits))
        sum = fma(b, values[4 + 4 * tile + i], weights[i / 2][split], sum);
      elements.push_back(sum);
    }
    merged.output.push_back(vector::FromElementsOp::create(
        b, VectorType::get({4}, b.getF32Type()), elements));
  }
  return merged;
}

void FlashKernelEmitter::publishClusterSplit(const SoftmaxState &state,
                                             Value slot) {
  // Under key splits the first warp read the other warps' slots into
  // registers above; each lane overwrites only its own words.
  Value scratch = keySplitScratch();
  for (auto [i, v] : llvm::enumerate(scalarsOf(state)))
    memref::StoreOp::create(b, v, scratch, ValueRange{keySplitSlot(slot, i)});
}

Value FlashKernelEmitter::clusterSlot(Value rank, Value slot) {
  auto sharedPointer = LLVM::LLVMPointerType::get(
      b.getContext(), static_cast<unsigned>(NVVM::NVVMMemorySpace::Shared));
  auto clusterPointer = LLVM::LLVMPointerType::get(
      b.getContext(),
      static_cast<unsigned>(NVVM::NVVMMemorySpace::SharedCluster));
  Value base = arith::IndexCastOp::create(
      b, b.getI64Type(),
      memref::ExtractAlignedPointerAsIndexOp::create(b, shared));
  Value laneOffset = arith::IndexCastOp::create(
      b, b.getI64Type(), mul(keySplitSlot(slot, 0), index(4)));
  Value local = LLVM::IntToPtrOp::create(
      b, sharedPointer, Value(arith::AddIOp::create(b, base, laneOffset)));
  return NVVM::MapaOp::create(
      b, clusterPointer, local,
      arith::IndexCastOp::create(b, b.getI32Type(), rank));
}

SoftmaxState FlashKernelEmitter::mergeClusterSplits(Value slotIndex) {
  SmallVector<SmallVector<Value>> splits;
  for (int64_t rank = 0; rank < config.clusterSplits; ++rank) {
    Value slot = clusterSlot(index(rank), slotIndex);
    SmallVector<Value> values;
    // keySplitSlot's layout: word `value` of a lane lies 32 words further.
    for (int64_t i = 0; i < keySplitValues(); ++i) {
      LLVM::GEPArg offset = int32_t(32 * i);
      Value word = LLVM::GEPOp::create(b, slot.getType(), b.getF32Type(),
                                       slot, ArrayRef<LLVM::GEPArg>{offset});
      values.push_back(LLVM::LoadOp::create(b, b.getF32Type(), word));
    }
    splits.push_back(values);
  }
  return mergeStates(splits);
}

void FlashKernelEmitter::syncCluster() {
  // Arrive releases this thread's shared-memory writes to the cluster; wait
  // acquires the others'.
  NVVM::ClusterArriveOp::create(b, b.getUnitAttr());
  NVVM::ClusterWaitOp::create(b, b.getUnitAttr());
}

void FlashKernelEmitter::mergeClusterSplitsAndWrite(const WorkItem &item,
                                                    Value slot,
                                                    Value mergingWarp) {
  syncCluster();
  Value merger = cmp(arith::CmpIPredicate::eq, clusterRank, index(0));
  if (mergingWarp)
    merger = arith::AndIOp::create(b, mergingWarp, merger);
  scf::IfOp::create(b, merger, [&](OpBuilder &, Location) {
    // Under key splits the slot is the row warp's.
    writeMergedRows(item, mergeClusterSplits(slot), slot);
    scf::YieldOp::create(b);
  });
  // The first CTA reads the others' shared memory until here.
  syncCluster();
}

void FlashKernelEmitter::writeMergedRows(const WorkItem &item,
                                         const SoftmaxState &state,
                                         Value rowWarp) {
  if (config.gridSplits == 1)
    return writeOutputOfWarp(item, state);
  GridScratch scratch = gridScratch(item, rowWarp);
  publishGridSplit(scratch, state);
  scf::IfOp::create(b, countInLast(scratch), [&](OpBuilder &, Location) {
    writeOutputOfWarp(item, mergeGridSplits(scratch));
    // The next launch finds the counter at zero again.
    scf::IfOp::create(b, cmp(arith::CmpIPredicate::eq, lane, index(0)),
                      [&](OpBuilder &, Location) {
                        memref::StoreOp::create(b, i32(0), scratch.counters,
                                                ValueRange{scratch.slot});
                        scf::YieldOp::create(b);
                      });
    scf::YieldOp::create(b);
  });
}

/// The kernel module's zero-initialized global `symbol` of `size` elements.
static Value moduleScratch(ImplicitLocOpBuilder &b, gpu::GPUModuleOp module,
                           StringRef symbol, int64_t size, Type elementType) {
  auto type = MemRefType::get({size}, elementType);
  if (!module.lookupSymbol(symbol)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    // Zero at module load; the counters return to zero at every launch's
    // end, the partial states are written before they are read.
    auto zeros = DenseElementsAttr::get(
        RankedTensorType::get({size}, elementType),
        b.getZeroAttr(elementType));
    memref::GlobalOp::create(b, symbol, b.getStringAttr("private"), type,
                             zeros, /*constant=*/false,
                             /*alignment=*/b.getI64IntegerAttr(16));
  }
  return memref::GetGlobalOp::create(b, type, symbol);
}

FlashKernelEmitter::GridScratch
FlashKernelEmitter::gridScratch(const WorkItem &item, Value rowWarp) {
  int64_t slots = config.numWorkItems() * config.rowWarps();
  GridScratch scratch;
  scratch.states = moduleScratch(
      b, module, (name + "_grid_states").str(),
      slots * config.gridSplits * keySplitValues() * 32, b.getF32Type());
  // The mgpu* entry points find the counters by this name and order the
  // kernel's launches (s2attn/Runtime/ModuleState.h).
  scratch.counters =
      moduleScratch(b, module, (name + S2ATTN_GRID_COUNTS_SUFFIX).str(), slots,
                    b.getI32Type());
  scratch.slot = add(mul(item.ordinal, index(config.rowWarps())), rowWarp);
  return scratch;
}

Value FlashKernelEmitter::gridStateWord(const GridScratch &scratch,
                                        Value split, Value value) {
  // Split-major per slot, then value-major, lane-minor: coalesced.
  Value state = add(mul(scratch.slot, index(config.gridSplits)), split);
  Value word = add(mul(state, index(keySplitValues())), value);
  return add(mul(word, index(32)), lane);
}

void FlashKernelEmitter::publishGridSplit(const GridScratch &scratch,
                                          const SoftmaxState &state) {
  for (auto [i, v] : llvm::enumerate(scalarsOf(state)))
    memref::StoreOp::create(
        b, v, scratch.states,
        ValueRange{gridStateWord(scratch, gridSplit, index(i))});
}

Value FlashKernelEmitter::countInLast(const GridScratch &scratch) {
  // Release: every lane's state reaches L2 before lane 0 counts in.
  NVVM::MembarOp::create(b, NVVM::MemScopeKind::GPU);
  syncWarp();
  Value firstLane = cmp(arith::CmpIPredicate::eq, lane, index(0));
  auto counted = scf::IfOp::create(b, TypeRange{b.getI32Type()}, firstLane,
                                   /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&counted.getThenRegion().front());
    Value before =
        memref::AtomicRMWOp::create(b, arith::AtomicRMWKind::addi, i32(1),
                                    scratch.counters, ValueRange{scratch.slot});
    // Acquire, in the lane that read the count, then for the warp: the
    // other splits' states, released before they counted in.
    NVVM::MembarOp::create(b, NVVM::MemScopeKind::GPU);
    scf::YieldOp::create(b, before);
    b.setInsertionPointToStart(&counted.getElseRegion().front());
    scf::YieldOp::create(b, ValueRange{i32(0)});
  }
  syncWarp();
  Value before = gpu::ShuffleOp::create(b, counted.getResult(0), i32(0),
                                        i32(32), gpu::ShuffleMode::IDX)
                     .getShuffleResult();
  return arith::CmpIOp::create(b, arith::CmpIPredicate::eq, before,
                               i32(config.gridSplits - 1));
}

SoftmaxState FlashKernelEmitter::mergeGridSplits(const GridScratch &scratch) {
  int64_t words = keySplitValues();
  auto load = [&](Value split) {
    SmallVector<Value> values;
    for (int64_t i = 0; i < words; ++i)
      values.push_back(memref::LoadOp::create(
          b, scratch.states,
          ValueRange{gridStateWord(scratch, split, index(i))}));
    return values;
  };
  // One split at a time in a loop: two states live in registers, and the
  // code does not grow with the splits.
  auto loop = scf::ForOp::create(
      b, index(1), index(config.gridSplits), index(1), load(index(0)),
      [&](OpBuilder &, Location, Value split, ValueRange merged) {
        SmallVector<Value> both[2] = {llvm::to_vector(merged), load(split)};
        scf::YieldOp::create(b, scalarsOf(mergeStates(both)));
      });
  return stateOf(loop.getResults());
}

SoftmaxState FlashKernelEmitter::stateOf(ValueRange scalars) {
  // scalarsOf lists SoftmaxState::flatten's values with each O tile spread
  // into its four elements.
  SmallVector<Value> flat(scalars.take_front(4));
  auto tileType = VectorType::get({4}, b.getF32Type());
  for (size_t first = 4; first < scalars.size(); first += 4)
    flat.push_back(vector::FromElementsOp::create(
        b, tileType, ValueRange(scalars.slice(first, 4))));
  return SoftmaxState::unflatten(flat);
}
