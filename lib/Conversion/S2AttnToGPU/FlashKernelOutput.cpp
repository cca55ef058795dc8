//===- FlashKernelOutput.cpp - the kernel's epilogue ----------------------===//
//
// After the row walk: O is normalized by the softmax sum, staged through
// shared memory and stored in 16-byte chunks, with the LSE; under key splits
// the warps' softmax states first merge into the first warp's.
//
//===----------------------------------------------------------------------===//

#include "FlashKernelEmitter.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::s2attn;

void FlashKernelEmitter::stageOutput(const WorkItem &item,
                                     const SoftmaxState &final,
                                     Value staging) {
  int64_t D = config.headDim;
  Type elementType = config.elementType;
  Value zero = f32(0.0), one = f32(1.0);
  Value minusInf = f32(-std::numeric_limits<double>::infinity());
  Value scoreScale = f32(config.scale * M_LOG2E);
  Value laneColumn = mul(rem(lane, 4), index(2));
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
          add(fragments->swizzledColumn(tileRow, index(tile)), laneColumn);
      vector::StoreOp::create(b, pair, staging, ValueRange{tileRow, column},
                              /*nontemporal=*/false, llvm::Align(4));
    }
    if (!config.hasLse)
      continue;
    Value qIndex = sub(queryPosition(item, half), index(config.qStart));
    Value logSumExp = arith::SelectOp::create(
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
      memref::StoreOp::create(
          b, logSumExp, lse,
          ValueRange{item.batch, queryHead(item, half), qIndex});
      scf::YieldOp::create(b);
    });
  }
}

void FlashKernelEmitter::storeStagedOutput(const WorkItem &item, Value staging,
                                           const TileCopies &copies) {
  auto chunkType = VectorType::get({8}, config.elementType);
  Value column = mul(copies.chunk, index(8));
  Value firstRow = sub(item.chunkStart, index(config.qStart));
  for (int64_t i = 0; i < copies.count; ++i) {
    int64_t rowOffset = i * copies.rowsPerCopy;
    Value row = add(copies.threadRow, index(rowOffset));
    auto [qIndex, head] = tileRowSource(copies, rowOffset, firstRow,
                                        item.firstHead, config.packedHeads);
    auto storeChunk = [&] {
      // 16-byte accesses: the runtime requires 16-byte aligned tensors,
      // and rows and chunks are multiples of 16 bytes.
      Value values = vector::LoadOp::create(
          b, chunkType, staging, ValueRange{row, copies.column(i)},
          /*nontemporal=*/false, llvm::Align(16));
      vector::StoreOp::create(b, values, out,
                              ValueRange{item.batch, qIndex, head, column},
                              /*nontemporal=*/false, llvm::Align(16));
    };
    if (config.queryChunksInBounds()) {
      storeChunk();
      continue;
    }
    scf::IfOp::create(b, inRange(qIndex, 0, config.qLen),
                      [&](OpBuilder &, Location) {
                        storeChunk();
                        scf::YieldOp::create(b);
                      });
  }
}

void FlashKernelEmitter::writeOutput(const WorkItem &item,
                                     const SoftmaxState &final, Value staging,
                                     function_ref<void()> afterReads) {
  // A row with no steps passed no barrier since the warps read Q.
  gpu::BarrierOp::create(b);
  afterReads();
  stageOutput(item, final, staging);
  gpu::BarrierOp::create(b);
  storeStagedOutput(item, staging, tileCopies(config.ctaRows));
}

void FlashKernelEmitter::writeOutputOfWarp(const WorkItem &item,
                                           const SoftmaxState &final) {
  // Staging in the warp's own Q rows needs no CTA barrier: every Q copy
  // landed before the wait and barrier ahead of the walk, and since then
  // only this warp has read these rows, into its registers (under key
  // splits every split's warp of these rows read them, and only the first
  // split's writes, after publishKeySplit's barriers). A warp that finishes its last step first
  // stores while the others still compute.
  stageOutput(item, final, queryTile);
  syncWarp();
  storeStagedOutput(item, queryTile, tileCopies(warpFirstRow, lane, 32, 16));
}

Value FlashKernelEmitter::keySplitScratch() {
  auto workgroup = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  int64_t floats = config.scratchSlots() * keySplitValues() * 32;
  auto type = MemRefType::get({floats}, b.getF32Type(),
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

void FlashKernelEmitter::publishKeySplit(const SoftmaxState &state) {
  // Every warp is past its last read of the K/V stages the scratch reuses.
  gpu::BarrierOp::create(b);
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

SmallVector<Value> FlashKernelEmitter::scalarsOf(const SoftmaxState &state) {
  SmallVector<Value> values = {state.max[0], state.max[1], state.sum[0],
                               state.sum[1]};
  for (Value tile : state.output)
    for (int64_t i = 0; i < 4; ++i)
      values.push_back(element(b, tile, i));
  return values;
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
      merged.sum[half] = math::FmaOp::create(b, values[2 + half],
                                             weights[half][split],
                                             merged.sum[half]);
    }
  }
  int64_t outputTiles = config.headDim / 8;
  for (int64_t tile = 0; tile < outputTiles; ++tile) {
    SmallVector<Value, 4> elements;
    for (int64_t i = 0; i < 4; ++i) {
      Value sum = f32(0.0);
      for (auto [split, values] : llvm::enumerate(splits))
        sum = math::FmaOp::create(b, values[4 + 4 * tile + i],
                                  weights[i / 2][split], sum);
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
      Value word = LLVM::GEPOp::create(b, slot.getType(), b.getF32Type(),
                                       slot, ArrayRef<LLVM::GEPArg>{32 * i});
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
