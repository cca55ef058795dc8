// The GPU form of phi3-small-layer.mlir at 4k tokens: static memrefs (the
// kernel takes device pointers), written by s2-compile into a cubin +
// kernel.json that the runtime launches.
func.func @s2attn_main(%q: memref<1x4096x32x128xbf16>, %k: memref<1x4096x8x128xbf16>,
                       %v: memref<1x4096x8x128xbf16>, %o: memref<1x4096x32x128xbf16>,
                       %lse: memref<1x32x4096xf32>) {
  s2attn.attention ins(%q, %k, %v : memref<1x4096x32x128xbf16>, memref<1x4096x8x128xbf16>,
                       memref<1x4096x8x128xbf16>)
      outs(%o : memref<1x4096x32x128xbf16>, %lse : memref<1x32x4096xf32>)
      pattern = #s2attn.local_stride<block = 64, local = 16, stride = 8, head_offset = 1>
  return
}
