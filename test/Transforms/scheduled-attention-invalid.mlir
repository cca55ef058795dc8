// RUN: s2-opt %s -split-input-file -verify-diagnostics

// Every verifier message of s2attn.scheduled_attention and #s2attn.plan.

// expected-error @+1 {{q_tile = 48 must be kv_tile (16) times a power of two <= 32}}
func.func private @bad_q_tile() attributes {p = #s2attn.plan<q_tile = 48, kv_tile = 16, merge_q = true>}

// -----

// expected-error @+1 {{merge_q must be true when q_tile = 64 and kv_tile = 16}}
func.func private @merge_flag() attributes {p = #s2attn.plan<q_tile = 64, kv_tile = 16>}

// -----

// expected-error @+1 {{kv_tile = 24 must be a power of two >= 16}}
func.func private @bad_kv_tile() attributes {p = #s2attn.plan<q_tile = 24, kv_tile = 24>}

// -----

// expected-error @+1 {{num_stages = 0 must be >= 1}}
func.func private @bad_stages() attributes {p = #s2attn.plan<q_tile = 16, kv_tile = 16, num_stages = 0>}

// -----

func.func @kv_tile_not_block(%q: memref<1x32x1x8xf32>, %k: memref<1x32x1x8xf32>, %i: index) {
  // expected-error @+1 {{plan kv_tile = 32 must equal the pattern's block (16)}}
  s2attn.scheduled_attention ins(%q, %k, %k : memref<1x32x1x8xf32>, memref<1x32x1x8xf32>, memref<1x32x1x8xf32>)
      outs(%q : memref<1x32x1x8xf32>) q_start = %i kv_start = %i schedule = closed_form
      pattern = #s2attn.dense<block = 16> {plan = #s2attn.plan<q_tile = 32, kv_tile = 32>, scale = 1.0 : f64}
  return
}

// -----

func.func @wrong_array_count(%q: memref<1x32x1x8xf32>, %k: memref<1x32x1x8xf32>, %i: index, %a: memref<3xi32>) {
  // expected-error @+1 {{the exact schedule takes 4 arrays (row_ptr, kv_blocks, row_masks[, num_unmasked]), got 3}}
  s2attn.scheduled_attention ins(%q, %k, %k : memref<1x32x1x8xf32>, memref<1x32x1x8xf32>, memref<1x32x1x8xf32>)
      outs(%q : memref<1x32x1x8xf32>) q_start = %i kv_start = %i schedule = exact(%a, %a, %a : memref<3xi32>, memref<3xi32>, memref<3xi32>)
      pattern = #s2attn.dense<block = 16> {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}

// -----

func.func @row_ptr_length(%q: memref<1x32x2x8xf32>, %k: memref<1x32x1x8xf32>, %i: index,
                          %rp: memref<4xi32>, %a: memref<5xi32>, %n: memref<3xi32>) {
  // expected-error @+1 {{row_ptr must hold heads * num_q_tiles + 1 = 2 * n + 1 entries, got 'memref<4xi32>' (or num_q_tiles + 1 with heads_share_rows)}}
  s2attn.scheduled_attention ins(%q, %k, %k : memref<1x32x2x8xf32>, memref<1x32x1x8xf32>, memref<1x32x1x8xf32>)
      outs(%q : memref<1x32x2x8xf32>) q_start = %i kv_start = %i
      schedule = exact(%rp, %a, %a, %n : memref<4xi32>, memref<5xi32>, memref<5xi32>, memref<3xi32>)
      pattern = #s2attn.dense<block = 16> {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}

// -----

func.func @entry_lengths(%q: memref<1x32x1x8xf32>, %k: memref<1x32x1x8xf32>, %i: index,
                         %rp: memref<3xi32>, %kb: memref<5xi32>, %rm: memref<4xi32>) {
  // expected-error @+1 {{kv_blocks and row_masks must have one entry per schedule entry, got 'memref<5xi32>' and 'memref<4xi32>'}}
  s2attn.scheduled_attention ins(%q, %k, %k : memref<1x32x1x8xf32>, memref<1x32x1x8xf32>, memref<1x32x1x8xf32>)
      outs(%q : memref<1x32x1x8xf32>) q_start = %i kv_start = %i
      schedule = grid(%rp, %kb, %rm : memref<3xi32>, memref<5xi32>, memref<4xi32>)
      pattern = #s2attn.dense<block = 16> {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}

// -----

func.func @unmasked_length(%q: memref<1x32x1x8xf32>, %k: memref<1x32x1x8xf32>, %i: index,
                           %rp: memref<3xi32>, %kb: memref<5xi32>, %nu: memref<3xi32>) {
  // expected-error @+1 {{num_unmasked must have one entry per row (2), got 'memref<3xi32>'}}
  s2attn.scheduled_attention ins(%q, %k, %k : memref<1x32x1x8xf32>, memref<1x32x1x8xf32>, memref<1x32x1x8xf32>)
      outs(%q : memref<1x32x1x8xf32>) q_start = %i kv_start = %i
      schedule = exact(%rp, %kb, %kb, %nu : memref<3xi32>, memref<5xi32>, memref<5xi32>, memref<3xi32>)
      pattern = #s2attn.dense<block = 16> {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}

// -----

func.func @closed_form_mask(%q: memref<1x32x1x8xf32>, %i: index) {
  // expected-error @+1 {{a closed_form schedule needs a local_stride or dense pattern; materialize a grid schedule for #s2attn.block_mask}}
  s2attn.scheduled_attention ins(%q, %q, %q : memref<1x32x1x8xf32>, memref<1x32x1x8xf32>, memref<1x32x1x8xf32>)
      outs(%q : memref<1x32x1x8xf32>) q_start = %i kv_start = %i schedule = closed_form
      pattern = #s2attn.block_mask<block = 16, mask = dense<true> : tensor<1x2x2xi1>>
      {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}

// -----

func.func @relative_merge(%q: memref<1x64x1x8xf32>, %i: index) {
  // expected-error @+1 {{relative stripes depend on the query block, so a closed_form schedule cannot merge query blocks; use q_tile = kv_tile = 16}}
  s2attn.scheduled_attention ins(%q, %q, %q : memref<1x64x1x8xf32>, memref<1x64x1x8xf32>, memref<1x64x1x8xf32>)
      outs(%q : memref<1x64x1x8xf32>) q_start = %i kv_start = %i schedule = closed_form
      pattern = #s2attn.local_stride<block = 16, local = 1, stride = 2>
      {causal = false, plan = #s2attn.plan<q_tile = 32, kv_tile = 16, merge_q = true>, scale = 1.0 : f64}
  return
}

// -----

func.func @mixed(%q: tensor<1x32x1x8xf32>, %m: memref<1x32x1x8xf32>, %i: index) {
  // expected-error @+1 {{operands must be all tensors or all memrefs}}
  s2attn.scheduled_attention ins(%q, %q, %q : tensor<1x32x1x8xf32>, tensor<1x32x1x8xf32>, tensor<1x32x1x8xf32>)
      outs(%m : memref<1x32x1x8xf32>) q_start = %i kv_start = %i schedule = closed_form
      pattern = #s2attn.dense<block = 16> {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}

// -----

func.func @gqa_heads(%q: memref<1x32x3x8xf32>, %k: memref<1x32x2x8xf32>, %i: index) {
  // expected-error @+1 {{heads (3) must be a positive multiple of kv_heads (2)}}
  s2attn.scheduled_attention ins(%q, %k, %k : memref<1x32x3x8xf32>, memref<1x32x2x8xf32>, memref<1x32x2x8xf32>)
      outs(%q : memref<1x32x3x8xf32>) q_start = %i kv_start = %i schedule = closed_form
      pattern = #s2attn.dense<block = 16> {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}

// -----

func.func @lse_shape(%q: memref<1x32x2x8xf32>, %l: memref<1x32x2xf32>, %i: index) {
  // expected-error @+1 {{lse must be f32 [batch, heads, q_len] = [1, 2, 32] (? for dynamic), got 'memref<1x32x2xf32>'}}
  s2attn.scheduled_attention ins(%q, %q, %q : memref<1x32x2x8xf32>, memref<1x32x2x8xf32>, memref<1x32x2x8xf32>)
      outs(%q : memref<1x32x2x8xf32>, %l : memref<1x32x2xf32>) q_start = %i kv_start = %i schedule = closed_form
      pattern = #s2attn.dense<block = 16> {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}

// -----

func.func @bad_scale(%q: memref<1x32x1x8xf32>, %i: index) {
  // expected-error @+1 {{scale must be positive and finite, got -1}}
  s2attn.scheduled_attention ins(%q, %q, %q : memref<1x32x1x8xf32>, memref<1x32x1x8xf32>, memref<1x32x1x8xf32>)
      outs(%q : memref<1x32x1x8xf32>) q_start = %i kv_start = %i schedule = closed_form
      pattern = #s2attn.dense<block = 16> {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = -1.0 : f64}
  return
}

// -----

func.func @tensor_results(%q: tensor<1x32x1x8xf32>, %i: index) {
  // expected-error @+1 {{on tensors the results must be the output types, in that order}}
  s2attn.scheduled_attention ins(%q, %q, %q : tensor<1x32x1x8xf32>, tensor<1x32x1x8xf32>, tensor<1x32x1x8xf32>)
      outs(%q : tensor<1x32x1x8xf32>) q_start = %i kv_start = %i schedule = closed_form
      pattern = #s2attn.dense<block = 16> {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}

// -----

func.func @pattern_problem(%q: memref<1x32x2x8xf32>, %k: memref<1x32x2x8xf32>, %i: index) {
  // expected-error @+1 {{block_mask has 3 heads; expected 1 (shared), 2 (one per KV head) or 2 (one per query head)}}
  s2attn.scheduled_attention ins(%q, %k, %k : memref<1x32x2x8xf32>, memref<1x32x2x8xf32>, memref<1x32x2x8xf32>)
      outs(%q : memref<1x32x2x8xf32>) q_start = %i kv_start = %i schedule = closed_form
      pattern = #s2attn.block_mask<block = 16, mask = dense<true> : tensor<3x2x2xi1>>
      {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}

// -----

func.func @shared_rows_closed_form(%q: memref<1x32x2x8xf32>, %k: memref<1x32x1x8xf32>, %i: index) {
  // expected-error @+1 {{heads_share_rows describes the arrays of an exact or grid schedule; a closed_form schedule has none}}
  s2attn.scheduled_attention ins(%q, %k, %k : memref<1x32x2x8xf32>, memref<1x32x1x8xf32>, memref<1x32x1x8xf32>)
      outs(%q : memref<1x32x2x8xf32>) q_start = %i kv_start = %i schedule = closed_form
      pattern = #s2attn.dense<block = 16> {heads_share_rows, plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}

// -----

func.func @shared_rows_empty_row_ptr(%q: memref<1x32x2x8xf32>, %k: memref<1x32x1x8xf32>, %i: index,
                                     %rp: memref<0xi32>, %a: memref<5xi32>, %n: memref<0xi32>) {
  // expected-error @+1 {{row_ptr must hold num_q_tiles + 1 entries (rows shared by all heads), got 'memref<0xi32>'}}
  s2attn.scheduled_attention ins(%q, %k, %k : memref<1x32x2x8xf32>, memref<1x32x1x8xf32>, memref<1x32x1x8xf32>)
      outs(%q : memref<1x32x2x8xf32>) q_start = %i kv_start = %i
      schedule = exact(%rp, %a, %a, %n : memref<0xi32>, memref<5xi32>, memref<5xi32>, memref<0xi32>)
      pattern = #s2attn.dense<block = 16> {heads_share_rows, plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 1.0 : f64}
  return
}
