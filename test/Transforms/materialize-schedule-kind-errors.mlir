// RUN: not s2-opt %s --s2attn-materialize-schedule="kind=exact" 2>&1 | FileCheck %s --check-prefix=EXACT
// RUN: not s2-opt %s --s2attn-materialize-schedule="kind=grid" 2>&1 | FileCheck %s --check-prefix=GRID
// RUN: not s2-opt %s --s2attn-materialize-schedule="kind=closed-form" 2>&1 | FileCheck %s --check-prefix=CLOSED
// RUN: not s2-opt %s --s2attn-materialize-schedule="kind=csr" 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// A forced schedule form the op cannot have is an error on that op.

// EXACT: :[[@LINE+3]]:3: error: 's2attn.attention' op an exact schedule needs static lengths and positions; use kind=auto, grid or closed-form
// GRID: :[[@LINE+2]]:3: error: 's2attn.attention' op a grid schedule needs a bounded block grid (static shapes or a block_mask); use kind=closed-form
func.func @dynamic_local_stride(%q: memref<1x?x1x8xf32>) {
  s2attn.attention ins(%q, %q, %q : memref<1x?x1x8xf32>, memref<1x?x1x8xf32>, memref<1x?x1x8xf32>)
      outs(%q : memref<1x?x1x8xf32>) pattern = #s2attn.local_stride<block = 16, local = 1, stride = 2>
      {s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16>}
  return
}

// CLOSED: :[[@LINE+2]]:3: error: 's2attn.attention' op only local_stride and dense patterns have a closed-form schedule; use kind=auto or grid
func.func @dynamic_mask(%q: memref<1x?x1x8xf32>) {
  s2attn.attention ins(%q, %q, %q : memref<1x?x1x8xf32>, memref<1x?x1x8xf32>, memref<1x?x1x8xf32>)
      outs(%q : memref<1x?x1x8xf32>)
      pattern = #s2attn.block_mask<block = 16, mask = dense<[[[true, false], [true, true]]]> : tensor<1x2x2xi1>>
      {s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16>}
  return
}

// UNKNOWN: error: s2attn-materialize-schedule: unknown kind 'csr'; expected auto, exact, grid or closed-form
