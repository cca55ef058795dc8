// RUN: s2-opt %s --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s

// s2attn.attention and s2attn.scheduled_attention are destination style:
// One-Shot Bufferize writes each result into its `outs` buffer. Outputs are
// never read, so a fresh `tensor.empty` destination needs no copy, and an
// `outs` operand that is a function argument is written in place.

// The globals of @scheduled's schedule arrays.
// CHECK: memref.global "private" constant @__constant_3xi32 : memref<3xi32> = dense<[0, 1, 3]>

// CHECK-LABEL: func.func @attention_in_place
// CHECK-SAME: (%[[Q:.*]]: memref<1x32x2x16xf16>, %[[K:.*]]: memref<1x32x1x16xf16>, %[[O:.*]]: memref<1x32x2x16xf16>, %[[L:.*]]: memref<1x2x32xf32>)
// CHECK-SAME: -> (memref<1x32x2x16xf16>, memref<1x2x32xf32>)
// CHECK-NOT: memref.copy
// CHECK: s2attn.attention ins(%[[Q]], %[[K]], %[[K]] : memref<1x32x2x16xf16>, memref<1x32x1x16xf16>, memref<1x32x1x16xf16>)
// CHECK-SAME: outs(%[[O]] : memref<1x32x2x16xf16>, %[[L]] : memref<1x2x32xf32>)
// CHECK-SAME: pattern = #s2attn.local_stride<block = 16, local = 1, stride = 2> q_start = 0
// CHECK-SAME: {causal = false, s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16>}
// CHECK-NOT: ->
// CHECK: return %[[O]], %[[L]]
func.func @attention_in_place(%q: tensor<1x32x2x16xf16>, %k: tensor<1x32x1x16xf16>,
                              %o: tensor<1x32x2x16xf16>, %l: tensor<1x2x32xf32>)
    -> (tensor<1x32x2x16xf16>, tensor<1x2x32xf32>) {
  %r:2 = s2attn.attention ins(%q, %k, %k : tensor<1x32x2x16xf16>, tensor<1x32x1x16xf16>, tensor<1x32x1x16xf16>)
      outs(%o : tensor<1x32x2x16xf16>, %l : tensor<1x2x32xf32>)
      pattern = #s2attn.local_stride<block = 16, local = 1, stride = 2> q_start = 0
      {causal = false, s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16>}
      -> tensor<1x32x2x16xf16>, tensor<1x2x32xf32>
  return %r#0, %r#1 : tensor<1x32x2x16xf16>, tensor<1x2x32xf32>
}

// CHECK-LABEL: func.func @empty_destination
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x32x2x16xf32>
// CHECK-NOT: memref.copy
// CHECK: s2attn.attention ins(%arg0, %arg0, %arg0 :
// CHECK-SAME: outs(%[[OUT]] : memref<1x32x2x16xf32>)
// CHECK: return %[[OUT]]
func.func @empty_destination(%q: tensor<1x32x2x16xf32>) -> tensor<1x32x2x16xf32> {
  %e = tensor.empty() : tensor<1x32x2x16xf32>
  %r = s2attn.attention ins(%q, %q, %q : tensor<1x32x2x16xf32>, tensor<1x32x2x16xf32>, tensor<1x32x2x16xf32>)
      outs(%e : tensor<1x32x2x16xf32>) pattern = #s2attn.dense<block = 16> -> tensor<1x32x2x16xf32>
  return %r : tensor<1x32x2x16xf32>
}

// The query doubles as the destination: the output must not overwrite the
// query while it is read, so the output gets a new buffer; since outputs are
// never read, nothing is copied into it.
// CHECK-LABEL: func.func @output_aliases_input
// CHECK: %[[NEW:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x32x2x16xf32>
// CHECK-NOT: memref.copy
// CHECK: s2attn.attention ins(%arg0, %arg0, %arg0 :
// CHECK-SAME: outs(%[[NEW]] : memref<1x32x2x16xf32>)
// CHECK: return %[[NEW]]
func.func @output_aliases_input(%q: tensor<1x32x2x16xf32>) -> tensor<1x32x2x16xf32> {
  %r = s2attn.attention ins(%q, %q, %q : tensor<1x32x2x16xf32>, tensor<1x32x2x16xf32>, tensor<1x32x2x16xf32>)
      outs(%q : tensor<1x32x2x16xf32>) pattern = #s2attn.dense<block = 16> -> tensor<1x32x2x16xf32>
  return %r : tensor<1x32x2x16xf32>
}

// The scheduled form: constant schedule arrays become memref globals
// (checked at the top of the module).
// CHECK-LABEL: func.func @scheduled
// CHECK: %[[RP:.*]] = memref.get_global @__constant_3xi32 : memref<3xi32>
// CHECK: s2attn.scheduled_attention ins(%arg0, %arg0, %arg0 : memref<1x32x1x8xf32>, memref<1x32x1x8xf32>, memref<1x32x1x8xf32>)
// CHECK-SAME: outs(%arg1 : memref<1x32x1x8xf32>)
// CHECK-SAME: schedule = exact(%[[RP]], %{{.*}}, %{{.*}}, %{{.*}} : memref<3xi32>, memref<3xi32>, memref<3xi32>, memref<2xi32>)
// CHECK-SAME: {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 2.500000e-01 : f64}
// CHECK: return %arg1
func.func @scheduled(%q: tensor<1x32x1x8xf32>, %o: tensor<1x32x1x8xf32>) -> tensor<1x32x1x8xf32> {
  %c0 = arith.constant 0 : index
  %rp = arith.constant dense<[0, 1, 3]> : tensor<3xi32>
  %kb = arith.constant dense<[0, 0, 1]> : tensor<3xi32>
  %rm = arith.constant dense<1> : tensor<3xi32>
  %nu = arith.constant dense<[0, 1]> : tensor<2xi32>
  %r = s2attn.scheduled_attention ins(%q, %q, %q : tensor<1x32x1x8xf32>, tensor<1x32x1x8xf32>, tensor<1x32x1x8xf32>)
      outs(%o : tensor<1x32x1x8xf32>) q_start = %c0 kv_start = %c0
      schedule = exact(%rp, %kb, %rm, %nu : tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<2xi32>)
      pattern = #s2attn.dense<block = 16>
      {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 0.25 : f64} -> tensor<1x32x1x8xf32>
  return %r : tensor<1x32x1x8xf32>
}
