//===- S2AttnOps.td - s2attn operations --------------------*- tablegen -*-===//

#ifndef S2ATTN_OPS_TD
#define S2ATTN_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "s2attn/Dialect/S2Attn/IR/S2AttnAttrs.td"

def S2Attn_TensorOrMemRef : AnyTypeOf<[AnyRankedTensor, AnyMemRef],
    "ranked tensor or memref">;

def S2Attn_AttentionOp : S2Attn_Op<"attention", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DestinationStyleOpInterface]> {
  let summary = "Block-sparse multi-head attention with a per-head pattern";
  let description = [{
    Computes, for every batch `b`, query row `i` and query head `h`
    (SPEC section 1):

        O[b, i, h, :] = sum_j softmax_j(scale * <Q[b,i,h], K[b,j,g]> | attend) * V[b,j,g,:]
        LSE[b, h, i]  = log sum_{j attended} exp(scale * <Q[b,i,h], K[b,j,g]>)

    with `g = h / (heads / kv_heads)` (GQA/MQA) and `attend` given by the
    pattern at absolute positions `q_start + i` and `kv_start + j`.

    Shapes: `query` and `output` are `[batch, q_len, heads, head_dim]`,
    `key` and `value` are `[batch, kv_len, kv_heads, head_dim]`, and the
    optional `lse` output is `[batch, heads, q_len]` in f32. Batch and lengths
    may be dynamic; head counts and the head dimension are static. Elements
    are f16, bf16 or f32, the same for all four; statistics accumulate in f32.

    The op is destination-style: on tensors it returns the updated `output`
    (and `lse`), on memrefs it writes them and returns nothing.

    `causal` (default true) limits each query to keys at or before its
    position. `scale` defaults to `1/sqrt(head_dim)`. `q_start` and
    `kv_start` are the absolute positions of the first query and key, as
    constants or index values; `q_start` defaults to `kv_len - q_len`
    (bottom-right aligned) when causal and to `kv_start` otherwise, and
    `kv_start` to 0.

    ```mlir
    %o = s2attn.attention ins(%q, %k, %v : tensor<1x4096x32x128xbf16>,
                              tensor<1x4096x8x128xbf16>, tensor<1x4096x8x128xbf16>)
           outs(%init : tensor<1x4096x32x128xbf16>)
           pattern = #s2attn.local_stride<block = 64, local = 16, stride = 8>
           -> tensor<1x4096x32x128xbf16>

    // One decoding step at position %pos, with the log-sum-exp.
    %o2, %lse = s2attn.attention ins(%q1, %kc, %vc : tensor<1x1x32x128xf16>,
                                     tensor<1x?x8x128xf16>, tensor<1x?x8x128xf16>)
           outs(%init1 : tensor<1x1x32x128xf16>, %l : tensor<1x32x1xf32>)
           pattern = #s2attn.local_stride<block = 64, local = 16, stride = 8>
           q_start = %pos {scale = 0.088 : f64}
           -> tensor<1x1x32x128xf16>, tensor<1x32x1xf32>
    ```
  }];

  let arguments = (ins
    S2Attn_TensorOrMemRef:$query,
    S2Attn_TensorOrMemRef:$key,
    S2Attn_TensorOrMemRef:$value,
    S2Attn_TensorOrMemRef:$output,
    Optional<S2Attn_TensorOrMemRef>:$lse,
    Optional<Index>:$q_start,
    Optional<Index>:$kv_start,
    S2Attn_PatternAttrInterface:$pattern,
    DefaultValuedAttr<BoolAttr, "true">:$causal,
    OptionalAttr<F64Attr>:$scale,
    OptionalAttr<I64Attr>:$static_q_start,
    OptionalAttr<I64Attr>:$static_kv_start
  );
  let results = (outs Variadic<AnyRankedTensor>:$results);

  let assemblyFormat = [{
    `ins` `(` $query `,` $key `,` $value `:` type($query) `,` type($key) `,`
              type($value) `)`
    `outs` `(` $output `:` type($output) (`,` $lse^ `:` type($lse))? `)`
    `pattern` `=` custom<Pattern>($pattern)
    (`q_start` `=` custom<Position>($q_start, $static_q_start)^)?
    (`kv_start` `=` custom<Position>($kv_start, $static_kv_start)^)?
    attr-dict (`->` type($results)^)?
  }];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    ::mlir::ShapedType getQueryType() { return ::llvm::cast<::mlir::ShapedType>(getQuery().getType()); }
    ::mlir::ShapedType getKeyType() { return ::llvm::cast<::mlir::ShapedType>(getKey().getType()); }
    int64_t getBatch() { return getQueryType().getDimSize(0); }
    int64_t getQLen() { return getQueryType().getDimSize(1); }
    int64_t getKVLen() { return getKeyType().getDimSize(1); }
    int64_t getNumHeads() { return getQueryType().getDimSize(2); }
    int64_t getNumKVHeads() { return getKeyType().getDimSize(2); }
    int64_t getHeadDim() { return getQueryType().getDimSize(3); }
    bool hasPureTensorSemantics() {
      return ::llvm::isa<::mlir::RankedTensorType>(getQuery().getType());
    }
    /// scale, or 1/sqrt(head_dim) when absent.
    double getScaleOrDefault();
    /// What the pattern needs to know of this problem; block counts are set
    /// when the lengths and positions are static.
    ::mlir::s2attn::PatternContext getPatternContext();
    /// The reference library's view of the problem when every size and
    /// position is static.
    std::optional<::s2attn::ref::ProblemShape> getStaticProblemShape();
    std::optional<::s2attn::ref::Positions> getStaticPositions();
    /// With static shapes, fails with a diagnostic when some query row
    /// attends no key.
    ::llvm::LogicalResult verifyEveryRowAttends();

    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return ::mlir::MutableOperandRange(getOperation(), /*start=*/3,
                                         /*length=*/getLse() ? 2 : 1);
    }
  }];
}

