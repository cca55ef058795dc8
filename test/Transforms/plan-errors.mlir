// RUN: s2-opt %s --s2attn-plan="target=tpu" -split-input-file -verify-diagnostics

func.func @unknown_target(%q: tensor<1x64x1x16xf32>) -> tensor<1x64x1x16xf32> {
  // expected-error @+1 {{unknown target 'tpu'; known targets: cpu sm_80 sm_90a}}
  %r = s2attn.attention ins(%q, %q, %q : tensor<1x64x1x16xf32>, tensor<1x64x1x16xf32>, tensor<1x64x1x16xf32>)
      outs(%q : tensor<1x64x1x16xf32>) pattern = #s2attn.dense<block = 32> -> tensor<1x64x1x16xf32>
  return %r : tensor<1x64x1x16xf32>
}

// -----

// The target attribute overrides the (bad) option.
func.func @attribute_wins(%q: tensor<1x64x1x16xf32>) -> tensor<1x64x1x16xf32>
    attributes {s2attn.target = #s2attn.target<"cpu">} {
  %r = s2attn.attention ins(%q, %q, %q : tensor<1x64x1x16xf32>, tensor<1x64x1x16xf32>, tensor<1x64x1x16xf32>)
      outs(%q : tensor<1x64x1x16xf32>) pattern = #s2attn.dense<block = 32> -> tensor<1x64x1x16xf32>
  return %r : tensor<1x64x1x16xf32>
}
