// A configuration of no-spills.test: #s2attn.local_stride<block = 16, local = 2, stride = 4>, 8/2 heads, head_dim 64, bf16.
func.func @s2attn_main(%q: memref<1x500x8x64xbf16>, %k: memref<1x500x2x64xbf16>, %v: memref<1x500x2x64xbf16>, %o: memref<1x500x8x64xbf16>, %l: memref<1x8x500xf32>) {
  s2attn.attention ins(%q, %k, %v : memref<1x500x8x64xbf16>, memref<1x500x2x64xbf16>, memref<1x500x2x64xbf16>)
      outs(%o : memref<1x500x8x64xbf16>, %l : memref<1x8x500xf32>)
      pattern = #s2attn.local_stride<block = 16, local = 2, stride = 4>
  return
}
