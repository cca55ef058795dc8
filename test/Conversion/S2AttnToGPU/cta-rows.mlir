// A 128-token block is one schedule tile of 128 queries: one 8-warp CTA
// (cta-rows=128), or two 4-warp CTAs of 64 rows (cta-rows=64), which keep
// two CTAs (240 registers a thread at head_dim 128) resident per SM. By
// default (cta-rows=0) the tile is split when 8-warp CTAs would fill fewer
// than 16 waves of the chip (132 SMs on sm_90a, one CTA each).
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu --cse | FileCheck %s --check-prefixes=HALF,AUTO
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="cta-rows=64" --cse | FileCheck %s --check-prefix=HALF
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="cta-rows=128" --cse | FileCheck %s --check-prefix=WHOLE
// RUN: not s2-opt %s --split-input-file --convert-s2attn-to-gpu="cta-rows=96" 2>&1 | FileCheck %s --check-prefix=BAD

// 512 queries x 2 heads: 8 CTAs of 128 rows, far from 16 waves, so 8 x 2
// CTAs of 64 rows; 2 K/V stages of 64 keys (64 KiB)
// and a 64-row Q tile (16 KiB).
// HALF: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c8, %c2, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c81920_i32
// HALF: gpu.func @s2attn_fwd({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 2 : i32}
// The diagonal block's second 64-key chunk lies past every query of the
// tile's first half: that CTA ends its walk one chunk early.
// HALF: %[[END:.*]] = arith.addi %{{.*}}, %c63 : index
// HALF-NEXT: %[[LASTQ:.*]] = arith.minsi %[[END]], %c511 : index
// HALF-NEXT: %[[HAS:.*]] = arith.cmpi sgt, %[[ENTRIES:.*]], %c0 : index
// HALF-NEXT: %[[TRIM:.*]] = scf.if %[[HAS]] -> (index) {
// HALF-NEXT: arith.subi %[[ENTRIES]], %c1 : index
// HALF: %[[FIRSTKEY:.*]] = arith.muli %{{.*}}, %c128 : index
// HALF-NEXT: %[[AFTER:.*]] = arith.addi %[[LASTQ]], %c1 : index
// HALF-NEXT: %[[KEYS:.*]] = arith.subi %[[AFTER]], %[[FIRSTKEY]] : index
// HALF-NEXT: %[[VISIBLE:.*]] = arith.ceildivsi %[[KEYS]], %c64 : index
// HALF-NEXT: %[[LO:.*]] = arith.minsi %[[VISIBLE]], %c2 : index
// HALF-NEXT: %[[CLAMPED:.*]] = arith.maxsi %[[LO]], %c0 : index
// HALF-NEXT: %[[MASKED:.*]] = arith.subi %c2, %[[CLAMPED]] : index
// HALF-NEXT: scf.yield %[[MASKED]] : index
// HALF-NEXT: } else {
// HALF-NEXT: scf.yield %c0 : index
// HALF: %[[STEPS:.*]] = arith.subi %{{.*}}, %[[TRIM]] : index
// The first step and the diagonal chunk are peeled (peel-diagonal.mlir):
// the loop walks the steps between.
// HALF: %[[LOOPSTEPS:.*]] = arith.subi %[[STEPS]], %c1 : index
// HALF: scf.for %{{.*}} = %c1 to %[[LOOPSTEPS]] step %c1

// WHOLE: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c4, %c2, %c1) threads in (%c256, %c1, %c1) dynamic_shared_memory_size %c98304_i32
// WHOLE: kernel attributes {known_block_size = array<i32: 256, 1, 1>, nvvm.minctasm = 1 : i32}

// BAD: error: convert-s2attn-to-gpu: cta-rows = 96 is not supported; expected 0 (auto), 64 or 128
func.func @b128(%q: memref<1x512x2x128xbf16>, %k: memref<1x512x2x128xbf16>, %v: memref<1x512x2x128xbf16>, %o: memref<1x512x2x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x512x2x128xbf16>, memref<1x512x2x128xbf16>, memref<1x512x2x128xbf16>)
      outs(%o : memref<1x512x2x128xbf16>)
      pattern = #s2attn.local_stride<block = 128, local = 2, stride = 2>
  return
}

// -----

// 32k queries x 32 heads: 8192 CTAs of 128 rows, over 16 waves of 132, so
// one 8-warp CTA per tile.
// AUTO-LABEL: func.func @b128_long
// AUTO: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c256, %c32, %c1) threads in (%c256, %c1, %c1)
func.func @b128_long(%q: memref<1x32768x32x128xbf16>, %k: memref<1x32768x32x128xbf16>, %v: memref<1x32768x32x128xbf16>, %o: memref<1x32768x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x32768x32x128xbf16>, memref<1x32768x32x128xbf16>, memref<1x32768x32x128xbf16>)
      outs(%o : memref<1x32768x32x128xbf16>)
      pattern = #s2attn.local_stride<block = 128, local = 8, stride = 8>
  return
}

// -----

// GQA packing: the 4 query heads of the KV head share each CTA, so its 64
// rows are 16 positions x 4 heads and its last query is 15 positions on.
// HALF-LABEL: func.func @b128_gqa
// HALF: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c32, %c1, %c1) threads in (%c128, %c1, %c1)
// HALF: %[[END:.*]] = arith.addi %{{.*}}, %c15 : index
// HALF-NEXT: arith.minsi %[[END]], %c511 : index
func.func @b128_gqa(%q: memref<1x512x4x128xbf16>, %k: memref<1x512x1x128xbf16>, %v: memref<1x512x1x128xbf16>, %o: memref<1x512x4x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x512x4x128xbf16>, memref<1x512x1x128xbf16>, memref<1x512x1x128xbf16>)
      outs(%o : memref<1x512x4x128xbf16>)
      pattern = #s2attn.local_stride<block = 128, local = 2, stride = 2>
  return
}
