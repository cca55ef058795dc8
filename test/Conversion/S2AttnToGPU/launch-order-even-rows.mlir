// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu --canonicalize --cse | FileCheck %s

// Launch groups for grids of under 8 waves. S2 rows of 4096 tokens (block
// 64, local 8, stride 16) are nearly even: 1 to 12 steps, 9.3 on average.
// Longest first over all 32 heads at once (one group of 32 x 64 = 2048
// CTAs) leaves only the short first rows for the last wave.
// CHECK-LABEL: func.func @even_rows
// CHECK: gpu.func @s2attn_fwd(
// CHECK: %[[LINEAR:.*]] = arith.addi %block_id_x, %{{.*}} : index
// CHECK-NEXT: arith.divui %[[LINEAR]], %c2048 : index
// CHECK-NEXT: %[[IN:.*]] = arith.remui %[[LINEAR]], %c2048 : index
// CHECK-NEXT: arith.remui %[[IN]], %c32 : index
// CHECK: %[[ORDINAL:.*]] = arith.divui %[[IN]], %c32 : index
// CHECK-NEXT: arith.subi %c63, %[[ORDINAL]] : index
func.func @even_rows(%q: memref<1x4096x32x128xbf16>, %k: memref<1x4096x32x128xbf16>, %v: memref<1x4096x32x128xbf16>, %o: memref<1x4096x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x4096x32x128xbf16>, memref<1x4096x32x128xbf16>, memref<1x4096x32x128xbf16>)
      outs(%o : memref<1x4096x32x128xbf16>) pattern = #s2attn.local_stride<block = 64, local = 8, stride = 16>
  return
}

// -----

// Dense causal rows run from 1 to 64 steps: groups of 8 heads (512 CTAs, the
// fewest that fill the first wave of 264) keep the running CTAs' K/V in L2.
// CHECK-LABEL: func.func @dense_rows
// CHECK: gpu.func @s2attn_fwd(
// CHECK: %[[LINEAR:.*]] = arith.addi %block_id_x, %{{.*}} : index
// CHECK-NEXT: %[[GROUP:.*]] = arith.divui %[[LINEAR]], %c512 : index
// CHECK-NEXT: %[[IN:.*]] = arith.remui %[[LINEAR]], %c512 : index
// CHECK-NEXT: %[[SLOT:.*]] = arith.remui %[[IN]], %c8 : index
func.func @dense_rows(%q: memref<1x4096x32x128xbf16>, %k: memref<1x4096x32x128xbf16>, %v: memref<1x4096x32x128xbf16>, %o: memref<1x4096x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x4096x32x128xbf16>, memref<1x4096x32x128xbf16>, memref<1x4096x32x128xbf16>)
      outs(%o : memref<1x4096x32x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// The same rows at 8192 tokens are 4096 CTAs, 15.5 waves: groups of 4 heads
// (4 x 128 = 512 CTAs), which keep the running CTAs' K/V within L2.
// CHECK-LABEL: func.func @many_waves
// CHECK: gpu.func @s2attn_fwd(
// CHECK: %[[LINEAR:.*]] = arith.addi %block_id_x, %{{.*}} : index
// CHECK-NEXT: arith.divui %[[LINEAR]], %c512 : index
func.func @many_waves(%q: memref<1x8192x32x128xbf16>, %k: memref<1x8192x32x128xbf16>, %v: memref<1x8192x32x128xbf16>, %o: memref<1x8192x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x8192x32x128xbf16>, memref<1x8192x32x128xbf16>, memref<1x8192x32x128xbf16>)
      outs(%o : memref<1x8192x32x128xbf16>) pattern = #s2attn.local_stride<block = 64, local = 8, stride = 16>
  return
}
