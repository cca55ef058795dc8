// RUN: s2-opt %s -split-input-file -verify-diagnostics

// Every verifier rule of the s2attn dialect, one case each. Messages say what is
// wrong and what would be right.

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{block size 48 must be a power of two >= 16}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 48, local = 2, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{block size 8 must be a power of two >= 16}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.dense<block = 8> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{block size 100 must be a power of two >= 16}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.block_mask<block = 100, mask = dense<true> : tensor<1x2x2xi1>> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{local = -1 must be >= 0 (>= 1 for causal attention)}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = -1, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{right = -2 must be >= 0}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 1, right = -2, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{stride = 0 must be >= 1 (1 means every block is vertical, i.e. dense)}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 0> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{head_step = 0 must be >= 1 (omit it for max(1, stride / heads))}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4, head_step = 0> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{dense_heads = -1 must be >= 0}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4, dense_heads = -1> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{homo_head = true gives every head head 0's pattern, so dense_heads must be 0 (got 1)}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4, dense_heads = 1, homo_head = true> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{mask must be a tensor<HxQxKxi1> of [heads or 1, q_blocks, kv_blocks], got 'tensor<2x2xi1>'}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.block_mask<block = 64, mask = dense<true> : tensor<2x2xi1>> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{mask must be a tensor<HxQxKxi1> of [heads or 1, q_blocks, kv_blocks], got 'tensor<1x2x2xi8>'}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.block_mask<block = 64, mask = dense<1> : tensor<1x2x2xi8>> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+2 {{expected 'absolute' or 'relative'}}
  // expected-error @+1 {{failed to parse S2Attn_LocalStrideAttr parameter 'vert'}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4, vert = diagonal> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+2 {{expected 'true' or 'false'}}
  // expected-error @+1 {{failed to parse S2Attn_LocalStrideAttr parameter 'homo_head'}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4, homo_head = yes> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{invalid local_stride pattern: local blocks 0 must be >= 1 when causal (the diagonal block must be attended)}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 0, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{invalid local_stride pattern: dense heads 2 must be in [0, 1] (fewer than the 2 KV heads, counted in KV heads)}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4, dense_heads = 2> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{block_mask has 3 heads; expected 1 (shared), 2 (one per KV head) or 4 (one per query head)}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.block_mask<block = 64, mask = dense<true> : tensor<3x2x2xi1>> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{block_mask has 1 query blocks but the problem reaches 2 (last query position / block 64, rounded up); give at least 2 rows}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.block_mask<block = 64, mask = dense<true> : tensor<1x1x2xi1>> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{block_mask has 1 key blocks but the problem reaches 2 (last key position / block 64, rounded up); give at least 2 columns}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.block_mask<block = 64, mask = dense<true> : tensor<1x2x1xi1>> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{query head 0, row 64 (position 64, block 1) attends no key under this pattern; every query row must attend at least one key (e.g. local >= 1, or a mask with its diagonal set)}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.block_mask<block = 64, mask = dense<[[[true, false], [false, false]]]> : tensor<1x2x2xi1>> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{query head 0, row 0 (position 0, block 0) attends no key under this pattern}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 16, local = 0, right = 0, stride = 16, vert = absolute, head_offset = 1> {causal = false} -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x64x2x64xf16>, %v: tensor<1x64x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{query row 0 (position -64) precedes every key (kv_start = 0) and attends none; q_len (128) > kv_len (64) makes the default bottom-right q_start = kv_len - q_len = -64: give q_start >= kv_start or kv_len >= q_len}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x64x2x64xf16>, tensor<1x64x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: memref<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{operands must be all tensors or all memrefs}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, memref<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{query must have rank 4 [batch, q_len, heads, head_dim], got 'tensor<128x4x64xf16>'}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf64>, %k: tensor<1x128x2x64xf64>, %v: tensor<1x128x2x64xf64>, %o: tensor<1x128x4x64xf64>) {
  // expected-error @+1 {{element type must be f16, bf16 or f32, got 'f64'}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf64>, tensor<1x128x2x64xf64>, tensor<1x128x2x64xf64>) outs(%o : tensor<1x128x4x64xf64>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x64xf64>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xbf16>, %v: tensor<1x128x2x64xbf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{key element type 'bf16' must match the query's 'f16'}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xbf16>, tensor<1x128x2x64xbf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x?x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x?x64xf16>) {
  // expected-error @+1 {{heads, kv_heads and head_dim must be static}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x?x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x?x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x?x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x100x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{value shape 'tensor<1x100x2x64xf16>' must match the key shape 'tensor<1x128x2x64xf16>' [batch, kv_len, kv_heads, head_dim]}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x100x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x32xf16>) {
  // expected-error @+1 {{output shape 'tensor<1x128x4x32xf16>' must match the query shape 'tensor<1x128x4x64xf16>' [batch, q_len, heads, head_dim]}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x32xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x32xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<2x128x2x64xf16>, %v: tensor<2x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{key batch 2 must match the query batch 1}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<2x128x2x64xf16>, tensor<2x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x32xf16>, %v: tensor<1x128x2x32xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{key head_dim 32 must match the query head_dim 64}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x32xf16>, tensor<1x128x2x32xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x3x64xf16>, %v: tensor<1x128x3x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{heads (4) must be a positive multiple of kv_heads (3) so that each KV head serves the same number of query heads}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x3x64xf16>, tensor<1x128x3x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>, %l: tensor<1x4x100xf32>) {
  // expected-error @+1 {{lse must be f32 [batch, heads, q_len] = [1, 4, 128] (? for dynamic), got 'tensor<1x4x100xf32>'}}
  %r:2 = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>, %l : tensor<1x4x100xf32>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x64xf16>, tensor<1x4x100xf32>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>, %l: tensor<1x4x128xf16>) {
  // expected-error @+1 {{lse must be f32 [batch, heads, q_len] = [1, 4, 128] (? for dynamic), got 'tensor<1x4x128xf16>'}}
  %r:2 = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>, %l : tensor<1x4x128xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x64xf16>, tensor<1x4x128xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>, %l: tensor<1x4x128xf32>) {
  // expected-error @+1 {{on tensors the results must be the output and lse types, in that order}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>, %l : tensor<1x4x128xf32>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{scale must be positive and finite, got -1.000000e+00 (omit it for 1/sqrt(head_dim))}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> {scale = -1.0 : f64} -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{q_start must be >= 0, got -3}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> q_start = -3 -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @f(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %v: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{kv_start must be >= 0, got -5}}
  %r = s2attn.attention ins(%q, %k, %v : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4> kv_start = -5 -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @lse_kind(%q: memref<1x128x4x64xf16>, %k: memref<1x128x2x64xf16>, %o: memref<1x128x4x64xf16>, %l: tensor<1x4x128xf32>) {
  // expected-error @+1 {{lse must be a memref like the other operands}}
  s2attn.attention ins(%q, %k, %k : memref<1x128x4x64xf16>, memref<1x128x2x64xf16>, memref<1x128x2x64xf16>) outs(%o : memref<1x128x4x64xf16>, %l : tensor<1x4x128xf32>) pattern = #s2attn.dense<>
  return
}

// -----

func.func @memref_results(%q: memref<1x128x4x64xf16>, %k: memref<1x128x2x64xf16>, %o: memref<1x128x4x64xf16>) {
  // expected-error @+1 {{on memrefs the op writes its outputs and has no results, got 1}}
  %r = s2attn.attention ins(%q, %k, %k : memref<1x128x4x64xf16>, memref<1x128x2x64xf16>, memref<1x128x2x64xf16>) outs(%o : memref<1x128x4x64xf16>) pattern = #s2attn.dense<> -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @missing_pattern(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{custom op 's2attn.attention' expected 'pattern'}}
  %r = s2attn.attention ins(%q, %k, %k : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) -> tensor<1x128x4x64xf16>
  return
}

// -----

func.func @not_a_pattern(%q: tensor<1x128x4x64xf16>, %k: tensor<1x128x2x64xf16>, %o: tensor<1x128x4x64xf16>) {
  // expected-error @+1 {{expected a pattern attribute (#s2attn.local_stride, #s2attn.block_mask or #s2attn.dense), got 3 : i64}}
  %r = s2attn.attention ins(%q, %k, %k : tensor<1x128x4x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>) outs(%o : tensor<1x128x4x64xf16>) pattern = 3 : i64 -> tensor<1x128x4x64xf16>
  return
}

// -----

// expected-error @+1 {{struct is missing required parameter: local}}
func.func @missing_parameter() attributes {p = #s2attn.local_stride<block = 64>} {
  return
}

// -----

// expected-error @+1 {{duplicate or unknown struct parameter name: window}}
func.func @unknown_parameter() attributes {p = #s2attn.local_stride<block = 64, local = 1, window = 3>} {
  return
}
