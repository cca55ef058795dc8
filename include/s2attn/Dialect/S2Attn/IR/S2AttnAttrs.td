//===- S2AttnAttrs.td - s2attn pattern attributes ----------*- tablegen -*-===//

#ifndef S2ATTN_ATTRS_TD
#define S2ATTN_ATTRS_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "s2attn/Dialect/S2Attn/IR/S2AttnBase.td"
include "s2attn/Dialect/S2Attn/IR/S2AttnEnums.td"
include "s2attn/Dialect/S2Attn/IR/S2AttnInterfaces.td"

class S2Attn_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<S2Attn_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

// `true` / `false` keywords.
class S2Attn_BoolKeywordParameter<string default = "">
    : AttrOrTypeParameter<"bool", ""> {
  let parser = "::mlir::s2attn::parseBoolKeyword($_parser)";
  let printer = "$_printer << ($_self ? \"true\" : \"false\")";
  let defaultValue = default;
}
// False by default, and elided when false.
def S2Attn_FlagParameter : S2Attn_BoolKeywordParameter<"false">;

def S2Attn_OptionalIntParameter
    : OptionalParameter<"std::optional<int64_t>"> {
  let printer = "$_printer << *$_self";
}

def S2Attn_VertPositionParameter
    : OptionalParameter<"std::optional<::mlir::s2attn::VertPosition>"> {
  let parser = "::mlir::s2attn::parseVertPosition($_parser)";
  let printer = "$_printer << ::mlir::s2attn::stringifyVertPosition(*$_self)";
}

def S2Attn_LocalStrideAttr : S2Attn_Attr<"LocalStride", "local_stride", [
    DeclareAttrInterfaceMethods<S2Attn_PatternAttrInterface>]> {
  let summary = "Local window plus per-head vertical stripes";
  let description = [{
    The S2-Attention pattern of SPEC section 2. Key block `bk` is attended
    from query block `bq` by KV head `g` when it is in the local window
    (`bq - bk < local` and, bidirectionally, `bk - bq < right`) or on the
    head's vertical stripe. In absolute mode the stripe is
    `(bk + g * head_step + head_offset) mod stride == 0`, so different heads
    see different stripes and together cover the context; in relative mode it
    is measured from the window's edges. The last `dense_heads` KV heads are
    dense. `homo_head = true` gives every head head 0's pattern.

    Omitted parameters take the SPEC defaults: `right` = `local`,
    `head_step` = max(1, stride / heads) (query heads), `head_offset` = 0,
    `vert` = absolute when causal and relative when bidirectional.

    ```mlir
    // Phi-3-small-8k: B = 64, L = 16, V = 8, vLLM's offset convention.
    #s2attn.local_stride<block = 64, local = 16, stride = 8, head_offset = 1>
    // Bidirectional, two blocks left, one right, stripes every 4 blocks.
    #s2attn.local_stride<block = 32, local = 2, right = 1, stride = 4, vert = relative>
    ```
  }];
  let parameters = (ins
    "int64_t":$block,
    "int64_t":$local,
    S2Attn_OptionalIntParameter:$right,
    DefaultValuedParameter<"int64_t", "1">:$stride,
    S2Attn_OptionalIntParameter:$head_step,
    DefaultValuedParameter<"int64_t", "0">:$head_offset,
    DefaultValuedParameter<"int64_t", "0">:$dense_heads,
    S2Attn_FlagParameter:$homo_head,
    S2Attn_VertPositionParameter:$vert
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The reference library's parameter record for `causal`.
    ::s2attn::ref::LocalStrideParams toParams(bool causal) const;
  }];
}

def S2Attn_BlockMaskAttr : S2Attn_Attr<"BlockMask", "block_mask", [
    DeclareAttrInterfaceMethods<S2Attn_PatternAttrInterface>]> {
  let summary = "An arbitrary per-head boolean block matrix";
  let description = [{
    SPEC section 3: `mask[h, bq, bk]` says whether head `h` attends absolute
    key block `bk` from absolute query block `bq`. The leading dimension is 1
    (shared by all heads), the number of KV heads, or the number of query
    heads. The matrix must reach at least the last query and key block of the
    problem; a longer one (a mask built for a maximum length) is fine. When
    the attention is causal, blocks above the diagonal are never attended
    whatever the mask says.

    ```mlir
    #s2attn.block_mask<block = 16, mask = dense<[[[true, false], [true, true]]]> : tensor<1x2x2xi1>>
    ```
  }];
  let parameters = (ins "int64_t":$block, "::mlir::DenseIntElementsAttr":$mask);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getNumMaskHeads() const { return getMask().getType().getDimSize(0); }
    int64_t getNumQBlocks() const { return getMask().getType().getDimSize(1); }
    int64_t getNumKVBlocks() const { return getMask().getType().getDimSize(2); }
  }];
}

