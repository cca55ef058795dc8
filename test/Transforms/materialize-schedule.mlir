// RUN: s2-opt %s --s2attn-materialize-schedule | FileCheck %s

// Planned attentions become s2attn.scheduled_attention with positions and
// scale resolved and the block schedule explicit.

// Static shapes: the exact CSR schedule of the reference library. 40
// queries in one 64-token Merge-Q tile (4 block rows, the last one outside
// the chunk, so its bit is always set); head 0 and head 1 share KV head 0,
// and so its stripes: their rows are the same, kept once (heads_share_rows).
// Key block 0 is the stripe; row masks 0b1010 and 0b1100 keep block rows 1
// and 2 to their diagonal blocks, which are masked entries.
// CHECK-DAG: memref.global "private" constant @__s2attn_schedule0_row_ptr : memref<2xi32> = dense<[0, 3]> {alignment = 64 : i64}
// CHECK-DAG: memref.global "private" constant @__s2attn_schedule0_kv_blocks : memref<3xi32> = dense<[0, 1, 2]>
// CHECK-DAG: memref.global "private" constant @__s2attn_schedule0_row_masks : memref<3xi32> = dense<[15, 10, 12]>
// CHECK-DAG: memref.global "private" constant @__s2attn_schedule0_num_unmasked : memref<1xi32> = dense<0>
// Two KV heads whose stripes differ (@per_head_rows below): one row each.
// CHECK-DAG: memref.global "private" constant @__s2attn_schedule1_row_ptr : memref<3xi32> = dense<[0, 2, 4]>
// CHECK-DAG: memref.global "private" constant @__s2attn_schedule1_kv_blocks : memref<4xi32> = dense<[0, 2, 1, 2]>
// The grid schedule of @dynamic_mask below (globals come first).
// CHECK-DAG: memref.global "private" constant @__s2attn_schedule5_row_ptr : memref<3xi32> = dense<[0, 1, 3]>
// CHECK-DAG: memref.global "private" constant @__s2attn_schedule5_kv_blocks : memref<3xi32> = dense<[0, 0, 1]>
// CHECK-DAG: memref.global "private" constant @__s2attn_schedule5_row_masks : memref<3xi32> = dense<1>
// CHECK-LABEL: func.func @static_memrefs
// CHECK-DAG: %[[RP:.*]] = memref.get_global @__s2attn_schedule0_row_ptr : memref<2xi32>
// CHECK-DAG: %[[KB:.*]] = memref.get_global @__s2attn_schedule0_kv_blocks : memref<3xi32>
// CHECK-DAG: %[[RM:.*]] = memref.get_global @__s2attn_schedule0_row_masks : memref<3xi32>
// CHECK-DAG: %[[NU:.*]] = memref.get_global @__s2attn_schedule0_num_unmasked : memref<1xi32>
// CHECK: s2attn.scheduled_attention ins(%arg0, %arg1, %arg2 : memref<1x40x2x8xf32>, memref<1x40x1x8xf32>, memref<1x40x1x8xf32>)
// CHECK-SAME: outs(%arg3 : memref<1x40x2x8xf32>, %arg4 : memref<1x2x40xf32>)
// CHECK-SAME: q_start = %{{[^ ]*}} kv_start = %{{[^ ]*}}
// CHECK-SAME: schedule = exact(%[[RP]], %[[KB]], %[[RM]], %[[NU]] : memref<2xi32>, memref<3xi32>, memref<3xi32>, memref<1xi32>)
// CHECK-SAME: {heads_share_rows, plan = #s2attn.plan<q_tile = 64, kv_tile = 16, merge_q = true>, scale = 0.3535{{[0-9]*}} : f64}
// CHECK-NOT: s2attn.attention
func.func @static_memrefs(%q: memref<1x40x2x8xf32>, %k: memref<1x40x1x8xf32>, %v: memref<1x40x1x8xf32>,
                          %o: memref<1x40x2x8xf32>, %l: memref<1x2x40xf32>) {
  s2attn.attention ins(%q, %k, %v : memref<1x40x2x8xf32>, memref<1x40x1x8xf32>, memref<1x40x1x8xf32>)
      outs(%o : memref<1x40x2x8xf32>, %l : memref<1x2x40xf32>)
      pattern = #s2attn.local_stride<block = 16, local = 1, stride = 2>
      {s2attn.plan = #s2attn.plan<q_tile = 64, kv_tile = 16, merge_q = true>}
  return
}

// Two heads with a KV head each: head 0's stripe is block 0, head 1's block
// 1, so 16 queries in one 16-token tile (positions 32..47) walk different
// rows and the schedule keeps one row per head.
// CHECK-LABEL: func.func @per_head_rows
// CHECK: s2attn.scheduled_attention
// CHECK-SAME: schedule = exact(%{{.*}} : memref<3xi32>, memref<4xi32>, memref<4xi32>, memref<2xi32>)
// CHECK-NOT: heads_share_rows
// CHECK-SAME: plan = #s2attn.plan<q_tile = 16, kv_tile = 16>
func.func @per_head_rows(%q: memref<1x16x2x8xf32>, %k: memref<1x48x2x8xf32>, %o: memref<1x16x2x8xf32>) {
  s2attn.attention ins(%q, %k, %k : memref<1x16x2x8xf32>, memref<1x48x2x8xf32>, memref<1x48x2x8xf32>)
      outs(%o : memref<1x16x2x8xf32>)
      pattern = #s2attn.local_stride<block = 16, local = 1, stride = 2>
      {s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16>}
  return
}

// Tensors get arith.constant arrays; the results are the new op's. Rows of
// 16-token tiles for 8 queries at positions 24..31 (bottom-right on 32
// keys): one row, key blocks 0 (unmasked) and 1 (diagonal, masked).
// CHECK-LABEL: func.func @static_tensors
// CHECK-DAG: %[[RP:.*]] = arith.constant dense<[0, 2]> : tensor<2xi32>
// CHECK-DAG: %[[KB:.*]] = arith.constant dense<[0, 1]> : tensor<2xi32>
// CHECK-DAG: %[[RM:.*]] = arith.constant dense<1> : tensor<2xi32>
// CHECK-DAG: %[[NU:.*]] = arith.constant dense<1> : tensor<1xi32>
// CHECK-DAG: %[[QS:.*]] = arith.constant 24 : index
// CHECK-DAG: %[[KS:.*]] = arith.constant 0 : index
// CHECK: %[[R:.*]] = s2attn.scheduled_attention ins(%arg0, %arg1, %arg1 : tensor<1x8x1x16xf16>, tensor<1x32x1x16xf16>, tensor<1x32x1x16xf16>)
// CHECK-SAME: q_start = %[[QS]] kv_start = %[[KS]] schedule = exact(%[[RP]], %[[KB]], %[[RM]], %[[NU]] :
// CHECK-SAME: scale = 2.500000e-01 : f64} -> tensor<1x8x1x16xf16>
// CHECK: return %[[R]]
func.func @static_tensors(%q: tensor<1x8x1x16xf16>, %k: tensor<1x32x1x16xf16>) -> tensor<1x8x1x16xf16> {
  %r = s2attn.attention ins(%q, %k, %k : tensor<1x8x1x16xf16>, tensor<1x32x1x16xf16>, tensor<1x32x1x16xf16>)
      outs(%q : tensor<1x8x1x16xf16>) pattern = #s2attn.dense<block = 16>
      {s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16>} -> tensor<1x8x1x16xf16>
  return %r : tensor<1x8x1x16xf16>
}

// Dynamic lengths: local-stride rows have a closed form. The default
// q_start (bottom-right) is computed from the lengths.
// CHECK-LABEL: func.func @dynamic_default_positions
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[KS:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[KL:.*]] = memref.dim %arg1, %[[C1]] : memref<?x?x2x32xbf16>
// CHECK-DAG: %[[QL:.*]] = memref.dim %arg0, %{{.*}} : memref<?x?x4x32xbf16>
// CHECK: %[[END:.*]] = arith.addi %[[KS]], %[[KL]] : index
// CHECK: %[[QS:.*]] = arith.subi %[[END]], %[[QL]] : index
// CHECK: s2attn.scheduled_attention
// CHECK-SAME: q_start = %[[QS]] kv_start = %[[KS]] schedule = closed_form pattern = #s2attn.local_stride<block = 32, local = 4, stride = 8>
func.func @dynamic_default_positions(%q: memref<?x?x4x32xbf16>, %k: memref<?x?x2x32xbf16>) {
  s2attn.attention ins(%q, %k, %k : memref<?x?x4x32xbf16>, memref<?x?x2x32xbf16>, memref<?x?x2x32xbf16>)
      outs(%q : memref<?x?x4x32xbf16>) pattern = #s2attn.local_stride<block = 32, local = 4, stride = 8>
      {s2attn.plan = #s2attn.plan<q_tile = 64, kv_tile = 32, merge_q = true>}
  return
}

// Given positions pass through.
// CHECK-LABEL: func.func @dynamic_positions
// CHECK: s2attn.scheduled_attention
// CHECK-SAME: q_start = %arg2 kv_start = %arg3 schedule = closed_form
func.func @dynamic_positions(%q: memref<1x1x4x32xf32>, %k: memref<1x?x4x32xf32>, %qs: index, %ks: index) {
  s2attn.attention ins(%q, %k, %k : memref<1x1x4x32xf32>, memref<1x?x4x32xf32>, memref<1x?x4x32xf32>)
      outs(%q : memref<1x1x4x32xf32>) pattern = #s2attn.dense<block = 16> q_start = %qs kv_start = %ks
      {s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16>}
  return
}

// A block mask with dynamic lengths: the schedule of its whole grid (two
// tiles of 16 tokens here), clipped at run time.
// CHECK-LABEL: func.func @dynamic_mask
// CHECK: s2attn.scheduled_attention
// CHECK-SAME: schedule = grid(%{{.*}}, %{{.*}}, %{{.*}} : memref<3xi32>, memref<3xi32>, memref<3xi32>)
func.func @dynamic_mask(%q: memref<1x?x1x8xf32>) {
  s2attn.attention ins(%q, %q, %q : memref<1x?x1x8xf32>, memref<1x?x1x8xf32>, memref<1x?x1x8xf32>)
      outs(%q : memref<1x?x1x8xf32>)
      pattern = #s2attn.block_mask<block = 16, mask = dense<[[[true, false], [true, true]]]> : tensor<1x2x2xi1>>
      {s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16>}
  return
}
