// RUN: s2-opt %s --convert-s2attn-to-gpu --canonicalize --cse | FileCheck %s

// The epilogue at head_dim 128 (16 chunks of 8 columns a row): 1/l for
// both row halves by one approximate reciprocal, then O staged in shared
// memory by 4-byte stores whose columns reuse the row's 8 swizzled chunk
// offsets: chunk j lands at ((j ^ (row % 8)) * 8), chunk 8 + j 64 columns
// after chunk j, plus the lane's column pair.
// CHECK-LABEL: func.func @head_dim_128
// CHECK: gpu.func @s2attn_fwd
// CHECK-NOT: arith.divf
// CHECK: nvgpu.rcp %{{.*}}{rounding =  approx, ftz} : vector<2xf32>
// CHECK-NOT: arith.divf
// CHECK: %[[QUAD:.*]] = arith.remui %{{.*}}, %c4 : index
// CHECK-NEXT: %[[PAIR:.*]] = arith.muli %[[QUAD]], %c2 : index
// CHECK-NEXT: %[[ROW7:.*]] = arith.andi %[[ROW:.*]], %c7 : index
// CHECK-NEXT: %[[CHUNK0:.*]] = arith.muli %[[ROW7]], %c8 : index
// CHECK-NEXT: %[[COL0:.*]] = arith.addi %[[CHUNK0]], %[[PAIR]] : index
// CHECK: vector.store %{{.*}}, %[[STAGING:.*]][%[[ROW]], %[[COL0]]] {alignment = 4 : i64} : memref<64x128xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK-NEXT: %[[X1:.*]] = arith.xori %[[ROW7]], %c1 : index
// CHECK-NEXT: %[[CHUNK1:.*]] = arith.muli %[[X1]], %c8 : index
// CHECK-NEXT: %[[COL1:.*]] = arith.addi %[[CHUNK1]], %[[PAIR]] : index
// CHECK: vector.store %{{.*}}, %[[STAGING]][%[[ROW]], %[[COL1]]]
// CHECK-COUNT-6: arith.xori %[[ROW7]], %c{{[2-7]}} : index
// CHECK-NOT: arith.xori %[[ROW7]]
// CHECK: %[[BASE8:.*]] = arith.addi %[[CHUNK0]], %c64 : index
// CHECK-NEXT: %[[COL8:.*]] = arith.addi %[[BASE8]], %[[PAIR]] : index
// CHECK: vector.store %{{.*}}, %[[STAGING]][%[[ROW]], %[[COL8]]]
// CHECK: %[[BASE9:.*]] = arith.addi %[[CHUNK1]], %c64 : index
// CHECK-NEXT: %[[COL9:.*]] = arith.addi %[[BASE9]], %[[PAIR]] : index
// CHECK: vector.store %{{.*}}, %[[STAGING]][%[[ROW]], %[[COL9]]]
func.func @head_dim_128(%q: memref<1x128x1x128xbf16>, %k: memref<1x128x1x128xbf16>, %v: memref<1x128x1x128xbf16>, %o: memref<1x128x1x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x128x1x128xbf16>, memref<1x128x1x128xbf16>, memref<1x128x1x128xbf16>) outs(%o : memref<1x128x1x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}
