// Causal closed-form rows of 64-row CTAs over 64-key chunks (or 32/32,
// 16/16) end on their diagonal chunk, the only one that needs the token mask. A row with more
// than one step walks its first step before the loop on a fresh softmax
// state (nothing to rescale); the loop walks the steps between with no mask
// branch; after it, the warp of rows 16w..16w+15 computes the diagonal over
// the 16 (w + 1) keys its rows see: S on 2 (w + 1) tiles of 8 keys x 8
// k-steps, P V on w + 1 chunks of 16 keys x 16 tiles of 8 columns, i.e. 32,
// 64, 96 and 128 mma.sync, and masks only the 16 keys of its own rows.
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu --cse | FileCheck %s
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="peel-diagonal=false" --cse | FileCheck %s --check-prefix=OFF
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="cta-rows=128" --cse | FileCheck %s --check-prefix=CTA-ROWS128
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="persistent=true" --cse | FileCheck %s --check-prefix=PERSISTENT
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="stages=3" --cse | FileCheck %s --check-prefix=STAGES3
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="chip=sm_90a cluster-splits=2" --cse | FileCheck %s --check-prefix=CLUSTER

// CHECK-LABEL: func.func @causal
// The Q tile landed.
// CHECK: nvvm.cp.async.wait.group 1
// CHECK-NEXT: gpu.barrier
// CHECK: %[[LOOPSTEPS:.*]] = arith.subi %{{.*}}, %c1 : index
// CHECK-NEXT: %[[HASFIRST:.*]] = arith.cmpi sgt, %[[LOOPSTEPS]], %c0 : index
// CHECK-NEXT: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : vector<4xf32>
// CHECK-NEXT: %[[FIRST:.*]]:20 = scf.if %[[HASFIRST]] -> (f32, f32, f32, f32,
// CHECK-NEXT: nvvm.cp.async.wait.group 0
// CHECK-NEXT: gpu.barrier
// CHECK-NOT: arith.cmpi sle
// CHECK-COUNT-64: nvvm.mma.sync
// A fresh state has nothing to rescale and the first step no mask, between
// S and P V.
// CHECK-NOT: arith.cmpi sle
// CHECK-NOT: arith.mulf %{{.*}} : vector<4xf32>
// CHECK-COUNT-64: nvvm.mma.sync
// CHECK-NOT: arith.cmpi sle
// CHECK: scf.yield
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %[[NEGINF]], %[[NEGINF]], %[[ZERO]], %[[ZERO]], %[[ZEROS]],
// CHECK: scf.for %{{.*}} = %c1 to %[[LOOPSTEPS]] step %c1 iter_args(%{{.*}} = %[[FIRST]]#0,
// CHECK-NOT: arith.cmpi sle
// CHECK-COUNT-64: nvvm.mma.sync
// The loop's steps rescale O (16 tiles of 4 values) before P V.
// CHECK-NOT: arith.cmpi sle
// CHECK-COUNT-16: arith.mulf %{{.*}} : vector<4xf32>
// CHECK-NOT: arith.cmpi sle
// CHECK-COUNT-64: nvvm.mma.sync
// CHECK-NOT: arith.cmpi sle
// CHECK: scf.yield
// The diagonal: its copies landed, and the next (empty) group committed.
// CHECK-NOT: arith.cmpi sle
// CHECK: nvvm.cp.async.wait.group 0
// CHECK-NEXT: gpu.barrier
// CHECK-NOT: arith.cmpi sle
// CHECK: nvvm.cp.async.commit.group
// CHECK-NOT: arith.cmpi sle
// The chunk's first key: block * 64 + chunk offset (chunk * 64).
// CHECK: arith.muli %{{.*}}, %c64 : index
// CHECK-NEXT: %[[BLOCKKEY:.*]] = arith.muli %{{.*}}, %c64 : index
// CHECK-NEXT: %[[DIAGKEY:.*]] = arith.addi %[[BLOCKKEY]], %{{.*}} : index
// CHECK-NEXT: scf.index_switch %{{.*}} -> f32, f32, f32, f32, {{.*}}vector<4xf32>
// Warp w: S over 16 (w + 1) keys, the mask on its own 16 (from key
// 16 w of the chunk: 2 tiles of 4 values), then P V over the same keys.
// CHECK-NEXT: case 0 {
// CHECK-COUNT-16: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: arith.addi %[[DIAGKEY]], %c0 : index
// CHECK-COUNT-8: arith.cmpi sle
// CHECK-NOT: arith.cmpi sle
// CHECK-COUNT-16: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.yield
// CHECK-NEXT: }
// CHECK-NEXT: case 1 {
// CHECK-COUNT-32: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: arith.addi %[[DIAGKEY]], %c16 : index
// CHECK-COUNT-8: arith.cmpi sle
// CHECK-NOT: arith.cmpi sle
// CHECK-COUNT-32: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.yield
// CHECK-NEXT: }
// CHECK-NEXT: case 2 {
// CHECK-COUNT-48: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: arith.addi %[[DIAGKEY]], %c32 : index
// CHECK-COUNT-8: arith.cmpi sle
// CHECK-NOT: arith.cmpi sle
// CHECK-COUNT-48: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.yield
// CHECK-NEXT: }
// CHECK-NEXT: default {
// CHECK-COUNT-64: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: arith.addi %[[DIAGKEY]], %c48 : index
// CHECK-COUNT-8: arith.cmpi sle
// CHECK-NOT: arith.cmpi sle
// CHECK-COUNT-64: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.yield
// CHECK-NEXT: }

