// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu --canonicalize --cse | FileCheck %s

// Decoding: one query, four query heads packed on each KV head, so every row
// of a CTA fits one warp's 16. Four warps split the row's keys instead of
// leaving three idle: warp w walks steps w, w + 4, ... of 32 keys (two per
// 64-key block) with two K/V stages of its own (8 x 16 KiB, then the 16-row
// Q tile), and the four softmax states merge at the end.

// CHECK-LABEL: func.func @decode_gqa
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c1, %c2, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c135168_i32
// CHECK: gpu.func @s2attn_fwd({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 1 : i32}
// CHECK: %[[LANE:.*]] = arith.remui %thread_id_x, %c32 : index
// CHECK-NEXT: %[[WARP:.*]] = arith.divui %thread_id_x, %c32 : index
// CHECK: %[[QTILE:.*]] = memref.view %{{.*}}[%c131072][] {{.*}} to memref<16x128xbf16
// The first step of warp w is walk step w, into its stage 0 at w * 32 KiB;
// its lanes alone copy it, lane l moving chunk l % 16 of rows l / 16 + 2i.
// CHECK: %[[HAS0:.*]] = arith.cmpi slt, %[[WARP]], %[[STEPS:.*]] : index
// CHECK-NEXT: scf.if %[[HAS0]] {
// CHECK-NEXT: %[[STAGE0:.*]] = arith.muli %[[WARP]], %c32768 : index
// CHECK: arith.divui %[[WARP]], %c2 : index
// CHECK: %[[KVROW:.*]] = arith.divui %[[LANE]], %c16 : index
// CHECK-NEXT: arith.remui %[[LANE]], %c16 : index
// CHECK: nvgpu.device_async_copy %arg1[{{.*}}], %{{.*}}[%[[KVROW]], %{{.*}}], 8
// CHECK: nvvm.cp.async.commit.group
// This warp's share of the steps: ceil((steps - w) / 4), at least 0.
// CHECK-NEXT: %[[LEFT:.*]] = arith.subi %[[STEPS]], %[[WARP]] : index
// CHECK-NEXT: %[[SHARE:.*]] = arith.ceildivsi %[[LEFT]], %c4 : index
// CHECK-NEXT: %[[MINE:.*]] = arith.maxsi %[[SHARE]], %c0 : index
// Q lands for the whole CTA; every warp reads the same 16 rows.
// CHECK-NEXT: nvvm.cp.async.wait.group 1
// CHECK-NEXT: gpu.barrier
// CHECK: nvgpu.ldmatrix %[[QTILE]]
// The walk syncs the warp, not the CTA; local step s + 1 is walk step
// w + 4 (s + 1), into the warp's stage (s + 1) % 2.
// CHECK: scf.for %[[S:.*]] = %c0 to %[[MINE]] step %c1
// CHECK-NEXT: nvvm.cp.async.wait.group 0
// CHECK-NEXT: nvvm.bar.warp.sync
// CHECK-NEXT: %[[NEXT:.*]] = arith.addi %[[S]], %c1 : index
// CHECK-NEXT: %[[STRIDE:.*]] = arith.muli %[[NEXT]], %c4 : index
// CHECK-NEXT: %[[WALKED:.*]] = arith.addi %[[WARP]], %[[STRIDE]] : index
// CHECK-NEXT: %[[MORE:.*]] = arith.cmpi slt, %[[WALKED]], %[[STEPS]] : index
// CHECK-NEXT: scf.if %[[MORE]] {
// CHECK-NEXT: %[[SLOT:.*]] = arith.remui %[[NEXT]], %c2 : index
// CHECK-NEXT: %[[WARPSTAGES:.*]] = arith.muli %[[WARP]], %c2 : index
// CHECK-NEXT: %[[BUFFER:.*]] = arith.addi %[[WARPSTAGES]], %[[SLOT]] : index
// CHECK-NEXT: arith.muli %[[BUFFER]], %c16384 : index
// CHECK-NOT: gpu.barrier
// CHECK: scf.yield
// After the walk: warps 1-3 leave max, sum and O (4 + 64 words a lane) in
// the scratch over the stages; warp 0 merges and writes the output.
// CHECK: gpu.barrier
// CHECK: %[[SCRATCH:.*]] = memref.view %{{.*}}[%c0][] {{.*}} to memref<6528xf32
// CHECK: %[[OTHER:.*]] = arith.cmpi ne, %[[WARP]], %c0 : index
// CHECK-NEXT: scf.if %[[OTHER]] {
// CHECK-COUNT-68: memref.store %{{.*}}, %[[SCRATCH]]
// CHECK: gpu.barrier
// CHECK-NEXT: %[[FIRST:.*]] = arith.cmpi eq, %[[WARP]], %c0 : index
// CHECK-NEXT: scf.if %[[FIRST]] {
// CHECK-COUNT-204: memref.load %[[SCRATCH]]
// Each split's weight is exp2((max - merged max) * scale * log2 e), 0 when
// the split saw no key.
// CHECK: arith.maximumf
// CHECK: %[[EMPTY:.*]] = arith.cmpf oeq, %{{.*}}, %cst
// CHECK-NEXT: %[[GAP:.*]] = arith.subf
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[GAP]]
// CHECK-NEXT: %[[W:.*]] = llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"(%[[SCALED]])
// CHECK-NEXT: %[[WEIGHT:.*]] = arith.select %[[EMPTY]], %{{.*}}, %[[W]] : f32
// CHECK-NEXT: math.fma %{{.*}}, %[[WEIGHT]]
// CHECK: nvvm.bar.warp.sync
// CHECK: vector.store %{{.*}}, %arg3
func.func @decode_gqa(%q: memref<1x1x8x128xbf16>, %k: memref<1x1024x2x128xbf16>, %v: memref<1x1024x2x128xbf16>, %o: memref<1x1x8x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x8x128xbf16>, memref<1x1024x2x128xbf16>, memref<1x1024x2x128xbf16>)
      outs(%o : memref<1x1x8x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// 17 queries of one head need two warps' rows: no key splits, the usual
// 4-warp CTA with CTA-wide stages of 64 keys.
// CHECK-LABEL: func.func @seventeen
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c1, %c1, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c81920_i32
// CHECK-NOT: nvvm.bar.warp.sync
// CHECK: scf.for
// CHECK-NEXT: nvvm.cp.async.wait.group 0
// CHECK-NEXT: gpu.barrier
func.func @seventeen(%q: memref<1x17x1x128xbf16>, %k: memref<1x1024x1x128xbf16>, %v: memref<1x1024x1x128xbf16>, %o: memref<1x17x1x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x17x1x128xbf16>, memref<1x1024x1x128xbf16>, memref<1x1024x1x128xbf16>)
      outs(%o : memref<1x17x1x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}