def S2Attn_DenseAttr : S2Attn_Attr<"Dense", "dense", [
    DeclareAttrInterfaceMethods<S2Attn_PatternAttrInterface>]> {
  let summary = "Every key block (below the diagonal when causal)";
  let description = [{
    Dense attention expressed as a pattern, so dense layers of a hybrid model
    take the same path as sparse ones. `block` sets the schedule's granularity.

    ```mlir
    #s2attn.dense<block = 128>
    ```
  }];
  let parameters = (ins DefaultValuedParameter<"int64_t", "64">:$block);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def S2Attn_PatternInfoAttr : S2Attn_Attr<"PatternInfo", "pattern_info"> {
  let summary = "What the analysis found out about a pattern";
  let description = [{
    Written by `s2attn-analyze` for later passes. Densities are attended block
    pairs over legal (causal or all) block pairs. `covers_context` says whether
    every query block's legal key blocks are seen by some head;
    `uncovered_residues` lists the residues `r` such that key blocks with
    `bk mod stride == r` lie on no sparse head's stripe (absolute local-stride
    patterns; empty when a dense head exists). `kv_cache_efficient`
    says that a key block a query block stops using is never used again by a
    later one, which makes Merge-Q exact and bounds the decoding cache.

    ```mlir
    #s2attn.pattern_info<density = 0.25, head_density = array<f64: 0.25, 0.25>,
                         covers_context = true, uncovered_residues = array<i64>,
                         kv_cache_efficient = true>
    ```
  }];
  let parameters = (ins
    "::mlir::FloatAttr":$density,
    "::mlir::DenseF64ArrayAttr":$head_density,
    S2Attn_BoolKeywordParameter<>:$covers_context,
    "::mlir::DenseI64ArrayAttr":$uncovered_residues,
    S2Attn_BoolKeywordParameter<>:$kv_cache_efficient
  );
  let assemblyFormat = [{
    `<` `density` `=` $density `,` `head_density` `=` $head_density `,`
        `covers_context` `=` $covers_context `,`
        `uncovered_residues` `=` $uncovered_residues `,`
        `kv_cache_efficient` `=` $kv_cache_efficient `>`
  }];
}

//===----------------------------------------------------------------------===//
// Compilation decisions (s2attn-plan and later)
//===----------------------------------------------------------------------===//

def S2Attn_TargetAttr : S2Attn_Attr<"Target", "target"> {
  let summary = "The machine an attention is compiled for";
  let description = [{
    Names an entry of the target model (`cpu`, `sm_80`, `sm_90a`) that
    `s2attn-plan` reads its budgets from. Put on an op, a function or the
    module, it overrides the pass's `target` option for everything inside.

    ```mlir
    module attributes {s2attn.target = #s2attn.target<"sm_90a">} { ... }
    ```
  }];
  let parameters = (ins StringRefParameter<"target name">:$name);
  let assemblyFormat = "`<` $name `>`";
}

def S2Attn_PlanAttr : S2Attn_Attr<"Plan", "plan"> {
  let summary = "Tile sizes chosen by s2attn-plan";
  let description = [{
    The tiling decision for one attention, made by `s2attn-plan` from a
    target description and consumed by `s2attn-materialize-schedule` and
    `s2attn-tile`. `q_tile` query tokens (aligned to absolute positions)
    share one walk over key tiles of `kv_tile` tokens; `kv_tile` is the
    pattern's block. `merge_q` says that the query tile spans
    `q_tile / kv_tile` block rows (Merge-Q, SPEC section 4); it is true
    exactly when `q_tile > kv_tile`. GPU targets also record the number of
    warps and of pipeline stages.

    ```mlir
    #s2attn.plan<q_tile = 64, kv_tile = 16, merge_q = true>
    #s2attn.plan<q_tile = 128, kv_tile = 64, merge_q = true, num_warps = 8, num_stages = 3>
    ```
  }];
  let parameters = (ins
    "int64_t":$q_tile,
    "int64_t":$kv_tile,
    S2Attn_FlagParameter:$merge_q,
    S2Attn_OptionalIntParameter:$num_warps,
    S2Attn_OptionalIntParameter:$num_stages
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Block rows per query tile (1 unless Merge-Q).
    int64_t getSubRows() const { return getQTile() / getKvTile(); }
  }];
}

#endif // S2ATTN_ATTRS_TD
