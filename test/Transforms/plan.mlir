// RUN: s2-opt %s --s2attn-plan | FileCheck %s --check-prefixes=CHECK,CPU
// RUN: s2-opt %s --s2attn-plan="target=sm_80" | FileCheck %s --check-prefixes=CHECK,SM80
// RUN: s2-opt %s --s2attn-plan="merge-q=false" | FileCheck %s --check-prefixes=CHECK,NOMERGE

// The key tile is the pattern's block. On the CPU, blocks below 64 tokens
// are merged into 64-token query tiles (Merge-Q) when the pattern is
// KV-cache efficient; sm_80 also picks warps and pipeline stages that fit
// its shared memory.

// CHECK-LABEL: func.func @block64
// CPU: s2attn.plan = #s2attn.plan<q_tile = 64, kv_tile = 64>}
// SM80: s2attn.plan = #s2attn.plan<q_tile = 64, kv_tile = 64, num_warps = 4, num_stages = 3>}
// NOMERGE: s2attn.plan = #s2attn.plan<q_tile = 64, kv_tile = 64>}
func.func @block64(%q: tensor<1x256x4x64xf16>, %k: tensor<1x256x2x64xf16>) -> tensor<1x256x4x64xf16> {
  %r = s2attn.attention ins(%q, %k, %k : tensor<1x256x4x64xf16>, tensor<1x256x2x64xf16>, tensor<1x256x2x64xf16>)
      outs(%q : tensor<1x256x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4>
      -> tensor<1x256x4x64xf16>
  return %r : tensor<1x256x4x64xf16>
}

// CHECK-LABEL: func.func @block16_merged
// CPU: s2attn.plan = #s2attn.plan<q_tile = 64, kv_tile = 16, merge_q = true>}
// SM80: s2attn.plan = #s2attn.plan<q_tile = 64, kv_tile = 16, merge_q = true, num_warps = 4, num_stages = 3>}
// NOMERGE: s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16>}
func.func @block16_merged(%q: tensor<1x256x4x64xf16>, %k: tensor<1x256x2x64xf16>) -> tensor<1x256x4x64xf16> {
  %r = s2attn.attention ins(%q, %k, %k : tensor<1x256x4x64xf16>, tensor<1x256x2x64xf16>, tensor<1x256x2x64xf16>)
      outs(%q : tensor<1x256x4x64xf16>) pattern = #s2attn.local_stride<block = 16, local = 2, stride = 4>
      -> tensor<1x256x4x64xf16>
  return %r : tensor<1x256x4x64xf16>
}

// Relative stripes are not KV-cache efficient: one block row per tile.
// CHECK-LABEL: func.func @relative_split
// CHECK: s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16
func.func @relative_split(%q: tensor<1x256x4x64xf32>) -> tensor<1x256x4x64xf32> {
  %r = s2attn.attention ins(%q, %q, %q : tensor<1x256x4x64xf32>, tensor<1x256x4x64xf32>, tensor<1x256x4x64xf32>)
      outs(%q : tensor<1x256x4x64xf32>) pattern = #s2attn.local_stride<block = 16, local = 2, stride = 4>
      {causal = false} -> tensor<1x256x4x64xf32>
  return %r : tensor<1x256x4x64xf32>
}

// Head 1 uses key block 0 again from query block 2 after block 1 dropped it.
// CHECK-LABEL: func.func @mask_not_efficient
// CHECK: s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16
func.func @mask_not_efficient(%q: tensor<1x48x2x8xf32>) -> tensor<1x48x2x8xf32> {
  %r = s2attn.attention ins(%q, %q, %q : tensor<1x48x2x8xf32>, tensor<1x48x2x8xf32>, tensor<1x48x2x8xf32>)
      outs(%q : tensor<1x48x2x8xf32>)
      pattern = #s2attn.block_mask<block = 16, mask = dense<[[[true, false, false], [true, true, false], [false, true, true]],
                                                             [[true, false, false], [false, true, false], [true, false, true]]]> : tensor<2x3x3xi1>>
      -> tensor<1x48x2x8xf32>
  return %r : tensor<1x48x2x8xf32>
}

// CHECK-LABEL: func.func @mask_efficient
// CPU: s2attn.plan = #s2attn.plan<q_tile = 64, kv_tile = 16, merge_q = true>}
// NOMERGE: s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16>}
func.func @mask_efficient(%q: tensor<1x48x2x8xf32>) -> tensor<1x48x2x8xf32> {
  %r = s2attn.attention ins(%q, %q, %q : tensor<1x48x2x8xf32>, tensor<1x48x2x8xf32>, tensor<1x48x2x8xf32>)
      outs(%q : tensor<1x48x2x8xf32>)
      pattern = #s2attn.block_mask<block = 16, mask = dense<[[[true, false, false], [true, true, false], [false, true, true]]]> : tensor<1x3x3xi1>>
      -> tensor<1x48x2x8xf32>
  return %r : tensor<1x48x2x8xf32>
}

