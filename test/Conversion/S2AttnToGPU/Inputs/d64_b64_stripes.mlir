// Causal B64 rows with stripes at head_dim 64: it spilled under the 128
// registers of four CTAs an SM until the ninth session's closed-form walk
// kept fewer values live (docs/performance.md); an input of no-spills.test.
func.func @s2attn_main(%q: memref<1x4096x8x64xbf16>, %k: memref<1x4096x8x64xbf16>, %v: memref<1x4096x8x64xbf16>, %o: memref<1x4096x8x64xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x4096x8x64xbf16>, memref<1x4096x8x64xbf16>, memref<1x4096x8x64xbf16>)
      outs(%o : memref<1x4096x8x64xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 4, stride = 8>
  return
}
