// RUN: s2-opt %s --s2attn-tile -split-input-file -verify-diagnostics

func.func @tensors(%q: tensor<1x32x1x8xf32>, %i: index) -> tensor<1x32x1x8xf32> {
  // expected-error @+1 {{operates on tensors; bufferize it (one-shot-bufferize) before s2attn-tile}}
  %r = s2attn.scheduled_attention ins(%q, %q, %q : tensor<1x32x1x8xf32>, tensor<1x32x1x8xf32>, tensor<1x32x1x8xf32>)
      outs(%q : tensor<1x32x1x8xf32>) q_start = %i kv_start = %i schedule = closed_form
      pattern = #s2attn.dense<block = 16> {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
      -> tensor<1x32x1x8xf32>
  return %r : tensor<1x32x1x8xf32>
}

// -----

func.func @strided(%q: memref<1x32x1x8xf32, strided<[512, 16, 8, 2]>>, %i: index) {
  // expected-error @+1 {{needs a unit stride in the head dimension, got 'memref<1x32x1x8xf32, strided<[512, 16, 8, 2]>>'; copy the operand into a contiguous buffer first}}
  s2attn.scheduled_attention ins(%q, %q, %q : memref<1x32x1x8xf32, strided<[512, 16, 8, 2]>>, memref<1x32x1x8xf32, strided<[512, 16, 8, 2]>>, memref<1x32x1x8xf32, strided<[512, 16, 8, 2]>>)
      outs(%q : memref<1x32x1x8xf32, strided<[512, 16, 8, 2]>>) q_start = %i kv_start = %i schedule = closed_form
      pattern = #s2attn.dense<block = 16> {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}
