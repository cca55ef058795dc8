// RUN: s2-opt %s --s2attn-tile --canonicalize --cse | FileCheck %s

// The loop nest of s2attn-tile (canonicalized, as the CPU pipeline does, so
// that the constants fold away).

// An exact schedule: a parallel loop over (batch, head, query tile); batch
// and head count 2 here, and 40 queries fit one 64-token tile, whose trip
// count 1 folds away. Rows walk their unmasked entries, then their masked
// ones; only the latter build a token mask from indices.
// CHECK-LABEL: func.func @exact
// CHECK-SAME: (%[[Q:[^:]*]]: memref<2x40x2x8xbf16>, %[[K:[^:]*]]: memref<2x40x1x8xbf16>, %[[O:[^:]*]]: memref<2x40x2x8xbf16>, %[[L:[^:]*]]: memref<2x2x40xf32>, %[[RP:[^:]*]]: memref<3xi32>, %[[KB:[^:]*]]: memref<6xi32>, %[[RM:[^:]*]]: memref<6xi32>, %[[NU:[^:]*]]: memref<2xi32>)
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK-DAG: %[[SCALE:.*]] = arith.constant dense<0.72134751> : vector<8xf32>
// CHECK-DAG: %[[LN2:.*]] = arith.constant 0.693147182 : f32
// CHECK: scf.parallel (%[[B:.*]], %[[H:.*]]) = (%c0, %c0) to (%c2, %c2) step (%c1, %c1) {
// CHECK: %[[G:.*]] = arith.divui %[[H]], %c2 : index
// CHECK: %[[QBUF:.*]] = memref.alloc() {alignment = 64 : i64} : memref<64x8xf32>
// CHECK: %[[ACC:.*]] = memref.alloc() {alignment = 64 : i64} : memref<64x8xf32>
// CHECK: %[[MAX:.*]] = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
// CHECK: %[[SUM:.*]] = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
// CHECK: %[[KT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8x16xf32>
// CHECK: %[[VB:.*]] = memref.alloc() {alignment = 64 : i64} : memref<16x8xf32>
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<4x16xf32>
//   Query rows, scaled by scale * log2(e) = 0.5 * 1.4427, in f32.
// CHECK: scf.for %[[ROW:.*]] = %c0 to %c40 step %c1 {
// CHECK:   %[[QV:.*]] = vector.load %[[Q]][%[[B]], %[[ROW]], %[[H]], %c0] : memref<2x40x2x8xbf16>, vector<8xbf16>
// CHECK:   %[[QF:.*]] = arith.extf %[[QV]] : vector<8xbf16> to vector<8xf32>
// CHECK:   arith.mulf %[[QF]], %[[SCALE]] : vector<8xf32>
//   The row of the schedule: [begin, begin + unmasked) then [.., end).
// CHECK: %[[BEGIN:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK: %[[END:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK: %[[NUM:.*]] = memref.load %[[NU]][%[[H]]] : memref<2xi32>
// CHECK: %[[MID:.*]] = arith.addi %[[BEGIN]], %{{.*}} : index
// CHECK: scf.for %[[E:.*]] = %[[BEGIN]] to %[[MID]] step %c1 {
// CHECK:   memref.load %[[KB]][%[[E]]] : memref<6xi32>
//     Keys transposed and values, in f32, from the row's KV head.
// CHECK:   scf.for %[[J:.*]] = %c0 to %c16 step %c1 {
// CHECK:     vector.load %[[K]][%[[B]], %{{.*}}, %[[G]], %c0] : memref<2x40x1x8xbf16>, vector<8xbf16>
// CHECK:     scf.for %[[D:.*]] = %c0 to %c8 step %c1 {
// CHECK:       memref.store %{{.*}}, %[[KT]][%[[D]], %[[J]]] : memref<8x16xf32>
//     Online softmax, base 2, no mask, four query rows at a time: each
//     transposed key chunk feeds four FMAs.
// CHECK:   scf.for %[[R:.*]] = %c0 to %c40 step %c4 {
// CHECK:     %[[S:.*]]:4 = scf.for %{{.*}} = %c0 to %c8 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK:       %[[KV:.*]] = vector.load %[[KT]][%{{.*}}, %c0] : memref<8x16xf32>, vector<16xf32>
// CHECK:       vector.fma %{{.*}}, %[[KV]], %{{.*}} : vector<16xf32>
// CHECK:       vector.fma %{{.*}}, %[[KV]], %{{.*}} : vector<16xf32>
// CHECK:     %[[M0:.*]] = memref.load %[[MAX]][%[[R]]] : memref<64xf32>
// CHECK:     %[[BM:.*]] = vector.reduction <maxnumf>, %{{.*}} : vector<16xf32> into f32
// CHECK:     %[[M1:.*]] = arith.maxnumf %[[M0]], %[[BM]] : f32
// CHECK:     %[[P:.*]] = math.exp2 %{{.*}} : vector<16xf32>
// CHECK:     %[[ALPHA:.*]] = math.exp2 %{{.*}} : f32
// CHECK:     vector.reduction <add>, %[[P]] : vector<16xf32> into f32
// CHECK:     scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// CHECK:       %[[VV:.*]] = vector.load %[[VB]][%{{.*}}, %c0] : memref<16x8xf32>, vector<8xf32>
// CHECK:       vector.fma %{{.*}}, %[[VV]], %{{.*}} : vector<8xf32>
// CHECK-NOT: vector.step
// CHECK: scf.for %[[E2:.*]] = %[[MID]] to %[[END]] step %c1 {
// CHECK:   %[[MASK:.*]] = arith.extui %{{.*}} : i32 to i64
//     Keys outside [0, kv_len) are zeros, never read.
// CHECK:   scf.if %{{.*}} {
// CHECK:   } else {
//     Block rows whose mask bit is clear skip the entry.
// CHECK:   scf.for %[[R2:.*]] = %c0 to %c40 step %c4 {
// CHECK:     %[[SUB:.*]] = arith.divui %[[R2]], %c16 : index
// CHECK:     arith.shrui %[[MASK]], %{{.*}} : i64
// CHECK:     scf.if %{{.*}} {
// CHECK:       %[[POS:.*]] = arith.addi %{{.*}}, %{{.*}} : vector<16xindex>
// CHECK:       arith.cmpi sle, %[[POS]], %{{.*}} : vector<16xindex>
// CHECK:       %[[MS:.*]] = arith.select %{{.*}}, %{{.*}}, %[[NEGINF]] : vector<16xi1>, vector<16xf32>
//     An all-masked row keeps max -inf and shifts by 0: exp2 gives 0, not NaN.
// CHECK:       %[[MX:.*]] = arith.maxnumf %{{.*}}, %{{.*}} : f32
// CHECK:       %[[ALLMASKED:.*]] = arith.cmpf oeq, %[[MX]], %{{.*}} : f32
// CHECK:       arith.select %[[ALLMASKED]], %{{.*}}, %[[MX]] : f32
//   Epilogue: O = acc / l in the element type, LSE = (m + log2 l) * ln 2.
// CHECK: scf.for %[[R3:.*]] = %c0 to %c40 step %c1 {
// CHECK:   %[[L0:.*]] = memref.load %[[SUM]][%[[R3]]] : memref<64xf32>
// CHECK:   %[[HAS:.*]] = arith.cmpf ogt, %[[L0]], %{{.*}} : f32
// CHECK:   %[[OUT:.*]] = arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK:   vector.store %[[OUT]], %[[O]][%[[B]], %[[R3]], %[[H]], %c0] : memref<2x40x2x8xbf16>, vector<8xbf16>
// CHECK:   %[[LOG:.*]] = math.log2 %[[L0]] : f32
// CHECK:   %[[NAT:.*]] = arith.mulf %{{.*}}, %[[LN2]] : f32
// CHECK:   %[[LSE:.*]] = arith.select %[[HAS]], %[[NAT]], %{{.*}} : f32
// CHECK:   memref.store %[[LSE]], %[[L]][%[[B]], %[[H]], %[[R3]]] : memref<2x2x40xf32>
// CHECK: memref.dealloc %[[QBUF]] : memref<64x8xf32>
// CHECK: scf.reduce
func.func @exact(%q: memref<2x40x2x8xbf16>, %k: memref<2x40x1x8xbf16>, %o: memref<2x40x2x8xbf16>, %l: memref<2x2x40xf32>,
                 %rp: memref<3xi32>, %kb: memref<6xi32>, %rm: memref<6xi32>, %nu: memref<2xi32>) {
  %c0 = arith.constant 0 : index
  s2attn.scheduled_attention ins(%q, %k, %k : memref<2x40x2x8xbf16>, memref<2x40x1x8xbf16>, memref<2x40x1x8xbf16>)
      outs(%o : memref<2x40x2x8xbf16>, %l : memref<2x2x40xf32>) q_start = %c0 kv_start = %c0
      schedule = exact(%rp, %kb, %rm, %nu : memref<3xi32>, memref<6xi32>, memref<6xi32>, memref<2xi32>)
      pattern = #s2attn.local_stride<block = 16, local = 1, stride = 2>
      {plan = #s2attn.plan<q_tile = 64, kv_tile = 16, merge_q = true>, scale = 0.5 : f64}
  return
}

// The closed form: the tile count comes from the dynamic lengths and
// positions; the last KV head (dense_heads = 1) walks every block, the
// others their left stripes (step = stride 4), then the local window. Each
// visit decides at run time whether it needs the token mask.
// CHECK-LABEL: func.func @closed_form
// CHECK-SAME: %[[QS:[^:]*]]: index, %[[KS:[^:]*]]: index)
// CHECK: %[[BATCH:.*]] = memref.dim %arg0, %c0 : memref<?x?x4x16xf16>
// CHECK: %[[QEND:.*]] = arith.addi %[[QS]], %{{.*}} : index
// CHECK: %[[FIRST:.*]] = arith.floordivsi %[[QS]], %c64 : index
// CHECK: %[[TILES:.*]] = arith.select %{{.*}}, %{{.*}}, %c0 : index
// CHECK: scf.parallel (%{{.*}}, %[[H:.*]], %{{.*}}) = (%c0, %c0, %c0) to (%[[BATCH]], %c4, %[[TILES]]) step (%c1, %c1, %c1) {
// CHECK:   %[[G:.*]] = arith.divui %[[H]], %c2 : index
// CHECK:   %[[DENSE:.*]] = arith.cmpi sge, %[[G]], %c1 : index
// CHECK:   scf.if %[[DENSE]] {
// CHECK:     scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 {
// CHECK:   } else {
// CHECK:     scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4 {
// CHECK:     scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 {
func.func @closed_form(%q: memref<?x?x4x16xf16>, %k: memref<?x?x2x16xf16>, %qs: index, %ks: index) {
  s2attn.scheduled_attention ins(%q, %k, %k : memref<?x?x4x16xf16>, memref<?x?x2x16xf16>, memref<?x?x2x16xf16>)
      outs(%q : memref<?x?x4x16xf16>) q_start = %qs kv_start = %ks schedule = closed_form
      pattern = #s2attn.local_stride<block = 32, local = 2, stride = 4, dense_heads = 1>
      {plan = #s2attn.plan<q_tile = 64, kv_tile = 32, merge_q = true>, scale = 0.25 : f64}
  return
}

// A grid schedule: tiles outside the grid attend nothing; entries outside
// the keys are skipped.
// CHECK-LABEL: func.func @grid
// CHECK: scf.parallel
// CHECK:   %[[IN:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
// CHECK:   scf.if %[[IN]] {
// CHECK:     scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 {
// CHECK:       %[[INKEYS:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
// CHECK:       scf.if %[[INKEYS]] {
func.func @grid(%q: memref<1x?x1x8xf32>, %rp: memref<3xi32>, %kb: memref<3xi32>, %rm: memref<3xi32>, %qs: index) {
  s2attn.scheduled_attention ins(%q, %q, %q : memref<1x?x1x8xf32>, memref<1x?x1x8xf32>, memref<1x?x1x8xf32>)
      outs(%q : memref<1x?x1x8xf32>) q_start = %qs kv_start = %qs
      schedule = grid(%rp, %kb, %rm : memref<3xi32>, memref<3xi32>, memref<3xi32>)
      pattern = #s2attn.block_mask<block = 16, mask = dense<[[[true, false], [true, true]]]> : tensor<1x2x2xi1>>
      {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 0.5 : f64}
  return
}

// Rows shared by the heads (heads_share_rows): two tiles of 16 queries, one
// row each for both heads, so a head reads the row of its tile alone, not
// head * 2 + tile.
// CHECK-LABEL: func.func @shared_rows
// CHECK-SAME: %[[RP:[^:]*]]: memref<3xi32>, %{{[^:]*}}: memref<3xi32>, %{{[^:]*}}: memref<3xi32>, %[[NU:[^:]*]]: memref<2xi32>)
// CHECK: scf.parallel (%[[H:.*]], %[[T:.*]]) = (%c0, %c0) to (%c2, %c2) step (%c1, %c1) {
// CHECK-NOT: arith.muli %[[H]]
// CHECK:   memref.load %[[RP]][%[[T]]] : memref<3xi32>
// CHECK:   %[[NEXT:.*]] = arith.addi %[[T]], %c1 : index
// CHECK:   memref.load %[[RP]][%[[NEXT]]] : memref<3xi32>
// CHECK:   memref.load %[[NU]][%[[T]]] : memref<2xi32>
func.func @shared_rows(%q: memref<1x32x2x8xf32>, %rp: memref<3xi32>, %kb: memref<3xi32>, %rm: memref<3xi32>, %nu: memref<2xi32>) {
  %c0 = arith.constant 0 : index
  s2attn.scheduled_attention ins(%q, %q, %q : memref<1x32x2x8xf32>, memref<1x32x2x8xf32>, memref<1x32x2x8xf32>)
      outs(%q : memref<1x32x2x8xf32>) q_start = %c0 kv_start = %c0
      schedule = exact(%rp, %kb, %rm, %nu : memref<3xi32>, memref<3xi32>, memref<3xi32>, memref<2xi32>)
      pattern = #s2attn.dense<block = 16>
      {heads_share_rows, plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 0.5 : f64}
  return
}
