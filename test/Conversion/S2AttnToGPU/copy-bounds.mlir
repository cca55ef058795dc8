// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu --canonicalize --cse | FileCheck %s

// Lengths that are whole blocks: every Q, K and V row a CTA copies exists,
// so the copies carry no zero-fill operand and the O stores no guard. Each
// thread moves one 16-byte chunk of rows r, r + 16, r + 32, r + 48 (128
// threads, 8 chunks a row), always into the same swizzled column.

// CHECK-LABEL: gpu.func @s2attn_fwd
// CHECK: %[[LANE:.*]] = arith.remui %thread_id_x, %c32 : index
// CHECK-NEXT: %[[WARP:.*]] = arith.divui %thread_id_x, %c32 : index
// CHECK: %[[WARPROW:.*]] = arith.muli %[[WARP]], %c16 : index
// CHECK: %[[ROW:.*]] = arith.divui %thread_id_x, %c8 : index
// CHECK: %[[CHUNK:.*]] = arith.remui %thread_id_x, %c8 : index
// CHECK: %[[SWIZZLE:.*]] = arith.andi %[[ROW]], %c7 : index
// CHECK: %[[XOR:.*]] = arith.xori %[[CHUNK]], %[[SWIZZLE]] : index
// CHECK: %[[COLUMN:.*]] = arith.muli %[[XOR]], %c8 : index
// CHECK: nvgpu.device_async_copy %arg0[%{{.*}}, %{{.*}}, %c0, %{{.*}}], %view[%[[ROW]], %[[COLUMN]]], 8 {bypassL1}
// CHECK: %[[ROW16:.*]] = arith.addi %[[ROW]], %c16 : index
// CHECK: nvgpu.device_async_copy %arg0[%{{.*}}], %view[%[[ROW16]], %[[COLUMN]]], 8 {bypassL1}
// CHECK: nvgpu.device_async_copy %arg0[%{{.*}}], %view[%{{.*}}, %[[COLUMN]]], 8 {bypassL1}
// CHECK: nvgpu.device_async_copy %arg0[%{{.*}}], %view[%{{.*}}, %[[COLUMN]]], 8 {bypassL1}
// CHECK: nvvm.cp.async.commit.group
// CHECK: nvgpu.device_async_copy %arg1[%{{.*}}], %{{.*}}[%[[ROW]], %[[COLUMN]]], 8 {bypassL1}
// CHECK: nvgpu.device_async_copy %arg2[%{{.*}}], %{{.*}}[%[[ROW]], %[[COLUMN]]], 8 {bypassL1}
// CHECK-NOT: nvgpu.device_async_copy {{.*}}, 8, %
// Each warp stages its 16 O rows in its own Q rows and stores them, unguarded
// and with no CTA barrier: lane l moves chunk l % 8 of warp rows l / 8,
// + 4, + 8, + 12, whose swizzled columns repeat every 8 rows.
// CHECK: vector.store {{.*}}, %view[{{.*}}] {alignment = 4 : i64}
// CHECK-NOT: gpu.barrier
// CHECK: nvvm.bar.warp.sync
// CHECK-NEXT: %[[WROW:.*]] = arith.divui %[[LANE]], %c8 : index
// CHECK-NEXT: %[[OROW:.*]] = arith.addi %[[WARPROW]], %[[WROW]] : index
// CHECK-NEXT: %[[OCHUNK:.*]] = arith.remui %[[LANE]], %c8 : index
// CHECK: %[[OCOL0:.*]] = arith.muli {{.*}}, %c8 : index
// CHECK: %[[OROW4:.*]] = arith.addi %[[OROW]], %c4 : index
// CHECK: %[[OCOL4:.*]] = arith.muli {{.*}}, %c8 : index
// CHECK: %[[O0:.*]] = vector.load %view[%[[OROW]], %[[OCOL0]]]
// CHECK-NEXT: vector.store %[[O0]], %arg3
// CHECK: vector.load %view[%[[OROW4]], %[[OCOL4]]]
// CHECK-NEXT: vector.store
// CHECK: %[[OROW8:.*]] = arith.addi %[[OROW]], %c8 : index
// CHECK: vector.load %view[%[[OROW8]], %[[OCOL0]]]
// CHECK-NEXT: vector.store
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
func.func @whole_blocks(%q: memref<1x128x1x64xf16>, %k: memref<1x128x1x64xf16>, %v: memref<1x128x1x64xf16>, %o: memref<1x128x1x64xf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x128x1x64xf16>, memref<1x128x1x64xf16>, memref<1x128x1x64xf16>)
      outs(%o : memref<1x128x1x64xf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// 100 tokens: the last CTA's rows and the last key block run past the end,
// so Q, K and V copies zero-fill what is missing and O stores are guarded.

// CHECK-LABEL: gpu.func @s2attn_fwd
// CHECK: nvgpu.device_async_copy %arg0[{{.*}}], %view[{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK: nvvm.cp.async.commit.group
// CHECK: nvgpu.device_async_copy %arg1[{{.*}}], %{{.*}}[{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK: nvgpu.device_async_copy %arg2[{{.*}}], %{{.*}}[{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK: vector.store {{.*}}, %view[{{.*}}] {alignment = 4 : i64}
// CHECK-NOT: gpu.barrier
// CHECK: nvvm.bar.warp.sync
// CHECK-NOT: gpu.barrier
// CHECK: scf.if
// CHECK-NEXT: vector.load %view
// CHECK-NEXT: vector.store {{.*}}, %arg3
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
func.func @partial_block(%q: memref<1x100x1x64xf16>, %k: memref<1x100x1x64xf16>, %v: memref<1x100x1x64xf16>, %o: memref<1x100x1x64xf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x100x1x64xf16>, memref<1x100x1x64xf16>, memref<1x100x1x64xf16>)
      outs(%o : memref<1x100x1x64xf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// Whole-block lengths, but positions that start inside a block (q_start 96,
// kv_start 32): CTAs and key chunks straddle the sequences' ends, so every
// copy keeps its zero fill.

// CHECK-LABEL: gpu.func @s2attn_fwd
// CHECK: nvgpu.device_async_copy %arg0[{{.*}}], %view[{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK: nvvm.cp.async.commit.group
// CHECK: nvgpu.device_async_copy %arg1[{{.*}}], %{{.*}}[{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK: nvgpu.device_async_copy %arg2[{{.*}}], %{{.*}}[{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK-NOT: nvgpu.device_async_copy {{.*}}], 8 {bypassL1}
func.func @offsets(%q: memref<1x128x1x64xf16>, %k: memref<1x256x1x64xf16>, %v: memref<1x256x1x64xf16>, %o: memref<1x128x1x64xf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x128x1x64xf16>, memref<1x256x1x64xf16>, memref<1x256x1x64xf16>)
      outs(%o : memref<1x128x1x64xf16>) pattern = #s2attn.dense<block = 64> q_start = 96 kv_start = 32
  return
}

// -----

// head_dim 128 and four query heads packed on one KV head: a warp's 16 rows
// are 4 positions x 4 heads, 16 lanes a row, so lane l moves chunk l % 16 of
// warp rows l / 16 + 2i (i < 8), whose swizzled columns repeat every 4
// copies. Row r holds position r / 4 of head r % 4: row + 4 is the next
// position of the same head.

// CHECK-LABEL: gpu.func @s2attn_fwd
// CHECK: %[[LANE:.*]] = arith.remui %thread_id_x, %c32 : index
// CHECK-NEXT: %[[WARP:.*]] = arith.divui %thread_id_x, %c32 : index
// CHECK: %[[WARPROW:.*]] = arith.muli %[[WARP]], %c16 : index
// CHECK-DAG: %[[LCHUNK:.*]] = arith.remui %[[LANE]], %c16 : index
// CHECK-DAG: %[[LROW:.*]] = arith.divui %[[LANE]], %c16 : index
// CHECK: nvvm.bar.warp.sync
// CHECK-NEXT: %[[R0:.*]] = arith.addi %[[WARPROW]], %[[LROW]] : index
// CHECK-NEXT: %[[S0:.*]] = arith.andi %[[R0]], %c7 : index
// CHECK-NEXT: %[[X0:.*]] = arith.xori %[[LCHUNK]], %[[S0]] : index
// CHECK-NEXT: %[[COL0:.*]] = arith.muli %[[X0]], %c8 : index
// CHECK-NEXT: %[[R2:.*]] = arith.addi %[[R0]], %c2 : index
// CHECK: %[[R4:.*]] = arith.addi %[[R0]], %c4 : index
// CHECK: %[[R6:.*]] = arith.addi %[[R0]], %c6 : index
// CHECK: %[[GCOL:.*]] = arith.muli %[[LCHUNK]], %c8 : index
// CHECK-NEXT: %[[P0:.*]] = arith.divui %[[R0]], %c4 : index
// CHECK-NEXT: %[[Q0:.*]] = arith.addi %{{.*}}, %[[P0]] : index
// CHECK-NEXT: %[[H0:.*]] = arith.remui %[[R0]], %c4 : index
// CHECK-NEXT: %[[O0:.*]] = vector.load %view[%[[R0]], %[[COL0]]]
// CHECK-NEXT: vector.store %[[O0]], %arg3[%{{.*}}, %[[Q0]], %[[H0]], %[[GCOL]]]
// CHECK: vector.load %view[%[[R2]], %{{.*}}]
// CHECK: %[[Q4:.*]] = arith.addi %[[Q0]], %c1 : index
// CHECK-NEXT: %[[O4:.*]] = vector.load %view[%[[R4]], %{{.*}}]
// CHECK-NEXT: vector.store %[[O4]], %arg3[%{{.*}}, %[[Q4]], %[[H0]], %[[GCOL]]]
// CHECK: %[[R8:.*]] = arith.addi %[[R0]], %c8 : index
// CHECK-NEXT: %[[Q8:.*]] = arith.addi %[[Q0]], %c2 : index
// CHECK-NEXT: %[[O8:.*]] = vector.load %view[%[[R8]], %[[COL0]]]
// CHECK-NEXT: vector.store %[[O8]], %arg3[%{{.*}}, %[[Q8]], %[[H0]], %[[GCOL]]]
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
func.func @gqa_d128(%q: memref<1x128x4x128xbf16>, %k: memref<1x128x1x128xbf16>, %v: memref<1x128x1x128xbf16>, %o: memref<1x128x4x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x128x4x128xbf16>, memref<1x128x1x128xbf16>, memref<1x128x1x128xbf16>)
      outs(%o : memref<1x128x4x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}
