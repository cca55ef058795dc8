// RUN: s2-opt %s --convert-s2attn-to-gpu | FileCheck %s

// A causal local-stride problem: 100 tokens (not a multiple of the block),
// block 32, two query heads on one KV head (GQA), bf16, with the LSE.
// Block 32 < 64 and the pattern is KV-cache efficient, so Merge-Q makes
// 64-row tiles of two block rows: tiles 0 and 1 per head, 4 schedule rows.
// Both query heads share KV head 0, whose stripes (local 1, stride 2) are the
// even key blocks. Tile 0 (query blocks 0, 1) visits blocks {0, 1}, both
// masked (diagonal); tile 1 (query blocks 2, 3) visits block 0 unmasked, then
// 2 and 3 masked; block 3 only from block row 3 (row mask 0b10). The two
// heads' rows are the same, so the kernel keeps one head's: 2 rows.

// CHECK-LABEL: func.func @gqa_bf16
// CHECK-SAME: (%[[Q:.*]]: memref<1x100x2x64xbf16>, %[[K:.*]]: memref<1x100x1x64xbf16>, %[[V:.*]]: memref<1x100x1x64xbf16>, %[[O:.*]]: memref<1x100x2x64xbf16>, %[[L:.*]]: memref<1x2x100xf32>)
// GQA packing: both query heads share each CTA (and each K/V tile load), so
// a CTA holds 32 positions x 2 heads; 100 tokens need 4 such CTAs per group.
// CHECK-DAG: %[[GX:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[GY:c1]] = arith.constant 1 : index
// CHECK-DAG: %[[THREADS:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[SMEM:.*]] = arith.constant 24576 : i32
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%[[GX]], %[[GY]], %{{.*}}) threads in (%[[THREADS]], %{{.*}}, %{{.*}}) dynamic_shared_memory_size %[[SMEM]] args(%[[Q]] : memref<1x100x2x64xbf16>, %[[K]] : memref<1x100x1x64xbf16>, %[[V]] : memref<1x100x1x64xbf16>, %[[O]] : memref<1x100x2x64xbf16>, %[[L]] : memref<1x2x100xf32>)
// CHECK-NOT: s2attn.attention

// CHECK: gpu.module @s2attn_kernels
// CHECK-DAG: memref.global "private" constant @s2attn_fwd_row_ptr : memref<3xi32> = dense<[0, 2, 5]>
// CHECK-DAG: memref.global "private" constant @s2attn_fwd_kv_blocks : memref<5xi32> = dense<[0, 1, 0, 2, 3]>
// CHECK-DAG: memref.global "private" constant @s2attn_fwd_num_unmasked : memref<2xi32> = dense<[0, 1]>
// CHECK-DAG: memref.global "private" constant @s2attn_fwd_row_masks : memref<5xi32> = dense<[3, 2, 3, 3, 2]>
// CHECK: gpu.func @s2attn_fwd(%{{.*}}: memref<1x100x2x64xbf16>, %{{.*}}: memref<1x100x1x64xbf16>, %{{.*}}: memref<1x100x1x64xbf16>, %{{.*}}: memref<1x100x2x64xbf16>, %{{.*}}: memref<1x2x100xf32>) kernel
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// The Q tile: cp.async with zero fill past the sequence, into shared memory.
// CHECK: gpu.dynamic_shared_memory
// CHECK: nvgpu.device_async_copy {{.*}} {bypassL1} : memref<1x100x2x64xbf16> to memref<64x64xbf16, #gpu.address_space<workgroup>>
// CHECK: nvvm.cp.async.commit.group
// The first K/V tiles load while Q lands: wait for all but that newest group.
// CHECK: nvgpu.device_async_copy {{.*}} : memref<1x100x1x64xbf16> to memref<32x64xbf16, #gpu.address_space<workgroup>>
// CHECK: nvvm.cp.async.commit.group
// CHECK: nvvm.cp.async.wait.group 1
// CHECK: nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false}
// The row walk: K/V for the next step load while this one computes.
// CHECK: scf.for
// CHECK: nvvm.cp.async.wait.group 0
// CHECK: scf.if
// CHECK: nvgpu.device_async_copy {{.*}} : memref<1x100x1x64xbf16> to memref<32x64xbf16, #gpu.address_space<workgroup>>
// CHECK: nvvm.mma.sync {{.*}} {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
// Only masked entries pay for the token mask.
// CHECK: arith.cmpi sge
// CHECK: scf.if {{.*}} -> (vector<4xf32>
// CHECK: llvm.intr.fma
// CHECK: llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"
// CHECK: gpu.shuffle xor
// CHECK: nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = true}
// Epilogue: O / l through one approximate reciprocal of both rows' sums
// (no IEEE division), O staged in shared memory, then the natural-log LSE
// from lanes that own a row.
// CHECK-NOT: arith.divf
// CHECK: nvgpu.rcp %{{.*}}{rounding =  approx, ftz} : vector<2xf32>
// CHECK-NOT: arith.divf
// CHECK: vector.store %{{.*}}, %view[{{.*}}] {alignment = 4 : i64} : memref<64x64xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK: llvm.call_intrinsic "llvm.nvvm.lg2.approx.f"
// CHECK: memref.store {{.*}} : memref<1x2x100xf32>
func.func @gqa_bf16(%q: memref<1x100x2x64xbf16>, %k: memref<1x100x1x64xbf16>, %v: memref<1x100x1x64xbf16>, %o: memref<1x100x2x64xbf16>, %l: memref<1x2x100xf32>) {
  s2attn.attention ins(%q, %k, %v : memref<1x100x2x64xbf16>, memref<1x100x1x64xbf16>, memref<1x100x1x64xbf16>)
      outs(%o : memref<1x100x2x64xbf16>, %l : memref<1x2x100xf32>)
      pattern = #s2attn.local_stride<block = 32, local = 1, stride = 2, head_step = 1>
  return
}

// pack-gqa=false: one CTA per (tile, query head); per-query-head masks are
// never packed.
// RUN: s2-opt %s --convert-s2attn-to-gpu="pack-gqa=false" | FileCheck %s --check-prefix=NOPACK
// NOPACK-LABEL: func.func @gqa_bf16
// NOPACK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c2, %c2_0, %c1) threads in
