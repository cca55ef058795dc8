// RUN: s2-opt %s --s2attn-materialize-schedule="kind=closed-form" | FileCheck %s --check-prefix=CLOSED
// RUN: s2-opt %s --s2attn-materialize-schedule="kind=grid" | FileCheck %s --check-prefix=GRID
// RUN: s2-opt %s --s2attn-materialize-schedule="kind=exact max-exact-entries=2" | FileCheck %s --check-prefix=EXACT

// The `kind` option forces a schedule form where the pattern allows it;
// `max-exact-entries` only redirects the automatic choice.

// CLOSED-LABEL: func.func @static_local_stride
// CLOSED-NOT: memref.get_global
// CLOSED: s2attn.scheduled_attention
// CLOSED-SAME: schedule = closed_form pattern

// The grid of a static problem is its own block grid from position 0: 48
// keys and queries are three blocks, rows of tiles 0, 1 and 2 per head.
// GRID: memref.global "private" constant @__s2attn_schedule0_row_ptr : memref<4xi32> = dense<[0, 1, 3, 5]>
// GRID: memref.global "private" constant @__s2attn_schedule0_kv_blocks : memref<5xi32> = dense<[0, 0, 1, 0, 2]>
// GRID-LABEL: func.func @static_local_stride
// GRID: schedule = grid(

// EXACT-LABEL: func.func @static_local_stride
// EXACT: schedule = exact(
func.func @static_local_stride(%q: memref<1x48x1x8xf32>) {
  s2attn.attention ins(%q, %q, %q : memref<1x48x1x8xf32>, memref<1x48x1x8xf32>, memref<1x48x1x8xf32>)
      outs(%q : memref<1x48x1x8xf32>) pattern = #s2attn.local_stride<block = 16, local = 1, stride = 2>
      {s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16>}
  return
}
