// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu --canonicalize --cse | FileCheck %s
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="cluster-splits=4" | FileCheck %s --check-prefix=FOUR
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="cluster-splits=1" | FileCheck %s --check-prefix=NONE
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="chip=sm_80" | FileCheck %s --check-prefix=NONE
// RUN: not s2-opt %s --split-input-file --convert-s2attn-to-gpu="cluster-splits=17" 2>&1 | FileCheck %s --check-prefix=NINE
// RUN: not s2-opt %s --split-input-file --convert-s2attn-to-gpu="chip=sm_80 cluster-splits=2" 2>&1 | FileCheck %s --check-prefix=AMPERE

// Thread block clusters (sm_90a) for tiles too few to fill the chip: the
// CTAs of a cluster split a tile's walk and the first CTA merges their
// softmax states from their shared memory.
//
// Decoding one token over 8192 keys, 32 query heads on 8 KV heads: a
// key-split CTA per KV head would leave 124 of the 132 SMs idle. On sm_90a
// the 8 CTAs of a thread block cluster share the tile instead: CTA r's warp
// w walks steps 4r + w, 4r + w + 32, ... (256 steps of 32 keys, 8 a warp),
// the warps of a CTA merge through its shared memory as under key splits,
// and the first CTA's first warp merges the 8 CTAs' states, read from their
// shared memory (mapa to each rank, ld.shared::cluster). The grid's x is the
// 8 CTAs of a cluster, one cluster per KV head.

// CHECK-LABEL: func.func @dense_8k
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c8, %c8, %c1) threads in (%c128, %c1, %c1)
// CHECK: gpu.func @s2attn_fwd({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.cluster_dim = array<i32: 8, 1, 1>, nvvm.minctasm = 1 : i32}
// CHECK: %[[WARP:.*]] = arith.divui %thread_id_x, %c32 : index
// CHECK: %block_id_x = gpu.block_id x
// CHECK: %[[RANK:.*]] = arith.remui %block_id_x, %c8 : index
// CHECK-NEXT: arith.divui %block_id_x, %c8 : index
// CHECK: %[[RANKWARPS:.*]] = arith.muli %[[RANK]], %c4 : index
// CHECK-NEXT: %[[WALKER:.*]] = arith.addi %[[RANKWARPS]], %[[WARP]] : index
// This warp's share: ceil((steps - walker) / 32).
// CHECK: %[[LEFT:.*]] = arith.subi %{{.*}}, %[[WALKER]] : index
// CHECK-NEXT: arith.ceildivsi %[[LEFT]], %c32 : index
// CHECK: scf.for
// CHECK: nvvm.bar.warp.sync
// CHECK-NEXT: %[[AHEAD:.*]] = arith.addi %{{.*}}, %c2 : index
// CHECK-NEXT: %[[STRIDE:.*]] = arith.muli %[[AHEAD]], %c32 : index
// CHECK-NEXT: arith.addi %[[WALKER]], %[[STRIDE]] : index
// The CTA's warps merge as under key splits; the first warp leaves the
// CTA's state in its lanes' words of the scratch.
// CHECK: %[[FIRSTWARP:.*]] = arith.cmpi eq, %[[WARP]], %c0 : index
// CHECK-NEXT: scf.if %[[FIRSTWARP]] {
// CHECK: memref.store
// CHECK: }
// CHECK-NEXT: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-NEXT: %[[FIRSTRANK:.*]] = arith.cmpi eq, %[[RANK]], %c0 : index
// CHECK-NEXT: %[[MERGER:.*]] = arith.andi %[[FIRSTWARP]], %[[FIRSTRANK]] : i1
// CHECK-NEXT: scf.if %[[MERGER]] {
// CHECK: %[[LOCAL:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr<3>
// CHECK-NEXT: %[[RANK0:.*]] = nvvm.mapa %[[LOCAL]], %c0_i32 : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK-NEXT: llvm.load %[[RANK0]] : !llvm.ptr<7> -> f32
// CHECK-NEXT: %[[WORD1:.*]] = llvm.getelementptr %[[RANK0]][32] : (!llvm.ptr<7>) -> !llvm.ptr<7>, f32
// CHECK-NEXT: llvm.load %[[WORD1]] : !llvm.ptr<7> -> f32
// CHECK: nvvm.mapa %[[LOCAL]], %c1_i32
// CHECK: nvvm.mapa %[[LOCAL]], %c7_i32
// CHECK-NOT: nvvm.mapa
// CHECK: vector.store
// No CTA leaves before the first one has read its shared memory.
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-NEXT: gpu.return

