// RUN: s2-opt %s | s2-opt | FileCheck %s
// RUN: s2-opt %s --mlir-print-op-generic | s2-opt | FileCheck %s

// The compiled form's op and attributes print and parse back.

// CHECK-LABEL: func.func @exact_tensors
// CHECK-SAME: (%[[Q:.*]]: tensor<1x40x2x8xf32>, %[[K:.*]]: tensor<1x40x1x8xf32>, %[[V:.*]]: tensor<1x40x1x8xf32>, %[[O:.*]]: tensor<1x40x2x8xf32>, %[[L:.*]]: tensor<1x2x40xf32>
// CHECK: %[[RP:.*]] = arith.constant dense<[0, 3, 6]> : tensor<3xi32>
// CHECK: %[[R:.*]]:2 = s2attn.scheduled_attention ins(%[[Q]], %[[K]], %[[V]] : tensor<1x40x2x8xf32>, tensor<1x40x1x8xf32>, tensor<1x40x1x8xf32>)
// CHECK-SAME: outs(%[[O]] : tensor<1x40x2x8xf32>, %[[L]] : tensor<1x2x40xf32>)
// CHECK-SAME: q_start = %{{.*}} kv_start = %{{.*}} schedule = exact(%[[RP]], %{{.*}}, %{{.*}}, %{{.*}} : tensor<3xi32>, tensor<6xi32>, tensor<6xi32>, tensor<2xi32>)
// CHECK-SAME: pattern = #s2attn.local_stride<block = 16, local = 1, stride = 2>
// CHECK-SAME: plan = #s2attn.plan<q_tile = 64, kv_tile = 16, merge_q = true>
// CHECK-SAME: scale = 0.3535{{[0-9]*}} : f64
// CHECK-SAME: -> tensor<1x40x2x8xf32>, tensor<1x2x40xf32>
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @exact_tensors(%q: tensor<1x40x2x8xf32>, %k: tensor<1x40x1x8xf32>, %v: tensor<1x40x1x8xf32>,
                         %o: tensor<1x40x2x8xf32>, %l: tensor<1x2x40xf32>) -> (tensor<1x40x2x8xf32>, tensor<1x2x40xf32>) {
  %c0 = arith.constant 0 : index
  %rp = arith.constant dense<[0, 3, 6]> : tensor<3xi32>
  %kb = arith.constant dense<[0, 1, 2, 0, 1, 2]> : tensor<6xi32>
  %rm = arith.constant dense<[15, 10, 12, 15, 10, 12]> : tensor<6xi32>
  %nu = arith.constant dense<0> : tensor<2xi32>
  %r:2 = s2attn.scheduled_attention ins(%q, %k, %v : tensor<1x40x2x8xf32>, tensor<1x40x1x8xf32>, tensor<1x40x1x8xf32>)
      outs(%o : tensor<1x40x2x8xf32>, %l : tensor<1x2x40xf32>)
      q_start = %c0 kv_start = %c0
      schedule = exact(%rp, %kb, %rm, %nu : tensor<3xi32>, tensor<6xi32>, tensor<6xi32>, tensor<2xi32>)
      pattern = #s2attn.local_stride<block = 16, local = 1, stride = 2>
      {plan = #s2attn.plan<q_tile = 64, kv_tile = 16, merge_q = true>, scale = 0.35355339059327373 : f64}
      -> tensor<1x40x2x8xf32>, tensor<1x2x40xf32>
  return %r#0, %r#1 : tensor<1x40x2x8xf32>, tensor<1x2x40xf32>
}

// CHECK-LABEL: func.func @closed_form_memrefs
// CHECK: s2attn.scheduled_attention ins(%{{.*}}, %{{.*}}, %{{.*}} : memref<?x?x4x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>)
// CHECK-SAME: outs(%{{.*}} : memref<?x?x4x64xbf16>)
// CHECK-SAME: q_start = %[[QS:[^ ]*]] kv_start = %[[KS:[^ ]*]] schedule = closed_form pattern = #s2attn.dense<block = 32>
// CHECK-SAME: causal = false
// CHECK-SAME: plan = #s2attn.plan<q_tile = 32, kv_tile = 32>
// CHECK-NOT: ->
func.func @closed_form_memrefs(%q: memref<?x?x4x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>,
                               %o: memref<?x?x4x64xbf16>, %qs: index, %ks: index) {
  s2attn.scheduled_attention ins(%q, %k, %v : memref<?x?x4x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>)
      outs(%o : memref<?x?x4x64xbf16>) q_start = %qs kv_start = %ks schedule = closed_form
      pattern = #s2attn.dense<block = 32>
      {causal = false, plan = #s2attn.plan<q_tile = 32, kv_tile = 32>, scale = 1.250000e-01 : f64}
  return
}

// CHECK-LABEL: func.func @grid_memrefs
// CHECK: schedule = grid(%{{.*}}, %{{.*}}, %{{.*}} : memref<3xi32>, memref<3xi32>, memref<3xi32>)
// CHECK-SAME: pattern = #s2attn.block_mask<block = 16, mask = dense<[{{\[\[}}true, false], [true, true]]]> : tensor<1x2x2xi1>>
func.func @grid_memrefs(%q: memref<1x?x1x16xf16>, %k: memref<1x?x1x16xf16>, %v: memref<1x?x1x16xf16>,
                        %o: memref<1x?x1x16xf16>, %rp: memref<3xi32>, %kb: memref<3xi32>, %rm: memref<3xi32>, %qs: index) {
  s2attn.scheduled_attention ins(%q, %k, %v : memref<1x?x1x16xf16>, memref<1x?x1x16xf16>, memref<1x?x1x16xf16>)
      outs(%o : memref<1x?x1x16xf16>) q_start = %qs kv_start = %qs
      schedule = grid(%rp, %kb, %rm : memref<3xi32>, memref<3xi32>, memref<3xi32>)
      pattern = #s2attn.block_mask<block = 16, mask = dense<[[[true, false], [true, true]]]> : tensor<1x2x2xi1>>
      {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 2.500000e-01 : f64}
  return
}

// CHECK-LABEL: func.func @planned
// CHECK-SAME: s2attn.target = #s2attn.target<"sm_90a">
// CHECK: s2attn.plan = #s2attn.plan<q_tile = 128, kv_tile = 64, merge_q = true, num_warps = 8, num_stages = 3>
func.func @planned(%q: tensor<1x128x2x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>,
                   %o: tensor<1x128x2x64xf16>) -> tensor<1x128x2x64xf16>
    attributes {s2attn.target = #s2attn.target<"sm_90a">} {
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>)
      outs(%o : tensor<1x128x2x64xf16>) pattern = #s2attn.dense<block = 64>
      {s2attn.plan = #s2attn.plan<q_tile = 128, kv_tile = 64, merge_q = true, num_warps = 8, num_stages = 3>}
      -> tensor<1x128x2x64xf16>
  return %r : tensor<1x128x2x64xf16>
}

// CHECK-LABEL: func.func @shared_rows
// CHECK: schedule = exact(%{{.*}} : memref<2xi32>, memref<3xi32>, memref<3xi32>, memref<1xi32>)
// CHECK-SAME: {heads_share_rows, plan = #s2attn.plan<q_tile = 64, kv_tile = 16, merge_q = true>
func.func @shared_rows(%q: memref<1x40x2x8xf32>, %k: memref<1x40x1x8xf32>, %rp: memref<2xi32>,
                       %a: memref<3xi32>, %n: memref<1xi32>, %i: index) {
  s2attn.scheduled_attention ins(%q, %k, %k : memref<1x40x2x8xf32>, memref<1x40x1x8xf32>, memref<1x40x1x8xf32>)
      outs(%q : memref<1x40x2x8xf32>) q_start = %i kv_start = %i
      schedule = exact(%rp, %a, %a, %n : memref<2xi32>, memref<3xi32>, memref<3xi32>, memref<1xi32>)
      pattern = #s2attn.local_stride<block = 16, local = 1, stride = 2>
      {heads_share_rows, plan = #s2attn.plan<q_tile = 64, kv_tile = 16, merge_q = true>, scale = 0.35355339059327373 : f64}
  return
}
