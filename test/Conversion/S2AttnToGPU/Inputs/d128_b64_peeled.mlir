// A peeled kernel (peel-diagonal) at head_dim 128, the bench's S2 B64 L8
// V16 shape at 4k; an input of no-spills.test.
func.func @s2attn_main(%q: memref<1x4096x32x128xbf16>, %k: memref<1x4096x32x128xbf16>, %v: memref<1x4096x32x128xbf16>, %o: memref<1x4096x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x4096x32x128xbf16>, memref<1x4096x32x128xbf16>, memref<1x4096x32x128xbf16>)
      outs(%o : memref<1x4096x32x128xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 8, stride = 16>
  return
}
