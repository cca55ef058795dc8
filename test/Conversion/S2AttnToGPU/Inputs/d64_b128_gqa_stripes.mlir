// Causal B128 S2 at head_dim 64, GQA groups of 4, LSE: spills at four CTAs an SM (no-spills.test).
func.func @s2attn_main(%arg0: memref<1x4096x8x64xbf16>, %arg1: memref<1x4096x2x64xbf16>, %arg2: memref<1x4096x2x64xbf16>, %arg3: memref<1x4096x8x64xbf16>, %arg4: memref<1x8x4096xf32>) {
  s2attn.attention ins(%arg0, %arg1, %arg2 : memref<1x4096x8x64xbf16>, memref<1x4096x2x64xbf16>, memref<1x4096x2x64xbf16>) outs(%arg3 : memref<1x4096x8x64xbf16>, %arg4 : memref<1x8x4096xf32>) pattern = #s2attn.local_stride<block = 128, local = 4, stride = 8>
  return
}
