// RUN: s2-opt %s | s2-opt | FileCheck %s
// RUN: s2-opt %s --mlir-print-op-generic | s2-opt | FileCheck %s

// Every form of s2attn.attention and of the pattern attributes, printed twice
// (custom and generic form) and parsed back.

// CHECK-LABEL: func.func @causal_local_stride_with_lse
// CHECK-SAME: (%[[Q:.*]]: tensor<1x256x8x64xbf16>, %[[K:.*]]: tensor<1x256x2x64xbf16>, %[[V:.*]]: tensor<1x256x2x64xbf16>, %[[O:.*]]: tensor<1x256x8x64xbf16>, %[[L:.*]]: tensor<1x8x256xf32>)
// CHECK: %[[R:.*]]:2 = s2attn.attention ins(%[[Q]], %[[K]], %[[V]] : tensor<1x256x8x64xbf16>, tensor<1x256x2x64xbf16>, tensor<1x256x2x64xbf16>)
// CHECK-SAME: outs(%[[O]] : tensor<1x256x8x64xbf16>, %[[L]] : tensor<1x8x256xf32>)
// CHECK-SAME: pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4>
// CHECK-SAME: -> tensor<1x256x8x64xbf16>, tensor<1x8x256xf32>
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @causal_local_stride_with_lse(%q: tensor<1x256x8x64xbf16>, %k: tensor<1x256x2x64xbf16>, %v: tensor<1x256x2x64xbf16>, %o: tensor<1x256x8x64xbf16>, %l: tensor<1x8x256xf32>) -> (tensor<1x256x8x64xbf16>, tensor<1x8x256xf32>) {
  %0:2 = s2attn.attention ins(%q, %k, %v : tensor<1x256x8x64xbf16>, tensor<1x256x2x64xbf16>, tensor<1x256x2x64xbf16>)
         outs(%o : tensor<1x256x8x64xbf16>, %l : tensor<1x8x256xf32>)
         pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4>
         -> tensor<1x256x8x64xbf16>, tensor<1x8x256xf32>
  return %0#0, %0#1 : tensor<1x256x8x64xbf16>, tensor<1x8x256xf32>
}

// Every local_stride parameter spelled out; defaults (stride 1, offset 0,
// dense_heads 0, homo_head false) are elided when printed.
// CHECK-LABEL: func.func @all_local_stride_parameters
// CHECK: pattern = #s2attn.local_stride<block = 32, local = 3, right = 1, stride = 8, head_step = 2, head_offset = 1, dense_heads = 1, vert = absolute>
// CHECK-SAME: {scale = 1.250000e-01 : f64}
// CHECK-LABEL: func.func @homo_head
// CHECK: pattern = #s2attn.local_stride<block = 16, local = 1, stride = 4, homo_head = true>
// CHECK-LABEL: func.func @defaults_elided
// CHECK: pattern = #s2attn.local_stride<block = 64, local = 1>
// CHECK-SAME: -> tensor<1x64x4x32xf16>
func.func @all_local_stride_parameters(%q: tensor<2x128x8x64xf16>, %k: tensor<2x128x4x64xf16>, %v: tensor<2x128x4x64xf16>, %o: tensor<2x128x8x64xf16>) -> tensor<2x128x8x64xf16> {
  %0 = s2attn.attention ins(%q, %k, %v : tensor<2x128x8x64xf16>, tensor<2x128x4x64xf16>, tensor<2x128x4x64xf16>)
       outs(%o : tensor<2x128x8x64xf16>)
       pattern = #s2attn.local_stride<block = 32, local = 3, right = 1, stride = 8, head_step = 2, head_offset = 1, dense_heads = 1, homo_head = false, vert = absolute>
       {scale = 0.125 : f64} -> tensor<2x128x8x64xf16>
  return %0 : tensor<2x128x8x64xf16>
}
func.func @homo_head(%q: tensor<1x64x4x32xf16>, %k: tensor<1x64x4x32xf16>, %v: tensor<1x64x4x32xf16>, %o: tensor<1x64x4x32xf16>) -> tensor<1x64x4x32xf16> {
  %0 = s2attn.attention ins(%q, %k, %v : tensor<1x64x4x32xf16>, tensor<1x64x4x32xf16>, tensor<1x64x4x32xf16>)
       outs(%o : tensor<1x64x4x32xf16>)
       pattern = #s2attn.local_stride<block = 16, local = 1, stride = 4, homo_head = true> -> tensor<1x64x4x32xf16>
  return %0 : tensor<1x64x4x32xf16>
}
func.func @defaults_elided(%q: tensor<1x64x4x32xf16>, %k: tensor<1x64x4x32xf16>, %v: tensor<1x64x4x32xf16>, %o: tensor<1x64x4x32xf16>) -> tensor<1x64x4x32xf16> {
  %0 = s2attn.attention ins(%q, %k, %v : tensor<1x64x4x32xf16>, tensor<1x64x4x32xf16>, tensor<1x64x4x32xf16>)
       outs(%o : tensor<1x64x4x32xf16>)
       pattern = #s2attn.local_stride<block = 64, local = 1, stride = 1, head_offset = 0, dense_heads = 0> -> tensor<1x64x4x32xf16>
  return %0 : tensor<1x64x4x32xf16>
}

