// A configuration of no-spills.test: #s2attn.block_mask<block = 32, mask = dense<true> : tensor<1x4x4xi1>>, 2/2 heads, head_dim 64, f16.
func.func @s2attn_main(%q: memref<1x100x2x64xf16>, %k: memref<1x100x2x64xf16>, %v: memref<1x100x2x64xf16>, %o: memref<1x100x2x64xf16>, %l: memref<1x2x100xf32>) {
  s2attn.attention ins(%q, %k, %v : memref<1x100x2x64xf16>, memref<1x100x2x64xf16>, memref<1x100x2x64xf16>)
      outs(%o : memref<1x100x2x64xf16>, %l : memref<1x2x100xf32>)
      pattern = #s2attn.block_mask<block = 32, mask = dense<true> : tensor<1x4x4xi1>>
  return
}
