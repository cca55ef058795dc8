// RUN: s2-opt %s --s2attn-materialize-schedule -split-input-file -verify-diagnostics

func.func @no_plan(%q: memref<1x32x1x8xf32>) {
  // expected-error @+1 {{has no s2attn.plan attribute; run s2attn-plan first (or attach an #s2attn.plan)}}
  s2attn.attention ins(%q, %q, %q : memref<1x32x1x8xf32>, memref<1x32x1x8xf32>, memref<1x32x1x8xf32>)
      outs(%q : memref<1x32x1x8xf32>) pattern = #s2attn.dense<block = 16>
  return
}

// -----

func.func @plan_for_other_block(%q: memref<1x32x1x8xf32>) {
  // expected-error @+1 {{plan kv_tile = 32 must equal the pattern's block (16)}}
  s2attn.attention ins(%q, %q, %q : memref<1x32x1x8xf32>, memref<1x32x1x8xf32>, memref<1x32x1x8xf32>)
      outs(%q : memref<1x32x1x8xf32>) pattern = #s2attn.dense<block = 16>
      {s2attn.plan = #s2attn.plan<q_tile = 32, kv_tile = 32>}
  return
}