// Bidirectional attention with separate left/right windows and relative
// stripes; `causal = false` is kept, the default `causal = true` is not.
// CHECK-LABEL: func.func @bidirectional_relative
// CHECK: pattern = #s2attn.local_stride<block = 16, local = 2, right = 1, stride = 3, vert = relative> {causal = false}
func.func @bidirectional_relative(%q: tensor<1x100x2x80xf32>, %k: tensor<1x100x2x80xf32>, %v: tensor<1x100x2x80xf32>, %o: tensor<1x100x2x80xf32>) -> tensor<1x100x2x80xf32> {
  %0 = s2attn.attention ins(%q, %k, %v : tensor<1x100x2x80xf32>, tensor<1x100x2x80xf32>, tensor<1x100x2x80xf32>)
       outs(%o : tensor<1x100x2x80xf32>)
       pattern = #s2attn.local_stride<block = 16, local = 2, right = 1, stride = 3, vert = relative> {causal = false} -> tensor<1x100x2x80xf32>
  return %0 : tensor<1x100x2x80xf32>
}

// Memrefs: the op writes its outputs and returns nothing.
// CHECK-LABEL: func.func @on_memrefs
// CHECK: s2attn.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : memref<1x96x4x64xf16>, memref<1x96x1x64xf16>, memref<1x96x1x64xf16>)
// CHECK-SAME: outs(%{{.*}} : memref<1x96x4x64xf16>, %{{.*}} : memref<1x4x96xf32>)
// CHECK-SAME: pattern = #s2attn.dense<block = 32>
// CHECK-NOT: ->
// CHECK: return
func.func @on_memrefs(%q: memref<1x96x4x64xf16>, %k: memref<1x96x1x64xf16>, %v: memref<1x96x1x64xf16>, %o: memref<1x96x4x64xf16>, %l: memref<1x4x96xf32>) {
  s2attn.attention ins(%q, %k, %v : memref<1x96x4x64xf16>, memref<1x96x1x64xf16>, memref<1x96x1x64xf16>)
       outs(%o : memref<1x96x4x64xf16>, %l : memref<1x4x96xf32>)
       pattern = #s2attn.dense<block = 32>
  return
}

// Dynamic batch and lengths; positions as SSA values (decoding) and as
// constants (a chunk of a longer sequence).
// CHECK-LABEL: func.func @dynamic_positions
// CHECK-SAME: %[[POS:[^:]*]]: index
// CHECK: pattern = #s2attn.local_stride<block = 64, local = 16, stride = 8, head_offset = 1> q_start = %[[POS]] -> tensor<?x1x32x128xbf16>
// CHECK: pattern = #s2attn.dense<block = 128> q_start = 4096 kv_start = 1024 -> tensor<1x512x8x128xbf16>
func.func @dynamic_positions(%q: tensor<?x1x32x128xbf16>, %k: tensor<?x?x8x128xbf16>, %v: tensor<?x?x8x128xbf16>, %o: tensor<?x1x32x128xbf16>, %pos: index,
                             %q2: tensor<1x512x8x128xbf16>, %k2: tensor<1x4096x8x128xbf16>, %o2: tensor<1x512x8x128xbf16>) -> (tensor<?x1x32x128xbf16>, tensor<1x512x8x128xbf16>) {
  %0 = s2attn.attention ins(%q, %k, %v : tensor<?x1x32x128xbf16>, tensor<?x?x8x128xbf16>, tensor<?x?x8x128xbf16>)
       outs(%o : tensor<?x1x32x128xbf16>)
       pattern = #s2attn.local_stride<block = 64, local = 16, stride = 8, head_offset = 1>
       q_start = %pos -> tensor<?x1x32x128xbf16>
  %1 = s2attn.attention ins(%q2, %k2, %k2 : tensor<1x512x8x128xbf16>, tensor<1x4096x8x128xbf16>, tensor<1x4096x8x128xbf16>)
       outs(%o2 : tensor<1x512x8x128xbf16>)
       pattern = #s2attn.dense<block = 128> q_start = 4096 kv_start = 1024 -> tensor<1x512x8x128xbf16>
  return %0, %1 : tensor<?x1x32x128xbf16>, tensor<1x512x8x128xbf16>
}

