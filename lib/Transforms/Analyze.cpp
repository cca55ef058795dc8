//===- Analyze.cpp - density, coverage and KV-cache efficiency ------------===//

#include "s2attn/Dialect/S2Attn/IR/S2Attn.h"
#include "s2attn/Reference/Analysis.h"
#include "s2attn/Transforms/Passes.h"

#include "llvm/Support/Format.h"

namespace mlir::s2attn {
#define GEN_PASS_DEF_S2ATTNANALYZE
#include "s2attn/Transforms/Passes.h.inc"
} // namespace mlir::s2attn

using namespace mlir;
using namespace mlir::s2attn;

namespace ref = ::s2attn::ref;

namespace {

PatternInfoAttr toAttribute(MLIRContext *context,
                            const ref::PatternStats &stats) {
  Builder builder(context);
  return PatternInfoAttr::get(
      context, builder.getF64FloatAttr(stats.overallDensity),
      builder.getDenseF64ArrayAttr(stats.headDensity), stats.coversContext,
      builder.getDenseI64ArrayAttr(stats.uncoveredResidues),
      stats.kvCacheEfficient);
}

void warnAboutCoverage(AttentionOp op, const ref::PatternStats &stats) {
  InFlightDiagnostic diag = op.emitWarning("pattern leaves context uncovered");
  if (stats.firstUncovered)
    diag << ": no head attends key block " << stats.firstUncovered->kvBlock
         << " from query block " << stats.firstUncovered->qBlock;
  if (!stats.uncoveredResidues.empty()) {
    diag << "; stripe residues [";
    llvm::interleaveComma(stats.uncoveredResidues, diag);
    diag << "] modulo the stride are reached by no head (choose head_step "
            "and head_offset so that g * head_step + head_offset covers "
            "every residue, or add a dense head)";
  }
}

void warnAboutKVCache(AttentionOp op, const ref::PatternStats &stats) {
  InFlightDiagnostic diag =
      op.emitWarning("pattern is not KV-cache efficient");
  if (const std::optional<ref::BlockCoordinate> &where = stats.kvInefficiency)
    diag << ": head " << where->head << " uses key block " << where->kvBlock
         << " from query block " << where->qBlock + 1 << " but not from "
         << where->qBlock;
  diag << "; decoding must keep such blocks cached and Merge-Q cannot merge "
          "these rows";
}

void remarkSummary(AttentionOp op, const ref::PatternStats &stats) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "density " << llvm::format("%.4f", stats.overallDensity)
     << " (per head";
  for (double density : stats.headDensity)
    os << " " << llvm::format("%.4f", density);
  os << "); " << (stats.coversContext ? "covers" : "does not cover")
     << " the context; "
     << (stats.kvCacheEfficient ? "KV-cache efficient"
                                : "not KV-cache efficient");
  op.emitRemark(text);
}

struct AnalyzePass : public mlir::s2attn::impl::S2AttnAnalyzeBase<AnalyzePass> {
  using S2AttnAnalyzeBase::S2AttnAnalyzeBase;

  void runOnOperation() override {
    getOperation()->walk([&](AttentionOp op) { analyze(op); });
  }

  void analyze(AttentionOp op) {
    PatternContext context = op.getPatternContext();
    // The analysis visits every block pair; past this many blocks a prefix
    // of the grid shows the same stripes and windows at bounded cost.
    constexpr int64_t kMaxBlocks = 8192;
    int64_t qBlocks =
        std::min(context.qBlocks.value_or(analysisBlocks), kMaxBlocks);
    int64_t kvBlocks =
        std::min(context.kvBlocks.value_or(analysisBlocks), kMaxBlocks);
    std::unique_ptr<ref::BlockPattern> pattern =
        op.getPattern().buildReference(context);
    ref::PatternStats stats = ref::analyzePattern(
        *pattern, context.heads, context.kvHeads, qBlocks, kvBlocks);
    op->setAttr("s2attn.pattern_info", toAttribute(op.getContext(), stats));
    if (!stats.coversContext)
      warnAboutCoverage(op, stats);
    if (!stats.kvCacheEfficient)
      warnAboutKVCache(op, stats);
    if (emitRemarks)
      remarkSummary(op, stats);
  }
};

} // namespace
