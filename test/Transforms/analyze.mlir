// RUN: s2-opt %s --s2attn-analyze="emit-remarks=true" -split-input-file -verify-diagnostics | FileCheck %s

// Expected densities come from an independent Python transcription of SPEC
// section 2 (attended block pairs / causal block pairs, per query head).

// The SPEC worked example: 4 heads, 8 blocks of 16, L = 2, V = 4, step 1.
// Densities 23/36, 18/36, 19/36, 21/36; the residues {0,1,2,3} cover Z_4.
// CHECK-LABEL: func.func @spec_example
// CHECK: s2attn.pattern_info = #s2attn.pattern_info<density = 5.625000e-01 : f64, head_density = [6.388889e-01, 5.000000e-01, 5.277778e-01, 5.833333e-01], covers_context = true, uncovered_residues = [], kv_cache_efficient = true>
func.func @spec_example(%q: tensor<1x128x4x32xf32>, %k: tensor<1x128x4x32xf32>, %o: tensor<1x128x4x32xf32>) -> tensor<1x128x4x32xf32> {
  // expected-remark @+1 {{density 0.5625 (per head 0.6389 0.5000 0.5278 0.5833); covers the context; KV-cache efficient}}
  %0 = s2attn.attention ins(%q, %k, %k : tensor<1x128x4x32xf32>, tensor<1x128x4x32xf32>, tensor<1x128x4x32xf32>)
       outs(%o : tensor<1x128x4x32xf32>)
       pattern = #s2attn.local_stride<block = 16, local = 2, stride = 4> -> tensor<1x128x4x32xf32>
  return %0 : tensor<1x128x4x32xf32>
}

// -----

// Two heads cannot cover 8 stripe residues: head 0's stripes are the key
// blocks with bk mod 8 = 0, head 1's those with bk mod 8 = 7; key blocks with
// residues 1..6 are reached by no head, the first being key block 1 from
// query block 2.
// CHECK-LABEL: func.func @too_few_heads
// CHECK: covers_context = false, uncovered_residues = [1, 2, 3, 4, 5, 6], kv_cache_efficient = true
func.func @too_few_heads(%q: tensor<1x128x2x32xf32>, %k: tensor<1x128x2x32xf32>, %o: tensor<1x128x2x32xf32>) -> tensor<1x128x2x32xf32> {
  // expected-warning @+2 {{pattern leaves context uncovered: no head attends key block 1 from query block 2; stripe residues [1, 2, 3, 4, 5, 6] modulo the stride are reached by no head}}
  // expected-remark @+1 {{density 0.3194 (per head 0.4167 0.2222); does not cover the context; KV-cache efficient}}
  %0 = s2attn.attention ins(%q, %k, %k : tensor<1x128x2x32xf32>, tensor<1x128x2x32xf32>, tensor<1x128x2x32xf32>)
       outs(%o : tensor<1x128x2x32xf32>)
       pattern = #s2attn.local_stride<block = 16, local = 1, stride = 8, head_step = 1> -> tensor<1x128x2x32xf32>
  return %0 : tensor<1x128x2x32xf32>
}

// -----

// A dense KV head (the last one) covers the context by itself; GQA: query
// heads 2 and 3 share it.
// CHECK-LABEL: func.func @dense_head
// CHECK: head_density = [7.000000e-01, 7.000000e-01, 1.000000e+00, 1.000000e+00], covers_context = true
func.func @dense_head(%q: tensor<1x64x4x32xf16>, %k: tensor<1x64x2x32xf16>, %o: tensor<1x64x4x32xf16>) -> tensor<1x64x4x32xf16> {
  // expected-remark @+1 {{density 0.8500 (per head 0.7000 0.7000 1.0000 1.0000); covers the context; KV-cache efficient}}
  %0 = s2attn.attention ins(%q, %k, %k : tensor<1x64x4x32xf16>, tensor<1x64x2x32xf16>, tensor<1x64x2x32xf16>)
       outs(%o : tensor<1x64x4x32xf16>)
       pattern = #s2attn.local_stride<block = 16, local = 1, stride = 4, head_step = 1, dense_heads = 1> -> tensor<1x64x4x32xf16>
  return %0 : tensor<1x64x4x32xf16>
}

// -----

// Relative stripes, bidirectional: once a query block moves on, a stripe it
// dropped comes back for a later block, so the pattern is not KV-cache
// efficient.
// CHECK-LABEL: func.func @relative_bidirectional
// CHECK: kv_cache_efficient = false
func.func @relative_bidirectional(%q: tensor<1x96x2x32xf32>, %k: tensor<1x96x2x32xf32>, %o: tensor<1x96x2x32xf32>) -> tensor<1x96x2x32xf32> {
  // expected-warning @+3 {{pattern leaves context uncovered}}
  // expected-warning @+2 {{pattern is not KV-cache efficient}}
  // expected-remark @+1 {{density 0.5556 (per head 0.5556 0.5556); does not cover the context; not KV-cache efficient}}
  %0 = s2attn.attention ins(%q, %k, %k : tensor<1x96x2x32xf32>, tensor<1x96x2x32xf32>, tensor<1x96x2x32xf32>)
       outs(%o : tensor<1x96x2x32xf32>)
       pattern = #s2attn.local_stride<block = 16, local = 2, right = 2, stride = 3> {causal = false} -> tensor<1x96x2x32xf32>
  return %0 : tensor<1x96x2x32xf32>
}

// -----

// Dynamic lengths: the grid defaults to 64 x 64 blocks (analysis-blocks).
// Dense causal attention attends every causal pair.
// CHECK-LABEL: func.func @dynamic_dense
// CHECK: density = 1.000000e+00 : f64
func.func @dynamic_dense(%q: tensor<1x?x2x64xbf16>, %k: tensor<1x?x2x64xbf16>, %o: tensor<1x?x2x64xbf16>) -> tensor<1x?x2x64xbf16> {
  // expected-remark @+1 {{density 1.0000 (per head 1.0000 1.0000); covers the context; KV-cache efficient}}
  %0 = s2attn.attention ins(%q, %k, %k : tensor<1x?x2x64xbf16>, tensor<1x?x2x64xbf16>, tensor<1x?x2x64xbf16>)
       outs(%o : tensor<1x?x2x64xbf16>)
       pattern = #s2attn.dense<> -> tensor<1x?x2x64xbf16>
  return %0 : tensor<1x?x2x64xbf16>
}
