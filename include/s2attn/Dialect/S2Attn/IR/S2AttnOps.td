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

#endif // S2ATTN_OPS_TD
