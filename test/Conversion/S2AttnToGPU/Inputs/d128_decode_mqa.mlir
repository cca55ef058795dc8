// A configuration of no-spills.test: MQA decode, 32 heads on one KV head over 131072 keys, head_dim 128, bf16 (grid splits).
func.func @s2attn_main(%q: memref<1x1x32x128xbf16>, %k: memref<1x131072x1x128xbf16>, %v: memref<1x131072x1x128xbf16>, %o: memref<1x1x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x32x128xbf16>, memref<1x131072x1x128xbf16>, memref<1x131072x1x128xbf16>)
      outs(%o : memref<1x1x32x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}
