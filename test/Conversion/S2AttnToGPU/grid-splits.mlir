// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu --canonicalize --cse | FileCheck %s
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="grid-splits=2" --canonicalize --cse | FileCheck %s --check-prefix=TWO
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="grid-splits=1" --canonicalize --cse | FileCheck %s --check-prefix=NONE
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="chip=sm_80" --canonicalize --cse | FileCheck %s --check-prefix=AMPERE
// RUN: not s2-opt %s --split-input-file --convert-s2attn-to-gpu="grid-splits=3" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not s2-opt %s --split-input-file --convert-s2attn-to-gpu="grid-splits=256" 2>&1 | FileCheck %s --check-prefix=HUGE
// RUN: not s2-opt %s --split-input-file --convert-s2attn-to-gpu="persistent=true grid-splits=2" 2>&1 | FileCheck %s --check-prefix=PERSISTENT

// MQA decoding over 131072 keys: one cluster of 16 key-split CTAs would
// stream the 64 MiB of K/V on 16 SMs. Four clusters split the walk across
// the grid (64 CTAs): cluster g's CTA r, split s walks steps
// (16 g + r) * 2 + s, + 128, ... The first CTA of each cluster merges its
// cluster's states (cluster-splits.mlir) and its merging warps leave them
// in the module's scratch; the warp that counts in last (an atomic counter
// per row warp, back to zero at the end) merges the four and writes.

// CHECK-LABEL: func.func @mqa_128k
// CHECK: blocks in (%c64, %c1, %c1) threads in (%c128, %c1, %c1)
// CHECK: memref.global "private" @s2attn_fwd_grid_counts : memref<2xi32> = dense<0> {alignment = 16 : i64}
// 2 row warps x 4 splits x 68 words x 32 lanes.
// CHECK: memref.global "private" @s2attn_fwd_grid_states : memref<17408xf32>
// CHECK: gpu.func @s2attn_fwd({{.*}}) kernel attributes {{{.*}}nvvm.cluster_dim = array<i32: 16, 1, 1>
// CHECK: %[[RANK:.*]] = arith.remui %block_id_x, %c16 : index
// CHECK-NEXT: %[[CLUSTER:.*]] = arith.divui %block_id_x, %c16 : index
// CHECK-NEXT: %[[SPLIT:.*]] = arith.remui %[[CLUSTER]], %c4 : index
// The walkers of a tile: 4 clusters x 16 CTAs x 2 splits.
// CHECK: arith.ceildivsi %{{.*}}, %c128 : index
// CHECK: %[[STATES:.*]] = memref.get_global @s2attn_fwd_grid_states : memref<17408xf32>
// CHECK-NEXT: %[[COUNTS:.*]] = memref.get_global @s2attn_fwd_grid_counts : memref<2xi32>
// Two row maxima, two sums, 64 accumulators a lane.
// CHECK-COUNT-68: memref.store %{{.*}}, %[[STATES]][%{{.*}}] : memref<17408xf32>
// CHECK-NEXT: nvvm.memory.barrier <gpu>
// CHECK-NEXT: nvvm.bar.warp.sync
// Lane 0 counts in, acquires, and the warp learns the count.
// CHECK: memref.atomic_rmw addi %c1_i32, %[[COUNTS]][%[[SLOT:.*]]] : (i32, memref<2xi32>) -> i32
// CHECK-NEXT: nvvm.memory.barrier <gpu>
// CHECK: nvvm.bar.warp.sync
// CHECK-NEXT: %[[BEFORE:.*]], %{{.*}} = gpu.shuffle  idx %{{.*}}, %c0_i32, %c32_i32 : i32
// CHECK-NEXT: %[[LAST:.*]] = arith.cmpi eq, %[[BEFORE]], %c3_i32 : i32
// CHECK-NEXT: scf.if %[[LAST]] {
// Split 0's state, then splits 1 to 3 merged into it in a loop.
// CHECK: memref.load %[[STATES]]
// CHECK: scf.for %{{.*}} = %c1 to %c4 step %c1 iter_args({{.*}}) -> ({{(f32, )+}}f32) {
// CHECK: memref.store %c0_i32, %[[COUNTS]][%[[SLOT]]] : memref<2xi32>

// TWO-LABEL: func.func @mqa_128k
// TWO: blocks in (%c32, %c1, %c1)
// TWO: gpu.shuffle  idx
// TWO-NEXT: arith.cmpi eq, %{{.*}}, %c1_i32 : i32
// NONE-LABEL: func.func @mqa_128k
// NONE-NOT: grid_counts
// NONE: blocks in (%c16, %c2, %c1)
// NONE-NOT: grid_counts
// sm_80 has no clusters: 32 CTAs (of 108 SMs) merge through the scratch.
// AMPERE-LABEL: func.func @mqa_128k
// AMPERE: blocks in (%c32, %c1, %c1)
// AMPERE-NOT: nvvm.cluster_dim
// AMPERE: memref.atomic_rmw addi
// BAD: error: convert-s2attn-to-gpu: grid-splits = 3 is not supported; expected 0 (auto) or a power of two up to 132
// HUGE: error: convert-s2attn-to-gpu: grid-splits = 256 is not supported; expected 0 (auto) or a power of two up to 132
// PERSISTENT: error: convert-s2attn-to-gpu: persistent takes no grid-splits (its CTAs walk whole items); got grid-splits = 2
func.func @mqa_128k(%q: memref<1x1x32x128xbf16>, %k: memref<1x131072x1x128xbf16>, %v: memref<1x131072x1x128xbf16>, %o: memref<1x1x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x32x128xbf16>, memref<1x131072x1x128xbf16>, memref<1x131072x1x128xbf16>)
      outs(%o : memref<1x1x32x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// Two KV heads of 16 query heads each: two tiles (16-row CTAs, one row
// warp), two clusters each. The scratch holds 2 slots x 2 splits x 68 words
// x 32 lanes; slot = tile (head group) + row warp.
// CHECK-LABEL: func.func @gqa2_128k
// CHECK: blocks in (%c32, %c2, %c1)
// CHECK: memref.global "private" @s2attn_fwd_grid_counts : memref<2xi32>
// CHECK: memref.global "private" @s2attn_fwd_grid_states : memref<8704xf32>
// CHECK: %[[SPLIT:.*]] = arith.remui %{{.*}}, %c2 : index
// CHECK: memref.atomic_rmw addi %c1_i32, %{{.*}}[%[[SLOT:.*]]] : (i32, memref<2xi32>) -> i32
// CHECK: memref.store %c0_i32, %{{.*}}[%[[SLOT]]] : memref<2xi32>
func.func @gqa2_128k(%q: memref<1x1x32x128xbf16>, %k: memref<1x131072x2x128xbf16>, %v: memref<1x131072x2x128xbf16>, %o: memref<1x1x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x32x128xbf16>, memref<1x131072x2x128xbf16>, memref<1x131072x2x128xbf16>)
      outs(%o : memref<1x1x32x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}
