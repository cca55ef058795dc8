// One attention layer with Phi-3-small's S2 pattern (block 64, local 16,
// stride 8, vLLM's head offset 1; 32 query heads sharing 8 KV heads) over an
// 8k context, in bf16 with the log-sum-exp.
func.func @phi3_small_attention(%q: tensor<1x8192x32x128xbf16>,
                                %k: tensor<1x8192x8x128xbf16>,
                                %v: tensor<1x8192x8x128xbf16>)
    -> (tensor<1x8192x32x128xbf16>, tensor<1x32x8192xf32>) {
  %o = tensor.empty() : tensor<1x8192x32x128xbf16>
  %l = tensor.empty() : tensor<1x32x8192xf32>
  %0:2 = s2attn.attention ins(%q, %k, %v : tensor<1x8192x32x128xbf16>,
                              tensor<1x8192x8x128xbf16>, tensor<1x8192x8x128xbf16>)
         outs(%o : tensor<1x8192x32x128xbf16>, %l : tensor<1x32x8192xf32>)
         pattern = #s2attn.local_stride<block = 64, local = 16, stride = 8, head_offset = 1>
         -> tensor<1x8192x32x128xbf16>, tensor<1x32x8192xf32>
  return %0#0, %0#1 : tensor<1x8192x32x128xbf16>, tensor<1x32x8192xf32>
}
