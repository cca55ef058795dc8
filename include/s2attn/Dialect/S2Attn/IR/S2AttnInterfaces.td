//===- S2AttnInterfaces.td - pattern interface -------------*- tablegen -*-===//

#ifndef S2ATTN_INTERFACES_TD
#define S2ATTN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def S2Attn_PatternAttrInterface : AttrInterface<"PatternAttrInterface"> {
  let cppNamespace = "::mlir::s2attn";
  let description = [{
    A block-sparse attention pattern. Every pass that needs to know which key
    blocks a query block attends asks through this interface, so adding a
    pattern kind means implementing it once here and nowhere else.

    `PatternContext` carries what a pattern alone does not know: the query and
    key/value head counts, causality, and, when shapes are static, the number
    of absolute query and key blocks.
  }];
  let methods = [
    InterfaceMethod<"The block size B in tokens (a power of two >= 16).",
      "int64_t", "getBlockSize", (ins)>,
    InterfaceMethod<[{
        Checks the pattern against a problem. Reports a diagnostic that says
        what is wrong and what would be right, and fails, when the pattern
        cannot serve the problem.
      }],
      "::llvm::LogicalResult", "verifyForProblem",
      (ins "::llvm::function_ref<::mlir::InFlightDiagnostic()>":$emitError,
           "const ::mlir::s2attn::PatternContext &":$context)>,
    InterfaceMethod<[{
        Builds the reference (MLIR-free) pattern for a problem. Only valid
        after `verifyForProblem` succeeded for the same context.
      }],
      "std::unique_ptr<::s2attn::ref::BlockPattern>", "buildReference",
      (ins "const ::mlir::s2attn::PatternContext &":$context)>,
  ];
  let extraSharedClassDeclaration = [{
    /// Whether query head `head` attends absolute key block `kvBlock` from
    /// absolute query block `qBlock`.
    bool isBlockAttended(const ::mlir::s2attn::PatternContext &context,
                         int64_t head, int64_t qBlock, int64_t kvBlock) {
      return $_attr.buildReference(context)->attendsBlock(head, qBlock,
                                                          kvBlock);
    }
    /// The key blocks in [0, numKVBlocks) that `head` attends from `qBlock`,
    /// ascending.
    ::llvm::SmallVector<int64_t>
    getRowBlocks(const ::mlir::s2attn::PatternContext &context, int64_t head,
                 int64_t qBlock, int64_t numKVBlocks) {
      auto pattern = $_attr.buildReference(context);
      ::llvm::SmallVector<int64_t> blocks;
      for (int64_t kvBlock = 0; kvBlock < numKVBlocks; ++kvBlock)
        if (pattern->attendsBlock(head, qBlock, kvBlock))
          blocks.push_back(kvBlock);
      return blocks;
    }
  }];
}

#endif // S2ATTN_INTERFACES_TD
