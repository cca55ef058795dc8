// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="cluster-splits=1 stages=2" --canonicalize --cse | FileCheck %s
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="cluster-splits=1" --canonicalize --cse | FileCheck %s --check-prefix=STAGES3
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="cluster-splits=1 stages=3" --canonicalize --cse | FileCheck %s --check-prefix=STAGES3
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="chip=sm_80" | FileCheck %s --check-prefix=SM80AUTO
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="chip=sm_80 stages=3" | FileCheck %s --check-prefix=SM80
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="cluster-splits=1 ctas-per-sm=2" | FileCheck %s --check-prefix=TWO
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="cluster-splits=1 cta-rows=64" | FileCheck %s --check-prefix=ROWS64

// Decoding: one query, four query heads packed on each KV head, so every row
// of a CTA fits one warp's 16 (without thread block clusters, which
// cluster-splits.mlir covers). Four warps split the row's keys instead of
// leaving three idle: warp w walks steps w, w + 4, ... of 32 keys (two per
// 64-key block) with K/V stages of its own (with stages=2, checked first: 8 x
// 16 KiB, then the 16-row Q tile), and the four softmax states merge at the
// end.

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
// No CTA barrier in the walk: the first one after it precedes the scratch.
// CHECK-NOT: gpu.barrier
// After the walk: warps 1-3 leave max, sum and O (4 + 64 words a lane) in
// the scratch over the stages; warp 0 merges and writes the output.
// CHECK: gpu.barrier
// CHECK-NEXT: %[[SCRATCH:.*]] = memref.view %{{.*}}[%c0][] {{.*}} to memref<6528xf32
// CHECK: %[[OTHER:.*]] = arith.cmpi ne, %[[WARP]], %c0 : index
// CHECK-NEXT: scf.if %[[OTHER]] {
// Word v of lane l of warp w sits at ((w - 1) * 68 + v) * 32 + l.
// CHECK-NEXT: %[[SPLIT:.*]] = arith.subi %[[WARP]], %c1 : index
// CHECK-NEXT: %[[WORD0:.*]] = arith.muli %[[SPLIT]], %c2176 : index
// CHECK-NEXT: %[[SLOT0:.*]] = arith.addi %[[WORD0]], %[[LANE]] : index
// CHECK-NEXT: memref.store %{{.*}}, %[[SCRATCH]][%[[SLOT0]]]
// CHECK-NEXT: %[[BASE:.*]] = arith.muli %[[SPLIT]], %c68 : index
// CHECK-NEXT: %[[WORD1:.*]] = arith.addi %[[BASE]], %c1 : index
// CHECK-NEXT: %[[ROW1:.*]] = arith.muli %[[WORD1]], %c32 : index
// CHECK-NEXT: %[[SLOT1:.*]] = arith.addi %[[ROW1]], %[[LANE]] : index
// CHECK-NEXT: memref.store %{{.*}}, %[[SCRATCH]][%[[SLOT1]]]
// CHECK-COUNT-66: memref.store %{{.*}}, %[[SCRATCH]]
// CHECK: gpu.barrier
// CHECK-NEXT: %[[FIRST:.*]] = arith.cmpi eq, %[[WARP]], %c0 : index
// CHECK-NEXT: scf.if %[[FIRST]] {
// Warp 1's words first (split 0: word v at v * 32 + l).
// CHECK-NEXT: memref.load %[[SCRATCH]][%[[LANE]]]
// CHECK-NEXT: %[[LOAD1:.*]] = arith.addi %[[LANE]], %c32 : index
// CHECK-NEXT: memref.load %[[SCRATCH]][%[[LOAD1]]]
// CHECK-COUNT-202: memref.load %[[SCRATCH]]
// Each split's weight is exp2((max - merged max) * scale * log2 e), 0 when
// the split saw no key.
// CHECK: arith.maximumf
// CHECK: %[[EMPTY:.*]] = arith.cmpf oeq, %{{.*}}, %cst
// CHECK-NEXT: %[[GAP:.*]] = arith.subf
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[GAP]]
// CHECK-NEXT: %[[W:.*]] = llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"(%[[SCALED]])
// CHECK-NEXT: %[[WEIGHT:.*]] = arith.select %[[EMPTY]], %{{.*}}, %[[W]] : f32
// CHECK-NEXT: llvm.intr.fma(%{{.*}}, %[[WEIGHT]]
// CHECK: nvvm.bar.warp.sync
// CHECK: vector.store %{{.*}}, %arg3
// CHECK: gpu.return

// Three stages, which stages=0 (the default) picks for key splits: two
// groups ahead, the warp's stages at w * 3.
// STAGES3-LABEL: func.func @decode_gqa
// STAGES3: dynamic_shared_memory_size %c200704_i32
// STAGES3: nvvm.cp.async.wait.group 2
// STAGES3-NEXT: gpu.barrier
// STAGES3: scf.for
// STAGES3-NEXT: nvvm.cp.async.wait.group 1
// STAGES3-NEXT: nvvm.bar.warp.sync
// STAGES3: arith.muli %{{.*}}, %c3 : index

