// RUN: s2-opt %s --s2attn-approximate-exp2 | FileCheck %s

// f32 exp2 becomes exp(x * ln 2) expanded into upstream's polynomial: FMAs
// and an exponent built from integer bits, in the same vector shape. Inputs
// below -87.8 / ln 2 (the masked scores, -inf) give an exponent field of 0,
// i.e. exactly 0.

// CHECK-LABEL: func.func @vector
// CHECK-SAME: (%[[X:.*]]: vector<16xf32>)
// CHECK-DAG: %[[LN2:.*]] = arith.constant dense<0.693147182> : vector<16xf32>
// CHECK-DAG: %[[LO:.*]] = arith.constant dense<-8.780000e+01> : vector<16xf32>
// CHECK: %[[Y:.*]] = arith.mulf %[[X]], %[[LN2]] : vector<16xf32>
// CHECK: %[[GE:.*]] = arith.cmpf uge, %[[Y]], %[[LO]] : vector<16xf32>
// CHECK: math.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: math.floor %{{.*}} : vector<16xf32>
// CHECK: %[[BITS:.*]] = arith.shli %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK: %[[POW:.*]] = arith.bitcast %[[BITS]] : vector<16xi32> to vector<16xf32>
// CHECK: %[[R:.*]] = arith.mulf %{{.*}}, %[[POW]] : vector<16xf32>
// CHECK: return %[[R]]
// CHECK-NOT: math.exp
func.func @vector(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.exp2 %x : vector<16xf32>
  return %0 : vector<16xf32>
}

// CHECK-LABEL: func.func @scalar
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK-NOT: math.exp
func.func @scalar(%x: f32) -> f32 {
  %0 = math.exp2 %x : f32
  return %0 : f32
}

// Only f32 has a polynomial; f64 is left to libm's exp2.
// CHECK-LABEL: func.func @f64
// CHECK: math.exp2 %{{.*}} : f64
func.func @f64(%x: f64) -> f64 {
  %0 = math.exp2 %x : f64
  return %0 : f64
}
