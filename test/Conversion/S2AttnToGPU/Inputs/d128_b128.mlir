// A configuration of no-spills.test: #s2attn.local_stride<block = 128, local = 2, stride = 4>, 4/4 heads, head_dim 128, bf16.
func.func @s2attn_main(%q: memref<1x1000x4x128xbf16>, %k: memref<1x1000x4x128xbf16>, %v: memref<1x1000x4x128xbf16>, %o: memref<1x1000x4x128xbf16>, %l: memref<1x4x1000xf32>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1000x4x128xbf16>, memref<1x1000x4x128xbf16>, memref<1x1000x4x128xbf16>)
      outs(%o : memref<1x1000x4x128xbf16>, %l : memref<1x4x1000xf32>)
      pattern = #s2attn.local_stride<block = 128, local = 2, stride = 4>
  return
}
