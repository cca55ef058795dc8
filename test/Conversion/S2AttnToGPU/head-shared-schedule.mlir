// RUN: s2-opt %s --convert-s2attn-to-gpu | FileCheck %s

// A CSR schedule whose rows repeat for every head (a dense pattern, or a
// window, or one mask for all heads) is kept once: 2 rows for 2 Merge-Q
// tiles, not 8 for 4 heads. Stripes that differ by KV head keep every
// head's rows (stride 2: KV head 0 the even blocks, KV head 1 the odd).

// CHECK: gpu.module @s2attn_kernels
// CHECK-DAG: memref.global "private" constant @s2attn_fwd_row_ptr : memref<3xi32> = dense<[0, 2, 6]>
// CHECK-DAG: memref.global "private" constant @s2attn_fwd_kv_blocks : memref<6xi32> = dense<[0, 1, 0, 1, 2, 3]>
// CHECK-DAG: memref.global "private" constant @s2attn_fwd_num_unmasked : memref<2xi32> = dense<[0, 2]>
// CHECK-DAG: memref.global "private" constant @s2attn_fwd_0_row_ptr : memref<9xi32> = dense<[0, 2, 5, 7, 10, 12, 15, 17, 20]>
// CHECK-DAG: memref.global "private" constant @s2attn_fwd_0_kv_blocks : memref<20xi32> = dense<[0, 1, 0, 2, 3, 0, 1, 0, 2, 3, 0, 1, 1, 2, 3, 0, 1, 1, 2, 3]>
func.func @dense_heads_share(%q: memref<1x100x4x64xbf16>, %k: memref<1x100x2x64xbf16>, %v: memref<1x100x2x64xbf16>, %o: memref<1x100x4x64xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x100x4x64xbf16>, memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>) outs(%o : memref<1x100x4x64xbf16>) pattern = #s2attn.dense<block = 32>
  return
}
func.func @stripes_per_head(%q: memref<1x100x4x64xbf16>, %k: memref<1x100x2x64xbf16>, %v: memref<1x100x2x64xbf16>, %o: memref<1x100x4x64xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x100x4x64xbf16>, memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>) outs(%o : memref<1x100x4x64xbf16>) pattern = #s2attn.local_stride<block = 32, local = 1, stride = 2>
  return
}