// Where four warps' stages do not fit, or not as often as asked, the tile
// keeps the 4-warp CTA of 64 rows: on sm_80 with stages=3 (200704 bytes
// against 166912; by default sm_80 gets two stages, 135168 bytes), and with
// ctas-per-sm=2 on sm_90a; cta-rows chooses the usual CTA.
// SM80AUTO-LABEL: func.func @decode_gqa
// SM80AUTO: threads in (%c128, %{{.*}}, %{{.*}}) dynamic_shared_memory_size %c135168_i32
// SM80AUTO: scf.for
// SM80AUTO-NEXT: nvvm.cp.async.wait.group 0
// SM80AUTO: nvvm.bar.warp.sync
// SM80-LABEL: func.func @decode_gqa
// SM80: threads in (%c128, %{{.*}}, %{{.*}}) dynamic_shared_memory_size %c114688_i32
// SM80: scf.for
// SM80-NEXT: nvvm.cp.async.wait.group 1
// SM80-NEXT: gpu.barrier
// TWO-LABEL: func.func @decode_gqa
// TWO: dynamic_shared_memory_size %c81920_i32
// TWO: nvvm.minctasm = 2
// ROWS64-LABEL: func.func @decode_gqa
// ROWS64: dynamic_shared_memory_size %c81920_i32
func.func @decode_gqa(%q: memref<1x1x8x128xbf16>, %k: memref<1x1024x2x128xbf16>, %v: memref<1x1024x2x128xbf16>, %o: memref<1x1x8x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x8x128xbf16>, memref<1x1024x2x128xbf16>, memref<1x1024x2x128xbf16>)
      outs(%o : memref<1x1x8x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// 17 queries of one head fill two warps' rows: a 32-row CTA of two row
// warps and two key splits. Warp w holds rows 16 (w % 2) and is split
// w / 2, which walks steps w / 2, w / 2 + 2, ... (32 of 32 keys) through
// stages of its own (2 splits x 2 x 16 KiB, then the 32-row Q tile). The
// split's two warps copy each K/V chunk together, 64 threads, and meet on
// barrier 1 + split (64 threads) before reading it. Split 1 leaves its
// state in slot (w / 2 - 1) * 2 + w % 2 of the scratch; split 0 of the same
// rows merges it. Two CTA barriers (a warp sync between, so they stay two)
// precede the scratch writes: one orders them after every split's reads,
// the second keeps compute-sanitizer's racecheck from reporting hazards
// when the splits passed different numbers of named barriers.
// CHECK-LABEL: func.func @seventeen
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c1, %c1, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c73728_i32
// CHECK: %[[WARP:.*]] = arith.divui %thread_id_x, %c32 : index
// CHECK: %[[ROWS:.*]] = arith.remui %[[WARP]], %c2 : index
// CHECK-NEXT: %[[SPLIT:.*]] = arith.divui %[[WARP]], %c2 : index
// CHECK-NEXT: %[[FIRSTROW:.*]] = arith.muli %[[ROWS]], %c16 : index
// CHECK: %[[LEFT:.*]] = arith.subi %c32, %[[SPLIT]] : index
// CHECK-NEXT: arith.ceildivsi %[[LEFT]], %c2 : index
// CHECK: scf.for
// CHECK-NEXT: nvvm.cp.async.wait.group 0
// CHECK-NEXT: %[[BARRIER:.*]] = arith.addi %[[SPLIT]], %c1 : index
// CHECK-NEXT: %[[ID:.*]] = arith.index_cast %[[BARRIER]] : index to i32
// CHECK-NEXT: nvvm.barrier id = %[[ID]] number_of_threads = %c64_i32
// The next chunk goes to the split's stage: (split * 2 + step % 2) x 16 KiB,
// copied by its 64 threads: thread rowWarp * 32 + lane.
// CHECK: %[[STAGE:.*]] = arith.remui %{{.*}}, %c2 : index
// CHECK-NEXT: %[[SPLITSTAGES:.*]] = arith.muli %[[SPLIT]], %c2 : index
// CHECK-NEXT: %[[BUFFER:.*]] = arith.addi %[[SPLITSTAGES]], %[[STAGE]] : index
// CHECK-NEXT: arith.muli %[[BUFFER]], %c16384 : index
// CHECK: %[[ROWTHREADS:.*]] = arith.muli %[[ROWS]], %c32 : index
// CHECK-NEXT: arith.addi %[[ROWTHREADS]], %{{.*}} : index
// CHECK: gpu.barrier
// CHECK-NEXT: nvvm.bar.warp.sync
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: memref.view %{{.*}}[%c0][] {{.*}} to memref<4352xf32
// CHECK: %[[LATER:.*]] = arith.cmpi ne, %[[SPLIT]], %c0 : index
// CHECK-NEXT: scf.if %[[LATER]] {
// CHECK-NEXT: %[[PREV:.*]] = arith.subi %[[SPLIT]], %c1 : index
// CHECK-NEXT: %[[BASE:.*]] = arith.muli %[[PREV]], %c2 : index
// CHECK-NEXT: arith.addi %[[BASE]], %[[ROWS]] : index
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[SPLIT]], %c0 : index
// CHECK-NEXT: scf.if %[[FIRST]] {
func.func @seventeen(%q: memref<1x17x1x128xbf16>, %k: memref<1x1024x1x128xbf16>, %v: memref<1x1024x1x128xbf16>, %o: memref<1x17x1x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x17x1x128xbf16>, memref<1x1024x1x128xbf16>, memref<1x1024x1x128xbf16>)
      outs(%o : memref<1x17x1x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// 32 query heads on one KV head: a 16-row CTA could not pack the group, a
// 32-row one can: two row warps and two key splits, as above, every K/V
// tile read once for all 32 heads (by each split's two warps together).
// CHECK-LABEL: func.func @mqa
// CHECK: blocks in (%c1, %c1, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c73728_i32
// CHECK: scf.for
// CHECK-NEXT: nvvm.cp.async.wait.group 0
// CHECK: nvvm.barrier id = %{{.*}} number_of_threads = %c64_i32
func.func @mqa(%q: memref<1x1x32x128xbf16>, %k: memref<1x1024x1x128xbf16>, %v: memref<1x1024x1x128xbf16>, %o: memref<1x1x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x32x128xbf16>, memref<1x1024x1x128xbf16>, memref<1x1024x1x128xbf16>)
      outs(%o : memref<1x1x32x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}