// Block masks shared by all heads, one per KV head, one per query head.
// CHECK-LABEL: func.func @block_masks
// CHECK: pattern = #s2attn.block_mask<block = 16, mask = dense<{{\[\[\[}}true, false], [true, true]]]> : tensor<1x2x2xi1>>
// CHECK: pattern = #s2attn.block_mask<block = 16, mask = dense<{{\[\[\[}}true, false], [true, true]], {{\[\[}}true, false], [false, true]]]> : tensor<2x2x2xi1>>
// CHECK: pattern = #s2attn.block_mask<block = 16, mask = dense<true> : tensor<4x2x2xi1>>
func.func @block_masks(%q: tensor<1x32x4x32xf32>, %k: tensor<1x32x2x32xf32>, %o: tensor<1x32x4x32xf32>) -> (tensor<1x32x4x32xf32>, tensor<1x32x4x32xf32>, tensor<1x32x4x32xf32>) {
  %0 = s2attn.attention ins(%q, %k, %k : tensor<1x32x4x32xf32>, tensor<1x32x2x32xf32>, tensor<1x32x2x32xf32>)
       outs(%o : tensor<1x32x4x32xf32>)
       pattern = #s2attn.block_mask<block = 16, mask = dense<[[[true, false], [true, true]]]> : tensor<1x2x2xi1>> -> tensor<1x32x4x32xf32>
  %1 = s2attn.attention ins(%q, %k, %k : tensor<1x32x4x32xf32>, tensor<1x32x2x32xf32>, tensor<1x32x2x32xf32>)
       outs(%o : tensor<1x32x4x32xf32>)
       pattern = #s2attn.block_mask<block = 16, mask = dense<[[[true, false], [true, true]], [[true, false], [false, true]]]> : tensor<2x2x2xi1>> -> tensor<1x32x4x32xf32>
  %2 = s2attn.attention ins(%q, %k, %k : tensor<1x32x4x32xf32>, tensor<1x32x2x32xf32>, tensor<1x32x2x32xf32>)
       outs(%o : tensor<1x32x4x32xf32>)
       pattern = #s2attn.block_mask<block = 16, mask = dense<true> : tensor<4x2x2xi1>> -> tensor<1x32x4x32xf32>
  return %0, %1, %2 : tensor<1x32x4x32xf32>, tensor<1x32x4x32xf32>, tensor<1x32x4x32xf32>
}

// Dense with the default block size.
// CHECK-LABEL: func.func @dense_default_block
// CHECK: pattern = #s2attn.dense<>
func.func @dense_default_block(%q: tensor<1x1x2x64xf16>, %k: tensor<1x300x2x64xf16>, %o: tensor<1x1x2x64xf16>) -> tensor<1x1x2x64xf16> {
  %0 = s2attn.attention ins(%q, %k, %k : tensor<1x1x2x64xf16>, tensor<1x300x2x64xf16>, tensor<1x300x2x64xf16>)
       outs(%o : tensor<1x1x2x64xf16>)
       pattern = #s2attn.dense<> -> tensor<1x1x2x64xf16>
  return %0 : tensor<1x1x2x64xf16>
}

// The analysis result attribute.
// CHECK-LABEL: func.func @pattern_info
// CHECK-SAME: info = #s2attn.pattern_info<density = 2.500000e-01 : f64, head_density = [2.500000e-01, 5.000000e-01], covers_context = true, uncovered_residues = [], kv_cache_efficient = false>
// CHECK-SAME: info2 = #s2attn.pattern_info<density = 1.000000e+00 : f64, head_density = [1.000000e+00], covers_context = false, uncovered_residues = [1, 3], kv_cache_efficient = true>
func.func @pattern_info() attributes {
    info = #s2attn.pattern_info<density = 0.25, head_density = [0.25, 0.5], covers_context = true, uncovered_residues = [], kv_cache_efficient = false>,
    info2 = #s2attn.pattern_info<density = 1.0, head_density = [1.0], covers_context = false, uncovered_residues = [1, 3], kv_cache_efficient = true>} {
  return
}
