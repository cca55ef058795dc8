//===- FlashKernelOutput.cpp - the kernel's epilogue ----------------------===//
//
// After the row walk: O is normalized by the softmax sum, staged through
// shared memory and stored in 16-byte chunks, with the LSE. Walks split over
// warps or CTAs merge first (SplitWalks.cpp).
//
//===----------------------------------------------------------------------===//

#include "FlashKernelEmitter.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
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
  Value zero = f32(0.0);
  Value total[2], hasKeys[2], inverse[2];
  for (int half = 0; half < 2; ++half) {
    total[half] = quadReduce(b, final.sum[half], /*isMax=*/false);
    hasKeys[half] =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, total[half], zero);
  }
  // A row that saw a key sums to at least 1 (its max term), where the
  // approximate reciprocal is within an ulp of f32, far below the 16-bit
  // output's rounding; IEEE division would add a refinement and a slow path.
  auto pairType = VectorType::get({2}, b.getF32Type());
  Value reciprocals =
      nvgpu::RcpOp::create(b,
                           vector::FromElementsOp::create(
                               b, pairType, ValueRange{total[0], total[1]}),
                           nvgpu::RcpRoundingMode::APPROX, /*ftz=*/true);
  for (int half = 0; half < 2; ++half)
    inverse[half] = arith::SelectOp::create(
        b, hasKeys[half], element(b, reciprocals, half), zero);
  // Row half `half` of 8-column tile `tile`, normalized, as a 16-bit pair
  // in accumulator layout, made just before its store.
  auto pairOf = [&](int half, int64_t tile) -> Value {
    Value lo = arith::MulFOp::create(
        b, element(b, final.output[tile], 2 * half), inverse[half]);
    Value hi = arith::MulFOp::create(
        b, element(b, final.output[tile], 2 * half + 1), inverse[half]);
    return vector::FromElementsOp::create(
        b, VectorType::get({2}, config.elementType),
        ValueRange{arith::TruncFOp::create(b, config.elementType, lo),
                   arith::TruncFOp::create(b, config.elementType, hi)});
  };
  // Constant chunks: a row's 8 swizzled offsets serve all 16 at head_dim
  // 128 (48 fewer SASS instructions than swizzling each chunk whole).
  Value laneColumn = mul(rem(lane, 4), index(2));
  for (int half = 0; half < 2; ++half) {
    Value tileRow = add(rowInWarp, index(8 * half));
    for (int64_t tile = 0; tile < D / 8; ++tile) {
      Value column = add(fragments->swizzledColumn(tileRow, tile), laneColumn);
      vector::StoreOp::create(b, pairOf(half, tile), staging,
                              ValueRange{tileRow, column},
                              /*nontemporal=*/false, llvm::Align(4));
    }
  }
  if (config.hasLse)
    for (int half = 0; half < 2; ++half)
      storeLogSumExp(item, final, half, total[half], hasKeys[half]);
}

void FlashKernelEmitter::storeLogSumExp(const WorkItem &item,
                                        const SoftmaxState &final, int half,
                                        Value total, Value hasKeys) {
  Value qIndex = sub(queryPosition(item, half), index(config.qStart));
  Value logSumExp = arith::SelectOp::create(
      b, hasKeys,
      arith::MulFOp::create(
          b,
          arith::AddFOp::create(
              b,
              arith::MulFOp::create(b, final.max[half],
                                    f32(config.scale * M_LOG2E)),
              s2attn::log2(b, total)),
          f32(M_LN2)),
      f32(-std::numeric_limits<double>::infinity()));
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