//===----------------------------------------------------------------------===//
// The scheduled form (s2attn-materialize-schedule)
//===----------------------------------------------------------------------===//

def S2Attn_ScheduleKind : I32EnumAttr<"ScheduleKind",
    "where a scheduled attention finds the key blocks of its rows", [
      I32EnumAttrCase<"Exact", 0, "exact">,
      I32EnumAttrCase<"Grid", 1, "grid">,
      I32EnumAttrCase<"ClosedForm", 2, "closed_form">
    ]> {
  let cppNamespace = "::mlir::s2attn";
}

def S2Attn_ScheduleArray : AnyTypeOf<[
    1DTensorOf<[I32]>, MemRefRankOf<[I32], [1]>],
    "1-D i32 tensor or memref">;

def S2Attn_ScheduledAttentionOp : S2Attn_Op<"scheduled_attention", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DestinationStyleOpInterface]> {
  let summary = "Attention that walks an explicit block schedule";
  let description = [{
    `s2attn.attention` after `s2attn-materialize-schedule`: the same function
    (SPEC section 1), with every default resolved and the pattern turned into
    a block schedule that `s2attn-tile` walks. `q_start` and `kv_start` are
    the absolute positions of the first query and key; `scale` is explicit.
    The `plan` (an `#s2attn.plan`) fixes the query tile: tile `t` covers the
    absolute query positions `[t * q_tile, (t + 1) * q_tile)`.

    The schedule takes one of three forms:

    * `exact(%row_ptr, %kv_blocks, %row_masks, %num_unmasked)`: the CSR
      schedule of the reference library (`::s2attn::ref::buildSchedule`) for
      this problem. Row `h * num_q_tiles + (t - first_q_tile)` lists the
      absolute key blocks of query head `h` and tile `t`, the first
      `num_unmasked[row]` of them needing no token mask; bit `s` of a row mask
      says that block row `s` of a Merge-Q tile attends the entry. With
      `heads_share_rows`, the arrays hold head 0's rows only (row
      `t - first_q_tile`), which every head walks: patterns whose rows do not
      depend on the head (dense, windows, one mask for all heads) keep one
      copy instead of one per head.
    * `grid(%row_ptr, %kv_blocks, %row_masks)`: the same arrays over every
      tile of a bounded block grid starting at position 0 (a block mask's
      grid); used when lengths or positions are dynamic. Entries outside the
      keys are skipped and the token mask is decided per entry at run time.
      `heads_share_rows` applies as for `exact`.
    * `closed_form`: no arrays; the tiled loop computes each row from the
      pattern (local window plus stripes, or every block). Only local-stride
      and dense patterns have one.

    ```mlir
    %o = s2attn.scheduled_attention
           ins(%q, %k, %v : tensor<1x40x2x8xf32>, tensor<1x40x1x8xf32>, tensor<1x40x1x8xf32>)
           outs(%init : tensor<1x40x2x8xf32>)
           q_start = %c0 kv_start = %c0
           schedule = exact(%rp, %kb, %rm, %nu : tensor<7xi32>, tensor<10xi32>, tensor<10xi32>, tensor<6xi32>)
           pattern = #s2attn.local_stride<block = 16, local = 1, stride = 2>
           {plan = #s2attn.plan<q_tile = 16, kv_tile = 16>, scale = 0.35355339059327379 : f64}
           -> tensor<1x40x2x8xf32>
    ```
  }];

  let arguments = (ins
    S2Attn_TensorOrMemRef:$query,
    S2Attn_TensorOrMemRef:$key,
    S2Attn_TensorOrMemRef:$value,
    S2Attn_TensorOrMemRef:$output,
    Optional<S2Attn_TensorOrMemRef>:$lse,
    Index:$q_start,
    Index:$kv_start,
    Variadic<S2Attn_ScheduleArray>:$schedule,
    S2Attn_ScheduleKind:$schedule_kind,
    S2Attn_PatternAttrInterface:$pattern,
    S2Attn_PlanAttr:$plan,
    DefaultValuedAttr<BoolAttr, "true">:$causal,
    F64Attr:$scale,
    UnitAttr:$heads_share_rows
  );
  let results = (outs Variadic<AnyRankedTensor>:$results);

  let assemblyFormat = [{
    `ins` `(` $query `,` $key `,` $value `:` type($query) `,` type($key) `,`
              type($value) `)`
    `outs` `(` $output `:` type($output) (`,` $lse^ `:` type($lse))? `)`
    `q_start` `=` $q_start `kv_start` `=` $kv_start
    `schedule` `=` $schedule_kind (`(` $schedule^ `:` type($schedule) `)`)?
    `pattern` `=` $pattern
    attr-dict (`->` type($results)^)?
  }];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    ::mlir::ShapedType getQueryType() { return ::llvm::cast<::mlir::ShapedType>(getQuery().getType()); }
    ::mlir::ShapedType getKeyType() { return ::llvm::cast<::mlir::ShapedType>(getKey().getType()); }
    int64_t getNumHeads() { return getQueryType().getDimSize(2); }
    int64_t getNumKVHeads() { return getKeyType().getDimSize(2); }
    int64_t getHeadDim() { return getQueryType().getDimSize(3); }
    bool hasPureTensorSemantics() {
      return ::llvm::isa<::mlir::RankedTensorType>(getQuery().getType());
    }
    /// The schedule arrays by role; null when the kind has no such array.
    ::mlir::Value getRowPtr() { return getScheduleArray(0); }
    ::mlir::Value getKvBlocks() { return getScheduleArray(1); }
    ::mlir::Value getRowMasks() { return getScheduleArray(2); }
    ::mlir::Value getNumUnmasked() { return getScheduleArray(3); }
    ::mlir::Value getScheduleArray(unsigned index) {
      return index < getSchedule().size() ? getSchedule()[index] : ::mlir::Value();
    }
    /// How many arrays each schedule kind takes.
    static unsigned getNumScheduleArrays(::mlir::s2attn::ScheduleKind kind);
    /// What the pattern needs to know of this problem (no block counts: the
    /// schedule, not the pattern, bounds the rows here).
    ::mlir::s2attn::PatternContext getPatternContext();

    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return ::mlir::MutableOperandRange(getOperation(), /*start=*/3,
                                         /*length=*/getLse() ? 2 : 1);
    }
  }];
}

#endif // S2ATTN_OPS_TD
