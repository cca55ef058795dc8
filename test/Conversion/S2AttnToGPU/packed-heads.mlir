// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu --canonicalize --cse | FileCheck %s
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="packed-heads=32" --canonicalize --cse | FileCheck %s --check-prefix=WHOLE
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="packed-heads=8" | FileCheck %s --check-prefix=EIGHT
// RUN: not s2-opt %s --split-input-file --convert-s2attn-to-gpu="packed-heads=12" 2>&1 | FileCheck %s --check-prefix=BAD

// Decoding with one KV head (MQA) over 8192 keys: a key-split CTA packs all
// 32 query heads and one cluster of 16 such CTAs streams the K/V: 16 of 132
// SMs, and the walk is too short for grid splits (grid-splits.mlir). By
// default the group's heads go to two CTAs of 16 rows (a grid of 2 clusters,
// y = the half of the group), each reading the whole K/V; the second reads
// it from L2.

// CHECK-LABEL: func.func @mqa_8k
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c16, %c2, %c1) threads in (%c128, %c1, %c1)
// CHECK: gpu.func @s2attn_fwd({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.cluster_dim = array<i32: 16, 1, 1>, nvvm.minctasm = 1 : i32}
// The Q tile holds the 16 heads of one half.
// CHECK: memref.view %{{.*}}[%{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<16x128xbf16, #gpu.address_space<workgroup>>
// The first head is 16 times the half; its KV head, that over the group of 32.
// CHECK: %[[FIRSTHEAD:.*]] = arith.muli %{{.*}}, %c16 : index
// CHECK-NEXT: arith.divui %[[FIRSTHEAD]], %c32 : index

// packed-heads=32 keeps the whole group in one 32-row CTA: one cluster.
// WHOLE-LABEL: func.func @mqa_8k
// WHOLE: blocks in (%c16, %c1, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c106496_i32
// WHOLE: nvvm.cluster_dim = array<i32: 16, 1, 1>
// WHOLE: memref<32x128xbf16, #gpu.address_space<workgroup>>
// EIGHT-LABEL: func.func @mqa_8k
// EIGHT: blocks in (%c16, %c4, %c1)
// BAD: error: convert-s2attn-to-gpu: packed-heads = 12 is not supported; expected 0 (auto) or a power of two
func.func @mqa_8k(%q: memref<1x1x32x128xbf16>, %k: memref<1x8192x1x128xbf16>, %v: memref<1x8192x1x128xbf16>, %o: memref<1x1x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x32x128xbf16>, memref<1x8192x1x128xbf16>, memref<1x8192x1x128xbf16>)
      outs(%o : memref<1x1x32x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// Two KV heads already take two clusters (32 CTAs): each group of 16 heads
// stays whole, its KV head the first head over 16.
// CHECK-LABEL: func.func @gqa2_8k
// CHECK: blocks in (%c16, %c2, %c1)
// CHECK: memref.view %{{.*}}[%{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<16x128xbf16, #gpu.address_space<workgroup>>
// CHECK: %[[FIRSTHEAD:.*]] = arith.muli %{{.*}}, %c16 : index
// CHECK-NEXT: arith.divui %[[FIRSTHEAD]], %c16 : index
// EIGHT-LABEL: func.func @gqa2_8k
// EIGHT: blocks in (%c16, %c4, %c1)
func.func @gqa2_8k(%q: memref<1x1x32x128xbf16>, %k: memref<1x8192x2x128xbf16>, %v: memref<1x8192x2x128xbf16>, %o: memref<1x1x32x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x32x128xbf16>, memref<1x8192x2x128xbf16>, memref<1x8192x2x128xbf16>)
      outs(%o : memref<1x1x32x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// Groups of 6 query heads cannot be cut into CTAs of one KV group's heads
// (a power of two): packed-heads=4 packs nothing instead of mixing groups.
// EIGHT-LABEL: func.func @group_of_six
// EIGHT: blocks in (%{{.*}}, %c12, %c1)
// CHECK-LABEL: func.func @group_of_six
// CHECK: blocks in (%{{.*}}, %c12, %c1)
func.func @group_of_six(%q: memref<1x1x12x128xbf16>, %k: memref<1x8192x2x128xbf16>, %v: memref<1x8192x2x128xbf16>, %o: memref<1x1x12x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x1x12x128xbf16>, memref<1x8192x2x128xbf16>, memref<1x8192x2x128xbf16>)
      outs(%o : memref<1x1x12x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}
