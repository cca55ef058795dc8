// A configuration of no-spills.test: #s2attn.local_stride<block = 64, local = 16, stride = 8, head_offset = 1>, 32/8 heads, head_dim 128, bf16.
func.func @s2attn_main(%q: memref<1x1x32x128xbf16>, %k: memref<1x4000x8x128xbf16>, %v: memref<1x4000x8x128xbf16>, %o: memref<1x1x32x128xbf16>, %l: memref<1x32x1xf32>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x32x128xbf16>, memref<1x4000x8x128xbf16>, memref<1x4000x8x128xbf16>)
      outs(%o : memref<1x1x32x128xbf16>, %l : memref<1x32x1xf32>)
      pattern = #s2attn.local_stride<block = 64, local = 16, stride = 8, head_offset = 1>
  return
}