// A persistent CTA or a cluster of CTAs walks whole items or split walks:
// no peel.
// PERSISTENT-LABEL: func.func @causal
// PERSISTENT-NOT: scf.index_switch
// PERSISTENT: gpu.return
// CLUSTER-LABEL: func.func @causal
// CLUSTER-NOT: scf.index_switch
// CLUSTER: gpu.return
// Three stages: the first step, the loop and the diagonal each wait until
// at most one younger copy group is in flight.
// STAGES3-LABEL: func.func @causal
// STAGES3: scf.if %{{.*}} -> (f32, f32, f32, f32,
// STAGES3-NEXT: nvvm.cp.async.wait.group 1
// STAGES3: scf.for %{{.*}} = %c1 to
// STAGES3-NEXT: nvvm.cp.async.wait.group 1
// STAGES3: nvvm.cp.async.wait.group 1
// STAGES3-NEXT: gpu.barrier
// STAGES3: scf.index_switch

// Unpeeled, the loop runs every step and masks where the entry needs it.
// OFF-LABEL: func.func @causal
// OFF-NOT: scf.index_switch
// OFF: scf.for %{{.*}} = %c0 to %{{.*}} step %c1
// OFF: %[[MASKED:.*]]:8 = scf.if %{{.*}} -> (vector<4xf32>
// OFF: arith.cmpi sle
// OFF-NOT: scf.index_switch
// OFF: gpu.return
func.func @causal(%q: memref<1x256x2x128xbf16>, %k: memref<1x256x2x128xbf16>, %v: memref<1x256x2x128xbf16>, %o: memref<1x256x2x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>)
      outs(%o : memref<1x256x2x128xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 2, stride = 2>
  return
}

// -----

// A length that is not a multiple of the block leaves a partial last block,
// whose copies are bounds-checked and whose mask the loop keeps: no peel.
// CHECK-LABEL: func.func @ragged
// CHECK-NOT: scf.index_switch
// CHECK: gpu.return
func.func @ragged(%q: memref<1x200x2x128xbf16>, %k: memref<1x200x2x128xbf16>, %v: memref<1x200x2x128xbf16>, %o: memref<1x200x2x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x200x2x128xbf16>, memref<1x200x2x128xbf16>, memref<1x200x2x128xbf16>)
      outs(%o : memref<1x200x2x128xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 2, stride = 2>
  return
}

// -----

// Bidirectional rows have no diagonal to peel.
// CHECK-LABEL: func.func @bidirectional
// CHECK-NOT: scf.index_switch
// CHECK: gpu.return
func.func @bidirectional(%q: memref<1x256x2x128xbf16>, %k: memref<1x256x2x128xbf16>, %v: memref<1x256x2x128xbf16>, %o: memref<1x256x2x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>)
      outs(%o : memref<1x256x2x128xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 2, stride = 2, right = 2> {causal = false}
  return
}

// -----

// Block 128 in 64-row CTAs: the tile's first CTA ends one chunk early
// (maskedTrailingChunks), so every CTA's last step is its own diagonal.
// CHECK-LABEL: func.func @block128
// CHECK: scf.for %{{.*}} = %c1 to
// CHECK: scf.index_switch
// CHECK-NEXT: case 0 {
// CTA-ROWS128-LABEL: func.func @block128
// CTA-ROWS128-NOT: scf.index_switch
// CTA-ROWS128: gpu.return
func.func @block128(%q: memref<1x512x2x128xbf16>, %k: memref<1x512x2x128xbf16>, %v: memref<1x512x2x128xbf16>, %o: memref<1x512x2x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x512x2x128xbf16>, memref<1x512x2x128xbf16>, memref<1x512x2x128xbf16>)
      outs(%o : memref<1x512x2x128xbf16>)
      pattern = #s2attn.local_stride<block = 128, local = 2, stride = 2>
  return
}

// -----

// Block 32 in closed form (relative stripes: one block row a tile): 32-row
// CTAs over 32-key chunks, two warps: warp 0 sees 16
// keys (16 + 16 mma.sync), warp 1 all 32 (32 + 32).
// CHECK-LABEL: func.func @block32
// CHECK: scf.index_switch
// CHECK-NEXT: case 0 {
// CHECK-COUNT-32: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.yield
// CHECK-NEXT: }
// CHECK-NEXT: default {
// CHECK-COUNT-64: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.yield
// CHECK-NEXT: }
func.func @block32(%q: memref<1x256x2x128xbf16>, %k: memref<1x256x2x128xbf16>, %v: memref<1x256x2x128xbf16>, %o: memref<1x256x2x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>)
      outs(%o : memref<1x256x2x128xbf16>)
      pattern = #s2attn.local_stride<block = 32, local = 2, stride = 2, vert = relative>
  return
}

// -----

// GQA whose CTAs pack a group's heads: rows are positions x heads, so the
// diagonal is not one warp's keys per 16 rows; no peel.
// CHECK-LABEL: func.func @packed_gqa
// CHECK-NOT: scf.index_switch
// CHECK: gpu.return
func.func @packed_gqa(%q: memref<1x256x4x128xbf16>, %k: memref<1x256x2x128xbf16>, %v: memref<1x256x2x128xbf16>, %o: memref<1x256x4x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x256x4x128xbf16>, memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>)
      outs(%o : memref<1x256x4x128xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 2, stride = 2>
  return
}

// -----

// Keys that start off a block boundary: copies are bounds-checked and the
// chunks are not the queries' blocks; no peel.
// CHECK-LABEL: func.func @unaligned_keys
// CHECK-NOT: scf.index_switch
// CHECK: gpu.return
func.func @unaligned_keys(%q: memref<1x256x2x128xbf16>, %k: memref<1x256x2x128xbf16>, %v: memref<1x256x2x128xbf16>, %o: memref<1x256x2x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>)
      outs(%o : memref<1x256x2x128xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 2, stride = 2> kv_start = 10
  return
}