// Few queries fill few block rows: one decoding query keeps one, 20 take two.
// CHECK-LABEL: func.func @decode
// CPU: s2attn.plan = #s2attn.plan<q_tile = 16, kv_tile = 16>}
// CHECK-LABEL: func.func @short_chunk
// CPU: s2attn.plan = #s2attn.plan<q_tile = 32, kv_tile = 16, merge_q = true>}
func.func @decode(%q: tensor<1x1x4x64xbf16>, %k: tensor<1x512x4x64xbf16>) -> tensor<1x1x4x64xbf16> {
  %r = s2attn.attention ins(%q, %k, %k : tensor<1x1x4x64xbf16>, tensor<1x512x4x64xbf16>, tensor<1x512x4x64xbf16>)
      outs(%q : tensor<1x1x4x64xbf16>) pattern = #s2attn.local_stride<block = 16, local = 4, stride = 4>
      -> tensor<1x1x4x64xbf16>
  return %r : tensor<1x1x4x64xbf16>
}
func.func @short_chunk(%q: tensor<1x20x4x64xbf16>, %k: tensor<1x512x4x64xbf16>) -> tensor<1x20x4x64xbf16> {
  %r = s2attn.attention ins(%q, %k, %k : tensor<1x20x4x64xbf16>, tensor<1x512x4x64xbf16>, tensor<1x512x4x64xbf16>)
      outs(%q : tensor<1x20x4x64xbf16>) pattern = #s2attn.local_stride<block = 16, local = 4, stride = 4>
      -> tensor<1x20x4x64xbf16>
  return %r : tensor<1x20x4x64xbf16>
}

// Dynamic lengths: the target's preferred tile.
// CHECK-LABEL: func.func @dynamic
// CPU: s2attn.plan = #s2attn.plan<q_tile = 64, kv_tile = 32, merge_q = true>}
func.func @dynamic(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  %r = s2attn.attention ins(%q, %k, %k : tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>)
      outs(%q : tensor<?x?x4x64xf32>) pattern = #s2attn.dense<block = 32> -> tensor<?x?x4x64xf32>
  return %r : tensor<?x?x4x64xf32>
}

// A plan given by hand is kept.
// CHECK-LABEL: func.func @forced
// CHECK: s2attn.plan = #s2attn.plan<q_tile = 32, kv_tile = 32>}
func.func @forced(%q: tensor<1x64x1x16xf32>) -> tensor<1x64x1x16xf32> {
  %r = s2attn.attention ins(%q, %q, %q : tensor<1x64x1x16xf32>, tensor<1x64x1x16xf32>, tensor<1x64x1x16xf32>)
      outs(%q : tensor<1x64x1x16xf32>) pattern = #s2attn.dense<block = 32>
      {s2attn.plan = #s2attn.plan<q_tile = 32, kv_tile = 32>} -> tensor<1x64x1x16xf32>
  return %r : tensor<1x64x1x16xf32>
}

// The nearest #s2attn.target wins over the option: Hopper takes 128-row tiles.
// CHECK-LABEL: func.func @hopper
// CPU: s2attn.plan = #s2attn.plan<q_tile = 128, kv_tile = 64, merge_q = true, num_warps = 8, num_stages = 4>}
// SM80: s2attn.plan = #s2attn.plan<q_tile = 128, kv_tile = 64, merge_q = true, num_warps = 8, num_stages = 4>}
// NOMERGE: s2attn.plan = #s2attn.plan<q_tile = 64, kv_tile = 64, num_warps = 4, num_stages = 4>}
func.func @hopper(%q: tensor<1x1024x8x128xbf16>) -> tensor<1x1024x8x128xbf16>
    attributes {s2attn.target = #s2attn.target<"sm_90a">} {
  %r = s2attn.attention ins(%q, %q, %q : tensor<1x1024x8x128xbf16>, tensor<1x1024x8x128xbf16>, tensor<1x1024x8x128xbf16>)
      outs(%q : tensor<1x1024x8x128xbf16>) pattern = #s2attn.local_stride<block = 64, local = 16, stride = 8>
      -> tensor<1x1024x8x128xbf16>
  return %r : tensor<1x1024x8x128xbf16>
}