// FOUR-LABEL: func.func @dense_8k
// FOUR: blocks in (%{{.*}}, %{{.*}}, %{{.*}})
// FOUR: nvvm.cluster_dim = array<i32: 4, 1, 1>
// NONE-LABEL: func.func @dense_8k
// NONE-NOT: nvvm.cluster_dim
// NONE-NOT: nvvm.mapa
// NONE-LABEL: func.func @short_kv
// NINE: error: convert-s2attn-to-gpu: cluster-splits = 17 is not supported on sm_90a; expected 0 (auto) or 1 to 16
// AMPERE: error: convert-s2attn-to-gpu: cluster-splits = 2 is not supported on sm_80; expected 0 (auto) or 1 to 1 (no thread block clusters)
func.func @dense_8k(%q: memref<1x1x32x128xbf16>, %k: memref<1x8192x8x128xbf16>, %v: memref<1x8192x8x128xbf16>, %o: memref<1x1x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x32x128xbf16>, memref<1x8192x8x128xbf16>, memref<1x8192x8x128xbf16>)
      outs(%o : memref<1x1x32x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// 1024 keys: 32 steps, four a warp in a cluster of two.
// CHECK-LABEL: func.func @mid_kv
// CHECK: blocks in (%c2, %c8, %c1)
// CHECK: nvvm.cluster_dim = array<i32: 2, 1, 1>
func.func @mid_kv(%q: memref<1x1x32x128xbf16>, %k: memref<1x1024x8x128xbf16>, %v: memref<1x1024x8x128xbf16>, %o: memref<1x1x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x32x128xbf16>, memref<1x1024x8x128xbf16>, memref<1x1024x8x128xbf16>)
      outs(%o : memref<1x1x32x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// 960 keys: 30 steps, fewer than four a warp for two CTAs: no cluster.
// CHECK-LABEL: func.func @short_kv
// CHECK: blocks in (%c1, %c8, %c1)
// CHECK-NOT: nvvm.cluster_dim
func.func @short_kv(%q: memref<1x1x32x128xbf16>, %k: memref<1x960x8x128xbf16>, %v: memref<1x960x8x128xbf16>, %o: memref<1x1x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x32x128xbf16>, memref<1x960x8x128xbf16>, memref<1x960x8x128xbf16>)
      outs(%o : memref<1x1x32x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// Key-split CTAs stream K/V: clusters bring their grid to at most half the
// SMs (66 of 132). 16 KV heads get clusters of 4; 64 KV heads none.
// CHECK-LABEL: func.func @many_heads
// CHECK: blocks in (%c1, %c64, %c1)
// CHECK-NOT: nvvm.cluster_dim
func.func @many_heads(%q: memref<1x1x64x128xbf16>, %k: memref<1x8192x64x128xbf16>, %v: memref<1x8192x64x128xbf16>, %o: memref<1x1x64x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x64x128xbf16>, memref<1x8192x64x128xbf16>, memref<1x8192x64x128xbf16>)
      outs(%o : memref<1x1x64x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// MQA, four sequences: 32 query heads on one KV head fill 32 rows: a
// key-split CTA of two row warps and two splits (key-splits.mlir), one CTA a
// sequence. A cluster of 16 such CTAs (non-portable: the runtime opts the
// kernel in) splits the walk: CTA r's split s walks steps 2r + s,
// 2r + s + 32, ... of the 1024 (32 keys each), and the first CTA's first
// split merges the 16 CTAs' states for its rows (slot w % 2 of each CTA's
// scratch). (Fewer sequences take more SMs: packed-heads.mlir,
// grid-splits.mlir.)
// CHECK-LABEL: func.func @mqa
// CHECK: blocks in (%c16, %c1, %c4) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c106496_i32
// CHECK: nvvm.cluster_dim = array<i32: 16, 1, 1>, nvvm.minctasm = 2 : i32
// CHECK: %[[WARP:.*]] = arith.divui %thread_id_x, %c32 : index
// CHECK: %[[ROWS:.*]] = arith.remui %[[WARP]], %c2 : index
// CHECK-NEXT: %[[SPLIT:.*]] = arith.divui %[[WARP]], %c2 : index
// CHECK: %[[RANK:.*]] = arith.remui %block_id_x, %c16 : index
// CHECK: %[[RANKSPLITS:.*]] = arith.muli %[[RANK]], %c2 : index
// CHECK-NEXT: %[[WALKER:.*]] = arith.addi %[[RANKSPLITS]], %[[SPLIT]] : index
// CHECK: %[[LEFT:.*]] = arith.subi %{{.*}}, %[[WALKER]] : index
// CHECK-NEXT: arith.ceildivsi %[[LEFT]], %c32 : index
// CHECK: scf.for
// CHECK-NEXT: nvvm.cp.async.wait.group 1
// CHECK: nvvm.barrier id = %{{.*}} number_of_threads = %c64_i32
// CHECK: %[[FIRSTSPLIT:.*]] = arith.cmpi eq, %[[SPLIT]], %c0 : index
// CHECK-NEXT: scf.if %[[FIRSTSPLIT]] {
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-NEXT: %[[FIRSTRANK:.*]] = arith.cmpi eq, %[[RANK]], %c0 : index
// CHECK-NEXT: %[[MERGER:.*]] = arith.andi %[[FIRSTSPLIT]], %[[FIRSTRANK]] : i1
// CHECK-NEXT: scf.if %[[MERGER]] {
// CHECK: %[[SLOTWORDS:.*]] = arith.muli %[[ROWS]], %c2176 : index
// CHECK: nvvm.mapa %{{.*}}, %c0_i32
// CHECK: nvvm.mapa %{{.*}}, %c15_i32
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-NEXT: gpu.return
func.func @mqa(%q: memref<4x1x32x128xbf16>, %k: memref<4x32768x1x128xbf16>, %v: memref<4x32768x1x128xbf16>, %o: memref<4x1x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<4x1x32x128xbf16>, memref<4x32768x1x128xbf16>, memref<4x32768x1x128xbf16>)
      outs(%o : memref<4x1x32x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// Prefill with many tiles fills the chip without clusters: 4096 tokens of
// 32 heads are 2048 CTAs.
// CHECK-LABEL: func.func @prefill
// CHECK: blocks in (%c64, %c32, %c1)
// CHECK-NOT: nvvm.cluster_dim
func.func @prefill(%q: memref<1x4096x32x128xbf16>, %k: memref<1x4096x32x128xbf16>, %v: memref<1x4096x32x128xbf16>, %o: memref<1x4096x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x4096x32x128xbf16>, memref<1x4096x32x128xbf16>, memref<1x4096x32x128xbf16>)
      outs(%o : memref<1x4096x32x128xbf16>) pattern = #s2attn.local_stride<block = 64, local = 8, stride = 16>
  return
}

// -----

// A prefill of one head: 64 query tiles of 64 rows on a chip of 264 such
// CTAs. Clusters of 4 of these 4-warp CTAs share each tile: CTA r walks
// steps r, r + 4, ... (all its warps together, CTA-wide stages), every warp
// leaves its 16 rows' state in a scratch slot of its own after a CTA
// barrier, and the first CTA's warps merge their slot's 4 states.
// CHECK-LABEL: func.func @prefill_one_head
// CHECK: blocks in (%c256, %c1, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c81920_i32
// CHECK: nvvm.cluster_dim = array<i32: 4, 1, 1>, nvvm.minctasm = 2 : i32
// CHECK: %[[WARP:.*]] = arith.divui %thread_id_x, %c32 : index
// CHECK: %[[RANK:.*]] = arith.remui %block_id_x, %c4 : index
// CHECK: %[[LEFT:.*]] = arith.subi %{{.*}}, %[[RANK]] : index
// CHECK-NEXT: arith.ceildivsi %[[LEFT]], %c4 : index
// CHECK: scf.for
// CHECK-NEXT: nvvm.cp.async.wait.group 0
// CHECK-NEXT: gpu.barrier
// CHECK-NOT: nvvm.bar.warp.sync
// CHECK: gpu.barrier
// CHECK-NEXT: memref.view %{{.*}}[%c0][] : {{.*}} to memref<8704xf32, #gpu.address_space<workgroup>>
// Word 0 of warp w's slot, lane l: 2176 w + l (68 words of 32 lanes).
// CHECK: %[[SLOT:.*]] = arith.muli %[[WARP]], %c2176 : index
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-NEXT: %[[FIRSTRANK:.*]] = arith.cmpi eq, %[[RANK]], %c0 : index
// CHECK-NEXT: scf.if %[[FIRSTRANK]] {
// CHECK: nvvm.mapa %{{.*}}, %c3_i32
// CHECK-NOT: nvvm.mapa
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-NEXT: gpu.return
func.func @prefill_one_head(%q: memref<1x4096x1x128xbf16>, %k: memref<1x4096x1x128xbf16>, %v: memref<1x4096x1x128xbf16>, %o: memref<1x4096x1x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x4096x1x128xbf16>, memref<1x4096x1x128xbf16>, memref<1x4096x1x128xbf16>)
      outs(%o : memref<1x4096x1x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// CHECK-LABEL: func.func @sixteen_kv_heads
// CHECK: blocks in (%c4, %c16, %c1)
// CHECK: nvvm.cluster_dim = array<i32: 4, 1, 1>
func.func @sixteen_kv_heads(%q: memref<1x1x64x128xbf16>, %k: memref<1x8192x16x128xbf16>, %v: memref<1x8192x16x128xbf16>, %o: memref<1x1x64x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x64x128xbf16>, memref<1x8192x16x128xbf16>, memref<1x8192x16x128xbf16>)
      outs(%o : memref<1x1x64x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}
