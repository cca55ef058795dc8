// Causal closed-form rows of 64-row CTAs over 64-key chunks end on their
// diagonal chunk, the only one that needs the token mask. A row with more
// than one step walks its first step before the loop on a fresh softmax
// state (nothing to rescale); the loop walks the steps between with no mask
// branch; after it, the warp of rows 16w..16w+15 computes the diagonal over
// the 16 (w + 1) keys its rows see: S on 2 (w + 1) tiles of 8 keys x 8
// k-steps, P V on w + 1 chunks of 16 keys x 16 tiles of 8 columns, i.e. 32,
// 64, 96 and 128 mma.sync, and masks only the 16 keys of its own rows.
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu --cse | FileCheck %s
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="peel-diagonal=false" --cse | FileCheck %s --check-prefix=OFF

// CHECK-LABEL: func.func @causal
// CHECK: arith.constant dense<0.000000e+00> : vector<4xf32>
// CHECK-NEXT: %[[LOOPSTEPS:.*]] = arith.subi %{{.*}}, %c1 : index
// CHECK-NEXT: %[[HASFIRST:.*]] = arith.cmpi sgt, %[[LOOPSTEPS]], %c0 : index
// CHECK-NEXT: %[[FIRST:.*]]:20 = scf.if %[[HASFIRST]] -> (f32, f32, f32, f32,
// CHECK-NOT: arith.cmpi sle
// CHECK-COUNT-64: nvvm.mma.sync
// A fresh state has no O to rescale between S and P V.
// CHECK-NOT: arith.mulf %{{.*}} : vector<4xf32>
// CHECK-COUNT-64: nvvm.mma.sync
// CHECK: scf.yield
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %cst_0, %cst_0, %cst_1, %cst_1, %cst_2,
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
// CHECK: scf.index_switch %{{.*}} -> f32, f32, f32, f32, {{.*}}vector<4xf32>
// CHECK-NEXT: case 0 {
// CHECK-COUNT-32: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.yield
// CHECK-NEXT: }
// CHECK-NEXT: case 1 {
// CHECK-COUNT-64: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.yield
// CHECK-NEXT: }
// CHECK-NEXT: case 2 {
// CHECK-COUNT-96: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.yield
// CHECK-NEXT: }
// The last warp's S over all 64 keys, masked on its own 16 (2 tiles of 4
// values), then P V.
// CHECK-NEXT: default {
// CHECK-COUNT-64: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK-COUNT-8: arith.cmpi sle
// CHECK-NOT: arith.cmpi sle
// CHECK-COUNT-64: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.yield
// CHECK-NEXT: }

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
